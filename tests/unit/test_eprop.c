/* test_eprop.c -- gradients of spiking networks against forward-mode
 * definitions computed here, independently of the runtime's passes.
 *
 * A small network (3 spike inputs -> 5 LIF or ALIF -> 2 leaky readouts,
 * recurrent h -> h, batch 2, 60 steps, loss sum_squared plus the rate
 * regulariser) is compiled by the real pipeline in float64. This file then
 * simulates it again with ir_eval on the neuron's own lowered equations and
 * carries derivatives forward in time:
 *
 *  1. RTRL: for every weight w, d(every state)/dw step by step through all
 *     paths (recurrent ones included). That is e-prop with the recurrent
 *     Jacobian's off-diagonal terms kept, and it is the exact surrogate
 *     gradient; the runtime's BPTT (a backward pass) must equal it to
 *     rounding (1e-9 relative).
 *  2. e-prop by its definition (Bellec et al. 2020, eqs. 13-14, 23-25, 28):
 *     per synapse i -> j an eligibility vector over neuron j's states,
 *     eps[t] = (d s_j'/d s_j) eps[t-1] + (d s_j'/d I_j) pre_i[t], derived
 *     here from the neuron's equations (for ALIF the two-variable trace,
 *     with the threshold's path through the spike), e[t] = d z_j[t]/d w,
 *     the learning signal L_j = sum_k B_kj err_k through the feedback
 *     weights, the eligibility filtered by the readout's kappa, and the rate
 *     regulariser's c (f_j - f0) mean_t e[t]. The runtime's learn eprop (a
 *     backward filter and GEMMs) must equal it to 1e-9: for ALIF this is
 *     the statement that e-prop is truncated BPTT.
 *
 * Spikes make the loss piecewise constant, so finite differences say
 * nothing here; both references are exact computations of the surrogate
 * gradient, so agreement is to rounding.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_net_internal.h"
#include "rt_rng.h"

enum { NI = 3, NH = 5, NY = 2, B = 2, T = 60, MAXK = 4 };

typedef struct fixture {
    frontend fe;
    frontend_options opts;
    plan p;
    rt_net *net;
    double targets[T * B * NY];
    void *target_ptr[1];
} fixture;

static const char *model(const char *neuron, const char *learn, char *buf, size_t size)
{
    snprintf(buf, size,
             "import neurons.lif\nimport neurons.rate\n"
             "task Spikes {\n  input x[3]\n  target y[2]\n  duration %d\n  x = bernoulli(0.3)\n  y = normal()\n}\n"
             "network Net {\n  input x[3]\n  pop h : %s[5](v_th = 0.03)\n"
             "  readout y : LeakyReadout[2](tau_out = 20 ms)\n"
             "  connect x -> h : all_to_all, init normal(0.5, 1)\n"
             "  connect h -> h : all_to_all, init normal(0, 0.8), no_autapses\n"
             "  connect h -> y : all_to_all, init normal(0, 1)\n"
             "  feedback y -> h : all_to_all, init normal(0, 1)\n}\n"
             "train Net on Spikes { learn %s\n loss sum_squared\n regularize rate(c = 3, f_target = 100 Hz)\n"
             " precision float64\n batch 2\n dt 1 ms }\n",
             T, neuron, learn);
    return buf;
}

static int fixture_init(fixture *f, const char *text)
{
    memset(f, 0, sizeof *f);
    if (compile_net(&f->fe, &f->opts, &f->p, &f->net, text, 3) != 0)
        return -1;
    double *x = rt_net_input(f->net, 0);
    for (size_t i = 0; i < T * B * NI; i++)
        x[i] = rt_rng_uniform(9, 1, i) < 0.3;
    for (size_t i = 0; i < T * B * NY; i++)
        f->targets[i] = rt_rng_normal(9, 2, i);
    f->target_ptr[0] = f->targets;
    return 0;
}

static void fixture_free(fixture *f)
{
    rt_net_free(f->net);
    plan_free(&f->p);
    frontend_free(&f->fe);
}

/* ------------------------------------------------------------ the reference */

/* A population's step as ir_eval sees it, with its Jacobians. */
typedef struct pop_eq {
    const neuron_ir *n;
    unsigned K;                                    /* states */
    ir_ref dnext[MAXK][MAXK + 1], dout[MAXK + 1];  /* d/d (states, port 0) */
} pop_eq;

static void pop_eq_init(pop_eq *e, neuron_ir *n)
{
    e->n = n;
    e->K = n->n_states;
    for (unsigned m = 0; m <= e->K; m++) {
        for (unsigned k = 0; k < e->K; k++)
            e->dnext[k][m] = ir_diff(&n->g, n->next[k], m);
        e->dout[m] = ir_diff(&n->g, n->out[0], m);
    }
}

static double eval(const pop_eq *e, ir_ref r, const double *s, double input)
{
    double vars[4 * MAXK + 8] = {0};
    memcpy(vars, s, e->K * sizeof *s);
    vars[e->K] = input;
    return ir_eval(&e->n->g, r, vars);
}

/* The weights in the reference's terms: [post][pre]. */
typedef struct weights {
    const double *in, *rec, *out, *fb;   /* fb: [NY][NH], B transposed */
} weights;

/* Which gradient to compute: every path (RTRL), or e-prop's. */
typedef enum mode { FULL, EPROP } mode;

/* The gradient of the loss with respect to every weight of W_in, W_rec and
 * W_out, by forward-mode differentiation; returns the loss. */
static double reference(const fixture *f, pop_eq *h, pop_eq *y, const weights *w, mode m, double *g_in,
                        double *g_rec, double *g_out)
{
    const double *x = rt_net_input(f->net, 0);
    const rt_pop *ph = &f->p.pops[0];
    double kappa = exp(-1e-3 / 20e-3), c = ph->rate_c, f0 = ph->rate_target;
    enum { NP = NH * NI + NH * NH + NY * NH };   /* parameters: in, rec, out */
    double loss = 0;
    memset(g_in, 0, sizeof(double) * NH * NI);
    memset(g_rec, 0, sizeof(double) * NH * NH);
    memset(g_out, 0, sizeof(double) * NY * NH);
    for (unsigned b = 0; b < B; b++) {
        static double sh[NH][MAXK], sy[NY][MAXK], dsh[NP][NH][MAXK], dsy[NP][NY][MAXK];
        static double oh[NH], doh[NP][NH], rate[NH], drate[NP][NH], filt[NP][NH];
        memset(dsh, 0, sizeof dsh);
        memset(dsy, 0, sizeof dsy);
        memset(doh, 0, sizeof doh);
        memset(drate, 0, sizeof drate);
        memset(filt, 0, sizeof filt);
        memset(rate, 0, sizeof rate);
        for (unsigned j = 0; j < NH; j++) {
            memcpy(sh[j], ph->state_init, h->K * sizeof(double));
            oh[j] = ph->output_init[0];
        }
        for (unsigned k = 0; k < NY; k++)
            memcpy(sy[k], f->p.pops[1].state_init, y->K * sizeof(double));
        for (unsigned t = 0; t < T; t++) {
            const double *xt = x + (t * B + b) * NI;
            double I[NH], nh[NH][MAXK], noh[NH];
            static double dI[NP][NH], dnh[NP][NH][MAXK], dnoh[NP][NH];
            for (unsigned j = 0; j < NH; j++) {
                I[j] = 0;
                for (unsigned i = 0; i < NI; i++)
                    I[j] += w->in[j * NI + i] * xt[i];
                for (unsigned i = 0; i < NH; i++)
                    I[j] += w->rec[j * NH + i] * oh[i];   /* lagged: last step's output */
            }
            for (unsigned q = 0; q < NP; q++)
                for (unsigned j = 0; j < NH; j++) {
                    double d = 0;
                    if (m == FULL)   /* the recurrent paths: e-prop drops them */
                        for (unsigned i = 0; i < NH; i++)
                            d += w->rec[j * NH + i] * doh[q][i];
                    if (q < NH * NI && q / NI == j)
                        d += xt[q % NI];
                    else if (q >= NH * NI && q < NH * NI + NH * NH && (q - NH * NI) / NH == j)
                        d += oh[(q - NH * NI) % NH];
                    dI[q][j] = d;
                }
            for (unsigned j = 0; j < NH; j++) {
                for (unsigned k = 0; k < h->K; k++)
                    nh[j][k] = eval(h, h->n->next[k], sh[j], I[j]);
                noh[j] = eval(h, h->n->out[0], sh[j], I[j]);
                double J[MAXK][MAXK + 1], Jo[MAXK + 1];
                for (unsigned a = 0; a <= h->K; a++) {
                    for (unsigned k = 0; k < h->K; k++)
                        J[k][a] = eval(h, h->dnext[k][a], sh[j], I[j]);
                    Jo[a] = eval(h, h->dout[a], sh[j], I[j]);
                }
                for (unsigned q = 0; q < NP; q++) {
                    for (unsigned k = 0; k < h->K; k++) {
                        double d = J[k][h->K] * dI[q][j];
                        for (unsigned a = 0; a < h->K; a++)
                            d += J[k][a] * dsh[q][j][a];
                        dnh[q][j][k] = d;
                    }
                    double d = Jo[h->K] * dI[q][j];
                    for (unsigned a = 0; a < h->K; a++)
                        d += Jo[a] * dsh[q][j][a];
                    dnoh[q][j] = d;
                }
            }
            memcpy(sh, nh, sizeof nh);
            memcpy(oh, noh, sizeof noh);
            memcpy(dsh, dnh, sizeof dnh);
            memcpy(doh, dnoh, sizeof dnoh);
            /* readouts: this step's spikes */
            double err[NY];
            for (unsigned k = 0; k < NY; k++) {
                double Iy = 0;
                for (unsigned j = 0; j < NH; j++)
                    Iy += w->out[k * NH + j] * oh[j];
                double ny[MAXK], J[MAXK][MAXK + 1], Jo[MAXK + 1];
                for (unsigned a = 0; a <= y->K; a++) {
                    for (unsigned s = 0; s < y->K; s++)
                        J[s][a] = eval(y, y->dnext[s][a], sy[k], Iy);
                    Jo[a] = eval(y, y->dout[a], sy[k], Iy);
                }
                double out = eval(y, y->n->out[0], sy[k], Iy);
                for (unsigned s = 0; s < y->K; s++)
                    ny[s] = eval(y, y->n->next[s], sy[k], Iy);
                err[k] = out - f->targets[(t * B + b) * NY + k];
                loss += 0.5 * err[k] * err[k] / B;
                for (unsigned q = 0; q < NP; q++) {
                    double dIy = 0;
                    for (unsigned j = 0; j < NH; j++)
                        dIy += w->out[k * NH + j] * doh[q][j];
                    if (q >= NH * NI + NH * NH && (q - NH * NI - NH * NH) / NH == k)
                        dIy += oh[(q - NH * NI - NH * NH) % NH];
                    double dy = Jo[y->K] * dIy, nd[MAXK];
                    for (unsigned a = 0; a < y->K; a++)
                        dy += Jo[a] * dsy[q][k][a];
                    for (unsigned s = 0; s < y->K; s++) {
                        nd[s] = J[s][y->K] * dIy;
                        for (unsigned a = 0; a < y->K; a++)
                            nd[s] += J[s][a] * dsy[q][k][a];
                    }
                    memcpy(dsy[q][k], nd, y->K * sizeof *nd);
                    if (m == FULL || q >= NH * NI + NH * NH) {   /* readout weights: exact in both */
                        double gq = err[k] * dy / B;
                        if (q < NH * NI) g_in[q] += gq;
                        else if (q < NH * NI + NH * NH) g_rec[q - NH * NI] += gq;
                        else g_out[q - NH * NI - NH * NH] += gq;
                    }
                }
                memcpy(sy[k], ny, y->K * sizeof *ny);
            }
            for (unsigned j = 0; j < NH; j++)
                rate[j] += oh[j] / T;
            for (unsigned q = 0; q < NP; q++)
                for (unsigned j = 0; j < NH; j++)
                    drate[q][j] += doh[q][j] / T;
            if (m == EPROP)   /* L_j[t] times the kappa-filtered eligibility e = d z_j / d w */
                for (unsigned q = 0; q < NH * NI + NH * NH; q++) {
                    unsigned j = q < NH * NI ? q / NI : (q - NH * NI) / NH;
                    filt[q][j] = kappa * filt[q][j] + (1 - kappa) * doh[q][j];
                    double L = 0;
                    for (unsigned k = 0; k < NY; k++)
                        L += w->fb[k * NH + j] * err[k];
                    double gq = L * filt[q][j] / B;
                    if (q < NH * NI) g_in[q] += gq;
                    else g_rec[q - NH * NI] += gq;
                }
        }
        for (unsigned j = 0; j < NH; j++) {   /* the rate regulariser, per sequence */
            double d = rate[j] - f0;
            loss += 0.5 * c * d * d / B;
            for (unsigned q = 0; q < NH * NI + NH * NH; q++) {
                double gq = c * d * drate[q][j] / B;
                if (q < NH * NI) g_in[q] += gq;
                else g_rec[q - NH * NI] += gq;
            }
        }
    }
    return loss;
}

static double worst(const double *a, const double *b, size_t n, double *scale)
{
    double w = 0, s = 0;
    for (size_t i = 0; i < n; i++)
        s = fmax(s, fabs(b[i]));
    for (size_t i = 0; i < n; i++)
        w = fmax(w, fabs(a[i] - b[i]) / fmax(s, 1e-12));
    *scale = s;
    return w;
}

static void check_against_reference(const char *neuron, const char *learn, mode m)
{
    char text[4096];
    fixture f;
    CHECK(fixture_init(&f, model(neuron, learn, text, sizeof text)) == 0);
    if (!f.net) {
        fixture_free(&f);
        return;
    }
    rt_net_forward(f.net);
    double loss = rt_net_loss(f.net, RT_LOSS_SUM_SQUARED, (const void *const *)f.target_ptr, NULL) +
                  rt_net_reg_loss(f.net);
    rt_net_backward(f.net);
    pop_eq h, y;
    pop_eq_init(&h, &f.p.neurons[0]);
    pop_eq_init(&y, &f.p.neurons[1]);
    weights w = {rt_net_weights(f.net, 0), rt_net_weights(f.net, 1), rt_net_weights(f.net, 2),
                 rt_net_feedback(f.net, 2)};
    if (m == EPROP)   /* random feedback through B, unless the readout weights are asked for */
        CHECK((w.fb != NULL) == (strstr(learn, "symmetric") == NULL));
    if (m == FULL || !w.fb)
        w.fb = w.out;
    double g_in[NH * NI], g_rec[NH * NH], g_out[NY * NH];
    double ref_loss = reference(&f, &h, &y, &w, m, g_in, g_rec, g_out);
    double spikes = 0;
    const double *z = rt_net_state_history(f.net, 0, (unsigned)f.p.neurons[0].spike_state);
    for (size_t i = 0; i < T * B * NH; i++)
        spikes += z[i];
    double s_in, s_rec, s_out;
    double e_in = worst(rt_net_weight_grad(f.net, 0), g_in, NH * NI, &s_in);
    double e_rec = worst(rt_net_weight_grad(f.net, 1), g_rec, NH * NH, &s_rec);
    double e_out = worst(rt_net_weight_grad(f.net, 2), g_out, NY * NH, &s_out);
    printf("%s, learn %s vs %s: %.0f spikes; loss %.12g (ref %.12g); worst relative error: "
           "in %.1e (|g| %.2g), rec %.1e (|g| %.2g), out %.1e (|g| %.2g)\n",
           neuron, learn, m == FULL ? "RTRL" : "e-prop traces", spikes, loss, ref_loss, e_in, s_in, e_rec,
           s_rec, e_out, s_out);
    CHECK(spikes > 20 && spikes < 0.8 * T * B * NH);   /* the surrogate is really exercised */
    CHECK(fabs(loss - ref_loss) <= 1e-10 * fabs(ref_loss));
    CHECK(s_in > 0 && s_rec > 0 && s_out > 0);
    CHECK(e_in < 1e-9);
    CHECK(e_rec < 1e-9);
    CHECK(e_out < 1e-9);
    if (m == EPROP) {   /* and e-prop is not BPTT here: the dropped recurrent paths matter */
        double f_in[NH * NI], f_rec[NH * NH], f_out[NY * NH], s;
        reference(&f, &h, &y, &w, FULL, f_in, f_rec, f_out);
        double d = worst(rt_net_weight_grad(f.net, 1), f_rec, NH * NH, &s);
        printf("  e-prop's recurrent gradient differs from BPTT's by %.2g relative\n", d);
        CHECK(d > 1e-4);   /* 0.28 with random B; 1e-3 with B = W_out, the recurrent paths alone */
    }
    fixture_free(&f);
}

int main(void)
{
    check_against_reference("LIF", "bptt", FULL);
    check_against_reference("ALIF", "bptt", FULL);
    check_against_reference("LIF", "eprop", EPROP);
    check_against_reference("ALIF", "eprop", EPROP);
    /* e-prop and BPTT must really differ: the recurrent paths matter here */
    check_against_reference("ALIF", "eprop(feedback = symmetric)", EPROP);
    return check_report();
}
