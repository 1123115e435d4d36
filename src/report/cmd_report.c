/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag report: one report, from a recorded trace or from the live kernel. */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_cmd.h"
#include "kf_guard_proc.h"
#include "kf_guard_opts.h"
#include "kf_report.h"
#include "kf_run.h"
#include "kf_util.h"

enum output_format { OUT_JSON, OUT_TEXT };

struct report_opts {
	const char *input;
	const char *output;
	const char *proc_root;
	double duration;
	enum output_format format;
	bool by_comm;
	bool memmap;			/* the full memory map, and a scan even offline */
	const char *svg;		/* --svg FILE: the picture too */
	double interval;		/* --interval N: a report per N seconds */
	long count;
	struct kf_guard_opts guard;
};

static void report_usage(FILE *out)
{
	/* a usage error: its message is out; main() says where the help is */
	if (out == stderr)
		return;
	fprintf(out,
		"Usage: kfrag report --input FILE [OPTIONS]\n"
		"       kfrag report --duration SECONDS [OPTIONS]\n"
		"\n"
		"Analyses page-allocator, compaction and migration events and prints one report.\n"
		"\n"
		"  -i, --input FILE       a recorded trace: trace.dat (every buffer instance in it),\n"
		"                         trace_pipe text, or trace-cmd report text; - reads stdin\n"
		"  -d, --duration SEC     trace the live kernel for SEC seconds instead (root; a\n"
		"                         tracefs instance of kfrag's own, removed at exit);\n"
		"                         Ctrl-C ends it early with the report so far\n"
		"  -j, --json             JSON output, described by kfrag-report.schema.json (default)\n"
		"  -t, --text             aligned text tables\n"
		"  -o, --output FILE      write to FILE (atomically) instead of standard output\n"
		"      --proc-root DIR    read zoneinfo, buddyinfo, pagetypeinfo and vmstat from DIR\n"
		"                         (DIR/proc/NAME or DIR/NAME) instead of /proc\n"
		"      --by-comm          merge processes by command name\n"
		"      --interval SEC     a report every SEC seconds, one JSON line each (--text: a\n"
		"                         table row): live until Ctrl-C (or --duration), or over a\n"
		"                         recorded trace in its own time; counts start again each time\n"
		"      --count N          stop after N intervals\n"
		"      --svg FILE         also draw the report as one SVG picture: the memory map,\n"
		"                         a timeline of the window, free blocks of every zone\n"
		"\n"
		KF_GUARD_OPTS_HELP
		"      --memmap           the full memory map: every pageblock's class, from\n"
		"                         /proc/kpageflags (root), or PROC-ROOT's kpageflags;\n"
		"                         a live report always has the per-zone summary\n"
		"  -h, --help             this help\n"
		"\n"
		"Exit status: 0 report written (whatever the guard found; kfrag check grades it),\n"
		"1 the input could not be analysed or the kernel\n"
		"traced, 2 usage error.\n");
}

static int check_report_opts(struct report_opts *o);

/* --duration, --interval and --count: a number in its range, or a message */
static int take_number(const char *name, struct report_opts *o)
{
	if (!strcmp(name, "duration") && kf_parse_double(optarg, 0.001, 1e7, &o->duration) < 0) {
		fprintf(stderr, "kfrag report: --duration wants seconds > 0, not '%s'\n", optarg);
		report_usage(stderr);
		return -1;
	}
	if (!strcmp(name, "interval") && kf_parse_double(optarg, 0.01, 1e6, &o->interval) < 0) {
		fprintf(stderr, "kfrag report: --interval wants seconds > 0, not '%s'\n", optarg);
		return -1;
	}
	if (!strcmp(name, "count") && kf_parse_long(optarg, 1, 1L << 40, &o->count) < 0) {
		fprintf(stderr, "kfrag report: --count wants a number of intervals, not '%s'\n", optarg);
		return -1;
	}
	return 0;
}

static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_PROC_ROOT = 256, OPT_BY_COMM, OPT_MEMMAP, OPT_SVG, OPT_INTERVAL, OPT_COUNT };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "text", no_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "by-comm", no_argument, NULL, OPT_BY_COMM },
		{ "memmap", no_argument, NULL, OPT_MEMMAP },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "count", required_argument, NULL, OPT_COUNT },
		KF_GUARD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->proc_root = NULL;	/* "/", or a recording's saved state */
	if (kf_guard_opts_init(&o->guard, argc) < 0) {
		fprintf(stderr, "kfrag report: out of memory\n");
		return -1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:d:jto:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'd':
		case OPT_INTERVAL:
		case OPT_COUNT:
			if (take_number(c == 'd' ? "duration" : c == OPT_INTERVAL ? "interval" : "count", o) < 0)
				return -1;
			break;
		case 'j':
			o->format = OUT_JSON;
			break;
		case 't':
			o->format = OUT_TEXT;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			break;
		case OPT_BY_COMM:
			o->by_comm = true;
			break;
		case OPT_MEMMAP:
			o->memmap = true;
			break;
		case OPT_SVG:
			o->svg = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return 1;
		default:
			switch (kf_guard_opts_take(&o->guard, c, optarg, "report")) {
			case 1:
				break;
			case 0:
				report_usage(stderr);
				return -1;
			default:
				return -1;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kfrag report: unexpected argument '%s'\n", argv[optind]);
		report_usage(stderr);
		return -1;
	}
	return check_report_opts(o);
}

/* the options that go together, and those that do not */
static int check_report_opts(struct report_opts *o)
{
	if (o->count && !(o->interval > 0)) {
		fprintf(stderr, "kfrag report: --count counts intervals: give --interval SEC too\n");
		return -1;
	}
	if (o->interval > 0 && (o->memmap || o->svg || o->output)) {
		fprintf(stderr, "kfrag report: --interval writes lines on standard output; no --memmap, --svg or --output with it\n");
		return -1;
	}
	if (o->interval > 0 && !o->input && o->duration > 0 && !o->count)
		o->count = (long)ceil(o->duration / o->interval - 1e-9);
	if (o->input && o->duration > 0) {
		fprintf(stderr, "kfrag report: say what to analyse: --input FILE or --duration SECONDS\n");
		report_usage(stderr);
		return -1;
	}
	if (!o->input == !(o->duration > 0) && !(o->interval > 0)) {
		fprintf(stderr, "kfrag report: say what to analyse: --input FILE or --duration SECONDS\n");
		report_usage(stderr);
		return -1;
	}
	return kf_guard_opts_check(&o->guard, o->input ? "a recorded trace" : NULL, "report");
}

static int write_report(const struct report_opts *o, const struct kf_report_input *in)
{
	struct kf_atomic_file af = { 0 };
	FILE *out = stdout;
	int ret = 0;

	if (o->output) {
		if (kf_atomic_open(&af, o->output, 0644) < 0) {
			fprintf(stderr, "kfrag report: cannot write %s: %s\n", o->output, strerror(errno));
			return -1;
		}
		out = af.fp;
	}
	if (o->format == OUT_JSON) {
		if (kf_report_json_emit(in, out) < 0)
			ret = -1;
	} else {
		ret = kf_report_text(in, out);
	}
	if (o->output) {
		if (ret < 0) {
			fprintf(stderr, "kfrag report: cannot write %s: %s\n", o->output, strerror(errno));
			kf_atomic_abort(&af);
		} else if (kf_atomic_commit(&af) < 0) {
			fprintf(stderr, "kfrag report: cannot write %s: %s\n", o->output, strerror(errno));
			ret = -1;
		}
	} else if (fflush(stdout) != 0 || ferror(stdout) || ret < 0) {
		/* e.g. > /dev/full: the writes failed, say so (the exit status alone is silent) */
		fprintf(stderr, "kfrag report: cannot write the report to standard output: %s\n", strerror(errno));
		ret = -1;
	}
	return ret;
}

/* the picture, atomically like every output */
static int write_svg(const char *path, const struct kf_report_input *in)
{
	struct kf_atomic_file af = { 0 };

	if (kf_atomic_open(&af, path, 0644) < 0) {
		fprintf(stderr, "kfrag report: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (kf_report_svg(in, af.fp) < 0) {
		fprintf(stderr, "kfrag report: cannot write %s: out of memory or disk\n", path);
		kf_atomic_abort(&af);
		return -1;
	}
	if (kf_atomic_commit(&af) < 0) {
		fprintf(stderr, "kfrag report: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* what the guard found, on stderr before tracing starts */
static void guard_announce(const struct kf_guard_input *in)
{
	for (int i = 0; i < in->nr_procs; i++) {
		const struct kf_protected *p = &in->procs[i];

		fprintf(stderr, "kfrag report: guard: protecting %s (pid %d, %s): %llu kB locked%s",
			p->comm, p->pid, kf_protect_reason_names[p->reason], (unsigned long long)p->vmlck_kb,
			p->smaps_readable ? (p->mlockall ? " by mlockall" : " in ranges") : "");
		if (p->pagemap_readable)
			fprintf(stderr, ", PFNs of %llu locked pages read\n", (unsigned long long)p->locked_pages);
		else
			fprintf(stderr, "; moved pages cannot be verified: %s\n", p->pagemap_why);
	}
	for (int i = 0; i < in->nr_unmatched; i++) {
		if (in->unmatched[i].pid >= 0)
			fprintf(stderr, "kfrag report: guard: --protect-pid %d: no such process\n", in->unmatched[i].pid);
		else
			fprintf(stderr, "kfrag report: guard: --protect-comm %s: no process of that name\n",
				in->unmatched[i].comm);
	}
	if (!in->nr_procs && in->lock_threshold_kb)
		fprintf(stderr, "kfrag report: guard: no process to protect (no sched_ext scheduler, no scx_* "
			"process, none with %llu kB or more locked)\n", (unsigned long long)in->lock_threshold_kb);
	else if (!in->nr_procs)
		fprintf(stderr, "kfrag report: guard: no process to protect (no sched_ext scheduler, no scx_* "
			"process)\n");
	if (in->enforced)
		fprintf(stderr, "kfrag report: guard: --enforce: vm.compact_unevictable_allowed held at 0 "
			"(%d is put back at exit)\n", in->enforce_original);
	else if (in->enforce_error[0])
		fprintf(stderr, "kfrag report: guard: --enforce: %s\n", in->enforce_error);
}

static void opts_release(struct report_opts *o)
{
	kf_guard_opts_release(&o->guard);
}

static void run_config(const struct report_opts *o, struct kf_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = o->input ? (o->interval > 0 ? KF_RUN_REPLAY : KF_RUN_FILE) :
		    o->interval > 0 ? KF_RUN_STREAM : KF_RUN_WINDOW;
	cfg->proc_root = o->proc_root;
	cfg->input = o->input;
	cfg->duration = o->duration;
	cfg->guard = !o->guard.no_guard;
	kf_guard_opts_config(&o->guard, &cfg->guard_live);
	cfg->protect_pids = o->guard.pids;
	cfg->nr_protect_pids = o->guard.nr_pids;
	cfg->protect_comms = o->guard.comms;
	cfg->nr_protect_comms = o->guard.nr_comms;
	/* the map is of this machine now: scanned for a live report, and for a
	 * recorded one only when asked (its --proc-root may hold a saved slice) */
	cfg->memmap = !o->input || o->memmap;
}

/* what the live run set up, on stderr before the window */
static void live_announce(const struct report_opts *o, struct kf_run *r)
{
	const struct kf_guard_input *gi = kf_run_guard_input(r);

	if (gi)
		guard_announce(gi);
	if (gi && kf_run_faults_note(r))
		fprintf(stderr, "kfrag report: guard: %s; page faults are not traced\n", kf_run_faults_note(r));
	fprintf(stderr, "kfrag report: tracing for %g s in instance %s; Ctrl-C ends it early\n",
		o->duration, kf_run_instance(r));
}

/* what the measurement has to say besides the report */
static void measurement_notes(const struct report_opts *o, const struct kf_measurement *m)
{
	if (m->guard_read_failed)
		fprintf(stderr, "kfrag report: guard: out of memory reading /proc\n");
	if (m->enforce_restore_failed && m->guard_in)
		fprintf(stderr, "kfrag report: guard: %s\n", m->guard_in->enforce_error);
	if (m->source && m->source->malformed)
		fprintf(stderr, "kfrag report: %s: %llu malformed lines skipped (first at line %llu)\n",
			o->input, (unsigned long long)m->source->malformed,
			(unsigned long long)m->source->first_malformed_line);
	if (m->guard_failed)
		fprintf(stderr, "kfrag report: guard: out of memory; the report has no guard\n");
	for (int i = 0; m->guard && i < m->guard->nr_alerts; i++)
		if (m->guard->alerts[i].severity >= KF_SEV_WARNING)
			fprintf(stderr, "kfrag report: %s: %s\n",
				m->guard->alerts[i].severity == KF_SEV_CRITICAL ? "CRITICAL" : "WARNING",
				m->guard->alerts[i].message);
}

/* --interval: the lines, then the run closed */
static int run_intervals(struct report_opts *o, struct kf_run *r, struct kf_run_error *err)
{
	struct kf_report_opts_interval io = {
		.interval = o->interval, .count = o->count, .text = o->format == OUT_TEXT,
		.by_comm = o->by_comm, .in_trace = o->input != NULL,
	};
	int ret = kf_report_intervals(r, &io, stdout, err);

	if (ret < 0)
		fprintf(stderr, "kfrag report: %s\n", err->msg);
	kf_run_close(r);
	opts_release(o);
	return ret < 0 ? KF_EXIT_FAIL : KF_EXIT_OK;
}

int kf_cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct kf_run_config cfg;
	struct kf_run_error err;
	struct kf_run *r;
	const struct kf_measurement *m = NULL;
	char mm_err[640] = "";
	int ret;

	ret = parse_report_opts(argc, argv, &o);
	if (ret) {
		opts_release(&o);
		return ret > 0 ? KF_EXIT_OK : KF_EXIT_USAGE;
	}
	run_config(&o, &cfg);
	r = kf_run_open(&cfg, &err);
	if (r && o.interval > 0)
		return run_intervals(&o, r, &err);
	if (r && !o.input)
		live_announce(&o, r);
	if (r && kf_run_step(r, 0, &err) == 0)
		m = kf_run_measure(r, &err);
	if (!m) {
		fprintf(stderr, "kfrag report: %s%s\n", err.kind == KF_RUN_EGUARD ? "guard: " : "", err.msg);
		kf_run_close(r);
		opts_release(&o);
		return KF_EXIT_FAIL;
	}
	measurement_notes(&o, m);
	if (m->memmap_error) {
		snprintf(mm_err, sizeof(mm_err), "%s%s", m->memmap_error,
			 m->memmap_errnum == EACCES ? ": the memory map is not available" : "");
		fprintf(stderr, "kfrag report: %s\n", mm_err);
	}
	struct kf_report_input in = {
		.m = m,
		.by_comm = o.by_comm,
		.memmap_full = o.memmap,
		.memmap_error = mm_err[0] ? mm_err : NULL,
	};

	ret = write_report(&o, &in) < 0 || (o.svg && write_svg(o.svg, &in) < 0) ? KF_EXIT_FAIL : KF_EXIT_OK;
	kf_run_close(r);
	opts_release(&o);
	return ret;
}
