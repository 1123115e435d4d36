/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag report --interval N [--count M]: one report per interval, as
 * sadf -j, vmstat N and perf stat -I print them: a JSON document on one
 * line (the report's schema, with "interval") or, with --text, one compact
 * table row. Live, intervals are of wall time; on a recorded trace, of
 * trace time (the replay source fed up to each interval's end). The counts
 * start again at every interval. Ctrl-C ends it after the interval so far.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kf_report.h"
#include "kf_signals.h"
#include "kf_util.h"

/* installs the one owner's handlers, so that SIGINT only sets its flag */
static void no_hook(void)
{
}

static void text_header(FILE *out)
{
	fprintf(out, "%8s %10s %10s %10s %9s %9s %8s %9s %7s\n", "END_S", "EVENTS", "ALLOC", "FREE",
		"FALLBACK", "FRAGMENT", "COMPACT", "MIGRATED", "ALERTS");
}

/* the row of one interval: pages allocated and freed, fallbacks, compaction */
static void text_row(FILE *out, const struct kf_measurement *m, double end_s)
{
	const struct kf_snapshot *s = m->snap;
	int alerts = 0;

	for (int i = 0; m->guard && i < m->guard->nr_alerts; i++)
		alerts += m->guard->alerts[i].severity >= KF_SEV_WARNING;
	fprintf(out, "%8.1f %10llu %10llu %10llu %9llu %9llu %8d %9llu %7d\n", end_s,
		(unsigned long long)s->nr_events, (unsigned long long)s->ev_total[KF_EV_PAGE_ALLOC],
		(unsigned long long)(s->ev_total[KF_EV_PAGE_FREE] + s->ev_total[KF_EV_PAGE_FREE_BATCHED]),
		(unsigned long long)s->extfrag_total.fallbacks, (unsigned long long)s->extfrag_total.fragmenting,
		s->nr_episodes, (unsigned long long)s->compact_migrated, alerts);
}

static int json_line(FILE *out, const struct kf_report_input *in, long index, double start_s, double end_s)
{
	json_t *doc = kf_report_json(in);
	int ret = 0;

	if (!doc)
		return -1;
	json_object_set_new(doc, "interval", json_pack("{s:I,s:f,s:f}", "index", (json_int_t)index,
						       "start_s", start_s, "end_s", end_s));
	if (json_dumpf(doc, out, JSON_COMPACT | JSON_REAL_PRECISION(12)) < 0 || fputc('\n', out) == EOF)
		ret = -1;
	json_decref(doc);
	return ret;
}

/* live: reads the rings until the interval's end, or a signal */
static int live_wait(struct kf_run *r, double until, struct kf_run_error *err)
{
	while (!kf_signals_interrupt()) {
		double now = kf_monotonic_s();
		struct timespec nap = { 0, 100 * 1000 * 1000 };

		if (kf_run_step(r, now, err) < 0)
			return -1;
		if (now >= until)
			return 0;
		if (until - now < 0.1)
			nap.tv_nsec = (long)((until - now) * 1e9);
		nanosleep(&nap, NULL);
	}
	return kf_run_step(r, kf_monotonic_s(), err);
}

int kf_report_intervals(struct kf_run *r, const struct kf_report_opts_interval *o, FILE *out,
			struct kf_run_error *err)
{
	bool live = !o->in_trace, failed = false;
	double t0 = live ? kf_monotonic_s() : 0, len = live ? 0 : kf_run_replay_length_s(r);

	kf_signals_add(KF_SIGNAL_CLEANUP, no_hook);
	if (o->text)
		text_header(out);
	for (long i = 0; !o->count || i < o->count; i++) {
		double start = i * o->interval, end = start + o->interval;
		const struct kf_measurement *m;
		struct kf_report_input in = { .by_comm = o->by_comm };
		int ret;

		ret = live ? live_wait(r, t0 + end, err) : kf_run_step(r, end, err);
		if (ret < 0 || !(m = kf_run_measure(r, err))) {
			failed = true;
			break;
		}
		if (live && kf_signals_interrupt())
			end = kf_monotonic_s() - t0;	/* the interval so far */
		in.m = m;
		if (o->text)
			text_row(out, m, end);
		else if (json_line(out, &in, i, start, end) < 0) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			failed = true;
			break;
		}
		if (fflush(out) != 0 || kf_run_reset(r) < 0 || kf_signals_interrupt() || (!live && end >= len))
			break;
	}
	kf_signals_del(no_hook);
	if (!failed && ferror(out))
		snprintf(err->msg, sizeof(err->msg), "cannot write the output: %s", strerror(errno));
	return failed || ferror(out) ? -1 : 0;
}
