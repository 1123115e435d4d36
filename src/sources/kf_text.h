/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the text source: the line parser (source_text.c) and the
 * stream reader (source_text_read.c).
 */
#ifndef KF_TEXT_H
#define KF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_source.h"

#define DETECT_LINES	64	/* lines of lookahead for kf_format_detect */
#define DETECT_BYTES	(64 * 1024)

/* event names seen so far: a line's type costs a few length compares and
 * one memcmp instead of a strcmp against every known name */
#define KF_TEXT_NAMES	32
struct kf_text_names {
	char name[KF_TEXT_NAMES][48];
	unsigned char len[KF_TEXT_NAMES];
	enum kf_event_type type[KF_TEXT_NAMES];
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

/* [-]decimal, [-]0xhex, or bare hex when base is 16, all of [s, s + len); 0 or -1 */
int kf_text_parse_num(const char *s, size_t len, int base, uint64_t *out);
/* the fields after "name: " into ev (its type set); 0, or -1 when one is missing or bad */
int kf_text_decode_fields(struct kf_event *ev, char *text, struct kf_symbols *syms);

/* kf_text_parse_line with a name cache (nc may be NULL) */
int kf_text_parse_cached(char *line, enum kf_format fmt, struct kf_symbols *syms,
			 struct kf_event *ev, long long *lost, struct kf_text_names *nc);

#endif
