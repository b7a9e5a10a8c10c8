/* container.h — the checkpoint container: named binary sections in one file,
 * written atomically and verified with SHA-256 on reading.
 *
 * File layout (all integers little-endian):
 *
 *   offset  size  field
 *   0       8     magic "CLGANCKP"
 *   8       4     u32 format version (CLGAN_CKPT_VERSION = 1)
 *   12      4     u32 section count S
 *   16      ...   S sections, each:
 *                   u32 name length N (1..63)
 *                   N   name bytes (no NUL inside, none stored after)
 *                   u64 payload length L
 *                   L   payload bytes
 *   end-32  32    SHA-256 of every byte before it
 *
 * Section names are unique within a file. Payloads are opaque bytes; the
 * typed helpers store u64/i64 as 8-byte little-endian integers, f64 as the
 * little-endian bits of an IEEE-754 double, and strings without a NUL.
 *
 * Writing: clgan_ckpt_begin, any number of clgan_ckpt_add*, then
 * clgan_ckpt_commit (or clgan_ckpt_abort). Sections are buffered in memory;
 * commit writes "<path>.tmp.<pid>.<n>", flushes and fsyncs it, and renames it
 * over path, so a crash at any point leaves either the old file or the new
 * one, never a partial file, and no temporary file survives a failed commit.
 *
 * Reading: clgan_ckpt_open reads the whole file and checks the magic, the
 * version, every length against the file size (a truncated file is reported
 * with its size and the size its section table needs) and the checksum; only
 * a file that passes every check is returned. Section data pointers stay
 * valid until clgan_ckpt_close and carry no alignment guarantee (copy out with
 * memcpy or clgan_ckpt_read).
 */
#ifndef CLGAN_CONTAINER_H
#define CLGAN_CONTAINER_H
#include "clgan.h"

#include <stddef.h>
#include <stdint.h>

#define CLGAN_CKPT_MAGIC "CLGANCKP"
#define CLGAN_CKPT_VERSION 1u
#define CLGAN_CKPT_NAME_MAX 63

typedef struct clgan_ckpt_writer clgan_ckpt_writer;
typedef struct clgan_ckpt_reader clgan_ckpt_reader;

/* ---- writing ------------------------------------------------------------ */

/* Start a checkpoint that commit will write to path. Nothing touches the
 * file system until commit. */
clgan_status clgan_ckpt_begin(const char *path, clgan_ckpt_writer **w /* OUT */);
/* Append a section (the bytes are copied). data may be NULL when bytes is 0.
 * CLGAN_ERR_INVALID_ARG for an empty, over-long or duplicate name. */
clgan_status clgan_ckpt_add(clgan_ckpt_writer *w, const char *name, const void *data, size_t bytes);
clgan_status clgan_ckpt_add_u64(clgan_ckpt_writer *w, const char *name, uint64_t value);
clgan_status clgan_ckpt_add_i64(clgan_ckpt_writer *w, const char *name, int64_t value);
clgan_status clgan_ckpt_add_f64(clgan_ckpt_writer *w, const char *name, double value);
clgan_status clgan_ckpt_add_string(clgan_ckpt_writer *w, const char *name, const char *value);
/* Write the file atomically (see above) and free the writer, whether or not
 * it succeeds. CLGAN_ERR_IO names the file and the failing step. A writer on
 * which an add failed still commits the sections that were added. */
clgan_status clgan_ckpt_commit(clgan_ckpt_writer *w);
/* Discard the writer without touching the file system (NULL is a no-op). */
void clgan_ckpt_abort(clgan_ckpt_writer *w);

/* ---- reading ------------------------------------------------------------ */

/* Read and validate a whole checkpoint. CLGAN_ERR_IO when the file cannot be
 * read, CLGAN_ERR_FORMAT when it is not a valid checkpoint (not a checkpoint,
 * other version, truncated, damaged). */
clgan_status clgan_ckpt_open(const char *path, clgan_ckpt_reader **r /* OUT */);
/* The same checks on bytes in memory (copied; e.g. a fuzzer's input). name
 * stands for the path in messages and clgan_ckpt_path. */
clgan_status clgan_ckpt_open_memory(const void *data, size_t size, const char *name, clgan_ckpt_reader **r /* OUT */);
void clgan_ckpt_close(clgan_ckpt_reader *r); /* NULL is a no-op */

/* Number of sections, and the i-th one in file order. */
int clgan_ckpt_section_count(const clgan_ckpt_reader *r);
clgan_status clgan_ckpt_section_at(const clgan_ckpt_reader *r, int i, const char **name /* OUT */,
                                   const void **data /* OUT */, size_t *bytes /* OUT */);
/* 1 if the checkpoint has a section of that name, else 0. */
int clgan_ckpt_has(const clgan_ckpt_reader *r, const char *name);
/* The payload of a section. CLGAN_ERR_FORMAT "checkpoint FILE has no section
 * NAME" when it is missing. */
clgan_status clgan_ckpt_find(const clgan_ckpt_reader *r, const char *name, const void **data /* OUT */,
                             size_t *bytes /* OUT */);
/* Copy a section that must be exactly `bytes` long into dst (CLGAN_ERR_FORMAT
 * naming both sizes otherwise). */
clgan_status clgan_ckpt_read(const clgan_ckpt_reader *r, const char *name, void *dst, size_t bytes);
clgan_status clgan_ckpt_get_u64(const clgan_ckpt_reader *r, const char *name, uint64_t *value /* OUT */);
clgan_status clgan_ckpt_get_i64(const clgan_ckpt_reader *r, const char *name, int64_t *value /* OUT */);
clgan_status clgan_ckpt_get_f64(const clgan_ckpt_reader *r, const char *name, double *value /* OUT */);
/* Copy a string section into buf (cap bytes, NUL-terminated). CLGAN_ERR_FORMAT
 * when it contains a NUL or does not fit. */
clgan_status clgan_ckpt_get_string(const clgan_ckpt_reader *r, const char *name, char *buf, size_t cap);
/* The path the reader was opened from. */
const char *clgan_ckpt_path(const clgan_ckpt_reader *r);

#endif
