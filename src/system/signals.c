// SPDX-License-Identifier: GPL-2.0-or-later
/* The one owner of signal handlers: see kf_signals.h. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "kf_signals.h"

#define MAX_HOOKS 8

static const int soft_signals[] = { SIGINT, SIGTERM, SIGHUP };
/* their default action terminates the process */
static const int hard_signals[] = {
	SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM,
	SIGPROF, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS,
};
#define NR_SOFT (int)(sizeof(soft_signals) / sizeof(soft_signals[0]))
#define NR_HARD (int)(sizeof(hard_signals) / sizeof(hard_signals[0]))

static struct {
	void (*fn)(void);
	enum kf_signal_rank rank;
} hooks[MAX_HOOKS];
static volatile sig_atomic_t nr_hooks;
static volatile sig_atomic_t interrupted;
static sigjmp_buf *volatile trap;
static volatile sig_atomic_t trap_held;
static pid_t owner;
static bool soft_installed, hard_installed;
static struct sigaction old_soft[NR_SOFT], old_hard[NR_HARD];
static bool took_soft[NR_SOFT], took_hard[NR_HARD];

int kf_signals_interrupt(void)
{
	return interrupted;
}

void kf_signals_run_hooks(void)
{
	int saved = errno;

	if (owner && getpid() != owner)
		return;
	for (int rank = 0; rank < KF_SIGNAL_NR_RANKS; rank++)
		for (int i = 0; i < nr_hooks; i++)
			if (hooks[i].fn && hooks[i].rank == (enum kf_signal_rank)rank)
				hooks[i].fn();
	errno = saved;
}

static void die_by(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);		/* delivered when the handler returns */
}

static void on_soft(int sig)
{
	if (owner && getpid() != owner) {
		die_by(sig);
		return;
	}
	if (!interrupted) {
		interrupted = sig;
		return;
	}
	/* a second one: the user means it */
	kf_signals_run_hooks();
	die_by(sig);
}

static void on_hard(int sig)
{
	if (trap && !trap_held && (sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT))
		siglongjmp(*trap, sig);
	kf_signals_run_hooks();
	die_by(sig);
}

static void block_all(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

static void install_soft(void)
{
	struct sigaction sa;

	if (soft_installed)
		return;
	owner = getpid();
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	/* poll() and nanosleep() return EINTR whatever SA_RESTART says; other
	 * calls had better not fail half-way through a write */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_soft;
	for (int i = 0; i < NR_SOFT; i++) {
		took_soft[i] = false;
		if (sigaction(soft_signals[i], NULL, &old_soft[i]) < 0)
			continue;
		/* a signal the user chose to ignore (nohup) stays ignored */
		if (old_soft[i].sa_handler == SIG_IGN && !(old_soft[i].sa_flags & SA_SIGINFO))
			continue;
		took_soft[i] = sigaction(soft_signals[i], &sa, NULL) == 0;
	}
	soft_installed = true;
}

static void install_hard(void)
{
	struct sigaction sa;

	if (hard_installed)
		return;
	owner = getpid();
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* a trap's siglongjmp puts back the mask its sigsetjmp saved */
	sa.sa_handler = on_hard;
	for (int i = 0; i < NR_HARD; i++) {
		took_hard[i] = false;
		if (sigaction(hard_signals[i], NULL, &old_hard[i]) < 0)
			continue;
		/* only the default action is taken over: SIG_IGN (SIGPIPE in a
		 * program checking EPIPE) is left alone */
		if (old_hard[i].sa_handler != SIG_DFL || (old_hard[i].sa_flags & SA_SIGINFO))
			continue;
		took_hard[i] = sigaction(hard_signals[i], &sa, NULL) == 0;
	}
	hard_installed = true;
}

/* soft signals while hooks want them; fatal ones while hooks or a trap do */
static void uninstall_if_idle(void)
{
	if (soft_installed && !nr_hooks) {
		for (int i = 0; i < NR_SOFT; i++)
			if (took_soft[i])
				sigaction(soft_signals[i], &old_soft[i], NULL);
		soft_installed = false;
	}
	if (hard_installed && !nr_hooks && !trap) {
		for (int i = 0; i < NR_HARD; i++)
			if (took_hard[i])
				sigaction(hard_signals[i], &old_hard[i], NULL);
		hard_installed = false;
	}
}

int kf_signals_add(enum kf_signal_rank rank, void (*hook)(void))
{
	sigset_t old;
	int ret = 0;

	block_all(&old);
	for (int i = 0; i < nr_hooks; i++)
		if (hooks[i].fn == hook)
			goto out;
	if (nr_hooks == MAX_HOOKS) {
		errno = EBUSY;
		ret = -1;
		goto out;
	}
	hooks[nr_hooks].fn = hook;
	hooks[nr_hooks].rank = rank;
	nr_hooks = nr_hooks + 1;
	install_soft();
	install_hard();
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void kf_signals_del(void (*hook)(void))
{
	sigset_t old;

	block_all(&old);
	for (int i = 0; i < nr_hooks; i++) {
		if (hooks[i].fn != hook)
			continue;
		hooks[i] = hooks[nr_hooks - 1];
		nr_hooks = nr_hooks - 1;
		break;
	}
	uninstall_if_idle();
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void kf_signals_trap_hold(bool hold)
{
	trap_held = hold;
}

void kf_signals_trap_arm(sigjmp_buf *jmp)
{
	trap_held = 0;
	trap = jmp;
	install_hard();
}

void kf_signals_trap_disarm(void)
{
	trap = NULL;
	uninstall_if_idle();
}
