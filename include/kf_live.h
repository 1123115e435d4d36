/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source: a tracefs instance of kfrag's own ("kfrag-<pid>"), with
 * only the events an analysis needs, read as raw per-CPU ring-buffer pages
 * and decoded by the same kf_decoder as trace.dat. The instance is removed
 * on every exit path (kf_live_close, or the signal/atexit hooks installed by
 * kf_live_open). Global tracing knobs are never written.
 *
 * A front end's loop:
 *
 *	l = kf_live_open(&cfg, &syms, err, sizeof(err));	// before initscr()
 *	while (!kf_live_interrupted() && !done)
 *		if (kf_live_poll(l, &sink, 100) < 0) ...kf_live_error(l)...
 *	kf_live_stop(l, &sink);
 *	kf_live_close(l);
 *	...print the report so far; exit 130 if kf_live_interrupt_signal()...
 */
#ifndef KF_LIVE_H
#define KF_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_event.h"
#include "kf_source.h"
#include "kf_symbols.h"

struct kf_live_config {
	/* events to enable (KF_EV_OTHER excluded); NULL/0 = every event kfrag
	 * knows except exceptions:page_fault_user, with missing_ok implied */
	const enum kf_event_type *events;
	int nr_events;
	/* events this kernel lacks are skipped (see kf_live_has_event) instead
	 * of failing kf_live_open with "this kernel has no event ..." */
	bool missing_ok;
	size_t buffer_kb;		/* per CPU; 0 = a default sized for storms */
	/* exceptions:page_fault_user is filtered IN THE KERNEL to these pids */
	const int *fault_pids;
	int nr_fault_pids;
	/* a kernel without exceptions:page_fault_user, or one that refuses the
	 * pid filter, traces the rest instead of failing kf_live_open:
	 * kf_live_has_event() is false and kf_live_fault_note() says why */
	bool faults_optional;
	/* keep raw pages for kf_live_write_tracedat (kfrag record) */
	bool keep_raw;
	/* where kept pages are spooled (as already-unlinked files, so nothing is
	 * ever left behind); NULL = $TMPDIR, else /tmp. Use the output's
	 * directory so the final rename stays on one file system. */
	const char *raw_dir;
};

struct kf_live_cpu_stats {
	uint64_t missed;		/* from the ring buffer pages (missed events) */
	uint64_t overrun;		/* per_cpu/cpuN/stats */
	uint64_t dropped;
	uint64_t entries;
	uint64_t events;		/* records read from this CPU and fed */
	uint64_t pages;			/* raw pages read */
};

struct kf_live;

/* mounts tracefs if needed (root), reaps stale kfrag-* instances whose pid is
 * gone, creates ours, enables the events, starts tracing in it */
struct kf_live *kf_live_open(const struct kf_live_config *cfg, struct kf_symbols *syms,
			     char *err, size_t errlen);
/* reads what the ring buffers hold, feeding sink in timestamp order across
 * CPUs; waits at most timeout_ms for data (returns early on a signal or when
 * a buffer is half full); returns events fed, or -1 (see kf_live_error) */
long kf_live_poll(struct kf_live *l, const struct kf_sink *sink, int timeout_ms);
/* stops tracing in the instance and reads what is left (also events a poll
 * held back to keep the CPUs in order) */
long kf_live_stop(struct kf_live *l, const struct kf_sink *sink);
/*
 * A whole window: reads until duration seconds have passed (0 = until
 * SIGINT, SIGTERM or SIGHUP) or a read fails, calling tick(ctx) about every
 * tick_s seconds when tick is set; then stops tracing and feeds what is
 * left, whatever happened. 0, or -1 with kf_live_error() saying why.
 */
int kf_live_run(struct kf_live *l, const struct kf_sink *sink, double duration,
		void (*tick)(void *ctx), void *ctx, double tick_s);
int kf_live_nr_cpus(const struct kf_live *l);
const char *kf_live_instance_name(const struct kf_live *l);
/* was the event enabled (false when missing_ok skipped it) */
bool kf_live_has_event(const struct kf_live *l, enum kf_event_type type);
/* faults_optional: why page faults are not traced, NULL when they are */
const char *kf_live_fault_note(const struct kf_live *l);
/* cpu is 0 .. kf_live_nr_cpus()-1; stats read now from the kernel plus
 * what kfrag counted */
int kf_live_cpu_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st);
/* totals over the CPUs of events fed and events lost (missed on pages, or
 * overruns seen in stats when larger) */
void kf_live_totals(struct kf_live *l, uint64_t *events, uint64_t *lost);
/* the last error of kf_live_poll / kf_live_stop, as a sentence */
const char *kf_live_error(const struct kf_live *l);
/* writes the raw pages kept so far as a trace.dat (atomically), with extra
 * options of trace-cmd's options section (kfrag record's saved state) */
struct kf_tracedat_option;
int kf_live_write_tracedat(struct kf_live *l, const char *path, const struct kf_tracedat_option *options,
			   int nr_options, char *err, size_t errlen);
/* removes the instance, unmounts tracefs if kfrag mounted it */
void kf_live_close(struct kf_live *l);

/*
 * Signals (installed by kf_live_open, restored by the last kf_live_close):
 * the first SIGINT, SIGTERM or SIGHUP only sets a flag, so loops end and
 * the report so far is printed; a second one, or any fatal signal
 * (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT, SIGPIPE, ...),
 * removes the instance from the handler and re-raises. SIGKILL cannot be
 * caught: the next kfrag reaps the instance of a dead pid.
 */
bool kf_live_interrupted(void);
int kf_live_interrupt_signal(void);	/* the signal seen, 0 = none */

#endif
