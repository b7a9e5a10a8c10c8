/* cmd_train_detector.c — `clgan train-detector`: train the grid detector on
 * a YOLO folder's train split through the training driver, with a progress
 * bar; after each epoch mAP@0.5 and mAP@0.5:0.95 on its val (or test) split,
 * a PNG of the predictions on its first scenes, a CSV log and a checkpoint;
 * Ctrl-C / SIGTERM safe and resumable. */
#include "classifier_report.h"
#include "cli.h"
#include "cli_settings.h"
#include "detect_paste.h"
#include "detect_report.h"
#include "plot.h"
#include "train_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The class count comes from the data. */
static const char *const not_flags[] = {"classes", NULL};
static const unsigned run_flags = RUN_DATA | RUN_OUT | RUN_DEVICE | RUN_EPOCHS | RUN_STEPS | RUN_RESUME |
                                  RUN_KEEP_EVERY | RUN_KEEP_BEST | RUN_JSON | RUN_PROFILE;
#define SHOWN 16 /* validation scenes drawn after each evaluation */

typedef struct det_opts {
    run_opts run;
    cli_settings set;
    int eval_every;
    const char *arch;  /* --arch FILE */
    char *given_text;  /* its text */
    detect_paste paste;
    char resumed_note[8192]; /* the checkpoint's note on --resume */
} det_opts;

static void usage(FILE *f, const det_opts *o)
{
    fprintf(f, "usage: clgan train-detector --data DIR [options]\n\n"
               "Trains a single-stage grid detector (per cell: objectness, a box, class scores) on the train split\n"
               "of a YOLO folder (images/train + labels/train, names from classes.txt or data.yaml; clgan\n"
               "make-scenes writes one) and writes into --out:\n"
               "  predictions/epoch-NNNN.png  the first %d validation scenes: truth in white, detections coloured\n"
               "  log.csv                     step, epoch, loss, objects, dropped boxes, val mAP@0.5 (at epoch\n"
               "                              ends), images/s, seconds\n"
               "  checkpoint.ckpt             after each epoch and on Ctrl-C/SIGTERM (resume with --resume)\n"
               "After each epoch it prints mAP@0.5 and mAP@0.5:0.95 on the val split (or test/ without one).\n\n"
               "Run:\n", SHOWN);
    run_opts_help(f, run_flags, &o->run, NULL);
    cli_help_line(f, "--eval-every", "E", "evaluate, draw and checkpoint every E epochs and at the end (default 1)");
    fprintf(f, "Model (scenes are stretched to the model's square size; --resume refuses a different architecture\n"
               "or batch and ignores training settings):\n");
    cli_settings_help(f, CLGAN_MODEL_DETECTOR, not_flags);
    cli_help_line(f, "--arch", "FILE", "the net's architecture text instead of --model's (clgan models show det64 "
                                       "prints one to start from); it must end in a square grid of 5+K channels");
    detect_paste_help(f);
}

static int parse(int argc, char **argv, det_opts *o)
{
    memset(o, 0, sizeof *o);
    run_opts_init(&o->run);
    o->run.out = "runs/detector";
    o->run.epochs = 30;
    cli_settings_init(&o->set, CLGAN_MODEL_DETECTOR, not_flags);
    o->eval_every = 1;
    detect_paste_init(&o->paste);
    for (int i = 1; i < argc; i++) {
        int bad = 0, got;
        const char *v;
        if ((got = run_opts_flag(&o->run, run_flags, argc, argv, &i)) ||
            (got = cli_settings_flag(&o->set, argc, argv, &i)) || (got = detect_paste_flag(&o->paste, argc, argv, &i))) {
            if (got < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--arch", &bad))) o->arch = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--eval-every", &bad))) {
            if (!cli_parse_int("--eval-every", v, 1, 1000000000, &o->eval_every)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, o);
            return -1;
        } else {
            fprintf(stderr, "clgan train-detector: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!o->run.data) {
        fprintf(stderr, "clgan train-detector: --data is required (a YOLO folder; clgan make-scenes makes one)\n");
        return 2;
    }
    if (detect_paste_check(&o->paste)) return 2;
    return cli_settings_check(&o->set) ? 0 : 2;
}

/* The run: its model, its validation scenes and what its callbacks need. */
typedef struct det_run {
    clgan_model *model;
    clgan_model_info info;
    train_cli tc;
    float *val_images;        /* [n,C,H,W] of the val split */
    clgan_box *val_boxes;     /* all of theirs, scene by scene */
    int *val_start;           /* [n+1] */
    int val_n;
    clgan_map_result last;    /* the newest evaluation's (per_class owned by map) */
    clgan_map *map;
    char names[1024][64];     /* at most CLGAN_DETECTOR's classes shown by name */
    char pred_dir[1100], last_png[1200];
} det_run;

/* The val split's scenes with their boxes laid out as one array. */
static int load_val(det_run *dr, const clgan_detset *val)
{
    clgan_detset_info vi;
    clgan_detset_get_info(val, &vi);
    dr->val_n = vi.count;
    return detect_scenes_load(val, &dr->val_images, &dr->val_boxes, &dr->val_start);
}

/* mAP@0.5 over the validation scenes, the whole result kept for the report. */
static clgan_status det_evaluate(void *user, const clgan_dataset *test, double *metric)
{
    (void)test; /* the scenes with their boxes are dr->val_* */
    det_run *dr = user;
    clgan_map_free(dr->map);
    dr->map = NULL;
    TRY(clgan_map_create(dr->info.classes, &dr->map));
    TRY(clgan_model_evaluate_boxes(dr->model, dr->val_n, dr->val_images, dr->val_boxes, dr->val_start, dr->map));
    TRY(clgan_map_compute(dr->map, &dr->last));
    *metric = dr->last.map50;
    return CLGAN_OK;
}

static void det_metrics(const clgan_step_stats *st, char *out, size_t cap)
{
    snprintf(out, cap, "loss %.4f", st->values[0]);
}

/* The first SHOWN validation scenes with their detections (score >= 0.25, detect's default) as a PNG. */
static clgan_status draw_predictions(det_run *dr, const char *path)
{
    enum { CAP = 32 };
    int n = dr->val_n < SHOWN ? dr->val_n : SHOWN, counts[SHOWN];
    clgan_detection dets[SHOWN * CAP];
    TRY(clgan_model_detect(dr->model, n, dr->val_images, 0.25f, dets, CAP, counts));
    int scale = dr->info.width <= 64 ? 3 : 2;
    return clgan_png_detections(path, n, dr->info.channels, dr->info.height, dr->info.width, dr->val_images, 8, scale,
                                dets, CAP, counts, dr->val_boxes, dr->val_start,
                                (const char (*)[64])dr->names);
}

static clgan_status det_on_evaluated(void *user, const clgan_train_progress *p)
{
    det_run *dr = user;
    if (!cli_make_dirs(dr->pred_dir)) return clgan_fail(CLGAN_ERR_IO, "cannot make %s", dr->pred_dir);
    snprintf(dr->last_png, sizeof dr->last_png, "%s/epoch-%04d.png", dr->pred_dir, p->epoch);
    TRY(draw_predictions(dr, dr->last_png));
    progress_break(&dr->tc.prog);
    fprintf(stderr, "clgan: epoch %d: val mAP@0.5 %.4f, mAP@0.5:0.95 %.4f (%d scenes); predictions %s\n", p->epoch,
            dr->last.map50, dr->last.map, dr->val_n, dr->last_png);
    return CLGAN_OK;
}

static int train_run(det_opts *o);

int cmd_train_detector(int argc, char **argv)
{
    det_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    rc = train_run(&o);
    free(o.given_text);
    return rc;
}

/* --resume: the checkpoint's model, its text against --arch's, its data against --data. */
static int resume_model(det_opts *o, const char *ckpt_path, clgan_ctx **ctx, det_run *dr)
{
    int rc = train_cli_resume(&o->run, &o->set, 0, ckpt_path, ctx, o->resumed_note, sizeof o->resumed_note, &dr->model,
                              &dr->info);
    if (rc) return rc;
    return cli_resume_arch_matches("--arch", o->given_text, clgan_model_arch_text(dr->model, "C")) ? 0 : 2;
}

static int train_run(det_opts *o)
{
    int rc, exit_code = 1;
    char ckpt_path[1100], log_path[1100], value[64];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.ckpt", o->run.out);
    snprintf(log_path, sizeof log_path, "%s/log.csv", o->run.out);
    if (clgan_train_check_out(o->run.out, o->run.resume, stderr) != CLGAN_OK) return cli_fail(NULL);
    if (o->arch && !cli_read_arch("--arch", o->arch, &o->given_text)) return 2;
    int had_out = cli_is_dir(o->run.out);
    clgan_ctx *ctx = NULL;
    clgan_detset *train = NULL, *val = NULL;
    clgan_dataset *train_images = NULL, *val_images = NULL;
    det_run *dr = calloc(1, sizeof *dr);
    if (!dr) {
        fprintf(stderr, "clgan: out of host memory\n");
        return 1;
    }
    snprintf(dr->pred_dir, sizeof dr->pred_dir, "%s/predictions", o->run.out);
    int ch, h, w;
    const clgan_model_info *resumed = o->run.resume ? &dr->info : NULL;
    if ((resumed && (rc = resume_model(o, ckpt_path, &ctx, dr))) ||
        (rc = train_cli_image_shape(resumed, &o->set, o->given_text, o->arch, "c", "the detector", &ch, &h, &w))) {
        exit_code = rc;
        goto done;
    }
    int given_ch = atoi(cli_settings_value(&o->set, dr->model, "channels", value, sizeof value));
    if (!resumed && given_ch) ch = given_ch;
    if (clgan_detset_open(o->run.data, CLGAN_SPLIT_TRAIN, h, ch, &train) != CLGAN_OK ||
        clgan_detset_open(o->run.data, CLGAN_SPLIT_TEST, h, ch, &val) != CLGAN_OK) {
        cli_fail("cannot read the scenes");
        goto done;
    }
    if (resumed && !detect_classes_match(dr->model, ckpt_path, train)) goto done;
    char paste_note[2048], note[3400];
    if (detect_paste_on(&o->paste) && (rc = detect_paste_plan(&o->paste, train))) {
        exit_code = rc;
        goto done;
    }
    if (!detect_paste_note(&o->paste, paste_note, sizeof paste_note)) goto done;
    clgan_detset_info ti, vi;
    clgan_detset_get_info(train, &ti);
    snprintf(note, sizeof note, "%s | data=%s", paste_note, ti.source);
    if (resumed && !detect_paste_note_matches(o->resumed_note, note)) goto done;
    if (!cli_make_dirs(o->run.out)) goto done;
    if (train_cli_start(&dr->tc, &o->run, &ctx)) goto done;
    uint64_t seed = strtoull(cli_settings_value(&o->set, dr->model, "seed", value, sizeof value), NULL, 10);
    if (detect_paste_on(&o->paste) && detect_paste_apply(&o->paste, ctx, &train, o->run.out, seed, 0))
        goto done;
    if (clgan_detset_images(train, &train_images) != CLGAN_OK || clgan_detset_images(val, &val_images) != CLGAN_OK) {
        cli_fail(NULL);
        goto done;
    }
    clgan_detset_get_info(train, &ti);
    clgan_detset_get_info(val, &vi);
    int batch = atoi(cli_settings_value(&o->set, dr->model, "batch", value, sizeof value));
    if (ti.count < batch) {
        fprintf(stderr, "clgan: %s holds %d training scenes, fewer than a batch of %d (use a smaller --batch)\n",
                ti.source, ti.count, batch);
        goto done;
    }
    int64_t per_epoch = ti.count / batch;
    if (!dr->model) {
        clgan_model_params mp = {.kind = CLGAN_MODEL_DETECTOR, .arch = o->given_text, .classes = ti.classes};
        if (train_cli_create(ctx, &o->set, &mp, "detector", &dr->model)) goto done;
        for (int k = 0; k < ti.classes; k++)
            if (clgan_model_set_class_name(dr->model, k, clgan_detset_class_name(train, k)) != CLGAN_OK) {
                cli_fail(NULL);
                goto done;
            }
        clgan_model_get_info(dr->model, &dr->info);
    }
    for (int k = 0; k < dr->info.classes && k < 1024; k++)
        snprintf(dr->names[k], sizeof dr->names[k], "%s", clgan_model_class_name(dr->model, k));
    if (load_val(dr, val)) goto done;
    char lr[64], augment[64];
    cli_settings_value(&o->set, dr->model, "lr", lr, sizeof lr);
    cli_settings_value(&o->set, dr->model, "augment", augment, sizeof augment);
    char advice[200];
    snprintf(advice, sizeof advice, "try a new run (in another --out) with a lower --lr than this run's %g", atof(lr));

    clgan_train_params p = run_opts_train_params(&o->run);
    p.train = train_images;
    p.scenes = train;
    p.test = val_images;
    p.eval_every = p.checkpoint_every = o->eval_every;
    p.note = note;
    p.advice = advice;
    p.stat_columns = "loss,objects,dropped";
    p.metric_name = "val_map50";
    p.evaluate = det_evaluate;
    p.on_evaluated = det_on_evaluated;
    int64_t total = o->run.steps ? o->run.steps : (int64_t)o->run.epochs * per_epoch;
    fprintf(stderr, "clgan: %s on %s | %s %dx%dx%d, batch %d, Adam lr %g%s | %d training scenes (%lld boxes, %d "
                    "classes), %d val scenes, %lld steps/epoch\n",
            o->run.resume ? "resuming" : "training", clgan_ctx_device(ctx)->device_name, dr->info.arch,
            dr->info.channels, dr->info.height, dr->info.width, dr->info.batch, atof(lr),
            strcmp(augment, "0") ? ", shifted" : "", ti.count, (long long)ti.boxes, ti.classes, vi.count,
            (long long)per_epoch);
    fprintf(stderr, "clgan: %zu parameters; steps %lld -> %lld; output in %s\n", dr->info.params,
            (long long)dr->info.steps, (long long)total, o->run.out);

    train_cli_setup(&dr->tc, "train-detector", o->run.json, det_metrics);
    clgan_train_result r;
    if ((rc = train_cli_run_model(&dr->tc, dr->model, &p, &r, dr)) >= 0) {
        exit_code = rc;
        goto done;
    }
    fprintf(stderr, "clgan: done: %lld steps in %.1f s; val mAP@0.5 %.4f, mAP@0.5:0.95 %.4f; predictions %s; "
                    "checkpoint %s\n",
            (long long)(r.step - r.start), r.seconds, dr->last.map50, dr->last.map, dr->last_png, ckpt_path);
    if (!o->run.json) detect_report_print(stderr, &dr->last, (const char (*)[64])dr->names, "  ");
    if (o->run.json) {
        cli_json_begin("train-detector", "ok");
        printf(", \"model\": \"%s\", \"steps\": %lld, \"epochs\": %.3f, \"loss\": ", dr->info.arch, (long long)r.step,
               (double)r.step / per_epoch);
        report_json_number(stdout, r.stats.count ? r.stats.values[0] : NAN);
        printf(", \"val_map50\": ");
        report_json_number(stdout, dr->last.map50);
        printf(", \"val_map\": ");
        report_json_number(stdout, dr->last.map);
        printf(", \"val_ap50_per_class\": [");
        for (int k = 0; k < dr->last.classes; k++) {
            if (k) printf(", ");
            report_json_number(stdout, dr->last.per_class[k].ap50 < 0 ? NAN : dr->last.per_class[k].ap50);
        }
        printf("]");
        detect_paste_json(&o->paste, train);
        printf(", \"train_scenes\": %d, \"val_scenes\": %d, \"seconds\": %.3f, \"images_per_sec\": %.1f", ti.count,
               vi.count, r.seconds, r.seconds > 0 ? (r.step - r.start) * (double)dr->info.batch / r.seconds : 0.0);
        train_cli_json_end(&dr->tc, ckpt_path, "predictions_png", dr->last_png, log_path);
    }
    profile_run_report(&dr->tc.prof, ctx, o->run.json);
    exit_code = 0;
done:
    if (exit_code && exit_code < 128) {
        if (!had_out && o->paste.png[0]) remove(o->paste.png);
        cli_remove_empty_dir(dr->pred_dir);
        if (!had_out) cli_remove_empty_dir(o->run.out);
    }
    clgan_map_free(dr->map);
    free(dr->val_images);
    free(dr->val_start);
    free(dr->val_boxes);
    clgan_model_free(dr->model);
    free(dr);
    clgan_ctx_free(ctx);
    clgan_dataset_free(train_images);
    clgan_dataset_free(val_images);
    clgan_detset_free(train);
    clgan_detset_free(val);
    return exit_code;
}
