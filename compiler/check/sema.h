/* sema.h -- semantic checks: names, kinds, sizes and units (internal).
 *
 * Sema walks the syntax trees of a root file and everything it imports,
 * resolves every name to a symbol, gives every expression a type and a
 * dimension, and reports what is wrong. Each block kind has its own file:
 * sema_neuron.c, sema_network.c, sema_task.c, sema_run.c; expressions are
 * checked in sema_expr.c, calls in sema_call.c.
 */
#ifndef RNNC_SEMA_H
#define RNNC_SEMA_H

#include <stdbool.h>

#include "ast.h"
#include "builtins.h"
#include "consteval.h"
#include "diag.h"
#include "frontend.h"

typedef enum sym_kind {
    SYM_NEURON, SYM_NETWORK, SYM_TASK, SYM_PLASTICITY,   /* global definitions */
    SYM_PARAM,              /* a parameter (global, or of a definition) */
    SYM_STATE, SYM_PORT, SYM_LET, SYM_OUTPUT, SYM_SPIKE, /* neuron members */
    SYM_CHANNEL,            /* network input, or task input/target channel */
    SYM_POP,                /* population or readout of a network */
    SYM_DRAW, SYM_LOOPVAR, SYM_PHASE,                    /* task names */
    SYM_TRACE,              /* pre/post trace of a plasticity rule */
    SYM_SIDE,               /* 'pre' / 'post' in a plasticity rule */
    SYM_BUILTIN,            /* t, dt, fan_in, mask, w ... */
    SYM_FUNCTION,           /* a user-defined function */
    SYM_ARG,                /* an argument inside a function's body */
    SYM_KIND_COUNT
} sym_kind;

/* A neuron's state or named value that 'output v' sends to projections. */
enum { SYM_ROLE_EXPORTED = 1 };

typedef struct symbol symbol;
struct symbol {
    sym_kind kind;
    const char *name;
    ast_node *decl;         /* where it is declared (for "first defined here") */
    ast_node *value;        /* the defining expression, where there is one */
    ast_node *owner;        /* the definition it belongs to (neuron, task...) */
    dim_t dim;
    int role;               /* per kind: readout flag, OP_INPUT/OP_TARGET, SYM_ROLE_EXPORTED */
    double size;            /* channel or population size when known, else 0 */
    uint8_t updated;        /* a state has an equation (or, once they are checked, a reset) */
    uint8_t visiting;       /* cycle detection for let and param values */
    uint8_t resolved;       /* the value's dimension is known */
    uint8_t const_ok;       /* consteval.c: the value is a constant, const_cached */
    unsigned long const_epoch;  /* consteval.c: the evaluation that set those two */
    double const_cached;
};

/* A scope: an open-addressing table over interned names, with a parent. */
typedef struct scope scope;
struct scope {
    scope *parent;
    symbol **slots;
    uint32_t count, cap;
    const char *what;       /* "neuron 'LIF'", for messages */
};

/* Expression types. */
typedef enum expr_type { TY_NUM, TY_BOOL, TY_STR, TY_LIST, TY_GROUP, TY_PROJ, TY_ERROR } expr_type;

/* What an expression may use where it stands. */
enum {
    ALLOW_STATE = 1 << 0,    /* states, lets, spikes, ports: per-step values */
    ALLOW_RANDOM = 1 << 1,   /* random draws: normal(), choice(), ... */
    ALLOW_TASK = 1 << 2,     /* latch() and task signals */
    ALLOW_INIT = 1 << 3,     /* initialiser calls */
    ALLOW_ANALYSIS = 1 << 4, /* analysis calls */
    ALLOW_FILE = 1 << 5,     /* load("...") */
};

typedef struct expr_env {
    scope *scope;
    unsigned allow;
    const char *where;      /* "the initial value of 'v'", for messages */
} expr_env;

typedef struct sema {
    arena *arena;
    diag_ctx *diag;
    const frontend_options *opts;
    scope *globals;
    ptr_vec files;          /* AST_FILE nodes in load order */
    ptr_vec defs;           /* global definitions (AST nodes) */
    bool setting_overrides_checked; /* -D values of settings are checked once */
    unsigned depth;         /* of sema_expr's recursion, through names included */
    bool too_deep_reported; /* that depth went over its limit (said once) */
} sema;

/* Scopes. */
scope *scope_new(sema *S, scope *parent, const char *what);
symbol *scope_lookup_local(const scope *sc, const char *name);
symbol *scope_lookup(const scope *sc, const char *name);
/* Declares NAME; on a duplicate reports it (with where the first one is) and returns NULL. */
symbol *scope_declare(sema *S, scope *sc, sym_kind kind, const char *name, ast_node *decl);
/* Collects visible names (for "did you mean"), up to MAX. */
unsigned scope_names(const scope *sc, const char **out, unsigned max, bool chain);
void suggest_in_scope(sema *S, diag *g, const scope *sc, const char *name);
/* "bptt eprop none" as "bptt, eprop, none", for messages. */
const char *sema_commas(sema *S, const char *words);
const char *sym_kind_name(sym_kind kind);
/* With its article: "a parameter", "an input port". */
const char *sym_kind_a(sym_kind kind);

/* The type and dimension sema gives an expression. */
static inline void expr_set(ast_node *e, expr_type type, dim_t dim)
{
    e->type = (uint8_t)type;
    e->dim = dim;
}

static inline bool expr_is_error(const ast_node *e)
{
    return e->type == TY_ERROR;
}

/* Expressions. */
void sema_expr(sema *S, ast_node *e, const expr_env *env);
/* Checks E and that it is a number with a dimension compatible with WANT. */
void sema_expect_dim(sema *S, ast_node *e, const expr_env *env, dim_t want, const char *what);
void sema_expect_bool(sema *S, ast_node *e, const expr_env *env, const char *what);
void sema_call(sema *S, ast_node *call, const expr_env *env, builtin_class cls);
/* Reports NAME() called with GOT positional arguments outside [MIN, MAX] (MAX -1: no limit). */
bool sema_check_arity(sema *S, src_loc loc, const char *name, int min, int max, unsigned got);
/* Reports a named argument given twice in ARGS: f(a = 1, a = 2). */
void sema_check_duplicate_args(sema *S, const ast_node *args);
const char *dim_text(sema *S, dim_t d);
/* "in mV", "dimensionless" or "without a unit": for "must be ...", "this is ...". */
const char *dim_phrase(sema *S, dim_t d);
bool sema_const_size(sema *S, ast_node *e, scope *sc, const char *what, double *out);

/* Blocks. */
void sema_params(sema *S, ast_node *list, scope *sc, ast_node *owner);
/* Declares them first, without values (then sema_params gives the values). */
void sema_declare_params(sema *S, ast_node *list, scope *sc, ast_node *owner);
/* Both, for a definition's header parameters and its 'param' lines. */
void sema_def_params(sema *S, ast_node *def, scope *sc);
void sema_function(sema *S, ast_node *def);
void sema_neuron(sema *S, ast_node *def);
/* Whether checked expression E calls a random draw. */
bool sema_draws(const ast_node *e);
void sema_plasticity(sema *S, ast_node *def);
void sema_network(sema *S, ast_node *def);
unsigned sema_declare_channels(sema *S, scope *sc, ast_node *list);
void sema_task(sema *S, ast_node *def);
void sema_runs(sema *S, ast_node *file);
/* Checks named arguments that override DEF's parameters (pop types, task calls). */
void sema_param_overrides(sema *S, ast_node *args, ast_node *def, scope *def_scope,
                          const expr_env *env);
scope *sema_def_scope(const ast_node *def);
void sema_set_def_scope(ast_node *def, scope *sc);

/* -D overrides: returns the override value for NAME in definition OWNER
 * (NULL for global params), if one was given on the command line. */
frontend_define *sema_override(sema *S, const char *owner, const char *name);

/* The whole check, in order (sema.c); names of train settings (sema_run.c). */
void sema_check(sema *S);
unsigned sema_setting_names(const char **out, unsigned max);

#endif
