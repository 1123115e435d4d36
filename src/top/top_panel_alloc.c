/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag top's panels of the allocator: zones, CPUs, fragmentation events. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "kf_run.h"
#include "top_draw.h"

/* ---- zones -------------------------------------------------------------- */

enum { ZC_NODE, ZC_ZONE, ZC_FREE, ZC_WM, ZC_U0, ZC_U3, ZC_U9, ZC_F0, ZC_F3, ZC_F9, ZC_HIST,
       ZC_MIN, ZC_LOW, ZC_HIGH, ZC_ALLOC, ZC_FREED, ZC_PB, ZC_NR };

static const struct col zone_cols[ZC_NR] = {
	[ZC_NODE] = { "N", 1, 0, true },
	[ZC_ZONE] = { "ZONE", 7, 0, true },
	[ZC_FREE] = { "FREE", 8, 0, false },
	[ZC_WM] = { "WM", 4, 0, true },
	[ZC_U0] = { "UNUS0", 6, 1, false },
	[ZC_U3] = { "UNUS3", 6, 1, false },
	[ZC_U9] = { "UNUS9", 6, 1, false },
	[ZC_F0] = { "FRAG0", 7, 1, false },
	[ZC_F3] = { "FRAG3", 7, 1, false },
	[ZC_F9] = { "FRAG9", 7, 1, false },
	[ZC_HIST] = { "FREE BLOCKS", 11, 2, true },
	[ZC_MIN] = { "MIN", 8, 4, false },
	[ZC_LOW] = { "LOW", 8, 4, false },
	[ZC_HIGH] = { "HIGH", 8, 4, false },
	[ZC_ALLOC] = { "ALLOC/s", 8, 5, false },
	[ZC_FREED] = { "FREE/s", 8, 5, false },
	[ZC_PB] = { "PAGEBLOCKS", 24, 6, true },
};

static const char *wm_text(enum kf_top_wm wm, attr_t *at)
{
	switch (wm) {
	case KF_WM_OK: *at = AT_OK; return "ok";
	case KF_WM_LOW: *at = AT_WARN; return "low";
	case KF_WM_MIN: *at = AT_WARN; return "min";
	case KF_WM_BELOW_MIN: *at = AT_CRIT; return "MIN!";
	default: *at = 0; return "?";
	}
}

static void index_cell(struct cell *c, const struct kf_top_zone *z, bool extfrag, int order)
{
	char b[16];

	if (order >= z->nr_orders) {
		snprintf(c->text, sizeof(c->text), "- ");
		return;
	}
	int trend = extfrag ? z->extfrag_trend[order] : z->unusable_trend[order];

	snprintf(c->text, sizeof(c->text), "%s%s", kf_index_format(extfrag ? z->extfrag[order] : z->unusable[order], b),
		 trend > 0 ? G_UP() : trend < 0 ? G_DOWN() : " ");
	if (trend)
		c->at = AT_HOT;
}

static void zone_hist(char *buf, size_t len, const struct kf_top_zone *z)
{
	uint64_t max = 0;
	size_t n = 0;

	buf[0] = '\0';
	for (int o = 0; o < z->nr_orders; o++)
		if (z->free_blocks[o] > max)
			max = z->free_blocks[o];
	/* a glyph per order, its height the log of the block count; any block shows */
	for (int o = 0; o < z->nr_orders && n + 4 < len; o++) {
		int level = 0;

		if (z->free_blocks[o]) {
			level = (int)lround(7.0 * log1p((double)z->free_blocks[o]) / log1p((double)max));
			if (level < 1)
				level = 1;
		}
		n += snprintf(buf + n, len - n, "%s", spark(level));
	}
}

static void pageblocks_text(char *buf, size_t len, const struct kf_top_view *v, const struct kf_top_zone *z,
			    bool names)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!z->have_pageblocks)
		return;
	for (int mt = 0; mt < v->nr_mt && n < len; mt++) {
		if (names)
			n += snprintf(buf + n, len - n, "%s%s %llu", mt ? "  " : "", v->mt_names[mt],
				      (unsigned long long)z->pageblocks[mt]);
		else
			n += snprintf(buf + n, len - n, "%s%llu", mt ? "/" : "", (unsigned long long)z->pageblocks[mt]);
	}
}

static void zone_row(const struct ctx *c, const struct kf_top_zone *z, struct cell *cells)
{
	memset(cells, 0, sizeof(struct cell) * ZC_NR);
	snprintf(cells[ZC_NODE].text, sizeof(cells[0].text), "%d", z->node);
	snprintf(cells[ZC_ZONE].text, sizeof(cells[0].text), "%s", z->name);
	if (z->have_info) {
		top_fmt_pages(cells[ZC_FREE].text, sizeof(cells[0].text), c, z->free, false, zone_cols[ZC_FREE].width);
		top_fmt_pages(cells[ZC_MIN].text, sizeof(cells[0].text), c, z->min, false, zone_cols[ZC_MIN].width);
		top_fmt_pages(cells[ZC_LOW].text, sizeof(cells[0].text), c, z->low, false, zone_cols[ZC_LOW].width);
		top_fmt_pages(cells[ZC_HIGH].text, sizeof(cells[0].text), c, z->high, false, zone_cols[ZC_HIGH].width);
	}
	snprintf(cells[ZC_WM].text, sizeof(cells[0].text), "%s", wm_text(z->wm, &cells[ZC_WM].at));
	index_cell(&cells[ZC_U0], z, false, 0);
	index_cell(&cells[ZC_U3], z, false, 3);
	index_cell(&cells[ZC_U9], z, false, 9);
	index_cell(&cells[ZC_F0], z, true, 0);
	index_cell(&cells[ZC_F3], z, true, 3);
	index_cell(&cells[ZC_F9], z, true, 9);
	zone_hist(cells[ZC_HIST].text, sizeof(cells[0].text), z);
	top_fmt_pages(cells[ZC_ALLOC].text, sizeof(cells[0].text), c, z->alloc_ps, true, zone_cols[ZC_ALLOC].width);
	top_fmt_pages(cells[ZC_FREED].text, sizeof(cells[0].text), c, z->free_ps, true, zone_cols[ZC_FREED].width);
	pageblocks_text(cells[ZC_PB].text, sizeof(cells[0].text), c->v, z, false);
}

/* the detail of every order: how many orders fit on a line */
static int orders_per_line(const struct ctx *c)
{
	int n = (c->w - 12) / 7;

	return n < 1 ? 1 : n;
}

static int zone_max_orders(const struct kf_top_view *v)
{
	int n = 0;

	for (int i = 0; i < v->nr_zones; i++)
		if (v->zones[i].nr_orders > n)
			n = v->zones[i].nr_orders;
	return n;
}

/* per zone: a heading, then (orders, free blocks, unusable, extfrag) per
 * group of orders, then pageblocks */
static int zone_detail_lines(const struct ctx *c)
{
	int per = orders_per_line(c), orders = zone_max_orders(c->v);
	int groups = orders ? (orders + per - 1) / per : 0;

	return 1 + groups * 4 + 1;
}

static void zone_detail_line(const struct ctx *c, const struct kf_top_zone *z, int k, int y)
{
	char buf[512], b[16];
	int per = orders_per_line(c);
	size_t n = 0;

	if (k == 0) {
		attr_t at;
		const char *wm = wm_text(z->wm, &at);
		char fr[16], mi[16], lo[16], hi[16], ma[16];

		top_fmt_pages(fr, sizeof(fr), c, z->free, false, 12);
		top_fmt_pages(mi, sizeof(mi), c, z->min, false, 12);
		top_fmt_pages(lo, sizeof(lo), c, z->low, false, 12);
		top_fmt_pages(hi, sizeof(hi), c, z->high, false, 12);
		top_fmt_pages(ma, sizeof(ma), c, z->managed, false, 12);
		snprintf(buf, sizeof(buf), "node %d %s: free %s, watermarks min %s low %s high %s, managed %s: %s",
			 z->node, z->name, fr, mi, lo, hi, ma, wm);
		top_put(y, c->x, c->w, buf, A_BOLD, true);
		return;
	}
	k--;
	int groups = zone_max_orders(c->v) ? (zone_max_orders(c->v) + per - 1) / per : 0;

	if (k < groups * 4) {
		int g = k / 4, what = k % 4;
		static const char *const label[] = { "  order", "  free blocks", "  unusable", "  extfrag" };

		n = snprintf(buf, sizeof(buf), "%-12s", label[what]);
		for (int o = g * per; o < (g + 1) * per && o < z->nr_orders && n < sizeof(buf) - 16; o++) {
			switch (what) {
			case 0: n += snprintf(buf + n, sizeof(buf) - n, " %6d", o); break;
			case 1: {
				char num[16];

				top_fmt_u64(num, sizeof(num), z->free_blocks[o], 6);
				n += snprintf(buf + n, sizeof(buf) - n, " %6s", num);
				break;
			}
			case 2: n += snprintf(buf + n, sizeof(buf) - n, " %6s", kf_index_format(z->unusable[o], b)); break;
			case 3: n += snprintf(buf + n, sizeof(buf) - n, " %6s", kf_index_format(z->extfrag[o], b)); break;
			}
		}
		top_put(y, c->x, c->w, buf, what == 0 ? AT_HEADER : 0, true);
		return;
	}
	pageblocks_text(buf + 14, sizeof(buf) - 14, c->v, z, true);
	memcpy(buf, "  pageblocks  ", 14);
	if (!z->have_pageblocks)
		snprintf(buf, sizeof(buf), "  pageblocks  (pagetypeinfo unreadable)");
	top_put(y, c->x, c->w, buf, 0, true);
}

static int zones_sticky(const struct ctx *c)
{
	return 1;
}

static int zones_body(const struct ctx *c)
{
	if (c->v->no_memstate)
		return 1;
	return c->v->nr_zones + (c->st->all_orders ? c->v->nr_zones * zone_detail_lines(c) : 0);
}

static void zones_line(const struct ctx *c, int i, int y)
{
	bool shown[ZC_NR];
	struct cell cells[ZC_NR];

	top_fit_cols(zone_cols, ZC_NR, c->w, -1, shown);
	/* rates only: nothing to show in totals mode */
	if (c->st->totals)
		shown[ZC_ALLOC] = shown[ZC_FREED] = false;
	if (i == 0) {
		top_draw_titles(y, c->x, c->w, zone_cols, ZC_NR, shown, -1, "");
		return;
	}
	i--;
	if (c->v->no_memstate) {
		top_put(y, c->x, c->w, "  " KF_NO_MEMSTATE_NOTE, A_DIM, true);
		return;
	}
	if (i < c->v->nr_zones) {
		zone_row(c, &c->v->zones[i], cells);
		top_draw_cells(y, c->x, c->w, zone_cols, ZC_NR, shown, cells, 0);
		return;
	}
	i -= c->v->nr_zones;
	int per = zone_detail_lines(c);

	if (i / per < c->v->nr_zones)
		zone_detail_line(c, &c->v->zones[i / per], i % per, y);
}

/* "can I get a 2 MiB page now?" in plain words, as the run layer answered it */
static int huge_text(char *buf, size_t len, const struct kf_top_zone *z)
{
	switch (z->huge) {
	case KF_HUGE_YES:
		return snprintf(buf, len, ", 2MiB: yes, %llu free", (unsigned long long)z->huge_blocks);
	case KF_HUGE_NO_BLOCK:
		return snprintf(buf, len, ", 2MiB: no, none free");
	case KF_HUGE_BELOW_LOW:
		return snprintf(buf, len, ", 2MiB: after reclaim, %llu free",
				(unsigned long long)z->huge_blocks);
	default:
		return 0;
	}
}

static void zones_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	size_t n = 0;

	buf[0] = '\0';
	if (c->v->no_memstate)
		snprintf(buf, len, "no memory state in this trace");
	for (int i = 0; i < c->v->nr_zones && n < len; i++) {
		const struct kf_top_zone *z = &c->v->zones[i];
		attr_t at;
		char fr[24];

		top_fmt_pages(fr, sizeof(fr), c, z->free, false, 20);
		n += snprintf(buf + n, len - n, "%s%s %s %s", i ? "  " : "", z->name, fr, wm_text(z->wm, &at));
		if (n < len)
			n += huge_text(buf + n, len - n, z);
	}
}
/* ---- CPUs --------------------------------------------------------------- */

enum { CC_CPU, CC_ALLOC, CC_FREE, CC_REFILLS, CC_REFILL_PG, CC_DRAINS, CC_DRAIN_PG, CC_XDRAIN, CC_XFREE,
       CC_LOST, CC_NR };

static const struct col cpu_cols_base[CC_NR] = {
	[CC_CPU] = { "CPU", 5, 0, true },
	[CC_ALLOC] = { "ALLOC", 8, 0, false },
	[CC_FREE] = { "FREE", 8, 0, false },
	[CC_REFILLS] = { "REFILLS", 9, 1, false },
	[CC_REFILL_PG] = { "RF PAGES", 10, 1, false },
	[CC_DRAINS] = { "DRAINS", 8, 1, false },
	[CC_DRAIN_PG] = { "DR PAGES", 10, 1, false },
	[CC_XDRAIN] = { "DRAINED BY", 13, 2, true },
	[CC_XFREE] = { "X-CPU FREE", 10, 3, false },
	[CC_LOST] = { "LOST", 7, 4, false },
};

static void cpu_cols(const struct ctx *c, struct col *cols, char titles[][24])
{
	memcpy(cols, cpu_cols_base, sizeof(cpu_cols_base));
	for (int i = CC_ALLOC; i <= CC_XFREE; i++) {
		if (i == CC_XDRAIN)
			continue;
		snprintf(titles[i], 24, "%s%s", cpu_cols_base[i].title, top_rate_suffix(c->st));
		cols[i].title = titles[i];
	}
}

static bool show_matrix(const struct ctx *c)
{
	return c->v->nr_cpus > 1 && c->v->xdrain && 12 + 9 * c->v->nr_cpus <= c->w;
}

static int cpus_sticky(const struct ctx *c)
{
	return 1;
}

static int cpus_body(const struct ctx *c)
{
	return c->v->nr_cpus + (show_matrix(c) ? 3 + c->v->nr_cpus : 0);
}

static void cpu_row(const struct ctx *c, const struct kf_top_cpu *x, struct cell *cells)
{
	const struct kf_top_state *st = c->st;
	size_t l = sizeof(cells[0].text);

	memset(cells, 0, sizeof(struct cell) * CC_NR);
	snprintf(cells[CC_CPU].text, l, "cpu%d", x->cpu);
	top_fmt_pval(cells[CC_ALLOC].text, l, c, x->alloc_ps, x->alloc, 8);
	top_fmt_pval(cells[CC_FREE].text, l, c, x->free_ps, x->freed, 8);
	top_fmt_val(cells[CC_REFILLS].text, l, st, x->refill_runs_ps, x->refill_runs, 9);
	top_fmt_pval(cells[CC_REFILL_PG].text, l, c, x->refill_pages_ps, x->refill_pages, 10);
	top_fmt_val(cells[CC_DRAINS].text, l, st, x->drain_runs_ps, x->drain_runs, 8);
	top_fmt_pval(cells[CC_DRAIN_PG].text, l, c, x->drain_pages_ps, x->drain_pages, 10);
	if (x->xdrain_peer >= 0) {
		char num[16];

		top_fmt_pval(num, sizeof(num), c, x->xdrain_out_ps, x->xdrain_out, 8);
		snprintf(cells[CC_XDRAIN].text, l, "cpu%d %s", x->xdrain_peer, num);
		/* the pattern worth seeing: refilled here, drained over there */
		if (st->totals || x->xdrain_out_ps > 0)
			cells[CC_XDRAIN].at = AT_HOT;
	} else {
		snprintf(cells[CC_XDRAIN].text, l, "-");
	}
	top_fmt_pval(cells[CC_XFREE].text, l, c, x->xfree_out_ps, x->xfree_out, 10);
	top_fmt_u64(cells[CC_LOST].text, l, x->lost, 7);
	if (x->lost)
		cells[CC_LOST].at = AT_CRIT;
}

static void cpus_line(const struct ctx *c, int i, int y)
{
	struct col cols[CC_NR];
	char titles[CC_NR][24];
	bool shown[CC_NR];
	struct cell cells[CC_NR];
	const struct kf_top_view *v = c->v;

	cpu_cols(c, cols, titles);
	top_fit_cols(cols, CC_NR, c->w, -1, shown);
	if (i == 0) {
		top_draw_titles(y, c->x, c->w, cols, CC_NR, shown, -1, "");
		return;
	}
	i--;
	if (i < v->nr_cpus) {
		cpu_row(c, &v->cpus[i], cells);
		top_draw_cells(y, c->x, c->w, cols, CC_NR, shown, cells, 0);
		return;
	}
	i -= v->nr_cpus;
	char buf[512];

	if (i == 0) {
		top_put(y, c->x, c->w, "", 0, true);
		return;
	}
	if (i == 1) {
		snprintf(buf, sizeof(buf), "pcp pages refilled on the row CPU, drained by the column CPU%s:",
			 c->st->totals ? "" : " (per second)");
		top_put(y, c->x, c->w, buf, AT_HEADER, true);
		return;
	}
	if (i == 2) {
		size_t n = snprintf(buf, sizeof(buf), "%-12s", "  refilled on");

		for (int j = 0; j < v->nr_cpus && n + 10 < sizeof(buf); j++) {
			char name[16];

			snprintf(name, sizeof(name), "cpu%d", v->cpus[j].cpu);
			n += snprintf(buf + n, sizeof(buf) - n, " %8s", name);
		}
		top_put(y, c->x, c->w, buf, AT_HEADER, true);
		return;
	}
	int r = i - 3;

	if (r >= v->nr_cpus)
		return;
	snprintf(buf, sizeof(buf), "  cpu%-3d %s", v->cpus[r].cpu, G_ARROW());
	top_put(y, c->x, c->w, buf, 0, true);
	int x = c->x + 12;

	for (int j = 0; j < v->nr_cpus && x + 9 <= c->x + c->w; j++, x += 9) {
		char num[16], cellbuf[24];
		attr_t at = 0;

		if (j == r) {
			snprintf(num, sizeof(num), "-");
		} else {
			size_t k = (size_t)r * v->nr_cpus + j;

			top_fmt_pval(num, sizeof(num), c, v->xdrain_ps[k], v->xdrain[k], 8);
			if (c->st->totals ? v->xdrain[k] > 0 : v->xdrain_ps[k] > 0)
				at = AT_HOT;
		}
		snprintf(cellbuf, sizeof(cellbuf), " %8s", num);
		top_put(y, x, 9, cellbuf, at, true);
	}
}

static void cpus_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_view *v = c->v;
	char a[16], f[16], r[16], d[16], x[16];
	double rr = 0, dd = 0, xx = 0;
	uint64_t rt = 0, dt = 0, xt = 0, at = 0, ft = 0;

	for (int i = 0; i < v->nr_cpus; i++) {
		rr += v->cpus[i].refill_runs_ps;
		dd += v->cpus[i].drain_runs_ps;
		xx += v->cpus[i].xdrain_out_ps;
		rt += v->cpus[i].refill_runs;
		dt += v->cpus[i].drain_runs;
		xt += v->cpus[i].xdrain_out;
		at += v->cpus[i].alloc;
		ft += v->cpus[i].freed;
	}
	top_fmt_pval(a, sizeof(a), c, v->alloc_ps, at, 8);
	top_fmt_pval(f, sizeof(f), c, v->free_ps, ft, 8);
	top_fmt_val(r, sizeof(r), c->st, rr, rt, 8);
	top_fmt_val(d, sizeof(d), c->st, dd, dt, 8);
	top_fmt_pval(x, sizeof(x), c, xx, xt, 8);
	snprintf(buf, len, "alloc %s%s  free %s%s  refills %s  drains %s  x-cpu drained %s",
		 a, top_rate_suffix(c->st), f, top_rate_suffix(c->st), r, d, x);
}
/* ---- fragmentation events ---------------------------------------------- */

enum { FC_ALLOC, FC_FALLBACK, FC_FALLBACKS, FC_FRAGMENTING, FC_SEVERE, FC_MODERATE, FC_CHANGED, FC_NR };

static const struct col frag_cols_base[FC_NR] = {
	[FC_ALLOC] = { "ALLOC MT", 12, 0, true },
	[FC_FALLBACK] = { "FALLBACK MT", 12, 0, true },
	[FC_FALLBACKS] = { "FALLBACKS", 10, 0, false },
	[FC_FRAGMENTING] = { "FRAGMENT", 9, 1, false },
	[FC_SEVERE] = { "SEVERE", 9, 1, false },
	[FC_MODERATE] = { "MODERATE", 9, 1, false },
	[FC_CHANGED] = { "OWNER CHG", 10, 1, false },
};

static void frag_cols(const struct ctx *c, struct col *cols, char titles[][24])
{
	memcpy(cols, frag_cols_base, sizeof(frag_cols_base));
	for (int i = FC_FALLBACKS; i < FC_NR; i++) {
		snprintf(titles[i], 24, "%s%s", frag_cols_base[i].title, top_rate_suffix(c->st));
		cols[i].title = titles[i];
		cols[i].width += c->st->totals ? 0 : 2;
	}
}

static int frag_sticky(const struct ctx *c)
{
	return 1;
}

static int frag_body(const struct ctx *c)
{
	return 1 + c->v->nr_frags;
}

static void frag_line(const struct ctx *c, int i, int y)
{
	struct col cols[FC_NR];
	char titles[FC_NR][24];
	bool shown[FC_NR];
	struct cell cells[FC_NR];
	const struct kf_top_frag *f;
	size_t l = sizeof(cells[0].text);

	frag_cols(c, cols, titles);
	top_fit_cols(cols, FC_NR, c->w, -1, shown);
	if (i == 0) {
		top_draw_titles(y, c->x, c->w, cols, FC_NR, shown, -1, "");
		return;
	}
	f = i == 1 ? &c->v->frag_total : &c->v->frags[i - 2];
	memset(cells, 0, sizeof(cells));
	snprintf(cells[FC_ALLOC].text, l, "%s", i == 1 ? "all" : f->alloc_name);
	snprintf(cells[FC_FALLBACK].text, l, "%s", i == 1 ? "" : f->fallback_name);
	top_fmt_val(cells[FC_FALLBACKS].text, l, c->st, f->fallbacks_ps, f->total.fallbacks, cols[FC_FALLBACKS].width);
	top_fmt_val(cells[FC_FRAGMENTING].text, l, c->st, f->fragmenting_ps, f->total.fragmenting, cols[FC_FRAGMENTING].width);
	top_fmt_val(cells[FC_SEVERE].text, l, c->st, f->severe_ps, f->total.severe, cols[FC_SEVERE].width);
	top_fmt_val(cells[FC_MODERATE].text, l, c->st, f->moderate_ps, f->total.moderate, cols[FC_MODERATE].width);
	top_fmt_val(cells[FC_CHANGED].text, l, c->st, f->changed_ps, f->total.changed, cols[FC_CHANGED].width);
	if (c->st->totals ? f->total.severe : f->severe_ps > 0)
		cells[FC_SEVERE].at = AT_WARN;
	top_draw_cells(y, c->x, c->w, cols, FC_NR, shown, cells, i == 1 ? A_BOLD : 0);
}

static void frag_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_frag *t = &c->v->frag_total;
	char a[16], b[16], s[16], m[16], o[16];

	top_fmt_val(a, sizeof(a), c->st, t->fallbacks_ps, t->total.fallbacks, 8);
	top_fmt_val(b, sizeof(b), c->st, t->fragmenting_ps, t->total.fragmenting, 8);
	top_fmt_val(s, sizeof(s), c->st, t->severe_ps, t->total.severe, 8);
	top_fmt_val(m, sizeof(m), c->st, t->moderate_ps, t->total.moderate, 8);
	top_fmt_val(o, sizeof(o), c->st, t->changed_ps, t->total.changed, 8);
	snprintf(buf, len, "fallbacks %s%s  fragmenting %s  severe %s  moderate %s  ownership changed %s",
		 a, top_rate_suffix(c->st), b, s, m, o);
}
int top_panel_full_width(void)
{
	int w = -1;

	for (int i = 0; i < ZC_NR; i++)
		w += zone_cols[i].width + 1;
	return w;
}

const struct panel top_panel_zones = { zones_summary, zones_sticky, zones_body, zones_line };
const struct panel top_panel_cpus = { cpus_summary, cpus_sticky, cpus_body, cpus_line };
const struct panel top_panel_frag = { frag_summary, frag_sticky, frag_body, frag_line };
