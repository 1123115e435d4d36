/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding of binary trace records (trace.dat and live tracefs alike) into
 * kf_events. Each event and field is looked up once, when the decoder is
 * created; the hot path reads fields by offset.
 */
#ifndef KF_DECODE_H
#define KF_DECODE_H

#include <event-parse.h>

#include "kf_event.h"
#include "kf_symbols.h"

struct kf_decoder;

/* reads the symbol tables of tep's event formats into syms */
struct kf_decoder *kf_decoder_create(struct tep_handle *tep, struct kf_symbols *syms);
void kf_decoder_destroy(struct kf_decoder *d);
/* decoding leaves ev->comm NULL and comm_id 0: the caller names tasks
 * itself and asks kf_decoder_comm only for those it cannot name */
void kf_decoder_skip_comms(struct kf_decoder *d);
/* the trace's name of pid (saved_cmdlines), as decoding gives it; *id as kf_event.comm_id */
const char *kf_decoder_comm(struct kf_decoder *d, int pid, uint32_t *id);
/* fills ev from a record of size bytes (the event's fields, without the
 * ring buffer's header); every read is checked against size; returns ev->type */
enum kf_event_type kf_decoder_decode_raw(struct kf_decoder *d, const void *record, unsigned size,
					 uint64_t ts, int cpu, struct kf_event *ev);
/* fills ev from rec; returns ev->type */
enum kf_event_type kf_decoder_decode(struct kf_decoder *d, struct tep_record *rec,
				     struct kf_event *ev);

#endif
