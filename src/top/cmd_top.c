/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top: the live dashboard, or the replay of a recorded trace paced by
 * its timestamps. The loop: feed the engine (kf_live_poll, or the replay up
 * to its clock), and every refresh take a snapshot, read the memory state
 * and the policy, build the view (top_model.c) and hand it to the UI
 * (top_ui.c). Keys change the state (top_keys.c) and say what to redo.
 *
 * Order of set-up and tear-down matters: the live source is opened (and its
 * error printed) before curses starts, the UI's signal handlers are
 * installed after the live source's so they chain to them, and the UI is
 * stopped before the live source is closed.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kf_cmd.h"
#include "kf_guard_opts.h"
#include "kf_guard_proc.h"
#include "kf_session.h"
#include "kf_top.h"
#include "kf_util.h"

/* how often the live ring buffers are read while waiting for keys */
#define LIVE_POLL_MS 100
/* /proc/pagetypeinfo walks every free list under the zone lock: ~1% of a
 * core when read every second on a 4 GiB machine, for pageblock counts
 * that change slowly. zoneinfo and buddyinfo are read every refresh. */
#define PAGETYPEINFO_EVERY_S 10
/* the memory map reads /proc/kpageflags over every zone: ~0.2 s of CPU for
 * 24 GiB; only while the view is shown, at most this often */
#define MEMMAP_EVERY_S 5

struct top_opts {
	const char *input;
	const char *proc_root;
	bool proc_root_given;
	double delay;
	double speed;
	bool no_color;
	struct kf_guard_opts guard;	/* as kfrag report takes them */
};

struct top_ctx {
	struct top_opts o;
	struct kf_session s;
	struct kf_live *live;
	struct kf_top_replay *replay;
	/* the replay clock, in trace seconds from the first event */
	double replay_base, replay_anchor;	/* anchor < 0: stopped */

	struct kf_snapshot *prev, *cur;
	double t_prev, t_cur;			/* clock of each snapshot */
	/* the memory state as it is shown: zoneinfo and buddyinfo of the last
	 * refresh, pagetypeinfo of the last PAGETYPEINFO_EVERY_S; and the
	 * buddyinfo before, for the indices' trends */
	struct kf_memstate mem;
	struct kf_memstate mem_prev;		/* buddyinfo only */
	double pagetype_read_at;
	struct kf_top_policy policy;
	struct kf_top_source src;
	/* the guard: live (g) or from the replayed trace (offline_in) */
	struct kf_guard *g;
	struct kf_guard_input offline_in;
	struct kf_guard_result gres;
	const struct kf_guard_result *guard;	/* &gres once evaluated */
	const struct kf_guard_input *guard_in;
	/* the memory map, while its view is shown */
	struct kf_memmap *memmap;
	char memmap_err[512];
	double memmap_at;			/* monotonic clock of the last scan */
	double memmap_cpu_s;			/* CPU time it took */
	bool memmap_due;			/* scan at once (the view was just opened) */

	struct kf_top_state st;
	struct kf_top_view view;
	struct kf_top_geometry geo;
	char err[1024];
};

static void top_usage(FILE *out)
{
	fprintf(out,
		"Usage: kfrag top [OPTIONS]\n"
		"       kfrag top --input FILE [--speed N] [OPTIONS]\n"
		"\n"
		"A live dashboard of the page allocator, fragmentation and compaction: zones and\n"
		"the kernel's fragmentation indices, per-CPU page lists, fallbacks, compaction\n"
		"episodes, processes, and the guard's alerts. Press h inside for the keys.\n"
		"\n"
		"  -d, --delay SECONDS    refresh interval (default 1; + and - change it)\n"
		"  -i, --input FILE       replay a recorded trace (trace.dat or text) instead of\n"
		"                         tracing the live kernel, paced by its timestamps\n"
		"      --speed N          replay N times faster than recorded (default 1)\n"
		"      --proc-root DIR    read zoneinfo, buddyinfo, pagetypeinfo, vmstat and the vm\n"
		"                         sysctls from DIR (a saved /proc) instead of /proc; in a\n"
		"                         replay, the memory map (m) only from DIR's kpageflags\n"
		"      --no-color         no colours (also when NO_COLOR is set)\n"
		"  -h, --help             this help\n"
		"\n"
		KF_GUARD_OPTS_HELP
		"\n"
		"Live, kfrag top needs root: it traces in a tracefs instance of its own, removed\n"
		"when it ends (q, Ctrl-C, SIGTERM, SIGHUP, or a crash).\n"
		"Exit status: 0 after q, 1 when the kernel could not be traced or the input read,\n"
		"2 usage error; killed by a signal, it dies by that signal after cleaning up.\n");
}

static int parse_top_opts(int argc, char **argv, struct top_opts *o)
{
	enum { OPT_SPEED = 256, OPT_PROC_ROOT, OPT_NO_COLOR };
	static const struct option longopts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "input", required_argument, NULL, 'i' },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		KF_GUARD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->proc_root = "/";
	o->delay = 1;
	o->speed = 1;
	if (kf_guard_opts_init(&o->guard, argc) < 0) {
		fprintf(stderr, "kfrag top: out of memory\n");
		return -1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (kf_parse_double(optarg, 0.1, 3600, &o->delay) < 0) {
				fprintf(stderr, "kfrag top: --delay wants seconds from 0.1 to 3600, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'i':
			o->input = optarg;
			break;
		case OPT_SPEED:
			if (kf_parse_double(optarg, 0.001, 1e6, &o->speed) < 0) {
				fprintf(stderr, "kfrag top: --speed wants a factor from 0.001 to 1000000, not '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			o->proc_root_given = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case 'h':
			top_usage(stdout);
			return 1;
		default:
			switch (kf_guard_opts_take(&o->guard, c, optarg, "top")) {
			case 1:
				break;
			case 0:
				top_usage(stderr);
				return -1;
			default:
				return -1;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kfrag top: unexpected argument '%s'\n", argv[optind]);
		top_usage(stderr);
		return -1;
	}
	return kf_guard_opts_check(&o->guard, o->input ? "a replay" : NULL, "top");
}

static void opts_release(struct top_opts *o)
{
	kf_guard_opts_release(&o->guard);
}

/* ---- the data side: policy, uptime, memory state ------------------------ */

/* the first line of a file, or "" */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = path ? fopen(path, "re") : NULL;

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* the policy line: what the live guard read this refresh, else ROOT's files */
static void read_policy(struct top_ctx *c)
{
	const char *root = c->s.proc_root;
	const struct kf_guard_input *gi = c->g ? kf_guard_input(c->g) : NULL;
	char path[4096];

	c->policy.extfrag_threshold = kf_guard_read_sysctl(root, "extfrag_threshold");
	if (gi) {
		c->policy.unevictable_allowed = gi->unevictable_allowed_end;
		c->policy.proactiveness = gi->proactiveness;
		snprintf(c->policy.sched_ext, sizeof(c->policy.sched_ext), "%s", gi->sched_ext_state);
		snprintf(c->policy.sched_ext_ops, sizeof(c->policy.sched_ext_ops), "%s", gi->sched_ext_ops);
		return;
	}
	c->policy.unevictable_allowed = kf_guard_read_sysctl(root, "compact_unevictable_allowed");
	c->policy.proactiveness = kf_guard_read_sysctl(root, "compaction_proactiveness");
	/* sysfs sits beside proc: ROOT/sys/kernel/sched_ext/... */
	snprintf(path, sizeof(path), "%s/sys/kernel/sched_ext/state", root);
	read_line(path, c->policy.sched_ext, sizeof(c->policy.sched_ext));
	snprintf(path, sizeof(path), "%s/sys/kernel/sched_ext/root/ops", root);
	read_line(path, c->policy.sched_ext_ops, sizeof(c->policy.sched_ext_ops));
}

static void read_uptime(struct top_ctx *c)
{
	char buf[64];
	double up;

	read_line("/proc/uptime", buf, sizeof(buf));
	buf[strcspn(buf, " ")] = '\0';
	c->src.uptime_s = kf_parse_double(buf, 0, 1e12, &up) == 0 ? up : -1;
}

/* a file that cannot be read now keeps what was read before */
static void read_memstate(struct top_ctx *c, double now)
{
	struct kf_memstate *ms = &c->mem;
	const char *root = c->s.proc_root;
	struct kf_zoneinfo zi;
	struct kf_buddyinfo bi;
	struct kf_pagetypeinfo pt;
	char err[512];

	if (kf_zoneinfo_read(root, &zi, err, sizeof(err)) == 0) {
		kf_zoneinfo_release(&ms->zoneinfo);
		ms->zoneinfo = zi;
		ms->have |= KF_HAVE_ZONEINFO;
	}
	if (kf_buddyinfo_read(root, &bi, err, sizeof(err)) == 0) {
		kf_buddyinfo_release(&c->mem_prev.buddyinfo);
		c->mem_prev.buddyinfo = ms->buddyinfo;
		c->mem_prev.have = ms->have & KF_HAVE_BUDDYINFO;
		ms->buddyinfo = bi;
		ms->have |= KF_HAVE_BUDDYINFO;
	}
	if (!(ms->have & KF_HAVE_PAGETYPEINFO) || now - c->pagetype_read_at >= PAGETYPEINFO_EVERY_S) {
		c->pagetype_read_at = now;
		if (kf_pagetypeinfo_read(root, &pt, err, sizeof(err)) == 0) {
			kf_pagetypeinfo_release(&ms->pagetypeinfo);
			ms->pagetypeinfo = pt;
			ms->have |= KF_HAVE_PAGETYPEINFO;
		}
	}
}

/*
 * The guard's alerts for snap: live, a new reading of the protected
 * processes (moved pages, threads, sysctls) about once a refresh; in a
 * replay, the protected processes chosen among the traced ones. NULL with
 * --no-guard, or when out of memory.
 */
static const struct kf_guard_result *top_guard_step(struct top_ctx *c, const struct kf_snapshot *snap)
{
	int reason = (int)kf_symbols_value(&c->s.syms, KF_SYM_MIGRATE_REASON, "compaction", 0);
	const struct kf_guard_input *in;

	kf_guard_result_release(&c->gres);
	c->guard_in = NULL;
	if (c->o.guard.no_guard)
		return NULL;
	if (c->g) {
		kf_guard_refresh(c->g);		/* out of memory: the last reading stays */
		kf_guard_set_compaction_reason(c->g, reason);
		in = kf_guard_input(c->g);
	} else {
		kf_guard_input_release(&c->offline_in);
		if (kf_guard_opts_offline_input(&c->o.guard, snap, &c->offline_in) < 0)
			return NULL;
		c->offline_in.compaction_reason = reason;
		in = &c->offline_in;
	}
	if (kf_guard_evaluate(in, snap, &c->gres) < 0)
		return NULL;
	c->guard_in = in;
	return &c->gres;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The memory map, while its view is shown: at once when it opens, then
 * every MEMMAP_EVERY_S unless paused. A replay reads it only from a
 * --proc-root (a saved kpageflags, or a slice of one), never from the
 * machine it runs on. True when the view must be rebuilt.
 */
static bool memmap_step(struct top_ctx *c, double now)
{
	static const char tail[] = ": the memory map is not available";
	double cpu;
	size_t len;

	if (!c->st.memmap || !(c->memmap_due || (!c->st.paused && now - c->memmap_at >= MEMMAP_EVERY_S)))
		return false;
	c->memmap_due = false;
	c->memmap_at = now;
	kf_memmap_free(c->memmap);
	c->memmap = NULL;
	c->memmap_err[0] = '\0';
	if (c->replay && !c->o.proc_root_given) {
		snprintf(c->memmap_err, sizeof(c->memmap_err),
			 "a replay has none of its own: give --proc-root DIR with the traced machine's kpageflags");
		return true;
	}
	cpu = thread_cpu_s();
	if (kf_memmap_scan(c->s.proc_root, &c->mem, 0, &c->memmap, c->memmap_err, sizeof(c->memmap_err)) < 0) {
		c->memmap = NULL;
		if (!c->memmap_err[0])
			snprintf(c->memmap_err, sizeof(c->memmap_err), "%s", strerror(errno));
		/* "reading ... needs root (CAP_SYS_ADMIN): the memory map is not
		 * available": the view says the second half itself */
		len = strlen(c->memmap_err);
		if (len > sizeof(tail) - 1 && strcmp(c->memmap_err + len - (sizeof(tail) - 1), tail) == 0)
			c->memmap_err[len - (sizeof(tail) - 1)] = '\0';
	}
	c->memmap_cpu_s = thread_cpu_s() - cpu;
	return true;
}

/* the view is closed: no map kept, none scanned */
static void memmap_drop(struct top_ctx *c)
{
	kf_memmap_free(c->memmap);
	c->memmap = NULL;
	c->memmap_err[0] = '\0';
	c->memmap_due = c->st.memmap;
}

/* ---- the clock of what is shown ------------------------------------------ */

static double replay_clock(const struct top_ctx *c, double now)
{
	double t = c->replay_base;

	if (c->replay_anchor >= 0)
		t += (now - c->replay_anchor) * c->o.speed;
	return t;
}

static void replay_pause(struct top_ctx *c, bool paused, double now)
{
	if (paused && c->replay_anchor >= 0) {
		c->replay_base = replay_clock(c, now);
		c->replay_anchor = -1;
	} else if (!paused && c->replay_anchor < 0) {
		c->replay_anchor = now;
	}
}

/* live: wall seconds; replay: trace seconds */
static double view_clock(const struct top_ctx *c, double now)
{
	if (!c->replay)
		return now;
	double t = replay_clock(c, now), len = kf_top_replay_length_ns(c->replay) / 1e9;

	return t < len ? t : len;
}

/* ---- frames ------------------------------------------------------------ */

static int rebuild(struct top_ctx *c)
{
	struct kf_top_input in = {
		.prev = c->prev,
		.cur = c->cur,
		.mem = c->mem.have ? &c->mem : NULL,
		.mem_prev = c->mem_prev.have ? &c->mem_prev : NULL,
		.guard = c->guard,
		.guard_in = c->guard_in,
		.syms = &c->s.syms,
		.policy = &c->policy,
		.source = &c->src,
		.dt = c->t_cur - c->t_prev,
		.nr_cpus = c->live ? kf_live_nr_cpus(c->live) : c->s.source.nr_cpus,
		.memmap = c->memmap,
		.memmap_error = c->memmap_err,
		.memmap_age_s = kf_monotonic_s() - c->memmap_at,
		.memmap_every_s = MEMMAP_EVERY_S,
		.memmap_cpu_s = c->memmap_cpu_s,
		.page_size = (uint64_t)sysconf(_SC_PAGESIZE),
	};

	kf_top_ui_map_area(&in.map_rows, &in.map_cols);
	if (kf_top_view_build(&c->view, &in, &c->st) < 0) {
		snprintf(c->err, sizeof(c->err), "out of memory building the screen");
		return -1;
	}
	return 0;
}

static int take_frame(struct top_ctx *c, double now)
{
	struct kf_snapshot *snap;
	double t = view_clock(c, now);

	if (c->replay) {
		uint64_t off = t <= 0 ? 0 : (uint64_t)llround(t * 1e9);

		kf_top_replay_feed(c->replay, off, &c->s.sink);
		c->src.replay_pos_s = t;
		c->src.replay_done = kf_top_replay_done(c->replay);
	} else {
		read_uptime(c);
	}
	snap = kf_engine_snapshot(c->s.engine);
	if (!snap) {
		snprintf(c->err, sizeof(c->err), "out of memory taking a snapshot");
		return -1;
	}
	read_memstate(c, now);
	c->guard = top_guard_step(c, snap);
	read_policy(c);
	kf_snapshot_free(c->prev);
	c->prev = c->cur;
	c->t_prev = c->prev ? c->t_cur : c->t_prev;
	c->cur = snap;
	c->t_cur = t;
	return rebuild(c);
}

/* r: every count starts again from now */
static int reset_counts(struct top_ctx *c, double now)
{
	kf_engine_reset(c->s.engine);
	kf_snapshot_free(c->prev);
	kf_snapshot_free(c->cur);
	c->prev = NULL;
	c->cur = kf_engine_snapshot(c->s.engine);
	if (!c->cur) {
		snprintf(c->err, sizeof(c->err), "out of memory taking a snapshot");
		return -1;
	}
	c->t_prev = c->t_cur = view_clock(c, now);
	return 0;
}

/* ---- set-up -------------------------------------------------------------- */

static int open_source(struct top_ctx *c)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(c->src.kernel, sizeof(c->src.kernel), "%s", u.release);
	if (c->o.input) {
		c->replay = kf_top_replay_load(c->o.input, &c->s.syms, &c->s.source, c->err, sizeof(c->err));
		if (!c->replay)
			return -1;
		c->s.offline = true;
		snprintf(c->src.path, sizeof(c->src.path), "%s", c->o.input);
		c->src.speed = c->o.speed;
		c->src.replay_len_s = kf_top_replay_length_ns(c->replay) / 1e9;
		c->replay_base = 0;
		c->replay_anchor = kf_monotonic_s();
		return 0;
	}
	struct kf_live_config cfg = { .missing_ok = true };

	if (!c->o.guard.no_guard) {
		struct kf_guard_config gc;
		char gerr[512];

		kf_guard_opts_config(&c->o.guard, &gc);
		c->g = kf_guard_open(&gc, gerr, sizeof(gerr));
		if (!c->g) {
			snprintf(c->err, sizeof(c->err), "guard: %s", gerr);
			return -1;
		}
		/* page faults traced only for the protected threads, filtered in the kernel */
		cfg.fault_pids = kf_guard_fault_pids(c->g, &cfg.nr_fault_pids);
	}
	c->live = kf_live_open(&cfg, &c->s.syms, c->err, sizeof(c->err));
	if (!c->live && cfg.nr_fault_pids && strstr(c->err, "page_fault_user")) {
		/* a kernel without the event, or a filter it refuses: the guard
		 * goes on without page faults */
		cfg.fault_pids = NULL;
		cfg.nr_fault_pids = 0;
		c->live = kf_live_open(&cfg, &c->s.syms, c->err, sizeof(c->err));
	}
	if (!c->live)
		return -1;
	if (c->g)
		kf_guard_set_faults_traced(c->g, kf_live_has_event(c->live, KF_EV_PAGE_FAULT_USER));
	c->src.live = true;
	snprintf(c->src.instance, sizeof(c->src.instance), "%s", kf_live_instance_name(c->live));
	return 0;
}

/* ---- the loop -------------------------------------------------------------- */

static int run(struct top_ctx *c)
{
	double now = kf_monotonic_s();
	double next_frame = now, last_frame = now;
	bool dirty = false;

	c->t_prev = c->t_cur = view_clock(c, now);
	for (;;) {
		int key, timeout;

		if (kf_top_ui_signal())
			return 0;
		now = kf_monotonic_s();
		if (!c->st.paused && now >= next_frame) {
			if (take_frame(c, now) < 0)
				return -1;
			last_frame = now;
			next_frame += c->st.refresh_s;
			if (next_frame <= now)
				next_frame = now + c->st.refresh_s;
			dirty = true;
		}
		if (memmap_step(c, kf_monotonic_s())) {
			if (c->cur && rebuild(c) < 0)
				return -1;
			dirty = true;
		}
		if (dirty) {
			kf_top_ui_draw(&c->view, &c->st, &c->geo);
			dirty = false;
		}
		timeout = c->st.paused ? 1000 : (int)ceil((next_frame - kf_monotonic_s()) * 1000);
		if (c->st.memmap && !c->st.paused) {
			int t = (int)ceil((c->memmap_at + MEMMAP_EVERY_S - kf_monotonic_s()) * 1000);

			if (t < timeout)
				timeout = t;
		}
		if (c->live && timeout > LIVE_POLL_MS)
			timeout = LIVE_POLL_MS;
		if (timeout < 0)
			timeout = 0;
		/* one key, waiting; then whatever else was typed, without waiting */
		for (key = kf_top_ui_key(timeout); key != KF_KEY_NONE; key = kf_top_ui_key(0)) {
			unsigned f = kf_top_handle_key(&c->st, key, &c->view, &c->geo);

			if (f & KF_TOP_QUIT)
				return 0;
			if (f & KF_TOP_RESET && reset_counts(c, kf_monotonic_s()) < 0)
				return -1;
			if (f & KF_TOP_PAUSE) {
				now = kf_monotonic_s();
				if (c->replay)
					replay_pause(c, c->st.paused, now);
				if (!c->st.paused)
					next_frame = now;
			}
			if (f & KF_TOP_RESCHEDULE)
				next_frame = last_frame + c->st.refresh_s;
			if (f & KF_TOP_MEMMAP)
				memmap_drop(c);
			/* scrolling needs the geometry of what it scrolls */
			if (f & (KF_TOP_REBUILD | KF_TOP_REDRAW)) {
				if ((f & KF_TOP_REBUILD) && c->cur && rebuild(c) < 0)
					return -1;
				kf_top_ui_draw(&c->view, &c->st, &c->geo);
			}
		}
		if (c->live && kf_live_poll(c->live, &c->s.sink, 0) < 0) {
			snprintf(c->err, sizeof(c->err), "%s", kf_live_error(c->live));
			return -1;
		}
	}
}

int kf_cmd_top(int argc, char **argv)
{
	struct top_ctx *c = calloc(1, sizeof(*c));
	struct kf_top_ui_config ui = { .color = true };
	int ret, sig;

	if (!c) {
		fprintf(stderr, "kfrag top: out of memory\n");
		return KF_EXIT_FAIL;
	}
	ret = parse_top_opts(argc, argv, &c->o);
	if (ret) {
		opts_release(&c->o);
		free(c);
		return ret > 0 ? KF_EXIT_OK : KF_EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kfrag top: needs a terminal; for a one-shot report use kfrag report\n");
		opts_release(&c->o);
		free(c);
		return KF_EXIT_FAIL;
	}
	ui.color = !c->o.no_color && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]);
	kf_top_state_init(&c->st, c->o.delay);

	/* everything that can fail with a message fails before curses starts */
	if (kf_session_init(&c->s, c->o.proc_root, c->err, sizeof(c->err)) < 0 || open_source(c) < 0) {
		fprintf(stderr, "kfrag top: %s\n", c->err);
		kf_guard_close(c->g);		/* --enforce: the old value goes back */
		kf_top_replay_free(c->replay);
		kf_session_release(&c->s);
		opts_release(&c->o);
		free(c);
		return KF_EXIT_FAIL;
	}
	if (c->s.source.malformed)
		fprintf(stderr, "kfrag top: %s: %llu malformed lines skipped (first at line %llu)\n",
			c->o.input, (unsigned long long)c->s.source.malformed,
			(unsigned long long)c->s.source.first_malformed_line);
	/* after kf_live_open: our handlers chain to the live source's */
	kf_top_ui_signals();
	if (kf_top_ui_start(&ui, c->err, sizeof(c->err)) < 0) {
		ret = -1;
	} else {
		ret = run(c);
	}
	kf_top_ui_stop();
	if (ret < 0)
		fprintf(stderr, "kfrag top: %s\n", c->err);
	sig = kf_top_ui_signal();
	if (c->g && kf_guard_restore(c->g) < 0)
		fprintf(stderr, "kfrag top: guard: %s\n", kf_guard_input(c->g)->enforce_error);

	kf_top_view_release(&c->view);
	kf_snapshot_free(c->prev);
	kf_snapshot_free(c->cur);
	kf_memstate_release(&c->mem);
	kf_memstate_release(&c->mem_prev);
	kf_memmap_free(c->memmap);
	if (c->live)
		kf_live_close(c->live);
	kf_guard_result_release(&c->gres);
	kf_guard_input_release(&c->offline_in);
	kf_guard_close(c->g);
	kf_top_replay_free(c->replay);
	kf_session_release(&c->s);
	opts_release(&c->o);
	free(c);
	if (sig) {
		/* cleaned up: now die by the signal, as the sender expects */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return ret < 0 ? KF_EXIT_FAIL : KF_EXIT_OK;
}
