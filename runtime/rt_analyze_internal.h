/* rt_analyze_internal.h -- what the files of the analyses share while
 * they run (rt_analyze.c: the driver and the analyses of the first
 * evaluation batch; rt_analyze_batches.c: those that run every evaluation
 * batch again); not for users of the library. */
#ifndef RNNRT_ANALYZE_INTERNAL_H
#define RNNRT_ANALYZE_INTERNAL_H

#include "rt_fp_map.h"
#include "rt_run_internal.h"

/* The analyses of one run while they run. */
typedef struct actx {
    rt_session *s;
    const rt_run_desc *d;
    const rt_outdir *out;
    json_t *json;
    char *err;
    size_t err_size;
    int have_batch;                 /* the first evaluation batch is in the histories */
    int write_failed;               /* a file could not be written */
    int *labels;                    /* [steps][batch]: the task condition of each row, or -1 */
    size_t n_labels;
    /* kept to draw fixed points in component space once both have run */
    unsigned n_spaces, n_fixed;
    struct {
        const rt_analysis_desc *a;
        double *mean, *components;
    } spaces[RT_MAX_ANALYSES];
    struct {
        rt_fp_map m;
        size_t count;
        double *points;
        unsigned char *stable;
    } fixed[RT_MAX_ANALYSES];
} actx;

/* DATA as NAME in the results folder; a failure is remembered as a write failure. */
static inline int write_npy(actx *a, const char *name, const void *data, rt_dtype type, const size_t *shape, int ndim)
{
    int rc = rt_results_npy(a->out, name, data, type, shape, ndim, a->err, a->err_size);
    a->write_failed |= rc != 0;
    return rc;
}

/* Element I of a network array, in double. */
static inline double real_at(const actx *a, const void *base, size_t i)
{
    return rt_real_get(a->d->net.is_double, base, i);
}

/* ---- rt_analyze_batches.c: each fills *RESULT (replacing it where its
 * numbers are a list) and writes its files; 0, or -1 on an error or when
 * the session's stop flag ended it. */
int rt_analyze_robustness(actx *a, const rt_analysis_desc *an, json_t **result);
int rt_analyze_degradation(actx *a, const rt_analysis_desc *an, json_t **result);
int rt_analyze_psychometric(actx *a, const rt_analysis_desc *an, json_t **result);

#endif
