/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's node_exporter textfile: one table of metrics, each
 * {name, type, help, when, emit}, written in the table's order (as sysstat
 * binds each activity to its printer). Metric names and help texts are
 * part of the interface: dashboards and alert rules use them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "check_report.h"
#include "kf_util.h"

/* ---- Prometheus textfile ---------------------------------------------------------- */

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_value(FILE *out, double v)
{
	char buf[400];

	fprintf(out, " %s\n", check_num(v, buf, sizeof(buf)));
}

/* label values escaped as the exposition format wants */
static void prom_label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(out, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

/* one sample: NAME{LABEL="VALUE",...} V; labels as name, value pairs */
static void prom_sample(FILE *out, const char *name, double v, int nr_labels, ...)
{
	va_list ap;

	fputs(name, out);
	va_start(ap, nr_labels);
	for (int i = 0; i < nr_labels; i++) {
		const char *label = va_arg(ap, const char *);

		fputc(i ? ',' : '{', out);
		prom_label(out, label, va_arg(ap, const char *), true);
	}
	va_end(ap);
	if (nr_labels)
		fputc('}', out);
	prom_value(out, v);
}

static void status_lower(enum kf_check_status st, char lower[16])
{
	int i;

	for (i = 0; kf_check_status_names[st][i] && i < 15; i++)
		lower[i] = kf_check_status_names[st][i] | 0x20;
	lower[i] = '\0';
}

/* the command name of a protected pid: labels name processes by comm, never
 * by pid (a pid is a new series at every restart) */
static const char *comm_of(const struct kf_check_output *o, int pid)
{
	for (int i = 0; o->guard_in && i < o->guard_in->nr_procs; i++)
		if (o->guard_in->procs[i].pid == pid)
			return o->guard_in->procs[i].comm;
	return "";
}

static bool same_alert_series(const struct kf_check_output *o, const struct kf_check_result *a,
			      const struct kf_check_result *b)
{
	return strcmp(b->check, "guard") == 0 && a->status == b->status && strcmp(a->kind, b->kind) == 0 &&
	       strcmp(comm_of(o, a->pid), comm_of(o, b->pid)) == 0;
}

/*
 * The metrics, in the order they are written: a metric's HELP and TYPE
 * lines when its condition holds, then what emit writes. The condition is
 * also emit's guarantee (o->buddyinfo set for the zone metrics, ...).
 */
struct prom_metric {
	const char *name;
	const char *type;
	const char *help;
	bool (*when)(const struct kf_check_output *o);
	void (*emit)(FILE *out, const struct prom_metric *m, const struct kf_check_output *o);
	int arg;		/* what emit picks, for emitters shared by several metrics */
};

/* ---- conditions ---- */

static bool always(const struct kf_check_output *o)
{
	(void)o;
	return true;
}

static bool have_rates(const struct kf_check_output *o)
{
	return o->rep->rates;
}

static bool have_zones(const struct kf_check_output *o)
{
	return o->zoneinfo && o->buddyinfo;
}

static bool have_buddy(const struct kf_check_output *o)
{
	return o->buddyinfo != NULL;
}

static bool memmap_tried(const struct kf_check_output *o)
{
	return o->memmap || o->memmap_error;
}

static bool have_memmap(const struct kf_check_output *o)
{
	return o->memmap != NULL;
}

static bool memmap_usable(const struct kf_check_output *o)
{
	for (int i = 0; o->memmap && i < o->memmap->nr_zones; i++)
		if (o->memmap->zones[i].usable_blocks)
			return true;
	return false;
}

static bool have_trace(const struct kf_check_output *o)
{
	return o->snap != NULL;
}

static bool have_window(const struct kf_check_output *o)
{
	return o->snap && o->rep->window_s > 0;
}

static bool have_guard_in(const struct kf_check_output *o)
{
	return o->guard_in != NULL;
}

/* a protected process whose page frames were read: from a recording they
 * are unknown, and the family is left out rather than written as 0 */
static bool know_pages_moved(const struct kf_check_output *o)
{
	for (int i = 0; o->guard_in && !o->guard_in->offline && i < o->guard_in->nr_procs; i++)
		if (o->guard_in->procs[i].pagemap_readable)
			return true;
	return false;
}

static bool know_unevictable(const struct kf_check_output *o)
{
	return o->guard_in && o->guard_in->unevictable_allowed_end >= 0;
}

static bool have_guard(const struct kf_check_output *o)
{
	return o->guard != NULL;
}

/* ---- emitters ---- */

/* one value without labels; arg picks it */
enum { V_STATUS, V_TIME, V_FIRST_RUN, V_INTERVAL, V_WINDOW,
       V_FALLBACK_RATE, V_FRAGMENTING_RATE, V_PROTECTED, V_UNEVICTABLE };

static void emit_value(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;
	double v = 0;

	switch (m->arg) {
	case V_STATUS: v = rep->status; break;
	case V_TIME: v = o->now->time; break;
	case V_FIRST_RUN: v = rep->first_run; break;
	case V_INTERVAL: v = rep->interval_s; break;
	case V_WINDOW: v = rep->window_s; break;
	case V_FALLBACK_RATE: v = rep->fallbacks / rep->window_s; break;
	case V_FRAGMENTING_RATE: v = rep->fragmenting / rep->window_s; break;
	case V_PROTECTED: v = o->guard_in->nr_procs; break;
	case V_UNEVICTABLE: v = o->guard_in->unevictable_allowed_end; break;
	}
	prom_sample(out, m->name, v, 0);
}

static void emit_results(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	int count[KF_CHECK_NR_STATUS] = { 0 };
	char lower[16];

	for (int i = 0; i < o->rep->nr_results; i++)
		count[o->rep->results[i].status]++;
	for (int st = 0; st < KF_CHECK_NR_STATUS; st++) {
		status_lower(st, lower);
		prom_sample(out, m->name, count[st], 1, "status", lower);
	}
}

/* free (arg 0) or managed (1) pages of every zone in both files */
static void emit_zone_pages(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	char node[16];

	for (int i = 0; i < o->buddyinfo->nr_zones; i++) {
		const struct kf_buddy_zone *z = &o->buddyinfo->zones[i];

		for (int j = 0; j < o->zoneinfo->nr_zones; j++) {
			const struct kf_zone_info *zi = &o->zoneinfo->zones[j];

			if (zi->node != z->node || strcmp(zi->name, z->name) != 0)
				continue;
			snprintf(node, sizeof(node), "%d", z->node);
			prom_sample(out, m->name, (double)(m->arg ? zi->managed : zi->free_pages) * o->page_size, 2,
				    "node", node, "zone", z->name);
		}
	}
}

/* per zone and order: the unusable (1) or the fragmentation (2) index; the
 * free blocks are node_exporter's (node_buddyinfo_blocks) */
static void emit_zone_orders(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	const struct kf_buddyinfo *bi = o->buddyinfo;
	char node[16], ord[16];

	for (int i = 0; i < bi->nr_zones; i++) {
		const struct kf_buddy_zone *z = &bi->zones[i];

		snprintf(node, sizeof(node), "%d", z->node);
		for (int k = 0; k < z->nr_orders; k++) {
			double v = (m->arg == 1 ? z->unusable[k] : z->extfrag[k]) / 1000.0;

			snprintf(ord, sizeof(ord), "%d", k);
			prom_sample(out, m->name, v, 3, "node", node, "zone", z->name, "order", ord);
		}
	}
}

static void emit_highorder(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	char ord[16];

	snprintf(ord, sizeof(ord), "%d", o->cfg->highorder_order);
	prom_sample(out, m->name, (double)o->rep->highorder_blocks, 1, "order", ord);
}

static void emit_memmap_available(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	prom_sample(out, m->name, o->memmap != NULL, 0);
}

static void emit_pageblocks(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	char node[16];

	for (int i = 0; i < o->memmap->nr_zones; i++) {
		const struct kf_memmap_zone *z = &o->memmap->zones[i];

		snprintf(node, sizeof(node), "%d", z->node);
		for (int k = 0; k < KF_BK_NR; k++)
			prom_sample(out, m->name, (double)z->blocks_by_kind[k], 3, "node", node, "zone", z->name,
				    "kind", kf_block_kind_names[k]);
	}
}

static void emit_blocked_fraction(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	char node[16];

	for (int i = 0; i < o->memmap->nr_zones; i++) {
		const struct kf_memmap_zone *z = &o->memmap->zones[i];

		if (!z->usable_blocks)
			continue;
		snprintf(node, sizeof(node), "%d", z->node);
		prom_sample(out, m->name, (double)kf_check_blocked_blocks(z) / z->usable_blocks, 2,
			    "node", node, "zone", z->name);
	}
}

/* vmstat counters, raw (Prometheus computes its own rates): a family of
 * metrics named after the counters, each with its own HELP and TYPE */
static void emit_counters(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	(void)m;
	for (int c = 0; c < KF_CTR_NR; c++) {
		char name[80], help[160];

		if (!(o->now->have & (1u << c)))
			continue;
		snprintf(name, sizeof(name), "kfrag_%s_total", kf_check_counter_names[c]);
		snprintf(help, sizeof(help), "The kernel's %s counter (/proc/vmstat) at the last check.",
			 kf_check_counter_names[c]);
		prom_head(out, name, "counter", help);
		prom_sample(out, name, (double)o->now->counter[c], 0);
	}
}

/* per CPU: events traced (arg 0) or lost (1) */
static void emit_per_cpu(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	const struct kf_snapshot *s = o->snap;
	char cpu[16];

	for (int c = 0; c < s->nr_cpus; c++) {
		uint64_t n = 0;

		if (m->arg == 0)
			for (int t = 0; t < KF_EV_NR; t++)
				n += s->ev_per_cpu[t * s->nr_cpus + c];
		else
			n = s->cpus[c].lost_events;
		snprintf(cpu, sizeof(cpu), "%d", (int)s->cpu_ids[c]);
		prom_sample(out, m->name, (double)n, 1, "cpu", cpu);
	}
}

/* per command name (summed over its processes), only where the page frames
 * were read: from a recording they are unknown, and absent, not 0 */
static void emit_pages_moved(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	const struct kf_guard_input *gi = o->guard_in;

	for (int i = 0; i < gi->nr_procs; i++) {
		double moved = 0;
		bool dup = false, known = false;

		for (int j = 0; j < i && !dup; j++)
			dup = strcmp(gi->procs[j].comm, gi->procs[i].comm) == 0;
		for (int j = i; j < gi->nr_procs && !dup; j++)
			if (strcmp(gi->procs[j].comm, gi->procs[i].comm) == 0 && gi->procs[j].pagemap_readable) {
				moved += gi->procs[j].pages_moved;
				known = true;
			}
		if (!dup && known)
			prom_sample(out, m->name, moved, 1, "comm", gi->procs[i].comm);
	}
}

/* kfrag_finding{kind,severity,zone} (check_findings.c writes its own HELP and TYPE) */
static void emit_findings(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	kf_check_prometheus_findings(o->findings, out);
}

/* the guard's alerts summed by kind, status and the protected process's
 * command name: how many (arg 0), or what they counted (1); its OK lines
 * are no alert (no kind="" series) */
static void emit_guard_alerts(FILE *out, const struct prom_metric *m, const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;

	for (int i = 0; i < rep->nr_results; i++) {
		const struct kf_check_result *r = &rep->results[i];
		double alerts = 0, events = 0;
		bool dup = false;
		const char *comm = comm_of(o, r->pid);
		char lower[16];

		if (strcmp(r->check, "guard") != 0 || !r->kind[0])
			continue;
		for (int j = 0; j < i && !dup; j++)
			dup = same_alert_series(o, r, &rep->results[j]);
		if (dup)
			continue;
		for (int j = i; j < rep->nr_results; j++)
			if (same_alert_series(o, r, &rep->results[j])) {
				alerts++;
				events += rep->results[j].value;
			}
		status_lower(r->status, lower);
		if (comm[0])
			prom_sample(out, m->name, m->arg ? events : alerts, 3, "kind", r->kind, "status", lower,
				    "comm", comm);
		else
			prom_sample(out, m->name, m->arg ? events : alerts, 2, "kind", r->kind, "status", lower);
	}
}

static const struct prom_metric prom_metrics[] = {
	{ "kfrag_check_status", "gauge",
	  "Result of the last kfrag check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", always, emit_value, V_STATUS },
	{ "kfrag_check_timestamp_seconds", "gauge",
	  "When the last kfrag check measured, seconds since the epoch.", always, emit_value, V_TIME },
	{ "kfrag_check_results", "gauge", "Check results of the last run by status.", always, emit_results, 0 },
	{ "kfrag_check_first_run", "gauge",
	  "1 when the last check had no previous counters to compute rates from.", always, emit_value, V_FIRST_RUN },
	{ "kfrag_check_interval_seconds", "gauge",
	  "Seconds between the last two checks (the rates' interval).", have_rates, emit_value, V_INTERVAL },
	{ "kfrag_zone_free_bytes", "gauge", "Free memory of the zone (/proc/zoneinfo free pages).", have_zones,
	  emit_zone_pages, 0 },
	{ "kfrag_zone_managed_bytes", "gauge", "Memory the buddy allocator manages in the zone (/proc/zoneinfo).",
	  have_zones, emit_zone_pages, 1 },
	{ "kfrag_zone_unusable_free_ratio", "gauge",
	  "Unusable free space index of the zone at the order: the share of free memory in blocks too small for it, as debugfs extfrag/unusable_index.",
	  have_buddy, emit_zone_orders, 1 },
	{ "kfrag_zone_fragmentation_index", "gauge",
	  "Fragmentation index of the zone at the order, as debugfs extfrag/extfrag_index (-1: a block of the order is free).",
	  have_buddy, emit_zone_orders, 2 },
	{ "kfrag_highorder_free_blocks", "gauge",
	  "Free blocks of the order or larger in the zones checked, counted in blocks of the order.",
	  have_buddy, emit_highorder, 0 },
	{ "kfrag_memmap_available", "gauge",
	  "1 when the last check read the memory map (/proc/kpageflags, root only), 0 when it could not.",
	  memmap_tried, emit_memmap_available, 0 },
	{ "kfrag_memmap_pageblocks", "gauge",
	  "Pageblocks of the zone by kind (/proc/kpageflags): hole, no_flags (not initialised), free, movable, unsure, and the blocked kinds reserved, slab, page_tables, kernel, huge, unevictable, writeback.",
	  have_memmap, emit_pageblocks, 0 },
	{ "kfrag_memmap_blocked_ratio", "gauge",
	  "Fraction of the zone's usable pageblocks (all but holes and no_flags) that hold a page compaction cannot move (unsure ones not counted), 0 to 1.",
	  memmap_usable, emit_blocked_fraction, 0 },
	{ NULL, NULL, NULL, always, emit_counters, 0 },
	{ "kfrag_check_window_seconds", "gauge", "Seconds of trace the last check analysed.", have_trace,
	  emit_value, V_WINDOW },
	{ "kfrag_extfrag_fallbacks_per_second", "gauge",
	  "Allocations served from another migratetype's free list (mm_page_alloc_extfrag) per second of the window.",
	  have_window, emit_value, V_FALLBACK_RATE },
	{ "kfrag_extfrag_fragmenting_per_second", "gauge",
	  "Fallbacks that split a pageblock per second of the window.", have_window, emit_value, V_FRAGMENTING_RATE },
	{ "kfrag_trace_events", "gauge", "Events traced on the CPU during the last check's window.", have_trace,
	  emit_per_cpu, 0 },
	{ "kfrag_lost_events", "gauge", "Events the ring buffer lost on the CPU during the last check's window.",
	  have_trace, emit_per_cpu, 1 },
	{ NULL, NULL, NULL, always, emit_findings, 0 },
	{ "kfrag_guard_protected_processes", "gauge",
	  "Processes the guard protected during the last check (user-space schedulers and those configured).",
	  have_guard_in, emit_value, V_PROTECTED },
	{ "kfrag_guard_locked_pages_moved", "gauge",
	  "Locked pages of the protected processes of that command name whose page frame changed during the last check's window (absent when not known: a recorded trace, no CAP_SYS_ADMIN).",
	  know_pages_moved, emit_pages_moved, 0 },
	{ "kfrag_guard_compact_unevictable_allowed", "gauge",
	  "vm.compact_unevictable_allowed at the end of the last check (1: compaction may move mlocked pages).",
	  know_unevictable, emit_value, V_UNEVICTABLE },
	{ "kfrag_guard_alerts", "gauge",
	  "Alerts of the guard of mlocked memory in the last check, by kind, status and the protected command name.", have_guard,
	  emit_guard_alerts, 0 },
	{ "kfrag_guard_alert_events", "gauge",
	  "What the guard's alerts of the last check counted (pages moved, faults, migrations), by kind, status and the protected command name.",
	  have_guard, emit_guard_alerts, 1 },
};

int kf_check_prometheus_print(const struct kf_check_output *o, FILE *out)
{
	for (size_t i = 0; i < sizeof(prom_metrics) / sizeof(prom_metrics[0]); i++) {
		const struct prom_metric *m = &prom_metrics[i];

		if (!m->when(o))
			continue;
		if (m->name)
			prom_head(out, m->name, m->type, m->help);
		m->emit(out, m, o);
	}
	return ferror(out) ? -1 : 0;
}

int kf_check_prometheus_write(const char *path, const struct kf_check_output *o,
			      char *err, size_t errlen)
{
	struct kf_atomic_file af;
	struct stat sb;

	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is %s: not replaced", path,
			 S_ISLNK(sb.st_mode) ? "a symbolic link" : "not a regular file");
		errno = EINVAL;
		return -1;
	}
	if (kf_mkdir_parents(path) < 0 || kf_atomic_open_exact(&af, path, 0644) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (kf_check_prometheus_print(o, af.fp) < 0) {
		kf_atomic_abort(&af);
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	if (kf_atomic_commit(&af) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
