/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report's per-CPU sections written value by value (report_json_cpus.c)
 * through one writer (report_json_dump.c) that either builds jansson values
 * or, when kfrag report prints the document, writes the text itself: a
 * report of hundreds of CPUs is tens of thousands of such values, and
 * building a json_t for each (an object a hash table) cost more than
 * printing them.
 */
#ifndef KF_REPORT_JSON_OUT_H
#define KF_REPORT_JSON_OUT_H

#include <stdbool.h>

#include "kf_report.h"

struct kf_jw;

/* a section of the report: one value (an object or an array) */
typedef void (*kf_jw_section)(struct kf_jw *w, const struct kf_report_input *in);

/*
 * The values: key names the member of the open object, NULL is the next
 * element of the open array (or the section's own value). leaf says the
 * container holds plain values only (an object: at most six), which the
 * printer keeps on one line, as kf_report_json_write lays out a document.
 */
void kf_jw_open(struct kf_jw *w, const char *key, bool array, bool leaf);
void kf_jw_close(struct kf_jw *w);
void kf_jw_int(struct kf_jw *w, const char *key, json_int_t v);
void kf_jw_real(struct kf_jw *w, const char *key, double v);
void kf_jw_string(struct kf_jw *w, const char *key, const char *v);
void kf_jw_null(struct kf_jw *w, const char *key);

/* sections left for the printer: each stands in the document as an empty
 * array of its own, which the printer replaces with the section's text */
#define KF_JW_DEFERRED_MAX 8
struct kf_jw_deferred {
	const struct kf_report_input *in;
	int nr;
	struct { const json_t *node; kf_jw_section fn; } at[KF_JW_DEFERRED_MAX];
};

/* the section's value: its jansson values when d is NULL (or full), else
 * the stand-in recorded in d */
json_t *kf_jw_section_value(struct kf_jw_deferred *d, kf_jw_section fn, const struct kf_report_input *in);

/* kf_report_json, the per-CPU sections deferred in d when not NULL */
json_t *kf_report_json_doc(const struct kf_report_input *in, struct kf_jw_deferred *d);

/* a migratetype's name (report_json.c) */
const char *kf_report_mt_name(const struct kf_symbols *syms, int mt, char *buf, size_t len);

/* report_json_cpus.c: "events", "cpus", the two arrays of "cross_cpu" and
 * "page_alloc" */
void kf_json_events(struct kf_jw *w, const struct kf_report_input *in);
void kf_json_cpus(struct kf_jw *w, const struct kf_report_input *in);
void kf_json_freed_on_other_cpu(struct kf_jw *w, const struct kf_report_input *in);
void kf_json_drained_on_other_cpu(struct kf_jw *w, const struct kf_report_input *in);
void kf_json_page_alloc(struct kf_jw *w, const struct kf_report_input *in);

#endif
