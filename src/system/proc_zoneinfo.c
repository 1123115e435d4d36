// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print): one section per zone,
 * every zone of every node, populated or not:
 *
 *   Node 0, zone   Normal
 *     per-node stats               <- only under the node's first populated zone
 *         nr_inactive_anon 131627     (node counters, same indent as zone ones)
 *     pages free     997772
 *           boost    0
 *           min      11231 / low / high / promo
 *           spanned  5505024 / present / managed / cma
 *           protection: (0, 0, 0, 0, 0)   <- an unpopulated zone stops here
 *         nr_free_pages 997772        <- per-zone counters (nr_mlock, ...)
 *     pagesets / cpu: / count: / high: / batch: ... (per CPU)
 *     node_unreclaimable:  0
 *     start_pfn:           1048576
 *
 * Keys are matched as whole words ("high" is the watermark, "high:" a
 * pageset's), and counters after "per-node stats" are node-wide until
 * "pages free", so nr_mlock is only ever taken from the zone's own list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_proc.h"

enum {
	ZK_FREE = 1 << 0,
	ZK_MIN = 1 << 1,
	ZK_LOW = 1 << 2,
	ZK_HIGH = 1 << 3,
	ZK_SPANNED = 1 << 4,
	ZK_PRESENT = 1 << 5,
	ZK_MANAGED = 1 << 6,
	ZK_START_PFN = 1 << 7,
	ZK_MLOCK = 1 << 8,
	ZK_UNEVICTABLE = 1 << 9,
};

#define ZK_ALWAYS (ZK_FREE | ZK_MIN | ZK_LOW | ZK_HIGH | ZK_SPANNED | ZK_PRESENT | ZK_MANAGED)

static const struct {
	const char *key;
	unsigned bit;
	size_t offset;
} zone_keys[] = {
	{ "min", ZK_MIN, offsetof(struct kf_zone_info, min) },
	{ "low", ZK_LOW, offsetof(struct kf_zone_info, low) },
	{ "high", ZK_HIGH, offsetof(struct kf_zone_info, high) },
	{ "spanned", ZK_SPANNED, offsetof(struct kf_zone_info, spanned) },
	{ "present", ZK_PRESENT, offsetof(struct kf_zone_info, present) },
	{ "managed", ZK_MANAGED, offsetof(struct kf_zone_info, managed) },
	{ "start_pfn:", ZK_START_PFN, offsetof(struct kf_zone_info, start_pfn) },
	{ "nr_mlock", ZK_MLOCK, offsetof(struct kf_zone_info, nr_mlock) },
	{ "nr_zone_unevictable", ZK_UNEVICTABLE, offsetof(struct kf_zone_info, nr_unevictable) },
};

struct zi_parse {
	const char *path;
	char *err;
	size_t errlen;
	struct kf_zone_info *zone;	/* section being read, NULL outside one */
	unsigned seen;			/* ZK_* of that section */
	int zone_line;
	bool node_stats;		/* inside "per-node stats" */
};

/* a section ends: did it have what every kernel prints? */
static int zone_close(struct zi_parse *zp, int line)
{
	struct kf_zone_info *z = zp->zone;
	unsigned need = ZK_ALWAYS;

	if (!z)
		return 0;
	zp->zone = NULL;
	if ((zp->seen & ZK_ALWAYS) == ZK_ALWAYS && z->present > 0)
		need |= ZK_START_PFN;	/* printed only for populated zones */
	if ((zp->seen & need) != need)
		return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
				    "zone %s of node %d (line %d) lacks \"%s\" (truncated file?)",
				    z->name, z->node, zp->zone_line,
				    !(zp->seen & ZK_FREE) ? "pages free" :
				    !(zp->seen & ZK_MIN) ? "min" :
				    !(zp->seen & ZK_LOW) ? "low" :
				    !(zp->seen & ZK_HIGH) ? "high" :
				    !(zp->seen & ZK_SPANNED) ? "spanned" :
				    !(zp->seen & ZK_PRESENT) ? "present" :
				    !(zp->seen & ZK_MANAGED) ? "managed" : "start_pfn");
	/* populated_zone() in the kernel: the zone has present pages */
	z->populated = z->present > 0;
	if (z->present > z->spanned)
		return kf_proc_fail(zp->err, zp->errlen, zp->path, zp->zone_line,
				    "zone %s: present %llu > spanned %llu", z->name,
				    (unsigned long long)z->present,
				    (unsigned long long)z->spanned);
	return 0;
}

static int zone_open(struct zi_parse *zp, struct kf_zoneinfo *zi, int *cap,
		     char *rest, int line)
{
	struct kf_zone_info *z;
	char name[KF_ZONE_NAME_LEN];
	int node, i;

	if (kf_proc_zone_head(&rest, false, &node, name) < 0 || kf_proc_word(&rest))
		return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
				    "expected \"Node N, zone NAME\"");
	for (i = 0; i < zi->nr_zones; i++)
		if (zi->zones[i].node == node && strcmp(zi->zones[i].name, name) == 0)
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "zone %s of node %d appears twice", name, node);
	if (zi->nr_zones == *cap) {
		int ncap = *cap ? *cap * 2 : 8;

		z = realloc(zi->zones, ncap * sizeof(*z));
		if (!z)
			return -1;
		zi->zones = z;
		*cap = ncap;
	}
	z = &zi->zones[zi->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	memcpy(z->name, name, sizeof(name));
	zp->zone = z;
	zp->seen = 0;
	zp->zone_line = line;
	zp->node_stats = false;
	return 0;
}

static int zone_key(struct zi_parse *zp, char *rest, int line)
{
	struct kf_zone_info *z = zp->zone;
	char *key = kf_proc_word(&rest), *val;
	uint64_t v;
	size_t i;

	if (!key)
		return 0;
	if (strcmp(key, "per-node") == 0) {
		zp->node_stats = true;
		return 0;
	}
	if (strcmp(key, "pages") == 0) {
		val = kf_proc_word(&rest);
		if (!val || strcmp(val, "free") != 0)
			return 0;
		zp->node_stats = false;
		val = kf_proc_word(&rest);
		if (!z)
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "\"pages free\" outside a zone");
		if (!val || kf_proc_parse_u64(val, &v) < 0 || kf_proc_word(&rest))
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "\"pages free\" wants one number");
		if (zp->seen & ZK_FREE)
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "\"pages free\" twice in zone %s", z->name);
		z->free_pages = v;
		zp->seen |= ZK_FREE;
		return 0;
	}
	if (zp->node_stats || !z)
		return 0;
	for (i = 0; i < sizeof(zone_keys) / sizeof(zone_keys[0]); i++) {
		if (strcmp(key, zone_keys[i].key) != 0)
			continue;
		val = kf_proc_word(&rest);
		if (!val || kf_proc_parse_u64(val, &v) < 0 || kf_proc_word(&rest))
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "\"%s\" wants one number, not \"%s\"", key,
					    val ? val : "");
		if (zp->seen & zone_keys[i].bit)
			return kf_proc_fail(zp->err, zp->errlen, zp->path, line,
					    "\"%s\" twice in zone %s", key, z->name);
		*(uint64_t *)((char *)z + zone_keys[i].offset) = v;
		zp->seen |= zone_keys[i].bit;
		return 0;
	}
	return 0;	/* boost, promo, cma, protection:, pagesets, ... */
}

int kf_zoneinfo_read(const char *root, struct kf_zoneinfo *zi, char *err, size_t errlen)
{
	struct kf_proc_text t;
	struct zi_parse zp = { .err = err, .errlen = errlen };
	char *cursor, *l;
	int line = 0, cap = 0, saved;

	memset(zi, 0, sizeof(*zi));
	if (kf_proc_text_load(root, "zoneinfo", &t, err, errlen) < 0)
		return -1;
	zp.path = t.path;
	cursor = t.buf;
	while ((l = kf_proc_text_line(&cursor))) {
		line++;
		if (l[0] == ' ' || l[0] == '\t') {
			if (zone_key(&zp, l, line) < 0)
				goto fail;
			continue;
		}
		if (l[0] == '\0')
			continue;
		if (zone_close(&zp, line) < 0)
			goto fail;
		/* a node header of its own ("Node 0, per-node stats"), if a
		 * kernel prints node counters apart from the zones */
		if (strncmp(l, "Node ", 5) == 0 && strstr(l, ", per-node stats")) {
			zp.node_stats = true;
			continue;
		}
		if (zone_open(&zp, zi, &cap, l, line) < 0)
			goto fail;
	}
	if (zone_close(&zp, line) < 0)
		goto fail;
	if (zi->nr_zones == 0) {
		kf_proc_fail(err, errlen, t.path, line ? line : 1, "no zones (empty file?)");
		goto fail;
	}
	kf_proc_text_release(&t);
	return 0;

fail:
	saved = errno;
	if (saved != EINVAL && err && errlen)
		snprintf(err, errlen, "%s:%d: %s", t.path, line, strerror(saved));
	kf_proc_text_release(&t);
	kf_zoneinfo_release(zi);
	errno = saved;
	return -1;
}

void kf_zoneinfo_release(struct kf_zoneinfo *zi)
{
	free(zi->zones);
	zi->zones = NULL;
	zi->nr_zones = 0;
}
