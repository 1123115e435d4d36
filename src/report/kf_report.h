/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Front ends of the report: a snapshot and the machine's memory state in,
 * a JSON document (jansson) or text tables out. Nothing here computes a
 * statistic of the trace; the fragmentation indices are the kernel's
 * formulas applied to the buddy lists the kernel reported.
 */
#ifndef KF_REPORT_H
#define KF_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "kf_engine.h"
#include "kf_findings.h"
#include "kf_guard.h"
#include "kf_live.h"
#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_run.h"
#include "kf_source.h"
#include "kf_symbols.h"

#define KF_SCHEMA_VERSION "2.0"

/* a measurement (kf_run.h) and how to show it */
struct kf_report_input {
	const struct kf_measurement *m;
	bool by_comm;				/* merge processes by command name */
	bool memmap_full;			/* --memmap: every pageblock, RLE */
	const char *memmap_error;		/* no map: why, as the report says it */
};

json_t *kf_report_json(const struct kf_report_input *in);
/* the report as indented JSON and a newline on out; 0 or -1 */
int kf_report_json_write(const json_t *doc, FILE *out);
/* kf_report_json and kf_report_json_write, the document in an arena */
int kf_report_json_emit(const struct kf_report_input *in, FILE *out);
int kf_report_text(const struct kf_report_input *in, FILE *out);
/* --interval N [--count M] (src/report/report_interval.c): a report per
 * interval on out, a JSON line or a text row; r opened in STREAM (live) or
 * REPLAY (in_trace) mode; -1 with err when the source or the output failed */
struct kf_report_opts_interval {
	double interval;	/* seconds: wall time live, trace time in a trace */
	long count;		/* 0 = until the trace ends or a signal */
	bool text, by_comm, in_trace;
};
int kf_report_intervals(struct kf_run *r, const struct kf_report_opts_interval *o, FILE *out,
			struct kf_run_error *err);

/* one self-contained SVG: memory map, timeline, zones (src/report/report_svg.c) */
int kf_report_svg(const struct kf_report_input *in, FILE *out);

/* the guard alone, as the report renders it (src/report_guard.c): the JSON
 * object "guard" and the text section; check and top use them too */
json_t *kf_guard_json(const struct kf_guard_input *in, const struct kf_guard_result *res);
/* the tasks that woke kcompactd (compaction.kcompactd.wakers) */
json_t *kf_kcompactd_wakers_json(const struct kf_snapshot *s);
int kf_guard_text(const struct kf_guard_input *in, const struct kf_guard_result *res, FILE *out);

/* the findings (src/report/report_findings.c): the JSON array "findings",
 * the kinds not judged and why, one line per finding (check, top), and the
 * text section report puts first */
json_t *kf_findings_json(const struct kf_findings *f);
json_t *kf_findings_not_evaluated_json(const struct kf_findings *f);
const char *kf_finding_about(const struct kf_finding *f, char *buf, size_t len);
/* "message. Action: action." */
const char *kf_finding_text(const struct kf_finding *f, char *buf, size_t len);
void kf_finding_line(const struct kf_finding *f, FILE *out);
int kf_findings_text(const struct kf_findings *f, FILE *out);

/* where the protected processes' locked pages sit in the memory map
 * (src/report_memmap.c): per process and zone, by kind of pageblock */
json_t *kf_memmap_protected_json(const struct kf_memmap *m, const struct kf_guard_input *gi);
/* the memory map's per-zone summary as a text table */
int kf_memmap_text(const struct kf_memmap *m, FILE *out);

#endif
