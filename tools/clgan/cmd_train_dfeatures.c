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

#include "data/dataset.h"
#include "data/subset.h"
#include "train/dfeatures.h"
#include "train/gan_checkpoint.h"
#include "train/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const unsigned run_flags =
    RUN_DATA | RUN_OUT | RUN_DEVICE | RUN_LABELS | RUN_LIMIT | RUN_TEST_PERCENT | RUN_SKIP_UNREADABLE | RUN_JSON;

typedef struct opts {
    run_opts run;
    const char *gan;
    int epochs;
    clgan_dhead_config head;
    clgan_dfeat_options feat;
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
    cli_help_line(f, "--batch", "B", "head batch size (default 64)");
    cli_help_line(f, "--hidden", "H", "one hidden layer of H ReLU units (default 0: linear head)");
    cli_help_line(f, "--lr", "LR", "Adam learning rate (default 1e-3)");
    cli_help_line(f, "--weight-decay", "WD", "L2 weight decay (default 0)");
    cli_help_line(f, "--pool", "LIST", "comma list of avg, max (per channel), grid (2x2 quadrant averages per "
                                       "channel), full (the whole map, unpooled); default avg,max,grid");
    cli_help_line(f, "--cond-label", "K", "class fed to a conditional D (default 0)");
    cli_help_line(f, "--seed", "S", "seed for the head's weights, row order and --labels subset (default 1)");
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
    o->head = clgan_dhead_default_config();
    o->feat = clgan_dfeat_default_options();
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) o->gan = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--epochs", &bad))) {
            if (!cli_parse_int("--epochs", v, 1, CLGAN_DHEAD_MAX_EPOCHS, &o->epochs)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) {
            if (!cli_parse_int("--batch", v, 1, CLGAN_MAX_BATCH, &o->head.batch)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--hidden", &bad))) {
            if (!cli_parse_int("--hidden", v, 0, CLGAN_DHEAD_MAX_HIDDEN, &o->head.hidden)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--lr", &bad))) {
            if (!cli_parse_float("--lr", v, 1e-9, 10, &o->head.lr)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--weight-decay", &bad))) {
            if (!cli_parse_float("--weight-decay", v, 0, 1, &o->head.weight_decay)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--pool", &bad))) {
            if (!parse_pool(v, &o->feat.pool)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--cond-label", &bad))) {
            if (!cli_parse_int("--cond-label", v, 0, CLGAN_GAN_MAX_CLASSES - 1, &o->feat.cond_label)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &o->head.seed)) return 2;
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
    return 0;
}

/* Before any work, for --out: the checkpoint path (refused when it exists:
 * a head is never overwritten), the folder, and the GAN's absolute path and
 * SHA-256 (taken before the GAN is loaded; see check_gan_unchanged). 1 on
 * success; prints the reason otherwise. */
static int prepare_out(const opts *o, clgan_dhead_file *info, char *ckpt_path, size_t cap)
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
    char cwd[2048];
    size_t need = sizeof info->gan_path;
    if (o->gan[0] == '/') need = (size_t)snprintf(info->gan_path, sizeof info->gan_path, "%s", o->gan);
    else if (getcwd(cwd, sizeof cwd)) need = (size_t)snprintf(info->gan_path, sizeof info->gan_path, "%s/%s", cwd, o->gan);
    if (need >= sizeof info->gan_path) {
        fprintf(stderr, "clgan: cannot make the path of %s absolute: %s\n", o->gan,
                o->gan[0] == '/' ? "too long" : strerror(errno));
        return 0;
    }
    return scenario_file_sha256("--checkpoint", o->gan, info->gan_sha256) && cli_make_dirs(o->run.out);
}

/* The GAN file still has the digest prepare_out took, so the loaded weights are the ones hashed. */
static int check_gan_unchanged(const opts *o, const clgan_dhead_file *info)
{
    char now[65];
    if (!scenario_file_sha256("--checkpoint", o->gan, now)) return 0;
    if (strcmp(now, info->gan_sha256) != 0) {
        fprintf(stderr, "clgan: %s changed while it was being loaded (is a training run writing it?); try again\n",
                o->gan);
        return 0;
    }
    return 1;
}

/* --out: the test confusion as DIR/confusion.png, then the head as
 * DIR/checkpoint.ckpt (last, so a failed run leaves no checkpoint that
 * would block a rerun). 1 on success. */
static int save_outputs(const opts *o, clgan_dhead *head, clgan_dhead_file *info, const clgan_gan_arch *a,
                        int64_t steps, const clgan_dataset *test, const int64_t *cm, const char *ckpt_path)
{
    char png[1200], title[96];
    info->c = a->c, info->h = a->h, info->w = a->w, info->feat = o->feat, info->steps = steps;
    info->class_names = (char (*)[64])test->class_names;
    snprintf(png, sizeof png, "%s/confusion.png", o->run.out); /* fits: ckpt_path is longer and fitted 1100 */
    snprintf(title, sizeof title, "test accuracy %.2f%%", 100 * clgan_accuracy(cm, test->classes));
    if (!report_heatmap(png, test->classes, (const char (*)[64])test->class_names, cm, title)) return 0;
    if (clgan_dhead_save(head, ckpt_path, info) != CLGAN_OK) return cli_fail("saving the head"), 0;
    return 1;
}

int cmd_train_dfeatures(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    clgan_ctx *ctx = NULL;
    clgan_gan *gan = NULL;
    clgan_dataset *train = NULL, *test = NULL, *sub = NULL;
    clgan_dhead *head = NULL;
    float *ftr = NULL, *fte = NULL;
    int64_t *cm = NULL;
    int exit_code = 1;
    double t0 = progress_now();
    char ckpt_path[1100] = "";
    clgan_dhead_file info = {0};
    int had_out = !o.run.out || cli_is_dir(o.run.out);
    if (o.run.out && !prepare_out(&o, &info, ckpt_path, sizeof ckpt_path)) return 1;

    if (cli_open_ctx(o.run.device, 0, &ctx)) goto done;
    if (clgan_gan_load(ctx, o.gan, &gan, NULL, 0) != CLGAN_OK) {
        cli_fail("cannot load --checkpoint");
        goto done;
    }
    if (o.run.out && !check_gan_unchanged(&o, &info)) goto done;
    const clgan_gan_arch *a = &clgan_gan_get_config(gan)->arch;
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = a->h;
    dopt.channels = a->c;
    dopt.seed = o.head.seed;
    dopt.limit = o.run.limit;
    dopt.test_percent = run_test_percent_option(o.run.test_percent);
    dopt.skip_unreadable = o.run.skip_unreadable;
    if (clgan_dataset_open(o.run.data, CLGAN_SPLIT_TRAIN, &dopt, &train) != CLGAN_OK) {
        cli_fail("cannot load --data");
        goto done;
    }
    run_report_skipped("train", train);
    dopt.limit = 0;
    if (clgan_dataset_open(o.run.data, CLGAN_SPLIT_TEST, &dopt, &test) != CLGAN_OK) {
        cli_fail("cannot load the test split of --data");
        goto done;
    }
    run_report_skipped("test", test);
    if (train->classes < 2 || test->classes != train->classes) {
        fprintf(stderr, "clgan: needs labelled data with at least 2 classes in both splits (train %d, test %d)\n",
                train->classes, test->classes);
        goto done;
    }
    if (a->conditional && a->classes != train->classes)
        fprintf(stderr, "clgan: note: the conditional GAN has %d classes, the data %d\n", a->classes, train->classes);
    if (o.run.labels > 0) {
        if (clgan_dataset_keep_labels(train, o.run.labels, o.head.seed, 0, &sub) != CLGAN_OK) {
            cli_fail("--labels");
            goto done;
        }
        clgan_dataset_free(train);
        train = sub;
    }
    int K = train->classes, F = clgan_dfeat_dim(gan, &o.feat), C, H, W;
    clgan_dfeat_map_shape(gan, &C, &H, &W);
    fprintf(stderr, "clgan: D of %s (%s, width %d%s) on %s: layer %d, %dx%dx%d maps -> %d features; %d labelled training "
                    "images (%s), %d test images\n",
            o.gan, a->model, a->width, a->conditional ? ", conditional: constant class" : "",
            clgan_ctx_device(ctx)->device_name, clgan_dfeat_layer(gan), C, H, W, F, train->n, train->source, test->n);
    ftr = malloc((size_t)train->n * F * sizeof *ftr);
    fte = malloc((size_t)test->n * F * sizeof *fte);
    cm = calloc((size_t)K * K, sizeof *cm);
    if (!ftr || !fte || !cm) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (clgan_dfeat_extract_dataset(ctx, gan, &o.feat, train, ftr) != CLGAN_OK ||
        clgan_dfeat_extract_dataset(ctx, gan, &o.feat, test, fte) != CLGAN_OK) {
        cli_fail("feature extraction");
        goto done;
    }
    double t_feat = progress_now() - t0;
    o.head.features = F;
    o.head.classes = K;
    int per_epoch = (train->n + o.head.batch - 1) / o.head.batch;
    if (o.epochs) o.head.epochs = o.epochs;
    else {
        o.head.epochs = (2000 + per_epoch - 1) / per_epoch;
        if (o.head.epochs < 20) o.head.epochs = 20;
    }
    if (clgan_dhead_create(ctx, &o.head, &head) != CLGAN_OK) {
        cli_fail("cannot build the head");
        goto done;
    }
    fprintf(stderr, "clgan: features in %.1f s; training a %s head (%zu parameters): %d epochs x %d steps, Adam lr %g\n",
            t_feat, o.head.hidden ? "dense-ReLU-dense" : "linear softmax", clgan_net_param_count(clgan_dhead_net(head)),
            o.head.epochs, per_epoch, o.head.lr);
    clgan_dhead_stats hs;
    char advice[200];
    snprintf(advice, sizeof advice, "try a lower --lr than %g", o.head.lr);
    clgan_status head_st = clgan_dhead_train(head, train->n, ftr, train->labels, &hs);
    if (head_st != CLGAN_OK) {
        cli_fail("head training");
        run_report_diverged(head_st, ckpt_path, -1, advice);
        goto done;
    }
    /* A head with non-finite weights is neither reported nor saved. */
    clgan_net *head_net = clgan_dhead_net(head);
    static const char *const head_name = "the head";
    if (!run_nets_finite(&head_net, &head_name, 1, hs.steps, o.head.epochs, ckpt_path, -1, advice)) goto done;
    if (clgan_dhead_evaluate(head, test->n, fte, test->labels, cm) != CLGAN_OK) {
        cli_fail("head training");
        goto done;
    }
    double secs = progress_now() - t0, acc = clgan_accuracy(cm, K);
    fprintf(stderr, "clgan: done in %.1f s: %lld steps, loss %.4f -> %.4f, train accuracy %.2f%%\n", secs,
            (long long)hs.steps, hs.first_loss, hs.last_loss, 100 * hs.train_accuracy);
    report_print(stderr, K, (const char (*)[64])test->class_names, cm, "  ");
    if (o.run.out && !save_outputs(&o, head, &info, a, hs.steps, test, cm, ckpt_path)) goto done;
    if (ckpt_path[0]) fprintf(stderr, "clgan: head saved: %s (uses %s)\n", ckpt_path, o.gan);
    if (o.run.json) {
        cli_json_begin("train-dfeatures", "ok");
        printf(", \"gan\": ");
        cli_json_string(stdout, o.gan);
        printf(", \"model\": \"%s\", \"conditional\": %d, \"feature_layer\": %d, \"features\": %d, \"hidden\": %d, "
               "\"labels\": %d, \"train_images\": %d, \"test_images\": %d, \"epochs\": %d, \"steps\": %lld, "
               "\"first_loss\": ",
               a->model, a->conditional, clgan_dfeat_layer(gan), F, o.head.hidden, o.run.labels, train->n, test->n,
               o.head.epochs, (long long)hs.steps);
        report_json_number(stdout, hs.first_loss);
        printf(", \"loss\": ");
        report_json_number(stdout, hs.last_loss);
        printf(", \"train_accuracy\": ");
        report_json_number(stdout, hs.train_accuracy);
        printf(", \"test_accuracy\": ");
        report_json_number(stdout, acc);
        report_json_fields(stdout, K, (const char (*)[64])test->class_names, cm);
        if (ckpt_path[0]) {
            printf(", \"checkpoint\": ");
            cli_json_string(stdout, ckpt_path);
        }
        printf(", \"seed\": %llu, \"seconds\": %.3f}\n", (unsigned long long)o.head.seed, secs);
    }
    exit_code = 0;
done:
    if (exit_code && !had_out) cli_remove_empty_dir(o.run.out); /* a failed run leaves no empty folder */
    free(ftr), free(fte), free(cm);
    clgan_dhead_free(head);
    clgan_dataset_free(train);
    clgan_dataset_free(test);
    clgan_gan_free(gan);
    clgan_ctx_free(ctx);
    return exit_code;
}
