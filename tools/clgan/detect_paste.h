/* detect_paste.h — train-detector's extra training scenes: objects pasted
 * onto new canvases (clgan_detset_paste, clgan/detection.h), the objects cut
 * from the training scenes' own boxes (--copy-paste) or made by a
 * conditional GAN (--gan-augment CKPT). Flags, the plan of how many objects
 * of each class, a PNG of the first pasted scenes, the report, and the text
 * kept in the checkpoint's note so --resume rebuilds the same set. */
#ifndef CLGAN_DETECT_PASTE_H
#define CLGAN_DETECT_PASTE_H
#include "clgan.h"

#include <stdio.h>

#define DETECT_PASTE_MAX_CLASSES 1024

typedef struct detect_paste {
    int copy;                 /* --copy-paste */
    const char *gan_path;     /* --gan-augment CKPT (NULL: none) */
    int mode;                 /* clgan_gan_augment_mode; -1 until given (enlarge) */
    float ratio;              /* --paste-ratio */
    int set_ratio;
    const char *classes_text; /* --paste-classes LIST (NULL: all) */
    int max_objects;          /* --paste-objects K */
    int set_objects;
    int ink;                  /* --paste-ink T; -1 until given */
    char gan_sha[65];         /* the GAN file's SHA-256 */
    /* after detect_paste_plan: */
    int gen[DETECT_PASTE_MAX_CLASSES]; /* objects to paste per class */
    char classes_used[4096];  /* the chosen classes as sorted indices, "0,3", or "all" */
    /* after detect_paste_apply: */
    clgan_scene_summary sum;  /* the pasted scenes */
    int64_t per_class[DETECT_PASTE_MAX_CLASSES];
    int classes;
    char png[1200];           /* OUT/pasted.png */
} detect_paste;

void detect_paste_init(detect_paste *p);
/* 1 consumed argv[*i] (and its value), 0 not a paste flag, -1 a bad value (printed). */
int detect_paste_flag(detect_paste *p, int argc, char **argv, int *i);
void detect_paste_help(FILE *f);
/* After parsing: 0, or 2 after printing a contradiction. */
int detect_paste_check(detect_paste *p);
/* 1 when some paste was asked for. */
int detect_paste_on(const detect_paste *p);
/* How many objects of each class the training scenes get (p->gen), and the chosen classes resolved
 * against their names; before anything is written. 0, or 2 after printing a bad --paste-classes or a
 * plan that pastes nothing. */
int detect_paste_plan(detect_paste *p, const clgan_detset *train);
/* The note part: "paste=none" or "paste=copy|gan[ gan_sha256=HEX] mode=M ratio=R classes=INDICES|all
 * objects=K ink=T"; the GAN's hash is taken from its file here. 0 after printing an error. */
int detect_paste_note(detect_paste *p, char *out, size_t cap);
/* A resumed run's note against the one this command would write (want, "PASTE | data=SOURCE"): the
 * paste parts must agree, and with pasting on the data too (the pasted set is made from it); a note
 * without a paste part is "paste=none". 0 after printing both. */
int detect_paste_note_matches(const char *note, const char *want);
/* *train replaced by itself plus the pasted scenes, made with seed; the
 * report printed (unless quiet) and OUT/pasted.png written. 0, or 1 after
 * printing why. */
int detect_paste_apply(detect_paste *p, clgan_ctx *ctx, clgan_detset **train, const char *out_dir, uint64_t seed,
                       int quiet);
/* ", \"pasted\": {...}" for train-detector's --json. */
void detect_paste_json(const detect_paste *p, const clgan_detset *train);
#endif
