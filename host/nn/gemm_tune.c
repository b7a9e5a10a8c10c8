/* gemm_tune.c — the search over CLBlast's GEMM parameters on recorded
 * shapes (see gemm_tune.h for the method). */
#include "gemm_tune.h"

#include "core/clock.h"

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/init.h"

#define MAX_CANDIDATES 400
#define CHECK_SAMPLES 8192 /* result elements compared against the defaults' per shape */
#define FORCE_DIRECT ((size_t)1 << 20) /* a switch point no shape reaches */

enum { DIRECT = 0, INDIRECT = 1 };
static const char *const family_name[2] = {"XgemmDirect", "Xgemm"};
static const char *const direct_names[] = {"WGD", "MDIMCD", "NDIMCD", "MDIMAD", "NDIMBD",
                                           "KWID", "VWMD", "VWND", "PADA", "PADB"};
static const char *const indirect_names[] = {"GEMMK", "MWG", "NWG", "KWG", "MDIMC", "NDIMC", "MDIMA", "NDIMB",
                                             "KWI", "VWM", "VWN", "STRM", "STRN", "SA", "SB", "KREG"};
#define DIRECT_PARAMS 10
#define INDIRECT_PARAMS 16

typedef struct candidate {
    int family;
    size_t v[INDIRECT_PARAMS];
    int is_default; /* CLBlast's own parameters: no override */
    int complete;   /* timed on every shape */
    double total;   /* weighted ms over the shapes timed */
    double *ms;     /* [n_shapes], per shape (best of reps) */
} candidate;

typedef struct tuner {
    clgan_ctx *ctx;
    const clgan_gemm_shape *shapes;
    int n;
    cl_mem a, b, c;
    float **ref;         /* [n][CHECK_SAMPLES] the defaults' results, sampled */
    float *probe;        /* host scratch for reading results */
    size_t probe_cap;
    int reps;
    double t0, budget;
    clgan_tune_options opt;
    clgan_tune_progress prog;
} tuner;

clgan_tune_options clgan_tune_default_options(void)
{
    clgan_tune_options o;
    memset(&o, 0, sizeof o);
    o.budget_s = 840;
    o.reps = 2;
    o.seed = 1;
    return o;
}

/* ---- the parameter spaces --------------------------------------------------- */

static int divides(size_t a, size_t b) { return a && b % a == 0; }

typedef struct limits {
    size_t max_wg, local_bytes;
} limits;

/* XgemmDirect: v = WGD MDIMCD NDIMCD MDIMAD NDIMBD KWID VWMD VWND PADA PADB.
 * The constraints of CLBlast's direct kernel (xgemm_direct tuner). */
/* Every kernel is compiled for the device before it can be timed, and a
 * work-item tile of hundreds of accumulators compiles for minutes on CPU
 * drivers (LLVM spills and schedules it) while running no faster: the search
 * keeps a work-item's tile at most MAX_ITEM_TILE outputs. */
#define MAX_ITEM_TILE 64

static int direct_valid(const size_t *v, const limits *L)
{
    size_t wgd = v[0], mc = v[1], nc = v[2], ma = v[3], nb = v[4], kw = v[5], vm = v[6], vn = v[7];
    if (mc * nc > L->max_wg) return 0;
    if (!mc || !nc || (wgd / mc) * (wgd / nc) > MAX_ITEM_TILE) return 0;
    if (!divides(kw, wgd) || !divides(mc * vm, wgd) || !divides(nc * vn, wgd) || !divides(ma * vm, wgd) ||
        !divides(nb * vn, wgd))
        return 0;
    if (!divides(ma, mc * nc) || !divides(nb, mc * nc)) return 0;
    if (!divides(mc * nc / ma, wgd) || !divides(mc * nc / nb, wgd)) return 0;
    size_t local = (wgd * (wgd + v[8]) + wgd * (wgd + v[9])) * sizeof(float);
    return local <= L->local_bytes;
}

/* Xgemm (GEMMK 0): v = GEMMK MWG NWG KWG MDIMC NDIMC MDIMA NDIMB KWI VWM VWN STRM STRN SA SB KREG. */
static int indirect_valid(const size_t *v, const limits *L)
{
    size_t mwg = v[1], nwg = v[2], kwg = v[3], mc = v[4], nc = v[5], ma = v[6], nb = v[7], kwi = v[8], vm = v[9],
           vn = v[10], sa = v[13], sb = v[14];
    if (v[0] != 0 || v[15] != 1) return 0;
    if (mc * nc > L->max_wg) return 0;
    if (!mc || !nc || (mwg / mc) * (nwg / nc) > MAX_ITEM_TILE) return 0;
    if (!divides(kwi, kwg) || !divides(mc * vm, mwg) || !divides(nc * vn, nwg) || !divides(ma * vm, mwg) ||
        !divides(nb * vn, nwg))
        return 0;
    if (!divides(ma, mc * nc) || !divides(nb, mc * nc)) return 0;
    if (!divides(mc * nc / ma, kwg) || !divides(mc * nc / nb, kwg)) return 0;
    if ((!sa && ma != mc) || (!sb && nb != nc)) return 0; /* without local-memory caching the loads follow the threads */
    size_t local = (sa * kwg * mwg + sb * kwg * nwg) * sizeof(float);
    return local <= L->local_bytes;
}

static size_t pick(clgan_rng *r, const size_t *choices, int n) { return choices[clgan_rng_next(r) % (uint64_t)n]; }

static void random_direct(clgan_rng *r, size_t vw, size_t *v)
{
    static const size_t wgd[] = {8, 16, 32, 64, 128}, dim[] = {8, 16, 32}, kwid[] = {2, 4, 8},
                        pad[] = {0, 1};
    size_t vec[5] = {1, 2, 4, 8, 16};
    int nvec = 1;
    while (nvec < 5 && vec[nvec] <= vw) nvec++;
    v[0] = pick(r, wgd, 5), v[1] = pick(r, dim, 3), v[2] = pick(r, dim, 3), v[3] = pick(r, dim, 3);
    v[4] = pick(r, dim, 3), v[5] = pick(r, kwid, 3), v[6] = pick(r, vec, nvec), v[7] = pick(r, vec, nvec);
    v[8] = pick(r, pad, 2), v[9] = pick(r, pad, 2);
}

static void random_indirect(clgan_rng *r, size_t vw, size_t *v)
{
    static const size_t wg[] = {16, 32, 64, 128}, kwg[] = {16, 32}, dim[] = {8, 16, 32}, kwi[] = {2, 8},
                        bit[] = {0, 1};
    size_t vec[5] = {1, 2, 4, 8, 16};
    int nvec = 1;
    while (nvec < 5 && vec[nvec] <= vw) nvec++;
    v[0] = 0, v[1] = pick(r, wg, 4), v[2] = pick(r, wg, 4), v[3] = pick(r, kwg, 2), v[4] = pick(r, dim, 3);
    v[5] = pick(r, dim, 3), v[6] = pick(r, dim, 3), v[7] = pick(r, dim, 3), v[8] = pick(r, kwi, 2);
    v[9] = pick(r, vec, nvec), v[10] = pick(r, vec, nvec), v[11] = pick(r, bit, 2), v[12] = pick(r, bit, 2);
    v[13] = pick(r, bit, 2), v[14] = pick(r, bit, 2), v[15] = 1;
    if (!v[13]) v[6] = v[4];
    if (!v[14]) v[7] = v[5];
}

/* Sets tried before the random ones: shapes of tile that suit CPU drivers
 * (small work-groups, each item a strip of outputs) and GPUs (wide
 * work-groups, local-memory tiles). They are starting points, not answers:
 * every one is timed like the rest. */
static const size_t seed_direct[][DIRECT_PARAMS] = { /* CPU-style first, GPU-style last */
    {64, 8, 8, 16, 16, 2, 1, 1, 0, 0}, {32, 8, 8, 8, 8, 2, 4, 4, 0, 0},     {16, 8, 8, 8, 8, 2, 2, 2, 0, 0},
    {32, 8, 8, 8, 8, 2, 1, 1, 0, 0},   {64, 8, 8, 8, 8, 8, 2, 2, 0, 0},     {64, 8, 8, 8, 8, 2, 8, 8, 0, 0},
    {32, 16, 16, 16, 16, 16, 2, 2, 1, 1}, {64, 16, 16, 16, 16, 8, 2, 2, 1, 1},
};
static const size_t seed_indirect[][INDIRECT_PARAMS] = { /* CPU-style first, GPU-style last */
    {0, 64, 64, 32, 8, 8, 8, 8, 2, 4, 4, 0, 0, 1, 1, 1},    {0, 32, 32, 32, 8, 8, 8, 8, 2, 4, 4, 0, 0, 1, 1, 1},
    {0, 64, 64, 32, 8, 8, 8, 8, 2, 8, 8, 0, 0, 1, 1, 1},    {0, 32, 64, 32, 8, 8, 8, 8, 2, 4, 8, 0, 0, 1, 1, 1},
    {0, 64, 128, 32, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 1},   {0, 64, 64, 16, 16, 16, 16, 16, 2, 2, 2, 0, 0, 1, 1, 1},
    {0, 128, 128, 32, 16, 16, 16, 16, 2, 4, 4, 1, 1, 1, 1, 1},
};

/* ---- timing ------------------------------------------------------------------ */

static clgan_status override_family(clgan_ctx *ctx, int family, const size_t *v)
{
    clgan_tuning_mark_overridden(ctx->device);
    const char *const *names = family == DIRECT ? direct_names : indirect_names;
    int count = family == DIRECT ? DIRECT_PARAMS : INDIRECT_PARAMS;
    CLBlastStatusCode s = CLBlastOverrideParameters(ctx->device, family_name[family], CLBlastPrecisionSingle,
                                                    (size_t)count, (const char **)names, v);
    if (s != CLBlastSuccess)
        return clgan_fail(CLGAN_ERR_CLBLAST, "CLBlastOverrideParameters(%s) failed: %s (%d)", family_name[family],
                          clgan_clblast_status_name(s), (int)s);
    return CLGAN_OK;
}

static clgan_status override_switch(clgan_ctx *ctx, size_t min_indirect)
{
    clgan_tuning_mark_overridden(ctx->device);
    const char *name = "XGEMM_MIN_INDIRECT_SIZE";
    CLBlastStatusCode s =
        CLBlastOverrideParameters(ctx->device, "GemmRoutine", CLBlastPrecisionSingle, 1, &name, &min_indirect);
    if (s != CLBlastSuccess)
        return clgan_fail(CLGAN_ERR_CLBLAST, "CLBlastOverrideParameters(GemmRoutine) failed: %s (%d)",
                          clgan_clblast_status_name(s), (int)s);
    return CLGAN_OK;
}

static clgan_status run_once(tuner *t, const clgan_gemm_shape *s)
{
    size_t lda = s->trans_a ? s->m : s->k, ldb = s->trans_b ? s->k : s->n;
    return clgan_gemm(t->ctx, s->trans_a, s->trans_b, s->m, s->n, s->k, 1.0f, t->a, 0, lda, t->b, 0, ldb, 0.0f, t->c,
                      0, s->n);
}

/* The j-th checked element of a C of `total` elements: all of them when C is
 * small, else a scatter (a multiplicative hash, so no row, column or edge
 * tile is systematically missed) that always includes the last element. */
static size_t sample_at(size_t j, size_t count, size_t total)
{
    if (count == total) return j;
    if (j == count - 1) return total - 1;
    return (size_t)(((uint64_t)j * 2654435761u + 12345u) % total);
}

/* Compare (or, with store set, record) a sample of C against the defaults'. */
static clgan_status check_result(tuner *t, int i, int store, int *ok)
{
    const clgan_gemm_shape *s = &t->shapes[i];
    size_t total = s->m * s->n;
    size_t count = total < CHECK_SAMPLES ? total : CHECK_SAMPLES;
    *ok = 1;
    if (total > t->probe_cap) {
        float *p = realloc(t->probe, total * sizeof *p);
        if (!p) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory checking GEMM results");
        t->probe = p, t->probe_cap = total;
    }
    TRY(clgan_buffer_read(t->ctx, t->c, 0, total * sizeof(float), t->probe));
    if (store) {
        for (size_t j = 0; j < count; j++) t->ref[i][j] = t->probe[sample_at(j, count, total)];
        return CLGAN_OK;
    }
    double scale = 0;
    for (size_t j = 0; j < count; j++) scale = fmax(scale, fabs(t->ref[i][j]));
    for (size_t j = 0; j < count; j++) {
        double d = fabs((double)t->probe[sample_at(j, count, total)] - t->ref[i][j]);
        if (!(d <= 1e-3 * (scale + 1e-6))) *ok = 0; /* NaN fails too */
    }
    return CLGAN_OK;
}

/* Best-of-reps milliseconds of shape i under whatever is installed; the
 * first call compiles and is not timed. */
static clgan_status time_shape(tuner *t, int i, int check, int store, int *ok, double *ms)
{
    const clgan_gemm_shape *s = &t->shapes[i];
    if (check || store) { /* NaN first: a kernel that leaves outputs unwritten cannot pass */
        float nan = NAN;
        CL_TRY(clEnqueueFillBuffer(t->ctx->queue, t->c, &nan, sizeof nan, 0, s->m * s->n * sizeof(float), 0, NULL,
                                   NULL));
    }
    TRY(run_once(t, s));
    TRY(clgan_ctx_finish(t->ctx));
    *ok = 1;
    if (check || store) TRY(check_result(t, i, store, ok));
    double best = INFINITY;
    for (int r = 0; r < t->reps; r++) {
        double t0 = clgan_now_seconds();
        TRY(run_once(t, s));
        TRY(clgan_ctx_finish(t->ctx));
        best = fmin(best, (clgan_now_seconds() - t0) * 1e3);
    }
    *ms = best;
    return CLGAN_OK;
}

static void report(tuner *t, const char *phase)
{
    if (!t->opt.progress) return;
    t->prog.phase = phase;
    t->prog.elapsed_s = clgan_now_seconds() - t->t0;
    t->prog.budget_s = t->budget;
    t->opt.progress(&t->prog, t->opt.user);
}

/* Time a candidate on every shape (heaviest first), giving up once it is
 * past give_up ms. CLGAN_OK with complete = 0 when it was dropped or its
 * results were wrong (*bad set for the latter). */
static clgan_status time_candidate(tuner *t, candidate *c, const int *order, double give_up, int *bad)
{
    *bad = 0;
    c->complete = 0, c->total = 0;
    if (!c->is_default) {
        if (override_family(t->ctx, c->family, c->v) != CLGAN_OK) {
            *bad = 1;
            return CLGAN_OK;
        }
    }
    TRY(override_switch(t->ctx, c->family == DIRECT ? FORCE_DIRECT : 0));
    for (int j = 0; j < t->n; j++) {
        int i = order[j], ok;
        double ms;
        clgan_status st = time_shape(t, i, 1, 0, &ok, &ms);
        if (st != CLGAN_OK || !ok) { /* CLBlast refused the set, the device ran out of resources for it
                                        (register spills on GPUs), or it computes wrong results */ /* CLBlast refused the set at run time, or it computes wrong results */
            *bad = 1;
            clgan_clear_error();
            return CLGAN_OK;
        }
        c->ms[i] = ms;
        c->total += ms * t->shapes[i].count;
        if (c->total > give_up) return CLGAN_OK;
        if (!c->is_default && clgan_now_seconds() - t->t0 > t->budget) return CLGAN_OK; /* out of time: incomplete */
    }
    c->complete = 1;
    return CLGAN_OK;
}

/* The switch point, from the per-shape times of a direct and an indirect
 * set: the s (one of the shapes' cube roots, or never/always) that
 * minimises the weighted total. */
static double best_switch(const tuner *t, const candidate *d, const candidate *x, size_t *s_out)
{
    double best = INFINITY;
    size_t best_s = FORCE_DIRECT;
    for (int j = -1; j <= t->n; j++) {
        size_t s = j < 0 ? 0 : j == t->n ? FORCE_DIRECT : (size_t)ceil(cbrt((double)t->shapes[j].m * t->shapes[j].n * t->shapes[j].k));
        double total = 0;
        for (int i = 0; i < t->n; i++) {
            double mnk = (double)t->shapes[i].m * t->shapes[i].n * t->shapes[i].k;
            int direct = mnk < (double)s * s * s;
            total += (direct ? d->ms[i] : x->ms[i]) * t->shapes[i].count;
        }
        if (total < best) best = total, best_s = s;
    }
    *s_out = best_s;
    return best;
}

/* Shape indices heaviest first (m*n*k times calls), so a slow candidate is
 * dropped after as few shapes as possible. */
static void order_by_weight(const clgan_gemm_shape *s, int n, int *order)
{
    for (int i = 0; i < n; i++) {
        int v = order[i], j = i;
        double w = (double)s[v].m * s[v].n * s[v].k * s[v].count;
        while (j > 0 && (double)s[order[j - 1]].m * s[order[j - 1]].n * s[order[j - 1]].k * s[order[j - 1]].count < w)
            order[j] = order[j - 1], j--;
        order[j] = v;
    }
}

static void fill_set(clgan_tuning_set *set, int family, const size_t *v)
{
    memset(set, 0, sizeof *set);
    snprintf(set->kernel, sizeof set->kernel, "%s", family_name[family]);
    set->count = family == DIRECT ? DIRECT_PARAMS : INDIRECT_PARAMS;
    for (int p = 0; p < set->count; p++) {
        snprintf(set->names[p], sizeof set->names[p], "%s", family == DIRECT ? direct_names[p] : indirect_names[p]);
        set->values[p] = v[p];
    }
}

static void free_tuner(tuner *t, candidate *cand, int n_cand)
{
    if (t->a) clgan_buffer_release(t->ctx, t->a);
    if (t->b) clgan_buffer_release(t->ctx, t->b);
    if (t->c) clgan_buffer_release(t->ctx, t->c);
    if (t->ref)
        for (int i = 0; i < t->n; i++) free(t->ref[i]);
    free(t->ref);
    free(t->probe);
    for (int i = 0; i < n_cand; i++) free(cand[i].ms);
    free(cand);
}

clgan_status clgan_gemm_tune(clgan_ctx *ctx, const clgan_gemm_shape *shapes, int n, const clgan_tune_options *opt,
                             clgan_tune_result *out)
{
    if (!ctx || !shapes || !out || n <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_gemm_tune: no shapes to tune on");
    if (n > CLGAN_TUNE_MAX_SHAPES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_gemm_tune: %d shapes, at most %d", n, CLGAN_TUNE_MAX_SHAPES);
    if (ctx->tuning || clgan_tuning_overridden(ctx->device))
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "clgan_gemm_tune: CLBlast's parameters for this device were already overridden in this "
                          "process (a tuning file applied, or an earlier search); tune in a fresh process with a "
                          "context created with use_tuning = 0");
    memset(out, 0, sizeof *out);
    tuner t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx, t.shapes = shapes, t.n = n;
    t.opt = opt ? *opt : clgan_tune_default_options();
    t.reps = t.opt.reps > 0 ? t.opt.reps : 2;
    t.budget = t.opt.budget_s > 0 ? t.opt.budget_s : 840;
    t.t0 = clgan_now_seconds();
    candidate *cand = calloc(MAX_CANDIDATES, sizeof *cand);
    int n_cand = 0;
    clgan_status st = cand ? CLGAN_OK : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");

    /* Operand buffers for the largest shape, filled with values in [-1, 1]. */
    size_t amax = 1, bmax = 1, cmax = 1;
    for (int i = 0; i < n; i++) {
        amax = shapes[i].m * shapes[i].k > amax ? shapes[i].m * shapes[i].k : amax;
        bmax = shapes[i].k * shapes[i].n > bmax ? shapes[i].k * shapes[i].n : bmax;
        cmax = shapes[i].m * shapes[i].n > cmax ? shapes[i].m * shapes[i].n : cmax;
    }
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, amax * sizeof(float), &t.a);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, bmax * sizeof(float), &t.b);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, cmax * sizeof(float), &t.c);
    if (st == CLGAN_OK) {
        size_t big = amax > bmax ? amax : bmax;
        float *host = malloc(big * sizeof *host);
        clgan_rng rng;
        clgan_rng_seed(&rng, 12345);
        if (!host) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
        if (st == CLGAN_OK) clgan_rng_fill_uniform(&rng, host, big, -1, 1);
        if (st == CLGAN_OK) st = clgan_buffer_write(ctx, t.a, 0, amax * sizeof(float), host);
        if (st == CLGAN_OK) clgan_rng_fill_uniform(&rng, host, big, -1, 1); /* B differs from A: swapped operands show */
        if (st == CLGAN_OK) st = clgan_buffer_write(ctx, t.b, 0, bmax * sizeof(float), host);
        free(host);
    }
    t.ref = calloc((size_t)n, sizeof *t.ref);
    if (st == CLGAN_OK && !t.ref) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int i = 0; st == CLGAN_OK && i < n; i++)
        if (!(t.ref[i] = malloc(CHECK_SAMPLES * sizeof(float))))
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    int order[CLGAN_TUNE_MAX_SHAPES];
    for (int i = 0; i < n; i++) order[i] = i;
    order_by_weight(shapes, n, order);

    /* 1. CLBlast's defaults as CLBlast picks the kernel, then each kernel forced. */
    out->shape_count = n;
    for (int i = 0; i < n; i++) out->shapes[i].shape = shapes[i];
    report(&t, "defaults");
    for (int i = 0; st == CLGAN_OK && i < n; i++) {
        int ok;
        st = time_shape(&t, i, 0, 1, &ok, &out->shapes[i].ms_default);
        out->ms_default += out->shapes[i].ms_default * shapes[i].count;
    }
    t.prog.default_ms = out->ms_default;
    t.prog.best_ms = out->ms_default;
    double best[2] = {INFINITY, INFINITY};
    double cost_sum[2] = {0, 0}; /* seconds per candidate (compile + timing), to keep within the budget */
    int cost_n[2] = {0, 0};
    double round_s = clgan_now_seconds() - t.t0; /* one pass over the shapes, for the final one */
    for (int f = 0; st == CLGAN_OK && f < 2; f++) {
        double c0 = clgan_now_seconds();
        candidate *c = &cand[n_cand++];
        c->family = f, c->is_default = 1;
        if (!(c->ms = calloc((size_t)n, sizeof(double)))) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
        int bad;
        if (st == CLGAN_OK) st = time_candidate(&t, c, order, INFINITY, &bad);
        if (st == CLGAN_OK && !c->complete)
            st = clgan_fail(CLGAN_ERR_CLBLAST, "CLBlast's default %s parameters fail on this device",
                            family_name[f]);
        if (st == CLGAN_OK) best[f] = c->total;
        cost_sum[f] = clgan_now_seconds() - c0, cost_n[f] = 1; /* a first estimate: the defaults may have been cached */
    }
    if (st == CLGAN_OK) {
        size_t s;
        t.prog.best_ms = fmin(t.prog.best_ms, best_switch(&t, &cand[0], &cand[1], &s));
    }

    /* 2. Candidates, alternating the two kernels, seeds first, until the budget is spent. */
    limits L = {ctx->info.max_work_group_size ? ctx->info.max_work_group_size : 64,
                ctx->info.local_mem_bytes ? ctx->info.local_mem_bytes : 16384};
    cl_uint vw = 4;
    clGetDeviceInfo(ctx->device, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof vw, &vw, NULL);
    if (vw < 1) vw = 1;
    clgan_rng rng;
    clgan_rng_seed(&rng, t.opt.seed ? t.opt.seed : 1);
    int seeds_used[2] = {0, 0};
    int gpu = ctx->info.type == CLGAN_DEVICE_GPU;
    for (int turn = 0; st == CLGAN_OK && n_cand < MAX_CANDIDATES; turn++) {
        int f = turn % 2;
        double elapsed = clgan_now_seconds() - t.t0, limit = t.budget - 2 * round_s;
        double est = cost_sum[f] / cost_n[f], est_other = cost_sum[!f] / cost_n[!f];
        if (elapsed + est > limit) {
            if (elapsed + est_other <= limit) continue;
            break;
        }
        candidate *c = &cand[n_cand];
        memset(c, 0, sizeof *c);
        c->family = f;
        int found = 0;
        int nseeds = f == DIRECT ? (int)(sizeof seed_direct / sizeof seed_direct[0])
                                 : (int)(sizeof seed_indirect / sizeof seed_indirect[0]);
        for (int tries = 0; !found && tries < 5000; tries++) {
            if (seeds_used[f] < nseeds) {
                /* CPU drivers start from the small-work-group seeds, GPUs from the wide ones (the end of each list) */
                int k = gpu ? nseeds - 1 - seeds_used[f] : seeds_used[f];
                memcpy(c->v, f == DIRECT ? seed_direct[k] : seed_indirect[k],
                       sizeof(size_t) * (f == DIRECT ? DIRECT_PARAMS : INDIRECT_PARAMS));
                seeds_used[f]++;
            } else if (f == DIRECT)
                random_direct(&rng, vw, c->v);
            else
                random_indirect(&rng, vw, c->v);
            if (!(f == DIRECT ? direct_valid(c->v, &L) : indirect_valid(c->v, &L))) continue;
            found = 1;
            for (int k = 0; k < n_cand && found; k++)
                if (cand[k].family == f && !cand[k].is_default &&
                    !memcmp(cand[k].v, c->v, sizeof(size_t) * INDIRECT_PARAMS))
                    found = 0;
        }
        if (!found) break;
        if (!(c->ms = calloc((size_t)n, sizeof(double)))) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
            break;
        }
        n_cand++;
        double c0 = clgan_now_seconds();
        int bad;
        report(&t, family_name[f]);
        st = time_candidate(&t, c, order, 2 * best[f], &bad);
        cost_sum[f] += clgan_now_seconds() - c0, cost_n[f]++;
        out->candidates[f]++;
        if (bad) out->rejected++;
        if (st == CLGAN_OK && c->complete && c->total < best[f]) best[f] = c->total;
        if (st == CLGAN_OK && c->complete) /* the progress line's best: this set with the best of the other kind */
            for (int k = 0; k < n_cand; k++) {
                if (cand[k].family == f || !cand[k].complete) continue;
                size_t s;
                double total = best_switch(&t, f == DIRECT ? c : &cand[k], f == DIRECT ? &cand[k] : c, &s);
                if (total < t.prog.best_ms) t.prog.best_ms = total;
            }
        t.prog.candidates_done++;
        CLBlastClearCache(); /* drop the candidate's compiled program */
    }

    /* 3. The pair of sets and the switch point with the least weighted total. */
    int bd = -1, bx = -1;
    size_t bs = FORCE_DIRECT;
    double btotal = INFINITY;
    for (int i = 0; st == CLGAN_OK && i < n_cand; i++) {
        if (cand[i].family != DIRECT || !cand[i].complete) continue;
        for (int j = 0; j < n_cand; j++) {
            if (cand[j].family != INDIRECT || !cand[j].complete) continue;
            size_t s;
            double total = best_switch(&t, &cand[i], &cand[j], &s);
            if (total < btotal) btotal = total, bd = i, bx = j, bs = s;
        }
    }
    if (st == CLGAN_OK && (bd < 0 || bx < 0)) st = clgan_fail(CLGAN_ERR_CLBLAST, "no GEMM parameter set completed");

    /* 4. Install the choice (defaults stay CLBlast's own: not overridden) and time it. */
    if (st == CLGAN_OK) {
        clgan_tuning *tu = &out->tuning;
        snprintf(tu->platform, sizeof tu->platform, "%s", ctx->info.platform_name);
        snprintf(tu->device, sizeof tu->device, "%s", ctx->info.device_name);
        snprintf(tu->driver, sizeof tu->driver, "%s", ctx->info.driver_version);
        snprintf(tu->clblast, sizeof tu->clblast, "%s", clgan_clblast_version());
        time_t now = time(NULL);
        struct tm g;
        gmtime_r(&now, &g);
        strftime(tu->created, sizeof tu->created, "%Y-%m-%dT%H:%M:%SZ", &g);
        if (!cand[bd].is_default) fill_set(&tu->sets[tu->set_count++], DIRECT, cand[bd].v);
        if (!cand[bx].is_default) fill_set(&tu->sets[tu->set_count++], INDIRECT, cand[bx].v);
        clgan_tuning_set *sw = &tu->sets[tu->set_count++];
        memset(sw, 0, sizeof *sw);
        snprintf(sw->kernel, sizeof sw->kernel, "GemmRoutine");
        snprintf(sw->names[0], sizeof sw->names[0], "XGEMM_MIN_INDIRECT_SIZE");
        sw->values[0] = bs, sw->count = 1;
        /* Per shape, the times the chosen sets had in the search; when both
         * are overrides (CLBlast's defaults cannot be reinstated in this
         * process), install them and time every shape again. */
        for (int i = 0; i < n; i++) {
            double mnk = (double)shapes[i].m * shapes[i].n * shapes[i].k;
            clgan_tune_shape_result *r = &out->shapes[i];
            r->direct_tuned = mnk < (double)bs * bs * bs;
            r->ms_tuned = r->direct_tuned ? cand[bd].ms[i] : cand[bx].ms[i];
        }
        int installed = !cand[bd].is_default && !cand[bx].is_default;
        if (installed) st = override_family(ctx, DIRECT, cand[bd].v);
        if (st == CLGAN_OK && installed) st = override_family(ctx, INDIRECT, cand[bx].v);
        if (st == CLGAN_OK) st = override_switch(ctx, bs);
        report(&t, "final");
        for (int i = 0; st == CLGAN_OK && installed && i < n; i++) {
            int ok;
            st = time_shape(&t, i, 1, 0, &ok, &out->shapes[i].ms_tuned);
            if (st == CLGAN_OK && !ok)
                st = clgan_fail(CLGAN_ERR_CHECK_FAILED, "the chosen GEMM parameters give wrong results");
        }
        for (int i = 0; i < n; i++) out->ms_tuned += out->shapes[i].ms_tuned * shapes[i].count;
        tu->gemm_ms_default = out->ms_default;
        tu->gemm_ms_tuned = out->ms_tuned;
        t.prog.best_ms = out->ms_tuned;
        report(&t, "done");
    }
    free_tuner(&t, cand, n_cand);
    return st;
}
