/* test_consteval.c -- the constant evaluator (check/consteval.c).
 *
 * Each model is checked by the front end first, since the evaluator reads
 * the names sema resolved; then one expression of it is evaluated in an
 * environment: none (the checks), a step length, names bound from outside.
 * Expected values follow from the unit table (ms is 1e-3 s) and plain
 * arithmetic on the numbers written in the model.
 */
#include <stdlib.h>

#include "check.h"
#include "consteval.h"
#include "frontend.h"

static frontend_options opts;

/* Checks TEXT into FE; true if it has no errors. */
static bool check_text(frontend *fe, const char *text, const frontend_options *o)
{
    frontend_init(fe);
    return frontend_check_text(fe, "t.rnn", text, strlen(text), o) == 0;
}

/* The first node under N, depth first, of KIND and (if NAME) that name. */
static const ast_node *find_node(const ast_node *n, ast_kind kind, const char *name)
{
    if (!n)
        return NULL;
    if (n->kind == kind && (!name || (n->name && strcmp(n->name, name) == 0)))
        return n;
    for (const ast_node *k = n->first; k; k = k->next) {
        const ast_node *found = find_node(k, kind, name);
        if (found)
            return found;
    }
    return NULL;
}

/* The value expression of the binding NAME (a parameter's default). */
static const ast_node *binding_value(const frontend *fe, const char *name)
{
    const ast_node *b = find_node(fe->root, AST_BINDING, name);
    return b ? b->first : NULL;
}

/* Units to SI: ms is 1e-3 s, so 30 ms is 0.03 s; mV is 1e-3 V. */
static void test_units(void)
{
    frontend fe;
    CHECK(check_text(&fe, "param a = 30 ms\nparam b = 2 mV * 5\n", &opts));
    double v = -1;
    CHECK(const_value(binding_value(&fe, "a"), NULL, &v) && fabs(v - 0.03) < 1e-15);
    CHECK(const_value(binding_value(&fe, "b"), NULL, &v) && fabs(v - 0.01) < 1e-15);
    frontend_free(&fe);
}

/* 'step' is one dt once dt is known (10 step at dt = 0.5 ms is 5 ms), and
 * a count while it is not (the checks: 10 step is 10). The name 'dt' has
 * the environment's value, and none while dt is not known. */
static void test_step(void)
{
    frontend fe;
    CHECK(check_text(&fe, "param d = 10 step\n"
                          "task T {\n  input x\n  target y\n  duration 5\n  x = dt * 4\n  y = 0\n}\n",
                     &opts));
    const ast_node *steps = binding_value(&fe, "d");
    const ast_node *dt_times_4 = find_node(fe.root, AST_ASSIGN, NULL)->first->next;
    double v = -1;
    CHECK(const_value(steps, &(const_env){.dt = 0.5e-3}, &v) && fabs(v - 5e-3) < 1e-15);
    CHECK(const_value(steps, NULL, &v) && v == 10);
    CHECK(const_value(dt_times_4, &(const_env){.dt = 0.25}, &v) && v == 1);
    CHECK(!const_value(dt_times_4, NULL, &v));
    frontend_free(&fe);
}

/* A bound name takes its given value in place of the parameter's default,
 * also reached through another parameter: with n = 5 bound, m = n * 2 is
 * 10 and k = m + 1 is 11, and with nothing bound (n = 3) they are 6 and 7
 * -- nothing is kept from one evaluation to the next. A built-in name
 * (fan_in) has a value only when bound: sqrt(fan_in) with fan_in = 16 is 4. */
static void test_bound_names(void)
{
    frontend fe;
    CHECK(check_text(&fe, "import neurons.rate\nparam n = 3\nparam m = n * 2\nparam k = m + 1\n"
                          "network N {\n  input x[2]\n  pop h : TanhRate[4]\n  readout y : Linear[1]\n"
                          "  connect x -> h : init normal(0, 1 / sqrt(fan_in))\n  connect h -> y\n}\n",
                     &opts));
    const const_binding n5 = {"n", 5}, fans[2] = {{"fan_in", 16}, {"fan_out", 4}};
    const const_env with_n5 = {.bound = &n5, .n_bound = 1}, with_fans = {.bound = fans, .n_bound = 2};
    double v = -1;
    CHECK(const_value(binding_value(&fe, "m"), &with_n5, &v) && v == 10);
    CHECK(const_value(binding_value(&fe, "k"), &with_n5, &v) && v == 11);
    CHECK(const_value(binding_value(&fe, "k"), NULL, &v) && v == 7);
    const ast_node *root = find_node(fe.root, AST_CALL, "sqrt");
    CHECK(root && const_value(root, &with_fans, &v) && v == 4);
    CHECK(root && !const_value(root, NULL, &v));
    CHECK(const_env_find(&with_fans, "fan_out") == &fans[1] && !const_env_find(&with_fans, "n"));
    frontend_free(&fe);
}

/* -D n=7 replaces n's default 3, so m = n + 1 is 8; the default's own
 * expression still evaluates to 3 (the override takes its place in the
 * parameter, not in the text). */
static void test_define_override(void)
{
    frontend_define d = {.name = "n", .value = "7"};
    frontend_options o = opts;
    o.defines = &d;
    o.define_count = 1;
    frontend fe;
    CHECK(check_text(&fe, "param n = 3\nparam m = n + 1\n", &o));
    CHECK(d.used);
    double v = -1;
    CHECK(const_value(binding_value(&fe, "m"), NULL, &v) && v == 8);
    CHECK(const_value(binding_value(&fe, "n"), NULL, &v) && v == 3);
    frontend_free(&fe);
}

/* Builtins of the mathematics class: clip(5, 0, 2) is 2, max(1, 3, 2) is 3,
 * 2^3 is 8 and 7 % 4 is 3, so the sum is 16. min and max compare and select
 * as the compiled kernels do (a < b ? a : b), so min(1, NaN) is NaN, not 1
 * as fmin would say; a name that is no function is refused. */
static void test_builtin_calls(void)
{
    frontend fe;
    CHECK(check_text(&fe, "param c = clip(5, 0, 2) + max(1, 3, 2) + 2^3 + 7 % 4\n", &opts));
    double v = -1;
    CHECK(const_value(binding_value(&fe, "c"), NULL, &v) && v == 16);
    frontend_free(&fe);
    CHECK(const_eval_math("min", (double[]){1, NAN}, 2, &v) && isnan(v));
    CHECK(const_eval_math("max", (double[]){NAN, 1}, 2, &v) && v == 1);
    CHECK(const_eval_math("sqrt", (double[]){9}, 1, &v) && v == 3);
    CHECK(!const_eval_math("sqrt", (double[]){9, 1}, 2, &v));
    CHECK(!const_eval_math("normal", (double[]){0, 1}, 2, &v));
}

/* What changes every step is not a constant: a state (h in -h / 10 ms) and
 * the time t, even with dt known; so is a random draw. */
static void test_not_constant(void)
{
    frontend fe;
    CHECK(check_text(&fe, "neuron N {\n  state h = 0\n  input I\n  dh/dt = (-h + I) / 10 ms + t / 1 s\n"
                          "  output r = h\n}\n"
                          "task T {\n  input x\n  target y\n  duration 5\n  draw a = normal()\n"
                          "  x = a\n  y = 0\n}\n",
                     &opts));
    const ast_node *equation = find_node(fe.root, AST_ODE, "h")->first;
    const ast_node *time = find_node(equation, AST_NAME, "t");
    const ast_node *draw = binding_value(&fe, "a");
    const const_env step = {.dt = 1e-3};
    double v = -1;
    CHECK(!const_value(equation, &step, &v));
    CHECK(time && !const_value(time, &step, &v));
    CHECK(draw && !const_value(draw, &step, &v));
    CHECK(!const_value(NULL, &step, &v));
    frontend_free(&fe);
}

int main(void)
{
    opts.stdlib_dir = RNNC_STDLIB_DIR;
    test_units();
    test_step();
    test_bound_names();
    test_define_override();
    test_builtin_calls();
    test_not_constant();
    return check_report();
}
