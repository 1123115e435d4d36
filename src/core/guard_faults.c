/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which page faults of a protected process are evidence of the hazard.
 * A fault taken while compaction runs is evidence only when it is tied to
 * memory being moved: its page's migration PTE was set (the process hit a
 * page in migration), or its address lies in one of the process's locked
 * mappings. When neither can be known (no migrate:*_migration_pte events
 * and no smaps), the faults count only if the process holds locked memory
 * and vm.compact_unevictable_allowed allowed moving it.
 */
#include "guard_eval.h"

static bool in_tids(const struct kf_protected *p, int pid)
{
	if (!p->nr_tids)
		return pid == p->pid;
	for (int i = 0; i < p->nr_tids; i++)
		if (p->tids[i] == pid)
			return true;
	return false;
}

static bool in_locked_vma(const struct kf_protected *p, uint64_t vpage)
{
	uint64_t addr = vpage << 12;

	for (int v = 0; v < p->nr_vmas; v++)
		if (addr >= p->vmas[v].start && addr < p->vmas[v].end)
			return true;
	return false;
}

/* the fault pages of the process's threads: by locked range and by PTE */
static void tie_faults(const struct kf_snapshot *s, const struct kf_protected *p, struct kf_guard_proc *gp)
{
	bool ranges = p->smaps_readable && p->nr_vmas > 0;

	for (int k = 0; k < s->nr_fault_pages; k++) {
		const struct kf_fault_page *f = &s->fault_pages[k];

		if (!in_tids(p, f->pid))
			continue;
		if (ranges && in_locked_vma(p, f->vpage)) {
			gp->faults_in_locked_ranges += f->faults;
			gp->faults_evidence += f->faults;
		} else {
			gp->faults_evidence += f->on_pte;
		}
	}
}

/* an address proof could have been found: the trace shows migration PTEs,
 * or the locked mappings are known */
static bool tie_possible(const struct eval *c, const struct kf_protected *p)
{
	return c->snap->ev_total[KF_EV_SET_MIGRATION_PTE] > 0 || (p->smaps_readable && !c->in->offline);
}

void guard_faults_of(struct eval *c, int i)
{
	const struct kf_protected *p = &c->in->procs[i];
	struct kf_guard_proc *gp = &c->res->procs[i];
	const struct kf_snapshot *s = c->snap;

	if (!s)
		return;
	for (int k = 0; k < s->nr_procs; k++)
		if (in_tids(p, s->procs[k].pid)) {
			gp->faults += s->procs[k].faults;
			gp->faults_during_migration += s->procs[k].faults_during_migration;
			gp->faults_on_migration_pte += s->procs[k].faults_on_migration_pte;
		}
	tie_faults(s, p, gp);
	if (gp->faults_evidence) {
		gp->proof = gp->faults_on_migration_pte ? KF_PROOF_MIGRATION_PTE : KF_PROOF_LOCKED_RANGE;
		return;
	}
	/* no address proof to be had: locked memory and a sysctl that lets it move */
	if (gp->faults_during_migration && !tie_possible(c, p) && c->res->compaction_migrated &&
	    (p->vmlck_kb > 0 || c->in->offline) && c->sysctl == SYSCTL_ONE_SEEN) {
		gp->faults_evidence = gp->faults_during_migration;
		gp->proof = KF_PROOF_LOCKED_AND_SYSCTL;
	}
}
