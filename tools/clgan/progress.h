/* progress.h — progress reporting for long CLI work: a one-line bar redrawn
 * in place when stderr is a terminal, fitted to its width, plain log lines
 * (about every 10% of an epoch, and at its end) when it is not; a
 * batch-by-batch evaluation with its own progress line. */
#ifndef CLGAN_PROGRESS_H
#define CLGAN_PROGRESS_H
#include "clgan.h"

#include <stdint.h>

typedef struct progress {
    int tty;
    int epochs;            /* total epochs (0 = unknown) */
    int64_t steps_total;   /* total steps of the run */
    int64_t steps_done;    /* steps done, including those before a resume */
    int64_t steps_at_start;
    double t_start;
    double t_last_draw;
    int64_t last_logged;   /* step of the last plain line */
    int64_t log_every;
    int line_open;         /* a bar is drawn on the current terminal line */
} progress;

double progress_now(void);
/* The terminal's width: stderr's window size when it is a terminal, else
 * $COLUMNS, else 80. Redrawn lines are cut to one column less. */
int progress_columns(void);
void progress_begin(progress *p, int epochs, int64_t steps_total, int64_t steps_done, int64_t steps_per_epoch);
/* metrics: a short preformatted text such as "D 1.23 G 0.87 D(x) 0.61 D(G(z)) 0.31". */
void progress_update(progress *p, int epoch, int64_t step_in_epoch, int64_t steps_per_epoch, int64_t images_per_step,
                     const char *metrics);
/* End the bar's line (terminal) so normal output can follow. */
void progress_break(progress *p);

/* An evaluation function such as clgan_classifier_evaluate (zeroes and fills
 * confusion [K*K] for the images of d), with the model as void *. */
typedef clgan_status (*progress_eval_fn)(void *model, const clgan_dataset *d, int64_t *confusion);
/* fn over d in chunks of `chunk` images, the confusion matrices summed into
 * confusion [classes*classes]; on a terminal a line "<what> b/n batches" is
 * redrawn meanwhile and cleared at the end (p, if not NULL, has its bar's
 * line ended first). */
clgan_status progress_evaluate(progress *p, const char *what, progress_eval_fn fn, void *model,
                               const clgan_dataset *d, int chunk, int classes, int64_t *confusion);
#endif
