/* rt_analyze_batches.c -- the analyses that run every evaluation batch
 * through the network again (rt_analyze_internal.h): the loss and
 * accuracy against input noise (robustness) and with units silenced
 * (degradation), and the psychometric curve over every evaluation trial's
 * outcome. Their accuracy is the evaluation's own count (rt_accuracy.h,
 * through rt_session_eval_all), so at noise 0 with nothing silenced it is
 * eval_accuracy. rt_analyze.c runs them after the analyses that read the
 * first evaluation batch, which these overwrite in the histories.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt_analysis.h"
#include "rt_analyze_internal.h"
#include "rt_error.h"
#include "rt_files.h"
#include "rt_rng.h"
#include "rt_summary.h"

enum { DEGRADATION_DRAWS = 5 };

/* ------------------------------------------------------------ robustness, degradation */

static json_t *curve_json(const char *x_name, const double *x, const double *loss, const double *acc, size_t n)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_object();
        json_object_set_new(row, x_name, rt_json_number(x[i]));
        json_object_set_new(row, "loss", rt_json_number(loss[i]));
        json_object_set_new(row, "accuracy", rt_json_number(acc[i]));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* Rows (level, loss, accuracy). */
static int write_curve(actx *a, const char *name, const double *x, const double *loss, const double *acc, size_t n)
{
    double *rows = malloc(3 * n * sizeof *rows + 1);
    if (!rows)
        return rt_error(a->err, a->err_size, "out of memory");
    for (size_t i = 0; i < n; i++) {
        rows[3 * i] = x[i];
        rows[3 * i + 1] = loss[i];
        rows[3 * i + 2] = acc[i];
    }
    size_t shape[2] = {n, 3};
    int rc = write_npy(a, name, rows, RT_F64, shape, 2);
    free(rows);
    return rc;
}

int rt_analyze_robustness(actx *a, const rt_analysis_desc *an, json_t **result)
{
    double loss[RT_MAX_LEVELS], acc[RT_MAX_LEVELS];
    a->have_batch = 0;   /* the histories now hold other batches */
    for (size_t i = 0; i < an->n_levels; i++)
        if (rt_session_eval_all(a->s, an->levels[i], RT_STREAM_ROBUSTNESS + i, NULL, &loss[i], &acc[i], a->err,
                                a->err_size) != 0)
            return -1;   /* an error, or stopped (run_pass tells them apart) */
    json_decref(*result);
    *result = curve_json("noise", an->levels, loss, acc, an->n_levels);
    return write_curve(a, RT_FILE_ROBUSTNESS, an->levels, loss, acc, an->n_levels);
}

/* Silences a random fraction of population I's units: every projection
 * from it loses their columns. SAVED keeps the weights to restore. */
static int silence_units(actx *a, unsigned i, double fraction, uint64_t draw, double **saved)
{
    const rt_run_desc *d = a->d;
    size_t n = d->net.pops[i].n, removed = (size_t)lround(fraction * (double)n);
    unsigned char *off = calloc(n, 1);
    size_t *order = malloc(n * sizeof *order);
    if (!off || !order) {
        free(off);
        free(order);
        return rt_error(a->err, a->err_size, "out of memory");
    }
    /* a partial Fisher-Yates shuffle picks REMOVED distinct units */
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    for (size_t k = 0; k < removed; k++) {
        size_t j = (size_t)rt_rng_randint(d->settings.seed, RT_STREAM_DEGRADATION + draw, k, (int64_t)k,
                                          (int64_t)n);   /* [k, n) */
        size_t t = order[k];
        order[k] = order[j];
        order[j] = t;
        off[order[k]] = 1;
    }
    free(order);
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        if (rp->pre_pop != (int)i)
            continue;
        void *w = rt_net_weights(a->s->net, j);
        for (size_t r = 0; r < rp->n_post; r++)
            for (size_t c = 0; c < rp->n_pre; c++)
                if (off[c]) {
                    saved[j][r * rp->n_pre + c] = real_at(a, w, r * rp->n_pre + c);
                    rt_real_put(d->net.is_double, w, r * rp->n_pre + c, 0);
                }
    }
    free(off);
    return 0;
}

static void restore_units(actx *a, unsigned i, double **saved)
{
    const rt_run_desc *d = a->d;
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        if (rp->pre_pop != (int)i)
            continue;
        void *w = rt_net_weights(a->s->net, j);
        for (size_t k = 0; k < rp->n_post * rp->n_pre; k++)
            if (!isnan(saved[j][k]))
                rt_real_put(d->net.is_double, w, k, saved[j][k]);
    }
}

/* The mean over DEGRADATION_DRAWS random choices of the silenced units. */
static int degrade(actx *a, unsigned i, double fraction, size_t level, double **saved, double *loss, double *acc)
{
    *loss = *acc = 0;
    size_t n = a->d->net.pops[i].n, removed = (size_t)lround(fraction * (double)n);
    unsigned draws = removed == 0 || removed == n ? 1 : DEGRADATION_DRAWS;   /* every choice is the same */
    for (unsigned dr = 0; dr < draws; dr++) {
        for (unsigned j = 0; j < a->d->net.n_projs; j++)
            if (saved[j])
                for (size_t k = 0; k < a->d->net.projs[j].n_post * a->d->net.projs[j].n_pre; k++)
                    saved[j][k] = NAN;
        double l, c;
        int rc = silence_units(a, i, fraction, level * DEGRADATION_DRAWS + dr, saved);
        rc = rc ? rc : rt_session_eval_all(a->s, 0, 0, NULL, &l, &c, a->err, a->err_size);
        restore_units(a, i, saved);
        if (rc != 0)
            return -1;
        *loss += l / draws;
        *acc += c / draws;
    }
    return 0;
}

int rt_analyze_degradation(actx *a, const rt_analysis_desc *an, json_t **result)
{
    const rt_run_desc *d = a->d;
    double loss[RT_MAX_LEVELS], acc[RT_MAX_LEVELS];
    double *saved[RT_MAX_PROJS] = {0};
    int rc = 0;
    a->have_batch = 0;
    for (unsigned j = 0; j < d->net.n_projs && rc == 0; j++)
        if (d->net.projs[j].pre_pop == (int)an->pop) {
            saved[j] = malloc(d->net.projs[j].n_post * d->net.projs[j].n_pre * sizeof **saved + 1);
            rc = saved[j] ? 0 : rt_error(a->err, a->err_size, "out of memory");
        }
    for (size_t k = 0; k < an->n_levels && rc == 0; k++)
        rc = degrade(a, an->pop, an->levels[k], k, saved, &loss[k], &acc[k]);
    for (unsigned j = 0; j < d->net.n_projs; j++)
        free(saved[j]);
    if (rc != 0)
        return -1;
    char file[300];
    json_decref(*result);
    *result = curve_json("fraction", an->levels, loss, acc, an->n_levels);
    return write_curve(a, rt_file_name(file, sizeof file, RT_FILE_DEGRADATION, d->net.pops[an->pop].name),
                       an->levels, loss, acc, an->n_levels);
}

/* ------------------------------------------------------------ psychometric */

static json_t *fit_json(const rt_logistic_fit *fit)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(rt_fit_status_name(fit->status)));
    json_object_set_new(o, "mu", rt_json_number(fit->mu));
    json_object_set_new(o, "s", rt_json_number(fit->s));
    json_object_set_new(o, "iterations", json_integer((json_int_t)fit->iterations));
    json_object_set_new(o, "log_likelihood", rt_json_number(fit->log_likelihood));
    if (fit->status == RT_FIT_SEPARABLE) {
        json_t *gap = json_array();
        json_array_append_new(gap, rt_json_number(fit->gap_lo));
        json_array_append_new(gap, rt_json_number(fit->gap_hi));
        json_object_set_new(o, "switches_between", gap);
    }
    return o;
}

/* The rows as psychometric.npy and the summary's numbers. */
static int psychometric_results(actx *a, const rt_psychometric_row *rows, size_t m, json_t *result)
{
    double table[4 * RT_PSYCHOMETRIC_MAX_ROWS + 1], x[RT_PSYCHOMETRIC_MAX_ROWS], k[RT_PSYCHOMETRIC_MAX_ROWS],
        n[RT_PSYCHOMETRIC_MAX_ROWS];
    json_t *list = json_array();
    size_t trials = 0;
    for (size_t j = 0; j < m; j++) {
        const rt_psychometric_row *r = &rows[j];
        table[4 * j] = x[j] = r->value;
        table[4 * j + 1] = n[j] = (double)r->trials;
        table[4 * j + 2] = r->accuracy;
        table[4 * j + 3] = r->choice;
        k[j] = r->choice * (double)r->trials;
        trials += r->trials;
        json_t *row = json_object();
        json_object_set_new(row, "value", rt_json_number(r->value));
        json_object_set_new(row, "trials", json_integer((json_int_t)r->trials));
        json_object_set_new(row, "accuracy", rt_json_number(r->accuracy));
        json_object_set_new(row, "choice", rt_json_number(r->choice));
        json_array_append_new(list, row);
    }
    rt_logistic_fit fit;
    rt_logistic_fit_choices(x, k, n, m, &fit);
    json_object_set_new(result, "trials", json_integer((json_int_t)trials));
    json_object_set_new(result, "conditions", list);
    json_object_set_new(result, "fit", fit_json(&fit));
    size_t shape[2] = {m, 4};
    return write_npy(a, RT_FILE_PSYCHOMETRIC, table, RT_F64, shape, 2);
}

/* Every evaluation trial's condition, choice and correctness (rt_accuracy.h),
 * per condition value. */
int rt_analyze_psychometric(actx *a, const rt_analysis_desc *an, json_t **result)
{
    (void)an;
    const rt_run_desc *d = a->d;
    if (d->accuracy == RT_ACCURACY_NONE || d->accuracy_readout < 0 || d->condition_channel < 0 ||
        d->task.channels[d->condition_channel].size != 1)
        return rt_error(a->err, a->err_size, "a psychometric curve needs an accuracy and a one-element task condition");
    size_t n = d->settings.eval_trials;
    rt_trial_accuracy *trials = malloc(n * sizeof *trials + 1);
    if (!trials)
        return rt_error(a->err, a->err_size, "out of memory");
    double loss, accuracy;
    rt_psychometric_row rows[RT_PSYCHOMETRIC_MAX_ROWS];
    size_t m = 0;
    a->have_batch = 0;   /* the histories now hold the last evaluation batch */
    int rc = rt_session_eval_trials(a->s, 0, 0, NULL, &loss, &accuracy, trials, a->err, a->err_size);
    rc = rc ? rc : rt_psychometric_rows(trials, n, rows, &m, a->err, a->err_size);
    free(trials);
    if (rc != 0)
        return -1;   /* an error, or stopped (run_pass tells them apart) */
    /* what a choice is (rt_accuracy.c's count_trial), for the picture's
     * labels and chance line: the readout's largest element is its last
     * (argmax, one of its elements), it rises above the level (threshold)
     * or its mean is above 0 (the sign kinds), one of two */
    int argmax = d->accuracy == RT_ACCURACY_ARGMAX;
    size_t options = argmax ? d->net.pops[d->net.readouts[d->accuracy_readout]].n : 2;
    json_object_set_new(*result, "choice",
                        json_string(argmax ? "last_option"
                                    : d->accuracy == RT_ACCURACY_THRESHOLD ? "crosses_level" : "above_zero"));
    json_object_set_new(*result, "options", json_integer((json_int_t)options));
    return psychometric_results(a, rows, m, *result);
}
