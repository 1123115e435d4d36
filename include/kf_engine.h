/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analysis engine: plain C over plain structs, no I/O, no globals.
 *
 *   engine = kf_engine_create(&config);
 *   for each event: kf_engine_feed(engine, &event);
 *   snap = kf_engine_snapshot(engine);   (any time; the engine goes on)
 *   ... render snap ...
 *   kf_snapshot_free(snap); kf_engine_destroy(engine);
 *
 * A snapshot is a deep copy: runs still open in the engine are closed in the
 * copy, so it is complete on its own and front ends only read it.
 */
#ifndef KF_ENGINE_H
#define KF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "kf_event.h"
#include "kf_proc.h"

/* what the page-allocator tables count */
enum kf_page_kind {
	KF_PK_ALLOC,		/* mm_page_alloc */
	KF_PK_ALLOC_LOCKED,	/* mm_page_alloc_zone_locked */
	KF_PK_FREE,		/* mm_page_free */
	KF_PK_FREE_BATCHED,	/* mm_page_free_batched */
	KF_PK_PCPU_DRAIN,	/* mm_page_pcpu_drain */
	KF_PK_NR
};
extern const char *const kf_page_kind_names[KF_PK_NR];

/* migratetype slot KF_MT_NONE holds events that carry none (frees) or an out-of-range one */
#define KF_MT_SLOTS	(KF_MAX_MIGRATETYPES + 1)
#define KF_PAGE_ROWS	(KF_MAX_ORDER * KF_MT_SLOTS)	/* (order, mt slot) pairs */
#define KF_MT_NONE	KF_MAX_MIGRATETYPES

struct kf_count {
	uint64_t events;
	uint64_t pages;		/* order-weighted: events << order */
};

struct kf_zone_span {
	int node;
	char name[KF_ZONE_NAME_LEN];
	uint64_t start_pfn;
	uint64_t end_pfn;	/* exclusive */
};

struct kf_engine_config {
	/* zones by PFN span; a PFN in none of them counts in the "unknown" zone */
	const struct kf_zone_span *zones;
	int nr_zones;
	int pageblock_order;	/* for extfrag "fragmenting"; 0 = use the event's */
	int max_episodes;	/* compaction episodes kept in detail; 0 = 4096 */
	int nr_cpus_hint;	/* unused: the engine keeps the CPUs that occur */
};

/* pcp runs: consecutive percpu_refill zone_locked allocs, or pcpu drains, on a CPU */
struct kf_runs {
	uint64_t runs;
	uint64_t pages;
	uint64_t max_pages;	/* largest run */
};

/*
 * zone->lock acquisitions the pcp events show, per CPU and zone: a run of
 * consecutive percpu_refill zone_locked events (rmqueue_bulk) or of
 * mm_page_pcpu_drain events (free_pcppages_bulk) in one zone is one
 * acquisition, and so is each zone_locked event without percpu_refill
 * (an allocation straight from the buddy lists).
 */
struct kf_zone_lock {
	uint64_t refill_runs, refill_pages;
	uint64_t drain_runs, drain_pages;
	uint64_t direct, direct_pages;
};

struct kf_cpu_stats {
	uint64_t lost_events;		/* missed events the ring buffer reported */
	bool lost_unknown;		/* a gap of unknown size was reported */
	struct kf_runs refill;
	struct kf_runs drain;
};

enum kf_initiator {
	KF_INIT_UNKNOWN,
	KF_INIT_KCOMPACTD,	/* kcompactd woken by an allocation (kcompactd_wake) */
	KF_INIT_PROACTIVE,	/* kcompactd without a wake: proactive compaction */
	KF_INIT_DIRECT,		/* direct compaction in an allocating task */
	KF_INIT_MANUAL,		/* /proc/sys/vm/compact_memory or sysfs compact */
	KF_INIT_NR
};
extern const char *const kf_initiator_names[KF_INIT_NR];

struct kf_pfn_range {
	uint64_t start;
	uint64_t end;		/* exclusive */
};

/* an episode's order when no event told it */
#define KF_ORDER_UNKNOWN	(-2)

struct kf_episode {
	int zone;		/* index in the zone list; nr_zones = unknown */
	int cpu;
	int pid;		/* the compacting task; for direct compaction, the stalled one */
	char comm[KF_COMM_LEN];
	enum kf_initiator initiator;
	/* the order compacted for: -1 a whole zone (compact_memory, proactive);
	 * from mm_compaction_finished, else try_to_compact_pages (direct) or
	 * kcompactd_wake (kcompactd); KF_ORDER_UNKNOWN when none was seen */
	int order;
	uint64_t begin_ts, end_ts;	/* end_ts 0 while running */
	/* direct compaction: from the task's try_to_compact_pages to this end
	 * (its allocation stalled that long so far); 0 otherwise or running */
	uint64_t stall_ns;
	bool running;
	int sync;
	int status;			/* compaction status (kf_symbols), -1 while running */
	uint64_t zone_start, zone_end;
	uint64_t migrate_pfn_begin, migrate_pfn_end;
	uint64_t free_pfn_begin, free_pfn_end;
	uint64_t migrate_scanned, migrate_isolated;	/* isolate_migratepages */
	uint64_t free_scanned, free_isolated;		/* (fast_)isolate_freepages */
	uint64_t nr_migrated, nr_failed;		/* mm_compaction_migratepages */
	uint64_t isolate_calls;
	/* the kernel's nr_scanned summed above exceeds the zone's span: it counts
	 * some pages twice (a compound page's tail pages), so it is no coverage */
	bool migrate_scanned_exceeds_span, free_scanned_exceeds_span;
	/* coalesced ranges scanned for pages to migrate */
	struct kf_pfn_range *ranges;
	int nr_ranges, alloc_ranges;
};

struct kf_migrate_stats {		/* per (reason, mode) */
	uint64_t calls;
	uint64_t succeeded, failed;
	uint64_t thp_succeeded, thp_failed, thp_split, large_folio_split;
};

#define KF_MAX_MIGRATE_REASONS	16
#define KF_MAX_MIGRATE_MODES	4

struct kf_extfrag_stats {
	uint64_t fallbacks;
	uint64_t fragmenting;
	uint64_t severe;	/* fragmenting and fallback_order <= 3 */
	uint64_t moderate;	/* fragmenting and fallback_order > 3 */
	uint64_t changed;	/* change_ownership: pageblock changed migratetype */
};

/* page faults of one process on one virtual page while migration ran */
struct kf_fault_page {
	int pid;
	uint64_t vpage;			/* address >> 12 */
	uint32_t faults;
	uint32_t on_pte;		/* of them, while the page's migration PTE was set */
};

/* the columns of the kernel's trace-pagealloc-postprocess.pl, counted as it counts them */
struct kf_proc_stats {
	int pid;
	char comm[KF_COMM_LEN];
	uint64_t allocd;		/* mm_page_alloc events */
	uint64_t allocd_pages;		/* order-weighted */
	uint64_t allocd_locked;		/* mm_page_alloc_zone_locked */
	/* every freed block logs mm_page_free; one freed in a batch (a folio
	 * batch of the LRU or the page cache) logs mm_page_free_batched too,
	 * so batched frees are a subset of frees */
	uint64_t freed;			/* mm_page_free: the script's "freed direct" */
	uint64_t freed_pages;		/* order-weighted, of mm_page_free */
	uint64_t freed_batched;		/* mm_page_free_batched: its "freed pagevec" */
	uint64_t freed_unbatched;	/* freed - freed_batched (0 if negative): one at a time */
	uint64_t pcpu_pages_drained;	/* mm_page_pcpu_drain */
	uint64_t pcpu_drains;		/* runs of drains, ended by another event */
	uint64_t pcpu_refills;		/* runs of zone_locked, ended by another event */
	uint64_t fallback;		/* mm_page_alloc_extfrag */
	uint64_t causing;		/* fragmenting */
	uint64_t changed;		/* change_ownership */
	uint64_t severe, moderate;
	uint64_t unknown;		/* events outside the page allocator */
	uint64_t faults;		/* exceptions:page_fault_user */
	uint64_t faults_during_migration;
	uint64_t faults_on_migration_pte;	/* of them, on a page whose migration PTE was set */
	/* run state, as the script keeps it */
	bool in_drain, in_refill;
};

/* pages that went from one CPU to another */
struct kf_cpu_flow {
	int32_t from_cpu, to_cpu;	/* CPU numbers */
	uint64_t pages;
};

/* a task that woke kcompactd (mm_compaction_wakeup_kcompactd): kswapd for
 * an order, or order -1 for proactive compaction (a write of
 * vm.compaction_proactiveness triggers it) */
#define KF_MAX_KCOMPACTD_WAKERS 8
struct kf_kcompactd_waker {
	int pid;
	char comm[KF_COMM_LEN];
	int order;
	uint64_t count;
	uint64_t first_ts;		/* ns, trace clock */
};

#define KF_RATE_BUCKETS	240

struct kf_snapshot {
	uint64_t first_ts, last_ts;	/* of events fed, ns */
	uint64_t nr_events;
	/* events over time: rate[i] counts those from first_ts + i * bucket on
	 * (0.1 s buckets, doubled in width while the window outgrows them) */
	uint64_t rate_bucket_ns;
	uint64_t rate[KF_RATE_BUCKETS];
	/* events not counted: a negative CPU, or no memory for a new CPU */
	uint64_t events_uncounted;
	/* the CPUs that occurred (events or lost-event reports), whatever their
	 * numbers: every per-CPU array below has nr_cpus entries, entry i for
	 * CPU cpu_ids[i], in ascending order (kf_snapshot_cpu_index finds one) */
	int nr_cpus;
	int32_t *cpu_ids;
	int nr_zones;			/* known zones; index nr_zones is "unknown" */
	struct kf_zone_span *zones;	/* nr_zones entries */

	/* per event type: total and per CPU */
	uint64_t ev_total[KF_EV_NR];
	uint64_t *ev_per_cpu;		/* [type * nr_cpus + cpu] */

	uint64_t lost_events;		/* sum over CPUs */
	bool lost_unknown;
	struct kf_cpu_stats *cpus;	/* nr_cpus */

	/* page allocator, read with kf_snapshot_page: rows of counts by [zone
	 * (nr_zones+1)][kind], one per (cpu, order, mt slot) that has any;
	 * page_row_at[cpu * KF_PAGE_ROWS + order * KF_MT_SLOTS + mt] is the
	 * row's number + 1, 0 for none (all zero) */
	struct kf_count *pages;
	uint32_t *page_row_at;
	/* the same summed: per CPU [cpu * KF_PK_NR + kind], per zone
	 * [zone * KF_PK_NR + kind] (nr_zones + 1 zones), and in all */
	struct kf_count *pages_cpu;
	struct kf_count *pages_zone;
	struct kf_count pages_total[KF_PK_NR];

	/* pages allocated on one CPU and freed on another, non-zero pairs sorted
	 * by (from, to): sparse, as many as occurred */
	struct kf_cpu_flow *cross_free;
	int nr_cross_free;
	/* pages refilled into a pcp list on one CPU and drained by another
	 * without being allocated in between (drain_all_pages: a remote drain) */
	struct kf_cpu_flow *cross_drain;
	int nr_cross_drain;
	/* zone->lock acquisitions: [cpu entry * (nr_zones + 1) + zone] */
	struct kf_zone_lock *zone_lock;

	/* extfrag: per zone (nr_zones+1), and per (alloc mt, fallback mt) pair */
	struct kf_extfrag_stats *extfrag_zone;
	struct kf_extfrag_stats extfrag_pair[KF_MAX_MIGRATETYPES][KF_MAX_MIGRATETYPES];
	struct kf_extfrag_stats extfrag_total;
	/* per zone and pair: [(zone * KF_MAX_MIGRATETYPES + alloc mt) * KF_MAX_MIGRATETYPES + fallback mt] */
	struct kf_extfrag_stats *extfrag_zone_pair;
	int extfrag_pageblock_order;	/* printed by the events (trace_pipe text), -1 unknown */

	/* processes, by pid (or by comm when merged) */
	struct kf_proc_stats *procs;
	int nr_procs;

	/* compaction */
	struct kf_episode *episodes;	/* in begin order */
	int nr_episodes;
	uint64_t episodes_dropped;	/* beyond max_episodes: counted, not kept */
	uint64_t compact_status[16];	/* mm_compaction_end by status */
	uint64_t finished_ret[16];	/* mm_compaction_finished by ret */
	uint64_t suitable_ret[16];	/* mm_compaction_suitable by ret */
	uint64_t deferred;		/* mm_compaction_deferred */
	uint64_t kcompactd_wakes, kcompactd_sleeps, kcompactd_wakeups;
	/* who asked (the first KF_MAX_KCOMPACTD_WAKERS tasks and orders) */
	struct kf_kcompactd_waker kcompactd_wakers[KF_MAX_KCOMPACTD_WAKERS];
	int nr_kcompactd_wakers;
	uint64_t try_to_compact;	/* direct compaction attempts */
	uint64_t compact_migrated, compact_failed;	/* sums of mm_compaction_migratepages */

	/* migration by reason and mode */
	struct kf_migrate_stats migrate[KF_MAX_MIGRATE_REASONS][KF_MAX_MIGRATE_MODES];
	uint64_t migration_pte_set, migration_pte_removed;
	uint64_t faults_during_migration;	/* page_fault_user while migration ran */
	/* where those faults were, for the guard's proof: sorted by pid, vpage */
	struct kf_fault_page *fault_pages;
	int nr_fault_pages;
	uint64_t fault_pages_dropped;		/* faults beyond the bound, not placed */
};

struct kf_engine;

struct kf_engine *kf_engine_create(const struct kf_engine_config *cfg);
void kf_engine_destroy(struct kf_engine *e);
void kf_engine_feed(struct kf_engine *e, const struct kf_event *ev);
/* the ring buffer dropped n events on cpu before the next one; n < 0: unknown count */
void kf_engine_lost(struct kf_engine *e, int cpu, long long n);
/* forgets every count, keeps configuration (top's "reset") */
void kf_engine_reset(struct kf_engine *e);

struct kf_snapshot *kf_engine_snapshot(const struct kf_engine *e);
void kf_snapshot_free(struct kf_snapshot *s);
/* processes merged by comm, in a new array sorted by allocd; caller frees */
struct kf_proc_stats *kf_snapshot_procs_by_comm(const struct kf_snapshot *s, int *nr);

extern const struct kf_count kf_count_zero;

/* cpu is an entry of the per-CPU arrays (0 .. nr_cpus - 1), not a CPU number */
static inline const struct kf_count *
kf_snapshot_page(const struct kf_snapshot *s, int cpu, int zone, int mt, int order, int kind)
{
	long at = s->page_row_at[(size_t)cpu * KF_PAGE_ROWS + order * KF_MT_SLOTS + mt];

	return at ? &s->pages[((at - 1) * (s->nr_zones + 1) + zone) * KF_PK_NR + kind] : &kf_count_zero;
}

/* may the cells of (cpu, mt, order) have counts: false = all zero */
static inline bool kf_snapshot_page_row(const struct kf_snapshot *s, int cpu, int mt, int order)
{
	return s->page_row_at[(size_t)cpu * KF_PAGE_ROWS + order * KF_MT_SLOTS + mt] != 0;
}

/* the entry of CPU number cpu in the per-CPU arrays, -1 when it never occurred */
int kf_snapshot_cpu_index(const struct kf_snapshot *s, int cpu);
/* pages of the flow from CPU number from to CPU number to; 0 when none */
uint64_t kf_snapshot_flow(const struct kf_cpu_flow *flows, int nr, int from, int to);

/* zone index of pfn in spans (sorted or not); nr_zones when none holds it */
int kf_zone_of_pfn(const struct kf_zone_span *zones, int nr_zones, uint64_t pfn);

#endif
