/* test_arch_presets.c — the preset nets are exactly the ones the layer tables
 * written in C built before the presets became architecture texts.
 *
 * tests/data/arch_presets.txt was written by this program (with --write)
 * from the C tables. For every case below it holds each net's layer specs,
 * field by field (floats as hex), and, when a device is present, the SHA-256
 * of the net's initial parameter and statistics blocks (weights are drawn on
 * the host, so the hash is the same on every device), and the same hashes of
 * the nets loaded from the checkpoints in tests/data/ckpt-v0 (written by the
 * CLI of that time). The test rebuilds the same cases and compares line by
 * line; a semi-supervised checkpoint of that time is checked by what it
 * predicts (check_ssl_checkpoint). */
#include "test_util.h"
#include "core/sha256.h"
#include "train/classifier.h"
#include "train/dfeatures.h"
#include "train/gan.h"
#include "train/gan_checkpoint.h"
#include "train/ssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 512
#define LINE_CAP 512
#define PART_CAP 400

static char lines[MAX_LINES][LINE_CAP];
static int n_lines;

static void emit(const char *fmt, const char *a, const char *b, const char *c)
{
    if (n_lines < MAX_LINES) snprintf(lines[n_lines++], LINE_CAP, fmt, a, b, c);
}

/* "NAME PART KEY N": where the features are cut (key "feature" from the specs, "net-feature" from the built net). */
static void emit_feature(const char *name, const char *part, const char *key, int layer)
{
    char f[64];
    snprintf(f, sizeof f, "%s %d", key, layer);
    emit("%s %s %s", name, part, f);
}

static void emit_specs(const char *name, const char *part, const clgan_layer_spec *s, int n)
{
    for (int i = 0; i < n; i++) {
        char buf[PART_CAP];
        snprintf(buf, sizeof buf, "%d %s out=%d k=%d stride=%d pad=%d out_pad=%d h=%d w=%d bias=%d act=%d slope=%a p=%a "
                 "init=%d std=%a wn=%d", i, clgan_layer_kind_name(s[i].kind), s[i].out, s[i].k, s[i].stride, s[i].pad,
                 s[i].out_pad, s[i].h, s[i].w, s[i].bias, (int)s[i].act, (double)s[i].slope, (double)s[i].p,
                 (int)s[i].init, (double)s[i].init_std, s[i].weight_norm);
        emit("%s %s spec %s", name, part, buf);
    }
}

static void emit_hash(const char *name, const char *part, clgan_net *net)
{
    char hex[2][65];
    clgan_net_block blocks[2] = {CLGAN_NET_PARAMS, CLGAN_NET_STATE};
    for (int b = 0; b < 2; b++) {
        size_t n = clgan_net_block_floats(net, blocks[b]);
        float *v = malloc((n ? n : 1) * sizeof *v);
        if (!v) exit(1);
        if (n) MUST(clgan_net_read_block(net, blocks[b], v));
        uint8_t d[32];
        clgan_sha256(v, n * sizeof *v, d);
        clgan_sha256_hex(d, hex[b]);
        free(v);
    }
    char buf[PART_CAP];
    snprintf(buf, sizeof buf, "params=%zu %s state=%s", clgan_net_param_count(net), hex[0], hex[1]);
    emit("%s %s hash %s", name, part, buf);
}

static const struct { const char *name, *model; int width, nz, cond, classes, mbstd; } gans[] = {
    {"gan-dcgan28-default", "dcgan28", 0, 100, 0, 0, 0},
    {"gan-dcgan28-cond-mbstd", "dcgan28", 8, 16, 1, 10, 1},
    {"gan-dcgan32", "dcgan32", 8, 16, 0, 0, 0},
    {"gan-dcgan32-cond-mbstd", "dcgan32", 4, 12, 1, 3, 1},
    {"gan-dcgan64", "dcgan64", 4, 8, 0, 0, 0},
    {"gan-dcgan64-mbstd", "dcgan64", 2, 8, 0, 0, 1},
};
static const struct { const char *name, *model; int width, classes; } classifiers[] = {
    {"clf-lenet28-default", "lenet28", 32, 10},
    {"clf-lenet28-w5", "lenet28", 5, 3},
    {"clf-vgg32-w4", "vgg32", 4, 10},
    {"clf-vgg32-w3", "vgg32", 3, 7},
};
static const struct { const char *name, *model; int width, nz, classes; } ssls[] = {
    {"ssl-ssl28-default", "ssl28", 32, 100, 10},
    {"ssl-ssl28-w5", "ssl28", 5, 10, 3},
    {"ssl-ssl28-w1", "ssl28", 1, 4, 2},
    {"ssl-ssl32-w8", "ssl32", 8, 16, 10},
    {"ssl-ssl32-w3", "ssl32", 3, 7, 4},
};
static const struct { const char *name; int features, classes, hidden; } heads[] = {
    {"head-linear", 24, 10, 0},
    {"head-mlp", 24, 3, 16},
};
#define COUNT(a) (int)(sizeof a / sizeof a[0])

static clgan_gan_config gan_config(int i)
{
    clgan_gan_config c = clgan_gan_default_config();
    snprintf(c.arch.model, sizeof c.arch.model, "%s", gans[i].model);
    c.arch.width = gans[i].width, c.arch.nz = gans[i].nz, c.arch.conditional = gans[i].cond;
    c.arch.classes = gans[i].classes, c.arch.mbstd = gans[i].mbstd;
    c.batch = 4;
    c.seed = 3 + (uint64_t)i;
    MUST(clgan_gan_arch_resolve(&c.arch));
    return c;
}

static clgan_classifier_config classifier_config(int i)
{
    clgan_classifier_config c = clgan_classifier_default_config();
    snprintf(c.arch.model, sizeof c.arch.model, "%s", classifiers[i].model);
    c.arch.width = classifiers[i].width, c.arch.classes = classifiers[i].classes;
    c.batch = 4;
    c.seed = 11 + (uint64_t)i;
    MUST(clgan_classifier_arch_resolve(&c.arch));
    return c;
}

static clgan_ssl_config ssl_config(int i)
{
    clgan_ssl_config c = clgan_ssl_default_config();
    snprintf(c.model, sizeof c.model, "%s", ssls[i].model);
    c.width = ssls[i].width, c.nz = ssls[i].nz, c.classes = ssls[i].classes;
    c.batch = 4;
    c.seed = 21 + (uint64_t)i;
    MUST(clgan_ssl_config_resolve(&c));
    return c;
}

/* The specs of every case (no device needed). */
static void collect_specs(void)
{
    clgan_layer_spec a[CLGAN_CLASSIFIER_MAX_LAYERS], b[CLGAN_CLASSIFIER_MAX_LAYERS];
    for (int i = 0; i < COUNT(gans); i++) {
        clgan_gan_config c = gan_config(i);
        int gn = 0, dn = 0;
        MUST(clgan_gan_generator_specs(&c.arch, a, &gn));
        MUST(clgan_gan_discriminator_specs(&c.arch, b, &dn, NULL));
        emit_specs(gans[i].name, "G", a, gn);
        emit_specs(gans[i].name, "D", b, dn);
    }
    for (int i = 0; i < COUNT(classifiers); i++) {
        clgan_classifier_config c = classifier_config(i);
        int feature = -1, n = 0;
        MUST(clgan_classifier_specs(&c.arch, a, &n, &feature));
        emit_specs(classifiers[i].name, "C", a, n);
        emit_feature(classifiers[i].name, "C", "feature", feature);
    }
    for (int i = 0; i < COUNT(ssls); i++) {
        clgan_ssl_config c = ssl_config(i);
        int gn = 0, dn = 0;
        MUST(clgan_ssl_specs(&c, a, &gn, b, &dn));
        emit_specs(ssls[i].name, "G", a, gn);
        emit_specs(ssls[i].name, "D", b, dn);
    }
}

/* Every case's nets built by its trainer, hashed. */
static void collect_hashes(clgan_ctx *ctx)
{
    for (int i = 0; i < COUNT(gans); i++) {
        clgan_gan_config c = gan_config(i);
        clgan_gan *g;
        MUST(clgan_gan_create(ctx, &c, &g));
        emit_hash(gans[i].name, "G", clgan_gan_generator(g));
        emit_hash(gans[i].name, "D", clgan_gan_discriminator(g));
        clgan_gan_free(g);
    }
    for (int i = 0; i < COUNT(classifiers); i++) {
        clgan_classifier_config c = classifier_config(i);
        clgan_classifier *clf;
        MUST(clgan_classifier_create(ctx, &c, &clf));
        emit_hash(classifiers[i].name, "C", clgan_classifier_net(clf));
        emit_feature(classifiers[i].name, "C", "net-feature", clgan_classifier_feature_layer(clf));
        clgan_classifier_free(clf);
    }
    for (int i = 0; i < COUNT(ssls); i++) {
        clgan_ssl_config c = ssl_config(i);
        clgan_ssl *s;
        MUST(clgan_ssl_create(ctx, &c, &s));
        emit_hash(ssls[i].name, "G", clgan_ssl_generator(s));
        emit_hash(ssls[i].name, "D", clgan_ssl_discriminator(s));
        emit_feature(ssls[i].name, "D", "net-feature", clgan_ssl_feature_layer(s));
        clgan_ssl_free(s);
    }
    for (int i = 0; i < COUNT(heads); i++) {
        clgan_dhead_config c = clgan_dhead_default_config();
        c.features = heads[i].features, c.classes = heads[i].classes, c.hidden = heads[i].hidden;
        c.seed = 31 + (uint64_t)i;
        clgan_dhead *h;
        MUST(clgan_dhead_create(ctx, &c, &h));
        emit_hash(heads[i].name, "H", clgan_dhead_net(h));
        clgan_dhead_free(h);
    }
}

/* Checkpoints written before the presets were texts (tests/data/ckpt-v0: two
 * training steps from the CLI) load into the same nets with the same bytes. */
static void collect_checkpoints(clgan_ctx *ctx)
{
    const char *dir = CLGAN_TEST_DATA_DIR "/ckpt-v0/";
    char path[512];
    snprintf(path, sizeof path, "%sgan-dcgan28-w2-cond-mbstd.ckpt", dir);
    clgan_gan *g;
    MUST(clgan_gan_load(ctx, path, &g, NULL, 0));
    emit_hash("ckpt-gan", "G", clgan_gan_generator(g));
    emit_hash("ckpt-gan", "D", clgan_gan_discriminator(g));
    clgan_gan_free(g);
    snprintf(path, sizeof path, "%sclassifier-lenet28-w2.ckpt", dir);
    clgan_classifier *clf;
    MUST(clgan_classifier_load(ctx, path, &clf, NULL, 0));
    emit_hash("ckpt-classifier", "C", clgan_classifier_net(clf));
    clgan_classifier_free(clf);
    snprintf(path, sizeof path, "%sdhead-mlp8.ckpt", dir);
    clgan_dhead *h;
    clgan_dhead_file info;
    MUST(clgan_dhead_load(ctx, path, &h, &info));
    free(info.class_names);
    emit_hash("ckpt-dhead", "H", clgan_dhead_net(h));
    clgan_dhead_free(h);
}

/* A semi-supervised checkpoint of that time (tests/data/ckpt-v0/ssl-ssl32-w1.ckpt:
 * `clgan train-ssl --data synthetic --model ssl32 --width 1 --labels 20
 * --steps 2 --batch 8`) classifies the synthetic test split exactly as that
 * CLI's `clgan eval` did: its confusion matrix, recorded here. */
static void check_ssl_checkpoint(clgan_ctx *ctx)
{
    static const int64_t want[10][2] = {{10, 40}, {3, 47}, {8, 42}, {11, 39}, {6, 44},
                                        {10, 40}, {8, 42}, {10, 40}, {7, 43}, {7, 43}};
    clgan_model *m = NULL;
    clgan_dataset *test = NULL;
    MUST(clgan_model_load(ctx, CLGAN_TEST_DATA_DIR "/ckpt-v0/ssl-ssl32-w1.ckpt", &m, NULL, 0));
    clgan_dataset_options o = clgan_dataset_default_options();
    o.size = 32, o.channels = 3;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &o, &test));
    int64_t confusion[100];
    double accuracy = 0;
    MUST(clgan_model_evaluate(m, test, confusion, &accuracy));
    int same = 1;
    for (int t = 0; t < 10; t++)
        for (int p = 0; p < 10; p++)
            if (confusion[t * 10 + p] != (p < 2 ? want[t][p] : 0)) same = 0;
    EXPECT(same, "the v0 semi-supervised checkpoint gives the confusion matrix it gave then (accuracy %.3f, "
                 "then 0.114)", accuracy);
    clgan_dataset_free(test);
    clgan_model_free(m);
}

int main(int argc, char **argv)
{
    const char *write_path = argc == 3 && !strcmp(argv[1], "--write") ? argv[2] : NULL;
    const char *data = CLGAN_TEST_DATA_DIR "/arch_presets.txt";
    collect_specs();
    clgan_ctx *ctx = NULL;
    int have_device = clgan_ctx_create(NULL, &ctx) == CLGAN_OK;
    if (have_device) collect_hashes(ctx), collect_checkpoints(ctx), check_ssl_checkpoint(ctx);
    else printf("no OpenCL device (%s): comparing the layer specs only\n", clgan_last_error());
    if (write_path) {
        FILE *f = fopen(write_path, "w");
        if (!f || !have_device) return 1;
        fprintf(f, "# Written by tests/test_arch_presets.c --write from the presets' C layer tables.\n");
        for (int i = 0; i < n_lines; i++) fprintf(f, "%s\n", lines[i]);
        fclose(f);
        printf("wrote %d lines to %s\n", n_lines, write_path);
        return 0;
    }
    FILE *f = fopen(data, "r");
    EXPECT(f != NULL, "open %s", data);
    if (!f) return test_finish();
    char want[LINE_CAP];
    int at = 0, compared = 0;
    while (fgets(want, sizeof want, f)) {
        want[strcspn(want, "\n")] = 0;
        if (want[0] == '#' || !want[0]) continue;
        if (!have_device && strstr(want, " hash ")) continue;
        if (!have_device && strstr(want, " net-feature ")) continue;
        if (at >= n_lines) {
            EXPECT(0, "fixture line '%s' has no counterpart (only %d lines built)", want, n_lines);
            break;
        }
        if (strcmp(want, lines[at]) != 0) EXPECT(0, "expected '%s', built '%s'", want, lines[at]);
        at++, compared++;
    }
    fclose(f);
    EXPECT(at == n_lines, "every built line is in the fixture (%d of %d)", at, n_lines);
    EXPECT(compared > 100, "compared %d fixture lines", compared);
    if (ctx) clgan_ctx_free(ctx);
    return test_finish();
}
