/* gan_checkpoint.h — GAN checkpoints: everything needed to resume training
 * bit-exactly or to sample, in one container file (host/io/container.h).
 *
 * Sections:
 *   kind            "clgan-gan"
 *   arch            "model=dcgan28 width=64 nz=100 conditional=0 classes=0 mbstd=0 diffaugment=none
 *                   spectral_norm=0" (spectral_norm is missing from older files: 0)
 *   config          "batch=64 loss=ns label_smoothing=0 seed=1 lr_g=... beta1_g=... beta2_g=... eps_g=...
 *                    lr_d=... beta1_d=... beta2_d=... eps_d=... g_ema=0" (floats as %.9g)
 *   step            i64, training steps done (also Adam's step count)
 *   rng             "derived seed=S": all randomness (noise, dropout, data order) is a pure
 *                   function of (seed, step), so seed and step are the whole RNG state
 *   G.layout, D.layout   the nets' layer tables (kind, output shape, parameter count per layer)
 *   G.params, G.state, G.opt_m, G.opt_v, and the same for D: float32 little-endian blocks
 *   G_ema.layout, G_ema.params   with g_ema > 0 only: the moving average of G's parameters
 *                   (its batchnorm statistics are G's, so it keeps no state block); files
 *                   without g_ema in config (older ones) have none
 *   note            free text from the caller (the dataset that was used)
 * Loading rebuilds the GAN from arch/config, then refuses the file if any
 * layout or block size differs.
 */
#ifndef CLGAN_GAN_CHECKPOINT_H
#define CLGAN_GAN_CHECKPOINT_H
#include "train/gan.h"

clgan_status clgan_gan_save(clgan_gan *gan, const char *path, const char *note);
/* note (may be NULL) receives the saved note. */
clgan_status clgan_gan_load(clgan_ctx *ctx, const char *path, clgan_gan **out /* OUT */, char *note, size_t note_cap);
/* The architecture and config stored in a checkpoint, without building nets. */
clgan_status clgan_gan_peek(const char *path, clgan_gan_config *cfg /* OUT */);
#endif
