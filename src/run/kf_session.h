/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One analysis run, as every front end starts it: the memory state read from
 * a proc root (zone spans for PFN attribution, migratetype names), the
 * symbol tables, and an engine with a sink feeding it.
 */
#ifndef KF_SESSION_H
#define KF_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "kf_engine.h"
#include "kf_live.h"
#include "kf_proc.h"
#include "kf_source.h"
#include "kf_symbols.h"

struct kf_session {
	char *proc_root;		/* NULL: no memory state (a trace without one) */
	struct kf_memstate mem_before;	/* read by kf_session_init */
	struct kf_memstate mem_after;	/* read by kf_session_read_after (live) */
	bool have_after;
	struct kf_symbols syms;
	struct kf_zone_span *spans;
	int nr_spans;
	struct kf_engine *engine;
	struct kf_sink sink;		/* feeds engine */
	struct kf_source_info source;	/* offline input, when there is one */
	bool offline;
	/* live capture: the source while it runs, then what it saw */
	struct kf_live *live;
	char instance[64];
	double wall_s;			/* seconds actually traced */
	bool interrupted;		/* ended early by SIGINT/SIGTERM/SIGHUP */
	uint64_t live_events;
	struct kf_live_cpu_stats *ring;	/* per CPU, nr_ring entries */
	int nr_ring;
	bool traced[KF_EV_NR];		/* events the live source enabled */
	/* live: called about every tick_s seconds (0 = 1 s) while tracing, with
	 * final false, and once with final true after the last events were
	 * read (the guard's readings of /proc) */
	void (*tick)(void *ctx, bool final);
	void *tick_ctx;
	double tick_s;
};

/*
 * Live tracing in two steps, so a front end can say "tracing" only once it
 * is: kf_session_live_start() creates the instance (s->live, s->instance);
 * kf_session_live_run() traces for duration seconds (0 = until a signal),
 * feeding the engine, closes the instance and reads the memory state again.
 * A signal ends the window early and still returns 0: the report so far is
 * wanted.
 */
int kf_session_live_start(struct kf_session *s, const struct kf_live_config *cfg,
			  char *err, size_t errlen);
int kf_session_live_run(struct kf_session *s, double duration, char *err, size_t errlen);

/* proc_root NULL: no memory state is read, no zone is known */
int kf_session_init(struct kf_session *s, const char *proc_root, char *err, size_t errlen);
/* reads a trace file (any format, "-" = stdin) into the engine */
int kf_session_read_file(struct kf_session *s, const char *path, char *err, size_t errlen);
/* reads the memory state again at the end of a live window */
int kf_session_read_after(struct kf_session *s, char *err, size_t errlen);
void kf_session_release(struct kf_session *s);

#endif
