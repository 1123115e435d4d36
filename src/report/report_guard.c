/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard as the report shows it: the JSON object "guard" and the text
 * section at the top. Renders what kf_guard_evaluate() and the data side
 * worked out; computes nothing. check and top call the same functions.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kf_report.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *int_or_null(int v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static const char *locking(const struct kf_guard_input *in, const struct kf_protected *p)
{
	if (in->offline || !p->smaps_readable)
		return "unknown";
	if (p->mlockall)
		return "mlockall";
	return p->nr_vmas ? "ranges" : "none";
}

static json_t *protected_json(const struct kf_guard_input *in, const struct kf_protected *p,
			      const struct kf_guard_proc *gp)
{
	json_t *o = json_object(), *vmas = json_array(), *moved = json_array(), *tids = json_array();

	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "comm", json_string(p->comm));
	json_object_set_new(o, "reason", json_string(kf_protect_reason_names[p->reason]));
	json_object_set_new(o, "vmlck_kb", in->offline ? json_null() : u64(p->vmlck_kb));
	json_object_set_new(o, "locking", json_string(locking(in, p)));
	json_object_set_new(o, "locked_ranges", u64(p->locked_ranges));
	json_object_set_new(o, "pagemap_readable", json_boolean(p->pagemap_readable));
	if (!p->pagemap_readable && p->pagemap_why[0])
		json_object_set_new(o, "pagemap_unreadable_why", json_string(p->pagemap_why));
	json_object_set_new(o, "exited", json_boolean(p->exited));
	json_object_set_new(o, "locked_pages", u64(p->locked_pages));
	json_object_set_new(o, "pages_moved", u64(p->pages_moved));
	json_object_set_new(o, "pages_checked", u64(p->pages_checked));
	json_object_set_new(o, "pfn_ranges", json_integer(p->nr_pfns));
	for (int i = 0; i < p->nr_tids; i++)
		json_array_append_new(tids, json_integer(p->tids[i]));
	json_object_set_new(o, "threads", tids);
	json_object_set_new(o, "page_faults", u64(gp ? gp->faults : 0));
	json_object_set_new(o, "page_faults_during_migration", u64(gp ? gp->faults_during_migration : 0));
	json_object_set_new(o, "page_faults_on_migrating_pages", u64(gp ? gp->faults_on_migration_pte : 0));
	json_object_set_new(o, "page_faults_in_locked_mappings", u64(gp ? gp->faults_in_locked_ranges : 0));
	json_object_set_new(o, "page_faults_evidence", u64(gp ? gp->faults_evidence : 0));
	json_object_set_new(o, "fault_proof", gp && gp->proof ? json_string(kf_fault_proof_names[gp->proof]) : json_null());
	json_object_set_new(o, "locked_pages_scanned_by_compaction", u64(gp ? gp->locked_pages_scanned : 0));
	json_object_set_new(o, "compaction_episodes_touching", json_integer(gp ? gp->episodes_touching : 0));
	for (int i = 0; i < p->nr_vmas; i++) {
		const struct kf_locked_vma *m = &p->vmas[i];

		json_array_append_new(vmas, json_pack("{s:o,s:o,s:s,s:o,s:o,s:o}",
			"start", u64(m->start), "end", u64(m->end), "name", m->name,
			"locked_kb", u64(m->locked_kb), "pages", u64(m->pages), "pages_moved", u64(m->pages_moved)));
	}
	json_object_set_new(o, "locked_mappings", vmas);
	for (int i = 0; i < p->nr_moved_vranges; i++)
		json_array_append_new(moved, json_pack("[o,o]", u64(p->moved_vranges[i].start),
						       u64(p->moved_vranges[i].end)));
	json_object_set_new(o, "moved_ranges", moved);
	return o;
}

static json_t *alert_json(const struct kf_alert *a)
{
	json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:s,s:s}",
			      "severity", kf_severity_names[a->severity],
			      "kind", kf_alert_kind_names[a->kind],
			      "pid", a->pid >= 0 ? json_integer(a->pid) : json_null(),
			      "count", u64(a->count),
			      "message", a->message,
			      "action", a->action);

	if (a->comm[0])
		json_object_set_new(o, "comm", json_string(a->comm));
	if (a->zone[0]) {
		json_object_set_new(o, "zone", json_string(a->zone));
		json_object_set_new(o, "node", json_integer(a->node));
	}
	if (a->initiator[0])
		json_object_set_new(o, "initiator", json_string(a->initiator));
	if (a->proof)
		json_object_set_new(o, "proof", json_string(kf_fault_proof_names[a->proof]));
	return o;
}

static json_t *history_json(const struct kf_guard_input *in, enum kf_guard_sysctl which)
{
	json_t *history = json_array();

	for (int i = 0; i < in->nr_changes; i++)
		if (in->changes[i].sysctl == which)
			json_array_append_new(history, json_pack("{s:f,s:i,s:i}", "t_s", in->changes[i].t_s,
								 "from", in->changes[i].from, "to", in->changes[i].to));
	return history;
}

static json_t *sysctl_json(const struct kf_guard_input *in)
{
	json_t *uneviction, *proactive, *sysctl;

	uneviction = json_pack("{s:o,s:o,s:i,s:o}", "start", int_or_null(in->unevictable_allowed_start),
			       "end", int_or_null(in->unevictable_allowed_end), "changes", in->unevictable_changes,
			       "history", history_json(in, KF_SYSCTL_UNEVICTABLE_ALLOWED));
	proactive = json_pack("{s:o,s:o,s:i,s:o}", "start", int_or_null(in->proactiveness_start),
			      "end", int_or_null(in->proactiveness), "changes", in->proactiveness_changes,
			      "history", history_json(in, KF_SYSCTL_PROACTIVENESS));
	sysctl = json_pack("{s:o,s:o,s:o,s:o,s:b}", "compact_unevictable_allowed", uneviction,
			   "compaction_proactiveness", int_or_null(in->proactiveness),
			   "compaction_proactiveness_changes", proactive,
			   "source", str_or_null(in->offline ? in->sysctl_source : "read"),
			   "enforced", in->enforced);
	if (in->enforce_error[0])
		json_object_set_new(sysctl, "enforce_error", json_string(in->enforce_error));
	if (in->enforced || in->enforce_admin_changed) {
		json_object_set_new(sysctl, "enforce_original", int_or_null(in->enforce_original));
		json_object_set_new(sysctl, "enforce_admin_changed", json_boolean(in->enforce_admin_changed));
	}
	return sysctl;
}

json_t *kf_guard_json(const struct kf_guard_input *in, const struct kf_guard_result *res)
{
	json_t *procs = json_array(), *alerts = json_array(), *cands = json_array();

	for (int i = 0; i < in->nr_procs; i++)
		json_array_append_new(procs, protected_json(in, &in->procs[i],
							    i < res->nr_procs ? &res->procs[i] : NULL));
	for (int i = 0; i < res->nr_alerts; i++)
		json_array_append_new(alerts, alert_json(&res->alerts[i]));
	for (int i = 0; i < in->nr_candidates; i++)
		json_array_append_new(cands, json_pack("{s:i,s:s,s:o}", "pid", in->candidates[i].pid,
						       "comm", in->candidates[i].comm,
						       "vmlck_kb", u64(in->candidates[i].vmlck_kb)));
	return json_pack("{s:s,s:b,s:o,s:f,s:o,s:o,s:{s:o,s:o},s:o,s:o,s:o,s:o}",
			 "worst", kf_severity_names[res->worst],
			 "offline", in->offline,
			 "lock_threshold_kb", in->offline ? json_null() : u64(in->lock_threshold_kb),
			 "window_s", in->window_s,
			 "page_faults_traced", in->faults_traced < 0 ? json_null() : json_boolean(in->faults_traced),
			 "compaction_migrated", u64(res->compaction_migrated),
			 "sched_ext", "state", str_or_null(in->sched_ext_state), "ops", str_or_null(in->sched_ext_ops),
			 "sysctl", sysctl_json(in),
			 "protected", procs,
			 "locked_not_protected", cands,
			 "alerts", alerts);
}

json_t *kf_kcompactd_wakers_json(const struct kf_snapshot *s)
{
	json_t *a = json_array();

	for (int i = 0; i < s->nr_kcompactd_wakers; i++) {
		const struct kf_kcompactd_waker *w = &s->kcompactd_wakers[i];

		json_array_append_new(a, json_pack("{s:i,s:s,s:i,s:o,s:f}", "pid", w->pid, "comm", w->comm,
						   "order", w->order, "count", u64(w->count),
						   "first_ts_s", w->first_ts / 1e9));
	}
	return a;
}

/* ---- text -------------------------------------------------------------------------- */

/* text wrapped at width, every line after the first indented */
static void wrapped(FILE *out, const char *first, const char *indent, const char *text, int width)
{
	int col = fprintf(out, "%s", first);
	int ind = (int)strlen(indent);
	bool line_start = true;

	while (*text) {
		int len;

		while (*text == ' ')
			text++;
		if (!*text)
			break;
		len = (int)strcspn(text, " ");
		if (!line_start && col + 1 + len > width) {
			fprintf(out, "\n%s", indent);
			col = ind;
			line_start = true;
		}
		if (!line_start) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", len, text);
		col += len;
		text += len;
		line_start = false;
	}
	fputc('\n', out);
}

static void upper(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? src[i] - 32 : src[i];
	dst[i] = '\0';
}

int kf_guard_text(const struct kf_guard_input *in, const struct kf_guard_result *res, FILE *out)
{
	char sev[16], first[64];

	upper(sev, kf_severity_names[res->worst], sizeof(sev));
	fprintf(out, "\n== Guard: mlocked memory of user-space schedulers: %s ==\n",
		res->worst == KF_SEV_OK ? "nothing to report" : sev);
	for (int i = 0; i < res->nr_alerts; i++) {
		const struct kf_alert *a = &res->alerts[i];

		upper(sev, kf_severity_names[a->severity], sizeof(sev));
		snprintf(first, sizeof(first), "%-8s ", sev);
		wrapped(out, first, "         ", a->message, 100);
		if (a->action[0]) {
			char act[300];

			snprintf(act, sizeof(act), "what to do: %s", a->action);
			wrapped(out, "         ", "           ", act, 100);
		}
	}
	if (!in->nr_procs) {
		if (in->offline)
			fprintf(out, "no protected process: name them with --protect-pid or --protect-comm "
				"to check a recorded trace\n");
		else if (in->lock_threshold_kb)
			fprintf(out, "no protected process: no sched_ext scheduler, no scx_* process, none with "
				"%llu kB or more locked\n", (unsigned long long)in->lock_threshold_kb);
		else
			fprintf(out, "no protected process: no sched_ext scheduler, no scx_* process\n");
	} else {
		fprintf(out, "\n%-8s %-16s %-14s %10s %-9s %8s %8s %8s %10s  %s\n", "pid", "comm", "why", "VmLck kB",
			"locking", "pages", "moved", "faults", "in migr.", "PFNs");
		for (int i = 0; i < in->nr_procs; i++) {
			const struct kf_protected *p = &in->procs[i];
			const struct kf_guard_proc *gp = i < res->nr_procs ? &res->procs[i] : NULL;
			char vmlck[24], pages[24], moved[24];

			if (in->offline) {
				snprintf(vmlck, sizeof(vmlck), "-");
				snprintf(pages, sizeof(pages), "-");
				snprintf(moved, sizeof(moved), "-");
			} else {
				snprintf(vmlck, sizeof(vmlck), "%llu", (unsigned long long)p->vmlck_kb);
				snprintf(pages, sizeof(pages), "%llu", (unsigned long long)p->locked_pages);
				snprintf(moved, sizeof(moved), p->pagemap_readable ? "%llu" : "?",
					 (unsigned long long)p->pages_moved);
			}
			fprintf(out, "%-8d %-16s %-14s %10s %-9s %8s %8s %8llu %10llu  %s%s\n", p->pid, p->comm,
				kf_protect_reason_names[p->reason], vmlck, locking(in, p), pages, moved,
				(unsigned long long)(gp ? gp->faults : 0),
				(unsigned long long)(gp ? gp->faults_during_migration : 0),
				p->pagemap_readable ? "read" : "not known", p->exited ? " (exited)" : "");
		}
	}
	if (in->nr_candidates) {
		fprintf(out, "locked, not protected:");
		for (int i = 0; i < in->nr_candidates && i < 8; i++)
			fprintf(out, "%s %s (pid %d, %llu kB)", i ? "," : "", in->candidates[i].comm, in->candidates[i].pid,
				(unsigned long long)in->candidates[i].vmlck_kb);
		if (in->nr_candidates > 8)
			fprintf(out, " and %d more", in->nr_candidates - 8);
		fprintf(out, "; protect one with --protect-pid PID or --protect-comm NAME, all with --lock-threshold KB\n");
	}
	if (in->offline && in->unevictable_allowed_end >= 0) {
		fprintf(out, "vm.compact_unevictable_allowed: %d (%s); sched_ext: ", in->unevictable_allowed_end,
			in->sysctl_source[0] ? in->sysctl_source : "given");
		/* a recording saves /sys/kernel/sched_ext with the rest */
		if (in->sched_ext_saved)
			fprintf(out, "%s%s%s (recording)\n", in->sched_ext_state[0] ? in->sched_ext_state : "not available",
				in->sched_ext_ops[0] ? ", ops " : "", in->sched_ext_ops);
		else
			fprintf(out, "not known for a recorded trace\n");
	} else if (in->offline) {
		fprintf(out, "sysctls and sched_ext: not known for a recorded trace (say them with --assume-sysctl)\n");
	} else {
		fprintf(out, "vm.compact_unevictable_allowed: %d at start, %d at the end, %d change%s seen%s; "
			"vm.compaction_proactiveness: %d; sched_ext: %s%s%s\n",
			in->unevictable_allowed_start, in->unevictable_allowed_end, in->unevictable_changes,
			in->unevictable_changes == 1 ? "" : "s", in->enforced ? " (held at 0 by --enforce)" : "",
			in->proactiveness, in->sched_ext_state[0] ? in->sched_ext_state : "not available",
			in->sched_ext_ops[0] ? ", ops " : "", in->sched_ext_ops);
	}
	return ferror(out) ? -1 : 0;
}
