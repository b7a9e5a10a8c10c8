/* run_dir.h — what the training commands share about their --out folder:
 * the new-run / resume checks on its checkpoint, removing what a killed run
 * left, whole-line log.csv writes and trimming it back to the checkpoint on
 * resume, the non-finite-weights check before a checkpoint is written, the
 * class-name check against a checkpoint, and stopping cleanly on Ctrl-C /
 * SIGTERM. */
#ifndef CLGAN_RUN_DIR_H
#define CLGAN_RUN_DIR_H
#include "data/dataset.h"
#include "nn/net.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

/* Set by SIGINT/SIGTERM once run_catch_signals() is installed: the signal number. */
extern volatile sig_atomic_t run_stop_signal;
void run_catch_signals(void);
/* After a stop signal and a saved checkpoint: say so and return the exit code (128 + signal). */
int run_report_stop(int64_t step, const char *ckpt_path);

/* A new run needs a folder without a checkpoint, a resume needs one; prints
 * the reason and returns 0 otherwise. */
int run_check_checkpoint(const char *out, const char *ckpt_path, int resume);

/* What a run killed while writing leaves in out: checkpoint.ckpt.tmp.PID.N
 * (the atomic checkpoint writer's temporary files) of processes that no
 * longer run, and log.csv.tmp (run_trim_log's). Removes them and says how
 * many; run_check_checkpoint calls it once the folder may be used. */
void run_remove_stale_tmp(const char *out);

/* Rewrite a CSV log for a resume to `step`: the header line (the file's own,
 * or `header` when the file has none), then the rows that are whole lines
 * (a last line without its line break was cut by a kill and is dropped),
 * have the header's field count, a step (first field) <= step and above the
 * row before. Rows after the checkpoint belong to training that was not
 * saved. A missing file becomes one holding just the header. 1 on success. */
int run_trim_log(const char *path, int64_t step, const char *header);
/* The log for a run: a new one holding `header` (resume 0), or the trimmed
 * one (run_trim_log) opened for appending. NULL after printing the reason. */
FILE *run_open_log(const char *path, int resume, int64_t step, const char *header);
/* Append one whole line (fmt without the line break) and flush it, so the
 * file always ends at a line end unless the process dies inside the write. */
int run_log(FILE *log, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Non-finite weights. run_nets_finite reads back the parameters and the
 * non-trainable state (batchnorm statistics) of each net (names[i] for the
 * message, e.g. "G") and returns 1 when every value is finite. Otherwise
 * prints that the weights became non-finite at `step` (epoch `epoch`),
 * that ckpt_path was not overwritten and holds step `saved` (no checkpoint
 * when saved < 0), and `advice`; returns 0. A failed read-back is printed
 * and returns 0 too. Call it before every checkpoint write. */
int run_nets_finite(clgan_net *const *nets, const char *const *names, int n, int64_t step, int epoch,
                    const char *ckpt_path, int64_t saved, const char *advice);
/* After a failed training step: when the library reported a divergence
 * (a non-finite loss), say what is kept and what to try. */
void run_report_diverged(clgan_status st, const char *ckpt_path, int64_t saved, const char *advice);

/* Class names. run_check_class_names: 1 when the data's K names equal the
 * checkpoint's (the same count and the same names in order); otherwise
 * prints both lists (the first few names of each) and returns 0. */
int run_check_class_names(const char *ckpt_path, int ck_k, const char (*ck_names)[64], const char *data_source,
                          int data_k, const char (*data_names)[64]);
/* The same against the checkpoint's class_names section (train-classifier,
 * train-ssl, train-dfeatures); 1 when it has none (older train-ssl
 * checkpoints) or it cannot be read (the loader then says why). */
int run_check_ckpt_class_names(const char *ckpt_path, const clgan_dataset *d);
/* The checkpoint's "note" section, malloc'd ("" when it has none); NULL
 * after printing the reason. */
char *run_ckpt_note(const char *path);
/* Class names kept in a note as " class_names=TOKEN" (the names joined by
 * line breaks, escaped by scenario_escape) for checkpoints without a
 * class_names section (train-gan). append: add it to note (cap bytes);
 * 0 when it does not fit. parse: *k names into *names (malloc'd), or *k = 0
 * and *names NULL when the note has none; 0 when malformed. */
int run_note_add_class_names(char *note, size_t cap, int k, const char (*names)[64]);
int run_note_class_names(const char *note, int *k, char (**names)[64]);
/* 1 when the checkpoint's note records no class names or the same names as
 * d's (or the file cannot be read: its loader then says why); otherwise
 * prints both (run_check_class_names) and returns 0. */
int run_check_note_class_names(const char *ckpt_path, const clgan_dataset *d);
/* An integer setting " key=N" in a note's scenario part (before " | ", the
 * data source). 1 when present and well formed. */
int run_note_int(const char *note, const char *key, int *out);

/* --test-percent P (0..90) as clgan_dataset_options.test_percent, where 0
 * means the built-in default of 10 and -1 means none. */
int run_test_percent_option(int percent);
/* On --resume: the test share the run was started with, from its note
 * (" test_percent=P"; 10, the share every command used before the flag
 * existed, when the note has none), in *out. given is --test-percent (-1 when
 * not given); 0 after printing the reason when it differs. */
int run_resume_test_percent(const char *note, int given, int *out);
/* After a split was loaded with --skip-unreadable: print how many images
 * were skipped, if any. */
void run_report_skipped(const char *split, const clgan_dataset *d);
#endif
