/* train_cli.c — the progress bar, --profile timing, signal handling and the
 * end of a run for the training commands around clgan_train_run. */
#include "train_cli.h"
#include "classifier_report.h"
#include "run_dir.h"

#include "train/metrics.h"

#include <signal.h>
#include <string.h>

typedef struct run_user {
    train_cli *tc;
    void *user;
    clgan_status (*on_evaluated)(void *user, const clgan_train_progress *p);
    clgan_status (*on_checkpoint)(void *user, const clgan_train_progress *p);
} run_user;


/* The command's target seen through tc: its step timed by --profile. */
static clgan_status timed_step(void *self, const clgan_train_batch *b, clgan_step_stats *st)
{
    train_cli *tc = self;
    profile_run_step_begin(&tc->prof, tc->ctx);
    clgan_status s = tc->inner->step(tc->inner->self, b, st);
    profile_run_step_end(&tc->prof, tc->ctx);
    return s;
}

static clgan_status inner_save(void *self, const char *path, const char *note)
{
    const clgan_train_target *t = ((train_cli *)self)->inner;
    return t->save(t->self, path, note);
}

static clgan_status inner_evaluate(void *self, const clgan_dataset *test, double *metric)
{
    const clgan_train_target *t = ((train_cli *)self)->inner;
    return t->evaluate(t->self, test, metric);
}

static clgan_status inner_check_finite(void *self, size_t *bad, char *what, size_t cap)
{
    const clgan_train_target *t = ((train_cli *)self)->inner;
    return t->check_finite(t->self, bad, what, cap);
}

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

int train_cli_run(train_cli *tc, const clgan_train_target *target, clgan_train_params *params, clgan_train_result *result,
                  void *user)
{
    run_user u = {tc, user, params->on_evaluated, params->on_checkpoint};
    tc->inner = target;
    tc->batch = target->batch;
    clgan_train_target outer = *target;
    outer.self = tc;
    outer.step = timed_step;
    outer.save = inner_save;
    outer.evaluate = target->evaluate ? inner_evaluate : NULL;
    outer.check_finite = target->check_finite ? inner_check_finite : NULL;
    params->user = &u;
    params->on_step = on_step;
    params->on_evaluated = on_evaluated;
    params->on_checkpoint = on_checkpoint;
    if (!params->messages) params->messages = stderr;
    int64_t per_epoch = params->train->n / target->batch, total = params->steps;
    if (!total) total = (int64_t)params->epochs * per_epoch;
    progress_begin(&tc->prog, (int)((total + per_epoch - 1) / per_epoch), total, target->steps, per_epoch);
    run_catch_signals();
    clgan_status st = clgan_train_run(&outer, params, result);
    progress_break(&tc->prog);
    if (st != CLGAN_OK) return cli_fail(NULL);
    if (!result->stopped) return -1;
    int sig = result->stopped == SIGINT || result->stopped == SIGTERM ? result->stopped : SIGINT;
    fprintf(stderr, "clgan: stopped by %s after step %lld; checkpoint written to %s. Continue with --resume\n",
            sig == SIGINT ? "Ctrl-C" : "SIGTERM", (long long)result->step, result->checkpoint);
    if (tc->json) cli_json_interrupted(tc->command, sig, result->step, result->checkpoint);
    return 128 + sig;
}

clgan_status train_cli_report_eval(train_cli *tc, train_cli_eval *ev, const clgan_train_progress *p)
{
    char title[64];
    const char(*names)[64] = (const char(*)[64])ev->train->class_names;
    snprintf(ev->last_png, sizeof ev->last_png, "%s/epoch-%04d.png", ev->dir, p->epoch);
    snprintf(title, sizeof title, "epoch %d: test accuracy %.2f%%", p->epoch, 100 * p->metric);
    if (!cli_make_dirs(ev->dir) || !report_heatmap(ev->last_png, ev->K, names, ev->cm, title)) return CLGAN_ERR_IO;
    progress_break(&tc->prog);
    fprintf(stderr, "clgan: epoch %d/%d (step %lld): test\n", p->epoch, p->epochs_total, (long long)p->step);
    report_print(stderr, ev->K, names, ev->cm, "  ");
    return CLGAN_OK;
}

void train_cli_setup(train_cli *tc, const char *command, int json, clgan_ctx *ctx,
                     void (*metrics)(const clgan_step_stats *st, char *out, size_t cap))
{
    tc->command = command, tc->json = json, tc->ctx = ctx, tc->metrics = metrics;
}

clgan_status train_cli_evaluate(train_cli *tc, train_cli_eval *ev, progress_eval_fn fn, void *model,
                                const clgan_dataset *test, int batch, double *metric)
{
    clgan_status st = progress_evaluate(&tc->prog, "evaluating the test split:", fn, model, test, batch, ev->K, ev->cm);
    *metric = clgan_accuracy(ev->cm, ev->K);
    return st;
}
