/* builtins.h -- the functions a model may call, by where they may stand.
 *
 * One table holds each function's class, arity, named arguments and how the
 * dimension of its result follows from its arguments; sema checks calls
 * against it, so arity and unit errors are uniform for every function.
 */
#ifndef RNNC_BUILTINS_H
#define RNNC_BUILTINS_H

#include <stdbool.h>

typedef enum builtin_class {
    BI_MATH,        /* everywhere: exp, tanh, max ... */
    BI_RANDOM,      /* task draws and per-step noise: normal(), choice() ... */
    BI_TASK,        /* task signals: latch() */
    BI_FILE,        /* load("file.npy") */
    BI_INIT,        /* weight initialisers */
    BI_RULE,        /* connection rules */
    BI_ANALYSIS,    /* analyze items */
    BI_CLASS_COUNT
} builtin_class;

typedef enum dim_rule {
    DR_DIMLESS,     /* arguments and result dimensionless (exp, tanh, ...) */
    DR_FIRST,       /* result has the first argument's dimension (abs, relu) */
    DR_SAME,        /* arguments agree; result has their dimension (min, max) */
    DR_SELECT,      /* a condition, then two arguments that agree (where) */
    DR_RESULT_ONE,  /* any arguments; result dimensionless (heaviside, sign) */
    DR_SQRT,        /* result is the square root of the argument's dimension */
    DR_RATE,        /* argument is a rate (Hz); result dimensionless (poisson) */
    DR_FREE,        /* result's dimension unknown (load) */
} dim_rule;

typedef struct builtin {
    const char *name;
    builtin_class cls;
    signed char min_args, max_args;   /* positional; max -1: any number */
    dim_rule rule;
    const char *keywords;             /* allowed named arguments, space separated */
    const char *summary;              /* one line, for messages and docs */
    const char *arg_kinds;            /* analyses: one letter per positional argument,
                                         P projection, S signal, N count, G population;
                                         task signals: W a smoothing window */
} builtin;

const builtin *builtin_find(const char *name, builtin_class cls);
/* Any class; the first match. */
const builtin *builtin_find_any(const char *name);
/* Names of the functions of the classes in MASK (bit per class), for suggestions. */
unsigned builtin_names(unsigned class_mask, const char **out, unsigned max);
bool builtin_has_keyword(const builtin *b, const char *keyword);
/* hann(), gaussian(), boxcar(): allowed only as convolve()'s second argument. */
bool builtin_is_window(const builtin *b);
/* The place of KEYWORD among B's named arguments (0 for the first), or -1.
 * For an initialiser it is also the argument's position: normal(mean, std). */
int builtin_keyword_index(const builtin *b, const char *keyword);
/* Whether WORD is one of the space-separated words of LIST (NULL: none). */
bool words_contain(const char *list, const char *word);
const char *builtin_class_name(builtin_class cls);

#endif
