/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's report: results, perfdata, the grading of a value against
 * its thresholds, the summary line. Pure, as check_eval.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_report.h"

const char *const kf_check_status_names[KF_CHECK_NR_STATUS] = {
	[KF_CHECK_OK] = "OK",
	[KF_CHECK_WARNING] = "WARNING",
	[KF_CHECK_CRITICAL] = "CRITICAL",
	[KF_CHECK_UNKNOWN] = "UNKNOWN",
};

static int rank(enum kf_check_status s)
{
	switch (s) {
	case KF_CHECK_OK:
		return 0;
	case KF_CHECK_WARNING:
		return 1;
	case KF_CHECK_UNKNOWN:
		return 2;
	case KF_CHECK_CRITICAL:
		return 3;
	default:
		return 2;
	}
}

enum kf_check_status kf_check_worse(enum kf_check_status a, enum kf_check_status b)
{
	return rank(a) >= rank(b) ? a : b;
}

/* ---- building the report -------------------------------------------------- */

struct kf_check_result *check_result_new(struct kf_check_report *rep, enum kf_check_status st,
					  const char *check)
{
	struct kf_check_result *r;

	if (rep->nr_results == rep->alloc_results) {
		int n = rep->alloc_results ? rep->alloc_results * 2 : 32;
		void *p = realloc(rep->results, n * sizeof(*rep->results));

		if (!p)
			return NULL;
		rep->results = p;
		rep->alloc_results = n;
	}
	r = &rep->results[rep->nr_results++];
	memset(r, 0, sizeof(*r));
	r->status = st;
	r->node = -1;
	r->order = -1;
	r->pid = -1;
	snprintf(r->check, sizeof(r->check), "%s", check);
	rep->status = kf_check_worse(rep->status, st);
	return r;
}

int kf_check_report_add(struct kf_check_report *rep, enum kf_check_status st, const char *check,
			const char *fmt, ...)
{
	struct kf_check_result *r = check_result_new(rep, st, check);
	va_list ap;

	if (!r)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return 0;
}

static struct kf_perfdata *perf_new(struct kf_check_report *rep, const char *label)
{
	struct kf_perfdata *p;

	if (rep->nr_perf == rep->alloc_perf) {
		int n = rep->alloc_perf ? rep->alloc_perf * 2 : 32;
		void *q = realloc(rep->perf, n * sizeof(*rep->perf));

		if (!q)
			return NULL;
		rep->perf = q;
		rep->alloc_perf = n;
	}
	p = &rep->perf[rep->nr_perf++];
	memset(p, 0, sizeof(*p));
	snprintf(p->label, sizeof(p->label), "%s", label);
	return p;
}

/* a number as perfdata and messages want it: no exponent, no trailing zeros */
const char *check_num(double v, char *buf, size_t len)
{
	char *e;

	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	snprintf(buf, len, "%.6f", v);
	e = buf + strlen(buf);
	while (e > buf && e[-1] == '0')
		*--e = '\0';
	if (e > buf && e[-1] == '.')
		*--e = '\0';
	return buf;
}

/* seconds as people read them: 300 s, 16.1 s, 0.2 s, 14 us stays 0.000014 s */
const char *check_secs(double v, char *buf, size_t len)
{
	if (v >= 0.1 && v != floor(v))
		v = round(v * 10) / 10;
	return check_num(v, buf, len);
}

/* Nagios range of a threshold: "above" alerts when value > t ("t", or
 * "~:t" when the value may be negative); "below" when value < t ("t:") */
static void nagios_range(char *buf, size_t len, const struct kf_threshold *t, bool below, bool negative)
{
	char n[32];

	if (!t->on)
		buf[0] = '\0';
	else if (t->range)
		kf_check_range_format(buf, len, t);
	else if (below)
		snprintf(buf, len, "%s:", check_num(t->value, n, sizeof(n)));
	else
		snprintf(buf, len, "%s%s", negative ? "~:" : "", check_num(t->value, n, sizeof(n)));
}

struct kf_perfdata *check_perf_add(struct kf_check_report *rep, const char *label, double value,
				    const struct kf_threshold *warn, const struct kf_threshold *crit,
				    bool below, const char *min, const char *max)
{
	struct kf_perfdata *p = perf_new(rep, label);

	if (!p)
		return NULL;
	p->value = value;
	if (warn)
		nagios_range(p->warn, sizeof(p->warn), warn, below, min && !*min);
	if (crit)
		nagios_range(p->crit, sizeof(p->crit), crit, below, min && !*min);
	snprintf(p->min, sizeof(p->min), "%s", min ? min : "");
	snprintf(p->max, sizeof(p->max), "%s", max ? max : "");
	return p;
}

struct kf_perfdata *check_perf_undetermined(struct kf_check_report *rep, const char *label,
					     const struct kf_threshold *warn,
					     const struct kf_threshold *crit, const char *max)
{
	struct kf_perfdata *p = check_perf_add(rep, label, 0, warn, crit, false, "0", max);

	if (p)
		p->undetermined = true;
	return p;
}

/* a check's side (above or below its value) unless a Nagios range was given */
static bool breached(const struct kf_threshold *t, double v, bool below)
{
	if (!t->on)
		return false;
	if (t->range)
		return kf_check_range_breached(t, v);
	return below ? v < t->value : v > t->value;
}

static enum kf_check_status grade(double v, const struct kf_threshold *w, const struct kf_threshold *c,
				  bool below)
{
	if (breached(c, v, below))
		return KF_CHECK_CRITICAL;
	if (breached(w, v, below))
		return KF_CHECK_WARNING;
	return KF_CHECK_OK;
}

enum kf_check_status check_grade_above(double v, const struct kf_threshold *w, const struct kf_threshold *c)
{
	return grade(v, w, c, false);
}

enum kf_check_status check_grade_below(double v, const struct kf_threshold *w, const struct kf_threshold *c)
{
	return grade(v, w, c, true);
}

/* "above 0.9", "outside 0.2:0.5", "inside 0.2:0.5" */
static const char *limit(char *buf, size_t len, const struct kf_threshold *t, const char *how)
{
	char n[80];

	if (t->range)
		snprintf(buf, len, "%s %s", t->inside ? "inside" : "outside",
			 kf_check_range_format(n, sizeof(n), t) + t->inside);	/* "inside 0:1", not "@0:1" */
	else
		snprintf(buf, len, "%s %s", how, check_num(t->value, n, sizeof(n)));
	return buf;
}

/* "warning above 0.9, critical above 0.98" */
const char *check_limits(char *buf, size_t len, const struct kf_threshold *w,
			  const struct kf_threshold *c, const char *how)
{
	char a[96], b[96];

	if (w->on && c->on)
		snprintf(buf, len, "warning %s, critical %s", limit(a, sizeof(a), w, how),
			 limit(b, sizeof(b), c, how));
	else if (w->on)
		snprintf(buf, len, "warning %s", limit(a, sizeof(a), w, how));
	else if (c->on)
		snprintf(buf, len, "critical %s", limit(b, sizeof(b), c, how));
	else
		snprintf(buf, len, "no threshold");
	return buf;
}

/* ---- summary ----------------------------------------------------------------- */

static const enum kf_check_status summary_order[] = { KF_CHECK_CRITICAL, KF_CHECK_UNKNOWN, KF_CHECK_WARNING };
#define NR_SUMMARY_ORDER (sizeof(summary_order) / sizeof(summary_order[0]))

/* the most serious result's sentence without its advice (the detail lines
 * have it), then how many more there are; false when all is well */
static bool summary_problems(const struct kf_check_report *rep, char *buf, size_t len)
{
	const struct kf_check_result *first = NULL;
	int count[KF_CHECK_NR_STATUS] = { 0 }, left;
	const char *sep = ": ";
	size_t used;
	int n;

	for (int i = 0; i < rep->nr_results; i++)
		count[rep->results[i].status]++;
	for (size_t o = 0; o < NR_SUMMARY_ORDER && !first; o++)
		for (int i = 0; i < rep->nr_results && !first; i++)
			if (rep->results[i].status == summary_order[o])
				first = &rep->results[i];
	if (!first)
		return false;
	n = first->headline_len ? (int)first->headline_len : (int)strlen(first->message);
	used = snprintf(buf, len, "%.*s", n, first->message);
	left = count[KF_CHECK_CRITICAL] + count[KF_CHECK_UNKNOWN] + count[KF_CHECK_WARNING] - 1;
	if (!left || used >= len)
		return true;
	used += snprintf(buf + used, len - used, " (and %d more", left);
	for (size_t o = 0; o < NR_SUMMARY_ORDER && used < len; o++) {
		int c = count[summary_order[o]] - (first->status == summary_order[o]);

		if (!c)
			continue;
		used += snprintf(buf + used, len - used, "%s%d %s", sep, c,
				 summary_order[o] == KF_CHECK_CRITICAL ? "critical" :
				 summary_order[o] == KF_CHECK_UNKNOWN ? "unknown" : "warning");
		sep = ", ";
	}
	if (used < len)
		snprintf(buf + used, len - used, ")");
	return true;
}

/* the result of check with the highest value, NULL when none has one */
static const struct kf_check_result *highest(const struct kf_check_report *rep, const char *check)
{
	const struct kf_check_result *worst = NULL;

	for (int i = 0; i < rep->nr_results; i++) {
		const struct kf_check_result *r = &rep->results[i];

		if (strcmp(r->check, check) == 0 && r->has_value && (!worst || r->value > worst->value))
			worst = r;
	}
	return worst;
}

/* all is well: the figures that say so */
static void summary_ok(const struct kf_check_report *rep, char *buf, size_t len)
{
	const struct kf_check_result *worst = highest(rep, "unusable_index");
	size_t used = 0;
	char a[32], b[32];

	if (worst)
		used += snprintf(buf + used, len - used, "highest unusable index %s (%s order %d)",
				 check_num(worst->value, a, sizeof(a)), worst->zone, worst->order);
	for (int i = 0; i < rep->nr_results && used < len; i++) {
		const struct kf_check_result *r = &rep->results[i];

		if (strcmp(r->check, "highorder") == 0 && r->has_value)
			used += snprintf(buf + used, len - used, "%s%s free order-%d blocks", used ? ", " : "",
					 check_num(r->value, a, sizeof(a)), r->order);
	}
	worst = highest(rep, "blocked_fraction");
	if (worst && used < len)
		used += snprintf(buf + used, len - used, "%shighest blocked fraction %.3f (%s)", used ? ", " : "",
				 worst->value, worst->zone);
	if (used < len) {
		if (rep->rates)
			used += snprintf(buf + used, len - used, "%s%llu compaction stalls in %s s",
					 used ? ", " : "", (unsigned long long)rep->delta[KF_CTR_COMPACT_STALL],
					 check_secs(rep->interval_s, a, sizeof(a)));
		else if (rep->first_run)
			used += snprintf(buf + used, len - used, "%sfirst run", used ? ", " : "");
		else if (rep->counters_reset)
			used += snprintf(buf + used, len - used, "%scounters reset", used ? ", " : "");
	}
	if (used < len && rep->window_s > 0)
		snprintf(buf + used, len - used, "%s%llu fragmenting fallbacks in %s s", used ? ", " : "",
			 (unsigned long long)rep->fragmenting, check_secs(rep->window_s, b, sizeof(b)));
}

void kf_check_summary(const struct kf_check_report *rep, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!summary_problems(rep, buf, len))
		summary_ok(rep, buf, len);
}

void kf_check_report_release(struct kf_check_report *rep)
{
	free(rep->results);
	free(rep->perf);
	memset(rep, 0, sizeof(*rep));
}
