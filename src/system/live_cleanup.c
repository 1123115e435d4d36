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
#include "kf_signals.h"

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
/* output files written under a temporary name and not yet renamed
 * (kf_atomic_open): complete or absent, whatever ends the process */
#define MAX_TEMPS 8
struct temp_file {
	volatile sig_atomic_t used;
	char path[PATH_MAX];
};
static struct temp_file temps[MAX_TEMPS];
static char unmount_path[PATH_MAX];
static volatile sig_atomic_t unmount_set;
static pid_t owner;			/* a forked child must not clean our instance */
static bool atexit_done;

/*
 * The first entry of a table whose `used` member is 0 (the caller has every
 * signal blocked); -1 and errno EBUSY when all are taken.
 */
static int free_entry(const volatile sig_atomic_t *first_used, size_t n, size_t stride)
{
	for (size_t i = 0; i < n; i++)
		if (!*(const volatile sig_atomic_t *)((const char *)first_used + i * stride))
			return (int)i;
	errno = EBUSY;
	return -1;
}
#define FREE_ENTRY(table) free_entry(&(table)[0].used, sizeof(table) / sizeof((table)[0]), sizeof((table)[0]))

/* the signals are src/system/signals.c's: a first SIGINT only sets its flag */
bool kf_live_interrupted(void)
{
	return kf_signals_interrupt() != 0;
}

int kf_live_interrupt_signal(void)
{
	return kf_signals_interrupt();
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
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (!temps[i].used)
			continue;
		unlink(temps[i].path);
		temps[i].used = 0;
	}
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

/* the emergency runs from the one owner of signals, after the terminal */
static void install(void)
{
	kf_signals_add(KF_SIGNAL_CLEANUP, kf_cleanup_emergency);
}

static void uninstall(void)
{
	kf_signals_del(kf_cleanup_emergency);
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
	int slot;

	if (strlen(dir) + sizeof("/events/enable") > PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	block_all(&old);
	slot = FREE_ENTRY(slots);
	if (slot < 0) {
		unblock(&old);
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
	int slot;

	if (strlen(path) >= PATH_MAX || strlen(contents) >= sizeof(restores[0].contents)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	block_all(&old);
	slot = FREE_ENTRY(restores);
	if (slot < 0) {
		unblock(&old);
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

int kf_cleanup_add_temp(const char *path)
{
	sigset_t old;
	int slot;

	if (strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	block_all(&old);
	slot = FREE_ENTRY(temps);
	if (slot < 0) {
		unblock(&old);
		return -1;
	}
	snprintf(temps[slot].path, sizeof(temps[slot].path), "%s", path);
	temps[slot].used = 1;
	owner = getpid();
	if (!atexit_done && atexit(on_exit_cleanup) == 0)
		atexit_done = true;
	unblock(&old);
	return slot;
}

void kf_cleanup_del_temp(int slot)
{
	sigset_t old;

	if (slot < 0 || slot >= MAX_TEMPS)
		return;
	block_all(&old);
	temps[slot].used = 0;
	unblock(&old);
}
