/* fuzz_arch.c — libFuzzer target for the architecture text parser
 * (clgan_arch_parse in host/models/arch.c). Each input is parsed as a text
 * (up to its first NUL) with a few variable overrides; a text that parses
 * must describe itself (summary rows whose parameters add up to the net
 * size check's), keep its text, and parse again to the same layers. */
#include "fuzz_util.h"
#include "models/arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    clgan_arch_var vars[3] = {{"width", 3}, {"nz", 5}, {"classes", 2}};
    clgan_arch *a = NULL;
    clgan_status st = clgan_arch_parse(text, "fuzz.arch", vars, (int)(size % 4), &a);
    fuzz_check_message(st, "clgan_arch_parse");
    if (st == CLGAN_OK) {
        clgan_arch_layer rows[CLGAN_ARCH_MAX_LAYERS];
        if (clgan_arch_describe(a, rows) != CLGAN_OK) {
            fprintf(stderr, "fuzz: a parsed text does not describe: %s\n", clgan_last_error());
            abort();
        }
        size_t params = 0, state = 0, want_p, want_s;
        for (int i = 0; i < clgan_arch_layer_count(a); i++) params += rows[i].params, state += rows[i].state;
        if (clgan_net_specs_size(a->in_c, a->in_h, a->in_w, a->specs, a->n, &want_p, &want_s) != CLGAN_OK ||
            params != want_p || state != want_s) {
            fprintf(stderr, "fuzz: summary %zu/%zu parameters, size check %zu/%zu\n", params, state, want_p, want_s);
            abort();
        }
        char table[8192];
        fuzz_check_message(clgan_arch_summary_text(a, 7, table, sizeof table), "clgan_arch_summary_text");
        if (strcmp(clgan_arch_text(a), text)) abort();
        clgan_arch *b = NULL;
        if (clgan_arch_parse(clgan_arch_text(a), "again", vars, (int)(size % 4), &b) != CLGAN_OK || b->n != a->n ||
            memcmp(b->specs, a->specs, (size_t)a->n * sizeof a->specs[0])) {
            fprintf(stderr, "fuzz: a parsed text does not parse again to the same layers\n");
            abort();
        }
        clgan_arch_free(b);
    }
    clgan_arch_free(a);
    free(text);
    return 0;
}
