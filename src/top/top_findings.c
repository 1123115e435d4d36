/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's findings: the worst one on the header's guard line, and all
 * of them, worst first, with their evidence and action on the screen 'f'
 * opens. Draws what the measurement concluded; computes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "kf_report.h"
#include "top_draw.h"

static attr_t sev_attr(enum kf_severity sev)
{
	return sev >= KF_SEV_CRITICAL ? AT_CRIT : sev >= KF_SEV_WARNING ? AT_WARN : 0;
}

/* "[f]indings 0C 1W 2N: zone_lock_contention (Normal, cpu0)": the counts by
 * severity and the worst, from column x of line y */
void top_findings_line(const struct kf_top_view *v, int y, int x)
{
	const struct kf_findings *f = v->have_findings ? &v->findings : NULL;
	int nr[KF_SEV_NR] = { 0 };
	char buf[320], about[160];

	if (!f || x >= COLS - 4)
		return;
	for (int i = 0; i < f->nr; i++)
		nr[f->items[i].severity]++;
	if (!f->nr) {
		top_put(y, x, COLS - x, "  [f]indings: none", AT_OK, false);
		return;
	}
	kf_finding_about(&f->items[0], about, sizeof(about));
	snprintf(buf, sizeof(buf), "  [f]indings %dC %dW %dN: %s%s%s%s", nr[KF_SEV_CRITICAL], nr[KF_SEV_WARNING],
		 nr[KF_SEV_NOTE], f->items[0].kind_name, about[0] ? " (" : "", about, about[0] ? ")" : "");
	top_put(y, x, COLS - x, buf, sev_attr(f->worst), false);
}

/* every finding: a line of its kind and subject, its conclusion, its action, its evidence */
void top_draw_findings(const struct kf_top_view *v)
{
	const struct kf_findings *f = v->have_findings ? &v->findings : NULL;
	char buf[2 * KF_FINDING_TEXT_LEN], about[160];
	int y = 0;

	erase();
	top_put(y++, 0, COLS, "kfrag top: findings, worst first (Documentation/trace/events-kmem.rst's "
		"interpretations and the guard's alerts); any key returns", A_BOLD, true);
	if (!f || !f->nr)
		top_put(y++, 0, COLS, f ? "none: nothing above its threshold" : "not evaluated (out of memory)", AT_OK, true);
	for (int i = 0; f && i < f->nr && y < LINES - 1; i++) {
		const struct kf_finding *fi = &f->items[i];
		size_t n = 0;

		y++;
		kf_finding_about(fi, about, sizeof(about));
		snprintf(buf, sizeof(buf), "%-8s %s%s%s%s", kf_severity_names[fi->severity], fi->kind_name,
			 about[0] ? " (" : "", about, about[0] ? ")" : "");
		top_put(y++, 0, COLS, buf, sev_attr(fi->severity) | A_BOLD, true);
		if (y < LINES - 1)
			top_put(y++, 2, COLS - 2, fi->message, 0, true);
		snprintf(buf, sizeof(buf), "-> %s", fi->action);
		if (y < LINES - 1)
			top_put(y++, 2, COLS - 2, buf, AT_HOT, true);
		buf[0] = '\0';
		for (int e = 0; e < fi->nr_evidence && n < sizeof(buf) - 64; e++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s=%.6g%s%s", e ? "  " : "", fi->evidence[e].name,
				      fi->evidence[e].value, fi->evidence[e].unit[0] ? " " : "", fi->evidence[e].unit);
		if (y < LINES - 1)
			top_put(y++, 2, COLS - 2, buf, A_DIM, true);
	}
}
