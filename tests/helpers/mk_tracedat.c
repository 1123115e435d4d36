/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes a small trace.dat (version 6, as trace-cmd's trace-output.c lays
 * it out, uncompressed) holding NR kmem:mm_page_alloc records on one CPU,
 * with a format that can be made hostile:
 *
 *   mk_tracedat OUT [--records NR] [--event-id ID] [--type-size 2|4]
 *               [--pid-offset OFF] [--pfn-offset OFF] [--cpus NR_CPUS]
 *
 * Record i (0-based) has pid 100 + i, pfn 0x1000 + i, order i % 4,
 * migratetype 1, and a timestamp 1 us after the previous one. The format's
 * offsets are what the file claims; the records are laid out as the kernel
 * lays them out (common_type 0, common_pid 4, pfn 8, order 16, gfp 24,
 * migratetype 32), so a claimed offset beyond the record points past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define RECORD 40			/* bytes of an mm_page_alloc record */

static FILE *out;

static void put(const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("mk_tracedat");
		exit(1);
	}
}

static void put4(uint32_t v) { put(&v, 4); }
static void put8(uint64_t v) { put(&v, 8); }
static void put_sized8(const char *s) { put8(strlen(s)); put(s, strlen(s)); }

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
static const char header_event[] =
	"# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n\n\tpadding     : type == 29\n\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n\tdata max type_len  == 28\n";

struct opts {
	long records, id, type_size, pid_off, pfn_off, cpus;
};

/* one page of records laid out as the kernel lays them out */
static void build_page(const struct opts *o, char *page)
{
	size_t used = 16;
	uint64_t ts = 1000000000ull, commit;

	memset(page, 0, PAGE);
	for (long i = 0; i < o->records; i++) {
		unsigned char rec[RECORD];
		uint32_t hdr = (1000u << 5) | (RECORD / 4), pid = 100 + i, order = i % 4, mt = 1;
		uint64_t pfn = 0x1000 + i, gfp = 0xcc0;

		memset(rec, 0, sizeof(rec));
		if (o->type_size == 4) { uint32_t t = o->id; memcpy(rec, &t, 4); }
		else { uint16_t t = o->id; memcpy(rec, &t, 2); }
		memcpy(rec + 4, &pid, 4);
		memcpy(rec + 8, &pfn, 8);
		memcpy(rec + 16, &order, 4);
		memcpy(rec + 24, &gfp, 8);
		memcpy(rec + 32, &mt, 4);
		memcpy(page + used, &hdr, 4);
		memcpy(page + used + 4, rec, RECORD);
		used += 4 + RECORD;
	}
	commit = used - 16;
	memcpy(page, &ts, 8);
	memcpy(page + 8, &commit, 8);
}

/* the version 6 layout: headers, the one format, CPUs, the page */
static void write_file(const struct opts *o, const char *format, const char *page)
{
	long off;

	put("\027\010Dtracing6", 11);
	put("\0", 1);
	put("\0\010", 2);			/* little endian, 8-byte long */
	put4(PAGE);
	put("header_page", 12);
	put_sized8(header_page);
	put("header_event", 13);
	put_sized8(header_event);
	put4(0);				/* ftrace formats */
	put4(1);				/* event systems */
	put("kmem", 5);
	put4(1);
	put_sized8(format);
	put4(0);				/* kallsyms */
	put4(0);				/* printk formats */
	put8(0);				/* saved cmdlines */
	put4(o->cpus);
	put("options  ", 10);
	put("\0\0", 2);				/* no options */
	put("flyrecord", 10);
	off = ftell(out) + 16 * o->cpus;
	off = (off + PAGE - 1) / PAGE * PAGE;
	for (long c = 0; c < o->cpus; c++) {
		put8(c == 0 ? off : off + PAGE);	/* CPU 0 has the page, the others nothing */
		put8(c == 0 ? PAGE : 0);
	}
	while (ftell(out) < off)
		put("", 1);
	put(page, PAGE);
}

int main(int argc, char **argv)
{
	struct opts o = { .records = 10, .id = 653, .type_size = 2, .pid_off = 4, .pfn_off = 8, .cpus = 1 };
	char format[2048], page[PAGE];

	if (argc < 2) {
		fprintf(stderr, "usage: mk_tracedat OUT [--records N] [--event-id ID] [--type-size 2|4] "
			"[--pid-offset OFF] [--pfn-offset OFF] [--cpus N]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		long v = strtol(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--records")) o.records = v;
		else if (!strcmp(argv[i], "--event-id")) o.id = v;
		else if (!strcmp(argv[i], "--type-size")) o.type_size = v;
		else if (!strcmp(argv[i], "--pid-offset")) o.pid_off = v;
		else if (!strcmp(argv[i], "--pfn-offset")) o.pfn_off = v;
		else if (!strcmp(argv[i], "--cpus")) o.cpus = v;
		else { fprintf(stderr, "mk_tracedat: unknown option %s\n", argv[i]); return 2; }
	}
	if (o.records * (RECORD + 4) > PAGE - 16 || o.cpus < 1) {
		fprintf(stderr, "mk_tracedat: at most %d records, at least one CPU\n", (PAGE - 16) / (RECORD + 4));
		return 2;
	}
	snprintf(format, sizeof(format),
		 "name: mm_page_alloc\nID: %ld\nformat:\n"
		 "\tfield:unsigned %s common_type;\toffset:0;\tsize:%ld;\tsigned:0;\n"
		 "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		 "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		 "\tfield:int common_pid;\toffset:%ld;\tsize:4;\tsigned:1;\n\n"
		 "\tfield:unsigned long pfn;\toffset:%ld;\tsize:8;\tsigned:0;\n"
		 "\tfield:unsigned int order;\toffset:16;\tsize:4;\tsigned:0;\n"
		 "\tfield:unsigned long gfp_flags;\toffset:24;\tsize:8;\tsigned:0;\n"
		 "\tfield:int migratetype;\toffset:32;\tsize:4;\tsigned:1;\n\n"
		 "print fmt: \"pfn=0x%%lx order=%%d migratetype=%%d\", REC->pfn, REC->order, REC->migratetype\n",
		 o.id, o.type_size == 4 ? "int" : "short", o.type_size, o.pid_off, o.pfn_off);
	build_page(&o, page);
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	write_file(&o, format, page);
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
