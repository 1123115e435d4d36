/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fragment_memory: leaves free memory fragmented for the guard's live
 * tests, as in the shared capture compaction-mlocked-moved: touches MIB MiB
 * of anonymous memory (no huge pages), then gives back every other page, and
 * holds the rest until killed (or SECONDS pass). Prints
 *
 *	fragmented pid=PID kept=PAGES freed=PAGES
 *
 * Usage: fragment_memory [MIB [SECONDS]]   (defaults: 1024 MiB, forever)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 1024;
	long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	long psize = sysconf(_SC_PAGESIZE);
	size_t len, pages, freed = 0;
	char *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mib <= 0 || mib > (1L << 20) || secs < 0 || psize <= 0) {
		fprintf(stderr, "usage: fragment_memory [MIB [SECONDS]]\n");
		return 2;
	}
	len = (size_t)mib << 20;
	pages = len / psize;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "fragment_memory: mmap %ld MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		p[i * psize] = 1;
	/* from the top down (free lists hand out the last pages freed first).
	 * Where what is allocated next lands is not the lowest page frames,
	 * though: a 64 MiB heap started after this one spread over the whole
	 * Normal zone here; tests/helpers/locked_heap places its heap itself */
	for (size_t i = pages >= 2 ? ((pages - 1) | 1) - ((pages - 1) % 2 == 0 ? 2 : 0) : 0; pages >= 2; i -= 2) {
		if (madvise(p + i * psize, psize, MADV_DONTNEED) == 0)
			freed++;
		if (i < 2)
			break;
	}
	printf("fragmented pid=%d kept=%zu freed=%zu\n", (int)getpid(), pages - freed, freed);
	if (secs)
		sleep(secs);
	else
		for (;;)
			pause();
	return 0;
}
