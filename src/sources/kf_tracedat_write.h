/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing trace-cmd's trace.dat (file format version 6, the one every
 * trace-cmd and libtracecmd reads) from raw ring-buffer pages.
 */
#ifndef KF_TRACEDAT_WRITE_H
#define KF_TRACEDAT_WRITE_H

#include <stddef.h>
#include <stdint.h>

struct kf_tracedat_cpu {
	int fd;			/* raw pages from offset 0, read with pread; -1 = none */
	uint64_t size;		/* bytes, a multiple of page_size */
	const char *stats;	/* per_cpu/cpuN/stats text for the CPUSTAT option, or NULL */
};

/* an option of trace-cmd's options section; ids trace-cmd does not know
 * are skipped by its readers (trace-input.c handle_options) */
struct kf_tracedat_option {
	uint16_t id;
	const void *data;
	uint32_t size;
};

/* kfrag's own: the memory state at the start and at the end of a recording
 * (kf_state.h); far above trace-cmd's ids, which count up from 0 */
#define KF_TRACEDAT_OPT_STATE	0x6b66	/* "kf" */

struct kf_tracedat_desc {
	const char *tracing_dir;	/* events/header_page, formats, saved_cmdlines */
	const char *instance_dir;	/* trace_clock of the buffer the pages came from */
	const char *const *events;	/* "system/event", the formats to include */
	int nr_events;
	int page_size;			/* ring-buffer sub-buffer size of the pages */
	int nr_cpus;
	const struct kf_tracedat_cpu *cpus;
	const char *extra_cmdlines;	/* "pid comm\n" lines added to saved_cmdlines, or NULL */
	const struct kf_tracedat_option *options;	/* written after trace-cmd's own */
	int nr_options;
};

/*
 * Writes path atomically (a temporary file beside it, fsync, rename): on
 * failure nothing is left and err says what went wrong.
 */
int kf_tracedat_write(const char *path, const struct kf_tracedat_desc *d,
		      char *err, size_t errlen);

#endif
