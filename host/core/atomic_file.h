/* atomic_file.h — write a whole file so that readers see the old contents
 * or the new ones, never a mix: a temporary file beside it, flushed and
 * synced, then renamed over it. */
#ifndef CLGAN_ATOMIC_FILE_H
#define CLGAN_ATOMIC_FILE_H
#include <stddef.h>

#include "core/error.h"

/* CLGAN_ERR_IO, naming the file and the reason, when it cannot be written
 * (the temporary file is removed then). */
clgan_status clgan_write_file_atomic(const char *path, const void *data, size_t n);
#endif
