/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data side of the guard (src/guard_proc.c): finds the processes to
 * protect, reads where their locked pages are (/proc/PID/smaps and
 * /proc/PID/pagemap), the sysctls that decide whether compaction may move
 * them, and the sched_ext state; optionally holds
 * vm.compact_unevictable_allowed at 0 (--enforce) and puts the old value
 * back on every way out (signals and exit() included, through the live
 * source's cleanup hooks).
 *
 * Every path is read under a root prefix: ROOT/proc/... (or ROOT/... when
 * ROOT has no proc/) and ROOT/sys/..., so tests can use a made-up tree.
 *
 *	g = kf_guard_open(&cfg, err, sizeof(err));	// discovery + first reading
 *	live.fault_pids = kf_guard_fault_pids(g, &live.nr_fault_pids);
 *	... trace; about once a second: kf_guard_refresh(g);
 *	kf_guard_refresh(g);				// the final reading
 *	kf_guard_restore(g);				// undo --enforce now
 *	kf_guard_evaluate(kf_guard_input(g), snap, &res);
 *	... render res ...
 *	kf_guard_result_release(&res); kf_guard_close(g);
 */
#ifndef KF_GUARD_PROC_H
#define KF_GUARD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_guard.h"

/* VmLck from which a process that is not protected is listed as a
 * candidate (kf_guard_input.candidates) */
#define KF_GUARD_CANDIDATE_KB		1024
/* lock_threshold_kb: no protection by VmLck (the default; sched_ext, scx_*
 * and the named processes still) */
#define KF_GUARD_LOCK_OFF		UINT64_MAX
/* what --enforce found, shared by every kfrag (see guard_sysctl.c) */
#define KF_GUARD_ENFORCE_STATE		"/run/kfrag/enforce-compact_unevictable_allowed"
/* threads whose faults are traced: the kernel takes a filter of less than
 * a page, "common_pid == N || " is up to 25 characters */
#define KF_GUARD_MAX_FAULT_PIDS		128

struct kf_guard_config {
	const char *root;		/* NULL or "/" = this machine */
	const int *pids;		/* --protect-pid, the check configuration */
	int nr_pids;
	const char *const *comms;	/* --protect-comm, the check configuration */
	int nr_comms;
	/* automatic discovery: the sched_ext scheduler, scx_* comms, VmLck */
	bool no_discover;
	/* VmLck from which a process is protected without being named: 0 or
	 * KF_GUARD_LOCK_OFF = none, the one default of report, top and check */
	uint64_t lock_threshold_kb;
	/* hold vm.compact_unevictable_allowed at 0 while a protected process
	 * runs; the value found is written back by kf_guard_restore, at exit
	 * and from fatal signal handlers; nested runs and a run killed with
	 * SIGKILL restore what the admin had (KF_GUARD_ENFORCE_STATE) */
	bool enforce;
	/* offline (a recorded trace): the traced machine's sysctls as the user
	 * says them (--assume-sysctl) or a recording saved them; bit k of
	 * assume_mask set: assume_sysctl[k] holds enum kf_guard_sysctl k */
	unsigned assume_mask;
	int assume_sysctl[KF_SYSCTL_NR];
	const char *assume_source;	/* "assumed", "recording"; NULL = "assumed" */
};

struct kf_guard;

/* discovers the protected processes and takes the first reading; NULL with
 * err filled only when out of memory or the root does not exist: missing
 * processes and unreadable files are recorded, not fatal */
struct kf_guard *kf_guard_open(const struct kf_guard_config *cfg, char *err, size_t errlen);
/* reads again: the protected processes' locked mappings and PFNs (pages
 * moved since the last reading are counted), their threads, processes that
 * started or began locking since, the sysctls and sched_ext; re-asserts
 * --enforce. 0, or -1 when out of memory. */
int kf_guard_refresh(struct kf_guard *g);
/* what was read, for kf_guard_evaluate; valid until the next refresh/close */
const struct kf_guard_input *kf_guard_input(const struct kf_guard *g);
/* the threads of the protected processes found at open (at most
 * KF_GUARD_MAX_FAULT_PIDS), for kf_live_config.fault_pids */
const int *kf_guard_fault_pids(const struct kf_guard *g, int *nr);
/* records whether exceptions:page_fault_user was traced (kf_live_has_event) */
void kf_guard_set_faults_traced(struct kf_guard *g, bool traced);
/* value of migrate reason "compaction" (kf_symbols), for the evaluation */
void kf_guard_set_compaction_reason(struct kf_guard *g, int value);
/* writes back the value --enforce replaced (no-op otherwise); 0 or -1 */
int kf_guard_restore(struct kf_guard *g);
/* restores, then frees */
void kf_guard_close(struct kf_guard *g);

/* the sysctls, read under root: value, or -1 when unreadable */
int kf_guard_read_sysctl(const char *root, const char *name);

#endif
