/* ir.c -- the expression DAG: construction with folding and sharing,
 * symbolic differentiation, evaluation (see ir.h). */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

enum { IR_NONE = UINT32_MAX };

void ir_init(ir_graph *g)
{
    memset(g, 0, sizeof *g);
}

void ir_free(ir_graph *g)
{
    free(g->nodes);
    free(g->table);
    memset(g, 0, sizeof *g);
}

int ir_arity(ir_op op)
{
    static const int arity[IR_OP_COUNT] = {
#define X(op, text, n) n,
        IR_OPS(X)
#undef X
    };
    return op < IR_OP_COUNT ? arity[op] : 0;
}

const char *ir_op_name(ir_op op)
{
    static const char *const names[IR_OP_COUNT] = {
#define X(op, text, n) text,
        IR_OPS(X)
#undef X
    };
    return op < IR_OP_COUNT ? names[op] : "?";
}

/* ---------------------------------------------------------------- sharing */

static uint32_t node_hash(const ir_node *n)
{
    uint64_t bits;
    memcpy(&bits, &n->value, sizeof bits);
    uint64_t h = n->op;
    h = h * 0x9E3779B97F4A7C15u ^ n->a;
    h = h * 0x9E3779B97F4A7C15u ^ n->b;
    h = h * 0x9E3779B97F4A7C15u ^ n->c;
    h = h * 0x9E3779B97F4A7C15u ^ bits;
    h = h * 0x9E3779B97F4A7C15u ^ n->var;
    return (uint32_t)(h ^ (h >> 32));
}

static int node_equal(const ir_node *x, const ir_node *y)
{
    return x->op == y->op && x->a == y->a && x->b == y->b && x->c == y->c && x->var == y->var &&
           memcmp(&x->value, &y->value, sizeof x->value) == 0;
}

static void grow_table(ir_graph *g)
{
    uint32_t cap = g->table_cap ? g->table_cap * 2 : 64;
    ir_ref *table = calloc(cap, sizeof *table);
    if (!table)
        arena_out_of_memory();
    for (uint32_t i = 0; i < g->count; i++) {
        uint32_t j = node_hash(&g->nodes[i]) & (cap - 1);
        while (table[j])
            j = (j + 1) & (cap - 1);
        table[j] = i + 1;
    }
    free(g->table);
    g->table = table;
    g->table_cap = cap;
}

/* The node equal to N, made if it does not exist yet. */
static ir_ref intern_node(ir_graph *g, const ir_node *n)
{
    if ((g->count + 1) * 2 > g->table_cap)
        grow_table(g);
    uint32_t j = node_hash(n) & (g->table_cap - 1);
    while (g->table[j]) {
        if (node_equal(&g->nodes[g->table[j] - 1], n))
            return g->table[j] - 1;
        j = (j + 1) & (g->table_cap - 1);
    }
    if (g->count == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 64;
        ir_node *nodes = realloc(g->nodes, cap * sizeof *nodes);
        if (!nodes)
            arena_out_of_memory();
        g->nodes = nodes;
        g->cap = cap;
    }
    g->nodes[g->count] = *n;
    g->table[j] = g->count + 1;
    return g->count++;
}

/* ---------------------------------------------------------------- arithmetic */

static double sigmoid(double x)
{
    return 1 / (1 + exp(-x));
}

/* The one definition of every operator's value, used by folding and eval. */
static double apply(ir_op op, double a, double b, double c)
{
    switch (op) {
    case IR_ADD: return a + b;
    case IR_SUB: return a - b;
    case IR_MUL: return a * b;
    case IR_DIV: return a / b;
    case IR_POW: return pow(a, b);
    case IR_NEG: return -a;
    case IR_EXP: return exp(a);
    case IR_LOG: return log(a);
    case IR_TANH: return tanh(a);
    case IR_SIGMOID: return sigmoid(a);
    case IR_SIN: return sin(a);
    case IR_COS: return cos(a);
    case IR_SQRT: return sqrt(a);
    case IR_ABS: return fabs(a);
    case IR_RELU: return a > 0 ? a : 0;
    case IR_HEAVISIDE: return a > 0;
    case IR_SIGN: return (a > 0) - (a < 0);
    case IR_FLOOR: return floor(a);
    case IR_ROUND: return round(a);
    case IR_MAX: return a > b ? a : b;
    case IR_MIN: return a < b ? a : b;
    case IR_LT: return a < b;
    case IR_LE: return a <= b;
    case IR_GT: return a > b;
    case IR_GE: return a >= b;
    case IR_EQ: return a == b;
    case IR_NE: return a != b;
    case IR_AND: return a != 0 && b != 0;
    case IR_OR: return a != 0 || b != 0;
    case IR_NOT: return a == 0;
    case IR_SELECT: return a != 0 ? b : c;
    case IR_STOPGRAD: return a;
    case IR_SPIKE: return a != 0;
    default: return NAN;
    }
}

int ir_is_const(const ir_graph *g, ir_ref e, double value)
{
    return g->nodes[e].op == IR_CONST && g->nodes[e].value == value;
}

static int is_constant(const ir_graph *g, ir_ref e)
{
    return g->nodes[e].op == IR_CONST;
}

ir_ref ir_const(ir_graph *g, double value)
{
    ir_node n = {.op = IR_CONST, .value = value};
    return intern_node(g, &n);
}

ir_ref ir_var(ir_graph *g, uint32_t var)
{
    ir_node n = {.op = IR_VAR, .var = var};
    return intern_node(g, &n);
}

ir_ref ir_unary(ir_graph *g, ir_op op, ir_ref a)
{
    if (is_constant(g, a))
        return ir_const(g, apply(op, g->nodes[a].value, 0, 0));
    if (op == IR_NEG && g->nodes[a].op == IR_NEG)
        return g->nodes[a].a;                               /* --x = x */
    ir_node n = {.op = (uint8_t)op, .a = a};
    return intern_node(g, &n);
}

static int commutes(ir_op op)
{
    return op == IR_ADD || op == IR_MUL || op == IR_MAX || op == IR_MIN || op == IR_EQ ||
           op == IR_NE || op == IR_AND || op == IR_OR;
}

/* Is E = x * c with c a constant? */
static int scaled(const ir_graph *g, ir_ref e, ir_ref *x, double *c)
{
    const ir_node *n = &g->nodes[e];
    if (n->op != IR_MUL)
        return 0;
    if (is_constant(g, n->a)) {
        *x = n->b;
        *c = g->nodes[n->a].value;
        return 1;
    }
    if (is_constant(g, n->b)) {
        *x = n->a;
        *c = g->nodes[n->b].value;
        return 1;
    }
    return 0;
}

/* Identities that make a derivative readable and its code short. Dividing
 * by a constant becomes multiplying by its reciprocal, and constant factors
 * merge, so the Euler step h + dt * (f - h) / tau costs one multiplication
 * by dt / tau (a last-bit difference from the division, the same in the
 * compiled kernels and in ir_eval). */
static ir_ref simplify(ir_graph *g, ir_op op, ir_ref a, ir_ref b)
{
    ir_ref x;
    double c;
    switch (op) {
    case IR_ADD:
        if (ir_is_const(g, a, 0)) return b;
        if (ir_is_const(g, b, 0)) return a;
        if (g->nodes[b].op == IR_NEG) return ir_binary(g, IR_SUB, a, g->nodes[b].a);
        break;
    case IR_SUB:
        if (ir_is_const(g, b, 0)) return a;
        if (ir_is_const(g, a, 0)) return ir_unary(g, IR_NEG, b);
        if (a == b) return ir_const(g, 0);
        if (g->nodes[b].op == IR_NEG) return ir_binary(g, IR_ADD, a, g->nodes[b].a);
        break;
    case IR_MUL:
        if (ir_is_const(g, a, 0) || ir_is_const(g, b, 0)) return ir_const(g, 0);
        if (ir_is_const(g, a, 1)) return b;
        if (ir_is_const(g, b, 1)) return a;
        if (ir_is_const(g, a, -1)) return ir_unary(g, IR_NEG, b);
        if (ir_is_const(g, b, -1)) return ir_unary(g, IR_NEG, a);
        if (is_constant(g, a) && scaled(g, b, &x, &c))
            return ir_binary(g, IR_MUL, x, ir_const(g, c * g->nodes[a].value));
        if (is_constant(g, b) && scaled(g, a, &x, &c))
            return ir_binary(g, IR_MUL, x, ir_const(g, c * g->nodes[b].value));
        break;
    case IR_DIV:
        if (ir_is_const(g, a, 0)) return ir_const(g, 0);
        if (ir_is_const(g, b, 1)) return a;
        if (is_constant(g, b) && g->nodes[b].value != 0 && isfinite(1 / g->nodes[b].value))
            return ir_binary(g, IR_MUL, a, ir_const(g, 1 / g->nodes[b].value));
        break;
    case IR_POW:
        if (ir_is_const(g, b, 1)) return a;
        if (ir_is_const(g, b, 0)) return ir_const(g, 1);
        break;
    default:
        break;
    }
    return IR_NONE;
}

ir_ref ir_binary(ir_graph *g, ir_op op, ir_ref a, ir_ref b)
{
    if (is_constant(g, a) && is_constant(g, b))
        return ir_const(g, apply(op, g->nodes[a].value, g->nodes[b].value, 0));
    ir_ref s = simplify(g, op, a, b);
    if (s != IR_NONE)
        return s;
    if (commutes(op) && a > b) {
        ir_ref t = a;
        a = b;
        b = t;
    }
    ir_node n = {.op = (uint8_t)op, .a = a, .b = b};
    return intern_node(g, &n);
}

ir_ref ir_select(ir_graph *g, ir_ref cond, ir_ref then_value, ir_ref else_value)
{
    if (is_constant(g, cond))
        return g->nodes[cond].value != 0 ? then_value : else_value;
    if (then_value == else_value)
        return then_value;
    ir_node n = {.op = IR_SELECT, .a = cond, .b = then_value, .c = else_value};
    return intern_node(g, &n);
}

ir_ref ir_spike(ir_graph *g, ir_ref cond, ir_ref arg, ir_ref psi)
{
    if (is_constant(g, cond))
        return ir_const(g, g->nodes[cond].value != 0);
    ir_node n = {.op = IR_SPIKE, .a = cond, .b = arg, .c = psi};
    return intern_node(g, &n);
}

/* ---------------------------------------------------------------- derivatives */

static ir_ref mul(ir_graph *g, ir_ref a, ir_ref b) { return ir_binary(g, IR_MUL, a, b); }
static ir_ref add(ir_graph *g, ir_ref a, ir_ref b) { return ir_binary(g, IR_ADD, a, b); }
static ir_ref sub(ir_graph *g, ir_ref a, ir_ref b) { return ir_binary(g, IR_SUB, a, b); }
static ir_ref dvd(ir_graph *g, ir_ref a, ir_ref b) { return ir_binary(g, IR_DIV, a, b); }

/* d f(a) / d a for the functions of one argument; E is f(a) itself. */
static ir_ref outer_derivative(ir_graph *g, ir_op op, ir_ref e, ir_ref a)
{
    ir_ref one = ir_const(g, 1);
    switch (op) {
    case IR_NEG: return ir_const(g, -1);
    case IR_EXP: return e;                                            /* exp' = exp */
    case IR_LOG: return dvd(g, one, a);
    case IR_TANH: return sub(g, one, mul(g, e, e));                   /* 1 - tanh^2 */
    case IR_SIGMOID: return mul(g, e, sub(g, one, e));                /* s (1 - s) */
    case IR_SIN: return ir_unary(g, IR_COS, a);
    case IR_COS: return ir_unary(g, IR_NEG, ir_unary(g, IR_SIN, a));
    case IR_SQRT: return dvd(g, ir_const(g, 0.5), e);
    case IR_ABS: return ir_unary(g, IR_SIGN, a);
    case IR_RELU: return ir_unary(g, IR_HEAVISIDE, a);
    default: return ir_const(g, 0);   /* steps: heaviside, sign, floor, round, not */
    }
}

static ir_ref diff(ir_graph *g, ir_ref e, uint32_t var, ir_ref *memo)
{
    if (memo[e] != IR_NONE)
        return memo[e];
    ir_node n = g->nodes[e];   /* a copy: constructors may move the node array */
    ir_ref r;
    if (n.op == IR_CONST) {
        r = ir_const(g, 0);
    } else if (n.op == IR_VAR) {
        r = ir_const(g, n.var == var ? 1 : 0);
    } else if (ir_arity((ir_op)n.op) == 1) {
        ir_ref da = diff(g, n.a, var, memo);
        r = ir_is_const(g, da, 0) ? da : mul(g, outer_derivative(g, (ir_op)n.op, e, n.a), da);
    } else if (n.op == IR_SELECT) {
        r = ir_select(g, n.a, diff(g, n.b, var, memo), diff(g, n.c, var, memo));
    } else if (n.op == IR_SPIKE) {
        r = mul(g, n.c, diff(g, n.b, var, memo));
    } else {
        ir_ref da = diff(g, n.a, var, memo), db = diff(g, n.b, var, memo);
        switch (n.op) {
        case IR_ADD: r = add(g, da, db); break;
        case IR_SUB: r = sub(g, da, db); break;
        case IR_MUL: r = add(g, mul(g, da, n.b), mul(g, n.a, db)); break;
        case IR_DIV: /* (a/b)' = a'/b - a b' / b^2 */
            r = sub(g, dvd(g, da, n.b), dvd(g, mul(g, n.a, db), mul(g, n.b, n.b)));
            break;
        case IR_POW:
            if (ir_is_const(g, db, 0)) {   /* (a^k)' = k a^(k-1) a' */
                ir_ref k_minus_1 = sub(g, n.b, ir_const(g, 1));
                r = mul(g, mul(g, n.b, ir_binary(g, IR_POW, n.a, k_minus_1)), da);
            } else {                       /* (a^b)' = a^b (b' log a + b a'/a) */
                ir_ref inner = add(g, mul(g, db, ir_unary(g, IR_LOG, n.a)),
                                   dvd(g, mul(g, n.b, da), n.a));
                r = mul(g, e, inner);
            }
            break;
        case IR_MAX: r = ir_select(g, ir_binary(g, IR_GE, n.a, n.b), da, db); break;
        case IR_MIN: r = ir_select(g, ir_binary(g, IR_LE, n.a, n.b), da, db); break;
        default: r = ir_const(g, 0); break;   /* comparisons and logic are steps */
        }
    }
    memo[e] = r;
    return r;
}

void ir_diff_many(ir_graph *g, const ir_ref *e, unsigned k, uint32_t var, ir_ref *out)
{
    ir_ref last = 0;
    for (unsigned i = 0; i < k; i++)
        last = e[i] > last ? e[i] : last;
    ir_ref *memo = malloc((last + 1) * sizeof *memo);
    if (!memo)
        arena_out_of_memory();
    for (ir_ref i = 0; i <= last; i++)
        memo[i] = IR_NONE;
    /* operands precede nodes: memo[0..last] covers every cone, and a node
     * two expressions share is differentiated once */
    for (unsigned i = 0; i < k; i++)
        out[i] = diff(g, e[i], var, memo);
    free(memo);
}

ir_ref ir_diff(ir_graph *g, ir_ref e, uint32_t var)
{
    ir_ref r;
    ir_diff_many(g, &e, 1, var, &r);
    return r;
}

/* ---------------------------------------------------------------- evaluation */

double ir_eval(const ir_graph *g, ir_ref e, const double *vars)
{
    double *value = malloc((e + 1) * sizeof *value);
    if (!value)
        arena_out_of_memory();
    for (ir_ref i = 0; i <= e; i++) {   /* index order is an evaluation order */
        const ir_node *n = &g->nodes[i];
        if (n->op == IR_CONST)
            value[i] = n->value;
        else if (n->op == IR_VAR)
            value[i] = vars[n->var];
        else
            value[i] = apply((ir_op)n->op, value[n->a], ir_arity((ir_op)n->op) > 1 ? value[n->b] : 0,
                             ir_arity((ir_op)n->op) > 2 ? value[n->c] : 0);
    }
    double result = value[e];
    free(value);
    return result;
}

void ir_print(const ir_graph *g, ir_ref e, FILE *out)
{
    const ir_node *n = &g->nodes[e];
    int arity = ir_arity((ir_op)n->op);
    if (n->op == IR_CONST) {
        fprintf(out, "%.17g", n->value);
    } else if (n->op == IR_VAR) {
        fprintf(out, "v%u", (unsigned)n->var);
    } else if (arity == 2 && (n->op <= IR_POW || n->op >= IR_LT) && n->op != IR_MAX && n->op != IR_MIN) {
        fputc('(', out);
        ir_print(g, n->a, out);
        fprintf(out, " %s ", ir_op_name((ir_op)n->op));
        ir_print(g, n->b, out);
        fputc(')', out);
    } else {
        fprintf(out, "%s(", ir_op_name((ir_op)n->op));
        ir_print(g, n->a, out);
        if (arity > 1) {
            fputs(", ", out);
            ir_print(g, n->b, out);
        }
        if (arity > 2) {
            fputs(", ", out);
            ir_print(g, n->c, out);
        }
        fputc(')', out);
    }
}
