/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard for user-space schedulers: which processes are protected (their
 * memory is mlocked because a page fault in them can deadlock the machine),
 * and alerts when compaction or migration touches them.
 *
 * The data side (discovering processes, reading /proc/PID/pagemap, the
 * sysctls) fills struct kf_guard_input; kf_guard_evaluate() is pure and turns
 * it, with the engine's snapshot, into a struct kf_guard_result that every
 * front end (report, check, top) renders the same way.
 */
#ifndef KF_GUARD_H
#define KF_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "kf_engine.h"

enum kf_severity {
	KF_SEV_OK,
	KF_SEV_NOTE,
	KF_SEV_WARNING,
	KF_SEV_CRITICAL,
	KF_SEV_NR
};
extern const char *const kf_severity_names[KF_SEV_NR];	/* "ok", "note", "warning", "critical" */

enum kf_alert_kind {
	KF_ALERT_LOCKED_PAGES_MOVED,		/* critical: a protected page's PFN changed */
	KF_ALERT_FAULTS_DURING_MIGRATION,	/* critical: page faults of a protected pid tied to moving pages
						 * (proof), warning: only locked memory and the sysctl allowing it */
	KF_ALERT_ISOLATE_COVERED_LOCKED,	/* warning: isolate_migratepages ranges held locked PFNs */
	KF_ALERT_COMPACTION_MIGRATION,		/* warning: migrations with reason compaction while protected processes run */
	KF_ALERT_UNEVICTABLE_ALLOWED,		/* warning: vm.compact_unevictable_allowed=1 with protected processes */
	KF_ALERT_SYSCTL_CHANGED,		/* warning: a compaction sysctl changed during the window */
	KF_ALERT_SYSCTL_LEFT_ZERO,		/* note: compact_unevictable_allowed=0, no protected process */
	KF_ALERT_PROACTIVE_COMPACTION,		/* note: compaction_proactiveness > 0 with protected processes */
	KF_ALERT_PAGEMAP_UNREADABLE,		/* note: PFNs could not be verified (not root, process gone) */
	KF_ALERT_PROTECTED_NOT_FOUND,		/* note: a --protect-pid/--protect-comm matched no process */
	KF_ALERT_PROTECTED_EXITED,		/* note: a protected process went away during the window */
	KF_ALERT_FAULTS_NOT_TRACED,		/* note: exceptions:page_fault_user could not be traced */
	KF_ALERT_NR
};
extern const char *const kf_alert_kind_names[KF_ALERT_NR];	/* "locked_pages_moved", ... */

/* what made page faults evidence of the hazard (faults_during_migration) */
enum kf_fault_proof {
	KF_PROOF_NONE,
	KF_PROOF_MIGRATION_PTE,		/* the faulting page's migration PTE was set (migrate:set_migration_pte) */
	KF_PROOF_LOCKED_RANGE,		/* the address lies in a locked mapping of the process (smaps) */
	KF_PROOF_LOCKED_AND_SYSCTL,	/* no address proof to be had: locked memory and the sysctl allowed moving it */
	KF_PROOF_NR
};
extern const char *const kf_fault_proof_names[KF_PROOF_NR];	/* "", "migration_pte", ... */

#define KF_GUARD_MSG_LEN 512

struct kf_alert {
	enum kf_severity severity;
	enum kf_alert_kind kind;
	int pid;			/* -1 when about no single process */
	char comm[KF_COMM_LEN];
	char zone[KF_ZONE_NAME_LEN];	/* "" when not about a zone */
	int node;
	char initiator[48];		/* "kcompactd", "direct (task-123)", "manual (bash-77)", "" */
	uint64_t count;			/* pages moved, faults, migrations ... */
	char message[KF_GUARD_MSG_LEN];	/* one sentence a person understands */
	char action[256];		/* what to do, right for the state measured */
	enum kf_fault_proof proof;	/* faults_during_migration: why the faults count */
};

/* why a process is protected */
enum kf_protect_reason {
	KF_PROTECT_SCHED_EXT,		/* the running sched_ext scheduler's process */
	KF_PROTECT_COMM_SCX,		/* comm matches scx_* */
	KF_PROTECT_LOCKED,		/* VmLck above the threshold */
	KF_PROTECT_PID,			/* --protect-pid */
	KF_PROTECT_COMM,		/* --protect-comm or the configuration */
	KF_PROTECT_NR
};
extern const char *const kf_protect_reason_names[KF_PROTECT_NR];

/* one locked mapping (VmFlags "lo") of a protected process */
struct kf_locked_vma {
	uint64_t start, end;		/* virtual addresses, end exclusive */
	uint64_t locked_kb;		/* "Locked:" of smaps */
	uint64_t pages;			/* pages with a known PFN at the last read */
	uint64_t pages_moved;		/* of them, distinct pages whose PFN changed */
	char name[64];			/* path or [heap], [stack], "" for anonymous */
};

struct kf_protected {
	int pid;
	char comm[KF_COMM_LEN];
	enum kf_protect_reason reason;
	uint64_t vmlck_kb;		/* VmLck of /proc/PID/status */
	bool mlockall;			/* every mapping locked (VmFlags lo on all) */
	uint64_t locked_ranges;		/* locked VMAs */
	bool pagemap_readable;		/* PFNs known (root / CAP_SYS_ADMIN) */
	bool exited;			/* the process went away during the window */
	uint64_t locked_pages;		/* pages with a known PFN at the last read */
	uint64_t pages_moved;		/* distinct virtual pages whose PFN changed */
	uint64_t pages_checked;		/* page comparisons made */
	/* PFN ranges of locked pages during the whole window, sorted,
	 * coalesced: cheap to intersect with compaction's isolate ranges */
	struct kf_pfn_range *pfns;
	int nr_pfns;
	/* the same at the last reading only: where the locked pages are now */
	struct kf_pfn_range *cur_pfns;
	int nr_cur_pfns;
	/* ranges of virtual addresses whose pages moved (for the alert) */
	struct kf_pfn_range *moved_vranges;
	int nr_moved_vranges;
	/* extensions */
	int *tids;			/* its threads (the pid itself first): faults are per thread */
	int nr_tids;
	struct kf_locked_vma *vmas;	/* locked mappings, by address */
	int nr_vmas;
	bool smaps_readable;		/* false: how it locks is unknown (not root) */
	char pagemap_why[128];		/* why PFNs are unknown, "" when readable */
};

/* an explicit selection that matched no process */
struct kf_guard_unmatched {
	int pid;			/* --protect-pid, or -1 */
	char comm[KF_COMM_LEN];		/* --protect-comm, or "" */
};

#define KF_GUARD_MAX_CHANGES 32

/* the compaction sysctls the guard follows */
enum kf_guard_sysctl {
	KF_SYSCTL_UNEVICTABLE_ALLOWED,	/* vm.compact_unevictable_allowed */
	KF_SYSCTL_PROACTIVENESS,	/* vm.compaction_proactiveness */
	KF_SYSCTL_NR
};
extern const char *const kf_guard_sysctl_names[KF_SYSCTL_NR];	/* "compact_unevictable_allowed", ... */

struct kf_sysctl_change {
	double t_s;			/* seconds since the guard started */
	int from, to;
	enum kf_guard_sysctl sysctl;
};

/* a process with locked memory that the guard does not protect (listed, so
 * that protecting it is one option away) */
struct kf_guard_candidate {
	int pid;
	char comm[KF_COMM_LEN];
	uint64_t vmlck_kb;
};

struct kf_guard_input {
	struct kf_protected *procs;
	int nr_procs;
	int unevictable_allowed_start;	/* vm.compact_unevictable_allowed, -1 unknown */
	int unevictable_allowed_end;
	int unevictable_changes;	/* changes seen while polling */
	int proactiveness;		/* vm.compaction_proactiveness at the end, -1 unknown */
	int proactiveness_start;	/* at the start, -1 unknown */
	int proactiveness_changes;
	char sched_ext_state[32];	/* /sys/kernel/sched_ext/state, "" when absent */
	char sched_ext_ops[64];		/* /sys/kernel/sched_ext/root/ops */
	bool sched_ext_saved;		/* offline: read from a recording's saved /sys */
	bool enforced;			/* --enforce set the sysctl to 0 */
	/* extensions */
	bool offline;			/* from a recorded trace: no /proc, no sysctl */
	uint64_t lock_threshold_kb;	/* VmLck that makes a process protected; 0 = none */
	struct kf_guard_unmatched *unmatched;
	int nr_unmatched;
	struct kf_sysctl_change changes[KF_GUARD_MAX_CHANGES];	/* first ones seen */
	int nr_changes;
	char enforce_error[160];	/* --enforce could not write the sysctl: why */
	int compaction_reason;		/* value of migrate reason "compaction" in the trace, -1 unknown */
	int faults_traced;		/* exceptions:page_fault_user: 1 traced, 0 not, -1 unknown */
	double window_s;		/* seconds between the first and the last reading */
	/* where the sysctl values come from when not read live: "" (read),
	 * "assumed" (--assume-sysctl), "recording" (saved with the trace) */
	char sysctl_source[16];
	/* --enforce: the value the admin had (kept in the shared state file),
	 * -1 unknown; admin_changed: someone else wrote it during the run */
	int enforce_original;
	bool enforce_admin_changed;
	struct kf_guard_candidate *candidates;	/* locked, not protected, by VmLck */
	int nr_candidates;
};

/* what kf_guard_evaluate() worked out per protected process (same order as input) */
struct kf_guard_proc {
	int pid;
	uint64_t faults;			/* page_fault_user of its threads */
	uint64_t faults_during_migration;	/* while compaction or migration ran */
	uint64_t faults_on_migration_pte;	/* of them, on a page being migrated */
	uint64_t faults_in_locked_ranges;	/* of them, in its locked mappings */
	uint64_t faults_evidence;		/* of them, those that count (proof) */
	enum kf_fault_proof proof;
	uint64_t locked_pages_scanned;		/* its locked PFNs inside isolate_migratepages ranges */
	int episodes_touching;			/* compaction episodes whose ranges held them */
};

struct kf_guard_result {
	struct kf_alert *alerts;	/* most severe first */
	int nr_alerts;
	enum kf_severity worst;
	/* extensions */
	struct kf_guard_proc *procs;	/* per input->procs */
	int nr_procs;
	uint64_t compaction_migrated;	/* pages migrated for compaction in the window */
};

/*
 * Pure: the alerts of a window from what the data side read and the
 * engine's snapshot (snap may be NULL: no trace). Returns 0, or -1 (ENOMEM)
 * with *res empty. Release with kf_guard_result_release().
 */
int kf_guard_evaluate(const struct kf_guard_input *in, const struct kf_snapshot *snap,
		      struct kf_guard_result *res);
void kf_guard_result_release(struct kf_guard_result *res);

/*
 * Offline: the protected processes of a recorded trace, selected by pid and
 * by comm among the processes of the snapshot (comm from the trace). PFNs
 * are unknown (no pagemap), the sysctls too. Pure; fills *in (release with
 * kf_guard_input_release).
 */
int kf_guard_input_from_trace(const struct kf_snapshot *snap, const int *pids, int nr_pids,
			      const char *const *comms, int nr_comms, struct kf_guard_input *in);
void kf_guard_input_release(struct kf_guard_input *in);
/*
 * Offline: a sysctl's value on the traced machine, stated by the user
 * (--assume-sysctl, source "assumed") or saved in the recording (source
 * "recording"). name is "compact_unevictable_allowed" or
 * "compaction_proactiveness"; 0, or -1 (EINVAL) for another name.
 */
int kf_guard_input_set_sysctl(struct kf_guard_input *in, const char *name, int value, const char *source);
/* the same for every sysctl k with bit k of mask set (values[k]) */
void kf_guard_input_assume(struct kf_guard_input *in, const int *values, unsigned mask, const char *source);
void kf_protected_release(struct kf_protected *p);

/*
 * The moved-pages verification: pagemap readings of one process compared
 * page by page. A reading is its present pages sorted by virtual page
 * (vaddr >> page shift); pfn 0 = not present or not known. The baseline
 * keeps the last PFN seen for every page and how often it changed.
 */
struct kf_pagemap_entry {
	uint64_t vpage;
	uint64_t pfn;
	uint32_t moves;		/* times the PFN changed between readings */
};

struct kf_pagemap {
	struct kf_pagemap_entry *pages;	/* sorted by vpage, unique */
	size_t nr, alloc;
};

struct kf_pagemap_delta {
	uint64_t compared;	/* pages present in both, with known PFNs */
	uint64_t moved;		/* of them, pages whose PFN changed now */
	uint64_t first_moves;	/* pages that moved for the first time */
	uint64_t added;		/* pages not in the baseline before */
};

/* merges reading now into base (pure; -1 ENOMEM with base unchanged) */
int kf_pagemap_update(struct kf_pagemap *base, const struct kf_pagemap *now, struct kf_pagemap_delta *d);
void kf_pagemap_release(struct kf_pagemap *pm);
/* pages of base with moves > 0 in [vstart, vend) (vpages) */
uint64_t kf_pagemap_moved_in(const struct kf_pagemap *base, uint64_t vstart, uint64_t vend);

/* sorted, coalesced ranges: pages of [start, end) they hold */
uint64_t kf_pfn_ranges_overlap(const struct kf_pfn_range *r, int nr, uint64_t start, uint64_t end);

#endif
