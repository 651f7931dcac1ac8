/* rt_optim.c -- optimisers and weight constraints (see rt_optim.h). */
#include "rt_optim.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct rt_optim {
    rt_optim_config cfg;
    int is_double;
    size_t n;       /* tensors */
    size_t *offset; /* n + 1 prefix sums of their counts: tensor i's moments start at offset[i] */
    void *m;        /* Adam's first moment, or SGD's momentum buffer; NULL when unused */
    void *v;        /* Adam's second moment; NULL when unused */
    uint64_t step;  /* Adam's t: steps taken so far */
};

/* The arithmetic, once per precision (see rt_optim_real.inc). */
#define REAL float
#define REAL_SQRT sqrtf
#define SUF(x) x##_f32
#include "rt_optim_real.inc"
#undef REAL
#undef REAL_SQRT
#undef SUF

#define REAL double
#define REAL_SQRT sqrt
#define SUF(x) x##_f64
#include "rt_optim_real.inc"
#undef REAL
#undef REAL_SQRT
#undef SUF

/* Written so NaN fails every test. */
static int config_valid(const rt_optim_config *c)
{
    if (!(c->lr >= 0) || !(c->clip_norm >= 0) || !(c->decay >= 0))
        return 0;
    switch (c->kind) {
    case RT_OPTIM_SGD: return c->momentum >= 0;
    case RT_OPTIM_ADAM:
        return c->beta1 >= 0 && c->beta1 < 1 && c->beta2 >= 0 && c->beta2 < 1 && c->eps >= 0;
    }
    return 0;
}

/* A zeroed buffer of TOTAL elements (0.0 is all-bits-zero in IEEE 754), or
 * NULL when none is wanted; -1 when out of memory. */
static int alloc_moment(int wanted, size_t total, size_t elem_size, void **out)
{
    *out = wanted && total ? calloc(total, elem_size) : NULL;
    return wanted && total && !*out ? -1 : 0;
}

rt_optim *rt_optim_new(const rt_optim_config *cfg, const rt_tensor *tensors, size_t n,
                       int is_double)
{
    if (!config_valid(cfg))
        return NULL;
    rt_optim *o = calloc(1, sizeof *o);
    if (!o || !(o->offset = malloc((n + 1) * sizeof *o->offset))) {
        free(o);
        return NULL;
    }
    o->cfg = *cfg;
    o->is_double = is_double;
    o->n = n;
    o->offset[0] = 0;
    for (size_t i = 0; i < n; i++)
        o->offset[i + 1] = o->offset[i] + tensors[i].count;
    int adam = cfg->kind == RT_OPTIM_ADAM;
    size_t elem_size = is_double ? sizeof(double) : sizeof(float);
    if (alloc_moment(adam || cfg->momentum > 0, o->offset[n], elem_size, &o->m) != 0 ||
        alloc_moment(adam, o->offset[n], elem_size, &o->v) != 0) {
        rt_optim_free(o);
        return NULL;
    }
    return o;
}

void rt_optim_free(rt_optim *o)
{
    if (!o)
        return;
    free(o->offset);
    free(o->m);
    free(o->v);
    free(o);
}

double rt_optim_grad_norm(const rt_optim *o, const rt_tensor *t, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += o->is_double ? grad_sq_sum_f64(&t[i]) : grad_sq_sum_f32(&t[i]);
    return sqrt(sum);
}

/* Like torch.nn.utils.clip_grad_norm_, but without its 1e-6 added to the
 * norm, so a clipped norm is clip_norm itself. A NaN norm is left alone: the
 * NaN reaches the weights and the run is seen to have diverged. */
static void clip_gradients(const rt_optim *o, rt_tensor *t, size_t n)
{
    if (o->cfg.clip_norm == 0)
        return;
    double norm = rt_optim_grad_norm(o, t, n);
    if (!(norm > o->cfg.clip_norm))
        return;
    double scale = o->cfg.clip_norm / norm;
    for (size_t i = 0; i < n; i++) {
        if (o->is_double)
            scale_grad_f64(&t[i], scale);
        else
            scale_grad_f32(&t[i], scale);
    }
}

/* Tensor I's slice of a moment buffer, or NULL when the buffer is unused. */
static void *moment_slice(const rt_optim *o, void *buf, size_t i)
{
    size_t elem_size = o->is_double ? sizeof(double) : sizeof(float);
    return buf ? (char *)buf + o->offset[i] * elem_size : NULL;
}

static void update_tensor(const rt_optim *o, rt_tensor *t, size_t i)
{
    void *m = moment_slice(o, o->m, i), *v = moment_slice(o, o->v, i);
    rt_optim_config c = o->cfg;
    c.lr /= 1 + c.decay * (double)(o->step - 1);   /* inverse-time decay from step 1 */
    if (c.kind == RT_OPTIM_ADAM && o->is_double)
        adam_update_f64(t, m, v, &c, o->step);
    else if (c.kind == RT_OPTIM_ADAM)
        adam_update_f32(t, m, v, &c, o->step);
    else if (o->is_double)
        sgd_update_f64(t, m, &c);
    else
        sgd_update_f32(t, m, &c);
}

void rt_optim_step(rt_optim *o, rt_tensor *t, size_t n)
{
    assert(n == o->n);
    clip_gradients(o, t, n);
    o->step++;
    for (size_t i = 0; i < n; i++) {
        assert(t[i].count == o->offset[i + 1] - o->offset[i]);
        update_tensor(o, &t[i], i);
        rt_constrain(&t[i], o->is_double);
    }
}

void rt_constrain(rt_tensor *t, int is_double)
{
    if (is_double)
        constrain_f64(t);
    else
        constrain_f32(t);
}
