/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One acquisition layer for report, top and check (see kf_run.h): the
 * session (memory state, symbols, engine), the source, the guard and the
 * readers of the machine, stepped and measured here and nowhere else.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kf_replay.h"
#include "kf_run.h"
#include "kf_guard_opts.h"
#include "kf_state.h"
#include "kf_session.h"
#include "kf_util.h"

/* /proc/pagetypeinfo walks every free list under the zone lock: ~1% of a
 * core when read every second on a 4 GiB machine, for pageblock counts
 * that change slowly. zoneinfo and buddyinfo are read every measure. */
#define PAGETYPEINFO_EVERY_S 10

struct kf_run {
	struct kf_run_config cfg;
	struct kf_session s;
	struct kf_top_replay *replay;
	bool file_read;
	/* the guard: live (g) or from the trace (offline_in) */
	struct kf_guard *g;
	struct kf_guard_input offline_in;
	struct kf_guard_result gres;
	bool guard_read_failed;
	bool restore_failed;
	char faults_note[256];
	/* STREAM, REPLAY: the memory state of each measure, and the buddyinfo
	 * of the one before */
	struct kf_memstate mem, mem_prev;
	double pagetype_read_at;
	struct kf_snapshot *snap, *prev_snap;
	/* the memory map of the last scan */
	struct kf_memmap *memmap;
	char memmap_err[512];
	int memmap_errnum;
	double memmap_at, memmap_cpu_s;
	bool measured;
	struct kf_findings findings;
	struct kf_measurement m;
	/* the measurement's huge_now, one per populated zone */
	struct kf_zone_order_now *huge_now;
	/* a recording's own memory state (kfrag record), when it has one */
	struct kf_saved_state saved;
	/* the guard's view of its saved /proc: the pids to select in the trace
	 * (--protect-pid and those it protected), locked processes, sched_ext */
	int *saved_pids;
	int nr_user_pids;		/* the first of them, the user's */
	struct kf_guard_candidate *saved_candidates;
	int nr_saved_candidates;
	char saved_sched_ext[32], saved_sched_ext_ops[64];
};

static void set_error(struct kf_run_error *e, enum kf_run_errkind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_error(struct kf_run_error *e, enum kf_run_errkind kind, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->kind = kind;
	e->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* the callee wrote its message into err->msg: the kind and errno only */
static void set_kind(struct kf_run_error *e, enum kf_run_errkind kind)
{
	e->errnum = errno;
	e->kind = kind;
}

static bool mode_is_live(enum kf_run_mode mode)
{
	return mode == KF_RUN_WINDOW || mode == KF_RUN_STREAM;
}

/* ---- the guard ------------------------------------------------------------- */

/* the window's readings of /proc, about once a second, and the last one
 * at its end; then --enforce is undone at once */
static void guard_tick(void *ctx, bool final)
{
	struct kf_run *r = ctx;

	if (kf_guard_refresh(r->g) < 0)
		r->guard_read_failed = true;
	if (final && kf_guard_restore(r->g) < 0)
		r->restore_failed = true;
}

/*
 * A recording's saved /proc, as the guard reads a machine: the processes it
 * protects there (scx_*, the sched_ext scheduler, --protect-pid/comm) are
 * then selected in the trace by pid; the locked ones and sched_ext are kept
 * for the input. Nothing is known without one. -1 when out of memory.
 */
static int saved_guard_open(struct kf_run *r)
{
	struct kf_guard_config gc = r->cfg.guard_live;
	const struct kf_guard_input *in;
	struct kf_guard *g;
	char msg[256];
	int n = 0;

	gc.root = r->saved.start_root;
	gc.enforce = false;
	g = kf_guard_open(&gc, msg, sizeof(msg));
	if (!g)
		return errno == ENOMEM ? -1 : 0;
	in = kf_guard_input(g);
	r->saved_pids = malloc((r->cfg.nr_protect_pids + in->nr_procs + 1) * sizeof(int));
	r->saved_candidates = malloc((in->nr_candidates + 1) * sizeof(*r->saved_candidates));
	if (!r->saved_pids || !r->saved_candidates) {
		kf_guard_close(g);
		return -1;
	}
	for (int i = 0; i < r->cfg.nr_protect_pids; i++)
		r->saved_pids[n++] = r->cfg.protect_pids[i];
	for (int i = 0; i < in->nr_procs; i++)
		r->saved_pids[n++] = in->procs[i].pid;
	memcpy(r->saved_candidates, in->candidates, in->nr_candidates * sizeof(*in->candidates));
	r->nr_saved_candidates = in->nr_candidates;
	snprintf(r->saved_sched_ext, sizeof(r->saved_sched_ext), "%s", in->sched_ext_state);
	snprintf(r->saved_sched_ext_ops, sizeof(r->saved_sched_ext_ops), "%s", in->sched_ext_ops);
	r->nr_user_pids = r->cfg.nr_protect_pids;
	r->cfg.protect_pids = r->saved_pids;
	r->cfg.nr_protect_pids = n;
	kf_guard_close(g);
	return 0;
}

/* what the saved /proc adds to the input made from the trace */
static int saved_guard_view(const struct kf_run *r, struct kf_guard_input *in)
{
	int kept = 0;

	if (!r->saved_candidates)
		return 0;
	/* a process it protected that has no event in the trace is no pid the
	 * user named: nothing to say of it */
	for (int u = 0; u < in->nr_unmatched; u++) {
		bool discovered = in->unmatched[u].pid >= 0;

		for (int i = 0; discovered && i < r->nr_user_pids; i++)
			discovered = r->saved_pids[i] != in->unmatched[u].pid;
		if (!discovered)
			in->unmatched[kept++] = in->unmatched[u];
	}
	in->nr_unmatched = kept;
	snprintf(in->sched_ext_state, sizeof(in->sched_ext_state), "%s", r->saved_sched_ext);
	snprintf(in->sched_ext_ops, sizeof(in->sched_ext_ops), "%s", r->saved_sched_ext_ops);
	in->sched_ext_saved = true;
	free(in->candidates);
	in->candidates = malloc((r->nr_saved_candidates + 1) * sizeof(*in->candidates));
	if (!in->candidates)
		return -1;
	memcpy(in->candidates, r->saved_candidates, r->nr_saved_candidates * sizeof(*in->candidates));
	in->nr_candidates = r->nr_saved_candidates;
	return 0;
}

/* the guard's alerts for r->snap (NULL in PROC mode); false when out of memory */
static bool guard_evaluate(struct kf_run *r)
{
	int reason = (int)kf_symbols_value(&r->s.syms, KF_SYM_MIGRATE_REASON, "compaction", 0);
	const struct kf_guard_input *in;

	kf_guard_result_release(&r->gres);
	if (r->g) {
		/* STREAM and PROC read now; a window read at its end */
		if (r->cfg.mode != KF_RUN_WINDOW && kf_guard_refresh(r->g) < 0)
			r->guard_read_failed = true;
		kf_guard_set_compaction_reason(r->g, reason);
		in = kf_guard_input(r->g);
	} else {
		kf_guard_input_release(&r->offline_in);
		if (kf_guard_input_from_trace(r->snap, r->cfg.protect_pids, r->cfg.nr_protect_pids,
					      r->cfg.protect_comms, r->cfg.nr_protect_comms, &r->offline_in) < 0)
			return false;
		r->offline_in.compaction_reason = reason;
		if (saved_guard_view(r, &r->offline_in) < 0)
			return false;
		kf_guard_input_assume(&r->offline_in, r->cfg.guard_live.assume_sysctl, r->cfg.guard_live.assume_mask,
				      r->cfg.guard_live.assume_source);
		in = &r->offline_in;
	}
	if (kf_guard_evaluate(in, r->snap, &r->gres) < 0)
		return false;
	r->m.guard_in = in;
	r->m.guard = &r->gres;
	return true;
}

/* ---- sources ---------------------------------------------------------------- */

/*
 * The live instance, with the page faults of the protected threads when
 * the guard has any (filtered in the kernel). A kernel without
 * exceptions:page_fault_user (not x86), or one that refuses the filter,
 * traces the rest: the guard then says faults were not traced.
 */
static int open_live(struct kf_run *r, struct kf_run_error *err)
{
	struct kf_live_config cfg = { .missing_ok = true, .faults_optional = true };
	const char *note;

	if (r->g) {
		cfg.fault_pids = kf_guard_fault_pids(r->g, &cfg.nr_fault_pids);
		r->s.tick = guard_tick;
		r->s.tick_ctx = r;
	}
	if (kf_session_live_start(&r->s, &cfg, err->msg, sizeof(err->msg)) < 0) {
		set_kind(err, KF_RUN_ESOURCE);
		return -1;
	}
	note = kf_live_fault_note(r->s.live);
	if (note)
		snprintf(r->faults_note, sizeof(r->faults_note), "%s", note);
	if (r->g && cfg.nr_fault_pids)
		kf_guard_set_faults_traced(r->g, r->s.traced[KF_EV_PAGE_FAULT_USER]);
	return 0;
}

static int open_source(struct kf_run *r, struct kf_run_error *err)
{
	switch (r->cfg.mode) {
	case KF_RUN_FILE:
		r->s.offline = true;
		return 0;
	case KF_RUN_REPLAY:
		r->replay = kf_top_replay_load_told(r->cfg.input, &r->s.syms, &r->s.source, r->cfg.load_progress,
						    r->cfg.load_progress_ctx, err->msg, sizeof(err->msg));
		if (!r->replay) {
			set_kind(err, KF_RUN_ESOURCE);
			return -1;
		}
		r->s.offline = true;
		return 0;
	case KF_RUN_WINDOW:
	case KF_RUN_STREAM:
		return open_live(r, err);
	case KF_RUN_PROC:
		return 0;
	}
	return 0;
}

/*
 * A recorded trace read without --proc-root (proc_root NULL) shows the
 * memory state it carries (kf_state.h), never the machine it is read on.
 */
static int open_saved_state(struct kf_run *r, struct kf_run_error *err)
{
	const struct kf_run_config *cfg = &r->cfg;

	if (cfg->proc_root || (cfg->mode != KF_RUN_FILE && cfg->mode != KF_RUN_REPLAY) ||
	    !cfg->input || !strcmp(cfg->input, "-"))
		return 0;
	if (kf_saved_state_open(cfg->input, &r->saved, err->msg, sizeof(err->msg)) < 0) {
		set_kind(err, KF_RUN_ESOURCE);
		return -1;
	}
	return 0;
}

/* where the memory state shown is read: a trace without one of its own and
 * no --proc-root has none (NULL), never the machine it is read on */
static const char *memstate_root(const struct kf_run *r)
{
	if (r->saved.start_root)
		return r->saved.start_root;
	if (r->cfg.proc_root)
		return r->cfg.proc_root;
	return r->cfg.mode == KF_RUN_FILE || r->cfg.mode == KF_RUN_REPLAY ? NULL : "/";
}

struct kf_run *kf_run_open(const struct kf_run_config *cfg, struct kf_run_error *err)
{
	struct kf_run *r = calloc(1, sizeof(*r));
	char msg[512];

	set_error(err, KF_RUN_OK, 0, "%s", "");
	if (!r) {
		set_error(err, KF_RUN_ENOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	r->cfg = *cfg;
	/* STREAM, REPLAY read the files one by one: the sysctls stay unknown */
	r->mem.min_free_kbytes = r->mem.percpu_pagelist_high_fraction = -1;
	if (open_saved_state(r, err) < 0)
		goto fail;
	if (kf_session_init(&r->s, memstate_root(r), err->msg, sizeof(err->msg)) < 0) {
		set_kind(err, KF_RUN_EMEMSTATE);
		goto fail;
	}
	/* the state at the end of the recording, shown as "after" */
	if (r->saved.end_root &&
	    kf_memstate_read(r->saved.end_root, &r->s.mem_after, msg, sizeof(msg)) == 0)
		r->s.have_after = true;
	if (cfg->guard && (cfg->mode == KF_RUN_FILE || cfg->mode == KF_RUN_REPLAY))
		kf_guard_recorded_sysctls(r->saved.start_root, r->saved.end_root, &r->cfg.guard_live);
	if (cfg->guard && r->saved.start_root && saved_guard_open(r) < 0) {
		set_error(err, KF_RUN_ENOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	if (cfg->guard && (mode_is_live(cfg->mode) || cfg->mode == KF_RUN_PROC)) {
		r->g = kf_guard_open(&cfg->guard_live, msg, sizeof(msg));
		if (!r->g) {
			set_error(err, KF_RUN_EGUARD, errno, "%s", msg);
			goto fail;
		}
	}
	if (open_source(r, err) < 0)
		goto fail;
	return r;
fail:
	kf_run_close(r);
	return NULL;
}

/* ---- steps -------------------------------------------------------------------- */

int kf_run_step(struct kf_run *r, double now, struct kf_run_error *err)
{
	int ret = 0;

	switch (r->cfg.mode) {
	case KF_RUN_FILE:
		if (r->file_read)
			return 0;
		r->file_read = true;
		ret = kf_session_read_file(&r->s, r->cfg.input, err->msg, sizeof(err->msg));
		break;
	case KF_RUN_WINDOW:
		ret = kf_session_live_run(&r->s, r->cfg.duration, err->msg, sizeof(err->msg));
		/* --enforce: the window is over, on every path */
		if (r->g && kf_guard_restore(r->g) < 0)
			r->restore_failed = true;
		break;
	case KF_RUN_STREAM:
		if (kf_live_poll(r->s.live, &r->s.sink, 0) < 0) {
			snprintf(err->msg, sizeof(err->msg), "%s", kf_live_error(r->s.live));
			ret = -1;
		}
		break;
	case KF_RUN_REPLAY:
		kf_top_replay_feed(r->replay, now <= 0 ? 0 : (uint64_t)llround(now * 1e9), &r->s.sink);
		break;
	case KF_RUN_PROC:
		break;
	}
	if (ret < 0)
		set_kind(err, KF_RUN_ESOURCE);
	return ret;
}

/* ---- measures ------------------------------------------------------------------ */

/* STREAM, REPLAY: a file that cannot be read now keeps what was read before */
static void read_memstate(struct kf_run *r, double now)
{
	struct kf_memstate *ms = &r->mem;
	const char *root = r->s.proc_root;
	struct kf_zoneinfo zi;
	struct kf_buddyinfo bi;
	struct kf_pagetypeinfo pt;
	char err[512];

	/* the vm sysctls the findings name change rarely: as read at the start */
	ms->min_free_kbytes = r->s.mem_before.min_free_kbytes;
	ms->percpu_pagelist_high_fraction = r->s.mem_before.percpu_pagelist_high_fraction;
	if (kf_zoneinfo_read(root, &zi, err, sizeof(err)) == 0) {
		kf_zoneinfo_release(&ms->zoneinfo);
		ms->zoneinfo = zi;
		ms->have |= KF_HAVE_ZONEINFO;
	}
	if (kf_buddyinfo_read(root, &bi, err, sizeof(err)) == 0) {
		kf_buddyinfo_release(&r->mem_prev.buddyinfo);
		r->mem_prev.buddyinfo = ms->buddyinfo;
		r->mem_prev.have = ms->have & KF_HAVE_BUDDYINFO;
		ms->buddyinfo = bi;
		ms->have |= KF_HAVE_BUDDYINFO;
	}
	if (!(ms->have & KF_HAVE_PAGETYPEINFO) || now - r->pagetype_read_at >= PAGETYPEINFO_EVERY_S) {
		r->pagetype_read_at = now;
		if (kf_pagetypeinfo_read(root, &pt, err, sizeof(err)) == 0) {
			kf_pagetypeinfo_release(&ms->pagetypeinfo);
			ms->pagetypeinfo = pt;
			ms->have |= KF_HAVE_PAGETYPEINFO;
		}
	}
}

/* the memory state the measurement shows */
static void measure_memstate(struct kf_run *r)
{
	struct kf_measurement *m = &r->m;

	m->mem_before = NULL;
	m->mem_prev = NULL;
	m->mem = NULL;
	if (!r->s.proc_root)
		return;
	switch (r->cfg.mode) {
	case KF_RUN_STREAM:
	case KF_RUN_REPLAY:
		read_memstate(r, kf_monotonic_s());
		m->mem = r->mem.have ? &r->mem : NULL;
		m->mem_prev = r->mem_prev.have ? &r->mem_prev : NULL;
		break;
	case KF_RUN_WINDOW:
		m->mem_before = &r->s.mem_before;
		m->mem = r->s.have_after ? &r->s.mem_after : &r->s.mem_before;
		break;
	case KF_RUN_FILE:
		/* a recording with its saved state: its start and its end */
		m->mem_before = r->s.have_after ? &r->s.mem_before : NULL;
		m->mem = r->s.have_after ? &r->s.mem_after : &r->s.mem_before;
		break;
	case KF_RUN_PROC:
		m->mem = &r->s.mem_before;
		break;
	}
}

/* the policy line: what the live guard read this time, else the root's files */
static void measure_system(struct kf_run *r)
{
	struct kf_measurement *m = &r->m;
	const struct kf_guard_input *gi = r->g ? kf_guard_input(r->g) : NULL;
	struct utsname u;

	if (!r->s.proc_root) {
		/* nothing of the traced machine is known but its events */
		memset(&m->policy, 0, sizeof(m->policy));
		m->policy.unevictable_allowed = m->policy.proactiveness = -1;
		m->policy.extfrag_threshold = -1;
		m->page_size = sysconf(_SC_PAGESIZE);
		m->uptime_s = -1;
		m->boot_id[0] = '\0';
		return;
	}
	kf_vm_policy_read(r->s.proc_root, &m->policy);
	if (gi) {
		m->policy.unevictable_allowed = gi->unevictable_allowed_end;
		m->policy.proactiveness = gi->proactiveness;
		snprintf(m->policy.sched_ext, sizeof(m->policy.sched_ext), "%s", gi->sched_ext_state);
		snprintf(m->policy.sched_ext_ops, sizeof(m->policy.sched_ext_ops), "%s", gi->sched_ext_ops);
	}
	m->page_size = sysconf(_SC_PAGESIZE);
	m->uptime_s = kf_uptime_read(r->s.proc_root);
	kf_boot_id_read(r->s.proc_root, m->boot_id, sizeof(m->boot_id));
	if (!m->kernel[0] && uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
}

/* "can I get a 2 MiB page now?" per populated zone of the memory shown */
static void measure_huge_now(struct kf_run *r)
{
	struct kf_measurement *m = &r->m;
	const struct kf_memstate *ms = m->mem;
	int order = kf_huge_order(m->page_size), n = 0;

	m->huge_now = NULL;
	m->nr_huge_now = 0;
	if (!ms || !(ms->have & KF_HAVE_ZONEINFO) || order < 0)
		return;
	free(r->huge_now);
	r->huge_now = calloc(ms->zoneinfo.nr_zones ? ms->zoneinfo.nr_zones : 1, sizeof(*r->huge_now));
	if (!r->huge_now)
		return;
	for (int i = 0; i < ms->zoneinfo.nr_zones; i++) {
		const struct kf_zone_info *zi = &ms->zoneinfo.zones[i];

		if (zi->populated)
			kf_zone_order_now(zi, kf_memstate_buddy(ms, zi->node, zi->name), order, &r->huge_now[n++]);
	}
	m->huge_now = r->huge_now;
	m->nr_huge_now = n;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the map a recording saved at its end, else the one scan of the memory
 * map: the proc root's kpageflags over the zones of the memory state shown
 * (about 0.2 s of CPU for 24 GiB) */
static int read_memmap(struct kf_run *r, bool *saved)
{
	const struct kf_memstate *ms = r->m.mem ? r->m.mem : &r->s.mem_before;
	const char *root = r->saved.end_root ? r->saved.end_root : r->s.proc_root;
	int ret;

	if (!r->s.proc_root) {
		errno = ENOENT;
		snprintf(r->memmap_err, sizeof(r->memmap_err), "this trace carries no memory state: pass --proc-root DIR");
		return -1;
	}
	if (!r->saved.start_root)
		return kf_run_memmap_read(root, ms, &r->memmap, saved, r->memmap_err, sizeof(r->memmap_err));
	/* a recording: its saved map or none, never this machine's kpageflags */
	ret = kf_memmap_load_saved(root, &r->memmap, r->memmap_err, sizeof(r->memmap_err));
	*saved = ret > 0;
	if (ret == 0) {
		errno = ENOENT;
		snprintf(r->memmap_err, sizeof(r->memmap_err),
			 "the recording saved no memory map (kfrag record saves it when run as root)");
	}
	return ret > 0 ? 0 : -1;
}

void kf_run_scan_memmap(struct kf_run *r)
{
	double cpu = thread_cpu_s();
	bool saved = false;

	kf_memmap_free(r->memmap);
	r->memmap = NULL;
	r->memmap_err[0] = '\0';
	r->memmap_errnum = 0;
	r->memmap_at = kf_monotonic_s();
	if (read_memmap(r, &saved) < 0) {
		r->memmap = NULL;
		r->memmap_errnum = errno;
		if (!r->memmap_err[0])
			snprintf(r->memmap_err, sizeof(r->memmap_err), "%s", strerror(errno));
	}
	r->memmap_cpu_s = thread_cpu_s() - cpu;
	r->m.memmap = r->memmap;
	r->m.memmap_errnum = r->memmap_errnum;
	r->m.memmap_error = r->memmap ? NULL : r->memmap_err;
	r->m.memmap_at = r->memmap_at;
	r->m.memmap_cpu_s = r->memmap_cpu_s;
	r->m.memmap_saved = saved;
	r->m.memmap_saved_time = saved ? r->saved.end_time : 0;
}

void kf_run_drop_memmap(struct kf_run *r)
{
	kf_memmap_free(r->memmap);
	r->memmap = NULL;
	r->memmap_err[0] = '\0';
	r->memmap_errnum = 0;
	r->m.memmap = NULL;
	r->m.memmap_error = NULL;
	r->m.memmap_errnum = 0;
}

/* what the source says of itself */
static void measure_source(struct kf_run *r)
{
	struct kf_measurement *m = &r->m;
	const struct kf_snapshot *snap = r->snap;

	m->mode = r->cfg.mode;
	m->live = mode_is_live(r->cfg.mode);
	m->proc_root = r->s.proc_root;
	m->saved_state = r->saved.start_root != NULL;
	m->no_memstate = r->s.proc_root == NULL;
	m->saved_start_time = r->saved.start_time;
	m->saved_end_time = r->saved.end_time;
	m->snap = snap;
	m->prev_snap = r->prev_snap;
	m->syms = &r->s.syms;
	m->source = r->s.offline ? &r->s.source : NULL;
	m->instance = r->s.instance[0] ? r->s.instance : NULL;
	m->ring = r->s.ring;
	m->nr_ring = r->s.nr_ring;
	m->interrupted = r->s.interrupted;
	m->faults_note = r->faults_note[0] ? r->faults_note : NULL;
	m->guard_read_failed = r->guard_read_failed;
	m->enforce_restore_failed = r->restore_failed;
	if (r->cfg.mode == KF_RUN_WINDOW)
		m->duration_s = r->s.wall_s;
	else
		m->duration_s = snap && snap->nr_events > 1 ? (snap->last_ts - snap->first_ts) / 1e9 : 0;
	if (r->s.live)
		m->nr_cpus = kf_live_nr_cpus(r->s.live);
	else if (r->cfg.mode == KF_RUN_WINDOW)
		m->nr_cpus = r->s.nr_ring;
	else
		m->nr_cpus = r->s.source.nr_cpus;
}

/* the findings, once, from what this measure holds (the map of this measure or an earlier one) */
static void measure_findings(struct kf_run *r)
{
	struct kf_measurement *m = &r->m;
	struct kf_findings_config defaults;
	const struct kf_memstate *mem = m->mem;
	struct kf_findings_input in = {
		.snap = m->snap,
		.window_s = m->duration_s,
		.syms = m->syms,
		/* live: what the instance enabled; a trace: the events it holds */
		.traced = r->s.instance[0] ? r->s.traced : NULL,
		.mem = mem,
		.pageblock_order = mem && (mem->have & KF_HAVE_PAGETYPEINFO) ? mem->pagetypeinfo.pageblock_order : 0,
		.memmap = m->memmap,
		.guard = m->guard,
		.page_size = sysconf(_SC_PAGESIZE),
	};

	if (!r->cfg.findings)
		kf_findings_config_defaults(&defaults);
	kf_findings_release(&r->findings);
	m->findings_failed = kf_findings_evaluate(r->cfg.findings ? r->cfg.findings : &defaults, &in,
						  &r->findings) < 0;
	m->findings = m->findings_failed ? NULL : &r->findings;
}

const struct kf_measurement *kf_run_measure(struct kf_run *r, struct kf_run_error *err)
{
	struct kf_measurement *m = &r->m;

	kf_snapshot_free(r->prev_snap);
	r->prev_snap = r->snap;
	r->snap = NULL;
	if (r->cfg.mode != KF_RUN_PROC) {
		r->snap = kf_engine_snapshot(r->s.engine);
		if (!r->snap) {
			set_error(err, KF_RUN_ENOMEM, ENOMEM, "out of memory taking a snapshot");
			return NULL;
		}
	}
	measure_source(r);
	measure_memstate(r);
	m->guard = NULL;
	m->guard_in = NULL;
	if (r->g || (r->cfg.guard && (r->cfg.mode == KF_RUN_FILE || r->cfg.mode == KF_RUN_REPLAY)))
		m->guard_failed = !guard_evaluate(r);
	measure_system(r);
	measure_huge_now(r);
	/* a recording's saved map is shown as a live report shows its scan */
	if (r->cfg.memmap || (r->cfg.mode == KF_RUN_FILE && r->saved.end_root))
		kf_run_scan_memmap(r);
	measure_findings(r);
	r->measured = true;
	return m;
}

/* ---- the rest ------------------------------------------------------------------ */

int kf_run_reset(struct kf_run *r)
{
	kf_engine_reset(r->s.engine);
	kf_snapshot_free(r->prev_snap);
	kf_snapshot_free(r->snap);
	r->prev_snap = NULL;
	r->snap = kf_engine_snapshot(r->s.engine);
	r->m.snap = r->snap;
	r->m.prev_snap = NULL;
	if (r->snap)
		measure_findings(r);	/* of the empty counts, as the screen after a reset shows them */
	return r->snap ? 0 : -1;
}

double kf_run_replay_length_s(const struct kf_run *r)
{
	return r->replay ? kf_top_replay_length_ns(r->replay) / 1e9 : 0;
}

bool kf_run_replay_done(const struct kf_run *r)
{
	return r->replay && kf_top_replay_done(r->replay);
}

int kf_run_restore(struct kf_run *r)
{
	return r->g ? kf_guard_restore(r->g) : 0;
}

const struct kf_guard_input *kf_run_guard_input(const struct kf_run *r)
{
	return r->g ? kf_guard_input(r->g) : NULL;
}

const char *kf_run_faults_note(const struct kf_run *r)
{
	return r->faults_note[0] ? r->faults_note : NULL;
}

const char *kf_run_instance(const struct kf_run *r)
{
	return r->s.instance[0] ? r->s.instance : NULL;
}

const struct kf_source_info *kf_run_source(const struct kf_run *r)
{
	return r->s.offline ? &r->s.source : NULL;
}

void kf_run_close(struct kf_run *r)
{
	if (!r)
		return;
	kf_memmap_free(r->memmap);
	kf_snapshot_free(r->snap);
	kf_snapshot_free(r->prev_snap);
	kf_memstate_release(&r->mem);
	kf_memstate_release(&r->mem_prev);
	kf_findings_release(&r->findings);
	free(r->huge_now);
	kf_guard_result_release(&r->gres);
	kf_guard_input_release(&r->offline_in);
	kf_guard_close(r->g);		/* --enforce: the old value goes back */
	kf_top_replay_free(r->replay);
	kf_session_release(&r->s);
	kf_saved_state_release(&r->saved);
	free(r->saved_pids);
	free(r->saved_candidates);
	free(r);
}
