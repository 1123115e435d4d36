/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check: one measurement compared with thresholds and with the previous
 * run, for cron, systemd timers, Nagios/Icinga and Prometheus.
 *
 *   kf_check_config_defaults(&cfg); kf_check_config_load(&cfg, FILE, ...);
 *   ...one session (live window or recorded trace) and a snapshot...
 *   kf_check_state_read(STATE, &prev, ...);           previous counters
 *   kf_check_evaluate(&input, &report);                pure: no I/O at all
 *   kf_check_add_guard(&report, &guard_result);        the guard's alerts
 *   kf_check_print_nagios / kf_check_json / kf_check_history_append /
 *   kf_check_prometheus_write;  kf_check_state_write(STATE, &now, ...)
 *
 * Status ranks: CRITICAL > UNKNOWN > WARNING > OK (a real danger always
 * shows; a monitor that cannot measure is not hidden by a standing warning).
 */
#ifndef KF_CHECK_H
#define KF_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "kf_engine.h"
#include "kf_event.h"
#include "kf_findings.h"
#include "kf_guard.h"
#include "kf_memmap.h"
#include "kf_zones.h"
#include "kf_proc.h"

/* the version of kfrag check's JSON (--json, the history's lines):
 * data/kfrag-check.schema.json; a minor version only adds keys */
#define KF_CHECK_SCHEMA_VERSION "1.2"

/* exit codes, as Nagios plugins use them */
enum kf_check_status {
	KF_CHECK_OK = 0,
	KF_CHECK_WARNING = 1,
	KF_CHECK_CRITICAL = 2,
	KF_CHECK_UNKNOWN = 3,
	KF_CHECK_NR_STATUS
};
extern const char *const kf_check_status_names[KF_CHECK_NR_STATUS];	/* "OK", "WARNING", ... */
/* the more serious of a and b: CRITICAL > UNKNOWN > WARNING > OK */
enum kf_check_status kf_check_worse(enum kf_check_status a, enum kf_check_status b);

/* ---- configuration (src/check_config.c) ------------------------------ */

#define KF_CHECK_MAX_LIST	32
#define KF_CHECK_PATH_MAX	4096

/* struct kf_threshold: kf_findings.h (the findings' thresholds are keys here too) */

struct kf_check_config {
	double duration;			/* seconds of live tracing; 0 = no trace */
	char state_file[KF_CHECK_PATH_MAX];	/* "" = none: rates are not checked */
	char history_file[KF_CHECK_PATH_MAX];	/* "" = none */
	char prometheus_file[KF_CHECK_PATH_MAX];/* "" = none */

	char zones[KF_CHECK_MAX_LIST][KF_ZONE_NAME_LEN];	/* empty = every populated zone */
	int nr_zones;

	int unusable_orders[KF_CHECK_MAX_LIST];
	int nr_unusable_orders;
	struct kf_threshold unusable_warning, unusable_critical;	/* index above */

	int extfrag_orders[KF_CHECK_MAX_LIST];
	int nr_extfrag_orders;
	struct kf_threshold extfrag_warning, extfrag_critical;		/* index above */

	int highorder_order;
	struct kf_threshold highorder_warning, highorder_critical;	/* blocks below */

	struct kf_threshold compact_stall_rate_warning, compact_stall_rate_critical;	/* per s above */
	struct kf_threshold compact_fail_rate_warning, compact_fail_rate_critical;	/* per s above */
	struct kf_threshold compact_fail_ratio_warning, compact_fail_ratio_critical;	/* above */
	long compact_fail_ratio_min_stalls;
	double rate_min_interval;		/* seconds */

	struct kf_threshold extfrag_fragmenting_rate_warning, extfrag_fragmenting_rate_critical;
	struct kf_threshold extfrag_fallback_rate_warning, extfrag_fallback_rate_critical;
	struct kf_threshold lost_events_warning;	/* above; lost events are never critical */

	bool guard;
	int protect_pids[KF_CHECK_MAX_LIST];
	int nr_protect_pids;
	char protect_comms[KF_CHECK_MAX_LIST][KF_COMM_LEN];
	int nr_protect_comms;
	long protect_locked_kb;			/* also protect VmLck >= this; 0 = no */

	/* the memory map (/proc/kpageflags, root): blocked pageblocks per zone */
	bool memmap;				/* scan it at the end of the window */
	struct kf_threshold blocked_fraction_warning, blocked_fraction_critical;	/* above */
	long blocked_fraction_min_blocks;	/* zones with fewer usable blocks are not judged */

	/* thresholds of the findings (the finding_* keys) */
	struct kf_findings_config findings;

	/* where each key got its value ("default", "FILE:LINE", "--option") */
	char origin[96][96];
};

void kf_check_config_defaults(struct kf_check_config *cfg);
/*
 * Reads a key = value file over cfg. Unknown keys, bad values, repeated keys
 * and lines that are not "key = value" are errors: -1 with err set to
 * "FILE:LINE: what is wrong". missing_ok: a file that does not exist is
 * not an error (the default configuration file); *loaded says if it was read.
 */
int kf_check_config_load(struct kf_check_config *cfg, const char *path, bool missing_ok,
			 bool *loaded, char *err, size_t errlen);
/* one key = value, as in the file; origin says where it came from. -1 with
 * err set and errno ENOENT (no such key) or EINVAL (a bad value) */
int kf_check_config_set(struct kf_check_config *cfg, const char *key, const char *value,
			const char *origin, char *err, size_t errlen);
/* the effective configuration, as a file kf_check_config_load reads back */
int kf_check_config_print(const struct kf_check_config *cfg, FILE *out);
/* documentation of the keys: name, default and one line (for --help and the man page) */
int kf_check_config_nr_keys(void);
const char *kf_check_config_key_name(int i);

/* ---- state between runs (src/check_state.c) --------------------------- */

/* the /proc/vmstat counters kept between runs */
enum kf_check_counter {
	KF_CTR_COMPACT_STALL,
	KF_CTR_COMPACT_FAIL,
	KF_CTR_COMPACT_SUCCESS,
	KF_CTR_COMPACT_DAEMON_WAKE,
	KF_CTR_COMPACT_MIGRATE_SCANNED,
	KF_CTR_COMPACT_FREE_SCANNED,
	KF_CTR_COMPACT_ISOLATED,
	KF_CTR_PGMIGRATE_SUCCESS,
	KF_CTR_PGMIGRATE_FAIL,
	KF_CTR_NR
};
extern const char *const kf_check_counter_names[KF_CTR_NR];	/* the vmstat names */

struct kf_check_state {
	double time;			/* seconds since the epoch, of the measurement */
	char boot_id[40];		/* /proc/sys/kernel/random/boot_id, "" unknown */
	uint64_t counter[KF_CTR_NR];
	unsigned have;			/* bit per counter known */
};

/* counters from a vmstat read */
void kf_check_state_from_vmstat(struct kf_check_state *st, const struct kf_vmstat *vs);
/*
 * Reads the state file. 0 and *exists false when there is none (first run);
 * -1 with err when it cannot be read or is malformed ("FILE:LINE: ..."), or
 * is a symbolic link (never followed).
 */
int kf_check_state_read(const char *path, struct kf_check_state *st, bool *exists,
			char *err, size_t errlen);
/* atomically (temporary file + rename), mode 0600, directories created */
int kf_check_state_write(const char *path, const struct kf_check_state *st, char *err, size_t errlen);
/* an exclusive lock on PATH.lock (waits up to timeout_s); returns the fd */
int kf_check_lock(const char *path, double timeout_s, char *err, size_t errlen);
void kf_check_unlock(int fd);
/* creates the missing directories above path (mode 0755) */
int kf_mkdir_parents(const char *path);

/* ---- evaluation (src/check_eval.c): pure -------------------------------- */

struct kf_check_input {
	const struct kf_check_config *cfg;
	const struct kf_zoneinfo *zoneinfo;	/* may be NULL */
	const struct kf_buddyinfo *buddyinfo;	/* NULL: the index checks are UNKNOWN */
	const struct kf_check_state *now;	/* counters and time of this measurement */
	const struct kf_check_state *prev;	/* NULL: no previous run */
	bool have_state_file;			/* false: state_file = "" (rates off) */
	const char *prev_error;			/* the state file could not be read: why */
	/* the trace window; have_trace false: no trace was analysed */
	bool have_trace;
	double window_s;
	const struct kf_snapshot *snap;		/* extfrag fallbacks, lost events */
	/* the memory map, scanned at the end of the window (cfg->memmap); NULL
	 * with memmap_error set when it could not be: an OK line says why */
	const struct kf_memmap *memmap;
	const char *memmap_error;
	long page_size;				/* bytes of a page: the contiguous MiB */
};

struct kf_check_result {
	enum kf_check_status status;
	char check[32];			/* "unusable_index", "guard", ... */
	int node;			/* -1 when not about a zone */
	char zone[KF_ZONE_NAME_LEN];
	int order;			/* -1 when not about an order */
	bool has_value;
	double value;
	int pid;			/* guard: -1 when about no single process */
	char kind[48];			/* guard: the alert kind */
	char message[1024];
	/* bytes of message the status line quotes (the guard's alert without its
	 * " Action: ..." advice, which the long output keeps); 0: all of it */
	size_t headline_len;
};

struct kf_perfdata {
	char label[64];
	bool undetermined;		/* "U": no value this run */
	double value;
	char uom[4];
	char warn[24], crit[24], min[24], max[24];	/* Nagios ranges, "" = none */
	bool per_zone;			/* about one zone: the long output's, not line one's */
};

struct kf_check_report {
	enum kf_check_status status;
	struct kf_check_result *results;
	int nr_results, alloc_results;
	struct kf_perfdata *perf;
	int nr_perf, alloc_perf;

	bool first_run;			/* no previous counters */
	bool counters_reset;		/* counters went backwards or the boot changed */
	bool rates;			/* rates were computed from deltas */
	bool keep_prev_state;		/* interval too short: the state file is kept */
	double interval_s;		/* since the previous run (when rates) */
	uint64_t delta[KF_CTR_NR];	/* when rates */
	unsigned have_delta;
	double window_s;
	uint64_t fallbacks, fragmenting, lost_events;
	bool lost_unknown;
	uint64_t highorder_blocks;	/* free blocks of order >= highorder_order, in such blocks */
};

int kf_check_evaluate(const struct kf_check_input *in, struct kf_check_report *rep);
/* a result from outside the evaluation (I/O failures, notes); 0 or -1 (ENOMEM) */
int kf_check_report_add(struct kf_check_report *rep, enum kf_check_status st, const char *check,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The guard's alerts as check results: critical -> CRITICAL, warning ->
 * WARNING, note -> OK with the alert's text; plus the guard_critical and
 * guard_warning perfdata. g NULL: the guard did not run (nothing added).
 */
int kf_check_add_guard(struct kf_check_report *rep, const struct kf_guard_result *g);
/* an OK line naming the processes with 1 MiB or more locked that the guard
 * does not protect (kf_guard_input.candidates), and how to protect one */
int kf_check_add_locked_not_protected(struct kf_check_report *rep, const struct kf_guard_input *in);
/* pageblocks of the zone of a kind kf_block_kind_blocked() says: the
 * core's count (kf_zones.h), under the name the check's tests know */
static inline uint64_t kf_check_blocked_blocks(const struct kf_memmap_zone *z)
{
	return kf_memmap_zone_blocked(z);
}
/*
 * The findings (src/check/check_findings.c): every one but the guard's a
 * result (critical -> CRITICAL, warning -> WARNING, note -> OK), and the
 * findings_critical, findings_warning and findings_note perfdata.
 */
int kf_check_add_findings(struct kf_check_report *rep, const struct kf_findings *f);
int kf_check_prometheus_findings(const struct kf_findings *f, FILE *out);
/* a perfdata value with its thresholds (NULL: none), minimum 0; 0 or -1 */
int kf_check_perf_add(struct kf_check_report *rep, const char *label, double value,
		      const struct kf_threshold *warn, const struct kf_threshold *crit);
/* a one-line summary of the worst results ("" when OK: the caller says so) */
void kf_check_summary(const struct kf_check_report *rep, char *buf, size_t len);
void kf_check_report_release(struct kf_check_report *rep);

/* ---- output (src/check_output.c) ---------------------------------------- */

struct kf_check_output {
	const struct kf_check_report *rep;
	const struct kf_check_config *cfg;
	const struct kf_zoneinfo *zoneinfo;	/* may be NULL */
	const struct kf_buddyinfo *buddyinfo;	/* may be NULL */
	const struct kf_check_state *now;
	const struct kf_snapshot *snap;		/* may be NULL */
	const struct kf_guard_result *guard;	/* may be NULL */
	const struct kf_guard_input *guard_in;	/* what the guard read; may be NULL */
	const struct kf_memmap *memmap;		/* may be NULL */
	const char *memmap_error;		/* why there is no map (memmap = yes), or NULL */
	const struct kf_findings *findings;	/* may be NULL */
	const char *source;			/* "live", the input file, or "proc" */
	const char *hostname;
	/* the perfdata printed: NULL or "all", "key" (no per-zone labels),
	 * "none", or label globs "unusable_*,free_blocks_ge_o9" */
	const char *perfdata;
	long page_size;				/* bytes of a page (the metrics are in bytes) */
};

/* NRPE v2 passes 1024 bytes: the status line never needs more */
#define KF_CHECK_STATUS_LINE_MAX 1024
/* 0 when SEL is a perfdata selection kf_check_print_nagios takes */
int kf_check_perfdata_valid(const char *sel);
/*
 * "KFRAG STATUS - summary | key perfdata" in at most
 * KF_CHECK_STATUS_LINE_MAX bytes (newline included): the summary cut with
 * "..." if it must be, the perfdata without a zone first, as many as fit;
 * then one line per result, worst first; then, after a line starting with
 * '|', the rest of the perfdata selected, one a line (Nagios' long output).
 */
int kf_check_print_nagios(const struct kf_check_output *o, FILE *out);
json_t *kf_check_json(const struct kf_check_output *o);
/* one compact JSON line appended under flock, O_APPEND, never truncating,
 * never through a symbolic link; created 0600 */
int kf_check_history_append(const char *path, json_t *doc, char *err, size_t errlen);
/* node_exporter textfile: atomically, mode 0644 */
int kf_check_prometheus_write(const char *path, const struct kf_check_output *o,
			      char *err, size_t errlen);
int kf_check_prometheus_print(const struct kf_check_output *o, FILE *out);

/* Nagios ranges (check_range.c): "@10:20" into t (on, range); -1 when
 * malformed. breached: the value alerts. format: the range with both
 * ends ("20" is written "0:20") */
int kf_check_range_parse(const char *s, struct kf_threshold *t);
bool kf_check_range_breached(const struct kf_threshold *t, double v);
const char *kf_check_range_format(char *buf, size_t len, const struct kf_threshold *t);

#endif
