/* detect_paste.c — train-detector's pasted training scenes: --copy-paste
 * (objects cut from the training scenes' boxes) and --gan-augment CKPT
 * (objects a conditional GAN makes), how many of each class, the report,
 * OUT/pasted.png and the note text (see detect_paste.h). */
#include "detect_paste.h"
#include "cli.h"
#include "cli_settings.h"
#include "plot.h"
#include "run_dir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN 16          /* pasted scenes drawn in pasted.png */
#define GAN_INK 24        /* default ink threshold for a GAN's objects: its black is not exactly 0 */

void detect_paste_init(detect_paste *p)
{
    memset(p, 0, sizeof *p);
    p->mode = -1;
    p->max_objects = 4;
    p->ink = -1;
}

void detect_paste_help(FILE *f)
{
    fprintf(f, "Pasted scenes (more training scenes: objects pasted onto black canvases of the scenes' size, each\n"
               "object once, 1..K per scene, each scaled to the size of a random real box; see the README):\n");
    cli_help_line(f, "--copy-paste", "", "the objects are cut from the training scenes' own boxes");
    cli_help_line(f, "--gan-augment", "CKPT", "the objects are made by this conditional GAN (train-gan "
                                              "--conditional on object images with the scenes' classes)");
    cli_help_line(f, "--paste-mode", "M", "enlarge (default): R x the real objects, in equal shares per class; "
                                          "balance: every class filled up to the largest, plus R x the real "
                                          "objects in equal shares");
    cli_help_line(f, "--paste-ratio", "R", "see --paste-mode (default 1 with enlarge, 0 with balance)");
    cli_help_line(f, "--paste-classes", "LIST", "only these classes get pasted objects (names or indices, "
                                                "comma-separated; default all)");
    cli_help_line(f, "--paste-objects", "K", "objects per pasted scene at most (default 4)");
    cli_help_line(f, "--paste-ink", "T", "an object's ink is brighter than T (0..254); only ink is pasted and "
                                         "boxed (default 0 with --copy-paste, 24 with --gan-augment)");
}

int detect_paste_flag(detect_paste *p, int argc, char **argv, int *i)
{
    int bad = 0;
    const char *v;
    if (!strcmp(argv[*i], "--copy-paste")) {
        p->copy = 1;
        return 1;
    }
    if ((v = cli_flag_value(argc, argv, i, "--gan-augment", &bad))) p->gan_path = v;
    else if ((v = cli_flag_value(argc, argv, i, "--paste-mode", &bad))) {
        if (!strcmp(v, "balance")) p->mode = CLGAN_GAN_AUGMENT_BALANCE;
        else if (!strcmp(v, "enlarge")) p->mode = CLGAN_GAN_AUGMENT_ENLARGE;
        else {
            fprintf(stderr, "clgan: --paste-mode expects balance or enlarge, got '%s'\n", v);
            return -1;
        }
    } else if ((v = cli_flag_value(argc, argv, i, "--paste-ratio", &bad))) {
        if (!cli_parse_float("--paste-ratio", v, 0, 1000, &p->ratio)) return -1;
        p->set_ratio = 1;
    } else if ((v = cli_flag_value(argc, argv, i, "--paste-classes", &bad))) p->classes_text = v;
    else if ((v = cli_flag_value(argc, argv, i, "--paste-objects", &bad))) {
        if (!cli_parse_int("--paste-objects", v, 1, 1000, &p->max_objects)) return -1;
        p->set_objects = 1;
    } else if ((v = cli_flag_value(argc, argv, i, "--paste-ink", &bad))) {
        if (!cli_parse_int("--paste-ink", v, 0, 254, &p->ink)) return -1;
    } else return bad ? -1 : 0;
    return 1;
}

int detect_paste_on(const detect_paste *p) { return p->copy || p->gan_path; }

int detect_paste_check(detect_paste *p)
{
    if (p->copy && p->gan_path) {
        fprintf(stderr, "clgan train-detector: --copy-paste and --gan-augment each make the pasted objects: "
                        "choose one\n");
        return 2;
    }
    if (!detect_paste_on(p) && (p->mode >= 0 || p->set_ratio || p->classes_text || p->set_objects || p->ink >= 0)) {
        fprintf(stderr, "clgan train-detector: the --paste-* options need --copy-paste or --gan-augment CKPT\n");
        return 2;
    }
    if (p->mode < 0) p->mode = CLGAN_GAN_AUGMENT_ENLARGE;
    if (!p->set_ratio) p->ratio = p->mode == CLGAN_GAN_AUGMENT_ENLARGE ? 1.0f : 0.0f;
    if (p->mode == CLGAN_GAN_AUGMENT_ENLARGE && p->ratio <= 0) {
        fprintf(stderr, "clgan train-detector: --paste-mode enlarge needs --paste-ratio R > 0\n");
        return 2;
    }
    if (p->ink < 0) p->ink = p->gan_path ? GAN_INK : 0;
    return 0;
}

int detect_paste_note(detect_paste *p, char *out, size_t cap)
{
    if (!detect_paste_on(p)) {
        snprintf(out, cap, "paste=none");
        return 1;
    }
    if (p->gan_path && clgan_sha256_file(p->gan_path, p->gan_sha) != CLGAN_OK) {
        char what[1100];
        snprintf(what, sizeof what, "--gan-augment %s", p->gan_path);
        cli_fail(what);
        return 0;
    }
    int n = snprintf(out, cap, "paste=%s%s%s mode=%s ratio=%.9g classes=%s objects=%d ink=%d", p->copy ? "copy" : "gan",
                     p->gan_path ? " gan_sha256=" : "", p->gan_path ? p->gan_sha : "",
                     clgan_gan_augment_mode_name((clgan_gan_augment_mode)p->mode), p->ratio, p->classes_used,
                     p->max_objects, p->ink);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "clgan: --paste-classes names too many classes for the checkpoint's note\n");
        return 0;
    }
    return 1;
}

/* note's paste part (before " | ", "paste=none" when it has none) into out; returns its data part. */
static const char *split_note(const char *note, char *out, size_t cap)
{
    const char *bar = strstr(note, " | ");
    size_t len = bar ? (size_t)(bar - note) : strlen(note);
    snprintf(out, cap, "paste=none");
    if (!strncmp(note, "paste=", 6)) {
        snprintf(out, cap, "%.*s", (int)len, note);
        return bar ? bar + 3 : "";
    }
    return note; /* an older note: "data=SOURCE" alone */
}

int detect_paste_note_matches(const char *note, const char *want)
{
    char had[2048], asked[2048];
    const char *had_data = split_note(note, had, sizeof had), *want_data = split_note(want, asked, sizeof asked);
    if (strcmp(had, asked)) {
        fprintf(stderr, "clgan: the run was trained with pasted scenes '%s', this command asks for '%s': give the "
                        "same --copy-paste / --gan-augment / --paste-* options (and the same GAN file) to resume it\n",
                had, asked);
        return 0;
    }
    if (strcmp(asked, "paste=none") && strcmp(had_data, want_data)) {
        fprintf(stderr, "clgan: the run pasted objects cut from or sized by '%s', this command's scenes are '%s': "
                        "the pasted scenes would differ, so it cannot resume on them\n", had_data, want_data);
        return 0;
    }
    return 1;
}

/* chosen[k] = 1 for the classes of p->classes_text (names or indices of ds), all when NULL. 0 after printing. */
static int chosen_classes(const detect_paste *p, const clgan_detset *ds, int K, int *chosen)
{
    for (int k = 0; k < K; k++) chosen[k] = !p->classes_text;
    if (!p->classes_text) return 1;
    if (strlen(p->classes_text) >= 1024) {
        fprintf(stderr, "clgan: --paste-classes is longer than 1023 characters\n");
        return 0;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", p->classes_text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int k = -1;
        for (int j = 0; j < K && k < 0; j++)
            if (!strcmp(tok, clgan_detset_class_name(ds, j))) k = j;
        char *end;
        long v = strtol(tok, &end, 10);
        if (k < 0 && *tok && !*end && v >= 0 && v < K) k = (int)v;
        if (k < 0) {
            fprintf(stderr, "clgan: --paste-classes: '%s' is neither a class name nor an index 0..%d of the scenes\n",
                    tok, K - 1);
            return 0;
        }
        chosen[k] = 1;
    }
    return 1;
}

/* The GAN's objects: gen[k] of class k; its run's class names (from its note) must be the crops'. 0 after
 * printing. */
static int gan_objects(const detect_paste *p, clgan_ctx *ctx, const clgan_dataset *crops, int K, const int *gen,
                       uint64_t seed, clgan_dataset **pool)
{
    char what[1100];
    snprintf(what, sizeof what, "--gan-augment %s", p->gan_path);
    clgan_model *gan = NULL;
    if (!run_check_note_class_names(p->gan_path, crops)) return 0;
    if (clgan_model_load(ctx, p->gan_path, &gan, NULL, 0) != CLGAN_OK) return !cli_fail(what);
    clgan_model_info gi;
    clgan_model_get_info(gan, &gi);
    int ok = 1;
    if (gi.kind != CLGAN_MODEL_GAN || gi.classes != K) {
        fprintf(stderr, "clgan: %s: the objects need a conditional GAN of the scenes' %d classes; it is %s with %d "
                        "classes\n", what, K, clgan_model_kind_name(gi.kind), gi.classes);
        ok = 0;
    }
    if (ok && clgan_model_generate(gan, gen, seed, pool) != CLGAN_OK) ok = !cli_fail(what);
    clgan_model_free(gan);
    return ok;
}

/* OUT/pasted.png: the first SHOWN pasted scenes (from index first) with their boxes. */
static clgan_status draw_pasted(const char *path, const clgan_detset *ds, int first)
{
    clgan_detset_info info;
    TRY(clgan_detset_get_info(ds, &info));
    int n = info.count - first < SHOWN ? info.count - first : SHOWN, start[SHOWN + 1] = {0}, counts[SHOWN] = {0};
    if (n < 1) return CLGAN_OK;
    size_t img = (size_t)info.channels * info.height * info.width;
    float *images = malloc((size_t)n * img * sizeof *images);
    clgan_box *boxes = NULL;
    clgan_status st = images ? clgan_detset_read(ds, first, n, images) : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of "
                                                                                                             "host memory");
    for (int i = 0; st == CLGAN_OK && i < n; i++) {
        const clgan_box *b;
        int nb;
        if ((st = clgan_detset_boxes(ds, first + i, &b, &nb)) != CLGAN_OK) break;
        clgan_box *grown = realloc(boxes, (size_t)(start[i] + nb + 1) * sizeof *grown);
        if (!grown) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
            break;
        }
        boxes = grown;
        if (nb) memcpy(boxes + start[i], b, (size_t)nb * sizeof *b);
        start[i + 1] = start[i] + nb;
    }
    clgan_detection none;
    if (st == CLGAN_OK)
        st = clgan_png_detections(path, n, info.channels, info.height, info.width, images, 8,
                                  info.width <= 64 ? 3 : 2, &none, 1, counts, boxes, start, NULL);
    free(images);
    free(boxes);
    return st;
}

int detect_paste_plan(detect_paste *p, const clgan_detset *train)
{
    clgan_detset_info ti;
    clgan_detset_get_info(train, &ti);
    int K = ti.classes, chosen[DETECT_PASTE_MAX_CLASSES], total = 0;
    if (K > DETECT_PASTE_MAX_CLASSES) {
        fprintf(stderr, "clgan: pasting supports up to %d classes; the scenes have %d\n", DETECT_PASTE_MAX_CLASSES, K);
        return 2;
    }
    if (!chosen_classes(p, train, K, chosen)) return 2;
    snprintf(p->classes_used, sizeof p->classes_used, "all");
    for (int k = 0, n = 0, at = 0; p->classes_text && k < K && at < (int)sizeof p->classes_used - 8; k++)
        if (chosen[k]) at += snprintf(p->classes_used + at, sizeof p->classes_used - (size_t)at, "%s%d", n++ ? "," : "", k);
    clgan_dataset *crops = NULL;
    if (clgan_detset_crops(train, 1, &crops) != CLGAN_OK || /* side 1: only the class counts matter here */
        clgan_gan_augment_plan(crops, (clgan_gan_augment_mode)p->mode, p->ratio, p->gen) != CLGAN_OK) {
        clgan_dataset_free(crops);
        cli_fail("planning the pasted objects");
        return 2;
    }
    clgan_dataset_free(crops);
    for (int k = 0; k < K; k++) total += p->gen[k] = chosen[k] ? p->gen[k] : 0;
    if (!total) {
        fprintf(stderr, "clgan: --paste-mode %s --paste-ratio %g asks for no object of the chosen classes (they are "
                        "already the largest)\n", clgan_gan_augment_mode_name((clgan_gan_augment_mode)p->mode),
                p->ratio);
        return 2;
    }
    return 0;
}

int detect_paste_apply(detect_paste *p, clgan_ctx *ctx, clgan_detset **train, const char *out_dir, uint64_t seed,
                       int quiet)
{
    clgan_detset_info ti;
    clgan_detset_get_info(*train, &ti);
    int K = ti.classes, *gen = p->gen;
    clgan_dataset *crops = NULL, *pool = NULL;
    clgan_detset *more = NULL;
    int rc = 1;
    /* the crops: the objects themselves for copy-paste; for a GAN, only their class names matter */
    if (clgan_detset_crops(*train, p->copy ? 0 : 1, &crops) != CLGAN_OK) {
        cli_fail("cutting the objects out of the scenes");
        goto done;
    }
    if (p->copy) {
        if (clgan_dataset_repeat_classes(crops, gen, seed, &pool) != CLGAN_OK) {
            cli_fail("--copy-paste");
            goto done;
        }
    } else if (!gan_objects(p, ctx, crops, K, gen, seed, &pool)) {
        goto done;
    }
    clgan_paste_options po = clgan_paste_default_options();
    po.max_objects = p->max_objects, po.ink_threshold = p->ink, po.seed = seed;
    if (clgan_detset_paste(*train, pool, 0, &po, &more, &p->sum, p->per_class) != CLGAN_OK) {
        cli_fail("pasting scenes");
        goto done;
    }
    p->classes = K;
    snprintf(p->png, sizeof p->png, "%s/pasted.png", out_dir);
    if (draw_pasted(p->png, more, ti.count) != CLGAN_OK) {
        cli_fail("drawing the pasted scenes");
        goto done;
    }
    if (!quiet) {
        fprintf(stderr, "clgan: +%d pasted scenes with %lld objects (%lld left out for want of room or ink), made by "
                        "%s%s; per class:", p->sum.scenes, (long long)p->sum.objects, (long long)p->sum.dropped,
                p->copy ? "copy-paste of the training boxes" : "the conditional GAN ", p->copy ? "" : p->gan_path);
        for (int k = 0; k < K; k++)
            if (gen[k]) fprintf(stderr, " %s %lld", clgan_detset_class_name(*train, k), (long long)p->per_class[k]);
        fprintf(stderr, "; %s\n", p->png);
    }
    clgan_detset_free(*train);
    *train = more;
    more = NULL;
    rc = 0;
done:
    clgan_dataset_free(crops);
    clgan_dataset_free(pool);
    clgan_detset_free(more);
    return rc;
}

void detect_paste_json(const detect_paste *p, const clgan_detset *train)
{
    if (!detect_paste_on(p)) return;
    printf(", \"pasted\": {\"objects_from\": ");
    cli_json_string(stdout, p->copy ? "copy-paste" : p->gan_path);
    printf(", \"scenes\": %d, \"objects\": %lld, \"dropped\": %lld, \"per_class\": {", p->sum.scenes,
           (long long)p->sum.objects, (long long)p->sum.dropped);
    for (int k = 0; k < p->classes; k++) {
        printf("%s", k ? ", " : "");
        cli_json_string(stdout, clgan_detset_class_name(train, k));
        printf(": %lld", (long long)p->per_class[k]);
    }
    printf("}, \"png\": ");
    cli_json_string(stdout, p->png);
    printf("}");
}
