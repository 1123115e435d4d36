/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's view model of the guard (part of top_model.c's view): the
 * protected processes with their counts, the largest locked process left
 * unprotected, and the alerts, most severe and unacknowledged first.
 */
#include <stdlib.h>
#include <string.h>

#include "kf_top.h"

static bool alert_acked(const struct kf_top_state *st, const struct kf_alert *a)
{
	for (int i = 0; st && i < st->nr_acks; i++) {
		const struct kf_top_ack *k = &st->acks[i];

		if (k->kind == a->kind && k->pid == a->pid && k->node == a->node &&
		    strcmp(k->zone, a->zone) == 0)
			return a->count <= k->count;
	}
	return false;
}

int kf_top_guard_build(struct kf_top_view *v, const struct kf_top_input *in, const struct kf_top_state *st)
{
	const struct kf_guard_result *g = in->guard;
	const struct kf_guard_input *gi = in->guard_in;

	v->worst_unacked = KF_SEV_OK;
	v->guard_offline = gi && gi->offline;
	if (gi && gi->nr_procs) {
		v->protected_procs = calloc(gi->nr_procs, sizeof(*v->protected_procs));
		if (!v->protected_procs)
			return -1;
		for (int i = 0; i < gi->nr_procs; i++) {
			const struct kf_protected *p = &gi->procs[i];
			struct kf_top_protected *t = &v->protected_procs[i];

			t->pid = p->pid;
			memcpy(t->comm, p->comm, sizeof(t->comm));
			t->comm[sizeof(t->comm) - 1] = '\0';
			t->reason = p->reason;
			t->vmlck_kb = p->vmlck_kb;
			t->locked_pages = p->locked_pages;
			t->pages_moved = p->pages_moved;
			t->pagemap_readable = p->pagemap_readable;
			t->exited = p->exited;
			/* the result's per-process counts are in the input's order */
			if (g && i < g->nr_procs && g->procs[i].pid == p->pid) {
				t->faults = g->procs[i].faults;
				t->faults_during_migration = g->procs[i].faults_during_migration;
			}
		}
		v->nr_protected = gi->nr_procs;
	}
	v->nr_unprotected = gi ? gi->nr_candidates : 0;
	for (int i = 0; i < v->nr_unprotected; i++)
		if (i == 0 || gi->candidates[i].vmlck_kb > v->largest_unprotected.vmlck_kb)
			v->largest_unprotected = gi->candidates[i];
	if (!g)
		return 0;
	v->have_guard = true;
	if (!g->nr_alerts)
		return 0;
	v->alerts = calloc(g->nr_alerts, sizeof(*v->alerts));
	if (!v->alerts)
		return -1;
	/* most severe first, unacknowledged before acknowledged; stable */
	for (int i = 0; i < g->nr_alerts; i++) {
		struct kf_top_alert t = { .a = g->alerts[i], .acked = alert_acked(st, &g->alerts[i]) };
		int j = v->nr_alerts;

		while (j > 0 && (v->alerts[j - 1].a.severity < t.a.severity ||
				 (v->alerts[j - 1].a.severity == t.a.severity && v->alerts[j - 1].acked && !t.acked))) {
			v->alerts[j] = v->alerts[j - 1];
			j--;
		}
		v->alerts[j] = t;
		v->nr_alerts++;
		if (!t.acked && t.a.severity > KF_SEV_OK) {
			v->nr_unacked++;
			if (t.a.severity > v->worst_unacked)
				v->worst_unacked = t.a.severity;
		}
	}
	return 0;
}
