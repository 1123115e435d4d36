/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag's trace reader alone: kf_source_read (the same reader kfrag report
 * uses: the file's layout, kbuffer, the merge of CPUs, the decoder) into a
 * sink that only counts, so the benchmark can tell the reader's cost per
 * event from the engine's and the report's.
 *
 *   read_only TRACE
 */
#include <stdio.h>

#include "kf_source.h"

static void count(void *ctx, const struct kf_event *ev)
{
	(*(unsigned long long *)ctx)++;
}

int main(int argc, char **argv)
{
	unsigned long long n = 0;
	struct kf_sink sink = { .event = count, .ctx = &n };
	struct kf_source_info info = { 0 };	/* no progress callback */
	struct kf_symbols syms;
	char err[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: read_only TRACE\n");
		return 2;
	}
	kf_symbols_init(&syms);
	if (kf_source_read(argv[1], &syms, &sink, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "read_only: %s\n", err);
		return 1;
	}
	printf("%llu\n", n);
	kf_source_info_release(&info);
	kf_symbols_release(&syms);
	return 0;
}
