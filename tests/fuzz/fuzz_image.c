/* fuzz_image.c — libFuzzer target for the image readers
 * (host/data/image_file.c, the image-folder reader in image_folder.c and the
 * resize in dataset.c), built once per file name extension (FUZZ_IMAGE_NAME,
 * e.g. "a.png": fuzz_image_png, ...; the format is told from the content, the
 * extension decides whether an undecodable file is an error). Each input is
 * decoded from memory (clgan_image_load_memory, as stored and as grey/RGB),
 * then written as that one file in a scratch folder and read through
 * clgan_dataset_open: at native size and channels, then resized to 7 x 7 grey.
 *
 * stb_image's decoder is compiled into this target (the library links the
 * system's libstb, which has no coverage instrumentation), so the fuzzer is
 * guided through the decoders and the readers see every shape they accept. */
#include "fuzz_util.h"
#include "data/dataset.h"
#include "data/image_file.h"

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Weverything"
#endif
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#ifndef FUZZ_IMAGE_NAME
#error "build with -DFUZZ_IMAGE_NAME=\"a.png\" (the file name the input is written as)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int channels[] = {0, 1, 3};
    for (int i = 0; i < 3; i++) {
        uint8_t *hwc = NULL;
        clgan_image_info info;
        clgan_status st = clgan_image_load_memory(FUZZ_IMAGE_NAME, data, size, channels[i], &hwc, &info);
        fuzz_check_message(st, "clgan_image_load_memory");
        if (st == CLGAN_OK) {
            /* Touch every pixel so ASan checks the whole [h][w][channels] range. */
            size_t n = (size_t)info.w * (size_t)info.h * (size_t)(channels[i] ? channels[i] : info.comp);
            volatile uint8_t sum = 0;
            for (size_t p = 0; p < n; p++) sum ^= hwc[p];
        }
        clgan_image_free(hwc);
    }

    const char *dir = fuzz_subdir(0, "images");
    const char *file = fuzz_path(1, "images/" FUZZ_IMAGE_NAME);
    fuzz_write(file, data, size);

    clgan_dataset_options o = clgan_dataset_default_options();
    o.test_percent = -1; /* every image in the train split */
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
    fuzz_check_message(st, "image folder open");
    clgan_dataset_free(d);
    d = NULL;
    o.size = 7, o.channels = 1;
    st = clgan_dataset_open(dir, CLGAN_SPLIT_TRAIN, &o, &d);
    fuzz_check_message(st, "image folder open at 7 x 7 grey");
    clgan_dataset_free(d);
    return 0;
}
