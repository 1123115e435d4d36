// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory-map scan alone, for bench/memmap.sh:
 *
 *   memmap_scan [--proc-root DIR] [--pagecount] [--reps N]
 *
 * Reads the /proc memory files once, then runs kf_memmap_scan() N times
 * (default 1) and prints one line:
 *
 *   best_s S rss_before_kib R hwm_kib H blocks B usable U compactable C
 *
 * best_s: the fastest scan, wall clock; rss_before_kib: resident memory
 * before the first scan; hwm_kib: the peak (VmHWM) after the last one, so
 * hwm - rss_before is what the scan needed of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kf_memmap.h"

static long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proc-root", required_argument, NULL, 'r' },
		{ "pagecount", no_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/";
	unsigned flags = 0;
	long reps = 1, rss_before;
	double best = -1;
	uint64_t blocks = 0, usable = 0, compactable = 0;
	struct kf_memstate ms;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'c': flags |= KF_MEMMAP_PAGECOUNT; break;
		case 'n': reps = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	if (kf_memstate_read(root, &ms, err, sizeof(err)) < 0) {
		fprintf(stderr, "memmap_scan: %s\n", err);
		return 1;
	}
	rss_before = status_kib("VmRSS");
	for (long r = 0; r < reps; r++) {
		struct kf_memmap *m;
		double t = now_s();

		if (kf_memmap_scan(root, &ms, flags, &m, err, sizeof(err)) < 0) {
			fprintf(stderr, "memmap_scan: %s\n", err);
			kf_memstate_release(&ms);
			return errno == EACCES ? 77 : 1;
		}
		t = now_s() - t;
		if (best < 0 || t < best)
			best = t;
		blocks = usable = compactable = 0;
		for (int z = 0; z < m->nr_zones; z++) {
			blocks += m->zones[z].nr_blocks;
			usable += m->zones[z].usable_blocks;
			compactable += m->zones[z].compactable_blocks;
		}
		kf_memmap_free(m);
	}
	printf("best_s %.4f rss_before_kib %ld hwm_kib %ld blocks %llu usable %llu compactable %llu\n",
	       best, rss_before, status_kib("VmHWM"), (unsigned long long)blocks,
	       (unsigned long long)usable, (unsigned long long)compactable);
	kf_memstate_release(&ms);
	return 0;
}
