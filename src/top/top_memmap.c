/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's memory map view: every pageblock of a scanned struct
 * kf_memmap on one screen, cells of several pageblocks showing the worst
 * kind among them, the cells of protected processes' locked pages marked.
 * Pure, as top_model.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_top.h"
#include "kf_zones.h"

int kf_top_memmap_rank(enum kf_block_kind k)
{
	switch (k) {
	case KF_BK_HOLE: return 0;
	case KF_BK_EMPTY: return 1;
	case KF_BK_FREE: return 2;
	case KF_BK_MOVABLE: return 3;
	case KF_BK_UNSURE: return 4;
	default:
		/* blocked: the first of them (reserved) is the hardest to clear */
		if (k >= KF_BK_FIRST_BLOCKED && k < KF_BK_NR)
			return 5 + (KF_BK_NR - 1 - k);
		return 0;
	}
}

void kf_top_memmap_release(struct kf_top_memmap *mm)
{
	for (int i = 0; mm->zones && i < mm->nr_zones; i++) {
		free(mm->zones[i].cells);
		free(mm->zones[i].lines);
	}
	free(mm->zones);
	memset(mm, 0, sizeof(*mm));
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* the kind cell c of zone z shows with n pageblocks a cell: the worst */
static enum kf_block_kind cell_kind(const struct kf_memmap_zone *z, uint64_t c, uint64_t n)
{
	enum kf_block_kind worst = KF_BK_HOLE;

	for (uint64_t b = c * n; b < (c + 1) * n && b < z->nr_blocks; b++) {
		enum kf_block_kind k = z->blocks[b].kind < KF_BK_NR ? z->blocks[b].kind : KF_BK_HOLE;

		if (b == c * n || kf_top_memmap_rank(k) > kf_top_memmap_rank(worst))
			worst = k;
	}
	return worst;
}

/*
 * The lines of zone z's cells, n pageblocks a cell, cols a line: a run of
 * uninitialised cells (E) of a line or more is folded into one line of its
 * own (a machine's memory hole between 3 and 4 GiB is 512 of them); out
 * (may be NULL) gets the lines. Returns how many.
 */
static int zone_lines(const struct kf_memmap_zone *z, uint64_t n, int cols, struct kf_top_map_line *out)
{
	uint64_t cells = div_up(z->nr_blocks, n), c = 0;
	int lines = 0, in_line = 0;

	while (c < cells) {
		uint64_t run = 0;

		while (c + run < cells && cell_kind(z, c + run, n) == KF_BK_EMPTY)
			run++;
		if (run >= (uint64_t)cols) {
			if (in_line)
				lines++;
			if (out) {
				uint64_t end = (c + run) * n < z->nr_blocks ? (c + run) * n : z->nr_blocks;

				out[lines] = (struct kf_top_map_line){ (int)c, (int)run, true, end - c * n };
			}
			lines++;
			in_line = 0;
			c += run;
			continue;
		}
		/* the run (if any) and the cell after it go on the current line */
		for (uint64_t k = 0; k <= run && c < cells; k++, c++) {
			if (out && !in_line)
				out[lines] = (struct kf_top_map_line){ (int)c, 0, false, 0 };
			if (out)
				out[lines].n++;
			if (++in_line == cols) {
				lines++;
				in_line = 0;
			}
		}
	}
	return lines + (in_line > 0);
}

/* lines the zones take, a header and their lines of cells each, with n pageblocks a cell */
static uint64_t map_lines(const struct kf_memmap *m, uint64_t n, int cols)
{
	uint64_t lines = 0;

	for (int i = 0; i < m->nr_zones; i++)
		lines += 1 + (uint64_t)zone_lines(&m->zones[i], n, cols, NULL);
	return lines;
}

/* marks the cells holding the PFNs [start, end) */
static void map_mark(struct kf_top_memmap *mm, const struct kf_memmap *m, uint64_t start, uint64_t end)
{
	for (int i = 0; i < m->nr_zones; i++) {
		const struct kf_memmap_zone *z = &m->zones[i];
		struct kf_top_map_zone *t = &mm->zones[i];
		uint64_t s = start > z->start_pfn ? start : z->start_pfn;
		uint64_t e = end < z->end_pfn ? end : z->end_pfn;

		if (s >= e)
			continue;
		uint64_t c0 = ((s >> m->pageblock_order) - z->first_block) / mm->per_cell;
		uint64_t c1 = (((e - 1) >> m->pageblock_order) - z->first_block) / mm->per_cell;

		for (uint64_t c = c0; c <= c1 && c < (uint64_t)t->nr_cells; c++)
			t->cells[c].locked = true;
	}
}

/* zone t of the view from zone z of the map: cells of per_cell pageblocks,
 * cols a line, each showing the worst kind among its pageblocks; -1 (ENOMEM) */
static int map_zone(struct kf_top_map_zone *t, const struct kf_memmap_zone *z, uint64_t per_cell, int cols)
{
	t->node = z->node;
	memcpy(t->name, z->name, sizeof(t->name));
	t->name[sizeof(t->name) - 1] = '\0';
	t->start_pfn = z->start_pfn;
	t->end_pfn = z->end_pfn;
	t->nr_blocks = z->nr_blocks;
	t->nr_cells = (int)div_up(z->nr_blocks, per_cell);
	t->rows = zone_lines(z, per_cell, cols, NULL);
	t->cells = calloc(t->nr_cells ? t->nr_cells : 1, sizeof(*t->cells));
	t->lines = calloc(t->rows ? t->rows : 1, sizeof(*t->lines));
	if (!t->cells || !t->lines)
		return -1;
	zone_lines(z, per_cell, cols, t->lines);
	for (int l = 0; l < t->rows; l++)
		t->folded_cells += t->lines[l].fold ? t->lines[l].n : 0;
	for (uint64_t b = 0; b < z->nr_blocks; b++) {
		enum kf_block_kind k = z->blocks[b].kind < KF_BK_NR ? z->blocks[b].kind : KF_BK_HOLE;
		struct kf_top_map_cell *c = &t->cells[b / per_cell];

		t->by_kind[k]++;
		if (b % per_cell == 0 || kf_top_memmap_rank(k) > kf_top_memmap_rank(c->kind))
			c->kind = k;
	}
	t->compactable = t->by_kind[KF_BK_FREE] + t->by_kind[KF_BK_MOVABLE];
	t->unsure = t->by_kind[KF_BK_UNSURE];
	t->holes = t->by_kind[KF_BK_HOLE] + t->by_kind[KF_BK_EMPTY];
	t->blocked = kf_block_kinds_blocked(t->by_kind);
	return 0;
}

/* where the protected processes' locked pages are now */
static void map_locked(struct kf_top_memmap *mm, const struct kf_memmap *m, const struct kf_guard_input *gi)
{
	for (int p = 0; gi && p < gi->nr_procs; p++) {
		const struct kf_protected *pr = &gi->procs[p];

		if (!pr->nr_cur_pfns)
			continue;
		mm->guard_pfn_procs++;
		for (int r = 0; r < pr->nr_cur_pfns; r++)
			map_mark(mm, m, pr->cur_pfns[r].start, pr->cur_pfns[r].end);
	}
	for (int i = 0; i < mm->nr_zones; i++) {
		for (int c = 0; c < mm->zones[i].nr_cells; c++)
			mm->zones[i].locked_cells += mm->zones[i].cells[c].locked;
		mm->locked_cells += mm->zones[i].locked_cells;
	}
}

int kf_top_memmap_build(struct kf_top_memmap *mm, const struct kf_memmap *m,
			const struct kf_guard_input *gi, uint64_t page_size, int rows, int cols)
{
	uint64_t most = 1, lo, hi;

	kf_top_memmap_release(mm);
	mm->shown = true;
	mm->guard_on = gi != NULL;
	if (!m)
		return 0;
	mm->available = true;
	mm->pageblock_order = m->pageblock_order;
	mm->block_kb = ((page_size ? page_size : 4096) << m->pageblock_order) / 1024;
	mm->cols = cols > 0 ? cols : 1;
	for (int i = 0; i < m->nr_zones; i++)
		if (m->zones[i].nr_blocks > most)
			most = m->zones[i].nr_blocks;
	/* the smallest number of pageblocks a cell that fits: lines only fall as it grows */
	if (rows <= 0 || map_lines(m, most, mm->cols) > (uint64_t)rows) {
		mm->per_cell = most;
		mm->fits = false;
	} else {
		for (lo = 1, hi = most; lo < hi;) {
			uint64_t mid = lo + (hi - lo) / 2;

			if (map_lines(m, mid, mm->cols) <= (uint64_t)rows)
				hi = mid;
			else
				lo = mid + 1;
		}
		/* folds make the lines not quite fall as cells grow: the
		 * smallest found, stepped down while one fewer fits too */
		for (int k = 0; k < 64 && lo > 1 && map_lines(m, lo - 1, mm->cols) <= (uint64_t)rows; k++)
			lo--;
		mm->per_cell = lo;
		mm->fits = true;
	}
	mm->lines = (int)map_lines(m, mm->per_cell, mm->cols);

	mm->zones = calloc(m->nr_zones ? m->nr_zones : 1, sizeof(*mm->zones));
	if (!mm->zones)
		goto nomem;
	mm->nr_zones = m->nr_zones;
	for (int i = 0; i < m->nr_zones; i++)
		if (map_zone(&mm->zones[i], &m->zones[i], mm->per_cell, mm->cols) < 0)
			goto nomem;
	map_locked(mm, m, gi);
	return 0;

nomem:
	kf_top_memmap_release(mm);
	errno = ENOMEM;
	return -1;
}
