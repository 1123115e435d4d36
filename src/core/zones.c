// SPDX-License-Identifier: GPL-2.0-or-later
/* Derived values of a memory state and a memory map: see kf_zones.h. */
#include <stdio.h>
#include <string.h>

#include "kf_fragindex.h"
#include "kf_zones.h"

void kf_buddy_zone_derive(struct kf_buddy_zone *bz)
{
	for (int o = 0; o < KF_MAX_ORDER; o++) {
		bz->unusable[o] = o < bz->nr_orders ? kf_unusable_index(bz->free_blocks, bz->nr_orders, o) : 0;
		bz->extfrag[o] = o < bz->nr_orders ? kf_extfrag_index(bz->free_blocks, bz->nr_orders, o) : 0;
	}
}

const char *const kf_huge_answer_names[KF_HUGE_ANSWER_NR] = {
	[KF_HUGE_UNKNOWN] = "unknown",
	[KF_HUGE_YES] = "yes",
	[KF_HUGE_NO_BLOCK] = "no_free_block",
	[KF_HUGE_BELOW_LOW] = "below_low_watermark",
};

int kf_huge_order(long page_size)
{
	int order = 0;

	if (page_size <= 0 || (unsigned long)page_size > KF_HUGE_BYTES)
		return -1;
	while (((unsigned long)page_size << order) < KF_HUGE_BYTES)
		order++;
	return order;
}

uint64_t kf_buddy_blocks_of_order(const struct kf_buddy_zone *b, int order)
{
	uint64_t blocks = 0;

	for (int o = order; b && order >= 0 && o < b->nr_orders && o < KF_MAX_ORDER; o++)
		blocks += b->free_blocks[o] << (o - order);
	return blocks;
}

void kf_zone_order_now(const struct kf_zone_info *zi, const struct kf_buddy_zone *b, int order,
		       struct kf_zone_order_now *out)
{
	memset(out, 0, sizeof(*out));
	out->order = order;
	if (zi) {
		out->node = zi->node;
		snprintf(out->name, sizeof(out->name), "%s", zi->name);
	}
	if (!zi || !b || order < 0 || order >= 64)
		return;
	out->blocks = kf_buddy_blocks_of_order(b, order);
	if (!out->blocks)
		out->answer = KF_HUGE_NO_BLOCK;
	else if (zi->free_pages < zi->low + (1ULL << order))
		out->answer = KF_HUGE_BELOW_LOW;
	else
		out->answer = KF_HUGE_YES;
}

uint64_t kf_block_kinds_blocked(const uint64_t by_kind[KF_BK_NR])
{
	uint64_t n = 0;

	for (int k = 0; k < KF_BK_NR; k++)
		if (kf_block_kind_blocked(k))
			n += by_kind[k];
	return n;
}

uint64_t kf_memmap_zone_blocked(const struct kf_memmap_zone *z)
{
	return kf_block_kinds_blocked(z->blocks_by_kind);
}

const struct kf_zone_info *kf_memstate_zoneinfo(const struct kf_memstate *ms, int node, const char *name)
{
	if (!ms || !(ms->have & KF_HAVE_ZONEINFO))
		return NULL;
	for (int i = 0; i < ms->zoneinfo.nr_zones; i++)
		if (ms->zoneinfo.zones[i].node == node && strcmp(ms->zoneinfo.zones[i].name, name) == 0)
			return &ms->zoneinfo.zones[i];
	return NULL;
}

const struct kf_buddy_zone *kf_memstate_buddy(const struct kf_memstate *ms, int node, const char *name)
{
	if (!ms || !(ms->have & KF_HAVE_BUDDYINFO))
		return NULL;
	for (int i = 0; i < ms->buddyinfo.nr_zones; i++)
		if (ms->buddyinfo.zones[i].node == node && strcmp(ms->buddyinfo.zones[i].name, name) == 0)
			return &ms->buddyinfo.zones[i];
	return NULL;
}

const struct kf_pagetype_zone *kf_memstate_pagetype(const struct kf_memstate *ms, int node, const char *name)
{
	if (!ms || !(ms->have & KF_HAVE_PAGETYPEINFO))
		return NULL;
	for (int i = 0; i < ms->pagetypeinfo.nr_zones; i++)
		if (ms->pagetypeinfo.zones[i].node == node && strcmp(ms->pagetypeinfo.zones[i].name, name) == 0)
			return &ms->pagetypeinfo.zones[i];
	return NULL;
}
