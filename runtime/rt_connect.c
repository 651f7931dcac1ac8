/* rt_connect.c -- connection rules into CSR synapses (see rt_connect.h).
 *
 * Every rule is built in two passes over blocks of neurons, the blocks in
 * parallel. The per-pre rules draw each block's rows into a buffer of its
 * own in the first pass and copy them into place in the second, once the
 * counts give the offsets; fixed_indegree, drawn per post, draws twice (to
 * count, then to place) so that no [n_post][k] copy is held. A block is
 * fixed by the data, never by the thread count. */
#include "rt_connect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_pool.h"
#include "rt_rng.h"

enum { CONNECT_BLOCK = 512 };   /* neurons per task */

typedef struct build {
    const rt_connect *c;
    size_t n_pre, n_post;
    rt_csr *csr;
    size_t *count;              /* pass 1: synapses per pre */
    size_t *cursor;             /* the second pass of a per-post rule: the next free place of each pre row */
    size_t k;                   /* fixed_indegree: the in-degree, at most the allowed pre neurons */
    uint32_t *scratch;          /* fixed_indegree: [block][k] drawn pre neurons */
    size_t block0;              /* fixed_indegree: the first post of the block being drawn */
    uint32_t **block_rows;      /* per-pre rules: each block's rows, between the passes */
    const struct gap_table *gaps;   /* fixed_probability: the gaps' table, or NULL: by their logarithm */
    int failed;
} build;

/* fixed_probability's gap to the next target is geometric, P(gap = g) =
 * (1 - p)^g p, so gap = floor(log(1 - u) / log(1 - p)) for a uniform u.
 * Where 1 - p to the GAP_TABLE is at most 2^-8 the gap is looked up
 * instead, by the same inversion: the smallest g with u < F(g) = 1 - (1 -
 * p)^(g + 1), from Chen & Asau's guide table; a u past the table's last
 * entry gives GAP_TABLE plus a gap drawn afresh (the geometric forgets its
 * past), so the law is the same, a few times faster than the logarithm. */
enum { GAP_TABLE = 1024 };
typedef struct gap_table {
    double cdf[GAP_TABLE];       /* F(0), F(1), ... */
    uint16_t guide[GAP_TABLE];   /* guide[g]: the entries at or below g / GAP_TABLE */
} gap_table;

static int gap_table_make(double p, gap_table *t)
{
    double lq = log1p(-p);
    if (!(p > 0 && p < 1) || lq * GAP_TABLE > -8 * log(2.0))
        return 0;
    for (unsigned g = 0; g < GAP_TABLE; g++)
        t->cdf[g] = -expm1((double)(g + 1) * lq);
    unsigned k = 0;
    for (unsigned g = 0; g < GAP_TABLE; g++) {
        while (k < GAP_TABLE && t->cdf[k] <= (double)g / GAP_TABLE)
            k++;
        t->guide[g] = (uint16_t)k;
    }
    return 1;
}

/* The gap for U, or GAP_TABLE when U is past the table (draw again and add). */
static double gap_lookup(const gap_table *t, double u)
{
    unsigned k = t->guide[(unsigned)(u * GAP_TABLE)];
    while (k < GAP_TABLE && t->cdf[k] <= u)
        k++;
    return (double)k;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* K distinct values of [0, N) without SELF (SELF >= N: none excluded) into
 * OUT, by Floyd's sampling over the N' = N or N - 1 allowed values; MARK
 * has N' entries, all 0, and is left so. Counter j of the neuron's stream. */
static void floyd(uint64_t seed, uint64_t stream, size_t n, size_t self, size_t k, unsigned char *mark,
                  uint32_t *out)
{
    size_t m = self < n ? n - 1 : n, got = 0;
    if (k > m)
        k = m;
    for (size_t j = m - k; j < m; j++) {
        size_t t = (size_t)rt_rng_randint(seed, stream, j, 0, (int64_t)j + 1);
        if (mark[t])
            t = j;
        mark[t] = 1;
        out[got++] = (uint32_t)t;
    }
    for (size_t i = 0; i < got; i++) {
        mark[out[i]] = 0;
        if (out[i] >= self)   /* the values past SELF shift up by one */
            out[i]++;
    }
}

/* Pre neuron K's post neurons under the per-pre rules, in ascending order
 * into OUT (NULL: only counted); MARK as floyd's. */
static size_t pre_row(const build *b, size_t k, uint32_t *out, unsigned char *mark)
{
    const rt_connect *c = b->c;
    size_t n = b->n_post, self = c->autapses ? SIZE_MAX : k, got = 0;
    uint64_t stream = rt_rng_stream(c->stream, k);
    switch (c->kind) {
    case RT_CONNECT_ALL:
        for (size_t i = 0; i < n; i++)
            if (i != self && out)
                out[got++] = (uint32_t)i;
            else if (i != self)
                got++;
        return got;
    case RT_CONNECT_ONE_TO_ONE:
        if (k < n && k != self && out)
            out[0] = (uint32_t)k;
        return k < n && k != self;
    case RT_CONNECT_FIXED_PROBABILITY: {
        /* the gap to the next target is geometric: P(gap = g) = (1 - p)^g p */
        if (!(c->p > 0))
            return 0;
        double scale = c->p < 1 ? 1 / log1p(-c->p) : 0;
        /* the uniforms drawn PIECE at a time (rt_rng_uniform_many), the same
         * numbers as one by one; a short row draws few to spare */
        enum { PIECE = 64 };
        double gap[PIECE];
        size_t piece = c->p * (double)n >= PIECE ? PIECE : 8, used = piece;
        uint64_t draw = 0;
        for (double i = -1;;) {
            if (used == piece) {   /* the piece's gaps apart from the walk, which then only adds */
                rt_rng_uniform_many(c->seed, stream, draw, piece, gap);
                for (size_t j = 0; j < piece; j++)
                    gap[j] = b->gaps ? gap_lookup(b->gaps, gap[j]) : floor(log1p(-gap[j]) * scale);
                draw += piece;
                used = 0;
            }
            if (gap[used] >= GAP_TABLE && b->gaps) {   /* past the table: GAP_TABLE more, and on */
                i += gap[used++];
                if (i + 1 >= (double)n)
                    return got;
                continue;
            }
            i += 1 + gap[used++];
            if (i >= (double)n)
                return got;
            if ((size_t)i == self)
                continue;
            if (out)
                out[got] = (uint32_t)i;
            got++;
        }
    }
    case RT_CONNECT_FIXED_OUTDEGREE: {
        size_t m = self < n ? n - 1 : n, kk = c->k < m ? c->k : m;
        if (!out)
            return kk;
        floyd(c->seed, stream, n, self, kk, mark, out);
        qsort(out, kk, sizeof *out, cmp_u32);
        return kk;
    }
    default:
        return 0;
    }
}

/* A block of pre neurons' rows, drawn once into the block's own buffer
 * (grown as needed), their counts into COUNT; fill_pre_task copies it into
 * place once the rows' offsets are known. */
static void draw_pre_task(void *ctx, unsigned task)
{
    build *b = ctx;
    size_t lo = (size_t)task * CONNECT_BLOCK, hi = lo + CONNECT_BLOCK < b->n_pre ? lo + CONNECT_BLOCK : b->n_pre;
    /* room for a row's most synapses before it is drawn */
    size_t widest = b->c->kind == RT_CONNECT_FIXED_OUTDEGREE ? b->c->k + 1
                    : b->c->kind == RT_CONNECT_ONE_TO_ONE    ? 1
                                                             : b->n_post;
    size_t cap = 1024, len = 0;
    unsigned char *mark = b->c->kind == RT_CONNECT_FIXED_OUTDEGREE ? calloc(b->n_post + 1, 1) : NULL;
    uint32_t *buf = malloc(cap * sizeof *buf);
    int ok = buf && (mark || b->c->kind != RT_CONNECT_FIXED_OUTDEGREE);
    for (size_t k = lo; ok && k < hi; k++) {
        if (len + widest > cap) {
            while (len + widest > cap)
                cap *= 2;
            uint32_t *grown = realloc(buf, cap * sizeof *buf);
            ok = grown != NULL;
            buf = ok ? grown : buf;
        }
        if (ok)
            len += b->count[k] = pre_row(b, k, buf + len, mark);
    }
    free(mark);
    if (!ok) {
        free(buf);
        buf = NULL;
        b->failed = 1;
    }
    b->block_rows[task] = buf;
}

static void fill_pre_task(void *ctx, unsigned task)
{
    build *b = ctx;
    size_t lo = (size_t)task * CONNECT_BLOCK, hi = lo + CONNECT_BLOCK < b->n_pre ? lo + CONNECT_BLOCK : b->n_pre;
    memcpy(b->csr->post + b->csr->row[lo], b->block_rows[task], (b->csr->row[hi] - b->csr->row[lo]) * sizeof(uint32_t));
    free(b->block_rows[task]);
    b->block_rows[task] = NULL;
}

/* fixed_indegree: the k pre neurons of each post of the block at BLOCK0,
 * into SCRATCH [block][k]. */
static void draw_indegree_task(void *ctx, unsigned task)
{
    build *b = ctx;
    size_t post = b->block0 + task, k = b->k;
    if (post >= b->n_post)
        return;
    unsigned char *mark = calloc(b->n_pre + 1, 1);
    if (!mark) {
        b->failed = 1;
        return;
    }
    size_t self = b->c->autapses ? SIZE_MAX : post;
    floyd(b->c->seed, rt_rng_stream(b->c->stream, post), b->n_pre, self, k, mark, b->scratch + (size_t)task * k);
    free(mark);
}

/* fixed_indegree's k pre per post, drawn per post neuron (counter j of the
 * post's stream) in blocks of posts, and transposed into rows by pre in
 * order of post, so every row is sorted. FILL 0: only counted. */
static int indegree_pass(build *b, struct rt_pool *pool, int fill)
{
    size_t m = b->c->autapses ? b->n_pre : b->n_pre - (b->n_pre > 0), k = b->c->k < m ? b->c->k : m;
    build kb = *b;
    kb.k = k;
    kb.scratch = malloc((size_t)CONNECT_BLOCK * (k ? k : 1) * sizeof *kb.scratch);
    if (!kb.scratch)
        return -1;
    for (size_t b0 = 0; b0 < b->n_post && !kb.failed; b0 += CONNECT_BLOCK) {
        kb.block0 = b0;
        size_t len = b->n_post - b0 < CONNECT_BLOCK ? b->n_post - b0 : CONNECT_BLOCK;
        rt_pool_run(pool, (unsigned)len, draw_indegree_task, &kb);
        for (size_t i = 0; i < len * k; i++) {
            uint32_t pre = kb.scratch[i];
            if (fill)
                b->csr->post[b->cursor[pre]++] = (uint32_t)(b0 + i / k);
            else
                b->count[pre]++;
        }
    }
    free(kb.scratch);
    return kb.failed ? -1 : 0;
}

/* A list of pairs: counted by pre, placed in order, each row sorted; a pair
 * out of range or given twice is an error. */
static int list_rows(build *b, int fill, char *err, size_t err_size)
{
    const rt_connect *c = b->c;
    for (size_t i = 0; i < c->list_n; i++) {
        if (c->list_pre[i] >= b->n_pre || c->list_post[i] >= b->n_post)
            return rt_error(err, err_size, "connection %zu (%u -> %u) is out of range: %zu pre and %zu post neurons",
                            i, c->list_pre[i], c->list_post[i], b->n_pre, b->n_post);
        if (!c->autapses && c->list_pre[i] == c->list_post[i])
            continue;   /* no_autapses drops them */
        if (fill)
            b->csr->post[b->cursor[c->list_pre[i]]++] = c->list_post[i];
        else
            b->count[c->list_pre[i]]++;
    }
    for (size_t k = 0; fill && k < b->n_pre; k++) {
        uint32_t *row = b->csr->post + b->csr->row[k];
        size_t len = b->csr->row[k + 1] - b->csr->row[k];
        qsort(row, len, sizeof *row, cmp_u32);
        for (size_t s = 1; s < len; s++)
            if (row[s] == row[s - 1])
                return rt_error(err, err_size, "the connection %zu -> %u is given twice", k, row[s]);
    }
    return 0;
}

static int run_pass(build *b, struct rt_pool *pool, int fill, char *err, size_t err_size)
{
    if (b->c->kind == RT_CONNECT_LIST)
        return list_rows(b, fill, err, err_size);
    if (b->c->kind == RT_CONNECT_FIXED_INDEGREE)
        return indegree_pass(b, pool, fill) == 0 ? 0 : rt_error(err, err_size, "out of memory for the connections");
    unsigned tasks = (unsigned)((b->n_pre + CONNECT_BLOCK - 1) / CONNECT_BLOCK);
    if (!fill && !(b->block_rows = calloc(tasks + 1, sizeof *b->block_rows)))
        return rt_error(err, err_size, "out of memory for the connections");
    rt_pool_run(pool, tasks, fill ? fill_pre_task : draw_pre_task, b);
    return b->failed ? rt_error(err, err_size, "out of memory for the connections") : 0;
}

int rt_connect_build(const rt_connect *c, size_t n_pre, size_t n_post, struct rt_pool *pool, rt_csr *out,
                     char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->n_pre = n_pre;
    out->n_post = n_post;
    if (n_post > UINT32_MAX || n_pre > UINT32_MAX)
        return rt_error(err, err_size, "%zu x %zu neurons: a sparse projection indexes at most 2^32 per side",
                        n_post, n_pre);
    build b = {.c = c, .n_pre = n_pre, .n_post = n_post, .csr = out};
    gap_table gaps;
    if (c->kind == RT_CONNECT_FIXED_PROBABILITY && gap_table_make(c->p, &gaps))
        b.gaps = &gaps;
    b.count = calloc(n_pre + 1, sizeof *b.count);
    out->row = malloc((n_pre + 1) * sizeof *out->row);
    int rc = b.count && out->row ? run_pass(&b, pool, 0, err, err_size)
                                 : rt_error(err, err_size, "out of memory for the connections");
    if (rc == 0) {
        out->row[0] = 0;
        for (size_t k = 0; k < n_pre; k++)
            out->row[k + 1] = out->row[k] + b.count[k];
        out->nnz = out->row[n_pre];
        out->post = malloc((out->nnz ? out->nnz : 1) * sizeof *out->post);
        b.cursor = b.count;   /* reused: the next free place of each row */
        memcpy(b.cursor, out->row, n_pre * sizeof *b.cursor);
        rc = out->post ? run_pass(&b, pool, 1, err, err_size)
                       : rt_error(err, err_size, "out of memory for the %zu synapses", out->nnz);
    }
    free(b.count);
    for (size_t t = 0; b.block_rows && t < (n_pre + CONNECT_BLOCK - 1) / CONNECT_BLOCK; t++)
        free(b.block_rows[t]);   /* left by a failure */
    free(b.block_rows);
    if (rc != 0)
        rt_csr_free(out);
    return rc;
}

void rt_csr_free(rt_csr *csr)
{
    free(csr->row);
    free(csr->post);
    csr->row = NULL;
    csr->post = NULL;
    csr->nnz = 0;
}

double rt_connect_density(const rt_connect *c, size_t n_pre, size_t n_post)
{
    double cells = (double)n_pre * (double)n_post;
    if (!(cells > 0))
        return 0;
    switch (c->kind) {
    case RT_CONNECT_ALL: return 1;
    case RT_CONNECT_ONE_TO_ONE: return (double)(n_pre < n_post ? n_pre : n_post) / cells;
    case RT_CONNECT_FIXED_PROBABILITY: return c->p;
    case RT_CONNECT_FIXED_INDEGREE: return fmin(1, (double)c->k / (double)n_pre);
    case RT_CONNECT_FIXED_OUTDEGREE: return fmin(1, (double)c->k / (double)n_post);
    case RT_CONNECT_LIST: return (double)c->list_n / cells;
    }
    return 1;
}
