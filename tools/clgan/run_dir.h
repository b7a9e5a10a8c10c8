/* run_dir.h — what the training commands share beyond the library's
 * training driver (clgan/train.h, which owns the run folder, the log, the
 * checkpoints and the stop request): Ctrl-C / SIGTERM as the driver's stop
 * request, train-dfeatures' non-finite-weights report, the class-name checks
 * against a checkpoint, and the data scenario kept in a checkpoint's note. */
#ifndef CLGAN_RUN_DIR_H
#define CLGAN_RUN_DIR_H
#include "clgan.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

/* SIGINT/SIGTERM become clgan_train_request_stop(signal) (clgan/train.h). */
void run_catch_signals(void);

/* Non-finite weights, for a command that saves without the driver
 * (train-dfeatures): 1 when clgan_train_nets_finite finds every value of the
 * nets finite. Otherwise prints that the weights became non-finite at `step`
 * (epoch `epoch`), that ckpt_path was not overwritten and holds step `saved`
 * (no checkpoint when saved < 0), and `advice`; returns 0. A failed
 * read-back is printed and returns 0 too. */
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
/* The class names of d, [K] malloc'd; NULL after printing why. */
char (*run_class_names(const clgan_dataset *d))[64];
/* The data's class names (none when it is unlabelled) appended to note. */
int run_note_add_data_class_names(char *note, size_t cap, const clgan_dataset *d);
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
