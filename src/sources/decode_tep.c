/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Binary records (trace.dat, live ring buffers) to kf_events.
 *
 * Each event kfrag knows is described once by a table of (kernel field,
 * kf_event member) pairs. kf_decoder_create() resolves those against the
 * trace's own formats into (offset, size, sign) triples, indexed by event
 * id, so decoding a record is a table lookup and a few loads.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kf_decode.h"

struct field_spec {
	const char *name;		/* kernel field */
	size_t dest;			/* offsetof(struct kf_event, ...) */
	unsigned dest_size;		/* 4 or 8 */
};

#define F(kname, member) { kname, offsetof(struct kf_event, member), sizeof(((struct kf_event *)0)->member) }
#define END { NULL, 0, 0 }

static const struct field_spec page_fields[] = {
	F("pfn", page.pfn), F("order", page.order), F("migratetype", page.migratetype),
	F("gfp_flags", page.gfp_flags), F("percpu_refill", page.percpu_refill), END
};
static const struct field_spec extfrag_fields[] = {
	F("pfn", extfrag.pfn), F("alloc_order", extfrag.alloc_order),
	F("fallback_order", extfrag.fallback_order),
	F("alloc_migratetype", extfrag.alloc_migratetype),
	F("fallback_migratetype", extfrag.fallback_migratetype),
	F("change_ownership", extfrag.change_ownership), END
};
static const struct field_spec compact_fields[] = {
	F("zone_start", compact.zone_start), F("migrate_pfn", compact.migrate_pfn),
	F("free_pfn", compact.free_pfn), F("zone_end", compact.zone_end),
	F("sync", compact.sync), F("status", compact.status), END
};
static const struct field_spec isolate_fields[] = {
	F("start_pfn", isolate.start_pfn), F("end_pfn", isolate.end_pfn),
	F("nr_scanned", isolate.nr_scanned), F("nr_taken", isolate.nr_taken), END
};
static const struct field_spec compact_migrate_fields[] = {
	F("nr_migrated", compact_migrate.nr_migrated), F("nr_failed", compact_migrate.nr_failed), END
};
static const struct field_spec compact_zone_fields[] = {
	F("nid", compact_zone.nid), F("idx", compact_zone.zone_idx), F("order", compact_zone.order),
	F("ret", compact_zone.ret), F("order_failed", compact_zone.ret), END
};
static const struct field_spec kcompactd_fields[] = {
	F("nid", kcompactd.nid), F("order", kcompactd.order),
	F("highest_zoneidx", kcompactd.zone_idx), F("classzone_idx", kcompactd.zone_idx), END
};
static const struct field_spec try_compact_fields[] = {
	F("order", try_compact.order), F("gfp_mask", try_compact.gfp_mask),
	F("prio", try_compact.prio), END
};
static const struct field_spec migrate_fields[] = {
	F("succeeded", migrate.succeeded), F("failed", migrate.failed),
	F("thp_succeeded", migrate.thp_succeeded), F("thp_failed", migrate.thp_failed),
	F("thp_split", migrate.thp_split), F("large_folio_split", migrate.large_folio_split),
	F("mode", migrate.mode), F("reason", migrate.reason), END
};
static const struct field_spec migration_pte_fields[] = {
	F("addr", migration_pte.addr), F("pte", migration_pte.pte),
	F("order", migration_pte.order), END
};
static const struct field_spec fault_fields[] = {
	F("address", fault.address), F("ip", fault.ip), F("error_code", fault.error_code), END
};

static const struct field_spec *const specs[KF_EV_NR] = {
	[KF_EV_PAGE_ALLOC] = page_fields,
	[KF_EV_PAGE_ALLOC_ZONE_LOCKED] = page_fields,
	[KF_EV_PAGE_FREE] = page_fields,
	[KF_EV_PAGE_FREE_BATCHED] = page_fields,
	[KF_EV_PAGE_PCPU_DRAIN] = page_fields,
	[KF_EV_PAGE_ALLOC_EXTFRAG] = extfrag_fields,
	[KF_EV_COMPACTION_BEGIN] = compact_fields,
	[KF_EV_COMPACTION_END] = compact_fields,
	[KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES] = isolate_fields,
	[KF_EV_COMPACTION_ISOLATE_FREEPAGES] = isolate_fields,
	[KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES] = isolate_fields,
	[KF_EV_COMPACTION_MIGRATEPAGES] = compact_migrate_fields,
	[KF_EV_COMPACTION_FINISHED] = compact_zone_fields,
	[KF_EV_COMPACTION_SUITABLE] = compact_zone_fields,
	[KF_EV_COMPACTION_DEFERRED] = compact_zone_fields,
	[KF_EV_COMPACTION_DEFER_COMPACTION] = compact_zone_fields,
	[KF_EV_COMPACTION_DEFER_RESET] = compact_zone_fields,
	[KF_EV_COMPACTION_KCOMPACTD_WAKE] = kcompactd_fields,
	[KF_EV_COMPACTION_KCOMPACTD_SLEEP] = kcompactd_fields,
	[KF_EV_COMPACTION_WAKEUP_KCOMPACTD] = kcompactd_fields,
	[KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES] = try_compact_fields,
	[KF_EV_MIGRATE_PAGES] = migrate_fields,
	[KF_EV_MIGRATE_PAGES_START] = migrate_fields,
	[KF_EV_SET_MIGRATION_PTE] = migration_pte_fields,
	[KF_EV_REMOVE_MIGRATION_PTE] = migration_pte_fields,
	[KF_EV_PAGE_FAULT_USER] = fault_fields,
};

#define MAX_FIELDS 8
#define COMM_CACHE_SIZE 64	/* a power of two */
/* the events kfrag decodes, by id: an open-addressed table, never indexed by
 * the raw id (a trace may number its events up to INT_MAX) */
#define ID_SLOTS 64		/* a power of two, over twice KF_EV_OTHER */
/* ids below this (the kernel numbers its events from a few dozen up to a
 * few thousand) find their slot in one load, without the table's probe */
#define ID_DIRECT 4096

struct resolved_field {
	unsigned src_offset;
	unsigned src_size;
	bool is_signed;
	unsigned dest;
	unsigned dest_size;
};

/* a field whose kf_event member has its size: a plain copy (the sign of
 * a 4-byte field does not matter when the member has 4 bytes too) */
struct field_copy {
	uint16_t src, dest;
};

struct event_decoder {
	int id;				/* -1 = an empty slot */
	enum kf_event_type type;
	int nr_fields;
	unsigned fields_end;		/* a record this long holds every field */
	struct resolved_field fields[MAX_FIELDS];
	/* the same fields for the usual record (whole, this machine's byte
	 * order), split by what they need: copies of 8 and of 4 bytes, and
	 * the rest (sign or zero extension, 1 and 2 bytes), so that decoding
	 * loops without a branch on each field's size */
	struct kf_event blank;		/* zeros and set_defaults' values */
	uint8_t nr_copy8, nr_copy4, nr_convert;
	struct field_copy copy8[MAX_FIELDS], copy4[MAX_FIELDS];
	struct resolved_field convert[MAX_FIELDS];
};

struct kf_decoder {
	struct tep_handle *tep;
	bool swap;			/* trace from a machine of the other endianness */
	bool no_comms;			/* kf_decoder_skip_comms */
	unsigned type_offset, type_size;	/* common_type: the event id */
	unsigned pid_offset, pid_size;
	/* the kernel's header (a 2-byte id, a 4-byte pid) in this machine's
	 * byte order: the common case, read without a branch on the sizes; a
	 * record header_end long holds both */
	bool native_header;
	unsigned header_end;
	struct event_decoder by_id[ID_SLOTS];
	/* id -> its slot, NULL: not an event kfrag decodes */
	struct event_decoder *direct[ID_DIRECT];
	/* comm look-ups are cached: CPUs interleave, so a few pids alternate */
	struct {
		int pid;
		uint32_t id;		/* kf_event.comm_id: new with each look-up */
		const char *comm;
	} comm_cache[COMM_CACHE_SIZE];
};

/* kf_event.comm_id: one count for every decoder, so that two decoders (two
 * buffers' formats) never give one id to two names */
static uint32_t comm_ids;

static unsigned id_slot(int id)
{
	return ((unsigned)id * 2654435761u) >> 26;	/* top 6 bits: ID_SLOTS */
}

static inline struct event_decoder *decoder_find(struct kf_decoder *d, int id)
{
	if ((unsigned)id < ID_DIRECT)
		return d->direct[id];
	for (unsigned i = 0, s = id_slot(id); i < ID_SLOTS; i++, s = (s + 1) & (ID_SLOTS - 1)) {
		if (d->by_id[s].id == id)
			return &d->by_id[s];
		if (d->by_id[s].id < 0)
			return NULL;
	}
	return NULL;
}

static struct event_decoder *decoder_slot_new(struct kf_decoder *d, int id)
{
	for (unsigned i = 0, s = id_slot(id); i < ID_SLOTS; i++, s = (s + 1) & (ID_SLOTS - 1))
		if (d->by_id[s].id < 0 || d->by_id[s].id == id) {
			d->by_id[s].id = id;
			if ((unsigned)id < ID_DIRECT)
				d->direct[id] = &d->by_id[s];
			return &d->by_id[s];
		}
	return NULL;
}

/* a field the decoder may read: a whole integer inside any record the
 * kernel can write (a ring-buffer event is at most a page) */
static bool field_usable(const struct tep_format_field *f)
{
	return f->offset >= 0 && f->offset <= 65535 &&
	       (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8);
}

/* symbol tables bound to these field names go to these kinds */
static const struct {
	const char *field;
	enum kf_symtab_kind kind;
} symbol_fields[] = {
	{ "status", KF_SYM_COMPACT_STATUS },
	{ "ret", KF_SYM_COMPACT_STATUS },
	{ "idx", KF_SYM_ZONE_TYPE },
	{ "highest_zoneidx", KF_SYM_ZONE_TYPE },
	{ "mode", KF_SYM_MIGRATE_MODE },
	{ "reason", KF_SYM_MIGRATE_REASON },
};

static const char *print_arg_field_name(const struct tep_print_arg *arg)
{
	while (arg && arg->type == TEP_PRINT_TYPE)
		arg = arg->typecast.item;
	return arg && arg->type == TEP_PRINT_FIELD ? arg->field.name : NULL;
}

/* finds every __print_symbolic() in the print format, however deeply nested */
static int collect_symbols(const struct tep_print_arg *arg, struct kf_symbols *syms)
{
	for (; arg; arg = arg->next) {
		switch (arg->type) {
		case TEP_PRINT_SYMBOL: {
			const char *field = print_arg_field_name(arg->symbol.field);

			for (size_t i = 0; field && i < sizeof(symbol_fields) / sizeof(symbol_fields[0]); i++) {
				if (strcmp(field, symbol_fields[i].field) != 0)
					continue;
				for (const struct tep_print_flag_sym *s = arg->symbol.symbols; s; s = s->next)
					if (kf_symbols_set(syms, symbol_fields[i].kind,
							   strtoll(s->value, NULL, 0), s->str) < 0)
						return -1;
			}
			break;
		}
		case TEP_PRINT_OP:
			if (collect_symbols(arg->op.left, syms) < 0 ||
			    collect_symbols(arg->op.right, syms) < 0)
				return -1;
			break;
		case TEP_PRINT_TYPE:
			if (collect_symbols(arg->typecast.item, syms) < 0)
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* sorts the resolved fields into copies and conversions (event_decoder) */
static void plan_fields(struct event_decoder *ed)
{
	ed->nr_copy8 = ed->nr_copy4 = ed->nr_convert = 0;
	for (int i = 0; i < ed->nr_fields; i++) {
		const struct resolved_field *f = &ed->fields[i];
		struct field_copy copy = { (uint16_t)f->src_offset, (uint16_t)f->dest };

		if (f->src_size == 8 && f->dest_size == 8)
			ed->copy8[ed->nr_copy8++] = copy;
		else if (f->src_size == 4 && f->dest_size == 4)
			ed->copy4[ed->nr_copy4++] = copy;
		else
			ed->convert[ed->nr_convert++] = *f;
	}
}

static void set_defaults(struct kf_event *ev)
{
	switch (ev->type) {
	case KF_EV_PAGE_FREE:
	case KF_EV_PAGE_FREE_BATCHED:
		ev->page.migratetype = -1;	/* frees carry no migratetype */
		break;
	case KF_EV_PAGE_ALLOC_EXTFRAG:
		ev->extfrag.fragmenting = -1;	/* derived by the engine from pageblock_order */
		ev->extfrag.pageblock_order = -1;	/* a constant of the print format, not a field */
		break;
	case KF_EV_COMPACTION_BEGIN:
		ev->compact.status = -1;
		break;
	default:
		break;
	}
}

static void resolve_event(struct event_decoder *ed, struct tep_event *event, enum kf_event_type type)
{
	ed->type = type;
	memset(&ed->blank, 0, sizeof(ed->blank));
	ed->blank.type = type;
	set_defaults(&ed->blank);
	ed->nr_fields = 0;
	ed->fields_end = 0;
	for (const struct field_spec *s = specs[type]; s && s->name; s++) {
		struct tep_format_field *f = tep_find_field(event, s->name);

		if (!f || ed->nr_fields == MAX_FIELDS || !field_usable(f))
			continue;
		ed->fields[ed->nr_fields++] = (struct resolved_field) {
			.src_offset = f->offset,
			.src_size = f->size,
			.is_signed = f->flags & TEP_FIELD_IS_SIGNED,
			.dest = s->dest,
			.dest_size = s->dest_size,
		};
		if ((unsigned)(f->offset + f->size) > ed->fields_end)
			ed->fields_end = f->offset + f->size;
	}
	plan_fields(ed);
}

/* common_type and common_pid: where the id and the pid are, the same in
 * every event; the kernel's layout unless the formats say otherwise */
static void resolve_common(struct kf_decoder *d, struct tep_event *event)
{
	struct tep_format_field *pid = tep_find_common_field(event, "common_pid");
	struct tep_format_field *id = tep_find_common_field(event, "common_type");

	if (id && field_usable(id)) {
		d->type_offset = id->offset;
		d->type_size = id->size;
	}
	if (pid && field_usable(pid)) {
		d->pid_offset = pid->offset;
		d->pid_size = pid->size;
	}
}

struct kf_decoder *kf_decoder_create(struct tep_handle *tep, struct kf_symbols *syms)
{
	struct tep_event **events = tep_list_events(tep, TEP_EVENT_SORT_ID);
	int nr = tep_get_events_count(tep);
	struct kf_decoder *d;

	if (!events && nr > 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->tep = tep;
	d->swap = tep_is_file_bigendian(tep) != tep_is_local_bigendian(tep);
	for (int i = 0; i < COMM_CACHE_SIZE; i++)
		d->comm_cache[i].pid = -1;
	for (int i = 0; i < ID_SLOTS; i++)
		d->by_id[i].id = -1;
	d->type_offset = 0;
	d->type_size = 2;
	d->pid_offset = 4;
	d->pid_size = 4;
	for (int i = 0; i < nr; i++) {
		struct tep_event *event = events[i];
		enum kf_event_type type = kf_event_type_from_name(event->system, event->name);
		struct event_decoder *ed;

		resolve_common(d, event);
		if (type == KF_EV_OTHER || event->id < 0)
			continue;
		ed = decoder_slot_new(d, event->id);
		if (!ed)
			continue;	/* more kfrag events than slots: cannot happen */
		resolve_event(ed, event, type);
		if (collect_symbols(event->print_fmt.args, syms) < 0) {
			kf_decoder_destroy(d);
			errno = ENOMEM;
			return NULL;
		}
	}
	d->native_header = !d->swap && d->type_size == 2 && d->pid_size == 4;
	d->header_end = d->type_offset + d->type_size;
	if (d->pid_offset + d->pid_size > d->header_end)
		d->header_end = d->pid_offset + d->pid_size;
	return d;
}

void kf_decoder_destroy(struct kf_decoder *d)
{
	if (!d)
		return;
	free(d);
}

static inline uint64_t native_load(const void *p, unsigned size, bool is_signed)
{
	switch (size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); return is_signed ? (uint64_t)(int64_t)(int8_t)v : v; }
	case 2: { uint16_t v; memcpy(&v, p, 2); return is_signed ? (uint64_t)(int64_t)(int16_t)v : v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return is_signed ? (uint64_t)(int64_t)(int32_t)v : v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static inline uint64_t load(const struct kf_decoder *d, const void *p, unsigned size, bool is_signed)
{
	if (d->swap)
		return tep_read_number(d->tep, p, size);
	return native_load(p, size, is_signed);
}

static inline void store_field(struct kf_event *ev, const struct resolved_field *f, uint64_t v)
{
	if (f->dest_size == 8) {
		memcpy((char *)ev + f->dest, &v, 8);
	} else {
		uint32_t v32 = (uint32_t)v;

		memcpy((char *)ev + f->dest, &v32, 4);
	}
}

/* does [offset, offset + size) lie inside a record of rec_size bytes */
static inline bool inside(unsigned offset, unsigned size, unsigned rec_size)
{
	return offset <= rec_size && size <= rec_size - offset;
}


static inline const char *comm_cached(struct kf_decoder *d, int pid, uint32_t *id)
{
	unsigned slot = (unsigned)pid & (COMM_CACHE_SIZE - 1);

	if (d->comm_cache[slot].pid != pid) {
		d->comm_cache[slot].pid = pid;
		d->comm_cache[slot].comm = tep_data_comm_from_pid(d->tep, pid);
		if (!++comm_ids)
			comm_ids = 1;		/* 0 says "no id" */
		d->comm_cache[slot].id = comm_ids;
	}
	*id = d->comm_cache[slot].id;
	return d->comm_cache[slot].comm;
}

void kf_decoder_skip_comms(struct kf_decoder *d)
{
	d->no_comms = true;
}

const char *kf_decoder_comm(struct kf_decoder *d, int pid, uint32_t *id)
{
	return comm_cached(d, pid, id);
}

/* the event of a record kfrag does not analyse, or too short to say */
static enum kf_event_type decode_other(struct kf_event *ev, uint64_t ts, int cpu, int pid,
				       const char *comm, uint32_t comm_id)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts = ts;
	ev->cpu = cpu;
	ev->pid = pid;
	ev->comm = comm;
	ev->comm_id = comm_id;
	ev->type = KF_EV_OTHER;
	return ev->type;
}

/* decode_raw sets the header's members one by one and copies the rest */
_Static_assert(offsetof(struct kf_event, page) ==
	       offsetof(struct kf_event, comm) + sizeof(((struct kf_event *)0)->comm),
	       "kf_event's header ends with comm: decode_raw sets each member before it");

/* the usual record, whole and in this machine's byte order: the plan's
 * copies. Its counts are read once: a store into ev could, for all the
 * compiler knows, change them */
static inline void copy_fields(const struct event_decoder *ed, const unsigned char *data,
			       struct kf_event *ev)
{
	const unsigned n8 = ed->nr_copy8, n4 = ed->nr_copy4, nc = ed->nr_convert;

	for (unsigned i = 0; i < n8; i++)
		memcpy((char *)ev + ed->copy8[i].dest, data + ed->copy8[i].src, 8);
	for (unsigned i = 0; i < n4; i++)
		memcpy((char *)ev + ed->copy4[i].dest, data + ed->copy4[i].src, 4);
	for (unsigned i = 0; i < nc; i++)
		store_field(ev, &ed->convert[i], native_load(data + ed->convert[i].src_offset,
							     ed->convert[i].src_size,
							     ed->convert[i].is_signed));
}

/* the header, then the event's members: zeros and the event's defaults
 * (the blank), for what the record says to go over */
static inline void start_event(struct kf_event *ev, const struct event_decoder *ed, uint64_t ts,
			       int cpu, int pid, const char *comm, uint32_t comm_id)
{
	memcpy(&ev->page, &ed->blank.page, sizeof(*ev) - offsetof(struct kf_event, page));
	ev->type = ed->type;
	ev->ts = ts;
	ev->cpu = cpu;
	ev->pid = pid;
	ev->comm = comm;
	ev->comm_id = comm_id;
}

/* any record: short ones, other byte orders and header layouts */
static __attribute__((noinline)) enum kf_event_type
decode_general(struct kf_decoder *d, const unsigned char *data, unsigned size, uint64_t ts,
	       int cpu, struct kf_event *ev)
{
	const struct event_decoder *ed;
	const char *comm = NULL;
	uint32_t comm_id = 0;
	int id, pid = 0;

	if (!inside(d->type_offset, d->type_size, size))
		return decode_other(ev, ts, cpu, 0, NULL, 0);
	id = (int)load(d, data + d->type_offset, d->type_size, false);
	if (inside(d->pid_offset, d->pid_size, size)) {
		pid = (int32_t)load(d, data + d->pid_offset, d->pid_size, true);
		if (!d->no_comms)
			comm = comm_cached(d, pid, &comm_id);
	}
	ed = decoder_find(d, id);
	if (!ed)
		return decode_other(ev, ts, cpu, pid, comm, comm_id);
	start_event(ev, ed, ts, cpu, pid, comm, comm_id);
	if (!d->swap && size >= ed->fields_end) {
		copy_fields(ed, data, ev);
		return ed->type;
	}
	for (int i = 0; i < ed->nr_fields; i++) {
		const struct resolved_field *f = &ed->fields[i];

		if (!inside(f->src_offset, f->src_size, size))
			continue;	/* a short record: leave the member zero */
		store_field(ev, f, load(d, data + f->src_offset, f->src_size, f->is_signed));
	}
	return ed->type;
}

enum kf_event_type kf_decoder_decode_raw(struct kf_decoder *d, const void *record, unsigned size,
					 uint64_t ts, int cpu, struct kf_event *ev)
{
	const unsigned char *data = record;

	/* the usual record of an event kfrag decodes: the kernel's header,
	 * every field there, this machine's byte order */
	if (d->native_header && size >= d->header_end) {
		const struct event_decoder *ed;
		const char *comm = NULL;
		uint32_t comm_id = 0;
		uint16_t id;
		int32_t pid;

		memcpy(&id, data + d->type_offset, sizeof(id));
		memcpy(&pid, data + d->pid_offset, sizeof(pid));
		ed = decoder_find(d, id);
		if (ed && size >= ed->fields_end) {
			if (!d->no_comms)
				comm = comm_cached(d, pid, &comm_id);
			start_event(ev, ed, ts, cpu, pid, comm, comm_id);
			copy_fields(ed, data, ev);
			return ed->type;
		}
	}
	return decode_general(d, data, size, ts, cpu, ev);
}

enum kf_event_type kf_decoder_decode(struct kf_decoder *d, struct tep_record *rec, struct kf_event *ev)
{
	return kf_decoder_decode_raw(d, rec->data, rec->size > 0 ? (unsigned)rec->size : 0,
				     rec->ts, rec->cpu, ev);
}
