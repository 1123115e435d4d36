/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text traces: the kernel's trace_pipe / trace output (with or without the
 * irq-flags column) and `trace-cmd report` (with or without an "instance:"
 * prefix). Lines are parsed by hand, in place, without allocating: the hot
 * path must keep up with millions of lines a second.
 *
 *   trace_pipe:  "    bash-4676    [000] .....   211.950454: mm_page_free: page=... pfn=0x1 order=0"
 *   report:      "cap3:   bash-4830  [001]   288.670319: mm_page_free:         page=0x1 pfn=0x1 order=0"
 *
 * Also understood: the record-tgid column "(  4676)", trace-cmd report -l
 * ("bash-4830  1.....  288.670319:") and --ts-diff ("288.670319: (+30)"),
 * nanosecond timestamps, CRLF line ends, and the lost-events lines of both.
 *
 * What text cannot give back: gfp_flags/gfp_mask are printed as symbolic
 * flag names whose values only the binary format knows, so they are 0 here
 * unless printed as a number. trace_pipe prints page= as a hashed pointer,
 * trace-cmd report as the pfn; only pfn= is used.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kf_source.h"
#include "kf_text.h"

static const char tracedat_magic[] = "\x17\x08\x44tracing";

/* the common part of an event line, as offsets into it */
struct header {
	const char *comm;
	size_t comm_len;
	int32_t pid;
	int32_t cpu;
	uint64_t ts;
	const char *name;		/* event name, not terminated */
	size_t name_len;		/* 0: no "name:" after the timestamp */
	const char *fields;
	bool prefix;			/* "instance:" before the comm */
	bool flags;			/* irq-flags column before the timestamp */
	bool padded;			/* "name:" followed by more than one space */
};

/* event names seen so far: a line's type costs a few length compares and
 * one memcmp instead of a strcmp against every known name */

/* "211.950454" (microseconds) or "211.950454123" (nanoseconds) then ':' */
static const char *parse_ts(const char *p, uint64_t *ts)
{
	uint64_t sec = 0, frac = 0;
	int n = 0;

	if (!is_digit(*p))
		return NULL;
	while (is_digit(*p))
		sec = sec * 10 + (unsigned)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (is_digit(*p)) {
			if (n < 9) {
				frac = frac * 10 + (unsigned)(*p - '0');
				n++;
			}
			p++;
		}
		if (n == 0)
			return NULL;
		for (int i = n; i < 9; i++)
			frac *= 10;
		*ts = sec * 1000000000ull + frac;
	} else {
		*ts = sec;	/* a counter clock: no unit to convert */
	}
	return *p == ':' ? p + 1 : NULL;
}

/* a leading "name:" followed by blanks: trace-cmd's instance prefix */
static const char *skip_prefix(const char *p, bool *had)
{
	const char *q = p;

	*had = false;
	if (is_space(*p) || *p == '\0')
		return p;
	while (*q && !is_space(*q))
		q++;
	if (q - p < 2 || q[-1] != ':' || !is_space(*q))
		return p;
	*had = true;
	while (is_space(*q))
		q++;
	return q;
}

/* the first " [digits]" of the line: the CPU column; NULL if none */
static const char *find_cpu_bracket(const char *p, const char **close)
{
	const char *b, *r;

	for (b = p; (b = strchr(b, '[')) != NULL; b++) {
		if (b == p || !is_space(b[-1]) || !is_digit(b[1]))
			continue;
		for (r = b + 1; is_digit(*r); r++)
			;
		if (*r == ']') {
			*close = r;
			return b;
		}
	}
	return NULL;
}

/*
 * The latency format (trace-cmd report -l, the latency-format option):
 * "comm-pid  CPUflags  ts:", CPU and flags in one column, e.g. "0.....".
 * Returns that column's start, its end in *col_end; NULL if not found.
 */
static const char *find_latency_column(const char *p, const char **col_end)
{
	for (const char *t = strchr(p, ' '); t; t = strchr(t + 1, ' ')) {
		const char *c, *ce = t;
		uint64_t ts;

		while (is_space(*t))
			t++;
		if (!*t)
			return NULL;	/* trailing blanks: strchr(t + 1) would read past the end */
		if (!is_digit(*t))
			continue;
		for (c = t; *c && !is_space(*c); c++)
			;
		if (!is_space(*c))
			return NULL;
		ce = c;
		while (is_space(*c))
			c++;
		if (parse_ts(c, &ts)) {
			*col_end = ce;
			return t;
		}
		t = ce - 1;
	}
	return NULL;
}

/* the CPU column: "[003]", or the latency format's leading digits; its
 * start, with *end past it; NULL when there is none */
static const char *header_cpu(const char *p, struct header *h, const char **end)
{
	const char *b, *s, *r = NULL;
	uint64_t v;

	b = find_cpu_bracket(p, &r);
	if (b) {
		if (kf_text_parse_num(b + 1, (size_t)(r - b - 1), 10, &v) < 0 || v > INT32_MAX)
			return NULL;
		r++;
	} else {
		b = find_latency_column(p, &r);
		if (!b)
			return NULL;
		for (s = b, v = 0; is_digit(*s) && v <= INT32_MAX; s++)
			v = v * 10 + (unsigned)(*s - '0');
		if (v > INT32_MAX)
			return NULL;
		h->flags = true;
	}
	h->cpu = (int32_t)v;
	*end = r;
	return b;
}

/* comm-pid between p and the CPU column at b, possibly followed by the
 * "(  tgid)" of the record-tgid option; 0 or -1 */
static int header_task(const char *p, const char *b, struct header *h)
{
	const char *e = b, *s;
	uint64_t v;

	while (e > p && is_space(e[-1]))
		e--;
	if (e > p && e[-1] == ')') {
		while (e > p && e[-1] != '(')
			e--;
		if (e == p)
			return -1;
		e--;
		while (e > p && is_space(e[-1]))
			e--;
	}
	for (s = e; s > p && is_digit(s[-1]); s--)
		;
	if (s == e || s - 1 <= p || s[-1] != '-')
		return -1;
	if (kf_text_parse_num(s, (size_t)(e - s), 10, &v) < 0 || v > INT32_MAX)
		return -1;
	h->pid = (int32_t)v;
	h->comm = p;
	h->comm_len = (size_t)(s - 1 - p);
	return 0;
}

/* after the CPU column: the optional irq-flags column, the timestamp, an
 * optional "(+delta)", then "name: fields"; 0 or -1 */
static int header_event(const char *r, struct header *h)
{
	const char *s;

	if (!is_space(*r))
		return -1;
	while (is_space(*r))
		r++;
	s = parse_ts(r, &h->ts);
	if (!s) {
		while (*r && !is_space(*r))
			r++;
		while (is_space(*r))
			r++;
		s = parse_ts(r, &h->ts);
		if (!s)
			return -1;
		h->flags = true;
	}
	if (*s && !is_space(*s))
		return -1;
	while (is_space(*s))
		s++;
	if (s[0] == '(' && (s[1] == '+' || s[1] == '-')) {
		/* trace-cmd report --ts-diff: "(+30)" */
		while (*s && *s != ')')
			s++;
		if (*s)
			s++;
		while (is_space(*s))
			s++;
	}
	for (r = s; (*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') || is_digit(*r) || *r == '_'; r++)
		;
	if (r > s && *r == ':' && (is_space(r[1]) || r[1] == '\0')) {
		h->name = s;
		h->name_len = (size_t)(r - s);
		r++;
		h->padded = is_space(r[0]) && is_space(r[1]);
		while (is_space(*r))
			r++;
		h->fields = r;
	} else {
		h->fields = s;	/* not an event (function tracer, printk...) */
	}
	return 0;
}

/*
 * "[comm-pid] [(tgid)] [CPU] [flags] ts: [(+delta)] name: fields". The comm
 * may hold spaces, dashes and colons; the pid follows its last dash, the
 * CPU is the first " [digits]".
 */
static int parse_header(const char *line, bool try_prefix, struct header *h)
{
	const char *p = line, *b, *r = NULL;

	memset(h, 0, sizeof(*h));
	if (try_prefix)
		p = skip_prefix(line, &h->prefix);
	while (is_space(*p))
		p++;
	b = header_cpu(p, h, &r);
	if (!b || header_task(p, b, h) < 0)
		return -1;
	return header_event(r, h);
}

/*
 * "CPU:1 [LOST 123 EVENTS]", "CPU:1 [LOST EVENTS]" (trace_pipe),
 * "CPU:1 [123 EVENTS DROPPED]", "CPU:1 [EVENTS DROPPED]" (trace-cmd report).
 * 0 with *cpu, *n (-1 when unknown) set; -1 when it is not such a line.
 */
static int parse_lost(const char *p, int32_t *cpu, long long *n, bool *report)
{
	uint64_t v = 0;
	const char *q;

	if (strncmp(p, "CPU:", 4) != 0)
		return -1;
	p += 4;
	for (q = p; is_digit(*q); q++)
		;
	if (q == p || kf_text_parse_num(p, (size_t)(q - p), 10, &v) < 0 || v > INT32_MAX)
		return -1;
	*cpu = (int32_t)v;
	if (strncmp(q, " [", 2) != 0)
		return -1;
	p = q + 2;
	*report = false;
	if (strncmp(p, "LOST ", 5) == 0) {
		p += 5;
		if (strcmp(p, "EVENTS]") == 0) {
			*n = -1;
			return 0;
		}
		for (q = p; is_digit(*q); q++)
			;
		if (q == p || strcmp(q, " EVENTS]") != 0 || kf_text_parse_num(p, (size_t)(q - p), 10, &v) < 0)
			return -1;
		*n = (long long)v;
		return 0;
	}
	*report = true;
	if (strcmp(p, "EVENTS DROPPED]") == 0) {
		*n = -1;
		return 0;
	}
	for (q = p; is_digit(*q); q++)
		;
	if (q == p || strcmp(q, " EVENTS DROPPED]") != 0 || kf_text_parse_num(p, (size_t)(q - p), 10, &v) < 0)
		return -1;
	*n = (long long)v;
	return 0;
}

static enum kf_event_type lookup_type(const char *name, size_t len, struct kf_text_names *nc)
{
	char buf[64];
	enum kf_event_type t;

	int i;

	for (i = 0; nc && i < nc->nr; i++)
		if (nc->len[i] == len && memcmp(nc->name[i], name, len) == 0)
			return nc->type[i];
	if (len >= sizeof(buf))
		return KF_EV_OTHER;
	memcpy(buf, name, len);
	buf[len] = '\0';
	t = kf_event_type_from_name(NULL, buf);
	if (nc && len < sizeof(nc->name[0])) {
		i = nc->nr < KF_TEXT_NAMES ? nc->nr++ : KF_TEXT_NAMES - 1;
		memcpy(nc->name[i], name, len);
		nc->len[i] = (unsigned char)len;
		nc->type[i] = t;
	}
	return t;
}

static char *skip_blank(char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

int kf_text_parse_cached(char *line, enum kf_format fmt, struct kf_symbols *syms,
			 struct kf_event *ev, long long *lost, struct kf_text_names *nc)
{
	struct header h;
	char *p, *e;
	bool try_prefix = fmt != KF_FMT_TEXT_PIPE, rep;

	e = line + strlen(line);
	while (e > line && (e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	p = skip_blank(line);
	if (*p == '\0' || *p == '#')
		return 1;
	/* trace-cmd report's header lines */
	if (strncmp(p, "cpus=", 5) == 0 || strncmp(p, "version = ", 10) == 0)
		return 1;

	memset(ev, 0, sizeof(*ev));
	if (*p == 'C' || try_prefix) {
		bool had;
		const char *q = try_prefix ? skip_prefix(p, &had) : p;
		int32_t cpu;

		if (parse_lost(q, &cpu, lost, &rep) == 0) {
			ev->cpu = cpu;
			ev->pid = -1;
			ev->type = KF_EV_OTHER;
			return 2;
		}
	}

	if (parse_header(line, try_prefix, &h) < 0)
		return -1;
	ev->ts = h.ts;
	ev->cpu = h.cpu;
	ev->pid = h.pid;
	ev->comm = h.comm;
	((char *)h.comm)[h.comm_len] = '\0';	/* the dash before the pid */
	if (!h.name_len) {
		ev->type = KF_EV_OTHER;
		return 0;
	}
	ev->type = lookup_type(h.name, h.name_len, nc);
	if (ev->type == KF_EV_OTHER)
		return 0;
	if (kf_text_decode_fields(ev, (char *)h.fields, syms) < 0) {
		((char *)h.comm)[h.comm_len] = '-';	/* whole again for error messages */
		return -1;
	}
	/*
	 * trace-cmd evaluates the kernel's print arguments itself and gets the
	 * pageblock_order expression of mm_page_alloc_extfrag wrong, so its
	 * "fragmenting=" is not the kernel's: the engine derives it instead,
	 * as it does for binary records. trace_pipe's comes from the kernel.
	 */
	if (fmt == KF_FMT_TEXT_REPORT && ev->type == KF_EV_PAGE_ALLOC_EXTFRAG) {
		ev->extfrag.fragmenting = -1;
		ev->extfrag.pageblock_order = -1;
	}
	return 0;
}

int kf_text_parse_line(char *line, enum kf_format fmt, struct kf_symbols *syms,
		       struct kf_event *ev, long long *lost)
{
	return kf_text_parse_cached(line, fmt, syms, ev, lost, NULL);
}

/*
 * trace.dat by its magic; text by the first event lines: an irq-flags
 * column means trace_pipe, an "instance:" prefix, "cpus=", a padded event
 * name or "EVENTS DROPPED" mean trace-cmd report. Without either, the two
 * parse alike; trace_pipe is said.
 */
enum kf_format kf_format_detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int pipe = 0, report = 0, events = 0, lines = 0;
	char line[512];

	if (len >= sizeof(tracedat_magic) - 1 &&
	    memcmp(buf, tracedat_magic, sizeof(tracedat_magic) - 1) == 0)
		return KF_FMT_TRACEDAT;

	while (p < end && lines < DETECT_LINES && events < 32) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct header h;
		const char *q;
		int32_t cpu;
		long long lost;
		bool rep, had;

		if (n > sizeof(line) - 1)
			n = sizeof(line) - 1;	/* the header is at the start */
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		lines++;
		if (memchr(line, '\0', n))
			continue;	/* binary */
		line[strcspn(line, "\r")] = '\0';
		q = line;
		while (is_space(*q))
			q++;
		if (strncmp(q, "cpus=", 5) == 0 || strncmp(q, "version = ", 10) == 0) {
			report++;
			continue;
		}
		if (parse_lost(skip_prefix(q, &had), &cpu, &lost, &rep) == 0) {
			events++;
			rep ? report++ : pipe++;
			continue;
		}
		if (parse_header(line, true, &h) < 0 || !h.name_len)
			continue;
		events++;
		/* trace-cmd report -l has both a prefix and a flags column */
		if (h.prefix)
			report += 2;
		else if (h.padded)
			report++;
		if (h.flags)
			pipe++;
	}
	if (!events)
		return KF_FMT_UNKNOWN;
	return report > pipe ? KF_FMT_TEXT_REPORT : KF_FMT_TEXT_PIPE;
}
