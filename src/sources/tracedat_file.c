/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace.dat metadata (kf_tracedat_file.h). Only what kfrag needs is parsed:
 * header_page, the formats of the events kfrag decodes (not the hundreds
 * of others, nor kallsyms nor printk formats, which libtracecmd parses on
 * every open), the saved command lines, the buffers and their CPUs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "kf_event.h"
#include "kf_tracedat_file.h"
#include "kf_util.h"

/* version 7 section and option ids (trace-cmd.dat.v7) */
enum {
	OPT_DONE = 0, OPT_DATE = 1, OPT_BUFFER = 3, OPT_OFFSET = 7, OPT_CPUCOUNT = 8,
	OPT_TIME_SHIFT = 12, OPT_TSC2NSEC = 14, OPT_HEADER_INFO = 16, OPT_FTRACE_EVENTS = 17,
	OPT_EVENT_FORMATS = 18, OPT_KALLSYMS = 19, OPT_PRINTK = 20, OPT_CMDLINES = 21,
	OPT_BUFFER_TEXT = 22,
};
#define SEC_COMPRESSED 1
#define MAX_SECTION (256u << 20)	/* a metadata section larger than this is corrupt */
#define MAX_CPUS 65536

/* a bounded reader over [p, p + end) */
struct rd {
	const unsigned char *p;
	uint64_t pos, end;
	bool big;			/* numbers are big-endian */
	bool bad;
};

struct parse {
	struct kf_tdat *t;
	struct kf_file_error e;		/* e.code: -1 or 1 once something failed */
	char *scratch[8];		/* decompressed sections, freed at the end */
	int nr_scratch;
};

static const unsigned char *rd_bytes(struct rd *r, uint64_t n)
{
	const unsigned char *p;

	if (r->bad || n > r->end - r->pos) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint64_t rd_num(struct rd *r, int n)
{
	const unsigned char *p = rd_bytes(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * (r->big ? n - 1 - i : i));
	return v;
}

static const char *rd_str(struct rd *r)
{
	const unsigned char *p;
	const void *nul;

	if (r->bad)
		return NULL;
	p = r->p + r->pos;
	nul = memchr(p, '\0', r->end - r->pos);
	if (!nul) {
		r->bad = true;
		return NULL;
	}
	r->pos += (const unsigned char *)nul - p + 1;
	return (const char *)p;
}

static struct rd rd_at(const struct kf_tdat *t, uint64_t pos)
{
	struct rd r = { .p = t->map, .pos = pos, .end = t->size };

	r.big = t->big_endian;
	if (pos > t->size)
		r.bad = true;
	return r;
}

int kf_tdat_unzstd(void *dst, size_t size, const void *src, size_t zsize)
{
	size_t n = ZSTD_decompress(dst, size, src, zsize);

	return ZSTD_isError(n) || n != size ? -1 : 0;
}

/* a version 7 section at pos: its content, decompressed if need be */
static struct rd section(struct parse *ps, uint64_t pos, unsigned want_id)
{
	struct rd r = rd_at(ps->t, pos), body = { .big = ps->t->big_endian, .bad = true };
	unsigned id = rd_num(&r, 2), flags = rd_num(&r, 2);
	uint64_t size;
	const unsigned char *data;

	rd_num(&r, 4);			/* the description's string id */
	size = rd_num(&r, 8);
	data = rd_bytes(&r, size);
	if (!data) {
		kf_file_error(&ps->e, -1, "section at offset %llu runs past the end of the file (truncated file?)",
		     (unsigned long long)pos);
		return body;
	}
	if (id != want_id) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: section %u expected at offset %llu, found %u",
		     want_id, (unsigned long long)pos, id);
		return body;
	}
	body.p = data;
	body.end = size;
	body.bad = false;
	if (!(flags & SEC_COMPRESSED))
		return body;
	unsigned zsize = rd_num(&body, 4), usize = rd_num(&body, 4);
	const unsigned char *z = rd_bytes(&body, zsize);
	char *out = NULL;

	if (!ps->t->zstd) {
		kf_file_error(&ps->e, 1, "a compressed section in a file of another compression");
	} else if (!z || usize > MAX_SECTION || ps->nr_scratch == 8 || !(out = malloc(usize + 1))) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: compressed section at offset %llu does not fit",
		     (unsigned long long)pos);
	} else if (kf_tdat_unzstd(out, usize, z, zsize) < 0) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: the section at offset %llu does not decompress",
		     (unsigned long long)pos);
	} else {
		out[usize] = '\0';
		ps->scratch[ps->nr_scratch++] = out;
		return (struct rd) { .p = (unsigned char *)out, .end = usize, .big = ps->t->big_endian };
	}
	free(out);
	body.bad = true;
	return body;
}

/* header_page and header_event; the kernel's long size from header_page */
static void parse_header_info(struct parse *ps, struct rd *r)
{
	const unsigned char *name = rd_bytes(r, 12);
	uint64_t size = rd_num(r, 8);
	const unsigned char *page = rd_bytes(r, size);
	struct kf_tdat *t = ps->t;

	if (!name || !page || memcmp(name, "header_page", 12)) {
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: no header_page");
		return;
	}
	if (tep_parse_header_page(t->tep, (char *)page, size, t->long_size) < 0) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: header_page does not parse");
		return;
	}
	name = rd_bytes(r, 13);
	size = rd_num(r, 8);
	if (!name || !rd_bytes(r, size) || memcmp(name, "header_event", 13))
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: no header_event");
	if (tep_get_header_page_size(t->tep) == 4 || tep_get_header_page_size(t->tep) == 8)
		t->long_size = tep_get_header_page_size(t->tep);
}

/* "name: X\n..." names a kfrag event of system sys */
static bool wanted_format(const char *sys, const unsigned char *fmt, uint64_t size)
{
	char name[64];
	size_t n = 0;

	if (size < 7 || memcmp(fmt, "name: ", 6))
		return false;
	for (uint64_t i = 6; i < size && n < sizeof(name) - 1 && fmt[i] != '\n'; i++)
		name[n++] = fmt[i];
	name[n] = '\0';
	return kf_event_type_from_name(sys, name) != KF_EV_OTHER;
}

static void parse_event_formats(struct parse *ps, struct rd *r)
{
	unsigned nr_systems = rd_num(r, 4);

	for (unsigned s = 0; s < nr_systems && !r->bad; s++) {
		const char *sys = rd_str(r);
		unsigned nr = rd_num(r, 4);

		for (unsigned e = 0; e < nr && !r->bad; e++) {
			uint64_t size = rd_num(r, 8);
			const unsigned char *fmt = rd_bytes(r, size);

			/* a print format libtraceevent cannot parse still
			 * leaves the fields, which is all the decoder reads */
			if (fmt && wanted_format(sys, fmt, size))
				tep_parse_event(ps->t->tep, (const char *)fmt, size, sys);
		}
	}
	if (r->bad)
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: the event formats end early");
}

static void parse_cmdlines(struct parse *ps, const unsigned char *buf, uint64_t size)
{
	char *copy;

	if (!size)
		return;
	copy = malloc(size + 1);
	if (!copy) {
		kf_file_error(&ps->e, -1, "out of memory");
		return;
	}
	memcpy(copy, buf, size);
	copy[size] = '\0';
	tep_parse_saved_cmdlines(ps->t->tep, copy);
	free(copy);
}

static struct kf_tdat_buffer *add_buffer(struct parse *ps, const char *name)
{
	struct kf_tdat *t = ps->t;
	struct kf_tdat_buffer *grown = realloc(t->buffers, (t->nr_buffers + 1) * sizeof(*grown));

	if (!grown || !(name = strdup(name))) {
		if (grown)
			t->buffers = grown;
		kf_file_error(&ps->e, -1, "out of memory");
		return NULL;
	}
	t->buffers = grown;
	memset(&grown[t->nr_buffers], 0, sizeof(*grown));
	grown[t->nr_buffers].name = (char *)name;
	return &grown[t->nr_buffers++];
}

/* a CPU's data must lie in the file */
static bool cpu_in_file(struct parse *ps, const struct kf_tdat_buffer *b, const struct kf_tdat_cpu *c)
{
	if (c->size && (c->offset > ps->t->size || c->size > ps->t->size - c->offset)) {
		kf_file_error(&ps->e, -1, "the data of CPU %d%s%s runs past the end of the file (truncated file?)",
		     c->cpu, *b->name ? " of buffer " : "", b->name);
		return false;
	}
	return true;
}

static void alloc_cpus(struct parse *ps, struct kf_tdat_buffer *b, unsigned nr)
{
	if (nr > MAX_CPUS) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: %u CPUs", nr);
		return;
	}
	b->cpus = calloc(nr ? nr : 1, sizeof(*b->cpus));
	if (!b->cpus)
		kf_file_error(&ps->e, -1, "out of memory");
	else
		b->nr_cpus = nr;
}

/* ---- version 7 ---------------------------------------------------------- */

/* BUFFER option: offset, name, clock, page size, CPUs (id, offset, size) */
static void v7_buffer(struct parse *ps, struct rd *o)
{
	uint64_t sec = rd_num(o, 8);
	const char *name = rd_str(o);
	struct kf_tdat_buffer *b;
	unsigned nr;

	rd_str(o);			/* clock */
	rd_num(o, 4);			/* page size */
	nr = rd_num(o, 4);
	if (o->bad || !name) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: a BUFFER option is cut short");
		return;
	}
	b = *name ? add_buffer(ps, name) : &ps->t->buffers[0];
	if (!b)
		return;
	if (b->cpus) {
		kf_file_error(&ps->e, -1, "corrupt trace.dat: buffer '%s' is described twice", name);
		return;
	}
	/* the flyrecord section's header says whether its data is compressed */
	struct rd s = rd_at(ps->t, sec);

	rd_num(&s, 2);
	b->compressed = rd_num(&s, 2) & SEC_COMPRESSED;
	if (s.bad && nr)
		kf_file_error(&ps->e, -1, "the section of buffer '%s' lies past the end of the file (truncated file?)",
			      name);
	if (b->compressed && !ps->t->zstd)
		kf_file_error(&ps->e, 1, "data compressed other than with zstd");
	alloc_cpus(ps, b, nr);
	for (int i = 0; i < b->nr_cpus && !ps->e.code; i++) {
		struct kf_tdat_cpu *c = &b->cpus[i];

		c->cpu = rd_num(o, 4);
		c->offset = rd_num(o, 8);
		c->size = rd_num(o, 8);
		if (o->bad || c->cpu < 0 || c->cpu >= MAX_CPUS)
			kf_file_error(&ps->e, -1, "corrupt trace.dat: a BUFFER option is cut short or names CPU %d",
				      c->cpu);
		/* compressed: the size is of the data once uncompressed */
		if (b->compressed && c->offset > ps->t->size)
			kf_file_error(&ps->e, -1, "the data of CPU %d of buffer '%s' lies past the end of the file "
			     "(truncated file?)", c->cpu, name);
		else if (!b->compressed)
			cpu_in_file(ps, b, c);
	}
}

static void v7_option(struct parse *ps, unsigned id, struct rd *o)
{
	struct kf_tdat *t = ps->t;

	switch (id) {
	case OPT_DATE:
		/* as libtracecmd: the difference to the time of day, in us */
		t->ts_offset += strtoll((const char *)o->p + o->pos, NULL, 0) * 1000;
		break;
	case OPT_OFFSET:
		t->ts_offset += strtoll((const char *)o->p + o->pos, NULL, 0);
		break;
	case OPT_CPUCOUNT:
		t->nr_cpus = rd_num(o, 4);
		break;
	case OPT_BUFFER:
		v7_buffer(ps, o);
		break;
	case OPT_HEADER_INFO:
		t->header_info = rd_num(o, 8);
		break;
	case OPT_EVENT_FORMATS:
		t->event_formats = rd_num(o, 8);
		break;
	case OPT_CMDLINES:
		t->cmdlines = rd_num(o, 8);
		break;
	case OPT_FTRACE_EVENTS:
		t->ftrace_events = rd_num(o, 8);
		break;
	case OPT_KALLSYMS:
		t->kallsyms = rd_num(o, 8);
		break;
	case OPT_PRINTK:
		t->printk = rd_num(o, 8);
		break;
	case OPT_TIME_SHIFT:
	case OPT_TSC2NSEC:
	case OPT_BUFFER_TEXT:
		kf_file_error(&ps->e, 1, "guest time shifts, TSC conversion or latency data");
		break;
	default:
		break;
	}
}

/* one options section; returns the offset of the next, 0 = none */
static uint64_t v7_options(struct parse *ps, uint64_t pos)
{
	struct rd r = section(ps, pos, OPT_DONE);

	while (!ps->e.code && !r.bad) {
		unsigned id = rd_num(&r, 2);
		uint64_t size = rd_num(&r, 4);
		const unsigned char *data = rd_bytes(&r, size);
		char *copy;

		if (!data)
			break;
		if (id == OPT_DONE) {
			struct rd o = { .p = data, .end = size, .big = r.big };
			uint64_t next = rd_num(&o, 8);

			return o.bad ? 0 : next;
		}
		/* a NUL after the data, for the options that are strings */
		copy = malloc(size + 1);
		if (!copy) {
			kf_file_error(&ps->e, -1, "out of memory");
			break;
		}
		memcpy(copy, data, size);
		copy[size] = '\0';
		struct rd o = { .p = (unsigned char *)copy, .end = size, .big = r.big };

		v7_option(ps, id, &o);
		free(copy);
	}
	if (!ps->e.code)
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: an options section ends early");
	return 0;
}

static void parse_v7(struct parse *ps, struct rd *r)
{
	struct kf_tdat *t = ps->t;
	const char *comp = rd_str(r);
	uint64_t next;
	int sections = 0;

	rd_str(r);			/* compression version */
	next = rd_num(r, 8);
	if (r->bad) {
		kf_file_error(&ps->e, -1, "not a readable trace.dat (truncated or corrupt headers)");
		return;
	}
	if (strcmp(comp, "none") && strcmp(comp, "zstd")) {
		kf_file_error(&ps->e, 1, "compressed with %s", comp);
		return;
	}
	t->zstd = !strcmp(comp, "zstd");
	while (next && !ps->e.code && sections++ < 1024)
		next = v7_options(ps, next);
	if (ps->e.code)
		return;
	if (!t->header_info || !t->event_formats) {
		kf_file_error(&ps->e, -1, "not a readable trace.dat (truncated or corrupt headers): no event formats");
		return;
	}
	struct rd s = section(ps, t->header_info, OPT_HEADER_INFO);

	if (!ps->e.code)
		parse_header_info(ps, &s);
	s = section(ps, t->event_formats, OPT_EVENT_FORMATS);
	if (!ps->e.code)
		parse_event_formats(ps, &s);
	if (t->cmdlines && !ps->e.code) {
		s = section(ps, t->cmdlines, OPT_CMDLINES);
		uint64_t size = rd_num(&s, 8);
		const unsigned char *buf = rd_bytes(&s, size);

		if (buf)
			parse_cmdlines(ps, buf, size);
		else if (!ps->e.code)
			kf_file_error(&ps->e, -1, "corrupt trace.dat: the saved command lines end early");
	}
}

/* ---- version 6 ---------------------------------------------------------- */

#define MAX_V6_BUFFERS 64

struct v6_instance {
	const char *name;		/* in the options' copy */
	uint64_t offset;
};

/* options up to id 0; BUFFER options (offset, name) are gathered in inst */
static void v6_options(struct parse *ps, struct rd *r, struct v6_instance *inst, int *nr_inst,
		       char **keep)
{
	for (;;) {
		unsigned id = rd_num(r, 2);
		uint64_t size;
		const unsigned char *data;
		char *copy;

		if (r->bad || id == OPT_DONE)
			break;
		size = rd_num(r, 4);
		data = rd_bytes(r, size);
		if (!data || !inst)
			continue;
		copy = malloc(size + 1);
		if (!copy) {
			kf_file_error(&ps->e, -1, "out of memory");
			return;
		}
		memcpy(copy, data, size);
		copy[size] = '\0';
		struct rd o = { .p = (unsigned char *)copy, .end = size, .big = r->big };

		if (id == OPT_BUFFER && *nr_inst < MAX_V6_BUFFERS) {
			inst[*nr_inst].offset = rd_num(&o, 8);
			inst[*nr_inst].name = rd_str(&o);
			if (o.bad)
				kf_file_error(&ps->e, -1, "corrupt trace.dat: a BUFFER option is cut short");
			keep[(*nr_inst)++] = copy;
			continue;
		}
		if (id != OPT_BUFFER)
			v7_option(ps, id, &o);
		free(copy);
	}
	if (r->bad)
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: the options end early");
}

/* "options  " (options) "flyrecord" then (offset, size) per CPU */
static void v6_flyrecord(struct parse *ps, struct rd *r, struct kf_tdat_buffer *b,
			 struct v6_instance *inst, int *nr_inst, char **keep)
{
	const unsigned char *type = rd_bytes(r, 10);

	if (type && !memcmp(type, "options  ", 10)) {
		v6_options(ps, r, inst, nr_inst, keep);
		type = rd_bytes(r, 10);
	}
	if (ps->e.code)
		return;
	if (type && !memcmp(type, "latency  ", 10)) {
		kf_file_error(&ps->e, 1, "a latency trace");
		return;
	}
	if (!type || memcmp(type, "flyrecord", 10)) {
		kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: no flyrecord data");
		return;
	}
	alloc_cpus(ps, b, ps->t->nr_cpus);
	for (int c = 0; c < b->nr_cpus && !ps->e.code; c++) {
		b->cpus[c].cpu = c;
		b->cpus[c].offset = rd_num(r, 8);
		b->cpus[c].size = rd_num(r, 8);
		if (r->bad)
			kf_file_error(&ps->e, -1, "corrupt or truncated trace.dat: the CPU offsets end early");
		cpu_in_file(ps, b, &b->cpus[c]);
	}
}

static void v6_skip_sized(struct rd *r, int count_size, int size_size)
{
	uint64_t count = count_size ? rd_num(r, count_size) : 1;

	for (uint64_t i = 0; i < count && !r->bad; i++)
		rd_bytes(r, rd_num(r, size_size));
}

static void parse_v6(struct parse *ps, struct rd *r)
{
	struct v6_instance inst[MAX_V6_BUFFERS];
	char *keep[MAX_V6_BUFFERS];
	int nr_inst = 0;
	uint64_t size;
	const unsigned char *buf;

	parse_header_info(ps, r);
	v6_skip_sized(r, 4, 8);	/* ftrace formats */
	if (!ps->e.code)
		parse_event_formats(ps, r);
	v6_skip_sized(r, 0, 4);	/* kallsyms */
	v6_skip_sized(r, 0, 4);	/* printk formats */
	size = rd_num(r, 8);
	buf = rd_bytes(r, size);
	ps->t->nr_cpus = rd_num(r, 4);
	if (r->bad) {
		kf_file_error(&ps->e, -1, "not a readable trace.dat (truncated or corrupt headers)");
		return;
	}
	parse_cmdlines(ps, buf, size);
	if (!ps->e.code)
		v6_flyrecord(ps, r, &ps->t->buffers[0], inst, &nr_inst, keep);
	for (int i = 0; i < nr_inst; i++) {
		struct kf_tdat_buffer *b = ps->e.code ? NULL : add_buffer(ps, inst[i].name ? inst[i].name : "");
		struct rd at = rd_at(ps->t, inst[i].offset);

		if (b)
			v6_flyrecord(ps, &at, b, NULL, NULL, NULL);
		free(keep[i]);
	}
}

/* ---- the file ----------------------------------------------------------- */

int kf_tdat_parse(struct kf_tdat *t, const void *map, uint64_t size, const char *path,
		  char *err, size_t errlen)
{
	struct parse ps = { .t = t, .e = { .path = path, .buf = err, .len = errlen } };
	struct rd r = { .p = map, .end = size };
	const unsigned char *magic = rd_bytes(&r, 10);
	const char *version = rd_str(&r);
	const unsigned char *endian = rd_bytes(&r, 2);

	memset(t, 0, sizeof(*t));
	t->map = map;
	t->size = size;
	if (!magic || !version || !endian || memcmp(magic, "\027\010Dtracing", 10)) {
		kf_file_error(&ps.e, -1, "not a readable trace.dat (truncated or corrupt headers)");
		return ps.e.code;
	}
	t->version = atoi(version);
	t->big_endian = endian[0];
	t->long_size = endian[1];
	r.big = t->big_endian;
	t->page_size = rd_num(&r, 4);
	if (r.bad || (t->version != 6 && t->version != 7) || t->page_size < 64 ||
	    t->page_size > (1u << 24)) {
		kf_file_error(&ps.e, r.bad ? -1 : 1, "not a readable trace.dat (truncated or corrupt headers)");
		return ps.e.code;
	}
	t->tep = tep_alloc();
	if (!t->tep || !add_buffer(&ps, "")) {
		kf_file_error(&ps.e, -1, "out of memory");
		return ps.e.code;
	}
	tep_set_file_bigendian(t->tep, t->big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(t->tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? TEP_BIG_ENDIAN
				: TEP_LITTLE_ENDIAN);
	tep_set_long_size(t->tep, t->long_size);
	tep_set_page_size(t->tep, t->page_size);
	if (t->version == 7)
		parse_v7(&ps, &r);
	else
		parse_v6(&ps, &r);
	if (!ps.e.code && (t->nr_cpus < 0 || t->nr_cpus > MAX_CPUS))
		kf_file_error(&ps.e, -1, "corrupt trace.dat: %d CPUs", t->nr_cpus);
	if (!ps.e.code)
		tep_set_cpus(t->tep, t->nr_cpus);
	for (int i = 0; i < ps.nr_scratch; i++)
		free(ps.scratch[i]);
	return ps.e.code;
}

void kf_tdat_release(struct kf_tdat *t)
{
	for (int i = 0; i < t->nr_buffers; i++) {
		free(t->buffers[i].name);
		free(t->buffers[i].cpus);
	}
	free(t->buffers);
	if (t->tep)
		tep_free(t->tep);
	memset(t, 0, sizeof(*t));
}
