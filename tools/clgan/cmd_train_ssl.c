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

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Settings that are not flags here: the class count comes from the data,
 * the decay steps from --decay-from. */
static const char *const not_flags[] = {"classes", "decay_start", "decay_end", NULL};
static const unsigned run_flags = RUN_STEPWISE | RUN_LABELS | RUN_KEEP_BEST;

typedef struct ssl_opts {
    run_opts run;
    cli_settings set; /* the model settings given */
    uint64_t seed;    /* the model's seed setting: the data's split and labelled subset */
    int batch;        /* the model's batch */
    float decay_from;
    int set_decay;
    const char *arch_d;           /* --arch-d FILE */
    char *given_text;             /* its text */
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
    return cli_settings_check(&o->set) ? 0 : 2;
}

/* Resume: the checkpoint decides the model, and any setting given must be
 * its value; the note keeps the data scenario "labels=N limit=N
 * test_percent=P" (older runs: no test_percent, which was 10). 0, or the
 * exit code after printing why. */
static int resume_model(ssl_opts *o, const char *ckpt_path, clgan_ctx **ctx, clgan_model **model,
                        clgan_model_info *info)
{
    char note[512] = "", start[32], end[32];
    int rc = train_cli_resume(&o->run, &o->set, 1, ckpt_path, ctx, note, sizeof note, model, info);
    if (rc) return rc;
    if (!cli_resume_arch_matches("--arch-d", o->given_text, clgan_model_arch_text(*model, "D"))) return 2;
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
                        "steps %s-%s); leave it out or start a new run in another --out\n", what, labels, limit,
                cli_settings_value(&o->set, *model, "decay_start", start, sizeof start),
                cli_settings_value(&o->set, *model, "decay_end", end, sizeof end));
        return 2;
    }
    if (!run_resume_test_percent(note, o->run.test_percent, &o->run.test_percent)) return 2;
    o->run.labels = labels;
    o->run.limit = limit;
    return 0;
}

/* Training split (all images; labels ignored by the unlabelled loader), the
 * labelled subset repeated to at least one batch, and the test split. */
static int load_data(const ssl_opts *o, int size, int channels, clgan_dataset **train, clgan_dataset **labelled,
                     clgan_dataset **test)
{
    clgan_dataset_options dopt = train_cli_data_options(&o->run, size, channels, o->seed);
    if (train_cli_open_splits(&dopt, o->run.data, train, test)) return 1;
    if (!train_cli_labelled_splits(*train, *test) || !train_cli_fits_batch(*train, o->batch, " (use a smaller --batch)"))
        return 1;
    clgan_dataset *lab;
    if (clgan_dataset_keep_labels(*train, o->run.labels, o->seed, 0, &lab) != CLGAN_OK) return cli_fail("--labels");
    clgan_dataset_info in;
    clgan_dataset_get_info(lab, &in);
    if (in.count >= o->batch) {
        *labelled = lab;
        return 0;
    }
    int n = (o->batch + in.count - 1) / in.count * in.count; /* whole copies, so every image is seen equally */
    int *idx = malloc((size_t)n * sizeof *idx);
    if (!idx) {
        clgan_dataset_free(lab);
        fprintf(stderr, "clgan: out of host memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++) idx[i] = i % in.count;
    clgan_status st = clgan_dataset_select(lab, idx, n, labelled);
    free(idx);
    clgan_dataset_free(lab);
    return st == CLGAN_OK ? 0 : cli_fail("--labels");
}

/* The run's model and what its callbacks need. */
typedef struct ssl_run {
    clgan_model *model;
    clgan_model_info info;
    train_cli tc;
    train_cli_eval ev;
    float *grid;          /* 64 samples of G */
    char samp_dir[1100];
} ssl_run;

static clgan_status ssl_evaluate(void *user, const clgan_dataset *test, double *metric)
{
    ssl_run *r = user;
    return train_cli_evaluate(&r->tc, &r->ev, test, metric);
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
    const clgan_model_info *in = &r->info;
    char samples_png[1200];
    snprintf(samples_png, sizeof samples_png, "%s/epoch-%04d.png", r->samp_dir, p->epoch);
    if (!cli_make_dirs(r->samp_dir)) return CLGAN_ERR_IO;
    clgan_status st = clgan_model_sample(r->model, 64, NULL, 12345, r->grid);
    if (st == CLGAN_OK) st = clgan_png_grid(samples_png, r->grid, 64, in->channels, in->height, in->width, 8, -1.0f, 1.0f, 2);
    if (st != CLGAN_OK) return st;
    return train_cli_report_eval(&r->tc, &r->ev, p);
}

static int train_run(ssl_opts *opts);

int cmd_train_ssl(int argc, char **argv)
{
    ssl_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_text);
    return rc;
}

static int train_run(ssl_opts *o)
{
    int rc;
    char ckpt_path[1100], log_path[1100], value[64];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", o->run.out);
    if (clgan_train_check_out(o->run.out, o->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if (o->arch_d && !cli_read_arch("--arch-d", o->arch_d, &o->given_text)) return 2;
    ssl_run sr;
    memset(&sr, 0, sizeof sr);
    snprintf(log_path, sizeof log_path, "%s/log.csv", o->run.out);
    snprintf(sr.samp_dir, sizeof sr.samp_dir, "%s/samples", o->run.out);
    int had_out = cli_is_dir(o->run.out);
    clgan_dataset *train = NULL, *lab = NULL, *test = NULL;
    clgan_ctx *ctx = NULL;
    int exit_code = 1;
    /* The image shape: a resumed run's from its checkpoint, a new run's from D's architecture. */
    int ch, h, w;
    const clgan_model_info *resumed = o->run.resume ? &sr.info : NULL;
    if ((resumed && (rc = resume_model(o, ckpt_path, &ctx, &sr.model, &sr.info))) ||
        (rc = train_cli_image_shape(resumed, &o->set, o->given_text, o->arch_d, "d", "D", &ch, &h, &w))) {
        exit_code = rc;
        goto done;
    }
    o->seed = strtoull(cli_settings_value(&o->set, sr.model, "seed", value, sizeof value), NULL, 10);
    o->batch = atoi(cli_settings_value(&o->set, sr.model, "batch", value, sizeof value));
    if (o->run.test_percent < 0) o->run.test_percent = 10;
    if (!cli_make_dirs(o->run.out)) goto done; /* confusion/ and samples/ come with their first files */

    if (load_data(o, h, ch, &train, &lab, &test)) goto done;
    if (!train_cli_resumed_classes(resumed, ckpt_path, train)) goto done;
    clgan_dataset_info di, ti;
    clgan_dataset_get_info(train, &di);
    clgan_dataset_get_info(test, &ti);
    int K = di.classes;
    int64_t per_epoch = di.count / o->batch; /* full batches only */
    int64_t decay_end = atoll(cli_settings_value(&o->set, sr.model, "decay_end", value, sizeof value));
    if (o->run.resume && decay_end > 0 && !o->run.given_length) o->run.steps = (int)decay_end; /* the run's own end */
    int64_t planned = o->run.steps ? o->run.steps : (int64_t)o->run.epochs * per_epoch;
    if (!o->run.resume && o->set_decay) {
        int64_t decay_start = (int64_t)llround(o->decay_from * (double)per_epoch);
        if (decay_start >= planned) {
            fprintf(stderr, "clgan: --decay-from %g is at or after the end of the run (%lld steps)\n", o->decay_from,
                    (long long)planned);
            goto done;
        }
        char start[32], end[32];
        snprintf(start, sizeof start, "%lld", (long long)decay_start);
        snprintf(end, sizeof end, "%lld", (long long)planned);
        if (!cli_settings_set(&o->set, "--decay-from", "decay_start", start) ||
            !cli_settings_set(&o->set, "--decay-from", "decay_end", end))
            goto done;
    }
    if (o->run.resume && decay_end > 0 && planned > decay_end) {
        fprintf(stderr, "clgan: this run's learning rate decays to 0 at step %lld (--decay-from); training to step %lld "
                        "would not change it. Resume with --steps %lld at most, or start a new run\n",
                (long long)decay_end, (long long)planned, (long long)decay_end);
        goto done;
    }
    if (train_cli_start(&sr.tc, &o->run, &ctx)) goto done;
    if (!sr.model) {
        clgan_model_params mp = {.arch_d = o->given_text, .classes = K};
        if (train_cli_create(ctx, &o->set, &mp, "semi-supervised GAN", &sr.model)) goto done;
        clgan_model_get_info(sr.model, &sr.info);
    }
    if (train_cli_name_classes(sr.model, train)) goto done;
    const clgan_model_info *in = &sr.info;
    char conf_dir[1100];
    snprintf(conf_dir, sizeof conf_dir, "%s/confusion", o->run.out);
    if (train_cli_eval_init(&sr.ev, sr.model, train, conf_dir)) goto done;
    sr.grid = malloc((size_t)64 * in->channels * in->height * in->width * sizeof *sr.grid);
    if (!sr.grid) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    char lr[64], width[64], augment[64];
    cli_settings_value(&o->set, sr.model, "lr_d", lr, sizeof lr);
    cli_settings_value(&o->set, sr.model, "width", width, sizeof width);
    cli_settings_value(&o->set, sr.model, "augment", augment, sizeof augment);
    decay_end = atoll(cli_settings_value(&o->set, sr.model, "decay_end", value, sizeof value));
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g", atof(lr));
    char note[512];
    snprintf(note, sizeof note, "labels=%d limit=%d test_percent=%d | %s", o->run.labels, o->run.limit,
             o->run.test_percent, di.source);
    clgan_train_params p = run_opts_train_params(&o->run);
    p.train = train;
    p.train2 = lab;
    p.test = test;
    p.note = note;
    p.advice = advice;
    p.stat_columns = "loss_labelled,loss_unlabelled,loss_fake,loss_feature_matching,batch_accuracy,d_real,d_fake,lr";
    p.evaluate = ssl_evaluate;
    p.on_evaluated = ssl_on_evaluated;
    int64_t total = o->run.steps ? o->run.steps : (int64_t)o->run.epochs * per_epoch;
    fprintf(stderr, "clgan: %s on %s | %s, width %s, batch %d, Adam lr %g%s%s | %d labelled + %d unlabelled training "
                    "images (%s), %d test images, %lld steps/epoch\n",
            o->run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, in->arch, width, in->batch,
            atof(lr), decay_end ? " with linear decay" : "", strcmp(augment, "0") ? ", augmented" : "", o->run.labels,
            di.count, di.source, ti.count, (long long)per_epoch);
    fprintf(stderr, "clgan: D %zu, G %zu parameters; steps %lld -> %lld; output in %s\n",
            clgan_net_param_count(clgan_model_net(sr.model, "D")), clgan_net_param_count(clgan_model_net(sr.model, "G")),
            (long long)in->steps, (long long)total, o->run.out);
    train_cli_setup(&sr.tc, "train-ssl", o->run.json, ssl_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run_model(&sr.tc, sr.model, &p, &r, &sr)) >= 0) {
        exit_code = rc;
        goto done;
    }
    double test_acc = r.metric;
    const double *v = r.stats.values;
    int ran = r.stats.count > 0;
    fprintf(stderr, "clgan: done: %lld steps in %.1f s; test accuracy %.2f%%%s%s; checkpoint %s\n",
            (long long)(r.step - r.start), r.seconds, 100 * test_acc, sr.ev.last_png[0] ? "; confusion " : "",
            sr.ev.last_png, ckpt_path);
    if (o->run.json) {
        cli_json_begin("train-ssl", "ok");
        printf(", \"model\": \"%s\", \"labels\": %d, \"steps\": %lld, \"epochs\": %.3f, "
               "\"test_accuracy\": ",
               in->arch, o->run.labels, (long long)r.step, (double)r.step / per_epoch);
        report_json_number(stdout, test_acc);
        printf(", \"loss_labelled\": ");
        report_json_number(stdout, ran ? v[0] : 0);
        printf(", \"loss_unlabelled\": ");
        report_json_number(stdout, ran ? v[1] : 0);
        printf(", \"loss_fake\": ");
        report_json_number(stdout, ran ? v[2] : 0);
        printf(", \"train_images\": %d, \"test_images\": %d, \"seconds\": %.3f", di.count, ti.count, r.seconds);
        report_json_fields(stdout, K, (const char (*)[64])sr.ev.names, sr.ev.cm);
        train_cli_json_end(&sr.tc, ckpt_path, NULL, NULL, log_path);
    }
    profile_run_report(&sr.tc.prof, ctx, o->run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(sr.ev.dir);
        cli_remove_empty_dir(sr.samp_dir);
        if (!had_out) cli_remove_empty_dir(o->run.out);
    }
    free(sr.grid);
    train_cli_eval_free(&sr.ev);
    clgan_model_free(sr.model);
    clgan_ctx_free(ctx);
    clgan_dataset_free(train);
    clgan_dataset_free(lab);
    clgan_dataset_free(test);
    return exit_code;
}
