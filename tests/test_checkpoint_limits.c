/* test_checkpoint_limits.c — hostile checkpoints: every setting of every
 * kind range-checked when parsed (with the field, its value and the range in
 * the message), file bytes escaped in messages, architectures larger than
 * the file refused before anything is allocated, net size arithmetic that
 * cannot overflow, and non-finite parameters refused by the writers (the
 * good file on disk kept) and reported by the loaders. The first parts need
 * no device; the rest is skipped without one. */
#include "test_util.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/sha256.h"
#include "train/classifier.h"
#include "train/dfeatures.h"
#include "train/gan_checkpoint.h"
#include "train/net_checkpoint.h"
#include "train/ssl.h"
#include "test_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static char dir[256], path[320];

static const char *GAN_ARCH = "model=dcgan28 width=4 nz=8 conditional=0 classes=0 mbstd=0";
static const char *GAN_CFG = "batch=4 loss=ns label_smoothing=0 seed=1 lr_g=0.0002 beta1_g=0.5 beta2_g=0.999 "
                             "eps_g=1e-08 lr_d=0.0002 beta1_d=0.5 beta2_d=0.999 eps_d=1e-08 g_ema=0";
static const char *CLF_ARCH = "model=lenet28 width=4 classes=10";
static const char *CLF_CFG = "batch=8 optimizer=adam lr=0.001 momentum=0.9 beta1=0.9 beta2=0.999 eps=1e-08 "
                             "weight_decay=0 lr_decay=1 lr_decay_steps=0 augment=0 seed=1";
static const char *SSL_CFG = "model=ssl28 width=4 nz=8 classes=10 batch=4 unlabelled_weight=1 seed=1 lr_d=0.002 "
                             "beta1_d=0.5 beta2_d=0.999 eps_d=1e-08 lr_g=0.002 beta1_g=0.5 beta2_g=0.999 eps_g=1e-08 "
                             "decay_start=0 decay_end=0 augment=0";
static const char *DH_CFG = "c=1 h=28 w=28 pool=7 cond_label=0 features=24 classes=2 hidden=0 batch=8 epochs=1 "
                            "lr=0.001 weight_decay=0 seed=1 steps=0";

/* A checkpoint with the given string sections (NULL-terminated name, text
 * pairs) and one float block of `floats` zeros per name in blocks. */
static void forge(const char *const *strings, const char *const *blocks, size_t floats)
{
    clgan_ckpt_writer *w;
    MUST(clgan_ckpt_begin(path, &w));
    for (int i = 0; strings[i]; i += 2) MUST(clgan_ckpt_add_string(w, strings[i], strings[i + 1]));
    float *z = calloc(floats ? floats : 1, sizeof *z);
    for (int i = 0; blocks && blocks[i]; i++) MUST(clgan_ckpt_add(w, blocks[i], z, floats * sizeof *z));
    free(z);
    MUST(clgan_ckpt_commit(w));
}

/* text with the value of key replaced (key=... up to the next space). */
static const char *with(const char *text, const char *key, const char *value)
{
    static char out[1024];
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    const char *p = text;
    while ((p = strstr(p, pat)) && p != text && p[-1] != ' ') p++;
    if (!p) {
        printf("FAIL test bug: no %s in %s\n", key, text);
        exit(1);
    }
    size_t head = (size_t)(p - text) + strlen(pat);
    const char *tail = p + strcspn(p, " ");
    snprintf(out, sizeof out, "%.*s%s%s", (int)head, text, value, tail);
    return out;
}

static int has(const char *needle) { return strstr(clgan_last_error(), needle) != NULL; }

/* No byte of the last message is outside printable ASCII and newline. */
static int message_is_clean(void)
{
    for (const unsigned char *p = (const unsigned char *)clgan_last_error(); *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p >= 0x7f) return 0;
    return 1;
}

static void test_escape(void)
{
    char buf[32];
    EXPECT(!strcmp(clgan_escape("lenet2\xb8", 7, buf, sizeof buf), "lenet2\\xb8"), "escape: high byte as \\xNN: %s",
           buf);
    EXPECT(!strcmp(clgan_escape("a\0b\\c\n", 6, buf, sizeof buf), "a\\x00b\\\\c\\x0a"),
           "escape: NUL, backslash and newline: %s", buf);
    char longer[100];
    memset(longer, 'x', sizeof longer);
    clgan_escape(longer, sizeof longer, buf, sizeof buf);
    EXPECT(strlen(buf) == sizeof buf - 1 && !strcmp(buf + sizeof buf - 4, "..."), "escape: long text cut with ...: %s",
           buf);
    clgan_escape("\x01\x02\x03\x04\x05\x06\x07\x08", 8, buf, 12);
    EXPECT(!strcmp(buf, "\\x01\\x02..."), "escape: never cut inside an escape: %s", buf);
    EXPECT(!strcmp(clgan_escape_str(NULL, buf, sizeof buf), ""), "escape: NULL is empty");
    float v[5] = {1, NAN, 2, INFINITY, -INFINITY};
    EXPECT(clgan_count_nonfinite(v, 5) == 3 && clgan_count_nonfinite(v, 1) == 0, "count_nonfinite counts NaN and +-inf");
}

/* One setting of a checkpoint out of range: in section "arch" or "config". */
typedef struct bad_setting {
    const char *section, *key, *value, *expect;
} bad_setting;

/* Each bad setting, written into the valid arch (NULL: the kind has none)
 * and config texts of `kind`, is refused by peek with the setting, its value
 * and the file named, and no raw control byte in the message. */
static void expect_bad_settings(const char *what, const char *kind, const char *arch_text, const char *cfg_text,
                                const bad_setting *bad, size_t n, clgan_status (*peek)(const char *path))
{
    for (size_t i = 0; i < n; i++) {
        int arch = !strcmp(bad[i].section, "arch");
        const char *text = with(arch ? arch_text : cfg_text, bad[i].key, bad[i].value);
        const char *two[] = {"kind", kind, "arch", arch ? text : arch_text, "config", arch ? cfg_text : text, NULL};
        const char *one[] = {"kind", kind, "config", text, NULL};
        forge(arch_text ? two : one, NULL, 0);
        clgan_status st = peek(path);
        EXPECT(st == CLGAN_ERR_FORMAT && has(bad[i].expect) && has(path) && message_is_clean(), "%s %s=%s refused: %s",
               what, bad[i].key, bad[i].expect, clgan_last_error());
    }
}

static clgan_status peek_gan(const char *p)
{
    clgan_gan_config c;
    return clgan_gan_peek(p, &c);
}

static clgan_status peek_classifier(const char *p)
{
    clgan_classifier_config c;
    return clgan_classifier_peek(p, &c);
}

static clgan_status peek_ssl(const char *p)
{
    clgan_ssl_config c;
    return clgan_ssl_peek(p, &c);
}

/* Every kind: each setting out of range, with the field, value and range named. */
static void test_ranges(void)
{
    clgan_gan_config g;
    const char *gan_ok[] = {"kind", "clgan-gan", "arch", GAN_ARCH, "config", GAN_CFG, NULL};
    forge(gan_ok, NULL, 0);
    EXPECT(clgan_gan_peek(path, &g) == CLGAN_OK && g.arch.width == 4 && g.batch == 4, "a valid GAN checkpoint parses: %s",
           clgan_last_error());
    const bad_setting gan_bad[] = {
        {"config", "batch", "-1", "'batch' is -1, outside the allowed range 2 to 65536"},
        {"config", "batch", "2147483647", "'batch' is 2147483647, outside the allowed range 2 to 65536"},
        {"config", "batch", "99999999999999999999", "outside the allowed range 2 to 65536"},
        {"config", "batch", "8x", "'batch' is '8x', not a whole number"},
        {"arch", "width", "4096", "'width' is 4096, outside the allowed range 1 to 1024"},
        {"arch", "nz", "0", "'nz' is 0, outside the allowed range 1 to 65536"},
        {"arch", "nz", "2147483647", "'nz' is 2147483647, outside the allowed range 1 to 65536"},
        {"arch", "conditional", "2", "'conditional' is 2, outside the allowed range 0 to 1"},
        {"arch", "classes", "5", "'classes' is 5, outside the allowed range 0 to 0"},
        {"arch", "mbstd", "-1", "'mbstd' is -1, outside the allowed range 0 to 1"},
        {"config", "loss", "wgan", "'loss' is 'wgan'; expected ns, ls or hinge"},
        {"config", "label_smoothing", "0.5", "'label_smoothing' is 0.5; it must be a number in [0, 0.5)"},
        {"config", "lr_g", "-1", "'lr_g' is -1; it must be a finite number >= 0"},
        {"config", "lr_d", "nan", "'lr_d' is 'nan', not a number"},
        {"config", "beta2_d", "1", "'beta2_d' is 1; it must be a number in [0, 1)"},
        {"config", "eps_g", "0", "'eps_g' is 0; it must be a finite number > 0"},
        {"config", "eps_g", "1e999", "'eps_g' is 1e999; it must be a finite number > 0"},
        {"config", "seed", "-3", "'seed' is '-3', not a whole number from 0 to 2^64-1"},
        {"config", "g_ema", "1", "'g_ema' is 1; it must be a number in [0, 1)"},
        {"config", "g_ema", "-0.5", "'g_ema' is -0.5; it must be a number in [0, 1)"},
        {"arch", "model", "dcgan2\xb8", "unknown model 'dcgan2\\xb8'"},
    };
    expect_bad_settings("gan", "clgan-gan", GAN_ARCH, GAN_CFG, gan_bad, sizeof gan_bad / sizeof gan_bad[0], peek_gan);
    const char *gan_kind[] = {"kind", "clgan-\x01gan", "arch", GAN_ARCH, "config", GAN_CFG, NULL};
    forge(gan_kind, NULL, 0);
    EXPECT(clgan_gan_peek(path, &g) == CLGAN_ERR_FORMAT && has("'clgan-\\x01gan' checkpoint") && message_is_clean(),
           "a kind with a control byte is quoted escaped: %s", clgan_last_error());

    clgan_classifier_config c;
    const char *clf_ok[] = {"kind", "clgan-classifier", "arch", CLF_ARCH, "config", CLF_CFG, NULL};
    forge(clf_ok, NULL, 0);
    EXPECT(clgan_classifier_peek(path, &c) == CLGAN_OK && c.arch.classes == 10, "a valid classifier checkpoint parses: %s",
           clgan_last_error());
    const bad_setting clf_bad[] = {
        {"arch", "model", "lenet2\xb8", "unknown classifier model 'lenet2\\xb8'"},
        {"arch", "width", "4096", "'width' is 4096, outside the allowed range 1 to 2048"},
        {"arch", "classes", "1", "'classes' is 1, outside the allowed range 2 to 65536"},
        {"config", "batch", "-1", "'batch' is -1, outside the allowed range 2 to 65536"},
        {"config", "optimizer", "rmsprop", "'optimizer' is 'rmsprop'; expected adam or sgd"},
        {"config", "lr", "0", "'lr' is 0; it must be a finite number > 0"},
        {"config", "momentum", "1.5", "'momentum' is 1.5; it must be a number in [0, 1)"},
        {"config", "weight_decay", "-0.1", "'weight_decay' is -0.1; it must be a finite number >= 0"},
        {"config", "lr_decay", "2", "'lr_decay' is 2; it must be a number in (0, 1]"},
        {"config", "lr_decay_steps", "-4", "'lr_decay_steps' is -4, outside the allowed range 0 to"},
        {"config", "augment", "7", "'augment' is 7, outside the allowed range 0 to 1"},
    };
    expect_bad_settings("classifier", "clgan-classifier", CLF_ARCH, CLF_CFG, clf_bad,
                        sizeof clf_bad / sizeof clf_bad[0], peek_classifier);

    clgan_ssl_config sc;
    const char *ssl_ok[] = {"kind", "clgan-ssl", "config", SSL_CFG, NULL};
    forge(ssl_ok, NULL, 0);
    EXPECT(clgan_ssl_peek(path, &sc) == CLGAN_OK && sc.width == 4, "a valid ssl checkpoint parses: %s",
           clgan_last_error());
    const bad_setting ssl_bad[] = {
        {"config", "width", "2000", "'width' is 2000, outside the allowed range 1 to 1024"},
        {"config", "nz", "99999999", "'nz' is 99999999, outside the allowed range 1 to 65536"},
        {"config", "classes", "2147483647", "'classes' is 2147483647, outside the allowed range 2 to 65536"},
        {"config", "batch", "0", "'batch' is 0, outside the allowed range 2 to 65536"},
        {"config", "unlabelled_weight", "-1", "'unlabelled_weight' is -1; it must be a finite number >= 0"},
        {"config", "decay_start", "-5", "'decay_start' is -5, outside the allowed range 0 to"},
        {"config", "decay_end", "18446744073709551615", "outside the allowed range 0 to"},
        {"config", "augment", "3", "'augment' is 3, outside the allowed range 0 to 1"},
        {"config", "model", "ssl\x7f", "unknown semi-supervised model 'ssl\\x7f'"},
    };
    expect_bad_settings("ssl", "clgan-ssl", NULL, SSL_CFG, ssl_bad, sizeof ssl_bad / sizeof ssl_bad[0], peek_ssl);

    clgan_dhead_file info;
    const char *names2 = "a\nb\n";
    const char *dh_ok[] = {"kind", "clgan-dfeatures", "gan", "g.ckpt", "gan_sha256", "00", "config", DH_CFG,
                           "class_names", names2, NULL};
    forge(dh_ok, NULL, 0);
    EXPECT(clgan_dhead_load(NULL, path, NULL, &info) == CLGAN_OK && info.head.features == 24,
           "a valid dfeatures head parses: %s", clgan_last_error());
    free(info.class_names);
    struct { const char *key, *value, *expect; } dh_bad[] = {
        {"classes", "2147483647", "'classes' is 2147483647, outside the allowed range 2 to 65536"},
        {"features", "0", "'features' is 0, outside the allowed range 1 to 16777216"},
        {"hidden", "-1", "'hidden' is -1, outside the allowed range 0 to 65536"},
        {"batch", "-1", "'batch' is -1, outside the allowed range 1 to 65536"},
        {"epochs", "0", "'epochs' is 0, outside the allowed range 1 to 10000000"},
        {"c", "1000", "'c' is 1000, outside the allowed range 1 to 4"},
        {"h", "0", "'h' is 0, outside the allowed range 1 to 16384"},
        {"pool", "16", "'pool' is 16, outside the allowed range 1 to 15"},
        {"cond_label", "-1", "'cond_label' is -1, outside the allowed range 0 to 65535"},
        {"lr", "inf", "'lr' is 'inf', not a number"},
        {"steps", "-1", "'steps' is -1, outside the allowed range 0 to"},
    };
    for (size_t i = 0; i < sizeof dh_bad / sizeof dh_bad[0]; i++) {
        const char *s[] = {"kind", "clgan-dfeatures", "gan", "g.ckpt", "gan_sha256", "00", "config",
                           with(DH_CFG, dh_bad[i].key, dh_bad[i].value), "class_names", names2, NULL};
        forge(s, NULL, 0);
        clgan_status st = clgan_dhead_load(NULL, path, NULL, &info);
        EXPECT(st == CLGAN_ERR_FORMAT && has(dh_bad[i].expect) && has(path) && !info.class_names,
               "dfeatures %s=%s refused: %s", dh_bad[i].key, dh_bad[i].expect, clgan_last_error());
    }
    /* Class names are printed in reports: a control byte (a terminal escape) is read as a space. */
    const char *dh_esc[] = {"kind", "clgan-dfeatures", "gan", "g.ckpt", "gan_sha256", "00", "config", DH_CFG,
                            "class_names", "a\x1b[2J\tb\nc\n", NULL};
    forge(dh_esc, NULL, 0);
    clgan_status st = clgan_dhead_load(NULL, path, NULL, &info);
    EXPECT(st == CLGAN_OK && info.class_names && !strcmp(info.class_names[0], "a [2J b"),
           "a class name's control bytes read as spaces: %s", st == CLGAN_OK ? info.class_names[0] : clgan_last_error());
    if (st == CLGAN_OK) free(info.class_names);
}

/* A container whose two sections share a name with a control byte: the
 * message quotes it escaped (container keys are file bytes too). */
static void test_container_keys(void)
{
    uint8_t b[128];
    size_t n = 0;
    memcpy(b, "CLGANCKP", 8), n = 8;
    b[n++] = 1, b[n++] = 0, b[n++] = 0, b[n++] = 0; /* version */
    b[n++] = 2, b[n++] = 0, b[n++] = 0, b[n++] = 0; /* two sections */
    for (int s = 0; s < 2; s++) {
        b[n++] = 2, b[n++] = 0, b[n++] = 0, b[n++] = 0;
        b[n++] = 'k', b[n++] = 0x1b; /* ESC */
        memset(b + n, 0, 8), n += 8;
    }
    clgan_sha256(b, n, b + n);
    n += 32;
    clgan_ckpt_reader *r = NULL;
    clgan_status st = clgan_ckpt_open_memory(b, n, "mem.ckpt", &r);
    EXPECT(st == CLGAN_ERR_FORMAT && !r && has("section 'k\\x1b' appears twice") && has("mem.ckpt") && message_is_clean(),
           "duplicate section name quoted escaped: %s", clgan_last_error());
    b[34] = 'j'; /* rename the second section and redo the checksum: now a valid container */
    clgan_sha256(b, n - 32, b + n - 32);
    st = clgan_ckpt_open_memory(b, n, "mem.ckpt", &r);
    EXPECT(st == CLGAN_OK && r && clgan_ckpt_section_count(r) == 2, "open_memory reads a valid container: %s",
           clgan_last_error());
    clgan_ckpt_close(r);
}

/* Net sizes: products that overflow int (or even 64 bits) are refused
 * with a clear message, without a device. */
static void test_net_sizes(void)
{
    size_t params = 0, state = 0;
    clgan_layer_spec dense = clgan_dense(65536);
    clgan_status st = clgan_net_specs_size(65536, 1, 1, &dense, 1, &params, &state);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && has("layer 0 (dense)") && has("4294967296 floats") && has("2147483647"),
           "a dense layer of 2^32 weights is refused: %s", clgan_last_error());
    clgan_layer_spec conv = clgan_conv(1 << 30, 1 << 16, 1, 0);
    st = clgan_net_specs_size(1 << 30, 1 << 16, 1 << 16, &conv, 1, &params, &state);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && has("more than"), "a conv whose weights pass 2^64 is refused: %s",
           clgan_last_error());
    clgan_layer_spec concat = clgan_concat_labels(2147483647);
    st = clgan_net_specs_size(4, 1, 1, &concat, 1, &params, &state);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && has("concat_labels") && has("channels"),
           "concat_labels past int channels is refused: %s", clgan_last_error());
    clgan_layer_spec reshape = clgan_reshape(65536, 65536, 65536);
    st = clgan_net_specs_size(1, 1, 1, &reshape, 1, &params, &state);
    EXPECT(st == CLGAN_ERR_INVALID_ARG, "a reshape whose size overflows does not match a 1-float input: %s",
           clgan_last_error());

    /* The GAN models at their limits: width 1024 fits, 4096 is refused by
     * the arch, and the DCGAN tables stay within the nets' indexing. */
    clgan_gan_arch a;
    memset(&a, 0, sizeof a);
    snprintf(a.model, sizeof a.model, "dcgan64");
    a.width = 4096;
    EXPECT(clgan_gan_arch_resolve(&a) == CLGAN_ERR_INVALID_ARG && has("at most 1024"),
           "GAN width 4096 refused by the arch: %s", clgan_last_error());
    a.width = CLGAN_GAN_MAX_WIDTH, a.nz = 100;
    MUST(clgan_gan_arch_resolve(&a));
    clgan_layer_spec gs[CLGAN_MAX_NET_LAYERS];
    int gn = 0;
    MUST(clgan_gan_generator_specs(&a, gs, &gn));
    st = clgan_net_specs_size(a.nz, 1, 1, gs, gn, &params, &state);
    EXPECT(st == CLGAN_OK && params > 500000000u && params < 2147483647u, "dcgan64 G at width 1024: %zu parameters",
           params);
    a.nz = CLGAN_GAN_MAX_NZ; /* the text's shape check refuses it, naming the preset's line */
    st = clgan_gan_generator_specs(&a, gs, &gn);
    EXPECT(st == CLGAN_ERR_FORMAT && has("preset dcgan64 (part g):") && has("layer 0 (dense)") &&
               has("8589934592 floats"),
           "dcgan64 G at width 1024 and nz 65536 overflows int and says so: %s", clgan_last_error());
    a.nz = 100, a.conditional = 1, a.classes = CLGAN_GAN_MAX_CLASSES + 1;
    EXPECT(clgan_gan_arch_resolve(&a) == CLGAN_ERR_INVALID_ARG && has("2 to 65536 classes"),
           "too many GAN classes refused: %s", clgan_last_error());
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Tiny files naming huge architectures: refused by size before any
 * allocation, for each kind. */
static void test_tiny_files(clgan_ctx *ctx)
{
    const char *gan_blocks[] = {"G.params", "G.state", "G.opt_m", "G.opt_v", "D.params", "D.state", "D.opt_m",
                                "D.opt_v", NULL};
    size_t before = clgan_ctx_peak_bytes(ctx);
    double t0 = now();
    clgan_gan *g = NULL;
    clgan_status st;
    {
        clgan_ckpt_writer *w;
        MUST(clgan_ckpt_begin(path, &w));
        MUST(clgan_ckpt_add_string(w, "kind", "clgan-gan"));
        MUST(clgan_ckpt_add_string(w, "arch", with(GAN_ARCH, "width", "1024")));
        MUST(clgan_ckpt_add_string(w, "config", GAN_CFG));
        MUST(clgan_ckpt_add_i64(w, "step", 3));
        float z[1000] = {0};
        for (int i = 0; gan_blocks[i]; i++) MUST(clgan_ckpt_add(w, gan_blocks[i], z, sizeof z));
        MUST(clgan_ckpt_commit(w));
    }
    st = clgan_gan_load(ctx, path, &g, NULL, 0);
    EXPECT(st == CLGAN_ERR_FORMAT && !g && has("by its settings, G needs") && has("section G.params holds only 4000 bytes"),
           "gan: a 32 KB file declaring width 1024 refused: %s", clgan_last_error());

    const char *clf_blocks[] = {"net.params", "net.state", "net.opt_m", "net.opt_v", NULL};
    clgan_ckpt_writer *w;
    MUST(clgan_ckpt_begin(path, &w));
    MUST(clgan_ckpt_add_string(w, "kind", "clgan-classifier"));
    MUST(clgan_ckpt_add_string(w, "arch", with(CLF_ARCH, "width", "2048")));
    MUST(clgan_ckpt_add_string(w, "config", CLF_CFG));
    MUST(clgan_ckpt_add_i64(w, "step", 0));
    float z[1000] = {0};
    for (int i = 0; clf_blocks[i]; i++) MUST(clgan_ckpt_add(w, clf_blocks[i], z, sizeof z));
    MUST(clgan_ckpt_commit(w));
    clgan_classifier *c = NULL;
    st = clgan_classifier_load(ctx, path, &c, NULL, 0);
    EXPECT(st == CLGAN_ERR_FORMAT && !c && has("by its settings, net needs") && has("net.params holds only"),
           "classifier: a small file declaring width 2048 refused: %s", clgan_last_error());

    MUST(clgan_ckpt_begin(path, &w));
    MUST(clgan_ckpt_add_string(w, "kind", "clgan-ssl"));
    MUST(clgan_ckpt_add_string(w, "config", with(SSL_CFG, "width", "1024")));
    MUST(clgan_ckpt_add_i64(w, "step", 0));
    for (int i = 0; gan_blocks[i]; i++) MUST(clgan_ckpt_add(w, gan_blocks[i], z, sizeof z));
    MUST(clgan_ckpt_commit(w));
    clgan_ssl *s = NULL;
    st = clgan_ssl_load(ctx, path, &s, NULL, 0);
    EXPECT(st == CLGAN_ERR_FORMAT && !s && has("by its settings, G needs") && has("G.params holds only"),
           "ssl: a small file declaring width 1024 refused: %s", clgan_last_error());

    const char *dh[] = {"kind", "clgan-dfeatures", "gan", "g.ckpt", "gan_sha256", "00", "config",
                        with(DH_CFG, "features", "16777216"), "class_names", "a\nb\n", NULL};
    const char *dh_blocks[] = {"standardiser", "head.params", NULL};
    forge(dh, dh_blocks, 48);
    clgan_dhead_file info;
    clgan_dhead *h = NULL;
    st = clgan_dhead_load(ctx, path, &h, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && !h && has("standardiser holds 192 bytes, 16777216 features need"),
           "dfeatures: a small file declaring 2^24 features refused: %s", clgan_last_error());
    const char *dh2[] = {"kind", "clgan-dfeatures", "gan", "g.ckpt", "gan_sha256", "00", "config",
                         with(DH_CFG, "hidden", "65536"), "class_names", "a\nb\n", NULL};
    forge(dh2, dh_blocks, 48);
    st = clgan_dhead_load(ctx, path, &h, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && !h && has("by its settings, head needs") && has("head.params holds only"),
           "dfeatures: a small file declaring a 65536-unit hidden layer refused: %s", clgan_last_error());

    size_t grew = clgan_ctx_peak_bytes(ctx) - before;
    double took = now() - t0;
    EXPECT(grew < ((size_t)16 << 20) && took < 20, "none of them allocated (peak grew by %zu bytes, %.2f s)", grew,
           took);
}

/* Nets built directly with counts past int: a clear message, nothing allocated. */
static void test_net_create(clgan_ctx *ctx)
{
    size_t before = clgan_ctx_bytes_in_use(ctx);
    clgan_net *net = NULL;
    clgan_layer_spec dense = clgan_dense(1 << 20);
    clgan_status st = clgan_net_create(ctx, 4096, 1, 1, &dense, 1, 1, &net);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && !net && has("4294967296 floats") && clgan_ctx_bytes_in_use(ctx) == before,
           "net_create: 2^32 weights refused before allocating: %s", clgan_last_error());
    clgan_layer_spec wide = clgan_dense(4096);
    MUST(clgan_net_create(ctx, 1, 1, 1, &wide, 1, 1, &net));
    size_t built = clgan_ctx_bytes_in_use(ctx);
    st = clgan_net_plan(net, 1 << 20);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && has("use a smaller batch") && has("4294967296 floats") &&
               clgan_ctx_bytes_in_use(ctx) == built,
           "net_plan: a batch whose activations pass int refused before allocating: %s", clgan_last_error());
    clgan_net_free(net);
}

/* NaN parameters: the writer refuses them and keeps the good file; the
 * loader warns about a file that has them. */
static void test_nonfinite(clgan_ctx *ctx)
{
    clgan_gan_config cfg = clgan_gan_default_config();
    cfg.arch.width = 4, cfg.arch.nz = 8, cfg.batch = 4;
    clgan_gan *gan;
    MUST(clgan_gan_create(ctx, &cfg, &gan));
    MUST(clgan_gan_save(gan, path, "good"));
    size_t good_len, after_len;
    char *good = (char *)test_read_file(path, &good_len);

    clgan_net *G = clgan_gan_generator(gan);
    size_t n = clgan_net_block_floats(G, CLGAN_NET_PARAMS);
    float *p = malloc(n * sizeof *p);
    MUST(clgan_net_read_block(G, CLGAN_NET_PARAMS, p));
    p[n / 2] = NAN;
    MUST(clgan_net_write_block(G, CLGAN_NET_PARAMS, p));
    clgan_status st = clgan_gan_save(gan, path, "bad");
    char *after = (char *)test_read_file(path, &after_len);
    EXPECT(st == CLGAN_ERR_CHECK_FAILED && has("parameters of G contain 1 non-finite value") &&
               has("checkpoint not written") && has(path),
           "writer refuses NaN parameters: %s", clgan_last_error());
    EXPECT(good && after && good_len == after_len && !memcmp(good, after, good_len) && test_count_tmp(dir) == 0,
           "the good checkpoint on disk is untouched, no temporary file left");
    free(after);

    /* A file with NaN and infinity in G.params: the loader warns on stderr. */
    p[n / 2] = NAN, p[0] = INFINITY;
    clgan_ckpt_reader *r;
    clgan_ckpt_writer *w;
    char forged[400];
    snprintf(forged, sizeof forged, "%s/nan.ckpt", dir);
    MUST(clgan_ckpt_open(path, &r));
    MUST(clgan_ckpt_begin(forged, &w));
    for (int i = 0; i < clgan_ckpt_section_count(r); i++) {
        const char *sn;
        const void *d;
        size_t bytes;
        MUST(clgan_ckpt_section_at(r, i, &sn, &d, &bytes));
        if (!strcmp(sn, "G.params")) MUST(clgan_ckpt_add(w, sn, p, n * sizeof *p));
        else MUST(clgan_ckpt_add(w, sn, d, bytes));
    }
    MUST(clgan_ckpt_commit(w));
    clgan_ckpt_close(r);
    char errfile[400];
    snprintf(errfile, sizeof errfile, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2), fd = open(errfile, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    dup2(fd, 2);
    close(fd);
    clgan_gan *loaded = NULL;
    st = clgan_gan_load(ctx, forged, &loaded, NULL, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    size_t elen;
    char *err = (char *)test_read_file(errfile, &elen);
    EXPECT(st == CLGAN_OK && loaded, "a NaN checkpoint still loads: %s", clgan_last_error());
    EXPECT(err && strstr(err, "clgan: warning:") && strstr(err, forged) && strstr(err, "G.params") &&
               strstr(err, "2 non-finite values"),
           "and the loader warns: %s", err ? err : "(nothing)");
    EXPECT(err && !strstr(err, "D.params"), "only the damaged block is named");
    free(err);
    clgan_gan_free(loaded);
    free(good);
    free(p);
    clgan_gan_free(gan);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/clgan-test-ckptlim-%d", (int)getpid());
    snprintf(path, sizeof path, "%s/x.ckpt", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) return 1;

    test_escape();
    test_ranges();
    test_container_keys();
    test_net_sizes();

    int ndev = 0;
    if (clgan_device_count(&ndev) == CLGAN_ERR_NO_PLATFORM || ndev == 0) {
        printf("no OpenCL device: the parts that build nets are skipped\n");
    } else {
        clgan_ctx *ctx;
        MUST(clgan_ctx_create(NULL, &ctx));
        test_net_create(ctx);
        test_tiny_files(ctx);
        test_nonfinite(ctx);
        clgan_ctx_free(ctx);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return test_finish();
}
