/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-CPU cursors over raw ring-buffer pages and their merge by timestamp (kf_ring.h). */
#include <string.h>

#include "kf_ring.h"

/* commit word flags (kernel ring_buffer.c) */
#define RB_MISSED_EVENTS (1ULL << 31)
#define RB_MISSED_STORED (1ULL << 30)
#define RB_COMMIT_MASK ((1ULL << 27) - 1)
#define PAGE_HEADER_TS 8		/* u64 timestamp, then the commit word */

static uint64_t read_long(const struct kf_ring_format *f, const void *p)
{
	if (f->long_size == 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t commit_word(const struct kf_ring_format *f, const void *page)
{
	return read_long(f, (const char *)page + PAGE_HEADER_TS);
}

static unsigned header_size(const struct kf_ring_format *f)
{
	return PAGE_HEADER_TS + f->long_size;
}

bool kf_ring_page_valid(const struct kf_ring_format *f, const void *page)
{
	uint64_t size = commit_word(f, page) & RB_COMMIT_MASK;

	return f->page_size > header_size(f) && size <= f->page_size - header_size(f);
}

long long kf_ring_page_missed(const struct kf_ring_format *f, const void *page)
{
	uint64_t commit = commit_word(f, page);
	uint64_t data_off = header_size(f), size = commit & RB_COMMIT_MASK;

	if (!(commit & RB_MISSED_EVENTS))
		return 0;
	if ((commit & RB_MISSED_STORED) && data_off + size + f->long_size <= f->page_size)
		return (long long)read_long(f, (const char *)page + data_off + size);
	return -1;
}

bool kf_ring_page_partial(const struct kf_ring_format *f, const void *page)
{
	uint64_t size = commit_word(f, page) & RB_COMMIT_MASK;

	/* room left for another record of the largest kind kfrag enables */
	return size + header_size(f) + 128 <= f->page_size;
}

uint64_t kf_ring_page_ts(const void *page)
{
	uint64_t ts;

	memcpy(&ts, page, sizeof(ts));
	return ts;
}

/* ---- the walk without kbuffer ----------------------------------------------
 * The records of a page as kbuffer (libtraceevent's kbuffer-parse.c) reads
 * them: a 32-bit header, type_len in its 5 low bits and the time delta in
 * the 27 others; type_len 1-28 is a record of type_len words, 0 one whose
 * length (plus 4) is in the next word, 29 padding (length in the next word),
 * 30 a time extend and 31 an absolute time stamp (the next word holds bits
 * 27-58). Every read stays inside the page. */
#define TYPE_PADDING		29
#define TYPE_TIME_EXTEND	30
#define TYPE_TIME_STAMP		31
#define TS_SHIFT		27
/* an absolute time stamp lacks the 5 top bits: they stay the page's */
#define TS_MSB			(0xf8ULL << 56)

static uint32_t word_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void native_load(struct kf_ring_cursor *c, const unsigned char *page)
{
	struct kf_ring_format f = { .long_size = c->long_size, .page_size = c->page_size };
	unsigned room = c->page_size > header_size(&f) ? c->page_size - header_size(&f) : 0;
	uint64_t size = commit_word(&f, page) & RB_COMMIT_MASK;

	c->data = page + header_size(&f);
	c->data_size = size < room ? (unsigned)size : room;
	c->next = 0;
	c->ts = kf_ring_page_ts(page);
}

/* moves to the page's next record: rec, ts and size; false at its end */
static inline bool native_step(struct kf_ring_cursor *c)
{
	const unsigned char *d = c->data;
	unsigned end = c->data_size, room;
	uint64_t off = c->next;

	while (off + 4 <= end) {
		uint32_t hdr = word_at(d + off), type_len = hdr & 31, delta = hdr >> 5, arg = 0;
		uint64_t len;

		if (type_len - 1 < TYPE_PADDING - 1) {
			/* the common case: a record of type_len words */
			len = (uint64_t)type_len * 4;
			off += 4;
			goto record;
		}
		if (type_len == 0 || type_len >= TYPE_PADDING) {
			if (off + 8 > end)
				break;
			arg = word_at(d + off + 4);
		}
		switch (type_len) {
		case TYPE_PADDING:
			c->ts += delta;
			off += 4 + (uint64_t)arg;
			continue;
		case TYPE_TIME_EXTEND:
			c->ts += ((uint64_t)arg << TS_SHIFT) + delta;
			off += 8;
			continue;
		case TYPE_TIME_STAMP:
			c->ts = (((uint64_t)arg << TS_SHIFT) + delta) | (c->ts & TS_MSB);
			off += 8;
			continue;
		case 0:
			/* the length word counts itself; records are whole words */
			len = arg < 4 ? 0 : ((uint64_t)arg - 4 + 3) & ~3ULL;
			off += 8;
			break;
		default:
			len = (uint64_t)type_len * 4;
			off += 4;
			break;
		}
record:
		c->ts += delta;
		c->rec = (void *)(d + off);
		/* never past the page (take() does the same for kbuffer's) */
		room = (unsigned)(c->page + c->page_size - (d + off));
		c->size = len < room ? (unsigned)len : room;
		c->next = (unsigned)(off + len < end ? off + len : end);
		return true;
	}
	c->next = end;
	c->rec = NULL;
	return false;
}

int kf_ring_load(struct kf_ring_cursor *c, const void *page)
{
	c->page = page;
	if (c->long_size) {
		native_load(c, page);
		return 0;
	}
	/* kbuffer reads the page and never writes it */
	return kbuffer_load_subbuffer(c->kbuf, (void *)page) < 0 ? -1 : 0;
}

/* the record kbuffer points at, its size kept inside the page */
static bool take(struct kf_ring_cursor *c)
{
	unsigned long room;

	if (!c->rec)
		return false;
	room = c->page + c->page_size - (const unsigned char *)c->rec;
	c->size = kbuffer_event_size(c->kbuf);
	if ((const unsigned char *)c->rec >= c->page + c->page_size)
		c->size = 0;
	else if (c->size > room)
		c->size = (unsigned)room;
	return true;
}

bool kf_ring_next(struct kf_ring_cursor *c)
{
	if (c->long_size) {
		if (c->rec && native_step(c))
			return true;
		while (c->next_page(c) > 0)
			if (native_step(c))
				return true;
		c->rec = NULL;
		return false;
	}
	if (c->rec) {
		c->rec = kbuffer_next_event(c->kbuf, &c->ts);
		if (take(c))
			return true;
	}
	while (c->next_page(c) > 0) {
		c->rec = kbuffer_read_event(c->kbuf, &c->ts);
		if (take(c))
			return true;
	}
	c->rec = NULL;
	return false;
}

static inline bool before(const struct kf_ring_heap_entry *a, const struct kf_ring_heap_entry *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void heap_down(struct kf_ring_merge *m, int i)
{
	struct kf_ring_heap_entry *h = m->heap, moving = h[i];

	for (;;) {
		int best = -1, a = 2 * i + 1, b = a + 1;

		if (a < m->nr)
			best = b < m->nr && before(&h[b], &h[a]) ? b : a;
		if (best < 0 || !before(&h[best], &moving))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = moving;
}

void kf_ring_merge_start(struct kf_ring_merge *m, struct kf_ring_cursor **cursors, int n)
{
	m->nr = 0;
	for (int i = 0; i < n; i++)
		if (cursors[i]->rec)
			m->heap[m->nr++] = (struct kf_ring_heap_entry){ cursors[i]->ts, cursors[i]->seq, cursors[i] };
	for (int i = m->nr / 2 - 1; i >= 0; i--)
		heap_down(m, i);
}

/* the smallest key after the root's: one of its children, NULL for none */
static const struct kf_ring_heap_entry *runner_up(const struct kf_ring_merge *m)
{
	if (m->nr < 2)
		return NULL;
	return m->nr > 2 && before(&m->heap[2], &m->heap[1]) ? &m->heap[2] : &m->heap[1];
}

/* emits the root's records while it keeps the smallest key (its whole page,
 * mostly, when CPUs take turns a page at a time): the heap is sifted once
 * when another cursor comes first, not once per record; false when the
 * root's cursor has no record left */
static int drain_root(struct kf_ring_merge *m, unsigned long long limit,
		      int (*emit)(void *ctx, struct kf_ring_cursor *c), void *ctx, long *n)
{
	struct kf_ring_heap_entry *top = &m->heap[0];
	const struct kf_ring_heap_entry *next = runner_up(m);
	struct kf_ring_cursor *c = top->c;

	do {
		if (emit(ctx, c) < 0)
			return -1;
		(*n)++;
		/* the next record of the same page, the common case, inline */
		if (!(c->long_size && native_step(c)) && !kf_ring_next(c))
			return 0;
		top->ts = c->ts;
	} while (top->ts < limit && (!next || before(top, next)));
	return 1;
}

long kf_ring_merge_run(struct kf_ring_merge *m, unsigned long long limit,
		       int (*emit)(void *ctx, struct kf_ring_cursor *c), void *ctx)
{
	long n = 0;

	while (m->nr && m->heap[0].ts < limit) {
		int more = drain_root(m, limit, emit, ctx, &n);

		if (more < 0)
			return -1;
		if (!more)
			m->heap[0] = m->heap[--m->nr];
		heap_down(m, 0);
	}
	return n;
}
