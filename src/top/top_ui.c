/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's screen: the header, the hint line, the help, the sort menu
 * and the layout of the panels. It draws a struct kf_top_view as the state
 * says (focus, scroll, help, sort menu) and computes nothing.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "top_draw.h"

static const struct panel *const panels[KF_PANEL_NR] = {
	[KF_PANEL_ZONES] = &top_panel_zones,
	[KF_PANEL_CPUS] = &top_panel_cpus,
	[KF_PANEL_FRAG] = &top_panel_frag,
	[KF_PANEL_COMPACT] = &top_panel_compact,
	[KF_PANEL_PROCS] = &top_panel_procs,
	[KF_PANEL_GUARD] = &top_panel_guard,
};

/* ---- header, hint line, help, sort menu ---------------------------------- */

static void fmt_uptime(char *buf, size_t len, double s)
{
	long t = (long)s;

	if (s < 0)
		snprintf(buf, len, "?");
	else if (t >= 86400)
		snprintf(buf, len, "%ldd %02ld:%02ld", t / 86400, t % 86400 / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%02ld:%02ld", t / 3600, t % 3600 / 60);
}

/* segments drawn left to right, clipped at the width */
static int seg(int y, int x, const char *s, attr_t at)
{
	/* a segment is a number with its label: whole or not at all */
	if (x >= COLS || top_cells_of(s) > COLS - x)
		return x;
	return x + top_put(y, x, COLS - x, s, at, false);
}

/* line 0: what is traced, how fast, what was lost */
static void header_source(const struct kf_top_view *v, const struct kf_top_state *st)
{
	char buf[512], a[16], b[16];
	int x = 0;
	bool narrow = COLS < 110;

	move(0, 0);
	clrtoeol();
	x = seg(0, x, "kfrag top", A_BOLD);
	/* the modes first: they must not fall off a narrow screen */
	if (st->paused)
		x = seg(0, x, " PAUSED", AT_WARN | A_REVERSE);
	if (st->totals)
		x = seg(0, x, " TOTALS", A_BOLD | A_REVERSE);
	if (v->src.live) {
		char up[32];

		fmt_uptime(up, sizeof(up), v->src.uptime_s);
		snprintf(buf, sizeof(buf), "  %s up %s  %s%s", v->src.kernel, up, narrow ? "" : "instance ",
			 v->src.instance);
	} else {
		const char *base = strrchr(v->src.path, '/');
		char speed[32];

		base = base ? base + 1 : v->src.path;
		if (v->src.speed == floor(v->src.speed))
			snprintf(speed, sizeof(speed), "%.0f", v->src.speed);
		else
			snprintf(speed, sizeof(speed), "%g", v->src.speed);
		snprintf(buf, sizeof(buf), "  replay %.*s %.1f/%.1fs x%s%s", COLS < 100 ? 12 : narrow ? 24 : 200, base,
			 v->src.replay_pos_s, v->src.replay_len_s, speed, v->src.replay_done ? " (end)" : "");
	}
	x = seg(0, x, buf, 0);
	top_fmt_rate(a, sizeof(a), v->events_ps, 7);
	/* totals mode shows no rate at all */
	snprintf(buf, sizeof(buf), st->totals ? "  lost " : "  %s ev/s  lost ", a);
	x = seg(0, x, buf, 0);
	top_fmt_u64(b, sizeof(b), v->lost, 10);
	snprintf(buf, sizeof(buf), "%s%s", b, v->lost_unknown ? "+?" : "");
	x = seg(0, x, buf, v->lost || v->lost_unknown ? AT_CRIT : 0);
	top_fmt_u64(b, sizeof(b), v->events, 10);
	snprintf(buf, sizeof(buf), "  events %s", b);
	seg(0, x, buf, 0);
}

/* line 1: the policy */
static void header_policy(const struct kf_top_view *v)
{
	const struct kf_top_policy *p = &v->policy;
	char buf[512], val[16], pr[16], ex[16];
	bool narrow = COLS < 110;
	int x = 0;

	move(1, 0);
	clrtoeol();
	x = seg(1, x, narrow ? "unevictable_allowed=" : "vm.compact_unevictable_allowed=", 0);
	snprintf(val, sizeof(val), p->unevictable_allowed < 0 ? "?" : "%d", p->unevictable_allowed);
	x = seg(1, x, val, p->unevictable_allowed == 1 ? AT_WARN : p->unevictable_allowed == 0 ? AT_OK : 0);
	if (p->sysctls_assumed && p->unevictable_allowed >= 0)
		x = seg(1, x, " (assumed)", A_DIM);
	snprintf(pr, sizeof(pr), p->proactiveness < 0 ? "?" : "%d", p->proactiveness);
	snprintf(ex, sizeof(ex), p->extfrag_threshold < 0 ? "?" : "%d", p->extfrag_threshold);
	snprintf(buf, sizeof(buf), narrow ? "  proactiveness=%s  extfrag_threshold=%s  sched_ext=%s%s%s" :
		 "  vm.compaction_proactiveness=%s  vm.extfrag_threshold=%s  sched_ext: %s%s%s",
		 pr, ex, p->sched_ext[0] ? p->sched_ext : "none",
		 p->sched_ext_ops[0] ? " " : "", p->sched_ext_ops);
	seg(1, x, buf, 0);
}

/* line 2: the guard, impossible to miss while an alert is unacknowledged */
static void header_guard(const struct kf_top_view *v)
{
	char buf[KF_GUARD_MSG_LEN + 128];

	move(2, 0);
	clrtoeol();
	if (v->nr_unacked) {
		const struct kf_top_alert *first = NULL;
		attr_t at = v->worst_unacked >= KF_SEV_CRITICAL ? AT_BANNER_CRIT :
			    v->worst_unacked >= KF_SEV_WARNING ? AT_BANNER_WARN : A_BOLD;

		for (int i = 0; i < v->nr_alerts && !first; i++)
			if (!v->alerts[i].acked)
				first = &v->alerts[i];
		char more[64] = "";
		int nf = v->have_findings ? v->findings.nr : 0;

		/* the banner covers the findings line: their number stays in sight */
		if (v->nr_unacked > 1 || nf > 1)
			snprintf(more, sizeof(more), " (%s%s%.0d%s)", v->nr_unacked > 1 ? "+more, 6 shows" : "",
				 v->nr_unacked > 1 && nf > 1 ? "; f: " : nf > 1 ? "f: " : "", nf > 1 ? nf : 0,
				 nf > 1 ? " findings" : "");
		snprintf(buf, sizeof(buf), "!! GUARD %s%s: %s", top_sev_label(v->worst_unacked), more,
			 first ? first->a.message : "");
		/* cut between words, never inside a number: the panel shows it whole */
		if (top_cells_of(buf) > COLS && COLS > 8) {
			const char *start;
			int len;

			top_wrap(buf, COLS - 4, 0, &start, &len);
			snprintf(buf + len, sizeof(buf) - len, " ...");
		}
		top_put(2, 0, COLS, buf, at, true);
	} else if (v->have_guard || v->nr_protected) {
		snprintf(buf, sizeof(buf), "guard: %d protected process%s, %s", v->nr_protected,
			 v->nr_protected == 1 ? "" : "es",
			 v->nr_alerts ? "every alert acknowledged" : "no alerts");
		top_put(2, 0, COLS, buf, AT_OK, true);
		top_findings_line(v, 2, strlen(buf));
	} else {
		top_put(2, 0, COLS, "guard: off", A_DIM, true);
		top_findings_line(v, 2, 10);
	}
}

static void draw_header(const struct kf_top_view *v, const struct kf_top_state *st)
{
	header_source(v, st);
	header_policy(v);
	header_guard(v);
}

static void draw_hints(const struct kf_top_state *st)
{
	/* drop: the order hints leave a narrow screen in (0: never; the help lists them all) */
	static const struct { const char *key, *what; int drop; } hints[] = {
		{ "q", "Quit", 0 }, { "h", "Help", 0 }, { "Spc", "Pause", 0 }, { "Tab", "Panel", 5 },
		{ "s", "Sort", 0 }, { "<>", "Col", 1 }, { "t", "Tot/s", 0 }, { "o", "Orders", 2 },
		{ "m", "Map", 0 }, { "f", "Find", 0 }, { "u", NULL, 0 }, { "r", "Reset", 4 }, { "a", "Ack", 3 },
	};
	enum { NR_HINTS = sizeof(hints) / sizeof(hints[0]) };
	int y = LINES - 1, x = 0, width = 0, dropped = 0;
	char buf[32];

	/* the refresh interval, last, must show: on a narrow screen hints go,
	 * the least needed first */
	for (size_t i = 0; i < NR_HINTS; i++)
		width += (int)(strlen(hints[i].key) + strlen(hints[i].what ? hints[i].what :
							      kf_top_unit_names[st->unit])) + 1;
	snprintf(buf, sizeof(buf), "+-%gs", st->refresh_s);
	width += (int)strlen(buf) + (st->paused ? 1 : 0);
	while (width > COLS && dropped < 5) {
		dropped++;
		for (size_t i = 0; i < NR_HINTS; i++)
			if (hints[i].drop == dropped)
				width -= (int)(strlen(hints[i].key) + strlen(hints[i].what)) + 1;
	}

	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < NR_HINTS && x < COLS; i++) {
		const char *what = hints[i].what ? hints[i].what : kf_top_unit_names[st->unit];

		if (i == 2 && st->paused)
			what = "Resume";
		if (hints[i].drop && hints[i].drop <= dropped)
			continue;
		x = seg(y, x, hints[i].key, AT_KEY);
		snprintf(buf, sizeof(buf), "%s ", what);
		x = seg(y, x, buf, 0);
	}
	x = seg(y, x, "+-", AT_KEY);
	snprintf(buf, sizeof(buf), "%gs", st->refresh_s);
	seg(y, x, buf, 0);
}

static const struct { const char *keys, *what; } help_lines[] = {
	{ "q  F10", "quit (the tracefs instance is removed)" },
	{ "h  ?  F1", "this help; any key closes it" },
	{ "Space", "pause / resume the screen (live tracing goes on)" },
	{ "Tab  Right", "next panel (Shift-Tab, Left: previous)" },
	{ "1 .. 6", "Zones, CPUs, Fragmentation, Compaction, Processes, Guard" },
	{ "Up Down j k", "scroll the panel in focus" },
	{ "PgUp PgDn", "scroll by a page (Home, End: top, bottom)" },
	{ "s  F6", "choose the process sort column (Enter picks, Esc cancels)" },
	{ "<  >", "previous / next sort column (also , and .)" },
	{ "I", "invert the sort order" },
	{ "t", "per-second rates / totals since start (or since r)" },
	{ "o", "zones: every order and pageblocks / orders 0, 3, 9" },
	{ "u", "units of every size: pages, KiB, MiB, GiB (K, M, G after the number)" },
	{ "m", "memory map: every pageblock, by what keeps compaction from it" },
	{ "r", "reset every counter" },
	{ "a", "acknowledge the guard's alerts (a growing one alerts again)" },
	{ "f", "findings: every conclusion, worst first, with evidence and action (arrows scroll)" },
	{ "+  -", "refresh slower / faster" },
	{ "Enter", "guard: every alert on one line / with its details and action" },
	{ "Ctrl-L", "redraw the screen" },
};

static void draw_help(const struct kf_top_state *st)
{
	int y = 0;
	char buf[256];

	erase();
	snprintf(buf, sizeof(buf), "kfrag top %s: keys (refresh every %gs)", PACKAGE_VERSION, st->refresh_s);
	top_put(y++, 0, COLS, buf, A_BOLD, true);
	for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]) && y < LINES - 1; i++, y++) {
		top_put(y, 1, 13, help_lines[i].keys, AT_KEY, true);
		top_put(y, 15, COLS - 15, help_lines[i].what, 0, true);
	}
	static const char *const legend[] = {
		"UNUSn/FRAGn: the kernel's unusable and fragmentation indices for order n",
		"WM: free vs watermarks: ok > high, low, min, MIN! below min.  * protected",
		"Press any key to return.",
	};
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]) && y < LINES; i++, y++)
		top_put(y, 0, COLS, legend[i], i == 2 ? A_BOLD : A_DIM, true);
}

static void draw_sort_menu(const struct kf_top_state *st)
{
	int h = KF_PCOL_NR + 2, w = 24;
	int y0 = 3, x0 = 0;

	if (h > LINES - 4)
		h = LINES - 4;
	top_put(y0, x0, w, "Sort by", AT_TITLE_FOCUS, true);
	int first = st->sort_menu_sel - (h - 2) + 1;

	if (first < 0)
		first = 0;
	for (int i = 0; i < h - 1; i++) {
		int col = first + i;
		char buf[32];

		if (col >= KF_PCOL_NR) {
			top_put(y0 + 1 + i, x0, w, "", AT_TITLE, true);
			continue;
		}
		snprintf(buf, sizeof(buf), " %s%s", kf_top_pcol_names[col], col == (int)st->sort_col ? " *" : "");
		top_put(y0 + 1 + i, x0, w, buf, col == st->sort_menu_sel ? AT_SORT | A_BOLD : AT_TITLE, true);
	}
}
/* ---- layout ------------------------------------------------------------ */

struct slot {
	int panel;
	int y, h;
};

/* rows a panel wants: title, pinned lines, every body line */
static int want_rows(const struct ctx *c, int p)
{
	int body = panels[p]->body(c);

	return 1 + panels[p]->sticky(c) + (body ? body : 1);
}

/* splits H rows among the panels of one column: the panel in focus first,
 * then the guard while it has unacknowledged alerts, then in order; a panel
 * gets only its title bar unless it can show at least one body line */
static void layout_column(const int *ids, int n, int H, const struct ctx *cs, int focus,
			  const struct kf_top_view *v, int *heights)
{
	int left = H - n, order[KF_PANEL_NR], k = 0;

	for (int i = 0; i < n; i++)
		heights[i] = 1;
	if (left < 0)
		left = 0;
	for (int i = 0; i < n; i++)
		if (ids[i] == focus)
			order[k++] = i;
	for (int i = 0; i < n; i++)
		if (ids[i] == KF_PANEL_GUARD && focus != KF_PANEL_GUARD && v->nr_unacked)
			order[k++] = i;
	for (int i = 0; i < n; i++)
		if (ids[i] != focus && !(ids[i] == KF_PANEL_GUARD && v->nr_unacked))
			order[k++] = i;
	for (int j = 0; j < k && left > 0; j++) {
		int i = order[j];
		int extra = want_rows(&cs[i], ids[i]) - 1;
		int minimum = panels[ids[i]]->sticky(&cs[i]) + 1;

		if (extra > left)
			extra = left;
		if (extra < minimum && ids[i] != focus)
			continue;
		heights[i] += extra;
		left -= extra;
	}
}

static void draw_panel(const struct ctx *c, int p, int y, int h, bool focused, struct kf_top_geometry *geo)
{
	char summary[512], title[640];
	bool alert = false;
	int sticky = panels[p]->sticky(c), body = panels[p]->body(c);
	int visible = h - 1 - sticky;
	int scroll = c->st->scroll[p];

	panels[p]->summary(c, summary, sizeof(summary), &alert);
	snprintf(title, sizeof(title), "%s%d %s  %s", focused ? G_FOCUS() : " ", p + 1, kf_top_panel_names[p], summary);
	top_fit_items(title, c->w);
	top_put(y, c->x, c->w, title, alert ? AT_TITLE_ALERT : focused ? AT_TITLE_FOCUS : AT_TITLE, true);
	if (visible < 0)
		visible = 0;
	if (scroll > body - visible)
		scroll = body - visible;
	if (scroll < 0)
		scroll = 0;
	for (int i = 0; i < sticky && i < h - 1; i++)
		panels[p]->line(c, i, y + 1 + i);
	for (int i = 0; i < visible && scroll + i < body; i++)
		panels[p]->line(c, sticky + scroll + i, y + 1 + sticky + i);
	geo->lines[p] = body;
	geo->visible[p] = visible;
}

void kf_top_ui_draw(const struct kf_top_view *v, const struct kf_top_state *st, struct kf_top_geometry *geo)
{
	static const int one[] = { KF_PANEL_ZONES, KF_PANEL_CPUS, KF_PANEL_FRAG, KF_PANEL_COMPACT,
				   KF_PANEL_PROCS, KF_PANEL_GUARD };
	/* side by side only when a half still shows every column: a wide
	 * terminal shows more, never fewer (issue 16) */
	int ncols = (COLS - 1) / 2 >= top_panel_full_width() ? 2 : 1;
	int top = 3, H = LINES - top - 1;

	if (!top_active())
		return;
	memset(geo, 0, sizeof(*geo));
	if (st->help) {
		draw_help(st);
		refresh();
		return;
	}
	if (st->findings) {
		top_draw_findings(v, st->findings_scroll, geo);
		refresh();
		return;
	}
	erase();
	if (LINES < 10 || COLS < 40) {
		top_put(0, 0, COLS, "kfrag top: terminal too small", A_BOLD, true);
		top_put(1, 0, COLS, "80x24 wanted; q quits", 0, true);
		refresh();
		return;
	}
	draw_header(v, st);
	if (st->memmap) {
		top_draw_memmap(v);
		draw_hints(st);
		refresh();
		return;
	}
	for (int col = 0; col < ncols; col++) {
		const int *ids = ncols == 1 ? one : one + 3 * col;
		int n = ncols == 1 ? KF_PANEL_NR : 3;
		int w = ncols == 1 ? COLS : (COLS - 1) / 2;
		int x = col == 0 ? 0 : COLS - w;
		struct ctx cs[KF_PANEL_NR];
		int heights[KF_PANEL_NR], y = top;

		for (int i = 0; i < n; i++)
			cs[i] = (struct ctx){ .v = v, .st = st, .x = x, .w = w };
		layout_column(ids, n, H, cs, st->focus, v, heights);
		for (int i = 0; i < n; i++) {
			draw_panel(&cs[i], ids[i], y, heights[i], ids[i] == (int)st->focus, geo);
			y += heights[i];
		}
		if (col == 1)
			mvvline(top, x - 1, ACS_VLINE, H);
	}
	if (st->sort_menu)
		draw_sort_menu(st);
	draw_hints(st);
	refresh();
}
