/* lower_memo.c -- the memo of lowered definitions (see lower_memo.h). */
#include "lower_memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static size_t key_hash(const void *def, int phase, const ir_ref *args, unsigned n)
{
    uint64_t h = (uint64_t)(uintptr_t)def * 0x9E3779B97F4A7C15u ^ (uint64_t)phase;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ args[i]) * 0x100000001B3u;
    return (size_t)(h ^ (h >> 29));
}

static int key_equal(const lower_memo_entry *e, const void *def, int phase, const ir_ref *args,
                     unsigned n)
{
    return e->def == def && e->phase == phase && e->n_args == n &&
           (n == 0 || memcmp(e->args, args, n * sizeof *args) == 0);
}

void lower_memo_clear(lower_memo *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].args);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* The slot holding the key, or the free slot where it would go. */
static lower_memo_entry *slot_of(const lower_memo *m, const void *def, int phase, const ir_ref *args,
                                 unsigned n)
{
    size_t j = key_hash(def, phase, args, n) & (m->cap - 1);
    while (m->slots[j].def && !key_equal(&m->slots[j], def, phase, args, n))
        j = (j + 1) & (m->cap - 1);
    return &m->slots[j];
}

int lower_memo_find(const lower_memo *m, const void *def, int phase, const ir_ref *args, unsigned n,
                    ir_ref *result)
{
    if (!m->cap)
        return 0;
    const lower_memo_entry *e = slot_of(m, def, phase, args, n);
    if (!e->def)
        return 0;
    *result = e->result;
    return 1;
}

static void grow(lower_memo *m)
{
    lower_memo old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->count = 0;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots)
        arena_out_of_memory();
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].def) {
            const lower_memo_entry *e = &old.slots[i];
            *slot_of(m, e->def, e->phase, e->args, e->n_args) = *e;   /* moves its args */
            m->count++;
        }
    free(old.slots);
}

void lower_memo_add(lower_memo *m, const void *def, int phase, const ir_ref *args, unsigned n,
                    ir_ref result)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    lower_memo_entry *e = slot_of(m, def, phase, args, n);
    if (e->def)   /* already there: keep the first */
        return;
    ir_ref *copy = NULL;
    if (n) {
        copy = malloc(n * sizeof *copy);
        if (!copy)
            arena_out_of_memory();
        memcpy(copy, args, n * sizeof *copy);
    }
    *e = (lower_memo_entry){.def = def, .phase = phase, .n_args = n, .args = copy, .result = result};
    m->count++;
}
