/* test_task_gen.c -- the task engine's condition channel and its sign-
 * accuracy check, on tasks checked by the real front end.
 *
 * 1. The flip-flop of stdlib/tasks/flipflop.rnn says 'condition sign(y)':
 *    its generated condition channel must equal the sign of its target
 *    channel at every step and element, in every trial. The expected value
 *    is computed here from the generated target, independently of the
 *    engine's evaluation of the condition.
 * 2. The condition channel is neither an input nor a target: it comes after
 *    the declared channels, is not found by name (even when the task
 *    declares a channel called 'condition'), and is evaluated where the
 *    statement stands.
 * 3. task_check_accuracy accepts the flip-flop's -1/+1 targets and refuses
 *    0/1 targets, at the accuracy statement's line.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "task_gen.h"

static frontend_options opts = {.stdlib_dir = RNNC_STDLIB_DIR};

/* Checks TEXT and prepares the task of its first 'train' (dt 1 ms). */
static int prepare(frontend *fe, task_program *tp, const char *text)
{
    frontend_init(fe);
    if (frontend_check_text(fe, "test.rnn", text, strlen(text), &opts) != 0) {
        diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    const ast_node *run = NULL;
    for (const ast_node *n = fe->root->first; n && !run; n = n->next)
        if (n->kind == AST_TRAIN)
            run = n;
    if (!run || task_prepare(tp, fe, run->first, 1e-3, 1) != 0) {
        diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    return 0;
}

/* One trial's channels, each [steps][size], and its mask, in one block. */
typedef struct trial {
    double *mem, *mask, *ch[RT_MAX_CHANNELS];
} trial;

static int generate(const task_program *tp, uint64_t id, trial *tr)
{
    size_t T = tp->steps, total = T;
    for (unsigned c = 0; c < tp->n_channels; c++)
        total += T * tp->channels[c].size;
    tr->mem = calloc(total, sizeof(double));
    if (!tr->mem)
        return -1;
    tr->mask = tr->mem;
    size_t at = T;
    for (unsigned c = 0; c < tp->n_channels; c++) {
        tr->ch[c] = tr->mem + at;
        at += T * tp->channels[c].size;
    }
    char err[512];
    if (task_generate(tp, 7, id, tr->ch, tr->mask, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "task_generate: %s\n", err);
        return -1;
    }
    return 0;
}

static const char *const net3 =
    "network Net {\n  input x[3]\n  pop h : TanhRate[4]\n  readout y : Linear[3]\n"
    "  connect x -> h : all_to_all\n  connect h -> h : all_to_all\n  connect h -> y : all_to_all\n}\n";

static void test_flipflop_condition_is_sign_of_target(void)
{
    char text[1024];
    snprintf(text, sizeof text, "import neurons.rate\nimport tasks.flipflop\n%s"
             "train Net on FlipFlop(bits = 3)\n", net3);
    frontend fe;
    task_program tp;
    CHECK(prepare(&fe, &tp, text) == 0);
    int c = task_condition_channel(&tp), y = task_channel_index(&tp, "y");
    CHECK(c == (int)tp.n_channels - 1);   /* after x and y */
    CHECK(c >= 0 && y >= 0);
    if (c < 0 || y < 0)
        return;
    CHECK(tp.channels[c].is_condition && !tp.channels[c].is_target);
    CHECK_STR(tp.channels[c].name, "condition");
    CHECK(tp.channels[c].size == 3);   /* sign(y) over y's three elements */
    size_t mismatches = 0, with_condition = 0, without = 0, T = tp.steps;
    for (uint64_t id = 0; id < 16; id++) {
        trial tr;
        CHECK(generate(&tp, id, &tr) == 0);
        for (size_t t = 0; t < T; t++) {
            int all_set = 1;
            for (size_t k = 0; k < 3; k++) {
                double target = tr.ch[y][t * 3 + k], cond = tr.ch[c][t * 3 + k];
                mismatches += cond != (double)((target > 0) - (target < 0));
                all_set &= cond != 0;
            }
            with_condition += all_set;
            without += !all_set;
        }
        free(tr.mem);
    }
    CHECK(mismatches == 0);
    /* Not vacuous: before a bit's first latched pulse its target is 0, so
     * early steps have no condition, and later ones have one. */
    CHECK(with_condition > 0);
    CHECK(without > 0);
    CHECK(task_check_accuracy(&tp, &fe.diag) == 0);   /* targets of both signs */
    task_free(&tp);
    frontend_free(&fe);
}

/* A channel called 'condition' beside the condition statement; the
 * condition reads x after 'x = 1' and before 'x += 1', so it is 1, not 2. */
static void test_condition_is_its_own_channel(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "import neurons.rate\n"
             "task Cue {\n  input x[3]\n  target y[3]\n  input condition\n  duration 5\n"
             "  x = 1\n  condition x\n  x += 1\n  y = x\n}\n%s"
             "train Net on Cue\n", net3);
    frontend fe;
    task_program tp;
    CHECK(prepare(&fe, &tp, text) == 0);
    int c = task_condition_channel(&tp), named = task_channel_index(&tp, "condition");
    CHECK(c == 3 && named == 2);
    if (c != 3 || named != 2)
        return;
    CHECK(!tp.channels[named].is_condition);
    trial tr;
    CHECK(generate(&tp, 0, &tr) == 0);
    int x = task_channel_index(&tp, "x");
    CHECK(tr.ch[c][0] == 1 && tr.ch[c][4 * 3 + 2] == 1);
    CHECK(tr.ch[x][0] == 2);   /* the statement after the condition still ran */
    free(tr.mem);
    task_free(&tp);
    frontend_free(&fe);
}

static void test_sign_accuracy_of_zero_one_targets_is_refused(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "import neurons.rate\n"
             "task OneHot {\n  input x[3]\n  target y[3]\n  duration 20\n"
             "  draw k = randint(0, 2)\n  x = 1\n  y[0] = k == 0\n  y[1] = k == 1\n  y[2] = k == 2\n"
             "  accuracy sign(y)\n}\n%s"
             "train Net on OneHot\n", net3);
    frontend fe;
    task_program tp;
    CHECK(prepare(&fe, &tp, text) == 0);
    CHECK(task_check_accuracy(&tp, &fe.diag) != 0);
    const diag *g = fe.diag.first;
    CHECK(g && g->loc.line == 11 && g->loc.col == 3 &&
          strstr(g->message, "'accuracy sign(y)' needs a target of both signs") == g->message);
    task_free(&tp);
    frontend_free(&fe);
}

int main(void)
{
    test_flipflop_condition_is_sign_of_target();
    test_condition_is_its_own_channel();
    test_sign_accuracy_of_zero_one_targets_is_refused();
    return check_report();
}
