/* plan_internal.h -- what the files of the plan share while it is built
 * (plan.c, plan_outputs.c); not for the plan's users. */
#ifndef RNNC_PLAN_INTERNAL_H
#define RNNC_PLAN_INTERNAL_H

#include "plan.h"

typedef struct builder {
    plan *p;
    int failed;                     /* errors so far, each on p->fe->diag */
    diag *last;                     /* the latest, for hint() */
    const ast_node *unlowered[RT_MAX_POPS];   /* neurons whose lowering failed, reported once */
    unsigned n_unlowered;
} builder;

/* An error at AT (NULL: none in the source), on the front end's
 * diagnostics: the build fails with it. */
void plan_fail(builder *b, const ast_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The value of the constant E of the run ('step' worth its dt); an error
 * "WHAT must be a constant" at E, and 0, when it is not one. */
double plan_constant(builder *b, const ast_node *e, const char *what);

/* The index of population or network input NAME, or -1. */
int plan_find_pop(const plan *p, const char *name);
int plan_find_input(const plan *p, const char *name);

/* The stem of a projection's file names (runtime/rt_files.h). */
const char *plan_file_stem(plan *p, const plan_proj *pp);

/* plan_outputs.c: the model's 'record' and 'analyze' lines as the
 * runtime's record and analysis descriptions, checked against the network
 * (so an analysis that cannot run is refused before training). */
void plan_outputs(builder *b);

/* plan_plastic.c: the connects' plasticity rules lowered against their
 * neurons, the projections they change made plastic (and not trained by
 * gradient); 'learn local' checked. */
void plan_plasticity(builder *b);
/* The rules' kernels appended to SPECS (names in NAMES): how many. */
unsigned plan_rule_kernels(plan *p, kernel_spec *specs, char (*names)[96]);
/* ... and the compiled ones, in the same order, into the rules' descriptions. */
void plan_rule_kernels_found(plan *p, const rt_kernel *kernels);

#endif
