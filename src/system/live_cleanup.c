/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removing kfrag's tracefs instance on every way out: signals, crashes,
 * exit() without kf_live_close; and writing back the files kfrag changed
 * (the guard's --enforce sysctl). See kf_live_cleanup.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf_live.h"
#include "kf_live_cleanup.h"

#define MAX_SLOTS 4
#define MAX_FDS 2048

struct slot {
	volatile sig_atomic_t used;
	char dir[PATH_MAX];
	char tracing_on[PATH_MAX];
	char enable[PATH_MAX];
	int nr_fds;
	int fds[MAX_FDS];
};

static struct slot slots[MAX_SLOTS];

/* files to write back, e.g. /proc/sys/vm/compact_unevictable_allowed */
#define MAX_RESTORES 4
struct restore {
	volatile sig_atomic_t used;
	char path[PATH_MAX];
	char contents[64];
	size_t len;
};
static struct restore restores[MAX_RESTORES];
static char unmount_path[PATH_MAX];
static volatile sig_atomic_t unmount_set;
static volatile sig_atomic_t interrupted;
static pid_t owner;			/* a forked child must not clean our instance */
static bool atexit_done;
static bool handlers_installed;

/* the first of these only sets the flag; a second one kills */
static const int soft_signals[] = { SIGINT, SIGTERM, SIGHUP };
/* these kill at once (their default action is to terminate) */
static const int hard_signals[] = {
	SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM,
	SIGPROF, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS,
};
#define NR_SOFT (int)(sizeof(soft_signals) / sizeof(soft_signals[0]))
#define NR_HARD (int)(sizeof(hard_signals) / sizeof(hard_signals[0]))
static struct sigaction old_soft[NR_SOFT], old_hard[NR_HARD];
static bool took_soft[NR_SOFT], took_hard[NR_HARD];

bool kf_live_interrupted(void)
{
	return interrupted != 0;
}

int kf_live_interrupt_signal(void)
{
	return interrupted;
}

static void write_zero(const char *path)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t r = write(fd, "0", 1);

		(void)r;
		close(fd);
	}
}

/* "/proc/self/fd/<fd>" without snprintf, which is not async-signal-safe */
static void fd_link_path(char *buf, int fd)
{
	static const char prefix[] = "/proc/self/fd/";
	char digits[12];
	int n = 0;

	memcpy(buf, prefix, sizeof(prefix) - 1);
	buf += sizeof(prefix) - 1;
	do {
		digits[n++] = '0' + fd % 10;
		fd /= 10;
	} while (fd);
	while (n)
		*buf++ = digits[--n];
	*buf = '\0';
}

/* descriptors kfrag opened in dir and had not closed when the signal came
 * (a write to buffer_size_kb, a read of trace_clock, ...) */
static void close_fds_in(const char *dir)
{
	size_t len = strlen(dir);
	char link[64], target[PATH_MAX];

	for (int fd = 3; fd < 4096; fd++) {
		ssize_t n;

		fd_link_path(link, fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= (ssize_t)len || strncmp(target, dir, len) || target[len] != '/')
			continue;
		close(fd);
	}
}

static void write_back(struct restore *r)
{
	int fd = open(r->path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = write(fd, r->contents, r->len);

		(void)n;
		close(fd);
	}
}

void kf_cleanup_emergency(void)
{
	int saved = errno;

	if (owner && getpid() != owner)
		return;
	for (int i = 0; i < MAX_RESTORES; i++) {
		if (!restores[i].used)
			continue;
		write_back(&restores[i]);
		restores[i].used = 0;
	}
	for (int i = 0; i < MAX_SLOTS; i++) {
		struct slot *s = &slots[i];

		if (!s->used)
			continue;
		for (int j = 0; j < s->nr_fds; j++)
			if (s->fds[j] >= 0)
				close(s->fds[j]);
		s->nr_fds = 0;
		write_zero(s->tracing_on);
		write_zero(s->enable);
		if (rmdir(s->dir) < 0 && errno == EBUSY) {
			close_fds_in(s->dir);
			rmdir(s->dir);
		}
		s->used = 0;
	}
	if (unmount_set) {
		umount2(unmount_path, 0);	/* EBUSY: someone else uses it, fine */
		unmount_set = 0;
	}
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
	kf_cleanup_emergency();
	die_by(sig);
}

static void on_hard(int sig)
{
	kf_cleanup_emergency();
	die_by(sig);
}

static void on_exit_cleanup(void)
{
	kf_cleanup_emergency();
}

static void block_all(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

static void unblock(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static void install(void)
{
	struct sigaction sa;

	if (handlers_installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	/* poll() and nanosleep() return EINTR whatever SA_RESTART says; other
	 * calls had better not fail half-way through a write */
	sa.sa_flags = SA_RESTART;
	for (int i = 0; i < NR_SOFT; i++) {
		took_soft[i] = false;
		if (sigaction(soft_signals[i], NULL, &old_soft[i]) < 0)
			continue;
		/* a signal the user chose to ignore (nohup) stays ignored */
		if (old_soft[i].sa_handler == SIG_IGN && !(old_soft[i].sa_flags & SA_SIGINFO))
			continue;
		sa.sa_handler = on_soft;
		if (sigaction(soft_signals[i], &sa, NULL) == 0)
			took_soft[i] = true;
	}
	for (int i = 0; i < NR_HARD; i++) {
		took_hard[i] = false;
		if (sigaction(hard_signals[i], NULL, &old_hard[i]) < 0)
			continue;
		/* only take over the default action; a front end's own handler or
		 * SIG_IGN (SIGPIPE in a program checking EPIPE) is left alone */
		if (old_hard[i].sa_handler != SIG_DFL || (old_hard[i].sa_flags & SA_SIGINFO))
			continue;
		sa.sa_handler = on_hard;
		if (sigaction(hard_signals[i], &sa, NULL) == 0)
			took_hard[i] = true;
	}
	handlers_installed = true;
}

/* puts back what was there before, unless a front end installed a handler
 * of its own over ours since (which may chain to ours): that one stays */
static void restore_one(int sig, void (*ours)(int), const struct sigaction *old)
{
	struct sigaction cur;

	if (sigaction(sig, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) &&
	    cur.sa_handler == ours)
		sigaction(sig, old, NULL);
}

static void uninstall(void)
{
	if (!handlers_installed)
		return;
	for (int i = 0; i < NR_SOFT; i++)
		if (took_soft[i])
			restore_one(soft_signals[i], on_soft, &old_soft[i]);
	for (int i = 0; i < NR_HARD; i++)
		if (took_hard[i])
			restore_one(hard_signals[i], on_hard, &old_hard[i]);
	handlers_installed = false;
}

static bool any_used(void)
{
	for (int i = 0; i < MAX_SLOTS; i++)
		if (slots[i].used)
			return true;
	for (int i = 0; i < MAX_RESTORES; i++)
		if (restores[i].used)
			return true;
	return false;
}

int kf_cleanup_add_instance(const char *dir)
{
	sigset_t old;
	int slot = -1;

	if (strlen(dir) + sizeof("/events/enable") > PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	block_all(&old);
	for (int i = 0; i < MAX_SLOTS; i++) {
		if (!slots[i].used) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		unblock(&old);
		errno = EBUSY;
		return -1;
	}
	struct slot *s = &slots[slot];

	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->tracing_on, sizeof(s->tracing_on), "%s/tracing_on", dir);
	snprintf(s->enable, sizeof(s->enable), "%s/events/enable", dir);
	s->nr_fds = 0;
	s->used = 1;
	owner = getpid();
	if (!atexit_done && atexit(on_exit_cleanup) == 0)
		atexit_done = true;
	install();
	unblock(&old);
	return slot;
}

int kf_cleanup_add_fd(int slot, int fd)
{
	sigset_t old;
	int ret = 0;

	if (slot < 0 || slot >= MAX_SLOTS || fd < 0)
		return 0;
	block_all(&old);
	if (slots[slot].nr_fds < MAX_FDS)
		slots[slot].fds[slots[slot].nr_fds++] = fd;
	else
		ret = -1;	/* too many CPUs: rmdir may then fail, reaped later */
	unblock(&old);
	return ret;
}

void kf_cleanup_del_fd(int slot, int fd)
{
	sigset_t old;
	struct slot *s;

	if (slot < 0 || slot >= MAX_SLOTS || fd < 0)
		return;
	s = &slots[slot];
	block_all(&old);
	for (int i = 0; i < s->nr_fds; i++) {
		if (s->fds[i] == fd) {
			s->fds[i] = s->fds[--s->nr_fds];
			break;
		}
	}
	unblock(&old);
}

void kf_cleanup_del_instance(int slot)
{
	sigset_t old;

	if (slot < 0 || slot >= MAX_SLOTS)
		return;
	block_all(&old);
	slots[slot].used = 0;
	slots[slot].nr_fds = 0;
	if (!any_used() && !unmount_set)
		uninstall();
	unblock(&old);
}

void kf_cleanup_set_unmount(const char *mnt)
{
	sigset_t old;

	block_all(&old);
	if (mnt && strlen(mnt) < sizeof(unmount_path)) {
		snprintf(unmount_path, sizeof(unmount_path), "%s", mnt);
		unmount_set = 1;
		owner = getpid();
		if (!atexit_done && atexit(on_exit_cleanup) == 0)
			atexit_done = true;
	} else {
		unmount_set = 0;
		if (!any_used())
			uninstall();
	}
	unblock(&old);
}

int kf_cleanup_add_restore(const char *path, const char *contents)
{
	sigset_t old;
	int slot = -1;

	if (strlen(path) >= PATH_MAX || strlen(contents) >= sizeof(restores[0].contents)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	block_all(&old);
	for (int i = 0; i < MAX_RESTORES; i++) {
		if (!restores[i].used) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		unblock(&old);
		errno = EBUSY;
		return -1;
	}
	struct restore *r = &restores[slot];

	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->contents, sizeof(r->contents), "%s", contents);
	r->len = strlen(r->contents);
	r->used = 1;
	owner = getpid();
	if (!atexit_done && atexit(on_exit_cleanup) == 0)
		atexit_done = true;
	install();
	unblock(&old);
	return slot;
}

void kf_cleanup_del_restore(int slot)
{
	sigset_t old;

	if (slot < 0 || slot >= MAX_RESTORES)
		return;
	block_all(&old);
	restores[slot].used = 0;
	if (!any_used() && !unmount_set)
		uninstall();
	unblock(&old);
}
