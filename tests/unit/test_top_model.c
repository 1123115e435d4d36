/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of kfrag top's data side, without curses: the view model built
 * from hand-made snapshots (rates are differences over dt, a reset in
 * between counts from zero, processes matched by pid and sorted, episodes
 * running first then newest first, fallback pairs by count, zones and the
 * kernel's indices from a hand-made buddyinfo with their trends, alerts
 * most severe first and acknowledged), the memory map's cells from a
 * hand-made struct kf_memmap (the worst kind of each cell's pageblocks,
 * pageblocks per cell the fewest that fit, zones apart, protected locked
 * pages marked), and the keys' effects on the state.
 */
#include <math.h>

#include "check.h"
#include "kf_fragindex.h"
#include "kf_top.h"
#include "kf_zones.h"

#define NCPU 2
#define NZONE 1

/* a snapshot as the engine would hand it over, every count zero */
static struct kf_snapshot *snap_new(void)
{
	struct kf_snapshot *s = calloc(1, sizeof(*s));

	s->nr_cpus = NCPU;
	s->cpu_ids = calloc(NCPU, sizeof(*s->cpu_ids));
	for (int c = 0; c < NCPU; c++)
		s->cpu_ids[c] = c;
	s->nr_zones = NZONE;
	s->zones = calloc(NZONE, sizeof(*s->zones));
	s->zones[0] = (struct kf_zone_span){ 0, "Normal", 0x100000, 0x200000 };
	s->ev_per_cpu = calloc((size_t)KF_EV_NR * NCPU, sizeof(*s->ev_per_cpu));
	s->cpus = calloc(NCPU, sizeof(*s->cpus));
	/* a row for every (cpu, order, mt slot), numbered in that order */
	s->pages = calloc((size_t)NCPU * KF_PAGE_ROWS * (NZONE + 1) * KF_PK_NR, sizeof(*s->pages));
	s->page_row_at = calloc((size_t)NCPU * KF_PAGE_ROWS, sizeof(*s->page_row_at));
	for (uint32_t r = 0; r < NCPU * KF_PAGE_ROWS; r++)
		s->page_row_at[r] = r + 1;
	s->pages_cpu = calloc((size_t)NCPU * KF_PK_NR, sizeof(*s->pages_cpu));
	s->pages_zone = calloc((size_t)(NZONE + 1) * KF_PK_NR, sizeof(*s->pages_zone));
	s->cross_free = calloc(1, sizeof(*s->cross_free));
	s->cross_drain = calloc(1, sizeof(*s->cross_drain));
	s->extfrag_zone = calloc(NZONE + 1, sizeof(*s->extfrag_zone));
	return s;
}

/* pages of a kind on a CPU in a zone: the cell, and the sums the engine keeps */
static void add_pages(struct kf_snapshot *s, int cpu, int zone, int mt, int order, int kind, uint64_t pages)
{
	((struct kf_count *)kf_snapshot_page(s, cpu, zone, mt, order, kind))->pages += pages;
	s->pages_cpu[cpu * KF_PK_NR + kind].pages += pages;
	s->pages_zone[zone * KF_PK_NR + kind].pages += pages;
	s->pages_total[kind].pages += pages;
}

static void add_proc(struct kf_snapshot *s, int pid, const char *comm, uint64_t allocd, uint64_t freed,
		     uint64_t faults)
{
	struct kf_proc_stats *p;

	s->procs = realloc(s->procs, (s->nr_procs + 1) * sizeof(*s->procs));
	p = &s->procs[s->nr_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->allocd = allocd;
	p->freed = freed;
	p->faults = faults;
}

static void add_episode(struct kf_snapshot *s, uint64_t begin, uint64_t end, bool running, uint64_t migrated)
{
	struct kf_episode *ep;

	s->episodes = realloc(s->episodes, (s->nr_episodes + 1) * sizeof(*s->episodes));
	ep = &s->episodes[s->nr_episodes++];
	memset(ep, 0, sizeof(*ep));
	ep->zone = 0;
	ep->pid = 36;
	snprintf(ep->comm, sizeof(ep->comm), "kcompactd0");
	ep->initiator = KF_INIT_KCOMPACTD;
	ep->begin_ts = begin;
	ep->end_ts = end;
	ep->running = running;
	ep->status = running ? -1 : 2;
	ep->nr_migrated = migrated;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

#define CHECK_NEAR(got, want) CHECK(near((got), (want)), "%s = %g, want %g", #got, (double)(got), (double)(want))

static void test_rates_and_cpus(void)
{
	struct kf_snapshot *a = snap_new(), *b = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_top_state st;
	struct kf_top_input in = { .prev = a, .cur = b, .dt = 2.0 };

	kf_top_state_init(&st, 1);
	/* cpu0 allocated 100 pages of order 0 and 10 blocks of order 2 (40 pages) by a, 300 + 40 by b */
	add_pages(a, 0, 0, 1, 0, KF_PK_ALLOC, 100);
	add_pages(a, 0, 0, 1, 2, KF_PK_ALLOC, 40);
	add_pages(b, 0, 0, 1, 0, KF_PK_ALLOC, 300);
	add_pages(b, 0, 0, 1, 2, KF_PK_ALLOC, 40);
	/* frees are mm_page_free: a batched free (mm_page_free_batched) logged one too */
	add_pages(b, 1, 0, KF_MT_NONE, 0, KF_PK_FREE, 10);
	add_pages(b, 1, 0, KF_MT_NONE, 0, KF_PK_FREE_BATCHED, 6);
	a->nr_events = 1000;
	b->nr_events = 1600;
	a->cpus[0].refill = (struct kf_runs){ 4, 400, 100 };
	b->cpus[0].refill = (struct kf_runs){ 10, 1000, 100 };
	b->cpus[1].drain = (struct kf_runs){ 2, 64, 32 };
	/* refilled on cpu0, drained by cpu1: 30 pages, 10 of them in the window */
	a->cross_drain[0] = (struct kf_cpu_flow){ 0, 1, 20 };
	a->nr_cross_drain = 1;
	b->cross_drain[0] = (struct kf_cpu_flow){ 0, 1, 30 };
	b->nr_cross_drain = 1;
	b->cross_free[0] = (struct kf_cpu_flow){ 1, 0, 8 };
	b->nr_cross_free = 1;
	b->lost_events = 5;
	b->cpus[1].lost_events = 5;

	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_U64(v.events, 1600);
	CHECK_NEAR(v.events_ps, 300);
	CHECK_EQ_U64(v.lost, 5);
	CHECK_NEAR(v.lost_ps, 2.5);
	CHECK_EQ_INT(v.nr_cpus, 2);
	CHECK_EQ_U64(v.cpus[0].alloc, 340);
	CHECK_NEAR(v.cpus[0].alloc_ps, 100);
	CHECK_EQ_U64(v.cpus[1].freed, 10);
	CHECK_NEAR(v.cpus[1].free_ps, 5);
	CHECK_NEAR(v.alloc_ps, 100);
	CHECK_NEAR(v.free_ps, 5);
	CHECK_EQ_U64(v.cpus[0].refill_runs, 10);
	CHECK_NEAR(v.cpus[0].refill_runs_ps, 3);
	CHECK_NEAR(v.cpus[0].refill_pages_ps, 300);
	CHECK_NEAR(v.cpus[1].drain_runs_ps, 1);
	CHECK_NEAR(v.cpus[1].drain_pages_ps, 32);
	CHECK_EQ_U64(v.cpus[0].xdrain_out, 30);
	CHECK_NEAR(v.cpus[0].xdrain_out_ps, 5);
	CHECK_EQ_INT(v.cpus[0].xdrain_peer, 1);
	CHECK_EQ_INT(v.cpus[1].xdrain_peer, -1);
	CHECK_EQ_U64(v.xdrain[0 * NCPU + 1], 30);
	CHECK_NEAR(v.xdrain_ps[0 * NCPU + 1], 5);
	CHECK_EQ_U64(v.cpus[1].xfree_out, 8);
	CHECK_EQ_U64(v.cpus[1].lost, 5);
	/* no memory state: the zones are the snapshot's, with their rates */
	CHECK_EQ_INT(v.nr_zones, 1);
	CHECK_EQ_STR(v.zones[0].name, "Normal");
	CHECK_EQ_INT(v.zones[0].nr_orders, 0);
	CHECK_NEAR(v.zones[0].alloc_ps, 100);
	CHECK_NEAR(v.zones[0].free_ps, 5);

	/* no previous snapshot: everything counted is new */
	in.prev = NULL;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_NEAR(v.cpus[0].alloc_ps, 170);
	/* counts below the previous ones: reset in between, count from zero */
	in.prev = b;
	in.cur = a;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_NEAR(v.events_ps, 500);
	CHECK_NEAR(v.cpus[0].alloc_ps, 70);
	/* an engine just reset has seen no CPU: the ones asked for are shown */
	{
		struct kf_snapshot *empty = snap_new();
		struct kf_top_input e = { .cur = empty, .dt = 1, .nr_cpus = 4 };

		empty->nr_cpus = 0;
		CHECK_EQ_INT(kf_top_view_build(&v, &e, &st), 0);
		CHECK_EQ_INT(v.nr_cpus, 4);
		CHECK_EQ_U64(v.cpus[3].alloc, 0);
		CHECK_EQ_INT(v.cpus[3].cpu, 3);
		e.nr_cpus = 1;
		empty->nr_cpus = NCPU;
		CHECK_EQ_INT(kf_top_view_build(&v, &e, &st), 0);
		CHECK_EQ_INT(v.nr_cpus, NCPU);
		kf_snapshot_free(empty);
	}
	/* no time passed: no rate (NAN, shown as "-"), the counts still */
	in.dt = 0;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(isnan(v.events_ps), "events_ps %g", v.events_ps);
	CHECK(isnan(v.cpus[0].alloc_ps), "alloc_ps %g", v.cpus[0].alloc_ps);
	CHECK(!v.rates_known, "rates known over dt %g", in.dt);
	CHECK_EQ_U64(v.events, 1000);
	/* a first replay frame: microseconds of trace are no interval (it
	 * showed 3.16G ev/s), a hundredth of a second is */
	{
		struct kf_top_source src = { .speed = 1 };

		in.source = &src;
		in.dt = 2e-6;
		CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
		CHECK(isnan(v.events_ps), "events_ps %g", v.events_ps);
		in.dt = 0.01;
		CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
		CHECK(v.rates_known, "no rates over dt %g", in.dt);
		CHECK_NEAR(v.events_ps, 100000);	/* 1000 events (counted from zero) over 0.01 s */
		/* slowed down to x0.001, a refresh of 1 s covers 1 ms: half of it counts */
		src.speed = 0.001;
		in.dt = 0.0005;
		CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
		CHECK(v.rates_known, "no rates over dt %g", in.dt);
		in.dt = 0.0004;
		CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
		CHECK(!v.rates_known, "rates known over dt %g", in.dt);
		in.source = NULL;
	}

	kf_top_view_release(&v);
	kf_snapshot_free(a);
	kf_snapshot_free(b);
}

static void test_processes(void)
{
	struct kf_snapshot *a = snap_new(), *b = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_top_state st;
	struct kf_top_input in = { .prev = a, .cur = b, .dt = 1.0 };
	struct kf_protected prot = { .pid = 30, .comm = "scx_rustland", .reason = KF_PROTECT_COMM_SCX };
	struct kf_guard_input gi = { .procs = &prot, .nr_procs = 1 };

	kf_top_state_init(&st, 1);
	add_proc(a, 20, "b-proc", 100, 0, 0);
	add_proc(a, 10, "c-proc", 50, 0, 0);
	/* b lists them in another order, and has a new one */
	add_proc(b, 10, "c-proc", 350, 7, 0);	/* +300/s */
	add_proc(b, 30, "scx_rustland", 40, 0, 9);	/* new: 40/s */
	add_proc(b, 20, "b-proc", 200, 0, 0);	/* +100/s */
	in.guard_in = &gi;

	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.nr_procs, 3);
	CHECK_EQ_INT(v.sort_col, KF_PCOL_ALLOC_RATE);
	CHECK_EQ_INT(v.procs[0].pid, 10);
	CHECK_NEAR(v.procs[0].alloc_ps, 300);
	CHECK_NEAR(v.procs[0].free_ps, 7);
	CHECK_EQ_INT(v.procs[1].pid, 20);
	CHECK_NEAR(v.procs[1].alloc_ps, 100);
	CHECK_EQ_INT(v.procs[2].pid, 30);
	CHECK_NEAR(v.procs[2].alloc_ps, 40);
	CHECK(v.procs[2].is_protected && !v.procs[0].is_protected, "only pid 30 is protected");
	CHECK_EQ_INT(v.nr_protected, 1);
	CHECK_EQ_STR(v.protected_procs[0].comm, "scx_rustland");

	/* by command: names a to z; inverted: z to a */
	st.sort_col = KF_PCOL_COMM;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_STR(v.procs[0].comm, "b-proc");
	CHECK_EQ_STR(v.procs[2].comm, "scx_rustland");
	st.sort_ascending = true;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_STR(v.procs[0].comm, "scx_rustland");
	/* by faults, biggest first */
	st.sort_ascending = false;
	st.sort_col = KF_PCOL_FAULTS;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.procs[0].pid, 30);
	/* by pid, smallest first; ties of every column broken by pid */
	st.sort_col = KF_PCOL_PID;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.procs[0].pid, 10);
	CHECK_EQ_INT(v.procs[2].pid, 30);
	st.sort_col = KF_PCOL_CHANGED;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.procs[0].pid, 10);
	/* equal rates (the end of a replay: all 0) sort by their total, not by
	 * pid: 350 (pid 10), 200 (pid 20), 40 (pid 30); the rows once fell
	 * back to pid order there */
	st.sort_col = KF_PCOL_ALLOC_RATE;
	in.prev = b;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_NEAR(v.procs[0].alloc_ps, 0);
	CHECK_EQ_INT(v.procs[0].pid, 10);
	CHECK_EQ_INT(v.procs[1].pid, 20);
	CHECK_EQ_INT(v.procs[2].pid, 30);
	st.sort_ascending = true;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.procs[0].pid, 30);
	st.sort_ascending = false;
	/* totals mode shows no rate: sorted by ALLOC/s is by ALLOCD there */
	st.totals = true;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.sort_col, KF_PCOL_ALLOCD);
	CHECK_EQ_INT(v.procs[0].pid, 10);
	st.sort_col = KF_PCOL_FREE_RATE;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.sort_col, KF_PCOL_FREED);
	st.totals = false;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.sort_col, KF_PCOL_FREE_RATE);

	kf_top_view_release(&v);
	kf_snapshot_free(a);
	kf_snapshot_free(b);
}

static void test_compaction_and_frag(void)
{
	struct kf_snapshot *a = snap_new(), *b = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_symbols syms;
	struct kf_top_input in = { .prev = a, .cur = b, .dt = 4.0, .syms = &syms };

	kf_symbols_init(&syms);
	kf_symbols_set(&syms, KF_SYM_COMPACT_STATUS, 2, "complete");
	kf_symbols_set(&syms, KF_SYM_MIGRATETYPE, 0, "Unmovable");
	kf_symbols_set(&syms, KF_SYM_MIGRATETYPE, 1, "Movable");
	kf_symbols_set(&syms, KF_SYM_MIGRATE_REASON, 0, "compaction");
	/* three episodes: an old finished one, a running one, a newer finished one */
	add_episode(b, 1000000000, 1005000000, false, 10);
	add_episode(b, 2000000000, 0, true, 5);
	add_episode(b, 3000000000, 3000500000, false, 20);
	b->last_ts = 3250000000;
	b->kcompactd_wakes = 8;
	a->kcompactd_wakes = 4;
	b->compact_migrated = 35;
	b->migrate[0][1] = (struct kf_migrate_stats){ .calls = 3, .succeeded = 30, .failed = 2 };
	b->migrate[0][2] = (struct kf_migrate_stats){ .calls = 1, .succeeded = 5 };
	a->migrate[0][1] = (struct kf_migrate_stats){ .calls = 1, .succeeded = 15 };
	b->faults_during_migration = 215;
	/* fallbacks: Unmovable from Movable 8 (4 in the window), Movable from Unmovable 20 */
	b->extfrag_pair[0][1] = (struct kf_extfrag_stats){ 8, 8, 6, 2, 1 };
	a->extfrag_pair[0][1] = (struct kf_extfrag_stats){ 4, 4, 3, 1, 0 };
	b->extfrag_pair[1][0] = (struct kf_extfrag_stats){ 20, 0, 0, 0, 0 };
	b->extfrag_total = (struct kf_extfrag_stats){ 28, 8, 6, 2, 1 };

	CHECK_EQ_INT(kf_top_view_build(&v, &in, NULL), 0);
	CHECK_EQ_INT(v.nr_episodes, 3);
	CHECK_EQ_INT(v.episodes_total, 3);
	CHECK_EQ_INT(v.episodes_running, 1);
	CHECK(v.episodes[0].running, "the running episode comes first");
	CHECK_EQ_STR(v.episodes[0].status, "running");
	CHECK_NEAR(v.episodes[0].duration_ms, 1250);
	CHECK_EQ_U64(v.episodes[1].migrated, 20);
	CHECK_NEAR(v.episodes[1].duration_ms, 0.5);
	CHECK_EQ_STR(v.episodes[1].status, "complete");
	CHECK_EQ_U64(v.episodes[2].migrated, 10);
	CHECK_EQ_STR(v.episodes[2].zone, "Normal");
	CHECK_EQ_STR(v.episodes[2].initiator, "kcompactd");
	CHECK_EQ_STR(v.episodes[2].task, "kcompactd0-36");
	CHECK_EQ_U64(v.kcompactd_wakes, 8);
	CHECK_NEAR(v.kcompactd_wakes_ps, 1);
	CHECK_NEAR(v.compact_migrated_ps, 35.0 / 4);
	CHECK_EQ_INT(v.nr_migrate, 1);
	CHECK_EQ_STR(v.migrate[0].reason, "compaction");
	CHECK_EQ_U64(v.migrate[0].calls, 4);
	CHECK_EQ_U64(v.migrate[0].succeeded, 35);
	CHECK_NEAR(v.migrate[0].succeeded_ps, 5);
	CHECK_NEAR(v.migrate[0].failed_ps, 0.5);
	CHECK_EQ_U64(v.migration_faults, 215);

	CHECK_EQ_INT(v.nr_frags, 2);
	CHECK_EQ_STR(v.frags[0].alloc_name, "Movable");
	CHECK_EQ_STR(v.frags[0].fallback_name, "Unmovable");
	CHECK_EQ_U64(v.frags[0].total.fallbacks, 20);
	CHECK_NEAR(v.frags[1].fallbacks_ps, 1);
	CHECK_NEAR(v.frags[1].severe_ps, 0.75);
	CHECK_NEAR(v.frags[1].changed_ps, 0.25);
	CHECK_EQ_U64(v.frag_total.total.fallbacks, 28);
	CHECK_NEAR(v.frag_total.fallbacks_ps, 7);

	kf_top_view_release(&v);
	kf_symbols_release(&syms);
	kf_snapshot_free(a);
	kf_snapshot_free(b);
}

static void test_zones(void)
{
	struct kf_snapshot *b = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_zone_info zi[2] = {
		{ .node = 0, .name = "Normal", .start_pfn = 0x100000, .spanned = 0x100000, .free_pages = 900,
		  .min = 100, .low = 200, .high = 1000 },
		{ .node = 0, .name = "Movable" },	/* unpopulated: not shown */
	};
	struct kf_buddy_zone bz = { .node = 0, .name = "Normal", .nr_orders = 11,
				    .free_blocks = { 100, 0, 0, 4, 0, 0, 0, 0, 0, 1, 0 } };
	struct kf_buddy_zone bz_prev = bz;
	struct kf_pagetype_zone pz = { .node = 0, .name = "Normal", .pageblocks = { 30, 400, 2 } };
	struct kf_memstate ms = { 0 }, ms_prev = { 0 };
	struct kf_top_input in = { .cur = b, .dt = 1, .mem = &ms, .mem_prev = &ms_prev };

	ms.have = KF_HAVE_ZONEINFO | KF_HAVE_BUDDYINFO | KF_HAVE_PAGETYPEINFO;
	ms.zoneinfo = (struct kf_zoneinfo){ zi, 2 };
	ms.buddyinfo = (struct kf_buddyinfo){ &bz, 1 };
	ms.pagetypeinfo.nr_mt = 3;
	ms.pagetypeinfo.pageblock_order = 9;
	strcpy(ms.pagetypeinfo.mt_names[0], "Unmovable");
	strcpy(ms.pagetypeinfo.mt_names[1], "Movable");
	strcpy(ms.pagetypeinfo.mt_names[2], "Reclaimable");
	ms.pagetypeinfo.zones = &pz;
	ms.pagetypeinfo.nr_zones = 1;
	/* before, the order-9 block was two order-8 blocks: the order-9 index rose */
	bz_prev.free_blocks[9] = 0;
	bz_prev.free_blocks[8] = 2;
	ms_prev.have = KF_HAVE_BUDDYINFO;
	ms_prev.buddyinfo = (struct kf_buddyinfo){ &bz_prev, 1 };
	/* the indices, as the buddyinfo reader derives them */
	kf_buddy_zone_derive(&bz);
	kf_buddy_zone_derive(&bz_prev);

	CHECK_EQ_INT(kf_top_view_build(&v, &in, NULL), 0);
	CHECK_EQ_INT(v.nr_zones, 1);
	CHECK_EQ_STR(v.zones[0].name, "Normal");
	CHECK_EQ_U64(v.zones[0].free, 900);
	CHECK_EQ_INT(v.zones[0].wm, KF_WM_LOW);
	CHECK_EQ_INT(v.zones[0].nr_orders, 11);
	CHECK_EQ_U64(v.zones[0].free_blocks[3], 4);
	/* free pages 100 + 32 + 512 = 644; below order 3: 100 pages -> 100/644 */
	CHECK_EQ_INT(v.zones[0].unusable[3], kf_unusable_index(bz.free_blocks, 11, 3));
	CHECK_EQ_INT(v.zones[0].unusable[3], 155);
	CHECK_EQ_INT(v.zones[0].extfrag[9], -1000);
	CHECK_EQ_INT(v.zones[0].extfrag[10], kf_extfrag_index(bz.free_blocks, 11, 10));
	CHECK_EQ_INT(v.zones[0].unusable_trend[9], -1);
	CHECK_EQ_INT(v.zones[0].unusable_trend[3], 0);
	CHECK_EQ_INT(v.zones[0].extfrag_trend[9], -1);
	CHECK(v.zones[0].have_pageblocks, "pageblocks read");
	CHECK_EQ_U64(v.zones[0].pageblocks[1], 400);
	CHECK_EQ_INT(v.nr_mt, 3);
	CHECK_EQ_STR(v.mt_names[2], "Reclaimable");
	CHECK_EQ_INT(v.pageblock_order, 9);

	zi[0].free_pages = 50;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, NULL), 0);
	CHECK_EQ_INT(v.zones[0].wm, KF_WM_BELOW_MIN);
	zi[0].free_pages = 5000;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, NULL), 0);
	CHECK_EQ_INT(v.zones[0].wm, KF_WM_OK);

	kf_top_view_release(&v);
	kf_snapshot_free(b);
}

static struct kf_alert alert(enum kf_severity sev, enum kf_alert_kind kind, int pid, uint64_t count)
{
	struct kf_alert a = { .severity = sev, .kind = kind, .pid = pid, .count = count, .node = -1 };

	snprintf(a.message, sizeof(a.message), "alert %d of pid %d", kind, pid);
	return a;
}

static void test_guard_and_ack(void)
{
	struct kf_snapshot *b = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_top_state st;
	struct kf_alert al[3] = {
		alert(KF_SEV_WARNING, KF_ALERT_UNEVICTABLE_ALLOWED, -1, 1),
		alert(KF_SEV_CRITICAL, KF_ALERT_LOCKED_PAGES_MOVED, 30, 954),
		alert(KF_SEV_NOTE, KF_ALERT_PROACTIVE_COMPACTION, -1, 1),
	};
	struct kf_guard_result g = { .alerts = al, .nr_alerts = 3, .worst = KF_SEV_CRITICAL };
	struct kf_top_input in = { .cur = b, .dt = 1, .guard = &g };

	kf_top_state_init(&st, 1);
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(v.have_guard, "a guard result was given");
	CHECK_EQ_INT(v.nr_alerts, 3);
	CHECK_EQ_INT(v.alerts[0].a.severity, KF_SEV_CRITICAL);
	CHECK_EQ_INT(v.alerts[1].a.severity, KF_SEV_WARNING);
	CHECK_EQ_INT(v.alerts[2].a.severity, KF_SEV_NOTE);
	CHECK_EQ_INT(v.nr_unacked, 3);
	CHECK_EQ_INT(v.worst_unacked, KF_SEV_CRITICAL);

	/* a acknowledges what is on screen, and asks for a rebuild */
	unsigned f = kf_top_handle_key(&st, 'a', &v, NULL);

	CHECK(f & KF_TOP_ACK && f & KF_TOP_REBUILD, "a: flags %#x", f);
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.nr_unacked, 0);
	CHECK_EQ_INT(v.worst_unacked, KF_SEV_OK);
	CHECK(v.alerts[0].acked && v.alerts[2].acked, "every alert acknowledged");
	CHECK_EQ_INT(v.nr_alerts, 3);	/* still listed */

	/* more pages moved: the critical one alerts again, and comes first */
	al[1].count = 1200;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.nr_unacked, 1);
	CHECK_EQ_INT(v.worst_unacked, KF_SEV_CRITICAL);
	CHECK(!v.alerts[0].acked && v.alerts[0].a.count == 1200, "the grown alert is back");
	/* a new kind of alert is not covered by the old acknowledgement */
	al[2] = alert(KF_SEV_CRITICAL, KF_ALERT_FAULTS_DURING_MIGRATION, 30, 215);
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.nr_unacked, 2);
	/* within one severity, unacknowledged ones first */
	al[1].count = 954;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK_EQ_INT(v.alerts[0].a.kind, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(v.alerts[1].acked, "the acknowledged critical alert after the new one");

	/* no guard result: nothing to alert about */
	in.guard = NULL;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(!v.have_guard && v.nr_alerts == 0, "no guard");

	kf_top_view_release(&v);
	kf_snapshot_free(b);
}

static void test_keys(void)
{
	struct kf_top_state st;
	struct kf_top_geometry geo = { 0 };
	unsigned f;

	kf_top_state_init(&st, 1);
	CHECK_EQ_INT(kf_top_handle_key(&st, 'q', NULL, NULL), KF_TOP_QUIT);
	CHECK_EQ_INT(kf_top_handle_key(&st, KF_KEY_F(10), NULL, NULL), KF_TOP_QUIT);
	CHECK_EQ_INT(kf_top_handle_key(&st, KF_KEY_NONE, NULL, NULL), KF_TOP_NOTHING);

	/* help: h, ? and F1 open it; any key closes it and does nothing else */
	const int help_keys[] = { 'h', '?', KF_KEY_F(1) };

	for (int i = 0; i < 3; i++) {
		f = kf_top_handle_key(&st, help_keys[i], NULL, NULL);
		CHECK(st.help && f == KF_TOP_REDRAW, "help key %d", i);
		f = kf_top_handle_key(&st, 'q', NULL, NULL);
		CHECK(!st.help && f == KF_TOP_REDRAW, "q closes help, does not quit");
	}

	/* panels */
	CHECK_EQ_INT(st.focus, KF_PANEL_ZONES);
	kf_top_handle_key(&st, KF_KEY_TAB, NULL, NULL);
	CHECK_EQ_INT(st.focus, KF_PANEL_CPUS);
	kf_top_handle_key(&st, KF_KEY_BTAB, NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_BTAB, NULL, NULL);
	CHECK_EQ_INT(st.focus, KF_PANEL_GUARD);
	kf_top_handle_key(&st, KF_KEY_RIGHT, NULL, NULL);
	CHECK_EQ_INT(st.focus, KF_PANEL_ZONES);
	kf_top_handle_key(&st, KF_KEY_LEFT, NULL, NULL);
	CHECK_EQ_INT(st.focus, KF_PANEL_GUARD);
	for (int p = 0; p < KF_PANEL_NR; p++) {
		kf_top_handle_key(&st, '1' + p, NULL, NULL);
		CHECK_EQ_INT(st.focus, p);
	}

	/* scrolling is kept within what the panel has */
	geo.lines[KF_PANEL_GUARD] = 30;
	geo.visible[KF_PANEL_GUARD] = 10;
	f = kf_top_handle_key(&st, KF_KEY_DOWN, NULL, &geo);
	CHECK(f == KF_TOP_REDRAW && st.scroll[KF_PANEL_GUARD] == 1, "down");
	kf_top_handle_key(&st, 'j', NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 2);
	kf_top_handle_key(&st, 'k', NULL, &geo);
	kf_top_handle_key(&st, KF_KEY_UP, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 0);
	f = kf_top_handle_key(&st, KF_KEY_UP, NULL, &geo);
	CHECK(f == KF_TOP_NOTHING && st.scroll[KF_PANEL_GUARD] == 0, "nothing above the top");
	kf_top_handle_key(&st, KF_KEY_PGDN, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 9);
	kf_top_handle_key(&st, KF_KEY_PGDN, NULL, &geo);
	kf_top_handle_key(&st, KF_KEY_PGDN, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 20);
	kf_top_handle_key(&st, KF_KEY_PGUP, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 11);
	kf_top_handle_key(&st, KF_KEY_HOME, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 0);
	kf_top_handle_key(&st, KF_KEY_END, NULL, &geo);
	CHECK_EQ_INT(st.scroll[KF_PANEL_GUARD], 20);
	CHECK_EQ_INT(st.scroll[KF_PANEL_ZONES], 0);

	/* sorting: < > step through the columns, I inverts, s opens the chooser */
	CHECK_EQ_INT(st.sort_col, KF_PCOL_ALLOC_RATE);
	f = kf_top_handle_key(&st, '>', NULL, NULL);
	CHECK(f & KF_TOP_REBUILD && st.sort_col == KF_PCOL_FREE_RATE, "> next column");
	kf_top_handle_key(&st, '<', NULL, NULL);
	kf_top_handle_key(&st, ',', NULL, NULL);
	CHECK_EQ_INT(st.sort_col, KF_PCOL_COMM);
	kf_top_handle_key(&st, '.', NULL, NULL);
	CHECK_EQ_INT(st.sort_col, KF_PCOL_ALLOC_RATE);
	kf_top_handle_key(&st, '<', NULL, NULL);
	kf_top_handle_key(&st, '<', NULL, NULL);
	kf_top_handle_key(&st, '<', NULL, NULL);
	CHECK_EQ_INT(st.sort_col, KF_PCOL_MIGFAULTS);
	f = kf_top_handle_key(&st, 'I', NULL, NULL);
	CHECK(f & KF_TOP_REBUILD && st.sort_ascending, "I inverts");
	f = kf_top_handle_key(&st, 's', NULL, NULL);
	CHECK(st.sort_menu && st.focus == KF_PANEL_PROCS && st.sort_menu_sel == KF_PCOL_MIGFAULTS, "s opens the chooser");
	kf_top_handle_key(&st, KF_KEY_HOME, NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_DOWN, NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_DOWN, NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_DOWN, NULL, NULL);
	CHECK_EQ_INT(st.sort_col, KF_PCOL_MIGFAULTS);	/* not yet */
	f = kf_top_handle_key(&st, KF_KEY_ENTER, NULL, NULL);
	CHECK(!st.sort_menu && st.sort_col == KF_PCOL_FREE_RATE && (f & KF_TOP_REBUILD), "Enter picks");
	kf_top_handle_key(&st, KF_KEY_F(6), NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_DOWN, NULL, NULL);
	f = kf_top_handle_key(&st, KF_KEY_ESC, NULL, NULL);
	CHECK(!st.sort_menu && st.sort_col == KF_PCOL_FREE_RATE && !(f & KF_TOP_REBUILD), "Esc cancels");
	kf_top_handle_key(&st, 's', NULL, NULL);
	f = kf_top_handle_key(&st, 'q', NULL, NULL);
	CHECK(!st.sort_menu && f == KF_TOP_REDRAW, "q closes the chooser, does not quit");

	/* toggles */
	f = kf_top_handle_key(&st, ' ', NULL, NULL);
	CHECK(st.paused && (f & KF_TOP_PAUSE), "space pauses");
	kf_top_handle_key(&st, ' ', NULL, NULL);
	CHECK(!st.paused, "space resumes");
	kf_top_handle_key(&st, 't', NULL, NULL);
	CHECK(st.totals, "t: totals");
	kf_top_handle_key(&st, 'o', NULL, NULL);
	CHECK(st.all_orders, "o: every order");
	f = kf_top_handle_key(&st, 'r', NULL, NULL);
	CHECK(f & KF_TOP_RESET, "r resets");
	CHECK_EQ_INT(kf_top_handle_key(&st, 0x0c, NULL, NULL), KF_TOP_REDRAW);
	CHECK_EQ_INT(kf_top_handle_key(&st, KF_KEY_RESIZE, NULL, NULL), KF_TOP_REDRAW);
	CHECK_EQ_INT(kf_top_handle_key(&st, 'Z', NULL, NULL), KF_TOP_NOTHING);

	/* refresh: + slower, - faster, through the steps, within their bounds */
	f = kf_top_handle_key(&st, '+', NULL, NULL);
	CHECK(f & KF_TOP_RESCHEDULE && near(st.refresh_s, 2), "+ from 1 s: %g", st.refresh_s);
	kf_top_handle_key(&st, '-', NULL, NULL);
	kf_top_handle_key(&st, '-', NULL, NULL);
	CHECK_NEAR(st.refresh_s, 0.5);
	for (int i = 0; i < 20; i++)
		kf_top_handle_key(&st, '-', NULL, NULL);
	CHECK_NEAR(st.refresh_s, kf_top_refresh_steps[0]);
	for (int i = 0; i < 20; i++)
		kf_top_handle_key(&st, '=', NULL, NULL);
	CHECK_NEAR(st.refresh_s, kf_top_refresh_steps[KF_TOP_NR_REFRESH_STEPS - 1]);
	/* a -d between the steps goes to the next step either way */
	kf_top_state_init(&st, 1.5);
	kf_top_handle_key(&st, '+', NULL, NULL);
	CHECK_NEAR(st.refresh_s, 2);
	kf_top_state_init(&st, 1.5);
	kf_top_handle_key(&st, '-', NULL, NULL);
	CHECK_NEAR(st.refresh_s, 1);
}

struct counter {
	long events, lost;
};

static void count_event(void *ctx, const struct kf_event *ev)
{
	struct counter *n = ctx;

	CHECK(ev->comm == NULL || strlen(ev->comm) < KF_COMM_LEN, "comm kept");
	n->events++;
}

static void count_lost(void *ctx, int cpu, long long nr)
{
	struct counter *n = ctx;

	n->lost += nr;
}

/* a trace replayed in slices feeds every event once, in order, losses too */
/* ---- the memory map view ------------------------------------------------ */

#define PBO 9
#define BP (1u << PBO)

/* a zone of a hand-made map: kinds[] one character per pageblock (kf_block_kind_chars) */
static void map_zone(struct kf_memmap_zone *z, int node, const char *name, uint64_t start, uint64_t end,
		     const char *kinds)
{
	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->start_pfn = start;
	z->end_pfn = end;
	z->first_block = start >> PBO;
	z->nr_blocks = ((end - 1) >> PBO) - z->first_block + 1;
	CHECK_EQ_U64(strlen(kinds), z->nr_blocks);
	z->blocks = calloc(z->nr_blocks, sizeof(*z->blocks));
	for (uint64_t i = 0; i < z->nr_blocks; i++)
		z->blocks[i].kind = (uint8_t)(strchr(kf_block_kind_chars, kinds[i]) - kf_block_kind_chars);
	z->nr_fed = z->nr_blocks;
}

/* a zone's cells as characters, locked ones in upper case brackets: "M[S]F." */
static const char *cells_text(const struct kf_top_map_zone *z)
{
	static char buf[256];
	size_t n = 0;

	for (int c = 0; c < z->nr_cells && n + 4 < sizeof(buf); c++) {
		char k = kf_block_kind_chars[z->cells[c].kind];

		n += z->cells[c].locked ? (size_t)snprintf(buf + n, sizeof(buf) - n, "[%c]", k) :
					  (size_t)snprintf(buf + n, sizeof(buf) - n, "%c", k);
	}
	buf[n] = '\0';
	return buf;
}

static void test_memmap(void)
{
	struct kf_memmap m = { .pageblock_order = PBO, .nr_zones = 2 };
	struct kf_memmap_zone zones[2];
	struct kf_top_memmap mm = { 0 };

	/* the rank: holes < no flags < free < movable < unsure < blocked, reserved the worst */
	static const char order[] = ".EFMmWUHKPSX";

	for (size_t i = 1; i < strlen(order); i++) {
		int a = (int)(strchr(kf_block_kind_chars, order[i - 1]) - kf_block_kind_chars);
		int b = (int)(strchr(kf_block_kind_chars, order[i]) - kf_block_kind_chars);

		CHECK(kf_top_memmap_rank(a) < kf_top_memmap_rank(b), "rank %c < %c", order[i - 1], order[i]);
	}

	/* DMA32: 10 pageblocks, its span starting 100 pages into the first;
	 * Normal: 25, from a pageblock boundary */
	map_zone(&zones[0], 0, "DMA32", 4096 + 100, 4096 + 10 * BP, "FM.mSUFFE.");
	map_zone(&zones[1], 0, "Normal", 1048576, 1048576 + 25 * BP, "WU...XS..EEE............F");
	m.zones = zones;

	/*
	 * Lines at 4 cells a line, a header per zone: 1 pageblock a cell: 1 + 3
	 * and 1 + 7 = 12; 2: 1 + 2, 1 + 4 = 8; 3: 1 + 1, 1 + 3 = 6; 4: 5;
	 * 5 and 6: 1 + 1, 1 + 2 = 5; 7 .. 25: 4. Less than 4 never fits.
	 */
	static const struct { int rows; uint64_t per_cell; bool fits; } fit[] = {
		{ 100, 1, true }, { 12, 1, true }, { 11, 2, true }, { 8, 2, true }, { 7, 3, true },
		{ 6, 3, true }, { 5, 4, true }, { 4, 7, true }, { 3, 25, false }, { 0, 25, false },
	};

	for (size_t i = 0; i < sizeof(fit) / sizeof(fit[0]); i++) {
		CHECK_EQ_INT(kf_top_memmap_build(&mm, &m, NULL, 4096, fit[i].rows, 4), 0);
		CHECK(mm.per_cell == fit[i].per_cell && mm.fits == fit[i].fits,
		      "%d rows: %llu pageblocks a cell (fits %d), want %llu (%d)", fit[i].rows,
		      (unsigned long long)mm.per_cell, mm.fits, (unsigned long long)fit[i].per_cell, fit[i].fits);
		if (mm.fits)
			CHECK(mm.lines <= fit[i].rows, "%d rows: %d lines", fit[i].rows, mm.lines);
	}

	/* 6 rows: 3 pageblocks a cell; each zone's cells start with its first pageblock */
	CHECK_EQ_INT(kf_top_memmap_build(&mm, &m, NULL, 4096, 6, 4), 0);
	CHECK(mm.available && mm.shown && !mm.guard_on, "available, no guard");
	CHECK_EQ_U64(mm.per_cell, 3);
	CHECK_EQ_U64(mm.block_kb, 2048);
	CHECK_EQ_INT(mm.lines, 6);
	CHECK_EQ_INT(mm.nr_zones, 2);
	CHECK_EQ_STR(mm.zones[0].name, "DMA32");
	CHECK_EQ_U64(mm.zones[0].start_pfn, 4196);
	CHECK_EQ_U64(mm.zones[0].end_pfn, 4096 + 10 * BP);
	CHECK_EQ_INT(mm.zones[0].nr_cells, 4);
	CHECK_EQ_INT(mm.zones[0].rows, 1);
	/* FM. -> M (movable beats free and hole), mSU -> S (slab is harder
	 * than unevictable), FFE -> F, . */
	CHECK_EQ_STR(cells_text(&mm.zones[0]), "MSF.");
	CHECK_EQ_U64(mm.zones[0].compactable, 4);
	CHECK_EQ_U64(mm.zones[0].blocked, 2);
	CHECK_EQ_U64(mm.zones[0].unsure, 1);
	CHECK_EQ_U64(mm.zones[0].holes, 3);
	CHECK_EQ_U64(mm.zones[0].nr_blocks, 10);
	CHECK_EQ_STR(mm.zones[1].name, "Normal");
	CHECK_EQ_INT(mm.zones[1].nr_cells, 9);
	CHECK_EQ_INT(mm.zones[1].rows, 3);
	/* WU. -> U, ..X -> X, S.. -> S, EEE -> E, ... four times, F */
	CHECK_EQ_STR(cells_text(&mm.zones[1]), "UXSE....F");
	CHECK_EQ_U64(mm.zones[1].blocked, 4);
	CHECK_EQ_U64(mm.zones[1].holes, 20);

	/* the guard's PFNs now: a cell per pageblock they touch, in the zone that spans them */
	struct kf_pfn_range ranges[] = {
		{ 4096 + 50, 4096 + 51 },			/* DMA32's first pageblock, before its span */
		{ 4096 + 4 * BP + 7, 4096 + 4 * BP + 8 },	/* DMA32 block 4: cell 1 */
		{ 1048576 + 6 * BP - 10, 1048576 + 9 * BP + 1 },	/* Normal blocks 5 .. 9: cells 1 .. 3 */
		{ 9000000, 9000100 },				/* in no zone */
	};
	struct kf_protected prot = { .pid = 42, .pagemap_readable = true, .cur_pfns = ranges, .nr_cur_pfns = 4 };
	struct kf_guard_input gi = { .procs = &prot, .nr_procs = 1 };

	CHECK_EQ_INT(kf_top_memmap_build(&mm, &m, &gi, 4096, 6, 4), 0);
	CHECK(mm.guard_on && mm.guard_pfn_procs == 1, "guard on, one process located");
	CHECK_EQ_STR(cells_text(&mm.zones[0]), "M[S]F.");
	CHECK_EQ_STR(cells_text(&mm.zones[1]), "U[X][S][E]....F");
	CHECK_EQ_INT(mm.zones[0].locked_cells, 1);
	CHECK_EQ_INT(mm.locked_cells, 4);

	/* one pageblock a cell: the map itself */
	CHECK_EQ_INT(kf_top_memmap_build(&mm, &m, NULL, 4096, 100, 4), 0);
	CHECK_EQ_STR(cells_text(&mm.zones[0]), "FM.mSUFFE.");
	CHECK_EQ_STR(cells_text(&mm.zones[1]), "WU...XS..EEE............F");

	/* a stretch of uninitialised cells a line long or more is one line
	 * saying how many (the 3-4 GiB hole is 512 pageblocks); shorter ones
	 * stay cells: FF, 10 E folded, F; at 2 a cell F, 5 E (10 pageblocks), F */
	{
		struct kf_memmap hole = { .pageblock_order = PBO, .nr_zones = 1 };
		struct kf_memmap_zone hz;

		map_zone(&hz, 0, "DMA32", 4096, 4096 + 13 * BP, "FFEEEEEEEEEEF");
		hole.zones = &hz;
		CHECK_EQ_INT(kf_top_memmap_build(&mm, &hole, NULL, 4096, 100, 4), 0);
		CHECK_EQ_U64(mm.per_cell, 1);
		CHECK_EQ_INT(mm.zones[0].rows, 3);
		CHECK_EQ_INT(mm.lines, 4);
		CHECK(!mm.zones[0].lines[0].fold && mm.zones[0].lines[0].first == 0 && mm.zones[0].lines[0].n == 2,
		      "line 0: cells 0, 1");
		CHECK(mm.zones[0].lines[1].fold && mm.zones[0].lines[1].first == 2 && mm.zones[0].lines[1].n == 10,
		      "line 1: 10 E cells folded");
		CHECK_EQ_U64(mm.zones[0].lines[1].fold_blocks, 10);
		CHECK(!mm.zones[0].lines[2].fold && mm.zones[0].lines[2].first == 12 && mm.zones[0].lines[2].n == 1,
		      "line 2: cell 12");
		CHECK_EQ_INT(mm.zones[0].folded_cells, 10);
		/* 3 rows: one line too few for 1 or 2 a cell (F, 5 E folded, F);
		 * 3 a cell: FEEE F, a stretch of 3 on a line of 4 not folded */
		CHECK_EQ_INT(kf_top_memmap_build(&mm, &hole, NULL, 4096, 3, 4), 0);
		CHECK_EQ_U64(mm.per_cell, 3);
		CHECK_EQ_INT(mm.zones[0].rows, 2);
		CHECK_EQ_STR(cells_text(&mm.zones[0]), "FEEEF");
		CHECK(!mm.zones[0].lines[0].fold && mm.zones[0].lines[0].n == 4, "a short stretch is not folded");
		CHECK_EQ_INT(mm.zones[0].folded_cells, 0);
		/* 3 cells a line, 2 rows: 2 and 3 a cell fold a stretch into 3
		 * lines (F, E.., F), 4 a cell does not: FEE, F */
		CHECK_EQ_INT(kf_top_memmap_build(&mm, &hole, NULL, 4096, 3, 3), 0);
		CHECK_EQ_U64(mm.per_cell, 4);
		CHECK_EQ_INT(mm.zones[0].rows, 2);
		free(hz.blocks);
	}

	/* no map: not available */
	CHECK_EQ_INT(kf_top_memmap_build(&mm, NULL, NULL, 4096, 10, 10), 0);
	CHECK(mm.shown && !mm.available && !mm.nr_zones, "no map");

	/* through the view: only while the state shows it, with the loop's error */
	struct kf_snapshot *snap = snap_new();
	struct kf_top_view v = { 0 };
	struct kf_top_state st;
	struct kf_top_input in = { .cur = snap, .memmap = &m, .page_size = 4096, .map_rows = 8, .map_cols = 4,
				   .memmap_age_s = 2, .memmap_every_s = 5 };

	kf_top_state_init(&st, 1);
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(!v.memmap.shown && !v.memmap.nr_zones, "the map is not built while hidden");
	st.memmap = true;
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(v.memmap.shown && v.memmap.available && v.memmap.per_cell == 2, "8 rows: 2 pageblocks a cell");
	CHECK(near(v.memmap.age_s, 2) && near(v.memmap.every_s, 5), "age and interval");
	in.memmap = NULL;
	in.memmap_error = "reading /x/kpageflags needs root (CAP_SYS_ADMIN)";
	CHECK_EQ_INT(kf_top_view_build(&v, &in, &st), 0);
	CHECK(!v.memmap.available, "not available");
	CHECK_EQ_STR(v.memmap.error, "reading /x/kpageflags needs root (CAP_SYS_ADMIN)");
	kf_top_view_release(&v);
	kf_snapshot_free(snap);
	kf_top_memmap_release(&mm);
	free(zones[0].blocks);
	free(zones[1].blocks);

	/* keys: m shows and hides it; a panel's key leaves it; nothing scrolls under it */
	struct kf_top_geometry geo = { 0 };
	unsigned f;

	kf_top_state_init(&st, 1);
	f = kf_top_handle_key(&st, 'm', NULL, NULL);
	CHECK(st.memmap && f == (KF_TOP_MEMMAP | KF_TOP_REBUILD | KF_TOP_REDRAW), "m shows the map");
	f = kf_top_handle_key(&st, KF_KEY_RESIZE, NULL, NULL);
	CHECK(f == (KF_TOP_REBUILD | KF_TOP_REDRAW), "resizing remakes the cells");
	geo.lines[KF_PANEL_ZONES] = 30;
	geo.visible[KF_PANEL_ZONES] = 5;
	f = kf_top_handle_key(&st, KF_KEY_DOWN, NULL, &geo);
	CHECK(f == KF_TOP_NOTHING && st.scroll[KF_PANEL_ZONES] == 0, "no scrolling under the map");
	f = kf_top_handle_key(&st, 'm', NULL, NULL);
	CHECK(!st.memmap && f & KF_TOP_MEMMAP, "m again hides it");
	f = kf_top_handle_key(&st, KF_KEY_RESIZE, NULL, NULL);
	CHECK_EQ_INT(f, KF_TOP_REDRAW);
	kf_top_handle_key(&st, 'm', NULL, NULL);
	f = kf_top_handle_key(&st, '3', NULL, NULL);
	CHECK(!st.memmap && st.focus == KF_PANEL_FRAG && f & KF_TOP_MEMMAP, "3 leaves the map for panel 3");
	kf_top_handle_key(&st, 'm', NULL, NULL);
	kf_top_handle_key(&st, KF_KEY_TAB, NULL, NULL);
	CHECK(!st.memmap && st.focus == KF_PANEL_COMPACT, "Tab leaves the map");
	kf_top_handle_key(&st, 'm', NULL, NULL);
	f = kf_top_handle_key(&st, 't', NULL, NULL);
	CHECK(st.memmap && st.totals, "t keeps the map");
}

static void test_replay(void)
{
	struct kf_symbols syms;
	struct kf_source_info info = { 0 };
	struct kf_top_replay *r;
	struct counter n = { 0, 0 };
	struct kf_sink sink = { .event = count_event, .lost = count_lost, .ctx = &n };
	char err[512];
	long first, mid, rest;

	kf_symbols_init(&syms);
	r = kf_top_replay_load(fixture("text/pipe_lost.txt"), &syms, &info, err, sizeof(err));
	CHECK(r != NULL, "load: %s", err);
	if (!r)
		return;
	first = kf_top_replay_feed(r, 0, &sink);
	CHECK(first >= 1 && !kf_top_replay_done(r), "first instant: %ld", first);
	mid = kf_top_replay_feed(r, kf_top_replay_length_ns(r) / 2, &sink);
	rest = kf_top_replay_feed(r, kf_top_replay_length_ns(r), &sink);
	CHECK(kf_top_replay_done(r), "done at the end");
	CHECK(mid > 0 && rest > 0, "slices %ld %ld", mid, rest);
	CHECK_EQ_U64((uint64_t)n.events, info.events);
	CHECK_EQ_U64((uint64_t)n.lost, info.lost_events);
	CHECK(info.lost_events > 0, "the fixture has losses");
	CHECK_EQ_INT(kf_top_replay_feed(r, UINT64_MAX, &sink), 0);
	kf_top_replay_free(r);
	kf_source_info_release(&info);
	kf_symbols_release(&syms);
}

int main(void)
{
	test_rates_and_cpus();
	test_processes();
	test_compaction_and_frag();
	test_zones();
	test_guard_and_ack();
	test_keys();
	test_replay();
	test_memmap();
	return check_done();
}
