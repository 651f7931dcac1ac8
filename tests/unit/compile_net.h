/* compile_net.h -- a network compiled from .rnn text by the real pipeline
 * (front end, plan, JIT), with its runtime buffers and initial weights:
 * what the gradient tests start from. */
#ifndef RNNC_TEST_COMPILE_NET_H
#define RNNC_TEST_COMPILE_NET_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Checks TEXT, plans its 'train' with SEED and builds the network for the
 * plan's batch and trial length. 0, or -1 with the diagnostics printed. */
static int compile_net(frontend *fe, frontend_options *opts, plan *p, rt_net **net, const char *text,
                       uint64_t seed)
{
    frontend_init(fe);
    opts->stdlib_dir = RNNC_STDLIB_DIR;
    if (frontend_check_text(fe, "test.rnn", text, strlen(text), opts) != 0) {
        diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    const ast_node *run = NULL;
    for (const ast_node *n = fe->root->first; n; n = n->next)
        if (n->kind == AST_TRAIN)
            run = n;
    if (plan_build(p, fe, opts, run, seed, NULL) != 0) {
        diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    *net = rt_net_new(&p->desc.net, p->settings.batch, p->task.steps);
    char err[256];
    if (!*net || rt_weights_init(&p->desc, *net, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", *net ? err : "out of memory");
        return -1;
    }
    return 0;
}

/* The worst relative difference between the backward pass's gradient of
 * every weight of NET's N_PROJS projections and central differences of
 * the MSE against TARGETS (h 1e-5, relative to max(|fd|, 1e-3); float64):
 * the forward pass, the loss and the backward pass are run here first. */
static inline double fd_worst_error(rt_net *net, unsigned n_projs, const void *const *targets)
{
    rt_net_forward(net);
    rt_net_mse(net, targets, NULL);
    rt_net_backward(net);
    double worst = 0;
    for (unsigned j = 0; j < n_projs; j++) {
        size_t count = rt_net_weight_count(net, j);
        double *w = rt_net_weights(net, j), *grad = malloc(count * sizeof *grad);
        memcpy(grad, rt_net_weight_grad(net, j), count * sizeof *grad);
        for (size_t i = 0; i < count; i++) {
            double keep = w[i], h = 1e-5;
            w[i] = keep + h;
            rt_net_forward(net);
            double up = rt_net_mse(net, targets, NULL);
            w[i] = keep - h;
            rt_net_forward(net);
            double down = rt_net_mse(net, targets, NULL);
            w[i] = keep;
            double fd = (up - down) / (2 * h);
            worst = fmax(worst, fabs(fd - grad[i]) / fmax(fabs(fd), 1e-3));
        }
        free(grad);
    }
    return worst;
}

#endif
