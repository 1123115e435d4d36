/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Temporary directories removed on every way out (kf_tempdir.h). The
 * removal runs from a signal handler too, so it uses system calls only:
 * openat, getdents64, unlinkat, no allocation and no stdio.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>

#include "kf_signals.h"
#include "kf_tempdir.h"

#define MAX_DIRS	4
#define MAX_DEPTH	16

static struct {
	volatile sig_atomic_t used;
	int lock_fd;
	char path[PATH_MAX];
} dirs[MAX_DIRS];
static pid_t owner;		/* a forked child leaves them to its parent */
static bool atexit_done;

struct dirent64_head {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* one pass over the directory fd: what could be removed is; true when
 * something was (entries removed while reading may hide others) */
static bool remove_pass(int fd, int depth);

/* true when name is gone */
static bool remove_at(int dirfd, const char *name, int depth)
{
	int fd;

	if (unlinkat(dirfd, name, 0) == 0)
		return true;
	if ((errno != EISDIR && errno != EPERM) || depth >= MAX_DEPTH)
		return false;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (remove_pass(fd, depth + 1) && lseek(fd, 0, SEEK_SET) == 0)
		;
	close(fd);
	return unlinkat(dirfd, name, AT_REMOVEDIR) == 0;
}

static bool remove_pass(int fd, int depth)
{
	char buf[2048] __attribute__((aligned(8)));
	bool removed = false;
	long n;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_head *d = (struct dirent64_head *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") && remove_at(fd, d->d_name, depth))
				removed = true;
		}
	}
	return removed;
}

/* async-signal-safe */
static void remove_tree(const char *path)
{
	remove_at(AT_FDCWD, path, 0);
}

static void remove_all(void)
{
	int saved = errno;

	if (owner && getpid() != owner)
		return;
	for (int i = 0; i < MAX_DIRS; i++) {
		if (!dirs[i].used)
			continue;
		remove_tree(dirs[i].path);
		dirs[i].used = 0;
	}
	errno = saved;
}

static bool writable_tmpfs(const char *dir)
{
	struct statfs fs;

	return statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC && access(dir, W_OK | X_OK) == 0;
}

/*
 * $TMPDIR when set, else a tmpfs (/tmp when it is one, else /dev/shm), else
 * /tmp. A saved state's hundred-odd small files are made and removed on every
 * run; on a disk file system (ext4) their journalled creation and removal cost
 * more than reading a million events.
 */
static const char *tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp && *tmp)
		return tmp;
	if (!writable_tmpfs("/tmp") && writable_tmpfs("/dev/shm"))
		return "/dev/shm";
	return "/tmp";
}

/* PREFIX-PID-* of this user left by a process that is gone (SIGKILL) */
static void reap_stale(const char *tmp, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(tmp);

	while (d && (de = readdir(d))) {
		char *end, path[PATH_MAX];
		long pid;
		struct stat st;
		int fd;

		if (strncmp(de->d_name, prefix, plen) || de->d_name[plen] != '-')
			continue;
		pid = strtol(de->d_name + plen + 1, &end, 10);
		if (pid <= 0 || *end != '-' || pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name) >= (int)sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* ours, and nobody holds it (a PID of another namespace) */
		if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0)
			remove_tree(path);
		close(fd);
	}
	if (d)
		closedir(d);
}

static int take_slot(const char *path, int fd)
{
	sigset_t all, old;
	int slot = -1;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < MAX_DIRS && slot < 0; i++) {
		if (dirs[i].used)
			continue;
		slot = i;
		snprintf(dirs[i].path, sizeof(dirs[i].path), "%s", path);
		dirs[i].lock_fd = fd;
		dirs[i].used = 1;
	}
	if (slot < 0) {
		errno = EBUSY;
	} else {
		owner = getpid();
		if (!atexit_done && atexit(remove_all) == 0)
			atexit_done = true;
		kf_signals_add(KF_SIGNAL_CLEANUP, remove_all);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return slot;
}

char *kf_tempdir_create(const char *prefix, char *err, size_t errlen)
{
	const char *tmp = tmp_dir();
	char *dir;
	int fd;

	reap_stale(tmp, prefix);
	if (asprintf(&dir, "%s/%s-%d-XXXXXX", tmp, prefix, (int)getpid()) < 0) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (strlen(dir) >= PATH_MAX || !mkdtemp(dir)) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno ? errno : ENAMETOOLONG));
		free(dir);
		return NULL;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || take_slot(dir, fd) < 0) {
		int e = fd >= 0 && errno == 0 ? EBUSY : errno;

		snprintf(err, errlen, "cannot hold %s: %s", dir, strerror(e));
		if (fd >= 0)
			close(fd);
		rmdir(dir);
		free(dir);
		errno = e;
		return NULL;
	}
	return dir;
}

void kf_tempdir_remove(const char *dir)
{
	sigset_t all, old;
	bool any = false;

	if (!dir)
		return;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < MAX_DIRS; i++) {
		if (dirs[i].used && !strcmp(dirs[i].path, dir)) {
			remove_tree(dirs[i].path);
			close(dirs[i].lock_fd);
			dirs[i].used = 0;
		}
		any |= dirs[i].used != 0;
	}
	if (!any)
		kf_signals_del(remove_all);
	sigprocmask(SIG_SETMASK, &old, NULL);
}
