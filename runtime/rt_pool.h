/* rt_pool.h -- a fixed set of worker threads that run numbered tasks.
 *
 * rt_pool_run(pool, n, fn, ctx) calls fn(ctx, i) once for every i < n,
 * spread over the pool's threads and the caller, and returns when all are
 * done. Work is split into tasks by the data (batch chunks, matrix rows),
 * never by the number of threads, so results do not depend on it.
 */
#ifndef RNNRT_POOL_H
#define RNNRT_POOL_H

typedef struct rt_pool rt_pool;
typedef void (*rt_task_fn)(void *ctx, unsigned task);

/* THREADS in all, the caller included (1: no extra threads). NULL if out of resources. */
rt_pool *rt_pool_new(int threads);
void rt_pool_run(rt_pool *pool, unsigned n_tasks, rt_task_fn fn, void *ctx);
void rt_pool_free(rt_pool *pool);
/* The threads that run tasks, the caller included. */
int rt_pool_threads(const rt_pool *pool);

/* Makes OpenBLAS single-threaded, once per process: the pool's threads
 * each call it on their own data. Its idle server threads are shut down
 * where the library allows it (OpenBLAS's pthreads build): they poll with sched_yield and, on a
 * 2-core machine, took 5 % of a flip-flop update from the pool's threads. */
void rt_blas_serial(void);

#endif
