/* cmd_train_gan.c — `clgan train-gan`: train a (conditional) DCGAN with a
 * progress bar, a sample grid and a checkpoint per epoch, a CSV log, a
 * loss-curve PNG at the end, Ctrl-C / SIGTERM safe, resumable; --labels /
 * --imbalance train on the same subset train-classifier would use. */
#include "cli.h"
#include "cli_settings.h"
#include "gan_plot.h"
#include "run_dir.h"
#include "scenario.h"
#include "train_cli.h"

#include "data/dataset.h"
#include "io/image.h"
#include "train/gan_checkpoint.h"
#include "train/net_checkpoint.h"

#include <stdlib.h>
#include <string.h>


/* Settings that are not flags here: the class count comes from the data. */
static const char *const not_flags[] = {"classes", NULL};
static const unsigned run_flags = RUN_TRAINING | RUN_LABELS | RUN_IMBALANCE;

typedef struct train_opts {
    run_opts run;
    cli_settings set;     /* the model settings given */
    clgan_gan_config cfg;
    const char *arch_g, *arch_d;               /* --arch-g / --arch-d files */
    char *given_g, *given_d, *ckpt_g, *ckpt_d; /* their texts, and on resume the checkpoint's */
} train_opts;

static void usage(FILE *f, const train_opts *o)
{
    fprintf(f, "usage: clgan train-gan --data SPEC [options]\n\n"
               "Trains a DCGAN (or a class-conditional DCGAN) and writes into --out:\n"
               "  samples/epoch-NNNN.png  a grid from a fixed noise batch after each epoch (one row per class when\n"
               "                          conditional)\n"
               "  log.csv                 step, epoch, D and G loss, D(x), D(G(z)), images/s, seconds\n"
               "  loss.png                the loss curves, at the end\n"
               "  checkpoint.ckpt         after each epoch and on Ctrl-C/SIGTERM (resume with --resume)\n\n"
               "Run:\n");
    static const char *const texts[] = {
        "test_percent",
        "an image folder without train/ and test/ sub-folders: leave out the P% of its images (0..90; chosen by "
        "a hash of each file's path and --seed) that train-classifier --test-percent P tests on. Default: train on "
        "all its images, or with --labels/--imbalance leave out 10% (train-classifier's default), so the subsets "
        "match. Give 10 when the GAN is for --gan-augment, so it never sees the classifier's test images. Other "
        "formats have their own train split",
        "labels", "keep N labelled training images, balanced over the classes, chosen by --seed (the same images as "
        "train-classifier --labels N --seed S)",
        NULL};
    run_opts_help(f, run_flags, &o->run, texts);
    fprintf(f, "Model (--resume refuses a different architecture or batch and ignores training settings):\n");
    cli_settings_help(f, CLGAN_MODEL_GAN, not_flags);
    cli_help_line(f, "--arch-g", "FILE", "G's architecture text instead of the model's (clgan models show dcgan28 "
                                         "--part g prints one to start from; docs/ARCHITECTURES.md)");
    cli_help_line(f, "--arch-d", "FILE", "D's architecture text; its input shape is the image size the data is "
                                         "loaded at, and G's output must match it");
    cli_help_line(f, "--lr", "X", "--lr-g and --lr-d together");
    cli_help_line(f, "--beta1", "X", "--beta1-g and --beta1-d together");
}

static int parse(int argc, char **argv, train_opts *o)
{
    run_opts_init(&o->run);
    o->run.out = "runs/gan";
    o->run.epochs = 5;
    cli_settings_init(&o->set, CLGAN_MODEL_GAN, not_flags);
    o->cfg = clgan_gan_default_config();
    o->arch_g = o->arch_d = NULL;
    o->given_g = o->given_d = o->ckpt_g = o->ckpt_d = NULL;
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) || (got = cli_settings_flag(&o->set, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--arch-g", &bad))) o->arch_g = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--arch-d", &bad))) o->arch_d = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--lr", &bad))) {
            if (!cli_settings_set(&o->set, "--lr", "lr_g", v) || !cli_settings_set(&o->set, "--lr", "lr_d", v)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--beta1", &bad))) {
            if (!cli_settings_set(&o->set, "--beta1", "beta1_g", v) || !cli_settings_set(&o->set, "--beta1", "beta1_d", v))
                return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, o);
            return -1;
        } else {
            fprintf(stderr, "clgan train-gan: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!o->run.data) {
        fprintf(stderr, "clgan train-gan: --data is required (a dataset path, or 'synthetic'); see --help\n");
        return 2;
    }
    return cli_settings_apply(&o->set, &o->cfg) ? 0 : 2;
}

/* The data scenario, kept in the checkpoint's note so --resume rebuilds the
 * same training set: "labels=N imbalance=C:F limit=N test_percent=P
 * class_names=TOKEN | <source>" (the start is the text train-classifier
 * keeps; class_names only for labelled data, see run_note_add_class_names). */
static void scenario_text(const train_opts *o, char *out, size_t cap)
{
    snprintf(out, cap, "labels=%d imbalance=%d:%.9g limit=%d test_percent=%d", o->run.labels, o->run.imb_class,
             o->run.imb_fraction, o->run.limit, o->run.test_percent);
}

/* 1: scenario taken from the note; 0: the note has none (older run); -1: it
 * differs from the flags given (printed). */
static int scenario_from_note(const char *note, train_opts *o)
{
    int labels, cls, limit;
    float frac;
    if (sscanf(note, "labels=%d imbalance=%d:%f limit=%d", &labels, &cls, &frac, &limit) != 4) return 0;
    if ((o->run.given_labels || o->run.given_imbalance) && (labels != o->run.labels || cls != o->run.imb_class || (cls >= 0 && frac != o->run.imb_fraction))) {
        fprintf(stderr, "clgan: --labels/--imbalance differ from the run being resumed (%s); leave them out or start a "
                        "new run in another --out\n", note);
        return -1;
    }
    if (o->run.limit && limit && o->run.limit != limit) {
        fprintf(stderr, "clgan: --limit %d differs from the run being resumed (%s); leave it out or start a new run in "
                        "another --out\n", o->run.limit, note);
        return -1;
    }
    o->run.labels = labels, o->run.imb_class = cls, o->run.imb_fraction = frac;
    if (!o->run.limit) o->run.limit = limit;
    return 1;
}

/* The run's model and what its callbacks need. */
typedef struct gan_run {
    clgan_gan *gan;
    train_cli tc;
    char samples_dir[1100], last_grid[1200], checkpoint[1100];
    float *grid;
    int32_t *grid_labels;
    int grid_rows;
    uint64_t grid_seed;
} gan_run;

/* The fixed grid: 10 columns; one row per class when conditional. */
static clgan_status write_grid(gan_run *g, const char *path)
{
    const clgan_gan_config *c = clgan_gan_get_config(g->gan);
    int n = g->grid_rows * 10;
    for (int i = 0; i < n; i++) g->grid_labels[i] = c->arch.conditional ? (i / 10) % c->arch.classes : 0;
    clgan_status st = clgan_gan_sample(g->gan, n, c->arch.conditional ? g->grid_labels : NULL, g->grid_seed, g->grid);
    return st == CLGAN_OK ? clgan_png_grid(path, g->grid, n, c->arch.c, c->arch.h, c->arch.w, 10, -1.0f, 1.0f, 2) : st;
}

static clgan_status gan_step(void *self, const clgan_train_batch *b, clgan_step_stats *out)
{
    clgan_gan *gan = ((gan_run *)self)->gan;
    clgan_gan_stats st;
    clgan_status s = clgan_gan_train_step(gan, b->images, clgan_gan_get_config(gan)->arch.conditional ? b->labels : NULL,
                                          &st);
    static const char *const names[4] = {"loss_d", "loss_g", "d_real", "d_fake"};
    const double v[4] = {st.loss_d, st.loss_g, st.d_real, st.d_fake};
    out->count = 4;
    for (int i = 0; i < 4; i++) out->names[i] = names[i], out->values[i] = v[i];
    return s;
}

static clgan_status gan_save(void *self, const char *path, const char *note)
{
    return clgan_gan_save(((gan_run *)self)->gan, path, note);
}

static void gan_metrics(const clgan_step_stats *st, char *out, size_t cap)
{
    snprintf(out, cap, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", st->values[0], st->values[1], st->values[2],
             st->values[3]);
}

/* Every checkpoint comes with a sample grid. */
static clgan_status gan_on_checkpoint(void *user, const clgan_train_progress *p)
{
    gan_run *g = user;
    if (!cli_make_dirs(g->samples_dir)) return CLGAN_ERR_IO;
    snprintf(g->last_grid, sizeof g->last_grid, "%s/epoch-%04d.png", g->samples_dir, p->epoch);
    clgan_status st = write_grid(g, g->last_grid);
    if (st == CLGAN_OK && !g->tc.prog.tty)
        fprintf(stderr, "clgan: epoch %d done: %s, %s\n", p->epoch, g->last_grid, g->checkpoint);
    return st;
}

/* The texts: from the files given, and on resume the checkpoint's, which must match them. */
static int arch_texts(train_opts *o, const char *ckpt_path)
{
    if (o->arch_g && !cli_read_arch("--arch-g", o->arch_g, &o->given_g)) return 2;
    if (o->arch_d && !cli_read_arch("--arch-d", o->arch_d, &o->given_d)) return 2;
    if (!o->run.resume) {
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
    int rc;
    char ckpt_path[1100], log_path[1100], plot_path[1100];
    gan_run g;
    memset(&g, 0, sizeof g);
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", opts->run.out);
    if (clgan_train_check_out(opts->run.out, opts->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if ((rc = arch_texts(opts, ckpt_path))) return rc;
    train_opts o = *opts;
    snprintf(g.checkpoint, sizeof g.checkpoint, "%s", ckpt_path);
    snprintf(log_path, sizeof log_path, "%s/log.csv", o.run.out);
    snprintf(g.samples_dir, sizeof g.samples_dir, "%s/samples", o.run.out);
    snprintf(plot_path, sizeof plot_path, "%s/loss.png", o.run.out);
    if (o.run.resume) {
        clgan_gan_config ck;
        if (clgan_gan_peek(ckpt_path, &ck) != CLGAN_OK) return cli_fail("cannot resume");
        ck.arch.text_g = o.cfg.arch.text_g, ck.arch.text_d = o.cfg.arch.text_d;
        if (!cli_settings_resume(&o.set, &ck, 0)) return 2;
        char *ck_note = run_ckpt_note(ckpt_path);
        if (!ck_note) return 1;
        int got = scenario_from_note(ck_note, &o);
        int same = got >= 0 && run_resume_test_percent(ck_note, o.run.test_percent, &o.run.test_percent);
        free(ck_note);
        if (!same) return 2;
        if (!got) fprintf(stderr, "clgan: warning: %s does not record its data scenario; using the options given\n", ckpt_path);
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
    int had_out = cli_is_dir(o.run.out); /* --out is made with its first file (log.csv), samples/ with its own */

    /* Data: the model's image size and channels. */
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = shape.h;
    dopt.channels = shape.c;
    dopt.seed = o.cfg.seed;
    dopt.limit = o.run.limit;
    /* An image folder without train/ and test/: all its images, unless a
     * test share is given (or --labels/--imbalance take train-classifier's
     * subset, which comes from its default 90% share). */
    if (o.run.test_percent < 0) o.run.test_percent = o.run.labels > 0 || o.run.imb_class >= 0 ? 10 : 0;
    dopt.test_percent = run_test_percent_option(o.run.test_percent);
    dopt.skip_unreadable = o.run.skip_unreadable;
    clgan_dataset *data;
    if (clgan_dataset_open(o.run.data, CLGAN_SPLIT_TRAIN, &dopt, &data) != CLGAN_OK) return cli_fail("cannot load --data");
    run_report_skipped("train", data);
    /* Classes are labels by position: a resumed run that depends on them must see the same names. */
    if (o.run.resume && (o.cfg.arch.conditional || o.run.labels > 0 || o.run.imb_class >= 0) && data->classes &&
        !run_check_note_class_names(ckpt_path, data)) {
        clgan_dataset_free(data);
        return 1;
    }
    char scen[16384];
    scenario_text(&o, scen, sizeof scen);
    if (data->classes) run_note_add_class_names(scen, sizeof scen, data->classes, (const char (*)[64])data->class_names);
    if (scenario_apply(&data, o.run.imb_class, o.run.imb_fraction, o.run.labels, o.cfg.seed)) {
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
        if (o.run.resume && o.cfg.arch.classes != data->classes) {
            fprintf(stderr, "clgan: the checkpoint was trained on %d classes, %s has %d\n", o.cfg.arch.classes,
                    data->source, data->classes);
            clgan_dataset_free(data);
            return 1;
        }
        o.cfg.arch.classes = data->classes;
    }
    if (!o.run.resume && clgan_gan_arch_resolve(&o.cfg.arch) != CLGAN_OK) {
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
    int exit_code = 1;
    if (cli_open_ctx(o.run.device, 0, &ctx) || !profile_run_start(&g.tc.prof, ctx, o.run.profile)) goto done;
    cli_suggest_tune(ctx);
    if (o.run.resume) {
        if (clgan_gan_load(ctx, ckpt_path, &g.gan, NULL, 0) != CLGAN_OK) {
            cli_fail("cannot resume");
            goto done;
        }
    } else if (clgan_gan_create(ctx, &o.cfg, &g.gan) != CLGAN_OK) {
        cli_fail("cannot build the GAN");
        goto done;
    }
    const clgan_gan_config *c = clgan_gan_get_config(g.gan);
    size_t img = (size_t)c->arch.c * c->arch.h * c->arch.w;
    g.grid_rows = c->arch.conditional ? c->arch.classes : 10;
    g.grid_seed = c->seed + 7919;
    g.grid = malloc((size_t)g.grid_rows * 10 * img * sizeof *g.grid);
    g.grid_labels = malloc((size_t)g.grid_rows * 10 * sizeof *g.grid_labels);
    if (!g.grid || !g.grid_labels) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g",
             c->adam_d.lr);
    char note[16384 + 300];
    snprintf(note, sizeof note, "%s | %s", scen, data->source);

    clgan_train_target t = {.self = &g, .batch = c->batch, .steps = clgan_gan_step_count(g.gan),
                            .stat_columns = "loss_d,loss_g,d_real,d_fake", .step = gan_step, .save = gan_save,
                            .net_count = 2, .nets = {clgan_gan_generator(g.gan), clgan_gan_discriminator(g.gan)},
                            .net_names = {"G", "D"}};
    clgan_train_params p = run_opts_train_params(&o.run);
    p.train = data;
    p.seed = c->seed;
    p.note = note;
    p.advice = advice;
    p.on_checkpoint = gan_on_checkpoint;
    int64_t per_epoch = data->n / c->batch, total = o.run.steps ? o.run.steps : (int64_t)o.run.epochs * per_epoch;
    fprintf(stderr, "clgan: %s on %s | %s%s, width %d, batch %d, %s loss | %d images (%s), %lld steps/epoch\n",
            o.run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, c->arch.conditional ? "conditional " : "",
            c->arch.model, c->arch.width, c->batch, c->loss == CLGAN_GAN_LOSS_LS ? "least-squares" : "non-saturating",
            data->n, data->source, (long long)per_epoch);
    fprintf(stderr, "clgan: G %zu parameters, D %zu parameters; steps %lld -> %lld; output in %s\n",
            clgan_net_param_count(clgan_gan_generator(g.gan)), clgan_net_param_count(clgan_gan_discriminator(g.gan)),
            (long long)t.steps, (long long)total, o.run.out);

    train_cli_setup(&g.tc, "train-gan", o.run.json, ctx, gan_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run(&g.tc, &t, &p, &r, &g)) >= 0) {
        exit_code = rc;
        goto done;
    }
    int plotted = gan_plot_losses(log_path, plot_path, per_epoch);
    if (!plotted) fprintf(stderr, "clgan: warning: no loss plot: %s\n", clgan_last_error());
    /* Name only the files this run wrote. */
    fprintf(stderr, "clgan: done: %lld steps in %.1f s%s%s%s%s; checkpoint %s\n", (long long)(r.step - r.start),
            r.seconds, g.last_grid[0] ? "; samples " : "", g.last_grid, plotted ? "; loss curve " : "",
            plotted ? plot_path : "", ckpt_path);
    if (o.run.json) {
        const double *v = r.stats.values;
        cli_json_begin("train-gan", "ok");
        printf(", \"steps\": %lld, \"epochs\": %.3f, \"loss_d\": %.6f, \"loss_g\": %.6f, "
               "\"d_real\": %.6f, \"d_fake\": %.6f, \"seconds\": %.3f, \"images_per_sec\": %.1f, \"checkpoint\": ",
               (long long)r.step, (double)r.step / per_epoch, v[0], v[1], v[2], v[3], r.seconds,
               r.seconds > 0 ? (r.step - r.start) * (double)c->batch / r.seconds : 0.0);
        cli_json_string(stdout, ckpt_path);
        printf(", \"samples\": ");
        cli_json_string(stdout, g.last_grid);
        printf(", \"log\": ");
        cli_json_string(stdout, log_path);
        profile_run_json_field(&g.tc.prof, ctx, stdout);
        printf("}\n");
    }
    profile_run_report(&g.tc.prof, ctx, o.run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(g.samples_dir);
        if (!had_out) cli_remove_empty_dir(o.run.out);
    }
    free(g.grid);
    free(g.grid_labels);
    clgan_gan_free(g.gan);
    clgan_ctx_free(ctx);
    clgan_dataset_free(data);
    return exit_code;
}
