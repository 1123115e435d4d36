/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's evaluation: pure C over what the data side read (protected
 * processes, their PFNs, the sysctls) and the engine's snapshot (faults,
 * compaction episodes and their isolate ranges, migrations). No I/O, so
 * report, check and top show the same alerts for the same data.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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

#define ACTION_SYSCTL_0 "set vm.compact_unevictable_allowed=0 (sysctl -w vm.compact_unevictable_allowed=0, " \
	"or kfrag --enforce) so that compaction leaves mlocked pages where they are"

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
	in->proactiveness = -1;
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

/* ---- evaluation -------------------------------------------------------------- */

struct alerts {
	struct kf_alert *a;
	int nr, alloc;
	bool oom;
};

static struct kf_alert *alert_add(struct alerts *al, enum kf_severity sev, enum kf_alert_kind kind,
				  const struct kf_protected *p, uint64_t count)
{
	struct kf_alert *x;

	if (al->nr == al->alloc) {
		int n = al->alloc ? al->alloc * 2 : 8;
		struct kf_alert *grown = realloc(al->a, n * sizeof(*grown));

		if (!grown) {
			al->oom = true;
			return NULL;
		}
		al->a = grown;
		al->alloc = n;
	}
	x = &al->a[al->nr++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->kind = kind;
	x->pid = p ? p->pid : -1;
	x->node = -1;
	if (p)
		comm_set(x->comm, p->comm);
	x->count = count;
	return x;
}

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void episode_where(const struct kf_snapshot *s, const struct kf_episode *ep, struct kf_alert *x)
{
	if (!ep)
		return;
	snprintf(x->initiator, sizeof(x->initiator), "%s (%.15s-%d)", kf_initiator_names[ep->initiator],
		 ep->comm, ep->pid);
	if (ep->zone < s->nr_zones) {
		snprintf(x->zone, sizeof(x->zone), "%s", s->zones[ep->zone].name);
		x->node = s->zones[ep->zone].node;
	}
}

/* "compaction by kcompactd (kcompactd0-35) in zone Normal, and 2 other episodes" */
static void describe_episode(char *buf, size_t len, const char *prefix, const struct kf_alert *x, int others)
{
	if (!x->initiator[0])
		return;
	append(buf, len, "%scompaction by %s", prefix, x->initiator);
	if (x->zone[0])
		append(buf, len, " in zone %s", x->zone);
	if (others > 0)
		append(buf, len, ", and %d other episode%s", others, others > 1 ? "s" : "");
}

static int cmp_range(const void *a, const void *b)
{
	const struct kf_pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* an episode's isolate ranges, sorted and merged (the scanner may restart) */
static int merged_ranges(const struct kf_episode *ep, struct kf_pfn_range **out)
{
	struct kf_pfn_range *r;
	int n = 0;

	*out = NULL;
	if (!ep->nr_ranges)
		return 0;
	r = malloc(ep->nr_ranges * sizeof(*r));
	if (!r)
		return -1;
	memcpy(r, ep->ranges, ep->nr_ranges * sizeof(*r));
	qsort(r, ep->nr_ranges, sizeof(*r), cmp_range);
	for (int i = 0; i < ep->nr_ranges; i++) {
		if (n && r[i].start <= r[n - 1].end) {
			if (r[i].end > r[n - 1].end)
				r[n - 1].end = r[i].end;
		} else {
			r[n++] = r[i];
		}
	}
	*out = r;
	return n;
}

static bool in_tids(const struct kf_protected *p, int pid)
{
	if (!p->nr_tids)
		return pid == p->pid;
	for (int i = 0; i < p->nr_tids; i++)
		if (p->tids[i] == pid)
			return true;
	return false;
}

/* the sysctl was known to be 0 during the whole window */
static bool sysctl_zero_throughout(const struct kf_guard_input *in)
{
	if (in->unevictable_allowed_start != 0 && !(in->enforced && in->unevictable_allowed_end == 0))
		return false;
	if (in->unevictable_allowed_end != 0)
		return false;
	for (int i = 0; i < in->nr_changes; i++)
		if (in->changes[i].to != 0)
			return false;
	return in->unevictable_changes <= in->nr_changes;
}

static bool sysctl_one_seen(const struct kf_guard_input *in)
{
	if (in->unevictable_allowed_start > 0 || in->unevictable_allowed_end > 0)
		return true;
	for (int i = 0; i < in->nr_changes; i++)
		if (in->changes[i].to > 0)
			return true;
	return false;
}

/* "lockedheap (pid 12), process_api (pid 1)" of the protected processes */
static void names_of(const struct kf_guard_input *in, char *buf, size_t len, int *nr_present)
{
	int n = 0;

	buf[0] = '\0';
	for (int i = 0; i < in->nr_procs; i++) {
		const struct kf_protected *p = &in->procs[i];

		if (n < 4)
			append(buf, len, "%s%s (pid %d)", n ? ", " : "", p->comm, p->pid);
		n++;
	}
	if (n > 4)
		append(buf, len, " and %d more", n - 4);
	*nr_present = n;
}

/* most severe first; in the order they were found otherwise (qsort is not stable) */
static int by_severity(const void *a, const void *b)
{
	const struct kf_alert *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return x->count < y->count ? -1 : x->count > y->count;	/* count holds the index while sorting */
}

static void sort_alerts(struct kf_alert *a, int nr)
{
	uint64_t *counts;

	if (nr < 2)
		return;		/* nothing to sort; a is NULL when nr is 0 (qsort's undefined case) */
	counts = malloc(nr * sizeof(*counts));

	if (!counts)
		return;		/* left in the order found */
	for (int i = 0; i < nr; i++) {
		counts[i] = a[i].count;
		a[i].count = (uint64_t)i;
	}
	qsort(a, nr, sizeof(*a), by_severity);
	for (int i = 0; i < nr; i++)
		a[i].count = counts[a[i].count];
	free(counts);
}

static uint64_t compaction_migrated(const struct kf_guard_input *in, const struct kf_snapshot *s)
{
	uint64_t by_reason = 0;

	if (!s)
		return 0;
	if (in->compaction_reason >= 0 && in->compaction_reason < KF_MAX_MIGRATE_REASONS)
		for (int m = 0; m < KF_MAX_MIGRATE_MODES; m++)
			by_reason += s->migrate[in->compaction_reason][m].succeeded;
	/* mm_compaction_migratepages counts the same pages when migrate:* was not traced */
	return by_reason > s->compact_migrated ? by_reason : s->compact_migrated;
}

static void sysctl_history(const struct kf_guard_input *in, char *buf, size_t len)
{
	append(buf, len, "it was %d when kfrag started", in->unevictable_allowed_start);
	for (int i = 0; i < in->nr_changes; i++)
		append(buf, len, ", %d at %.1f s", in->changes[i].to, in->changes[i].t_s);
	if (in->unevictable_changes > in->nr_changes)
		append(buf, len, " and %d more changes", in->unevictable_changes - in->nr_changes);
	append(buf, len, ", %d at the end", in->unevictable_allowed_end);
}

int kf_guard_evaluate(const struct kf_guard_input *in, const struct kf_snapshot *snap,
		      struct kf_guard_result *res)
{
	struct alerts al = { 0 };
	char names[256];
	int nr_present = 0, nr_running = 0;
	bool zero = sysctl_zero_throughout(in);
	struct kf_pfn_range **ep_ranges = NULL;
	int *ep_nr = NULL;
	int best_migrating = -1;

	memset(res, 0, sizeof(*res));
	res->procs = calloc(in->nr_procs + 1, sizeof(*res->procs));
	if (!res->procs)
		goto oom;
	res->nr_procs = in->nr_procs;
	res->compaction_migrated = compaction_migrated(in, snap);
	names_of(in, names, sizeof(names), &nr_present);
	for (int i = 0; i < in->nr_procs; i++)
		if (!in->procs[i].exited)
			nr_running++;

	/* episodes' ranges, merged once; the one that migrated most */
	if (snap && snap->nr_episodes) {
		ep_ranges = calloc(snap->nr_episodes, sizeof(*ep_ranges));
		ep_nr = calloc(snap->nr_episodes, sizeof(*ep_nr));
		if (!ep_ranges || !ep_nr)
			goto oom;
		for (int e = 0; e < snap->nr_episodes; e++) {
			const struct kf_episode *ep = &snap->episodes[e];

			if ((ep_nr[e] = merged_ranges(ep, &ep_ranges[e])) < 0)
				goto oom;
			if (ep->nr_migrated && (best_migrating < 0 ||
						ep->nr_migrated > snap->episodes[best_migrating].nr_migrated))
				best_migrating = e;
		}
	}
	int nr_migrating = 0;

	for (int e = 0; snap && e < snap->nr_episodes; e++)
		if (snap->episodes[e].nr_migrated)
			nr_migrating++;

	for (int i = 0; i < in->nr_procs; i++) {
		const struct kf_protected *p = &in->procs[i];
		struct kf_guard_proc *gp = &res->procs[i];
		int culprit = -1, culprit_others = 0;
		uint64_t culprit_pages = 0;
		struct kf_alert *x;

		gp->pid = p->pid;
		for (int k = 0; snap && k < snap->nr_procs; k++)
			if (in_tids(p, snap->procs[k].pid)) {
				gp->faults += snap->procs[k].faults;
				gp->faults_during_migration += snap->procs[k].faults_during_migration;
			}
		for (int e = 0; snap && p->nr_pfns && e < snap->nr_episodes; e++) {
			uint64_t n = 0;

			for (int r = 0; r < ep_nr[e]; r++)
				n += kf_pfn_ranges_overlap(p->pfns, p->nr_pfns, ep_ranges[e][r].start, ep_ranges[e][r].end);
			if (!n)
				continue;
			gp->locked_pages_scanned += n;
			gp->episodes_touching++;
			if (n > culprit_pages) {
				culprit_pages = n;
				culprit = e;
			}
		}
		if (culprit >= 0) {
			culprit_others = gp->episodes_touching - 1;
		} else if (best_migrating >= 0) {
			culprit = best_migrating;
			culprit_others = nr_migrating - 1;
		}
		const struct kf_episode *cep = culprit >= 0 ? &snap->episodes[culprit] : NULL;

		if (p->pagemap_readable && p->pages_moved) {
			x = alert_add(&al, KF_SEV_CRITICAL, KF_ALERT_LOCKED_PAGES_MOVED, p, p->pages_moved);
			if (!x)
				goto oom;
			episode_where(snap, cep, x);
			snprintf(x->message, sizeof(x->message),
				 "%" PRIu64 " locked page%s of %s (pid %d) moved to other page frames during the window: "
				 "its mlocked memory was migrated, and touching a page while it moves faults "
				 "(PFNs in /proc/%d/pagemap changed",
				 p->pages_moved, p->pages_moved == 1 ? "" : "s", p->comm, p->pid, p->pid);
			int shown = 0;

			for (int v = 0; v < p->nr_vmas; v++) {
				const struct kf_locked_vma *m = &p->vmas[v];

				if (!m->pages_moved)
					continue;
				if (shown++ < 3)
					append(x->message, sizeof(x->message), "%s %" PRIu64 " in %" PRIx64 "-%" PRIx64 " %s",
					       shown == 1 ? ":" : ",", m->pages_moved, m->start, m->end,
					       m->name[0] ? m->name : "(anonymous)");
			}
			if (shown > 3)
				append(x->message, sizeof(x->message), ", and in %d more mappings", shown - 3);
			describe_episode(x->message, sizeof(x->message), "; ", x, culprit_others);
			append(x->message, sizeof(x->message), ")");
			if (zero)
				snprintf(x->action, sizeof(x->action),
					 "vm.compact_unevictable_allowed was 0, so something other than compaction moved them "
					 "(NUMA balancing, memory hot-unplug, CMA, long-term pinning): see the migration reasons");
			else
				snprintf(x->action, sizeof(x->action), "%s", ACTION_SYSCTL_0);
		}
		if (gp->faults_during_migration) {
			x = alert_add(&al, KF_SEV_CRITICAL, KF_ALERT_FAULTS_DURING_MIGRATION, p, gp->faults_during_migration);
			if (!x)
				goto oom;
			episode_where(snap, cep, x);
			snprintf(x->message, sizeof(x->message),
				 "%s (pid %d) took %" PRIu64 " page fault%s while compaction or migration was running "
				 "(exceptions:page_fault_user, %" PRIu64 " in the window",
				 p->comm, p->pid, gp->faults_during_migration, gp->faults_during_migration == 1 ? "" : "s",
				 gp->faults);
			describe_episode(x->message, sizeof(x->message), "; ", x, culprit_others);
			append(x->message, sizeof(x->message),
			       "): a page fault inside a user-space scheduler can deadlock the machine");
			snprintf(x->action, sizeof(x->action), "%s", ACTION_SYSCTL_0);
		}
		if (gp->locked_pages_scanned) {
			x = alert_add(&al, zero ? KF_SEV_NOTE : KF_SEV_WARNING, KF_ALERT_ISOLATE_COVERED_LOCKED, p,
				      gp->locked_pages_scanned);
			if (!x)
				goto oom;
			episode_where(snap, cep, x);
			snprintf(x->message, sizeof(x->message),
				 "compaction scanned page frames holding %" PRIu64 " locked page%s of %s (pid %d) "
				 "for pages to migrate (mm_compaction_isolate_migratepages, %d episode%s",
				 gp->locked_pages_scanned, gp->locked_pages_scanned == 1 ? "" : "s", p->comm, p->pid,
				 gp->episodes_touching, gp->episodes_touching == 1 ? "" : "s");
			describe_episode(x->message, sizeof(x->message), "; most: ", x, 0);
			append(x->message, sizeof(x->message), ")");
			append(x->message, sizeof(x->message), "%s",
			       zero ? "; vm.compact_unevictable_allowed=0 kept it from taking them"
				    : "; with vm.compact_unevictable_allowed=1 it may migrate them");
			snprintf(x->action, sizeof(x->action), "%s",
				 zero ? "none needed while vm.compact_unevictable_allowed stays 0" : ACTION_SYSCTL_0);
		}
		if (p->exited) {
			x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_PROTECTED_EXITED, p, 0);
			if (!x)
				goto oom;
			snprintf(x->message, sizeof(x->message),
				 "%s (pid %d) exited during the window; its pages were checked until then", p->comm, p->pid);
			if (p->reason == KF_PROTECT_SCHED_EXT || p->reason == KF_PROTECT_COMM_SCX)
				append(x->message, sizeof(x->message),
				       " (a user-space scheduler that crashes leaves vm.compact_unevictable_allowed as it set it)");
			snprintf(x->action, sizeof(x->action), "check why it exited");
		}
		if (!p->pagemap_readable) {
			x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_PAGEMAP_UNREADABLE, p, 0);
			if (!x)
				goto oom;
			if (in->offline)
				snprintf(x->message, sizeof(x->message),
					 "moved locked pages of %s (pid %d) cannot be verified from a recorded trace "
					 "(where its pages were needs /proc/%d/pagemap of the traced machine); "
					 "its page faults and the compaction in the trace were evaluated",
					 p->comm, p->pid, p->pid);
			else
				snprintf(x->message, sizeof(x->message),
					 "moved locked pages of %s (pid %d) cannot be verified: %s",
					 p->comm, p->pid, p->pagemap_why[0] ? p->pagemap_why : "PFNs unknown");
			snprintf(x->action, sizeof(x->action), "%s",
				 in->offline ? "run kfrag report --duration on the machine itself to verify pages"
					     : "run kfrag as root: /proc/PID/smaps and pagemap need it, and the PFNs "
					       "CAP_SYS_ADMIN; when root is refused, a ptrace restriction or a security "
					       "module protects the process");
		}
	}

	/* about the window, not one process */
	const struct kf_protected *only = in->nr_procs == 1 ? &in->procs[0] : NULL;
	struct kf_alert *x;

	if (nr_present && res->compaction_migrated) {
		x = alert_add(&al, zero ? KF_SEV_NOTE : KF_SEV_WARNING, KF_ALERT_COMPACTION_MIGRATION, only,
			      res->compaction_migrated);
		if (!x)
			goto oom;
		episode_where(snap, best_migrating >= 0 ? &snap->episodes[best_migrating] : NULL, x);
		snprintf(x->message, sizeof(x->message),
			 "compaction migrated %" PRIu64 " page%s while %s %s running",
			 res->compaction_migrated, res->compaction_migrated == 1 ? "" : "s", names,
			 nr_present == 1 ? "was" : "were");
		describe_episode(x->message, sizeof(x->message), " (most: ", x, nr_migrating - 1);
		if (x->initiator[0])
			append(x->message, sizeof(x->message), ")");
		append(x->message, sizeof(x->message), "%s",
		       zero ? "; with vm.compact_unevictable_allowed=0 mlocked pages are not among them"
			    : in->offline ? "; whether mlocked pages were among them a recorded trace cannot tell"
					    " (it has neither vm.compact_unevictable_allowed nor the PFNs)"
					  : "; with vm.compact_unevictable_allowed=1 mlocked pages may be among them");
		snprintf(x->action, sizeof(x->action), "%s",
			 zero ? "none needed while vm.compact_unevictable_allowed stays 0" : ACTION_SYSCTL_0);
	}
	if (nr_running && !in->offline && sysctl_one_seen(in)) {
		x = alert_add(&al, KF_SEV_WARNING, KF_ALERT_UNEVICTABLE_ALLOWED, only, nr_running);
		if (!x)
			goto oom;
		snprintf(x->message, sizeof(x->message),
			 "vm.compact_unevictable_allowed is 1 while %s %s: compaction (kcompactd, direct, "
			 "compact_memory) may migrate their mlocked pages (", names, nr_running == 1 ? "runs" : "run");
		sysctl_history(in, x->message, sizeof(x->message));
		append(x->message, sizeof(x->message), ")");
		if (in->enforced)
			append(x->message, sizeof(x->message),
			       "; kfrag --enforce held it at 0 during the window and puts %d back at exit",
			       in->unevictable_allowed_start);
		if (in->enforce_error[0])
			append(x->message, sizeof(x->message), "; --enforce could not write it: %s", in->enforce_error);
		snprintf(x->action, sizeof(x->action),
			 "set vm.compact_unevictable_allowed=0 (sched_ext's user-space schedulers set it while loaded "
			 "and only warn when they cannot; something set it back) and persist it in /etc/sysctl.d/");
	}
	if (in->unevictable_changes > 0) {
		x = alert_add(&al, nr_running ? KF_SEV_WARNING : KF_SEV_NOTE, KF_ALERT_SYSCTL_CHANGED, only,
			      in->unevictable_changes);
		if (!x)
			goto oom;
		snprintf(x->message, sizeof(x->message), "vm.compact_unevictable_allowed changed %d time%s during the window (",
			 in->unevictable_changes, in->unevictable_changes == 1 ? "" : "s");
		sysctl_history(in, x->message, sizeof(x->message));
		append(x->message, sizeof(x->message),
		       "); kfrag cannot tell which process wrote it: the scx schedulers write 0 when they load "
		       "and their saved value when they exit, and any root process (sysctl, systemd-sysctl) may");
		snprintf(x->action, sizeof(x->action),
			 "find who writes /proc/sys/vm/compact_unevictable_allowed (audit: auditctl -w "
			 "/proc/sys/vm/compact_unevictable_allowed -p w)");
	}
	if (!in->offline && !nr_running && in->unevictable_allowed_end == 0) {
		x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_SYSCTL_LEFT_ZERO, NULL, 0);
		if (!x)
			goto oom;
		snprintf(x->message, sizeof(x->message),
			 "vm.compact_unevictable_allowed is 0 but no protected process runs (no sched_ext scheduler, "
			 "no scx_* process");
		if (in->lock_threshold_kb)
			append(x->message, sizeof(x->message), ", nothing with %" PRIu64 " kB or more locked",
			       in->lock_threshold_kb);
		append(x->message, sizeof(x->message), "): perhaps left behind by a user-space scheduler that "
		       "crashed; compaction now skips every mlocked page");
		snprintf(x->action, sizeof(x->action),
			 "if no scheduler needs it, restore the distribution's default (usually "
			 "sysctl -w vm.compact_unevictable_allowed=1)");
	}
	if (nr_running && in->proactiveness > 0) {
		int proactive = 0;

		for (int e = 0; snap && e < snap->nr_episodes; e++)
			if (snap->episodes[e].initiator == KF_INIT_PROACTIVE)
				proactive++;
		x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_PROACTIVE_COMPACTION, only, (uint64_t)in->proactiveness);
		if (!x)
			goto oom;
		snprintf(x->message, sizeof(x->message),
			 "vm.compaction_proactiveness is %d: kcompactd compacts in the background, without allocation "
			 "pressure, while %s %s (%d proactive episode%s in the window)",
			 in->proactiveness, names, nr_running == 1 ? "runs" : "run", proactive, proactive == 1 ? "" : "s");
		snprintf(x->action, sizeof(x->action),
			 "keep vm.compact_unevictable_allowed=0; set vm.compaction_proactiveness=0 to compact only on demand");
	}
	if (nr_present && in->faults_traced == 0) {
		x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_FAULTS_NOT_TRACED, only, 0);
		if (!x)
			goto oom;
		snprintf(x->message, sizeof(x->message),
			 "exceptions:page_fault_user could not be traced, so page faults of %s during migration "
			 "were not counted", names);
		snprintf(x->action, sizeof(x->action),
			 "use a kernel with the exceptions:page_fault_user tracepoint (x86)");
	}
	for (int u = 0; u < in->nr_unmatched; u++) {
		const struct kf_guard_unmatched *m = &in->unmatched[u];

		x = alert_add(&al, KF_SEV_NOTE, KF_ALERT_PROTECTED_NOT_FOUND, NULL, 0);
		if (!x)
			goto oom;
		if (m->pid >= 0) {
			x->pid = m->pid;
			snprintf(x->message, sizeof(x->message), in->offline
				 ? "--protect-pid %d: no event of pid %d in the trace; nothing to check for it"
				 : "--protect-pid %d: no such process; nothing to protect for it", m->pid, m->pid);
		} else {
			comm_set(x->comm, m->comm);
			snprintf(x->message, sizeof(x->message), in->offline
				 ? "--protect-comm %s: no process of that name in the trace"
				 : "--protect-comm %s: no process of that name runs", m->comm);
		}
		snprintf(x->action, sizeof(x->action), "check the pid or name (comm is at most 15 characters)");
	}

	if (al.oom)
		goto oom;
	sort_alerts(al.a, al.nr);
	res->alerts = al.a;
	res->nr_alerts = al.nr;
	res->worst = KF_SEV_OK;
	for (int i = 0; i < al.nr; i++)
		if (al.a[i].severity > res->worst)
			res->worst = al.a[i].severity;
	for (int e = 0; ep_ranges && e < snap->nr_episodes; e++)
		free(ep_ranges[e]);
	free(ep_ranges);
	free(ep_nr);
	return 0;
oom:
	for (int e = 0; ep_ranges && e < snap->nr_episodes; e++)
		free(ep_ranges[e]);
	free(ep_ranges);
	free(ep_nr);
	free(al.a);
	free(res->procs);
	memset(res, 0, sizeof(*res));
	errno = ENOMEM;
	return -1;
}

void kf_guard_result_release(struct kf_guard_result *res)
{
	free(res->alerts);
	free(res->procs);
	memset(res, 0, sizeof(*res));
}
