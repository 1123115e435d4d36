/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's state between runs: the vmstat counters and the time of the
 * last measurement, in a small key = value file written atomically (a
 * temporary file renamed over it, so a reader sees the old state or the new
 * one), never read or written through a symbolic link, and a lock file that
 * serialises the read-compare-write of two checks running at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kf_check.h"
#include "kf_util.h"

#define STATE_VERSION	1
#define STATE_MAX_BYTES	65536

const char *const kf_check_counter_names[KF_CTR_NR] = {
	[KF_CTR_COMPACT_STALL] = "compact_stall",
	[KF_CTR_COMPACT_FAIL] = "compact_fail",
	[KF_CTR_COMPACT_SUCCESS] = "compact_success",
	[KF_CTR_COMPACT_DAEMON_WAKE] = "compact_daemon_wake",
	[KF_CTR_COMPACT_MIGRATE_SCANNED] = "compact_migrate_scanned",
	[KF_CTR_COMPACT_FREE_SCANNED] = "compact_free_scanned",
	[KF_CTR_COMPACT_ISOLATED] = "compact_isolated",
	[KF_CTR_PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[KF_CTR_PGMIGRATE_FAIL] = "pgmigrate_fail",
};

void kf_check_state_from_vmstat(struct kf_check_state *st, const struct kf_vmstat *vs)
{
	st->have = 0;
	for (int i = 0; i < KF_CTR_NR; i++) {
		st->counter[i] = 0;
		if (vs && kf_vmstat_get(vs, kf_check_counter_names[i], &st->counter[i]))
			st->have |= 1u << i;
	}
}

int kf_mkdir_parents(const char *path)
{
	char *p = strdup(path), *s;

	if (!p)
		return -1;
	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			int saved = errno;

			free(p);
			errno = saved;
			return -1;
		}
		*s = '/';
		while (s[1] == '/')
			s++;
	}
	free(p);
	return 0;
}

static int fail(char *err, size_t errlen, const char *path, int line, const char *what)
{
	if (line)
		snprintf(err, errlen, "%s:%d: %s", path, line, what);
	else
		snprintf(err, errlen, "%s: %s", path, what);
	errno = EINVAL;
	return -1;
}

/* the whole file into buf (NUL-terminated); 0, or -1 with err set */
static int state_load(const char *path, char *buf, size_t size, bool *exists, char *err, size_t errlen)
{
	struct stat sb;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int saved = errno;

		if (saved == ENOENT)
			return 0;
		*exists = true;
		if (saved == ELOOP)
			snprintf(err, errlen, "%s is a symbolic link: kfrag never follows one there "
				 "(remove it; the next run starts afresh)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	*exists = true;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail(err, errlen, path, 0, "not a regular file");
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		len += n;
	}
	close(fd);
	if (len > STATE_MAX_BYTES - 1)
		return fail(err, errlen, path, 0, "too large to be kfrag's state");
	buf[len] = '\0';
	if (strlen(buf) != len)
		return fail(err, errlen, path, 0, "a NUL byte: not kfrag's state");
	if (len == 0)
		return fail(err, errlen, path, 0, "empty (a run was cut short?)");
	if (buf[len - 1] != '\n')
		return fail(err, errlen, path, 0, "the last line is cut short");
	return 0;
}

struct state_seen {
	bool version, time;
};

/* one "key = value" line into st; 0, or -1 with err set */
static int state_line(char *line, struct kf_check_state *st, struct state_seen *seen,
		      const char *path, int lineno, char *err, size_t errlen)
{
	char *eq = strstr(line, " = "), *key = line, *value, msg[256];
	uint64_t v;
	int i;

	if (!eq)
		return fail(err, errlen, path, lineno, "not 'key = value'");
	*eq = '\0';
	value = eq + 3;
	if (strcmp(key, "version") == 0) {
		if (strcmp(value, "1") != 0) {
			snprintf(msg, sizeof(msg), "state version '%.64s', this kfrag knows %d", value,
				 STATE_VERSION);
			return fail(err, errlen, path, lineno, msg);
		}
		seen->version = true;
		return 0;
	}
	if (strcmp(key, "time") == 0) {
		if (kf_parse_double(value, 0, 1e11, &st->time) < 0)
			return fail(err, errlen, path, lineno, "time is not seconds since the epoch");
		seen->time = true;
		return 0;
	}
	if (strcmp(key, "boot_id") == 0) {
		if (strlen(value) >= sizeof(st->boot_id))
			return fail(err, errlen, path, lineno, "boot_id too long");
		snprintf(st->boot_id, sizeof(st->boot_id), "%s", value);
		return 0;
	}
	for (i = 0; i < KF_CTR_NR; i++)
		if (strcmp(key, kf_check_counter_names[i]) == 0)
			break;
	if (i == KF_CTR_NR) {
		snprintf(msg, sizeof(msg), "unknown key '%.64s'", key);
		return fail(err, errlen, path, lineno, msg);
	}
	if (kf_proc_parse_u64(value, &v) < 0) {
		snprintf(msg, sizeof(msg), "%s: '%.64s' is not a count", key, value);
		return fail(err, errlen, path, lineno, msg);
	}
	st->counter[i] = v;
	st->have |= 1u << i;
	return 0;
}

int kf_check_state_read(const char *path, struct kf_check_state *st, bool *exists,
			char *err, size_t errlen)
{
	char buf[STATE_MAX_BYTES + 1], *cur, *line;
	struct state_seen seen = { 0 };
	int lineno = 0;

	memset(st, 0, sizeof(*st));
	*exists = false;
	buf[0] = '\0';
	if (state_load(path, buf, sizeof(buf), exists, err, errlen) < 0)
		return -1;
	if (!*exists)
		return 0;
	cur = buf;
	while ((line = strsep(&cur, "\n")) && (cur || *line)) {
		lineno++;
		if (!*line || *line == '#')
			continue;
		if (state_line(line, st, &seen, path, lineno, err, errlen) < 0)
			return -1;
	}
	if (!seen.version)
		return fail(err, errlen, path, 0, "no 'version' line: not kfrag's state");
	if (!seen.time)
		return fail(err, errlen, path, 0, "no 'time' line");
	return 0;
}

int kf_check_state_write(const char *path, const struct kf_check_state *st, char *err, size_t errlen)
{
	struct kf_atomic_file af;
	struct stat sb;
	char when[64] = "";
	time_t t = (time_t)st->time;
	struct tm tm;

	/* a symlink here is replaced by rename, never written through; but it
	 * was planted by someone: refuse, as the reader does */
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is %s: not replaced", path,
			 S_ISLNK(sb.st_mode) ? "a symbolic link" : "not a regular file");
		errno = EINVAL;
		return -1;
	}
	if (kf_mkdir_parents(path) < 0 || kf_atomic_open(&af, path, 0600) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(af.fp, "# kfrag check state (%s): the counters of the last run, for rates\n", when);
	fprintf(af.fp, "version = %d\n", STATE_VERSION);
	fprintf(af.fp, "time = %.3f\n", st->time);
	if (st->boot_id[0])
		fprintf(af.fp, "boot_id = %s\n", st->boot_id);
	for (int i = 0; i < KF_CTR_NR; i++)
		if (st->have & (1u << i))
			fprintf(af.fp, "%s = %llu\n", kf_check_counter_names[i],
				(unsigned long long)st->counter[i]);
	if (kf_atomic_commit(&af) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int kf_check_lock(const char *path, double timeout_s, char *err, size_t errlen)
{
	char *lock;
	int fd;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	double waited = 0;

	if (asprintf(&lock, "%s.lock", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kf_mkdir_parents(lock) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the lock %s: %s", lock,
			 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		free(lock);
		return -1;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errlen, "cannot lock %s: %s", lock, strerror(errno));
			goto fail;
		}
		if (waited >= timeout_s) {
			snprintf(err, errlen, "%s is held by another kfrag check (waited %.1f s)", lock, waited);
			goto fail;
		}
		nanosleep(&pause, NULL);
		waited += 0.05;
	}
	free(lock);
	return fd;
fail:
	close(fd);
	free(lock);
	return -1;
}

void kf_check_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
