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

#define MAX_KV		16	/* our events print at most 9 pairs */
#define DETECT_LINES	64	/* lines of lookahead for kf_format_detect */
#define DETECT_BYTES	(64 * 1024)
/*
 * Real trace lines are a few hundred bytes. A line longer than MAX_LINE is
 * skipped as malformed, read in pieces (memory stays bounded); one longer
 * than MAX_SKIP ends the read: that is not a text trace (/dev/zero never
 * ends its first line).
 */
#define MAX_LINE	(64 * 1024)
#define MAX_SKIP	(16 * 1024 * 1024)
/* what an over-long line becomes: a line no parser takes for an event */
#define OVERLONG_LINE	"\x01 (over-long line)\n"

static const char tracedat_magic[] = "\x17\x08\x44tracing";

struct kv {
	const char *key;
	unsigned klen;
	char *val;
	unsigned vlen;
};

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
#define NAME_CACHE 32
struct name_cache {
	char name[NAME_CACHE][48];
	unsigned char len[NAME_CACHE];
	enum kf_event_type type[NAME_CACHE];
	int nr;
};

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * [-]decimal, [-]0xhex, or bare hex when base is 16, covering all of
 * [s, s + len). Overflow wraps: the kernel never prints more than 64 bits.
 */
static int parse_num(const char *s, size_t len, int base, uint64_t *out)
{
	const char *e = s + len;
	bool neg = false;
	uint64_t v = 0;

	if (s < e && *s == '-') {
		neg = true;
		s++;
	}
	if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (s == e)
		return -1;
	if (base == 16) {
		for (; s < e; s++) {
			int d = hex_val(*s);

			if (d < 0)
				return -1;
			v = v << 4 | (unsigned)d;
		}
	} else {
		for (; s < e; s++) {
			if (!is_digit(*s))
				return -1;
			v = v * 10 + (unsigned)(*s - '0');
		}
	}
	*out = neg ? -v : v;
	return 0;
}

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

/*
 * "[comm-pid] [(tgid)] [CPU] [flags] ts: [(+delta)] name: fields". The comm
 * may hold spaces, dashes and colons; the pid follows its last dash, the
 * CPU is the first " [digits]".
 */
static int parse_header(const char *line, bool try_prefix, struct header *h)
{
	const char *p = line, *b, *s, *e, *r = NULL;
	uint64_t v;

	memset(h, 0, sizeof(*h));
	if (try_prefix)
		p = skip_prefix(line, &h->prefix);
	while (is_space(*p))
		p++;

	b = find_cpu_bracket(p, &r);
	if (b) {
		if (parse_num(b + 1, (size_t)(r - b - 1), 10, &v) < 0 || v > INT32_MAX)
			return -1;
		r++;
	} else {
		b = find_latency_column(p, &r);
		if (!b)
			return -1;
		for (s = b, v = 0; is_digit(*s) && v <= INT32_MAX; s++)
			v = v * 10 + (unsigned)(*s - '0');
		if (v > INT32_MAX)
			return -1;
		h->flags = true;
	}
	h->cpu = (int32_t)v;

	/* comm-pid, possibly followed by "(  tgid)" of the record-tgid option */
	e = b;
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
	if (parse_num(s, (size_t)(e - s), 10, &v) < 0 || v > INT32_MAX)
		return -1;
	h->pid = (int32_t)v;
	h->comm = p;
	h->comm_len = (size_t)(s - 1 - p);

	/* optional irq-flags column, then the timestamp */
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
	if (q == p || parse_num(p, (size_t)(q - p), 10, &v) < 0 || v > INT32_MAX)
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
		if (q == p || strcmp(q, " EVENTS]") != 0 || parse_num(p, (size_t)(q - p), 10, &v) < 0)
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
	if (q == p || strcmp(q, " EVENTS DROPPED]") != 0 || parse_num(p, (size_t)(q - p), 10, &v) < 0)
		return -1;
	*n = (long long)v;
	return 0;
}

/* "key=value" pairs; values end at a blank (a trailing ',' dropped) or,
 * for "range=(a ~ b)", at the closing parenthesis */
static int split_fields(char *p, struct kv *kv)
{
	int n = 0;

	for (;;) {
		char *k, *v, *ve;

		while (is_space(*p))
			p++;
		if (!*p)
			return n;
		k = p;
		while (*p && *p != '=' && !is_space(*p))
			p++;
		if (*p != '=')
			continue;	/* a word without '=', e.g. "[ns]" */
		v = ++p;
		if (*p == '(') {
			char *c = strchr(p, ')');

			p = c ? c + 1 : p + strlen(p);
		} else {
			while (*p && !is_space(*p))
				p++;
		}
		ve = p;
		if (ve > v && ve[-1] == ',')
			ve--;
		if (n < MAX_KV) {
			kv[n].key = k;
			kv[n].klen = (unsigned)(v - 1 - k);
			kv[n].val = v;
			kv[n].vlen = (unsigned)(ve - v);
			n++;
		}
	}
}

static const struct kv *find_kv(const struct kv *kv, int n, const char *key, size_t klen)
{
	for (int i = 0; i < n; i++)
		if (kv[i].klen == klen && memcmp(kv[i].key, key, klen) == 0)
			return &kv[i];
	return NULL;
}

struct fields {
	struct kv kv[MAX_KV];
	int n;
	struct kf_symbols *syms;
	bool bad;			/* a required field was missing or unreadable */
};

#define KEY(k) k, sizeof(k) - 1

/* a number; when absent, def if !required */
static uint64_t get_num(struct fields *f, const char *key, size_t klen, int base, bool required, uint64_t def)
{
	const struct kv *kv = find_kv(f->kv, f->n, key, klen);
	uint64_t v;

	if (!kv) {
		f->bad |= required;
		return def;
	}
	if (parse_num(kv->val, kv->vlen, base, &v) < 0) {
		f->bad = true;
		return def;
	}
	return v;
}

#define REQ(f, key, base)	get_num(f, KEY(key), base, true, 0)
#define OPT(f, key, def)	get_num(f, KEY(key), 0, false, def)

/* flags printed by name (gfp) are unknowable in text: 0 unless numeric */
static uint64_t get_flags(struct fields *f, const char *key, size_t klen)
{
	const struct kv *kv = find_kv(f->kv, f->n, key, klen);
	uint64_t v;

	if (kv && kv->vlen && is_digit(kv->val[0]) && parse_num(kv->val, kv->vlen, 0, &v) == 0)
		return v;
	return 0;
}

/* a symbolic value: its number in syms (added if new), or the number printed */
static int32_t get_sym(struct fields *f, const char *key, size_t klen, enum kf_symtab_kind kind)
{
	const struct kv *kv = find_kv(f->kv, f->n, key, klen);
	uint64_t v;

	if (!kv || kv->vlen == 0) {
		f->bad = true;
		return -1;
	}
	if (f->bad)
		return -1;	/* a broken line adds no names */
	if ((is_digit(kv->val[0]) || kv->val[0] == '-') && parse_num(kv->val, kv->vlen, 0, &v) == 0)
		return (int32_t)v;
	if (!f->syms)
		return -1;
	kv->val[kv->vlen] = '\0';	/* the separator after it is no longer needed */
	return (int32_t)kf_symbols_value(f->syms, kind, kv->val, 1);
}

/* %ps prints a symbol name instead of an address when it finds one */
static uint64_t get_addr(struct fields *f, const char *key, size_t klen)
{
	const struct kv *kv = find_kv(f->kv, f->n, key, klen);
	uint64_t v;

	if (!kv) {
		f->bad = true;
		return 0;
	}
	if (kv->vlen > 2 && kv->val[0] == '0' && kv->val[1] == 'x' &&
	    parse_num(kv->val, kv->vlen, 16, &v) == 0)
		return v;
	return 0;
}

/* "range=(0x1 ~ 0x200)" */
static void get_range(struct fields *f, uint64_t *start, uint64_t *end)
{
	const struct kv *kv = find_kv(f->kv, f->n, KEY("range"));
	const char *p, *q, *e;

	if (!kv || kv->vlen < 2 || kv->val[0] != '(' || kv->val[kv->vlen - 1] != ')')
		goto bad;
	p = kv->val + 1;
	e = kv->val + kv->vlen - 1;
	for (q = p; q < e && !is_space(*q); q++)
		;
	if (parse_num(p, (size_t)(q - p), 0, start) < 0)
		goto bad;
	while (q < e && is_space(*q))
		q++;
	if (q >= e || *q != '~')
		goto bad;
	q++;
	while (q < e && is_space(*q))
		q++;
	if (parse_num(q, (size_t)(e - q), 0, end) < 0)
		goto bad;
	return;
bad:
	f->bad = true;
}

static int32_t get_sync(struct fields *f)
{
	const struct kv *kv = find_kv(f->kv, f->n, KEY("mode"));

	if (kv && kv->vlen == 4 && memcmp(kv->val, "sync", 4) == 0)
		return 1;
	if (kv && kv->vlen == 5 && memcmp(kv->val, "async", 5) == 0)
		return 0;
	f->bad = true;
	return 0;
}

static enum kf_event_type lookup_type(const char *name, size_t len, struct name_cache *nc)
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
		i = nc->nr < NAME_CACHE ? nc->nr++ : NAME_CACHE - 1;
		memcpy(nc->name[i], name, len);
		nc->len[i] = (unsigned char)len;
		nc->type[i] = t;
	}
	return t;
}

/* the event's own fields, by the kernel's print formats */
static int decode_fields(struct kf_event *ev, char *text, struct kf_symbols *syms)
{
	struct fields f;

	f.n = split_fields(text, f.kv);
	f.syms = syms;
	f.bad = false;

	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
	case KF_EV_PAGE_FREE:
	case KF_EV_PAGE_FREE_BATCHED:
	case KF_EV_PAGE_PCPU_DRAIN:
		ev->page.pfn = REQ(&f, "pfn", 0);
		ev->page.order = (int32_t)REQ(&f, "order", 10);
		if (ev->type == KF_EV_PAGE_FREE || ev->type == KF_EV_PAGE_FREE_BATCHED)
			ev->page.migratetype = -1;	/* frees carry none */
		else
			ev->page.migratetype = (int32_t)REQ(&f, "migratetype", 10);
		if (ev->type == KF_EV_PAGE_ALLOC)
			ev->page.gfp_flags = get_flags(&f, KEY("gfp_flags"));
		if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED)
			ev->page.percpu_refill = (int32_t)OPT(&f, "percpu_refill", 0);
		break;
	case KF_EV_PAGE_ALLOC_EXTFRAG:
		ev->extfrag.pfn = REQ(&f, "pfn", 0);
		ev->extfrag.alloc_order = (int32_t)REQ(&f, "alloc_order", 10);
		ev->extfrag.fallback_order = (int32_t)REQ(&f, "fallback_order", 10);
		ev->extfrag.alloc_migratetype = (int32_t)REQ(&f, "alloc_migratetype", 10);
		ev->extfrag.fallback_migratetype = (int32_t)REQ(&f, "fallback_migratetype", 10);
		/* -1: not printed, the engine derives it as the binary decoder does */
		ev->extfrag.fragmenting = (int32_t)OPT(&f, "fragmenting", (uint64_t)-1);
		ev->extfrag.pageblock_order = (int32_t)OPT(&f, "pageblock_order", (uint64_t)-1);
		ev->extfrag.change_ownership = (int32_t)OPT(&f, "change_ownership", 0);
		break;
	case KF_EV_COMPACTION_BEGIN:
	case KF_EV_COMPACTION_END:
		ev->compact.zone_start = REQ(&f, "zone_start", 0);
		ev->compact.migrate_pfn = REQ(&f, "migrate_pfn", 0);
		ev->compact.free_pfn = REQ(&f, "free_pfn", 0);
		ev->compact.zone_end = REQ(&f, "zone_end", 0);
		ev->compact.sync = get_sync(&f);
		if (ev->type == KF_EV_COMPACTION_END)
			ev->compact.status = get_sym(&f, KEY("status"), KF_SYM_COMPACT_STATUS);
		else
			ev->compact.status = -1;
		break;
	case KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case KF_EV_COMPACTION_ISOLATE_FREEPAGES:
	case KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		get_range(&f, &ev->isolate.start_pfn, &ev->isolate.end_pfn);
		ev->isolate.nr_scanned = REQ(&f, "nr_scanned", 10);
		ev->isolate.nr_taken = REQ(&f, "nr_taken", 10);
		break;
	case KF_EV_COMPACTION_MIGRATEPAGES:
		ev->compact_migrate.nr_migrated = REQ(&f, "nr_migrated", 10);
		ev->compact_migrate.nr_failed = REQ(&f, "nr_failed", 10);
		break;
	case KF_EV_COMPACTION_FINISHED:
	case KF_EV_COMPACTION_SUITABLE:
		ev->compact_zone.nid = (int32_t)REQ(&f, "node", 10);
		ev->compact_zone.zone_idx = get_sym(&f, KEY("zone"), KF_SYM_ZONE_TYPE);
		ev->compact_zone.order = (int32_t)REQ(&f, "order", 10);
		ev->compact_zone.ret = get_sym(&f, KEY("ret"), KF_SYM_COMPACT_STATUS);
		break;
	case KF_EV_COMPACTION_DEFERRED:
	case KF_EV_COMPACTION_DEFER_COMPACTION:
	case KF_EV_COMPACTION_DEFER_RESET:
		ev->compact_zone.nid = (int32_t)REQ(&f, "node", 10);
		ev->compact_zone.zone_idx = get_sym(&f, KEY("zone"), KF_SYM_ZONE_TYPE);
		ev->compact_zone.order = (int32_t)REQ(&f, "order", 10);
		ev->compact_zone.ret = (int32_t)REQ(&f, "order_failed", 10);
		break;
	case KF_EV_COMPACTION_KCOMPACTD_WAKE:
	case KF_EV_COMPACTION_WAKEUP_KCOMPACTD:
		ev->kcompactd.nid = (int32_t)REQ(&f, "nid", 10);
		ev->kcompactd.order = (int32_t)REQ(&f, "order", 10);
		ev->kcompactd.zone_idx = get_sym(&f, KEY("classzone_idx"), KF_SYM_ZONE_TYPE);
		break;
	case KF_EV_COMPACTION_KCOMPACTD_SLEEP:
		ev->kcompactd.nid = (int32_t)REQ(&f, "nid", 10);
		break;		/* order and zone_idx stay 0, as in binary records */
	case KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		ev->try_compact.order = (int32_t)REQ(&f, "order", 10);
		ev->try_compact.gfp_mask = get_flags(&f, KEY("gfp_mask"));
		ev->try_compact.prio = (int32_t)REQ(&f, "priority", 10);
		break;
	case KF_EV_MIGRATE_PAGES:
		ev->migrate.succeeded = REQ(&f, "nr_succeeded", 10);
		ev->migrate.failed = REQ(&f, "nr_failed", 10);
		/* newer than the rest: absent on older kernels */
		ev->migrate.thp_succeeded = OPT(&f, "nr_thp_succeeded", 0);
		ev->migrate.thp_failed = OPT(&f, "nr_thp_failed", 0);
		ev->migrate.thp_split = OPT(&f, "nr_thp_split", 0);
		ev->migrate.large_folio_split = OPT(&f, "nr_split", 0);
		/* fall through */
	case KF_EV_MIGRATE_PAGES_START:
		ev->migrate.mode = get_sym(&f, KEY("mode"), KF_SYM_MIGRATE_MODE);
		ev->migrate.reason = get_sym(&f, KEY("reason"), KF_SYM_MIGRATE_REASON);
		break;
	case KF_EV_SET_MIGRATION_PTE:
	case KF_EV_REMOVE_MIGRATION_PTE:
		/* printed with %lx: hex without "0x" */
		ev->migration_pte.addr = REQ(&f, "addr", 16);
		ev->migration_pte.pte = REQ(&f, "pte", 16);
		ev->migration_pte.order = (int32_t)REQ(&f, "order", 10);
		break;
	case KF_EV_PAGE_FAULT_USER:
		ev->fault.address = get_addr(&f, KEY("address"));
		ev->fault.ip = get_addr(&f, KEY("ip"));
		ev->fault.error_code = REQ(&f, "error_code", 0);
		break;
	default:
		break;
	}
	return f.bad ? -1 : 0;
}

static char *skip_blank(char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static int parse_line(char *line, enum kf_format fmt, struct kf_symbols *syms,
		      struct kf_event *ev, long long *lost, struct name_cache *nc)
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
	if (decode_fields(ev, (char *)h.fields, syms) < 0) {
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
	return parse_line(line, fmt, syms, ev, lost, NULL);
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

/* lines from head + lookahead (already read), then from f */
struct reader {
	FILE *f;
	char *pre;
	size_t pre_len, pre_pos;
	char *line;
	size_t cap;
	bool overlong;		/* the last line was longer than MAX_LINE: skipped */
	bool too_long;		/* stopped at a line of more than MAX_SKIP bytes */
};

static int buf_append(char **buf, size_t *len, size_t *alloc, const char *data, size_t n)
{
	if (*len + n + 1 > *alloc) {
		size_t a = *alloc ? *alloc : 4096;
		char *b;

		while (a < *len + n + 1)
			a *= 2;
		b = realloc(*buf, a);
		if (!b)
			return -1;
		*buf = b;
		*alloc = a;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* the rest of an over-long line, read and dropped; false past MAX_SKIP */
static bool skip_rest(struct reader *r, size_t n)
{
	int c;

	while ((c = getc_unlocked(r->f)) != EOF && c != '\n')
		if (++n > MAX_SKIP)
			return false;
	return true;
}

/*
 * getline() with a bound: the line with its newline in r->line, its length;
 * -1 at the end of the input or on an error. A line longer than MAX_LINE
 * comes back as OVERLONG_LINE with r->overlong set; one longer than
 * MAX_SKIP is -1 with r->too_long set.
 */
static ssize_t read_line(struct reader *r)
{
	size_t n = 0;
	int c;

	r->overlong = false;
	for (;;) {
		if (n + 2 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 4096;
			char *b;

			if (cap > MAX_LINE + 2)
				cap = MAX_LINE + 2;
			if (n + 2 > cap) {
				if (!skip_rest(r, n)) {
					r->too_long = true;
					return -1;
				}
				r->overlong = true;
				memcpy(r->line, OVERLONG_LINE, sizeof(OVERLONG_LINE));
				return (ssize_t)(sizeof(OVERLONG_LINE) - 1);
			}
			b = realloc(r->line, cap);
			if (!b)
				return -1;
			r->line = b;
			r->cap = cap;
		}
		c = getc_unlocked(r->f);
		if (c == EOF)
			break;
		r->line[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n == 0)
		return -1;
	r->line[n] = '\0';
	return (ssize_t)n;
}

/* reads whole lines after head until enough to tell the format */
static int reader_fill(struct reader *r, const char *head, size_t headlen)
{
	size_t alloc = 0;
	int nl = 0;

	if (buf_append(&r->pre, &r->pre_len, &alloc, head ? head : "", headlen) < 0)
		return -1;
	for (size_t i = 0; i < headlen; i++)
		nl += head[i] == '\n';
	while (nl < DETECT_LINES && r->pre_len < DETECT_BYTES) {
		ssize_t n = read_line(r);

		if (n < 0)
			break;
		if (buf_append(&r->pre, &r->pre_len, &alloc, r->line, (size_t)n) < 0)
			return -1;
		nl++;
	}
	return 0;
}

/* the next line, NUL-terminated and without its newline; NULL at the end */
static char *reader_next(struct reader *r, size_t *len)
{
	ssize_t n;

	if (r->pre_pos < r->pre_len) {
		char *s = r->pre + r->pre_pos;
		char *nl = memchr(s, '\n', r->pre_len - r->pre_pos);

		if (nl) {
			*nl = '\0';
			r->pre_pos = (size_t)(nl + 1 - r->pre);
		} else {
			r->pre_pos = r->pre_len;	/* pre[pre_len] is already '\0' */
			nl = r->pre + r->pre_len;
		}
		*len = (size_t)(nl - s);
		return s;
	}
	if (r->too_long)
		return NULL;
	n = read_line(r);
	if (n < 0)
		return NULL;
	if (n > 0 && r->line[n - 1] == '\n')
		r->line[--n] = '\0';
	*len = (size_t)n;
	return r->line;
}

/* a short, printable excerpt of a line for an error message */
static void excerpt(char *dst, size_t size, const char *src, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len && j + 4 < size; i++)
		dst[j++] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	if (len > 0 && j + 4 >= size) {
		memcpy(dst + j, "...", 3);
		j += 3;
	}
	dst[j] = '\0';
}

int kf_text_read(FILE *f, const char *path, const char *head, size_t headlen,
		 struct kf_symbols *syms, const struct kf_sink *sink,
		 struct kf_source_info *info, char *err, size_t errlen)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct reader r = { .f = f };
	struct name_cache nc;
	enum kf_format fmt;
	struct kf_event ev;
	char bad[72] = "";
	int32_t max_cpu = -1, header_cpus = 0;
	int ret = -1;
	char *line;
	size_t len;

	memset(&nc, 0, sizeof(nc));
	if (!info->path)
		info->path = strdup(path);
	info->lines = info->malformed = info->first_malformed_line = 0;
	info->events = info->lost_events = 0;

	if (reader_fill(&r, head, headlen) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (r.too_long) {	/* in the lookahead: its lines before the long one */
		info->lines = 0;
		for (size_t i = 0; i < r.pre_len; i++)
			info->lines += r.pre[i] == '\n';
		goto too_long;
	}
	fmt = kf_format_detect(r.pre, r.pre_len);
	if (fmt == KF_FMT_TRACEDAT) {
		snprintf(err, errlen, "%s: a trace.dat file, not a text trace", name);
		errno = EINVAL;
		goto out;
	}
	info->format = fmt;

	while ((line = reader_next(&r, &len)) != NULL) {
		long long lost = 0;
		int rc;

		info->lines++;
		if (line[0] == 'c' && strncmp(line, "cpus=", 5) == 0)
			header_cpus = atoi(line + 5);
		if (fmt == KF_FMT_UNKNOWN) {
			/* nothing in the lookahead told: the first event line does */
			fmt = kf_format_detect(line, len);
			if (fmt == KF_FMT_TRACEDAT)
				fmt = KF_FMT_UNKNOWN;
			info->format = fmt;
		}
		rc = parse_line(line, fmt, syms, &ev, &lost, &nc);
		switch (rc) {
		case 0:
			info->events++;
			if (ev.cpu > max_cpu)
				max_cpu = ev.cpu;
			if (sink && sink->event)
				sink->event(sink->ctx, &ev);
			break;
		case 2:
			if (lost > 0)
				info->lost_events += (uint64_t)lost;
			if (ev.cpu > max_cpu)
				max_cpu = ev.cpu;
			if (sink && sink->lost)
				sink->lost(sink->ctx, ev.cpu, lost);
			break;
		case -1:
			if (!info->malformed++) {
				info->first_malformed_line = info->lines;
				excerpt(bad, sizeof(bad), line, len);
			}
			break;
		default:
			break;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
		goto out;
	}
	if (r.too_long) {
too_long:
		snprintf(err, errlen, "%s: line %llu is longer than %d MiB: not a text trace", name,
			 (unsigned long long)info->lines + 1, MAX_SKIP >> 20);
		errno = EINVAL;
		goto out;
	}
	info->nr_cpus = max_cpu + 1 > header_cpus ? max_cpu + 1 : header_cpus;
	if (info->events == 0) {
		if (info->lines == 0)
			snprintf(err, errlen, "%s: not a trace: empty file", name);
		else if (info->malformed)
			snprintf(err, errlen, "%s: not a trace: no trace event lines in %llu lines "
				 "(first bad line %llu: \"%s\")", name,
				 (unsigned long long)info->lines,
				 (unsigned long long)info->first_malformed_line, bad);
		else
			snprintf(err, errlen, "%s: not a trace: no trace event lines in %llu lines "
				 "(only headers, comments and blank lines)", name,
				 (unsigned long long)info->lines);
		errno = EINVAL;
		goto out;
	}
	ret = 0;
out:
	free(r.pre);
	free(r.line);
	return ret;
}
