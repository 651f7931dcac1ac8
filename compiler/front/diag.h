/* diag.h -- diagnostics collected on a context and printed once, in order.
 *
 * Nothing deep in the front end prints: it calls diag_error() and goes on,
 * so one run reports as many independent errors as it can find.
 */
#ifndef RNNC_DIAG_H
#define RNNC_DIAG_H

#include <stdarg.h>
#include <stdio.h>
#include "arena.h"
#include "source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag {
    diag_level level;
    src_loc loc;            /* line 0: no location (command-line errors) */
    const char *message;
    const char *hint;       /* printed as "hint: ..." after the caret; may be NULL */
    struct diag *next;
} diag;

typedef struct diag_ctx {
    arena *arena;
    source_table *sources;
    diag *first, *last;
    unsigned errors, warnings;
    unsigned max_errors;    /* stop collecting beyond this many errors */
} diag_ctx;

void diag_init(diag_ctx *d, arena *a, source_table *sources);

/* Each returns the new diagnostic so a caller may attach a hint. */
diag *diag_error(diag_ctx *d, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* diag_error for a caller that takes the arguments itself (its own fail()). */
diag *diag_verror(diag_ctx *d, src_loc loc, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
diag *diag_warning(diag_ctx *d, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
diag *diag_note(diag_ctx *d, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_hint(diag_ctx *d, diag *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "did you mean 'x'?" when one of CANDIDATES is close to NAME. */
void diag_suggest(diag_ctx *d, diag *g, const char *name,
                  const char *const *candidates, unsigned count);
const char *closest_name(const char *name, const char *const *candidates,
                         unsigned count);

/* Prints every diagnostic: file:line:col: level: message, the line, a caret. */
void diag_print(diag_ctx *d, FILE *out, int color);

/* Forgets the diagnostics collected so far (the counts stay), so that the
 * next diag_print shows only those of a later phase, such as the plan's. */
void diag_forget(diag_ctx *d);

#endif
