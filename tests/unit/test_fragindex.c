// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fragmentation indices kfrag computes from buddyinfo must print exactly
 * as the kernel's own debugfs extfrag/unusable_index and extfrag_index,
 * which were saved at the same moment as buddyinfo in every fixture tree.
 * The kernel's files are parsed here independently of kfrag's readers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kf_fragindex.h"
#include "kf_proc.h"
#include "kf_zones.h"

/*
 * Which saved free-list counts the kernel's index files were computed from.
 * The capture read the files one after another, and in
 * compaction-unevictable-off/after memory moved between the reads: its
 * buddyinfo Normal row (57548 order-0 blocks) is not what extfrag saw, but
 * the per-order sums of pagetypeinfo's Normal rows (59553, 620, 85, 52, ...)
 * give the kernel's unusable_index exactly (buddyinfo's give 0.061 where the
 * kernel printed 0.063). Every other tree's buddyinfo matches exactly.
 */
enum counts_from { FROM_BUDDYINFO, FROM_PAGETYPEINFO };

static const struct {
	const char *dir;
	enum counts_from from;
} trees[] = {
	{ "proc/compaction-mlocked-moved/before", FROM_BUDDYINFO },
	{ "proc/compaction-mlocked-moved/after", FROM_BUDDYINFO },
	{ "proc/compaction-unevictable-off/before", FROM_BUDDYINFO },
	{ "proc/compaction-unevictable-off/after", FROM_PAGETYPEINFO },
};

#define MAX_ROWS 16

/* one line of an index file: "Node 0, zone   Normal 0.000 0.045 ..." */
struct index_row {
	int node;
	char zone[32];
	int nr;
	char val[KF_MAX_ORDER + 4][16];
};

static int index_file_parse(const char *path, struct index_row *rows, int max)
{
	char line[1024], *save, *tok;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct index_row *r = &rows[n];

		memset(r, 0, sizeof(*r));
		if (sscanf(line, "Node %d, zone %31s", &r->node, r->zone) != 2)
			continue;
		tok = strtok_r(line, " \t\n", &save);	/* Node */
		tok = strtok_r(NULL, " \t\n", &save);	/* 0, */
		tok = strtok_r(NULL, " \t\n", &save);	/* zone */
		tok = strtok_r(NULL, " \t\n", &save);	/* name */
		while ((tok = strtok_r(NULL, " \t\n", &save)) && r->nr < KF_MAX_ORDER + 4)
			snprintf(r->val[r->nr++], sizeof(r->val[0]), "%s", tok);
		n++;
	}
	fclose(f);
	return n;
}

static const struct kf_buddy_zone *buddy_zone(const struct kf_buddyinfo *bi, int node,
					      const char *name)
{
	int i;

	for (i = 0; i < bi->nr_zones; i++)
		if (bi->zones[i].node == node && strcmp(bi->zones[i].name, name) == 0)
			return &bi->zones[i];
	return NULL;
}

/* free blocks per order of each zone, summed over pagetypeinfo's migratetypes */
static int buddy_from_pagetypeinfo(const char *dir, struct kf_buddyinfo *bi, char *err,
				   size_t errlen)
{
	struct kf_pagetypeinfo pt;
	int i, mt, o;

	if (kf_pagetypeinfo_read(dir, &pt, err, errlen) < 0)
		return -1;
	bi->nr_zones = pt.nr_zones;
	bi->zones = calloc(pt.nr_zones, sizeof(*bi->zones));
	if (!bi->zones) {
		kf_pagetypeinfo_release(&pt);
		return -1;
	}
	for (i = 0; i < pt.nr_zones; i++) {
		struct kf_buddy_zone *z = &bi->zones[i];

		z->node = pt.zones[i].node;
		memcpy(z->name, pt.zones[i].name, sizeof(z->name));
		z->nr_orders = pt.nr_orders;
		for (mt = 0; mt < pt.nr_mt; mt++)
			for (o = 0; o < pt.nr_orders; o++)
				z->free_blocks[o] += pt.zones[i].free_blocks[mt][o];
	}
	kf_pagetypeinfo_release(&pt);
	return 0;
}

static void check_tree(const char *tree, enum counts_from from)
{
	struct index_row unusable[MAX_ROWS], extfrag[MAX_ROWS];
	char dir[4096], path[4200], err[512], buf[16];
	struct kf_buddyinfo bi;
	int nu, ne, i, o, compared = 0, r;

	snprintf(dir, sizeof(dir), "%s", fixture(tree));
	if (from == FROM_BUDDYINFO)
		r = kf_buddyinfo_read(dir, &bi, err, sizeof(err));
	else
		r = buddy_from_pagetypeinfo(dir, &bi, err, sizeof(err));
	if (r < 0) {
		CHECK(0, "%s: %s", tree, err);
		return;
	}
	snprintf(path, sizeof(path), "%s/unusable_index", dir);
	nu = index_file_parse(path, unusable, MAX_ROWS);
	snprintf(path, sizeof(path), "%s/extfrag_index", dir);
	ne = index_file_parse(path, extfrag, MAX_ROWS);
	/* all three captures are of node 0's DMA, DMA32 and Normal */
	CHECK_EQ_INT(bi.nr_zones, 3);
	CHECK_EQ_INT(nu, 3);
	CHECK_EQ_INT(ne, 3);

	for (i = 0; i < nu && i < ne; i++) {
		const struct kf_buddy_zone *z = buddy_zone(&bi, unusable[i].node, unusable[i].zone);

		CHECK(z != NULL, "%s: zone %s not in buddyinfo", tree, unusable[i].zone);
		CHECK_EQ_STR(extfrag[i].zone, unusable[i].zone);
		if (!z)
			continue;
		CHECK_EQ_INT(unusable[i].nr, z->nr_orders);
		CHECK_EQ_INT(extfrag[i].nr, z->nr_orders);
		for (o = 0; o < z->nr_orders && o < unusable[i].nr && o < extfrag[i].nr; o++) {
			kf_index_format(kf_unusable_index(z->free_blocks, z->nr_orders, o), buf);
			CHECK(strcmp(buf, unusable[i].val[o]) == 0,
			      "%s %s order %d unusable: got %s, kernel %s",
			      tree, z->name, o, buf, unusable[i].val[o]);
			kf_index_format(kf_extfrag_index(z->free_blocks, z->nr_orders, o), buf);
			CHECK(strcmp(buf, extfrag[i].val[o]) == 0,
			      "%s %s order %d extfrag: got %s, kernel %s",
			      tree, z->name, o, buf, extfrag[i].val[o]);
			compared++;
		}
	}
	/* 3 zones x 11 orders, so that nothing passes by comparing nothing */
	CHECK_EQ_INT(compared, 33);
	kf_buddyinfo_release(&bi);
}

#define U(blocks, order) kf_index_format(kf_unusable_index(blocks, \
		(int)(sizeof(blocks) / sizeof(blocks[0])), order), buf)
#define E(blocks, order) kf_index_format(kf_extfrag_index(blocks, \
		(int)(sizeof(blocks) / sizeof(blocks[0])), order), buf)

static void check_by_hand(void)
{
	char buf[16];

	/* no free memory: all of it "unusable", and extfrag 0 (not -1) */
	{
		uint64_t b[11] = { 0 };

		CHECK_EQ_STR(U(b, 0), "1.000");
		CHECK_EQ_STR(U(b, 10), "1.000");
		CHECK_EQ_STR(E(b, 0), "0.000");
		CHECK_EQ_STR(E(b, 10), "0.000");
	}
	/* DMA of the fixtures: 1 order-8, 1 order-9, 3 order-10 blocks;
	 * free 256+512+3072 = 3840; order 9: suitable 1+3*2 = 7 blocks =
	 * 3584 pages: (3840-3584)*1000/3840 = 66.6 -> 66; order 10: 3 blocks,
	 * (3840-3072)*1000/3840 = 200 */
	{
		uint64_t b[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };

		CHECK_EQ_STR(U(b, 8), "0.000");
		CHECK_EQ_STR(U(b, 9), "0.066");
		CHECK_EQ_STR(U(b, 10), "0.200");
		CHECK_EQ_STR(E(b, 10), "-1.000");
	}
	/* 100 order-0 and 50 order-1 blocks: free 200 pages in 150 blocks.
	 * order 1: 50 suitable -> unusable (200-100)*1000/200 = 500,
	 * extfrag -1000; order 2: none suitable -> unusable 1000, extfrag
	 * 1000 - (1000 + 200*1000/4)/150 = 1000 - 51000/150 = 1000 - 340 */
	{
		uint64_t b[4] = { 100, 50, 0, 0 };

		CHECK_EQ_STR(U(b, 0), "0.000");
		CHECK_EQ_STR(U(b, 1), "0.500");
		CHECK_EQ_STR(E(b, 1), "-1.000");
		CHECK_EQ_STR(U(b, 2), "1.000");
		CHECK_EQ_STR(E(b, 2), "0.660");
		CHECK_EQ_STR(E(b, 3), "0.827");	/* 1000 - (1000+25000)/150 = 1000-173 */
	}
	/* truncating divisions: one order-0 and one order-1 block, 3 pages;
	 * order 1: (3-2)*1000/3 = 333.3; three order-0 blocks at order 1:
	 * 1000 - (1000 + 3000/2)/3 = 1000 - 833 */
	{
		uint64_t b[3] = { 1, 1, 0 };
		uint64_t c[3] = { 3, 0, 0 };

		CHECK_EQ_STR(U(b, 1), "0.333");
		CHECK_EQ_STR(U(b, 2), "1.000");
		CHECK_EQ_STR(E(c, 1), "0.167");
	}
	/* the fixtures' Normal zone (before) without its order 9 and 10 blocks:
	 * free 49036 pages in 45738 blocks, 3 of order 8.
	 * order 8: (49036-768)*1000/49036 = 984.3; order 9: 1000 -
	 * (1000 + 49036000/512 = 95773)/45738 = 1000 - 2 */
	{
		uint64_t b[11] = { 45406, 155, 84, 47, 21, 11, 4, 7, 3, 0, 0 };

		CHECK_EQ_STR(U(b, 8), "0.984");
		CHECK_EQ_STR(E(b, 8), "-1.000");
		CHECK_EQ_STR(E(b, 9), "0.998");
		CHECK_EQ_STR(E(b, 10), "0.999");	/* 1000 - (1000+47886)/45738 */
	}
	/* a single free block smaller than the order: the kernel's formula
	 * goes negative, 1000 - (1000 + 1*1000/2)/1 = -500, printed by its
	 * "%d.%03d" as "0.-500" */
	{
		uint64_t b[2] = { 1, 0 };

		CHECK_EQ_INT(kf_extfrag_index(b, 2, 1), -500);
		CHECK_EQ_STR(E(b, 1), "0.-500");
	}
	/* div_u64() divides by a u32: with 2^32+1 free blocks the kernel
	 * divides by 1, (1000 + (2^32+1)*1000/2)/1 = 2147483649500, and
	 * 1000 minus that, through an int, is -500 (a full 64-bit divisor
	 * would give 500) */
	{
		uint64_t b[2] = { (1ULL << 32) + 1, 0 };

		CHECK_EQ_INT(kf_extfrag_index(b, 2, 1), -500);
	}
	/* an order past the last: the kernel's WARN path returns 0 */
	{
		uint64_t b[2] = { 1, 1 };

		CHECK_EQ_INT(kf_extfrag_index(b, 2, 2), 0);
		CHECK_EQ_INT(kf_unusable_index(b, 2, 2), 1000);
		errno = 0;
		CHECK_EQ_INT(kf_extfrag_index(b, 2, -1), 0);
		CHECK_EQ_INT(errno, EINVAL);
		CHECK_EQ_INT(kf_unusable_index(NULL, 2, 0), 0);
	}
	CHECK_EQ_STR(kf_index_format(0, buf), "0.000");
	CHECK_EQ_STR(kf_index_format(45, buf), "0.045");
	CHECK_EQ_STR(kf_index_format(1000, buf), "1.000");
	CHECK_EQ_STR(kf_index_format(-1000, buf), "-1.000");
	CHECK_EQ_STR(kf_index_format(999, buf), "0.999");
}

/* "can I get a 2 MiB page now?" (kf_zones.h), worked by hand */
static void check_huge_now(void)
{
	struct kf_buddy_zone b = { .node = 0, .name = "Normal", .nr_orders = 11 };
	struct kf_zone_info zi = { .node = 0, .name = "Normal", .free_pages = 100000, .low = 1000 };
	struct kf_zone_order_now now;

	CHECK_EQ_INT(kf_huge_order(4096), 9);
	CHECK_EQ_INT(kf_huge_order(16384), 7);
	CHECK_EQ_INT(kf_huge_order(65536), 5);
	CHECK_EQ_INT(kf_huge_order(4 << 20), -1);
	/* order 8 blocks are no 2 MiB: none */
	b.free_blocks[8] = 50;
	kf_zone_order_now(&zi, &b, 9, &now);
	CHECK_EQ_INT(now.answer, KF_HUGE_NO_BLOCK);
	CHECK_EQ_U64(now.blocks, 0);
	CHECK_EQ_STR(kf_huge_answer_names[now.answer], "no_free_block");
	/* 3 of order 9, 2 of order 10 (4 more): 7 */
	b.free_blocks[9] = 3;
	b.free_blocks[10] = 2;
	kf_zone_order_now(&zi, &b, 9, &now);
	CHECK_EQ_INT(now.answer, KF_HUGE_YES);
	CHECK_EQ_U64(now.blocks, 7);
	CHECK_EQ_STR(now.name, "Normal");
	/* free pages below low + 512: not without reclaim (1511 < 1000 + 512) */
	zi.free_pages = 1511;
	kf_zone_order_now(&zi, &b, 9, &now);
	CHECK_EQ_INT(now.answer, KF_HUGE_BELOW_LOW);
	zi.free_pages = 1512;
	kf_zone_order_now(&zi, &b, 9, &now);
	CHECK_EQ_INT(now.answer, KF_HUGE_YES);
	/* no buddyinfo: unknown */
	kf_zone_order_now(&zi, NULL, 9, &now);
	CHECK_EQ_INT(now.answer, KF_HUGE_UNKNOWN);
	CHECK_EQ_U64(kf_buddy_blocks_of_order(&b, 8), 50 + 6 + 8);
}

int main(void)
{
	size_t i;

	check_by_hand();
	check_huge_now();
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		check_tree(trees[i].dir, trees[i].from);
	return check_done();
}
