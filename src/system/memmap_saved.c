/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory map a recording carries (kf_state.h: ROOT/kfrag/memmap.json,
 * written by kfrag record as `kfrag report --memmap` prints it, the schema's
 * "memmap" object with its run-length "map"), read back into a struct
 * kf_memmap as if the recorded machine had just been scanned.
 *
 * The file comes out of a trace someone handed us: every count is checked
 * (the runs of each zone add up to its pageblocks, and to its by_kind
 * counts). A pageblock's classes are not saved, only its kind: each block
 * gets the class its kind names (what kf_memmap_locate and the pictures
 * use); the per-zone counts of classes are the saved ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "kf_memmap.h"
#include "kf_state.h"
#include "kf_util.h"

/* a non-negative integer member; 0 and a complaint when absent */
static uint64_t get_u64(struct kf_file_error *l, const json_t *o, const char *key, const char *where)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		kf_file_error(l, 1, "%s: \"%s\" is not a count", where, key);
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

/* the class a block of this kind surely has */
static uint16_t kind_classes(int kind)
{
	switch (kind) {
	case KF_BK_HOLE: return 1u << KF_PC_ABSENT;
	case KF_BK_EMPTY: return 1u << KF_PC_UNFLAGGED;
	case KF_BK_FREE: return 1u << KF_PC_FREE;
	case KF_BK_MOVABLE: return 1u << KF_PC_MOVABLE;
	case KF_BK_UNSURE: return 1u << KF_PC_MOVABLE | 1u << KF_PC_UNFLAGGED;
	default: return 1u << (kind - KF_BK_FIRST_BLOCKED + KF_PC_FIRST_BLOCKING);
	}
}

/* "F12M3U1" into z->blocks[z->nr_blocks] */
static void decode_map(struct kf_file_error *l, struct kf_memmap_zone *z, const char *map, const char *where)
{
	uint64_t at = 0;

	while (*map && !l->code) {
		const char *k = strchr(kf_block_kind_chars, *map);
		char *end;
		unsigned long long run;

		if (!k || !*k || map[1] < '0' || map[1] > '9') {
			kf_file_error(l, 1, "%s: the map has '%c' where a run starts", where, *map);
			return;
		}
		errno = 0;
		run = strtoull(map + 1, &end, 10);
		if (errno || !run || run > z->nr_blocks - at) {
			kf_file_error(l, 1, "%s: the map's runs overrun its %llu pageblocks", where,
				  (unsigned long long)z->nr_blocks);
			return;
		}
		for (uint64_t i = 0; i < run; i++) {
			z->blocks[at + i].kind = (uint8_t)(k - kf_block_kind_chars);
			z->blocks[at + i].classes = kind_classes(k - kf_block_kind_chars);
		}
		at += run;
		map = end;
	}
	if (!l->code && at != z->nr_blocks)
		kf_file_error(l, 1, "%s: the map covers %llu of its %llu pageblocks", where,
			  (unsigned long long)at, (unsigned long long)z->nr_blocks);
	z->nr_fed = at;
}

/* by_kind (and blocked_by) against the map; pages and blocks_with by class */
static void zone_counts(struct kf_file_error *l, struct kf_memmap_zone *z, const json_t *o, const char *where)
{
	const json_t *kinds = json_object_get(o, "by_kind"), *blocked = json_object_get(o, "blocked_by");
	const json_t *pages = json_object_get(o, "pages"), *with = json_object_get(o, "blocks_with");
	uint64_t seen[KF_BK_NR] = { 0 };

	for (uint64_t i = 0; i < z->nr_fed; i++)
		seen[z->blocks[i].kind]++;
	for (int k = 0; k < KF_BK_NR && !l->code; k++) {
		z->blocks_by_kind[k] = get_u64(l, kf_block_kind_blocked(k) ? blocked : kinds,
					       kf_block_kind_names[k], where);
		if (!l->code && z->blocks_by_kind[k] != seen[k])
			kf_file_error(l, 1, "%s: %llu %s pageblocks said, %llu in the map", where,
				  (unsigned long long)z->blocks_by_kind[k], kf_block_kind_names[k],
				  (unsigned long long)seen[k]);
	}
	for (int c = 0; c < KF_PC_NR && !l->code; c++) {
		z->pages[c] = get_u64(l, pages, kf_page_class_names[c], where);
		z->blocks_with[c] = get_u64(l, with, kf_page_class_names[c], where);
	}
	if (json_object_get(pages, "movable_shared"))
		z->shared_pages = get_u64(l, pages, "movable_shared", where);
}

static void zone_summary(struct kf_file_error *l, struct kf_memmap_zone *z, const json_t *o, const char *where)
{
	const json_t *c = json_object_get(o, "compactable"), *b = json_object_get(o, "buddy");
	const json_t *kb = json_object_get(o, "kernel_pageblocks");

	z->usable_blocks = get_u64(l, c, "usable_blocks", where);
	z->compactable_blocks = get_u64(l, c, "blocks", where);
	z->compactable_blocks_max = get_u64(l, c, "blocks_max", where);
	z->compactable_if_unevictable = get_u64(l, c, "blocks_if_unevictable_moved", where);
	z->have_kernel_blocks = json_is_integer(kb);
	if (z->have_kernel_blocks)
		z->kernel_blocks = get_u64(l, o, "kernel_pageblocks", where);
	z->have_buddy = json_is_object(b);
	if (z->have_buddy) {
		z->buddy_free_blocks = get_u64(l, b, "free_pageblocks", where);
		/* thousandths, as the scan keeps them */
		z->unusable_index = (int)lround(json_number_value(json_object_get(b, "unusable_index")) * 1000);
		z->extfrag_index = (int)lround(json_number_value(json_object_get(b, "extfrag_index")) * 1000);
	}
}

static void load_zone(struct kf_file_error *l, struct kf_memmap *m, struct kf_memmap_zone *z, const json_t *o, int i)
{
	const char *name = json_string_value(json_object_get(o, "zone"));
	const char *map = json_string_value(json_object_get(o, "map"));
	char where[64];
	uint64_t first_pfn;

	snprintf(where, sizeof(where), "zone %d", i);
	if (!name || strlen(name) >= sizeof(z->name) || !json_is_integer(json_object_get(o, "node")) || !map) {
		kf_file_error(l, 1, "%s: no node, zone name or map", where);
		return;
	}
	z->node = (int)json_integer_value(json_object_get(o, "node"));
	snprintf(z->name, sizeof(z->name), "%s", name);
	snprintf(where, sizeof(where), "zone %s", name);
	z->start_pfn = get_u64(l, o, "start_pfn", where);
	z->end_pfn = get_u64(l, o, "end_pfn", where);
	z->nr_blocks = get_u64(l, o, "pageblocks", where);
	first_pfn = get_u64(l, o, "map_first_pfn", where);
	if (l->code)
		return;
	z->first_block = z->start_pfn >> m->pageblock_order;
	if (z->end_pfn <= z->start_pfn || first_pfn != z->first_block << m->pageblock_order ||
	    z->nr_blocks != ((z->end_pfn - 1) >> m->pageblock_order) - z->first_block + 1) {
		kf_file_error(l, 1, "%s: its PFN span, first PFN and pageblocks disagree", where);
		return;
	}
	z->blocks = calloc(z->nr_blocks, sizeof(*z->blocks));
	if (!z->blocks) {
		kf_file_error(l, 1, "out of memory");
		return;
	}
	decode_map(l, z, map, where);
	zone_counts(l, z, o, where);
	zone_summary(l, z, o, where);
}

static struct kf_memmap *load_map(struct kf_file_error *l, const json_t *doc)
{
	const json_t *zones = json_object_get(doc, "zones");
	const json_t *pbo = json_object_get(doc, "pageblock_order");
	const json_t *cua = json_object_get(doc, "compact_unevictable_allowed");
	struct kf_memmap *m;
	size_t nr = json_array_size(zones);

	if (!json_is_integer(pbo) || json_integer_value(pbo) < 0 || json_integer_value(pbo) > 20 ||
	    !json_is_array(zones) || !nr || nr > 4096) {
		kf_file_error(l, 1, "no pageblock order (0 to 20) or no zones");
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->zones = calloc(nr, sizeof(*m->zones)))) {
		free(m);
		kf_file_error(l, 1, "out of memory");
		return NULL;
	}
	m->pageblock_order = (int)json_integer_value(pbo);
	m->flags = json_is_true(json_object_get(doc, "kpagecount")) ? KF_MEMMAP_PAGECOUNT : 0;
	m->compact_unevictable_allowed = json_is_integer(cua) ? (int)json_integer_value(cua) : -1;
	for (size_t i = 0; i < nr && !l->code; i++) {
		m->nr_zones = (int)i + 1;
		load_zone(l, m, &m->zones[i], json_array_get(zones, i), (int)i);
	}
	if (l->code) {
		kf_memmap_free(m);
		return NULL;
	}
	return m;
}

int kf_memmap_load_saved(const char *root, struct kf_memmap **out, char *err, size_t errlen)
{
	struct kf_file_error l = { .buf = err, .len = errlen };
	json_error_t jerr;
	char *path;
	json_t *doc;

	*out = NULL;
	if (asprintf(&path, "%s/%s", strcmp(root, "/") ? root : "", KF_STATE_MEMMAP) < 0) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	if (access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	l.path = path;
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		kf_file_error(&l, 1, "not JSON: %s (line %d)", jerr.text, jerr.line);
	else
		*out = load_map(&l, doc);
	json_decref(doc);
	free(path);
	if (!*out) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}
