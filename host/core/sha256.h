/* sha256.h — SHA-256 (FIPS 180-4), used to key the program cache and to
 * checksum cache entries. Incremental: init, update any number of times, final. */
#ifndef CLGAN_SHA256_H
#define CLGAN_SHA256_H
#include "clgan.h"

#include <stddef.h>
#include <stdint.h>

typedef struct clgan_sha256_state {
    uint32_t state[8];
    uint64_t length;      /* bytes hashed so far */
    uint8_t block[64];
    size_t used;          /* bytes waiting in block */
} clgan_sha256_state;

void clgan_sha256_init(clgan_sha256_state *h);
void clgan_sha256_update(clgan_sha256_state *h, const void *data, size_t len);
void clgan_sha256_final(clgan_sha256_state *h, uint8_t digest[32]);
/* One-shot digest. */
void clgan_sha256(const void *data, size_t len, uint8_t digest[32]);
/* 64 lowercase hex characters plus NUL. */
void clgan_sha256_hex(const uint8_t digest[32], char hex[65]);
/* clgan_sha256_file, the hex digest of a file, is public (clgan/core.h). */
#endif
