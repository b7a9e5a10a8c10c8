/* train_cli.h — what the four training commands share around the library's
 * training driver (clgan/train.h): the progress bar fed from the driver's
 * step callback, --profile around each step, Ctrl-C / SIGTERM turned into the
 * driver's stop request, and the ending of a run (the error message, or the
 * stop report and --json's interrupted object). */
#ifndef CLGAN_TRAIN_CLI_H
#define CLGAN_TRAIN_CLI_H
#include "cli.h"
#include "profile_report.h"
#include "progress.h"

/* One run of a training command. */
typedef struct train_cli {
    const char *command;      /* "train-gan", for --json */
    int json;
    progress prog;
    profile_run prof;
    clgan_ctx *ctx;
    /* The progress bar's metrics text from a step's statistics. */
    void (*metrics)(const clgan_step_stats *st, char *out, size_t cap);
    const clgan_train_target *inner; /* the command's target, its step timed by --profile */
    int batch;
} train_cli;

/* The run's command ("train-gan", for --json), --json, context and metrics text. */
void train_cli_setup(train_cli *tc, const char *command, int json, clgan_ctx *ctx,
                     void (*metrics)(const clgan_step_stats *st, char *out, size_t cap));
/* A classifier's evaluations during a run: the newest one's confusion
 * matrix and the heat maps drawn of them. */
typedef struct train_cli_eval {
    const clgan_dataset *train; /* whose class names the reports show */
    int K;
    int64_t *cm;                /* [K*K] */
    char dir[1100];             /* the heat maps' folder */
    char last_png[1200];        /* the newest heat map; "" before the first */
} train_cli_eval;
/* The driver's evaluate: fn over test in chunks of `batch` with the bar's
 * evaluation line, the confusion matrix into ev->cm, its accuracy into *metric. */
clgan_status train_cli_evaluate(train_cli *tc, train_cli_eval *ev, progress_eval_fn fn, void *model,
                                const clgan_dataset *test, int batch, double *metric);
/* Route target's step through the profiler and params' on_step to the
 * progress bar, then run the driver; params' on_evaluated and on_checkpoint
 * get `user`. Returns -1 when the
 * run reached its end (the command reports it), else the exit code: 1 after
 * printing the error, 128 + signal after a stop (its checkpoint written and
 * reported, --json's interrupted object printed). */
int train_cli_run(train_cli *tc, const clgan_train_target *target, clgan_train_params *params, clgan_train_result *result,
                  void *user);
/* After an evaluation at p: ev's confusion matrix as DIR/epoch-NNNN.png,
 * then the report printed. CLGAN_ERR_IO after printing why. */
clgan_status train_cli_report_eval(train_cli *tc, train_cli_eval *ev, const clgan_train_progress *p);
#endif
