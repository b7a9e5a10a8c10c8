/* fuzz_tuning.c — libFuzzer target for the GEMM tuning file parser
 * (clgan_tuning_parse in host/device/tuning.c). Each input is parsed as it
 * is, then with its sha256 line recomputed (so mutations reach the line
 * parser). A file that parses must format back (clgan_tuning_format) into a
 * file that parses and formats to the same text. */
#include "fuzz_util.h"
#include "core/sha256.h"
#include "device/tuning.h"

static void parse_and_round_trip(const char *text, size_t len)
{
    clgan_tuning t;
    clgan_status st = clgan_tuning_parse(text, len, &t);
    fuzz_check_message(st, "clgan_tuning_parse");
    if (st != CLGAN_OK) return;
    char *once = clgan_tuning_format(&t);
    if (!once) abort();
    clgan_tuning again;
    st = clgan_tuning_parse(once, strlen(once), &again);
    if (st != CLGAN_OK) {
        fprintf(stderr, "fuzz: a formatted tuning file does not parse: %s\n--- file ---\n%s", clgan_last_error(), once);
        abort();
    }
    char *twice = clgan_tuning_format(&again);
    if (!twice || strcmp(once, twice) != 0) {
        fprintf(stderr, "fuzz: formatting a parsed tuning file changes it\n--- once ---\n%s--- twice ---\n%s", once,
                twice ? twice : "(null)\n");
        abort();
    }
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_and_round_trip((const char *)data, size);

    /* The body: everything before the last line that starts with "sha256 ". */
    size_t body = size;
    for (size_t i = 0; i + 7 <= size; i++)
        if ((i == 0 || data[i - 1] == '\n') && !memcmp(data + i, "sha256 ", 7)) body = i;
    char *fixed = malloc(body + 7 + 64 + 2);
    if (!fixed) abort();
    memcpy(fixed, data, body);
    uint8_t digest[32];
    char hex[65];
    clgan_sha256(data, body, digest);
    clgan_sha256_hex(digest, hex);
    int n = snprintf(fixed + body, 7 + 64 + 2, "sha256 %s\n", hex);
    parse_and_round_trip(fixed, body + (size_t)n);
    free(fixed);
    return 0;
}
