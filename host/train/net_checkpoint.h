/* net_checkpoint.h — the pieces GAN and classifier checkpoints share: a
 * net's layer layout and float blocks as container sections, the
 * "key=value key=value" text sections that hold settings, and class names.
 *
 * A net under tag T is stored as sections "T.layout" (clgan_net_describe)
 * and "T.params", "T.state", "T.opt_m", "T.opt_v" (float32 little-endian),
 * each only when its bit is in `blocks`. Loading refuses a layout that
 * differs from the net's, or a block of the wrong size. */
#ifndef CLGAN_NET_CHECKPOINT_H
#define CLGAN_NET_CHECKPOINT_H
#include "clgan/model.h"
#include "io/container.h"
#include "nn/net.h"

#define CLGAN_BLOCK_BIT(b) (1u << (b))
#define CLGAN_BLOCKS_ALL 0xFu                                         /* Adam */
#define CLGAN_BLOCKS_NO_OPT_V (CLGAN_BLOCKS_ALL & ~CLGAN_BLOCK_BIT(CLGAN_NET_OPT_V)) /* SGD */

/* Writing refuses a block that holds a NaN or an infinity (CLGAN_ERR_CHECK_FAILED,
 * "parameters of G contain 3 non-finite values; checkpoint not written"), so
 * a good checkpoint on disk is never replaced by a diverged one. Loading
 * warns on stderr ("clgan: warning: ...") about such a block in a file. */
clgan_status clgan_ckpt_add_net(clgan_ckpt_writer *w, const char *tag, clgan_net *net, unsigned blocks);
clgan_status clgan_ckpt_load_net(const clgan_ckpt_reader *r, const char *path, const char *tag, clgan_net *net,
                                 unsigned blocks);
/* Before building a net that a checkpoint describes: the sizes of specs
 * (with clgan_net_specs_size's overflow checks) against the file, so that a
 * small file naming a huge architecture is refused before anything is
 * allocated. Each block in `blocks` must be in the file and hold at least
 * the floats the specs need (clgan_ckpt_load_net checks the exact size). */
clgan_status clgan_ckpt_check_net_size(const clgan_ckpt_reader *r, const char *path, const char *tag, int in_c,
                                       int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                       unsigned blocks);
/* A float section outside a net (what names it in messages): refused when
 * any value is not finite, as for nets. */
clgan_status clgan_ckpt_add_floats(clgan_ckpt_writer *w, const char *name, const char *what, const float *v,
                                   size_t n);
/* The loaders' warning for n floats of section `name` (nothing when all are finite). */
void clgan_ckpt_warn_nonfinite(const char *path, const char *name, const float *v, size_t n);

/* The value after "key=" in a settings line (NULL when absent). The typed
 * readers fail with CLGAN_ERR_FORMAT and a message naming the file and the
 * setting: "is missing", "is 'abc', not a number" (quoted and escaped), or
 * "is -1, outside the allowed range 2 to 65536". A value ends at a space or
 * at the end of the text. */
const char *clgan_kv(const char *text, const char *key);
clgan_status clgan_kv_int(const char *path, const char *text, const char *key, int lo, int hi, int *out);
clgan_status clgan_kv_i64(const char *path, const char *text, const char *key, int64_t lo, int64_t hi,
                          int64_t *out);
clgan_status clgan_kv_u64(const char *path, const char *text, const char *key, uint64_t *out); /* any u64 */
/* Floats must be finite and within lo..hi (hi may be INFINITY); the flags
 * exclude an end. */
#define CLGAN_KV_OPEN_LO CLGAN_SETTING_OPEN_MIN
#define CLGAN_KV_OPEN_HI CLGAN_SETTING_OPEN_MAX
clgan_status clgan_kv_float(const char *path, const char *text, const char *key, double lo, double hi,
                            unsigned open, float *out);
/* A word (up to the next space) of 1 to cap-1 bytes, e.g. a model name. */
clgan_status clgan_kv_word(const char *path, const char *text, const char *key, char *buf, size_t cap);
clgan_status clgan_kv_missing(const char *path, const char *key);
/* "checkpoint PATH: setting 'KEY' is 'VALUE' (escaped); expected ALLOWED". */
clgan_status clgan_kv_bad_word(const char *path, const char *key, const char *value, const char *allowed);

/* The steps every model checkpoint shares. check_kind: section "kind" must
 * be `kind`, else "PATH is a 'OTHER' checkpoint, not WHAT" (what: "a GAN
 * checkpoint"). get_step: section "step", refused when negative. finish:
 * after the last section, commit the file when st is CLGAN_OK, else abort
 * it and return st with "writing checkpoint PATH" in front of its message. */
clgan_status clgan_ckpt_check_kind(const clgan_ckpt_reader *r, const char *path, const char *kind, const char *what);
clgan_status clgan_ckpt_get_step(const clgan_ckpt_reader *r, const char *path, int64_t *step /* OUT */);
clgan_status clgan_ckpt_finish(clgan_ckpt_writer *w, clgan_status st, const char *path);

/* Section "class_names": K names of up to 63 bytes, one per line (a line
 * break inside a name is written as a space).
 * Reading fails with CLGAN_ERR_FORMAT unless the section holds exactly K. */
clgan_status clgan_ckpt_add_class_names(clgan_ckpt_writer *w, int K, const char (*names)[64]);
clgan_status clgan_ckpt_get_class_names(const clgan_ckpt_reader *r, const char *path, int K,
                                        char (*names)[64] /* OUT [K] */);
/* The same into a calloc'd [K] array (free() it); *names is NULL on failure. */
clgan_status clgan_ckpt_read_class_names(const clgan_ckpt_reader *r, const char *path, int K,
                                         char (**names)[64] /* OUT */);

/* A net's architecture text (docs/ARCHITECTURES.md) in section `name`
 * ("arch.g", "arch.d", "arch.c", "arch.h"). Reading gives a malloc'd
 * nul-terminated copy, or NULL when the file has no such section (written
 * before checkpoints kept the text: the loader rebuilds the net from the
 * preset name and settings instead). */
clgan_status clgan_ckpt_add_arch_text(clgan_ckpt_writer *w, const char *name, const char *text);
clgan_status clgan_ckpt_get_arch_text(const clgan_ckpt_reader *r, const char *path, const char *name,
                                      char **text /* OUT */);
/* The same from the checkpoint file at path. */
clgan_status clgan_ckpt_file_arch_text(const char *path, const char *name, char **text /* OUT */);
#endif
