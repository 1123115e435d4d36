/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kf_event: one kernel trace event, decoded and normalized.
 *
 * Every source (trace.dat, text, live tracefs) produces these; the engine
 * consumes them. Enumerated kernel values (migratetype, migrate mode and
 * reason, compaction status, zone type) stay numbers here: their names live
 * in a struct kf_symbols built from the trace's own event formats.
 */
#ifndef KF_EVENT_H
#define KF_EVENT_H

#include <stdint.h>

enum kf_event_type {
	KF_EV_PAGE_ALLOC,
	KF_EV_PAGE_ALLOC_ZONE_LOCKED,
	KF_EV_PAGE_FREE,
	KF_EV_PAGE_FREE_BATCHED,
	KF_EV_PAGE_PCPU_DRAIN,
	KF_EV_PAGE_ALLOC_EXTFRAG,
	KF_EV_COMPACTION_BEGIN,
	KF_EV_COMPACTION_END,
	KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES,
	KF_EV_COMPACTION_ISOLATE_FREEPAGES,
	KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES,
	KF_EV_COMPACTION_MIGRATEPAGES,
	KF_EV_COMPACTION_FINISHED,
	KF_EV_COMPACTION_SUITABLE,
	KF_EV_COMPACTION_DEFERRED,
	KF_EV_COMPACTION_DEFER_COMPACTION,
	KF_EV_COMPACTION_DEFER_RESET,
	KF_EV_COMPACTION_KCOMPACTD_WAKE,
	KF_EV_COMPACTION_KCOMPACTD_SLEEP,
	KF_EV_COMPACTION_WAKEUP_KCOMPACTD,
	KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES,
	KF_EV_MIGRATE_PAGES,
	KF_EV_MIGRATE_PAGES_START,
	KF_EV_SET_MIGRATION_PTE,
	KF_EV_REMOVE_MIGRATION_PTE,
	KF_EV_PAGE_FAULT_USER,
	KF_EV_OTHER,		/* any event kfrag does not analyse */
	KF_EV_NR
};

struct kf_event_name {
	const char *system;
	const char *name;
};

/* system and name of each type; KF_EV_OTHER has system "" and name "other" */
extern const struct kf_event_name kf_event_names[KF_EV_NR];

/* the type for system/name, KF_EV_OTHER when kfrag does not know it;
 * system may be NULL (text traces do not print it) */
enum kf_event_type kf_event_type_from_name(const char *system, const char *name);

#define KF_COMM_LEN 16

struct kf_event {
	uint64_t ts;			/* nanoseconds, trace clock */
	int32_t cpu;
	int32_t pid;
	enum kf_event_type type;
	/* nonzero: events with the same comm_id have the same comm text (the
	 * source looked the name up once), so the engine need not compare */
	uint32_t comm_id;
	/* comm of pid if the source knows it, else NULL; valid during feed only */
	const char *comm;
	union {
		struct {		/* alloc, zone_locked, free, free_batched, pcpu_drain */
			uint64_t pfn;
			uint64_t gfp_flags;
			int32_t order;
			int32_t migratetype;	/* -1 when the event has none */
			int32_t percpu_refill;	/* zone_locked only */
		} page;
		struct {
			uint64_t pfn;
			int32_t alloc_order;
			int32_t fallback_order;
			int32_t alloc_migratetype;
			int32_t fallback_migratetype;
			int32_t change_ownership;
			int32_t fragmenting;	/* fallback_order < pageblock_order */
			int32_t pageblock_order;	/* as the event printed it, -1 unknown */
		} extfrag;
		struct {		/* compaction begin and end */
			uint64_t zone_start;
			uint64_t migrate_pfn;
			uint64_t free_pfn;
			uint64_t zone_end;
			int32_t sync;
			int32_t status;		/* end only */
		} compact;
		struct {		/* isolate_migratepages, (fast_)isolate_freepages */
			uint64_t start_pfn;
			uint64_t end_pfn;
			uint64_t nr_scanned;
			uint64_t nr_taken;
		} isolate;
		struct {
			uint64_t nr_migrated;
			uint64_t nr_failed;
		} compact_migrate;
		struct {		/* finished, suitable, deferred, defer_* */
			int32_t nid;
			int32_t zone_idx;
			int32_t order;
			int32_t ret;		/* status; order_failed for defer_* */
		} compact_zone;
		struct {		/* kcompactd_wake, kcompactd_sleep, wakeup_kcompactd */
			int32_t nid;
			int32_t order;
			int32_t zone_idx;
		} kcompactd;
		struct {
			uint64_t gfp_mask;
			int32_t order;
			int32_t prio;
		} try_compact;
		struct {		/* mm_migrate_pages, mm_migrate_pages_start */
			uint64_t succeeded;
			uint64_t failed;
			uint64_t thp_succeeded;
			uint64_t thp_failed;
			uint64_t thp_split;
			uint64_t large_folio_split;
			int32_t mode;
			int32_t reason;
		} migrate;
		struct {
			uint64_t addr;
			uint64_t pte;
			int32_t order;
		} migration_pte;
		struct {
			uint64_t address;
			uint64_t ip;
			uint64_t error_code;
		} fault;
	};
};

#endif
