/* cli_signals.c -- Ctrl-C, SIGTERM and SIGHUP stop a run cleanly.
 *
 * The handler only sets cli_stop, which the runtime polls between updates,
 * evaluation batches and the analyses' steps (rt_run.h), and passes the
 * signal on to the realisations of --seeds, so that a signal to the parent
 * alone (kill PID, a closed terminal) stops them too. Kill is
 * async-signal-safe; the list is written only with the signals blocked.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

volatile sig_atomic_t cli_stop;

static pid_t *volatile children;
static volatile unsigned n_children;

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void on_stop(int sig)
{
    cli_stop = 1;
    for (unsigned i = 0; i < n_children; i++)
        if (children[i] > 0)
            kill(children[i], sig);
}

void cli_catch_stop_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]);   /* one handler at a time */
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaction(stop_signals[i], &sa, NULL);
    cli_block_stop_signals(0);   /* a realisation of --seeds starts with them blocked */
}

void cli_block_stop_signals(int block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void cli_forward_stop_signals(pid_t *pids, unsigned count)
{
    cli_block_stop_signals(1);
    children = pids;
    n_children = pids ? count : 0;
    cli_block_stop_signals(0);
}
