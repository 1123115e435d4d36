/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The findings of external fragmentation (events-kmem.rst section 5) and of
 * high-order availability:
 *
 * - external_fragmentation: "large numbers of [mm_page_alloc_extfrag]
 *   imply that memory is fragmenting and high-order allocations will start
 *   failing"; the remedy named is to raise min_free_kbytes in steps of
 *   3 * pageblock_size * nr_online_nodes, computed here for this machine.
 * - high_order_unavailable: can an allocation of the order (9: 2 MiB, a THP)
 *   succeed now in a zone, from its free blocks and watermark, and can
 *   compaction make one (the memory map's compactable pageblocks) or not.
 */
#include <stdio.h>
#include <string.h>

#include "findings_rules.h"
#include "kf_fragindex.h"
#include "kf_zones.h"

static int pageblock_order_of(const struct finding_ctx *x)
{
	if (x->snap && x->snap->extfrag_pageblock_order > 0)
		return x->snap->extfrag_pageblock_order;	/* the traced kernel's own */
	return x->in->pageblock_order > 0 ? x->in->pageblock_order : -1;
}

/* vm.min_free_kbytes, or the zones' min watermarks summed (the kernel splits it among them) */
static long min_free_kbytes(const struct finding_ctx *x, bool *estimated)
{
	const struct kf_memstate *mem = x->in->mem;
	uint64_t pages = 0;

	*estimated = false;
	if (!mem || !(mem->have & KF_HAVE_ZONEINFO))
		return -1;
	if (mem->min_free_kbytes > 0)
		return mem->min_free_kbytes;
	for (int i = 0; i < mem->zoneinfo.nr_zones; i++)
		pages += mem->zoneinfo.zones[i].min;
	*estimated = pages > 0;
	return pages ? (long)(pages * (uint64_t)x->page_size / 1024) : -1;
}

static void extfrag_action(struct finding_ctx *x, struct kf_finding *f)
{
	int pbo = pageblock_order_of(x);
	int nodes = x->in->mem ? kf_zoneinfo_nr_nodes(&x->in->mem->zoneinfo) : 0;
	long step = kf_min_free_kbytes_step(pbo, x->page_size, nodes);
	bool estimated;
	long cur = min_free_kbytes(x, &estimated);

	if (!step) {
		finding_action(f, "Raise vm.min_free_kbytes in steps of 3 x pageblock size x online nodes "
			       "(the pageblock order or the nodes are not known here) while fragmenting "
			       "fallbacks go on");
		return;
	}
	finding_evidence(f, "pageblock_kb", (double)((x->page_size << pbo) / 1024), "kB");
	finding_evidence(f, "online_nodes", nodes, "");
	finding_evidence(f, "min_free_kbytes_step", (double)step, "kB");
	if (cur < 0) {
		finding_action(f, "Raise vm.min_free_kbytes by %ld kB (3 x %ld kB pageblock x %d node%s), and by "
			       "as much again while fragmenting fallbacks go on", step,
			       (x->page_size << pbo) / 1024, nodes, nodes == 1 ? "" : "s");
		return;
	}
	finding_evidence(f, "min_free_kbytes", (double)cur, "kB");
	finding_evidence(f, "min_free_kbytes_suggested", (double)(cur + step), "kB");
	finding_action(f, "Raise vm.min_free_kbytes from %s%ld to %ld kB (one step of 3 x %ld kB pageblock x %d "
		       "node%s = %ld kB), and by as much again while fragmenting fallbacks go on",
		       estimated ? "about " : "", cur, cur + step, (x->page_size << pbo) / 1024, nodes,
		       nodes == 1 ? "" : "s", step);
}

static const char *mt_name(const struct finding_ctx *x, int mt, char *buf)
{
	return x->in->syms ? kf_symbols_label(x->in->syms, KF_SYM_MIGRATETYPE, mt, buf, 32)
			   : (snprintf(buf, 32, "%d", mt), buf);
}

static void extfrag_one(struct finding_ctx *x, int z, int a, int fb, const struct kf_extfrag_stats *st)
{
	const struct kf_findings_config *cfg = x->cfg;
	const struct level lv[] = {
		{ &cfg->extfrag_warning, "finding_extfrag_warning", KF_SEV_WARNING },
		{ &cfg->extfrag_note, "finding_extfrag_note", KF_SEV_NOTE },
	};
	const struct level sev[] = {
		{ &cfg->extfrag_severe_critical, "finding_extfrag_severe_critical", KF_SEV_CRITICAL },
	};
	double rate = st->fragmenting / x->window_s, severe = st->severe / x->window_s;
	const struct level *l = level_above(sev, 1, severe);
	struct kf_finding *f;
	char an[32], fn[32], r[32];

	if (!st->fragmenting)
		return;
	if (l)
		f = finding_new(x, KF_FIND_EXTFRAG, l, severe);
	else if ((l = level_above(lv, 2, rate)))
		f = finding_new(x, KF_FIND_EXTFRAG, l, rate);
	else
		return;
	if (!f)
		return;
	finding_zone(f, x->snap, z);
	const char *alloc_mt = mt_name(x, a, an), *fallback_mt = mt_name(x, fb, fn);

	snprintf(f->subject, sizeof(f->subject), "%s from %s", alloc_mt, fallback_mt);
	finding_evidence(f, "fragmenting_per_s", rate, "1/s");
	finding_evidence(f, "fragmenting", (double)st->fragmenting, "");
	finding_evidence(f, "severe", (double)st->severe, "");
	finding_evidence(f, "moderate", (double)st->moderate, "");
	finding_evidence(f, "fallbacks", (double)st->fallbacks, "");
	finding_evidence(f, "ownership_changed", (double)st->changed, "");
	finding_evidence(f, "window_s", x->window_s, "s");
	finding_message(f, "%s: %s fragmenting fallbacks/s of %s allocations into %s pageblocks (%llu severe, "
			"%llu moderate; %llu pageblocks changed owner): memory is fragmenting and high-order "
			"allocations will start failing", f->zone, fmt_num(rate, r), alloc_mt, fallback_mt,
			(unsigned long long)st->severe, (unsigned long long)st->moderate,
			(unsigned long long)st->changed);
	extfrag_action(x, f);
}

static void rule_extfrag(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;

	if (!s || x->window_s <= 0)
		return;
	if (!ev_traced(x, KF_EV_PAGE_ALLOC_EXTFRAG)) {
		finding_skip(x, KF_FIND_EXTFRAG, "mm_page_alloc_extfrag is not in the trace");
		return;
	}
	for (int z = 0; z <= s->nr_zones; z++)
		for (int a = 0; a < KF_MAX_MIGRATETYPES; a++)
			for (int fb = 0; fb < KF_MAX_MIGRATETYPES; fb++)
				extfrag_one(x, z, a, fb, &s->extfrag_zone_pair[((size_t)z * KF_MAX_MIGRATETYPES + a) *
										 KF_MAX_MIGRATETYPES + fb]);
}

static const struct kf_buddy_zone *buddy_of(const struct kf_memstate *mem, const struct kf_zone_info *zi)
{
	for (int i = 0; (mem->have & KF_HAVE_BUDDYINFO) && i < mem->buddyinfo.nr_zones; i++)
		if (mem->buddyinfo.zones[i].node == zi->node && !strcmp(mem->buddyinfo.zones[i].name, zi->name))
			return &mem->buddyinfo.zones[i];
	return NULL;
}

static const struct kf_memmap_zone *memmap_of(const struct kf_memmap *m, const struct kf_zone_info *zi)
{
	for (int i = 0; m && i < m->nr_zones; i++)
		if (m->zones[i].node == zi->node && !strcmp(m->zones[i].name, zi->name))
			return &m->zones[i];
	return NULL;
}

/* what compaction can do here, as the action */
static void high_order_action(struct kf_finding *f, const struct kf_memmap *m, const struct kf_memmap_zone *mz,
			      int order, bool below_low)
{
	char why[160] = "";
	size_t len = 0;

	if (below_low) {
		finding_action(f, "Free memory first: the zone is below its low watermark, so even a free "
			       "order-%d block is not handed out without reclaim", order);
		return;
	}
	if (!mz) {
		finding_action(f, "Compaction may make order-%d blocks (echo 1 > /proc/sys/vm/compact_memory); run "
			       "kfrag as root for the memory map, which tells whether it can", order);
		return;
	}
	finding_evidence(f, "compactable_pageblocks", (double)mz->compactable_blocks, "");
	finding_evidence(f, "usable_pageblocks", (double)mz->usable_blocks, "");
	if (mz->compactable_blocks) {
		finding_action(f, "Compaction can make order-%d blocks here: %llu of %llu pageblocks hold only free "
			       "or movable pages (echo 1 > /proc/sys/vm/compact_memory, or raise "
			       "vm.compaction_proactiveness)", order, (unsigned long long)mz->compactable_blocks,
			       (unsigned long long)mz->usable_blocks);
		return;
	}
	for (int k = KF_BK_FIRST_BLOCKED; k < KF_BK_NR && len < sizeof(why) - 40; k++)
		if (mz->blocks_by_kind[k])
			len += snprintf(why + len, sizeof(why) - len, "%s%llu %s", len ? ", " : "",
					(unsigned long long)mz->blocks_by_kind[k], kf_block_kind_names[k]);
	if (mz->compactable_if_unevictable && m->compact_unevictable_allowed == 0)
		finding_action(f, "Compaction cannot help: every pageblock holds pages it does not move (%s); "
			       "%llu would clear with vm.compact_unevictable_allowed=1, unsafe while a user-space "
			       "scheduler runs", why, (unsigned long long)mz->compactable_if_unevictable);
	else
		finding_action(f, "Compaction cannot help: every pageblock holds pages it does not move (%s); "
			       "free what holds them (slab: echo 2 > /proc/sys/vm/drop_caches) or reserve huge "
			       "pages early (vm.nr_hugepages at boot)", why);
}

static void high_order_zone(struct finding_ctx *x, const struct kf_zone_info *zi, const struct kf_buddy_zone *b,
			    int pbo)
{
	const struct kf_findings_config *cfg = x->cfg;
	int order = (int)cfg->high_order;
	uint64_t blocks, need = 1ULL << order;
	int unusable = kf_unusable_index(b->free_blocks, b->nr_orders, order);
	struct kf_zone_order_now now;
	bool below_low;
	const struct level warn = { NULL, "finding_high_order_blocks", KF_SEV_WARNING };
	const struct level note[] = {
		{ &cfg->high_order_unusable_note, "finding_high_order_unusable_note", KF_SEV_NOTE },
	};
	const struct level *l = NULL;
	struct kf_finding *f;
	char idx[16];

	/* the answer top's zones and the report's huge_page_now give, at this order */
	kf_zone_order_now(zi, b, order, &now);
	blocks = now.blocks;
	below_low = now.answer == KF_HUGE_BELOW_LOW;
	if (!blocks || below_low)
		l = &warn;
	else if (!(l = level_above(note, 1, unusable / 1000.0)))
		return;
	if (!(f = finding_new(x, KF_FIND_HIGH_ORDER, l, l == &warn ? (double)blocks : unusable / 1000.0)))
		return;
	if (l == &warn) {
		f->threshold_key = below_low && blocks ? "low watermark" : "no free block";
		f->threshold = below_low && blocks ? (double)(zi->low + need) : 1;
	}
	f->node = zi->node;
	snprintf(f->zone, sizeof(f->zone), "%s", zi->name);
	snprintf(f->subject, sizeof(f->subject), "order %d", order);
	finding_evidence(f, "free_blocks_of_order", (double)blocks, "");
	finding_evidence(f, "unusable_index", unusable / 1000.0, "ratio");
	finding_evidence(f, "free_pages", (double)zi->free_pages, "pages");
	finding_evidence(f, "low_watermark", (double)zi->low, "pages");
	finding_evidence(f, "pageblock_order", pbo, "");
	kf_index_format(unusable, idx);
	if (!blocks)
		finding_message(f, "An order-%d (%ld kB) allocation cannot succeed now in %s: no free block of that "
				"order or larger (unusable free space index %s)", order,
				(x->page_size << order) / 1024, zi->name, idx);
	else if (below_low)
		finding_message(f, "An order-%d allocation cannot succeed now in %s without reclaim: %llu free pages, "
				"below the low watermark %llu plus the %llu pages asked", order, zi->name,
				(unsigned long long)zi->free_pages, (unsigned long long)zi->low,
				(unsigned long long)need);
	else
		finding_message(f, "Order-%d blocks are scarce in %s: %llu left, and %s of its free memory is in "
				"smaller pieces (unusable free space index)", order, zi->name,
				(unsigned long long)blocks, idx);
	high_order_action(f, x->in->memmap, memmap_of(x->in->memmap, zi), order, below_low && blocks);
}

static void rule_high_order(struct finding_ctx *x)
{
	const struct kf_memstate *mem = x->in->mem;
	int pbo = x->in->pageblock_order > 0 ? x->in->pageblock_order : pageblock_order_of(x);

	if (!mem || !(mem->have & KF_HAVE_ZONEINFO) || !(mem->have & KF_HAVE_BUDDYINFO)) {
		finding_skip(x, KF_FIND_HIGH_ORDER, "/proc/zoneinfo and /proc/buddyinfo were not read");
		return;
	}
	if (pbo <= 0)
		pbo = (int)x->cfg->high_order;
	for (int i = 0; i < mem->zoneinfo.nr_zones; i++) {
		const struct kf_zone_info *zi = &mem->zoneinfo.zones[i];
		const struct kf_buddy_zone *b = buddy_of(mem, zi);

		/* small zones (DMA) are not where high-order allocations are served */
		if (!zi->populated || !b || (zi->managed >> pbo) < (uint64_t)x->cfg->high_order_min_blocks)
			continue;
		high_order_zone(x, zi, b, pbo);
	}
}

void rules_frag(struct finding_ctx *x)
{
	rule_extfrag(x);
	rule_high_order(x);
}
