/* consteval.c -- the value of a checked constant expression.
 *
 * Values are in SI units (30 ms is 0.03); a count of steps stays a count.
 * Names must already be resolved by sema_expr: a parameter's value is its
 * default or its -D override, evaluated in turn.
 */
#include <math.h>
#include <string.h>

#include "sema.h"

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }
static double relu(double x) { return x > 0 ? x : 0; }
static double heaviside(double x) { return x > 0; }
static double sign(double x) { return (x > 0) - (x < 0); }
static double identity(double x) { return x; }

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

bool const_eval_math(const char *name, const double *args, unsigned n, double *out)
{
    for (unsigned i = 0; i < sizeof unary_math / sizeof unary_math[0]; i++)
        if (strcmp(name, unary_math[i].name) == 0) {
            *out = n == 1 ? unary_math[i].fn(args[0]) : NAN;
            return n == 1;
        }
    if (n == 0)
        return false;
    if (strcmp(name, "clip") == 0) {
        *out = n == 3 ? fmin(fmax(args[0], args[1]), args[2]) : NAN;
        return n == 3;
    }
    bool is_min = strcmp(name, "min") == 0;
    if (!is_min && strcmp(name, "max") != 0)
        return false;
    *out = args[0];
    for (unsigned i = 1; i < n; i++)
        *out = is_min ? fmin(*out, args[i]) : fmax(*out, args[i]);
    return true;
}

static bool eval_call(const ast_node *e, double *out)
{
    const builtin *b = e->sym;
    if (!b || b->cls != BI_MATH || !e->first)
        return false;
    double args[64];
    unsigned n = 0;
    for (const ast_node *k = e->first->first; k; k = k->next) {
        if (k->kind == AST_NAMEDARG || n == 64 || !const_eval(k, &args[n]))
            return false;
        n++;
    }
    return const_eval_math(b->name, args, n, out);
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

/* Each outermost const_eval call is one evaluation, numbered by eval_epoch:
 * within it a parameter's value is worked out once (p2 = p1 + p1,
 * p3 = p2 + p2, ... would otherwise take 2^n steps), and the recursion, which
 * names lead from one expression into another, stops at MAX_EVAL_DEPTH.
 * Between evaluations parameter values may change (a task called with
 * arguments), so nothing is kept from one to the next. The front end is
 * single-threaded. */
enum { MAX_EVAL_DEPTH = 2 * AST_MAX_DEPTH };
static unsigned long eval_epoch;
static unsigned eval_depth;

static bool eval_node(const ast_node *e, double *out);

bool const_eval(const ast_node *e, double *out)
{
    if (eval_depth == 0)
        eval_epoch++;
    if (eval_depth >= MAX_EVAL_DEPTH)
        return false;
    eval_depth++;
    bool ok = eval_node(e, out);
    eval_depth--;
    return ok;
}

static bool eval_node(const ast_node *e, double *out)
{
    if (!e || e->type == TY_ERROR)
        return false;
    switch (e->kind) {
    case AST_NUM: {
        const unit_def *u = e->name ? unit_find(e->name) : NULL;
        *out = e->num * (u ? u->scale : 1.0);
        return true;
    }
    case AST_NAME: {
        symbol *s = e->sym;
        if (!s) {
            const unit_def *u = unit_find(e->name);
            if (!u)
                return false;
            *out = u->scale;
            return true;
        }
        if (s->kind != SYM_PARAM || !s->value || s->visiting)
            return false;
        if (s->const_epoch == eval_epoch) {
            *out = s->const_value;
            return s->const_ok;
        }
        s->visiting = 1;   /* a parameter defined through itself is not constant */
        bool ok = const_eval(s->value, out);
        s->visiting = 0;
        s->const_epoch = eval_epoch;
        s->const_ok = ok;
        s->const_value = ok ? *out : 0;
        return ok;
    }
    case AST_UNARY: {
        double v;
        if (!const_eval(e->first, &v))
            return false;
        *out = e->op == OP_NEG ? -v : e->op == OP_NOT ? (v == 0) : v;
        return true;
    }
    case AST_BINARY: {
        double l, r;
        if (!const_eval(e->first, &l) || !const_eval(e->first->next, &r))
            return false;
        return const_eval_binary(e->op, l, r, out);
    }
    case AST_CALL:
        return eval_call(e, out);
    default:
        return false;
    }
}
