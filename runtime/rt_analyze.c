/* rt_analyze.c -- a run's analyses on its trained network (rt_run.h:
 * rt_analysis_desc; see rt_run_internal.h).
 *
 * The numerical work is rt_analysis.h's (LAPACK eigenvalues, PCA, the
 * fixed-point finder); this file finds the data each analysis names, runs
 * it, writes its files (rt_files.h) and its numbers (JSON). Analyses are
 * dispatched from one table; those that run other batches through the
 * network (robustness, degradation, psychometric: rt_analyze_batches.c)
 * run after the ones that read the first evaluation batch, so PCA and
 * fixed points share that batch.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_analysis.h"
#include "rt_analyze_internal.h"
#include "rt_error.h"
#include "rt_files.h"
#include "rt_rng.h"
#include "rt_summary.h"

static int fail(actx *a, const char *fmt, const char *what)
{
    return rt_error(a->err, a->err_size, fmt, what);
}

/* ------------------------------------------------------------ the evaluation batch */

/* A row's condition as a tuple of COLS values; 0 when any is 0 (none). */
static int row_condition(const double *c, size_t cols)
{
    for (size_t k = 0; k < cols; k++)
        if (c[k] == 0 || !isfinite(c[k]))
            return 0;
    return 1;
}

static int tuple_cmp(const double *x, const double *y, size_t cols)
{
    for (size_t k = 0; k < cols; k++)
        if (x[k] != y[k])
            return x[k] < y[k] ? -1 : 1;
    return 0;
}

/* The distinct conditions of the batch (at most RT_MAX_CONDITIONS, else
 * none are told apart), in increasing order so the same condition has the
 * same colour in every run; each row's label is its condition's index. */
static void number_conditions(actx *a, const double *cond, size_t rows, size_t cols, double *seen)
{
    size_t n = 0;
    for (size_t r = 0; r < rows && n <= RT_MAX_CONDITIONS; r++) {
        const double *c = cond + r * cols;
        size_t at = 0;
        while (at < n && tuple_cmp(seen + at * cols, c, cols) < 0)
            at++;
        if (!row_condition(c, cols) || (at < n && tuple_cmp(seen + at * cols, c, cols) == 0))
            continue;
        if (n == RT_MAX_CONDITIONS) {
            n++;
            break;
        }
        memmove(seen + (at + 1) * cols, seen + at * cols, (n - at) * cols * sizeof *seen);
        memcpy(seen + at * cols, c, cols * sizeof *seen);
        n++;
    }
    a->n_labels = n <= RT_MAX_CONDITIONS ? n : 0;
    for (size_t r = 0; r < rows; r++) {
        a->labels[r] = -1;
        for (size_t l = 0; l < a->n_labels && row_condition(cond + r * cols, cols); l++)
            if (tuple_cmp(seen + l * cols, cond + r * cols, cols) == 0)
                a->labels[r] = (int)l;
    }
}

/* conditions.npy ([trial, step]: the label, -1 for none) and
 * conditions_values.npy ([label, size]: each condition's values). */
static int label_rows(actx *a)
{
    const rt_run_desc *d = a->d;
    size_t T = a->s->b.T, B = a->s->b.B, rows = T * B;
    size_t cols = d->condition_channel >= 0 ? d->task.channels[d->condition_channel].size : 0;
    a->n_labels = 0;
    free(a->labels);
    a->labels = malloc(rows * sizeof *a->labels);
    double *seen = malloc((RT_MAX_CONDITIONS + 1) * (cols + 1) * sizeof *seen);
    if (!a->labels || !seen) {
        free(seen);
        return rt_error(a->err, a->err_size, "out of memory");
    }
    if (!cols) {   /* the task names no conditions */
        for (size_t r = 0; r < rows; r++)
            a->labels[r] = -1;
        free(seen);
        return 0;
    }
    number_conditions(a, a->s->b.conditions, rows, cols, seen);
    size_t saved = B < RT_TRIALS_SAVED ? B : RT_TRIALS_SAVED, shape[2] = {saved, T};
    int64_t *c = malloc(saved * T * sizeof *c + 1);
    int rc = c ? 0 : rt_error(a->err, a->err_size, "out of memory");
    for (size_t i = 0; c && i < saved; i++)
        for (size_t t = 0; t < T; t++)
            c[i * T + t] = a->labels[t * B + i];
    rc = rc ? rc : write_npy(a, RT_FILE_CONDITIONS, c, RT_I64, shape, 2);
    size_t vshape[2] = {a->n_labels, cols};
    rc = rc ? rc : write_npy(a, RT_FILE_CONDITION_VALUES, seen, RT_F64, vshape, 2);
    free(c);
    free(seen);
    return rc;
}

static int need_batch(actx *a)
{
    if (a->have_batch)
        return 0;
    if (rt_session_eval_batch(a->s, 0, 0, 0, a->err, a->err_size) != 0 || label_rows(a) != 0)
        return -1;
    a->have_batch = 1;
    return 0;
}

/* ------------------------------------------------------------ eigen */

static json_t *spectrum_json(const rt_spectrum_summary *s)
{
    json_t *o = json_object(), *dominant = json_array();
    json_array_append_new(dominant, rt_json_number(s->dominant_re));
    json_array_append_new(dominant, rt_json_number(s->dominant_im));
    json_object_set_new(o, "spectral_radius", rt_json_number(s->radius));
    json_object_set_new(o, "dominant", dominant);
    json_object_set_new(o, "outside_unit_circle", json_integer((json_int_t)s->n_outside_unit));
    json_object_set_new(o, "dominant_frequency_per_step", rt_json_number(s->freq_tan_per_step));
    json_object_set_new(o, "dominant_frequency_hz", rt_json_number(s->freq_tan_hz));
    json_object_set_new(o, "dominant_angle_frequency_hz", rt_json_number(s->freq_angle_hz));
    return o;
}

/* The eigenvalues of the weights WHEN ("initial", "final"), read back from
 * the folder (the runtime's copy is the trained one): eigen_WHEN_STEM.npy
 * holds [n, 2] (real, imaginary), largest modulus first. */
static int eigen_of(actx *a, const rt_analysis_desc *an, const char *when, json_t *into)
{
    const char *stem = a->d->weights[an->proj].file_stem;
    char name[300], err[256];
    rt_file_name(name, sizeof name, RT_FILE_WEIGHTS, when, stem);
    char *path = rt_outdir_file(a->out, name);
    rt_array w = {0};
    if (!path || rt_npy_read(path, &w, err, sizeof err) != 0) {
        free(path);
        return fail(a, "cannot read %s", name);
    }
    free(path);
    size_t n = w.shape[0];
    double *ev = malloc(2 * n * sizeof *ev + 1), *re = malloc(n * sizeof *re + 1), *im = malloc(n * sizeof *im + 1);
    int rc = -1;
    if (!ev || !re || !im)
        rt_error(a->err, a->err_size, "out of memory");
    else if (rt_eigen(w.data, n, re, im, a->err, a->err_size) == 0) {
        for (size_t i = 0; i < n; i++) {
            ev[2 * i] = re[i];
            ev[2 * i + 1] = im[i];
        }
        size_t shape[2] = {n, 2};
        rc = write_npy(a, rt_file_name(name, sizeof name, RT_FILE_EIGEN, when, stem), ev, RT_F64, shape, 2);
        if (rc == 0) {
            rt_spectrum_summary s;
            rt_spectrum_summarise(re, im, n, a->d->dt, &s);
            json_object_set_new(into, when, spectrum_json(&s));
        }
    }
    free(ev);
    free(re);
    free(im);
    rt_array_free(&w);
    return rc;
}

static int run_eigen(actx *a, const rt_analysis_desc *an, json_t *result)
{
    /* the stem of its files (eigen_final_STEM.npy), for readers of the summary */
    json_object_set_new(result, "file_stem", json_string(a->d->weights[an->proj].file_stem));
    if (eigen_of(a, an, RT_WHEN_INITIAL, result) != 0)
        return -1;
    return eigen_of(a, an, RT_WHEN_FINAL, result);
}

/* ------------------------------------------------------------ pca, svd */

/* The rows (step, trial) x neurons of the signal over the first evaluation batch. */
static double *signal_rows(actx *a, const rt_analysis_desc *an)
{
    size_t rows = a->s->b.T * a->s->b.B, n = a->d->net.pops[an->pop].n;
    const void *h = an->state >= 0 ? rt_net_state_history(a->s->net, an->pop, (unsigned)an->state)
                                   : rt_net_output_history(a->s->net, an->pop, an->output);
    double *x = malloc(rows * an->width * sizeof *x + 1);
    for (size_t r = 0; x && r < rows; r++)
        for (size_t k = 0; k < an->width; k++)
            x[r * an->width + k] = real_at(a, h, r * n + an->lo + k);
    return x;
}

/* How far apart the conditions' centroids are against their spread, in
 * component space (the flip-flop's 8 memory states must be told apart). */
static void put_clusters(actx *a, const double *proj, size_t rows, size_t k, json_t *result)
{
    if (a->n_labels < 2)
        return;
    rt_cluster_stats_result cs;
    char err[256];
    if (rt_cluster_stats(proj, rows, k, a->labels, a->n_labels, &cs, err, sizeof err) != 0)
        return;
    json_object_set_new(result, "conditions", json_integer((json_int_t)cs.n_nonempty));
    json_object_set_new(result, "min_centroid_distance", rt_json_number(cs.min_centroid_distance));
    json_object_set_new(result, "max_spread", rt_json_number(cs.max_spread));
    rt_cluster_stats_free(&cs);
}

static int write_components(actx *a, const rt_analysis_desc *an, const char *what, const rt_pca_result *r,
                            size_t k, size_t cols)
{
    size_t T = a->s->b.T, B = a->s->b.B, saved = B < RT_TRIALS_SAVED ? B : RT_TRIALS_SAVED;
    double *proj = malloc(saved * T * k * sizeof *proj + 1);
    if (!proj)
        return rt_error(a->err, a->err_size, "out of memory");
    for (size_t i = 0; i < saved; i++)   /* rows are (step, trial); files are [trial, step, k] */
        for (size_t t = 0; t < T; t++)
            memcpy(proj + (i * T + t) * k, r->projections + (t * B + i) * k, k * sizeof *proj);
    size_t s_comp[2] = {k, cols}, s_k[1] = {k}, s_mean[1] = {cols}, s_proj[3] = {saved, T, k};
    char name[300];
    int rc = write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name, RT_PART_COMPONENTS),
                       r->components, RT_F64, s_comp, 2);
    rc = rc ? rc : write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name, RT_PART_EXPLAINED),
                             r->explained_ratio, RT_F64, s_k, 1);
    rc = rc ? rc : write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name, RT_PART_MEAN),
                             r->mean, RT_F64, s_mean, 1);
    rc = rc ? rc
            : write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name, RT_PART_PROJECTIONS),
                        proj, RT_F64, s_proj, 3);
    free(proj);
    return rc;
}

/* The rows of X (ROWS x COLS, (step, trial)) inside a trial: all of them
 * without phases; with phases, those whose phase is not 0. Phase 0 is the
 * padding after a trial shorter than the batch's longest, no part of any
 * trial, so the fit must not see it (the network idles there, and its
 * idling would pull the components towards itself). Tasks without phases
 * have no padding: every row is kept and the fit is what it always was.
 * The kept rows are moved to the front of X, and of LABELS (a copy); their
 * count. */
static size_t trial_rows(const actx *a, double *x, size_t rows, size_t cols, int *labels)
{
    const double *phase = a->s->b.phases;
    size_t kept = 0;
    for (size_t r = 0; r < rows; r++)
        if (!phase || phase[r] != 0) {
            if (kept != r)
                memmove(x + kept * cols, x + r * cols, cols * sizeof *x);
            labels[kept++] = a->labels[r];
        }
    return kept;
}

/* Every row of X projected on the components of R (fitted on the trial
 * rows only): the padding rows too, so the files keep their [trial, step, k]
 * shape; the pictures stop at each trial's end (eval_phases.npy). */
static double *project_all(const double *x, size_t rows, size_t cols, size_t k, const rt_pca_result *r)
{
    double *proj = malloc(rows * k * sizeof *proj + 1);
    for (size_t i = 0; proj && i < rows; i++)
        for (size_t j = 0; j < k; j++) {
            double sum = 0;
            for (size_t c = 0; c < cols; c++)
                sum += (x[i * cols + c] - r->mean[c]) * r->components[j * cols + c];
            proj[i * k + j] = sum;
        }
    return proj;
}

/* The fit over the trial rows, with R's projections for every row. */
static int fit_components(actx *a, double *x, size_t rows, size_t cols, size_t k, int center, rt_pca_result *r,
                          int *labels, size_t *kept)
{
    double *all = malloc(rows * cols * sizeof *all + 1);
    if (!all)
        return rt_error(a->err, a->err_size, "out of memory");
    memcpy(all, x, rows * cols * sizeof *all);
    *kept = trial_rows(a, x, rows, cols, labels);
    int rc = rt_pca(x, *kept, cols, k, center, r, a->err, a->err_size);
    if (rc == 0 && *kept < rows) {
        double *proj = project_all(all, rows, cols, k, r);
        if (!proj) {
            rt_pca_free(r);
            rc = rt_error(a->err, a->err_size, "out of memory");
        } else {
            free(r->projections);
            r->projections = proj;
        }
    }
    free(all);
    return rc;
}

/* The cluster statistics over the KEPT trial rows (PROJ's first rows
 * when padding was left out: trial_rows' order). */
static void put_trial_clusters(actx *a, const rt_pca_result *r, size_t rows, size_t kept, size_t k, int *labels,
                               json_t *result)
{
    if (kept == rows) {
        put_clusters(a, r->projections, rows, k, result);
        return;
    }
    double *proj = malloc(kept * k * sizeof *proj + 1);
    const double *phase = a->s->b.phases;
    size_t m = 0;
    for (size_t i = 0; proj && i < rows; i++)
        if (phase[i] != 0)
            memcpy(proj + k * m++, r->projections + i * k, k * sizeof *proj);
    int *saved = a->labels;
    a->labels = labels;
    if (proj)
        put_clusters(a, proj, kept, k, result);
    a->labels = saved;
    free(proj);
}

static int run_components(actx *a, const rt_analysis_desc *an, json_t *result)
{
    int center = an->kind == RT_ANALYSIS_PCA;
    const char *what = center ? RT_KIND_PCA : RT_KIND_SVD;
    size_t rows = a->s->b.T * a->s->b.B, cols = an->width, k = an->k < cols ? an->k : cols, kept = 0;
    if (need_batch(a) != 0)
        return -1;
    double *x = signal_rows(a, an);
    int *labels = malloc(rows * sizeof *labels + 1);
    if (!x || !labels) {
        free(x);
        free(labels);
        return rt_error(a->err, a->err_size, "out of memory");
    }
    rt_pca_result r;
    int rc = fit_components(a, x, rows, cols, k, center, &r, labels, &kept);
    free(x);
    if (rc != 0) {
        free(labels);
        return -1;
    }
    rc = write_components(a, an, what, &r, k, cols);
    if (rc == 0) {
        json_t *explained = json_array();
        for (size_t i = 0; i < k; i++)
            json_array_append_new(explained, rt_json_number(r.explained_ratio[i]));
        json_object_set_new(result, "components", json_integer((json_int_t)k));
        json_object_set_new(result, "explained_ratio", explained);
        put_trial_clusters(a, &r, rows, kept, k, labels, result);
    }
    free(labels);
    if (rc == 0 && a->n_spaces < RT_MAX_ANALYSES) {   /* the space, for the fixed points */
        unsigned i = a->n_spaces++;
        a->spaces[i].a = an;
        a->spaces[i].mean = r.mean;
        a->spaces[i].components = r.components;
        r.mean = r.components = NULL;
    }
    rt_pca_free(&r);
    return rc;
}

/* ------------------------------------------------------------ fixed points */

/* Initial states: random (step, trial) states of the evaluation batch,
 * among its ROWS rows (FROM: their indices, NULL for every row); the
 * draws' counters start at BASE. */
static double *fp_inits(actx *a, const rt_fp_map *m, size_t count, const size_t *from, size_t rows, uint64_t base)
{
    size_t n = m->n;
    double *x = malloc(count * m->dim * sizeof *x + 1);
    if (!x)
        return NULL;
    for (size_t q = 0; q < count; q++) {
        size_t row = (size_t)rt_rng_randint(a->d->settings.seed, RT_STREAM_FP_INITS, base + q, 0, (int64_t)rows);
        row = from ? from[row] : row;
        for (size_t k = 0; k < m->K; k++) {
            const void *h = rt_net_state_history(a->s->net, m->pop, (unsigned)k);
            for (size_t i = 0; i < n; i++)
                x[q * m->dim + k * n + i] = real_at(a, h, row * n + i);
        }
        if (m->r_state < 0) {
            const void *h = rt_net_output_history(a->s->net, m->pop, 0);
            for (size_t i = 0; i < n; i++)
                x[q * m->dim + m->K * n + i] = real_at(a, h, row * n + i);
        }
    }
    return x;
}

/* Where output 0 lies in a point of M. */
static size_t output_offset(const rt_fp_map *m)
{
    return m->r_state >= 0 ? (size_t)m->r_state * m->n : m->K * m->n;
}

/* How many conditions have a stable point of their own: one whose nearest
 * condition centroid (in the output's space) is theirs, within twice their
 * spread (the RMS distance of their states to the centroid). */
static size_t fp_conditions_matched(actx *a, const rt_fp_map *m, const rt_fp_result *fr)
{
    if (a->n_labels < 2)
        return 0;
    size_t rows = a->s->b.T * a->s->b.B, n = m->n;
    const void *h = rt_net_output_history(a->s->net, m->pop, 0);
    double *r = malloc(rows * n * sizeof *r);
    unsigned char *hit = calloc(a->n_labels, 1);
    rt_cluster_stats_result cs;
    char err[128];
    size_t matched = 0;
    if (r && hit) {
        for (size_t i = 0; i < rows * n; i++)
            r[i] = real_at(a, h, i);
        if (rt_cluster_stats(r, rows, n, a->labels, a->n_labels, &cs, err, sizeof err) == 0) {
            for (size_t q = 0; q < fr->count; q++) {
                const double *x = fr->points + q * m->dim + output_offset(m);
                double best = INFINITY;
                size_t nearest = 0;
                for (size_t l = 0; fr->stable[q] && l < a->n_labels; l++) {
                    double dist = 0;
                    for (size_t i = 0; i < n; i++)
                        dist += (x[i] - cs.centroid[l * n + i]) * (x[i] - cs.centroid[l * n + i]);
                    if (cs.count[l] > 0 && dist < best) {
                        best = dist;
                        nearest = l;
                    }
                }
                if (isfinite(best) && sqrt(best) <= 2 * cs.spread[nearest])
                    hit[nearest] = 1;
            }
            rt_cluster_stats_free(&cs);
        }
        for (size_t l = 0; l < a->n_labels; l++)
            matched += hit[l];
    }
    free(r);
    free(hit);
    return matched;
}

static int fp_write(actx *a, const rt_fp_map *m, const rt_fp_result *fr)
{
    const char *pop = a->d->net.pops[m->pop].name;
    size_t count = fr->count, n = m->n, dim = m->dim;
    char file[300];
    double *r = malloc(count * n * sizeof *r + 1), *ev = malloc(count * dim * 2 * sizeof *ev + 1);
    uint8_t *stable = malloc(count + 1);
    int rc = r && ev && stable ? 0 : rt_error(a->err, a->err_size, "out of memory");
    for (size_t q = 0; rc == 0 && q < count; q++) {
        memcpy(r + q * n, fr->points + q * dim + output_offset(m), n * sizeof *r);
        for (size_t i = 0; i < dim; i++) {
            ev[(q * dim + i) * 2] = fr->eig_re[q * dim + i];
            ev[(q * dim + i) * 2 + 1] = fr->eig_im[q * dim + i];
        }
        stable[q] = (uint8_t)fr->stable[q];
    }
    size_t s_pts[2] = {count, dim}, s_r[2] = {count, n}, s_q[1] = {count}, s_ev[3] = {count, dim, 2};
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, ""), fr->points, RT_F64, s_pts, 2);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_output"), r, RT_F64, s_r, 2);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_q"), fr->q, RT_F64, s_q, 1);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_stable"), stable, RT_U8, s_q, 1);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_eigen"), ev, RT_F64, s_ev, 3);
    free(r);
    free(ev);
    free(stable);
    return rc;
}

static void fp_summary(actx *a, const rt_fp_map *m, const rt_fp_result *fr, size_t count, json_t *result)
{
    size_t stable = 0, stable_fixed = 0, fixed = 0, saddles = 0;
    double qmax = 0;
    for (size_t q = 0; q < fr->count; q++) {
        stable += fr->stable[q] != 0;
        stable_fixed += fr->stable[q] && fr->is_fixed[q];
        fixed += fr->is_fixed[q] != 0;
        saddles += fr->n_unstable[q] == 1;
        qmax = fmax(qmax, fr->q[q]);
    }
    json_object_set_new(result, "initial_states", json_integer((json_int_t)count));
    json_object_set_new(result, "found", json_integer((json_int_t)fr->count));
    json_object_set_new(result, "fixed", json_integer((json_int_t)fixed));
    json_object_set_new(result, "slow", json_integer((json_int_t)(fr->count - fixed)));
    json_object_set_new(result, "stable", json_integer((json_int_t)stable));
    json_object_set_new(result, "stable_fixed", json_integer((json_int_t)stable_fixed));
    json_object_set_new(result, "one_unstable_mode", json_integer((json_int_t)saddles));
    json_object_set_new(result, "max_q", rt_json_number(qmax));
    json_object_set_new(result, "conditions_with_stable_point",
                        json_integer((json_int_t)fp_conditions_matched(a, m, fr)));
}

static int run_fixed_points_held(actx *a, const rt_analysis_desc *an, json_t *result);

/* The finder's options: the defaults, AN's tol, the session's stop flag. */
static rt_fp_options fp_options(const actx *a, const rt_analysis_desc *an)
{
    rt_fp_options opt = rt_fp_default_options();
    opt.stop = a->s->stop;
    if (an->tol > 0)
        opt.tol_q = an->tol;
    return opt;
}

/* FR's points and stability (taken from FR) and COLOUR (NULL, or per
 * point its condition) kept with the map of a->fixed[a->n_fixed], for the
 * component spaces; the map is freed at the end. */
static void fp_keep(actx *a, rt_fp_result *fr, int *colour)
{
    unsigned f = a->n_fixed++;
    a->fixed[f].count = fr->count;
    a->fixed[f].points = fr->points;
    a->fixed[f].stable = fr->stable;
    a->fixed[f].colour = colour;
    fr->points = NULL;
    fr->stable = NULL;
}

static int run_fixed_points(actx *a, const rt_analysis_desc *an, json_t *result)
{
    if (an->inputs_phase)
        return run_fixed_points_held(a, an, result);
    if (need_batch(a) != 0 || a->n_fixed == RT_MAX_ANALYSES)
        return -1;
    rt_fp_map *m = &a->fixed[a->n_fixed].m;
    if (rt_fp_map_init(m, a->d, a->s->net, an->pop, a->err, a->err_size) != 0) {
        rt_fp_map_free(m);
        return -1;
    }
    size_t count = an->n_points ? an->n_points : 256;
    rt_fp_options opt = fp_options(a, an);
    rt_fp_system sys = {m->dim, m, rt_fp_map_step, rt_fp_map_vjp};
    rt_fp_result fr;
    double *x = fp_inits(a, m, count, NULL, a->s->b.T * a->s->b.B, 0);
    int found = x && rt_find_fixed_points(&sys, x, count, &opt, &fr, a->err, a->err_size) == 0;
    if (!x)
        rt_error(a->err, a->err_size, "out of memory");
    free(x);
    int rc = found ? fp_write(a, m, &fr) : -1;
    if (rc == 0) {
        fp_summary(a, m, &fr, count, result);
        fp_keep(a, &fr, NULL);
    } else {
        rt_fp_map_free(m);
    }
    if (found)
        rt_fp_free(&fr);
    return rc;
}

/* ------------------------------------------------------------ fixed points with the inputs held */

/* fixed_points(h, inputs = PHASE): the first evaluation batch's trials in
 * groups by their condition (the tuple at the last step of PHASE; 0 is a
 * value here, as in the psychometric curve), or all in one group without
 * a condition, in increasing order of the tuples; a trial with no step in
 * PHASE is in none. Each group holds the inputs at their mean over its
 * steps in PHASE, and starts the search from those steps' states. */
typedef struct fp_groups {
    size_t n, cols, width;          /* groups, condition elements, input elements */
    double *values;                 /* [n][cols]: each group's condition */
    double *inputs;                 /* [n][width]: the inputs held */
    size_t *trials;                 /* [n]: trials in the group */
    size_t *start;                  /* [n + 1]: group g's rows are rows[start[g] .. start[g + 1]) */
    size_t *rows;                   /* (step, trial) rows in PHASE, group by group */
    int *label;                     /* [n]: the condition's number in conditions.npy, or -1 */
} fp_groups;

static void fp_groups_free(fp_groups *g)
{
    free(g->values);
    free(g->inputs);
    free(g->trials);
    free(g->start);
    free(g->rows);
    free(g->label);
}

/* The group of each trial (-1: none) and the groups' conditions, sorted. */
static int fp_group_trials(actx *a, unsigned phase, fp_groups *g, int *group_of)
{
    const rt_batch *b = &a->s->b;
    size_t T = b->T, B = b->B, cols = g->cols;
    long *last = malloc(B * sizeof *last + 1);
    if (!last)
        return rt_error(a->err, a->err_size, "out of memory");
    for (size_t i = 0; i < B; i++) {
        last[i] = -1;
        for (size_t t = 0; t < T; t++)
            if (b->phases[t * B + i] == (double)phase)
                last[i] = (long)t;
    }
    for (size_t i = 0; i < B && g->n <= RT_MAX_CONDITIONS; i++) {   /* the distinct tuples, in order */
        if (last[i] < 0)
            continue;
        const double *c = cols ? b->conditions + ((size_t)last[i] * B + i) * cols : NULL;
        size_t at = 0;
        while (at < g->n && tuple_cmp(g->values + at * cols, c, cols) < 0)
            at++;
        if (at < g->n && tuple_cmp(g->values + at * cols, c, cols) == 0)
            continue;
        if (g->n == RT_MAX_CONDITIONS) {
            g->n++;
            break;
        }
        memmove(g->values + (at + 1) * cols, g->values + at * cols, (g->n - at) * cols * sizeof *g->values);
        memmove(g->label + at + 1, g->label + at, (g->n - at) * sizeof *g->label);
        if (cols)
            memcpy(g->values + at * cols, c, cols * sizeof *c);
        g->label[at] = a->labels[(size_t)last[i] * B + i];
        g->n++;
    }
    for (size_t i = 0; i < B; i++) {
        group_of[i] = -1;
        for (size_t k = 0; last[i] >= 0 && k < g->n; k++)
            if (tuple_cmp(g->values + k * cols, cols ? b->conditions + ((size_t)last[i] * B + i) * cols : NULL,
                          cols) == 0)
                group_of[i] = (int)k;
    }
    free(last);
    if (g->n > RT_MAX_CONDITIONS)
        return rt_error(a->err, a->err_size, "the trials have more than %d conditions in the phase; fixed points "
                        "are found for at most that many", RT_MAX_CONDITIONS);
    return 0;
}

/* Each group's rows in PHASE and the mean of the inputs over them. */
static int fp_group_rows(actx *a, unsigned phase, fp_groups *g, const int *group_of)
{
    const rt_run_desc *d = a->d;
    const rt_batch *b = &a->s->b;
    size_t T = b->T, B = b->B, *fill = calloc(g->n + 1, sizeof *fill);
    if (!fill)
        return rt_error(a->err, a->err_size, "out of memory");
    for (size_t r = 0; r < T * B; r++)
        if (b->phases[r] == (double)phase && group_of[r % B] >= 0)
            g->start[group_of[r % B] + 1]++;
    for (size_t k = 0; k < g->n; k++)
        g->start[k + 1] += g->start[k];
    for (size_t r = 0; r < T * B; r++)
        if (b->phases[r] == (double)phase && group_of[r % B] >= 0) {
            size_t k = (size_t)group_of[r % B];
            g->rows[g->start[k] + fill[k]++] = r;
        }
    free(fill);
    for (size_t i = 0; i < B; i++)
        if (group_of[i] >= 0)
            g->trials[group_of[i]]++;
    for (size_t k = 0; k < g->n; k++) {
        double *u = g->inputs + k * g->width;
        size_t col = 0, count = g->start[k + 1] - g->start[k];
        for (unsigned in = 0; in < d->net.n_inputs; in++) {
            size_t size = d->net.input_sizes[in];
            const void *x = rt_net_input(a->s->net, in);   /* [T][B][size], as the network saw it */
            for (size_t e = 0; e < size; e++, col++) {
                double sum = 0;
                for (size_t r = g->start[k]; r < g->start[k + 1]; r++)
                    sum += real_at(a, x, g->rows[r] * size + e);
                u[col] = sum / (double)count;
            }
        }
    }
    return 0;
}

static int fp_groups_make(actx *a, unsigned phase, fp_groups *g)
{
    const rt_run_desc *d = a->d;
    size_t B = a->s->b.B, rows = a->s->b.T * B;
    memset(g, 0, sizeof *g);
    g->cols = d->condition_channel >= 0 ? d->task.channels[d->condition_channel].size : 0;
    for (unsigned in = 0; in < d->net.n_inputs; in++)
        g->width += d->net.input_sizes[in];
    if (!a->s->b.phases)
        return rt_error(a->err, a->err_size, "the task has no phases to hold the inputs over");
    int *group_of = malloc(B * sizeof *group_of + 1);
    g->values = malloc(((RT_MAX_CONDITIONS + 1) * g->cols + 1) * sizeof *g->values);
    g->label = malloc((RT_MAX_CONDITIONS + 1) * sizeof *g->label);
    g->inputs = malloc(((RT_MAX_CONDITIONS + 1) * g->width + 1) * sizeof *g->inputs);
    g->trials = calloc(RT_MAX_CONDITIONS + 1, sizeof *g->trials);
    g->start = calloc(RT_MAX_CONDITIONS + 2, sizeof *g->start);
    g->rows = malloc(rows * sizeof *g->rows + 1);
    int rc = group_of && g->values && g->label && g->inputs && g->trials && g->start && g->rows
                 ? 0 : rt_error(a->err, a->err_size, "out of memory");
    rc = rc ? rc : fp_group_trials(a, phase, g, group_of);
    if (rc == 0 && g->n == 0)
        rc = rt_error(a->err, a->err_size, "no trial of the first evaluation batch has a step in phase '%s'",
                      d->task.phase_names[phase - 1]);
    rc = rc ? rc : fp_group_rows(a, phase, g, group_of);
    free(group_of);
    return rc;
}

/* Appends the points of ONE to ALL (the arrays grown). */
static int fp_append(rt_fp_result *all, const rt_fp_result *one)
{
    size_t n = one->n, c = all->count + one->count;
    double *points = realloc(all->points, (c * n + 1) * sizeof *points);
    all->points = points ? points : all->points;
    double *q = realloc(all->q, (c + 1) * sizeof *q);
    all->q = q ? q : all->q;
    unsigned char *fixed = realloc(all->is_fixed, c + 1), *stable = realloc(all->stable, c + 1);
    all->is_fixed = fixed ? fixed : all->is_fixed;
    all->stable = stable ? stable : all->stable;
    double *re = realloc(all->eig_re, (c * n + 1) * sizeof *re), *im = realloc(all->eig_im, (c * n + 1) * sizeof *im);
    all->eig_re = re ? re : all->eig_re;
    all->eig_im = im ? im : all->eig_im;
    size_t *unstable = realloc(all->n_unstable, (c + 1) * sizeof *unstable);
    all->n_unstable = unstable ? unstable : all->n_unstable;
    if (!points || !q || !fixed || !stable || !re || !im || !unstable)
        return -1;
    size_t at = all->count;
    memcpy(all->points + at * n, one->points, one->count * n * sizeof *points);
    memcpy(all->eig_re + at * n, one->eig_re, one->count * n * sizeof *re);
    memcpy(all->eig_im + at * n, one->eig_im, one->count * n * sizeof *im);
    memcpy(all->q + at, one->q, one->count * sizeof *q);
    memcpy(all->is_fixed + at, one->is_fixed, one->count);
    memcpy(all->stable + at, one->stable, one->count);
    memcpy(all->n_unstable + at, one->n_unstable, one->count * sizeof *unstable);
    all->n = n;
    all->count = c;
    all->n_inits += one->n_inits;
    all->n_converged += one->n_converged;
    return 0;
}

/* fixed_points_H_group.npy [point], _inputs.npy [group, input elements],
 * _conditions.npy [group, condition elements]. */
static int fp_write_groups(actx *a, const rt_fp_map *m, const fp_groups *g, const int64_t *group, size_t count)
{
    const char *pop = a->d->net.pops[m->pop].name;
    char file[300];
    size_t s_group[1] = {count}, s_in[2] = {g->n, g->width}, s_cond[2] = {g->n, g->cols};
    int rc = write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_group"), group, RT_I64,
                       s_group, 1);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_inputs"), g->inputs,
                             RT_F64, s_in, 2);
    rc = rc ? rc : write_npy(a, rt_file_name(file, sizeof file, RT_FILE_FIXED_POINTS, pop, "_conditions"),
                             g->values, RT_F64, s_cond, 2);
    return rc;
}

/* summary.json's "inputs" (the phase) and "groups": per group its
 * condition (null without one), trials and counts of points. */
static void fp_summary_groups(actx *a, unsigned phase, const fp_groups *g, const rt_fp_result *fr,
                              const int64_t *group, size_t count, json_t *result)
{
    json_t *list = json_array();
    for (size_t k = 0; k < g->n; k++) {
        json_t *o = json_object(), *cond = g->cols ? json_array() : json_null();
        for (size_t c = 0; c < g->cols; c++)
            json_array_append_new(cond, rt_json_number(g->values[k * g->cols + c]));
        size_t found = 0, fixed = 0, stable = 0;
        for (size_t q = 0; q < fr->count; q++)
            if (group[q] == (int64_t)k) {
                found++;
                fixed += fr->is_fixed[q] != 0;
                stable += fr->stable[q] != 0;
            }
        json_object_set_new(o, "condition", cond);
        json_object_set_new(o, "trials", json_integer((json_int_t)g->trials[k]));
        json_object_set_new(o, "initial_states", json_integer((json_int_t)count));
        json_object_set_new(o, "found", json_integer((json_int_t)found));
        json_object_set_new(o, "fixed", json_integer((json_int_t)fixed));
        json_object_set_new(o, "stable", json_integer((json_int_t)stable));
        json_array_append_new(list, o);
    }
    json_object_set_new(result, "inputs", json_string(a->d->task.phase_names[phase - 1]));
    json_object_set_new(result, "groups", list);
}

/* The finder once per group, with that group's inputs held; the points of
 * every group, in order, into ALL and their group into *GROUP. */
static int fp_find_groups(actx *a, rt_fp_map *m, const fp_groups *g, size_t count, const rt_fp_options *opt,
                          rt_fp_result *all, int64_t **group)
{
    rt_fp_system sys = {m->dim, m, rt_fp_map_step, rt_fp_map_vjp};
    *group = NULL;
    for (size_t k = 0; k < g->n; k++) {
        rt_fp_map_hold_inputs(m, a->d, a->s->net, g->inputs + k * g->width);
        /* group k's draws use counters from (k + 1) 2^32, apart from the other groups' */
        double *x = fp_inits(a, m, count, g->rows + g->start[k], g->start[k + 1] - g->start[k],
                             (uint64_t)(k + 1) << 32);
        rt_fp_result fr;
        int found = x && rt_find_fixed_points(&sys, x, count, opt, &fr, a->err, a->err_size) == 0;
        free(x);
        if (!found)
            return x ? -1 : rt_error(a->err, a->err_size, "out of memory");
        size_t before = all->count;
        int64_t *grown = realloc(*group, (before + fr.count + 1) * sizeof *grown);
        int rc = grown && fp_append(all, &fr) == 0 ? 0 : rt_error(a->err, a->err_size, "out of memory");
        *group = grown ? grown : *group;
        for (size_t q = before; rc == 0 && q < all->count; q++)
            (*group)[q] = (int64_t)k;
        rt_fp_free(&fr);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int run_fixed_points_held(actx *a, const rt_analysis_desc *an, json_t *result)
{
    if (need_batch(a) != 0 || a->n_fixed == RT_MAX_ANALYSES)
        return -1;
    rt_fp_map *m = &a->fixed[a->n_fixed].m;
    fp_groups g = {0};
    if (rt_fp_map_init(m, a->d, a->s->net, an->pop, a->err, a->err_size) != 0 ||
        fp_groups_make(a, an->inputs_phase, &g) != 0) {
        rt_fp_map_free(m);
        fp_groups_free(&g);
        return -1;
    }
    size_t count = an->n_points ? an->n_points : 256;
    rt_fp_options opt = fp_options(a, an);
    rt_fp_result fr = {0};
    int64_t *group = NULL;
    int rc = fp_find_groups(a, m, &g, count, &opt, &fr, &group);
    int *colour = rc == 0 ? malloc((fr.count + 1) * sizeof *colour) : NULL;
    rc = rc ? rc : colour ? 0 : rt_error(a->err, a->err_size, "out of memory");
    rc = rc ? rc : fp_write(a, m, &fr);
    rc = rc ? rc : fp_write_groups(a, m, &g, group, fr.count);
    if (rc == 0) {
        fp_summary(a, m, &fr, count * g.n, result);
        fp_summary_groups(a, an->inputs_phase, &g, &fr, group, count, result);
        for (size_t q = 0; q < fr.count; q++)
            colour[q] = g.label[group[q]];
        fp_keep(a, &fr, colour);
    } else {
        rt_fp_map_free(m);
        free(colour);
    }
    rt_fp_free(&fr);
    free(group);
    fp_groups_free(&g);
    return rc;
}


/* ------------------------------------------------------------ fixed points in component space */

/* Where a space's signal lies in a fixed point of its population: the
 * block of the state it is, or of output 0; -1 for another output, which
 * the point does not hold. */
static long signal_offset(const actx *a, unsigned s, unsigned f)
{
    const rt_analysis_desc *an = a->spaces[s].a;
    if (an->state >= 0)
        return (long)((size_t)an->state * a->fixed[f].m.n);
    return an->output != 0 ? -1 : (long)output_offset(&a->fixed[f].m);
}

/* KIND_NAME_fixed_points.npy ([point, k]) and _fixed_points_stable.npy:
 * the fixed points of the population a PCA or SVD looked at, in its
 * components, so the pictures draw them over the trajectories. */
static int project_fixed_points(actx *a)
{
    int rc = 0;
    for (unsigned s = 0; s < a->n_spaces && rc == 0; s++)
        for (unsigned f = 0; f < a->n_fixed && rc == 0; f++) {
            const rt_analysis_desc *an = a->spaces[s].a;
            long off = an->pop == a->fixed[f].m.pop ? signal_offset(a, s, f) : -1;
            size_t k = an->k < an->width ? an->k : an->width, w = an->width, count = a->fixed[f].count;
            if (off < 0)
                continue;
            double *y = malloc((count * k + 1) * sizeof *y);
            if (!y)
                return rt_error(a->err, a->err_size, "out of memory");
            for (size_t q = 0; q < count; q++) {
                const double *x = a->fixed[f].points + q * a->fixed[f].m.dim + off + an->lo;
                for (size_t c = 0; c < k; c++) {
                    double sum = 0;
                    for (size_t i = 0; i < w; i++)
                        sum += (x[i] - a->spaces[s].mean[i]) * a->spaces[s].components[c * w + i];
                    y[q * k + c] = sum;
                }
            }
            const char *what = an->kind == RT_ANALYSIS_PCA ? RT_KIND_PCA : RT_KIND_SVD;
            char name[300];
            size_t shape[2] = {count, k};
            rc = write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name, RT_PART_FIXED_POINTS),
                           y, RT_F64, shape, 2);
            rc = rc ? rc
                    : write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name,
                                                RT_PART_FIXED_POINTS_STABLE), a->fixed[f].stable, RT_U8, shape, 1);
            if (rc == 0 && a->fixed[f].colour) {   /* found per condition: the picture colours them so */
                int64_t *c = (int64_t *)y;   /* [count] fits in [count][k] doubles */
                for (size_t q = 0; q < count; q++)
                    c[q] = a->fixed[f].colour[q];
                rc = write_npy(a, rt_file_name(name, sizeof name, RT_FILE_COMPONENTS, what, an->name,
                                               RT_PART_FIXED_POINTS_CONDITION), c, RT_I64, shape, 1);
            }
            free(y);
        }
    return rc;
}

/* ------------------------------------------------------------ the driver */

/* One row per analysis kind: its summary key's prefix, whether it runs
 * other batches through the network (so after the rest), and how. Kept in
 * the order of rt_analysis_kind. */
typedef int (*analysis_fn)(actx *a, const rt_analysis_desc *an, json_t **result);

static int eigen_entry(actx *a, const rt_analysis_desc *an, json_t **r) { return run_eigen(a, an, *r); }
static int components_entry(actx *a, const rt_analysis_desc *an, json_t **r) { return run_components(a, an, *r); }
static int fixed_points_entry(actx *a, const rt_analysis_desc *an, json_t **r) { return run_fixed_points(a, an, *r); }

static const struct {
    rt_analysis_kind kind;
    const char *key;                /* "eigen h -> h" is KEY + the projection's name */
    int uses_batches;
    analysis_fn run;
} analyses[RT_ANALYSIS_KINDS] = {
    {RT_ANALYSIS_EIGEN, "eigen", 0, eigen_entry},
    {RT_ANALYSIS_PCA, "pca", 0, components_entry},
    {RT_ANALYSIS_SVD, "svd", 0, components_entry},
    {RT_ANALYSIS_FIXED_POINTS, "fixed_points", 0, fixed_points_entry},
    {RT_ANALYSIS_ROBUSTNESS, "robustness", 1, rt_analyze_robustness},
    {RT_ANALYSIS_DEGRADATION, "degradation", 1, rt_analyze_degradation},
    {RT_ANALYSIS_PSYCHOMETRIC, "psychometric", 1, rt_analyze_psychometric},
};

/* The summary key of analysis AN: "eigen h -> h", "pca h_r", "robustness",
 * "psychometric". */
static void summary_key(const actx *a, const rt_analysis_desc *an, char *buf, size_t size)
{
    const char *key = analyses[an->kind].key;
    if (an->kind == RT_ANALYSIS_EIGEN)
        snprintf(buf, size, "%s %s", key, a->d->net.projs[an->proj].name);
    else if (an->kind == RT_ANALYSIS_ROBUSTNESS || an->kind == RT_ANALYSIS_PSYCHOMETRIC)
        snprintf(buf, size, "%s", key);
    else
        snprintf(buf, size, "%s %s", key, an->name);
}

/* The analyses of one pass; 1 when the stop flag ended it (an analysis
 * then stopped midway is not a failure). DONE[i] marks those that ran. */
static int run_pass(actx *a, int uses_batches, unsigned char *done, int *failed)
{
    for (unsigned i = 0; i < a->d->n_analyses; i++) {
        const rt_analysis_desc *an = &a->d->analyses[i];
        if (an->kind >= RT_ANALYSIS_KINDS)
            return *failed = (int)i, rt_error(a->err, a->err_size, "analysis kind %d is not known", (int)an->kind);
        if (analyses[an->kind].uses_batches != uses_batches)
            continue;
        if (rt_session_stopped(a->s))
            return 1;
        json_t *result = json_object();
        int rc = analyses[an->kind].run(a, an, &result);
        if (rc != 0 || rt_session_stopped(a->s)) {
            json_decref(result);
            if (rt_session_stopped(a->s))
                return 1;
            *failed = (int)i;
            return -1;
        }
        char key[320];
        summary_key(a, an, key, sizeof key);
        json_object_set_new(a->json, key, result);
        done[i] = 1;
    }
    return 0;
}

/* "not_done": the keys of the analyses a stop left out. */
static void put_not_done(actx *a, const unsigned char *done)
{
    json_t *list = json_array();
    for (unsigned i = 0; i < a->d->n_analyses; i++)
        if (!done[i]) {
            char key[320];
            summary_key(a, &a->d->analyses[i], key, sizeof key);
            json_array_append_new(list, json_string(key));
        }
    json_object_set_new(a->json, "not_done", list);
}

int rt_analyze(rt_session *s, const rt_outdir *out, json_t **analysis, int *failed, int *write_failed, char *err,
               size_t err_size)
{
    actx a = {.s = s, .d = s->d, .out = out, .json = json_object(), .err = err, .err_size = err_size};
    unsigned char done[RT_MAX_ANALYSES] = {0};
    *failed = -1;
    int rc = a.json ? 0 : rt_error(err, err_size, "out of memory");
    rc = rc ? rc : run_pass(&a, 0, done, failed);
    rc = rc ? rc : run_pass(&a, 1, done, failed);
    rc = rc ? rc : project_fixed_points(&a);
    if (rc > 0)
        put_not_done(&a, done);
    for (unsigned i = 0; i < a.n_spaces; i++) {
        free(a.spaces[i].mean);
        free(a.spaces[i].components);
    }
    for (unsigned f = 0; f < a.n_fixed; f++) {
        rt_fp_map_free(&a.fixed[f].m);
        free(a.fixed[f].points);
        free(a.fixed[f].stable);
        free(a.fixed[f].colour);
    }
    free(a.labels);
    *analysis = a.json;
    *write_failed = a.write_failed;
    return rc;
}
