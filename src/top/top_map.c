/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag top's memory map view: every pageblock as a cell, by what keeps
 * compaction from it. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "top_draw.h"

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
		return top_attr(CP_MAP_FREE, 0);
	case KF_BK_MOVABLE:
		return top_attr(CP_MAP_MOVABLE, 0);
	case KF_BK_UNSURE:
		return top_attr(CP_MAP_UNSURE, 0);
	case KF_BK_RESERVED:
		return top_color() ? top_attr(CP_MAP_RESERVED, 0) | A_BOLD : 0;
	default:
		return top_color() ? top_attr(CP_MAP_BLOCKED, 0) | A_BOLD : 0;
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
				top_put(row, x, 1, label, kind_attr(k), false);
				top_put(row, x + 1, width - x - 1, label + 1, 0, false);
			} else {
				top_put(row, x, 7, label, A_REVERSE, false);
				top_put(row, x + 7, width - x - 7, label + 7, 0, false);
			}
		}
		x += len;
	}
	return lines;
}

void kf_top_ui_map_area(int *rows, int *cols)
{
	*rows = *cols = 0;
	if (!top_active() || LINES < 10 || COLS < 40)
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

/* a line of cells, or a fold of uninitialised ones saying how many */
static void map_line(int y, const struct kf_top_memmap *mm, const struct kf_top_map_zone *z,
		     const struct kf_top_map_line *l)
{
	if (l->fold) {
		char buf[160], size[32];

		fmt_kb(size, sizeof(size), l->fold_blocks * mm->block_kb);
		snprintf(buf, sizeof(buf), "%c x%d cells: %llu pageblocks (%s) not initialised (no flags), folded",
			 kf_block_kind_chars[KF_BK_EMPTY], l->n, (unsigned long long)l->fold_blocks, size);
		top_put(y, 0, COLS, buf, A_DIM, true);
		return;
	}
	move(y, 0);
	for (int x = 0, c = l->first; x < mm->cols && x < COLS && c < l->first + l->n; x++, c++) {
		const struct kf_top_map_cell *cell = &z->cells[c];
		attr_t at = kind_attr(cell->kind) | (cell->locked ? A_REVERSE : 0);

		attron(at);
		addch((chtype)(unsigned char)kf_block_kind_chars[cell->kind < KF_BK_NR ? cell->kind : 0]);
		attroff(at);
	}
}

void top_draw_memmap(const struct kf_top_view *v)
{
	const struct kf_top_memmap *mm = &v->memmap;
	int y = 3, end = LINES - 1, tn;
	char buf[640], size[32], guard[96];

	if (!mm->available) {
		snprintf(buf, sizeof(buf), "%sMemory map", G_FOCUS());
		top_put(y++, 0, COLS, buf, AT_TITLE_FOCUS, true);
		y += map_legend(y, COLS);
		if (!mm->shown || !mm->error[0]) {
			top_put(y, 0, COLS, "scanning the memory map (/proc/kpageflags) ...", A_DIM, true);
			return;
		}
		/* word-wrapped: a path may be long */
		snprintf(buf, sizeof(buf), "memory map not available: %s", mm->error);
		for (int k = 0, n = top_wrap(buf, COLS, -1, NULL, NULL); k < n && y < end; k++, y++) {
			const char *start;
			int len;
			char line[sizeof(buf)];

			top_wrap(buf, COLS, k, &start, &len);
			snprintf(line, sizeof(line), "%.*s", len, start);
			top_put(y, 0, COLS, line, AT_WARN, true);
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
	tn = snprintf(buf, sizeof(buf), "%sMemory map  1 cell = %llu pageblock%s (%s)  %s", G_FOCUS(),
		     (unsigned long long)mm->per_cell, mm->per_cell == 1 ? "" : "s", size, guard);
	if (mm->saved)
		snprintf(buf + tn, sizeof(buf) - tn, "  saved at the end of the recording");
	else
		snprintf(buf + tn, sizeof(buf) - tn, "  scanned %.0fs ago, every %.0fs, %.2fs CPU", mm->age_s,
			 mm->every_s, mm->scan_cpu_s);
	top_fit_items(buf, COLS);
	top_put(y++, 0, COLS, buf, AT_TITLE_FOCUS, true);
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
		top_fit_items(buf, COLS);	/* a number whole or not at all */
		top_put(y++, 0, COLS, buf, AT_HEADER, true);
		for (int l = 0; l < z->rows && y < end; l++, y++)
			map_line(y, mm, z, &z->lines[l]);
	}
	if (!mm->fits && y >= end)
		top_put(end - 1, 0, COLS, "(too small a terminal for every zone)", AT_WARN, true);
}
