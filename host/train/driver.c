/* driver.c — the training driver of clgan/train.h: the epoch and step loop
 * over a target's step/save callbacks, data order and the seek on resume,
 * checkpoint and evaluation cadence, best and periodic checkpoints, the stop
 * request, the non-finite guard, log.csv (whole lines; trimmed on resume)
 * and the stale temporary files of killed runs; data-parallel over the
 * ranks of an MPI job (train/dist.h): the batch shares, the agreed stop,
 * the averaged statistics and rank 0's I/O. */
#include "clgan/train.h"
#include "clgan/detection.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/finite.h"
#include "data/loader.h"
#include "device/context.h"
#include "nn/net.h"
#include "train/dist.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- the stop request ----------------------------------------------------- */
static volatile sig_atomic_t stop_request;

void clgan_train_request_stop(int sig) { stop_request = sig ? sig : 1; }
int clgan_train_stop_requested(void) { return (int)stop_request; }

clgan_train_params clgan_train_default_params(void)
{
    clgan_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 5;
    p.checkpoint_every = 1;
    p.eval_every = 1;
    p.metric_name = "test_accuracy";
    return p;
}

/* "clgan: " + a line on messages, when there is a stream. */
static void note(FILE *messages, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note(FILE *messages, const char *fmt, ...)
{
    if (!messages) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("clgan: ", messages);
    vfprintf(messages, fmt, ap);
    fputc('\n', messages);
    va_end(ap);
    fflush(messages);
}

/* ---- the run folder ------------------------------------------------------- */

/* "NAME.ckpt.tmp.PID.N" (the checkpoint writer's "%s.tmp.%ld.%u"): the PID, or 0. */
static long tmp_owner(const char *name)
{
    const char *p = strstr(name, ".ckpt.tmp.");
    if (!p || p == name) return 0;
    p += strlen(".ckpt.tmp.");
    char *end;
    if (*p < '0' || *p > '9') return 0;
    long pid = strtol(p, &end, 10);
    if (*end != '.' || end[1] < '0' || end[1] > '9') return 0;
    for (p = end + 1; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return pid;
}

/* Remove the checkpoint writers' temporary files of processes that no longer
 * run, and log.csv.tmp (the log trimmer's). */
static void remove_stale_tmp(const char *out, FILE *messages)
{
    DIR *d = opendir(out);
    if (!d) return; /* a new folder */
    int removed = 0;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d))) {
        long pid = tmp_owner(e->d_name);
        if (!pid && strcmp(e->d_name, "log.csv.tmp")) continue;
        /* A writer that still runs (another process on the same folder) keeps its file. */
        if (pid && (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)) continue;
        snprintf(path, sizeof path, "%s/%s", out, e->d_name);
        if (remove(path) == 0) removed++;
        else note(messages, "warning: cannot remove the stale temporary file %s: %s", path, strerror(errno));
    }
    closedir(d);
    if (removed)
        note(messages, "removed %d temporary file%s that an interrupted run left in %s", removed,
             removed == 1 ? "" : "s", out);
}

clgan_status clgan_train_check_out(const char *out_dir, int resume, FILE *messages)
{
    if (!out_dir || !out_dir[0]) return clgan_fail(CLGAN_ERR_INVALID_ARG, "training needs a run folder (out_dir)");
    char ckpt[1100];
    if ((size_t)snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", out_dir) >= sizeof ckpt)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the run folder's name is too long (%zu bytes)", strlen(out_dir));
    FILE *probe = fopen(ckpt, "rb");
    int have = probe != NULL;
    if (probe) fclose(probe);
    if (resume && !have) return clgan_fail(CLGAN_ERR_INVALID_ARG, "nothing to resume: %s does not exist", ckpt);
    if (clgan_dist_rank() != 0) return CLGAN_OK; /* rank 0 owns the run folder */
    if (!resume && have)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s already holds a run (%s). Continue it with --resume, or choose another --out", out_dir,
                          ckpt);
    remove_stale_tmp(out_dir, messages);
    return CLGAN_OK;
}

/* The whole file, NUL-terminated; NULL when it cannot be read (errno set). */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb, cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf) errno = ENOMEM;
    else if (err) {
        free(buf);
        buf = NULL;
        errno = EIO;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int count_fields(const char *line, size_t len)
{
    int n = 1;
    for (size_t i = 0; i < len; i++) n += line[i] == ',';
    return n;
}

clgan_status clgan_train_trim_log(const char *path, int64_t step, const char *header)
{
    if (!path || !header) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_trim_log: path and header are required");
    size_t len = 0;
    char *text = read_text(path, &len);
    if (!text && errno != ENOENT) return clgan_fail(CLGAN_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        free(text);
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "log path too long (%zu bytes)", strlen(path));
    }
    FILE *out = fopen(tmp, "w");
    if (!out) {
        int err = errno;
        free(text);
        return clgan_fail(CLGAN_ERR_IO, "cannot write %s: %s", tmp, strerror(err));
    }
    const char *p = text ? text : "", *end = p + len;
    /* The header: the file's first line when it is whole and not a row. */
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    int fields;
    if (nl && (*p < '0' || *p > '9')) {
        fields = count_fields(p, (size_t)(nl - p));
        fwrite(p, 1, (size_t)(nl + 1 - p), out);
        p = nl + 1;
    } else {
        fields = count_fields(header, strlen(header));
        fprintf(out, "%s\n", header);
    }
    long long last = 0;
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        char *after;
        errno = 0;
        long long s = strtoll(p, &after, 10);
        if (after > p && *after == ',' && !errno && s > last && s <= step &&
            count_fields(p, (size_t)(nl - p)) == fields) {
            fwrite(p, 1, (size_t)(nl + 1 - p), out);
            last = s;
        }
        p = nl + 1;
    } /* a last line without its line break was cut: dropped */
    free(text);
    int ok = !ferror(out);
    ok = fflush(out) == 0 && fsync(fileno(out)) == 0 && ok;
    ok = fclose(out) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        int err = errno;
        remove(tmp);
        return clgan_fail(CLGAN_ERR_IO, "cannot rewrite %s: %s", path, strerror(err));
    }
    return CLGAN_OK;
}

/* ---- the non-finite guard ------------------------------------------------- */
static const char *const block_what[] = {"parameters", "batchnorm statistics", "optimizer state", "optimizer state"};

int clgan_train_nets_finite(clgan_net *const *nets, const char *const *names, int n, size_t *bad, char *what,
                            size_t cap)
{
    if (!bad || (n > 0 && (!nets || !names)) || (cap && !what)) {
        clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_nets_finite: NULL nets, names, bad or what");
        return -1;
    }
    *bad = 0;
    if (cap) what[0] = '\0';
    for (int i = 0; i < n; i++)
        for (int b = CLGAN_NET_PARAMS; b <= CLGAN_NET_OPT_V; b++) {
            size_t count = clgan_net_block_floats(nets[i], (clgan_net_block)b);
            if (!count) continue;
            float *buf = malloc(count * sizeof *buf);
            if (!buf) {
                clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory checking the weights (%zu floats)", count);
                return -1;
            }
            clgan_status st = clgan_net_read_block(nets[i], (clgan_net_block)b, buf);
            size_t nonfinite = st == CLGAN_OK ? clgan_count_nonfinite(buf, count) : 0;
            free(buf);
            if (st != CLGAN_OK) {
                clgan_fail_context(st, "checking %s's %s", names[i], block_what[b]);
                return -1;
            }
            if (!nonfinite) continue;
            *bad = nonfinite;
            snprintf(what, cap, "%zu of %s's %zu %s", nonfinite, names[i], count, block_what[b]);
            return 0;
        }
    return 1;
}

/* ---- the loop -------------------------------------------------------------- */
typedef struct run_state {
    const clgan_train_target *t;
    const clgan_train_params *p;
    clgan_train_result *r;
    char best_path[1100];
    double best;       /* the best metric so far; NaN when none */
    int has_eval;
    const clgan_reducer *reducer; /* data-parallel; NULL alone */
    int lead;          /* rank 0 (or alone): writes the run folder, runs the callbacks */
    int sync_bn;
} run_state;

/* What a failure leaves: which step the checkpoint holds, and what to try. */
static void saved_text(const run_state *s, char *out, size_t cap)
{
    const char *advice = s->p->advice && s->p->advice[0] ? s->p->advice : NULL;
    if (s->r->saved >= 0)
        snprintf(out, cap, "%s was not overwritten: it holds the last good weights, of step %lld%s%s",
                 s->r->checkpoint, (long long)s->r->saved, advice ? "; " : "", advice ? advice : "");
    else
        snprintf(out, cap, "no checkpoint was written (%s holds none)%s%s", s->r->checkpoint, advice ? "; " : "",
                 advice ? advice : "");
}

/* CLGAN_OK when every weight is finite; otherwise CLGAN_ERR_CHECK_FAILED saying
 * what, after which step, what the checkpoint holds and what to try. */
static clgan_status check_weights(run_state *s, int epoch)
{
    const clgan_train_target *t = s->t;
    size_t bad = 0;
    char what[256] = "";
    int ok = 1;
    if (t->net_count > 0) {
        ok = clgan_train_nets_finite(t->nets, t->net_names, t->net_count, &bad, what, sizeof what);
        if (ok < 0) return clgan_fail_context(CLGAN_ERR_CHECK_FAILED, "after step %lld", (long long)s->r->step);
    }
    if (ok && t->check_finite) {
        clgan_status st = t->check_finite(t->self, &bad, what, sizeof what);
        if (st != CLGAN_OK) return st;
        ok = bad == 0;
    }
    int any_bad = !ok; /* data-parallel: every rank stops when one finds a bad value */
    TRY(clgan_dist_max_int(&any_bad));
    if (ok && any_bad) snprintf(what, sizeof what, "another rank's weights");
    if (!any_bad) return CLGAN_OK;
    char kept[1600];
    saved_text(s, kept, sizeof kept);
    return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged: %s are NaN or infinite after step %lld (epoch %d); %s",
                      what, (long long)s->r->step, epoch, kept);
}

/* The best metric in a log's metric column: the third field from the end
 * (..., metric, images_per_sec, seconds), counted on its header line. */
static double best_in_log(const char *path, int lower_better)
{
    size_t len = 0;
    char *text = read_text(path, &len);
    double best = NAN;
    if (!text) return best;
    char *line = strchr(text, '\n'); /* after the header */
    int col = count_fields(text, line ? (size_t)(line - text) : len) - 3;
    while (line && *++line) {
        char *nl = strchr(line, '\n');
        const char *f = line;
        for (int i = 0; i < col && f && (!nl || f < nl); i++) {
            f = strchr(f, ',');
            if (f) f++;
        }
        if (f && (!nl || f < nl) && *f != ',' && *f != '\n') {
            char *end;
            double v = strtod(f, &end);
            if (end > f && isfinite(v) && (isnan(best) || (lower_better ? v < best : v > best))) best = v;
        }
        line = nl;
    }
    free(text);
    return best;
}

/* The log's header line: the target's stat_columns, or else the names of a
 * step's statistics (stats; NULL before the first step). */
static void log_header(const run_state *s, const clgan_step_stats *stats, char *out, size_t cap)
{
    char names[CLGAN_STATS_MAX * 64] = "";
    const char *cols = s->t->stat_columns;
    if (!cols) {
        size_t n = 0;
        for (int i = 0; stats && i < stats->count && i < CLGAN_STATS_MAX && n < sizeof names; i++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? "," : "",
                                  stats->names[i] ? stats->names[i] : "value");
        cols = names;
    }
    snprintf(out, cap, "step,epoch%s%s%s%s,images_per_sec,seconds", cols[0] ? "," : "", cols, s->has_eval ? "," : "",
             s->has_eval ? s->p->metric_name : "");
}

/* Append one whole line and flush it, so the file ends at a line end unless
 * the process dies inside the write. */
static clgan_status log_line(FILE *log, const char *path, const char *line)
{
    if (fputs(line, log) < 0 || fputc('\n', log) < 0 || fflush(log) != 0)
        return clgan_fail(CLGAN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return CLGAN_OK;
}

/* Data-parallel without synchronised batchnorm: each rank's running
 * statistics become their mean over the ranks (before an evaluation or a
 * checkpoint, so both see the whole batch's statistics); spectral-norm
 * vectors, the same on every rank, are kept. */
static clgan_status average_statistics(run_state *s)
{
    const clgan_reducer *r = s->reducer;
    if (!r || s->sync_bn) return CLGAN_OK;
    for (int i = 0; i < s->t->net_count; i++) {
        clgan_status st = clgan_net_average_statistics(s->t->nets[i], r);
        if (st != CLGAN_OK) return clgan_fail_context(st, "averaging %s's batchnorm statistics", s->t->net_names[i]);
    }
    return CLGAN_OK;
}

/* Data-parallel start: every rank takes rank 0's weights, statistics and
 * optimizer state (the same seed and file give the same, but devices of
 * other kinds or a file that differs between hosts need not). */
static clgan_status share_start(const run_state *s)
{
    for (int i = 0; s->reducer && i < s->t->net_count; i++) {
        clgan_net *net = s->t->nets[i];
        for (int b = CLGAN_NET_PARAMS; b <= CLGAN_NET_OPT_V; b++) {
            size_t n = clgan_net_block_floats(net, (clgan_net_block)b);
            if (!n) continue;
            float *buf = malloc(n * sizeof *buf);
            if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %zu floats", n);
            clgan_status st = clgan_net_read_block(net, (clgan_net_block)b, buf);
            if (st == CLGAN_OK) st = clgan_dist_bcast_floats(buf, n);
            if (st == CLGAN_OK) st = clgan_net_write_block(net, (clgan_net_block)b, buf);
            free(buf);
            if (st != CLGAN_OK) return clgan_fail_context(st, "sharing %s's starting %s", s->t->net_names[i], block_what[b]);
        }
    }
    return CLGAN_OK;
}

/* The mean of the step's statistics over the ranks. */
static clgan_status average_stats(const run_state *s, clgan_step_stats *stats)
{
    const clgan_reducer *r = s->reducer;
    if (!r || stats->count <= 0) return CLGAN_OK;
    double v[CLGAN_STATS_MAX];
    int n = stats->count < CLGAN_STATS_MAX ? stats->count : CLGAN_STATS_MAX;
    memcpy(v, stats->values, (size_t)n * sizeof *v);
    TRY(r->sum_doubles(r->self, v, (size_t)n));
    for (int i = 0; i < n; i++) stats->values[i] = v[i] / r->ranks;
    return CLGAN_OK;
}

/* Write the checkpoint (and the copies asked for) at the current step;
 * on_checkpoint before it, except for the one a stop request writes. */
static clgan_status save_checkpoint(run_state *s, const clgan_train_progress *pr, int epoch_end, int stopping)
{
    const clgan_train_params *p = s->p;
    TRY(check_weights(s, pr->epoch));
    TRY(average_statistics(s));
    if (!s->lead) { /* rank 0 writes it */
        s->r->saved = pr->step;
        return CLGAN_OK;
    }
    if (p->on_checkpoint && !stopping) TRY(p->on_checkpoint(p->user, pr));
    clgan_status st = s->t->save(s->t->self, s->r->checkpoint, p->note);
    if (st != CLGAN_OK) return clgan_fail_context(st, "checkpoint of step %lld", (long long)pr->step);
    s->r->saved = pr->step;
    if (p->keep_every > 0 && epoch_end && pr->epoch % p->keep_every == 0) {
        char copy[1200];
        snprintf(copy, sizeof copy, "%s/checkpoint-epoch-%04d.ckpt", p->out_dir, pr->epoch);
        st = s->t->save(s->t->self, copy, p->note);
        if (st != CLGAN_OK) return clgan_fail_context(st, "periodic copy");
    }
    if (p->keep_best && pr->evaluated && isfinite(pr->metric) &&
        (isnan(s->best) || (p->metric_lower_better ? pr->metric < s->best : pr->metric > s->best))) {
        st = s->t->save(s->t->self, s->best_path, p->note);
        if (st != CLGAN_OK) return clgan_fail_context(st, "best checkpoint");
        s->best = pr->metric;
    }
    return CLGAN_OK;
}

/* The evaluation on the test split: rank 0's, its metric shared with every rank. */
static clgan_status evaluate(run_state *s, double *metric)
{
    TRY(average_statistics(s));
    double m = NAN;
    if (s->lead) {
        clgan_status st = s->t->evaluate(s->t->self, s->p->test, &m);
        if (st != CLGAN_OK) return clgan_fail_context(st, "evaluating the test split");
    }
    TRY(clgan_dist_bcast_doubles(&m, 1));
    *metric = m;
    return CLGAN_OK;
}

static clgan_status check_params(const clgan_train_target *t, const clgan_train_params *p)
{
    if (!t || !p || !t->step || !t->save)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_run needs a target with step and save callbacks");
    if (t->batch < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "the target's batch is %d; expected 1 or more", t->batch);
    if (!p->train) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_run needs a training set (params.train)");
    if (p->train->n < t->batch)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has %d training images, fewer than one batch of %d",
                          p->train->source, p->train->n, t->batch);
    if (p->train2 && p->train2->n < t->batch)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has %d images in its second stream, fewer than one batch of %d",
                          p->train2->source, p->train2->n, t->batch);
    if (p->train2 && (p->train2->c != p->train->c || p->train2->h != p->train->h || p->train2->w != p->train->w))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the two training streams have different image shapes");
    if (p->steps < 0 || (p->steps == 0 && p->epochs < 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "training needs epochs >= 1 or steps >= 1 (got %d and %lld)",
                          p->epochs, (long long)p->steps);
    if (p->checkpoint_every < 1 || p->eval_every < 1 || p->keep_every < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "checkpoint_every and eval_every are 1 or more, keep_every 0 or more");
    if (t->evaluate && !p->test)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the target evaluates but params.test is not set");
    if (t->net_count < 0 || t->net_count > CLGAN_TRAIN_MAX_NETS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the target lists %d nets; at most %d", t->net_count,
                          CLGAN_TRAIN_MAX_NETS);
    return CLGAN_OK;
}

static clgan_status make_loader(const clgan_dataset *d, int batch, uint64_t seed, clgan_loader **out)
{
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = batch;
    lo.seed = seed;
    lo.drop_last = 1;
    return clgan_loader_create(d, &lo, out);
}

clgan_status clgan_train_run(const clgan_train_target *t, const clgan_train_params *p, clgan_train_result *r)
{
    if (!r) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_run needs a result");
    memset(r, 0, sizeof *r);
    r->saved = -1;
    r->metric = NAN;
    TRY(check_params(t, p));
    const clgan_reducer *red = clgan_dist_reducer();
    int ranks = red ? red->ranks : 1, lead = !red || red->rank == 0;
    if (t->batch % ranks)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "a batch of %d cannot be split evenly over %d ranks: choose a --batch that is a multiple of %d",
                          t->batch, ranks, ranks);
    int local = t->batch / ranks, first = red ? red->rank * local : 0;
    r->ranks = ranks;
    clgan_dist_stats sync0;
    clgan_dist_get_stats(&sync0);
    TRY(clgan_train_check_out(p->out_dir, p->resume, lead ? p->messages : NULL));
    if (lead && clgan_make_dirs(p->out_dir) != 0)
        return clgan_fail(CLGAN_ERR_IO, "cannot create the run folder %s: %s", p->out_dir, strerror(errno));
    run_state s = {t, p, r, "", NAN, t->evaluate != NULL, red, lead, p->sync_bn};
    snprintf(r->checkpoint, sizeof r->checkpoint, "%s/checkpoint.ckpt", p->out_dir);
    snprintf(r->log, sizeof r->log, "%s/log.csv", p->out_dir);
    snprintf(s.best_path, sizeof s.best_path, "%s/best.ckpt", p->out_dir);
    r->start = r->step = t->steps;
    if (p->resume) r->saved = t->steps;

    int64_t total = INT64_MAX; /* the step to train to, once the loader knows an epoch's steps */
    clgan_loader *main_l = NULL, *second_l = NULL;
    float *x = NULL, *x2 = NULL;
    int32_t *y = NULL, *y2 = NULL;
    FILE *log = NULL;
    clgan_status st = make_loader(p->train, t->batch, p->seed, &main_l);
    if (st == CLGAN_OK && p->train2) st = make_loader(p->train2, t->batch, p->seed2, &second_l);
    if (st != CLGAN_OK) goto done;
    int64_t per_epoch = clgan_loader_steps_per_epoch(main_l);
    int64_t per_epoch2 = second_l ? clgan_loader_steps_per_epoch(second_l) : 1;
    total = p->steps > 0 ? p->steps : (int64_t)p->epochs * per_epoch;
    r->steps_per_epoch = per_epoch;
    size_t floats = clgan_loader_batch_floats(main_l);
    x = malloc(floats * sizeof *x);
    y = malloc((size_t)t->batch * sizeof *y);
    if (second_l) {
        x2 = malloc(floats * sizeof *x2);
        y2 = malloc((size_t)t->batch * sizeof *y2);
    }
    if (!x || !y || (second_l && (!x2 || !y2))) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for a batch of %d images", t->batch);
        goto done;
    }

    /* The log (rank 0's): a new one with its header, or the resumed run's trimmed to its checkpoint. */
    char header[1024];
    log_header(&s, NULL, header, sizeof header);
    if (lead && p->resume && clgan_train_trim_log(r->log, r->start, header) != CLGAN_OK)
        note(p->messages, "warning: could not trim %s back to step %lld: %s", r->log, (long long)r->start,
             clgan_last_error());
    if (lead && p->resume && p->keep_best && s.has_eval) s.best = best_in_log(r->log, p->metric_lower_better);
    if (lead) log = fopen(r->log, p->resume ? "a" : "w");
    if (lead && !log) {
        st = clgan_fail(CLGAN_ERR_IO, "cannot write %s: %s", r->log, strerror(errno));
        goto done;
    }
    /* Statistics logged: as many as stat_columns names, or all. */
    int logged = CLGAN_STATS_MAX;
    if (t->stat_columns) {
        logged = 1;
        for (const char *c = t->stat_columns; *c; c++) logged += *c == ',';
    }
    /* Without stat_columns the header waits for the first step's names. */
    int header_due = lead && !p->resume;
    if (header_due && t->stat_columns) {
        if ((st = log_line(log, r->log, header)) != CLGAN_OK) goto done;
        header_due = 0;
    }

    /* Resume: the batches an uninterrupted run would feed next. */
    if (r->start < total) {
        st = clgan_loader_seek(main_l, r->start / per_epoch, r->start % per_epoch);
        if (st == CLGAN_OK && second_l) st = clgan_loader_seek(second_l, r->start / per_epoch2, r->start % per_epoch2);
        if (st != CLGAN_OK) goto done;
    }
    if ((st = share_start(&s)) != CLGAN_OK) goto done;

    clgan_train_progress pr;
    memset(&pr, 0, sizeof pr);
    pr.start = r->start;
    pr.total = total;
    pr.steps_per_epoch = per_epoch;
    pr.epochs_total = (int)((total + per_epoch - 1) / per_epoch);
    pr.metric = NAN;
    pr.stats = &r->stats;
    double t0 = clgan_now_seconds();
    size_t per_image = floats / (size_t)t->batch;
    while (r->step < total) {
        /* A stop request on any rank stops every rank before the same step. */
        int stop_flag = (int)stop_request;
        if ((st = clgan_dist_max_int(&stop_flag)) != CLGAN_OK) goto done;
        if (stop_flag) {
            stop_request = stop_flag;
            break;
        }
        int epoch = (int)(r->step / per_epoch);
        st = clgan_loader_next(main_l, x, floats, y, (size_t)t->batch, NULL);
        if (st == CLGAN_OK && second_l) st = clgan_loader_next(second_l, x2, floats, y2, (size_t)t->batch, NULL);
        if (st != CLGAN_OK) {
            clgan_fail_context(st, "reading the training data");
            goto done;
        }
        /* This rank's share of the batch (alone: all of it). */
        clgan_train_batch b = {local, x + (size_t)first * per_image, y + first,
                               x2 ? x2 + (size_t)first * per_image : NULL, y2 ? y2 + first : NULL};
        memset(&r->stats, 0, sizeof r->stats);
        if (p->on_step_timing) p->on_step_timing(p->user, 1);
        st = t->step(t->self, &b, &r->stats);
        if (p->on_step_timing) p->on_step_timing(p->user, 0);
        if (st != CLGAN_OK) {
            char kept[1600];
            saved_text(&s, kept, sizeof kept);
            if (st == CLGAN_ERR_CHECK_FAILED && strstr(clgan_last_error(), "diverged")) {
                char why[1024];
                snprintf(why, sizeof why, "%s", clgan_last_error());
                clgan_fail(st, "training step %lld: %s; %s", (long long)r->step + 1, why, kept);
            } else clgan_fail_context(st, "training step %lld", (long long)r->step + 1);
            goto done;
        }
        if ((st = average_stats(&s, &r->stats)) != CLGAN_OK) goto done;
        r->step++;
        pr.step = r->step;
        pr.epoch = epoch + 1;
        pr.in_epoch = r->step - (int64_t)epoch * per_epoch;
        pr.seconds = clgan_now_seconds() - t0;
        pr.images_per_sec = (double)(r->step - r->start) * t->batch / (pr.seconds > 0 ? pr.seconds : 1);
        int epoch_end = pr.in_epoch == per_epoch, last = r->step == total;
        pr.evaluated = s.has_eval && ((epoch_end && pr.epoch % p->eval_every == 0) || last);
        int save = (epoch_end && pr.epoch % p->checkpoint_every == 0) || last;
        /* The weights are checked once an epoch, and before every checkpoint. */
        if ((epoch_end || last) && (st = check_weights(&s, pr.epoch)) != CLGAN_OK) goto done;
        if (lead && p->on_step && (st = p->on_step(p->user, &pr)) != CLGAN_OK) goto done;
        if (pr.evaluated) {
            if ((st = evaluate(&s, &pr.metric)) != CLGAN_OK) goto done;
            r->metric = pr.metric;
            r->evaluated = 1;
            if (lead && p->on_evaluated && (st = p->on_evaluated(p->user, &pr)) != CLGAN_OK) goto done;
        }
        if (!lead) { /* rank 0 logs */
            if (save && (st = save_checkpoint(&s, &pr, epoch_end, 0)) != CLGAN_OK) goto done;
            continue;
        }
        if (header_due) {
            log_header(&s, &r->stats, header, sizeof header);
            if ((st = log_line(log, r->log, header)) != CLGAN_OK) goto done;
            header_due = 0;
        }
        /* The row: step, epoch, the statistics, the metric where evaluated, speed, time. */
        char row[2048];
        size_t n = (size_t)snprintf(row, sizeof row, "%lld,%d", (long long)r->step, pr.epoch);
        for (int i = 0; i < r->stats.count && i < logged && n < sizeof row; i++)
            n += (size_t)snprintf(row + n, sizeof row - n, ",%.6g", r->stats.values[i]);
        if (s.has_eval && n < sizeof row)
            n += (size_t)(pr.evaluated ? snprintf(row + n, sizeof row - n, ",%.4f", pr.metric)
                                       : snprintf(row + n, sizeof row - n, ","));
        if (n < sizeof row) snprintf(row + n, sizeof row - n, ",%.1f,%.3f", pr.images_per_sec, pr.seconds);
        if ((st = log_line(log, r->log, row)) != CLGAN_OK) goto done;
        if (save && (st = save_checkpoint(&s, &pr, epoch_end, 0)) != CLGAN_OK) goto done;
    }
    if (stop_request && r->step < total) { /* a request during the last step: the run is complete */
        r->stopped = (int)stop_request;
        /* One checkpoint at the step reached, unless the newest holds it (a new
         * run stopped before its first step saves its initial weights). */
        if (r->saved != r->step) {
            pr.evaluated = 0;
            if ((st = save_checkpoint(&s, &pr, 0, 1)) != CLGAN_OK) goto done;
        }
    } else if (s.has_eval && !r->evaluated) {
        /* Nothing left to train (resumed at or past the end): still evaluate. */
        if ((st = evaluate(&s, &r->metric)) != CLGAN_OK) goto done;
        r->evaluated = 1;
    }
    r->seconds = clgan_now_seconds() - t0;
    st = CLGAN_OK;
done:;
    clgan_dist_stats sync1;
    clgan_dist_get_stats(&sync1);
    r->sync_seconds = sync1.seconds - sync0.seconds;
    r->sync_wait_seconds = sync1.wait_seconds - sync0.wait_seconds;
    r->sync_calls = sync1.calls - sync0.calls;
    r->sync_bytes = sync1.bytes - sync0.bytes;
    if (stop_request && r->step < total) r->stopped = (int)stop_request;
    stop_request = 0; /* consumed */
    if (log && fclose(log) != 0 && st == CLGAN_OK) st = clgan_fail(CLGAN_ERR_IO, "cannot write %s", r->log);
    free(x);
    free(y);
    free(x2);
    free(y2);
    clgan_loader_free(main_l);
    clgan_loader_free(second_l);
    return st;
}

/* ---- over a model handle --------------------------------------------------- */
typedef struct model_target {
    clgan_model *m;
    clgan_model_kind kind;
    const clgan_train_params *params; /* its evaluate, when set, replaces the model's */
    float *pair; /* ssl: the labelled then the unlabelled batch, [2*batch,C,H,W] */
    size_t batch_floats;
    clgan_box *boxes;  /* detector: a batch's boxes, boxes_cap of them */
    int boxes_cap;
    int *box_start;    /* detector: [batch + 1] */
} model_target;

/* A detector's step: the boxes of the batch's scenes (its labels are scene indices) gathered. */
static clgan_status detector_step(model_target *mt, const clgan_train_batch *b, clgan_step_stats *stats)
{
    const clgan_detset *sc = mt->params->scenes;
    clgan_detset_info info;
    TRY(clgan_detset_get_info(sc, &info));
    int total = 0;
    mt->box_start[0] = 0;
    for (int i = 0; i < b->n; i++) {
        const clgan_box *bx;
        int nb;
        if (b->labels[i] < 0 || b->labels[i] >= info.count)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "image %d of the batch names scene %d; the scenes are 0..%d "
                              "(params.train must be clgan_detset_images of params.scenes)", i, b->labels[i],
                              info.count - 1);
        TRY(clgan_detset_boxes(sc, b->labels[i], &bx, &nb));
        if (total + nb > mt->boxes_cap) {
            int cap = 2 * (total + nb);
            clgan_box *more = realloc(mt->boxes, sizeof *more * (size_t)cap);
            if (!more) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d boxes", cap);
            mt->boxes = more, mt->boxes_cap = cap;
        }
        if (nb) memcpy(mt->boxes + total, bx, sizeof *bx * (size_t)nb);
        total += nb;
        mt->box_start[i + 1] = total;
    }
    return clgan_model_train_step_boxes(mt->m, b->images, mt->boxes, mt->box_start, stats);
}

static clgan_status model_step(void *self, const clgan_train_batch *b, clgan_step_stats *stats)
{
    model_target *mt = self;
    if (mt->kind == CLGAN_MODEL_DETECTOR) return detector_step(mt, b, stats);
    if (mt->kind != CLGAN_MODEL_SSL) return clgan_model_train_step(mt->m, b->images, b->labels, stats);
    memcpy(mt->pair, b->images2, mt->batch_floats * sizeof *mt->pair);
    memcpy(mt->pair + mt->batch_floats, b->images, mt->batch_floats * sizeof *mt->pair);
    return clgan_model_train_step(mt->m, mt->pair, b->labels2, stats);
}

static clgan_status model_save(void *self, const char *path, const char *note)
{
    return clgan_model_save(((model_target *)self)->m, path, note);
}

static clgan_status model_evaluate(void *self, const clgan_dataset *test, double *metric)
{
    const model_target *mt = self;
    if (mt->params->evaluate) return mt->params->evaluate(mt->params->user, test, metric);
    return clgan_model_evaluate(mt->m, test, NULL, metric);
}

clgan_status clgan_train_run_model(clgan_model *model, const clgan_train_params *params, clgan_train_result *result)
{
    if (!model || !params || !result)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_train_run_model needs a model, params and a result");
    clgan_model_info info;
    TRY(clgan_model_get_info(model, &info));
    if (info.kind == CLGAN_MODEL_DFEATURES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a dfeatures head trains on a whole set at once (clgan_model_fit), "
                                                 "not step by step");
    if (info.kind == CLGAN_MODEL_DETECTOR && !params->scenes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a detector model needs the scenes' boxes as params.scenes");
    if (info.kind == CLGAN_MODEL_SSL && !params->train2)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a semi-supervised model needs its labelled images as params.train2");
    char seed_text[32];
    TRY(clgan_model_get_setting(model, "seed", seed_text, sizeof seed_text));
    clgan_train_params p = *params;
    p.seed = strtoull(seed_text, NULL, 10);
    p.seed2 = p.seed * 2 + 7;
    /* Data-parallel: the model trains its share of every batch. */
    const clgan_reducer *red = clgan_dist_reducer();
    TRY(clgan_model_set_data_parallel(model, red, params->sync_bn));
    model_target mt = {model, info.kind, params, NULL,
                       (size_t)clgan_model_local_batch(model) * info.channels * info.height * info.width, NULL, 0,
                       NULL};
    clgan_train_target t;
    memset(&t, 0, sizeof t);
    t.self = &mt;
    t.batch = info.batch;
    t.steps = info.steps;
    t.stat_columns = params->stat_columns;
    t.step = model_step;
    t.save = model_save;
    int own_eval = info.kind != CLGAN_MODEL_GAN && info.kind != CLGAN_MODEL_DETECTOR; /* the others: params' */
    t.evaluate = params->test && (own_eval || params->evaluate) ? model_evaluate : NULL;
    /* G_ema too: every rank starts its average from rank 0's, and it is checked before a checkpoint */
    static const char *const net_names[] = {"G", "D", "C", "G_ema"};
    for (int i = 0; i < 4; i++) {
        clgan_net *net = clgan_model_net(model, net_names[i]);
        if (net) t.nets[t.net_count] = net, t.net_names[t.net_count++] = net_names[i];
    }
    if (info.kind == CLGAN_MODEL_SSL && !(mt.pair = malloc(2 * mt.batch_floats * sizeof *mt.pair)))
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for a batch of %d image pairs", info.batch);
    if (info.kind == CLGAN_MODEL_DETECTOR && !(mt.box_start = malloc(sizeof *mt.box_start * (size_t)(info.batch + 1))))
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for a batch's box offsets");
    clgan_status st = clgan_train_run(&t, &p, result);
    free(mt.pair);
    free(mt.boxes);
    free(mt.box_start);
    return st;
}
