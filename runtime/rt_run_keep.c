/* rt_run_keep.c -- which of a network's histories a run reads (see
 * rt_run.h, rt_run_keep): the rest of a forward_only network's histories
 * are rings of the slots a step needs (rt_net_desc.keep).
 *
 * The readers, each kept here: the loss and the accuracy (the readouts'
 * first outputs), the records (rt_results.c), the PCA, SVD and fixed-point
 * analyses (rt_analyze.c), the spike statistics and rasters (rt_spike_stats.c,
 * rt_results.c: from the spike bits), the plasticity rules (rt_plastic.c,
 * during the forward pass). rt_net_continue needs nothing: it copies the
 * last slot of a ring as of a history.
 */
#include <stdlib.h>
#include <string.h>

#include "rt_run.h"

static void keep_value(rt_keep *k, int state, unsigned output)
{
    if (state >= 0)
        k->states |= 1u << state;
    else
        k->outputs |= 1u << output;
}

static void keep_ref(rt_keep *k, rt_value_ref v)
{
    if (v.kind == RT_VALUE_STATE)
        k->states |= 1u << v.index;
    else if (v.kind == RT_VALUE_OUTPUT)
        k->outputs |= 1u << v.index;
    else if (v.kind == RT_VALUE_PORT)
        k->ports |= 1u << v.index;
}

int rt_run_spike_record(const rt_run_desc *d, const rt_record_desc *rd)
{
    if (rd->is_input || !rd->spikes || !d->net.pops[rd->pop].spiking)
        return 0;
    const rt_pop *pop = &d->net.pops[rd->pop];
    int z = (int)pop->spike_state;
    return rd->state == z || (rd->state < 0 && pop->output_state && pop->output_state[rd->output] == z);
}

static void keep_analysis(const rt_run_desc *d, const rt_analysis_desc *an, rt_keep *keep)
{
    if (an->kind == RT_ANALYSIS_PCA || an->kind == RT_ANALYSIS_SVD) {
        keep_value(&keep[an->pop], an->state, an->output);
    } else if (an->kind == RT_ANALYSIS_FIXED_POINTS) {   /* initial states from every state and output 0 */
        keep[an->pop].states |= (uint32_t)((1ull << d->net.pops[an->pop].n_states) - 1);
        keep[an->pop].outputs |= 1;
    }
}

static void keep_rule(const rt_run_desc *d, const rt_plastic_desc *pl, rt_keep *keep)
{
    const rt_proj *pr = &d->net.projs[pl->proj];
    const rt_rule_side *side[2] = {&pl->pre, &pl->post};
    int pop[2] = {pr->pre_pop, (int)pr->post_pop};
    for (int s = 0; s < 2; s++) {
        if (pop[s] < 0)
            continue;   /* a network input's values: kept whole anyway */
        for (unsigned v = 0; v < side[s]->n_values; v++)
            keep_ref(&keep[pop[s]], side[s]->values[v]);
        keep_ref(&keep[pop[s]], side[s]->spike);
    }
}

int rt_run_keep(const rt_run_desc *d, rt_keep *keep)
{
    const char *env = getenv("RNNC_KEEP_HISTORIES");
    if (!d->net.forward_only || (env && *env && strcmp(env, "0") != 0))
        return -1;
    memset(keep, 0, d->net.n_pops * sizeof *keep);
    for (unsigned r = 0; r < d->net.n_readouts; r++)
        keep[d->net.readouts[r]].outputs |= 1;
    for (unsigned i = 0; i < d->net.n_pops; i++)
        keep[i].spikes = d->net.pops[i].spiking;   /* the spike statistics */
    for (unsigned i = 0; i < d->n_records; i++) {
        const rt_record_desc *rd = &d->records[i];
        if (!rd->is_input && !rt_run_spike_record(d, rd))   /* a spike record reads the bits */
            keep_value(&keep[rd->pop], rd->state, rd->output);
    }
    for (unsigned k = 0; k < d->n_analyses; k++)
        keep_analysis(d, &d->analyses[k], keep);
    for (unsigned k = 0; d->settings.train && k < d->n_plastic; k++)
        keep_rule(d, &d->plastic[k], keep);
    return 0;
}

rt_net_desc rt_run_net_desc(const rt_run_desc *d, rt_keep *keep)
{
    rt_net_desc n = d->net;
    if (!n.keep && n.n_pops <= RT_MAX_POPS && rt_run_keep(d, keep) == 0)
        n.keep = keep;
    return n;
}
