/* test_arch.c — the architecture text parser: every kind of mistake gives
 * SOURCE:LINE and what was expected; integer expressions and variables;
 * every preset parses, and its summary's parameter count is the built
 * net's; a GAN built from custom texts keeps them through a checkpoint. */
#include "test_util.h"
#include "models/arch.h"
#include "nn/diffaug.h"
#include "train/gan.h"
#include "train/gan_checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* text must fail with a message holding every one of the strings in want (NULL-terminated). */
static void expect_error(const char *what, const char *text, const char *const *want)
{
    clgan_arch *a = NULL;
    clgan_status st = clgan_arch_parse(text, "my.arch", NULL, 0, &a);
    int ok = st == CLGAN_ERR_FORMAT && a == NULL;
    for (int i = 0; ok && want[i]; i++) ok = strstr(clgan_last_error(), want[i]) != NULL;
    EXPECT(ok, "%s: %s", what, st == CLGAN_OK ? "(parsed)" : clgan_last_error());
    clgan_arch_free(a);
}

/* The same for body after a 1x8x8 [input] section (lines 1-4). */
static void expect_error_after_input(const char *what, const char *body, const char *const *want)
{
    char t[1024];
    snprintf(t, sizeof t, "[input]\nc = 1\nh = 8\nw = 8\n%s", body);
    expect_error(what, t, want);
}

static void test_errors(void)
{
    expect_error_after_input("unknown section", "[convv]\nfilters = 4\n",
                             WANT("my.arch:5:", "unknown section [convv]", "expected one of", "conv_transpose"));
    expect_error_after_input("unknown key", "[conv]\nfilter = 4\nsize = 3\n",
                             WANT("my.arch:6:", "unknown key 'filter' in [conv]", "expected filters, size"));
    expect_error_after_input("missing key (at its section's line)", "\n\n[conv]\nsize = 3\n",
                             WANT("my.arch:7:", "[conv] needs 'filters'"));
    expect_error_after_input("unknown variable", "[conv]\nfilters = abc\nsize = 3\n",
                             WANT("my.arch:6:", "unknown variable 'abc'"));
    expect_error_after_input("not an integer", "[conv]\nfilters = 3.5\nsize = 3\n",
                             WANT("my.arch:6:", "expected an integer"));
    expect_error_after_input("out of range", "[conv]\nfilters = 0\nsize = 3\n",
                             WANT("my.arch:6:", "filters = 0 is 0; expected a positive integer"));
    expect_error_after_input("bias 2", "[dense]\nunits = 4\nbias = 2\n", WANT("my.arch:7:", "expected 0 or 1"));
    expect_error_after_input("unknown function", "[activation]\nfunction = relu6\n",
                             WANT("my.arch:6:", "relu6", "expected relu, leaky_relu, tanh or sigmoid"));
    expect_error_after_input("bad probability", "[dropout]\np = 1.5\n",
                             WANT("my.arch:6:", "expected a probability in [0, 1)"));
    expect_error_after_input("unknown diffaugment word", "[diffaugment]\npolicy = translation,zoom\n",
                             WANT("my.arch:6:", "policy = zoom", "expected color, translation and/or cutout"));
    expect_error_after_input("diffaugment word twice", "[diffaugment]\npolicy = cutout, color,cutout\n",
                             WANT("my.arch:6:", "'cutout' given twice"));
    expect_error_after_input("empty diffaugment word", "[diffaugment]\npolicy = color,\n",
                             WANT("my.arch:6:", "policy = :", "expected color"));
    expect_error_after_input("diffaugment without a policy", "[diffaugment]\n",
                             WANT("my.arch:5:", "[diffaugment] needs 'policy'"));
    expect_error_after_input("slope without leaky_relu", "[activation]\nfunction = relu\nslope = 0.1\n",
                             WANT("my.arch:5:", "slope", "leaky_relu only"));
    expect_error_after_input("spectral_norm 2", "[conv]\nfilters = 4\nsize = 3\nspectral_norm = 2\n",
                             WANT("my.arch:8:", "expected 0 (plain) or 1 (spectral-normalised)"));
    expect_error_after_input("spectral_norm on a transposed conv",
                             "[conv_transpose]\nfilters = 4\nsize = 3\nspectral_norm = 1\n",
                             WANT("my.arch:8:", "unknown key 'spectral_norm' in [conv_transpose]"));
    expect_error_after_input("weight_norm with spectral_norm",
                             "[dense]\nunits = 4\nweight_norm = 1\nspectral_norm = 1\n",
                             WANT("my.arch:5:", "weight_norm and spectral_norm", "choose one"));
    expect_error_after_input("division by zero", "[dense]\nunits = 4 / (2 - 2)\n",
                             WANT("my.arch:6:", "division by zero"));
    expect_error_after_input("unbalanced parenthesis", "[dense]\nunits = (4\n", WANT("my.arch:6:", "expected ')'"));
    expect_error_after_input("key given twice", "[dense]\nunits = 4\nunits = 5\n",
                             WANT("my.arch:7:", "'units' given twice"));
    expect_error_after_input("a layer that cannot apply to its input", "[conv]\nfilters = 4\nsize = 9\n",
                             WANT("my.arch:5:", "[conv] cannot apply to its input 1x8x8"));
    expect_error_after_input("a reshape of the wrong size", "[dense]\nunits = 4\n[reshape]\nc = 3\nh = 1\nw = 1\n",
                             WANT("my.arch:7:", "[reshape] cannot apply to its input 4x1x1"));
    expect_error("no input", "[dense]\nunits = 4\n", WANT("my.arch:1:", "[dense] before [input]"));
    expect_error("input missing a key", "[input]\nc = 1\nh = 2\n[dense]\nunits = 2\n",
                 WANT("my.arch:1:", "[input] needs 'w'"));
    expect_error("empty text", "# nothing\n", WANT("my.arch:2:", "no [input] section"));
    expect_error_after_input("no layers", "", WANT("my.arch:5:", "no layers after [input]"));
    expect_error("a key outside sections", "c = 1\n", WANT("my.arch:1:", "before any [section]"));
    expect_error("a line that is neither", "[input]\nc 1\n", WANT("my.arch:2:", "expected [section] or key = value"));
    expect_error("a broken header", "[input\n", WANT("my.arch:1:", "expected a section header"));
    expect_error_after_input("[features] first", "[features]\n[dense]\nunits = 2\n",
                             WANT("my.arch:5:", "[features] must follow a layer"));
    expect_error("unknown [net] key", "[net]\ncolour = red\n", WANT("my.arch:2:", "unknown key 'colour' in [net]"));
    expect_error("bad mode", "[net]\nmode = gam\n", WANT("my.arch:2:", "expected gan, classifier, ssl, dfeatures or detector"));
    expect_error("variable declared twice", "[vars]\nx = 1\nx = 2\n", WANT("my.arch:3:", "declared twice"));
    expect_error("not a variable name", "[vars]\n2x = 1\n", WANT("my.arch:2:", "not a variable name"));
}

static void test_values(void)
{
    const char *text = "# a comment line\n"
                       "[vars]\n"
                       "width = 4      # trailing comment\n"
                       "big = width * 3\n"
                       "[input]\n"
                       "c = 1\nh = 1\nw = 1\n"
                       "[dense]\nunits = 2 + 3 * 4\ninit = he\n"
                       "[dense]\nunits = (2 + 3) * 4\nbias = 0\n"
                       "[dense]\nunits = -3 + 10 + 7 / 2 + 7 % 4\nweight_norm = 2\n"
                       "[dense]\nunits = max(1, width / 8) + min(big, 100)\n"
                       "[features]\n"
                       "[activation]\nfunction = leaky_relu\n"
                       "[gaussian_noise]\nstddev = 0.3\n"
                       "[dense]\nunits = width\ninit = xavier\ninit_std = 0.5\nspectral_norm = width / 16\n"
                       "[diffaugment]\npolicy = cutout , translation\n"
                       "[diffaugment]\npolicy = translation,cutout,color\n";
    clgan_arch *a;
    clgan_arch_var over[2] = {{"width", 16}, {"unused", 3}};
    MUST(clgan_arch_parse(text, "values", over, 2, &a));
    EXPECT(a->n == 9, "9 layers (got %d)", a->n);
    EXPECT(a->specs[0].out == 14 && a->specs[0].init == CLGAN_INIT_HE && a->specs[0].bias == 1,
           "precedence: 2 + 3 * 4 = 14, init he, bias on by default (%d)", a->specs[0].out);
    EXPECT(a->specs[1].out == 20 && a->specs[1].bias == 0, "parentheses: (2 + 3) * 4 = 20 (%d)", a->specs[1].out);
    EXPECT(a->specs[2].out == 13 && a->specs[2].weight_norm == 2, "unary minus, / and %%: 13 (%d)", a->specs[2].out);
    EXPECT(a->specs[3].out == 2 + 48, "the override (width 16) reaches later variables: max(1,2) + min(48,100) (%d)",
           a->specs[3].out);
    EXPECT(a->feature_layer == 3 && clgan_arch_feature_layer(a) == 3, "[features] marks layer 3 (%d)", a->feature_layer);
    EXPECT(a->specs[4].act == CLGAN_ACT_LEAKY_RELU && a->specs[4].slope == 0.2f, "leaky_relu's slope defaults to 0.2");
    EXPECT(a->specs[5].kind == CLGAN_LAYER_GAUSSIAN_NOISE && a->specs[5].p == 0.3f, "noise stddev 0.3");
    EXPECT(a->specs[6].out == 16 && a->specs[6].init == CLGAN_INIT_XAVIER && a->specs[6].init_std == 0.5f &&
               a->specs[6].spectral_norm == 1 && a->specs[0].spectral_norm == 0,
           "xavier, init_std, width 16, spectral_norm = width / 16 (off by default)");
    EXPECT(a->specs[7].kind == CLGAN_LAYER_DIFFAUGMENT &&
               a->specs[7].policy == (CLGAN_DIFFAUG_TRANSLATION | CLGAN_DIFFAUG_CUTOUT) &&
               a->specs[8].policy == CLGAN_DIFFAUG_ALL,
           "diffaugment policies in any order, spaces allowed (0x%x, 0x%x)", a->specs[7].policy, a->specs[8].policy);
    EXPECT(a->lines[0] == 9 && a->lines[6] == 25, "section lines 9 and 25 (%d, %d)", a->lines[0], a->lines[6]);
    int v = 0;
    EXPECT(clgan_arch_var_value(a, "width", &v) == CLGAN_OK && v == 16, "width = 16");
    EXPECT(clgan_arch_var_value(a, "unused", &v) != CLGAN_OK, "an override the text does not declare is not a variable");
    EXPECT(!strcmp(clgan_arch_text(a), text), "the text is kept as given");
    clgan_arch_free(a);
    /* pools: stride defaults to the size */
    MUST(clgan_arch_parse("[input]\nc = 2\nh = 8\nw = 8\n[maxpool]\nsize = 2\n[avgpool]\nsize = 4\nstride = 4\n", "pools",
                          NULL, 0, &a));
    int c, h, w;
    clgan_arch_output_shape(a, &c, &h, &w);
    EXPECT(a->specs[0].stride == 2 && c == 2 && h == 1 && w == 1, "maxpool stride = size; 8 -> 4 -> 1 (%dx%dx%d)", c, h, w);
    clgan_arch_free(a);
}

/* Every preset parses; its summary's totals are clgan_net_specs_size's, and
 * (with a device) the built net's parameter count. */
static void test_presets(clgan_ctx *ctx)
{
    EXPECT(clgan_arch_preset_count() >= 14, "%d presets", clgan_arch_preset_count());
    for (int i = 0; i < clgan_arch_preset_count(); i++) {
        clgan_arch_preset p;
        MUST(clgan_arch_preset_at(i, &p));
        clgan_arch_var small[5] = {{"width", 4}, {"nz", 8}, {"classes", 3}, {"features", 12}, {"hidden", 5}};
        clgan_arch *a;
        MUST(clgan_arch_parse_preset(p.name, p.part, small, 5, &a));
        int ssl_g = !strcmp(p.mode, "ssl") && !strcmp(p.part, "g"); /* a GAN preset's G */
        EXPECT(!strcmp(a->mode, ssl_g ? "gan" : p.mode) && !strcmp(a->part, p.part),
               "%s part %s: [net] says mode %s, part %s", p.name, p.part, a->mode, a->part);
        size_t params, state, want_p, want_s;
        double flops;
        clgan_arch_totals(a, 8, &params, &state, &flops, NULL);
        MUST(clgan_net_specs_size(a->in_c, a->in_h, a->in_w, a->specs, a->n, &want_p, &want_s));
        EXPECT(params == want_p && state == want_s && flops > 0, "%s part %s: summary %zu params, %zu state", p.name,
               p.part, params, state);
        char table[16384];
        MUST(clgan_arch_summary_text(a, 8, table, sizeof table));
        char total[64];
        snprintf(total, sizeof total, "total: %zu parameters", params);
        EXPECT(strstr(table, total) != NULL, "%s part %s: the table says '%s'", p.name, p.part, total);
        EXPECT(clgan_arch_summary_text(a, 8, table, 64) == CLGAN_ERR_INVALID_ARG, "a short buffer is refused");
        if (ctx) {
            clgan_net *net;
            MUST(clgan_net_create(ctx, a->in_c, a->in_h, a->in_w, a->specs, a->n, 1, &net));
            EXPECT(clgan_net_param_count(net) == params, "%s part %s: the built net has %zu params", p.name, p.part,
                   clgan_net_param_count(net));
            clgan_net_free(net);
        }
        clgan_arch_free(a);
    }
    const char *text;
    EXPECT(clgan_arch_preset_text("dcgan99", "g", &text) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "dcgan28"), "an unknown preset lists the names: %s", clgan_last_error());
    EXPECT(clgan_arch_preset_text("lenet28", "g", &text) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "its parts: c"), "a missing part names the parts: %s", clgan_last_error());
    clgan_gan_arch g;
    memset(&g, 0, sizeof g);
    snprintf(g.model, sizeof g.model, "lenet28");
    EXPECT(clgan_gan_arch_resolve(&g) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "unknown model 'lenet28'"),
           "a classifier preset is no GAN model: %s", clgan_last_error());
}

/* A GAN from hand-written texts (plain numbers, 12x12 images) saves and
 * loads with its texts; mismatched parts are refused. */
static void test_gan_texts(clgan_ctx *ctx)
{
    const char *g_text = "[input]\nc = 6\nh = 1\nw = 1\n"
                         "[dense]\nunits = 8*3*3\n[reshape]\nc = 8\nh = 3\nw = 3\n[batchnorm]\n"
                         "[activation]\nfunction = relu\n"
                         "[conv_transpose]\nfilters = 1\nsize = 4\nstride = 4\n[activation]\nfunction = tanh\n";
    const char *d_text = "[net]\nname = tiny12\n[input]\nc = 1\nh = 12\nw = 12\n"
                         "[conv]\nfilters = 4\nsize = 4\nstride = 4\n[activation]\nfunction = leaky_relu\n"
                         "[features]\n[dense]\nunits = 1\n";
    clgan_gan_config c = clgan_gan_default_config();
    c.arch.text_g = g_text, c.arch.text_d = d_text;
    c.arch.mbstd = 1;
    c.batch = 4;
    clgan_gan_arch r = c.arch;
    MUST(clgan_gan_arch_resolve(&r));
    EXPECT(r.nz == 6 && r.c == 1 && r.h == 12 && r.w == 12 && !strcmp(r.model, "tiny12"),
           "resolved from the texts: nz %d, %dx%dx%d, model %s", r.nz, r.c, r.h, r.w, r.model);
    clgan_layer_spec s[CLGAN_MAX_NET_LAYERS];
    int n = 0, f = -1;
    MUST(clgan_gan_discriminator_specs(&r, s, &n, &f));
    EXPECT(n == 4 && s[2].kind == CLGAN_LAYER_MBSTD && f == 1, "mbstd goes before D's head (n %d, features %d)", n, f);
    /* diffaugment: first in D, before the label concat; the feature layer follows its layer */
    clgan_gan_arch da = r;
    da.diffaug = (int)(CLGAN_DIFFAUG_TRANSLATION | CLGAN_DIFFAUG_CUTOUT), da.conditional = 1, da.classes = 3;
    MUST(clgan_gan_discriminator_specs(&da, s, &n, &f));
    EXPECT(n == 6 && s[0].kind == CLGAN_LAYER_DIFFAUGMENT && s[0].policy == (unsigned)da.diffaug &&
               s[1].kind == CLGAN_LAYER_CONCAT_LABELS && f == 3,
           "diffaugment first in D, then the label concat (n %d, kinds %d %d, features %d)", n, s[0].kind, s[1].kind, f);
    MUST(clgan_gan_generator_specs(&da, s, &n));
    int in_g = 0;
    for (int i = 0; i < n; i++) in_g += s[i].kind == CLGAN_LAYER_DIFFAUGMENT;
    EXPECT(!in_g, "... and G has none (%d)", in_g);
    da.text_d = "[input]\nc = 1\nh = 12\nw = 12\n[diffaugment]\npolicy = color\n"
                "[conv]\nfilters = 4\nsize = 4\nstride = 4\n[activation]\nfunction = leaky_relu\n[dense]\nunits = 1\n";
    MUST(clgan_gan_discriminator_specs(&da, s, &n, &f));
    EXPECT(n == 6 && s[0].kind == CLGAN_LAYER_DIFFAUGMENT && s[0].policy == CLGAN_DIFFAUG_COLOR &&
               s[1].kind == CLGAN_LAYER_CONCAT_LABELS && s[2].kind == CLGAN_LAYER_CONV2D,
           "a text's leading [diffaugment] wins over the flag, and the label concat goes after it (n %d with mbstd)", n);
    da.text_d = "[input]\nc = 1\nh = 12\nw = 12\n[conv]\nfilters = 4\nsize = 4\nstride = 4\n"
                "[diffaugment]\npolicy = color\n[dense]\nunits = 1\n";
    EXPECT(clgan_gan_discriminator_specs(&da, s, &n, &f) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "layer 2 ([diffaugment]) comes after the label concat"),
           "a conditional D's [diffaugment] after its label concat is refused: %s", clgan_last_error());
    da = r, da.diffaug = 8;
    EXPECT(clgan_gan_arch_resolve(&da) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "diffaugment policy 8"),
           "a policy bit outside color, translation and cutout is refused: %s", clgan_last_error());
    clgan_gan_arch sn = r;
    sn.spectral_norm = 1;
    MUST(clgan_gan_discriminator_specs(&sn, s, &n, &f));
    EXPECT(n == 4 && s[0].spectral_norm && !s[1].spectral_norm && !s[2].spectral_norm && s[3].spectral_norm,
           "spectral_norm: D's conv and dense layers get it, the others not");
    sn.text_d = "[input]\nc = 1\nh = 12\nw = 12\n[dense]\nunits = 1\nweight_norm = 1\n";
    EXPECT(clgan_gan_discriminator_specs(&sn, s, &n, &f) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "weight-normalised dense layer"),
           "spectral_norm on a weight-normalised D refused: %s", clgan_last_error());
    clgan_gan_arch bad = c.arch;
    bad.text_d = "[input]\nc = 1\nh = 16\nw = 16\n[conv]\nfilters = 1\nsize = 16\n";
    EXPECT(clgan_gan_arch_resolve(&bad) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "G makes 1x12x12"),
           "G's output must be D's input: %s", clgan_last_error());
    if (!ctx) return;
    clgan_gan *gan, *back;
    MUST(clgan_gan_create(ctx, &c, &gan));
    char path[64];
    snprintf(path, sizeof path, "/tmp/clgan-test-arch-%d.ckpt", (int)getpid());
    MUST(clgan_gan_save(gan, path, ""));
    MUST(clgan_gan_load(ctx, path, &back, NULL, 0));
    const clgan_gan_config *bc = clgan_gan_get_config(back);
    EXPECT(bc->arch.text_g && !strcmp(bc->arch.text_g, g_text) && bc->arch.text_d && !strcmp(bc->arch.text_d, d_text),
           "the loaded GAN holds the texts");
    size_t np = clgan_net_block_floats(clgan_gan_generator(gan), CLGAN_NET_PARAMS);
    float *a = malloc(np * sizeof *a), *b = malloc(np * sizeof *b);
    MUST(clgan_net_read_block(clgan_gan_generator(gan), CLGAN_NET_PARAMS, a));
    MUST(clgan_net_read_block(clgan_gan_generator(back), CLGAN_NET_PARAMS, b));
    EXPECT(!memcmp(a, b, np * sizeof *a), "G's parameters round-trip");
    free(a), free(b);
    clgan_gan_free(back);
    clgan_gan_free(gan);
    unlink(path);
}

int main(void)
{
    test_errors();
    test_values();
    clgan_ctx *ctx = NULL;
    if (clgan_ctx_create(NULL, &ctx) != CLGAN_OK) {
        printf("no OpenCL device (%s): the built nets are not checked\n", clgan_last_error());
        ctx = NULL;
    }
    test_presets(ctx);
    test_gan_texts(ctx);
    if (ctx) clgan_ctx_free(ctx);
    return test_finish();
}
