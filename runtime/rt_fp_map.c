/* rt_fp_map.c -- one population's dynamics as a map x -> F(x), for the
 * fixed-point finder (see rt_fp_map.h). */
#include "rt_fp_map.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"

/* Scratch for COUNT points: s[K], I[P], next[K], out[O], adj_o[O], adj_n[K], adj_s[K], adj_i[P], r, g. */
static double *fp_scratch(rt_fp_map *m, size_t count)
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
static void fp_inputs(rt_fp_map *m, size_t count, const double *x, double *s, double *in, double *r)
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

int rt_fp_map_step(void *ctx, size_t count, const double *x, double *f)
{
    rt_fp_map *m = ctx;
    size_t n = m->n, c = count * n;
    double *s = fp_scratch(m, count);
    if (!s)
        return -1;
    double *in = s + m->K * c, *next = in + m->P * c, *out = next + m->K * c, *r = out + m->O * c;
    fp_inputs(m, count, x, s, in, r);
    void *args[RT_FP_MAX_ARGS];
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
int rt_fp_map_vjp(void *ctx, size_t count, const double *x, const double *v, double *res)
{
    rt_fp_map *m = ctx;
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
    void *args[RT_FP_MAX_ARGS];
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

void rt_fp_map_hold_inputs(rt_fp_map *m, const rt_run_desc *d, rt_net *net, const double *u)
{
    size_t n = m->n, first[RT_MAX_INPUTS + 1] = {0};
    memcpy(m->bias, m->trained_bias, m->P * n * sizeof *m->bias);
    if (!u)
        return;
    for (unsigned in = 0; in < d->net.n_inputs; in++)   /* where input IN's elements start in U */
        first[in + 1] = first[in] + d->net.input_sizes[in];
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        if (rp->post_pop != m->pop || rp->pre_input < 0)
            continue;
        const void *w = rt_net_weights(net, j);   /* [n][n_pre] */
        const double *x = u + first[rp->pre_input];
        for (size_t k = 0; k < n; k++) {
            double sum = 0;
            for (size_t i = 0; i < rp->n_pre; i++)
                sum += rt_real_get(d->net.is_double, w, k * rp->n_pre + i) * x[i];
            m->bias[rp->port * n + k] += sum;
        }
    }
}

void rt_fp_map_free(rt_fp_map *m)
{
    for (size_t j = 0; j < m->n_rec; j++)
        free(m->w[j]);
    free(m->bias);
    free(m->trained_bias);
    free(m->buf);
}

int rt_fp_map_init(rt_fp_map *m, const rt_run_desc *d, rt_net *net, unsigned i, char *err, size_t err_size)
{
    const rt_pop *pop = &d->net.pops[i];
    memset(m, 0, sizeof *m);
    m->pop = i;
    m->n = pop->n;
    m->K = pop->n_states;
    m->P = pop->n_ports;
    m->O = pop->n_outputs;
    m->r_state = pop->output_state ? pop->output_state[0] : -1;
    m->dim = (m->K + (m->r_state < 0)) * m->n;
    m->forward = pop->forward64;
    m->adjoint = pop->adjoint64;
    if (!m->forward || !m->adjoint)
        return rt_error(err, err_size, "population '%s' has no double-precision kernels", pop->name);
    if (3 * m->K + 2 * m->P + m->O > RT_FP_MAX_ARGS)
        return rt_error(err, err_size, "population '%s': its neuron has too many states, inputs and outputs "
                        "(limit %d arrays)", pop->name, RT_FP_MAX_ARGS);
    m->bias = calloc(m->P * m->n + 1, sizeof *m->bias);
    if (!m->bias)
        return rt_error(err, err_size, "out of memory");
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        if (rp->post_pop != i)
            continue;
        if (rp->bias)
            for (size_t k = 0; k < m->n; k++)
                m->bias[rp->port * m->n + k] += rt_real_get(d->net.is_double, rt_net_bias(net, j), k);
        if (rp->pre_pop < 0)
            continue;   /* a network input: held at zero */
        if ((unsigned)rp->pre_pop != i)
            return rt_error(err, err_size, "'%s' brings in another population; the fixed points of '%s' alone "
                            "need it to be fed only by itself and the network's inputs", rp->name, pop->name);
        double *w = malloc(m->n * m->n * sizeof *w);
        if (!w)
            return rt_error(err, err_size, "out of memory");
        for (size_t k = 0; k < m->n * m->n; k++)
            w[k] = rt_real_get(d->net.is_double, rt_net_weights(net, j), k);
        m->w[m->n_rec] = w;
        m->port[m->n_rec++] = rp->port;
    }
    m->trained_bias = malloc((m->P * m->n + 1) * sizeof *m->trained_bias);
    if (!m->trained_bias)
        return rt_error(err, err_size, "out of memory");
    memcpy(m->trained_bias, m->bias, m->P * m->n * sizeof *m->bias);
    return 0;
}
