/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's command-line options, taken the same way by kfrag report and
 * kfrag top: --protect-pid, --protect-comm, --lock-threshold, --enforce,
 * --no-guard. A command adds KF_GUARD_LONGOPTS to its getopt_long table and
 * hands every option it does not know to kf_guard_opts_take().
 */
#ifndef KF_GUARD_OPTS_H
#define KF_GUARD_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "kf_guard_proc.h"

enum {
	KF_GUARD_OPT_PROTECT_PID = 0x1000,	/* above any command's own option ids */
	KF_GUARD_OPT_PROTECT_COMM,
	KF_GUARD_OPT_LOCK_THRESHOLD,
	KF_GUARD_OPT_ENFORCE,
	KF_GUARD_OPT_NO_GUARD,
};

#define KF_GUARD_LONGOPTS \
	{ "protect-pid", required_argument, NULL, KF_GUARD_OPT_PROTECT_PID }, \
	{ "protect-comm", required_argument, NULL, KF_GUARD_OPT_PROTECT_COMM }, \
	{ "lock-threshold", required_argument, NULL, KF_GUARD_OPT_LOCK_THRESHOLD }, \
	{ "enforce", no_argument, NULL, KF_GUARD_OPT_ENFORCE }, \
	{ "no-guard", no_argument, NULL, KF_GUARD_OPT_NO_GUARD }

struct kf_guard_opts {
	bool no_guard, enforce;
	long lock_threshold_kb;		/* -1 = default, 0 = no discovery by VmLck */
	int *pids;			/* argc entries at most */
	int nr_pids;
	const char **comms;
	int nr_comms;
};

/* room for every option of argc; -1 (ENOMEM) */
int kf_guard_opts_init(struct kf_guard_opts *o, int argc);
void kf_guard_opts_release(struct kf_guard_opts *o);
/* 1: c was a guard option, taken; 0: not a guard option; -1: a bad value,
 * said on stderr as "kfrag CMD: ..." */
int kf_guard_opts_take(struct kf_guard_opts *o, int c, const char *arg, const char *cmd);
/* options that contradict each other or the input: -1, said on stderr;
 * offline names what is read instead of the live kernel ("a recorded
 * trace", "a replay"), NULL when live */
int kf_guard_opts_check(const struct kf_guard_opts *o, const char *offline, const char *cmd);
/* the guard's configuration for these options, on the live machine */
void kf_guard_opts_config(const struct kf_guard_opts *o, struct kf_guard_config *gc);

#endif
