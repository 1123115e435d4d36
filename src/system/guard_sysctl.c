/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's sysctls and sched_ext, and --enforce.
 *
 * --enforce holds vm.compact_unevictable_allowed at 0 while a protected
 * process runs. What the admin had is kept in one place every kfrag sees,
 * a state file (KF_GUARD_ENFORCE_STATE) locked with flock:
 *
 *	original=1
 *	admin=0
 *	holder=PID STARTTIME	(one line per kfrag holding it)
 *
 * and one marker per holder (the state's name + ".PID") saying "held",
 * which the holder's fatal-signal cleanup turns into "restored": a holder
 * found dead either put the admin's value back (its marker says so) or was
 * killed by SIGKILL and left 0.
 * The first holder saves the value it found, later ones (nested runs) keep
 * it; the last one out writes it back and removes the file. A holder killed
 * with SIGKILL leaves its line: the next run finds it dead and still knows
 * the admin's value instead of saving the 0 left behind. When someone else
 * writes the sysctl during the run, kfrag reports it and lets their value
 * stand (admin=1): it does not fight the admin.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_proc_priv.h"
#include "kf_live_cleanup.h"
#include "kf_util.h"

#define UNEVICTABLE "compact_unevictable_allowed"
#define MAX_HOLDERS 64

/* ---- reading and writing sysctls -------------------------------------------------- */

int kf_guard_read_sysctl(const char *root, const char *name)
{
	struct kf_proc_text t;
	char rel[96], *end;
	long v;

	snprintf(rel, sizeof(rel), "sys/vm/%s", name);
	if (kf_proc_text_load(root, rel, &t, NULL, 0) < 0)
		return -1;
	errno = 0;
	v = strtol(t.buf, &end, 10);
	if (end == t.buf || errno || v < 0 || v > 1000000)
		v = -1;
	kf_proc_text_release(&t);
	return (int)v;
}

static int write_sysctl(const struct kf_guard *g, const char *name, int value, char *err, size_t errlen)
{
	char rel[96], num[16], *path;
	int fd, n, rc = -1;

	snprintf(rel, sizeof(rel), "sys/vm/%s", name);
	path = kf_proc_path(g->root, rel);
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	n = snprintf(num, sizeof(num), "%d\n", value);
	if (fd < 0 || write(fd, num, n) != n)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		rc = 0;
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

/* a one-word sysfs file (kf_proc_path is for /proc) */
static void read_sys_word(const struct kf_guard *g, const char *rel, char *dst, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	dst[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", g->sysdir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, dst, len - 1);
	close(fd);
	dst[n > 0 ? n : 0] = '\0';
	guard_trim(dst);
}

void guard_read_sched_ext(struct kf_guard *g)
{
	read_sys_word(g, "kernel/sched_ext/state", g->in.sched_ext_state, sizeof(g->in.sched_ext_state));
	read_sys_word(g, "kernel/sched_ext/root/ops", g->in.sched_ext_ops, sizeof(g->in.sched_ext_ops));
}

/* ---- the shared state of --enforce ------------------------------------------------- */

struct holder {
	int pid;
	uint64_t start;
};

struct enforce_state {
	bool existed;
	int original;		/* -1 unknown */
	bool admin;		/* someone else wrote the sysctl during a run */
	int nr;
	struct holder h[MAX_HOLDERS];
	int pruned_killed;	/* dead holders that left 0 (SIGKILL) */
	int pruned_restored;	/* dead holders whose fatal-signal cleanup restored it */
};

/* KF_GUARD_ENFORCE_STATE, under the root when it is not "/" (tests) */
static void state_path(const struct kf_guard *g, char *path, size_t len)
{
	const char *env = getenv("KFRAG_ENFORCE_STATE");

	if (env && *env)
		snprintf(path, len, "%s", env);
	else
		snprintf(path, len, "%s%s", strcmp(g->root, "/") ? g->root : "", KF_GUARD_ENFORCE_STATE);
}

/* a holder's marker: "held", or "restored" by its emergency cleanup */
static void marker_path(const struct kf_guard *g, int pid, char *path, size_t len)
{
	char base[4000];

	state_path(g, base, sizeof(base));
	snprintf(path, len, "%s.%d", base, pid);
}

/* a dead holder's marker read and removed: true when it restored the value */
static bool marker_restored(const struct kf_guard *g, int pid)
{
	char path[4096], buf[16] = "";
	int fd;
	ssize_t n;

	marker_path(g, pid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	buf[n > 0 ? n : 0] = '\0';
	return strncmp(buf, "restored", 8) == 0;
}

/* the state file, created and locked; -1 with err */
static int state_lock(const struct kf_guard *g, char *err, size_t errlen)
{
	char path[4096], dir[4096], *slash;
	int fd;

	state_path(g, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s", path);
	/* its folder, and the one above (/run/kfrag, ROOT/run) */
	for (int up = 0; up < 2 && (slash = strrchr(dir, '/')) && slash != dir; up++)
		*slash = '\0';
	mkdir(dir, 0755);	/* EEXIST is fine; open says what else is wrong */
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		snprintf(err, errlen, "%.100s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* parses the file; drops holders that are gone (pid reused: other start) */
static void state_read(const struct kf_guard *g, int fd, struct enforce_state *st)
{
	char buf[4096], *line, *save = NULL;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	memset(st, 0, sizeof(*st));
	st->original = -1;
	if (n <= 0)
		return;
	buf[n] = '\0';
	st->existed = true;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct holder h;

		if (sscanf(line, "original=%d", &st->original) == 1)
			continue;
		if (strcmp(line, "admin=1") == 0)
			st->admin = true;
		else if (sscanf(line, "holder=%d %" SCNu64, &h.pid, &h.start) == 2 && st->nr < MAX_HOLDERS) {
			if (h.pid > 0 && guard_read_starttime(g, h.pid) == h.start)
				st->h[st->nr++] = h;
			else if (marker_restored(g, h.pid))
				st->pruned_restored++;
			else
				st->pruned_killed++;
		}
	}
}

/* writes the state back, or removes the file when nobody holds the sysctl */
static void state_write(const struct kf_guard *g, int fd, const struct enforce_state *st)
{
	char buf[4096];
	int len;

	if (!st->nr) {
		state_path(g, buf, sizeof(buf));
		unlink(buf);
		return;
	}
	len = snprintf(buf, sizeof(buf), "original=%d\nadmin=%d\n", st->original, st->admin);
	for (int i = 0; i < st->nr && len < (int)sizeof(buf) - 48; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "holder=%d %" PRIu64 "\n", st->h[i].pid, st->h[i].start);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != len)
		return;	/* the next reader finds what it can; the sysctl itself is right */
}

static void state_unlock(int fd)
{
	close(fd);	/* drops the flock */
}

static void state_drop_self(struct enforce_state *st)
{
	int n = 0;

	for (int i = 0; i < st->nr; i++)
		if (st->h[i].pid != getpid())
			st->h[n++] = st->h[i];
	st->nr = n;
}

/* ---- --enforce ---------------------------------------------------------------------- */

static void enforce_fail(struct kf_guard *g, const char *why)
{
	snprintf(g->in.enforce_error, sizeof(g->in.enforce_error), "%s", why);
	g->enforce = false;
}

/* joins the holders; the value the admin had into in.enforce_original */
static int enforce_join(struct kf_guard *g, int value)
{
	struct enforce_state st;
	char err[160];
	int fd = state_lock(g, err, sizeof(err));

	if (fd < 0) {
		enforce_fail(g, err);
		return -1;
	}
	state_read(g, fd, &st);
	state_drop_self(&st);
	/* nobody alive holds it: a value saved by a run killed with SIGKILL
	 * (it left 0) is still what the admin had; after one that restored it,
	 * the value now is the admin's */
	if (!st.nr && !(st.pruned_killed && st.original >= 0 && value == 0))
		st.original = value;
	st.admin = st.nr ? st.admin : false;
	if (st.nr < MAX_HOLDERS)
		st.h[st.nr++] = (struct holder){ getpid(), guard_read_starttime(g, getpid()) };
	state_write(g, fd, &st);
	state_unlock(fd);
	g->in.enforce_original = st.original;
	return 0;
}

/* this holder's marker, "held", turned into "restored" by a fatal signal */
static void marker_start(struct kf_guard *g)
{
	char path[4096];
	int fd;

	marker_path(g, getpid(), path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;		/* a dead holder without one counts as killed: the safe side */
	if (write(fd, "held\n", 5) == 5)
		g->marker_slot = kf_cleanup_add_restore(path, "restored\n");
	close(fd);
}

static void marker_end(struct kf_guard *g)
{
	char path[4096];

	if (g->marker_slot >= 0)
		kf_cleanup_del_restore(g->marker_slot);
	g->marker_slot = -1;
	marker_path(g, getpid(), path, sizeof(path));
	unlink(path);
}

static void enforce_start(struct kf_guard *g, int value)
{
	char err[160], restore[16], *path;

	if (value < 0 || enforce_join(g, value) < 0) {
		if (value < 0)
			enforce_fail(g, "vm.compact_unevictable_allowed cannot be read");
		return;
	}
	marker_start(g);
	path = kf_proc_path(g->root, "sys/vm/" UNEVICTABLE);
	snprintf(restore, sizeof(restore), "%d\n", g->in.enforce_original);
	/* registered before the write: a signal right after it still restores */
	g->restore_slot = path ? kf_cleanup_add_restore(path, restore) : -1;
	free(path);
	if (g->restore_slot < 0) {
		enforce_fail(g, "cannot register the restore at exit");
		kf_guard_restore(g);
		return;
	}
	g->holding = true;
	if (value != 0 && write_sysctl(g, UNEVICTABLE, 0, err, sizeof(err)) < 0) {
		enforce_fail(g, err);
		kf_guard_restore(g);
		return;
	}
	g->in.enforced = true;
	g->in.unevictable_allowed_end = 0;
	g->last_unevictable = 0;
}

/* the sysctl is not 0 while kfrag holds it: a holder that died restored
 * it (hold it again), or the admin wrote it (let it stand, say so) */
static void enforce_changed(struct kf_guard *g, int value)
{
	struct enforce_state st;
	char err[160];
	int fd = state_lock(g, err, sizeof(err));

	if (fd < 0)
		return;
	state_read(g, fd, &st);
	if (!st.admin && st.pruned_restored && value == st.original) {
		state_write(g, fd, &st);
		state_unlock(fd);
		if (write_sysctl(g, UNEVICTABLE, 0, err, sizeof(err)) == 0)
			g->last_unevictable = 0;
		return;
	}
	st.admin = true;
	state_write(g, fd, &st);
	state_unlock(fd);
	g->in.enforce_admin_changed = true;
	kf_cleanup_del_restore(g->restore_slot);
	g->restore_slot = -1;
	g->enforce = false;	/* stays a holder until restore: the others see admin=1 */
}

static void enforce(struct kf_guard *g, int value)
{
	if (!g->enforce || !guard_running_procs(g))
		return;
	if (!g->holding)
		enforce_start(g, value);
	else if (value > 0)
		enforce_changed(g, value);
}

int kf_guard_restore(struct kf_guard *g)
{
	struct enforce_state st;
	char err[160];
	int fd, ret = 0, now;

	if (!g || !g->holding)
		return 0;
	fd = state_lock(g, err, sizeof(err));
	if (fd >= 0)
		state_read(g, fd, &st);
	else
		st = (struct enforce_state){ .original = g->in.enforce_original };
	state_drop_self(&st);
	now = kf_guard_read_sysctl(g->root, UNEVICTABLE);
	if (now > 0 || st.admin) {
		/* theirs stands */
		g->in.enforce_admin_changed = g->in.enforce_admin_changed || (now > 0 && now != st.original);
	} else if (!st.nr && g->in.enforced && st.original > 0 &&
		   write_sysctl(g, UNEVICTABLE, st.original, err, sizeof(err)) < 0) {
		snprintf(g->in.enforce_error, sizeof(g->in.enforce_error), "cannot restore %d: %.100s", st.original, err);
		ret = -1;	/* the exit hook tries again */
	}
	if (fd >= 0) {
		if (ret == 0)
			state_write(g, fd, &st);
		state_unlock(fd);
	}
	if (ret == 0) {
		kf_cleanup_del_restore(g->restore_slot);
		g->restore_slot = -1;
		marker_end(g);
	}
	g->holding = false;
	g->enforce = false;
	return ret;
}

/* ---- the readings ------------------------------------------------------------------ */

static void note_change(struct kf_guard *g, enum kf_guard_sysctl which, int from, int to)
{
	struct kf_sysctl_change *c;

	if (which == KF_SYSCTL_UNEVICTABLE_ALLOWED)
		g->in.unevictable_changes++;
	else
		g->in.proactiveness_changes++;
	if (g->in.nr_changes >= KF_GUARD_MAX_CHANGES)
		return;
	c = &g->in.changes[g->in.nr_changes++];
	c->t_s = kf_monotonic_s() - g->t0;
	c->from = from;
	c->to = to;
	c->sysctl = which;
}

/* a change of *last to v is recorded; unreadable values are no change */
static void follow(struct kf_guard *g, enum kf_guard_sysctl which, int *last, int v, bool first)
{
	if (!first && v >= 0 && *last >= 0 && v != *last)
		note_change(g, which, *last, v);
	if (first || v >= 0)
		*last = v;
}

void guard_read_sysctls(struct kf_guard *g, bool first)
{
	int v = kf_guard_read_sysctl(g->root, UNEVICTABLE);
	int pro = kf_guard_read_sysctl(g->root, "compaction_proactiveness");

	follow(g, KF_SYSCTL_UNEVICTABLE_ALLOWED, &g->last_unevictable, v, first);
	follow(g, KF_SYSCTL_PROACTIVENESS, &g->last_proactiveness, pro, first);
	if (first) {
		g->in.unevictable_allowed_start = v;
		g->in.proactiveness_start = pro;
	}
	g->in.unevictable_allowed_end = v;
	g->in.proactiveness = pro;
	enforce(g, v);
}
