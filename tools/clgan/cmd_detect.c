/* cmd_detect.c — `clgan detect`, and `clgan eval` of a detector checkpoint
 * (detect_eval). detect finds objects in image files (PNG, JPEG and
 * the other formats stb_image reads) with a detector checkpoint
 * (train-detector). Each image is stretched to the model's square size, the
 * way a YOLO folder is read, so the boxes (normalised) are the original
 * image's; they are printed, drawn into a PNG per image, and on request
 * written as YOLO label files or one JSON object. */
#include "cli.h"
#include "detect_report.h"
#include "cli_settings.h"
#include "plot.h"

#include <stdlib.h>
#include <string.h>

#define CAP 100 /* detections kept per image at most */

typedef struct detect_opts {
    const char *ckpt, *device, *out;
    float min_score;
    int json, yolo, nfiles;
    const char **files;
} detect_opts;

static void usage(void)
{
    printf("usage: clgan detect --checkpoint FILE [--min-score S] [--out DIR] [--yolo] [--device SPEC] [--json]\n"
           "                    IMAGE...\n\n"
           "Finds objects in image files (PNG, JPEG, BMP, GIF, TGA, PNM) with a detector checkpoint (from\n"
           "train-detector). Each image is stretched to the model's square size and converted to its channels.\n"
           "Prints per image its detections, best first: class, name, score, the box as centre and size\n"
           "(fractions of the image) and as pixels of the original image; writes DIR/NAME.png (the image at\n"
           "the model's size, enlarged, with the boxes drawn).\n\n");
    cli_help_line(stdout, "--checkpoint", "FILE", "a train-detector checkpoint");
    cli_help_line(stdout, "--min-score", "S", "keep detections scoring at least S, 0..1 (default 0.25)");
    cli_help_line(stdout, "--out", "DIR", "where the PNGs (and --yolo's files) go (default detections)");
    cli_help_line(stdout, "--yolo", NULL, "also DIR/NAME.txt: a YOLO label line \"class cx cy w h\" per detection (the "
                                          "format train-detector reads)");
    cli_help_line(stdout, "--device", "SPEC", "OpenCL device (clgan devices lists them)");
    cli_help_line(stdout, "--json", NULL, "one JSON object: per image its detections, the PNG and label file; "
                                          "unreadable files under \"errors\"");
    printf("\nA file that cannot be read or decoded is reported with its reason and the others are still\n"
           "processed; the exit status is then 1.\n");
}

static int parse(int argc, char **argv, detect_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out = "detections";
    o->min_score = 0.25f;
    o->files = calloc((size_t)argc, sizeof *o->files);
    if (!o->files) return 1;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) o->ckpt = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) o->device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--out", &bad))) o->out = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--min-score", &bad))) {
            if (!cli_parse_float("--min-score", v, 0, 1, &o->min_score)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) o->json = 1;
        else if (!strcmp(argv[i], "--yolo")) o->yolo = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return -1;
        } else if (!strcmp(argv[i], "--")) {
            while (++i < argc) o->files[o->nfiles++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "clgan detect: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        } else o->files[o->nfiles++] = argv[i];
    }
    if (!o->ckpt || !o->nfiles) {
        fprintf(stderr, "clgan detect: --checkpoint and at least one image are required (see --help)\n");
        return 2;
    }
    return 0;
}

/* The file's name without folders and extension, into stem. */
static void file_stem(const char *path, char *stem, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(stem, cap, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem) *dot = '\0';
}

/* DIR/STEM.txt with a YOLO line per detection, through a temporary file. 0 after printing why. */
static int write_yolo(const char *path, const clgan_detection *d, int n)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "clgan: cannot write %s\n", tmp);
        return 0;
    }
    for (int i = 0; i < n; i++)
        fprintf(f, "%d %.6f %.6f %.6f %.6f\n", d[i].box.cls, d[i].box.cx, d[i].box.cy, d[i].box.w, d[i].box.h);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "clgan: cannot write %s\n", path);
        remove(tmp);
        return 0;
    }
    return 1;
}

typedef struct named_file {
    char stem[256];
    const char *path;
} named_file;

static int cmp_stem(const void *a, const void *b)
{
    return strcmp(((const named_file *)a)->stem, ((const named_file *)b)->stem);
}

/* 1 when no two input files share a stem (they would write the same DIR/STEM.png); otherwise prints the
 * first two and returns 0. */
static int stems_unique(const detect_opts *o)
{
    named_file *v = malloc((size_t)(o->nfiles ? o->nfiles : 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "clgan: out of host memory\n");
        return 0;
    }
    for (int f = 0; f < o->nfiles; f++) {
        file_stem(o->files[f], v[f].stem, sizeof v[f].stem);
        v[f].path = o->files[f];
    }
    qsort(v, (size_t)o->nfiles, sizeof *v, cmp_stem);
    int ok = 1;
    for (int f = 1; f < o->nfiles && ok; f++)
        if (!strcmp(v[f - 1].stem, v[f].stem)) {
            fprintf(stderr, "clgan detect: %s and %s would both write %s/%s.png: give images with different names "
                            "(or run detect once per folder with its own --out)\n", v[f - 1].path, v[f].path, o->out,
                    v[f].stem);
            ok = 0;
        }
    free(v);
    return ok;
}

static int run(detect_opts *o)
{
    if (!stems_unique(o)) return 2;
    clgan_ctx *ctx = NULL;
    clgan_model *m = NULL;
    clgan_model_info info;
    float *x = NULL;
    clgan_detection *dets = NULL;
    int exit_code = 1, failed = 0, first_json = 1;
    char (*names)[64] = NULL;
    if (cli_open_ctx(o->device, 0, &ctx)) return 1;
    if (clgan_model_load(ctx, o->ckpt, &m, NULL, 0) != CLGAN_OK || clgan_model_get_info(m, &info) != CLGAN_OK) {
        cli_fail("cannot load the detector");
        goto done;
    }
    if (info.kind != CLGAN_MODEL_DETECTOR) {
        fprintf(stderr, "clgan: %s holds a %s model, not a detector (train-detector writes one)\n", o->ckpt,
                clgan_model_kind_name(info.kind));
        goto done;
    }
    if (!cli_make_dirs(o->out)) goto done;
    size_t img = (size_t)info.channels * info.height * info.width;
    x = malloc(sizeof *x * img);
    dets = malloc(sizeof *dets * CAP);
    names = calloc((size_t)info.classes, sizeof *names);
    if (!x || !dets || !names) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    for (int k = 0; k < info.classes; k++) snprintf(names[k], sizeof names[k], "%s", clgan_model_class_name(m, k));
    if (o->json) {
        cli_json_begin("detect", "ok");
        printf(", \"checkpoint\": ");
        cli_json_string(stdout, o->ckpt);
        printf(", \"min_score\": %.9g, \"images\": [", o->min_score);
    }
    for (int f = 0; f < o->nfiles; f++) {
        const char *path = o->files[f];
        int ow = 0, oh = 0, n = 0;
        if (clgan_image_read_file_stretched(path, info.channels, info.height, x, &ow, &oh) != CLGAN_OK) {
            fprintf(stderr, "clgan: %s\n", clgan_last_error());
            failed++;
            continue;
        }
        if (clgan_model_detect(m, 1, x, o->min_score, dets, CAP, &n) != CLGAN_OK) {
            cli_fail("detection failed");
            goto done;
        }
        char stem[256], png[1200], txt[1200];
        file_stem(path, stem, sizeof stem);
        snprintf(png, sizeof png, "%s/%s.png", o->out, stem);
        snprintf(txt, sizeof txt, "%s/%s.txt", o->out, stem);
        int scale = info.width <= 128 ? 4 : 2;
        if (clgan_png_detections(png, 1, info.channels, info.height, info.width, x, 1, scale, dets, CAP, &n, NULL,
                                 NULL, (const char (*)[64])names) != CLGAN_OK) {
            cli_fail(NULL);
            goto done;
        }
        if (o->yolo && !write_yolo(txt, dets, n)) goto done;
        if (!o->json) printf("%s: %d object%s (%s)\n", path, n, n == 1 ? "" : "s", png);
        else {
            printf("%s{\"file\": ", first_json ? "" : ", ");
            first_json = 0;
            cli_json_string(stdout, path);
            printf(", \"width\": %d, \"height\": %d, \"png\": ", ow, oh);
            cli_json_string(stdout, png);
            if (o->yolo) {
                printf(", \"labels\": ");
                cli_json_string(stdout, txt);
            }
            printf(", \"detections\": [");
        }
        for (int i = 0; i < n; i++) {
            const clgan_box *b = &dets[i].box;
            double x0 = (b->cx - b->w / 2) * ow, x1 = (b->cx + b->w / 2) * ow;
            double y0 = (b->cy - b->h / 2) * oh, y1 = (b->cy + b->h / 2) * oh;
            if (!o->json)
                printf("  %d %-12s %.3f  box %.4f %.4f %.4f %.4f  pixels %.0f,%.0f-%.0f,%.0f\n", b->cls, names[b->cls],
                       dets[i].score, b->cx, b->cy, b->w, b->h, x0, y0, x1, y1);
            else {
                printf("%s{\"class\": %d, \"name\": ", i ? ", " : "", b->cls);
                cli_json_string(stdout, names[b->cls]);
                printf(", \"score\": %.6f, \"cx\": %.6f, \"cy\": %.6f, \"w\": %.6f, \"h\": %.6f, \"pixels\": [%.1f, "
                       "%.1f, %.1f, %.1f]}",
                       dets[i].score, b->cx, b->cy, b->w, b->h, x0, y0, x1, y1);
            }
        }
        if (o->json) printf("]}");
    }
    if (o->json) printf("], \"errors\": %d}\n", failed);
    exit_code = failed ? 1 : 0;
done:
    free(names);
    free(dets);
    free(x);
    clgan_model_free(m);
    clgan_ctx_free(ctx);
    return exit_code;
}

int cmd_detect(int argc, char **argv)
{
    detect_opts o;
    int rc = parse(argc, argv, &o);
    if (!rc) rc = run(&o);
    free(o.files);
    return rc < 0 ? 0 : rc;
}

int detect_eval(const char *ckpt, const char *data, int split, const char *device, const char *pr_png, int json)
{
    clgan_ctx *ctx = NULL;
    clgan_model *m = NULL;
    clgan_detset *ds = NULL;
    clgan_map *map = NULL;
    float *x = NULL;
    clgan_box *boxes = NULL;
    int *start = NULL, rc = 1;
    char (*names)[64] = NULL;
    const char *split_name = split == CLGAN_SPLIT_TEST ? "val" : "train";
    clgan_model_info info;
    clgan_detset_info di;
    if (cli_open_ctx(device, 0, &ctx)) return 1;
    if (clgan_model_load(ctx, ckpt, &m, NULL, 0) != CLGAN_OK || clgan_model_get_info(m, &info) != CLGAN_OK) {
        cli_fail("cannot load the detector");
        goto done;
    }
    if (clgan_detset_open(data, (clgan_dataset_split)split, info.height, info.channels, &ds) != CLGAN_OK ||
        clgan_detset_get_info(ds, &di) != CLGAN_OK) {
        cli_fail("cannot load --data");
        goto done;
    }
    if (!detect_classes_match(m, ckpt, ds)) goto done;
    names = calloc((size_t)info.classes, sizeof *names);
    if (!names) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (detect_scenes_load(ds, &x, &boxes, &start)) goto done;
    for (int k = 0; k < info.classes; k++) snprintf(names[k], sizeof names[k], "%s", clgan_model_class_name(m, k));
    clgan_map_result r;
    if (clgan_map_create(info.classes, &map) != CLGAN_OK ||
        clgan_model_evaluate_boxes(m, di.count, x, boxes, start, map) != CLGAN_OK || clgan_map_compute(map, &r) != CLGAN_OK) {
        cli_fail("evaluating");
        goto done;
    }
    if (pr_png) {
        char title[128];
        snprintf(title, sizeof title, "%s split: mAP@0.5 %.3f", split_name, r.map50);
        if (detect_report_pr_chart(pr_png, &r, (const char (*)[64])names, title) != CLGAN_OK) {
            cli_fail(NULL);
            goto done;
        }
    }
    if (json) {
        cli_json_begin("eval", "ok");
        printf(", \"checkpoint\": ");
        cli_json_string(stdout, ckpt);
        printf(", \"kind\": \"clgan-detector\", \"split\": \"%s\", \"model\": \"%s\", \"step\": %lld, \"images\": %d, "
               "\"boxes\": %lld, \"map50\": %.6f, \"map75\": %.6f, \"map\": %.6f, \"per_class\": [",
               split_name, info.arch, (long long)info.steps, di.count, (long long)di.boxes, r.map50, r.map_at[5], r.map);
        for (int k = 0; k < r.classes; k++) {
            const clgan_map_class *c = &r.per_class[k];
            printf("%s{\"class\": %d, \"name\": ", k ? ", " : "", k);
            cli_json_string(stdout, names[k]);
            printf(", \"boxes\": %lld, \"predictions\": %lld", (long long)c->truths, (long long)c->predictions);
            if (c->truths > 0) printf(", \"ap50\": %.6f, \"ap\": %.6f}", c->ap50, c->ap);
            else printf(", \"ap50\": null, \"ap\": null}");
        }
        printf("]");
        if (pr_png) {
            printf(", \"pr_png\": ");
            cli_json_string(stdout, pr_png);
        }
        printf("}\n");
    } else {
        printf("%s, %s split: %d scenes, %lld boxes\n", di.source, split_name, di.count, (long long)di.boxes);
        detect_report_print(stdout, &r, (const char (*)[64])names, "");
        if (pr_png) printf("precision-recall curves: %s\n", pr_png);
    }
    rc = 0;
done:
    clgan_map_free(map);
    free(names), free(x), free(boxes), free(start);
    clgan_detset_free(ds);
    clgan_model_free(m);
    clgan_ctx_free(ctx);
    return rc;
}
