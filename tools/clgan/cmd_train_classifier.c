/* cmd_train_classifier.c — `clgan train-classifier`: train a CNN classifier
 * with a progress bar; after each epoch the test accuracy, per-class recall
 * and confusion matrix (printed, and a heat-map PNG), a CSV log and a
 * checkpoint; Ctrl-C / SIGTERM safe, resumable, --labels / --imbalance
 * scenarios, and --oversample / --gan-augment to fill or enlarge the
 * training set. */
#include "classifier_report.h"
#include "cli.h"
#include "cli_settings.h"
#include "run_dir.h"
#include "scenario.h"
#include "train_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Settings that are not flags here: the class count comes from the data,
 * the decay interval from --lr-decay-epochs. */
static const char *const not_flags[] = {"classes", "lr_decay_steps", NULL};
static const unsigned run_flags = RUN_STEPWISE | RUN_LABELS | RUN_IMBALANCE | RUN_KEEP_BEST;

typedef struct train_opts {
    run_opts run;
    cli_settings set; /* the model settings given */
    uint64_t seed;    /* the model's seed setting: the data's split and scenario */
    int eval_every;
    float decay_epochs;
    /* Augmentation: --oversample and/or --gan-augment (gan_mode -1 = none, else a clgan_gan_augment_mode),
     * the generated images through --gan-filter's classifier or not. */
    int oversample, gan_mode;
    float gan_ratio;
    const char *gan_path;
    char gan_sha[65];         /* the GAN checkpoint's SHA-256: of the file (new run), or recorded (resume) */
    char gan_path_buf[4096];  /* the recorded GAN path on resume */
    const char *filter_path;  /* --gan-filter CKPT, NULL: none */
    char filter_sha[65], filter_path_buf[4096];
    float filter_min_conf, filter_top; /* --gan-min-confidence (default 0.5), --gan-filter-top (0: not used) */
    int set_oversample, set_gan_mode, set_gan_ratio, set_filter_conf, set_filter_top;
    const char *arch;             /* --arch FILE */
    char *given_text;             /* its text */
} train_opts;

static void usage(FILE *f, const train_opts *o)
{
    fprintf(f, "usage: clgan train-classifier --data SPEC [options]\n\n"
               "Trains a CNN classifier (softmax cross-entropy) and writes into --out:\n"
               "  confusion/epoch-NNNN.png  the test split's confusion matrix after each epoch\n"
               "  log.csv                   step, epoch, loss, batch accuracy, lr, test accuracy (at epoch ends),\n"
               "                            images/s, seconds\n"
               "  checkpoint.ckpt           after each epoch and on Ctrl-C/SIGTERM (resume with --resume)\n"
               "After each epoch it prints the test accuracy, per-class recall and precision and the confusion "
               "matrix.\n\nRun:\n");
    run_opts_help(f, run_flags, &o->run, NULL);
    cli_help_line(f, "--eval-every", "E", "test, report and checkpoint every E epochs and at the end (default 1; for "
                                          "tiny labelled sets, where an epoch is a step or two)");
    cli_help_line(f, "--oversample", NULL, "naive oversampling: repeat each class's own images (seeded) until every "
                                           "class has as many as the largest (after --imbalance/--labels); with "
                                           "--gan-augment balance, repeats fill half of each class's gap and "
                                           "generated images the rest; with enlarge, oversampled then enlarged");
    cli_help_line(f, "--gan-augment", "CKPT", "add images from a conditional GAN checkpoint (train-gan --conditional "
                                              "on the same data, e.g. with the same --imbalance and --seed); writes "
                                              "gan-augment.png (generated images, one row per class) into --out");
    cli_help_line(f, "--gan-mode", "MODE", "balance (default): generate up to the largest class's count for every "
                                           "class; enlarge: add round(R * real images) generated images, classes in "
                                           "equal shares");
    cli_help_line(f, "--gan-ratio", "R", "the enlarge ratio R (default 1 for enlarge); with balance, R > 0 adds "
                                         "round(R * real images) more in equal shares after balancing (default 0)");
    cli_help_line(f, "--gan-filter", "CKPT", "keep only generated images that this classifier checkpoint (e.g. "
                                             "train-classifier on the same imbalanced real data) assigns to their "
                                             "intended class; prints the acceptance rate per class");
    cli_help_line(f, "--gan-min-confidence", "P", "--gan-filter: keep an image whose intended class has probability "
                                                  ">= P (default 0.5), trying up to 20 candidates per image wanted");
    cli_help_line(f, "--gan-filter-top", "S", "--gan-filter: instead, keep the most confident share S (0 < S <= 1) of "
                                              "1/S times the images wanted, per class");

    fprintf(f, "Model (images are resized and converted to the model's shape; --resume refuses a different\n"
               "architecture or batch and ignores training settings):\n");
    cli_settings_help(f, CLGAN_MODEL_CLASSIFIER, not_flags);
    cli_help_line(f, "--arch", "FILE", "the net's architecture text instead of --model's (clgan models show lenet28 "
                                       "prints one to start from; docs/ARCHITECTURES.md); its input shape is the "
                                       "image size the data is loaded at");
    cli_help_line(f, "--lr-decay-epochs", "E", "epochs between --lr-decay steps (default 5 when --lr-decay is given)");
}

static int parse(int argc, char **argv, train_opts *o)
{
    memset(o, 0, sizeof *o);
    run_opts_init(&o->run);
    o->run.out = "runs/classifier";
    o->run.epochs = 10;
    cli_settings_init(&o->set, CLGAN_MODEL_CLASSIFIER, not_flags);
    o->eval_every = 1;
    o->gan_mode = -1;
    o->filter_min_conf = 0.5f;
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) || (got = cli_settings_flag(&o->set, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--arch", &bad))) o->arch = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--eval-every", &bad))) {
            if (!cli_parse_int("--eval-every", v, 1, 1000000000, &o->eval_every)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-augment", &bad))) {
            o->gan_path = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-mode", &bad))) {
            if (!strcmp(v, "balance")) o->gan_mode = CLGAN_GAN_AUGMENT_BALANCE;
            else if (!strcmp(v, "enlarge")) o->gan_mode = CLGAN_GAN_AUGMENT_ENLARGE;
            else {
                fprintf(stderr, "clgan: --gan-mode is 'balance' or 'enlarge', got '%s'\n", v);
                return 2;
            }
            o->set_gan_mode = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-ratio", &bad))) {
            if (!cli_parse_float("--gan-ratio", v, 0, 1000, &o->gan_ratio)) return 2;
            o->set_gan_ratio = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-filter", &bad))) {
            o->filter_path = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-min-confidence", &bad))) {
            if (!cli_parse_float("--gan-min-confidence", v, 0, 1, &o->filter_min_conf)) return 2;
            o->set_filter_conf = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--gan-filter-top", &bad))) {
            if (!cli_parse_float("--gan-filter-top", v, 0, 1, &o->filter_top)) return 2;
            if (o->filter_top <= 0) {
                fprintf(stderr, "clgan: --gan-filter-top is a share in (0, 1], got %s\n", v);
                return 2;
            }
            o->set_filter_top = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--lr-decay-epochs", &bad))) {
            if (!cli_parse_float("--lr-decay-epochs", v, 0.01, 1e6, &o->decay_epochs)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--oversample")) o->oversample = o->set_oversample = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, o);
            return -1;
        } else {
            fprintf(stderr, "clgan train-classifier: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!o->run.data) {
        fprintf(stderr, "clgan train-classifier: --data is required (a dataset path, or 'synthetic'); see --help\n");
        return 2;
    }
    char decay[64];
    float lr_decay = (float)atof(cli_settings_value(&o->set, NULL, "lr_decay", decay, sizeof decay));
    if (!cli_settings_check(&o->set)) return 2;
    if (o->decay_epochs > 0 && lr_decay == 1.0f) {
        fprintf(stderr, "clgan train-classifier: --lr-decay-epochs needs --lr-decay F (F < 1)\n");
        return 2;
    }
    if (lr_decay < 1.0f && o->decay_epochs <= 0) o->decay_epochs = 5;
    if (o->set_filter_conf && o->set_filter_top) {
        fprintf(stderr, "clgan train-classifier: --gan-min-confidence and --gan-filter-top are alternatives; give one\n");
        return 2;
    }
    if (!o->run.resume && !o->filter_path && (o->set_filter_conf || o->set_filter_top)) {
        fprintf(stderr, "clgan train-classifier: --gan-min-confidence/--gan-filter-top need --gan-filter CKPT\n");
        return 2;
    }
    if (!o->run.resume && o->filter_path && !o->gan_path) {
        fprintf(stderr, "clgan train-classifier: --gan-filter filters --gan-augment's images: give --gan-augment CKPT\n");
        return 2;
    }
    if (!o->run.resume && !o->gan_path && (o->set_gan_mode || o->set_gan_ratio)) {
        fprintf(stderr, "clgan train-classifier: --gan-mode/--gan-ratio need --gan-augment CKPT\n");
        return 2;
    }
    if (o->gan_path && o->gan_mode < 0) o->gan_mode = CLGAN_GAN_AUGMENT_BALANCE;
    if (o->gan_mode == CLGAN_GAN_AUGMENT_ENLARGE && !o->set_gan_ratio) o->gan_ratio = 1.0f;
    if (o->gan_mode == CLGAN_GAN_AUGMENT_ENLARGE && o->gan_ratio <= 0) {
        fprintf(stderr, "clgan train-classifier: --gan-mode enlarge needs --gan-ratio R > 0\n");
        return 2;
    }
    return 0;
}

/* The data scenario, kept in the checkpoint's note so --resume rebuilds the
 * same training set: "labels=N imbalance=C:F limit=N oversample=0|1
 * gan_mode=balance|enlarge|- gan_ratio=R gan_sha256=HEX|- gan=PATH|- test_percent=P | <source>"
 * (PATH escaped by scenario_escape; notes of older runs end after limit=N or
 * gan=PATH, and had the test share 10). */
static int scenario_text(const train_opts *o, char *out, size_t cap)
{
    char path[4096] = "-";
    if (o->gan_mode >= 0 && !scenario_escape(o->gan_path, path, sizeof path)) {
        fprintf(stderr, "clgan: the --gan-augment path is too long\n");
        return 0;
    }
    char fpath[4096] = "-";
    if (o->filter_path && !scenario_escape(o->filter_path, fpath, sizeof fpath)) {
        fprintf(stderr, "clgan: the --gan-filter path is too long\n");
        return 0;
    }
    int n = train_cli_subset_text(&o->run, out, cap);
    if (n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " oversample=%d gan_mode=%s gan_ratio=%.9g gan_sha256=%s gan=%s "
                      "test_percent=%d", o->oversample,
                      o->gan_mode >= 0 ? clgan_gan_augment_mode_name((clgan_gan_augment_mode)o->gan_mode) : "-",
                      o->gan_mode >= 0 ? o->gan_ratio : 0.0f, o->gan_mode >= 0 ? o->gan_sha : "-", path,
                      o->run.test_percent);
    if (o->filter_path && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " gan_filter_sha256=%s gan_filter=%s gan_min_confidence=%.9g "
                      "gan_filter_top=%.9g", o->filter_sha, fpath, o->filter_min_conf, o->filter_top);
    return n >= 0 && (size_t)n < cap;
}

/* The scenario part of a note (before " | <source>") into scen; 0 when it does not fit. */
static int note_scenario(const char *note, char *scen, size_t cap)
{
    const char *bar = strstr(note, " | ");
    size_t len = bar ? (size_t)(bar - note) : strlen(note);
    if (len >= cap) return 0;
    memcpy(scen, note, len);
    scen[len] = '\0';
    return 1;
}

/* The filter part of a note: 1 with none (*path ""), 1 with the filter's
 * settings, 0 when malformed. */
static int parse_filter(const char *note, char sha[65], char *path, size_t path_cap, float *min_conf, float *top)
{
    char scen[8192], tok[8192];
    if (!note_scenario(note, scen, sizeof scen)) return 0;
    const char *p = strstr(scen, " gan_filter_sha256=");
    sha[0] = '\0', path[0] = '\0';
    if (!p) return 1;
    if (sscanf(p, " gan_filter_sha256=%64s", sha) != 1 || strlen(sha) != 64) return 0;
    if (!(p = strstr(scen, " gan_filter=")) || sscanf(p, " gan_filter=%8191s", tok) != 1) return 0;
    if (!(p = strstr(scen, " gan_min_confidence=")) || sscanf(p, " gan_min_confidence=%f", min_conf) != 1) return 0;
    if (!(p = strstr(scen, " gan_filter_top=")) || sscanf(p, " gan_filter_top=%f", top) != 1) return 0;
    return scenario_unescape(tok, path, path_cap);
}

/* The augmentation part of a note (after "limit=N"); absent keys keep the
 * defaults (none). 0 when malformed. */
static int parse_augmentation(const char *note, int *oversample, int *mode, float *ratio, char sha[65], char *path,
                              size_t path_cap)
{
    char scen[8192], tok[8192];
    if (!note_scenario(note, scen, sizeof scen)) return 0;
    *oversample = 0, *mode = -1, *ratio = 0, sha[0] = '\0', path[0] = '\0';
    const char *p;
    if ((p = strstr(scen, " oversample=")) && sscanf(p, " oversample=%d", oversample) != 1) return 0;
    if ((p = strstr(scen, " gan_mode=")) && sscanf(p, " gan_mode=%15s", tok) == 1) {
        if (!strcmp(tok, "balance")) *mode = CLGAN_GAN_AUGMENT_BALANCE;
        else if (!strcmp(tok, "enlarge")) *mode = CLGAN_GAN_AUGMENT_ENLARGE;
        else if (strcmp(tok, "-")) return 0;
    }
    if (*mode < 0) return 1;
    if (!(p = strstr(scen, " gan_ratio=")) || sscanf(p, " gan_ratio=%f", ratio) != 1) return 0;
    if (!(p = strstr(scen, " gan_sha256=")) || sscanf(p, " gan_sha256=%64s", sha) != 1 || strlen(sha) != 64) return 0;
    if (!(p = strstr(scen, " gan=")) || sscanf(p, " gan=%8191s", tok) != 1) return 0;
    return scenario_unescape(tok, path, path_cap);
}

/* A checkpoint given on resume against the one the run recorded: 1 the
 * same file, -1 another (printed), -2 unreadable (printed). */
static int same_file(const char *flag, const char *given, const char *recorded, const char sha[65])
{
    char now[65];
    if (!scenario_file_sha256(flag, given, now)) return -2;
    if (!strcmp(now, sha)) return 1;
    fprintf(stderr, "clgan: %s %s is not the checkpoint the run being resumed was started with (%s, SHA-256 %s; this "
                    "file's is %s); start a new run in another --out\n", flag, given, recorded, sha, now);
    return -1;
}

/* 1: scenario taken from the note; 0: the note has none (an older run);
 * -1: it differs from the flags given, -2: the given --gan-augment file
 * cannot be read (both printed). */
static int scenario_from_note(const char *note, train_opts *o)
{
    int limit, got = train_cli_subset_from_note(note, &o->run, &limit);
    if (got <= 0) return got;
    int over, mode;
    float ratio;
    char sha[65];
    char fsha[65];
    float fconf = 0.5f, ftop = 0;
    if (!parse_augmentation(note, &over, &mode, &ratio, sha, o->gan_path_buf, sizeof o->gan_path_buf) ||
        !parse_filter(note, fsha, o->filter_path_buf, sizeof o->filter_path_buf, &fconf, &ftop)) {
        char esc[CLGAN_ESCAPE_CAP];
        fprintf(stderr, "clgan: the checkpoint's note has a malformed augmentation setting (%s)\n",
                clgan_escape_str(note, esc, sizeof esc));
        return -1;
    }
    const char *was = over ? "--oversample" : mode < 0 ? "no augmentation" : "--gan-augment";
    const char *what = NULL;
    if (o->set_oversample && !over) what = "--oversample";
    else if (o->gan_path && mode < 0) what = "--gan-augment";
    else if (o->set_gan_mode && o->gan_mode != mode) what = "--gan-mode";
    else if (o->set_gan_ratio && o->gan_ratio != ratio) what = "--gan-ratio";
    else if (o->filter_path && !fsha[0]) what = "--gan-filter";
    else if (o->set_filter_conf && (!fsha[0] || ftop > 0 || o->filter_min_conf != fconf)) what = "--gan-min-confidence";
    else if (o->set_filter_top && (!fsha[0] || o->filter_top != ftop)) what = "--gan-filter-top";
    if (what) {
        fprintf(stderr, "clgan: %s differs from the run being resumed (it was started with %s", what, was);
        if (mode >= 0)
            fprintf(stderr, " %s, --gan-mode %s --gan-ratio %g", o->gan_path_buf,
                    clgan_gan_augment_mode_name((clgan_gan_augment_mode)mode), ratio);
        if (fsha[0] && ftop > 0) fprintf(stderr, ", --gan-filter %s --gan-filter-top %g", o->filter_path_buf, ftop);
        else if (fsha[0]) fprintf(stderr, ", --gan-filter %s --gan-min-confidence %g", o->filter_path_buf, fconf);
        fprintf(stderr, "); leave it out or start a new run in another --out\n");
        return -1;
    }
    int same = 1; /* a new path for the same file is fine (it moved) */
    if (o->gan_path && mode >= 0) same = same_file("--gan-augment", o->gan_path, o->gan_path_buf, sha);
    if (same == 1 && o->filter_path && fsha[0]) same = same_file("--gan-filter", o->filter_path, o->filter_path_buf, fsha);
    if (same != 1) return same;
    if (o->run.limit && o->run.limit != limit) {
        fprintf(stderr, "clgan: --limit %d differs from the run being resumed (limit %d; 0 = all); leave it out or "
                        "start a new run in another --out\n", o->run.limit, limit);
        return -1;
    }
    o->run.limit = limit;
    o->oversample = over, o->gan_mode = mode, o->gan_ratio = ratio;
    if (mode >= 0) {
        memcpy(o->gan_sha, sha, sizeof o->gan_sha);
        if (!o->gan_path) o->gan_path = o->gan_path_buf;
    }
    if (fsha[0]) {
        memcpy(o->filter_sha, fsha, sizeof o->filter_sha);
        o->filter_min_conf = fconf, o->filter_top = ftop;
        if (!o->filter_path) o->filter_path = o->filter_path_buf;
    }
    return 1;
}

/* Both splits at the model's shape, the scenario applied to the training split. */
static int load_data(const train_opts *o, int size, int channels, clgan_dataset **train, clgan_dataset **test)
{
    clgan_dataset_options dopt = train_cli_data_options(&o->run, size, channels, o->seed);
    if (train_cli_open_splits(&dopt, o->run.data, train, test)) return 1;
    clgan_dataset_info a, b;
    clgan_dataset_get_info(*train, &a);
    clgan_dataset_get_info(*test, &b);
    if (a.classes < 2) {
        fprintf(stderr, "clgan: a classifier needs labelled data with at least 2 classes; %s has %d\n", a.source,
                a.classes);
        return 1;
    }
    if (b.classes != a.classes) {
        fprintf(stderr, "clgan: the training split has %d classes, the test split %d\n", a.classes, b.classes);
        return 1;
    }
    return scenario_apply(train, o->run.imb_class, o->run.imb_fraction, o->run.labels, o->seed);
}

/* v[0..K) separated by sep; v NULL prints K zeros. */
static void print_counts(FILE *f, const int *v, int K, const char *sep)
{
    for (int k = 0; k < K; k++) fprintf(f, "%s%d", k ? sep : "", v ? v[k] : 0);
}

/* The augmentation's per-class composition: real images, repeats, generated
 * ones, and the filter's candidates (tried). */
typedef struct aug_counts {
    int *real, *repeated, *generated, *tried;
} aug_counts;

/* --oversample: repeats of the real images filling `share` of every class's gap. */
static int oversample(const train_opts *o, double share, clgan_dataset **train, aug_counts *ac, int K)
{
    clgan_dataset *s;
    if (clgan_dataset_oversample_share(*train, share, o->seed, &s) != CLGAN_OK) return cli_fail("--oversample");
    clgan_dataset_class_counts(s, ac->repeated, NULL);
    for (int k = 0; k < K; k++) ac->repeated[k] -= ac->real[k];
    clgan_dataset_free(*train);
    *train = s;
    return 0;
}

/* --gan-augment (through --gan-filter's classifier when given) on *train. */
static int gan_augment(train_opts *o, clgan_ctx *ctx, clgan_dataset **train, aug_counts *ac, int K)
{
    char now[65];
    if (!scenario_file_sha256("--gan-augment", o->gan_path, now)) return 1;
    if (!o->gan_sha[0]) memcpy(o->gan_sha, now, sizeof now); /* a new run: remember which file */
    else if (strcmp(now, o->gan_sha)) {
        fprintf(stderr, "clgan: the GAN checkpoint %s has changed since this run started (SHA-256 then %s, now %s); "
                        "the generated images would differ: start a new run in another --out\n",
                o->gan_path, o->gan_sha, now);
        return 1;
    }
    if (o->filter_path) {
        if (!scenario_file_sha256("--gan-filter", o->filter_path, now)) return 1;
        if (!o->filter_sha[0]) memcpy(o->filter_sha, now, sizeof now);
        else if (strcmp(now, o->filter_sha)) {
            fprintf(stderr, "clgan: the --gan-filter checkpoint %s has changed since this run started (SHA-256 then %s, "
                            "now %s): start a new run in another --out\n", o->filter_path, o->filter_sha, now);
            return 1;
        }
    }
    /* A conditional GAN generates class k for label k: its classes must be the data's. */
    if (!run_check_note_class_names(o->gan_path, *train)) return 1;
    clgan_model *gan = NULL, *filter = NULL;
    char what[4200];
    snprintf(what, sizeof what, "--gan-augment %s", o->gan_path);
    if (clgan_model_load(ctx, o->gan_path, &gan, NULL, 0) != CLGAN_OK) return cli_fail(what);
    if (o->filter_path && clgan_model_load(ctx, o->filter_path, &filter, NULL, 0) != CLGAN_OK) {
        clgan_model_free(gan);
        snprintf(what, sizeof what, "--gan-filter %s", o->filter_path);
        return cli_fail(what);
    }
    clgan_dataset *s = NULL;
    clgan_status st;
    if (filter) {
        clgan_gan_filter f = clgan_gan_filter_default(filter);
        f.min_confidence = o->filter_min_conf, f.top_share = o->filter_top;
        st = clgan_model_augment_filtered(gan, *train, (clgan_gan_augment_mode)o->gan_mode, o->gan_ratio, o->seed, &f,
                                          &s, ac->generated, ac->tried);
    } else {
        st = clgan_model_augment(gan, *train, (clgan_gan_augment_mode)o->gan_mode, o->gan_ratio, o->seed, &s,
                                 ac->generated);
    }
    clgan_model_free(gan);
    clgan_model_free(filter);
    if (st != CLGAN_OK) return cli_fail(what);
    clgan_dataset_info in;
    clgan_dataset_get_info(*train, &in);
    char png[1200];
    snprintf(png, sizeof png, "%s/gan-augment.png", o->run.out);
    if (clgan_dist_rank() == 0 && clgan_gan_augment_png(png, s, in.count, 10) != CLGAN_OK) { /* rank 0 writes */
        clgan_dataset_free(s);
        return cli_fail("writing the augmentation grid");
    }
    clgan_dataset_free(*train);
    *train = s;
    if (filter) {
        fprintf(stderr, "clgan: --gan-filter: kept / generated per class:");
        for (int k = 0; k < K; k++)
            if (ac->tried[k])
                fprintf(stderr, " %d: %d/%d (%.1f%%)", k, ac->generated[k], ac->tried[k],
                        100.0 * ac->generated[k] / ac->tried[k]);
        fprintf(stderr, "\n");
    }
    return 0;
}

/* --oversample and/or --gan-augment: replace *train by the filled or
 * enlarged set (after the scenario), its per-class composition into ac, and
 * print it. Both with balance: repeats fill half of each class's gap to the
 * largest class, generated images the other half; with enlarge: oversampled,
 * then enlarged. Returns 0, or 1 after printing the reason. */
static int augment_data(train_opts *o, clgan_ctx *ctx, clgan_dataset **train, aug_counts *ac)
{
    clgan_dataset_info in;
    clgan_dataset_get_info(*train, &in);
    int K = in.classes, n_real = in.count;
    clgan_dataset_class_counts(*train, ac->real, NULL);
    for (int k = 0; k < K; k++) ac->repeated[k] = ac->generated[k] = ac->tried[k] = 0;
    int gan = o->gan_mode >= 0;
    double share = gan && o->gan_mode == CLGAN_GAN_AUGMENT_BALANCE ? 0.5 : 1.0;
    if (o->oversample && oversample(o, share, train, ac, K)) return 1;
    if (gan && gan_augment(o, ctx, train, ac, K)) return 1;
    clgan_dataset_get_info(*train, &in);
    fprintf(stderr, "clgan: training set: %d real", n_real);
    int repeated = 0, generated = 0;
    for (int k = 0; k < K; k++) repeated += ac->repeated[k], generated += ac->generated[k];
    if (o->oversample) fprintf(stderr, " + %d repeated (--oversample)", repeated);
    if (gan)
        fprintf(stderr, " + %d generated (--gan-augment, %s%s)", generated,
                o->gan_mode == CLGAN_GAN_AUGMENT_BALANCE ? "balance" : "enlarge", o->filter_path ? ", filtered" : "");
    if (o->oversample || gan) fprintf(stderr, " = %d", in.count);
    fprintf(stderr, " images; per class: real [");
    print_counts(stderr, ac->real, K, " ");
    if (o->oversample) {
        fprintf(stderr, "], repeated [");
        print_counts(stderr, ac->repeated, K, " ");
    }
    if (gan) {
        fprintf(stderr, "], generated [");
        print_counts(stderr, ac->generated, K, " ");
    }
    fprintf(stderr, "]\n");
    return 0;
}

/* The run's model and what its callbacks need. */
typedef struct clf_run {
    clgan_model *model;
    clgan_model_info info;
    train_cli tc;
    train_cli_eval ev;
} clf_run;

/* Accuracy on the test split, its confusion matrix kept for the report. */
static clgan_status clf_evaluate(void *user, const clgan_dataset *test, double *metric)
{
    clf_run *c = user;
    return train_cli_evaluate(&c->tc, &c->ev, test, metric);
}

static void clf_metrics(const clgan_step_stats *st, char *out, size_t cap)
{
    snprintf(out, cap, "loss %.4f acc %.3f lr %.2g", st->values[0], st->values[1], st->values[2]);
}

/* After each evaluation: the confusion heat map and the printed report. */
static clgan_status clf_on_evaluated(void *user, const clgan_train_progress *p)
{
    clf_run *c = user;
    return train_cli_report_eval(&c->tc, &c->ev, p);
}

/* --resume: the checkpoint's model (the device opened for it), its text
 * and settings against the flags given, the data scenario from its note. 0, or the exit code after
 * printing why. */
static int resume_model(train_opts *o, const char *ckpt_path, clgan_ctx **ctx, clf_run *cr)
{
    char note[8192] = "";
    int rc = train_cli_resume(&o->run, &o->set, 0, ckpt_path, ctx, note, sizeof note, &cr->model, &cr->info);
    if (rc) return rc;
    if (!cli_resume_arch_matches("--arch", o->given_text, clgan_model_arch_text(cr->model, "C"))) return 2;
    int got = scenario_from_note(note, o);
    if (got < 0) return got == -2 ? 1 : 2;
    if (!run_resume_test_percent(note, o->run.test_percent, &o->run.test_percent)) return 2;
    if (!got) fprintf(stderr, "clgan: warning: %s does not record its data scenario; using the options given\n", ckpt_path);
    if (o->decay_epochs > 0 && !cli_settings_given(&o->set, "lr_decay"))
        fprintf(stderr, "clgan: warning: --lr-decay-epochs is ignored when resuming; the run keeps the settings in "
                        "its checkpoint\n");
    return 0;
}

static int train_run(train_opts *opts);

int cmd_train_classifier(int argc, char **argv)
{
    train_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_text);
    return rc;
}

static int train_run(train_opts *o)
{
    int rc;
    char ckpt_path[1100], log_path[1100], conf_dir[1100], value[64];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", o->run.out);
    if (clgan_train_check_out(o->run.out, o->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if (o->arch && !cli_read_arch("--arch", o->arch, &o->given_text)) return 2;
    snprintf(log_path, sizeof log_path, "%s/log.csv", o->run.out);
    snprintf(conf_dir, sizeof conf_dir, "%s/confusion", o->run.out);
    int had_out = cli_is_dir(o->run.out);
    clgan_dataset *train = NULL, *test = NULL;
    clgan_ctx *ctx = NULL;
    clf_run cr;
    memset(&cr, 0, sizeof cr);
    aug_counts ac = {0};
    int exit_code = 1;
    /* The model's image shape decides how the data is loaded: a resumed
     * run's from its checkpoint, a new run's from its architecture; the
     * class count comes from the data. */
    int ch, h, w;
    const clgan_model_info *resumed = o->run.resume ? &cr.info : NULL;
    if ((resumed && (rc = resume_model(o, ckpt_path, &ctx, &cr))) ||
        (rc = train_cli_image_shape(resumed, &o->set, o->given_text, o->arch, "c", "the net", &ch, &h, &w))) {
        exit_code = rc;
        goto done;
    }
    o->seed = strtoull(cli_settings_value(&o->set, cr.model, "seed", value, sizeof value), NULL, 10);
    if (o->run.test_percent < 0) o->run.test_percent = 10;
    if (o->gan_mode >= 0 && !o->gan_path) { /* --gan-mode/--gan-ratio on resuming a run that recorded no GAN */
        fprintf(stderr, "clgan train-classifier: --gan-mode/--gan-ratio need --gan-augment CKPT\n");
        exit_code = 2;
        goto done;
    }
    if (!cli_make_dirs(o->run.out)) goto done; /* confusion/ comes with its first file */

    if (load_data(o, h, ch, &train, &test)) goto done;
    if (!train_cli_resumed_classes(resumed, ckpt_path, train)) goto done;
    clgan_dataset_info di, ti;
    clgan_dataset_get_info(train, &di);
    int K = di.classes;
    if (train_cli_start(&cr.tc, &o->run, &ctx)) goto done;
    ac.real = calloc((size_t)K, sizeof *ac.real);
    ac.repeated = calloc((size_t)K, sizeof *ac.repeated);
    ac.generated = calloc((size_t)K, sizeof *ac.generated);
    ac.tried = calloc((size_t)K, sizeof *ac.tried);
    if (!ac.real || !ac.repeated || !ac.generated || !ac.tried) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (augment_data(o, ctx, &train, &ac)) goto done;
    clgan_dataset_get_info(train, &di);
    clgan_dataset_get_info(test, &ti);
    int batch = atoi(cli_settings_value(&o->set, cr.model, "batch", value, sizeof value));
    if (!train_cli_fits_batch(train, batch, " (use a smaller --batch)")) goto done;
    int64_t per_epoch = di.count / batch; /* full batches only */
    if (!cr.model) {
        if (o->decay_epochs > 0) {
            int64_t steps = (int64_t)llround(o->decay_epochs * (double)per_epoch);
            snprintf(value, sizeof value, "%lld", (long long)(steps < 1 ? 1 : steps));
            if (!cli_settings_set(&o->set, "--lr-decay-epochs", "lr_decay_steps", value)) goto done;
        }
        clgan_model_params mp = {.arch = o->given_text, .classes = K};
        if (train_cli_create(ctx, &o->set, &mp, "classifier", &cr.model)) goto done;
        clgan_model_get_info(cr.model, &cr.info);
    }
    if (train_cli_name_classes(cr.model, train)) goto done;
    if (train_cli_eval_init(&cr.ev, cr.model, train, conf_dir)) goto done;
    char lr[64], width[64], optimizer[64], decay_steps[64], augment[64];
    cli_settings_value(&o->set, cr.model, "lr", lr, sizeof lr);
    cli_settings_value(&o->set, cr.model, "width", width, sizeof width);
    cli_settings_value(&o->set, cr.model, "optimizer", optimizer, sizeof optimizer);
    cli_settings_value(&o->set, cr.model, "lr_decay_steps", decay_steps, sizeof decay_steps);
    cli_settings_value(&o->set, cr.model, "augment", augment, sizeof augment);
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g", atof(lr));
    char note[8192], scen[6000];
    if (!scenario_text(o, scen, sizeof scen)) goto done;
    snprintf(note, sizeof note, "%s | %s", scen, di.source);

    clgan_train_params p = run_opts_train_params(&o->run);
    p.train = train;
    p.test = test;
    p.eval_every = p.checkpoint_every = o->eval_every; /* a checkpoint with each report */
    p.note = note;
    p.advice = advice;
    p.stat_columns = "loss,batch_accuracy,lr";
    p.evaluate = clf_evaluate;
    p.on_evaluated = clf_on_evaluated;
    int64_t total = o->run.steps ? o->run.steps : (int64_t)o->run.epochs * per_epoch;
    fprintf(stderr, "clgan: %s on %s | %s, width %s, batch %d, %s lr %g%s%s | %d training images (%s), %d test "
                    "images, %lld steps/epoch\n",
            o->run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, cr.info.arch, width,
            cr.info.batch, optimizer, atof(lr), strcmp(decay_steps, "0") ? " with step decay" : "",
            strcmp(augment, "0") ? ", augmented" : "", di.count, di.source, ti.count, (long long)per_epoch);
    fprintf(stderr, "clgan: %zu parameters; steps %lld -> %lld; output in %s\n", cr.info.params,
            (long long)cr.info.steps, (long long)total, o->run.out);

    train_cli_setup(&cr.tc, "train-classifier", o->run.json, clf_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run_model(&cr.tc, cr.model, &p, &r, &cr)) >= 0) {
        exit_code = rc;
        goto done;
    }
    double test_acc = r.metric;
    fprintf(stderr, "clgan: done: %lld steps in %.1f s; test accuracy %.2f%%%s%s; checkpoint %s\n",
            (long long)(r.step - r.start), r.seconds, 100 * test_acc, cr.ev.last_png[0] ? "; confusion " : "",
            cr.ev.last_png, ckpt_path);
    if (o->run.json) {
        cli_json_begin("train-classifier", "ok");
        printf(", \"model\": \"%s\", \"steps\": %lld, \"epochs\": %.3f, \"loss\": ", cr.info.arch,
               (long long)r.step, (double)r.step / per_epoch);
        report_json_number(stdout, r.stats.count ? r.stats.values[0] : NAN);
        printf(", \"test_accuracy\": ");
        report_json_number(stdout, test_acc);
        printf(", \"train_images\": %d, \"test_images\": %d, \"seconds\": %.3f, \"images_per_sec\": %.1f", di.count,
               ti.count, r.seconds, r.seconds > 0 ? (r.step - r.start) * (double)cr.info.batch / r.seconds : 0.0);
        const char *gan = o->gan_mode == CLGAN_GAN_AUGMENT_BALANCE   ? "gan-balance"
                          : o->gan_mode == CLGAN_GAN_AUGMENT_ENLARGE ? "gan-enlarge"
                                                                     : NULL;
        printf(", \"augmentation\": \"%s%s%s\", \"train_real_per_class\": [", o->oversample ? "oversample" : "",
               o->oversample && gan ? "+" : "", gan ? gan : o->oversample ? "" : "none");
        print_counts(stdout, ac.real, K, ", ");
        printf("], \"train_repeated_per_class\": [");
        print_counts(stdout, ac.repeated, K, ", ");
        printf("], \"train_generated_per_class\": [");
        print_counts(stdout, ac.generated, K, ", ");
        printf("]");
        if (o->filter_path) {
            printf(", \"gan_filter_tried_per_class\": [");
            print_counts(stdout, ac.tried, K, ", ");
            printf("]");
        }
        report_json_fields(stdout, K, (const char (*)[64])cr.ev.names, cr.ev.cm);
        train_cli_json_end(&cr.tc, ckpt_path, "confusion_png", cr.ev.last_png, log_path);
    }
    profile_run_report(&cr.tc.prof, ctx, o->run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) { /* no empty folders left behind by a failed run */
        cli_remove_empty_dir(conf_dir);
        if (!had_out) cli_remove_empty_dir(o->run.out);
    }
    train_cli_eval_free(&cr.ev);
    free(ac.real), free(ac.repeated), free(ac.generated), free(ac.tried);
    clgan_model_free(cr.model);
    clgan_ctx_free(ctx);
    clgan_dataset_free(train);
    clgan_dataset_free(test);
    return exit_code;
}
