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
/* pageblocks of a kind kf_block_kind_blocked() names, of counts by kind */
uint64_t kf_block_kinds_blocked(const uint64_t by_kind[KF_BK_NR]);
/* ... of zone z */
uint64_t kf_memmap_zone_blocked(const struct kf_memmap_zone *z);

#endif
