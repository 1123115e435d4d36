/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's configuration: a key = value file, every key in one table
 * (type, bounds, default, one line of help), so parsing, --print-config and
 * the documentation never disagree.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "kf_check.h"
#include "kf_util.h"

#ifndef KF_LOCALSTATEDIR
#define KF_LOCALSTATEDIR "/var"
#endif

enum key_type {
	K_SECONDS,	/* double >= min */
	K_DOUBLE,	/* double in [min, max] */
	K_THRESHOLD,	/* double in [min, max], or "off" */
	K_LONG,		/* integer in [min, max] */
	K_PATH,		/* a path, "" = none */
	K_ORDERS,	/* list of orders 0 .. KF_MAX_ORDER-1 */
	K_ZONES,	/* list of zone names */
	K_PIDS,		/* list of pids */
	K_COMMS,	/* list of command names */
	K_BOOL,		/* yes/no */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;		/* in struct kf_check_config */
	size_t count_off;	/* lists: their counter */
	double min, max;
	const char *def;	/* default, as written in the file */
	const char *help;
};

#define OFF(f) offsetof(struct kf_check_config, f)
#define LIST(f) OFF(f), OFF(nr_##f)

static const struct key keys[] = {
	{ "duration", K_SECONDS, OFF(duration), 0, 0, 3600, "5",
	  "seconds the live kernel is traced (0: no trace, /proc only)" },
	{ "state_file", K_PATH, OFF(state_file), 0, 0, 0, KF_LOCALSTATEDIR "/lib/kfrag/check.state",
	  "counters and time of the previous run (empty: rates are not checked)" },
	{ "history_file", K_PATH, OFF(history_file), 0, 0, 0, "",
	  "JSON Lines file, one line appended per run (empty: none)" },
	{ "prometheus_file", K_PATH, OFF(prometheus_file), 0, 0, 0, "",
	  "node_exporter textfile-collector file, replaced each run (empty: none)" },
	{ "zones", K_ZONES, LIST(zones), 0, 0, "",
	  "zones checked, by name (empty: every populated zone)" },
	{ "unusable_orders", K_ORDERS, LIST(unusable_orders), 0, 0, "3 9",
	  "orders whose unusable free space index is checked" },
	{ "unusable_warning", K_THRESHOLD, OFF(unusable_warning), 0, 0, 1, "0.9",
	  "WARNING when an unusable index is above this" },
	{ "unusable_critical", K_THRESHOLD, OFF(unusable_critical), 0, 0, 1, "0.98",
	  "CRITICAL when an unusable index is above this" },
	{ "extfrag_orders", K_ORDERS, LIST(extfrag_orders), 0, 0, "3 9",
	  "orders whose fragmentation (extfrag) index is checked" },
	{ "extfrag_warning", K_THRESHOLD, OFF(extfrag_warning), 0, -1, 1, "0.5",
	  "WARNING when a fragmentation index is above this (the kernel compacts above vm.extfrag_threshold/1000)" },
	{ "extfrag_critical", K_THRESHOLD, OFF(extfrag_critical), 0, -1, 1, "0.9",
	  "CRITICAL when a fragmentation index is above this" },
	{ "highorder_order", K_LONG, OFF(highorder_order), 0, 0, KF_MAX_ORDER - 1, "9",
	  "order N of the high-order availability check" },
	{ "highorder_warning", K_THRESHOLD, OFF(highorder_warning), 0, 0, 1e15, "64",
	  "WARNING when fewer free blocks of order N (counting larger blocks as several) remain in the zones checked" },
	{ "highorder_critical", K_THRESHOLD, OFF(highorder_critical), 0, 0, 1e15, "8",
	  "CRITICAL when fewer than this remain" },
	{ "compact_stall_rate_warning", K_THRESHOLD, OFF(compact_stall_rate_warning), 0, 0, 1e12, "0.1",
	  "WARNING when direct compaction stalls (vmstat compact_stall) per second since the last run are above this" },
	{ "compact_stall_rate_critical", K_THRESHOLD, OFF(compact_stall_rate_critical), 0, 0, 1e12, "1",
	  "CRITICAL when stalls per second are above this" },
	{ "compact_fail_rate_warning", K_THRESHOLD, OFF(compact_fail_rate_warning), 0, 0, 1e12, "0.05",
	  "WARNING when failed compactions (compact_fail) per second since the last run are above this" },
	{ "compact_fail_rate_critical", K_THRESHOLD, OFF(compact_fail_rate_critical), 0, 0, 1e12, "0.5",
	  "CRITICAL when failures per second are above this" },
	{ "compact_fail_ratio_warning", K_THRESHOLD, OFF(compact_fail_ratio_warning), 0, 0, 1, "0.5",
	  "WARNING when compact_fail / compact_stall since the last run is above this" },
	{ "compact_fail_ratio_critical", K_THRESHOLD, OFF(compact_fail_ratio_critical), 0, 0, 1, "0.9",
	  "CRITICAL when the failure ratio is above this" },
	{ "compact_fail_ratio_min_stalls", K_LONG, OFF(compact_fail_ratio_min_stalls), 0, 1, 1e9, "10",
	  "the failure ratio is checked only after at least this many stalls" },
	{ "rate_min_interval", K_SECONDS, OFF(rate_min_interval), 0, 0, 1e9, "10",
	  "runs closer than this many seconds to the previous one check no rates and keep the state" },
	{ "extfrag_fragmenting_rate_warning", K_THRESHOLD, OFF(extfrag_fragmenting_rate_warning), 0, 0, 1e12, "50",
	  "WARNING when fragmenting fallbacks (mm_page_alloc_extfrag, fragmenting=1) per second of the window are above this" },
	{ "extfrag_fragmenting_rate_critical", K_THRESHOLD, OFF(extfrag_fragmenting_rate_critical), 0, 0, 1e12, "500",
	  "CRITICAL when fragmenting fallbacks per second are above this" },
	{ "extfrag_fallback_rate_warning", K_THRESHOLD, OFF(extfrag_fallback_rate_warning), 0, 0, 1e12, "off",
	  "WARNING when all fallbacks (mm_page_alloc_extfrag, fragmenting or not) per second of the window are above this" },
	{ "extfrag_fallback_rate_critical", K_THRESHOLD, OFF(extfrag_fallback_rate_critical), 0, 0, 1e12, "off",
	  "CRITICAL when all fallbacks per second are above this" },
	{ "lost_events_warning", K_THRESHOLD, OFF(lost_events_warning), 0, 0, 1e18, "0",
	  "WARNING when the ring buffer lost more events than this (never CRITICAL: it is kfrag's own limit)" },
	{ "guard", K_BOOL, OFF(guard), 0, 0, 0, "yes",
	  "check user-space schedulers' mlocked memory (the guard's alerts)" },
	{ "protect_pid", K_PIDS, LIST(protect_pids), 0, 0, "",
	  "pids the guard protects besides those it finds" },
	{ "protect_comm", K_COMMS, LIST(protect_comms), 0, 0, "",
	  "command names the guard protects besides those it finds" },
	{ "protect_locked_kb", K_LONG, OFF(protect_locked_kb), 0, 0, 1099511627776.0, "0",
	  "the guard also protects every process with at least this many kB mlocked (VmLck); 0 (the default of report and top too): only sched_ext schedulers, scx_* processes and those named; processes with 1 MiB or more locked are listed" },
	{ "memmap", K_BOOL, OFF(memmap), 0, 0, 0, "yes",
	  "scan the memory map (/proc/kpageflags, root only) at the end of the window for the blocked-pageblock check; without root an OK line says it is not available" },
	{ "blocked_fraction_warning", K_THRESHOLD, OFF(blocked_fraction_warning), 0, 0, 1, "0.5",
	  "WARNING when the fraction of a zone's usable pageblocks that hold unmovable pages (slab, page tables, kernel, hugetlb, mlocked, reserved, writeback) is above this" },
	{ "blocked_fraction_critical", K_THRESHOLD, OFF(blocked_fraction_critical), 0, 0, 1, "0.8",
	  "CRITICAL when the blocked fraction of a zone is above this" },
	{ "blocked_fraction_min_blocks", K_LONG, OFF(blocked_fraction_min_blocks), 0, 1, 1e9, "32",
	  "zones with fewer usable pageblocks than this (DMA: 8) are reported, not judged" },
	/* the findings (include/kf_findings.h): the same defaults as kf_findings_config_defaults() */
	{ "finding_zone_lock_rate_warning", K_THRESHOLD, OFF(findings.zone_lock_rate_warning), 0, 0, 1e12, "1000",
	  "finding zone_lock_contention WARNING: zone->lock acquisitions per second by one CPU in one zone (a pcp refill or drain run is one) above this" },
	{ "finding_zone_lock_rate_critical", K_THRESHOLD, OFF(findings.zone_lock_rate_critical), 0, 0, 1e12, "10000",
	  "finding zone_lock_contention CRITICAL: acquisitions per second above this" },
	{ "finding_zone_lock_pages_warning", K_THRESHOLD, OFF(findings.zone_lock_pages_warning), 0, 0, 1e12, "20000",
	  "finding zone_lock_contention WARNING: pages taken from or given back to the buddy lists under zone->lock per second by one CPU in one zone above this" },
	{ "finding_zone_lock_pages_critical", K_THRESHOLD, OFF(findings.zone_lock_pages_critical), 0, 0, 1e12, "200000",
	  "finding zone_lock_contention CRITICAL: pages per second under zone->lock above this" },
	{ "finding_unbatched_note", K_THRESHOLD, OFF(findings.unbatched_note), 0, 0, 1e12, "1000",
	  "finding unbatched_frees NOTE: frees of one process not batched (mm_page_free - mm_page_free_batched) per second above this" },
	{ "finding_unbatched_warning", K_THRESHOLD, OFF(findings.unbatched_warning), 0, 0, 1e12, "10000",
	  "finding unbatched_frees WARNING: unbatched frees per second above this" },
	{ "finding_unbatched_critical", K_THRESHOLD, OFF(findings.unbatched_critical), 0, 0, 1e12, "100000",
	  "finding unbatched_frees CRITICAL: unbatched frees per second above this" },
	{ "finding_unbatched_min_share", K_DOUBLE, OFF(findings.unbatched_min_share), 0, 0, 1, "0.5",
	  "finding unbatched_frees: only when at least this share of the process's frees is unbatched" },
	{ "finding_batched_note", K_THRESHOLD, OFF(findings.batched_note), 0, 0, 1e12, "100000",
	  "finding batched_frees NOTE: batched frees (mm_page_free_batched) per second of one process above this" },
	{ "finding_pcp_imbalance_note", K_THRESHOLD, OFF(findings.pcp_imbalance_note), 0, 0, 1e12, "1000",
	  "finding pcp_imbalance NOTE: pages per second refilled into one CPU's pcp lists and drained from another's above this" },
	{ "finding_pcp_imbalance_warning", K_THRESHOLD, OFF(findings.pcp_imbalance_warning), 0, 0, 1e12, "5000",
	  "finding pcp_imbalance WARNING: such pages per second above this" },
	{ "finding_pcp_imbalance_critical", K_THRESHOLD, OFF(findings.pcp_imbalance_critical), 0, 0, 1e12, "50000",
	  "finding pcp_imbalance CRITICAL: such pages per second above this" },
	{ "finding_extfrag_note", K_THRESHOLD, OFF(findings.extfrag_note), 0, 0, 1e12, "0",
	  "finding external_fragmentation NOTE: fragmenting fallbacks per second of one zone and migratetype pair above this" },
	{ "finding_extfrag_warning", K_THRESHOLD, OFF(findings.extfrag_warning), 0, 0, 1e12, "10",
	  "finding external_fragmentation WARNING: fragmenting fallbacks per second above this" },
	{ "finding_extfrag_severe_critical", K_THRESHOLD, OFF(findings.extfrag_severe_critical), 0, 0, 1e12, "100",
	  "finding external_fragmentation CRITICAL: severe fragmenting fallbacks (fallback order 3 or less) per second above this" },
	{ "finding_high_order", K_LONG, OFF(findings.high_order), 0, 1, KF_MAX_ORDER - 1, "9",
	  "finding high_order_unavailable: the order asked about (9: 2 MiB, a transparent huge page on x86-64); WARNING when a zone has no free block of it or is below its low watermark" },
	{ "finding_high_order_min_blocks", K_LONG, OFF(findings.high_order_min_blocks), 0, 0, 1e12, "64",
	  "finding high_order_unavailable: zones with fewer managed pageblocks than this (DMA) are not judged" },
	{ "finding_high_order_unusable_note", K_THRESHOLD, OFF(findings.high_order_unusable_note), 0, 0, 1, "0.9",
	  "finding high_order_unavailable NOTE: the unusable free space index at the order above this" },
	{ "finding_compaction_time_note", K_THRESHOLD, OFF(findings.compaction_time_note), 0, 0, 1e6, "0.01",
	  "finding compaction_cost NOTE: share of the window compaction ran in a zone above this" },
	{ "finding_compaction_time_warning", K_THRESHOLD, OFF(findings.compaction_time_warning), 0, 0, 1e6, "0.1",
	  "finding compaction_cost WARNING: share of the window spent compacting above this" },
	{ "finding_compaction_time_critical", K_THRESHOLD, OFF(findings.compaction_time_critical), 0, 0, 1e6, "0.5",
	  "finding compaction_cost CRITICAL: share of the window spent compacting above this" },
	{ "finding_compaction_success_warning", K_THRESHOLD, OFF(findings.compaction_success_warning), 0, 0, 1, "0.5",
	  "finding compaction_cost WARNING: success rate of compaction asked for an order (woken kcompactd, direct) below this" },
	{ "finding_compaction_min_episodes", K_LONG, OFF(findings.compaction_min_episodes), 0, 1, 1e9, "4",
	  "finding compaction_cost: the success rate is judged from at least this many episodes" },
	{ "finding_direct_compaction_note", K_THRESHOLD, OFF(findings.direct_compaction_note), 0, 0, 1e6, "0",
	  "finding direct_compaction NOTE: milliseconds per second one task stalled in direct compaction above this" },
	{ "finding_direct_compaction_warning", K_THRESHOLD, OFF(findings.direct_compaction_warning), 0, 0, 1e6, "10",
	  "finding direct_compaction WARNING: stall milliseconds per second above this" },
	{ "finding_direct_compaction_critical", K_THRESHOLD, OFF(findings.direct_compaction_critical), 0, 0, 1e6, "100",
	  "finding direct_compaction CRITICAL: stall milliseconds per second above this" },
};
#define NR_KEYS (int)(sizeof(keys) / sizeof(keys[0]))

_Static_assert(sizeof(((struct kf_check_config *)0)->origin) / sizeof(((struct kf_check_config *)0)->origin[0]) >=
	       sizeof(keys) / sizeof(keys[0]), "origin[] too small");

int kf_check_config_nr_keys(void)
{
	return NR_KEYS;
}

const char *kf_check_config_key_name(int i)
{
	return i >= 0 && i < NR_KEYS ? keys[i].name : NULL;
}

static const struct key *find_key(const char *name, int *idx)
{
	for (int i = 0; i < NR_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0) {
			*idx = i;
			return &keys[i];
		}
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* the next word of a list (blanks or commas between), NUL-terminated in place */
static char *list_word(char **cursor)
{
	char *s = *cursor, *w;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (!*s)
		return NULL;
	w = s;
	while (*s && *s != ' ' && *s != '\t' && *s != ',')
		s++;
	if (*s)
		*s++ = '\0';
	*cursor = s;
	return w;
}

static int bad(char *err, size_t errlen, const char *key, const char *value, const char *want)
{
	snprintf(err, errlen, "%s: '%s' is not %s", key, value, want);
	errno = EINVAL;
	return -1;
}

/* a key of one value; 1 when k is a list (not handled here) */
static int set_scalar(struct kf_check_config *cfg, const struct key *k, const char *buf,
		      const char *value_in, char *err, size_t errlen)
{
	char *base = (char *)cfg;
	char want[128];

	switch (k->type) {
	case K_SECONDS:
	case K_DOUBLE: {
		double v;

		snprintf(want, sizeof(want), "a number from %g to %g", k->min, k->max);
		if (kf_parse_double(buf, k->min, k->max, &v) < 0)
			return bad(err, errlen, k->name, value_in, want);
		*(double *)(base + k->off) = v;
		return 0;
	}
	case K_THRESHOLD: {
		struct kf_threshold *t = (struct kf_threshold *)(base + k->off);
		double v;

		if (strcmp(buf, "off") == 0) {
			*t = (struct kf_threshold){ 0 };
			return 0;
		}
		/* a Nagios range, "0.2:0.5" or "@0.2:0.5": the check's own
		 * thresholds only (the findings compare one value) */
		if ((strchr(buf, ':') || buf[0] == '@') && strncmp(k->name, "finding_", 8) != 0) {
			if (kf_check_range_parse(buf, t) == 0)
				return 0;
			return bad(err, errlen, k->name, value_in, "a Nagios range (10, 10:, ~:10, 10:20, @10:20)");
		}
		snprintf(want, sizeof(want), "a number from %g to %g, or off", k->min, k->max);
		if (kf_parse_double(buf, k->min, k->max, &v) < 0)
			return bad(err, errlen, k->name, value_in, want);
		*t = (struct kf_threshold){ .on = true, .value = v };
		return 0;
	}
	case K_LONG: {
		long v;

		snprintf(want, sizeof(want), "a whole number from %.0f to %.0f", k->min, k->max);
		if (kf_parse_long(buf, (long)k->min, (long)k->max, &v) < 0)
			return bad(err, errlen, k->name, value_in, want);
		if (k->off == OFF(highorder_order))
			cfg->highorder_order = (int)v;
		else
			*(long *)(base + k->off) = v;
		return 0;
	}
	case K_PATH:
		if (buf[0] && buf[0] != '/')
			return bad(err, errlen, k->name, value_in, "an absolute path (or empty)");
		if (buf[0] && buf[strlen(buf) - 1] == '/')
			return bad(err, errlen, k->name, value_in, "a file name (it ends with /)");
		snprintf(base + k->off, KF_CHECK_PATH_MAX, "%s", buf);
		return 0;
	case K_BOOL:
		if (!strcmp(buf, "yes") || !strcmp(buf, "true") || !strcmp(buf, "on") || !strcmp(buf, "1"))
			*(bool *)(base + k->off) = true;
		else if (!strcmp(buf, "no") || !strcmp(buf, "false") || !strcmp(buf, "off") || !strcmp(buf, "0"))
			*(bool *)(base + k->off) = false;
		else
			return bad(err, errlen, k->name, value_in, "yes or no");
		return 0;
	case K_ORDERS:
	case K_ZONES:
	case K_PIDS:
	case K_COMMS:
		break;
	}
	return 1;
}

#define LIST_NAME_LEN (KF_ZONE_NAME_LEN > KF_COMM_LEN ? KF_ZONE_NAME_LEN : KF_COMM_LEN)

/* one word of a list key into ints[*n] or names[*n] */
static int list_item(const struct key *k, const char *w, int *ints, char (*names)[LIST_NAME_LEN],
		     int *n, char *err, size_t errlen)
{
	char want[128];
	long v;

	switch (k->type) {
	case K_ORDERS:
		snprintf(want, sizeof(want), "an order from 0 to %d", KF_MAX_ORDER - 1);
		if (kf_parse_long(w, 0, KF_MAX_ORDER - 1, &v) < 0)
			return bad(err, errlen, k->name, w, want);
		for (int i = 0; i < *n; i++)
			if (ints[i] == v)
				return bad(err, errlen, k->name, w, "given once (it is repeated)");
		ints[(*n)++] = (int)v;
		break;
	case K_PIDS:
		if (kf_parse_long(w, 1, 4194304, &v) < 0)
			return bad(err, errlen, k->name, w, "a process id");
		ints[(*n)++] = (int)v;
		break;
	case K_ZONES:
		if (strlen(w) >= KF_ZONE_NAME_LEN)
			return bad(err, errlen, k->name, w, "a zone name (too long)");
		for (const char *p = w; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return bad(err, errlen, k->name, w, "a zone name (DMA, DMA32, Normal, Movable ...)");
		snprintf(names[(*n)++], KF_ZONE_NAME_LEN, "%s", w);
		break;
	case K_COMMS:
		if (strlen(w) >= KF_COMM_LEN)
			return bad(err, errlen, k->name, w, "a command name (the kernel keeps 15 characters)");
		snprintf(names[(*n)++], KF_COMM_LEN, "%s", w);
		break;
	default:
		break;
	}
	return 0;
}

/* lists: parsed whole before anything is stored */
static int set_list(struct kf_check_config *cfg, const struct key *k, char *buf,
		    char *err, size_t errlen)
{
	char *base = (char *)cfg, *cur = buf, *w;
	int ints[KF_CHECK_MAX_LIST];
	char names[KF_CHECK_MAX_LIST][LIST_NAME_LEN];
	int n = 0;

	memset(names, 0, sizeof(names));
	while ((w = list_word(&cur))) {
		if (n == KF_CHECK_MAX_LIST) {
			snprintf(err, errlen, "%s: more than %d values", k->name, KF_CHECK_MAX_LIST);
			errno = EINVAL;
			return -1;
		}
		if (list_item(k, w, ints, names, &n, err, errlen) < 0)
			return -1;
	}
	*(int *)(base + k->count_off) = n;
	for (int i = 0; i < n; i++) {
		switch (k->type) {
		case K_ORDERS:
		case K_PIDS:
			((int *)(base + k->off))[i] = ints[i];
			break;
		case K_ZONES:
			memcpy(cfg->zones[i], names[i], KF_ZONE_NAME_LEN);
			break;
		case K_COMMS:
			memcpy(cfg->protect_comms[i], names[i], KF_COMM_LEN);
			break;
		default:
			break;
		}
	}
	return 0;
}

static int set_value(struct kf_check_config *cfg, const struct key *k, const char *value_in,
		     char *err, size_t errlen)
{
	char buf[KF_CHECK_PATH_MAX];
	int ret;

	if (strlen(value_in) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: value too long", k->name);
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", value_in);
	ret = set_scalar(cfg, k, buf, value_in, err, errlen);
	return ret == 1 ? set_list(cfg, k, buf, err, errlen) : ret;
}

void kf_check_config_defaults(struct kf_check_config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < NR_KEYS; i++) {
		if (set_value(cfg, &keys[i], keys[i].def, err, sizeof(err)) < 0) {
			/* a default that does not parse is a bug in the table */
			fprintf(stderr, "kfrag: internal error: default of %s: %s\n", keys[i].name, err);
			abort();
		}
		snprintf(cfg->origin[i], sizeof(cfg->origin[i]), "default");
	}
}

int kf_check_config_set(struct kf_check_config *cfg, const char *key, const char *value,
			const char *origin, char *err, size_t errlen)
{
	const struct key *k;
	int idx;

	k = find_key(key, &idx);
	if (!k) {
		snprintf(err, errlen, "unknown key '%s' (kfrag check --print-config lists them)", key);
		errno = ENOENT;
		return -1;
	}
	if (set_value(cfg, k, value, err, errlen) < 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(cfg->origin[idx], sizeof(cfg->origin[idx]), "%s", origin);
	return 0;
}

/* one line of the file: 0 (set, or nothing on it), -1 with err set */
static int config_line(struct kf_check_config *cfg, char *line, ssize_t len, bool *seen,
		       const char *path, int lineno, char *err, size_t errlen)
{
	char *s, *eq, *key, *value, *hash, msg[1024];
	const struct key *k;
	int idx;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (strlen(line) != (size_t)len) {
		snprintf(err, errlen, "%s:%d: a NUL byte in the line", path, lineno);
		return -1;
	}
	s = trim(line);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	/* a comment after a value starts with blank + # */
	for (hash = s; (hash = strchr(hash, '#')); hash++)
		if (hash > s && (hash[-1] == ' ' || hash[-1] == '\t')) {
			*hash = '\0';
			s = trim(s);
			break;
		}
	eq = strchr(s, '=');
	if (!eq) {
		snprintf(err, errlen, "%s:%d: '%s' is not 'key = value'", path, lineno, s);
		return -1;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key) {
		snprintf(err, errlen, "%s:%d: no key before '='", path, lineno);
		return -1;
	}
	k = find_key(key, &idx);
	if (!k) {
		snprintf(err, errlen, "%s:%d: unknown key '%s' (kfrag check --print-config lists them)",
			 path, lineno, key);
		return -1;
	}
	if (seen[idx]) {
		snprintf(err, errlen, "%s:%d: '%s' is set twice (first at %s)", path, lineno, key,
			 cfg->origin[idx]);
		return -1;
	}
	seen[idx] = true;
	if (set_value(cfg, k, value, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
		return -1;
	}
	snprintf(cfg->origin[idx], sizeof(cfg->origin[idx]), "%s:%d", path, lineno);
	return 0;
}

/* the file opened for reading: a directory is a mistake, /dev/null an empty
 * configuration; NULL with err set (errno ENOENT when it is missing) */
static FILE *config_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: a directory, not a configuration file", path);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int kf_check_config_load(struct kf_check_config *cfg, const char *path, bool missing_ok,
			 bool *loaded, char *err, size_t errlen)
{
	bool seen[NR_KEYS] = { false };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, ret = 0;
	FILE *f;

	if (loaded)
		*loaded = false;
	f = config_open(path, err, errlen);
	if (!f)
		return errno == ENOENT && missing_ok ? 0 : -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (config_line(cfg, line, len, seen, path, ++lineno, err, errlen) < 0) {
			free(line);
			fclose(f);
			errno = EINVAL;
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = -1;
	} else if (loaded) {
		*loaded = true;
	}
	free(line);
	fclose(f);
	return ret;
}

static void print_threshold(FILE *out, const struct kf_threshold *t)
{
	char r[80];

	if (t->on && t->range)
		fputs(kf_check_range_format(r, sizeof(r), t), out);
	else if (t->on)
		fprintf(out, "%.15g", t->value);
	else
		fputs("off", out);
}

int kf_check_config_print(const struct kf_check_config *cfg, FILE *out)
{
	const char *base = (const char *)cfg;

	fprintf(out, "# kfrag check: effective configuration\n");
	for (int i = 0; i < NR_KEYS; i++) {
		const struct key *k = &keys[i];
		int n = k->count_off ? *(const int *)(base + k->count_off) : 0;

		fprintf(out, "\n# %s\n# (from %s; default: %s)\n%s = ", k->help, cfg->origin[i],
			k->def[0] ? k->def : "empty", k->name);
		switch (k->type) {
		case K_SECONDS:
		case K_DOUBLE:
			fprintf(out, "%.15g", *(const double *)(base + k->off));
			break;
		case K_THRESHOLD:
			print_threshold(out, (const struct kf_threshold *)(base + k->off));
			break;
		case K_LONG:
			if (k->off == OFF(highorder_order))
				fprintf(out, "%d", cfg->highorder_order);
			else
				fprintf(out, "%ld", *(const long *)(base + k->off));
			break;
		case K_PATH:
			fputs(base + k->off, out);
			break;
		case K_BOOL:
			fputs(*(const bool *)(base + k->off) ? "yes" : "no", out);
			break;
		case K_ORDERS:
		case K_PIDS:
			for (int j = 0; j < n; j++)
				fprintf(out, "%s%d", j ? " " : "", ((const int *)(base + k->off))[j]);
			break;
		case K_ZONES:
			for (int j = 0; j < n; j++)
				fprintf(out, "%s%s", j ? " " : "", cfg->zones[j]);
			break;
		case K_COMMS:
			for (int j = 0; j < n; j++)
				fprintf(out, "%s%s", j ? " " : "", cfg->protect_comms[j]);
			break;
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
