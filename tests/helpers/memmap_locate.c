// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test driver of the memory map API, until `kfrag report --memmap` runs it:
 *
 *   memmap_locate [--proc-root DIR] [--pagecount] [--json | --full] [--pfns FILE]
 *
 * Scans (kf_memmap_scan), then with --json / --full prints kf_memmap_json
 * (--full with the pageblock map), and with --pfns (one PFN per line,
 * decimal or 0x hex; "-" for stdin) prints for each PFN
 *   "pfn PFN block BLOCK kind C classes CLASS,CLASS..."
 * (C a kind character, '-' outside every zone; the classes of the pages
 * in that pageblock)
 * and then kf_memmap_locate's answer per zone:
 *   "where ZONE pfns N compactable N blocked N KIND=N ..."
 * Exit 0, 1 on error, 77 when the map is not available (not root).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kf_memmap.h"

static int read_pfns(const char *path, uint64_t **pfns, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[128];
	size_t cap = 0;

	*pfns = NULL;
	*n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		unsigned long long v = strtoull(line, &end, 0);

		if (end == line)
			continue;
		if (*n == cap) {
			uint64_t *p = realloc(*pfns, (cap = cap ? cap * 2 : 1024) * sizeof(*p));

			if (!p)
				return -1;
			*pfns = p;
		}
		(*pfns)[(*n)++] = v;
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proc-root", required_argument, NULL, 'r' },
		{ "pagecount", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'f' },
		{ "pfns", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *pfn_path = NULL;
	unsigned flags = 0;
	int json = 0, c, ret = 1;
	struct kf_memstate ms;
	struct kf_memmap *m = NULL;
	char err[512];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'c': flags |= KF_MEMMAP_PAGECOUNT; break;
		case 'j': json = 1; break;
		case 'f': json = 2; break;
		case 'p': pfn_path = optarg; break;
		default: return 1;
		}
	}
	if (kf_memstate_read(root, &ms, err, sizeof(err)) < 0) {
		fprintf(stderr, "memmap_locate: %s\n", err);
		return 1;
	}
	if (kf_memmap_scan(root, &ms, flags, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "memmap_locate: %s\n", err);
		kf_memstate_release(&ms);
		return errno == EACCES ? 77 : 1;
	}
	if (json) {
		json_t *j = kf_memmap_json(m, json == 2);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
			goto out;
		putchar('\n');
		json_decref(j);
	}
	if (pfn_path) {
		struct kf_memmap_where *w = calloc(m->nr_zones + 1, sizeof(*w));
		uint64_t *pfns;
		size_t n;

		if (!w || read_pfns(pfn_path, &pfns, &n) < 0) {
			fprintf(stderr, "memmap_locate: %s: %s\n", pfn_path, strerror(errno));
			free(w);
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			const struct kf_memmap_block *b = kf_memmap_block_at(m, pfns[i], NULL);

			printf("pfn %" PRIu64 " block %" PRIu64 " kind %c classes ", pfns[i],
			       pfns[i] >> m->pageblock_order, b ? kf_block_kind_chars[b->kind] : '-');
			for (int pc = 0, sep = 0; pc < KF_PC_NR; pc++)
				if (b && b->classes & (1u << pc))
					printf("%s%s", sep++ ? "," : "", kf_page_class_names[pc]);
			putchar('\n');
		}
		kf_memmap_locate(m, pfns, n, w);
		for (int z = 0; z <= m->nr_zones; z++) {
			if (!w[z].pfns)
				continue;
			printf("where %s pfns %" PRIu64 " compactable %" PRIu64 " blocked %" PRIu64,
			       z < m->nr_zones ? m->zones[z].name : "none", w[z].pfns,
			       w[z].compactable, w[z].blocked);
			for (int k = 0; k < KF_BK_NR; k++)
				if (w[z].by_kind[k])
					printf(" %s=%" PRIu64, kf_block_kind_names[k], w[z].by_kind[k]);
			putchar('\n');
		}
		free(pfns);
		free(w);
	}
	ret = 0;
out:
	kf_memmap_free(m);
	kf_memstate_release(&ms);
	return ret;
}
