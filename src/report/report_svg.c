/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report as one picture: a self-contained SVG (no script, no external
 * font or image) with three parts, each a <g id=...> a test can find:
 *
 *   memmap     every pageblock coloured by its kind (what keeps compaction
 *              from it), zones labelled, stretches of holes and memory not
 *              initialised yet folded into one line, pageblocks holding a
 *              protected process's locked pages marked, a legend;
 *   timeline   events per second over the window, compaction episodes as
 *              spans in one lane per zone, findings as bars over what they
 *              rest on and guard alerts as markers, both listed below, and
 *              a legend;
 *   zones      per zone, free blocks by order (log scale) and the unusable
 *              index of each order (the kernel's formula on the buddy lists).
 *
 * Like the other renderers it computes no statistic of the trace.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "kf_zones.h"
#include "kf_report.h"

#define SVG_W		1240
#define MARGIN		20
#define CELL		4		/* px per pageblock */
#define MAP_COLS	256		/* pageblocks per row */
#define PLOT_W		(MAP_COLS * CELL)
#define LANE_H		16

static const char *const kind_fill[KF_BK_NR] = {
	[KF_BK_HOLE] = "#f4f4f4", [KF_BK_EMPTY] = "#dcdcdc", [KF_BK_FREE] = "#2ca02c",
	[KF_BK_MOVABLE] = "#17becf", [KF_BK_UNSURE] = "#e7ba52", [KF_BK_RESERVED] = "#9467bd",
	[KF_BK_SLAB] = "#d62728", [KF_BK_PGTABLE] = "#e377c2", [KF_BK_KERNEL] = "#8c564b",
	[KF_BK_HUGE] = "#1f77b4", [KF_BK_UNEVICTABLE] = "#ff7f0e", [KF_BK_WRITEBACK] = "#7f7f7f",
};

/* text for XML: &, <, >, quotes escaped; control characters dropped */
static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

static void text(FILE *out, int x, int y, const char *attrs, const char *s)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" %s>", x, y, attrs ? attrs : "");
	esc(out, s);
	fputs("</text>\n", out);
}

static void size_text(char *buf, size_t len, double bytes)
{
	if (bytes >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
	else
		snprintf(buf, len, "%.0f MiB", bytes / (1024.0 * 1024));
}

static const char *severity_fill(enum kf_severity sev)
{
	return sev >= KF_SEV_CRITICAL ? "#d62728" : sev >= KF_SEV_WARNING ? "#e7ba52" : "#999";
}

/* ---- the memory map ------------------------------------------------------ */

/* blocks of zone z holding locked pages of a protected process */
static unsigned char *locked_blocks(const struct kf_memmap *m, int z, const struct kf_guard_input *gi)
{
	const struct kf_memmap_zone *mz = &m->zones[z];
	unsigned char *mark = calloc(mz->nr_blocks ? mz->nr_blocks : 1, 1);

	for (int p = 0; mark && gi && p < gi->nr_procs; p++)
		for (int r = 0; r < gi->procs[p].nr_cur_pfns; r++) {
			const struct kf_pfn_range *pr = &gi->procs[p].cur_pfns[r];

			for (uint64_t b = pr->start >> m->pageblock_order;
			     pr->end && b <= (pr->end - 1) >> m->pageblock_order; b++)
				if (b >= mz->first_block && b - mz->first_block < mz->nr_blocks)
					mark[b - mz->first_block] = 1;
		}
	return mark;
}

static bool no_memory(int kind)
{
	return kind == KF_BK_HOLE || kind == KF_BK_EMPTY;
}

/* one row of cells from block i, same-kind neighbours as one rect; the row
 * ends early before a long stretch of no memory (folded) */
static uint64_t map_row(FILE *out, const struct kf_memmap_zone *mz, uint64_t i, int y,
			const unsigned char *locked)
{
	int x = 0;

	while (x < MAP_COLS && i < mz->nr_blocks) {
		int kind = mz->blocks[i].kind < KF_BK_NR ? mz->blocks[i].kind : KF_BK_HOLE;
		int n = 0;

		while (x + n < MAP_COLS && i + n < mz->nr_blocks && mz->blocks[i + n].kind == kind)
			n++;
		/* the class names the kind by its character in the JSON map */
		fprintf(out, "<rect class=\"k-%c\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			kf_block_kind_chars[kind], MARGIN + x * CELL, y, n * CELL, CELL, kind_fill[kind]);
		for (int k = 0; k < n; k++)
			if (locked && locked[i + k])
				fprintf(out, "<rect class=\"locked\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
					"fill=\"none\" stroke=\"#000\" stroke-width=\"1\"/>\n",
					MARGIN + (x + k) * CELL, y, CELL, CELL);
		x += n;
		i += n;
	}
	return i;
}

/* blocks of no memory from i on */
static uint64_t empty_run(const struct kf_memmap_zone *mz, uint64_t i)
{
	uint64_t n = 0;

	while (i + n < mz->nr_blocks && no_memory(mz->blocks[i + n].kind))
		n++;
	return n;
}

static int map_zone(FILE *out, const struct kf_memmap *m, int z, int y, const struct kf_guard_input *gi,
		    long page_size)
{
	const struct kf_memmap_zone *mz = &m->zones[z];
	unsigned char *locked = locked_blocks(m, z, gi);
	double block_bytes = (double)page_size * ((uint64_t)1 << m->pageblock_order);
	char buf[256], size[32];
	uint64_t i = 0, blocked = kf_memmap_zone_blocked(mz);

	size_text(size, sizeof(size), (double)(mz->end_pfn - mz->start_pfn) * page_size);
	snprintf(buf, sizeof(buf), "node %d %s  PFN %llu-%llu (%s): %llu compactable, %llu blocked pageblocks",
		 mz->node, mz->name, (unsigned long long)mz->start_pfn, (unsigned long long)mz->end_pfn,
		 size, (unsigned long long)mz->compactable_blocks, (unsigned long long)blocked);
	text(out, MARGIN, y + 12, "class=\"zone-label\" font-weight=\"bold\"", buf);
	y += 18;
	while (i < mz->nr_blocks) {
		uint64_t run = empty_run(mz, i);

		if (run >= 2 * MAP_COLS) {
			size_text(size, sizeof(size), run * block_bytes);
			snprintf(buf, sizeof(buf), "... %llu pageblocks (%s) of holes or memory not initialised yet (E) ...",
				 (unsigned long long)run, size);
			fprintf(out, "<rect class=\"folded\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"%s\"/>\n",
				MARGIN, y, PLOT_W, kind_fill[KF_BK_EMPTY]);
			text(out, MARGIN + 6, y + 10, "font-size=\"10\"", buf);
			y += 14;
			i += run;
			continue;
		}
		i = map_row(out, mz, i, y, locked);
		y += CELL;
	}
	free(locked);
	return y + 6;
}

static int map_legend(FILE *out, int y)
{
	int x = MARGIN;

	for (int k = 0; k < KF_BK_NR; k++) {
		char label[48];

		snprintf(label, sizeof(label), "%c %s", kf_block_kind_chars[k], kf_block_kind_names[k]);
		for (char *q = label; *q; q++)
			if (*q == '_')
				*q = ' ';
		if (x + 130 > SVG_W - MARGIN) {
			x = MARGIN;
			y += 16;
		}
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\" stroke=\"#888\"/>\n",
			x, y, kind_fill[k]);
		text(out, x + 14, y + 9, "font-size=\"11\"", label);
		x += 130;
	}
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"none\" stroke=\"#000\"/>\n", x, y);
	text(out, x + 14, y + 9, "font-size=\"11\"", "locked pages of a protected process");
	return y + 22;
}

static int draw_memmap(FILE *out, const struct kf_report_input *in, int y)
{
	const struct kf_memmap *m = in->m->memmap;
	char buf[256];

	fprintf(out, "<g id=\"memmap\">\n");
	text(out, MARGIN, y + 16, "font-size=\"16\" font-weight=\"bold\"", "Memory map: what keeps each pageblock from compaction");
	y += 26;
	if (!m) {
		snprintf(buf, sizeof(buf), "no memory map: %s",
			 in->memmap_error ? in->memmap_error : "not scanned (kfrag report --memmap, as root)");
		text(out, MARGIN, y + 12, "class=\"note\"", buf);
		fprintf(out, "</g>\n");
		return y + 24;
	}
	snprintf(buf, sizeof(buf), "one cell = one pageblock (%llu KiB), %d per row; %s",
		 (unsigned long long)(4ull << m->pageblock_order), MAP_COLS,
		 in->m->memmap_saved ? "the map saved in the trace at the end of the recording"
				     : "read from /proc/kpageflags");
	text(out, MARGIN, y + 10, "class=\"memmap-source\" font-size=\"11\" fill=\"#555\"", buf);
	y = map_legend(out, y + 16);
	for (int z = 0; z < m->nr_zones; z++)
		y = map_zone(out, m, z, y, in->m->guard_in, in->m->page_size);
	fprintf(out, "</g>\n");
	return y;
}

/* ---- the timeline -------------------------------------------------------- */

static double window_s(const struct kf_snapshot *s)
{
	return s && s->nr_events > 1 ? (s->last_ts - s->first_ts) / 1e9 : 0;
}

static double ts_x(const struct kf_snapshot *s, uint64_t ts)
{
	double w = window_s(s);

	if (w <= 0 || ts <= s->first_ts)
		return MARGIN;
	return MARGIN + PLOT_W * fmin(1.0, (ts - s->first_ts) / 1e9 / w);
}

/* events per second as bars, with the peak and the window's length */
static int rate_chart(FILE *out, const struct kf_snapshot *s, int y)
{
	const int h = 90;
	double bucket_s = s->rate_bucket_ns / 1e9, peak = 0, w = window_s(s);
	int used = bucket_s > 0 ? (int)fmin(KF_RATE_BUCKETS, floor(w / bucket_s) + 1) : 0;
	char buf[128];

	for (int i = 0; i < used; i++)
		peak = fmax(peak, s->rate[i] / bucket_s);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
		MARGIN, y, PLOT_W, h);
	for (int i = 0; i < used && peak > 0; i++) {
		double x0 = MARGIN + PLOT_W * fmin(1, i * bucket_s / w);
		double x1 = MARGIN + PLOT_W * fmin(1, (i + 1) * bucket_s / w);
		double bh = h * (s->rate[i] / bucket_s) / peak;

		fprintf(out, "<rect class=\"rate\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4c78a8\">"
			"<title>%.1f-%.1f s: %.0f events/s</title></rect>\n", x0, y + h - bh, fmax(0.5, x1 - x0), bh,
			i * bucket_s, (i + 1) * bucket_s, s->rate[i] / bucket_s);
	}
	snprintf(buf, sizeof(buf), "events/s (peak %.0f)", peak);
	text(out, MARGIN + PLOT_W + 6, y + 10, "font-size=\"11\"", buf);
	text(out, MARGIN, y + h + 12, "font-size=\"10\"", "0 s");
	snprintf(buf, sizeof(buf), "%.1f s", w);
	text(out, MARGIN + PLOT_W - 30, y + h + 12, "font-size=\"10\"", buf);
	return y + h + 18;
}

static const char *episode_zone(const struct kf_snapshot *s, const struct kf_episode *ep)
{
	return ep->zone >= 0 && ep->zone < s->nr_zones ? s->zones[ep->zone].name : "unknown";
}

static void episode_span(FILE *out, const struct kf_snapshot *s, const struct kf_episode *ep, int y)
{
	double x0 = ts_x(s, ep->begin_ts), x1 = ts_x(s, ep->running ? s->last_ts : ep->end_ts);

	fprintf(out, "<rect class=\"episode\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
		"<title>compaction of %s by %s (%s, pid %d): %.3f ms, %llu migrated, %llu failed</title></rect>\n",
		x0, y + 2, fmax(1.5, x1 - x0), LANE_H - 4, ep->running ? "#e45756" : "#f58518",
		episode_zone(s, ep), kf_initiator_names[ep->initiator], ep->comm, ep->pid,
		ep->running ? (s->last_ts - ep->begin_ts) / 1e6 : (ep->end_ts - ep->begin_ts) / 1e6,
		(unsigned long long)ep->nr_migrated, (unsigned long long)ep->nr_failed);
}

/* one lane per zone that had compaction; the lane of a zone by name */
static int episode_lanes(FILE *out, const struct kf_snapshot *s, int y)
{
	const char *lanes[16];
	int nr = 0;

	for (int e = 0; e < s->nr_episodes; e++) {
		const char *z = episode_zone(s, &s->episodes[e]);
		int l;

		for (l = 0; l < nr && strcmp(lanes[l], z); l++)
			;
		if (l == nr && nr < 16)
			lanes[nr++] = z;
		if (l < nr)
			episode_span(out, s, &s->episodes[e], y + l * LANE_H);
	}
	for (int l = 0; l < nr; l++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "compaction %s", lanes[l]);
		text(out, MARGIN + PLOT_W + 6, y + l * LANE_H + 12, "class=\"lane\" font-size=\"11\"", buf);
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
			MARGIN, y + (l + 1) * LANE_H, MARGIN + PLOT_W, y + (l + 1) * LANE_H);
	}
	if (!nr)
		text(out, MARGIN, y + 12, "font-size=\"11\" fill=\"#555\"", "no compaction in the window");
	return y + (nr ? nr : 1) * LANE_H + 4;
}

/* an alert's place: the first compaction of its zone, else the window's end */
static double alert_x(const struct kf_snapshot *s, const struct kf_alert *a)
{
	for (int e = 0; a->zone[0] && e < s->nr_episodes; e++)
		if (!strcmp(episode_zone(s, &s->episodes[e]), a->zone))
			return ts_x(s, s->episodes[e].begin_ts);
	return MARGIN + PLOT_W;
}

/* alerts below warning are the guard's notes: listed by the report, not marked */
static bool alert_marked(const struct kf_alert *a)
{
	return a->severity >= KF_SEV_WARNING;
}

/* a triangle per alert, numbered A1.. as in the list under the timeline */
static int alert_marks(FILE *out, const struct kf_report_input *in, const struct kf_snapshot *s, int y)
{
	const struct kf_guard_result *g = in->m->guard;
	double last_x = -100;
	int shown = 0;
	char label[16];

	for (int i = 0; g && i < g->nr_alerts; i++) {
		const struct kf_alert *a = &g->alerts[i];
		double x = alert_x(s, a);

		if (!alert_marked(a))
			continue;
		/* markers at one time side by side */
		if (x - last_x < 16)
			x = last_x + 16;
		last_x = x;
		fprintf(out, "<path class=\"alert\" d=\"M%.1f %d l6 10 h-12 z\" fill=\"%s\"><title>", x, y,
			severity_fill(a->severity));
		esc(out, a->message);
		fputs("</title></path>\n", out);
		snprintf(label, sizeof(label), "A%d", ++shown);
		text(out, (int)x - 5, y + 20, "font-size=\"9\"", label);
	}
	return shown ? y + 24 : y;
}

/* ---- findings on the timeline ---------------------------------------------
 * A finding carries no time of its own: it judges the window. Its bar
 * covers the part of the window it rests on: a zone's compaction cost its
 * zone's episodes, a task's direct compaction that task's episodes, a block
 * missing now the window's end, the rates the whole window. The guard's
 * alerts, findings too, are the triangles above. */

#define FINDINGS_SHOWN	20
#define FINDING_ROW	10

/* the episodes a finding rests on, [x0, x1]; false: none, the whole window */
static bool finding_episodes(const struct kf_snapshot *s, const struct kf_finding *f, double *x0, double *x1)
{
	bool any = false;

	for (int e = 0; e < s->nr_episodes; e++) {
		const struct kf_episode *ep = &s->episodes[e];
		bool mine = f->kind == KF_FIND_COMPACTION_COST ? f->zone[0] && !strcmp(episode_zone(s, ep), f->zone)
							       : f->pid >= 0 && ep->pid == f->pid;
		double b = ts_x(s, ep->begin_ts), x = ts_x(s, ep->running ? s->last_ts : ep->end_ts);

		if (!mine)
			continue;
		*x0 = any ? fmin(*x0, b) : b;
		*x1 = any ? fmax(*x1, x) : x;
		any = true;
	}
	return any;
}

static void finding_span(const struct kf_snapshot *s, const struct kf_finding *f, double *x0, double *x1)
{
	*x0 = MARGIN;
	*x1 = MARGIN + PLOT_W;
	if (f->kind == KF_FIND_HIGH_ORDER)
		*x0 = *x1;
	else if (f->kind == KF_FIND_COMPACTION_COST || f->kind == KF_FIND_DIRECT_COMPACTION)
		finding_episodes(s, f, x0, x1);
}

/* one bar per finding but the guard's, numbered F1.. */
static int finding_bars(FILE *out, const struct kf_report_input *in, const struct kf_snapshot *s, int y)
{
	const struct kf_findings *fs = in->m->findings;
	int shown = 0;
	char label[16];

	for (int i = 0; fs && i < fs->nr && shown < FINDINGS_SHOWN; i++) {
		const struct kf_finding *f = &fs->items[i];
		const char *fill = severity_fill(f->severity);
		int ry = y + shown * FINDING_ROW;
		double x0, x1;

		if (f->kind == KF_FIND_GUARD)
			continue;
		finding_span(s, f, &x0, &x1);
		shown++;
		fprintf(out, "<g class=\"finding\" data-kind=\"%s\"><title>F%d %s: ", f->kind_name, shown,
			kf_severity_names[f->severity]);
		esc(out, f->message);
		fprintf(out, "</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"4\" fill=\"%s\" fill-opacity=\"0.6\"/>"
			"<path d=\"M%.1f %d l4 4 l-4 4 l-4 -4 z\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/></g>\n",
			x0, ry + 3, fmax(1.5, x1 - x0), fill, x0, ry + 1, fill);
		snprintf(label, sizeof(label), "F%d", shown);
		text(out, MARGIN + PLOT_W + 6, ry + 9, "font-size=\"9\"", label);
	}
	return y + shown * FINDING_ROW + (shown ? 4 : 0);
}

/* the alerts' and the findings' messages, one line each (the whole
 * message is the marker's tooltip) */
static int marker_lists(FILE *out, const struct kf_report_input *in, int y)
{
	const struct kf_guard_result *g = in->m->guard;
	const struct kf_findings *fs = in->m->findings;
	char label[300];
	int na = 0, nf = 0;

	for (int i = 0; g && i < g->nr_alerts; i++) {
		const struct kf_alert *a = &g->alerts[i];

		if (!alert_marked(a))
			continue;
		snprintf(label, sizeof(label), "A%d %s: %.170s%s", ++na, kf_severity_names[a->severity], a->message,
			 strlen(a->message) > 170 ? "..." : "");
		y += 14;
		text(out, MARGIN, y, "class=\"alert-text\" font-size=\"11\"", label);
	}
	if (!na) {
		y += 14;
		text(out, MARGIN, y, "font-size=\"11\" fill=\"#555\"", g ? "guard: no alert" : "guard: off");
	}
	for (int i = 0; fs && i < fs->nr && nf < FINDINGS_SHOWN; i++) {
		const struct kf_finding *f = &fs->items[i];

		if (f->kind == KF_FIND_GUARD)
			continue;
		snprintf(label, sizeof(label), "F%d %s %s%s%s: %.160s%s", ++nf, kf_severity_names[f->severity],
			 f->kind_name, f->zone[0] ? " " : "", f->zone, f->message, strlen(f->message) > 160 ? "..." : "");
		y += 13;
		text(out, MARGIN, y, "class=\"finding-text\" font-size=\"10\"", label);
	}
	if (!nf) {
		y += 14;
		text(out, MARGIN, y, "font-size=\"11\" fill=\"#555\"", "findings: none");
	}
	return y + 8;
}

/* what the marks of the timeline mean */
static int timeline_legend(FILE *out, int y)
{
	static const struct { const char *shape, *fill, *label; } items[] = {
		{ "rect", "#4c78a8", "events per second" },
		{ "rect", "#f58518", "compaction episode (red: still running at the end)" },
		{ "diamond", "#e7ba52", "finding F: over the part of the window it rests on (red critical, yellow warning, grey note)" },
		{ "triangle", "#d62728", "guard alert A: at its zone's first compaction, else at the end" },
	};
	int x = MARGIN;

	fprintf(out, "<g class=\"timeline-legend\">\n");
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!strcmp(items[i].shape, "rect"))
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>\n", x, y, items[i].fill);
		else if (!strcmp(items[i].shape, "diamond"))
			fprintf(out, "<path d=\"M%d %d l5 5 l-5 5 l-5 -5 z\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>\n",
				x + 5, y, items[i].fill);
		else
			fprintf(out, "<path d=\"M%d %d l6 10 h-12 z\" fill=\"%s\"/>\n", x + 5, y, items[i].fill);
		text(out, x + 14, y + 9, "font-size=\"11\"", items[i].label);
		x += 14 + 6 * (int)strlen(items[i].label) + 16;
		if (i % 2 == 1) {
			x = MARGIN;
			y += 16;
		}
	}
	fprintf(out, "</g>\n");
	return y + 4;
}

static int draw_timeline(FILE *out, const struct kf_report_input *in, int y)
{
	const struct kf_snapshot *s = in->m->snap;

	fprintf(out, "<g id=\"timeline\">\n");
	text(out, MARGIN, y + 16, "font-size=\"16\" font-weight=\"bold\"", "Timeline of the window");
	y += 26;
	if (!s || s->nr_events == 0) {
		text(out, MARGIN, y + 12, "class=\"note\"", "no events");
		fprintf(out, "</g>\n");
		return y + 24;
	}
	y = timeline_legend(out, y);
	y = rate_chart(out, s, y);
	y = episode_lanes(out, s, y);
	y = alert_marks(out, in, s, y + 2);
	y = finding_bars(out, in, s, y);
	y = marker_lists(out, in, y);
	fprintf(out, "</g>\n");
	return y;
}

/* ---- zones: free blocks by order, the unusable index --------------------- */

static void zone_panel(FILE *out, const struct kf_buddy_zone *bz, int x, int y)
{
	const int w = 330, h = 110, bw = (w - 20) / (bz->nr_orders ? bz->nr_orders : 1);
	double top = 1;
	char buf[96];

	for (int o = 0; o < bz->nr_orders; o++)
		top = fmax(top, log10(1 + bz->free_blocks[o]));
	snprintf(buf, sizeof(buf), "node %d %s", bz->node, bz->name);
	text(out, x, y + 10, "class=\"zone-label\" font-size=\"10\" font-weight=\"bold\"", buf);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
		x, y + 14, w, h);
	fprintf(out, "<polyline class=\"unusable\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"");
	for (int o = 0; o < bz->nr_orders; o++)
		fprintf(out, "%d,%.1f ", x + 10 + o * bw + bw / 2,
			y + 14 + h - h * bz->unusable[o] / 1000.0);
	fputs("\"/>\n", out);
	for (int o = 0; o < bz->nr_orders; o++) {
		double bh = h * log10(1 + bz->free_blocks[o]) / top;
		char idx[16];

		fprintf(out, "<rect class=\"free-blocks\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#54a24b\" "
			"fill-opacity=\"0.7\"><title>order %d: %llu free blocks, unusable index %s</title></rect>\n",
			x + 10 + o * bw + 1, y + 14 + h - bh, bw - 2, bh, o, (unsigned long long)bz->free_blocks[o],
			kf_index_format(bz->unusable[o], idx));
		snprintf(buf, sizeof(buf), "%d", o);
		text(out, x + 10 + o * bw + bw / 2 - 3, y + 14 + h + 11, "font-size=\"9\"", buf);
	}
}

static int draw_zones(FILE *out, const struct kf_report_input *in, int y)
{
	const struct kf_memstate *ms = in->m->mem ? in->m->mem : in->m->mem_before;
	int n = 0;

	fprintf(out, "<g id=\"zones\">\n");
	text(out, MARGIN, y + 16, "font-size=\"16\" font-weight=\"bold\"", "Zones: free blocks and the unusable index");
	y += 26;
	if (!ms || !(ms->have & KF_HAVE_BUDDYINFO)) {
		text(out, MARGIN, y + 12, "class=\"note\"", "no buddyinfo");
		fprintf(out, "</g>\n");
		return y + 24;
	}
	text(out, MARGIN, y + 8, "font-size=\"11\" fill=\"#555\"",
	     "bars: free blocks of each order (log scale); red line: unusable index of the order (0 at the bottom, 1 at the top)");
	y += 14;
	for (int z = 0; z < ms->buddyinfo.nr_zones; z++, n++)
		zone_panel(out, &ms->buddyinfo.zones[z], MARGIN + (n % 3) * 350, y + (n / 3) * 145);
	fprintf(out, "</g>\n");
	return y + ((n + 2) / 3) * 145;
}

/* ---- the document --------------------------------------------------------- */

static void draw_title(FILE *out, const struct kf_report_input *in)
{
	const struct kf_measurement *m = in->m;
	char buf[512];

	snprintf(buf, sizeof(buf), "kfrag report: %s, %.1f s, %llu events%s",
		 m->live ? "live" : m->source && m->source->path ? m->source->path : "a trace",
		 m->duration_s, (unsigned long long)(m->snap ? m->snap->nr_events : 0),
		 m->saved_state ? ", memory state saved in the trace" : "");
	text(out, MARGIN, 26, "font-size=\"18\" font-weight=\"bold\"", buf);
}

int kf_report_svg(const struct kf_report_input *in, FILE *out)
{
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);
	int y = 40;

	if (!b)
		return -1;
	draw_title(b, in);
	y = draw_memmap(b, in, y);
	y = draw_timeline(b, in, y + 10);
	y = draw_zones(b, in, y + 10);
	if (fclose(b) != 0) {
		free(body);
		return -1;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n", SVG_W, y + MARGIN, SVG_W, y + MARGIN);
	fwrite(body, 1, len, out);
	fputs("</svg>\n", out);
	free(body);
	return ferror(out) ? -1 : 0;
}
