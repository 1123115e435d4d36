/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace.dat decode path: records of the fuzzer's against real event
 * formats. The formats (and so the field offsets and sizes the decoder
 * trusts) come from the trace.dat fixture named by KF_FUZZ_TRACEDAT
 * (default: tests/data/tracedat/compaction-mlocked-moved/trace.dat of the
 * source tree); the first two bytes of an input choose the event among
 * those the decoder knows, the rest is the record's payload, as a ring
 * buffer would hand it over (kf_decoder_decode_raw, used by the live and
 * the trace.dat readers alike). Seeds: fuzz/seeds_decode.sh cuts real
 * records out of the fixture with trace-cmd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "kf_decode.h"

#ifndef KF_FUZZ_TRACEDAT
#define KF_FUZZ_TRACEDAT "tests/data/tracedat/compaction-mlocked-moved/trace.dat"
#endif

static struct tracecmd_input *handle;
static struct tep_handle *tep;
static struct kf_symbols syms;
static struct kf_decoder *decoder;
static int *ids;
static int nr_ids;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("KF_FUZZ_TRACEDAT");
	struct tep_event **events;

	(void)argc;
	(void)argv;
	if (!path)
		path = KF_FUZZ_TRACEDAT;
	handle = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!handle) {
		fprintf(stderr, "fuzz_decode: cannot open the formats' trace.dat %s\n", path);
		exit(1);
	}
	tep = tracecmd_get_tep(handle);
	kf_symbols_init(&syms);
	decoder = kf_decoder_create(tep, &syms);
	events = tep_list_events(tep, TEP_EVENT_SORT_ID);
	for (int i = 0; events && events[i]; i++)
		nr_ids++;
	ids = calloc((size_t)nr_ids + 1, sizeof(*ids));
	if (!decoder || !ids)
		exit(1);
	for (int i = 0; i < nr_ids; i++)
		ids[i] = events[i]->id;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kf_event ev;
	uint8_t *record;
	int id;

	if (size < 2 || nr_ids == 0)
		return 0;
	id = ids[(data[0] | data[1] << 8) % nr_ids];
	/* an exact copy: reading past the payload is an ASan report */
	record = malloc(size - 2 + 2);
	if (!record)
		return 0;
	memcpy(record, data + 2, size - 2);
	/* the common_type field carries the event id, as in the ring buffer */
	if (size - 2 >= 2) {
		record[0] = (uint8_t)id;
		record[1] = (uint8_t)(id >> 8);
	}
	kf_decoder_decode_raw(decoder, record, (unsigned)(size - 2), 1000, 0, &ev);
	free(record);
	return 0;
}
