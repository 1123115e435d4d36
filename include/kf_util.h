/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the front ends. */
#ifndef KF_UTIL_H
#define KF_UTIL_H

#include <stdio.h>
#include <sys/types.h>

/*
 * Writing a file so that no reader ever sees half of it and nothing the user
 * had is lost on failure: data goes to a temporary file beside path
 * (O_EXCL, never following a symlink), and is renamed over path only by
 * kf_atomic_commit(). kf_atomic_abort() removes the temporary file.
 * The file gets mode & ~umask. A path that is a symbolic link is refused
 * (ELOOP), a directory too (EISDIR); one that is neither a regular file nor
 * those (/dev/null, a FIFO, a terminal) is written through, never replaced.
 * Temporary files that killed kfrag processes left beside path (their pid
 * is in the name) are removed.
 */
struct kf_atomic_file {
	FILE *fp;
	char *path;
	char *tmp_path;		/* NULL when writing through (direct) */
	int direct;		/* path is a device or FIFO, written in place */
	int cleanup_slot;	/* tmp_path's in kf_cleanup_add_temp, or -1 */
};

int kf_atomic_open(struct kf_atomic_file *af, const char *path, mode_t mode);
/* the same with mode exactly, whatever the umask (a file another user's
 * daemon must read: the Prometheus textfile) */
int kf_atomic_open_exact(struct kf_atomic_file *af, const char *path, mode_t mode);
int kf_atomic_commit(struct kf_atomic_file *af);	/* fflush, fsync, rename */
void kf_atomic_abort(struct kf_atomic_file *af);

/* seconds on CLOCK_MONOTONIC: for deadlines and rates, never for dates */
double kf_monotonic_s(void);

/* strtol/strtod with the whole string required; 0 or -1 */
int kf_parse_long(const char *s, long min, long max, long *out);
int kf_parse_double(const char *s, double min, double max, double *out);

/*
 * The error of reading one file, for a reader that goes on to the end of a
 * step and reports once: kf_file_error() keeps the first one, as "PATH:
 * message" in buf (len bytes, cut to fit), and the code it was given;
 * later ones follow from it and are dropped. code stays 0 until then.
 */
struct kf_file_error {
	const char *path;
	char *buf;
	size_t len;
	int code;
};

void kf_file_error(struct kf_file_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
