/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace.dat version 6, as trace-cmd's trace-output.c writes it and
 * trace-input.c reads it (Documentation/trace-cmd/trace-cmd.dat.v6.5.txt):
 *
 *   "\027\010\104tracing" "6\0" endian(1) long_size(1) page_size(4)
 *   "header_page\0" size(8) data   "header_event\0" size(8) data
 *   nr_ftrace_formats(4) { size(8) format }...
 *   nr_systems(4) { "system\0" nr_events(4) { size(8) format }... }...
 *   kallsyms size(4) data   printk_formats size(4) data
 *   saved_cmdlines size(8) data   nr_cpus(4)
 *   "options  \0" { id(2) size(4) data }... id 0(2)
 *   "flyrecord\0" { offset(8) size(8) } per CPU
 *   trace_clock size(8) data		(present because of option TRACECLOCK)
 *   page-aligned raw pages of CPU 0, CPU 1, ...
 *
 * Numbers are in the host's byte order, which the endian byte declares.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kf_tracedat_write.h"
#include "kf_util.h"

/* trace-cmd's option ids (trace-cmd-private.h) */
enum {
	OPT_DONE = 0,
	OPT_CPUSTAT = 2,
	OPT_TRACECLOCK = 4,
	OPT_UNAME = 5,
};

struct out {
	FILE *fp;
	uint64_t pos;
	int err;		/* first errno */
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->err || !n)
		return;
	if (fwrite(p, 1, n, o->fp) != n)
		o->err = errno ? errno : EIO;
	o->pos += n;
}

static void put2(struct out *o, uint16_t v) { put(o, &v, 2); }
static void put4(struct out *o, uint32_t v) { put(o, &v, 4); }
static void put8(struct out *o, uint64_t v) { put(o, &v, 8); }

static void put_zeros(struct out *o, uint64_t n)
{
	static const char zeros[4096];

	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		put(o, zeros, k);
		n -= k;
	}
}

/* tracefs and /proc files say size 0 in stat: read to EOF */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names of the events/ftrace/<name>/ directories that have a format */
static char **ftrace_formats(const char *tracing_dir, int *nr)
{
	char path[4096];
	struct dirent *de;
	char **names = NULL;
	int n = 0, cap = 0;
	DIR *dir;

	*nr = 0;
	snprintf(path, sizeof(path), "%s/events/ftrace", tracing_dir);
	dir = opendir(path);
	if (!dir)
		return NULL;	/* no ftrace system: zero formats is valid */
	while ((de = readdir(dir))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/events/ftrace/%s/format", tracing_dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));

			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmpstr);
	*nr = n;
	return names;
}

static void free_names(char **names, int nr)
{
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/* size(sizelen) + the file; -1 with the path in err when it cannot be read */
static int put_file(struct out *o, const char *path, int sizelen, char *err, size_t errlen)
{
	size_t len = 0;
	char *buf = slurp(path, &len);

	if (!buf) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (sizelen == 8)
		put8(o, len);
	else
		put4(o, (uint32_t)len);
	put(o, buf, len);
	free(buf);
	return 0;
}

static int put_event_formats(struct out *o, const struct kf_tracedat_desc *d, char *err, size_t errlen)
{
	const char **systems = calloc(d->nr_events ? d->nr_events : 1, sizeof(*systems));
	int nr_systems = 0, ret = 0;

	if (!systems) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* systems in order of first appearance, each with its events */
	for (int i = 0; i < d->nr_events; i++) {
		size_t sl = strcspn(d->events[i], "/");
		bool seen = false;

		/* systems[j] is a whole "system/event": compare the system parts */
		for (int j = 0; j < nr_systems; j++)
			if (strcspn(systems[j], "/") == sl && !strncmp(systems[j], d->events[i], sl))
				seen = true;
		if (!seen)
			systems[nr_systems++] = d->events[i];
	}
	put4(o, nr_systems);
	for (int s = 0; s < nr_systems && !ret; s++) {
		size_t sl = strcspn(systems[s], "/");
		uint32_t count = 0;

		put(o, systems[s], sl);
		put(o, "", 1);
		for (int i = 0; i < d->nr_events; i++)
			if (strcspn(d->events[i], "/") == sl && !strncmp(d->events[i], systems[s], sl))
				count++;
		put4(o, count);
		for (int i = 0; i < d->nr_events && !ret; i++) {
			char path[4096];

			if (strcspn(d->events[i], "/") != sl || strncmp(d->events[i], systems[s], sl))
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/format", d->tracing_dir, d->events[i]);
			ret = put_file(o, path, 8, err, errlen);
		}
	}
	free(systems);
	return ret;
}

static int put_cmdlines(struct out *o, const struct kf_tracedat_desc *d)
{
	char path[4096];
	size_t len = 0, extra = d->extra_cmdlines ? strlen(d->extra_cmdlines) : 0;
	char *buf;

	snprintf(path, sizeof(path), "%s/saved_cmdlines", d->tracing_dir);
	buf = slurp(path, &len);
	if (!buf)
		len = 0;	/* no comms is a valid trace, just a less readable one */
	put8(o, len + extra);
	put(o, buf, len);
	put(o, d->extra_cmdlines, extra);
	free(buf);
	return 0;
}

static void put_option(struct out *o, uint16_t id, const void *data, uint32_t size)
{
	put2(o, id);
	put4(o, size);
	put(o, data, size);
}

static void put_options(struct out *o, const struct kf_tracedat_desc *d)
{
	struct utsname u;

	put(o, "options  ", 10);
	for (int cpu = 0; cpu < d->nr_cpus; cpu++) {
		const char *stats = d->cpus[cpu].stats;
		char *s;
		int n;

		if (!stats)
			continue;
		n = asprintf(&s, "CPU: %d\n%s", cpu, stats);
		if (n < 0)
			continue;
		put_option(o, OPT_CPUSTAT, s, n + 1);
		free(s);
	}
	/* the trace_clock file follows the CPU offsets */
	put_option(o, OPT_TRACECLOCK, NULL, 0);
	if (uname(&u) == 0) {
		char *s;
		int n = asprintf(&s, "%s %s %s %s", u.sysname, u.nodename, u.release, u.machine);

		if (n >= 0) {
			put_option(o, OPT_UNAME, s, n + 1);
			free(s);
		}
	}
	for (int i = 0; i < d->nr_options; i++)
		put_option(o, d->options[i].id, d->options[i].data, d->options[i].size);
	put2(o, OPT_DONE);
}

static int copy_pages(struct out *o, const struct kf_tracedat_cpu *c, char *buf, size_t buflen,
		      char *err, size_t errlen)
{
	uint64_t off = 0;

	while (off < c->size && !o->err) {
		size_t want = c->size - off < buflen ? c->size - off : buflen;
		ssize_t r = pread(c->fd, buf, want, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot read the kept ring-buffer pages back: %s",
				 r < 0 ? strerror(errno) : "file shorter than written");
			return -1;
		}
		put(o, buf, r);
		off += r;
	}
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* everything before the options' data: magic, headers, formats, cmdlines,
 * the CPU count and the options */
static int put_headers(struct out *o, const struct kf_tracedat_desc *d, char **ftrace, int nr_ftrace,
		       char *err, size_t errlen)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	const uint16_t probe = 1;
	char p[4096];

	put(o, magic, sizeof(magic));
	put(o, "6", 2);
	put(o, (const char[]){ *(const uint8_t *)&probe == 1 ? 0 : 1 }, 1);
	put(o, (const char[]){ (char)sizeof(long) }, 1);
	put4(o, d->page_size);

	put(o, "header_page", 12);
	snprintf(p, sizeof(p), "%s/events/header_page", d->tracing_dir);
	if (put_file(o, p, 8, err, errlen) < 0)
		return -1;
	put(o, "header_event", 13);
	snprintf(p, sizeof(p), "%s/events/header_event", d->tracing_dir);
	if (put_file(o, p, 8, err, errlen) < 0)
		return -1;

	put4(o, nr_ftrace);
	for (int i = 0; i < nr_ftrace; i++) {
		snprintf(p, sizeof(p), "%s/events/ftrace/%s/format", d->tracing_dir, ftrace[i]);
		if (put_file(o, p, 8, err, errlen) < 0)
			return -1;
	}
	if (put_event_formats(o, d, err, errlen) < 0)
		return -1;
	put4(o, 0);		/* kallsyms: kmem events need no function names */
	put4(o, 0);		/* printk formats: no trace_printk() events */
	put_cmdlines(o, d);
	put4(o, d->nr_cpus);
	put_options(o, d);
	return 0;
}

/* the flyrecord section's table: each CPU's data offset and size, then the
 * trace clock; the data starts page-aligned after it */
static void put_cpu_table(struct out *o, const struct kf_tracedat_desc *d)
{
	char p[4096], *clock;
	size_t clock_len = 0;
	uint64_t data_pos;

	snprintf(p, sizeof(p), "%s/trace_clock", d->instance_dir ? d->instance_dir : d->tracing_dir);
	clock = slurp(p, &clock_len);
	if (!clock) {
		clock = strdup("[local]\n");	/* the default clock of every buffer */
		clock_len = clock ? strlen(clock) : 0;
	}
	data_pos = align_up(o->pos + 16 * (uint64_t)d->nr_cpus + 8 + clock_len, d->page_size);
	for (int cpu = 0; cpu < d->nr_cpus; cpu++) {
		uint64_t size = d->cpus[cpu].fd >= 0 ? d->cpus[cpu].size : 0;

		put8(o, data_pos);
		put8(o, size);
		data_pos = align_up(data_pos + size, d->page_size);
	}
	put8(o, clock_len);
	put(o, clock, clock_len);
	free(clock);
}

/* each CPU's kept pages, page-aligned, in the table's order */
static int put_cpu_data(struct out *o, const struct kf_tracedat_desc *d, char *err, size_t errlen)
{
	char *buf = malloc(1 << 20);
	int ret = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int cpu = 0; cpu < d->nr_cpus && ret == 0; cpu++) {
		put_zeros(o, align_up(o->pos, d->page_size) - o->pos);
		if (d->cpus[cpu].fd >= 0 && d->cpus[cpu].size &&
		    copy_pages(o, &d->cpus[cpu], buf, 1 << 20, err, errlen) < 0)
			ret = -1;
	}
	free(buf);
	return ret;
}

int kf_tracedat_write(const char *path, const struct kf_tracedat_desc *d,
		      char *err, size_t errlen)
{
	struct kf_atomic_file af;
	struct out o = { 0 };
	char **ftrace = NULL;
	int nr_ftrace = 0;

	if (d->page_size <= 0 || (d->page_size & (d->page_size - 1)) || d->nr_cpus <= 0) {
		snprintf(err, errlen, "cannot write %s: bad page size or CPU count", path);
		return -1;
	}
	if (kf_atomic_open(&af, path, 0644) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	o.fp = af.fp;

	ftrace = ftrace_formats(d->tracing_dir, &nr_ftrace);
	if (put_headers(&o, d, ftrace, nr_ftrace, err, errlen) < 0)
		goto fail;
	put(&o, "flyrecord", 10);
	put_cpu_table(&o, d);
	if (put_cpu_data(&o, d, err, errlen) < 0)
		goto fail;
	if (o.err) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(o.err));
		goto fail;
	}
	if (kf_atomic_commit(&af) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto fail_committed;
	}
	free_names(ftrace, nr_ftrace);
	return 0;

fail:
	kf_atomic_abort(&af);
fail_committed:
	free_names(ftrace, nr_ftrace);
	return -1;
}
