/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files written to a temporary name and renamed (or through a device). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf_live_cleanup.h"
#include "kf_util.h"

#define TMP_TAG ".kfrag-tmp."

/*
 * Removes "BASE.kfrag-tmp.PID.XXXXXX" files beside path whose PID no longer
 * runs (a kfrag killed between creating and renaming its file) and that
 * belong to this user. Best effort: errors are ignored.
 */
static void remove_stale_tmp(const char *path)
{
	char *copy = strdup(path), *slash, *dir, *base;
	size_t blen;
	DIR *d;
	struct dirent *de;

	if (!copy)
		return;
	slash = strrchr(copy, '/');
	dir = slash ? (slash == copy ? "/" : copy) : ".";
	base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	blen = strlen(base);
	d = opendir(dir);
	while (d && (de = readdir(d)) != NULL) {
		const char *p = de->d_name;
		struct stat st;
		char *end;
		long pid;

		if (strncmp(p, base, blen) != 0 || strncmp(p + blen, TMP_TAG, strlen(TMP_TAG)) != 0)
			continue;
		errno = 0;
		pid = strtol(p + blen + strlen(TMP_TAG), &end, 10);
		if (errno || pid <= 0 || *end != '.' || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* still running, or not ours to judge */
		if (fstatat(dirfd(d), p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid())
			unlinkat(dirfd(d), p, 0);
	}
	if (d)
		closedir(d);
	free(copy);
}

static mode_t current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* path exists and is not a regular file: refuse it or write through it */
static int open_direct(struct kf_atomic_file *af, const char *path, const struct stat *st)
{
	int fd;

	if (S_ISLNK(st->st_mode)) {
		errno = ELOOP;		/* never follow, never replace a link */
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		return -1;
	}
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	af->fp = fdopen(fd, "w");
	if (!af->fp) {
		close(fd);
		return -1;
	}
	af->path = strdup(path);
	af->direct = 1;
	return 0;
}

/*
 * The temporary file, known to the cleanup of signals and exit() from the
 * moment it exists: a second Ctrl-C or a crash while it is written leaves
 * nothing behind. Signals wait until it is registered.
 */
static int create_temp(struct kf_atomic_file *af)
{
	sigset_t all, old;
	int fd;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* mkstemp opens O_EXCL: a symlink planted at the name is never followed */
	fd = mkostemp(af->tmp_path, O_CLOEXEC);
	if (fd >= 0)
		af->cleanup_slot = kf_cleanup_add_temp(af->tmp_path);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return fd;
}

/* unlinks the temporary file (unless renamed) and forgets it */
static void drop_temp(struct kf_atomic_file *af, int renamed)
{
	if (!renamed)
		unlink(af->tmp_path);
	kf_cleanup_del_temp(af->cleanup_slot);
	af->cleanup_slot = -1;
}

static int atomic_open(struct kf_atomic_file *af, const char *path, mode_t mode)
{
	struct stat st;
	int fd = -1;

	memset(af, 0, sizeof(*af));
	af->cleanup_slot = -1;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_direct(af, path, &st);
	remove_stale_tmp(path);
	af->path = strdup(path);
	if (!af->path || asprintf(&af->tmp_path, "%s" TMP_TAG "%ld.XXXXXX", path, (long)getpid()) < 0) {
		af->tmp_path = NULL;
		goto fail;
	}
	fd = create_temp(af);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, mode) < 0)
		goto fail;
	af->fp = fdopen(fd, "w");
	if (!af->fp)
		goto fail;
	return 0;
fail:
	if (fd >= 0) {
		int saved = errno;

		close(fd);
		drop_temp(af, 0);
		errno = saved;
	}
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
	af->cleanup_slot = -1;
	return -1;
}

int kf_atomic_open(struct kf_atomic_file *af, const char *path, mode_t mode)
{
	return atomic_open(af, path, mode & ~current_umask());
}

int kf_atomic_open_exact(struct kf_atomic_file *af, const char *path, mode_t mode)
{
	return atomic_open(af, path, mode);
}

static int commit_direct(struct kf_atomic_file *af)
{
	int ret = 0;

	if (fflush(af->fp) != 0 || ferror(af->fp))
		ret = -1;
	if (fclose(af->fp) != 0)
		ret = -1;
	free(af->path);
	memset(af, 0, sizeof(*af));
	return ret;
}

int kf_atomic_commit(struct kf_atomic_file *af)
{
	int ret = 0, saved;

	if (af->direct)
		return commit_direct(af);
	if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) < 0)
		ret = -1;
	if (fclose(af->fp) != 0)
		ret = -1;
	af->fp = NULL;
	/* a symlink put at path since kf_atomic_open is refused, not replaced */
	if (ret == 0) {
		struct stat st;

		if (lstat(af->path, &st) == 0 && !S_ISREG(st.st_mode)) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : ELOOP;
			ret = -1;
		}
	}
	if (ret == 0 && rename(af->tmp_path, af->path) < 0)
		ret = -1;
	saved = errno;
	drop_temp(af, ret == 0);
	errno = saved;
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
	return ret;
}

void kf_atomic_abort(struct kf_atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp_path)
		drop_temp(af, 0);
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
}
