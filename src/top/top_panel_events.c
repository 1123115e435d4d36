/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag top's panels of compaction, processes and the guard. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_fragindex.h"
#include "top_draw.h"

/* ---- compaction -------------------------------------------------------- */

/* ORDER and STALL last: the columns before keep their places */
enum { EC_ZONE, EC_INIT, EC_TASK, EC_DUR, EC_STATUS, EC_MIGRATED, EC_FAILED, EC_SCANNED, EC_ISOLATED,
       EC_BEGIN, EC_MODE, EC_ORDER, EC_STALL, EC_NR };

static const struct col ep_cols[EC_NR] = {
	[EC_ZONE] = { "ZONE", 7, 0, true },
	[EC_INIT] = { "INITIATOR", 9, 0, true },
	[EC_TASK] = { "TASK", 22, 1, true },
	[EC_DUR] = { "DUR ms", 9, 0, false },
	[EC_STATUS] = { "STATUS", 12, 0, true },
	[EC_MIGRATED] = { "MIGRATED", 8, 0, false },
	[EC_FAILED] = { "FAILED", 6, 0, false },
	[EC_SCANNED] = { "SCANNED", 9, 2, false },
	[EC_ISOLATED] = { "ISOLATED", 8, 2, false },
	[EC_BEGIN] = { "BEGIN s", 12, 3, false },
	[EC_MODE] = { "MODE", 5, 3, true },
	[EC_ORDER] = { "ORDER", 5, 0, false },
	[EC_STALL] = { "STALL ms", 9, 2, false },
};

static int compact_sticky(const struct ctx *c)
{
	return 2 + c->v->nr_migrate;
}

static int compact_body(const struct ctx *c)
{
	return c->v->nr_episodes ? c->v->nr_episodes : 1;
}

static void compact_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	char buf[512], a[16], b[16], m[16], f[16];
	bool shown[EC_NR];
	struct cell cells[EC_NR];
	size_t l = sizeof(cells[0].text);

	if (i == 0) {
		top_fmt_val(a, sizeof(a), c->st, v->kcompactd_wakes_ps, v->kcompactd_wakes, 8);
		top_fmt_val(b, sizeof(b), c->st, v->direct_attempts_ps, v->direct_attempts, 8);
		snprintf(buf, sizeof(buf), "episodes %d, running %d  kcompactd wakes %s%s, sleeps %llu  direct %s  deferred %llu"
			 "  kcompactd wakeups requested %llu", v->episodes_total, v->episodes_running, a,
			 top_rate_suffix(c->st), (unsigned long long)v->kcompactd_sleeps, b,
			 (unsigned long long)v->deferred, (unsigned long long)v->kcompactd_requested);
		top_fit_items(buf, c->w);	/* no number cut at the edge */
		top_put(y, c->x, c->w, buf, 0, true);
		return;
	}
	if (i <= v->nr_migrate) {
		const struct kf_top_migrate *mg = &v->migrate[i - 1];

		top_fmt_pval(m, sizeof(m), c, mg->succeeded_ps, mg->succeeded, 10);
		top_fmt_pval(f, sizeof(f), c, mg->failed_ps, mg->failed, 10);
		snprintf(buf, sizeof(buf), "migrate %-16s migrated %s%s  failed %s  (calls %llu)", mg->reason, m,
			 top_rate_suffix(c->st), f, (unsigned long long)mg->calls);
		top_put(y, c->x, c->w, buf, 0, true);
		return;
	}
	top_fit_cols(ep_cols, EC_NR, c->w, -1, shown);
	if (i == v->nr_migrate + 1) {
		top_draw_titles(y, c->x, c->w, ep_cols, EC_NR, shown, -1, "");
		return;
	}
	i -= v->nr_migrate + 2;
	if (!v->nr_episodes) {
		top_put(y, c->x, c->w, "  no compaction seen yet (echo 1 > /proc/sys/vm/compact_memory starts one)", A_DIM, true);
		return;
	}
	const struct kf_top_episode *ep = &v->episodes[i];

	memset(cells, 0, sizeof(cells));
	snprintf(cells[EC_ZONE].text, l, "%s", ep->zone);
	snprintf(cells[EC_INIT].text, l, "%s", ep->initiator);
	snprintf(cells[EC_TASK].text, l, "%s", ep->task);
	snprintf(cells[EC_DUR].text, l, "%.3f", ep->duration_ms);
	snprintf(cells[EC_STATUS].text, l, "%s", ep->status);
	top_fmt_pages(cells[EC_MIGRATED].text, l, c, ep->migrated, false, 8);
	top_fmt_pages(cells[EC_FAILED].text, l, c, ep->failed, false, 6);
	top_fmt_pages(cells[EC_SCANNED].text, l, c, ep->scanned, false, 9);
	top_fmt_pages(cells[EC_ISOLATED].text, l, c, ep->isolated, false, 8);
	snprintf(cells[EC_BEGIN].text, l, "%.6f", ep->begin_s);
	snprintf(cells[EC_MODE].text, l, "%s", ep->sync ? "sync" : "async");
	if (ep->order == KF_ORDER_UNKNOWN)
		snprintf(cells[EC_ORDER].text, l, "?");
	else
		snprintf(cells[EC_ORDER].text, l, "%d", ep->order);
	if (ep->stall_ms > 0)
		snprintf(cells[EC_STALL].text, l, "%.3f", ep->stall_ms);
	else
		snprintf(cells[EC_STALL].text, l, "-");
	/* the kernel counted some pages twice: no coverage, as the report's '*' */
	if (ep->scanned_exceeds_span && strlen(cells[EC_SCANNED].text) < l - 1)
		strcat(cells[EC_SCANNED].text, "*");
	if (ep->failed)
		cells[EC_FAILED].at = AT_WARN;
	top_draw_cells(y, c->x, c->w, ep_cols, EC_NR, shown, cells, ep->running ? AT_HOT : 0);
}

static void compact_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_view *v = c->v;
	char m[16], f[16], w[16];

	top_fmt_pval(m, sizeof(m), c, v->compact_migrated_ps, v->compact_migrated, 8);
	top_fmt_pval(f, sizeof(f), c, v->compact_failed_ps, v->compact_failed, 8);
	top_fmt_val(w, sizeof(w), c->st, v->kcompactd_wakes_ps, v->kcompactd_wakes, 8);
	snprintf(buf, len, "%s%d episodes  migrated %s%s  failed %s  kcompactd wakes %s",
		 v->episodes_running ? "RUNNING  " : "", v->episodes_total, m, top_rate_suffix(c->st), f, w);
}
/* ---- processes --------------------------------------------------------- */

static const struct col proc_cols[KF_PCOL_NR] = {
	[KF_PCOL_PID] = { "PID", 7, 0, false },
	[KF_PCOL_COMM] = { "COMMAND", 15, 0, true },
	[KF_PCOL_ALLOC_RATE] = { "ALLOC/s", 8, 1, false },
	[KF_PCOL_FREE_RATE] = { "FREE/s", 8, 1, false },
	[KF_PCOL_ALLOCD] = { "ALLOCD", 9, 2, false },
	[KF_PCOL_LOCKED] = { "LOCKED", 8, 5, false },
	[KF_PCOL_FREED] = { "FREED", 9, 2, false },
	[KF_PCOL_BATCHED] = { "BATCHED", 8, 5, false },
	[KF_PCOL_DRAINED] = { "DRAINED", 8, 6, false },
	[KF_PCOL_DRAINS] = { "DRAINS", 7, 6, false },
	[KF_PCOL_REFILLS] = { "REFILLS", 7, 4, false },
	[KF_PCOL_FALLBACK] = { "FALLBK", 7, 4, false },
	[KF_PCOL_CAUSING] = { "CAUSING", 7, 6, false },
	[KF_PCOL_CHANGED] = { "CHANGED", 7, 7, false },
	[KF_PCOL_FAULTS] = { "FAULTS", 7, 3, false },
	[KF_PCOL_MIGFAULTS] = { "MIGFLT", 7, 3, false },
};

static int procs_sticky(const struct ctx *c)
{
	return 1;
}

static int procs_body(const struct ctx *c)
{
	return c->v->nr_procs ? c->v->nr_procs : 1;
}

static void procs_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	bool shown[KF_PCOL_NR];
	struct cell cells[KF_PCOL_NR];
	size_t l = sizeof(cells[0].text);

	top_fit_cols(proc_cols, KF_PCOL_NR, c->w, v->sort_col, shown);
	/* rates only: totals mode shows ALLOCD and FREED instead (and sorts by them) */
	if (c->st->totals)
		shown[KF_PCOL_ALLOC_RATE] = shown[KF_PCOL_FREE_RATE] = false;
	if (i == 0) {
		top_draw_titles(y, c->x, c->w, proc_cols, KF_PCOL_NR, shown, v->sort_col,
			    v->sort_ascending ? G_SORT_ASC() : G_SORT_DESC());
		return;
	}
	if (!v->nr_procs) {
		top_put(y, c->x, c->w, "  no page-allocator events yet", A_DIM, true);
		return;
	}
	const struct kf_top_proc *p = &v->procs[i - 1];
	const struct kf_proc_stats *s = &p->s;

	memset(cells, 0, sizeof(cells));
	snprintf(cells[KF_PCOL_PID].text, l, "%d", p->pid);
	snprintf(cells[KF_PCOL_COMM].text, l, "%s%s", p->comm, p->is_protected ? "*" : "");
	top_fmt_rate(cells[KF_PCOL_ALLOC_RATE].text, l, p->alloc_ps, 8);
	top_fmt_rate(cells[KF_PCOL_FREE_RATE].text, l, p->free_ps, 8);
	top_fmt_u64(cells[KF_PCOL_ALLOCD].text, l, s->allocd, 9);
	top_fmt_u64(cells[KF_PCOL_LOCKED].text, l, s->allocd_locked, 8);
	top_fmt_u64(cells[KF_PCOL_FREED].text, l, s->freed, 9);
	top_fmt_u64(cells[KF_PCOL_BATCHED].text, l, s->freed_batched, 8);
	top_fmt_u64(cells[KF_PCOL_DRAINED].text, l, s->pcpu_pages_drained, 8);
	top_fmt_u64(cells[KF_PCOL_DRAINS].text, l, s->pcpu_drains, 7);
	top_fmt_u64(cells[KF_PCOL_REFILLS].text, l, s->pcpu_refills, 7);
	top_fmt_u64(cells[KF_PCOL_FALLBACK].text, l, s->fallback, 7);
	top_fmt_u64(cells[KF_PCOL_CAUSING].text, l, s->causing, 7);
	top_fmt_u64(cells[KF_PCOL_CHANGED].text, l, s->changed, 7);
	top_fmt_u64(cells[KF_PCOL_FAULTS].text, l, s->faults, 7);
	top_fmt_u64(cells[KF_PCOL_MIGFAULTS].text, l, s->faults_during_migration, 7);
	if (s->faults_during_migration)
		cells[KF_PCOL_MIGFAULTS].at = p->is_protected ? AT_CRIT : AT_WARN;
	if (p->is_protected)
		cells[KF_PCOL_COMM].at = AT_WARN;
	top_draw_cells(y, c->x, c->w, proc_cols, KF_PCOL_NR, shown, cells, 0);
}

static void procs_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	snprintf(buf, len, "%d processes, sorted by %s %s", c->v->nr_procs, kf_top_pcol_names[c->v->sort_col],
		 c->v->sort_ascending ? G_SORT_ASC() : G_SORT_DESC());
}
/* ---- guard --------------------------------------------------------------- */

static int guard_sticky(const struct ctx *c)
{
	return 0;
}

#define ALERT_INDENT 11		/* "CRITICAL   " */

/* lines of one alert: its message, then the action after an arrow */
static int alert_lines(const struct ctx *c, const struct kf_alert *a, int *msg_lines)
{
	int w = c->w - ALERT_INDENT;

	/* one line each unless Enter asked for the details */
	if (!c->st->alert_details) {
		*msg_lines = 1;
		return 1;
	}
	*msg_lines = top_wrap(a->message, w, -1, NULL, NULL);
	return *msg_lines + (a->action[0] ? top_wrap(a->action, w - 3, -1, NULL, NULL) : 0);
}

/* alerts, then the protected processes */
static int guard_body(const struct ctx *c)
{
	const struct kf_top_view *v = c->v;
	int n = 0, m;

	for (int i = 0; i < v->nr_alerts; i++)
		n += alert_lines(c, &v->alerts[i].a, &m);
	return (n ? n : 1) + 1 + (v->nr_protected ? v->nr_protected : 1) + (v->nr_unprotected ? 1 : 0);
}

/* one line under the protected processes: locked memory the guard leaves
 * alone, and the option that protects it (not an alert: a VM's pid 1 locks
 * memory on every run) */
static void unprotected_line(const struct ctx *c, int y)
{
	const struct kf_top_view *v = c->v;
	const struct kf_guard_candidate *u = &v->largest_unprotected;
	char buf[256], more[32] = "";

	if (v->nr_unprotected > 1)
		snprintf(more, sizeof(more), " and %d more", v->nr_unprotected - 1);
	snprintf(buf, sizeof(buf), "  locked, not protected: %s (pid %d, %llu kB)%s; --protect-comm %s protects it",
		 u->comm, u->pid, (unsigned long long)u->vmlck_kb, more, u->comm);
	top_put(y, c->x, c->w, buf, A_DIM, true);
}

static void alert_line(const struct ctx *c, const struct kf_top_alert *al, int k, int y)
{
	int msg_lines, w = c->w - ALERT_INDENT, len;
	const char *start;
	char buf[KF_GUARD_MSG_LEN + 16];
	attr_t at = al->acked ? A_DIM : top_sev_attr(al->a.severity);

	alert_lines(c, &al->a, &msg_lines);
	if (k == 0) {
		/* acknowledged: the severity in small letters, dimmed */
		char label[16];

		snprintf(label, sizeof(label), "%s", al->acked ? kf_severity_names[al->a.severity] :
			 top_sev_label(al->a.severity));
		top_put(y, c->x, ALERT_INDENT, label, at, true);
	}
	else
		top_put(y, c->x, ALERT_INDENT, "", 0, true);
	if (!c->st->alert_details) {
		/* the first line's words, "..." when there is more (Enter shows it) */
		int n = top_wrap(al->a.message, w - 4, 0, &start, &len);

		snprintf(buf, sizeof(buf), "%.*s%s", len, start, n > 1 ? " ..." : "");
		top_put(y, c->x + ALERT_INDENT, w, buf, al->acked ? A_DIM : 0, true);
	} else if (k < msg_lines) {
		top_wrap(al->a.message, w, k, &start, &len);
		snprintf(buf, sizeof(buf), "%.*s", len, start);
		top_put(y, c->x + ALERT_INDENT, w, buf, al->acked ? A_DIM : 0, true);
	} else {
		top_wrap(al->a.action, w - 3, k - msg_lines, &start, &len);
		snprintf(buf, sizeof(buf), "%s %.*s", k == msg_lines ? G_ARROW() : " ", len, start);
		top_put(y, c->x + ALERT_INDENT, w, buf, A_DIM, true);
	}
}

/* the protected processes: columns that narrow to the width, never a cut number */
enum { GC_PID, GC_COMM, GC_WHY, GC_VMLCK, GC_LOCKED, GC_MOVED, GC_FAULTS, GC_MIGFLT, GC_NR };

static const struct col guard_cols[GC_NR] = {
	[GC_PID] = { "PID", 7, 0, false },
	[GC_COMM] = { "PROTECTED", 15, 0, true },
	[GC_WHY] = { "WHY", 13, 2, true },
	[GC_VMLCK] = { "VmLck kB", 9, 1, false },
	[GC_LOCKED] = { "LOCKED", 8, 1, false },
	[GC_MOVED] = { "MOVED", 7, 0, false },
	[GC_FAULTS] = { "FAULTS", 7, 1, false },
	[GC_MIGFLT] = { "MIGFLT", 7, 0, false },
};

static void protected_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	struct cell cells[GC_NR];
	bool shown[GC_NR];
	size_t l = sizeof(cells[0].text);

	struct col cols[GC_NR];

	/* VmLck is in kB: in a unit of bytes it follows the unit */
	memcpy(cols, guard_cols, sizeof(cols));
	if (c->st->unit != KF_UNIT_PAGES)
		cols[GC_VMLCK].title = "VmLck";
	top_fit_cols(cols, GC_NR, c->w, -1, shown);
	if (i == 0) {
		top_draw_titles(y, c->x, c->w, cols, GC_NR, shown, -1, "");
		return;
	}
	if (!v->nr_protected) {
		top_put(y, c->x, c->w, "  no protected process", A_DIM, true);
		return;
	}
	const struct kf_top_protected *p = &v->protected_procs[i - 1];

	memset(cells, 0, sizeof(cells));
	snprintf(cells[GC_PID].text, l, "%d", p->pid);
	snprintf(cells[GC_COMM].text, l, "%s", p->comm);
	snprintf(cells[GC_WHY].text, l, "%s", p->exited ? "exited" :
		 p->reason < KF_PROTECT_NR ? kf_protect_reason_names[p->reason] : "?");
	/* unknown in a replay (no /proc of the traced machine), or unreadable */
	if (v->guard_offline)
		snprintf(cells[GC_VMLCK].text, l, "?");
	else if (c->st->unit == KF_UNIT_PAGES)
		top_fmt_u64(cells[GC_VMLCK].text, l, p->vmlck_kb, guard_cols[GC_VMLCK].width);
	else
		top_fmt_pages(cells[GC_VMLCK].text, l, c, p->vmlck_kb * 1024.0 / (double)v->page_size, false,
			      guard_cols[GC_VMLCK].width);
	if (p->pagemap_readable) {
		top_fmt_pages(cells[GC_LOCKED].text, l, c, p->locked_pages, false, guard_cols[GC_LOCKED].width);
		top_fmt_pages(cells[GC_MOVED].text, l, c, p->pages_moved, false, guard_cols[GC_MOVED].width);
	} else {
		snprintf(cells[GC_LOCKED].text, l, "?");
		snprintf(cells[GC_MOVED].text, l, "?");
	}
	top_fmt_u64(cells[GC_FAULTS].text, l, p->faults, guard_cols[GC_FAULTS].width);
	top_fmt_u64(cells[GC_MIGFLT].text, l, p->faults_during_migration, guard_cols[GC_MIGFLT].width);
	top_draw_cells(y, c->x, c->w, cols, GC_NR, shown, cells,
		       p->pages_moved || p->faults_during_migration ? AT_CRIT : 0);
}

static void guard_line(const struct ctx *c, int i, int y)
{
	const struct kf_top_view *v = c->v;
	int m;

	if (!v->nr_alerts && i == 0) {
		top_put(y, c->x, c->w, v->have_guard ? "  no alerts" : "  the guard is off (--no-guard)", A_DIM, true);
		return;
	}
	for (int a = 0; a < v->nr_alerts; a++) {
		int n = alert_lines(c, &v->alerts[a].a, &m);

		if (i < n) {
			alert_line(c, &v->alerts[a], i, y);
			return;
		}
		i -= n;
	}
	if (!v->nr_alerts)
		i--;
	if (v->nr_unprotected && i == 1 + (v->nr_protected ? v->nr_protected : 1)) {
		unprotected_line(c, y);
		return;
	}
	protected_line(c, i, y);
}

static void guard_summary(const struct ctx *c, char *buf, size_t len, bool *alert)
{
	const struct kf_top_view *v = c->v;

	if (!v->have_guard && !v->nr_protected) {
		snprintf(buf, len, "off");
		return;
	}
	snprintf(buf, len, "%d protected  %d alerts (Enter: %s)", v->nr_protected, v->nr_alerts,
		 c->st->alert_details ? "one line each" : "details");
	if (v->nr_unacked) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, "  %d NOT ACKNOWLEDGED (worst %s): a acknowledges", v->nr_unacked,
			 top_sev_label(v->worst_unacked));
		*alert = v->worst_unacked >= KF_SEV_WARNING;
	}
}
const struct panel top_panel_compact = { compact_summary, compact_sticky, compact_body, compact_line };
const struct panel top_panel_procs = { procs_summary, procs_sticky, procs_body, procs_line };
const struct panel top_panel_guard = { guard_summary, guard_sticky, guard_body, guard_line };
