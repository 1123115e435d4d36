/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report as a JSON document (data/kfrag-report.schema.json describes it).
 * It renders a snapshot and the memory state; it computes no statistic of
 * the trace. Index values are the kernel's formulas over the buddy lists
 * the kernel itself reported (kf_fragindex.h).
 */
#include <stdio.h>
#include <string.h>

#include "report_json_out.h"

#include "config.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* a member set without json_pack's parse of a format: the per-CPU parts of
 * a report of hundreds of CPUs are tens of thousands of them */
static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v);
}

static json_t *count_json(const struct kf_count *c)
{
	json_t *o = json_object();

	set(o, "events", u64(c->events));
	set(o, "pages", u64(c->pages));
	return o;
}

const char *kf_report_mt_name(const struct kf_symbols *syms, int mt, char *buf, size_t len)
{
	if (mt == KF_MT_NONE)
		return "none";
	return kf_symbols_label(syms, KF_SYM_MIGRATETYPE, mt, buf, len);
}

static double ns_to_s(uint64_t ns)
{
	return ns / 1e9;
}

static json_t *source_json(const struct kf_report_input *in)
{
	const struct kf_source_info *src = in->m->source;
	json_t *o;

	if (!src) {
		json_t *ring = json_array();

		for (int c = 0; c < in->m->nr_ring; c++)
			json_array_append_new(ring, json_pack("{s:i,s:o,s:o,s:o,s:o}", "cpu", c,
				"events_read", u64(in->m->ring[c].events),
				"missed", u64(in->m->ring[c].missed),
				"overrun", u64(in->m->ring[c].overrun),
				"dropped", u64(in->m->ring[c].dropped)));
		return json_pack("{s:s,s:s?,s:b,s:o}", "type", "live", "instance", in->m->instance,
				 "interrupted", in->m->interrupted, "ring_buffer", ring);
	}
	o = json_pack("{s:s,s:s}", "type", kf_format_names[src->format], "path", src->path ? src->path : "");
	if (src->format == KF_FMT_TRACEDAT) {
		json_t *bufs = json_array();

		for (int i = 0; i < src->nr_buffers; i++)
			json_array_append_new(bufs, json_string(src->buffers[i][0] ? src->buffers[i] : "(top)"));
		json_object_set_new(o, "buffers", bufs);
	} else {
		json_object_set_new(o, "lines", u64(src->lines));
		json_object_set_new(o, "malformed_lines", u64(src->malformed));
		if (src->first_malformed_line)
			json_object_set_new(o, "first_malformed_line", u64(src->first_malformed_line));
	}
	return o;
}

static json_t *lost_json(const struct kf_snapshot *s)
{
	json_t *per_cpu = json_array();

	for (int c = 0; c < s->nr_cpus; c++)
		json_array_append_new(per_cpu, u64(s->cpus[c].lost_events));
	return json_pack("{s:o,s:b,s:o}", "total", u64(s->lost_events),
			 "gaps_of_unknown_size", s->lost_unknown, "per_cpu", per_cpu);
}

/* the snapshot's page sums of one zone */
static json_t *page_kinds_json(const struct kf_snapshot *s, int zone)
{
	const struct kf_count *sums = &s->pages_zone[zone * KF_PK_NR];
	json_t *o = json_object();

	for (int k = 0; k < KF_PK_NR; k++)
		set(o, kf_page_kind_names[k], count_json(&sums[k]));
	return o;
}

static json_t *extfrag_stats_json(const struct kf_extfrag_stats *x)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "fallbacks", u64(x->fallbacks),
			 "fragmenting", u64(x->fragmenting), "severe", u64(x->severe),
			 "moderate", u64(x->moderate), "ownership_changed", u64(x->changed));
}

/* the kernel's state of one zone: free memory, watermarks, buddy lists, indices */
static void zone_state_json(json_t *o, const struct kf_memstate *ms, int node, const char *name)
{
	const struct kf_zone_info *zi = kf_memstate_zoneinfo(ms, node, name);
	const struct kf_buddy_zone *bz = kf_memstate_buddy(ms, node, name);
	const struct kf_pagetype_zone *pz = kf_memstate_pagetype(ms, node, name);

	if (zi) {
		json_object_set_new(o, "spanned", u64(zi->spanned));
		json_object_set_new(o, "present", u64(zi->present));
		json_object_set_new(o, "managed", u64(zi->managed));
		json_object_set_new(o, "free_pages", u64(zi->free_pages));
		json_object_set_new(o, "watermarks", json_pack("{s:o,s:o,s:o}", "min", u64(zi->min),
							       "low", u64(zi->low), "high", u64(zi->high)));
		json_object_set_new(o, "nr_mlock", u64(zi->nr_mlock));
		json_object_set_new(o, "nr_unevictable", u64(zi->nr_unevictable));
	}
	if (bz) {
		json_t *fb = json_array(), *ui = json_array(), *ei = json_array();

		for (int ord = 0; ord < bz->nr_orders; ord++) {
			json_array_append_new(fb, u64(bz->free_blocks[ord]));
			json_array_append_new(ui, json_real(bz->unusable[ord] / 1000.0));
			json_array_append_new(ei, json_real(bz->extfrag[ord] / 1000.0));
		}
		json_object_set_new(o, "free_blocks", fb);
		json_object_set_new(o, "unusable_index", ui);
		json_object_set_new(o, "extfrag_index", ei);
	}
	if (pz) {
		const struct kf_pagetypeinfo *pt = &ms->pagetypeinfo;
		json_t *blocks = json_object(), *free_by_type = json_object();

		for (int mt = 0; mt < pt->nr_mt; mt++) {
			json_t *orders = json_array();

			json_object_set_new(blocks, pt->mt_names[mt], u64(pz->pageblocks[mt]));
			for (int ord = 0; ord < pt->nr_orders; ord++)
				json_array_append_new(orders, u64(pz->free_blocks[mt][ord]));
			json_object_set_new(free_by_type, pt->mt_names[mt], orders);
		}
		json_object_set_new(o, "pageblocks", blocks);
		json_object_set_new(o, "free_blocks_by_type", free_by_type);
	}
}

/* "can I get a 2 MiB page now?", as the run layer answered it for this zone */
static void huge_now_json(json_t *o, const struct kf_measurement *m, int node, const char *name, long page_size)
{
	for (int i = 0; i < m->nr_huge_now; i++) {
		const struct kf_zone_order_now *h = &m->huge_now[i];

		if (h->node != node || strcmp(h->name, name) != 0)
			continue;
		json_object_set_new(o, "huge_page_now",
				    json_pack("{s:i,s:o,s:o,s:s}", "order", h->order,
					      "bytes", u64((uint64_t)page_size << h->order), "free_blocks",
					      u64(h->blocks), "answer", kf_huge_answer_names[h->answer]));
		return;
	}
}

static json_t *zones_json(const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	const struct kf_memstate *ms = in->m->mem ? in->m->mem : in->m->mem_before;
	json_t *a = json_array();

	for (int z = 0; z <= s->nr_zones; z++) {
		json_t *o;

		if (z == s->nr_zones) {
			/* events whose pfn is in no known zone are never hidden */
			o = json_pack("{s:n,s:s,s:b}", "node", "zone", "unknown", "known", 0);
		} else {
			const struct kf_zone_span *zs = &s->zones[z];

			o = json_pack("{s:i,s:s,s:b,s:o,s:o}", "node", zs->node, "zone", zs->name,
				      "known", 1, "start_pfn", u64(zs->start_pfn), "end_pfn", u64(zs->end_pfn));
			zone_state_json(o, ms, zs->node, zs->name);
			huge_now_json(o, in->m, zs->node, zs->name, in->m->page_size);
		}
		json_object_set_new(o, "page_events", page_kinds_json(s, z));
		json_object_set_new(o, "extfrag", extfrag_stats_json(&s->extfrag_zone[z]));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *proc_json(const struct kf_proc_stats *p)
{
	json_t *o = json_object();

	if (p->pid >= 0)
		json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "comm", json_string(p->comm));
	json_object_set_new(o, "pages_allocd", u64(p->allocd));
	json_object_set_new(o, "pages_allocd_order_weighted", u64(p->allocd_pages));
	json_object_set_new(o, "pages_allocd_under_lock", u64(p->allocd_locked));
	json_object_set_new(o, "pages_freed", u64(p->freed));
	json_object_set_new(o, "pages_freed_batched", u64(p->freed_batched));
	json_object_set_new(o, "pages_freed_unbatched", u64(p->freed_unbatched));
	json_object_set_new(o, "pages_freed_order_weighted", u64(p->freed_pages));
	json_object_set_new(o, "pcpu_pages_drained", u64(p->pcpu_pages_drained));
	json_object_set_new(o, "pcpu_drains", u64(p->pcpu_drains));
	json_object_set_new(o, "pcpu_refills", u64(p->pcpu_refills));
	json_object_set_new(o, "fragment_fallback", u64(p->fallback));
	json_object_set_new(o, "fragment_causing", u64(p->causing));
	json_object_set_new(o, "migtype_changed", u64(p->changed));
	json_object_set_new(o, "fragment_severe", u64(p->severe));
	json_object_set_new(o, "fragment_moderate", u64(p->moderate));
	json_object_set_new(o, "unknown", u64(p->unknown));
	json_object_set_new(o, "page_faults", u64(p->faults));
	json_object_set_new(o, "page_faults_during_migration", u64(p->faults_during_migration));
	return o;
}

static int by_allocd(const void *a, const void *b)
{
	const struct kf_proc_stats *x = a, *y = b;

	if (x->allocd != y->allocd)
		return x->allocd < y->allocd ? 1 : -1;
	return x->pid - y->pid;
}

static json_t *processes_json(const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	struct kf_proc_stats *procs;
	json_t *a = json_array();
	int nr;

	if (in->by_comm) {
		procs = kf_snapshot_procs_by_comm(s, &nr);
	} else {
		nr = s->nr_procs;
		procs = malloc((nr ? nr : 1) * sizeof(*procs));
		if (procs) {
			memcpy(procs, s->procs, nr * sizeof(*procs));
			qsort(procs, nr, sizeof(*procs), by_allocd);
		}
	}
	if (!procs)
		return a;
	for (int i = 0; i < nr; i++)
		json_array_append_new(a, proc_json(&procs[i]));
	free(procs);
	return a;
}

static json_t *extfrag_json(const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	json_t *pairs = json_array();
	char b1[32], b2[32];

	for (int a = 0; a < KF_MAX_MIGRATETYPES; a++)
		for (int f = 0; f < KF_MAX_MIGRATETYPES; f++) {
			const struct kf_extfrag_stats *x = &s->extfrag_pair[a][f];
			json_t *o;

			if (!x->fallbacks)
				continue;
			o = extfrag_stats_json(x);
			json_object_set_new(o, "alloc_migratetype", json_string(kf_report_mt_name(in->m->syms, a, b1, sizeof(b1))));
			json_object_set_new(o, "fallback_migratetype", json_string(kf_report_mt_name(in->m->syms, f, b2, sizeof(b2))));
			json_array_append_new(pairs, o);
		}
	json_t *total = extfrag_stats_json(&s->extfrag_total);

	json_object_set_new(total, "by_pair", pairs);
	return total;
}

static json_t *status_counts(const struct kf_symbols *syms, const uint64_t *v)
{
	json_t *o = json_object();
	char buf[32];

	for (int i = 0; i < 16; i++)
		if (v[i])
			json_object_set_new(o, kf_symbols_label(syms, KF_SYM_COMPACT_STATUS, i, buf, sizeof(buf)), u64(v[i]));
	return o;
}

static json_t *episode_json(const struct kf_report_input *in, const struct kf_episode *ep)
{
	const struct kf_snapshot *s = in->m->snap;
	json_t *ranges = json_array();
	char buf[32];
	json_t *o;

	for (int i = 0; i < ep->nr_ranges; i++)
		json_array_append_new(ranges, json_pack("[o,o]", u64(ep->ranges[i].start), u64(ep->ranges[i].end)));
	o = json_pack("{s:s,s:s,s:i,s:i,s:s,s:s,s:f,s:b,s:s}",
		      "zone", ep->zone < s->nr_zones ? s->zones[ep->zone].name : "unknown",
		      "initiator", kf_initiator_names[ep->initiator],
		      "pid", ep->pid, "cpu", ep->cpu, "comm", ep->comm,
		      "mode", ep->sync ? "sync" : "async",
		      "begin_s", ns_to_s(ep->begin_ts), "running", ep->running,
		      "status", ep->running ? "running" : kf_symbols_label(in->m->syms, KF_SYM_COMPACT_STATUS, ep->status, buf, sizeof(buf)));
	if (ep->zone < s->nr_zones)
		json_object_set_new(o, "node", json_integer(s->zones[ep->zone].node));
	if (!ep->running) {
		json_object_set_new(o, "end_s", json_real(ns_to_s(ep->end_ts)));
		json_object_set_new(o, "duration_ms", json_real((ep->end_ts - ep->begin_ts) / 1e6));
	}
	json_object_set_new(o, "order", ep->order == KF_ORDER_UNKNOWN ? json_null() : json_integer(ep->order));
	if (ep->initiator == KF_INIT_DIRECT && !ep->running)
		json_object_set_new(o, "stall_ms", json_real(ep->stall_ns / 1e6));
	if (ep->migrate_scanned_exceeds_span)
		json_object_set_new(o, "migrate_scanned_exceeds_span", json_true());
	if (ep->free_scanned_exceeds_span)
		json_object_set_new(o, "free_scanned_exceeds_span", json_true());
	json_object_set_new(o, "zone_start_pfn", u64(ep->zone_start));
	json_object_set_new(o, "zone_end_pfn", u64(ep->zone_end));
	json_object_set_new(o, "migrate_pfn", json_pack("[o,o]", u64(ep->migrate_pfn_begin), u64(ep->migrate_pfn_end)));
	json_object_set_new(o, "free_pfn", json_pack("[o,o]", u64(ep->free_pfn_begin), u64(ep->free_pfn_end)));
	json_object_set_new(o, "migrate_scanned", u64(ep->migrate_scanned));
	json_object_set_new(o, "migrate_isolated", u64(ep->migrate_isolated));
	json_object_set_new(o, "free_scanned", u64(ep->free_scanned));
	json_object_set_new(o, "free_isolated", u64(ep->free_isolated));
	json_object_set_new(o, "migrated", u64(ep->nr_migrated));
	json_object_set_new(o, "failed", u64(ep->nr_failed));
	json_object_set_new(o, "isolate_calls", u64(ep->isolate_calls));
	json_object_set_new(o, "isolate_ranges", ranges);
	return o;
}

static json_t *compaction_json(const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	json_t *eps = json_array();

	for (int i = 0; i < s->nr_episodes; i++)
		json_array_append_new(eps, episode_json(in, &s->episodes[i]));
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o},s:o}",
			 "episodes", eps,
			 "episodes_not_kept", u64(s->episodes_dropped),
			 "by_status", status_counts(in->m->syms, s->compact_status),
			 "finished_ret", status_counts(in->m->syms, s->finished_ret),
			 "suitable_ret", status_counts(in->m->syms, s->suitable_ret),
			 "deferred", u64(s->deferred),
			 "migrated", u64(s->compact_migrated),
			 "failed", u64(s->compact_failed),
			 "kcompactd", "wakes", u64(s->kcompactd_wakes), "sleeps", u64(s->kcompactd_sleeps),
			 "wakeups_requested", u64(s->kcompactd_wakeups), "wakers", kf_kcompactd_wakers_json(s),
			 "direct_attempts", u64(s->try_to_compact));
}

static json_t *migration_json(const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	struct kf_migrate_stats tot = { 0 };
	json_t *rows = json_array();
	char b1[32], b2[32];

	for (int r = 0; r < KF_MAX_MIGRATE_REASONS; r++)
		for (int m = 0; m < KF_MAX_MIGRATE_MODES; m++) {
			const struct kf_migrate_stats *x = &s->migrate[r][m];

			if (!x->calls)
				continue;
			tot.calls += x->calls;
			tot.succeeded += x->succeeded;
			tot.failed += x->failed;
			tot.thp_succeeded += x->thp_succeeded;
			tot.thp_failed += x->thp_failed;
			tot.thp_split += x->thp_split;
			tot.large_folio_split += x->large_folio_split;
			json_array_append_new(rows, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
				"reason", kf_symbols_label(in->m->syms, KF_SYM_MIGRATE_REASON, r, b1, sizeof(b1)),
				"mode", kf_symbols_label(in->m->syms, KF_SYM_MIGRATE_MODE, m, b2, sizeof(b2)),
				"calls", u64(x->calls), "succeeded", u64(x->succeeded), "failed", u64(x->failed),
				"thp_succeeded", u64(x->thp_succeeded), "thp_failed", u64(x->thp_failed),
				"thp_split", u64(x->thp_split), "large_folio_split", u64(x->large_folio_split)));
		}
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "calls", u64(tot.calls), "succeeded", u64(tot.succeeded), "failed", u64(tot.failed),
			 "by_reason", rows,
			 "migration_ptes_set", u64(s->migration_pte_set),
			 "migration_ptes_removed", u64(s->migration_pte_removed),
			 "page_faults_during_migration", u64(s->faults_during_migration));
}

/* where the zones' state and vmstat came from, and what could not be read */
static json_t *memory_state_json(const struct kf_report_input *in)
{
	const struct kf_memstate *ms = in->m->mem ? in->m->mem : in->m->mem_before;
	json_t *o;

	if (in->m->no_memstate) {
		return json_pack("{s:s,s:b,s:b,s:s}", "proc_root", "none", "of_traced_machine", 0,
				 "available", 0, "note", KF_NO_MEMSTATE_NOTE);
	} else if (in->m->saved_state) {
		o = json_pack("{s:s,s:b,s:f}", "proc_root", "saved in the trace", "of_traced_machine", 1,
			      "saved_start_time", in->m->saved_start_time);
		if (in->m->saved_end_time > 0)
			json_object_set_new(o, "saved_end_time", json_real(in->m->saved_end_time));
	} else {
		o = json_pack("{s:s,s:b}", "proc_root", in->m->proc_root ? in->m->proc_root : "/",
			      "of_traced_machine", !in->m->source ||
			      (in->m->proc_root && strcmp(in->m->proc_root, "/") != 0));
	}

	json_object_set_new(o, "available", json_true());
	if (ms && (ms->have & KF_HAVE_PAGETYPEINFO))
		json_object_set_new(o, "pageblock_order", json_integer(ms->pagetypeinfo.pageblock_order));
	if (ms && ms->missing[0])
		json_object_set_new(o, "missing", json_string(ms->missing));
	return o;
}

/* counters of interest and their change over the window, when both ends were read */
static json_t *vmstat_json(const struct kf_report_input *in)
{
	static const char *const prefixes[] = { "compact_", "pgmigrate_", "thp_", "unevictable_pgs_", NULL };
	const struct kf_memstate *a = in->m->mem_before, *b = in->m->mem;
	json_t *o = json_object();

	if (!b || !(b->have & KF_HAVE_VMSTAT))
		return o;
	for (int i = 0; i < b->vmstat.nr; i++) {
		const struct kf_vmstat_entry *en = &b->vmstat.entries[i];
		uint64_t before;
		json_t *v;

		for (int p = 0; prefixes[p]; p++) {
			if (strncmp(en->name, prefixes[p], strlen(prefixes[p])) != 0)
				continue;
			v = json_pack("{s:o}", "value", u64(en->value));
			if (a && (a->have & KF_HAVE_VMSTAT) && kf_vmstat_get(&a->vmstat, en->name, &before))
				json_object_set_new(v, "delta", json_integer((json_int_t)(en->value - before)));
			json_object_set_new(o, en->name, v);
			break;
		}
	}
	return o;
}

json_t *kf_report_json(const struct kf_report_input *in)
{
	return kf_report_json_doc(in, NULL);
}

json_t *kf_report_json_doc(const struct kf_report_input *in, struct kf_jw_deferred *d)
{
	const struct kf_snapshot *s = in->m->snap;
	json_t *doc = json_object();

	json_object_set_new(doc, "schema_version", json_string(KF_SCHEMA_VERSION));
	json_object_set_new(doc, "kfrag_version", json_string(PACKAGE_VERSION));
	json_object_set_new(doc, "source", source_json(in));
	json_object_set_new(doc, "findings", kf_findings_json(in->m->findings));
	json_object_set_new(doc, "findings_not_evaluated", kf_findings_not_evaluated_json(in->m->findings));
	if (in->m->guard_in && in->m->guard)
		json_object_set_new(doc, "guard", kf_guard_json(in->m->guard_in, in->m->guard));
	json_object_set_new(doc, "duration_s", json_real(in->m->duration_s));
	json_object_set_new(doc, "first_ts_s", json_real(ns_to_s(s->first_ts)));
	json_object_set_new(doc, "last_ts_s", json_real(ns_to_s(s->last_ts)));
	json_object_set_new(doc, "nr_cpus", json_integer(s->nr_cpus));
	json_object_set_new(doc, "nr_events", u64(s->nr_events));
	if (s->events_uncounted)
		json_object_set_new(doc, "events_uncounted", u64(s->events_uncounted));
	json_object_set_new(doc, "lost_events", lost_json(s));
	json_object_set_new(doc, "events", kf_jw_section_value(d, kf_json_events, in));
	json_object_set_new(doc, "page_size", json_integer(in->m->page_size));
	json_object_set_new(doc, "memory_state", memory_state_json(in));
	json_object_set_new(doc, "zones", zones_json(in));
	json_object_set_new(doc, "cpus", kf_jw_section_value(d, kf_json_cpus, in));
	json_object_set_new(doc, "cross_cpu", json_pack("{s:o,s:o}",
		"freed_on_other_cpu", kf_jw_section_value(d, kf_json_freed_on_other_cpu, in),
		"drained_on_other_cpu", kf_jw_section_value(d, kf_json_drained_on_other_cpu, in)));
	json_object_set_new(doc, "page_alloc", kf_jw_section_value(d, kf_json_page_alloc, in));
	json_object_set_new(doc, "processes", processes_json(in));
	json_object_set_new(doc, "extfrag", extfrag_json(in));
	json_object_set_new(doc, "compaction", compaction_json(in));
	json_object_set_new(doc, "migration", migration_json(in));
	json_object_set_new(doc, "vmstat", vmstat_json(in));
	if (in->m->memmap) {
		json_t *mm = kf_memmap_json(in->m->memmap, in->memmap_full);

		if (mm && in->m->guard_in)
			json_object_set_new(mm, "protected", kf_memmap_protected_json(in->m->memmap, in->m->guard_in));
		/* a recording's own map, or this scan's */
		json_object_set_new(mm, "source", json_string(in->m->memmap_saved ? "saved in the trace" : "kpageflags"));
		if (in->m->memmap_saved && in->m->memmap_saved_time > 0)
			json_object_set_new(mm, "saved_time", json_real(in->m->memmap_saved_time));
		json_object_set_new(doc, "memmap", mm);
	} else if (in->memmap_error) {
		json_object_set_new(doc, "memmap", json_null());
		json_object_set_new(doc, "memmap_error", json_string(in->memmap_error));
	}
	return doc;
}
