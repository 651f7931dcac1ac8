/* task_loss.c -- whether the loss can mean what it says on this network
 * and task.
 *
 * 'loss cross_entropy' takes a softmax over each readout's elements and
 * reads the readout's target as class probabilities. A readout of one
 * element has a softmax of 1 whatever its output, so nothing would be
 * learnt; class weights are one per element; and a negative target would
 * reward pushing a class's probability to 0 without bound. The targets are
 * checked on a few trials generated before training, as task_accuracy.c
 * checks the accuracy's.
 */
#include "task_loss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_gen.h"

/* As in task_accuracy.c: fixed, so the verdict does not depend on the run's seed. */
enum { CHECK_TRIALS = 64 };
#define CHECK_SEED UINT64_C(0)

/* A negative target value on a counted step, or none (trial < 0). */
typedef struct target_scan {
    long trial;
    size_t step, element;
    double value;
    size_t counted;                 /* counted steps whose weighted target is positive */
} target_scan;

static const char *readout_name(const plan *p, unsigned r)
{
    return p->pops[p->readouts[r]].name;
}

/* Readout sizes and class weights; 0 when both fit. */
static int check_sizes(builder *b, const ast_node *at)
{
    plan *p = b->p;
    plan_settings *s = &p->settings;
    int bad = 0;
    for (unsigned r = 0; r < p->n_readouts; r++) {
        size_t n = p->pops[p->readouts[r]].n;
        if (n == 1) {
            plan_fail(b, at, "'loss cross_entropy' takes a softmax over each readout's elements, and readout "
                      "'%s' has one: its softmax is 1 whatever the network does, so the loss could not fall",
                      readout_name(p, r));
            diag_hint(&p->fe->diag, b->last, "use 'loss mse' for one output, or a readout of two elements "
                      "or more, one per class (its target one-hot)");
            bad = 1;
        } else if (s->class_weights && s->n_class_weights != n) {
            plan_fail(b, s->class_weights_at, "cross_entropy has %zu class weight%s, but readout '%s' has %zu "
                      "elements", s->n_class_weights, s->n_class_weights == 1 ? "" : "s", readout_name(p, r), n);
            diag_hint(&p->fe->diag, b->last, "one weight per element of the readout, in order");
            bad = 1;
        } else {
            s->readout_class_weights[r] = s->class_weights;
        }
    }
    return bad;
}

/* Readout R's target on the counted steps of one generated trial. */
static void scan_trial(const plan *p, unsigned r, long trial, const double *target, const double *mask,
                       target_scan *out)
{
    size_t n = p->pops[p->readouts[r]].n;
    const double *w = p->settings.class_weights;
    for (size_t t = 0; t < p->task.steps; t++) {
        if (mask[t] == 0)
            continue;
        double weighted = 0;
        for (size_t k = 0; k < n; k++) {
            double v = target[t * n + k];
            if (v < 0 && out->trial < 0)
                *out = (target_scan){trial, t, k, v, out->counted};
            weighted += (w ? w[k] : 1) * v;
        }
        out->counted += weighted > 0;
    }
}

/* Trials 0 .. N-1 of the task, each readout's target scanned. 0, or -1
 * with task_generate's message in ERR. */
static int scan_targets(const plan *p, unsigned trials, target_scan *scan, char *err, size_t err_size)
{
    const task_program *tp = &p->task;
    size_t T = tp->steps, per_trial = T;
    for (unsigned k = 0; k < tp->n_channels; k++)
        per_trial += T * tp->channels[k].size;
    double *mem = malloc((per_trial + TASK_SCRATCH_SIGNALS * T) * sizeof *mem);
    if (!mem) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    double *mask = mem, *channel[RT_MAX_CHANNELS];
    size_t at = T;
    for (unsigned k = 0; k < tp->n_channels; k++) {
        channel[k] = mem + at;
        at += T * tp->channels[k].size;
    }
    int rc = 0;
    for (unsigned trial = 0; trial < trials && rc == 0; trial++) {
        rc = task_generate(tp, CHECK_SEED, trial, channel, mask, mem + per_trial, err, err_size);
        for (unsigned r = 0; rc == 0 && r < p->n_readouts; r++)
            scan_trial(p, r, trial, channel[p->target_channel[r]], mask, &scan[r]);
    }
    free(mem);
    return rc;
}

void plan_check_loss(builder *b)
{
    plan *p = b->p;
    if (p->settings.loss_kind != RT_LOSS_CROSS_ENTROPY)
        return;
    const ast_node *at = plan_setting(p, "loss");
    if (check_sizes(b, at))
        return;
    unsigned trials = p->task.trial_invariant ? 1 : CHECK_TRIALS;
    target_scan scan[RT_MAX_POPS];
    for (unsigned r = 0; r < p->n_readouts; r++)
        scan[r] = (target_scan){.trial = -1};
    char err[1024];
    if (scan_targets(p, trials, scan, err, sizeof err) != 0) {
        plan_fail(b, at, "the trials that check the loss cannot be made: %s", err);
        return;
    }
    const char *task = p->task.def->name;
    for (unsigned r = 0; r < p->n_readouts; r++) {
        const char *y = p->task.channels[p->target_channel[r]].name;
        if (scan[r].trial >= 0) {
            plan_fail(b, at, "'loss cross_entropy' reads target '%s' as class probabilities, but in trial %ld "
                      "of task '%s' %s[%zu] is %g at step %zu, where the mask counts it", y, scan[r].trial, task,
                      y, scan[r].element, scan[r].value, scan[r].step);
            diag_hint(&p->fe->diag, b->last, "its target is one-hot (1 on the right class, 0 elsewhere) or "
                      "probabilities, never negative; 'loss mse' takes targets of any sign");
        } else if (!scan[r].counted) {
            plan_fail(b, at, "'loss cross_entropy' counts no step of target '%s': in %u trial%s of task '%s', "
                      "%s%s is 0 wherever the mask is on", y, trials, trials > 1 ? "s" : "", task, y,
                      p->settings.class_weights ? " times the class weights" : "");
            diag_hint(&p->fe->diag, b->last, "a step counts where the mask is on and the target gives a class "
                      "a positive probability");
        }
    }
}
