/* arena.c -- bump allocation and string interning (see arena.h). */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_SIZE = 64 * 1024 };

struct arena_block {
    arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

_Thread_local jmp_buf *arena_oom_jump;

void arena_out_of_memory(void)
{
    if (arena_oom_jump)
        longjmp(*arena_oom_jump, 1);
    fputs("rnnc: out of memory\n", stderr);
    exit(3);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        arena_out_of_memory();
    return p;
}

void arena_init(arena *a)
{
    memset(a, 0, sizeof *a);
}

void arena_free(arena *a)
{
    arena_block *b = a->blocks;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a->strings);
    memset(a, 0, sizeof *a);
}

void *arena_alloc(arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_block *b = a->blocks;
    if (!b || b->size - b->used < size) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = xmalloc(sizeof *b + cap);
        b->used = 0;
        b->size = cap;
        b->next = a->blocks;
        a->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

uint32_t arena_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void grow_strings(arena *a)
{
    uint32_t cap = a->string_cap ? a->string_cap * 2 : 1024;
    const char **table = calloc(cap, sizeof *table);
    if (!table)
        arena_out_of_memory();
    for (uint32_t i = 0; i < a->string_cap; i++) {
        const char *s = a->strings[i];
        if (!s)
            continue;
        uint32_t j = arena_hash(s, strlen(s)) & (cap - 1);
        while (table[j])
            j = (j + 1) & (cap - 1);
        table[j] = s;
    }
    free(a->strings);
    a->strings = table;
    a->string_cap = cap;
}

const char *intern(arena *a, const char *s, size_t n)
{
    if ((a->nstrings + 1) * 2 > a->string_cap)
        grow_strings(a);
    uint32_t j = arena_hash(s, n) & (a->string_cap - 1);
    while (a->strings[j]) {
        const char *t = a->strings[j];
        if (strncmp(t, s, n) == 0 && t[n] == '\0')
            return t;
        j = (j + 1) & (a->string_cap - 1);
    }
    const char *copy = arena_strndup(a, s, n);
    a->strings[j] = copy;
    a->nstrings++;
    return copy;
}

const char *intern_cstr(arena *a, const char *s)
{
    return intern(a, s, strlen(s));
}

void ptr_vec_push(arena *a, ptr_vec *v, void *item)
{
    if (v->len == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 8;
        void **items = arena_alloc(a, cap * sizeof *items);
        if (v->len)
            memcpy(items, v->items, v->len * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->len++] = item;
}
