/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sources turn a trace into kf_events and hand them to a sink. They know
 * nothing of analysis. Offline sources: trace.dat (libtracecmd, every buffer
 * instance in it) and text (trace_pipe / trace / trace-cmd report formats),
 * told apart by content, never by file name.
 */
#ifndef KF_SOURCE_H
#define KF_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kf_event.h"
#include "kf_symbols.h"

struct kf_sink {
	void (*event)(void *ctx, const struct kf_event *ev);
	/* the ring buffer lost n events on cpu (n < 0: an unknown number) */
	void (*lost)(void *ctx, int cpu, long long n);
	void *ctx;
};
/* a reader tells progress after this many bytes more */
#define KF_PROGRESS_EVERY (64 * 1024)

enum kf_format {
	KF_FMT_UNKNOWN,
	KF_FMT_TRACEDAT,	/* trace-cmd's binary trace.dat */
	KF_FMT_TEXT_PIPE,	/* trace_pipe / trace, with or without irq-flags column */
	KF_FMT_TEXT_REPORT,	/* trace-cmd report, with or without "instance:" prefix */
};
extern const char *const kf_format_names[];

/* what a source read, for the report's "source" object */
struct kf_source_info {
	enum kf_format format;
	char *path;			/* "-" for stdin */
	int nr_cpus;
	char **buffers;			/* trace.dat: names of the buffers read ("" = top) */
	int nr_buffers;
	uint64_t lines;			/* text: lines read */
	uint64_t malformed;		/* text: lines that were not understood */
	uint64_t first_malformed_line;	/* text: line number of the first, 0 = none */
	uint64_t events;		/* events handed to the sink */
	uint64_t lost_events;		/* text: "CPU:N [LOST M EVENTS]" lines */
	/* set by the caller before kf_source_read, which keeps them: told
	 * every KF_PROGRESS_EVERY bytes read of the file, of total (its size,
	 * 0 for a pipe); NULL: nothing told */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

void kf_source_info_release(struct kf_source_info *info);

/* format of a file's first bytes */
enum kf_format kf_format_detect(const char *buf, size_t len);

/*
 * Reads path ("-" = stdin) whatever its format, feeding sink. Names of
 * enumerated values go into syms. On failure returns -1 and fills err
 * with a sentence naming the file and what is wrong.
 */
int kf_source_read(const char *path, struct kf_symbols *syms, const struct kf_sink *sink,
		   struct kf_source_info *info, char *err, size_t errlen);

/* the two readers kf_source_read dispatches to */
int kf_tracedat_read(const char *path, struct kf_symbols *syms, const struct kf_sink *sink,
		     struct kf_source_info *info, char *err, size_t errlen);
/* a trace.dat arriving on a stream (stdin): copied to an unnamed temporary file */
int kf_tracedat_read_stream(FILE *in, const char *head, size_t headlen, const char *path,
			    struct kf_symbols *syms, const struct kf_sink *sink,
			    struct kf_source_info *info, char *err, size_t errlen);
/* f is read to its end; head/headlen are bytes already read from it (may be 0) */
int kf_text_read(FILE *f, const char *path, const char *head, size_t headlen,
		 struct kf_symbols *syms, const struct kf_sink *sink,
		 struct kf_source_info *info, char *err, size_t errlen);

/* one text line into ev; 0 = event, 1 = not an event line (header, comment,
 * blank), 2 = a "[LOST N EVENTS]" line with *lost set, -1 = malformed */
int kf_text_parse_line(char *line, enum kf_format fmt, struct kf_symbols *syms,
		       struct kf_event *ev, long long *lost);

#endif
