/* lower_rule.c -- a plasticity rule as expression graphs (see lower.h).
 *
 * The rule's statements are executed symbolically: each trace and the
 * weight holds its current value as an expression of the variables (the
 * values at the step's start, the neurons' values, the spikes), and every
 * statement replaces the value it changes. An 'on pre' assignment becomes
 * select(pre spike, new value, old value), so the three kernels are
 * straight-line code like a neuron's.
 */
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

enum { SIDE_PRE = 0, SIDE_POST = 1, SIDE_SYN = 2 };   /* SYN: a trace per synapse */

typedef struct rule_build {
    lowering L;
    rule_ir *r;
    const ast_node *def;
    const rule_side_info *info[2];
    const ast_node *at;             /* the connect's option, for errors about the pair of neurons */
    const symbol **traces;          /* pre traces first, then post */
    int *trace_side;
    unsigned n_traces;
    ir_ref *now;                    /* each trace's current value */
    rule_names names;
} rule_build;

static rule_side_ir *side_of(rule_build *B, int side)
{
    return side == SIDE_SYN ? &B->r->syn : side == SIDE_POST ? &B->r->post : &B->r->pre;
}

/* Which side a trace item declares: 'trace pre', 'trace post', or 'trace' alone (per synapse). */
static int item_side(const ast_node *item)
{
    return item->op == OP_PRE ? SIDE_PRE : item->op == OP_POST ? SIDE_POST : SIDE_SYN;
}

/* ---- what the rule reads */

static void add_value(rule_build *B, int post, const char *name)
{
    rule_side_ir *s = side_of(B, post);
    for (unsigned i = 0; i < s->n_values; i++)
        if (strcmp(s->value_names[i], name) == 0)
            return;
    s->value_names = realloc(s->value_names, (s->n_values + 1) * sizeof *s->value_names);
    if (!s->value_names)
        arena_out_of_memory();
    s->value_names[s->n_values++] = name;
}

/* Every pre.x and post.y of the rule, in the order they appear. */
static void collect_values(rule_build *B, const ast_node *n)
{
    int member = n->kind == AST_MEMBER && n->first && n->first->kind == AST_NAME && n->first->sym &&
                 ((const symbol *)n->first->sym)->kind == SYM_SIDE;
    for (const ast_node *k = n->first; k; k = k->next)
        if (!(member && k == n->first))
            collect_values(B, k);
    if (member)
        add_value(B, strcmp(n->first->name, "post") == 0, n->name);
    else if (n->kind == AST_NAME && n->sym && ((const symbol *)n->sym)->kind == SYM_SIDE)
        add_value(B, strcmp(n->name, "post") == 0, "");   /* 'pre' alone: what the side sends */
}

static void collect_traces(rule_build *B)
{
    scope *sc = sema_def_scope(B->def);
    unsigned count = 0;
    for (const ast_node *item = B->def->first; item; item = item->next)
        if (item->kind == AST_TRACE)
            for (const ast_node *b = item->first; b; b = b->next)
                count++;
    B->traces = lower_calloc(count, sizeof *B->traces);
    B->trace_side = lower_calloc(count, sizeof *B->trace_side);
    for (int side = SIDE_PRE; side <= SIDE_SYN; side++) {
        rule_side_ir *s = side_of(B, side);
        s->trace_names = lower_calloc(count, sizeof *s->trace_names);
        s->trace_init = lower_calloc(count, sizeof *s->trace_init);
        for (const ast_node *item = B->def->first; item; item = item->next) {
            if (item->kind != AST_TRACE || item_side(item) != side)
                continue;
            for (const ast_node *b = item->first; b; b = b->next) {
                if (!const_value(b->first, &B->L.env, &s->trace_init[s->n_traces]))
                    lower_fail(&B->L, b, "the initial value of trace '%s' must be a constant", b->name);
                s->trace_names[s->n_traces++] = b->name;
                B->trace_side[B->n_traces] = side;
                B->traces[B->n_traces++] = scope_lookup_local(sc, b->name);
            }
        }
    }
}

/* Variable numbers: the weight, the synapse traces, then per side its
 * values, its spike, its traces, then the bias. */
static void number_variables(rule_build *B)
{
    uint32_t v = 1;
    B->r->syn.first_trace = v;
    v += B->r->syn.n_traces;
    for (int side = SIDE_PRE; side <= SIDE_POST; side++) {
        rule_side_ir *s = side_of(B, side);
        s->first_value = v;
        v += s->n_values;
        s->spike = v++;
        s->first_trace = v;
        v += s->n_traces;
    }
    B->r->bias_var = v++;
    B->r->n_vars = v;
}

static ir_ref member_var(void *ctx, int post, const char *name)
{
    rule_build *B = ctx;
    rule_side_ir *s = side_of(B, post);
    for (unsigned i = 0; i < s->n_values; i++)
        if (strcmp(s->value_names[i], name) == 0)
            return ir_var(&B->r->g, s->first_value + i);
    return NO_REF;
}

/* The trace index of NAME, or -1 (the weight, or not a trace). */
static int trace_index(const rule_build *B, const char *name)
{
    for (unsigned i = 0; i < B->n_traces; i++)
        if (B->traces[i] && strcmp(B->traces[i]->name, name) == 0)
            return (int)i;
    return -1;
}

/* Traces are numbered pre, post, then synapse ones (collect_traces's order). */
static uint32_t trace_var(const rule_build *B, unsigned i)
{
    int side = B->trace_side[i];
    const rule_side_ir *s = side == SIDE_SYN ? &B->r->syn : side == SIDE_POST ? &B->r->post : &B->r->pre;
    unsigned before = side == SIDE_PRE ? 0 : side == SIDE_POST ? B->r->pre.n_traces
                                                               : B->r->pre.n_traces + B->r->post.n_traces;
    return s->first_trace + (i - before);
}

/* ---- the statements */

/* Whether E depends on a variable in [LO, HI). */
static int depends_on(const ir_graph *g, ir_ref e, uint32_t lo, uint32_t hi)
{
    unsigned char *seen = calloc(g->count ? g->count : 1, 1);
    ir_ref *stack = malloc((g->count + 1) * sizeof *stack);
    if (!seen || !stack)
        arena_out_of_memory();
    int found = 0, top = 0;
    stack[top++] = e;
    while (top > 0 && !found) {
        ir_ref k = stack[--top];
        if (seen[k])
            continue;
        seen[k] = 1;
        const ir_node *n = &g->nodes[k];
        if (n->op == IR_VAR) {
            found = n->var >= lo && n->var < hi;
            continue;
        }
        int arity = n->op == IR_CONST ? 0 : ir_arity((ir_op)n->op);
        if (arity >= 1) stack[top++] = n->a;
        if (arity >= 2) stack[top++] = n->b;
        if (arity >= 3) stack[top++] = n->c;
    }
    free(seen);
    free(stack);
    return found;
}

/* The values names stand for changed: forget what was lowered with the old ones. */
static void values_changed(rule_build *B)
{
    lower_set_context(&B->L, &B->r->g, NULL);
}

/* Step 1: every equation, each reading the values at the step's start. */
static void equations(rule_build *B)
{
    ir_graph *g = &B->r->g;
    ir_ref *next = lower_calloc(B->n_traces, sizeof *next);
    memcpy(next, B->now, B->n_traces * sizeof *next);
    ir_ref w_next = B->names.w_now;
    B->r->b_next = ir_var(g, B->r->bias_var);
    for (const ast_node *item = B->def->first; item; item = item->next) {
        if (item->kind == AST_ASSIGN && strcmp(item->first->name, "dw") == 0) {
            w_next = ir_binary(g, IR_ADD, w_next, lower_expression(&B->L, item->first->next));
            continue;
        }
        if (item->kind == AST_ASSIGN && strcmp(item->first->name, "db") == 0) {
            B->r->has_bias = 1;
            B->r->bias_at = item->first;
            B->r->b_next = ir_binary(g, IR_ADD, B->r->b_next, lower_expression(&B->L, item->first->next));
            continue;
        }
        if (item->kind != AST_ODE && item->kind != AST_UPDATE)
            continue;
        ir_ref rhs = lower_expression(&B->L, item->first);
        int i = trace_index(B, item->name);
        if (strcmp(item->name, "w") == 0) {
            w_next = item->kind == AST_UPDATE ? rhs : lower_integrate(&B->L, item, g, 0, rhs, 0);
        } else if (i >= 0) {
            next[i] = item->kind == AST_UPDATE ? rhs : lower_integrate(&B->L, item, g, trace_var(B, (unsigned)i), rhs, 0);
        } else {
            lower_fail(&B->L, item, "'%s' is neither a trace of rule '%s' nor its weight 'w'", item->name,
                       B->def->name);
        }
    }
    memcpy(B->now, next, B->n_traces * sizeof *next);
    B->names.w_now = w_next;
    free(next);
    values_changed(B);
}

static ir_ref assigned(ir_graph *g, int op, ir_ref old, ir_ref v)
{
    switch (op) {
    case OP_ADD_SET: return ir_binary(g, IR_ADD, old, v);
    case OP_SUB_SET: return ir_binary(g, IR_SUB, old, v);
    case OP_MUL_SET: return ir_binary(g, IR_MUL, old, v);
    default: return v;
    }
}

/* Steps 2 and 3: the 'on' blocks of SIDE, in order, where that side spiked. */
static void on_blocks(rule_build *B, int side)
{
    ir_graph *g = &B->r->g;
    rule_side_ir *s = side_of(B, side);
    const char *who = side ? "post" : "pre";
    for (const ast_node *item = B->def->first; item; item = item->next) {
        if (item->kind != AST_ON || (item->op == OP_POST) != side)
            continue;
        const rule_side_info *info = B->info[side];
        if (info->neuron && !info->spiking) {
            /* the connect is at fault, not the rule: reported there (pre at the
             * option, post at the rule's name, so that both are) */
            const ast_node *at = B->at && side && B->at->first ? B->at->first : B->at ? B->at : item;
            diag *e = lower_fail(&B->L, at, "rule '%s' acts 'on %s', where the %ssynaptic neuron spikes, and "
                                 "neuron '%s' of '%s' has no 'spike'", B->def->name, who, who, info->neuron,
                                 info->group);
            if (e)
                diag_hint(B->L.diag, e, "its 'on %s' is at %s:%u; attach the rule to a projection whose %s side "
                          "spikes, or write the change as 'dw = ...' from the neurons' values", who,
                          B->L.diag->sources->files[item->loc.file].path, (unsigned)item->loc.line, who);
            continue;
        }
        s->uses_spike = 1;
        ir_ref spiked = ir_var(g, s->spike);
        for (const ast_node *a = item->first; a; a = a->next) {
            const ast_node *lv = a->first;
            ir_ref v = lower_expression(&B->L, lv->next);
            int i = trace_index(B, lv->name);
            if (strcmp(lv->name, "w") == 0) {
                B->names.w_now = ir_select(g, spiked, assigned(g, a->op, B->names.w_now, v), B->names.w_now);
            } else if (i >= 0 && (B->trace_side[i] == side || B->trace_side[i] == SIDE_SYN)) {
                B->now[i] = ir_select(g, spiked, assigned(g, a->op, B->now[i], v), B->now[i]);
            } else if (i >= 0) {
                diag *e = lower_fail(&B->L, lv, "'on %s' changes '%s', a trace of the %ssynaptic side", who,
                                     lv->name, side ? "pre" : "post");
                if (e)
                    diag_hint(B->L.diag, e, "a trace jumps at its own neuron's spikes: move it into "
                                            "'on %s { ... }'", side ? "pre" : "post");
            }
            values_changed(B);
        }
    }
}

/* The traces of each side may depend only on that side and the constants:
 * a pre trace not on the weight (variable 0) or the post side's variables,
 * a post trace not on the weight or the pre side's. */
static void check_sides(rule_build *B)
{
    uint32_t post_first = B->r->post.first_value, pre_first = B->r->pre.first_value;
    for (unsigned i = 0; i < B->n_traces; i++) {
        int side = B->trace_side[i];
        const ir_graph *g = &B->r->g;
        if (side == SIDE_SYN)
            continue;   /* a synapse's trace may read anything */
        int reads_other = side ? depends_on(g, B->now[i], 0, post_first)
                               : depends_on(g, B->now[i], 0, pre_first) ||
                                     depends_on(g, B->now[i], post_first, B->r->n_vars);
        if (!reads_other)
            continue;
        const symbol *t = B->traces[i];
        diag *e = lower_fail(&B->L, t ? t->decl : B->def, "trace '%s' is kept per %ssynaptic neuron, but its "
                             "update reads the weight, a synapse's trace or the %ssynaptic side", t ? t->name : "?",
                             side ? "post" : "pre", side ? "pre" : "post");
        if (e)
            diag_hint(B->L.diag, e, "a quantity of both sides belongs in the weight's change ('dw = ...') or "
                                    "in a trace kept per synapse ('trace e = 0')");
    }
    if (B->r->has_bias && depends_on(&B->r->g, B->r->b_next, 0, post_first)) {
        diag *e = lower_fail(&B->L, B->r->bias_at, "'db' changes the bias of each postsynaptic neuron, but "
                             "its expression reads the weight or the presynaptic side");
        if (e)
            diag_hint(B->L.diag, e, "a bias change reads post.NAME, post traces and parameters only");
    }
}

/* ---- the outer-product form */

/* What E reads: bit 0 the pre side, bit 1 the post side, bit 2 the weight,
 * a synapse trace or the bias. */
static unsigned sides_read(const rule_build *B, ir_ref e)
{
    const rule_ir *r = B->r;
    unsigned read = 0;
    if (depends_on(&r->g, e, 0, r->pre.first_value) || depends_on(&r->g, e, r->bias_var, r->n_vars))
        read |= 4;
    if (depends_on(&r->g, e, r->pre.first_value, r->post.first_value))
        read |= 1;
    if (depends_on(&r->g, e, r->post.first_value, r->bias_var))
        read |= 2;
    return read;
}

/* E as POST * PRE, the first reading only the post side and constants, the
 * second only the pre side; 0 when E is no such product (of negations,
 * products and quotients). */
static int split_product(rule_build *B, ir_ref e, ir_ref *post, ir_ref *pre)
{
    ir_graph *g = &B->r->g;
    unsigned read = sides_read(B, e);
    if (read & 4)
        return 0;
    if (!(read & 1) || !(read & 2)) {
        *post = read & 1 ? ir_const(g, 1) : e;
        *pre = read & 1 ? e : ir_const(g, 1);
        return 1;
    }
    const ir_node n = g->nodes[e];   /* a copy: the graph grows below */
    ir_ref pa, qa, pb, qb;
    if (n.op == IR_NEG && split_product(B, n.a, &pa, &qa)) {
        *post = ir_unary(g, IR_NEG, pa);
        *pre = qa;
        return 1;
    }
    if ((n.op == IR_MUL || n.op == IR_DIV) && split_product(B, n.a, &pa, &qa) && split_product(B, n.b, &pb, &qb)) {
        *post = ir_binary(g, (ir_op)n.op, pa, pb);
        *pre = ir_binary(g, (ir_op)n.op, qa, qb);
        return 1;
    }
    return 0;
}

/* Whether the weight's new value is w + post * pre (see rule_ir.factored). */
static void factor_weights(rule_build *B)
{
    rule_ir *r = B->r;
    ir_graph *g = &r->g;
    const ir_node n = g->nodes[r->w_next];
    ir_ref w = ir_var(g, 0), change, post, pre;
    if (!r->syn.n_traces && r->w_next == w) {   /* no change at all (a rate of 0): rows of factor 0 */
        r->factored = 1;
        r->post_factor = ir_const(g, 0);
        r->pre_factor = ir_const(g, 1);
        return;
    }
    if (r->syn.n_traces || (n.op != IR_ADD && n.op != IR_SUB))
        return;
    if (n.a == w)
        change = n.b;
    else if (n.op == IR_ADD && n.b == w)
        change = n.a;
    else
        return;
    if (!split_product(B, change, &post, &pre))
        return;
    r->factored = 1;
    r->post_factor = n.op == IR_SUB ? ir_unary(g, IR_NEG, post) : post;
    r->pre_factor = pre;
}

int lower_rule(rule_ir *r, const frontend *fe, const ast_node *def, double dt, const const_binding *overrides,
               unsigned n_overrides, const rule_side_info *pre, const rule_side_info *post, const ast_node *at,
               diag_ctx *diag)
{
    memset(r, 0, sizeof *r);
    r->rule = def->name;
    ir_init(&r->g);
    rule_build B = {.r = r, .def = def, .info = {pre, post}, .at = at};
    B.L = (lowering){.g = &r->g, .env = {.dt = dt, .bound = overrides, .n_bound = n_overrides},
                     .fe = fe, .neuron = def, .diag = diag, .spike = -1, .refractory = -1};
    collect_traces(&B);
    collect_values(&B, def);
    number_variables(&B);
    B.now = lower_calloc(B.n_traces, sizeof *B.now);
    for (unsigned i = 0; i < B.n_traces; i++)
        B.now[i] = ir_var(&r->g, trace_var(&B, i));
    B.names = (rule_names){.traces = B.traces, .n_traces = B.n_traces, .trace_now = B.now,
                           .w_now = ir_var(&r->g, 0), .member = member_var, .ctx = &B};
    B.L.rule = &B.names;
    lower_set_context(&B.L, &r->g, NULL);
    equations(&B);
    on_blocks(&B, SIDE_PRE);
    on_blocks(&B, SIDE_POST);
    check_sides(&B);
    r->w_next = B.names.w_now;
    factor_weights(&B);
    r->pre.trace_next = lower_calloc(r->pre.n_traces, sizeof *r->pre.trace_next);
    r->post.trace_next = lower_calloc(r->post.n_traces, sizeof *r->post.trace_next);
    memcpy(r->pre.trace_next, B.now, r->pre.n_traces * sizeof *B.now);
    memcpy(r->post.trace_next, B.now + r->pre.n_traces, r->post.n_traces * sizeof *B.now);
    r->syn.trace_next = lower_calloc(r->syn.n_traces, sizeof *r->syn.trace_next);
    memcpy(r->syn.trace_next, B.now + r->pre.n_traces + r->post.n_traces, r->syn.n_traces * sizeof *B.now);
    lower_memo_clear(&B.L.memo);
    free(B.traces);
    free(B.trace_side);
    free(B.now);
    return B.L.failed ? -1 : 0;
}

void rule_ir_free(rule_ir *r)
{
    ir_free(&r->g);
    rule_side_ir *sides[3] = {&r->pre, &r->post, &r->syn};
    for (int i = 0; i < 3; i++) {
        free(sides[i]->value_names);
        free(sides[i]->trace_names);
        free(sides[i]->trace_init);
        free(sides[i]->trace_next);
    }
    memset(r, 0, sizeof *r);
}
