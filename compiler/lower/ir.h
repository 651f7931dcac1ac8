/* ir.h -- the expression DAG: hash-consed, folded, differentiable.
 *
 * Neuron equations are lowered to this graph; the compiler derives the
 * Jacobians of a neuron's update (d s'/d s, d s'/d I) here, symbolically,
 * and code generation walks the result. Nodes are created only through the
 * constructors, which fold constants, apply algebraic identities and share
 * structurally equal nodes (common-subexpression elimination), so a node's
 * operands always precede it: index order is a valid evaluation order.
 */
#ifndef RNNC_IR_H
#define RNNC_IR_H

#include <stdint.h>
#include <stdio.h>

typedef uint32_t ir_ref;            /* a node of a graph, by index */

#define IR_OPS(X)                                                        \
    X(CONST, "const", 0) X(VAR, "var", 0)                                \
    X(ADD, "+", 2) X(SUB, "-", 2) X(MUL, "*", 2) X(DIV, "/", 2)           \
    X(POW, "^", 2) X(NEG, "neg", 1)                                      \
    X(EXP, "exp", 1) X(LOG, "log", 1) X(TANH, "tanh", 1)                 \
    X(SIGMOID, "sigmoid", 1) X(SIN, "sin", 1) X(COS, "cos", 1)           \
    X(SQRT, "sqrt", 1) X(ABS, "abs", 1) X(RELU, "relu", 1)               \
    X(HEAVISIDE, "heaviside", 1) X(SIGN, "sign", 1)                      \
    X(FLOOR, "floor", 1) X(ROUND, "round", 1)                            \
    X(MAX, "max", 2) X(MIN, "min", 2)                                    \
    X(LT, "<", 2) X(LE, "<=", 2) X(GT, ">", 2) X(GE, ">=", 2)            \
    X(EQ, "==", 2) X(NE, "!=", 2) X(AND, "and", 2) X(OR, "or", 2)         \
    X(NOT, "not", 1)                                                     \
    X(SELECT, "select", 3)          /* a != 0 ? b : c */                  \
    X(STOPGRAD, "stop_gradient", 1) /* a, with derivative 0 */            \
    X(SPIKE, "spike", 3)            /* a != 0, with derivative c * b' */

typedef enum ir_op {
#define X(op, text, arity) IR_##op,
    IR_OPS(X)
#undef X
    IR_OP_COUNT
} ir_op;

typedef struct ir_node {
    uint8_t op;
    ir_ref a, b, c;                 /* operands, by arity */
    double value;                   /* IR_CONST */
    uint32_t var;                   /* IR_VAR: the variable's index */
} ir_node;

typedef struct ir_graph {
    ir_node *nodes;
    uint32_t count, cap;
    ir_ref *table;                  /* hash-consing: open addressing over node indices + 1 */
    uint32_t table_cap;
} ir_graph;

void ir_init(ir_graph *g);
void ir_free(ir_graph *g);

ir_ref ir_const(ir_graph *g, double value);
ir_ref ir_var(ir_graph *g, uint32_t var);
ir_ref ir_unary(ir_graph *g, ir_op op, ir_ref a);
ir_ref ir_binary(ir_graph *g, ir_op op, ir_ref a, ir_ref b);
ir_ref ir_select(ir_graph *g, ir_ref cond, ir_ref then_value, ir_ref else_value);

/* A spike: 1 where COND holds, else 0. Its derivative is the surrogate
 * PSI times the derivative of ARG, the spike condition's margin (v - v_th
 * for 'v > v_th'), so a threshold that moves (ALIF's A = v_th + beta a)
 * passes its own share: dz = psi (dv - beta da). */
ir_ref ir_spike(ir_graph *g, ir_ref cond, ir_ref arg, ir_ref psi);

/* d e / d (variable VAR), simplified. Comparisons, heaviside and sign have
 * derivative zero, and so has stop_gradient: a spike's derivative comes from
 * its surrogate (ir_spike), written in the neuron, not from here. */
ir_ref ir_diff(ir_graph *g, ir_ref e, uint32_t var);
/* OUT[i] = d E[i] / d VAR for the K expressions E, each node they share
 * differentiated once. */
void ir_diff_many(ir_graph *g, const ir_ref *e, unsigned k, uint32_t var, ir_ref *out);

/* The value of E given the variables' values (indexed by variable). */
double ir_eval(const ir_graph *g, ir_ref e, const double *vars);

int ir_is_const(const ir_graph *g, ir_ref e, double value);
const char *ir_op_name(ir_op op);
int ir_arity(ir_op op);
/* Writes E as an infix expression, variables as v0, v1, ... */
void ir_print(const ir_graph *g, ir_ref e, FILE *out);

#endif
