/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's drawing side, private to src/top: the colours, the glyphs,
 * the cells and columns of a table, and the panels. top_term.c owns the
 * curses state; the other top_*.c files draw through these helpers and
 * compute nothing: every number comes from the view.
 */
#ifndef KF_TOP_DRAW_H
#define KF_TOP_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_top.h"

/* ---- colours and glyphs (top_term.c) ---------------------------------- */

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

/* a colour pair's attributes, or mono on a terminal without colours */
attr_t top_attr(int pair, attr_t mono);
bool top_color(void);
bool top_ascii(void);
bool top_active(void);

#define AT_TITLE_FOCUS	top_attr(CP_TITLE_FOCUS, A_REVERSE | A_BOLD)
#define AT_TITLE	top_attr(CP_TITLE, A_REVERSE)
#define AT_TITLE_ALERT	top_attr(CP_TITLE_ALERT, A_REVERSE | A_BOLD)
#define AT_HEADER	(top_attr(CP_HEADER, 0) | A_BOLD)
#define AT_OK		top_attr(CP_OK, 0)
#define AT_WARN		top_attr(CP_WARN, A_BOLD)
#define AT_CRIT		top_attr(CP_CRIT, A_BOLD | A_REVERSE)
#define AT_BANNER_CRIT	top_attr(CP_BANNER_CRIT, A_REVERSE | A_BOLD)
#define AT_BANNER_WARN	top_attr(CP_BANNER_WARN, A_REVERSE)
#define AT_KEY		top_attr(CP_KEY, A_REVERSE)
#define AT_HOT		(top_attr(CP_HOT, 0) | A_BOLD)
#define AT_SORT		top_attr(CP_SORT, A_REVERSE)

static inline const char *G_UP(void) { return top_ascii() ? "^" : "\u2191"; }
static inline const char *G_DOWN(void) { return top_ascii() ? "v" : "\u2193"; }
static inline const char *G_FOCUS(void) { return top_ascii() ? ">" : "\u25b6"; }
static inline const char *G_SORT_DESC(void) { return top_ascii() ? "v" : "\u25bc"; }
static inline const char *G_SORT_ASC(void) { return top_ascii() ? "^" : "\u25b2"; }
static inline const char *G_ARROW(void) { return top_ascii() ? "->" : "\u2192"; }

static inline const char *spark(int level)
{
	static const char *const u[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char *const a[] = { " ", ".", ".", ":", ":", "=", "=", "#", "#" };

	if (level < 0)
		level = 0;
	if (level > 8)
		level = 8;
	return top_ascii() ? a[level] : u[level];
}
/* ---- findings (top_findings.c) ----------------------------------------- */

/* the worst finding on line y from column x; the screen of all of them */
void top_findings_line(const struct kf_top_view *v, int y, int x);
void top_draw_findings(const struct kf_top_view *v, int scroll, struct kf_top_geometry *geo);

/* ---- cells and columns (top_cells.c) ----------------------------------- */

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

int top_cells_of(const char *s);
/* writes s at y,x in at most w cells, padded to w when pad; returns cells used */
int top_put(int y, int x, int w, const char *s, attr_t at, bool pad);
/* a number in width cells, with k/M/G... when it does not fit */
void top_fmt_u64(char *buf, size_t len, uint64_t v, int width);
void top_fmt_rate(char *buf, size_t len, double r, int width);
void top_fmt_val(char *buf, size_t len, const struct kf_top_state *st, double r, uint64_t total, int width);
struct ctx;
/* pages in the unit of the state (u): pages, or KiB/MiB/GiB with the unit's letter */
void top_fmt_pages(char *buf, size_t len, const struct ctx *c, double pages, bool rate, int width);
void top_fmt_pval(char *buf, size_t len, const struct ctx *c, double pages_ps, uint64_t pages, int width);
void top_fit_cols(const struct col *cols, int n, int width, int must, bool *shown);
void top_draw_cells(int y, int x, int w, const struct col *cols, int n, const bool *shown,
		    const struct cell *cells, attr_t row_at);
void top_draw_titles(int y, int x, int w, const struct col *cols, int n, const bool *shown, int sorted,
		     const char *sort_glyph);
const char *top_rate_suffix(const struct kf_top_state *st);
/* cuts s (UTF-8) to w cells at the last item boundary (two spaces) that fits */
void top_fit_items(char *s, int w);
int top_wrap(const char *text, int width, int k, const char **start, int *len);
const char *top_sev_label(enum kf_severity s);
attr_t top_sev_attr(enum kf_severity s);

/* ---- panels (top_panel_*.c) --------------------------------------------- */

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

extern const struct panel top_panel_zones, top_panel_cpus, top_panel_frag;
extern const struct panel top_panel_compact, top_panel_procs, top_panel_guard;
/* cells the widest table (the zones) needs to show every column */
int top_panel_full_width(void);

/* ---- the memory map view (top_map.c) ------------------------------------ */

void top_draw_memmap(const struct kf_top_view *v);

#endif
