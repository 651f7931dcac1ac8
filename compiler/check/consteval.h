/* consteval.h -- the value of a checked constant expression.
 *
 * The one evaluator of constants, for every phase: the checks (sizes,
 * ranges), lowering (initial values, refractory periods), the run plan
 * (settings, sizes, initialisers) and the task engine (parameters). The
 * expression must have been through sema, which resolves its names. Values
 * are in SI units (30 ms is 0.03); a parameter's value is its default or
 * its -D override (sema puts the override in its place); a call of a
 * mathematical builtin (the BI_MATH rows of builtins.c) is evaluated.
 *
 * What differs between the phases is the environment: whether the step's
 * length is known yet, and which names have values given from outside.
 */
#ifndef RNNC_CONSTEVAL_H
#define RNNC_CONSTEVAL_H

#include <stdbool.h>

#include "ast.h"

/* A name given a value from outside the expression: a population's
 * parameter override, a task's argument, an initialiser's fan_in. */
typedef struct const_binding {
    const char *name;               /* interned */
    double value;                   /* SI */
} const_binding;

typedef struct const_env {
    /* Seconds per step, or 0 while it is not known (the checks, and the
     * 'dt' setting itself): then 'step' counts steps (10 step is 10) and
     * the name 'dt' is not a constant. */
    double dt;
    /* A parameter or built-in name (fan_in) found here takes this value
     * instead of its own, wherever the expression leads. */
    const const_binding *bound;
    unsigned n_bound;
} const_env;

/* The value of E in ENV (NULL: dt not known, nothing bound) into *OUT;
 * false if E is not a constant there. */
bool const_value(const ast_node *e, const const_env *env, double *out);

/* The binding of NAME in ENV, or NULL. */
const const_binding *const_env_find(const const_env *env, const char *name);

/* The operators and mathematical functions const_value uses, for the task
 * engine, which evaluates them per trial: false if OP or NAME is not one of
 * them (or NAME is given the wrong number of arguments). */
bool const_eval_binary(int op, double l, double r, double *out);
bool const_eval_math(const char *name, const double *args, unsigned n, double *out);

/* The function of one argument const_eval_math applies for NAME (exp, sign,
 * ...), or NULL: for a caller that applies it to many values. */
typedef double (*const_unary_fn)(double);
const_unary_fn const_math_unary(const char *name);

#endif
