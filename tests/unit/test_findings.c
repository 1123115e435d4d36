/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the findings (src/core/findings*.c), linked against
 * libkfcore.a alone. Each rule gets events crafted just below and just above
 * its default threshold, over a window of exactly 1 s so that counts are
 * rates; the expected numbers follow from the definitions in the comments.
 */
#include <math.h>

#include "check.h"
#include "kf_findings.h"

static const struct kf_zone_span zones[] = {
	{ 0, "DMA32", 0x1000, 0x100000 },
	{ 0, "Normal", 0x100000, 0x800000 },
};
#define DMA32 0
#define NORMAL 1
#define NORMAL_PFN 0x200000

static uint64_t now;
static bool all_traced[KF_EV_NR];

static struct kf_engine *new_engine(void)
{
	struct kf_engine_config cfg = { .zones = zones, .nr_zones = 2, .pageblock_order = 9 };

	now = 0;
	return kf_engine_create(&cfg);
}

static void page(struct kf_engine *e, enum kf_event_type t, int cpu, int pid, uint64_t pfn, int order, int refill)
{
	struct kf_event ev = { .ts = now += 10, .cpu = cpu, .pid = pid, .type = t, .comm = "worker" };

	ev.page.pfn = pfn;
	ev.page.order = order;
	ev.page.migratetype = t == KF_EV_PAGE_FREE || t == KF_EV_PAGE_FREE_BATCHED ? -1 : 1;
	ev.page.percpu_refill = refill;
	kf_engine_feed(e, &ev);
}

/* a pcp refill of n pages on cpu, then the allocation that ends the run */
static void refill_run(struct kf_engine *e, int cpu, uint64_t pfn, int n)
{
	for (int i = 0; i < n; i++)
		page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, cpu, 10, pfn + i, 0, 1);
	page(e, KF_EV_PAGE_ALLOC, cpu, 10, pfn, 0, 0);
}

static void drain_run(struct kf_engine *e, int cpu, uint64_t pfn, int n)
{
	for (int i = 0; i < n; i++)
		page(e, KF_EV_PAGE_PCPU_DRAIN, cpu, 10, pfn + i, 0, 0);
	page(e, KF_EV_PAGE_ALLOC, cpu, 10, pfn, 0, 0);
}

/* findings of a fed engine over a 1 s window, every event traced */
static void evaluate(struct kf_engine *e, const struct kf_memstate *mem, struct kf_findings *f)
{
	struct kf_findings_config cfg;
	struct kf_snapshot *s = kf_engine_snapshot(e);
	struct kf_findings_input in = { .snap = s, .window_s = 1.0, .traced = all_traced, .mem = mem,
					.pageblock_order = 9 };

	kf_findings_config_defaults(&cfg);
	CHECK(kf_findings_evaluate(&cfg, &in, f) == 0, "evaluate failed");
	kf_snapshot_free(s);
}

static const struct kf_finding *find(const struct kf_findings *f, enum kf_finding_kind k)
{
	for (int i = 0; i < f->nr; i++)
		if (f->items[i].kind == k)
			return &f->items[i];
	return NULL;
}

static int count(const struct kf_findings *f, enum kf_finding_kind k)
{
	int n = 0;

	for (int i = 0; i < f->nr; i++)
		n += f->items[i].kind == k;
	return n;
}

static double evidence(const struct kf_finding *f, const char *name)
{
	for (int i = 0; f && i < f->nr_evidence; i++)
		if (!strcmp(f->evidence[i].name, name))
			return f->evidence[i].value;
	return NAN;
}

/* zone->lock: acquisitions per s above 1000 (warning) */
static void zone_lock_rate(int runs, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *z;

	for (int i = 0; i < runs; i++)
		refill_run(e, 0, NORMAL_PFN + i, 1);
	evaluate(e, NULL, &f);
	z = find(&f, KF_FIND_ZONE_LOCK);
	CHECK((z != NULL) == fires, "%d acquisitions/s: fired %d", runs, z != NULL);
	if (z) {
		CHECK_EQ_INT(z->severity, KF_SEV_WARNING);
		CHECK_EQ_INT(z->cpu, 0);
		CHECK_EQ_STR(z->zone, "Normal");
		CHECK_EQ_STR(z->threshold_key, "finding_zone_lock_rate_warning");
		CHECK_EQ_INT(evidence(z, "acquisitions_per_s"), runs);
		CHECK_EQ_INT(evidence(z, "pages_per_acquisition"), 1);
		/* every allocated page was refilled from the buddy lists first */
		CHECK(evidence(z, "buddy_share") == 1.0, "buddy_share %g", evidence(z, "buddy_share"));
		CHECK(strstr(z->action, "percpu_pagelist_high_fraction") != NULL, "action: %s", z->action);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* zone->lock: pages per s above 20000 (warning), in one drain run */
static void zone_lock_pages(int pages, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *z;

	drain_run(e, 1, NORMAL_PFN, pages);
	evaluate(e, NULL, &f);
	z = find(&f, KF_FIND_ZONE_LOCK);
	CHECK((z != NULL) == fires, "%d pages/s: fired %d", pages, z != NULL);
	if (z) {
		CHECK_EQ_INT(z->cpu, 1);
		CHECK_EQ_STR(z->threshold_key, "finding_zone_lock_pages_warning");
		CHECK_EQ_INT(evidence(z, "drain_runs"), 1);
		CHECK_EQ_INT(evidence(z, "pages_per_acquisition"), pages);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* a run that crosses zones is two acquisitions; a zone_locked event without
 * percpu_refill is one on its own */
static void zone_lock_runs(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;

	page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 10, NORMAL_PFN, 0, 1);
	page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 10, NORMAL_PFN + 1, 0, 1);
	page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 10, 0x2000, 0, 1);	/* DMA32 */
	page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 10, NORMAL_PFN + 8, 3, 0);	/* order 3 from the buddy lists */
	page(e, KF_EV_PAGE_PCPU_DRAIN, 0, 10, NORMAL_PFN, 0, 0);
	s = kf_engine_snapshot(e);	/* the drain run is still open: the snapshot closes it */
	CHECK_EQ_U64(s->zone_lock[NORMAL].refill_runs, 1);
	CHECK_EQ_U64(s->zone_lock[NORMAL].refill_pages, 2);
	CHECK_EQ_U64(s->zone_lock[DMA32].refill_runs, 1);
	CHECK_EQ_U64(s->zone_lock[NORMAL].direct, 1);
	CHECK_EQ_U64(s->zone_lock[NORMAL].direct_pages, 8);
	CHECK_EQ_U64(s->zone_lock[NORMAL].drain_runs, 1);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/* unbatched frees: above 1000/s (note) when at least half of the frees */
static void unbatched(int frees, int batched, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *u;

	for (int i = 0; i < frees; i++)
		page(e, KF_EV_PAGE_FREE, 0, 77, NORMAL_PFN + i, 0, 0);
	for (int i = 0; i < batched; i++)
		page(e, KF_EV_PAGE_FREE_BATCHED, 0, 77, NORMAL_PFN + i, 0, 0);
	evaluate(e, NULL, &f);
	u = find(&f, KF_FIND_UNBATCHED_FREES);
	CHECK((u != NULL) == fires, "%d frees, %d batched: fired %d", frees, batched, u != NULL);
	if (u) {
		CHECK_EQ_INT(u->severity, KF_SEV_NOTE);
		CHECK_EQ_INT(u->pid, 77);
		CHECK_EQ_STR(u->comm, "worker");
		CHECK_EQ_INT(evidence(u, "unbatched"), frees - batched);
		CHECK_EQ_STR(u->threshold_key, "finding_unbatched_note");
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* batched frees: above 100000/s of one process (note) */
static void batched(int n, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *b;

	for (int i = 0; i < n; i++) {
		page(e, KF_EV_PAGE_FREE, 1, 78, NORMAL_PFN + i, 0, 0);
		page(e, KF_EV_PAGE_FREE_BATCHED, 1, 78, NORMAL_PFN + i, 0, 0);
	}
	evaluate(e, NULL, &f);
	b = find(&f, KF_FIND_BATCHED_FREES);
	CHECK((b != NULL) == fires, "%d batched/s: fired %d", n, b != NULL);
	CHECK(find(&f, KF_FIND_UNBATCHED_FREES) == NULL, "batched frees counted as unbatched");
	if (b) {
		CHECK_EQ_INT(b->pid, 78);
		CHECK_EQ_INT(evidence(b, "batched"), n);
		CHECK(strstr(b->message, "lru_lock") != NULL, "%s", b->message);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* pcp imbalance: cpu1 refills 3000 pages (allocating the first), cpu0
 * drains n of the others, unallocated: n pages went from cpu1 to cpu0 by
 * page frame; above 1000 pages/s (note), CPUs named */
static void pcp_imbalance(int drained, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *p;

	refill_run(e, 1, NORMAL_PFN, 3000);
	drain_run(e, 0, NORMAL_PFN + 1, drained);
	evaluate(e, NULL, &f);
	p = find(&f, KF_FIND_PCP_IMBALANCE);
	CHECK((p != NULL) == fires, "%d drained: fired %d", drained, p != NULL);
	if (p) {
		CHECK_EQ_INT(p->cpu, 1);
		CHECK_EQ_INT(p->cpu_other, 0);
		CHECK_EQ_INT(evidence(p, "moved_pages_per_s"), drained);
		CHECK_EQ_INT(evidence(p, "refill_pages_per_s"), 3000);
		CHECK_EQ_INT(evidence(p, "refilled_here_drained_there"), drained);
		CHECK_EQ_INT(evidence(p, "allocated_here_freed_there"), 0);
		CHECK(strstr(p->message, "cpu1") && strstr(p->message, "cpu0"), "%s", p->message);
		CHECK(strstr(p->action, "vm.percpu_pagelist_high_fraction") && strstr(p->action, "one CPU"),
		      "%s", p->action);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* the same totals, but cpu0 drains pages no event showed before (its list
 * held them before the window): no page went from cpu1 to cpu0, no
 * finding (compaction-unevictable-off's kworker/0 drain) */
static void pcp_imbalance_unshown(void)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;

	refill_run(e, 1, NORMAL_PFN, 3000);
	drain_run(e, 0, NORMAL_PFN + 0x10000, 3000);
	evaluate(e, NULL, &f);
	CHECK_EQ_INT(count(&f, KF_FIND_PCP_IMBALANCE), 0);
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* pages allocated on cpu1 and freed on cpu0, whose list then overflows:
 * n such pages of the 3000 refilled on cpu1, the rest freed on cpu1 */
static void pcp_imbalance_freed_there(int n, bool fires)
{
	struct kf_engine *e = new_engine();
	struct kf_findings f;
	const struct kf_finding *p;

	for (int i = 0; i < 3000; i++)
		page(e, KF_EV_PAGE_ALLOC_ZONE_LOCKED, 1, 10, NORMAL_PFN + i, 0, 1);
	for (int i = 0; i < 3000; i++) {
		page(e, KF_EV_PAGE_ALLOC, 1, 10, NORMAL_PFN + i, 0, 0);
		page(e, KF_EV_PAGE_FREE, i < n ? 0 : 1, 10, NORMAL_PFN + i, 0, 0);
	}
	for (int i = 0; i < n; i++)
		page(e, KF_EV_PAGE_PCPU_DRAIN, 0, 10, NORMAL_PFN + i, 0, 0);
	page(e, KF_EV_PAGE_ALLOC, 0, 10, NORMAL_PFN + 0x10000, 0, 0);
	evaluate(e, NULL, &f);
	p = find(&f, KF_FIND_PCP_IMBALANCE);
	CHECK((p != NULL) == fires, "%d freed on cpu0: fired %d", n, p != NULL);
	if (p) {
		CHECK_EQ_INT(evidence(p, "moved_pages_per_s"), n);
		CHECK_EQ_INT(evidence(p, "allocated_here_freed_there"), n);
		CHECK_EQ_INT(evidence(p, "refilled_here_drained_there"), 0);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* a memory state: one node or eight, min_free_kbytes, zones with their buddy rows */
struct test_mem {
	struct kf_memstate ms;
	struct kf_zone_info zi[8];
	struct kf_buddy_zone bz[8];
};

static void test_mem_init(struct test_mem *m, int nodes, long min_free_kbytes)
{
	memset(m, 0, sizeof(*m));
	for (int n = 0; n < nodes; n++) {
		struct kf_zone_info *z = &m->zi[n];

		z->node = n;
		snprintf(z->name, sizeof(z->name), "Normal");
		z->spanned = z->present = z->managed = 1 << 20;
		z->free_pages = 5120;
		z->low = 100;
		z->min = 80;
		z->populated = true;
		m->bz[n].node = n;
		snprintf(m->bz[n].name, sizeof(m->bz[n].name), "Normal");
		m->bz[n].nr_orders = 11;
		m->bz[n].free_blocks[9] = 10;
	}
	m->ms.have = KF_HAVE_ZONEINFO | KF_HAVE_BUDDYINFO;
	m->ms.zoneinfo = (struct kf_zoneinfo){ m->zi, nodes };
	m->ms.buddyinfo = (struct kf_buddyinfo){ m->bz, nodes };
	m->ms.min_free_kbytes = min_free_kbytes;
	m->ms.percpu_pagelist_high_fraction = 0;
}

static void fallback(struct kf_engine *e, int fallback_order, int pageblock_order)
{
	struct kf_event ev = { .ts = now += 10, .cpu = 0, .pid = 5, .type = KF_EV_PAGE_ALLOC_EXTFRAG, .comm = "frag" };

	ev.extfrag.pfn = NORMAL_PFN;
	ev.extfrag.alloc_order = 0;
	ev.extfrag.fallback_order = fallback_order;
	ev.extfrag.alloc_migratetype = 0;
	ev.extfrag.fallback_migratetype = 1;
	ev.extfrag.fragmenting = -1;		/* derived: fallback_order < pageblock order 9 */
	ev.extfrag.pageblock_order = pageblock_order;
	kf_engine_feed(e, &ev);
}

/* external fragmentation: any fragmenting fallback (note), above 10/s
 * (warning), severe above 100/s (critical) */
static void extfrag(int moderate, int severe, enum kf_severity want)
{
	struct kf_engine *e = new_engine();
	struct test_mem m;
	struct kf_findings f;
	const struct kf_finding *x;

	test_mem_init(&m, 1, 67584);
	for (int i = 0; i < moderate; i++)
		fallback(e, 5, -1);
	for (int i = 0; i < severe; i++)
		fallback(e, 2, -1);
	fallback(e, 9, -1);	/* a whole pageblock: not fragmenting */
	evaluate(e, &m.ms, &f);
	x = find(&f, KF_FIND_EXTFRAG);
	CHECK((x ? x->severity : KF_SEV_OK) == want, "%d moderate, %d severe: severity %d, want %d", moderate,
	      severe, x ? (int)x->severity : 0, (int)want);
	CHECK_EQ_INT(count(&f, KF_FIND_EXTFRAG), want != KF_SEV_OK);
	if (x) {
		CHECK_EQ_STR(x->zone, "Normal");
		CHECK_EQ_STR(x->subject, "0 from 1");	/* no names known: the numbers */
		CHECK_EQ_INT(evidence(x, "fragmenting"), moderate + severe);
		CHECK_EQ_INT(evidence(x, "fallbacks"), moderate + severe + 1);
		/* 3 x 2048 kB (order 9 of 4 KiB pages) x 1 node */
		CHECK_EQ_INT(evidence(x, "min_free_kbytes_step"), 6144);
		CHECK_EQ_INT(evidence(x, "min_free_kbytes_suggested"), 67584 + 6144);
		CHECK(strstr(x->action, "from 67584 to 73728 kB") != NULL, "%s", x->action);
	}
	kf_findings_release(&f);
	kf_engine_destroy(e);
}

/* the step on 8 nodes with 64 KiB pageblocks (order 4 of 4 KiB pages), the
 * order as the event printed it winning over pagetypeinfo's */
static void extfrag_numa(void)
{
	struct kf_engine *e = new_engine();
	struct test_mem m;
	struct kf_findings_config cfg;
	struct kf_snapshot *s;
	struct kf_findings f;
	const struct kf_finding *x;

	CHECK_EQ_INT(kf_min_free_kbytes_step(9, 4096, 1), 6144);
	CHECK_EQ_INT(kf_min_free_kbytes_step(4, 4096, 8), 1536);
	/* 64 KiB pages, 512 MiB pageblocks (arm64): 3 x 524288 kB x 8 */
	CHECK_EQ_INT(kf_min_free_kbytes_step(13, 65536, 8), 12582912);
	CHECK_EQ_INT(kf_min_free_kbytes_step(-1, 4096, 8), 0);
	test_mem_init(&m, 8, -1);
	CHECK_EQ_INT(kf_zoneinfo_nr_nodes(&m.ms.zoneinfo), 8);
	fallback(e, 2, 4);
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->extfrag_pageblock_order, 4);
	kf_findings_config_defaults(&cfg);
	struct kf_findings_input in = { .snap = s, .window_s = 1, .traced = all_traced, .mem = &m.ms,
					.pageblock_order = 9 };
	CHECK(kf_findings_evaluate(&cfg, &in, &f) == 0, "evaluate");
	x = find(&f, KF_FIND_EXTFRAG);
	CHECK(x != NULL, "no extfrag finding");
	if (x) {
		CHECK_EQ_INT(evidence(x, "online_nodes"), 8);
		CHECK_EQ_INT(evidence(x, "pageblock_kb"), 64);
		CHECK_EQ_INT(evidence(x, "min_free_kbytes_step"), 1536);
		/* min_free_kbytes unknown: estimated from the 8 zones' min watermarks, 8 x 80 pages */
		CHECK_EQ_INT(evidence(x, "min_free_kbytes"), 8 * 80 * 4);
		CHECK(strstr(x->action, "from about 2560 to 4096 kB") != NULL, "%s", x->action);
	}
	kf_findings_release(&f);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static void high_order_eval(struct test_mem *m, const struct kf_memmap *mm, struct kf_findings *f)
{
	struct kf_findings_config cfg;
	struct kf_findings_input in = { .mem = &m->ms, .memmap = mm, .pageblock_order = 9 };

	kf_findings_config_defaults(&cfg);
	CHECK(kf_findings_evaluate(&cfg, &in, f) == 0, "evaluate");
}

/* order 9 now: no free block (warning); few (unusable index above 0.9: note) */
static void high_order(void)
{
	struct test_mem m;
	struct kf_findings f;
	const struct kf_finding *h;
	struct kf_memmap_zone mz = { .node = 0, .name = "Normal", .usable_blocks = 100, .compactable_blocks = 5 };
	struct kf_memmap mm = { .pageblock_order = 9, .nr_zones = 1, .zones = &mz, .compact_unevictable_allowed = 0 };

	/* 4608 free order-0 pages and one order-9 block: index 0.900, not above */
	test_mem_init(&m, 1, 67584);
	m.bz[0].free_blocks[9] = 1;
	m.bz[0].free_blocks[0] = 4608;
	high_order_eval(&m, NULL, &f);
	CHECK_EQ_INT(f.nr, 0);
	kf_findings_release(&f);
	/* 4700 of them: index 0.901, a note */
	m.bz[0].free_blocks[0] = 4700;
	high_order_eval(&m, NULL, &f);
	h = find(&f, KF_FIND_HIGH_ORDER);
	CHECK(h && h->severity == KF_SEV_NOTE, "index 0.901: no note");
	if (h)
		CHECK(fabs(evidence(h, "unusable_index") - 0.901) < 1e-9, "index %g", evidence(h, "unusable_index"));
	kf_findings_release(&f);
	/* no block of order 9 or more: a warning; compaction can help (5 compactable pageblocks) */
	m.bz[0].free_blocks[9] = 0;
	high_order_eval(&m, &mm, &f);
	h = find(&f, KF_FIND_HIGH_ORDER);
	CHECK(h && h->severity == KF_SEV_WARNING, "no block: no warning");
	if (h) {
		CHECK_EQ_INT(evidence(h, "free_blocks_of_order"), 0);
		CHECK(strstr(h->action, "Compaction can make") != NULL, "%s", h->action);
	}
	kf_findings_release(&f);
	/* ... and cannot: nothing compactable, 3 slab and 2 unevictable pageblocks */
	mz.compactable_blocks = 0;
	mz.blocks_by_kind[KF_BK_SLAB] = 3;
	mz.blocks_by_kind[KF_BK_UNEVICTABLE] = 2;
	high_order_eval(&m, &mm, &f);
	h = find(&f, KF_FIND_HIGH_ORDER);
	CHECK(h && strstr(h->action, "cannot help") && strstr(h->action, "3 slab"), "%s", h ? h->action : "none");
	kf_findings_release(&f);
	/* one order-10 block counts as two of order 9, but 600 free pages are below low (100) + 512 */
	m.bz[0].free_blocks[10] = 1;
	m.zi[0].free_pages = 600;
	high_order_eval(&m, NULL, &f);
	h = find(&f, KF_FIND_HIGH_ORDER);
	CHECK(h && h->severity == KF_SEV_WARNING && evidence(h, "free_blocks_of_order") == 2, "below low");
	if (h)
		CHECK_EQ_STR(h->threshold_key, "low watermark");
	kf_findings_release(&f);
	/* a zone of fewer than 64 pageblocks is not judged */
	m.zi[0].managed = 63 << 9;
	high_order_eval(&m, NULL, &f);
	CHECK_EQ_INT(f.nr, 0);
	kf_findings_release(&f);
}

/* a snapshot of an empty engine with these episodes in place of its own */
static struct kf_snapshot *with_episodes(struct kf_engine *e, const struct kf_episode *eps, int nr)
{
	struct kf_snapshot *s = kf_engine_snapshot(e);

	free(s->episodes);
	s->episodes = calloc(nr, sizeof(*eps));
	memcpy(s->episodes, eps, nr * sizeof(*eps));
	s->nr_episodes = nr;
	return s;
}

static struct kf_episode episode(int pid, enum kf_initiator init, double ms, int status)
{
	struct kf_episode ep = { .zone = NORMAL, .pid = pid, .initiator = init, .status = status };

	snprintf(ep.comm, sizeof(ep.comm), "task");
	ep.begin_ts = 1000000;
	ep.end_ts = ep.begin_ts + (uint64_t)(ms * 1e6);
	ep.nr_migrated = 10;
	return ep;
}

static void compaction_eval(const struct kf_episode *eps, int nr, struct kf_findings *f)
{
	struct kf_engine *e = new_engine();
	struct kf_symbols syms;
	struct kf_findings_config cfg;
	struct kf_snapshot *s = with_episodes(e, eps, nr);
	struct kf_findings_input in = { .snap = s, .window_s = 1, .traced = all_traced, .syms = &syms };

	kf_symbols_init(&syms);
	kf_symbols_set(&syms, KF_SYM_COMPACT_STATUS, 4, "complete");
	kf_symbols_set(&syms, KF_SYM_COMPACT_STATUS, 7, "success");
	kf_findings_config_defaults(&cfg);
	CHECK(kf_findings_evaluate(&cfg, &in, f) == 0, "evaluate");
	kf_symbols_release(&syms);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/* compaction cost: above 1% of the window (note), above 10% (warning);
 * success of compaction asked for an order below 50% of 4 (warning) */
static void compaction(void)
{
	struct kf_episode eps[4];
	struct kf_findings f;
	const struct kf_finding *c;

	eps[0] = episode(1, KF_INIT_MANUAL, 10, 4);
	compaction_eval(eps, 1, &f);
	CHECK(find(&f, KF_FIND_COMPACTION_COST) == NULL, "10 ms of 1 s: no note");
	kf_findings_release(&f);
	eps[0] = episode(1, KF_INIT_MANUAL, 100, 4);
	compaction_eval(eps, 1, &f);
	c = find(&f, KF_FIND_COMPACTION_COST);
	CHECK(c && c->severity == KF_SEV_NOTE, "100 ms of 1 s: a note");
	if (c) {
		CHECK_EQ_INT(evidence(c, "time_ms"), 100);
		CHECK(strstr(c->action, "compact_memory") != NULL, "%s", c->action);
	}
	kf_findings_release(&f);
	eps[0] = episode(1, KF_INIT_MANUAL, 101, 4);
	compaction_eval(eps, 1, &f);
	c = find(&f, KF_FIND_COMPACTION_COST);
	CHECK(c && c->severity == KF_SEV_WARNING, "101 ms of 1 s: a warning");
	kf_findings_release(&f);
	/* kcompactd asked for an order 4 times: 2 successes is 0.5, not below */
	for (int i = 0; i < 4; i++)
		eps[i] = episode(2, KF_INIT_KCOMPACTD, 5, i < 2 ? 7 : 4);
	compaction_eval(eps, 4, &f);
	c = find(&f, KF_FIND_COMPACTION_COST);
	CHECK(c && c->severity == KF_SEV_NOTE, "2 of 4 succeeded: a note");
	if (c)
		CHECK(evidence(c, "success_rate") == 0.5, "success %g", evidence(c, "success_rate"));
	kf_findings_release(&f);
	eps[1].status = 4;
	compaction_eval(eps, 4, &f);
	c = find(&f, KF_FIND_COMPACTION_COST);
	CHECK(c && c->severity == KF_SEV_WARNING, "1 of 4 succeeded: a warning");
	if (c)
		CHECK_EQ_STR(c->threshold_key, "finding_compaction_success_warning");
	kf_findings_release(&f);
}

/* direct compaction: above 10 ms per s of one task (warning) */
static void direct(void)
{
	struct kf_episode eps[3];
	struct kf_findings f;
	const struct kf_finding *d;

	eps[0] = episode(42, KF_INIT_DIRECT, 4, 7);
	eps[1] = episode(42, KF_INIT_DIRECT, 6, 7);
	eps[2] = episode(43, KF_INIT_DIRECT, 1, 7);
	compaction_eval(eps, 3, &f);
	CHECK_EQ_INT(count(&f, KF_FIND_DIRECT_COMPACTION), 2);
	d = find(&f, KF_FIND_DIRECT_COMPACTION);
	CHECK(d && d->pid == 42 && d->severity == KF_SEV_NOTE, "10 ms: a note for pid 42 first");
	if (d) {
		CHECK_EQ_INT(evidence(d, "stalls"), 2);
		CHECK_EQ_INT(evidence(d, "stall_ms"), 10);
		CHECK_EQ_INT(evidence(d, "longest_ms"), 6);
	}
	kf_findings_release(&f);
	eps[1] = episode(42, KF_INIT_DIRECT, 6.5, 7);
	compaction_eval(eps, 3, &f);
	d = find(&f, KF_FIND_DIRECT_COMPACTION);
	CHECK(d && d->pid == 42 && d->severity == KF_SEV_WARNING, "10.5 ms: a warning");
	kf_findings_release(&f);
}

/* the guard's alerts are findings of the same shape, worst first */
static void guard(void)
{
	struct kf_alert alerts[2] = {
		{ .severity = KF_SEV_NOTE, .kind = KF_ALERT_PROACTIVE_COMPACTION, .pid = -1 },
		{ .severity = KF_SEV_CRITICAL, .kind = KF_ALERT_LOCKED_PAGES_MOVED, .pid = 5137, .count = 954,
		  .comm = "lockedsched", .zone = "Normal" },
	};
	struct kf_guard_result g = { .alerts = alerts, .nr_alerts = 2, .worst = KF_SEV_CRITICAL };
	struct kf_findings_config cfg;
	struct kf_findings_input in = { .guard = &g };
	struct kf_findings f;

	snprintf(alerts[1].message, sizeof(alerts[1].message), "954 locked pages moved");
	snprintf(alerts[1].action, sizeof(alerts[1].action), "set vm.compact_unevictable_allowed=0");
	kf_findings_config_defaults(&cfg);
	CHECK(kf_findings_evaluate(&cfg, &in, &f) == 0, "evaluate");
	CHECK_EQ_INT(f.nr, 2);
	CHECK_EQ_INT(f.worst, KF_SEV_CRITICAL);
	if (f.nr == 2) {
		CHECK_EQ_STR(f.items[0].kind_name, "guard_locked_pages_moved");
		CHECK_EQ_INT(f.items[0].pid, 5137);
		CHECK_EQ_STR(f.items[0].zone, "Normal");
		CHECK_EQ_INT(evidence(&f.items[0], "count"), 954);
		CHECK_EQ_STR(f.items[0].action, "set vm.compact_unevictable_allowed=0");
		CHECK_EQ_STR(f.items[1].kind_name, "guard_proactive_compaction");
	}
	/* no trace: the trace's kinds say why they were not judged */
	CHECK(f.not_evaluated[KF_FIND_ZONE_LOCK][0] != '\0', "zone lock not marked unevaluated");
	kf_findings_release(&f);
}

/* events the source did not record are not judged, and say so */
static void not_traced(void)
{
	struct kf_engine *e = new_engine();
	struct kf_findings_config cfg;
	struct kf_snapshot *s;
	struct kf_findings f;

	for (int i = 0; i < 5000; i++)
		page(e, KF_EV_PAGE_FREE, 0, 77, NORMAL_PFN + i, 0, 0);
	s = kf_engine_snapshot(e);
	struct kf_findings_input in = { .snap = s, .window_s = 1 };	/* traced unknown: the counts tell */
	kf_findings_config_defaults(&cfg);
	CHECK(kf_findings_evaluate(&cfg, &in, &f) == 0, "evaluate");
	CHECK_EQ_INT(f.nr, 0);
	CHECK(strstr(f.not_evaluated[KF_FIND_UNBATCHED_FREES], "mm_page_free_batched") != NULL, "%s",
	      f.not_evaluated[KF_FIND_UNBATCHED_FREES]);
	CHECK(strstr(f.not_evaluated[KF_FIND_ZONE_LOCK], "zone_locked") != NULL, "%s",
	      f.not_evaluated[KF_FIND_ZONE_LOCK]);
	kf_findings_release(&f);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

int main(void)
{
	for (int t = 0; t < KF_EV_NR; t++)
		all_traced[t] = true;
	zone_lock_runs();
	zone_lock_rate(1000, false);
	zone_lock_rate(1001, true);
	zone_lock_pages(20000, false);
	zone_lock_pages(20001, true);
	unbatched(1000, 0, false);
	unbatched(1001, 0, true);
	unbatched(2002, 1001, true);	/* 1001 unbatched, half of the frees */
	unbatched(2003, 1002, false);	/* 1001 unbatched, less than half */
	batched(100000, false);
	batched(100001, true);
	pcp_imbalance(1000, false);
	pcp_imbalance(1001, true);
	pcp_imbalance_unshown();
	pcp_imbalance_freed_there(1000, false);
	pcp_imbalance_freed_there(1001, true);
	extfrag(0, 0, KF_SEV_OK);
	extfrag(1, 0, KF_SEV_NOTE);
	extfrag(10, 0, KF_SEV_NOTE);
	extfrag(11, 0, KF_SEV_WARNING);
	extfrag(0, 100, KF_SEV_WARNING);
	extfrag(0, 101, KF_SEV_CRITICAL);
	extfrag_numa();
	high_order();
	compaction();
	direct();
	guard();
	not_traced();
	return check_done();
}
