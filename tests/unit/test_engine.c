/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the engine on hand-made event sequences whose results follow
 * from the definitions (Documentation/trace/events-kmem.rst and the kernel's
 * trace-pagealloc-postprocess.pl), worked out in the comments.
 */
#include "check.h"
#include "kf_engine.h"

static const struct kf_zone_span zones[] = {
	{ 0, "DMA", 1, 0x1000 },
	{ 0, "DMA32", 0x1000, 0x100000 },
	{ 0, "Normal", 0x100000, 0x278000 },
};
#define DMA32 1
#define NORMAL 2
#define UNKNOWN 3

static uint64_t now;

static struct kf_event page_ev(enum kf_event_type t, int cpu, int pid, uint64_t pfn, int order, int mt)
{
	struct kf_event ev = { .ts = now += 1000, .cpu = cpu, .pid = pid, .type = t, .comm = "proc" };

	ev.page.pfn = pfn;
	ev.page.order = order;
	ev.page.migratetype = mt;
	return ev;
}

static void feed(struct kf_engine *e, struct kf_event ev)
{
	kf_engine_feed(e, &ev);
}

static struct kf_engine *new_engine(void)
{
	struct kf_engine_config cfg = { .zones = zones, .nr_zones = 3, .pageblock_order = 9 };

	return kf_engine_create(&cfg);
}

static void test_pages_and_zones(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;

	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 10, 0x100010, 0, 1));	/* Normal, Movable, order 0 */
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 10, 0x100020, 3, 1));	/* 8 pages */
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 1, 11, 0x2000, 0, 0));	/* DMA32 */
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 1, 11, 0x900000, 0, 0));	/* beyond every zone */
	feed(e, page_ev(KF_EV_PAGE_FREE, 1, 11, 0x100020, 3, -1));	/* freed on the other CPU */
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_cpus, 2);
	CHECK_EQ_U64(s->ev_total[KF_EV_PAGE_ALLOC], 4);
	CHECK_EQ_U64(s->ev_per_cpu[KF_EV_PAGE_ALLOC * s->nr_cpus + 0], 2);
	CHECK_EQ_U64(s->ev_per_cpu[KF_EV_PAGE_ALLOC * s->nr_cpus + 1], 2);
	CHECK_EQ_U64(kf_snapshot_page(s, 0, NORMAL, 1, 0, KF_PK_ALLOC)->events, 1);
	CHECK_EQ_U64(kf_snapshot_page(s, 0, NORMAL, 1, 3, KF_PK_ALLOC)->pages, 8);
	CHECK_EQ_U64(kf_snapshot_page(s, 1, DMA32, 0, 0, KF_PK_ALLOC)->events, 1);
	CHECK_EQ_U64(kf_snapshot_page(s, 1, UNKNOWN, 0, 0, KF_PK_ALLOC)->events, 1);
	/* frees carry no migratetype: the "none" slot */
	CHECK_EQ_U64(kf_snapshot_page(s, 1, NORMAL, KF_MT_NONE, 3, KF_PK_FREE)->pages, 8);
	/* the sums: cpu0 allocated 1 + 8 pages, cpu1 2; Normal holds 9 of them */
	CHECK_EQ_U64(s->pages_cpu[0 * KF_PK_NR + KF_PK_ALLOC].pages, 9);
	CHECK_EQ_U64(s->pages_cpu[1 * KF_PK_NR + KF_PK_ALLOC].pages, 2);
	CHECK_EQ_U64(s->pages_zone[NORMAL * KF_PK_NR + KF_PK_ALLOC].pages, 9);
	CHECK_EQ_U64(s->pages_zone[UNKNOWN * KF_PK_NR + KF_PK_ALLOC].events, 1);
	CHECK_EQ_U64(s->pages_total[KF_PK_ALLOC].events, 4);
	CHECK_EQ_U64(s->pages_total[KF_PK_FREE].pages, 8);
	/* 8 pages allocated on cpu0 were freed on cpu1 */
	CHECK_EQ_INT(s->nr_cross_free, 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 0, 1), 8);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 1, 0), 0);
	/* only the (order, migratetype) rows a CPU used are kept: the others
	 * read as zero and say so */
	CHECK(kf_snapshot_page_row(s, 0, 1, 3), "cpu0 has order-3 Movable pages");
	CHECK(!kf_snapshot_page_row(s, 0, 1, 2), "cpu0 has no order-2 Movable row");
	CHECK(!kf_snapshot_page_row(s, 1, 1, 3), "cpu1 has no order-3 Movable row");
	CHECK_EQ_U64(kf_snapshot_page(s, 1, NORMAL, 1, 3, KF_PK_ALLOC)->events, 0);
	CHECK_EQ_U64(kf_snapshot_page(s, 0, NORMAL, 1, 3, KF_PK_FREE)->events, 0);
	CHECK_EQ_U64(kf_snapshot_page(s, 0, DMA32, 1, 0, KF_PK_ALLOC)->events, 0);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static void test_pcp_runs(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;

	/* cpu0: a refill of 3 order-0 pages, an alloc, a refill of 2, then 4 drains */
	for (int i = 0; i < 3; i++) {
		ev = page_ev(KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 20, 0x100100 + i, 0, 1);
		ev.page.percpu_refill = 1;
		feed(e, ev);
	}
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 20, 0x100100, 0, 1));
	for (int i = 0; i < 2; i++) {
		ev = page_ev(KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 20, 0x100200 + i, 0, 1);
		ev.page.percpu_refill = 1;
		feed(e, ev);
	}
	/* a zone_locked alloc that is not a refill is no part of a run */
	feed(e, page_ev(KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 20, 0x100300, 2, 1));
	/* pages 0x100101 and 0x100102, refilled on cpu0, drained on cpu1 */
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 21, 0x100101, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 21, 0x100102, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 21, 0x100400, 1, 1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 21, 0x100500, 0, 1));
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(s->cpus[0].refill.runs, 2);
	CHECK_EQ_U64(s->cpus[0].refill.pages, 5);
	CHECK_EQ_U64(s->cpus[0].refill.max_pages, 3);
	/* the drain run is still open at the snapshot: it counts there, 1+1+2+1 pages */
	CHECK_EQ_U64(s->cpus[1].drain.runs, 1);
	CHECK_EQ_U64(s->cpus[1].drain.pages, 5);
	/* 0x100100 was allocated after its refill: its drain is not cpu0's list drained remotely */
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_drain, s->nr_cross_drain, 0, 1), 2);
	/* per process, as the script counts: pid 20 had two refill runs */
	for (int i = 0; i < s->nr_procs; i++) {
		const struct kf_proc_stats *p = &s->procs[i];

		if (p->pid == 20) {
			CHECK_EQ_U64(p->allocd, 1);
			CHECK_EQ_U64(p->allocd_locked, 6);
			CHECK_EQ_U64(p->pcpu_refills, 2);
		} else if (p->pid == 21) {
			CHECK_EQ_U64(p->pcpu_pages_drained, 4);
			CHECK_EQ_U64(p->pcpu_drains, 1);
		}
	}
	kf_snapshot_free(s);
	/* the engine's own run is still open: a later event on cpu1 closes it once */
	feed(e, page_ev(KF_EV_PAGE_FREE, 1, 21, 0x100600, 0, -1));
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(s->cpus[1].drain.runs, 1);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static void test_extfrag(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev = { .type = KF_EV_PAGE_ALLOC_EXTFRAG, .pid = 30, .comm = "x" };

	/* fallback order 2 < pageblock order 9: fragmenting, and severe (<= 3) */
	ev.extfrag = (typeof(ev.extfrag)){ .pfn = 0x100000, .alloc_order = 0, .fallback_order = 2,
					   .alloc_migratetype = 0, .fallback_migratetype = 1,
					   .change_ownership = 0, .fragmenting = -1 };
	feed(e, ev);
	/* fallback order 5: fragmenting, moderate; ownership changed */
	ev.extfrag.fallback_order = 5;
	ev.extfrag.change_ownership = 1;
	feed(e, ev);
	/* fallback order 9 = pageblock order: a whole block, not fragmenting */
	ev.extfrag.fallback_order = 9;
	ev.extfrag.change_ownership = 0;
	ev.extfrag.pfn = 0x2000;
	feed(e, ev);
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(s->extfrag_total.fallbacks, 3);
	CHECK_EQ_U64(s->extfrag_total.fragmenting, 2);
	CHECK_EQ_U64(s->extfrag_total.severe, 1);
	CHECK_EQ_U64(s->extfrag_total.moderate, 1);
	CHECK_EQ_U64(s->extfrag_total.changed, 1);
	CHECK_EQ_U64(s->extfrag_zone[NORMAL].fallbacks, 2);
	CHECK_EQ_U64(s->extfrag_zone[DMA32].fallbacks, 1);
	CHECK_EQ_U64(s->extfrag_pair[0][1].fallbacks, 3);
	CHECK_EQ_U64(s->procs[0].fallback, 3);
	CHECK_EQ_U64(s->procs[0].causing, 2);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static const struct kf_proc_stats *proc_by_pid(const struct kf_snapshot *s, int pid)
{
	for (int i = 0; i < s->nr_procs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/*
 * A batched free logs mm_page_free (free_pages_prepare) and then
 * mm_page_free_batched (free_unref_folios) for the same pfn, on the same CPU:
 * in kmem-storm every one of 720,977 batched events follows a free of its
 * pfn (trace-cmd report + awk, tests/cli/engine_figures.sh). The format of
 * mm_page_free_batched has no order field ("order=0" is printed).
 */
static void test_batched_frees_once(void)
{
	struct kf_engine *e = new_engine();
	const struct kf_proc_stats *p;
	struct kf_snapshot *s;

	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 80, 0x100000, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 80, 0x100010, 2, 1));	/* 4 pages */
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 80, 0x100020, 0, 1));
	/* two frees in a batch, each logged twice; one freed alone */
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 80, 0x100000, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 80, 0x100010, 2, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE_BATCHED, 0, 80, 0x100000, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE_BATCHED, 0, 80, 0x100010, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 80, 0x100020, 0, -1));
	s = kf_engine_snapshot(e);
	p = proc_by_pid(s, 80);
	CHECK(p != NULL, "pid 80 counted");
	if (p) {
		CHECK_EQ_U64(p->allocd_pages, 6);
		CHECK_EQ_U64(p->freed_pages, 6);	/* not 6 + 2 */
		CHECK_EQ_U64(p->freed, 3);
		CHECK_EQ_U64(p->freed_batched, 2);
		CHECK_EQ_U64(p->freed_unbatched, 1);
	}
	/* the per-kind tables keep both kinds as logged */
	CHECK_EQ_U64(s->pages_total[KF_PK_FREE].pages, 6);
	CHECK_EQ_U64(s->pages_total[KF_PK_FREE_BATCHED].events, 2);
	kf_snapshot_free(s);
	/* a trace that starts between a batched page's two events: never negative */
	kf_engine_reset(e);
	feed(e, page_ev(KF_EV_PAGE_FREE_BATCHED, 0, 81, 0x100000, 0, -1));
	s = kf_engine_snapshot(e);
	p = proc_by_pid(s, 81);
	CHECK(p && p->freed_unbatched == 0 && p->freed_batched == 1, "unbatched clamped at 0");
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/*
 * A drain is another CPU's only when the page went from its refill to the
 * drain unallocated (drain_all_pages). Here cpu0 refills 0x100700 and
 * 0x100701; 0x100700 is then allocated and freed on cpu0 and drained by
 * cpu1 later: not a remote drain of cpu0's refill. 0x100701 is drained by
 * cpu1 untouched: one page, cpu0 -> cpu1.
 */
static void test_remote_drain_needs_no_alloc(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;

	for (int i = 0; i < 2; i++) {
		ev = page_ev(KF_EV_PAGE_ALLOC_ZONE_LOCKED, 0, 90, 0x100700 + i, 0, 1);
		ev.page.percpu_refill = 1;
		feed(e, ev);
	}
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 90, 0x100700, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 90, 0x100700, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 91, 0x100700, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 1, 91, 0x100701, 0, 1));
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_cross_drain, 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_drain, s->nr_cross_drain, 0, 1), 1);
	CHECK_EQ_INT(s->nr_cross_free, 0);	/* allocated and freed on cpu0 */
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/*
 * CPUs by number, as many as occur: one event on CPU 4097 is one CPU, not
 * 4098; 2147483647 does not overflow; a negative CPU is counted as
 * uncounted, not silently dropped; pages followed between CPUs of any
 * number, beyond 255 CPUs as well (the pfn maps widen).
 */
static void test_sparse_cpus(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;

	feed(e, page_ev(KF_EV_PAGE_ALLOC, 4097, 100, 0x100800, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 70000, 100, 0x100800, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_ALLOC, INT32_MAX, 100, 0x100801, 1, 1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 3, 100, 0x100801, 1, -1));
	feed(e, page_ev(KF_EV_PAGE_ALLOC, -1, 100, 0x100802, 0, 1));
	kf_engine_lost(e, 65535, 7);
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_cpus, 5);
	CHECK_EQ_INT(s->cpu_ids[0], 3);
	CHECK_EQ_INT(s->cpu_ids[1], 4097);
	CHECK_EQ_INT(s->cpu_ids[2], 65535);
	CHECK_EQ_INT(s->cpu_ids[3], 70000);
	CHECK_EQ_INT(s->cpu_ids[4], INT32_MAX);
	CHECK_EQ_U64(s->nr_events, 4);
	CHECK_EQ_U64(s->events_uncounted, 1);
	CHECK_EQ_U64(s->ev_per_cpu[KF_EV_PAGE_ALLOC * s->nr_cpus + 1], 1);
	CHECK_EQ_U64(s->cpus[2].lost_events, 7);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 4097, 70000), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, INT32_MAX, 3), 2);
	CHECK_EQ_INT(s->nr_cross_free, 2);
	/* flows sorted by (from, to) */
	CHECK_EQ_INT(s->cross_free[0].from_cpu, 4097);
	kf_snapshot_free(s);

	/* 300 CPUs, each allocating a page the next one frees */
	kf_engine_reset(e);
	for (int c = 0; c < 300; c++)
		feed(e, page_ev(KF_EV_PAGE_ALLOC, c * 7, 101, 0x100000 + c, 0, 1));
	for (int c = 0; c < 300; c++)
		feed(e, page_ev(KF_EV_PAGE_FREE, ((c + 1) % 300) * 7, 101, 0x100000 + c, 0, -1));
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_cpus, 300);
	CHECK_EQ_INT(s->nr_cross_free, 300);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 299 * 7, 0), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 254 * 7, 255 * 7), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 7, 0), 0);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/*
 * A page followed by its allocation and its refill at once, on CPU indexes
 * past 255 in one region of pfns (65536 pfns a region) and below it in
 * another: a refill then an allocation then a drain is not a remote drain,
 * a refill drained elsewhere is; frees go to the allocating CPU, whichever
 * the region's width.
 */
static void test_pfn_slots(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;
	const uint64_t near = 0x100000, far = 0x100000 + 3 * 65536;

	for (int c = 0; c < 300; c++)		/* CPU index c is CPU c */
		feed(e, page_ev(KF_EV_PAGE_ALLOC, c, 5, near + c, 0, 1));
	ev = page_ev(KF_EV_PAGE_ALLOC_ZONE_LOCKED, 299, 5, far, 0, 1);
	ev.page.percpu_refill = 1;
	feed(e, ev);
	ev.page.pfn = far + 1;
	feed(e, ev);
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 299, 5, far, 0, 1));	/* forgets far's refill */
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 7, 5, far, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_PCPU_DRAIN, 7, 5, far + 1, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 8, 5, far, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 5, near + 299, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 9, 5, near + 3, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 9, 5, near + 9, 0, -1));	/* on its own CPU */
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 3, 5, far + 65536, 0, 1));	/* a region of low CPUs */
	feed(e, page_ev(KF_EV_PAGE_FREE, 4, 5, far + 65536, 0, -1));
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_cross_drain, 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_drain, s->nr_cross_drain, 299, 7), 1);
	CHECK_EQ_INT(s->nr_cross_free, 4);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 3, 4), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 299, 8), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 299, 0), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 3, 9), 1);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/*
 * Many pages of a CPU index past 254 (two bytes a slot in their regions of
 * the pfn map) among pages of low ones: 70,000 pages over two regions
 * allocated on CPU 299 and freed on CPU 0, a page of CPU 255 allocated
 * before them, a page of CPU 5 in a region of its own freed on CPU 6.
 */
static void test_pfn_far(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	const uint64_t base = 0x100000;

	for (int c = 0; c < 300; c++)
		feed(e, page_ev(KF_EV_PAGE_ALLOC, c, 5, base + c, 0, 1));
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 5, 5, base + 500000, 0, 1));
	for (uint64_t p = 0; p < 70000; p++)
		feed(e, page_ev(KF_EV_PAGE_ALLOC, 299, 5, base + 1000 + p, 0, 1));
	for (uint64_t p = 0; p < 70000; p++)
		feed(e, page_ev(KF_EV_PAGE_FREE, 0, 5, base + 1000 + p, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 6, 5, base + 500000, 0, -1));
	feed(e, page_ev(KF_EV_PAGE_FREE, 0, 5, base + 255, 0, -1));	/* CPU 255's, before */
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 299, 0), 70000);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 5, 6), 1);
	CHECK_EQ_U64(kf_snapshot_flow(s->cross_free, s->nr_cross_free, 255, 0), 1);
	CHECK_EQ_INT(s->nr_cross_free, 3);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static struct kf_event compact_ev(enum kf_event_type t, int pid, const char *comm)
{
	struct kf_event ev = { .ts = now += 1000, .cpu = 0, .pid = pid, .type = t, .comm = comm };

	return ev;
}

static void episode(struct kf_engine *e, int pid, const char *comm, uint64_t zone_start, int migrated)
{
	struct kf_event ev = compact_ev(KF_EV_COMPACTION_BEGIN, pid, comm);

	ev.compact.zone_start = zone_start;
	ev.compact.zone_end = zone_start + 0x1000;
	ev.compact.sync = 1;
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES, pid, comm);
	ev.isolate = (typeof(ev.isolate)){ zone_start, zone_start + 0x200, 512, 32 };
	feed(e, ev);
	ev.isolate = (typeof(ev.isolate)){ zone_start + 0x200, zone_start + 0x400, 512, 0 };
	feed(e, ev);
	ev.isolate = (typeof(ev.isolate)){ zone_start + 0x800, zone_start + 0xa00, 512, 0 };
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_MIGRATEPAGES, pid, comm);
	ev.compact_migrate.nr_migrated = migrated;
	ev.compact_migrate.nr_failed = 1;
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_END, pid, comm);
	ev.compact.status = 5;
	feed(e, ev);
}

static void test_compaction(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;

	/* kcompactd after a wake; then after sleeping, without a wake: proactive */
	feed(e, compact_ev(KF_EV_COMPACTION_KCOMPACTD_WAKE, 36, "kcompactd0"));
	episode(e, 36, "kcompactd0", 0x100000, 10);
	feed(e, compact_ev(KF_EV_COMPACTION_KCOMPACTD_SLEEP, 36, "kcompactd0"));
	episode(e, 36, "kcompactd0", 0x100000, 3);
	/* an allocating task that tried to compact: direct */
	ev = compact_ev(KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES, 40, "alloc");
	ev.try_compact.order = 9;
	feed(e, ev);
	episode(e, 40, "alloc", 0x1000, 7);
	/* a task with neither: echo 1 > /proc/sys/vm/compact_memory */
	episode(e, 41, "bash", 0x1000, 0);
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_episodes, 4);
	CHECK_EQ_INT(s->episodes[0].initiator, KF_INIT_KCOMPACTD);
	CHECK_EQ_INT(s->episodes[1].initiator, KF_INIT_PROACTIVE);
	CHECK_EQ_INT(s->episodes[2].initiator, KF_INIT_DIRECT);
	CHECK_EQ_INT(s->episodes[3].initiator, KF_INIT_MANUAL);
	CHECK_EQ_INT(s->episodes[0].zone, NORMAL);
	CHECK_EQ_INT(s->episodes[2].zone, DMA32);
	CHECK_EQ_U64(s->episodes[0].nr_migrated, 10);
	CHECK_EQ_U64(s->episodes[0].migrate_scanned, 3 * 512);
	CHECK_EQ_U64(s->episodes[0].migrate_isolated, 32);
	/* the first two ranges touch and coalesce; the third stands apart */
	CHECK_EQ_INT(s->episodes[0].nr_ranges, 2);
	CHECK_EQ_U64(s->episodes[0].ranges[0].start, 0x100000);
	CHECK_EQ_U64(s->episodes[0].ranges[0].end, 0x100400);
	/* begin, isolates (one timestamp), migratepages, end: 1000 ns apart */
	CHECK_EQ_U64(s->episodes[0].end_ts - s->episodes[0].begin_ts, 3000);
	CHECK(!s->episodes[3].running, "episode 3 ended");
	CHECK_EQ_U64(s->compact_status[5], 4);
	CHECK_EQ_U64(s->compact_migrated, 20);
	CHECK_EQ_U64(s->compact_failed, 4);
	CHECK_EQ_U64(s->kcompactd_wakes, 1);
	CHECK_EQ_U64(s->try_to_compact, 1);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

/*
 * The order an episode compacted for. The formats (tracefs events/compaction):
 * mm_compaction_try_to_compact_pages has order, mm_compaction_kcompactd_wake
 * has order (kcompactd's pgdat->kcompactd_max_order), mm_compaction_finished
 * has the order compact_zone() runs for, -1 for a whole zone.
 */
static void test_episode_order_and_stall(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;
	uint64_t try_ts;

	/* direct: try_to_compact_pages order 9, then an episode with no finished */
	ev = compact_ev(KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES, 110, "thp-alloc");
	ev.try_compact.order = 9;
	feed(e, ev);
	try_ts = ev.ts;
	episode(e, 110, "thp-alloc", 0x100000, 4);
	/* kcompactd woken for order 3; its finished says order 3 again */
	ev = compact_ev(KF_EV_COMPACTION_KCOMPACTD_WAKE, 36, "kcompactd0");
	ev.kcompactd.order = 3;
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_BEGIN, 36, "kcompactd0");
	ev.compact.zone_start = 0x1000;
	ev.compact.zone_end = 0x100000;
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_FINISHED, 36, "kcompactd0");
	ev.compact_zone.order = 3;
	ev.compact_zone.ret = 4;
	feed(e, ev);
	/* it scanned more than the zone's span: the kernel counts some pages twice */
	ev = compact_ev(KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES, 36, "kcompactd0");
	ev.isolate = (typeof(ev.isolate)){ 0x1000, 0x1200, 0x100000, 0 };
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_END, 36, "kcompactd0");
	ev.compact.status = 5;
	feed(e, ev);
	/* compact_memory: finished with order -1 */
	ev = compact_ev(KF_EV_COMPACTION_BEGIN, 111, "bash");
	ev.compact.zone_start = 0x100000;
	ev.compact.zone_end = 0x278000;
	feed(e, ev);
	ev = compact_ev(KF_EV_COMPACTION_FINISHED, 111, "bash");
	ev.compact_zone.order = -1;
	feed(e, ev);
	/* still running at the snapshot */
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->nr_episodes, 3);
	CHECK_EQ_INT(s->episodes[0].initiator, KF_INIT_DIRECT);
	CHECK_EQ_INT(s->episodes[0].order, 9);
	CHECK_EQ_INT(s->episodes[0].pid, 110);
	/* stalled from its try_to_compact_pages to the end: begin, 3 isolates
	 * (one timestamp), migratepages, end, each 1000 ns after the previous */
	CHECK_EQ_U64(s->episodes[0].stall_ns, s->episodes[0].end_ts - try_ts);
	CHECK_EQ_U64(s->episodes[0].stall_ns, 4000);
	CHECK(!s->episodes[0].migrate_scanned_exceeds_span, "3 x 512 pages of a 0x1000-page zone");
	CHECK_EQ_INT(s->episodes[1].initiator, KF_INIT_KCOMPACTD);
	CHECK_EQ_INT(s->episodes[1].order, 3);
	CHECK_EQ_U64(s->episodes[1].stall_ns, 0);
	CHECK(s->episodes[1].migrate_scanned_exceeds_span, "0x100000 scanned in a 0xff000-page zone");
	CHECK(!s->episodes[1].free_scanned_exceeds_span, "no free scanning");
	CHECK_EQ_INT(s->episodes[2].initiator, KF_INIT_MANUAL);
	CHECK_EQ_INT(s->episodes[2].order, -1);
	CHECK(s->episodes[2].running, "episode 2 runs");
	kf_snapshot_free(s);
	/* an episode no event told the order of */
	kf_engine_reset(e);
	episode(e, 112, "bash", 0x1000, 0);
	s = kf_engine_snapshot(e);
	CHECK_EQ_INT(s->episodes[0].order, KF_ORDER_UNKNOWN);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static void test_migration_and_faults(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s;
	struct kf_event ev;

	/* a fault before any migration does not count as during one */
	ev = compact_ev(KF_EV_PAGE_FAULT_USER, 50, "locked");
	feed(e, ev);
	ev = compact_ev(KF_EV_MIGRATE_PAGES_START, 60, "compactor");
	ev.migrate.mode = 2;
	ev.migrate.reason = 0;
	feed(e, ev);
	feed(e, compact_ev(KF_EV_PAGE_FAULT_USER, 50, "locked"));
	feed(e, compact_ev(KF_EV_PAGE_FAULT_USER, 50, "locked"));
	ev = compact_ev(KF_EV_MIGRATE_PAGES, 60, "compactor");
	ev.migrate = (typeof(ev.migrate)){ .succeeded = 30, .failed = 2, .mode = 2, .reason = 0 };
	feed(e, ev);
	feed(e, compact_ev(KF_EV_PAGE_FAULT_USER, 50, "locked"));
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(s->migrate[0][2].calls, 1);
	CHECK_EQ_U64(s->migrate[0][2].succeeded, 30);
	CHECK_EQ_U64(s->migrate[0][2].failed, 2);
	CHECK_EQ_U64(s->faults_during_migration, 2);
	for (int i = 0; i < s->nr_procs; i++)
		if (s->procs[i].pid == 50) {
			CHECK_EQ_U64(s->procs[i].faults, 4);
			CHECK_EQ_U64(s->procs[i].faults_during_migration, 2);
		}
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

static void test_lost_reset_and_by_comm(void)
{
	struct kf_engine *e = new_engine();
	struct kf_snapshot *s, *s2;
	struct kf_proc_stats *merged;
	int nr;

	kf_engine_lost(e, 1, 17);
	kf_engine_lost(e, 1, -1);
	feed(e, page_ev(KF_EV_PAGE_ALLOC, 0, 70, 0x100000, 0, 1));
	struct kf_event ev = page_ev(KF_EV_PAGE_ALLOC, 0, 71, 0x100001, 0, 1);

	ev.comm = "proc";
	feed(e, ev);
	feed(e, page_ev(KF_EV_OTHER, 5, 72, 0, 0, 0));	/* a higher CPU grows the tables */
	s = kf_engine_snapshot(e);
	CHECK_EQ_U64(s->lost_events, 17);
	CHECK(s->lost_unknown, "an unknown-size gap is remembered");
	/* CPUs 0, 1 (lost events) and 5 occurred: three entries, by number */
	CHECK_EQ_INT(s->nr_cpus, 3);
	CHECK_EQ_INT(s->cpu_ids[0], 0);
	CHECK_EQ_INT(s->cpu_ids[1], 1);
	CHECK_EQ_INT(s->cpu_ids[2], 5);
	CHECK_EQ_INT(kf_snapshot_cpu_index(s, 5), 2);
	CHECK_EQ_INT(kf_snapshot_cpu_index(s, 4), -1);
	CHECK_EQ_U64(s->ev_total[KF_EV_OTHER], 1);
	merged = kf_snapshot_procs_by_comm(s, &nr);
	/* pid 70's comm above is "proc"; its next event, after an exec, says "storm" */
	{
		struct kf_event x = page_ev(KF_EV_PAGE_ALLOC, 0, 70, 0x100003, 0, 1);
		struct kf_snapshot *s3;

		x.comm = "storm";
		feed(e, x);
		x.comm = "<...>";	/* an unknown name never replaces a known one */
		feed(e, x);
		s3 = kf_engine_snapshot(e);
		for (int i = 0; i < s3->nr_procs; i++)
			if (s3->procs[i].pid == 70)
				CHECK_EQ_STR(s3->procs[i].comm, "storm");
		kf_snapshot_free(s3);
	}
	CHECK_EQ_INT(nr, 1);
	CHECK_EQ_U64(merged[0].allocd, 2);
	free(merged);
	/* a snapshot is a copy: feeding afterwards did not change it */
	CHECK_EQ_U64(s->ev_total[KF_EV_PAGE_ALLOC], 2);
	kf_engine_reset(e);
	s2 = kf_engine_snapshot(e);
	CHECK_EQ_U64(s2->nr_events, 0);
	CHECK_EQ_INT(s2->nr_procs, 0);
	CHECK_EQ_INT(s2->nr_zones, 3);
	CHECK_EQ_STR(s2->zones[2].name, "Normal");
	kf_snapshot_free(s2);
	kf_snapshot_free(s);
	kf_engine_destroy(e);
}

int main(void)
{
	test_pages_and_zones();
	test_pcp_runs();
	test_extfrag();
	test_compaction();
	test_migration_and_faults();
	test_lost_reset_and_by_comm();
	test_batched_frees_once();
	test_remote_drain_needs_no_alloc();
	test_sparse_cpus();
	test_pfn_slots();
	test_pfn_far();
	test_episode_order_and_stall();
	return check_done();
}
