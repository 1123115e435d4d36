/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's drawing side: the only file with curses state. It draws a
 * struct kf_top_view as the state says (focus, scroll, help, sort menu),
 * reads keys as KF_KEY_*, and restores the terminal on every way out:
 * kf_top_ui_stop() on the normal paths; on SIGINT/SIGTERM/SIGHUP a flag
 * (a second one restores and dies); on crash signals a minimal restore
 * from the handler (the terminal's reset sequence saved at start, and the
 * termios saved before curses), a hook the one owner of signals
 * (src/system/signals.c) runs before the tracefs instance is removed and
 * the signal raised again.
 *
 * It computes nothing: every number comes from the view.
 */
#include <curses.h>
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "kf_fragindex.h"
#include "kf_signals.h"
#include "kf_top.h"

/* ---- terminal state and signals ---------------------------------------- */

static struct {
	bool active;
	bool color;
	bool ascii;
	SCREEN *screen;
	struct termios saved;
	bool have_saved;
	char reset[512];	/* written by the crash handler */
	size_t reset_len;
} ui;

static volatile sig_atomic_t ui_active;	/* curses owns the terminal */

/* async-signal-safe: the bytes saved at start, then the termios of before */
static void emergency_restore(void)
{
	if (!ui_active)
		return;
	if (ui.reset_len) {
		ssize_t r = write(STDOUT_FILENO, ui.reset, ui.reset_len);

		(void)r;
	}
	if (ui.have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &ui.saved);
	ui_active = 0;
}

/* the terminal is given back first on a crash or a second Ctrl-C, by the
 * one owner of signals (src/system/signals.c), before the instance goes */
void kf_top_ui_signals(void)
{
	kf_signals_add(KF_SIGNAL_TERMINAL, emergency_restore);
}

static void signals_restore(void)
{
	kf_signals_del(emergency_restore);
}

int kf_top_ui_signal(void)
{
	return kf_signals_interrupt();
}

/* ---- colours and glyphs ------------------------------------------------ */

enum {
	CP_TITLE_FOCUS = 1,
	CP_TITLE,
	CP_HEADER,
	CP_OK,
	CP_WARN,
	CP_CRIT,
	CP_BANNER_CRIT,
	CP_BANNER_WARN,
	CP_KEY,
	CP_HOT,
	CP_SORT,
	CP_TITLE_ALERT,
	/* the memory map: compactable, unsure, blocked, never free */
	CP_MAP_FREE,
	CP_MAP_MOVABLE,
	CP_MAP_UNSURE,
	CP_MAP_BLOCKED,
	CP_MAP_RESERVED,
};

static attr_t A(int pair, attr_t mono)
{
	if (!ui.color)
		return mono;
	switch (pair) {
	case CP_TITLE_FOCUS:
	case CP_BANNER_CRIT:
	case CP_TITLE_ALERT:
	case CP_CRIT:
		return COLOR_PAIR(pair) | A_BOLD;
	default:
		return COLOR_PAIR(pair);
	}
}

#define AT_TITLE_FOCUS	A(CP_TITLE_FOCUS, A_REVERSE | A_BOLD)
#define AT_TITLE	A(CP_TITLE, A_REVERSE)
#define AT_TITLE_ALERT	A(CP_TITLE_ALERT, A_REVERSE | A_BOLD)
#define AT_HEADER	(A(CP_HEADER, 0) | A_BOLD)
#define AT_OK		A(CP_OK, 0)
#define AT_WARN		A(CP_WARN, A_BOLD)
#define AT_CRIT		A(CP_CRIT, A_BOLD | A_REVERSE)
#define AT_BANNER_CRIT	A(CP_BANNER_CRIT, A_REVERSE | A_BOLD)
#define AT_BANNER_WARN	A(CP_BANNER_WARN, A_REVERSE)
#define AT_KEY		A(CP_KEY, A_REVERSE)
#define AT_HOT		(A(CP_HOT, 0) | A_BOLD)
#define AT_SORT		A(CP_SORT, A_REVERSE)

static void colors_init(void)
{
	short bg = -1;

	start_color();
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(CP_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_TITLE, COLOR_BLACK, COLOR_WHITE);
	init_pair(CP_HEADER, COLOR_GREEN, bg);
	init_pair(CP_OK, COLOR_GREEN, bg);
	init_pair(CP_WARN, COLOR_YELLOW, bg);
	init_pair(CP_CRIT, COLOR_RED, bg);
	init_pair(CP_BANNER_CRIT, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BANNER_WARN, COLOR_BLACK, COLOR_YELLOW);
	init_pair(CP_KEY, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_HOT, COLOR_YELLOW, bg);
	init_pair(CP_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_TITLE_ALERT, COLOR_WHITE, COLOR_RED);
	init_pair(CP_MAP_FREE, COLOR_GREEN, bg);
	init_pair(CP_MAP_MOVABLE, COLOR_CYAN, bg);
	init_pair(CP_MAP_UNSURE, COLOR_YELLOW, bg);
	init_pair(CP_MAP_BLOCKED, COLOR_RED, bg);
	init_pair(CP_MAP_RESERVED, COLOR_MAGENTA, bg);
}

static const char *G_UP(void) { return ui.ascii ? "^" : "\u2191"; }
static const char *G_DOWN(void) { return ui.ascii ? "v" : "\u2193"; }
static const char *G_FOCUS(void) { return ui.ascii ? ">" : "\u25b6"; }
static const char *G_SORT_DESC(void) { return ui.ascii ? "v" : "\u25bc"; }
static const char *G_SORT_ASC(void) { return ui.ascii ? "^" : "\u25b2"; }
static const char *G_ARROW(void) { return ui.ascii ? "->" : "\u2192"; }

static const char *spark(int level)
{
	static const char *const u[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char *const a[] = { " ", ".", ".", ":", ":", "=", "=", "#", "#" };

	if (level < 0)
		level = 0;
	if (level > 8)
		level = 8;
	return ui.ascii ? a[level] : u[level];
}

/* ---- start, stop, keys --------------------------------------------------- */

static void save_reset_sequence(void)
{
	static const char *const caps[] = { "sgr0", "cnorm", "rmkx", "rmcup" };

	ui.reset_len = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *s = tigetstr((char *)caps[i]);
		size_t n;

		if (!s || s == (char *)-1)
			continue;
		n = strlen(s);
		if (ui.reset_len + n < sizeof(ui.reset)) {
			memcpy(ui.reset + ui.reset_len, s, n);
			ui.reset_len += n;
		}
	}
}

int kf_top_ui_start(const struct kf_top_ui_config *cfg, char *err, size_t errlen)
{
	const char *cs;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "kfrag top needs a terminal (for one report, use kfrag report)");
		errno = ENOTTY;
		return -1;
	}
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	ui.ascii = cfg->ascii || !cs || strcmp(cs, "UTF-8") != 0;
	ui.have_saved = tcgetattr(STDIN_FILENO, &ui.saved) == 0;
	ui.screen = newterm(NULL, stdout, stdin);
	if (!ui.screen) {
		snprintf(err, errlen, "cannot use the terminal '%s' (check TERM)",
			 getenv("TERM") ? getenv("TERM") : "");
		errno = ENOTTY;
		return -1;
	}
	set_term(ui.screen);
	save_reset_sequence();
	ui.active = true;
	ui_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui.color = cfg->color && has_colors();
	if (ui.color)
		colors_init();
	return 0;
}

void kf_top_ui_stop(void)
{
	if (ui.active) {
		ui_active = 0;
		endwin();
		delscreen(ui.screen);
		ui.screen = NULL;
		ui.active = false;
	}
	signals_restore();
}

int kf_top_ui_key(int timeout_ms)
{
	int ch;

	if (!ui.active) {
		if (timeout_ms > 0)
			usleep(timeout_ms * 1000);
		return KF_KEY_NONE;
	}
	wtimeout(stdscr, timeout_ms < 0 ? 0 : timeout_ms);
	ch = wgetch(stdscr);
	switch (ch) {
	case ERR: return KF_KEY_NONE;
	case KEY_UP: return KF_KEY_UP;
	case KEY_DOWN: return KF_KEY_DOWN;
	case KEY_LEFT: return KF_KEY_LEFT;
	case KEY_RIGHT: return KF_KEY_RIGHT;
	case KEY_PPAGE: return KF_KEY_PGUP;
	case KEY_NPAGE: return KF_KEY_PGDN;
	case KEY_HOME: return KF_KEY_HOME;
	case KEY_END: return KF_KEY_END;
	case KEY_BTAB: return KF_KEY_BTAB;
	case KEY_ENTER: case '\r': case '\n': return KF_KEY_ENTER;
	case '\t': return KF_KEY_TAB;
	case 27: return KF_KEY_ESC;
	case KEY_RESIZE: return KF_KEY_RESIZE;
	default:
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			return KF_KEY_F(ch - KEY_F(1) + 1);
		if (ch >= 0 && ch < 0x100)
			return ch;
		return KF_KEY_NONE;
	}
}

/* ---- text helpers ---------------------------------------------------- */

/* terminal cells of a UTF-8 string (kfrag's glyphs are all one cell wide) */
static int cells_of(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* writes s at y,x in at most w cells, padded to w when pad; returns cells used */
static int put(int y, int x, int w, const char *s, attr_t at, bool pad)
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

static void fmt_u64(char *buf, size_t len, uint64_t v, int width)
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

static void fmt_rate(char *buf, size_t len, double r, int width)
{
	if (r <= 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (r < 10) {
		snprintf(buf, len, "%.1f", r);
		return;
	}
	fmt_u64(buf, len, (uint64_t)llround(r), width);
}

/* a rate or a total, as the state asks */
static void fmt_val(char *buf, size_t len, const struct kf_top_state *st, double r, uint64_t total, int width)
{
	if (st->totals)
		fmt_u64(buf, len, total, width);
	else
		fmt_rate(buf, len, r, width);
}

/* ---- tables: columns chosen by priority to fit the width ----------------- */

struct col {
	const char *title;
	int width;
	int prio;		/* smaller is shown first */
	bool left;		/* left-aligned */
};

struct cell {
	char text[96];
	attr_t at;
};

/* picks columns: every one of priority 0, then 1, ... while they fit;
 * column must (or -1) first of all */
static void fit_cols(const struct col *cols, int n, int width, int must, bool *shown)
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

static void draw_cells(int y, int x, int w, const struct col *cols, int n, const bool *shown,
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
				put(y, cx, 1, " ", row_at, true);
			cx++;
		}
		first = false;
		cw = cols[i].width;
		if (cx + cw > end)
			cw = end - cx;
		if (cw <= 0)
			break;
		int pad = cols[i].left ? 0 : cols[i].width - cells_of(cells[i].text);

		snprintf(buf, sizeof(buf), "%*s%s", pad > 0 ? pad : 0, "", cells[i].text);
		put(y, cx, cw, buf, cells[i].at ? cells[i].at : row_at, true);
		cx += cw;
	}
	if (cx < end)
		put(y, cx, end - cx, "", row_at, true);
}

static void draw_titles(int y, int x, int w, const struct col *cols, int n, const bool *shown, int sorted,
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
	draw_cells(y, x, w, cols, n, shown, cells, AT_HEADER);
}

/* ---- panels ------------------------------------------------------------ */

struct ctx {
	const struct kf_top_view *v;
	const struct kf_top_state *st;
	int x, w;
};

struct panel {
	/* the title bar's text after the panel's name; *at for the whole bar */
	void (*summary)(const struct ctx *c, char *buf, size_t len, bool *alert);
	int (*sticky)(const struct ctx *c);	/* lines pinned at the top */
	int (*body)(const struct ctx *c);	/* lines that scroll */
	void (*line)(const struct ctx *c, int i, int y);	/* sticky lines first */
};

static const char *rate_suffix(const struct kf_top_state *st)
{
	return st->totals ? "" : "/s";
}

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
		fmt_u64(cells[ZC_FREE].text, sizeof(cells[0].text), z->free, zone_cols[ZC_FREE].width);
		fmt_u64(cells[ZC_MIN].text, sizeof(cells[0].text), z->min, zone_cols[ZC_MIN].width);
		fmt_u64(cells[ZC_LOW].text, sizeof(cells[0].text), z->low, zone_cols[ZC_LOW].width);
		fmt_u64(cells[ZC_HIGH].text, sizeof(cells[0].text), z->high, zone_cols[ZC_HIGH].width);
	}
	snprintf(cells[ZC_WM].text, sizeof(cells[0].text), "%s", wm_text(z->wm, &cells[ZC_WM].at));
	index_cell(&cells[ZC_U0], z, false, 0);
	index_cell(&cells[ZC_U3], z, false, 3);
	index_cell(&cells[ZC_U9], z, false, 9);
	index_cell(&cells[ZC_F0], z, true, 0);
	index_cell(&cells[ZC_F3], z, true, 3);
	index_cell(&cells[ZC_F9], z, true, 9);
	zone_hist(cells[ZC_HIST].text, sizeof(cells[0].text), z);
	fmt_rate(cells[ZC_ALLOC].text, sizeof(cells[0].text), z->alloc_ps, zone_cols[ZC_ALLOC].width);
	fmt_rate(cells[ZC_FREED].text, sizeof(cells[0].text), z->free_ps, zone_cols[ZC_FREED].width);
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

		snprintf(buf, sizeof(buf), "node %d %s: free %llu, watermarks min %llu low %llu high %llu, managed %llu: %s",
			 z->node, z->name, (unsigned long long)z->free, (unsigned long long)z->min,
			 (unsigned long long)z->low, (unsigned long long)z->high, (unsigned long long)z->managed, wm);
		put(y, c->x, c->w, buf, A_BOLD, true);
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

				fmt_u64(num, sizeof(num), z->free_blocks[o], 6);
				n += snprintf(buf + n, sizeof(buf) - n, " %6s", num);
				break;
			}
			case 2: n += snprintf(buf + n, sizeof(buf) - n, " %6s", kf_index_format(z->unusable[o], b)); break;
			case 3: n += snprintf(buf + n, sizeof(buf) - n, " %6s", kf_index_format(z->extfrag[o], b)); break;
			}
		}
		put(y, c->x, c->w, buf, what == 0 ? AT_HEADER : 0, true);
		return;
	}
	pageblocks_text(buf + 14, sizeof(buf) - 14, c->v, z, true);
	memcpy(buf, "  pageblocks  ", 14);
	if (!z->have_pageblocks)
		snprintf(buf, sizeof(buf), "  pageblocks  (pagetypeinfo unreadable)");
	put(y, c->x, c->w, buf, 0, true);
}

static int zones_sticky(const struct ctx *c)
{
	return 1;
}

static int zones_body(const struct ctx *c)
{
	return c->v->nr_zones + (c->st->all_orders ? c->v->nr_zones * zone_detail_lines(c) : 0);
}

static void zones_line(const struct ctx *c, int i, int y)
{
	bool shown[ZC_NR];
	struct cell cells[ZC_NR];

	fit_cols(zone_cols, ZC_NR, c->w, -1, shown);
	if (i == 0) {
		draw_titles(y, c->x, c->w, zone_cols, ZC_NR, shown, -1, "");
		return;
	}
	i--;
	if (i < c->v->nr_zones) {
		zone_row(c, &c->v->zones[i], cells);
		draw_cells(y, c->x, c->w, zone_cols, ZC_NR, shown, cells, 0);
		return;
	}
	i -= c->v->nr_zones;
	int per = zone_detail_lines(c);

	if (i / per < c->v->nr_zones)
		zone_detail_line(c, &c->v->zones[i / per], i % per, y);
}

static void zones_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	size_t n = 0;
	char b[16];

	buf[0] = '\0';
	for (int i = 0; i < c->v->nr_zones && n < len; i++) {
		const struct kf_top_zone *z = &c->v->zones[i];
		attr_t at;

		n += snprintf(buf + n, len - n, "%s%s %llu %s", i ? "  " : "", z->name,
			      (unsigned long long)z->free, wm_text(z->wm, &at));
		if (z->nr_orders > 9 && n < len)
			n += snprintf(buf + n, len - n, " u9 %s", kf_index_format(z->unusable[9], b));
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
		snprintf(titles[i], 24, "%s%s", cpu_cols_base[i].title, rate_suffix(c->st));
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
	fmt_val(cells[CC_ALLOC].text, l, st, x->alloc_ps, x->alloc, 8);
	fmt_val(cells[CC_FREE].text, l, st, x->free_ps, x->freed, 8);
	fmt_val(cells[CC_REFILLS].text, l, st, x->refill_runs_ps, x->refill_runs, 9);
	fmt_val(cells[CC_REFILL_PG].text, l, st, x->refill_pages_ps, x->refill_pages, 10);
	fmt_val(cells[CC_DRAINS].text, l, st, x->drain_runs_ps, x->drain_runs, 8);
	fmt_val(cells[CC_DRAIN_PG].text, l, st, x->drain_pages_ps, x->drain_pages, 10);
	if (x->xdrain_peer >= 0) {
		char num[16];

		fmt_val(num, sizeof(num), st, x->xdrain_out_ps, x->xdrain_out, 8);
		snprintf(cells[CC_XDRAIN].text, l, "cpu%d %s", x->xdrain_peer, num);
		/* the pattern worth seeing: refilled here, drained over there */
		if (st->totals || x->xdrain_out_ps > 0)
			cells[CC_XDRAIN].at = AT_HOT;
	} else {
		snprintf(cells[CC_XDRAIN].text, l, "-");
	}
	fmt_val(cells[CC_XFREE].text, l, st, x->xfree_out_ps, x->xfree_out, 10);
	fmt_u64(cells[CC_LOST].text, l, x->lost, 7);
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
	fit_cols(cols, CC_NR, c->w, -1, shown);
	if (i == 0) {
		draw_titles(y, c->x, c->w, cols, CC_NR, shown, -1, "");
		return;
	}
	i--;
	if (i < v->nr_cpus) {
		cpu_row(c, &v->cpus[i], cells);
		draw_cells(y, c->x, c->w, cols, CC_NR, shown, cells, 0);
		return;
	}
	i -= v->nr_cpus;
	char buf[512];

	if (i == 0) {
		put(y, c->x, c->w, "", 0, true);
		return;
	}
	if (i == 1) {
		snprintf(buf, sizeof(buf), "pcp pages refilled on the row CPU, drained by the column CPU%s:",
			 c->st->totals ? "" : " (per second)");
		put(y, c->x, c->w, buf, AT_HEADER, true);
		return;
	}
	if (i == 2) {
		size_t n = snprintf(buf, sizeof(buf), "%-12s", "  refilled on");

		for (int j = 0; j < v->nr_cpus && n + 10 < sizeof(buf); j++) {
			char name[16];

			snprintf(name, sizeof(name), "cpu%d", v->cpus[j].cpu);
			n += snprintf(buf + n, sizeof(buf) - n, " %8s", name);
		}
		put(y, c->x, c->w, buf, AT_HEADER, true);
		return;
	}
	int r = i - 3;

	if (r >= v->nr_cpus)
		return;
	snprintf(buf, sizeof(buf), "  cpu%-3d %s", v->cpus[r].cpu, G_ARROW());
	put(y, c->x, c->w, buf, 0, true);
	int x = c->x + 12;

	for (int j = 0; j < v->nr_cpus && x + 9 <= c->x + c->w; j++, x += 9) {
		char num[16], cellbuf[24];
		attr_t at = 0;

		if (j == r) {
			snprintf(num, sizeof(num), "-");
		} else {
			size_t k = (size_t)r * v->nr_cpus + j;

			fmt_val(num, sizeof(num), c->st, v->xdrain_ps[k], v->xdrain[k], 8);
			if (c->st->totals ? v->xdrain[k] > 0 : v->xdrain_ps[k] > 0)
				at = AT_HOT;
		}
		snprintf(cellbuf, sizeof(cellbuf), " %8s", num);
		put(y, x, 9, cellbuf, at, true);
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
	fmt_val(a, sizeof(a), c->st, v->alloc_ps, at, 8);
	fmt_val(f, sizeof(f), c->st, v->free_ps, ft, 8);
	fmt_val(r, sizeof(r), c->st, rr, rt, 8);
	fmt_val(d, sizeof(d), c->st, dd, dt, 8);
	fmt_val(x, sizeof(x), c->st, xx, xt, 8);
	snprintf(buf, len, "alloc %s%s  free %s%s  refills %s  drains %s  x-cpu drained %s",
		 a, rate_suffix(c->st), f, rate_suffix(c->st), r, d, x);
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
		snprintf(titles[i], 24, "%s%s", frag_cols_base[i].title, rate_suffix(c->st));
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
	fit_cols(cols, FC_NR, c->w, -1, shown);
	if (i == 0) {
		draw_titles(y, c->x, c->w, cols, FC_NR, shown, -1, "");
		return;
	}
	f = i == 1 ? &c->v->frag_total : &c->v->frags[i - 2];
	memset(cells, 0, sizeof(cells));
	snprintf(cells[FC_ALLOC].text, l, "%s", i == 1 ? "all" : f->alloc_name);
	snprintf(cells[FC_FALLBACK].text, l, "%s", i == 1 ? "" : f->fallback_name);
	fmt_val(cells[FC_FALLBACKS].text, l, c->st, f->fallbacks_ps, f->total.fallbacks, cols[FC_FALLBACKS].width);
	fmt_val(cells[FC_FRAGMENTING].text, l, c->st, f->fragmenting_ps, f->total.fragmenting, cols[FC_FRAGMENTING].width);
	fmt_val(cells[FC_SEVERE].text, l, c->st, f->severe_ps, f->total.severe, cols[FC_SEVERE].width);
	fmt_val(cells[FC_MODERATE].text, l, c->st, f->moderate_ps, f->total.moderate, cols[FC_MODERATE].width);
	fmt_val(cells[FC_CHANGED].text, l, c->st, f->changed_ps, f->total.changed, cols[FC_CHANGED].width);
	if (c->st->totals ? f->total.severe : f->severe_ps > 0)
		cells[FC_SEVERE].at = AT_WARN;
	draw_cells(y, c->x, c->w, cols, FC_NR, shown, cells, i == 1 ? A_BOLD : 0);
}

static void frag_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_frag *t = &c->v->frag_total;
	char a[16], b[16], s[16], m[16], o[16];

	fmt_val(a, sizeof(a), c->st, t->fallbacks_ps, t->total.fallbacks, 8);
	fmt_val(b, sizeof(b), c->st, t->fragmenting_ps, t->total.fragmenting, 8);
	fmt_val(s, sizeof(s), c->st, t->severe_ps, t->total.severe, 8);
	fmt_val(m, sizeof(m), c->st, t->moderate_ps, t->total.moderate, 8);
	fmt_val(o, sizeof(o), c->st, t->changed_ps, t->total.changed, 8);
	snprintf(buf, len, "fallbacks %s%s  fragmenting %s  severe %s  moderate %s  ownership changed %s",
		 a, rate_suffix(c->st), b, s, m, o);
}

/* ---- compaction -------------------------------------------------------- */

enum { EC_ZONE, EC_INIT, EC_TASK, EC_DUR, EC_STATUS, EC_MIGRATED, EC_FAILED, EC_SCANNED, EC_ISOLATED,
       EC_BEGIN, EC_MODE, EC_NR };

static const struct col ep_cols[EC_NR] = {
	[EC_ZONE] = { "ZONE", 7, 0, true },
	[EC_INIT] = { "INITIATOR", 9, 0, true },
	[EC_TASK] = { "TASK", 22, 1, true },
	[EC_DUR] = { "DUR ms", 9, 0, false },
	[EC_STATUS] = { "STATUS", 12, 0, true },
	[EC_MIGRATED] = { "MIGRATED", 8, 0, false },
	[EC_FAILED] = { "FAILED", 6, 0, false },
	[EC_SCANNED] = { "SCANNED", 9, 2, false },
	[EC_ISOLATED] = { "ISOLATED", 8, 2, false },
	[EC_BEGIN] = { "BEGIN s", 12, 3, false },
	[EC_MODE] = { "MODE", 5, 3, true },
};

static int compact_sticky(const struct ctx *c)
{
	return 2 + c->v->nr_migrate;
}

static int compact_body(const struct ctx *c)
{
	return c->v->nr_episodes ? c->v->nr_episodes : 1;
}

static void compact_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	char buf[512], a[16], b[16], m[16], f[16];
	bool shown[EC_NR];
	struct cell cells[EC_NR];
	size_t l = sizeof(cells[0].text);

	if (i == 0) {
		fmt_val(a, sizeof(a), c->st, v->kcompactd_wakes_ps, v->kcompactd_wakes, 8);
		fmt_val(b, sizeof(b), c->st, v->direct_attempts_ps, v->direct_attempts, 8);
		snprintf(buf, sizeof(buf), "episodes %d, running %d  kcompactd wakes %s%s, sleeps %llu  direct %s  deferred %llu",
			 v->episodes_total, v->episodes_running, a, rate_suffix(c->st),
			 (unsigned long long)v->kcompactd_sleeps, b, (unsigned long long)v->deferred);
		put(y, c->x, c->w, buf, 0, true);
		return;
	}
	if (i <= v->nr_migrate) {
		const struct kf_top_migrate *mg = &v->migrate[i - 1];

		fmt_val(m, sizeof(m), c->st, mg->succeeded_ps, mg->succeeded, 10);
		fmt_val(f, sizeof(f), c->st, mg->failed_ps, mg->failed, 10);
		snprintf(buf, sizeof(buf), "migrate %-16s migrated %s%s  failed %s  (calls %llu)", mg->reason, m,
			 rate_suffix(c->st), f, (unsigned long long)mg->calls);
		put(y, c->x, c->w, buf, 0, true);
		return;
	}
	fit_cols(ep_cols, EC_NR, c->w, -1, shown);
	if (i == v->nr_migrate + 1) {
		draw_titles(y, c->x, c->w, ep_cols, EC_NR, shown, -1, "");
		return;
	}
	i -= v->nr_migrate + 2;
	if (!v->nr_episodes) {
		put(y, c->x, c->w, "  no compaction seen yet (echo 1 > /proc/sys/vm/compact_memory starts one)", A_DIM, true);
		return;
	}
	const struct kf_top_episode *ep = &v->episodes[i];

	memset(cells, 0, sizeof(cells));
	snprintf(cells[EC_ZONE].text, l, "%s", ep->zone);
	snprintf(cells[EC_INIT].text, l, "%s", ep->initiator);
	snprintf(cells[EC_TASK].text, l, "%s", ep->task);
	snprintf(cells[EC_DUR].text, l, "%.3f", ep->duration_ms);
	snprintf(cells[EC_STATUS].text, l, "%s", ep->status);
	fmt_u64(cells[EC_MIGRATED].text, l, ep->migrated, 8);
	fmt_u64(cells[EC_FAILED].text, l, ep->failed, 6);
	fmt_u64(cells[EC_SCANNED].text, l, ep->scanned, 9);
	fmt_u64(cells[EC_ISOLATED].text, l, ep->isolated, 8);
	snprintf(cells[EC_BEGIN].text, l, "%.6f", ep->begin_s);
	snprintf(cells[EC_MODE].text, l, "%s", ep->sync ? "sync" : "async");
	if (ep->failed)
		cells[EC_FAILED].at = AT_WARN;
	draw_cells(y, c->x, c->w, ep_cols, EC_NR, shown, cells, ep->running ? AT_HOT : 0);
}

static void compact_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_view *v = c->v;
	char m[16], f[16], w[16];

	fmt_val(m, sizeof(m), c->st, v->compact_migrated_ps, v->compact_migrated, 8);
	fmt_val(f, sizeof(f), c->st, v->compact_failed_ps, v->compact_failed, 8);
	fmt_val(w, sizeof(w), c->st, v->kcompactd_wakes_ps, v->kcompactd_wakes, 8);
	snprintf(buf, len, "%s%d episodes  migrated %s%s  failed %s  kcompactd wakes %s",
		 v->episodes_running ? "RUNNING  " : "", v->episodes_total, m, rate_suffix(c->st), f, w);
}

/* ---- processes --------------------------------------------------------- */

static const struct col proc_cols[KF_PCOL_NR] = {
	[KF_PCOL_PID] = { "PID", 7, 0, false },
	[KF_PCOL_COMM] = { "COMMAND", 15, 0, true },
	[KF_PCOL_ALLOC_RATE] = { "ALLOC/s", 8, 1, false },
	[KF_PCOL_FREE_RATE] = { "FREE/s", 8, 1, false },
	[KF_PCOL_ALLOCD] = { "ALLOCD", 9, 2, false },
	[KF_PCOL_LOCKED] = { "LOCKED", 8, 5, false },
	[KF_PCOL_FREED] = { "FREED", 9, 2, false },
	[KF_PCOL_BATCHED] = { "BATCHED", 8, 5, false },
	[KF_PCOL_DRAINED] = { "DRAINED", 8, 6, false },
	[KF_PCOL_DRAINS] = { "DRAINS", 7, 6, false },
	[KF_PCOL_REFILLS] = { "REFILLS", 7, 4, false },
	[KF_PCOL_FALLBACK] = { "FALLBK", 7, 4, false },
	[KF_PCOL_CAUSING] = { "CAUSING", 7, 6, false },
	[KF_PCOL_CHANGED] = { "CHANGED", 7, 7, false },
	[KF_PCOL_FAULTS] = { "FAULTS", 7, 3, false },
	[KF_PCOL_MIGFAULTS] = { "MIGFLT", 7, 3, false },
};

static int procs_sticky(const struct ctx *c)
{
	return 1;
}

static int procs_body(const struct ctx *c)
{
	return c->v->nr_procs ? c->v->nr_procs : 1;
}

static void procs_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	bool shown[KF_PCOL_NR];
	struct cell cells[KF_PCOL_NR];
	size_t l = sizeof(cells[0].text);

	fit_cols(proc_cols, KF_PCOL_NR, c->w, v->sort_col, shown);
	if (i == 0) {
		draw_titles(y, c->x, c->w, proc_cols, KF_PCOL_NR, shown, v->sort_col,
			    v->sort_ascending ? G_SORT_ASC() : G_SORT_DESC());
		return;
	}
	if (!v->nr_procs) {
		put(y, c->x, c->w, "  no page-allocator events yet", A_DIM, true);
		return;
	}
	const struct kf_top_proc *p = &v->procs[i - 1];
	const struct kf_proc_stats *s = &p->s;

	memset(cells, 0, sizeof(cells));
	snprintf(cells[KF_PCOL_PID].text, l, "%d", p->pid);
	snprintf(cells[KF_PCOL_COMM].text, l, "%s%s", p->comm, p->is_protected ? "*" : "");
	fmt_rate(cells[KF_PCOL_ALLOC_RATE].text, l, p->alloc_ps, 8);
	fmt_rate(cells[KF_PCOL_FREE_RATE].text, l, p->free_ps, 8);
	fmt_u64(cells[KF_PCOL_ALLOCD].text, l, s->allocd, 9);
	fmt_u64(cells[KF_PCOL_LOCKED].text, l, s->allocd_locked, 8);
	fmt_u64(cells[KF_PCOL_FREED].text, l, s->freed, 9);
	fmt_u64(cells[KF_PCOL_BATCHED].text, l, s->freed_batched, 8);
	fmt_u64(cells[KF_PCOL_DRAINED].text, l, s->pcpu_pages_drained, 8);
	fmt_u64(cells[KF_PCOL_DRAINS].text, l, s->pcpu_drains, 7);
	fmt_u64(cells[KF_PCOL_REFILLS].text, l, s->pcpu_refills, 7);
	fmt_u64(cells[KF_PCOL_FALLBACK].text, l, s->fallback, 7);
	fmt_u64(cells[KF_PCOL_CAUSING].text, l, s->causing, 7);
	fmt_u64(cells[KF_PCOL_CHANGED].text, l, s->changed, 7);
	fmt_u64(cells[KF_PCOL_FAULTS].text, l, s->faults, 7);
	fmt_u64(cells[KF_PCOL_MIGFAULTS].text, l, s->faults_during_migration, 7);
	if (s->faults_during_migration)
		cells[KF_PCOL_MIGFAULTS].at = p->is_protected ? AT_CRIT : AT_WARN;
	if (p->is_protected)
		cells[KF_PCOL_COMM].at = AT_WARN;
	draw_cells(y, c->x, c->w, proc_cols, KF_PCOL_NR, shown, cells, 0);
}

static void procs_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	snprintf(buf, len, "%d processes, sorted by %s %s", c->v->nr_procs, kf_top_pcol_names[c->v->sort_col],
		 c->v->sort_ascending ? G_SORT_ASC() : G_SORT_DESC());
}

/* ---- guard --------------------------------------------------------------- */

/* the guard's severity names, in capitals from warnings up */
static const char *sev_label(enum kf_severity s)
{
	static char buf[KF_SEV_NR][16];

	if (s < 0 || s >= KF_SEV_NR)
		return "?";
	snprintf(buf[s], sizeof(buf[s]), "%s", kf_severity_names[s]);
	for (char *q = buf[s]; s >= KF_SEV_WARNING && *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return buf[s];
}

static attr_t sev_attr(enum kf_severity s)
{
	switch (s) {
	case KF_SEV_CRITICAL: return AT_CRIT;
	case KF_SEV_WARNING: return AT_WARN;
	default: return 0;
	}
}

static int guard_sticky(const struct ctx *c)
{
	return 0;
}

/*
 * Word wrapping of an alert's sentences into lines of width cells: the
 * start of line k of text, and its length in bytes; the number of lines.
 * kfrag's messages are ASCII, so bytes are cells here.
 */
static int wrap(const char *text, int width, int k, const char **start, int *len)
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

#define ALERT_INDENT 11		/* "CRITICAL   " */

/* lines of one alert: its message, then the action after an arrow */
static int alert_lines(const struct ctx *c, const struct kf_alert *a, int *msg_lines)
{
	int w = c->w - ALERT_INDENT;

	*msg_lines = wrap(a->message, w, -1, NULL, NULL);
	return *msg_lines + (a->action[0] ? wrap(a->action, w - 3, -1, NULL, NULL) : 0);
}

/* alerts, then the protected processes */
static int guard_body(const struct ctx *c)
{
	const struct kf_top_view *v = c->v;
	int n = 0, m;

	for (int i = 0; i < v->nr_alerts; i++)
		n += alert_lines(c, &v->alerts[i].a, &m);
	return (n ? n : 1) + 1 + (v->nr_protected ? v->nr_protected : 1);
}

static void alert_line(const struct ctx *c, const struct kf_top_alert *al, int k, int y)
{
	int msg_lines, w = c->w - ALERT_INDENT, len;
	const char *start;
	char buf[KF_GUARD_MSG_LEN + 16];
	attr_t at = al->acked ? A_DIM : sev_attr(al->a.severity);

	alert_lines(c, &al->a, &msg_lines);
	if (k == 0) {
		/* acknowledged: the severity in small letters, dimmed */
		char label[16];

		snprintf(label, sizeof(label), "%s", al->acked ? kf_severity_names[al->a.severity] :
			 sev_label(al->a.severity));
		put(y, c->x, ALERT_INDENT, label, at, true);
	}
	else
		put(y, c->x, ALERT_INDENT, "", 0, true);
	if (k < msg_lines) {
		wrap(al->a.message, w, k, &start, &len);
		snprintf(buf, sizeof(buf), "%.*s", len, start);
		put(y, c->x + ALERT_INDENT, w, buf, al->acked ? A_DIM : 0, true);
	} else {
		wrap(al->a.action, w - 3, k - msg_lines, &start, &len);
		snprintf(buf, sizeof(buf), "%s %.*s", k == msg_lines ? G_ARROW() : " ", len, start);
		put(y, c->x + ALERT_INDENT, w, buf, A_DIM, true);
	}
}

static void guard_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	char buf[256];
	int m;

	if (!v->nr_alerts && i == 0) {
		put(y, c->x, c->w, v->have_guard ? "  no alerts" : "  the guard is off (--no-guard)", A_DIM, true);
		return;
	}
	for (int a = 0; a < v->nr_alerts; a++) {
		int n = alert_lines(c, &v->alerts[a].a, &m);

		if (i < n) {
			alert_line(c, &v->alerts[a], i, y);
			return;
		}
		i -= n;
	}
	if (!v->nr_alerts)
		i--;
	if (i == 0) {
		snprintf(buf, sizeof(buf), "%7s %-15s %-13s %9s %8s %7s %7s %7s", "PID", "PROTECTED", "WHY", "VmLck kB",
			 "LOCKED", "MOVED", "FAULTS", "MIGFLT");
		put(y, c->x, c->w, buf, AT_HEADER, true);
		return;
	}
	if (!v->nr_protected) {
		put(y, c->x, c->w, "  no protected process", A_DIM, true);
		return;
	}
	const struct kf_top_protected *p = &v->protected_procs[i - 1];
	char moved[24], vmlck[24], locked[24];

	/* unknown in a replay (no /proc of the traced machine), or unreadable */
	snprintf(vmlck, sizeof(vmlck), v->guard_offline ? "?" : "%llu", (unsigned long long)p->vmlck_kb);
	snprintf(locked, sizeof(locked), p->pagemap_readable ? "%llu" : "?", (unsigned long long)p->locked_pages);
	snprintf(moved, sizeof(moved), p->pagemap_readable ? "%llu" : "?", (unsigned long long)p->pages_moved);
	snprintf(buf, sizeof(buf), "%7d %-15s %-13s %9s %8s %7s %7llu %7llu%s", p->pid, p->comm,
		 p->reason < KF_PROTECT_NR ? kf_protect_reason_names[p->reason] : "?", vmlck, locked, moved,
		 (unsigned long long)p->faults, (unsigned long long)p->faults_during_migration,
		 p->exited ? "  (exited)" : "");
	put(y, c->x, c->w, buf, p->pages_moved || p->faults_during_migration ? AT_CRIT : 0, true);
}

static void guard_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_view *v = c->v;

	if (!v->have_guard && !v->nr_protected) {
		snprintf(buf, len, "off");
		return;
	}
	snprintf(buf, len, "%d protected  %d alerts", v->nr_protected, v->nr_alerts);
	if (v->nr_unacked) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, "  %d NOT ACKNOWLEDGED (worst %s): a acknowledges", v->nr_unacked,
			 sev_label(v->worst_unacked));
		*alert = v->worst_unacked >= KF_SEV_WARNING;
	}
}

static const struct panel panels[KF_PANEL_NR] = {
	[KF_PANEL_ZONES] = { zones_summary, zones_sticky, zones_body, zones_line },
	[KF_PANEL_CPUS] = { cpus_summary, cpus_sticky, cpus_body, cpus_line },
	[KF_PANEL_FRAG] = { frag_summary, frag_sticky, frag_body, frag_line },
	[KF_PANEL_COMPACT] = { compact_summary, compact_sticky, compact_body, compact_line },
	[KF_PANEL_PROCS] = { procs_summary, procs_sticky, procs_body, procs_line },
	[KF_PANEL_GUARD] = { guard_summary, guard_sticky, guard_body, guard_line },
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
	if (x >= COLS)
		return x;
	return x + put(y, x, COLS - x, s, at, false);
}

static void draw_header(const struct kf_top_view *v, const struct kf_top_state *st)
{
	char buf[KF_GUARD_MSG_LEN + 128], a[16], b[16];
	int x = 0;
	bool narrow = COLS < 110;

	/* line 0: what is traced, how fast, what was lost */
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
	fmt_rate(a, sizeof(a), v->events_ps, 7);
	snprintf(buf, sizeof(buf), "  %s ev/s  lost ", a);
	x = seg(0, x, buf, 0);
	fmt_u64(b, sizeof(b), v->lost, 10);
	snprintf(buf, sizeof(buf), "%s%s", b, v->lost_unknown ? "+?" : "");
	x = seg(0, x, buf, v->lost || v->lost_unknown ? AT_CRIT : 0);
	fmt_u64(b, sizeof(b), v->events, 10);
	snprintf(buf, sizeof(buf), "  events %s", b);
	seg(0, x, buf, 0);

	/* line 1: the policy */
	move(1, 0);
	clrtoeol();
	x = 0;
	const struct kf_top_policy *p = &v->policy;
	char val[16];

	x = seg(1, x, narrow ? "unevictable_allowed=" : "vm.compact_unevictable_allowed=", 0);
	snprintf(val, sizeof(val), p->unevictable_allowed < 0 ? "?" : "%d", p->unevictable_allowed);
	x = seg(1, x, val, p->unevictable_allowed == 1 ? AT_WARN : p->unevictable_allowed == 0 ? AT_OK : 0);
	char pr[16], ex[16];

	snprintf(pr, sizeof(pr), p->proactiveness < 0 ? "?" : "%d", p->proactiveness);
	snprintf(ex, sizeof(ex), p->extfrag_threshold < 0 ? "?" : "%d", p->extfrag_threshold);
	snprintf(buf, sizeof(buf), narrow ? "  proactiveness=%s  extfrag_threshold=%s  sched_ext=%s%s%s" :
		 "  vm.compaction_proactiveness=%s  vm.extfrag_threshold=%s  sched_ext: %s%s%s",
		 pr, ex, p->sched_ext[0] ? p->sched_ext : "none",
		 p->sched_ext_ops[0] ? " " : "", p->sched_ext_ops);
	seg(1, x, buf, 0);

	/* line 2: the guard, impossible to miss while an alert is unacknowledged */
	move(2, 0);
	clrtoeol();
	if (v->nr_unacked) {
		const struct kf_top_alert *first = NULL;
		attr_t at = v->worst_unacked >= KF_SEV_CRITICAL ? AT_BANNER_CRIT :
			    v->worst_unacked >= KF_SEV_WARNING ? AT_BANNER_WARN : A_BOLD;

		for (int i = 0; i < v->nr_alerts && !first; i++)
			if (!v->alerts[i].acked)
				first = &v->alerts[i];
		snprintf(buf, sizeof(buf), "!! GUARD %s%s: %s", sev_label(v->worst_unacked),
			 v->nr_unacked > 1 ? " (+more, 6 shows)" : "", first ? first->a.message : "");
		put(2, 0, COLS, buf, at, true);
	} else if (v->have_guard || v->nr_protected) {
		snprintf(buf, sizeof(buf), "guard: %d protected process%s, %s", v->nr_protected,
			 v->nr_protected == 1 ? "" : "es",
			 v->nr_alerts ? "every alert acknowledged" : "no alerts");
		put(2, 0, COLS, buf, AT_OK, true);
	} else {
		put(2, 0, COLS, "guard: off", A_DIM, true);
	}
}

static void draw_hints(const struct kf_top_state *st)
{
	static const struct { const char *key, *what; } hints[] = {
		{ "q", "Quit" }, { "h", "Help" }, { "Spc", "Pause" }, { "Tab", "Panel" }, { "s", "Sort" },
		{ "<>", "Col" }, { "t", "Tot/s" }, { "o", "Orders" }, { "m", "Map" }, { "r", "Reset" },
		{ "a", "Ack" },
	};
	int y = LINES - 1, x = 0, width = 0;
	char buf[32];
	bool drop_col;

	/* the refresh interval, last, must show: on a narrow screen the sort
	 * columns' hint goes (the help lists it) */
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		width += (int)(strlen(hints[i].key) + strlen(hints[i].what)) + 1;
	snprintf(buf, sizeof(buf), "+-%gs", st->refresh_s);
	width += (int)strlen(buf) + (st->paused ? 1 : 0);
	drop_col = width > COLS;

	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]) && x < COLS; i++) {
		const char *what = hints[i].what;

		if (i == 2 && st->paused)
			what = "Resume";
		if (i == 5 && drop_col)
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
	{ "m", "memory map: every pageblock, by what keeps compaction from it" },
	{ "r", "reset every counter" },
	{ "a", "acknowledge the guard's alerts (a growing one alerts again)" },
	{ "+  -", "refresh slower / faster" },
	{ "Ctrl-L", "redraw the screen" },
};

static void draw_help(const struct kf_top_state *st)
{
	int y = 0;
	char buf[256];

	erase();
	snprintf(buf, sizeof(buf), "kfrag top %s: keys (refresh every %gs)", PACKAGE_VERSION, st->refresh_s);
	put(y++, 0, COLS, buf, A_BOLD, true);
	for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]) && y < LINES - 1; i++, y++) {
		put(y, 1, 13, help_lines[i].keys, AT_KEY, true);
		put(y, 15, COLS - 15, help_lines[i].what, 0, true);
	}
	static const char *const legend[] = {
		"UNUSn/FRAGn: the kernel's unusable and fragmentation indices for order n",
		"WM: free vs watermarks: ok > high, low, min, MIN! below min.  * protected",
		"Press any key to return.",
	};
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]) && y < LINES; i++, y++)
		put(y, 0, COLS, legend[i], i == 2 ? A_BOLD : A_DIM, true);
}

static void draw_sort_menu(const struct kf_top_state *st)
{
	int h = KF_PCOL_NR + 2, w = 24;
	int y0 = 3, x0 = 0;

	if (h > LINES - 4)
		h = LINES - 4;
	put(y0, x0, w, "Sort by", AT_TITLE_FOCUS, true);
	int first = st->sort_menu_sel - (h - 2) + 1;

	if (first < 0)
		first = 0;
	for (int i = 0; i < h - 1; i++) {
		int col = first + i;
		char buf[32];

		if (col >= KF_PCOL_NR) {
			put(y0 + 1 + i, x0, w, "", AT_TITLE, true);
			continue;
		}
		snprintf(buf, sizeof(buf), " %s%s", kf_top_pcol_names[col], col == (int)st->sort_col ? " *" : "");
		put(y0 + 1 + i, x0, w, buf, col == st->sort_menu_sel ? AT_SORT | A_BOLD : AT_TITLE, true);
	}
}

/* ---- the memory map view ------------------------------------------------ */

/* a cell's look: the kind's character, coloured where colours are; dim for
 * no memory; reverse video where a protected process's locked pages are */
static attr_t kind_attr(int k)
{
	switch (k) {
	case KF_BK_HOLE:
	case KF_BK_EMPTY:
		return A_DIM;
	case KF_BK_FREE:
		return A(CP_MAP_FREE, 0);
	case KF_BK_MOVABLE:
		return A(CP_MAP_MOVABLE, 0);
	case KF_BK_UNSURE:
		return A(CP_MAP_UNSURE, 0);
	case KF_BK_RESERVED:
		return ui.color ? A(CP_MAP_RESERVED, 0) | A_BOLD : 0;
	default:
		return ui.color ? A(CP_MAP_BLOCKED, 0) | A_BOLD : 0;
	}
}

#define LOCKED_LEGEND "reverse: locked pages of a protected process"

/* the legend: every kind's character and name, then the locked mark;
 * items wrapped whole to width; draws when y >= 0; returns its lines */
static int map_legend(int y, int width)
{
	int lines = 1, x = 0;

	for (int k = 0; k <= KF_BK_NR; k++) {
		char label[64];
		int len;

		if (k < KF_BK_NR) {
			/* the report's names, "page_tables" read as "page tables" */
			snprintf(label, sizeof(label), "%c %s", kf_block_kind_chars[k], kf_block_kind_names[k]);
			for (char *q = label; *q; q++)
				if (*q == '_')
					*q = ' ';
		} else {
			snprintf(label, sizeof(label), "%s", LOCKED_LEGEND);
		}
		len = (int)strlen(label);
		if (x && x + 2 + len > width) {
			lines++;
			x = 0;
		} else if (x) {
			x += 2;
		}
		if (y >= 0) {
			int row = y + lines - 1;

			if (k < KF_BK_NR) {
				put(row, x, 1, label, kind_attr(k), false);
				put(row, x + 1, width - x - 1, label + 1, 0, false);
			} else {
				put(row, x, 7, label, A_REVERSE, false);
				put(row, x + 7, width - x - 7, label + 7, 0, false);
			}
		}
		x += len;
	}
	return lines;
}

void kf_top_ui_map_area(int *rows, int *cols)
{
	*rows = *cols = 0;
	if (!ui.active || LINES < 10 || COLS < 40)
		return;
	/* under the three header lines: the title bar and the legend; the hints last */
	*rows = LINES - 3 - 1 - map_legend(-1, COLS) - 1;
	*cols = COLS;
	if (*rows < 0)
		*rows = 0;
}

/* kB as MiB or GiB */
static void fmt_kb(char *buf, size_t len, uint64_t kb)
{
	if (kb >= 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", kb / 1048576.0);
	else if (kb >= 1024)
		snprintf(buf, len, "%.0f MiB", kb / 1024.0);
	else
		snprintf(buf, len, "%llu kB", (unsigned long long)kb);
}

static void draw_memmap(const struct kf_top_view *v)
{
	const struct kf_top_memmap *mm = &v->memmap;
	int y = 3, end = LINES - 1;
	char buf[640], size[32], guard[96];

	if (!mm->available) {
		snprintf(buf, sizeof(buf), "%sMemory map", G_FOCUS());
		put(y++, 0, COLS, buf, AT_TITLE_FOCUS, true);
		y += map_legend(y, COLS);
		if (!mm->shown || !mm->error[0]) {
			put(y, 0, COLS, "scanning the memory map (/proc/kpageflags) ...", A_DIM, true);
			return;
		}
		/* word-wrapped: a path may be long */
		snprintf(buf, sizeof(buf), "memory map not available: %s", mm->error);
		for (int k = 0, n = wrap(buf, COLS, -1, NULL, NULL); k < n && y < end; k++, y++) {
			const char *start;
			int len;
			char line[sizeof(buf)];

			wrap(buf, COLS, k, &start, &len);
			snprintf(line, sizeof(line), "%.*s", len, start);
			put(y, 0, COLS, line, AT_WARN, true);
		}
		return;
	}
	if (!mm->guard_on)
		snprintf(guard, sizeof(guard), "guard off");
	else if (!mm->guard_pfn_procs)
		snprintf(guard, sizeof(guard), "no locked PFNs");
	else
		snprintf(guard, sizeof(guard), "locked pages in %d cell%s", mm->locked_cells,
			 mm->locked_cells == 1 ? "" : "s");
	fmt_kb(size, sizeof(size), mm->block_kb * mm->per_cell);
	snprintf(buf, sizeof(buf), "%sMemory map  1 cell = %llu pageblock%s (%s)  %s  scanned %.0fs ago, every %.0fs, %.2fs CPU",
		 G_FOCUS(), (unsigned long long)mm->per_cell, mm->per_cell == 1 ? "" : "s", size, guard,
		 mm->age_s, mm->every_s, mm->scan_cpu_s);
	put(y++, 0, COLS, buf, AT_TITLE_FOCUS, true);
	y += map_legend(y, COLS);
	for (int i = 0; i < mm->nr_zones && y < end; i++) {
		const struct kf_top_map_zone *z = &mm->zones[i];
		int n;

		/* what matters first: a narrow screen cuts the end */
		fmt_kb(size, sizeof(size), (z->end_pfn - z->start_pfn) * mm->block_kb >> mm->pageblock_order);
		n = snprintf(buf, sizeof(buf), "node %d %s  PFN %llu-%llu (%s)  %llu compactable  %llu blocked  %llu unsure  %llu hole or no flags  %llu pageblocks",
			     z->node, z->name, (unsigned long long)z->start_pfn,
			     (unsigned long long)(z->end_pfn ? z->end_pfn - 1 : 0), size,
			     (unsigned long long)z->compactable, (unsigned long long)z->blocked,
			     (unsigned long long)z->unsure, (unsigned long long)z->holes,
			     (unsigned long long)z->nr_blocks);
		if (z->locked_cells)
			snprintf(buf + n, sizeof(buf) - n, "  locked pages in %d cell%s", z->locked_cells,
				 z->locked_cells == 1 ? "" : "s");
		put(y++, 0, COLS, buf, AT_HEADER, true);
		for (int c = 0; c < z->nr_cells && y < end; y++) {
			move(y, 0);
			for (int x = 0; x < mm->cols && x < COLS && c < z->nr_cells; x++, c++) {
				const struct kf_top_map_cell *cell = &z->cells[c];
				attr_t at = kind_attr(cell->kind) | (cell->locked ? A_REVERSE : 0);

				attron(at);
				addch((chtype)(unsigned char)kf_block_kind_chars[cell->kind < KF_BK_NR ? cell->kind : 0]);
				attroff(at);
			}
		}
	}
	if (!mm->fits && y >= end)
		put(end - 1, 0, COLS, "(too small a terminal for every zone)", AT_WARN, true);
}

/* ---- layout ------------------------------------------------------------ */

struct slot {
	int panel;
	int y, h;
};

/* rows a panel wants: title, pinned lines, every body line */
static int want_rows(const struct ctx *c, int p)
{
	int body = panels[p].body(c);

	return 1 + panels[p].sticky(c) + (body ? body : 1);
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
		int minimum = panels[ids[i]].sticky(&cs[i]) + 1;

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
	int sticky = panels[p].sticky(c), body = panels[p].body(c);
	int visible = h - 1 - sticky;
	int scroll = c->st->scroll[p];

	panels[p].summary(c, summary, sizeof(summary), &alert);
	snprintf(title, sizeof(title), "%s%d %s  %s", focused ? G_FOCUS() : " ", p + 1, kf_top_panel_names[p], summary);
	put(y, c->x, c->w, title, alert ? AT_TITLE_ALERT : focused ? AT_TITLE_FOCUS : AT_TITLE, true);
	if (visible < 0)
		visible = 0;
	if (scroll > body - visible)
		scroll = body - visible;
	if (scroll < 0)
		scroll = 0;
	for (int i = 0; i < sticky && i < h - 1; i++)
		panels[p].line(c, i, y + 1 + i);
	for (int i = 0; i < visible && scroll + i < body; i++)
		panels[p].line(c, sticky + scroll + i, y + 1 + sticky + i);
	geo->lines[p] = body;
	geo->visible[p] = visible;
}

void kf_top_ui_draw(const struct kf_top_view *v, const struct kf_top_state *st, struct kf_top_geometry *geo)
{
	static const int one[] = { KF_PANEL_ZONES, KF_PANEL_CPUS, KF_PANEL_FRAG, KF_PANEL_COMPACT,
				   KF_PANEL_PROCS, KF_PANEL_GUARD };
	int ncols = COLS >= 160 ? 2 : 1;
	int top = 3, H = LINES - top - 1;

	if (!ui.active)
		return;
	memset(geo, 0, sizeof(*geo));
	if (st->help) {
		draw_help(st);
		refresh();
		return;
	}
	erase();
	if (LINES < 10 || COLS < 40) {
		put(0, 0, COLS, "kfrag top: terminal too small", A_BOLD, true);
		put(1, 0, COLS, "80x24 wanted; q quits", 0, true);
		refresh();
		return;
	}
	draw_header(v, st);
	if (st->memmap) {
		draw_memmap(v);
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
