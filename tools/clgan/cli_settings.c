/* cli_settings.c — flags, --help and the resume check of the training
 * commands from two tables: the run settings below and a model kind's
 * settings table (clgan/model.h). */
#include "cli_settings.h"
#include "scenario.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the run settings table ---------------------------------------------------
 * Rows in the shape of clgan_setting_info; CHOICE without choices is free text
 * (a path, a device spec). Every run setting may change on --resume unless the
 * command checks it against the checkpoint's note (labels, imbalance, limit,
 * test share). */
typedef struct run_row {
    clgan_setting_info info;
    unsigned bit;
    size_t offset;  /* of the value in run_opts */
    const char *value_name;
} run_row;

#define TEXT_ROW(name, bit, field, value, help)                                                                  \
    {{name, CLGAN_SETTING_CHOICE, "", 0, 0, 0, NULL, CLGAN_RESUME_FREE, help}, bit, offsetof(run_opts, field), value}
#define INT_ROW(name, bit, field, lo, hi, value, help)                                                           \
    {{name, CLGAN_SETTING_INT, "0", lo, hi, 0, NULL, CLGAN_RESUME_FREE, help}, bit, offsetof(run_opts, field), value}
#define BOOL_ROW(name, bit, field, help)                                                                         \
    {{name, CLGAN_SETTING_BOOL, "0", 0, 1, 0, NULL, CLGAN_RESUME_FREE, help}, bit, offsetof(run_opts, field), NULL}

static const run_row run_rows[] = {
    TEXT_ROW("data", RUN_DATA, data, "SPEC",
             "IDX folder/file (MNIST), CIFAR-10 .bin folder/file, image folder, or 'synthetic'"),
    TEXT_ROW("out", RUN_OUT, out, "DIR", "output folder"),
    INT_ROW("epochs", RUN_EPOCHS, epochs, 1, 1000000, "N", "epochs to train"),
    INT_ROW("steps", RUN_STEPS, steps, 1, 2000000000, "N", "train to this many steps in total instead of --epochs"),
    INT_ROW("limit", RUN_LIMIT, limit, 1, 2000000000, "N", "use only the first N training images"),
    INT_ROW("test_percent", RUN_TEST_PERCENT, test_percent, 0, 90, "P",
            "an image folder without train/ and test/ sub-folders: the P% of its images (0..90, default 10; chosen "
            "by a hash of each file's path and --seed) that form the test split, the rest the training split. With "
            "train/ and test/ sub-folders those are the splits; other formats have their own"),
    BOOL_ROW("skip_unreadable", RUN_SKIP_UNREADABLE, skip_unreadable,
             "skip image-folder files that cannot be decoded (say how many) instead of stopping"),
    INT_ROW("labels", RUN_LABELS, labels, 1, 2000000000, "N",
            "keep N labelled training images, balanced over the classes, chosen by --seed"),
    TEXT_ROW("imbalance", RUN_IMBALANCE, imbalance, "C:F",
             "keep only the fraction F of class C's training images, chosen by --seed (applied before --labels)"),
    BOOL_ROW("resume", RUN_RESUME, resume, "continue the run in --out from its checkpoint"),
    INT_ROW("keep_every", RUN_KEEP_EVERY, keep_every, 1, 1000000, "E",
            "also keep a copy of the checkpoint every E epochs (checkpoint-epoch-NNNN.ckpt)"),
    BOOL_ROW("keep_best", RUN_KEEP_BEST, keep_best,
             "also keep the checkpoint of the best test accuracy so far (best.ckpt)"),
    TEXT_ROW("device", RUN_DEVICE, device, "SPEC",
             "OpenCL device (index, gpu/cpu, or part of a name); under mpirun each rank of a host takes the next "
             "device it matches"),
    BOOL_ROW("sync_bn", RUN_SYNC_BN, sync_bn,
             "under mpirun: batchnorm statistics over the whole batch of every rank (N ranks x B/N then train as "
             "1 x B does); default: each rank's share's (docs/SCALING.md)"),
    BOOL_ROW("json", RUN_JSON, json, "print one JSON object on stdout at the end (also on an error or Ctrl-C)"),
    BOOL_ROW("profile", RUN_PROFILE, profile,
             "time every layer's forward and backward, every kernel and the GEMMs (OpenCL event profiling; the "
             "first step is warm-up) and print where a step's time goes at the end (in the --json line too)"),
};
#define RUN_ROW_COUNT (sizeof run_rows / sizeof run_rows[0])

void run_opts_init(run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 5;
    o->test_percent = -1;
    o->imb_class = -1;
}

/* "lr_d" as "--lr-d". */
static void flag_of(const char *name, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "--%s", name);
    for (size_t k = 2; k < n && k < cap; k++)
        if (out[k] == '_') out[k] = '-';
}

/* argv[*i] is `flag` ("--x", "--x=V"): 1, with *value (NULL for a bare flag
 * when the row takes none); 0 when it is not; -1 when a value is missing. */
static int match(int argc, char **argv, int *i, const char *flag, int takes_value, const char **value)
{
    size_t n = strlen(flag);
    const char *a = argv[*i];
    if (strncmp(a, flag, n) || (a[n] && a[n] != '=')) return 0;
    *value = NULL;
    if (a[n] == '=') *value = a + n + 1;
    else if (takes_value) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "clgan: %s needs a value\n", flag);
            return -1;
        }
        *value = argv[++*i];
    }
    return 1;
}

int run_opts_flag(run_opts *o, unsigned mask, int argc, char **argv, int *i)
{
    for (size_t r = 0; r < RUN_ROW_COUNT; r++) {
        const run_row *row = &run_rows[r];
        if (!(mask & row->bit)) continue;
        char flag[64];
        flag_of(row->info.name, flag, sizeof flag);
        const char *v;
        int m = match(argc, argv, i, flag, row->info.type != CLGAN_SETTING_BOOL, &v);
        if (m <= 0) {
            if (m < 0) return -1;
            continue;
        }
        void *field = (char *)o + row->offset;
        if (row->info.type == CLGAN_SETTING_BOOL) {
            if (v && strcmp(v, "0") && strcmp(v, "1")) {
                fprintf(stderr, "clgan: %s takes no value (or =0 / =1), got '%s'\n", flag, v);
                return -1;
            }
            *(int *)field = !v || !strcmp(v, "1");
        } else if (row->info.type == CLGAN_SETTING_INT) {
            if (!cli_parse_int(flag, v, (long)row->info.min, (long)row->info.max, (int *)field)) return -1;
        } else *(const char **)field = v;
        if (row->bit == RUN_LIMIT) o->given_limit = 1;
        if (row->bit == RUN_LABELS) o->given_labels = 1;
        if (row->bit == RUN_EPOCHS || row->bit == RUN_STEPS) o->given_length = 1;
        if (row->bit == RUN_IMBALANCE) {
            o->given_imbalance = 1;
            if (!scenario_parse_imbalance(v, &o->imb_class, &o->imb_fraction)) return -1;
        }
        return 1;
    }
    return 0;
}

void cli_help_line(FILE *f, const char *flag, const char *value, const char *text)
{
    enum { COLUMN = 24, WIDTH = 104 };
    char head[96];
    int n = snprintf(head, sizeof head, "  %s%s%s", flag, value ? " " : "", value ? value : "");
    fputs(head, f);
    int col = n;
    if (col >= COLUMN - 1) {
        fputc('\n', f);
        col = 0;
    }
    for (; col < COLUMN; col++) fputc(' ', f);
    /* words, wrapped at WIDTH */
    for (const char *p = text; *p;) {
        size_t w = strcspn(p, " ");
        if (col > COLUMN && col + 1 + (int)w > WIDTH) {
            fputc('\n', f);
            for (col = 0; col < COLUMN; col++) fputc(' ', f);
        } else if (col > COLUMN) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, w, f);
        col += (int)w;
        p += w;
        while (*p == ' ') p++;
    }
    fputc('\n', f);
}

void run_opts_help(FILE *f, unsigned mask, const run_opts *o, const char *const *overrides)
{
    for (size_t r = 0; r < RUN_ROW_COUNT; r++) {
        const run_row *row = &run_rows[r];
        if (!(mask & row->bit)) continue;
        char flag[64], text[700];
        flag_of(row->info.name, flag, sizeof flag);
        const char *help = row->info.help;
        for (const char *const *ov = overrides; ov && ov[0]; ov += 2)
            if (!strcmp(ov[0], row->info.name)) help = ov[1];
        const void *field = (const char *)o + row->offset;
        if (strstr(help, "default")) snprintf(text, sizeof text, "%s", help); /* the text says it */
        else if (row->info.type == CLGAN_SETTING_INT && *(const int *)field > 0)
            snprintf(text, sizeof text, "%s (default %d)", help, *(const int *)field);
        else if (row->info.type == CLGAN_SETTING_CHOICE && *(const char *const *)field)
            snprintf(text, sizeof text, "%s (default %s)", help, *(const char *const *)field);
        else snprintf(text, sizeof text, "%s", help);
        cli_help_line(f, flag, row->value_name, text);
    }
}

clgan_train_params run_opts_train_params(const run_opts *o)
{
    clgan_train_params p = clgan_train_default_params();
    p.out_dir = o->out;
    p.resume = o->resume;
    p.epochs = o->epochs;
    p.steps = o->steps;
    p.keep_every = o->keep_every;
    p.keep_best = o->keep_best;
    p.sync_bn = o->sync_bn;
    return p;
}

/* ---- model settings ------------------------------------------------------------ */
static int skipped(const char *const *skip, const char *name)
{
    for (; skip && *skip; skip++)
        if (!strcmp(*skip, name)) return 1;
    return 0;
}

void cli_settings_init(cli_settings *s, clgan_model_kind kind, const char *const *skip)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->skip = skip;
}

/* The index of word at[0..n) in choices ('|'-separated); -1 when it is not there. */
static int word_index(const char *choices, const char *at, size_t n)
{
    for (int k = 0;; k++) {
        size_t w = strcspn(choices, "|");
        if (w == n && !strncmp(choices, at, n)) return k;
        if (!choices[w]) return -1;
        choices += w + 1;
    }
}

/* A FLAGS value as its bits: the first word of choices alone is 0, later word i is bit 1 << (i - 1),
 * each given once, comma-separated; -1 for anything else. */
static long flags_of(const char *choices, const char *v)
{
    if (word_index(choices, v, strlen(v)) == 0) return 0;
    long bits = 0;
    for (const char *at = v;; at++) {
        size_t n = strcspn(at, ",");
        int k = word_index(choices, at, n);
        if (k <= 0 || (bits & (1L << (k - 1)))) return -1;
        bits |= 1L << (k - 1);
        at += n;
        if (!*at) return bits;
    }
}

/* value checked against the row's type and range; prints the usage error. */
static int check_value(const clgan_setting_info *in, const char *flag, const char *v)
{
    char *end;
    errno = 0;
    switch (in->type) {
    case CLGAN_SETTING_INT: {
        long long x = strtoll(v, &end, 10);
        if (!errno && end != v && !*end && x >= in->min && x <= in->max) return 1;
        fprintf(stderr, "clgan: %s expects a whole number from %.0f to %.0f, got '%s'\n", flag, in->min, in->max, v);
        return 0;
    }
    case CLGAN_SETTING_U64: {
        uint64_t x;
        return cli_parse_u64(flag, v, &x);
    }
    case CLGAN_SETTING_FLOAT: {
        double x = strtod(v, &end);
        int lo_ok = (in->open & CLGAN_SETTING_OPEN_MIN) ? x > in->min : x >= in->min;
        int hi_ok = (in->open & CLGAN_SETTING_OPEN_MAX) ? x < in->max : x <= in->max;
        if (!errno && end != v && !*end && isfinite(x) && lo_ok && hi_ok) return 1;
        char lo[48], hi[48];
        snprintf(lo, sizeof lo, "%s %g", (in->open & CLGAN_SETTING_OPEN_MIN) ? "above" : "from", in->min);
        if (isinf(in->max)) hi[0] = '\0';
        else snprintf(hi, sizeof hi, " %s %g", (in->open & CLGAN_SETTING_OPEN_MAX) ? "and below" : "to", in->max);
        fprintf(stderr, "clgan: %s expects a number %s%s, got '%s'\n", flag, lo, hi, v);
        return 0;
    }
    case CLGAN_SETTING_BOOL:
        if (!strcmp(v, "0") || !strcmp(v, "1")) return 1;
        fprintf(stderr, "clgan: %s takes no value (or =0 / =1), got '%s'\n", flag, v);
        return 0;
    case CLGAN_SETTING_CHOICE: {
        size_t n = strlen(v);
        for (const char *p = in->choices; p && *p;) {
            size_t w = strcspn(p, "|");
            if (w == n && !strncmp(p, v, n)) return 1;
            p += w + (p[w] == '|');
        }
        fprintf(stderr, "clgan: %s is one of %s, got '%s'\n", flag, in->choices, v);
        return 0;
    }
    case CLGAN_SETTING_FLAGS: {
        if (flags_of(in->choices, v) >= 0) return 1;
        size_t first = strcspn(in->choices, "|");
        fprintf(stderr, "clgan: %s is %.*s or words of %s separated by commas (each once), got '%s'\n", flag,
                (int)first, in->choices, in->choices + first + (in->choices[first] == '|'), v);
        return 0;
    }
    }
    return 0;
}

int cli_settings_set(cli_settings *s, const char *flag, const char *name, const char *value)
{
    const clgan_setting_info *in = clgan_setting_find(s->kind, name);
    if (!in || !check_value(in, flag, value)) return 0;
    if (strlen(value) >= sizeof s->value[0]) {
        fprintf(stderr, "clgan: %s: the value '%.20s...' is too long\n", flag, value);
        return 0;
    }
    int k = 0;
    while (k < s->n && strcmp(s->name[k], in->name)) k++; /* the last one given counts */
    if (k == s->n) {
        if (s->n == CLI_SETTINGS_MAX) {
            fprintf(stderr, "clgan: too many settings\n");
            return 0;
        }
        s->n++;
    }
    s->name[k] = in->name;
    snprintf(s->flag[k], sizeof s->flag[k], "%s", flag);
    snprintf(s->value[k], sizeof s->value[k], "%s", value);
    return 1;
}

int cli_settings_flag(cli_settings *s, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strncmp(a, "--", 2)) return 0;
    char name[64];
    size_t n = strcspn(a + 2, "=");
    if (n == 0 || n >= sizeof name) return 0;
    for (size_t k = 0; k < n; k++) name[k] = a[2 + k] == '-' ? '_' : a[2 + k];
    name[n] = '\0';
    const clgan_setting_info *in = clgan_setting_find(s->kind, name);
    if (!in || skipped(s->skip, name)) return 0;
    const char *v;
    char flag[64]; /* the flag as written, for messages (cli_settings_set keeps a copy) */
    snprintf(flag, sizeof flag, "--%.*s", (int)n, a + 2);
    if (match(argc, argv, i, flag, in->type != CLGAN_SETTING_BOOL, &v) < 0) return -1;
    return cli_settings_set(s, flag, name, v ? v : "1") ? 1 : -1;
}

const char *cli_settings_given(const cli_settings *s, const char *name)
{
    for (int k = 0; k < s->n; k++)
        if (!strcmp(s->name[k], name)) return s->value[k];
    return NULL;
}

void cli_settings_text(const cli_settings *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int k = 0; k < s->n && n < cap; k++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", k ? " " : "", s->name[k], s->value[k]);
}

int cli_settings_check(const cli_settings *s)
{
    char text[CLI_SETTINGS_MAX * 96];
    cli_settings_text(s, text, sizeof text);
    clgan_status st = clgan_settings_check(s->kind, text);
    if (st != CLGAN_OK) fprintf(stderr, "clgan: %s\n", clgan_last_error());
    return st == CLGAN_OK;
}

const char *cli_settings_value(const cli_settings *s, const clgan_model *m, const char *name, char *out, size_t cap)
{
    const char *given = cli_settings_given(s, name);
    const clgan_setting_info *in = clgan_setting_find(s->kind, name);
    if (m && clgan_model_get_setting(m, name, out, cap) == CLGAN_OK) return out;
    snprintf(out, cap, "%s", given ? given : in ? in->default_value : "");
    return out;
}

/* 1 when the setting's value `given` means what the model keeps, `have`:
 * the same number (floats as the config's float), choice or flag; a "0"
 * that means the preset's default matches any value. */
static int same_value(const clgan_setting_info *in, const char *given, const char *have)
{
    if (in->type == CLGAN_SETTING_CHOICE) return !strcmp(given, have);
    if (in->type == CLGAN_SETTING_FLAGS) return flags_of(in->choices, given) == flags_of(in->choices, have);
    int zero_is_auto = !strcmp(in->default_value, "0") && (in->min > 0 || (in->open & CLGAN_SETTING_OPEN_MIN));
    if (zero_is_auto && !strcmp(given, "0")) return 1;
    if (in->type == CLGAN_SETTING_FLOAT) return (float)strtod(given, NULL) == (float)strtod(have, NULL);
    if (in->type == CLGAN_SETTING_U64) return strtoull(given, NULL, 10) == strtoull(have, NULL, 10);
    return strtoll(given, NULL, 10) == strtoll(have, NULL, 10);
}

int cli_settings_resume_model(const cli_settings *s, const clgan_model *m, int strict)
{
    int count = 0;
    char list[512] = "";
    size_t n = 0;
    for (int k = 0; k < s->n; k++) {
        const clgan_setting_info *in = clgan_setting_find(s->kind, s->name[k]);
        char have[64];
        if (!in || in->resume == CLGAN_RESUME_FREE) continue;
        if (clgan_model_get_setting(m, in->name, have, sizeof have) != CLGAN_OK) {
            cli_fail("cannot resume");
            return 0;
        }
        if ((in->resume == CLGAN_RESUME_FIXED || strict) && !same_value(in, s->value[k], have)) {
            fprintf(stderr, "clgan: %s differs from the run being resumed (checkpoint: %s %s); leave it out or start "
                            "a new run in another --out\n", s->flag[k], in->name, have);
            return 0;
        }
        int seen = 0; /* a shortcut flag (--lr) is named once */
        for (int j = 0; j < k && !seen; j++) seen = !strcmp(s->flag[j], s->flag[k]);
        if (in->resume != CLGAN_RESUME_KEPT || seen) continue;
        n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s", count ? ", " : "", s->flag[k]);
        count++;
    }
    if (count)
        fprintf(stderr, "clgan: warning: %s %s ignored when resuming; the run keeps the settings in its checkpoint\n",
                list, count == 1 ? "is" : "are");
    return 1;
}

void cli_settings_help(FILE *f, clgan_model_kind kind, const char *const *skip)
{
    for (int r = 0; r < clgan_setting_count(kind); r++) {
        const clgan_setting_info *in = clgan_setting_at(kind, r);
        if (skipped(skip, in->name)) continue;
        char flag[64], text[600];
        flag_of(in->name, flag, sizeof flag);
        const char *value = in->type == CLGAN_SETTING_INT || in->type == CLGAN_SETTING_U64 ? "N"
                            : in->type == CLGAN_SETTING_FLOAT                              ? "X"
                            : in->type == CLGAN_SETTING_CHOICE || in->type == CLGAN_SETTING_FLAGS ? in->choices
                                                                                           : NULL;
        char says[48]; /* the help already says what the default means: "(0: the preset's)" */
        snprintf(says, sizeof says, "(%s:", in->default_value);
        if (in->type == CLGAN_SETTING_BOOL || strstr(in->help, says)) snprintf(text, sizeof text, "%s", in->help);
        else snprintf(text, sizeof text, "%s (default %s)", in->help, in->default_value);
        cli_help_line(f, flag, value, text);
    }
}
