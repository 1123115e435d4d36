/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the guard, no root needed: the pagemap comparison, the
 * evaluation on engine snapshots of hand-made events (what each alert needs,
 * worked out in the comments), the offline selection, and the data side on
 * a made-up /proc and /sys tree (discovery, smaps, pagemap as a sparse
 * file, sysctl changes, an exiting process, --enforce and its restore from
 * the emergency path).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kf_engine.h"
#include "kf_guard.h"
#include "kf_guard_proc.h"
#include "kf_live_cleanup.h"

static const struct kf_zone_span zones[] = {
	{ 0, "DMA", 1, 0x1000 },
	{ 0, "DMA32", 0x1000, 0x100000 },
	{ 0, "Normal", 0x100000, 0x278000 },
};

/* ---- pagemap readings -------------------------------------------------------------- */

static struct kf_pagemap reading(int n, ...)
{
	struct kf_pagemap pm = { 0 };
	va_list ap;

	pm.pages = calloc(n + 1, sizeof(*pm.pages));
	pm.nr = pm.alloc = n;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		pm.pages[i].vpage = va_arg(ap, uint64_t);
		pm.pages[i].pfn = va_arg(ap, uint64_t);
	}
	va_end(ap);
	return pm;
}

static void test_pagemap(void)
{
	struct kf_pagemap base = { 0 }, r;
	struct kf_pagemap_delta d;

	/* first reading: everything is new */
	r = reading(4, (uint64_t)10, (uint64_t)100, (uint64_t)11, (uint64_t)101, (uint64_t)12, (uint64_t)102,
		    (uint64_t)13, (uint64_t)103);
	CHECK_EQ_INT(kf_pagemap_update(&base, &r, &d), 0);
	kf_pagemap_release(&r);
	CHECK_EQ_U64(d.added, 4);
	CHECK_EQ_U64(d.compared, 0);
	CHECK_EQ_U64(base.nr, 4);
	/* 11 moved, 12 is mid-migration (not present: absent from the reading),
	 * 13 moved, 14 is new, 10 stayed */
	r = reading(4, (uint64_t)10, (uint64_t)100, (uint64_t)11, (uint64_t)201, (uint64_t)13, (uint64_t)203,
		    (uint64_t)14, (uint64_t)104);
	kf_pagemap_update(&base, &r, &d);
	kf_pagemap_release(&r);
	CHECK_EQ_U64(d.compared, 3);
	CHECK_EQ_U64(d.moved, 2);
	CHECK_EQ_U64(d.first_moves, 2);
	CHECK_EQ_U64(d.added, 1);
	CHECK_EQ_U64(base.nr, 5);
	CHECK_EQ_U64(base.pages[2].vpage, 12);
	CHECK_EQ_U64(base.pages[2].pfn, 102);		/* kept as last known */
	/* 12 is back at another frame: it moved too; 11 moves again: not a new page */
	r = reading(2, (uint64_t)11, (uint64_t)301, (uint64_t)12, (uint64_t)302);
	kf_pagemap_update(&base, &r, &d);
	kf_pagemap_release(&r);
	CHECK_EQ_U64(d.moved, 2);
	CHECK_EQ_U64(d.first_moves, 1);
	CHECK_EQ_U64(base.pages[1].moves, 2);
	CHECK_EQ_U64(kf_pagemap_moved_in(&base, 0, 100), 3);	/* 11, 12, 13: distinct pages */
	CHECK_EQ_U64(kf_pagemap_moved_in(&base, 12, 13), 1);
	CHECK_EQ_U64(kf_pagemap_moved_in(&base, 14, 15), 0);
	kf_pagemap_release(&base);
}

static void test_overlap(void)
{
	const struct kf_pfn_range r[] = { { 10, 20 }, { 30, 31 }, { 40, 100 } };

	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 3, 0, 10), 0);
	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 3, 0, 11), 1);
	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 3, 15, 45), 5 + 1 + 5);
	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 3, 0, 1000), 10 + 1 + 60);
	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 3, 100, 200), 0);
	CHECK_EQ_U64(kf_pfn_ranges_overlap(r, 0, 0, 200), 0);
}

/* ---- evaluation ----------------------------------------------------------------- */

static uint64_t now;

static void feed(struct kf_engine *e, enum kf_event_type t, int pid, const char *comm, struct kf_event ev)
{
	ev.ts = now += 1000;
	ev.type = t;
	ev.pid = pid;
	ev.comm = comm;
	kf_engine_feed(e, &ev);
}

/*
 * bash-100 compacts Normal by hand: its migration scanner covers PFNs
 * 0x100000-0x100200; a migration for compaction moves 10 pages; thread 201
 * of the protected process 200 faults once during it, in its locked
 * mapping (0x7f0000000000-0x7f0002000000), and once after.
 */
static struct kf_snapshot *compaction_snapshot(void)
{
	struct kf_engine_config cfg = { .zones = zones, .nr_zones = 3, .pageblock_order = 9 };
	struct kf_engine *e = kf_engine_create(&cfg);
	struct kf_event ev = { 0 };
	struct kf_snapshot *s;

	ev.compact.zone_start = 0x100000;
	ev.compact.zone_end = 0x278000;
	ev.compact.migrate_pfn = 0x100000;
	ev.compact.free_pfn = 0x277e00;
	ev.compact.sync = 1;
	feed(e, KF_EV_COMPACTION_BEGIN, 100, "bash", ev);
	memset(&ev, 0, sizeof(ev));
	ev.isolate.start_pfn = 0x100000;
	ev.isolate.end_pfn = 0x100200;
	ev.isolate.nr_scanned = 512;
	ev.isolate.nr_taken = 10;
	feed(e, KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES, 100, "bash", ev);
	memset(&ev, 0, sizeof(ev));
	ev.migrate.reason = 0;		/* the trace's value of "compaction" here */
	ev.migrate.mode = 2;
	feed(e, KF_EV_MIGRATE_PAGES_START, 100, "bash", ev);
	feed(e, KF_EV_PAGE_FAULT_USER, 201, "lockedheap", (struct kf_event){ .fault.address = 0x7f0000001010 });
	ev.migrate.succeeded = 10;
	feed(e, KF_EV_MIGRATE_PAGES, 100, "bash", ev);
	memset(&ev, 0, sizeof(ev));
	ev.compact_migrate.nr_migrated = 10;
	feed(e, KF_EV_COMPACTION_MIGRATEPAGES, 100, "bash", ev);
	memset(&ev, 0, sizeof(ev));
	ev.compact.status = 2;
	feed(e, KF_EV_COMPACTION_END, 100, "bash", ev);
	feed(e, KF_EV_PAGE_FAULT_USER, 201, "lockedheap", (struct kf_event){ 0 });
	s = kf_engine_snapshot(e);
	kf_engine_destroy(e);
	return s;
}

static struct kf_pfn_range locked_pfns[] = { { 0x1001f0, 0x100210 }, { 0x200000, 0x200010 } };
static int tids[] = { 200, 201 };
static struct kf_locked_vma vmas[] = { { 0x7f0000000000, 0x7f0002000000, 32768, 8192, 5, "" } };

static void protected_proc(struct kf_protected *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = 200;
	snprintf(p->comm, sizeof(p->comm), "lockedheap");
	p->reason = KF_PROTECT_LOCKED;
	p->vmlck_kb = 32768;
	p->mlockall = true;
	p->smaps_readable = true;
	p->pagemap_readable = true;
	p->locked_pages = 8192;
	p->pages_moved = 5;
	p->pfns = locked_pfns;
	p->nr_pfns = 2;
	p->tids = tids;
	p->nr_tids = 2;
	p->vmas = vmas;
	p->nr_vmas = 1;
}

static const struct kf_alert *find_alert(const struct kf_guard_result *r, enum kf_alert_kind k)
{
	for (int i = 0; i < r->nr_alerts; i++)
		if (r->alerts[i].kind == k)
			return &r->alerts[i];
	return NULL;
}

static void test_evaluate_hazard(void)
{
	struct kf_snapshot *s = compaction_snapshot();
	struct kf_protected p;
	struct kf_guard_input in = { 0 };
	struct kf_guard_result r;
	const struct kf_alert *a;

	protected_proc(&p);
	in.procs = &p;
	in.nr_procs = 1;
	in.unevictable_allowed_start = in.unevictable_allowed_end = 1;
	in.proactiveness = 20;
	in.compaction_reason = 0;
	in.faults_traced = 1;
	in.lock_threshold_kb = 1024;
	CHECK_EQ_INT(kf_guard_evaluate(&in, s, &r), 0);
	CHECK_EQ_INT(r.worst, KF_SEV_CRITICAL);
	/* faults of the thread count for the process; one while migration ran */
	CHECK_EQ_U64(r.procs[0].faults, 2);
	CHECK_EQ_U64(r.procs[0].faults_during_migration, 1);
	/* 0x1001f0-0x100200 of its PFNs lie in the scanned 0x100000-0x100200 */
	CHECK_EQ_U64(r.procs[0].locked_pages_scanned, 16);
	CHECK_EQ_INT(r.procs[0].episodes_touching, 1);
	CHECK_EQ_U64(r.compaction_migrated, 10);
	a = find_alert(&r, KF_ALERT_LOCKED_PAGES_MOVED);
	CHECK(a && a->severity == KF_SEV_CRITICAL && a->count == 5 && a->pid == 200, "moved alert");
	if (a) {
		CHECK_EQ_STR(a->zone, "Normal");
		CHECK_EQ_STR(a->initiator, "manual (bash-100)");
		CHECK(strstr(a->message, "5 locked pages of lockedheap (pid 200)") != NULL, "%s", a->message);
		CHECK(strstr(a->message, "7f0000000000-7f0002000000") != NULL, "%s", a->message);
		CHECK(strstr(a->action, "compact_unevictable_allowed=0") != NULL, "%s", a->action);
	}
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_CRITICAL && a->count == 1, "faults alert");
	CHECK(a && a->proof == KF_PROOF_LOCKED_RANGE, "proof: the locked range");
	CHECK_EQ_U64(r.procs[0].faults_in_locked_ranges, 1);
	a = find_alert(&r, KF_ALERT_ISOLATE_COVERED_LOCKED);
	CHECK(a && a->severity == KF_SEV_WARNING && a->count == 16, "isolate alert");
	a = find_alert(&r, KF_ALERT_COMPACTION_MIGRATION);
	CHECK(a && a->severity == KF_SEV_WARNING && a->count == 10 && a->pid == 200, "compaction alert");
	a = find_alert(&r, KF_ALERT_UNEVICTABLE_ALLOWED);
	CHECK(a && a->severity == KF_SEV_WARNING, "sysctl alert");
	a = find_alert(&r, KF_ALERT_PROACTIVE_COMPACTION);
	CHECK(a && a->severity == KF_SEV_NOTE && a->count == 20, "proactive alert");
	CHECK(!find_alert(&r, KF_ALERT_PAGEMAP_UNREADABLE), "pagemap was readable");
	CHECK(!find_alert(&r, KF_ALERT_SYSCTL_LEFT_ZERO), "a process is protected");
	/* most severe first */
	for (int i = 1; i < r.nr_alerts; i++)
		CHECK(r.alerts[i - 1].severity >= r.alerts[i].severity, "alert %d out of order", i);
	kf_guard_result_release(&r);

	/* the same with the sysctl at 0 all along: scanning and migrating are
	 * notes, and moved pages must have another cause */
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	kf_guard_evaluate(&in, s, &r);
	CHECK(find_alert(&r, KF_ALERT_ISOLATE_COVERED_LOCKED)->severity == KF_SEV_NOTE, "isolate note");
	CHECK(find_alert(&r, KF_ALERT_COMPACTION_MIGRATION)->severity == KF_SEV_NOTE, "compaction note");
	CHECK(!find_alert(&r, KF_ALERT_UNEVICTABLE_ALLOWED), "sysctl 0");
	a = find_alert(&r, KF_ALERT_LOCKED_PAGES_MOVED);
	CHECK(a && strstr(a->action, "other than compaction"), "moved with sysctl 0: %s", a ? a->action : "");
	kf_guard_result_release(&r);

	/* a change to 1 during the window */
	in.nr_changes = 1;
	in.unevictable_changes = 1;
	in.changes[0] = (struct kf_sysctl_change){ 2.5, 0, 1, KF_SYSCTL_UNEVICTABLE_ALLOWED };
	in.unevictable_allowed_end = 1;
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_SYSCTL_CHANGED);
	CHECK(a && a->severity == KF_SEV_WARNING && a->count == 1, "changed alert");
	CHECK(a && strstr(a->message, "1 at 2.5 s"), "%s", a ? a->message : "");
	CHECK(find_alert(&r, KF_ALERT_UNEVICTABLE_ALLOWED) != NULL, "sysctl 1 seen");
	kf_guard_result_release(&r);

	/* PFNs unknown: no moved or isolate alert, a note instead */
	in.nr_changes = in.unevictable_changes = 0;
	in.unevictable_allowed_start = in.unevictable_allowed_end = 1;
	p.pagemap_readable = false;
	p.nr_pfns = 0;
	snprintf(p.pagemap_why, sizeof(p.pagemap_why), "/proc/200/pagemap: Permission denied");
	kf_guard_evaluate(&in, s, &r);
	CHECK(!find_alert(&r, KF_ALERT_LOCKED_PAGES_MOVED), "no PFNs, no moved alert");
	CHECK(!find_alert(&r, KF_ALERT_ISOLATE_COVERED_LOCKED), "no PFNs, no isolate alert");
	a = find_alert(&r, KF_ALERT_PAGEMAP_UNREADABLE);
	CHECK(a && strstr(a->message, "Permission denied"), "unreadable note");
	kf_guard_result_release(&r);
	kf_snapshot_free(s);
}

/* a fault of pid at addr, with the migration PTE of pte_addr set before it
 * (remove after: false) or not at all (pte_addr 0); compaction ran */
static struct kf_snapshot *fault_snapshot(int pid, uint64_t addr, uint64_t pte_addr, bool remove_first)
{
	struct kf_engine_config cfg = { .zones = zones, .nr_zones = 3, .pageblock_order = 9 };
	struct kf_engine *e = kf_engine_create(&cfg);
	struct kf_event ev = { 0 };
	struct kf_snapshot *s;

	ev.compact.zone_start = 0x100000;
	ev.compact.zone_end = 0x278000;
	feed(e, KF_EV_COMPACTION_BEGIN, 36, "kcompactd0", ev);
	memset(&ev, 0, sizeof(ev));
	ev.migrate.reason = 0;
	feed(e, KF_EV_MIGRATE_PAGES_START, 36, "kcompactd0", ev);
	/* set_migration_pte: "addr=7f9932555000, pte=f7ffe7ffdfc78200 order=0" */
	memset(&ev, 0, sizeof(ev));
	ev.migration_pte.addr = pte_addr;
	ev.migration_pte.pte = 0xf7ffe7ffdfc78200ULL;
	if (pte_addr)
		feed(e, KF_EV_SET_MIGRATION_PTE, 36, "kcompactd0", ev);
	if (pte_addr && remove_first)
		feed(e, KF_EV_REMOVE_MIGRATION_PTE, 36, "kcompactd0", ev);
	/* page_fault_user: "address=0x7f8f6aaaa010 ip=0x55e87fa0542c error_code=0x6" */
	feed(e, KF_EV_PAGE_FAULT_USER, pid, "scx_stub",
	     (struct kf_event){ .fault = { .address = addr, .ip = 0x55e87fa0542c, .error_code = 6 } });
	if (pte_addr && !remove_first)
		feed(e, KF_EV_REMOVE_MIGRATION_PTE, 36, "kcompactd0", ev);
	memset(&ev, 0, sizeof(ev));
	ev.migrate.succeeded = 1;
	feed(e, KF_EV_MIGRATE_PAGES, 36, "kcompactd0", ev);
	feed(e, KF_EV_COMPACTION_END, 36, "kcompactd0", (struct kf_event){ 0 });
	s = kf_engine_snapshot(e);
	kf_engine_destroy(e);
	return s;
}

/* scx_stub (pid 300) locks nothing and faults normally: live, root */
static void stub_proc(struct kf_protected *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = 300;
	snprintf(p->comm, sizeof(p->comm), "scx_stub");
	p->reason = KF_PROTECT_COMM_SCX;
	p->smaps_readable = true;
	p->pagemap_readable = true;
}

static bool advises_zero(const struct kf_guard_result *r)
{
	for (int i = 0; i < r->nr_alerts; i++)
		if (strstr(r->alerts[i].action, "set vm.compact_unevictable_allowed=0"))
			return true;
	return false;
}

static void test_fault_proofs(void)
{
	struct kf_guard_input in = { .compaction_reason = 0, .faults_traced = 1 };
	struct kf_protected p;
	struct kf_guard_result r;
	struct kf_snapshot *s;
	const struct kf_alert *a;

	stub_proc(&p);
	in.procs = &p;
	in.nr_procs = 1;
	/* #11's false alarm: sysctl 0, a fault while compaction ran, tied to nothing */
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	s = fault_snapshot(300, 0x7f1234567010, 0x7f9932555000, false);
	CHECK_EQ_INT(kf_guard_evaluate(&in, s, &r), 0);
	CHECK_EQ_U64(r.procs[0].faults_during_migration, 1);
	CHECK_EQ_U64(r.procs[0].faults_evidence, 0);
	CHECK(!find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION), "an untied fault is no evidence");
	CHECK(r.worst < KF_SEV_CRITICAL, "no critical: %d", r.worst);
	CHECK(!advises_zero(&r), "nothing advises the 0 already in effect");
	kf_guard_result_release(&r);
	/* the same with the sysctl at 1 and no locked memory: still no evidence */
	in.unevictable_allowed_start = in.unevictable_allowed_end = 1;
	kf_guard_evaluate(&in, s, &r);
	CHECK(!find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION), "no locked memory, no fault alert");
	kf_guard_result_release(&r);
	kf_snapshot_free(s);

	/* the fault hit the page whose migration PTE was set, but scx_stub
	 * locks nothing (read live): it does not rely on never faulting, a note */
	s = fault_snapshot(300, 0x7f9932555010, 0x7f9932555000, false);
	CHECK_EQ_U64(s->procs[1].faults_on_migration_pte, 1);
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_NOTE && a->count == 1, "a process that locks nothing: a note");
	CHECK(r.worst < KF_SEV_CRITICAL, "no critical: %d", r.worst);
	kf_guard_result_release(&r);
	/* the same fault of a process that locks memory: proof */
	p.vmlck_kb = 2048;
	p.locked_ranges = 1;
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_CRITICAL && a->count == 1 && a->proof == KF_PROOF_MIGRATION_PTE,
	      "migration PTE proof");
	CHECK(a && strstr(a->message, "migration PTE was set"), "the alert names the proof");
	CHECK(a && strstr(a->action, "compact_unevictable_allowed=0"), "sysctl 1: set it to 0");
	kf_guard_result_release(&r);
	/* with the sysctl at 0 the action is not to set it to 0 */
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && strstr(a->action, "was 0") && !advises_zero(&r), "sysctl 0: %s", a ? a->action : "");
	kf_guard_result_release(&r);
	kf_snapshot_free(s);

	/* removed before the fault: not in flight, no proof */
	s = fault_snapshot(300, 0x7f9932555010, 0x7f9932555000, true);
	CHECK_EQ_U64(s->procs[1].faults_on_migration_pte, 0);
	kf_snapshot_free(s);

	/* no address proof to be had (no PTE events, smaps unknown): locked
	 * memory and the sysctl at 1 make it a WARNING, at 0 nothing */
	s = fault_snapshot(300, 0x7f1234567010, 0, false);
	p.smaps_readable = false;
	p.vmlck_kb = 2048;
	in.unevictable_allowed_start = in.unevictable_allowed_end = 1;
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_WARNING && a->proof == KF_PROOF_LOCKED_AND_SYSCTL, "weak proof");
	kf_guard_result_release(&r);
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	kf_guard_evaluate(&in, s, &r);
	CHECK(!find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION), "sysctl 0: no weak proof");
	kf_guard_result_release(&r);

	/* offline, the sysctl unknown: a note says how to tell; assumed 1: a warning */
	in.offline = true;
	in.unevictable_allowed_start = in.unevictable_allowed_end = -1;
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_NOTE && strstr(a->action, "--assume-sysctl"), "offline note");
	kf_guard_result_release(&r);
	CHECK_EQ_INT(kf_guard_input_set_sysctl(&in, "compact_unevictable_allowed", 1, "assumed"), 0);
	CHECK_EQ_STR(in.sysctl_source, "assumed");
	kf_guard_evaluate(&in, s, &r);
	a = find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION);
	CHECK(a && a->severity == KF_SEV_WARNING, "offline, assumed 1");
	kf_guard_result_release(&r);
	CHECK_EQ_INT(kf_guard_input_set_sysctl(&in, "no_such_sysctl", 1, "assumed"), -1);
	kf_snapshot_free(s);
}

/* proactiveness changes are tracked beside the other sysctl */
static void test_sysctl_changes(void)
{
	struct kf_guard_input in = { .compaction_reason = -1, .faults_traced = -1 };
	struct kf_protected p;
	struct kf_guard_result r;
	const struct kf_alert *a;

	stub_proc(&p);
	in.procs = &p;
	in.nr_procs = 1;
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	in.proactiveness_start = 20;
	in.proactiveness = 0;
	in.proactiveness_changes = 1;
	in.nr_changes = 1;
	in.changes[0] = (struct kf_sysctl_change){ 1.5, 20, 0, KF_SYSCTL_PROACTIVENESS };
	kf_guard_evaluate(&in, NULL, &r);
	a = find_alert(&r, KF_ALERT_SYSCTL_CHANGED);
	CHECK(a && a->severity == KF_SEV_NOTE && strstr(a->message, "compaction_proactiveness changed 1 time"),
	      "%s", a ? a->message : "no alert");
	CHECK(a && strstr(a->message, "0 at 1.5 s"), "%s", a ? a->message : "");
	CHECK(!advises_zero(&r), "the sysctl is 0: nothing advises it");
	kf_guard_result_release(&r);
}

static void test_evaluate_quiet(void)
{
	struct kf_guard_input in = { 0 };
	struct kf_guard_result r;
	struct kf_guard_unmatched um[2] = { { 99999, "" }, { -1, "scx_nothing" } };

	/* live, nothing protected, sysctl left at 0: the crashed scheduler note */
	in.unevictable_allowed_start = in.unevictable_allowed_end = 0;
	in.proactiveness = 20;
	in.lock_threshold_kb = 1024;
	in.faults_traced = -1;
	in.unmatched = um;
	in.nr_unmatched = 2;
	CHECK_EQ_INT(kf_guard_evaluate(&in, NULL, &r), 0);
	CHECK_EQ_INT(r.worst, KF_SEV_NOTE);
	CHECK(find_alert(&r, KF_ALERT_SYSCTL_LEFT_ZERO) != NULL, "left zero");
	CHECK(!find_alert(&r, KF_ALERT_PROACTIVE_COMPACTION), "nothing protected");
	int notfound = 0;

	for (int i = 0; i < r.nr_alerts; i++)
		if (r.alerts[i].kind == KF_ALERT_PROTECTED_NOT_FOUND)
			notfound++;
	CHECK_EQ_INT(notfound, 2);
	kf_guard_result_release(&r);
	/* offline: the sysctl is not known, no note about it */
	in.offline = true;
	in.unevictable_allowed_start = in.unevictable_allowed_end = -1;
	in.nr_unmatched = 0;
	kf_guard_evaluate(&in, NULL, &r);
	CHECK_EQ_INT(r.nr_alerts, 0);
	CHECK_EQ_INT(r.worst, KF_SEV_OK);
	kf_guard_result_release(&r);
}

static void test_from_trace(void)
{
	struct kf_snapshot *s = compaction_snapshot();
	const int pids[] = { 201, 4242 };
	const char *comms[] = { "bash", "lockedheap_with_a_long_name", "nothing" };
	struct kf_guard_input in;

	CHECK_EQ_INT(kf_guard_input_from_trace(s, pids, 2, comms, 3, &in), 0);
	CHECK(in.offline, "offline");
	/* 201 by pid, bash-100 by comm; a name longer than 15 characters is
	 * compared on its first 15 ("lockedheap_with"), which are not
	 * lockedheap's: unmatched, like 4242 and "nothing" */
	CHECK_EQ_INT(in.nr_procs, 2);
	CHECK_EQ_INT(in.procs[0].pid, 201);
	CHECK_EQ_INT(in.procs[0].reason, KF_PROTECT_PID);
	CHECK_EQ_STR(in.procs[0].comm, "lockedheap");
	CHECK(!in.procs[0].pagemap_readable, "no pagemap offline");
	CHECK_EQ_INT(in.procs[1].pid, 100);
	CHECK_EQ_INT(in.procs[1].reason, KF_PROTECT_COMM);
	CHECK_EQ_INT(in.nr_unmatched, 3);
	CHECK_EQ_INT(in.unmatched[0].pid, 4242);
	CHECK_EQ_STR(in.unmatched[2].comm, "nothing");
	CHECK_EQ_INT(in.faults_traced, 1);

	struct kf_guard_result r;

	in.compaction_reason = 0;
	kf_guard_evaluate(&in, s, &r);
	/* offline: faults count, moved pages cannot be verified */
	CHECK(find_alert(&r, KF_ALERT_FAULTS_DURING_MIGRATION) != NULL, "faults offline");
	CHECK(!find_alert(&r, KF_ALERT_LOCKED_PAGES_MOVED), "no moved offline");
	CHECK(find_alert(&r, KF_ALERT_PAGEMAP_UNREADABLE) != NULL, "offline note");
	CHECK(!find_alert(&r, KF_ALERT_UNEVICTABLE_ALLOWED), "no sysctl offline");
	kf_guard_result_release(&r);
	kf_guard_input_release(&in);
	kf_snapshot_free(s);
}

/* ---- the data side on a made-up tree --------------------------------------------------- */

static char root[] = "/tmp/kfrag-guard-test.XXXXXX";

static void put(const char *rel, const char *fmt, ...)
{
	char path[4096], *slash;
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void get(const char *rel, char *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
}

/* pagemap entries at vpage: present, pfn */
static void pagemap_set(int pid, uint64_t vpage, uint64_t pfn)
{
	char path[4096];
	uint64_t e = (1ULL << 63) | pfn;
	int fd;

	snprintf(path, sizeof(path), "%s/proc/%d/pagemap", root, pid);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, &e, sizeof(e), (off_t)(vpage * 8)) != sizeof(e)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	close(fd);
}

static const char smaps_locked[] =
	"00010000-00014000 rw-p 00000000 00:00 0 \n"
	"Size:                 16 kB\n"
	"Locked:               16 kB\n"
	"VmFlags: rd wr mr mw me lo ac \n"
	"7ffff7fc1000-7ffff7fc3000 r-xp 00000000 00:00 0                          [vdso]\n"
	"Size:                  8 kB\n"
	"Locked:                0 kB\n"
	"VmFlags: rd ex mr mw me de \n";

static void make_proc(int pid, const char *comm, unsigned vmlck_kb, const char *smaps)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "proc/%d/status", pid);
	put(rel, "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nVmPeak:\t  1000 kB\n"
		 "VmLck:\t%8u kB\nThreads:\t1\n", comm, pid, pid, vmlck_kb);
	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	put(rel, "%d (%s) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, comm, 1000 + pid);
	snprintf(rel, sizeof(rel), "proc/%d/smaps", pid);
	put(rel, "%s", smaps);
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", pid, pid);
	put(rel, "x\n");
}

static const struct kf_protected *proc_of(const struct kf_guard_input *in, int pid)
{
	for (int i = 0; i < in->nr_procs; i++)
		if (in->procs[i].pid == pid)
			return &in->procs[i];
	return NULL;
}

#define STATE "run/kfrag/enforce-compact_unevictable_allowed"

/*
 * --enforce's shared state (issue #13 item 7), in the test's root: a
 * run killed with SIGKILL left 0 and its state; another kfrag (pid 4242,
 * alive while ROOT/proc/4242/stat says the start time it saved) holds it.
 */
static void test_enforce_nested(const struct kf_guard_config *cfg)
{
	char err[256], buf[256], path[4300];
	struct kf_guard *g;

	/* killed: its holder line names a process that is gone */
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");
	put(STATE, "original=1\nadmin=0\nholder=999999 5\n");
	g = kf_guard_open(cfg, err, sizeof(err));
	CHECK(g && kf_guard_input(g)->enforce_original == 1, "the admin's 1, not the 0 left behind");
	CHECK_EQ_INT(kf_guard_restore(g), 0);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
	snprintf(path, sizeof(path), "%s/" STATE, root);
	CHECK(access(path, F_OK) < 0, "the state file is gone with the last holder");
	kf_guard_close(g);

	/* a holder that died by a fatal signal put 1 back (its marker says
	 * "restored"); the admin then chose 0: that 0 is theirs */
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");
	put(STATE, "original=1\nadmin=0\nholder=999998 5\n");
	put(STATE ".999998", "restored\n");
	g = kf_guard_open(cfg, err, sizeof(err));
	CHECK(g && kf_guard_input(g)->enforce_original == 0, "the admin's later 0");
	CHECK_EQ_INT(kf_guard_restore(g), 0);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0\n");
	snprintf(path, sizeof(path), "%s/" STATE ".999998", root);
	CHECK(access(path, F_OK) < 0, "the dead holder's marker is gone");
	kf_guard_close(g);
	put("proc/sys/vm/compact_unevictable_allowed", "1\n");

	/* nested: the other kfrag holds it at 0 and saved 1 */
	make_proc(4242, "kfrag", 0, "");
	put(STATE, "original=1\nadmin=0\nholder=4242 %d\n", 1000 + 4242);
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");
	g = kf_guard_open(cfg, err, sizeof(err));
	CHECK(g && kf_guard_input(g)->enforce_original == 1, "nested: the first holder's original");
	CHECK_EQ_INT(kf_guard_restore(g), 0);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0\n");	/* the other one still holds it */
	snprintf(path, sizeof(path), "%s/" STATE, root);
	{
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		buf[n] = '\0';
		if (f)
			fclose(f);
	}
	CHECK(strstr(buf, "holder=4242 ") && strstr(buf, "original=1"), "its state stays: %s", buf);
	kf_guard_close(g);
	/* it died by SIGKILL: the next run restores what the admin had */
	snprintf(buf, sizeof(buf), "rm -rf %s/proc/4242", root);
	CHECK_EQ_INT(system(buf), 0);
	g = kf_guard_open(cfg, err, sizeof(err));
	kf_guard_close(g);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
}

static void test_data_side(void)
{
	const int pids[] = { 200, 99999 };
	const char *comms[] = { "nomatch", "lockedheap" };
	struct kf_guard_config cfg = { .root = root, .pids = pids, .nr_pids = 2, .comms = comms, .nr_comms = 2,
				       .lock_threshold_kb = 100 };
	const struct kf_guard_input *in;
	const struct kf_protected *p;
	struct kf_guard *g;
	char err[256], buf[64];
	const int *fp;
	int nr_fp;

	if (!mkdtemp(root))
		SKIP("mkdtemp: %s", strerror(errno));
	put("proc/sys/vm/compact_unevictable_allowed", "1\n");
	put("proc/sys/vm/compaction_proactiveness", "20\n");
	put("sys/kernel/sched_ext/state", "enabled\n");
	put("sys/kernel/sched_ext/root/ops", "rustland\n");
	make_proc(100, "scx_rustland", 0, "");
	pagemap_set(100, 0, 0);
	make_proc(200, "lockedheap", 16, smaps_locked);
	for (int i = 0; i < 4; i++)
		pagemap_set(200, 0x10 + i, 0x5000 + i);
	put("proc/200/task/201/stat", "x\n");
	make_proc(300, "bigmlock", 4096, smaps_locked);		/* above the threshold */
	for (int i = 0; i < 4; i++)
		pagemap_set(300, 0x10 + i, 0);			/* present, PFN hidden */
	make_proc(400, "scx_simple", 0, "");			/* an scx_* comm */
	pagemap_set(400, 0, 0);
	make_proc(500, "sshd", 8, smaps_locked);		/* below the threshold */
	put("proc/600/status", "Name:\tkthreadd\nTgid:\t600\n");	/* no Vm lines: a kernel thread */

	g = kf_guard_open(&cfg, err, sizeof(err));
	CHECK(g != NULL, "open: %s", err);
	if (!g)
		return;
	in = kf_guard_input(g);
	CHECK_EQ_INT(in->nr_procs, 4);
	CHECK_EQ_STR(in->sched_ext_state, "enabled");
	CHECK_EQ_STR(in->sched_ext_ops, "rustland");
	CHECK_EQ_INT(in->unevictable_allowed_start, 1);
	CHECK_EQ_INT(in->proactiveness, 20);
	p = proc_of(in, 100);
	CHECK(p && p->reason == KF_PROTECT_SCHED_EXT, "the sched_ext scheduler");
	p = proc_of(in, 400);
	CHECK(p && p->reason == KF_PROTECT_COMM_SCX, "scx_simple");
	CHECK(!proc_of(in, 500) && !proc_of(in, 600), "sshd, kthreadd not protected");
	p = proc_of(in, 300);
	CHECK(p && p->reason == KF_PROTECT_LOCKED && !p->pagemap_readable, "bigmlock");
	CHECK(p && strstr(p->pagemap_why, "CAP_SYS_ADMIN"), "%s", p ? p->pagemap_why : "");
	p = proc_of(in, 200);
	CHECK(p && p->reason == KF_PROTECT_PID, "explicit pid");
	if (p) {
		CHECK(p->pagemap_readable, "%s", p->pagemap_why);
		CHECK(p->mlockall, "every mapping but [vdso] is locked");
		CHECK_EQ_U64(p->locked_ranges, 1);
		CHECK_EQ_U64(p->locked_pages, 4);
		CHECK_EQ_U64(p->vmlck_kb, 16);
		CHECK_EQ_INT(p->nr_pfns, 1);	/* 0x5000-0x5004, one range */
		CHECK_EQ_U64(p->pfns[0].end - p->pfns[0].start, 4);
		CHECK_EQ_INT(p->nr_tids, 2);
		CHECK_EQ_U64(p->pages_moved, 0);
	}
	/* --protect-comm lockedheap matched 200 (already protected by pid) */
	CHECK_EQ_INT(in->nr_unmatched, 2);
	CHECK_EQ_INT(in->unmatched[0].pid, 99999);
	CHECK_EQ_STR(in->unmatched[1].comm, "nomatch");
	fp = kf_guard_fault_pids(g, &nr_fp);
	CHECK(nr_fp == 5, "fault pids: %d, want 200, 201, 100, 300, 400", nr_fp);
	(void)fp;

	/* page 0x11 moves, then the sysctl goes to 0 */
	pagemap_set(200, 0x11, 0x9000);
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");
	CHECK_EQ_INT(kf_guard_refresh(g), 0);
	in = kf_guard_input(g);
	p = proc_of(in, 200);
	CHECK(p && p->pages_moved == 1, "moved: %llu", p ? (unsigned long long)p->pages_moved : 0ULL);
	CHECK(p && p->vmas[0].pages_moved == 1, "per mapping");
	CHECK(p && p->nr_moved_vranges == 1 && p->moved_vranges[0].start == 0x11000 &&
	      p->moved_vranges[0].end == 0x12000, "moved range");
	CHECK(p && p->pages_checked == 4, "checked %llu", p ? (unsigned long long)p->pages_checked : 0ULL);
	CHECK(p && p->nr_pfns == 2, "the old and the new frame are both in the index");
	CHECK_EQ_INT(in->unevictable_changes, 1);
	CHECK(in->nr_changes == 1 && in->changes[0].from == 1 && in->changes[0].to == 0, "history");
	CHECK_EQ_INT(in->unevictable_allowed_end, 0);

	/* 200 exits; a new scx_* process appears */
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/200", root);
	CHECK_EQ_INT(system(cmd), 0);
	make_proc(700, "scx_lavd", 0, "");
	pagemap_set(700, 0, 0);
	kf_guard_refresh(g);
	in = kf_guard_input(g);
	p = proc_of(in, 200);
	CHECK(p && p->exited && p->pages_moved == 1, "exited, its counts kept");
	CHECK(proc_of(in, 700) != NULL, "discovered later");
	kf_guard_close(g);

	/* --enforce: held at 0, restored by kf_guard_restore, re-asserted */
	put("proc/sys/vm/compact_unevictable_allowed", "1\n");
	cfg.enforce = true;
	cfg.nr_pids = 0;
	cfg.nr_comms = 0;
	g = kf_guard_open(&cfg, err, sizeof(err));
	CHECK(g != NULL, "open: %s", err);
	in = kf_guard_input(g);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0\n");
	CHECK(in->enforced && in->unevictable_allowed_start == 1 && in->unevictable_allowed_end == 0, "enforced");
	CHECK_EQ_INT(kf_guard_restore(g), 0);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
	kf_guard_close(g);

	/* the admin sets it during the run: kfrag says so and lets it stand
	 * (issue #13 item 7: it does not fight the admin) */
	g = kf_guard_open(&cfg, err, sizeof(err));
	in = kf_guard_input(g);
	put("proc/sys/vm/compact_unevictable_allowed", "1\n");
	kf_guard_refresh(g);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
	CHECK_EQ_INT(in->unevictable_changes, 1);
	CHECK(in->enforce_admin_changed, "the admin's change is reported");
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");	/* and they set 0 again */
	CHECK_EQ_INT(kf_guard_restore(g), 0);
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0\n");
	kf_guard_close(g);
	put("proc/sys/vm/compact_unevictable_allowed", "1\n");

	/* nested: a second holder keeps the first one's original; the first
	 * out leaves 0 for the second, the last out restores 1 */
	test_enforce_nested(&cfg);

	/* what a fatal signal does: the emergency cleanup writes the value back
	 * and marks it in its marker */
	g = kf_guard_open(&cfg, err, sizeof(err));
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "0\n");
	kf_cleanup_emergency();
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
	snprintf(cmd, sizeof(cmd), "run/kfrag/enforce-compact_unevictable_allowed.%d", (int)getpid());
	get(cmd, buf, sizeof(buf));
	CHECK_EQ_STR(buf, "restored\n");
	kf_guard_close(g);

	/* nothing protected: no enforcement */
	cfg.no_discover = true;
	g = kf_guard_open(&cfg, err, sizeof(err));
	in = kf_guard_input(g);
	CHECK(!in->enforced && in->nr_procs == 0, "nothing to enforce for");
	get("proc/sys/vm/compact_unevictable_allowed", buf, sizeof(buf));
	CHECK_EQ_STR(buf, "1\n");
	kf_guard_close(g);

	/* a root that does not exist */
	cfg.root = "/nonexistent/kfrag-guard";
	g = kf_guard_open(&cfg, err, sizeof(err));
	CHECK(!g && strstr(err, "No such file"), "bad root: %s", err);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

int main(void)
{
	test_pagemap();
	test_overlap();
	test_evaluate_hazard();
	test_fault_proofs();
	test_sysctl_changes();
	test_evaluate_quiet();
	test_from_trace();
	test_data_side();
	return check_done();
}
