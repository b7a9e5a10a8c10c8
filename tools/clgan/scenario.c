/* scenario.c — data scenarios shared by train-gan and train-classifier (see
 * scenario.h). */
#include "scenario.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

int scenario_parse_imbalance(const char *text, int *cls, float *fraction)
{
    const char *colon = strchr(text, ':');
    char c[32];
    if (!colon || colon - text >= (long)sizeof c) {
        fprintf(stderr, "clgan: --imbalance expects CLASS:FRACTION (e.g. 3:0.025), got '%s'\n", text);
        return 0;
    }
    snprintf(c, sizeof c, "%.*s", (int)(colon - text), text);
    return cli_parse_int("--imbalance class", c, 0, 65535, cls) &&
           cli_parse_float("--imbalance fraction", colon + 1, 0, 1, fraction);
}

int scenario_apply(clgan_dataset **data, int imb_class, float imb_fraction, int labels, uint64_t seed)
{
    clgan_dataset *s;
    if (imb_class >= 0) {
        if (clgan_dataset_imbalance(*data, imb_class, imb_fraction, seed, &s) != CLGAN_OK) return cli_fail("--imbalance");
        clgan_dataset_free(*data);
        *data = s;
    }
    if (labels > 0) {
        if (clgan_dataset_keep_labels(*data, labels, seed, 0, &s) != CLGAN_OK) return cli_fail("--labels");
        clgan_dataset_free(*data);
        *data = s;
    }
    return 0;
}

int scenario_file_sha256(const char *what, const char *path, char hex[65])
{
    if (clgan_sha256_file(path, hex) == CLGAN_OK) return 1;
    fprintf(stderr, "clgan: %s: %s\n", what, clgan_last_error());
    return 0;
}

int scenario_escape(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; in[i]; i++) {
        unsigned char ch = (unsigned char)in[i];
        int esc = ch <= ' ' || ch == '%' || ch == '|' || ch == 0x7f || (i == 0 && ch == '-');
        if (o + (esc ? 3 : 1) >= cap) return 0;
        if (esc) o += (size_t)snprintf(out + o, cap - o, "%%%02X", ch);
        else out[o++] = (char)ch;
    }
    if (o >= cap) return 0;
    out[o] = '\0';
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int scenario_unescape(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; in[i]; i++) {
        if (o + 1 >= cap) return 0;
        if (in[i] == '%') {
            int hi = hexval(in[i + 1]), lo = hi < 0 ? -1 : hexval(in[i + 2]);
            if (hi < 0 || lo < 0) return 0;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    if (cap == 0) return 0;
    out[o] = '\0';
    return 1;
}
