/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's data side: which processes to protect, where their locked
 * pages are, the sysctls, sched_ext, and --enforce. See kf_guard_proc.h.
 *
 * /proc/PID/pagemap holds one 64-bit word per virtual page: bit 63 present,
 * bits 0-54 the PFN when present (0 unless the reader has CAP_SYS_ADMIN).
 * The locked mappings are those with "lo" in smaps' VmFlags.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kf_guard_proc.h"
#include "kf_live_cleanup.h"
#include "kf_util.h"

#define PM_PRESENT		(1ULL << 63)
#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PAGEMAP_CHUNK		4096		/* entries per pread */
#define MAX_PAGES_PER_PROC	(1ULL << 24)	/* 64 GiB of 4 KiB pages */
#define MAX_MOVED_VRANGES	256
#define MAX_FILE_BYTES		(256u << 20)

struct gproc {
	uint64_t starttime;		/* /proc/PID/stat field 22: tells a reused pid */
	struct kf_pagemap base;		/* last PFN of every locked page, and its moves */
	uint64_t *seen;			/* every PFN seen in the window, sorted, unique */
	size_t nr_seen, alloc_seen;
	bool by_comm;			/* selected by an explicit comm */
};

struct kf_guard {
	char *procdir;			/* ROOT/proc, or ROOT when it has none */
	char *sysdir;			/* ROOT/sys */
	int *pids;
	int nr_pids;
	char **comms;
	int nr_comms;
	bool *comm_matched;
	bool discover;
	struct kf_guard_input in;
	struct gproc *priv;		/* parallel to in.procs */
	int alloc_procs;
	int *fault_pids;
	int nr_fault_pids;
	double t0;
	int page_shift;
	/* --enforce */
	bool enforce;
	bool holding;			/* kfrag holds the sysctl at 0 */
	int enforce_prev;		/* the value to put back */
	int restore_slot;
	int last_unevictable;		/* last value read, to see changes */
};

static char *join(const char *a, const char *b)
{
	size_t len = strlen(a) + strlen(b) + 2;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s/%s", a, b);
	return p;
}

/* whole file, NUL-terminated; NULL with errno */
static char *slurp(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *grown;

			if (cap >= MAX_FILE_BYTES) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			int saved = errno;

			if (saved == EINTR)
				continue;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static char *pid_path(const struct kf_guard *g, int pid, const char *name)
{
	size_t len = strlen(g->procdir) + strlen(name) + 24;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s/%d/%s", g->procdir, pid, name);
	return p;
}

static char *pid_slurp(const struct kf_guard *g, int pid, const char *name, size_t *len)
{
	char *path = pid_path(g, pid, name), *buf;
	int saved;

	if (!path) {
		errno = ENOMEM;
		return NULL;
	}
	buf = slurp(path, len);
	saved = errno;
	free(path);
	errno = saved;
	return buf;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* ---- sysctls and sched_ext ------------------------------------------------------- */

/* ROOT/proc when it is a directory, else ROOT (a saved tree without proc/) */
static char *procdir_of(const char *root)
{
	size_t len = strlen(root);
	struct stat st;
	char *p;

	while (len > 1 && root[len - 1] == '/')
		len--;
	p = malloc(len + 6);
	if (!p)
		return NULL;
	snprintf(p, len + 6, "%.*s/proc", (int)len, strcmp(root, "/") == 0 ? "" : root);
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return p;
	snprintf(p, len + 6, "%.*s", (int)len, root);
	return p;
}

static int read_sysctl_at(const char *procdir, const char *name)
{
	char *path, *buf, rel[128];
	long v;
	char *end;

	snprintf(rel, sizeof(rel), "sys/vm/%s", name);
	path = join(procdir, rel);
	if (!path)
		return -1;
	buf = slurp(path, NULL);
	free(path);
	if (!buf)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno || v < 0 || v > 1000000)
		v = -1;
	free(buf);
	return (int)v;
}

int kf_guard_read_sysctl(const char *root, const char *name)
{
	char *dir = procdir_of(root && *root ? root : "/");
	int v;

	if (!dir)
		return -1;
	v = read_sysctl_at(dir, name);
	free(dir);
	return v;
}

static int write_sysctl(const struct kf_guard *g, const char *name, int value, char *err, size_t errlen)
{
	char rel[128], num[16], *path;
	int fd, n;
	ssize_t w;

	snprintf(rel, sizeof(rel), "sys/vm/%s", name);
	path = join(g->procdir, rel);
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	n = snprintf(num, sizeof(num), "%d\n", value);
	w = write(fd, num, n);
	if (w != n) {
		snprintf(err, errlen, "%s: %s", path, w < 0 ? strerror(errno) : "short write");
		close(fd);
		free(path);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static void read_sched_ext(struct kf_guard *g)
{
	char *path, *buf;

	g->in.sched_ext_state[0] = '\0';
	g->in.sched_ext_ops[0] = '\0';
	path = join(g->sysdir, "kernel/sched_ext/state");
	buf = path ? slurp(path, NULL) : NULL;
	free(path);
	if (buf) {
		trim(buf);
		snprintf(g->in.sched_ext_state, sizeof(g->in.sched_ext_state), "%s", buf);
		free(buf);
	}
	path = join(g->sysdir, "kernel/sched_ext/root/ops");
	buf = path ? slurp(path, NULL) : NULL;
	free(path);
	if (buf) {
		trim(buf);
		snprintf(g->in.sched_ext_ops, sizeof(g->in.sched_ext_ops), "%s", buf);
		free(buf);
	}
}

/* ---- one process ------------------------------------------------------------------ */

struct status {
	char comm[KF_COMM_LEN];
	int tgid;
	uint64_t vmlck_kb;
	bool has_vm;		/* user memory: kernel threads have no Vm* lines */
};

static int read_status(const struct kf_guard *g, int pid, struct status *st)
{
	char *buf = pid_slurp(g, pid, "status", NULL), *line, *save = NULL;

	memset(st, 0, sizeof(*st));
	st->tgid = pid;
	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Name:", 5) == 0) {
			const char *v = line + 5;

			while (*v == '\t' || *v == ' ')
				v++;
			snprintf(st->comm, sizeof(st->comm), "%s", v);
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			st->tgid = atoi(line + 5);
		} else if (strncmp(line, "VmLck:", 6) == 0) {
			st->vmlck_kb = strtoull(line + 6, NULL, 10);
			st->has_vm = true;
		}
	}
	free(buf);
	return 0;
}

static uint64_t read_starttime(const struct kf_guard *g, int pid)
{
	char *buf = pid_slurp(g, pid, "stat", NULL), *p;
	uint64_t v = 0;

	if (!buf)
		return 0;
	p = strrchr(buf, ')');
	if (p) {
		/* after "pid (comm)": state is field 3, starttime field 22 */
		int field = 2;

		for (p++; *p && field < 22; p++)
			if (*p == ' ')
				field++;
		if (field == 22)
			v = strtoull(p, NULL, 10);
	}
	free(buf);
	return v;
}

static int add_tid(struct kf_protected *p, int tid)
{
	int *grown;

	for (int i = 0; i < p->nr_tids; i++)
		if (p->tids[i] == tid)
			return 0;
	grown = realloc(p->tids, (p->nr_tids + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	p->tids = grown;
	p->tids[p->nr_tids++] = tid;
	return 0;
}

static int read_tids(const struct kf_guard *g, struct kf_protected *p)
{
	char *path = pid_path(g, p->pid, "task");
	struct dirent *de;
	DIR *d;

	if (!path)
		return -1;
	if (add_tid(p, p->pid) < 0) {
		free(path);
		return -1;
	}
	d = opendir(path);
	free(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);

		if (tid > 0 && add_tid(p, tid) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static bool special_vma(const char *name)
{
	return strcmp(name, "[vvar]") == 0 || strcmp(name, "[vvar_vclock]") == 0 ||
	       strcmp(name, "[vdso]") == 0 || strcmp(name, "[vsyscall]") == 0;
}

static bool has_flag(const char *flags, const char *f)
{
	size_t n = strlen(f);

	for (const char *p = flags; (p = strstr(p, f)); p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/*
 * smaps: the locked mappings. A header line "start-end perms offset dev
 * inode [name]" opens a mapping; "Locked:" and "VmFlags:" follow it.
 */
static int read_smaps(const struct kf_guard *g, struct kf_protected *p, int *err_no)
{
	char *buf = pid_slurp(g, p->pid, "smaps", NULL), *line, *save = NULL;
	struct kf_locked_vma cur = { 0 }, *vmas = NULL;
	int nr = 0, alloc = 0, mappings = 0, locked_mappings = 0;
	bool in_vma = false, cur_special = false;

	if (!buf) {
		*err_no = errno;
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end;
		int name_at = 0;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &name_at) == 2 && name_at > 0 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			memset(&cur, 0, sizeof(cur));
			cur.start = start;
			cur.end = end;
			snprintf(cur.name, sizeof(cur.name), "%s", line + name_at);
			trim(cur.name);
			cur_special = special_vma(cur.name);
			in_vma = true;
			continue;
		}
		if (!in_vma)
			continue;
		if (strncmp(line, "Locked:", 7) == 0) {
			cur.locked_kb = strtoull(line + 7, NULL, 10);
		} else if (strncmp(line, "VmFlags:", 8) == 0) {
			/* the last line of a mapping */
			in_vma = false;
			if (cur_special || has_flag(line + 8, "io") || has_flag(line + 8, "pf"))
				continue;
			mappings++;
			if (!has_flag(line + 8, "lo"))
				continue;
			locked_mappings++;
			if (nr == alloc) {
				int n = alloc ? alloc * 2 : 16;
				struct kf_locked_vma *grown = realloc(vmas, n * sizeof(*grown));

				if (!grown) {
					free(vmas);
					free(buf);
					*err_no = ENOMEM;
					return -1;
				}
				vmas = grown;
				alloc = n;
			}
			vmas[nr++] = cur;
		}
	}
	free(buf);
	free(p->vmas);
	p->vmas = vmas;
	p->nr_vmas = nr;
	p->locked_ranges = nr;
	p->mlockall = mappings > 0 && locked_mappings == mappings;
	p->smaps_readable = true;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* sorted, distinct PFNs as coalesced ranges; NULL (with *nr 0) when n is 0 */
static struct kf_pfn_range *ranges_of(const uint64_t *pfns, size_t n, int *nr, bool *failed)
{
	struct kf_pfn_range *ranges = NULL;
	int alloc = 0;

	*nr = 0;
	*failed = false;
	for (size_t k = 0; k < n; k++) {
		if (*nr && ranges[*nr - 1].end == pfns[k]) {
			ranges[*nr - 1].end++;
			continue;
		}
		if (*nr == alloc) {
			int na = alloc ? alloc * 2 : 64;
			struct kf_pfn_range *grown = realloc(ranges, na * sizeof(*grown));

			if (!grown) {
				free(ranges);
				*nr = 0;
				*failed = true;
				return NULL;
			}
			ranges = grown;
			alloc = na;
		}
		ranges[(*nr)++] = (struct kf_pfn_range){ pfns[k], pfns[k] + 1 };
	}
	return ranges;
}

/*
 * Adds the PFNs of reading now to the window's set and rebuilds p->pfns
 * (every PFN a locked page had during the window: what isolate ranges are
 * intersected with) and p->cur_pfns (the PFNs now: where the pages sit).
 */
static int update_pfn_index(struct gproc *gp, struct kf_protected *p, const struct kf_pagemap *now)
{
	uint64_t *fresh, *merged;
	size_t nf = 0, n = 0, i = 0, j = 0;
	struct kf_pfn_range *ranges, *cur;
	int nr, nr_cur;
	bool failed;

	fresh = malloc((now->nr ? now->nr : 1) * sizeof(*fresh));
	if (!fresh)
		return -1;
	for (size_t k = 0; k < now->nr; k++)
		if (now->pages[k].pfn)
			fresh[nf++] = now->pages[k].pfn;
	qsort(fresh, nf, sizeof(*fresh), cmp_u64);
	merged = malloc((gp->nr_seen + nf + 1) * sizeof(*merged));
	if (!merged) {
		free(fresh);
		return -1;
	}
	while (i < gp->nr_seen || j < nf) {
		uint64_t v;

		if (j >= nf || (i < gp->nr_seen && gp->seen[i] <= fresh[j]))
			v = gp->seen[i++];
		else
			v = fresh[j++];
		if (!n || merged[n - 1] != v)
			merged[n++] = v;
	}
	/* two virtual pages never share a PFN: fresh is already distinct */
	cur = ranges_of(fresh, nf, &nr_cur, &failed);
	free(fresh);
	free(gp->seen);
	gp->seen = merged;
	gp->nr_seen = n;
	gp->alloc_seen = n;
	if (failed)
		return -1;
	ranges = ranges_of(merged, n, &nr, &failed);
	if (failed) {
		free(cur);
		return -1;
	}
	free(p->pfns);
	p->pfns = ranges;
	p->nr_pfns = nr;
	free(p->cur_pfns);
	p->cur_pfns = cur;
	p->nr_cur_pfns = nr_cur;
	return 0;
}

static int update_moved_vranges(const struct kf_guard *g, const struct gproc *gp, struct kf_protected *p)
{
	struct kf_pfn_range *r = NULL;
	int nr = 0, alloc = 0;

	p->pages_moved = 0;
	for (size_t k = 0; k < gp->base.nr; k++) {
		const struct kf_pagemap_entry *e = &gp->base.pages[k];
		uint64_t start = e->vpage << g->page_shift;

		if (!e->moves)
			continue;
		p->pages_moved++;
		if (nr && r[nr - 1].end == start) {
			r[nr - 1].end += 1ULL << g->page_shift;
			continue;
		}
		if (nr == MAX_MOVED_VRANGES) {
			r[nr - 1].end = start + (1ULL << g->page_shift);	/* the rest in the last one */
			continue;
		}
		if (nr == alloc) {
			int na = alloc ? alloc * 2 : 16;
			struct kf_pfn_range *grown = realloc(r, na * sizeof(*grown));

			if (!grown) {
				free(r);
				return -1;
			}
			r = grown;
			alloc = na;
		}
		r[nr++] = (struct kf_pfn_range){ start, start + (1ULL << g->page_shift) };
	}
	free(p->moved_vranges);
	p->moved_vranges = r;
	p->nr_moved_vranges = nr;
	return 0;
}

/* the PFNs of the locked mappings now; -1 with errno when pagemap cannot be read */
static int read_pagemap(const struct kf_guard *g, const struct kf_protected *p, struct kf_pagemap *now,
			uint64_t *present_out)
{
	char *path = pid_path(g, p->pid, "pagemap");
	uint64_t *chunk, present = 0;
	int fd, saved;

	memset(now, 0, sizeof(*now));
	if (!path) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	saved = errno;
	free(path);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	chunk = malloc(PAGEMAP_CHUNK * sizeof(*chunk));
	if (!chunk) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (int v = 0; v < p->nr_vmas; v++) {
		uint64_t first = p->vmas[v].start >> g->page_shift;
		uint64_t last = p->vmas[v].end >> g->page_shift;

		for (uint64_t vp = first; vp < last;) {
			size_t want = last - vp < PAGEMAP_CHUNK ? last - vp : PAGEMAP_CHUNK;
			ssize_t got = pread(fd, chunk, want * sizeof(*chunk), (off_t)(vp * sizeof(*chunk)));

			if (got < 0) {
				saved = errno;
				if (saved == EINTR)
					continue;
				free(chunk);
				close(fd);
				kf_pagemap_release(now);
				errno = saved;
				return -1;
			}
			if (got == 0)
				break;	/* the mapping went away */
			size_t n = got / sizeof(*chunk);

			if (now->nr + n > now->alloc) {
				size_t na = now->alloc ? now->alloc * 2 : 1024;

				while (na < now->nr + n)
					na *= 2;
				if (na > MAX_PAGES_PER_PROC)
					na = MAX_PAGES_PER_PROC;
				if (now->nr + n > na)
					break;	/* more than we keep: the rest is not checked */
				struct kf_pagemap_entry *grown = realloc(now->pages, na * sizeof(*grown));

				if (!grown) {
					free(chunk);
					close(fd);
					kf_pagemap_release(now);
					errno = ENOMEM;
					return -1;
				}
				now->pages = grown;
				now->alloc = na;
			}
			for (size_t k = 0; k < n; k++) {
				if (!(chunk[k] & PM_PRESENT))
					continue;
				present++;
				now->pages[now->nr++] = (struct kf_pagemap_entry){
					.vpage = vp + k, .pfn = chunk[k] & PM_PFN_MASK, .moves = 0 };
			}
			vp += n;
		}
	}
	free(chunk);
	close(fd);
	*present_out = present;
	return 0;
}

/* reads one protected process again; marks it exited when it is gone */
static int read_proc(struct kf_guard *g, int idx)
{
	struct kf_protected *p = &g->in.procs[idx];
	struct gproc *gp = &g->priv[idx];
	struct kf_pagemap now;
	struct kf_pagemap_delta d;
	struct status st;
	uint64_t present = 0, known = 0;
	int err_no = 0;

	if (p->exited)
		return 0;
	if (read_status(g, p->pid, &st) < 0 || (gp->starttime && read_starttime(g, p->pid) != gp->starttime)) {
		p->exited = true;
		return 0;
	}
	p->vmlck_kb = st.vmlck_kb;
	if (read_tids(g, p) < 0)
		return -1;
	if (read_smaps(g, p, &err_no) < 0) {
		if (err_no == ENOMEM)
			return -1;
		if (err_no == ENOENT || err_no == ESRCH) {
			p->exited = true;
			return 0;
		}
		p->smaps_readable = false;
		p->pagemap_readable = false;
		snprintf(p->pagemap_why, sizeof(p->pagemap_why), "/proc/%d/smaps: %s%s", p->pid, strerror(err_no),
			 geteuid() ? " (run kfrag as root)" : " (refused even to root: ptrace restrictions or a security module)");
		return 0;
	}
	if (read_pagemap(g, p, &now, &present) < 0) {
		err_no = errno;
		if (err_no == ENOMEM)
			return -1;
		if (err_no == ENOENT || err_no == ESRCH) {
			p->exited = true;
			return 0;
		}
		p->pagemap_readable = false;
		snprintf(p->pagemap_why, sizeof(p->pagemap_why), "/proc/%d/pagemap: %s%s", p->pid, strerror(err_no),
			 geteuid() ? " (run kfrag as root)" : " (refused even to root: ptrace restrictions or a security module)");
		return 0;
	}
	for (size_t k = 0; k < now.nr; k++)
		if (now.pages[k].pfn)
			known++;
	if (present && !known) {
		/* the kernel hides PFNs from readers without CAP_SYS_ADMIN */
		kf_pagemap_release(&now);
		p->pagemap_readable = false;
		snprintf(p->pagemap_why, sizeof(p->pagemap_why),
			 "/proc/%d/pagemap shows no PFNs without CAP_SYS_ADMIN (run kfrag as root)", p->pid);
		return 0;
	}
	p->pagemap_readable = true;
	p->pagemap_why[0] = '\0';
	if (kf_pagemap_update(&gp->base, &now, &d) < 0 || update_pfn_index(gp, p, &now) < 0) {
		kf_pagemap_release(&now);
		return -1;
	}
	p->pages_checked += d.compared;
	p->locked_pages = known;
	/* the reading is in mapping order (smaps is sorted by address) */
	size_t k = 0;

	for (int v = 0; v < p->nr_vmas; v++) {
		struct kf_locked_vma *m = &p->vmas[v];
		uint64_t vs = m->start >> g->page_shift, ve = m->end >> g->page_shift;

		m->pages = 0;
		while (k < now.nr && now.pages[k].vpage < vs)
			k++;
		for (; k < now.nr && now.pages[k].vpage < ve; k++)
			if (now.pages[k].pfn)
				m->pages++;
		m->pages_moved = kf_pagemap_moved_in(&gp->base, vs, ve);
	}
	kf_pagemap_release(&now);
	return update_moved_vranges(g, gp, p);
}

/* ---- discovery ----------------------------------------------------------------------- */

static int find_proc(const struct kf_guard *g, int pid)
{
	for (int i = 0; i < g->in.nr_procs; i++)
		if (g->in.procs[i].pid == pid && !g->in.procs[i].exited)
			return i;
	return -1;
}

static int add_proc(struct kf_guard *g, int pid, const struct status *st, enum kf_protect_reason reason,
		    bool by_comm)
{
	struct kf_protected *p;
	struct gproc *gp;

	if (g->in.nr_procs == g->alloc_procs) {
		int n = g->alloc_procs ? g->alloc_procs * 2 : 8;
		struct kf_protected *procs = realloc(g->in.procs, n * sizeof(*procs));

		if (!procs)
			return -1;
		g->in.procs = procs;
		struct gproc *priv = realloc(g->priv, n * sizeof(*priv));

		if (!priv)
			return -1;
		g->priv = priv;
		g->alloc_procs = n;
	}
	p = &g->in.procs[g->in.nr_procs];
	gp = &g->priv[g->in.nr_procs];
	memset(p, 0, sizeof(*p));
	memset(gp, 0, sizeof(*gp));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", st->comm);
	p->reason = reason;
	p->vmlck_kb = st->vmlck_kb;
	gp->starttime = read_starttime(g, pid);
	gp->by_comm = by_comm;
	g->in.nr_procs++;
	return read_proc(g, g->in.nr_procs - 1);
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "scx_rustland" for ops "rustland" (comms are cut at 15 characters) */
static bool runs_sched_ext_ops(const struct kf_guard *g, const char *comm)
{
	const char *ops = g->in.sched_ext_ops;

	if (strcmp(g->in.sched_ext_state, "enabled") != 0 || !ops[0])
		return false;
	if (strncmp(comm, "scx_", 4) == 0 && strncmp(comm + 4, ops, KF_COMM_LEN - 1 - 4) == 0 &&
	    strlen(comm) == (strlen(ops) + 4 < KF_COMM_LEN - 1 ? strlen(ops) + 4 : KF_COMM_LEN - 1))
		return true;
	return strncmp(comm, ops, KF_COMM_LEN - 1) == 0 &&
	       strlen(comm) == (strlen(ops) < KF_COMM_LEN - 1 ? strlen(ops) : KF_COMM_LEN - 1);
}

static int comm_selected(const struct kf_guard *g, const char *comm)
{
	for (int i = 0; i < g->nr_comms; i++)
		if (strncmp(comm, g->comms[i], KF_COMM_LEN - 1) == 0)
			return i;
	return -1;
}

/* every process of procdir that should be protected and is not yet */
static int discover(struct kf_guard *g)
{
	DIR *d = opendir(g->procdir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct status st;
		enum kf_protect_reason reason;
		int pid, ci;

		if (!is_pid_name(de->d_name))
			continue;
		pid = atoi(de->d_name);
		if (read_status(g, pid, &st) < 0 || !st.has_vm)
			continue;
		ci = comm_selected(g, st.comm);
		if (ci >= 0)
			g->comm_matched[ci] = true;
		if (find_proc(g, pid) >= 0)
			continue;
		if (g->discover && runs_sched_ext_ops(g, st.comm))
			reason = KF_PROTECT_SCHED_EXT;
		else if (ci >= 0)
			reason = KF_PROTECT_COMM;
		else if (g->discover && strncmp(st.comm, "scx_", 4) == 0)
			reason = KF_PROTECT_COMM_SCX;
		else if (g->discover && g->in.lock_threshold_kb && st.vmlck_kb >= g->in.lock_threshold_kb)
			reason = KF_PROTECT_LOCKED;
		else
			continue;
		if (add_proc(g, pid, &st, reason, ci >= 0) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int add_explicit_pids(struct kf_guard *g)
{
	for (int i = 0; i < g->nr_pids; i++) {
		struct status st;
		int pid = g->pids[i];

		if (pid <= 0 || read_status(g, pid, &st) < 0) {
			struct kf_guard_unmatched *u = &g->in.unmatched[g->in.nr_unmatched++];

			u->pid = pid;
			u->comm[0] = '\0';
			continue;
		}
		pid = st.tgid > 0 ? st.tgid : pid;	/* a thread id stands for its process */
		if (find_proc(g, pid) >= 0)
			continue;
		if (st.tgid != g->pids[i] && read_status(g, pid, &st) < 0)
			continue;
		if (add_proc(g, pid, &st, KF_PROTECT_PID, false) < 0)
			return -1;
	}
	return 0;
}

static void comms_unmatched(struct kf_guard *g)
{
	int n = 0;

	/* pids first (fixed at open), then the comms still unmatched */
	for (int i = 0; i < g->in.nr_unmatched; i++)
		if (g->in.unmatched[i].pid >= 0)
			g->in.unmatched[n++] = g->in.unmatched[i];
	for (int i = 0; i < g->nr_comms; i++) {
		if (g->comm_matched[i])
			continue;
		g->in.unmatched[n].pid = -1;
		snprintf(g->in.unmatched[n].comm, KF_COMM_LEN, "%s", g->comms[i]);
		n++;
	}
	g->in.nr_unmatched = n;
}

static int running_procs(const struct kf_guard *g)
{
	int n = 0;

	for (int i = 0; i < g->in.nr_procs; i++)
		if (!g->in.procs[i].exited)
			n++;
	return n;
}

/* ---- --enforce ---------------------------------------------------------------------- */

static void enforce(struct kf_guard *g, int value)
{
	char err[160], path_buf[4096], restore[16];
	char *path;

	if (!g->enforce || !running_procs(g))
		return;
	if (!g->holding) {
		if (value < 0) {
			snprintf(g->in.enforce_error, sizeof(g->in.enforce_error),
				 "vm.compact_unevictable_allowed cannot be read");
			g->enforce = false;
			return;
		}
		g->enforce_prev = value;
		path = join(g->procdir, "sys/vm/compact_unevictable_allowed");
		if (!path)
			return;
		snprintf(path_buf, sizeof(path_buf), "%s", path);
		free(path);
		snprintf(restore, sizeof(restore), "%d\n", value);
		/* registered before the write: a signal right after it still restores */
		g->restore_slot = kf_cleanup_add_restore(path_buf, restore);
		if (g->restore_slot < 0) {
			snprintf(g->in.enforce_error, sizeof(g->in.enforce_error),
				 "cannot register the restore at exit: %s", strerror(errno));
			g->enforce = false;
			return;
		}
		g->holding = true;
	}
	if (value == 0)
		return;
	if (write_sysctl(g, "compact_unevictable_allowed", 0, err, sizeof(err)) < 0) {
		snprintf(g->in.enforce_error, sizeof(g->in.enforce_error), "%s", err);
		kf_cleanup_del_restore(g->restore_slot);
		g->restore_slot = -1;
		g->holding = false;
		g->enforce = false;
		return;
	}
	g->in.enforced = true;
	g->in.unevictable_allowed_end = 0;
	g->last_unevictable = 0;
}

int kf_guard_restore(struct kf_guard *g)
{
	char err[120];
	int ret = 0;

	if (!g || !g->holding)
		return 0;
	if (g->in.enforced && write_sysctl(g, "compact_unevictable_allowed", g->enforce_prev, err, sizeof(err)) < 0) {
		snprintf(g->in.enforce_error, sizeof(g->in.enforce_error), "cannot restore %d: %s", g->enforce_prev, err);
		ret = -1;	/* the exit hook tries again */
	} else {
		kf_cleanup_del_restore(g->restore_slot);
		g->restore_slot = -1;
	}
	g->holding = false;
	g->enforce = false;
	return ret;
}

/* ---- the readings ------------------------------------------------------------------ */

static void read_sysctls(struct kf_guard *g, bool first)
{
	int v = read_sysctl_at(g->procdir, "compact_unevictable_allowed");

	if (first) {
		g->in.unevictable_allowed_start = v;
		g->last_unevictable = v;
	} else if (v != g->last_unevictable && v >= 0 && g->last_unevictable >= 0) {
		if (g->in.nr_changes < KF_GUARD_MAX_CHANGES) {
			struct kf_sysctl_change *c = &g->in.changes[g->in.nr_changes++];

			c->t_s = kf_monotonic_s() - g->t0;
			c->from = g->last_unevictable;
			c->to = v;
		}
		g->in.unevictable_changes++;
		g->last_unevictable = v;
	} else if (v >= 0) {
		g->last_unevictable = v;
	}
	g->in.unevictable_allowed_end = v;
	g->in.proactiveness = read_sysctl_at(g->procdir, "compaction_proactiveness");
	enforce(g, v);
}

int kf_guard_refresh(struct kf_guard *g)
{
	read_sched_ext(g);
	for (int i = 0; i < g->in.nr_procs; i++)
		if (read_proc(g, i) < 0)
			return -1;
	if ((g->discover || g->nr_comms) && discover(g) < 0)
		return -1;
	comms_unmatched(g);
	read_sysctls(g, false);
	g->in.window_s = kf_monotonic_s() - g->t0;
	return 0;
}

const struct kf_guard_input *kf_guard_input(const struct kf_guard *g)
{
	return &g->in;
}

const int *kf_guard_fault_pids(const struct kf_guard *g, int *nr)
{
	*nr = g->nr_fault_pids;
	return g->fault_pids;
}

void kf_guard_set_faults_traced(struct kf_guard *g, bool traced)
{
	g->in.faults_traced = traced ? 1 : 0;
}

void kf_guard_set_compaction_reason(struct kf_guard *g, int value)
{
	g->in.compaction_reason = value;
}

static int collect_fault_pids(struct kf_guard *g)
{
	int n = 0;

	for (int i = 0; i < g->in.nr_procs; i++)
		n += g->in.procs[i].nr_tids ? g->in.procs[i].nr_tids : 1;
	if (n > KF_GUARD_MAX_FAULT_PIDS)
		n = KF_GUARD_MAX_FAULT_PIDS;
	g->fault_pids = calloc(n + 1, sizeof(*g->fault_pids));
	if (!g->fault_pids)
		return -1;
	for (int i = 0; i < g->in.nr_procs && g->nr_fault_pids < n; i++) {
		const struct kf_protected *p = &g->in.procs[i];

		if (p->exited)
			continue;
		if (!p->nr_tids)
			g->fault_pids[g->nr_fault_pids++] = p->pid;
		for (int t = 0; t < p->nr_tids && g->nr_fault_pids < n; t++)
			g->fault_pids[g->nr_fault_pids++] = p->tids[t];
	}
	return 0;
}

struct kf_guard *kf_guard_open(const struct kf_guard_config *cfg, char *err, size_t errlen)
{
	struct kf_guard *g = calloc(1, sizeof(*g));
	const char *root = cfg->root && *cfg->root ? cfg->root : "/";
	long psize = sysconf(_SC_PAGESIZE);
	struct stat st;

	if (!g)
		goto oom;
	g->restore_slot = -1;
	g->t0 = kf_monotonic_s();
	g->page_shift = 12;
	while (psize > 0 && (1L << g->page_shift) < psize)
		g->page_shift++;
	g->procdir = procdir_of(root);
	g->sysdir = join(root, "sys");
	if (!g->procdir || !g->sysdir)
		goto oom;
	if (stat(g->procdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", g->procdir, stat(g->procdir, &st) < 0 ? strerror(errno) : "not a directory");
		kf_guard_close(g);
		return NULL;
	}
	g->discover = !cfg->no_discover;
	g->enforce = cfg->enforce;
	g->in.lock_threshold_kb = cfg->lock_threshold_kb == KF_GUARD_LOCK_OFF ? 0
				  : cfg->lock_threshold_kb ? cfg->lock_threshold_kb : KF_GUARD_DEFAULT_LOCK_KB;
	g->in.compaction_reason = -1;
	g->in.faults_traced = -1;
	g->in.proactiveness = -1;
	g->pids = calloc(cfg->nr_pids + 1, sizeof(*g->pids));
	g->comms = calloc(cfg->nr_comms + 1, sizeof(*g->comms));
	g->comm_matched = calloc(cfg->nr_comms + 1, sizeof(*g->comm_matched));
	g->in.unmatched = calloc(cfg->nr_pids + cfg->nr_comms + 1, sizeof(*g->in.unmatched));
	if (!g->pids || !g->comms || !g->comm_matched || !g->in.unmatched)
		goto oom;
	for (int i = 0; i < cfg->nr_pids; i++)
		g->pids[g->nr_pids++] = cfg->pids[i];
	for (int i = 0; i < cfg->nr_comms; i++) {
		if (!(g->comms[i] = strdup(cfg->comms[i])))
			goto oom;
		g->nr_comms++;
	}
	read_sched_ext(g);
	if (add_explicit_pids(g) < 0 || ((g->discover || g->nr_comms) && discover(g) < 0))
		goto oom;
	comms_unmatched(g);
	if (collect_fault_pids(g) < 0)
		goto oom;
	read_sysctls(g, true);
	return g;
oom:
	snprintf(err, errlen, "out of memory");
	kf_guard_close(g);
	return NULL;
}

void kf_guard_close(struct kf_guard *g)
{
	if (!g)
		return;
	/* when the write back fails its exit hook stays registered and tries again */
	kf_guard_restore(g);
	for (int i = 0; i < g->in.nr_procs; i++) {
		kf_pagemap_release(&g->priv[i].base);
		free(g->priv[i].seen);
	}
	free(g->priv);
	kf_guard_input_release(&g->in);
	for (int i = 0; i < g->nr_comms; i++)
		free(g->comms[i]);
	free(g->comms);
	free(g->comm_matched);
	free(g->pids);
	free(g->fault_pids);
	free(g->procdir);
	free(g->sysdir);
	free(g);
}
