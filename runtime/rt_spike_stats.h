/* rt_spike_stats.h -- what a spiking network did during the evaluation:
 * each spiking population's mean firing rate and the irregularity of its
 * spike trains (the coefficient of variation of the inter-spike
 * intervals), the numbers a simulation is first judged by (Brunel 2000's
 * asynchronous-irregular state has CV near 1, a regular one near 0).
 *
 * Counted over every evaluation trial, from the spike states of the
 * network's history after each evaluation batch's forward pass.
 */
#ifndef RNNRT_SPIKE_STATS_H
#define RNNRT_SPIKE_STATS_H

#include <stddef.h>

#include "rt_net.h"

typedef struct rt_pop_spikes {
    double spikes;          /* every spike of the population, over every trial */
    double neuron_seconds;  /* neurons x trials x the trial's duration */
    /* CV = sd / mean of one neuron's intervals in one trial, for every
     * (trial, neuron) with at least 2 intervals; their sum and count */
    double cv_sum;
    size_t cv_trains;
} rt_pop_spikes;

typedef struct rt_spike_stats {
    unsigned n_pops;        /* as the network's: entries of non-spiking populations stay 0 */
    rt_pop_spikes pop[RT_MAX_POPS];
} rt_spike_stats;

/* Adds the spikes of the batch NET just ran (every trial of it, STEPS of
 * DT seconds each) to S. */
void rt_spike_stats_add(rt_spike_stats *s, const rt_net_desc *d, const rt_net *net, double dt);

/* The mean rate in Hz of population I, and the mean CV of its trains (NAN
 * when no train had 2 intervals); NAN for a population that never ran. */
double rt_spike_stats_rate_hz(const rt_spike_stats *s, unsigned i);
double rt_spike_stats_cv(const rt_spike_stats *s, unsigned i);

#endif
