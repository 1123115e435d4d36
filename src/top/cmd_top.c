/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top: the live dashboard, or the replay of a recorded trace paced by
 * its timestamps. The loop: step the run (src/run: poll the rings, or feed
 * the replay up to its clock), and every refresh take a measurement, build
 * the view (top_model.c) and hand it to the UI (top_ui.c). Keys change the
 * state (top_keys.c) and say what to redo.
 *
 * The run is opened (and its error printed) before curses starts, and the
 * UI is stopped before the run is closed. On a crash or a second Ctrl-C the
 * one owner of signals (src/system/signals.c) restores the terminal before
 * the tracefs instance is removed, whatever registered first.
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
#include "kf_run.h"
#include "kf_top.h"
#include "kf_util.h"

/* how often the live ring buffers are read while waiting for keys */
#define LIVE_POLL_MS 100
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
	struct kf_run *run;
	const struct kf_measurement *m;		/* of the last refresh */
	bool replay;
	/* the replay clock, in trace seconds from the first event */
	double replay_base, replay_anchor;	/* anchor < 0: stopped */
	double t_prev, t_cur;			/* clock of each snapshot */
	struct kf_top_policy policy;
	struct kf_top_source src;
	/* the memory map, while its view is shown */
	double memmap_at;			/* monotonic clock of the last scan */
	bool memmap_due;			/* scan at once (the view was just opened) */

	struct kf_top_state st;
	struct kf_top_view view;
	struct kf_top_geometry geo;
	char err[1024];
	/* the trace's loading, told on the terminal before curses starts */
	char progress[320];
	int progress_len;
};

static void top_usage(FILE *out)
{
	/* a usage error: its message is out; main() says where the help is */
	if (out == stderr)
		return;
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

/* ---- the memory map ------------------------------------------------------- */

/*
 * The memory map, while its view is shown: at once when it opens, then
 * every MEMMAP_EVERY_S unless paused. A replay's map is the one its
 * recording saved, or a --proc-root's (a saved kpageflags, or a slice of
 * one), never the machine's it runs on: the run layer says which, or why
 * there is none. True when the view must be rebuilt.
 */
static bool memmap_step(struct top_ctx *c, double now)
{
	if (!c->st.memmap || !(c->memmap_due || (!c->st.paused && now - c->memmap_at >= MEMMAP_EVERY_S)))
		return false;
	c->memmap_due = false;
	c->memmap_at = now;
	kf_run_scan_memmap(c->run);
	return true;
}

/* the view is closed: no map kept, none scanned */
static void memmap_drop(struct top_ctx *c)
{
	kf_run_drop_memmap(c->run);
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
	double t = replay_clock(c, now), len = kf_run_replay_length_s(c->run);

	return t < len ? t : len;
}

/* ---- frames ------------------------------------------------------------ */

static int rebuild(struct top_ctx *c)
{
	const struct kf_measurement *m = c->m;
	struct kf_top_input in = {
		.prev = m->prev_snap,
		.cur = m->snap,
		.mem = m->mem,
		.no_memstate = m->no_memstate,
		.mem_prev = m->mem_prev,
		.guard = m->guard,
		.guard_in = m->guard_in,
		.findings = m->findings,
		.huge_now = m->huge_now,
		.nr_huge_now = m->nr_huge_now,
		.syms = m->syms,
		.policy = &c->policy,
		.source = &c->src,
		.dt = c->t_cur - c->t_prev,
		.nr_cpus = m->nr_cpus,
		.memmap = m->memmap,
		.memmap_error = m->memmap_error ? m->memmap_error : "",
		.memmap_saved = m->memmap_saved,
		.memmap_age_s = kf_monotonic_s() - c->memmap_at,
		.memmap_every_s = MEMMAP_EVERY_S,
		.memmap_cpu_s = m->memmap_cpu_s,
		.page_size = m->page_size > 0 ? (uint64_t)m->page_size : (uint64_t)sysconf(_SC_PAGESIZE),
	};

	kf_top_ui_map_area(&in.map_rows, &in.map_cols);
	if (kf_top_view_build(&c->view, &in, &c->st) < 0) {
		snprintf(c->err, sizeof(c->err), "out of memory building the screen");
		return -1;
	}
	return 0;
}

/* the header's lines of the measurement */
static void show_machine(struct top_ctx *c, const struct kf_measurement *m)
{
	c->policy = (struct kf_top_policy){
		.unevictable_allowed = m->policy.unevictable_allowed,
		.proactiveness = m->policy.proactiveness,
		.extfrag_threshold = m->policy.extfrag_threshold,
	};
	/* a replay has no /proc of its machine: the guard's assumed values
	 * (--assume-sysctl, or those the recording saved), marked so */
	if (m->guard_in && m->guard_in->sysctl_source[0] && c->policy.unevictable_allowed < 0 &&
	    c->policy.proactiveness < 0) {
		c->policy.unevictable_allowed = m->guard_in->unevictable_allowed_end;
		c->policy.proactiveness = m->guard_in->proactiveness;
		c->policy.sysctls_assumed = true;
	}
	snprintf(c->policy.sched_ext, sizeof(c->policy.sched_ext), "%s", m->policy.sched_ext);
	snprintf(c->policy.sched_ext_ops, sizeof(c->policy.sched_ext_ops), "%s", m->policy.sched_ext_ops);
	snprintf(c->src.kernel, sizeof(c->src.kernel), "%s", m->kernel);
	if (m->live)
		c->src.uptime_s = m->uptime_s;
}

static int take_frame(struct top_ctx *c, double now)
{
	struct kf_run_error e;
	const struct kf_measurement *m;
	double t = view_clock(c, now);

	if (c->replay) {
		/* the end reached, the clock stands: the last frame stays, with
		 * its rates (a new one would show every rate 0, and a sort by
		 * rate fall back to pids) */
		if (c->m && c->src.replay_done && t == c->t_cur)
			return rebuild(c);
		kf_run_step(c->run, t, &e);
		c->src.replay_pos_s = t;
		c->src.replay_done = kf_run_replay_done(c->run);
	}
	m = kf_run_measure(c->run, &e);
	if (!m) {
		snprintf(c->err, sizeof(c->err), "%s", e.msg);
		return -1;
	}
	c->m = m;
	show_machine(c, m);
	c->t_prev = m->prev_snap ? c->t_cur : c->t_prev;
	c->t_cur = t;
	return rebuild(c);
}

/* r: every count starts again from now */
static int reset_counts(struct top_ctx *c, double now)
{
	if (kf_run_reset(c->run) < 0) {
		snprintf(c->err, sizeof(c->err), "out of memory taking a snapshot");
		return -1;
	}
	c->t_prev = c->t_cur = view_clock(c, now);
	return 0;
}

/* ---- set-up -------------------------------------------------------------- */

/* while a replay's trace loads (before curses): how much of it is read,
 * on the terminal, each time what it says changes (a percent, or a tenth
 * of a MiB of a pipe) */
static void load_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct top_ctx *c = ctx;
	char line[sizeof(c->progress)];
	int n;

	if (total)
		n = snprintf(line, sizeof(line), "kfrag top: reading %s: %.0f%% (%.1f of %.1f MiB)", c->o.input,
			     done < total ? 100.0 * done / total : 100.0, done / 1048576.0, total / 1048576.0);
	else
		n = snprintf(line, sizeof(line), "kfrag top: reading %s: %.1f MiB", c->o.input, done / 1048576.0);
	if (strcmp(line, c->progress) == 0)
		return;
	memcpy(c->progress, line, sizeof(line));
	printf("\r%s", line);
	fflush(stdout);
	if (n > c->progress_len)
		c->progress_len = n;
}

/* the progress line blanked: curses, or an error message, comes next */
static void load_progress_end(struct top_ctx *c)
{
	if (!c->progress_len)
		return;
	printf("\r%*s\r", c->progress_len, "");
	fflush(stdout);
}

static int open_run(struct top_ctx *c)
{
	struct kf_run_config cfg = {
		.mode = c->o.input ? KF_RUN_REPLAY : KF_RUN_STREAM,
		/* not given: a replay shows the state its recording carries */
		.proc_root = c->o.proc_root_given ? c->o.proc_root : NULL,
		.input = c->o.input,
		.guard = !c->o.guard.no_guard,
		.protect_pids = c->o.guard.pids,
		.nr_protect_pids = c->o.guard.nr_pids,
		.protect_comms = c->o.guard.comms,
		.nr_protect_comms = c->o.guard.nr_comms,
		.load_progress = load_progress,
		.load_progress_ctx = c,
	};
	struct kf_run_error e;

	kf_guard_opts_config(&c->o.guard, &cfg.guard_live);
	c->run = kf_run_open(&cfg, &e);
	load_progress_end(c);
	if (!c->run) {
		snprintf(c->err, sizeof(c->err), "%s%.1000s", e.kind == KF_RUN_EGUARD ? "guard: " : "", e.msg);
		return -1;
	}
	if (c->o.input) {
		c->replay = true;
		snprintf(c->src.path, sizeof(c->src.path), "%s", c->o.input);
		c->src.speed = c->o.speed;
		c->src.replay_len_s = kf_run_replay_length_s(c->run);
		c->replay_base = 0;
		c->replay_anchor = kf_monotonic_s();
		return 0;
	}
	c->src.live = true;
	snprintf(c->src.instance, sizeof(c->src.instance), "%s", kf_run_instance(c->run));
	return 0;
}

/* a text trace's lines that were not events, said before curses starts */
static void print_malformed(const struct top_ctx *c)
{
	const struct kf_source_info *si = kf_run_source(c->run);

	if (!si || !si->malformed)
		return;
	fprintf(stderr, "kfrag top: %s: %llu malformed lines skipped (first at line %llu)\n",
		c->o.input, (unsigned long long)si->malformed, (unsigned long long)si->first_malformed_line);
}

/* ---- the loop -------------------------------------------------------------- */

/* milliseconds to wait for a key: until the next frame, the next scan of
 * the memory map, or (live) the next read of the rings */
static int key_timeout(const struct top_ctx *c, double next_frame)
{
	int timeout = c->st.paused ? 1000 : (int)ceil((next_frame - kf_monotonic_s()) * 1000);

	if (c->st.memmap && !c->st.paused) {
		int t = (int)ceil((c->memmap_at + MEMMAP_EVERY_S - kf_monotonic_s()) * 1000);

		if (t < timeout)
			timeout = t;
	}
	if (!c->replay && timeout > LIVE_POLL_MS)
		timeout = LIVE_POLL_MS;
	return timeout < 0 ? 0 : timeout;
}

static int run(struct top_ctx *c)
{
	double now = kf_monotonic_s();
	double next_frame = now, last_frame = now;
	bool dirty = false;

	/* a replay's clock starts with the first frame; its counts start at
	 * the trace's time 0, the rates of the first frame too */
	if (c->replay)
		c->replay_anchor = now;
	c->t_prev = c->t_cur = c->replay ? 0 : view_clock(c, now);
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
			if (c->m && rebuild(c) < 0)
				return -1;
			dirty = true;
		}
		if (dirty) {
			kf_top_ui_draw(&c->view, &c->st, &c->geo);
			dirty = false;
		}
		timeout = key_timeout(c, next_frame);
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
				if ((f & KF_TOP_REBUILD) && c->m && rebuild(c) < 0)
					return -1;
				kf_top_ui_draw(&c->view, &c->st, &c->geo);
			}
		}
		if (!c->replay) {
			struct kf_run_error e;

			if (kf_run_step(c->run, 0, &e) < 0) {
				snprintf(c->err, sizeof(c->err), "%s", e.msg);
				return -1;
			}
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
	/* a terminal top cannot draw on is refused before a trace is read */
	if (!kf_top_ui_usable(c->err, sizeof(c->err))) {
		fprintf(stderr, "kfrag top: %s\n", c->err);
		opts_release(&c->o);
		free(c);
		return KF_EXIT_FAIL;
	}
	ui.color = !c->o.no_color && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]);
	kf_top_state_init(&c->st, c->o.delay);

	/* everything that can fail with a message fails before curses starts */
	if (open_run(c) < 0) {
		fprintf(stderr, "kfrag top: %s\n", c->err);
		opts_release(&c->o);
		free(c);
		return KF_EXIT_FAIL;
	}
	print_malformed(c);
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
	if (kf_run_restore(c->run) < 0)
		fprintf(stderr, "kfrag top: guard: %s\n", kf_run_guard_input(c->run)->enforce_error);

	kf_top_view_release(&c->view);
	kf_run_close(c->run);
	opts_release(&c->o);
	free(c);
	if (sig) {
		/* cleaned up: now die by the signal, as the sender expects */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return ret < 0 ? KF_EXIT_FAIL : KF_EXIT_OK;
}
