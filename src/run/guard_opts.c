/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guard's command-line options, shared by report and top. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_guard_opts.h"
#include "kf_util.h"

int kf_guard_opts_init(struct kf_guard_opts *o, int argc)
{
	memset(o, 0, sizeof(*o));
	o->lock_threshold_kb = -1;
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		o->assume[k] = -1;
	o->pids = calloc(argc + 1, sizeof(*o->pids));
	o->comms = calloc(argc + 1, sizeof(*o->comms));
	if (!o->pids || !o->comms) {
		kf_guard_opts_release(o);
		return -1;
	}
	return 0;
}

void kf_guard_opts_release(struct kf_guard_opts *o)
{
	free(o->pids);
	free(o->comms);
	o->pids = NULL;
	o->comms = NULL;
}

int kf_guard_opts_take(struct kf_guard_opts *o, int c, const char *arg, const char *cmd)
{
	long v;

	switch (c) {
	case KF_GUARD_OPT_PROTECT_PID:
		if (kf_parse_long(arg, 1, 1L << 30, &v) < 0) {
			fprintf(stderr, "kfrag %s: --protect-pid wants a process id, not '%s'\n", cmd, arg);
			return -1;
		}
		o->pids[o->nr_pids++] = (int)v;
		return 1;
	case KF_GUARD_OPT_PROTECT_COMM:
		if (!*arg) {
			fprintf(stderr, "kfrag %s: --protect-comm wants a command name\n", cmd);
			return -1;
		}
		if (strlen(arg) > 15)
			fprintf(stderr, "kfrag %s: --protect-comm %s: the kernel keeps 15 characters of a "
				"command name; matching '%.15s'\n", cmd, arg, arg);
		o->comms[o->nr_comms++] = arg;
		return 1;
	case KF_GUARD_OPT_LOCK_THRESHOLD:
		if (kf_parse_long(arg, 0, 1L << 40, &o->lock_threshold_kb) < 0) {
			fprintf(stderr, "kfrag %s: --lock-threshold wants kB >= 0, not '%s'\n", cmd, arg);
			return -1;
		}
		return 1;
	case KF_GUARD_OPT_ENFORCE:
		o->enforce = true;
		return 1;
	case KF_GUARD_OPT_NO_GUARD:
		o->no_guard = true;
		return 1;
	case KF_GUARD_OPT_ASSUME_SYSCTL:
		return kf_guard_parse_assume(arg, o->assume, cmd) < 0 ? -1 : 1;
	default:
		return 0;
	}
}

static bool assumes(const struct kf_guard_opts *o)
{
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		if (o->assume[k] >= 0)
			return true;
	return false;
}

int kf_guard_opts_check(const struct kf_guard_opts *o, const char *offline, const char *cmd)
{
	if (!offline && assumes(o)) {
		fprintf(stderr, "kfrag %s: --assume-sysctl is for a recorded trace; live, kfrag reads the sysctls\n", cmd);
		return -1;
	}
	if (offline && (o->enforce || o->lock_threshold_kb >= 0)) {
		fprintf(stderr, "kfrag %s: --%s needs the live kernel, not %s\n", cmd,
			o->enforce ? "enforce" : "lock-threshold", offline);
		return -1;
	}
	if (o->no_guard && (o->enforce || o->nr_pids || o->nr_comms || o->lock_threshold_kb >= 0 || assumes(o))) {
		fprintf(stderr, "kfrag %s: --no-guard with guard options: choose one\n", cmd);
		return -1;
	}
	return 0;
}

void kf_guard_opts_config(const struct kf_guard_opts *o, struct kf_guard_config *gc)
{
	memset(gc, 0, sizeof(*gc));
	/* the live machine's processes, whatever --proc-root says of memory */
	gc->root = "/";
	gc->pids = o->pids;
	gc->nr_pids = o->nr_pids;
	gc->comms = o->comms;
	gc->nr_comms = o->nr_comms;
	gc->lock_threshold_kb = o->lock_threshold_kb > 0 ? (uint64_t)o->lock_threshold_kb :
				o->lock_threshold_kb == 0 ? KF_GUARD_LOCK_OFF : 0;
	gc->enforce = o->enforce;
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		if (o->assume[k] >= 0) {
			gc->assume_sysctl[k] = o->assume[k];
			gc->assume_mask |= 1u << k;
		}
}

int kf_guard_assume_parse(const char *arg, int assume[KF_SYSCTL_NR], char *msg, size_t len)
{
	const char *eq = strchr(arg, '=');
	/* "vm." in front is how sysctl(8) names it */
	const char *key = strncmp(arg, "vm.", 3) == 0 ? arg + 3 : arg;
	long v;

	for (int k = 0; eq && k < KF_SYSCTL_NR; k++) {
		const char *name = kf_guard_sysctl_names[k];

		if (strlen(name) != (size_t)(eq - key) || strncmp(key, name, strlen(name)) != 0)
			continue;
		if (kf_parse_long(eq + 1, 0, k == KF_SYSCTL_UNEVICTABLE_ALLOWED ? 1 : 100, &v) < 0)
			break;
		assume[k] = (int)v;
		return 0;
	}
	snprintf(msg, len, "--assume-sysctl wants compact_unevictable_allowed=0|1 or "
		 "compaction_proactiveness=0..100, not '%s'", arg);
	return -1;
}

int kf_guard_parse_assume(const char *arg, int assume[KF_SYSCTL_NR], const char *cmd)
{
	char msg[256];

	if (kf_guard_assume_parse(arg, assume, msg, sizeof(msg)) == 0)
		return 0;
	fprintf(stderr, "kfrag %s: %s\n", cmd, msg);
	return -1;
}

void kf_guard_recorded_sysctls(const char *start_root, const char *end_root, struct kf_guard_config *gc)
{
	int start, end;

	if (gc->assume_mask || (!start_root && !end_root))
		return;		/* the user's word wins; no saved state: nothing known */
	for (int k = 0; k < KF_SYSCTL_NR; k++) {
		start = start_root ? kf_guard_read_sysctl(start_root, kf_guard_sysctl_names[k]) : -1;
		end = end_root ? kf_guard_read_sysctl(end_root, kf_guard_sysctl_names[k]) : -1;
		/* compact_unevictable_allowed: 1 at either moment let pages move */
		if (k == KF_SYSCTL_UNEVICTABLE_ALLOWED && start > end)
			end = start;
		if (end < 0)
			end = start;
		if (end < 0)
			continue;
		gc->assume_sysctl[k] = end;
		gc->assume_mask |= 1u << k;
	}
	if (gc->assume_mask)
		gc->assume_source = "recording";
}
