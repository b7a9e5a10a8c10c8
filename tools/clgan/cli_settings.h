/* cli_settings.h — the training commands' flags from tables: a model kind's
 * settings table (clgan_setting_at: --NAME with '_' as '-', its range, its
 * help, what --resume may change) and the run settings of the commands
 * themselves (data, output folder, length, subsets, checkpoints) in a table of
 * the same shape. Parsing, --help and the resume check all read the tables. */
#ifndef CLGAN_CLI_SETTINGS_H
#define CLGAN_CLI_SETTINGS_H
#include "cli.h"

/* ---- run settings ---------------------------------------------------------- */
typedef struct run_opts {
    const char *data, *out, *device, *imbalance;
    int epochs, steps, limit, test_percent; /* test_percent -1: not given */
    int labels, resume, json, profile, skip_unreadable, keep_best, keep_every, sync_bn;
    int given_limit, given_labels, given_imbalance, given_length; /* given on the command line */
    int imb_class;      /* from --imbalance C:F; -1 = none */
    float imb_fraction;
} run_opts;

/* Which run settings a command takes (bits of the run table's rows). */
enum {
    RUN_DATA = 1 << 0, RUN_OUT = 1 << 1, RUN_DEVICE = 1 << 2, RUN_EPOCHS = 1 << 3, RUN_STEPS = 1 << 4,
    RUN_LIMIT = 1 << 5, RUN_TEST_PERCENT = 1 << 6, RUN_SKIP_UNREADABLE = 1 << 7, RUN_LABELS = 1 << 8,
    RUN_IMBALANCE = 1 << 9, RUN_RESUME = 1 << 10, RUN_KEEP_EVERY = 1 << 11, RUN_KEEP_BEST = 1 << 12,
    RUN_JSON = 1 << 13, RUN_PROFILE = 1 << 14, RUN_SYNC_BN = 1 << 15
};
/* The commands that train step by step through the driver (data-parallel under mpirun). */
#define RUN_STEPWISE (RUN_TRAINING | RUN_SYNC_BN)
#define RUN_TRAINING                                                                                             \
    (RUN_DATA | RUN_OUT | RUN_DEVICE | RUN_EPOCHS | RUN_STEPS | RUN_LIMIT | RUN_TEST_PERCENT | RUN_SKIP_UNREADABLE | \
     RUN_RESUME | RUN_KEEP_EVERY | RUN_JSON | RUN_PROFILE)

/* The defaults (out and epochs are the command's to set afterwards). */
void run_opts_init(run_opts *o);
/* argv[*i] as one of the run settings in `mask`: 1 taken (advancing *i past
 * its value), 0 not one of them, -1 a usage error (printed). */
int run_opts_flag(run_opts *o, unsigned mask, int argc, char **argv, int *i);
/* The --help lines of the rows in mask, with the defaults o holds;
 * overrides: pairs of a row's name and the command's own text for it,
 * NULL-terminated (NULL: the table's texts). */
void run_opts_help(FILE *f, unsigned mask, const run_opts *o, const char *const *overrides);

/* The driver's params from the run settings: out_dir, resume, epochs, steps,
 * keep_every, keep_best, sync_bn (the rest as clgan_train_default_params gives). */
clgan_train_params run_opts_train_params(const run_opts *o);

/* ---- model settings ---------------------------------------------------------- */
#define CLI_SETTINGS_MAX 48
typedef struct cli_settings {
    clgan_model_kind kind;
    const char *const *skip; /* rows that are not flags of this command (NULL-terminated) */
    int n;
    const char *name[CLI_SETTINGS_MAX];  /* setting names given, in order */
    char flag[CLI_SETTINGS_MAX][64];     /* the flag each came from ("--lr" for lr_g and lr_d) */
    char value[CLI_SETTINGS_MAX][64];
} cli_settings;

void cli_settings_init(cli_settings *s, clgan_model_kind kind, const char *const *skip);
/* argv[*i] as --NAME of the kind's table: 1 taken, 0 not a setting, -1 a bad
 * value (printed: "--batch expects a whole number from 2 to 65536, got '1'"). */
int cli_settings_flag(cli_settings *s, int argc, char **argv, int *i);
/* A setting from another flag (a shortcut such as --lr for lr_g and lr_d);
 * value checked against the row. 0 after printing a usage error. */
int cli_settings_set(cli_settings *s, const char *flag, const char *name, const char *value);
/* The value given for a setting, or NULL. */
const char *cli_settings_given(const cli_settings *s, const char *name);
/* "name=value ..." of the given settings: the settings text clgan_model_create takes. */
void cli_settings_text(const cli_settings *s, char *out, size_t cap);
/* The given settings together valid over the kind's defaults (a width the
 * model takes, ...): 1, or 0 after printing why. */
int cli_settings_check(const cli_settings *s);
/* A setting's value as text into out: the model's when m is set (a resumed
 * run), else the one given, else the table's default. Returns out. */
const char *cli_settings_value(const cli_settings *s, const clgan_model *m, const char *name, char *out, size_t cap);
/* --resume against a loaded model's settings (clgan_model_get_setting): a
 * FIXED setting given with another value is refused (printed, returns 0);
 * KEPT ones given are ignored with one warning line, or refused like FIXED
 * ones when strict. */
int cli_settings_resume_model(const cli_settings *s, const clgan_model *m, int strict);
/* The --help lines of the kind's settings (skip rows left out). */
void cli_settings_help(FILE *f, clgan_model_kind kind, const char *const *skip);
/* One --help line: flag and value name in a column, the text wrapped after it. */
void cli_help_line(FILE *f, const char *flag, const char *value, const char *text);
#endif
