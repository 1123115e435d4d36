/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layout of a trace.dat (versions 6 and 7, uncompressed or zstd, as
 * trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v6/v7 describe them),
 * read from the file mapped in memory: the event formats kfrag decodes, the
 * saved command lines, and where each buffer's per-CPU ring-buffer pages
 * are. Every offset and size is checked against the file.
 */
#ifndef KF_TRACEDAT_FILE_H
#define KF_TRACEDAT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event-parse.h>

struct kf_tdat_cpu {
	int cpu;
	uint64_t offset, size;		/* of its data in the file */
};

struct kf_tdat_buffer {
	char *name;			/* "" = the top buffer */
	bool compressed;		/* data in zstd chunks */
	int nr_cpus;
	struct kf_tdat_cpu *cpus;
};

struct kf_tdat {
	const unsigned char *map;
	uint64_t size;
	int version;
	bool big_endian;
	int long_size;			/* the kernel's, from header_page */
	unsigned page_size;
	bool zstd;
	struct tep_handle *tep;
	int nr_cpus;			/* CPUs of the traced machine */
	long long ts_offset;		/* DATE and OFFSET options */
	struct kf_tdat_buffer *buffers;	/* [0] is the top buffer */
	int nr_buffers;
	/* version 7: sections by the options that point at them (the others
	 * for tools that copy a file: bench/spread_cpus.c) */
	uint64_t header_info, event_formats, cmdlines;
	uint64_t ftrace_events, kallsyms, printk;
};

/* 0 = parsed; -1 = a bad file, err says why ("truncated" or "corrupt");
 * 1 = a valid kind of trace.dat this reader does not handle (another
 * compression, a latency trace, guest time shifts): use libtracecmd */
int kf_tdat_parse(struct kf_tdat *t, const void *map, uint64_t size, const char *path,
		  char *err, size_t errlen);
void kf_tdat_release(struct kf_tdat *t);

/* a zstd frame of zsize bytes into exactly size bytes; 0 or -1 */
int kf_tdat_unzstd(void *dst, size_t size, const void *src, size_t zsize);

#endif
