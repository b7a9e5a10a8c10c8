/* yolo.c — YOLO-format detection folders: finding a split's images/ and
 * labels/ folders, parsing label files and class-name files (classes.txt,
 * data.yaml) with a message naming the file and line for every refusal,
 * decoding the images, and writing one image with its label file (the
 * scene maker's output). The rules are in clgan/detection.h.
 */
#include "detect/detset.h"
#include "data/dataset.h"
#include "data/image_file.h"
#include "io/image.h"
#include "core/error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slack on the [0, 1] range of a value, and on a box reaching past the image's edge. */
#define VALUE_SLACK 1e-6
#define EDGE_SLACK 1e-3
/* Longest label or names line read. */
#define LINE_MAX_CHARS 4096

/* ---- class names -------------------------------------------------------- */

typedef struct name_table {
    char (*v)[64];
    int n, cap;
} name_table;

static clgan_status names_push(name_table *t, const char *file, int line, const char *name, size_t len)
{
    if (len == 0) return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: empty class name", file, line);
    if (len >= sizeof t->v[0])
        return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: class name longer than %zu characters", file, line,
                          sizeof t->v[0] - 1);
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        char(*v)[64] = realloc(t->v, (size_t)cap * sizeof *v);
        if (!v) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for class names", file);
        t->v = v, t->cap = cap;
    }
    memcpy(t->v[t->n], name, len);
    t->v[t->n][len] = '\0';
    t->n++;
    return CLGAN_OK;
}

/* A text file read line by line: next_line puts the next line into line
 * (without the newline or a '\r' before it) and returns 1; 0 at the end or
 * after a failure, which goes into *st. */
typedef struct text_lines {
    const char *file;
    uint8_t *data;
    size_t len, pos;
    int number; /* of the line in `line`, from 1 */
    char line[LINE_MAX_CHARS];
} text_lines;

static int next_line(text_lines *t, clgan_status *st)
{
    if (*st != CLGAN_OK || t->pos >= t->len) return 0;
    size_t start = t->pos, end = start;
    while (end < t->len && t->data[end] != '\n') end++;
    t->pos = end < t->len ? end + 1 : end;
    t->number++;
    if (end > start && t->data[end - 1] == '\r') end--;
    if (memchr(t->data + start, '\0', end - start))
        *st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: a NUL byte (not a text file?)", t->file, t->number);
    else if (end - start >= sizeof t->line)
        *st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: line longer than %zu characters", t->file, t->number,
                         sizeof t->line - 1);
    if (*st != CLGAN_OK) return 0;
    memcpy(t->line, t->data + start, end - start);
    t->line[end - start] = '\0';
    return 1;
}

static int is_blank(int ch) { return ch == ' ' || ch == '\t'; }

/* s with blanks cut from both ends, in place; its new length in *len. */
static char *trim(char *s, size_t *len)
{
    while (is_blank(*s)) s++;
    size_t n = strlen(s);
    while (n && is_blank(s[n - 1])) n--;
    s[n] = '\0';
    if (len) *len = n;
    return s;
}

/* A YAML scalar: 'quoted' or "quoted" text, or plain text up to a " #"
 * comment; trimmed. */
static char *yaml_scalar(char *s, size_t *len)
{
    s = trim(s, len);
    if ((s[0] == '\'' || s[0] == '"') && *len >= 2 && s[*len - 1] == s[0]) {
        s[*len - 1] = '\0';
        *len -= 2;
        return s + 1;
    }
    for (char *p = s; *p; p++)
        if (*p == '#' && (p == s || is_blank(p[-1]))) {
            *p = '\0';
            break;
        }
    return trim(s, len);
}

/* A new text_lines over the file at path (free it with text_free). */
static clgan_status text_open(const char *path, text_lines **out)
{
    *out = NULL;
    text_lines *t = malloc(sizeof *t);
    if (!t) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
    int cut;
    clgan_status st = clgan_read_file(path, &t->data, &t->len, &cut);
    if (st != CLGAN_OK) {
        free(t);
        return st;
    }
    t->file = path, t->pos = 0, t->number = 0;
    *out = t;
    return CLGAN_OK;
}

static void text_free(text_lines *t)
{
    if (t) free(t->data);
    free(t);
}

/* classes.txt: one name per line (trimmed); blank lines at the end are ignored. */
static clgan_status read_classes_txt(const char *path, name_table *names)
{
    text_lines *t;
    TRY(text_open(path, &t));
    clgan_status st = CLGAN_OK;
    int blank_line = 0;
    while (next_line(t, &st)) {
        size_t len;
        char *name = trim(t->line, &len);
        if (!len) {
            if (!blank_line) blank_line = t->number;
            continue;
        }
        if (blank_line) st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: empty class name", path, blank_line);
        else st = names_push(names, path, t->number, name, len);
    }
    if (st == CLGAN_OK && names->n == 0) st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no class names in the file", path);
    text_free(t);
    return st;
}

/* The items of a flow list "[a, b, 'c']" (the text after '['), which may
 * go on over several lines; *closed is set once ']' is seen. */
static clgan_status yaml_flow_items(char *p, const char *path, int line, name_table *names, int *closed)
{
    while (*p) {
        while (is_blank(*p)) p++;
        char *end = p;
        if (*p == '\'' || *p == '"') {
            end = strchr(p + 1, *p);
            if (!end) return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: unclosed quote in the names list", path, line);
            end++;
        }
        while (*end && *end != ',' && *end != ']') end++;
        char sep = *end;
        *end = '\0';
        size_t len;
        char *item = yaml_scalar(p, &len);
        if (len || sep == ',') TRY(names_push(names, path, line, item, len)); /* "[a, ]" ends with an empty item */
        if (sep == ']') {
            *closed = 1;
            return CLGAN_OK;
        }
        if (!sep) break; /* the list goes on on the next line */
        p = end + 1;
    }
    return CLGAN_OK;
}

/* data.yaml: the top-level `names:` entry (flow list, `- a` items or
 * `0: a` keys) and `nc:` if present. */
static clgan_status read_data_yaml(const char *path, name_table *names)
{
    text_lines *t;
    TRY(text_open(path, &t));
    clgan_status st = CLGAN_OK;
    int nc = -1, nc_line = 0, names_line = 0;
    enum { BEFORE, FLOW, BLOCK, DONE } state = BEFORE;
    while (next_line(t, &st)) {
        size_t len;
        char *s = t->line;
        if (state == FLOW) {
            int closed = 0;
            st = yaml_flow_items(s, path, t->number, names, &closed);
            if (closed) state = DONE;
            continue;
        }
        if (state == BLOCK) {
            char *item = trim(s, &len);
            if (!len || item[0] == '#') continue;
            if (!is_blank(s[0])) state = DONE; /* the next top-level key */
            else if (item[0] == '-' && (is_blank(item[1]) || !item[1])) {
                item = yaml_scalar(item + 1, &len);
                st = names_push(names, path, t->number, item, len);
                continue;
            } else {
                char *colon = strchr(item, ':'), *end;
                long key = colon ? strtol(item, &end, 10) : -1;
                if (!colon || end != colon || item == colon) {
                    char esc[CLGAN_ESCAPE_CAP];
                    st = clgan_fail(CLGAN_ERR_FORMAT,
                                    "%s:%d: expected '- NAME' or 'INDEX: NAME' under names:, got '%s'", path,
                                    t->number, clgan_escape_str(item, esc, sizeof esc));
                    continue;
                }
                if (key != names->n) {
                    st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: class index %ld where %d was expected (indices 0, 1, ... "
                                                      "in order)", path, t->number, key, names->n);
                    continue;
                }
                item = yaml_scalar(colon + 1, &len);
                st = names_push(names, path, t->number, item, len);
                continue;
            }
        }
        if (!strncmp(s, "nc:", 3)) {
            char *v = yaml_scalar(s + 3, &len), *end;
            long k = strtol(v, &end, 10);
            char esc[CLGAN_ESCAPE_CAP];
            if (!len || *end || k < 0 || k > 1000000)
                st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: nc '%s' is not a class count", path, t->number,
                                clgan_escape_str(v, esc, sizeof esc));
            nc = (int)k, nc_line = t->number;
        } else if (state == BEFORE && !strncmp(s, "names:", 6)) {
            names_line = t->number;
            char *v = trim(s + 6, &len);
            if (v[0] == '[') {
                int closed = 0;
                st = yaml_flow_items(v + 1, path, t->number, names, &closed);
                state = closed ? DONE : FLOW;
            } else if (!len || v[0] == '#') {
                state = BLOCK;
            } else {
                char esc[CLGAN_ESCAPE_CAP];
                st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: names: must be a list ([a, b] or indented lines), got '%s'",
                                path, t->number, clgan_escape_str(v, esc, sizeof esc));
            }
        }
    }
    if (st == CLGAN_OK && state == FLOW)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: the names list is not closed with ']'", path, names_line);
    if (st == CLGAN_OK && !names_line) st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no names: entry", path);
    if (st == CLGAN_OK && names->n == 0)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: names: lists no class", path, names_line);
    if (st == CLGAN_OK && nc >= 0 && nc != names->n)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: nc is %d but names: (line %d) lists %d classes", path, nc_line, nc,
                        names_line, names->n);
    text_free(t);
    return st;
}

/* Class names of the folder at root: classes.txt, else data.yaml / data.yml;
 * names->n stays 0 without either. */
static clgan_status read_class_names(const char *root, name_table *names)
{
    char path[4096];
    clgan_fmt(path, sizeof path, "%s/classes.txt", root);
    if (clgan_path_is_file(path)) return read_classes_txt(path, names);
    static const char *const yaml[] = {"data.yaml", "data.yml"};
    for (int i = 0; i < 2; i++) {
        clgan_fmt(path, sizeof path, "%s/%s", root, yaml[i]);
        if (clgan_path_is_file(path)) return read_data_yaml(path, names);
    }
    return CLGAN_OK;
}

/* ---- a split's files ---------------------------------------------------- */

typedef struct split_scan {
    char images_dir[4096], labels_dir[4096];
    clgan_name_list images; /* image file names, sorted */
    int *box_start;         /* [images.n + 1] */
    clgan_box *boxes;
    int n_boxes, cap_boxes;
    int max_class;          /* -1 when no box */
} split_scan;

static void scan_free(split_scan *s)
{
    clgan_name_list_free(&s->images);
    free(s->box_start);
    free(s->boxes);
    memset(s, 0, sizeof *s);
}

const char *clgan_yolo_split_name(clgan_dataset_split split) { return split == CLGAN_SPLIT_TEST ? "test" : "train"; }

/* The images/ and labels/ folders of a split: ROOT/images/NAME or
 * ROOT/NAME/images for NAME "train" (TRAIN) or "val" then "test" (TEST).
 * 1 when found; 0 with the message set (CLGAN_ERR_FORMAT) when not. */
static int find_split(const char *root, clgan_dataset_split split, split_scan *s)
{
    static const char *const train[] = {"train", NULL}, *const test[] = {"val", "test", NULL};
    const char *const *names = split == CLGAN_SPLIT_TEST ? test : train;
    for (int i = 0; names[i]; i++) {
        clgan_fmt(s->images_dir, sizeof s->images_dir, "%s/images/%s", root, names[i]);
        clgan_fmt(s->labels_dir, sizeof s->labels_dir, "%s/labels/%s", root, names[i]);
        if (clgan_path_is_dir(s->images_dir)) return 1;
        clgan_fmt(s->images_dir, sizeof s->images_dir, "%s/%s/images", root, names[i]);
        clgan_fmt(s->labels_dir, sizeof s->labels_dir, "%s/%s/labels", root, names[i]);
        if (clgan_path_is_dir(s->images_dir)) return 1;
    }
    if (split == CLGAN_SPLIT_TEST)
        clgan_fail(CLGAN_ERR_FORMAT, "%s: no test split: none of %s/images/val, %s/val/images, %s/images/test, "
                                     "%s/test/images is a folder", root, root, root, root, root);
    else
        clgan_fail(CLGAN_ERR_FORMAT, "%s: no train split: neither %s/images/train nor %s/train/images is a folder",
                   root, root, root);
    return 0;
}

/* name without its extension, into out. */
static void stem_of(const char *name, char *out, size_t cap)
{
    const char *dot = strrchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    if (n >= cap) n = cap - 1;
    memcpy(out, name, n);
    out[n] = '\0';
}

static int ends_with_txt(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".txt");
}

static clgan_status push_box(split_scan *s, const char *file, const clgan_box *b)
{
    if (s->n_boxes == s->cap_boxes) {
        int cap = s->cap_boxes ? s->cap_boxes * 2 : 256;
        clgan_box *v = realloc(s->boxes, (size_t)cap * sizeof *v);
        if (!v) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for boxes", file);
        s->boxes = v, s->cap_boxes = cap;
    }
    s->boxes[s->n_boxes++] = *b;
    return CLGAN_OK;
}

/* One label line's 5 fields into *b; classes > 0: the class must be below it. */
static clgan_status parse_label_line(char *line, const char *file, int number, int classes, clgan_box *b)
{
    static const char *const field_names[5] = {"class", "cx", "cy", "w", "h"};
    char *field[6];
    int n = 0;
    for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
        if (n < 6) field[n] = p;
        n++;
    }
    if (n != 5)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: expected 5 fields (class cx cy w h), found %d%s", file, number, n,
                          n > 5 ? " (polygon or keypoint labels are not read)" : "");
    char *end, esc[CLGAN_ESCAPE_CAP];
    errno = 0;
    long cls = strtol(field[0], &end, 10);
    if (*end || errno || cls > 1000000 || cls < -1000000)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: class '%s' is not a whole number", file, number,
                          clgan_escape_str(field[0], esc, sizeof esc));
    if (cls < 0) return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: class %ld is negative", file, number, cls);
    if (classes > 0 && cls >= classes)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: class %ld is out of range: the class names give classes 0..%d",
                          file, number, cls, classes - 1);
    double v[5];
    for (int k = 1; k < 5; k++) {
        v[k] = strtod(field[k], &end);
        if (*end || end == field[k] || !isfinite(v[k]) || isspace((unsigned char)field[k][0])) /* strtod skips it */
            return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: %s '%s' is not a number", file, number, field_names[k],
                              clgan_escape_str(field[k], esc, sizeof esc));
        if (v[k] < -VALUE_SLACK || v[k] > 1 + VALUE_SLACK)
            return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: %s %s is outside [0, 1] (values are fractions of the image)",
                              file, number, field_names[k], clgan_escape_str(field[k], esc, sizeof esc));
    }
    for (int k = 3; k < 5; k++)
        if (v[k] <= 0)
            return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: %s %s: a box needs a width and height above 0", file, number,
                              field_names[k], field[k]);
    if (v[1] - v[3] / 2 < -EDGE_SLACK || v[1] + v[3] / 2 > 1 + EDGE_SLACK || v[2] - v[4] / 2 < -EDGE_SLACK ||
        v[2] + v[4] / 2 > 1 + EDGE_SLACK)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s:%d: the box (x %.6g..%.6g, y %.6g..%.6g) reaches outside the image",
                          file, number, v[1] - v[3] / 2, v[1] + v[3] / 2, v[2] - v[4] / 2, v[2] + v[4] / 2);
    b->cls = (int)cls, b->cx = (float)v[1], b->cy = (float)v[2], b->w = (float)v[3], b->h = (float)v[4];
    return CLGAN_OK;
}

/* Every box of one label file appended to s; the largest class into s->max_class. */
static clgan_status parse_label_file(const char *path, int classes, split_scan *s)
{
    text_lines *t;
    TRY(text_open(path, &t));
    clgan_status st = CLGAN_OK;
    while (next_line(t, &st)) {
        size_t len;
        char *line = trim(t->line, &len);
        if (!len) continue;
        clgan_box b;
        if ((st = parse_label_line(line, path, t->number, classes, &b)) == CLGAN_OK) st = push_box(s, path, &b);
        if (st == CLGAN_OK && b.cls > s->max_class) s->max_class = b.cls;
    }
    text_free(t);
    return st;
}

typedef struct stem_entry {
    char stem[256];
    int image; /* index in the sorted image names */
} stem_entry;

/* By stem, then by image (so of two images with one stem the first is the first in name order). */
static int cmp_stem(const void *a, const void *b)
{
    const stem_entry *x = a, *y = b;
    int c = strcmp(x->stem, y->stem);
    return c ? c : (x->image > y->image) - (x->image < y->image);
}

static int cmp_stem_only(const void *a, const void *b)
{
    return strcmp(((const stem_entry *)a)->stem, ((const stem_entry *)b)->stem);
}

/* The split's images and every label file's boxes (classes > 0: the count
 * the class names give). */
static clgan_status scan_split(split_scan *s, int classes)
{
    clgan_status st = CLGAN_OK;
    clgan_name_list all = {0}, labels = {0};
    stem_entry *stems = NULL;
    char path[4096];
    s->max_class = -1;
    if ((st = clgan_list_dir(s->images_dir, NULL, &all)) != CLGAN_OK) goto done;
    for (int i = 0; i < all.n; i++)
        if (clgan_has_image_ext(all.v[i]) && !clgan_name_list_push(&s->images, all.v[i])) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", s->images_dir);
            goto done;
        }
    if (s->images.n == 0) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: no images (PNG or JPEG) in the split folder", s->images_dir);
        goto done;
    }
    if (!clgan_path_is_dir(s->labels_dir)) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: missing: the folder of the labels of %s", s->labels_dir, s->images_dir);
        goto done;
    }
    int n = s->images.n;
    stems = malloc((size_t)n * sizeof *stems);
    s->box_start = calloc((size_t)n + 1, sizeof *s->box_start);
    if (!stems || !s->box_start) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", s->images_dir);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        stem_of(s->images.v[i], stems[i].stem, sizeof stems[i].stem);
        stems[i].image = i;
    }
    qsort(stems, (size_t)n, sizeof *stems, cmp_stem);
    for (int i = 1; i < n; i++)
        if (!strcmp(stems[i - 1].stem, stems[i].stem)) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: %s and %s share the base name '%s': which one do labels/%s.txt "
                                              "label?", s->images_dir, s->images.v[stems[i - 1].image],
                            s->images.v[stems[i].image], stems[i].stem, stems[i].stem);
            goto done;
        }
    /* Each label file belongs to an image; boxes are gathered image by image. */
    if ((st = clgan_list_dir(s->labels_dir, NULL, &labels)) != CLGAN_OK) goto done;
    int *label_index = malloc((size_t)n * sizeof *label_index);
    if (!label_index) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", s->labels_dir);
        goto done;
    }
    for (int i = 0; i < n; i++) label_index[i] = -1;
    for (int j = 0; j < labels.n; j++) {
        if (!ends_with_txt(labels.v[j])) continue;
        stem_entry key;
        stem_of(labels.v[j], key.stem, sizeof key.stem);
        const stem_entry *hit = bsearch(&key, stems, (size_t)n, sizeof *stems, cmp_stem_only);
        if (!hit) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s/%s: a label file without an image (no %s/%s.png, .jpg, ...)",
                            s->labels_dir, labels.v[j], s->images_dir, key.stem);
            free(label_index);
            goto done;
        }
        label_index[hit->image] = j;
    }
    for (int i = 0; i < n && st == CLGAN_OK; i++) {
        s->box_start[i] = s->n_boxes;
        if (label_index[i] < 0) continue;
        clgan_fmt(path, sizeof path, "%s/%s", s->labels_dir, labels.v[label_index[i]]);
        st = parse_label_file(path, classes, s);
    }
    s->box_start[n] = s->n_boxes;
    free(label_index);
done:
    clgan_name_list_free(&all);
    clgan_name_list_free(&labels);
    free(stems);
    return st;
}

/* ---- open / read -------------------------------------------------------- */

void clgan_detset_free(clgan_detset *ds)
{
    if (!ds) return;
    for (int i = 0; ds->file_names && i < ds->n; i++) free(ds->file_names[i]);
    free(ds->file_names);
    free(ds->class_names);
    free(ds->pixels);
    free(ds->boxes);
    free(ds->box_start);
    free(ds);
}

/* Decode every image of ds->file_names into ds->pixels [n][c][h][w] (ds->c, h, w set;
 * size > 0 stretches). */
static clgan_status load_images(clgan_detset *ds, int size)
{
    size_t img = (size_t)ds->c * ds->h * ds->w;
    for (int i = 0; i < ds->n; i++) {
        const char *path = ds->file_names[i];
        clgan_image_info info;
        TRY(clgan_image_probe_file(path, &info));
        if (!size && (info.w != ds->w || info.h != ds->h))
            return clgan_fail(CLGAN_ERR_FORMAT, "%s is %d x %d but %s is %d x %d: the images differ in size; give a "
                                                "size to stretch them all to", path, info.w, info.h, ds->file_names[0],
                              ds->w, ds->h);
        TRY(clgan_image_load_stretched(path, ds->c, ds->h, ds->w, ds->pixels + (size_t)i * img, &info));
    }
    return CLGAN_OK;
}

clgan_status clgan_detset_open(const char *path, clgan_dataset_split split, int size, int channels,
                               clgan_detset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: out is NULL");
    *out = NULL;
    if (!path || !*path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: empty path");
    if (strlen(path) > CLGAN_SPEC_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: path longer than %d characters", CLGAN_SPEC_MAX);
    if (split != CLGAN_SPLIT_TRAIN && split != CLGAN_SPLIT_TEST)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: split %d is neither TRAIN nor TEST", (int)split);
    if (size < 0 || size > CLGAN_IMAGE_MAX_SIDE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: size %d out of range (0..%d)", size,
                          CLGAN_IMAGE_MAX_SIDE);
    if (channels != 0 && channels != 1 && channels != 3)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_open: channels must be 1 (grey), 3 (RGB) or 0, not %d",
                          channels);
    if (!clgan_path_is_dir(path)) return clgan_fail(CLGAN_ERR_IO, "%s: not a folder", path);

    name_table names = {0};
    split_scan mine = {0}, other = {0};
    clgan_detset *ds = NULL;
    clgan_status st = read_class_names(path, &names);
    if (st != CLGAN_OK) goto done;
    if (!find_split(path, split, &mine)) {
        st = CLGAN_ERR_FORMAT;
        goto done;
    }
    if ((st = scan_split(&mine, names.n)) != CLGAN_OK) goto done;
    clgan_dataset_split other_split = split == CLGAN_SPLIT_TRAIN ? CLGAN_SPLIT_TEST : CLGAN_SPLIT_TRAIN;
    int have_other = find_split(path, other_split, &other);
    clgan_clear_error();
    if (have_other && (st = scan_split(&other, names.n)) != CLGAN_OK) goto done;
    int classes = names.n;
    if (!classes) classes = 1 + (mine.max_class > other.max_class ? mine.max_class : other.max_class);

    clgan_image_info first;
    char first_path[4096];
    clgan_fmt(first_path, sizeof first_path, "%s/%s", mine.images_dir, mine.images.v[0]);
    if ((st = clgan_image_probe_file(first_path, &first)) != CLGAN_OK) goto done;
    int c = channels ? channels : first.comp >= 3 ? 3 : 1;
    int h = size ? size : first.h, w = size ? size : first.w;
    int n = mine.images.n;
    if ((double)n * c * h * w > (double)((size_t)1 << 40)) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: %d images of %d x %d x %d are too many to hold", path, n, c, h,
                        w);
        goto done;
    }
    ds = calloc(1, sizeof *ds);
    if (!ds) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
        goto done;
    }
    ds->n = n, ds->c = c, ds->h = h, ds->w = w, ds->classes = classes;
    ds->pixels = malloc((size_t)n * c * h * w);
    ds->file_names = calloc((size_t)n, sizeof *ds->file_names);
    ds->class_names = calloc(classes ? (size_t)classes : 1, sizeof *ds->class_names);
    if (!ds->pixels || !ds->file_names || !ds->class_names) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %d images of %d x %d x %d", path, n, c,
                        h, w);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(mine.images_dir) + strlen(mine.images.v[i]) + 2;
        if (!(ds->file_names[i] = malloc(len))) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
            goto done;
        }
        snprintf(ds->file_names[i], len, "%s/%s", mine.images_dir, mine.images.v[i]);
    }
    for (int k = 0; k < classes; k++) {
        if (names.n) memcpy(ds->class_names[k], names.v[k], sizeof ds->class_names[k]);
        else snprintf(ds->class_names[k], sizeof ds->class_names[k], "%d", k);
    }
    ds->boxes = mine.boxes, ds->box_start = mine.box_start;
    mine.boxes = NULL, mine.box_start = NULL;
    if ((st = load_images(ds, size)) != CLGAN_OK) goto done;
    clgan_fmt(ds->source, sizeof ds->source, "YOLO folder %s (%s: %d images, %d boxes, %d classes)", path,
              mine.images_dir, n, ds->box_start[n], classes);
done:
    free(names.v);
    scan_free(&mine);
    scan_free(&other);
    if (st != CLGAN_OK) {
        clgan_detset_free(ds);
        return st;
    }
    *out = ds;
    return CLGAN_OK;
}

clgan_status clgan_detset_get_info(const clgan_detset *ds, clgan_detset_info *info)
{
    if (!ds || !info) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_get_info: %s is NULL", ds ? "info" : "detset");
    memset(info, 0, sizeof *info);
    info->count = ds->n, info->channels = ds->c, info->height = ds->h, info->width = ds->w;
    info->classes = ds->classes, info->boxes = ds->box_start[ds->n];
    snprintf(info->source, sizeof info->source, "%s", ds->source);
    return CLGAN_OK;
}

const char *clgan_detset_class_name(const clgan_detset *ds, int k)
{
    return ds && k >= 0 && k < ds->classes ? ds->class_names[k] : NULL;
}

const char *clgan_detset_file_name(const clgan_detset *ds, int i)
{
    return ds && i >= 0 && i < ds->n ? ds->file_names[i] : NULL;
}

/* images [count][c][h][w] as floats. */
clgan_status clgan_detset_read(const clgan_detset *ds, int first, int count, float *images)
{
    if (!ds || !images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_read: %s is NULL", ds ? "images" : "detset");
    if (first < 0 || count < 0 || first > ds->n || count > ds->n - first)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_read: images %d..%d asked for, but %s has images 0..%d",
                          first, first + count - 1, ds->source, ds->n - 1);
    size_t per = (size_t)ds->c * ds->h * ds->w;
    const uint8_t *src = ds->pixels + (size_t)first * per;
    for (size_t j = 0; j < (size_t)count * per; j++) images[j] = clgan_pixel_float(src[j]);
    return CLGAN_OK;
}

clgan_status clgan_detset_boxes(const clgan_detset *ds, int i, const clgan_box **boxes, int *n)
{
    if (!ds || !boxes || !n) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_boxes: a NULL argument");
    if (i < 0 || i >= ds->n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_boxes: image %d asked for, but %s has images 0..%d", i,
                          ds->source, ds->n - 1);
    *n = ds->box_start[i + 1] - ds->box_start[i];
    *boxes = *n > 0 ? ds->boxes + ds->box_start[i] : NULL; /* a set without boxes may hold none at all */
    return CLGAN_OK;
}

clgan_status clgan_detset_images(const clgan_detset *ds, clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_images: out is NULL");
    *out = NULL;
    if (!ds) return clgan_fail(CLGAN_ERR_INVALID_ARG, "detset_images: the set is NULL");
    clgan_dataset *d;
    TRY(clgan_dataset_alloc(ds->n, ds->c, ds->h, ds->w, ds->n, &d)); /* one "class" per scene */
    memcpy(d->pixels, ds->pixels, clgan_dataset_image_bytes(d) * (size_t)ds->n);
    for (int i = 0; i < ds->n; i++) d->labels[i] = i;
    snprintf(d->source, sizeof d->source, "%s", ds->source);
    *out = d;
    return CLGAN_OK;
}

/* ---- writing ------------------------------------------------------------ */

/* chw [c][h][w] -> PNG at ROOT/images/SPLIT/STEM.png; boxes -> ROOT/labels/SPLIT/STEM.txt. */
clgan_status clgan_yolo_write_image(const char *root, const char *split_name, const char *stem, const uint8_t *chw,
                                    int c, int h, int w, const clgan_box *boxes, int n_boxes)
{
    if (c != 1 && c != 3) return clgan_fail(CLGAN_ERR_INVALID_ARG, "yolo_write_image: %d channels (1 or 3)", c);
    char path[4096];
    size_t hw = (size_t)h * w;
    uint8_t *hwc = malloc(hw * c);
    size_t text_cap = (size_t)n_boxes * 64 + 1;
    char *text = malloc(text_cap);
    clgan_status st = CLGAN_OK;
    if (!hwc || !text) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory writing %s", root, stem);
        goto done;
    }
    for (size_t k = 0; k < hw; k++)
        for (int ch = 0; ch < c; ch++) hwc[k * c + ch] = chw[(size_t)ch * hw + k];
    if (!clgan_fmt(path, sizeof path, "%s/images/%s/%s.png", root, split_name, stem)) {
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: path too long", root);
        goto done;
    }
    if ((st = clgan_png_write_atomic(path, w, h, c, hwc)) != CLGAN_OK) goto done;
    size_t len = 0;
    for (int b = 0; b < n_boxes; b++)
        len += (size_t)snprintf(text + len, text_cap - len, "%d %.6f %.6f %.6f %.6f\n", boxes[b].cls, boxes[b].cx,
                                boxes[b].cy, boxes[b].w, boxes[b].h);
    clgan_fmt(path, sizeof path, "%s/labels/%s/%s.txt", root, split_name, stem);
    st = clgan_write_file_atomic(path, text, len);
done:
    free(hwc);
    free(text);
    return st;
}

clgan_status clgan_yolo_write_classes(const char *root, const char (*names)[64], int k)
{
    char path[4096];
    char *text = malloc((size_t)k * 65 + 1);
    if (!text) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for classes.txt", root);
    size_t len = 0;
    for (int i = 0; i < k; i++) len += (size_t)snprintf(text + len, 66, "%s\n", names[i]);
    clgan_fmt(path, sizeof path, "%s/classes.txt", root);
    clgan_status st = clgan_write_file_atomic(path, text, len);
    free(text);
    return st;
}
