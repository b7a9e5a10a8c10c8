/* test_sha256.c — SHA-256 against the FIPS 180-4 example vectors, one-shot
 * and fed in odd-sized pieces. */
#include "core/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(const char *label, const uint8_t digest[32], const char *want)
{
    char hex[65];
    clgan_sha256_hex(digest, hex);
    if (strcmp(hex, want) != 0) {
        printf("FAIL %s: got %s want %s\n", label, hex, want);
        failures++;
    } else {
        printf("ok   %s\n", label);
    }
}

int main(void)
{
    uint8_t d[32];
    clgan_sha256("", 0, d);
    expect("empty", d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    clgan_sha256("abc", 3, d);
    expect("abc", d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    clgan_sha256(two_blocks, strlen(two_blocks), d);
    expect("448-bit message", d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    /* One million 'a', fed in pieces of 1..97 bytes to exercise block edges. */
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    clgan_sha256_state h;
    clgan_sha256_init(&h);
    size_t done = 0, step = 1;
    while (done < 1000000) {
        size_t take = 1000000 - done < step ? 1000000 - done : step;
        clgan_sha256_update(&h, million + done, take);
        done += take;
        step = step % 97 + 1;
    }
    clgan_sha256_final(&h, d);
    expect("million a, incremental", d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    clgan_sha256(million, 1000000, d);
    expect("million a, one shot", d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
