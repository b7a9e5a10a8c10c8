/* run_dir.c — what the training commands check about a run beyond the
 * training driver: the non-finite-weights report of train-dfeatures, the
 * class-name checks against a checkpoint, the data scenario kept in a
 * checkpoint's note, and Ctrl-C / SIGTERM as the driver's stop request. */
#include "run_dir.h"
#include "scenario.h"


#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ctrl-C / SIGTERM: the training driver's stop request. */
static void on_signal(int sig) { clgan_train_request_stop(sig); }

void run_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int run_nets_finite(clgan_net *const *nets, const char *const *names, int n, int64_t step, int epoch,
                    const char *ckpt_path, int64_t saved, const char *advice)
{
    size_t bad;
    char what[256];
    int ok = clgan_train_nets_finite(nets, names, n, &bad, what, sizeof what);
    if (ok < 0) fprintf(stderr, "clgan: checking the weights after step %lld: %s\n", (long long)step, clgan_last_error());
    if (ok) return ok > 0;
    fprintf(stderr, "clgan: training diverged: %s are NaN or infinite after step %lld (epoch %d)\n", what,
            (long long)step, epoch);
    if (saved >= 0)
        fprintf(stderr, "clgan: %s was not overwritten: it holds the last good weights, of step %lld\n", ckpt_path,
                (long long)saved);
    else if (ckpt_path[0]) fprintf(stderr, "clgan: no checkpoint was written (%s holds none)\n", ckpt_path);
    else fprintf(stderr, "clgan: no checkpoint was written\n");
    if (advice && advice[0]) fprintf(stderr, "clgan: %s\n", advice);
    return 0;
}

void run_report_diverged(clgan_status st, const char *ckpt_path, int64_t saved, const char *advice)
{
    if (st != CLGAN_ERR_CHECK_FAILED || !strstr(clgan_last_error(), "diverged")) return;
    if (saved >= 0)
        fprintf(stderr, "clgan: %s was not overwritten: it holds the weights of step %lld\n", ckpt_path,
                (long long)saved);
    else fprintf(stderr, "clgan: no checkpoint was written\n");
    if (advice && advice[0]) fprintf(stderr, "clgan: %s\n", advice);
}

/* "a, b, c, ... (K classes)" with the first few names, escaped. */
static void name_list(char *out, size_t cap, int k, const char (*names)[64])
{
    enum { SHOWN = 6 };
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < k && i < SHOWN && o < cap; i++) {
        char esc[CLGAN_ESCAPE_CAP];
        o += (size_t)snprintf(out + o, cap - o, "%s'%s'", i ? ", " : "", clgan_escape_str(names[i], esc, sizeof esc));
    }
    if (o < cap) snprintf(out + o, cap - o, "%s (%d class%s)", k > SHOWN ? ", ..." : "", k, k == 1 ? "" : "es");
}

/* Equal as checkpoints store them: line breaks become spaces, at most 63 bytes. */
static int name_eq(const char *a, const char *b)
{
    for (int i = 0; i < 63; i++) {
        char x = a[i] == '\n' || a[i] == '\r' ? ' ' : a[i], y = b[i] == '\n' || b[i] == '\r' ? ' ' : b[i];
        if (x != y) return 0;
        if (!x) return 1;
    }
    return 1;
}

int run_check_class_names(const char *ckpt_path, int ck_k, const char (*ck_names)[64], const char *data_source,
                          int data_k, const char (*data_names)[64])
{
    int same = ck_k == data_k;
    for (int i = 0; same && i < ck_k; i++) same = name_eq(ck_names[i], data_names[i]);
    if (same) return 1;
    char a[1400], b[1400];
    name_list(a, sizeof a, ck_k, ck_names);
    name_list(b, sizeof b, data_k, data_names);
    fprintf(stderr, "clgan: the classes of %s are not the ones %s was trained on (classes are matched by position, "
                    "so the results would be wrong):\n  checkpoint: %s\n  data:       %s\n"
                    "clgan: use data whose class names (for an image folder: its class sub-folders) are the "
                    "checkpoint's\n", data_source, ckpt_path, a, b);
    return 0;
}

char (*run_class_names(const clgan_dataset *d))[64]
{
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    char(*names)[64] = calloc(in.classes > 0 ? (size_t)in.classes : 1, sizeof *names);
    if (!names) {
        fprintf(stderr, "clgan: out of host memory\n");
        return NULL;
    }
    for (int k = 0; k < in.classes; k++) snprintf(names[k], sizeof names[k], "%s", clgan_dataset_class_name(d, k));
    return names;
}

/* The data's class names against a checkpoint's k names (run_check_class_names). */
static int check_data_names(const char *ckpt_path, int k, const char (*names)[64], const clgan_dataset *d)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    char(*have)[64] = run_class_names(d);
    if (!have) return 0;
    int ok = run_check_class_names(ckpt_path, k, names, in.source, in.classes, (const char (*)[64])have);
    free(have);
    return ok;
}

int run_check_ckpt_class_names(const char *ckpt_path, const clgan_dataset *d)
{
    char *text = NULL;
    if (clgan_checkpoint_text(ckpt_path, "class_names", &text) != CLGAN_OK || !text) return 1;
    /* One name per line. */
    int k = 0;
    for (const char *q = text; *q; q++) k += *q == '\n';
    char(*names)[64] = calloc(k ? (size_t)k : 1, sizeof *names);
    int ok = 1;
    if (names) {
        const char *p = text;
        for (int i = 0; i < k; i++) {
            size_t len = strcspn(p, "\n");
            snprintf(names[i], sizeof names[i], "%.*s", (int)(len < 63 ? len : 63), p);
            p += len + 1;
        }
        ok = check_data_names(ckpt_path, k, (const char (*)[64])names, d);
    }
    free(names);
    clgan_free(text);
    return ok;
}

/* run_ckpt_note; quiet: say nothing when the file cannot be read (its loader will). */
static char *read_note(const char *path, int quiet)
{
    char *text = NULL;
    if (clgan_checkpoint_text(path, "note", &text) != CLGAN_OK) {
        if (!quiet) fprintf(stderr, "clgan: %s\n", clgan_last_error());
        return NULL;
    }
    size_t n = text ? strlen(text) : 0;
    char *note = malloc(n + 1);
    if (note) memcpy(note, text ? text : "", n + 1);
    else fprintf(stderr, "clgan: out of host memory reading %s\n", path);
    clgan_free(text);
    return note;
}

char *run_ckpt_note(const char *path) { return read_note(path, 0); }

/* The scenario part of a note: up to " | " (the data source follows). */
static size_t scenario_len(const char *note)
{
    const char *bar = strstr(note, " | ");
    return bar ? (size_t)(bar - note) : strlen(note);
}

/* Where " key=" (or "key=" at the start) begins in the scenario part; NULL when absent. */
static const char *note_value(const char *note, const char *key)
{
    size_t n = strlen(key), end = scenario_len(note);
    for (const char *p = note; (p = strstr(p, key)) && (size_t)(p - note) + n < end; p++)
        if ((p == note || p[-1] == ' ') && p[n] == '=') return p + n + 1;
    return NULL;
}

int run_note_int(const char *note, const char *key, int *out)
{
    const char *v = note_value(note, key);
    char *end;
    if (!v) return 0;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || errno || (*end && *end != ' ') || x < -2147483647L || x > 2147483647L) return 0;
    *out = (int)x;
    return 1;
}

int run_note_add_class_names(char *note, size_t cap, int k, const char (*names)[64])
{
    size_t joined_cap = (size_t)k * 64 + 1;
    char *joined = malloc(joined_cap), *esc = malloc(joined_cap * 3 + 1);
    int ok = joined && esc;
    if (ok) {
        size_t o = 0;
        for (int i = 0; i < k; i++) {
            if (i) joined[o++] = '\n';
            for (const char *c = names[i]; *c && o < joined_cap - 1; c++) joined[o++] = *c == '\n' ? ' ' : *c;
        }
        joined[o] = '\0';
        ok = k > 0 && scenario_escape(joined, esc, joined_cap * 3 + 1);
        size_t len = strlen(note);
        ok = ok && (size_t)snprintf(note + len, cap - len, " class_names=%s", esc) < cap - len;
        if (!ok) note[len] = '\0';
    }
    free(joined);
    free(esc);
    return ok;
}

int run_note_class_names(const char *note, int *k, char (**names)[64])
{
    *k = 0, *names = NULL;
    const char *v = note_value(note, "class_names");
    if (!v) return 1;
    size_t n = strcspn(v, " ");
    char *tok = malloc(n + 1), *text = malloc(n + 1);
    int ok = tok && text;
    if (ok) {
        memcpy(tok, v, n);
        tok[n] = '\0';
        ok = scenario_unescape(tok, text, n + 1);
    }
    int count = 1;
    if (ok)
        for (const char *c = text; *c; c++) count += *c == '\n';
    if (ok && (*names = calloc((size_t)count, sizeof **names))) {
        const char *c = text;
        for (int i = 0; i < count; i++) {
            size_t len = strcspn(c, "\n");
            if (len >= sizeof (*names)[i]) ok = 0;
            else memcpy((*names)[i], c, len);
            c += len + (c[len] == '\n');
        }
        *k = count;
    } else ok = 0;
    free(tok);
    free(text);
    if (!ok) {
        free(*names);
        *names = NULL, *k = 0;
    }
    return ok;
}

int run_check_note_class_names(const char *ckpt_path, const clgan_dataset *d)
{
    char *note = read_note(ckpt_path, 1);
    if (!note) return 1; /* unreadable: the loader that follows says why */
    int k, ok;
    char(*names)[64];
    if (!run_note_class_names(note, &k, &names)) {
        fprintf(stderr, "clgan: %s: the class names in its note are malformed\n", ckpt_path);
        ok = 0;
    } else ok = !k || check_data_names(ckpt_path, k, (const char (*)[64])names, d);
    free(names);
    free(note);
    return ok;
}

int run_test_percent_option(int percent) { return percent == 0 ? -1 : percent; }

int run_resume_test_percent(const char *note, int given, int *out)
{
    int p;
    if (!run_note_int(note, "test_percent", &p) || p < 0 || p > 90) p = 10;
    if (given >= 0 && given != p) {
        fprintf(stderr, "clgan: --test-percent %d differs from the run being resumed (test_percent %d); leave it out or "
                        "start a new run in another --out\n", given, p);
        return 0;
    }
    *out = p;
    return 1;
}

void run_report_skipped(const char *split, const clgan_dataset *d)
{
    clgan_dataset_info in;
    if (d && clgan_dataset_get_info(d, &in) == CLGAN_OK && in.skipped > 0)
        fprintf(stderr, "clgan: --skip-unreadable: skipped %d unreadable image%s in the %s split of %s\n", in.skipped,
                in.skipped == 1 ? "" : "s", split, in.source);
}

int run_note_add_data_class_names(char *note, size_t cap, const clgan_dataset *d)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(d, &in);
    char(*names)[64] = run_class_names(d);
    if (!names) return 0;
    int ok = !in.classes || run_note_add_class_names(note, cap, in.classes, (const char(*)[64])names);
    free(names);
    return ok;
}
