/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report as aligned text tables for a terminal. Renders only; computes nothing of the trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "kf_report.h"

#define MAX_PROCS_SHOWN 20

static void section(FILE *out, const char *title)
{
	fprintf(out, "\n== %s ==\n", title);
}

static void events_table(FILE *out, const struct kf_snapshot *s)
{
	section(out, "Events");
	fprintf(out, "%-38s %12s", "event", "total");
	for (int c = 0; c < s->nr_cpus; c++)
		fprintf(out, " %10s%-2d", "cpu", (int)s->cpu_ids[c]);
	fputc('\n', out);
	for (int t = 0; t < KF_EV_NR; t++) {
		if (!s->ev_total[t])
			continue;
		fprintf(out, "%-38s %12llu", kf_event_names[t].name, (unsigned long long)s->ev_total[t]);
		for (int c = 0; c < s->nr_cpus; c++)
			fprintf(out, " %12llu", (unsigned long long)s->ev_per_cpu[(size_t)t * s->nr_cpus + c]);
		fputc('\n', out);
	}
}

static void zones_table(FILE *out, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	const struct kf_memstate *ms = in->m->mem ? in->m->mem : in->m->mem_before;
	char b[16];

	section(out, "Zones (free memory and the kernel's fragmentation indices)");
	if (in->m->no_memstate) {
		fprintf(out, "%s\n", KF_NO_MEMSTATE_NOTE);
		return;
	}
	fprintf(out, "%-4s %-8s %10s %10s %10s %10s  %s\n", "node", "zone", "free", "min", "low", "high",
		"free blocks by order 0..10");
	for (int z = 0; z < s->nr_zones; z++) {
		const struct kf_zone_info *zi = kf_memstate_zoneinfo(ms, s->zones[z].node, s->zones[z].name);
		const struct kf_buddy_zone *bz = kf_memstate_buddy(ms, s->zones[z].node, s->zones[z].name);

		fprintf(out, "%-4d %-8s", s->zones[z].node, s->zones[z].name);
		if (zi)
			fprintf(out, " %10llu %10llu %10llu %10llu ", (unsigned long long)zi->free_pages,
				(unsigned long long)zi->min, (unsigned long long)zi->low, (unsigned long long)zi->high);
		for (int o = 0; bz && o < bz->nr_orders; o++)
			fprintf(out, " %llu", (unsigned long long)bz->free_blocks[o]);
		fputc('\n', out);
	}
	fprintf(out, "\n%-4s %-8s %-9s", "node", "zone", "index");
	for (int o = 0; o < 11; o++)
		fprintf(out, " %6d", o);
	fputc('\n', out);
	for (int z = 0; z < s->nr_zones; z++) {
		const struct kf_buddy_zone *bz = kf_memstate_buddy(ms, s->zones[z].node, s->zones[z].name);

		for (int which = 0; bz && which < 2; which++) {
			fprintf(out, "%-4d %-8s %-9s", s->zones[z].node, s->zones[z].name, which ? "extfrag" : "unusable");
			for (int o = 0; o < bz->nr_orders; o++)
				fprintf(out, " %6s", kf_index_format(which ? bz->extfrag[o] : bz->unusable[o], b));
			fputc('\n', out);
		}
	}
}

static void page_header(FILE *out, const char *first)
{
	fprintf(out, "%-14s %12s %12s %12s %12s %12s\n", first, "alloc", "zone_locked", "free", "free_batched",
		"pcpu_drain");
}

static void page_row(FILE *out, const char *label, const struct kf_count tot[KF_PK_NR])
{
	fprintf(out, "%-14s", label);
	for (int k = 0; k < KF_PK_NR; k++)
		fprintf(out, " %12llu", (unsigned long long)tot[k].pages);
	fputc('\n', out);
}

static void flows_table(FILE *out, const char *title, const struct kf_cpu_flow *f, int n)
{
	fprintf(out, "\n%s\n%-6s %-6s %12s\n", title, "from", "to", "pages");
	for (int i = 0; i < n; i++)
		fprintf(out, "cpu%-3d cpu%-3d %12llu\n", (int)f[i].from_cpu, (int)f[i].to_cpu,
			(unsigned long long)f[i].pages);
	if (!n)
		fprintf(out, "(none)\n");
}

static void pages_tables(FILE *out, const struct kf_snapshot *s)
{
	char label[32];

	section(out, "Page allocator (pages, order-weighted)");
	page_header(out, "zone");
	for (int z = 0; z <= s->nr_zones; z++)
		page_row(out, z < s->nr_zones ? s->zones[z].name : "unknown", &s->pages_zone[z * KF_PK_NR]);
	fputc('\n', out);
	page_header(out, "cpu");
	for (int c = 0; c < s->nr_cpus; c++) {
		snprintf(label, sizeof(label), "cpu%d", (int)s->cpu_ids[c]);
		page_row(out, label, &s->pages_cpu[c * KF_PK_NR]);
	}

	section(out, "Per-CPU page lists (pcp)");
	fprintf(out, "%-6s %10s %12s %10s   %10s %12s %10s %10s\n", "cpu", "refills", "refill pages", "max run",
		"drains", "drain pages", "max run", "lost");
	for (int c = 0; c < s->nr_cpus; c++) {
		const struct kf_cpu_stats *cs = &s->cpus[c];

		fprintf(out, "cpu%-3d %10llu %12llu %10llu   %10llu %12llu %10llu %10llu\n", (int)s->cpu_ids[c],
			(unsigned long long)cs->refill.runs, (unsigned long long)cs->refill.pages,
			(unsigned long long)cs->refill.max_pages, (unsigned long long)cs->drain.runs,
			(unsigned long long)cs->drain.pages, (unsigned long long)cs->drain.max_pages,
			(unsigned long long)cs->lost_events);
	}
	flows_table(out, "pages allocated on one CPU and freed on another", s->cross_free, s->nr_cross_free);
	flows_table(out, "pages refilled into one CPU's pcp list and drained by another, not allocated between",
		    s->cross_drain, s->nr_cross_drain);
}

static int by_allocd(const void *a, const void *b)
{
	const struct kf_proc_stats *x = a, *y = b;

	if (x->allocd != y->allocd)
		return x->allocd < y->allocd ? 1 : -1;
	return x->pid - y->pid;
}

static void processes_table(FILE *out, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	struct kf_proc_stats *p;
	int nr;

	if (in->by_comm) {
		p = kf_snapshot_procs_by_comm(s, &nr);
	} else {
		nr = s->nr_procs;
		p = malloc((nr ? nr : 1) * sizeof(*p));
		if (p) {
			memcpy(p, s->procs, nr * sizeof(*p));
			qsort(p, nr, sizeof(*p), by_allocd);
		}
	}
	if (!p)
		return;
	section(out, "Processes (columns of trace-pagealloc-postprocess.pl; top by pages allocd)");
	fprintf(out, "%-24s %9s %9s %9s %9s %8s %7s %7s %8s %8s %7s %7s %7s %7s\n", "process",
		"allocd", "locked", "freed", "batched", "drained", "drains", "refills", "fallback",
		"causing", "changed", "severe", "moder", "faults");
	for (int i = 0; i < nr && i < MAX_PROCS_SHOWN; i++) {
		char name[40];

		if (p[i].pid >= 0)
			snprintf(name, sizeof(name), "%s-%d", p[i].comm, p[i].pid);
		else
			snprintf(name, sizeof(name), "%s", p[i].comm);
		fprintf(out, "%-24s %9llu %9llu %9llu %9llu %8llu %7llu %7llu %8llu %8llu %7llu %7llu %7llu %7llu\n",
			name, (unsigned long long)p[i].allocd, (unsigned long long)p[i].allocd_locked,
			(unsigned long long)p[i].freed, (unsigned long long)p[i].freed_batched,
			(unsigned long long)p[i].pcpu_pages_drained, (unsigned long long)p[i].pcpu_drains,
			(unsigned long long)p[i].pcpu_refills, (unsigned long long)p[i].fallback,
			(unsigned long long)p[i].causing, (unsigned long long)p[i].changed,
			(unsigned long long)p[i].severe, (unsigned long long)p[i].moderate,
			(unsigned long long)p[i].faults);
	}
	if (nr > MAX_PROCS_SHOWN)
		fprintf(out, "(%d more in the JSON report)\n", nr - MAX_PROCS_SHOWN);
	free(p);
}

static void extfrag_table(FILE *out, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	const struct kf_extfrag_stats *t = &s->extfrag_total;
	char b1[32], b2[32];

	section(out, "External fragmentation events (mm_page_alloc_extfrag)");
	fprintf(out, "fallbacks %llu, fragmenting %llu (severe %llu, moderate %llu), ownership changed %llu\n",
		(unsigned long long)t->fallbacks, (unsigned long long)t->fragmenting,
		(unsigned long long)t->severe, (unsigned long long)t->moderate, (unsigned long long)t->changed);
	for (int a = 0; a < KF_MAX_MIGRATETYPES; a++)
		for (int f = 0; f < KF_MAX_MIGRATETYPES; f++) {
			const struct kf_extfrag_stats *x = &s->extfrag_pair[a][f];

			if (x->fallbacks)
				fprintf(out, "  %-12s -> %-12s fallbacks %8llu fragmenting %8llu changed %8llu\n",
					kf_symbols_label(in->m->syms, KF_SYM_MIGRATETYPE, a, b1, sizeof(b1)),
					kf_symbols_label(in->m->syms, KF_SYM_MIGRATETYPE, f, b2, sizeof(b2)),
					(unsigned long long)x->fallbacks, (unsigned long long)x->fragmenting,
					(unsigned long long)x->changed);
		}
}

/* who asked kcompactd to run (mm_compaction_wakeup_kcompactd) beside the
 * rounds it began (mm_compaction_kcompactd_wake): the two counts differ */
static void kcompactd_line(FILE *out, const struct kf_snapshot *s)
{
	if (!s->kcompactd_wakeups && !s->kcompactd_wakes)
		return;
	fprintf(out, "kcompactd: %llu wake%s (rounds it began), %llu wakeup%s requested (tasks asked it to run: "
		"several may lead to one wake, one while it runs to none)",
		(unsigned long long)s->kcompactd_wakes, s->kcompactd_wakes == 1 ? "" : "s",
		(unsigned long long)s->kcompactd_wakeups, s->kcompactd_wakeups == 1 ? "" : "s");
	for (int i = 0; i < s->nr_kcompactd_wakers; i++) {
		const struct kf_kcompactd_waker *w = &s->kcompactd_wakers[i];

		fprintf(out, "%s%s-%d order %d x%llu%s", i ? ", " : "; asked by ", w->comm, w->pid, w->order,
			(unsigned long long)w->count, w->order == -1 ? " (a write of vm.compaction_proactiveness)" : "");
	}
	fputc('\n', out);
}

static void compaction_table(FILE *out, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	char b[32];

	section(out, "Compaction");
	fprintf(out, "episodes %d, kcompactd wakes %llu, sleeps %llu, direct attempts %llu, deferred %llu, migrated %llu, failed %llu\n",
		s->nr_episodes, (unsigned long long)s->kcompactd_wakes, (unsigned long long)s->kcompactd_sleeps,
		(unsigned long long)s->try_to_compact, (unsigned long long)s->deferred,
		(unsigned long long)s->compact_migrated, (unsigned long long)s->compact_failed);
	kcompactd_line(out, s);
	if (!s->nr_episodes)
		return;
	fprintf(out, "%-8s %-10s %5s %-22s %-5s %12s %10s %-16s %10s %9s %8s %7s\n", "zone", "initiator", "order",
		"task", "mode", "begin s", "ms", "status", "scanned", "isolated", "migrated", "failed");
	for (int i = 0; i < s->nr_episodes; i++) {
		const struct kf_episode *ep = &s->episodes[i];
		char task[40], dur[16], order[8];

		snprintf(task, sizeof(task), "%s-%d", ep->comm, ep->pid);
		if (ep->order == KF_ORDER_UNKNOWN)
			snprintf(order, sizeof(order), "?");
		else
			snprintf(order, sizeof(order), "%d", ep->order);
		if (ep->running)
			snprintf(dur, sizeof(dur), "-");
		else
			snprintf(dur, sizeof(dur), "%.3f", (ep->end_ts - ep->begin_ts) / 1e6);
		/* '*': the kernel's nr_scanned counts some pages twice, beyond the zone's span */
		fprintf(out, "%-8s %-10s %5s %-22s %-5s %12.6f %10s %-16s %9llu%s %9llu %8llu %7llu\n",
			ep->zone < s->nr_zones ? s->zones[ep->zone].name : "unknown",
			kf_initiator_names[ep->initiator], order, task, ep->sync ? "sync" : "async",
			ep->begin_ts / 1e9, dur,
			ep->running ? "running" : kf_symbols_label(in->m->syms, KF_SYM_COMPACT_STATUS, ep->status, b, sizeof(b)),
			(unsigned long long)ep->migrate_scanned, ep->migrate_scanned_exceeds_span ? "*" : " ",
			(unsigned long long)ep->migrate_isolated,
			(unsigned long long)ep->nr_migrated, (unsigned long long)ep->nr_failed);
		if (ep->initiator == KF_INIT_DIRECT && !ep->running)
			fprintf(out, "%8s %s stalled %.3f ms in direct compaction\n", "", task, ep->stall_ns / 1e6);
	}
	fprintf(out, "order -1: a whole zone; ?: no event told; scanned*: beyond the zone's span "
		"(the kernel counts some pages twice)\n");
}

static void migration_table(FILE *out, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;
	char b1[32], b2[32];

	section(out, "Migration (mm_migrate_pages)");
	fprintf(out, "%-20s %-20s %8s %10s %8s %8s %8s\n", "reason", "mode", "calls", "succeeded", "failed",
		"thp ok", "thp fail");
	for (int r = 0; r < KF_MAX_MIGRATE_REASONS; r++)
		for (int m = 0; m < KF_MAX_MIGRATE_MODES; m++) {
			const struct kf_migrate_stats *x = &s->migrate[r][m];

			if (x->calls)
				fprintf(out, "%-20s %-20s %8llu %10llu %8llu %8llu %8llu\n",
					kf_symbols_label(in->m->syms, KF_SYM_MIGRATE_REASON, r, b1, sizeof(b1)),
					kf_symbols_label(in->m->syms, KF_SYM_MIGRATE_MODE, m, b2, sizeof(b2)),
					(unsigned long long)x->calls, (unsigned long long)x->succeeded,
					(unsigned long long)x->failed, (unsigned long long)x->thp_succeeded,
					(unsigned long long)x->thp_failed);
		}
	fprintf(out, "migration PTEs set %llu, removed %llu; user page faults while migration ran %llu\n",
		(unsigned long long)s->migration_pte_set, (unsigned long long)s->migration_pte_removed,
		(unsigned long long)s->faults_during_migration);
}

int kf_report_text(const struct kf_report_input *in, FILE *out)
{
	const struct kf_snapshot *s = in->m->snap;

	fprintf(out, "kfrag report: ");
	if (in->m->source)
		fprintf(out, "%s (%s)", in->m->source->path, kf_format_names[in->m->source->format]);
	else
		fprintf(out, "live, tracefs instance %s", in->m->instance ? in->m->instance : "?");
	fprintf(out, ", %.3f s, %llu events on %d CPUs, lost events %llu%s\n", in->m->duration_s,
		(unsigned long long)s->nr_events, s->nr_cpus, (unsigned long long)s->lost_events,
		s->lost_unknown ? " (and gaps of unknown size)" : "");
	if (in->m->source && in->m->source->malformed)
		fprintf(out, "malformed lines skipped: %llu (first at line %llu)\n",
			(unsigned long long)in->m->source->malformed,
			(unsigned long long)in->m->source->first_malformed_line);
	if (s->events_uncounted)
		fprintf(out, "events not counted: %llu (a negative CPU number, or no memory for one more CPU)\n",
			(unsigned long long)s->events_uncounted);
	/* first: the conclusions, and what puts the machine at risk, must not scroll away */
	kf_findings_text(in->m->findings, out);
	if (in->m->guard_in && in->m->guard)
		kf_guard_text(in->m->guard_in, in->m->guard, out);
	events_table(out, s);
	zones_table(out, in);
	pages_tables(out, s);
	extfrag_table(out, in);
	compaction_table(out, in);
	migration_table(out, in);
	processes_table(out, in);
	if (in->m->memmap) {
		section(out, in->m->memmap_saved ?
			"Memory map (pageblocks, saved in the trace at the end of the recording: what kept them from being compacted)" :
			"Memory map (pageblocks, from /proc/kpageflags: what keeps them from being compacted)");
		kf_memmap_text(in->m->memmap, out);
	} else if (in->memmap_error) {
		section(out, "Memory map");
		fprintf(out, "not available: %s\n", in->memmap_error);
	}
	return ferror(out) ? -1 : 0;
}
