/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's data side, private to src/system: the state of one guard
 * (struct kf_guard) shared by guard_proc.c (discovery, the readings),
 * guard_pages.c (smaps and pagemap of one process) and guard_sysctl.c (the
 * sysctls, sched_ext and --enforce).
 */
#ifndef KF_GUARD_PROC_PRIV_H
#define KF_GUARD_PROC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kf_guard_proc.h"
#include "kf_proc.h"

struct gproc {
	uint64_t starttime;		/* /proc/PID/stat field 22: tells a reused pid */
	struct kf_pagemap base;		/* last PFN of every locked page, and its moves */
	uint64_t *seen;			/* every PFN seen in the window, sorted, unique */
	size_t nr_seen, alloc_seen;
	bool by_comm;			/* selected by an explicit comm */
};

struct kf_guard {
	char *root;			/* as kf_proc_path takes it */
	char *procdir;			/* ROOT/proc, or ROOT when it has none: the pids */
	char *sysdir;			/* ROOT/sys */
	int *pids;
	int nr_pids;
	char **comms;
	int nr_comms;
	bool *comm_matched;
	bool discover;
	struct kf_guard_input in;
	struct gproc *priv;		/* parallel to in.procs */
	int alloc_procs;
	int alloc_candidates;
	int *fault_pids;
	int nr_fault_pids;
	double t0;
	int page_shift;
	/* --enforce */
	bool enforce;
	bool holding;			/* kfrag holds the sysctl at 0 */
	int restore_slot;
	int marker_slot;		/* its marker's "restored" on fatal signals */
	int last_unevictable;		/* last values read, to see changes */
	int last_proactiveness;
};

/* what /proc/PID/status says */
struct status {
	char comm[KF_COMM_LEN];
	int tgid;
	uint64_t vmlck_kb;
	bool has_vm;		/* user memory: kernel threads have no Vm* lines */
};

/* ROOT's /proc/PID/NAME whole; -1 with errno (ENOENT: the process is gone) */
int guard_pid_load(const struct kf_guard *g, int pid, const char *name, struct kf_proc_text *t);
/* its path, to open (pagemap) or list (task); NULL when out of memory */
char *guard_pid_path(const struct kf_guard *g, int pid, const char *name);
void guard_trim(char *s);
int guard_read_status(const struct kf_guard *g, int pid, struct status *st);
uint64_t guard_read_starttime(const struct kf_guard *g, int pid);
int guard_read_tids(const struct kf_guard *g, struct kf_protected *p);
int guard_running_procs(const struct kf_guard *g);

/* guard_pages.c: reads one protected process again (smaps, pagemap);
 * marks it exited when it is gone; -1 when out of memory */
int guard_read_proc(struct kf_guard *g, int idx);

/* guard_sysctl.c */
void guard_read_sched_ext(struct kf_guard *g);
/* the sysctls now; first: at open. Re-asserts --enforce, reports the
 * changes others made. */
void guard_read_sysctls(struct kf_guard *g, bool first);

#endif
