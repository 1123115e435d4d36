/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory map: what keeps each pageblock from being compacted.
 *
 * kf_memmap_scan() reads /proc/kpageflags (and, when asked, /proc/kpagecount)
 * over every zone's PFN span in chunks of a few MiB and hands each pageblock
 * to the pure classifier below; nothing here but the scan does I/O, so the
 * classification is tested on plain arrays of flags.
 *
 * Every page gets one class (enum kf_page_class), decided from its flags in
 * this order, first match wins:
 *
 *   ABSENT      KPF_NOPAGE (a hole in the memmap), or a PFN outside the
 *               zone span or beyond the file that was read
 *   FREE        KPF_BUDDY. On 6.x every page of a free buddy block reports
 *               it, not only the head: fs/proc/page.c sets it for PageBuddy()
 *               heads and for pages with a zero refcount that
 *               is_free_buddy_page() finds inside a free block. (Kernels
 *               that flag only the head leave the rest without flags:
 *               UNFLAGGED below, never counted as blocking.)
 *   RESERVED    KPF_RESERVED (32), KPF_HWPOISON or KPF_OFFLINE, and the
 *               shared zero page: memory compaction never touches
 *   HUGE        KPF_HUGE: hugetlb pages, which compaction does not move
 *   SLAB        KPF_SLAB (the folio's flag, so every page of a slab)
 *   PGTABLE     KPF_PGTABLE
 *   UNEVICTABLE KPF_UNEVICTABLE or KPF_MLOCKED (33): compaction skips them
 *               unless vm.compact_unevictable_allowed=1
 *   WRITEBACK   KPF_WRITEBACK: cannot be migrated until the I/O ends
 *   MOVABLE     KPF_LRU (and none of the above): anon and file pages that
 *               compaction isolates and migrates; THPs smaller than a
 *               pageblock included
 *   UNFLAGGED   no flag at all (KPF_IDLE aside) and not mapped: a free page
 *               on a per-CPU list, a memmap not initialised yet (deferred
 *               struct page init), or kernel memory allocated without any
 *               flag (vmalloc, kernel stacks, pipe buffers). kpageflags
 *               cannot tell them apart, so these pages neither block nor
 *               clear a pageblock: they make it "unsure"
 *   KERNEL      anything else: non-LRU kernel pages (compound kernel
 *               allocations, pages mapped but off the LRU, pages in transit)
 *
 * A pageblock covered by one compound page of pageblock order or more (its
 * first page is a compound tail, or a head followed only by tails) cannot be
 * compacted into a free block: compaction skips compound pages of that
 * order. Its MOVABLE, KERNEL and UNFLAGGED pages count as HUGE.
 *
 * Each pageblock then gets one kind (enum kf_block_kind), a character in
 * the JSON map:
 *
 *   '.' HOLE       every page ABSENT
 *   'E' EMPTY      every page UNFLAGGED (or ABSENT): on 6.18 with
 *                  deferred_init=lazy, memory the kernel has not initialised
 *                  yet (outside its zone counts, pagetypeinfo agrees)
 *   'F' FREE       every page FREE
 *   'M' MOVABLE    FREE and MOVABLE pages only, at least one MOVABLE:
 *                  compaction can turn it into a free pageblock
 *   'm' UNSURE     FREE and MOVABLE pages and some UNFLAGGED ones
 *   blocked, by the first reason present in this order (the hardest to
 *   clear first; every reason present is kept in the block's mask):
 *   'X' RESERVED   (also a block that is partly a hole: it can never be a
 *                  whole free pageblock)
 *   'S' SLAB, 'P' PGTABLE, 'K' KERNEL, 'H' HUGE, 'U' UNEVICTABLE,
 *   'W' WRITEBACK
 */
#ifndef KF_MEMMAP_H
#define KF_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_proc.h"

/*
 * KPF_* bit numbers: include/uapi/linux/kernel-page-flags.h (0-26) and the
 * kernel-internal include/linux/kernel-page-flags.h (32+), as of 6.18.
 * Our own names, so this header never clashes with the system's.
 */
enum {
	KF_KPF_LOCKED = 0,
	KF_KPF_ERROR = 1,
	KF_KPF_REFERENCED = 2,
	KF_KPF_UPTODATE = 3,
	KF_KPF_DIRTY = 4,
	KF_KPF_LRU = 5,
	KF_KPF_ACTIVE = 6,
	KF_KPF_SLAB = 7,
	KF_KPF_WRITEBACK = 8,
	KF_KPF_RECLAIM = 9,
	KF_KPF_BUDDY = 10,
	KF_KPF_MMAP = 11,
	KF_KPF_ANON = 12,
	KF_KPF_SWAPCACHE = 13,
	KF_KPF_SWAPBACKED = 14,
	KF_KPF_COMPOUND_HEAD = 15,
	KF_KPF_COMPOUND_TAIL = 16,
	KF_KPF_HUGE = 17,
	KF_KPF_UNEVICTABLE = 18,
	KF_KPF_HWPOISON = 19,
	KF_KPF_NOPAGE = 20,
	KF_KPF_KSM = 21,
	KF_KPF_THP = 22,
	KF_KPF_OFFLINE = 23,
	KF_KPF_ZERO_PAGE = 24,
	KF_KPF_IDLE = 25,
	KF_KPF_PGTABLE = 26,
	KF_KPF_RESERVED = 32,
	KF_KPF_MLOCKED = 33,
};

#define KF_KPF(bit)		(UINT64_C(1) << (bit))

enum kf_page_class {
	KF_PC_ABSENT,
	KF_PC_FREE,
	KF_PC_MOVABLE,
	KF_PC_UNFLAGGED,
	/* the reasons that block a pageblock, hardest to clear first */
	KF_PC_RESERVED,
	KF_PC_SLAB,
	KF_PC_PGTABLE,
	KF_PC_KERNEL,
	KF_PC_HUGE,
	KF_PC_UNEVICTABLE,
	KF_PC_WRITEBACK,
	KF_PC_NR
};
#define KF_PC_FIRST_BLOCKING	KF_PC_RESERVED
/* JSON keys: "hole", "free", "movable", "no_flags", "reserved", "slab", ... */
extern const char *const kf_page_class_names[KF_PC_NR];

enum kf_block_kind {
	KF_BK_HOLE,
	KF_BK_EMPTY,
	KF_BK_FREE,
	KF_BK_MOVABLE,
	KF_BK_UNSURE,
	KF_BK_RESERVED,
	KF_BK_SLAB,
	KF_BK_PGTABLE,
	KF_BK_KERNEL,
	KF_BK_HUGE,
	KF_BK_UNEVICTABLE,
	KF_BK_WRITEBACK,
	KF_BK_NR
};
#define KF_BK_FIRST_BLOCKED	KF_BK_RESERVED
/* ".EFMmXSPKHUW", one character per kind */
extern const char kf_block_kind_chars[KF_BK_NR + 1];
/* JSON keys: "hole", "no_flags", "free", "movable", "unsure", "reserved", ... */
extern const char *const kf_block_kind_names[KF_BK_NR];

static inline bool kf_block_kind_blocked(enum kf_block_kind k)
{
	return k >= KF_BK_FIRST_BLOCKED;
}

/* kpagecount value meaning "not read" */
#define KF_MEMMAP_NO_COUNT	UINT64_MAX

/* class of one page; count is its /proc/kpagecount entry or KF_MEMMAP_NO_COUNT */
enum kf_page_class kf_page_classify(uint64_t flags, uint64_t count);

struct kf_memmap_block {
	uint8_t kind;		/* enum kf_block_kind */
	uint8_t unused;
	uint16_t classes;	/* 1 << kf_page_class of every class present */
};

/*
 * Classifies one whole pageblock: flags[npages] (npages = 1 << pageblock
 * order; pages outside the zone or the file given as KF_KPF(KF_KPF_NOPAGE)),
 * counts[npages] or NULL. Adds each page's class to pages[] when not NULL.
 */
struct kf_memmap_block kf_block_classify(const uint64_t *flags, const uint64_t *counts,
					 size_t npages, uint64_t pages[KF_PC_NR]);

struct kf_memmap_zone {
	int node;
	char name[KF_ZONE_NAME_LEN];
	uint64_t start_pfn, end_pfn;	/* the zone span, end exclusive */
	uint64_t first_block;		/* start_pfn >> pageblock_order */
	uint64_t nr_blocks;		/* pageblocks touching the span */
	struct kf_memmap_block *blocks;	/* [nr_blocks], block first_block + i */
	uint64_t nr_fed;		/* blocks classified so far */

	uint64_t pages[KF_PC_NR];	/* pages of the span by class */
	uint64_t shared_pages;		/* MOVABLE pages mapped more than once (kpagecount) */
	uint64_t blocks_by_kind[KF_BK_NR];
	uint64_t blocks_with[KF_PC_NR];	/* blocks holding at least one page of the class */

	/* filled by kf_memmap_finish() */
	uint64_t usable_blocks;		/* all but HOLE and EMPTY */
	uint64_t compactable_blocks;	/* FREE + MOVABLE */
	uint64_t compactable_blocks_max;	/* + UNSURE */
	/* + blocks whose only obstacle is UNEVICTABLE (and UNFLAGGED) pages */
	uint64_t compactable_if_unevictable;
	bool have_buddy;		/* buddyinfo had this zone */
	uint64_t buddy_free_blocks;	/* free blocks of pageblock size, from buddyinfo */
	int unusable_index;		/* at pageblock order, thousandths */
	int extfrag_index;
	bool have_kernel_blocks;	/* pagetypeinfo had this zone */
	uint64_t kernel_blocks;		/* its "Number of blocks type" row summed */
};

enum {
	KF_MEMMAP_PAGECOUNT = 1 << 0,	/* read /proc/kpagecount too */
};

struct kf_memmap {
	int pageblock_order;
	unsigned flags;			/* KF_MEMMAP_* the map was made with */
	int compact_unevictable_allowed;	/* the sysctl when read, else -1 */
	int nr_zones;			/* populated zones, in zoneinfo order */
	struct kf_memmap_zone *zones;
};

/*
 * The pure side: a map for the populated zones of zi, fed one pageblock at
 * a time: flags (and counts, or NULL) of the 1 << pageblock_order pages of
 * the aligned block; pages outside the zone span are ignored. Each block
 * once (EEXIST otherwise). Then finished with the kernel's own view of the
 * zones (buddyinfo, pagetypeinfo; either may be NULL).
 */
struct kf_memmap *kf_memmap_alloc(const struct kf_zoneinfo *zi, int pageblock_order,
				  char *err, size_t errlen);
void kf_memmap_free(struct kf_memmap *m);
int kf_memmap_feed(struct kf_memmap *m, int zone, uint64_t block,
		   const uint64_t *flags, const uint64_t *counts);
void kf_memmap_finish(struct kf_memmap *m, const struct kf_buddyinfo *bi,
		      const struct kf_pagetypeinfo *pt);

/* the block holding pfn (and its zone index), or NULL when no zone spans it */
const struct kf_memmap_block *kf_memmap_block_at(const struct kf_memmap *m, uint64_t pfn,
						 int *zone);

/* where a set of PFNs sits: one per zone, and one more for PFNs in no zone */
struct kf_memmap_where {
	uint64_t pfns;
	uint64_t by_kind[KF_BK_NR];	/* by the kind of the pageblock holding each */
	uint64_t compactable;		/* in FREE or MOVABLE blocks */
	uint64_t blocked;		/* in blocked blocks */
};

/* where[] has m->nr_zones + 1 entries; 0, or -1 (EINVAL) */
int kf_memmap_locate(const struct kf_memmap *m, const uint64_t *pfns, size_t n,
		     struct kf_memmap_where *where);

/*
 * The reader. Reads ROOT/proc/kpageflags (or ROOT/kpageflags, see
 * kf_proc_path) over the span of every populated zone of ms->zoneinfo, with
 * the pageblock order of ms->pagetypeinfo; compares with ms->buddyinfo and
 * ms->pagetypeinfo when they were read. Uses no more than a few MiB.
 *
 * A saved slice serves as a fixture: when a text file
 * kpageflags.start_pfn (a decimal PFN) sits beside kpageflags, the file
 * holds flags from that PFN on instead of from PFN 0 (same for kpagecount).
 * PFNs the file does not cover count as holes.
 *
 * -1 with err filled: "reading /proc/kpageflags needs root (CAP_SYS_ADMIN):
 * the memory map is not available" when the file cannot be opened for lack
 * of permission, and the path and the error otherwise.
 */
int kf_memmap_scan(const char *root, const struct kf_memstate *ms, unsigned flags,
		   struct kf_memmap **out, char *err, size_t errlen);
/* the same with the reason alone: errno EACCES and "reading PATH needs root
 * (CAP_SYS_ADMIN)", the consequence left to whoever renders it (src/run) */
int kf_memmap_read(const char *root, const struct kf_memstate *ms, unsigned flags,
		   struct kf_memmap **out, char *err, size_t errlen);

/*
 * The map as JSON (src/report_memmap.c): "pageblock_order",
 * "pageblock_pages", "kpagecount", "compact_unevictable_allowed" and
 * "zones", a summary per zone; with full_map also each zone's "map" (the
 * kind of every pageblock, run-length encoded: runs of a kind character and
 * a decimal count, "F12M3U1") from "map_first_pfn", and a "legend".
 */
struct json_t;
struct json_t *kf_memmap_json(const struct kf_memmap *m, bool full_map);

#endif
