/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's Nagios-style command line (src/check/check_args.c):
 * -w/-c thresholds in the plugins' range syntax, and -t, the time after
 * which the plugin gives up with UNKNOWN.
 */
#ifndef KF_CHECK_ARGS_H
#define KF_CHECK_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "kf_check.h"

/*
 * Applies "-w CHECK=RANGE[,CHECK=RANGE...]" (critical: -c) to the
 * configuration: CHECK is the prefix of a threshold key of kfrag.conf
 * (unusable, highorder, compact_stall_rate, finding_unbatched...), RANGE a
 * Nagios range that fits the check's one side: N, ~:N or 0:N alert above N,
 * N: below N (highorder, finding_compaction_success), "off" switches it off.
 * -1 with the reason in err.
 */
int kf_check_threshold_arg(struct kf_check_config *cfg, const char *arg, bool critical,
			   char *err, size_t errlen);

/*
 * Runs body(arg) in a child process whose standard output is relayed when
 * it ends, and returns its exit code. After timeout_s seconds the child is
 * sent SIGTERM (it removes its tracefs instance as on any SIGTERM) and -1
 * is returned, nothing printed; -2 (errno) when no child could start.
 */
int kf_check_with_timeout(double timeout_s, int (*body)(void *), void *arg);

#endif
