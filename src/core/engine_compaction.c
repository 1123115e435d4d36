/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compaction episodes (mm_compaction_begin .. end of one task), what started
 * them and the order they compacted for, and page migration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* a direct compaction's begin follows its try_to_compact_pages closely */
#define DIRECT_WINDOW_NS	(1000ULL * 1000 * 1000)

void kf_episodes_release(struct kf_episode *eps, int nr)
{
	for (int i = 0; i < nr; i++)
		free(eps[i].ranges);
}

static bool scanned_exceeds(uint64_t scanned, const struct kf_episode *ep)
{
	return ep->zone_end > ep->zone_start && scanned > ep->zone_end - ep->zone_start;
}

/* a deep copy, with what is derived from the counts filled in */
struct kf_episode *kf_episodes_dup(const struct kf_episode *src, int nr)
{
	struct kf_episode *eps = calloc(nr ? nr : 1, sizeof(*eps));

	if (!eps)
		return NULL;
	for (int i = 0; i < nr; i++) {
		eps[i] = src[i];
		eps[i].migrate_scanned_exceeds_span = scanned_exceeds(src[i].migrate_scanned, &src[i]);
		eps[i].free_scanned_exceeds_span = scanned_exceeds(src[i].free_scanned, &src[i]);
		eps[i].ranges = NULL;
		eps[i].alloc_ranges = eps[i].nr_ranges;
		if (!src[i].nr_ranges)
			continue;
		eps[i].ranges = malloc(src[i].nr_ranges * sizeof(*eps[i].ranges));
		if (!eps[i].ranges) {
			kf_episodes_release(eps, i);
			free(eps);
			return NULL;
		}
		memcpy(eps[i].ranges, src[i].ranges, src[i].nr_ranges * sizeof(*eps[i].ranges));
	}
	return eps;
}

static struct kf_episode *episode_of(struct kf_engine *e, struct proc_entry *p)
{
	if (!p || p->episode < 0 || p->episode >= e->nr_episodes)
		return NULL;
	return &e->episodes[p->episode];
}

static struct kf_episode *episode_new(struct kf_engine *e, struct proc_entry *p)
{
	if (e->nr_episodes >= e->cfg.max_episodes) {
		e->episodes_dropped++;
		p->episode = -1;
		return NULL;
	}
	if (e->nr_episodes == e->alloc_episodes) {
		int n = e->alloc_episodes ? e->alloc_episodes * 2 : 16;
		struct kf_episode *grown = realloc(e->episodes, n * sizeof(*grown));

		if (!grown)
			return NULL;
		e->episodes = grown;
		e->alloc_episodes = n;
	}
	memset(&e->episodes[e->nr_episodes], 0, sizeof(*e->episodes));
	return &e->episodes[e->nr_episodes];
}

/* who started it, and the order it was started for until finished says */
static void episode_initiator(struct kf_episode *ep, const struct proc_entry *p, uint64_t ts)
{
	ep->order = KF_ORDER_UNKNOWN;
	if (strncmp(p->s.comm, "kcompactd", 9) == 0) {
		ep->initiator = p->kcompactd_woken ? KF_INIT_KCOMPACTD : KF_INIT_PROACTIVE;
		if (p->kcompactd_woken)
			ep->order = p->kcompactd_order;
	} else if (p->try_compact_ts && ts - p->try_compact_ts < DIRECT_WINDOW_NS) {
		ep->initiator = KF_INIT_DIRECT;
		ep->order = p->try_compact_order;
	} else {
		ep->initiator = KF_INIT_MANUAL;
	}
}

static void episode_begin(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep;

	if (!p || !(ep = episode_new(e, p)))
		return;
	ep->zone = kf_zone_of_pfn(e->zones, e->nr_zones, ev->compact.zone_start);
	ep->cpu = ev->cpu;
	ep->pid = ev->pid;
	memcpy(ep->comm, p->s.comm, sizeof(ep->comm));
	episode_initiator(ep, p, ev->ts);
	ep->begin_ts = ev->ts;
	ep->running = true;
	ep->sync = ev->compact.sync;
	ep->status = -1;
	ep->zone_start = ev->compact.zone_start;
	ep->zone_end = ev->compact.zone_end;
	ep->migrate_pfn_begin = ev->compact.migrate_pfn;
	ep->free_pfn_begin = ev->compact.free_pfn;
	p->episode = e->nr_episodes++;
	e->running_episodes++;
}

static void episode_end(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep = episode_of(e, p);
	int status = ev->compact.status;

	e->compact_status[status >= 0 && status < 16 ? status : 15]++;
	if (!ep || !ep->running)
		return;
	ep->running = false;
	ep->end_ts = ev->ts;
	ep->status = status;
	ep->migrate_pfn_end = ev->compact.migrate_pfn;
	ep->free_pfn_end = ev->compact.free_pfn;
	if (ep->initiator == KF_INIT_DIRECT && ev->ts >= p->try_compact_ts)
		ep->stall_ns = ev->ts - p->try_compact_ts;
	p->episode = -1;
	e->running_episodes--;
}

static void episode_add_range(struct kf_episode *ep, uint64_t start, uint64_t end)
{
	struct kf_pfn_range *last = ep->nr_ranges ? &ep->ranges[ep->nr_ranges - 1] : NULL;

	/* the migrate scanner walks up a zone: neighbouring ranges coalesce */
	if (last && start <= last->end && end >= last->start) {
		if (start < last->start)
			last->start = start;
		if (end > last->end)
			last->end = end;
		return;
	}
	if (ep->nr_ranges == ep->alloc_ranges) {
		int n = ep->alloc_ranges ? ep->alloc_ranges * 2 : 8;
		struct kf_pfn_range *grown = realloc(ep->ranges, n * sizeof(*grown));

		if (!grown)
			return;
		ep->ranges = grown;
		ep->alloc_ranges = n;
	}
	ep->ranges[ep->nr_ranges++] = (struct kf_pfn_range){ start, end };
}

/* the events inside an episode: scanners, migration, the finish check */
static void episode_step(const struct kf_event *ev, struct kf_episode *ep)
{
	switch (ev->type) {
	case KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
		ep->migrate_scanned += ev->isolate.nr_scanned;
		ep->migrate_isolated += ev->isolate.nr_taken;
		ep->isolate_calls++;
		episode_add_range(ep, ev->isolate.start_pfn, ev->isolate.end_pfn);
		break;
	case KF_EV_COMPACTION_ISOLATE_FREEPAGES:
	case KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		ep->free_scanned += ev->isolate.nr_scanned;
		ep->free_isolated += ev->isolate.nr_taken;
		break;
	case KF_EV_COMPACTION_MIGRATEPAGES:
		ep->nr_migrated += ev->compact_migrate.nr_migrated;
		ep->nr_failed += ev->compact_migrate.nr_failed;
		break;
	case KF_EV_COMPACTION_FINISHED:
		/* compact_finished() logs the order compact_zone() runs for */
		ep->order = ev->compact_zone.order;
		/* order -1 is compaction of a whole zone: compact_memory or sysfs */
		if (ev->compact_zone.order == -1 && ep->initiator != KF_INIT_KCOMPACTD &&
		    ep->initiator != KF_INIT_PROACTIVE)
			ep->initiator = KF_INIT_MANUAL;
		break;
	default:
		break;
	}
}

/* the task and order of a wakeup_kcompactd, counted per (pid, order) */
static void kcompactd_waker(struct kf_engine *e, const struct kf_event *ev, const struct proc_entry *p)
{
	struct kf_kcompactd_waker *w;

	for (int i = 0; i < e->nr_kcompactd_wakers; i++) {
		w = &e->kcompactd_wakers[i];
		if (w->pid == ev->pid && w->order == ev->kcompactd.order) {
			w->count++;
			return;
		}
	}
	if (e->nr_kcompactd_wakers == KF_MAX_KCOMPACTD_WAKERS)
		return;
	w = &e->kcompactd_wakers[e->nr_kcompactd_wakers++];
	w->pid = ev->pid;
	snprintf(w->comm, sizeof(w->comm), "%s", ev->comm ? ev->comm : p ? p->s.comm : "");
	w->order = ev->kcompactd.order;
	w->count = 1;
	w->first_ts = ev->ts;
}

/* what a task's compaction events say about the next episode it runs */
static void task_step(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	switch (ev->type) {
	case KF_EV_COMPACTION_KCOMPACTD_WAKE:
		e->kcompactd_wakes++;
		if (p) {
			p->kcompactd_woken = true;
			p->kcompactd_order = ev->kcompactd.order;
		}
		break;
	case KF_EV_COMPACTION_KCOMPACTD_SLEEP:
		e->kcompactd_sleeps++;
		if (p)
			p->kcompactd_woken = false;
		break;
	case KF_EV_COMPACTION_WAKEUP_KCOMPACTD:
		e->kcompactd_wakeups++;
		kcompactd_waker(e, ev, p);
		break;
	case KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		e->try_to_compact++;
		if (p) {
			p->try_compact_ts = ev->ts ? ev->ts : 1;
			p->try_compact_order = ev->try_compact.order;
		}
		break;
	default:
		break;
	}
}

static int clamp16(int v)
{
	return v >= 0 && v < 16 ? v : 15;
}

void kf_feed_compaction(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep = episode_of(e, p);

	switch (ev->type) {
	case KF_EV_COMPACTION_BEGIN:
		if (ep && ep->running) {	/* its end was lost: close it where we are */
			ep->running = false;
			ep->end_ts = ev->ts;
			e->running_episodes--;
		}
		episode_begin(e, ev, p);
		return;
	case KF_EV_COMPACTION_END:
		episode_end(e, ev, p);
		return;
	case KF_EV_COMPACTION_MIGRATEPAGES:
		e->compact_migrated += ev->compact_migrate.nr_migrated;
		e->compact_failed += ev->compact_migrate.nr_failed;
		break;
	case KF_EV_COMPACTION_FINISHED:
		e->finished_ret[clamp16(ev->compact_zone.ret)]++;
		break;
	case KF_EV_COMPACTION_SUITABLE:
		e->suitable_ret[clamp16(ev->compact_zone.ret)]++;
		break;
	case KF_EV_COMPACTION_DEFERRED:
		e->deferred++;
		break;
	default:
		task_step(e, ev, p);
		break;
	}
	if (ep && ep->running)
		episode_step(ev, ep);
}

void kf_feed_migrate(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	int reason = ev->migrate.reason, mode = ev->migrate.mode;
	struct kf_migrate_stats *m;

	if (reason < 0 || reason >= KF_MAX_MIGRATE_REASONS)
		reason = KF_MAX_MIGRATE_REASONS - 1;
	if (mode < 0 || mode >= KF_MAX_MIGRATE_MODES)
		mode = KF_MAX_MIGRATE_MODES - 1;
	m = &e->migrate[reason][mode];
	switch (ev->type) {
	case KF_EV_MIGRATE_PAGES_START:
		if (p && !p->migrating) {
			p->migrating = true;
			e->migrations_in_flight++;
		}
		break;
	case KF_EV_MIGRATE_PAGES:
		m->calls++;
		m->succeeded += ev->migrate.succeeded;
		m->failed += ev->migrate.failed;
		m->thp_succeeded += ev->migrate.thp_succeeded;
		m->thp_failed += ev->migrate.thp_failed;
		m->thp_split += ev->migrate.thp_split;
		m->large_folio_split += ev->migrate.large_folio_split;
		if (p && p->migrating) {
			p->migrating = false;
			e->migrations_in_flight--;
		}
		if (!e->migrations_in_flight)
			kf_fault_tracker_migrations_done(e->fault_tracker);
		break;
	case KF_EV_SET_MIGRATION_PTE:
		e->migration_pte_set++;
		kf_fault_tracker_migration_pte(e->fault_tracker, ev->migration_pte.addr, ev->migration_pte.order, true);
		break;
	case KF_EV_REMOVE_MIGRATION_PTE:
		e->migration_pte_removed++;
		kf_fault_tracker_migration_pte(e->fault_tracker, ev->migration_pte.addr, ev->migration_pte.order, false);
		break;
	default:
		break;
	}
}
