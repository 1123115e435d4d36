/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source (kf_live.h): kfrag's own tracefs instance, read as raw
 * per-CPU ring-buffer pages (trace_pipe_raw) through the ring merge that
 * trace.dat files go through too, decoded by kf_decoder. The instance's
 * lifecycle is in live_instance.c, the reading in live_ring.c.
 */
#include <linux/capability.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kf_live_cleanup.h"
#include "kf_live_priv.h"
#include "kf_tracedat_write.h"
#include "kf_util.h"


struct kf_live *kf_live_open(const struct kf_live_config *cfg, struct kf_symbols *syms,
			     char *err, size_t errlen)
{
	struct kf_live *l;
	size_t kb;

	if (geteuid() != 0 && !live_has_cap(CAP_SYS_ADMIN)) {
		live_seterr(err, errlen, "kfrag needs root (or CAP_SYS_ADMIN/CAP_PERFMON) to trace: "
		       "run it as root");
		errno = EPERM;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		live_seterr(err, errlen, "out of memory");
		return NULL;
	}
	l->slot = -1;
	l->keep_raw = cfg->keep_raw;
	if (live_ensure_tracefs(l, err, errlen) < 0)
		goto fail;
	live_reap_stale(l->tracing_dir);
	if (live_create_instance(l, err, errlen) < 0)
		goto fail;
	/* a new instance traces at once; nothing until it is set up */
	tracefs_trace_off(l->inst);
	if (live_choose_events(l, cfg, err, errlen) < 0)
		goto fail;
	if (live_load_formats(l, syms, err, errlen) < 0)
		goto fail;
	/* before the cursors take the page size */
	if (!l->keep_raw)
		live_set_subbuf_size(l);
	l->max_free = MAX_FREE_BYTES / (unsigned)l->page_size;
	if (live_count_cpus(l, err, errlen) < 0)
		goto fail;
	/* resized before any reader has a file open in it */
	kb = cfg->buffer_kb ? cfg->buffer_kb : live_default_buffer_kb(l->nr_cpus);
	if (tracefs_instance_set_buffer_size(l->inst, kb, -1) < 0) {
		live_seterr(err, errlen, "cannot set %s/buffer_size_kb to %zu: %s (ask for a smaller buffer)",
		       l->inst_dir, kb, strerror(errno));
		goto fail;
	}
	l->buffer_kb = kb;
	l->max_pages_per_poll = (int)(kb * 1024 / (size_t)l->page_size);
	if (l->max_pages_per_poll < 16)
		l->max_pages_per_poll = 16;
	if (live_open_cpus(l, cfg, err, errlen) < 0)
		goto fail;
	if (live_set_fault_filter(l, cfg, err, errlen) < 0)
		goto fail;
	if (live_enable_events(l, err, errlen) < 0)
		goto fail;
	if (tracefs_trace_on(l->inst) < 0) {
		live_seterr(err, errlen, "cannot turn on %s/tracing_on: %s", l->inst_dir, strerror(errno));
		goto fail;
	}
	l->tracing = true;
	return l;
fail:
	kf_live_close(l);
	return NULL;
}

int kf_live_nr_cpus(const struct kf_live *l)
{
	return l->nr_cpus;
}

const char *kf_live_instance_name(const struct kf_live *l)
{
	return l->name;
}

bool kf_live_has_event(const struct kf_live *l, enum kf_event_type type)
{
	return type >= 0 && type < KF_EV_OTHER && l->enabled[type];
}

const char *kf_live_fault_note(const struct kf_live *l)
{
	return l->fault_note[0] ? l->fault_note : NULL;
}

int kf_live_run(struct kf_live *l, const struct kf_sink *sink, double duration,
		void (*tick)(void *ctx), void *ctx, double tick_s)
{
	double deadline = kf_monotonic_s() + duration;
	double next_tick = kf_monotonic_s() + tick_s;
	int ret = 0;

	while (!kf_live_interrupted()) {
		int timeout = 100;

		if (tick && kf_monotonic_s() >= next_tick) {
			tick(ctx);
			next_tick = kf_monotonic_s() + tick_s;
		}
		if (duration > 0) {
			double left = deadline - kf_monotonic_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		if (kf_live_poll(l, sink, timeout) < 0) {
			ret = -1;
			break;
		}
	}
	if (kf_live_stop(l, sink) < 0)
		ret = -1;
	return ret;
}

const char *kf_live_error(const struct kf_live *l)
{
	return l->error[0] ? l->error : "no error";
}

int kf_live_cpu_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (cpu < 0 || cpu >= l->nr_cpus) {
		errno = EINVAL;
		return -1;
	}
	st->missed = l->cpus[cpu].missed;
	st->events = l->cpus[cpu].events;
	st->pages = l->cpus[cpu].pages;
	if (l->cpus[cpu].fd < 0)
		return 0;
	return live_read_stats(l, cpu, st);
}

void kf_live_totals(struct kf_live *l, uint64_t *events, uint64_t *lost)
{
	uint64_t e = 0, lo = 0;

	for (int c = 0; c < l->nr_cpus; c++) {
		struct kf_live_cpu_stats st;

		kf_live_cpu_stats(l, c, &st);
		e += st.events;
		lo += st.missed > st.overrun + st.dropped ? st.missed : st.overrun + st.dropped;
	}
	if (events)
		*events = e;
	if (lost)
		*lost = lo;
}

static char *extra_cmdlines(struct kf_live *l)
{
	size_t cap = 1, len = 0;
	char *s;

	if (!l->comms)
		return NULL;
	for (int i = 0; i < COMM_SLOTS; i++)
		if (l->comms[i].pid && l->comms[i].comm[0])
			cap += 12 + strlen(l->comms[i].comm) + 1;
	s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < COMM_SLOTS; i++)
		if (l->comms[i].pid && l->comms[i].comm[0])
			len += snprintf(s + len, cap - len, "%d %s\n", l->comms[i].pid, l->comms[i].comm);
	return s;
}

int kf_live_write_tracedat(struct kf_live *l, const char *path, const struct kf_tracedat_option *options,
			   int nr_options, char *err, size_t errlen)
{
	const char *events[KF_EV_NR];
	char names[KF_EV_NR][96];
	struct kf_tracedat_cpu *cpus;
	char **stats;
	struct kf_tracedat_desc d;
	int nr = 0, ret;

	if (!l->keep_raw) {
		live_seterr(err, errlen, "the live source was opened without keep_raw");
		errno = EINVAL;
		return -1;
	}
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (!l->enabled[t])
			continue;
		snprintf(names[nr], sizeof(names[nr]), "%s/%s", kf_event_names[t].system,
			 kf_event_names[t].name);
		events[nr] = names[nr];
		nr++;
	}
	cpus = calloc(l->nr_cpus, sizeof(*cpus));
	stats = calloc(l->nr_cpus, sizeof(*stats));
	if (!cpus || !stats) {
		free(cpus);
		free(stats);
		live_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		struct live_cpu *lc = &l->cpus[c];
		char buf[1024];
		ssize_t n = -1;

		cpus[c].fd = lc->raw_fd;
		cpus[c].size = lc->raw_size;
		if (lc->stats_fd >= 0)
			n = pread(lc->stats_fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			stats[c] = strdup(buf);
		}
		cpus[c].stats = stats[c];
	}
	memset(&d, 0, sizeof(d));
	d.tracing_dir = l->tracing_dir;
	d.instance_dir = l->inst_dir;
	d.events = events;
	d.nr_events = nr;
	d.page_size = l->page_size;
	d.nr_cpus = l->nr_cpus;
	d.cpus = cpus;
	d.extra_cmdlines = extra_cmdlines(l);
	d.options = options;
	d.nr_options = nr_options;
	ret = kf_tracedat_write(path, &d, err, errlen);
	free((char *)d.extra_cmdlines);
	for (int c = 0; c < l->nr_cpus; c++)
		free(stats[c]);
	free(stats);
	free(cpus);
	return ret;
}

void kf_live_close(struct kf_live *l)
{
	if (!l)
		return;
	if (l->inst && l->tracing)
		tracefs_trace_off(l->inst);
	/* the kernel refuses to remove an instance with files open in it */
	live_close_cpus(l);
	live_destroy_instance(l);
	kf_decoder_destroy(l->dec);
	if (l->tep)
		tep_free(l->tep);
	live_unmount_ours(l);
	for (int i = 0; i < l->nr_free; i++)
		free(l->free_pages[i]);
	free(l->free_pages);
	free(l->comms);
	tep_free(l->saved);
	free(l->pfds);
	free(l->cursors);
	free(l->merge.heap);
	free(l->name);
	if (l->inst_dir)
		tracefs_put_tracing_file(l->inst_dir);
	free(l->tracing_dir);
	free(l);
}
