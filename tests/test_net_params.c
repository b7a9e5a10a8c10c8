/* test_net_params.c — the public view of a net (clgan/net.h): layer kinds,
 * shapes and parameter counts, and the packed parameter order of
 * clgan_net_get_params / clgan_net_set_params (each layer's weights, then
 * its bias, with the device block's alignment padding left out), checked by
 * setting known values and comparing a forward pass with the same sums on
 * the host; the count mismatch message. */
#include "test_util.h"
#include "nn/net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4, IN = 2, HID = 3, OUT = 2, PARAMS = HID * IN + HID + OUT * HID + OUT };

int main(void)
{
    clgan_ctx *ctx = test_device_or_skip();
    clgan_layer_spec specs[3] = {clgan_dense(HID), clgan_activation(CLGAN_ACT_TANH, 0), clgan_dense(OUT)};
    clgan_net *net;
    MUST(clgan_net_create(ctx, IN, 1, 1, specs, 3, 9, &net));

    int c, h, w;
    clgan_net_input_shape(net, &c, &h, &w);
    EXPECT(c == IN && h == 1 && w == 1, "input shape [%d,%d,%d]", c, h, w);
    EXPECT(clgan_net_layer_count(net) == 3 && !strcmp(clgan_net_layer_kind(net, 0), "dense") &&
               !strcmp(clgan_net_layer_kind(net, 1), "activation") && !clgan_net_layer_kind(net, 3) &&
               !clgan_net_layer_kind(net, -1),
           "3 layers: dense, activation, dense; no kind out of range");
    EXPECT(clgan_net_layer_param_count(net, 0) == HID * IN + HID && clgan_net_layer_param_count(net, 1) == 0 &&
               clgan_net_layer_param_count(net, 2) == OUT * HID + OUT && clgan_net_layer_param_count(net, 3) == 0,
           "per-layer parameters 9, 0, 8, and 0 out of range");
    EXPECT(clgan_net_param_count(net) == PARAMS, "%zu parameters in all (%d)", clgan_net_param_count(net), PARAMS);
    EXPECT(clgan_net_block_floats(net, CLGAN_NET_PARAMS) >= PARAMS,
           "the device block holds %zu floats (with padding) for %d parameters",
           clgan_net_block_floats(net, CLGAN_NET_PARAMS), PARAMS);

    /* Known values in the packed order: W1 [HID,IN], b1 [HID], W2 [OUT,HID], b2 [OUT]. */
    float p[PARAMS], back[PARAMS];
    for (int i = 0; i < PARAMS; i++) p[i] = 0.05f * (float)(i + 1) * (i % 2 ? -1.0f : 1.0f);
    MUST(clgan_net_set_params(net, p, PARAMS));
    MUST(clgan_net_get_params(net, back, PARAMS));
    EXPECT(!memcmp(p, back, sizeof p), "get_params gives back what set_params wrote");
    const float *w1 = p, *b1 = p + HID * IN, *w2 = b1 + HID, *b2 = w2 + OUT * HID;

    float x[N * IN], y[N * OUT];
    for (int i = 0; i < N * IN; i++) x[i] = 0.3f * (float)i - 1.0f;
    clgan_tensor xt;
    MUST(clgan_tensor_alloc(ctx, N, IN, 1, 1, &xt));
    MUST(clgan_tensor_upload(ctx, &xt, x));
    MUST(clgan_net_plan(net, N));
    const clgan_tensor *yt;
    MUST(clgan_net_forward(net, &xt, NULL, 0, &yt));
    MUST(clgan_tensor_download(ctx, yt, y));
    double worst = 0;
    for (int n = 0; n < N; n++) {
        double hid[HID];
        for (int j = 0; j < HID; j++) {
            double s = b1[j];
            for (int i = 0; i < IN; i++) s += (double)w1[j * IN + i] * x[n * IN + i];
            hid[j] = tanh(s);
        }
        for (int o = 0; o < OUT; o++) {
            double s = b2[o];
            for (int j = 0; j < HID; j++) s += (double)w2[o * HID + j] * hid[j];
            worst = fmax(worst, fabs(s - y[n * OUT + o]));
        }
    }
    EXPECT(worst < 1e-5, "a forward with the set parameters matches the host's sums in the packed order (error %.2g)",
           worst);

    EXPECT(clgan_net_get_params(net, back, PARAMS - 1) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "16") &&
               strstr(clgan_last_error(), "17"),
           "a count of 16 fails naming both counts: %s", clgan_last_error());
    EXPECT(clgan_net_set_params(net, NULL, PARAMS) == CLGAN_ERR_INVALID_ARG, "set_params from NULL fails: %s",
           clgan_last_error());

    clgan_tensor_free(ctx, &xt);
    clgan_net_free(net);
    clgan_ctx_free(ctx);
    return test_finish();
}
