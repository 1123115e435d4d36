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
	KF_ALERT_FAULTS_DURING_MIGRATION,	/* critical: page_fault_user of a protected pid while migration ran */
	KF_ALERT_ISOLATE_COVERED_LOCKED,	/* warning: isolate_migratepages ranges held locked PFNs */
	KF_ALERT_COMPACTION_MIGRATION,		/* warning: migrations with reason compaction while protected processes run */
	KF_ALERT_UNEVICTABLE_ALLOWED,		/* warning: vm.compact_unevictable_allowed=1 with protected processes */
	KF_ALERT_SYSCTL_CHANGED,		/* warning: the sysctl changed during the window */
	KF_ALERT_SYSCTL_LEFT_ZERO,		/* note: compact_unevictable_allowed=0, no protected process */
	KF_ALERT_PROACTIVE_COMPACTION,		/* note: compaction_proactiveness > 0 with protected processes */
	KF_ALERT_PAGEMAP_UNREADABLE,		/* note: PFNs could not be verified (not root, process gone) */
	KF_ALERT_NR
};
extern const char *const kf_alert_kind_names[KF_ALERT_NR];	/* "locked_pages_moved", ... */

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
	char action[256];		/* what to do, e.g. "set vm.compact_unevictable_allowed=0" */
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
	/* PFN ranges of locked pages, sorted, coalesced: cheap to intersect */
	struct kf_pfn_range *pfns;
	int nr_pfns;
	/* ranges of virtual addresses whose pages moved (for the alert) */
	struct kf_pfn_range *moved_vranges;
	int nr_moved_vranges;
};

struct kf_guard_input {
	struct kf_protected *procs;
	int nr_procs;
	int unevictable_allowed_start;	/* vm.compact_unevictable_allowed, -1 unknown */
	int unevictable_allowed_end;
	int unevictable_changes;	/* changes seen while polling */
	int proactiveness;		/* vm.compaction_proactiveness, -1 unknown */
	char sched_ext_state[32];	/* /sys/kernel/sched_ext/state, "" when absent */
	char sched_ext_ops[64];		/* /sys/kernel/sched_ext/root/ops */
	bool enforced;			/* --enforce set the sysctl to 0 */
};

struct kf_guard_result {
	struct kf_alert *alerts;	/* most severe first */
	int nr_alerts;
	enum kf_severity worst;
};

#endif
