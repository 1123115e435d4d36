/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's verdict: configuration, the kernel's memory state, the
 * previous run's counters and the trace window's snapshot in, a list of
 * check results (status and a sentence) and Nagios perfdata out. Pure: no
 * file, clock or terminal is touched here, so every threshold is unit-tested.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_check.h"
#include "kf_fragindex.h"

const char *const kf_check_status_names[KF_CHECK_NR_STATUS] = {
	[KF_CHECK_OK] = "OK",
	[KF_CHECK_WARNING] = "WARNING",
	[KF_CHECK_CRITICAL] = "CRITICAL",
	[KF_CHECK_UNKNOWN] = "UNKNOWN",
};

static int rank(enum kf_check_status s)
{
	switch (s) {
	case KF_CHECK_OK:
		return 0;
	case KF_CHECK_WARNING:
		return 1;
	case KF_CHECK_UNKNOWN:
		return 2;
	case KF_CHECK_CRITICAL:
		return 3;
	default:
		return 2;
	}
}

enum kf_check_status kf_check_worse(enum kf_check_status a, enum kf_check_status b)
{
	return rank(a) >= rank(b) ? a : b;
}

/* ---- building the report -------------------------------------------------- */

static struct kf_check_result *result_new(struct kf_check_report *rep, enum kf_check_status st,
					  const char *check)
{
	struct kf_check_result *r;

	if (rep->nr_results == rep->alloc_results) {
		int n = rep->alloc_results ? rep->alloc_results * 2 : 32;
		void *p = realloc(rep->results, n * sizeof(*rep->results));

		if (!p)
			return NULL;
		rep->results = p;
		rep->alloc_results = n;
	}
	r = &rep->results[rep->nr_results++];
	memset(r, 0, sizeof(*r));
	r->status = st;
	r->node = -1;
	r->order = -1;
	r->pid = -1;
	snprintf(r->check, sizeof(r->check), "%s", check);
	rep->status = kf_check_worse(rep->status, st);
	return r;
}

int kf_check_report_add(struct kf_check_report *rep, enum kf_check_status st, const char *check,
			const char *fmt, ...)
{
	struct kf_check_result *r = result_new(rep, st, check);
	va_list ap;

	if (!r)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return 0;
}

static struct kf_perfdata *perf_new(struct kf_check_report *rep, const char *label)
{
	struct kf_perfdata *p;

	if (rep->nr_perf == rep->alloc_perf) {
		int n = rep->alloc_perf ? rep->alloc_perf * 2 : 32;
		void *q = realloc(rep->perf, n * sizeof(*rep->perf));

		if (!q)
			return NULL;
		rep->perf = q;
		rep->alloc_perf = n;
	}
	p = &rep->perf[rep->nr_perf++];
	memset(p, 0, sizeof(*p));
	snprintf(p->label, sizeof(p->label), "%s", label);
	return p;
}

/* a number as perfdata and messages want it: no exponent, no trailing zeros */
static const char *num(double v, char *buf, size_t len)
{
	char *e;

	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	snprintf(buf, len, "%.6f", v);
	e = buf + strlen(buf);
	while (e > buf && e[-1] == '0')
		*--e = '\0';
	if (e > buf && e[-1] == '.')
		*--e = '\0';
	return buf;
}

/* seconds as people read them: 300 s, 16.1 s, 0.2 s, 14 us stays 0.000014 s */
static const char *secs(double v, char *buf, size_t len)
{
	if (v >= 0.1 && v != floor(v))
		v = round(v * 10) / 10;
	return num(v, buf, len);
}

/* Nagios range of a threshold: "above" alerts when value > t ("t", or
 * "~:t" when the value may be negative); "below" when value < t ("t:") */
static void nagios_range(char *buf, size_t len, const struct kf_threshold *t, bool below, bool negative)
{
	char n[32];

	if (!t->on)
		buf[0] = '\0';
	else if (below)
		snprintf(buf, len, "%s:", num(t->value, n, sizeof(n)));
	else
		snprintf(buf, len, "%s%s", negative ? "~:" : "", num(t->value, n, sizeof(n)));
}

static struct kf_perfdata *perf_add(struct kf_check_report *rep, const char *label, double value,
				    const struct kf_threshold *warn, const struct kf_threshold *crit,
				    bool below, const char *min, const char *max)
{
	struct kf_perfdata *p = perf_new(rep, label);

	if (!p)
		return NULL;
	p->value = value;
	if (warn)
		nagios_range(p->warn, sizeof(p->warn), warn, below, min && !*min);
	if (crit)
		nagios_range(p->crit, sizeof(p->crit), crit, below, min && !*min);
	snprintf(p->min, sizeof(p->min), "%s", min ? min : "");
	snprintf(p->max, sizeof(p->max), "%s", max ? max : "");
	return p;
}

static struct kf_perfdata *perf_undetermined(struct kf_check_report *rep, const char *label,
					     const struct kf_threshold *warn,
					     const struct kf_threshold *crit, const char *max)
{
	struct kf_perfdata *p = perf_add(rep, label, 0, warn, crit, false, "0", max);

	if (p)
		p->undetermined = true;
	return p;
}

static enum kf_check_status grade_above(double v, const struct kf_threshold *w, const struct kf_threshold *c)
{
	if (c->on && v > c->value)
		return KF_CHECK_CRITICAL;
	if (w->on && v > w->value)
		return KF_CHECK_WARNING;
	return KF_CHECK_OK;
}

static enum kf_check_status grade_below(double v, const struct kf_threshold *w, const struct kf_threshold *c)
{
	if (c->on && v < c->value)
		return KF_CHECK_CRITICAL;
	if (w->on && v < w->value)
		return KF_CHECK_WARNING;
	return KF_CHECK_OK;
}

/* "warning above 0.9, critical above 0.98" */
static const char *limits(char *buf, size_t len, const struct kf_threshold *w,
			  const struct kf_threshold *c, const char *how)
{
	char a[32], b[32];

	if (w->on && c->on)
		snprintf(buf, len, "warning %s %s, critical %s %s", how, num(w->value, a, sizeof(a)),
			 how, num(c->value, b, sizeof(b)));
	else if (w->on)
		snprintf(buf, len, "warning %s %s", how, num(w->value, a, sizeof(a)));
	else if (c->on)
		snprintf(buf, len, "critical %s %s", how, num(c->value, b, sizeof(b)));
	else
		snprintf(buf, len, "no threshold");
	return buf;
}

/* ---- the zones: indices and high-order availability ------------------------ */

static bool zone_selected(const struct kf_check_config *cfg, const char *name)
{
	if (cfg->nr_zones == 0)
		return true;
	for (int i = 0; i < cfg->nr_zones; i++)
		if (strcmp(cfg->zones[i], name) == 0)
			return true;
	return false;
}

static const struct kf_zone_info *zoneinfo_find(const struct kf_zoneinfo *zi, int node, const char *name)
{
	for (int i = 0; zi && i < zi->nr_zones; i++)
		if (zi->zones[i].node == node && strcmp(zi->zones[i].name, name) == 0)
			return &zi->zones[i];
	return NULL;
}

static int check_index(struct kf_check_report *rep, const struct kf_check_config *cfg,
		       const struct kf_buddy_zone *z, bool unusable)
{
	const int *orders = unusable ? cfg->unusable_orders : cfg->extfrag_orders;
	int nr = unusable ? cfg->nr_unusable_orders : cfg->nr_extfrag_orders;
	const struct kf_threshold *w = unusable ? &cfg->unusable_warning : &cfg->extfrag_warning;
	const struct kf_threshold *c = unusable ? &cfg->unusable_critical : &cfg->extfrag_critical;
	const char *what = unusable ? "unusable free space index" : "fragmentation index";
	const char *check = unusable ? "unusable_index" : "extfrag_index";

	for (int i = 0; i < nr; i++) {
		int order = orders[i], idx;
		struct kf_check_result *r;
		char label[64], ibuf[16], lim[96];

		if (order >= z->nr_orders) {
			r = result_new(rep, KF_CHECK_UNKNOWN, check);
			if (!r)
				return -1;
			r->node = z->node;
			snprintf(r->zone, sizeof(r->zone), "%s", z->name);
			r->order = order;
			snprintf(r->message, sizeof(r->message),
				 "node %d %s: no order %d in buddyinfo (orders 0-%d): fix %s_orders",
				 z->node, z->name, order, z->nr_orders - 1, unusable ? "unusable" : "extfrag");
			continue;
		}
		idx = unusable ? kf_unusable_index(z->free_blocks, z->nr_orders, order)
			       : kf_extfrag_index(z->free_blocks, z->nr_orders, order);
		r = result_new(rep, grade_above(idx / 1000.0, w, c), check);
		if (!r)
			return -1;
		r->node = z->node;
		snprintf(r->zone, sizeof(r->zone), "%s", z->name);
		r->order = order;
		r->has_value = true;
		r->value = idx / 1000.0;
		if (!unusable && idx == -1000)
			snprintf(r->message, sizeof(r->message),
				 "node %d %s: %s at order %d is -1.000 (a free block of order %d or more exists; %s)",
				 z->node, z->name, what, order, order, limits(lim, sizeof(lim), w, c, "above"));
		else
			snprintf(r->message, sizeof(r->message), "node %d %s: %s at order %d is %s (%s)",
				 z->node, z->name, what, order, kf_index_format(idx, ibuf),
				 limits(lim, sizeof(lim), w, c, "above"));
		snprintf(label, sizeof(label), "%s_node%d_%s_o%d", unusable ? "unusable" : "extfrag",
			 z->node, z->name, order);
		if (!perf_add(rep, label, idx / 1000.0, w, c, false, unusable ? "0" : "", "1"))
			return -1;
	}
	return 0;
}

static int check_zones(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_buddyinfo *bi = in->buddyinfo;
	int n = cfg->highorder_order, selected = 0, usable = 0;
	uint64_t blocks = 0;
	struct kf_check_result *r;
	char label[64], lim[96], b1[32];

	if (!bi || bi->nr_zones == 0) {
		return kf_check_report_add(rep, KF_CHECK_UNKNOWN, "zones",
					   "buddyinfo could not be read: no fragmentation index or "
					   "high-order availability");
	}
	for (int i = 0; i < cfg->nr_zones; i++) {
		bool found = false;

		for (int j = 0; j < bi->nr_zones; j++)
			found |= strcmp(bi->zones[j].name, cfg->zones[i]) == 0;
		if (!found && kf_check_report_add(rep, KF_CHECK_OK, "zones",
						  "zone %s is not populated on this machine: not checked",
						  cfg->zones[i]) < 0)
			return -1;
	}
	for (int j = 0; j < bi->nr_zones; j++) {
		const struct kf_buddy_zone *z = &bi->zones[j];
		const struct kf_zone_info *zi = zoneinfo_find(in->zoneinfo, z->node, z->name);

		if (!zone_selected(cfg, z->name))
			continue;
		selected++;
		if (zi) {
			char max[24];

			snprintf(label, sizeof(label), "free_pages_node%d_%s", z->node, z->name);
			snprintf(max, sizeof(max), "%llu", (unsigned long long)zi->managed);
			if (!perf_add(rep, label, (double)zi->free_pages, NULL, NULL, false, "0", max))
				return -1;
		}
		if (check_index(rep, cfg, z, true) < 0 || check_index(rep, cfg, z, false) < 0)
			return -1;
		if (n < z->nr_orders)
			usable++;
		for (int o = n; o < z->nr_orders; o++)
			blocks += z->free_blocks[o] << (o - n);
	}
	if (selected == 0)
		return kf_check_report_add(rep, KF_CHECK_UNKNOWN, "zones",
					   "none of the zones configured (zones = ...) is populated here");
	if (usable == 0)
		return kf_check_report_add(rep, KF_CHECK_UNKNOWN, "highorder",
					   "no zone has order %d in buddyinfo: fix highorder_order", n);
	rep->highorder_blocks = blocks;
	r = result_new(rep, grade_below((double)blocks, &cfg->highorder_warning, &cfg->highorder_critical),
		       "highorder");
	if (!r)
		return -1;
	r->order = n;
	r->has_value = true;
	r->value = (double)blocks;
	snprintf(r->message, sizeof(r->message),
		 "%llu free blocks of order %d or more (%s MiB contiguous, counted in order-%d blocks; %s)",
		 (unsigned long long)blocks, n, num((double)(blocks << n) * 4096 / 1048576, b1, sizeof(b1)), n,
		 limits(lim, sizeof(lim), &cfg->highorder_warning, &cfg->highorder_critical, "below"));
	snprintf(label, sizeof(label), "free_blocks_ge_o%d", n);
	if (!perf_add(rep, label, (double)blocks, &cfg->highorder_warning, &cfg->highorder_critical,
		      true, "0", ""))
		return -1;
	return 0;
}

/* ---- the memory map: blocked pageblocks -------------------------------------- */

uint64_t kf_check_blocked_blocks(const struct kf_memmap_zone *z)
{
	uint64_t n = 0;

	for (int k = 0; k < KF_BK_NR; k++)
		if (kf_block_kind_blocked(k))
			n += z->blocks_by_kind[k];
	return n;
}

/*
 * Per zone checked: blocked / usable pageblocks. Blocked: every kind
 * kf_block_kind_blocked() says (a page compaction cannot move holds the
 * block). Usable: all but holes and blocks no page of which reports a flag
 * (memory not initialised yet). UNSURE blocks (free and movable pages plus
 * pages without flags, mostly per-CPU free pages) are usable and not
 * blocked: the fraction is what kpageflags proves; the line says how high
 * it would be with them. The map's absence is never a verdict: an OK line.
 */
static int check_memmap(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_memmap *m = in->memmap;
	const struct kf_threshold *w = &cfg->blocked_fraction_warning, *c = &cfg->blocked_fraction_critical;

	if (!cfg->memmap)
		return kf_check_report_add(rep, KF_CHECK_OK, "memmap",
					   "memory map not scanned (memmap = no): blocked pageblocks not checked");
	if (!m)
		return kf_check_report_add(rep, KF_CHECK_OK, "memmap", "memory map not available: %s",
					   in->memmap_error && in->memmap_error[0] ? in->memmap_error
										 : "it was not scanned");
	for (int i = 0; i < m->nr_zones; i++) {
		const struct kf_memmap_zone *z = &m->zones[i];
		uint64_t blocked = kf_check_blocked_blocks(z), usable = z->usable_blocks;
		uint64_t unsure = z->blocks_by_kind[KF_BK_UNSURE], other = z->nr_blocks - usable;
		struct kf_check_result *r;
		char reasons[256] = "", more[160] = "", lim[96], label[64];
		size_t len = 0;
		double fraction;

		if (!zone_selected(cfg, z->name))
			continue;
		for (int k = 0; k < KF_BK_NR && len < sizeof(reasons); k++)
			if (kf_block_kind_blocked(k) && z->blocks_by_kind[k])
				len += snprintf(reasons + len, sizeof(reasons) - len, "%s%s %llu", len ? ", " : "",
						kf_block_kind_names[k], (unsigned long long)z->blocks_by_kind[k]);
		if (usable < (uint64_t)cfg->blocked_fraction_min_blocks) {
			r = result_new(rep, KF_CHECK_OK, "blocked_fraction");
			if (!r)
				return -1;
			r->node = z->node;
			snprintf(r->zone, sizeof(r->zone), "%s", z->name);
			snprintf(r->message, sizeof(r->message),
				 "node %d %s: %llu usable pageblocks, fewer than blocked_fraction_min_blocks "
				 "(%ld): not judged (%llu blocked%s%s%s)",
				 z->node, z->name, (unsigned long long)usable, cfg->blocked_fraction_min_blocks,
				 (unsigned long long)blocked, reasons[0] ? ": " : "", reasons,
				 other ? "; the others are holes or not initialised" : "");
			continue;
		}
		fraction = (double)blocked / usable;
		if (unsure)
			snprintf(more, sizeof(more), "; %llu unsure (free, movable and unflagged pages) not "
				 "counted, %.3f if they were", (unsigned long long)unsure,
				 (double)(blocked + unsure) / usable);
		if (other)
			snprintf(more + strlen(more), sizeof(more) - strlen(more),
				 "; %llu more are holes or not initialised", (unsigned long long)other);
		r = result_new(rep, grade_above(fraction, w, c), "blocked_fraction");
		if (!r)
			return -1;
		r->node = z->node;
		snprintf(r->zone, sizeof(r->zone), "%s", z->name);
		r->has_value = true;
		r->value = fraction;
		snprintf(r->message, sizeof(r->message),
			 "node %d %s: %llu of %llu usable pageblocks blocked by pages compaction cannot "
			 "move: %.3f (%s%s; %s)",
			 z->node, z->name, (unsigned long long)blocked, (unsigned long long)usable, fraction,
			 reasons[0] ? reasons : "none", more, limits(lim, sizeof(lim), w, c, "above"));
		snprintf(label, sizeof(label), "blocked_fraction_node%d_%s", z->node, z->name);
		if (!perf_add(rep, label, fraction, w, c, false, "0", "1"))
			return -1;
	}
	return 0;
}

/* ---- rates from /proc/vmstat deltas ------------------------------------------ */

static bool has(const struct kf_check_state *s, int c)
{
	return s->have & (1u << c);
}

static int rates_undetermined(struct kf_check_report *rep, const struct kf_check_config *cfg)
{
	if (!perf_undetermined(rep, "compact_stalls", NULL, NULL, "") ||
	    !perf_undetermined(rep, "compact_fails", NULL, NULL, "") ||
	    !perf_undetermined(rep, "compact_successes", NULL, NULL, "") ||
	    !perf_undetermined(rep, "compact_stall_rate", &cfg->compact_stall_rate_warning,
			       &cfg->compact_stall_rate_critical, "") ||
	    !perf_undetermined(rep, "compact_fail_rate", &cfg->compact_fail_rate_warning,
			       &cfg->compact_fail_rate_critical, "") ||
	    !perf_undetermined(rep, "compact_fail_ratio", &cfg->compact_fail_ratio_warning,
			       &cfg->compact_fail_ratio_critical, "1"))
		return -1;
	return 0;
}

static int check_rates(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_check_state *now = in->now, *prev = in->prev;
	double interval, stall_rate, fail_rate;
	uint64_t stalls, fails;
	struct kf_check_result *r;
	char lim[96], a[32], b[32];
	const char *why = NULL;

	if (!has(now, KF_CTR_COMPACT_STALL) || !has(now, KF_CTR_COMPACT_FAIL)) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"vmstat has no compact_stall/compact_fail (a kernel without "
					"CONFIG_COMPACTION?): compaction rates not checked") < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	if (!in->have_state_file) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"no state file (state_file is empty): compaction rates are not checked") < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	if (in->prev_error) {
		if (kf_check_report_add(rep, KF_CHECK_UNKNOWN, "state",
					"previous run's state unreadable: %s; compaction rates not checked",
					in->prev_error) < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	if (!prev) {
		rep->first_run = true;
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"first run: no previous counters yet, compaction rates are checked "
					"from the next run on") < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	interval = now->time - prev->time;
	if (prev->boot_id[0] && now->boot_id[0] && strcmp(prev->boot_id, now->boot_id) != 0)
		why = "the machine rebooted since the last run (boot_id changed)";
	for (int c = 0; !why && c < KF_CTR_NR; c++)
		if (has(prev, c) && has(now, c) && now->counter[c] < prev->counter[c])
			why = "the vmstat counters went backwards since the last run (a reboot?)";
	if (!why && interval <= 0)
		why = "the clock went backwards since the last run";
	if (why) {
		rep->counters_reset = true;
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction", "%s: rates start over from this run",
					why) < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	if (interval < cfg->rate_min_interval) {
		rep->keep_prev_state = true;
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"only %s s since the last run (rate_min_interval %s s): rates not "
					"checked, the previous state is kept",
					secs(interval, a, sizeof(a)), num(cfg->rate_min_interval, b, sizeof(b))) < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}

	rep->rates = true;
	rep->interval_s = interval;
	for (int c = 0; c < KF_CTR_NR; c++)
		if (has(prev, c) && has(now, c)) {
			rep->delta[c] = now->counter[c] - prev->counter[c];
			rep->have_delta |= 1u << c;
		}
	stalls = rep->delta[KF_CTR_COMPACT_STALL];
	fails = rep->delta[KF_CTR_COMPACT_FAIL];
	if (!(rep->have_delta & (1u << KF_CTR_COMPACT_STALL)) || !(rep->have_delta & (1u << KF_CTR_COMPACT_FAIL))) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"the previous state has no compaction counters: rates start over") < 0)
			return -1;
		rep->rates = false;
		return rates_undetermined(rep, cfg);
	}
	stall_rate = stalls / interval;
	fail_rate = fails / interval;

	r = result_new(rep, grade_above(stall_rate, &cfg->compact_stall_rate_warning,
					&cfg->compact_stall_rate_critical), "compact_stall_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = stall_rate;
	snprintf(r->message, sizeof(r->message),
		 "%llu direct compaction stalls in %s s since the last run: %s/s (%s)",
		 (unsigned long long)stalls, secs(interval, a, sizeof(a)), num(stall_rate, b, sizeof(b)),
		 limits(lim, sizeof(lim), &cfg->compact_stall_rate_warning, &cfg->compact_stall_rate_critical,
			"above"));

	r = result_new(rep, grade_above(fail_rate, &cfg->compact_fail_rate_warning,
					&cfg->compact_fail_rate_critical), "compact_fail_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = fail_rate;
	snprintf(r->message, sizeof(r->message),
		 "%llu failed compactions in %s s since the last run: %s/s (%s)",
		 (unsigned long long)fails, secs(interval, a, sizeof(a)), num(fail_rate, b, sizeof(b)),
		 limits(lim, sizeof(lim), &cfg->compact_fail_rate_warning, &cfg->compact_fail_rate_critical,
			"above"));

	if (!perf_add(rep, "compact_stalls", (double)stalls, NULL, NULL, false, "0", "") ||
	    !perf_add(rep, "compact_fails", (double)fails, NULL, NULL, false, "0", "") ||
	    !perf_add(rep, "compact_successes", (double)rep->delta[KF_CTR_COMPACT_SUCCESS], NULL, NULL,
		      false, "0", "") ||
	    !perf_add(rep, "compact_stall_rate", stall_rate, &cfg->compact_stall_rate_warning,
		      &cfg->compact_stall_rate_critical, false, "0", "") ||
	    !perf_add(rep, "compact_fail_rate", fail_rate, &cfg->compact_fail_rate_warning,
		      &cfg->compact_fail_rate_critical, false, "0", ""))
		return -1;

	if (stalls >= (uint64_t)cfg->compact_fail_ratio_min_stalls) {
		double ratio = (double)fails / stalls;

		r = result_new(rep, grade_above(ratio, &cfg->compact_fail_ratio_warning,
						&cfg->compact_fail_ratio_critical), "compact_fail_ratio");
		if (!r)
			return -1;
		r->has_value = true;
		r->value = ratio;
		snprintf(r->message, sizeof(r->message),
			 "%llu of %llu compaction stalls since the last run failed: ratio %s (%s)",
			 (unsigned long long)fails, (unsigned long long)stalls, num(ratio, a, sizeof(a)),
			 limits(lim, sizeof(lim), &cfg->compact_fail_ratio_warning,
				&cfg->compact_fail_ratio_critical, "above"));
		if (!perf_add(rep, "compact_fail_ratio", ratio, &cfg->compact_fail_ratio_warning,
			      &cfg->compact_fail_ratio_critical, false, "0", "1"))
			return -1;
	} else {
		r = result_new(rep, KF_CHECK_OK, "compact_fail_ratio");
		if (!r)
			return -1;
		snprintf(r->message, sizeof(r->message),
			 "failure ratio not checked: %llu stalls since the last run, fewer than "
			 "compact_fail_ratio_min_stalls (%ld)",
			 (unsigned long long)stalls, cfg->compact_fail_ratio_min_stalls);
		if (!perf_undetermined(rep, "compact_fail_ratio", &cfg->compact_fail_ratio_warning,
				       &cfg->compact_fail_ratio_critical, "1"))
			return -1;
	}
	return 0;
}

/* ---- the trace window ------------------------------------------------------ */

static int check_trace(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_snapshot *s = in->snap;
	struct kf_check_result *r;
	char lim[96], a[32], b[32];
	double frag_rate, fb_rate;

	if (!in->have_trace || !s) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "extfrag",
					"no trace analysed (duration 0): fallbacks and lost events not checked") < 0)
			return -1;
		if (!perf_undetermined(rep, "extfrag_fallback_rate", &cfg->extfrag_fallback_rate_warning,
				       &cfg->extfrag_fallback_rate_critical, "") ||
		    !perf_undetermined(rep, "extfrag_fragmenting_rate", &cfg->extfrag_fragmenting_rate_warning,
				       &cfg->extfrag_fragmenting_rate_critical, "") ||
		    !perf_undetermined(rep, "lost_events", &cfg->lost_events_warning, NULL, ""))
			return -1;
		return 0;
	}
	rep->window_s = in->window_s;
	rep->fallbacks = s->extfrag_total.fallbacks;
	rep->fragmenting = s->extfrag_total.fragmenting;
	rep->lost_events = s->lost_events;
	rep->lost_unknown = s->lost_unknown;

	/* lost events: the window undercounts; kfrag's limit, so never CRITICAL */
	r = result_new(rep, (s->lost_unknown || (cfg->lost_events_warning.on &&
						  s->lost_events > cfg->lost_events_warning.value))
			    ? KF_CHECK_WARNING : KF_CHECK_OK, "lost_events");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = (double)s->lost_events;
	if (r->status == KF_CHECK_OK)
		snprintf(r->message, sizeof(r->message), "%llu events lost by the ring buffer (%s)",
			 (unsigned long long)s->lost_events,
			 limits(lim, sizeof(lim), &cfg->lost_events_warning, &(struct kf_threshold){ 0 }, "above"));
	else
		snprintf(r->message, sizeof(r->message),
			 "the ring buffer lost %llu events%s: the window's counts are too low",
			 (unsigned long long)s->lost_events, s->lost_unknown ? " and gaps of unknown size" : "");
	if (!perf_add(rep, "lost_events", (double)s->lost_events, &cfg->lost_events_warning, NULL, false, "0", ""))
		return -1;

	if (in->window_s <= 0) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "extfrag",
					"the trace spans no time: fallback rates not checked") < 0)
			return -1;
		if (!perf_undetermined(rep, "extfrag_fallback_rate", &cfg->extfrag_fallback_rate_warning,
				       &cfg->extfrag_fallback_rate_critical, "") ||
		    !perf_undetermined(rep, "extfrag_fragmenting_rate", &cfg->extfrag_fragmenting_rate_warning,
				       &cfg->extfrag_fragmenting_rate_critical, ""))
			return -1;
		return 0;
	}
	fb_rate = s->extfrag_total.fallbacks / in->window_s;
	frag_rate = s->extfrag_total.fragmenting / in->window_s;
	r = result_new(rep, grade_above(frag_rate, &cfg->extfrag_fragmenting_rate_warning,
					&cfg->extfrag_fragmenting_rate_critical), "extfrag_fragmenting_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = frag_rate;
	snprintf(r->message, sizeof(r->message),
		 "%llu fragmenting fallbacks (of %llu) in %s s of trace: %s/s (%s)",
		 (unsigned long long)s->extfrag_total.fragmenting,
		 (unsigned long long)s->extfrag_total.fallbacks, secs(in->window_s, a, sizeof(a)),
		 num(frag_rate, b, sizeof(b)),
		 limits(lim, sizeof(lim), &cfg->extfrag_fragmenting_rate_warning,
			&cfg->extfrag_fragmenting_rate_critical, "above"));
	r = result_new(rep, grade_above(fb_rate, &cfg->extfrag_fallback_rate_warning,
					&cfg->extfrag_fallback_rate_critical), "extfrag_fallback_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = fb_rate;
	snprintf(r->message, sizeof(r->message), "%llu fallbacks in %s s of trace: %s/s (%s)",
		 (unsigned long long)s->extfrag_total.fallbacks, secs(in->window_s, a, sizeof(a)),
		 num(fb_rate, b, sizeof(b)),
		 limits(lim, sizeof(lim), &cfg->extfrag_fallback_rate_warning,
			&cfg->extfrag_fallback_rate_critical, "above"));
	if (!perf_add(rep, "extfrag_fallback_rate", fb_rate, &cfg->extfrag_fallback_rate_warning,
		      &cfg->extfrag_fallback_rate_critical, false, "0", "") ||
	    !perf_add(rep, "extfrag_fragmenting_rate", frag_rate, &cfg->extfrag_fragmenting_rate_warning,
		      &cfg->extfrag_fragmenting_rate_critical, false, "0", ""))
		return -1;
	return 0;
}

int kf_check_evaluate(const struct kf_check_input *in, struct kf_check_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->status = KF_CHECK_OK;
	if (check_zones(rep, in) < 0 || check_memmap(rep, in) < 0 || check_rates(rep, in) < 0 ||
	    check_trace(rep, in) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- the guard's alerts ---------------------------------------------------- */

/* the guard's name of an alert kind ("locked_pages_moved", ...) */
static const char *alert_kind_name(enum kf_alert_kind k)
{
	return (unsigned)k < KF_ALERT_NR && kf_alert_kind_names[k] ? kf_alert_kind_names[k] : "unknown";
}

int kf_check_perf_add(struct kf_check_report *rep, const char *label, double value,
		      const struct kf_threshold *warn, const struct kf_threshold *crit)
{
	return perf_add(rep, label, value, warn, crit, false, "0", "") ? 0 : -1;
}

int kf_check_add_guard(struct kf_check_report *rep, const struct kf_guard_result *g)
{
	static const struct kf_threshold zero = { .on = true, .value = 0 }, off = { 0 };
	int crit = 0, warn = 0;

	if (!g)
		return 0;
	if (g->nr_alerts == 0 &&
	    kf_check_report_add(rep, KF_CHECK_OK, "guard",
				g->nr_procs ? "%d protected process%s: no alert" :
				"no process to protect: no sched_ext scheduler, no scx_* process, none named "
				"(protect_pid, protect_comm, protect_locked_kb)",
				g->nr_procs, g->nr_procs == 1 ? "" : "es") < 0)
		return -1;
	for (int i = 0; i < g->nr_alerts; i++) {
		const struct kf_alert *a = &g->alerts[i];
		enum kf_check_status st;
		struct kf_check_result *r;

		switch (a->severity) {
		case KF_SEV_CRITICAL:
			st = KF_CHECK_CRITICAL;
			crit++;
			break;
		case KF_SEV_WARNING:
			st = KF_CHECK_WARNING;
			warn++;
			break;
		default:
			st = KF_CHECK_OK;	/* notes and OKs: shown, never alarming */
			break;
		}
		r = result_new(rep, st, "guard");
		if (!r)
			return -1;
		r->pid = a->pid;
		snprintf(r->kind, sizeof(r->kind), "%s", alert_kind_name(a->kind));
		if (a->zone[0]) {
			r->node = a->node;
			snprintf(r->zone, sizeof(r->zone), "%s", a->zone);
		}
		r->has_value = true;
		r->value = (double)a->count;
		snprintf(r->message, sizeof(r->message), "%s%s%s", a->message,
			 a->action[0] ? " Action: " : "", a->action);
	}
	if (!perf_add(rep, "guard_critical", crit, &off, &zero, false, "0", "") ||
	    !perf_add(rep, "guard_warning", warn, &zero, &off, false, "0", ""))
		return -1;
	return 0;
}

/* ---- summary ----------------------------------------------------------------- */

void kf_check_summary(const struct kf_check_report *rep, char *buf, size_t len)
{
	static const enum kf_check_status order[] = { KF_CHECK_CRITICAL, KF_CHECK_UNKNOWN, KF_CHECK_WARNING };
	const struct kf_check_result *first = NULL;
	int count[KF_CHECK_NR_STATUS] = { 0 }, shown = 0, left = 0;
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < rep->nr_results; i++)
		count[rep->results[i].status]++;
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && !first; o++)
		for (int i = 0; i < rep->nr_results && !first; i++)
			if (rep->results[i].status == order[o])
				first = &rep->results[i];
	if (first) {
		/* the most serious result's sentence, without its advice (the
		 * detail lines have it), then how many more there are */
		const char *action = strstr(first->message, " Action: ");
		int n = action ? (int)(action - first->message) : (int)strlen(first->message);

		used = snprintf(buf, len, "%.*s", n, first->message);
		shown = 1;
		left = count[KF_CHECK_CRITICAL] + count[KF_CHECK_UNKNOWN] + count[KF_CHECK_WARNING] - 1;
		if (left && used < len) {
			const char *sep = ": ";

			used += snprintf(buf + used, len - used, " (and %d more", left);
			for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && used < len; o++) {
				int c = count[order[o]] - (first->status == order[o]);

				if (!c)
					continue;
				used += snprintf(buf + used, len - used, "%s%d %s", sep, c,
						 order[o] == KF_CHECK_CRITICAL ? "critical" :
						 order[o] == KF_CHECK_UNKNOWN ? "unknown" : "warning");
				sep = ", ";
			}
			if (used < len)
				snprintf(buf + used, len - used, ")");
		}
	}
	if (shown || left)
		return;

	/* all is well: the figures that say so */
	const struct kf_check_result *worst = NULL;
	char a[32], b[32];

	for (int i = 0; i < rep->nr_results; i++) {
		const struct kf_check_result *r = &rep->results[i];

		if (strcmp(r->check, "unusable_index") == 0 && r->has_value && (!worst || r->value > worst->value))
			worst = r;
	}
	if (worst)
		used += snprintf(buf + used, len - used, "highest unusable index %s (%s order %d)",
				 num(worst->value, a, sizeof(a)), worst->zone, worst->order);
	for (int i = 0; i < rep->nr_results && used < len; i++) {
		const struct kf_check_result *r = &rep->results[i];

		if (strcmp(r->check, "highorder") == 0 && r->has_value)
			used += snprintf(buf + used, len - used, "%s%s free order-%d blocks", used ? ", " : "",
					 num(r->value, a, sizeof(a)), r->order);
	}
	worst = NULL;
	for (int i = 0; i < rep->nr_results; i++) {
		const struct kf_check_result *r = &rep->results[i];

		if (strcmp(r->check, "blocked_fraction") == 0 && r->has_value && (!worst || r->value > worst->value))
			worst = r;
	}
	if (worst && used < len)
		used += snprintf(buf + used, len - used, "%shighest blocked fraction %.3f (%s)", used ? ", " : "",
				 worst->value, worst->zone);
	if (used < len) {
		if (rep->rates)
			used += snprintf(buf + used, len - used, "%s%llu compaction stalls in %s s",
					 used ? ", " : "", (unsigned long long)rep->delta[KF_CTR_COMPACT_STALL],
					 secs(rep->interval_s, a, sizeof(a)));
		else if (rep->first_run)
			used += snprintf(buf + used, len - used, "%sfirst run", used ? ", " : "");
		else if (rep->counters_reset)
			used += snprintf(buf + used, len - used, "%scounters reset", used ? ", " : "");
	}
	if (used < len && rep->window_s > 0)
		snprintf(buf + used, len - used, "%s%llu fragmenting fallbacks in %s s", used ? ", " : "",
			 (unsigned long long)rep->fragmenting, secs(rep->window_s, b, sizeof(b)));
}

void kf_check_report_release(struct kf_check_report *rep)
{
	free(rep->results);
	free(rep->perf);
	memset(rep, 0, sizeof(*rep));
}
