/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a source read: format names and the info struct's memory. */
#include <stdlib.h>
#include <string.h>

#include "kf_source.h"

/* as the report's "source.type" prints them */
const char *const kf_format_names[] = {
	[KF_FMT_UNKNOWN] = "unknown",
	[KF_FMT_TRACEDAT] = "trace.dat",
	[KF_FMT_TEXT_PIPE] = "trace_pipe",
	[KF_FMT_TEXT_REPORT] = "trace-cmd-report",
};

void kf_source_info_release(struct kf_source_info *info)
{
	if (!info)
		return;
	free(info->path);
	for (int i = 0; i < info->nr_buffers; i++)
		free(info->buffers[i]);
	free(info->buffers);
	memset(info, 0, sizeof(*info));
}
