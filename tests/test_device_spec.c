/* test_device_spec.c — device spec resolution: index, type, name substring
 * (any case), $CLGAN_DEVICE, and the listing in the no-match message. */
#include "test_util.h"
#include "clgan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int contains_nocase(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        size_t k = 0;
        while (needle[k] && hay[k] && tolower((unsigned char)hay[k]) == tolower((unsigned char)needle[k])) k++;
        if (!needle[k]) return 1;
    }
    return 0;
}

int main(void)
{
    int n = 0;
    clgan_status st = clgan_device_count(&n);
    if (st == CLGAN_ERR_NO_PLATFORM) {
        EXPECT(strstr(clgan_last_error(), "PoCL") != NULL, "no-platform message says how to install one");
        printf("skipped: no OpenCL platform\n");
        return failures ? 1 : 77;
    }
    EXPECT(st == CLGAN_OK && n > 0, "device count %d", n);
    clgan_device_info d0;
    EXPECT(clgan_device_get_info(0, &d0) == CLGAN_OK && d0.device_name[0], "device 0 info: %s", d0.device_name);

    int idx = -1;
    EXPECT(clgan_device_resolve("0", &idx) == CLGAN_OK && idx == 0, "spec '0' -> 0");
    char bad_index[16];
    snprintf(bad_index, sizeof bad_index, "%d", n + 5);
    EXPECT(clgan_device_resolve(bad_index, &idx) == CLGAN_ERR_NO_DEVICE, "out-of-range index fails");

    const char *type = clgan_device_type_name(d0.type);
    char upper[32];
    size_t i = 0;
    for (; type[i] && i < sizeof upper - 1; i++) upper[i] = (char)(type[i] - 32 * (type[i] >= 'a' && type[i] <= 'z'));
    upper[i] = 0;
    st = clgan_device_resolve(upper, &idx);
    clgan_device_info got;
    clgan_device_get_info(idx, &got);
    EXPECT(st == CLGAN_OK && got.type == d0.type, "type spec '%s' picks a device of that type", upper);

    /* A middle slice of the device name, with its case flipped. */
    char part[16] = {0};
    size_t len = strlen(d0.device_name);
    size_t from = len > 8 ? 2 : 0, take = len - from < 6 ? len - from : 6;
    for (size_t k = 0; k < take; k++) {
        char c = d0.device_name[from + k];
        part[k] = (c >= 'a' && c <= 'z') ? c - 32 : (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }
    st = clgan_device_resolve(part, &idx);
    clgan_device_get_info(idx, &got);
    EXPECT(st == CLGAN_OK && (contains_nocase(got.device_name, part) || contains_nocase(got.platform_name, part) ||
                              contains_nocase(got.vendor, part)),
           "name substring '%s' resolves to a device whose name contains it", part);

    st = clgan_device_resolve("nosuchthing-xyz", &idx);
    EXPECT(st == CLGAN_ERR_NO_DEVICE, "unknown spec gives CLGAN_ERR_NO_DEVICE");
    EXPECT(strstr(clgan_last_error(), "Available devices") && strstr(clgan_last_error(), d0.device_name),
           "no-match message lists the devices");

    setenv("CLGAN_DEVICE", "nosuchthing-xyz", 1);
    st = clgan_device_resolve(NULL, &idx);
    EXPECT(st == CLGAN_ERR_NO_DEVICE && strstr(clgan_last_error(), "CLGAN_DEVICE"),
           "CLGAN_DEVICE is used when no spec is given, and named in the error");
    setenv("CLGAN_DEVICE", "0", 1);
    EXPECT(clgan_device_resolve(NULL, &idx) == CLGAN_OK && idx == 0, "CLGAN_DEVICE=0 -> 0");
    unsetenv("CLGAN_DEVICE");
    EXPECT(clgan_device_resolve(NULL, &idx) == CLGAN_OK, "default resolves");
    clgan_device_get_info(idx, &got);
    int any_gpu = 0;
    for (int k = 0; k < n; k++) {
        clgan_device_info dk;
        if (clgan_device_get_info(k, &dk) == CLGAN_OK && dk.type == CLGAN_DEVICE_GPU) any_gpu = 1;
    }
    EXPECT(!any_gpu || got.type == CLGAN_DEVICE_GPU, "default prefers a GPU when one exists");
    return test_finish();
}
