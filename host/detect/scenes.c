/* scenes.c — detection scenes from a classification dataset: objects (its
 * images, scaled) pasted onto blank canvases at random places with little
 * overlap, each with the tight box of its ink, plus optional unboxed
 * clutter, written as a YOLO folder (clgan make-scenes). The rules are in
 * clgan/detection.h.
 */
#include "detect/detset.h"
#include "data/dataset.h"
#include "device/context.h"
#include "nn/init.h"
#include "core/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Placements tried for one object (or clutter fragment), and images drawn
 * for one object when the drawn ones have no ink at their scale. */
#define PLACEMENT_TRIES 50
#define IMAGE_TRIES 50
/* A clutter fragment is this share of its scaled image's side. */
#define CLUTTER_MIN 0.25
#define CLUTTER_MAX 0.5

clgan_scene_options clgan_scene_default_options(void)
{
    clgan_scene_options o;
    memset(&o, 0, sizeof o);
    o.size = 64;
    o.min_objects = 1, o.max_objects = 4;
    o.scale_min = 0.3, o.scale_max = 0.5;
    o.max_overlap = 0.1;
    o.split = CLGAN_SPLIT_TRAIN;
    o.seed = 1;
    return o;
}

/* A box in canvas pixels: columns x0..x1-1, rows y0..y1-1. */
typedef struct pixel_box {
    int x0, y0, x1, y1;
} pixel_box;

static double box_iou(pixel_box a, pixel_box b)
{
    int w = (a.x1 < b.x1 ? a.x1 : b.x1) - (a.x0 > b.x0 ? a.x0 : b.x0);
    int h = (a.y1 < b.y1 ? a.y1 : b.y1) - (a.y0 > b.y0 ? a.y0 : b.y0);
    if (w <= 0 || h <= 0) return 0;
    double inter = (double)w * h;
    double area_a = (double)(a.x1 - a.x0) * (a.y1 - a.y0), area_b = (double)(b.x1 - b.x0) * (b.y1 - b.y0);
    return inter / (area_a + area_b - inter);
}

static int boxes_meet(pixel_box a, pixel_box b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

/* What one scene is built in. */
typedef struct scene_work {
    const clgan_dataset *d;
    const clgan_scene_options *opt;
    int c, size;              /* canvas channels and side */
    int *labelled;            /* indices of the images with a label */
    int n_labelled;
    uint8_t *canvas;          /* [c][size][size] */
    uint8_t *converted;       /* [c][d->h][d->w] */
    uint8_t *object;          /* [c][oh][ow], ow, oh <= size */
    int ow, oh, cls;          /* the scaled object's size and class */
    pixel_box ink;            /* its ink's tight box, in its own pixels (empty when x1 == 0) */
    pixel_box *boxes;         /* [max_objects] placed boxes */
    clgan_box *labels;        /* [max_objects] */
} scene_work;

/* w's buffers for canvases of side `size` and c channels made from d's images under opt; 0 when out of memory
 * (work_end frees what was made). */
static int work_begin(scene_work *w, const clgan_dataset *d, const clgan_scene_options *opt, int size, int c)
{
    memset(w, 0, sizeof *w);
    w->d = d, w->opt = opt, w->size = size, w->c = c;
    size_t canvas_bytes = (size_t)c * size * size;
    w->canvas = malloc(canvas_bytes);
    w->converted = malloc((size_t)c * d->h * d->w);
    w->object = malloc(canvas_bytes);
    w->boxes = malloc((size_t)opt->max_objects * sizeof *w->boxes);
    w->labels = malloc((size_t)opt->max_objects * sizeof *w->labels);
    return w->canvas && w->converted && w->object && w->boxes && w->labels;
}

static void work_end(scene_work *w)
{
    free(w->labelled);
    free(w->canvas);
    free(w->converted);
    free(w->object);
    free(w->boxes);
    free(w->labels);
}

static int uniform_int(clgan_rng *rng, int lo, int hi) /* [lo, hi] */
{
    return lo + (int)(clgan_rng_next(rng) % (uint64_t)(hi - lo + 1));
}

/* 1 when pixel k of w->object ([c][oh*ow]) is ink: brighter than the threshold in some channel. */
static int is_ink(const scene_work *w, size_t k)
{
    size_t plane = (size_t)w->ow * w->oh;
    for (int ch = 0; ch < w->c; ch++)
        if (w->object[(size_t)ch * plane + k] > w->opt->ink_threshold) return 1;
    return 0;
}

static void find_ink(scene_work *w);

/* Draw an image and a scale: w->object [c][oh][ow] (the longer side
 * round(f * size)), its class and its ink's box (x1 == 0: no ink). */
static void draw_object(scene_work *w, clgan_rng *rng)
{
    const clgan_dataset *d = w->d;
    int idx = w->labelled[uniform_int(rng, 0, w->n_labelled - 1)];
    double f = w->opt->scale_min + (w->opt->scale_max - w->opt->scale_min) * clgan_rng_uniform(rng);
    int side = (int)lround(f * w->size);
    if (side < 1) side = 1;
    if (side > w->size) side = w->size;
    int longer = d->h > d->w ? d->h : d->w;
    w->ow = (int)lround((double)side * d->w / longer), w->oh = (int)lround((double)side * d->h / longer);
    if (w->ow < 1) w->ow = 1;
    if (w->oh < 1) w->oh = 1;
    w->cls = d->labels[idx];
    clgan_convert_channels(d->pixels + (size_t)idx * clgan_dataset_image_bytes(d), d->c, w->converted, w->c,
                           (size_t)d->h * d->w);
    clgan_resize_stretch(w->converted, w->c, d->h, d->w, w->object, w->oh, w->ow);
    find_ink(w);
}

/* w->ink: the tight box of w->object's ink (x1 == 0: no ink). */
static void find_ink(scene_work *w)
{
    pixel_box b = {w->ow, w->oh, 0, 0};
    for (int y = 0; y < w->oh; y++)
        for (int x = 0; x < w->ow; x++)
            if (is_ink(w, (size_t)y * w->ow + x)) {
                if (x < b.x0) b.x0 = x;
                if (y < b.y0) b.y0 = y;
                if (x + 1 > b.x1) b.x1 = x + 1;
                if (y + 1 > b.y1) b.y1 = y + 1;
            }
    w->ink = b;
}

/* Paste the ink of w->object's rectangle `part` (its own pixels) with its
 * corner at canvas (px, py): canvas = max(canvas, object) per channel. */
static void paste(scene_work *w, pixel_box part, int px, int py)
{
    size_t plane = (size_t)w->ow * w->oh, canvas_plane = (size_t)w->size * w->size;
    for (int y = part.y0; y < part.y1; y++)
        for (int x = part.x0; x < part.x1; x++) {
            size_t k = (size_t)y * w->ow + x;
            if (!is_ink(w, k)) continue;
            size_t at = (size_t)(py + y - part.y0) * w->size + (size_t)(px + x - part.x0);
            for (int ch = 0; ch < w->c; ch++) {
                uint8_t v = w->object[(size_t)ch * plane + k], *dst = &w->canvas[(size_t)ch * canvas_plane + at];
                if (v > *dst) *dst = v;
            }
        }
}

/* One object placed (1) or dropped (0); its box appended to w->boxes[*n]. */
static int place_drawn(scene_work *w, clgan_rng *rng, int *n);

static int place_object(scene_work *w, clgan_rng *rng, int *n)
{
    for (int t = 0; t < IMAGE_TRIES && (t == 0 || !w->ink.x1); t++) draw_object(w, rng);
    return w->ink.x1 && place_drawn(w, rng, n);
}

/* The drawn w->object placed where its ink box overlaps no earlier box by
 * more than max_overlap (1, box appended to w->boxes[*n]), or no room (0). */
static int place_drawn(scene_work *w, clgan_rng *rng, int *n)
{
    pixel_box whole = {0, 0, w->ow, w->oh};
    for (int t = 0; t < PLACEMENT_TRIES; t++) {
        int px = uniform_int(rng, 0, w->size - w->ow), py = uniform_int(rng, 0, w->size - w->oh);
        pixel_box b = {px + w->ink.x0, py + w->ink.y0, px + w->ink.x1, py + w->ink.y1};
        int ok = 1;
        for (int k = 0; k < *n && ok; k++) ok = box_iou(b, w->boxes[k]) <= w->opt->max_overlap;
        if (!ok) continue;
        paste(w, whole, px, py);
        double s = w->size;
        w->labels[*n] = (clgan_box){w->cls, (float)((b.x0 + b.x1) / (2 * s)), (float)((b.y0 + b.y1) / (2 * s)),
                                    (float)((b.x1 - b.x0) / s), (float)((b.y1 - b.y0) / s)};
        w->boxes[(*n)++] = b;
        return 1;
    }
    return 0;
}

/* One clutter fragment pasted (1) where it meets no box, or left out (0). */
static int place_clutter(scene_work *w, clgan_rng *rng, int n_boxes)
{
    draw_object(w, rng);
    double g = CLUTTER_MIN + (CLUTTER_MAX - CLUTTER_MIN) * clgan_rng_uniform(rng);
    int cw = (int)lround(g * w->ow), ch = (int)lround(g * w->oh);
    if (cw < 1) cw = 1;
    if (ch < 1) ch = 1;
    int cx = uniform_int(rng, 0, w->ow - cw), cy = uniform_int(rng, 0, w->oh - ch);
    pixel_box part = {cx, cy, cx + cw, cy + ch};
    for (int t = 0; t < PLACEMENT_TRIES; t++) {
        int px = uniform_int(rng, 0, w->size - cw), py = uniform_int(rng, 0, w->size - ch);
        pixel_box at = {px, py, px + cw, py + ch};
        int ok = 1;
        for (int k = 0; k < n_boxes && ok; k++) ok = !boxes_meet(at, w->boxes[k]);
        if (!ok) continue;
        paste(w, part, px, py);
        return 1;
    }
    return 0;
}

static clgan_status check_options(const clgan_dataset *d, const clgan_scene_options *o, const char *out_dir)
{
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: the objects dataset is NULL");
    if (!o) return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: options are NULL");
    if (!out_dir || !*out_dir) return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: empty output folder");
    if (strlen(out_dir) > CLGAN_SPEC_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: output folder longer than %d characters",
                          CLGAN_SPEC_MAX);
    if (d->classes < 1 || d->n < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: %s has %s: objects need images with class labels",
                          d->source, d->n < 1 ? "no images" : "no classes");
    if (o->count < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: count %d (at least 1 scene)", o->count);
    if (o->size < 8 || o->size > 4096)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: size %d out of range (8..4096)", o->size);
    if (o->channels != 0 && o->channels != 1 && o->channels != 3)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: channels must be 1, 3 or 0, not %d", o->channels);
    if (o->min_objects < 0 || o->max_objects < 1 || o->min_objects > o->max_objects || o->max_objects > 1000)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "make_scenes: objects %d..%d per scene (0 <= min <= max, 1 <= max <= 1000)",
                          o->min_objects, o->max_objects);
    if (!(o->scale_min > 0) || !(o->scale_max <= 1) || !(o->scale_min <= o->scale_max))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: scale %g..%g (0 < min <= max <= 1)", o->scale_min,
                          o->scale_max);
    if (!(o->max_overlap >= 0 && o->max_overlap <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: max_overlap %g out of range [0, 1]", o->max_overlap);
    if (o->clutter < 0 || o->clutter > 1000)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: clutter %d out of range (0..1000)", o->clutter);
    if (o->ink_threshold < 0 || o->ink_threshold > 254)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: ink threshold %d out of range (0..254)",
                          o->ink_threshold);
    if (o->split != CLGAN_SPLIT_TRAIN && o->split != CLGAN_SPLIT_TEST)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: split %d is neither TRAIN nor TEST", (int)o->split);
    return CLGAN_OK;
}

/* OUT/images/SPLIT and OUT/labels/SPLIT made, and empty. */
static clgan_status make_split_dirs(const char *out_dir, const char *split_name)
{
    static const char *const kinds[2] = {"images", "labels"};
    char dir[4096];
    for (int k = 0; k < 2; k++) {
        clgan_fmt(dir, sizeof dir, "%s/%s/%s", out_dir, kinds[k], split_name);
        if (clgan_path_is_dir(dir)) {
            clgan_name_list files = {0}, dirs = {0};
            TRY(clgan_list_dir(dir, &dirs, &files));
            int used = files.n + dirs.n;
            clgan_name_list_free(&files);
            clgan_name_list_free(&dirs);
            if (used)
                return clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: %s already holds files: remove it or choose "
                                                         "another output folder", dir);
        } else if (clgan_make_dirs(dir) != 0) {
            return clgan_fail(CLGAN_ERR_IO, "cannot make the folder %s", dir);
        }
    }
    return CLGAN_OK;
}

clgan_status clgan_make_scenes(const clgan_dataset *d, const clgan_scene_options *opt, const char *out_dir,
                               clgan_scene_progress_fn progress, void *user, clgan_scene_summary *summary,
                               int64_t *class_objects)
{
    TRY(check_options(d, opt, out_dir));
    const char *split_name = clgan_yolo_split_name(opt->split);
    scene_work w;
    int ok = work_begin(&w, d, opt, opt->size, opt->channels ? opt->channels : d->c == 1 ? 1 : 3);
    size_t canvas_bytes = (size_t)w.c * w.size * w.size;
    w.labelled = malloc((size_t)d->n * sizeof *w.labelled);
    clgan_scene_summary sum = {0, 0, 0, 0};
    clgan_status st = CLGAN_OK;
    if (!ok || !w.labelled) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "make_scenes: out of host memory for %d x %d scenes", w.size,
                        w.size);
        goto done;
    }
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= 0 && d->labels[i] < d->classes) w.labelled[w.n_labelled++] = i;
    if (!w.n_labelled) {
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "make_scenes: %s has no labelled image to use as an object", d->source);
        goto done;
    }
    if ((st = make_split_dirs(out_dir, split_name)) != CLGAN_OK) goto done;
    if ((st = clgan_yolo_write_classes(out_dir, (const char(*)[64])d->class_names, d->classes)) != CLGAN_OK) goto done;
    if (class_objects) memset(class_objects, 0, (size_t)d->classes * sizeof *class_objects);
    for (int i = 0; i < opt->count; i++) {
        clgan_rng rng;
        clgan_rng_seed(&rng, opt->seed + 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1));
        memset(w.canvas, 0, canvas_bytes);
        int want = uniform_int(&rng, opt->min_objects, opt->max_objects), placed = 0;
        for (int k = 0; k < want; k++)
            if (!place_object(&w, &rng, &placed)) sum.dropped++;
        for (int k = 0; k < opt->clutter; k++) sum.clutter += place_clutter(&w, &rng, placed);
        char stem[32];
        snprintf(stem, sizeof stem, "scene-%06d", i);
        if ((st = clgan_yolo_write_image(out_dir, split_name, stem, w.canvas, w.c, w.size, w.size, w.labels,
                                         placed)) != CLGAN_OK)
            goto done;
        sum.scenes++;
        sum.objects += placed;
        for (int k = 0; k < placed && class_objects; k++) class_objects[w.labels[k].cls]++;
        if (progress) progress(user, i + 1, opt->count);
    }
done:
    if (summary) *summary = sum;
    work_end(&w);
    return st;
}

/* ---- objects cut out of scenes, and scenes pasted from objects ----------- */

clgan_paste_options clgan_paste_default_options(void)
{
    clgan_paste_options o = {.max_objects = 4, .max_overlap = 0.1, .ink_threshold = 0, .seed = 1};
    return o;
}

/* Box b of a W x H image in pixels, its edges rounded outwards, inside the image, at least one pixel. */
static pixel_box box_pixels(const clgan_box *b, int W, int H)
{
    pixel_box p = {(int)floor((b->cx - b->w / 2) * W), (int)floor((b->cy - b->h / 2) * H),
                   (int)ceil((b->cx + b->w / 2) * W), (int)ceil((b->cy + b->h / 2) * H)};
    if (p.x0 < 0) p.x0 = 0;
    if (p.y0 < 0) p.y0 = 0;
    if (p.x1 > W) p.x1 = W;
    if (p.y1 > H) p.y1 = H;
    if (p.x0 > W - 1) p.x0 = W - 1;
    if (p.y0 > H - 1) p.y0 = H - 1;
    if (p.x1 <= p.x0) p.x1 = p.x0 + 1;
    if (p.y1 <= p.y0) p.y1 = p.y0 + 1;
    return p;
}

/* The rectangle r of src [c][sh][sw] centred in a black square sq [c][L][L], L = r's longer side (returned). */
static int square_around(const uint8_t *src, int c, int sh, int sw, pixel_box r, uint8_t *sq)
{
    int bw = r.x1 - r.x0, bh = r.y1 - r.y0, L = bw > bh ? bw : bh, ox = (L - bw) / 2, oy = (L - bh) / 2;
    memset(sq, 0, (size_t)c * L * L);
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < bh; y++)
            memcpy(sq + ((size_t)ch * L + oy + y) * L + ox, src + ((size_t)ch * sh + r.y0 + y) * sw + r.x0, (size_t)bw);
    return L;
}

clgan_status clgan_detset_crops(const clgan_detset *ds, int side, clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_crops: out is NULL");
    *out = NULL;
    if (!ds) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_crops: the set is NULL");
    if (side < 0 || side > 4096) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_crops: side %d (0..4096)", side);
    int n = ds->box_start[ds->n];
    if (n < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has no boxes to cut objects from", ds->source);
    if (!side) /* the longest box side: no box is enlarged */
        for (int b = 0; b < n; b++) {
            pixel_box r = box_pixels(&ds->boxes[b], ds->w, ds->h);
            int L = r.x1 - r.x0 > r.y1 - r.y0 ? r.x1 - r.x0 : r.y1 - r.y0;
            if (L > side) side = L;
        }
    int longer = ds->h > ds->w ? ds->h : ds->w;
    uint8_t *sq = malloc((size_t)ds->c * longer * longer);
    clgan_dataset *d = NULL;
    clgan_status st = sq ? clgan_dataset_alloc(n, ds->c, side, side, ds->classes, &d)
                         : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "detset_crops: out of host memory");
    if (st == CLGAN_OK) {
        size_t img = (size_t)ds->c * ds->h * ds->w, out_img = clgan_dataset_image_bytes(d);
        for (int i = 0, j = 0; i < ds->n; i++)
            for (int b = ds->box_start[i]; b < ds->box_start[i + 1]; b++, j++) {
                pixel_box r = box_pixels(&ds->boxes[b], ds->w, ds->h);
                int L = square_around(ds->pixels + (size_t)i * img, ds->c, ds->h, ds->w, r, sq);
                clgan_resize_stretch(sq, ds->c, L, L, d->pixels + (size_t)j * out_img, side, side);
                d->labels[j] = ds->boxes[b].cls;
            }
        if (d->class_names) memcpy(d->class_names, ds->class_names, (size_t)ds->classes * sizeof ds->class_names[0]);
        char src[sizeof d->source];
        memcpy(src, ds->source, sizeof src);
        src[160] = '\0'; /* leave room for the note */
        clgan_fmt(d->source, sizeof d->source, "%d objects cut from %s", n, src);
        *out = d;
    }
    free(sq);
    return st;
}

static clgan_status check_paste(const clgan_detset *ds, const clgan_dataset *objects, int first,
                                const clgan_paste_options *o)
{
    if (!ds || !objects || !o) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_paste: a NULL argument");
    if (objects->classes != ds->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the objects (%s) have %d classes, the scenes (%s) %d", objects->source,
                          objects->classes, ds->source, ds->classes);
    if (ds->box_start[ds->n] < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has no box to take the pasted objects' sizes from", ds->source);
    if (ds->h != ds->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: the scenes of %s are %d x %d; pasting needs square scenes "
                          "(open them with a size)", ds->source, ds->w, ds->h);
    for (int i = first; i < objects->n && i >= 0; i++)
        if (objects->labels[i] < 0 || objects->labels[i] >= objects->classes)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: object %d of %s has no class (label %d): every object "
                              "needs one", i, objects->source, objects->labels[i]);
    if (first < 0 || first > objects->n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_paste: first object %d outside 0..%d", first, objects->n);
    if (o->max_objects < 1 || o->max_objects > 1000)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: %d objects per scene (1..1000)", o->max_objects);
    if (!(o->max_overlap >= 0 && o->max_overlap <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: max_overlap %g out of range [0, 1]", o->max_overlap);
    if (o->ink_threshold < 0 || o->ink_threshold > 254)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: ink threshold %d out of range (0..254)", o->ink_threshold);
    if ((int64_t)ds->n + (objects->n - first) > 100000000)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "paste: %d scenes and %d objects are too many", ds->n,
                          objects->n - first);
    return CLGAN_OK;
}

/* Object idx of w->d, cut to its ink's box, squared and stretched to side x
 * side into w->object (w->ink set; x1 == 0: no ink). sq holds
 * [c][longer][longer] of the objects' images. */
static void prepare_pasted(scene_work *w, int idx, int side, uint8_t *sq)
{
    const clgan_dataset *d = w->d;
    clgan_convert_channels(d->pixels + (size_t)idx * clgan_dataset_image_bytes(d), d->c, w->converted, w->c,
                           (size_t)d->h * d->w);
    w->cls = d->labels[idx];
    w->ow = w->oh = side;
    pixel_box r = {d->w, d->h, 0, 0};
    size_t plane = (size_t)d->h * d->w;
    for (int y = 0; y < d->h; y++)
        for (int x = 0; x < d->w; x++)
            for (int ch = 0; ch < w->c; ch++)
                if (w->converted[ch * plane + (size_t)y * d->w + x] > w->opt->ink_threshold) {
                    if (x < r.x0) r.x0 = x;
                    if (y < r.y0) r.y0 = y;
                    if (x + 1 > r.x1) r.x1 = x + 1;
                    if (y + 1 > r.y1) r.y1 = y + 1;
                }
    if (!r.x1) {
        w->ink = (pixel_box){0, 0, 0, 0};
        return;
    }
    int L = square_around(w->converted, w->c, d->h, d->w, r, sq);
    clgan_resize_stretch(sq, w->c, L, L, w->object, side, side);
    find_ink(w);
}

/* The new set's arrays sized for n scenes and nb boxes, ds's copied in; class names copied. */
static clgan_status detset_grown(const clgan_detset *ds, int n, int nb, clgan_detset **out)
{
    clgan_detset *g = calloc(1, sizeof *g);
    if (!g) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "paste: out of host memory");
    size_t img = (size_t)ds->c * ds->h * ds->w;
    *g = (clgan_detset){.n = ds->n, .c = ds->c, .h = ds->h, .w = ds->w, .classes = ds->classes};
    g->class_names = malloc((size_t)ds->classes * sizeof *g->class_names);
    g->pixels = malloc((size_t)n * img);
    g->boxes = malloc((size_t)(nb ? nb : 1) * sizeof *g->boxes);
    g->box_start = malloc((size_t)(n + 1) * sizeof *g->box_start);
    g->file_names = calloc((size_t)n, sizeof *g->file_names);
    int ok = g->class_names && g->pixels && g->boxes && g->box_start && g->file_names;
    for (int i = 0; ok && i < ds->n; i++) ok = (g->file_names[i] = strdup(ds->file_names[i])) != NULL;
    if (!ok) {
        clgan_detset_free(g);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "paste: out of host memory for %d scenes", n);
    }
    memcpy(g->class_names, ds->class_names, (size_t)ds->classes * sizeof *g->class_names);
    memcpy(g->pixels, ds->pixels, (size_t)ds->n * img);
    memcpy(g->boxes, ds->boxes, (size_t)ds->box_start[ds->n] * sizeof *g->boxes);
    memcpy(g->box_start, ds->box_start, (size_t)(ds->n + 1) * sizeof *g->box_start);
    *out = g;
    return CLGAN_OK;
}

clgan_status clgan_detset_paste(const clgan_detset *ds, const clgan_dataset *objects, int first,
                                const clgan_paste_options *opt, clgan_detset **out, clgan_scene_summary *summary,
                                int64_t *class_objects)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_paste: out is NULL");
    *out = NULL;
    TRY(check_paste(ds, objects, first, opt));
    int m = objects->n - first, real_boxes = ds->box_start[ds->n];
    clgan_scene_options so = clgan_scene_default_options();
    so.size = ds->w, so.max_objects = opt->max_objects, so.max_overlap = opt->max_overlap;
    so.ink_threshold = opt->ink_threshold;
    scene_work w;
    int ok = work_begin(&w, objects, &so, ds->w, ds->c);
    int longer = objects->h > objects->w ? objects->h : objects->w;
    size_t canvas_bytes = (size_t)w.c * w.size * w.size;
    int *order = malloc((size_t)(m ? m : 1) * sizeof *order);
    uint8_t *sq = malloc((size_t)w.c * longer * longer);
    clgan_scene_summary sum = {0, 0, 0, 0};
    clgan_detset *g = NULL;
    clgan_status st = CLGAN_OK;
    if (!ok || !order || !sq) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "paste: out of host memory");
        goto done;
    }
    /* at most m scenes (one object each) and m boxes */
    if ((st = detset_grown(ds, ds->n + m, real_boxes + m, &g)) != CLGAN_OK) goto done;
    clgan_rng rng;
    clgan_rng_seed(&rng, opt->seed ^ UINT64_C(0x5041535445000001));
    for (int i = 0; i < m; i++) order[i] = first + i;
    for (int i = m - 1; i > 0; i--) {
        int j = (int)(clgan_rng_next(&rng) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j], order[j] = t;
    }
    if (class_objects) memset(class_objects, 0, (size_t)ds->classes * sizeof *class_objects);
    for (int used = 0; used < m;) {
        int want = uniform_int(&rng, 1, opt->max_objects), placed = 0;
        if (want > m - used) want = m - used;
        memset(w.canvas, 0, canvas_bytes);
        for (int k = 0; k < want; k++) {
            const clgan_box *b = &ds->boxes[uniform_int(&rng, 0, real_boxes - 1)];
            double bw = b->w * ds->w, bh = b->h * ds->h;
            int side = (int)lround(bw > bh ? bw : bh);
            if (side < 1) side = 1;
            if (side > w.size) side = w.size;
            prepare_pasted(&w, order[used + k], side, sq);
            if (!w.ink.x1 || !place_drawn(&w, &rng, &placed)) sum.dropped++;
        }
        used += want;
        int s = g->n;
        char name[48];
        snprintf(name, sizeof name, "pasted-scene-%06d", sum.scenes);
        if (!(g->file_names[s] = strdup(name))) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "paste: out of host memory");
            goto done;
        }
        memcpy(g->pixels + (size_t)s * canvas_bytes, w.canvas, canvas_bytes);
        memcpy(g->boxes + g->box_start[s], w.labels, (size_t)placed * sizeof *w.labels);
        g->box_start[s + 1] = g->box_start[s] + placed;
        g->n++;
        sum.scenes++;
        sum.objects += placed;
        for (int k = 0; k < placed && class_objects; k++) class_objects[w.labels[k].cls]++;
    }
    {
        char src[sizeof g->source];
        memcpy(src, ds->source, sizeof src);
        src[160] = '\0';
        clgan_fmt(g->source, sizeof g->source, "%s, +%d pasted scenes", src, sum.scenes);
    }
    *out = g;
    g = NULL;
done:
    if (summary) *summary = sum;
    clgan_detset_free(g);
    free(order);
    free(sq);
    work_end(&w);
    return st;
}
