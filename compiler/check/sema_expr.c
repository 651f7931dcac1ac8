/* sema_expr.c -- names, members, indices, operators: the types and
 * dimensions of expressions (calls are in sema_call.c). */
#include "sema.h"

#include <math.h>
#include <string.h>
#include <strings.h>

const char *dim_text(sema *S, dim_t d)
{
    char buf[64];
    return arena_printf(S->arena, "%s", dim_describe(d, buf, sizeof buf));
}

const char *dim_phrase(sema *S, dim_t d)
{
    if (!d.known)
        return "without a unit";
    if (dim_is_one(d))
        return "dimensionless";
    return arena_printf(S->arena, "in %s", dim_text(S, d));
}

/* A value usable in arithmetic: a number, or a condition taken as 0/1. */
static bool need_number(sema *S, const ast_node *e, const char *op)
{
    if (expr_is_error(e) || e->type == TY_NUM || e->type == TY_BOOL)
        return e->type != TY_ERROR;
    static const char *const what[] = {
        [TY_STR] = "a string", [TY_LIST] = "a list", [TY_GROUP] = "a population",
        [TY_PROJ] = "a projection",
    };
    diag_error(S->diag, e->loc, "%s cannot be used with '%s'", what[e->type], op);
    return false;
}

/* ---------------------------------------------------------------- names */

static void check_let(sema *S, symbol *s, const expr_env *env)
{
    if (s->resolved)
        return;
    if (s->visiting) {
        diag_error(S->diag, s->decl->loc, "'%s' is defined in terms of itself", s->name);
        s->resolved = 1;
        return;
    }
    s->visiting = 1;
    expr_env inner = *env;
    inner.where = "a named value";
    sema_expr(S, s->value, &inner);
    s->dim = s->value->dim;
    s->visiting = 0;
    s->resolved = 1;
}

static void check_name(sema *S, ast_node *e, const expr_env *env)
{
    symbol *s = scope_lookup(env->scope, e->name);
    if (!s) {
        const unit_def *u = unit_find(e->name);
        if (u) {
            expr_set(e, TY_NUM, dim_of_unit(u));
            return;
        }
        diag *g;
        if (builtin_find_any(e->name))
            g = diag_error(S->diag, e->loc, "'%s' is a function; call it as %s(...)", e->name, e->name);
        else
            g = diag_error(S->diag, e->loc, "unknown name '%s' in %s", e->name, env->scope->what);
        suggest_in_scope(S, g, env->scope, e->name);
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    e->sym = s;
    switch (s->kind) {
    case SYM_NEURON: case SYM_NETWORK: case SYM_TASK: case SYM_PLASTICITY: case SYM_FUNCTION:
        diag_error(S->diag, e->loc, "'%s' is %s, not a value", e->name, sym_kind_a(s->kind));
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    case SYM_POP:
        expr_set(e, TY_GROUP, DIM_FREE);
        return;
    case SYM_SIDE:   /* 'pre' alone: what the presynaptic side sends (an input's value) */
        expr_set(e, TY_NUM, DIM_FREE);
        return;
    case SYM_PHASE:
        diag_error(S->diag, e->loc, "'%s' is a phase, not a value", e->name);
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    case SYM_STATE: case SYM_PORT: case SYM_SPIKE: case SYM_OUTPUT:
        if (!(env->allow & ALLOW_STATE)) {
            diag *g = diag_error(S->diag, e->loc, "%s '%s' changes every step and cannot be used in %s",
                                 sym_kind_name(s->kind), e->name, env->where);
            diag_hint(S->diag, g, "%s must be a constant: numbers and parameters only", env->where);
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        if (s->kind == SYM_OUTPUT && s->value)
            check_let(S, s, env);
        expr_set(e, TY_NUM, s->dim);
        return;
    case SYM_LET:
        if (!(env->allow & ALLOW_STATE) && s->owner && s->owner->kind == AST_NEURON) {
            diag_error(S->diag, e->loc, "'%s' depends on the state and cannot be used in %s",
                       e->name, env->where);
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        check_let(S, s, env);
        expr_set(e, s->value && s->value->type != TY_ERROR ? s->value->type : TY_ERROR, s->dim);
        if (e->type == TY_ERROR)
            expr_set(e, TY_NUM, DIM_FREE);
        return;
    case SYM_PARAM:
        if (!s->resolved) {   /* declared, but its value is not checked yet */
            if (s->visiting)
                diag_error(S->diag, e->loc, "'%s' is defined in terms of itself", e->name);
            else {
                diag *g = diag_error(S->diag, e->loc, "'%s' is used before it is defined (line %u, "
                                     "column %u)", e->name, (unsigned)s->decl->loc.line,
                                     (unsigned)s->decl->loc.col);
                diag_hint(S->diag, g, "parameters are defined in order; move this below '%s', "
                                      "or '%s' above it", e->name, e->name);
            }
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        if (s->value && (s->value->type == TY_STR || s->value->type == TY_LIST)) {
            expr_set(e, (expr_type)s->value->type, s->dim);
            return;
        }
        expr_set(e, TY_NUM, s->dim);
        return;
    case SYM_BUILTIN:
        /* 'trial' numbers a task's trials: only a task knows it */
        if (strcmp(s->name, "trial") == 0 && !(env->allow & ALLOW_TASK)) {
            diag *g = diag_error(S->diag, e->loc, "'trial' is the number of a task's trial, and cannot be used "
                                 "in %s", env->where);
            diag_hint(S->diag, g, "use it in a task, and pass what it decides to the network through an input");
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        /* 't' is the time of the current step: not a constant ('dt' is one). */
        if (strcmp(s->name, "t") == 0 && !(env->allow & (ALLOW_STATE | ALLOW_TASK))) {
            diag *g = diag_error(S->diag, e->loc, "the time 't' changes every step and cannot "
                                 "be used in %s", env->where);
            diag_hint(S->diag, g, "%s must be a constant: numbers and parameters only", env->where);
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        expr_set(e, TY_NUM, s->dim);
        return;
    default:
        expr_set(e, TY_NUM, s->dim);
        return;
    }
}

/* obj.member: a population's state or output, or pre./post. in a plasticity rule. */
static void check_member(sema *S, ast_node *e, const expr_env *env)
{
    ast_node *obj = e->first;
    sema_expr(S, obj, env);
    if (expr_is_error(obj)) {
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    symbol *s = obj->kind == AST_NAME ? obj->sym : NULL;
    if (s && s->kind == SYM_SIDE) {
        expr_set(e, TY_NUM, DIM_FREE);   /* the neuron is known only where the rule is attached */
        return;
    }
    if (!s || s->kind != SYM_POP || !s->value) {
        diag_error(S->diag, e->loc, "only a population has members ('%s' is not one)",
                   obj->kind == AST_NAME ? obj->name : "this");
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    ast_node *neuron = s->value;   /* the population's neuron definition */
    scope *nsc = sema_def_scope(neuron);
    symbol *m = nsc ? scope_lookup_local(nsc, e->name) : NULL;
    if (!m || m->kind == SYM_PORT) {
        diag *g = diag_error(S->diag, e->loc, "neuron '%s' of population '%s' has no state or output '%s'",
                             neuron->name, s->name, e->name);
        if (nsc)
            suggest_in_scope(S, g, nsc, e->name);
        if (!g->hint) {
            const char *have = "";   /* what it does have, in declaration order */
            for (ast_node *item = neuron->first; item; item = item->next)
                if (item->kind == AST_STATE || item->kind == AST_OUTPUT || item->kind == AST_SPIKE)
                    for (ast_node *b = item->kind == AST_SPIKE ? item : item->first; b;
                         b = item->kind == AST_SPIKE ? NULL : b->next)
                        have = arena_printf(S->arena, "%s%s%s.%s", have, *have ? ", " : "",
                                            s->name, b->name);
            if (*have)
                diag_hint(S->diag, g, "it has: %s", have);
        }
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    e->sym = m;
    expr_set(e, TY_NUM, m->dim);
}

static void check_index_value(sema *S, ast_node *idx, const expr_env *env, double size)
{
    sema_expr(S, idx, env);
    if (expr_is_error(idx))
        return;
    if (idx->type != TY_NUM) {
        diag_error(S->diag, idx->loc, "an index must be a number");
        return;
    }
    double v;
    if (size > 0 && const_value(idx, NULL, &v) && (v < 0 || v >= size || v != floor(v)))
        diag_error(S->diag, idx->loc, "index %g is out of range: valid indices are 0 to %g",
                   v, size - 1);
}

/* The size of what OBJ names, when it can be indexed at all: a channel, a
 * population or one of its members (h.v), or a list. 'sym' is read on names
 * only; on a call it holds a builtin. Returns false for a single value. */
static bool indexable(const ast_node *obj, double *size)
{
    *size = 0;
    if (obj->kind == AST_MEMBER)
        obj = obj->first;
    const symbol *s = obj->kind == AST_NAME ? obj->sym : NULL;
    if (s && (s->kind == SYM_CHANNEL || s->kind == SYM_POP)) {
        *size = s->size;
        return true;
    }
    if (obj->type != TY_LIST)
        return false;
    const ast_node *list = s && s->kind == SYM_PARAM ? s->value : obj;
    if (list && list->kind == AST_LIST)
        *size = list->count;
    return true;
}

static void check_index(sema *S, ast_node *e, const expr_env *env)
{
    ast_node *obj = e->first, *idx = obj->next;
    sema_expr(S, obj, env);
    double size;
    if (!expr_is_error(obj) && !indexable(obj, &size)) {
        diag *g = diag_error(S->diag, e->loc, "%s is a single value and has no index",
                             obj->kind == AST_NAME ? arena_printf(S->arena, "'%s'", obj->name) : "this");
        diag_hint(S->diag, g, "indices select channels, neurons of a population, or list items");
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    if (expr_is_error(obj))
        size = 0;
    if (idx->kind == AST_SLICE) {
        for (ast_node *k = idx->first; k; k = k->next)   /* a slice may end at the size */
            check_index_value(S, k, env, size > 0 ? size + 1 : 0);
        expr_set(e, (expr_type)obj->type, obj->dim);
        return;
    }
    check_index_value(S, idx, env, size);
    if (expr_is_error(obj))
        expr_set(e, TY_ERROR, DIM_FREE);
    else if (obj->type == TY_LIST)
        expr_set(e, TY_NUM, obj->dim);
    else
        expr_set(e, (expr_type)obj->type, obj->dim);
}

/* ---------------------------------------------------------------- operators */

static void check_binary(sema *S, ast_node *e, const expr_env *env)
{
    ast_node *l = e->first, *r = l->next;
    sema_expr(S, l, env);
    sema_expr(S, r, env);
    if (expr_is_error(l) || expr_is_error(r)) {
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    const char *op = ast_op_text((ast_op)e->op);
    if (e->op == OP_AND || e->op == OP_OR) {
        for (ast_node *k = l; k; k = k == l ? r : NULL)
            if (k->type != TY_BOOL) {
                diag *g = diag_error(S->diag, k->loc, "'%s' joins conditions, but this is not one", op);
                diag_hint(S->diag, g, "compare it, e.g. 'x > 0'");
                expr_set(e, TY_ERROR, DIM_FREE);
                return;
            }
        expr_set(e, TY_BOOL, DIM_ONE);
        return;
    }
    if (!need_number(S, l, op) || !need_number(S, r, op)) {
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    switch (e->op) {
    case OP_ADD: case OP_SUB: case OP_MOD:
        e->pure = l->pure && r->pure;
        /* fall through */
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE: {
        if (!dim_compatible(l->dim, r->dim)) {
            bool cmp = e->op >= OP_LT;
            diag *g = diag_error(S->diag, e->loc, "cannot %s %s and %s",
                                 cmp ? "compare" : e->op == OP_ADD ? "add" : e->op == OP_SUB ? "subtract" : "take the remainder of",
                                 dim_text(S, l->dim), dim_text(S, r->dim));
            diag_hint(S->diag, g, "units are %s and %s", dim_text(S, l->dim), dim_text(S, r->dim));
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        if (e->op >= OP_LT)
            expr_set(e, TY_BOOL, DIM_ONE);
        else
            expr_set(e, TY_NUM, dim_join(l->dim, r->dim));
        return;
    }
    case OP_MUL: case OP_DIV: {
        /* A plain number scales without changing the unit: 0.5 * v_th is in
         * v_th's unit, where a parameter without a unit would leave it open. */
        dim_t ld = l->pure ? DIM_ONE : l->dim, rd = r->pure ? DIM_ONE : r->dim;
        expr_set(e, TY_NUM, e->op == OP_MUL ? dim_mul(ld, rd) : dim_div(ld, rd));
        e->pure = l->pure && r->pure;
        return;
    }
    case OP_POW: {
        if (r->dim.known && !dim_is_one(r->dim)) {
            diag_error(S->diag, r->loc, "an exponent must be dimensionless, but this is %s",
                       dim_phrase(S, r->dim));
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        if (!l->dim.known || dim_is_one(l->dim)) {
            expr_set(e, TY_NUM, l->dim);
            return;
        }
        double n;
        if (!const_value(r, NULL, &n) || n != floor(n) || fabs(n) > 8) {
            diag_error(S->diag, r->loc, "a quantity in %s can only be raised to a constant "
                       "whole power", dim_text(S, l->dim));
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        expr_set(e, TY_NUM, dim_pow(l->dim, (int)n));
        return;
    }
    default:
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
}

static void check_unary(sema *S, ast_node *e, const expr_env *env)
{
    ast_node *x = e->first;
    sema_expr(S, x, env);
    if (expr_is_error(x)) {
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    if (e->op == OP_NOT) {
        if (x->type != TY_BOOL) {
            diag_error(S->diag, x->loc, "'not' needs a condition, e.g. 'not (x > 0)'");
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        expr_set(e, TY_BOOL, DIM_ONE);
        return;
    }
    if (!need_number(S, x, ast_op_text((ast_op)e->op))) {
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    expr_set(e, TY_NUM, x->dim);
    e->pure = x->pure;
}

static void check_list(sema *S, ast_node *e, const expr_env *env)
{
    dim_t d = DIM_FREE;
    for (ast_node *k = e->first; k; k = k->next) {
        sema_expr(S, k, env);
        if (expr_is_error(k))
            continue;
        if (k->type != TY_NUM)
            diag_error(S->diag, k->loc, "a list holds numbers only");
        else if (!dim_compatible(d, k->dim))
            diag_error(S->diag, k->loc, "a list's items must share one unit: %s and %s",
                       dim_text(S, d), dim_text(S, k->dim));
        else
            d = dim_join(d, k->dim);
    }
    expr_set(e, TY_LIST, d);
}

/* The unit meant by a spelling that is not the symbol: 'mv', 'msec', 'seconds'.
 * Checked before the closest name, which would turn 'mv' into 'ms'. */
static const char *unit_alias(const char *name, const char *const *units, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (strcasecmp(name, units[i]) == 0)
            return units[i];
    static const char *const aliases[][2] = {
        {"sec", "s"}, {"secs", "s"}, {"second", "s"}, {"seconds", "s"},
        {"msec", "ms"}, {"msecs", "ms"}, {"millisecond", "ms"}, {"milliseconds", "ms"},
        {"usec", "us"}, {"microsecond", "us"}, {"microseconds", "us"},
        {"volt", "V"}, {"volts", "V"}, {"millivolt", "mV"}, {"millivolts", "mV"},
        {"hertz", "Hz"}, {"ohm", "Ohm"}, {"ohms", "Ohm"}, {"megaohm", "MOhm"},
        {"Mohm", "MOhm"}, {"amp", "A"}, {"amps", "A"}, {"ampere", "A"},
        {"siemens", "S"}, {"farad", "F"},
    };
    for (unsigned i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i][0]) == 0)
            return aliases[i][1];
    return NULL;
}

static void check_expr(sema *S, ast_node *e, const expr_env *env);

/* The parser bounds the depth of one expression, but a name leads into
 * another (a named value, a function's body), and a chain of them could
 * still recurse off the stack. */
void sema_expr(sema *S, ast_node *e, const expr_env *env)
{
    enum { MAX_DEPTH = 2 * AST_MAX_DEPTH };
    if (!e)
        return;
    if (S->depth >= MAX_DEPTH) {
        if (!S->too_deep_reported)
            diag_error(S->diag, e->loc, "expression is nested too deeply (limit is %d levels, "
                       "counting those of the named values it uses)", MAX_DEPTH);
        S->too_deep_reported = true;
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
    S->depth++;
    check_expr(S, e, env);
    S->depth--;
}

static void check_expr(sema *S, ast_node *e, const expr_env *env)
{
    switch (e->kind) {
    case AST_NUM: {
        if (!e->name) {
            expr_set(e, TY_NUM, DIM_FREE);
            e->pure = 1;
            return;
        }
        const unit_def *u = unit_find(e->name);
        if (!u) {
            diag *g = diag_error(S->diag, e->loc, "unknown unit '%s'", e->name);
            unsigned n;
            const char *const *names = unit_names(&n);
            const char *meant = unit_alias(e->name, names, n);
            if (meant)
                diag_hint(S->diag, g, "did you mean '%s'?", meant);
            else if (closest_name(e->name, names, n))
                diag_suggest(S->diag, g, e->name, names, n);
            else
                diag_hint(S->diag, g, "units are s, ms, Hz, mV, pA, nS, pF, MOhm, step ...; "
                                      "a statement ends at the end of its line");
            expr_set(e, TY_ERROR, DIM_FREE);
            return;
        }
        expr_set(e, TY_NUM, dim_of_unit(u));
        return;
    }
    case AST_STR:
        expr_set(e, TY_STR, DIM_FREE);
        return;
    case AST_LIST:
        check_list(S, e, env);
        return;
    case AST_NAME:
        check_name(S, e, env);
        return;
    case AST_MEMBER:
        check_member(S, e, env);
        return;
    case AST_INDEX:
        check_index(S, e, env);
        return;
    case AST_CALL:
        sema_call(S, e, env, BI_MATH);
        return;
    case AST_BINARY:
        check_binary(S, e, env);
        return;
    case AST_UNARY:
        check_unary(S, e, env);
        return;
    case AST_ARROW:
        diag_error(S->diag, e->loc, "a projection ('->') can only be named in 'record' or 'analyze'");
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    case AST_SLICE:
        diag_error(S->diag, e->loc, "a slice ('a:b') can only stand inside [ ]");
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    case AST_NAMEDARG:
        diag_error(S->diag, e->loc, "a named argument ('%s = ...') is not allowed here; give the value alone",
                   e->name);
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    case AST_ERROR:
        expr_set(e, TY_ERROR, DIM_FREE);   /* reported by the parser */
        return;
    default:
        diag_error(S->diag, e->loc, "this is not an expression");
        expr_set(e, TY_ERROR, DIM_FREE);
        return;
    }
}

void sema_expect_dim(sema *S, ast_node *e, const expr_env *env, dim_t want, const char *what)
{
    sema_expr(S, e, env);
    if (expr_is_error(e))
        return;
    if (e->type != TY_NUM && e->type != TY_BOOL) {
        diag_error(S->diag, e->loc, "%s must be a number", what);
        return;
    }
    if (!dim_compatible(e->dim, want)) {
        diag *g = diag_error(S->diag, e->loc, "%s must be %s, but this is %s", what,
                             dim_phrase(S, want), dim_phrase(S, e->dim));
        /* Two slips easy to name in an equation: a time constant missing or extra.
         * (Not when a time is wanted, where they would read as nonsense.) */
        bool equation = want.known && !dim_is_one(want) && !dim_compatible(want, DIM_TIME_1);
        if (equation && dim_compatible(e->dim, dim_mul(want, DIM_TIME_1)))
            diag_hint(S->diag, g, "a rate of change is divided by a time, e.g. '-v / tau'");
        else if (equation && dim_compatible(e->dim, dim_div(want, DIM_TIME_1)))
            diag_hint(S->diag, g, "this is a rate of change: use a 'd/dt' equation, "
                                  "or multiply by a time such as dt");
    }
}

void sema_expect_bool(sema *S, ast_node *e, const expr_env *env, const char *what)
{
    sema_expr(S, e, env);
    if (!expr_is_error(e) && e->type != TY_BOOL) {
        static const char *const what_is[] = {
            [TY_NUM] = "a number", [TY_STR] = "a string", [TY_LIST] = "a list",
            [TY_GROUP] = "a population", [TY_PROJ] = "a projection",
        };
        diag *g = diag_error(S->diag, e->loc, "%s must be a comparison, but this is %s", what,
                             e->type < TY_ERROR && what_is[e->type] ? what_is[e->type] : "not one");
        diag_hint(S->diag, g, "compare, e.g. 'v > v_th'");
    }
}

bool sema_const_size(sema *S, ast_node *e, scope *sc, const char *what, double *out)
{
    expr_env env = {sc, 0, "a size"};
    *out = 0;
    sema_expr(S, e, &env);
    if (expr_is_error(e))
        return false;
    double v;
    if (e->type != TY_NUM || !const_value(e, NULL, &v)) {
        diag *g = diag_error(S->diag, e->loc, "the size of %s must be a constant", what);
        diag_hint(S->diag, g, "a size is a whole number, or is computed from numbers and parameters");
        return false;
    }
    /* The unit first: '100 ms' is 0.1 in seconds, which is no help to read. */
    if (e->dim.known && !dim_is_one(e->dim)) {
        diag *g = diag_error(S->diag, e->loc, "the size of %s is a count, but this is %s", what,
                             dim_phrase(S, e->dim));
        diag_hint(S->diag, g, "write a plain whole number, e.g. [100]");
        return false;
    }
    if (v > 1e8 && v == floor(v)) {
        diag_error(S->diag, e->loc, "the size of %s must be a positive whole number of at "
                   "most 100000000, not %g", what, v);
        return false;
    }
    if (!(v >= 1) || v != floor(v)) {
        diag_error(S->diag, e->loc, "the size of %s must be a positive whole number, not %g",
                   what, v);
        return false;
    }
    *out = v;
    return true;
}
