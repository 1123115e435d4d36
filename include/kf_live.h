/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source: a tracefs instance of kfrag's own ("kfrag-<pid>"), with
 * only the events an analysis needs, read as raw per-CPU ring-buffer pages
 * and decoded by the same kf_decoder as trace.dat. The instance is removed
 * on every exit path (kf_live_close, or the signal/atexit hooks installed by
 * kf_live_open). Global tracing knobs are never written.
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
	/* events to enable (KF_EV_OTHER excluded); events this kernel lacks are
	 * reported in err unless optional */
	const enum kf_event_type *events;
	int nr_events;
	size_t buffer_kb;		/* per CPU; 0 = a default sized for storms */
	/* exceptions:page_fault_user is filtered IN THE KERNEL to these pids */
	const int *fault_pids;
	int nr_fault_pids;
	/* keep raw pages for kf_live_write_tracedat (kfrag record) */
	bool keep_raw;
};

struct kf_live_cpu_stats {
	uint64_t missed;		/* from the ring buffer pages (missed events) */
	uint64_t overrun;		/* per_cpu/cpuN/stats */
	uint64_t dropped;
	uint64_t entries;
};

struct kf_live;

/* mounts tracefs if needed (root), reaps stale kfrag-* instances whose pid is
 * gone, creates ours, enables the events, starts tracing in it */
struct kf_live *kf_live_open(const struct kf_live_config *cfg, struct kf_symbols *syms,
			     char *err, size_t errlen);
/* reads what the ring buffers hold, feeding sink; waits at most timeout_ms
 * for data; returns events fed, or -1 */
long kf_live_poll(struct kf_live *l, const struct kf_sink *sink, int timeout_ms);
/* stops tracing in the instance and reads what is left */
long kf_live_stop(struct kf_live *l, const struct kf_sink *sink);
int kf_live_nr_cpus(const struct kf_live *l);
const char *kf_live_instance_name(const struct kf_live *l);
int kf_live_cpu_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st);
/* writes the raw pages kept so far as a trace.dat (atomically) */
int kf_live_write_tracedat(struct kf_live *l, const char *path, char *err, size_t errlen);
/* removes the instance, unmounts tracefs if kfrag mounted it */
void kf_live_close(struct kf_live *l);

#endif
