/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check: one short measurement compared with thresholds and with the
 * previous run, a verdict in the form monitoring systems expect (exit 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN), and optionally a history line and a
 * Prometheus textfile. kfrag's own failures are UNKNOWN, never CRITICAL.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "check_args.h"
#include "kf_check.h"
#include "kf_cmd.h"
#include "kf_guard_opts.h"
#include "kf_guard_proc.h"
#include "kf_run.h"
#include "kf_util.h"

#ifndef KF_SYSCONFDIR
#define KF_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG KF_SYSCONFDIR "/kfrag.conf"

enum check_format { FMT_NAGIOS, FMT_JSON };

struct check_opts {
	const char *config;		/* NULL: DEFAULT_CONFIG if it exists */
	const char *input;
	const char *proc_root;		/* NULL: / */
	double now;			/* --now; 0 = the clock */
	enum check_format format;
	bool quiet;
	bool print_config;
	/* overrides of the configuration, applied after the file */
	const char *duration, *state, *history, *prometheus;
	const char *thresholds[2][KF_CHECK_MAX_LIST];	/* -w, -c: CHECK=RANGE,... */
	int nr_thresholds[2];
	const char *perfdata;		/* --perfdata: all, key, none, globs */
	double timeout;			/* -t; 0 = none */
	/* --assume-sysctl NAME=VALUE: the traced machine's sysctls; -1 = not said */
	int assume[KF_SYSCTL_NR];
	bool assumed;
	int verbose;			/* -v, -vv */
	char usage_error[256];		/* what was wrong with the command line */
};

static void check_usage(FILE *out)
{
	fprintf(out,
		"Usage: kfrag check [OPTIONS]\n"
		"\n"
		"Samples the kernel for a short window, compares fragmentation, compaction and the\n"
		"guard's alerts with thresholds and with the previous run, prints a verdict and exits\n"
		"0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN (kfrag could not measure), as Nagios\n"
		"plugins do. For cron, systemd timers, Nagios/Icinga and node_exporter.\n"
		"\n"
		"  -w, --warning CHECK=RANGE[,...]  a WARNING threshold (repeatable): CHECK as in\n"
		"                         kfrag.conf's CHECK_warning keys, RANGE as Nagios writes it:\n"
		"                         N, ~:N or 0:N alert above N, N: below N (highorder), any\n"
		"                         other range as itself (10:20 outside, @10:20 inside), off\n"
		"  -c, --critical CHECK=RANGE[,...]  the same for CRITICAL (-c unusable=0.98)\n"
		"  -t, --timeout SEC      give up after SEC seconds: UNKNOWN, the trace cleaned up\n"
		"  -d, --duration SEC     trace the live kernel for SEC seconds (default 5; 0: read\n"
		"                         /proc only, no trace)\n"
		"      --config FILE      configuration (default " DEFAULT_CONFIG ", if present)\n"
		"  -s, --state FILE       the previous run's counters, for rates (state_file)\n"
		"      --nagios           status line, perfdata and details (the default)\n"
		"  -j, --json             the same as one JSON document\n"
		"  -p, --prometheus FILE  also write node_exporter textfile metrics (atomically)\n"
		"      --history FILE     also append one JSON line per run (JSON Lines)\n"
		"  -q, --quiet            print nothing when the status is OK\n"
		"  -v, --verbose          also the configuration in effect, in the long output\n"
		"      --perfdata WHICH   all (default: the status line has those about no zone, the\n"
		"                         long output the rest), key (only those), none, or label\n"
		"                         globs: --perfdata 'unusable_*,free_blocks_ge_o*'\n"
		"      --print-config     print the effective configuration and exit\n"
		"  -i, --input FILE       analyse a recorded trace instead of a live window\n"
		"      --assume-sysctl NAME=VALUE  with --input: the traced machine's\n"
		"                         compact_unevictable_allowed (0|1) or compaction_proactiveness\n"
		"                         (a recording by kfrag record carries them)\n"
		"      --proc-root DIR    read zoneinfo, buddyinfo, vmstat, kpageflags from DIR\n"
		"                         (a saved /proc); no live trace then\n"
		"      --now SECONDS      take the measurement as made at SECONDS since the epoch\n"
		"                         (replaying saved captures; the state records it)\n"
		"  -V, --version          kfrag's version\n"
		"  -h, --help             this help\n"
		"\n"
		"Options override kfrag.conf. An empty FILE (--history '') switches that output off.\n"
		"A bad command line is UNKNOWN (exit 3) with one status line saying why. man\n"
		"kfrag-check(8) describes the checks, perfdata and metrics, kfrag.conf(5) the keys.\n");
}

static int usage_error(struct check_opts *o, const char *fmt, const char *what)
{
	snprintf(o->usage_error, sizeof(o->usage_error), fmt, what);
	return -1;
}

/* the option getopt stopped at, for the message */
static const char *bad_option(int argc, char **argv)
{
	static char buf[3];

	if (optopt > 0 && optopt < 128 && isalnum(optopt)) {
		snprintf(buf, sizeof(buf), "-%c", optopt);
		return buf;
	}
	return optind > 0 && optind <= argc ? argv[optind - 1] : "?";
}

static int take_threshold(struct check_opts *o, int level, const char *arg)
{
	if (o->nr_thresholds[level] == KF_CHECK_MAX_LIST)
		return usage_error(o, "too many %s options", level ? "-c" : "-w");
	o->thresholds[level][o->nr_thresholds[level]++] = arg;
	return 0;
}

/* the long options without a letter (the parser's table and take_option) */
enum { OPT_NAGIOS = 256, OPT_PRINT_CONFIG, OPT_PROC_ROOT, OPT_NOW, OPT_CONFIG, OPT_HISTORY, OPT_PERFDATA,
       OPT_ASSUME };

/* the options of Nagios plugins and kfrag's own; 0 go on, 1 done, -1 usage error */
static int take_option(struct check_opts *o, int c, int argc, char **argv)
{

	switch (c) {
	case 'd': o->duration = optarg; break;
	case OPT_CONFIG: o->config = optarg; break;
	case 's': o->state = optarg; break;
	case OPT_NAGIOS: o->format = FMT_NAGIOS; break;
	case 'j': o->format = FMT_JSON; break;
	case 'p': o->prometheus = optarg; break;
	case OPT_HISTORY: o->history = optarg; break;
	case 'q': o->quiet = true; break;
	case 'v': o->verbose++; break;
	case OPT_PRINT_CONFIG: o->print_config = true; break;
	case 'i': o->input = optarg; break;
	case OPT_PROC_ROOT: o->proc_root = optarg; break;
	case OPT_ASSUME:
		if (kf_guard_assume_parse(optarg, o->assume, o->usage_error, sizeof(o->usage_error)) < 0)
			return -1;
		o->assumed = true;
		break;
	case OPT_PERFDATA:
		if (kf_check_perfdata_valid(optarg) < 0)
			return usage_error(o, "--perfdata wants all, key, none or label globs, not '%s'", optarg);
		o->perfdata = optarg;
		break;
	case 'w': return take_threshold(o, 0, optarg);
	case 'c': return take_threshold(o, 1, optarg);
	case 't':
		if (kf_parse_double(optarg, 0.1, 86400, &o->timeout) < 0)
			return usage_error(o, "-t wants seconds from 0.1 to 86400, not '%s'", optarg);
		break;
	case OPT_NOW:
		if (kf_parse_double(optarg, 1, 1e11, &o->now) < 0)
			return usage_error(o, "--now wants seconds since the epoch, not '%s'", optarg);
		break;
	case 'V':
		printf("kfrag %s\n", PACKAGE_VERSION);
		return 1;
	case 'h':
		check_usage(stdout);
		return 1;
	case ':':
		return usage_error(o, "option '%s' needs a value", argv[optind - 1]);
	default:
		return usage_error(o, "unknown option '%s'", bad_option(argc, argv));
	}
	return 0;
}

static int parse_check_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "perfdata", required_argument, NULL, OPT_PERFDATA },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "state", required_argument, NULL, 's' },
		{ "nagios", no_argument, NULL, OPT_NAGIOS },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", required_argument, NULL, 'p' },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
		{ "input", required_argument, NULL, 'i' },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "assume-sysctl", required_argument, NULL, OPT_ASSUME },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(o, 0, sizeof(*o));
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		o->assume[k] = -1;
	optind = 1;
	opterr = 0;	/* the status line says what was wrong */
	optopt = 0;
	while ((c = getopt_long(argc, argv, ":w:c:t:d:s:jp:qvi:Vh", longopts, NULL)) != -1) {
		ret = take_option(o, c, argc, argv);
		if (ret)
			return ret;
		optopt = 0;
	}
	if (optind < argc)
		return usage_error(o, "unexpected argument '%s'", argv[optind]);
	if (o->assumed && !o->input)
		return usage_error(o, "%s is for a recorded trace (--input); live, kfrag reads the sysctls",
				   "--assume-sysctl");
	return 0;
}

/* UNKNOWN before anything could be measured: one line, the same in every format */
static int unknown_early(const struct check_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int unknown_early(const struct check_opts *o, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->format == FMT_JSON) {
		json_t *doc = json_pack("{s:s, s:s, s:i, s:s}", "schema_version", KF_CHECK_SCHEMA_VERSION,
					"status", "UNKNOWN", "exit_code", KF_CHECK_UNKNOWN, "summary", msg);

		if (doc) {
			json_dumpf(doc, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(doc);
		}
	} else {
		for (char *p = msg; *p; p++)
			if (*p == '|' || *p == '\n')
				*p = *p == '|' ? '/' : ' ';
		printf("KFRAG UNKNOWN - %s\n", msg);
	}
	fflush(stdout);
	return KF_CHECK_UNKNOWN;
}

static double realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int load_config(struct kf_check_config *cfg, const struct check_opts *o, char *err, size_t errlen)
{
	const struct { const char *key, *value, *origin; } over[] = {
		{ "duration", o->duration, "--duration" },
		{ "state_file", o->state, "--state" },
		{ "history_file", o->history, "--history" },
		{ "prometheus_file", o->prometheus, "--prometheus" },
	};

	kf_check_config_defaults(cfg);
	if (kf_check_config_load(cfg, o->config ? o->config : DEFAULT_CONFIG, !o->config, NULL,
				 err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		char msg[512];

		if (over[i].value &&
		    kf_check_config_set(cfg, over[i].key, over[i].value, over[i].origin, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s %s", over[i].origin, msg);
			return -1;
		}
	}
	return 0;
}

/* -w and -c, over the file's thresholds */
static int apply_thresholds(struct kf_check_config *cfg, const struct check_opts *o, char *err, size_t errlen)
{
	for (int level = 0; level < 2; level++)
		for (int i = 0; i < o->nr_thresholds[level]; i++)
			if (kf_check_threshold_arg(cfg, o->thresholds[level][i], level == 1, err, errlen) < 0)
				return -1;
	return 0;
}

struct check_run {
	struct check_opts o;
	struct kf_check_config cfg;
	struct kf_run *run;
	const struct kf_measurement *m;	/* NULL: nothing measured */
	const struct kf_memstate *mem;
	struct kf_check_state now, prev;
	bool have_prev;
	struct kf_check_report rep;
	char hostname[256];
	const char *comms[KF_CHECK_MAX_LIST];
};

/*
 * The run of this check: a recorded trace, a live window, or /proc only.
 * The guard watches this machine's processes (its discovery plus
 * protect_pid / protect_comm) live or in /proc only; in a recorded trace
 * the processes protect_pid and protect_comm name; with --proc-root alone
 * there are none. The memory map (memmap = yes) is not available without
 * root or kpageflags: the check says so in an OK line; kfrag's own
 * inability to read the map never changes the verdict.
 */
static void check_run_config(struct check_run *r, struct kf_run_config *rc)
{
	const struct check_opts *o = &r->o;

	for (int i = 0; i < r->cfg.nr_protect_comms; i++)
		r->comms[i] = r->cfg.protect_comms[i];
	memset(rc, 0, sizeof(*rc));
	rc->mode = o->input ? KF_RUN_FILE : !o->proc_root && r->cfg.duration > 0 ? KF_RUN_WINDOW : KF_RUN_PROC;
	/* NULL: "/", or the state a recording carries */
	rc->proc_root = o->proc_root;
	rc->input = o->input;
	rc->duration = r->cfg.duration;
	rc->guard = r->cfg.guard && (o->input || !o->proc_root);
	rc->guard_live = (struct kf_guard_config){
		.root = "/",
		.pids = r->cfg.protect_pids,
		.nr_pids = r->cfg.nr_protect_pids,
		.comms = r->comms,
		.nr_comms = r->cfg.nr_protect_comms,
		/* fleets run mlocking daemons (agents, databases, DPDK) that are no
		 * user-space scheduler: protecting by VmLck alone is opted into */
		.lock_threshold_kb = r->cfg.protect_locked_kb > 0 ? (uint64_t)r->cfg.protect_locked_kb
								   : KF_GUARD_LOCK_OFF,
	};
	for (int k = 0; k < KF_SYSCTL_NR; k++)
		if (o->assume[k] >= 0) {
			rc->guard_live.assume_sysctl[k] = o->assume[k];
			rc->guard_live.assume_mask |= 1u << k;
		}
	rc->protect_pids = r->cfg.protect_pids;
	rc->nr_protect_pids = r->cfg.nr_protect_pids;
	rc->protect_comms = r->comms;
	rc->nr_protect_comms = r->cfg.nr_protect_comms;
	rc->memmap = r->cfg.memmap;
	rc->findings = &r->cfg.findings;
}

static const struct kf_memstate no_memstate;

static int measure(struct check_run *r, char *err, size_t errlen)
{
	struct kf_run_config rc;
	struct kf_run_error e;
	const struct kf_measurement *m;

	check_run_config(r, &rc);
	r->run = kf_run_open(&rc, &e);
	if (!r->run || kf_run_step(r->run, 0, &e) < 0 || !(m = kf_run_measure(r->run, &e))) {
		snprintf(err, errlen, "%s%s", e.kind == KF_RUN_EGUARD ? "the guard cannot start: " : "", e.msg);
		return -1;
	}
	if (m->interrupted) {
		snprintf(err, errlen, "interrupted by a signal after %.1f s of the %g s window",
			 m->duration_s, r->cfg.duration);
		return -1;
	}
	if (m->guard_failed) {
		snprintf(err, errlen, "out of memory evaluating the guard");
		return -1;
	}
	r->m = m;
	/* a trace with no memory state: nothing of zones to judge (KF_NO_MEMSTATE_NOTE) */
	r->mem = m->mem ? m->mem : &no_memstate;
	kf_check_state_from_vmstat(&r->now, (r->mem->have & KF_HAVE_VMSTAT) ? &r->mem->vmstat : NULL);
	r->now.time = r->o.now > 0 ? r->o.now : realtime_s();
	snprintf(r->now.boot_id, sizeof(r->now.boot_id), "%s", m->boot_id);
	return 0;
}

/* state read, evaluation, state write: under the state's lock */
static int evaluate(struct check_run *r)
{
	const char *state = r->cfg.state_file;
	char err[1024] = "", werr[1024];
	bool exists = false, malformed = false;
	int lock = -1, ret;

	if (state[0]) {
		lock = kf_check_lock(state, 30, err, sizeof(err));
		if (lock >= 0) {
			if (kf_check_state_read(state, &r->prev, &exists, err, sizeof(err)) == 0)
				r->have_prev = exists;
			else
				malformed = errno == EINVAL;
		}
	}
	struct kf_check_input in = {
		.cfg = &r->cfg,
		.zoneinfo = (r->mem->have & KF_HAVE_ZONEINFO) ? &r->mem->zoneinfo : NULL,
		.buddyinfo = (r->mem->have & KF_HAVE_BUDDYINFO) ? &r->mem->buddyinfo : NULL,
		.now = &r->now,
		.prev = r->have_prev ? &r->prev : NULL,
		.have_state_file = state[0] != '\0',
		.prev_error = err[0] ? err : NULL,
		.have_trace = r->m->snap != NULL,
		.window_s = r->m->duration_s,
		.snap = r->m->snap,
		.memmap = r->m->memmap,
		.memmap_error = r->m->memmap_error,
		.page_size = r->m->page_size > 0 ? r->m->page_size : sysconf(_SC_PAGESIZE),
	};

	ret = kf_check_evaluate(&in, &r->rep);
	if (ret == 0 && r->m->no_memstate)
		ret = kf_check_report_add(&r->rep, KF_CHECK_OK, "memory_state", "%s", KF_NO_MEMSTATE_NOTE);
	if (ret == 0)
		ret = kf_check_add_guard(&r->rep, r->m->guard);
	if (ret == 0 && r->m->guard)
		ret = kf_check_add_locked_not_protected(&r->rep, r->m->guard_in);
	if (ret == 0)
		ret = kf_check_add_findings(&r->rep, r->m->findings);
	if (ret == 0 && state[0] && lock >= 0 && !r->rep.keep_prev_state) {
		/* a malformed state is replaced (the next run has rates again);
		 * a symbolic link or an unreadable file is left to the admin */
		bool replace = !err[0] || malformed;

		if (replace && kf_check_state_write(state, &r->now, werr, sizeof(werr)) < 0)
			ret = kf_check_report_add(&r->rep, KF_CHECK_UNKNOWN, "state",
						  "the state for the next run could not be saved: %s", werr);
	}
	kf_check_unlock(lock);
	return ret;
}

/* -v: the configuration in effect and where each value came from, as
 * long-output lines after the results */
static void verbose_config(const struct check_run *r, FILE *out)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		return;
	kf_check_config_print(&r->cfg, mem);
	fclose(mem);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] && line[0] != '#')
			fprintf(out, "config: %s\n", line);
	free(buf);
}

static int outputs(struct check_run *r)
{
	const struct kf_measurement *mm = r->m;
	const struct kf_memstate *m = r->mem;
	struct kf_check_output out = {
		.rep = &r->rep,
		.cfg = &r->cfg,
		.zoneinfo = m && (m->have & KF_HAVE_ZONEINFO) ? &m->zoneinfo : NULL,
		.buddyinfo = m && (m->have & KF_HAVE_BUDDYINFO) ? &m->buddyinfo : NULL,
		.now = &r->now,
		.snap = mm ? mm->snap : NULL,
		.guard = mm ? mm->guard : NULL,
		.guard_in = mm && mm->guard ? mm->guard_in : NULL,
		.memmap = mm ? mm->memmap : NULL,
		.memmap_error = mm ? mm->memmap_error : NULL,
		.findings = mm ? mm->findings : NULL,
		.source = r->o.input ? r->o.input : mm && mm->snap ? "live" : "proc",
		.hostname = r->hostname,
		.perfdata = r->o.perfdata,
		.page_size = mm && mm->page_size > 0 ? mm->page_size : sysconf(_SC_PAGESIZE), /* /proc alone: this machine's */
	};
	char err[1024];
	int ret = 0;

	if (r->cfg.prometheus_file[0] &&
	    kf_check_prometheus_write(r->cfg.prometheus_file, &out, err, sizeof(err)) < 0)
		ret |= kf_check_report_add(&r->rep, KF_CHECK_UNKNOWN, "prometheus", "%s", err);
	if (r->cfg.history_file[0]) {
		json_t *doc = kf_check_json(&out);

		if (!doc || kf_check_history_append(r->cfg.history_file, doc, err, sizeof(err)) < 0)
			ret |= kf_check_report_add(&r->rep, KF_CHECK_UNKNOWN, "history", "%s",
						   doc ? err : "out of memory");
		json_decref(doc);
	}
	if (r->o.quiet && r->rep.status == KF_CHECK_OK)
		return ret;
	if (r->o.format == FMT_JSON) {
		json_t *doc = kf_check_json(&out);

		if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) < 0)
			ret = -1;
		else
			fputc('\n', stdout);
		json_decref(doc);
	} else {
		ret |= kf_check_print_nagios(&out, stdout);
		if (r->o.verbose)
			verbose_config(r, stdout);
	}
	if (fflush(stdout) != 0)
		ret = -1;
	return ret;
}

/* the check itself, after the command line: in this process, or in the
 * child that -t watches */
static int check_body(void *arg)
{
	struct check_run *r = arg;
	char err[2048] = "";

	if (load_config(&r->cfg, &r->o, err, sizeof(err)) < 0)
		return unknown_early(&r->o, "configuration: %s", err);
	if (apply_thresholds(&r->cfg, &r->o, err, sizeof(err)) < 0)
		return unknown_early(&r->o, "bad command line: %s", err);
	if (r->o.print_config)
		return kf_check_config_print(&r->cfg, stdout) < 0 || fflush(stdout) ? KF_CHECK_UNKNOWN : KF_CHECK_OK;
	if (gethostname(r->hostname, sizeof(r->hostname) - 1) < 0)
		r->hostname[0] = '\0';
	if (measure(r, err, sizeof(err)) < 0) {
		/* nothing measured: UNKNOWN, still in the history and the textfile,
		 * so a check that keeps failing is seen; the state is left alone */
		kf_check_report_release(&r->rep);
		r->m = NULL;
		r->mem = NULL;
		if (r->now.time == 0)
			r->now.time = r->o.now > 0 ? r->o.now : realtime_s();
		r->now.have = 0;
		if (kf_check_report_add(&r->rep, KF_CHECK_UNKNOWN, "measure", "cannot measure: %s", err) < 0)
			return unknown_early(&r->o, "cannot measure: %s", err);
	} else if (evaluate(r) < 0) {
		return unknown_early(&r->o, "out of memory");
	}
	if (outputs(r) < 0) {
		/* the verdict never reached the monitor: UNKNOWN, not the status it missed */
		fprintf(stderr, "kfrag check: cannot write the result to standard output: %s\n", strerror(errno));
		return KF_CHECK_UNKNOWN;
	}
	return r->rep.status;	/* outputs() may have added an UNKNOWN */
}

int kf_cmd_check(int argc, char **argv)
{
	struct check_run *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return KF_CHECK_UNKNOWN;
	ret = parse_check_opts(argc, argv, &r->o);
	if (ret) {
		if (ret < 0)	/* Nagios: a usage error is UNKNOWN, one status line saying why */
			printf("KFRAG UNKNOWN - bad command line: %s; Try 'kfrag check --help' for more information.\n",
			       r->o.usage_error);
		free(r);
		return ret > 0 ? KF_CHECK_OK : KF_CHECK_UNKNOWN;
	}
	if (r->o.timeout > 0 && !r->o.print_config) {
		ret = kf_check_with_timeout(r->o.timeout, check_body, r);
		if (ret == -1)
			ret = unknown_early(&r->o, "timed out after %g s (kfrag check -t %g): nothing measured",
					    r->o.timeout, r->o.timeout);
		else if (ret == -2)
			ret = unknown_early(&r->o, "-t: cannot start the measurement: %s", strerror(errno));
	} else {
		ret = check_body(r);
	}
	kf_check_report_release(&r->rep);
	kf_run_close(r->run);
	free(r);
	return ret;
}
