/* check_batchnorm.c — host reference and device checks for batch
 * normalization: training forward, saved statistics, running-statistic
 * update, inference forward, training backward (dx, dgamma, dbeta) and finite
 * differences of the training forward w.r.t. x, gamma and beta; and the
 * synchronised forms against the fused kernels on the whole batch, with a
 * reducer that simulates ranks holding identical shares. */
#include "check.h"
#include "nn/batchnorm.h"

#include <stdio.h>
#include <string.h>

typedef struct bn_shape { int n, c, h, w; } bn_shape;

/* Reference training forward: per channel over N*HW, biased variance; fills mean, inv_std [C]
 * and updates running_mean/running_var (unbiased variance) when they are not NULL. */
static void ref_bn_train(const bn_shape *s, double momentum, double eps, const double *x, const double *gamma,
                         const double *beta, double *mean, double *inv_std, double *rm, double *rv, double *y)
{
    int HW = s->h * s->w, M = s->n * HW;
    for (int c = 0; c < s->c; c++) {
        double sum = 0, sq = 0;
        for (int n = 0; n < s->n; n++)
            for (int j = 0; j < HW; j++) sum += x[((size_t)n * s->c + c) * HW + j];
        double mu = sum / M;
        for (int n = 0; n < s->n; n++)
            for (int j = 0; j < HW; j++) {
                double d = x[((size_t)n * s->c + c) * HW + j] - mu;
                sq += d * d;
            }
        double var = sq / M, inv = 1.0 / sqrt(var + eps);
        if (mean) mean[c] = mu;
        if (inv_std) inv_std[c] = inv;
        if (rm) rm[c] = (1 - momentum) * rm[c] + momentum * mu;
        if (rv) rv[c] = (1 - momentum) * rv[c] + momentum * (M > 1 ? sq / (M - 1) : var);
        for (int n = 0; n < s->n; n++)
            for (int j = 0; j < HW; j++) {
                size_t at = ((size_t)n * s->c + c) * HW + j;
                y[at] = gamma[c] * (x[at] - mu) * inv + beta[c];
            }
    }
}

/* Reference inference forward with running statistics. */
static void ref_bn_infer(const bn_shape *s, double eps, const double *x, const double *gamma, const double *beta,
                         const double *rm, const double *rv, double *y)
{
    int HW = s->h * s->w;
    for (size_t i = 0; i < (size_t)s->n * s->c * HW; i++) {
        int c = (int)(i / HW % s->c);
        y[i] = gamma[c] * (x[i] - rm[c]) / sqrt(rv[c] + eps) + beta[c];
    }
}

/* Reference training backward: dgamma += sum dy*xhat, dbeta += sum dy,
 * dx = gamma*inv_std/M * (M*dy - sum dy - xhat*sum dy*xhat). */
static void ref_bn_backward(const bn_shape *s, const double *x, const double *gamma, const double *mean,
                            const double *inv_std, const double *dy, double *dx, double *dgamma, double *dbeta)
{
    int HW = s->h * s->w, M = s->n * HW;
    for (int c = 0; c < s->c; c++) {
        double sdy = 0, sdyx = 0;
        for (int n = 0; n < s->n; n++)
            for (int j = 0; j < HW; j++) {
                size_t at = ((size_t)n * s->c + c) * HW + j;
                sdy += dy[at];
                sdyx += dy[at] * (x[at] - mean[c]) * inv_std[c];
            }
        dgamma[c] += sdyx;
        dbeta[c] += sdy;
        for (int n = 0; n < s->n; n++)
            for (int j = 0; j < HW; j++) {
                size_t at = ((size_t)n * s->c + c) * HW + j;
                double xhat = (x[at] - mean[c]) * inv_std[c];
                dx[at] = gamma[c] * inv_std[c] / M * (M * dy[at] - sdy - xhat * sdyx);
            }
    }
}

/* Finite differences of the training forward w.r.t. one of x (0), gamma (1), beta (2). */
typedef struct fd_user { const bn_shape *s; double eps; const double *x, *gamma, *beta; int which; } fd_user;
static void fd_forward(void *user, const double *in, double *out)
{
    fd_user *u = user;
    ref_bn_train(u->s, 0.1, u->eps, u->which == 0 ? in : u->x, u->which == 1 ? in : u->gamma,
                 u->which == 2 ? in : u->beta, NULL, NULL, NULL, NULL, out);
}

#define BN_TOL 1e-5 /* float sums over at most 70 elements per channel; observed errors ~5e-7 */

/* Two per-channel device vectors a, b [C] against the host's [want_a, want_b]
 * as one comparison `name` (got, both: 2C scratch floats). 0 when a
 * download failed (reported). */
static int compare_pair(check_run *run, const char *name, const clgan_tensor *a, const clgan_tensor *b,
                        const double *want_a, const double *want_b, int C, float *got, double *both, double t0)
{
    clgan_status st;
    if ((st = check_download(run->ctx, a, got)) != CLGAN_OK || (st = check_download(run->ctx, b, got + C)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        return 0;
    }
    memcpy(both, want_a, C * sizeof *both);
    memcpy(both + C, want_b, C * sizeof *both);
    if (check_wanted(run, name)) check_compare(run, name, got, both, 2 * C, BN_TOL, t0);
    return 1;
}

static void run_case(check_run *run, const bn_shape *s, uint64_t seed)
{
    char tag[64], fwd[128], saved[128], running[128], infer[128], bdx[128], bdg[128], bdb[128], g[3][128];
    snprintf(tag, sizeof tag, "[%d,%d,%d,%d]", s->n, s->c, s->h, s->w);
    snprintf(fwd, sizeof fwd, "batchnorm.forward train %s", tag);
    snprintf(saved, sizeof saved, "batchnorm.forward saved mean,inv_std %s", tag);
    snprintf(running, sizeof running, "batchnorm.forward running mean,var %s", tag);
    snprintf(infer, sizeof infer, "batchnorm.forward inference %s", tag);
    snprintf(bdx, sizeof bdx, "batchnorm.backward dx %s", tag);
    snprintf(bdg, sizeof bdg, "batchnorm.backward dgamma (accumulated) %s", tag);
    snprintf(bdb, sizeof bdb, "batchnorm.backward dbeta (accumulated) %s", tag);
    snprintf(g[0], sizeof g[0], "batchnorm.gradcheck x %s", tag);
    snprintf(g[1], sizeof g[1], "batchnorm.gradcheck gamma %s", tag);
    snprintf(g[2], sizeof g[2], "batchnorm.gradcheck beta %s", tag);
    const char *all[] = {fwd, saved, running, infer, bdx, bdg, bdb, g[0], g[1], g[2]};
    int any = 0;
    for (int i = 0; i < 10; i++) any |= check_wanted(run, all[i]);
    if (!any) return;

    const double momentum = 0.1, eps = 1e-5;
    int C = s->c;
    size_t count = (size_t)s->n * C * s->h * s->w;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, count), *y = check_doubles(&mem, count), *dy = check_doubles(&mem, count);
    double *dx = check_doubles(&mem, count), *yi = check_doubles(&mem, count);
    double *gamma = check_doubles(&mem, C), *beta = check_doubles(&mem, C), *mean = check_doubles(&mem, C);
    double *inv = check_doubles(&mem, C), *rm = check_doubles(&mem, C), *rv = check_doubles(&mem, C);
    double *dgamma = check_doubles(&mem, C), *dbeta = check_doubles(&mem, C), *both = check_doubles(&mem, 2 * C);
    /* Outputs start as junk uploaded from the host: a missed write shows up as a wrong value (and oclgrind
     * 21.10 flags kernel-written data in buffers that were only zero-filled by clEnqueueFillBuffer). */
    double *junk = check_doubles(&mem, count);
    for (size_t i = 0; i < count; i++) junk[i] = 7.0;
    float *got = check_floats(&mem, count > 2 * (size_t)C ? count : 2 * (size_t)C);
    check_fill(&rng, x, count, -2, 2);
    for (size_t i = 0; i < count; i++) x[i] += 0.5 * (double)((i / (s->h * s->w)) % C); /* per-channel offsets */
    check_fill(&rng, dy, count, -1, 1);
    check_fill(&rng, gamma, C, 0.5, 1.5);
    check_fill(&rng, beta, C, -0.5, 0.5);
    check_fill(&rng, rm, C, -0.2, 0.2);
    check_fill(&rng, rv, C, 0.5, 1.5);
    check_fill(&rng, dgamma, C, -0.3, 0.3); /* parameter gradients accumulate onto these */
    check_fill(&rng, dbeta, C, -0.3, 0.3);

    clgan_tensor tx = {0}, ty = {0}, tdy = {0}, tdx = {0}, tg = {0}, tb = {0}, trm = {0}, trv = {0}, tm = {0},
                 ti = {0}, tdg = {0}, tdb = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, s->n, C, s->h, s->w, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, s->n, C, s->h, s->w, junk, &ty)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, s->n, C, s->h, s->w, dy, &tdy)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, s->n, C, s->h, s->w, junk, &tdx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, gamma, &tg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, beta, &tb)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, rm, &trm)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, rv, &trv)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, junk, &tm)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, junk, &ti)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, dgamma, &tdg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, dbeta, &tdb)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    /* host: inference with the initial running stats (device runs it before training updates them) */
    ref_bn_infer(s, eps, x, gamma, beta, rm, rv, yi);
    if ((st = clgan_batchnorm_forward(run->ctx, 0, (float)momentum, (float)eps, &tx, &tg, &tb, &trm, &trv, NULL, NULL,
                                      &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, infer, st, t0);
        goto done;
    }
    if (check_wanted(run, infer)) check_compare(run, infer, got, yi, count, BN_TOL, t0);

    t0 = check_now();
    ref_bn_train(s, momentum, eps, x, gamma, beta, mean, inv, rm, rv, y);
    if ((st = clgan_batchnorm_forward(run->ctx, 1, (float)momentum, (float)eps, &tx, &tg, &tb, &trm, &trv, &tm, &ti,
                                      &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, count, BN_TOL, t0);
    if (!compare_pair(run, saved, &tm, &ti, mean, inv, C, got, both, t0) ||
        !compare_pair(run, running, &trm, &trv, rm, rv, C, got, both, t0))
        goto done;

    /* backward; dx holds junk from its upload and must be overwritten */
    t0 = check_now();
    ref_bn_backward(s, x, gamma, mean, inv, dy, dx, dgamma, dbeta);
    if ((st = clgan_batchnorm_backward(run->ctx, &tx, &tg, &tm, &ti, &tdy, &tdx, &tdg, &tdb)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got)) != CLGAN_OK) {
        check_report_status(run, bdx, st, t0);
        goto done;
    }
    if (check_wanted(run, bdx)) check_compare(run, bdx, got, dx, count, BN_TOL, t0);
    if ((st = check_download(run->ctx, &tdg, got)) != CLGAN_OK) {
        check_report_status(run, bdg, st, t0);
        goto done;
    }
    if (check_wanted(run, bdg)) check_compare(run, bdg, got, dgamma, C, BN_TOL, t0);
    if ((st = check_download(run->ctx, &tdb, got)) != CLGAN_OK) {
        check_report_status(run, bdb, st, t0);
        goto done;
    }
    if (check_wanted(run, bdb)) check_compare(run, bdb, got, dbeta, C, BN_TOL, t0);

    /* gradcheck: host backward from zeroed parameter gradients vs central differences */
    for (int c = 0; c < C; c++) dgamma[c] = dbeta[c] = 0;
    ref_bn_backward(s, x, gamma, mean, inv, dy, dx, dgamma, dbeta);
    double *inputs[3] = {x, gamma, beta}, *analytic[3] = {dx, dgamma, dbeta};
    size_t sizes[3] = {count, (size_t)C, (size_t)C};
    for (int which = 0; which < 3; which++) {
        if (!check_wanted(run, g[which])) continue;
        t0 = check_now();
        fd_user u = {s, eps, x, gamma, beta, which};
        double err = check_fd_error(fd_forward, &u, inputs[which], sizes[which], count, dy, analytic[which], 1e-6);
        check_report(run, g[which], err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }
done:;
    clgan_tensor *all_t[] = {&tx, &ty, &tdy, &tdx, &tg, &tb, &trm, &trv, &tm, &ti, &tdg, &tdb};
    for (size_t i = 0; i < sizeof all_t / sizeof all_t[0]; i++) clgan_tensor_free(run->ctx, all_t[i]);
    check_mem_free(&mem);
}

/* ---- synchronised batchnorm ------------------------------------------------------------------ */

/* A reducer for `ranks` ranks that all hold the same share, in one process: the sum over the ranks
 * is buf * ranks (ranks = 1: the identity). Counts its calls. */
typedef struct fake_ranks { int ranks, calls; } fake_ranks;
static clgan_status fake_sum_floats(void *self, float *buf, size_t n)
{
    fake_ranks *f = self;
    f->calls++;
    for (size_t i = 0; i < n; i++) buf[i] *= (float)f->ranks;
    return CLGAN_OK;
}
static clgan_status fake_sum_doubles(void *self, double *buf, size_t n)
{
    fake_ranks *f = self;
    f->calls++;
    for (size_t i = 0; i < n; i++) buf[i] *= f->ranks;
    return CLGAN_OK;
}

/* One side of a comparison: a batch [N,C,H,W] with its outputs and per-channel state. */
typedef struct bn_side { clgan_tensor x, y, dy, dx, mean, inv, rm, rv, dg, db; } bn_side;

/* x, dy from the host; y, dx, mean, inv start as junk (a missed write shows); rm, rv, dg, db from the host. */
static clgan_status side_upload(clgan_ctx *ctx, const bn_shape *s, const double *x, const double *dy,
                                const double *junk, const double *const vec[4], bn_side *t)
{
    int n = s->n, C = s->c, h = s->h, w = s->w;
    TRY(check_tensor(ctx, n, C, h, w, x, &t->x));
    TRY(check_tensor(ctx, n, C, h, w, junk, &t->y));
    TRY(check_tensor(ctx, n, C, h, w, dy, &t->dy));
    TRY(check_tensor(ctx, n, C, h, w, junk, &t->dx));
    TRY(check_tensor(ctx, C, 1, 1, 1, junk, &t->mean));
    TRY(check_tensor(ctx, C, 1, 1, 1, junk, &t->inv));
    TRY(check_tensor(ctx, C, 1, 1, 1, vec[0], &t->rm));
    TRY(check_tensor(ctx, C, 1, 1, 1, vec[1], &t->rv));
    TRY(check_tensor(ctx, C, 1, 1, 1, vec[2], &t->dg));
    return check_tensor(ctx, C, 1, 1, 1, vec[3], &t->db);
}

static void side_free(clgan_ctx *ctx, bn_side *t)
{
    clgan_tensor *all[] = {&t->x, &t->y, &t->dy, &t->dx, &t->mean, &t->inv, &t->rm, &t->rv, &t->dg, &t->db};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) clgan_tensor_free(ctx, all[i]);
}

/* Check `name`: the first n floats of each of got[0..k) against scale * those of want[0..k) (device
 * tensors, k <= 2, compared as one vector; gbuf, wd hold k*n floats, part a whole tensor). */
static void compare_devices(check_run *run, const char *name, const clgan_tensor *const *got,
                            const clgan_tensor *const *want, int k, size_t n, double scale, double tol, float *gbuf,
                            float *part, double *wd, double t0)
{
    if (!check_wanted(run, name)) return;
    for (int i = 0; i < k; i++) {
        clgan_status st;
        if ((st = check_download(run->ctx, got[i], part)) != CLGAN_OK) {
            check_report_status(run, name, st, t0);
            return;
        }
        memcpy(gbuf + i * n, part, n * sizeof *gbuf);
        if ((st = check_download(run->ctx, want[i], part)) != CLGAN_OK) {
            check_report_status(run, name, st, t0);
            return;
        }
        for (size_t j = 0; j < n; j++) wd[i * n + j] = scale * part[j];
    }
    check_compare(run, name, gbuf, wd, k * n, tol, t0);
}

/* Tolerances of the synchronised forms against the fused kernels. ranks = 1: the same sums in the same
 * order, so only the compiler's contractions can differ (observed 6e-8 on PoCL). ranks = 2: the fused
 * kernels sum the 2N duplicated samples in one run where the sync forms double one share's sum: float
 * rounding over at most 140 values per channel (observed 2.4e-6 on PoCL, in dgamma). */
#define BN_SYNC_TOL_ONE 1e-6
#define BN_SYNC_TOL 1e-5

/* The synchronised forward and backward on one share of `ranks` identical shares (fake_ranks) against
 * the fused kernels on the whole batch (the share repeated ranks times). With the fused upstream
 * gradient g on every copy, each rank's dy is ranks*g (its loss is the mean over its share): the sync
 * dx is ranks times the fused dx of its samples, and the share's dgamma, dbeta increments
 * sum(ranks*g*xhat), sum(ranks*g) equal the fused ones over the ranks copies; statistics, y and the
 * running statistics are equal. A first layer (dx NULL) gives the same dgamma, dbeta with no sum over
 * the ranks; the forward sums twice (mean, variance), the backward once. */
static void run_sync_case(check_run *run, const bn_shape *s, int ranks, uint64_t seed)
{
    char tag[80], nm[7][160];
    snprintf(tag, sizeof tag, "%d rank%s [%d,%d,%d,%d]", ranks, ranks > 1 ? "s" : "", s->n, s->c, s->h, s->w);
    const char *what[7] = {"forward y", "forward saved mean,inv_std", "forward running mean,var", "backward dx",
                           "backward dgamma,dbeta (accumulated)", "backward first layer dgamma,dbeta",
                           "reducer calls"};
    int any = 0;
    for (int i = 0; i < 7; i++) {
        snprintf(nm[i], sizeof nm[i], "batchnorm.sync %s %s", what[i], tag);
        any |= check_wanted(run, nm[i]);
    }
    if (!any) return;
    const double momentum = 0.1, eps = 1e-5, tol = ranks == 1 ? BN_SYNC_TOL_ONE : BN_SYNC_TOL;
    int C = s->c;
    size_t count = (size_t)s->n * C * s->h * s->w, whole_count = count * ranks;
    bn_shape whole = {s->n * ranks, C, s->h, s->w};
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, whole_count), *g = check_doubles(&mem, whole_count);
    double *dy = check_doubles(&mem, count), *junk = check_doubles(&mem, whole_count);
    double *wd = check_doubles(&mem, count + 2 * (size_t)C);
    double *gamma = check_doubles(&mem, C), *beta = check_doubles(&mem, C), *rm = check_doubles(&mem, C);
    double *rv = check_doubles(&mem, C), *dgamma = check_doubles(&mem, C), *dbeta = check_doubles(&mem, C);
    float *gbuf = check_floats(&mem, count + 2 * (size_t)C), *part = check_floats(&mem, whole_count);
    for (size_t i = 0; i < whole_count; i++) junk[i] = 7.0;
    check_fill(&rng, x, count, -2, 2);
    for (size_t i = 0; i < count; i++) x[i] += 0.5 * (double)((i / (s->h * s->w)) % C); /* per-channel offsets */
    check_fill(&rng, g, count, -1, 1);
    for (int r = 1; r < ranks; r++) { /* the whole batch: the share repeated */
        memcpy(x + r * count, x, count * sizeof *x);
        memcpy(g + r * count, g, count * sizeof *g);
    }
    for (size_t i = 0; i < count; i++) dy[i] = ranks * g[i];
    check_fill(&rng, gamma, C, 0.5, 1.5);
    check_fill(&rng, beta, C, -0.5, 0.5);
    check_fill(&rng, rm, C, -0.2, 0.2);
    check_fill(&rng, rv, C, 0.5, 1.5);
    check_fill(&rng, dgamma, C, -0.3, 0.3);
    check_fill(&rng, dbeta, C, -0.3, 0.3);
    const double *const vec[4] = {rm, rv, dgamma, dbeta};

    fake_ranks fake = {ranks, 0};
    clgan_reducer reducer = {ranks, 0, fake_sum_floats, fake_sum_doubles, &fake};
    bn_side sh = {0}, wh = {0};
    clgan_tensor tg = {0}, tb = {0}, fdg = {0}, fdb = {0}; /* fdg, fdb: the first-layer backward's */
    double t0 = check_now();
    clgan_status st;
    if ((st = side_upload(run->ctx, s, x, dy, junk, vec, &sh)) != CLGAN_OK ||
        (st = side_upload(run->ctx, &whole, x, g, junk, vec, &wh)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, gamma, &tg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, beta, &tb)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, dgamma, &fdg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, C, 1, 1, 1, dbeta, &fdb)) != CLGAN_OK) {
        check_report_status(run, nm[0], st, t0);
        goto done;
    }
    if ((st = clgan_batchnorm_forward(run->ctx, 1, (float)momentum, (float)eps, &wh.x, &tg, &tb, &wh.rm, &wh.rv,
                                      &wh.mean, &wh.inv, &wh.y)) != CLGAN_OK ||
        (st = clgan_batchnorm_forward_sync(run->ctx, (float)momentum, (float)eps, &reducer, &sh.x, &tg, &tb, &sh.rm,
                                           &sh.rv, &sh.mean, &sh.inv, &sh.y)) != CLGAN_OK) {
        check_report_status(run, nm[0], st, t0);
        goto done;
    }
    int forward_calls = fake.calls;
    compare_devices(run, nm[0], (const clgan_tensor *[]){&sh.y}, (const clgan_tensor *[]){&wh.y}, 1, count, 1.0,
                    tol, gbuf, part, wd, t0);
    compare_devices(run, nm[1], (const clgan_tensor *[]){&sh.mean, &sh.inv},
                    (const clgan_tensor *[]){&wh.mean, &wh.inv}, 2, C, 1.0, tol, gbuf, part, wd, t0);
    compare_devices(run, nm[2], (const clgan_tensor *[]){&sh.rm, &sh.rv}, (const clgan_tensor *[]){&wh.rm, &wh.rv},
                    2, C, 1.0, tol, gbuf, part, wd, t0);

    t0 = check_now();
    if ((st = clgan_batchnorm_backward(run->ctx, &wh.x, &tg, &wh.mean, &wh.inv, &wh.dy, &wh.dx, &wh.dg, &wh.db)) !=
            CLGAN_OK ||
        (st = clgan_batchnorm_backward_sync(run->ctx, &reducer, &sh.x, &tg, &sh.mean, &sh.inv, &sh.dy, &sh.dx, &sh.dg,
                                            &sh.db)) != CLGAN_OK) {
        check_report_status(run, nm[3], st, t0);
        goto done;
    }
    int backward_calls = fake.calls - forward_calls;
    compare_devices(run, nm[3], (const clgan_tensor *[]){&sh.dx}, (const clgan_tensor *[]){&wh.dx}, 1, count,
                    (double)ranks, tol, gbuf, part, wd, t0);
    compare_devices(run, nm[4], (const clgan_tensor *[]){&sh.dg, &sh.db}, (const clgan_tensor *[]){&wh.dg, &wh.db},
                    2, C, 1.0, tol, gbuf, part, wd, t0);

    t0 = check_now();
    if ((st = clgan_batchnorm_backward_sync(run->ctx, &reducer, &sh.x, &tg, &sh.mean, &sh.inv, &sh.dy, NULL, &fdg,
                                            &fdb)) != CLGAN_OK) {
        check_report_status(run, nm[5], st, t0);
        goto done;
    }
    int first_layer_calls = fake.calls - forward_calls - backward_calls;
    compare_devices(run, nm[5], (const clgan_tensor *[]){&fdg, &fdb}, (const clgan_tensor *[]){&wh.dg, &wh.db}, 2, C,
                    1.0, tol, gbuf, part, wd, t0);
    if (check_wanted(run, nm[6])) {
        int ok = forward_calls == 2 && backward_calls == 1 && first_layer_calls == 0;
        char msg[160];
        snprintf(msg, sizeof msg, "sums over the ranks: forward %d (want 2), backward %d (want 1), first layer %d "
                 "(want 0)", forward_calls, backward_calls, first_layer_calls);
        check_report(run, nm[6], ok, ok ? 0.0 : 1.0, check_now() - t0, ok ? "" : msg);
    }
done:
    side_free(run->ctx, &sh);
    side_free(run->ctx, &wh);
    clgan_tensor *own[] = {&tg, &tb, &fdg, &fdb};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) clgan_tensor_free(run->ctx, own[i]);
    check_mem_free(&mem);
}

/* Shape validation: a parameter vector of the wrong length, a missing save buffer in training and
 * a synchronised call without a reducer or with no ranks give CLGAN_ERR_INVALID_ARG. */
static void check_invalid(check_run *run)
{
    const char *name = "batchnorm.invalid_args";
    if (!check_wanted(run, name)) return;
    clgan_tensor x = {0}, v3 = {0}, v2 = {0};
    fake_ranks fake = {0, 0};
    const clgan_reducer no_ranks = {0, 0, fake_sum_floats, fake_sum_doubles, &fake};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, 2, 3, 2, 2, NULL, &x)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 3, 1, 1, 1, NULL, &v3)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 2, 1, 1, 1, NULL, &v2)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call cases[] = {
        {"forward: gamma of 2 for 3 channels",
         clgan_batchnorm_forward(run->ctx, 1, 0.1f, 1e-5f, &x, &v2, &v3, &v3, &v3, &v3, &v3, &x)},
        {"forward: training without a save buffer",
         clgan_batchnorm_forward(run->ctx, 1, 0.1f, 1e-5f, &x, &v3, &v3, &v3, &v3, NULL, &v3, &x)},
        {"backward: dbeta of 2 for 3 channels", clgan_batchnorm_backward(run->ctx, &x, &v3, &v3, &v3, &x, &x, &v3, &v2)},
        {"backward: no dx", clgan_batchnorm_backward(run->ctx, &x, &v3, &v3, &v3, &x, NULL, &v3, &v3)},
        {"synchronised forward: no reducer",
         clgan_batchnorm_forward_sync(run->ctx, 0.1f, 1e-5f, NULL, &x, &v3, &v3, &v3, &v3, &v3, &v3, &x)},
        {"synchronised forward: a reducer of 0 ranks",
         clgan_batchnorm_forward_sync(run->ctx, 0.1f, 1e-5f, &no_ranks, &x, &v3, &v3, &v3, &v3, &v3, &v3, &x)},
        {"synchronised backward: dgamma of 2 for 3 channels",
         clgan_batchnorm_backward_sync(run->ctx, &no_ranks, &x, &v3, &v3, &v3, &x, &x, &v2, &v3)},
        {"synchronised backward: no reducer",
         clgan_batchnorm_backward_sync(run->ctx, NULL, &x, &v3, &v3, &v3, &x, NULL, &v3, &v3)},
    };
    check_report_refused(run, name, cases, sizeof cases / sizeof cases[0], t0);
done:
    clgan_tensor_free(run->ctx, &x);
    clgan_tensor_free(run->ctx, &v3);
    clgan_tensor_free(run->ctx, &v2);
}

void check_batchnorm(check_run *run)
{
    const bn_shape shapes[] = {
        {2, 3, 5, 7}, /* images, odd non-square */
        {4, 6, 1, 1}, /* dense activation: per feature over the batch */
        {1, 2, 3, 4}, /* batch 1, statistics over H*W only */
        {3, 1, 1, 1}, /* one feature, three samples */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_case(run, &shapes[i], 401 + i);
    /* synchronised: an image batch and a dense-shaped one, as one rank and as two identical ranks */
    for (int ranks = 1; ranks <= 2; ranks++)
        for (size_t i = 0; i < 2; i++) run_sync_case(run, &shapes[i], ranks, 451 + i);
    check_invalid(run);
}
