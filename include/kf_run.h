/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one acquisition layer (src/run/run.c): opens the source (a recorded
 * trace, a replay, or the live kernel), the guard and the readers of the
 * machine, steps time, and hands the front ends one measurement. report,
 * top and check only render a struct kf_measurement; guard evaluation, the
 * memory-map scan and the page-fault fallback live here once.
 *
 *	struct kf_run *r = kf_run_open(&cfg, &err);	// before curses, before "tracing"
 *	kf_run_step(r, now, &err);			// the window, the file, or a poll
 *	const struct kf_measurement *m = kf_run_measure(r, &err);
 *	... render m ...
 *	kf_run_close(r);
 *
 * report and check: one step (the whole window or file), one measure. top:
 * a step per loop turn (STREAM: poll the rings; REPLAY: feed up to the
 * clock) and a measure per refresh. Nothing here prints: what a front end
 * may want to say (the guard's discovery, why faults are not traced, an
 * --enforce that failed) is in the measurement.
 */
#ifndef KF_RUN_H
#define KF_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "kf_engine.h"
#include "kf_findings.h"
#include "kf_guard.h"
#include "kf_guard_proc.h"
#include "kf_live.h"
#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_source.h"
#include "kf_symbols.h"
#include "kf_system.h"
#include "kf_zones.h"

enum kf_run_mode {
	KF_RUN_FILE,		/* a recorded trace, read whole by the first step */
	KF_RUN_REPLAY,		/* a recorded trace in memory, fed up to each step's clock */
	KF_RUN_WINDOW,		/* the live kernel for duration seconds, in one step */
	KF_RUN_STREAM,		/* the live kernel, read at every step until closed */
	KF_RUN_PROC,		/* no trace: the memory state (and the guard) only */
};

/* what went wrong, as a kind and errno; msg is for people only */
enum kf_run_errkind {
	KF_RUN_OK,
	KF_RUN_ENOMEM,
	KF_RUN_EMEMSTATE,	/* the memory state (zoneinfo) could not be read */
	KF_RUN_EGUARD,		/* the guard could not start */
	KF_RUN_ESOURCE,		/* the trace could not be read, or the kernel traced */
};

struct kf_run_error {
	enum kf_run_errkind kind;
	int errnum;		/* errno when known, else 0 */
	char msg[1024];
};

struct kf_run_config {
	enum kf_run_mode mode;
	/* NULL = "/"; a recorded trace (FILE, REPLAY) then shows the memory
	 * state it carries when kfrag record saved one */
	const char *proc_root;
	const char *input;		/* FILE, REPLAY: the trace ("-" = stdin for FILE) */
	double duration;		/* WINDOW: seconds, 0 = until SIGINT/SIGTERM/SIGHUP */
	/* the guard: live (WINDOW, STREAM, PROC) on the processes of
	 * guard_live.root; in a trace (FILE, REPLAY) the processes of the trace
	 * named by protect_pids and protect_comms */
	bool guard;
	struct kf_guard_config guard_live;
	const int *protect_pids;
	int nr_protect_pids;
	const char *const *protect_comms;
	int nr_protect_comms;
	/* every kf_run_measure also scans the memory map (report, check);
	 * top asks with kf_run_scan_memmap while its view is up */
	bool memmap;
	/* REPLAY: told every so often while kf_run_open reads the trace
	 * (bytes read, and the file's size or 0 when not known); may be NULL */
	void (*load_progress)(void *ctx, uint64_t done, uint64_t total);
	void *load_progress_ctx;
	/* the findings' thresholds (kfrag.conf's finding_* keys); NULL = defaults */
	const struct kf_findings_config *findings;
};

struct kf_measurement {
	enum kf_run_mode mode;
	bool live;			/* WINDOW or STREAM */
	const char *proc_root;
	/* the memory state is the one the recording carries (kfrag record):
	 * proc_root is its extracted copy; times in seconds since the epoch */
	bool saved_state;
	double saved_start_time, saved_end_time;
	/* a trace with no memory state of its own read without --proc-root:
	 * no zones, watermarks, sysctls (mem, mem_before NULL; proc_root NULL) */
	bool no_memstate;
#define KF_NO_MEMSTATE_NOTE "this trace carries no memory state; zones, watermarks and sysctls " \
	"are not shown: pass --proc-root DIR"
	/* the counts: NULL in PROC mode (nothing traced); and those of the
	 * measure before (NULL at the first, and after kf_run_reset), for rates */
	const struct kf_snapshot *snap;
	const struct kf_snapshot *prev_snap;
	const struct kf_symbols *syms;
	const struct kf_source_info *source;	/* FILE, REPLAY; NULL live */
	double duration_s;		/* WINDOW: wall seconds traced; a trace: first to last event */
	int nr_cpus;			/* CPUs traced (live), or of the trace */
	/* live */
	const char *instance;		/* the tracefs instance */
	const struct kf_live_cpu_stats *ring;	/* WINDOW: per CPU, after the window */
	int nr_ring;
	bool interrupted;		/* WINDOW ended early by a signal */
	const char *faults_note;	/* the guard wanted page faults; why they are not traced */
	/* the memory state: before the window (WINDOW; else NULL), now (after
	 * the window, or at this measure; NULL only if never read), and the
	 * one before it (STREAM/REPLAY: buddyinfo only, for trends; else NULL) */
	const struct kf_memstate *mem_before;
	const struct kf_memstate *mem;
	const struct kf_memstate *mem_prev;
	/* "can I get a 2 MiB page now?" of every populated zone of mem
	 * (kf_zone_order_now, at kf_huge_order(page_size)); none without mem */
	const struct kf_zone_order_now *huge_now;
	int nr_huge_now;
	/* the machine beside memory (live and PROC: of proc_root) */
	struct kf_vm_policy policy;
	double uptime_s;		/* -1 unknown */
	char boot_id[40];		/* "" unknown */
	char kernel[65];		/* uname release of the machine kfrag runs on */
	long page_size;			/* bytes of its base page: the unit of every page count */
	/* the guard: both NULL when off */
	const struct kf_guard_input *guard_in;
	const struct kf_guard_result *guard;
	bool guard_failed;		/* wanted, but out of memory evaluating it */
	bool guard_read_failed;		/* out of memory reading /proc during the window */
	bool enforce_restore_failed;	/* --enforce: the sysctl could not be put back (guard_in->enforce_error) */
	/* the memory map: NULL when not scanned; then memmap_errnum and
	 * memmap_error say why (EACCES: needs root; the message is the reason
	 * alone, "the memory map is not available" is the renderer's) */
	const struct kf_memmap *memmap;
	int memmap_errnum;
	const char *memmap_error;	/* NULL when scanned or never asked */
	double memmap_at;		/* monotonic clock of the scan */
	double memmap_cpu_s;		/* CPU time the scan took */
	/* the map is the one a recording saved at its end (not a scan of this
	 * machine), as it was at memmap_saved_time (seconds since the epoch) */
	bool memmap_saved;
	double memmap_saved_time;
	/* the findings of this measure (the guard's alerts among them), worst
	 * first; NULL only when out of memory (findings_failed) */
	const struct kf_findings *findings;
	bool findings_failed;
};

struct kf_run;

/* everything that can fail with a message before a front end starts:
 * the memory state, the guard, the live instance or the replay's file */
struct kf_run *kf_run_open(const struct kf_run_config *cfg, struct kf_run_error *err);
/*
 * Advances the source: FILE reads the trace (first call), WINDOW traces
 * the whole window and reads the memory state after it, STREAM reads what
 * the ring buffers hold, REPLAY feeds the events up to now (seconds of
 * trace from its first event), PROC does nothing. 0 or -1.
 */
int kf_run_step(struct kf_run *r, double now, struct kf_run_error *err);
/* takes the snapshot, reads the machine (STREAM, REPLAY, PROC), evaluates
 * the guard, scans the map when cfg.memmap; valid until the next measure,
 * reset or close. NULL (err) only when out of memory. */
const struct kf_measurement *kf_run_measure(struct kf_run *r, struct kf_run_error *err);
/* scans the memory map now (top's view); m of the last measure updated */
void kf_run_scan_memmap(struct kf_run *r);
/* forgets the map (top's view closed) */
void kf_run_drop_memmap(struct kf_run *r);
/*
 * The one reader of a memory map, for kf_run_scan_memmap and kfrag record's
 * saved state: the map saved under root (a recording's, kf_state.h) when
 * there is one (*saved true), else a scan of root's kpageflags over the
 * zones of ms (NULL: read from root first). 0, or -1 with err the reason
 * and errno (EACCES: needs root).
 */
int kf_run_memmap_read(const char *root, const struct kf_memstate *ms, struct kf_memmap **out,
		       bool *saved, char *err, size_t errlen);
/* every count starts again (top's r): snap is of the empty engine, prev_snap NULL */
int kf_run_reset(struct kf_run *r);
/* REPLAY: length and whether every event was fed */
double kf_run_replay_length_s(const struct kf_run *r);
bool kf_run_replay_done(const struct kf_run *r);
/* --enforce: the sysctl goes back now; 0, or -1 (the guard input's enforce_error) */
int kf_run_restore(struct kf_run *r);
/* the guard's reading of the live machine before tracing (NULL: no live guard) */
const struct kf_guard_input *kf_run_guard_input(const struct kf_run *r);
const char *kf_run_faults_note(const struct kf_run *r);
const char *kf_run_instance(const struct kf_run *r);
/* a recorded trace's own description (REPLAY after open, FILE after the step); else NULL */
const struct kf_source_info *kf_run_source(const struct kf_run *r);
void kf_run_close(struct kf_run *r);

#endif
