/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top --input: a recorded trace read whole into memory (any format
 * kf_source_read knows), then handed to a sink a slice at a time as the
 * replay clock advances. Comms are interned: a source's comm pointer is
 * only valid while its event is fed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_replay.h"

/* a stored "the ring buffer lost N events" */
#define LOST_MARK KF_EV_NR

#define COMM_CHUNK 1024

struct comm_chunk {
	struct comm_chunk *next;
	int used;
	char s[COMM_CHUNK][KF_COMM_LEN];
};

struct kf_top_replay {
	struct kf_event *ev;
	size_t nr, alloc, next;
	uint64_t first_ts, last_ts;
	bool have_ts;
	/* interned comms: open addressing over pointers into chunks */
	const char **table;
	size_t table_size, table_used;
	struct comm_chunk *chunks;
	bool failed;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static const char *intern_slot(struct kf_top_replay *r, const char *s)
{
	struct comm_chunk *c = r->chunks;

	if (!c || c->used == COMM_CHUNK) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->next = r->chunks;
		r->chunks = c;
	}
	snprintf(c->s[c->used], KF_COMM_LEN, "%s", s);
	return c->s[c->used++];
}

static int table_grow(struct kf_top_replay *r)
{
	size_t size = r->table_size ? r->table_size * 2 : 256;
	const char **t = calloc(size, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < r->table_size; i++) {
		size_t j;

		if (!r->table[i])
			continue;
		for (j = hash_str(r->table[i]) & (size - 1); t[j]; j = (j + 1) & (size - 1))
			;
		t[j] = r->table[i];
	}
	free(r->table);
	r->table = t;
	r->table_size = size;
	return 0;
}

static const char *intern(struct kf_top_replay *r, const char *s)
{
	char trimmed[KF_COMM_LEN];
	size_t i;

	if (!s)
		return NULL;
	snprintf(trimmed, sizeof(trimmed), "%s", s);
	if (r->table_used * 2 >= r->table_size && table_grow(r) < 0)
		return NULL;
	for (i = hash_str(trimmed) & (r->table_size - 1); r->table[i]; i = (i + 1) & (r->table_size - 1))
		if (strcmp(r->table[i], trimmed) == 0)
			return r->table[i];
	r->table[i] = intern_slot(r, trimmed);
	if (!r->table[i])
		return NULL;
	r->table_used++;
	return r->table[i];
}

static struct kf_event *push(struct kf_top_replay *r)
{
	if (r->nr == r->alloc) {
		size_t n = r->alloc ? r->alloc * 2 : 65536;
		struct kf_event *ev = realloc(r->ev, n * sizeof(*ev));

		if (!ev) {
			r->failed = true;
			return NULL;
		}
		r->ev = ev;
		r->alloc = n;
	}
	return &r->ev[r->nr++];
}

static void store_event(void *ctx, const struct kf_event *ev)
{
	struct kf_top_replay *r = ctx;
	struct kf_event *e;

	if (r->failed || !(e = push(r)))
		return;
	*e = *ev;
	e->comm = intern(r, ev->comm);
	if (ev->comm && !e->comm)
		r->failed = true;
	if (!r->have_ts || ev->ts < r->first_ts)
		r->first_ts = ev->ts;
	if (!r->have_ts || ev->ts > r->last_ts)
		r->last_ts = ev->ts;
	r->have_ts = true;
}

static void store_lost(void *ctx, int cpu, long long n)
{
	struct kf_top_replay *r = ctx;
	struct kf_event *e;

	if (r->failed || !(e = push(r)))
		return;
	memset(e, 0, sizeof(*e));
	e->type = LOST_MARK;
	e->cpu = cpu;
	e->ts = r->nr > 1 ? r->ev[r->nr - 2].ts : 0;
	e->page.pfn = (uint64_t)n;
}

struct kf_top_replay *kf_top_replay_load(const char *path, struct kf_symbols *syms,
					 struct kf_source_info *info, char *err, size_t errlen)
{
	return kf_top_replay_load_told(path, syms, info, NULL, NULL, err, errlen);
}

struct kf_top_replay *kf_top_replay_load_told(const char *path, struct kf_symbols *syms,
					      struct kf_source_info *info,
					      void (*progress)(void *ctx, uint64_t done, uint64_t total),
					      void *ctx, char *err, size_t errlen)
{
	struct kf_top_replay *r = calloc(1, sizeof(*r));
	struct kf_sink sink = { .event = store_event, .lost = store_lost, .ctx = r };

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	info->progress = progress;
	info->progress_ctx = ctx;
	if (kf_source_read(path, syms, &sink, info, err, errlen) < 0) {
		kf_top_replay_free(r);
		return NULL;
	}
	if (r->failed) {
		snprintf(err, errlen, "%s: out of memory holding %zu events", path, r->nr);
		kf_top_replay_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

long kf_top_replay_feed(struct kf_top_replay *r, uint64_t offset_ns, const struct kf_sink *sink)
{
	uint64_t limit = r->first_ts + offset_ns;
	long n = 0;

	if (limit < r->first_ts)	/* overflow: everything */
		limit = UINT64_MAX;
	for (; r->next < r->nr && r->ev[r->next].ts <= limit; r->next++, n++) {
		const struct kf_event *e = &r->ev[r->next];

		if (e->type == LOST_MARK) {
			if (sink->lost)
				sink->lost(sink->ctx, e->cpu, (long long)e->page.pfn);
		} else {
			sink->event(sink->ctx, e);
		}
	}
	return n;
}

uint64_t kf_top_replay_length_ns(const struct kf_top_replay *r)
{
	return r->have_ts ? r->last_ts - r->first_ts : 0;
}

bool kf_top_replay_done(const struct kf_top_replay *r)
{
	return r->next >= r->nr;
}

void kf_top_replay_free(struct kf_top_replay *r)
{
	if (!r)
		return;
	while (r->chunks) {
		struct comm_chunk *c = r->chunks;

		r->chunks = c->next;
		free(c);
	}
	free(r->table);
	free(r->ev);
	free(r);
}
