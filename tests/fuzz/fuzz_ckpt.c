/* fuzz_ckpt.c — libFuzzer target for one checkpoint kind's loader, built once
 * per kind (FUZZ_CKPT_KIND): gan (host/train/gan_checkpoint.c), classifier
 * (classifier_checkpoint.c), ssl (ssl_checkpoint.c) and dfeatures
 * (dfeatures_checkpoint.c). The input is a whole checkpoint file; its SHA-256
 * trailer is recomputed (fuzz_ckpt_util.h) and it is written to a scratch file.
 *
 * Every input goes through the host-only stage (peek: container, kind, arch
 * and config parsing, range checks). An input that passes it is then loaded in
 * full (nets built on the device, layouts compared, blocks uploaded) with one
 * OpenCL context made once per process, before the first input. Without a
 * device, or with CLGAN_FUZZ_LOAD=0, only the host-only stage runs. */
#include "fuzz_ckpt_util.h"
#include "train/classifier.h"
#include "train/dfeatures.h"
#include "train/gan_checkpoint.h"
#include "train/ssl.h"

#define KIND_GAN 1
#define KIND_CLASSIFIER 2
#define KIND_SSL 3
#define KIND_DFEATURES 4
#ifndef FUZZ_CKPT_KIND
#error "build with -DFUZZ_CKPT_KIND=1 (gan), 2 (classifier), 3 (ssl) or 4 (dfeatures)"
#endif

/* The process's context, made before the first input; NULL when there is no
 * device or loads are off. */
static clgan_ctx *load_ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *env = getenv("CLGAN_FUZZ_LOAD");
    if (env && !strcmp(env, "0")) return 0;
    clgan_ctx_params p = clgan_ctx_default_params();
    if (clgan_ctx_create(&p, &load_ctx) != CLGAN_OK) {
        fprintf(stderr, "fuzz: no OpenCL context (%s): only the host-only stage runs\n", clgan_last_error());
        load_ctx = NULL;
    }
    return 0;
}

static clgan_ctx *fuzz_ctx(void) { return load_ctx; }

/* The kinds with a PREFIX_peek / PREFIX_load pair: peek, then (with a
 * device) load and free, each failure checked for its message. */
#define PEEK_THEN_LOAD(prefix)                                                        \
    do {                                                                              \
        prefix##_config cfg;                                                          \
        st = prefix##_peek(path, &cfg);                                               \
        fuzz_check_message(st, #prefix "_peek");                                      \
        if (st == CLGAN_OK && fuzz_ctx()) {                                           \
            prefix *m = NULL;                                                         \
            st = prefix##_load(fuzz_ctx(), path, &m, note, sizeof note);              \
            fuzz_check_message(st, #prefix "_load");                                  \
            prefix##_free(m);                                                         \
        }                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "k.ckpt");
    fuzz_write_ckpt(path, data, size);
    char note[256];
    clgan_status st;
#if FUZZ_CKPT_KIND == KIND_GAN
    PEEK_THEN_LOAD(clgan_gan);
#elif FUZZ_CKPT_KIND == KIND_CLASSIFIER
    PEEK_THEN_LOAD(clgan_classifier);
#elif FUZZ_CKPT_KIND == KIND_SSL
    PEEK_THEN_LOAD(clgan_ssl);
#elif FUZZ_CKPT_KIND == KIND_DFEATURES
    (void)note;
    clgan_dhead_file info;
    st = clgan_dhead_load(NULL, path, NULL, &info); /* no head: parse only */
    fuzz_check_message(st, "clgan_dhead_load (parse only)");
    if (st == CLGAN_OK) {
        free(info.class_names);
        if (fuzz_ctx()) {
            clgan_dhead *h = NULL;
            st = clgan_dhead_load(fuzz_ctx(), path, &h, &info);
            fuzz_check_message(st, "clgan_dhead_load");
            if (st == CLGAN_OK) free(info.class_names);
            clgan_dhead_free(h);
        }
    }
#else
#error "unknown FUZZ_CKPT_KIND"
#endif
    return 0;
}
