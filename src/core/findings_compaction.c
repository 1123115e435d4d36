/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The findings of compaction (the compaction:* events):
 *
 * - compaction_cost per zone: episodes per s, the share of the window spent
 *   compacting, pages migrated and failed, the success rate of compaction
 *   asked for an order (woken kcompactd, direct), deferrals.
 * - direct_compaction per task: allocating tasks that stalled to compact.
 */
#include <stdio.h>
#include <string.h>

#include "findings_rules.h"

static double episode_ms(const struct kf_snapshot *s, const struct kf_episode *ep)
{
	uint64_t end = ep->running ? s->last_ts : ep->end_ts;

	return end > ep->begin_ts ? (end - ep->begin_ts) / 1e6 : 0;
}

struct zone_compaction {
	int episodes, asked, succeeded;
	int by_initiator[KF_INIT_NR];
	double ms;
	uint64_t migrated, failed;
	const struct kf_episode *first;
};

static bool status_is(const struct finding_ctx *x, int status, const char *name)
{
	const char *n = x->in->syms ? kf_symbols_name(x->in->syms, KF_SYM_COMPACT_STATUS, status) : NULL;

	return n && strcmp(n, name) == 0;
}

static void zone_compaction_sum(const struct finding_ctx *x, int z, struct zone_compaction *zc)
{
	const struct kf_snapshot *s = x->snap;

	memset(zc, 0, sizeof(*zc));
	for (int i = 0; i < s->nr_episodes; i++) {
		const struct kf_episode *ep = &s->episodes[i];

		if (ep->zone != z)
			continue;
		if (!zc->episodes++)
			zc->first = ep;
		zc->by_initiator[ep->initiator]++;
		zc->ms += episode_ms(s, ep);
		zc->migrated += ep->nr_migrated;
		zc->failed += ep->nr_failed;
		/* only compaction for an order can succeed; manual and proactive run to "complete" */
		if (!ep->running && (ep->initiator == KF_INIT_KCOMPACTD || ep->initiator == KF_INIT_DIRECT)) {
			zc->asked++;
			zc->succeeded += status_is(x, ep->status, "success");
		}
	}
}

static int main_initiator(const struct zone_compaction *zc)
{
	int best = 0;

	for (int i = 1; i < KF_INIT_NR; i++)
		if (zc->by_initiator[i] > zc->by_initiator[best])
			best = i;
	return best;
}

static void compaction_action(const struct finding_ctx *x, struct kf_finding *f, const struct zone_compaction *zc,
			      bool low_success)
{
	int who = main_initiator(zc);

	if (low_success)
		finding_action(f, "Compaction rarely made the block it was asked for: pageblocks it cannot move "
			       "stand in the way (see high_order_unavailable and the memory map); make "
			       "high-order allocations able to fail (THP defrag=defer) or reserve huge pages early");
	else if (who == KF_INIT_PROACTIVE)
		finding_action(f, "Proactive compaction did this: lower vm.compaction_proactiveness if the cost "
			       "is not worth the free 2 MiB blocks it keeps");
	else if (who == KF_INIT_MANUAL)
		finding_action(f, "Compaction was asked for through compact_memory by %s-%d: this is the price of "
			       "that request; ask less often if it hurts latency", zc->first->comm, zc->first->pid);
	else if (who == KF_INIT_DIRECT)
		finding_action(f, "Allocating tasks compacted themselves (see direct_compaction): keep high-order "
			       "blocks free ahead of them (min_free_kbytes, vm.compaction_proactiveness)");
	else
		finding_action(f, "kcompactd compacted for high-order allocations: find who asks for them "
			       "(external_fragmentation, THP) and keep such blocks free ahead of time");
	(void)x;
}

static void compaction_zone(struct finding_ctx *x, int z, const struct zone_compaction *zc)
{
	const struct kf_findings_config *cfg = x->cfg;
	const struct level lv[] = {
		{ &cfg->compaction_time_critical, "finding_compaction_time_critical", KF_SEV_CRITICAL },
		{ &cfg->compaction_time_warning, "finding_compaction_time_warning", KF_SEV_WARNING },
		{ &cfg->compaction_time_note, "finding_compaction_time_note", KF_SEV_NOTE },
	};
	const struct level low = { &cfg->compaction_success_warning, "finding_compaction_success_warning",
				   KF_SEV_WARNING };
	double share = zc->ms / 1000 / x->window_s;
	double success = zc->asked ? (double)zc->succeeded / zc->asked : 1;
	bool low_success = cfg->compaction_success_warning.on && zc->asked >= cfg->compaction_min_episodes &&
			   success < cfg->compaction_success_warning.value;
	const struct level *l = level_above(lv, 3, share);
	struct kf_finding *f;
	char ms[32], pct[32], rate[32], sr[48] = "";

	if (low_success && (!l || l->sev < KF_SEV_WARNING))
		f = finding_new(x, KF_FIND_COMPACTION_COST, &low, success);
	else if (l)
		f = finding_new(x, KF_FIND_COMPACTION_COST, l, share);
	else
		return;
	if (!f)
		return;
	finding_zone(f, x->snap, z);
	snprintf(f->subject, sizeof(f->subject), "%s", kf_initiator_names[main_initiator(zc)]);
	finding_evidence(f, "episodes", zc->episodes, "");
	finding_evidence(f, "episodes_per_s", zc->episodes / x->window_s, "1/s");
	finding_evidence(f, "time_ms", zc->ms, "ms");
	finding_evidence(f, "time_share", share, "ratio");
	finding_evidence(f, "migrated_pages", (double)zc->migrated, "pages");
	finding_evidence(f, "failed_pages", (double)zc->failed, "pages");
	finding_evidence(f, "asked_for_order", zc->asked, "");
	if (zc->asked)
		finding_evidence(f, "success_rate", success, "ratio");
	finding_evidence(f, "deferred", (double)x->snap->deferred, "");
	finding_evidence(f, "window_s", x->window_s, "s");
	if (zc->asked)
		snprintf(sr, sizeof(sr), ", %d of %d asked for an order succeeded", zc->succeeded, zc->asked);
	finding_message(f, "%s: %d compaction episode%s (%s/s, mostly %s) ran %s ms of the %.1f s window (%s%%), "
			"migrated %llu pages and failed %llu%s; compaction deferred %llu times",
			f->zone, zc->episodes, zc->episodes == 1 ? "" : "s", fmt_num(zc->episodes / x->window_s, rate),
			f->subject, fmt_num(zc->ms, ms), x->window_s, fmt_num(100 * share, pct),
			(unsigned long long)zc->migrated, (unsigned long long)zc->failed, sr,
			(unsigned long long)x->snap->deferred);
	compaction_action(x, f, zc, low_success);
}

static void rule_compaction_cost(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;
	struct zone_compaction zc;

	if (!ev_traced(x, KF_EV_COMPACTION_BEGIN)) {
		finding_skip(x, KF_FIND_COMPACTION_COST, "compaction:mm_compaction_begin is not in the trace");
		return;
	}
	for (int z = 0; z <= s->nr_zones; z++) {
		zone_compaction_sum(x, z, &zc);
		if (zc.episodes)
			compaction_zone(x, z, &zc);
	}
}

static void direct_task(struct finding_ctx *x, int first)
{
	const struct kf_snapshot *s = x->snap;
	const struct kf_findings_config *cfg = x->cfg;
	const struct kf_episode *e0 = &s->episodes[first];
	const struct level lv[] = {
		{ &cfg->direct_compaction_critical, "finding_direct_compaction_critical", KF_SEV_CRITICAL },
		{ &cfg->direct_compaction_warning, "finding_direct_compaction_warning", KF_SEV_WARNING },
		{ &cfg->direct_compaction_note, "finding_direct_compaction_note", KF_SEV_NOTE },
	};
	double ms = 0, max = 0;
	int stalls = 0;
	uint64_t migrated = 0;
	struct kf_finding *f;
	char a[32], b[32], c[32];

	for (int i = first; i < s->nr_episodes; i++) {
		const struct kf_episode *ep = &s->episodes[i];
		double d = episode_ms(s, ep);

		if (ep->initiator != KF_INIT_DIRECT || ep->pid != e0->pid)
			continue;
		stalls++;
		ms += d;
		max = d > max ? d : max;
		migrated += ep->nr_migrated;
	}
	const struct level *l = level_above(lv, 3, ms / x->window_s);

	if (!l || !(f = finding_new(x, KF_FIND_DIRECT_COMPACTION, l, ms / x->window_s)))
		return;
	f->pid = e0->pid;
	memcpy(f->comm, e0->comm, sizeof(f->comm));
	finding_evidence(f, "stall_ms_per_s", ms / x->window_s, "ms/s");
	finding_evidence(f, "stalls", stalls, "");
	finding_evidence(f, "stall_ms", ms, "ms");
	finding_evidence(f, "longest_ms", max, "ms");
	finding_evidence(f, "migrated_pages", (double)migrated, "pages");
	finding_evidence(f, "window_s", x->window_s, "s");
	finding_message(f, "%s-%d stalled %d time%s in direct compaction, %s ms in all (longest %s ms, %s ms per s)",
			e0->comm, e0->pid, stalls, stalls == 1 ? "" : "s", fmt_num(ms, a), fmt_num(max, b),
			fmt_num(ms / x->window_s, c));
	finding_action(f, "Its high-order allocations wait for compaction: let them fail fast instead (THP: echo "
		       "defer > /sys/kernel/mm/transparent_hugepage/defrag; __GFP_NORETRY in kernel code) or keep "
		       "such blocks free ahead of time (min_free_kbytes, vm.compaction_proactiveness)");
}

static void rule_direct_compaction(struct finding_ctx *x)
{
	const struct kf_snapshot *s = x->snap;

	if (!ev_traced(x, KF_EV_COMPACTION_BEGIN)) {
		finding_skip(x, KF_FIND_DIRECT_COMPACTION, "compaction:mm_compaction_begin is not in the trace");
		return;
	}
	/* one finding per task, from its first direct episode */
	for (int i = 0; i < s->nr_episodes; i++) {
		bool seen = false;

		if (s->episodes[i].initiator != KF_INIT_DIRECT)
			continue;
		for (int j = 0; j < i && !seen; j++)
			seen = s->episodes[j].initiator == KF_INIT_DIRECT && s->episodes[j].pid == s->episodes[i].pid;
		if (!seen)
			direct_task(x, i);
	}
}

void rules_compaction(struct finding_ctx *x)
{
	rule_compaction_cost(x);
	rule_direct_compaction(x);
}
