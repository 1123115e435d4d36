/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How kfrag check's results and perfdata are built (src/check/check_report.c),
 * shared by the checks of check_eval.c and check_eval_trace.c; private to
 * src/check.
 */
#ifndef KF_CHECK_REPORT_H
#define KF_CHECK_REPORT_H

#include "kf_check.h"

/* a new result of check with status st (the report's status follows);
 * NULL when out of memory */
struct kf_check_result *check_result_new(struct kf_check_report *rep, enum kf_check_status st,
					 const char *check);
/* a perfdata value with the Nagios ranges of warn and crit (NULL: none) */
struct kf_perfdata *check_perf_add(struct kf_check_report *rep, const char *label, double value,
				   const struct kf_threshold *warn, const struct kf_threshold *crit,
				   bool below, const char *min, const char *max);
/* a perfdata label without a value this run ("U") */
struct kf_perfdata *check_perf_undetermined(struct kf_check_report *rep, const char *label,
					    const struct kf_threshold *warn,
					    const struct kf_threshold *crit, const char *max);
enum kf_check_status check_grade_above(double v, const struct kf_threshold *w, const struct kf_threshold *c);
enum kf_check_status check_grade_below(double v, const struct kf_threshold *w, const struct kf_threshold *c);
/* "warning above 0.9, critical above 0.98" */
const char *check_limits(char *buf, size_t len, const struct kf_threshold *w,
			 const struct kf_threshold *c, const char *how);
/* a number as perfdata and messages want it: no exponent, no trailing zeros */
const char *check_num(double v, char *buf, size_t len);
/* seconds as people read them */
const char *check_secs(double v, char *buf, size_t len);

#endif
