/* test_driver.c — the training driver (clgan/train.h) over a host-only
 * target whose "weights" are a running hash of every batch it was fed: a
 * resume at any step ends where an uninterrupted run ends, with a second
 * stream too; a stop request saves once at the step reached; weights that
 * turn non-finite and a step that diverges leave the last good checkpoint;
 * log.csv is trimmed to the checkpoint; best and periodic copies; the run
 * folder checks and stale temporary files; then, on an OpenCL device when
 * there is one, the driver over real models (clgan_train_run_model): a GAN
 * resumed mid-epoch samples the same bytes as one trained in one go, a stop
 * request mid-run, a semi-supervised model's two streams and a classifier's
 * evaluation and best checkpoint. */
#include "test_files.h"
#include "test_util.h"

#include "core/error.h"
#include "data/dataset.h"

#include <math.h>

/* The fake model: w folds in every pixel and label of every batch, in order. */
typedef struct fake {
    double w;
    int64_t steps;
    int saves;            /* checkpoints written to checkpoint.ckpt */
    int other_saves;      /* best / periodic copies */
    int64_t nan_at;       /* step whose update makes w NaN (0: never) */
    int64_t diverge_at;   /* step that fails as a divergence (0: never) */
    int64_t stop_at;      /* step after which a stop is requested (0: never) */
    int evals;
    const double *metrics; /* evaluation i gives metrics[i] */
} fake;

static uint64_t bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* on_step_timing's state: inside a timed step, and the steps timed. */
static int timing_open, timed_steps, untimed_steps;

static void count_timing(void *user, int begin)
{
    (void)user;
    if (begin == timing_open) untimed_steps++; /* a begin inside a step or an end outside one */
    timing_open = begin;
    timed_steps += !begin;
}

static clgan_status fake_step(void *self, const clgan_train_batch *b, clgan_step_stats *stats)
{
    fake *f = self;
    untimed_steps += !timing_open && timed_steps >= 0; /* counted only while a test times steps */
    if (f->diverge_at && f->steps + 1 == f->diverge_at)
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged at step %lld: loss nan", (long long)f->diverge_at);
    double h = f->w;
    for (int i = 0; i < b->n * 16; i++) h = h * 1.000003 + b->images[i] * (1 + i % 7);
    for (int i = 0; i < b->n; i++) h = h * 0.999 + b->labels[i];
    if (b->images2)
        for (int i = 0; i < b->n * 16; i++) h = h * 1.000001 - b->images2[i];
    f->w = fmod(h, 1e6);
    f->steps++;
    if (f->nan_at && f->steps == f->nan_at) f->w = NAN;
    if (f->stop_at && f->steps == f->stop_at) clgan_train_request_stop(2);
    stats->count = 2;
    stats->names[0] = "loss", stats->values[0] = f->w / 1e6;
    stats->names[1] = "n", stats->values[1] = (double)b->n;
    return CLGAN_OK;
}

/* The checkpoint: w's bits and the step count, as text. */
static clgan_status fake_save(void *self, const char *path, const char *note)
{
    fake *f = self;
    (void)note;
    if (isnan(f->w)) return clgan_fail(CLGAN_ERR_CHECK_FAILED, "fake weights are NaN; not written");
    FILE *out = fopen(path, "w");
    if (!out) return clgan_fail(CLGAN_ERR_IO, "cannot write %s", path);
    fprintf(out, "%llu %lld\n", (unsigned long long)bits(f->w), (long long)f->steps);
    fclose(out);
    if (strstr(path, "/checkpoint.ckpt")) f->saves++;
    else f->other_saves++;
    return CLGAN_OK;
}

static int fake_load(const char *path, fake *f)
{
    FILE *in = fopen(path, "r");
    unsigned long long u;
    long long s;
    int ok = in && fscanf(in, "%llu %lld", &u, &s) == 2;
    if (in) fclose(in);
    if (!ok) return 0;
    memset(f, 0, sizeof *f);
    memcpy(&f->w, &u, sizeof f->w);
    f->steps = s;
    return 1;
}

static clgan_status fake_finite(void *self, size_t *bad, char *what, size_t cap)
{
    fake *f = self;
    *bad = isfinite(f->w) ? 0 : 1;
    snprintf(what, cap, "1 of the fake's 1 parameters");
    return CLGAN_OK;
}

static clgan_status fake_eval(void *self, const clgan_dataset *test, double *metric)
{
    fake *f = self;
    (void)test;
    *metric = f->metrics ? f->metrics[f->evals] : 0.5;
    f->evals++;
    return CLGAN_OK;
}

static clgan_train_target target_of(fake *f, int batch, int evaluate)
{
    clgan_train_target t;
    memset(&t, 0, sizeof t);
    t.self = f;
    t.batch = batch;
    t.steps = f->steps;
    t.stat_columns = "loss,n";
    t.step = fake_step;
    t.save = fake_save;
    t.evaluate = evaluate ? fake_eval : NULL;
    t.check_finite = fake_finite;
    return t;
}

/* n labelled 1x4x4 images with pixels from a seed. */
static clgan_dataset *make_data(int n, int seed)
{
    clgan_dataset *d;
    MUST(clgan_dataset_alloc(n, 1, 4, 4, 3, &d));
    for (int i = 0; i < n * 16; i++) d->pixels[i] = (uint8_t)((i * 37 + seed * 101) % 251);
    for (int i = 0; i < n; i++) d->labels[i] = (i * 7 + seed) % 3;
    snprintf(d->source, sizeof d->source, "fake-%d", seed);
    return d;
}

static char root[256];

static clgan_train_params params_for(const char *name, char *dir, size_t cap, const clgan_dataset *train)
{
    snprintf(dir, cap, "%s/%s", root, name);
    clgan_train_params p = clgan_train_default_params();
    p.out_dir = dir;
    p.train = train;
    p.seed = 11;
    p.epochs = 3;
    return p;
}

/* The rows of a log: their first fields joined by spaces. */
static void log_steps(const char *path, char *out, size_t cap)
{
    size_t len;
    char *text = (char *)test_read_file(path, &len);
    out[0] = '\0';
    if (!text) return;
    size_t o = 0;
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
        o += (size_t)snprintf(out + o, cap - o, "%lld ", atoll(line + 1));
    free(text);
}

static int count_lines_with_fields(const char *path, int fields)
{
    size_t len;
    char *text = (char *)test_read_file(path, &len);
    if (!text) return -1;
    int bad = 0, f = 1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ',') f++;
        else if (text[i] == '\n') bad += f != fields, f = 1;
    }
    free(text);
    return bad;
}

/* Resume at every step k of a 3-epoch run (14 images, batch 4: 3 steps an
 * epoch, the partial batch dropped) and compare with the uninterrupted run. */
static void test_resume_any_step(const clgan_dataset *train, const clgan_dataset *second)
{
    char dir[512];
    const int total = 9;
    fake whole = {0};
    clgan_train_params p = params_for(second ? "whole2" : "whole", dir, sizeof dir, train);
    p.train2 = second;
    p.seed2 = 5;
    clgan_train_target t = target_of(&whole, 4, 0);
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(r.step == total && r.steps_per_epoch == 3 && r.saved == total && whole.saves == 3,
           "uninterrupted run%s: %lld steps, %lld per epoch, saved at %lld, %d checkpoints (one per epoch)",
           second ? " with a second stream" : "", (long long)r.step, (long long)r.steps_per_epoch,
           (long long)r.saved, whole.saves);
    int same = 1;
    for (int k = 1; k < total; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s-k%d", second ? "two" : "one", k);
        fake a = {0};
        clgan_train_params q = params_for(name, dir, sizeof dir, train);
        q.train2 = second;
        q.seed2 = 5;
        q.steps = k;
        t = target_of(&a, 4, 0);
        MUST(clgan_train_run(&t, &q, &r));
        fake b;
        char ckpt[600];
        snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
        if (!fake_load(ckpt, &b) || b.steps != k) {
            printf("FAIL checkpoint after %d steps unreadable or wrong\n", k);
            failures++;
            continue;
        }
        q.steps = 0;
        q.resume = 1;
        t = target_of(&b, 4, 0);
        MUST(clgan_train_run(&t, &q, &r));
        if (bits(b.w) != bits(whole.w) || r.step != total) {
            printf("     resumed at %d: w %.17g vs %.17g\n", k, b.w, whole.w);
            same = 0;
        }
        char steps[256];
        log_steps(r.log, steps, sizeof steps);
        if (strcmp(steps, "1 2 3 4 5 6 7 8 9 ")) {
            printf("     resumed at %d: log steps '%s'\n", k, steps);
            same = 0;
        }
    }
    EXPECT(same, "a resume at every step 1..8 ends bit-exactly where the uninterrupted run ends, log 1..9 once%s",
           second ? " (second stream sought too)" : "");
}

static void test_stop(const clgan_dataset *train)
{
    char dir[512];
    fake f = {0};
    f.stop_at = 5;
    clgan_train_params p = params_for("stop", dir, sizeof dir, train);
    clgan_train_target t = target_of(&f, 4, 0);
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    fake k;
    char ckpt[600];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
    EXPECT(r.stopped == 2 && r.step == 5 && r.saved == 5 && f.saves == 2 && fake_load(ckpt, &k) && k.steps == 5,
           "a stop request after step 5 ends the run there with one more checkpoint (stopped %d, step %lld, "
           "%d checkpoints)", r.stopped, (long long)r.step, f.saves);
    EXPECT(clgan_train_stop_requested() == 0, "the run consumed the stop request");
    /* A stop on an epoch's last step: that step's checkpoint is the one. */
    fake g = {0};
    g.stop_at = 6;
    p = params_for("stop-epoch", dir, sizeof dir, train);
    t = target_of(&g, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(r.stopped && r.step == 6 && g.saves == 2, "a stop on an epoch end saves once, not twice (%d checkpoints)",
           g.saves);
    /* Resumed, it finishes the run; a request made before a run stops it before its first step. */
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
    fake h;
    fake_load(ckpt, &h);
    p.resume = 1;
    clgan_train_request_stop(15);
    t = target_of(&h, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(r.stopped == 15 && r.step == 6 && h.saves == 0, "a pending request stops before any step, nothing saved");
    t = target_of(&h, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(!r.stopped && r.step == 9 && h.saves == 1, "then the run resumes to its end (step %lld)", (long long)r.step);
    /* A stop during the last step: the run is complete, not stopped. */
    fake l = {0};
    l.stop_at = 9;
    p = params_for("stop-last", dir, sizeof dir, train);
    t = target_of(&l, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(!r.stopped && r.step == 9 && clgan_train_stop_requested() == 0,
           "a stop request during the last step leaves a complete run (stopped %d, step %lld)", r.stopped,
           (long long)r.step);
    /* A new run stopped before its first step: its initial weights are the checkpoint, so --resume works. */
    fake n0 = {0};
    p = params_for("stop-new", dir, sizeof dir, train);
    clgan_train_request_stop(2);
    t = target_of(&n0, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(r.stopped == 2 && r.step == 0 && r.saved == 0 && n0.saves == 1,
           "a new run stopped before its first step writes one checkpoint of step 0 (%d written)", n0.saves);
}

/* A fresh 3-epoch run of f in folder `name`; its status (the message in clgan_last_error()). */
static clgan_status run_fake(const char *name, fake *f, const clgan_dataset *train, clgan_train_result *r,
                             char *ckpt, size_t cap)
{
    char dir[512];
    clgan_train_params p = params_for(name, dir, sizeof dir, train);
    p.advice = "try a lower --lr";
    clgan_train_target t = target_of(f, 4, 0);
    snprintf(ckpt, cap, "%s/checkpoint.ckpt", dir);
    return clgan_train_run(&t, &p, r);
}

static void test_nonfinite(const clgan_dataset *train)
{
    char ckpt[600];
    clgan_train_result r;
    fake f = {0}, k;
    f.nan_at = 5; /* found at step 6, the end of epoch 2 */
    clgan_status st = run_fake("nan", &f, train, &r, ckpt, sizeof ckpt);
    const char *msg = clgan_last_error();
    EXPECT(st == CLGAN_ERR_CHECK_FAILED && strstr(msg, "NaN or infinite after step 6 (epoch 2)") &&
               strstr(msg, "was not overwritten: it holds the last good weights, of step 3") &&
               strstr(msg, "lower --lr"),
           "non-finite weights stop the run, naming the step, the kept checkpoint and the advice: %s", msg);
    EXPECT(fake_load(ckpt, &k) && k.steps == 3 && isfinite(k.w) && f.saves == 1,
           "... and the checkpoint still holds step 3's finite weights");
    /* A step that reports a divergence. */
    fake g = {0};
    g.diverge_at = 8;
    st = run_fake("diverge", &g, train, &r, ckpt, sizeof ckpt);
    msg = clgan_last_error();
    EXPECT(st == CLGAN_ERR_CHECK_FAILED && strstr(msg, "diverged at step 8") && strstr(msg, "of step 6") &&
               r.saved == 6,
           "a diverged step keeps the checkpoint of step 6 and says so: %s", msg);
    /* No checkpoint yet: the message says none was written. */
    fake h = {0};
    h.nan_at = 2;
    st = run_fake("nan-early", &h, train, &r, ckpt, sizeof ckpt);
    msg = clgan_last_error();
    EXPECT(st == CLGAN_ERR_CHECK_FAILED && strstr(msg, "no checkpoint was written") && h.saves == 0,
           "non-finite before the first checkpoint: none written: %s", msg);
}

static void test_log_trim(const clgan_dataset *train)
{
    char dir[512], ckpt[600], path[600];
    fake f = {0};
    clgan_train_params p = params_for("trim", dir, sizeof dir, train);
    p.steps = 4;
    clgan_train_target t = target_of(&f, 4, 0);
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
    /* Rows of unsaved training after the checkpoint, a short row, and a cut line. */
    FILE *log = fopen(r.log, "a");
    fprintf(log, "5,2,0.1,4,,\n6,2,0.1,4,1.0,2.0\n3,1\n7,3,0.5");
    fclose(log);
    fake k;
    fake_load(ckpt, &k);
    p.steps = 0;
    p.resume = 1;
    t = target_of(&k, 4, 0);
    MUST(clgan_train_run(&t, &p, &r));
    char steps[256];
    log_steps(r.log, steps, sizeof steps);
    EXPECT(!strcmp(steps, "1 2 3 4 5 6 7 8 9 "), "resume trims log.csv to the checkpoint's step 4: steps %s", steps);
    EXPECT(count_lines_with_fields(r.log, 6) == 0, "... every line has the header's 6 fields");
    size_t len;
    char *text = (char *)test_read_file(r.log, &len);
    EXPECT(text && !strncmp(text, "step,epoch,loss,n,images_per_sec,seconds\n", 41) && text[len - 1] == '\n',
           "... the header first, a line end last");
    free(text);
    /* The trimmer on its own: a file without a header gets the given one. */
    snprintf(path, sizeof path, "%s/bare.csv", root);
    test_write_file(path, "1,a\n2,b\n3,c\n", 12, 0);
    MUST(clgan_train_trim_log(path, 2, "step,x"));
    text = (char *)test_read_file(path, &len);
    EXPECT(text && !strcmp(text, "step,x\n1,a\n2,b\n"), "trim_log adds a missing header and drops rows past the step");
    free(text);
    snprintf(path, sizeof path, "%s/missing.csv", root);
    MUST(clgan_train_trim_log(path, 2, "step,x"));
    text = (char *)test_read_file(path, &len);
    EXPECT(text && !strcmp(text, "step,x\n"), "trim_log makes a missing file hold the header");
    free(text);
    char tmp1[700], tmp2[1200];
    snprintf(tmp1, sizeof tmp1, "%s/bare.csv.tmp", root);
    snprintf(tmp2, sizeof tmp2, "%s.tmp", r.log);
    EXPECT(access(tmp1, F_OK) != 0 && access(tmp2, F_OK) != 0, "no temporary file left beside the logs");
}

static void test_eval_best_copies(const clgan_dataset *train, const clgan_dataset *test)
{
    char dir[512], path[600];
    static const double metrics[] = {0.2, 0.6, 0.4, 0.9};
    fake f = {0};
    f.metrics = metrics;
    clgan_train_params p = params_for("best", dir, sizeof dir, train);
    p.test = test;
    p.keep_best = 1;
    p.keep_every = 2;
    p.epochs = 3;
    clgan_train_target t = target_of(&f, 4, 1);
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    fake b;
    snprintf(path, sizeof path, "%s/best.ckpt", dir);
    int best_ok = fake_load(path, &b) && b.steps == 6;
    snprintf(path, sizeof path, "%s/checkpoint-epoch-0002.ckpt", dir);
    fake c;
    int copy_ok = fake_load(path, &c) && c.steps == 6;
    snprintf(path, sizeof path, "%s/checkpoint-epoch-0001.ckpt", dir);
    int no_copy1 = access(path, F_OK) != 0;
    EXPECT(f.evals == 3 && r.evaluated && r.metric == 0.4, "one evaluation an epoch; the last metric %g", r.metric);
    EXPECT(best_ok && copy_ok && no_copy1, "best.ckpt holds the best epoch (2), and a copy every 2 epochs");
    /* The metric column: only at evaluations. */
    size_t len;
    char *text = (char *)test_read_file(r.log, &len);
    EXPECT(text && strstr(text, "step,epoch,loss,n,test_accuracy,images_per_sec,seconds\n") &&
               strstr(text, ",0.6000,") && count_lines_with_fields(r.log, 7) == 0,
           "log.csv has the metric column, filled at evaluations");
    free(text);
    /* Resumed to more epochs: the best so far comes from the log, and only a better one replaces it. */
    snprintf(path, sizeof path, "%s/checkpoint.ckpt", dir);
    fake k;
    fake_load(path, &k);
    static const double later[] = {0.5};
    k.metrics = later;
    p.resume = 1;
    p.epochs = 4;
    t = target_of(&k, 4, 1);
    MUST(clgan_train_run(&t, &p, &r));
    snprintf(path, sizeof path, "%s/best.ckpt", dir);
    EXPECT(fake_load(path, &b) && b.steps == 6 && k.other_saves == 1,
           "after a resume a worse metric (0.5 < 0.6) leaves best.ckpt (only the epoch-4 copy written)");
    /* Eval every 2 epochs: evaluated at epoch 2 and at the last step. */
    fake g = {0};
    p = params_for("eval2", dir, sizeof dir, train);
    p.test = test;
    p.eval_every = 2;
    p.checkpoint_every = 2;
    t = target_of(&g, 4, 1);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(g.evals == 2 && g.saves == 2, "eval_every/checkpoint_every 2 over 3 epochs: %d evaluations, %d checkpoints",
           g.evals, g.saves);
    /* Resumed at its end: nothing to train, still one evaluation. */
    snprintf(path, sizeof path, "%s/checkpoint.ckpt", dir);
    fake_load(path, &k);
    p.resume = 1;
    t = target_of(&k, 4, 1);
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(r.step == 9 && k.evals == 1 && r.evaluated, "resumed at its end: no step, one evaluation");
}

/* stat_columns naming fewer statistics than a step gives logs only those;
 * on_step_timing brackets every step and nothing else. */
static void test_columns_timing(const clgan_dataset *train)
{
    char dir[512];
    fake f = {0};
    clgan_train_target t = target_of(&f, 4, 0);
    t.stat_columns = "loss";
    clgan_train_params p = params_for("timing", dir, sizeof dir, train);
    p.on_step_timing = count_timing;
    timing_open = timed_steps = untimed_steps = 0;
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    EXPECT(timed_steps == 9 && untimed_steps == 0 && !timing_open,
           "on_step_timing brackets each of the 9 steps (%d timed, %d outside)", timed_steps, untimed_steps);
    size_t len;
    char *text = (char *)test_read_file(r.log, &len);
    EXPECT(text && !strncmp(text, "step,epoch,loss,images_per_sec,seconds\n", 39) && count_lines_with_fields(r.log, 5) == 0,
           "stat_columns \"loss\": the header and every row have 5 fields: %.40s", text ? text : "(none)");
    free(text);
    timed_steps = -1; /* no longer counting */
}

static void test_out_dir(const clgan_dataset *train)
{
    char dir[512], path[1200];
    fake f = {0};
    clgan_train_params p = params_for("out", dir, sizeof dir, train);
    p.steps = 2;
    clgan_train_target t = target_of(&f, 4, 0);
    clgan_train_result r;
    MUST(clgan_train_run(&t, &p, &r));
    clgan_status st = clgan_train_run(&t, &p, &r);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "already holds a run"),
           "a new run into a folder with a checkpoint is refused: %s", clgan_last_error());
    snprintf(dir, sizeof dir, "%s/none", root);
    st = clgan_train_check_out(dir, 1, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "nothing to resume"),
           "a resume without a checkpoint is refused: %s", clgan_last_error());
    /* A killed writer's temporary files (a PID no process has) and the trimmer's go; a live one's stays. */
    snprintf(dir, sizeof dir, "%s/out", root);
    snprintf(path, sizeof path, "%s/checkpoint.ckpt.tmp.999999999.0", dir);
    test_write_file(path, "x", 1, 0);
    snprintf(path, sizeof path, "%s/best.ckpt.tmp.999999998.3", dir);
    test_write_file(path, "x", 1, 0);
    snprintf(path, sizeof path, "%s/log.csv.tmp", dir);
    test_write_file(path, "x", 1, 0);
    char live[1200];
    snprintf(live, sizeof live, "%s/checkpoint.ckpt.tmp.%ld.0", dir, (long)getppid());
    test_write_file(live, "x", 1, 0);
    char msgs[512] = "";
    FILE *m = fmemopen(msgs, sizeof msgs, "w");
    MUST(clgan_train_check_out(dir, 1, m));
    fclose(m);
    EXPECT(strstr(msgs, "removed 3 temporary files that an interrupted run left") && access(live, F_OK) == 0,
           "stale temporary files removed and counted, a running writer's kept: %s", msgs);
    remove(live);
    /* Too few images for one batch; no steps. */
    p = params_for("tiny", dir, sizeof dir, train);
    t = target_of(&f, 64, 0);
    st = clgan_train_run(&t, &p, &r);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "fewer than one batch of 64"),
           "fewer images than a batch: %s", clgan_last_error());
}

/* ---- real models ------------------------------------------------------------ */
static clgan_model *new_model(clgan_ctx *ctx, clgan_model_kind kind, const char *arch, int classes, const char *settings)
{
    clgan_model_params mp = clgan_model_default_params(kind);
    mp.arch = arch, mp.classes = classes, mp.settings = settings;
    clgan_model *m;
    MUST(clgan_model_create(ctx, &mp, &m));
    return m;
}

static int64_t steps_of(const clgan_model *m)
{
    clgan_model_info info;
    MUST(clgan_model_get_info(m, &info));
    return info.steps;
}

static clgan_status stop_at_3(void *user, const clgan_train_progress *p)
{
    (void)user;
    if (p->step == 3) clgan_train_request_stop(15);
    return CLGAN_OK;
}

/* An evaluation override: a fixed metric, counted. */
static int override_evals;
static clgan_status fixed_metric(void *user, const clgan_dataset *test, double *metric)
{
    (void)user, (void)test;
    override_evals++;
    *metric = 0.25;
    return CLGAN_OK;
}

static void test_real_models(clgan_ctx *ctx)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.synthetic_train = 40, o.synthetic_test = 20;
    clgan_dataset *data, *test;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &o, &data));
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &o, &test));
    const char *gan_settings = "batch=8 width=4 nz=8 seed=3"; /* 5 steps an epoch */
    char dir[512], ckpt[600];
    clgan_train_result r;

    /* A GAN: 2 epochs in one go, and 3 steps then a resume from the checkpoint. */
    clgan_model *whole = new_model(ctx, CLGAN_MODEL_GAN, "dcgan28", 0, gan_settings);
    clgan_train_params p = params_for("gan-whole", dir, sizeof dir, data);
    p.epochs = 2;
    MUST(clgan_train_run_model(whole, &p, &r));
    EXPECT(r.step == 10 && steps_of(whole) == 10 && r.saved == 10, "model GAN: 2 epochs of 5 steps, saved at %lld",
           (long long)r.saved);
    clgan_model *part = new_model(ctx, CLGAN_MODEL_GAN, "dcgan28", 0, gan_settings);
    p = params_for("gan-part", dir, sizeof dir, data);
    p.steps = 3;
    MUST(clgan_train_run_model(part, &p, &r));
    clgan_model_free(part);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
    clgan_model *resumed;
    MUST(clgan_model_load(ctx, ckpt, &resumed, NULL, 0));
    p.steps = 0;
    p.epochs = 2;
    p.resume = 1;
    MUST(clgan_train_run_model(resumed, &p, &r));
    float a[4 * 28 * 28], b[4 * 28 * 28];
    MUST(clgan_model_sample(whole, 4, NULL, 9, a));
    MUST(clgan_model_sample(resumed, 4, NULL, 9, b));
    EXPECT(steps_of(resumed) == 10 && !memcmp(a, b, sizeof a),
           "model GAN resumed at step 3 (mid-epoch) samples the same bytes as the run in one go");
    char steps[256];
    log_steps(r.log, steps, sizeof steps);
    EXPECT(!strcmp(steps, "1 2 3 4 5 6 7 8 9 10 "), "... and its log holds steps 1..10 once: %s", steps);
    clgan_model_free(resumed);

    /* A stop request from the step callback: one checkpoint at the step reached. */
    clgan_model *stopped = new_model(ctx, CLGAN_MODEL_GAN, "dcgan28", 0, gan_settings);
    p = params_for("gan-stop", dir, sizeof dir, data);
    p.on_step = stop_at_3;
    MUST(clgan_train_run_model(stopped, &p, &r));
    clgan_model_free(stopped);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.ckpt", dir);
    MUST(clgan_model_load(ctx, ckpt, &stopped, NULL, 0));
    EXPECT(r.stopped == 15 && r.step == 3 && r.saved == 3 && steps_of(stopped) == 3,
           "model GAN: a stop request after step 3 leaves a checkpoint of step 3");
    clgan_model_free(stopped);

    /* Semi-supervised: the labelled stream as train2, evaluated on the test split. */
    clgan_model *ssl = new_model(ctx, CLGAN_MODEL_SSL, "ssl28", 10, "batch=8 width=4 nz=8");
    p = params_for("ssl", dir, sizeof dir, data);
    p.steps = 4;
    p.test = test;
    clgan_status st = clgan_train_run_model(ssl, &p, &r);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "train2"),
           "model SSL without its labelled stream is refused: %s", clgan_last_error());
    p.train2 = data;
    MUST(clgan_train_run_model(ssl, &p, &r));
    EXPECT(r.step == 4 && r.evaluated && r.metric >= 0 && r.metric <= 1 && steps_of(ssl) == 4,
           "model SSL: 4 steps over two streams, test accuracy %.3f", r.metric);
    clgan_model_free(ssl);

    /* A classifier: evaluation each epoch, best.ckpt, the log's metric column. */
    clgan_model *clf = new_model(ctx, CLGAN_MODEL_CLASSIFIER, "lenet28", 10, "batch=8 width=4 seed=2");
    p = params_for("clf", dir, sizeof dir, data);
    p.epochs = 2;
    p.test = test;
    p.keep_best = 1;
    MUST(clgan_train_run_model(clf, &p, &r));
    char best[600];
    snprintf(best, sizeof best, "%s/best.ckpt", dir);
    clgan_model *b_m = NULL;
    EXPECT(r.evaluated && clgan_model_load(ctx, best, &b_m, NULL, 0) == CLGAN_OK && steps_of(b_m) >= 5,
           "model classifier: evaluated (accuracy %.3f), best.ckpt loads", r.metric);
    clgan_model_free(b_m);
    size_t len;
    char *text = (char *)test_read_file(r.log, &len);
    EXPECT(text && !strncmp(text, "step,epoch,loss,accuracy,lr,labelled,test_accuracy,images_per_sec,seconds\n", 73),
           "... its log's header comes from the model's statistics: %.72s", text ? text : "(none)");
    free(text);
    clgan_model_free(clf);

    /* The command's own evaluation and log columns over a model. */
    clf = new_model(ctx, CLGAN_MODEL_CLASSIFIER, "lenet28", 10, "batch=8 width=4 seed=2");
    p = params_for("clf-override", dir, sizeof dir, data);
    p.epochs = 2;
    p.test = test;
    p.evaluate = fixed_metric;
    p.stat_columns = "loss,batch_accuracy,lr";
    override_evals = 0;
    MUST(clgan_train_run_model(clf, &p, &r));
    EXPECT(override_evals == 2 && r.evaluated && r.metric == 0.25,
           "params.evaluate replaces the model's: %d evaluations, metric %g", override_evals, r.metric);
    text = (char *)test_read_file(r.log, &len);
    EXPECT(text && !strncmp(text, "step,epoch,loss,batch_accuracy,lr,test_accuracy,images_per_sec,seconds\n", 71) &&
               count_lines_with_fields(r.log, 8) == 0,
           "... params.stat_columns names (and bounds) the logged statistics: %.70s", text ? text : "(none)");
    free(text);
    clgan_model_free(clf);
    clgan_model_free(whole);
    clgan_dataset_free(data);
    clgan_dataset_free(test);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/clgan_test_driver_%ld", (long)getpid());
    test_rm_rf(root);
    mkdir(root, 0755);
    clgan_dataset *train = make_data(14, 1), *second = make_data(9, 2), *test = make_data(5, 3);
    test_resume_any_step(train, NULL);
    test_resume_any_step(train, second);
    test_stop(train);
    test_nonfinite(train);
    test_log_trim(train);
    test_eval_best_copies(train, test);
    test_out_dir(train);
    test_columns_timing(train);
    clgan_dataset_free(train);
    clgan_dataset_free(second);
    clgan_dataset_free(test);
    clgan_ctx *ctx;
    if (clgan_ctx_create(NULL, &ctx) == CLGAN_OK) {
        test_real_models(ctx);
        clgan_ctx_free(ctx);
    } else printf("skipped the tests over real models (no OpenCL device): %s\n", clgan_last_error());
    if (!failures) test_rm_rf(root);
    return test_finish();
}
