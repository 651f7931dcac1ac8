/* plan_plastic.c -- the connects' plasticity rules as the runtime's
 * rt_plastic_desc (runtime/rt_plastic.h), with their kernels.
 *
 * A projection with a rule learns by the rule alone: it is never trained
 * by gradient. 'learn local' trains a network by its rules only (every
 * other projection is then frozen); with 'learn bptt' or 'learn eprop' the
 * rules act during the training trials and the others learn by gradient,
 * which does not flow back through a plastic projection (its weights
 * change within the trial; the backward pass takes them as given); with
 * 'learn none' nothing learns.
 */
#include <string.h>

#include "plan_internal.h"

/* The runtime's reference to value NAME of a population's neuron N: a
 * state (the spike variable is one), an output, or an input port. */
static int value_ref(const neuron_ir *n, const char *name, rt_value_ref *out)
{
    for (unsigned k = 0; k < n->n_states; k++)
        if (n->state_names[k] && strcmp(n->state_names[k], name) == 0) {
            *out = (rt_value_ref){RT_VALUE_STATE, k};
            return 0;
        }
    for (unsigned o = 0; o < n->n_outputs; o++)
        if (strcmp(n->output_names[o], name) == 0) {
            *out = (rt_value_ref){RT_VALUE_OUTPUT, o};
            return 0;
        }
    for (unsigned q = 0; q < n->n_ports; q++)
        if (strcmp(n->port_names[q], name) == 0) {
            *out = (rt_value_ref){RT_VALUE_PORT, q};
            return 0;
        }
    return -1;
}

/* Side SIDE of rule R on projection RP, as the runtime reads it; SENT what
 * the side sends (the projection's member for the pre side, the first
 * output for the post side), which 'pre' and 'post' alone read. */
static void describe_side(builder *b, const rule_side_ir *side, int pop, rt_value_ref sent, const ast_node *at,
                          rt_rule_side *out)
{
    plan *p = b->p;
    rt_value_ref *values = arena_alloc(&p->fe->arena, (side->n_values + 1) * sizeof *values);
    for (unsigned v = 0; v < side->n_values; v++)
        if (!side->value_names[v][0])
            values[v] = sent;
        else if (pop < 0 || value_ref(&p->neurons[pop], side->value_names[v], &values[v]) != 0)
            plan_fail(b, at, "the rule reads '%s', which its neuron does not have", side->value_names[v]);
    out->n_values = side->n_values;
    out->values = values;
    if (pop < 0)
        out->spike = (rt_value_ref){RT_VALUE_INPUT, 0};
    else
        out->spike = (rt_value_ref){RT_VALUE_STATE, p->pops[pop].spike_state};
    out->n_traces = side->n_traces;
    out->trace_init = side->trace_init;
}

/* The constant overrides of 'plasticity R(p = v, ...)'. */
static unsigned rule_overrides(builder *b, const ast_node *call, const_binding *out, unsigned max)
{
    unsigned n = 0;
    const ast_node *args = call->kind == AST_CALL ? call->first : NULL;
    for (const ast_node *a = args ? args->first : NULL; a && n < max; a = a->next)
        if (a->kind == AST_NAMEDARG) {
            out[n].name = a->name;
            out[n++].value = plan_constant(b, a->first, "a rule's parameter");
        }
    return n;
}

/* Whether projection J may carry a rule in this run; an error where it cannot. */
static int rule_allowed(builder *b, unsigned j)
{
    plan *p = b->p;
    const plan_proj *pp = &p->projs[j];
    const rt_proj *rp = &p->rt_projs[j];
    const char *learn = p->settings.learn;
    if (pp->training_at) {
        plan_fail(b, pp->training_at, "'%s' learns by its plasticity rule, so it cannot also be '%s'", rp->name,
                  pp->training_at->name);
        diag_hint(&p->fe->diag, b->last, "remove '%s': a projection is either plastic or trained by gradient "
                                         "(or frozen)", pp->training_at->name);
        return 0;
    }
    if (!p->settings.train || strcmp(learn, "none") == 0) {
        diag_warning(&p->fe->diag, pp->plasticity->loc, "the plasticity rule of '%s' does not act in this run, "
                     "which does not learn ('%s')", rp->name, p->settings.train ? "learn none" : "evaluate");
        return 0;
    }
    if (p->n_plastic == RT_MAX_PLASTIC) {
        plan_fail(b, pp->plasticity, "more than %d plasticity rules in one network", RT_MAX_PLASTIC);
        return 0;
    }
    return 1;
}

static void plan_rule(builder *b, unsigned j)
{
    plan *p = b->p;
    plan_proj *pp = &p->projs[j];
    rt_proj *rp = &p->rt_projs[j];
    const ast_node *opt = pp->plasticity, *call = opt->first;
    if (call && call->kind == AST_ARGS)
        call = call->first;
    const ast_node *def = call ? frontend_find_def(p->fe, call->name) : NULL;
    if (!def || def->kind != AST_PLASTICITY || !rule_allowed(b, j))
        return;
    const_binding overrides[64];
    unsigned n_over = rule_overrides(b, call, overrides, 64);
    int pre = rp->pre_pop, post = (int)rp->post_pop;
    rule_side_info pre_info = {pre >= 0 ? p->neurons[pre].neuron : NULL,
                               pre >= 0 ? p->pops[pre].name : p->input_names[rp->pre_input],
                               pre >= 0 && p->pops[pre].spiking};
    rule_side_info post_info = {p->neurons[post].neuron, p->pops[post].name, p->pops[post].spiking};
    unsigned k = p->n_plastic;
    rule_ir *r = &p->rules[k];
    if (lower_rule(r, p->fe, def, p->dt, overrides, n_over, &pre_info, &post_info, opt, &p->fe->diag) != 0) {
        rule_ir_free(r);
        b->failed++;
        return;
    }
    p->n_plastic++;
    rt_plastic_desc *d = &p->plastic[k];
    memset(d, 0, sizeof *d);
    d->proj = j;
    d->rule = def->name;
    rt_value_ref sent = pre < 0 ? (rt_value_ref){RT_VALUE_INPUT, 0}
                        : rp->send_state > 0 ? (rt_value_ref){RT_VALUE_STATE, (unsigned)rp->send_state - 1}
                                             : (rt_value_ref){RT_VALUE_OUTPUT, rp->send_output};
    describe_side(b, &r->pre, pre, sent, opt, &d->pre);
    describe_side(b, &r->post, post, (rt_value_ref){RT_VALUE_OUTPUT, 0}, opt, &d->post);
    d->bias = r->has_bias;
    d->n_syn_traces = r->syn.n_traces;
    d->syn_trace_init = r->syn.trace_init;
    if (r->has_bias && !rp->bias) {
        plan_fail(b, opt, "rule '%s' changes a bias ('db'), and '%s' has none", def->name, rp->name);
        diag_hint(&p->fe->diag, b->last, "give the connect a bias: 'bias constant(0.1)'");
    } else if (r->has_bias && p->settings.batch > 1) {
        plan_fail(b, opt, "a rule's bias change ('db') with a batch of %zu sequences is not available yet",
                  p->settings.batch);
        diag_hint(&p->fe->diag, b->last, "train with 'batch 1'");
    }
    rp->plastic = 1;
    rp->no_backprop = 1;   /* with gradient learning: no adjoint through the changing weights */
    rp->feedback = 0;
    pp->trainable = rp->trainable = 0;
}

void plan_plasticity(builder *b)
{
    plan *p = b->p;
    for (unsigned j = 0; j < p->n_projs; j++)
        if (p->projs[j].plasticity)
            plan_rule(b, j);
    if (strcmp(p->settings.learn, "local") != 0)
        return;
    const ast_node *learn = plan_setting(p, "learn");
    if (!p->n_plastic && !b->failed) {
        plan_fail(b, learn, "'learn local' trains by the projections' plasticity rules, and network '%s' has none",
                  p->net->name);
        diag_hint(&p->fe->diag, b->last, "attach a rule to a connect ('plasticity STDP'), or train by gradient "
                                         "with 'learn bptt'");
    }
    if (plan_setting(p, "optimizer")) {
        plan_fail(b, plan_setting(p, "optimizer"), "'optimizer' has no effect with 'learn local': the rules "
                  "change the weights themselves");
        diag_hint(&p->fe->diag, b->last, "remove it; a rule's learning rate is one of its parameters");
    }
    for (unsigned j = 0; j < p->n_projs; j++)   /* the rules alone learn */
        if (!p->rt_projs[j].plastic)
            p->projs[j].trainable = p->rt_projs[j].trainable = 0;
}

/* ------------------------------------------------------------ kernels */

/* A rule's kernels: the weights (none when the change is an outer
 * product: the side kernels then compute its factors), the pre side's, the
 * post side's. */
unsigned plan_rule_kernels(plan *p, kernel_spec *specs, char (*names)[96])
{
    unsigned count = 0;
    for (unsigned k = 0; k < p->n_plastic; k++) {
        rule_ir *r = &p->rules[k];
        if (!r->factored) {
            unsigned char *broadcast = arena_alloc(&p->fe->arena, r->n_vars + 1);
            memset(broadcast, 0, r->n_vars + 1);
            memset(broadcast + r->post.first_value, 1, r->n_vars - r->post.first_value);   /* one value per row */
            ir_ref *w = arena_alloc(&p->fe->arena, (1 + r->syn.n_traces) * sizeof *w);
            w[0] = r->w_next;   /* and each synapse trace's new value */
            memcpy(w + 1, r->syn.trace_next, r->syn.n_traces * sizeof *w);
            snprintf(names[count], sizeof names[count], "rnnc_rule%u_%s_weights", k, r->rule);
            specs[count] = (kernel_spec){names[count], &r->g, r->n_vars, w, 1 + r->syn.n_traces, broadcast};
            count++;
        }
        unsigned f = (unsigned)r->factored;
        ir_ref *pre = arena_alloc(&p->fe->arena, (r->pre.n_traces + 1) * sizeof *pre);
        memcpy(pre, r->pre.trace_next, r->pre.n_traces * sizeof *pre);
        pre[r->pre.n_traces] = r->pre_factor;   /* the outer product's pre factor */
        snprintf(names[count], sizeof names[count], "rnnc_rule%u_%s_pre", k, r->rule);
        specs[count] = (kernel_spec){names[count], &r->g, r->n_vars, pre, r->pre.n_traces + f, NULL};
        count++;
        ir_ref *post = arena_alloc(&p->fe->arena, (r->post.n_traces + 2) * sizeof *post);
        unsigned n_post = r->post.n_traces;
        memcpy(post, r->post.trace_next, n_post * sizeof *post);
        if (r->has_bias)
            post[n_post++] = r->b_next;   /* the new bias, with 'db' */
        if (f)
            post[n_post++] = r->post_factor;
        snprintf(names[count], sizeof names[count], "rnnc_rule%u_%s_post", k, r->rule);
        specs[count] = (kernel_spec){names[count], &r->g, r->n_vars, post, n_post, NULL};
        count++;
    }
    return count;
}

void plan_rule_kernels_found(plan *p, const rt_kernel *kernels)
{
    for (unsigned k = 0; k < p->n_plastic; k++) {
        const rule_ir *r = &p->rules[k];
        rt_plastic_desc *d = &p->plastic[k];
        d->factored = r->factored;
        d->weights = r->factored ? NULL : *kernels++;
        d->pre.traces = r->pre.n_traces || r->factored ? kernels[0] : NULL;
        d->post.traces = r->post.n_traces || r->has_bias || r->factored ? kernels[1] : NULL;
        kernels += 2;
    }
}
