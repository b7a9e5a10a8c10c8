/* check_spectral_norm.c — host reference (double) and device checks for
 * spectral normalisation (nn/spectral_norm.h): the W_sn, u' and sigma of one
 * power iteration from the same u (training, and inference leaving u
 * alone), the forward repeated bit for bit, the backward accumulated onto
 * existing gradients, and central finite differences of the host reference
 * through a whole spectral-normalised dense layer y = x·W_snᵀ: with u' and v
 * held constant (the backward's definition), and through the power iteration
 * itself from a converged u (where the two derivatives agree). */
#include "check.h"
#include "nn/spectral_norm.h"

#include <stdio.h>
#include <string.h>

typedef struct sn_case { int n, out, in; } sn_case;

/* x [k] -> x / max(|x|, eps) in place; returns |x|^2. */
static double ref_normalize(double *x, int k)
{
    double ss = 0;
    for (int i = 0; i < k; i++) ss += x[i] * x[i];
    double nrm = fmax(sqrt(ss), (double)CLGAN_SN_EPS);
    for (int i = 0; i < k; i++) x[i] /= nrm;
    return ss;
}

/* W [OUT,IN], u [OUT] -> v [IN], u2 = u' [OUT], W_sn [OUT,IN]; returns sigma. */
static double ref_sn_forward(const sn_case *c, const double *W, const double *u, double *v, double *u2, double *Wsn)
{
    for (int i = 0; i < c->in; i++) {
        v[i] = 0;
        for (int o = 0; o < c->out; o++) v[i] += W[(size_t)o * c->in + i] * u[o];
    }
    ref_normalize(v, c->in);
    for (int o = 0; o < c->out; o++) {
        u2[o] = 0;
        for (int i = 0; i < c->in; i++) u2[o] += W[(size_t)o * c->in + i] * v[i];
    }
    double ss = ref_normalize(u2, c->out), sigma = ss / fmax(sqrt(ss), (double)CLGAN_SN_EPS);
    for (size_t k = 0; k < (size_t)c->out * c->in; k++) Wsn[k] = W[k] / sigma;
    return sigma;
}

/* G [OUT,IN] and the forward's W_sn, u', v, sigma -> dW [OUT,IN] += (G - (sum G⊙W_sn) u' vᵀ) / sigma. */
static void ref_sn_backward(const sn_case *c, const double *G, const double *Wsn, const double *u2, const double *v,
                            double sigma, double *dW)
{
    double dot = 0;
    for (size_t k = 0; k < (size_t)c->out * c->in; k++) dot += G[k] * Wsn[k];
    for (int o = 0; o < c->out; o++)
        for (int i = 0; i < c->in; i++) {
            size_t k = (size_t)o * c->in + i;
            dW[k] += (G[k] - dot * u2[o] * v[i]) / sigma;
        }
}

/* y [N,OUT] = x [N,IN] · Wᵀ. */
static void ref_dense(const sn_case *c, const double *x, const double *W, double *y)
{
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->out; o++) {
            double acc = 0;
            for (int i = 0; i < c->in; i++) acc += x[(size_t)n * c->in + i] * W[(size_t)o * c->in + i];
            y[(size_t)n * c->out + o] = acc;
        }
}

/* The layer as a function of W for the finite differences: y = x · (W / sigma(W))ᵀ with
 * sigma(W) = u'ᵀ W v for the given u', v (fixed = 1), or from one power iteration from u
 * (fixed = 0). */
typedef struct fd_ctx { const sn_case *c; const double *x, *u, *u2, *v; int fixed; double *Wsn, *vt, *ut; } fd_ctx;
static void fd_layer(void *user, const double *W, double *y)
{
    fd_ctx *f = user;
    const sn_case *c = f->c;
    if (f->fixed) {
        double sigma = 0;
        for (int o = 0; o < c->out; o++)
            for (int i = 0; i < c->in; i++) sigma += f->u2[o] * W[(size_t)o * c->in + i] * f->v[i];
        for (size_t k = 0; k < (size_t)c->out * c->in; k++) f->Wsn[k] = W[k] / sigma;
    } else {
        ref_sn_forward(c, W, f->u, f->vt, f->ut, f->Wsn);
    }
    ref_dense(c, f->x, f->Wsn, y);
}

/* u [OUT] := the top left singular vector of W, by many power iterations in double. */
static void converge_u(const sn_case *c, const double *W, double *u, double *v, double *Wsn)
{
    for (int it = 0; it < 2000; it++) ref_sn_forward(c, W, u, v, u, Wsn);
}

/* Both finite-difference checks on the host reference. */
static void host_gradchecks(check_run *run, const sn_case *c, const char *fixed_name, const char *conv_name,
                            const double *W0, const double *u, const double *x, const double *dy, check_mem *mem)
{
    size_t nw = (size_t)c->out * c->in;
    double *W = check_doubles(mem, nw), *Wsn = check_doubles(mem, nw), *G = check_doubles(mem, nw);
    double *v = check_doubles(mem, (size_t)c->in), *u2 = check_doubles(mem, (size_t)c->out);
    double *uc = check_doubles(mem, (size_t)c->out), *analytic = check_doubles(mem, nw);
    fd_ctx f = {c, x, NULL, u2, v, 1, check_doubles(mem, nw), check_doubles(mem, (size_t)c->in),
                check_doubles(mem, (size_t)c->out)};
    const char *names[2] = {fixed_name, conv_name};
    for (int pass = 0; pass < 2; pass++) {
        if (!check_wanted(run, names[pass])) continue;
        double t0 = check_now();
        memcpy(W, W0, nw * sizeof *W);
        memcpy(uc, u, (size_t)c->out * sizeof *uc);
        if (pass == 1) converge_u(c, W, uc, v, Wsn);
        double sigma = ref_sn_forward(c, W, uc, v, u2, Wsn);
        for (size_t k = 0; k < nw; k++) G[k] = 0, analytic[k] = 0;
        for (int n = 0; n < c->n; n++) /* G = dyᵀ · x */
            for (int o = 0; o < c->out; o++)
                for (int i = 0; i < c->in; i++)
                    G[(size_t)o * c->in + i] += dy[(size_t)n * c->out + o] * x[(size_t)n * c->in + i];
        ref_sn_backward(c, G, Wsn, u2, v, sigma, analytic);
        f.fixed = pass == 0, f.u = uc;
        double err = check_fd_error(fd_layer, &f, W, nw, (size_t)c->n * c->out, dy, analytic, 1e-6);
        check_report(run, names[pass], err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }
}

/* Every float of a and b the same bits. */
static int same_bits(const float *a, const float *b, size_t n) { return !memcmp(a, b, n * sizeof *a); }

static void run_case(check_run *run, const sn_case *c, uint64_t seed)
{
    char fwd[96], fwd_u[96], infer[96], repeat[96], bwd[96], grad_fixed[96], grad_conv[96];
    snprintf(fwd, sizeof fwd, "spectral_norm.forward W_sn [%d,%d]", c->out, c->in);
    snprintf(fwd_u, sizeof fwd_u, "spectral_norm.forward u' sigma [%d,%d]", c->out, c->in);
    snprintf(infer, sizeof infer, "spectral_norm.inference keeps u [%d,%d]", c->out, c->in);
    snprintf(repeat, sizeof repeat, "spectral_norm.forward repeats bit for bit [%d,%d]", c->out, c->in);
    snprintf(bwd, sizeof bwd, "spectral_norm.backward dW [%d,%d]", c->out, c->in);
    snprintf(grad_fixed, sizeof grad_fixed, "spectral_norm.gradcheck W, u v fixed [%d,%d]", c->out, c->in);
    snprintf(grad_conv, sizeof grad_conv, "spectral_norm.gradcheck W, u converged [%d,%d]", c->out, c->in);
    if (!check_wanted(run, fwd) && !check_wanted(run, fwd_u) && !check_wanted(run, infer) &&
        !check_wanted(run, repeat) && !check_wanted(run, bwd) && !check_wanted(run, grad_fixed) &&
        !check_wanted(run, grad_conv))
        return;
    size_t nw = (size_t)c->out * c->in;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *W = check_doubles(&mem, nw), *u = check_doubles(&mem, (size_t)c->out);
    double *x = check_doubles(&mem, (size_t)c->n * c->in), *dy = check_doubles(&mem, (size_t)c->n * c->out);
    double *G = check_doubles(&mem, nw), *dw0 = check_doubles(&mem, nw);
    double *Wsn = check_doubles(&mem, nw), *v = check_doubles(&mem, (size_t)c->in);
    double *u2s = check_doubles(&mem, (size_t)c->out + 1), *want = check_doubles(&mem, nw);
    float *got = check_floats(&mem, nw + (size_t)c->out + 1), *again = check_floats(&mem, nw); /* got: also u', sigma */
    float *u_in = check_floats(&mem, (size_t)c->out), *u_got = check_floats(&mem, (size_t)c->out);
    check_fill(&rng, W, nw, -1, 1);
    check_fill(&rng, u, (size_t)c->out, -1, 1);
    ref_normalize(u, c->out); /* u is a unit vector, as the layer keeps it */
    check_fill(&rng, x, (size_t)c->n * c->in, -1, 1);
    check_fill(&rng, dy, (size_t)c->n * c->out, -1, 1);
    check_fill(&rng, G, nw, -1, 1);
    check_fill(&rng, dw0, nw, -0.5, 0.5); /* gradients accumulate onto these */
    host_gradchecks(run, c, grad_fixed, grad_conv, W, u, x, dy, &mem);
    for (int o = 0; o < c->out; o++) u_in[o] = (float)u[o];
    /* The host runs from the float u the device gets. */
    for (int o = 0; o < c->out; o++) u[o] = u_in[o];
    double sigma = ref_sn_forward(c, W, u, v, u2s, Wsn);
    u2s[c->out] = sigma; /* u' then sigma, compared in one go */

    clgan_ctx *ctx = run->ctx;
    clgan_tensor tw = {0}, tu = {0}, tdw = {0};
    clgan_sn_work work = {0};
    double t0 = check_now();
    clgan_status st;
    /* Inference first: W_sn from u, u left as it was; twice, the same bits. */
    if ((st = check_tensor(ctx, 1, 1, 1, (int)nw, W, &tw)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, c->out, u, &tu)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, (int)nw, dw0, &tdw)) != CLGAN_OK ||
        (st = clgan_sn_work_alloc(ctx, c->out, c->in, &work)) != CLGAN_OK ||
        (st = clgan_sn_forward(ctx, c->out, c->in, &tw, &tu, 0, &work)) != CLGAN_OK ||
        (st = check_download(ctx, &work.w, got)) != CLGAN_OK || (st = check_download(ctx, &tu, u_got)) != CLGAN_OK) {
        check_report_status(run, infer, st, t0);
        goto done;
    }
    if (check_wanted(run, infer)) {
        int kept = same_bits(u_got, u_in, (size_t)c->out);
        double err = check_max_error(got, Wsn, nw);
        check_report(run, infer, kept && err <= 1e-5, err, check_now() - t0,
                     !kept ? "an inference forward changed u" : err <= 1e-5 ? "" : "W_sn differs from the host's");
    }
    t0 = check_now();
    if ((st = clgan_sn_forward(ctx, c->out, c->in, &tw, &tu, 0, &work)) != CLGAN_OK ||
        (st = check_download(ctx, &work.w, again)) != CLGAN_OK) {
        check_report_status(run, repeat, st, t0);
        goto done;
    }
    if (check_wanted(run, repeat))
        check_report(run, repeat, same_bits(got, again, nw), 0, check_now() - t0,
                     same_bits(got, again, nw) ? "" : "a second forward from the same u gave other bits");
    /* Training: W_sn, and u := u'. */
    t0 = check_now();
    if ((st = clgan_sn_forward(ctx, c->out, c->in, &tw, &tu, 1, &work)) != CLGAN_OK ||
        (st = check_download(ctx, &work.w, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, Wsn, nw, 1e-5, t0);
    t0 = check_now();
    if ((st = check_download(ctx, &tu, got)) != CLGAN_OK ||
        (st = clgan_buffer_read(ctx, work.scal.mem, 0, sizeof(float), got + c->out)) != CLGAN_OK) {
        check_report_status(run, fwd_u, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd_u)) check_compare(run, fwd_u, got, u2s, (size_t)c->out + 1, 1e-5, t0);
    /* Backward from G, onto dw0. */
    t0 = check_now();
    memcpy(want, dw0, nw * sizeof *want);
    ref_sn_backward(c, G, Wsn, u2s, v, sigma, want);
    if ((st = check_upload(ctx, &work.dw, G)) != CLGAN_OK ||
        (st = clgan_sn_backward(ctx, c->out, c->in, &work, &tdw)) != CLGAN_OK ||
        (st = check_download(ctx, &tdw, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, want, nw, 1e-4, t0);
done:
    clgan_tensor_free(ctx, &tw);
    clgan_tensor_free(ctx, &tu);
    clgan_tensor_free(ctx, &tdw);
    clgan_sn_work_free(ctx, &work);
    check_mem_free(&mem);
}

/* A size mismatch is refused with a message, not run. */
static void check_refusal(check_run *run)
{
    const char *name = "spectral_norm.refuses bad shapes";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor w = {0}, u = {0};
    clgan_sn_work work = {0};
    clgan_status st = check_tensor(run->ctx, 1, 1, 1, 3 * 4, NULL, &w);
    if (st == CLGAN_OK) st = check_tensor(run->ctx, 1, 1, 1, 3, NULL, &u);
    if (st == CLGAN_OK) st = clgan_sn_work_alloc(run->ctx, 3, 4, &work);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
    } else {
        const check_refused_call bad[] = {
            {"forward, IN 5 with buffers for 4", clgan_sn_forward(run->ctx, 3, 5, &w, &u, 1, &work)},
            {"forward, OUT 2 with buffers for 3", clgan_sn_forward(run->ctx, 2, 4, &w, &u, 0, &work)},
            {"backward, dW of 12 floats as [4,3]", clgan_sn_backward(run->ctx, 4, 3, &work, &w)},
        };
        check_report_refused(run, name, bad, sizeof bad / sizeof bad[0], t0);
    }
    clgan_tensor_free(run->ctx, &w);
    clgan_tensor_free(run->ctx, &u);
    clgan_sn_work_free(run->ctx, &work);
}

void check_spectral_norm(check_run *run)
{
    /* A dense head (OUT 1), small matrices, and sizes past one work-group's 256 in
     * each reduction: IN (v), OUT (u'), OUT*IN (the backward's sum). */
    static const sn_case cases[] = {{3, 1, 1}, {2, 1, 300}, {4, 5, 7}, {2, 17, 33}, {2, 300, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 0x5EED + i);
    check_refusal(run);
}
