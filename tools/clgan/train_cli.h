/* train_cli.h — what the four training commands share around the library's
 * training driver (clgan/train.h): the progress bar fed from the driver's
 * step callback, --profile around each step, Ctrl-C / SIGTERM turned into the
 * driver's stop request, and the ending of a run (the error message, or the
 * stop report and --json's interrupted object). */
#ifndef CLGAN_TRAIN_CLI_H
#define CLGAN_TRAIN_CLI_H
#include "cli.h"
#include "cli_settings.h"
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
    int batch;
    clgan_train_result result; /* of the finished run (its ranks, time, time in the ranks' reductions) */
} train_cli;

/* The run's command ("train-gan", for --json), --json and metrics text. */
void train_cli_setup(train_cli *tc, const char *command, int json,
                     void (*metrics)(const clgan_step_stats *st, char *out, size_t cap));
/* A classifier's evaluations during a run: the newest one's confusion
 * matrix and the heat maps drawn of them. */
typedef struct train_cli_eval {
    clgan_model *model;         /* evaluated */
    int K;
    char (*names)[64];          /* [K] the training data's class names, for the reports */
    int64_t *cm;                /* [K*K] */
    char dir[1100];             /* the heat maps' folder */
    char last_png[1200];        /* the newest heat map; "" before the first */
} train_cli_eval;
/* ev for model on the classes of train, its heat maps into dir. 0, or 1 after printing why. */
int train_cli_eval_init(train_cli_eval *ev, clgan_model *model, const clgan_dataset *train, const char *dir);
void train_cli_eval_free(train_cli_eval *ev);
/* The driver's evaluate: ev->model over test in chunks of its batch with the
 * bar's evaluation line, the confusion matrix into ev->cm, its accuracy into *metric. */
clgan_status train_cli_evaluate(train_cli *tc, train_cli_eval *ev, const clgan_dataset *test, double *metric);
/* The driver over the model (clgan_train_run_model) with the progress bar
 * on its step callback, --profile around each step and params'
 * on_evaluated, on_checkpoint and evaluate getting `user`. Returns -1 when
 * the run reached its end (the command reports it), else the exit code: 1
 * after printing the error, 128 + signal after a stop (its checkpoint
 * written and reported, --json's interrupted object printed). */
int train_cli_run_model(train_cli *tc, clgan_model *model, clgan_train_params *params, clgan_train_result *result,
                        void *user);
/* After an evaluation at p: ev's confusion matrix as DIR/epoch-NNNN.png,
 * then the report printed. CLGAN_ERR_IO after printing why. */
clgan_status train_cli_report_eval(train_cli *tc, train_cli_eval *ev, const clgan_train_progress *p);
/* The image shape the data is loaded at: a resumed run's model's, or a new
 * run's before its model is built, the input of the architecture text
 * given (source names it in errors) or of the model setting's preset
 * `part` ("d", "c"); square, grey or RGB (else a message naming `net`).
 * 0, or exit code 2 after printing why. */
int train_cli_image_shape(const clgan_model_info *resumed, const cli_settings *set, const char *text,
                          const char *source, const char *part, const char *net, int *c, int *h, int *w);
/* A resumed run (resumed NULL: a new one, always 1) on data with as many
 * classes as its model, and (but for a GAN, whose checkpoint keeps none)
 * the same class names as its checkpoint. 0 after printing why. */
int train_cli_resumed_classes(const clgan_model_info *resumed, const char *ckpt_path, const clgan_dataset *d);

/* ---- a run's device, data and model ------------------------------------------ */
/* The training subset a checkpoint's note keeps (train-gan and
 * train-classifier): "labels=N imbalance=C:F limit=N"; snprintf's count. */
int train_cli_subset_text(const run_opts *run, char *out, size_t cap);
/* On --resume: that part of note into run (--labels, --imbalance) and
 * *limit. 1 when taken; 0 when the note has none (an older run); -1 when
 * --labels/--imbalance were given with other values (printed). */
int train_cli_subset_from_note(const char *note, run_opts *run, int *limit);
/* --resume: the device opened into *ctx and ckpt_path's model loaded (its
 * note into note, its info), a model of set's kind; the settings given
 * checked against it (cli_settings_resume_model). 0, or the exit code after
 * printing why. */
int train_cli_resume(const run_opts *run, const cli_settings *set, int strict, const char *ckpt_path, clgan_ctx **ctx,
                     char *note, size_t cap, clgan_model **model, clgan_model_info *info);
/* The device (*ctx, unless --resume opened it) for tc, --profile started,
 * the tuning hint. 0, or 1 after printing why. */
int train_cli_start(train_cli *tc, const run_opts *run, clgan_ctx **ctx);
/* The dataset options of a run (--limit, --test-percent, --skip-unreadable)
 * at the model's image size and channels, and the seed of its split. */
clgan_dataset_options train_cli_data_options(const run_opts *run, int size, int channels, uint64_t seed);
/* The training split (at most --limit images) and the test split of spec,
 * their skipped images reported. 0, or 1 after printing why. */
int train_cli_open_splits(const clgan_dataset_options *opt, const char *spec, clgan_dataset **train,
                          clgan_dataset **test);
/* The data's class names onto the model (kept in its checkpoints). 0, or 1 after printing why. */
int train_cli_name_classes(clgan_model *model, const clgan_dataset *d);
/* A new run's model: mp's architecture, classes (and GAN checkpoint) with
 * the settings given, of set's kind. 0, or 1 after printing "cannot build
 * the WHAT" and why. */
int train_cli_create(clgan_ctx *ctx, const cli_settings *set, clgan_model_params *mp, const char *what,
                     clgan_model **model);
/* 1 when both splits are labelled with the same 2 or more classes; otherwise prints so and returns 0. */
int train_cli_labelled_splits(const clgan_dataset *train, const clgan_dataset *test);
/* 1 when d holds at least one batch; otherwise prints so (and hint) and returns 0. */
int train_cli_fits_batch(const clgan_dataset *d, int batch, const char *hint);
/* The end of a training command's --json line: the files it wrote (the
 * checkpoint, the mode's newest picture as "key": file unless key is NULL,
 * the log) and --profile's object. */
void train_cli_json_end(train_cli *tc, const char *checkpoint, const char *key, const char *file, const char *log);
#endif
