/* tuning.h — the per-device GEMM tuning file that `clgan tune` writes and
 * every context on that device applies.
 *
 * The file lives in the kernel cache folder, as tuning/<key>.txt where the
 * key is a hash of platform, device name, driver version and CLBlast
 * version, and is plain text:
 *
 *   clgan-tuning 1
 *   platform Portable Computing Language
 *   device pthread-haswell-AMD EPYC 7B13
 *   driver 3.1+debian
 *   clblast 1.5.3
 *   created 2026-12-01T21:00:00Z
 *   models dcgan28,lenet28
 *   gemm_ms_default 212.4          (weighted GEMM milliseconds per round of the models' steps)
 *   gemm_ms_tuned 120.9
 *   set XgemmDirect WGD=32 MDIMCD=8 ...
 *   set Xgemm GEMMK=0 MWG=64 ...
 *   set GemmRoutine XGEMM_MIN_INDIRECT_SIZE=448
 *   sha256 <64 hex digits: SHA-256 of every byte above this line>
 *
 * It is written to a temporary file and renamed into place. A file that is
 * missing is simply not there; one that is damaged (bad checksum, bad line),
 * or stale (written for another device, driver or CLBlast) is ignored with a
 * one-line note on stderr and never applied. CLGAN_GEMM_TUNED=0 skips it. */
#ifndef CLGAN_TUNING_H
#define CLGAN_TUNING_H
#include "device/context.h"

/* The structs clgan_tuning_set and clgan_tuning, clgan_clblast_version,
 * clgan_tuning_path, clgan_tuning_save and clgan_tuning_env are public
 * (clgan/bench.h). */

/* Parse a tuning file's bytes (any bytes: this is the fuzzed entry point).
 * CLGAN_ERR_FORMAT with a message naming the line for anything malformed,
 * a bad checksum included. */
clgan_status clgan_tuning_parse(const char *text, size_t len, clgan_tuning *out /* OUT */);
/* The file's text with its checksum line; malloc'd, caller frees. */
char *clgan_tuning_format(const clgan_tuning *t);

/* Read the tuning file for `info` under cache_dir. CLGAN_ERR_IO when there is
 * none; CLGAN_ERR_FORMAT when it is damaged or belongs to another device,
 * driver or CLBlast version (the message says which). */
clgan_status clgan_tuning_load(const char *cache_dir, const clgan_device_info *info, clgan_tuning *out /* OUT */);

/* CLBlast keeps parameter overrides per device for the whole process (it has
 * no call to undo them): these record which devices this process changed, so
 * that `clgan tune` can refuse to start from anything but the defaults. Not
 * thread-safe: contexts are created from one thread. */
void clgan_tuning_mark_overridden(cl_device_id device);
int clgan_tuning_overridden(cl_device_id device);

/* Install a tuning's parameter sets into CLBlast for the context's device. */
clgan_status clgan_tuning_install(clgan_ctx *ctx, const clgan_tuning *t);
/* Called once by clgan_ctx_create: loads the device's file, installs it and
 * keeps it in ctx->tuning, or leaves ctx->tuning NULL (printing one note to
 * stderr for a damaged or stale file). */
void clgan_tuning_apply_on_create(clgan_ctx *ctx);
#endif
