/* cmd_train_gan.c — `clgan train-gan`: train a (conditional) DCGAN with a
 * progress bar, a sample grid and a checkpoint per epoch, a CSV log, a
 * loss-curve PNG at the end, Ctrl-C / SIGTERM safe, resumable; --labels /
 * --imbalance train on the same subset train-classifier would use. */
#include "cli.h"
#include "cli_settings.h"
#include "gan_plot.h"
#include "gan_score.h"
#include "run_dir.h"
#include "scenario.h"
#include "train_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Settings that are not flags here: the class count comes from the data. */
static const char *const not_flags[] = {"classes", NULL};
static const unsigned run_flags = RUN_STEPWISE | RUN_LABELS | RUN_IMBALANCE | RUN_KEEP_BEST;

typedef struct train_opts {
    run_opts run;
    cli_settings set;            /* the model settings given */
    const char *arch_g, *arch_d; /* --arch-g / --arch-d files */
    char *given_g, *given_d;     /* their texts */
    int balance_classes;         /* --balance-classes: real images repeated per class up to the largest class */
    int given_balance;           /* the flag was given (a resumed run takes the checkpoint's otherwise) */
    const char *score_with;      /* --score-with CKPT: a classifier that scores the samples; NULL: none */
    int score_every, score_n;    /* epochs between scores (default 1), samples per score (default 1000) */
} train_opts;

static void usage(FILE *f, const train_opts *o)
{
    fprintf(f, "usage: clgan train-gan --data SPEC [options]\n\n"
               "Trains a DCGAN (or a class-conditional DCGAN) and writes into --out:\n"
               "  samples/epoch-NNNN.png  a grid from a fixed noise batch after each epoch (one row per class when\n"
               "                          conditional), from the moving average of G's weights with --g-ema\n"
               "  log.csv                 step, epoch, D and G loss, D(x), D(G(z)), images/s, seconds\n"
               "  loss.png                the loss curves, at the end\n"
               "  score.csv, score.png    with --score-with: the samples' scores and the Frechet distance curve\n"
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
        "keep_best", "with --score-with: also keep the checkpoint of the lowest Frechet distance so far (best.ckpt)",
        NULL};
    run_opts_help(f, run_flags, &o->run, texts);
    fprintf(f, "Model (--resume refuses a different architecture or batch and ignores training settings):\n");
    cli_settings_help(f, CLGAN_MODEL_GAN, not_flags);
    cli_help_line(f, "--arch-g", "FILE", "G's architecture text instead of the model's (clgan models show dcgan28 "
                                         "--part g prints one to start from; docs/ARCHITECTURES.md)");
    cli_help_line(f, "--arch-d", "FILE", "D's architecture text; its input shape is the image size the data is "
                                         "loaded at, and G's output must match it");
    cli_help_line(f, "--balance-classes", NULL,
                  "labelled data: repeat each class's images (seeded) up to the largest class's count, so D sees "
                  "every class as often and a conditional G draws every class as often (its fakes take the real "
                  "batch's labels); for a rare class (--imbalance). An epoch grows to classes x the largest count");
    cli_help_line(f, "--score-with", "CKPT",
                  "score a fixed sample of --score-n images with this train-classifier or train-ssl checkpoint every "
                  "--score-every epochs and at the end: the Frechet distance of its features to the test split's "
                  "first --score-n images (the training images when there is no test split), the classes with >= 1% "
                  "of the samples, the Inception-Score-style number and (conditional) the share classified as "
                  "intended, as clgan score computes them; printed, in score.csv, score.png and log.csv (fd)");
    cli_help_line(f, "--score-every", "E", "epochs between scores (default 1)");
    cli_help_line(f, "--score-n", "N", "samples per score, and real images compared (default 1000)");
    cli_help_line(f, "--lr", "X", "--lr-g and --lr-d together");
    cli_help_line(f, "--beta1", "X", "--beta1-g and --beta1-d together");
}

static int parse(int argc, char **argv, train_opts *o)
{
    run_opts_init(&o->run);
    o->run.out = "runs/gan";
    o->run.epochs = 5;
    cli_settings_init(&o->set, CLGAN_MODEL_GAN, not_flags);
    o->arch_g = o->arch_d = NULL;
    o->given_g = o->given_d = NULL;
    o->balance_classes = o->given_balance = 0;
    o->score_with = NULL;
    o->score_every = 1, o->score_n = 1000;
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) || (got = cli_settings_flag(&o->set, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--arch-g", &bad))) o->arch_g = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--arch-d", &bad))) o->arch_d = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--score-with", &bad))) o->score_with = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--score-every", &bad))) {
            if (!cli_parse_int("--score-every", v, 1, 1000000, &o->score_every)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--score-n", &bad))) {
            if (!cli_parse_int("--score-n", v, 2, 1000000, &o->score_n)) return 2;
        }
        else if ((v = cli_flag_value(argc, argv, &i, "--lr", &bad))) {
            if (!cli_settings_set(&o->set, "--lr", "lr_g", v) || !cli_settings_set(&o->set, "--lr", "lr_d", v)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--beta1", &bad))) {
            if (!cli_settings_set(&o->set, "--beta1", "beta1_g", v) || !cli_settings_set(&o->set, "--beta1", "beta1_d", v))
                return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--balance-classes")) o->balance_classes = o->given_balance = 1;
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
    if (o->run.keep_best && !o->score_with) {
        fprintf(stderr, "clgan train-gan: --keep-best keeps the best score: give --score-with CKPT\n");
        return 2;
    }
    return cli_settings_check(&o->set) ? 0 : 2;
}

/* The data scenario, kept in the checkpoint's note so --resume rebuilds the
 * same training set: "labels=N imbalance=C:F limit=N test_percent=P
 * balance_classes=0|1 class_names=TOKEN | <source>" (the start is the text train-classifier
 * keeps; class_names only for labelled data, see run_note_add_class_names). */
static void scenario_text(const train_opts *o, char *out, size_t cap)
{
    int n = train_cli_subset_text(&o->run, out, cap);
    if (n >= 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, " test_percent=%d balance_classes=%d", o->run.test_percent,
                 o->balance_classes);
}

/* 1: scenario taken from the note; 0: the note has none (older run); -1: it
 * differs from the flags given (printed). */
static int scenario_from_note(const char *note, train_opts *o)
{
    int limit, got = train_cli_subset_from_note(note, &o->run, &limit);
    if (got <= 0) return got;
    if (o->run.limit && limit && o->run.limit != limit) {
        char esc[CLGAN_ESCAPE_CAP]; /* the note is the file's bytes */
        fprintf(stderr, "clgan: --limit %d differs from the run being resumed (%s); leave it out or start a new run in "
                        "another --out\n", o->run.limit, clgan_escape_str(note, esc, sizeof esc));
        return -1;
    }
    if (!o->run.limit) o->run.limit = limit;
    int balance;
    if (!run_note_int(note, "balance_classes", &balance)) balance = 0; /* a run from before the flag */
    if (o->given_balance && balance != o->balance_classes) {
        fprintf(stderr, "clgan: --balance-classes differs from the run being resumed (balance_classes=%d); leave it out "
                        "or start a new run in another --out\n", balance);
        return -1;
    }
    o->balance_classes = balance != 0;
    return 1;
}

/* The run's model and what its callbacks need. */
typedef struct gan_run {
    clgan_model *model;
    clgan_model_info info;
    train_cli tc;
    char samples_dir[1100], last_grid[1200], checkpoint[1100];
    float *grid;
    int32_t *grid_labels;
    int grid_rows;
    uint64_t grid_seed;
    gan_scorer score;  /* --score-with */
    int scored;        /* a score was taken */
    int ema; /* the model keeps a moving average of G's weights: the grids show it */
} gan_run;

/* The fixed grid: 10 columns; one row per class when conditional. */
static clgan_status write_grid(gan_run *g, const char *path)
{
    const clgan_model_info *in = &g->info;
    int n = g->grid_rows * 10;
    for (int i = 0; i < n; i++) g->grid_labels[i] = in->classes ? (i / 10) % in->classes : 0;
    clgan_status st = clgan_model_sample(g->model, n, in->classes ? g->grid_labels : NULL, g->grid_seed, g->grid);
    return st == CLGAN_OK ? clgan_png_grid(path, g->grid, n, in->channels, in->height, in->width, 10, -1.0f, 1.0f, 2)
                          : st;
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
        fprintf(stderr, "clgan: epoch %d done: %s%s, %s\n", p->epoch, g->last_grid,
                g->ema ? " (G's moving average)" : "", g->checkpoint);
    return st;
}

/* --score-with: the fixed sample scored (the driver's evaluation; lower is better). */
static clgan_status gan_evaluate(void *user, const clgan_dataset *real, double *metric)
{
    gan_run *g = user;
    TRY(gan_scorer_run(&g->score, g->model, real));
    *metric = g->score.fd;
    return CLGAN_OK;
}

static clgan_status gan_on_scored(void *user, const clgan_train_progress *p)
{
    gan_run *g = user;
    const gan_scorer *s = &g->score;
    g->scored = 1;
    char cond[64] = "";
    if (isfinite(s->cacc)) snprintf(cond, sizeof cond, ", %.1f%% classified as intended", 100 * s->cacc);
    progress_break(&g->tc.prog);
    fprintf(stderr, "clgan: step %lld (epoch %d): Frechet distance %.3f, %d/%d classes >= 1%%, IS %.3f%s\n",
            (long long)p->step, p->epoch, s->fd, s->coverage, s->K, s->is, cond);
    return gan_scorer_write(s, p->step, p->epoch);
}

/* --resume: the checkpoint's model (the device opened for it), its texts
 * and settings against the flags given, the data scenario from its note.
 * 0, or the exit code after printing why. */
static int resume_model(train_opts *o, const char *ckpt_path, clgan_ctx **ctx, gan_run *g)
{
    size_t cap = 16384 + 600;
    char *note = malloc(cap);
    if (!note) return cli_fail("out of host memory");
    int rc = train_cli_resume(&o->run, &o->set, 0, ckpt_path, ctx, note, cap, &g->model, &g->info);
    if (!rc && (!cli_resume_arch_matches("--arch-g", o->given_g, clgan_model_arch_text(g->model, "G")) ||
                !cli_resume_arch_matches("--arch-d", o->given_d, clgan_model_arch_text(g->model, "D"))))
        rc = 2;
    if (!rc) {
        int got = scenario_from_note(note, o);
        if (got < 0 || !run_resume_test_percent(note, o->run.test_percent, &o->run.test_percent)) rc = 2;
        else if (!got)
            fprintf(stderr, "clgan: warning: %s does not record its data scenario; using the options given\n", ckpt_path);
    }
    free(note);
    return rc;
}

/* --balance-classes: the training set with every class repeated up to the
 * largest class's count (the oversampling train-classifier --oversample
 * does), said with the counts before and after. 1, or 0 after printing why. */
static int balance_classes(clgan_dataset **data, uint64_t seed)
{
    clgan_dataset_info di;
    clgan_dataset_get_info(*data, &di);
    if (di.classes < 2) {
        fprintf(stderr, "clgan: --balance-classes needs labelled data with at least 2 classes; %s has %d\n", di.source,
                di.classes);
        return 0;
    }
    int *counts = calloc((size_t)di.classes, sizeof *counts);
    if (!counts) return !cli_fail("out of host memory");
    clgan_dataset_class_counts(*data, counts, NULL);
    int lo = 0;
    for (int k = 1; k < di.classes; k++)
        if (counts[k] < counts[lo]) lo = k;
    int least = counts[lo];
    free(counts);
    clgan_dataset *balanced;
    if (clgan_dataset_oversample(*data, seed, &balanced) != CLGAN_OK) return !cli_fail("--balance-classes");
    clgan_dataset_free(*data);
    *data = balanced;
    clgan_dataset_info bi;
    clgan_dataset_get_info(balanced, &bi);
    fprintf(stderr, "clgan: --balance-classes: %d images -> %d (the rarest class, %d, had %d; now %d per class)\n",
            di.count, bi.count, lo, least, bi.count / di.classes);
    return 1;
}

static int train_run(train_opts *opts);

int cmd_train_gan(int argc, char **argv)
{
    train_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_g), free(o.given_d);
    return rc;
}

static int train_run(train_opts *o)
{
    char ckpt_path[1100], log_path[1100], plot_path[1100], value[64];
    gan_run g;
    memset(&g, 0, sizeof g);
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", o->run.out);
    if (clgan_train_check_out(o->run.out, o->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if ((o->arch_g && !cli_read_arch("--arch-g", o->arch_g, &o->given_g)) ||
        (o->arch_d && !cli_read_arch("--arch-d", o->arch_d, &o->given_d)))
        return 2;
    snprintf(g.checkpoint, sizeof g.checkpoint, "%s", ckpt_path);
    snprintf(log_path, sizeof log_path, "%s/log.csv", o->run.out);
    snprintf(g.samples_dir, sizeof g.samples_dir, "%s/samples", o->run.out);
    snprintf(plot_path, sizeof plot_path, "%s/loss.png", o->run.out);
    int had_out = cli_is_dir(o->run.out); /* --out is made with its first file (log.csv), samples/ with its own */
    clgan_ctx *ctx = NULL;
    clgan_dataset *data = NULL, *real = NULL;
    int exit_code = 1, rc;
    char score_csv[1100], score_png[1100];
    snprintf(score_csv, sizeof score_csv, "%s/score.csv", o->run.out);
    snprintf(score_png, sizeof score_png, "%s/score.png", o->run.out);
    /* The model's image shape decides how the data is loaded: a resumed
     * run's from its checkpoint, a new run's from its architecture. */
    int c, h, w;
    const clgan_model_info *resumed = o->run.resume ? &g.info : NULL;
    if ((resumed && (rc = resume_model(o, ckpt_path, &ctx, &g))) ||
        (rc = train_cli_image_shape(resumed, &o->set, o->given_d, o->arch_d, "d", "D", &c, &h, &w))) {
        exit_code = rc;
        goto done;
    }
    uint64_t seed = strtoull(cli_settings_value(&o->set, g.model, "seed", value, sizeof value), NULL, 10);
    int conditional = atoi(cli_settings_value(&o->set, g.model, "conditional", value, sizeof value));

    /* Data: the model's image size and channels. */
    /* An image folder without train/ and test/: all its images, unless a
     * test share is given (or --labels/--imbalance take train-classifier's
     * subset, which comes from its default 90% share). */
    if (o->run.test_percent < 0) o->run.test_percent = o->run.labels > 0 || o->run.imb_class >= 0 ? 10 : 0;
    clgan_dataset_options dopt = train_cli_data_options(&o->run, h, c, seed);
    if (clgan_dataset_open(o->run.data, CLGAN_SPLIT_TRAIN, &dopt, &data) != CLGAN_OK) {
        cli_fail("cannot load --data");
        goto done;
    }
    run_report_skipped("train", data);
    clgan_dataset_info di;
    clgan_dataset_get_info(data, &di);
    /* Classes are labels by position: a resumed run that depends on them must see the same names. */
    if (o->run.resume && (conditional || o->run.labels > 0 || o->run.imb_class >= 0) && di.classes &&
        !run_check_note_class_names(ckpt_path, data))
        goto done;
    char scen[16384];
    scenario_text(o, scen, sizeof scen);
    run_note_add_data_class_names(scen, sizeof scen, data);
    if (scenario_apply(&data, o->run.imb_class, o->run.imb_fraction, o->run.labels, seed)) goto done;
    clgan_dataset_get_info(data, &di);
    if (o->balance_classes && !balance_classes(&data, seed)) goto done;
    clgan_dataset_get_info(data, &di);
    if (conditional && di.classes < 2) {
        fprintf(stderr, "clgan: --conditional needs labelled data with at least 2 classes; %s has %d\n", di.source,
                di.classes);
        goto done;
    }
    if (conditional && !train_cli_resumed_classes(resumed, ckpt_path, data)) goto done;
    if (!train_cli_fits_batch(data, atoi(cli_settings_value(&o->set, g.model, "batch", value, sizeof value)), ""))
        goto done;

    if (train_cli_start(&g.tc, &o->run, &ctx)) goto done;
    if (!g.model) {
        /* G's text alone goes with D of the model setting's preset. */
        char preset[64];
        clgan_model_params mp = {.arch = o->given_g, .arch_d = o->given_d, .classes = conditional ? di.classes : 0};
        if (o->given_g && !o->given_d) mp.arch_d = cli_settings_value(&o->set, NULL, "model", preset, sizeof preset);
        if (train_cli_create(ctx, &o->set, &mp, "GAN", &g.model)) goto done;
        clgan_model_get_info(g.model, &g.info);
    }
    const clgan_model_info *in = &g.info;
    g.ema = clgan_model_net(g.model, "G_ema") != NULL;
    size_t img = (size_t)in->channels * in->height * in->width;
    /* --score-with: the real images are the test split's, else the training images. */
    if (o->score_with) {
        clgan_dataset_info ri = {0};
        if (clgan_dataset_open(o->run.data, CLGAN_SPLIT_TEST, &dopt, &real) == CLGAN_OK)
            clgan_dataset_get_info(real, &ri);
        if (ri.count < 2) {
            clgan_dataset_free(real);
            real = NULL;
        }
        if (!cli_make_dirs(o->run.out) ||
            !gan_scorer_open(&g.score, ctx, o->score_with, in, o->score_n, seed + 104729, score_csv,
                             o->run.resume ? in->steps : -1))
            goto done;
        fprintf(stderr, "clgan: --score-with %s: %d samples against the first %d %s images, every %d epoch%s\n",
                o->score_with, o->score_n, o->score_n, real ? "test" : "training", o->score_every,
                o->score_every == 1 ? "" : "s");
    }
    g.grid_rows = in->classes ? in->classes : 10;
    g.grid_seed = seed + 7919;
    g.grid = malloc((size_t)g.grid_rows * 10 * img * sizeof *g.grid);
    g.grid_labels = malloc((size_t)g.grid_rows * 10 * sizeof *g.grid_labels);
    if (!g.grid || !g.grid_labels) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g",
             atof(cli_settings_value(&o->set, g.model, "lr_d", value, sizeof value)));
    char note[16384 + 300];
    snprintf(note, sizeof note, "%s | %s", scen, di.source);

    clgan_train_params p = run_opts_train_params(&o->run);
    p.train = data;
    p.note = note;
    p.advice = advice;
    p.stat_columns = "loss_d,loss_g,d_real,d_fake";
    p.on_checkpoint = gan_on_checkpoint;
    if (o->score_with) {
        p.test = real ? real : data;
        p.evaluate = gan_evaluate;
        p.on_evaluated = gan_on_scored;
        p.eval_every = o->score_every;
        p.metric_name = "fd";
        p.metric_lower_better = 1;
    }
    int64_t per_epoch = di.count / in->batch, total = o->run.steps ? o->run.steps : (int64_t)o->run.epochs * per_epoch;
    char width[32];
    cli_settings_value(&o->set, g.model, "width", width, sizeof width);
    const char *loss = cli_settings_value(&o->set, g.model, "loss", value, sizeof value);
    fprintf(stderr, "clgan: %s on %s | %s%s, width %s, batch %d, %s loss | %d images (%s), %lld steps/epoch\n",
            o->run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, in->classes ? "conditional " : "",
            in->arch, width, in->batch,
            !strcmp(loss, "ls") ? "least-squares" : !strcmp(loss, "hinge") ? "hinge" : "non-saturating", di.count,
            di.source, (long long)per_epoch);
    char ema[96] = "";
    if (g.ema)
        snprintf(ema, sizeof ema, " and their moving average (decay %g; the sample grids show it)",
                 atof(cli_settings_value(&o->set, g.model, "g_ema", value, sizeof value)));
    fprintf(stderr, "clgan: G %zu parameters%s, D %zu parameters; steps %lld -> %lld; output in %s\n",
            clgan_net_param_count(clgan_model_net(g.model, "G")), ema,
            clgan_net_param_count(clgan_model_net(g.model, "D")), (long long)in->steps, (long long)total, o->run.out);

    train_cli_setup(&g.tc, "train-gan", o->run.json, gan_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run_model(&g.tc, g.model, &p, &r, &g)) >= 0) {
        exit_code = rc;
        goto done;
    }
    int plotted = gan_plot_losses(log_path, plot_path, per_epoch);
    if (!plotted) fprintf(stderr, "clgan: warning: no loss plot: %s\n", clgan_last_error());
    if (o->score_with && !gan_plot_scores(score_csv, score_png))
        fprintf(stderr, "clgan: warning: no score plot: %s\n", clgan_last_error());
    /* Name only the files this run wrote. */
    fprintf(stderr, "clgan: done: %lld steps in %.1f s%s%s%s%s; checkpoint %s\n", (long long)(r.step - r.start),
            r.seconds, g.last_grid[0] ? "; samples " : "", g.last_grid, plotted ? "; loss curve " : "",
            plotted ? plot_path : "", ckpt_path);
    if (o->run.json) {
        const double *v = r.stats.values;
        cli_json_begin("train-gan", "ok");
        printf(", \"steps\": %lld, \"epochs\": %.3f, \"loss_d\": %.6f, \"loss_g\": %.6f, "
               "\"d_real\": %.6f, \"d_fake\": %.6f, \"seconds\": %.3f, \"images_per_sec\": %.1f",
               (long long)r.step, (double)r.step / per_epoch, v[0], v[1], v[2], v[3], r.seconds,
               r.seconds > 0 ? (r.step - r.start) * (double)in->batch / r.seconds : 0.0);
        if (g.scored) {
            printf(", \"fd\": %.6g, \"coverage\": %d, \"inception_score\": %.6g, \"score_csv\": ", g.score.fd,
                   g.score.coverage, g.score.is);
            cli_json_string(stdout, score_csv);
        }
        train_cli_json_end(&g.tc, ckpt_path, "samples", g.last_grid, log_path);
    }
    profile_run_report(&g.tc.prof, ctx, o->run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(g.samples_dir);
        if (!had_out) cli_remove_empty_dir(o->run.out);
    }
    free(g.grid);
    free(g.grid_labels);
    gan_scorer_free(&g.score);
    clgan_dataset_free(real);
    clgan_model_free(g.model);
    clgan_ctx_free(ctx);
    clgan_dataset_free(data);
    return exit_code;
}
