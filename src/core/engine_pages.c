/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The page allocator's events: the per-CPU page table, pcp refill and drain
 * runs, pages followed across CPUs, per-process columns, and fallbacks
 * (mm_page_alloc_extfrag).
 */
#include <string.h>

#include "engine_internal.h"

int kf_zone_of_pfn(const struct kf_zone_span *zones, int nr_zones, uint64_t pfn)
{
	for (int i = 0; i < nr_zones; i++)
		if (pfn >= zones[i].start_pfn && pfn < zones[i].end_pfn)
			return i;
	return nr_zones;
}

void kf_run_end(struct cpu_state *c)
{
	struct kf_runs *r = c->run == RUN_REFILL ? &c->st.refill : &c->st.drain;

	if (c->run == RUN_NONE)
		return;
	r->runs++;
	r->pages += c->run_pages;
	if (c->run_pages > r->max_pages)
		r->max_pages = c->run_pages;
	c->run = RUN_NONE;
	c->run_pages = 0;
}

void kf_lock_run_end(struct cpu_state *c)
{
	struct kf_zone_lock *zl = &c->zone_lock[c->lock_zone];

	if (c->lock_run == RUN_REFILL) {
		zl->refill_runs++;
		zl->refill_pages += c->lock_run_pages;
	} else if (c->lock_run == RUN_DRAIN) {
		zl->drain_runs++;
		zl->drain_pages += c->lock_run_pages;
	}
	c->lock_run = RUN_NONE;
	c->lock_run_pages = 0;
}

/* zone->lock acquisitions: a run ends at any other event of its CPU or in another zone */
static void lock_run_track(struct cpu_state *c, const struct kf_event *ev, int zone)
{
	enum run_kind kind = RUN_NONE;
	uint64_t pages = 1ULL << (ev->page.order & 31);

	if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED && ev->page.percpu_refill)
		kind = RUN_REFILL;
	else if (ev->type == KF_EV_PAGE_PCPU_DRAIN)
		kind = RUN_DRAIN;
	if (kind != c->lock_run || zone != c->lock_zone)
		kf_lock_run_end(c);
	if (kind != RUN_NONE) {
		c->lock_run = kind;
		c->lock_zone = zone;
		c->lock_run_pages += pages;
	} else if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED) {
		c->zone_lock[zone].direct++;
		c->zone_lock[zone].direct_pages += pages;
	}
}

static void count_page(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev)
{
	static const int8_t kind_of[KF_EV_NR] = {
		[KF_EV_PAGE_ALLOC] = KF_PK_ALLOC,
		[KF_EV_PAGE_ALLOC_ZONE_LOCKED] = KF_PK_ALLOC_LOCKED,
		[KF_EV_PAGE_FREE] = KF_PK_FREE,
		[KF_EV_PAGE_FREE_BATCHED] = KF_PK_FREE_BATCHED,
		[KF_EV_PAGE_PCPU_DRAIN] = KF_PK_PCPU_DRAIN,
	};
	int order = ev->page.order;
	int mt = ev->page.migratetype;
	int zone = kf_zone_cached(e, ev->page.pfn);
	unsigned row;
	size_t at;

	if (order < 0 || order >= KF_MAX_ORDER)
		order = KF_MAX_ORDER - 1;
	if (mt < 0 || mt >= KF_MAX_MIGRATETYPES)
		mt = KF_MT_NONE;
	row = (unsigned)(order * KF_MT_SLOTS + mt);
	at = c->row_at[row] ? c->row_at[row] : kf_page_row_new(e, c, row);
	if (at)		/* else no memory for the row: the cell goes uncounted */
		e->row_pool[(at - 1) * e->row_cells + (size_t)zone * KF_PK_NR + kind_of[ev->type]]++;
	lock_run_track(c, ev, zone);
}

/*
 * Pages followed by pfn from CPU to CPU. A free ends an allocation. A drain
 * is remote only when the page went from its refill to the drain without
 * being allocated: an allocation forgets the refill, or a page allocated and
 * freed on one CPU and drained later would count as drained "from" its
 * refill's CPU.
 */
static void follow_page(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev, uint64_t pages)
{
	int from;

	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
		kf_pfn_allocated(&e->pfn_cpu, ev->page.pfn, c->index);
		break;
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
		if (ev->page.percpu_refill)
			kf_pfn_set(&e->pfn_cpu, ev->page.pfn, PFN_REFILL, c->index);
		break;
	case KF_EV_PAGE_FREE:
		/* mm_page_free_batched follows it for the same page: nothing more */
		from = kf_pfn_take(&e->pfn_cpu, ev->page.pfn, PFN_ALLOC);
		if (from >= 0 && from != c->index)
			kf_flow_add(&c->flows_in[FLOW_FREED], from, pages);
		break;
	case KF_EV_PAGE_PCPU_DRAIN:
		from = kf_pfn_take(&e->pfn_cpu, ev->page.pfn, PFN_REFILL);
		if (from >= 0 && from != c->index)
			kf_flow_add(&c->flows_in[FLOW_DRAINED], from, pages);
		break;
	default:
		break;
	}
}

static void proc_page(struct kf_proc_stats *ps, const struct kf_event *ev, uint64_t pages)
{
	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
		ps->allocd++;
		ps->allocd_pages += pages;
		break;
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
		ps->allocd_locked++;
		ps->in_refill = true;
		break;
	case KF_EV_PAGE_FREE:
		ps->freed++;
		ps->freed_pages += pages;
		break;
	case KF_EV_PAGE_FREE_BATCHED:
		/* a second event for a page mm_page_free counted already */
		ps->freed_batched++;
		break;
	case KF_EV_PAGE_PCPU_DRAIN:
		ps->pcpu_pages_drained++;
		ps->in_drain = true;
		break;
	default:
		break;
	}
}

void kf_feed_page(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev, struct kf_proc_stats *ps)
{
	int order = ev->page.order;
	uint64_t pages = 1ULL << (order < 0 || order >= KF_MAX_ORDER ? KF_MAX_ORDER - 1 : order);

	count_page(e, c, ev);
	follow_page(e, c, ev, pages);
	if (ps)
		proc_page(ps, ev, pages);
}

static void extfrag_add(struct kf_extfrag_stats *s, bool fragmenting, bool severe, bool changed)
{
	s->fallbacks++;
	if (fragmenting) {
		s->fragmenting++;
		if (severe)
			s->severe++;
		else
			s->moderate++;
	}
	if (changed)
		s->changed++;
}

void kf_feed_extfrag(struct kf_engine *e, const struct kf_event *ev, struct kf_proc_stats *ps)
{
	bool fragmenting = ev->extfrag.fragmenting >= 0 ? ev->extfrag.fragmenting
						       : ev->extfrag.fallback_order < e->pageblock_order;
	bool severe = ev->extfrag.fallback_order <= 3;
	bool changed = ev->extfrag.change_ownership;
	int a = ev->extfrag.alloc_migratetype, f = ev->extfrag.fallback_migratetype;
	int zone = kf_zone_cached(e, ev->extfrag.pfn);

	extfrag_add(&e->extfrag_total, fragmenting, severe, changed);
	extfrag_add(&e->extfrag_zone[zone], fragmenting, severe, changed);
	if (a >= 0 && a < KF_MAX_MIGRATETYPES && f >= 0 && f < KF_MAX_MIGRATETYPES) {
		extfrag_add(&e->extfrag_pair[a][f], fragmenting, severe, changed);
		extfrag_add(&e->extfrag_zone_pair[((size_t)zone * KF_MAX_MIGRATETYPES + a) * KF_MAX_MIGRATETYPES + f],
			    fragmenting, severe, changed);
	}
	if (ev->extfrag.pageblock_order > 0)
		e->extfrag_pageblock_order = ev->extfrag.pageblock_order;
	if (ps) {
		ps->fallback++;
		if (fragmenting) {
			ps->causing++;
			if (severe)
				ps->severe++;
			else
				ps->moderate++;
		}
		if (changed)
			ps->changed++;
	}
}
