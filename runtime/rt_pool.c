/* rt_pool.c -- worker threads for numbered tasks (see rt_pool.h). */
#include "rt_pool.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

enum { MAX_WORKERS = 256 };

struct rt_pool {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    pthread_t workers[MAX_WORKERS];
    int n_workers;
    unsigned long generation;   /* bumped for each rt_pool_run; written atomically, under the lock */
    rt_task_fn fn;
    void *ctx;
    unsigned next, n_tasks;
    unsigned long finished;     /* written atomically, under the lock: polled without it */
    int quit;
};

/* How long a thread polls before it sleeps on a condition: a step of a
 * simulation hands work over a thousand times a second, and waking a
 * sleeping thread (a futex, the scheduler) took tens of microseconds of
 * each step on this project's 2-core machine. Polling for a while first
 * makes the handover a cache line's journey. */
enum { SPIN_NS = 50000 };

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Polls *AT (written atomically) for up to SPIN_NS: while it equals
 * VALUE, or (REACH) while it is below VALUE. Called without the lock. */
static void spin(const unsigned long *at, unsigned long value, int reach)
{
    long long end = now_ns() + SPIN_NS;
    for (unsigned i = 1;; i++) {
        unsigned long v = __atomic_load_n(at, __ATOMIC_ACQUIRE);
        if (reach ? v >= value : v != value)
            return;
        if (i % 64 == 0 && now_ns() > end)
            return;
        relax();
    }
}

/* Takes tasks until none are left; called with the lock held. */
static void drain(rt_pool *p)
{
    while (p->next < p->n_tasks) {
        unsigned task = p->next++;
        pthread_mutex_unlock(&p->lock);
        p->fn(p->ctx, task);
        pthread_mutex_lock(&p->lock);
        __atomic_store_n(&p->finished, p->finished + 1, __ATOMIC_RELEASE);
        if (p->finished == p->n_tasks)
            pthread_cond_broadcast(&p->done);
    }
}

static void *worker(void *arg)
{
    rt_pool *p = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (!p->quit && p->generation == seen) {
            pthread_mutex_unlock(&p->lock);
            spin(&p->generation, seen, 0);
            pthread_mutex_lock(&p->lock);
        }
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->quit)
            break;
        seen = p->generation;
        drain(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

rt_pool *rt_pool_new(int threads)
{
    rt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < threads - 1 && i < MAX_WORKERS; i++) {
        if (pthread_create(&p->workers[i], NULL, worker, p) != 0)
            break;   /* fewer threads: slower, same results */
        p->n_workers++;
    }
    return p;
}

void rt_pool_run(rt_pool *p, unsigned n_tasks, rt_task_fn fn, void *ctx)
{
    if (!p || p->n_workers == 0 || n_tasks <= 1) {   /* one task: no handover to wake a thread for */
        for (unsigned i = 0; i < n_tasks; i++)
            fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->ctx = ctx;
    p->next = 0;
    p->finished = 0;
    p->n_tasks = n_tasks;
    __atomic_store_n(&p->generation, p->generation + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->work);
    drain(p);
    if (p->finished < p->n_tasks) {   /* the others' last tasks: polled for, then slept on */
        pthread_mutex_unlock(&p->lock);
        spin(&p->finished, n_tasks, 1);
        pthread_mutex_lock(&p->lock);
    }
    while (p->finished < p->n_tasks)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

int rt_pool_threads(const rt_pool *p) { return p ? p->n_workers + 1 : 1; }

void rt_pool_free(rt_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_workers; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Not part of the CBLAS interface: a weak reference, NULL in builds of
 * OpenBLAS (OpenMP, serial) or of other BLAS that have no such threads. */
extern int blas_thread_shutdown_(void) __attribute__((weak));

static void blas_serial_once(void)
{
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_)
        blas_thread_shutdown_();
}

/* Once per process: the setting is OpenBLAS's, for every thread, and runs
 * in several threads at once (librnnc) must not shut its server threads
 * down while another is bringing them up. */
void rt_blas_serial(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, blas_serial_once);
}
