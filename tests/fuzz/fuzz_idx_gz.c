/* fuzz_idx_gz.c — libFuzzer target for the IDX reader's gzip path
 * (clgan_read_file in host/data/dataset.c, host/data/idx.c). The input is an
 * images file's content, optionally followed by the marker "LABELS--" and a
 * labels file's raw bytes. The images part is gzip-compressed here (so every
 * mutation reaches the IDX checks through a valid gzip stream) and written as
 * train-images-idx3-ubyte.gz; the labels part is written as it is as
 * train-labels-idx1-ubyte.gz (corrupt, truncated or oversized gzip streams, or
 * plain bytes, which zlib reads through). */
#include "fuzz_util.h"
#include "data/dataset.h"

#include <zlib.h>

static void write_gzip(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb1");
    if (!g || (n && gzwrite(g, data, (unsigned)n) != (int)n) || gzclose(g) != Z_OK) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_subdir(0, "idxgz");
    const char *images = fuzz_path(1, "idxgz/train-images-idx3-ubyte.gz");
    const char *labels = fuzz_path(2, "idxgz/train-labels-idx1-ubyte.gz");
    fuzz_write_split(data, size, "LABELS--", images, write_gzip, labels);

    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
    fuzz_check_message(st, "gzip IDX open");
    clgan_dataset_free(d);
    return 0;
}
