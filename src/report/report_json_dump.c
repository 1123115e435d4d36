/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report's JSON as text (kf_report_json_write): indented two spaces a
 * level, as jansson's JSON_INDENT(2) prints it, except that an array of
 * plain values (numbers, strings, booleans, nulls), and an object of a few,
 * stay on one line. A report of 256 CPUs is thousands of such leaves (the
 * per-CPU arrays, the CPU-to-CPU pairs, the counts of each CPU) and comes
 * out at half the size; every token goes through one buffer instead of an
 * fwrite each (json_dumpf's way).
 *
 * Values print as jansson prints them: integers in full, reals with 12
 * significant digits and always a '.' or an exponent, strings with '"',
 * '\\' and control characters escaped.
 */
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_json_out.h"

#define LEAF_OBJECT_MAX	6	/* members of an object kept on one line */

struct out {
	FILE *fp;
	bool failed;
	const struct kf_jw_deferred *deferred;	/* sections printed in place of their stand-ins */
	size_t len;
	char buf[65536];
};

static void flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->failed = true;
	o->len = 0;
}

static void put_slow(struct out *o, const char *s, size_t n)
{
	flush(o);
	if (n > sizeof(o->buf)) {
		if (fwrite(s, 1, n, o->fp) != n)
			o->failed = true;
		return;
	}
	memcpy(o->buf, s, n);
	o->len = n;
}

/* inline: most tokens are a few bytes, copied without a call */
static inline void put(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - o->len) {
		put_slow(o, s, n);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_newline(struct out *o, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = 2 * (size_t)depth, w = sizeof(spaces) - 1;

	put(o, "\n", 1);
	for (; n > w; n -= w)
		put(o, spaces, w);
	put(o, spaces, n);
}

static void put_string(struct out *o, const char *s, size_t n)
{
	size_t from = 0;

	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char esc[8];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		put(o, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"': put(o, "\\\"", 2); break;
		case '\\': put(o, "\\\\", 2); break;
		case '\b': put(o, "\\b", 2); break;
		case '\f': put(o, "\\f", 2); break;
		case '\n': put(o, "\\n", 2); break;
		case '\r': put(o, "\\r", 2); break;
		case '\t': put(o, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			put(o, esc, 6);
			break;
		}
	}
	put(o, s + from, n - from);
	put(o, "\"", 1);
}

static void put_integer(struct out *o, json_int_t v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(o, p, b + sizeof(b) - p);
}

/* as jansson's jsonp_dtostr with precision 12: "%.12g", the locale's decimal
 * point made '.', ".0" when neither '.' nor 'e' came, the exponent without
 * '+' and leading zeros */
static void put_real(struct out *o, double v)
{
	char b[48], *e;
	const char *point = localeconv()->decimal_point;
	int n = snprintf(b, sizeof(b) - 3, "%.12g", v);

	if (n < 0 || (size_t)n >= sizeof(b) - 3) {
		o->failed = true;
		return;
	}
	if (*point != '.' && (e = strchr(b, *point)))
		*e = '.';
	if (!strchr(b, '.') && !strchr(b, 'e')) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	e = strchr(b, 'e');
	if (e) {
		char *start = e + 1, *end;

		if (*start == '-')
			start++;
		for (end = start; *end == '+' || *end == '0'; end++)
			;
		memmove(start, end, strlen(end) + 1);
		n = (int)strlen(b);
	}
	put(o, b, n);
}

static bool is_container(const json_t *v)
{
	return json_is_array(v) || json_is_object(v);
}

/* an array or small object of plain values: one line */
static bool is_leaf(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if (is_container(m))
				return false;
		return true;
	}
	if (json_object_size(v) > LEAF_OBJECT_MAX)
		return false;
	json_object_foreach((json_t *)v, key, m)
		if (is_container(m))
			return false;
	return true;
}

static void put_value(struct out *o, const json_t *v, int depth);

/* between two members: on the same line in a leaf, else on the next */
static void put_separator(struct out *o, bool first, bool leaf, int depth)
{
	if (!first)
		put(o, leaf ? ", " : ",", leaf ? 2 : 1);
	if (!leaf)
		put_newline(o, depth);
}

static void put_container(struct out *o, const json_t *v, int depth)
{
	bool array = json_is_array(v), leaf = is_leaf(v);
	size_t n = array ? json_array_size(v) : json_object_size(v);
	const char *key;
	json_t *m;
	size_t i;

	if (!n) {
		put(o, array ? "[]" : "{}", 2);
		return;
	}
	put(o, array ? "[" : "{", 1);
	if (array) {
		json_array_foreach(v, i, m) {
			put_separator(o, i == 0, leaf, depth + 1);
			put_value(o, m, depth + 1);
		}
	} else {
		i = 0;
		json_object_foreach((json_t *)v, key, m) {
			put_separator(o, i++ == 0, leaf, depth + 1);
			put_string(o, key, strlen(key));
			put(o, ": ", 2);
			put_value(o, m, depth + 1);
		}
	}
	if (!leaf)
		put_newline(o, depth);
	put(o, array ? "]" : "}", 1);
}

static bool put_deferred(struct out *o, const json_t *v, int depth);

static void put_value(struct out *o, const json_t *v, int depth)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY:
		if (o->deferred && !json_array_size(v) && put_deferred(o, v, depth))
			break;
		/* fall through */
	case JSON_OBJECT:
		put_container(o, v, depth);
		break;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_integer(o, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(o, json_real_value(v));
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	case JSON_NULL:
		put(o, "null", 4);
		break;
	}
}

/* ---- kf_jw: a section value by value (report_json_out.h) ----------------- */

#define JW_DEPTH 8

struct kf_jw {
	struct out *text;		/* printing; NULL: building jansson values */
	int base;			/* printing: the document's depth at the section */
	int depth;			/* containers open */
	bool overflow;			/* opened deeper than JW_DEPTH: the rest dropped */
	struct jw_level { json_t *node; bool array, leaf, first; } lv[JW_DEPTH];
	json_t *root;
};

/* printing: the separator and key before the next value, as put_container */
static void jw_member(struct kf_jw *w, const char *key)
{
	struct jw_level *l;

	if (!w->depth)
		return;
	l = &w->lv[w->depth - 1];
	put_separator(w->text, l->first, l->leaf, w->base + w->depth);
	l->first = false;
	if (key) {
		put_string(w->text, key, strlen(key));
		put(w->text, ": ", 2);
	}
}

/* building: v becomes the member key of the open object, the next element
 * of the open array, or the section's value */
static void jw_attach(struct kf_jw *w, const char *key, json_t *v)
{
	json_t *parent = w->depth ? w->lv[w->depth - 1].node : NULL;

	if (!parent) {
		json_decref(w->root);
		w->root = v;
	} else if (key) {
		json_object_set_new_nocheck(parent, key, v);
	} else {
		json_array_append_new(parent, v);
	}
}

void kf_jw_open(struct kf_jw *w, const char *key, bool array, bool leaf)
{
	json_t *node = NULL;

	if (w->depth == JW_DEPTH) {
		w->overflow = true;
		return;
	}
	if (w->text) {
		jw_member(w, key);
		put(w->text, array ? "[" : "{", 1);
	} else {
		node = array ? json_array() : json_object();
		jw_attach(w, key, json_incref(node));
	}
	w->lv[w->depth++] = (struct jw_level){ node, array, leaf, true };
}

void kf_jw_close(struct kf_jw *w)
{
	struct jw_level *l;

	if (w->overflow || !w->depth)
		return;
	l = &w->lv[--w->depth];
	if (w->text) {
		if (!l->first && !l->leaf)
			put_newline(w->text, w->base + w->depth);
		put(w->text, l->array ? "]" : "}", 1);
	}
	json_decref(l->node);
}

/* a plain value next: printed (its separator and key are, true), built, or
 * dropped after an overflow */
static bool jw_printing(struct kf_jw *w, const char *key)
{
	if (w->overflow || !w->text)
		return false;
	jw_member(w, key);
	return true;
}

static bool jw_building(const struct kf_jw *w)
{
	return !w->overflow && !w->text;
}

void kf_jw_int(struct kf_jw *w, const char *key, json_int_t v)
{
	if (jw_printing(w, key))
		put_integer(w->text, v);
	else if (jw_building(w))
		jw_attach(w, key, json_integer(v));
}

void kf_jw_real(struct kf_jw *w, const char *key, double v)
{
	if (jw_printing(w, key))
		put_real(w->text, v);
	else if (jw_building(w))
		jw_attach(w, key, json_real(v));
}

void kf_jw_string(struct kf_jw *w, const char *key, const char *v)
{
	if (jw_printing(w, key))
		put_string(w->text, v, strlen(v));
	else if (jw_building(w))
		jw_attach(w, key, json_string(v));
}

void kf_jw_null(struct kf_jw *w, const char *key)
{
	if (jw_printing(w, key))
		put(w->text, "null", 4);
	else if (jw_building(w))
		jw_attach(w, key, json_null());
}

json_t *kf_jw_section_value(struct kf_jw_deferred *d, kf_jw_section fn, const struct kf_report_input *in)
{
	struct kf_jw w = { 0 };
	json_t *stand_in;

	if (d && d->nr < KF_JW_DEFERRED_MAX && (stand_in = json_array())) {
		d->in = in;
		d->at[d->nr].node = stand_in;
		d->at[d->nr++].fn = fn;
		return stand_in;
	}
	fn(&w, in);
	if (w.overflow) {
		json_decref(w.root);
		return NULL;
	}
	return w.root;
}

/* v, an empty array, is a section's stand-in: the section printed instead */
static bool put_deferred(struct out *o, const json_t *v, int depth)
{
	const struct kf_jw_deferred *d = o->deferred;

	for (int i = 0; i < d->nr; i++)
		if (d->at[i].node == v) {
			struct kf_jw w = { .text = o, .base = depth };

			d->at[i].fn(&w, d->in);
			if (w.overflow)
				o->failed = true;
			return true;
		}
	return false;
}

/*
 * The document's allocations, from an arena: a report of hundreds of CPUs
 * is some sixty thousand values of jansson, each a malloc (or several) and
 * a free, more than it takes to print them. The document is built, written
 * and dropped in one go, so its memory is taken by bumping a pointer and
 * given back all at once.
 */
#define ARENA_CHUNK	(1u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

static struct arena_chunk *arena;

static void *arena_alloc(size_t n)
{
	size_t align = sizeof(max_align_t);
	struct arena_chunk *c = arena;

	n = (n + align - 1) / align * align;
	if (!c || n > c->size - c->used) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		/* a chunk of one large value goes behind the current one */
		if (arena && size != ARENA_CHUNK) {
			c->next = arena->next;
			arena->next = c;
		} else {
			c->next = arena;
			arena = c;
		}
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static void arena_free(void *p)
{
	(void)p;			/* all at once, in arena_release */
}

static void arena_release(void)
{
	while (arena) {
		struct arena_chunk *next = arena->next;

		free(arena);
		arena = next;
	}
}

static int write_doc(const json_t *doc, const struct kf_jw_deferred *deferred, FILE *out)
{
	struct out *o = malloc(sizeof(*o));
	int ret;

	if (!o)
		return -1;
	o->fp = out;
	o->failed = false;
	o->deferred = deferred;
	o->len = 0;
	put_value(o, doc, 0);
	put(o, "\n", 1);
	flush(o);
	ret = o->failed ? -1 : 0;
	free(o);
	return ret;
}

int kf_report_json_write(const json_t *doc, FILE *out)
{
	return write_doc(doc, NULL, out);
}

int kf_report_json_emit(const struct kf_report_input *in, FILE *out)
{
	json_malloc_t old_malloc;
	json_free_t old_free;
	struct kf_jw_deferred deferred = { 0 };
	json_t *doc;
	int ret;

	json_get_alloc_funcs(&old_malloc, &old_free);
	json_set_alloc_funcs(arena_alloc, arena_free);
	/* the sections that grow with the CPUs printed straight, not built */
	doc = kf_report_json_doc(in, &deferred);
	ret = doc ? write_doc(doc, &deferred, out) : -1;
	json_decref(doc);
	json_set_alloc_funcs(old_malloc, old_free);
	arena_release();
	return ret;
}
