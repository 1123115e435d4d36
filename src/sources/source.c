/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opens a trace file, tells its format from its first bytes, and hands it to its reader. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kf_source.h"

int kf_source_read(const char *path, struct kf_symbols *syms, const struct kf_sink *sink,
		   struct kf_source_info *info, char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	char head[4096];
	size_t n;
	int ret;

	void (*progress)(void *, uint64_t, uint64_t) = info->progress;
	void *progress_ctx = info->progress_ctx;

	memset(info, 0, sizeof(*info));
	info->progress = progress;
	info->progress_ctx = progress_ctx;
	info->path = strdup(path);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(head, 1, sizeof(head), f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = -1;
	} else if (n == 0) {
		snprintf(err, errlen, "%s: empty file: not a trace", path);
		errno = EINVAL;
		ret = -1;
	} else if (kf_format_detect(head, n) == KF_FMT_TRACEDAT) {
		if (is_stdin)
			ret = kf_tracedat_read_stream(f, head, n, "<stdin>", syms, sink, info, err, errlen);
		else
			ret = kf_tracedat_read(path, syms, sink, info, err, errlen);
	} else {
		ret = kf_text_read(f, is_stdin ? "<stdin>" : path, head, n, syms, sink, info, err, errlen);
	}
	if (!is_stdin)
		fclose(f);
	return ret;
}
