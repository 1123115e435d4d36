/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the rules of the findings share (src/core/findings*.c): the context
 * of one evaluation and the helpers that fill a finding. Private to the core.
 */
#ifndef KF_FINDINGS_RULES_H
#define KF_FINDINGS_RULES_H

#include "kf_findings.h"

struct finding_ctx {
	const struct kf_findings_config *cfg;
	const struct kf_findings_input *in;
	const struct kf_snapshot *snap;	/* NULL: no trace */
	double window_s;		/* > 0 when rates can be computed */
	long page_size;
	struct kf_findings *out;
	int failed;			/* out of memory: the evaluation fails */
};

/* one level of a rule: a threshold, its key in kfrag.conf, the severity it gives */
struct level {
	const struct kf_threshold *t;
	const char *key;
	enum kf_severity sev;
};

/* the first level (most severe first) whose threshold value is above; NULL when none */
const struct level *level_above(const struct level *levels, int nr, double value);

/* a new finding about nothing yet (node, cpu, pid -1); NULL and x->failed when out of memory */
struct kf_finding *finding_new(struct finding_ctx *x, enum kf_finding_kind kind, const struct level *lv,
			       double measured);
void finding_evidence(struct kf_finding *f, const char *name, double value, const char *unit);
void finding_message(struct kf_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_action(struct kf_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_zone(struct kf_finding *f, const struct kf_snapshot *s, int zone);
/* why a kind could not be judged */
void finding_skip(struct finding_ctx *x, enum kf_finding_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* was the event traced: known from the source, else from its count */
bool ev_traced(const struct finding_ctx *x, enum kf_event_type t);
/* "Normal", "unknown" */
const char *zone_label(const struct kf_snapshot *s, int zone);
/* a rate or count for a sentence: "61780", "38.7", "0.42" (buf of 32) */
const char *fmt_num(double v, char *buf);
/* the process of pid in the snapshot, NULL when absent */
const struct kf_proc_stats *snap_proc(const struct kf_snapshot *s, int pid);

/* the rules, one file per family */
void rules_pcp(struct finding_ctx *x);		/* zone->lock, unbatched frees, pcp imbalance */
void rules_frag(struct finding_ctx *x);		/* external fragmentation, high order */
void rules_compaction(struct finding_ctx *x);	/* compaction cost, direct compaction */

#endif
