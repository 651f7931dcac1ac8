/* arena.h -- bump allocation and string interning for one compilation.
 *
 * Every AST node, interned string and symbol of a compilation lives in one
 * arena and is freed at once with arena_free(); nothing in the front end frees
 * piecemeal, so error recovery in the parser can never leak.
 */
#ifndef RNNC_ARENA_H
#define RNNC_ARENA_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *blocks;
    /* The string table: open addressing over interned, NUL-terminated strings. */
    const char **strings;
    uint32_t nstrings, string_cap;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t size);        /* zeroed, 16-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* FNV-1a of N bytes: the string table's hash, and the scopes'. */
uint32_t arena_hash(const char *s, size_t n);
/* Prints "rnnc: out of memory" and exits with status 3; or, in a thread
 * that has set arena_oom_jump (librnnc, which must neither print nor
 * exit), jumps there (longjmp with 1). What was being built is then
 * abandoned half-made; the arena itself stays whole and may be freed. */
void arena_out_of_memory(void) __attribute__((noreturn));
extern _Thread_local jmp_buf *arena_oom_jump;

/* Interned strings compare equal exactly when their pointers are equal. */
const char *intern(arena *a, const char *s, size_t n);
const char *intern_cstr(arena *a, const char *s);

/* A growable array of pointers kept in the arena (old storage is abandoned). */
typedef struct ptr_vec {
    void **items;
    uint32_t len, cap;
} ptr_vec;

void ptr_vec_push(arena *a, ptr_vec *v, void *item);

#endif
