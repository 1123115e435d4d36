/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a text trace from a stream: lines after the bytes kf_source_read
 * already looked at, bounded in length whatever the input (an endless line,
 * /dev/zero, ends the read with a message; memory stays bounded), each
 * handed to the parser of source_text.c, the events to the sink.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kf_source.h"
#include "kf_text.h"

/*
 * Real trace lines are a few hundred bytes. A line longer than MAX_LINE is
 * skipped as malformed, read in pieces; one longer than MAX_SKIP ends the
 * read: that is not a text trace (/dev/zero never ends its first line).
 */
#define MAX_LINE	(64 * 1024)
#define MAX_SKIP	(16 * 1024 * 1024)
/* what an over-long line becomes: a line no parser takes for an event */
#define OVERLONG_LINE	"\x01 (over-long line)\n"

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

/* what one text read is doing: the input, the counts, the first bad line */
struct text_run {
	struct reader r;
	struct kf_text_names nc;
	enum kf_format fmt;
	struct kf_symbols *syms;
	const struct kf_sink *sink;
	struct kf_source_info *info;
	char bad[72];
	int32_t max_cpu, header_cpus;
};

/* one line through the parser; its event or lost count to the sink */
static void take_line(struct text_run *t, char *line, size_t len)
{
	struct kf_source_info *info = t->info;
	struct kf_event ev;
	long long lost = 0;

	info->lines++;
	if (line[0] == 'c' && strncmp(line, "cpus=", 5) == 0)
		t->header_cpus = atoi(line + 5);
	if (t->fmt == KF_FMT_UNKNOWN) {
		/* nothing in the lookahead told: the first event line does */
		t->fmt = kf_format_detect(line, len);
		if (t->fmt == KF_FMT_TRACEDAT)
			t->fmt = KF_FMT_UNKNOWN;
		info->format = t->fmt;
	}
	switch (kf_text_parse_cached(line, t->fmt, t->syms, &ev, &lost, &t->nc)) {
	case 0:
		info->events++;
		if (ev.cpu > t->max_cpu)
			t->max_cpu = ev.cpu;
		if (t->sink && t->sink->event)
			t->sink->event(t->sink->ctx, &ev);
		break;
	case 2:
		if (lost > 0)
			info->lost_events += (uint64_t)lost;
		if (ev.cpu > t->max_cpu)
			t->max_cpu = ev.cpu;
		if (t->sink && t->sink->lost)
			t->sink->lost(t->sink->ctx, ev.cpu, lost);
		break;
	case -1:
		if (!info->malformed++) {
			info->first_malformed_line = info->lines;
			excerpt(t->bad, sizeof(t->bad), line, len);
		}
		break;
	default:
		break;
	}
}

/* after the last line: why what was read is not a trace; 0 if it is one */
static int judge(const struct text_run *t, const char *name, char *err, size_t errlen)
{
	const struct kf_source_info *info = t->info;

	if (t->r.too_long) {
		snprintf(err, errlen, "%s: line %llu is longer than %d MiB: not a text trace", name,
			 (unsigned long long)info->lines + 1, MAX_SKIP >> 20);
	} else if (info->events > 0) {
		return 0;
	} else if (info->lines == 0) {
		snprintf(err, errlen, "%s: not a trace: empty file", name);
	} else if (info->malformed) {
		snprintf(err, errlen, "%s: not a trace: no trace event lines in %llu lines "
			 "(first bad line %llu: \"%s\")", name,
			 (unsigned long long)info->lines,
			 (unsigned long long)info->first_malformed_line, t->bad);
	} else {
		snprintf(err, errlen, "%s: not a trace: no trace event lines in %llu lines "
			 "(only headers, comments and blank lines)", name,
			 (unsigned long long)info->lines);
	}
	errno = EINVAL;
	return -1;
}

int kf_text_read(FILE *f, const char *path, const char *head, size_t headlen,
		 struct kf_symbols *syms, const struct kf_sink *sink,
		 struct kf_source_info *info, char *err, size_t errlen)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct text_run *t = calloc(1, sizeof(*t));
	char *line;
	size_t len;
	int ret = -1;

	if (!t) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	t->r.f = f;
	t->syms = syms;
	t->sink = sink;
	t->info = info;
	t->max_cpu = -1;
	if (!info->path)
		info->path = strdup(path);
	info->lines = info->malformed = info->first_malformed_line = 0;
	info->events = info->lost_events = 0;

	if (reader_fill(&t->r, head, headlen) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (t->r.too_long) {	/* in the lookahead: count its lines before the long one */
		for (size_t i = 0; i < t->r.pre_len; i++)
			info->lines += t->r.pre[i] == '\n';
		ret = judge(t, name, err, errlen);
		goto out;
	}
	t->fmt = kf_format_detect(t->r.pre, t->r.pre_len);
	if (t->fmt == KF_FMT_TRACEDAT) {
		snprintf(err, errlen, "%s: a trace.dat file, not a text trace", name);
		errno = EINVAL;
		goto out;
	}
	info->format = t->fmt;
	{
		struct stat st;
		uint64_t total = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		uint64_t done = 0, told = 0;

		while ((line = reader_next(&t->r, &len)) != NULL) {
			take_line(t, line, len);
			done += len;
			if (info->progress && done - told >= KF_PROGRESS_EVERY) {
				info->progress(info->progress_ctx, done, total);
				told = done;
			}
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
		goto out;
	}
	/* CPU numbers go up to INT32_MAX: the count past the highest saturates */
	{
		int after_max = t->max_cpu < INT32_MAX ? t->max_cpu + 1 : INT32_MAX;

		info->nr_cpus = after_max > t->header_cpus ? after_max : t->header_cpus;
	}
	ret = judge(t, name, err, errlen);
out:
	free(t->r.pre);
	free(t->r.line);
	free(t);
	return ret;
}
