/* api_files.c — clgan/image.h's file functions and clgan/checkpoint.h over
 * <clgan.h> only: a PNG written with clgan_png_write read back by
 * clgan_image_read_file (centre crop, RGB and grey, values p / 127.5 - 1);
 * the errors for bad shapes, unwritable paths and unreadable files (naming
 * the path); a file's SHA-256; with a device, a saved classifier's kind, note, class names and
 * architecture text read from its checkpoint, its settings without a model
 * (each the loaded model's value), a missing section, a file that is no
 * checkpoint and a kind that does not fit. */
#include "test_expect.h"
#include "test_files.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char dir[] = "/tmp/clgan-api-files-XXXXXX";

static const char *in_dir(const char *name)
{
    static char paths[4][320];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static int starts_with(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

static void test_images(void)
{
    enum { W = 4, H = 2 };
    uint8_t px[W * H * 3];
    for (int i = 0; i < W * H * 3; i++) px[i] = (uint8_t)(i * 29 % 256);
    char png[320];
    snprintf(png, sizeof png, "%s", in_dir("rgb.png"));
    MUST(clgan_png_write(png, W, H, 3, px));
    float rgb[3 * H * H], grey[H * H];
    MUST(clgan_image_read_file(png, 3, H, rgb));
    int bad = 0;
    for (int c = 0; c < 3; c++) /* the 2 x 2 centre: columns 1 and 2 */
        for (int y = 0; y < H; y++)
            for (int x = 0; x < H; x++)
                bad += rgb[(c * H + y) * H + x] != (float)(px[(y * W + x + 1) * 3 + c] / 127.5 - 1.0);
    EXPECT(!bad, "a 4x2 RGB PNG read at size 2: its centre columns as p / 127.5 - 1 (%d values differ)", bad);
    MUST(clgan_image_read_file(png, 1, H, grey));
    const uint8_t *p0 = &px[(0 * W + 1) * 3];
    int g = (299 * p0[0] + 587 * p0[1] + 114 * p0[2] + 500) / 1000;
    EXPECT(grey[0] == (float)(g / 127.5 - 1.0), "grey from RGB: (299 R + 587 G + 114 B) / 1000 (%g, want %g)",
           grey[0], g / 127.5 - 1.0);

    EXPECT(clgan_png_write(in_dir("zero.png"), 0, H, 3, px) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "0 x 2"),
           "png_write refuses a zero width: %s", clgan_last_error());
    EXPECT(clgan_png_write(in_dir("five.png"), W, H, 5, px) == CLGAN_ERR_INVALID_ARG,
           "png_write refuses 5 channels: %s", clgan_last_error());
    const char *nowhere = in_dir("no/such/folder/x.png");
    EXPECT(clgan_png_write(nowhere, W, H, 3, px) == CLGAN_ERR_IO && strstr(clgan_last_error(), nowhere),
           "png_write to a missing folder names the path: %s", clgan_last_error());

    const char *missing = in_dir("missing.png");
    EXPECT(clgan_image_read_file(missing, 3, 2, rgb) == CLGAN_ERR_IO && starts_with(clgan_last_error(), missing),
           "reading a missing file: the message starts with its path: %s", clgan_last_error());
    const char *text = in_dir("notes.png");
    test_write_file(text, "not an image at all\n", 20, 0);
    clgan_status st = clgan_image_read_file(text, 3, 2, rgb);
    EXPECT(st == CLGAN_ERR_FORMAT && starts_with(clgan_last_error(), text),
           "a text file named .png is a format error naming it: %s", clgan_last_error());
    EXPECT(clgan_image_read_file(png, 2, 2, rgb) == CLGAN_ERR_INVALID_ARG, "2 channels are refused: %s",
           clgan_last_error());
}

static void test_sha256(void)
{
    const char *abc = in_dir("abc.txt");
    test_write_file(abc, "abc", 3, 0);
    char hex[65];
    MUST(clgan_sha256_file(abc, hex));
    EXPECT(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
           "SHA-256 of \"abc\" (FIPS 180-2's example): %s", hex);
    const char *missing = in_dir("missing.bin");
    EXPECT(clgan_sha256_file(missing, hex) == CLGAN_ERR_IO && strstr(clgan_last_error(), missing),
           "SHA-256 of a missing file names it: %s", clgan_last_error());
}

/* The checkpoint's settings without a model: every row of the kind's table,
 * each the value the loaded model gives, `expect` among them. */
static void settings_match(clgan_ctx *ctx, const char *ckpt, clgan_model_kind kind, const char *expect)
{
    char *settings = NULL;
    MUST(clgan_checkpoint_settings(ckpt, &settings));
    clgan_model *loaded;
    MUST(clgan_model_load(ctx, ckpt, &loaded, NULL, 0));
    int lines = 0, same = settings && strstr(settings, expect);
    for (char *line = settings, *nl; same && line && (nl = strchr(line, '\n')); line = nl + 1, lines++) {
        *nl = '\0';
        char *eq = strchr(line, '='), value[256] = "";
        same = eq && (*eq = '\0', clgan_model_get_setting(loaded, line, value, sizeof value) == CLGAN_OK) &&
               !strcmp(value, eq + 1);
        if (!same) printf("setting %s: checkpoint %s, model %s\n", line, eq ? eq + 1 : "?", value);
    }
    EXPECT(same && lines == clgan_setting_count(kind), "%s: the checkpoint's %d settings, each the loaded model's value",
           clgan_model_kind_name(kind), lines);
    clgan_free(settings);
    clgan_model_free(loaded);
}

static void test_checkpoint(clgan_ctx *ctx)
{
    clgan_model_params p = clgan_model_default_params(CLGAN_MODEL_CLASSIFIER);
    p.arch = "lenet28", p.classes = 3, p.settings = "batch=4 width=4";
    clgan_model *m;
    MUST(clgan_model_create(ctx, &p, &m));
    MUST(clgan_model_set_class_name(m, 1, "ring"));
    const char *ckpt = in_dir("clf.ckpt");
    MUST(clgan_model_save(m, ckpt, "a note\nover two lines"));

    char kind[32];
    clgan_model_kind mk = (clgan_model_kind)0;
    MUST(clgan_checkpoint_kind(ckpt, kind, sizeof kind, &mk));
    EXPECT(!strcmp(kind, "clgan-classifier") && mk == CLGAN_MODEL_CLASSIFIER, "kind %s, model kind %d", kind, (int)mk);
    char *note = NULL, *names = NULL, *arch = NULL, *none = (char *)1;
    MUST(clgan_checkpoint_text(ckpt, "note", &note));
    EXPECT(note && !strcmp(note, "a note\nover two lines"), "the note as saved (%s)", note ? note : "NULL");
    void *raw = NULL;
    size_t raw_len = 0;
    MUST(clgan_checkpoint_section(ckpt, "note", &raw, &raw_len));
    EXPECT(raw && raw_len == strlen("a note\nover two lines") && !memcmp(raw, note ? note : "", raw_len),
           "the note's bytes and their count (%zu)", raw_len);
    clgan_free(raw);
    MUST(clgan_checkpoint_text(ckpt, "class_names", &names));
    EXPECT(names && !strcmp(names, "0\nring\n2\n"), "class names, one per line (%s)", names ? names : "NULL");
    MUST(clgan_checkpoint_text(ckpt, "arch.c", &arch));
    const char *kept = clgan_model_arch_text(m, "C");
    EXPECT(arch && kept && !strcmp(arch, kept), "the architecture text is the model's");
    MUST(clgan_checkpoint_text(ckpt, "no_such_section", &none));
    EXPECT(none == NULL, "a missing section gives NULL");
    clgan_free(note), clgan_free(names), clgan_free(arch);
    EXPECT(clgan_checkpoint_kind(ckpt, kind, 4, NULL) == CLGAN_ERR_INVALID_ARG, "a kind that does not fit: %s",
           clgan_last_error());

    settings_match(ctx, ckpt, CLGAN_MODEL_CLASSIFIER, "batch=4\n");
    clgan_model_params g = clgan_model_default_params(CLGAN_MODEL_GAN);
    g.settings = "batch=4 width=4 nz=8 loss=ls";
    clgan_model *gan;
    MUST(clgan_model_create(ctx, &g, &gan));
    const char *gan_ckpt = in_dir("gan.ckpt");
    MUST(clgan_model_save(gan, gan_ckpt, NULL));
    clgan_model_free(gan);
    settings_match(ctx, gan_ckpt, CLGAN_MODEL_GAN, "loss=ls\n");

    char *settings;
    const char *png = in_dir("rgb.png");
    EXPECT(clgan_checkpoint_settings(png, &settings) == CLGAN_ERR_FORMAT, "a PNG has no settings: %s",
           clgan_last_error());
    EXPECT(clgan_checkpoint_kind(png, kind, sizeof kind, &mk) == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), png),
           "a PNG is no checkpoint: %s", clgan_last_error());
    char *t;
    EXPECT(clgan_checkpoint_text(in_dir("missing.ckpt"), "note", &t) == CLGAN_ERR_IO, "a missing file: %s",
           clgan_last_error());
    clgan_model_free(m);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        printf("FAIL mkdtemp\n");
        return 1;
    }
    test_images();
    test_sha256();
    clgan_ctx *ctx = test_device_or_null("checkpoints are");
    if (ctx) test_checkpoint(ctx);
    clgan_ctx_free(ctx);
    test_rm_rf(dir);
    return test_finish();
}
