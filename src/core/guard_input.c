/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's inputs (pure): pagemap readings compared page by page, PFN
 * range overlaps, the names of its enums, and the input of a recorded trace
 * with what the user or the recording says of the sysctls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_guard.h"

const char *const kf_severity_names[KF_SEV_NR] = {
	[KF_SEV_OK] = "ok",
	[KF_SEV_NOTE] = "note",
	[KF_SEV_WARNING] = "warning",
	[KF_SEV_CRITICAL] = "critical",
};

const char *const kf_alert_kind_names[KF_ALERT_NR] = {
	[KF_ALERT_LOCKED_PAGES_MOVED] = "locked_pages_moved",
	[KF_ALERT_FAULTS_DURING_MIGRATION] = "faults_during_migration",
	[KF_ALERT_ISOLATE_COVERED_LOCKED] = "isolate_covered_locked",
	[KF_ALERT_COMPACTION_MIGRATION] = "compaction_migration",
	[KF_ALERT_UNEVICTABLE_ALLOWED] = "unevictable_allowed",
	[KF_ALERT_SYSCTL_CHANGED] = "sysctl_changed",
	[KF_ALERT_SYSCTL_LEFT_ZERO] = "sysctl_left_zero",
	[KF_ALERT_PROACTIVE_COMPACTION] = "proactive_compaction",
	[KF_ALERT_PAGEMAP_UNREADABLE] = "pagemap_unreadable",
	[KF_ALERT_PROTECTED_NOT_FOUND] = "protected_not_found",
	[KF_ALERT_PROTECTED_EXITED] = "protected_exited",
	[KF_ALERT_FAULTS_NOT_TRACED] = "faults_not_traced",
};

const char *const kf_protect_reason_names[KF_PROTECT_NR] = {
	[KF_PROTECT_SCHED_EXT] = "sched_ext",
	[KF_PROTECT_COMM_SCX] = "comm_scx",
	[KF_PROTECT_LOCKED] = "locked_memory",
	[KF_PROTECT_PID] = "protect_pid",
	[KF_PROTECT_COMM] = "protect_comm",
};

const char *const kf_fault_proof_names[KF_PROOF_NR] = {
	[KF_PROOF_NONE] = "",
	[KF_PROOF_MIGRATION_PTE] = "migration_pte",
	[KF_PROOF_LOCKED_RANGE] = "locked_range",
	[KF_PROOF_LOCKED_AND_SYSCTL] = "locked_memory_and_sysctl",
};

const char *const kf_guard_sysctl_names[KF_SYSCTL_NR] = {
	[KF_SYSCTL_UNEVICTABLE_ALLOWED] = "compact_unevictable_allowed",
	[KF_SYSCTL_PROACTIVENESS] = "compaction_proactiveness",
};

/* ---- pagemap readings ----------------------------------------------------- */

void kf_pagemap_release(struct kf_pagemap *pm)
{
	free(pm->pages);
	memset(pm, 0, sizeof(*pm));
}

int kf_pagemap_update(struct kf_pagemap *base, const struct kf_pagemap *now, struct kf_pagemap_delta *d)
{
	struct kf_pagemap_delta delta = { 0 };
	size_t cap = base->nr + now->nr, i = 0, j = 0, n = 0;
	struct kf_pagemap_entry *out;

	out = malloc((cap ? cap : 1) * sizeof(*out));
	if (!out) {
		errno = ENOMEM;
		return -1;
	}
	/* both sorted by vpage: one merge */
	while (i < base->nr || j < now->nr) {
		const struct kf_pagemap_entry *b = i < base->nr ? &base->pages[i] : NULL;
		const struct kf_pagemap_entry *c = j < now->nr ? &now->pages[j] : NULL;

		if (b && (!c || b->vpage < c->vpage)) {
			out[n++] = *b;		/* not in this reading (e.g. mid-migration): keep what was known */
			i++;
		} else if (c && (!b || c->vpage < b->vpage)) {
			out[n] = *c;
			out[n++].moves = 0;
			if (c->pfn)
				delta.added++;
			j++;
		} else {
			struct kf_pagemap_entry e = *b;

			if (c->pfn && b->pfn) {
				delta.compared++;
				if (c->pfn != b->pfn) {
					delta.moved++;
					if (!e.moves)
						delta.first_moves++;
					e.moves++;
				}
			} else if (c->pfn && !b->pfn) {
				delta.added++;
			}
			if (c->pfn)
				e.pfn = c->pfn;
			out[n++] = e;
			i++;
			j++;
		}
	}
	free(base->pages);
	base->pages = out;
	base->nr = n;
	base->alloc = cap;
	if (d)
		*d = delta;
	return 0;
}

uint64_t kf_pagemap_moved_in(const struct kf_pagemap *base, uint64_t vstart, uint64_t vend)
{
	size_t lo = 0, hi = base->nr;
	uint64_t n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (base->pages[mid].vpage < vstart)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < base->nr && base->pages[i].vpage < vend; i++)
		if (base->pages[i].moves)
			n++;
	return n;
}

uint64_t kf_pfn_ranges_overlap(const struct kf_pfn_range *r, int nr, uint64_t start, uint64_t end)
{
	int lo = 0, hi = nr;
	uint64_t n = 0;

	if (start >= end)
		return 0;
	/* first range ending after start */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (r[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < nr && r[i].start < end; i++) {
		uint64_t s = r[i].start > start ? r[i].start : start;
		uint64_t e = r[i].end < end ? r[i].end : end;

		if (e > s)
			n += e - s;
	}
	return n;
}

/* ---- inputs ----------------------------------------------------------------- */

void kf_protected_release(struct kf_protected *p)
{
	free(p->pfns);
	free(p->cur_pfns);
	free(p->moved_vranges);
	free(p->tids);
	free(p->vmas);
	p->pfns = p->cur_pfns = p->moved_vranges = NULL;
	p->nr_cur_pfns = 0;
	p->tids = NULL;
	p->vmas = NULL;
	p->nr_pfns = p->nr_moved_vranges = p->nr_tids = p->nr_vmas = 0;
}

void kf_guard_input_release(struct kf_guard_input *in)
{
	for (int i = 0; i < in->nr_procs; i++)
		kf_protected_release(&in->procs[i]);
	free(in->procs);
	free(in->unmatched);
	free(in->candidates);
	memset(in, 0, sizeof(*in));
}

static void comm_set(char dst[KF_COMM_LEN], const char *src)
{
	snprintf(dst, KF_COMM_LEN, "%s", src);
}

/* comms are at most 15 characters: a longer name matches its first 15 */
static bool comm_matches(const char *comm, const char *name)
{
	return strncmp(comm, name, KF_COMM_LEN - 1) == 0;
}

static int add_trace_proc(struct kf_guard_input *in, const struct kf_proc_stats *ps,
			  enum kf_protect_reason reason)
{
	struct kf_protected *p;

	for (int i = 0; i < in->nr_procs; i++)
		if (in->procs[i].pid == ps->pid)
			return 0;
	p = &in->procs[in->nr_procs];
	memset(p, 0, sizeof(*p));
	p->pid = ps->pid;
	comm_set(p->comm, ps->comm);
	p->reason = reason;
	p->tids = malloc(sizeof(*p->tids));
	if (!p->tids)
		return -1;
	p->tids[0] = ps->pid;
	p->nr_tids = 1;
	snprintf(p->pagemap_why, sizeof(p->pagemap_why),
		 "a recorded trace: /proc/%d/pagemap of the traced machine is not available", ps->pid);
	in->nr_procs++;
	return 0;
}

int kf_guard_input_from_trace(const struct kf_snapshot *snap, const int *pids, int nr_pids,
			      const char *const *comms, int nr_comms, struct kf_guard_input *in)
{
	int nr_snap = snap ? snap->nr_procs : 0;

	memset(in, 0, sizeof(*in));
	in->offline = true;
	in->unevictable_allowed_start = in->unevictable_allowed_end = -1;
	in->proactiveness = in->proactiveness_start = -1;
	in->enforce_original = -1;
	in->compaction_reason = -1;
	in->faults_traced = snap && snap->ev_total[KF_EV_PAGE_FAULT_USER] ? 1 : -1;
	in->window_s = snap && snap->last_ts > snap->first_ts ? (snap->last_ts - snap->first_ts) / 1e9 : 0;
	in->procs = calloc(nr_snap + 1, sizeof(*in->procs));
	in->unmatched = calloc(nr_pids + nr_comms + 1, sizeof(*in->unmatched));
	if (!in->procs || !in->unmatched)
		goto oom;
	for (int k = 0; k < nr_pids; k++) {
		int found = 0;

		for (int i = 0; i < nr_snap; i++)
			if (snap->procs[i].pid == pids[k]) {
				if (add_trace_proc(in, &snap->procs[i], KF_PROTECT_PID) < 0)
					goto oom;
				found = 1;
				break;
			}
		if (!found) {
			in->unmatched[in->nr_unmatched].pid = pids[k];
			in->unmatched[in->nr_unmatched++].comm[0] = '\0';
		}
	}
	for (int k = 0; k < nr_comms; k++) {
		int found = 0;

		for (int i = 0; i < nr_snap; i++)
			if (comm_matches(snap->procs[i].comm, comms[k])) {
				if (add_trace_proc(in, &snap->procs[i], KF_PROTECT_COMM) < 0)
					goto oom;
				found = 1;
			}
		if (!found) {
			in->unmatched[in->nr_unmatched].pid = -1;
			comm_set(in->unmatched[in->nr_unmatched++].comm, comms[k]);
		}
	}
	return 0;
oom:
	kf_guard_input_release(in);
	errno = ENOMEM;
	return -1;
}

int kf_guard_input_set_sysctl(struct kf_guard_input *in, const char *name, int value, const char *source)
{
	if (strcmp(name, kf_guard_sysctl_names[KF_SYSCTL_UNEVICTABLE_ALLOWED]) == 0) {
		in->unevictable_allowed_start = in->unevictable_allowed_end = value;
	} else if (strcmp(name, kf_guard_sysctl_names[KF_SYSCTL_PROACTIVENESS]) == 0) {
		in->proactiveness_start = in->proactiveness = value;
	} else {
		errno = EINVAL;
		return -1;
	}
	snprintf(in->sysctl_source, sizeof(in->sysctl_source), "%s", source);
	return 0;
}

void kf_guard_input_assume(struct kf_guard_input *in, const int *values, unsigned mask, const char *source)
{
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		if (mask & (1u << k))
			kf_guard_input_set_sysctl(in, kf_guard_sysctl_names[k], values[k], source ? source : "assumed");
}
