/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text trace parser (trace_pipe, trace, trace-cmd report formats):
 * format detection, then the whole stream through kf_text_read as
 * kfrag report --input reads it. Seeds: tests/data/text.
 */
#include <stdio.h>

#include "kf_source.h"

static void on_event(void *ctx, const struct kf_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void on_lost(void *ctx, int cpu, long long n)
{
	(void)ctx;
	(void)cpu;
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kf_sink sink = { on_event, on_lost, NULL };
	struct kf_source_info info = { 0 };
	struct kf_symbols syms;
	char err[512];
	FILE *f;

	if (size == 0)
		return 0;
	(void)kf_format_detect((const char *)data, size);
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	kf_symbols_init(&syms);
	kf_text_read(f, "fuzz-input", NULL, 0, &syms, &sink, &info, err, sizeof(err));
	fclose(f);
	kf_source_info_release(&info);
	kf_symbols_release(&syms);
	return 0;
}
