// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory map: page and pageblock classification on hand-built flags
 * (each answer follows from the rules in include/kf_memmap.h, stated beside
 * it), the per-zone counts, locate, the JSON map, the reader's errors, and
 * a saved slice of a real /proc/kpageflags whose expected answers
 * tests/data/memmap/classify.py computed from the raw bytes.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "kf_memmap.h"
#include "kf_guard.h"
#include "kf_report.h"

#define B(bit)	KF_KPF(KF_KPF_##bit)

#define FIXTURE	"memmap/normal-48"

/* ---- pages ------------------------------------------------------------ */

static void check_pages(void)
{
	const uint64_t N = KF_MEMMAP_NO_COUNT;

	/* a hole is a hole whatever else the entry says */
	CHECK_EQ_INT(kf_page_classify(B(NOPAGE), N), KF_PC_ABSENT);
	CHECK_EQ_INT(kf_page_classify(B(NOPAGE) | B(LRU), N), KF_PC_ABSENT);
	/* every page of a free buddy block reports BUDDY on 6.x */
	CHECK_EQ_INT(kf_page_classify(B(BUDDY), N), KF_PC_FREE);
	CHECK_EQ_INT(kf_page_classify(B(BUDDY) | B(IDLE), N), KF_PC_FREE);
	/* reserved memory, poisoned, offline, and the shared zero page */
	CHECK_EQ_INT(kf_page_classify(B(RESERVED), N), KF_PC_RESERVED);
	CHECK_EQ_INT(kf_page_classify(B(RESERVED) | B(SLAB), N), KF_PC_RESERVED);
	CHECK_EQ_INT(kf_page_classify(B(HWPOISON) | B(LRU), N), KF_PC_RESERVED);
	CHECK_EQ_INT(kf_page_classify(B(OFFLINE), N), KF_PC_RESERVED);
	CHECK_EQ_INT(kf_page_classify(B(ZERO_PAGE), N), KF_PC_RESERVED);
	/* the huge zero folio is a compound kernel page, not the reserved one */
	CHECK_EQ_INT(kf_page_classify(B(ZERO_PAGE) | B(THP) | B(COMPOUND_HEAD), N), KF_PC_KERNEL);
	/* hugetlb */
	CHECK_EQ_INT(kf_page_classify(B(HUGE) | B(COMPOUND_HEAD), N), KF_PC_HUGE);
	CHECK_EQ_INT(kf_page_classify(B(HUGE) | B(COMPOUND_TAIL), N), KF_PC_HUGE);
	/* slab on every page of the slab; the ANON bit seen on some is noise */
	CHECK_EQ_INT(kf_page_classify(B(SLAB), N), KF_PC_SLAB);
	CHECK_EQ_INT(kf_page_classify(B(SLAB) | B(COMPOUND_TAIL), N), KF_PC_SLAB);
	CHECK_EQ_INT(kf_page_classify(B(SLAB) | B(ANON), N), KF_PC_SLAB);
	CHECK_EQ_INT(kf_page_classify(B(PGTABLE), N), KF_PC_PGTABLE);
	/* unevictable or mlocked, on the LRU or in transit */
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(UNEVICTABLE) | B(MLOCKED) | B(ANON), N), KF_PC_UNEVICTABLE);
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(UNEVICTABLE), N), KF_PC_UNEVICTABLE);
	CHECK_EQ_INT(kf_page_classify(B(MLOCKED) | B(ANON) | B(UPTODATE), N), KF_PC_UNEVICTABLE);
	/* under writeback, even on the LRU */
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(WRITEBACK) | B(UPTODATE), N), KF_PC_WRITEBACK);
	/* LRU pages move: anon, file, KSM, small THPs */
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(ANON) | B(MMAP) | B(SWAPBACKED), N), KF_PC_MOVABLE);
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(UPTODATE) | B(ACTIVE) | B(REFERENCED), N), KF_PC_MOVABLE);
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(THP) | B(COMPOUND_TAIL), N), KF_PC_MOVABLE);
	CHECK_EQ_INT(kf_page_classify(B(LRU) | B(KSM) | B(ANON), N), KF_PC_MOVABLE);
	/* no flag: per-CPU free, uninitialised or unflagged kernel memory */
	CHECK_EQ_INT(kf_page_classify(0, N), KF_PC_UNFLAGGED);
	CHECK_EQ_INT(kf_page_classify(B(IDLE), N), KF_PC_UNFLAGGED);
	CHECK_EQ_INT(kf_page_classify(0, 0), KF_PC_UNFLAGGED);
	/* ... unless kpagecount says it is mapped: then it is in use */
	CHECK_EQ_INT(kf_page_classify(0, 1), KF_PC_KERNEL);
	CHECK_EQ_INT(kf_page_classify(0, 7), KF_PC_KERNEL);
	/* anything else off the LRU: compound kernel pages, pages in transit */
	CHECK_EQ_INT(kf_page_classify(B(COMPOUND_TAIL), N), KF_PC_KERNEL);
	CHECK_EQ_INT(kf_page_classify(B(COMPOUND_HEAD), N), KF_PC_KERNEL);
	CHECK_EQ_INT(kf_page_classify(B(ANON) | B(UPTODATE) | B(MMAP), N), KF_PC_KERNEL);
	CHECK_EQ_INT(kf_page_classify(B(RESERVED) + B(MLOCKED), N), KF_PC_RESERVED);
}

/* ---- pageblocks (8 pages each) ------------------------------------------ */

#define NP	8

static void fill(uint64_t *f, uint64_t v)
{
	for (int i = 0; i < NP; i++)
		f[i] = v;
}

static unsigned classify(const uint64_t *f, const uint64_t *c, uint16_t *classes)
{
	struct kf_memmap_block b = kf_block_classify(f, c, NP, NULL);

	if (classes)
		*classes = b.classes;
	return b.kind;
}

#define M(c)	(1u << KF_PC_##c)

static void check_blocks(void)
{
	const uint64_t lru = B(LRU) | B(ANON) | B(MMAP) | B(SWAPBACKED);
	const uint64_t thp_head = lru | B(THP) | B(COMPOUND_HEAD);
	const uint64_t thp_tail = lru | B(THP) | B(COMPOUND_TAIL);
	uint64_t f[NP], c[NP], pages[KF_PC_NR] = { 0 };
	uint16_t cl;
	struct kf_memmap_block b;

	/* every page free: a free pageblock */
	fill(f, B(BUDDY));
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_FREE);
	CHECK_EQ_INT(cl, M(FREE));
	/* free and LRU pages only: compaction can empty it */
	f[3] = lru;
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_MOVABLE);
	CHECK_EQ_INT(cl, M(FREE) | M(MOVABLE));
	/* plus a page without flags: can't tell, "unsure" */
	f[5] = 0;
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_UNSURE);
	CHECK_EQ_INT(cl, M(FREE) | M(MOVABLE) | M(UNFLAGGED));
	/* that page mapped (kpagecount 1): kernel memory, blocked */
	fill(c, 0);
	c[5] = 1;
	CHECK_EQ_INT(classify(f, c, &cl), KF_BK_KERNEL);
	c[5] = 0;
	CHECK_EQ_INT(classify(f, c, NULL), KF_BK_UNSURE);
	/* one slab page blocks; writeback too, slab is the harder one */
	f[6] = B(SLAB);
	f[7] = lru | B(WRITEBACK);
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_SLAB);
	CHECK_EQ_INT(cl, M(FREE) | M(MOVABLE) | M(UNFLAGGED) | M(SLAB) | M(WRITEBACK));
	/* unevictable before writeback */
	f[6] = lru | B(UNEVICTABLE) | B(MLOCKED);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_UNEVICTABLE);
	f[6] = lru;
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_WRITEBACK);
	/* reserved comes first of all */
	f[0] = B(RESERVED);
	f[1] = B(SLAB);
	f[2] = B(PGTABLE);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_RESERVED);
	f[0] = B(BUDDY);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_SLAB);
	f[1] = B(BUDDY);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_PGTABLE);
	f[4] = B(COMPOUND_TAIL);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_PGTABLE);
	f[2] = B(BUDDY);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_KERNEL);

	/* holes: all of it, with unflagged pages, or under free pages */
	fill(f, B(NOPAGE));
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_HOLE);
	CHECK_EQ_INT(cl, M(ABSENT));
	f[2] = 0;
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_EMPTY);
	f[3] = B(BUDDY);
	/* part hole: never a whole free block */
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_RESERVED);
	CHECK_EQ_INT(cl, M(ABSENT) | M(UNFLAGGED) | M(FREE));
	f[4] = B(SLAB);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_SLAB);
	/* no flags anywhere: uninitialised memmap or unflagged kernel memory */
	fill(f, 0);
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_EMPTY);
	CHECK_EQ_INT(cl, M(UNFLAGGED));

	/* a THP of pageblock order: compaction skips it, "huge" */
	fill(f, thp_tail);
	f[0] = thp_head;
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_HUGE);
	CHECK_EQ_INT(cl, M(HUGE));
	/* the block starts inside a larger compound (a 1 GiB page, say) */
	fill(f, thp_tail);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_HUGE);
	/* hugetlb */
	fill(f, B(HUGE) | B(COMPOUND_TAIL));
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_HUGE);
	/* a non-LRU kernel compound of pageblock order: huge too */
	fill(f, B(COMPOUND_TAIL));
	f[0] = B(COMPOUND_HEAD);
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_HUGE);
	/* a smaller THP (order 2) with free pages beside it moves */
	fill(f, B(BUDDY));
	f[0] = thp_head;
	f[1] = f[2] = f[3] = thp_tail;
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_MOVABLE);
	/* head and tails up to the end but a free page first: not one compound */
	fill(f, thp_tail);
	f[0] = B(BUDDY);
	f[1] = thp_head;
	CHECK_EQ_INT(classify(f, NULL, NULL), KF_BK_MOVABLE);
	/* an mlocked THP of pageblock order: unevictable says more */
	fill(f, thp_tail | B(UNEVICTABLE) | B(MLOCKED));
	f[0] = thp_head | B(UNEVICTABLE) | B(MLOCKED);
	CHECK_EQ_INT(classify(f, NULL, &cl), KF_BK_UNEVICTABLE);
	CHECK_EQ_INT(cl, M(UNEVICTABLE));

	/* page counts add up */
	fill(f, B(BUDDY));
	f[1] = lru;
	f[2] = 0;
	f[3] = B(SLAB);
	b = kf_block_classify(f, NULL, NP, pages);
	CHECK_EQ_INT(b.kind, KF_BK_SLAB);
	CHECK_EQ_U64(pages[KF_PC_FREE], 5);
	CHECK_EQ_U64(pages[KF_PC_MOVABLE], 1);
	CHECK_EQ_U64(pages[KF_PC_UNFLAGGED], 1);
	CHECK_EQ_U64(pages[KF_PC_SLAB], 1);

	CHECK_EQ_STR(kf_block_kind_chars, ".EFMmXSPKHUW");
}

/* ---- a map of two small zones (pageblock order 3) ---------------------- */

static void check_map(void)
{
	const uint64_t lru = B(LRU) | B(UPTODATE);
	const uint64_t mlocked = lru | B(UNEVICTABLE) | B(MLOCKED);
	struct kf_zone_info zones[3] = {
		/* PFNs 1..15: blocks 0 (cut by the span) and 1 */
		{ .node = 0, .name = "DMA", .start_pfn = 1, .spanned = 15, .populated = true },
		{ .node = 0, .name = "Movable", .populated = false },
		/* PFNs 16..55: blocks 2..6 */
		{ .node = 0, .name = "Normal", .start_pfn = 16, .spanned = 40, .populated = true },
	};
	struct kf_zoneinfo zi = { .zones = zones, .nr_zones = 3 };
	struct kf_buddy_zone bz[2] = {
		{ .node = 0, .name = "DMA", .nr_orders = 5, .free_blocks = { 1, 1, 1, 1, 0 } },
		/* 2 free blocks of order 3 and one of order 4: 4 pageblocks */
		{ .node = 0, .name = "Normal", .nr_orders = 5, .free_blocks = { 3, 0, 0, 2, 1 } },
	};
	struct kf_buddyinfo bi = { .zones = bz, .nr_zones = 2 };
	struct kf_pagetype_zone pz = { .node = 0, .name = "Normal", .pageblocks = { 1, 3, 1 } };
	struct kf_pagetypeinfo pt = { .pageblock_order = 3, .nr_mt = 3, .zones = &pz, .nr_zones = 1 };
	struct kf_memmap_where w[3];
	struct kf_memmap *m;
	const struct kf_memmap_zone *z;
	uint64_t f[NP], pfns[6];
	char err[256];
	int zone;

	m = kf_memmap_alloc(&zi, 3, err, sizeof(err));
	CHECK(m != NULL, "alloc: %s", err);
	if (!m)
		return;
	/* the unpopulated zone is left out */
	CHECK_EQ_INT(m->nr_zones, 2);
	CHECK_EQ_STR(m->zones[1].name, "Normal");
	CHECK_EQ_U64(m->zones[0].first_block, 0);
	CHECK_EQ_U64(m->zones[0].nr_blocks, 2);
	CHECK_EQ_U64(m->zones[1].first_block, 2);
	CHECK_EQ_U64(m->zones[1].nr_blocks, 5);

	/* DMA block 0: PFN 0 is outside the span, the rest free: partly a hole */
	fill(f, B(BUDDY));
	CHECK_EQ_INT(kf_memmap_feed(m, 0, 0, f, NULL), 0);
	CHECK_EQ_INT(m->zones[0].blocks[0].kind, KF_BK_RESERVED);
	/* PFN 0 is no page of the zone's: not counted as its hole */
	CHECK_EQ_U64(m->zones[0].pages[KF_PC_ABSENT], 0);
	CHECK_EQ_U64(m->zones[0].pages[KF_PC_FREE], 7);
	CHECK_EQ_INT(kf_memmap_feed(m, 0, 1, f, NULL), 0);
	/* twice: refused; out of the zone: refused */
	CHECK(kf_memmap_feed(m, 0, 1, f, NULL) < 0 && errno == EEXIST, "fed twice");
	CHECK(kf_memmap_feed(m, 0, 2, f, NULL) < 0 && errno == EINVAL, "block of another zone");
	CHECK(kf_memmap_feed(m, 2, 2, f, NULL) < 0 && errno == EINVAL, "no such zone");

	/* Normal: free, movable, unevictable only, unevictable + slab, empty */
	fill(f, B(BUDDY));
	CHECK_EQ_INT(kf_memmap_feed(m, 1, 2, f, NULL), 0);
	f[0] = lru;
	CHECK_EQ_INT(kf_memmap_feed(m, 1, 3, f, NULL), 0);
	fill(f, mlocked);
	f[7] = 0;
	CHECK_EQ_INT(kf_memmap_feed(m, 1, 4, f, NULL), 0);
	f[7] = B(SLAB);
	CHECK_EQ_INT(kf_memmap_feed(m, 1, 5, f, NULL), 0);
	fill(f, 0);
	CHECK_EQ_INT(kf_memmap_feed(m, 1, 6, f, NULL), 0);
	kf_memmap_finish(m, &bi, &pt);

	z = &m->zones[1];
	CHECK_EQ_U64(z->nr_fed, 5);
	CHECK_EQ_U64(z->blocks_by_kind[KF_BK_FREE], 1);
	CHECK_EQ_U64(z->blocks_by_kind[KF_BK_MOVABLE], 1);
	CHECK_EQ_U64(z->blocks_by_kind[KF_BK_UNEVICTABLE], 1);
	CHECK_EQ_U64(z->blocks_by_kind[KF_BK_SLAB], 1);
	CHECK_EQ_U64(z->blocks_by_kind[KF_BK_EMPTY], 1);
	CHECK_EQ_U64(z->blocks_with[KF_PC_UNEVICTABLE], 2);
	CHECK_EQ_U64(z->blocks_with[KF_PC_UNFLAGGED], 2);
	CHECK_EQ_U64(z->pages[KF_PC_UNEVICTABLE], 14);
	CHECK_EQ_U64(z->pages[KF_PC_FREE], 15);
	CHECK_EQ_U64(z->pages[KF_PC_UNFLAGGED], 9);
	/* the empty block is not counted as usable */
	CHECK_EQ_U64(z->usable_blocks, 4);
	CHECK_EQ_U64(z->compactable_blocks, 2);
	CHECK_EQ_U64(z->compactable_blocks_max, 2);
	/* the mlocked block without slab would move with compact_unevictable_allowed=1 */
	CHECK_EQ_U64(z->compactable_if_unevictable, 3);
	CHECK(z->have_buddy, "buddy zone found");
	CHECK_EQ_U64(z->buddy_free_blocks, 4);
	CHECK(z->have_kernel_blocks, "pagetype zone found");
	CHECK_EQ_U64(z->kernel_blocks, 5);
	CHECK(!m->zones[0].have_kernel_blocks, "DMA has no pagetypeinfo row");
	/* one free block of order 3 = one pageblock */
	CHECK_EQ_U64(m->zones[0].buddy_free_blocks, 1);
	CHECK_EQ_U64(m->zones[0].compactable_blocks, 1);

	/* locate: one PFN per Normal block, one in DMA, one in no zone */
	pfns[0] = 16;	/* free block */
	pfns[1] = 31;	/* movable block */
	pfns[2] = 32;	/* unevictable */
	pfns[3] = 47;	/* slab */
	pfns[4] = 3;	/* DMA block 0, reserved (part hole) */
	pfns[5] = 56;	/* past every span */
	CHECK_EQ_INT(kf_memmap_locate(m, pfns, 6, w), 0);
	CHECK_EQ_U64(w[0].pfns, 1);
	CHECK_EQ_U64(w[0].blocked, 1);
	CHECK_EQ_U64(w[0].by_kind[KF_BK_RESERVED], 1);
	CHECK_EQ_U64(w[1].pfns, 4);
	CHECK_EQ_U64(w[1].compactable, 2);
	CHECK_EQ_U64(w[1].blocked, 2);
	CHECK_EQ_U64(w[1].by_kind[KF_BK_UNEVICTABLE], 1);
	CHECK_EQ_U64(w[1].by_kind[KF_BK_SLAB], 1);
	CHECK_EQ_U64(w[2].pfns, 1);
	CHECK(kf_memmap_block_at(m, 56, &zone) == NULL && zone == 2, "pfn 56 in no zone");
	CHECK(kf_memmap_block_at(m, 0, NULL) == NULL, "pfn 0 in no zone");
	CHECK(kf_memmap_block_at(m, 55, &zone) == &m->zones[1].blocks[4] && zone == 1, "pfn 55");

	/* JSON: the map, run-length encoded */
	{
		json_t *j = kf_memmap_json(m, true), *zj;

		CHECK(j != NULL, "json");
		zj = json_array_get(json_object_get(j, "zones"), 1);
		CHECK_EQ_STR(json_string_value(json_object_get(zj, "map")), "F1M1U1S1E1");
		CHECK_EQ_U64(json_integer_value(json_object_get(zj, "map_first_pfn")), 16);
		CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(j, "zones"), 0), "map")), "X1F1");
		CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(zj, "by_kind"), "blocked")), 2);
		CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(zj, "buddy"), "compaction_gain_blocks")), (uint64_t)-2);
		CHECK(json_is_object(json_object_get(json_object_get(j, "legend"), "U")), "legend");
		json_decref(j);
		j = kf_memmap_json(m, false);
		zj = json_array_get(json_object_get(j, "zones"), 1);
		CHECK(json_object_get(zj, "map") == NULL, "no map without full_map");
		CHECK(json_object_get(j, "legend") == NULL, "no legend without full_map");
		CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(zj, "compactable"), "blocks")), 2);
		json_decref(j);
	}
	/* where a protected process's locked pages lie: only the zones that
	 * hold some (under make check-sanitize, no object made for the others) */
	{
		struct kf_pfn_range locked = { 32, 34 };	/* the unevictable block */
		struct kf_protected procs[2] = {
			{ .pid = 7, .comm = "lockedsched", .pagemap_readable = true,
			  .cur_pfns = &locked, .nr_cur_pfns = 1 },
			{ .pid = 8, .comm = "unreadable" },
		};
		struct kf_guard_input gi = { .procs = procs, .nr_procs = 2 };
		json_t *a = kf_memmap_protected_json(m, &gi), *where, *zj;

		CHECK_EQ_INT((int)json_array_size(a), 1);
		where = json_object_get(json_array_get(a, 0), "zones");
		CHECK_EQ_INT((int)json_array_size(where), 1);
		zj = json_array_get(where, 0);
		CHECK_EQ_STR(json_string_value(json_object_get(zj, "zone")), "Normal");
		CHECK_EQ_U64(json_integer_value(json_object_get(zj, "pages")), 2);
		CHECK_EQ_U64(json_integer_value(json_object_get(zj, "in_blocked_blocks")), 2);
		CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(zj, "by_block_kind"),
								kf_block_kind_names[KF_BK_UNEVICTABLE])), 2);
		json_decref(a);
	}
	kf_memmap_free(m);

	CHECK(kf_memmap_alloc(&zi, -1, err, sizeof(err)) == NULL, "bad order");
}

/* ---- the saved slice ---------------------------------------------------- */

struct expected {
	uint64_t start_pfn, blocks, shared;
	bool have_shared;
	char map[4096];
	uint64_t kind[KF_BK_NR], pages[KF_PC_NR], with[KF_PC_NR];
};

static int name_index(const char *const *names, int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static int load_expected(const char *path, struct expected *e)
{
	FILE *f = fopen(path, "r");
	char key[32], name[32], rest[4096];
	unsigned long long v;
	int i, n = 0;

	memset(e, 0, sizeof(*e));
	if (!f)
		return -1;
	while (fscanf(f, "%31s", key) == 1) {
		if (strcmp(key, "map") == 0 && fscanf(f, "%4095s", rest) == 1) {
			snprintf(e->map, sizeof(e->map), "%s", rest);
		} else if (strcmp(key, "start_pfn") == 0 && fscanf(f, "%llu", &v) == 1) {
			e->start_pfn = v;
		} else if (strcmp(key, "blocks") == 0 && fscanf(f, "%llu", &v) == 1) {
			e->blocks = v;
		} else if (strcmp(key, "shared") == 0 && fscanf(f, "%llu", &v) == 1) {
			e->shared = v;
			e->have_shared = true;
		} else if (fscanf(f, "%31s %llu", name, &v) == 2) {
			if (strcmp(key, "kind") == 0 &&
			    (i = name_index(kf_block_kind_names, KF_BK_NR, name)) >= 0)
				e->kind[i] = v;
			else if (strcmp(key, "pages") == 0 &&
				 (i = name_index(kf_page_class_names, KF_PC_NR, name)) >= 0)
				e->pages[i] = v;
			else if (strcmp(key, "with") == 0 &&
				 (i = name_index(kf_page_class_names, KF_PC_NR, name)) >= 0)
				e->with[i] = v;
			else
				break;
		} else {
			break;
		}
		n++;
	}
	fclose(f);
	return n > 3 && e->blocks ? 0 : -1;
}

static void check_slice(unsigned flags, const char *expected_name)
{
	char dir[4096], path[4200], err[512], map[4096];
	struct kf_memstate ms;
	struct kf_memmap *m;
	struct expected e;
	int zone = -1;
	size_t len = 0;

	snprintf(dir, sizeof(dir), "%s", fixture(FIXTURE));
	snprintf(path, sizeof(path), "%s/%s", dir, expected_name);
	CHECK(load_expected(path, &e) == 0, "%s: unreadable", path);
	CHECK(kf_memstate_read(dir, &ms, err, sizeof(err)) == 0, "memstate: %s", err);
	if (kf_memmap_scan(dir, &ms, flags, &m, err, sizeof(err)) < 0) {
		CHECK(0, "scan %s: %s", dir, err);
		kf_memstate_release(&ms);
		return;
	}
	CHECK_EQ_INT(m->pageblock_order, ms.pagetypeinfo.pageblock_order);
	CHECK(kf_memmap_block_at(m, e.start_pfn, &zone) != NULL, "slice start %llu in a zone",
	      (unsigned long long)e.start_pfn);

	for (int zi = 0; zi < m->nr_zones; zi++) {
		const struct kf_memmap_zone *z = &m->zones[zi];
		uint64_t span = z->end_pfn - z->start_pfn, outside = z->nr_blocks - e.blocks;

		if (zi != zone) {
			/* beyond the slice: all holes */
			CHECK_EQ_U64(z->blocks_by_kind[KF_BK_HOLE], z->nr_blocks);
			CHECK_EQ_U64(z->pages[KF_PC_ABSENT], span);
			CHECK_EQ_U64(z->usable_blocks, 0);
			continue;
		}
		/* the slice's blocks, kind by kind, against the map */
		for (uint64_t b = 0; b < e.blocks;) {
			uint64_t first = (e.start_pfn >> m->pageblock_order) - z->first_block + b;
			uint64_t run = 1;

			while (b + run < e.blocks && z->blocks[first + run].kind == z->blocks[first].kind)
				run++;
			len += snprintf(map + len, sizeof(map) - len, "%c%llu",
					kf_block_kind_chars[z->blocks[first].kind], (unsigned long long)run);
			b += run;
			if (len >= sizeof(map))
				break;
		}
		CHECK_EQ_STR(map, e.map);
		for (int k = 0; k < KF_BK_NR; k++)
			CHECK(z->blocks_by_kind[k] == e.kind[k] + (k == KF_BK_HOLE ? outside : 0),
			      "%s: %s blocks %llu, want %llu", expected_name, kf_block_kind_names[k],
			      (unsigned long long)z->blocks_by_kind[k], (unsigned long long)e.kind[k]);
		for (int c = 0; c < KF_PC_NR; c++) {
			uint64_t hole = c == KF_PC_ABSENT ? span - (e.blocks << m->pageblock_order) : 0;

			CHECK(z->pages[c] == e.pages[c] + hole, "%s: %s pages %llu, want %llu",
			      expected_name, kf_page_class_names[c], (unsigned long long)z->pages[c],
			      (unsigned long long)(e.pages[c] + hole));
			CHECK(z->blocks_with[c] == e.with[c] + (c == KF_PC_ABSENT ? outside : 0),
			      "%s: blocks with %s %llu, want %llu", expected_name, kf_page_class_names[c],
			      (unsigned long long)z->blocks_with[c], (unsigned long long)e.with[c]);
		}
		CHECK_EQ_U64(z->usable_blocks, e.blocks - e.kind[KF_BK_EMPTY] - e.kind[KF_BK_HOLE]);
		CHECK_EQ_U64(z->compactable_blocks, e.kind[KF_BK_FREE] + e.kind[KF_BK_MOVABLE]);
		CHECK_EQ_U64(z->shared_pages, e.have_shared ? e.shared : 0);
	}
	kf_memmap_free(m);
	kf_memstate_release(&ms);
}

/* ---- the reader's errors ----------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void check_errors(void)
{
	char tmp[] = "/tmp/kfrag-memmap.XXXXXX", path[4200], src[4200], err[512];
	struct kf_memstate ms;
	struct kf_memmap *m = (struct kf_memmap *)1;
	static const char *const files[] = { "zoneinfo", "pagetypeinfo", "kpageflags" };

	if (!mkdtemp(tmp)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* a copy of the slice's tree, spoiled file by file */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(src, sizeof(src), "cp '%s/%s' '%s/'", fixture(FIXTURE), files[i], tmp);
		CHECK(system(src) == 0, "%s", src);
	}
	CHECK(kf_memstate_read(tmp, &ms, err, sizeof(err)) == 0, "memstate: %s", err);

	/* no start_pfn file: the slice is taken to start at PFN 0, all holes in the zones */
	CHECK(kf_memmap_scan(tmp, &ms, 0, &m, err, sizeof(err)) == 0, "scan: %s", err);
	if (m && m != (struct kf_memmap *)1)
		kf_memmap_free(m);

	snprintf(path, sizeof(path), "%s/kpageflags.start_pfn", tmp);
	write_file(path, "12x\n");
	CHECK(kf_memmap_scan(tmp, &ms, 0, &m, err, sizeof(err)) < 0 && errno == EINVAL &&
	      strstr(err, "kpageflags.start_pfn: not a decimal PFN") && m == NULL,
	      "bad start_pfn: %s", err);
	unlink(path);

	/* kpagecount asked for and missing */
	CHECK(kf_memmap_scan(tmp, &ms, KF_MEMMAP_PAGECOUNT, &m, err, sizeof(err)) < 0 &&
	      errno == ENOENT && strstr(err, "kpagecount"), "no kpagecount: %s", err);

	/* no pagetypeinfo: no pageblock order */
	kf_memstate_release(&ms);
	snprintf(path, sizeof(path), "%s/pagetypeinfo", tmp);
	unlink(path);
	CHECK(kf_memstate_read(tmp, &ms, err, sizeof(err)) == 0, "memstate: %s", err);
	CHECK(kf_memmap_scan(tmp, &ms, 0, &m, err, sizeof(err)) < 0 && errno == EINVAL &&
	      strstr(err, "pageblock order is unknown"), "no pagetypeinfo: %s", err);

	/* no kpageflags at all */
	snprintf(path, sizeof(path), "%s/kpageflags", tmp);
	unlink(path);
	CHECK(kf_memmap_scan(tmp, &ms, 0, &m, err, sizeof(err)) < 0 && errno == ENOENT &&
	      strstr(err, "CONFIG_PROC_PAGE_MONITOR"), "no kpageflags: %s", err);
	kf_memstate_release(&ms);

	snprintf(src, sizeof(src), "rm -rf '%s'", tmp);
	CHECK(system(src) == 0, "%s", src);
}

/* 0 when the scan of the machine fails with the not-root message */
static int scan_as_user(void)
{
	const char *want = "reading /proc/kpageflags needs root (CAP_SYS_ADMIN): "
			   "the memory map is not available";
	struct kf_memstate ms;
	struct kf_memmap *m = NULL;
	char err[512] = "";

	/* kpageflags is opened before anything else is looked at */
	memset(&ms, 0, sizeof(ms));
	if (kf_memmap_scan("/", &ms, 0, &m, err, sizeof(err)) == 0 || errno != EACCES ||
	    strcmp(err, want) != 0 || m != NULL) {
		fprintf(stderr, "not root: err \"%s\", want \"%s\"\n", err, want);
		return 1;
	}
	return 0;
}

/* not root: the exact message (as root, from a child that gives root up) */
static void check_not_root(void)
{
	pid_t pid;
	int status = 0;

	if (access("/proc/kpageflags", F_OK) != 0) {
		fprintf(stderr, "note: no /proc/kpageflags here, the not-root message is not checked\n");
		return;
	}
	if (geteuid() != 0) {
		CHECK(scan_as_user() == 0, "the not-root message");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(77);
		_exit(scan_as_user());
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	      "not-root child: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		fprintf(stderr, "note: could not drop root, the not-root message is not checked\n");
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the not-root message");
}

int main(void)
{
	check_pages();
	check_blocks();
	check_map();
	check_slice(0, "expected");
	check_slice(KF_MEMMAP_PAGECOUNT, "expected-pagecount");
	check_errors();
	check_not_root();
	return check_done();
}
