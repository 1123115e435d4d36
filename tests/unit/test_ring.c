/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ring cursors and their merge (src/sources/ring_merge.c) on pages
 * built here in the kernel's ring-buffer layout (a u64 timestamp, a u64
 * commit word, then records: a 32-bit header of type_len:5 and
 * time_delta:27, the record's words): records come out in timestamp order
 * across CPUs, equal timestamps in the cursors' seq order, a page's missed
 * count is read from its header, a page whose commit exceeds the page is
 * refused, and a record is never longer than what is left of its page.
 * The cursor's own walk (long_size set) gives what kbuffer gives, record
 * for record, on pages of every kind of record the kernel writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../src/sources/kf_ring.h"

#define PAGE 4096

struct src {
	struct kf_ring_cursor c;
	unsigned char pages[4][PAGE];
	int nr, next;
};

/* one record of 4 bytes of data (its value) after delta ns */
static size_t put_record(unsigned char *p, uint32_t delta, uint32_t value)
{
	uint32_t hdr = (delta << 5) | 1;	/* type_len 1: 4 bytes of data */

	memcpy(p, &hdr, 4);
	memcpy(p + 4, &value, 4);
	return 8;
}

/* a page starting at ts whose records come every step ns */
static void make_page(unsigned char *page, uint64_t ts, uint32_t step, const uint32_t *values,
		      int n, uint64_t flags)
{
	size_t used = 16;
	uint64_t commit;

	memset(page, 0, PAGE);
	memcpy(page, &ts, 8);
	for (int i = 0; i < n; i++)
		used += put_record(page + used, i ? step : 0, values[i]);
	commit = (used - 16) | flags;
	memcpy(page + 8, &commit, 8);
}

static int next_page(struct kf_ring_cursor *c)
{
	struct src *s = c->owner;

	while (s->next < s->nr)
		if (kf_ring_load(c, s->pages[s->next++]) == 0)
			return 1;
	return 0;
}

static void src_init(struct src *s, int cpu, unsigned seq)
{
	memset(s, 0, sizeof(*s));
	s->c.cpu = cpu;
	s->c.seq = seq;
	s->c.page_size = PAGE;
	s->c.next_page = next_page;
	s->c.owner = s;
	s->c.kbuf = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
}

struct out {
	uint32_t values[64];
	unsigned long long ts[64];
	int n;
};

static int collect(void *ctx, struct kf_ring_cursor *c)
{
	struct out *o = ctx;

	if (o->n < 64 && c->size >= 4) {
		memcpy(&o->values[o->n], c->rec, 4);
		o->ts[o->n] = c->ts;
		o->n++;
	}
	return 0;
}

static void test_merge_order(void)
{
	static struct src a, b;
	struct kf_ring_cursor *cursors[2] = { &a.c, &b.c };
	struct kf_ring_heap_entry heap[2];
	struct kf_ring_merge m = { .heap = heap };
	struct out o = { .n = 0 };
	/* CPU 0: 100, 110, 120 | 1000, 1010; CPU 1: 105, 110, 115 */
	const uint32_t a1[] = { 1, 3, 6 }, a2[] = { 7, 8 }, b1[] = { 2, 4, 5 };

	src_init(&a, 0, 0);
	src_init(&b, 1, 1);
	make_page(a.pages[0], 100, 10, a1, 3, 0);
	make_page(a.pages[1], 1000, 10, a2, 2, 0);
	a.nr = 2;
	make_page(b.pages[0], 105, 5, b1, 3, 0);
	b.nr = 1;
	for (int i = 0; i < 2; i++)
		kf_ring_next(cursors[i]);
	kf_ring_merge_start(&m, cursors, 2);
	CHECK_EQ_INT(kf_ring_merge_run(&m, 1000, collect, &o), 6);	/* older than 1000 */
	CHECK_EQ_INT(kf_ring_merge_run(&m, ~0ULL, collect, &o), 2);
	CHECK_EQ_INT(o.n, 8);
	for (int i = 0; i < o.n; i++)
		CHECK_EQ_INT(o.values[i], i + 1);
	/* 110 on both CPUs: CPU 0 (seq 0) first */
	CHECK_EQ_U64(o.ts[2], 110);
	CHECK_EQ_U64(o.ts[3], 110);
	kbuffer_free(a.c.kbuf);
	kbuffer_free(b.c.kbuf);
}

/* (ts, seq) of each record, in the order the merge gave them */
struct keys {
	unsigned long long ts[256];
	unsigned seq[256];
	int n;
};

static int collect_keys(void *ctx, struct kf_ring_cursor *c)
{
	struct keys *k = ctx;

	if (k->n < 256) {
		k->ts[k->n] = c->ts;
		k->seq[k->n++] = c->seq;
	}
	return 0;
}

/*
 * Nine CPUs taking turns a page at a time, as the many-CPU benchmark spreads
 * a trace, two of them with the same times (ties: the lower seq first), some
 * walked by the cursor itself and some by kbuffer: every record comes out
 * once, in (timestamp, seq) order, across a limit that cuts the run short.
 */
static void test_merge_many(void)
{
	enum { N = 9, PAGES = 4, RECS = 3 };
	static struct src srcs[N];
	struct kf_ring_cursor *cursors[N];
	struct kf_ring_heap_entry heap[N];
	struct kf_ring_merge m = { .heap = heap };
	static struct keys k;
	const uint32_t v[RECS] = { 1, 2, 3 };
	long n;

	for (int i = 0; i < N; i++) {
		src_init(&srcs[i], i, (unsigned)i);
		srcs[i].c.long_size = i % 2 ? 8 : 0;
		/* CPU 8 repeats CPU 7's times */
		for (int p = 0; p < PAGES; p++)
			make_page(srcs[i].pages[p], (uint64_t)(p * N + (i == 8 ? 7 : i)) * 100, 70, v, RECS, 0);
		srcs[i].nr = PAGES;
		cursors[i] = &srcs[i].c;
		kf_ring_next(cursors[i]);
	}
	kf_ring_merge_start(&m, cursors, N);
	n = kf_ring_merge_run(&m, 1500, collect_keys, &k);
	CHECK(n > 0 && n < N * PAGES * RECS, "the limit stops the merge part way");
	for (int i = 0; i < k.n; i++)
		CHECK(k.ts[i] < 1500, "only records older than the limit");
	n += kf_ring_merge_run(&m, ~0ULL, collect_keys, &k);
	CHECK_EQ_INT(n, N * PAGES * RECS);
	CHECK_EQ_INT(k.n, N * PAGES * RECS);
	for (int i = 1; i < k.n; i++)
		CHECK(k.ts[i - 1] < k.ts[i] || (k.ts[i - 1] == k.ts[i] && k.seq[i - 1] < k.seq[i]),
		      "records in (timestamp, seq) order");
	for (int i = 0; i < N; i++)
		kbuffer_free(srcs[i].c.kbuf);
}

static void test_page_header(void)
{
	struct kf_ring_format f = { .long_size = 8, .page_size = PAGE };
	static unsigned char page[PAGE];
	const uint32_t v[] = { 1, 2 };
	uint64_t commit, missed = 42;

	make_page(page, 5, 1, v, 2, 0);
	CHECK(kf_ring_page_valid(&f, page), "a page of 2 records is valid");
	CHECK_EQ_INT(kf_ring_page_missed(&f, page), 0);
	CHECK(kf_ring_page_partial(&f, page), "2 records leave room");
	CHECK_EQ_U64(kf_ring_page_ts(page), 5);
	/* missed events, the count stored after the data */
	make_page(page, 5, 1, v, 2, (1ULL << 31) | (1ULL << 30));
	memcpy(page + 16 + 16, &missed, 8);
	CHECK_EQ_INT(kf_ring_page_missed(&f, page), 42);
	/* missed, no room for the count: unknown */
	make_page(page, 5, 1, v, 2, 1ULL << 31);
	CHECK_EQ_INT(kf_ring_page_missed(&f, page), -1);
	/* a commit past the page */
	commit = PAGE;
	memcpy(page + 8, &commit, 8);
	CHECK(!kf_ring_page_valid(&f, page), "a commit of a whole page past the header is refused");
}

/* a record whose length word claims more than the page holds */
static void test_record_clamped(void)
{
	static struct src a;
	uint32_t hdr = 0, len = 100000;	/* type_len 0: the length in the next word */
	uint64_t ts = 1, commit = PAGE - 16;
	int n = 0;

	src_init(&a, 0, 0);
	memset(a.pages[0], 0, PAGE);
	memcpy(a.pages[0], &ts, 8);
	memcpy(a.pages[0] + 8, &commit, 8);
	memcpy(a.pages[0] + 16, &hdr, 4);
	memcpy(a.pages[0] + 20, &len, 4);
	a.nr = 1;
	while (kf_ring_next(&a.c) && n++ < 1000)
		CHECK((const unsigned char *)a.c.rec + a.c.size <= a.pages[0] + PAGE,
		      "a record of %u bytes at %td runs past the page", a.c.size,
		      (const unsigned char *)a.c.rec - a.pages[0]);
	CHECK(n < 1000, "the cursor ends");
	kbuffer_free(a.c.kbuf);
}

/* ---- the cursor's own walk against kbuffer's ------------------------------ */

struct page_writer {
	unsigned char *page;
	size_t used, hdr;		/* bytes written; the page header's size */
};

static void put_word(struct page_writer *w, uint32_t v)
{
	memcpy(w->page + w->used, &v, 4);
	w->used += 4;
}

/* one record or meta record of the kernel's kinds, chosen by r */
static void put_random_record(struct page_writer *w, unsigned r)
{
	uint32_t delta = (r >> 8) & ((1u << 27) - 1), words = 1 + (r >> 4) % 6;

	switch (r % 6) {
	case 0:		/* time extend: 27 + 32 bits of delta */
		put_word(w, delta << 5 | 30);
		put_word(w, r >> 3);
		break;
	case 1:		/* absolute time stamp */
		put_word(w, delta << 5 | 31);
		put_word(w, r >> 2);
		break;
	case 2:		/* padding (a discarded record) of some words */
		put_word(w, (delta | 1) << 5 | 29);
		put_word(w, 4 * words + 4);	/* counts itself */
		for (uint32_t i = 0; i < words; i++)
			put_word(w, 0xdddddddd);
		break;
	case 3:		/* a record with its length in a word */
		put_word(w, delta << 5);
		put_word(w, 4 * words + 4 - (r >> 2) % 4);	/* not always a whole word */
		for (uint32_t i = 0; i < words; i++)
			put_word(w, r + i);
		break;
	default:	/* type_len words of data */
		put_word(w, delta << 5 | words);
		for (uint32_t i = 0; i < words; i++)
			put_word(w, r ^ i);
		break;
	}
}

/* a page of random records (never past the page), for a long of long_size */
static void random_page(unsigned char *page, int long_size, unsigned seed)
{
	struct page_writer w = { .page = page, .used = 8 + long_size, .hdr = 8 + long_size };
	uint64_t ts = (uint64_t)seed * 1000003, commit;

	srand(seed);
	memset(page, 0, PAGE);
	memcpy(page, &ts, 8);
	while (w.used + 64 < PAGE && rand() % 200)
		put_random_record(&w, (unsigned)rand() << 1 ^ (unsigned)rand());
	commit = w.used - w.hdr;
	memcpy(page + 8, &commit, long_size);
}

static void same_walk(int long_size, unsigned seed)
{
	static struct src k, n;
	int records = 0;

	src_init(&k, 0, 0);
	src_init(&n, 0, 0);
	kbuffer_free(k.c.kbuf);
	k.c.kbuf = kbuffer_alloc(long_size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4, KBUFFER_ENDIAN_LITTLE);
	n.c.long_size = long_size;
	for (int i = 0; i < 4; i++) {
		random_page(k.pages[i], long_size, seed + i);
		memcpy(n.pages[i], k.pages[i], PAGE);
	}
	k.nr = n.nr = 4;
	for (;;) {
		bool a = kf_ring_next(&k.c), b = kf_ring_next(&n.c);

		CHECK(a == b, "seed %u record %d: kbuffer %s, the cursor %s", seed, records,
		      a ? "has one" : "is done", b ? "has one" : "is done");
		if (!a || !b)
			break;
		CHECK_EQ_U64(n.c.ts, k.c.ts);
		CHECK_EQ_INT(n.c.size, k.c.size);
		CHECK_EQ_INT((const unsigned char *)n.c.rec - n.c.page,
			     (const unsigned char *)k.c.rec - k.c.page);
		CHECK_EQ_INT(n.next, k.next);
		records++;
	}
	CHECK(records > 4, "seed %u: %d records walked", seed, records);
	kbuffer_free(k.c.kbuf);
	kbuffer_free(n.c.kbuf);
}

/* pages of random bytes under a commit that fits: the walk ends and stays
 * inside the page (kbuffer itself may read past it: no comparison) */
static void garbage_walk(unsigned seed)
{
	static struct src n;
	uint64_t commit;
	int records = 0;

	src_init(&n, 0, 0);
	n.c.long_size = 8;
	srand(seed);
	for (int i = 0; i < PAGE; i++)
		n.pages[0][i] = (unsigned char)rand();
	commit = (uint64_t)rand() % (PAGE - 16);
	memcpy(n.pages[0] + 8, &commit, 8);
	n.nr = 1;
	while (kf_ring_next(&n.c) && records++ < PAGE)
		CHECK((const unsigned char *)n.c.rec + n.c.size <= n.pages[0] + PAGE,
		      "seed %u: a record of %u bytes at %td runs past the page", seed, n.c.size,
		      (const unsigned char *)n.c.rec - n.pages[0]);
	CHECK(records <= PAGE, "seed %u: the walk ends", seed);
	kbuffer_free(n.c.kbuf);
}

static void test_native_walk(void)
{
	for (unsigned seed = 1; seed < 200; seed += 4) {
		same_walk(8, seed);
		same_walk(4, seed);
		garbage_walk(seed);
	}
}

int main(void)
{
	test_merge_order();
	test_merge_many();
	test_page_header();
	test_record_clamped();
	test_native_walk();
	return check_done();
}
