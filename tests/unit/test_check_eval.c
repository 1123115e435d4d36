/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kf_check_evaluate(): every threshold at, below and above its value, the
 * status ranks, first run, counter reset, boot change, short intervals,
 * lost events never CRITICAL, the guard's alerts as check results, and the
 * Nagios text. Index values here are worked out by hand from small buddy
 * rows (the kernel's formulas, mm/vmstat.c), not by kfrag.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kf_check.h"

static struct kf_buddy_zone zones[2];
static struct kf_buddyinfo buddy = { zones, 2 };
static struct kf_zone_info zinfo[2];
static struct kf_zoneinfo zoneinfo = { zinfo, 2 };

static void machine(void)
{
	memset(zones, 0, sizeof(zones));
	memset(zinfo, 0, sizeof(zinfo));
	/* DMA32: 4 order-0 pages and one order-3 block: 12 pages free.
	 * unusable(3) = (12 - 8) / 12 = 0.333; unusable(9) = 1.000
	 * extfrag(9): no block of order 9: 1000 - (1000 + 12000/512) / 5
	 *             = 1000 - 1023 / 5 = 1000 - 204 = 796 */
	zones[0].node = 0;
	strcpy(zones[0].name, "DMA32");
	zones[0].nr_orders = 11;
	zones[0].free_blocks[0] = 4;
	zones[0].free_blocks[3] = 1;
	/* Normal: 2 order-10 blocks and 2 order-9 blocks: 3072 pages.
	 * unusable(9) = 0, extfrag = -1; order >= 9 blocks: 2*2 + 2 = 6 */
	zones[1].node = 0;
	strcpy(zones[1].name, "Normal");
	zones[1].nr_orders = 11;
	zones[1].free_blocks[9] = 2;
	zones[1].free_blocks[10] = 2;
	/* the indices, as the buddyinfo reader derives them */
	kf_buddy_zone_derive(&zones[0]);
	kf_buddy_zone_derive(&zones[1]);
	zinfo[0].node = 0;
	strcpy(zinfo[0].name, "DMA32");
	zinfo[0].free_pages = 12;
	zinfo[0].managed = 1000;
	zinfo[1].node = 0;
	strcpy(zinfo[1].name, "Normal");
	zinfo[1].free_pages = 3072;
	zinfo[1].managed = 100000;
}

static struct kf_check_config cfg;
static struct kf_check_state now, prev;

/* a configuration with every check off but the ones a test sets */
static void quiet_config(void)
{
	kf_check_config_defaults(&cfg);
	cfg.unusable_warning.on = cfg.unusable_critical.on = false;
	cfg.extfrag_warning.on = cfg.extfrag_critical.on = false;
	cfg.highorder_warning.on = cfg.highorder_critical.on = false;
	cfg.nr_unusable_orders = cfg.nr_extfrag_orders = 0;
}

static void counters(struct kf_check_state *s, double t, uint64_t stall, uint64_t fail, uint64_t success)
{
	memset(s, 0, sizeof(*s));
	s->time = t;
	s->counter[KF_CTR_COMPACT_STALL] = stall;
	s->counter[KF_CTR_COMPACT_FAIL] = fail;
	s->counter[KF_CTR_COMPACT_SUCCESS] = success;
	s->have = (1u << KF_CTR_COMPACT_STALL) | (1u << KF_CTR_COMPACT_FAIL) | (1u << KF_CTR_COMPACT_SUCCESS);
}

static struct kf_check_report rep;
/* the memory map run() passes: none unless a test sets one */
static const struct kf_memmap *memmap_in;
static const char *memmap_err;

static enum kf_check_status run(const struct kf_check_state *p, const struct kf_snapshot *snap, double window)
{
	struct kf_check_input in = {
		.cfg = &cfg,
		.zoneinfo = &zoneinfo,
		.buddyinfo = &buddy,
		.now = &now,
		.prev = p,
		.have_state_file = true,
		.have_trace = snap != NULL,
		.window_s = window,
		.snap = snap,
		.memmap = memmap_in,
		.memmap_error = memmap_err,
	};

	kf_check_report_release(&rep);
	CHECK(kf_check_evaluate(&in, &rep) == 0, "evaluate failed");
	return rep.status;
}

static const struct kf_check_result *find(const char *check, const char *zone, int order)
{
	for (int i = 0; i < rep.nr_results; i++) {
		const struct kf_check_result *r = &rep.results[i];

		if (strcmp(r->check, check) == 0 && (!zone || strcmp(r->zone, zone) == 0) &&
		    (order < 0 || r->order == order))
			return r;
	}
	return NULL;
}

static const struct kf_perfdata *perf(const char *label)
{
	for (int i = 0; i < rep.nr_perf; i++)
		if (strcmp(rep.perf[i].label, label) == 0)
			return &rep.perf[i];
	return NULL;
}

static void test_ranks(void)
{
	CHECK_EQ_INT(kf_check_worse(KF_CHECK_OK, KF_CHECK_WARNING), KF_CHECK_WARNING);
	CHECK_EQ_INT(kf_check_worse(KF_CHECK_WARNING, KF_CHECK_UNKNOWN), KF_CHECK_UNKNOWN);
	CHECK_EQ_INT(kf_check_worse(KF_CHECK_UNKNOWN, KF_CHECK_CRITICAL), KF_CHECK_CRITICAL);
	CHECK_EQ_INT(kf_check_worse(KF_CHECK_CRITICAL, KF_CHECK_UNKNOWN), KF_CHECK_CRITICAL);
	CHECK_EQ_INT(kf_check_worse(KF_CHECK_CRITICAL, KF_CHECK_OK), KF_CHECK_CRITICAL);
	CHECK_EQ_STR(kf_check_status_names[KF_CHECK_UNKNOWN], "UNKNOWN");
}

static void test_indices(void)
{
	const struct kf_check_result *r;

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	cfg.nr_unusable_orders = 2;
	cfg.unusable_orders[0] = 3;
	cfg.unusable_orders[1] = 9;
	cfg.nr_extfrag_orders = 1;
	cfg.extfrag_orders[0] = 9;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	r = find("unusable_index", "DMA32", 3);
	CHECK(r && fabs(r->value - 0.333) < 1e-9, "DMA32 unusable(3) = %g", r ? r->value : -9);
	r = find("unusable_index", "DMA32", 9);
	CHECK(r && r->value == 1.0, "DMA32 unusable(9) = %g", r ? r->value : -9);
	r = find("extfrag_index", "DMA32", 9);
	CHECK(r && fabs(r->value - 0.796) < 1e-9, "DMA32 extfrag(9) = %g", r ? r->value : -9);
	r = find("extfrag_index", "Normal", 9);
	CHECK(r && r->value == -1.0, "Normal extfrag(9) = %g", r ? r->value : -9);
	CHECK(perf("unusable_node0_DMA32_o3") != NULL, "no perfdata for DMA32 order 3");
	CHECK_EQ_U64(perf("free_pages_node0_Normal")->value, 3072);
	CHECK_EQ_STR(perf("free_pages_node0_Normal")->max, "100000");
	/* per zone: the long output's under --perfdata all (check_output.c) */
	CHECK(perf("free_pages_node0_Normal")->per_zone && perf("unusable_node0_DMA32_o3")->per_zone,
	      "zone perfdata not marked per zone");

	/* at the threshold: not above, OK; just below it: WARNING */
	cfg.unusable_warning = (struct kf_threshold){ .on = true, .value = 0.333 };
	cfg.nr_unusable_orders = 1;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	cfg.unusable_warning.value = 0.332;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	CHECK_EQ_STR(perf("unusable_node0_DMA32_o3")->warn, "0.332");
	cfg.unusable_critical = (struct kf_threshold){ .on = true, .value = 0.3 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_CRITICAL);
	CHECK_EQ_STR(perf("unusable_node0_DMA32_o3")->crit, "0.3");
	/* a zone list leaves DMA32 out */
	cfg.nr_zones = 1;
	strcpy(cfg.zones[0], "Normal");
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	CHECK(!find("unusable_index", "DMA32", -1), "DMA32 checked despite zones = Normal");
	strcpy(cfg.zones[0], "Movable");
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_UNKNOWN);

	/* extfrag: the index may be negative: a "~:" range */
	quiet_config();
	cfg.nr_extfrag_orders = 1;
	cfg.extfrag_orders[0] = 9;
	cfg.extfrag_warning = (struct kf_threshold){ .on = true, .value = 0.5 };
	cfg.extfrag_critical = (struct kf_threshold){ .on = true, .value = 0.8 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	CHECK_EQ_STR(perf("extfrag_node0_DMA32_o9")->warn, "~:0.5");
	cfg.extfrag_critical.value = 0.79;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_CRITICAL);
	/* an order the kernel does not have */
	cfg.extfrag_orders[0] = 12;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_UNKNOWN);
}

static void test_highorder(void)
{
	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	cfg.highorder_order = 9;
	cfg.highorder_warning = (struct kf_threshold){ .on = true, .value = 6 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);	/* 6 is not below 6 */
	CHECK_EQ_U64(rep.highorder_blocks, 6);
	CHECK_EQ_STR(perf("free_blocks_ge_o9")->warn, "6:");
	CHECK(!perf("free_blocks_ge_o9")->per_zone, "free_blocks_ge_o9 (over zones) marked per zone");
	cfg.highorder_warning.value = 7;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	cfg.highorder_critical = (struct kf_threshold){ .on = true, .value = 7 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_CRITICAL);
	cfg.highorder_order = 10;	/* 2 blocks */
	cfg.highorder_warning.value = 3;
	cfg.highorder_critical.value = 2;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	CHECK_EQ_U64(rep.highorder_blocks, 2);
	cfg.highorder_order = 3;	/* DMA32's order-3 block + Normal's (2*128 + 2*64) */
	cfg.highorder_warning.on = cfg.highorder_critical.on = false;
	run(NULL, NULL, 0);
	CHECK_EQ_U64(rep.highorder_blocks, 1 + 2 * 128 + 2 * 64);
	/* no buddyinfo: UNKNOWN */
	struct kf_check_input in = { .cfg = &cfg, .now = &now, .have_state_file = false };

	kf_check_report_release(&rep);
	CHECK(kf_check_evaluate(&in, &rep) == 0, "evaluate");
	CHECK_EQ_INT(rep.status, KF_CHECK_UNKNOWN);
}

static void test_rates(void)
{
	const struct kf_check_result *r;

	quiet_config();
	cfg.compact_stall_rate_warning = (struct kf_threshold){ .on = true, .value = 0.1 };
	cfg.compact_stall_rate_critical = (struct kf_threshold){ .on = true, .value = 1 };
	cfg.compact_fail_rate_warning.on = cfg.compact_fail_rate_critical.on = false;
	cfg.compact_fail_ratio_warning.on = cfg.compact_fail_ratio_critical.on = false;

	/* first run */
	counters(&now, 1000, 50, 5, 45);
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	CHECK(rep.first_run && !rep.rates, "first run not said");
	CHECK(perf("compact_stall_rate") && perf("compact_stall_rate")->undetermined, "first run: rate not U");

	/* 10 stalls in 100 s: 0.1/s, not above 0.1 */
	counters(&prev, 900, 40, 5, 35);
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(rep.rates, "no rates");
	CHECK_EQ_U64(rep.delta[KF_CTR_COMPACT_STALL], 10);
	CHECK(fabs(rep.interval_s - 100) < 1e-9, "interval %g", rep.interval_s);
	r = find("compact_stall_rate", NULL, -1);
	CHECK(r && fabs(r->value - 0.1) < 1e-12, "stall rate %g", r ? r->value : -1);
	counters(&prev, 900, 39, 5, 35);	/* 11: 0.11/s */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_WARNING);
	counters(&prev, 900, 0, 0, 0);		/* 50: 0.5/s */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_WARNING);
	counters(&now, 1000, 200, 5, 195);	/* 200: 2/s */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_CRITICAL);

	/* failure ratio: only from min_stalls on */
	quiet_config();
	cfg.compact_stall_rate_warning.on = cfg.compact_stall_rate_critical.on = false;
	cfg.compact_fail_rate_warning.on = cfg.compact_fail_rate_critical.on = false;
	cfg.compact_fail_ratio_min_stalls = 10;
	counters(&prev, 0, 0, 0, 0);
	counters(&now, 1000, 9, 9, 0);
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(perf("compact_fail_ratio")->undetermined, "ratio with 9 stalls");
	counters(&now, 1000, 10, 6, 4);		/* 0.6 */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_WARNING);
	CHECK(fabs(perf("compact_fail_ratio")->value - 0.6) < 1e-12, "ratio");
	counters(&now, 1000, 10, 10, 0);	/* 1.0 */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_CRITICAL);
	/* fail rate */
	quiet_config();
	cfg.compact_stall_rate_warning.on = cfg.compact_stall_rate_critical.on = false;
	cfg.compact_fail_ratio_warning.on = cfg.compact_fail_ratio_critical.on = false;
	counters(&now, 1000, 100, 51, 49);	/* 0.051/s */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_WARNING);
	counters(&now, 1000, 1000, 501, 499);	/* 0.501/s */
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_CRITICAL);

	/* counters backwards: reset, OK, no rates */
	counters(&prev, 900, 2000, 0, 0);
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(rep.counters_reset && !rep.rates, "backwards counters not a reset");
	/* boot changed, counters higher */
	counters(&prev, 900, 0, 0, 0);
	strcpy(prev.boot_id, "a");
	strcpy(now.boot_id, "b");
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(rep.counters_reset, "boot change not a reset");
	strcpy(prev.boot_id, "b");
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_CRITICAL);	/* same boot: rates */
	/* too close: state kept */
	prev.time = 995;
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(rep.keep_prev_state && !rep.rates, "5 s apart: not kept");
	/* clock backwards */
	prev.time = 2000;
	CHECK_EQ_INT(run(&prev, NULL, 0), KF_CHECK_OK);
	CHECK(rep.counters_reset, "clock backwards not a reset");

	/* an unreadable state: UNKNOWN; no state file: OK */
	struct kf_check_input in = {
		.cfg = &cfg, .buddyinfo = &buddy, .now = &now, .have_state_file = true,
		.prev_error = "x: bad",
	};
	kf_check_report_release(&rep);
	kf_check_evaluate(&in, &rep);
	CHECK_EQ_INT(rep.status, KF_CHECK_UNKNOWN);
	in.prev_error = NULL;
	in.have_state_file = false;
	kf_check_report_release(&rep);
	kf_check_evaluate(&in, &rep);
	CHECK_EQ_INT(rep.status, KF_CHECK_OK);
	CHECK(!rep.first_run, "no state file is not a first run");
}

static void test_trace(void)
{
	struct kf_snapshot snap;

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	memset(&snap, 0, sizeof(snap));
	snap.extfrag_total.fallbacks = 1000;
	snap.extfrag_total.fragmenting = 100;
	cfg.extfrag_fragmenting_rate_warning = (struct kf_threshold){ .on = true, .value = 10 };
	cfg.extfrag_fragmenting_rate_critical = (struct kf_threshold){ .on = true, .value = 100 };
	CHECK_EQ_INT(run(NULL, &snap, 10), KF_CHECK_OK);	/* 10/s: not above */
	CHECK_EQ_INT(run(NULL, &snap, 5), KF_CHECK_WARNING);	/* 20/s */
	CHECK_EQ_INT(run(NULL, &snap, 0.5), KF_CHECK_CRITICAL);	/* 200/s */
	CHECK(fabs(perf("extfrag_fallback_rate")->value - 2000) < 1e-9, "fallback rate");
	CHECK_EQ_INT(run(NULL, &snap, 0), KF_CHECK_OK);		/* no time: not checked */
	cfg.extfrag_fallback_rate_warning = (struct kf_threshold){ .on = true, .value = 150 };
	CHECK_EQ_INT(run(NULL, &snap, 5), KF_CHECK_WARNING);	/* 200 fallbacks/s */

	/* lost events: WARNING at most, whatever the count */
	quiet_config();
	memset(&snap, 0, sizeof(snap));
	snap.lost_events = 1;
	CHECK_EQ_INT(run(NULL, &snap, 1), KF_CHECK_WARNING);
	snap.lost_events = 1000000000;
	CHECK_EQ_INT(run(NULL, &snap, 1), KF_CHECK_WARNING);
	snap.lost_events = 0;
	snap.lost_unknown = true;
	CHECK_EQ_INT(run(NULL, &snap, 1), KF_CHECK_WARNING);
	snap.lost_unknown = false;
	CHECK_EQ_INT(run(NULL, &snap, 1), KF_CHECK_OK);
	cfg.lost_events_warning = (struct kf_threshold){ .on = true, .value = 10 };
	snap.lost_events = 10;
	CHECK_EQ_INT(run(NULL, &snap, 1), KF_CHECK_OK);
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);	/* no trace */
	CHECK(perf("lost_events")->undetermined, "lost events without a trace");
}

static void test_guard(void)
{
	struct kf_alert alerts[3];
	struct kf_guard_result g = { .alerts = alerts, .nr_alerts = 3, .worst = KF_SEV_CRITICAL, .nr_procs = 1 };
	const struct kf_check_result *r;
	char summary[1024];

	memset(alerts, 0, sizeof(alerts));
	alerts[0].severity = KF_SEV_CRITICAL;
	alerts[0].kind = KF_ALERT_LOCKED_PAGES_MOVED;
	alerts[0].pid = 5137;
	alerts[0].count = 954;
	strcpy(alerts[0].message, "954 locked pages of lockedsched (5137) moved.");
	strcpy(alerts[0].action, "set vm.compact_unevictable_allowed=0");
	alerts[1].severity = KF_SEV_WARNING;
	alerts[1].kind = KF_ALERT_UNEVICTABLE_ALLOWED;
	alerts[1].pid = -1;
	strcpy(alerts[1].message, "vm.compact_unevictable_allowed=1 lets compaction move them.");
	alerts[2].severity = KF_SEV_NOTE;
	alerts[2].kind = KF_ALERT_PROACTIVE_COMPACTION;
	alerts[2].pid = -1;
	strcpy(alerts[2].message, "proactive compaction is on.");

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	run(NULL, NULL, 0);
	CHECK_EQ_INT(rep.status, KF_CHECK_OK);
	CHECK_EQ_INT(kf_check_add_guard(&rep, &g), 0);
	CHECK_EQ_INT(rep.status, KF_CHECK_CRITICAL);
	r = find("guard", NULL, -1);
	CHECK(r && r->status == KF_CHECK_CRITICAL && r->pid == 5137, "critical alert");
	CHECK(r && strstr(r->message, "954 locked pages") && strstr(r->message, "Action: set vm.compact"),
	      "message: %s", r ? r->message : "");
	CHECK_EQ_STR(r->kind, "locked_pages_moved");
	/* the status line quotes the alert, the long output has its action too */
	CHECK_EQ_INT((int)r->headline_len, (int)strlen(alerts[0].message));
	kf_check_summary(&rep, summary, sizeof(summary));
	CHECK(strncmp(summary, alerts[0].message, strlen(alerts[0].message)) == 0 && !strstr(summary, "Action"),
	      "summary: %s", summary);
	CHECK_EQ_INT(rep.results[rep.nr_results - 2].status, KF_CHECK_WARNING);
	CHECK_EQ_INT(rep.results[rep.nr_results - 1].status, KF_CHECK_OK);	/* a note */
	CHECK_EQ_U64(perf("guard_critical")->value, 1);
	CHECK_EQ_STR(perf("guard_critical")->crit, "0");
	CHECK_EQ_U64(perf("guard_warning")->value, 1);
	CHECK_EQ_STR(perf("guard_warning")->warn, "0");

	/* only the warning: WARNING; only the note: OK */
	g.alerts = &alerts[1];
	g.nr_alerts = 2;
	run(NULL, NULL, 0);
	kf_check_add_guard(&rep, &g);
	CHECK_EQ_INT(rep.status, KF_CHECK_WARNING);
	g.alerts = &alerts[2];
	g.nr_alerts = 1;
	run(NULL, NULL, 0);
	kf_check_add_guard(&rep, &g);
	CHECK_EQ_INT(rep.status, KF_CHECK_OK);
	/* no alert: one OK line that says what the guard watched */
	g.nr_alerts = 0;
	run(NULL, NULL, 0);
	kf_check_add_guard(&rep, &g);
	CHECK_EQ_INT(rep.status, KF_CHECK_OK);
	r = find("guard", NULL, -1);
	CHECK(r && strcmp(r->message, "1 protected process: no alert") == 0, "%s", r ? r->message : "no guard line");
	CHECK_EQ_U64(perf("guard_critical")->value, 0);
	g.nr_procs = 0;
	run(NULL, NULL, 0);
	kf_check_add_guard(&rep, &g);
	r = find("guard", NULL, -1);
	CHECK(r && strncmp(r->message, "no process to protect", 21) == 0, "%s", r ? r->message : "no guard line");
	/* no guard: nothing added */
	run(NULL, NULL, 0);
	CHECK_EQ_INT(kf_check_add_guard(&rep, NULL), 0);
	CHECK(!perf("guard_critical"), "perfdata without a guard");
	CHECK(!find("guard", NULL, -1), "a guard line without a guard");
}

/* processes with 1 MiB or more locked that are not protected: one OK line
 * naming three of them and how many more, never an alarm; none, no line */
static void test_locked_not_protected(void)
{
	struct kf_guard_candidate c[4] = {
		{ 1, "process_api", 45400 }, { 812, "postgres", 2048 }, { 900, "dpdk", 1048576 }, { 901, "agent", 1024 },
	};
	struct kf_guard_input in = { .candidates = c, .nr_candidates = 4 };
	const struct kf_check_result *r;

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	run(NULL, NULL, 0);
	CHECK_EQ_INT(kf_check_add_locked_not_protected(&rep, &in), 0);
	CHECK_EQ_INT(rep.status, KF_CHECK_OK);
	r = find("guard", NULL, -1);
	CHECK(r && r->status == KF_CHECK_OK, "no OK guard line");
	CHECK_EQ_STR(r ? r->message : "", "locked, not protected: process_api (pid 1, 45400 kB), postgres (pid 812, "
		     "2048 kB), dpdk (pid 900, 1048576 kB) and 1 more; if one must never fault (a user-space "
		     "scheduler), protect it with protect_comm = process_api (or protect_pid, or protect_locked_kb)");
	in.nr_candidates = 0;
	run(NULL, NULL, 0);
	CHECK_EQ_INT(kf_check_add_locked_not_protected(&rep, &in), 0);
	CHECK(!find("guard", NULL, -1), "a line without a locked process");
	CHECK_EQ_INT(kf_check_add_locked_not_protected(&rep, NULL), 0);
	CHECK(!find("guard", NULL, -1), "a line without the guard's input");
}

/*
 * The blocked fraction on a hand-made map: DMA with 8 usable pageblocks
 * (1 reserved), Normal with 200 pageblocks: 40 holes, 60 never initialised
 * (no flags), 50 free, 10 movable, 10 unsure, 20 slab, 6 unevictable,
 * 4 kernel: usable 100, blocked 30, fraction 0.3; 0.4 with the unsure ones.
 */
static void test_memmap(void)
{
	static struct kf_memmap_zone mz[2];
	static struct kf_memmap m = { .pageblock_order = 9, .nr_zones = 2, .zones = mz };
	const struct kf_check_result *r;
	const struct kf_perfdata *p;

	memset(mz, 0, sizeof(mz));
	strcpy(mz[0].name, "DMA");
	mz[0].nr_blocks = 8;
	mz[0].blocks_by_kind[KF_BK_FREE] = 7;
	mz[0].blocks_by_kind[KF_BK_RESERVED] = 1;
	mz[0].usable_blocks = 8;
	strcpy(mz[1].name, "Normal");
	mz[1].nr_blocks = 200;
	mz[1].blocks_by_kind[KF_BK_HOLE] = 40;
	mz[1].blocks_by_kind[KF_BK_EMPTY] = 60;
	mz[1].blocks_by_kind[KF_BK_FREE] = 50;
	mz[1].blocks_by_kind[KF_BK_MOVABLE] = 10;
	mz[1].blocks_by_kind[KF_BK_UNSURE] = 10;
	mz[1].blocks_by_kind[KF_BK_SLAB] = 20;
	mz[1].blocks_by_kind[KF_BK_UNEVICTABLE] = 6;
	mz[1].blocks_by_kind[KF_BK_KERNEL] = 4;
	mz[1].usable_blocks = 100;
	CHECK_EQ_U64(kf_check_blocked_blocks(&mz[1]), 30);
	CHECK_EQ_U64(kf_check_blocked_blocks(&mz[0]), 1);

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	memmap_in = &m;
	/* the defaults: 0.5 / 0.8, 32 blocks at least */
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	r = find("blocked_fraction", "Normal", -1);
	CHECK(r && r->has_value && fabs(r->value - 0.3) < 1e-12, "Normal: %g", r ? r->value : -1);
	CHECK(r && strstr(r->message, "node 0 Normal: 30 of 100 usable pageblocks blocked by pages compaction "
			  "cannot move: 0.300 (slab 20, kernel 4, unevictable 6; 10 unsure (free, movable and "
			  "unflagged pages) not counted, 0.400 if they were; 100 more are holes or not initialised; "
			  "warning above 0.5, critical above 0.8)"), "%s", r ? r->message : "no Normal line");
	p = perf("blocked_fraction_node0_Normal");
	CHECK(p && fabs(p->value - 0.3) < 1e-12 && !strcmp(p->warn, "0.5") && !strcmp(p->crit, "0.8") &&
	      !strcmp(p->min, "0") && !strcmp(p->max, "1"), "perfdata");
	CHECK(p && p->per_zone, "blocked_fraction_node0_Normal not marked per zone");
	/* DMA: 8 usable blocks < 32: reported, not judged, no perfdata */
	r = find("blocked_fraction", "DMA", -1);
	CHECK(r && r->status == KF_CHECK_OK && !r->has_value &&
	      strstr(r->message, "8 usable pageblocks, fewer than blocked_fraction_min_blocks (32): not judged "
			     "(1 blocked: reserved 1)"), "%s", r ? r->message : "no DMA line");
	CHECK(!perf("blocked_fraction_node0_DMA"), "perfdata of a zone not judged");
	/* at, above the warning; above the critical */
	cfg.blocked_fraction_warning = (struct kf_threshold){ .on = true, .value = 0.3 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	cfg.blocked_fraction_warning.value = 0.29;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	cfg.blocked_fraction_critical = (struct kf_threshold){ .on = true, .value = 0.299 };
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_CRITICAL);
	/* DMA judged once min_blocks allows it: 1 of 8 = 0.125, above 0.1 */
	cfg.blocked_fraction_warning.value = 0.1;
	cfg.blocked_fraction_critical.on = false;
	cfg.blocked_fraction_min_blocks = 8;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_WARNING);
	r = find("blocked_fraction", "DMA", -1);
	CHECK(r && r->status == KF_CHECK_WARNING && fabs(r->value - 0.125) < 1e-12, "DMA judged");
	/* zones = Normal: DMA is not looked at */
	cfg.nr_zones = 1;
	strcpy(cfg.zones[0], "Normal");
	run(NULL, NULL, 0);
	CHECK(!find("blocked_fraction", "DMA", -1), "DMA with zones = Normal");
	CHECK(find("blocked_fraction", "Normal", -1) != NULL, "Normal with zones = Normal");
	cfg.nr_zones = 0;
	/* the map not available: one OK line, no perfdata, never worse than the rest */
	memmap_in = NULL;
	memmap_err = "reading /proc/kpageflags needs root (CAP_SYS_ADMIN)";
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	r = find("memmap", NULL, -1);
	CHECK(r && r->status == KF_CHECK_OK &&
	      !strcmp(r->message, "memory map not available: reading /proc/kpageflags needs root (CAP_SYS_ADMIN)"),
	      "%s", r ? r->message : "no memmap line");
	CHECK(!find("blocked_fraction", NULL, -1), "a blocked_fraction line without a map");
	for (int i = 0; i < rep.nr_perf; i++)
		CHECK(strncmp(rep.perf[i].label, "blocked_fraction", 16) != 0, "perfdata %s", rep.perf[i].label);
	/* memmap = no */
	cfg.memmap = false;
	memmap_err = NULL;
	CHECK_EQ_INT(run(NULL, NULL, 0), KF_CHECK_OK);
	r = find("memmap", NULL, -1);
	CHECK(r && strstr(r->message, "not scanned (memmap = no)"), "%s", r ? r->message : "no memmap line");
	/* a zone with no usable block at all */
	cfg.memmap = true;
	memmap_in = &m;
	mz[0].blocks_by_kind[KF_BK_FREE] = mz[0].blocks_by_kind[KF_BK_RESERVED] = 0;
	mz[0].blocks_by_kind[KF_BK_HOLE] = 8;
	mz[0].usable_blocks = 0;
	cfg.blocked_fraction_min_blocks = 1;
	run(NULL, NULL, 0);
	r = find("blocked_fraction", "DMA", -1);
	CHECK(r && r->status == KF_CHECK_OK && strstr(r->message, "0 usable pageblocks"), "%s",
	      r ? r->message : "no DMA line");
	memmap_in = NULL;
	memmap_err = NULL;
}

static void test_nagios(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct kf_check_output o;

	quiet_config();
	counters(&now, 1000, 0, 0, 0);
	cfg.nr_unusable_orders = 1;
	cfg.unusable_orders[0] = 3;
	cfg.unusable_warning = (struct kf_threshold){ .on = true, .value = 0.2 };
	run(NULL, NULL, 0);
	kf_check_report_add(&rep, KF_CHECK_OK, "note", "a | pipe\nand a newline");
	memset(&o, 0, sizeof(o));
	o.rep = &rep;
	o.cfg = &cfg;
	o.now = &now;
	f = open_memstream(&text, &len);
	CHECK(f && kf_check_print_nagios(&o, f) == 0, "print");
	fclose(f);
	CHECK(strncmp(text, "KFRAG WARNING - node 0 DMA32: unusable free space index at order 3 is 0.333", 75) == 0,
	      "status line: %.120s", text);
	/* a zone's perfdata: in the long output, one item a line (the status line has those about no zone) */
	CHECK(strstr(text, "\n'unusable_node0_DMA32_o3'=0.333;0.2;;0;1\n") != NULL ||
	      strstr(text, "\n| 'unusable_node0_DMA32_o3'=0.333;0.2;;0;1\n") != NULL, "perfdata: %.800s", text);
	CHECK(strstr(text, "'compact_stall_rate'=U;0.1;1;0") != NULL, "U perfdata");
	CHECK(strstr(text, "\nWARNING: unusable_index: node 0 DMA32") != NULL, "detail line");
	CHECK(strstr(text, "\nOK: note: a / pipe and a newline\n") != NULL, "| and newlines cleaned: %s", text);
	/* the status line is one line with one | */
	char *nl = strchr(text, '\n');
	int bars = 0;

	for (char *p = text; p < nl; p++)
		bars += *p == '|';
	CHECK_EQ_INT(bars, 1);
	free(text);
}

int main(void)
{
	machine();
	test_ranks();
	test_indices();
	test_highorder();
	test_rates();
	test_trace();
	test_guard();
	test_locked_not_protected();
	test_memmap();
	test_nagios();
	kf_check_report_release(&rep);
	return check_done();
}
