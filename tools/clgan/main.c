/* main.c — the clgan command-line program: subcommand dispatch, --help, the
 * environment check, --json's one object per run (also on an error or a stop
 * signal), and the option helpers shared by the subcommands. */
#define _GNU_SOURCE /* fopencookie: stderr passed through and its last message kept (--json) */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const cli_command commands[] = {
    {"devices", "list OpenCL platforms and devices", cmd_devices},
    {"selftest", "compile every kernel and check every layer against the host reference", cmd_selftest},
    {"tune", "measure and store the fastest GEMM parameters for a device (applied to every later run)", cmd_tune},
    {"train-gan", "train a DCGAN or conditional DCGAN; sample grids, log, checkpoints", cmd_train_gan},
    {"sample", "generate images from a GAN checkpoint (PNG grid or IDX file)", cmd_sample},
    {"train-classifier", "train a CNN classifier; test accuracy, recall and confusion matrix per epoch, checkpoints",
     cmd_train_classifier},
    {"eval", "evaluate a classifier checkpoint (train-classifier, -ssl, -dfeatures) on a dataset", cmd_eval},
    {"predict", "classify PNG/JPEG files with a classifier checkpoint (train-classifier, -ssl, -dfeatures)", cmd_predict},
    {"train-dfeatures", "train a softmax head on a frozen GAN discriminator's pooled features; test accuracy, saved head",
     cmd_train_dfeatures},
    {"train-ssl", "semi-supervised K+1 GAN: a discriminator-classifier from few labels; test accuracy per epoch",
     cmd_train_ssl},
    {"score", "score generated images with a classifier (Frechet distance, IS, mode coverage)", cmd_score},
    {"make-scenes", "compose detection scenes from a classification dataset: a YOLO folder with exact boxes",
     cmd_make_scenes},
    {"train-detector", "train a grid object detector on a YOLO folder; val mAP and prediction PNGs per epoch, checkpoints",
     cmd_train_detector},
    {"detect", "find objects in PNG/JPEG files with a detector checkpoint: boxes printed, drawn, JSON or YOLO .txt",
     cmd_detect},
    {"models", "list the architecture presets; 'models show NAME' prints one's text and layer summary", cmd_models},
    {"bench", "time GEMMs, layers, training steps and start-up on a device; compare runs (JSON)", cmd_bench},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* Old flag spellings, still accepted: each use prints one deprecation line
 * and is read as the new name. */
typedef struct flag_alias {
    const char *command, *old_flag, *new_flag;
} flag_alias;
static const flag_alias aliases[] = {
    {"train-dfeatures", "--gan", "--checkpoint"}, /* the checkpoint to read is always --checkpoint */
    {"score", "--classifier", "--checkpoint"},
    {"score", "--labels", "--label-file"},        /* --labels N is a count in the training commands */
    {"score", "--n", "--limit"},                  /* "the first N images" is --limit everywhere */
};
#define ALIAS_COUNT (sizeof aliases / sizeof aliases[0])

/* Commands without randomness: they take --seed too (checked, then unused),
 * so that every command accepts the same common flags. */
static const char *const seedless[] = {"devices", "selftest", "tune", "predict", "models", "bench"};
#define SEEDLESS_COUNT (sizeof seedless / sizeof seedless[0])

static void usage(FILE *f)
{
    fprintf(f, "clgan %s — GANs and image classifiers on any OpenCL device\n\n"
               "usage: clgan <command> [options]\n\ncommands:\n", CLGAN_VERSION_STRING);
    for (size_t i = 0; i < COMMAND_COUNT; i++) fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'clgan help <command>' (or 'clgan <command> --help') for a command's options. Every command\n"
               "takes --json (one JSON object on stdout) and --seed S; a usage error exits with status 2.\n"
               "Environment: CLGAN_DEVICE (device spec), CLGAN_CACHE_DIR (kernel cache folder; 'off' disables),\n"
               "             CLGAN_KERNEL_DIR (load .cl sources from a folder instead of the embedded copies),\n"
               "             CLGAN_GEMM_TUNED=0 (ignore the device's tuning file from 'clgan tune': CLBlast's defaults),\n"
               "             CLGAN_KERNEL_FORM=rows|items (force the CPU or GPU form of the conv kernels).\n");
}

int cli_dispatch(const cli_command *cmds, int n, int argc, char **argv, void (*usage)(FILE *), const char *what)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (int i = 0; i < n; i++)
        if (!strcmp(argv[1], cmds[i].name)) return cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "%s: unknown command '%s'\n\n", what, argv[1]);
    usage(stderr);
    return 2;
}

/* CLGAN_GEMM_TUNED, which main.c reads too (cli_suggest_tune): a value
 * other than 0 or 1 is an error for every command, by the library's rule. */
static int check_env(void)
{
    int use;
    if (clgan_tuning_env(&use) == CLGAN_OK) return 1;
    cli_fail(NULL);
    return 0;
}

/* ---- --json: every run prints one JSON object on stdout ----------------
 * A command prints its own object (cli_json_begin) when it finishes, and a
 * training command the interrupted state when a stop signal ends it. For
 * everything else main prints it: on a non-zero exit the error object, whose
 * message is the last "clgan...: message" line the command wrote to stderr
 * (stderr is passed through a stream that keeps it), and on SIGINT/SIGTERM
 * before a command handles them the interrupted object, written by the
 * signal handler itself (then the signal ends the process as usual). */
static struct {
    int on, printed;
    int tee;               /* stderr goes through json_stderr_write */
    int silent;            /* ... and stops there (a data-parallel rank other than 0) */
    char command[96];      /* the subcommand, JSON-quoted */
    char line[1024];       /* the stderr line being written */
    size_t len;
    char message[1024];    /* the last finished message line */
    char on_signal[2][256]; /* the objects for SIGINT and SIGTERM */
} json_run;

/* s quoted for JSON into out (cut to fit). */
static void json_quote(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    out[n++] = '"';
    for (; *s && n + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') n += (size_t)snprintf(out + n, cap - n, "\\%c", c);
        else if (c < 0x20) n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        else out[n++] = (char)c;
    }
    out[n++] = '"';
    out[n] = '\0';
}

/* A finished stderr line: keep it when it is a message ("clgan: ...",
 * "clgan train-gan: ..."), not a warning or note. */
static void json_line_done(void)
{
    const char *l = json_run.line;
    json_run.line[json_run.len] = '\0';
    json_run.len = 0;
    if (strncmp(l, "clgan", 5)) return;
    const char *p = l + 5;
    while (*p == ' ' || *p == '-' || (*p >= 'a' && *p <= 'z')) p++;
    if (p[0] != ':' || p[1] != ' ') return;
    p += 2;
    if (!strncmp(p, "warning:", 8) || !strncmp(p, "note:", 5)) return;
    snprintf(json_run.message, sizeof json_run.message, "%s", p);
}

static ssize_t json_stderr_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    for (size_t done = 0; done < n && !json_run.silent;) {
        ssize_t w = write(STDERR_FILENO, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* stderr gone: the run goes on */
        done += (size_t)w;
    }
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') json_line_done();
        else if (buf[i] == '\r') json_run.len = 0; /* a redrawn progress line */
        else if (json_run.len + 1 < sizeof json_run.line) json_run.line[json_run.len++] = buf[i];
    }
    return (ssize_t)n;
}

static void json_on_signal(int sig)
{
    const char *obj = json_run.on_signal[sig == SIGTERM];
    ssize_t w = write(STDOUT_FILENO, obj, strlen(obj));
    (void)w;
    raise(sig); /* SA_RESETHAND: the default action now */
}

/* stderr through json_stderr_write, which keeps its last message. */
static void stderr_tee(void)
{
    if (json_run.tee) return;
    cookie_io_functions_t io = {NULL, json_stderr_write, NULL, NULL};
    FILE *tee = fopencookie(NULL, "w", io);
    if (tee) {
        setvbuf(tee, NULL, _IONBF, 0);
        stderr = tee;
        json_run.tee = 1;
    }
}

const char *cli_last_message(void)
{
    if (json_run.len) json_line_done(); /* a message without its newline */
    return json_run.message[0] ? json_run.message : clgan_last_error();
}

void cli_quiet(void)
{
    stderr_tee();
    json_run.silent = 1;
    if (!freopen("/dev/null", "w", stdout)) fclose(stdout);
}

static void json_watch(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--json")) json_run.on = 1;
    if (!json_run.on) return;
    json_quote(argv[1], json_run.command, sizeof json_run.command);
    for (int k = 0; k < 2; k++)
        snprintf(json_run.on_signal[k], sizeof json_run.on_signal[k],
                 "{\"command\": %s, \"status\": \"interrupted\", \"signal\": \"%s\"}\n", json_run.command,
                 k ? "SIGTERM" : "SIGINT");
    stderr_tee();
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = json_on_signal;
    sa.sa_flags = SA_RESETHAND;
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int k = 0; k < 2; k++) /* a signal ignored from the start (nohup, a background job) stays ignored */
        if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler != SIG_IGN) sigaction(sigs[k], &sa, NULL);
}

void cli_json_printed(void) { json_run.printed = 1; }

void cli_json_begin(const char *command, const char *status)
{
    printf("{\"command\": \"%s\", \"status\": \"%s\"", command, status);
    json_run.printed = 1;
}

void cli_json_interrupted(const char *command, int sig, int64_t steps, const char *checkpoint)
{
    cli_json_begin(command, "interrupted");
    printf(", \"signal\": \"%s\", \"steps\": %lld, \"checkpoint\": ", sig == SIGINT ? "SIGINT" : "SIGTERM",
           (long long)steps);
    cli_json_string(stdout, checkpoint);
    printf("}\n");
}

/* After the command: the error object when it failed without printing one. */
static void json_finish(int rc)
{
    if (!json_run.on || json_run.printed || rc == 0) return;
    fflush(stderr);
    const char *msg = cli_last_message();
    printf("{\"command\": %s, \"status\": \"error\", \"error\": ", json_run.command);
    cli_json_string(stdout, msg[0] ? msg : "failed (see stderr)");
    printf(", \"exit_code\": %d}\n", rc);
}

/* argv[from..] with each old flag spelling of the command (argv[1]) in its
 * new form ("--gan X", "--gan=X"), one warning per use. Stops at "--". */
static void apply_aliases(int argc, char **argv)
{
    static char rewritten[8][256];
    int used = 0;
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        for (size_t k = 0; k < ALIAS_COUNT; k++) {
            const flag_alias *a = &aliases[k];
            size_t n = strlen(a->old_flag);
            if (strcmp(argv[1], a->command) || strncmp(argv[i], a->old_flag, n) || (argv[i][n] && argv[i][n] != '='))
                continue;
            fprintf(stderr, "clgan: warning: %s %s is deprecated; use %s\n", a->command, a->old_flag, a->new_flag);
            if (!argv[i][n]) argv[i] = (char *)a->new_flag;
            else if (used < 8) {
                snprintf(rewritten[used], sizeof rewritten[used], "%s%s", a->new_flag, argv[i] + n);
                argv[i] = rewritten[used++];
            }
            break;
        }
}

static int is_seedless(const char *command)
{
    for (size_t k = 0; k < SEEDLESS_COUNT; k++)
        if (!strcmp(command, seedless[k])) return 1;
    return 0;
}

/* A seedless command: --seed S checked and taken out of argv. 0 after
 * printing a usage error. */
static int strip_seed(int *argc, char **argv)
{
    int out = 2;
    for (int i = 2; i < *argc; i++) {
        int bad = 0;
        const char *v;
        uint64_t seed;
        if (!strcmp(argv[i], "--")) {
            while (i < *argc) argv[out++] = argv[i++];
            break;
        }
        if ((v = cli_flag_value(*argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &seed)) return 0;
            continue;
        }
        if (bad) return 0;
        argv[out++] = argv[i];
    }
    *argc = out;
    return 1;
}

/* `clgan help COMMAND [SUBCOMMAND]`: that command's --help. */
static int help_command(int argc, char **argv)
{
    char *args[8];
    int n = 0;
    for (int i = 2; i < argc && n < 6; i++) args[n++] = argv[i];
    args[n++] = "--help";
    args[n] = NULL;
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strcmp(args[0], commands[i].name)) {
            int rc = commands[i].run(n, args);
            if (rc == 0 && is_seedless(args[0]))
                printf("\n%s takes --seed S like every command; it uses no randomness.\n", args[0]);
            return rc;
        }
    fprintf(stderr, "clgan: help: unknown command '%s'\n\n", args[0]);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("clgan %s\n", CLGAN_VERSION_STRING);
        return 0;
    }
    if (argc >= 2) json_watch(argc, argv);
    int rc;
    if (argc >= 2 && (rc = cli_dist_begin(argc, argv)) != 0) {
        json_finish(rc);
        return cli_dist_end(rc);
    }
    if (!check_env()) rc = 2;
    else if (argc >= 3 && !strcmp(argv[1], "help")) rc = help_command(argc, argv);
    else {
        if (argc >= 2) apply_aliases(argc, argv);
        rc = argc >= 2 && is_seedless(argv[1]) && !strip_seed(&argc, argv)
                 ? 2
                 : cli_dispatch(commands, (int)COMMAND_COUNT, argc, argv, usage, "clgan");
    }
    json_finish(rc);
    return cli_dist_end(rc);
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *flag, int *bad)
{
    size_t n = strlen(flag);
    const char *a = argv[*i];
    if (strncmp(a, flag, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "clgan: %s needs a value\n", flag);
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

int cli_fail(const char *what)
{
    fprintf(stderr, "clgan: %s%s%s\n", what ? what : "", what ? ": " : "", clgan_last_error());
    return 1;
}

int cli_open_ctx(const char *device_spec, int verbose, clgan_ctx **ctx)
{
    clgan_ctx_params p = clgan_ctx_default_params();
    p.device_spec = device_spec;
    p.verbose = verbose;
    char rank_device[16];
    if (clgan_dist_local_size() > 1) { /* one device per rank of a data-parallel job */
        if (cli_rank_device(device_spec, rank_device, sizeof rank_device)) return 1;
        p.device_spec = rank_device;
    }
    if (clgan_ctx_create(&p, ctx) != CLGAN_OK) return cli_fail(NULL);
    return 0;
}

void cli_suggest_tune(clgan_ctx *ctx)
{
    int use = 1;
    if (clgan_ctx_tuned(ctx, NULL, 0) || clgan_tuning_env(&use) != CLGAN_OK || !use) return;
    fprintf(stderr, "clgan: note: '%s' has no GEMM tuning yet; 'clgan tune' measures the best CLBlast parameters "
                    "for it (once, about 15 minutes on a small CPU)\n", clgan_ctx_device(ctx)->device_name);
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

int cli_parse_int(const char *flag, const char *text, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "clgan: %s expects a whole number from %ld to %ld, got '%s'\n", flag, min, max, text);
        return 0;
    }
    *out = (int)v;
    return 1;
}

int cli_parse_u64(const char *flag, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') {
        fprintf(stderr, "clgan: %s expects a non-negative whole number, got '%s'\n", flag, text);
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

int cli_parse_float(const char *flag, const char *text, double min, double max, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < min || v > max) {
        fprintf(stderr, "clgan: %s expects a number from %g to %g, got '%s'\n", flag, min, max, text);
        return 0;
    }
    *out = (float)v;
    return 1;
}

int cli_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void cli_remove_empty_dir(const char *dir)
{
    rmdir(dir); /* fails, harmlessly, when it holds anything */
}

int cli_make_dirs(const char *dir)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(tmp, 0755);
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "clgan: cannot create folder %s: %s\n", dir, strerror(errno));
        return 0;
    }
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "clgan: %s exists and is not a folder\n", dir);
        return 0;
    }
    return 1;
}
