/* check_random.c — plain-C Philox4x32-10 (bit-exact reference of cl/random.cl),
 * known-answer tests from the Random123 distribution, bit-for-bit uniform fills,
 * normal fills (vs a host Box–Muller and statistically), Gaussian noise (x plus
 * the host Box–Muller normals), dropout forward / backward (exact) and keep
 * fraction, and draws at an element offset (each op's draw at first equals
 * that part of one draw from 0, bit for bit; far offsets against the host;
 * offsets past the sequence refused). */
#include "check.h"
#include "nn/random.h"

#include <stdio.h>
#include <string.h>

/* ---- reference generator (Salmon et al. 2011; Random123 philox4x32_R with R = 10) ---- */

static void philox4x32_10(const uint32_t ctr_in[4], const uint32_t key_in[2], uint32_t out[4])
{
    uint32_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
    uint32_t k0 = key_in[0], k1 = key_in[1];
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1, n3 = (uint32_t)p0;
        c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

/* Word i of the (seed, stream) sequence. */
static uint32_t ref_word(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint32_t ctr[4] = {(uint32_t)(i / 4), 0, (uint32_t)stream, (uint32_t)(stream >> 32)};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)}, out[4];
    philox4x32_10(ctr, key, out);
    return out[i % 4];
}

static float ref_uniform01(uint32_t w) { return (float)(w >> 8) * 5.9604644775390625e-8f; }

/* Reference fill_normal in double from the same words (pairs (0,1) and (2,3) of each block). */
static void ref_normal(uint64_t seed, uint64_t stream, double mean, double stddev, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t first = i & ~(size_t)1;
        double u1 = ((ref_word(seed, stream, first) >> 8) + 1.0) * 5.9604644775390625e-8;
        double u2 = (ref_word(seed, stream, first + 1) >> 8) * 5.9604644775390625e-8;
        double rad = sqrt(-2.0 * log(u1)), ang = 6.283185307179586 * u2;
        y[i] = mean + stddev * (i % 2 == 0 ? rad * cos(ang) : rad * sin(ang));
    }
}

/* Reference dropout in float, as the device computes it: out = keep ? in * (1/(1-p)) : 0. */
static void ref_dropout(float p, uint64_t seed, uint64_t stream, const float *in, float *out, size_t n)
{
    float scale = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) out[i] = ref_uniform01(ref_word(seed, stream, i)) >= p ? in[i] * scale : 0.0f;
}

/* Number of elements whose bits differ. */
static size_t bit_mismatches(const void *a, const void *b, size_t n, size_t elem)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (memcmp((const char *)a + i * elem, (const char *)b + i * elem, elem)) bad++;
    return bad;
}

static void report_exact(check_run *run, const char *name, size_t bad, size_t n, double t0)
{
    char msg[160] = "";
    if (bad) snprintf(msg, sizeof msg, "%zu of %zu elements differ bitwise from the host reference", bad, n);
    check_report(run, name, bad == 0, (double)bad, check_now() - t0, msg);
}

/* |value - want| <= tol, reported with the error. */
static void report_stat(check_run *run, const char *name, double value, double want, double tol, double t0)
{
    char msg[160] = "";
    double err = fabs(value - want);
    if (!(err <= tol)) snprintf(msg, sizeof msg, "got %.6g, want %.6g +- %.3g", value, want, tol);
    check_report(run, name, err <= tol, err, check_now() - t0, msg);
}

/* ---- known-answer tests: Random123 tests/kat_vectors, philox4x32 10 ---- */
static const struct { uint32_t ctr[4], key[2], out[4]; } kat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu},
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u},
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};
#define KAT_COUNT (sizeof kat / sizeof kat[0])

static void check_kat(check_run *run)
{
    const char *host_name = "random.philox.kat host";
    if (check_wanted(run, host_name)) {
        double t0 = check_now();
        size_t bad = 0;
        for (size_t v = 0; v < KAT_COUNT; v++) {
            uint32_t out[4];
            philox4x32_10(kat[v].ctr, kat[v].key, out);
            bad += bit_mismatches(out, kat[v].out, 4, sizeof(uint32_t));
        }
        report_exact(run, host_name, bad, 4 * KAT_COUNT, t0);
    }
    const char *dev_name = "random.philox.kat device";
    if (!check_wanted(run, dev_name)) return;
    /* Device: each vector as block 0 of philox_blocks, plus 3 following blocks vs the host generator
     * (the counter's first word wraps for the all-ones vector). */
    double t0 = check_now();
    cl_mem out = NULL;
    clgan_status st = clgan_buffer_create(run->ctx, 16 * sizeof(cl_uint), &out);
    size_t bad = 0;
    for (size_t v = 0; v < KAT_COUNT && st == CLGAN_OK; v++) {
        uint32_t got[16], want[16];
        if ((st = clgan_philox_blocks(run->ctx, kat[v].ctr, kat[v].key, 4, out)) != CLGAN_OK ||
            (st = clgan_buffer_read(run->ctx, out, 0, sizeof got, got)) != CLGAN_OK)
            break;
        memcpy(want, kat[v].out, sizeof kat[v].out);
        for (uint32_t b = 1; b < 4; b++) {
            uint32_t ctr[4] = {kat[v].ctr[0] + b, kat[v].ctr[1], kat[v].ctr[2], kat[v].ctr[3]};
            philox4x32_10(ctr, kat[v].key, want + 4 * b);
        }
        bad += bit_mismatches(got, want, 16, sizeof(uint32_t));
    }
    if (st != CLGAN_OK) check_report_status(run, dev_name, st, t0);
    else report_exact(run, dev_name, bad, 16 * KAT_COUNT, t0);
    clgan_buffer_release(run->ctx, out);
}

/* Uniform fills: exact against the host generator, then a scaled range. */
static void check_uniform_case(check_run *run, size_t n, uint64_t seed, uint64_t stream)
{
    char exact[128], range[128];
    snprintf(exact, sizeof exact, "random.uniform.exact [%zu] seed %llx stream %llx", n, (unsigned long long)seed,
             (unsigned long long)stream);
    snprintf(range, sizeof range, "random.uniform.range [%zu] [-2,3) seed %llx stream %llx", n,
             (unsigned long long)seed, (unsigned long long)stream);
    if (!check_wanted(run, exact) && !check_wanted(run, range)) return;
    check_mem mem = {0};
    float *got = check_floats(&mem, n), *want = check_floats(&mem, n);
    double *wantd = check_doubles(&mem, n);
    for (size_t i = 0; i < n; i++) want[i] = ref_uniform01(ref_word(seed, stream, i));
    clgan_tensor y = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, 1, 1, 1, (int)n, NULL, &y)) != CLGAN_OK ||
        (st = clgan_random_uniform(run->ctx, seed, stream, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, got)) != CLGAN_OK) {
        check_report_status(run, exact, st, t0);
        goto done;
    }
    if (check_wanted(run, exact)) report_exact(run, exact, bit_mismatches(got, want, n, sizeof(float)), n, t0);
    t0 = check_now();
    if ((st = clgan_random_uniform(run->ctx, seed, stream, 0, -2.0f, 3.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, got)) != CLGAN_OK) {
        check_report_status(run, range, st, t0);
        goto done;
    }
    if (check_wanted(run, range)) {
        int inside = 1;
        for (size_t i = 0; i < n; i++) {
            wantd[i] = -2.0 + 5.0 * want[i];
            if (!(got[i] >= -2.0f && got[i] < 3.0f)) inside = 0;
        }
        if (inside) check_compare(run, range, got, wantd, n, 1e-6, t0);
        else check_report(run, range, 0, INFINITY, check_now() - t0, "a value lies outside [-2, 3)");
    }
done:
    clgan_tensor_free(run->ctx, &y);
    check_mem_free(&mem);
}

/* Streams: the same (seed, stream) repeats exactly; another stream or seed gives other numbers;
 * the uniform mean is 1/2 (std of the mean 1/sqrt(12 n), tolerance 5 of those). */
static void check_streams(check_run *run)
{
    const size_t n = 4096;
    const char *name = "random.uniform.streams [4096]", *stat = "random.uniform.stats mean [4096]";
    if (!check_wanted(run, name) && !check_wanted(run, stat)) return;
    check_mem mem = {0};
    float *a = check_floats(&mem, n), *b = check_floats(&mem, n), *c = check_floats(&mem, n),
          *d = check_floats(&mem, n);
    clgan_tensor y = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, 4, 1, 32, 32, NULL, &y)) != CLGAN_OK ||
        (st = clgan_random_uniform(run->ctx, 42, 7, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, a)) != CLGAN_OK ||
        (st = clgan_random_uniform(run->ctx, 42, 8, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, b)) != CLGAN_OK ||
        (st = clgan_random_uniform(run->ctx, 43, 7, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, c)) != CLGAN_OK ||
        (st = clgan_random_uniform(run->ctx, 42, 7, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, d)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    if (check_wanted(run, name)) {
        size_t repeat_bad = bit_mismatches(a, d, n, sizeof(float));
        size_t same_stream = n - bit_mismatches(a, b, n, sizeof(float));
        size_t same_seed = n - bit_mismatches(a, c, n, sizeof(float));
        /* Two independent 24-bit uniforms agree with probability 2^-24: expect none of 4096. */
        int ok = repeat_bad == 0 && same_stream <= 2 && same_seed <= 2;
        char msg[200] = "";
        if (!ok)
            snprintf(msg, sizeof msg, "repeat differs in %zu; stream+1 agrees in %zu, seed+1 agrees in %zu of %zu",
                     repeat_bad, same_stream, same_seed, n);
        check_report(run, name, ok, (double)(repeat_bad + same_stream + same_seed), check_now() - t0, msg);
    }
    if (check_wanted(run, stat)) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += a[i];
        report_stat(run, stat, s / n, 0.5, 5.0 / sqrt(12.0 * n), t0);
    }
done:
    clgan_tensor_free(run->ctx, &y);
    check_mem_free(&mem);
}

/* Normal fills: against the host Box–Muller (tolerance for float log/sin/cos), and statistics. */
static void check_normal(check_run *run)
{
    const size_t n = 16384;
    const char *fwd = "random.normal.forward [1001] mean 0.5 std 2";
    const char *smean = "random.normal.stats mean [16384]", *sstd = "random.normal.stats std [16384]";
    const char *sin1 = "random.normal.stats P(|z|<1) [16384]";
    check_mem mem = {0};
    clgan_tensor y = {0};
    clgan_status st;
    if (check_wanted(run, fwd)) {
        const size_t m = 1001;
        float *got = check_floats(&mem, m);
        double *want = check_doubles(&mem, m);
        ref_normal(0x0123456789abcdefull, 0xfedcba9876543210ull, 0.5, 2.0, want, m);
        double t0 = check_now();
        if ((st = check_tensor(run->ctx, 7, 11, 13, 1, NULL, &y)) != CLGAN_OK ||
            (st = clgan_random_normal(run->ctx, 0x0123456789abcdefull, 0xfedcba9876543210ull, 0, 0.5f, 2.0f, &y)) !=
                CLGAN_OK ||
            (st = check_download(run->ctx, &y, got)) != CLGAN_OK)
            check_report_status(run, fwd, st, t0);
        else
            check_compare(run, fwd, got, want, m, 1e-4, t0);
        clgan_tensor_free(run->ctx, &y);
    }
    if (!check_wanted(run, smean) && !check_wanted(run, sstd) && !check_wanted(run, sin1)) goto done;
    float *z = check_floats(&mem, n);
    double t0 = check_now();
    if ((st = check_tensor(run->ctx, 16, 1, 32, 32, NULL, &y)) != CLGAN_OK ||
        (st = clgan_random_normal(run->ctx, 2024, 1, 0, 0.0f, 1.0f, &y)) != CLGAN_OK ||
        (st = check_download(run->ctx, &y, z)) != CLGAN_OK) {
        check_report_status(run, smean, st, t0);
        goto done;
    }
    double s = 0, q = 0, inside = 0;
    for (size_t i = 0; i < n; i++) {
        s += z[i];
        if (fabs(z[i]) < 1.0f) inside++;
    }
    double mean = s / n;
    for (size_t i = 0; i < n; i++) q += (z[i] - mean) * (z[i] - mean);
    double sd = sqrt(q / (n - 1));
    /* Tolerances: 5 standard errors. mean: 1/sqrt(n); sample std: ~1/sqrt(2n);
     * P(|z|<1) = 0.682689: sqrt(p(1-p)/n). */
    if (check_wanted(run, smean)) report_stat(run, smean, mean, 0.0, 5.0 / sqrt((double)n), t0);
    if (check_wanted(run, sstd)) report_stat(run, sstd, sd, 1.0, 5.0 / sqrt(2.0 * n), t0);
    if (check_wanted(run, sin1))
        report_stat(run, sin1, inside / n, 0.682689492, 5.0 * sqrt(0.682689492 * 0.317310508 / n), t0);
done:
    clgan_tensor_free(run->ctx, &y);
    check_mem_free(&mem);
}

/* Gaussian noise y = x + stddev * z against x + stddev * (the host Box–Muller normals of (seed, stream)). */
static void check_noise_case(check_run *run, float stddev, int n, int c, int h, int w, uint64_t seed, uint64_t stream)
{
    char name[128];
    snprintf(name, sizeof name, "random.gaussian_noise.forward std %.2f [%d,%d,%d,%d]", stddev, n, c, h, w);
    if (!check_wanted(run, name)) return;
    size_t count = (size_t)n * c * h * w;
    check_mem mem = {0};
    check_rng rng = {seed ^ 0x0153};
    float *x = check_floats(&mem, count), *got = check_floats(&mem, count);
    double *want = check_doubles(&mem, count);
    for (size_t i = 0; i < count; i++) x[i] = (float)check_uniform(&rng, -2, 2);
    ref_normal(seed, stream, 0.0, stddev, want, count);
    for (size_t i = 0; i < count; i++) want[i] += x[i];
    clgan_tensor tx = {0}, ty = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, n, c, h, w, NULL, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, c, h, w, NULL, &ty)) != CLGAN_OK ||
        (st = clgan_tensor_upload(run->ctx, &tx, x)) != CLGAN_OK ||
        (st = clgan_gaussian_noise_forward(run->ctx, stddev, seed, stream, 0, &tx, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got, want, count, 1e-4, t0);
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &ty);
    check_mem_free(&mem);
}

/* Dropout forward/backward bit-exact vs host; keep fraction ~ 1-p (5 standard errors). */
static void check_dropout_case(check_run *run, float p, int n, int c, int h, int w, uint64_t seed, uint64_t stream)
{
    char fwd[128], bwd[128], frac[128];
    snprintf(fwd, sizeof fwd, "random.dropout.forward p %.2f [%d,%d,%d,%d]", p, n, c, h, w);
    snprintf(bwd, sizeof bwd, "random.dropout.backward p %.2f [%d,%d,%d,%d]", p, n, c, h, w);
    snprintf(frac, sizeof frac, "random.dropout.keep_fraction p %.2f [%d,%d,%d,%d]", p, n, c, h, w);
    if (!check_wanted(run, fwd) && !check_wanted(run, bwd) && !check_wanted(run, frac))
        return;
    size_t count = (size_t)n * c * h * w;
    check_mem mem = {0};
    check_rng rng = {seed ^ 0x5eed};
    float *x = check_floats(&mem, count), *dy = check_floats(&mem, count), *got = check_floats(&mem, count);
    float *want = check_floats(&mem, count);
    for (size_t i = 0; i < count; i++) {
        x[i] = (float)check_uniform(&rng, -2, 2);
        dy[i] = (float)check_uniform(&rng, -1, 1);
        if (x[i] == 0.0f) x[i] = 0.5f; /* a zero input would hide a dropped element */
    }
    clgan_tensor tx = {0}, ty = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, n, c, h, w, NULL, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, c, h, w, NULL, &ty)) != CLGAN_OK ||
        (st = clgan_tensor_upload(run->ctx, &tx, x)) != CLGAN_OK ||
        (st = clgan_dropout_forward(run->ctx, p, seed, stream, 0, &tx, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    ref_dropout(p, seed, stream, x, want, count);
    if (check_wanted(run, fwd)) report_exact(run, fwd, bit_mismatches(got, want, count, sizeof(float)), count, t0);
    if (check_wanted(run, frac)) {
        size_t kept = 0;
        for (size_t i = 0; i < count; i++) kept += got[i] != 0.0f;
        report_stat(run, frac, (double)kept / count, 1.0 - p, 5.0 * sqrt(p * (1.0 - p) / count) + 1e-12, t0);
    }
    t0 = check_now();
    /* Backward into the x buffer (dy uploaded there), recomputing the mask from (seed, stream). */
    if ((st = clgan_tensor_upload(run->ctx, &tx, dy)) != CLGAN_OK ||
        (st = clgan_dropout_backward(run->ctx, p, seed, stream, 0, &tx, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    ref_dropout(p, seed, stream, dy, want, count);
    if (check_wanted(run, bwd)) report_exact(run, bwd, bit_mismatches(got, want, count, sizeof(float)), count, t0);
done:
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &ty);
    check_mem_free(&mem);
}

/* p outside [0, 1) is refused with CLGAN_ERR_INVALID_ARG. */
static void check_dropout_invalid(check_run *run)
{
    const char *name = "random.dropout.invalid p 1 and -0.1";
    if (!check_wanted(run, name)) return;
    clgan_tensor t = {0};
    double t0 = check_now();
    clgan_status st = check_tensor(run->ctx, 1, 1, 1, 4, NULL, &t);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        return;
    }
    const check_refused_call cases[] = {
        {"forward p 1", clgan_dropout_forward(run->ctx, 1.0f, 1, 1, 0, &t, &t)},
        {"backward p -0.1", clgan_dropout_backward(run->ctx, -0.1f, 1, 1, 0, &t, &t)},
    };
    check_report_refused(run, name, cases, sizeof cases / sizeof cases[0], t0);
    clgan_tensor_free(run->ctx, &t);
}

/* ---- element offsets: a rank's share of a batch draws its part of the one-process sequence ---- */

typedef enum { OFFSET_UNIFORM, OFFSET_NORMAL, OFFSET_NOISE, OFFSET_DROPOUT_FORWARD, OFFSET_DROPOUT_BACKWARD } offset_op;
#define OFFSET_OPS 5
static const char *const offset_op_name[OFFSET_OPS] = {"uniform", "normal", "gaussian_noise", "dropout.forward",
                                                       "dropout.backward"};

/* One draw of op at element offset first into y; x is the input of noise and dropout. */
static clgan_status offset_draw(clgan_ctx *ctx, offset_op op, uint64_t first, const clgan_tensor *x, clgan_tensor *y)
{
    const uint64_t seed = 0x5eed0ff5e7ull, stream = 0x100000011ull;
    switch (op) {
    case OFFSET_UNIFORM: return clgan_random_uniform(ctx, seed, stream, first, -1.0f, 2.0f, y);
    case OFFSET_NORMAL: return clgan_random_normal(ctx, seed, stream, first, 0.5f, 2.0f, y);
    case OFFSET_NOISE: return clgan_gaussian_noise_forward(ctx, 0.7f, seed, stream, first, x, y);
    case OFFSET_DROPOUT_FORWARD: return clgan_dropout_forward(ctx, 0.4f, seed, stream, first, x, y);
    case OFFSET_DROPOUT_BACKWARD: break;
    }
    return clgan_dropout_backward(ctx, 0.4f, seed, stream, first, x, y);
}

/* in [count] (host) -> out [count] (host): op drawn at offset first on the device. */
static clgan_status offset_run(clgan_ctx *ctx, offset_op op, uint64_t first, const float *in, size_t count, float *out)
{
    clgan_tensor tx = {0}, ty = {0};
    clgan_status st;
    if ((st = check_tensor(ctx, 1, 1, 1, (int)count, NULL, &tx)) == CLGAN_OK &&
        (st = check_tensor(ctx, 1, 1, 1, (int)count, NULL, &ty)) == CLGAN_OK &&
        (st = clgan_tensor_upload(ctx, &tx, in)) == CLGAN_OK &&
        (st = offset_draw(ctx, op, first, &tx, &ty)) == CLGAN_OK)
        st = check_download(ctx, &ty, out);
    clgan_tensor_free(ctx, &tx);
    clgan_tensor_free(ctx, &ty);
    return st;
}

/* A draw of count C at offset first equals elements [first, first + C) of one draw of first + C from 0,
 * bit for bit: offsets inside a block and inside a Box–Muller pair, counts that end inside a block. */
static void check_offset(check_run *run, offset_op op)
{
    static const uint64_t firsts[] = {0, 1, 2, 3, 5, 7, 64};
    static const size_t counts[] = {1, 3, 13, 1001};
    const size_t most = 64 + 1001;
    char name[128];
    snprintf(name, sizeof name, "random.%s.offset first {0,1,2,3,5,7,64} x [1,3,13,1001] vs one draw",
             offset_op_name[op]);
    if (!check_wanted(run, name)) return;
    check_mem mem = {0};
    check_rng rng = {0x0ff5e7u + (uint64_t)op};
    float *x = check_floats(&mem, most), *whole = check_floats(&mem, most), *part = check_floats(&mem, most);
    for (size_t i = 0; i < most; i++) {
        x[i] = (float)check_uniform(&rng, -2, 2);
        if (x[i] == 0.0f) x[i] = 0.5f; /* a zero input would hide a dropped element */
    }
    double t0 = check_now();
    clgan_status st = CLGAN_OK;
    size_t bad = 0;
    char msg[160] = "";
    for (size_t f = 0; f < sizeof firsts / sizeof firsts[0] && st == CLGAN_OK; f++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0] && st == CLGAN_OK; c++) {
            size_t first = (size_t)firsts[f], count = counts[c];
            if ((st = offset_run(run->ctx, op, 0, x, first + count, whole)) != CLGAN_OK ||
                (st = offset_run(run->ctx, op, first, x + first, count, part)) != CLGAN_OK)
                break;
            size_t differ = bit_mismatches(part, whole + first, count, sizeof(float));
            if (differ && !msg[0])
                snprintf(msg, sizeof msg, "first %zu [%zu]: %zu of %zu elements differ from elements %zu.. of one draw",
                         first, count, differ, count, first);
            bad += differ;
        }
    if (st != CLGAN_OK) check_report_status(run, name, st, t0);
    else check_report(run, name, bad == 0, (double)bad, check_now() - t0, msg);
    check_mem_free(&mem);
}

/* Offsets past 2^32 (the block's high bits) up to the sequence's last element: uniforms against the host. */
static void check_offset_far(check_run *run)
{
    static const uint64_t firsts[] = {((uint64_t)5 << 30) + 3, ((uint64_t)1 << 34) - 13};
    const size_t count = 13;
    const uint64_t seed = 77, stream = 0xfedcba9876543210ull;
    const char *name = "random.uniform.offset far first 5*2^30+3, 2^34-13 [13] vs host";
    if (!check_wanted(run, name)) return;
    float got[13], want[13];
    size_t bad = 0;
    double t0 = check_now();
    clgan_tensor y = {0};
    clgan_status st = check_tensor(run->ctx, 1, 1, 1, (int)count, NULL, &y);
    for (size_t f = 0; f < sizeof firsts / sizeof firsts[0] && st == CLGAN_OK; f++) {
        if ((st = clgan_random_uniform(run->ctx, seed, stream, firsts[f], 0.0f, 1.0f, &y)) != CLGAN_OK ||
            (st = check_download(run->ctx, &y, got)) != CLGAN_OK)
            break;
        for (size_t i = 0; i < count; i++) want[i] = ref_uniform01(ref_word(seed, stream, firsts[f] + i));
        bad += bit_mismatches(got, want, count, sizeof(float));
    }
    if (st != CLGAN_OK) check_report_status(run, name, st, t0);
    else report_exact(run, name, bad, count * 2, t0);
    clgan_tensor_free(run->ctx, &y);
}

/* A draw that would run past the sequence's 2^34 elements is refused, by every op. */
static void check_offset_invalid(check_run *run)
{
    const char *name = "random.offset.invalid past 2^34";
    if (!check_wanted(run, name)) return;
    const uint64_t past = ((uint64_t)1 << 34) - 12; /* 13 elements from here need element 2^34 */
    clgan_tensor t = {0};
    double t0 = check_now();
    clgan_status st = check_tensor(run->ctx, 1, 1, 1, 13, NULL, &t);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        return;
    }
    check_refused_call cases[OFFSET_OPS];
    for (int op = 0; op < OFFSET_OPS; op++)
        cases[op] = (check_refused_call){offset_op_name[op], offset_draw(run->ctx, (offset_op)op, past, &t, &t)};
    check_report_refused(run, name, cases, OFFSET_OPS, t0);
    clgan_tensor_free(run->ctx, &t);
}

void check_random(check_run *run)
{
    check_kat(run);
    check_uniform_case(run, 1, 0, 0);
    check_uniform_case(run, 1001, 0x0123456789abcdefull, 0xfedcba9876543210ull);
    check_uniform_case(run, 4099, 0xffffffffffffffffull, 3);
    check_streams(run);
    check_normal(run);
    check_dropout_case(run, 0.5f, 2, 3, 5, 7, 99, 1);
    check_dropout_case(run, 0.0f, 1, 1, 1, 5, 99, 2);
    check_dropout_case(run, 0.3f, 4, 4, 32, 32, 0xabcdef0123ull, 0x100000005ull);
    check_dropout_invalid(run);
    check_noise_case(run, 0.5f, 2, 3, 5, 7, 99, 3);
    check_noise_case(run, 0.3f, 1, 1, 28, 28, 0xabcdef0123ull, 0x100000006ull);
    for (int op = 0; op < OFFSET_OPS; op++) check_offset(run, (offset_op)op);
    check_offset_far(run);
    check_offset_invalid(run);
}
