/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots: a deep copy of the engine's counts, per-CPU state rearranged
 * by CPU number, runs still open closed in the copy, and the values derived
 * from the counts filled in, so front ends only read.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

const struct kf_count kf_count_zero = { 0, 0 };

/*
 * Copies one CPU's rows of page events (pages follow from the order) into
 * the snapshot's rows, numbered on from *nr_rows in the order of the CPU
 * entries, and adds them to the per-CPU, per-zone and total sums.
 */
static void page_sums(struct kf_snapshot *s, const struct kf_engine *e, int cpu, const struct cpu_state *cs,
		      size_t *nr_rows)
{
	size_t cells = e->row_cells;

	for (int row = 0; row < KF_PAGE_ROWS; row++) {
		const uint64_t *events;
		struct kf_count *dst;

		if (!cs->row_at[row])
			continue;
		events = &e->row_pool[(cs->row_at[row] - 1) * cells];
		dst = &s->pages[*nr_rows * cells];
		s->page_row_at[(size_t)cpu * KF_PAGE_ROWS + row] = (uint32_t)++*nr_rows;
		for (size_t i = 0; i < cells; i++) {
			const struct kf_count *c = &dst[i];
			int z = (int)(i / KF_PK_NR), k = (int)(i % KF_PK_NR);

			/* each event of the row's order is 2^order pages */
			dst[i] = (struct kf_count){ events[i], events[i] << (row / KF_MT_SLOTS) };
			s->pages_cpu[cpu * KF_PK_NR + k].events += c->events;
			s->pages_cpu[cpu * KF_PK_NR + k].pages += c->pages;
			s->pages_zone[z * KF_PK_NR + k].events += c->events;
			s->pages_zone[z * KF_PK_NR + k].pages += c->pages;
			s->pages_total[k].events += c->events;
			s->pages_total[k].pages += c->pages;
		}
	}
}

static int snapshot_alloc(struct kf_snapshot *s, const struct kf_engine *e)
{
	size_t nc = e->cpus.nr ? e->cpus.nr : 1, nz = e->nr_zones;

	s->zones = calloc(nz + 1, sizeof(*s->zones));
	s->cpu_ids = calloc(nc, sizeof(*s->cpu_ids));
	s->ev_per_cpu = calloc(KF_EV_NR * nc, sizeof(*s->ev_per_cpu));
	s->cpus = calloc(nc, sizeof(*s->cpus));
	s->pages = calloc(e->nr_rows ? e->nr_rows * e->row_cells : 1, sizeof(*s->pages));
	s->page_row_at = calloc(KF_PAGE_ROWS * nc, sizeof(*s->page_row_at));
	s->pages_cpu = calloc(nc * KF_PK_NR, sizeof(*s->pages_cpu));
	s->pages_zone = calloc((nz + 1) * KF_PK_NR, sizeof(*s->pages_zone));
	s->cross_free = kf_flow_export(&e->cpus, FLOW_FREED, &s->nr_cross_free);
	s->cross_drain = kf_flow_export(&e->cpus, FLOW_DRAINED, &s->nr_cross_drain);
	s->extfrag_zone = calloc(nz + 1, sizeof(*s->extfrag_zone));
	s->extfrag_zone_pair = calloc(EXTFRAG_ZONE_PAIRS(nz), sizeof(*s->extfrag_zone_pair));
	s->zone_lock = calloc(nc * (nz + 1), sizeof(*s->zone_lock));
	s->procs = calloc(e->nr_procs ? e->nr_procs : 1, sizeof(*s->procs));
	s->episodes = kf_episodes_dup(e->episodes, e->nr_episodes);
	return s->zones && s->cpu_ids && s->ev_per_cpu && s->cpus && s->pages && s->page_row_at && s->pages_cpu && s->pages_zone &&
	       s->cross_free && s->cross_drain && s->extfrag_zone && s->procs && s->episodes &&
	       s->extfrag_zone_pair && s->zone_lock ? 0 : -1;
}

/* a CPU's zone->lock counts, with the run open now closed in the copy */
static void zone_lock_copy(struct kf_zone_lock *dst, const struct cpu_state *c, int nz)
{
	struct cpu_state cs = *c;

	memcpy(dst, c->zone_lock, (nz + 1) * sizeof(*dst));
	cs.zone_lock = dst;
	kf_lock_run_end(&cs);
}

/* the per-CPU arrays, one entry per CPU that occurred, by CPU number */
static int snapshot_cpus(struct kf_snapshot *s, const struct kf_engine *e)
{
	int nc = e->cpus.nr;
	size_t nr_rows = 0;
	struct cpu_state **sorted = malloc((nc ? nc : 1) * sizeof(*sorted));

	if (!sorted)
		return -1;
	kf_cpus_sorted(&e->cpus, sorted);
	for (int c = 0; c < nc; c++) {
		struct cpu_state cs = *sorted[c];

		s->cpu_ids[c] = cs.cpu;
		for (int t = 0; t < KF_EV_NR; t++) {
			s->ev_per_cpu[(size_t)t * nc + c] = cs.ev[t];
			s->ev_total[t] += cs.ev[t];
		}
		kf_run_end(&cs);	/* on the copy: a run open now still counts */
		zone_lock_copy(&s->zone_lock[(size_t)c * (s->nr_zones + 1)], &cs, s->nr_zones);
		s->cpus[c] = cs.st;
		s->lost_events += cs.st.lost_events;
		s->lost_unknown |= cs.st.lost_unknown;
		page_sums(s, e, c, sorted[c], &nr_rows);
	}
	s->nr_cpus = nc;
	free(sorted);
	return 0;
}

static void snapshot_procs(struct kf_snapshot *s, const struct kf_engine *e)
{
	for (int i = 0; i < e->nr_procs; i++) {
		struct kf_proc_stats *p = &s->procs[i];

		*p = e->procs[i].s;
		kf_proc_run_track(p, KF_EV_OTHER);
		/* a trace may begin between a batched page's two events */
		p->freed_unbatched = p->freed > p->freed_batched ? p->freed - p->freed_batched : 0;
	}
	s->nr_procs = e->nr_procs;
}

static void snapshot_compaction(struct kf_snapshot *s, const struct kf_engine *e)
{
	s->nr_episodes = e->nr_episodes;
	s->episodes_dropped = e->episodes_dropped;
	memcpy(s->compact_status, e->compact_status, sizeof(s->compact_status));
	memcpy(s->finished_ret, e->finished_ret, sizeof(s->finished_ret));
	memcpy(s->suitable_ret, e->suitable_ret, sizeof(s->suitable_ret));
	s->deferred = e->deferred;
	s->kcompactd_wakes = e->kcompactd_wakes;
	s->kcompactd_sleeps = e->kcompactd_sleeps;
	s->kcompactd_wakeups = e->kcompactd_wakeups;
	memcpy(s->kcompactd_wakers, e->kcompactd_wakers, sizeof(s->kcompactd_wakers));
	s->nr_kcompactd_wakers = e->nr_kcompactd_wakers;
	s->try_to_compact = e->try_to_compact;
	s->compact_migrated = e->compact_migrated;
	s->compact_failed = e->compact_failed;
	memcpy(s->migrate, e->migrate, sizeof(s->migrate));
	s->migration_pte_set = e->migration_pte_set;
	s->migration_pte_removed = e->migration_pte_removed;
	s->faults_during_migration = e->faults_during_migration;
}

struct kf_snapshot *kf_engine_snapshot(const struct kf_engine *e)
{
	struct kf_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->nr_zones = e->nr_zones;	/* before the page sums */
	if (snapshot_alloc(s, e) < 0 || snapshot_cpus(s, e) < 0) {
		kf_snapshot_free(s);
		return NULL;
	}
	s->first_ts = e->first_ts;
	s->last_ts = e->last_ts;
	s->nr_events = e->nr_events;
	s->rate_bucket_ns = e->rate_bucket_ns;
	memcpy(s->rate, e->rate, sizeof(s->rate));
	s->events_uncounted = e->events_uncounted;
	if (e->nr_zones)
		memcpy(s->zones, e->zones, e->nr_zones * sizeof(*s->zones));
	memcpy(s->extfrag_zone, e->extfrag_zone, (e->nr_zones + 1) * sizeof(*s->extfrag_zone));
	memcpy(s->extfrag_pair, e->extfrag_pair, sizeof(s->extfrag_pair));
	memcpy(s->extfrag_zone_pair, e->extfrag_zone_pair,
	       EXTFRAG_ZONE_PAIRS(e->nr_zones) * sizeof(*s->extfrag_zone_pair));
	s->extfrag_pageblock_order = e->extfrag_pageblock_order;
	s->extfrag_total = e->extfrag_total;
	snapshot_procs(s, e);
	snapshot_compaction(s, e);
	if (kf_fault_tracker_export(e->fault_tracker, s) < 0) {
		kf_snapshot_free(s);
		return NULL;
	}
	return s;
}

void kf_snapshot_free(struct kf_snapshot *s)
{
	if (!s)
		return;
	free(s->zones);
	free(s->cpu_ids);
	free(s->ev_per_cpu);
	free(s->cpus);
	free(s->pages);
	free(s->page_row_at);
	free(s->pages_cpu);
	free(s->pages_zone);
	free(s->cross_free);
	free(s->cross_drain);
	free(s->extfrag_zone);
	free(s->extfrag_zone_pair);
	free(s->zone_lock);
	free(s->procs);
	free(s->fault_pages);
	if (s->episodes)
		kf_episodes_release(s->episodes, s->nr_episodes);
	free(s->episodes);
	free(s);
}
