/* fuzz_ckpt_util.h — checkpoint inputs for the fuzz targets: the file's
 * SHA-256 trailer is recomputed before the input is written, so mutations
 * reach the section table and the sections' contents instead of stopping at
 * "checksum mismatch" (fuzz_container also reads each input as it is). */
#ifndef CLGAN_FUZZ_CKPT_UTIL_H
#define CLGAN_FUZZ_CKPT_UTIL_H

#include "fuzz_util.h"
#include "core/sha256.h"

/* Write data to path with its last 32 bytes replaced by the SHA-256 of the
 * bytes before them (inputs shorter than 32 bytes are written as they are). */
static inline void fuzz_write_ckpt(const char *path, const uint8_t *data, size_t size)
{
    if (size < 32) {
        fuzz_write(path, data, size);
        return;
    }
    uint8_t *copy = malloc(size);
    if (!copy) abort();
    memcpy(copy, data, size - 32);
    clgan_sha256(data, size - 32, copy + size - 32);
    fuzz_write(path, copy, size);
    free(copy);
}

#endif
