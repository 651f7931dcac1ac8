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
 * 3. task_check_trials accepts the flip-flop's -1/+1 targets and refuses
 *    0/1 targets, at the accuracy statement's line.
 * 4. Phases of fixed length follow one another: the phase channel numbers
 *    them, statements in a phase write only its steps, 't' and pulse onsets
 *    count from its start, and the mask is 0 where it is never set. The
 *    expected steps follow from the durations at dt = 1 ms.
 * 5. Phases of random length: the trial is padded to the longest sequence
 *    (100 + 600 + 80 steps), lengths stay within their draws' bounds, the
 *    padding has mask, channels and phase 0, and trunc_exp's mean matches
 *    the truncated exponential's analytic mean.
 * 6. A list parameter given in the call replaces the default's elements;
 *    named arguments of a draw take their keyword's place.
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
    CHECK(task_check_trials(&tp, &fe.diag) == 0);   /* targets of both signs */
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
    CHECK(task_check_trials(&tp, &fe.diag) != 0);
    const diag *g = fe.diag.first;
    CHECK(g && g->loc.line == 11 && g->loc.col == 3 &&
          strstr(g->message, "'accuracy sign(y)' needs a target of both signs") == g->message);
    task_free(&tp);
    frontend_free(&fe);
}

static long count_value(const double *v, size_t T, double x)
{
    long n = 0;
    for (size_t t = 0; t < T; t++)
        n += v[t] == x;
    return n;
}

static void test_fixed_phases(void)
{
    const char *text =
        "import neurons.rate\n"
        "task Steps {\n  input x[2]\n  target y\n"
        "  phase fixation 100 ms { x[0] = 1 }\n"
        "  phase stimulus 300 ms { pulse x[1] = 2 at 50 ms for 20 ms; y = t }\n"
        "  phase decision 100 ms { y = 5; mask = 1 }\n}\n"
        "network Net {\n  input x[2]\n  pop h : TanhRate[4]\n  readout y : Linear[1]\n"
        "  connect x -> h : all_to_all\n  connect h -> y : all_to_all\n}\n"
        "train Net on Steps\n";
    frontend fe;
    task_program tp;
    if (prepare(&fe, &tp, text) != 0) {
        CHECK(0);
        return;
    }
    CHECK(tp.steps == 500);
    CHECK(tp.n_phases == 3);
    int ph = task_phase_channel(&tp), x = task_channel_index(&tp, "x"), y = task_channel_index(&tp, "y");
    CHECK(ph == (int)tp.n_channels - 1 && x == 0 && y == 1);
    trial tr;
    if (ph < 0 || generate(&tp, 0, &tr) != 0) {
        CHECK(0);
        return;
    }
    int phases_ok = 1, x0_ok = 1, x1_ok = 1, y_ok = 1, mask_ok = 1;
    for (size_t t = 0; t < 500; t++) {
        double want_phase = t < 100 ? 1 : t < 400 ? 2 : 3;
        phases_ok &= tr.ch[ph][t] == want_phase;
        x0_ok &= tr.ch[x][2 * t] == (t < 100 ? 1 : 0);
        x1_ok &= tr.ch[x][2 * t + 1] == (t >= 150 && t < 170 ? 2 : 0);
        double want_y = t < 100 ? 0 : t < 400 ? (double)(t - 100) * 1e-3 : 5;
        y_ok &= fabs(tr.ch[y][t] - want_y) < 1e-12;
        mask_ok &= tr.mask[t] == (t >= 400 ? 1 : 0);
    }
    CHECK(phases_ok);
    CHECK(x0_ok);
    CHECK(x1_ok);
    CHECK(y_ok);
    CHECK(mask_ok);
    free(tr.mem);
    task_free(&tp);
    frontend_free(&fe);
}

static void test_random_phases(void)
{
    const char *text =
        "import neurons.rate\n"
        "task Wait {\n  input x\n  target y\n  draw wait = uniform(200 ms, 600 ms)\n"
        "  phase cue 100 ms { }\n  phase hold wait { x = 1 }\n"
        "  phase go trunc_exp(50 ms, 20 ms, 80 ms) { y = 1; mask = 1 }\n}\n"
        "network Net {\n  input x\n  pop h : TanhRate[4]\n  readout y : Linear[1]\n"
        "  connect x -> h : all_to_all\n  connect h -> y : all_to_all\n}\n"
        "train Net on Wait\n";
    frontend fe;
    task_program tp;
    if (prepare(&fe, &tp, text) != 0) {
        CHECK(0);
        return;
    }
    CHECK(tp.steps == 780);
    int ph = task_phase_channel(&tp), x = task_channel_index(&tp, "x"), y = task_channel_index(&tp, "y");
    enum { TRIALS = 2000 };
    long shortest_hold = 1000, longest_hold = 0, shortest_go = 1000, longest_go = 0, go_sum = 0;
    int padding_ok = 1, lengths_differ = 0;
    long first_length = -1;
    for (uint64_t k = 0; k < TRIALS; k++) {
        trial tr;
        if (generate(&tp, k, &tr) != 0) {
            CHECK(0);
            break;
        }
        long hold = count_value(tr.ch[ph], 780, 2), go = count_value(tr.ch[ph], 780, 3);
        long length = 100 + hold + go;
        shortest_hold = hold < shortest_hold ? hold : shortest_hold;
        longest_hold = hold > longest_hold ? hold : longest_hold;
        shortest_go = go < shortest_go ? go : shortest_go;
        longest_go = go > longest_go ? go : longest_go;
        go_sum += go;
        first_length = first_length < 0 ? length : first_length;
        lengths_differ |= length != first_length;
        padding_ok &= count_value(tr.ch[x], 780, 1) == hold && count_value(tr.mask, 780, 1) == go &&
                      count_value(tr.ch[y], 780, 1) == go;
        for (long t = length; t < 780; t++)
            padding_ok &= tr.ch[ph][t] == 0 && tr.mask[t] == 0 && tr.ch[x][t] == 0 && tr.ch[y][t] == 0;
        free(tr.mem);
    }
    /* uniform(200, 600) ms floored to steps: 200 .. 599; trunc_exp in [20, 80) ms: 20 .. 79 */
    CHECK(shortest_hold >= 200 && longest_hold <= 599 && longest_hold > 590 && shortest_hold < 210);
    CHECK(shortest_go >= 20 && longest_go <= 79);
    CHECK(padding_ok);
    CHECK(lengths_differ);
    /* The mean of an exponential of mean m kept in [a, b) is a + m - (b - a) e / (1 - e) with
     * e = exp(-(b - a) / m): 44.14 ms for m 50, a 20, b 80; flooring to steps takes 0.5 off
     * on average. 2000 draws of a spread of about 16 steps: a standard error of 0.4. */
    double e = exp(-60.0 / 50.0), analytic = 20 + 50 - 60 * e / (1 - e) - 0.5;
    CHECK_NEAR((double)go_sum / TRIALS, analytic, 1.6);
    task_free(&tp);
    frontend_free(&fe);
}

static void test_list_argument_and_named_draws(void)
{
    const char *text =
        "import neurons.rate\n"
        "task Levels(levels = [1, 2, 3]) {\n  input x[2]\n  target y\n  duration 50\n"
        "  draw a = choice(levels)\n  x[0] = a\n  x[1] = normal(std = 0) + normal(mean = 2, std = 0)\n"
        "  y = a\n}\n"
        "network Net {\n  input x[2]\n  pop h : TanhRate[4]\n  readout y : Linear[1]\n"
        "  connect x -> h : all_to_all\n  connect h -> y : all_to_all\n}\n"
        "train Net on Levels(levels = [4, 5])\n";
    frontend fe;
    task_program tp;
    if (prepare(&fe, &tp, text) != 0) {
        CHECK(0);
        return;
    }
    int seen[6] = {0}, named_ok = 1;
    for (uint64_t k = 0; k < 64; k++) {
        trial tr;
        if (generate(&tp, k, &tr) != 0) {
            CHECK(0);
            break;
        }
        double a = tr.ch[0][0];
        seen[a >= 0 && a <= 5 ? (int)a : 0]++;
        for (size_t t = 0; t < 50; t++)
            named_ok &= tr.ch[0][2 * t + 1] == 2;   /* mean 0 std 0, plus mean 2 std 0 */
        free(tr.mem);
    }
    CHECK(seen[4] > 0 && seen[5] > 0 && seen[4] + seen[5] == 64);
    CHECK(named_ok);
    task_free(&tp);
    frontend_free(&fe);
}

int main(void)
{
    test_fixed_phases();
    test_random_phases();
    test_list_argument_and_named_draws();
    test_flipflop_condition_is_sign_of_target();
    test_condition_is_its_own_channel();
    test_sign_accuracy_of_zero_one_targets_is_refused();
    return check_report();
}
