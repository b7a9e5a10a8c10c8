/* cli.h — shared pieces of the clgan command-line program: the subcommand
 * table and the small option helpers every subcommand uses. */
#ifndef CLGAN_CLI_H
#define CLGAN_CLI_H
#include "clgan.h"

#include <stdint.h>
#include <stdio.h>

/* Propagate a clgan_status from a nested call (the same definition as the
 * library's own). */
#define TRY(expr)                                             \
    do {                                                      \
        clgan_status try_st_ = (expr);                        \
        if (try_st_ != CLGAN_OK) return try_st_;              \
    } while (0)

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} cli_command;

int cmd_devices(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_train_gan(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_train_classifier(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_train_dfeatures(int argc, char **argv);
int cmd_train_ssl(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_make_scenes(int argc, char **argv);
int cmd_train_detector(int argc, char **argv);
int cmd_detect(int argc, char **argv);
/* `clgan eval` of a detector checkpoint (cmd_detect.c): split (clgan_dataset_split) of the YOLO folder
 * data, the AP table printed or --json, the precision-recall chart into pr_png (may be NULL). The exit code. */
int detect_eval(const char *ckpt, const char *data, int split, const char *device, const char *pr_png, int json);

/* Run the entry of cmds that argv[1] names (argv shifted by one); no name
 * prints usage to stderr and returns 2, --help/-h/help prints it to stdout. */
int cli_dispatch(const cli_command *cmds, int n, int argc, char **argv, void (*usage)(FILE *), const char *what);

/* --help lines of --test-percent and --skip-unreadable for the commands
 * whose test split comes from --data (part of a printf format). */
#define CLI_HELP_SPLIT_FLAGS                                                                              \
    "  --test-percent P      an image folder without train/ and test/ sub-folders: the P%% of its images\n" \
    "                        (0..90, default 10; chosen by a hash of each file's path and --seed) that\n"   \
    "                        form the test split, the rest the training split. With train/ and test/\n"     \
    "                        sub-folders those are the splits; other formats have their own\n"              \
    "  --skip-unreadable     skip image-folder files that cannot be decoded (say how many) instead of\n"    \
    "                        stopping\n"

/* "--flag VALUE" or "--flag=VALUE" at argv[*i]: returns VALUE and advances *i,
 * or NULL when argv[*i] is not that flag. Prints an error and sets *bad when
 * the value is missing. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *flag, int *bad);
/* Parse a whole-string number for `flag` within [min, max]; prints the error
 * and returns 0 on failure. */
int cli_parse_int(const char *flag, const char *text, long min, long max, int *out);
int cli_parse_u64(const char *flag, const char *text, uint64_t *out);
int cli_parse_float(const char *flag, const char *text, double min, double max, float *out);
/* mkdir -p; prints the error and returns 0 on failure. */
int cli_make_dirs(const char *dir);
/* 1 when path is a folder. */
int cli_is_dir(const char *path);
/* Remove dir if it is an empty folder (a failed run's leftovers); else nothing. */
void cli_remove_empty_dir(const char *dir);
/* --arch FILE (cmd_models.c): parse the file (its errors name the file, the
 * line and what was expected) and keep a copy of its text in *text (free()
 * it). Returns 0 after printing the error. */
int cli_read_arch(const char *flag, const char *path, char **text /* OUT */);
/* On --resume: the checkpoint's architecture text `ckpt_text` (NULL for a
 * checkpoint written before texts were kept) against the --arch file's
 * `given` (NULL when not given). Returns 0 after printing why they differ. */
int cli_resume_arch_matches(const char *flag, const char *given, const char *ckpt_text);
/* Print "clgan: <message from the library>" and return exit status 1. */
int cli_fail(const char *what);
/* Device spec from --device (already parsed) or NULL; opens a context. */
int cli_open_ctx(const char *device_spec, int verbose, clgan_ctx **ctx);

/* ---- data-parallel runs (dist_cli.c; clgan/dist.h) ----
 * cli_dist_begin: a training command started as one of several MPI ranks
 * joins the job; ranks other than 0 go quiet (cli_quiet). 0, or the exit
 * status after a message. cli_dist_end(rc): the status to exit with; a
 * failed rank of a job says which rank and ends every rank. */
int cli_dist_begin(int argc, char **argv);
int cli_dist_end(int rc);
/* The device of this rank for a spec: the local rank's match ("3" into
 * out); ranks share a device only when it is a CPU (rank 0 says so).
 * 0, or 1 after a message. */
int cli_rank_device(const char *spec, char *out, size_t cap);
/* stdout to /dev/null and stderr kept but not shown (a rank other than 0). */
void cli_quiet(void);
/* The last "clgan...: message" line written to stderr (or the library's last error). */
const char *cli_last_message(void);
/* On a device without a GEMM tuning file, print one line suggesting `clgan tune`. */
void cli_suggest_tune(clgan_ctx *ctx);
/* Quote a string for JSON output. */
void cli_json_string(FILE *f, const char *s);
/* --json: every run prints exactly one JSON object on stdout. A command
 * starts its own with cli_json_begin, which prints
 *   {"command": "NAME", "status": "STATUS"
 * (STATUS "ok", or "error" with an "error" field), adds its ", \"key\": value"
 * pairs and ends it with "}\n". When a command exits non-zero without one,
 * main prints {"command", "status": "error", "error": its last message,
 * "exit_code"}; a stop signal before the command handles it prints
 * {"command", "status": "interrupted", "signal"}. */
void cli_json_begin(const char *command, const char *status);
/* Mark the run's JSON as printed, for output of another shape (bench's document). */
void cli_json_printed(void);
/* A training run stopped by SIGINT/SIGTERM after saving its checkpoint:
 * {"command", "status": "interrupted", "signal": "SIGINT"|"SIGTERM", "steps": N, "checkpoint": PATH}. */
void cli_json_interrupted(const char *command, int sig, int64_t steps, const char *checkpoint);
#endif
