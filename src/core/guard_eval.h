/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's evaluation, private to the core: the state one evaluation
 * shares between its rules, and the rule table (guard_rules.c).
 */
#ifndef KF_GUARD_EVAL_H
#define KF_GUARD_EVAL_H

#include <stdarg.h>
#include <stdio.h>

#include "kf_guard.h"

enum sysctl_state {
	SYSCTL_UNKNOWN,		/* offline without --assume-sysctl, or unreadable */
	SYSCTL_ZERO,		/* 0 during the whole window */
	SYSCTL_ONE_SEEN,	/* 1 at some moment of the window */
};

struct eval {
	const struct kf_guard_input *in;
	const struct kf_snapshot *snap;	/* may be NULL */
	struct kf_guard_result *res;
	struct kf_alert *alerts;
	int nr, alloc;
	enum sysctl_state sysctl;
	char names[256];		/* "comm (pid N), ..." of the protected */
	int nr_running;			/* protected and not exited */
	const struct kf_protected *only;	/* the one protected process, or NULL */
	struct kf_pfn_range **ep_ranges;	/* per episode: isolate ranges, merged */
	int *ep_nr;
	int best_migrating, nr_migrating;	/* episode that migrated most; how many did */
	int *culprit, *culprit_others;		/* per protected process: its episode */
};

/* one alert kind: per_proc runs for each protected process, window once;
 * either may be NULL. Both return 0, or -1 when out of memory. */
struct guard_rule {
	enum kf_alert_kind kind;
	int (*per_proc)(struct eval *c, int i);
	int (*window)(struct eval *c);
};
extern const struct guard_rule kf_guard_rules[];
extern const size_t kf_guard_nr_rules;

enum sysctl_state sysctl_state(const struct kf_guard_input *in);
int nr_changes_of(const struct kf_guard_input *in, enum kf_guard_sysctl which);
void action_keep_locked(const struct eval *c, struct kf_alert *x);
struct kf_alert *alert_add(struct eval *c, enum kf_severity sev, enum kf_alert_kind kind,
			   const struct kf_protected *p, uint64_t count);
__attribute__((format(printf, 3, 4)))
void append(char *buf, size_t len, const char *fmt, ...);
void episode_where(const struct eval *c, const struct kf_episode *ep, struct kf_alert *x);
void describe_episode(char *buf, size_t len, const char *prefix, const struct kf_alert *x, int others);
const struct kf_episode *culprit_of(const struct eval *c, int i);
/* the faults of protected process i and which of them count (guard_faults.c) */
void guard_faults_of(struct eval *c, int i);

#endif
