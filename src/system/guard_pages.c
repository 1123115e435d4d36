/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a protected process's locked pages are: its locked mappings
 * ("lo" in smaps' VmFlags) and their PFNs in /proc/PID/pagemap, one 64-bit
 * word per virtual page: bit 63 present, bits 0-54 the PFN when present (0
 * unless the reader has CAP_SYS_ADMIN). Each reading is compared with the
 * last, page by page (kf_pagemap_update).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_proc_priv.h"

#define PM_PRESENT		(1ULL << 63)
#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PAGEMAP_CHUNK		4096		/* entries per pread */
#define MAX_PAGES_PER_PROC	(1ULL << 24)	/* 64 GiB of 4 KiB pages */
#define MAX_MOVED_VRANGES	256

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
	struct kf_proc_text t;
	char *line, *cursor;
	struct kf_locked_vma cur = { 0 }, *vmas = NULL;
	int nr = 0, alloc = 0, mappings = 0, locked_mappings = 0;
	bool in_vma = false, cur_special = false;

	if (guard_pid_load(g, p->pid, "smaps", &t) < 0) {
		*err_no = errno;
		return -1;
	}
	cursor = t.buf;
	while ((line = kf_proc_text_line(&cursor))) {
		unsigned long long start, end;
		int name_at = 0;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &name_at) == 2 && name_at > 0 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			memset(&cur, 0, sizeof(cur));
			cur.start = start;
			cur.end = end;
			snprintf(cur.name, sizeof(cur.name), "%s", line + name_at);
			guard_trim(cur.name);
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
					kf_proc_text_release(&t);
					*err_no = ENOMEM;
					return -1;
				}
				vmas = grown;
				alloc = n;
			}
			vmas[nr++] = cur;
		}
	}
	kf_proc_text_release(&t);
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

/* room for n more pages in the reading: 0, 1 past what is kept, -1 ENOMEM */
static int reading_room(struct kf_pagemap *now, size_t n)
{
	size_t na = now->alloc ? now->alloc * 2 : 1024;
	struct kf_pagemap_entry *grown;

	if (now->nr + n <= now->alloc)
		return 0;
	while (na < now->nr + n)
		na *= 2;
	if (na > MAX_PAGES_PER_PROC)
		na = MAX_PAGES_PER_PROC;
	if (now->nr + n > na)
		return 1;
	grown = realloc(now->pages, na * sizeof(*grown));
	if (!grown)
		return -1;
	now->pages = grown;
	now->alloc = na;
	return 0;
}

/* the PFNs of the locked mappings now; -1 with errno when pagemap cannot be read */
static int read_pagemap(const struct kf_guard *g, const struct kf_protected *p, struct kf_pagemap *now,
			uint64_t *present_out)
{
	char *path = guard_pid_path(g, p->pid, "pagemap");
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

			int room = reading_room(now, n);

			if (room > 0)
				break;	/* more than we keep: the rest is not checked */
			if (room < 0) {
				free(chunk);
				close(fd);
				kf_pagemap_release(now);
				errno = ENOMEM;
				return -1;
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

static void unreadable(struct kf_protected *p, const char *file, int err_no)
{
	p->pagemap_readable = false;
	snprintf(p->pagemap_why, sizeof(p->pagemap_why), "/proc/%d/%s: %s%s", p->pid, file, strerror(err_no),
		 geteuid() ? " (run kfrag as root)" : " (refused even to root: ptrace restrictions or a security module)");
}

/* pages and moved pages per locked mapping; the reading is in mapping
 * order (smaps is sorted by address) */
static void count_per_vma(const struct kf_guard *g, const struct gproc *gp, struct kf_protected *p,
			  const struct kf_pagemap *now)
{
	size_t k = 0;

	for (int v = 0; v < p->nr_vmas; v++) {
		struct kf_locked_vma *m = &p->vmas[v];
		uint64_t vs = m->start >> g->page_shift, ve = m->end >> g->page_shift;

		m->pages = 0;
		while (k < now->nr && now->pages[k].vpage < vs)
			k++;
		for (; k < now->nr && now->pages[k].vpage < ve; k++)
			if (now->pages[k].pfn)
				m->pages++;
		m->pages_moved = kf_pagemap_moved_in(&gp->base, vs, ve);
	}
}

/* a reading of pagemap compared with the last; 1 when the PFNs are hidden */
static int take_reading(const struct kf_guard *g, struct gproc *gp, struct kf_protected *p, struct kf_pagemap *now)
{
	struct kf_pagemap_delta d;
	uint64_t known = 0;

	for (size_t k = 0; k < now->nr; k++)
		if (now->pages[k].pfn)
			known++;
	if (now->nr && !known) {
		/* the kernel hides PFNs from readers without CAP_SYS_ADMIN */
		p->pagemap_readable = false;
		snprintf(p->pagemap_why, sizeof(p->pagemap_why),
			 "/proc/%d/pagemap shows no PFNs without CAP_SYS_ADMIN (run kfrag as root)", p->pid);
		return 1;
	}
	p->pagemap_readable = true;
	p->pagemap_why[0] = '\0';
	if (kf_pagemap_update(&gp->base, now, &d) < 0 || update_pfn_index(gp, p, now) < 0)
		return -1;
	p->pages_checked += d.compared;
	p->locked_pages = known;
	count_per_vma(g, gp, p, now);
	return 0;
}

int guard_read_proc(struct kf_guard *g, int idx)
{
	struct kf_protected *p = &g->in.procs[idx];
	struct gproc *gp = &g->priv[idx];
	struct kf_pagemap now;
	struct status st;
	uint64_t present = 0;	/* = now.nr: only present pages are kept */
	int err_no = 0, rc;

	if (p->exited)
		return 0;
	if (guard_read_status(g, p->pid, &st) < 0 ||
	    (gp->starttime && guard_read_starttime(g, p->pid) != gp->starttime)) {
		p->exited = true;
		return 0;
	}
	p->vmlck_kb = st.vmlck_kb;
	if (guard_read_tids(g, p) < 0)
		return -1;
	if (read_smaps(g, p, &err_no) < 0 || read_pagemap(g, p, &now, &present) < 0) {
		if (!err_no)
			err_no = errno;
		else
			p->smaps_readable = false;
		if (err_no == ENOMEM)
			return -1;
		if (err_no == ENOENT || err_no == ESRCH)
			p->exited = true;
		else
			unreadable(p, p->smaps_readable ? "pagemap" : "smaps", err_no);
		return 0;
	}
	rc = take_reading(g, gp, p, &now);
	kf_pagemap_release(&now);
	if (rc)
		return rc < 0 ? -1 : 0;
	return update_moved_vranges(g, gp, p);
}
