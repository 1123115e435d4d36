/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc_storm: a page-allocator workload for kfrag's live tests. Maps,
 * touches (one write per page) and unmaps MIB MiB of anonymous memory in a
 * loop for SECONDS, with transparent huge pages refused for the mapping so
 * every touched page is one order-0 allocation. Prints, when done:
 *
 *	alloc_storm: pid PID touched PAGES pages in LOOPS loops
 *
 * Usage: alloc_storm [MIB [SECONDS]]   (defaults: 4 MiB, 1 s)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 4;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 1.0;
	long psize = sysconf(_SC_PAGESIZE);
	unsigned long long pages = 0, loops = 0;
	size_t len;
	double end;

	if (mib <= 0 || mib > (1L << 20) || secs <= 0 || psize <= 0) {
		fprintf(stderr, "usage: alloc_storm [MIB [SECONDS]]\n");
		return 2;
	}
	len = (size_t)mib << 20;
	end = now_s() + secs;
	do {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "alloc_storm: mmap %ld MiB: %s\n", mib, strerror(errno));
			return 1;
		}
		/* huge pages would make one allocation of 512 touched pages */
		madvise(p, len, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < len; off += psize) {
			p[off] = 1;
			pages++;
		}
		munmap(p, len);
		loops++;
	} while (now_s() < end);
	printf("alloc_storm: pid %d touched %llu pages in %llu loops\n", (int)getpid(), pages, loops);
	return 0;
}
