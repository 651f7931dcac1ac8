/* kernel_cache.h -- compiled kernels kept on disk, found by their content.
 *
 * An entry holds the object code LLVM made from one module of kernels,
 * filed under its key: a text that names everything the code depends on
 * (the format, rnnc's and LLVM's versions, the host CPU and its features,
 * the optimisation pipeline, and the unoptimised module itself, which
 * holds the equations, the precision and the target). The file's name is
 * a hash of the key, and the file holds the key as well, so a hit is a
 * byte-for-byte match of the key, never a hash collision.
 *
 * The folder is $XDG_CACHE_HOME/rnnc, else ~/.cache/rnnc;
 * RNNC_KERNEL_CACHE=off (or 0, no; rnnc's --no-cache) turns the cache off. Files
 * are written aside and renamed into place, so runs at once (the
 * realisations of --seeds) read whole files or none; the folder is kept
 * under RNNC_CACHE_MAX_MB megabytes (default 64) by removing the entries
 * least recently used. Nothing here is fatal: a file that cannot be read
 * back as written is a miss with a warning, a folder that cannot be
 * written leaves the kernels compiled as without a cache.
 */
#ifndef RNNC_KERNEL_CACHE_H
#define RNNC_KERNEL_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* The cache folder into DIR; 0, or -1 when the cache is off (RNNC_KERNEL_CACHE)
 * or no folder can be named (no HOME). */
int kcache_dir(char *dir, size_t size);

/* 64-bit FNV-1a of N bytes, continuing from H (start with KCACHE_FNV_BASIS). */
#define KCACHE_FNV_BASIS UINT64_C(0xcbf29ce484222325)
uint64_t kcache_fnv1a(uint64_t h, const void *data, size_t n);

/* The entry of KEY in DIR: 1 with *OBJ (malloc'd, the caller frees it)
 * and *LEN on a hit, 0 on a miss, -1 when the file is there but damaged
 * or unreadable (why in WHY; the caller recompiles and stores it again). */
int kcache_load(const char *dir, const char *key, size_t key_len, void **obj, size_t *len,
                char *why, size_t why_size);

/* Stores OBJ under KEY in DIR (created if missing), then keeps the folder
 * under its size limit. 0, or -1 with why in WHY. */
int kcache_store(const char *dir, const char *key, size_t key_len, const void *obj, size_t len,
                 char *why, size_t why_size);

/* The path of KEY's entry in DIR, for messages. */
void kcache_path(const char *dir, const char *key, size_t key_len, char *path, size_t size);

#endif
