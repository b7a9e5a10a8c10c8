/* cmd_train_gan.c — `clgan train-gan`: train a (conditional) DCGAN with a
 * progress bar, a sample grid and a checkpoint per epoch, a CSV log, a
 * loss-curve PNG at the end, Ctrl-C / SIGTERM safe, resumable; --labels /
 * --imbalance train on the same subset train-classifier would use. */
#include "cli.h"
#include "gan_plot.h"
#include "profile_report.h"
#include "progress.h"
#include "run_dir.h"
#include "scenario.h"

#include "data/dataset.h"
#include "data/loader.h"
#include "io/container.h"
#include "io/image.h"
#include "train/gan_checkpoint.h"
#include "train/net_checkpoint.h"

#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
    fprintf(f,
            "usage: clgan train-gan --data SPEC [options]\n\n"
            "Trains a DCGAN (or a class-conditional DCGAN) and writes into --out:\n"
            "  samples/epoch-NNNN.png  a grid from a fixed noise batch after each epoch (one row per class when\n"
            "                          conditional)\n"
            "  log.csv                 step, epoch, D and G loss, D(x), D(G(z)), images/s, seconds\n"
            "  loss.png                the loss curves, at the end\n"
            "  checkpoint.ckpt         after each epoch and on Ctrl-C/SIGTERM (resume with --resume)\n\n"
            "  --data SPEC          IDX folder/file (MNIST), CIFAR-10 .bin folder/file, image folder, or 'synthetic'\n"
            "  --model NAME         dcgan28 (28x28x1, default), dcgan32 (32x32x3), dcgan64 (64x64x3)\n"
            "  --arch-g FILE        G's architecture text instead of the model's (clgan models show dcgan28\n"
            "                       --part g prints one to start from; docs/ARCHITECTURES.md)\n"
            "  --arch-d FILE        D's architecture text; its input shape is the image size the data is\n"
            "                       loaded at, and G's output must match it\n"
            "  --epochs N           epochs to train (default 5)\n"
            "  --steps N            train to this many steps in total instead of --epochs\n"
            "  --batch B            batch size (default 64)\n"
            "  --out DIR            output folder (default runs/gan)\n"
            "  --conditional        labels into G and D; the data must be labelled\n"
            "  --loss ns|ls         non-saturating BCE (default) or least-squares (LSGAN)\n"
            "  --width W            channels of D's first layer / G's last hidden layer (default: 32 for\n"
            "                       dcgan28, 64 for dcgan32 and dcgan64)\n"
            "  --nz N               noise dimension (default 100)\n"
            "  --lr LR              Adam learning rate for G and D (default 2e-4)\n"
            "  --beta1 B            Adam beta1 (default 0.5)\n"
            "  --label-smoothing S  one-sided: D's target for real images is 1-S (default 0)\n"
            "  --mbstd              minibatch standard-deviation layer in D (against mode collapse)\n"
            "  --limit N            use only the first N training images\n"
            "  --test-percent P     an image folder without train/ and test/ sub-folders: leave out the P%% of\n"
            "                       its images (0..90; chosen by a hash of each file's path and --seed) that\n"
            "                       train-classifier --test-percent P tests on. Default: train on all its\n"
            "                       images, or with --labels/--imbalance leave out 10%% (train-classifier's\n"
            "                       default), so the subsets match. Give 10 when the GAN is for --gan-augment,\n"
            "                       so it never sees the classifier's test images. Other formats have their\n"
            "                       own train split\n"
            "  --skip-unreadable    skip image-folder files that cannot be decoded (say how many) instead of\n"
            "                       stopping\n"
            "  --labels N           keep N labelled training images, balanced over the classes, chosen by --seed\n"
            "                       (the same images as train-classifier --labels N --seed S)\n"
            "  --imbalance C:F      keep only the fraction F of class C's training images, chosen by --seed\n"
            "                       (applied before --labels; the same images as train-classifier's)\n"
            "  --seed S             seed for weights, noise, data order and subsets (default 1)\n"
            "  --device SPEC        OpenCL device (index, gpu/cpu, or part of a name)\n"
            "  --resume             continue the run in --out from its checkpoint\n"
            "  --json               print one JSON object on stdout at the end (also on an error or Ctrl-C)\n"
            "  --profile            time every layer's forward and backward, every kernel and the GEMMs\n"
            "                       (OpenCL event profiling; the first step is warm-up) and print where a\n"
            "                       step's time goes at the end (in the --json line too)\n");
}

typedef struct train_opts {
    const char *data, *out, *device;
    clgan_gan_config cfg;
    int epochs, steps, limit, resume, json, profile;
    int test_percent, skip_unreadable; /* --test-percent (-1 = not given), --skip-unreadable */
    int labels, imb_class; /* data scenario: --labels N, --imbalance C:F (class -1 = none) */
    float imb_fraction;
    int set_model, set_width, set_nz, set_cond, set_batch, set_scenario; /* given explicitly (checked on resume) */
    const char *set_setting;                               /* a training setting given (ignored on resume) */
    const char *arch_g, *arch_d;                           /* --arch-g / --arch-d files */
    char *given_g, *given_d, *ckpt_g, *ckpt_d;             /* their texts, and on resume the checkpoint's */
} train_opts;

static int parse(int argc, char **argv, train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cfg = clgan_gan_default_config();
    o->out = "runs/gan";
    o->epochs = 5;
    o->imb_class = -1;
    o->test_percent = -1;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        float f;
        if ((v = cli_flag_value(argc, argv, &i, "--data", &bad))) o->data = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--out", &bad))) o->out = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) o->device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--arch-g", &bad))) o->arch_g = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--arch-d", &bad))) o->arch_d = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--model", &bad))) {
            snprintf(o->cfg.arch.model, sizeof o->cfg.arch.model, "%s", v);
            o->set_model = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--epochs", &bad))) {
            if (!cli_parse_int("--epochs", v, 1, 1000000, &o->epochs)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--steps", &bad))) {
            if (!cli_parse_int("--steps", v, 1, 2000000000, &o->steps)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) {
            if (!cli_parse_int("--batch", v, 2, CLGAN_MAX_BATCH, &o->cfg.batch)) return 2;
            o->set_batch = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--width", &bad))) {
            if (!cli_parse_int("--width", v, 1, CLGAN_GAN_MAX_WIDTH, &o->cfg.arch.width)) return 2;
            o->set_width = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--nz", &bad))) {
            if (!cli_parse_int("--nz", v, 1, CLGAN_GAN_MAX_NZ, &o->cfg.arch.nz)) return 2;
            o->set_nz = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--limit", &bad))) {
            if (!cli_parse_int("--limit", v, 1, 2000000000, &o->limit)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--test-percent", &bad))) {
            if (!cli_parse_int("--test-percent", v, 0, 90, &o->test_percent)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--labels", &bad))) {
            if (!cli_parse_int("--labels", v, 1, 2000000000, &o->labels)) return 2;
            o->set_scenario = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--imbalance", &bad))) {
            if (!scenario_parse_imbalance(v, &o->imb_class, &o->imb_fraction)) return 2;
            o->set_scenario = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &o->cfg.seed)) return 2;
            o->set_setting = "--seed";
        } else if ((v = cli_flag_value(argc, argv, &i, "--lr", &bad))) {
            if (!cli_parse_float("--lr", v, 1e-9, 10, &f)) return 2;
            o->cfg.adam_g.lr = o->cfg.adam_d.lr = f;
            o->set_setting = "--lr";
        } else if ((v = cli_flag_value(argc, argv, &i, "--beta1", &bad))) {
            if (!cli_parse_float("--beta1", v, 0, 0.999999, &f)) return 2;
            o->cfg.adam_g.beta1 = o->cfg.adam_d.beta1 = f;
            o->set_setting = "--beta1";
        } else if ((v = cli_flag_value(argc, argv, &i, "--label-smoothing", &bad))) {
            if (!cli_parse_float("--label-smoothing", v, 0, 0.49, &o->cfg.label_smoothing)) return 2;
            o->set_setting = "--label-smoothing";
        } else if ((v = cli_flag_value(argc, argv, &i, "--loss", &bad))) {
            o->set_setting = "--loss";
            if (!strcmp(v, "ns")) o->cfg.loss = CLGAN_GAN_LOSS_NS;
            else if (!strcmp(v, "ls")) o->cfg.loss = CLGAN_GAN_LOSS_LS;
            else {
                fprintf(stderr, "clgan: --loss is 'ns' (non-saturating BCE) or 'ls' (least squares), got '%s'\n", v);
                return 2;
            }
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--conditional")) o->cfg.arch.conditional = o->set_cond = 1;
        else if (!strcmp(argv[i], "--mbstd")) o->cfg.arch.mbstd = 1, o->set_setting = "--mbstd";
        else if (!strcmp(argv[i], "--skip-unreadable")) o->skip_unreadable = 1;
        else if (!strcmp(argv[i], "--resume")) o->resume = 1;
        else if (!strcmp(argv[i], "--json")) o->json = 1;
        else if (!strcmp(argv[i], "--profile")) o->profile = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return -1;
        } else {
            fprintf(stderr, "clgan train-gan: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!o->data) {
        fprintf(stderr, "clgan train-gan: --data is required (a dataset path, or 'synthetic'); see --help\n");
        return 2;
    }
    return 0;
}

/* On resume, settings given on the command line must match the checkpoint. */
static int check_resume_matches(const train_opts *o, const clgan_gan_config *ck)
{
    const clgan_gan_arch *a = &o->cfg.arch, *b = &ck->arch;
    const char *what = NULL;
    if (o->set_model && strcmp(a->model, b->model)) what = "--model";
    else if (o->set_width && a->width != b->width) what = "--width";
    else if (o->set_nz && a->nz != b->nz) what = "--nz";
    else if (o->set_cond && a->conditional != b->conditional) what = "--conditional";
    else if (o->set_batch && o->cfg.batch != ck->batch) what = "--batch";
    if (!what) return 1;
    fprintf(stderr, "clgan: %s differs from the run being resumed (checkpoint: model %s, width %d, nz %d, %s, batch %d); "
                    "leave it out or start a new run in another --out\n",
            what, b->model, b->width, b->nz, b->conditional ? "conditional" : "unconditional", ck->batch);
    return 0;
}

/* The data scenario, kept in the checkpoint's note so --resume rebuilds the
 * same training set: "labels=N imbalance=C:F limit=N test_percent=P
 * class_names=TOKEN | <source>" (the start is the text train-classifier
 * keeps; class_names only for labelled data, see run_note_add_class_names). */
static void scenario_text(const train_opts *o, char *out, size_t cap)
{
    snprintf(out, cap, "labels=%d imbalance=%d:%.9g limit=%d test_percent=%d", o->labels, o->imb_class,
             o->imb_fraction, o->limit, o->test_percent);
}

/* 1: scenario taken from the note; 0: the note has none (older run); -1: it
 * differs from the flags given (printed). */
static int scenario_from_note(const char *note, train_opts *o)
{
    int labels, cls, limit;
    float frac;
    if (sscanf(note, "labels=%d imbalance=%d:%f limit=%d", &labels, &cls, &frac, &limit) != 4) return 0;
    if (o->set_scenario && (labels != o->labels || cls != o->imb_class || (cls >= 0 && frac != o->imb_fraction))) {
        fprintf(stderr, "clgan: --labels/--imbalance differ from the run being resumed (%s); leave them out or start a "
                        "new run in another --out\n", note);
        return -1;
    }
    if (o->limit && limit && o->limit != limit) {
        fprintf(stderr, "clgan: --limit %d differs from the run being resumed (%s); leave it out or start a new run in "
                        "another --out\n", o->limit, note);
        return -1;
    }
    o->labels = labels, o->imb_class = cls, o->imb_fraction = frac;
    if (!o->limit) o->limit = limit;
    return 1;
}

/* The fixed grid: 10 columns; one row per class when conditional. */
static int write_grid(clgan_gan *gan, const char *path, float *buf, int32_t *labels, int rows, uint64_t seed)
{
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    int n = rows * 10;
    for (int i = 0; i < n; i++) labels[i] = c->arch.conditional ? (i / 10) % c->arch.classes : 0;
    if (clgan_gan_sample(gan, n, c->arch.conditional ? labels : NULL, seed, buf) != CLGAN_OK ||
        clgan_png_grid(path, buf, n, c->arch.c, c->arch.h, c->arch.w, 10, -1.0f, 1.0f, 2) != CLGAN_OK)
        return 0;
    return 1;
}

/* The texts: from the files given, and on resume the checkpoint's, which must match them. */
static int arch_texts(train_opts *o, const char *ckpt_path)
{
    if (o->arch_g && !cli_read_arch("--arch-g", o->arch_g, &o->given_g)) return 2;
    if (o->arch_d && !cli_read_arch("--arch-d", o->arch_d, &o->given_d)) return 2;
    if (!o->resume) {
        o->cfg.arch.text_g = o->given_g, o->cfg.arch.text_d = o->given_d;
        return 0;
    }
    if (clgan_ckpt_file_arch_text(ckpt_path, "arch.g", &o->ckpt_g) != CLGAN_OK ||
        clgan_ckpt_file_arch_text(ckpt_path, "arch.d", &o->ckpt_d) != CLGAN_OK)
        return cli_fail("cannot resume");
    if (!cli_resume_arch_matches("--arch-g", o->given_g, o->ckpt_g) ||
        !cli_resume_arch_matches("--arch-d", o->given_d, o->ckpt_d))
        return 2;
    o->cfg.arch.text_g = o->ckpt_g, o->cfg.arch.text_d = o->ckpt_d;
    return 0;
}

static int train_run(train_opts *opts);

int cmd_train_gan(int argc, char **argv)
{
    train_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_g), free(o.given_d), free(o.ckpt_g), free(o.ckpt_d);
    return rc;
}

static int train_run(train_opts *opts)
{
    char ckpt_path[1100], log_path[1100], samples_dir[1100], plot_path[1100];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", opts->out);
    snprintf(log_path, sizeof log_path, "%s/log.csv", opts->out);
    snprintf(samples_dir, sizeof samples_dir, "%s/samples", opts->out);
    snprintf(plot_path, sizeof plot_path, "%s/loss.png", opts->out);
    if (!run_check_checkpoint(opts->out, ckpt_path, opts->resume)) return 1;
    int rc = arch_texts(opts, ckpt_path);
    if (rc) return rc;
    train_opts o = *opts;
    if (o.resume) {
        clgan_gan_config ck;
        if (clgan_gan_peek(ckpt_path, &ck) != CLGAN_OK) return cli_fail("cannot resume");
        ck.arch.text_g = o.cfg.arch.text_g, ck.arch.text_d = o.cfg.arch.text_d;
        if (!check_resume_matches(&o, &ck)) return 2;
        char *ck_note = run_ckpt_note(ckpt_path);
        if (!ck_note) return 1;
        int got = scenario_from_note(ck_note, &o);
        int same = got >= 0 && run_resume_test_percent(ck_note, o.test_percent, &o.test_percent);
        free(ck_note);
        if (!same) return 2;
        if (!got) fprintf(stderr, "clgan: warning: %s does not record its data scenario; using the options given\n", ckpt_path);
        if (o.set_setting)
            fprintf(stderr, "clgan: warning: %s is ignored when resuming; the run keeps the settings in its "
                            "checkpoint\n", o.set_setting);
        o.cfg = ck;
    }
    /* The model's image shape decides how the data is loaded; the class count
     * comes from the data. */
    clgan_gan_arch shape = o.cfg.arch;
    if (shape.conditional) shape.classes = 2; /* any count: only the shape is wanted here */
    if (clgan_gan_arch_resolve(&shape) != CLGAN_OK) return cli_fail(NULL);
    if (shape.h != shape.w || (shape.c != 1 && shape.c != 3)) {
        fprintf(stderr, "clgan: D takes %dx%dx%d images (CxHxW); the data loads as square grey (1) or RGB (3) images\n",
                shape.c, shape.h, shape.w);
        return 2;
    }
    int had_out = cli_is_dir(o.out); /* --out is made with its first file (log.csv), samples/ with its own */

    /* Data: the model's image size and channels. */
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = shape.h;
    dopt.channels = shape.c;
    dopt.seed = o.cfg.seed;
    dopt.limit = o.limit;
    /* An image folder without train/ and test/: all its images, unless a
     * test share is given (or --labels/--imbalance take train-classifier's
     * subset, which comes from its default 90% share). */
    if (o.test_percent < 0) o.test_percent = o.labels > 0 || o.imb_class >= 0 ? 10 : 0;
    dopt.test_percent = run_test_percent_option(o.test_percent);
    dopt.skip_unreadable = o.skip_unreadable;
    clgan_dataset *data;
    if (clgan_dataset_open(o.data, CLGAN_SPLIT_TRAIN, &dopt, &data) != CLGAN_OK) return cli_fail("cannot load --data");
    run_report_skipped("train", data);
    /* Classes are labels by position: a resumed run that depends on them must see the same names. */
    if (o.resume && (o.cfg.arch.conditional || o.labels > 0 || o.imb_class >= 0) && data->classes &&
        !run_check_note_class_names(ckpt_path, data)) {
        clgan_dataset_free(data);
        return 1;
    }
    char scen[16384];
    scenario_text(&o, scen, sizeof scen);
    if (data->classes) run_note_add_class_names(scen, sizeof scen, data->classes, (const char (*)[64])data->class_names);
    if (scenario_apply(&data, o.imb_class, o.imb_fraction, o.labels, o.cfg.seed)) {
        clgan_dataset_free(data);
        return 1;
    }
    if (o.cfg.arch.conditional) {
        if (data->classes < 2) {
            fprintf(stderr, "clgan: --conditional needs labelled data with at least 2 classes; %s has %d\n",
                    data->source, data->classes);
            clgan_dataset_free(data);
            return 1;
        }
        if (o.resume && o.cfg.arch.classes != data->classes) {
            fprintf(stderr, "clgan: the checkpoint was trained on %d classes, %s has %d\n", o.cfg.arch.classes,
                    data->source, data->classes);
            clgan_dataset_free(data);
            return 1;
        }
        o.cfg.arch.classes = data->classes;
    }
    if (!o.resume && clgan_gan_arch_resolve(&o.cfg.arch) != CLGAN_OK) {
        clgan_dataset_free(data);
        return cli_fail(NULL);
    }
    if (data->n < o.cfg.batch) {
        fprintf(stderr, "clgan: %s has %d training images, fewer than one batch of %d\n", data->source, data->n,
                o.cfg.batch);
        clgan_dataset_free(data);
        return 1;
    }

    clgan_ctx *ctx = NULL;
    clgan_gan *gan = NULL;
    clgan_loader *loader = NULL;
    float *batch = NULL, *grid = NULL;
    int32_t *labels = NULL, *grid_labels = NULL;
    FILE *log = NULL;
    int exit_code = 1;
    profile_run prof;
    if (cli_open_ctx(o.device, 0, &ctx) || !profile_run_start(&prof, ctx, o.profile)) goto done;
    cli_suggest_tune(ctx);
    if (o.resume) {
        if (clgan_gan_load(ctx, ckpt_path, &gan, NULL, 0) != CLGAN_OK) {
            cli_fail("cannot resume");
            goto done;
        }
    } else if (clgan_gan_create(ctx, &o.cfg, &gan) != CLGAN_OK) {
        cli_fail("cannot build the GAN");
        goto done;
    }
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    clgan_loader_options lopt = clgan_loader_default_options();
    lopt.batch = c->batch;
    lopt.seed = c->seed;
    lopt.drop_last = 1;
    if (clgan_loader_create(data, &lopt, &loader) != CLGAN_OK) {
        cli_fail("data loader");
        goto done;
    }
    int64_t per_epoch = clgan_loader_steps_per_epoch(loader);
    int64_t start = clgan_gan_step_count(gan);
    int64_t total = o.steps ? o.steps : (int64_t)o.epochs * per_epoch;
    int epochs_total = (int)((total + per_epoch - 1) / per_epoch);
    size_t img = (size_t)c->arch.c * c->arch.h * c->arch.w;
    int grid_rows = c->arch.conditional ? c->arch.classes : 10;
    batch = malloc((size_t)c->batch * img * sizeof *batch);
    labels = malloc((size_t)c->batch * sizeof *labels);
    grid = malloc((size_t)grid_rows * 10 * img * sizeof *grid);
    grid_labels = malloc((size_t)grid_rows * 10 * sizeof *grid_labels);
    if (!batch || !labels || !grid || !grid_labels) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (!cli_make_dirs(o.out)) goto done;
    log = run_open_log(log_path, o.resume, start, "step,epoch,loss_d,loss_g,d_real,d_fake,images_per_sec,seconds");
    if (!log) goto done;
    /* Non-finite weights are never saved: what the last good checkpoint is, and what to try. */
    clgan_net *nets[2] = {clgan_gan_generator(gan), clgan_gan_discriminator(gan)};
    static const char *const net_names[2] = {"G", "D"};
    int64_t saved = o.resume ? start : -1;
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g",
             c->adam_d.lr);
    char note[16384 + 300];
    snprintf(note, sizeof note, "%s | %s", scen, data->source);

    char layout[4096];
    clgan_net_describe(clgan_gan_generator(gan), layout, sizeof layout);
    fprintf(stderr, "clgan: %s on %s | %s%s, width %d, batch %d, %s loss | %d images (%s), %lld steps/epoch\n",
            o.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, c->arch.conditional ? "conditional " : "",
            c->arch.model, c->arch.width, c->batch, c->loss == CLGAN_GAN_LOSS_LS ? "least-squares" : "non-saturating",
            data->n, data->source, (long long)per_epoch);
    fprintf(stderr, "clgan: G %zu parameters, D %zu parameters; steps %lld -> %lld; output in %s\n",
            clgan_net_param_count(clgan_gan_generator(gan)), clgan_net_param_count(clgan_gan_discriminator(gan)),
            (long long)start, (long long)total, o.out);

    run_catch_signals();

    const uint64_t grid_seed = c->seed + 7919;
    progress prog;
    progress_begin(&prog, epochs_total, total, start, per_epoch);
    clgan_gan_stats st = {0, 0, 0, 0};
    double t0 = progress_now();
    int64_t step = start;
    char last_grid[1200] = "";
    if (start < total && clgan_loader_seek(loader, start / per_epoch, start % per_epoch) != CLGAN_OK) {
        cli_fail("data loader");
        goto done;
    }
    while (step < total && !run_stop_signal) {
        int epoch = (int)(step / per_epoch);
        if (clgan_loader_next(loader, batch, (size_t)c->batch * img, labels, (size_t)c->batch, NULL) != CLGAN_OK) {
            progress_break(&prog);
            cli_fail("data loader");
            goto done;
        }
        profile_run_step_begin(&prof, ctx);
        clgan_status step_st = clgan_gan_train_step(gan, batch, c->arch.conditional ? labels : NULL, &st);
        profile_run_step_end(&prof, ctx);
        if (step_st != CLGAN_OK) {
            progress_break(&prog);
            cli_fail("training step");
            run_report_diverged(step_st, ckpt_path, saved, advice);
            goto done;
        }
        step++;
        int64_t in_epoch = step - (int64_t)epoch * per_epoch;
        double secs = progress_now() - t0;
        run_log(log, "%lld,%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f", (long long)step, epoch + 1, st.loss_d, st.loss_g,
                st.d_real, st.d_fake, (step - start) * (double)c->batch / (secs > 0 ? secs : 1), secs);
        char metrics[128];
        snprintf(metrics, sizeof metrics, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", st.loss_d, st.loss_g, st.d_real,
                 st.d_fake);
        progress_update(&prog, epoch + 1, in_epoch, per_epoch, c->batch, metrics);
        if (in_epoch == per_epoch || step == total) {
            if (!run_nets_finite(nets, net_names, 2, step, epoch + 1, ckpt_path, saved, advice)) {
                progress_break(&prog);
                goto done;
            }
            snprintf(last_grid, sizeof last_grid, "%s/epoch-%04d.png", samples_dir, epoch + 1);
            if (!cli_make_dirs(samples_dir)) {
                progress_break(&prog);
                goto done;
            }
            if (!write_grid(gan, last_grid, grid, grid_labels, grid_rows, grid_seed) ||
                clgan_gan_save(gan, ckpt_path, note) != CLGAN_OK) {
                progress_break(&prog);
                cli_fail("end of epoch");
                goto done;
            }
            saved = step;
            if (!prog.tty) fprintf(stderr, "clgan: epoch %d done: %s, %s\n", epoch + 1, last_grid, ckpt_path);
        }
    }
    progress_break(&prog);
    if (run_stop_signal) {
        if (saved != step && !run_nets_finite(nets, net_names, 2, step, (int)((step - 1) / per_epoch) + 1, ckpt_path,
                                              saved, advice))
            goto done;
        if (saved != step && clgan_gan_save(gan, ckpt_path, note) != CLGAN_OK) {
            cli_fail("saving the checkpoint after the interrupt");
            goto done;
        }
        exit_code = run_report_stop(step, ckpt_path);
        if (o.json) cli_json_interrupted("train-gan", run_stop_signal, step, ckpt_path);
        goto done;
    }
    int plotted = gan_plot_losses(log_path, plot_path, per_epoch);
    if (!plotted) fprintf(stderr, "clgan: warning: no loss plot: %s\n", clgan_last_error());
    double secs = progress_now() - t0;
    /* Name only the files this run wrote. */
    fprintf(stderr, "clgan: done: %lld steps in %.1f s%s%s%s%s; checkpoint %s\n", (long long)(step - start), secs,
            last_grid[0] ? "; samples " : "", last_grid, plotted ? "; loss curve " : "", plotted ? plot_path : "",
            ckpt_path);
    if (o.json) {
        cli_json_begin("train-gan", "ok");
        printf(", \"steps\": %lld, \"epochs\": %.3f, \"loss_d\": %.6f, \"loss_g\": %.6f, "
               "\"d_real\": %.6f, \"d_fake\": %.6f, \"seconds\": %.3f, \"images_per_sec\": %.1f, \"checkpoint\": ",
               (long long)step, (double)step / per_epoch, st.loss_d, st.loss_g, st.d_real, st.d_fake, secs,
               secs > 0 ? (step - start) * (double)c->batch / secs : 0.0);
        cli_json_string(stdout, ckpt_path);
        printf(", \"samples\": ");
        cli_json_string(stdout, last_grid);
        printf(", \"log\": ");
        cli_json_string(stdout, log_path);
        profile_run_json_field(&prof, ctx, stdout);
        printf("}\n");
    }
    profile_run_report(&prof, ctx, o.json);
    exit_code = 0;
done:
    if (log) fclose(log);
    if (exit_code) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(samples_dir);
        if (!had_out) cli_remove_empty_dir(o.out);
    }
    free(batch);
    free(labels);
    free(grid);
    free(grid_labels);
    clgan_loader_free(loader);
    clgan_gan_free(gan);
    clgan_ctx_free(ctx);
    clgan_dataset_free(data);
    return exit_code;
}
