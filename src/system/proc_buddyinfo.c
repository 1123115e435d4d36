// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/buddyinfo (mm/vmstat.c frag_show_print): one line per populated
 * zone, free blocks of each order from 0 to MAX_PAGE_ORDER:
 *
 *   Node 0, zone   Normal  45406    155     84 ...    885
 *
 * These are the zone's nr_free counters, the exact numbers the kernel's
 * fragmentation indices are computed from (pagetypeinfo caps its counts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_proc.h"
#include "kf_zones.h"

static int buddy_line(struct kf_buddyinfo *bi, int *cap, char *l, const char *path,
		      int line, char *err, size_t errlen)
{
	struct kf_buddy_zone *bz, tmp;
	char *w;
	int i;

	memset(&tmp, 0, sizeof(tmp));
	if (kf_proc_zone_head(&l, false, &tmp.node, tmp.name) < 0)
		return kf_proc_fail(err, errlen, path, line,
				    "expected \"Node N, zone NAME COUNT...\"");
	while ((w = kf_proc_word(&l))) {
		if (tmp.nr_orders == KF_MAX_ORDER)
			return kf_proc_fail(err, errlen, path, line,
					    "more than %d orders", KF_MAX_ORDER);
		if (kf_proc_parse_u64(w, &tmp.free_blocks[tmp.nr_orders]) < 0)
			return kf_proc_fail(err, errlen, path, line,
					    "\"%s\" is not a count of free blocks", w);
		tmp.nr_orders++;
	}
	if (tmp.nr_orders == 0)
		return kf_proc_fail(err, errlen, path, line, "zone %s has no counts", tmp.name);
	/* every zone has the same orders (NR_PAGE_ORDERS) */
	if (bi->nr_zones > 0 && tmp.nr_orders != bi->zones[0].nr_orders)
		return kf_proc_fail(err, errlen, path, line,
				    "%d orders where the first zone has %d",
				    tmp.nr_orders, bi->zones[0].nr_orders);
	for (i = 0; i < bi->nr_zones; i++)
		if (bi->zones[i].node == tmp.node && strcmp(bi->zones[i].name, tmp.name) == 0)
			return kf_proc_fail(err, errlen, path, line,
					    "zone %s of node %d appears twice", tmp.name, tmp.node);
	if (bi->nr_zones == *cap) {
		int ncap = *cap ? *cap * 2 : 8;

		bz = realloc(bi->zones, ncap * sizeof(*bz));
		if (!bz)
			return -1;
		bi->zones = bz;
		*cap = ncap;
	}
	kf_buddy_zone_derive(&tmp);
	bi->zones[bi->nr_zones++] = tmp;
	return 0;
}

int kf_buddyinfo_read(const char *root, struct kf_buddyinfo *bi, char *err, size_t errlen)
{
	struct kf_proc_text t;
	char *cursor, *l;
	int line = 0, cap = 0, saved;

	memset(bi, 0, sizeof(*bi));
	if (kf_proc_text_load(root, "buddyinfo", &t, err, errlen) < 0)
		return -1;
	cursor = t.buf;
	while ((l = kf_proc_text_line(&cursor))) {
		line++;
		if (buddy_line(bi, &cap, l, t.path, line, err, errlen) < 0)
			goto fail;
	}
	if (bi->nr_zones == 0) {
		kf_proc_fail(err, errlen, t.path, 1, "no zones (empty file?)");
		goto fail;
	}
	kf_proc_text_release(&t);
	return 0;

fail:
	saved = errno;
	if (saved != EINVAL && err && errlen)
		snprintf(err, errlen, "%s:%d: %s", t.path, line, strerror(saved));
	kf_proc_text_release(&t);
	kf_buddyinfo_release(bi);
	errno = saved;
	return -1;
}

void kf_buddyinfo_release(struct kf_buddyinfo *bi)
{
	free(bi->zones);
	bi->zones = NULL;
	bi->nr_zones = 0;
}
