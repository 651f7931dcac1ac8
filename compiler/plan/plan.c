/* plan.c -- from a checked run to populations, projections, task and
 * settings, with kernels compiled (see plan.h). */
#include "plan.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan_internal.h"
#include "task_loss.h"
#include "rt_memory.h"
#include "rt_npy.h"
#include "rt_rng.h"
#include "sema.h"

static void hint(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void vfail(builder *b, const ast_node *at, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

static void vfail(builder *b, const ast_node *at, const char *fmt, va_list ap)
{
    src_loc none = {0, 0, 0, 0};
    b->last = diag_verror(&b->p->fe->diag, at ? at->loc : none, fmt, ap);
    b->failed++;
}

/* An error at AT (NULL: none in the source), as the front end reports them. */
void plan_fail(builder *b, const ast_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(b, at, fmt, ap);
    va_end(ap);
}

/* A hint for the error just reported. */
static void hint(builder *b, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (b->last)
        diag_hint(&b->p->fe->diag, b->last, "%s", text);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------ settings */

const ast_node *plan_setting(const plan *p, const char *name)
{
    for (unsigned i = 0; i < p->opts->define_count; i++)
        if (p->opts->defines[i].expr && strcmp(p->opts->defines[i].name, name) == 0)
            return p->opts->defines[i].expr;
    for (const ast_node *s = p->run->first->next; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s->first ? s->first : s;
    return NULL;
}

static double number_setting(builder *b, const char *name, double fallback)
{
    const ast_node *e = plan_setting(b->p, name);
    double v;
    if (!e)
        return fallback;
    if (!const_value(e, &(const_env){.dt = b->p->dt}, &v)) {
        plan_fail(b, e, "the setting '%s' must be a constant number", name);
        return fallback;
    }
    return v;
}

/* A named argument of a setting's call: adam(lr = 1e-3). */
static double call_argument(builder *b, const ast_node *call, const char *name, double fallback)
{
    if (!call || call->kind != AST_CALL || !call->first)
        return fallback;
    for (const ast_node *a = call->first->first; a; a = a->next)
        if (a->kind == AST_NAMEDARG && strcmp(a->name, name) == 0) {
            double v;
            if (const_value(a->first, &(const_env){.dt = b->p->dt}, &v))
                return v;
            plan_fail(b, a, "'%s' must be a constant number", name);
        }
    return fallback;
}

static const char *choice_setting(const plan *p, const char *name, const char *fallback)
{
    const ast_node *e = plan_setting(p, name);
    return e && e->name ? e->name : fallback;
}

static void read_optimizer(builder *b, plan_settings *s)
{
    const ast_node *opt = plan_setting(b->p, "optimizer");
    const char *kind = opt && opt->name ? opt->name : "adam";
    s->optim.kind = strcmp(kind, "sgd") == 0 ? RT_OPTIM_SGD : RT_OPTIM_ADAM;
    s->optim.lr = call_argument(b, opt, "lr", s->optim.kind == RT_OPTIM_SGD ? 1e-2 : 1e-3);
    s->optim.momentum = call_argument(b, opt, "momentum", 0);
    s->optim.beta1 = call_argument(b, opt, "beta1", 0.9);
    s->optim.beta2 = call_argument(b, opt, "beta2", 0.999);
    s->optim.eps = call_argument(b, opt, "eps", 1e-8);
    s->optim.decay = call_argument(b, opt, "decay", 0);
    s->optim.clip_norm = number_setting(b, "clip", 0);
}

/* The node of a named argument -- learn bptt(truncate = ...),
 * cross_entropy(weights = ...), l2(c = ...) -- or NULL. */
static const ast_node *learn_argument(const ast_node *learn, const char *name)
{
    for (const ast_node *a = learn && learn->kind == AST_CALL && learn->first ? learn->first->first : NULL;
         a; a = a->next)
        if (a->kind == AST_NAMEDARG && strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* The losses rnnc trains with, by their name in 'loss'. */
static const struct {
    const char *name;
    rt_loss kind;
} loss_kinds[] = {
    {"mse", RT_LOSS_MSE},
    {"sum_squared", RT_LOSS_SUM_SQUARED},
    {"cross_entropy", RT_LOSS_CROSS_ENTROPY},
};

/* cross_entropy(weights = [w0, w1, ...]): the weights' values (sema
 * checked each is a finite constant, zero or more). */
static void read_class_weights(builder *b, plan_settings *s)
{
    const ast_node *weights = learn_argument(plan_setting(b->p, "loss"), "weights");
    if (!weights || !weights->first || weights->first->kind != AST_LIST)
        return;
    size_t n = 0;
    for (const ast_node *w = weights->first->first; w; w = w->next)
        n++;
    double *values = arena_alloc(&b->p->fe->arena, (n ? n : 1) * sizeof *values);
    n = 0;
    for (const ast_node *w = weights->first->first; w; w = w->next)
        values[n++] = plan_constant(b, w, "a class weight");
    s->class_weights = values;
    s->n_class_weights = n;
    s->class_weights_at = weights;
}

/* regularize l2(c = ...), l2_rate(c = ...): their strength, which has no
 * default (PsychRNN's are 0, off). */
static double strength(builder *b, const ast_node *r)
{
    if (!learn_argument(r, "c")) {
        plan_fail(b, r, "'regularize %s' needs its strength: %s(c = ...)", r->name, r->name);
        hint(b, "e.g. %s(c = 1e-4): the strength has no default, as PsychRNN's are 0 (off) unless given", r->name);
        return 0;
    }
    return call_argument(b, r, "c", 0);
}

/* A time setting NAME as a whole, positive number of steps (a time in
 * seconds, or a plain number of steps); 0 (with an error) when it is not. */
static size_t steps_setting(builder *b, const ast_node *e, const char *name)
{
    double v = plan_constant(b, e, name);
    double steps = e->dim.known && dim_compatible(e->dim, DIM_TIME_1) && !dim_compatible(e->dim, DIM_ONE)
                   ? v / b->p->dt : v;
    size_t n = steps >= 1 ? (size_t)llround(steps) : 0;
    if (n < 1 || fabs(steps - (double)n) > 1e-9 * steps) {
        plan_fail(b, e, "'%s' must be a whole, positive number of steps (dt is %g s)", name, b->p->dt);
        return 0;
    }
    return n;
}

/* update_every: e-prop's online updates inside the sequences. */
static void read_update_every(builder *b, plan_settings *s)
{
    const ast_node *every = plan_setting(b->p, "update_every");
    if (!every)
        return;
    if (strcmp(s->learn, "eprop") != 0) {
        plan_fail(b, every, "'update_every' is e-prop's online learning; with 'learn %s' it is not available yet%s",
                  s->learn, strcmp(s->learn, "bptt") == 0 ? " (it would be truncated BPTT)" : "");
        hint(b, "write 'learn eprop', or remove it: the weights are then updated once per batch");
        return;
    }
    s->update_every = steps_setting(b, every, "update_every");
}

/* The learning rule, the loss and the regularisers, refusing what this
 * version cannot train with. */
static void read_learning(builder *b, plan_settings *s)
{
    plan *p = b->p;
    s->learn = choice_setting(p, "learn", "bptt");
    s->loss = choice_setting(p, "loss", "mse");
    const ast_node *learn = plan_setting(p, "learn"), *truncate = learn_argument(learn, "truncate");
    if (truncate) {
        plan_fail(b, truncate, "'bptt(truncate = ...)' is not available yet: this version backpropagates "
                          "through the whole trial");
        hint(b, "write 'learn bptt'");
    }
    const ast_node *feedback = learn_argument(learn, "feedback");
    s->feedback = feedback && feedback->first->name ? feedback->first->name : NULL;
    s->loss_kind = RT_LOSS_MSE;
    for (unsigned i = 0; i < sizeof loss_kinds / sizeof loss_kinds[0]; i++)
        if (strcmp(s->loss, loss_kinds[i].name) == 0)
            s->loss_kind = loss_kinds[i].kind;
    read_class_weights(b, s);
    read_update_every(b, s);
    for (const ast_node *r = plan_setting(p, "regularize"); r; r = r->next) {
        if (!r->name)
            continue;
        if (strcmp(r->name, "rate") == 0) {
            s->rate_c = call_argument(b, r, "c", 1);
            s->rate_f_target = call_argument(b, r, "f_target", 10);
        } else if (strcmp(r->name, "l2") == 0) {
            s->l2_c = strength(b, r);
        } else if (strcmp(r->name, "l2_rate") == 0) {
            s->l2_rate_c = strength(b, r);
        }
    }
    if (s->update_every && (s->rate_c > 0 || s->l2_rate_c > 0)) {
        plan_fail(b, plan_setting(p, "regularize"), "a firing-rate regulariser with 'update_every' (online "
                  "e-prop) is not available yet: it is defined over whole sequences");
        hint(b, "remove 'update_every' to update once per sequence, or the rate regulariser");
    }
}

/* The evaluation's trials: whole batches. A run that does not train and
 * sets no batch evaluates them in batches of at most 32 that add up to
 * 'trials' where they can (trials 5: one batch of 5; trials 100: four of
 * 25); where the batches cannot, the trials are rounded up to whole ones,
 * with a warning giving both numbers. */
static void eval_trials(builder *b, plan_settings *s)
{
    const ast_node *given = plan_setting(b->p, "trials");
    double trials = number_setting(b, "trials", (double)s->batch * 4);
    if (given && trials >= 1 && !s->train && !plan_setting(b->p, "batch")) {
        double batches = ceil(trials / 32);
        s->batch = (size_t)ceil(trials / batches);
    }
    size_t batch = s->batch ? s->batch : 1;
    s->eval_trials = (size_t)ceil(trials / (double)batch) * batch;
    if (given && trials >= 1 && (double)s->eval_trials != trials)
        diag_warning(&b->p->fe->diag, given->loc,
                     "'trials %g' is rounded up to %zu evaluation trials, whole batches of %zu; "
                     "make trials a multiple of the batch to evaluate exactly that many",
                     trials, s->eval_trials, batch);
}

/* 'sequence continuous' (one sequence cut into trials) and 'loss_every'. */
static void read_sequence(builder *b, plan_settings *s)
{
    plan *p = b->p;
    s->continuous = strcmp(choice_setting(p, "sequence", "separate"), "continuous") == 0;
    s->save_synapses = strcmp(choice_setting(p, "save_synapses", "auto"), "all") == 0;
    const ast_node *seq = plan_setting(p, "sequence");
    if (s->continuous && s->batch != 1) {
        plan_fail(b, seq, "'sequence continuous' runs the trials one after another, so the batch must be 1, "
                  "not %zu", s->batch);
        hint(b, "write 'batch 1'");
    }
    const ast_node *every = plan_setting(p, "loss_every");
    if (!every)
        return;
    s->loss_every = steps_setting(b, every, "loss_every");
    if (s->loss_every && s->loss_kind != RT_LOSS_MSE)
        plan_fail(b, every, "'loss_every' with 'loss %s' is not available yet: its blocks are mean squared "
                  "errors", s->loss);
}

static void read_settings(builder *b, uint64_t seed)
{
    plan *p = b->p;
    plan_settings *s = &p->settings;
    s->seed = seed;
    s->train = p->run->kind == AST_TRAIN;
    read_learning(b, s);
    read_optimizer(b, s);
    s->batch = (size_t)number_setting(b, "batch", 32);
    double samples = number_setting(b, "samples", (double)s->batch * 100);
    s->updates_per_epoch = (size_t)ceil(samples / (double)(s->batch ? s->batch : 1));
    double iterations = number_setting(b, "iterations", 0);
    s->updates = iterations > 0 ? (size_t)iterations
                                : (size_t)number_setting(b, "epochs", 1) * s->updates_per_epoch;
    if (!s->train || strcmp(s->learn, "none") == 0)
        s->updates = 0;
    eval_trials(b, s);
    s->early_stop = number_setting(b, "early_stop", 0);
    s->threads = (int)number_setting(b, "threads", 0);
    read_sequence(b, s);
    if (s->batch < 1)
        plan_fail(b, plan_setting(p, "batch"), "the batch must hold at least one trial");
}

/* ------------------------------------------------------------ populations */

int plan_find_pop(const plan *p, const char *name)
{
    for (unsigned i = 0; i < p->n_pops; i++)
        if (strcmp(p->pops[i].name, name) == 0)
            return (int)i;
    return -1;
}

int plan_find_input(const plan *p, const char *name)
{
    for (unsigned i = 0; i < p->n_inputs; i++)
        if (strcmp(p->input_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* A constant of the network (sizes, overrides): its parameters with the
 * run's values. */
double plan_constant(builder *b, const ast_node *e, const char *what)
{
    double v;
    if (!const_value(e, &(const_env){.dt = b->p->dt}, &v)) {
        plan_fail(b, e, "%s must be a constant", what);
        return 0;
    }
    return v;
}

/* Did an earlier population's lowering of NEURON fail? Its errors are
 * reported once, not once per population. */
static int reported_unlowered(const builder *b, const ast_node *neuron)
{
    for (unsigned k = 0; k < b->n_unlowered; k++)
        if (b->unlowered[k] == neuron)
            return 1;
    return 0;
}

static void add_pop(builder *b, const ast_node *n)
{
    plan *p = b->p;
    if (p->n_pops == RT_MAX_POPS) {
        plan_fail(b, n, "more than %d populations", RT_MAX_POPS);
        return;
    }
    const ast_node *type = n->first, *size = type->first, *args = size ? size->next : NULL;
    const ast_node *neuron = frontend_find_def(p->fe, type->name);
    const_binding overrides[64];
    unsigned n_over = 0;
    for (const ast_node *a = args ? args->first : NULL; a && n_over < 64; a = a->next)
        if (a->kind == AST_NAMEDARG) {
            overrides[n_over].name = a->name;
            overrides[n_over++].value = plan_constant(b, a->first, "a population's parameter");
        }
    unsigned i = p->n_pops++;
    neuron_ir *nir = &p->neurons[i];
    double count = size ? plan_constant(b, size, "a population's size") : 1;
    rt_pop *pop = &p->pops[i];
    pop->name = n->name;
    pop->n = count >= 1 ? (size_t)count : 1;
    if (!neuron) {
        plan_fail(b, type, "neuron '%s' is not defined", type->name);
        return;
    }
    if (lower_neuron(nir, p->fe, neuron, p->dt, overrides, n_over,
                     reported_unlowered(b, neuron) ? NULL : &p->fe->diag) != 0) {
        b->failed++;
        if (b->n_unlowered < RT_MAX_POPS)
            b->unlowered[b->n_unlowered++] = neuron;
        return;
    }
    pop->n_states = nir->n_states;
    pop->n_ports = nir->n_ports;
    pop->n_outputs = nir->n_outputs;
    pop->state_init = nir->state_init;
    pop->output_init = nir->output_init;
    /* an output that is a state (output r = h) shares its history */
    int *output_state = arena_alloc(&p->fe->arena, (nir->n_outputs + 1) * sizeof *output_state);
    for (unsigned o = 0; o < nir->n_outputs; o++) {
        output_state[o] = -1;
        for (unsigned k = 0; k < nir->n_states && output_state[o] < 0; k++)
            if (nir->out[o] == nir->next[k] && nir->output_init[o] == nir->state_init[k])
                output_state[o] = (int)k;
    }
    pop->output_state = output_state;
    pop->spiking = nir->spike_state >= 0;
    pop->spike_state = pop->spiking ? (unsigned)nir->spike_state : 0;
    pop->n_draws = nir->n_draws;
    rt_draw *draws = arena_alloc(&p->fe->arena, (nir->n_draws + 1) * sizeof *draws);
    for (unsigned d = 0; d < nir->n_draws; d++)
        draws[d] = (rt_draw){nir->draws[d].kind == DRAW_NORMAL ? RT_DRAW_NORMAL
                             : nir->draws[d].kind == DRAW_POISSON ? RT_DRAW_POISSON : RT_DRAW_UNIFORM,
                             nir->draws[d].mean};
    pop->draws = draws;
    p->pop_readout[i] = n->op == 1;
    if (nir->n_outputs == 0)
        plan_fail(b, n, "neuron '%s' has no output, so population '%s' cannot send anything",
             neuron->name, n->name);
    if (n->op == 1)
        p->readouts[p->n_readouts++] = i;
}

/* ------------------------------------------------------------ projections */

static int has_spike(const plan *p, unsigned pop);
static int weights_fit(builder *b, const rt_proj *rp, const plan_proj *pp);

/* An initialiser call's arguments into A, by position or, when named, in
 * the place of the name among its builtin's keywords ('mean std' for
 * normal, 'gain' for orthogonal): normal(std = 0.1) sets the std, not the
 * mean. GIVEN[i] says whether A[i] was written. */
static void initializer_arguments(builder *b, const ast_node *e, const const_env *env, double a[2],
                                  int given[2])
{
    const builtin *bi = e->sym;
    int next = 0;
    for (const ast_node *k = e->kind == AST_CALL && e->first ? e->first->first : NULL; k; k = k->next) {
        int slot = k->kind == AST_NAMEDARG ? builtin_keyword_index(bi, k->name) : next++;
        if (slot < 0 || slot > 1)
            continue;   /* sema refused it */
        given[slot] = 1;
        if (!const_value(k->kind == AST_NAMEDARG ? k->first : k, env, &a[slot]))
            plan_fail(b, k, "an initialiser's argument must be a constant");
    }
}

/* Values the runtime would refuse when it starts (rt_init_fill), or read
 * otherwise than written (a gain of 0 is 1 there), refused at the call. */
static void check_initializer_values(builder *b, const ast_node *e, const rt_init *in)
{
    if (!isfinite(in->a) || !isfinite(in->b)) {
        plan_fail(b, e, "an initialiser's arguments must be finite numbers");
    } else if (in->kind == RT_INIT_NORMAL && in->b < 0) {
        plan_fail(b, e, "a standard deviation cannot be negative, and this normal() has std %g", in->b);
        hint(b, "did you mean normal(%g, %g)?", in->a, -in->b);
    } else if (in->kind == RT_INIT_UNIFORM && in->a > in->b) {
        plan_fail(b, e, "uniform(lo, hi) needs lo <= hi, but lo is %g and hi %g", in->a, in->b);
        hint(b, "swap them: uniform(%g, %g)", in->b, in->a);
    } else if (in->kind == RT_INIT_ORTHOGONAL && in->a == 0) {
        plan_fail(b, e, "orthogonal with gain 0 would make every weight 0");
        hint(b, "for weights of 0 write 'init zeros'");
    }
}

static void initializer(builder *b, const ast_node *e, size_t fan_in, size_t fan_out, rt_init *out,
                        const char **file)
{
    const_binding fans[2] = {{"fan_in", (double)fan_in}, {"fan_out", (double)fan_out}};
    const_env env = {.dt = b->p->dt, .bound = fans, .n_bound = 2};
    double a[2] = {0, 0};
    int given[2] = {0, 0};
    if (e->kind == AST_CALL && strcmp(e->name, "load") == 0) {
        char path[4096];
        *file = arena_printf(&b->p->fe->arena, "%s", frontend_load_path(b->p->fe, e->first->first, path,
                                                                        sizeof path));
        return;
    }
    initializer_arguments(b, e, &env, a, given);
    const char *name = e->name ? e->name : "";
    memset(out, 0, sizeof *out);
    if (e->kind == AST_NUM || (e->kind != AST_CALL && e->kind != AST_NAME)) {
        out->kind = RT_INIT_CONSTANT;
        if (!const_value(e, &env, &out->a))
            plan_fail(b, e, "an initial value must be a constant or an initialiser");
    } else if (strcmp(name, "normal") == 0) {
        *out = (rt_init){RT_INIT_NORMAL, given[0] ? a[0] : 0, given[1] ? a[1] : 1};
    } else if (strcmp(name, "uniform") == 0) {
        *out = (rt_init){RT_INIT_UNIFORM, given[0] ? a[0] : 0, given[1] ? a[1] : 1};
    } else if (strcmp(name, "glorot_uniform") == 0) {
        *out = (rt_init){RT_INIT_GLOROT_UNIFORM, 0, 0};
    } else if (strcmp(name, "glorot_normal") == 0) {   /* Glorot & Bengio 2010 */
        *out = (rt_init){RT_INIT_NORMAL, 0, sqrt(2.0 / (double)(fan_in + fan_out))};
    } else if (strcmp(name, "orthogonal") == 0) {
        *out = (rt_init){RT_INIT_ORTHOGONAL, given[0] ? a[0] : 1, 0};
    } else if (strcmp(name, "zeros") == 0) {
        *out = (rt_init){RT_INIT_ZEROS, 0, 0};
    } else if (strcmp(name, "constant") == 0) {
        *out = (rt_init){RT_INIT_CONSTANT, a[0], 0};
    } else {
        out->kind = RT_INIT_CONSTANT;
        if (!const_value(e, &env, &out->a))
            plan_fail(b, e, "'%s' is not an initialiser this version knows", name);
    }
    check_initializer_values(b, e, out);
}

/* The index list of FILE (string node AT) into OUT (COUNT entries, or
 * *COUNT set when SIZE_MAX): whole numbers below LIMIT, the neurons of
 * SIDE. 0, or -1 after a located error. */
static int index_list(builder *b, const ast_node *at, const char *side, size_t limit, uint32_t **out,
                      size_t *count)
{
    char path[4096], why[512], shape[128];
    const char *file = frontend_load_path(b->p->fe, at, path, sizeof path);
    rt_array a;
    if (rt_npy_read(file, &a, why, sizeof why) != 0) {
        plan_fail(b, at, "cannot read the %s neurons of the connections: %s", side, why);
        return -1;
    }
    int rc = -1;
    if (a.ndim != 1) {
        plan_fail(b, at, "the %s neurons of the connections must be a 1-d array, but the file holds a %s array", side,
                  rt_shape_text(a.shape, a.ndim, shape, sizeof shape));
    } else if (*count != SIZE_MAX && a.count != *count) {
        plan_fail(b, at, "the %s list has %zu connections and the pre list %zu: one entry each per synapse", side,
                  a.count, *count);
    } else if (!(*out = malloc((a.count + 1) * sizeof **out))) {
        plan_fail(b, at, "out of memory");
    } else {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < a.count; i++) {
            double v = a.data[i];
            if (!(v >= 0 && v < (double)limit && v == floor(v))) {
                plan_fail(b, at, "entry %zu of the %s list is %g, not a neuron of the %zu the %s side has", i, side, v,
                          limit, side);
                rc = -1;
            } else {
                (*out)[i] = (uint32_t)v;
            }
        }
        *count = a.count;
    }
    rt_array_free(&a);
    return rc;
}

/* load("pre.npy", "post.npy"): the given connections, checked now (in
 * range, each pair once) so that 'rnnc check' says so at the call. */
static void list_connect(builder *b, const ast_node *opt, plan_proj *pp, const rt_proj *rp)
{
    const ast_node *pre = opt->first->first, *post = pre->next;
    size_t n = SIZE_MAX;
    uint32_t *pre_list = NULL, *post_list = NULL;
    if (index_list(b, pre, "pre", rp->n_pre, &pre_list, &n) == 0 &&
        index_list(b, post, "post", rp->n_post, &post_list, &n) == 0 &&
        (pp->list = malloc((2 * n + 1) * sizeof *pp->list)) != NULL) {
        memcpy(pp->list, pre_list, n * sizeof *pp->list);
        memcpy(pp->list + n, post_list, n * sizeof *pp->list);
        pp->connect.kind = RT_CONNECT_LIST;
        pp->connect.list_pre = pp->list;
        pp->connect.list_post = pp->list + n;
        pp->connect.list_n = n;
        rt_csr c;
        char why[256];
        if (rt_connect_build(&pp->connect, rp->n_pre, rp->n_post, NULL, &c, why, sizeof why) != 0) {
            plan_fail(b, opt, "%s", why);
            pp->connect.kind = RT_CONNECT_ALL;   /* said once: no mask is made of it */
        }
        rt_csr_free(&c);
    }
    free(pre_list);
    free(post_list);
}

/* The rule (rt_connect.h): which pairs connect, drawn from the run's seed
 * and the projection's own stream. */
static void rule_connect(builder *b, const ast_node *opt, plan_proj *pp, const rt_proj *rp, uint64_t stream)
{
    const char *rule = opt->name;
    if (strcmp(rule, "load") == 0) {
        list_connect(b, opt, pp, rp);
        return;
    }
    double arg = opt->first && opt->first->first ? plan_constant(b, opt->first->first, "a rule's argument") : 0;
    rt_connect *c = &pp->connect;
    c->seed = b->p->settings.seed;
    c->stream = stream;
    c->kind = RT_CONNECT_ALL;
    if (strcmp(rule, "one_to_one") == 0) {
        c->kind = RT_CONNECT_ONE_TO_ONE;
    } else if (strcmp(rule, "fixed_probability") == 0) {
        c->kind = RT_CONNECT_FIXED_PROBABILITY;
        c->p = arg;
    } else if (strcmp(rule, "fixed_indegree") == 0 || strcmp(rule, "fixed_outdegree") == 0) {
        c->kind = rule[6] == 'i' ? RT_CONNECT_FIXED_INDEGREE : RT_CONNECT_FIXED_OUTDEGREE;
        c->k = arg > 0 ? (size_t)arg : 0;
    }
}

/* A dense projection's mask from its rule (and no_autapses), 'and'-ed with
 * a mask file's (MASK); NULL when every pair connects. The synapses are
 * those a sparse projection would have: the same network either way. */
static unsigned char *rule_mask(builder *b, const ast_node *at, const plan_proj *pp, const rt_proj *rp,
                                unsigned char *mask)
{
    if (pp->connect.kind == RT_CONNECT_ALL && pp->connect.autapses)
        return mask;
    rt_csr c;
    char why[256];
    if (rt_connect_build(&pp->connect, rp->n_pre, rp->n_post, NULL, &c, why, sizeof why) != 0) {
        plan_fail(b, at, "%s", why);
        return mask;
    }
    unsigned char *m = calloc(rp->n_post * rp->n_pre + 1, 1);
    if (!m) {
        plan_fail(b, at, "out of memory");
    } else {
        for (size_t k = 0; k < rp->n_pre; k++)
            for (size_t s = c.row[k]; s < c.row[k + 1]; s++)
                m[(size_t)c.post[s] * rp->n_pre + k] = 1;
        for (size_t i = 0; mask && i < rp->n_post * rp->n_pre; i++)
            m[i] = m[i] && mask[i];
        free(mask);
        mask = m;
    }
    rt_csr_free(&c);
    return mask;
}

/* dale(exc = f): the first round(f n_pre) pre neurons excite, the rest inhibit. */
static signed char *dale_signs(builder *b, const ast_node *opt, size_t n_pre)
{
    double exc = 0.8;
    for (const ast_node *a = opt->first ? opt->first->first : NULL; a; a = a->next)
        if (a->kind == AST_NAMEDARG && strcmp(a->name, "exc") == 0)
            exc = plan_constant(b, a->first, "dale's 'exc'");
    signed char *s = malloc(n_pre ? n_pre : 1);
    if (!s) {
        plan_fail(b, opt, "out of memory");
        return NULL;
    }
    size_t n_exc = (size_t)lround(exc * (double)n_pre);
    for (size_t j = 0; j < n_pre; j++)
        s[j] = j < n_exc ? 1 : -1;
    return s;
}

/* The connect options sema accepts that this version cannot run. */
static void refuse_option(builder *b, const ast_node *opt)
{
    const char *o = opt->name;
    plan_fail(b, opt, "the connect option '%s' is not available yet", o);
}

/* delay D: a time, rounded to whole steps of dt (with a warning when it
 * is not a multiple of dt), or a plain number of steps. */
static unsigned delay_steps(builder *b, const ast_node *value)
{
    double v = value ? plan_constant(b, value, "a delay") : 0, steps = v;
    int is_time = value && value->dim.known && !dim_is_one(value->dim);
    if (is_time)
        steps = v / b->p->dt;
    double whole = round(steps);
    if (!(whole >= 0) || whole > 1 << 20) {
        plan_fail(b, value, "a delay of %g steps is more than this version keeps (%d)", whole, 1 << 20);
        return 0;
    }
    if (fabs(steps - whole) > 1e-9 * fmax(1, steps))
        diag_warning(&b->p->fe->diag, value->loc, "a delay of %g %s is rounded to %.0f steps (%g ms at dt %g ms)",
                     is_time ? v * 1e3 : v, is_time ? "ms" : "steps", whole, whole * b->p->dt * 1e3,
                     b->p->dt * 1e3);
    return (unsigned)whole;
}

/* init load("w.npy"): the file must hold the [post, pre] matrix the
 * projection needs; bias load("b.npy") (BIAS) its [post] values (or a
 * [post, 1] column). Only the header is read, so 'rnnc check' says so at
 * the load(...), not the run when it starts. */
static void check_param_file(builder *b, const ast_node *load, const char *path, const rt_proj *rp, int bias)
{
    rt_array a;
    char why[512];
    if (rt_npy_shape(path, &a, why, sizeof why) != 0) {
        plan_fail(b, load, "cannot read the %s: %s", bias ? "bias" : "weights", why);
        return;
    }
    if (bias ? (a.ndim == 1 && a.shape[0] == rp->n_post) || (a.ndim == 2 && a.shape[0] == rp->n_post && a.shape[1] == 1)
             : a.ndim == 2 && a.shape[0] == rp->n_post && a.shape[1] == rp->n_pre)
        return;
    char shape[128] = "";
    rt_shape_text(a.shape, a.ndim, shape, sizeof shape);
    if (bias) {
        plan_fail(b, load, "the bias of '%s' needs [%zu] values (one per '%s' neuron), and the file holds %s",
                  rp->name, rp->n_post, b->p->pops[rp->post_pop].name, shape);
        return;
    }
    plan_fail(b, load, "the weights of %s are [%zu, %zu] ([post, pre]), but the file holds a %s array",
         rp->name, rp->n_post, rp->n_pre, shape);
    hint(b, "save the matrix as numpy.save(\"w.npy\", W) with W.shape == (%zu, %zu)", rp->n_post, rp->n_pre);
}

/* mask load("m.npy"): a [post, pre] array of 0 and 1, read whole so that
 * 'rnnc check' finds a wrong shape or value at the load(...). A connection
 * exists where the file and the rule (and no_autapses) all allow it, so
 * the file's mask is combined with MASK (NULL: all allowed) by 'and'. */
static unsigned char *mask_from_file(builder *b, const ast_node *load, const rt_proj *rp, unsigned char *mask)
{
    char path[4096], why[512], shape[128];
    const char *file = frontend_load_path(b->p->fe, load->first->first, path, sizeof path);
    rt_array a;
    if (rt_npy_read(file, &a, why, sizeof why) != 0) {
        plan_fail(b, load, "cannot read the mask: %s", why);
        return mask;
    }
    size_t n = rp->n_post * rp->n_pre, bad = n;
    if (a.ndim != 2 || a.shape[0] != rp->n_post || a.shape[1] != rp->n_pre) {
        plan_fail(b, load, "the mask of %s must be [%zu, %zu] ([post, pre]), but the file holds a %s array",
                  rp->name, rp->n_post, rp->n_pre, rt_shape_text(a.shape, a.ndim, shape, sizeof shape));
        hint(b, "save it as numpy.save(\"m.npy\", M) with M.shape == (%zu, %zu)", rp->n_post, rp->n_pre);
        rt_array_free(&a);
        return mask;
    }
    for (size_t i = 0; i < n && bad == n; i++)
        if (a.data[i] != 0 && a.data[i] != 1)
            bad = i;
    if (bad < n) {
        plan_fail(b, load, "the mask of %s must hold only 0 (no connection) and 1 (a connection), but its "
                  "entry [%zu, %zu] is %g", rp->name, bad / rp->n_pre, bad % rp->n_pre, a.data[bad]);
        hint(b, "save it as integers or booleans, e.g. numpy.save(\"m.npy\", (M != 0).astype(numpy.uint8))");
    } else if (!mask && (mask = malloc(n ? n : 1)) != NULL) {
        for (size_t i = 0; i < n; i++)
            mask[i] = a.data[i] == 1;
    } else if (mask) {
        for (size_t i = 0; i < n; i++)
            mask[i] = mask[i] && a.data[i] == 1;
    } else {
        plan_fail(b, load, "out of memory");
    }
    rt_array_free(&a);
    return mask;
}

static int is_rule(const char *o)
{
    return strcmp(o, "all_to_all") == 0 || strcmp(o, "one_to_one") == 0 || strcmp(o, "fixed_probability") == 0 ||
           strcmp(o, "fixed_indegree") == 0 || strcmp(o, "fixed_outdegree") == 0 || strcmp(o, "load") == 0;
}

static void apply_option(builder *b, plan_proj *pp, rt_proj *rp, const ast_node *opt, unsigned index)
{
    const char *o = opt->name;
    const ast_node *value = opt->first;
    if (value && value->kind == AST_ARGS && strcmp(o, "bias") != 0 && strcmp(o, "bounds") != 0 &&
        strcmp(o, "dale") != 0 && value->first)
        value = value->first;
    if (strcmp(o, "init") == 0) {
        initializer(b, value, rp->n_pre, rp->n_post, &pp->init, &pp->init_file);
        if (pp->init_file)
            check_param_file(b, value, pp->init_file, rp, 0);
    } else if (strcmp(o, "bias") == 0) {
        pp->bias = rp->bias = 1;
        pp->bias_init = (rt_init){RT_INIT_ZEROS, 0, 0};
        const ast_node *v = value && value->kind == AST_ARGS ? value->first : value;
        const char *file = NULL;   /* the weights' file is pp->init_file; a bias has none */
        if (v)
            initializer(b, v, rp->n_pre, rp->n_post, &pp->bias_init, &file);
        if (file)
            check_param_file(b, v, pp->bias_file = file, rp, 1);
    } else if (strcmp(o, "no_autapses") == 0) {
        pp->connect.autapses = 0;   /* rule_connect's synapses, rule_mask's mask */
    } else if (strcmp(o, "mask") == 0) {
        pp->mask = mask_from_file(b, value, rp, pp->mask);
    } else if (strcmp(o, "spectral_radius") == 0) {
        pp->spectral_radius = plan_constant(b, value, "a spectral radius");
    } else if (strcmp(o, "dale") == 0) {
        pp->dale = dale_signs(b, opt, rp->n_pre);
    } else if (strcmp(o, "bounds") == 0) {
        const ast_node *lo = value && value->kind == AST_ARGS ? value->first : NULL;
        if (lo && lo->next) {
            pp->lo = plan_constant(b, lo, "a bound");
            pp->hi = plan_constant(b, lo->next, "a bound");
        }
    } else if (strcmp(o, "frozen") == 0) {
        pp->trainable = rp->trainable = 0;
        pp->training_at = opt;
    } else if (strcmp(o, "trainable") == 0) {
        pp->trainable = rp->trainable = 1;
        pp->training_at = opt;
    } else if (strcmp(o, "plasticity") == 0) {
        pp->plasticity = opt;   /* planned by plan_plasticity, once the run's learning is known */
    } else if (is_rule(o)) {
        rule_connect(b, opt, pp, rp, rt_rng_stream(RT_STREAM_MASK, index));
    } else if (strcmp(o, "delay") == 0) {
        rp->delay = delay_steps(b, value);
    } else if (strcmp(o, "storage") == 0) {
        /* pick_storage read it */
    } else if (strcmp(o, "autapses") != 0) {
        refuse_option(b, opt);
    }
}

/* What a feedback projection takes: its weights are fixed as initialised
 * and carry only e-prop's learning signal. */
static int feedback_option(const char *o)
{
    return is_rule(o) || strcmp(o, "init") == 0 || strcmp(o, "frozen") == 0 ||
           strcmp(o, "autapses") == 0 || strcmp(o, "no_autapses") == 0 || strcmp(o, "mask") == 0;
}

/* Whether the connections MASK allows among N neurons (NULL: all) contain
 * a cycle: without one the matrix is nilpotent whatever its weights, and
 * every eigenvalue is 0. Kahn's algorithm: repeatedly remove a neuron that
 * no remaining neuron projects to. */
static int has_cycle(builder *b, const unsigned char *mask, size_t n)
{
    if (!mask)
        return n > 0;
    size_t *indegree = calloc(n + 1, sizeof *indegree), *ready = malloc((n + 1) * sizeof *ready);
    size_t removed = 0, top = 0;
    if (!indegree || !ready) {
        free(indegree);
        free(ready);
        plan_fail(b, NULL, "out of memory");
        return 1;   /* the one error is that */
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            indegree[i] += mask[i * n + j] != 0;   /* j -> i */
    for (size_t i = 0; i < n; i++)
        if (indegree[i] == 0)
            ready[top++] = i;   /* each neuron enters READY once, so N places do */
    while (top > 0) {
        size_t j = ready[--top];
        removed++;
        for (size_t i = 0; i < n; i++)
            if (mask[i * n + j] && --indegree[i] == 0)
                ready[top++] = i;
    }
    free(indegree);
    free(ready);
    return removed < n;
}

/* The spectral radius of the [n][n] weights in FILE, masked and signed
 * as the runtime will (rt_weights.c); -1 when the file cannot be read
 * (check_weight_file says why). */
static double loaded_spectral_radius(const plan_proj *pp, const char *file, size_t n)
{
    rt_array a;
    char why[512];
    if (rt_npy_read(file, &a, why, sizeof why) != 0)
        return -1;
    double radius = -1;
    if (a.ndim == 2 && a.shape[0] == n && a.shape[1] == n) {
        for (size_t i = 0; i < n * n; i++)
            a.data[i] = pp->mask && !pp->mask[i] ? 0 : pp->dale ? pp->dale[i % n] * fabs(a.data[i]) : a.data[i];
        radius = rt_spectral_radius(a.data, n, why, sizeof why);
    }
    rt_array_free(&a);
    return radius;
}

/* spectral_radius(r) needs a matrix whose spectral radius is not 0: not
 * one the initialiser makes all zero (constant(0), normal(0, 0)), and not
 * one whose mask allows no cycle of connections (one_to_one with
 * no_autapses, a feedforward chain read by mask load). */
static void check_spectral_radius_possible(builder *b, const plan_proj *pp, const rt_proj *rp,
                                           const ast_node *first)
{
    const ast_node *opt = first;
    while (opt && strcmp(opt->name, "spectral_radius") != 0)
        opt = opt->next;
    if (!opt || rp->n_pre != rp->n_post)
        return;
    if (pp->init_file) {   /* a file of zeros, or a feedforward connectome */
        if (loaded_spectral_radius(pp, pp->init_file, rp->n_pre) == 0) {
            plan_fail(b, opt, "'spectral_radius' cannot rescale the weights of %s: those in the file, masked "
                      "and signed, have every eigenvalue 0", rp->name);
            hint(b, "a spectral radius needs loops of non-zero weights");
        }
        return;
    }
    const rt_init *in = &pp->init;
    int zero = in->kind == RT_INIT_ZEROS || (in->kind == RT_INIT_CONSTANT && in->a == 0) ||
               ((in->kind == RT_INIT_NORMAL || in->kind == RT_INIT_UNIFORM) && in->a == 0 && in->b == 0);
    if (zero) {
        plan_fail(b, opt, "'spectral_radius' cannot rescale the weights of %s: the initialiser makes them all 0",
                  rp->name);
        hint(b, "PsychRNN rescales Gaussian weights: 'init normal(0, 1), spectral_radius(1.1)'");
    } else if (!has_cycle(b, pp->mask, rp->n_pre)) {
        plan_fail(b, opt, "'spectral_radius' cannot rescale the weights of %s: its connections form no cycle, "
                  "so every eigenvalue is 0 whatever the weights", rp->name);
        hint(b, "a spectral radius needs loops: keep the autapses of 'one_to_one', or allow a cycle in the mask");
    }
}

/* The option NAME of a connect's options from FIRST, or NULL. */
static const ast_node *find_option(const ast_node *first, const char *name)
{
    for (const ast_node *opt = first; opt; opt = opt->next)
        if (strcmp(opt->name, name) == 0)
            return opt;
    return NULL;
}

/* What keeps a projection dense: an option that needs the whole matrix
 * (or NULL). */
static const char *needs_dense(const ast_node *first)
{
    const ast_node *init = find_option(first, "init");
    const ast_node *v = init && init->first ? (init->first->kind == AST_ARGS ? init->first->first : init->first) : NULL;
    if (find_option(first, "mask"))
        return "a mask file";
    if (find_option(first, "spectral_radius"))
        return "'spectral_radius'";
    if (find_option(first, "plasticity"))
        return "a plasticity rule";
    if (v && v->name && strcmp(v->name, "orthogonal") == 0)
        return "'init orthogonal'";
    if (v && v->name && strcmp(v->name, "load") == 0)
        return "weights from a file";
    return NULL;
}

/* Dense or sparse storage (docs/language.md 7.3). 'storage' says; else a
 * rule that connects at most a fifth of the pairs of a matrix of at least
 * 2^16 entries is sparse: its synapses alone are kept and propagated
 * event by event, while below that size a dense matrix costs little and
 * GEMM is fast. Whatever needs the whole matrix keeps it dense. */
static void pick_storage(builder *b, plan_proj *pp, rt_proj *rp, const ast_node *first, int is_feedback)
{
    const ast_node *storage = find_option(first, "storage");
    const char *dense_for = needs_dense(first);
    pp->storage_at = storage;
    pp->storage = PLAN_STORAGE_AUTO;
    if (storage && storage->first && storage->first->name)
        pp->storage = strcmp(storage->first->name, "sparse") == 0 ? PLAN_STORAGE_SPARSE : PLAN_STORAGE_DENSE;
    int sparse = pp->storage == PLAN_STORAGE_SPARSE;
    if (pp->storage == PLAN_STORAGE_AUTO)
        /* one_to_one from 16 neurons on: n synapses against n^2 cells (a
         * 200-neuron relay of the burstprop model was a tenth of its run) */
        sparse = pp->connect.kind != RT_CONNECT_ALL && !dense_for && !is_feedback &&
                 ((double)rp->n_pre * (double)rp->n_post >= 65536 ||
                  (pp->connect.kind == RT_CONNECT_ONE_TO_ONE && rp->n_pre >= 16)) &&
                 rt_connect_density(&pp->connect, rp->n_pre, rp->n_post) <= 0.2;
    else if (sparse && dense_for) {
        plan_fail(b, storage, "'storage sparse' with %s is not available yet: it needs the whole matrix", dense_for);
        hint(b, "remove 'storage sparse' (the projection is then dense), or remove %s", dense_for);
        sparse = 0;
    }
    rp->sparse = sparse ? &pp->connect : NULL;
}

/* fixed_indegree(k) or fixed_outdegree(k) with no_autapses: k of the n - 1
 * other neurons, so k = n cannot be drawn (sema allowed up to n). */
static void check_degree_without_autapses(builder *b, const plan_proj *pp, const rt_proj *rp, const ast_node *first)
{
    const rt_connect *c = &pp->connect;
    int in = c->kind == RT_CONNECT_FIXED_INDEGREE, out = c->kind == RT_CONNECT_FIXED_OUTDEGREE;
    size_t others = (in ? rp->n_pre : rp->n_post) - 1;
    if (c->autapses || !(in || out) || c->k <= others)
        return;
    plan_fail(b, find_option(first, in ? "fixed_indegree" : "fixed_outdegree"),
              "an %s-degree of %zu without autapses is more than the %zu other neurons", in ? "in" : "out", c->k,
              others);
    hint(b, "at most %zu, or allow autapses", others);
}

/* The rule first (the synapses or the mask), then the storage, then the
 * other options in order; a dense projection's mask is made last, when
 * no_autapses and a mask file are known. */
static void apply_options(builder *b, plan_proj *pp, rt_proj *rp, const ast_node *first, unsigned index,
                          int is_feedback)
{
    for (const ast_node *opt = first; opt; opt = opt->next)
        if (is_rule(opt->name))
            apply_option(b, pp, rp, opt, index);
    pick_storage(b, pp, rp, first, is_feedback);
    if (!weights_fit(b, rp, pp))
        return;
    for (const ast_node *opt = first; opt; opt = opt->next) {
        if (is_rule(opt->name))
            continue;
        if (is_feedback && !feedback_option(opt->name)) {
            plan_fail(b, opt, "'%s' on a feedback projection is not available yet: feedback weights stay "
                         "as initialised and carry only the learning signal", opt->name);
            hint(b, "a feedback takes a rule, 'init' and 'frozen'");
            continue;
        }
        apply_option(b, pp, rp, opt, index);
    }
    check_degree_without_autapses(b, pp, rp, first);
    if (!rp->sparse)
        pp->mask = rule_mask(b, first ? first : b->p->net, pp, rp, pp->mask);
    if (!is_feedback)
        check_spectral_radius_possible(b, pp, rp, first);
}

/* connect h.m -> ...: the runtime sends a population's first output, so the
 * member must be that output (or the state or spike it is). */
static void check_source_member(builder *b, const ast_node *from, unsigned pop, rt_proj *rp)
{
    const neuron_ir *n = &b->p->neurons[pop];
    const char *member = from->first->name;
    if (n->n_outputs == 0 || strcmp(member, n->output_names[0]) == 0)
        return;
    int state = b->p->pops[pop].output_state[0];
    if (state >= 0 && strcmp(n->state_names[state], member) == 0)
        return;
    if (has_spike(b->p, pop) && strcmp(n->state_names[n->spike_state], member) == 0)
        return;
    /* another member: in a run that learns no gradient, whose backward pass
     * would carry the first output's adjoint only */
    const plan_settings *s = &b->p->settings;
    const char *learn = s->learn;
    if (!s->train || strcmp(learn, "local") == 0 || strcmp(learn, "none") == 0) {
        for (unsigned o = 0; o < n->n_outputs; o++)
            if (strcmp(n->output_names[o], member) == 0) {
                rp->send_output = o;
                return;
            }
        for (unsigned k = 0; k < n->n_states; k++)
            if (n->state_names[k] && strcmp(n->state_names[k], member) == 0) {
                rp->send_state = (int)k + 1;
                return;
            }
    }
    plan_fail(b, from->first, "sending '%s.%s' in a network trained by gradient is not available yet: a "
                         "projection sends its population's first output, '%s'", from->name, member,
                         n->output_names[0]);
    hint(b, "write '%s' without a member, or make '%s' the neuron's first output (with 'learn local' or "
            "in an evaluate run, any state or output may be sent)", from->name, member);
}

/* A connect, or a feedback (the learning signal's path, not activity: its
 * weights are kept apart, in p->feedback). */
static const ast_node *pop_node(const plan *p, unsigned pop)
{
    for (const ast_node *n = p->net->first; n; n = n->next)
        if (n->kind == AST_POP && strcmp(n->name, p->pops[pop].name) == 0)
            return n;
    return p->net;
}

/* The population whose size makes projection RP's weights big: the larger
 * side (the post one for an input's). */
static unsigned weights_population(const plan *p, const rt_proj *rp)
{
    return rp->pre_pop >= 0 && p->pops[rp->pre_pop].n > p->pops[rp->post_pop].n ? (unsigned)rp->pre_pop
                                                                               : rp->post_pop;
}

/* Whether projection RP's weights fit in memory: dense, the weights, their
 * transpose and gradient and a connection mask; sparse, each synapse's
 * post index, weight and gradient (the expected count). Checked before a
 * mask of [post][pre] or the synapses are made, so a population too big is
 * refused, not killed. */
static int weights_fit(builder *b, const rt_proj *rp, const plan_proj *pp)
{
    plan *p = b->p;
    double elem = p->is_double ? 8.0 : 4.0, cells = (double)rp->n_post * (double)rp->n_pre;
    double bytes = rp->sparse ? cells * rt_connect_density(&pp->connect, rp->n_pre, rp->n_post) * (4 + 2 * elem)
                              : cells * (1 + 3 * elem);
    char err[256];
    if (rt_memory_fits(bytes, err, sizeof err) == 0)
        return 1;
    unsigned big = weights_population(p, rp);
    plan_fail(b, pop_node(p, big), "the %s of '%s' alone are %zu x %zu%s, which need %s",
              rp->sparse ? "synapses" : "weights", rp->name, rp->n_post, rp->n_pre,
              rp->sparse ? " at this density" : "", err);
    hint(b, rp->sparse ? "a smaller population '%s', or fewer connections" : "a smaller population '%s'",
         p->pops[big].name);
    return 0;
}

static void add_projection(builder *b, const ast_node *n)
{
    plan *p = b->p;
    int is_feedback = n->op == 1;
    unsigned *count = is_feedback ? &p->n_feedback : &p->n_projs;
    if (*count == RT_MAX_PROJS) {
        plan_fail(b, n, "more than %d projections", RT_MAX_PROJS);
        return;
    }
    const ast_node *from = n->first, *to = from->next;
    unsigned j = (*count)++;
    plan_proj *pp = is_feedback ? &p->feedback[j] : &p->projs[j];
    rt_proj *rp = is_feedback ? &p->rt_feedback[j] : &p->rt_projs[j];
    memset(pp, 0, sizeof *pp);
    memset(rp, 0, sizeof *rp);
    pp->lo = -INFINITY;
    pp->hi = INFINITY;
    pp->trainable = rp->trainable = 1;
    pp->init = (rt_init){RT_INIT_NORMAL, 0, 0};   /* replaced below; default N(0, 1/sqrt(fan_in)) */
    pp->pre_name = from->name;
    pp->post_name = to->name;
    rp->pre_input = plan_find_input(p, from->name);
    rp->pre_pop = plan_find_pop(p, from->name);
    int post = plan_find_pop(p, to->name);
    if (post < 0 || (rp->pre_input < 0 && rp->pre_pop < 0)) {
        plan_fail(b, n, "a projection must go from an input or population to a population");
        return;
    }
    rp->post_pop = (unsigned)post;
    rp->n_post = p->pops[post].n;
    rp->n_pre = rp->pre_pop >= 0 ? p->pops[rp->pre_pop].n : p->input_sizes[rp->pre_input];
    pp->named_port = !is_feedback && to->first ? to->first->name : NULL;
    rp->name = pp->named_port ? arena_printf(&p->fe->arena, "%s -> %s.%s", from->name, to->name, pp->named_port)
                              : arena_printf(&p->fe->arena, "%s %s %s", from->name, is_feedback ? "~>" : "->",
                                             to->name);
    pp->init.b = 1 / sqrt((double)rp->n_pre);
    pp->connect = (rt_connect){.kind = RT_CONNECT_ALL, .autapses = 1, .seed = p->settings.seed,
                               .stream = rt_rng_stream(RT_STREAM_MASK, is_feedback ? RT_MAX_PROJS + j : j)};
    if (is_feedback) {   /* no port: it carries no activity */
        pp->trainable = rp->trainable = 0;
        apply_options(b, pp, rp, to->next, RT_MAX_PROJS + j, 1);
        return;
    }
    const neuron_ir *nir = &p->neurons[post];
    const char *port = to->first ? to->first->name : NULL;
    rp->port = 0;
    for (unsigned q = 0; port && q < nir->n_ports; q++)
        if (strcmp(nir->port_names[q], port) == 0)
            rp->port = q;
    if (nir->n_ports == 0) {
        plan_fail(b, n, "population '%s' has no input port to connect to", to->name);
        return;
    }
    pp->port_name = nir->port_names[rp->port];
    if (rp->pre_pop >= 0 && from->first)
        check_source_member(b, from, (unsigned)rp->pre_pop, rp);
    apply_options(b, pp, rp, to->next, j, 0);
}

/* Whether analysis A reads the weights of projection J as a matrix:
 * eigen of it, the fixed points of its post population (rt_fp_map.c),
 * the degradation of its pre population (rt_analyze_batches.c). */
static int analysis_reads_weights(const rt_analysis_desc *a, const rt_proj *rp, unsigned j)
{
    return (a->kind == RT_ANALYSIS_EIGEN && a->proj == j) ||
           (a->kind == RT_ANALYSIS_FIXED_POINTS && rp->post_pop == a->pop) ||
           (a->kind == RT_ANALYSIS_DEGRADATION && rp->pre_pop == (int)a->pop);
}

/* Projections that e-prop's random feedback or a plasticity rule passes
 * through, and those the analyses read as matrices, are dense: one the
 * plan made sparse becomes dense with its mask; one written 'storage
 * sparse' is an error (at the analysis, for those). */
static void dense_for_analyses(builder *b)
{
    plan *p = b->p;
    for (unsigned j = 0; j < p->n_projs; j++) {
        rt_proj *rp = &p->rt_projs[j];
        plan_proj *pp = &p->projs[j];
        if (rp->sparse && (rp->feedback || rp->plastic)) {   /* e-prop's random feedback, a local rule: dense */
            if (pp->storage == PLAN_STORAGE_SPARSE) {
                plan_fail(b, pp->storage_at, "'storage sparse' on %s is not available yet: %s needs its matrix",
                          rp->name, rp->feedback ? "e-prop's feedback through it" : "its plasticity rule");
                hint(b, "remove 'storage sparse'");
                continue;
            }
            rp->sparse = NULL;
            pp->mask = rule_mask(b, p->net, pp, rp, pp->mask);
        }
        for (unsigned i = 0; rp->sparse && i < p->n_analyses; i++) {
            if (!analysis_reads_weights(&p->analyses[i], rp, j))
                continue;
            if (pp->storage == PLAN_STORAGE_SPARSE) {
                plan_fail(b, p->analysis_at[i], "this analysis reads the weights of %s as a matrix, which is "
                          "not available yet for its 'storage sparse'", rp->name);
                hint(b, "remove 'storage sparse' from the connect (line %u)", (unsigned)pp->storage_at->loc.line);
                break;
            }
            rp->sparse = NULL;
            pp->mask = rule_mask(b, p->analysis_at[i], pp, rp, pp->mask);
        }
    }
}

/* ------------------------------------------------------------ the network */

/* The inputs and populations, then (if every population could be built)
 * the projections between them. */
static void read_network(builder *b)
{
    plan *p = b->p;
    int failed_before = b->failed;
    for (const ast_node *n = p->net->first; n; n = n->next) {
        if (n->kind == AST_CHANNELS) {
            for (const ast_node *c = n->first; c && p->n_inputs < RT_MAX_INPUTS; c = c->next) {
                p->input_names[p->n_inputs] = c->name;
                p->input_sizes[p->n_inputs++] = c->first ? (size_t)plan_constant(b, c->first, "an input's size") : 1;
            }
        } else if (n->kind == AST_POP) {
            add_pop(b, n);
        }
    }
    if (b->failed != failed_before)
        return;
    for (const ast_node *n = p->net->first; n; n = n->next)
        if (n->kind == AST_CONNECT)
            add_projection(b, n);
    if (p->n_readouts == 0 && p->settings.train)
        plan_fail(b, p->net, "network '%s' has no readout to compare with the task's target", p->net->name);
}

static int has_spike(const plan *p, unsigned pop)
{
    const neuron_ir *n = &p->neurons[pop];
    return n->spike_state >= 0 && n->n_outputs > 0 && n->out[0] == n->next[n->spike_state];
}

/* With e-prop's random feedback, each feedback projection must carry the
 * learning signal of a projection the other way; one that none goes
 * through would be accepted and ignored. (BPTT and symmetric feedback use
 * none: a network with feedback may be trained by either rule.) */
static void check_feedback_used(builder *b)
{
    plan *p = b->p;
    unsigned f = 0;
    for (const ast_node *n = p->net->first; n && f < p->n_feedback; n = n->next) {
        if (n->kind != AST_CONNECT || n->op != 1)
            continue;
        int used = 0;
        for (unsigned j = 0; j < p->n_projs; j++)
            used |= p->proj_feedback[j] == (int)f;
        f++;
        if (!used) {
            const char *from = n->first->name, *to = n->first->next->name;
            plan_fail(b, n, "'feedback %s -> %s' carries no learning signal: network '%s' has no "
                       "projection %s -> %s from a population to the readout", from, to, p->net->name,
                 to, from);
            hint(b, "e-prop's feedback runs from a readout back to a population that projects to it");
        }
    }
}

/* The regularize argument named NAME ("l2", "l2_rate"), for messages. */
static const ast_node *regulariser_node(const plan *p, const char *name)
{
    for (const ast_node *r = plan_setting(p, "regularize"); r; r = r->next)
        if (r->name && strcmp(r->name, name) == 0)
            return r;
    return plan_setting(p, "regularize");
}

/* PsychRNN's L2 regularisers: of the weights, on every trained
 * projection (biases excluded); of the firing rates, on every population
 * that is not a readout and does not spike. */
static void l2_regularisers(builder *b)
{
    plan *p = b->p;
    const plan_settings *s = &p->settings;
    unsigned trained = 0, rated = 0;
    for (unsigned j = 0; j < p->n_projs && s->l2_c > 0; j++)
        if (p->rt_projs[j].trainable) {
            p->rt_projs[j].l2_c = s->l2_c;
            trained++;
        }
    if (s->l2_c > 0 && !trained) {
        plan_fail(b, regulariser_node(p, "l2"), "'regularize l2' acts on the trained projections' weights, "
             "and every projection of network '%s' is frozen", p->net->name);
        hint(b, "remove it, or train a projection");
    }
    for (unsigned i = 0; i < p->n_pops && s->l2_rate_c > 0; i++)
        if (!p->pop_readout[i] && !has_spike(p, i)) {
            p->pops[i].rate_l2_c = s->l2_rate_c;
            rated++;
        }
    if (s->l2_rate_c > 0 && !rated) {
        plan_fail(b, regulariser_node(p, "l2_rate"), "'regularize l2_rate' acts on the firing rates of "
             "populations that do not spike, and network '%s' has none besides its readouts", p->net->name);
        hint(b, "for spiking populations, 'rate(c = ..., f_target = ...)' regularises the firing rate");
    }
}

/* How learning signals travel. BPTT: back through every projection.
 * e-prop (Bellec et al. 2020): only from readouts, through the readout
 * weights transposed ('symmetric') or through the network's feedback
 * projection from the readout ('random', the default when there is one);
 * recurrent and feed-forward paths between populations are dropped, so
 * each neuron's own dynamics filter its learning signal (DESIGN section 4).
 * And the firing-rate regulariser on the populations that spike. */
static void learning_paths(builder *b)
{
    plan *p = b->p;
    plan_settings *s = &p->settings;
    int eprop = strcmp(s->learn, "eprop") == 0;
    const char *feedback = s->feedback ? s->feedback : p->n_feedback ? "random" : "symmetric";
    for (unsigned j = 0; j < p->n_projs; j++) {
        rt_proj *rp = &p->rt_projs[j];
        p->proj_feedback[j] = -1;
        if (!eprop)
            continue;
        rp->no_backprop = !p->pop_readout[rp->post_pop];
        if (rp->no_backprop || rp->pre_pop < 0 || strcmp(feedback, "random") != 0)
            continue;
        for (unsigned f = 0; f < p->n_feedback; f++)   /* feedback y -> h for h -> y */
            if (p->rt_feedback[f].pre_pop == (int)rp->post_pop &&
                p->rt_feedback[f].post_pop == (unsigned)rp->pre_pop)
                p->proj_feedback[j] = (int)f;
        if (p->proj_feedback[j] < 0) {
            plan_fail(b, plan_setting(p, "learn"), "e-prop with random feedback needs a 'feedback %s -> %s' "
                 "projection in network '%s' for the learning signal (or 'eprop(feedback = symmetric)')",
                 p->pops[rp->post_pop].name, p->pops[rp->pre_pop].name, p->net->name);
            return;
        }
        rp->feedback = 1;
    }
    if (eprop && s->updates > 0 && strcmp(feedback, "random") == 0)
        check_feedback_used(b);
    if (s->rate_c > 0) {
        unsigned regularised = 0;
        for (unsigned i = 0; i < p->n_pops; i++)
            if (!p->pop_readout[i] && has_spike(p, i)) {
                p->pops[i].rate_c = s->rate_c;
                p->pops[i].rate_target = s->rate_f_target * p->dt;
                regularised++;
            }
        if (!regularised)
            plan_fail(b, plan_setting(p, "regularize"), "'regularize rate' acts on populations that spike "
                 "(and send their spike), and network '%s' has none", p->net->name);
    }
    l2_regularisers(b);
}

/* Network inputs meet task inputs, readouts meet targets: by name, else in
 * order. The task's condition channel is neither. */
static int match_channel(const plan *p, const char *name, int is_target, unsigned position)
{
    int c = task_channel_index(&p->task, name);
    if (c >= 0 && p->task.channels[c].is_target == is_target)
        return c;
    unsigned seen = 0;
    for (unsigned k = 0; k < p->task.n_channels; k++)
        if (!p->task.channels[k].is_condition && !p->task.channels[k].is_phase &&
            p->task.channels[k].is_target == is_target &&
            seen++ == position)
            return (int)k;
    return -1;
}

static void match_task(builder *b)
{
    plan *p = b->p;
    for (unsigned i = 0; i < p->n_inputs; i++) {
        int c = p->input_channel[i] = match_channel(p, p->input_names[i], 0, i);
        if (c < 0 || p->task.channels[c].size != p->input_sizes[i])
            plan_fail(b, p->run, "the network's input '%s' has no task input of the same size",
                 p->input_names[i]);
    }
    for (unsigned r = 0; r < p->n_readouts; r++) {
        const rt_pop *pop = &p->pops[p->readouts[r]];
        int c = p->target_channel[r] = match_channel(p, pop->name, 1, r);
        if (c < 0 || p->task.channels[c].size != pop->n)
            plan_fail(b, p->run, "the readout '%s' has no task target of the same size", pop->name);
    }
}

/* ------------------------------------------------------------ kernels */

/* The forward and adjoint kernels of population I, named SUFFIX. */
static void kernel_specs(plan *p, unsigned i, const char *suffix, kernel_spec *specs, char (*names)[96])
{
    neuron_ir *n = &p->neurons[i];
    /* forward: outputs next states then outputs, in one array (adjacent in args) */
    ir_ref *fwd = arena_alloc(&p->fe->arena, (n->n_states + n->n_outputs + 1) * sizeof *fwd);
    ir_ref *adj = arena_alloc(&p->fe->arena, (n->n_states + n->n_ports + 1) * sizeof *adj);
    memcpy(fwd, n->next, n->n_states * sizeof *fwd);
    memcpy(fwd + n->n_states, n->out, n->n_outputs * sizeof *fwd);
    for (unsigned o = 0; o < n->n_outputs; o++)
        if (p->pops[i].output_state[o] >= 0)
            fwd[n->n_states + o] = KERNEL_NO_STORE;   /* the state's store writes it */
    memcpy(adj, n->adj_state, n->n_states * sizeof *adj);
    memcpy(adj + n->n_states, n->adj_port, n->n_ports * sizeof *adj);
    for (unsigned d = 0; d < n->n_draws; d++)   /* nothing reads a draw's adjoint */
        adj[n->n_states + n->n_ports - n->n_draws + d] = KERNEL_NO_STORE;
    snprintf(names[0], sizeof names[0], "rnnc_%s_%s_forward%s", p->pops[i].name, n->neuron, suffix);
    snprintf(names[1], sizeof names[1], "rnnc_%s_%s_adjoint%s", p->pops[i].name, n->neuron, suffix);
    specs[0] = (kernel_spec){names[0], &n->g, n->n_states + n->n_ports, fwd, n->n_states + n->n_outputs, NULL};
    specs[1] = (kernel_spec){names[1], &n->g, 2 * n->n_states + n->n_ports + n->n_outputs, adj,
                             n->n_states + n->n_ports, NULL};
}

/* One compilation's times added to the plan's (compile_ms counts both the
 * run's kernels and the double-precision ones), its cache verdict merged
 * (a miss if either missed) and a cache warning given once. */
static void add_timings(plan *p, const codegen_timings *tm)
{
    p->timings.build_ms += tm->build_ms;
    p->timings.optimize_ms += tm->optimize_ms;
    p->timings.emit_ms += tm->emit_ms;
    if (tm->cache == CODEGEN_CACHE_MISS || p->timings.cache == CODEGEN_CACHE_OFF)
        p->timings.cache = tm->cache;
    if (tm->warning[0] && !p->timings.warning[0]) {
        snprintf(p->timings.warning, sizeof p->timings.warning, "%s", tm->warning);
        diag_warning(&p->fe->diag, (src_loc){0, 0, 0, 0}, "%s", tm->warning);
    }
}

/* The double-precision kernels the analyses need (fixed points need q
 * near 1e-12, below float's rounding): the run's own in a float64 run,
 * else compiled once more. */
static int compile_kernels64(builder *b)
{
    plan *p = b->p;
    kernel_spec specs[2 * RT_MAX_POPS];
    char names[2 * RT_MAX_POPS][96];
    unsigned count = 0, which[RT_MAX_POPS];
    for (unsigned i = 0; i < p->n_pops; i++)
        if (p->wants_f64[i] && !p->is_double) {
            kernel_specs(p, i, "64", specs + 2 * count, names + 2 * count);
            which[count++] = i;
        }
    codegen_timings tm;
    char err[512];
    if (count && !(p->cg64 = codegen_compile(specs, 2 * count, 1, p->kernels64, NULL, &tm, err, sizeof err))) {
        plan_fail(b, NULL, "cannot compile the double-precision kernels: %s", err);
        return -1;
    }
    if (count)
        add_timings(p, &tm);
    for (unsigned k = 0; k < count; k++) {
        p->pops[which[k]].forward64 = p->kernels64[2 * k];
        p->pops[which[k]].adjoint64 = p->kernels64[2 * k + 1];
    }
    for (unsigned i = 0; i < p->n_pops && p->is_double; i++)
        if (p->wants_f64[i]) {
            p->pops[i].forward64 = p->pops[i].forward;
            p->pops[i].adjoint64 = p->pops[i].adjoint;
        }
    return 0;
}

/* The run's kernels, compiled on a thread while the plan goes on: the task's
 * check trials (task_check_trials) take as long as LLVM for some tasks, and
 * the two are independent. The thread reads the neurons' graphs, which
 * nothing changes once the network is read, and writes only the job. */
typedef struct kernel_job {
    kernel_spec specs[2 * RT_MAX_POPS + 3 * RT_MAX_PLASTIC];   /* the populations', then the rules' */
    char names[2 * RT_MAX_POPS + 3 * RT_MAX_PLASTIC][96];
    unsigned n;
    int is_double, threaded;
    FILE *emit_ir;
    pthread_t thread;
    codegen *cg;
    rt_kernel kernels[2 * RT_MAX_POPS + 3 * RT_MAX_PLASTIC];
    codegen_timings timings;
    char err[512];
} kernel_job;

static void *run_kernel_job(void *arg)
{
    kernel_job *job = arg;
    job->cg = codegen_compile(job->specs, job->n, job->is_double, job->kernels, job->emit_ir, &job->timings,
                              job->err, sizeof job->err);
    return NULL;
}

static void start_kernels(plan *p, FILE *emit_ir)
{
    kernel_job *job = calloc(1, sizeof *job);
    if (!job)
        return;   /* compile_kernels reports it */
    for (unsigned i = 0; i < p->n_pops; i++)
        kernel_specs(p, i, "", job->specs + 2 * i, job->names + 2 * i);
    job->n = 2 * p->n_pops;
    job->n += plan_rule_kernels(p, job->specs + job->n, job->names + job->n);
    job->is_double = p->is_double;
    job->emit_ir = emit_ir;
    job->threaded = pthread_create(&job->thread, NULL, run_kernel_job, job) == 0;
    if (!job->threaded)
        run_kernel_job(job);   /* no thread to be had: compile here */
    p->job = job;
}

/* Waits for the job; its compiled kernels, or NULL with the error in ERR. */
static codegen *finish_kernels(plan *p, char *err, size_t err_size)
{
    kernel_job *job = p->job;
    if (!job) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (job->threaded)
        pthread_join(job->thread, NULL);
    codegen *cg = job->cg;
    if (cg) {
        memcpy(p->kernels, job->kernels, sizeof p->kernels);
        p->timings = (codegen_timings){.cache = job->timings.cache};
        add_timings(p, &job->timings);
    } else {
        snprintf(err, err_size, "%s", job->err);
    }
    free(job);
    p->job = NULL;
    return cg;
}

static int compile_kernels(builder *b, FILE *emit_ir)
{
    plan *p = b->p;
    char err[512];
    p->cg = finish_kernels(p, err, sizeof err);
    if (!p->cg) {
        plan_fail(b, NULL, "cannot compile the kernels: %s", err);
        return -1;
    }
    plan_rule_kernels_found(p, p->kernels + 2 * p->n_pops);
    for (unsigned i = 0; i < p->n_pops; i++) {
        p->pops[i].forward = p->kernels[2 * i];
        p->pops[i].adjoint = p->kernels[2 * i + 1];
    }
    return emit_ir ? 0 : compile_kernels64(b);
}

/* ------------------------------------------------------------ the runtime's description */

/* One trial of the task: the task engine is the run's trial source. */
static int generate_trial(void *ctx, uint64_t seed, uint64_t trial, double *const *channels, double *mask,
                          double *scratch, char *err, size_t err_size)
{
    const plan *p = ctx;
    return task_generate(&p->task, seed, trial, channels, mask, scratch, err, err_size);
}

static void describe_task(plan *p, rt_run_desc *r)
{
    for (unsigned c = 0; c < p->task.n_channels; c++) {
        const task_channel *tc = &p->task.channels[c];
        rt_channel_role role = tc->is_condition ? RT_CHANNEL_CONDITION
                               : tc->is_phase   ? RT_CHANNEL_PHASE
                               : tc->is_target  ? RT_CHANNEL_TARGET
                                                : RT_CHANNEL_INPUT;
        p->channels[c] = (rt_channel){tc->name, tc->size, role};
    }
    r->task = (rt_trial_source){.steps = p->task.steps, .n_channels = p->task.n_channels,
                                .channels = p->channels,
                                .scratch_doubles = (size_t)TASK_SCRATCH_SIGNALS * p->task.steps,
                                .trial_invariant = p->task.trial_invariant, .ctx = p,
                                .generate = generate_trial, .n_phases = p->task.n_phases,
                                .phase_names = p->task.phase_names};
    r->input_channel = p->input_channel;
    r->target_channel = p->target_channel;
    r->condition_channel = task_condition_channel(&p->task);
    r->phase_channel = task_phase_channel(&p->task);
    r->accuracy = p->task.accuracy ? p->task.accuracy_kind : RT_ACCURACY_NONE;
    r->accuracy_phase = p->task.accuracy_phase;
    r->accuracy_level = p->task.accuracy_level;
    r->accuracy_readout = -1;
    for (unsigned k = 0; k < p->n_readouts && p->task.accuracy; k++)
        if (strcmp(p->task.channels[p->target_channel[k]].name, p->task.accuracy_target) == 0)
            r->accuracy_readout = (int)k;
}

static rt_weights_desc weights_desc(const plan_proj *pp, const char *stem)
{
    return (rt_weights_desc){.file_stem = stem, .init = pp->init, .init_file = pp->init_file,
                             .bias_init = pp->bias_init, .bias_file = pp->bias_file, .mask = pp->mask, .dale = pp->dale, .lo = pp->lo,
                             .hi = pp->hi, .spectral_radius = pp->spectral_radius};
}

/* "x_h", or "x_h_I_r" for a connect that names a port. */
const char *plan_file_stem(plan *p, const plan_proj *pp)
{
    return pp->named_port ? arena_printf(&p->fe->arena, "%s_%s_%s", pp->pre_name, pp->post_name, pp->named_port)
                          : arena_printf(&p->fe->arena, "%s_%s", pp->pre_name, pp->post_name);
}

static void describe(plan *p)
{
    rt_run_desc *r = &p->desc;
    memset(r, 0, sizeof *r);
    r->net = (rt_net_desc){p->n_inputs, p->input_sizes, p->n_pops, p->pops, p->n_projs, p->rt_projs,
                           p->n_readouts, p->readouts, p->is_double,
                           p->settings.class_weights ? p->settings.readout_class_weights : NULL,
                           .forward_only = !p->settings.train};
    for (unsigned j = 0; j < p->n_projs; j++)
        p->weights[j] = weights_desc(&p->projs[j], plan_file_stem(p, &p->projs[j]));
    for (unsigned f = 0; f < p->n_feedback; f++)
        p->feedback_weights[f] = weights_desc(&p->feedback[f], plan_file_stem(p, &p->feedback[f]));
    r->weights = p->weights;
    r->n_feedback = p->n_feedback;
    r->feedback = p->rt_feedback;
    r->feedback_weights = p->feedback_weights;
    r->proj_feedback = p->proj_feedback;
    r->dt = p->dt;
    describe_task(p, r);
    const plan_settings *s = &p->settings;
    r->settings = (rt_train_settings){s->seed, s->train, s->batch, s->updates, s->updates_per_epoch,
                                      s->eval_trials, s->loss_kind, s->optim, s->early_stop, s->threads,
                                      s->continuous, s->loss_every, s->update_every, s->save_synapses};
    r->n_records = p->n_records;
    r->records = p->records;
    r->n_analyses = p->n_analyses;
    r->analyses = p->analyses;
    r->n_plastic = p->n_plastic;
    r->plastic = p->plastic;
}

/* A run that cannot fit in memory is refused here, before anything is
 * allocated or a results folder made, at what makes it big: the larger
 * population of the largest projection when its weights are most of it,
 * else the batch. */
static void check_memory(builder *b)
{
    plan *p = b->p;
    describe(p);
    rt_memory_parts m;
    char err[512];
    if (rt_run_memory_check(&p->desc, &m, err, sizeof err) == 0)
        return;
    if (p->n_projs && m.largest_proj_bytes > m.bytes[RT_MEM_HISTORIES] + m.bytes[RT_MEM_TRIALS]) {
        const rt_proj *pr = &p->rt_projs[m.largest_proj];
        unsigned big = weights_population(p, pr);
        size_t n_pre = pr->pre_pop >= 0 ? p->pops[pr->pre_pop].n : p->input_sizes[pr->pre_input];
        plan_fail(b, pop_node(p, big), "%s; the weights of '%s' alone are %zu x %zu", err, pr->name,
             p->pops[pr->post_pop].n, n_pre);
        hint(b, "a smaller population '%s'", p->pops[big].name);
        return;
    }
    const ast_node *batch = plan_setting(p, "batch");
    plan_fail(b, batch ? batch : p->run, "%s, for a batch of %zu trials of %zu steps", err, p->settings.batch,
         p->task.steps);
    hint(b, "a smaller batch: each trial's histories take the same memory");
}

/* The step: 1 ms unless the run says otherwise. */
static void read_dt(builder *b)
{
    plan *p = b->p;
    const ast_node *dt = plan_setting(p, "dt");
    double v = 1e-3;
    if (dt && (!const_value(dt, NULL, &v) || !(v > 0))) {   /* no dt yet: 'step' counts */
        plan_fail(b, dt, "'dt' must be a positive constant time");
        v = 1e-3;
    }
    p->dt = v;
}

/* A model runs one train or evaluate, its root file's first; a later one
 * would be checked and never run. */
static void refuse_second_run(builder *b)
{
    const ast_node *first = b->p->run;
    for (const ast_node *n = first->next; n; n = n->next)
        if (n->kind == AST_TRAIN || n->kind == AST_EVALUATE) {
            plan_fail(b, n, "a second run ('%s') in one model is not available yet: a model runs its "
                       "first 'train' or 'evaluate', at line %u", n->kind == AST_TRAIN ? "train" : "evaluate",
                 (unsigned)first->loc.line);
            hint(b, "put it in a file of its own; a 'train' evaluates the trained network on "
                    "'trials' held-out trials after training");
        }
}

/* The order of the plan, and which parts wait for which: the settings, the
 * network and the task are read independently (each reports its own
 * errors); the learning paths need the settings and the network, and the
 * matching of channels all three. */
void plan_check(frontend *fe, const frontend_options *opts)
{
    const ast_node *run = plan_find_run(fe);
    if (!run) {
        plan_check_tasks(fe);
        return;
    }
    plan p;
    plan_prepare(&p, fe, opts, run, plan_model_seed(opts, run));
    plan_free(&p);
}

int plan_check_tasks(frontend *fe)
{
    unsigned before = fe->diag.errors;
    for (const ast_node *n = fe->root ? fe->root->first : NULL; n; n = n->next) {
        if (n->kind != AST_TASK)
            continue;
        task_program tp;
        if (task_prepare(&tp, fe, n, 1e-3, 1) == 0)
            task_check_trials(&tp, &fe->diag);
        task_free(&tp);
    }
    return fe->diag.errors > before ? -1 : 0;
}

/* plan_prepare; with COMPILE the kernels start compiling (start_kernels)
 * as soon as the network is known, EMIT_IR receiving their IR. */
static int prepare(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run, uint64_t seed,
                   int compile, FILE *emit_ir)
{
    memset(p, 0, sizeof *p);
    p->fe = fe;
    p->opts = opts;
    p->run = run;
    builder b = {.p = p};
    double start = now_ms();
    p->net = frontend_find_def(fe, run->name);
    read_dt(&b);
    p->is_double = strcmp(choice_setting(p, "precision", "float32"), "float64") == 0;
    read_settings(&b, seed);
    if (p->net)
        read_network(&b);
    if (!b.failed)
        learning_paths(&b);
    if (!b.failed)
        plan_plasticity(&b);
    if (!b.failed && compile)
        start_kernels(p, emit_ir);
    if (task_prepare(&p->task, fe, run->first, p->dt, seed) != 0)
        b.failed++;
    /* 'trial' numbers the training samples, then the evaluation trials: in
     * an evaluate run those from 0 */
    p->task.samples = p->settings.train ? (uint64_t)(p->settings.updates_per_epoch * p->settings.batch) : 0;
    if (!b.failed && task_check_trials(&p->task, &fe->diag) != 0)
        b.failed++;
    if (!b.failed)
        match_task(&b);
    if (!b.failed)
        plan_check_loss(&b);
    if (!b.failed)
        plan_outputs(&b);
    if (!b.failed)
        dense_for_analyses(&b);
    if (!b.failed)
        check_memory(&b);
    refuse_second_run(&b);
    p->lower_ms = now_ms() - start;
    return b.failed ? -1 : 0;
}

int plan_prepare(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run, uint64_t seed)
{
    return prepare(p, fe, opts, run, seed, 0, NULL);
}

int plan_build(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run,
               uint64_t seed, FILE *emit_ir)
{
    double start = now_ms();
    if (prepare(p, fe, opts, run, seed, 1, emit_ir) != 0) {
        if (p->job) {   /* the model has errors: its kernels are not wanted */
            char err[512];
            codegen_free(finish_kernels(p, err, sizeof err));
            p->timings = (codegen_timings){0};
        }
        return -1;
    }
    builder b = {.p = p};
    if (compile_kernels(&b, emit_ir) != 0)
        return -1;
    p->build_ms = now_ms() - start;
    describe(p);
    return 0;
}

const ast_node *plan_find_run(const frontend *fe)
{
    for (const ast_node *n = fe->root ? fe->root->first : NULL; n; n = n->next)
        if (n->kind == AST_TRAIN || n->kind == AST_EVALUATE)
            return n;
    return NULL;
}

uint64_t plan_model_seed(const frontend_options *opts, const ast_node *run)
{
    const ast_node *value = NULL;
    for (unsigned i = 0; i < opts->define_count && !value; i++)
        if (opts->defines[i].expr && strcmp(opts->defines[i].name, "seed") == 0)
            value = opts->defines[i].expr;
    for (const ast_node *s = run->first->next; s && !value; s = s->next)
        if (strcmp(s->name, "seed") == 0)
            value = s->first;
    double v;
    return value && const_value(value, NULL, &v) ? (uint64_t)v : 1;
}

void plan_free(plan *p)
{
    for (unsigned i = 0; i < p->n_pops; i++)
        neuron_ir_free(&p->neurons[i]);
    for (unsigned k = 0; k < p->n_plastic; k++)
        rule_ir_free(&p->rules[k]);
    for (unsigned j = 0; j < p->n_projs; j++) {
        free(p->projs[j].mask);
        free(p->projs[j].list);
        free(p->projs[j].dale);
    }
    for (unsigned j = 0; j < p->n_feedback; j++) {
        free(p->feedback[j].mask);
        free(p->feedback[j].list);
        free(p->feedback[j].dale);
    }
    codegen_free(p->cg);
    codegen_free(p->cg64);
    task_free(&p->task);
    memset(p, 0, sizeof *p);
}

