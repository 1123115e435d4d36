/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The findings in kfrag check: each one a result (critical -> CRITICAL,
 * warning -> WARNING, a note -> OK with its text), their counts as
 * perfdata, and the Prometheus series kfrag_finding{kind,severity,zone}.
 * The guard's alerts come in through kf_check_add_guard(), so the guard's
 * findings are skipped here. Renders; computes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "kf_check.h"
#include "kf_report.h"

static enum kf_check_status status_of(enum kf_severity sev)
{
	return sev == KF_SEV_CRITICAL ? KF_CHECK_CRITICAL : sev == KF_SEV_WARNING ? KF_CHECK_WARNING : KF_CHECK_OK;
}

int kf_check_add_findings(struct kf_check_report *rep, const struct kf_findings *f)
{
	static const struct kf_threshold zero = { .on = true, .value = 0 }, off = { 0 };
	int nr[KF_SEV_NR] = { 0 };

	for (int i = 0; f && i < f->nr; i++) {
		const struct kf_finding *fi = &f->items[i];
		struct kf_check_result *r;
		char about[160], text[2 * KF_FINDING_TEXT_LEN + 16];

		if (fi->kind == KF_FIND_GUARD)
			continue;
		nr[fi->severity]++;
		kf_finding_about(fi, about, sizeof(about));
		kf_finding_text(fi, text, sizeof(text));
		if (kf_check_report_add(rep, status_of(fi->severity), "finding", "%s%s%s%s: %s", fi->kind_name,
					about[0] ? " (" : "", about, about[0] ? ")" : "", text) < 0)
			return -1;
		r = &rep->results[rep->nr_results - 1];
		snprintf(r->kind, sizeof(r->kind), "%s", fi->kind_name);
		if (fi->zone[0]) {
			r->node = fi->node;
			snprintf(r->zone, sizeof(r->zone), "%s", fi->zone);
		}
		r->pid = fi->pid;
		r->has_value = true;
		r->value = fi->measured;
	}
	if (kf_check_perf_add(rep, "findings_critical", nr[KF_SEV_CRITICAL], &off, &zero) < 0 ||
	    kf_check_perf_add(rep, "findings_warning", nr[KF_SEV_WARNING], &zero, &off) < 0 ||
	    kf_check_perf_add(rep, "findings_note", nr[KF_SEV_NOTE], &off, &off) < 0)
		return -1;
	return 0;
}

static bool same_series(const struct kf_finding *a, const struct kf_finding *b)
{
	return !strcmp(a->kind_name, b->kind_name) && a->severity == b->severity && !strcmp(a->zone, b->zone);
}

/* one series per kind, severity and zone, counting its findings; none when
 * there is no finding. Kind and zone names are the kernel's and kfrag's
 * ([A-Za-z0-9_]): nothing to escape */
int kf_check_prometheus_findings(const struct kf_findings *f, FILE *out)
{
	if (!f || !f->nr)
		return 0;	/* no series: a metric family without samples is no news either */
	fprintf(out, "# HELP kfrag_finding Findings of the last check (Documentation/trace/events-kmem.rst's "
		"interpretations and the guard's alerts) by kind, severity and zone (no zone label when not about one).\n"
		"# TYPE kfrag_finding gauge\n");
	for (int i = 0; f && i < f->nr; i++) {
		int n = 0;
		bool dup = false;

		for (int j = 0; j < i && !dup; j++)
			dup = same_series(&f->items[i], &f->items[j]);
		if (dup)
			continue;
		for (int j = i; j < f->nr; j++)
			n += same_series(&f->items[i], &f->items[j]);
		/* no zone="" placeholder: a finding not about a zone has no zone label */
		fprintf(out, "kfrag_finding{kind=\"%s\",severity=\"%s\"%s%s%s} %d\n", f->items[i].kind_name,
			kf_severity_names[f->items[i].severity], f->items[i].zone[0] ? ",zone=\"" : "",
			f->items[i].zone, f->items[i].zone[0] ? "\"" : "", n);
	}
	return ferror(out) ? -1 : 0;
}
