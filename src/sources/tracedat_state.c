/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording's saved memory state (kf_state.h): found among the options of
 * a trace.dat of version 6 (the layout tracedat_write.c describes) and
 * extracted into a private temporary directory (on a tmpfs when there is
 * one) as proc roots.
 *
 * libtracecmd has no call that hands out an option it does not know, so
 * the headers are walked here: every size is checked against the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf_state.h"
#include "kf_tempdir.h"
#include "kf_tracedat_write.h"

/* an archive larger than this is not one kfrag wrote */
#define STATE_MAX	(256u << 20)

struct walk {
	FILE *fp;
	uint64_t size;		/* of the file */
	bool swap;		/* the file's byte order is not ours */
	bool bad;
};

static uint64_t swap_n(uint64_t v, int n)
{
	uint64_t r = 0;

	for (int i = 0; i < n; i++, v >>= 8)
		r = r << 8 | (v & 0xff);
	return r;
}

static uint64_t rd(struct walk *w, int n)
{
	uint64_t v = 0;

	if (w->bad || fread(&v, 1, n, w->fp) != (size_t)n) {
		w->bad = true;
		return 0;
	}
	return w->swap ? swap_n(v, n) : v;
}

static void skip(struct walk *w, uint64_t n)
{
	long pos = ftell(w->fp);

	if (w->bad || pos < 0 || n > w->size - (uint64_t)pos || fseek(w->fp, (long)n, SEEK_CUR) < 0)
		w->bad = true;
}

/* a NUL-terminated string of at most max-1 bytes must equal want */
static bool expect_str(struct walk *w, const char *want)
{
	char buf[32];
	size_t n = strlen(want) + 1;

	if (w->bad || n > sizeof(buf) || fread(buf, 1, n, w->fp) != n || memcmp(buf, want, n)) {
		w->bad = true;
		return false;
	}
	return true;
}

static void skip_cstr(struct walk *w)
{
	int c;

	for (int n = 0; !w->bad; n++) {
		c = fgetc(w->fp);
		if (c == EOF || n > 4096)
			w->bad = true;
		if (c == '\0')
			return;
	}
}

/* from after the page size up to the first option id */
static void walk_to_options(struct walk *w)
{
	expect_str(w, "header_page");
	skip(w, rd(w, 8));
	expect_str(w, "header_event");
	skip(w, rd(w, 8));
	for (uint64_t n = rd(w, 4); n-- && !w->bad;)
		skip(w, rd(w, 8));			/* ftrace formats */
	for (uint64_t s = rd(w, 4); s-- && !w->bad;) {
		skip_cstr(w);				/* system name */
		for (uint64_t e = rd(w, 4); e-- && !w->bad;)
			skip(w, rd(w, 8));		/* event formats */
	}
	skip(w, rd(w, 4));				/* kallsyms */
	skip(w, rd(w, 4));				/* printk formats */
	skip(w, rd(w, 8));				/* saved cmdlines */
	rd(w, 4);					/* nr_cpus */
}

/* the file's version string and byte order; false when not version 6 */
static bool read_preamble(struct walk *w)
{
	static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	unsigned char buf[10], endian;
	const uint16_t probe = 1;
	bool host_big = *(const uint8_t *)&probe == 0;

	if (fread(buf, 1, sizeof(buf), w->fp) != sizeof(buf) || memcmp(buf, magic, sizeof(magic)))
		return false;
	if (fread(buf, 1, 2, w->fp) != 2 || memcmp(buf, "6\0", 2))
		return false;
	if (fread(&endian, 1, 1, w->fp) != 1)
		return false;
	w->swap = (endian != 0) != host_big;
	rd(w, 1);					/* long size */
	rd(w, 4);					/* page size */
	return !w->bad;
}

static int extract_option(struct walk *w, uint32_t size, struct kf_saved_state *st,
			  const char *trace, char *err, size_t errlen)
{
	char *data;
	const char *moment;
	double t = 0;
	int nr = 0;

	if (size > STATE_MAX || size > w->size) {
		snprintf(err, errlen, "%s: kfrag's saved state says %u bytes, more than the file", trace, size);
		return -1;
	}
	data = malloc(size ? size : 1);
	if (!data || fread(data, 1, size, w->fp) != size) {
		snprintf(err, errlen, "%s: %s", trace, data ? "the saved state is cut short" : "out of memory");
		free(data);
		return -1;
	}
	moment = kf_state_extract(data, size, st->dir, &t, &nr, err, errlen);
	free(data);
	if (!moment)
		return -1;
	st->nr_files += nr;
	if (!strcmp(moment, "start")) {
		st->start_time = t;
		if (asprintf(&st->start_root, "%s/start", st->dir) < 0)
			st->start_root = NULL;
	} else if (!strcmp(moment, "end")) {
		st->end_time = t;
		if (asprintf(&st->end_root, "%s/end", st->dir) < 0)
			st->end_root = NULL;
	}
	return 0;
}

/* removed on every way out, and after a SIGKILL by the next kfrag */
static int make_dir(struct kf_saved_state *st, char *err, size_t errlen)
{
	st->dir = kf_tempdir_create("kfrag-state", err, errlen);
	return st->dir ? 0 : -1;
}

/* the options: kfrag's extracted, the others skipped; 1, 0 or -1 */
static int walk_options(struct walk *w, struct kf_saved_state *st, const char *trace,
			char *err, size_t errlen)
{
	int found = 0;

	if (!expect_str(w, "options  "))
		return 0;	/* no options section: a valid file without state */
	for (int n = 0; n < 4096 && !w->bad; n++) {
		uint16_t id = rd(w, 2);
		uint32_t size;

		if (w->bad || id == 0)
			break;
		size = rd(w, 4);
		if (id != KF_TRACEDAT_OPT_STATE) {
			skip(w, size);
			continue;
		}
		if (!st->dir && make_dir(st, err, errlen) < 0)
			return -1;
		if (extract_option(w, size, st, trace, err, errlen) < 0)
			return -1;
		found = 1;
	}
	if (w->bad) {
		snprintf(err, errlen, "%s: the options of the trace.dat end early or overrun the file", trace);
		return -1;
	}
	return found;
}

int kf_saved_state_open(const char *trace, struct kf_saved_state *st, char *err, size_t errlen)
{
	struct walk w = { 0 };
	struct stat sb;
	int ret;

	memset(st, 0, sizeof(*st));
	w.fp = fopen(trace, "rb");
	if (!w.fp)
		return 0;	/* the trace's reader says why it cannot open it */
	if (fstat(fileno(w.fp), &sb) < 0 || !S_ISREG(sb.st_mode) || !read_preamble(&w)) {
		fclose(w.fp);
		return 0;	/* a pipe, a text trace or another version: no state */
	}
	w.size = sb.st_size;
	walk_to_options(&w);
	if (w.bad) {
		fclose(w.fp);
		return 0;	/* the trace's reader reports what is damaged */
	}
	ret = walk_options(&w, st, trace, err, errlen);
	fclose(w.fp);
	if (ret <= 0)
		kf_saved_state_release(st);
	return ret;
}
