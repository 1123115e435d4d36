/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The findings as every front end shows them: the JSON array "findings"
 * (report, check --json) and the text lines (report's first section, check's
 * details, top's panel). Renders what kf_findings_evaluate() concluded;
 * computes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kf_report.h"

static json_t *int_or_null(int v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* whole numbers as integers, the rest rounded to what a person reads */
static json_t *number(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(round(v * 1e6) / 1e6);
}

static json_t *finding_json(const struct kf_finding *f)
{
	json_t *o = json_object(), *ev = json_object(), *units = json_object();

	json_object_set_new(o, "kind", json_string(f->kind_name));
	json_object_set_new(o, "severity", json_string(kf_severity_names[f->severity]));
	json_object_set_new(o, "node", int_or_null(f->node));
	json_object_set_new(o, "zone", str_or_null(f->zone));
	json_object_set_new(o, "cpu", int_or_null(f->cpu));
	json_object_set_new(o, "cpu_other", int_or_null(f->cpu_other));
	json_object_set_new(o, "pid", int_or_null(f->pid));
	json_object_set_new(o, "comm", str_or_null(f->comm));
	json_object_set_new(o, "subject", str_or_null(f->subject));
	json_object_set_new(o, "message", json_string(f->message));
	json_object_set_new(o, "action", json_string(f->action));
	if (f->threshold_key)
		json_object_set_new(o, "threshold", json_pack("{s:s,s:o,s:o}", "key", f->threshold_key,
							      "value", number(f->threshold),
							      "measured", number(f->measured)));
	else
		json_object_set_new(o, "threshold", json_null());
	for (int i = 0; i < f->nr_evidence; i++) {
		json_object_set_new(ev, f->evidence[i].name, number(f->evidence[i].value));
		json_object_set_new(units, f->evidence[i].name, json_string(f->evidence[i].unit));
	}
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "evidence_units", units);
	return o;
}

json_t *kf_findings_json(const struct kf_findings *f)
{
	json_t *a = json_array();

	for (int i = 0; f && i < f->nr; i++)
		json_array_append_new(a, finding_json(&f->items[i]));
	return a;
}

json_t *kf_findings_not_evaluated_json(const struct kf_findings *f)
{
	json_t *o = json_object();

	for (int k = 0; f && k < KF_FIND_NR; k++)
		if (f->not_evaluated[k][0])
			json_object_set_new(o, kf_finding_kind_names[k], json_string(f->not_evaluated[k]));
	return o;
}

/* "Normal, cpu0", "storm-4833 (pid 4833)", ... */
const char *kf_finding_about(const struct kf_finding *f, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (f->zone[0])
		n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", f->zone);
	if (f->cpu >= 0 && n < len)
		n += snprintf(buf + n, len - n, f->cpu_other >= 0 ? "%scpu%d -> cpu%d" : "%scpu%d",
			      n ? ", " : "", f->cpu, f->cpu_other);
	if (f->pid >= 0 && n < len)
		n += snprintf(buf + n, len - n, "%s%s-%d", n ? ", " : "", f->comm, f->pid);
	if (f->subject[0] && n < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", f->subject);
	return buf;
}

/* s with a full stop, unless it has one */
static const char *stop(const char *s)
{
	size_t n = strlen(s);

	return n && s[n - 1] == '.' ? "" : ".";
}

const char *kf_finding_text(const struct kf_finding *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s Action: %s%s", f->message, stop(f->message), f->action, stop(f->action));
	return buf;
}

void kf_finding_line(const struct kf_finding *f, FILE *out)
{
	char about[160], text[2 * KF_FINDING_TEXT_LEN + 16];

	kf_finding_about(f, about, sizeof(about));
	fprintf(out, "%-8s %s%s%s%s: %s\n", kf_severity_names[f->severity], f->kind_name,
		about[0] ? " (" : "", about, about[0] ? ")" : "", kf_finding_text(f, text, sizeof(text)));
}

int kf_findings_text(const struct kf_findings *f, FILE *out)
{
	int skipped = 0;

	fprintf(out, "== Findings (Documentation/trace/events-kmem.rst's interpretations; worst first) ==\n");
	if (!f || !f->nr)
		fprintf(out, "none: nothing above its threshold\n");
	for (int i = 0; f && i < f->nr; i++)
		kf_finding_line(&f->items[i], out);
	for (int k = 0; f && k < KF_FIND_NR; k++)
		if (f->not_evaluated[k][0])
			fprintf(out, "%s %s: %s", skipped++ ? "," : "not judged:", kf_finding_kind_names[k],
				f->not_evaluated[k]);
	fputs(skipped ? "\n" : "", out);
	return ferror(out) ? -1 : 0;
}
