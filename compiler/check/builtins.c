/* builtins.c -- the table of callable functions (see builtins.h). */
#include "builtins.h"

#include <string.h>

static const builtin table[] = {
    /* Mathematics: usable in every expression. */
    {"exp",        BI_MATH, 1, 1, DR_DIMLESS, NULL, "e to the power x", NULL},
    {"log",        BI_MATH, 1, 1, DR_DIMLESS, NULL, "natural logarithm", NULL},
    {"tanh",       BI_MATH, 1, 1, DR_DIMLESS, NULL, "hyperbolic tangent", NULL},
    {"sigmoid",    BI_MATH, 1, 1, DR_DIMLESS, NULL, "logistic function 1/(1+exp(-x))", NULL},
    {"sin",        BI_MATH, 1, 1, DR_DIMLESS, NULL, "sine (radians)", NULL},
    {"cos",        BI_MATH, 1, 1, DR_DIMLESS, NULL, "cosine (radians)", NULL},
    {"relu",       BI_MATH, 1, 1, DR_FIRST,   NULL, "max(0, x)", NULL},
    {"abs",        BI_MATH, 1, 1, DR_FIRST,   NULL, "absolute value", NULL},
    {"floor",      BI_MATH, 1, 1, DR_FIRST,   NULL, "largest integer not above x", NULL},
    {"round",      BI_MATH, 1, 1, DR_FIRST,   NULL, "nearest integer", NULL},
    {"sqrt",       BI_MATH, 1, 1, DR_SQRT,    NULL, "square root", NULL},
    {"heaviside",  BI_MATH, 1, 1, DR_RESULT_ONE, NULL, "1 where x > 0, else 0", NULL},
    {"sign",       BI_MATH, 1, 1, DR_RESULT_ONE, NULL, "-1, 0 or 1", NULL},
    {"stop_gradient", BI_MATH, 1, 1, DR_FIRST, NULL, "x, through which no gradient flows (a detached reset)", NULL},
    {"min",        BI_MATH, 2, -1, DR_SAME,   NULL, "smallest argument", NULL},
    {"max",        BI_MATH, 2, -1, DR_SAME,   NULL, "largest argument", NULL},
    {"clip",       BI_MATH, 3, 3, DR_SAME,    NULL, "x limited to [lo, hi]", NULL},
    {"where",      BI_MATH, 3, 3, DR_SELECT,  NULL, "a where the condition c holds (is not 0), else b", NULL},

    /* Random draws: task generators and neurons (deterministic from seed and trial). */
    {"randint",    BI_RANDOM, 2, 2, DR_SAME,  NULL, "integer uniformly in [lo, hi]", NULL},
    {"uniform",    BI_RANDOM, 0, 2, DR_SAME,  NULL, "uniform in [lo, hi) (default [0, 1))", NULL},
    {"normal",     BI_RANDOM, 0, 2, DR_SAME,  "mean std", "Gaussian (default mean 0, std 1)", NULL},
    {"choice",     BI_RANDOM, 1, -1, DR_SAME, NULL, "one of the arguments (or of a list), equally likely", NULL},
    {"bernoulli",  BI_RANDOM, 1, 1, DR_RESULT_ONE, NULL, "1 with probability p, else 0", NULL},
    {"poisson",    BI_RANDOM, 1, 1, DR_RATE,  NULL, "a spike (1) this step with probability rate*dt", NULL},
    {"poisson_count", BI_RANDOM, 1, 1, DR_RATE, NULL, "the number of events this step of a Poisson process of that rate (mean rate*dt)", NULL},
    {"trunc_exp",  BI_RANDOM, 3, 3, DR_SAME,  "mean lo hi", "exponential of the mean, kept in [lo, hi) (neurogym's TruncExp)", NULL},

    /* Task signals. */
    {"latch",      BI_TASK, 1, 1, DR_FIRST,   "after", "holds the last non-zero value of x, from 'after' steps past its onset", NULL},

    {"peak",       BI_TASK, 1, 1, DR_FIRST,   NULL, "the largest |x| over the trial", NULL},
    {"spike_times", BI_TASK, 1, 1, DR_RESULT_ONE, NULL, "the spikes a file lists, rows (element, time in s) or (trial, element, time in s): their count at each step", NULL},
    {"convolve",   BI_TASK, 2, 2, DR_FIRST,   NULL, "x convolved with a window, centred as scipy.signal.convolve(mode='same')", "SW"},
    /* Smoothing windows: only as convolve()'s second argument (arg_kinds "W"). */
    {"hann",       BI_TASK, 1, 1, DR_FREE,    NULL, "Hann window of n points (scipy.signal.windows.hann)", "W"},
    {"gaussian",   BI_TASK, 1, 2, DR_FREE,    "std", "Gaussian window of n points and std (scipy.signal.windows.gaussian)", "W"},
    {"boxcar",     BI_TASK, 1, 1, DR_FREE,    NULL, "n ones: convolve() then sums x over n steps (scipy.signal.windows.boxcar)", "W"},

    /* Files. */
    {"load",       BI_FILE, 1, 1, DR_FREE,    NULL, "an array from a .npy file", NULL},

    /* Weight initialisers (connect ... : init X). */
    {"normal",         BI_INIT, 0, 2, DR_SAME, "mean std", "Gaussian weights", NULL},
    {"uniform",        BI_INIT, 0, 2, DR_SAME, NULL, "uniform weights in [lo, hi)", NULL},
    {"orthogonal",     BI_INIT, 0, 1, DR_SAME, "gain", "a random orthogonal matrix (QR of a Gaussian)", NULL},
    {"glorot_uniform", BI_INIT, 0, 0, DR_SAME, NULL, "uniform in +-sqrt(6/(fan_in+fan_out))", NULL},
    {"glorot_normal",  BI_INIT, 0, 0, DR_SAME, NULL, "Gaussian with std sqrt(2/(fan_in+fan_out))", NULL},
    {"zeros",          BI_INIT, 0, 0, DR_SAME, NULL, "all zero", NULL},
    {"constant",       BI_INIT, 1, 1, DR_SAME, NULL, "every weight the same value", NULL},

    /* Connection rules. */
    {"all_to_all",        BI_RULE, 0, 0, DR_RESULT_ONE, NULL, "every pre to every post", NULL},
    {"one_to_one",        BI_RULE, 0, 0, DR_RESULT_ONE, NULL, "pre i to post i (equal sizes)", NULL},
    {"fixed_probability", BI_RULE, 1, 1, DR_RESULT_ONE, NULL, "each pair with probability p", NULL},
    {"fixed_indegree",    BI_RULE, 1, 1, DR_RESULT_ONE, NULL, "k random pre per post", NULL},
    {"fixed_outdegree",   BI_RULE, 1, 1, DR_RESULT_ONE, NULL, "k random post per pre", NULL},

    /* Analyses. */
    {"eigen",        BI_ANALYSIS, 1, 1, DR_FREE, NULL, "eigenvalues of a projection's weights", "P"},
    {"pca",          BI_ANALYSIS, 1, 2, DR_FREE, NULL, "principal components of a recorded trace", "SN"},
    {"svd",          BI_ANALYSIS, 1, 2, DR_FREE, NULL, "truncated SVD of a recorded trace", "SN"},
    {"fixed_points", BI_ANALYSIS, 1, 1, DR_FREE, "n tol inputs", "fixed and slow points of a population", "G"},
    {"robustness",   BI_ANALYSIS, 0, 0, DR_FREE, "noise", "accuracy against input-noise level", ""},
    {"degradation",  BI_ANALYSIS, 1, 1, DR_FREE, "fractions", "accuracy after removing units", "G"},
    {"psychometric", BI_ANALYSIS, 0, 0, DR_FREE, NULL, "choices and accuracy per condition value, logistic fit", ""},
};
enum { TABLE_COUNT = sizeof table / sizeof table[0] };

const builtin *builtin_find(const char *name, builtin_class cls)
{
    for (unsigned i = 0; i < TABLE_COUNT; i++)
        if (table[i].cls == cls && strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const builtin *builtin_find_any(const char *name)
{
    for (unsigned i = 0; i < TABLE_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

unsigned builtin_names(unsigned class_mask, const char **out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < TABLE_COUNT && n < max; i++)
        if (class_mask & (1u << table[i].cls))
            out[n++] = table[i].name;
    return n;
}

bool words_contain(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, word, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

bool builtin_is_window(const builtin *b)
{
    return b && b->cls == BI_TASK && b->arg_kinds && strcmp(b->arg_kinds, "W") == 0;
}

bool builtin_has_keyword(const builtin *b, const char *keyword)
{
    return words_contain(b->keywords, keyword);
}

int builtin_keyword_index(const builtin *b, const char *keyword)
{
    size_t len = strlen(keyword);
    int i = 0;
    for (const char *p = b ? b->keywords : NULL; p && *p; i++) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, keyword, n) == 0)
            return i;
        p += end ? n + 1 : n;
    }
    return -1;
}

const char *builtin_class_name(builtin_class cls)
{
    switch (cls) {
    case BI_MATH: return "a mathematical function";
    case BI_RANDOM: return "a random draw";
    case BI_TASK: return "a task signal";
    case BI_FILE: return "a file loader";
    case BI_INIT: return "a weight initialiser";
    case BI_RULE: return "a connection rule";
    case BI_ANALYSIS: return "an analysis";
    default: return "a function";
    }
}
