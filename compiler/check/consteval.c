/* consteval.c -- the value of a checked constant expression (see consteval.h).
 *
 * Values are in SI units (30 ms is 0.03); 'step' is one dt when the
 * environment knows dt, else a count. Names must already be resolved by
 * sema_expr: a parameter's value is its binding in the environment, else
 * its default or its -D override, evaluated in turn.
 */
#include "consteval.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "sema.h"

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }
static double relu(double x) { return x > 0 ? x : 0; }
static double heaviside(double x) { return x > 0; }
static double sign(double x) { return (x > 0) - (x < 0); }
static double identity(double x) { return x; }

/* min and max as ir.c folds them and the compiled kernels compute them (an
 * ordered comparison and a select), so that a constant has the same value
 * wherever it is evaluated, NaN included: not fmin/fmax, which drop a NaN. */
static double smaller(double a, double b) { return a < b ? a : b; }
static double larger(double a, double b) { return a > b ? a : b; }

/* The functions of one argument, by name; min, max and clip are below. */
static const struct {
    const char *name;
    double (*fn)(double);
} unary_math[] = {
    {"exp", exp}, {"log", log}, {"tanh", tanh}, {"sigmoid", sigmoid}, {"sin", sin},
    {"cos", cos}, {"relu", relu}, {"abs", fabs}, {"floor", floor}, {"round", round},
    {"sqrt", sqrt}, {"heaviside", heaviside}, {"sign", sign},
    {"stop_gradient", identity},
};

const_unary_fn const_math_unary(const char *name)
{
    for (unsigned i = 0; i < sizeof unary_math / sizeof unary_math[0]; i++)
        if (strcmp(name, unary_math[i].name) == 0)
            return unary_math[i].fn;
    return NULL;
}

bool const_eval_math(const char *name, const double *args, unsigned n, double *out)
{
    const_unary_fn fn = const_math_unary(name);
    if (fn) {
        *out = n == 1 ? fn(args[0]) : NAN;
        return n == 1;
    }
    if (n == 0)
        return false;
    if (strcmp(name, "where") == 0) {
        *out = n == 3 ? (args[0] != 0 ? args[1] : args[2]) : NAN;
        return n == 3;
    }
    if (strcmp(name, "clip") == 0) {
        *out = n == 3 ? smaller(larger(args[0], args[1]), args[2]) : NAN;
        return n == 3;
    }
    bool is_min = strcmp(name, "min") == 0;
    if (!is_min && strcmp(name, "max") != 0)
        return false;
    *out = args[0];
    for (unsigned i = 1; i < n; i++)
        *out = is_min ? smaller(*out, args[i]) : larger(*out, args[i]);
    return true;
}

bool const_eval_binary(int op, double l, double r, double *out)
{
    switch (op) {
    case OP_ADD: *out = l + r; return true;
    case OP_SUB: *out = l - r; return true;
    case OP_MUL: *out = l * r; return true;
    case OP_DIV: *out = l / r; return true;
    case OP_MOD: *out = fmod(l, r); return true;
    case OP_POW: *out = pow(l, r); return true;
    case OP_LT: *out = l < r; return true;
    case OP_LE: *out = l <= r; return true;
    case OP_GT: *out = l > r; return true;
    case OP_GE: *out = l >= r; return true;
    case OP_EQ: *out = l == r; return true;
    case OP_NE: *out = l != r; return true;
    case OP_AND: *out = l != 0 && r != 0; return true;
    case OP_OR: *out = l != 0 || r != 0; return true;
    }
    return false;
}

/* Each outermost const_value call is one evaluation, numbered by eval_epoch:
 * within it a parameter's value is worked out once (p2 = p1 + p1,
 * p3 = p2 + p2, ... would otherwise take 2^n steps), and the recursion, which
 * names lead from one expression into another, stops at MAX_EVAL_DEPTH.
 * Between evaluations parameter values may change (a task called with
 * arguments, another environment), so nothing is kept from one to the
 * next. Models may be compiled in several threads at once (librnnc), and
 * a model compiled in one thread planned again in another: the numbers
 * are drawn from one counter for all threads, so that no two evaluations
 * anywhere share one, and each thread keeps its own current evaluation. */
enum { MAX_EVAL_DEPTH = 2 * AST_MAX_DEPTH, MAX_CALL_ARGS = 64 };
static atomic_ulong evaluations;
static _Thread_local unsigned long eval_epoch;
static _Thread_local unsigned eval_depth;

static bool eval_node(const ast_node *e, const const_env *env, double *out);

bool const_value(const ast_node *e, const const_env *env, double *out)
{
    static const const_env nothing_known;
    if (!env)
        env = &nothing_known;
    if (eval_depth == 0)
        eval_epoch = atomic_fetch_add(&evaluations, 1) + 1;
    if (eval_depth >= MAX_EVAL_DEPTH)
        return false;
    eval_depth++;
    bool ok = eval_node(e, env, out);
    eval_depth--;
    return ok;
}

const const_binding *const_env_find(const const_env *env, const char *name)
{
    for (unsigned i = 0; env && i < env->n_bound; i++)
        if (strcmp(env->bound[i].name, name) == 0)
            return &env->bound[i];
    return NULL;
}

/* One U in SI; 'step' is one dt once dt is known (its scale is 1). */
static double unit_value(const unit_def *u, const const_env *env)
{
    return u->scale * (u->per_step && env->dt > 0 ? env->dt : 1);
}

/* A parameter's own value (not a binding), once per evaluation. */
static bool eval_param(symbol *s, const const_env *env, double *out)
{
    if (!s->value || s->visiting)
        return false;
    if (s->const_epoch == eval_epoch) {
        *out = s->const_cached;
        return s->const_ok;
    }
    s->visiting = 1;   /* a parameter defined through itself is not constant */
    bool ok = const_value(s->value, env, out);
    s->visiting = 0;
    s->const_epoch = eval_epoch;
    s->const_ok = ok;
    s->const_cached = ok ? *out : 0;
    return ok;
}

/* A unit used as a value ('ms'), a parameter, or a built-in name: a binding
 * in ENV first (fan_in, a task's argument), then 'dt' if ENV knows it. */
static bool eval_name(const ast_node *e, const const_env *env, double *out)
{
    symbol *s = e->sym;
    if (!s) {
        const unit_def *u = unit_find(e->name);
        if (u)
            *out = unit_value(u, env);
        return u != NULL;
    }
    if (s->kind != SYM_PARAM && s->kind != SYM_BUILTIN)
        return false;
    const const_binding *b = const_env_find(env, s->name);
    if (b) {
        *out = b->value;
        return true;
    }
    if (s->kind == SYM_PARAM)
        return eval_param(s, env, out);
    if (strcmp(s->name, "dt") == 0 && env->dt > 0) {
        *out = env->dt;
        return true;
    }
    return false;
}

/* A mathematical builtin with constant positional arguments. */
static bool eval_call(const ast_node *e, const const_env *env, double *out)
{
    const builtin *b = e->sym;
    if (!b || b->cls != BI_MATH || !e->first)
        return false;
    double args[MAX_CALL_ARGS];
    unsigned n = 0;
    for (const ast_node *k = e->first->first; k; k = k->next) {
        if (k->kind == AST_NAMEDARG || n == MAX_CALL_ARGS || !const_value(k, env, &args[n]))
            return false;
        n++;
    }
    return const_eval_math(b->name, args, n, out);
}

static bool eval_node(const ast_node *e, const const_env *env, double *out)
{
    if (!e || e->type == TY_ERROR)
        return false;
    switch (e->kind) {
    case AST_NUM: {
        const unit_def *u = e->name ? unit_find(e->name) : NULL;
        *out = e->num * (u ? unit_value(u, env) : 1.0);
        return true;
    }
    case AST_NAME:
        return eval_name(e, env, out);
    case AST_UNARY: {
        double v;
        if (!const_value(e->first, env, &v))
            return false;
        *out = e->op == OP_NEG ? -v : e->op == OP_NOT ? (v == 0) : v;
        return true;
    }
    case AST_BINARY: {
        double l, r;
        if (!const_value(e->first, env, &l) || !const_value(e->first->next, env, &r))
            return false;
        return const_eval_binary(e->op, l, r, out);
    }
    case AST_CALL:
        return eval_call(e, env, out);
    default:
        return false;
    }
}
