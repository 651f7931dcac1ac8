/* rt_weights.c -- a run's weights: initialised, constrained, loaded back
 * (see rt_run_internal.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_files.h"
#include "rt_init.h"
#include "rt_pool.h"
#include "rt_rng.h"
#include "rt_run_internal.h"

static void store(int is_double, void *dst, const double *src, size_t count)
{
    for (size_t i = 0; i < count; i++)
        rt_real_put(is_double, dst, i, src[i]);
}

/* W ([post][pre] doubles) from the projection's file, which must hold exactly that. */
static int load_file(const rt_weights_desc *wd, const rt_proj *rp, double *w, char *err, size_t err_size)
{
    rt_array a;
    if (rt_npy_read(wd->init_file, &a, err, err_size) != 0)
        return -1;
    int ok = a.ndim == 2 && a.shape[0] == rp->n_post && a.shape[1] == rp->n_pre;
    if (ok)
        memcpy(w, a.data, a.count * sizeof *w);
    else if (a.ndim == 2)
        rt_error(err, err_size, "%s holds a [%zu, %zu] array; %s needs [%zu, %zu] ([post, pre])", wd->init_file,
                 a.shape[0], a.shape[1], rp->name, rp->n_post, rp->n_pre);
    else
        rt_error(err, err_size, "%s holds a %d-d array; %s needs [%zu, %zu] ([post, pre])", wd->init_file,
                 a.ndim, rp->name, rp->n_post, rp->n_pre);
    rt_array_free(&a);
    return ok ? 0 : -1;
}

/* bias load("b.npy"): [post] values, or a [post, 1] column. */
static int load_bias(const rt_weights_desc *wd, const rt_proj *rp, double *b, char *err, size_t err_size)
{
    rt_array a;
    if (rt_npy_read(wd->bias_file, &a, err, err_size) != 0)
        return -1;
    int ok = a.count == rp->n_post && (a.ndim == 1 || (a.ndim == 2 && a.shape[1] == 1));
    if (ok)
        memcpy(b, a.data, a.count * sizeof *b);
    else
        rt_error(err, err_size, "%s holds %zu values in %d dimensions; the bias of %s needs [%zu]", wd->bias_file,
                 a.count, a.ndim, rp->name, rp->n_post);
    rt_array_free(&a);
    return ok ? 0 : -1;
}

/* spectral_radius(r): W ([n][n], its mask and Dale's signs applied) times
 * r / max |lambda(W)|, as PsychRNN's GaussianSpectralRadius rescales its
 * Gaussian W_rec (murraylab/PsychRNN, psychrnn/backend/initializations.py).
 * The radius is rt_spectral_radius's (LAPACK dgeev). */
static int scale_spectral_radius(const rt_weights_desc *wd, const rt_proj *rp, double *w, char *err,
                                 size_t err_size)
{
    size_t n = rp->n_post;
    if (rp->n_pre != n)
        return rt_error(err, err_size, "spectral_radius on %s: its weights are %zu x %zu, not square", rp->name,
                        rp->n_post, rp->n_pre);
    for (size_t i = 0; wd->mask && i < n * n; i++)
        if (!wd->mask[i])
            w[i] = 0;
    double radius = rt_spectral_radius(w, n, err, err_size);
    if (radius < 0)
        return -1;
    if (!(radius > 0) || !isfinite(radius))
        return rt_error(err, err_size, "spectral_radius(%g) on %s: its initial weights have spectral radius %g, "
                        "which no factor can make %g", wd->spectral_radius, rp->name, radius, wd->spectral_radius);
    double factor = wd->spectral_radius / radius;
    for (size_t i = 0; i < n * n; i++)
        w[i] *= factor;
    return 0;
}

rt_tensor rt_weights_tensor(const rt_run_desc *d, rt_net *net, unsigned j)
{
    const rt_proj *rp = &d->net.projs[j];
    const rt_weights_desc *wd = &d->weights[j];
    if (rp->sparse) {   /* one value per synapse; Dale's signs per synapse too, so "column" i is synapse i */
        size_t nnz = rt_net_weight_count(net, j);
        return (rt_tensor){rt_net_weights(net, j), rt_net_weight_grad(net, j), nnz, wd->lo, wd->hi, NULL,
                           wd->dale ? rt_net_synapse_signs(net, j, wd->dale) : NULL, nnz};
    }
    return (rt_tensor){rt_net_weights(net, j), rt_net_weight_grad(net, j), rp->n_post * rp->n_pre,
                       wd->lo, wd->hi, wd->mask, wd->dale, rp->n_pre};
}

enum { SPARSE_INIT_BLOCK = 512 };   /* pre neurons per task */

typedef struct sparse_init {
    const rt_run_desc *d;
    const rt_csr *csr;
    const rt_proj *rp;
    const rt_weights_desc *wd;
    void *w;
    uint64_t stream;
} sparse_init;

/* The weights of a block of pre neurons' synapses: the dense matrix's
 * draws at their places, Dale's sign of the pre neuron applied. */
static void sparse_init_task(void *ctx, unsigned task)
{
    const sparse_init *si = ctx;
    const rt_csr *c = si->csr;
    size_t lo = (size_t)task * SPARSE_INIT_BLOCK;
    size_t hi = lo + SPARSE_INIT_BLOCK < c->n_pre ? lo + SPARSE_INIT_BLOCK : c->n_pre;
    enum { PIECE = 256 };
    uint64_t at[PIECE];   /* the synapses' places in the dense [post][pre] */
    double v[PIECE];
    for (size_t k = lo; k < hi; k++)
        for (size_t s0 = c->row[k]; s0 < c->row[k + 1]; s0 += PIECE) {
            size_t n = c->row[k + 1] - s0 < PIECE ? c->row[k + 1] - s0 : PIECE;
            for (size_t i = 0; i < n; i++)
                at[i] = (uint64_t)c->post[s0 + i] * si->rp->n_pre + k;
            if (si->wd->init_values)
                for (size_t i = 0; i < n; i++)
                    v[i] = si->wd->init_values[at[i]];
            else
                rt_init_values(&si->wd->init, si->rp->n_post, si->rp->n_pre, si->d->settings.seed, si->stream, at,
                               n, v);
            for (size_t i = 0; i < n; i++)
                rt_real_put(si->d->net.is_double, si->w, s0 + i, si->wd->dale ? si->wd->dale[k] * fabs(v[i]) : v[i]);
        }
}

/* A sparse projection's weights (given values or an element-wise
 * initialiser; the plan keeps the others dense) and bias. */
static int init_sparse(const rt_run_desc *d, rt_net *net, unsigned j, char *err, size_t err_size)
{
    const rt_proj *rp = &d->net.projs[j];
    const rt_weights_desc *wd = &d->weights[j];
    const rt_csr *c = rt_net_synapses(net, j);
    if (wd->init_file || wd->spectral_radius > 0 || (!wd->init_values && !rt_init_elementwise(&wd->init)))
        return rt_error(err, err_size, "%s is sparse: its weights need an element-wise initialiser", rp->name);
    if (wd->dale && !rt_net_synapse_signs(net, j, wd->dale))
        return rt_error(err, err_size, "out of memory for the signs of %s", rp->name);
    sparse_init si = {d, c, rp, wd, rt_net_weights(net, j), rt_rng_stream(RT_STREAM_WEIGHTS, j)};
    rt_pool_run(rt_net_pool(net), (unsigned)((c->n_pre + SPARSE_INIT_BLOCK - 1) / SPARSE_INIT_BLOCK),
                sparse_init_task, &si);
    if (rp->bias) {
        double *b = malloc((rp->n_post + 1) * sizeof *b);
        int rc = b ? 0 : rt_error(err, err_size, "out of memory");
        if (rc == 0 && wd->bias_values)
            memcpy(b, wd->bias_values, rp->n_post * sizeof *b);
        else if (rc == 0)
            rc = rt_init_fill(b, 1, rp->n_post, &wd->bias_init, d->settings.seed, rt_rng_stream(RT_STREAM_BIAS, j),
                              err, err_size);
        if (rc == 0)
            store(d->net.is_double, rt_net_bias(net, j), b, rp->n_post);
        free(b);
        if (rc != 0)
            return -1;
    }
    rt_tensor t = rt_weights_tensor(d, net, j);
    rt_constrain(&t, d->net.is_double);
    return 0;
}

/* Each feedback matrix B (y -> h, [n_h][n_y]) that a projection h -> y
 * sends its learning signal through, stored transposed as that
 * projection's [n_y][n_h]. */
static int init_feedback(const rt_run_desc *d, rt_net *net, char *err, size_t err_size)
{
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        int f = d->proj_feedback ? d->proj_feedback[j] : -1;
        if (f < 0)
            continue;
        const rt_proj *rf = &d->feedback[f];
        const rt_weights_desc *wf = &d->feedback_weights[f];
        size_t count = rf->n_post * rf->n_pre;
        double *B = malloc(count * sizeof *B + 1), *Bt = malloc(count * sizeof *Bt + 1);
        int rc = B && Bt ? 0 : rt_error(err, err_size, "out of memory");
        if (rc == 0)
            rc = wf->init_file ? load_file(wf, rf, B, err, err_size)
                               : rt_init_fill(B, rf->n_post, rf->n_pre, &wf->init, d->settings.seed,
                                              rt_rng_stream(RT_STREAM_FEEDBACK, (uint64_t)f), err, err_size);
        for (size_t i = 0; rc == 0 && i < rf->n_post; i++)
            for (size_t k = 0; k < rf->n_pre; k++)
                Bt[k * rf->n_post + i] = wf->mask && !wf->mask[i * rf->n_pre + k] ? 0 : B[i * rf->n_pre + k];
        if (rc == 0)
            store(d->net.is_double, rt_net_feedback(net, j), Bt, count);
        free(B);
        free(Bt);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int rt_weights_init(const rt_run_desc *d, rt_net *net, char *err, size_t err_size)
{
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        const rt_weights_desc *wd = &d->weights[j];
        if (rp->sparse) {
            if (init_sparse(d, net, j, err, err_size) != 0)
                return -1;
            continue;
        }
        size_t count = rp->n_post * rp->n_pre;
        double *w = malloc((count + rp->n_post) * sizeof *w);
        if (!w)
            return rt_error(err, err_size, "out of memory for the weights of %s", rp->name);
        int rc = 0;
        if (wd->init_values)   /* given: then kept as a loaded file is */
            memcpy(w, wd->init_values, count * sizeof *w);
        else
            rc = wd->init_file ? load_file(wd, rp, w, err, err_size)
                               : rt_init_fill(w, rp->n_post, rp->n_pre, &wd->init, d->settings.seed,
                                              rt_rng_stream(RT_STREAM_WEIGHTS, j), err, err_size);
        if (rc == 0 && wd->dale)   /* Dale's law: magnitudes from the initialiser, signs from the pre neuron */
            for (size_t i = 0; i < count; i++)
                w[i] = wd->dale[i % rp->n_pre] * fabs(w[i]);
        if (rc == 0 && wd->spectral_radius > 0)
            rc = scale_spectral_radius(wd, rp, w, err, err_size);
        if (rc == 0 && rp->bias && wd->bias_values)
            memcpy(w + count, wd->bias_values, rp->n_post * sizeof *w);
        else if (rc == 0 && rp->bias && wd->bias_file)
            rc = load_bias(wd, rp, w + count, err, err_size);
        else if (rc == 0 && rp->bias)
            rc = rt_init_fill(w + count, 1, rp->n_post, &wd->bias_init, d->settings.seed,
                              rt_rng_stream(RT_STREAM_BIAS, j), err, err_size);
        if (rc == 0) {
            store(d->net.is_double, rt_net_weights(net, j), w, count);
            if (rp->bias)
                store(d->net.is_double, rt_net_bias(net, j), w + count, rp->n_post);
            rt_tensor t = rt_weights_tensor(d, net, j);
            rt_constrain(&t, d->net.is_double);
        }
        free(w);
        if (rc != 0)
            return -1;
    }
    return init_feedback(d, net, err, err_size);
}

/* Whether A has exactly the shape SHAPE (NDIM sizes). */
static int has_shape(const rt_array *a, const size_t *shape, int ndim)
{
    if (a->ndim != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (a->shape[i] != shape[i])
            return 0;
    return 1;
}

/* One weights_final_ or bias_final_ file of DIR into BUF (network
 * precision), which must have the shape SHAPE: [post, pre] for weights,
 * [post] for a bias. A transposed matrix holds as many values, so the
 * count alone would not do. */
static int load_param(const rt_run_desc *d, const char *dir, const char *format, unsigned j, void *buf,
                      const size_t *shape, int ndim, char *err, size_t err_size)
{
    char name[300];
    rt_file_name(name, sizeof name, format, RT_WHEN_FINAL, d->weights[j].file_stem);
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    rt_array a = {0};
    int rc = -1;
    if (!path)
        return rt_error(err, err_size, "out of memory");
    snprintf(path, len, "%s/%s", dir, name);
    if (rt_npy_read(path, &a, err, err_size) != 0) {
        /* the message is rt_npy_read's */
    } else if (!has_shape(&a, shape, ndim)) {
        char got[160], want[160];
        rt_error(err, err_size, "%s has shape %s; the model's %s needs %s of shape %s (%s; was the model file "
                                "changed since the run?)", name, rt_shape_text(a.shape, a.ndim, got, sizeof got),
                 d->net.projs[j].name, ndim == 2 ? "weights" : "a bias", rt_shape_text(shape, ndim, want, sizeof want),
                 ndim == 2 ? "[post, pre]" : "[post]");
    } else {
        store(d->net.is_double, buf, a.data, a.count);
        rc = 0;
    }
    free(path);
    rt_array_free(&a);
    return rc;
}

/* Part PART of a sparse projection's synapses_final_ files in DIR, as
 * doubles of its NNZ synapses into A; -1 with a message when missing or of
 * another count. */
static int load_synapse_part(const rt_run_desc *d, const char *dir, unsigned j, const char *part, size_t nnz,
                             rt_array *a, char *err, size_t err_size)
{
    char name[300], *path;
    const char *when = rt_results_synapses_unchanged(d, j) ? RT_WHEN_INITIAL : RT_WHEN_FINAL;
    rt_file_name(name, sizeof name, RT_FILE_SYNAPSES, when, d->weights[j].file_stem, part);
    size_t len = strlen(dir) + strlen(name) + 2;
    if (!(path = malloc(len)))
        return rt_error(err, err_size, "out of memory");
    snprintf(path, len, "%s/%s", dir, name);
    int rc = rt_npy_read(path, a, err, err_size);
    free(path);
    if (rc == 0 && (a->ndim != 1 || a->count != nnz)) {
        rt_array_free(a);
        return rt_error(err, err_size, "%s does not hold the %zu synapses of %s (was the model file changed since "
                        "the run?)", name, nnz, d->net.projs[j].name);
    }
    return rc;
}

/* A sparse projection's trained weights, its synapses checked to be the
 * ones this network has. */
static int load_sparse(const rt_run_desc *d, rt_net *net, unsigned j, const char *dir, char *err, size_t err_size)
{
    const rt_csr *c = rt_net_synapses(net, j);
    rt_array pre = {0}, post = {0}, w = {0};
    int rc = load_synapse_part(d, dir, j, RT_SYN_PRE, c->nnz, &pre, err, err_size);
    rc = rc ? rc : load_synapse_part(d, dir, j, RT_SYN_POST, c->nnz, &post, err, err_size);
    rc = rc ? rc : load_synapse_part(d, dir, j, RT_SYN_W, c->nnz, &w, err, err_size);
    for (size_t k = 0; rc == 0 && k < c->n_pre; k++)
        for (size_t s = c->row[k]; rc == 0 && s < c->row[k + 1]; s++)
            if (pre.data[s] != (double)k || post.data[s] != (double)c->post[s])
                rc = rt_error(err, err_size, "the synapses of %s in the results are not the network's (synapse %zu is "
                              "%g -> %g, not %zu -> %u): another seed or rule", d->net.projs[j].name, s, pre.data[s],
                              post.data[s], k, c->post[s]);
    if (rc == 0)
        store(d->net.is_double, rt_net_weights(net, j), w.data, c->nnz);
    rt_array_free(&pre);
    rt_array_free(&post);
    rt_array_free(&w);
    return rc;
}

int rt_weights_load(const rt_run_desc *d, rt_net *net, const char *dir, char *err, size_t err_size)
{
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        const size_t weights[2] = {rp->n_post, rp->n_pre};
        if (rp->sparse) {
            int rebuilt = !rt_results_synapses_written(d, j);   /* the seed's synapses, as they were built */
            if ((!rebuilt && load_sparse(d, net, j, dir, err, err_size) != 0) ||
                (rp->bias && load_param(d, dir, RT_FILE_BIAS, j, rt_net_bias(net, j), weights, 1, err, err_size) != 0))
                return -1;
            continue;
        }
        if (load_param(d, dir, RT_FILE_WEIGHTS, j, rt_net_weights(net, j), weights, 2, err, err_size) != 0 ||
            (rp->bias && load_param(d, dir, RT_FILE_BIAS, j, rt_net_bias(net, j), weights, 1, err, err_size) != 0))
            return -1;
    }
    return 0;
}
