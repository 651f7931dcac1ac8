/* rt_run_summary.c -- a run's results as members of summary.json (see
 * rt_run.h: rt_run_summary; docs/language.md section 18 lists the keys). */
#include <math.h>
#include <stdio.h>

#include "rt_files.h"
#include "rt_run_internal.h"
#include "rt_summary.h"

/* The "status" of summary.json; a non-finite stop says what went
 * non-finite ("stopped: non-finite gradient"), in BUF. */
static const char *status_text(const rt_run_result *res, char *buf, size_t size)
{
    switch (res->status) {
    case RT_RUN_INTERRUPTED: return "interrupted";
    case RT_RUN_STOPPED_NON_FINITE:
        snprintf(buf, size, "stopped: non-finite %s", res->non_finite[0] ? res->non_finite : "loss");
        return buf;
    case RT_RUN_EVALUATED: return "evaluated";
    case RT_RUN_EARLY_STOPPED: return "trained (early stop)";
    default: return "trained";
    }
}

static void put_size(json_t *doc, const char *key, size_t v)
{
    json_object_set_new(doc, key, json_integer((json_int_t)v));
}

static void put_real(json_t *doc, const char *key, double v)
{
    json_object_set_new(doc, key, rt_json_number(v));
}

/* "spiking": per spiking population, its mean rate over the evaluation and
 * the mean CV of its spike trains' intervals (null when no train had two). */
static void put_spiking(const rt_run_desc *d, const rt_run_result *res, json_t *doc)
{
    json_t *pops = json_object();
    for (unsigned i = 0; pops && i < d->net.n_pops; i++) {
        if (!d->net.pops[i].spiking || !(res->spikes.pop[i].neuron_seconds > 0))
            continue;
        json_t *p = json_object();
        put_real(p, "rate_hz", rt_spike_stats_rate_hz(&res->spikes, i));
        put_real(p, "cv_isi", rt_spike_stats_cv(&res->spikes, i));
        put_size(p, "trains_with_intervals", res->spikes.pop[i].cv_trains);
        json_object_set_new(pops, d->net.pops[i].name, p);
    }
    if (pops && json_object_size(pops))
        json_object_set_new(doc, "spiking", pops);
    else
        json_decref(pops);
}

int rt_run_summary(const rt_run_desc *d, const rt_run_result *res, json_t *doc)
{
    char status[64];
    json_object_set_new(doc, "status", json_string(status_text(res, status, sizeof status)));
    if (res->message[0])
        json_object_set_new(doc, "message", json_string(res->message));
    json_object_set_new(doc, "precision", json_string(d->net.is_double ? "float64" : "float32"));
    put_real(doc, "dt_seconds", d->dt);
    put_size(doc, "steps", d->task.steps);
    put_size(doc, "batch", d->settings.batch);
    put_size(doc, "updates", res->updates_done);
    put_size(doc, "eval_trials", d->settings.eval_trials);
    put_real(doc, "first_train_loss", res->first_loss);
    put_real(doc, "final_train_loss", res->final_train_loss);
    put_real(doc, "eval_loss", res->eval_loss);
    if (isfinite(res->first_rate_hz)) {
        put_real(doc, "first_rate_hz", res->first_rate_hz);
        put_real(doc, "final_rate_hz", res->final_rate_hz);
    }
    if (isfinite(res->first_reg_loss)) {   /* the regularisers' sum, beside the loss it is added to */
        put_real(doc, "first_reg_loss", res->first_reg_loss);
        put_real(doc, "final_reg_loss", res->final_reg_loss);
    }
    put_real(doc, "eval_accuracy", res->eval_accuracy);
    if (d->n_plastic) {   /* which projections learn by which rule, and how their weights change */
        json_t *rules = json_object();
        for (unsigned k = 0; k < d->n_plastic; k++)
            json_object_set_new(rules, d->net.projs[d->plastic[k].proj].name,
                                json_pack("{s:s, s:s}", "rule", d->plastic[k].rule, "update",
                                          d->plastic[k].factored ? "outer product" : "per synapse"));
        json_object_set_new(doc, "plasticity", rules);
    }
    json_t *unwritten = json_array();   /* large synapses the seed rebuilds: 'save_synapses all' writes them */
    for (unsigned j = 0; j < d->net.n_projs; j++)
        if (!rt_results_synapses_written(d, j))
            json_array_append_new(unwritten, json_string(d->net.projs[j].name));
    if (json_array_size(unwritten))
        json_object_set_new(doc, "synapses_not_written", unwritten);
    else
        json_decref(unwritten);
    put_real(doc, "eval_simulation_seconds", res->eval_forward_seconds);
    put_spiking(d, res, doc);
    put_real(doc, "train_seconds", res->train_seconds);
    put_real(doc, "seconds_per_update_median", res->seconds_per_update_median);
    put_real(doc, "step_seconds_median", res->step_seconds_median);
    json_t *phases = json_object();
    for (int k = 0; k < RT_PHASES; k++)
        put_real(phases, rt_phase_names[k], res->phase_ms[k]);
    json_object_set_new(doc, "update_phases_ms", phases);
    if (res->analysis)
        json_object_set(doc, "analysis", res->analysis);
    if (res->failed_analysis >= 0)   /* the analyses stopped there; the ones before it are above */
        json_object_set_new(doc, "analysis_error", json_string(res->analysis_error));
    return 0;
}
