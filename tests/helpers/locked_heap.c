/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locked_heap: a stand-in for a user-space scheduler, for the guard's live
 * tests. It mlockall()s a heap of MIB MiB and keeps writing to every page;
 * every 50 ms it reads /proc/self/pagemap for all its mappings (but
 * [vvar], [vvar_vclock], [vdso], [vsyscall]: what kfrag reads of a process
 * that locks with mlockall) and counts the distinct pages whose PFN changed
 * since its baseline: the ground truth kfrag's count is compared with. The
 * code is its own, not kfrag's.
 *
 * Where the pages lie decides whether compact_memory moves them: in a zone,
 * the migration scanner walks up from the first page frame, the free
 * scanner down from the last one, and they stop where they meet; only
 * pageblocks in use that have free pages are targets (a wholly free block
 * is not). On a machine compacted many times the used memory is packed at
 * the top of the zone, a new heap lands in its last holes, above the
 * meeting point, and none of it moves. So, when it can see its PFNs
 * (CAP_SYS_ADMIN), the helper places its heap (place_heap): it touches a
 * pool of 8 x MIB, keeps the pages with the lowest page frames of the zone
 * most of the pool lies in, where the migration scanner starts, and above
 * them, from the pool's highest page frames down, one page per pageblock
 * (the block is then in use, with free buddies of every order up to half a
 * block: targets for the free scanner, for large folios too) until those
 * blocks hold twice the heap in free pages; the rest goes back. Then
 * mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT): the pool's holes stay
 * holes.
 *
 *	placed zone=0xLO-0xHI pfns=0xFIRST-0xLAST low=PERCENT targets=T blocks=B above=0xPFN
 *	ready pid=PID pages=N heap=0xADDR-0xEND pfns=known|hidden
 *	reset                                    (SIGUSR1: new baseline, counts 0)
 *	moved heap=H total=T compared=C          (SIGUSR2: a scan now, then this line)
 *	exit heap=H total=T                      (SIGTERM/SIGINT)
 *
 * "placed": the zone's page frames, the heap's lowest and highest, how far
 * up the zone the highest one is (percent), the free pages of the target
 * blocks and how many, and the lowest of those blocks. heap= is the pool's
 * (or heap's) mapping; pages= counts the heap's pages, the anchors of the
 * target blocks are in the mapping too. PFNs are hidden without
 * CAP_SYS_ADMIN: then it says so, places nothing and counts nothing.
 * Usage: locked_heap [MIB]   (default 32)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#define POOL_FACTOR 8		/* the pool is 8 x the heap */
#define TARGET_FACTOR 2		/* target blocks hold 2 x the heap in free pages */

struct slot {
	uint64_t vpage;		/* + 1; 0 = empty */
	uint64_t pfn;
	int moved;
};

static struct slot *table;
static int hash_bits;		/* 4 slots per kept page, and room for the rest */
static uint64_t moved_heap, moved_total, compared;
static uintptr_t heap_lo, heap_hi;
static long psize;
static volatile char *mem;	/* the heap's (or pool's) mapping */
static size_t *kept, nkept;	/* its pages in use, by index */
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

/* ---- placement: the heap at the low end of a zone, targets above it ---- */

struct span {
	uint64_t lo, hi;	/* page frames [lo, hi) */
};

struct frame {
	uint64_t pfn;
	size_t page;		/* index in the pool */
};

enum { DROP, HEAP, ANCHOR };	/* what becomes of a pool page */

/* the populated zones' page frames, from /proc/zoneinfo */
static int read_zones(struct span *z, int max)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[256];
	uint64_t spanned = 0, start;
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " spanned %" SCNu64, &spanned) == 1)
			continue;
		if (sscanf(line, " start_pfn: %" SCNu64, &start) == 1 && spanned && n < max) {
			z[n].lo = start;
			z[n].hi = start + spanned;
			n++;
			spanned = 0;
		}
	}
	fclose(f);
	return n;
}

/* pageblock_order, from /proc/pagetypeinfo (root only; 9 on x86-64) */
static int block_order(void)
{
	FILE *f = fopen("/proc/pagetypeinfo", "re");
	int order = 9;

	if (f) {
		if (fscanf(f, "Page block order: %d", &order) != 1 || order < 1 || order > 20)
			order = 9;
		fclose(f);
	}
	return order;
}

static int by_pfn(const void *a, const void *b)
{
	uint64_t x = ((const struct frame *)a)->pfn, y = ((const struct frame *)b)->pfn;

	return x < y ? -1 : x > y;
}

/* the present pages of the pool and their page frames */
static size_t pool_frames(int pm, uintptr_t pool, size_t pages, struct frame *out)
{
	static uint64_t buf[4096];
	size_t n = 0;

	for (size_t i = 0; i < pages;) {
		size_t want = pages - i < 4096 ? pages - i : 4096;
		ssize_t got = pread(pm, buf, want * 8, (off_t)(pool / psize + i) * 8);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (size_t k = 0; k < (size_t)got / 8; k++) {
			uint64_t pfn = buf[k] & ((1ULL << 55) - 1);

			if ((buf[k] >> 63) && pfn)
				out[n++] = (struct frame){ pfn, i + k };
		}
		i += got / 8;
	}
	return n;
}

/* keeps only the frames of the zone most of them lie in; its span in *zone */
static size_t one_zone(struct frame *f, size_t n, struct span *zone)
{
	struct span z[64];
	size_t count[64] = { 0 }, in_zone = 0;
	int nz = read_zones(z, 64), best = -1;

	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < nz; k++)
			if (f[i].pfn >= z[k].lo && f[i].pfn < z[k].hi) {
				count[k]++;
				break;
			}
	for (int k = 0; k < nz; k++)
		if (best < 0 || count[k] > count[best])
			best = k;
	if (best < 0 || !count[best])
		return 0;
	*zone = z[best];
	for (size_t i = 0; i < n; i++)
		if (f[i].pfn >= zone->lo && f[i].pfn < zone->hi)
			f[in_zone++] = f[i];
	return in_zone;
}

struct placement {
	struct span zone;
	uint64_t first, last;	/* the heap's lowest and highest page frames */
	uint64_t above;		/* the lowest target block's first page frame */
	size_t targets, blocks;	/* free pages in the target blocks, the blocks */
};

/* from the highest frames down to the block above the heap's last one: one
 * anchor per block, the rest of the block freed, until the target blocks
 * hold want free pages */
static void choose_targets(const struct frame *f, size_t n, size_t heap, size_t want, unsigned char *fate,
			   struct placement *pl)
{
	int order = block_order();
	uint64_t heap_block = f[heap - 1].pfn >> order;
	size_t i = n;

	while (i > heap && pl->targets < want) {
		uint64_t block = f[i - 1].pfn >> order;
		size_t in_block = 0;

		if (block <= heap_block)
			break;
		for (; i > heap && f[i - 1].pfn >> order == block; i--)
			in_block++;
		if (in_block < 2)
			continue;
		fate[f[i].page] = ANCHOR;	/* the block's lowest pool page */
		pl->targets += in_block - 1;
		pl->blocks++;
		pl->above = block << order;
	}
}

/* fate[] of every pool page; 0 when its frames cannot be placed */
static int place_heap(int pm, uintptr_t pool, size_t pool_pages, size_t heap, unsigned char *fate, struct placement *pl)
{
	struct frame *f = malloc(pool_pages * sizeof(*f));
	size_t n;

	if (!f)
		return 0;
	n = pool_frames(pm, pool, pool_pages, f);
	n = one_zone(f, n, &pl->zone);
	if (n < heap) {
		fprintf(stderr, "locked_heap: %zu of the pool's %zu pages in one zone, fewer than the heap's %zu\n", n,
			pool_pages, heap);
		free(f);
		return 0;
	}
	qsort(f, n, sizeof(*f), by_pfn);
	for (size_t i = 0; i < heap; i++)
		fate[f[i].page] = HEAP;
	pl->first = f[0].pfn;
	pl->last = f[heap - 1].pfn;
	choose_targets(f, n, heap, TARGET_FACTOR * heap, fate, pl);
	free(f);
	return 1;
}

/* gives back the pool's pages that are neither heap nor anchor, in runs */
static void release_rest(char *pool, size_t pages, const unsigned char *fate)
{
	for (size_t i = 0; i < pages;) {
		size_t j = i;

		while (j < pages && fate[j] == DROP)
			j++;
		if (j > i)
			madvise(pool + i * psize, (j - i) * psize, MADV_DONTNEED);
		i = j + 1;
	}
}

/* whether this process sees page frame numbers in its pagemap */
static int pfns_visible(int pm)
{
	static volatile char probe = 1;
	uint64_t e = 0;

	probe++;
	if (pread(pm, &e, 8, (off_t)((uintptr_t)&probe / psize) * 8) != 8)
		return 0;
	return (e >> 63) && (e & ((1ULL << 55) - 1));
}

/* the heap: placed (see the top of the file) when PFNs are visible, else
 * just mapped; its pages, and the anchors of the target blocks, in kept[] */
static int setup_heap(int pm, size_t heap)
{
	int placing = pfns_visible(pm);
	size_t pages = placing ? POOL_FACTOR * heap : heap;
	struct placement pl = { 0 };
	unsigned char *fate = calloc(pages, 1);

	mem = mmap(NULL, pages * psize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kept = calloc(pages, sizeof(*kept));
	if (mem == MAP_FAILED || !fate || !kept) {
		fprintf(stderr, "locked_heap: a heap of %zu pages: %s\n", pages, strerror(errno));
		return -1;
	}
	madvise((void *)mem, pages * psize, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		mem[i * psize] = 1;
	if (placing && place_heap(pm, (uintptr_t)mem, pages, heap, fate, &pl))
		printf("placed zone=%#" PRIx64 "-%#" PRIx64 " pfns=%#" PRIx64 "-%#" PRIx64 " low=%" PRIu64
		       "%% targets=%zu blocks=%zu above=%#" PRIx64 "\n",
		       pl.zone.lo, pl.zone.hi, pl.first, pl.last, (pl.last - pl.zone.lo) * 100 / (pl.zone.hi - pl.zone.lo),
		       pl.targets, pl.blocks, pl.above);
	else
		memset(fate, HEAP, heap);
	release_rest((char *)mem, pages, fate);
	for (size_t i = 0; i < pages; i++)
		if (fate[i] != DROP)
			kept[nkept++] = i;
	free(fate);
	heap_lo = (uintptr_t)mem;
	heap_hi = heap_lo + pages * psize;
	return 0;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 32;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct sigaction sa;
	size_t pages;
	uint64_t known;
	int pm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	psize = sysconf(_SC_PAGESIZE);
	if (mib <= 0 || mib > 512 || psize <= 0) {
		fprintf(stderr, "usage: locked_heap [MIB]   (1 to 512)\n");
		return 2;
	}
	pages = ((size_t)mib << 20) / psize;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		fprintf(stderr, "locked_heap: /proc/self/pagemap: %s\n", strerror(errno));
		return 1;
	}
	if (setup_heap(pm, pages) < 0)
		return 1;
	/* small: an unprivileged user may lock 8 MiB in all */
	for (hash_bits = 14; (1UL << hash_bits) < 4 * (nkept + 8192); hash_bits++)
		;
	table = mmap(NULL, sizeof(*table) << hash_bits, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (table == MAP_FAILED) {
		fprintf(stderr, "locked_heap: table: %s\n", strerror(errno));
		return 1;
	}
	/* on fault: what is present is locked now, the pool's holes stay empty */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
		fprintf(stderr, "locked_heap: mlockall: %s (raise RLIMIT_MEMLOCK: ulimit -l)\n", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	known = scan(pm);
	/* a reading may catch every page mid-migration; hidden PFNs stay hidden */
	for (int tries = 0; !known && tries < 10; tries++) {
		nanosleep(&pause, NULL);
		known = scan(pm);
	}
	printf("ready pid=%d pages=%zu heap=%#lx-%#lx pfns=%s\n", (int)getpid(), pages, (unsigned long)heap_lo,
	       (unsigned long)heap_hi, known ? "known" : "hidden");
	while (!want_exit) {
		for (size_t i = 0; i < nkept; i++)
			mem[kept[i] * psize]++;
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
