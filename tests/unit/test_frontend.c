/* test_frontend.c -- the front end through its API.
 *
 * Robustness: pathological inputs (deep nesting, long chains, NUL bytes,
 * empty files) give errors, never crashes. Recovery: independent errors in
 * one file are all reported. Imports: the search path, loading a file once,
 * and cycles, checked with real files in a temporary folder.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "frontend.h"

static frontend_options opts;

static unsigned errors_of(const char *text, size_t size)
{
    frontend fe;
    frontend_init(&fe);
    unsigned n = frontend_check_text(&fe, "test.rnn", text, size, &opts);
    frontend_free(&fe);
    return n;
}

static unsigned errors_in(const char *text)
{
    return errors_of(text, strlen(text));
}

static int first_error_has_n(const char *text, size_t size, const char *needle)
{
    frontend fe;
    frontend_init(&fe);
    frontend_check_text(&fe, "test.rnn", text, size, &opts);
    int found = fe.diag.first && strstr(fe.diag.first->message, needle) != NULL;
    if (!found && fe.diag.first)
        fprintf(stderr, "first error was: %s\n", fe.diag.first->message);
    frontend_free(&fe);
    return found;
}

static int first_error_has(const char *text, const char *needle)
{
    return first_error_has_n(text, strlen(text), needle);
}

static char *repeat(const char *head, const char *unit, size_t times, const char *tail)
{
    size_t n = strlen(head) + strlen(unit) * times + strlen(tail) + 1;
    char *s = malloc(n), *p = s;
    p += sprintf(p, "%s", head);
    for (size_t i = 0; i < times; i++)
        p += sprintf(p, "%s", unit);
    sprintf(p, "%s", tail);
    return s;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

static void test_pathological_inputs(void)
{
    CHECK(errors_in("") == 0);
    CHECK(errors_in("# only a comment\n\n;;\n") == 0);
    char *deep = repeat("param x = ", "(", 100000, "1");
    CHECK(errors_in(deep) >= 1);
    free(deep);
    char *chain = repeat("param x = 1", " + 1", 50000, "\n");
    CHECK(first_error_has(chain, "nested too deeply"));
    free(chain);
    char *minus = repeat("param x = ", "-", 50000, "1\n");
    CHECK(errors_in(minus) >= 1);
    free(minus);
    const char nul[] = "param x = 1\n\0param y = 2\n";
    CHECK(first_error_has_n(nul, sizeof nul - 1, "NUL byte"));
    CHECK(errors_of(nul, sizeof nul - 1) == 1);
    CHECK(errors_in("neuron") >= 1);
    CHECK(errors_in("}}}}))))]]]]") >= 1);
    CHECK(first_error_has("neuron N {\n  state v = 0\n", "never closed"));
    CHECK(first_error_has("param x = \"unterminated\n", "unterminated string"));
    CHECK(first_error_has("param x = 1e+\n", "exponent"));
    CHECK(first_error_has("param x = 2 ** 3\n", "'**'"));
    char *big_size = "neuron N {\n  input I\n  output r = I\n}\nnetwork M {\n  pop h : N[1e12]\n}\n";
    CHECK(first_error_has(big_size, "positive whole number"));
}

static void test_recovery(void)
{
    /* Three independent syntax errors on three lines: three reports. */
    const char *text = "neuron A {\n  state v = = 0\n  input I\n  v <- v +* 1\n}\n"
                       "neuron B {\n  state = 1\n}\n";
    CHECK(errors_in(text) == 3);
}

static void test_good_and_units(void)
{
    const char *lif = "neuron L(tau = 10 ms, E = -70 mV, R = 100 MOhm) {\n"
                      "  state V = -70 mV\n  input I\n"
                      "  dV/dt = (E - V + R * I) / tau\n}\n";
    CHECK(errors_in(lif) == 0);
    /* Same neuron, the equation one unit short: dV/dt would be mV, not mV/ms. */
    const char *bad = "neuron L(tau = 10 ms, E = -70 mV) {\n"
                      "  state V = -70 mV\n  input I\n  dV/dt = E - V\n}\n";
    CHECK(first_error_has(bad, "dV/dt must be in mV/ms, but this is in mV"));
    /* Bare unit names are values: 3 mV / ms is a rate of change. */
    CHECK(errors_in("param slope = 3 mV / ms\nparam rate = 1 / ms\n") == 0);
    CHECK(first_error_has("param x = 3 mV + 2 ms\n", "cannot add mV and ms"));
    CHECK(first_error_has("param x = exp(3 mV)\n", "dimensionless"));
    CHECK(first_error_has("param x = exp(1, 2)\n", "exp() takes 1 argument, but 2 were given"));
    CHECK(first_error_has("param x = 3 furlongs\n", "unknown unit 'furlongs'"));
    /* Soft keywords are still names where they cannot be keywords. */
    CHECK(errors_in("neuron Osc(omega = 1) {\n  state phase = 0\n  input I\n"
                    "  phase <- phase + omega * dt / 1 ms + I\n  output duration = phase\n}\n") == 0);
    CHECK(errors_in("neuron Gate {\n  state condition = 0\n  input I\n"
                    "  condition <- condition + I\n  output r = condition\n}\n") == 0);
}

/* Analyses and records name a projection as 'pre -> post', or with the port
 * it drives, 'pre -> post.PORT': needed where several run from pre to post
 * (a gated unit's h -> h.I_z and h -> h.I_h), allowed where the target has
 * one port (h -> y.I for h -> y). The refusals are golden tests in
 * tests/errors/run_analysis_projection_*. */
static void test_projection_names(void)
{
    const char *gru = "import neurons.rate\nimport tasks.flipflop\n"
                      "neuron G {\n  state h = 0\n  input I_z, I_h\n"
                      "  h <- (1 - sigmoid(I_z)) * h + sigmoid(I_z) * tanh(I_h)\n  output r = h\n}\n"
                      "network Net {\n  input x[3]\n  pop h : G[4]\n  readout y : Linear[3]\n"
                      "  connect x -> h.I_z : all_to_all\n  connect x -> h.I_h : all_to_all\n"
                      "  connect h -> h.I_z : all_to_all\n  connect h -> h.I_h : all_to_all\n"
                      "  connect h -> y : all_to_all\n}\n"
                      "train Net on FlipFlop { epochs 1 }\n";
    char text[2048];
    snprintf(text, sizeof text, "%sanalyze eigen(h -> h.I_z), eigen(h -> h.I_h), eigen(h -> y.I)\n"
             "record x -> h.I_h, h -> y, h -> y.I\n", gru);
    CHECK(errors_in(text) == 0);
    snprintf(text, sizeof text, "%sanalyze eigen(h -> h)\n", gru);
    CHECK(first_error_has(text, "'h -> h' is ambiguous"));
    snprintf(text, sizeof text, "%sanalyze eigen(h -> y.J)\n", gru);
    CHECK(first_error_has(text, "no projection h -> y.J; from h to y it has h -> y"));
}

static void test_imports(void)
{
    char dir_template[] = "/tmp/rnnc-test-import-XXXXXX";
    char *dir = mkdtemp(dir_template);
    CHECK(dir != NULL);
    if (!dir)
        return;
    char a[256], b[256], c[256], lib[256];
    snprintf(a, sizeof a, "%s/a.rnn", dir);
    snprintf(b, sizeof b, "%s/b.rnn", dir);
    snprintf(c, sizeof c, "%s/c.rnn", dir);
    snprintf(lib, sizeof lib, "%s/lib", dir);
    mkdir(lib, 0777);
    write_file(a, "import b\nparam pa = 1\n");
    write_file(b, "import a\nparam pb = 2\n");
    frontend fe;
    frontend_init(&fe);
    frontend_check_file(&fe, a, &opts);
    CHECK(fe.diag.errors == 1 && strstr(fe.diag.first->message, "import cycle"));
    frontend_free(&fe);

    /* A module found through the search path, imported twice, loaded once. */
    char shared[300];
    snprintf(shared, sizeof shared, "%s/shared.rnn", lib);
    write_file(shared, "neuron S {\n  input I\n  output r = I\n}\n");
    write_file(c, "import shared\nimport shared\nimport neurons.rate\n"
                  "network N {\n  pop h : S[2]\n  pop g : TanhRate[2]\n  connect h -> g\n}\n");
    const char *path[1] = {lib};
    frontend_options with_path = opts;
    with_path.search_path = path;
    with_path.search_count = 1;
    frontend_init(&fe);
    CHECK(frontend_check_file(&fe, c, &with_path) == 0);
    CHECK(fe.files.len == 3);
    frontend_free(&fe);
    frontend_init(&fe);
    /* Without the path it is not found (once per import line). */
    CHECK(frontend_check_file(&fe, c, &opts) == 2 && strstr(fe.diag.first->message, "cannot find module 'shared'"));
    frontend_free(&fe);
    unlink(a), unlink(b), unlink(c), unlink(shared), rmdir(lib), rmdir(dir);
}

static void test_defines(void)
{
    frontend_define d[2] = {{.name = "tau", .value = "20 ms"}, {.name = "nope", .value = "1"}};
    frontend_options o = opts;
    o.defines = d;
    o.define_count = 2;
    frontend fe;
    frontend_init(&fe);
    const char *text = "neuron N(tau = 10 ms) {\n  state v = 0\n  input I\n  dv/dt = -v / tau\n}\n";
    CHECK(frontend_check_text(&fe, "t.rnn", text, strlen(text), &o) == 1);
    CHECK(d[0].used && !d[1].used);
    frontend_free(&fe);
}

/* Inputs the fuzzer (tests/fuzz) or its follow-ups found; each once failed. */
static void test_fuzz_regressions(void)
{
    /* p_i = (p_{i-1} + p_{i-1}) / 2 names p_{i-1} twice: evaluating p60
     * followed every path, 2^60 of them, and never finished. */
    char *text = malloc(64 * 100 + 256), *p = text;
    p += sprintf(p, "import neurons.rate\nparam p0 = 2\n");
    for (int i = 1; i <= 60; i++)
        p += sprintf(p, "param p%d = (p%d + p%d) / 2\n", i, i - 1, i - 1);
    sprintf(p, "network N {\n  input x[p60]\n  pop h : TanhRate[p60]\n"
               "  readout y : Linear[1]\n  connect x -> h\n  connect h -> y\n}\n");
    CHECK(errors_in(text) == 0);
    free(text);

    /* Chains of names recursed once per link, off the stack: in const_eval
     * (parameters) and in sema (named values). Short chains still work. */
    enum { LONG = 100000, SHORT = 500 };
    for (int n = SHORT; n <= LONG; n += LONG - SHORT) {
        text = malloc((size_t)n * 40 + 256), p = text;
        p += sprintf(p, "import neurons.rate\nparam p0 = 1\n");
        for (int i = 1; i <= n; i++)
            p += sprintf(p, "param p%d = p%d\n", i, i - 1);
        sprintf(p, "network N {\n  input x[p%d]\n  pop h : TanhRate[2]\n"
                   "  readout y : Linear[1]\n  connect x -> h\n  connect h -> y\n}\n", n);
        CHECK(n == LONG ? errors_in(text) == 1 : errors_in(text) == 0);
        p = text;
        p += sprintf(p, "neuron A {\n  input I\n  output r = a0\n");
        for (int i = 0; i < n; i++)
            p += sprintf(p, "  let a%d = a%d + 1\n", i, i + 1);
        sprintf(p, "  let a%d = I\n}\n", n);
        if (n == LONG)
            CHECK(first_error_has(text, "nested too deeply"));
        else
            CHECK(errors_in(text) == 0);
        free(text);
    }

    /* import a.a.a...: each '.' copied and interned the whole name so far,
     * quadratic: 30000 parts took 16 s and 2 GB. */
    text = repeat("import a", ".a", 30000, "\n");
    CHECK(first_error_has(text, "cannot find module"));
    free(text);

    /* Past the error limit, "did you mean" still compared every unknown name
     * with up to 512 others, for a hint that was then dropped: 3000 unknown
     * 60-letter names took 6 s. The first errors keep their hints. */
    text = malloc(3500 * 80 + 64), p = text;
    p += sprintf(p, "neuron A {\n  input I\n");
    for (int i = 0; i < 500; i++)
        p += sprintf(p, "  let n%059d = I\n", i);
    for (int i = 0; i < 3000; i++)
        p += sprintf(p, "  let u%d = m%059d\n", i, i);
    sprintf(p, "}\n");
    frontend fe;
    frontend_init(&fe);
    CHECK(frontend_check_text(&fe, "test.rnn", text, strlen(text), &opts) == 3000);
    CHECK(fe.diag.first && fe.diag.first->hint && strstr(fe.diag.first->hint, "did you mean"));
    frontend_free(&fe);
    free(text);

    /* 20000 states: each searched all the resets (A), and each warning's
     * line was searched for from the top of the file when printed (B). */
    enum { STATES = 20000 };
    text = malloc(STATES * 64 + 128), p = text;
    p += sprintf(p, "neuron A {\n  input I\n  state v = 0\n  v <- I\n  spike z when v > 1\n");
    for (int i = 0; i < STATES; i++)
        p += sprintf(p, "  state a%d = 0\n  reset a%d = 1\n", i, i);
    p += sprintf(p, "}\nneuron B {\n  input I\n  output r = I\n");
    for (int i = 0; i < STATES; i++)
        p += sprintf(p, "  state b%d = 0\n", i);
    sprintf(p, "}\n");
    frontend_init(&fe);
    CHECK(frontend_check_text(&fe, "test.rnn", text, strlen(text), &opts) == 0);
    CHECK(fe.diag.warnings == STATES);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        diag_print(&fe.diag, null, 0);
        fclose(null);
    }
    frontend_free(&fe);
    free(text);
}

/* With a recovery point set (as librnnc sets one around compiling), an
 * arena that runs out of memory jumps there, in this thread only, instead
 * of printing and exiting; the arena stays whole and frees. */
static void test_out_of_memory_jump(void)
{
    arena a;
    arena_init(&a);
    CHECK(arena_alloc(&a, 100) != NULL);
    jmp_buf jump;
    volatile int jumped = 0;
    arena_oom_jump = &jump;
    if (setjmp(jump) == 0)
        arena_out_of_memory();   /* what xmalloc calls when malloc fails */
    else
        jumped = 1;
    arena_oom_jump = NULL;
    CHECK(jumped);
    arena_free(&a);
}

int main(void)
{
    opts.stdlib_dir = RNNC_STDLIB_DIR;
    test_pathological_inputs();
    test_recovery();
    test_good_and_units();
    test_projection_names();
    test_imports();
    test_defines();
    test_fuzz_regressions();
    test_out_of_memory_jump();
    return check_report();
}
