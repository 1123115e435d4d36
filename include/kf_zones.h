/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Values derived from a memory state and a memory map, computed once in the
 * core (src/core/zones.c, pure) and rendered by the front ends: a zone's
 * fragmentation indices (kf_buddy_zone.unusable / .extfrag, filled when
 * buddyinfo is read), its blocked pageblocks, and the zone lookups by node
 * and name (kf_memstate_zoneinfo, _buddy, _pagetype in kf_proc.h).
 */
#ifndef KF_ZONES_H
#define KF_ZONES_H

#include <stdint.h>

#include "kf_memmap.h"
#include "kf_proc.h"

/* fills bz->unusable and bz->extfrag from bz->free_blocks, every order */
void kf_buddy_zone_derive(struct kf_buddy_zone *bz);
/*
 * "Can I get a 2 MiB page now?", per zone, for top, report and check alike:
 * the free blocks that can serve an allocation of the order of 2 MiB (an
 * order-o block, o >= order, holds 2^(o - order) of them), and whether the
 * allocator hands one out without reclaim: not when the zone's free pages
 * are below its low watermark plus the pages asked (zone_watermark_ok() of
 * an ordinary allocation).
 */
enum kf_huge_answer {
	KF_HUGE_UNKNOWN,	/* zoneinfo or buddyinfo of the zone not read */
	KF_HUGE_YES,
	KF_HUGE_NO_BLOCK,	/* no free block of the order or larger */
	KF_HUGE_BELOW_LOW,	/* blocks, but free pages below low + the block */
	KF_HUGE_ANSWER_NR
};
/* JSON values: "unknown", "yes", "no_free_block", "below_low_watermark" */
extern const char *const kf_huge_answer_names[KF_HUGE_ANSWER_NR];

struct kf_zone_order_now {
	int node;
	char name[KF_ZONE_NAME_LEN];
	int order;			/* in base pages: 9 for 2 MiB of 4 KiB pages */
	uint64_t blocks;		/* free blocks of that order, larger ones counted in them */
	enum kf_huge_answer answer;
};

#define KF_HUGE_BYTES (2UL << 20)
/* the order of KF_HUGE_BYTES in pages of page_size bytes; -1 when a page is larger */
int kf_huge_order(long page_size);
/* free blocks of b that can serve an allocation of order */
uint64_t kf_buddy_blocks_of_order(const struct kf_buddy_zone *b, int order);
/* the answer for zone zi (b its buddyinfo row; either may be NULL: unknown) */
void kf_zone_order_now(const struct kf_zone_info *zi, const struct kf_buddy_zone *b, int order,
		       struct kf_zone_order_now *out);

/* pageblocks of a kind kf_block_kind_blocked() names, of counts by kind */
uint64_t kf_block_kinds_blocked(const uint64_t by_kind[KF_BK_NR]);
/* ... of zone z */
uint64_t kf_memmap_zone_blocked(const struct kf_memmap_zone *z);

#endif
