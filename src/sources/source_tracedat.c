/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace.dat through libtracecmd: the top buffer and every buffer instance in
 * the file, merged in timestamp order (compaction episodes and pcp runs are
 * sequences, so order matters), decoded by the shared kf_decoder.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <trace-cmd.h>

#include "kf_decode.h"
#include "kf_signals.h"
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

static int tracedat_read_fd_unguarded(int fd, const char *path, struct kf_symbols *syms,
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

static int tracedat_read_fd(int fd, const char *path, struct kf_symbols *syms,
			    const struct kf_sink *sink, struct kf_source_info *info,
			    char *err, size_t errlen)
{
	volatile int ret = -1;
	int sig;

	sig = sigsetjmp(guard_jmp, 1);
	if (sig == 0) {
		/* the one owner of signals (src/system/signals.c) jumps back here */
		kf_signals_trap_arm(&guard_jmp);
		ret = tracedat_read_fd_unguarded(fd, path, syms, sink, info, err, errlen);
	} else {
		snprintf(err, errlen, "%s: corrupt trace.dat: libtracecmd failed reading it (%s)",
			 path, strsignal(sig));
		errno = EINVAL;
		ret = -1;
	}
	kf_signals_trap_disarm();
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
