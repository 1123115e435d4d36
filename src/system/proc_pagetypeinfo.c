// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show), once per node with
 * memory:
 *
 *   Page block order: 9
 *   Pages per block:  512
 *
 *   Free pages count per migrate type at order       0      1 ...     10
 *   Node    0, zone      DMA, type    Unmovable      0      0 ...      0
 *   ... one row per migratetype, in the kernel's enum order
 *
 *   Number of blocks type     Unmovable      Movable  Reclaimable ...
 *   Node 0, zone      DMA            1            7            0 ...
 *   [Number of mixed blocks ...        (CONFIG_PAGE_OWNER, skipped)]
 *
 * The migratetype names are taken from the file, never from a table: the
 * numbering changed across kernels, and kmem events print bare numbers.
 * A free count of 100000 or more is printed ">100000" (the kernel stops
 * walking the list there); it is kept as 100000.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_proc.h"

enum pt_state { PT_START, PT_FREE, PT_BLOCKS, PT_MIXED };

struct pt_parse {
	const char *path;
	char *err;
	size_t errlen;
	int line;
	enum pt_state state;
	int cap;
	/* per zone: bit mt for each free row seen, bit 8 for the blocks row */
	unsigned *rows;
	bool have_free_header, have_blocks_header;
	uint64_t pages_per_block;
};

#define PT_FAIL(pp, ...) kf_proc_fail((pp)->err, (pp)->errlen, (pp)->path, (pp)->line, __VA_ARGS__)

static int pt_zone(struct pt_parse *pp, struct kf_pagetypeinfo *pt, int node, const char *name)
{
	struct kf_pagetype_zone *nz;
	unsigned *nrows;
	int i;

	for (i = 0; i < pt->nr_zones; i++)
		if (pt->zones[i].node == node && strcmp(pt->zones[i].name, name) == 0)
			return i;
	if (pt->nr_zones == pp->cap) {
		int ncap = pp->cap ? pp->cap * 2 : 8;

		nz = realloc(pt->zones, ncap * sizeof(*nz));
		if (!nz)
			return -1;
		pt->zones = nz;
		nrows = realloc(pp->rows, ncap * sizeof(*nrows));
		if (!nrows)
			return -1;
		pp->rows = nrows;
		pp->cap = ncap;
	}
	nz = &pt->zones[pt->nr_zones];
	memset(nz, 0, sizeof(*nz));
	nz->node = node;
	snprintf(nz->name, sizeof(nz->name), "%s", name);
	pp->rows[pt->nr_zones] = 0;
	return pt->nr_zones++;
}

/* "123" or ">100000" */
static int pt_count(char *w, uint64_t *v)
{
	if (*w == '>')
		w++;
	return kf_proc_parse_u64(w, v);
}

static int pt_free_header(struct pt_parse *pp, struct kf_pagetypeinfo *pt, char *rest)
{
	uint64_t o;
	char *w;
	int n = 0;

	while ((w = kf_proc_word(&rest))) {
		if (n == KF_MAX_ORDER)
			return PT_FAIL(pp, "more than %d orders", KF_MAX_ORDER);
		if (kf_proc_parse_u64(w, &o) < 0 || o != (uint64_t)n)
			return PT_FAIL(pp, "order \"%s\" where %d was expected", w, n);
		n++;
	}
	if (n == 0)
		return PT_FAIL(pp, "no orders in the free pages header");
	if (pt->nr_orders && pt->nr_orders != n)
		return PT_FAIL(pp, "%d orders where an earlier node had %d", n, pt->nr_orders);
	pt->nr_orders = n;
	pp->have_free_header = true;
	pp->state = PT_FREE;
	return 0;
}

static int pt_free_row(struct pt_parse *pp, struct kf_pagetypeinfo *pt, char *rest)
{
	char name[KF_ZONE_NAME_LEN];
	struct kf_pagetype_zone *z;
	int node, zi, mt, o;
	char *w;

	if (kf_proc_zone_head(&rest, true, &node, name) < 0 ||
	    !(w = kf_proc_word(&rest)) || strcmp(w, "type") != 0)
		return PT_FAIL(pp, "expected \"Node N, zone NAME, type TYPE COUNT...\"");
	w = kf_proc_word(&rest);
	if (!w || strlen(w) >= KF_MT_NAME_LEN || (w[0] >= '0' && w[0] <= '9'))
		return PT_FAIL(pp, "bad migratetype name");
	for (mt = 0; mt < pt->nr_mt; mt++)
		if (strcmp(pt->mt_names[mt], w) == 0)
			break;
	if (mt == pt->nr_mt) {
		if (pt->nr_mt == KF_MAX_MIGRATETYPES)
			return PT_FAIL(pp, "more than %d migratetypes", KF_MAX_MIGRATETYPES);
		snprintf(pt->mt_names[mt], KF_MT_NAME_LEN, "%s", w);
		pt->nr_mt++;
	}
	zi = pt_zone(pp, pt, node, name);
	if (zi < 0)
		return -1;
	z = &pt->zones[zi];
	for (o = 0; o < pt->nr_orders; o++) {
		w = kf_proc_word(&rest);
		if (!w || pt_count(w, &z->free_blocks[mt][o]) < 0)
			return PT_FAIL(pp, "zone %s, type %s: want %d counts",
				       name, pt->mt_names[mt], pt->nr_orders);
	}
	if (kf_proc_word(&rest))
		return PT_FAIL(pp, "zone %s, type %s: more than %d counts",
			       name, pt->mt_names[mt], pt->nr_orders);
	if (pp->rows[zi] & (1u << mt))
		return PT_FAIL(pp, "zone %s of node %d, type %s: two rows",
			       name, node, pt->mt_names[mt]);
	pp->rows[zi] |= 1u << mt;
	return 0;
}

static int pt_blocks_header(struct pt_parse *pp, struct kf_pagetypeinfo *pt, char *rest)
{
	char *w;
	int n = 0;

	while ((w = kf_proc_word(&rest))) {
		if (n == KF_MAX_MIGRATETYPES)
			return PT_FAIL(pp, "more than %d migratetypes", KF_MAX_MIGRATETYPES);
		if (strlen(w) >= KF_MT_NAME_LEN)
			return PT_FAIL(pp, "bad migratetype name");
		/* the same names, in the same order, as the free table's rows */
		if (n < pt->nr_mt && strcmp(pt->mt_names[n], w) != 0)
			return PT_FAIL(pp, "migratetype %d is \"%s\" here, \"%s\" in the free table",
				       n, w, pt->mt_names[n]);
		if (n >= pt->nr_mt)
			snprintf(pt->mt_names[n], KF_MT_NAME_LEN, "%s", w);
		n++;
	}
	if (n == 0 || (pt->nr_mt && n != pt->nr_mt))
		return PT_FAIL(pp, "%d migratetypes in the blocks header, %d in the free table",
			       n, pt->nr_mt);
	pt->nr_mt = n;
	pp->have_blocks_header = true;
	pp->state = PT_BLOCKS;
	return 0;
}

static int pt_blocks_row(struct pt_parse *pp, struct kf_pagetypeinfo *pt, char *rest)
{
	char name[KF_ZONE_NAME_LEN];
	int node, zi, mt;
	char *w;

	if (kf_proc_zone_head(&rest, false, &node, name) < 0)
		return PT_FAIL(pp, "expected \"Node N, zone NAME COUNT...\"");
	zi = pt_zone(pp, pt, node, name);
	if (zi < 0)
		return -1;
	for (mt = 0; mt < pt->nr_mt; mt++) {
		w = kf_proc_word(&rest);
		if (!w || kf_proc_parse_u64(w, &pt->zones[zi].pageblocks[mt]) < 0)
			return PT_FAIL(pp, "zone %s: want %d block counts", name, pt->nr_mt);
	}
	if (kf_proc_word(&rest))
		return PT_FAIL(pp, "zone %s: more than %d block counts", name, pt->nr_mt);
	if (pp->rows[zi] >> 8)
		return PT_FAIL(pp, "zone %s of node %d: blocks counted twice", name, node);
	pp->rows[zi] |= 1u << 8;
	return 0;
}

static int pt_line(struct pt_parse *pp, struct kf_pagetypeinfo *pt, char *l)
{
	const char *p;
	uint64_t v;
	char *w;

	if (*l == '\0')
		return 0;
	if ((p = "Page block order:", strncmp(l, p, strlen(p)) == 0)) {
		l += strlen(p);
		w = kf_proc_word(&l);
		if (!w || kf_proc_parse_u64(w, &v) < 0 || v > 63 || kf_proc_word(&l))
			return PT_FAIL(pp, "bad page block order");
		if (pt->pageblock_order >= 0 && pt->pageblock_order != (int)v)
			return PT_FAIL(pp, "page block order %d where an earlier node had %d",
				       (int)v, pt->pageblock_order);
		pt->pageblock_order = (int)v;
		pp->state = PT_START;
		return 0;
	}
	if ((p = "Pages per block:", strncmp(l, p, strlen(p)) == 0)) {
		l += strlen(p);
		w = kf_proc_word(&l);
		if (!w || kf_proc_parse_u64(w, &v) < 0 || kf_proc_word(&l) ||
		    pt->pageblock_order < 0 || v != (uint64_t)1 << pt->pageblock_order)
			return PT_FAIL(pp, "pages per block is not 2^(page block order)");
		pp->pages_per_block = v;
		return 0;
	}
	if ((p = "Free pages count per migrate type at order", strncmp(l, p, strlen(p)) == 0))
		return pt_free_header(pp, pt, l + strlen(p));
	if ((p = "Number of blocks type", strncmp(l, p, strlen(p)) == 0))
		return pt_blocks_header(pp, pt, l + strlen(p));
	if ((p = "Number of mixed blocks", strncmp(l, p, strlen(p)) == 0)) {
		pp->state = PT_MIXED;
		return 0;
	}
	switch (pp->state) {
	case PT_FREE:
		return pt_free_row(pp, pt, l);
	case PT_BLOCKS:
		return pt_blocks_row(pp, pt, l);
	case PT_MIXED:
		return 0;
	default:
		return PT_FAIL(pp, "unexpected line");
	}
}

/* a whole file: every zone has a free row per migratetype and one blocks row */
static int pt_complete(struct pt_parse *pp, struct kf_pagetypeinfo *pt)
{
	int i;

	if (pt->pageblock_order < 0)
		return PT_FAIL(pp, "no \"Page block order\" (empty file?)");
	if (!pp->have_free_header || pt->nr_zones == 0)
		return PT_FAIL(pp, "no free pages table (truncated file?)");
	if (!pp->have_blocks_header)
		return PT_FAIL(pp, "no \"Number of blocks type\" table (truncated file?)");
	for (i = 0; i < pt->nr_zones; i++) {
		if ((pp->rows[i] & 0xff) != (1u << pt->nr_mt) - 1)
			return PT_FAIL(pp, "zone %s of node %d lacks free rows of some types",
				       pt->zones[i].name, pt->zones[i].node);
		if (!(pp->rows[i] >> 8))
			return PT_FAIL(pp, "zone %s of node %d has no blocks row (truncated file?)",
				       pt->zones[i].name, pt->zones[i].node);
	}
	return 0;
}

int kf_pagetypeinfo_read(const char *root, struct kf_pagetypeinfo *pt, char *err, size_t errlen)
{
	struct pt_parse pp = { .err = err, .errlen = errlen, .state = PT_START };
	struct kf_proc_text t;
	char *cursor, *l;
	int saved;

	memset(pt, 0, sizeof(*pt));
	pt->pageblock_order = -1;
	if (kf_proc_text_load(root, "pagetypeinfo", &t, err, errlen) < 0)
		return -1;
	pp.path = t.path;
	cursor = t.buf;
	while ((l = kf_proc_text_line(&cursor))) {
		pp.line++;
		if (pt_line(&pp, pt, l) < 0)
			goto fail;
	}
	if (pp.line == 0)
		pp.line = 1;
	if (pt_complete(&pp, pt) < 0)
		goto fail;
	free(pp.rows);
	kf_proc_text_release(&t);
	return 0;

fail:
	saved = errno;
	if (saved != EINVAL && err && errlen)
		snprintf(err, errlen, "%s:%d: %s", t.path, pp.line, strerror(saved));
	free(pp.rows);
	kf_proc_text_release(&t);
	kf_pagetypeinfo_release(pt);
	errno = saved;
	return -1;
}

void kf_pagetypeinfo_release(struct kf_pagetypeinfo *pt)
{
	free(pt->zones);
	memset(pt, 0, sizeof(*pt));
}
