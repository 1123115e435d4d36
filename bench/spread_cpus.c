/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The same ring-buffer pages over more CPUs, for the many-CPU benchmark:
 *
 *   spread_cpus IN.dat OUT.dat NR_CPUS
 *
 * reads a trace.dat (version 7) with kfrag's own reader of its layout and
 * writes a version 7 trace.dat, uncompressed, with one buffer (the top one)
 * of NR_CPUS CPUs. Page i of the input's CPU c (K CPUs with data, over
 * every buffer) goes to CPU c + K * (i mod (NR_CPUS / K)): each page stays
 * whole (a page's records are relative to its own timestamp) and the pages
 * of each new CPU keep their order, so the merged stream is the same
 * records in the same time order, only on more CPUs. The metadata sections
 * (header info, formats, kallsyms, printk, saved command lines) are copied
 * uncompressed. With NR_CPUS = K the output is the input's pages
 * uncompressed: the baseline of the same shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "../src/sources/kf_tracedat_file.h"	/* kfrag's reader of the layout */

struct page_list {
	const unsigned char **pages;
	size_t nr, cap;
};

static FILE *out;
static unsigned page_size;

static void die(const char *msg)
{
	fprintf(stderr, "spread_cpus: %s\n", msg);
	exit(1);
}

static void put(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, out) != n)
		die("write failed");
}

static void put2(unsigned v) { unsigned short x = v; put(&x, 2); }
static void put4(unsigned v) { put(&v, 4); }
static void put8(unsigned long long v) { put(&v, 8); }

static void add_page(struct page_list *l, const unsigned char *p)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->pages = realloc(l->pages, l->cap * sizeof(*l->pages));
		if (!l->pages)
			die("out of memory");
	}
	l->pages[l->nr++] = p;
}

static unsigned u32(const unsigned char *p) { unsigned v; memcpy(&v, p, 4); return v; }

/* every page of one CPU's data, decompressed into memory kept to the end */
static void cpu_pages(const struct kf_tdat *t, const struct kf_tdat_buffer *b,
		      const struct kf_tdat_cpu *c, struct page_list *l)
{
	const unsigned char *p = t->map + c->offset;

	if (!b->compressed) {
		for (unsigned long long o = 0; o + page_size <= c->size; o += page_size)
			add_page(l, p + o);
		return;
	}
	unsigned count = u32(p);

	p += 4;
	for (unsigned i = 0; i < count; i++) {
		unsigned zsize = u32(p), size = u32(p + 4);
		unsigned char *buf = malloc(size);

		if (!buf || kf_tdat_unzstd(buf, size, p + 8, zsize) < 0)
			die("a chunk does not decompress");
		for (unsigned o = 0; o + page_size <= size; o += page_size)
			add_page(l, buf + o);
		p += 8 + zsize;
	}
}

/* a section of the input, written uncompressed; returns its new offset */
static unsigned long long copy_section(const struct kf_tdat *t, unsigned long long at)
{
	const unsigned char *p = t->map + at;
	unsigned short id, flags;
	unsigned long long size, where = ftell(out);
	const unsigned char *data;

	if (!at)
		return 0;
	memcpy(&id, p, 2);
	memcpy(&flags, p + 2, 2);
	memcpy(&size, p + 8, 8);
	data = p + 16;
	put2(id);
	put2(0);
	put4(0);
	if (flags & 1) {
		unsigned zsize = u32(data), usize = u32(data + 4);
		unsigned char *buf = malloc(usize ? usize : 1);

		if (!buf || kf_tdat_unzstd(buf, usize, data + 8, zsize) < 0)
			die("a section does not decompress");
		put8(usize);
		put(buf, usize);
		free(buf);
	} else {
		put8(size);
		put(data, size);
	}
	return where;
}

static void put_option8(unsigned id, unsigned long long v)
{
	if (!v)
		return;
	put2(id);
	put4(8);
	put8(v);
}

/* the pages of every CPU with data, over every buffer; returns how many CPUs */
static int read_input(const struct kf_tdat *t, struct page_list *in, int max)
{
	int nin = 0;

	for (int b = 0; b < t->nr_buffers; b++)
		for (int c = 0; c < t->buffers[b].nr_cpus && nin < max; c++) {
			cpu_pages(t, &t->buffers[b], &t->buffers[b].cpus[c], &in[nin]);
			if (in[nin].nr)
				nin++;
		}
	return nin;
}

/* the flyrecord section: header, padding to a page, each CPU's pages;
 * fills offs with where each CPU's data starts */
static unsigned long long put_flyrecord(const struct page_list *outl, int n,
					unsigned long long *offs)
{
	unsigned long long fly = ftell(out), data, total = 0;

	for (int c = 0; c < n; c++)
		total += outl[c].nr * page_size;
	data = (fly + 16 + page_size - 1) / page_size * page_size;
	put2(3);
	put2(0);
	put4(0);
	put8(data - fly - 16 + total);
	while ((unsigned long long)ftell(out) < data)
		put("", 1);
	for (int c = 0; c < n; c++) {
		offs[c] = ftell(out);
		for (size_t i = 0; i < outl[c].nr; i++)
			put(outl[c].pages[i], page_size);
	}
	return fly;
}

/* the options section: where the sections are, the CPU count, the buffer */
static void put_options(const unsigned long long *sec, unsigned long long fly,
			const struct page_list *outl, int n, const unsigned long long *offs)
{
	long size_pos;

	put2(0);
	put2(0);
	put4(0);
	size_pos = ftell(out);
	put8(0);
	for (int id = 16; id <= 21; id++)
		put_option8(id, sec[id - 16]);
	put2(8);
	put4(4);
	put4(n);
	put2(3);
	put4(8 + 1 + 6 + 4 + 4 + n * 20);
	put8(fly);
	put("", 1);
	put("local", 6);
	put4(page_size);
	put4(n);
	for (int c = 0; c < n; c++) {
		put4(c);
		put8(offs[c]);
		put8(outl[c].nr * page_size);
	}
	put2(0);
	put4(8);
	put8(0);
	long end = ftell(out);

	fseek(out, size_pos, SEEK_SET);
	put8(end - size_pos - 8);
	fseek(out, end, SEEK_SET);
}

int main(int argc, char **argv)
{
	static struct page_list in[1024];
	struct page_list *outl;
	unsigned long long sec[6], *offs, fly, opts;
	struct kf_tdat t;
	char err[1024];
	int nin, n, fd;
	struct stat st;
	void *map;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: spread_cpus IN.dat OUT.dat NR_CPUS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open the input");
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED || kf_tdat_parse(&t, map, st.st_size, argv[1], err, sizeof(err)) != 0)
		die(map == MAP_FAILED ? "cannot map the input" : err);
	if (t.version != 7)
		die("the input must be a version 7 trace.dat");
	page_size = t.page_size;
	nin = read_input(&t, in, 1024);
	if (!nin || n % nin)
		die("NR_CPUS must be a multiple of the input's CPUs with data");
	outl = calloc(n, sizeof(*outl));
	offs = calloc(n, sizeof(*offs));
	if (!outl || !offs)
		die("out of memory");
	for (int c = 0; c < nin; c++)
		for (size_t i = 0; i < in[c].nr; i++)
			add_page(&outl[c + nin * (i % (n / nin))], in[c].pages[i]);

	out = fopen(argv[2], "wb");
	if (!out)
		die("cannot create the output");
	put("\027\010Dtracing7", 11);
	put("", 1);
	put(t.big_endian ? "\1" : "\0", 1);
	put("\010", 1);
	put4(page_size);
	put("none", 5);
	put("", 1);
	long opt_at_pos = ftell(out);

	put8(0);			/* the options' offset, filled in below */
	sec[0] = copy_section(&t, t.header_info);
	sec[1] = copy_section(&t, t.ftrace_events);
	sec[2] = copy_section(&t, t.event_formats);
	sec[3] = copy_section(&t, t.kallsyms);
	sec[4] = copy_section(&t, t.printk);
	sec[5] = copy_section(&t, t.cmdlines);
	fly = put_flyrecord(outl, n, offs);
	opts = ftell(out);
	put_options(sec, fly, outl, n, offs);
	fseek(out, opt_at_pos, SEEK_SET);
	put8(opts);
	if (fclose(out) != 0)
		die("write failed");
	return 0;
}
