/* cmd_train_dfeatures.c — `clgan train-dfeatures`: freeze a trained GAN
 * discriminator, pool its last conv block's feature maps, train a linear (or
 * one-hidden-layer) softmax head on the labelled training images and report
 * test accuracy, per-class recall and the confusion matrix; with --out, save
 * the head (it refers to the GAN checkpoint) and the confusion heat map. */
#include "classifier_report.h"
#include "cli.h"
#include "cli_settings.h"
#include "progress.h"
#include "run_dir.h"
#include "scenario.h"
#include "train_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned run_flags =
    RUN_DATA | RUN_OUT | RUN_DEVICE | RUN_LABELS | RUN_LIMIT | RUN_TEST_PERCENT | RUN_SKIP_UNREADABLE | RUN_JSON;

/* Settings that are not flags of the table here: the class count comes from
 * the data, pool from --pool's list, epochs from --epochs (its default
 * depends on the data). */
static const char *const not_flags[] = {"classes", "pool", "epochs", NULL};

typedef struct opts {
    run_opts run;
    cli_settings set; /* the head settings given */
    const char *gan;
    int epochs;
} opts;

static void usage(FILE *f, const opts *o)
{
    fprintf(f, "usage: clgan train-dfeatures --checkpoint CKPT --data SPEC [options]\n\n"
               "Uses a trained GAN's discriminator, frozen (inference mode), as a feature extractor: the output of\n"
               "its last conv block is pooled per channel, features are standardised with the training images'\n"
               "mean and std, and a softmax head (linear, or dense-ReLU-dense with --hidden) is trained with Adam\n"
               "on the labelled training images. Prints the test accuracy, per-class recall and precision and the\n"
               "confusion matrix. A conditional D is fed the constant class --cond-label for every image.\n"
               "With --out DIR the head is saved as DIR/checkpoint.ckpt (for eval and predict; it refers to the\n"
               "GAN checkpoint by absolute path and SHA-256 and does not copy it) with DIR/confusion.png.\n\n");
    cli_help_line(f, "--checkpoint", "CKPT", "GAN checkpoint (clgan train-gan's checkpoint.ckpt; --gan is the old name)");
    static const char *const texts[] = {
        "data", "labelled dataset (as train-classifier); resized/converted to the GAN's shape",
        "out", "save the head and the test confusion heat map into DIR", NULL};
    run_opts_help(f, run_flags, &o->run, texts);
    cli_help_line(f, "--epochs", "E", "passes over the labelled images (default: enough for >= 2000 steps, min 20)");
    cli_settings_help(f, CLGAN_MODEL_DFEATURES, not_flags);
    cli_help_line(f, "--pool", "LIST", "comma list of avg, max (per channel), grid (2x2 quadrant averages per "
                                       "channel), full (the whole map, unpooled); default avg,max,grid");
}

static int parse_pool(const char *v, int *pool)
{
    *pool = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "avg")) *pool |= CLGAN_DFEAT_AVG;
        else if (!strcmp(tok, "max")) *pool |= CLGAN_DFEAT_MAX;
        else if (!strcmp(tok, "grid")) *pool |= CLGAN_DFEAT_GRID2;
        else if (!strcmp(tok, "full")) *pool |= CLGAN_DFEAT_FULL;
        else {
            fprintf(stderr, "clgan: --pool takes a comma list of avg, max, grid, full; got '%s'\n", tok);
            return 0;
        }
    }
    if (!*pool) fprintf(stderr, "clgan: --pool selects nothing\n");
    return *pool != 0;
}

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    run_opts_init(&o->run);
    o->run.out = NULL;
    o->run.test_percent = 10;
    cli_settings_init(&o->set, CLGAN_MODEL_DFEATURES, not_flags);
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) || (got = cli_settings_flag(&o->set, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) o->gan = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--epochs", &bad))) {
            long most = (long)clgan_setting_find(CLGAN_MODEL_DFEATURES, "epochs")->max;
            if (!cli_parse_int("--epochs", v, 1, most, &o->epochs)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--pool", &bad))) {
            int pool;
            char text[16];
            if (!parse_pool(v, &pool)) return 2;
            snprintf(text, sizeof text, "%d", pool);
            if (!cli_settings_set(&o->set, "--pool", "pool", text)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, o);
            return -1;
        } else {
            fprintf(stderr, "clgan train-dfeatures: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!o->gan || !o->run.data) {
        fprintf(stderr, "clgan train-dfeatures: --checkpoint CKPT (the GAN) and --data SPEC are required; see --help\n");
        return 2;
    }
    return cli_settings_check(&o->set) ? 0 : 2;
}

/* Before any work, for --out: the checkpoint path (refused when it exists:
 * a head is never overwritten), the folder, and the GAN's SHA-256 (taken
 * before the GAN is loaded; see check_gan_unchanged). 1 on success; prints
 * the reason otherwise. */
static int prepare_out(const opts *o, char sha[65], char *ckpt_path, size_t cap)
{
    if ((size_t)snprintf(ckpt_path, cap, "%s/checkpoint.ckpt", o->run.out) >= cap) {
        fprintf(stderr, "clgan: --out %s is too long a path\n", o->run.out);
        return 0;
    }
    FILE *probe = fopen(ckpt_path, "rb");
    if (probe) {
        fclose(probe);
        fprintf(stderr, "clgan: %s already holds a checkpoint (%s); choose another --out\n", o->run.out, ckpt_path);
        return 0;
    }
    return scenario_file_sha256("--checkpoint", o->gan, sha) && cli_make_dirs(o->run.out);
}

/* The GAN file still has the digest prepare_out took, so the loaded weights are the ones hashed. */
static int check_gan_unchanged(const opts *o, const char *sha)
{
    char now[65];
    if (!scenario_file_sha256("--checkpoint", o->gan, now)) return 0;
    if (strcmp(now, sha) != 0) {
        fprintf(stderr, "clgan: %s changed while it was being loaded (is a training run writing it?); try again\n",
                o->gan);
        return 0;
    }
    return 1;
}

/* --out: the test confusion as DIR/confusion.png, then the head as
 * DIR/checkpoint.ckpt (last, so a failed run leaves no checkpoint that
 * would block a rerun). 1 on success. */
static int save_outputs(const opts *o, clgan_model *head, const char (*names)[64], int K, const int64_t *cm,
                        const char *ckpt_path)
{
    char png[1200], title[96];
    snprintf(png, sizeof png, "%s/confusion.png", o->run.out); /* fits: ckpt_path is longer and fitted 1100 */
    snprintf(title, sizeof title, "test accuracy %.2f%%", 100 * clgan_accuracy(cm, K));
    if (!report_heatmap(png, K, names, cm, title)) return 0;
    if (clgan_model_save(head, ckpt_path, NULL) != CLGAN_OK) return cli_fail("saving the head"), 0;
    return 1;
}

/* The head on the GAN's D for K classes: the settings given, and --epochs
 * or enough passes for >= 2000 steps (at least 20) over n rows. */
static int create_head(opts *o, clgan_ctx *ctx, int K, int n, clgan_model **head)
{
    char value[64];
    int batch = atoi(cli_settings_value(&o->set, NULL, "batch", value, sizeof value));
    int per_epoch = (n + batch - 1) / batch, epochs = o->epochs;
    if (!epochs) {
        epochs = (2000 + per_epoch - 1) / per_epoch;
        if (epochs < 20) epochs = 20;
    }
    snprintf(value, sizeof value, "%d", epochs);
    if (!cli_settings_set(&o->set, "--epochs", "epochs", value)) return 1;
    clgan_model_params mp = {.gan_checkpoint = o->gan, .classes = K};
    return train_cli_create(ctx, &o->set, &mp, "head", head);
}

int cmd_train_dfeatures(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    clgan_ctx *ctx = NULL;
    clgan_model *gan = NULL;
    clgan_model *head = NULL;
    clgan_dataset *train = NULL, *test = NULL, *sub = NULL;
    float *images = NULL;
    int32_t *labels = NULL;
    int64_t *cm = NULL;
    char (*names)[64] = NULL; /* the test split's class names */
    int exit_code = 1;
    double t0 = progress_now();
    char ckpt_path[1100] = "", sha[65] = "", value[64];
    int had_out = !o.run.out || cli_is_dir(o.run.out);
    if (o.run.out && !prepare_out(&o, sha, ckpt_path, sizeof ckpt_path)) return 1;
    uint64_t seed = strtoull(cli_settings_value(&o.set, NULL, "seed", value, sizeof value), NULL, 10);

    /* The GAN's D decides the image shape; the head's model loads it again. */
    if (cli_open_ctx(o.run.device, 0, &ctx)) goto done;
    clgan_model_info a;
    char width[32];
    int feature_layer;
    if (clgan_model_load(ctx, o.gan, &gan, NULL, 0) != CLGAN_OK || clgan_model_get_info(gan, &a) != CLGAN_OK ||
        clgan_model_get_setting(gan, "width", width, sizeof width) != CLGAN_OK ||
        clgan_model_feature_layer(gan, &feature_layer) != CLGAN_OK) {
        cli_fail("cannot load --checkpoint");
        goto done;
    }
    const int conditional = a.classes > 0;
    clgan_dataset_options dopt = train_cli_data_options(&o.run, a.height, a.channels, seed);
    if (train_cli_open_splits(&dopt, o.run.data, &train, &test)) goto done;
    clgan_dataset_info di, ti;
    clgan_dataset_get_info(train, &di);
    clgan_dataset_get_info(test, &ti);
    if (!train_cli_labelled_splits(train, test)) goto done;
    if (conditional && a.classes != di.classes)
        fprintf(stderr, "clgan: note: the conditional GAN has %d classes, the data %d\n", a.classes, di.classes);
    if (o.run.labels > 0) {
        if (clgan_dataset_keep_labels(train, o.run.labels, seed, 0, &sub) != CLGAN_OK) {
            cli_fail("--labels");
            goto done;
        }
        clgan_dataset_free(train);
        train = sub;
        clgan_dataset_get_info(train, &di);
    }
    int K = di.classes, F, C, H, W;
    if (create_head(&o, ctx, K, di.count, &head)) goto done;
    if (o.run.out && !check_gan_unchanged(&o, sha)) goto done;
    if (train_cli_name_classes(head, test) || !(names = run_class_names(test))) goto done;
    clgan_net_input_shape(clgan_model_net(head, "head"), &C, &H, &W);
    F = C * H * W; /* the head's inputs */
    clgan_net_layer_shape(clgan_model_net(gan, "D"), feature_layer, &C, &H, &W);
    fprintf(stderr, "clgan: D of %s (%s, width %d%s) on %s: layer %d, %dx%dx%d maps -> %d features; %d labelled training "
                    "images (%s), %d test images\n",
            o.gan, a.arch, atoi(width), conditional ? ", conditional: constant class" : "",
            clgan_ctx_device(ctx)->device_name, feature_layer, C, H, W, F, di.count, di.source, ti.count);
    size_t img = (size_t)di.channels * di.height * di.width;
    images = malloc((size_t)di.count * img * sizeof *images);
    labels = malloc((size_t)di.count * sizeof *labels);
    cm = calloc((size_t)K * K, sizeof *cm);
    if (!images || !labels || !cm) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (clgan_dataset_read(train, 0, di.count, images, labels) != CLGAN_OK) {
        cli_fail("reading the training images");
        goto done;
    }
    char hidden[32], lr[64], epochs[32], batch[32];
    cli_settings_value(&o.set, head, "hidden", hidden, sizeof hidden);
    cli_settings_value(&o.set, head, "lr", lr, sizeof lr);
    cli_settings_value(&o.set, head, "epochs", epochs, sizeof epochs);
    cli_settings_value(&o.set, head, "batch", batch, sizeof batch);
    clgan_model_info hi;
    clgan_model_get_info(head, &hi);
    fprintf(stderr, "clgan: training a %s head (%zu parameters) on the features: %s epochs x %d steps, Adam lr %g\n",
            strcmp(hidden, "0") ? "dense-ReLU-dense" : "linear softmax", hi.params, epochs,
            (di.count + atoi(batch) - 1) / atoi(batch), atof(lr));
    clgan_step_stats hs;
    char advice[200];
    snprintf(advice, sizeof advice, "try a lower --lr than %g", atof(lr));
    clgan_status head_st = clgan_model_fit(head, di.count, images, labels, &hs);
    if (head_st != CLGAN_OK) {
        cli_fail("head training");
        run_report_diverged(head_st, ckpt_path, -1, advice);
        goto done;
    }
    /* hs: first_loss, last_loss, train_accuracy, steps. A head with non-finite weights is neither reported nor saved. */
    int64_t steps = (int64_t)hs.values[3];
    clgan_net *head_net = clgan_model_net(head, "head");
    static const char *const head_name = "the head";
    if (!run_nets_finite(&head_net, &head_name, 1, steps, atoi(epochs), ckpt_path, -1, advice)) goto done;
    double acc;
    if (clgan_model_evaluate(head, test, cm, &acc) != CLGAN_OK) {
        cli_fail("head training");
        goto done;
    }
    double secs = progress_now() - t0;
    fprintf(stderr, "clgan: done in %.1f s: %lld steps, loss %.4f -> %.4f, train accuracy %.2f%%\n", secs,
            (long long)steps, hs.values[0], hs.values[1], 100 * hs.values[2]);
    report_print(stderr, K, (const char (*)[64])names, cm, "  ");
    if (o.run.out && !save_outputs(&o, head, (const char (*)[64])names, K, cm, ckpt_path)) goto done;
    if (ckpt_path[0]) fprintf(stderr, "clgan: head saved: %s (uses %s)\n", ckpt_path, o.gan);
    if (o.run.json) {
        cli_json_begin("train-dfeatures", "ok");
        printf(", \"gan\": ");
        cli_json_string(stdout, o.gan);
        printf(", \"model\": \"%s\", \"conditional\": %d, \"feature_layer\": %d, \"features\": %d, \"hidden\": %s, "
               "\"labels\": %d, \"train_images\": %d, \"test_images\": %d, \"epochs\": %s, \"steps\": %lld, "
               "\"first_loss\": ",
               a.arch, conditional, feature_layer, F, hidden, o.run.labels, di.count, ti.count, epochs,
               (long long)steps);
        report_json_number(stdout, hs.values[0]);
        printf(", \"loss\": ");
        report_json_number(stdout, hs.values[1]);
        printf(", \"train_accuracy\": ");
        report_json_number(stdout, hs.values[2]);
        printf(", \"test_accuracy\": ");
        report_json_number(stdout, acc);
        report_json_fields(stdout, K, (const char (*)[64])names, cm);
        if (ckpt_path[0]) {
            printf(", \"checkpoint\": ");
            cli_json_string(stdout, ckpt_path);
        }
        printf(", \"seed\": %llu, \"seconds\": %.3f}\n", (unsigned long long)seed, secs);
    }
    exit_code = 0;
done:
    if (exit_code && !had_out) cli_remove_empty_dir(o.run.out); /* a failed run leaves no empty folder */
    free(images), free(labels), free(cm), free(names);
    clgan_model_free(head);
    clgan_dataset_free(train);
    clgan_dataset_free(test);
    clgan_model_free(gan);
    clgan_ctx_free(ctx);
    return exit_code;
}
