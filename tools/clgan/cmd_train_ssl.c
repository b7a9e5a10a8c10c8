/* cmd_train_ssl.c — `clgan train-ssl`: semi-supervised K+1 GAN training
 * (Salimans et al. 2016) on N labelled training images plus all training
 * images unlabelled; after each epoch the discriminator's test accuracy,
 * per-class recall and confusion matrix (printed and a PNG), a grid of G's
 * samples, a CSV log and a checkpoint; Ctrl-C / SIGTERM safe, resumable. */
#include "classifier_report.h"
#include "cli.h"
#include "cli_settings.h"
#include "run_dir.h"
#include "train_cli.h"

#include "data/dataset.h"
#include "data/subset.h"
#include "io/container.h"
#include "io/image.h"
#include "train/metrics.h"
#include "train/net_checkpoint.h"
#include "train/ssl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Settings that are not flags here: the class count comes from the data,
 * the decay steps from --decay-from. */
static const char *const not_flags[] = {"classes", "decay_start", "decay_end", NULL};
static const unsigned run_flags = RUN_TRAINING | RUN_LABELS | RUN_KEEP_BEST;

typedef struct ssl_opts {
    run_opts run;
    cli_settings set; /* the model settings given */
    clgan_ssl_config cfg;
    float decay_from;
    int set_decay;
    const char *arch_d;           /* --arch-d FILE */
    char *given_text, *ckpt_text; /* its text, and on resume the checkpoint's */
} ssl_opts;

static void usage(FILE *f, const ssl_opts *o)
{
    fprintf(f, "usage: clgan train-ssl --data SPEC [options]\n\n"
               "Semi-supervised GAN (Salimans et al. 2016): a discriminator with K+1 outputs (the K classes + fake)\n"
               "learns from --labels labelled training images, from every training image without its label, and\n"
               "from generated images; the generator is trained by feature matching. The discriminator is the\n"
               "classifier. Writes into --out:\n"
               "  confusion/epoch-NNNN.png  the test split's confusion matrix after each epoch\n"
               "  samples/epoch-NNNN.png    64 generator samples after each epoch\n"
               "  log.csv                   step, epoch, losses (labelled, unlabelled, fake, feature matching),\n"
               "                            labelled batch accuracy, D(x), D(G(z)), lr, test accuracy, images/s, seconds\n"
               "  checkpoint.ckpt           after each epoch and on Ctrl-C/SIGTERM (resume with --resume)\n\nRun:\n");
    static const char *const texts[] = {
        "labels", "labelled training images, balanced over the classes, chosen by --seed; the rest are used "
        "without labels", "epochs", "passes over the unlabelled images", NULL};
    run_opts_help(f, run_flags, &o->run, texts);
    fprintf(f, "Model (--resume refuses any setting that differs from the checkpoint's):\n");
    cli_settings_help(f, CLGAN_MODEL_SSL, not_flags);
    cli_help_line(f, "--arch-d", "FILE", "D's architecture text instead of the model's (clgan models show ssl28 prints "
                                         "one to start from; docs/ARCHITECTURES.md): input the model's image shape, "
                                         "output the class logits, a [features] marker");
    cli_help_line(f, "--lr", "X", "--lr-d and --lr-g together");
    cli_help_line(f, "--decay-from", "E", "from epoch E to the end of the run both learning rates fall linearly to "
                                          "0 (default: constant)");
}

static int parse(int argc, char **argv, ssl_opts *o)
{
    memset(o, 0, sizeof *o);
    run_opts_init(&o->run);
    o->run.out = "runs/ssl";
    o->run.labels = 100;
    o->run.epochs = 20;
    cli_settings_init(&o->set, CLGAN_MODEL_SSL, not_flags);
    o->cfg = clgan_ssl_default_config();
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) || (got = cli_settings_flag(&o->set, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--lr", &bad))) {
            if (!cli_settings_set(&o->set, "--lr", "lr_d", v) || !cli_settings_set(&o->set, "--lr", "lr_g", v)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--arch-d", &bad))) o->arch_d = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--decay-from", &bad))) {
            if (!cli_parse_float("--decay-from", v, 0, 1e9, &o->decay_from)) return 2;
            o->set_decay = 1;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, o);
            return -1;
        } else {
            fprintf(stderr, "clgan train-ssl: unknown option '%s'; see --help\n", argv[i]);
            return 2;
        }
    }
    if (!o->run.data) {
        fprintf(stderr, "clgan train-ssl: --data is required (a dataset path, or 'synthetic'); see --help\n");
        return 2;
    }
    return cli_settings_apply(&o->set, &o->cfg) ? 0 : 2;
}

/* Resume: the checkpoint decides the model, and any setting given must be
 * its value; the note keeps the data scenario "labels=N limit=N
 * test_percent=P" (older runs: no test_percent, which was 10). */
static int resume_settings(ssl_opts *o, const char *ckpt_path)
{
    clgan_ssl_config ck;
    if (clgan_ssl_peek(ckpt_path, &ck) != CLGAN_OK) return cli_fail("cannot resume");
    if (!cli_settings_resume(&o->set, &ck, 1)) return 2;
    clgan_ckpt_reader *r;
    char note[512] = "";
    if (clgan_ckpt_open(ckpt_path, &r) != CLGAN_OK) return cli_fail("cannot resume");
    clgan_status st = clgan_ckpt_get_string(r, "note", note, sizeof note);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) return cli_fail("cannot resume");
    int labels, limit;
    if (sscanf(note, "labels=%d limit=%d", &labels, &limit) != 2) {
        fprintf(stderr, "clgan: %s does not record its labelled subset; cannot resume it\n", ckpt_path);
        return 1;
    }
    const char *what = o->run.given_labels && labels != o->run.labels ? "--labels"
                       : o->run.given_limit && limit != o->run.limit   ? "--limit"
                       : o->set_decay                                    ? "--decay-from"
                                                                         : NULL;
    if (what) {
        fprintf(stderr, "clgan: %s differs from the run being resumed (checkpoint: labels %d, limit %d, lr decay over "
                        "steps %lld-%lld); leave it out or start a new run in another --out\n",
                what, labels, limit, (long long)ck.decay_start, (long long)ck.decay_end);
        return 2;
    }
    if (!run_resume_test_percent(note, o->run.test_percent, &o->run.test_percent)) return 2;
    ck.text_d = o->cfg.text_d;
    o->cfg = ck;
    o->run.labels = labels;
    o->run.limit = limit;
    return 0;
}

/* Training split (all images; labels ignored by the unlabelled loader), the
 * labelled subset repeated to at least one batch, and the test split. */
static int load_data(const ssl_opts *o, clgan_dataset **train, clgan_dataset **labelled, clgan_dataset **test)
{
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = o->cfg.h;
    dopt.channels = o->cfg.c;
    dopt.seed = o->cfg.seed;
    dopt.limit = o->run.limit;
    dopt.test_percent = run_test_percent_option(o->run.test_percent);
    dopt.skip_unreadable = o->run.skip_unreadable;
    if (clgan_dataset_open(o->run.data, CLGAN_SPLIT_TRAIN, &dopt, train) != CLGAN_OK) return cli_fail("cannot load --data");
    run_report_skipped("train", *train);
    dopt.limit = 0;
    if (clgan_dataset_open(o->run.data, CLGAN_SPLIT_TEST, &dopt, test) != CLGAN_OK)
        return cli_fail("cannot load the test split of --data");
    run_report_skipped("test", *test);
    if ((*train)->classes < 2 || (*test)->classes != (*train)->classes) {
        fprintf(stderr, "clgan: needs labelled data with at least 2 classes in both splits (train %d, test %d)\n",
                (*train)->classes, (*test)->classes);
        return 1;
    }
    if ((*train)->n < o->cfg.batch) {
        fprintf(stderr, "clgan: %s has %d training images, fewer than one batch of %d (use a smaller --batch)\n",
                (*train)->source, (*train)->n, o->cfg.batch);
        return 1;
    }
    clgan_dataset *lab;
    if (clgan_dataset_keep_labels(*train, o->run.labels, o->cfg.seed, 0, &lab) != CLGAN_OK) return cli_fail("--labels");
    if (lab->n >= o->cfg.batch) {
        *labelled = lab;
        return 0;
    }
    int n = (o->cfg.batch + lab->n - 1) / lab->n * lab->n; /* whole copies, so every image is seen equally */
    int *idx = malloc((size_t)n * sizeof *idx);
    if (!idx) {
        clgan_dataset_free(lab);
        fprintf(stderr, "clgan: out of host memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++) idx[i] = i % lab->n;
    clgan_status st = clgan_dataset_select(lab, idx, n, labelled);
    free(idx);
    clgan_dataset_free(lab);
    return st == CLGAN_OK ? 0 : cli_fail("--labels");
}

/* The run's model and what its callbacks need. */
typedef struct ssl_run {
    clgan_ssl *s;
    train_cli tc;
    train_cli_eval ev;
    float *grid;          /* 64 samples of G */
    char samp_dir[1100];
} ssl_run;

static clgan_status eval_ssl(void *s, const clgan_dataset *d, int64_t *confusion)
{
    return clgan_ssl_evaluate(s, d, confusion);
}

/* The main stream is every training image without its label, the second the labelled subset. */
static clgan_status ssl_step(void *self, const clgan_train_batch *b, clgan_step_stats *out)
{
    clgan_ssl_stats st;
    clgan_status s = clgan_ssl_train_step(((ssl_run *)self)->s, b->images2, b->labels2, b->images, &st);
    static const char *const names[8] = {"loss_labelled", "loss_unlabelled", "loss_fake", "loss_feature_matching",
                                         "batch_accuracy", "d_real", "d_fake", "lr"};
    const double v[8] = {st.loss_lab, st.loss_unl, st.loss_fake, st.loss_fm, st.acc_lab, st.d_real, st.d_fake, st.lr};
    out->count = 8;
    for (int i = 0; i < 8; i++) out->names[i] = names[i], out->values[i] = v[i];
    return s;
}

static clgan_status ssl_save(void *self, const char *path, const char *note)
{
    return clgan_ssl_save(((ssl_run *)self)->s, path, note);
}

static clgan_status ssl_evaluate(void *self, const clgan_dataset *test, double *metric)
{
    ssl_run *r = self;
    return train_cli_evaluate(&r->tc, &r->ev, eval_ssl, r->s, test, clgan_ssl_get_config(r->s)->batch, metric);
}

static void ssl_metrics(const clgan_step_stats *st, char *out, size_t cap)
{
    const double *v = st->values;
    snprintf(out, cap, "lab %.3f unl %.3f fake %.3f fm %.3g D(x) %.2f D(G(z)) %.2f lr %.2g", v[0], v[1], v[2], v[3],
             v[5], v[6], v[7]);
}

/* After each evaluation: the confusion heat map, 64 samples of G, the printed report. */
static clgan_status ssl_on_evaluated(void *user, const clgan_train_progress *p)
{
    ssl_run *r = user;
    const clgan_ssl_config *c = clgan_ssl_get_config(r->s);
    char samples_png[1200];
    snprintf(samples_png, sizeof samples_png, "%s/epoch-%04d.png", r->samp_dir, p->epoch);
    if (!cli_make_dirs(r->samp_dir)) return CLGAN_ERR_IO;
    clgan_status st = clgan_ssl_sample(r->s, 64, 12345, r->grid);
    if (st == CLGAN_OK) st = clgan_png_grid(samples_png, r->grid, 64, c->c, c->h, c->w, 8, -1.0f, 1.0f, 2);
    if (st != CLGAN_OK) return st;
    return train_cli_report_eval(&r->tc, &r->ev, p);
}

/* D's text: from --arch-d, and on resume the checkpoint's, which must match it. */
static int arch_text(ssl_opts *o, const char *ckpt_path)
{
    if (o->arch_d && !cli_read_arch("--arch-d", o->arch_d, &o->given_text)) return 2;
    o->cfg.text_d = o->given_text;
    if (!o->run.resume) return 0;
    if (clgan_ckpt_file_arch_text(ckpt_path, "arch.d", &o->ckpt_text) != CLGAN_OK) return cli_fail("cannot resume");
    if (!cli_resume_arch_matches("--arch-d", o->given_text, o->ckpt_text)) return 2;
    o->cfg.text_d = o->ckpt_text;
    return 0;
}

static int train_run(ssl_opts *opts);

int cmd_train_ssl(int argc, char **argv)
{
    ssl_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_text), free(o.ckpt_text);
    return rc;
}

static int train_run(ssl_opts *opts)
{
    int rc;
    char ckpt_path[1100], log_path[1100];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", opts->run.out);
    if (clgan_train_check_out(opts->run.out, opts->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if ((rc = arch_text(opts, ckpt_path))) return rc;
    ssl_opts o = *opts;
    ssl_run sr;
    memset(&sr, 0, sizeof sr);
    snprintf(log_path, sizeof log_path, "%s/log.csv", o.run.out);
    snprintf(sr.ev.dir, sizeof sr.ev.dir, "%s/confusion", o.run.out);
    snprintf(sr.samp_dir, sizeof sr.samp_dir, "%s/samples", o.run.out);
    if (o.run.resume && (rc = resume_settings(&o, ckpt_path))) return rc;
    if (o.run.test_percent < 0) o.run.test_percent = 10;
    if (clgan_ssl_config_resolve(&o.cfg) != CLGAN_OK) return cli_fail(NULL);
    int had_out = cli_is_dir(o.run.out);
    if (!cli_make_dirs(o.run.out)) return 1; /* confusion/ and samples/ come with their first files */

    clgan_dataset *train = NULL, *lab = NULL, *test = NULL;
    clgan_ctx *ctx = NULL;
    int exit_code = 1;
    if (load_data(&o, &train, &lab, &test)) goto done;
    if (o.run.resume && !run_check_ckpt_class_names(ckpt_path, train)) goto done;
    if (o.run.resume && o.cfg.classes != train->classes) {
        fprintf(stderr, "clgan: the checkpoint was trained on %d classes, %s has %d\n", o.cfg.classes, train->source,
                train->classes);
        goto done;
    }
    o.cfg.classes = train->classes;
    int64_t per_epoch = train->n / o.cfg.batch; /* full batches only */

    if (o.run.resume && o.cfg.decay_end > 0 && !o.run.given_length) o.run.steps = (int)o.cfg.decay_end; /* the run's own end */
    int64_t planned = o.run.steps ? o.run.steps : (int64_t)o.run.epochs * per_epoch;
    if (!o.run.resume && o.set_decay) {
        o.cfg.decay_start = (int64_t)llround(o.decay_from * (double)per_epoch);
        o.cfg.decay_end = planned;
        if (o.cfg.decay_start >= planned) {
            fprintf(stderr, "clgan: --decay-from %g is at or after the end of the run (%lld steps)\n", o.decay_from,
                    (long long)planned);
            goto done;
        }
    }
    if (o.run.resume && o.cfg.decay_end > 0 && planned > o.cfg.decay_end) {
        fprintf(stderr, "clgan: this run's learning rate decays to 0 at step %lld (--decay-from); training to step %lld "
                        "would not change it. Resume with --steps %lld at most, or start a new run\n",
                (long long)o.cfg.decay_end, (long long)planned, (long long)o.cfg.decay_end);
        goto done;
    }
    if (cli_open_ctx(o.run.device, 0, &ctx) || !profile_run_start(&sr.tc.prof, ctx, o.run.profile)) goto done;
    cli_suggest_tune(ctx);
    if (o.run.resume) {
        if (clgan_ssl_load(ctx, ckpt_path, &sr.s, NULL, 0) != CLGAN_OK) {
            cli_fail("cannot resume");
            goto done;
        }
    } else if (clgan_ssl_create(ctx, &o.cfg, &sr.s) != CLGAN_OK) {
        cli_fail("cannot build the semi-supervised GAN");
        goto done;
    }
    clgan_ssl_set_class_names(sr.s, (const char (*)[64])train->class_names);
    const clgan_ssl_config *c = clgan_ssl_get_config(sr.s);
    int K = sr.ev.K = c->classes, B = c->batch;
    sr.ev.train = train;
    sr.grid = malloc((size_t)64 * c->c * c->h * c->w * sizeof *sr.grid);
    sr.ev.cm = calloc((size_t)K * K, sizeof *sr.ev.cm);
    if (!sr.grid || !sr.ev.cm) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g",
             c->adam_d.lr);
    char note[512];
    snprintf(note, sizeof note, "labels=%d limit=%d test_percent=%d | %s", o.run.labels, o.run.limit, o.run.test_percent,
             train->source);
    clgan_train_target t = {.self = &sr, .batch = B, .steps = clgan_ssl_step_count(sr.s),
                            .stat_columns = "loss_labelled,loss_unlabelled,loss_fake,loss_feature_matching,"
                                            "batch_accuracy,d_real,d_fake,lr",
                            .step = ssl_step, .save = ssl_save, .evaluate = ssl_evaluate, .net_count = 2,
                            .nets = {clgan_ssl_discriminator(sr.s), clgan_ssl_generator(sr.s)},
                            .net_names = {"D", "G"}};
    clgan_train_params p = run_opts_train_params(&o.run);
    p.train = train;
    p.train2 = lab;
    p.test = test;
    p.seed = c->seed;
    p.seed2 = c->seed * 2 + 7; /* the labelled images' own order */
    p.note = note;
    p.advice = advice;
    p.on_evaluated = ssl_on_evaluated;
    int64_t total = o.run.steps ? o.run.steps : (int64_t)o.run.epochs * per_epoch;
    fprintf(stderr, "clgan: %s on %s | %s, width %d, batch %d, Adam lr %g%s%s | %d labelled + %d unlabelled training images "
                    "(%s), %d test images, %lld steps/epoch\n",
            o.run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, c->model, c->width, B,
            c->adam_d.lr, c->decay_end ? " with linear decay" : "", c->augment ? ", augmented" : "", o.run.labels,
            train->n, train->source, test->n, (long long)per_epoch);
    fprintf(stderr, "clgan: D %zu, G %zu parameters; steps %lld -> %lld; output in %s\n",
            clgan_net_param_count(clgan_ssl_discriminator(sr.s)), clgan_net_param_count(clgan_ssl_generator(sr.s)),
            (long long)t.steps, (long long)total, o.run.out);
    train_cli_setup(&sr.tc, "train-ssl", o.run.json, ctx, ssl_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run(&sr.tc, &t, &p, &r, &sr)) >= 0) {
        exit_code = rc;
        goto done;
    }
    double test_acc = r.metric;
    const double *v = r.stats.values;
    int ran = r.stats.count > 0;
    fprintf(stderr, "clgan: done: %lld steps in %.1f s; test accuracy %.2f%%%s%s; checkpoint %s\n",
            (long long)(r.step - r.start), r.seconds, 100 * test_acc, sr.ev.last_png[0] ? "; confusion " : "",
            sr.ev.last_png, ckpt_path);
    if (o.run.json) {
        cli_json_begin("train-ssl", "ok");
        printf(", \"model\": \"%s\", \"labels\": %d, \"steps\": %lld, \"epochs\": %.3f, "
               "\"test_accuracy\": ",
               c->model, o.run.labels, (long long)r.step, (double)r.step / per_epoch);
        report_json_number(stdout, test_acc);
        printf(", \"loss_labelled\": ");
        report_json_number(stdout, ran ? v[0] : 0);
        printf(", \"loss_unlabelled\": ");
        report_json_number(stdout, ran ? v[1] : 0);
        printf(", \"loss_fake\": ");
        report_json_number(stdout, ran ? v[2] : 0);
        printf(", \"train_images\": %d, \"test_images\": %d, \"seconds\": %.3f", train->n, test->n, r.seconds);
        report_json_fields(stdout, K, (const char (*)[64])train->class_names, sr.ev.cm);
        printf(", \"checkpoint\": ");
        cli_json_string(stdout, ckpt_path);
        printf(", \"log\": ");
        cli_json_string(stdout, log_path);
        profile_run_json_field(&sr.tc.prof, ctx, stdout);
        printf("}\n");
    }
    profile_run_report(&sr.tc.prof, ctx, o.run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(sr.ev.dir);
        cli_remove_empty_dir(sr.samp_dir);
        if (!had_out) cli_remove_empty_dir(o.run.out);
    }
    free(sr.grid);
    free(sr.ev.cm);
    clgan_ssl_free(sr.s);
    clgan_ctx_free(ctx);
    clgan_dataset_free(train);
    clgan_dataset_free(lab);
    clgan_dataset_free(test);
    return exit_code;
}
