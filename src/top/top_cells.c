/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag top: text in cells, numbers that fit their columns, and tables whose
 * columns are chosen by priority to fit the width. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "top_draw.h"

/* ---- text helpers ---------------------------------------------------- */

/* terminal cells of a UTF-8 string (kfrag's glyphs are all one cell wide) */
int top_cells_of(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* writes s at y,x in at most w cells, padded to w when pad; returns cells used */
int top_put(int y, int x, int w, const char *s, attr_t at, bool pad)
{
	int n = 0;

	if (w <= 0 || y < 0 || y >= LINES)
		return 0;
	attron(at);
	move(y, x);
	/* count cells: every byte but UTF-8 continuation bytes starts one */
	for (const char *p = s; *p; ) {
		int len = 1;

		while ((p[len] & 0xc0) == 0x80)
			len++;
		if (n == w)
			break;
		addnstr(p, len);
		p += len;
		n++;
	}
	if (pad)
		for (; n < w; n++)
			addch(' ');
	attroff(at);
	return n;
}

void top_fmt_u64(char *buf, size_t len, uint64_t v, int width)
{
	static const char *const unit = "kMGTPE";
	double d = (double)v;
	int u = -1;

	snprintf(buf, len, "%llu", (unsigned long long)v);
	if ((int)strlen(buf) <= width)
		return;
	while (d >= 1000 && u < 5) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, d < 10 ? "%.2f%c" : d < 100 ? "%.1f%c" : "%.0f%c", d, unit[u]);
}

void top_fmt_rate(char *buf, size_t len, double r, int width)
{
	/* no meaningful interval yet */
	if (isnan(r)) {
		snprintf(buf, len, "-");
		return;
	}
	if (r <= 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (r < 10) {
		snprintf(buf, len, "%.1f", r);
		return;
	}
	top_fmt_u64(buf, len, (uint64_t)llround(r), width);
}

/* a rate or a total, as the state asks */
void top_fmt_val(char *buf, size_t len, const struct kf_top_state *st, double r, uint64_t total, int width)
{
	if (st->totals)
		top_fmt_u64(buf, len, total, width);
	else
		top_fmt_rate(buf, len, r, width);
}
/*
 * pages in the unit the state asks (u): a count of pages as top_fmt_u64,
 * or bytes in KiB, MiB or GiB with the unit's letter, a larger unit taken
 * when the number does not fit width
 */
void top_fmt_pages(char *buf, size_t len, const struct ctx *c, double pages, bool rate, int width)
{
	static const char letter[] = "KMGTPE";
	int u = c->st->unit;
	double v;

	if (u == KF_UNIT_PAGES || u >= KF_UNIT_NR) {
		if (rate)
			top_fmt_rate(buf, len, pages, width);
		else
			top_fmt_u64(buf, len, (uint64_t)llround(pages), width);
		return;
	}
	if (isnan(pages) || pages <= 0) {
		snprintf(buf, len, isnan(pages) ? "-" : "0");
		return;
	}
	v = pages * (double)c->v->page_size / pow(1024, u);
	for (int i = u - 1;; i++, v /= 1024) {
		/* three digits, two significant ones below 1 (0.00010G, not 0.00G), as many as fit */
		int prec = v < 1 ? 1 - (int)floor(log10(v)) : v < 10 ? 2 : v < 100 ? 1 : 0;

		for (; prec >= 0; prec--) {
			snprintf(buf, len, "%.*f%c", prec, v, letter[i]);
			if ((int)strlen(buf) <= width)
				return;
		}
		if (i == (int)sizeof(letter) - 2)
			return;
	}
}

/* pages: a rate or a total, as the state asks, in its unit */
void top_fmt_pval(char *buf, size_t len, const struct ctx *c, double pages_ps, uint64_t pages, int width)
{
	if (c->st->totals)
		top_fmt_pages(buf, len, c, (double)pages, false, width);
	else
		top_fmt_pages(buf, len, c, pages_ps, true, width);
}

/* ---- tables: columns chosen by priority to fit the width ----------------- */

/* picks columns: every one of priority 0, then 1, ... while they fit;
 * column must (or -1) first of all */
void top_fit_cols(const struct col *cols, int n, int width, int must, bool *shown)
{
	int used = 0;

	for (int i = 0; i < n; i++)
		shown[i] = false;
	if (must >= 0 && must < n) {
		shown[must] = true;
		used = cols[must].width;
	}
	for (int p = 0; p < 10; p++)
		for (int i = 0; i < n; i++) {
			int need = cols[i].width + (used ? 1 : 0);

			if (shown[i] || cols[i].prio != p || used + need > width)
				continue;
			shown[i] = true;
			used += need;
		}
}

void top_draw_cells(int y, int x, int w, const struct col *cols, int n, const bool *shown,
		       const struct cell *cells, attr_t row_at)
{
	int cx = x, end = x + w;
	bool first = true;

	for (int i = 0; i < n; i++) {
		char buf[128];
		int cw;

		if (!shown[i])
			continue;
		if (!first) {
			if (cx < end)
				top_put(y, cx, 1, " ", row_at, true);
			cx++;
		}
		first = false;
		cw = cols[i].width;
		if (cx + cw > end)
			cw = end - cx;
		if (cw <= 0)
			break;
		int pad = cols[i].left ? 0 : cols[i].width - top_cells_of(cells[i].text);

		snprintf(buf, sizeof(buf), "%*s%s", pad > 0 ? pad : 0, "", cells[i].text);
		top_put(y, cx, cw, buf, cells[i].at ? cells[i].at : row_at, true);
		cx += cw;
	}
	if (cx < end)
		top_put(y, cx, end - cx, "", row_at, true);
}

void top_draw_titles(int y, int x, int w, const struct col *cols, int n, const bool *shown, int sorted,
			const char *sort_glyph)
{
	struct cell cells[32];

	for (int i = 0; i < n && i < 32; i++) {
		if (i == sorted)
			snprintf(cells[i].text, sizeof(cells[i].text), "%s%s", cols[i].title, sort_glyph);
		else
			snprintf(cells[i].text, sizeof(cells[i].text), "%s", cols[i].title);
		cells[i].at = i == sorted ? AT_SORT : AT_HEADER;
	}
	top_draw_cells(y, x, w, cols, n, shown, cells, AT_HEADER);
}

const char *top_rate_suffix(const struct kf_top_state *st)
{
	return st->totals ? "" : "/s";
}

/*
 * Word wrapping of an alert's sentences into lines of width cells: the
 * start of line k of text, and its length in bytes; the number of lines.
 * kfrag's messages are ASCII, so bytes are cells here.
 */
int top_wrap(const char *text, int width, int k, const char **start, int *len)
{
	int n = 0;
	const char *p = text;

	if (width < 8)
		width = 8;
	while (*p == ' ')
		p++;
	do {
		int l = (int)strlen(p);

		if (l > width) {
			l = width;
			while (l > width / 2 && p[l] != ' ')
				l--;
			if (p[l] != ' ')
				l = width;
		}
		if (n == k && start) {
			*start = p;
			*len = l;
		}
		n++;
		p += l;
		while (*p == ' ')
			p++;
	} while (*p);
	return n;
}

/* the guard's severity names, in capitals from warnings up */
const char *top_sev_label(enum kf_severity s)
{
	static char buf[KF_SEV_NR][16];

	if (s < 0 || s >= KF_SEV_NR)
		return "?";
	snprintf(buf[s], sizeof(buf[s]), "%s", kf_severity_names[s]);
	for (char *q = buf[s]; s >= KF_SEV_WARNING && *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return buf[s];
}

attr_t top_sev_attr(enum kf_severity s)
{
	switch (s) {
	case KF_SEV_CRITICAL: return AT_CRIT;
	case KF_SEV_WARNING: return AT_WARN;
	default: return 0;
	}
}


/*
 * Cuts s to at most w cells between items ("label value" groups are
 * separated by two spaces), so that a number is shown whole or not at all.
 */
void top_fit_items(char *s, int w)
{
	char *cut = NULL;
	int cells = 0;

	if (top_cells_of(s) <= w)
		return;
	for (char *p = s; *p; p++) {
		if (p[0] == ' ' && p[1] == ' ' && cells <= w)
			cut = p;
		cells += (*p & 0xc0) != 0x80;
		if (cells > w)
			break;
	}
	if (cut)
		*cut = '\0';
	else
		s[0] = '\0';
}
