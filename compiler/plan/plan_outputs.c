/* plan_outputs.c -- 'record' and 'analyze' lines as the runtime's record
 * and analysis descriptions (see plan_internal.h).
 *
 * Everything an output needs is resolved here, against the built network,
 * with an error at the line that asks for it: which population, state or
 * output and which neurons a signal_ref names, which projection an analysis
 * means, whether the analysis can run on it at all (a square matrix for
 * eigen, a rate population fed only by itself for fixed points). What
 * cannot be recorded yet (projections over the trial) is refused, never
 * skipped.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"

/* What a recorded or analysed expression names: h (its first output), h.r
 * (a state or an output), either with neurons selected (h.v[0:10], h.v[3]);
 * for a record also a network input x, x[0:2]. */
typedef struct signal_ref {
    unsigned pop;
    int input;                      /* or >= 0: the network input */
    int state;                      /* or -1: output OUTPUT */
    unsigned output;
    size_t lo, width;
    char name[160];                 /* h, h_r, h_r_0_10: names its files */
} signal_ref;

/* The member M of population I: a state, else an output; 0, or -1. */
static int find_member(const plan *p, unsigned i, const char *m, signal_ref *s)
{
    const neuron_ir *n = &p->neurons[i];
    for (unsigned o = 0; o < n->n_outputs; o++)
        if (strcmp(n->output_names[o], m) == 0) {
            s->output = o;
            return 0;
        }
    for (unsigned k = 0; k < n->n_states; k++)
        if (strcmp(n->state_names[k], m) == 0) {
            s->state = (int)k;
            return 0;
        }
    return -1;
}

static long whole(builder *b, const ast_node *e)
{
    int before = b->failed;
    double v = plan_constant(b, e, "a neuron index");
    if (b->failed == before && v != floor(v))
        plan_fail(b, e, "a neuron index must be a whole number, not %g", v);
    return b->failed == before ? (long)v : -1;
}

/* The neurons an index selects, [first, end). */
static int selection(builder *b, const ast_node *idx, size_t n, long *first, long *end)
{
    *first = 0;
    *end = (long)n;
    if (!idx)
        return 0;
    if (idx->kind == AST_SLICE) {
        const ast_node *k = idx->first;
        if (idx->op & 1) {
            *first = whole(b, k);
            k = k->next;
        }
        if (idx->op & 2)
            *end = whole(b, k);
    } else {
        *first = whole(b, idx);
        *end = *first + 1;
    }
    if (b->failed)
        return -1;
    if (*first < 0 || *end > (long)n || *first >= *end) {
        plan_fail(b, idx, "neurons %ld to %ld are outside the population (size %zu)", *first, *end, n);
        return -1;
    }
    return 0;
}

/* E as a signal_ref; WHAT ("record", "analyze pca") for the messages. */
static int resolve_signal(builder *b, const ast_node *e, signal_ref *s, const char *what)
{
    plan *p = b->p;
    memset(s, 0, sizeof *s);
    s->state = -1;
    s->input = -1;
    const ast_node *target = e->kind == AST_INDEX ? e->first : e;
    const ast_node *base = target->kind == AST_MEMBER ? target->first : target;
    if (e->kind == AST_ARROW) {
        plan_fail(b, e, "%s of a projection's weights over the trial is not available yet; its weights before "
                        "and after training are in weights_initial_*.npy and weights_final_*.npy", what);
        return -1;
    }
    if (base->kind != AST_NAME) {
        plan_fail(b, e, "%s takes a population's state or output, such as h.v", what);
        return -1;
    }
    int i = plan_find_pop(p, base->name), in = plan_find_input(p, base->name);
    if (i < 0 && in >= 0 && strcmp(what, "recording") == 0 && target->kind == AST_NAME) {
        long first, end;
        if (selection(b, e->kind == AST_INDEX ? e->first->next : NULL, p->input_sizes[in], &first, &end) != 0)
            return -1;
        s->input = in;
        s->lo = (size_t)first;
        s->width = (size_t)(end - first);
        int n = snprintf(s->name, sizeof s->name, "%s", base->name);
        if (s->width < p->input_sizes[in] && n > 0 && (size_t)n < sizeof s->name)
            snprintf(s->name + n, sizeof s->name - (size_t)n, "_%zu_%zu", s->lo, s->lo + s->width);
        return 0;
    }
    if (i < 0) {
        if (in >= 0)   /* a member of an input is refused by sema */
            plan_fail(b, e, "%s of a network input ('%s') is not available yet; the evaluation's inputs are in "
                            "eval_inputs.npy", what, base->name);
        else
            plan_fail(b, e, "'%s' is not a population of network '%s'", base->name, p->net->name);
        return -1;
    }
    s->pop = (unsigned)i;
    if (target->kind == AST_MEMBER && find_member(p, s->pop, target->name, s) != 0) {
        plan_fail(b, target, "neuron '%s' of population '%s' has no state or output '%s'", p->neurons[i].neuron,
                  base->name, target->name);
        return -1;
    }
    long first, end;
    if (selection(b, e->kind == AST_INDEX ? e->first->next : NULL, p->pops[i].n, &first, &end) != 0)
        return -1;
    s->lo = (size_t)first;
    s->width = (size_t)(end - first);
    int n = target->kind == AST_MEMBER ? snprintf(s->name, sizeof s->name, "%s_%s", base->name, target->name)
                                       : snprintf(s->name, sizeof s->name, "%s", base->name);
    if (s->width < p->pops[i].n && n > 0 && (size_t)n < sizeof s->name)
        snprintf(s->name + n, sizeof s->name - (size_t)n, "_%zu_%zu", s->lo, s->lo + s->width);
    return 0;
}

/* ------------------------------------------------------------ record */

/* Whether the signal_ref is a spike variable: the spike state, or an output that is it. */
static int is_spike(const plan *p, const signal_ref *s)
{
    const neuron_ir *n = &p->neurons[s->pop];
    if (n->spike_state < 0)
        return 0;
    return s->state == n->spike_state || (s->state < 0 && n->out[s->output] == n->next[n->spike_state]);
}

/* 'every N' in steps (a time is divided by the step). */
static size_t record_every(builder *b, const ast_node *rec)
{
    for (const ast_node *e = rec->first; e; e = e->next) {
        if (e->kind != AST_EVERY || !e->first)
            continue;
        double v = plan_constant(b, e->first, "'every'");
        if (e->first->dim.known && e->first->dim.e[DIM_TIME] == 1)
            v /= b->p->dt;
        return v >= 1 ? (size_t)lround(v) : 1;
    }
    return 1;
}

/* The unit R is written in: the one its state or output is declared in
 * (neuron_ir's state_unit), else SI, named when the dimension is known
 * (a derived state in V/s), with no name for a plain number or a spike. */
static void record_unit(plan *p, const signal_ref *s, rt_record_desc *r)
{
    const neuron_ir *n = &p->neurons[s->pop];
    const unit_def *u = s->state >= 0 ? n->state_unit[s->state] : n->output_unit[s->output];
    if (u) {
        r->unit_scale = u->scale;
        r->unit = u->name;
        return;
    }
    dim_t d = s->state >= 0 ? n->state_dim[s->state] : n->output_dim[s->output];
    if (d.known && !dim_is_one(d)) {
        char name[64];
        r->unit = arena_printf(&p->fe->arena, "%s", dim_si_name(d, name, sizeof name));
    }
}

static void add_record(builder *b, const ast_node *e, size_t every, int training)
{
    plan *p = b->p;
    signal_ref s;
    if (resolve_signal(b, e, &s, "recording") != 0)
        return;
    for (unsigned i = 0; i < p->n_records; i++)
        if (strcmp(p->records[i].name, s.name) == 0) {
            char item[256];
            ast_format(e, item, sizeof item);
            plan_fail(b, e, "'%s' is recorded twice (also at line %u); once is enough: both would write "
                      "record_%s.npy", item, p->record_at[i]->loc.line, s.name);
            return;
        }
    if (p->n_records == RT_MAX_RECORDS) {
        plan_fail(b, e, "more than %d recorded signals", RT_MAX_RECORDS);
        return;
    }
    p->record_at[p->n_records] = e;
    rt_record_desc *r = &p->records[p->n_records++];
    *r = (rt_record_desc){.name = arena_printf(&p->fe->arena, "%s", s.name), .pop = s.pop, .is_input = s.input >= 0,
                          .input = s.input >= 0 ? (unsigned)s.input : 0,
                          .state = s.state, .output = s.output, .lo = s.lo, .width = s.width, .every = every,
                          .unit_scale = 1, .training = training};
    if (s.input < 0) {
        r->spikes = is_spike(p, &s);
        record_unit(p, &s, r);
    }
}

/* ------------------------------------------------------------ analyze */

static const ast_node *positional(const ast_node *call, unsigned k)
{
    for (const ast_node *a = call->first ? call->first->first : NULL; a; a = a->next)
        if (a->kind != AST_NAMEDARG && k-- == 0)
            return a;
    return NULL;
}

static const ast_node *named(const ast_node *call, const char *name)
{
    for (const ast_node *a = call->first ? call->first->first : NULL; a; a = a->next)
        if (a->kind == AST_NAMEDARG && strcmp(a->name, name) == 0)
            return a->first;
    return NULL;
}

static double number(builder *b, const ast_node *e, double fallback)
{
    return e ? plan_constant(b, e, "an analysis' argument") : fallback;
}

/* A list argument's values, else the defaults. */
static size_t levels(builder *b, const ast_node *call, const char *name, double *out, const double *defaults,
                     size_t n_defaults)
{
    const ast_node *v = named(call, name);
    size_t n = 0;
    if (!v) {
        memcpy(out, defaults, n_defaults * sizeof *out);
        return n_defaults;
    }
    for (const ast_node *e = v->kind == AST_LIST ? v->first : v; e; e = v->kind == AST_LIST ? e->next : NULL) {
        if (n == RT_MAX_LEVELS) {
            plan_fail(b, e, "more than %d levels", RT_MAX_LEVELS);
            break;
        }
        out[n++] = number(b, e, 0);
    }
    return n;
}

/* The projection an arrow names: pre -> post, or pre -> post.PORT. */
static int find_projection(builder *b, const ast_node *arrow)
{
    plan *p = b->p;
    const ast_node *to = arrow ? arrow->first->next : NULL;
    if (!arrow || arrow->kind != AST_ARROW) {
        plan_fail(b, arrow ? arrow : NULL, "name a projection, such as h -> h");
        return -1;
    }
    const char *pre = arrow->first->name, *post = to->kind == AST_MEMBER ? to->first->name : to->name;
    const char *port = to->kind == AST_MEMBER ? to->name : NULL;
    int found = -1, count = 0;
    for (unsigned j = 0; j < p->n_projs; j++)
        if (strcmp(p->projs[j].pre_name, pre) == 0 && strcmp(p->projs[j].post_name, post) == 0 &&
            (!port || strcmp(p->projs[j].port_name, port) == 0)) {
            found = (int)j;
            count++;
        }
    if (count == 0)
        plan_fail(b, arrow, "network '%s' has no projection %s -> %s%s%s", p->net->name, pre, post, port ? "." : "",
                  port ? port : "");
    else if (count > 1)
        plan_fail(b, arrow, "%s -> %s is %d projections, to different ports of '%s'; name one as %s -> %s.PORT",
                  pre, post, count, post, pre, post);
    return count == 1 ? found : -1;
}

static void analyze_eigen(builder *b, const ast_node *call, rt_analysis_desc *a)
{
    int j = find_projection(b, positional(call, 0));
    if (j < 0)
        return;
    const rt_proj *rp = &b->p->rt_projs[j];
    if (rp->n_pre != rp->n_post)
        plan_fail(b, positional(call, 0), "the weights of %s are %zu x %zu; eigenvalues need a square matrix (a "
                  "projection between populations of one size)", rp->name, rp->n_post, rp->n_pre);
    a->proj = (unsigned)j;
    a->name = plan_file_stem(b->p, &b->p->projs[j]);
}

static void analyze_components(builder *b, const ast_node *call, rt_analysis_desc *a)
{
    signal_ref s;
    const ast_node *arg = positional(call, 0);
    if (!arg || resolve_signal(b, arg, &s, a->kind == RT_ANALYSIS_PCA ? "analyze pca" : "analyze svd") != 0)
        return;
    double k = number(b, positional(call, 1), 3);
    if (!(k >= 1) || k != floor(k))
        plan_fail(b, positional(call, 1) ? positional(call, 1) : call, "the number of components must be a whole number from 1");
    else if (k > (double)s.width)
        plan_fail(b, positional(call, 1), "%s of %zu neuron%s has at most %zu component%s, not %g", call->name,
                  s.width, s.width > 1 ? "s" : "", s.width, s.width > 1 ? "s" : "", k);
    a->pop = s.pop;
    a->state = s.state;
    a->output = s.output;
    a->lo = s.lo;
    a->width = s.width;
    a->k = k >= 1 ? (size_t)k : 1;
    a->name = arena_printf(&b->p->fe->arena, "%s", s.name);
}

/* A population named by the first argument. */
static int analysed_pop(builder *b, const ast_node *call)
{
    const ast_node *arg = positional(call, 0);
    int i = arg && arg->kind == AST_NAME ? plan_find_pop(b->p, arg->name) : -1;
    if (i < 0)
        plan_fail(b, arg ? arg : call, "%s() names a population of network '%s'", call->name, b->p->net->name);
    return i;
}

/* fixed_points(h, inputs = PHASE): the number of the task's phase PHASE
 * (from 1), over which the inputs are held at their mean; 0 with an error. */
static unsigned inputs_phase(builder *b, const ast_node *v)
{
    const task_program *tp = &b->p->task;
    const char *task = tp->def ? tp->def->name : "";
    diag_ctx *dc = &b->p->fe->diag;
    if (tp->n_phases == 0) {
        plan_fail(b, v, "inputs = %s holds the inputs at their mean over a phase of the task, but task '%s' has "
                  "no phases", v->name, task);
        diag_hint(dc, b->last, "without 'inputs', fixed_points(h) holds the inputs at 0");
        return 0;
    }
    for (unsigned k = 0; k < tp->n_phases; k++)
        if (strcmp(tp->phase_names[k], v->name) == 0)
            return k + 1;
    plan_fail(b, v, "task '%s' has no phase '%s'", task, v->name);
    diag_suggest(dc, b->last, v->name, tp->phase_names, tp->n_phases);
    if (!b->last->hint) {
        char list[512];
        size_t at = 0;
        for (unsigned k = 0; k < tp->n_phases && at < sizeof list; k++)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "", tp->phase_names[k]);
        diag_hint(dc, b->last, "its phases: %s", list);
    }
    return 0;
}

/* What fixed_points(h) cannot do: a spiking population, or one fed by
 * another (its fixed points are those of the pair, not of h alone). */
static void analyze_fixed_points(builder *b, const ast_node *call, rt_analysis_desc *a)
{
    plan *p = b->p;
    int i = analysed_pop(b, call);
    if (i < 0)
        return;
    const char *name = p->pops[i].name;
    const neuron_ir *ni = &p->neurons[i];
    if (ni->spike_state >= 0)
        plan_fail(b, positional(call, 0), "'%s' spikes; fixed points are defined for rate populations", name);
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (rp->post_pop == (unsigned)i && rp->pre_pop >= 0 && rp->pre_pop != i)
            plan_fail(b, positional(call, 0), "'%s' brings in another population; the fixed points of '%s' alone "
                      "need it to be fed only by itself and the network's inputs", rp->name, name);
    }
    if (3 * ni->n_states + 2 * ni->n_ports + ni->n_outputs > 256)
        plan_fail(b, positional(call, 0), "the neuron of '%s' has too many states, inputs and outputs for "
                  "fixed_points (limit 256 arrays)", name);
    double n = number(b, named(call, "n"), 256);
    if (!(n >= 1) || n != floor(n))
        plan_fail(b, named(call, "n") ? named(call, "n") : call, "'n' (the initial states) must be a whole number from 1");
    a->pop = (unsigned)i;
    a->n_points = n >= 1 ? (size_t)n : 1;
    a->tol = number(b, named(call, "tol"), 0);
    if (named(call, "inputs"))
        a->inputs_phase = inputs_phase(b, named(call, "inputs"));
    a->name = name;
    p->wants_f64[i] = 1;
}

static void analyze_curve(builder *b, const ast_node *call, rt_analysis_desc *a)
{
    static const double noise[] = {0, 0.05, 0.1, 0.2, 0.5, 1}, fractions[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
    if (a->kind == RT_ANALYSIS_ROBUSTNESS) {
        a->n_levels = levels(b, call, "noise", a->levels, noise, 6);
        a->name = "robustness";
        return;
    }
    int i = analysed_pop(b, call);
    a->n_levels = levels(b, call, "fractions", a->levels, fractions, 6);
    for (size_t k = 0; k < a->n_levels; k++)
        if (!(a->levels[k] >= 0 && a->levels[k] <= 1))
            plan_fail(b, named(call, "fractions") ? named(call, "fractions") : call, "a fraction of units is between 0 and 1, not %g", a->levels[k]);
    a->pop = i >= 0 ? (unsigned)i : 0;
    a->name = i >= 0 ? b->p->pops[i].name : "";
}

/* What a psychometric curve needs of the task: a condition of one element
 * (the signed coherence, say) to group trials by, and an accuracy that
 * says what each trial chose (runtime/rt_accuracy.h); all but argmax
 * (sign, mean_sign, threshold) read the choice from one element only. */
static void analyze_psychometric(builder *b, const ast_node *call, rt_analysis_desc *a)
{
    const task_program *tp = &b->p->task;
    const char *task = tp->def ? tp->def->name : "";
    int c = task_condition_channel(tp);
    a->name = "psychometric";
    if (c < 0) {
        plan_fail(b, call, "analyze psychometric groups trials by the task's condition, but task '%s' has no "
                  "'condition' statement", task);
        diag_hint(&b->p->fe->diag, b->last, "give each trial its signed evidence, e.g. 'condition side * c' in "
                  "task '%s'", task);
    } else if (tp->channels[c].size != 1) {
        plan_fail(b, call, "analyze psychometric needs a condition of one value per step, but the condition of "
                  "task '%s' has %zu elements", task, tp->channels[c].size);
        diag_hint(&b->p->fe->diag, b->last, "a condition such as 'condition side * c' gives one value");
    }
    if (!tp->accuracy) {
        plan_fail(b, call, "analyze psychometric counts each trial's choice and correctness from the task's "
                  "accuracy, but task '%s' has no 'accuracy' statement", task);
        diag_hint(&b->p->fe->diag, b->last, "add e.g. 'accuracy sign(y)' to task '%s'", task);
        return;
    }
    int t = task_channel_index(tp, tp->accuracy_target);
    if (tp->accuracy_kind != RT_ACCURACY_ARGMAX && t >= 0 && tp->channels[t].size != 1) {
        const char *how = tp->accuracy->name ? tp->accuracy->name : "sign";
        plan_fail(b, call, "analyze psychometric reads a choice from a %s accuracy only on a one-element target, "
                  "but %s has %zu elements", how, tp->accuracy_target, tp->channels[t].size);
        diag_hint(&b->p->fe->diag, b->last, "'accuracy argmax(%s) in PHASE' chooses among %s's elements (the "
                  "curve counts the last one), or a one-element target whose sign is the answer",
                  tp->accuracy_target, tp->accuracy_target);
    }
}

/* One row per analysis the language names (compiler/check/builtins.c has
 * their arguments): the runtime's kind and how its description is built. */
static const struct {
    const char *name;
    rt_analysis_kind kind;
    void (*build)(builder *b, const ast_node *call, rt_analysis_desc *a);
} analysis_table[] = {
    {"eigen", RT_ANALYSIS_EIGEN, analyze_eigen},
    {"pca", RT_ANALYSIS_PCA, analyze_components},
    {"svd", RT_ANALYSIS_SVD, analyze_components},
    {"fixed_points", RT_ANALYSIS_FIXED_POINTS, analyze_fixed_points},
    {"robustness", RT_ANALYSIS_ROBUSTNESS, analyze_curve},
    {"degradation", RT_ANALYSIS_DEGRADATION, analyze_curve},
    {"psychometric", RT_ANALYSIS_PSYCHOMETRIC, analyze_psychometric},
};

static void add_analysis(builder *b, const ast_node *call)
{
    plan *p = b->p;
    unsigned row = 0, rows = sizeof analysis_table / sizeof *analysis_table;
    while (row < rows && strcmp(analysis_table[row].name, call->name) != 0)
        row++;
    if (row == rows) {
        plan_fail(b, call, "analysis '%s' is not available in this version", call->name);
        return;
    }
    if (p->n_analyses == RT_MAX_ANALYSES) {
        plan_fail(b, call, "more than %d analyses", RT_MAX_ANALYSES);
        return;
    }
    rt_analysis_desc *a = &p->analyses[p->n_analyses];
    memset(a, 0, sizeof *a);
    a->kind = analysis_table[row].kind;
    a->state = -1;
    unsigned before = (unsigned)b->failed;
    analysis_table[row].build(b, call, a);
    if ((unsigned)b->failed != before)
        return;
    for (unsigned i = 0; i < p->n_analyses; i++)   /* the same files and summary key twice */
        if (p->analyses[i].kind == a->kind && strcmp(p->analyses[i].name, a->name) == 0) {
            char mine[256], other[256];
            ast_format(call, mine, sizeof mine);
            ast_format(p->analysis_at[i], other, sizeof other);
            if (strcmp(mine, other) == 0)
                plan_fail(b, call, "analyze %s is asked for twice; once is enough", mine);
            else
                plan_fail(b, call, "analyze %s writes the same files as %s (line %u); keep one", mine, other,
                          p->analysis_at[i]->loc.line);
            return;
        }
    p->analysis_at[p->n_analyses++] = call;
}

void plan_outputs(builder *b)
{
    for (const ast_node *n = b->p->fe->root->first; n; n = n->next) {
        if (n->kind == AST_RECORD) {
            size_t every = record_every(b, n);
            const ast_node *training = NULL;
            for (const ast_node *e = n->first; e; e = e->next)
                if (e->kind == AST_IN_TRAINING)
                    training = e;
            if (training && !b->p->settings.train) {
                plan_fail(b, training, "'in training' records during the training trials, and this run only "
                          "evaluates");
                continue;
            }
            for (const ast_node *e = n->first; e; e = e->next)
                if (e->kind != AST_EVERY && e->kind != AST_IN_TRAINING)
                    add_record(b, e, every, training != NULL);
        } else if (n->kind == AST_ANALYZE) {
            for (const ast_node *c = n->first; c; c = c->next)
                add_analysis(b, c);
        }
    }
}
