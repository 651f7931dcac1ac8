/* analyze.h -- a model's 'analyze' lines, run on the trained network.
 *
 * After training and evaluation, each analysis of the model file runs in
 * turn and leaves .npy files in the results folder plus its numbers in a
 * JSON object for summary.json:
 *   eigen(a -> b)        eigenvalues of the weights before and after training
 *   pca(h.r, k), svd     principal components of the evaluation trajectories
 *   fixed_points(h)      fixed and slow points of h's dynamics with input 0
 *   robustness(noise=)   loss and accuracy with extra input noise
 *   degradation(h, fractions=)  loss and accuracy with units of h silenced
 * (docs/language.md section 12 gives the files and keys.)
 */
#ifndef RNNC_ANALYZE_H
#define RNNC_ANALYZE_H

#include "plan.h"
#include "rt_outdir.h"
#include "text.h"

/* What the analyses need of the training loop. */
typedef struct analyze_host {
    void *ctx;
    /* Runs the first evaluation batch (no extra noise), so the network's
     * histories hold it; TARGETS receives each readout's targets
     * ([steps][batch][n], network precision). 0 or -1 (message printed). */
    int (*first_batch)(void *ctx, const void *const **targets);
    /* Runs every evaluation batch with Gaussian noise of standard deviation
     * SIGMA added to every network input (drawn from stream KEY): the mean
     * loss and the accuracy (NAN when the task defines none). */
    int (*evaluate)(void *ctx, double sigma, uint64_t key, double *loss, double *accuracy);
} analyze_host;

/* Whether every analysis of P's model can run on its network (a square
 * matrix for eigen, a rate population fed only by itself for
 * fixed_points, ...), checked before training so a run is not lost at its
 * end. 0, or -1 with messages on stderr. */
int analyze_check(const plan *p);

/* Runs every analysis of P's model on NET (trained weights; the initial
 * ones are read back from OUT), writes their files into OUT and appends
 * "analysis": {...}, to JSON. 0, or -1 with a message on stderr. NET's
 * weights are as before when it returns. */
int analyze_network(plan *p, rt_net *net, const analyze_host *host, const rt_outdir *out, text *json);

/* The number of eval trials whose arrays are saved ([trial, ...] files). */
enum { ANALYZE_TRIALS_SAVED = 64 };

#endif
