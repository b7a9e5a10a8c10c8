/* fuzz_container.c — libFuzzer target for the checkpoint container reader
 * (host/io/container.c: clgan_ckpt_open, clgan_ckpt_open_memory and the
 * section accessors). Each input is read as it is (checksum failures
 * included) from a file and from memory, which must agree, and then with its
 * SHA-256 trailer recomputed (from memory) so the section table is parsed and
 * every section read through each typed accessor. */
#include "fuzz_ckpt_util.h"
#include "io/container.h"

static void read_sections(const clgan_ckpt_reader *r)
{
    int n = clgan_ckpt_section_count(r);
    for (int i = 0; i < n; i++) {
        const char *name;
        const void *data;
        size_t bytes;
        if (clgan_ckpt_section_at(r, i, &name, &data, &bytes) != CLGAN_OK) abort();
        if (!clgan_ckpt_has(r, name)) abort();
        const void *found;
        size_t found_bytes;
        if (clgan_ckpt_find(r, name, &found, &found_bytes) != CLGAN_OK || found_bytes != bytes) abort();
        /* Touch every payload byte so ASan checks the whole range. */
        volatile uint8_t sum = 0;
        for (size_t b = 0; b < bytes; b++) sum ^= ((const uint8_t *)data)[b];
        /* The accessors' messages name the section as the caller gave it (callers pass constants);
         * here that name comes from the file, so the message check applies only to printable names. */
        int printable = 1;
        for (const char *c = name; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) printable = 0;
        uint64_t u;
        int64_t s;
        double f;
        char text[128];
        uint8_t small[16];
        clgan_status st = clgan_ckpt_get_u64(r, name, &u);
        if (printable) fuzz_check_message(st, "get_u64");
        st = clgan_ckpt_get_i64(r, name, &s);
        if (printable) fuzz_check_message(st, "get_i64");
        st = clgan_ckpt_get_f64(r, name, &f);
        if (printable) fuzz_check_message(st, "get_f64");
        st = clgan_ckpt_get_string(r, name, text, sizeof text);
        if (printable) fuzz_check_message(st, "get_string");
        st = clgan_ckpt_read(r, name, small, sizeof small);
        if (printable) fuzz_check_message(st, "read");
    }
    fuzz_check_message(clgan_ckpt_find(r, "no such section", &(const void *){0}, &(size_t){0}), "find missing");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(0, "c.ckpt");
    fuzz_write(path, data, size);
    clgan_ckpt_reader *r = NULL, *m = NULL;
    clgan_status st = clgan_ckpt_open(path, &r);
    fuzz_check_message(st, "clgan_ckpt_open");
    clgan_status st_mem = clgan_ckpt_open_memory(data, size, "c.ckpt", &m);
    fuzz_check_message(st_mem, "clgan_ckpt_open_memory");
    if (st != st_mem) {
        fprintf(stderr, "fuzz: clgan_ckpt_open gives status %d, clgan_ckpt_open_memory %d for the same bytes\n",
                (int)st, (int)st_mem);
        abort();
    }
    if (st == CLGAN_OK) {
        if (clgan_ckpt_section_count(r) != clgan_ckpt_section_count(m)) abort();
        read_sections(r);
    }
    clgan_ckpt_close(r);
    clgan_ckpt_close(m);

    if (size >= 32) { /* the same bytes with a valid trailer */
        uint8_t *fixed = malloc(size);
        if (!fixed) abort();
        memcpy(fixed, data, size - 32);
        clgan_sha256(data, size - 32, fixed + size - 32);
        m = NULL;
        st = clgan_ckpt_open_memory(fixed, size, "fixed.ckpt", &m);
        fuzz_check_message(st, "clgan_ckpt_open_memory (trailer recomputed)");
        if (st == CLGAN_OK) read_sections(m);
        clgan_ckpt_close(m);
        free(fixed);
    }
    return 0;
}
