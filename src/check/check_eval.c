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

#include "check_report.h"
#include "kf_fragindex.h"

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

/* a perfdata item about one zone (its label names it): the long output's
 * under --perfdata all, line one keeping those about no zone */
static struct kf_perfdata *zone_perf_add(struct kf_check_report *rep, const char *label, double value,
					 const struct kf_threshold *w, const struct kf_threshold *c,
					 const char *min, const char *max)
{
	struct kf_perfdata *p = check_perf_add(rep, label, value, w, c, false, min, max);

	if (p)
		p->per_zone = true;
	return p;
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
			r = check_result_new(rep, KF_CHECK_UNKNOWN, check);
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
		idx = unusable ? z->unusable[order] : z->extfrag[order];
		r = check_result_new(rep, check_grade_above(idx / 1000.0, w, c), check);
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
				 z->node, z->name, what, order, order, check_limits(lim, sizeof(lim), w, c, "above"));
		else
			snprintf(r->message, sizeof(r->message), "node %d %s: %s at order %d is %s (%s)",
				 z->node, z->name, what, order, kf_index_format(idx, ibuf),
				 check_limits(lim, sizeof(lim), w, c, "above"));
		snprintf(label, sizeof(label), "%s_node%d_%s_o%d", unusable ? "unusable" : "extfrag",
			 z->node, z->name, order);
		if (!zone_perf_add(rep, label, idx / 1000.0, w, c, unusable ? "0" : "", "1"))
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
			if (!zone_perf_add(rep, label, (double)zi->free_pages, NULL, NULL, "0", max))
				return -1;
		}
		if (check_index(rep, cfg, z, true) < 0 || check_index(rep, cfg, z, false) < 0)
			return -1;
		if (n < z->nr_orders)
			usable++;
		blocks += kf_buddy_blocks_of_order(z, n);
	}
	if (selected == 0)
		return kf_check_report_add(rep, KF_CHECK_UNKNOWN, "zones",
					   "none of the zones configured (zones = ...) is populated here");
	if (usable == 0)
		return kf_check_report_add(rep, KF_CHECK_UNKNOWN, "highorder",
					   "no zone has order %d in buddyinfo: fix highorder_order", n);
	rep->highorder_blocks = blocks;
	r = check_result_new(rep, check_grade_below((double)blocks, &cfg->highorder_warning, &cfg->highorder_critical),
		       "highorder");
	if (!r)
		return -1;
	r->order = n;
	r->has_value = true;
	r->value = (double)blocks;
	snprintf(r->message, sizeof(r->message),
		 "%llu free blocks of order %d or more (%s MiB contiguous, counted in order-%d blocks; %s)",
		 (unsigned long long)blocks, n, check_num((double)(blocks << n) * (double)in->page_size / 1048576, b1, sizeof(b1)), n,
		 check_limits(lim, sizeof(lim), &cfg->highorder_warning, &cfg->highorder_critical, "below"));
	snprintf(label, sizeof(label), "free_blocks_ge_o%d", n);
	if (!check_perf_add(rep, label, (double)blocks, &cfg->highorder_warning, &cfg->highorder_critical,
		      true, "0", ""))
		return -1;
	return 0;
}

/* ---- the memory map: blocked pageblocks -------------------------------------- */

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
			r = check_result_new(rep, KF_CHECK_OK, "blocked_fraction");
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
		r = check_result_new(rep, check_grade_above(fraction, w, c), "blocked_fraction");
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
			 reasons[0] ? reasons : "none", more, check_limits(lim, sizeof(lim), w, c, "above"));
		snprintf(label, sizeof(label), "blocked_fraction_node%d_%s", z->node, z->name);
		if (!zone_perf_add(rep, label, fraction, w, c, "0", "1"))
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
	if (!check_perf_undetermined(rep, "compact_stalls", NULL, NULL, "") ||
	    !check_perf_undetermined(rep, "compact_fails", NULL, NULL, "") ||
	    !check_perf_undetermined(rep, "compact_successes", NULL, NULL, "") ||
	    !check_perf_undetermined(rep, "compact_stall_rate", &cfg->compact_stall_rate_warning,
			       &cfg->compact_stall_rate_critical, "") ||
	    !check_perf_undetermined(rep, "compact_fail_rate", &cfg->compact_fail_rate_warning,
			       &cfg->compact_fail_rate_critical, "") ||
	    !check_perf_undetermined(rep, "compact_fail_ratio", &cfg->compact_fail_ratio_warning,
			       &cfg->compact_fail_ratio_critical, "1"))
		return -1;
	return 0;
}

/* rates cannot be had this run: said in a result, perfdata undetermined;
 * 1 when so, 0 when they can, -1 when out of memory */
static int rates_why_not(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_check_state *now = in->now, *prev = in->prev;
	double interval;
	char a[32], b[32];
	const char *why = NULL;

	if (!has(now, KF_CTR_COMPACT_STALL) || !has(now, KF_CTR_COMPACT_FAIL)) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"vmstat has no compact_stall/compact_fail (a kernel without "
					"CONFIG_COMPACTION?): compaction rates not checked") < 0)
			return -1;
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
	}
	if (!in->have_state_file) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"no state file (state_file is empty): compaction rates are not checked") < 0)
			return -1;
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
	}
	if (in->prev_error) {
		if (kf_check_report_add(rep, KF_CHECK_UNKNOWN, "state",
					"previous run's state unreadable: %s; compaction rates not checked",
					in->prev_error) < 0)
			return -1;
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
	}
	if (!prev) {
		rep->first_run = true;
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"first run: no previous counters yet, compaction rates are checked "
					"from the next run on") < 0)
			return -1;
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
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
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
	}
	if (interval < cfg->rate_min_interval) {
		rep->keep_prev_state = true;
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"only %s s since the last run (rate_min_interval %s s): rates not "
					"checked, the previous state is kept",
					check_secs(interval, a, sizeof(a)), check_num(cfg->rate_min_interval, b, sizeof(b))) < 0)
			return -1;
		return rates_undetermined(rep, cfg) < 0 ? -1 : 1;
	}

	return 0;
}

/* the deltas of the counters since the previous run; false when the
 * previous state lacks the compaction counters */
static bool rates_deltas(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_state *now = in->now, *prev = in->prev;

	rep->rates = true;
	rep->interval_s = now->time - prev->time;
	for (int c = 0; c < KF_CTR_NR; c++)
		if (has(prev, c) && has(now, c)) {
			rep->delta[c] = now->counter[c] - prev->counter[c];
			rep->have_delta |= 1u << c;
		}
	if (!(rep->have_delta & (1u << KF_CTR_COMPACT_STALL)) || !(rep->have_delta & (1u << KF_CTR_COMPACT_FAIL))) {
		rep->rates = false;
		return false;
	}
	return true;
}

/* the share of stalls that failed, once there are enough of them */
static int check_fail_ratio(struct kf_check_report *rep, const struct kf_check_config *cfg,
			    uint64_t stalls, uint64_t fails)
{
	struct kf_check_result *r;
	char lim[96], a[32];

	if (stalls < (uint64_t)cfg->compact_fail_ratio_min_stalls) {
		r = check_result_new(rep, KF_CHECK_OK, "compact_fail_ratio");
		if (!r)
			return -1;
		snprintf(r->message, sizeof(r->message),
			 "failure ratio not checked: %llu stalls since the last run, fewer than "
			 "compact_fail_ratio_min_stalls (%ld)",
			 (unsigned long long)stalls, cfg->compact_fail_ratio_min_stalls);
		return check_perf_undetermined(rep, "compact_fail_ratio", &cfg->compact_fail_ratio_warning,
					       &cfg->compact_fail_ratio_critical, "1") ? 0 : -1;
	}
	double ratio = (double)fails / stalls;

	r = check_result_new(rep, check_grade_above(ratio, &cfg->compact_fail_ratio_warning,
						    &cfg->compact_fail_ratio_critical), "compact_fail_ratio");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = ratio;
	snprintf(r->message, sizeof(r->message),
		 "%llu of %llu compaction stalls since the last run failed: ratio %s (%s)",
		 (unsigned long long)fails, (unsigned long long)stalls, check_num(ratio, a, sizeof(a)),
		 check_limits(lim, sizeof(lim), &cfg->compact_fail_ratio_warning,
			      &cfg->compact_fail_ratio_critical, "above"));
	return check_perf_add(rep, "compact_fail_ratio", ratio, &cfg->compact_fail_ratio_warning,
			      &cfg->compact_fail_ratio_critical, false, "0", "1") ? 0 : -1;
}

/* a rate graded against its thresholds: the result NAME with message
 * "COUNT WHAT in INTERVAL s since the last run: RATE/s (limits)" */
static int check_rate(struct kf_check_report *rep, const char *name, const char *what, uint64_t count,
		      double interval, const struct kf_threshold *w, const struct kf_threshold *c)
{
	double rate = count / interval;
	struct kf_check_result *r = check_result_new(rep, check_grade_above(rate, w, c), name);
	char lim[96], a[32], b[32];

	if (!r)
		return -1;
	r->has_value = true;
	r->value = rate;
	snprintf(r->message, sizeof(r->message), "%llu %s in %s s since the last run: %s/s (%s)",
		 (unsigned long long)count, what, check_secs(interval, a, sizeof(a)),
		 check_num(rate, b, sizeof(b)), check_limits(lim, sizeof(lim), w, c, "above"));
	return 0;
}

static int check_rates(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	double interval, stall_rate, fail_rate;
	uint64_t stalls, fails;
	int why_not = rates_why_not(rep, in);

	if (why_not)
		return why_not < 0 ? -1 : 0;
	if (!rates_deltas(rep, in)) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "compaction",
					"the previous state has no compaction counters: rates start over") < 0)
			return -1;
		return rates_undetermined(rep, cfg);
	}
	interval = rep->interval_s;
	stalls = rep->delta[KF_CTR_COMPACT_STALL];
	fails = rep->delta[KF_CTR_COMPACT_FAIL];
	stall_rate = stalls / interval;
	fail_rate = fails / interval;
	if (check_rate(rep, "compact_stall_rate", "direct compaction stalls", stalls, interval,
		       &cfg->compact_stall_rate_warning, &cfg->compact_stall_rate_critical) < 0 ||
	    check_rate(rep, "compact_fail_rate", "failed compactions", fails, interval,
		       &cfg->compact_fail_rate_warning, &cfg->compact_fail_rate_critical) < 0)
		return -1;
	if (!check_perf_add(rep, "compact_stalls", (double)stalls, NULL, NULL, false, "0", "") ||
	    !check_perf_add(rep, "compact_fails", (double)fails, NULL, NULL, false, "0", "") ||
	    !check_perf_add(rep, "compact_successes", (double)rep->delta[KF_CTR_COMPACT_SUCCESS], NULL, NULL,
			    false, "0", "") ||
	    !check_perf_add(rep, "compact_stall_rate", stall_rate, &cfg->compact_stall_rate_warning,
			    &cfg->compact_stall_rate_critical, false, "0", "") ||
	    !check_perf_add(rep, "compact_fail_rate", fail_rate, &cfg->compact_fail_rate_warning,
			    &cfg->compact_fail_rate_critical, false, "0", ""))
		return -1;
	return check_fail_ratio(rep, cfg, stalls, fails);
}

/* ---- the trace window ------------------------------------------------------ */

/* lost events: the window undercounts; kfrag's limit, so never CRITICAL */
static int check_lost(struct kf_check_report *rep, const struct kf_check_config *cfg,
		      const struct kf_snapshot *s)
{
	struct kf_check_result *r;
	char lim[96];

	r = check_result_new(rep, s->lost_unknown ? KF_CHECK_WARNING :
				 check_grade_above((double)s->lost_events, &cfg->lost_events_warning,
						   &(struct kf_threshold){ 0 }), "lost_events");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = (double)s->lost_events;
	if (r->status == KF_CHECK_OK)
		snprintf(r->message, sizeof(r->message), "%llu events lost by the ring buffer (%s)",
			 (unsigned long long)s->lost_events,
			 check_limits(lim, sizeof(lim), &cfg->lost_events_warning, &(struct kf_threshold){ 0 }, "above"));
	else
		snprintf(r->message, sizeof(r->message),
			 "the ring buffer lost %llu events%s: the window's counts are too low",
			 (unsigned long long)s->lost_events, s->lost_unknown ? " and gaps of unknown size" : "");
	return check_perf_add(rep, "lost_events", (double)s->lost_events, &cfg->lost_events_warning, NULL,
			      false, "0", "") ? 0 : -1;
}

/* fallbacks and fragmenting fallbacks per second of the window */
static int check_extfrag_rates(struct kf_check_report *rep, const struct kf_check_config *cfg,
			       const struct kf_snapshot *s, double window_s)
{
	struct kf_check_result *r;
	char lim[96], a[32], b[32];
	double frag_rate, fb_rate;

	if (window_s <= 0) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "extfrag",
					"the trace spans no time: fallback rates not checked") < 0)
			return -1;
		if (!check_perf_undetermined(rep, "extfrag_fallback_rate", &cfg->extfrag_fallback_rate_warning,
				       &cfg->extfrag_fallback_rate_critical, "") ||
		    !check_perf_undetermined(rep, "extfrag_fragmenting_rate", &cfg->extfrag_fragmenting_rate_warning,
				       &cfg->extfrag_fragmenting_rate_critical, ""))
			return -1;
		return 0;
	}
	fb_rate = s->extfrag_total.fallbacks / window_s;
	frag_rate = s->extfrag_total.fragmenting / window_s;
	r = check_result_new(rep, check_grade_above(frag_rate, &cfg->extfrag_fragmenting_rate_warning,
					&cfg->extfrag_fragmenting_rate_critical), "extfrag_fragmenting_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = frag_rate;
	snprintf(r->message, sizeof(r->message),
		 "%llu fragmenting fallbacks (of %llu) in %s s of trace: %s/s (%s)",
		 (unsigned long long)s->extfrag_total.fragmenting,
		 (unsigned long long)s->extfrag_total.fallbacks, check_secs(window_s, a, sizeof(a)),
		 check_num(frag_rate, b, sizeof(b)),
		 check_limits(lim, sizeof(lim), &cfg->extfrag_fragmenting_rate_warning,
			&cfg->extfrag_fragmenting_rate_critical, "above"));
	r = check_result_new(rep, check_grade_above(fb_rate, &cfg->extfrag_fallback_rate_warning,
					&cfg->extfrag_fallback_rate_critical), "extfrag_fallback_rate");
	if (!r)
		return -1;
	r->has_value = true;
	r->value = fb_rate;
	snprintf(r->message, sizeof(r->message), "%llu fallbacks in %s s of trace: %s/s (%s)",
		 (unsigned long long)s->extfrag_total.fallbacks, check_secs(window_s, a, sizeof(a)),
		 check_num(fb_rate, b, sizeof(b)),
		 check_limits(lim, sizeof(lim), &cfg->extfrag_fallback_rate_warning,
			&cfg->extfrag_fallback_rate_critical, "above"));
	if (!check_perf_add(rep, "extfrag_fallback_rate", fb_rate, &cfg->extfrag_fallback_rate_warning,
		      &cfg->extfrag_fallback_rate_critical, false, "0", "") ||
	    !check_perf_add(rep, "extfrag_fragmenting_rate", frag_rate, &cfg->extfrag_fragmenting_rate_warning,
		      &cfg->extfrag_fragmenting_rate_critical, false, "0", ""))
		return -1;
	return 0;
}

static int check_trace(struct kf_check_report *rep, const struct kf_check_input *in)
{
	const struct kf_check_config *cfg = in->cfg;
	const struct kf_snapshot *s = in->snap;

	if (!in->have_trace || !s) {
		if (kf_check_report_add(rep, KF_CHECK_OK, "extfrag",
					"no trace analysed (duration 0): fallbacks and lost events not checked") < 0)
			return -1;
		if (!check_perf_undetermined(rep, "extfrag_fallback_rate", &cfg->extfrag_fallback_rate_warning,
				       &cfg->extfrag_fallback_rate_critical, "") ||
		    !check_perf_undetermined(rep, "extfrag_fragmenting_rate", &cfg->extfrag_fragmenting_rate_warning,
				       &cfg->extfrag_fragmenting_rate_critical, "") ||
		    !check_perf_undetermined(rep, "lost_events", &cfg->lost_events_warning, NULL, ""))
			return -1;
		return 0;
	}
	rep->window_s = in->window_s;
	rep->fallbacks = s->extfrag_total.fallbacks;
	rep->fragmenting = s->extfrag_total.fragmenting;
	rep->lost_events = s->lost_events;
	rep->lost_unknown = s->lost_unknown;
	if (check_lost(rep, cfg, s) < 0)
		return -1;
	return check_extfrag_rates(rep, cfg, s, in->window_s);
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
	return check_perf_add(rep, label, value, warn, crit, false, "0", "") ? 0 : -1;
}

int kf_check_add_locked_not_protected(struct kf_check_report *rep, const struct kf_guard_input *in)
{
	char list[512] = "";
	size_t n = 0;
	int shown = 0;

	if (!in || !in->nr_candidates)
		return 0;
	for (int i = 0; i < in->nr_candidates && shown < 3 && n < sizeof(list) - 96; i++, shown++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s (pid %d, %llu kB)", i ? ", " : "",
			      in->candidates[i].comm, in->candidates[i].pid,
			      (unsigned long long)in->candidates[i].vmlck_kb);
	if (in->nr_candidates > shown)
		snprintf(list + n, sizeof(list) - n, " and %d more", in->nr_candidates - shown);
	/* listed, never alarming: pid 1, databases and agents lock memory too */
	return kf_check_report_add(rep, KF_CHECK_OK, "guard",
				   "locked, not protected: %s; if one must never fault (a user-space scheduler), "
				   "protect it with protect_comm = %s (or protect_pid, or protect_locked_kb)",
				   list, in->candidates[0].comm);
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
		r = check_result_new(rep, st, "guard");
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
		r->headline_len = strnlen(a->message, sizeof(a->message));
	}
	if (!check_perf_add(rep, "guard_critical", crit, &off, &zero, false, "0", "") ||
	    !check_perf_add(rep, "guard_warning", warn, &zero, &off, false, "0", ""))
		return -1;
	return 0;
}

