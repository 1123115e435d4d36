// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory map as JSON: a per-zone summary, and with full_map the kind of
 * every pageblock, run-length encoded.
 *
 * "map" is a string of runs, each a kind character followed by a decimal
 * count of consecutive pageblocks of that kind, for the zone's pageblocks
 * in PFN order from "map_first_pfn" (the first pageblock touching the
 * span), pageblock_pages PFNs each: ".2F752M3U1" is two hole blocks, then
 * 752 free ones, 3 movable-only ones and one blocked by unevictable pages.
 * Runs match /([.A-Za-z])([0-9]+)/; the characters (kf_block_kind_chars)
 * and their meaning are in "legend" and in include/kf_memmap.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kf_memmap.h"
#include "kf_zones.h"
#include "kf_report.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *fraction(uint64_t num, uint64_t den)
{
	return den ? json_real((double)num / den) : json_null();
}

static json_t *memmap_legend(void)
{
	static const char *const what[KF_BK_NR] = {
		[KF_BK_HOLE] = "no memory: a hole in the memory map",
		[KF_BK_EMPTY] = "no page reports a flag: memory not initialised yet, or unflagged kernel memory",
		[KF_BK_FREE] = "free",
		[KF_BK_MOVABLE] = "free and movable (LRU) pages only: compaction can free it",
		[KF_BK_UNSURE] = "free and movable pages, and pages without flags (per-CPU free or unknown kernel memory)",
		[KF_BK_RESERVED] = "blocked: reserved, hwpoison or offline pages, or partly a hole",
		[KF_BK_SLAB] = "blocked: slab pages",
		[KF_BK_PGTABLE] = "blocked: page tables",
		[KF_BK_KERNEL] = "blocked: other non-LRU kernel pages",
		[KF_BK_HUGE] = "blocked: hugetlb pages or a compound page of pageblock order or more",
		[KF_BK_UNEVICTABLE] = "blocked: unevictable or mlocked pages",
		[KF_BK_WRITEBACK] = "blocked: pages under writeback",
	};
	json_t *o = json_object();
	char key[2] = "";

	for (int k = 0; k < KF_BK_NR; k++) {
		key[0] = kf_block_kind_chars[k];
		json_object_set_new(o, key, json_pack("{s:s,s:s}", "name", kf_block_kind_names[k],
						      "means", what[k]));
	}
	return o;
}

/* runs of kinds: "F12M3U1" */
static json_t *memmap_rle(const struct kf_memmap_zone *z)
{
	size_t cap = 64, len = 0;
	char *s = malloc(cap), *t;
	json_t *j;

	if (!s)
		return NULL;
	s[0] = '\0';
	for (uint64_t i = 0; i < z->nr_blocks;) {
		uint64_t run = 1;
		int n;

		while (i + run < z->nr_blocks && z->blocks[i + run].kind == z->blocks[i].kind)
			run++;
		/* a kind and up to 20 digits */
		if (len + 24 > cap) {
			cap *= 2;
			t = realloc(s, cap);
			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		n = snprintf(s + len, cap - len, "%c%llu", kf_block_kind_chars[z->blocks[i].kind],
			     (unsigned long long)run);
		len += n;
		i += run;
	}
	j = json_stringn(s, len);
	free(s);
	return j;
}

static json_t *memmap_zone_json(const struct kf_memmap *m, const struct kf_memmap_zone *z,
				bool full_map)
{
	json_t *o, *kinds = json_object(), *blocked = json_object(), *with = json_object();
	json_t *pages = json_object(), *buddy, *compact;
	for (int k = 0; k < KF_BK_NR; k++) {
		if (kf_block_kind_blocked(k)) {
			json_object_set_new(blocked, kf_block_kind_names[k], u64(z->blocks_by_kind[k]));
		} else {
			json_object_set_new(kinds, kf_block_kind_names[k], u64(z->blocks_by_kind[k]));
		}
	}
	json_object_set_new(kinds, "blocked", u64(kf_memmap_zone_blocked(z)));
	for (int c = 0; c < KF_PC_NR; c++) {
		json_object_set_new(pages, kf_page_class_names[c], u64(z->pages[c]));
		json_object_set_new(with, kf_page_class_names[c], u64(z->blocks_with[c]));
	}
	if (m->flags & KF_MEMMAP_PAGECOUNT)
		json_object_set_new(pages, "movable_shared", u64(z->shared_pages));

	compact = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			    "usable_blocks", u64(z->usable_blocks),
			    "blocks", u64(z->compactable_blocks),
			    "fraction", fraction(z->compactable_blocks, z->usable_blocks),
			    "blocks_max", u64(z->compactable_blocks_max),
			    "fraction_max", fraction(z->compactable_blocks_max, z->usable_blocks),
			    "blocks_if_unevictable_moved", u64(z->compactable_if_unevictable),
			    "fraction_if_unevictable_moved",
			    fraction(z->compactable_if_unevictable, z->usable_blocks));

	if (z->have_buddy)
		buddy = json_pack("{s:o,s:f,s:f,s:o}",
				  "free_pageblocks", u64(z->buddy_free_blocks),
				  "unusable_index", z->unusable_index / 1000.0,
				  "extfrag_index", z->extfrag_index / 1000.0,
				  "compaction_gain_blocks",
				  json_integer((json_int_t)z->compactable_blocks - (json_int_t)z->buddy_free_blocks));
	else
		buddy = json_null();

	o = json_pack("{s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		      "node", z->node, "zone", z->name,
		      "start_pfn", u64(z->start_pfn), "end_pfn", u64(z->end_pfn),
		      "pageblocks", u64(z->nr_blocks),
		      "kernel_pageblocks", z->have_kernel_blocks ? u64(z->kernel_blocks) : json_null(),
		      "by_kind", kinds, "blocked_by", blocked, "blocks_with", with,
		      "pages", pages, "compactable", compact, "buddy", buddy);
	if (o && full_map) {
		json_object_set_new(o, "map_first_pfn", u64(z->first_block << m->pageblock_order));
		json_object_set_new(o, "map", memmap_rle(z));
	}
	return o;
}

json_t *kf_memmap_json(const struct kf_memmap *m, bool full_map)
{
	json_t *o, *zones = json_array();

	for (int i = 0; i < m->nr_zones; i++)
		json_array_append_new(zones, memmap_zone_json(m, &m->zones[i], full_map));
	o = json_pack("{s:i,s:o,s:b,s:o,s:o}",
		      "pageblock_order", m->pageblock_order,
		      "pageblock_pages", u64(UINT64_C(1) << m->pageblock_order),
		      "kpagecount", (m->flags & KF_MEMMAP_PAGECOUNT) != 0,
		      "compact_unevictable_allowed",
		      m->compact_unevictable_allowed < 0 ? json_null()
							 : json_integer(m->compact_unevictable_allowed),
		      "zones", zones);
	if (o && full_map)
		json_object_set_new(o, "legend", memmap_legend());
	return o;
}

/* every PFN a protected process's locked pages have now, for kf_memmap_locate */
static uint64_t *protected_pfns(const struct kf_protected *p, size_t *n)
{
	size_t total = 0, i = 0;
	uint64_t *pfns;

	for (int r = 0; r < p->nr_cur_pfns; r++)
		total += p->cur_pfns[r].end - p->cur_pfns[r].start;
	*n = total;
	pfns = malloc((total ? total : 1) * sizeof(*pfns));
	if (!pfns)
		return NULL;
	for (int r = 0; r < p->nr_cur_pfns; r++)
		for (uint64_t pfn = p->cur_pfns[r].start; pfn < p->cur_pfns[r].end; pfn++)
			pfns[i++] = pfn;
	return pfns;
}

json_t *kf_memmap_protected_json(const struct kf_memmap *m, const struct kf_guard_input *gi)
{
	json_t *a = json_array();

	for (int i = 0; gi && i < gi->nr_procs; i++) {
		const struct kf_protected *p = &gi->procs[i];
		struct kf_memmap_where *where;
		json_t *zones;
		uint64_t *pfns;
		size_t n;

		if (!p->pagemap_readable || !p->nr_cur_pfns)
			continue;
		pfns = protected_pfns(p, &n);
		where = calloc(m->nr_zones + 1, sizeof(*where));
		if (!pfns || !where || kf_memmap_locate(m, pfns, n, where) < 0) {
			free(pfns);
			free(where);
			continue;
		}
		zones = json_array();
		for (int z = 0; z <= m->nr_zones; z++) {
			json_t *kinds;

			if (!where[z].pfns)
				continue;
			kinds = json_object();
			for (int k = 0; k < KF_BK_NR; k++)
				if (where[z].by_kind[k])
					json_object_set_new(kinds, kf_block_kind_names[k], u64(where[z].by_kind[k]));
			json_array_append_new(zones, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o}",
				"node", z < m->nr_zones ? json_integer(m->zones[z].node) : json_null(),
				"zone", z < m->nr_zones ? m->zones[z].name : "unknown",
				"pages", u64(where[z].pfns),
				"in_compactable_blocks", u64(where[z].compactable),
				"in_blocked_blocks", u64(where[z].blocked),
				"by_block_kind", kinds));
		}
		json_array_append_new(a, json_pack("{s:i,s:s,s:o,s:o}", "pid", p->pid, "comm", p->comm,
						   "locked_pages", u64(n), "zones", zones));
		free(pfns);
		free(where);
	}
	return a;
}

int kf_memmap_text(const struct kf_memmap *m, FILE *out)
{
	fprintf(out, "%-4s %-8s %9s %8s %8s %8s %8s %8s  %-34s %s\n", "node", "zone", "blocks", "free",
		"movable", "unsure", "blocked", "no flag", "blocked by (pageblocks)", "compactable");
	for (int i = 0; i < m->nr_zones; i++) {
		const struct kf_memmap_zone *z = &m->zones[i];
		char reasons[128] = "", frac[16] = "-";
		size_t len = 0;
		uint64_t blocked = kf_memmap_zone_blocked(z);

		for (int k = KF_BK_FIRST_BLOCKED; k < KF_BK_NR; k++) {
			if (z->blocks_by_kind[k] && len < sizeof(reasons))
				len += snprintf(reasons + len, sizeof(reasons) - len, "%s%s %llu", len ? ", " : "",
						kf_block_kind_names[k], (unsigned long long)z->blocks_by_kind[k]);
		}
		if (z->usable_blocks)
			snprintf(frac, sizeof(frac), "%.1f%%", 100.0 * z->compactable_blocks / z->usable_blocks);
		fprintf(out, "%-4d %-8s %9llu %8llu %8llu %8llu %8llu %8llu  %-34s %s\n", z->node, z->name,
			(unsigned long long)z->nr_blocks,
			(unsigned long long)z->blocks_by_kind[KF_BK_FREE],
			(unsigned long long)z->blocks_by_kind[KF_BK_MOVABLE],
			(unsigned long long)z->blocks_by_kind[KF_BK_UNSURE],
			(unsigned long long)blocked,
			(unsigned long long)z->blocks_by_kind[KF_BK_EMPTY],
			reasons[0] ? reasons : "-", frac);
	}
	return ferror(out) ? -1 : 0;
}
