/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings: the kernel's own interpretations of the kmem events
 * (Documentation/trace/events-kmem.rst) drawn from a measurement, each as a
 * conclusion with the numbers it rests on, the threshold that fired and one
 * action, the way a compiler gives a diagnostic.
 *
 *   kf_findings_config_defaults(&cfg);        (or kfrag.conf's finding_* keys)
 *   kf_findings_evaluate(&cfg, &input, &f);   pure: no I/O
 *   ... render f.items (worst first) ...
 *   kf_findings_release(&f);
 *
 * The guard's alerts are findings too (kind "guard_<alert>"), so one list
 * and one renderer show everything kfrag concludes.
 */
#ifndef KF_FINDINGS_H
#define KF_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "kf_engine.h"
#include "kf_guard.h"
#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_symbols.h"

/* a threshold that may be switched off ("off" in kfrag.conf) */
struct kf_threshold {
	bool on;
	double value;
	/* a Nagios range (kfrag check's own thresholds only, the findings
	 * compare value alone): alert outside [low, value], or inside it
	 * (@); low may be -INFINITY (~:) and value INFINITY (N:) */
	bool range, inside;
	double low;
};

enum kf_finding_kind {
	KF_FIND_ZONE_LOCK,		/* zone->lock taken often or for many pages (per zone and CPU) */
	KF_FIND_UNBATCHED_FREES,	/* a process frees page by page (per process) */
	KF_FIND_BATCHED_FREES,		/* much batched freeing: pressure or lru_lock (per process) */
	KF_FIND_PCP_IMBALANCE,		/* pcp refills on one CPU, drains on another */
	KF_FIND_EXTFRAG,		/* fragmenting fallbacks (per zone and migratetype pair) */
	KF_FIND_HIGH_ORDER,		/* no free block of the order now (per zone) */
	KF_FIND_COMPACTION_COST,	/* compaction's time, success and deferrals (per zone) */
	KF_FIND_DIRECT_COMPACTION,	/* allocating tasks stalled in compaction (per task) */
	KF_FIND_GUARD,			/* an alert of the guard */
	KF_FIND_NR
};
/* "zone_lock_contention", "unbatched_frees", "batched_frees", "pcp_imbalance",
 * "external_fragmentation", "high_order_unavailable", "compaction_cost",
 * "direct_compaction", "guard" */
extern const char *const kf_finding_kind_names[KF_FIND_NR];

#define KF_FINDING_MAX_EVIDENCE	14
#define KF_FINDING_TEXT_LEN	520	/* a guard message (KF_GUARD_MSG_LEN) fits */

/* one number a finding rests on; name and unit are static strings */
struct kf_evidence {
	const char *name;	/* "acquisitions_per_s", "pages_per_acquisition" ... */
	double value;
	const char *unit;	/* "1/s", "pages/s", "pages", "ms", "ratio", "kB", "" */
};

struct kf_finding {
	enum kf_finding_kind kind;
	char kind_name[48];		/* stable: kf_finding_kind_names, "guard_<alert kind>" */
	enum kf_severity severity;	/* note, warning or critical */
	/* what it is about; -1 and "" when not */
	int node;
	char zone[KF_ZONE_NAME_LEN];
	int cpu;
	int cpu_other;			/* pcp imbalance: the CPU that drains */
	int pid;
	char comm[KF_COMM_LEN];
	char subject[72];		/* a migratetype pair "Unmovable<-Movable", an initiator */
	struct kf_evidence evidence[KF_FINDING_MAX_EVIDENCE];
	int nr_evidence;
	/* the threshold that fired: its kfrag.conf key (NULL for the guard's
	 * rules), its value and the measured value compared with it */
	const char *threshold_key;
	double threshold;
	double measured;
	char message[KF_FINDING_TEXT_LEN];	/* the conclusion, with its numbers */
	char action[KF_FINDING_TEXT_LEN];	/* what to do, one sentence */
};

struct kf_findings {
	struct kf_finding *items;	/* worst first */
	int nr, alloc;
	enum kf_severity worst;		/* KF_SEV_OK when there is none */
	/* kinds that could not be judged and why ("" when judged) */
	char not_evaluated[KF_FIND_NR][160];
};

/*
 * Thresholds, kfrag.conf's finding_* keys (defaults in parentheses). Every
 * comparison is "above": a value greater than the threshold fires, except
 * compaction_success_warning (below) and the minimums. Rates are per
 * second of the traced window, counted over one second when it is shorter.
 */
struct kf_findings_config {
	/* zone->lock acquisitions per s of one CPU in one zone (1000, 10000) */
	struct kf_threshold zone_lock_rate_warning, zone_lock_rate_critical;
	/* pages taken or given back under zone->lock per s (20000, 200000) */
	struct kf_threshold zone_lock_pages_warning, zone_lock_pages_critical;
	/* unbatched frees (mm_page_free - mm_page_free_batched) per s of one
	 * process (1000, 10000, 100000) ... */
	struct kf_threshold unbatched_note, unbatched_warning, unbatched_critical;
	/* ... when at least this share of its frees is unbatched (0.5) */
	double unbatched_min_share;
	/* batched frees (mm_page_free_batched) per s of one process (100000) */
	struct kf_threshold batched_note;
	/* pages per s refilled on one CPU and drained on another (1000, 5000, 50000) */
	struct kf_threshold pcp_imbalance_note, pcp_imbalance_warning, pcp_imbalance_critical;
	/* fragmenting fallbacks per s of a zone and migratetype pair (0, 10);
	 * severe ones (fallback order <= 3) per s (100) */
	struct kf_threshold extfrag_note, extfrag_warning, extfrag_severe_critical;
	/* the order asked about (9: 2 MiB, a THP on x86-64); zones with fewer
	 * managed pageblocks are not judged (64); a note when the unusable
	 * free space index at the order is above (0.9) */
	long high_order;
	long high_order_min_blocks;
	struct kf_threshold high_order_unusable_note;
	/* share of the window compaction ran in a zone (0.01, 0.1, 0.5) */
	struct kf_threshold compaction_time_note, compaction_time_warning, compaction_time_critical;
	/* success rate of compaction asked for an order (kcompactd woken,
	 * direct) below (0.5), judged from this many episodes (4) */
	struct kf_threshold compaction_success_warning;
	long compaction_min_episodes;
	/* ms per s a task spent in direct compaction (0, 10, 100) */
	struct kf_threshold direct_compaction_note, direct_compaction_warning, direct_compaction_critical;
};

void kf_findings_config_defaults(struct kf_findings_config *cfg);

struct kf_findings_input {
	const struct kf_snapshot *snap;		/* NULL: no trace */
	double window_s;			/* seconds the snapshot covers; <= 0: its timestamps */
	const struct kf_symbols *syms;		/* migratetype and status names; may be NULL */
	const bool *traced;			/* [KF_EV_NR] events the source recorded; NULL: unknown */
	const struct kf_memstate *mem;		/* at the end of the window; may be NULL */
	int pageblock_order;			/* pagetypeinfo's; <= 0 unknown (the trace's is used first) */
	const struct kf_memmap *memmap;		/* NULL: not scanned */
	const struct kf_guard_result *guard;	/* NULL: no guard */
	long page_size;				/* bytes; <= 0: 4096 */
};

/*
 * Pure: the findings of a measurement, worst first. 0, or -1 (ENOMEM) with
 * *out empty. Release with kf_findings_release().
 */
int kf_findings_evaluate(const struct kf_findings_config *cfg, const struct kf_findings_input *in,
			 struct kf_findings *out);
void kf_findings_release(struct kf_findings *f);
/* a deep copy (a front end keeping what it shows); 0 or -1 (ENOMEM, dst empty) */
int kf_findings_copy(struct kf_findings *dst, const struct kf_findings *src);

/* the guard's alerts appended as findings (the adapter; evaluate calls it) */
int kf_findings_add_guard(struct kf_findings *f, const struct kf_guard_result *g);

/*
 * events-kmem.rst: raise min_free_kbytes in steps of
 * 3 * pageblock_size * nr_online_nodes. In kB; 0 when an input is unknown.
 */
long kf_min_free_kbytes_step(int pageblock_order, long page_size, int nr_nodes);
/* nodes with at least one zone in zoneinfo (the online nodes) */
int kf_zoneinfo_nr_nodes(const struct kf_zoneinfo *zi);

#endif
