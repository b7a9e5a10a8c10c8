/* progress.h — progress reporting for long CLI work: a one-line bar redrawn
 * in place when stderr is a terminal, plain log lines (about every 10% of an
 * epoch, and at its end) when it is not. */
#ifndef CLGAN_PROGRESS_H
#define CLGAN_PROGRESS_H
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
void progress_begin(progress *p, int epochs, int64_t steps_total, int64_t steps_done, int64_t steps_per_epoch);
/* metrics: a short preformatted text such as "D 1.23 G 0.87 D(x) 0.61 D(G(z)) 0.31". */
void progress_update(progress *p, int epoch, int64_t step_in_epoch, int64_t steps_per_epoch, int64_t images_per_step,
                     const char *metrics);
/* End the bar's line (terminal) so normal output can follow. */
void progress_break(progress *p);
#endif
