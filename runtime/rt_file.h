/* rt_file.h -- opening a file to read, only when it is a regular file of bounded size.
 *
 * Every reader of user-named files (model sources, imports, .npy, summary.json)
 * opens through here, so a device (/dev/zero), a FIFO or a folder is refused
 * at once instead of being read without end or blocking the open.
 */
#ifndef RNNRT_FILE_H
#define RNNRT_FILE_H

#include <stdio.h>
#include <stddef.h>

/* The largest files read (documented in docs/language.md, "Files rnnc reads"). */
#define RT_FILE_MAX_SOURCE ((size_t)64 << 20)    /* a .rnn model source: 64 MiB */
#define RT_FILE_MAX_SUMMARY ((size_t)256 << 20)  /* summary.json: 256 MiB */
#define RT_FILE_MAX_NPY ((size_t)16 << 30)       /* a .npy array: 16 GiB */

/* Opens PATH for reading if it is a regular file of at most MAX_BYTES bytes.
 * Returns the stream (its size in *SIZE when SIZE is not NULL), or NULL with
 * errno set and, in WHY, what is wrong: the system's message, "it is a
 * folder", "it is a FIFO, not a regular file", "it is 70 MiB; the limit is
 * 64 MiB". */
FILE *rt_file_open(const char *path, size_t max_bytes, size_t *size, char *why, size_t why_size);

#endif
