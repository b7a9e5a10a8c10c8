/* clgan/checkpoint.h — looking inside a checkpoint file without building a
 * model: its kind and its text sections (the note, the class names, the
 * architecture texts).
 *
 *     char kind[32];
 *     clgan_model_kind mk;
 *     if (clgan_checkpoint_kind("run/checkpoint.ckpt", kind, sizeof kind, &mk) != CLGAN_OK) ...
 *     char *note;                                    // NULL when the file has none
 *     clgan_checkpoint_text("run/checkpoint.ckpt", "note", &note);
 *     clgan_free(note);
 *
 * A checkpoint is a container of named sections, verified (size, SHA-256)
 * before anything is read from it: a damaged or truncated file fails with
 * CLGAN_ERR_FORMAT naming the file and what is wrong, an unreadable one with
 * CLGAN_ERR_IO. Sections that hold text: "kind", "note" (what the program
 * that saved it wrote), "class_names" (one name per line), "arch.g",
 * "arch.d", "arch.c", "arch.h" (the architecture texts of a GAN's G and D,
 * a classifier's net, a semi-supervised D).
 */
#ifndef CLGAN_CHECKPOINT_API_H
#define CLGAN_CHECKPOINT_API_H
#include "clgan/core.h"
#include "clgan/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The checkpoint's container kind ("clgan-gan", "clgan-classifier",
 * "clgan-ssl", "clgan-dfeatures", or another program's) into kind, and the
 * model kind it holds (0 for a kind that is none of the four; may be NULL).
 * CLGAN_ERR_INVALID_ARG when the kind does not fit in cap bytes. */
CLGAN_API clgan_status clgan_checkpoint_kind(const char *path, char *kind, size_t cap,
                                             clgan_model_kind *model_kind /* OUT, may be NULL */);
/* The section `section` as a NUL-terminated text in a new buffer (release
 * it with clgan_free); *text is NULL when the file has no such section. A
 * section that holds a NUL byte reads as the text before it:
 * clgan_checkpoint_section gives every byte. */
CLGAN_API clgan_status clgan_checkpoint_text(const char *path, const char *section, char **text /* OUT */);
/* The section's bytes in a new buffer with a NUL after them (release it
 * with clgan_free) and their count in *len; *data NULL (and *len 0) when the
 * file has no such section. */
CLGAN_API clgan_status clgan_checkpoint_section(const char *path, const char *section, void **data /* OUT */,
                                                size_t *len /* OUT */);

/* The settings a model checkpoint holds (every row of its kind's settings
 * table, clgan/model.h) as "name=value" lines, the values as
 * clgan_model_get_setting gives them once the model is loaded, in a new
 * buffer (release it with clgan_free); nothing is built. For a resume check
 * before anything is loaded. CLGAN_ERR_FORMAT for a checkpoint that is no
 * model's (its kind named). */
CLGAN_API clgan_status clgan_checkpoint_settings(const char *path, char **text /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
