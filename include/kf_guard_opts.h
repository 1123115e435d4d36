/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's command-line options, taken the same way by kfrag report and
 * kfrag top: --protect-pid, --protect-comm, --lock-threshold, --enforce,
 * --no-guard, and offline --assume-sysctl. A command adds KF_GUARD_LONGOPTS to its getopt_long table and
 * hands every option it does not know to kf_guard_opts_take().
 */
#ifndef KF_GUARD_OPTS_H
#define KF_GUARD_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>

#include "kf_guard_proc.h"

enum {
	KF_GUARD_OPT_PROTECT_PID = 0x1000,	/* above any command's own option ids */
	KF_GUARD_OPT_PROTECT_COMM,
	KF_GUARD_OPT_LOCK_THRESHOLD,
	KF_GUARD_OPT_ENFORCE,
	KF_GUARD_OPT_NO_GUARD,
	KF_GUARD_OPT_ASSUME_SYSCTL,
};

#define KF_GUARD_LONGOPTS \
	{ "protect-pid", required_argument, NULL, KF_GUARD_OPT_PROTECT_PID }, \
	{ "protect-comm", required_argument, NULL, KF_GUARD_OPT_PROTECT_COMM }, \
	{ "lock-threshold", required_argument, NULL, KF_GUARD_OPT_LOCK_THRESHOLD }, \
	{ "enforce", no_argument, NULL, KF_GUARD_OPT_ENFORCE }, \
	{ "no-guard", no_argument, NULL, KF_GUARD_OPT_NO_GUARD }, \
	{ "assume-sysctl", required_argument, NULL, KF_GUARD_OPT_ASSUME_SYSCTL }

/* their --help, the same for every command; "a recorded trace" is the
 * offline input */
#define KF_GUARD_OPTS_HELP \
	"The guard (mlocked memory of user-space schedulers; see kfrag(8), GUARD):\n" \
	"      --protect-pid PID  protect this process (repeatable); offline, select\n" \
	"                         it among the traced pids\n" \
	"      --protect-comm NAME  protect processes with this command name (repeatable);\n" \
	"                         the way to protect a custom user-space scheduler\n" \
	"      --lock-threshold KB  live: also protect every process with at least KB kB\n" \
	"                         locked (VmLck); by default none is protected for its\n" \
	"                         locked memory alone: those with 1 MiB or more are listed\n" \
	"      --enforce          live: hold vm.compact_unevictable_allowed at 0 while a\n" \
	"                         protected process runs, restore the admin's value at exit\n" \
	"      --assume-sysctl NAME=VALUE  offline: the traced machine's\n" \
	"                         compact_unevictable_allowed (0|1) or compaction_proactiveness\n" \
	"      --no-guard         no guard: no discovery, no /proc/PID reads, no alerts\n"

struct kf_guard_opts {
	bool no_guard, enforce;
	long lock_threshold_kb;		/* -1 = default, 0 = no discovery by VmLck */
	int *pids;			/* argc entries at most */
	int nr_pids;
	const char **comms;
	int nr_comms;
	/* --assume-sysctl NAME=VALUE: the traced machine's sysctls; -1 = not said */
	int assume[KF_SYSCTL_NR];
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
/* the guard's configuration for these options: the live machine's, and
 * what a recorded trace's evaluation assumes of the sysctls */
void kf_guard_opts_config(const struct kf_guard_opts *o, struct kf_guard_config *gc);
/* a recording's saved sysctls (kfrag record keeps /proc/sys/vm at its
 * start and end: the roots of kf_saved_state, either may be NULL) into
 * gc's assumption, source "recording", unless the user assumed something:
 * then theirs stands. compact_unevictable_allowed is 1 when either moment
 * had 1; the other the value at the end. */
void kf_guard_recorded_sysctls(const char *start_root, const char *end_root, struct kf_guard_config *gc);
/* "compact_unevictable_allowed=0": the sysctl and its value into assume[];
 * -1 with a message naming the option when malformed */
int kf_guard_parse_assume(const char *arg, int assume[KF_SYSCTL_NR], const char *cmd);
/* the same, the complaint into msg (kfrag check prints it on its status line) */
int kf_guard_assume_parse(const char *arg, int assume[KF_SYSCTL_NR], char *msg, size_t len);

#endif
