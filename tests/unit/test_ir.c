/* test_ir.c -- the expression DAG and its symbolic derivatives.
 *
 * Derivatives are checked against central finite differences,
 * (f(x + h) - f(x - h)) / 2h with h = 1e-6 max(1, |x|), whose error is of
 * order h^2 f''' + eps/h, about 1e-10 here: agreement to 1e-6 relative shows
 * the symbolic rule is right. Points are chosen away from the kinks of
 * abs, relu, max and min, where the two-sided difference is undefined.
 */
#include "check.h"
#include "ir.h"

enum { V, I, Z, NVARS };   /* variables: a membrane value, an input, a spike */

static double numeric_derivative(const ir_graph *g, ir_ref e, const double *point, unsigned var)
{
    double x[NVARS];
    memcpy(x, point, sizeof x);
    double h = 1e-6 * (fabs(point[var]) > 1 ? fabs(point[var]) : 1);
    x[var] = point[var] + h;
    double up = ir_eval(g, e, x);
    x[var] = point[var] - h;
    double down = ir_eval(g, e, x);
    return (up - down) / (2 * h);
}

static void check_gradient(ir_graph *g, ir_ref e, const char *what)
{
    static const double points[][NVARS] = {
        {0.021, 0.4, 0.0}, {-0.37, 1.3, 1.0}, {1.7, -0.8, 0.0}, {0.0452, 0.05, 1.0},
    };
    for (unsigned p = 0; p < sizeof points / sizeof points[0]; p++)
        for (unsigned var = 0; var < NVARS; var++) {
            ir_ref d = ir_diff(g, e, var);
            double symbolic = ir_eval(g, d, points[p]);
            double numeric = numeric_derivative(g, e, points[p], var);
            double scale = fabs(numeric) > 1 ? fabs(numeric) : 1;
            if (fabs(symbolic - numeric) > 1e-6 * scale) {
                fprintf(stderr, "%s: d/dv%u at point %u: symbolic %.12g, numeric %.12g\n", what, var,
                        p, symbolic, numeric);
                CHECK(0);
            } else {
                CHECK(1);
            }
        }
}

static void test_construction(void)
{
    ir_graph g;
    ir_init(&g);
    ir_ref v = ir_var(&g, V), i = ir_var(&g, I);
    CHECK(ir_binary(&g, IR_ADD, ir_const(&g, 2), ir_const(&g, 3)) == ir_const(&g, 5));
    CHECK(ir_binary(&g, IR_MUL, v, i) == ir_binary(&g, IR_MUL, i, v));          /* shared, commuted */
    CHECK(ir_unary(&g, IR_TANH, v) == ir_unary(&g, IR_TANH, v));
    CHECK(ir_binary(&g, IR_ADD, v, ir_const(&g, 0)) == v);
    CHECK(ir_binary(&g, IR_MUL, ir_const(&g, 1), v) == v);
    CHECK(ir_is_const(&g, ir_binary(&g, IR_MUL, v, ir_const(&g, 0)), 0));
    CHECK(ir_is_const(&g, ir_binary(&g, IR_SUB, v, v), 0));
    CHECK(ir_unary(&g, IR_NEG, ir_unary(&g, IR_NEG, v)) == v);
    CHECK(ir_select(&g, ir_const(&g, 1), v, i) == v);
    /* exp' is exp itself: the derivative reuses the node. */
    ir_ref e = ir_unary(&g, IR_EXP, v);
    CHECK(ir_diff(&g, e, V) == e);
    /* A variable the expression does not use has derivative 0, exactly. */
    CHECK(ir_is_const(&g, ir_diff(&g, e, I), 0));
    ir_free(&g);
}

static void test_neuron_updates(void)
{
    ir_graph g;
    ir_init(&g);
    ir_ref v = ir_var(&g, V), in = ir_var(&g, I), z = ir_var(&g, Z);
    ir_ref dt = ir_const(&g, 1e-3), tau = ir_const(&g, 0.03), v_th = ir_const(&g, 0.03);

    /* LIF, Bellec et al. 2020 eq. 2: v' = exp(-dt/tau) v + I - z v_th. */
    ir_ref alpha = ir_unary(&g, IR_EXP, ir_unary(&g, IR_NEG, ir_binary(&g, IR_DIV, dt, tau)));
    ir_ref lif = ir_binary(&g, IR_SUB,
                           ir_binary(&g, IR_ADD, ir_binary(&g, IR_MUL, alpha, v), in),
                           ir_binary(&g, IR_MUL, z, v_th));
    check_gradient(&g, lif, "LIF");
    /* Its Jacobian is constant: d v'/d v folds to the number alpha. */
    CHECK(ir_is_const(&g, ir_diff(&g, lif, V), exp(-1e-3 / 0.03)));
    CHECK(ir_is_const(&g, ir_diff(&g, lif, Z), -0.03));

    /* Tanh rate unit, Euler: h' = h + dt (-h + tanh(I)) / tau. */
    ir_ref rate = ir_binary(&g, IR_ADD, v,
                            ir_binary(&g, IR_DIV,
                                      ir_binary(&g, IR_MUL, dt,
                                                ir_binary(&g, IR_ADD, ir_unary(&g, IR_NEG, v),
                                                          ir_unary(&g, IR_TANH, in))),
                                      tau));
    check_gradient(&g, rate, "tanh rate");

    /* Piecewise-linear surrogate, gamma/v_th max(0, 1 - |v - v_th| / v_th). */
    ir_ref x = ir_binary(&g, IR_DIV, ir_binary(&g, IR_SUB, v, v_th), v_th);
    ir_ref tri = ir_binary(&g, IR_MAX, ir_const(&g, 0),
                           ir_binary(&g, IR_SUB, ir_const(&g, 1), ir_unary(&g, IR_ABS, x)));
    check_gradient(&g, ir_binary(&g, IR_MUL, ir_const(&g, 0.3 / 0.03), tri), "surrogate");

    /* ALIF threshold: A = v_th + beta a, spike condition v > A as a select. */
    ir_ref thr = ir_binary(&g, IR_ADD, v_th, ir_binary(&g, IR_MUL, ir_const(&g, 1.7), z));
    ir_ref sel = ir_select(&g, ir_binary(&g, IR_GT, v, thr), ir_binary(&g, IR_SUB, v, thr),
                           ir_unary(&g, IR_SIGMOID, ir_binary(&g, IR_MUL, v, in)));
    check_gradient(&g, sel, "select");
    ir_free(&g);
}

static void test_functions(void)
{
    ir_graph g;
    ir_init(&g);
    ir_ref v = ir_var(&g, V), in = ir_var(&g, I), z = ir_var(&g, Z);
    ir_ref two = ir_const(&g, 2), three = ir_const(&g, 3);
    ir_ref pos = ir_binary(&g, IR_ADD, ir_binary(&g, IR_MUL, v, v), ir_const(&g, 0.5)); /* > 0 */
    ir_ref cases[] = {
        ir_binary(&g, IR_POW, v, three),                                   /* constant power */
        ir_binary(&g, IR_POW, pos, in),                                    /* variable power */
        ir_unary(&g, IR_LOG, pos),
        ir_unary(&g, IR_SQRT, pos),
        ir_binary(&g, IR_DIV, ir_unary(&g, IR_SIN, v), pos),
        ir_unary(&g, IR_COS, ir_binary(&g, IR_MUL, two, in)),
        ir_unary(&g, IR_RELU, ir_binary(&g, IR_ADD, v, ir_const(&g, 2.5))),  /* away from 0 */
        ir_binary(&g, IR_MIN, ir_binary(&g, IR_MUL, v, in), z),
        ir_unary(&g, IR_SIGMOID, ir_binary(&g, IR_SUB, ir_unary(&g, IR_TANH, v), in)),
        ir_binary(&g, IR_MUL, ir_unary(&g, IR_EXP, v), ir_unary(&g, IR_EXP, v)),  /* shared operand */
    };
    static const char *const names[] = {"v^3", "pos^I", "log", "sqrt", "sin/pos", "cos",
                                        "relu", "min", "sigmoid(tanh - I)", "exp*exp"};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_gradient(&g, cases[k], names[k]);
    ir_free(&g);
}

/* ir_diff_many shares one memo between expressions: its derivatives are
 * the very nodes ir_diff gives one at a time (hash-consing makes equal
 * derivatives one ref), and a cone the expressions share is differentiated
 * once, so the graph grows by no more than for one of them. */
static void test_diff_many(void)
{
    ir_graph g;
    ir_init(&g);
    ir_ref v = ir_var(&g, V), in = ir_var(&g, I);
    ir_ref a = ir_unary(&g, IR_TANH, in);
    for (int k = 0; k < 40; k++)   /* a_k = a_{k-1} * a_{k-1} + v: a deep shared cone */
        a = ir_binary(&g, IR_ADD, ir_binary(&g, IR_MUL, a, a), v);
    ir_ref e[3] = {a, ir_binary(&g, IR_MUL, a, v), ir_unary(&g, IR_SIN, a)}, many[3];
    ir_diff_many(&g, e, 3, V, many);
    uint32_t after_many = g.count;
    for (int i = 0; i < 3; i++)
        CHECK(ir_diff(&g, e[i], V) == many[i]);
    CHECK(g.count == after_many);   /* nothing new: the same derivatives */
    ir_free(&g);
}

int main(void)
{
    test_diff_many();
    test_construction();
    test_neuron_updates();
    test_functions();
    return check_report();
}
