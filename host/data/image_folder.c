/* image_folder.c — a folder of PNG/JPEG/... images decoded with stb_image.
 *
 * Layouts (see dataset.h for the full rules):
 *   DIR/train/<class>/a.png, DIR/test/<class>/b.png   explicit split, labelled
 *   DIR/train/a.png, DIR/test/b.png                   explicit split, unlabelled
 *   DIR/<class>/a.png                                 hashed ~90/10 split, labelled
 *   DIR/a.png                                         hashed ~90/10 split, unlabelled
 * Each image is decoded as [h][w][c] (stb's interleaved layout), made planar
 * [c][h][w], then resized / centre-cropped to size x size when size > 0.
 */
#include "data/dataset.h"
#include "core/error.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_file.h"

void clgan_name_list_free(clgan_name_list *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL, l->n = l->cap = 0;
}

int clgan_name_list_push(clgan_name_list *l, const char *s)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) return 0;
        l->v = v, l->cap = cap;
    }
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (!copy) return 0;
    memcpy(copy, s, len);
    l->v[l->n++] = copy;
    return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

clgan_status clgan_list_dir(const char *dir, clgan_name_list *dirs, clgan_name_list *files)
{
    DIR *dh = opendir(dir);
    if (!dh) return clgan_fail(CLGAN_ERR_IO, "%s: cannot list the folder", dir);
    struct dirent *e;
    char path[4096];
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.') continue;
        clgan_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
        clgan_name_list *into = clgan_path_is_dir(path) ? dirs : clgan_path_is_file(path) ? files : NULL;
        if (into && !clgan_name_list_push(into, e->d_name)) {
            closedir(dh);
            return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory listing the folder", dir);
        }
    }
    closedir(dh);
    if (dirs && dirs->n > 1) qsort(dirs->v, (size_t)dirs->n, sizeof *dirs->v, cmp_str);
    if (files && files->n > 1) qsort(files->v, (size_t)files->n, sizeof *files->v, cmp_str);
    return CLGAN_OK;
}

int clgan_has_image_ext(const char *name)
{
    static const char *const exts[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".pgm", ".ppm", ".pnm", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (int i = 0; exts[i]; i++) {
        const char *a = dot, *b = exts[i];
        while (*a && *b && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return 1;
    }
    return 0;
}

/* 1 if dir, or one of its sub-folders, directly holds a file stb can decode. */
static int holds_images(const char *dir, int depth)
{
    clgan_name_list dirs = {0}, files = {0};
    if (clgan_list_dir(dir, &dirs, &files) != CLGAN_OK) return 0;
    int found = 0;
    char path[4096];
    for (int i = 0; i < files.n && !found; i++) {
        clgan_fmt(path, sizeof path, "%s/%s", dir, files.v[i]);
        clgan_image_info info;
        found = clgan_has_image_ext(files.v[i]) || clgan_image_probe_file(path, &info) == CLGAN_OK ||
                (info.format && info.sure);
    }
    for (int i = 0; i < dirs.n && !found && depth > 0; i++) {
        clgan_fmt(path, sizeof path, "%s/%s", dir, dirs.v[i]);
        found = holds_images(path, depth - 1);
    }
    clgan_name_list_free(&dirs);
    clgan_name_list_free(&files);
    return found;
}

int clgan_folder_probe(const char *dir) { return holds_images(dir, 2); }

/* Deterministic split: FNV-1a of the relative path, mixed with the seed. */
static int goes_to_test(const char *rel, uint64_t seed, int percent)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = rel; *p; p++) h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    h ^= seed + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    return (int)(h % 100) < percent;
}

typedef struct candidate {
    char *path; /* full path */
    int label;
    int w, h, comp;
} candidate;

clgan_status clgan_dataset_open_folder(const char *root, clgan_dataset_split split, const clgan_dataset_options *opt,
                                       clgan_dataset **out)
{
    *out = NULL;
    clgan_status st = CLGAN_OK;
    clgan_name_list top = {0}, classes = {0}, tmp = {0}, files = {0};
    candidate *cand = NULL;
    int ncand = 0, capcand = 0, skipped = 0;
    uint8_t *hwc = NULL, *chw = NULL;
    clgan_dataset *d = NULL;
    char base[4096], dir[4096], path[4096], rel[4096];
    const char *split_name = split == CLGAN_SPLIT_TRAIN ? "train" : "test";

    /* The split's root and the class list. */
    TRY(clgan_list_dir(root, &top, NULL));
    int explicit_split = 0, have_train = 0, have_test = 0;
    for (int i = 0; i < top.n; i++) {
        have_train |= strcmp(top.v[i], "train") == 0;
        have_test |= strcmp(top.v[i], "test") == 0;
    }
    explicit_split = have_train && have_test;
    if (explicit_split) {
        clgan_fmt(base, sizeof base, "%s/%s", root, split_name);
        static const char *const both[] = {"train", "test"};
        for (int s = 0; s < 2 && st == CLGAN_OK; s++) {
            clgan_fmt(dir, sizeof dir, "%s/%s", root, both[s]);
            st = clgan_list_dir(dir, &tmp, NULL);
            for (int i = 0; i < tmp.n && st == CLGAN_OK; i++) {
                int dup = 0;
                for (int j = 0; j < classes.n; j++) dup |= strcmp(classes.v[j], tmp.v[i]) == 0;
                if (!dup && !clgan_name_list_push(&classes, tmp.v[i]))
                    st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", root);
            }
            clgan_name_list_free(&tmp);
        }
        if (st != CLGAN_OK) goto done;
        if (classes.n > 1) qsort(classes.v, (size_t)classes.n, sizeof *classes.v, cmp_str);
    } else {
        clgan_fmt(base, sizeof base, "%s", root);
        for (int i = 0; i < top.n; i++)
            if (!clgan_name_list_push(&classes, top.v[i])) {
                st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", root);
                goto done;
            }
    }
    int labelled = classes.n > 0;
    int percent = opt->test_percent == 0 ? 10 : opt->test_percent < 0 ? 0 : opt->test_percent;

    /* Candidates: images of this split, sorted by class then file name.
     * Every image of the other split is checked too (its header), so that a
     * bad file there is reported now rather than when that split is opened;
     * with skip_unreadable it is left to be skipped (and counted) then. */
    int other_images = 0;
    for (int side = 0; side < (explicit_split ? 2 : 1); side++) {
        const char *side_name = side == 0 ? split_name : split == CLGAN_SPLIT_TRAIN ? "test" : "train";
        if (explicit_split) clgan_fmt(base, sizeof base, "%s/%s", root, side_name);
        for (int k = 0; k < (labelled ? classes.n : 1); k++) {
            if (labelled) clgan_fmt(dir, sizeof dir, "%s/%s", base, classes.v[k]);
            else clgan_fmt(dir, sizeof dir, "%s", base);
            if (!clgan_path_is_dir(dir)) continue; /* a class present in the other split only */
            if ((st = clgan_list_dir(dir, NULL, &files)) != CLGAN_OK) goto done;
            for (int i = 0; i < files.n; i++) {
                if (labelled) clgan_fmt(rel, sizeof rel, "%s/%s", classes.v[k], files.v[i]);
                else clgan_fmt(rel, sizeof rel, "%s", files.v[i]);
                int mine = explicit_split ? side == 0 : goes_to_test(rel, opt->seed, percent) == (split == CLGAN_SPLIT_TEST);
                clgan_fmt(path, sizeof path, "%s/%s", dir, files.v[i]);
                clgan_image_info info;
                clgan_status pst = clgan_image_probe_file(path, &info);
                if (pst != CLGAN_OK) {
                    /* not an image (ignored): no image name and no format signature */
                    if (!clgan_has_image_ext(files.v[i]) && !(info.format && info.sure)) continue;
                    if (!opt->skip_unreadable) {
                        st = pst;
                        if (!mine) {
                            char msg[1024];
                            snprintf(msg, sizeof msg, "%s", clgan_last_error());
                            st = clgan_fail(pst, "%s (an image of the %s split)", msg,
                                            split == CLGAN_SPLIT_TRAIN ? "test" : "train");
                        }
                        goto done;
                    }
                    if (mine) {
                        fprintf(stderr, "clgan: warning: skipping %s\n", clgan_last_error());
                        skipped++;
                    }
                    continue;
                }
                if (!mine) {
                    other_images++;
                    continue;
                }
                if (opt->limit > 0 && ncand >= opt->limit) continue;
                if (ncand == capcand) {
                    int cap = capcand ? capcand * 2 : 256;
                    candidate *nc = realloc(cand, (size_t)cap * sizeof *nc);
                    if (!nc) {
                        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", root);
                        goto done;
                    }
                    cand = nc, capcand = cap;
                }
                candidate c = {NULL, labelled ? k : -1, info.w, info.h, info.comp};
                size_t len = strlen(path) + 1;
                c.path = malloc(len);
                if (!c.path) {
                    st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", root);
                    goto done;
                }
                memcpy(c.path, path, len);
                cand[ncand++] = c;
            }
            clgan_name_list_free(&files);
        }
    }
    if (ncand == 0) {
        if (explicit_split)
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no images for the %s split in %s/%s%s", root, split_name, root,
                            split_name, skipped ? " (all skipped as unreadable)" : "");
        else if (other_images == 0)
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no readable images%s", root,
                            skipped ? " (all skipped as unreadable)" : "");
        else
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "%s: no images for the %s split: with no train/ and test/ sub-folders, an image goes to "
                            "the test split when a hash of its path falls in the test share (%d%%), else to the train "
                            "split; %s the share (clgan: --test-percent P) or make train/ and test/ sub-folders",
                            root, split_name, percent, split == CLGAN_SPLIT_TEST ? "raise" : "lower");
        goto done;
    }

    /* Decoded shape: RGB if any image has colour, else grey (a requested
     * channel count is made afterwards by clgan_dataset_convert, the same
     * conversion as every other format); native size only when every image
     * has the same size. */
    int C = 1, H = opt->size, W = opt->size;
    for (int i = 0; i < ncand; i++)
        if (cand[i].comp >= 3) C = 3;
    if (!opt->size) {
        H = cand[0].h, W = cand[0].w;
        for (int i = 1; i < ncand; i++)
            if (cand[i].h != H || cand[i].w != W) {
                st = clgan_fail(CLGAN_ERR_FORMAT,
                                "%s: images differ in size (%s is %d x %d, %s is %d x %d): give a size to resize "
                                "them to",
                                root, cand[0].path, W, H, cand[i].path, cand[i].w, cand[i].h);
                goto done;
            }
    }
    if ((st = clgan_dataset_alloc(ncand, C, H, W, classes.n, &d)) != CLGAN_OK) goto done;
    for (int k = 0; k < classes.n; k++) snprintf(d->class_names[k], sizeof d->class_names[k], "%s", classes.v[k]);

    int n = 0;
    size_t img = (size_t)C * H * W;
    for (int i = 0; i < ncand; i++) {
        clgan_image_info info;
        clgan_image_free(hwc);
        clgan_status lst = clgan_image_load_file(cand[i].path, C, &hwc, &info);
        if (lst == CLGAN_OK && (info.w != cand[i].w || info.h != cand[i].h)) {
            clgan_image_free(hwc);
            hwc = NULL;
            lst = clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot decode the image: it is %d x %d now, but was %d x %d when "
                                               "the folder was listed (changed while reading?)",
                             cand[i].path, info.w, info.h, cand[i].w, cand[i].h);
        }
        if (lst != CLGAN_OK) {
            if (!opt->skip_unreadable) {
                st = lst;
                goto done;
            }
            fprintf(stderr, "clgan: warning: skipping %s\n", clgan_last_error());
            skipped++;
            continue;
        }
        int w = info.w, h = info.h;
        size_t hw = (size_t)w * h;
        uint8_t *nb = realloc(chw, hw * C);
        if (!nb) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for a %d x %d image", cand[i].path, w, h);
            goto done;
        }
        chw = nb;
        for (size_t p = 0; p < hw; p++)
            for (int ch = 0; ch < C; ch++) chw[(size_t)ch * hw + p] = hwc[p * C + ch];
        uint8_t *dst = d->pixels + (size_t)n * img;
        if (opt->size) clgan_resize_crop(chw, C, h, w, dst, opt->size);
        else memcpy(dst, chw, img); /* h == H and w == W: checked against the listing above */
        d->labels[n++] = cand[i].label;
    }
    if (n == 0) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no readable images for the %s split (%d skipped)", root, split_name,
                        skipped);
        goto done;
    }
    d->n = n;
    d->skipped = skipped;
    char skip_note[48] = "";
    if (skipped) snprintf(skip_note, sizeof skip_note, ", %d unreadable skipped", skipped);
    clgan_fmt(d->source, sizeof d->source, "image folder %s (%s split%s: %d images, %d classes%s)", root, split_name,
              explicit_split ? "" : " by path hash", n, classes.n, skip_note);

done:
    if (st != CLGAN_OK) {
        clgan_dataset_free(d);
        d = NULL;
    }
    *out = d;
    for (int i = 0; i < ncand; i++) free(cand[i].path);
    free(cand);
    clgan_image_free(hwc);
    free(chw);
    clgan_name_list_free(&top);
    clgan_name_list_free(&classes);
    clgan_name_list_free(&tmp);
    clgan_name_list_free(&files);
    return st;
}
