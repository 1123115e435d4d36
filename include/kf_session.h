/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One analysis run, as every front end starts it: the memory state read from
 * a proc root (zone spans for PFN attribution, migratetype names), the
 * symbol tables, and an engine with a sink feeding it.
 */
#ifndef KF_SESSION_H
#define KF_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "kf_engine.h"
#include "kf_proc.h"
#include "kf_source.h"
#include "kf_symbols.h"

struct kf_session {
	char *proc_root;
	struct kf_memstate mem_before;	/* read by kf_session_init */
	struct kf_memstate mem_after;	/* read by kf_session_read_after (live) */
	bool have_after;
	struct kf_symbols syms;
	struct kf_zone_span *spans;
	int nr_spans;
	struct kf_engine *engine;
	struct kf_sink sink;		/* feeds engine */
	struct kf_source_info source;	/* offline input, when there is one */
	bool offline;
};

int kf_session_init(struct kf_session *s, const char *proc_root, char *err, size_t errlen);
/* reads a trace file (any format, "-" = stdin) into the engine */
int kf_session_read_file(struct kf_session *s, const char *path, char *err, size_t errlen);
/* reads the memory state again at the end of a live window */
int kf_session_read_after(struct kf_session *s, char *err, size_t errlen);
void kf_session_release(struct kf_session *s);

#endif
