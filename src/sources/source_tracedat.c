/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace.dat: the top buffer and every buffer instance in the file, merged in
 * timestamp order (compaction episodes and pcp runs are sequences, so order
 * matters), decoded by the shared kf_decoder.
 *
 * The file is mapped; its metadata is read by tracedat_file.c and its
 * per-CPU ring-buffer pages (zstd chunks decompressed one at a time) go
 * through kbuffer and the O(log CPUs) merge the live source uses
 * (ring_merge.c). libtracecmd's iteration peeks every CPU for every event
 * and parses kallsyms and every event format on open; it is kept only for
 * the kinds of file this reader does not handle (another compression,
 * latency traces, guest time shifts).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <trace-cmd.h>

#include "kf_decode.h"
#include "kf_ring.h"
#include "kf_signals.h"
#include "kf_tracedat_file.h"
#include "kf_source.h"

#define MAX_DECODERS 16

/*
 * libtracecmd 3.1 can crash on a corrupt file: when a buffer instance's
 * headers do not parse, tracecmd_buffer_instance_handle() frees a shallow
 * copy of the top handle and with it the top handle's own data. kfrag must
 * say "corrupt" and exit, not crash, so the calls into the library run under
 * a guard that turns SIGSEGV/SIGBUS/SIGABRT into an error return. After a
 * trip the library's state is unknown: nothing of it is touched again.
 */
static sigjmp_buf guard_jmp;

struct read_ctx {
	const struct kf_sink *sink;
	struct kf_symbols *syms;
	struct kf_source_info *info;
	/* one decoder per distinct tep (instances may carry their own formats) */
	struct tep_handle *teps[MAX_DECODERS];
	struct kf_decoder *decoders[MAX_DECODERS];
	int nr_decoders;
	int failed;
};

static struct kf_decoder *decoder_for(struct read_ctx *ctx, struct tracecmd_input *h)
{
	struct tep_handle *tep = tracecmd_get_tep(h);

	for (int i = 0; i < ctx->nr_decoders; i++)
		if (ctx->teps[i] == tep)
			return ctx->decoders[i];
	if (ctx->nr_decoders == MAX_DECODERS)
		return NULL;
	ctx->decoders[ctx->nr_decoders] = kf_decoder_create(tep, ctx->syms);
	if (!ctx->decoders[ctx->nr_decoders])
		return NULL;
	ctx->teps[ctx->nr_decoders] = tep;
	return ctx->decoders[ctx->nr_decoders++];
}

/* cpu here numbers the CPUs of all handles together; rec->cpu is the real one */
static int on_record(struct tracecmd_input *h, struct tep_record *rec, int multi_cpu, void *data)
{
	struct read_ctx *ctx = data;
	struct kf_decoder *d = tracecmd_get_private(h);
	struct kf_event ev;

	kf_signals_trap_hold(true);	/* a crash in kfrag's own code is not the file's fault */
	if (rec->missed_events && ctx->sink->lost)
		ctx->sink->lost(ctx->sink->ctx, rec->cpu, rec->missed_events);
	kf_decoder_decode(d, rec, &ev);
	ctx->sink->event(ctx->sink->ctx, &ev);
	ctx->info->events++;
	if (rec->cpu + 1 > ctx->info->nr_cpus)
		ctx->info->nr_cpus = rec->cpu + 1;
	kf_signals_trap_hold(false);
	return 0;
}

static int add_buffer_name(struct kf_source_info *info, const char *name)
{
	char **grown = realloc(info->buffers, (info->nr_buffers + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	info->buffers = grown;
	info->buffers[info->nr_buffers] = strdup(name ? name : "");
	if (!info->buffers[info->nr_buffers])
		return -1;
	info->nr_buffers++;
	return 0;
}

static void drop_buffer_names(struct kf_source_info *info)
{
	for (int i = 0; i < info->nr_buffers; i++)
		free(info->buffers[i]);
	free(info->buffers);
	info->buffers = NULL;
	info->nr_buffers = 0;
}

static int read_libtracecmd(int fd, const char *path, struct kf_symbols *syms,
			    const struct kf_sink *sink, struct kf_source_info *info,
			    char *err, size_t errlen)
{
	struct read_ctx ctx = { .sink = sink, .syms = syms, .info = info };
	struct tracecmd_input *handles[MAX_DECODERS];
	struct tracecmd_input *top;
	int nr_handles = 0, nr_instances, ret = -1;

	/* libtracecmd prints its own warnings; kfrag says what went wrong itself */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	top = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!top) {
		snprintf(err, errlen, "%s: not a readable trace.dat (truncated or corrupt headers)", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	info->format = KF_FMT_TRACEDAT;
	handles[nr_handles++] = top;
	if (add_buffer_name(info, "") < 0)
		goto nomem;
	nr_instances = tracecmd_buffer_instances(top);
	for (int i = 0; i < nr_instances && nr_handles < MAX_DECODERS; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(top, i);

		if (!h) {
			snprintf(err, errlen, "%s: buffer instance '%s' cannot be read (truncated file?)",
				 path, tracecmd_buffer_instance_name(top, i));
			errno = EINVAL;
			goto out;
		}
		handles[nr_handles++] = h;
		if (add_buffer_name(info, tracecmd_buffer_instance_name(top, i)) < 0)
			goto nomem;
	}
	for (int i = 0; i < nr_handles; i++) {
		struct kf_decoder *d = decoder_for(&ctx, handles[i]);

		if (!d)
			goto nomem;
		tracecmd_set_private(handles[i], d);
	}
	info->nr_cpus = tep_get_cpus(tracecmd_get_tep(top));
	if (tracecmd_iterate_events_multi(handles, nr_handles, on_record, &ctx) < 0) {
		snprintf(err, errlen, "%s: reading the event data failed (truncated file?)", path);
		errno = EINVAL;
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
	errno = ENOMEM;
out:
	for (int i = 0; i < ctx.nr_decoders; i++)
		kf_decoder_destroy(ctx.decoders[i]);
	for (int i = nr_handles - 1; i >= 1; i--)
		tracecmd_close(handles[i]);
	tracecmd_close(top);	/* closes fd */
	return ret;
}

/* ---- kfrag's reader: the mapped file, kbuffer, the ring merge ---------- */

#define MAX_CHUNK (64u << 20)	/* a decompressed chunk larger than this is corrupt */

struct cpu_stream {
	struct kf_ring_cursor cur;
	struct map_reader *r;
	const unsigned char *data;	/* pages: in the map, or the chunk */
	uint64_t len, pos;
	const unsigned char *z;		/* compressed: the chunks left */
	uint64_t zleft;
	unsigned chunks_left;
	unsigned char *chunk;
	size_t chunk_cap;
	unsigned char *tail;		/* a page cut short, zero-filled; made when one comes */
	long long missed;		/* told the sink before the next record */
};

struct map_reader {
	struct kf_tdat t;
	struct kf_ring_format fmt;
	struct kf_decoder *dec;
	const struct kf_sink *sink;
	struct kf_source_info *info;
	struct cpu_stream *streams;
	struct kf_ring_cursor **cursors;
	int nr_streams;
	char corrupt[256];		/* the first bad page or chunk */
	uint64_t consumed, told;	/* bytes of ring data (or compressed chunks) read: progress */
};

/* bytes of the file's ring data read so far, every KF_PROGRESS_EVERY */
static void stream_consumed(struct map_reader *r, uint64_t bytes)
{
	r->consumed += bytes;
	if (r->info->progress && r->consumed - r->told >= KF_PROGRESS_EVERY) {
		r->info->progress(r->info->progress_ctx, r->consumed, r->t.size);
		r->told = r->consumed;
	}
}

static void stream_corrupt(struct cpu_stream *s, const char *what)
{
	if (!s->r->corrupt[0])
		snprintf(s->r->corrupt, sizeof(s->r->corrupt), "corrupt trace.dat: %s on CPU %d",
			 what, s->cur.cpu);
	s->len = s->pos = 0;
	s->chunks_left = 0;
}

static uint32_t file_u32(const struct map_reader *r, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->t.big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? __builtin_bswap32(v) : v;
}

/* the next zstd chunk of the CPU's data becomes its pages */
static bool next_chunk(struct cpu_stream *s)
{
	uint32_t zsize, size;

	if (!s->chunks_left)
		return false;
	s->chunks_left--;
	if (s->zleft < 8)
		return stream_corrupt(s, "a compressed chunk runs past its data"), false;
	zsize = file_u32(s->r, s->z);
	size = file_u32(s->r, s->z + 4);
	if (zsize > s->zleft - 8 || size > MAX_CHUNK)
		return stream_corrupt(s, "a compressed chunk runs past its data"), false;
	if (size > s->chunk_cap) {
		free(s->chunk);
		s->chunk_cap = 0;
		s->chunk = malloc(size);
		if (!s->chunk)
			return stream_corrupt(s, "out of memory for a chunk"), false;
		s->chunk_cap = size;
	}
	if (kf_tdat_unzstd(s->chunk, size, s->z + 8, zsize) < 0)
		return stream_corrupt(s, "a chunk does not decompress"), false;
	s->z += 8 + (uint64_t)zsize;
	s->zleft -= 8 + (uint64_t)zsize;
	stream_consumed(s->r, 8 + (uint64_t)zsize);
	s->data = s->chunk;
	s->len = size;
	s->pos = 0;
	return true;
}

static int stream_next_page(struct kf_ring_cursor *c)
{
	struct cpu_stream *s = c->owner;
	unsigned ps = s->r->fmt.page_size;

	while (s->pos < s->len || next_chunk(s)) {
		const unsigned char *page = s->data + s->pos;

		if (s->len - s->pos < ps) {
			if (!s->tail && !(s->tail = malloc(ps))) {
				stream_corrupt(s, "out of memory for a page");
				return 0;
			}
			memset(s->tail, 0, ps);
			memcpy(s->tail, page, s->len - s->pos);
			page = s->tail;
			s->pos = s->len;
		} else {
			s->pos += ps;
		}
		if (s->data != s->chunk)
			stream_consumed(s->r, ps);
		if (!kf_ring_page_valid(&s->r->fmt, page)) {
			stream_corrupt(s, "a ring-buffer page says it holds more than a page");
			return 0;
		}
		s->missed = kf_ring_page_missed(&s->r->fmt, page);
		if (kf_ring_load(c, page) == 0)
			return 1;
	}
	return 0;
}

static int emit_record(void *ctx, struct kf_ring_cursor *c)
{
	struct map_reader *r = ctx;
	struct cpu_stream *s = c->owner;
	struct kf_event ev;

	kf_signals_trap_hold(true);	/* a crash in kfrag's own code is not the file's fault */
	if (s->missed && r->sink->lost)
		r->sink->lost(r->sink->ctx, c->cpu, s->missed);
	s->missed = 0;
	kf_decoder_decode_raw(r->dec, c->rec, c->size, c->ts + r->t.ts_offset, c->cpu, &ev);
	r->sink->event(r->sink->ctx, &ev);
	r->info->events++;
	if (c->cpu + 1 > r->info->nr_cpus)
		r->info->nr_cpus = c->cpu + 1;
	kf_signals_trap_hold(false);
	return 0;
}

static int stream_open(struct map_reader *r, struct cpu_stream *s, const struct kf_tdat_buffer *b,
		       const struct kf_tdat_cpu *cpu, unsigned seq)
{
	const unsigned char *data = r->t.map + cpu->offset;

	s->r = r;
	s->cur.cpu = cpu->cpu;
	s->cur.seq = seq;
	s->cur.page_size = r->fmt.page_size;
	s->cur.next_page = stream_next_page;
	s->cur.owner = s;
	s->cur.kbuf = kbuffer_alloc(r->fmt.long_size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
				    r->t.big_endian ? KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE);
	if (!s->cur.kbuf)
		return -1;
	/* pages in this machine's byte order: the cursor walks them itself
	 * (ring_merge.c), without kbuffer's calls through pointers */
	if (r->t.big_endian == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) &&
	    (r->fmt.long_size == 4 || r->fmt.long_size == 8))
		s->cur.long_size = r->fmt.long_size;
	if (!b->compressed) {
		s->data = data;
		s->len = cpu->size;
	} else if (cpu->size && r->t.size - cpu->offset >= 4) {
		/* the chunks' count, then each chunk; the size the BUFFER
		 * option gives is not theirs, so the file bounds them */
		s->chunks_left = file_u32(r, data);
		s->z = data + 4;
		s->zleft = r->t.size - cpu->offset - 4;
	}
	return 0;
}

static void streams_close(struct map_reader *r)
{
	for (int i = 0; i < r->nr_streams; i++) {
		if (r->streams[i].cur.kbuf)
			kbuffer_free(r->streams[i].cur.kbuf);
		free(r->streams[i].chunk);
		free(r->streams[i].tail);
	}
	free(r->streams);
	free(r->cursors);
}

static int streams_open(struct map_reader *r)
{
	int n = 0;

	for (int b = 0; b < r->t.nr_buffers; b++)
		n += r->t.buffers[b].nr_cpus;
	r->streams = calloc(n ? n : 1, sizeof(*r->streams));
	r->cursors = calloc(n ? n : 1, sizeof(*r->cursors));
	if (!r->streams || !r->cursors)
		return -1;
	for (int b = 0; b < r->t.nr_buffers; b++)
		for (int c = 0; c < r->t.buffers[b].nr_cpus; c++) {
			struct cpu_stream *s = &r->streams[r->nr_streams];

			r->cursors[r->nr_streams] = &s->cur;
			r->nr_streams++;
			if (stream_open(r, s, &r->t.buffers[b], &r->t.buffers[b].cpus[c], r->nr_streams) < 0)
				return -1;
		}
	return 0;
}

/* every record of every buffer, in timestamp order */
static int read_records(struct map_reader *r, char *err, size_t errlen, const char *path)
{
	struct kf_ring_merge m = { 0 };

	if (streams_open(r) < 0 || !(m.heap = calloc(r->nr_streams + 1, sizeof(*m.heap)))) {
		snprintf(err, errlen, "%s: out of memory", path);
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < r->nr_streams; i++)
		kf_ring_next(r->cursors[i]);
	kf_ring_merge_start(&m, r->cursors, r->nr_streams);
	kf_ring_merge_run(&m, ~0ULL, emit_record, r);
	free(m.heap);
	if (r->corrupt[0]) {
		snprintf(err, errlen, "%s: %s", path, r->corrupt);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* 0, -1 with err set, or 1: a file for libtracecmd */
static int read_mapped(const void *map, uint64_t size, const char *path, struct kf_symbols *syms,
		       const struct kf_sink *sink, struct kf_source_info *info,
		       char *err, size_t errlen)
{
	struct map_reader r = { .sink = sink, .info = info };
	int ret = kf_tdat_parse(&r.t, map, size, path, err, errlen);

	if (ret != 0) {
		errno = EINVAL;
		goto out;
	}
	r.fmt.long_size = r.t.long_size;
	r.fmt.page_size = r.t.page_size;
	r.dec = kf_decoder_create(r.t.tep, syms);
	ret = -1;
	if (!r.dec) {
		snprintf(err, errlen, "%s: out of memory", path);
		errno = ENOMEM;
		goto out;
	}
	info->format = KF_FMT_TRACEDAT;
	for (int b = 0; b < r.t.nr_buffers; b++)
		if (add_buffer_name(info, r.t.buffers[b].name) < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			errno = ENOMEM;
			goto out;
		}
	info->nr_cpus = r.t.nr_cpus;
	ret = read_records(&r, err, errlen, path);
out:
	streams_close(&r);
	kf_decoder_destroy(r.dec);
	kf_tdat_release(&r.t);
	return ret;
}

static int tracedat_read_fd(int fd, const char *path, struct kf_symbols *syms,
			    const struct kf_sink *sink, struct kf_source_info *info,
			    char *err, size_t errlen)
{
	volatile int ret = -1;
	struct stat st;
	void *volatile map = MAP_FAILED;
	volatile int fd_ours = 1;
	int sig;

	if (fstat(fd, &st) == 0 && st.st_size > 0)
		map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	sig = sigsetjmp(guard_jmp, 1);
	if (sig == 0) {
		/* the one owner of signals (src/system/signals.c) jumps back here */
		kf_signals_trap_arm(&guard_jmp);
		ret = 1;
		/* the tests compare both readers on the same files */
		if (map != MAP_FAILED && !getenv("KFRAG_TEST_LIBTRACECMD"))
			ret = read_mapped(map, st.st_size, path, syms, sink, info, err, errlen);
		if (ret == 1) {
			drop_buffer_names(info);
			fd_ours = 0;	/* libtracecmd closes it */
			ret = read_libtracecmd(fd, path, syms, sink, info, err, errlen);
		}
	} else {
		/* SIGBUS: the file shrank under the map */
		snprintf(err, errlen, "%s: corrupt trace.dat: reading it failed (%s)",
			 path, strsignal(sig));
		errno = EINVAL;
		ret = -1;
	}
	kf_signals_trap_disarm();
	if (map != MAP_FAILED)
		munmap(map, st.st_size);
	if (fd_ours)
		close(fd);
	return ret;
}

int kf_tracedat_read(const char *path, struct kf_symbols *syms, const struct kf_sink *sink,
		     struct kf_source_info *info, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return tracedat_read_fd(fd, path, syms, sink, info, err, errlen);
}

/* libtracecmd seeks, so a trace.dat on stdin gets a copy in an unnamed file */
int kf_tracedat_read_stream(FILE *in, const char *head, size_t headlen, const char *path,
			    struct kf_symbols *syms, const struct kf_sink *sink,
			    struct kf_source_info *info, char *err, size_t errlen)
{
	const char *tmpdir = getenv("TMPDIR");
	char buf[65536];
	size_t n;
	int fd = open(tmpdir ? tmpdir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot make a temporary copy of the trace: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, head, headlen) != (ssize_t)headlen)
		goto fail;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (write(fd, buf, n) != (ssize_t)n)
			goto fail;
	if (ferror(in) || lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	return tracedat_read_fd(fd, path, syms, sink, info, err, errlen);
fail:
	snprintf(err, errlen, "%s: cannot copy the trace to a temporary file: %s", path, strerror(errno));
	close(fd);
	return -1;
}
