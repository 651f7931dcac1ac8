/* lower_memo.h -- what lowering has already built, so it builds it once.
 *
 * A let used twice, or a function applied twice to the same values, is one
 * node of the graph (hash-consing shares it); lowering its expression again
 * at every use would still take time exponential in the depth of the chain
 * (let a2 = a1 * a1 + h, let a3 = a2 * a2 + h, ...). The memo maps a
 * definition -- a let, an output, a parameter, or a function with the
 * refs of its argument values -- and the phase it was read in to the ref it
 * lowered to. Refs belong to one graph and to one meaning of the end-of-step
 * states, so lowering clears the memo whenever either changes.
 */
#ifndef RNNC_LOWER_MEMO_H
#define RNNC_LOWER_MEMO_H

#include <stddef.h>

#include "ir.h"

typedef struct lower_memo_entry {
    const void *def;                /* NULL: the slot is free */
    int phase;
    unsigned n_args;
    ir_ref *args;                   /* a copy of the argument values, or NULL */
    ir_ref result;
} lower_memo_entry;

typedef struct lower_memo {
    lower_memo_entry *slots;        /* open addressing; capacity a power of two */
    size_t cap, count;
} lower_memo;

void lower_memo_clear(lower_memo *m);   /* forgets all; keeps no memory */

/* The ref DEF lowered to in PHASE with the N argument values ARGS, or 0
 * with *RESULT untouched if it was not lowered yet. */
int lower_memo_find(const lower_memo *m, const void *def, int phase, const ir_ref *args, unsigned n,
                    ir_ref *result);
void lower_memo_add(lower_memo *m, const void *def, int phase, const ir_ref *args, unsigned n,
                    ir_ref result);

#endif
