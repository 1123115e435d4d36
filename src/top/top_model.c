/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's view model: two engine snapshots, the memory state and the
 * guard's result in, plain numbers and names out. Rates are differences of
 * the two snapshots over dt; the fragmentation indices are the kernel's
 * formulas, derived once when buddyinfo was read (kf_zones.h). The memory
 * map view's cells are built by top_memmap.c, the guard panel's alerts and
 * processes by top_model_guard.c. No I/O, no curses.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_zones.h"
#include "kf_top.h"

const char *const kf_top_panel_names[KF_PANEL_NR] = {
	[KF_PANEL_ZONES] = "Zones",
	[KF_PANEL_CPUS] = "CPUs",
	[KF_PANEL_FRAG] = "Fragmentation",
	[KF_PANEL_COMPACT] = "Compaction",
	[KF_PANEL_PROCS] = "Processes",
	[KF_PANEL_GUARD] = "Guard",
};

const char *const kf_top_pcol_names[KF_PCOL_NR] = {
	[KF_PCOL_PID] = "PID",
	[KF_PCOL_COMM] = "COMMAND",
	[KF_PCOL_ALLOC_RATE] = "ALLOC/s",
	[KF_PCOL_FREE_RATE] = "FREE/s",
	[KF_PCOL_ALLOCD] = "ALLOCD",
	[KF_PCOL_LOCKED] = "LOCKED",
	[KF_PCOL_FREED] = "FREED",
	[KF_PCOL_BATCHED] = "BATCHED",
	[KF_PCOL_DRAINED] = "DRAINED",
	[KF_PCOL_DRAINS] = "DRAINS",
	[KF_PCOL_REFILLS] = "REFILLS",
	[KF_PCOL_FALLBACK] = "FALLBK",
	[KF_PCOL_CAUSING] = "CAUSING",
	[KF_PCOL_CHANGED] = "CHANGED",
	[KF_PCOL_FAULTS] = "FAULTS",
	[KF_PCOL_MIGFAULTS] = "MIGFLT",
};

/* a counter's growth per second; a count below the previous one means the
 * counters were reset in between: everything counted is new. NAN when dt
 * is no meaningful interval (see rates_dt): the screen shows "-" */
static double rate(uint64_t cur, uint64_t prev, double dt)
{
	if (isnan(dt))
		return NAN;
	if (dt <= 0)
		return 0;
	return (double)(cur >= prev ? cur - prev : cur) / dt;
}

/*
 * The interval rates are over, or NAN when it means nothing: a first
 * replay frame once showed "3.16G ev/s", 9 events over microseconds of
 * trace. Meaningful is a hundredth of a second of the clock (trace time in
 * a replay), or half of what a refresh covers when that is less (a replay
 * slowed down).
 */
static double rates_dt(const struct kf_top_input *in, const struct kf_top_state *st)
{
	double speed = in->source && !in->source->live && in->source->speed > 0 ? in->source->speed : 1;
	double covered = (st ? st->refresh_s : 1) * speed / 2;

	return in->dt > 0 && in->dt >= (covered < 0.01 ? covered : 0.01) ? in->dt : NAN;
}

void kf_top_view_release(struct kf_top_view *v)
{
	free(v->zones);
	free(v->cpus);
	free(v->xdrain);
	free(v->xdrain_ps);
	free(v->xdrain_best);
	free(v->frags);
	free(v->episodes);
	free(v->migrate);
	free(v->procs);
	free(v->alerts);
	free(v->protected_procs);
	kf_top_memmap_release(&v->memmap);
	kf_findings_release(&v->findings);
	memset(v, 0, sizeof(*v));
}

/* order-weighted pages of one kind on CPU number cpu, or in a zone; 0 beyond the snapshot */
static uint64_t cpu_pages(const struct kf_snapshot *s, int cpu, int kind)
{
	int i = kf_snapshot_cpu_index(s, cpu);

	return i >= 0 ? s->pages_cpu[(size_t)i * KF_PK_NR + kind].pages : 0;
}

static uint64_t zone_pages(const struct kf_snapshot *s, int zone, int kind)
{
	return s && zone >= 0 && zone <= s->nr_zones ? s->pages_zone[(size_t)zone * KF_PK_NR + kind].pages : 0;
}

static int snap_zone(const struct kf_snapshot *s, int node, const char *name)
{
	for (int z = 0; s && z < s->nr_zones; z++)
		if (s->zones[z].node == node && strcmp(s->zones[z].name, name) == 0)
			return z;
	return -1;
}

static signed char trend(int now, int before)
{
	return now > before ? 1 : now < before ? -1 : 0;
}

static void zone_from_mem(struct kf_top_zone *z, const struct kf_top_input *in)
{
	const struct kf_buddy_zone *b = kf_memstate_buddy(in->mem, z->node, z->name);
	const struct kf_buddy_zone *pb = kf_memstate_buddy(in->mem_prev, z->node, z->name);
	const struct kf_pagetype_zone *pt = kf_memstate_pagetype(in->mem, z->node, z->name);

	if (z->have_info) {
		if (z->free > z->high)
			z->wm = KF_WM_OK;
		else if (z->free > z->low)
			z->wm = KF_WM_LOW;
		else if (z->free > z->min)
			z->wm = KF_WM_MIN;
		else
			z->wm = KF_WM_BELOW_MIN;
	}
	if (b) {
		z->nr_orders = b->nr_orders < KF_MAX_ORDER ? b->nr_orders : KF_MAX_ORDER;
		for (int o = 0; o < z->nr_orders; o++) {
			z->free_blocks[o] = b->free_blocks[o];
			z->unusable[o] = b->unusable[o];
			z->extfrag[o] = b->extfrag[o];
			if (pb && pb->nr_orders == b->nr_orders) {
				z->unusable_trend[o] = trend(z->unusable[o], pb->unusable[o]);
				z->extfrag_trend[o] = trend(z->extfrag[o], pb->extfrag[o]);
			}
		}
	}
	for (int i = 0; i < in->nr_huge_now; i++)
		if (in->huge_now[i].node == z->node && strcmp(in->huge_now[i].name, z->name) == 0) {
			z->huge = in->huge_now[i].answer;
			z->huge_blocks = in->huge_now[i].blocks;
		}
	if (pt) {
		z->have_pageblocks = true;
		memcpy(z->pageblocks, pt->pageblocks, sizeof(z->pageblocks));
	}
}

static void zone_rates(struct kf_top_zone *z, const struct kf_top_input *in)
{
	int zc = snap_zone(in->cur, z->node, z->name);
	int zp = snap_zone(in->prev, z->node, z->name);

	if (zc < 0)
		return;
	z->alloc_ps = rate(zone_pages(in->cur, zc, KF_PK_ALLOC), zone_pages(in->prev, zp, KF_PK_ALLOC), in->dt);
	/* a batched free logs mm_page_free too: free counts every page once */
	z->free_ps = rate(zone_pages(in->cur, zc, KF_PK_FREE), zone_pages(in->prev, zp, KF_PK_FREE), in->dt);
}

/* the populated zones of the memory state, or the snapshot's when /proc gave none */
static int build_zones(struct kf_top_view *v, const struct kf_top_input *in)
{
	const struct kf_memstate *ms = in->mem;
	int n = 0, max = (ms ? ms->zoneinfo.nr_zones : 0) + in->cur->nr_zones;

	v->zones = calloc(max ? max : 1, sizeof(*v->zones));
	if (!v->zones)
		return -1;
	for (int i = 0; ms && i < ms->zoneinfo.nr_zones; i++) {
		const struct kf_zone_info *zi = &ms->zoneinfo.zones[i];
		struct kf_top_zone *z = &v->zones[n];

		if (!zi->spanned)
			continue;
		z->node = zi->node;
		memcpy(z->name, zi->name, sizeof(z->name));
		z->have_info = true;
		z->free = zi->free_pages;
		z->min = zi->min;
		z->low = zi->low;
		z->high = zi->high;
		z->managed = zi->managed;
		n++;
	}
	if (n == 0) {
		for (int i = 0; i < in->cur->nr_zones; i++) {
			v->zones[n].node = in->cur->zones[i].node;
			memcpy(v->zones[n].name, in->cur->zones[i].name, sizeof(v->zones[n].name));
			n++;
		}
	}
	for (int i = 0; i < n; i++) {
		zone_from_mem(&v->zones[i], in);
		zone_rates(&v->zones[i], in);
	}
	v->nr_zones = n;
	v->no_memstate = in->no_memstate;
	if (ms && (ms->have & KF_HAVE_PAGETYPEINFO)) {
		v->nr_mt = ms->pagetypeinfo.nr_mt;
		memcpy(v->mt_names, ms->pagetypeinfo.mt_names, sizeof(v->mt_names));
		v->pageblock_order = ms->pagetypeinfo.pageblock_order;
	}
	return 0;
}

/* the row of CPU number cpu among the rows shown, -1 */
static int row_of(const int *rows, int n, int cpu)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (rows[mid] == cpu)
			return mid;
		if (rows[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* the matrix is drawn only when it fits a screen; above this it is not kept */
#define XDRAIN_MATRIX_MAX	64

/* the flows out of each row's CPU, from the snapshot's sparse pairs: totals
 * into out[], and for drains the peer that drained most and the matrix */
static void flows_out(struct kf_top_view *v, const int *rows, int n, const struct kf_cpu_flow *f, int nf,
		      uint64_t *out, bool drain, bool prev)
{
	for (int i = 0; i < nf; i++) {
		int a = row_of(rows, n, f[i].from_cpu), b = row_of(rows, n, f[i].to_cpu);
		struct kf_top_cpu *x;

		if (a < 0 || b < 0 || a == b)
			continue;
		out[a] += f[i].pages;
		x = &v->cpus[a];
		if (!drain || prev)
			continue;
		if (v->xdrain)
			v->xdrain[(size_t)a * n + b] = f[i].pages;
		if (x->xdrain_peer < 0 || f[i].pages > v->xdrain_best[a]) {
			v->xdrain_best[a] = f[i].pages;
			x->xdrain_peer = f[i].to_cpu;
		}
	}
}

/* the CPU numbers shown: the live ring's 0 .. nr_cpus - 1 and every CPU the
 * snapshot saw, ascending; as many as occur, whatever their numbers */
static int cpu_rows(const struct kf_top_input *in, int **rows)
{
	const struct kf_snapshot *cur = in->cur;
	int n = 0, i = 0, ring = in->nr_cpus > 0 ? in->nr_cpus : 0;
	int *r = malloc(((size_t)ring + cur->nr_cpus + 1) * sizeof(*r));

	if (!r)
		return -1;
	for (int c = 0; c < ring || i < cur->nr_cpus;) {
		int next = i >= cur->nr_cpus || (c < ring && c <= cur->cpu_ids[i]) ? c : cur->cpu_ids[i];

		if (c < ring && next == c)
			c++;
		if (i < cur->nr_cpus && cur->cpu_ids[i] == next)
			i++;
		r[n++] = next;
	}
	*rows = r;
	return n;
}

static void cpu_fill(struct kf_top_cpu *x, const struct kf_top_input *in, int cpu)
{
	static const struct kf_cpu_stats none;
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;
	int ci = kf_snapshot_cpu_index(cur, cpu), pi = kf_snapshot_cpu_index(prev, cpu);
	const struct kf_cpu_stats *cs = ci >= 0 ? &cur->cpus[ci] : &none;
	const struct kf_cpu_stats *ps = pi >= 0 ? &prev->cpus[pi] : NULL;

	x->cpu = cpu;
	x->alloc = cpu_pages(cur, cpu, KF_PK_ALLOC);
	x->freed = cpu_pages(cur, cpu, KF_PK_FREE);	/* batched frees are among them */
	x->alloc_ps = rate(x->alloc, cpu_pages(prev, cpu, KF_PK_ALLOC), in->dt);
	x->free_ps = rate(x->freed, cpu_pages(prev, cpu, KF_PK_FREE), in->dt);
	x->refill_runs = cs->refill.runs;
	x->refill_pages = cs->refill.pages;
	x->drain_runs = cs->drain.runs;
	x->drain_pages = cs->drain.pages;
	x->refill_runs_ps = rate(cs->refill.runs, ps ? ps->refill.runs : 0, in->dt);
	x->refill_pages_ps = rate(cs->refill.pages, ps ? ps->refill.pages : 0, in->dt);
	x->drain_runs_ps = rate(cs->drain.runs, ps ? ps->drain.runs : 0, in->dt);
	x->drain_pages_ps = rate(cs->drain.pages, ps ? ps->drain.pages : 0, in->dt);
	x->lost = cs->lost_events;
	x->xdrain_peer = -1;
}

/* the matrix's rates: the previous drains of each pair, then per second */
static void xdrain_rates(struct kf_top_view *v, const int *rows, int n, const struct kf_top_input *in)
{
	const struct kf_snapshot *prev = in->prev;

	for (int i = 0; prev && i < prev->nr_cross_drain; i++) {
		int a = row_of(rows, n, prev->cross_drain[i].from_cpu), b = row_of(rows, n, prev->cross_drain[i].to_cpu);

		if (a >= 0 && b >= 0 && a != b)
			v->xdrain_ps[(size_t)a * n + b] = prev->cross_drain[i].pages;
	}
	for (size_t k = 0; k < (size_t)n * n; k++)
		v->xdrain_ps[k] = rate(v->xdrain[k], (uint64_t)v->xdrain_ps[k], in->dt);
}

static int build_cpus(struct kf_top_view *v, const struct kf_top_input *in)
{
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;
	int *rows = NULL;
	int n = cpu_rows(in, &rows);
	uint64_t *sums;

	if (n < 0)
		return -1;
	v->cpus = calloc(n ? n : 1, sizeof(*v->cpus));
	v->xdrain_best = calloc(n ? n : 1, sizeof(*v->xdrain_best));
	sums = calloc(4 * (size_t)(n ? n : 1), sizeof(*sums));	/* drained, freed: now, before */
	if (n <= XDRAIN_MATRIX_MAX) {
		v->xdrain = calloc(n ? (size_t)n * n : 1, sizeof(*v->xdrain));
		v->xdrain_ps = calloc(n ? (size_t)n * n : 1, sizeof(*v->xdrain_ps));
	}
	if (!v->cpus || !v->xdrain_best || !sums || (n <= XDRAIN_MATRIX_MAX && (!v->xdrain || !v->xdrain_ps))) {
		free(rows);
		free(sums);
		return -1;
	}
	v->nr_cpus = n;
	for (int c = 0; c < n; c++)
		cpu_fill(&v->cpus[c], in, rows[c]);
	flows_out(v, rows, n, cur->cross_drain, cur->nr_cross_drain, sums, true, false);
	flows_out(v, rows, n, cur->cross_free, cur->nr_cross_free, sums + n, false, false);
	if (prev) {
		flows_out(v, rows, n, prev->cross_drain, prev->nr_cross_drain, sums + 2 * n, true, true);
		flows_out(v, rows, n, prev->cross_free, prev->nr_cross_free, sums + 3 * n, false, true);
	}
	if (v->xdrain)
		xdrain_rates(v, rows, n, in);
	for (int c = 0; c < n; c++) {
		struct kf_top_cpu *x = &v->cpus[c];

		x->xdrain_out = sums[c];
		x->xfree_out = sums[n + c];
		x->xdrain_out_ps = rate(x->xdrain_out, sums[2 * n + c], in->dt);
		x->xfree_out_ps = rate(x->xfree_out, sums[3 * n + c], in->dt);
		v->alloc_ps += x->alloc_ps;
		v->free_ps += x->free_ps;
	}
	free(rows);
	free(sums);
	return 0;
}

/* the kernel's name of an enumerated value, or its number, copied into the view */
static void sym_name(const struct kf_symbols *syms, enum kf_symtab_kind k, int v, char *buf, size_t len)
{
	char num[24];

	snprintf(buf, len, "%s", kf_symbols_label(syms, k, v, num, sizeof(num)));
}

static void frag_fill(struct kf_top_frag *f, const struct kf_extfrag_stats *cur,
		      const struct kf_extfrag_stats *prev, double dt)
{
	static const struct kf_extfrag_stats zero;

	if (!prev)
		prev = &zero;
	f->total = *cur;
	f->fallbacks_ps = rate(cur->fallbacks, prev->fallbacks, dt);
	f->fragmenting_ps = rate(cur->fragmenting, prev->fragmenting, dt);
	f->severe_ps = rate(cur->severe, prev->severe, dt);
	f->moderate_ps = rate(cur->moderate, prev->moderate, dt);
	f->changed_ps = rate(cur->changed, prev->changed, dt);
}

static int by_fallbacks(const void *a, const void *b)
{
	const struct kf_top_frag *x = a, *y = b;

	if (x->total.fallbacks != y->total.fallbacks)
		return x->total.fallbacks < y->total.fallbacks ? 1 : -1;
	if (x->alloc_mt != y->alloc_mt)
		return x->alloc_mt - y->alloc_mt;
	return x->fallback_mt - y->fallback_mt;
}

static int build_frag(struct kf_top_view *v, const struct kf_top_input *in)
{
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;
	int n = 0;

	v->frag_total.alloc_mt = v->frag_total.fallback_mt = -1;
	frag_fill(&v->frag_total, &cur->extfrag_total, prev ? &prev->extfrag_total : NULL, in->dt);
	v->frags = calloc(KF_MAX_MIGRATETYPES * KF_MAX_MIGRATETYPES, sizeof(*v->frags));
	if (!v->frags)
		return -1;
	for (int a = 0; a < KF_MAX_MIGRATETYPES; a++)
		for (int f = 0; f < KF_MAX_MIGRATETYPES; f++) {
			struct kf_top_frag *x = &v->frags[n];

			if (!cur->extfrag_pair[a][f].fallbacks)
				continue;
			x->alloc_mt = a;
			x->fallback_mt = f;
			sym_name(in->syms, KF_SYM_MIGRATETYPE, a, x->alloc_name, sizeof(x->alloc_name));
			sym_name(in->syms, KF_SYM_MIGRATETYPE, f, x->fallback_name, sizeof(x->fallback_name));
			frag_fill(x, &cur->extfrag_pair[a][f], prev ? &prev->extfrag_pair[a][f] : NULL, in->dt);
			n++;
		}
	qsort(v->frags, n, sizeof(*v->frags), by_fallbacks);
	v->nr_frags = n;
	return 0;
}

static void episode_fill(struct kf_top_episode *t, const struct kf_episode *ep,
			 const struct kf_top_input *in)
{
	const struct kf_snapshot *s = in->cur;

	if (ep->zone >= 0 && ep->zone < s->nr_zones) {
		snprintf(t->zone, sizeof(t->zone), "%s", s->zones[ep->zone].name);
		t->node = s->zones[ep->zone].node;
	} else {
		snprintf(t->zone, sizeof(t->zone), "unknown");
		t->node = -1;
	}
	snprintf(t->initiator, sizeof(t->initiator), "%s",
		 ep->initiator < KF_INIT_NR ? kf_initiator_names[ep->initiator] : "?");
	snprintf(t->task, sizeof(t->task), "%s-%d", ep->comm, ep->pid);
	t->running = ep->running;
	t->sync = ep->sync;
	t->begin_s = ep->begin_ts / 1e9;
	if (ep->running)
		t->duration_ms = s->last_ts > ep->begin_ts ? (s->last_ts - ep->begin_ts) / 1e6 : 0;
	else
		t->duration_ms = ep->end_ts > ep->begin_ts ? (ep->end_ts - ep->begin_ts) / 1e6 : 0;
	if (ep->running)
		snprintf(t->status, sizeof(t->status), "running");
	else
		sym_name(in->syms, KF_SYM_COMPACT_STATUS, ep->status, t->status, sizeof(t->status));
	t->scanned = ep->migrate_scanned;
	t->isolated = ep->migrate_isolated;
	t->migrated = ep->nr_migrated;
	t->failed = ep->nr_failed;
	t->order = ep->order;
	t->stall_ms = ep->stall_ns / 1e6;
	t->scanned_exceeds_span = ep->migrate_scanned_exceeds_span;
}

static int build_compaction(struct kf_top_view *v, const struct kf_top_input *in)
{
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;
	int first = cur->nr_episodes > KF_TOP_MAX_EPISODES ? cur->nr_episodes - KF_TOP_MAX_EPISODES : 0;
	int n = 0;

	v->episodes = calloc(KF_TOP_MAX_EPISODES, sizeof(*v->episodes));
	v->migrate = calloc(KF_MAX_MIGRATE_REASONS, sizeof(*v->migrate));
	if (!v->episodes || !v->migrate)
		return -1;
	for (int i = 0; i < cur->nr_episodes; i++)
		if (cur->episodes[i].running)
			v->episodes_running++;
	/* running ones first (they may have begun long ago), then newest first */
	for (int pass = 0; pass < 2; pass++)
		for (int i = cur->nr_episodes - 1; i >= 0 && n < KF_TOP_MAX_EPISODES; i--) {
			const struct kf_episode *ep = &cur->episodes[i];

			if (ep->running != (pass == 0) || (pass == 1 && i < first))
				continue;
			episode_fill(&v->episodes[n++], ep, in);
		}
	v->nr_episodes = n;
	v->episodes_total = cur->nr_episodes;
	v->episodes_dropped = cur->episodes_dropped;
	v->kcompactd_wakes = cur->kcompactd_wakes;
	v->kcompactd_sleeps = cur->kcompactd_sleeps;
	v->kcompactd_requested = cur->kcompactd_wakeups;
	v->direct_attempts = cur->try_to_compact;
	v->deferred = cur->deferred;
	v->compact_migrated = cur->compact_migrated;
	v->compact_failed = cur->compact_failed;
	v->kcompactd_wakes_ps = rate(cur->kcompactd_wakes, prev ? prev->kcompactd_wakes : 0, in->dt);
	v->direct_attempts_ps = rate(cur->try_to_compact, prev ? prev->try_to_compact : 0, in->dt);
	v->compact_migrated_ps = rate(cur->compact_migrated, prev ? prev->compact_migrated : 0, in->dt);
	v->compact_failed_ps = rate(cur->compact_failed, prev ? prev->compact_failed : 0, in->dt);
	v->migration_faults = cur->faults_during_migration;

	n = 0;
	for (int r = 0; r < KF_MAX_MIGRATE_REASONS; r++) {
		struct kf_top_migrate *m = &v->migrate[n];
		uint64_t ps = 0, pf = 0;

		for (int mode = 0; mode < KF_MAX_MIGRATE_MODES; mode++) {
			m->calls += cur->migrate[r][mode].calls;
			m->succeeded += cur->migrate[r][mode].succeeded;
			m->failed += cur->migrate[r][mode].failed;
			if (prev) {
				ps += prev->migrate[r][mode].succeeded;
				pf += prev->migrate[r][mode].failed;
			}
		}
		if (!m->calls) {
			memset(m, 0, sizeof(*m));
			continue;
		}
		sym_name(in->syms, KF_SYM_MIGRATE_REASON, r, m->reason, sizeof(m->reason));
		m->succeeded_ps = rate(m->succeeded, ps, in->dt);
		m->failed_ps = rate(m->failed, pf, in->dt);
		n++;
	}
	v->nr_migrate = n;
	return 0;
}

/* ---- processes -------------------------------------------------------- */

struct pid_idx {
	int pid;
	int idx;
};

static int by_pid(const void *a, const void *b)
{
	const struct pid_idx *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static double pcol_value(const struct kf_top_proc *p, enum kf_top_pcol col)
{
	switch (col) {
	case KF_PCOL_PID: return p->pid;
	case KF_PCOL_ALLOC_RATE: return p->alloc_ps;
	case KF_PCOL_FREE_RATE: return p->free_ps;
	case KF_PCOL_ALLOCD: return (double)p->s.allocd;
	case KF_PCOL_LOCKED: return (double)p->s.allocd_locked;
	case KF_PCOL_FREED: return (double)p->s.freed;
	case KF_PCOL_BATCHED: return (double)p->s.freed_batched;
	case KF_PCOL_DRAINED: return (double)p->s.pcpu_pages_drained;
	case KF_PCOL_DRAINS: return (double)p->s.pcpu_drains;
	case KF_PCOL_REFILLS: return (double)p->s.pcpu_refills;
	case KF_PCOL_FALLBACK: return (double)p->s.fallback;
	case KF_PCOL_CAUSING: return (double)p->s.causing;
	case KF_PCOL_CHANGED: return (double)p->s.changed;
	case KF_PCOL_FAULTS: return (double)p->s.faults;
	case KF_PCOL_MIGFAULTS: return (double)p->s.faults_during_migration;
	default: return 0;
	}
}

struct sort_ctx {
	enum kf_top_pcol col;
	bool ascending;
};

/* the total a rate column is the growth of: its tie-breaker, and what
 * totals mode sorts by */
static enum kf_top_pcol pcol_total(enum kf_top_pcol col)
{
	return col == KF_PCOL_ALLOC_RATE ? KF_PCOL_ALLOCD : col == KF_PCOL_FREE_RATE ? KF_PCOL_FREED : col;
}

static int proc_cmp(const void *a, const void *b, void *arg)
{
	const struct kf_top_proc *x = a, *y = b;
	const struct sort_ctx *c = arg;
	int r;

	if (c->col == KF_PCOL_COMM) {
		r = strcmp(x->comm, y->comm);
	} else {
		double vx = pcol_value(x, c->col), vy = pcol_value(y, c->col);

		/* equal rates (or none known yet): the totals decide, not the pids */
		if (!((vx > vy) - (vx < vy))) {
			vx = pcol_value(x, pcol_total(c->col));
			vy = pcol_value(y, pcol_total(c->col));
		}
		r = (vx > vy) - (vx < vy);
	}
	/* numbers read biggest first by default, names a to z */
	if (c->col != KF_PCOL_COMM && c->col != KF_PCOL_PID)
		r = -r;
	if (c->ascending)
		r = -r;
	if (!r)
		r = (x->pid > y->pid) - (x->pid < y->pid);
	return r;
}

static bool pid_protected(const struct kf_top_input *in, int pid)
{
	for (int i = 0; in->guard_in && i < in->guard_in->nr_procs; i++)
		if (in->guard_in->procs[i].pid == pid)
			return true;
	return false;
}

static int build_procs(struct kf_top_view *v, const struct kf_top_input *in, const struct kf_top_state *st)
{
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;
	struct pid_idx *pidx = NULL;
	int np = prev ? prev->nr_procs : 0;
	struct sort_ctx sc = { st ? st->sort_col : KF_PCOL_ALLOC_RATE, st ? st->sort_ascending : false };

	/* totals mode shows no rate: a rate's sort is by its total there */
	if (st && st->totals)
		sc.col = pcol_total(sc.col);

	v->procs = calloc(cur->nr_procs ? cur->nr_procs : 1, sizeof(*v->procs));
	if (!v->procs)
		return -1;
	if (np) {
		pidx = malloc(np * sizeof(*pidx));
		if (!pidx)
			return -1;
		for (int i = 0; i < np; i++)
			pidx[i] = (struct pid_idx){ prev->procs[i].pid, i };
		qsort(pidx, np, sizeof(*pidx), by_pid);
	}
	for (int i = 0; i < cur->nr_procs; i++) {
		const struct kf_proc_stats *s = &cur->procs[i];
		const struct kf_proc_stats *p = NULL;
		struct kf_top_proc *t = &v->procs[i];
		struct pid_idx key = { s->pid, 0 }, *hit;

		hit = np ? bsearch(&key, pidx, np, sizeof(*pidx), by_pid) : NULL;
		if (hit)
			p = &prev->procs[hit->idx];
		t->pid = s->pid;
		memcpy(t->comm, s->comm, sizeof(t->comm));
		t->comm[sizeof(t->comm) - 1] = '\0';
		t->s = *s;
		t->alloc_ps = rate(s->allocd, p ? p->allocd : 0, in->dt);
		t->free_ps = rate(s->freed, p ? p->freed : 0, in->dt);
		t->is_protected = pid_protected(in, s->pid);
	}
	free(pidx);
	v->nr_procs = cur->nr_procs;
	v->sort_col = sc.col;
	/* the direction shown: names and pids read upwards unless inverted */
	v->sort_ascending = (sc.col == KF_PCOL_COMM || sc.col == KF_PCOL_PID) != sc.ascending;
	qsort_r(v->procs, v->nr_procs, sizeof(*v->procs), proc_cmp, &sc);
	return 0;
}

static int build_memmap(struct kf_top_view *v, const struct kf_top_input *in)
{
	struct kf_top_memmap *mm = &v->memmap;

	if (kf_top_memmap_build(mm, in->memmap, in->guard_in, in->page_size, in->map_rows, in->map_cols) < 0)
		return -1;
	if (!in->memmap && in->memmap_error)
		snprintf(mm->error, sizeof(mm->error), "%s", in->memmap_error);
	mm->age_s = in->memmap_age_s;
	mm->every_s = in->memmap_every_s;
	mm->scan_cpu_s = in->memmap_cpu_s;
	mm->saved = in->memmap_saved;
	return 0;
}

int kf_top_view_build(struct kf_top_view *v, const struct kf_top_input *given, const struct kf_top_state *st)
{
	struct kf_top_input rated = *given;
	const struct kf_top_input *in = &rated;
	const struct kf_snapshot *cur = in->cur, *prev = in->prev;

	kf_top_view_release(v);
	if (!cur) {
		errno = EINVAL;
		return -1;
	}
	if (in->source)
		v->src = *in->source;
	if (in->policy) {
		v->policy = *in->policy;
	} else {
		v->policy.unevictable_allowed = v->policy.proactiveness = v->policy.extfrag_threshold = -1;
	}
	rated.dt = rates_dt(given, st);
	v->dt = in->dt;
	v->rates_known = !isnan(in->dt);
	v->page_size = in->page_size ? in->page_size : 4096;
	v->refresh_s = st ? st->refresh_s : 0;
	v->paused = st ? st->paused : false;
	v->events = cur->nr_events;
	v->lost = cur->lost_events;
	v->lost_unknown = cur->lost_unknown;
	v->events_ps = rate(cur->nr_events, prev ? prev->nr_events : 0, in->dt);
	v->lost_ps = rate(cur->lost_events, prev ? prev->lost_events : 0, in->dt);
	v->span_s = cur->last_ts > cur->first_ts ? (cur->last_ts - cur->first_ts) / 1e9 : 0;
	if (in->findings) {
		if (kf_findings_copy(&v->findings, in->findings) < 0) {
			kf_top_view_release(v);
			return -1;
		}
		v->have_findings = true;
	}

	if (build_zones(v, in) < 0 || build_cpus(v, in) < 0 || build_frag(v, in) < 0 ||
	    build_compaction(v, in) < 0 || build_procs(v, in, st) < 0 || kf_top_guard_build(v, in, st) < 0 ||
	    (st && st->memmap && build_memmap(v, in) < 0)) {
		kf_top_view_release(v);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
