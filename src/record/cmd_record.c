/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag record: the live kernel's kmem events into a trace.dat. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kf_cmd.h"
#include "kf_live.h"
#include "kf_state.h"
#include "kf_tracedat_write.h"
#include "kf_symbols.h"
#include "kf_util.h"

/* declared in kf_cmd.h by the command table's owner */
int kf_cmd_record(int argc, char **argv);

#define MAX_FAULT_PIDS 64

struct record_opts {
	const char *output;
	double duration;		/* 0 = until interrupted */
	bool events_given;
	bool exact_given;		/* an event named exactly: it must exist */
	bool want[KF_EV_NR];
	int fault_pids[MAX_FAULT_PIDS];
	int nr_fault_pids;
	long buffer_kb;
	bool quiet;
	bool no_state;
};

static void record_usage(FILE *out)
{
	/* a usage error: its message is out; main() says where the help is */
	if (out == stderr)
		return;
	fprintf(out,
		"Usage: kfrag record -o FILE [OPTIONS]\n"
		"\n"
		"Records the live kernel's page-allocator, compaction and migration events into\n"
		"a trace.dat (trace-cmd's format) that kfrag report and trace-cmd report read.\n"
		"Tracing happens in an instance of kfrag's own (kfrag-PID), removed at exit;\n"
		"global tracing settings are left alone. Needs root.\n"
		"\n"
		"  -o, --output FILE      the trace.dat to write (atomically: complete or absent)\n"
		"  -d, --duration SEC     stop after SEC seconds (default: until Ctrl-C)\n"
		"  -e, --events LIST      comma-separated events: SYSTEM:EVENT, EVENT, SYSTEM or\n"
		"                         SYSTEM:* (kmem, compaction, migrate, exceptions), all\n"
		"                         (default and all: every kmem, compaction and migrate\n"
		"                         event kfrag analyses that this kernel has)\n"
		"      --fault-pid PID    also record exceptions:page_fault_user of PID, filtered in\n"
		"                         the kernel (repeat for more processes)\n"
		"      --buffer-kb KB     ring buffer per CPU (default 16384, at most 1/32 of RAM\n"
		"                         over all CPUs)\n"
		"      --no-state         do not store the memory state in the trace\n"
		"  -q, --quiet            no summary line on stderr\n"
		"  -h, --help             this help\n"
		"\n"
		"The trace also carries the memory state at the start and at the end (zoneinfo,\n"
		"buddyinfo, pagetypeinfo, vmstat, meminfo, the vm sysctls, the processes the\n"
		"guard protects, and at the end the memory map when root), in an option\n"
		"trace-cmd skips:\n"
		"kfrag report and kfrag top of the file show the recorded machine.\n"
		"\n"
		"Ctrl-C (SIGINT), SIGTERM or SIGHUP end the recording early; the file is still\n"
		"written. Exit status: 0 trace written, 1 failure, 2 usage error.\n");
}

static int add_events(struct record_opts *o, char *list)
{
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *sys = NULL, *name;
		char *colon;
		int matched = 0;

		while (*tok == ' ')
			tok++;
		name = tok;
		colon = strchr(tok, ':');
		if (colon) {
			*colon = '\0';
			sys = tok;
			name = colon + 1;
		}
		for (int t = 0; t < KF_EV_OTHER; t++) {
			const struct kf_event_name *n = &kf_event_names[t];
			/* every fault of every process is rarely wanted: --fault-pid */
			bool all = !sys && !strcmp(name, "all") && t != KF_EV_PAGE_FAULT_USER;
			bool whole_sys = (!sys && !strcmp(name, n->system)) ||
					 (sys && !strcmp(sys, n->system) && !strcmp(name, "*"));
			bool exact = (!sys || !strcmp(sys, n->system)) && !strcmp(name, n->name);

			if (all || whole_sys || exact) {
				o->want[t] = true;
				matched++;
			}
			if (exact)
				o->exact_given = true;
		}
		if (!matched) {
			fprintf(stderr, "kfrag record: unknown event '%s%s%s'; kfrag records:", sys ? sys : "",
				sys ? ":" : "", name);
			for (int t = 0; t < KF_EV_OTHER; t++)
				fprintf(stderr, "%s%s:%s", t ? ", " : " ", kf_event_names[t].system,
					kf_event_names[t].name);
			fprintf(stderr, "\n");
			return -1;
		}
	}
	o->events_given = true;
	return 0;
}

static int parse_record_opts(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_FAULT_PID = 256, OPT_BUFFER_KB, OPT_NO_STATE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'e' },
		{ "fault-pid", required_argument, NULL, OPT_FAULT_PID },
		{ "buffer-kb", required_argument, NULL, OPT_BUFFER_KB },
		{ "no-state", no_argument, NULL, OPT_NO_STATE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:e:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			if (kf_parse_double(optarg, 0.001, 1e7, &o->duration) < 0) {
				fprintf(stderr, "kfrag record: --duration wants seconds > 0, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'e':
			if (add_events(o, optarg) < 0)
				return -1;
			break;
		case OPT_FAULT_PID:
			if (kf_parse_long(optarg, 1, INT32_MAX, &v) < 0) {
				fprintf(stderr, "kfrag record: --fault-pid wants a process id, not '%s'\n", optarg);
				return -1;
			}
			if (o->nr_fault_pids == MAX_FAULT_PIDS) {
				fprintf(stderr, "kfrag record: at most %d --fault-pid\n", MAX_FAULT_PIDS);
				return -1;
			}
			o->fault_pids[o->nr_fault_pids++] = (int)v;
			break;
		case OPT_BUFFER_KB:
			if (kf_parse_long(optarg, 64, 4L << 20, &o->buffer_kb) < 0) {
				fprintf(stderr, "kfrag record: --buffer-kb wants 64 to 4194304, not '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_NO_STATE:
			o->no_state = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			record_usage(stdout);
			return 1;
		default:
			record_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kfrag record: unexpected argument '%s'\n", argv[optind]);
		record_usage(stderr);
		return -1;
	}
	if (!o->output) {
		fprintf(stderr, "kfrag record: say where to write the trace: -o FILE\n");
		record_usage(stderr);
		return -1;
	}
	return 0;
}

/* nothing to analyse while recording: the pages go to the file */
static void count_event(void *ctx, const struct kf_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void count_lost(void *ctx, int cpu, long long n)
{
	(void)ctx;
	(void)cpu;
	(void)n;
}

/* the trace.dat with the state at the start (when captured) and now */
static int write_trace(struct kf_live *l, const struct record_opts *o, const struct kf_state_archive *start,
		       char *err, size_t errlen)
{
	struct kf_tracedat_option opts[2];
	struct kf_state_archive end = { 0 };
	int nr = 0, ret;

	if (!o->no_state && start->buf) {
		opts[nr++] = (struct kf_tracedat_option){ KF_TRACEDAT_OPT_STATE, start->buf, start->len };
		if (kf_state_capture("/", "end", true, &end) == 0)
			opts[nr++] = (struct kf_tracedat_option){ KF_TRACEDAT_OPT_STATE, end.buf, end.len };
	}
	ret = kf_live_write_tracedat(l, o->output, opts, nr, err, errlen);
	kf_state_archive_release(&end);
	return ret;
}

int kf_cmd_record(int argc, char **argv)
{
	struct kf_sink sink = { count_event, count_lost, NULL };
	enum kf_event_type events[KF_EV_NR];
	struct kf_live_config cfg = { 0 };
	struct record_opts o;
	struct kf_symbols syms;
	struct kf_state_archive state[1] = { { 0 } };
	struct kf_live *l;
	char err[1024] = "", *dir_copy;
	uint64_t nr_events = 0, lost = 0;
	int ret, nr = 0;

	ret = parse_record_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? KF_EXIT_OK : KF_EXIT_USAGE;

	for (int t = 0; t < KF_EV_OTHER; t++)
		if (o.want[t])
			events[nr++] = t;
	cfg.events = o.events_given ? events : NULL;
	cfg.nr_events = o.events_given ? nr : 0;
	/* "compaction" or "all" take what this kernel has */
	cfg.missing_ok = !o.exact_given;
	cfg.fault_pids = o.fault_pids;
	cfg.nr_fault_pids = o.nr_fault_pids;
	cfg.buffer_kb = o.buffer_kb;
	cfg.keep_raw = true;
	/* spool beside the output: same file system, and the user chose it */
	dir_copy = strdup(o.output);
	if (!dir_copy) {
		fprintf(stderr, "kfrag record: out of memory\n");
		return KF_EXIT_FAIL;
	}
	cfg.raw_dir = dirname(dir_copy);
	/* before tracing starts, not after a long recording */
	if (access(cfg.raw_dir, W_OK | X_OK) < 0) {
		fprintf(stderr, "kfrag record: cannot write %s: %s: %s\n", o.output, cfg.raw_dir,
			strerror(errno));
		free(dir_copy);
		return KF_EXIT_FAIL;
	}

	/* before tracing starts, so that its own reading is not recorded */
	if (!o.no_state && kf_state_capture("/", "start", false, &state[0]) < 0)
		fprintf(stderr, "kfrag record: out of memory: the memory state is not stored\n");
	kf_symbols_init(&syms);
	l = kf_live_open(&cfg, &syms, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "kfrag record: %s\n", err);
		kf_symbols_release(&syms);
		kf_state_archive_release(&state[0]);
		free(dir_copy);
		return KF_EXIT_FAIL;
	}
	if (!o.quiet)
		fprintf(stderr, "kfrag: recording in instance %s%s; Ctrl-C stops\n",
			kf_live_instance_name(l), o.duration > 0 ? "" : " until interrupted");

	ret = KF_EXIT_OK;
	if (kf_live_run(l, &sink, o.duration, NULL, NULL, 0) < 0) {
		fprintf(stderr, "kfrag record: %s\n", kf_live_error(l));
		ret = KF_EXIT_FAIL;
	}
	kf_live_totals(l, &nr_events, &lost);
	/* what was read is worth keeping even when reading failed later */
	if (write_trace(l, &o, &state[0], err, sizeof(err)) < 0) {
		fprintf(stderr, "kfrag record: %s\n", err);
		ret = KF_EXIT_FAIL;
	} else if (!o.quiet) {
		fprintf(stderr, "kfrag: recorded %llu events (lost %llu) to %s\n",
			(unsigned long long)nr_events, (unsigned long long)lost, o.output);
	}
	if (lost && !o.quiet)
		fprintf(stderr, "kfrag: the ring buffer overflowed; a larger --buffer-kb loses less\n");
	kf_live_close(l);
	kf_symbols_release(&syms);
	kf_state_archive_release(&state[0]);
	free(dir_copy);
	return ret;
}
