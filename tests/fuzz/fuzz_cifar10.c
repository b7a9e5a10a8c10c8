/* fuzz_cifar10.c — libFuzzer target for the CIFAR-10 reader
 * (host/data/cifar10.c). The input is a batch file, optionally followed by the
 * marker "META----" and a batches.meta.txt; both are written into a scratch
 * folder (data_batch_1.bin, batches.meta.txt) and read through
 * clgan_dataset_open, then the batch alone as a single .bin file. */
#include "fuzz_util.h"
#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_subdir(0, "cifar");
    const char *batch = fuzz_path(1, "cifar/data_batch_1.bin");
    const char *meta = fuzz_path(2, "cifar/batches.meta.txt");
    fuzz_write_split(data, size, "META----", batch, fuzz_write, meta);

    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
    fuzz_check_message(st, "CIFAR-10 folder open");
    clgan_dataset_free(d);
    d = NULL;
    st = clgan_dataset_open(batch, CLGAN_SPLIT_TEST, &o, &d);
    fuzz_check_message(st, "CIFAR-10 file open");
    clgan_dataset_free(d);
    return 0;
}
