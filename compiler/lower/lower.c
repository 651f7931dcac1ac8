/* lower.c -- neuron equations from the checked syntax tree to expression
 * graphs, and their symbolic adjoint (see lower.h). */
#include "lower.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "rt_rng.h"
#include "sema.h"

/* An error at AT, once: the expression of a let or an output is lowered
 * once per phase and context (the initial outputs are lowered again in a
 * graph of their own). Returns the diagnostic for a hint, or NULL. */
diag *lower_fail(lowering *L, const ast_node *at, const char *fmt, ...)
{
    L->failed++;
    if (!L->diag)
        return NULL;
    for (unsigned i = 0; i < L->n_reported; i++)
        if (L->reported[i] == at)
            return NULL;
    if (L->n_reported < MAX_REPORTED)
        L->reported[L->n_reported++] = at;
    src_loc none = {0, 0, 0, 0};
    va_list ap;
    va_start(ap, fmt);
    diag *g = diag_verror(L->diag, at ? at->loc : none, fmt, ap);
    va_end(ap);
    return g;
}

static ir_ref lower_expr(lowering *L, const ast_node *e, phase ph, const arg_frame *args);

ir_ref lower_expression(lowering *L, const ast_node *e)
{
    return lower_expr(L, e, PHASE_START, NULL);
}

/* The graph and the end-of-step states that names are lowered against: what
 * the memo's refs mean, so changing either forgets them. */
void lower_set_context(lowering *L, ir_graph *g, const ir_ref *next)
{
    L->g = g;
    L->next = next;
    lower_memo_clear(&L->memo);
}

/* The value of a let, an output or a parameter's default, DEF its symbol:
 * lowered at its first use in PHASE, the same ref at every later one. */
static ir_ref lower_definition(lowering *L, const symbol *def, phase ph)
{
    ir_ref r;
    if (lower_memo_find(&L->memo, def, ph, NULL, 0, &r))
        return r;
    r = lower_expr(L, def->value, ph, NULL);
    lower_memo_add(&L->memo, def, ph, NULL, 0, r);
    return r;
}

static int index_of(const symbol **list, unsigned n, const symbol *s)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == s)
            return (int)i;
    return -1;
}

/* The constants of the equations, as consteval.c values them: a number or
 * a unit used as a value ('ms') in SI with 'step' one dt, and the built-in
 * names bound (fan_in) or known ('dt'). */
static ir_ref lower_constant_leaf(lowering *L, const ast_node *e)
{
    double v;
    if (const_value(e, &L->env, &v))
        return ir_const(L->g, v);
    if (e->kind == AST_NAME && e->sym) {   /* a built-in name: 't' */
        diag *g = lower_fail(L, e, "'%s' in a neuron's equations is not available yet: a neuron's update "
                             "cannot depend on the time", e->name);
        if (g)
            diag_hint(L->diag, g, "keep the time in a state of its own: 'state clock = 0' with "
                                  "'dclock/dt = 1'");
    } else if (e->kind == AST_NAME) {
        lower_fail(L, e, "'%s' has no value", e->name);
    } else {
        lower_fail(L, e, "this number has no value");
    }
    return ir_const(L->g, 0);
}

static ir_ref lower_name(lowering *L, const ast_node *e, phase ph, const arg_frame *args)
{
    const symbol *s = e->sym;
    if (!s)   /* a unit used as a value: 'ms' */
        return lower_constant_leaf(L, e);
    switch (s->kind) {
    case SYM_PARAM: {
        const const_binding *b = const_env_find(&L->env, s->name);
        if (b && (!L->neuron || s->owner == L->neuron || !s->owner))
            return ir_const(L->g, b->value);
        return lower_definition(L, s, ph);
    }
    case SYM_STATE:
    case SYM_SPIKE: {   /* the spike is a state: the last step's spike, or this step's at the end */
        int i = index_of(L->states, L->n_states, s);
        if (i < 0)
            break;
        return ph == PHASE_END && L->next ? L->next[i] : ir_var(L->g, (uint32_t)i);
    }
    case SYM_PORT: {
        int i = index_of(L->ports, L->n_ports, s);
        if (i < 0)
            break;
        return ir_var(L->g, L->n_states + (uint32_t)i);
    }
    case SYM_SIDE:   /* 'pre', 'post': what the side sends */
        if (L->rule) {
            ir_ref r = L->rule->member(L->rule->ctx, strcmp(s->name, "post") == 0, "");
            if (r != NO_REF)
                return r;
        }
        break;
    case SYM_TRACE:
        if (L->rule)
            for (unsigned i = 0; i < L->rule->n_traces; i++)
                if (L->rule->traces[i] == s)
                    return L->rule->trace_now[i];
        break;
    case SYM_LET:   /* a let reads the neuron's names only, never a function's arguments */
        return lower_definition(L, s, ph);
    case SYM_OUTPUT:
        return lower_definition(L, s, PHASE_END);
    case SYM_BUILTIN:
        if (L->rule && strcmp(s->name, "w") == 0)
            return L->rule->w_now;
        return lower_constant_leaf(L, e);
    case SYM_ARG:
        for (const arg_frame *f = args; f; f = f->outer) {
            const ast_node *params = f->function->first;   /* BLOCK of NAME arguments */
            unsigned i = 0;
            for (const ast_node *p = params->first; p; p = p->next, i++)
                if (p->name == s->name && i < f->count)
                    return f->values[i];
        }
        break;
    default:
        break;
    }
    lower_fail(L, e, "'%s' (%s) cannot be used in a compiled expression", e->name, sym_kind_name(s->kind));
    return ir_const(L->g, 0);
}

static ir_op binary_op(int op)
{
    switch (op) {
    case OP_ADD: return IR_ADD;
    case OP_SUB: return IR_SUB;
    case OP_MUL: return IR_MUL;
    case OP_DIV: return IR_DIV;
    case OP_POW: return IR_POW;
    case OP_LT: return IR_LT;
    case OP_LE: return IR_LE;
    case OP_GT: return IR_GT;
    case OP_GE: return IR_GE;
    case OP_EQ: return IR_EQ;
    case OP_NE: return IR_NE;
    case OP_AND: return IR_AND;
    case OP_OR: return IR_OR;
    default: return IR_OP_COUNT;
    }
}

/* The mathematical functions of one argument, by name. */
static const struct {
    const char *name;
    ir_op op;
} unary_functions[] = {
    {"exp", IR_EXP}, {"log", IR_LOG}, {"tanh", IR_TANH}, {"sigmoid", IR_SIGMOID},
    {"sin", IR_SIN}, {"cos", IR_COS}, {"relu", IR_RELU}, {"abs", IR_ABS},
    {"floor", IR_FLOOR}, {"round", IR_ROUND}, {"sqrt", IR_SQRT},
    {"heaviside", IR_HEAVISIDE}, {"sign", IR_SIGN}, {"stop_gradient", IR_STOPGRAD},
};

static unsigned lower_args(lowering *L, const ast_node *call, phase ph, const arg_frame *args,
                           ir_ref *out)
{
    unsigned n = 0;
    for (const ast_node *k = call->first ? call->first->first : NULL; k; k = k->next) {
        if (n == MAX_ARGS) {
            lower_fail(L, call, "'%s' has more than %d arguments", call->name, MAX_ARGS);
            break;
        }
        out[n++] = lower_expr(L, k->kind == AST_NAMEDARG ? k->first : k, ph, args);
    }
    return n;
}

static ir_ref lower_math(lowering *L, const ast_node *call, const ir_ref *v, unsigned n)
{
    for (unsigned i = 0; i < sizeof unary_functions / sizeof unary_functions[0]; i++)
        if (strcmp(call->name, unary_functions[i].name) == 0 && n == 1)
            return ir_unary(L->g, unary_functions[i].op, v[0]);
    if (strcmp(call->name, "where") == 0 && n == 3)
        return ir_select(L->g, v[0], v[1], v[2]);
    if (strcmp(call->name, "clip") == 0 && n == 3)
        return ir_binary(L->g, IR_MIN, ir_binary(L->g, IR_MAX, v[0], v[1]), v[2]);
    int is_min = strcmp(call->name, "min") == 0;
    if ((is_min || strcmp(call->name, "max") == 0) && n >= 2) {
        ir_ref r = v[0];
        for (unsigned i = 1; i < n; i++)
            r = ir_binary(L->g, is_min ? IR_MIN : IR_MAX, r, v[i]);
        return r;
    }
    lower_fail(L, call, "'%s' cannot be compiled here", call->name);
    return ir_const(L->g, 0);
}

/* FN's body with the argument values of FRAME: lowered once per distinct
 * values (refs, so equal values are equal keys) and phase. */
static ir_ref lower_application(lowering *L, const ast_node *fn, arg_frame *frame, phase ph,
                                const arg_frame *outer)
{
    ir_ref r;
    if (lower_memo_find(&L->memo, fn, ph, frame->values, frame->count, &r))
        return r;
    frame->function = fn;
    frame->outer = outer;
    r = lower_expr(L, fn->first->next, ph, frame);
    lower_memo_add(&L->memo, fn, ph, frame->values, frame->count, r);
    return r;
}

/* A random draw in a neuron: the call's own variable (after the ports),
 * turned into the distribution asked for; the arguments by place, named
 * ones included (normal(std = 2)). */
static ir_ref lower_draw(lowering *L, const ast_node *call, const builtin *b, phase ph, const arg_frame *args)
{
    unsigned d = 0;
    while (d < L->n_draws && L->draws[d] != call)
        d++;
    if (d == L->n_draws) {
        lower_fail(L, call, "%s() cannot be used here: random draws are made in a neuron's own equations",
                   call->name);
        return ir_const(L->g, 0);
    }
    ir_graph *g = L->g;
    ir_ref v = ir_var(g, L->n_states + L->n_ports + d), a[3] = {NO_REF, NO_REF, NO_REF};
    unsigned place = 0;
    for (const ast_node *k = call->first ? call->first->first : NULL; k; k = k->next) {
        unsigned at = k->kind == AST_NAMEDARG ? (unsigned)builtin_keyword_index(b, k->name) : place++;
        if (at < 3)
            a[at] = lower_expr(L, k->kind == AST_NAMEDARG ? k->first : k, ph, args);
    }
    const char *f = call->name;
    if (strcmp(f, "uniform") == 0)
        return a[0] == NO_REF ? v : ir_binary(g, IR_ADD, a[0], ir_binary(g, IR_MUL, ir_binary(g, IR_SUB, a[1], a[0]), v));
    if (strcmp(f, "normal") == 0) {
        ir_ref mean = a[0] == NO_REF ? ir_const(g, 0) : a[0], std = a[1] == NO_REF ? ir_const(g, 1) : a[1];
        return ir_binary(g, IR_ADD, mean, ir_binary(g, IR_MUL, std, v));
    }
    if (strcmp(f, "bernoulli") == 0)
        return ir_binary(g, IR_LT, v, a[0]);
    if (strcmp(f, "poisson") == 0)
        return ir_binary(g, IR_LT, v, ir_binary(g, IR_MUL, a[0], ir_const(g, L->env.dt)));
    if (strcmp(f, "poisson_count") == 0) {
        ir_ref mean = ir_binary(g, IR_MUL, a[0], ir_const(g, L->env.dt));
        if (g->nodes[mean].op != IR_CONST) {
            diag *e = lower_fail(L, call, "poisson_count() in a neuron needs a constant rate: numbers and "
                                          "parameters only");
            if (e)
                diag_hint(L->diag, e, "for a rate that changes, draw a spike with 'poisson(rate)' (one event "
                                      "at most per step)");
        } else if (!(g->nodes[mean].value >= 0 && g->nodes[mean].value <= RT_POISSON_MAX_MEAN)) {
            lower_fail(L, call, "poisson_count() draws between 0 and %g events per step, and this rate asks "
                                "for %g", RT_POISSON_MAX_MEAN, g->nodes[mean].value);
        } else {
            L->draw_mean[d] = g->nodes[mean].value;
        }
        return v;
    }
    diag *e = lower_fail(L, call, "%s() in a neuron is not available yet", f);
    if (e)
        diag_hint(L->diag, e, "a neuron can draw uniform(), normal(), bernoulli(p), poisson(rate) and "
                              "poisson_count(rate)");
    return ir_const(g, 0);
}

/* sema marks builtin calls with their table entry; a call without one is a
 * call of a user-defined function, found among the global definitions. */
static ir_ref lower_call(lowering *L, const ast_node *call, phase ph, const arg_frame *args)
{
    const builtin *b = call->sym;
    const ast_node *fn = NULL;
    if (!b && L->fe) {
        fn = frontend_find_def(L->fe, call->name);
        if (fn && fn->kind != AST_FUNCTION)
            fn = NULL;
    }
    if (b && b->cls == BI_RANDOM)
        return lower_draw(L, call, b, ph, args);
    arg_frame frame = {0};
    frame.count = lower_args(L, call, ph, args, frame.values);
    if (fn)
        return lower_application(L, fn, &frame, ph, args);
    if (b && b->cls == BI_MATH)
        return lower_math(L, call, frame.values, frame.count);
    lower_fail(L, call, "'%s()' cannot be used in a neuron's equations", call->name);
    return ir_const(L->g, 0);
}

static ir_ref lower_expr(lowering *L, const ast_node *e, phase ph, const arg_frame *args)
{
    if (!e) {
        lower_fail(L, NULL, "an expression is missing");
        return ir_const(L->g, 0);
    }
    switch (e->kind) {
    case AST_NUM:
        return lower_constant_leaf(L, e);
    case AST_NAME:
        return lower_name(L, e, ph, args);
    case AST_UNARY: {
        ir_ref a = lower_expr(L, e->first, ph, args);
        return e->op == OP_NEG ? ir_unary(L->g, IR_NEG, a) : e->op == OP_NOT ? ir_unary(L->g, IR_NOT, a) : a;
    }
    case AST_BINARY: {
        ir_ref a = lower_expr(L, e->first, ph, args), b = lower_expr(L, e->first->next, ph, args);
        ir_op op = binary_op(e->op);
        if (op == IR_OP_COUNT) {
            diag *g = lower_fail(L, e, "the operator '%s' in a neuron's equations is not available yet",
                           ast_op_text((ast_op)e->op));
            if (g && e->op == OP_MOD)
                diag_hint(L->diag, g, "write a %% b as a - b * floor(a / b)");
            return a;
        }
        return ir_binary(L->g, op, a, b);
    }
    case AST_CALL:
        return lower_call(L, e, ph, args);
    case AST_MEMBER:   /* pre.x, post.y in a plasticity rule */
        if (L->rule && e->first->kind == AST_NAME) {
            ir_ref r = L->rule->member(L->rule->ctx, strcmp(e->first->name, "post") == 0, e->name);
            if (r != NO_REF)
                return r;
        }
        lower_fail(L, e, "'%s.%s' cannot be compiled here", e->first->kind == AST_NAME ? e->first->name : "?",
                   e->name);
        return ir_const(L->g, 0);
    default:
        lower_fail(L, e, "this %s cannot be compiled into a neuron's update", ast_kind_name((ast_kind)e->kind));
        return ir_const(L->g, 0);
    }
}

/* ------------------------------------------------------------ neurons */

void *lower_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        arena_out_of_memory();
    return p;
}

/* The random calls under E, in the order of the text, into L->draws
 * (counted only when L->draws is NULL). */
static void find_draws(lowering *L, const ast_node *e)
{
    if (!e)
        return;
    if (e->kind == AST_CALL && e->sym && ((const builtin *)e->sym)->cls == BI_RANDOM) {
        if (L->draws)
            L->draws[L->n_draws] = e;
        L->n_draws++;
    }
    for (const ast_node *c = e->first; c; c = c->next)
        find_draws(L, c);
}

/* The neuron's random draws: each call a port after the declared ones. */
static void collect_draws(lowering *L, neuron_ir *n, const ast_node *def)
{
    for (const ast_node *item = def->first; item; item = item->next)
        find_draws(L, item);
    unsigned count = L->n_draws;
    L->draws = lower_calloc(count, sizeof *L->draws);
    L->draw_mean = lower_calloc(count, sizeof *L->draw_mean);
    L->n_draws = 0;
    for (const ast_node *item = def->first; item; item = item->next)
        find_draws(L, item);
    n->n_draws = count;
    n->draws = lower_calloc(count, sizeof *n->draws);
    n->n_ports = L->n_ports + count;
    const char **names = lower_calloc(n->n_ports, sizeof *names);
    memcpy(names, n->port_names, L->n_ports * sizeof *names);
    for (unsigned d = 0; d < count; d++)
        names[L->n_ports + d] = "random draw";   /* no port name has a space */
    free(n->port_names);
    n->port_names = names;
}

/* The distribution each draw's variable is filled from. */
static void draw_kinds(lowering *L, neuron_ir *n)
{
    for (unsigned d = 0; d < n->n_draws; d++) {
        const char *f = L->draws[d]->name;
        n->draws[d].kind = strcmp(f, "normal") == 0 ? DRAW_NORMAL
                         : strcmp(f, "poisson_count") == 0 ? DRAW_POISSON : DRAW_UNIFORM;
        n->draws[d].mean = L->draw_mean[d];
    }
}

/* Collects the neuron's states, ports and outputs, in declaration order. */
static void collect_members(lowering *L, neuron_ir *n, const ast_node *def, const ast_node ***outputs)
{
    scope *sc = sema_def_scope(def);
    unsigned ns = 0, np = 0, no = 0;
    for (const ast_node *item = def->first; item; item = item->next) {
        unsigned count = 0;
        for (const ast_node *b = item->first; b; b = b->next)
            count++;
        if (item->kind == AST_STATE) ns += count;
        if (item->kind == AST_SPIKE || item->kind == AST_REFRACTORY) ns++;
        if (item->kind == AST_INPUT) np += count;
        if (item->kind == AST_OUTPUT) no += count;
    }
    L->states = lower_calloc(ns, sizeof *L->states);
    L->ports = lower_calloc(np, sizeof *L->ports);
    *outputs = lower_calloc(no, sizeof **outputs);
    n->state_names = lower_calloc(ns, sizeof *n->state_names);
    n->port_names = lower_calloc(np, sizeof *n->port_names);
    n->output_names = lower_calloc(no, sizeof *n->output_names);
    for (const ast_node *item = def->first; item; item = item->next)
        for (const ast_node *b = item->first; b; b = b->next) {
            if (item->kind == AST_STATE) {
                n->state_names[L->n_states] = b->name;
                L->states[L->n_states++] = scope_lookup_local(sc, b->name);
            } else if (item->kind == AST_INPUT) {
                n->port_names[L->n_ports] = b->name;
                L->ports[L->n_ports++] = scope_lookup_local(sc, b->name);
            } else if (item->kind == AST_OUTPUT) {
                n->output_names[n->n_outputs] = b->name;
                (*outputs)[n->n_outputs++] = b;
            }
        }
    /* a spiking neuron carries its spike, and its refractory count, as states */
    for (const ast_node *item = def->first; item; item = item->next)
        if (item->kind == AST_SPIKE) {
            L->spike = (int)L->n_states;
            n->state_names[L->n_states] = item->name;
            L->states[L->n_states++] = scope_lookup_local(sc, item->name);
        }
    for (const ast_node *item = def->first; item; item = item->next)
        if (item->kind == AST_REFRACTORY && L->spike >= 0) {
            L->refractory = (int)L->n_states;
            n->state_names[L->n_states] = "refractory";
            L->states[L->n_states++] = NULL;
        }
    n->n_states = L->n_states;
    n->n_ports = L->n_ports;
}

/* Whether the neuron integrates its equations exactly ('method exact'). */
static int integrates_exactly(const ast_node *def)
{
    for (const ast_node *item = def->first; item; item = item->next)
        if (item->kind == AST_METHOD)
            return strcmp(item->name, "exact") == 0;
    return 0;
}

/* x' for dx/dt = RHS over one step of X, state I. Euler: x + dt RHS. Exact:
 * RHS is a x + b with a constant (a the derivative of RHS in x, which must
 * not depend on x or on anything that changes) and b held over the step, so
 *     x' = x e^(a dt) + b (e^(a dt) - 1) / a,    b = RHS - a x,
 * the solution of the linear equation with piecewise-constant input. */
ir_ref lower_integrate(lowering *L, const ast_node *item, ir_graph *g, unsigned i, ir_ref rhs, int exact)
{
    ir_ref x = ir_var(g, i);
    double dt = L->env.dt;
    ir_ref euler = ir_binary(g, IR_ADD, x, ir_binary(g, IR_MUL, ir_const(g, dt), rhs));
    if (!exact)
        return euler;
    ir_ref a = ir_diff(g, rhs, i);
    if (g->nodes[a].op != IR_CONST) {
        diag *e = lower_fail(L, item, "'method exact' integrates equations linear in their state with a constant "
                                "coefficient; d%s/dt is not: its derivative in %s changes with the neuron's "
                                "variables", item->name, item->name);
        if (e)
            diag_hint(L->diag, e, "remove 'method exact' to integrate with Euler, or write the step "
                                  "yourself with '%s <- ...'", item->name);
        return euler;
    }
    double av = g->nodes[a].value;
    if (av == 0)
        return euler;   /* dx/dt does not depend on x: Euler's step is exact */
    ir_ref b = ir_binary(g, IR_SUB, rhs, ir_binary(g, IR_MUL, a, x));
    return ir_binary(g, IR_ADD, ir_binary(g, IR_MUL, x, ir_const(g, exp(av * dt))),
                     ir_binary(g, IR_MUL, b, ir_const(g, expm1(av * dt) / av)));
}

/* f: one expression per state, from its equation (or the state itself). */
static void lower_updates(lowering *L, neuron_ir *n, const ast_node *def)
{
    n->next = lower_calloc(n->n_states, sizeof *n->next);
    for (unsigned i = 0; i < n->n_states; i++)
        n->next[i] = ir_var(&n->g, i);
    scope *sc = sema_def_scope(def);
    int exact = integrates_exactly(def);
    for (const ast_node *item = def->first; item; item = item->next) {
        if (item->kind != AST_ODE && item->kind != AST_UPDATE)
            continue;
        int i = index_of(L->states, L->n_states, scope_lookup_local(sc, item->name));
        if (i < 0) {
            lower_fail(L, item, "'%s' is not a state of neuron '%s'", item->name, def->name);
            continue;
        }
        ir_ref rhs = lower_expr(L, item->first, PHASE_START, NULL);
        n->next[i] = item->kind == AST_UPDATE ? rhs   /* x <- g */
                   : lower_integrate(L, item, &n->g, (unsigned)i, rhs, exact);
    }
}

/* The margin of a spike condition: how far it is from switching, positive
 * when it holds (v - v_th for 'v > v_th'), whose derivative times the
 * surrogate is the spike's derivative. */
static ir_ref spike_margin(lowering *L, const ast_node *cond, int has_surrogate)
{
    if (cond->kind == AST_BINARY && (cond->op == OP_GT || cond->op == OP_GE || cond->op == OP_LT ||
                                     cond->op == OP_LE)) {
        ir_ref a = lower_expr(L, cond->first, PHASE_END, NULL);
        ir_ref b = lower_expr(L, cond->first->next, PHASE_END, NULL);
        int above = cond->op == OP_GT || cond->op == OP_GE;
        return ir_binary(L->g, IR_SUB, above ? a : b, above ? b : a);
    }
    if (!has_surrogate)   /* a spike with no surrogate has no derivative: 'spike z when poisson(rate)' */
        return ir_const(L->g, 0);
    lower_fail(L, cond, "a spike condition with a surrogate must be one comparison ('v > v_th'), so that the "
                  "surrogate has a variable to act through");
    return ir_const(L->g, 0);
}

/* The spike and what follows it, after the equations: the condition and
 * the surrogate read the updated states (before any reset); then the reset
 * assignments, all reading those same values, take effect where the neuron
 * spiked, as z (target - x) + x, so gradients see the reset through the
 * spike's surrogate. A refractory count R = round(T / dt) starts at the
 * spike and falls by one each step; while it is above 0 after falling, the
 * neuron cannot spike, its surrogate is 0 and the states a 'reset x = e'
 * sets stay at e (as NEST's eprop_iaf counts: the spike's step is the first
 * of the R). */
static void lower_spike(lowering *L, neuron_ir *n, const ast_node *def)
{
    const ast_node *spike = NULL, *surrogate = NULL, *refractory = NULL;
    for (const ast_node *item = def->first; item; item = item->next) {
        if (item->kind == AST_SPIKE) spike = item;
        if (item->kind == AST_SURROGATE) surrogate = item;
        if (item->kind == AST_REFRACTORY) refractory = item;
    }
    if (!spike || L->spike < 0)
        return;
    ir_graph *g = L->g;
    unsigned z = (unsigned)L->spike;
    lower_set_context(L, L->g, n->next);   /* next[z] is still the old spike */
    ir_ref cond = lower_expr(L, spike->first, PHASE_END, NULL);
    ir_ref margin = spike_margin(L, spike->first, surrogate != NULL);
    ir_ref psi = surrogate ? lower_expr(L, surrogate->first, PHASE_END, NULL) : ir_const(g, 0);
    ir_ref free_to_spike = ir_const(g, 1), count = 0, held_steps = 0;
    int refractory_on = refractory && L->refractory >= 0;
    if (refractory_on) {
        double T = 0;
        if (!const_value(refractory->first, &L->env, &T))
            lower_fail(L, refractory, "a refractory period must be a constant");
        held_steps = ir_const(g, round(T / L->env.dt));
        count = ir_binary(g, IR_MAX, ir_binary(g, IR_SUB, ir_var(g, (uint32_t)L->refractory), ir_const(g, 1)),
                          ir_const(g, 0));
        free_to_spike = ir_binary(g, IR_LT, count, ir_const(g, 0.5));
        cond = ir_binary(g, IR_AND, cond, free_to_spike);
        psi = ir_binary(g, IR_MUL, psi, free_to_spike);
    }
    ir_ref zn = ir_spike(g, cond, margin, psi);
    ir_ref *after = lower_calloc(n->n_states, sizeof *after);
    memcpy(after, n->next, n->n_states * sizeof *after);
    scope *sc = sema_def_scope(def);
    for (const ast_node *item = def->first; item; item = item->next) {
        if (item->kind != AST_RESET)
            continue;
        for (const ast_node *a = item->first; a; a = a->next) {
            const ast_node *lv = a->first;
            int k = index_of(L->states, L->n_states, scope_lookup_local(sc, lv->name));
            if (k < 0) {
                lower_fail(L, a, "'%s' is not a state of neuron '%s'", lv->name, def->name);
                continue;
            }
            ir_ref e = lower_expr(L, lv->next, PHASE_END, NULL), x = n->next[k];
            ir_ref target = a->op == OP_SET ? e
                          : ir_binary(g, a->op == OP_ADD_SET ? IR_ADD : a->op == OP_SUB_SET ? IR_SUB : IR_MUL, x, e);
            after[k] = ir_binary(g, IR_ADD, after[k],
                                 ir_binary(g, IR_MUL, zn, ir_binary(g, IR_SUB, target, x)));
            if (a->op == OP_SET && refractory_on)
                after[k] = ir_select(g, free_to_spike, after[k], e);
        }
    }
    memcpy(n->next, after, n->n_states * sizeof *after);
    free(after);
    n->next[z] = zn;
    if (refractory_on)
        n->next[L->refractory] = ir_select(g, zn, held_steps, count);
}

/* Sum of the terms a_k * d e_k / d var over the K expressions E. */
static ir_ref adjoint_sum(ir_graph *g, const ir_ref *e, unsigned k, uint32_t first_adj, uint32_t var)
{
    ir_ref *d = lower_calloc(k, sizeof *d);
    ir_diff_many(g, e, k, var, d);
    ir_ref sum = ir_const(g, 0);
    for (unsigned i = 0; i < k; i++)
        sum = ir_binary(g, IR_ADD, sum, ir_binary(g, IR_MUL, ir_var(g, first_adj + i), d[i]));
    free(d);
    return sum;
}

static void derive_adjoint(neuron_ir *n)
{
    unsigned K = n->n_states, P = n->n_ports, O = n->n_outputs;
    n->adj_state = lower_calloc(K, sizeof *n->adj_state);
    n->adj_port = lower_calloc(P, sizeof *n->adj_port);
    uint32_t a_out = K + P, a_next = K + P + O;
    for (unsigned v = 0; v < K + P; v++) {
        ir_ref through_state = adjoint_sum(&n->g, n->next, K, a_next, v);
        ir_ref through_output = adjoint_sum(&n->g, n->out, O, a_out, v);
        ir_ref total = ir_binary(&n->g, IR_ADD, through_state, through_output);
        if (v < K)
            n->adj_state[v] = total;
        else
            n->adj_port[v - K] = total;
    }
}

/* Values before the first step: the states' initial values, and the
 * outputs read from them with no input (the outputs are lowered once more
 * with the states standing for themselves, not for one step on). */
static void initial_values(lowering *L, neuron_ir *n, const ast_node *def,
                           const ast_node *const *outputs)
{
    n->state_init = lower_calloc(n->n_states, sizeof *n->state_init);
    for (unsigned i = 0; i < n->n_states; i++)
        if ((int)i != L->spike && (int)i != L->refractory &&
            !const_value(L->states[i]->value, &L->env, &n->state_init[i]))
            lower_fail(L, L->states[i]->decl, "the initial value of '%s' in neuron '%s' must be a constant",
                 n->state_names[i], def->name);
    double *vars = lower_calloc(n->n_states + n->n_ports, sizeof *vars);
    memcpy(vars, n->state_init, n->n_states * sizeof *vars);
    n->output_init = lower_calloc(n->n_outputs, sizeof *n->output_init);
    ir_graph g;
    ir_init(&g);
    ir_graph *saved = L->g;
    const ir_ref *saved_next = L->next;
    lower_set_context(L, &g, NULL);
    for (unsigned j = 0; j < n->n_outputs; j++)
        n->output_init[j] = ir_eval(&g, lower_expr(L, outputs[j]->first, PHASE_END, NULL), vars);
    lower_set_context(L, saved, saved_next);
    ir_free(&g);
    free(vars);
}

/* A unit written in E (a literal) for a value of dimension D, or NULL. */
static const unit_def *unit_written(const ast_node *e, dim_t d)
{
    if (!e)
        return NULL;
    if (e->kind == AST_NUM && e->name) {
        const unit_def *u = unit_find(e->name);
        return u && !u->per_step && memcmp(u->e, d.e, sizeof d.e) == 0 ? u : NULL;
    }
    for (const ast_node *c = e->first; c; c = c->next) {
        const unit_def *u = unit_written(c, d);
        if (u)
            return u;
    }
    return NULL;
}

/* The equation of state NAME in DEF (dv/dt = E or v <- E), its dimension
 * in *D (the state's: E's times a time for an ODE); NULL if none. */
static const ast_node *state_equation(const ast_node *def, const char *name, dim_t *d)
{
    for (const ast_node *item = def->first; item; item = item->next)
        if ((item->kind == AST_ODE || item->kind == AST_UPDATE) && strcmp(item->name, name) == 0 && item->first) {
            *d = item->kind == AST_ODE ? dim_mul(item->first->dim, DIM_TIME_1) : item->first->dim;
            return item->first;
        }
    return NULL;
}

/* The unit of each state (the one its initial value is written in, else
 * one written in its equation, else the usual one of its dimension: mV for
 * a voltage) and of each output that is a state. A state whose initial
 * value has no unit (w = 0) takes its dimension from its equation. Spikes
 * and refractory counts have none. */
static void declared_units(lowering *L, neuron_ir *n, const ast_node *def)
{
    n->state_unit = lower_calloc(n->n_states, sizeof *n->state_unit);
    n->output_unit = lower_calloc(n->n_outputs, sizeof *n->output_unit);
    n->state_dim = lower_calloc(n->n_states, sizeof *n->state_dim);
    n->output_dim = lower_calloc(n->n_outputs, sizeof *n->output_dim);
    for (unsigned i = 0; i < n->n_states; i++) {
        const symbol *s = L->states[i];
        if ((int)i == L->spike || !s)
            continue;
        dim_t of_equation = DIM_FREE;
        const ast_node *eq = state_equation(def, s->name, &of_equation);
        dim_t d = s->dim.known ? s->dim : of_equation;
        if (!d.known || dim_is_one(d))
            continue;
        n->state_dim[i] = d;
        n->state_unit[i] = unit_written(s->value, d);
        if (!n->state_unit[i])
            n->state_unit[i] = unit_written(eq, d);
        if (!n->state_unit[i])
            n->state_unit[i] = unit_for_dim(d);
    }
    for (unsigned j = 0; j < n->n_outputs; j++)
        for (unsigned i = 0; i < n->n_states; i++)
            if (n->out[j] == n->next[i]) {
                n->output_unit[j] = n->state_unit[i];
                n->output_dim[j] = n->state_dim[i];
            }
}

int lower_neuron(neuron_ir *n, const frontend *fe, const ast_node *def, double dt,
                 const const_binding *overrides, unsigned n_overrides, diag_ctx *diag)
{
    memset(n, 0, sizeof *n);
    n->neuron = def->name;
    ir_init(&n->g);
    lowering L = {.g = &n->g, .env = {.dt = dt, .bound = overrides, .n_bound = n_overrides},
                  .fe = fe, .neuron = def, .diag = diag, .spike = -1,
                  .refractory = -1};
    const ast_node **outputs = NULL;
    collect_members(&L, n, def, &outputs);
    collect_draws(&L, n, def);
    lower_updates(&L, n, def);
    lower_spike(&L, n, def);
    lower_set_context(&L, &n->g, n->next);   /* the states after the spike and its reset */
    n->out = lower_calloc(n->n_outputs, sizeof *n->out);
    for (unsigned j = 0; j < n->n_outputs; j++)
        n->out[j] = lower_expr(&L, outputs[j]->first, PHASE_END, NULL);
    derive_adjoint(n);
    initial_values(&L, n, def, outputs);
    declared_units(&L, n, def);
    n->spike_state = L.spike;
    draw_kinds(&L, n);
    lower_memo_clear(&L.memo);
    free(L.draws);
    free(L.draw_mean);
    free(outputs);
    free(L.states);
    free(L.ports);
    return L.failed ? -1 : 0;
}

void neuron_ir_free(neuron_ir *n)
{
    ir_free(&n->g);
    free(n->state_names);
    free(n->port_names);
    free(n->output_names);
    free(n->state_init);
    free(n->output_init);
    free(n->state_unit);
    free(n->output_unit);
    free(n->state_dim);
    free(n->output_dim);
    free(n->next);
    free(n->out);
    free(n->adj_state);
    free(n->adj_port);
    free(n->draws);
    memset(n, 0, sizeof *n);
}
