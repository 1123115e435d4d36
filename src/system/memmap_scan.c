// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory map's reader: /proc/kpageflags (8 bytes per PFN, 48 MiB for
 * 24 GiB) over every zone's span, read with pread() in chunks of whole
 * pageblocks, 2 MiB at a time, never the whole file: the scan keeps a
 * chunk of flags (and one of counts) and 4 bytes per pageblock.
 * Classification is memmap.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kf_memmap.h"

#define CHUNK_BYTES	(2u << 20)

struct pfn_file {
	const char *name;	/* "kpageflags", for messages */
	char *path;
	int fd;
	uint64_t start_pfn;	/* PFN of the file's first entry */
	uint64_t fill;		/* value for PFNs the file does not cover */
};

/* fills err (when there is one), sets errno, returns -1 */
static int scan_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int scan_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = errnum;
	return -1;
}

/* PATH.start_pfn, a decimal PFN, when the file is a saved slice */
static int pfn_file_start(struct pfn_file *f, char *err, size_t errlen)
{
	size_t len = strlen(f->path) + sizeof(".start_pfn");
	char *p = malloc(len), buf[64], *end;
	ssize_t n;
	int fd;

	if (!p)
		return scan_fail(err, errlen, ENOMEM, "%s: %s", f->name, strerror(ENOMEM));
	snprintf(p, len, "%s.start_pfn", f->path);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int ret = errno == ENOENT ? 0 : scan_fail(err, errlen, errno, "%s: %s", p, strerror(errno));

		free(p);
		f->start_pfn = 0;
		return ret;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		end = strchr(buf, '\n');
		if (end)
			*end = '\0';
	}
	if (n <= 0 || kf_proc_parse_u64(buf, &f->start_pfn) < 0) {
		scan_fail(err, errlen, EINVAL, "%s: not a decimal PFN", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

static int pfn_file_open(struct pfn_file *f, const char *root, const char *name,
			 uint64_t fill, char *err, size_t errlen)
{
	f->name = name;
	f->fill = fill;
	f->fd = -1;
	f->path = kf_proc_path(root, name);
	if (!f->path)
		return scan_fail(err, errlen, errno, "%s: %s", name, strerror(errno));
	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return scan_fail(err, errlen, EACCES, "reading %s needs root (CAP_SYS_ADMIN)",
					 f->path);
		if (errno == ENOENT)
			return scan_fail(err, errlen, ENOENT, "%s: %s (a kernel without "
					 "CONFIG_PROC_PAGE_MONITOR has none)", f->path, strerror(ENOENT));
		return scan_fail(err, errlen, errno, "%s: %s", f->path, strerror(errno));
	}
	return pfn_file_start(f, err, errlen);
}

static void pfn_file_close(struct pfn_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	f->fd = -1;
	f->path = NULL;
}

/*
 * Entries for PFNs [pfn, pfn + n) into buf; what the file does not cover
 * (before its start, past its end: procfs stops at the last memory
 * section) gets the fill value.
 */
static int pfn_file_read(struct pfn_file *f, uint64_t pfn, size_t n, uint64_t *buf,
			 char *err, size_t errlen)
{
	size_t skip = 0, got = 0;
	char *p;

	if (pfn < f->start_pfn) {
		skip = f->start_pfn - pfn < n ? f->start_pfn - pfn : n;
		for (size_t i = 0; i < skip; i++)
			buf[i] = f->fill;
	}
	p = (char *)(buf + skip);
	while (skip + got / 8 < n) {
		size_t want = (n - skip) * 8 - got;
		off_t off = (off_t)(pfn + skip - f->start_pfn) * 8 + got;
		ssize_t r = pread(f->fd, p + got, want, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return scan_fail(err, errlen, errno, "%s: read: %s", f->path, strerror(errno));
		}
		if (r == 0)
			break;
		got += r;
	}
	/* a trailing part of an entry (a cut fixture) is no entry */
	for (size_t i = skip + got / 8; i < n; i++)
		buf[i] = f->fill;
	return 0;
}

/* the sysctl, or -1 when it cannot be read */
static int read_unevictable_allowed(const char *root)
{
	char *path = kf_proc_path(root, "sys/vm/compact_unevictable_allowed");
	char buf[16] = "";
	int fd, v = -1;
	ssize_t n;

	if (!path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0 && (buf[0] == '0' || buf[0] == '1') && (buf[1] == '\n' || buf[1] == '\0'))
		v = buf[0] - '0';
	return v;
}

/* zone zi of m, read chunk_blocks pageblocks at a time into fbuf (and cbuf
 * from fc, when the counts are read) and handed to the classifier */
static int scan_zone(struct kf_memmap *m, int zi, struct pfn_file *fl, struct pfn_file *fc,
		     uint64_t *fbuf, uint64_t *cbuf, size_t chunk_blocks, char *err, size_t errlen)
{
	const struct kf_memmap_zone *z = &m->zones[zi];
	size_t bpages = (size_t)1 << m->pageblock_order;

	for (uint64_t b = 0; b < z->nr_blocks; b += chunk_blocks) {
		size_t nb = z->nr_blocks - b < chunk_blocks ? z->nr_blocks - b : chunk_blocks;
		uint64_t pfn = (z->first_block + b) << m->pageblock_order;

		if (pfn_file_read(fl, pfn, nb * bpages, fbuf, err, errlen) < 0)
			return -1;
		if (fc && pfn_file_read(fc, pfn, nb * bpages, cbuf, err, errlen) < 0)
			return -1;
		for (size_t i = 0; i < nb; i++) {
			if (kf_memmap_feed(m, zi, z->first_block + b + i, fbuf + i * bpages,
					   cbuf ? cbuf + i * bpages : NULL) < 0)
				return scan_fail(err, errlen, errno, "memory map: %s", strerror(errno));
		}
	}
	return 0;
}

int kf_memmap_read(const char *root, const struct kf_memstate *ms, unsigned flags,
		   struct kf_memmap **out, char *err, size_t errlen)
{
	struct pfn_file fl = { .fd = -1 }, fc = { .fd = -1 };
	struct kf_memmap *m = NULL;
	uint64_t *fbuf = NULL, *cbuf = NULL;
	size_t bpages, chunk_blocks;
	int pbo, saved;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	/* the permission question first: it is the one users meet */
	if (pfn_file_open(&fl, root, "kpageflags", KF_KPF(KF_KPF_NOPAGE), err, errlen) < 0)
		goto fail;
	if (flags & KF_MEMMAP_PAGECOUNT &&
	    pfn_file_open(&fc, root, "kpagecount", 0, err, errlen) < 0)
		goto fail;
	if (!(ms->have & KF_HAVE_ZONEINFO)) {
		scan_fail(err, errlen, EINVAL, "memory map: the zone spans (/proc/zoneinfo) were not read");
		goto fail;
	}
	if (!(ms->have & KF_HAVE_PAGETYPEINFO)) {
		scan_fail(err, errlen, EINVAL, "memory map: the pageblock order is unknown: "
			  "/proc/pagetypeinfo was not read (%s)", ms->missing[0] ? ms->missing : "missing");
		goto fail;
	}
	pbo = ms->pagetypeinfo.pageblock_order;
	m = kf_memmap_alloc(&ms->zoneinfo, pbo, err, errlen);
	if (!m)
		goto fail;
	m->flags = flags & KF_MEMMAP_PAGECOUNT;
	m->compact_unevictable_allowed = read_unevictable_allowed(root);

	bpages = (size_t)1 << pbo;
	chunk_blocks = CHUNK_BYTES / 8 / bpages;
	if (!chunk_blocks)
		chunk_blocks = 1;
	fbuf = malloc(chunk_blocks * bpages * sizeof(*fbuf));
	if (!fbuf || (flags & KF_MEMMAP_PAGECOUNT &&
		      !(cbuf = malloc(chunk_blocks * bpages * sizeof(*cbuf))))) {
		scan_fail(err, errlen, ENOMEM, "memory map: %s", strerror(ENOMEM));
		goto fail;
	}

	for (int zi = 0; zi < m->nr_zones; zi++)
		if (scan_zone(m, zi, &fl, cbuf ? &fc : NULL, fbuf, cbuf, chunk_blocks, err, errlen) < 0)
			goto fail;
	kf_memmap_finish(m, ms->have & KF_HAVE_BUDDYINFO ? &ms->buddyinfo : NULL,
			 &ms->pagetypeinfo);
	free(fbuf);
	free(cbuf);
	pfn_file_close(&fl);
	pfn_file_close(&fc);
	*out = m;
	return 0;

fail:
	saved = errno;
	free(fbuf);
	free(cbuf);
	pfn_file_close(&fl);
	pfn_file_close(&fc);
	kf_memmap_free(m);
	errno = saved;
	return -1;
}

int kf_memmap_scan(const char *root, const struct kf_memstate *ms, unsigned flags,
		   struct kf_memmap **out, char *err, size_t errlen)
{
	size_t len;

	if (kf_memmap_read(root, ms, flags, out, err, errlen) == 0)
		return 0;
	if (errno == EACCES && err && errlen) {
		len = strlen(err);
		snprintf(err + len, errlen - len, ": the memory map is not available");
		errno = EACCES;
	}
	return -1;
}
