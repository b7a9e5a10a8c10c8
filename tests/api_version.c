/* api_version.c — the version calls of the installed library agree with the
 * header and with the project version the build was configured with
 * (CLGAN_PROJECT_VERSION, from CMake); uses only <clgan.h>. */
#include "test_expect.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    int v = clgan_version();
    EXPECT(v == CLGAN_VERSION_MAJOR * 10000 + CLGAN_VERSION_MINOR * 100 + CLGAN_VERSION_PATCH,
           "clgan_version() %d matches the header's %d.%d.%d", v, CLGAN_VERSION_MAJOR, CLGAN_VERSION_MINOR,
           CLGAN_VERSION_PATCH);
    const char *s = clgan_version_string();
    EXPECT(s && !strcmp(s, CLGAN_VERSION_STRING), "clgan_version_string() \"%s\" is the header's \"%s\"", s ? s : "(null)",
           CLGAN_VERSION_STRING);
    char from_number[32];
    snprintf(from_number, sizeof from_number, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
    EXPECT(s && !strcmp(s, from_number), "the string \"%s\" and the number %d say the same version", s ? s : "", v);
    EXPECT(!strcmp(CLGAN_VERSION_STRING, CLGAN_PROJECT_VERSION),
           "the header's version %s is the project's version %s (CMakeLists.txt project())", CLGAN_VERSION_STRING,
           CLGAN_PROJECT_VERSION);
    EXPECT(!strcmp(clgan_status_name(CLGAN_ERR_FORMAT), "CLGAN_ERR_FORMAT"), "status names come through the library");
    return test_finish();
}
