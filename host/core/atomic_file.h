/* atomic_file.h — write a whole file so that readers see the old contents
 * or the new ones, never a mix: a temporary file beside it, flushed and
 * synced, then renamed over it. */
#ifndef CLGAN_ATOMIC_FILE_H
#define CLGAN_ATOMIC_FILE_H
#include <stddef.h>

#include "core/error.h"

/* clgan_write_file_atomic is public (clgan/core.h). */
#endif
