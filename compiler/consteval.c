/* consteval.c -- the value of a checked constant expression.
 *
 * Values are in SI units (30 ms is 0.03); a count of steps stays a count.
 * Names must already be resolved by sema_expr: a parameter's value is its
 * default or its -D override, evaluated in turn.
 */
#include <math.h>

#include "sema.h"

static bool eval_call(const ast_node *e, double *out)
{
    const builtin *b = e->sym;
    if (!b || b->cls != BI_MATH)
        return false;
    double a[3] = {0, 0, 0};
    unsigned n = 0;
    for (const ast_node *k = e->first ? e->first->first : NULL; k; k = k->next) {
        double v;
        if (k->kind == AST_NAMEDARG || !const_eval(k, &v))
            return false;
        if (n < 3)
            a[n] = v;
        else if (b->rule == DR_SAME)   /* min/max of many */
            a[1] = (b->name[1] == 'i') ? fmin(a[1], v) : fmax(a[1], v);
        n++;
    }
    const char *f = b->name;
    switch (f[0]) {
    case 'e': *out = exp(a[0]); return true;
    case 'l': *out = log(a[0]); return true;
    case 't': *out = tanh(a[0]); return true;
    case 's':
        if (f[1] == 'i' && f[2] == 'g' && f[3] == 'm') *out = 1 / (1 + exp(-a[0]));
        else if (f[1] == 'i' && f[2] == 'g') *out = (a[0] > 0) - (a[0] < 0);
        else if (f[1] == 'i') *out = sin(a[0]);
        else *out = sqrt(a[0]);
        return true;
    case 'c':
        if (f[1] == 'o') *out = cos(a[0]);
        else *out = fmin(fmax(a[0], a[1]), a[2]);
        return true;
    case 'r':
        *out = f[1] == 'e' ? fmax(0, a[0]) : round(a[0]);
        return true;
    case 'a': *out = fabs(a[0]); return true;
    case 'f': *out = floor(a[0]); return true;
    case 'h': *out = a[0] > 0; return true;
    case 'm':
        *out = f[1] == 'i' ? fmin(a[0], a[1]) : fmax(a[0], a[1]);
        return true;
    }
    return false;
}

static bool eval_binary(int op, double l, double r, double *out)
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

bool const_eval(const ast_node *e, double *out)
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
        s->visiting = 1;   /* a parameter defined through itself is not constant */
        bool ok = const_eval(s->value, out);
        s->visiting = 0;
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
        return eval_binary(e->op, l, r, out);
    }
    case AST_CALL:
        return eval_call(e, out);
    default:
        return false;
    }
}
