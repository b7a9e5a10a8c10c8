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
#include "io/container.h"
#include "nn/net.h"

#define CLGAN_BLOCK_BIT(b) (1u << (b))
#define CLGAN_BLOCKS_ALL 0xFu                                         /* Adam */
#define CLGAN_BLOCKS_NO_OPT_V (CLGAN_BLOCKS_ALL & ~CLGAN_BLOCK_BIT(CLGAN_NET_OPT_V)) /* SGD */

clgan_status clgan_ckpt_add_net(clgan_ckpt_writer *w, const char *tag, clgan_net *net, unsigned blocks);
clgan_status clgan_ckpt_load_net(const clgan_ckpt_reader *r, const char *path, const char *tag, clgan_net *net,
                                 unsigned blocks);

/* The value after "key=" in a settings line (NULL when absent), and typed
 * readers that fail with "checkpoint PATH: setting 'KEY' is missing or malformed". */
const char *clgan_kv(const char *text, const char *key);
clgan_status clgan_kv_int(const char *path, const char *text, const char *key, int *out);
clgan_status clgan_kv_float(const char *path, const char *text, const char *key, float *out);
clgan_status clgan_kv_u64(const char *path, const char *text, const char *key, uint64_t *out);
clgan_status clgan_kv_missing(const char *path, const char *key);

/* Section "class_names": K names of up to 63 bytes, one per line (a line
 * break inside a name is written as a space).
 * Reading fails with CLGAN_ERR_FORMAT unless the section holds exactly K. */
clgan_status clgan_ckpt_add_class_names(clgan_ckpt_writer *w, int K, const char (*names)[64]);
clgan_status clgan_ckpt_get_class_names(const clgan_ckpt_reader *r, const char *path, int K,
                                        char (*names)[64] /* OUT [K] */);
#endif
