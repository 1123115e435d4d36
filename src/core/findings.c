/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings: the list, its thresholds, the helpers the rules share, the
 * guard's adapter and the min_free_kbytes step. The rules themselves are in
 * findings_pcp.c, findings_frag.c and findings_compaction.c. Pure: no I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_rules.h"

const char *const kf_finding_kind_names[KF_FIND_NR] = {
	[KF_FIND_ZONE_LOCK] = "zone_lock_contention",
	[KF_FIND_UNBATCHED_FREES] = "unbatched_frees",
	[KF_FIND_BATCHED_FREES] = "batched_frees",
	[KF_FIND_PCP_IMBALANCE] = "pcp_imbalance",
	[KF_FIND_EXTFRAG] = "external_fragmentation",
	[KF_FIND_HIGH_ORDER] = "high_order_unavailable",
	[KF_FIND_COMPACTION_COST] = "compaction_cost",
	[KF_FIND_DIRECT_COMPACTION] = "direct_compaction",
	[KF_FIND_GUARD] = "guard",
};

static struct kf_threshold on(double v)
{
	return (struct kf_threshold){ .on = true, .value = v };
}

/* the defaults kfrag.conf documents (src/check/check_config.c has the same) */
void kf_findings_config_defaults(struct kf_findings_config *c)
{
	memset(c, 0, sizeof(*c));
	c->zone_lock_rate_warning = on(1000);
	c->zone_lock_rate_critical = on(10000);
	c->zone_lock_pages_warning = on(20000);
	c->zone_lock_pages_critical = on(200000);
	c->unbatched_note = on(1000);
	c->unbatched_warning = on(10000);
	c->unbatched_critical = on(100000);
	c->unbatched_min_share = 0.5;
	c->batched_note = on(100000);
	c->pcp_imbalance_note = on(1000);
	c->pcp_imbalance_warning = on(5000);
	c->pcp_imbalance_critical = on(50000);
	c->extfrag_note = on(0);
	c->extfrag_warning = on(10);
	c->extfrag_severe_critical = on(100);
	c->high_order = 9;
	c->high_order_min_blocks = 64;
	c->high_order_unusable_note = on(0.9);
	c->compaction_time_note = on(0.01);
	c->compaction_time_warning = on(0.1);
	c->compaction_time_critical = on(0.5);
	c->compaction_success_warning = on(0.5);
	c->compaction_min_episodes = 4;
	c->direct_compaction_note = on(0);
	c->direct_compaction_warning = on(10);
	c->direct_compaction_critical = on(100);
}

const struct level *level_above(const struct level *levels, int nr, double value)
{
	for (int i = 0; i < nr; i++)
		if (levels[i].t && levels[i].t->on && value > levels[i].t->value)
			return &levels[i];
	return NULL;
}

struct kf_finding *finding_new(struct finding_ctx *x, enum kf_finding_kind kind, const struct level *lv,
			       double measured)
{
	struct kf_findings *out = x->out;
	struct kf_finding *f;

	if (out->nr == out->alloc) {
		int n = out->alloc ? out->alloc * 2 : 16;
		struct kf_finding *grown = realloc(out->items, n * sizeof(*grown));

		if (!grown) {
			x->failed = 1;
			return NULL;
		}
		out->items = grown;
		out->alloc = n;
	}
	f = &out->items[out->nr++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	snprintf(f->kind_name, sizeof(f->kind_name), "%s", kf_finding_kind_names[kind]);
	f->node = f->cpu = f->cpu_other = f->pid = -1;
	f->measured = measured;
	if (lv) {
		f->severity = lv->sev;
		f->threshold_key = lv->key;
		f->threshold = lv->t ? lv->t->value : 0;
	}
	return f;
}

void finding_evidence(struct kf_finding *f, const char *name, double value, const char *unit)
{
	if (f->nr_evidence < KF_FINDING_MAX_EVIDENCE)
		f->evidence[f->nr_evidence++] = (struct kf_evidence){ name, value, unit };
}

void finding_message(struct kf_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

void finding_action(struct kf_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->action, sizeof(f->action), fmt, ap);
	va_end(ap);
}

void finding_zone(struct kf_finding *f, const struct kf_snapshot *s, int zone)
{
	if (zone >= 0 && zone < s->nr_zones)
		f->node = s->zones[zone].node;
	snprintf(f->zone, sizeof(f->zone), "%s", zone_label(s, zone));
}

void finding_skip(struct finding_ctx *x, enum kf_finding_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->out->not_evaluated[kind], sizeof(x->out->not_evaluated[kind]), fmt, ap);
	va_end(ap);
}

bool ev_traced(const struct finding_ctx *x, enum kf_event_type t)
{
	if (x->in->traced)
		return x->in->traced[t];
	return x->snap && x->snap->ev_total[t] > 0;
}

const char *zone_label(const struct kf_snapshot *s, int zone)
{
	return zone >= 0 && zone < s->nr_zones ? s->zones[zone].name : "unknown";
}

const char *fmt_num(double v, char *buf)
{
	double a = v < 0 ? -v : v;

	snprintf(buf, 32, a >= 100 || a == 0 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
	return buf;
}

const struct kf_proc_stats *snap_proc(const struct kf_snapshot *s, int pid)
{
	for (int i = 0; s && i < s->nr_procs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

long kf_min_free_kbytes_step(int pageblock_order, long page_size, int nr_nodes)
{
	if (pageblock_order < 0 || pageblock_order > 30 || page_size <= 0 || nr_nodes <= 0)
		return 0;
	return 3 * ((page_size << pageblock_order) / 1024) * nr_nodes;
}

int kf_zoneinfo_nr_nodes(const struct kf_zoneinfo *zi)
{
	int nodes = 0;

	for (int i = 0; zi && i < zi->nr_zones; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = zi->zones[j].node == zi->zones[i].node;
		nodes += !seen;
	}
	return nodes;
}

int kf_findings_add_guard(struct kf_findings *f, const struct kf_guard_result *g)
{
	struct finding_ctx x = { .out = f };

	for (int i = 0; g && i < g->nr_alerts; i++) {
		const struct kf_alert *a = &g->alerts[i];
		struct kf_finding *fi;

		if (a->severity == KF_SEV_OK)
			continue;
		fi = finding_new(&x, KF_FIND_GUARD, NULL, (double)a->count);
		if (!fi) {
			errno = ENOMEM;
			return -1;
		}
		fi->severity = a->severity;
		snprintf(fi->kind_name, sizeof(fi->kind_name), "guard_%s", kf_alert_kind_names[a->kind]);
		fi->pid = a->pid;
		memcpy(fi->comm, a->comm, sizeof(fi->comm));
		if (a->zone[0]) {
			memcpy(fi->zone, a->zone, sizeof(fi->zone));
			fi->node = a->node;
		}
		snprintf(fi->subject, sizeof(fi->subject), "%s", a->initiator);
		finding_evidence(fi, "count", (double)a->count, "");
		snprintf(fi->message, sizeof(fi->message), "%s", a->message);
		snprintf(fi->action, sizeof(fi->action), "%s", a->action);
	}
	return 0;
}

/* how far past its threshold a finding is, to order findings of one severity */
static double excess(const struct kf_finding *f)
{
	if (!f->threshold_key)
		return f->measured;
	return f->threshold > 0 ? f->measured / f->threshold : f->measured + 1;
}

static int worst_first(const void *pa, const void *pb)
{
	const struct kf_finding *a = pa, *b = pb;
	double ea = excess(a), eb = excess(b);

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (ea != eb)
		return ea > eb ? -1 : 1;
	return strcmp(a->zone, b->zone);
}

/* the seconds rates are over: the window, and at least one (a few events
 * in a millisecond are not thousands per second); 0 when no time passed */
static double window_of(const struct kf_findings_input *in)
{
	double w = in->window_s;

	if (w <= 0 && in->snap && in->snap->last_ts > in->snap->first_ts)
		w = (double)(in->snap->last_ts - in->snap->first_ts) / 1e9;
	return w <= 0 ? 0 : w < 1 ? 1 : w;
}

int kf_findings_evaluate(const struct kf_findings_config *cfg, const struct kf_findings_input *in,
			 struct kf_findings *out)
{
	struct finding_ctx x = {
		.cfg = cfg, .in = in, .snap = in->snap, .window_s = window_of(in),
		.page_size = in->page_size > 0 ? in->page_size : 4096, .out = out,
	};

	memset(out, 0, sizeof(*out));
	if (x.snap && x.window_s <= 0)
		for (int k = 0; k < KF_FIND_NR; k++)
			if (k != KF_FIND_HIGH_ORDER && k != KF_FIND_GUARD)
				finding_skip(&x, k, "the trace covers no time: rates cannot be computed");
	if (x.snap && x.window_s > 0) {
		rules_pcp(&x);
		rules_compaction(&x);
	} else if (!x.snap) {
		for (int k = 0; k < KF_FIND_NR; k++)
			if (k != KF_FIND_HIGH_ORDER && k != KF_FIND_GUARD)
				finding_skip(&x, k, "no trace");
	}
	rules_frag(&x);
	if (!x.failed && kf_findings_add_guard(out, in->guard) < 0)
		x.failed = 1;
	if (x.failed) {
		kf_findings_release(out);
		errno = ENOMEM;
		return -1;
	}
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), worst_first);
	out->worst = out->nr ? out->items[0].severity : KF_SEV_OK;
	return 0;
}

int kf_findings_copy(struct kf_findings *dst, const struct kf_findings *src)
{
	*dst = *src;
	dst->items = NULL;
	dst->alloc = src->nr;
	if (!src->nr)
		return 0;
	dst->items = malloc(src->nr * sizeof(*dst->items));
	if (!dst->items) {
		memset(dst, 0, sizeof(*dst));
		errno = ENOMEM;
		return -1;
	}
	memcpy(dst->items, src->items, src->nr * sizeof(*dst->items));
	return 0;
}

void kf_findings_release(struct kf_findings *f)
{
	free(f->items);
	memset(f, 0, sizeof(*f));
}
