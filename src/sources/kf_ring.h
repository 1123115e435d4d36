/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw ring-buffer pages, one cursor per CPU, merged by timestamp: the one
 * reader behind the live source (pages read from trace_pipe_raw) and the
 * trace.dat source (pages from the file's per-CPU sections).
 *
 * A cursor walks the records of the pages its owner hands it through
 * next_page; a merge is a heap of cursors keyed by (timestamp, seq), so
 * picking the next record costs O(log CPUs) and records with the same
 * timestamp come in seq order (the order libtracecmd gives them: buffer,
 * then CPU).
 */
#ifndef KF_RING_H
#define KF_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <kbuffer.h>

struct kf_ring_cursor {
	int cpu;			/* reported with each record */
	unsigned seq;			/* tie-break among equal timestamps */
	/* 4 or 8 (the kernel's long): the pages are in this host's byte order
	 * and the cursor walks them itself, as kbuffer would but without a
	 * call through a pointer per word; 0: kbuf walks them */
	int long_size;
	struct kbuffer *kbuf;
	const unsigned char *page;	/* loaded, NULL = none */
	unsigned page_size;
	void *rec;			/* the next record, NULL = none yet */
	unsigned long long ts;
	unsigned size;			/* bytes of rec, never past the page */
	/* the walk without kbuf: the page's records, their committed bytes,
	 * the offset of the next record header in data */
	const unsigned char *data;
	unsigned data_size, next;
	/* loads the owner's next page with kf_ring_load: 1, or 0 when it has
	 * none now (the current page, exhausted, may then be released) */
	int (*next_page)(struct kf_ring_cursor *c);
	void *owner;
};

/* the ring buffer's page header (kernel ring_buffer.c) */
struct kf_ring_format {
	int long_size;			/* 4 or 8: size of the commit word */
	unsigned page_size;
};

/* is a page's header sane: its commit fits the page */
bool kf_ring_page_valid(const struct kf_ring_format *f, const void *page);
/* events the kernel dropped before this page: 0, n, or -1 (a count that
 * did not fit); from the header, since kbuffer only reports it when the
 * page does not start with a time extend */
long long kf_ring_page_missed(const struct kf_ring_format *f, const void *page);
/* is the writer still filling this page (room for another record) */
bool kf_ring_page_partial(const struct kf_ring_format *f, const void *page);
/* the page's start time */
uint64_t kf_ring_page_ts(const void *page);

/* hands page to c's kbuffer (next_page calls this); -1 if kbuffer refuses it */
int kf_ring_load(struct kf_ring_cursor *c, const void *page);
/* makes c->rec the next record, loading pages as needed; false = none */
bool kf_ring_next(struct kf_ring_cursor *c);

/* a cursor in the merge, with its key: the heap's comparisons read this
 * array alone, not hundreds of cursors spread over memory */
struct kf_ring_heap_entry {
	unsigned long long ts;
	unsigned seq;
	struct kf_ring_cursor *c;
};

struct kf_ring_merge {
	struct kf_ring_heap_entry *heap;
	int nr;
};

/* the cursors that have a record (c->rec) make the heap; m->heap must have
 * room for n */
void kf_ring_merge_start(struct kf_ring_merge *m, struct kf_ring_cursor **cursors, int n);
/* hands emit the records older than limit, oldest first; each cursor moves
 * on after its record; returns records emitted, or -1 when emit does */
long kf_ring_merge_run(struct kf_ring_merge *m, unsigned long long limit,
		       int (*emit)(void *ctx, struct kf_ring_cursor *c), void *ctx);

#endif
