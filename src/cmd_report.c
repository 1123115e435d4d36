/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag report: one report, from a recorded trace or from the live kernel. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_cmd.h"
#include "kf_report.h"
#include "kf_session.h"
#include "kf_util.h"

enum output_format { OUT_JSON, OUT_TEXT };

struct report_opts {
	const char *input;
	const char *output;
	const char *proc_root;
	double duration;
	enum output_format format;
	bool by_comm;
};

static void report_usage(FILE *out)
{
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
		"  -h, --help             this help\n"
		"\n"
		"Exit status: 0 report written, 1 the input could not be analysed or the kernel\n"
		"traced, 2 usage error.\n");
}

static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_PROC_ROOT = 256, OPT_BY_COMM };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "text", no_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "by-comm", no_argument, NULL, OPT_BY_COMM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->proc_root = "/";
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:d:jto:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'd':
			if (kf_parse_double(optarg, 0.001, 1e7, &o->duration) < 0) {
				fprintf(stderr, "kfrag report: --duration wants seconds > 0, not '%s'\n", optarg);
				report_usage(stderr);
				return -1;
			}
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
		case 'h':
			report_usage(stdout);
			return 1;
		default:
			report_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kfrag report: unexpected argument '%s'\n", argv[optind]);
		report_usage(stderr);
		return -1;
	}
	if (!o->input == !(o->duration > 0)) {
		fprintf(stderr, "kfrag report: say what to analyse: --input FILE or --duration SECONDS\n");
		report_usage(stderr);
		return -1;
	}
	return 0;
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
		json_t *doc = kf_report_json(in);

		if (!doc || json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) < 0)
			ret = -1;
		else
			fputc('\n', out);
		json_decref(doc);
	} else {
		ret = kf_report_text(in, out);
	}
	if (o->output) {
		if (ret < 0) {
			kf_atomic_abort(&af);
		} else if (kf_atomic_commit(&af) < 0) {
			fprintf(stderr, "kfrag report: cannot write %s: %s\n", o->output, strerror(errno));
			ret = -1;
		}
	} else if (fflush(stdout) != 0) {
		ret = -1;
	}
	return ret;
}

/* the events a report analyses, faults aside (the guard filters those per pid) */
static int report_live(struct kf_session *s, const struct report_opts *o, char *err, size_t errlen)
{
	struct kf_live_config cfg = { .missing_ok = true };

	if (kf_session_live_start(s, &cfg, err, errlen) < 0)
		return -1;
	fprintf(stderr, "kfrag report: tracing for %g s in instance %s; Ctrl-C ends it early\n",
		o->duration, s->instance);
	return kf_session_live_run(s, o->duration, err, errlen);
}

int kf_cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct kf_session s;
	struct kf_snapshot *snap;
	char err[1024] = "";
	int ret;

	ret = parse_report_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? KF_EXIT_OK : KF_EXIT_USAGE;

	if (kf_session_init(&s, o.proc_root, err, sizeof(err)) < 0) {
		fprintf(stderr, "kfrag report: %s\n", err);
		kf_session_release(&s);
		return KF_EXIT_FAIL;
	}
	if (o.input)
		ret = kf_session_read_file(&s, o.input, err, sizeof(err));
	else
		ret = report_live(&s, &o, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "kfrag report: %s\n", err);
		kf_session_release(&s);
		return KF_EXIT_FAIL;
	}
	if (s.source.malformed)
		fprintf(stderr, "kfrag report: %s: %llu malformed lines skipped (first at line %llu)\n",
			o.input, (unsigned long long)s.source.malformed,
			(unsigned long long)s.source.first_malformed_line);

	snap = kf_engine_snapshot(s.engine);
	if (!snap) {
		fprintf(stderr, "kfrag report: out of memory\n");
		kf_session_release(&s);
		return KF_EXIT_FAIL;
	}
	struct kf_report_input in = {
		.snap = snap,
		.syms = &s.syms,
		.source = s.offline ? &s.source : NULL,
		.live_instance = s.offline ? NULL : s.instance,
		.ring = s.ring,
		.nr_ring = s.nr_ring,
		.interrupted = s.interrupted,
		.proc_root = s.proc_root,
		.mem_before = s.offline ? NULL : &s.mem_before,
		.mem_after = s.have_after ? &s.mem_after : &s.mem_before,
		.duration_s = s.offline ? (snap->last_ts - snap->first_ts) / 1e9 : s.wall_s,
		.by_comm = o.by_comm,
	};

	ret = write_report(&o, &in) < 0 ? KF_EXIT_FAIL : KF_EXIT_OK;
	kf_snapshot_free(snap);
	kf_session_release(&s);
	return ret;
}
