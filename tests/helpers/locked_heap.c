/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locked_heap: a stand-in for a user-space scheduler, for the guard's live
 * tests. It mlockall()s, fills a heap of MIB MiB and keeps writing to every
 * page; every 50 ms it reads /proc/self/pagemap for all its mappings (but
 * [vvar], [vvar_vclock], [vdso], [vsyscall]: what kfrag reads of a process
 * that locks with mlockall) and counts the distinct pages whose PFN changed
 * since its baseline: the ground truth kfrag's count is compared with. The
 * code is its own, not kfrag's.
 *
 *	ready pid=PID pages=N heap=0xADDR-0xEND pfns=known|hidden
 *	reset                                    (SIGUSR1: new baseline, counts 0)
 *	moved heap=H total=T compared=C          (SIGUSR2: a scan now, then this line)
 *	exit heap=H total=T                      (SIGTERM/SIGINT)
 *
 * PFNs are hidden without CAP_SYS_ADMIN: then it says so and counts nothing.
 * Usage: locked_heap [MIB]   (default 32)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>


struct slot {
	uint64_t vpage;		/* + 1; 0 = empty */
	uint64_t pfn;
	int moved;
};

static struct slot *table;
static int hash_bits;		/* 4 slots per page of heap, and room for the rest */
static uint64_t moved_heap, moved_total, compared;
static uintptr_t heap_lo, heap_hi;
static long psize;
static volatile sig_atomic_t want_reset, want_report, want_exit;

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		want_reset = 1;
	else if (sig == SIGUSR2)
		want_report = 1;
	else
		want_exit = 1;
}

static struct slot *lookup(uint64_t vpage)
{
	uint64_t mask = (1ULL << hash_bits) - 1, h = (vpage * 0x9E3779B97F4A7C15ULL) >> (64 - hash_bits);

	while (table[h].vpage && table[h].vpage != vpage + 1)
		h = (h + 1) & mask;
	return &table[h];
}

static int special(const char *name)
{
	return strstr(name, "[vvar]") || strstr(name, "[vvar_vclock]") || strstr(name, "[vdso]") ||
	       strstr(name, "[vsyscall]");
}

/* one pass over every mapping; returns pages with a known PFN */
static uint64_t scan(int pm)
{
	static char line[4096];
	static uint64_t buf[4096];
	uint64_t known = 0;
	FILE *maps = fopen("/proc/self/maps", "re");

	if (!maps) {
		fprintf(stderr, "locked_heap: /proc/self/maps: %s\n", strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2 || special(line))
			continue;
		for (uint64_t vp = lo / psize; vp < hi / psize;) {
			uint64_t n = hi / psize - vp < 4096 ? hi / psize - vp : 4096;
			ssize_t got = pread(pm, buf, n * 8, (off_t)vp * 8);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				fprintf(stderr, "locked_heap: pagemap at %#llx: %s\n", (unsigned long long)vp * psize,
					strerror(errno));
			if (got <= 0)
				break;
			n = got / 8;
			for (uint64_t k = 0; k < n; k++) {
				uint64_t e = buf[k], pfn = e & ((1ULL << 55) - 1);
				struct slot *s;

				if (!(e >> 63) || !pfn)
					continue;
				known++;
				s = lookup(vp + k);
				if (!s->vpage) {
					s->vpage = vp + k + 1;
					s->pfn = pfn;
					continue;
				}
				compared++;
				if (s->pfn != pfn) {
					if (!s->moved) {
						s->moved = 1;
						moved_total++;
						if ((vp + k) * psize >= heap_lo && (vp + k) * psize < heap_hi)
							moved_heap++;
					}
					s->pfn = pfn;
				}
			}
			vp += n;
		}
	}
	fclose(maps);
	return known;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 32;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct sigaction sa;
	size_t len, pages;
	volatile char *heap;
	int pm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	psize = sysconf(_SC_PAGESIZE);
	if (mib <= 0 || mib > 512 || psize <= 0) {
		fprintf(stderr, "usage: locked_heap [MIB]   (1 to 512)\n");
		return 2;
	}
	/* the table first, so it is not in the heap's way; locked like the rest
	 * (small: an unprivileged user may lock 8 MiB in all) */
	for (hash_bits = 14; (1UL << hash_bits) < 4 * (((size_t)mib << 20) / psize + 8192); hash_bits++)
		;
	table = mmap(NULL, sizeof(*table) << hash_bits, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (table == MAP_FAILED) {
		fprintf(stderr, "locked_heap: table: %s\n", strerror(errno));
		return 1;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		fprintf(stderr, "locked_heap: mlockall: %s (raise RLIMIT_MEMLOCK: ulimit -l)\n", strerror(errno));
		return 1;
	}
	len = (size_t)mib << 20;
	pages = len / psize;
	heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED) {
		fprintf(stderr, "locked_heap: heap: %s\n", strerror(errno));
		return 1;
	}
	madvise((void *)heap, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		heap[i * psize] = 1;
	heap_lo = (uintptr_t)heap;
	heap_hi = heap_lo + len;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		fprintf(stderr, "locked_heap: /proc/self/pagemap: %s\n", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	uint64_t known = scan(pm);

	/* a reading may catch every page mid-migration; hidden PFNs stay hidden */
	for (int tries = 0; !known && tries < 10; tries++) {
		nanosleep(&pause, NULL);
		known = scan(pm);
	}

	printf("ready pid=%d pages=%zu heap=%#lx-%#lx pfns=%s\n", (int)getpid(), pages, (unsigned long)heap_lo,
	       (unsigned long)heap_hi, known ? "known" : "hidden");
	while (!want_exit) {
		for (size_t i = 0; i < pages; i++)
			heap[i * psize]++;
		scan(pm);
		if (want_reset) {
			memset(table, 0, sizeof(*table) << hash_bits);
			moved_heap = moved_total = compared = 0;
			scan(pm);
			want_reset = 0;
			printf("reset\n");
		}
		if (want_report) {
			scan(pm);
			want_report = 0;
			printf("moved heap=%llu total=%llu compared=%llu\n", (unsigned long long)moved_heap,
			       (unsigned long long)moved_total, (unsigned long long)compared);
		}
		nanosleep(&pause, NULL);
	}
	printf("exit heap=%llu total=%llu\n", (unsigned long long)moved_heap, (unsigned long long)moved_total);
	return 0;
}
