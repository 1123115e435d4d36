/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The findings of events-kmem.rst's sections 3 and 4 (page allocation,
 * per-CPU allocator activity):
 *
 * - zone_lock_contention: "high amounts of activity [of
 *   mm_page_alloc_zone_locked] imply high activity on the zone->lock";
 *   a run of refill or drain events is the lock taken once.
 * - unbatched_frees: "significant amounts of [mm_page_free] could indicate
 *   that the callers should be batching". On today's kernels a batched free
 *   emits mm_page_free as well, so unbatched = free - free_batched.
 * - batched_frees: "significant amounts of [mm_page_free_batched] could
 *   indicate that the system is under memory pressure and can also indicate
 *   contention on the lruvec->lru_lock".
 * - pcp_imbalance: "large amounts of refills on one CPU and drains on
 *   another": a CPU that refills more than it drains, one that drains more
 *   than it refills, and the pages shown by page frame to have gone from
 *   the first to the second (allocated on one and freed on the other, or
 *   refilled on one and drained by the other unallocated). Totals alone
 *   are no evidence: a kworker draining pages its CPU held before the
 *   window (compaction-unevictable-off: 8,192 of cpu0's 8,322) looks like
 *   a flow from the busiest refiller.
 */
#include <stdio.h>
#include <string.h>

#include "findings_rules.h"

/* pages allocated on cpu in zone (every migratetype and order) */
static uint64_t alloc_pages(const struct kf_snapshot *s, int cpu, int zone)
{
	uint64_t pages = 0;

	for (int mt = 0; mt < KF_MT_SLOTS; mt++)
		for (int o = 0; o < KF_MAX_ORDER; o++)
			pages += kf_snapshot_page(s, cpu, zone, mt, o, KF_PK_ALLOC)->pages;
	return pages;
}

/* the process behind most zone_locked events, when it is more than half of them */
static const struct kf_proc_stats *main_locker(const struct kf_snapshot *s)
{
	const struct kf_proc_stats *best = NULL;
	uint64_t total = 0;

	for (int i = 0; i < s->nr_procs; i++) {
		uint64_t n = s->procs[i].allocd_locked + s->procs[i].pcpu_pages_drained;

		total += n;
		if (n && (!best || n > best->allocd_locked + best->pcpu_pages_drained))
			best = &s->procs[i];
	}
	if (best && 2 * (best->allocd_locked + best->pcpu_pages_drained) > total)
		return best;
	return NULL;
}

static void zone_lock_text(struct finding_ctx *x, struct kf_finding *f, const struct kf_zone_lock *zl,
			   double acq_s, double pages_s, double per_acq, double share)
{
	const struct kf_proc_stats *who = main_locker(x->snap);
	const struct kf_memstate *mem = x->in->mem;
	char a[32], b[32], c[32], by[64] = "", frac[64] = "";

	if (who)
		snprintf(by, sizeof(by), ", mostly for %s-%d", who->comm, who->pid);
	finding_message(f, "cpu%d took %s's zone->lock %s times/s for %s pages/s (%s pages each: %llu refills, "
			"%llu drains, %llu allocations straight from the buddy lists), and %.0f%% of its pages "
			"came from the buddy lists rather than recycled pcp pages%s",
			f->cpu, f->zone, fmt_num(acq_s, a), fmt_num(pages_s, b), fmt_num(per_acq, c),
			(unsigned long long)zl->refill_runs, (unsigned long long)zl->drain_runs,
			(unsigned long long)zl->direct, 100 * share, by);
	if (mem && mem->percpu_pagelist_high_fraction >= 0 && (mem->have & KF_HAVE_ZONEINFO))
		snprintf(frac, sizeof(frac), ", now %ld", mem->percpu_pagelist_high_fraction);
	if (f->threshold_key && strstr(f->threshold_key, "rate"))
		finding_action(f, "Give the per-CPU lists more room so each acquisition moves more pages "
			       "(vm.percpu_pagelist_high_fraction=8 is the largest%s), and have the allocating "
			       "code reuse its pages rather than free and allocate again", frac);
	else
		finding_action(f, "Reduce the page churn%s%s%s (reuse buffers instead of freeing and "
			       "reallocating them): every page goes through the buddy lists under zone->lock "
			       "with interrupts off, %s pages at a time", who ? " of " : "",
			       who ? who->comm : "", who ? "" : " on this CPU", c);
}

static void rule_zone_lock(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;
	const struct kf_findings_config *cfg = x->cfg;
	const struct level rate[] = {
		{ &cfg->zone_lock_rate_critical, "finding_zone_lock_rate_critical", KF_SEV_CRITICAL },
		{ &cfg->zone_lock_rate_warning, "finding_zone_lock_rate_warning", KF_SEV_WARNING },
	};
	const struct level pages[] = {
		{ &cfg->zone_lock_pages_critical, "finding_zone_lock_pages_critical", KF_SEV_CRITICAL },
		{ &cfg->zone_lock_pages_warning, "finding_zone_lock_pages_warning", KF_SEV_WARNING },
	};

	if (!ev_traced(x, KF_EV_PAGE_ALLOC_ZONE_LOCKED) && !ev_traced(x, KF_EV_PAGE_PCPU_DRAIN)) {
		finding_skip(x, KF_FIND_ZONE_LOCK, "mm_page_alloc_zone_locked and mm_page_pcpu_drain are not in the trace");
		return;
	}
	for (int c = 0; c < s->nr_cpus; c++)
		for (int z = 0; z <= s->nr_zones; z++) {
			const struct kf_zone_lock *zl = &s->zone_lock[(size_t)c * (s->nr_zones + 1) + z];
			uint64_t acq = zl->refill_runs + zl->drain_runs + zl->direct;
			uint64_t locked = zl->refill_pages + zl->drain_pages + zl->direct_pages;
			double acq_s = acq / x->window_s, pages_s = locked / x->window_s;
			const struct level *lr = level_above(rate, 2, acq_s), *lp = level_above(pages, 2, pages_s);
			uint64_t allocd;
			double share;
			struct kf_finding *f;

			if (!acq || (!lr && !lp))
				continue;
			/* the CPU's page table is read only for a finding: with
			 * hundreds of CPUs, most of it is never touched */
			allocd = alloc_pages(s, c, z);
			share = allocd ? (double)(zl->refill_pages + zl->direct_pages) / allocd : 0;
			if (!lr || (lp && lp->sev > lr->sev))
				f = finding_new(x, KF_FIND_ZONE_LOCK, lp, pages_s);
			else
				f = finding_new(x, KF_FIND_ZONE_LOCK, lr, acq_s);
			if (!f)
				return;
			f->cpu = s->cpu_ids[c];
			finding_zone(f, s, z);
			share = share > 1 ? 1 : share;
			finding_evidence(f, "acquisitions_per_s", acq_s, "1/s");
			finding_evidence(f, "pages_per_s", pages_s, "pages/s");
			finding_evidence(f, "pages_per_acquisition", (double)locked / acq, "pages");
			finding_evidence(f, "refill_runs", (double)zl->refill_runs, "");
			finding_evidence(f, "refill_pages", (double)zl->refill_pages, "pages");
			finding_evidence(f, "drain_runs", (double)zl->drain_runs, "");
			finding_evidence(f, "drain_pages", (double)zl->drain_pages, "pages");
			finding_evidence(f, "buddy_allocations", (double)zl->direct, "");
			finding_evidence(f, "allocated_pages", (double)allocd, "pages");
			finding_evidence(f, "buddy_share", share, "ratio");
			finding_evidence(f, "window_s", x->window_s, "s");
			zone_lock_text(x, f, zl, acq_s, pages_s, (double)locked / acq, share);
		}
}

/* the episodes pid started migrated this many pages: its frees are compaction's */
static uint64_t migrated_by(const struct kf_snapshot *s, int pid)
{
	uint64_t n = 0;

	for (int i = 0; i < s->nr_episodes; i++)
		if (s->episodes[i].pid == pid)
			n += s->episodes[i].nr_migrated;
	return n;
}

static void rule_unbatched(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;
	const struct kf_findings_config *cfg = x->cfg;
	const struct level lv[] = {
		{ &cfg->unbatched_critical, "finding_unbatched_critical", KF_SEV_CRITICAL },
		{ &cfg->unbatched_warning, "finding_unbatched_warning", KF_SEV_WARNING },
		{ &cfg->unbatched_note, "finding_unbatched_note", KF_SEV_NOTE },
	};

	if (!ev_traced(x, KF_EV_PAGE_FREE) || !ev_traced(x, KF_EV_PAGE_FREE_BATCHED)) {
		finding_skip(x, KF_FIND_UNBATCHED_FREES, "mm_page_free and mm_page_free_batched are not both in the trace");
		return;
	}
	for (int i = 0; i < s->nr_procs; i++) {
		const struct kf_proc_stats *p = &s->procs[i];
		uint64_t unbatched = p->freed_unbatched;
		double rate = unbatched / x->window_s;
		double share = p->freed ? (double)unbatched / p->freed : 0;
		const struct level *l = level_above(lv, 3, rate);
		uint64_t migrated = migrated_by(s, p->pid);
		struct kf_finding *f;
		char r[32];

		if (!l || share < cfg->unbatched_min_share)
			continue;
		if (!(f = finding_new(x, KF_FIND_UNBATCHED_FREES, l, rate)))
			return;
		f->pid = p->pid;
		memcpy(f->comm, p->comm, sizeof(f->comm));
		finding_evidence(f, "unbatched_per_s", rate, "1/s");
		finding_evidence(f, "unbatched", (double)unbatched, "");
		finding_evidence(f, "frees", (double)p->freed, "");
		finding_evidence(f, "batched", (double)p->freed_batched, "");
		finding_evidence(f, "unbatched_share", share, "ratio");
		finding_evidence(f, "window_s", x->window_s, "s");
		finding_message(f, "%s-%d freed %s pages/s one at a time (%llu of its %llu frees were not batched)",
				p->comm, p->pid, fmt_num(rate, r), (unsigned long long)unbatched,
				(unsigned long long)p->freed);
		if (2 * migrated >= unbatched) {
			finding_evidence(f, "pages_compaction_migrated", (double)migrated, "pages");
			finding_action(f, "Nothing to batch: these are the old copies of the %llu pages its "
				       "compaction migrated, freed one by one by the kernel (see compaction_cost)",
				       (unsigned long long)migrated);
		} else {
			finding_action(f, "Free in larger pieces (one munmap or madvise over a whole range, not "
				       "page by page) or keep and reuse the pages; kernel code freeing pages one at a "
				       "time should batch them (folios_put)");
		}
	}
}

static void rule_batched(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;
	const struct level lv[] = {
		{ &x->cfg->batched_note, "finding_batched_note", KF_SEV_NOTE },
	};

	if (!ev_traced(x, KF_EV_PAGE_FREE_BATCHED)) {
		finding_skip(x, KF_FIND_BATCHED_FREES, "mm_page_free_batched is not in the trace");
		return;
	}
	for (int i = 0; i < s->nr_procs; i++) {
		const struct kf_proc_stats *p = &s->procs[i];
		double rate = p->freed_batched / x->window_s;
		const struct level *l = level_above(lv, 1, rate);
		bool reclaim = !strncmp(p->comm, "kswapd", 6);
		struct kf_finding *f;
		char r[32];

		if (!l || !(f = finding_new(x, KF_FIND_BATCHED_FREES, l, rate)))
			continue;
		f->pid = p->pid;
		memcpy(f->comm, p->comm, sizeof(f->comm));
		finding_evidence(f, "batched_per_s", rate, "1/s");
		finding_evidence(f, "batched", (double)p->freed_batched, "");
		finding_evidence(f, "frees", (double)p->freed, "");
		finding_evidence(f, "allocations", (double)p->allocd, "");
		finding_evidence(f, "window_s", x->window_s, "s");
		finding_message(f, "%s-%d freed %s pages/s in batches (%llu of its %llu frees; it allocated %llu): "
				"so much batched freeing could indicate memory pressure or contention on "
				"lruvec->lru_lock (events-kmem.rst)",
				p->comm, p->pid, fmt_num(rate, r), (unsigned long long)p->freed_batched,
				(unsigned long long)p->freed, (unsigned long long)p->allocd);
		if (reclaim)
			finding_action(f, "kswapd is reclaiming: the machine is short of free memory; find what "
				       "grows (vmstat, the processes table) or add memory");
		else
			finding_action(f, "If %s maps and unmaps memory in a loop, keep and reuse it instead: each "
				       "unmap frees its pages through lruvec->lru_lock and each touch allocates "
				       "them again", p->comm);
	}
}

/* each CPU's pcp refill and drain pages, summed over zones */
static void cpu_pcp_pages(const struct kf_snapshot *s, int c, uint64_t *refill, uint64_t *drain)
{
	*refill = *drain = 0;
	for (int z = 0; z <= s->nr_zones; z++) {
		const struct kf_zone_lock *zl = &s->zone_lock[(size_t)c * (s->nr_zones + 1) + z];

		*refill += zl->refill_pages;
		*drain += zl->drain_pages;
	}
}

/* a and b index ref and drn (the snapshot's CPU entries); f names the CPUs */
static void imbalance_text(struct finding_ctx *x, struct kf_finding *f, const uint64_t *ref,
			   const uint64_t *drn, int a, int b, const uint64_t shown[2])
{
	const struct kf_memstate *mem = x->in->mem;
	double w = x->window_s;
	char r1[32], r2[32], r3[32], r4[32], frac[64] = "";

	finding_message(f, "cpu%d refills its pcp lists with %s pages/s and drains %s; cpu%d drains %s pages/s "
			"and refills %s; followed by page frame, %llu pages allocated on cpu%d were freed on cpu%d "
			"and %llu refilled on cpu%d were drained by cpu%d unallocated, bouncing cache lines "
			"between them", f->cpu, fmt_num(ref[a] / w, r1), fmt_num(drn[a] / w, r2), f->cpu_other,
			fmt_num(drn[b] / w, r3), fmt_num(ref[b] / w, r4), (unsigned long long)shown[0], f->cpu,
			f->cpu_other, (unsigned long long)shown[1], f->cpu, f->cpu_other);
	if (mem && mem->percpu_pagelist_high_fraction >= 0 && (mem->have & KF_HAVE_ZONEINFO))
		snprintf(frac, sizeof(frac), ", now %ld", mem->percpu_pagelist_high_fraction);
	finding_action(f, "Allocate and free these pages on one CPU (free where you allocate, or run the "
		       "producer and the consumer on the same CPU), or give the pcp lists more room "
		       "(vm.percpu_pagelist_high_fraction=8 is the largest%s)", frac);
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* the pages that went from CPU entry a to entry b, by page frame: [0]
 * allocated on a and freed on b, [1] refilled on a and drained by b */
static uint64_t shown_flow(const struct kf_snapshot *s, int a, int b, uint64_t shown[2])
{
	shown[0] = kf_snapshot_flow(s->cross_free, s->nr_cross_free, s->cpu_ids[a], s->cpu_ids[b]);
	shown[1] = kf_snapshot_flow(s->cross_drain, s->nr_cross_drain, s->cpu_ids[a], s->cpu_ids[b]);
	return shown[0] + shown[1];
}

static void imbalance_finding(struct finding_ctx *x, const struct level *l, const uint64_t *ref,
			      const uint64_t *drn, int a, int b, uint64_t moved)
{
	const struct kf_snapshot *s = x->snap;
	double w = x->window_s;
	uint64_t shown[2];
	struct kf_finding *f = finding_new(x, KF_FIND_PCP_IMBALANCE, l, moved / w);

	if (!f)
		return;
	shown_flow(s, a, b, shown);
	f->cpu = s->cpu_ids[a];
	f->cpu_other = s->cpu_ids[b];
	finding_evidence(f, "moved_pages_per_s", moved / w, "pages/s");
	finding_evidence(f, "refill_pages_per_s", ref[a] / w, "pages/s");
	finding_evidence(f, "refiller_drain_pages_per_s", drn[a] / w, "pages/s");
	finding_evidence(f, "drain_pages_per_s", drn[b] / w, "pages/s");
	finding_evidence(f, "drainer_refill_pages_per_s", ref[b] / w, "pages/s");
	finding_evidence(f, "allocated_here_freed_there", (double)shown[0], "pages");
	finding_evidence(f, "refilled_here_drained_there", (double)shown[1], "pages");
	finding_evidence(f, "window_s", w, "s");
	imbalance_text(x, f, ref, drn, a, b, shown);
}

static void rule_pcp_imbalance(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;
	const struct kf_findings_config *cfg = x->cfg;
	const struct level lv[] = {
		{ &cfg->pcp_imbalance_critical, "finding_pcp_imbalance_critical", KF_SEV_CRITICAL },
		{ &cfg->pcp_imbalance_warning, "finding_pcp_imbalance_warning", KF_SEV_WARNING },
		{ &cfg->pcp_imbalance_note, "finding_pcp_imbalance_note", KF_SEV_NOTE },
	};
	uint64_t ref[256], drn[256];
	int n = s->nr_cpus < 256 ? s->nr_cpus : 256;

	if (!ev_traced(x, KF_EV_PAGE_ALLOC_ZONE_LOCKED) || !ev_traced(x, KF_EV_PAGE_PCPU_DRAIN)) {
		finding_skip(x, KF_FIND_PCP_IMBALANCE, "mm_page_alloc_zone_locked and mm_page_pcpu_drain are not both in the trace");
		return;
	}
	for (int c = 0; c < n; c++)
		cpu_pcp_pages(s, c, &ref[c], &drn[c]);
	/* each CPU that drains more than it refills, against the CPU that
	 * refills beyond its drains and sent it the most pages (by page frame):
	 * the flow is the least of the two excesses and of what was shown */
	for (int b = 0; b < n; b++) {
		uint64_t best = 0, shown[2];
		int a = -1;

		if (drn[b] <= ref[b])
			continue;
		for (int c = 0; c < n; c++) {
			uint64_t m;

			if (c == b || ref[c] <= drn[c])
				continue;
			m = min3(drn[b] - ref[b], ref[c] - drn[c], shown_flow(s, c, b, shown));
			if (m > best) {
				best = m;
				a = c;
			}
		}
		const struct level *l = a < 0 ? NULL : level_above(lv, 3, best / x->window_s);

		if (l)
			imbalance_finding(x, l, ref, drn, a, b, best);
	}
}

void rules_pcp(struct finding_ctx *x)
{
	rule_zone_lock(x);
	rule_unbatched(x);
	rule_batched(x);
	rule_pcp_imbalance(x);
}
