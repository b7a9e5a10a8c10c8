/* test_model.c — the model handle (clgan/model.h) over the four kinds on the
 * built-in synthetic data: per kind, create -> steps -> save -> load gives
 * the same samples / predictions bit for bit, and N steps + save + load + M
 * steps ends where N + M steps in one go does; info, settings and class
 * names; a wrong kind, setting, preset, class count or file refused naming
 * the problem. Skipped (77) without an OpenCL device. */
#include "test_util.h"
#include "data/dataset.h"
#include "io/container.h"
#include "nn/net.h"
#include "test_files.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

enum { B = 4, N_STEPS = 3, M_STEPS = 2 };
static clgan_ctx *ctx;
static clgan_dataset *data, *test_data;
static char dir[256];

static int has(const char *needle) { return strstr(clgan_last_error(), needle) != NULL; }

static clgan_model_params params(clgan_model_kind kind, const char *arch, int classes, const char *settings)
{
    clgan_model_params p = clgan_model_default_params(kind);
    p.arch = arch, p.classes = classes, p.settings = settings;
    return p;
}

static const char *file_in_dir(const char *name)
{
    static char paths[8][320];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

/* `count` images from position `at` of the training data (wrapping), as
 * floats in [-1, 1], with their labels. */
static void images_at(int64_t at, int count, float *x, int32_t *y)
{
    size_t px = clgan_dataset_image_bytes(data);
    for (int i = 0; i < count; i++) {
        int64_t k = (at + i) % data->n;
        for (size_t j = 0; j < px; j++) x[(size_t)i * px + j] = data->pixels[(size_t)k * px + j] / 127.5f - 1.0f;
        if (y) y[i] = data->labels[k];
    }
}

/* Train the model from its current step to `until`; step s takes the
 * images of position s * per_step (the SSL step takes 2B images). */
static void train_to(clgan_model *m, int64_t until)
{
    clgan_model_info info;
    MUST(clgan_model_get_info(m, &info));
    int per_step = info.kind == CLGAN_MODEL_SSL ? 2 * info.batch : info.batch;
    size_t px = clgan_dataset_image_bytes(data);
    float *x = malloc((size_t)per_step * px * sizeof *x);
    int32_t y[2 * B];
    for (int64_t s = info.steps; s < until; s++) {
        images_at(s * per_step, per_step, x, y);
        clgan_step_stats st;
        int conditional_or_labelled = info.kind != CLGAN_MODEL_GAN || info.classes > 0;
        MUST(clgan_model_train_step(m, x, conditional_or_labelled ? y : NULL, &st));
    }
    free(x);
}

/* What the model gives for fixed input: samples (GAN, SSL) and probabilities
 * (classifier, SSL, dfeatures), as one float array (freed by the caller). */
static float *outputs(clgan_model *m, size_t *count)
{
    clgan_model_info info;
    MUST(clgan_model_get_info(m, &info));
    size_t px = (size_t)info.channels * info.height * info.width;
    int n = 6;
    size_t samples = (info.kind == CLGAN_MODEL_GAN || info.kind == CLGAN_MODEL_SSL) ? (size_t)n * px : 0;
    size_t probs = info.kind != CLGAN_MODEL_GAN ? (size_t)n * info.classes : 0;
    float *out = calloc(samples + probs, sizeof *out), *x = malloc((size_t)n * px * sizeof *x);
    if (samples) MUST(clgan_model_sample(m, n, NULL, 9, out));
    if (probs) {
        images_at(1000, n, x, NULL);
        MUST(clgan_model_predict(m, n, x, out + samples));
    }
    free(x);
    *count = samples + probs;
    return out;
}

static int same_outputs(clgan_model *a, clgan_model *b)
{
    size_t na, nb;
    float *oa = outputs(a, &na), *ob = outputs(b, &nb);
    int same = na == nb && na > 0 && !memcmp(oa, ob, na * sizeof *oa);
    free(oa), free(ob);
    return same;
}

/* create -> N steps -> save -> load: same outputs; then M more steps on
 * both the original and the loaded one: the same again (resume == one go). */
static void round_trip(const char *what, const clgan_model_params *p, clgan_model **kept)
{
    clgan_model *a, *b;
    MUST(clgan_model_create(ctx, p, &a));
    train_to(a, N_STEPS);
    const char *path = file_in_dir(what);
    MUST(clgan_model_save(a, path, "a note"));
    char note[64];
    MUST(clgan_model_load(ctx, path, &b, note, sizeof note));
    clgan_model_info ia, ib;
    MUST(clgan_model_get_info(a, &ia));
    MUST(clgan_model_get_info(b, &ib));
    EXPECT(!strcmp(note, "a note") && ia.kind == ib.kind && ib.steps == N_STEPS && ia.params == ib.params &&
               ia.params > 0 && !strcmp(ia.arch, ib.arch),
           "%s: loaded with its note, kind, step count %lld, %zu parameters, arch %s", what, (long long)ib.steps,
           ib.params, ib.arch);
    EXPECT(same_outputs(a, b), "%s: the loaded model gives the same outputs bit for bit", what);
    train_to(a, N_STEPS + M_STEPS);
    train_to(b, N_STEPS + M_STEPS);
    EXPECT(same_outputs(a, b), "%s: %d steps, save, load, %d more == %d in one go (bit for bit)", what, N_STEPS,
           M_STEPS, N_STEPS + M_STEPS);
    char desc[16384];
    size_t total = 0;
    MUST(clgan_model_describe(b, desc, sizeof desc));
    for (const char *t = desc; (t = strstr(t, "total: ")); t++) total += strtoull(t + 7, NULL, 10);
    if (ib.kind == CLGAN_MODEL_DFEATURES) total = ib.params; /* its frozen D is described, not counted */
    EXPECT(total == ib.params, "%s: describe's totals add up to the model's %zu parameters", what, ib.params);
    /* and not trivially so: training changed what the model gives */
    clgan_model *fresh;
    MUST(clgan_model_create(ctx, p, &fresh));
    EXPECT(!same_outputs(a, fresh), "%s: trained and untrained outputs differ", what);
    clgan_model_free(fresh);
    clgan_model_free(b);
    if (kept) *kept = a;
    else clgan_model_free(a);
}

static void test_gan(void)
{
    clgan_model_params p = params(CLGAN_MODEL_GAN, "dcgan28", 0, "batch=4 width=4\nnz=8 seed=3 lr_g=1e-3 lr_d=1e-3");
    clgan_model *g;
    round_trip("gan", &p, &g);
    clgan_model_info info;
    MUST(clgan_model_get_info(g, &info));
    EXPECT(info.kind == CLGAN_MODEL_GAN && info.batch == 4 && info.nz == 8 && info.classes == 0 && info.channels == 1 &&
               info.height == 28 && !strcmp(info.arch, "dcgan28"),
           "gan: info gives batch, nz, shape and preset");
    size_t sum = clgan_net_param_count(clgan_model_net(g, "G")) + clgan_net_param_count(clgan_model_net(g, "D"));
    EXPECT(info.params == sum && !clgan_model_net(g, "C"), "gan: nets G and D, parameters their sum (%zu)", sum);
    char v[64];
    EXPECT(clgan_model_get_setting(g, "lr_g", v, sizeof v) == CLGAN_OK && !strcmp(v, "0.00100000005"),
           "gan: get_setting lr_g gives the checkpoint's text: %s", v);
    EXPECT(clgan_model_get_setting(g, "width", v, sizeof v) == CLGAN_OK && !strcmp(v, "4"), "gan: width %s", v);
    EXPECT(clgan_model_get_setting(g, "lr", v, sizeof v) == CLGAN_ERR_INVALID_ARG && has("no setting 'lr'"),
           "gan: an unknown setting name is refused: %s", clgan_last_error());
    float x[4 * 28 * 28];
    images_at(0, 4, x, NULL);
    clgan_step_stats st;
    MUST(clgan_model_train_step(g, x, NULL, &st));
    EXPECT(st.count == 4 && !strcmp(st.names[0], "loss_d") && !strcmp(st.names[1], "loss_g") && isfinite(st.values[0]),
           "gan: step stats loss_d %g, loss_g %g, ...", st.values[0], st.values[1]);
    char desc[8192];
    MUST(clgan_model_describe(g, desc, sizeof desc));
    char want_g[64], want_d[64];
    snprintf(want_g, sizeof want_g, "total: %zu parameters", clgan_net_param_count(clgan_model_net(g, "G")));
    snprintf(want_d, sizeof want_d, "total: %zu parameters", clgan_net_param_count(clgan_model_net(g, "D")));
    EXPECT(!strncmp(desc, "G:\n", 3) && strstr(desc, "\nD:\n") && strstr(desc, want_g) && strstr(desc, want_d) &&
               strstr(desc, "conv_transpose") && strstr(desc, "<- features"),
           "gan: describe gives G's and D's layer tables with the nets' own parameter counts");
    EXPECT(clgan_model_describe(g, desc, 64) == CLGAN_ERR_INVALID_ARG && has("does not fit"),
           "gan: describe into too small a buffer fails: %s", clgan_last_error());
    /* the wrong kind of call, named */
    float probs[40];
    EXPECT(clgan_model_predict(g, 1, x, probs) == CLGAN_ERR_INVALID_ARG && has("the gan model cannot"),
           "gan: predict refused: %s", clgan_last_error());
    EXPECT(clgan_model_set_class_name(g, 0, "x") == CLGAN_ERR_INVALID_ARG && !clgan_model_class_name(g, 0),
           "gan: an unconditional GAN has no class names");
    clgan_model_free(g);

    p.classes = 10; /* conditional */
    clgan_model *c;
    round_trip("cgan", &p, &c);
    MUST(clgan_model_get_info(c, &info));
    EXPECT(info.classes == 10 && !strcmp(clgan_model_class_name(c, 3), "3"), "cgan: 10 classes, default names");
    int32_t labels[6] = {0, 1, 2, 3, 4, 5};
    float *s = malloc((size_t)6 * 28 * 28 * sizeof *s);
    MUST(clgan_model_sample(c, 6, labels, 1, s));
    free(s);
    EXPECT(clgan_model_train_step(c, x, NULL, NULL) != CLGAN_OK, "cgan: a step without labels is refused: %s",
           clgan_last_error());
    clgan_model_free(c);
}

static void test_classifier(void)
{
    clgan_model_params p = params(CLGAN_MODEL_CLASSIFIER, "lenet28", 10, "batch=4 width=4 seed=2 augment=1");
    clgan_model *c;
    round_trip("classifier", &p, &c);
    MUST(clgan_model_set_class_name(c, 2, "square"));
    const char *path = file_in_dir("named");
    MUST(clgan_model_save(c, path, NULL));
    clgan_model *d;
    MUST(clgan_model_load(ctx, path, &d, NULL, 0));
    EXPECT(!strcmp(clgan_model_class_name(d, 2), "square") && !strcmp(clgan_model_class_name(d, 1), "1") &&
               !clgan_model_class_name(d, 10),
           "classifier: class names kept by the checkpoint");
    int64_t cm[100];
    double acc = -1;
    MUST(clgan_model_evaluate(d, test_data, cm, &acc));
    int64_t total = 0;
    for (int i = 0; i < 100; i++) total += cm[i];
    EXPECT(total == test_data->n && acc >= 0 && acc <= 1, "classifier: evaluate counts every test image (%lld), "
           "accuracy %.3f", (long long)total, acc);
    char v[32];
    EXPECT(clgan_model_get_setting(d, "lr", v, sizeof v) == CLGAN_OK && !strcmp(v, "0.00100000005"),
           "classifier: lr 0 (automatic) resolved to Adam's 1e-3: %s", v);
    float img[28 * 28];
    EXPECT(clgan_model_sample(d, 1, NULL, 1, img) == CLGAN_ERR_INVALID_ARG &&
               has("the classifier model cannot"),
           "classifier: sample refused: %s", clgan_last_error());
    clgan_model_free(c);
    clgan_model_free(d);
}

static void test_ssl(void)
{
    clgan_model_params p = params(CLGAN_MODEL_SSL, "ssl28", 10, "batch=4 width=4 nz=8");
    clgan_model *s;
    round_trip("ssl", &p, &s);
    clgan_step_stats st;
    float *x = malloc((size_t)2 * B * 28 * 28 * sizeof *x);
    int32_t y[2 * B];
    images_at(0, 2 * B, x, y);
    MUST(clgan_model_train_step(s, x, y, &st));
    EXPECT(st.count == 8 && !strcmp(st.names[0], "loss_lab") && !strcmp(st.names[7], "lr"),
           "ssl: 8 step stats, loss_lab ... lr");
    free(x);
    clgan_model_free(s);
}

static void test_dfeatures(void)
{
    clgan_model_params p = params(CLGAN_MODEL_DFEATURES, NULL, 10, "batch=8 epochs=2 hidden=5 pool=3");
    p.gan_checkpoint = file_in_dir("gan"); /* written by test_gan */
    clgan_model *h, *h2;
    MUST(clgan_model_create(ctx, &p, &h));
    size_t px = clgan_dataset_image_bytes(data);
    int n = 40;
    float *x = malloc((size_t)n * px * sizeof *x);
    int32_t *y = malloc((size_t)n * sizeof *y);
    images_at(0, n, x, y);
    clgan_step_stats st;
    EXPECT(clgan_model_train_step(h, x, y, NULL) == CLGAN_ERR_INVALID_ARG && has("clgan_model_fit"),
           "dfeatures: train_step refused, pointing at fit: %s", clgan_last_error());
    MUST(clgan_model_fit(h, n, x, y, &st));
    EXPECT(st.count == 4 && !strcmp(st.names[3], "steps") && st.values[3] == 10 && isfinite(st.values[1]),
           "dfeatures: fit: %g steps (40 rows, batch 8, 2 epochs), last loss %g", st.values[3], st.values[1]);
    const char *path = file_in_dir("head");
    MUST(clgan_model_save(h, path, NULL));
    MUST(clgan_model_load(ctx, path, &h2, NULL, 0));
    clgan_model_info info;
    MUST(clgan_model_get_info(h2, &info));
    EXPECT(info.kind == CLGAN_MODEL_DFEATURES && info.steps == 10 && info.classes == 10 && info.batch == 8,
           "dfeatures: loaded head: 10 steps, 10 classes, batch 8");
    EXPECT(same_outputs(h, h2), "dfeatures: the loaded head predicts the same probabilities bit for bit");
    char desc[16384], want[64];
    MUST(clgan_model_describe(h2, desc, sizeof desc));
    snprintf(want, sizeof want, "total: %zu parameters", info.params);
    EXPECT(!strncmp(desc, "head:\n", 6) && strstr(desc, want) && strstr(desc, "D (the GAN's, frozen):"),
           "dfeatures: describe gives the head's table (%zu parameters) and the frozen D's", info.params);
    char v[32];
    EXPECT(clgan_model_get_setting(h2, "pool", v, sizeof v) == CLGAN_OK && !strcmp(v, "3"), "dfeatures: pool %s", v);
    double acc = -1;
    MUST(clgan_model_evaluate(h2, test_data, NULL, &acc));
    EXPECT(acc >= 0 && acc <= 1, "dfeatures: evaluate gives an accuracy (%.3f)", acc);
    EXPECT(clgan_model_fit(NULL, n, x, y, NULL) == CLGAN_ERR_INVALID_ARG, "fit of NULL refused");
    clgan_model_free(h2);
    /* a head whose GAN file changed does not load */
    p.gan_checkpoint = file_in_dir("gan-copy");
    {
        clgan_ckpt_reader *r;
        MUST(clgan_ckpt_open(file_in_dir("gan"), &r));
        clgan_ckpt_writer *w;
        MUST(clgan_ckpt_begin(p.gan_checkpoint, &w));
        for (int i = 0; i < clgan_ckpt_section_count(r); i++) {
            const char *sn;
            const void *d;
            size_t len;
            MUST(clgan_ckpt_section_at(r, i, &sn, &d, &len));
            MUST(clgan_ckpt_add(w, sn, d, len));
        }
        MUST(clgan_ckpt_commit(w));
        clgan_ckpt_close(r);
    }
    clgan_model *h3;
    MUST(clgan_model_create(ctx, &p, &h3));
    MUST(clgan_model_fit(h3, n, x, y, NULL));
    MUST(clgan_model_save(h3, path, NULL));
    clgan_model_free(h3);
    rewrite_section(p.gan_checkpoint, file_in_dir("gan-changed"), "note", "changed");
    rename(file_in_dir("gan-changed"), p.gan_checkpoint);
    EXPECT(clgan_model_load(ctx, path, &h3, NULL, 0) == CLGAN_ERR_FORMAT && has("has changed since the head") && !h3,
           "dfeatures: a head whose GAN changed is refused: %s", clgan_last_error());
    clgan_model_free(h);
    free(x), free(y);
}

/* Architecture texts: the presets' own texts build the same nets; a GAN's
 * texts go through a checkpoint; a bad text is refused at its line. */
static void test_arch_texts(void)
{
    clgan_model_params p = params(CLGAN_MODEL_GAN, "dcgan28", 0, "batch=4 width=4 nz=8 seed=3");
    clgan_model *a, *b;
    MUST(clgan_model_create(ctx, &p, &a));
    const char *tg = clgan_model_arch_text(a, "G"), *td = clgan_model_arch_text(a, "D");
    EXPECT(tg && td && strchr(tg, '[') && strcmp(tg, td) && !clgan_model_arch_text(a, "C"),
           "gan: the preset's G and D texts; none for a net it does not have");
    clgan_model_params t = p;
    t.arch = tg, t.arch_d = td;
    MUST(clgan_model_create(ctx, &t, &b));
    clgan_model_info ia, ib;
    MUST(clgan_model_get_info(a, &ia));
    MUST(clgan_model_get_info(b, &ib));
    EXPECT(ia.params == ib.params && same_outputs(a, b), "gan: built from its preset's texts, the same net and weights");
    clgan_model_free(b);
    round_trip("gan-texts", &t, &b);
    EXPECT(clgan_model_arch_text(b, "G") && !strcmp(clgan_model_arch_text(b, "G"), tg) &&
               !strcmp(clgan_model_arch_text(b, "D"), td),
           "gan: the texts come back from its checkpoint");
    clgan_model_free(b);
    t.arch_d = NULL;
    EXPECT(clgan_model_create(ctx, &t, &b) == CLGAN_ERR_INVALID_ARG && has("arch_d"),
           "gan: a G text without D's is refused: %s", clgan_last_error());
    t.arch = "[net]\nname = broken\n[no_such_layer]\n", t.arch_d = td;
    EXPECT(clgan_model_create(ctx, &t, &b) != CLGAN_OK && has("no_such_layer") && has(":3"),
           "gan: a bad text is refused at its line: %s", clgan_last_error());
    t.arch = "dcgan28", t.arch_d = "dcgan99";
    EXPECT(clgan_model_create(ctx, &t, &b) != CLGAN_OK && has("arch_d 'dcgan99'"),
           "gan: an unknown D preset is refused: %s", clgan_last_error());
    clgan_model_free(a);

    clgan_model_params c = params(CLGAN_MODEL_CLASSIFIER, "lenet28", 10, "batch=4 width=4");
    MUST(clgan_model_create(ctx, &c, &a));
    c.arch = clgan_model_arch_text(a, "C");
    EXPECT(c.arch != NULL, "classifier: the preset's text");
    MUST(clgan_model_create(ctx, &c, &b));
    EXPECT(same_outputs(a, b), "classifier: built from its preset's text, the same net and weights");
    clgan_model_free(a), clgan_model_free(b);

    clgan_model_params s = params(CLGAN_MODEL_SSL, "ssl28", 10, "batch=4 width=4 nz=8");
    MUST(clgan_model_create(ctx, &s, &a));
    s.arch_d = clgan_model_arch_text(a, "D");
    EXPECT(s.arch_d && clgan_model_arch_text(a, "G"), "ssl: D's and G's texts");
    MUST(clgan_model_create(ctx, &s, &b));
    EXPECT(same_outputs(a, b), "ssl: D built from its preset's text, the same nets and weights");
    clgan_model_free(b);
    s.arch = s.arch_d;
    EXPECT(clgan_model_create(ctx, &s, &b) == CLGAN_ERR_INVALID_ARG && has("DCGAN generator"),
           "ssl: a G text is refused (G is the preset's DCGAN generator): %s", clgan_last_error());
    clgan_model_free(a); /* after the last use of its texts */
}

static void expect_create_fails(clgan_model_kind kind, const char *arch, int classes, const char *settings,
                                const char *want, const char *want2)
{
    clgan_model_params p = params(kind, arch, classes, settings);
    clgan_model *m = (clgan_model *)&p; /* must be set to NULL */
    clgan_status st = clgan_model_create(ctx, &p, &m);
    EXPECT(st != CLGAN_OK && !m && has(want) && (!want2 || has(want2)), "%s arch=%s classes=%d '%s' refused: %s",
           clgan_model_kind_name(kind) ? clgan_model_kind_name(kind) : "unknown kind", arch ? arch : "-", classes, settings ? settings : "", clgan_last_error());
}

static void test_errors(void)
{
    clgan_model_free(NULL);
    EXPECT(1, "clgan_model_free(NULL) is a no-op");
    expect_create_fails(CLGAN_MODEL_GAN, "dcgan28", 0, "batch=1", "'batch' is 1, outside the allowed range 2 to", NULL);
    expect_create_fails(CLGAN_MODEL_GAN, "dcgan28", 0, "batch=4 colour=1", "unknown setting 'colour'", "lr_g");
    expect_create_fails(CLGAN_MODEL_GAN, "dcgan99", 0, "batch=4", "unknown model 'dcgan99'", "dcgan32");
    expect_create_fails(CLGAN_MODEL_GAN, "lenet28", 0, NULL, "unknown model 'lenet28'", NULL);
    expect_create_fails(CLGAN_MODEL_GAN, "dcgan28", 0, "model=dcgan32", "disagree", NULL);
    expect_create_fails(CLGAN_MODEL_GAN, "dcgan28", 1, NULL, "classes 1", NULL);
    expect_create_fails(CLGAN_MODEL_CLASSIFIER, "lenet28", 70000, NULL, "classes 70000", "2 to 65536");
    expect_create_fails(CLGAN_MODEL_CLASSIFIER, "vgg64", 10, NULL, "unknown classifier model 'vgg64'", "vgg32");
    expect_create_fails(CLGAN_MODEL_CLASSIFIER, NULL, 10, "optimizer=rmsprop", "'optimizer' is 'rmsprop'", "adam or sgd");
    expect_create_fails(CLGAN_MODEL_SSL, "ssl28", 10, "lr_d=-1", "'lr_d' is -1", NULL);
    expect_create_fails(CLGAN_MODEL_DFEATURES, NULL, 10, NULL, "gan_checkpoint", NULL);
    expect_create_fails(CLGAN_MODEL_DFEATURES, "dcgan28", 10, NULL, "takes no architecture", NULL);
    expect_create_fails((clgan_model_kind)7, NULL, 0, NULL, "unknown model kind 7", NULL);
    clgan_model_params p = clgan_model_default_params(CLGAN_MODEL_GAN);
    p.arch = "dcgan28", p.arch_d = "dcgan32";
    clgan_model *m;
    EXPECT(clgan_model_create(ctx, &p, &m) != CLGAN_OK && has("D takes 3x32x32"),
           "gan: a D preset that does not fit G is refused: %s", clgan_last_error());
    /* loading: a container of another kind, and a file that is not one */
    const char *other = file_in_dir("other");
    clgan_ckpt_writer *w;
    MUST(clgan_ckpt_begin(other, &w));
    MUST(clgan_ckpt_add_string(w, "kind", "clgan-tuning"));
    MUST(clgan_ckpt_commit(w));
    EXPECT(clgan_model_load(ctx, other, &m, NULL, 0) == CLGAN_ERR_FORMAT && !m && has("'clgan-tuning' checkpoint") &&
               has("clgan-dfeatures"),
           "load: another kind of container is refused, naming the kinds: %s", clgan_last_error());
    const char *junk = file_in_dir("junk");
    test_write_file(junk, "not a checkpoint", 16, 0);
    EXPECT(clgan_model_load(ctx, junk, &m, NULL, 0) != CLGAN_OK && !m && has(junk), "load: a non-checkpoint is refused: %s",
           clgan_last_error());
    EXPECT(clgan_model_load(ctx, file_in_dir("missing"), &m, NULL, 0) != CLGAN_OK && !m,
           "load: a missing file is refused: %s", clgan_last_error());
}

int main(void)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.synthetic_train = 1200, o.synthetic_test = 60;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &o, &data));
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &o, &test_data));
    if (clgan_ctx_create(NULL, &ctx) != CLGAN_OK) {
        printf("skipped the device tests: %s\n", clgan_last_error());
        clgan_dataset_free(data), clgan_dataset_free(test_data);
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/clgan-test-model-%d", (int)getpid());
    mkdir(dir, 0700);
    test_gan();
    test_classifier();
    test_ssl();
    test_dfeatures();
    test_arch_texts();
    test_errors();
    test_rm_rf(dir);
    clgan_ctx_free(ctx);
    clgan_dataset_free(data), clgan_dataset_free(test_data);
    return test_finish();
}
