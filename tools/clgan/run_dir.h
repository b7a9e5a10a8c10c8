/* run_dir.h — what the training commands share about their --out folder:
 * the new-run / resume checks on its checkpoint, trimming log.csv back to
 * the checkpoint on resume, and stopping cleanly on Ctrl-C / SIGTERM. */
#ifndef CLGAN_RUN_DIR_H
#define CLGAN_RUN_DIR_H
#include <signal.h>
#include <stdint.h>

/* Set by SIGINT/SIGTERM once run_catch_signals() is installed: the signal number. */
extern volatile sig_atomic_t run_stop_signal;
void run_catch_signals(void);
/* After a stop signal and a saved checkpoint: say so and return the exit code (128 + signal). */
int run_report_stop(int64_t step, const char *ckpt_path);

/* A new run needs a folder without a checkpoint, a resume needs one; prints
 * the reason and returns 0 otherwise. */
int run_check_checkpoint(const char *out, const char *ckpt_path, int resume);

/* Keep the header and the rows of a CSV log whose first field (the step) is
 * <= step: rows after the checkpoint belong to training that was not saved. */
int run_trim_log(const char *path, int64_t step);
#endif
