/* atomic_file.c — temp file + fsync + rename (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

clgan_status clgan_write_file_atomic(const char *path, const void *data, size_t n)
{
    if (!path || !*path || (n && !data))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_write_file_atomic: needs a path and the data");
    static unsigned counter;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
    FILE *f = fopen(tmp, "wb");
    if (!f) return clgan_fail(CLGAN_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    int ok = fwrite(data, 1, n, f) == n;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return clgan_fail(CLGAN_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return CLGAN_OK;
}
