/* cmd_eval.c — `clgan eval`: a classifier checkpoint (train-classifier,
 * train-ssl or train-dfeatures) on a dataset split: accuracy, per-class
 * recall and precision, the confusion matrix (printed, optionally as a
 * heat-map PNG), --json; a detector checkpoint (train-detector) on a YOLO
 * folder's split: mAP, per-class AP, a precision-recall PNG (cmd_detect.c). */
#include "checkpoint_classifier.h"
#include "classifier_report.h"
#include "cli.h"
#include "progress.h"
#include "run_dir.h"

#include <stdlib.h>
#include <string.h>

static clgan_status eval_checkpoint(void *m, const clgan_dataset *d, int64_t *confusion)
{
    return ckpt_classifier_evaluate(m, d, confusion);
}

int cmd_eval(int argc, char **argv)
{
    const char *ckpt = NULL, *data = NULL, *device = NULL, *png = NULL, *pr_png = NULL;
    int split = CLGAN_SPLIT_TEST, json = 0, limit = 0, test_percent = -1, skip_unreadable = 0, set_seed = 0;
    uint64_t seed = 0;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) ckpt = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--data", &bad))) data = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--confusion-png", &bad))) png = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--pr-png", &bad))) pr_png = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--limit", &bad))) {
            if (!cli_parse_int("--limit", v, 1, 2000000000, &limit)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--test-percent", &bad))) {
            if (!cli_parse_int("--test-percent", v, 0, 90, &test_percent)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &seed)) return 2;
            set_seed = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--split", &bad))) {
            if (!strcmp(v, "test")) split = CLGAN_SPLIT_TEST;
            else if (!strcmp(v, "train")) split = CLGAN_SPLIT_TRAIN;
            else {
                fprintf(stderr, "clgan: --split is 'test' or 'train', got '%s'\n", v);
                return 2;
            }
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--skip-unreadable")) skip_unreadable = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan eval --checkpoint FILE --data SPEC [--split test|train] [--confusion-png FILE]\n"
                   "                  [--limit N] [--test-percent P] [--seed S] [--skip-unreadable] [--device SPEC]\n"
                   "                  [--json]\n"
                   "       clgan eval --checkpoint DETECTOR --data YOLO-DIR [--split test|train] [--pr-png FILE]\n"
                   "                  [--device SPEC] [--json]\n\n"
                   "A detector checkpoint (from train-detector) is evaluated on the val (or test) or train split of\n"
                   "a YOLO folder: mAP@0.5, mAP@0.75 and mAP@0.5:0.95 (COCO-style 101-point interpolation) and\n"
                   "per-class AP, printed or as --json; --pr-png draws the precision-recall curves at IoU 0.5.\n\n"
                   "Evaluates a classifier checkpoint (from train-classifier, train-ssl or train-dfeatures) on a\n"
                   "split of a dataset (default: test; images are resized and converted to the model's shape):\n"
                   "accuracy, per-class recall and precision and the confusion matrix (rows: true class,\n"
                   "columns: predicted), printed; --confusion-png also draws it as a heat map; --json prints the\n"
                   "same numbers as one JSON object on stdout (an error, too, is one object there).\n"
                   "The data's classes must have the checkpoint's names (an image folder: its class sub-folders).\n\n"
                   "An image folder without train/ and test/ sub-folders is split by a hash of each file's path and\n"
                   "the training seed: P%% of its images (0..90) are the test split, the rest the training split.\n"
                   "P is the share the checkpoint's run used (train-classifier and train-ssl record it; 10 for older\n"
                   "checkpoints and train-dfeatures heads) unless --test-percent gives another, and the seed is the\n"
                   "checkpoint's unless --seed gives another. --skip-unreadable skips files of such a folder that\n"
                   "cannot be decoded, saying how many.\n");
            return 0;
        } else {
            fprintf(stderr, "clgan eval: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ckpt || !data) {
        fprintf(stderr, "clgan eval: --checkpoint and --data are required (see --help)\n");
        return 2;
    }
    char kind_text[32];
    clgan_model_kind kind;
    if (clgan_checkpoint_kind(ckpt, kind_text, sizeof kind_text, &kind) != CLGAN_OK) return cli_fail(NULL);
    if (kind == CLGAN_MODEL_DETECTOR) {
        if (png || limit || test_percent >= 0 || set_seed || skip_unreadable) {
            fprintf(stderr, "clgan eval: --confusion-png, --limit, --test-percent, --seed and --skip-unreadable are "
                            "for classifiers; %s is a detector\n", ckpt);
            return 2;
        }
        return detect_eval(ckpt, data, split, device, pr_png, json);
    }
    if (pr_png) {
        fprintf(stderr, "clgan eval: --pr-png is for detector checkpoints; %s is a '%s' checkpoint\n", ckpt, kind_text);
        return 2;
    }
    ckpt_classifier m = {0};
    clgan_ctx *ctx = NULL;
    if (cli_open_ctx(device, 0, &ctx) || !ckpt_classifier_load(ctx, ckpt, &m)) {
        ckpt_classifier_free(&m);
        clgan_ctx_free(ctx);
        return 1;
    }
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = m.h;
    dopt.channels = m.c;
    dopt.seed = set_seed ? seed : m.seed;
    dopt.limit = limit;
    dopt.skip_unreadable = skip_unreadable;
    /* The test share the training run used, so that the test split is the one it held out. */
    char *note = run_ckpt_note(ckpt);
    int recorded = 10;
    if (!note || !run_note_int(note, "test_percent", &recorded) || recorded < 0 || recorded > 90) recorded = 10;
    free(note);
    if (test_percent >= 0 && test_percent != recorded)
        fprintf(stderr, "clgan: warning: the run that made %s used --test-percent %d; with %d the %s split of an image "
                        "folder holds other images\n", ckpt, recorded, test_percent,
                split == CLGAN_SPLIT_TEST ? "test" : "train");
    dopt.test_percent = run_test_percent_option(test_percent >= 0 ? test_percent : recorded);
    clgan_dataset *d = NULL;
    clgan_dataset_info info;
    if (clgan_dataset_open(data, (clgan_dataset_split)split, &dopt, &d) != CLGAN_OK ||
        clgan_dataset_get_info(d, &info) != CLGAN_OK) {
        ckpt_classifier_free(&m);
        clgan_ctx_free(ctx);
        clgan_dataset_free(d);
        return cli_fail("cannot load --data");
    }
    int64_t *cm = NULL;
    char (*names)[64] = NULL;
    int rc = 1, K = m.classes;
    run_report_skipped(split == CLGAN_SPLIT_TEST ? "test" : "train", d);
    if (!run_check_ckpt_class_names(ckpt, d)) goto done;
    if (info.classes != K) {
        fprintf(stderr, "clgan: the checkpoint has %d classes, %s has %d\n", K, info.source, info.classes);
        goto done;
    }
    cm = calloc((size_t)K * K, sizeof *cm);
    if (!cm) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (!(names = ckpt_classifier_class_names(&m))) goto done;
    char what[300];
    snprintf(what, sizeof what, "evaluating the %s split:", split == CLGAN_SPLIT_TEST ? "test" : "train");
    if (progress_evaluate(NULL, what, eval_checkpoint, &m, d, m.batch, K, cm) != CLGAN_OK) {
        cli_fail("evaluating");
        goto done;
    }
    if (png) {
        char title[96];
        snprintf(title, sizeof title, "%s split: accuracy %.2f%%", split == CLGAN_SPLIT_TEST ? "test" : "train",
                 100 * clgan_accuracy(cm, K));
        if (!report_heatmap(png, K, (const char (*)[64])names, cm, title)) goto done;
    }
    if (json) {
        cli_json_begin("eval", "ok");
        printf(", \"checkpoint\": ");
        cli_json_string(stdout, ckpt);
        printf(", \"kind\": \"%s\", \"split\": \"%s\", \"model\": \"%s\", \"step\": %lld", m.kind,
               split == CLGAN_SPLIT_TEST ? "test" : "train", m.model, (long long)m.steps);
        report_json_fields(stdout, K, (const char (*)[64])names, cm);
        if (png) {
            printf(", \"confusion_png\": ");
            cli_json_string(stdout, png);
        }
        printf("}\n");
    } else {
        printf("%s, %s split: %d images\n", info.source, split == CLGAN_SPLIT_TEST ? "test" : "train", info.count);
        report_print(stdout, K, (const char (*)[64])names, cm, "");
        if (png) printf("confusion heat map: %s\n", png);
    }
    rc = 0;
done:
    free(cm);
    free(names);
    ckpt_classifier_free(&m);
    clgan_ctx_free(ctx);
    clgan_dataset_free(d);
    return rc;
}
