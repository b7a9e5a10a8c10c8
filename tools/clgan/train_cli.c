/* train_cli.c — the progress bar, --profile timing, signal handling and the
 * end of a run for the training commands around clgan_train_run_model. */
#include "train_cli.h"
#include "classifier_report.h"
#include "cli_settings.h"
#include "run_dir.h"

#include <stdio.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct run_user {
    train_cli *tc;
    void *user;
    clgan_status (*on_evaluated)(void *user, const clgan_train_progress *p);
    clgan_status (*on_checkpoint)(void *user, const clgan_train_progress *p);
    clgan_status (*evaluate)(void *user, const clgan_dataset *test, double *metric);
} run_user;


static clgan_status on_step(void *user, const clgan_train_progress *p)
{
    train_cli *tc = ((run_user *)user)->tc;
    char metrics[200] = "";
    if (tc->metrics) tc->metrics(p->stats, metrics, sizeof metrics);
    progress_update(&tc->prog, p->epoch, p->in_epoch, p->steps_per_epoch, tc->batch, metrics);
    return CLGAN_OK;
}

static clgan_status on_evaluated(void *user, const clgan_train_progress *p)
{
    run_user *u = user;
    return u->on_evaluated ? u->on_evaluated(u->user, p) : CLGAN_OK;
}

static clgan_status on_checkpoint(void *user, const clgan_train_progress *p)
{
    run_user *u = user;
    return u->on_checkpoint ? u->on_checkpoint(u->user, p) : CLGAN_OK;
}

static clgan_status evaluate(void *user, const clgan_dataset *test, double *metric)
{
    run_user *u = user;
    return u->evaluate(u->user, test, metric);
}

static void begin(train_cli *tc, clgan_train_params *params, int64_t start);
static int finish(train_cli *tc, clgan_status st, const clgan_train_result *result);

/* --profile times the steps alone. */
static void step_timing(void *user, int started)
{
    train_cli *tc = ((run_user *)user)->tc;
    if (started) profile_run_step_begin(&tc->prof, tc->ctx);
    else profile_run_step_end(&tc->prof, tc->ctx);
}

int train_cli_run_model(train_cli *tc, clgan_model *model, clgan_train_params *params, clgan_train_result *result,
                        void *user)
{
    clgan_model_info info;
    if (clgan_model_get_info(model, &info) != CLGAN_OK) return cli_fail(NULL);
    run_user u = {tc, user, params->on_evaluated, params->on_checkpoint, NULL};
    tc->batch = info.batch;
    params->user = &u;
    params->on_step = on_step;
    params->on_step_timing = step_timing;
    params->on_evaluated = on_evaluated;
    params->on_checkpoint = on_checkpoint;
    if (params->evaluate) {
        u.evaluate = params->evaluate;
        params->evaluate = evaluate;
    }
    begin(tc, params, info.steps);
    return finish(tc, clgan_train_run_model(model, params, result), result);
}

/* The progress bar from the run's length; signals become stop requests. */
static void begin(train_cli *tc, clgan_train_params *params, int64_t start)
{
    if (!params->messages) params->messages = stderr;
    clgan_dataset_info d;
    clgan_dataset_get_info(params->train, &d);
    int64_t per_epoch = d.count / tc->batch, total = params->steps;
    if (!total) total = (int64_t)params->epochs * per_epoch;
    progress_begin(&tc->prog, (int)((total + per_epoch - 1) / per_epoch), total, start, per_epoch);
    run_catch_signals();
}

/* The run's end: the error printed, or the stop reported; ranks other than 0 end here (rank 0 reports). */
static int finish(train_cli *tc, clgan_status st, const clgan_train_result *result)
{
    progress_break(&tc->prog);
    if (st != CLGAN_OK) return cli_fail(NULL);
    tc->result = *result;
    if (result->ranks > 1)
        fprintf(stderr, "clgan: %d ranks trained %lld steps in %.1f s; rank 0 spent %.2f s (%.1f%%) in %lld reductions "
                        "of %.1f MB (gradients, statistics, stop checks), %.2f s of it waiting for the slowest rank\n",
                result->ranks, (long long)(result->step - result->start), result->seconds, result->sync_seconds,
                result->seconds > 0 ? 100.0 * result->sync_seconds / result->seconds : 0.0,
                (long long)result->sync_calls, result->sync_bytes / 1e6, result->sync_wait_seconds);
    int sig = result->stopped == SIGINT || result->stopped == SIGTERM ? result->stopped : SIGINT;
    if (clgan_dist_rank() != 0) return result->stopped ? 128 + sig : 0; /* rank 0 reports and draws */
    if (!result->stopped) return -1;
    fprintf(stderr, "clgan: stopped by %s after step %lld; checkpoint written to %s. Continue with --resume\n",
            sig == SIGINT ? "Ctrl-C" : "SIGTERM", (long long)result->step, result->checkpoint);
    if (tc->json) cli_json_interrupted(tc->command, sig, result->step, result->checkpoint);
    return 128 + sig;
}

clgan_status train_cli_report_eval(train_cli *tc, train_cli_eval *ev, const clgan_train_progress *p)
{
    char title[64];
    const char(*names)[64] = (const char(*)[64])ev->names;
    snprintf(ev->last_png, sizeof ev->last_png, "%s/epoch-%04d.png", ev->dir, p->epoch);
    snprintf(title, sizeof title, "epoch %d: test accuracy %.2f%%", p->epoch, 100 * p->metric);
    if (!cli_make_dirs(ev->dir) || !report_heatmap(ev->last_png, ev->K, names, ev->cm, title))
        return clgan_fail(CLGAN_ERR_IO, "cannot write the confusion heat map %s", ev->last_png);
    progress_break(&tc->prog);
    fprintf(stderr, "clgan: epoch %d/%d (step %lld): test\n", p->epoch, p->epochs_total, (long long)p->step);
    report_print(stderr, ev->K, names, ev->cm, "  ");
    return CLGAN_OK;
}

void train_cli_setup(train_cli *tc, const char *command, int json,
                     void (*metrics)(const clgan_step_stats *st, char *out, size_t cap))
{
    tc->command = command, tc->json = json, tc->metrics = metrics;
}

int train_cli_eval_init(train_cli_eval *ev, clgan_model *model, const clgan_dataset *train, const char *dir)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(train, &in);
    ev->model = model;
    ev->K = in.classes;
    snprintf(ev->dir, sizeof ev->dir, "%s", dir);
    ev->last_png[0] = '\0';
    ev->cm = calloc((size_t)in.classes * in.classes, sizeof *ev->cm);
    if (!ev->cm) fprintf(stderr, "clgan: out of host memory\n");
    return !ev->cm || !(ev->names = run_class_names(train));
}

void train_cli_eval_free(train_cli_eval *ev)
{
    free(ev->names);
    free(ev->cm);
    ev->names = NULL, ev->cm = NULL;
}

static clgan_status evaluate_chunk(void *model, const clgan_dataset *d, int64_t *confusion)
{
    return clgan_model_evaluate(model, d, confusion, NULL);
}

clgan_status train_cli_evaluate(train_cli *tc, train_cli_eval *ev, const clgan_dataset *test, double *metric)
{
    clgan_model_info info;
    clgan_status st = clgan_model_get_info(ev->model, &info);
    if (st == CLGAN_OK)
        st = progress_evaluate(&tc->prog, "evaluating the test split:", evaluate_chunk, ev->model, test, info.batch,
                               ev->K, ev->cm);
    *metric = clgan_accuracy(ev->cm, ev->K);
    return st;
}

int train_cli_subset_text(const run_opts *run, char *out, size_t cap)
{
    return snprintf(out, cap, "labels=%d imbalance=%d:%.9g limit=%d", run->labels, run->imb_class, run->imb_fraction,
                    run->limit);
}

int train_cli_subset_from_note(const char *note, run_opts *run, int *limit)
{
    int labels, cls;
    float frac;
    if (sscanf(note, "labels=%d imbalance=%d:%f limit=%d", &labels, &cls, &frac, limit) != 4) return 0;
    if ((run->given_labels || run->given_imbalance) &&
        (labels != run->labels || cls != run->imb_class || (cls >= 0 && frac != run->imb_fraction))) {
        char esc[CLGAN_ESCAPE_CAP]; /* the note is the file's bytes */
        fprintf(stderr, "clgan: --labels/--imbalance differ from the run being resumed (%s); leave them out or start a "
                        "new run in another --out\n", clgan_escape_str(note, esc, sizeof esc));
        return -1;
    }
    run->labels = labels, run->imb_class = cls, run->imb_fraction = frac;
    return 1;
}

int train_cli_resume(const run_opts *run, const cli_settings *set, int strict, const char *ckpt_path, clgan_ctx **ctx,
                     char *note, size_t cap, clgan_model **model, clgan_model_info *info)
{
    if (cli_open_ctx(run->device, 0, ctx)) return 1;
    if (clgan_model_load(*ctx, ckpt_path, model, note, cap) != CLGAN_OK || clgan_model_get_info(*model, info) != CLGAN_OK)
        return cli_fail("cannot resume");
    if (info->kind != set->kind) {
        fprintf(stderr, "clgan: cannot resume: %s holds a %s model, not a %s one\n", ckpt_path,
                clgan_model_kind_name(info->kind), clgan_model_kind_name(set->kind));
        return 1;
    }
    return cli_settings_resume_model(set, *model, strict) ? 0 : 2;
}

int train_cli_start(train_cli *tc, const run_opts *run, clgan_ctx **ctx)
{
    if (!*ctx && cli_open_ctx(run->device, 0, ctx)) return 1;
    tc->ctx = *ctx;
    if (!profile_run_start(&tc->prof, *ctx, run->profile)) return 1;
    cli_suggest_tune(*ctx);
    return 0;
}

clgan_dataset_options train_cli_data_options(const run_opts *run, int size, int channels, uint64_t seed)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.size = size;
    o.channels = channels;
    o.seed = seed;
    o.limit = run->limit;
    o.test_percent = run_test_percent_option(run->test_percent);
    o.skip_unreadable = run->skip_unreadable;
    return o;
}

int train_cli_open_splits(const clgan_dataset_options *opt, const char *spec, clgan_dataset **train,
                          clgan_dataset **test)
{
    clgan_dataset_options o = *opt;
    if (clgan_dataset_open(spec, CLGAN_SPLIT_TRAIN, &o, train) != CLGAN_OK) return cli_fail("cannot load --data");
    run_report_skipped("train", *train);
    o.limit = 0; /* --limit is the training split's */
    if (clgan_dataset_open(spec, CLGAN_SPLIT_TEST, &o, test) != CLGAN_OK)
        return cli_fail("cannot load the test split of --data");
    run_report_skipped("test", *test);
    return 0;
}

int train_cli_name_classes(clgan_model *model, const clgan_dataset *d)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    for (int k = 0; k < in.classes; k++)
        if (clgan_model_set_class_name(model, k, clgan_dataset_class_name(d, k)) != CLGAN_OK) return cli_fail(NULL);
    return 0;
}

int train_cli_create(clgan_ctx *ctx, const cli_settings *set, clgan_model_params *mp, const char *what,
                     clgan_model **model)
{
    char settings[CLI_SETTINGS_MAX * 96], why[96];
    cli_settings_text(set, settings, sizeof settings);
    mp->kind = set->kind;
    mp->settings = settings;
    snprintf(why, sizeof why, "cannot build the %s", what);
    return clgan_model_create(ctx, mp, model) == CLGAN_OK ? 0 : cli_fail(why);
}

int train_cli_labelled_splits(const clgan_dataset *train, const clgan_dataset *test)
{
    clgan_dataset_info a, b;
    clgan_dataset_get_info(train, &a);
    clgan_dataset_get_info(test, &b);
    if (a.classes >= 2 && b.classes == a.classes) return 1;
    fprintf(stderr, "clgan: needs labelled data with at least 2 classes in both splits (train %d, test %d)\n",
            a.classes, b.classes);
    return 0;
}

int train_cli_fits_batch(const clgan_dataset *d, int batch, const char *hint)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    if (in.count >= batch) return 1;
    fprintf(stderr, "clgan: %s has %d training images, fewer than one batch of %d%s\n", in.source, in.count, batch,
            hint);
    return 0;
}

void train_cli_json_end(train_cli *tc, const char *checkpoint, const char *key, const char *file, const char *log)
{
    printf(", \"checkpoint\": ");
    cli_json_string(stdout, checkpoint);
    if (key) {
        printf(", \"%s\": ", key);
        cli_json_string(stdout, file);
    }
    printf(", \"log\": ");
    cli_json_string(stdout, log);
    const clgan_train_result *r = &tc->result;
    printf(", \"ranks\": %d, \"train_seconds\": %.3f, \"sync_seconds\": %.3f, \"sync_wait_seconds\": %.3f, "
           "\"sync_bytes\": %.0f",
           r->ranks, r->seconds, r->sync_seconds, r->sync_wait_seconds, r->sync_bytes);
    profile_run_json_field(&tc->prof, tc->ctx, stdout);
    printf("}\n");
}

/* A new run's image shape before its model is built: the input of the text
 * given, or of the model setting's preset `part`. 0 after printing why. */
static int arch_shape(const cli_settings *set, const char *text, const char *source, const char *part, int *c, int *h,
                      int *w)
{
    if (text) {
        clgan_arch *a;
        if (clgan_arch_parse(text, source, NULL, 0, &a) != CLGAN_OK) return !cli_fail(NULL);
        clgan_arch_input_shape(a, c, h, w);
        clgan_arch_free(a);
        return 1;
    }
    char model[64];
    cli_settings_value(set, NULL, "model", model, sizeof model);
    for (int i = 0; i < clgan_arch_preset_count(); i++) {
        clgan_arch_preset pr;
        if (clgan_arch_preset_at(i, &pr) == CLGAN_OK && !strcmp(pr.name, model) && !strcmp(pr.part, part)) {
            *c = pr.c, *h = pr.h, *w = pr.w;
            return 1;
        }
    }
    fprintf(stderr, "clgan: no %s preset '%s'\n", clgan_model_kind_name(set->kind), model);
    return 0;
}

int train_cli_image_shape(const clgan_model_info *resumed, const cli_settings *set, const char *text,
                          const char *source, const char *part, const char *net, int *c, int *h, int *w)
{
    if (resumed) *c = resumed->channels, *h = resumed->height, *w = resumed->width;
    else if (!arch_shape(set, text, source, part, c, h, w)) return 2;
    if (*h == *w && (*c == 1 || *c == 3)) return 0;
    fprintf(stderr, "clgan: %s takes %dx%dx%d images (CxHxW); the data loads as square grey (1) or RGB (3) images\n",
            net, *c, *h, *w);
    return 2;
}

int train_cli_resumed_classes(const clgan_model_info *resumed, const char *ckpt_path, const clgan_dataset *d)
{
    if (!resumed) return 1;
    if (resumed->kind != CLGAN_MODEL_GAN && !run_check_ckpt_class_names(ckpt_path, d)) return 0;
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    if (resumed->classes == in.classes) return 1;
    fprintf(stderr, "clgan: the checkpoint was trained on %d classes, %s has %d\n", resumed->classes, in.source,
            in.classes);
    return 0;
}
