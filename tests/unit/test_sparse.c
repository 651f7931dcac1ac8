/* test_sparse.c -- sparse projections: the synapses a rule makes, and the
 * passes over them against the dense passes on the same network.
 *
 *   - rt_connect_build gives the same synapses on 1, 2 and 3 threads (each
 *     neuron's draws are keyed by the neuron, never by a thread), and they
 *     obey the rule: exactly k per post (fixed_indegree) or per pre
 *     (fixed_outdegree), distinct, sorted, no autapse when excluded; the
 *     count of fixed_probability(p) within 5 standard deviations of the
 *     binomial mean p n_pre n_post (a wrong p or a biased gap is off by
 *     hundreds of them at this size).
 *   - fixed_probability's gaps between a row's targets follow the geometric
 *     law P(gap = g) = (1 - p)^g p (Pearson's chi-squared over bins of about
 *     equal probability, under mean + 6 sd of the chi-squared law: seeded,
 *     so it cannot flake), for a p whose gaps are inverted by their
 *     logarithm (0.003), one looked up in the table whose tail is drawn
 *     afresh a few times in a thousand (0.006) and a common one (0.1).
 *   - A spiking network with 'storage sparse' and the same one with
 *     'storage dense' (whose mask is built from the same synapses) have
 *     the same weights and, in float32, the same bits in every state at
 *     every step: with at most RT_FEW_ROWS sequences the dense pass adds
 *     the rows of WT of the non-zero inputs in order of pre neuron, which
 *     is what the event-driven pass adds, minus the zeros of the missing
 *     synapses (adding +0 changes no sum).
 *   - The forward pass of one chunk cut into blocks of neurons on 1, 2 and
 *     3 threads gives the bits of the whole chunk on the calling thread.
 *   - BPTT in float64 on a sparse rate network equals the dense BPTT on the
 *     same mask at every synapse (1e-12 relative: the sums are the same
 *     terms in another order), and matches central differences of the loss
 *     (the independent reference; 1e-6 as test_backprop.c argues).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_connect.h"
#include "rt_net_internal.h"
#include "rt_pool.h"
#include "rt_rng.h"

#define LIF_IMPORTS "import neurons.lif\nimport neurons.rate"

static int same_csr(const rt_csr *a, const rt_csr *b)
{
    return a->nnz == b->nnz && a->n_pre == b->n_pre &&
           memcmp(a->row, b->row, (a->n_pre + 1) * sizeof *a->row) == 0 &&
           memcmp(a->post, b->post, a->nnz * sizeof *a->post) == 0;
}

/* Rows sorted and distinct, and no i -> i when AUTAPSES is 0. */
static int rows_valid(const rt_csr *c, int autapses)
{
    for (size_t k = 0; k < c->n_pre; k++)
        for (size_t s = c->row[k]; s < c->row[k + 1]; s++) {
            if (c->post[s] >= c->n_post || (!autapses && c->post[s] == k))
                return 0;
            if (s > c->row[k] && c->post[s] <= c->post[s - 1])
                return 0;
        }
    return 1;
}

static void check_rule(const char *label, rt_connect c, size_t n_pre, size_t n_post)
{
    rt_pool *two = rt_pool_new(2), *three = rt_pool_new(3);
    rt_csr one, a, b;
    char err[256];
    int ok = rt_connect_build(&c, n_pre, n_post, NULL, &one, err, sizeof err) == 0 &&
             rt_connect_build(&c, n_pre, n_post, two, &a, err, sizeof err) == 0 &&
             rt_connect_build(&c, n_pre, n_post, three, &b, err, sizeof err) == 0;
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "%s: %s\n", label, err);
        return;
    }
    CHECK(same_csr(&one, &a) && same_csr(&one, &b));
    CHECK(rows_valid(&one, c.autapses));
    size_t allowed = c.autapses ? 0 : 1;
    if (c.kind == RT_CONNECT_FIXED_OUTDEGREE)
        for (size_t k = 0; k < n_pre; k++)
            CHECK(one.row[k + 1] - one.row[k] == c.k);
    if (c.kind == RT_CONNECT_FIXED_INDEGREE) {
        size_t *in = calloc(n_post, sizeof *in);
        for (size_t s = 0; s < one.nnz; s++)
            in[one.post[s]]++;
        size_t bad = 0;
        for (size_t i = 0; i < n_post; i++)
            bad += in[i] != c.k;
        CHECK(bad == 0);
        free(in);
    }
    if (c.kind == RT_CONNECT_FIXED_PROBABILITY) {
        double pairs = (double)n_pre * (double)n_post - (double)(allowed * n_pre);
        double mean = c.p * pairs, sd = sqrt(pairs * c.p * (1 - c.p));
        printf("%-30s %zu synapses, expected %.0f +- %.0f\n", label, one.nnz, mean, sd);
        CHECK(fabs((double)one.nnz - mean) < 5 * sd);
    }
    if (c.kind == RT_CONNECT_ONE_TO_ONE)
        CHECK(one.nnz == (c.autapses ? (n_pre < n_post ? n_pre : n_post) : 0));
    rt_csr_free(&one);
    rt_csr_free(&a);
    rt_csr_free(&b);
    rt_pool_free(two);
    rt_pool_free(three);
}

static void check_rules(void)
{
    rt_connect base = {.autapses = 1, .seed = 7, .stream = 11};
    rt_connect c = base;
    c.kind = RT_CONNECT_FIXED_PROBABILITY, c.p = 0.1;
    check_rule("fixed_probability(0.1)", c, 3001, 2003);
    c.autapses = 0;
    check_rule("fixed_probability, no autapses", c, 2003, 2003);
    c = base, c.kind = RT_CONNECT_FIXED_INDEGREE, c.k = 37;
    check_rule("fixed_indegree(37)", c, 1500, 2100);
    c.autapses = 0;
    check_rule("fixed_indegree, no autapses", c, 1500, 1500);
    c = base, c.kind = RT_CONNECT_FIXED_OUTDEGREE, c.k = 21;
    check_rule("fixed_outdegree(21)", c, 1700, 900);
    c.autapses = 0;
    check_rule("fixed_outdegree, no autapses", c, 900, 900);
    c = base, c.kind = RT_CONNECT_ONE_TO_ONE;
    check_rule("one_to_one", c, 700, 700);
    /* a list: out of order, an autapse dropped without autapses; rows sorted */
    static const uint32_t pre[] = {4, 0, 4, 2, 2, 1}, post[] = {0, 3, 2, 2, 1, 3};
    rt_connect l = base;
    l.kind = RT_CONNECT_LIST, l.list_pre = pre, l.list_post = post, l.list_n = 6, l.autapses = 0;
    rt_csr lc;
    CHECK(rt_connect_build(&l, 5, 4, NULL, &lc, NULL, 0) == 0);
    static const size_t want_row[] = {0, 1, 2, 3, 3, 5};
    static const uint32_t want_post[] = {3, 3, 1, 0, 2};
    CHECK(lc.nnz == 5 && memcmp(lc.row, want_row, sizeof want_row) == 0 &&
          memcmp(lc.post, want_post, sizeof want_post) == 0);
    rt_csr_free(&lc);
    /* another seed, another network */
    rt_connect s1 = base, s2 = base;
    s1.kind = s2.kind = RT_CONNECT_FIXED_PROBABILITY;
    s1.p = s2.p = 0.2;
    s2.seed = 8;
    rt_csr a, b;
    CHECK(rt_connect_build(&s1, 300, 300, NULL, &a, NULL, 0) == 0 &&
          rt_connect_build(&s2, 300, 300, NULL, &b, NULL, 0) == 0);
    CHECK(!same_csr(&a, &b));
    rt_csr_free(&a);
    rt_csr_free(&b);
}

/* A network of NEURON with input, recurrent and readout projections under
 * RULE, every one of them stored STORAGE. */
static const char *model_text(const char *imports, const char *neuron, const char *rule, const char *storage,
                              const char *precision, int batch, char *buf, size_t size)
{
    snprintf(buf, size,
             "%s\n"
             "task Noise(steps = 30) {\n  input x[40]\n  target y[2]\n  duration steps\n"
             "  x = normal()\n  y = normal()\n}\n"
             "network Net {\n  input x[40]\n  pop h : %s\n  readout y : Linear[2]\n"
             "  connect x -> h : %s, init normal(0, 1), storage %s\n"
             "  connect h -> h : %s, no_autapses, init normal(0, 0.5), storage %s\n"
             "  connect h -> y : all_to_all, init normal(0, 0.3), bias normal(0, 1)\n}\n"
             "train Net on Noise { precision %s\n batch %d\n dt 1 ms }\n",
             imports, neuron, rule, storage, rule, storage, precision, batch);
    return buf;
}

typedef struct fixture {
    frontend fe;
    frontend_options opts;
    plan p;
    rt_net *net;
    void *targets[1];
} fixture;

/* Inputs: 0/1 spikes with probability 0.2 (SPIKES) or normal numbers. */
static int fixture_init(fixture *f, const char *text, int spikes)
{
    memset(f, 0, sizeof *f);
    if (compile_net(&f->fe, &f->opts, &f->p, &f->net, text, 3) != 0)
        return -1;
    size_t B = f->p.settings.batch, T = f->p.task.steps;
    void *x = rt_net_input(f->net, 0);
    f->targets[0] = calloc(T * B * 2, sizeof(double));
    for (size_t i = 0; i < T * B * 40; i++)
        rt_real_put(f->p.is_double, x, i, spikes ? rt_rng_uniform(5, 1, i) < 0.2 : rt_rng_normal(5, 1, i));
    for (size_t i = 0; i < T * B * 2; i++)
        rt_real_put(f->p.is_double, f->targets[0], i, rt_rng_normal(5, 2, i));
    return 0;
}

static void fixture_free(fixture *f)
{
    free(f->targets[0]);
    rt_net_free(f->net);
    plan_free(&f->p);
    frontend_free(&f->fe);
}

/* Weight S of sparse projection J of F as the dense index of G. */
static size_t dense_index(const fixture *f, unsigned j, size_t s, size_t *pre)
{
    const rt_csr *c = rt_net_synapses(f->net, j);
    size_t k = 0;
    while (c->row[k + 1] <= s)
        k++;
    *pre = k;
    return (size_t)c->post[s] * f->p.rt_projs[j].n_pre + k;
}

/* Whether every weight of sparse F is dense G's at its place, and G has 0
 * wherever F has no synapse. */
static int same_weights(fixture *f, fixture *g, unsigned j)
{
    const rt_proj *rp = &f->p.rt_projs[j];
    size_t cells = rp->n_post * rp->n_pre, nnz = rt_net_weight_count(f->net, j), pre, nonzero = 0;
    const void *ws = rt_net_weights(f->net, j), *wd = rt_net_weights(g->net, j);
    for (size_t s = 0; s < nnz; s++)
        if (rt_real_get(f->p.is_double, ws, s) != rt_real_get(g->p.is_double, wd, dense_index(f, j, s, &pre)))
            return 0;
    for (size_t i = 0; i < cells; i++)
        nonzero += rt_real_get(g->p.is_double, wd, i) != 0;
    return nonzero <= nnz;
}

static void check_event_driven_equals_dense(int batch)
{
    char ts[4096], td[4096];
    fixture fs, fd;
    memset(&fd, 0, sizeof fd);
    const char *rule = "fixed_probability(0.2)";
    int ok = fixture_init(&fs, model_text(LIF_IMPORTS, "LIF[300](tau_m = 5 ms, v_th = 0.3)", rule, "sparse", "float32",
                                          batch, ts, sizeof ts), 1) == 0 &&
             fixture_init(&fd, model_text(LIF_IMPORTS, "LIF[300](tau_m = 5 ms, v_th = 0.3)", rule, "dense", "float32",
                                          batch, td, sizeof td), 1) == 0;
    CHECK(ok);
    if (ok) {
        CHECK(fs.p.rt_projs[0].sparse && fs.p.rt_projs[1].sparse && !fd.p.rt_projs[1].sparse);
        CHECK(same_weights(&fs, &fd, 0) && same_weights(&fs, &fd, 1));
        rt_net_forward(fs.net);
        rt_net_forward(fd.net);
        size_t T = fs.p.task.steps, n = 300, spikes = 0, differ = 0;
        const float *zs = rt_net_output_history(fs.net, 0, 0), *zd = rt_net_output_history(fd.net, 0, 0);
        const float *vs = rt_net_state_history(fs.net, 0, 0), *vd = rt_net_state_history(fd.net, 0, 0);
        for (size_t i = 0; i < T * (size_t)batch * n; i++) {
            spikes += zs[i] != 0;
            differ += zs[i] != zd[i] || memcmp(&vs[i], &vd[i], sizeof *vs) != 0;
        }
        printf("event-driven vs dense, batch %d: %zu spikes, %zu of %zu values differ\n", batch, spikes, differ,
               T * (size_t)batch * n);
        /* a network that never or always spikes would test nothing */
        CHECK(spikes > T * n / 50 && spikes < T * (size_t)batch * n / 2);
        CHECK(differ == 0);
    }
    fixture_free(&fs);
    fixture_free(&fd);
}

static double loss_of(fixture *f)
{
    rt_net_forward(f->net);
    return rt_net_mse(f->net, (const void *const *)f->targets, NULL);
}

static void check_gradients(void)
{
    char ts[4096], td[4096];
    fixture fs, fd;
    memset(&fd, 0, sizeof fd);
    const char *rule = "fixed_probability(0.3)";
    int ok = fixture_init(&fs, model_text("import neurons.rate", "TanhRate[20]", rule, "sparse", "float64", 3, ts,
                                          sizeof ts), 0) == 0 &&
             fixture_init(&fd, model_text("import neurons.rate", "TanhRate[20]", rule, "dense", "float64", 3, td,
                                          sizeof td), 0) == 0;
    CHECK(ok);
    if (!ok) {
        fixture_free(&fs);
        fixture_free(&fd);
        return;
    }
    double ls = loss_of(&fs), ld = loss_of(&fd);
    CHECK_NEAR(ls, ld, 1e-12 * fabs(ld));
    rt_net_backward(fs.net);
    rt_net_backward(fd.net);
    double worst_dense = 0, worst_fd = 0;
    for (unsigned j = 0; j < 2; j++) {
        size_t nnz = rt_net_weight_count(fs.net, j), pre;
        double *w = rt_net_weights(fs.net, j);
        const double *gs = rt_net_weight_grad(fs.net, j), *gd = rt_net_weight_grad(fd.net, j);
        double *grad = malloc(nnz * sizeof *grad);
        memcpy(grad, gs, nnz * sizeof *grad);
        for (size_t s = 0; s < nnz; s++) {
            double want = gd[dense_index(&fs, j, s, &pre)];
            worst_dense = fmax(worst_dense, fabs(grad[s] - want) / fmax(fabs(want), 1e-3));
            double keep = w[s], h = 1e-5;
            w[s] = keep + h;
            double up = loss_of(&fs);
            w[s] = keep - h;
            double down = loss_of(&fs);
            w[s] = keep;
            double diff = (up - down) / (2 * h);
            worst_fd = fmax(worst_fd, fabs(diff - grad[s]) / fmax(fabs(diff), 1e-3));
        }
        free(grad);
    }
    printf("sparse BPTT: worst relative difference %.2e to dense, %.2e to finite differences\n", worst_dense, worst_fd);
    CHECK(worst_dense < 1e-12);
    CHECK(worst_fd < 1e-6);
    fixture_free(&fs);
    fixture_free(&fd);
}

/* The forward pass of a batch of 2 over 5000 neurons on no pool (the chunk
 * path), and on pools of 1, 2 and 3 threads (one block of neurons per
 * thread, at least RT_NEURON_BLOCK each: the whole, 2 and 3 blocks): every
 * state at every step the same bits. */
static void check_threads(void)
{
    char text[4096];
    fixture f;
    memset(&f, 0, sizeof f);
    int ok = fixture_init(&f, model_text(LIF_IMPORTS, "LIF[5000](tau_m = 5 ms, v_th = 0.3)",
                                         "fixed_probability(0.05)", "sparse", "float32", 2, text, sizeof text), 1) == 0;
    CHECK(ok);
    if (!ok) {
        fixture_free(&f);
        return;
    }
    size_t count = f.p.task.steps * 2 * 5000, spikes = 0;
    float *ref = malloc(2 * count * sizeof *ref);
    rt_net_forward(f.net);
    memcpy(ref, rt_net_state_history(f.net, 0, 0), count * sizeof *ref);
    memcpy(ref + count, rt_net_output_history(f.net, 0, 0), count * sizeof *ref);
    for (size_t i = 0; i < count; i++)
        spikes += ref[count + i] != 0;
    CHECK(spikes > count / 100);
    for (int threads = 1; threads <= 3; threads++) {
        rt_pool *pool = rt_pool_new(threads);
        rt_net_set_pool(f.net, pool);
        rt_net_forward(f.net);
        int same = memcmp(ref, rt_net_state_history(f.net, 0, 0), count * sizeof *ref) == 0 &&
                   memcmp(ref + count, rt_net_output_history(f.net, 0, 0), count * sizeof *ref) == 0;
        printf("forward by blocks of neurons on %d thread%s: %s (%zu spikes)\n", threads, threads > 1 ? "s" : "",
               same ? "the same bits" : "DIFFERENT", spikes);
        CHECK(same);
        rt_net_set_pool(f.net, NULL);
        rt_pool_free(pool);
    }
    free(ref);
    fixture_free(&f);
}

/* Pearson's chi-squared of the gaps of a long row against the geometric law. */
static void check_gaps(double p)
{
    rt_connect c = {.autapses = 1, .seed = 3, .stream = 5, .kind = RT_CONNECT_FIXED_PROBABILITY, .p = p};
    size_t n_pre = 4, n_post = 2000000;
    rt_csr csr;
    CHECK(rt_connect_build(&c, n_pre, n_post, NULL, &csr, NULL, 0) == 0);
    enum { BINS = 40 };
    size_t edge[BINS + 1], count[BINS] = {0}, gaps = 0;   /* bin b holds gaps in [edge[b], edge[b + 1]) */
    double q = 1 - p;
    edge[0] = 0;
    for (int b = 1; b < BINS; b++)   /* P(gap < g) = 1 - q^g crosses b / BINS */
        edge[b] = (size_t)ceil(log1p(-(double)b / BINS) / log(q));
    edge[BINS] = SIZE_MAX;
    for (size_t k = 0; k < n_pre; k++)
        for (size_t s = csr.row[k]; s < csr.row[k + 1]; s++) {
            size_t g = s == csr.row[k] ? csr.post[s] : csr.post[s] - csr.post[s - 1] - 1;
            int b = 0;
            while (g >= edge[b + 1])
                b++;
            count[b]++;
            gaps++;
        }
    double chi2 = 0;
    int df = -1;
    for (int b = 0; b < BINS; b++) {
        double lo = pow(q, (double)edge[b]), hi = b + 1 < BINS ? pow(q, (double)edge[b + 1]) : 0;
        double expect = (double)gaps * (lo - hi);
        if (expect <= 0)
            continue;   /* a bin two equal edges left empty */
        chi2 += ((double)count[b] - expect) * ((double)count[b] - expect) / expect;
        df++;
    }
    printf("fixed_probability(%g): %zu gaps, chi-squared %.1f on %d degrees of freedom\n", p, gaps, chi2, df);
    CHECK(gaps > 1000 && chi2 < df + 6 * sqrt(2.0 * df));
    rt_csr_free(&csr);
}

int main(void)
{
    check_gaps(0.003);
    check_gaps(0.006);
    check_gaps(0.1);
    check_threads();
    check_rules();
    check_event_driven_equals_dense(1);
    check_event_driven_equals_dense(3);
    check_gradients();
    return check_report();
}
