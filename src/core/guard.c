/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's evaluation: pure C over what the data side read (protected
 * processes, their PFNs, the sysctls) and the engine's snapshot (faults and
 * where they were, compaction episodes and their isolate ranges,
 * migrations). No I/O, so report, check and top show the same alerts for
 * the same data.
 *
 * One rule per alert kind (the table at the end): a rule about a protected
 * process runs once per process, a rule about the window once. Every action
 * a rule advises is right for the state measured: it never asks for a
 * setting already in effect.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guard_eval.h"

#define SYSCTL "vm.compact_unevictable_allowed"

/* ---- the state of the sysctl, and what to do about it ---------------------- */

enum sysctl_state sysctl_state(const struct kf_guard_input *in)
{
	bool one = in->unevictable_allowed_start > 0 || in->unevictable_allowed_end > 0;
	bool known = in->unevictable_allowed_start >= 0 || in->unevictable_allowed_end >= 0;

	for (int i = 0; i < in->nr_changes; i++)
		if (in->changes[i].sysctl == KF_SYSCTL_UNEVICTABLE_ALLOWED && in->changes[i].to > 0)
			one = true;
	if (one)
		return SYSCTL_ONE_SEEN;
	if (!known)
		return SYSCTL_UNKNOWN;
	/* changes beyond those kept may have been to 1 */
	if (in->unevictable_changes > nr_changes_of(in, KF_SYSCTL_UNEVICTABLE_ALLOWED))
		return SYSCTL_UNKNOWN;
	/* --enforce held it at 0: the window saw 0, whatever it was before */
	if (in->unevictable_allowed_start != 0 && !(in->enforced && in->unevictable_allowed_end == 0))
		return SYSCTL_UNKNOWN;
	return in->unevictable_allowed_end == 0 ? SYSCTL_ZERO : SYSCTL_UNKNOWN;
}

int nr_changes_of(const struct kf_guard_input *in, enum kf_guard_sysctl which)
{
	int n = 0;

	for (int i = 0; i < in->nr_changes; i++)
		n += in->changes[i].sysctl == which;
	return n;
}

/* the action against compaction moving mlocked pages, for the state measured */
void action_keep_locked(const struct eval *c, struct kf_alert *x)
{
	switch (c->sysctl) {
	case SYSCTL_ZERO:
		snprintf(x->action, sizeof(x->action), "none needed while " SYSCTL " stays 0");
		break;
	case SYSCTL_ONE_SEEN:
		snprintf(x->action, sizeof(x->action), "set " SYSCTL "=0 (sysctl -w " SYSCTL "=0, or kfrag "
			 "--enforce) so that compaction leaves mlocked pages where they are");
		break;
	default:
		snprintf(x->action, sizeof(x->action), "if " SYSCTL " is 1 on %s, set it to 0 so that compaction "
			 "leaves mlocked pages where they are (offline: say it with --assume-sysctl)",
			 c->in->offline ? "the traced machine" : "this machine");
		break;
	}
}

/* ---- alerts ---------------------------------------------------------------- */

struct kf_alert *alert_add(struct eval *c, enum kf_severity sev, enum kf_alert_kind kind,
			   const struct kf_protected *p, uint64_t count)
{
	struct kf_alert *x;

	if (c->nr == c->alloc) {
		int n = c->alloc ? c->alloc * 2 : 8;
		struct kf_alert *grown = realloc(c->alerts, n * sizeof(*grown));

		if (!grown)
			return NULL;
		c->alerts = grown;
		c->alloc = n;
	}
	x = &c->alerts[c->nr++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->kind = kind;
	x->pid = p ? p->pid : -1;
	x->node = -1;
	if (p)
		snprintf(x->comm, sizeof(x->comm), "%s", p->comm);
	x->count = count;
	return x;
}

void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void episode_where(const struct eval *c, const struct kf_episode *ep, struct kf_alert *x)
{
	const struct kf_snapshot *s = c->snap;

	if (!ep)
		return;
	snprintf(x->initiator, sizeof(x->initiator), "%s (%.15s-%d)", kf_initiator_names[ep->initiator],
		 ep->comm, ep->pid);
	if (ep->zone < s->nr_zones) {
		snprintf(x->zone, sizeof(x->zone), "%s", s->zones[ep->zone].name);
		x->node = s->zones[ep->zone].node;
	}
}

/* "compaction by kcompactd (kcompactd0-35) in zone Normal, and 2 other episodes" */
void describe_episode(char *buf, size_t len, const char *prefix, const struct kf_alert *x, int others)
{
	if (!x->initiator[0])
		return;
	append(buf, len, "%scompaction by %s", prefix, x->initiator);
	if (x->zone[0])
		append(buf, len, " in zone %s", x->zone);
	if (others > 0)
		append(buf, len, ", and %d other episode%s", others, others > 1 ? "s" : "");
}

/* ---- what every rule shares ------------------------------------------------- */

static int cmp_range(const void *a, const void *b)
{
	const struct kf_pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* an episode's isolate ranges, sorted and merged (the scanner may restart) */
static int merged_ranges(const struct kf_episode *ep, struct kf_pfn_range **out)
{
	struct kf_pfn_range *r;
	int n = 0;

	*out = NULL;
	if (!ep->nr_ranges)
		return 0;
	r = malloc(ep->nr_ranges * sizeof(*r));
	if (!r)
		return -1;
	memcpy(r, ep->ranges, ep->nr_ranges * sizeof(*r));
	qsort(r, ep->nr_ranges, sizeof(*r), cmp_range);
	for (int i = 0; i < ep->nr_ranges; i++) {
		if (n && r[i].start <= r[n - 1].end) {
			if (r[i].end > r[n - 1].end)
				r[n - 1].end = r[i].end;
		} else {
			r[n++] = r[i];
		}
	}
	*out = r;
	return n;
}

static uint64_t compaction_migrated(const struct kf_guard_input *in, const struct kf_snapshot *s)
{
	uint64_t by_reason = 0;

	if (!s)
		return 0;
	if (in->compaction_reason >= 0 && in->compaction_reason < KF_MAX_MIGRATE_REASONS)
		for (int m = 0; m < KF_MAX_MIGRATE_MODES; m++)
			by_reason += s->migrate[in->compaction_reason][m].succeeded;
	/* mm_compaction_migratepages counts the same pages when migrate:* was not traced */
	return by_reason > s->compact_migrated ? by_reason : s->compact_migrated;
}

/* "lockedheap (pid 12), process_api (pid 1)" of the protected processes */
static void names_of(struct eval *c)
{
	const struct kf_guard_input *in = c->in;

	c->names[0] = '\0';
	for (int i = 0; i < in->nr_procs; i++) {
		if (i < 4)
			append(c->names, sizeof(c->names), "%s%s (pid %d)", i ? ", " : "", in->procs[i].comm,
			       in->procs[i].pid);
		if (!in->procs[i].exited)
			c->nr_running++;
	}
	if (in->nr_procs > 4)
		append(c->names, sizeof(c->names), " and %d more", in->nr_procs - 4);
	c->only = in->nr_procs == 1 ? &in->procs[0] : NULL;
}

/* episodes' ranges, merged once; the one that migrated most */
static int episodes_prepare(struct eval *c)
{
	const struct kf_snapshot *s = c->snap;

	c->best_migrating = -1;
	if (!s || !s->nr_episodes)
		return 0;
	c->ep_ranges = calloc(s->nr_episodes, sizeof(*c->ep_ranges));
	c->ep_nr = calloc(s->nr_episodes, sizeof(*c->ep_nr));
	if (!c->ep_ranges || !c->ep_nr)
		return -1;
	for (int e = 0; e < s->nr_episodes; e++) {
		const struct kf_episode *ep = &s->episodes[e];

		if ((c->ep_nr[e] = merged_ranges(ep, &c->ep_ranges[e])) < 0)
			return -1;
		if (!ep->nr_migrated)
			continue;
		c->nr_migrating++;
		if (c->best_migrating < 0 || ep->nr_migrated > s->episodes[c->best_migrating].nr_migrated)
			c->best_migrating = e;
	}
	return 0;
}

/* the episodes whose isolate ranges held the process's locked PFNs: the
 * one holding most is the culprit, else the one that migrated most */
static void episodes_touching(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	struct kf_guard_proc *gp = &c->res->procs[i];
	uint64_t most = 0;
	int culprit = -1;

	for (int e = 0; c->snap && p->nr_pfns && e < c->snap->nr_episodes; e++) {
		uint64_t n = 0;

		for (int r = 0; r < c->ep_nr[e]; r++)
			n += kf_pfn_ranges_overlap(p->pfns, p->nr_pfns, c->ep_ranges[e][r].start, c->ep_ranges[e][r].end);
		if (!n)
			continue;
		gp->locked_pages_scanned += n;
		gp->episodes_touching++;
		if (n > most) {
			most = n;
			culprit = e;
		}
	}
	if (culprit >= 0) {
		c->culprit[i] = culprit;
		c->culprit_others[i] = gp->episodes_touching - 1;
	} else {
		c->culprit[i] = c->best_migrating;
		c->culprit_others[i] = c->nr_migrating - 1;
	}
}

const struct kf_episode *culprit_of(const struct eval *c, int i)
{
	return c->culprit[i] >= 0 ? &c->snap->episodes[c->culprit[i]] : NULL;
}

static void eval_release(struct eval *c)
{
	for (int e = 0; c->ep_ranges && e < c->snap->nr_episodes; e++)
		free(c->ep_ranges[e]);
	free(c->ep_ranges);
	free(c->ep_nr);
	free(c->culprit);
	free(c->culprit_others);
}

/* ---- evaluation ------------------------------------------------------------- */

/* most severe first; in the order they were found otherwise (qsort is not stable) */
static int by_severity(const void *a, const void *b)
{
	const struct kf_alert *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return x->count < y->count ? -1 : x->count > y->count;	/* count holds the index while sorting */
}

static void sort_alerts(struct kf_alert *a, int nr)
{
	uint64_t *counts;

	if (nr < 2)
		return;
	counts = malloc(nr * sizeof(*counts));
	if (!counts)
		return;		/* left in the order found */
	for (int i = 0; i < nr; i++) {
		counts[i] = a[i].count;
		a[i].count = (uint64_t)i;
	}
	qsort(a, nr, sizeof(*a), by_severity);
	for (int i = 0; i < nr; i++)
		a[i].count = counts[a[i].count];
	free(counts);
}

static int eval_prepare(struct eval *c)
{
	const struct kf_guard_input *in = c->in;
	int n = in->nr_procs + 1;

	c->res->procs = calloc(n, sizeof(*c->res->procs));
	c->culprit = calloc(n, sizeof(*c->culprit));
	c->culprit_others = calloc(n, sizeof(*c->culprit_others));
	if (!c->res->procs || !c->culprit || !c->culprit_others)
		return -1;
	c->res->nr_procs = in->nr_procs;
	c->res->compaction_migrated = compaction_migrated(in, c->snap);
	c->sysctl = sysctl_state(in);
	names_of(c);
	if (episodes_prepare(c) < 0)
		return -1;
	for (int i = 0; i < in->nr_procs; i++) {
		c->res->procs[i].pid = in->procs[i].pid;
		episodes_touching(c, i);
		guard_faults_of(c, i);
	}
	return 0;
}

int kf_guard_evaluate(const struct kf_guard_input *in, const struct kf_snapshot *snap,
		      struct kf_guard_result *res)
{
	struct eval c = { .in = in, .snap = snap, .res = res };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (eval_prepare(&c) < 0)
		goto out;
	for (size_t r = 0; r < kf_guard_nr_rules; r++) {
		const struct guard_rule *rule = &kf_guard_rules[r];

		for (int i = 0; rule->per_proc && i < in->nr_procs; i++)
			if (rule->per_proc(&c, i) < 0)
				goto out;
		if (rule->window && rule->window(&c) < 0)
			goto out;
	}
	sort_alerts(c.alerts, c.nr);
	res->alerts = c.alerts;
	res->nr_alerts = c.nr;
	c.alerts = NULL;
	for (int i = 0; i < res->nr_alerts; i++)
		if (res->alerts[i].severity > res->worst)
			res->worst = res->alerts[i].severity;
	rc = 0;
out:
	eval_release(&c);
	if (rc < 0) {
		free(c.alerts);
		free(res->procs);
		memset(res, 0, sizeof(*res));
		errno = ENOMEM;
	}
	return rc;
}

void kf_guard_result_release(struct kf_guard_result *res)
{
	free(res->alerts);
	free(res->procs);
	memset(res, 0, sizeof(*res));
}
