/* sgemm_rate [T B N NIN NOUT [SAMPLES]]
 *
 * Times OpenBLAS cblas_sgemm (row-major, float32) at the shapes one BPTT
 * update of a tanh RNN really uses (T steps, batch B, N units, NIN inputs,
 * NOUT linear outputs; defaults 340 128 100 3 3, the 3-bit flip-flop), and
 * at a large square 1024^3 for the machine's peak. Threads come from
 * OPENBLAS_NUM_THREADS. For every shape it prints one line
 *
 *   NAME M N K TRANSA TRANSB CALLS SECONDS_PER_CALL GFLOPS
 *
 * where CALLS is how many such calls one update makes and SECONDS_PER_CALL
 * is the median over SAMPLES samples (default 21). The per-step shapes are
 * timed as a whole sequence of T dependent-in-order calls that walk a
 * [T+1 x B x N] state buffer, as a real forward or backward pass does, so
 * their caches behave as in the update; the time is divided by T.
 *
 * Build: cc -O2 bench/sgemm_rate.c $(pkg-config --cflags --libs openblas)
 */
#define _POSIX_C_SOURCE 199309L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sqrt by Newton's method, so the program needs no -lm */
static float root(double x) {
    double r = x > 1.0 ? x : 1.0;
    for (int i = 0; i < 60; i++)
        r = 0.5 * (r + x / r);
    return (float)r;
}

static float *rand_floats(size_t n, unsigned *seed) {
    float *p = malloc(n * sizeof *p);
    if (!p) {
        fprintf(stderr, "sgemm_rate: out of memory (%zu floats)\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        p[i] = (float)((*seed >> 9) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

/* One shape: C[M x N] = op(A) op(B), op(A) is M x K, op(B) is K x N. */
typedef struct {
    const char *name;
    int m, n, k;
    int ta, tb;          /* transpose A / B */
    long calls;          /* calls per update */
    int steps;           /* >0: time a walk of this many per-step calls */
} Shape;

static double median_seconds(const Shape *s, int samples) {
    unsigned seed = 12345u;
    int lda = s->ta ? s->m : s->k;
    int ldb = s->tb ? s->k : s->n;
    int ldc = s->n;
    size_t a_rows = s->ta ? (size_t)s->k : (size_t)s->m;
    size_t b_rows = s->tb ? (size_t)s->n : (size_t)s->k;
    enum CBLAS_TRANSPOSE ta = s->ta ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = s->tb ? CblasTrans : CblasNoTrans;
    double *t = malloc((size_t)samples * sizeof *t);
    float *a, *b, *c;
    int steps = s->steps;
    if (steps > 0) {
        /* A is the state/adjoint of one step, walking through a buffer of
         * steps+1 slices; C is written into the next slice. B (the weight
         * matrix) is shared. */
        size_t slice = (size_t)s->m * (size_t)s->k;
        a = rand_floats(slice * (size_t)(steps + 1), &seed);
        b = rand_floats(b_rows * (size_t)ldb, &seed);
        /* scale the weights to variance 1/K so the walk neither blows up
         * nor decays into denormals (which would slow it down) */
        float scale = root(12.0 / s->k);
        for (size_t i = 0; i < b_rows * (size_t)ldb; i++)
            b[i] *= scale;
        c = NULL;
        for (int r = -2; r < samples; r++) {   /* two warm-up walks */
            double t0 = now();
            for (int i = 0; i < steps; i++)
                cblas_sgemm(CblasRowMajor, ta, tb, s->m, s->n, s->k, 1.0f,
                            a + slice * (size_t)i, lda, b, ldb, 0.0f,
                            a + slice * (size_t)(i + 1), ldc);
            double dt = (now() - t0) / steps;
            if (r >= 0) t[r] = dt;
            /* keep the values bounded: the walk multiplies by B each step */
            for (size_t i = 0; i < slice; i++)
                a[i] = a[slice * (size_t)steps + i] > 0.0f ? 0.25f : -0.25f;
        }
    } else {
        a = rand_floats(a_rows * (size_t)lda, &seed);
        b = rand_floats(b_rows * (size_t)ldb, &seed);
        c = rand_floats((size_t)s->m * (size_t)ldc, &seed);
        /* repeat small calls so each sample lasts at least about 5 ms */
        int reps = 1;
        double t0 = now();
        cblas_sgemm(CblasRowMajor, ta, tb, s->m, s->n, s->k, 1.0f, a, lda, b,
                    ldb, 0.0f, c, ldc);
        double one = now() - t0;
        if (one < 5e-3) reps = (int)(5e-3 / (one > 1e-7 ? one : 1e-7)) + 1;
        for (int r = -2; r < samples; r++) {
            t0 = now();
            for (int i = 0; i < reps; i++)
                cblas_sgemm(CblasRowMajor, ta, tb, s->m, s->n, s->k, 1.0f, a,
                            lda, b, ldb, 0.0f, c, ldc);
            double dt = (now() - t0) / reps;
            if (r >= 0) t[r] = dt;
        }
    }
    qsort(t, (size_t)samples, sizeof *t, cmp_double);
    double med = samples % 2 ? t[samples / 2]
                             : 0.5 * (t[samples / 2 - 1] + t[samples / 2]);
    free(t);
    free(a);
    free(b);
    free(c);
    return med;
}

int main(int argc, char **argv) {
    int T = argc > 1 ? atoi(argv[1]) : 340;
    int B = argc > 2 ? atoi(argv[2]) : 128;
    int N = argc > 3 ? atoi(argv[3]) : 100;
    int NIN = argc > 4 ? atoi(argv[4]) : 3;
    int NOUT = argc > 5 ? atoi(argv[5]) : 3;
    int samples = argc > 6 ? atoi(argv[6]) : 21;
    if (T <= 0 || B <= 0 || N <= 0 || NIN <= 0 || NOUT <= 0 || samples <= 0) {
        fprintf(stderr, "usage: sgemm_rate [T B N NIN NOUT [SAMPLES]]\n");
        return 2;
    }
    int TB = T * B;
    /* Row-major, weights stored [post x pre] as PyTorch stores them. */
    const Shape shapes[] = {
        /* forward recurrent step: H_t [B x N] x W_rec^T -> [B x N] */
        {"step_fwd", B, N, N, 0, 1, T, T},
        /* backward adjoint step: dI_t [B x N] x W_rec -> [B x N] */
        {"step_bwd", B, N, N, 0, 0, T, T},
        /* input projection, all steps at once: X [TB x NIN] x W_in^T */
        {"in_proj", TB, N, NIN, 0, 1, 1, 0},
        /* readout, all steps: H [TB x N] x W_out^T -> [TB x NOUT] */
        {"readout", TB, NOUT, N, 0, 1, 1, 0},
        /* readout adjoint: dY [TB x NOUT] x W_out -> [TB x N] */
        {"readout_adj", TB, N, NOUT, 0, 0, 1, 0},
        /* weight gradient of W_rec: dI^T [N x TB] x H [TB x N] */
        {"wgrad_rec", N, N, TB, 1, 0, 1, 0},
        /* weight gradient of W_in: dI^T [N x TB] x X [TB x NIN] */
        {"wgrad_in", N, NIN, TB, 1, 0, 1, 0},
        /* weight gradient of W_out: dY^T [NOUT x TB] x H [TB x N] */
        {"wgrad_out", NOUT, N, TB, 1, 0, 1, 0},
        /* the machine's peak */
        {"peak", 1024, 1024, 1024, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const Shape *s = &shapes[i];
        double sec = median_seconds(s, samples);
        double gflops = 2.0 * s->m * s->n * s->k / sec * 1e-9;
        printf("%s %d %d %d %c %c %ld %.9f %.3f\n", s->name, s->m, s->n, s->k,
               s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->calls, sec, gflops);
        fflush(stdout);
    }
    return 0;
}
