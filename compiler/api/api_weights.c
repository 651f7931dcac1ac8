/* api_weights.c -- a model's initial weights, read and replaced
 * (include/rnnc.h: rnnc_model_weights, rnnc_model_set_weights).
 *
 * The weights a run starts from are the runtime's rt_weights_init, so
 * they are read here from a network of one trial and one step made for
 * the purpose. Weights that are set replace the initialiser in the run
 * description (rt_weights_desc's init_values and bias_values); the mask,
 * Dale's law and the bounds still apply to them, as to a load("w.npy").
 */
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "rt_memory.h"
#include "rt_net.h"

int api_model_projection(const rnnc_model *m, const char *name)
{
    char want[300], have[300];
    if (!name || !api_projection_stem(name, want, sizeof want))
        return -1;
    for (unsigned j = 0; j < m->p.n_projs; j++)
        if (strcmp(api_projection_stem(m->projections[j], have, sizeof have), want) == 0)
            return (int)j;
    return -1;
}

/* PROJECTION's index in M, or -1 with *ERR naming the ones there are. */
static int find_projection(const rnnc_model *m, const char *projection, rnnc_error **err)
{
    int j = api_model_projection(m, projection);
    if (j >= 0)
        return j;
    char names[512];
    api_fail(err, RNNC_USAGE, "the model has no projection '%s' (its projections: %s)", projection ? projection : "",
             api_listed((const char *const *)m->projections, m->p.n_projs, names, sizeof names));
    return -1;
}

rnnc_status rnnc_model_weights(rnnc_model *m, const char *projection, uint64_t seed, rnnc_array *out,
                               rnnc_error **err)
{
    if (!m || !out)
        return api_fail(err, RNNC_USAGE, "rnnc_model_weights: %s", m ? "no array to fill" : "no model given");
    int j = find_projection(m, projection, err);
    if (j < 0)
        return RNNC_USAGE;
    rnnc_status status = api_model_plan(m, seed, err);
    if (status != RNNC_OK)
        return status;
    const rt_run_desc *d = &m->p.desc;
    rt_net *net = rt_net_new(&d->net, 1, 1);
    const rt_proj *rp = &d->net.projs[j];
    size_t count = rp->n_post * rp->n_pre;
    char why[512];
    /* a sparse projection's dense matrix may be far larger than its synapses: asked, not assumed */
    if (rt_memory_fits((double)count * sizeof(double), why, sizeof why) != 0) {
        rt_net_free(net);
        return api_fail(err, RNNC_NO_MEMORY, "the weights of %s as a dense %zu x %zu matrix need %s", rp->name,
                        rp->n_post, rp->n_pre, why);
    }
    double *w = net ? malloc(count * sizeof *w + 1) : NULL;
    if (!w)
        status = api_fail(err, RNNC_NO_MEMORY, "out of memory for the weights of %s", rp->name);
    else if (rt_weights_init(d, net, why, sizeof why) != 0)
        status = api_fail(err, RNNC_RUN_ERROR, "%s", why);
    const rt_csr *c = status == RNNC_OK ? rt_net_synapses(net, (unsigned)j) : NULL;
    for (size_t i = 0; status == RNNC_OK && !c && i < count; i++)
        w[i] = rt_real_get(d->net.is_double, rt_net_weights(net, (unsigned)j), i);
    if (c) {   /* sparse: the dense matrix, 0 where there is no synapse */
        memset(w, 0, count * sizeof *w);
        for (size_t k = 0; k < c->n_pre; k++)
            for (size_t s = c->row[k]; s < c->row[k + 1]; s++)
                w[(size_t)c->post[s] * rp->n_pre + k] =
                    rt_real_get(d->net.is_double, rt_net_weights(net, (unsigned)j), s);
    }
    rt_net_free(net);
    if (status != RNNC_OK) {
        free(w);
        return status;
    }
    *out = (rnnc_array){.dtype = RNNC_F64, .ndim = 2, .shape = {rp->n_post, rp->n_pre}, .data = w};
    return RNNC_OK;
}

/* A's values as doubles, when A is float32 or float64 of exactly SHAPE
 * (NDIM sizes); NULL with *ERR. */
static double *values_of(const rnnc_array *a, const size_t *shape, size_t ndim, const char *what,
                         const char *projection, rnnc_error **err)
{
    int same = a->ndim == ndim && a->data;
    for (size_t i = 0; same && i < ndim; i++)
        same = a->shape[i] == shape[i];
    if (!same) {
        api_fail(err, RNNC_USAGE, ndim == 2 ? "the %s of '%s' must be [%zu, %zu] ([post, pre])"
                                            : "the %s of '%s' must be [%zu] ([post])",
                 what, projection, shape[0], ndim == 2 ? shape[1] : 0);
        return NULL;
    }
    if (a->dtype != RNNC_F32 && a->dtype != RNNC_F64) {
        api_fail(err, RNNC_USAGE, "the %s of '%s' must be float32 or float64", what, projection);
        return NULL;
    }
    size_t n = rnnc_array_size(a);
    double *v = malloc(n * sizeof *v + 1);
    if (!v) {
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = a->dtype == RNNC_F64 ? ((const double *)a->data)[i] : ((const float *)a->data)[i];
    return v;
}

rnnc_status rnnc_model_set_weights(rnnc_model *m, const char *projection, const rnnc_array *w,
                                   const rnnc_array *bias, rnnc_error **err)
{
    if (!m || !w)
        return api_fail(err, RNNC_USAGE, "rnnc_model_set_weights: %s", m ? "no weights given" : "no model given");
    int j = find_projection(m, projection, err);
    if (j < 0)
        return RNNC_USAGE;
    const rt_proj *rp = &m->p.rt_projs[j];
    if (bias && !rp->bias)
        return api_fail(err, RNNC_USAGE, "the projection '%s' has no bias", m->projections[j]);
    const size_t shape[2] = {rp->n_post, rp->n_pre};
    double *values = values_of(w, shape, 2, "weights", m->projections[j], err);
    double *bias_values = values && bias ? values_of(bias, shape, 1, "bias", m->projections[j], err) : NULL;
    if (!values || (bias && !bias_values)) {
        free(values);
        return err && *err ? (*err)->status : RNNC_USAGE;
    }
    free(m->set_weights[j]);
    m->set_weights[j] = values;
    if (bias) {
        free(m->set_bias[j]);
        m->set_bias[j] = bias_values;
    }
    m->p.weights[j].init_values = m->set_weights[j];
    m->p.weights[j].bias_values = m->set_bias[j];
    return RNNC_OK;
}
