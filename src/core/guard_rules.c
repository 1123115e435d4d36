/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's rules, one per alert kind, and their table. Each says what
 * it saw in one sentence and what to do for the state it measured.
 */
#include <inttypes.h>

#include "guard_eval.h"

#define SYSCTL "vm.compact_unevictable_allowed"
#define MSG(x) (x)->message, sizeof((x)->message)

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* ---- about one protected process -------------------------------------------- */

static void moved_mappings(const struct kf_protected *p, struct kf_alert *x)
{
	int shown = 0;

	for (int v = 0; v < p->nr_vmas; v++) {
		const struct kf_locked_vma *m = &p->vmas[v];

		if (!m->pages_moved)
			continue;
		if (shown++ < 3)
			append(MSG(x), "%s %" PRIu64 " in %" PRIx64 "-%" PRIx64 " %s", shown == 1 ? ":" : ",",
			       m->pages_moved, m->start, m->end, m->name[0] ? m->name : "(anonymous)");
	}
	if (shown > 3)
		append(MSG(x), ", and in %d more mappings", shown - 3);
}

static int rule_locked_pages_moved(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	struct kf_alert *x;

	if (!p->pagemap_readable || !p->pages_moved)
		return 0;
	x = alert_add(c, KF_SEV_CRITICAL, KF_ALERT_LOCKED_PAGES_MOVED, p, p->pages_moved);
	if (!x)
		return -1;
	episode_where(c, culprit_of(c, i), x);
	snprintf(MSG(x), "%" PRIu64 " locked page%s of %s (pid %d) moved to other page frames during the window: "
		 "its mlocked memory was migrated, and touching a page while it moves faults "
		 "(PFNs in /proc/%d/pagemap changed", p->pages_moved, plural(p->pages_moved), p->comm, p->pid, p->pid);
	moved_mappings(p, x);
	describe_episode(MSG(x), "; ", x, c->culprit_others[i]);
	append(MSG(x), ")");
	if (c->sysctl == SYSCTL_ZERO)
		snprintf(x->action, sizeof(x->action),
			 SYSCTL " was 0, so something other than compaction moved them "
			 "(NUMA balancing, memory hot-unplug, CMA, long-term pinning): see the migration reasons");
	else
		action_keep_locked(c, x);
	return 0;
}

static const char *const proof_words[KF_PROOF_NR] = {
	[KF_PROOF_MIGRATION_PTE] = "proof: the faulting page was being migrated (its migration PTE was set, "
				   "migrate:set_migration_pte, and not yet removed)",
	[KF_PROOF_LOCKED_RANGE] = "proof: the faulting addresses lie in its locked mappings",
	[KF_PROOF_LOCKED_AND_SYSCTL] = "no address proof to be had (no migrate:*_migration_pte events, locked "
				       "mappings unknown): it holds locked memory and " SYSCTL " allowed moving it",
};

static void faults_action(const struct eval *c, const struct kf_guard_proc *gp, struct kf_alert *x)
{
	if (c->sysctl != SYSCTL_ZERO) {
		action_keep_locked(c, x);
	} else if (gp->faults_in_locked_ranges) {
		snprintf(x->action, sizeof(x->action), SYSCTL " was 0, so something other than compaction moved its "
			 "locked pages (NUMA balancing, memory hot-unplug, CMA): see the migration reasons");
	} else {
		snprintf(x->action, sizeof(x->action), SYSCTL " was 0 and kept its locked pages in place; the pages "
			 "it faulted on were not locked: lock all of its memory (mlockall(MCL_CURRENT | MCL_FUTURE))");
	}
}

/* read live and known to lock no memory: a BPF scheduler's loader (scx_lavd,
 * scx_rusty...) faults like any process, and a fault on a page in migration
 * is no deadlock for it; offline, how it locks is unknown */
static bool locks_nothing(const struct kf_protected *p)
{
	return p->smaps_readable && !p->vmlck_kb && !p->locked_ranges && !p->mlockall;
}

/* faults on pages in migration of a process that locks nothing: a note */
static int rule_faults_unlocked(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	const struct kf_guard_proc *gp = &c->res->procs[i];
	struct kf_alert *x = alert_add(c, KF_SEV_NOTE, KF_ALERT_FAULTS_DURING_MIGRATION, p, gp->faults_evidence);

	if (!x)
		return -1;
	x->proof = gp->proof;
	snprintf(MSG(x), "%s (pid %d) took %" PRIu64 " page fault%s on pages compaction was moving, but it "
		 "locks no memory: it does not rely on never faulting (a BPF scheduler's loader faults like "
		 "any process)", p->comm, p->pid, gp->faults_evidence, plural(gp->faults_evidence));
	snprintf(x->action, sizeof(x->action), "None, unless %s is a user-space scheduler that must not "
		 "fault: then it should lock its memory (mlockall(MCL_CURRENT | MCL_FUTURE))", p->comm);
	return 0;
}

static int rule_faults(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	const struct kf_guard_proc *gp = &c->res->procs[i];
	struct kf_alert *x;

	if (!gp->faults_evidence)
		return 0;
	if (locks_nothing(p))
		return rule_faults_unlocked(c, i);
	x = alert_add(c, gp->proof == KF_PROOF_LOCKED_AND_SYSCTL ? KF_SEV_WARNING : KF_SEV_CRITICAL,
		      KF_ALERT_FAULTS_DURING_MIGRATION, p, gp->faults_evidence);
	if (!x)
		return -1;
	x->proof = gp->proof;
	episode_where(c, culprit_of(c, i), x);
	snprintf(MSG(x), "%s (pid %d) took %" PRIu64 " page fault%s while compaction moved its memory (%s; "
		 "%" PRIu64 " on pages in migration, %" PRIu64 " in locked mappings, %" PRIu64 " faults while "
		 "compaction ran, %" PRIu64 " in the window", p->comm, p->pid, gp->faults_evidence,
		 plural(gp->faults_evidence), proof_words[gp->proof], gp->faults_on_migration_pte,
		 gp->faults_in_locked_ranges, gp->faults_during_migration, gp->faults);
	describe_episode(MSG(x), "; ", x, c->culprit_others[i]);
	append(MSG(x), "): a page fault inside a user-space scheduler can deadlock the machine");
	faults_action(c, gp, x);
	return 0;
}

/* offline faults that only the sysctl could make evidence: say how to tell */
static int rule_faults_untied(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	const struct kf_guard_proc *gp = &c->res->procs[i];
	struct kf_alert *x;

	if (gp->faults_evidence || !gp->faults_during_migration || !c->in->offline || c->sysctl != SYSCTL_UNKNOWN ||
	    !c->snap || c->snap->ev_total[KF_EV_SET_MIGRATION_PTE])
		return 0;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_FAULTS_DURING_MIGRATION, p, 0);
	if (!x)
		return -1;
	snprintf(MSG(x), "%s (pid %d) took %" PRIu64 " page fault%s while compaction ran; the trace cannot tie them "
		 "to moving pages (no migrate:*_migration_pte events) nor tell " SYSCTL ", so they are not counted "
		 "as evidence", p->comm, p->pid, gp->faults_during_migration, plural(gp->faults_during_migration));
	snprintf(x->action, sizeof(x->action), "say what the traced machine had: --assume-sysctl "
		 "compact_unevictable_allowed=0 or =1");
	return 0;
}

static int rule_isolate_covered(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	const struct kf_guard_proc *gp = &c->res->procs[i];
	bool zero = c->sysctl == SYSCTL_ZERO;
	struct kf_alert *x;

	if (!gp->locked_pages_scanned)
		return 0;
	x = alert_add(c, zero ? KF_SEV_NOTE : KF_SEV_WARNING, KF_ALERT_ISOLATE_COVERED_LOCKED, p,
		      gp->locked_pages_scanned);
	if (!x)
		return -1;
	episode_where(c, culprit_of(c, i), x);
	snprintf(MSG(x), "compaction scanned page frames holding %" PRIu64 " locked page%s of %s (pid %d) for pages "
		 "to migrate (mm_compaction_isolate_migratepages, %d episode%s", gp->locked_pages_scanned,
		 plural(gp->locked_pages_scanned), p->comm, p->pid, gp->episodes_touching,
		 plural((uint64_t)gp->episodes_touching));
	describe_episode(MSG(x), "; most: ", x, 0);
	append(MSG(x), ")%s", zero ? "; " SYSCTL "=0 kept it from taking them"
				   : "; with " SYSCTL "=1 it may migrate them");
	action_keep_locked(c, x);
	return 0;
}

static int rule_exited(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	struct kf_alert *x;

	if (!p->exited)
		return 0;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_PROTECTED_EXITED, p, 0);
	if (!x)
		return -1;
	snprintf(MSG(x), "%s (pid %d) exited during the window; its pages were checked until then", p->comm, p->pid);
	if (p->reason == KF_PROTECT_SCHED_EXT || p->reason == KF_PROTECT_COMM_SCX)
		append(MSG(x), " (a user-space scheduler that crashes leaves " SYSCTL " as it set it)");
	snprintf(x->action, sizeof(x->action), "check why it exited");
	return 0;
}

static int rule_pagemap_unreadable(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	struct kf_alert *x;

	if (p->pagemap_readable)
		return 0;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_PAGEMAP_UNREADABLE, p, 0);
	if (!x)
		return -1;
	if (c->in->offline)
		snprintf(MSG(x), "moved locked pages of %s (pid %d) cannot be verified from a recorded trace (where its "
			 "pages were needs /proc/%d/pagemap of the traced machine); its page faults and the compaction "
			 "in the trace were evaluated", p->comm, p->pid, p->pid);
	else
		snprintf(MSG(x), "moved locked pages of %s (pid %d) cannot be verified: %s", p->comm, p->pid,
			 p->pagemap_why[0] ? p->pagemap_why : "PFNs unknown");
	snprintf(x->action, sizeof(x->action), "%s", c->in->offline
		 ? "run kfrag report --duration on the machine itself to verify pages"
		 : "run kfrag as root: /proc/PID/smaps and pagemap need it, and the PFNs CAP_SYS_ADMIN; when root is "
		   "refused, a ptrace restriction or a security module protects the process");
	return 0;
}

/* ---- about the window ------------------------------------------------------------ */

static int rule_compaction_migration(struct eval *c)
{
	const struct kf_episode *best = c->best_migrating >= 0 ? &c->snap->episodes[c->best_migrating] : NULL;
	uint64_t n = c->res->compaction_migrated;
	struct kf_alert *x;

	if (!c->in->nr_procs || !n)
		return 0;
	x = alert_add(c, c->sysctl == SYSCTL_ZERO ? KF_SEV_NOTE : KF_SEV_WARNING, KF_ALERT_COMPACTION_MIGRATION,
		      c->only, n);
	if (!x)
		return -1;
	episode_where(c, best, x);
	snprintf(MSG(x), "compaction migrated %" PRIu64 " page%s while %s %s running", n, plural(n), c->names,
		 c->in->nr_procs == 1 ? "was" : "were");
	describe_episode(MSG(x), " (most: ", x, c->nr_migrating - 1);
	if (x->initiator[0])
		append(MSG(x), ")");
	if (c->sysctl == SYSCTL_ZERO)
		append(MSG(x), "; with " SYSCTL "=0 mlocked pages are not among them");
	else if (c->sysctl == SYSCTL_ONE_SEEN)
		append(MSG(x), "; with " SYSCTL "=1 mlocked pages may be among them");
	else
		append(MSG(x), "; whether mlocked pages were among them a recorded trace cannot tell (it has neither "
		       SYSCTL " nor the PFNs)");
	action_keep_locked(c, x);
	return 0;
}

static void sysctl_history(const struct kf_guard_input *in, enum kf_guard_sysctl which, int start, int end,
			   int changes, char *buf, size_t len)
{
	append(buf, len, "it was %d when kfrag started", start);
	for (int i = 0; i < in->nr_changes; i++)
		if (in->changes[i].sysctl == which)
			append(buf, len, ", %d at %.1f s", in->changes[i].to, in->changes[i].t_s);
	if (changes > nr_changes_of(in, which))
		append(buf, len, " and %d more changes", changes - nr_changes_of(in, which));
	append(buf, len, ", %d at the end", end);
}

static int rule_unevictable_allowed(struct eval *c)
{
	const struct kf_guard_input *in = c->in;
	struct kf_alert *x;

	if (!c->nr_running || in->offline || c->sysctl != SYSCTL_ONE_SEEN)
		return 0;
	x = alert_add(c, KF_SEV_WARNING, KF_ALERT_UNEVICTABLE_ALLOWED, c->only, (uint64_t)c->nr_running);
	if (!x)
		return -1;
	snprintf(MSG(x), SYSCTL " is 1 while %s %s: compaction (kcompactd, direct, compact_memory) may migrate "
		 "their mlocked pages (", c->names, c->nr_running == 1 ? "runs" : "run");
	sysctl_history(in, KF_SYSCTL_UNEVICTABLE_ALLOWED, in->unevictable_allowed_start, in->unevictable_allowed_end,
		       in->unevictable_changes, MSG(x));
	append(MSG(x), ")");
	if (in->enforced)
		append(MSG(x), "; kfrag --enforce held it at 0 during the window and puts %d back at exit",
		       in->enforce_original >= 0 ? in->enforce_original : in->unevictable_allowed_start);
	if (in->enforce_error[0])
		append(MSG(x), "; --enforce could not write it: %s", in->enforce_error);
	snprintf(x->action, sizeof(x->action), "set " SYSCTL "=0 (sched_ext's user-space schedulers set it while "
		 "loaded and only warn when they cannot; something set it back) and persist it in /etc/sysctl.d/");
	return 0;
}

/* wakeups of kcompactd with order -1: a write of vm.compaction_proactiveness
 * (the kernel's sysctl handler triggers proactive compaction) */
static int proactive_wakeups(const struct eval *c)
{
	int n = 0;

	for (int i = 0; c->snap && i < c->snap->nr_kcompactd_wakers; i++)
		if (c->snap->kcompactd_wakers[i].order == -1)
			n += (int)c->snap->kcompactd_wakers[i].count;
	return n;
}

/* "; the trace shows sysctl (pid 812) waking kcompactd for proactive compaction" */
static void name_wakers(const struct eval *c, struct kf_alert *x)
{
	int shown = 0;

	for (int i = 0; c->snap && i < c->snap->nr_kcompactd_wakers; i++) {
		const struct kf_kcompactd_waker *w = &c->snap->kcompactd_wakers[i];

		if (w->order != -1)
			continue;
		append(MSG(x), "%s%s (pid %d)", shown++ ? ", " : "; the trace shows who wrote it: ", w->comm, w->pid);
	}
	if (shown)
		append(MSG(x), " woke kcompactd for proactive compaction (mm_compaction_wakeup_kcompactd order=-1)");
}

static int rule_sysctl_changed(struct eval *c)
{
	const struct kf_guard_input *in = c->in;
	int written = in->offline ? proactive_wakeups(c) : 0;
	int n = in->unevictable_changes + in->proactiveness_changes + written;
	struct kf_alert *x;

	if (!n)
		return 0;
	x = alert_add(c, c->nr_running && in->unevictable_changes ? KF_SEV_WARNING : KF_SEV_NOTE,
		      KF_ALERT_SYSCTL_CHANGED, c->only, (uint64_t)n);
	if (!x)
		return -1;
	if (in->unevictable_changes) {
		append(MSG(x), SYSCTL " changed %d time%s during the window (", in->unevictable_changes,
		       plural((uint64_t)in->unevictable_changes));
		sysctl_history(in, KF_SYSCTL_UNEVICTABLE_ALLOWED, in->unevictable_allowed_start,
			       in->unevictable_allowed_end, in->unevictable_changes, MSG(x));
		append(MSG(x), "); ");
	}
	if (in->proactiveness_changes) {
		append(MSG(x), "vm.compaction_proactiveness changed %d time%s (", in->proactiveness_changes,
		       plural((uint64_t)in->proactiveness_changes));
		sysctl_history(in, KF_SYSCTL_PROACTIVENESS, in->proactiveness_start, in->proactiveness,
			       in->proactiveness_changes, MSG(x));
		append(MSG(x), ")");
		name_wakers(c, x);
		append(MSG(x), "; ");
	}
	if (written) {
		append(MSG(x), "vm.compaction_proactiveness was written %d time%s during the trace", written,
		       plural((uint64_t)written));
		name_wakers(c, x);
		append(MSG(x), "; ");
	}
	if (in->enforce_admin_changed)
		append(MSG(x), "someone else wrote " SYSCTL " while --enforce held it: kfrag left their value; ");
	append(MSG(x), "kfrag cannot tell which process wrote them: the scx schedulers write "
	       "compact_unevictable_allowed when they load and exit, and any root process (sysctl, systemd-sysctl) may");
	snprintf(x->action, sizeof(x->action), "find who writes them (audit: auditctl -w /proc/sys/vm/%s -p w)",
		 in->unevictable_changes ? "compact_unevictable_allowed" : "compaction_proactiveness");
	return 0;
}

static int rule_sysctl_left_zero(struct eval *c)
{
	const struct kf_guard_input *in = c->in;
	struct kf_alert *x;

	if (in->offline || c->nr_running || in->unevictable_allowed_end != 0)
		return 0;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_SYSCTL_LEFT_ZERO, NULL, 0);
	if (!x)
		return -1;
	snprintf(MSG(x), SYSCTL " is 0 but no protected process runs (no sched_ext scheduler, no scx_* process");
	if (in->lock_threshold_kb)
		append(MSG(x), ", nothing with %" PRIu64 " kB or more locked", in->lock_threshold_kb);
	append(MSG(x), "): perhaps left behind by a user-space scheduler that crashed; compaction now skips every "
	       "mlocked page");
	snprintf(x->action, sizeof(x->action), "if no scheduler needs it, restore the distribution's default (usually "
		 "sysctl -w " SYSCTL "=1)");
	return 0;
}

static int rule_proactive(struct eval *c)
{
	const struct kf_guard_input *in = c->in;
	int proactive = 0;
	struct kf_alert *x;

	if (!c->nr_running || in->proactiveness <= 0)
		return 0;
	for (int e = 0; c->snap && e < c->snap->nr_episodes; e++)
		proactive += c->snap->episodes[e].initiator == KF_INIT_PROACTIVE;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_PROACTIVE_COMPACTION, c->only, (uint64_t)in->proactiveness);
	if (!x)
		return -1;
	snprintf(MSG(x), "vm.compaction_proactiveness is %d: kcompactd compacts in the background, without allocation "
		 "pressure, while %s %s (%d proactive episode%s in the window)", in->proactiveness, c->names,
		 c->nr_running == 1 ? "runs" : "run", proactive, plural((uint64_t)proactive));
	name_wakers(c, x);
	if (c->sysctl == SYSCTL_ZERO)
		snprintf(x->action, sizeof(x->action), SYSCTL " is 0, so it leaves mlocked pages alone; "
			 "set vm.compaction_proactiveness=0 to compact only on demand");
	else
		snprintf(x->action, sizeof(x->action), "set " SYSCTL "=0%s; set vm.compaction_proactiveness=0 to "
			 "compact only on demand", c->sysctl == SYSCTL_UNKNOWN ? " if it is 1" : "");
	return 0;
}

static int rule_faults_not_traced(struct eval *c)
{
	struct kf_alert *x;

	if (!c->in->nr_procs || c->in->faults_traced != 0)
		return 0;
	x = alert_add(c, KF_SEV_NOTE, KF_ALERT_FAULTS_NOT_TRACED, c->only, 0);
	if (!x)
		return -1;
	snprintf(MSG(x), "exceptions:page_fault_user could not be traced, so page faults of %s during migration "
		 "were not counted", c->names);
	snprintf(x->action, sizeof(x->action), "use a kernel with the exceptions:page_fault_user tracepoint (x86)");
	return 0;
}

static int rule_not_found(struct eval *c)
{
	const struct kf_guard_input *in = c->in;

	for (int u = 0; u < in->nr_unmatched; u++) {
		const struct kf_guard_unmatched *m = &in->unmatched[u];
		struct kf_alert *x = alert_add(c, KF_SEV_NOTE, KF_ALERT_PROTECTED_NOT_FOUND, NULL, 0);

		if (!x)
			return -1;
		if (m->pid >= 0) {
			x->pid = m->pid;
			snprintf(MSG(x), in->offline ? "--protect-pid %d: no event of pid %d in the trace; nothing to "
				 "check for it" : "--protect-pid %d: no such process; nothing to protect for it",
				 m->pid, m->pid);
		} else {
			snprintf(x->comm, sizeof(x->comm), "%s", m->comm);
			snprintf(MSG(x), in->offline ? "--protect-comm %s: no process of that name in the trace"
				 : "--protect-comm %s: no process of that name runs", m->comm);
		}
		snprintf(x->action, sizeof(x->action), "check the pid or name (comm is at most 15 characters)");
	}
	return 0;
}

/* in the order alerts of one severity are listed */
const struct guard_rule kf_guard_rules[] = {
	{ KF_ALERT_LOCKED_PAGES_MOVED, rule_locked_pages_moved, NULL },
	{ KF_ALERT_FAULTS_DURING_MIGRATION, rule_faults, NULL },
	{ KF_ALERT_FAULTS_DURING_MIGRATION, rule_faults_untied, NULL },
	{ KF_ALERT_ISOLATE_COVERED_LOCKED, rule_isolate_covered, NULL },
	{ KF_ALERT_PROTECTED_EXITED, rule_exited, NULL },
	{ KF_ALERT_PAGEMAP_UNREADABLE, rule_pagemap_unreadable, NULL },
	{ KF_ALERT_COMPACTION_MIGRATION, NULL, rule_compaction_migration },
	{ KF_ALERT_UNEVICTABLE_ALLOWED, NULL, rule_unevictable_allowed },
	{ KF_ALERT_SYSCTL_CHANGED, NULL, rule_sysctl_changed },
	{ KF_ALERT_SYSCTL_LEFT_ZERO, NULL, rule_sysctl_left_zero },
	{ KF_ALERT_PROACTIVE_COMPACTION, NULL, rule_proactive },
	{ KF_ALERT_FAULTS_NOT_TRACED, NULL, rule_faults_not_traced },
	{ KF_ALERT_PROTECTED_NOT_FOUND, NULL, rule_not_found },
};
const size_t kf_guard_nr_rules = sizeof(kf_guard_rules) / sizeof(kf_guard_rules[0]);
