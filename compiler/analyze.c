/* analyze.c -- the 'analyze' lines of a model (see analyze.h).
 *
 * The numerical work is the runtime's (runtime/rt_analysis.h: LAPACK
 * eigenvalues, PCA, the fixed-point finder); this file finds the data each
 * analysis names, runs it and writes what it found.
 */
#include "analyze.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_analysis.h"
#include "rt_npy.h"
#include "rt_rng.h"
#include "sema.h"
#include "train.h"

/* Distinct random streams of the analyses (keyed with the run's seed). */
enum { STREAM_FP_INITS = 0x6670, STREAM_ROBUSTNESS = 0x726f62, STREAM_DEGRADATION = 0x646567 };
enum { DEGRADATION_DRAWS = 5, FP_MAX_ARGS = 256, ANALYZE_MAX_ITEMS = 16 };

typedef struct actx {
    plan *p;
    rt_net *net;
    const analyze_host *host;
    const rt_outdir *out;
    text *json;
    int have_batch;                 /* the first evaluation batch is in the histories */
    const void *const *targets;
    int *labels;                    /* [steps][batch]: the task condition of each row, or -1 */
    size_t n_labels;
    int items;                      /* JSON members written so far */
    /* kept to draw fixed points in component space once both have run */
    unsigned n_spaces, n_fixed;
    struct {
        char file[200];             /* pca_h_r, svd_h_v_0_8 */
        unsigned pop;
        int state;                  /* the state, or -1: output OUTPUT */
        unsigned output;
        size_t lo, width, k;
        double *mean, *components;
    } spaces[ANALYZE_MAX_ITEMS];
    struct {
        unsigned pop;
        size_t count, dim, n, K;
        int r_state;
        double *points;
        unsigned char *stable;
    } fixed[ANALYZE_MAX_ITEMS];
} actx;

static int write_npy(actx *a, const char *name, const void *data, rt_dtype type, const size_t *shape,
                     int ndim)
{
    return train_write_npy(a->out, name, data, type, shape, ndim);
}

/* "h -> h" as a file-name part: h_h. */
static const char *proj_file_part(const plan *p, unsigned j, char *buf, size_t size)
{
    snprintf(buf, size, "%s_%s", p->projs[j].pre_name, p->projs[j].post_name);
    return buf;
}

/* ------------------------------------------------------------ arguments */

static const ast_node *positional(const ast_node *call, unsigned k)
{
    for (const ast_node *a = call->first->first; a; a = a->next)
        if (a->kind != AST_NAMEDARG && k-- == 0)
            return a;
    return NULL;
}

static const ast_node *named(const ast_node *call, const char *name)
{
    for (const ast_node *a = call->first->first; a; a = a->next)
        if (a->kind == AST_NAMEDARG && strcmp(a->name, name) == 0)
            return a->first;
    return NULL;
}

static double named_number(const ast_node *call, const char *name, double fallback)
{
    const ast_node *v = named(call, name);
    double x;
    return v && const_eval(v, &x) ? x : fallback;
}

/* A list argument's values (at most MAX), else the defaults. */
static size_t named_list(const ast_node *call, const char *name, double *out, size_t max,
                         const double *defaults, size_t n_defaults)
{
    const ast_node *v = named(call, name);
    size_t n = 0;
    if (v && v->kind == AST_LIST) {
        for (const ast_node *e = v->first; e && n < max; e = e->next)
            if (const_eval(e, &out[n]))
                n++;
        return n;
    }
    for (; n < n_defaults && n < max; n++)
        out[n] = defaults[n];
    return n;
}

static int pop_index(const plan *p, const char *name)
{
    for (unsigned i = 0; i < p->n_pops; i++)
        if (strcmp(p->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int proj_index(const plan *p, const ast_node *arrow)
{
    for (unsigned j = 0; j < p->n_projs; j++)
        if (strcmp(p->projs[j].pre_name, arrow->first->name) == 0 &&
            strcmp(p->projs[j].post_name, arrow->first->next->name) == 0)
            return (int)j;
    return -1;
}

static void json_key(actx *a, const char *key)
{
    text_put(a->json, "%s\n    ", a->items++ ? "," : "");
    text_json_string(a->json, key, strlen(key));
    text_put(a->json, ": ");
}

/* ------------------------------------------------------------ the evaluation batch */

/* Each row's condition: the signs of every readout's targets, when none is
 * zero (the flip-flop's 8 memory states); -1 otherwise, or for every row
 * when there are more than 8 conditions (4 or more channels of continuous
 * targets; one continuous channel gives two: its sign). */
static int label_rows(actx *a)
{
    const plan *p = a->p;
    size_t T = rt_net_steps(a->net), B = rt_net_batch(a->net), rows = T * B;
    long *code = malloc(rows * sizeof *code);
    a->labels = malloc(rows * sizeof *a->labels);
    if (!code || !a->labels) {
        free(code);
        return -1;
    }
    long seen[9];
    size_t n_seen = 0;
    for (size_t row = 0; row < rows; row++) {
        long c = 0;
        for (unsigned r = 0; r < p->n_readouts && c >= 0; r++) {
            size_t n = p->pops[p->readouts[r]].n;
            for (size_t k = 0; k < n && c >= 0; k++) {
                double v = plan_get_real(p, a->targets[r], row * n + k);
                c = v == 0 || !isfinite(v) || c > (1L << 40) ? -1 : 2 * c + (v > 0);
            }
        }
        code[row] = c;
        size_t s = 0;
        while (c >= 0 && s < n_seen && seen[s] != c)
            s++;
        if (c >= 0 && s == n_seen && n_seen < 9)
            seen[n_seen++] = c;
    }
    /* labels in the order of their codes, so the same condition has the same colour in every run */
    for (size_t i = 1; i < n_seen; i++)
        for (size_t j = i; j > 0 && seen[j - 1] > seen[j]; j--) {
            long t = seen[j];
            seen[j] = seen[j - 1];
            seen[j - 1] = t;
        }
    a->n_labels = n_seen <= 8 ? n_seen : 0;
    for (size_t row = 0; row < rows; row++) {
        a->labels[row] = -1;
        for (size_t s = 0; s < a->n_labels; s++)
            if (code[row] == seen[s])
                a->labels[row] = (int)s;
    }
    free(code);
    /* conditions.npy: [trial, step], for the pictures */
    size_t saved = B < ANALYZE_TRIALS_SAVED ? B : ANALYZE_TRIALS_SAVED, shape[2] = {saved, T};
    int64_t *c = malloc(saved * T * sizeof *c + 1);
    if (!c)
        return -1;
    for (size_t i = 0; i < saved; i++)
        for (size_t t = 0; t < T; t++)
            c[i * T + t] = a->labels[t * B + i];
    int rc = write_npy(a, "conditions.npy", c, RT_I64, shape, 2);
    free(c);
    return rc;
}

static int need_batch(actx *a)
{
    if (a->have_batch)
        return 0;
    if (a->host->first_batch(a->host->ctx, &a->targets) != 0 || label_rows(a) != 0)
        return -1;
    a->have_batch = 1;
    return 0;
}

/* ------------------------------------------------------------ eigen */

static void put_spectrum(actx *a, const rt_spectrum_summary *s)
{
    text *t = a->json;
    text_put(t, "{\"spectral_radius\": ");
    text_json_number(t, s->radius);
    text_put(t, ", \"dominant\": [");
    text_json_number(t, s->dominant_re);
    text_put(t, ", ");
    text_json_number(t, s->dominant_im);
    text_put(t, "], \"outside_unit_circle\": %zu, \"dominant_frequency_per_step\": ", s->n_outside_unit);
    text_json_number(t, s->freq_tan_per_step);
    text_put(t, ", \"dominant_frequency_hz\": ");
    text_json_number(t, s->freq_tan_hz);
    text_put(t, ", \"dominant_angle_frequency_hz\": ");
    text_json_number(t, s->freq_angle_hz);
    text_put(t, "}");
}

/* The eigenvalues of the weights WHEN ("initial", "final"), read back from
 * the folder (the runtime's copy is the trained one): eigen_WHEN_PRE_POST.npy
 * holds [n, 2] (real, imaginary), largest modulus first. */
static int eigen_of(actx *a, unsigned j, const char *when)
{
    char part[160], name[256], err[256];
    proj_file_part(a->p, j, part, sizeof part);
    snprintf(name, sizeof name, "weights_%s_%s.npy", when, part);
    char *path = rt_outdir_file(a->out, name);
    rt_array w = {0};
    if (!path || rt_npy_read(path, &w, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: eigen(%s -> %s): cannot read %s\n", a->p->projs[j].pre_name,
                a->p->projs[j].post_name, name);
        free(path);
        return -1;
    }
    free(path);
    size_t n = w.shape[0];
    double *ev = malloc(2 * n * sizeof *ev + 1), *re = malloc(n * sizeof *re + 1), *im = malloc(n * sizeof *im + 1);
    int rc = -1;
    if (ev && re && im && rt_eigen(w.data, n, re, im, err, sizeof err) == 0) {
        for (size_t i = 0; i < n; i++) {
            ev[2 * i] = re[i];
            ev[2 * i + 1] = im[i];
        }
        size_t shape[2] = {n, 2};
        snprintf(name, sizeof name, "eigen_%s_%s.npy", when, part);
        rc = write_npy(a, name, ev, RT_F64, shape, 2);
        if (rc == 0) {
            rt_spectrum_summary s;
            rt_spectrum_summarise(re, im, n, a->p->dt, &s);
            text_put(a->json, "\"%s\": ", when);
            put_spectrum(a, &s);
        }
    } else if (ev && re && im) {
        fprintf(stderr, "rnnc: eigen(%s -> %s): %s\n", a->p->projs[j].pre_name, a->p->projs[j].post_name, err);
    }
    free(ev);
    free(re);
    free(im);
    rt_array_free(&w);
    return rc;
}

static int run_eigen(actx *a, const ast_node *call)
{
    const ast_node *arrow = positional(call, 0);
    int j = arrow ? proj_index(a->p, arrow) : -1;
    if (j < 0)
        return -1;
    char key[200];
    snprintf(key, sizeof key, "eigen %s -> %s", a->p->projs[j].pre_name, a->p->projs[j].post_name);
    json_key(a, key);
    text_put(a->json, "{");
    if (eigen_of(a, (unsigned)j, "initial") != 0)
        return -1;
    text_put(a->json, ", ");
    if (eigen_of(a, (unsigned)j, "final") != 0)
        return -1;
    text_put(a->json, "}");
    return 0;
}

/* ------------------------------------------------------------ pca, svd */

/* The rows (step, trial) x neurons of a signal (or the neurons it selects)
 * over the first evaluation batch. */
static double *signal_rows(actx *a, const ast_node *sig, size_t *cols)
{
    unsigned pop, output;
    int state;
    size_t lo, width;
    int found = train_signal_range(a->p, sig, &pop, &state, &output, &lo, &width);
    if (found > 0)
        fprintf(stderr, "rnnc: the analysis of a network input is not supported; name a population's "
                        "state or output\n");
    if (found != 0)
        return NULL;
    size_t rows = rt_net_steps(a->net) * rt_net_batch(a->net), n = a->p->pops[pop].n;
    const void *h = state >= 0 ? rt_net_state_history(a->net, pop, (unsigned)state)
                               : rt_net_output_history(a->net, pop, output);
    double *x = malloc(rows * width * sizeof *x);
    if (!x)
        return NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < width; k++)
            x[r * width + k] = plan_get_real(a->p, h, r * n + lo + k);
    *cols = width;
    return x;
}

/* h_r, or h_r_0_8 for the neurons 0 to 8 of h.r[0:8]. */
static void signal_file_part(const actx *a, const ast_node *sig, size_t lo, size_t width, char *buf,
                             size_t size)
{
    const ast_node *base = sig->kind == AST_INDEX ? sig->first : sig;
    int n = base->kind == AST_MEMBER ? snprintf(buf, size, "%s_%s", base->first->name, base->name)
                                     : snprintf(buf, size, "%s", base->name);
    unsigned pop, output;
    int state;
    size_t l, w;
    if (train_signal_range(a->p, sig, &pop, &state, &output, &l, &w) == 0 && w < a->p->pops[pop].n && n > 0 &&
        (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "_%zu_%zu", lo, lo + width);
}

/* The 8 flip-flop states must be told apart: how far apart the
 * conditions' centroids are against their spread, in component space. */
static void put_clusters(actx *a, const double *proj, size_t rows, size_t k)
{
    if (a->n_labels < 2)
        return;
    rt_cluster_stats_result cs;
    char err[256];
    if (rt_cluster_stats(proj, rows, k, a->labels, a->n_labels, &cs, err, sizeof err) != 0)
        return;
    text_put(a->json, ", \"conditions\": %zu, \"min_centroid_distance\": ", cs.n_nonempty);
    text_json_number(a->json, cs.min_centroid_distance);
    text_put(a->json, ", \"max_spread\": ");
    text_json_number(a->json, cs.max_spread);
    rt_cluster_stats_free(&cs);
}

static int run_pca(actx *a, const ast_node *call, int center)
{
    const ast_node *sig = positional(call, 0), *kn = positional(call, 1);
    double kd = 3;
    if (kn)
        const_eval(kn, &kd);
    size_t cols, T = rt_net_steps(a->net), B = rt_net_batch(a->net), rows = T * B;
    if (need_batch(a) != 0)
        return -1;
    double *x = signal_rows(a, sig, &cols);
    if (!x)
        return -1;
    unsigned pop, output;
    int state;
    size_t lo, width;
    train_signal_range(a->p, sig, &pop, &state, &output, &lo, &width);
    size_t k = (size_t)kd;
    if (k > cols)
        k = cols;
    rt_pca_result r;
    char err[256], part[160], name[256];
    int rc = rt_pca(x, rows, cols, k, center, &r, err, sizeof err);
    free(x);
    const char *what = center ? "pca" : "svd";
    if (rc != 0) {
        fprintf(stderr, "rnnc: %s(): %s\n", what, err);
        return -1;
    }
    signal_file_part(a, sig, lo, width, part, sizeof part);
    size_t saved = B < ANALYZE_TRIALS_SAVED ? B : ANALYZE_TRIALS_SAVED;
    double *proj = malloc(saved * T * k * sizeof *proj + 1);
    if (!proj) {
        rt_pca_free(&r);
        return -1;
    }
    for (size_t i = 0; i < saved; i++)   /* rows are (step, trial); files are [trial, step, k] */
        for (size_t t = 0; t < T; t++)
            memcpy(proj + (i * T + t) * k, r.projections + (t * B + i) * k, k * sizeof *proj);
    size_t s_comp[2] = {k, cols}, s_k[1] = {k}, s_mean[1] = {cols}, s_proj[3] = {saved, T, k};
    snprintf(name, sizeof name, "%s_%s_components.npy", what, part);
    rc = write_npy(a, name, r.components, RT_F64, s_comp, 2);
    snprintf(name, sizeof name, "%s_%s_explained.npy", what, part);
    rc = rc ? rc : write_npy(a, name, r.explained_ratio, RT_F64, s_k, 1);
    snprintf(name, sizeof name, "%s_%s_mean.npy", what, part);
    rc = rc ? rc : write_npy(a, name, r.mean, RT_F64, s_mean, 1);
    snprintf(name, sizeof name, "%s_%s_projections.npy", what, part);
    rc = rc ? rc : write_npy(a, name, proj, RT_F64, s_proj, 3);
    free(proj);
    if (rc == 0) {
        char key[200];
        snprintf(key, sizeof key, "%s %s", what, part);
        json_key(a, key);
        text_put(a->json, "{\"components\": %zu, \"explained_ratio\": [", k);
        for (size_t i = 0; i < k; i++) {
            text_put(a->json, "%s", i ? ", " : "");
            text_json_number(a->json, r.explained_ratio[i]);
        }
        text_put(a->json, "]");
        put_clusters(a, r.projections, rows, k);
        text_put(a->json, "}");
    }
    if (rc == 0 && a->n_spaces < ANALYZE_MAX_ITEMS) {   /* the space, for the fixed points */
        unsigned i = a->n_spaces++;
        snprintf(a->spaces[i].file, sizeof a->spaces[i].file, "%s_%s", what, part);
        a->spaces[i].pop = pop;
        a->spaces[i].state = state;
        a->spaces[i].output = output;
        a->spaces[i].lo = lo;
        a->spaces[i].width = width;
        a->spaces[i].k = k;
        a->spaces[i].mean = r.mean;
        a->spaces[i].components = r.components;
        r.mean = r.components = NULL;
    }
    rt_pca_free(&r);
    return rc;
}

/* ------------------------------------------------------------ fixed points */

/* One population as a map x -> F(x) with the network's inputs at zero:
 * x holds the neuron's states and, when its output 0 is not itself a
 * state, the output too, so F can feed it back through the recurrent
 * weights: F(s, r) = (f(s, W r + b), G(f(s, W r + b))). Its fixed points are
 * those of s -> f(s, W G(s) + b), and its Jacobian has the same non-zero
 * eigenvalues (those of AB and BA agree), plus zeros. */
typedef struct fp_map {
    const plan *p;
    unsigned pop;
    size_t n, K, P, O, dim;
    int r_state;                    /* the state output 0 is, or -1 (x carries r) */
    kernel_fn forward, adjoint;     /* double precision */
    codegen *cg;
    size_t n_rec;
    double *w[PLAN_MAX_PROJS];      /* recurrent weights [n][n], per projection */
    unsigned port[PLAN_MAX_PROJS];
    double *bias;                   /* [P][n]: every bias into the population */
    double *buf;                    /* scratch, grown on demand */
    size_t buf_points;
} fp_map;

/* Scratch for COUNT points: s[K], I[P], next[K], out[O], adj_o[O], adj_n[K], adj_s[K], adj_i[P], r, g. */
static double *fp_scratch(fp_map *m, size_t count)
{
    if (count > m->buf_points) {
        free(m->buf);
        size_t per = (3 * m->K + 2 * m->P + 2 * m->O + 2) * m->n;
        m->buf = malloc(count * per * sizeof *m->buf);
        m->buf_points = m->buf ? count : 0;
    }
    return m->buf;
}

/* Unpacks points X into struct-of-arrays states and the input of every port. */
static void fp_inputs(fp_map *m, size_t count, const double *x, double *s, double *in, double *r)
{
    size_t n = m->n, c = count * n;
    for (size_t q = 0; q < count; q++)
        for (size_t k = 0; k < m->K; k++)
            memcpy(s + k * c + q * n, x + q * m->dim + k * n, n * sizeof *s);
    for (size_t q = 0; q < count; q++)
        memcpy(r + q * n, m->r_state >= 0 ? x + q * m->dim + (size_t)m->r_state * n : x + q * m->dim + m->K * n,
               n * sizeof *r);
    for (size_t pt = 0; pt < m->P; pt++)
        for (size_t q = 0; q < count; q++)
            memcpy(in + pt * c + q * n, m->bias + pt * n, n * sizeof *in);
    for (size_t j = 0; j < m->n_rec; j++)   /* I[q] += W r[q]: [count x n] x [n x n]^T */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)n, (int)n, 1.0, r, (int)n,
                    m->w[j], (int)n, 1.0, in + m->port[j] * c, (int)n);
}

/* Appends GROUPS arrays of C values each, laid end to end from BASE, to a
 * kernel's argument list. */
static unsigned kernel_args(void **args, unsigned a, double *base, size_t groups, size_t c)
{
    for (size_t k = 0; k < groups; k++)
        args[a++] = base + k * c;
    return a;
}

static int fp_step(void *ctx, size_t count, const double *x, double *f)
{
    fp_map *m = ctx;
    size_t n = m->n, c = count * n;
    double *s = fp_scratch(m, count);
    if (!s)
        return -1;
    double *in = s + m->K * c, *next = in + m->P * c, *out = next + m->K * c, *r = out + m->O * c;
    fp_inputs(m, count, x, s, in, r);
    void *args[FP_MAX_ARGS];
    unsigned a = kernel_args(args, 0, s, m->K, c);
    a = kernel_args(args, a, in, m->P, c);
    a = kernel_args(args, a, next, m->K, c);
    kernel_args(args, a, out, m->O, c);
    m->forward((int64_t)c, args);
    for (size_t q = 0; q < count; q++) {
        for (size_t k = 0; k < m->K; k++)
            memcpy(f + q * m->dim + k * n, next + k * c + q * n, n * sizeof *f);
        if (m->r_state < 0)
            memcpy(f + q * m->dim + m->K * n, out + q * n, n * sizeof *f);
    }
    return 0;
}

/* out = J^T v: the neuron's adjoint gives the parts through s and through
 * the input; the input's part reaches r through W^T. */
static int fp_vjp(void *ctx, size_t count, const double *x, const double *v, double *res)
{
    fp_map *m = ctx;
    size_t n = m->n, c = count * n;
    double *s = fp_scratch(m, count);
    if (!s)
        return -1;
    double *in = s + m->K * c, *adj_o = in + m->P * c, *adj_n = adj_o + m->O * c, *adj_s = adj_n + m->K * c,
           *adj_i = adj_s + m->K * c, *r = adj_i + m->P * c, *g = r + c;
    fp_inputs(m, count, x, s, in, r);
    memset(adj_o, 0, m->O * c * sizeof *adj_o);
    for (size_t q = 0; q < count; q++) {
        for (size_t k = 0; k < m->K; k++)
            memcpy(adj_n + k * c + q * n, v + q * m->dim + k * n, n * sizeof *v);
        if (m->r_state < 0)
            memcpy(adj_o + q * n, v + q * m->dim + m->K * n, n * sizeof *v);
    }
    void *args[FP_MAX_ARGS];
    unsigned a = kernel_args(args, 0, s, m->K, c);
    a = kernel_args(args, a, in, m->P, c);
    a = kernel_args(args, a, adj_o, m->O, c);
    a = kernel_args(args, a, adj_n, m->K, c);
    a = kernel_args(args, a, adj_s, m->K, c);
    kernel_args(args, a, adj_i, m->P, c);
    m->adjoint((int64_t)c, args);
    memset(g, 0, c * sizeof *g);
    for (size_t j = 0; j < m->n_rec; j++)   /* g[q] += W^T adj_i[q] */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)count, (int)n, (int)n, 1.0,
                    adj_i + m->port[j] * c, (int)n, m->w[j], (int)n, 1.0, g, (int)n);
    for (size_t q = 0; q < count; q++) {
        for (size_t k = 0; k < m->K; k++)
            memcpy(res + q * m->dim + k * n, adj_s + k * c + q * n, n * sizeof *res);
        double *gr = res + q * m->dim + (m->r_state >= 0 ? (size_t)m->r_state * n : m->K * n);
        for (size_t i = 0; i < n; i++)
            gr[i] = (m->r_state >= 0 ? gr[i] : 0) + g[q * n + i];
    }
    return 0;
}

static void fp_map_free(fp_map *m)
{
    for (size_t j = 0; j < m->n_rec; j++)
        free(m->w[j]);
    free(m->bias);
    free(m->buf);
    codegen_free(m->cg);
}

/* The double-precision kernels of population I (the run may be float32:
 * fixed points need q near 1e-12, below float's rounding). */
static int fp_compile(fp_map *m, const plan *p, unsigned i)
{
    const neuron_ir *ni = &p->neurons[i];
    ir_ref fwd[FP_MAX_ARGS], adj[FP_MAX_ARGS];   /* analyze_check kept the count within */
    memcpy(fwd, ni->next, ni->n_states * sizeof *fwd);
    memcpy(fwd + ni->n_states, ni->out, ni->n_outputs * sizeof *fwd);
    memcpy(adj, ni->adj_state, ni->n_states * sizeof *adj);
    memcpy(adj + ni->n_states, ni->adj_port, ni->n_ports * sizeof *adj);
    kernel_spec specs[2] = {
        {"rnnc_fixed_point_forward", &ni->g, ni->n_states + ni->n_ports, fwd, ni->n_states + ni->n_outputs},
        {"rnnc_fixed_point_adjoint", &ni->g, 2 * ni->n_states + ni->n_ports + ni->n_outputs, adj,
         ni->n_states + ni->n_ports}};
    kernel_fn fns[2];
    codegen_timings tm;
    char err[256];
    m->cg = codegen_compile(specs, 2, 1, fns, NULL, &tm, err, sizeof err);
    if (!m->cg) {
        fprintf(stderr, "rnnc: fixed_points(%s): %s\n", p->pops[i].name, err);
        return -1;
    }
    m->forward = fns[0];
    m->adjoint = fns[1];
    return 0;
}

/* The population's own dynamics: refuses what has no fixed points to find. */
static int fp_map_init(fp_map *m, const plan *p, rt_net *net, unsigned i)
{
    const neuron_ir *ni = &p->neurons[i];
    const char *name = p->pops[i].name;
    memset(m, 0, sizeof *m);
    m->p = p;
    m->pop = i;
    m->n = p->pops[i].n;
    m->K = ni->n_states;
    m->P = ni->n_ports;
    m->O = ni->n_outputs;
    m->r_state = p->pops[i].output_state ? p->pops[i].output_state[0] : -1;
    m->dim = (m->K + (m->r_state < 0)) * m->n;
    m->bias = calloc(m->P * m->n + 1, sizeof *m->bias);
    if (!m->bias)
        return -1;
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (rp->post_pop != i)
            continue;
        if (rp->bias)
            for (size_t k = 0; k < m->n; k++)
                m->bias[rp->port * m->n + k] += plan_get_real(p, rt_net_bias(net, j), k);
        if (rp->pre_pop < 0)
            continue;   /* a network input: held at zero (analyze_check refused other populations) */
        double *w = malloc(m->n * m->n * sizeof *w);
        if (!w) {
            fprintf(stderr, "rnnc: fixed_points(%s): out of memory\n", name);
            return -1;
        }
        for (size_t k = 0; k < m->n * m->n; k++)
            w[k] = plan_get_real(p, rt_net_weights(net, j), k);
        m->w[m->n_rec] = w;
        m->port[m->n_rec++] = rp->port;
    }
    return fp_compile(m, p, i);
}

/* Initial states: random (step, trial) states of the evaluation batch. */
static double *fp_inits(actx *a, const fp_map *m, size_t count)
{
    size_t T = rt_net_steps(a->net), B = rt_net_batch(a->net), n = m->n;
    double *x = malloc(count * m->dim * sizeof *x);
    if (!x)
        return NULL;
    for (size_t q = 0; q < count; q++) {
        size_t row = (size_t)rt_rng_randint(a->p->settings.seed, STREAM_FP_INITS, q, 0, (int64_t)(T * B));
        for (size_t k = 0; k < m->K; k++) {
            const void *h = rt_net_state_history(a->net, m->pop, (unsigned)k);
            for (size_t i = 0; i < n; i++)
                x[q * m->dim + k * n + i] = plan_get_real(a->p, h, row * n + i);
        }
        if (m->r_state < 0) {
            const void *h = rt_net_output_history(a->net, m->pop, 0);
            for (size_t i = 0; i < n; i++)
                x[q * m->dim + m->K * n + i] = plan_get_real(a->p, h, row * n + i);
        }
    }
    return x;
}

/* How many conditions have a stable point of their own: one whose nearest
 * condition centroid (in the output's space) is theirs, within twice their
 * spread (the RMS distance of their states to the centroid). */
static size_t fp_conditions_matched(actx *a, const fp_map *m, const rt_fp_result *fr)
{
    if (a->n_labels < 2)
        return 0;
    size_t T = rt_net_steps(a->net), B = rt_net_batch(a->net), n = m->n;
    const void *h = rt_net_output_history(a->net, m->pop, 0);
    double *r = malloc(T * B * n * sizeof *r);
    rt_cluster_stats_result cs;
    char err[128];
    int hit[8] = {0};
    if (!r)
        return 0;
    for (size_t i = 0; i < T * B * n; i++)
        r[i] = plan_get_real(a->p, h, i);
    if (rt_cluster_stats(r, T * B, n, a->labels, a->n_labels, &cs, err, sizeof err) == 0) {
        for (size_t q = 0; q < fr->count; q++) {
            if (!fr->stable[q])
                continue;
            const double *x = fr->points + q * m->dim + (m->r_state >= 0 ? (size_t)m->r_state * n : m->K * n);
            double best = INFINITY;
            size_t nearest = 0;
            for (size_t l = 0; l < a->n_labels; l++) {
                double d = 0;
                for (size_t i = 0; i < n; i++)
                    d += (x[i] - cs.centroid[l * n + i]) * (x[i] - cs.centroid[l * n + i]);
                if (cs.count[l] > 0 && d < best) {
                    best = d;
                    nearest = l;
                }
            }
            if (isfinite(best) && sqrt(best) <= 2 * cs.spread[nearest])
                hit[nearest] = 1;
        }
        rt_cluster_stats_free(&cs);
    }
    free(r);
    size_t matched = 0;
    for (size_t l = 0; l < a->n_labels; l++)
        matched += (size_t)hit[l];
    return matched;
}

static int fp_write(actx *a, const fp_map *m, const rt_fp_result *fr)
{
    const char *name = a->p->pops[m->pop].name;
    size_t count = fr->count, n = m->n, dim = m->dim;
    char file[256];
    double *r = malloc(count * n * sizeof *r + 1), *ev = malloc(count * dim * 2 * sizeof *ev + 1);
    uint8_t *stable = malloc(count + 1);
    int rc = -1;
    if (r && ev && stable) {
        for (size_t q = 0; q < count; q++) {
            memcpy(r + q * n, fr->points + q * dim + (m->r_state >= 0 ? (size_t)m->r_state * n : m->K * n),
                   n * sizeof *r);
            for (size_t i = 0; i < dim; i++) {
                ev[(q * dim + i) * 2] = fr->eig_re[q * dim + i];
                ev[(q * dim + i) * 2 + 1] = fr->eig_im[q * dim + i];
            }
            stable[q] = (uint8_t)fr->stable[q];
        }
        size_t s_pts[2] = {count, dim}, s_r[2] = {count, n}, s_q[1] = {count}, s_ev[3] = {count, dim, 2};
        snprintf(file, sizeof file, "fixed_points_%s.npy", name);
        rc = write_npy(a, file, fr->points, RT_F64, s_pts, 2);
        snprintf(file, sizeof file, "fixed_points_%s_output.npy", name);
        rc = rc ? rc : write_npy(a, file, r, RT_F64, s_r, 2);
        snprintf(file, sizeof file, "fixed_points_%s_q.npy", name);
        rc = rc ? rc : write_npy(a, file, fr->q, RT_F64, s_q, 1);
        snprintf(file, sizeof file, "fixed_points_%s_stable.npy", name);
        rc = rc ? rc : write_npy(a, file, stable, RT_U8, s_q, 1);
        snprintf(file, sizeof file, "fixed_points_%s_eigen.npy", name);
        rc = rc ? rc : write_npy(a, file, ev, RT_F64, s_ev, 3);
    }
    free(r);
    free(ev);
    free(stable);
    return rc;
}

static int run_fixed_points(actx *a, const ast_node *call)
{
    const ast_node *pn = positional(call, 0);
    int i = pn ? pop_index(a->p, pn->name) : -1;
    if (i < 0 || need_batch(a) != 0)
        return -1;
    fp_map m;
    if (fp_map_init(&m, a->p, a->net, (unsigned)i) != 0) {
        fp_map_free(&m);
        return -1;
    }
    size_t count = (size_t)named_number(call, "n", 256);
    rt_fp_options opt = rt_fp_default_options();
    opt.tol_q = named_number(call, "tol", opt.tol_q);
    rt_fp_system sys = {m.dim, &m, fp_step, fp_vjp};
    rt_fp_result fr;
    char err[256];
    double *x = fp_inits(a, &m, count);
    int rc = x ? rt_find_fixed_points(&sys, x, count, &opt, &fr, err, sizeof err) : -1;
    free(x);
    if (rc != 0) {
        fprintf(stderr, "rnnc: fixed_points(%s): %s\n", a->p->pops[i].name, x ? err : "out of memory");
        fp_map_free(&m);
        return -1;
    }
    rc = fp_write(a, &m, &fr);
    if (rc == 0) {
        size_t stable = 0, stable_fixed = 0, fixed = 0, saddles = 0;
        double qmax = 0;
        for (size_t q = 0; q < fr.count; q++) {
            stable += fr.stable[q] != 0;
            stable_fixed += fr.stable[q] && fr.is_fixed[q];
            fixed += fr.is_fixed[q] != 0;
            saddles += fr.n_unstable[q] == 1;
            qmax = fmax(qmax, fr.q[q]);
        }
        char key[160];
        snprintf(key, sizeof key, "fixed_points %s", a->p->pops[i].name);
        json_key(a, key);
        text_put(a->json, "{\"initial_states\": %zu, \"found\": %zu, \"fixed\": %zu, \"slow\": %zu, "
                          "\"stable\": %zu, \"stable_fixed\": %zu, \"one_unstable_mode\": %zu, \"max_q\": ",
                 count, fr.count, fixed, fr.count - fixed, stable, stable_fixed, saddles);
        text_json_number(a->json, qmax);
        text_put(a->json, ", \"conditions_with_stable_point\": %zu}", fp_conditions_matched(a, &m, &fr));
    }
    if (rc == 0 && a->n_fixed < ANALYZE_MAX_ITEMS) {   /* for the component spaces */
        unsigned f = a->n_fixed++;
        a->fixed[f].pop = (unsigned)i;
        a->fixed[f].count = fr.count;
        a->fixed[f].dim = m.dim;
        a->fixed[f].n = m.n;
        a->fixed[f].K = m.K;
        a->fixed[f].r_state = m.r_state;
        a->fixed[f].points = fr.points;
        a->fixed[f].stable = fr.stable;
        fr.points = NULL;
        fr.stable = NULL;
    }
    rt_fp_free(&fr);
    fp_map_free(&m);
    return rc;
}

/* ------------------------------------------------------------ robustness, degradation */

static void put_curve(actx *a, const char *x_name, const double *x, const double *loss, const double *acc,
                      size_t n)
{
    text_put(a->json, "[");
    for (size_t i = 0; i < n; i++) {
        text_put(a->json, "%s{\"%s\": ", i ? ", " : "", x_name);
        text_json_number(a->json, x[i]);
        text_put(a->json, ", \"loss\": ");
        text_json_number(a->json, loss[i]);
        text_put(a->json, ", \"accuracy\": ");
        text_json_number(a->json, acc[i]);
        text_put(a->json, "}");
    }
    text_put(a->json, "]");
}

static int write_curve(actx *a, const char *name, const double *x, const double *loss, const double *acc,
                       size_t n)
{
    double *rows = malloc(3 * n * sizeof *rows + 1);
    if (!rows)
        return -1;
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

enum { MAX_LEVELS = 64 };

/* robustness.npy: rows (noise, loss, accuracy). */
static int run_robustness(actx *a, const ast_node *call)
{
    static const double defaults[] = {0, 0.05, 0.1, 0.2, 0.5, 1};
    double sigma[MAX_LEVELS], loss[MAX_LEVELS], acc[MAX_LEVELS];
    size_t n = named_list(call, "noise", sigma, MAX_LEVELS, defaults, 6);
    for (size_t i = 0; i < n; i++)
        if (a->host->evaluate(a->host->ctx, sigma[i], STREAM_ROBUSTNESS + i, &loss[i], &acc[i]) != 0)
            return -1;
    json_key(a, "robustness");
    put_curve(a, "noise", sigma, loss, acc, n);
    a->have_batch = 0;   /* the histories now hold another batch */
    return write_curve(a, "robustness.npy", sigma, loss, acc, n);
}

/* Silences a random fraction of population I's units: every projection
 * from it loses their columns. SAVED keeps the weights to restore. */
static int silence_units(actx *a, unsigned i, double fraction, uint64_t draw, double **saved)
{
    const plan *p = a->p;
    size_t n = p->pops[i].n, removed = (size_t)lround(fraction * (double)n);
    unsigned char *off = calloc(n, 1);
    if (!off)
        return -1;
    /* a partial Fisher-Yates shuffle picks REMOVED distinct units */
    size_t *order = malloc(n * sizeof *order);
    if (!order) {
        free(off);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    for (size_t k = 0; k < removed; k++) {
        size_t j = (size_t)rt_rng_randint(p->settings.seed, STREAM_DEGRADATION + draw, k, (int64_t)k,
                                          (int64_t)n);   /* [k, n) */
        size_t t = order[k];
        order[k] = order[j];
        order[j] = t;
        off[order[k]] = 1;
    }
    free(order);
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (rp->pre_pop != (int)i)
            continue;
        void *w = rt_net_weights(a->net, j);
        for (size_t r = 0; r < rp->n_post; r++)
            for (size_t c = 0; c < rp->n_pre; c++)
                if (off[c]) {
                    saved[j][r * rp->n_pre + c] = plan_get_real(p, w, r * rp->n_pre + c);
                    plan_put_real(p, w, r * rp->n_pre + c, 0);
                }
    }
    free(off);
    return 0;
}

static void restore_units(actx *a, unsigned i, double **saved)
{
    const plan *p = a->p;
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (rp->pre_pop != (int)i)
            continue;
        void *w = rt_net_weights(a->net, j);
        for (size_t k = 0; k < rp->n_post * rp->n_pre; k++)
            if (!isnan(saved[j][k]))
                plan_put_real(p, w, k, saved[j][k]);
    }
}

/* The mean over DEGRADATION_DRAWS random choices of the silenced units. */
static int degrade(actx *a, unsigned i, double fraction, size_t level, double **saved, double *loss, double *acc)
{
    *loss = *acc = 0;
    size_t n = a->p->pops[i].n, removed = (size_t)lround(fraction * (double)n);
    unsigned draws = removed == 0 || removed == n ? 1 : DEGRADATION_DRAWS;   /* every choice is the same */
    for (unsigned d = 0; d < draws; d++) {
        for (unsigned j = 0; j < a->p->n_projs; j++)
            if (saved[j])
                for (size_t k = 0; k < a->p->rt_projs[j].n_post * a->p->rt_projs[j].n_pre; k++)
                    saved[j][k] = NAN;
        double l, c;
        int rc = silence_units(a, i, fraction, level * DEGRADATION_DRAWS + d, saved);
        rc = rc ? rc : a->host->evaluate(a->host->ctx, 0, 0, &l, &c);
        restore_units(a, i, saved);
        if (rc != 0)
            return -1;
        *loss += l / draws;
        *acc += c / draws;
    }
    return 0;
}

/* degradation_POP.npy: rows (fraction, loss, accuracy). */
static int run_degradation(actx *a, const ast_node *call)
{
    static const double defaults[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
    const ast_node *pn = positional(call, 0);
    int i = pn ? pop_index(a->p, pn->name) : -1;
    if (i < 0)
        return -1;
    double frac[MAX_LEVELS], loss[MAX_LEVELS], acc[MAX_LEVELS];
    size_t n = named_list(call, "fractions", frac, MAX_LEVELS, defaults, 6);
    double *saved[PLAN_MAX_PROJS] = {0};
    int rc = 0;
    for (unsigned j = 0; j < a->p->n_projs && rc == 0; j++)
        if (a->p->rt_projs[j].pre_pop == i) {
            saved[j] = malloc(a->p->rt_projs[j].n_post * a->p->rt_projs[j].n_pre * sizeof **saved);
            rc = saved[j] ? 0 : -1;
        }
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = degrade(a, (unsigned)i, frac[k], k, saved, &loss[k], &acc[k]);
    for (unsigned j = 0; j < a->p->n_projs; j++)
        free(saved[j]);
    a->have_batch = 0;
    if (rc != 0)
        return -1;
    char key[160], file[200];
    snprintf(key, sizeof key, "degradation %s", a->p->pops[i].name);
    json_key(a, key);
    put_curve(a, "fraction", frac, loss, acc, n);
    snprintf(file, sizeof file, "degradation_%s.npy", a->p->pops[i].name);
    return write_curve(a, file, frac, loss, acc, n);
}

/* ------------------------------------------------------------ fixed points in component space */

/* Where a space's signal lies in a fixed point of its population: the
 * block of the state it is, or of output 0 (kept in the point, or a state);
 * -1 for another output, which the point does not hold. */
static long signal_offset(const actx *a, unsigned s, unsigned f)
{
    size_t n = a->fixed[f].n;
    if (a->spaces[s].state >= 0)
        return (long)((size_t)a->spaces[s].state * n);
    if (a->spaces[s].output != 0)
        return -1;
    return (long)(a->fixed[f].r_state >= 0 ? (size_t)a->fixed[f].r_state * n : a->fixed[f].K * n);
}

/* WHAT_SIGNAL_fixed_points.npy ([point, k]) and _fixed_points_stable.npy:
 * the fixed points of the population a PCA or SVD looked at, in its
 * components, so the pictures draw them over the trajectories. */
static int project_fixed_points(actx *a)
{
    int rc = 0;
    for (unsigned s = 0; s < a->n_spaces && rc == 0; s++)
        for (unsigned f = 0; f < a->n_fixed && rc == 0; f++) {
            long off = a->spaces[s].pop == a->fixed[f].pop ? signal_offset(a, s, f) : -1;
            size_t k = a->spaces[s].k, w = a->spaces[s].width, count = a->fixed[f].count;
            if (off < 0)
                continue;
            double *y = malloc((count * k + 1) * sizeof *y);
            if (!y)
                return -1;
            for (size_t q = 0; q < count; q++) {
                const double *x = a->fixed[f].points + q * a->fixed[f].dim + off + a->spaces[s].lo;
                for (size_t c = 0; c < k; c++) {
                    double sum = 0;
                    for (size_t i = 0; i < w; i++)
                        sum += (x[i] - a->spaces[s].mean[i]) * a->spaces[s].components[c * w + i];
                    y[q * k + c] = sum;
                }
            }
            char name[260];
            size_t shape[2] = {count, k};
            snprintf(name, sizeof name, "%s_fixed_points.npy", a->spaces[s].file);
            rc = write_npy(a, name, y, RT_F64, shape, 2);
            snprintf(name, sizeof name, "%s_fixed_points_stable.npy", a->spaces[s].file);
            rc = rc ? rc : write_npy(a, name, a->fixed[f].stable, RT_U8, shape, 1);
            free(y);
        }
    return rc;
}

/* ------------------------------------------------------------ before training */

/* What fixed_points(h) cannot do: a spiking population, or one fed by
 * another (its fixed points are those of the pair, not of h alone). */
static int check_fixed_points(const plan *p, unsigned i)
{
    const neuron_ir *ni = &p->neurons[i];
    const char *name = p->pops[i].name;
    if (ni->spike_state >= 0) {
        fprintf(stderr, "rnnc: analyze fixed_points(%s): '%s' spikes; fixed points are defined for rate "
                        "populations\n", name, name);
        return -1;
    }
    if (3 * ni->n_states + 2 * ni->n_ports + ni->n_outputs > FP_MAX_ARGS) {
        fprintf(stderr, "rnnc: analyze fixed_points(%s): its neuron has too many states, inputs and "
                        "outputs (limit %d arrays)\n", name, FP_MAX_ARGS);
        return -1;
    }
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (rp->post_pop == i && rp->pre_pop >= 0 && (unsigned)rp->pre_pop != i) {
            fprintf(stderr, "rnnc: analyze fixed_points(%s): '%s -> %s' brings in another population; "
                            "the fixed points of '%s' alone need it to be fed only by itself and the "
                            "network's inputs\n", name, p->projs[j].pre_name, name, name);
            return -1;
        }
    }
    return 0;
}

static int check_one(const plan *p, const ast_node *call)
{
    const char *what = call->name;
    const ast_node *arg = positional(call, 0);
    if (strcmp(what, "eigen") == 0) {
        int j = arg ? proj_index(p, arg) : -1;
        const rt_proj *rp = j >= 0 ? &p->rt_projs[j] : NULL;
        if (rp && rp->n_pre != rp->n_post) {
            fprintf(stderr, "rnnc: analyze eigen(%s -> %s): the weights are %zu x %zu; eigenvalues need a "
                            "square matrix (a projection between populations of one size)\n",
                    p->projs[j].pre_name, p->projs[j].post_name, rp->n_post, rp->n_pre);
            return -1;
        }
        return j >= 0 ? 0 : -1;
    }
    if (strcmp(what, "pca") == 0 || strcmp(what, "svd") == 0) {
        unsigned pop, output;
        int state;
        size_t lo, width;
        int found = arg ? train_signal_range(p, arg, &pop, &state, &output, &lo, &width) : -1;
        if (found > 0)
            fprintf(stderr, "rnnc: analyze %s(): name a population's state or output (such as h.r); a "
                            "network input or a 'let' value is not kept over the trial\n", what);
        return found == 0 ? 0 : -1;
    }
    if (strcmp(what, "fixed_points") == 0 || strcmp(what, "degradation") == 0) {
        int i = arg ? pop_index(p, arg->name) : -1;
        if (i < 0)
            return -1;
        return what[0] == 'f' ? check_fixed_points(p, (unsigned)i) : 0;
    }
    return strcmp(what, "robustness") == 0 ? 0 : -1;
}

/* The same analysis twice would write the same files and summary key. */
static int check_repeated(const plan *p, const ast_node *call)
{
    char mine[256], other[256];
    ast_format(call, mine, sizeof mine);
    for (const ast_node *n = p->fe->root->first; n; n = n->next)
        for (const ast_node *c = n->kind == AST_ANALYZE ? n->first : NULL; c; c = c->next) {
            if (c == call)
                return 0;   /* only the ones before it */
            ast_format(c, other, sizeof other);
            if (strcmp(mine, other) == 0) {
                fprintf(stderr, "rnnc: analyze %s is asked for twice; once is enough\n", mine);
                return -1;
            }
        }
    return 0;
}

int analyze_check(const plan *p)
{
    int rc = 0;
    for (const ast_node *n = p->fe->root->first; n; n = n->next)
        if (n->kind == AST_ANALYZE)
            for (const ast_node *c = n->first; c; c = c->next)
                rc |= check_one(p, c) | check_repeated(p, c);
    return rc;
}

/* ------------------------------------------------------------ the driver */

static int run_one(actx *a, const ast_node *call)
{
    const char *what = call->name;
    if (strcmp(what, "eigen") == 0)
        return run_eigen(a, call);
    if (strcmp(what, "pca") == 0 || strcmp(what, "svd") == 0)
        return run_pca(a, call, what[0] == 'p');
    if (strcmp(what, "fixed_points") == 0)
        return run_fixed_points(a, call);
    if (strcmp(what, "robustness") == 0)
        return run_robustness(a, call);
    if (strcmp(what, "degradation") == 0)
        return run_degradation(a, call);
    fprintf(stderr, "rnnc: analysis '%s' is not known to this version\n", what);
    return -1;
}

int analyze_network(plan *p, rt_net *net, const analyze_host *host, const rt_outdir *out, text *json)
{
    actx a = {.p = p, .net = net, .host = host, .out = out, .json = json};
    int rc = 0, any = 0;
    for (const ast_node *n = p->fe->root->first; n && rc == 0; n = n->next) {
        if (n->kind != AST_ANALYZE)
            continue;
        if (!any++)
            text_put(json, "  \"analysis\": {");
        /* the ones that change the histories run last, so PCA and fixed points share a batch */
        for (const ast_node *c = n->first; c && rc == 0; c = c->next)
            if (strcmp(c->name, "robustness") != 0 && strcmp(c->name, "degradation") != 0)
                rc = run_one(&a, c);
    }
    for (const ast_node *n = p->fe->root->first; n && rc == 0; n = n->next)
        if (n->kind == AST_ANALYZE)
            for (const ast_node *c = n->first; c && rc == 0; c = c->next)
                if (strcmp(c->name, "robustness") == 0 || strcmp(c->name, "degradation") == 0)
                    rc = run_one(&a, c);
    if (any)
        text_put(json, "\n  },\n");
    rc = rc ? rc : project_fixed_points(&a);
    for (unsigned i = 0; i < a.n_spaces; i++) {
        free(a.spaces[i].mean);
        free(a.spaces[i].components);
    }
    for (unsigned f = 0; f < a.n_fixed; f++) {
        free(a.fixed[f].points);
        free(a.fixed[f].stable);
    }
    free(a.labels);
    return rc;
}
