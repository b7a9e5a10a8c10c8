/* cmd_make_scenes.c — `clgan make-scenes`: a YOLO-format detection folder
 * made from a classification dataset (clgan_make_scenes, clgan/detection.h):
 * option parsing, a progress bar, and a summary line or --json object. */
#include "cli.h"
#include "progress.h"
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

static void print_help(void)
{
    printf("usage: clgan make-scenes --objects DATA --out DIR --n N --max-objects K [--size S] [--min-objects M]\n"
           "                         [--scale MIN,MAX] [--max-overlap IOU] [--clutter C] [--ink T] [--channels 1|3]\n"
           "                         [--split train|test] [--objects-split train|test] [--imbalance C:F] [--seed SEED]\n"
           "                         [--json]\n\n"
           "Makes N detection scenes of S x S pixels (default 64) from the images of a classification dataset\n"
           "DATA (an IDX folder such as MNIST, CIFAR-10, an image folder, or 'synthetic') and writes them as a\n"
           "YOLO folder: DIR/images/SPLIT/scene-000000.png, DIR/labels/SPLIT/scene-000000.txt (one line\n"
           "'class cx cy w h' per object, normalised) and DIR/classes.txt with the dataset's class names.\n\n"
           "Each scene is black and gets M (default 1) to K objects: random images of DATA, each scaled to a\n"
           "square of side MIN..MAX of the canvas (default 0.3,0.5: 19..32 pixels for 28 x 28 digits on 64)\n"
           "at a random place inside the canvas, pasted by keeping the brighter value of canvas and object\n"
           "per pixel (light digits on a dark background). Only an object's ink is pasted: its pixels\n"
           "brighter than T (--ink, default 0) in some channel; its box is the tight box of that ink. A\n"
           "place whose box overlaps an earlier box by more than IOU (intersection over union, default 0.1)\n"
           "is drawn again, up to 50 times, then the object is left out (counted as dropped). --clutter C\n"
           "adds C unboxed fragments per scene (a quarter to a half of a scaled image) where they meet no\n"
           "box. Images with a lit background need a higher --ink (the synthetic shapes: --ink 64).\n\n"
           "  --split            the folder the scenes go to (default train); the reader takes test for val\n"
           "  --objects-split    the split of DATA the objects come from (default: the same as --split, so\n"
           "                     test scenes hold test images only)\n"
           "  --channels         1 grey or 3 RGB (default: DATA's)\n"
           "  --imbalance C:F    keep only a share F of class C's images as objects (the subset train-gan and\n"
           "                     train-classifier --imbalance C:F --seed SEED use), so class C is rare\n"
           "  --seed             scene i depends only on SEED and i (default 1): the same seed, the same files\n"
           "  --json             print one JSON object on stdout: scenes, objects, dropped, clutter, objects per\n"
           "                     class, the folder\n"
           "DIR/images/SPLIT and DIR/labels/SPLIT must be empty or absent.\n");
}

/* "train" or "test" for `flag`; 0 after printing the error. */
static int parse_split(const char *flag, const char *v, clgan_dataset_split *out)
{
    if (!strcmp(v, "train")) *out = CLGAN_SPLIT_TRAIN;
    else if (!strcmp(v, "test")) *out = CLGAN_SPLIT_TEST;
    else {
        fprintf(stderr, "clgan: %s expects train or test, got '%s'\n", flag, v);
        return 0;
    }
    return 1;
}

/* "MIN,MAX" with 0 < MIN <= MAX <= 1; 0 after printing the error. */
static int parse_scale(const char *v, double *lo, double *hi)
{
    const char *comma = strchr(v, ',');
    char first[64];
    if (!comma || (size_t)(comma - v) >= sizeof first) {
        fprintf(stderr, "clgan: --scale expects MIN,MAX (fractions of the canvas side, e.g. 0.3,0.5), got '%s'\n", v);
        return 0;
    }
    memcpy(first, v, (size_t)(comma - v));
    first[comma - v] = '\0';
    float a, b;
    if (!cli_parse_float("--scale MIN", first, 0.001, 1, &a) ||
        !cli_parse_float("--scale MAX", comma + 1, 0.001, 1, &b))
        return 0;
    if (a > b) {
        fprintf(stderr, "clgan: --scale %s: MIN is above MAX\n", v);
        return 0;
    }
    *lo = a, *hi = b;
    return 1;
}

typedef struct scene_progress {
    progress bar;
    int on;
} scene_progress;

static void on_scene(void *user, int done, int count)
{
    scene_progress *p = user;
    if (p->on) progress_update(&p->bar, 1, done, count, 1, "scenes");
}

int cmd_make_scenes(int argc, char **argv)
{
    const char *objects = NULL, *out = NULL;
    clgan_scene_options o = clgan_scene_default_options();
    int json = 0, have_objects_split = 0, imb_class = -1;
    float imb_fraction = 1;
    clgan_dataset_split objects_split = CLGAN_SPLIT_TRAIN;
    for (int i = 1; i < argc; i++) {
        int bad = 0, ok = 1;
        const char *v;
        float f;
        if ((v = cli_flag_value(argc, argv, &i, "--objects", &bad))) objects = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--out", &bad))) out = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--n", &bad)))
            ok = cli_parse_int("--n", v, 1, 10000000, &o.count);
        else if ((v = cli_flag_value(argc, argv, &i, "--size", &bad)))
            ok = cli_parse_int("--size", v, 8, 4096, &o.size);
        else if ((v = cli_flag_value(argc, argv, &i, "--max-objects", &bad)))
            ok = cli_parse_int("--max-objects", v, 1, 1000, &o.max_objects);
        else if ((v = cli_flag_value(argc, argv, &i, "--min-objects", &bad)))
            ok = cli_parse_int("--min-objects", v, 0, 1000, &o.min_objects);
        else if ((v = cli_flag_value(argc, argv, &i, "--channels", &bad))) {
            ok = cli_parse_int("--channels", v, 1, 3, &o.channels);
            if (ok && o.channels == 2) {
                fprintf(stderr, "clgan: --channels expects 1 (grey) or 3 (RGB), got '%s'\n", v);
                ok = 0;
            }
        } else if ((v = cli_flag_value(argc, argv, &i, "--scale", &bad)))
            ok = parse_scale(v, &o.scale_min, &o.scale_max);
        else if ((v = cli_flag_value(argc, argv, &i, "--max-overlap", &bad))) {
            if ((ok = cli_parse_float("--max-overlap", v, 0, 1, &f))) o.max_overlap = f;
        } else if ((v = cli_flag_value(argc, argv, &i, "--clutter", &bad)))
            ok = cli_parse_int("--clutter", v, 0, 1000, &o.clutter);
        else if ((v = cli_flag_value(argc, argv, &i, "--ink", &bad)))
            ok = cli_parse_int("--ink", v, 0, 254, &o.ink_threshold);
        else if ((v = cli_flag_value(argc, argv, &i, "--split", &bad))) ok = parse_split("--split", v, &o.split);
        else if ((v = cli_flag_value(argc, argv, &i, "--objects-split", &bad))) {
            ok = parse_split("--objects-split", v, &objects_split);
            have_objects_split = 1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--imbalance", &bad)))
            ok = scenario_parse_imbalance(v, &imb_class, &imb_fraction);
        else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) ok = cli_parse_u64("--seed", v, &o.seed);
        else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help();
            return 0;
        } else {
            fprintf(stderr, "clgan make-scenes: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (!ok) return 2;
    }
    if (!objects || !out || !o.count) {
        fprintf(stderr, "clgan make-scenes: --objects, --out and --n are required (see --help)\n");
        return 2;
    }
    if (o.min_objects > o.max_objects) {
        fprintf(stderr, "clgan make-scenes: --min-objects %d is above --max-objects %d\n", o.min_objects,
                o.max_objects);
        return 2;
    }
    if (!have_objects_split) objects_split = o.split;

    clgan_dataset *d;
    if (clgan_dataset_open(objects, objects_split, NULL, &d) != CLGAN_OK) return cli_fail(NULL);
    if (imb_class >= 0 && scenario_apply(&d, imb_class, imb_fraction, 0, o.seed)) {
        clgan_dataset_free(d);
        return 1;
    }
    clgan_dataset_info info;
    clgan_dataset_get_info(d, &info);
    int64_t *per_class = calloc(info.classes > 0 ? (size_t)info.classes : 1, sizeof *per_class);
    if (!per_class) {
        clgan_dataset_free(d);
        fprintf(stderr, "clgan: out of host memory\n");
        return 1;
    }
    scene_progress p;
    memset(&p, 0, sizeof p);
    p.on = !json;
    if (p.on) {
        fprintf(stderr, "clgan: objects from %s\n", info.source);
        progress_begin(&p.bar, 1, o.count, 0, o.count);
    }
    clgan_scene_summary sum;
    clgan_status st = clgan_make_scenes(d, &o, out, on_scene, &p, &sum, per_class);
    if (p.on) progress_break(&p.bar);
    int rc = 0;
    if (st != CLGAN_OK) {
        rc = cli_fail(NULL);
    } else if (json) {
        cli_json_begin("make-scenes", "ok");
        printf(", \"scenes\": %d, \"objects\": %lld, \"dropped\": %lld, \"clutter\": %lld, \"per_class\": {",
               sum.scenes, (long long)sum.objects, (long long)sum.dropped, (long long)sum.clutter);
        for (int k = 0; k < info.classes; k++) {
            printf("%s", k ? ", " : "");
            cli_json_string(stdout, clgan_dataset_class_name(d, k));
            printf(": %lld", (long long)per_class[k]);
        }
        printf("}, \"split\": \"%s\", \"out\": ", o.split == CLGAN_SPLIT_TEST ? "test" : "train");
        cli_json_string(stdout, out);
        printf("}\n");
    } else {
        fprintf(stderr, "clgan: %d scenes with %lld objects (%lld left out for want of room) written to %s "
                        "(images/%s, labels/%s, classes.txt)\n", sum.scenes, (long long)sum.objects,
                (long long)sum.dropped, out, o.split == CLGAN_SPLIT_TEST ? "test" : "train",
                o.split == CLGAN_SPLIT_TEST ? "test" : "train");
    }
    free(per_class);
    clgan_dataset_free(d);
    return rc;
}
