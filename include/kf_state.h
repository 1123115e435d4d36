/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory state a recording carries: the files of /proc and /sys that
 * kfrag reads (zoneinfo, buddyinfo, pagetypeinfo, vmstat, meminfo, uptime,
 * every readable vm sysctl, sched_ext's state, the status of the processes
 * the guard protects) and a memory-map summary, at the start and at the end
 * of the recording.
 *
 * An archive is plain text, one per moment, stored in the trace.dat as an
 * option of kfrag's own (KF_TRACEDAT_OPT_STATE) that trace-cmd skips:
 *
 *   kfrag-state 1 MOMENT\n			MOMENT: start or end
 *   time REALTIME_S\n
 *   file RELATIVE_PATH LENGTH\n BYTES \n	one per file
 *   end\n
 *
 * Paths are relative to a root file system ("proc/zoneinfo",
 * "sys/kernel/sched_ext/state", "kfrag/memmap.json"), so an extracted
 * moment is a --proc-root that every reader of kfrag takes.
 */
#ifndef KF_STATE_H
#define KF_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define KF_STATE_MAGIC		"kfrag-state 1 "
#define KF_STATE_MEMMAP		"kfrag/memmap.json"

/* one archive in memory */
struct kf_state_archive {
	char *buf;
	size_t len, cap;
	int err;		/* first errno (ENOMEM) */
};

/*
 * Reads the state of the machine at root ("/" live) into a new archive for
 * moment ("start" or "end"). Files that cannot be read are left out (a
 * non-root user has no pagetypeinfo); with memmap, the memory map is
 * scanned too when /proc/kpageflags can be read (about a second for 24 GiB:
 * kfrag record does it at the end only, so that tracing starts at once).
 * -1 (errno ENOMEM) only when out of memory. In src/run/state_capture.c.
 */
int kf_state_capture(const char *root, const char *moment, bool memmap, struct kf_state_archive *a);
void kf_state_archive_release(struct kf_state_archive *a);

/* adds one file to an archive (the capture's step, and tests') */
void kf_state_add(struct kf_state_archive *a, const char *rel, const char *data, size_t len);

/*
 * A recording's saved state, extracted into a private temporary directory:
 * start_root and end_root are proc roots (NULL when the moment is absent).
 */
struct kf_saved_state {
	char *dir;
	char *start_root, *end_root;
	double start_time, end_time;	/* seconds since the epoch, 0 unknown */
	int nr_files;
};

/*
 * Looks for saved state in a trace.dat (version 6, as kfrag record and
 * trace-cmd write it). 1: found and extracted; 0: the file has none (or is
 * not a trace.dat of version 6); -1 with err naming the file when it is
 * damaged or the extraction fails.
 */
int kf_saved_state_open(const char *trace, struct kf_saved_state *st, char *err, size_t errlen);
/* removes the temporary directory */
void kf_saved_state_release(struct kf_saved_state *st);

/* extracts one archive (data[len]) under dir/MOMENT/; the moment's name, or NULL
 * with err set when the archive is malformed */
const char *kf_state_extract(const char *data, size_t len, const char *dir, double *time,
			     int *nr_files, char *err, size_t errlen);

/*
 * The memory map saved under root (root/kfrag/memmap.json, a recording's
 * end; src/system/memmap_saved.c): 1 and *out when there is one, 0 when
 * root holds none, -1 (errno EINVAL, err naming the file) when damaged.
 */
struct kf_memmap;
int kf_memmap_load_saved(const char *root, struct kf_memmap **out, char *err, size_t errlen);

#endif
