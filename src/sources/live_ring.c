/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live source's ring buffers: read, queued, fed in time order (kf_live_priv.h). */
#include <fcntl.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kf_live_priv.h"

/* ---- pages -------------------------------------------------------------- */

static void *page_get(struct kf_live *l)
{
	if (l->nr_free)
		return l->free_pages[--l->nr_free];
	return malloc(l->page_size);
}

static void page_put(struct kf_live *l, void *page)
{
	if (l->nr_free < l->max_free) {
		if (!l->free_pages) {
			l->free_pages = malloc(MAX_FREE_PAGES * sizeof(*l->free_pages));
			if (!l->free_pages) {
				free(page);
				return;
			}
		}
		l->free_pages[l->nr_free++] = page;
	} else {
		free(page);
	}
}

static int q_push(struct live_cpu *lc, void *page)
{
	if (lc->q_head == lc->q_len)
		lc->q_head = lc->q_len = 0;
	if (lc->q_len == lc->q_cap) {
		if (lc->q_head > 0) {
			memmove(lc->q, lc->q + lc->q_head, (lc->q_len - lc->q_head) * sizeof(*lc->q));
			lc->q_len -= lc->q_head;
			lc->q_head = 0;
		} else {
			int cap = lc->q_cap ? lc->q_cap * 2 : 256;
			void **q = realloc(lc->q, cap * sizeof(*q));

			if (!q)
				return -1;
			lc->q = q;
			lc->q_cap = cap;
		}
	}
	lc->q[lc->q_len++] = page;
	return 0;
}

/* ---- comms -------------------------------------------------------------- */

/* the name of a live task from /proc, read again after COMM_TTL_NS since a
 * forked child's first events come before its exec renames it; of a task
 * gone, the kernel's (live_exited_comm); NULL when neither has one */
static const char *comm_of(struct kf_live *l, int pid, uint64_t ts, uint32_t *id,
			   const struct comm_entry **entry)
{
	unsigned h = ((unsigned)pid * 2654435761u) & (COMM_SLOTS - 1);
	struct comm_entry *e = NULL;
	char path[64];
	ssize_t n;
	int fd;

	*entry = NULL;
	if (pid <= 0)
		return NULL;
	if (!l->comms) {
		l->comms = calloc(COMM_SLOTS, sizeof(*l->comms));
		if (!l->comms)
			return NULL;
	}
	for (int i = 0; i < 8; i++) {
		struct comm_entry *c = &l->comms[(h + i) & (COMM_SLOTS - 1)];

		if (c->pid == pid && ts - c->read_ts < COMM_TTL_NS) {
			*entry = c;
			*id = c->id;
			return c->comm[0] ? c->comm : NULL;
		}
		if (c->pid == pid || (!c->pid && !e))
			e = c;
		if (c->pid == pid)
			break;
	}
	if (!e)
		e = &l->comms[h];	/* evict */
	e->pid = pid;
	e->read_ts = ts;
	e->comm[0] = '\0';
	/* the name may change with each read (exec). The top bit keeps these
	 * apart from the decoder's ids, which count from 1 */
	e->id = ++l->comm_ids | 0x80000000u;
	*id = e->id;
	*entry = e;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return live_exited_comm(l, pid, e->comm) ? e->comm : NULL;
	n = read(fd, e->comm, sizeof(e->comm) - 1);
	close(fd);
	if (n <= 0) {
		e->comm[0] = '\0';
		return NULL;
	}
	e->comm[n] = '\0';
	e->comm[strcspn(e->comm, "\n")] = '\0';
	return e->comm[0] ? e->comm : NULL;
}

/* ---- feeding ------------------------------------------------------------ */

/* the ring cursor's next page: the oldest queued one, once the page it had
 * is done with; losses the page announces go to the sink */
static int next_page(struct kf_ring_cursor *c)
{
	struct live_cpu *lc = c->owner;
	struct kf_live *l = lc->l;

	if (lc->loaded) {
		page_put(l, lc->q[lc->q_head++]);
		lc->loaded = false;
	}
	while (lc->q_head < lc->q_len) {
		void *page = lc->q[lc->q_head];
		long long missed = kf_ring_page_missed(&l->fmt, page);

		if (missed > 0) {
			lc->missed += missed;
			lc->lost_fed += missed;
			if (l->sink && l->sink->lost)
				l->sink->lost(l->sink->ctx, c->cpu, missed);
		} else if (missed < 0) {
			/* a full page has no room for the count: the stats file
			 * has it (reconcile_lost) */
			lc->unknown_missed = true;
		}
		if (kf_ring_page_valid(&l->fmt, page) && kf_ring_load(c, page) == 0) {
			lc->loaded = true;
			return 1;
		}
		lc->q_head++;
		page_put(l, page);
	}
	return 0;
}

void live_cursor_init(struct kf_live *l, struct live_cpu *lc)
{
	lc->l = l;
	lc->cur.seq = lc->cur.cpu;
	lc->cur.page_size = l->page_size;
	lc->cur.next_page = next_page;
	lc->cur.owner = lc;
}

/* comm_of, first through the entry the CPU's last look-up found: a CPU
 * runs one task for many events, while the merge interleaves the CPUs'.
 * The entry answers as comm_of would: for its pid, until its name is
 * COMM_TTL_NS old */
static const char *cpu_comm(struct kf_live *l, struct live_cpu *lc, int pid, uint64_t ts,
			    uint32_t *id)
{
	const struct comm_entry *e = lc->last_comm;

	if (e && e->pid == pid && ts - e->read_ts < COMM_TTL_NS) {
		*id = e->id;
		return e->comm[0] ? e->comm : NULL;
	}
	return comm_of(l, pid, ts, id, &lc->last_comm);
}

static int emit(void *ctx, struct kf_ring_cursor *c)
{
	struct kf_live *l = ctx;
	struct live_cpu *lc = c->owner;
	struct kf_event ev;

	kf_decoder_decode_raw(l->dec, c->rec, c->size, c->ts, c->cpu, &ev);
	/* /proc, then for a task gone the kernel's saved_cmdlines as it is
	 * now (comm_of). Not the copy loaded at the start: it names a
	 * recycled pid after its old task */
	ev.comm = cpu_comm(l, lc, ev.pid, ev.ts, &ev.comm_id);
	if (!ev.comm && ev.pid <= 0)
		ev.comm = kf_decoder_comm(l->dec, ev.pid, &ev.comm_id);	/* <idle> */
	lc->events++;
	if (l->sink && l->sink->event)
		l->sink->event(l->sink->ctx, &ev);
	return 0;
}

/* feeds queued records older than limit, oldest first across CPUs (the
 * ring merge: a heap of the CPUs by their next record) */
static long feed(struct kf_live *l, unsigned long long limit)
{
	kf_ring_merge_start(&l->merge, l->cursors, l->nr_cursors);
	return kf_ring_merge_run(&l->merge, limit, emit, l);
}

/* the ring buffer's clock now, in record timestamp units; 0 = unknown */
static unsigned long long ring_now(struct kf_live *l)
{
	char buf[1024];
	ssize_t n = -1;
	char *p;

	for (int c = 0; c < l->nr_cpus && n < 0; c++)
		if (l->cpus[c].stats_fd >= 0)
			n = pread(l->cpus[c].stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "now ts:");
	if (!p)
		return 0;
	p += 7;
	unsigned long long sec = strtoull(p, &p, 10), usec = 0;

	if (*p != '.')
		return sec;	/* a counter clock (x86-tsc): raw units */
	usec = strtoull(p + 1, NULL, 10);
	return sec * 1000000000ULL + usec * 1000ULL;
}

static int spool(struct kf_live *l, struct live_cpu *lc, int first, int count)
{
	size_t done = 0, total = (size_t)count * l->page_size;

	while (done < total) {
		struct iovec iov[256];
		size_t page = done / l->page_size, in_page = done % l->page_size;
		int k = 0;
		ssize_t w;

		for (; k < 256 && page + k < (size_t)count; k++) {
			iov[k].iov_base = (char *)lc->q[first + page + k] + (k ? 0 : in_page);
			iov[k].iov_len = l->page_size - (k ? 0 : in_page);
		}
		w = writev(lc->raw_fd, iov, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			/* keep the spool a whole number of pages */
			if (ftruncate(lc->raw_fd, lc->raw_size) == 0)
				lseek(lc->raw_fd, lc->raw_size, SEEK_SET);
			snprintf(l->error, sizeof(l->error), "cannot keep the raw trace pages: %s",
				 strerror(e));
			errno = e;
			return -1;
		}
		done += w;
	}
	lc->raw_size += total;
	return 0;
}

/* reads up to max pages of a CPU into its queue; returns pages read or -1;
 * *last_ts is the start time of the last page read */
static int read_cpu(struct kf_live *l, struct live_cpu *lc, int max, unsigned long long *last_ts)
{
	int n = 0, partial = 0;

	while (n < max) {
		void *page = page_get(l);
		int r;

		if (!page) {
			snprintf(l->error, sizeof(l->error), "out of memory reading the ring buffer");
			errno = ENOMEM;
			return -1;
		}
		r = tracefs_cpu_read(lc->tcpu, page, true);
		if (r <= 0) {
			int e = errno;

			page_put(l, page);
			if (r < 0 && e != EAGAIN && e != EINTR) {
				snprintf(l->error, sizeof(l->error), "cannot read %s/per_cpu/cpu%d/trace_pipe_raw: %s",
					 l->inst_dir, lc->cpu, strerror(e));
				errno = e;
				return -1;
			}
			break;
		}
		if (r < l->page_size)
			memset((char *)page + r, 0, l->page_size - r);
		if (q_push(lc, page) < 0) {
			page_put(l, page);
			snprintf(l->error, sizeof(l->error), "out of memory reading the ring buffer");
			errno = ENOMEM;
			return -1;
		}
		*last_ts = kf_ring_page_ts(page);
		n++;
		/* a page the writer is still filling: we caught up; chasing it
		 * would only cut it into slivers of a few records each. The
		 * first partial page may be the rest of a page read partly by
		 * the last poll, with full pages behind it: the second is the
		 * writer's. */
		if (kf_ring_page_partial(&l->fmt, page)) {
			if (++partial == 2)
				break;
		} else {
			partial = 0;
		}
	}
	lc->pages += n;
	/* the n pages are the queue's last: q_push only ever appends */
	if (n && lc->raw_fd >= 0 && spool(l, lc, lc->q_len - n, n) < 0)
		return -1;
	if (!lc->cur.rec)
		kf_ring_next(&lc->cur);
	return n;
}

int live_read_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st)
{
	struct live_cpu *lc = &l->cpus[cpu];
	char buf[1024];
	ssize_t n;

	if (lc->stats_fd < 0)
		return -1;
	n = pread(lc->stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long v;

		if (sscanf(line, "entries: %llu", &v) == 1)
			st->entries = v;
		else if (sscanf(line, "overrun: %llu", &v) == 1)
			st->overrun = v;
		else if (sscanf(line, "dropped events: %llu", &v) == 1)
			st->dropped = v;
	}
	return 0;
}

/* losses the pages did not count: the kernel's overrun and dropped counters
 * are the truth; hand the sink what it has not been told yet */
static void reconcile_lost(struct kf_live *l, const struct kf_sink *sink, bool all)
{
	for (int c = 0; c < l->nr_cpus; c++) {
		struct kf_live_cpu_stats st = { 0 };
		struct live_cpu *lc = &l->cpus[c];
		uint64_t lost;

		if (lc->fd < 0 || (!all && !lc->unknown_missed))
			continue;
		if (live_read_stats(l, c, &st) < 0) {
			if (lc->unknown_missed && sink && sink->lost)
				sink->lost(sink->ctx, c, -1);
			lc->unknown_missed = false;
			continue;
		}
		lc->unknown_missed = false;
		lost = st.overrun + st.dropped;
		if (lost > lc->lost_fed) {
			long long diff = (long long)(lost - lc->lost_fed);

			lc->lost_fed = lost;
			if (sink && sink->lost)
				sink->lost(sink->ctx, c, diff);
		}
	}
}

/* pages of one CPU read per round: the round's pages of all CPUs are
 * decoded while the copy read() made is still in the cache (kf_live_priv.h) */
static int round_pages(const struct kf_live *l)
{
	size_t cpus = l->nr_cursors > 0 ? (size_t)l->nr_cursors : 1;
	int n = (int)(ROUND_BYTES / cpus / (size_t)l->page_size);

	return n < 1 ? 1 : n;
}

/* one round: reads up to round_pages of each CPU that may have more, feeds
 * what is older than *limit and than what the CPUs left unread; returns
 * records fed or -1; *more: some CPU filled its round. A CPU that reached
 * the poll's cap lowers *limit for the rest of the poll */
static long read_round(struct kf_live *l, const struct kf_sink *sink, unsigned long long *limit,
		       bool *more)
{
	unsigned long long round_limit = *limit;
	int chunk = round_pages(l);

	*more = false;
	for (int c = 0; c < l->nr_cpus; c++) {
		struct live_cpu *lc = &l->cpus[c];
		unsigned long long last_ts = 0;
		int n;

		if (lc->fd < 0 || !lc->more)
			continue;
		n = read_cpu(l, lc, chunk, &last_ts);
		if (n < 0)
			return -1;
		lc->read_this_poll += n;
		/* this CPU has more: what it holds may be older than what the
		 * other CPUs gave. A poll reads at most a buffer's worth of a CPU */
		lc->more = n == chunk && lc->read_this_poll < l->max_pages_per_poll;
		if (n == chunk) {
			*more = *more || lc->more;
			if (last_ts < round_limit)
				round_limit = last_ts;
			if (!lc->more && last_ts < *limit)
				*limit = last_ts;
		}
	}
	long fed = feed(l, round_limit);

	reconcile_lost(l, sink, false);
	return fed;
}

static long read_all(struct kf_live *l, const struct kf_sink *sink, bool flush)
{
	unsigned long long limit = ~0ULL;
	long fed = 0;
	bool more;

	l->sink = sink;
	if (!++l->poll_nr)
		l->poll_nr = 1;		/* 0 is saved_poll's "never read" */
	if (!flush) {
		unsigned long long now = ring_now(l);

		if (now > HOLDBACK_MARGIN_NS)
			limit = now - HOLDBACK_MARGIN_NS;
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		l->cpus[c].more = true;
		l->cpus[c].read_this_poll = 0;
	}
	do {
		long n = read_round(l, sink, &limit, &more);

		if (n < 0)
			return -1;
		fed += n;
		if (flush && !more) {
			/* all read: feed what the rounds held back */
			fed += feed(l, ~0ULL);
			break;
		}
		if (flush)
			for (int c = 0; c < l->nr_cpus; c++)
				l->cpus[c].read_this_poll = 0;	/* a flush reads all */
	} while (more);
	return fed;
}

long kf_live_poll(struct kf_live *l, const struct kf_sink *sink, int timeout_ms)
{
	l->error[0] = '\0';
	if (timeout_ms > 0 && l->nr_pfds > 0) {
		/* wakes up when a buffer is half full (the instance's buffer_percent)
		 * or on a signal */
		if (poll(l->pfds, l->nr_pfds, timeout_ms) < 0 && errno != EINTR) {
			snprintf(l->error, sizeof(l->error), "poll on the ring buffers failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	return read_all(l, sink, !l->tracing);
}

long kf_live_stop(struct kf_live *l, const struct kf_sink *sink)
{
	long fed;

	l->error[0] = '\0';
	if (l->tracing) {
		tracefs_trace_off(l->inst);
		l->tracing = false;
	}
	fed = read_all(l, sink, true);
	if (fed < 0)
		return -1;
	/* overruns no page announced: the buffer wrapped after the last read */
	reconcile_lost(l, sink, true);
	return fed;
}

