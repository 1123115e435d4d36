// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's fragmentation indices, from a buddyinfo row, with the
 * kernel's arithmetic (mm/vmstat.c, CONFIG_COMPACTION): unsigned long
 * (64-bit) sums that wrap, thousandths by integer division truncating,
 * and div_u64(), whose divisor is a u32, so a divisor of 2^32 or more is
 * cut to its low 32 bits just as in the kernel. The results are then
 * returned through an int, as the kernel's are.
 */
#include <errno.h>
#include <stdio.h>

#include "kf_fragindex.h"
#include "kf_proc.h"

struct contig_page_info {
	uint64_t free_pages;
	uint64_t free_blocks_total;
	uint64_t free_blocks_suitable;
};

/* fill_contig_page_info() */
static void contig_info_fill(const uint64_t *free_blocks, int nr_orders, int suitable_order,
			     struct contig_page_info *info)
{
	int order;

	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (order = 0; order < nr_orders; order++) {
		uint64_t blocks = free_blocks[order];

		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable += blocks << (order - suitable_order);
	}
}

/* include/linux/math64.h: 64-bit dividend, 32-bit divisor */
static uint64_t div_u64(uint64_t dividend, uint32_t divisor)
{
	/* the kernel would trap; only reachable with made-up counts */
	if (divisor == 0)
		return 0;
	return dividend / divisor;
}

static bool args_ok(const uint64_t *free_blocks, int nr_orders, int order)
{
	if (!free_blocks || nr_orders < 1 || nr_orders > KF_MAX_ORDER ||
	    order < 0 || order >= KF_MAX_ORDER) {
		errno = EINVAL;
		return false;
	}
	return true;
}

/* unusable_free_index() */
int kf_unusable_index(const uint64_t *free_blocks, int nr_orders, int order)
{
	struct contig_page_info info;

	if (!args_ok(free_blocks, nr_orders, order))
		return 0;
	contig_info_fill(free_blocks, nr_orders, order, &info);
	/* no free memory is taken as all free memory being unusable */
	if (info.free_pages == 0)
		return 1000;
	return (int)div_u64((info.free_pages - (info.free_blocks_suitable << order)) * 1000ULL,
			    (uint32_t)info.free_pages);
}

/* __fragmentation_index() */
int kf_extfrag_index(const uint64_t *free_blocks, int nr_orders, int order)
{
	struct contig_page_info info;
	uint64_t requested;

	if (!args_ok(free_blocks, nr_orders, order))
		return 0;
	/* the kernel's WARN_ON_ONCE(order > MAX_PAGE_ORDER) */
	if (order >= nr_orders)
		return 0;
	contig_info_fill(free_blocks, nr_orders, order, &info);
	requested = 1ULL << order;
	if (!info.free_blocks_total)
		return 0;
	/* only meaningful when an allocation of this order would fail */
	if (info.free_blocks_suitable)
		return -1000;
	/*
	 * 0 => would fail for lack of memory, 1000 => for fragmentation. With a
	 * single free block the subtraction goes below 0 (e.g. one order-0
	 * page at order 1: 1000 - 1500 = -500), and the kernel returns that.
	 */
	return (int)(1000 - div_u64(1000 + div_u64(info.free_pages * 1000ULL, (uint32_t)requested),
				    (uint32_t)info.free_blocks_total));
}

const char *kf_index_format(int thousandths, char *buf)
{
	/*
	 * seq_printf(m, "%d.%03d ", index / 1000, index % 1000): exact for
	 * 0..1000 and -1000; other negatives print as the kernel prints them
	 * ("0.-500"). extfrag_index pads the integer part to 2 ("%2d"), which
	 * is left out here.
	 */
	snprintf(buf, 16, "%d.%03d", thousandths / 1000, thousandths % 1000);
	return buf;
}
