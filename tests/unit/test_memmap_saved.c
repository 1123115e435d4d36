/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording's saved memory map (src/system/memmap_saved.c) read back:
 * the map of the saved kpageflags slice tests/data/memmap/normal-48, made
 * by the scanner (whose own test checks it against the slice's expected
 * map), written as kfrag record writes it (kf_memmap_json with the map),
 * must load as the very same map. Damaged copies of the file are refused
 * with a message naming it and what is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_state.h"

static char root[64];

static void write_saved(json_t *j)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/kfrag", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s", root, KF_STATE_MEMMAP);
	CHECK(json_dump_file(j, path, JSON_COMPACT) == 0, "cannot write %s", path);
}

static void same_zone(const struct kf_memmap_zone *a, const struct kf_memmap_zone *b)
{
	CHECK_EQ_INT(b->node, a->node);
	CHECK_EQ_STR(b->name, a->name);
	CHECK_EQ_U64(b->start_pfn, a->start_pfn);
	CHECK_EQ_U64(b->end_pfn, a->end_pfn);
	CHECK_EQ_U64(b->first_block, a->first_block);
	CHECK_EQ_U64(b->nr_blocks, a->nr_blocks);
	for (uint64_t i = 0; i < a->nr_blocks && i < b->nr_blocks; i++)
		if (a->blocks[i].kind != b->blocks[i].kind) {
			CHECK(0, "zone %s block %llu: kind %d, want %d", a->name, (unsigned long long)i,
			      b->blocks[i].kind, a->blocks[i].kind);
			break;
		}
	for (int c = 0; c < KF_PC_NR; c++) {
		CHECK_EQ_U64(b->pages[c], a->pages[c]);
		CHECK_EQ_U64(b->blocks_with[c], a->blocks_with[c]);
	}
	for (int k = 0; k < KF_BK_NR; k++)
		CHECK_EQ_U64(b->blocks_by_kind[k], a->blocks_by_kind[k]);
	CHECK_EQ_U64(b->usable_blocks, a->usable_blocks);
	CHECK_EQ_U64(b->compactable_blocks, a->compactable_blocks);
	CHECK_EQ_U64(b->compactable_blocks_max, a->compactable_blocks_max);
	CHECK_EQ_U64(b->compactable_if_unevictable, a->compactable_if_unevictable);
	CHECK_EQ_INT(b->have_buddy, a->have_buddy);
	CHECK_EQ_U64(b->buddy_free_blocks, a->buddy_free_blocks);
	CHECK_EQ_INT(b->unusable_index, a->unusable_index);
	CHECK_EQ_INT(b->extfrag_index, a->extfrag_index);
	CHECK_EQ_INT(b->have_kernel_blocks, a->have_kernel_blocks);
	CHECK_EQ_U64(b->kernel_blocks, a->kernel_blocks);
}

static struct kf_memmap *scan_fixture(void)
{
	const char *dir = fixture("memmap/normal-48");
	struct kf_memstate ms;
	struct kf_memmap *m = NULL;
	char err[512];

	CHECK(kf_memstate_read(dir, &ms, err, sizeof(err)) == 0, "memstate: %s", err);
	CHECK(kf_memmap_scan(dir, &ms, 0, &m, err, sizeof(err)) == 0, "scan %s: %s", dir, err);
	kf_memstate_release(&ms);
	return m;
}

static void check_round_trip(const struct kf_memmap *m)
{
	struct kf_memmap *back = NULL;
	char err[512] = "";
	json_t *j = kf_memmap_json(m, true);

	write_saved(j);
	json_decref(j);
	CHECK_EQ_INT(kf_memmap_load_saved(root, &back, err, sizeof(err)), 1);
	if (!back) {
		CHECK(0, "not loaded: %s", err);
		return;
	}
	CHECK_EQ_INT(back->pageblock_order, m->pageblock_order);
	CHECK_EQ_INT(back->flags, m->flags);
	CHECK_EQ_INT(back->compact_unevictable_allowed, m->compact_unevictable_allowed);
	CHECK_EQ_INT(back->nr_zones, m->nr_zones);
	for (int z = 0; z < m->nr_zones && z < back->nr_zones; z++)
		same_zone(&m->zones[z], &back->zones[z]);
	kf_memmap_free(back);
}

/* the saved file with one change made by damage(zone 0 of the JSON) */
static void check_damaged(const struct kf_memmap *m, const char *what, void (*damage)(json_t *doc, json_t *z0),
			  const char *want)
{
	struct kf_memmap *back = (struct kf_memmap *)1;
	char err[512] = "", path[128];
	json_t *j = kf_memmap_json(m, true);

	damage(j, json_array_get(json_object_get(j, "zones"), 0));
	write_saved(j);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/%s: ", root, KF_STATE_MEMMAP);
	CHECK(kf_memmap_load_saved(root, &back, err, sizeof(err)) == -1 && errno == EINVAL && !back,
	      "%s: loaded", what);
	CHECK(!strncmp(err, path, strlen(path)) && strstr(err, want), "%s: message \"%s\", want \"%s...%s\"",
	      what, err, path, want);
}

static void cut_map(json_t *doc, json_t *z0)
{
	char first[3] = { json_string_value(json_object_get(z0, "map"))[0], '1', '\0' };

	(void)doc;
	/* one pageblock of the zone's several */
	json_object_set_new(z0, "map", json_string(first));
}

static void long_map(json_t *doc, json_t *z0)
{
	char *more;

	(void)doc;
	if (asprintf(&more, "%sF1", json_string_value(json_object_get(z0, "map"))) > 0) {
		json_object_set_new(z0, "map", json_string(more));
		free(more);
	}
}

static void bad_kind(json_t *doc, json_t *z0)
{
	(void)doc;
	json_object_set_new(z0, "map", json_string("Z3"));
}

static void wrong_count(json_t *doc, json_t *z0)
{
	json_t *k = json_object_get(z0, "by_kind");

	(void)doc;
	json_object_set_new(k, "free", json_integer(json_integer_value(json_object_get(k, "free")) + 1));
}

static void huge_order(json_t *doc, json_t *z0)
{
	(void)z0;
	json_object_set_new(doc, "pageblock_order", json_integer(40));
}

static void no_span(json_t *doc, json_t *z0)
{
	(void)doc;
	json_object_del(z0, "end_pfn");
}

static void check_not_json(void)
{
	struct kf_memmap *back = NULL;
	char err[512] = "", path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, KF_STATE_MEMMAP);
	f = fopen(path, "w");
	CHECK(f && fputs("{\"zones\": [", f) >= 0 && fclose(f) == 0, "cannot write %s", path);
	CHECK(kf_memmap_load_saved(root, &back, err, sizeof(err)) == -1 && strstr(err, "not JSON"),
	      "truncated JSON: \"%s\"", err);
	unlink(path);
	CHECK_EQ_INT(kf_memmap_load_saved(root, &back, err, sizeof(err)), 0);
	CHECK(back == NULL, "nothing loaded from a root without a map");
}

int main(void)
{
	struct kf_memmap *m;
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/kfrag-test-saved-XXXXXX");
	if (!mkdtemp(root))
		SKIP("cannot create a directory under /tmp");
	m = scan_fixture();
	if (m) {
		check_round_trip(m);
		check_damaged(m, "a map cut short", cut_map, "the map covers 1 of its");
		check_damaged(m, "a map too long", long_map, "overrun");
		check_damaged(m, "a kind that is none", bad_kind, "has 'Z' where a run starts");
		check_damaged(m, "counts that disagree", wrong_count, "free pageblocks said");
		check_damaged(m, "a pageblock order of 40", huge_order, "no pageblock order (0 to 20)");
		check_damaged(m, "no end PFN", no_span, "\"end_pfn\" is not a count");
		check_not_json();
	}
	kf_memmap_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "cannot remove %s", root);
	return check_done();
}
