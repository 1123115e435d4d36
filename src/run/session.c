/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sets up an analysis run: memory state, zone spans, symbols, engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kf_session.h"
#include "kf_util.h"

static void sink_event(void *ctx, const struct kf_event *ev)
{
	kf_engine_feed(ctx, ev);
}

static void sink_lost(void *ctx, int cpu, long long n)
{
	kf_engine_lost(ctx, cpu, n);
}

/* populated zones, by PFN span, for attributing page events */
static int spans_from_zoneinfo(struct kf_session *s)
{
	const struct kf_zoneinfo *zi = &s->mem_before.zoneinfo;

	s->spans = calloc(zi->nr_zones ? zi->nr_zones : 1, sizeof(*s->spans));
	if (!s->spans)
		return -1;
	for (int i = 0; i < zi->nr_zones; i++) {
		const struct kf_zone_info *z = &zi->zones[i];
		struct kf_zone_span *sp;

		if (!z->spanned)
			continue;
		sp = &s->spans[s->nr_spans++];
		sp->node = z->node;
		memcpy(sp->name, z->name, sizeof(sp->name));
		sp->start_pfn = z->start_pfn;
		sp->end_pfn = z->start_pfn + z->spanned;
	}
	return 0;
}

int kf_session_init(struct kf_session *s, const char *proc_root, char *err, size_t errlen)
{
	struct kf_engine_config cfg = { 0 };

	memset(s, 0, sizeof(*s));
	kf_symbols_init(&s->syms);
	/* NULL: a trace with no memory state of its own; no zones are known */
	if (proc_root) {
		s->proc_root = strdup(proc_root);
		if (!s->proc_root)
			return -1;
		if (kf_memstate_read(s->proc_root, &s->mem_before, err, errlen) < 0)
			return -1;
	}
	if (spans_from_zoneinfo(s) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* kmem events print migratetype as a number: the kernel's names are in pagetypeinfo */
	if (s->mem_before.have & KF_HAVE_PAGETYPEINFO) {
		const struct kf_pagetypeinfo *pt = &s->mem_before.pagetypeinfo;

		for (int mt = 0; mt < pt->nr_mt; mt++)
			kf_symbols_set(&s->syms, KF_SYM_MIGRATETYPE, mt, pt->mt_names[mt]);
		cfg.pageblock_order = pt->pageblock_order;
	}
	cfg.zones = s->spans;
	cfg.nr_zones = s->nr_spans;
	s->engine = kf_engine_create(&cfg);
	if (!s->engine) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->sink = (struct kf_sink){ .event = sink_event, .lost = sink_lost, .ctx = s->engine };
	return 0;
}

int kf_session_read_file(struct kf_session *s, const char *path, char *err, size_t errlen)
{
	s->offline = true;
	return kf_source_read(path, &s->syms, &s->sink, &s->source, err, errlen);
}

int kf_session_read_after(struct kf_session *s, char *err, size_t errlen)
{
	if (!s->proc_root)
		return 0;
	if (kf_memstate_read(s->proc_root, &s->mem_after, err, errlen) < 0)
		return -1;
	s->have_after = true;
	return 0;
}

int kf_session_live_start(struct kf_session *s, const struct kf_live_config *cfg,
			  char *err, size_t errlen)
{
	s->live = kf_live_open(cfg, &s->syms, err, errlen);
	if (!s->live)
		return -1;
	snprintf(s->instance, sizeof(s->instance), "%s", kf_live_instance_name(s->live));
	for (int t = 0; t < KF_EV_NR; t++)
		s->traced[t] = t != KF_EV_OTHER && kf_live_has_event(s->live, t);
	return 0;
}

/* the guard's once-a-second reading during the window */
static void session_tick(void *ctx)
{
	struct kf_session *s = ctx;

	s->tick(s->tick_ctx, false);
}

int kf_session_live_run(struct kf_session *s, double duration, char *err, size_t errlen)
{
	struct kf_live *l = s->live;
	double start = kf_monotonic_s();
	int ret = 0;
	uint64_t lost;

	if (kf_live_run(l, &s->sink, duration, s->tick ? session_tick : NULL, s,
			s->tick_s > 0 ? s->tick_s : 1.0) < 0) {
		snprintf(err, errlen, "%s", kf_live_error(l));
		ret = -1;
	}
	s->interrupted = kf_live_interrupted();
	s->wall_s = kf_monotonic_s() - start;
	if (s->tick)
		s->tick(s->tick_ctx, true);
	kf_live_totals(l, &s->live_events, &lost);
	s->nr_ring = kf_live_nr_cpus(l);
	s->ring = calloc(s->nr_ring ? s->nr_ring : 1, sizeof(*s->ring));
	for (int c = 0; s->ring && c < s->nr_ring; c++)
		kf_live_cpu_stats(l, c, &s->ring[c]);
	kf_live_close(l);
	s->live = NULL;
	if (ret == 0 && kf_session_read_after(s, err, errlen) < 0)
		ret = -1;
	return ret;
}

void kf_session_release(struct kf_session *s)
{
	kf_live_close(s->live);		/* an error between start and run */
	free(s->ring);
	kf_engine_destroy(s->engine);
	kf_symbols_release(&s->syms);
	kf_memstate_release(&s->mem_before);
	if (s->have_after)
		kf_memstate_release(&s->mem_after);
	kf_source_info_release(&s->source);
	free(s->spans);
	free(s->proc_root);
	memset(s, 0, sizeof(*s));
}
