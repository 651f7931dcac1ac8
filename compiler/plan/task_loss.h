/* task_loss.h -- whether the run's loss can be computed on its network and
 * task (task_loss.c). */
#ifndef RNNC_TASK_LOSS_H
#define RNNC_TASK_LOSS_H

#include "plan_internal.h"

/* For 'loss cross_entropy': every readout has two elements or more, the
 * class weights (if any) one per element, and the targets of a few trials
 * generated with a fixed seed are class probabilities (never negative) on
 * the steps that count, with at least one step that counts. Errors at the
 * 'loss' setting (or its weights); the readouts' class weights are set in
 * the plan's settings. */
void plan_check_loss(builder *b);

#endif
