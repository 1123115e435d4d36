/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report's sections that grow with the CPUs (data/kfrag-report.schema.json):
 * events per CPU, the CPUs, the pairs of CPUs pages went between, and the
 * page allocator's cells by CPU. Written through kf_jw (report_json_out.h):
 * as jansson values, or printed straight by kfrag report.
 */
#include "report_json_out.h"

static void counts(struct kf_jw *w, const char *key, const struct kf_count *c)
{
	kf_jw_open(w, key, false, true);
	kf_jw_int(w, "events", (json_int_t)c->events);
	kf_jw_int(w, "pages", (json_int_t)c->pages);
	kf_jw_close(w);
}

/* per event type: its subsystem, its total and its count on each CPU */
void kf_json_events(struct kf_jw *w, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;

	kf_jw_open(w, NULL, false, false);
	for (int t = 0; t < KF_EV_NR; t++) {
		const uint64_t *per_cpu = &s->ev_per_cpu[(size_t)t * s->nr_cpus];

		kf_jw_open(w, kf_event_names[t].name, false, false);
		kf_jw_string(w, "system", kf_event_names[t].system);
		kf_jw_int(w, "total", (json_int_t)s->ev_total[t]);
		kf_jw_open(w, "per_cpu", true, true);
		for (int c = 0; c < s->nr_cpus; c++)
			kf_jw_int(w, NULL, (json_int_t)per_cpu[c]);
		kf_jw_close(w);
		kf_jw_close(w);
	}
	kf_jw_close(w);
}

static void runs(struct kf_jw *w, const char *key, const struct kf_runs *r)
{
	kf_jw_open(w, key, false, true);
	kf_jw_int(w, "runs", (json_int_t)r->runs);
	kf_jw_int(w, "pages", (json_int_t)r->pages);
	kf_jw_int(w, "max_pages", (json_int_t)r->max_pages);
	kf_jw_real(w, "mean_pages", r->runs ? (double)r->pages / r->runs : 0.0);
	kf_jw_close(w);
}

void kf_json_cpus(struct kf_jw *w, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;

	kf_jw_open(w, NULL, true, false);
	for (int c = 0; c < s->nr_cpus; c++) {
		uint64_t events = 0;

		for (int t = 0; t < KF_EV_NR; t++)
			events += s->ev_per_cpu[(size_t)t * s->nr_cpus + c];
		kf_jw_open(w, NULL, false, false);
		kf_jw_int(w, "cpu", s->cpu_ids[c]);
		kf_jw_int(w, "events", (json_int_t)events);
		kf_jw_int(w, "lost_events", (json_int_t)s->cpus[c].lost_events);
		kf_jw_open(w, "pages", false, false);
		for (int k = 0; k < KF_PK_NR; k++)
			counts(w, kf_page_kind_names[k], &s->pages_cpu[c * KF_PK_NR + k]);
		kf_jw_close(w);
		runs(w, "pcp_refill", &s->cpus[c].refill);
		runs(w, "pcp_drain", &s->cpus[c].drain);
		kf_jw_close(w);
	}
	kf_jw_close(w);
}

/* the pairs of CPUs pages went between: as many as occurred */
static void flows(struct kf_jw *w, const struct kf_cpu_flow *f, int n)
{
	kf_jw_open(w, NULL, true, false);
	for (int i = 0; i < n; i++) {
		kf_jw_open(w, NULL, false, true);
		kf_jw_int(w, "from_cpu", f[i].from_cpu);
		kf_jw_int(w, "to_cpu", f[i].to_cpu);
		kf_jw_int(w, "pages", (json_int_t)f[i].pages);
		kf_jw_close(w);
	}
	kf_jw_close(w);
}

void kf_json_freed_on_other_cpu(struct kf_jw *w, const struct kf_report_input *in)
{
	flows(w, in->m->snap->cross_free, in->m->snap->nr_cross_free);
}

void kf_json_drained_on_other_cpu(struct kf_jw *w, const struct kf_report_input *in)
{
	flows(w, in->m->snap->cross_drain, in->m->snap->nr_cross_drain);
}

/* one cell of CPU x zone x migratetype x order, when it has events */
static void page_cell(struct kf_jw *w, const struct kf_report_input *in, int c, int z, int mt, int order)
{
	const struct kf_snapshot *s = in->m->snap;
	bool open = false;
	char buf[32];

	for (int k = 0; k < KF_PK_NR; k++) {
		const struct kf_count *cnt = kf_snapshot_page(s, c, z, mt, order, k);

		if (!cnt->events)
			continue;
		if (!open) {
			kf_jw_open(w, NULL, false, false);
			kf_jw_int(w, "cpu", s->cpu_ids[c]);
			if (z < s->nr_zones)
				kf_jw_int(w, "node", s->zones[z].node);
			else
				kf_jw_null(w, "node");
			kf_jw_string(w, "zone", z < s->nr_zones ? s->zones[z].name : "unknown");
			kf_jw_string(w, "migratetype", kf_report_mt_name(in->m->syms, mt, buf, sizeof(buf)));
			kf_jw_int(w, "order", order);
			open = true;
		}
		counts(w, kf_page_kind_names[k], cnt);
	}
	if (open)
		kf_jw_close(w);
}

/* every non-empty cell; the rows a CPU never used are not looked at */
void kf_json_page_alloc(struct kf_jw *w, const struct kf_report_input *in)
{
	const struct kf_snapshot *s = in->m->snap;

	kf_jw_open(w, NULL, true, false);
	for (int c = 0; c < s->nr_cpus; c++)
		for (int z = 0; z <= s->nr_zones; z++)
			for (int mt = 0; mt < KF_MT_SLOTS; mt++)
				for (int o = 0; o < KF_MAX_ORDER; o++)
					if (kf_snapshot_page_row(s, c, mt, o))
						page_cell(w, in, c, z, mt, o);
	kf_jw_close(w);
}
