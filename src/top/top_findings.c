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

/* the findings screen's lines, written when they fall in the window
 * [first, first + rows) of the screen's content, from screen line y0 */
struct fscreen {
	int first, rows, y0;
	int n;			/* lines so far */
};

static void fline(struct fscreen *fs, int x, const char *text, attr_t at)
{
	if (fs->n >= fs->first && fs->n < fs->first + fs->rows)
		top_put(fs->y0 + fs->n - fs->first, x, COLS - x, text, at, true);
	fs->n++;
}

/* text wrapped between words at the screen's width from column x: no word
 * of a conclusion, an action or a number is cut at the edge */
static void fwrapped(struct fscreen *fs, int x, const char *text, attr_t at)
{
	int n = top_wrap(text, COLS - x, -1, NULL, NULL);

	for (int k = 0; k < n; k++) {
		char line[2 * KF_FINDING_TEXT_LEN];
		const char *start;
		int len;

		top_wrap(text, COLS - x, k, &start, &len);
		snprintf(line, sizeof(line), "%.*s", len, start);
		fline(fs, x, line, at);
	}
}

static void one_finding(struct fscreen *fs, const struct kf_finding *fi)
{
	char buf[2 * KF_FINDING_TEXT_LEN], about[160];
	size_t n = 0;

	fline(fs, 0, "", 0);
	kf_finding_about(fi, about, sizeof(about));
	snprintf(buf, sizeof(buf), "%-8s %s%s%s%s", kf_severity_names[fi->severity], fi->kind_name,
		 about[0] ? " (" : "", about, about[0] ? ")" : "");
	fwrapped(fs, 0, buf, sev_attr(fi->severity) | A_BOLD);
	fwrapped(fs, 2, fi->message, 0);
	snprintf(buf, sizeof(buf), "-> %s", fi->action);
	fwrapped(fs, 2, buf, AT_HOT);
	buf[0] = '\0';
	for (int e = 0; e < fi->nr_evidence && n < sizeof(buf) - 64; e++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s=%.6g%s%s", e ? "  " : "", fi->evidence[e].name,
			      fi->evidence[e].value, fi->evidence[e].unit[0] ? " " : "", fi->evidence[e].unit);
	fwrapped(fs, 2, buf, A_DIM);
}

/* every finding, worst first: its kind and subject, conclusion, action and
 * evidence, wrapped; from content line *scroll (clamped here), with the
 * screen's room and the lines there are in geo for the keys */
void top_draw_findings(const struct kf_top_view *v, int scroll, struct kf_top_geometry *geo)
{
	const struct kf_findings *f = v->have_findings ? &v->findings : NULL;
	struct fscreen fs = { .rows = LINES > 3 ? LINES - 2 : 1, .y0 = 1 };
	char foot[160];

	erase();
	top_put(0, 0, COLS, "kfrag top: findings, worst first (events-kmem.rst, the guard)", A_BOLD, true);
	/* counted first, drawn second: the scroll is clamped to what there is */
	fs.first = 1 << 30;
	for (int i = 0; f && i < f->nr; i++)
		one_finding(&fs, &f->items[i]);
	geo->findings_lines = fs.n;
	geo->findings_visible = fs.rows;
	fs.first = scroll > fs.n - fs.rows ? fs.n - fs.rows : scroll;
	if (fs.first < 0)
		fs.first = 0;
	fs.n = 0;
	if (!f || !f->nr)
		fline(&fs, 0, f ? "none: nothing above its threshold" : "not evaluated (out of memory)", AT_OK);
	for (int i = 0; f && i < f->nr; i++)
		one_finding(&fs, &f->items[i]);
	if (geo->findings_lines > fs.rows)
		snprintf(foot, sizeof(foot), "lines %d-%d of %d: Up/Down, PgUp/PgDn, Home/End scroll; any other key returns",
			 fs.first + 1, fs.first + fs.rows, geo->findings_lines);
	else
		snprintf(foot, sizeof(foot), "any key returns");
	top_put(LINES - 1, 0, COLS, foot, A_DIM, true);
}
