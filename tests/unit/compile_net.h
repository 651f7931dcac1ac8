/* compile_net.h -- a network compiled from .rnn text by the real pipeline
 * (front end, plan, JIT), with its runtime buffers and initial weights:
 * what the gradient tests start from. */
#ifndef RNNC_TEST_COMPILE_NET_H
#define RNNC_TEST_COMPILE_NET_H

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

#endif
