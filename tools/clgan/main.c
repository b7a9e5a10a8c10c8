/* main.c — the clgan command-line program: subcommand dispatch, --help, and
 * the option helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    {"bench", "time GEMMs, layers, training steps and start-up on a device; compare runs (JSON)", cmd_bench},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "clgan %s — GANs and image classifiers on any OpenCL device\n\n"
               "usage: clgan <command> [options]\n\ncommands:\n", CLGAN_VERSION_STRING);
    for (size_t i = 0; i < COMMAND_COUNT; i++) fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'clgan <command> --help' for a command's options.\n"
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

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("clgan %s\n", CLGAN_VERSION_STRING);
        return 0;
    }
    return cli_dispatch(commands, (int)COMMAND_COUNT, argc, argv, usage, "clgan");
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
    if (clgan_ctx_create(&p, ctx) != CLGAN_OK) return cli_fail(NULL);
    return 0;
}

void cli_suggest_tune(clgan_ctx *ctx)
{
    const char *env = getenv("CLGAN_GEMM_TUNED");
    if (clgan_ctx_tuned(ctx, NULL, 0) || (env && !strcmp(env, "0"))) return;
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
