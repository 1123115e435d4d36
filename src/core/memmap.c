// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory map's pure side: pages to classes, pageblocks to kinds, zones
 * to counts (the rules are in include/kf_memmap.h). No I/O: the reader in
 * memmap_scan.c feeds it, and tests feed it arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "kf_memmap.h"

const char *const kf_page_class_names[KF_PC_NR] = {
	[KF_PC_ABSENT] = "hole",
	[KF_PC_FREE] = "free",
	[KF_PC_MOVABLE] = "movable",
	[KF_PC_UNFLAGGED] = "no_flags",
	[KF_PC_RESERVED] = "reserved",
	[KF_PC_SLAB] = "slab",
	[KF_PC_PGTABLE] = "page_tables",
	[KF_PC_KERNEL] = "kernel",
	[KF_PC_HUGE] = "huge",
	[KF_PC_UNEVICTABLE] = "unevictable",
	[KF_PC_WRITEBACK] = "writeback",
};

const char kf_block_kind_chars[KF_BK_NR + 1] = ".EFMmXSPKHUW";

const char *const kf_block_kind_names[KF_BK_NR] = {
	[KF_BK_HOLE] = "hole",
	[KF_BK_EMPTY] = "no_flags",
	[KF_BK_FREE] = "free",
	[KF_BK_MOVABLE] = "movable",
	[KF_BK_UNSURE] = "unsure",
	[KF_BK_RESERVED] = "reserved",
	[KF_BK_SLAB] = "slab",
	[KF_BK_PGTABLE] = "page_tables",
	[KF_BK_KERNEL] = "kernel",
	[KF_BK_HUGE] = "huge",
	[KF_BK_UNEVICTABLE] = "unevictable",
	[KF_BK_WRITEBACK] = "writeback",
};

/* the blocking classes and the kinds they give, in the same order */
_Static_assert(KF_BK_WRITEBACK - KF_BK_RESERVED == KF_PC_WRITEBACK - KF_PC_RESERVED,
	       "blocking classes and blocked kinds must line up");

#define F(bit)	KF_KPF(KF_KPF_##bit)

enum kf_page_class kf_page_classify(uint64_t flags, uint64_t count)
{
	if (flags & F(NOPAGE))
		return KF_PC_ABSENT;
	if (flags & F(BUDDY))
		return KF_PC_FREE;
	/* the shared zero page is reserved kernel memory whatever else it says */
	if (flags & (F(RESERVED) | F(HWPOISON) | F(OFFLINE)) ||
	    (flags & F(ZERO_PAGE) && !(flags & F(THP))))
		return KF_PC_RESERVED;
	if (flags & F(HUGE))
		return KF_PC_HUGE;
	if (flags & F(SLAB))
		return KF_PC_SLAB;
	if (flags & F(PGTABLE))
		return KF_PC_PGTABLE;
	/* mlocked pages are unevictable; KPF_MLOCKED alone is a page in transit */
	if (flags & (F(UNEVICTABLE) | F(MLOCKED)))
		return KF_PC_UNEVICTABLE;
	if (flags & F(WRITEBACK))
		return KF_PC_WRITEBACK;
	if (flags & F(LRU))
		return KF_PC_MOVABLE;
	/* a mapped page with no flag is in use: kpagecount settles that much */
	if ((flags & ~F(IDLE)) == 0)
		return count != KF_MEMMAP_NO_COUNT && count > 0 ? KF_PC_KERNEL : KF_PC_UNFLAGGED;
	return KF_PC_KERNEL;
}

/* one compound page of pageblock order or more covers the whole block */
static bool block_is_one_compound(const uint64_t *flags, size_t n)
{
	if (flags[0] & F(NOPAGE))
		return false;
	/* compounds are naturally aligned: a tail here began before the block */
	if (flags[0] & F(COMPOUND_TAIL))
		return true;
	if (!(flags[0] & F(COMPOUND_HEAD)) || n < 2)
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(flags[i] & F(COMPOUND_TAIL)))
			return false;
	return true;
}

struct kf_memmap_block kf_block_classify(const uint64_t *flags, const uint64_t *counts,
					 size_t npages, uint64_t pages[KF_PC_NR])
{
	struct kf_memmap_block b = { .kind = KF_BK_HOLE };
	uint64_t n[KF_PC_NR] = { 0 };
	bool one_compound = npages && block_is_one_compound(flags, npages);
	unsigned c;

	for (size_t i = 0; i < npages; i++) {
		c = kf_page_classify(flags[i], counts ? counts[i] : KF_MEMMAP_NO_COUNT);
		if (one_compound && (c == KF_PC_MOVABLE || c == KF_PC_KERNEL || c == KF_PC_UNFLAGGED))
			c = KF_PC_HUGE;
		n[c]++;
	}
	for (c = 0; c < KF_PC_NR; c++) {
		if (n[c])
			b.classes |= 1u << c;
		if (pages)
			pages[c] += n[c];
	}

	if (n[KF_PC_ABSENT] == npages)
		return b;
	if (n[KF_PC_ABSENT] + n[KF_PC_UNFLAGGED] == npages) {
		b.kind = KF_BK_EMPTY;
		return b;
	}
	for (c = KF_PC_FIRST_BLOCKING; c < KF_PC_NR; c++) {
		if (n[c]) {
			b.kind = KF_BK_RESERVED + (c - KF_PC_RESERVED);
			return b;
		}
	}
	/* part hole, part memory: never a whole free pageblock */
	if (n[KF_PC_ABSENT])
		b.kind = KF_BK_RESERVED;
	else if (n[KF_PC_UNFLAGGED])
		b.kind = KF_BK_UNSURE;
	else if (n[KF_PC_MOVABLE])
		b.kind = KF_BK_MOVABLE;
	else
		b.kind = KF_BK_FREE;
	return b;
}

static int memmap_fail(char *err, size_t errlen, int errnum, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	errno = errnum;
	return -1;
}

struct kf_memmap *kf_memmap_alloc(const struct kf_zoneinfo *zi, int pageblock_order,
				  char *err, size_t errlen)
{
	struct kf_memmap *m;
	int nr = 0;

	if (!zi || pageblock_order < 0 || pageblock_order > 20) {
		memmap_fail(err, errlen, EINVAL, "memory map: no zones or a pageblock order out of range");
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->zones = calloc(zi->nr_zones ? zi->nr_zones : 1, sizeof(*m->zones))))
		goto nomem;
	m->pageblock_order = pageblock_order;
	m->compact_unevictable_allowed = -1;

	for (int i = 0; i < zi->nr_zones; i++) {
		const struct kf_zone_info *z = &zi->zones[i];
		struct kf_memmap_zone *mz = &m->zones[nr];

		if (!z->populated || !z->spanned)
			continue;
		mz->node = z->node;
		memcpy(mz->name, z->name, sizeof(mz->name));
		mz->start_pfn = z->start_pfn;
		mz->end_pfn = z->start_pfn + z->spanned;
		mz->first_block = mz->start_pfn >> pageblock_order;
		mz->nr_blocks = ((mz->end_pfn - 1) >> pageblock_order) - mz->first_block + 1;
		mz->blocks = calloc(mz->nr_blocks, sizeof(*mz->blocks));
		if (!mz->blocks)
			goto nomem;
		m->nr_zones = ++nr;
	}
	return m;

nomem:
	kf_memmap_free(m);
	memmap_fail(err, errlen, ENOMEM, "memory map: out of memory");
	return NULL;
}

void kf_memmap_free(struct kf_memmap *m)
{
	if (!m)
		return;
	for (int i = 0; m->zones && i < m->nr_zones; i++)
		free(m->zones[i].blocks);
	free(m->zones);
	free(m);
}

int kf_memmap_feed(struct kf_memmap *m, int zone, uint64_t block,
		   const uint64_t *flags, const uint64_t *counts)
{
	struct kf_memmap_zone *z;
	struct kf_memmap_block b;
	size_t npages = (size_t)1 << m->pageblock_order;
	uint64_t first = block << m->pageblock_order;
	uint64_t *edge = NULL;
	size_t outside = 0;

	if (zone < 0 || zone >= m->nr_zones || !flags) {
		errno = EINVAL;
		return -1;
	}
	z = &m->zones[zone];
	if (block < z->first_block || block - z->first_block >= z->nr_blocks) {
		errno = EINVAL;
		return -1;
	}
	/* every fed block has a class bit (a block of holes has ABSENT's) */
	if (z->blocks[block - z->first_block].classes) {
		errno = EEXIST;
		return -1;
	}

	/* a block the span cuts: its pages outside belong to no zone here */
	if (first < z->start_pfn || first + npages > z->end_pfn) {
		edge = malloc(npages * sizeof(*edge));
		if (!edge)
			return -1;
		for (size_t i = 0; i < npages; i++) {
			bool in = first + i >= z->start_pfn && first + i < z->end_pfn;

			edge[i] = in ? flags[i] : KF_KPF(KF_KPF_NOPAGE);
			outside += !in;
		}
		flags = edge;
	}
	b = kf_block_classify(flags, counts, npages, z->pages);
	/* the zone's page counts cover its span only */
	z->pages[KF_PC_ABSENT] -= outside;
	if (counts) {
		for (size_t i = 0; i < npages; i++)
			if (counts[i] != KF_MEMMAP_NO_COUNT && counts[i] > 1 &&
			    kf_page_classify(flags[i], counts[i]) == KF_PC_MOVABLE)
				z->shared_pages++;
	}
	free(edge);

	z->blocks[block - z->first_block] = b;
	z->blocks_by_kind[b.kind]++;
	for (unsigned c = 0; c < KF_PC_NR; c++)
		if (b.classes & (1u << c))
			z->blocks_with[c]++;
	z->nr_fed++;
	return 0;
}

static const struct kf_buddy_zone *buddy_zone(const struct kf_buddyinfo *bi, const struct kf_memmap_zone *z)
{
	for (int i = 0; bi && i < bi->nr_zones; i++)
		if (bi->zones[i].node == z->node && strcmp(bi->zones[i].name, z->name) == 0)
			return &bi->zones[i];
	return NULL;
}

static const struct kf_pagetype_zone *pagetype_zone(const struct kf_pagetypeinfo *pt, const struct kf_memmap_zone *z)
{
	for (int i = 0; pt && i < pt->nr_zones; i++)
		if (pt->zones[i].node == z->node && strcmp(pt->zones[i].name, z->name) == 0)
			return &pt->zones[i];
	return NULL;
}

void kf_memmap_finish(struct kf_memmap *m, const struct kf_buddyinfo *bi,
		      const struct kf_pagetypeinfo *pt)
{
	/* blocks whose obstacles vm.compact_unevictable_allowed=1 removes */
	const uint16_t unevictable_only = 1u << KF_PC_FREE | 1u << KF_PC_MOVABLE |
		1u << KF_PC_UNFLAGGED | 1u << KF_PC_UNEVICTABLE;
	int pbo = m->pageblock_order;

	for (int i = 0; i < m->nr_zones; i++) {
		struct kf_memmap_zone *z = &m->zones[i];
		const struct kf_buddy_zone *bz = buddy_zone(bi, z);
		const struct kf_pagetype_zone *pz = pagetype_zone(pt, z);
		const uint64_t *k = z->blocks_by_kind;

		z->usable_blocks = z->nr_fed - k[KF_BK_HOLE] - k[KF_BK_EMPTY];
		z->compactable_blocks = k[KF_BK_FREE] + k[KF_BK_MOVABLE];
		z->compactable_blocks_max = z->compactable_blocks + k[KF_BK_UNSURE];
		z->compactable_if_unevictable = z->compactable_blocks;
		for (uint64_t b = 0; b < z->nr_blocks; b++) {
			const struct kf_memmap_block *blk = &z->blocks[b];

			if (blk->kind == KF_BK_UNEVICTABLE && !(blk->classes & ~unevictable_only))
				z->compactable_if_unevictable++;
		}

		z->have_buddy = bz != NULL;
		z->buddy_free_blocks = 0;
		if (bz) {
			for (int o = pbo; o < bz->nr_orders; o++)
				z->buddy_free_blocks += bz->free_blocks[o] << (o - pbo);
			z->unusable_index = kf_unusable_index(bz->free_blocks, bz->nr_orders, pbo);
			z->extfrag_index = kf_extfrag_index(bz->free_blocks, bz->nr_orders, pbo);
		}
		z->have_kernel_blocks = pz != NULL && pt->nr_mt > 0;
		z->kernel_blocks = 0;
		for (int mt = 0; pz && mt < pt->nr_mt; mt++)
			z->kernel_blocks += pz->pageblocks[mt];
	}
}

const struct kf_memmap_block *kf_memmap_block_at(const struct kf_memmap *m, uint64_t pfn,
						 int *zone)
{
	for (int i = 0; i < m->nr_zones; i++) {
		const struct kf_memmap_zone *z = &m->zones[i];

		if (pfn < z->start_pfn || pfn >= z->end_pfn)
			continue;
		if (zone)
			*zone = i;
		return &z->blocks[(pfn >> m->pageblock_order) - z->first_block];
	}
	if (zone)
		*zone = m->nr_zones;
	return NULL;
}

int kf_memmap_locate(const struct kf_memmap *m, const uint64_t *pfns, size_t n,
		     struct kf_memmap_where *where)
{
	const struct kf_memmap_block *b;
	int zone;

	if (!m || !where || (n && !pfns)) {
		errno = EINVAL;
		return -1;
	}
	memset(where, 0, (m->nr_zones + 1) * sizeof(*where));
	for (size_t i = 0; i < n; i++) {
		b = kf_memmap_block_at(m, pfns[i], &zone);
		where[zone].pfns++;
		if (!b)
			continue;
		where[zone].by_kind[b->kind]++;
		if (b->kind == KF_BK_FREE || b->kind == KF_BK_MOVABLE)
			where[zone].compactable++;
		else if (kf_block_kind_blocked(b->kind))
			where[zone].blocked++;
	}
	return 0;
}
