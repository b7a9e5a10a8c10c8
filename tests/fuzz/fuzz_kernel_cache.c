/* fuzz_kernel_cache.c — libFuzzer target for the kernel-cache entry check
 * (clgan_program_cache_check in host/device/program.c: magic, key, length and
 * checksum of a <key>.clbin file's bytes). Each input is checked without a
 * key, with the key its own key field holds (so the later checks are
 * reached) and with an all-zero key. An accepted entry must be exactly the
 * 80-byte header and the binary, and the binary must be the input's tail. */
#include "fuzz_util.h"
#include "device/context.h"

static void check(const uint8_t *data, size_t size, const uint8_t *key)
{
    const unsigned char *bin = NULL;
    size_t n = 0;
    const char *why = clgan_program_cache_check(data, size, key, &bin, &n);
    if (why) {
        if (!why[0] || bin || n) abort();
        return;
    }
    if (size < 80 || bin != data + 80 || n != size - 80 || (key && memcmp(data + 8, key, 32) != 0)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t zero_key[32];
    check(data, size, NULL);
    check(data, size, zero_key);
    if (size >= 40) {
        uint8_t key[32];
        memcpy(key, data + 8, 32);
        check(data, size, key);
    }
    return 0;
}
