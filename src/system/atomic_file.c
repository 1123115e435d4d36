/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files written to a temporary name and renamed, strict number parsing, the monotonic clock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kf_util.h"

int kf_atomic_open(struct kf_atomic_file *af, const char *path, mode_t mode)
{
	int fd = -1;

	memset(af, 0, sizeof(*af));
	af->path = strdup(path);
	if (!af->path || asprintf(&af->tmp_path, "%s.kfrag-tmp.XXXXXX", path) < 0) {
		af->tmp_path = NULL;
		goto fail;
	}
	/* mkstemp opens O_EXCL: a symlink planted at the name is never followed */
	fd = mkostemp(af->tmp_path, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, mode) < 0)
		goto fail;
	af->fp = fdopen(fd, "w");
	if (!af->fp)
		goto fail;
	return 0;
fail:
	if (fd >= 0) {
		int saved = errno;

		close(fd);
		unlink(af->tmp_path);
		errno = saved;
	}
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
	return -1;
}

int kf_atomic_commit(struct kf_atomic_file *af)
{
	int ret = 0;

	if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) < 0)
		ret = -1;
	if (fclose(af->fp) != 0)
		ret = -1;
	af->fp = NULL;
	/* rename replaces a symlink at path itself, never the file it points to */
	if (ret == 0 && rename(af->tmp_path, af->path) < 0)
		ret = -1;
	if (ret < 0) {
		int saved = errno;

		unlink(af->tmp_path);
		errno = saved;
	}
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
	return ret;
}

void kf_atomic_abort(struct kf_atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp_path)
		unlink(af->tmp_path);
	free(af->path);
	free(af->tmp_path);
	memset(af, 0, sizeof(*af));
}

int kf_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int kf_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

double kf_monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
