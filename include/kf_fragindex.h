/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fragmentation indices computed exactly as mm/vmstat.c computes them for
 * /sys/kernel/debug/extfrag/{unusable_index,extfrag_index}, so kfrag can show
 * them where debugfs is not mounted. Values are in thousandths, as the
 * kernel keeps them: 45 means "0.045". extfrag_index is -1000 ("-1.000")
 * when a free block of the requested order exists.
 */
#ifndef KF_FRAGINDEX_H
#define KF_FRAGINDEX_H

#include <stdint.h>

/* free_blocks[o]: free blocks of order o (a buddyinfo row), orders 0..nr_orders-1 */
int kf_unusable_index(const uint64_t *free_blocks, int nr_orders, int order);
int kf_extfrag_index(const uint64_t *free_blocks, int nr_orders, int order);

/* "0.045" / "-1.000" as the kernel prints thousandths; buf of 16 bytes */
const char *kf_index_format(int thousandths, char *buf);

#endif
