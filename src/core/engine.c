/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analysis engine. Pure C over plain structs: no I/O, no globals.
 *
 * Hot-path state is kept per CPU (event counts, page tables, pcp runs, a
 * cached process) so that feeding an event touches few cache lines; the
 * snapshot (engine_snapshot.c) rearranges it into the public struct
 * kf_snapshot. This file creates, feeds and resets; the concerns live in
 * engine_cpus.c, engine_pages.c, engine_procs.c and engine_compaction.c.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

const char *const kf_page_kind_names[KF_PK_NR] = {
	[KF_PK_ALLOC] = "alloc",
	[KF_PK_ALLOC_LOCKED] = "alloc_zone_locked",
	[KF_PK_FREE] = "free",
	[KF_PK_FREE_BATCHED] = "free_batched",
	[KF_PK_PCPU_DRAIN] = "pcpu_drain",
};

const char *const kf_initiator_names[KF_INIT_NR] = {
	[KF_INIT_UNKNOWN] = "unknown",
	[KF_INIT_KCOMPACTD] = "kcompactd",
	[KF_INIT_PROACTIVE] = "proactive",
	[KF_INIT_DIRECT] = "direct",
	[KF_INIT_MANUAL] = "manual",
};

#define DEFAULT_MAX_EPISODES	4096
#define DEFAULT_PAGEBLOCK_ORDER	9

struct kf_engine *kf_engine_create(const struct kf_engine_config *cfg)
{
	struct kf_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->nr_zones = cfg->nr_zones;
	/* one spare span so the zone cache always points at valid memory */
	e->zones = calloc(cfg->nr_zones + 1, sizeof(*e->zones));
	e->extfrag_zone = calloc(cfg->nr_zones + 1, sizeof(*e->extfrag_zone));
	e->extfrag_zone_pair = calloc(EXTFRAG_ZONE_PAIRS(cfg->nr_zones), sizeof(*e->extfrag_zone_pair));
	e->extfrag_pageblock_order = -1;
	if (!e->zones || !e->extfrag_zone || !e->extfrag_zone_pair) {
		kf_engine_destroy(e);
		return NULL;
	}
	if (cfg->nr_zones)
		memcpy(e->zones, cfg->zones, cfg->nr_zones * sizeof(*e->zones));
	e->cfg.zones = e->zones;	/* the caller's array may go away */
	e->pageblock_order = cfg->pageblock_order > 0 ? cfg->pageblock_order : DEFAULT_PAGEBLOCK_ORDER;
	if (e->cfg.max_episodes <= 0)
		e->cfg.max_episodes = DEFAULT_MAX_EPISODES;
	e->row_cells = (size_t)(e->nr_zones + 1) * KF_PK_NR;
	e->fault_tracker = kf_fault_tracker_create();
	if (!e->fault_tracker) {
		kf_engine_destroy(e);
		return NULL;
	}
	return e;
}

void kf_engine_destroy(struct kf_engine *e)
{
	if (!e)
		return;
	kf_cpus_release(&e->cpus);
	free(e->row_pool);
	kf_pfn_release(&e->pfn_cpu);
	free(e->extfrag_zone);
	free(e->extfrag_zone_pair);
	free(e->zones);
	free(e->procs);
	free(e->proc_hash);
	kf_episodes_release(e->episodes, e->nr_episodes);
	free(e->episodes);
	kf_fault_tracker_destroy(e->fault_tracker);
	free(e);
}

void kf_engine_reset(struct kf_engine *e)
{
	struct kf_engine *fresh = kf_engine_create(&e->cfg);
	struct kf_engine old;

	if (!fresh)
		return;		/* keep counting rather than lose the engine */
	/* swap contents so the caller's pointer stays valid */
	old = *e;
	*e = *fresh;
	*fresh = old;
	kf_engine_destroy(fresh);
}

static void feed_fault(struct kf_engine *e, const struct kf_event *ev, struct kf_proc_stats *ps)
{
	bool during = e->running_episodes > 0 || e->migrations_in_flight > 0;

	if (ps)
		ps->faults++;
	if (during) {
		e->faults_during_migration++;
		if (ps)
			ps->faults_during_migration++;
	}
	if (kf_fault_tracker_fault(e->fault_tracker, ev->pid, ev->fault.address, during) && ps)
		ps->faults_on_migration_pte++;
}

/* events per time bucket from the first event on; the buckets double in
 * width (merged pairwise) whenever the window outgrows them */
static void rate_count(struct kf_engine *e, uint64_t ts)
{
	uint64_t i;

	/* events come in time order: mostly in the bucket of the one before */
	if (ts >= e->rate_from && ts < e->rate_to) {
		e->rate[e->rate_at]++;
		return;
	}
	if (!e->rate_bucket_ns)
		e->rate_bucket_ns = 100000000;	/* 0.1 s */
	i = ts > e->first_ts ? (ts - e->first_ts) / e->rate_bucket_ns : 0;
	while (i >= KF_RATE_BUCKETS) {
		for (int k = 0; k < KF_RATE_BUCKETS / 2; k++)
			e->rate[k] = e->rate[2 * k] + e->rate[2 * k + 1];
		memset(&e->rate[KF_RATE_BUCKETS / 2], 0, sizeof(e->rate) / 2);
		e->rate_bucket_ns *= 2;
		i /= 2;
	}
	e->rate[i]++;
	if (ts >= e->first_ts) {
		e->rate_at = (int)i;
		e->rate_from = e->first_ts + i * e->rate_bucket_ns;
		e->rate_to = e->rate_from + e->rate_bucket_ns;
	}
}

void kf_engine_feed(struct kf_engine *e, const struct kf_event *ev)
{
	struct cpu_state *c = kf_cpus_get(e, ev->cpu);
	struct proc_entry *p;
	struct kf_proc_stats *ps;

	if (!c) {
		e->events_uncounted++;	/* a negative CPU, or no memory for a new one */
		return;
	}
	if (!e->nr_events++)
		e->first_ts = ev->ts;
	if (ev->ts > e->last_ts)
		e->last_ts = ev->ts;
	rate_count(e, ev->ts);
	c->ev[ev->type]++;
	kf_run_track(c, ev);
	if (ev->type > KF_EV_PAGE_PCPU_DRAIN)
		kf_lock_run_end(c);	/* any other event of the CPU ends a zone->lock run */
	p = kf_proc_of(e, c, ev);
	ps = p ? &p->s : NULL;
	if (ps)
		kf_proc_run_track(ps, ev->type);

	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
	case KF_EV_PAGE_FREE:
	case KF_EV_PAGE_FREE_BATCHED:
	case KF_EV_PAGE_PCPU_DRAIN:
		kf_feed_page(e, c, ev, ps);
		return;
	case KF_EV_PAGE_ALLOC_EXTFRAG:
		kf_feed_extfrag(e, ev, ps);
		return;
	case KF_EV_MIGRATE_PAGES:
	case KF_EV_MIGRATE_PAGES_START:
	case KF_EV_SET_MIGRATION_PTE:
	case KF_EV_REMOVE_MIGRATION_PTE:
		kf_feed_migrate(e, ev, p);
		break;
	case KF_EV_PAGE_FAULT_USER:
		feed_fault(e, ev, ps);
		break;
	case KF_EV_OTHER:
		break;
	default:
		kf_feed_compaction(e, ev, p);
		break;
	}
	if (ps)
		ps->unknown++;
}

void kf_engine_lost(struct kf_engine *e, int cpu, long long n)
{
	struct cpu_state *c = kf_cpus_get(e, cpu);

	if (!c)
		return;
	if (n < 0)
		c->st.lost_unknown = true;
	else
		c->st.lost_events += n;
}
