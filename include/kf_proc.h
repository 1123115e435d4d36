/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Readers of the kernel's own view of memory: /proc/zoneinfo, buddyinfo,
 * pagetypeinfo and vmstat. Every reader takes a root prefix ("/" for the
 * running machine, or a directory holding a saved copy laid out as
 * ROOT/proc/zoneinfo or ROOT/zoneinfo), so saved snapshots serve tests.
 *
 * All readers return 0 on success, -1 with errno set on failure, and on a
 * malformed file set errno to EINVAL and fill err (when not NULL) with
 * "FILE:LINE: what is wrong".
 */
#ifndef KF_PROC_H
#define KF_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KF_MAX_ORDER		16	/* orders 0..15; Linux has 11 (MAX_PAGE_ORDER 10) */
#define KF_MAX_MIGRATETYPES	8
#define KF_ZONE_NAME_LEN	16
#define KF_MT_NAME_LEN		24

struct kf_zone_info {
	int node;
	char name[KF_ZONE_NAME_LEN];	/* "DMA", "DMA32", "Normal", "Movable" ... */
	uint64_t start_pfn;
	uint64_t spanned;		/* span is [start_pfn, start_pfn + spanned) */
	uint64_t present;
	uint64_t managed;
	uint64_t free_pages;		/* "pages free" */
	uint64_t min, low, high;	/* watermarks, pages */
	uint64_t nr_mlock;		/* per-zone "nr_mlock" */
	uint64_t nr_unevictable;	/* per-zone "nr_zone_unevictable" */
	bool populated;			/* spanned > 0 */
};

struct kf_zoneinfo {
	struct kf_zone_info *zones;	/* in file order (node, then zone index) */
	int nr_zones;
};

struct kf_buddy_zone {
	int node;
	char name[KF_ZONE_NAME_LEN];
	int nr_orders;
	uint64_t free_blocks[KF_MAX_ORDER];	/* free blocks of each order */
	/* the kernel's fragmentation indices of each order, in thousandths
	 * (kf_fragindex.h), derived once by kf_buddy_zone_derive (kf_zones.h) */
	int unusable[KF_MAX_ORDER];
	int extfrag[KF_MAX_ORDER];
};

struct kf_buddyinfo {
	struct kf_buddy_zone *zones;
	int nr_zones;
};

struct kf_pagetype_zone {
	int node;
	char name[KF_ZONE_NAME_LEN];
	/* free blocks per migratetype and order */
	uint64_t free_blocks[KF_MAX_MIGRATETYPES][KF_MAX_ORDER];
	/* number of pageblocks of each migratetype ("Number of blocks type") */
	uint64_t pageblocks[KF_MAX_MIGRATETYPES];
};

struct kf_pagetypeinfo {
	int pageblock_order;
	int nr_orders;
	/* migratetype names in the kernel's enum order, as pagetypeinfo prints them */
	char mt_names[KF_MAX_MIGRATETYPES][KF_MT_NAME_LEN];
	int nr_mt;
	struct kf_pagetype_zone *zones;
	int nr_zones;
};

struct kf_vmstat_entry {
	char *name;
	uint64_t value;
};

struct kf_vmstat {
	struct kf_vmstat_entry *entries;	/* in file order */
	int nr;
};

/* ROOT/proc/NAME if it exists, else ROOT/NAME; malloc()ed */
char *kf_proc_path(const char *root, const char *name);

int kf_zoneinfo_read(const char *root, struct kf_zoneinfo *zi, char *err, size_t errlen);
void kf_zoneinfo_release(struct kf_zoneinfo *zi);

int kf_buddyinfo_read(const char *root, struct kf_buddyinfo *bi, char *err, size_t errlen);
void kf_buddyinfo_release(struct kf_buddyinfo *bi);

int kf_pagetypeinfo_read(const char *root, struct kf_pagetypeinfo *pt, char *err, size_t errlen);
void kf_pagetypeinfo_release(struct kf_pagetypeinfo *pt);

int kf_vmstat_read(const char *root, struct kf_vmstat *vs, char *err, size_t errlen);
void kf_vmstat_release(struct kf_vmstat *vs);
/* value of a counter; false when the kernel does not have it */
bool kf_vmstat_get(const struct kf_vmstat *vs, const char *name, uint64_t *value);

/* everything above, read at one moment */
enum {
	KF_HAVE_ZONEINFO = 1 << 0,
	KF_HAVE_BUDDYINFO = 1 << 1,
	KF_HAVE_PAGETYPEINFO = 1 << 2,	/* root only on most kernels (0400) */
	KF_HAVE_VMSTAT = 1 << 3,
};

struct kf_memstate {
	unsigned have;			/* KF_HAVE_* of what could be read */
	struct kf_zoneinfo zoneinfo;
	struct kf_buddyinfo buddyinfo;
	struct kf_pagetypeinfo pagetypeinfo;
	struct kf_vmstat vmstat;
	char missing[256];		/* why a file could not be read, for the report */
	/* vm sysctls the findings name (sys/vm/ under the root), -1 unknown */
	long min_free_kbytes;
	long percpu_pagelist_high_fraction;
};

/* reads what it can; -1 only when zoneinfo (the zone spans) is unreadable or
 * a file that exists is malformed (err says which, errno EINVAL) */
int kf_memstate_read(const char *root, struct kf_memstate *ms, char *err, size_t errlen);
void kf_memstate_release(struct kf_memstate *ms);

/* one zone's row of each file, by node and name; NULL when ms (may be NULL)
 * did not read that file or it has no such zone (src/core/zones.c) */
const struct kf_zone_info *kf_memstate_zoneinfo(const struct kf_memstate *ms, int node, const char *name);
const struct kf_buddy_zone *kf_memstate_buddy(const struct kf_memstate *ms, int node, const char *name);
const struct kf_pagetype_zone *kf_memstate_pagetype(const struct kf_memstate *ms, int node, const char *name);

/*
 * Helpers the readers share (src/proc_path.c); not for the front ends.
 *
 * kf_proc_text_load() reads ROOT's NAME whole (procfs files have no size,
 * so it reads to EOF), NUL-terminated, and rejects what no kernel prints:
 * bytes that are not printable ASCII, a last line without its newline
 * (a truncated copy), more than KF_PROC_MAX_BYTES.
 */
#define KF_PROC_MAX_BYTES	(64u << 20)

struct kf_proc_text {
	char *path;		/* as opened, for messages */
	char *buf;		/* the contents, NUL-terminated, writable */
	size_t len;
};

int kf_proc_text_load(const char *root, const char *name, struct kf_proc_text *t,
		      char *err, size_t errlen);
/* the same for a file that may hold any byte (/proc/PID/status and smaps
 * carry process and file names); NUL-terminated, nothing rejected */
int kf_proc_file_load(const char *root, const char *name, struct kf_proc_text *t,
		      char *err, size_t errlen);
void kf_proc_text_release(struct kf_proc_text *t);
/* next line (newline replaced by NUL) or NULL at the end; *cursor starts at buf */
char *kf_proc_text_line(char **cursor);
/* fills err with "PATH:LINE: message", sets errno to EINVAL, returns -1 */
int kf_proc_fail(char *err, size_t errlen, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* next blank-separated word of *cursor (NUL-terminated in place), or NULL */
char *kf_proc_word(char **cursor);
/* a whole decimal number, as the kernel prints %lu; 0 or -1 */
int kf_proc_parse_u64(const char *s, uint64_t *v);
/*
 * "Node N, zone NAME" at the start of *cursor (NAME followed by a comma in
 * pagetypeinfo's free table: name_comma); 0 and *cursor past NAME, or -1
 */
int kf_proc_zone_head(char **cursor, bool name_comma, int *node, char name[KF_ZONE_NAME_LEN]);

#endif
