/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fields of a text trace line ("key=value ..." as the kernel's print
 * formats write them) into the members of a kf_event, and the numbers in
 * them. Parsed in place, without allocating.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kf_source.h"
#include "kf_text.h"

#define MAX_KV		16	/* our events print at most 9 pairs */

struct kv {
	const char *key;
	unsigned klen;
	char *val;
	unsigned vlen;
};


/*
 * [-]decimal, [-]0xhex, or bare hex when base is 16, covering all of
 * [s, s + len). Overflow wraps: the kernel never prints more than 64 bits.
 */
int kf_text_parse_num(const char *s, size_t len, int base, uint64_t *out)
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
	if (kf_text_parse_num(kv->val, kv->vlen, base, &v) < 0) {
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

	if (kv && kv->vlen && is_digit(kv->val[0]) && kf_text_parse_num(kv->val, kv->vlen, 0, &v) == 0)
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
	if ((is_digit(kv->val[0]) || kv->val[0] == '-') && kf_text_parse_num(kv->val, kv->vlen, 0, &v) == 0)
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
	    kf_text_parse_num(kv->val, kv->vlen, 16, &v) == 0)
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
	if (kf_text_parse_num(p, (size_t)(q - p), 0, start) < 0)
		goto bad;
	while (q < e && is_space(*q))
		q++;
	if (q >= e || *q != '~')
		goto bad;
	q++;
	while (q < e && is_space(*q))
		q++;
	if (kf_text_parse_num(q, (size_t)(e - q), 0, end) < 0)
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

/* the compaction:* events' fields */
static void decode_compaction(struct fields *f, struct kf_event *ev)
{
	switch (ev->type) {
	case KF_EV_COMPACTION_BEGIN:
	case KF_EV_COMPACTION_END:
		ev->compact.zone_start = REQ(f, "zone_start", 0);
		ev->compact.migrate_pfn = REQ(f, "migrate_pfn", 0);
		ev->compact.free_pfn = REQ(f, "free_pfn", 0);
		ev->compact.zone_end = REQ(f, "zone_end", 0);
		ev->compact.sync = get_sync(f);
		if (ev->type == KF_EV_COMPACTION_END)
			ev->compact.status = get_sym(f, KEY("status"), KF_SYM_COMPACT_STATUS);
		else
			ev->compact.status = -1;
		break;
	case KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
	case KF_EV_COMPACTION_ISOLATE_FREEPAGES:
	case KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		get_range(f, &ev->isolate.start_pfn, &ev->isolate.end_pfn);
		ev->isolate.nr_scanned = REQ(f, "nr_scanned", 10);
		ev->isolate.nr_taken = REQ(f, "nr_taken", 10);
		break;
	case KF_EV_COMPACTION_MIGRATEPAGES:
		ev->compact_migrate.nr_migrated = REQ(f, "nr_migrated", 10);
		ev->compact_migrate.nr_failed = REQ(f, "nr_failed", 10);
		break;
	case KF_EV_COMPACTION_FINISHED:
	case KF_EV_COMPACTION_SUITABLE:
		ev->compact_zone.nid = (int32_t)REQ(f, "node", 10);
		ev->compact_zone.zone_idx = get_sym(f, KEY("zone"), KF_SYM_ZONE_TYPE);
		ev->compact_zone.order = (int32_t)REQ(f, "order", 10);
		ev->compact_zone.ret = get_sym(f, KEY("ret"), KF_SYM_COMPACT_STATUS);
		break;
	case KF_EV_COMPACTION_DEFERRED:
	case KF_EV_COMPACTION_DEFER_COMPACTION:
	case KF_EV_COMPACTION_DEFER_RESET:
		ev->compact_zone.nid = (int32_t)REQ(f, "node", 10);
		ev->compact_zone.zone_idx = get_sym(f, KEY("zone"), KF_SYM_ZONE_TYPE);
		ev->compact_zone.order = (int32_t)REQ(f, "order", 10);
		ev->compact_zone.ret = (int32_t)REQ(f, "order_failed", 10);
		break;
	case KF_EV_COMPACTION_KCOMPACTD_WAKE:
	case KF_EV_COMPACTION_WAKEUP_KCOMPACTD:
		ev->kcompactd.nid = (int32_t)REQ(f, "nid", 10);
		ev->kcompactd.order = (int32_t)REQ(f, "order", 10);
		ev->kcompactd.zone_idx = get_sym(f, KEY("classzone_idx"), KF_SYM_ZONE_TYPE);
		break;
	case KF_EV_COMPACTION_KCOMPACTD_SLEEP:
		ev->kcompactd.nid = (int32_t)REQ(f, "nid", 10);
		break;		/* order and zone_idx stay 0, as in binary records */
	case KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		ev->try_compact.order = (int32_t)REQ(f, "order", 10);
		ev->try_compact.gfp_mask = get_flags(f, KEY("gfp_mask"));
		ev->try_compact.prio = (int32_t)REQ(f, "priority", 10);
		break;
	default:
		break;
	}
}

/* the event's own fields, by the kernel's print formats */
int kf_text_decode_fields(struct kf_event *ev, char *text, struct kf_symbols *syms)
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
		decode_compaction(&f, ev);
		break;
	}
	return f.bad ? -1 : 0;
}
