/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's private state, shared by its files: engine.c (create, feed,
 * lost, reset), engine_cpus.c (CPUs by number, cross-CPU flows, pfn maps),
 * engine_pages.c (page allocator, pcp runs, extfrag), engine_procs.c
 * (processes), engine_compaction.c (episodes, migration) and
 * engine_snapshot.c.
 */
#ifndef KF_ENGINE_INTERNAL_H
#define KF_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_engine.h"
#include "fault_evidence.h"

enum run_kind { RUN_NONE, RUN_REFILL, RUN_DRAIN };

struct proc_entry {
	struct kf_proc_stats s;
	uint32_t comm_id;		/* kf_event.comm_id of s.comm, 0 unknown */
	uint64_t try_compact_ts;	/* last mm_compaction_try_to_compact_pages */
	int try_compact_order;		/* its order */
	int kcompactd_order;		/* order of the last kcompactd_wake, -1 none */
	bool kcompactd_woken;		/* kcompactd_wake seen since its last sleep */
	bool migrating;			/* between mm_migrate_pages_start and mm_migrate_pages */
	int episode;			/* index of its running episode, -1 */
};

/* pages that came to a CPU from others, by the index of the CPU they came
 * from: sparse, as many as occurred */
struct flow_map {
	struct flow_slot { uint32_t from; uint64_t pages; } *slots;	/* pages 0: empty */
	size_t size, used;
	size_t last;			/* the slot added to last: a CPU's frees come in runs */
};
enum flow_kind {
	FLOW_FREED,			/* allocated on the other CPU, freed on this one */
	FLOW_DRAINED,			/* refilled on the other, drained by this one */
	FLOW_KINDS
};

struct cpu_state {
	int32_t cpu;			/* the CPU's number */
	int index;			/* in cpu_table.by_index */
	uint64_t ev[KF_EV_NR];
	struct kf_cpu_stats st;
	enum run_kind run;
	uint64_t run_pages;
	int last_pid;
	int last_proc;			/* index in procs of last_pid */
	/* zone->lock acquisitions per zone, and the run open now */
	struct kf_zone_lock *zone_lock;	/* [zone] */
	enum run_kind lock_run;
	int lock_zone;
	uint64_t lock_run_pages;
	struct flow_map flows_in[FLOW_KINDS];	/* pages that came from other CPUs */
	/* page events by [order * KF_MT_SLOTS + mt slot]: the row (number + 1,
	 * 0 none yet) in the engine's row_pool of their counts by [zone][kind];
	 * their pages are events << order, found by the snapshot */
	uint32_t row_at[KF_PAGE_ROWS];
};

/* CPUs by number: only those that occur have state, whatever their numbers */
struct cpu_table {
	struct cpu_state **by_index;	/* in order of first appearance */
	int nr, alloc;
	struct cpu_state **direct;	/* number -> state, NULL none: numbers below KF_CPU_DIRECT */
	int nr_direct;
	struct cpu_slot { int32_t cpu; int index; } *hash;	/* numbers from KF_CPU_DIRECT on */
	int hash_size;
};
#define KF_CPU_DIRECT	4096

/* cells of the zone x fallback pair table, the unknown zone included */
#define EXTFRAG_ZONE_PAIRS(nz)	((size_t)((nz) + 1) * KF_MAX_MIGRATETYPES * KF_MAX_MIGRATETYPES)


/* per pfn, the CPU (index + 1) of its allocation and of its pcp refill,
 * side by side (an allocation forgets the refill in the same cache line),
 * in chunks made on first touch; a byte each, two in a chunk where a CPU
 * index above 254 came */
enum pfn_slot { PFN_ALLOC, PFN_REFILL, PFN_SLOTS };
struct pfn_map {
	void **chunks;
	uint8_t *wide;			/* per chunk: its slots are two bytes */
	uint64_t nr_chunks;
};

struct kf_engine {
	struct kf_engine_config cfg;
	struct kf_zone_span *zones;
	int nr_zones;
	int pageblock_order;
	/* cache: consecutive pfns share a zone; its span, empty for none */
	int last_zone;
	uint64_t last_zone_start, last_zone_end;
	uint64_t *row_pool;		/* the CPUs' rows of page events (cpu_state.row_at) */
	size_t row_cells;		/* cells of a row: (nr_zones + 1) * KF_PK_NR */
	size_t nr_rows, alloc_rows;

	struct cpu_table cpus;
	uint64_t events_uncounted;	/* negative CPU, or no memory */
	struct pfn_map pfn_cpu;

	uint64_t first_ts, last_ts, nr_events;
	uint64_t rate_bucket_ns;	/* events over time, for the report's timeline */
	uint64_t rate[KF_RATE_BUCKETS];
	uint64_t rate_from, rate_to;	/* the times of bucket rate_at: no division */
	int rate_at;

	struct kf_extfrag_stats *extfrag_zone;
	struct kf_extfrag_stats extfrag_pair[KF_MAX_MIGRATETYPES][KF_MAX_MIGRATETYPES];
	struct kf_extfrag_stats extfrag_total;
	struct kf_extfrag_stats *extfrag_zone_pair;
	int extfrag_pageblock_order;

	struct proc_entry *procs;
	int nr_procs, alloc_procs;
	int *proc_hash;			/* open addressing: pid -> index + 1 */
	int hash_size;

	struct kf_episode *episodes;
	int nr_episodes, alloc_episodes;
	uint64_t episodes_dropped;
	int running_episodes;
	int migrations_in_flight;

	uint64_t compact_status[16], finished_ret[16], suitable_ret[16];
	uint64_t deferred, kcompactd_wakes, kcompactd_sleeps, kcompactd_wakeups, try_to_compact;
	struct kf_kcompactd_waker kcompactd_wakers[KF_MAX_KCOMPACTD_WAKERS];
	int nr_kcompactd_wakers;
	uint64_t compact_migrated, compact_failed;
	struct kf_migrate_stats migrate[KF_MAX_MIGRATE_REASONS][KF_MAX_MIGRATE_MODES];
	uint64_t migration_pte_set, migration_pte_removed;
	uint64_t faults_during_migration;
	struct kf_fault_tracker *fault_tracker;
};

/* engine_cpus.c */
struct cpu_state *kf_cpus_get_slow(struct kf_engine *e, int32_t cpu);

/* the state of CPU number cpu, made on its first event; NULL for a negative
 * number or without memory. Inline: once per event */
static inline struct cpu_state *kf_cpus_get(struct kf_engine *e, int32_t cpu)
{
	const struct cpu_table *t = &e->cpus;

	if ((uint32_t)cpu < (uint32_t)t->nr_direct && t->direct[cpu])
		return t->direct[cpu];
	return kf_cpus_get_slow(e, cpu);
}
void kf_cpus_release(struct cpu_table *t);
/* the CPUs' states by CPU number into sorted (room for t->nr) */
void kf_cpus_sorted(const struct cpu_table *t, struct cpu_state **sorted);
uint32_t kf_page_row_new(struct kf_engine *e, struct cpu_state *c, unsigned row);
int kf_flow_add(struct flow_map *m, int from, uint64_t pages);
void kf_flow_release(struct flow_map *m);
/* the flows as CPU numbers, sorted by (from, to); NULL and errno on failure */
struct kf_cpu_flow *kf_flow_export(const struct cpu_table *t, enum flow_kind kind, int *nr);
/* index -1 forgets */
void kf_pfn_set_slow(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot, int index);
void kf_pfn_release(struct pfn_map *m);

#define PFN_CHUNK_SHIFT		16
#define PFN_CHUNK_PFNS		(1UL << PFN_CHUNK_SHIFT)

/* pfn's byte-wide slots, or NULL when its chunk is wide or not made yet */
static inline uint8_t *kf_pfn_narrow(const struct pfn_map *m, uint64_t pfn)
{
	uint64_t chunk = pfn >> PFN_CHUNK_SHIFT;

	if (chunk >= m->nr_chunks || !m->chunks[chunk] || m->wide[chunk])
		return NULL;
	return (uint8_t *)m->chunks[chunk] + (pfn & (PFN_CHUNK_PFNS - 1)) * PFN_SLOTS;
}

/* remembers CPU index for pfn (-1 forgets); inline: several times an event.
 * The usual case writes a byte; the rest (a chunk to make or to widen, an
 * index above 254) is kf_pfn_set_slow's */
static inline void kf_pfn_set(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot, int index)
{
	uint8_t *cell = kf_pfn_narrow(m, pfn);

	if (cell && index < 0xff)
		cell[slot] = (uint8_t)(index + 1);	/* -1 + 1: forgotten */
	else
		kf_pfn_set_slow(m, pfn, slot, index);
}

/* pfn allocated on CPU index: both slots in one look-up, the allocation's
 * set and the refill's forgotten (follow_page) */
static inline void kf_pfn_allocated(struct pfn_map *m, uint64_t pfn, int index)
{
	uint8_t *cell = kf_pfn_narrow(m, pfn);

	if (cell && index < 0xff) {
		cell[PFN_REFILL] = 0;
		cell[PFN_ALLOC] = (uint8_t)(index + 1);
		return;
	}
	kf_pfn_set_slow(m, pfn, PFN_REFILL, -1);
	kf_pfn_set_slow(m, pfn, PFN_ALLOC, index);
}

int kf_pfn_take_slow(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot);

/* the index recorded (forgotten), -1 */
static inline int kf_pfn_take(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot)
{
	uint8_t *cell = kf_pfn_narrow(m, pfn);
	int value;

	if (!cell)
		return kf_pfn_take_slow(m, pfn, slot);
	value = cell[slot];
	cell[slot] = 0;
	return value - 1;
}

/* engine_pages.c; the inline ones run for every page event */
void kf_run_end(struct cpu_state *c);
void kf_lock_run_end(struct cpu_state *c);
void kf_feed_page(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev,
		  struct kf_proc_stats *ps);
void kf_feed_extfrag(struct kf_engine *e, const struct kf_event *ev, struct kf_proc_stats *ps);

/* pcp refill and drain runs of a CPU: a run ends at an event of another kind */
static inline void kf_run_track(struct cpu_state *c, const struct kf_event *ev)
{
	enum run_kind kind = RUN_NONE;

	if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED && ev->page.percpu_refill)
		kind = RUN_REFILL;
	else if (ev->type == KF_EV_PAGE_PCPU_DRAIN)
		kind = RUN_DRAIN;
	if (kind != c->run)
		kf_run_end(c);
	if (kind != RUN_NONE) {
		c->run = kind;
		c->run_pages += 1ULL << (ev->page.order & 31);
	}
}

/* the per-process pcp columns, exactly as trace-pagealloc-postprocess.pl keeps them */
static inline void kf_proc_run_track(struct kf_proc_stats *s, enum kf_event_type type)
{
	if (s->in_drain && type != KF_EV_PAGE_PCPU_DRAIN) {
		s->pcpu_drains++;
		s->in_drain = false;
	}
	if (s->in_refill && type != KF_EV_PAGE_ALLOC_ZONE_LOCKED) {
		s->pcpu_refills++;
		s->in_refill = false;
	}
}

/* the zone of pfn, nr_zones for none: consecutive pfns mostly share one */
static inline int kf_zone_cached(struct kf_engine *e, uint64_t pfn)
{
	int zone;

	if (pfn >= e->last_zone_start && pfn < e->last_zone_end)
		return e->last_zone;
	zone = kf_zone_of_pfn(e->zones, e->nr_zones, pfn);
	if (zone < e->nr_zones) {
		e->last_zone = zone;
		e->last_zone_start = e->zones[zone].start_pfn;
		e->last_zone_end = e->zones[zone].end_pfn;
	}
	return zone;
}

/* engine_procs.c */
struct proc_entry *kf_proc_of_slow(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev);
void kf_comm_copy(char dst[KF_COMM_LEN], const char *src);

/* the process of ev, made on its first event, NULL without memory. Inline:
 * a CPU runs one task for many events, and the source says when its name
 * is the one known already (comm_id) */
static inline struct proc_entry *kf_proc_of(struct kf_engine *e, struct cpu_state *c,
					    const struct kf_event *ev)
{
	if (c->last_pid == ev->pid && c->last_proc < e->nr_procs) {
		struct proc_entry *p = &e->procs[c->last_proc];

		/* the name it has already, or none to learn */
		if ((ev->comm_id && ev->comm_id == p->comm_id) || !ev->comm || ev->comm[0] == '<')
			return p;
	}
	return kf_proc_of_slow(e, c, ev);
}

/* engine_compaction.c */
void kf_feed_compaction(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p);
void kf_feed_migrate(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p);
void kf_episodes_release(struct kf_episode *eps, int nr);
struct kf_episode *kf_episodes_dup(const struct kf_episode *src, int nr);

#endif
