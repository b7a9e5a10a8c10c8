/* fuzz_idx.c — libFuzzer target for the IDX reader (host/data/idx.c), plain
 * files. The input is an images file, optionally followed by the marker
 * "LABELS--" and a labels file; both are written into a scratch folder as
 * train-images-idx3-ubyte / train-labels-idx1-ubyte and read through
 * clgan_dataset_open (native shape, then resized to 5 x 5 RGB). */
#include "fuzz_util.h"
#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_subdir(0, "idx");
    const char *images = fuzz_path(1, "idx/train-images-idx3-ubyte");
    const char *labels = fuzz_path(2, "idx/train-labels-idx1-ubyte");
    fuzz_write_split(data, size, "LABELS--", images, fuzz_write, labels);

    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
    fuzz_check_message(st, "IDX open");
    if (st == CLGAN_OK) {
        clgan_dataset_free(d);
        o.size = 5, o.channels = 3;
        st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
        fuzz_check_message(st, "IDX open at 5 x 5 RGB");
        clgan_dataset_free(d);
    }
    return 0;
}
