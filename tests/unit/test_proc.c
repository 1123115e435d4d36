// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /proc readers against saved copies of a real machine (expected
 * numbers read from the files with awk/grep, written here as literals),
 * against malformed files, and against the running machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kf_fragindex.h"
#include "kf_proc.h"

#define MMB "proc/compaction-mlocked-moved/before"
#define UOA "proc/compaction-unevictable-off/after"

static char tree_buf[4096];

static const char *tree(const char *name)
{
	snprintf(tree_buf, sizeof(tree_buf), "%s", fixture(name));
	return tree_buf;
}

/* err is "PATH:LINE: something" for this path and line (line 0: any) */
static void check_err(const char *what, const char *err, const char *path, int line)
{
	size_t n = strlen(path);
	int got = -1, pos = 0;

	CHECK(strncmp(err, path, n) == 0 && err[n] == ':' &&
	      sscanf(err + n, ":%d:%n", &got, &pos) == 1 && pos > 0 && err[n + pos] == ' ' &&
	      (line == 0 || got == line),
	      "%s: err \"%s\", want \"%s:%d: ...\"", what, err, path, line);
}

/* ---- kf_proc_path ---------------------------------------------------- */

static void check_path(const char *tmp)
{
	char want[4200], *p;

	p = kf_proc_path("/", "zoneinfo");
	CHECK_EQ_STR(p, "/proc/zoneinfo");
	free(p);
	p = kf_proc_path(NULL, "vmstat");
	CHECK_EQ_STR(p, "/proc/vmstat");
	free(p);
	/* a saved snapshot holds the files directly */
	p = kf_proc_path(tree(MMB), "buddyinfo");
	snprintf(want, sizeof(want), "%s/buddyinfo", tree(MMB));
	CHECK_EQ_STR(p, want);
	free(p);
	snprintf(want, sizeof(want), "%s/", tree(MMB));
	p = kf_proc_path(want, "buddyinfo");
	snprintf(want, sizeof(want), "%s/buddyinfo", tree(MMB));
	CHECK_EQ_STR(p, want);
	free(p);
	/* a tree shaped like a root file system: ROOT/proc/NAME, present or not */
	snprintf(want, sizeof(want), "%s/proc", tmp);
	CHECK(mkdir(want, 0755) == 0, "mkdir %s: %s", want, strerror(errno));
	p = kf_proc_path(tmp, "zoneinfo");
	snprintf(want, sizeof(want), "%s/proc/zoneinfo", tmp);
	CHECK_EQ_STR(p, want);
	free(p);
	snprintf(want, sizeof(want), "%s/proc", tmp);
	rmdir(want);
	p = kf_proc_path(tmp, "zoneinfo");
	snprintf(want, sizeof(want), "%s/zoneinfo", tmp);
	CHECK_EQ_STR(p, want);
	free(p);
}

/* ---- zoneinfo --------------------------------------------------------- */

struct zone_want {
	const char *name;
	uint64_t start_pfn, spanned, present, managed, free, min, low, high, mlock, unevictable;
	int populated;
};

/*
 * From:
 * awk '/^Node/{z=$4} /^  pages free/{f=$3} /^ +(min|low|high|spanned|present|managed) /{v[$1]=$2}
 *      /^ +nr_mlock /{m=$2} /^ +nr_zone_unevictable /{u=$2} /^  start_pfn:/{s=$2}
 *      /^ +protection:/{print z, f, v["min"], v["low"], v["high"], v["spanned"], v["present"], v["managed"]}
 *      /^  start_pfn:/{print z, s, m, u}' zoneinfo
 * (Movable and Device print no start_pfn and no counters: 0 here)
 */
static const struct zone_want mmb_zones[] = {
	{ "DMA", 1, 4095, 3998, 3840, 3840, 28, 35, 42, 0, 0, 1 },
	{ "DMA32", 4096, 1044480, 782336, 772917, 772917, 5636, 7045, 8454, 0, 0, 1 },
	{ "Normal", 1048576, 5505024, 5505024, 1540096, 997772, 11231, 14038, 16845, 11070, 11337, 1 },
	{ "Movable", 0, 0, 0, 0, 0, 32, 32, 32, 0, 0, 0 },
	{ "Device", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void check_zones(const char *t, const struct zone_want *want, int n)
{
	struct kf_zoneinfo zi;
	char err[512];
	int i;

	CHECK(kf_zoneinfo_read(tree(t), &zi, err, sizeof(err)) == 0, "%s: %s", t, err);
	CHECK_EQ_INT(zi.nr_zones, n);
	for (i = 0; i < n && i < zi.nr_zones; i++) {
		const struct kf_zone_info *z = &zi.zones[i];

		CHECK_EQ_INT(z->node, 0);
		CHECK_EQ_STR(z->name, want[i].name);
		CHECK_EQ_U64(z->start_pfn, want[i].start_pfn);
		CHECK_EQ_U64(z->spanned, want[i].spanned);
		CHECK_EQ_U64(z->present, want[i].present);
		CHECK_EQ_U64(z->managed, want[i].managed);
		CHECK_EQ_U64(z->free_pages, want[i].free);
		CHECK_EQ_U64(z->min, want[i].min);
		CHECK_EQ_U64(z->low, want[i].low);
		CHECK_EQ_U64(z->high, want[i].high);
		CHECK_EQ_U64(z->nr_mlock, want[i].mlock);
		CHECK_EQ_U64(z->nr_unevictable, want[i].unevictable);
		CHECK_EQ_INT(z->populated, want[i].populated);
	}
	kf_zoneinfo_release(&zi);
}

static void check_zoneinfo(void)
{
	struct zone_want uoa[5];

	check_zones(MMB, mmb_zones, 5);
	/* the same zones after compaction, another run: only Normal's free
	 * differs (awk as above on compaction-unevictable-off/after/zoneinfo) */
	memcpy(uoa, mmb_zones, sizeof(uoa));
	uoa[2].free = 938449;
	check_zones(UOA, uoa, 5);
}

/* ---- buddyinfo -------------------------------------------------------- */

static void check_buddyinfo(void)
{
	/* cat compaction-mlocked-moved/before/buddyinfo */
	static const uint64_t normal[11] = { 45406, 155, 84, 47, 21, 11, 4, 7, 3, 83, 885 };
	static const uint64_t dma[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };
	struct kf_buddyinfo bi;
	uint64_t pages = 0;
	char err[512];
	int o;

	CHECK(kf_buddyinfo_read(tree(MMB), &bi, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_INT(bi.nr_zones, 3);	/* only populated zones */
	if (bi.nr_zones != 3)
		return;
	CHECK_EQ_STR(bi.zones[0].name, "DMA");
	CHECK_EQ_STR(bi.zones[1].name, "DMA32");
	CHECK_EQ_STR(bi.zones[2].name, "Normal");
	CHECK_EQ_INT(bi.zones[2].nr_orders, 11);
	for (o = 0; o < 11; o++) {
		CHECK_EQ_U64(bi.zones[0].free_blocks[o], dma[o]);
		CHECK_EQ_U64(bi.zones[2].free_blocks[o], normal[o]);
		pages += bi.zones[2].free_blocks[o] << o;
	}
	/* this capture's buddyinfo and zoneinfo agree: Normal's "pages free" */
	CHECK_EQ_U64(pages, 997772);
	kf_buddyinfo_release(&bi);
}

/* ---- pagetypeinfo ----------------------------------------------------- */

static void check_pagetypeinfo(void)
{
	static const char *const names[] = { "Unmovable", "Movable", "Reclaimable",
					     "HighAtomic", "Isolate" };
	/* sed -n '/^Number of blocks/,$p' compaction-mlocked-moved/before/pagetypeinfo */
	static const uint64_t blocks[3][5] = {
		{ 1, 7, 0, 0, 0 },
		{ 0, 1528, 0, 0, 0 },
		{ 170, 2790, 48, 0, 0 },
	};
	/* grep 'Normal, type *Movable' compaction-mlocked-moved/before/pagetypeinfo */
	static const uint64_t normal_movable[11] = { 45289, 115, 1, 0, 1, 0, 0, 0, 0, 81, 885 };
	struct kf_pagetypeinfo pt;
	char err[512];
	int i, mt, o;

	CHECK(kf_pagetypeinfo_read(tree(MMB), &pt, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_INT(pt.pageblock_order, 9);
	CHECK_EQ_INT(pt.nr_orders, 11);
	CHECK_EQ_INT(pt.nr_mt, 5);
	for (i = 0; i < 5 && i < pt.nr_mt; i++)
		CHECK_EQ_STR(pt.mt_names[i], names[i]);
	CHECK_EQ_INT(pt.nr_zones, 3);
	for (i = 0; i < 3 && i < pt.nr_zones; i++)
		for (mt = 0; mt < 5; mt++)
			CHECK_EQ_U64(pt.zones[i].pageblocks[mt], blocks[i][mt]);
	if (pt.nr_zones == 3) {
		CHECK_EQ_STR(pt.zones[2].name, "Normal");
		for (o = 0; o < 11; o++)
			CHECK_EQ_U64(pt.zones[2].free_blocks[1][o], normal_movable[o]);
		/* Normal's blocks times 512 pages are its managed pages */
		CHECK_EQ_U64((pt.zones[2].pageblocks[0] + pt.zones[2].pageblocks[1] +
			      pt.zones[2].pageblocks[2]) << pt.pageblock_order, 1540096);
	}
	kf_pagetypeinfo_release(&pt);
}

/* ---- vmstat ----------------------------------------------------------- */

static void check_vmstat(void)
{
	struct kf_vmstat vs;
	uint64_t v = 0;
	char err[512];

	CHECK(kf_vmstat_read(tree(MMB), &vs, err, sizeof(err)) == 0, "%s", err);
	/* wc -l vmstat; head -1; tail -1 */
	CHECK_EQ_INT(vs.nr, 192);
	if (vs.nr == 192) {
		CHECK_EQ_STR(vs.entries[0].name, "nr_free_pages");
		CHECK_EQ_STR(vs.entries[191].name, "nr_unstable");
	}
	/* grep -E '^(nr_free_pages|nr_mlock|pgmigrate_success|compact_isolated|compact_stall) ' vmstat */
	CHECK(kf_vmstat_get(&vs, "nr_free_pages", &v) && v == 1774529, "nr_free_pages %" PRIu64, v);
	CHECK(kf_vmstat_get(&vs, "nr_mlock", &v) && v == 11070, "nr_mlock %" PRIu64, v);
	CHECK(kf_vmstat_get(&vs, "pgmigrate_success", &v) && v == 436176, "%" PRIu64, v);
	CHECK(kf_vmstat_get(&vs, "compact_isolated", &v) && v == 873135, "%" PRIu64, v);
	CHECK(kf_vmstat_get(&vs, "compact_stall", &v) && v == 0, "%" PRIu64, v);
	CHECK(!kf_vmstat_get(&vs, "no_such_counter", &v), "found a counter that is not there");
	CHECK(!kf_vmstat_get(&vs, "nr_free", &v), "a prefix must not match");
	kf_vmstat_release(&vs);

	CHECK(kf_vmstat_read(tree(UOA), &vs, err, sizeof(err)) == 0, "%s", err);
	/* grep -E '^(pgmigrate_success|compact_migrate_scanned) ' compaction-unevictable-off/after/vmstat */
	CHECK(kf_vmstat_get(&vs, "pgmigrate_success", &v) && v == 525269, "%" PRIu64, v);
	CHECK(kf_vmstat_get(&vs, "compact_migrate_scanned", &v) && v == 10407418, "%" PRIu64, v);
	kf_vmstat_release(&vs);
}

/* ---- malformed files -------------------------------------------------- */

static int read_one(const char *root, const char *name, char *err, size_t errlen)
{
	int r = -1;

	if (strcmp(name, "zoneinfo") == 0) {
		struct kf_zoneinfo x;

		r = kf_zoneinfo_read(root, &x, err, errlen);
		if (r == 0)
			kf_zoneinfo_release(&x);
	} else if (strcmp(name, "buddyinfo") == 0) {
		struct kf_buddyinfo x;

		r = kf_buddyinfo_read(root, &x, err, errlen);
		if (r == 0)
			kf_buddyinfo_release(&x);
	} else if (strcmp(name, "pagetypeinfo") == 0) {
		struct kf_pagetypeinfo x;

		r = kf_pagetypeinfo_read(root, &x, err, errlen);
		if (r == 0)
			kf_pagetypeinfo_release(&x);
	} else if (strcmp(name, "vmstat") == 0) {
		struct kf_vmstat x;

		r = kf_vmstat_read(root, &x, err, errlen);
		if (r == 0)
			kf_vmstat_release(&x);
	}
	return r;
}

static void check_bad(const char *dir, const char *name, int line, const char *mention)
{
	char root[4096], path[4200], err[512] = "";
	int r;

	snprintf(root, sizeof(root), "%s", fixture(dir));
	snprintf(path, sizeof(path), "%s/%s", root, name);
	errno = 0;
	r = read_one(root, name, err, sizeof(err));
	CHECK(r == -1 && errno == EINVAL, "%s/%s: r %d errno %d (%s)", dir, name, r, errno, err);
	check_err(path, err, path, line);
	if (mention)
		CHECK(strstr(err, mention) != NULL, "%s/%s: \"%s\" does not mention \"%s\"",
		      dir, name, err, mention);
}

static void check_malformed(void)
{
	static const char *const names[] = { "zoneinfo", "buddyinfo", "pagetypeinfo", "vmstat" };
	int i;

	/* cut after line 170, inside zone Normal: no start_pfn */
	check_bad("proc/bad/truncated", "zoneinfo", 170, "start_pfn");
	check_bad("proc/bad/truncated", "pagetypeinfo", 12, "Number of blocks type");
	/* cut at byte 4000, in line 157 */
	check_bad("proc/bad/truncated-midline", "zoneinfo", 157, "newline");
	check_bad("proc/bad/badnumber", "zoneinfo", 148, "min");
	check_bad("proc/bad/badnumber", "buddyinfo", 3, "15x5");
	check_bad("proc/bad/badnumber", "pagetypeinfo", 6, "Movable");
	check_bad("proc/bad/badnumber", "vmstat", 9, NULL);
	for (i = 0; i < 4; i++) {
		check_bad("proc/bad/empty", names[i], 1, NULL);
		check_bad("proc/bad/random", names[i], 0, NULL);
		check_bad("proc/bad/text", names[i], 1, NULL);
	}
}

/* ---- every truncation and many corruptions of real files ---------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static char *file_load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void file_store(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len)
		CHECK(0, "cannot write %s", path);
	if (f)
		fclose(f);
}

static int fuzz_one(const char *tmp, const char *name, const char *buf, size_t len)
{
	char path[4200], err[512] = "";
	int r;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	file_store(path, buf, len);
	errno = 0;
	r = read_one(tmp, name, err, sizeof(err));
	if (r != 0) {
		CHECK(r == -1 && errno == EINVAL, "%s cut/spoiled: r %d errno %d", name, r, errno);
		check_err(name, err, path, 0);
	}
	unlink(path);
	return r;
}

static void check_fuzz(const char *tmp)
{
	static const char *const names[] = { "zoneinfo", "buddyinfo", "pagetypeinfo", "vmstat" };
	char path[4200], *orig, *buf;
	size_t len, cut, k;
	int i, j, failed;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", tree(MMB), names[i]);
		orig = file_load(path, &len);
		CHECK(orig != NULL, "cannot read %s", path);
		if (!orig)
			continue;
		buf = malloc(len + 1);
		/* every cut: a partial line always fails, whole lines may not */
		failed = 0;
		for (cut = 0; cut < len; cut++)
			if (fuzz_one(tmp, names[i], orig, cut) != 0)
				failed++;
			else
				CHECK(cut == 0 || orig[cut - 1] == '\n',
				      "%s cut at %zu accepted", names[i], cut);
		CHECK(failed > 0, "%s: no cut was rejected", names[i]);
		/* the whole file still reads */
		CHECK_EQ_INT(fuzz_one(tmp, names[i], orig, len), 0);
		/* random bytes overwritten, a few at a time */
		for (j = 0; j < 400; j++) {
			memcpy(buf, orig, len);
			for (k = 0; k < 1 + rng() % 4; k++)
				buf[rng() % len] = (char)(rng() & 0xff);
			fuzz_one(tmp, names[i], buf, len);
		}
		free(buf);
		free(orig);
	}
}

/* ---- kf_memstate -------------------------------------------------------- */

static void check_memstate(const char *tmp)
{
	char path[4200], src[4200], err[512] = "x";
	struct kf_memstate ms;
	size_t len;
	char *buf;

	CHECK(kf_memstate_read(tree(MMB), &ms, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_INT(ms.have, KF_HAVE_ZONEINFO | KF_HAVE_BUDDYINFO | KF_HAVE_PAGETYPEINFO |
		     KF_HAVE_VMSTAT);
	CHECK_EQ_STR(ms.missing, "");
	CHECK_EQ_INT(ms.zoneinfo.nr_zones, 5);
	CHECK_EQ_INT(ms.buddyinfo.nr_zones, 3);
	CHECK_EQ_INT(ms.pagetypeinfo.nr_zones, 3);
	CHECK_EQ_INT(ms.vmstat.nr, 192);
	kf_memstate_release(&ms);

	/* only zoneinfo: the others are missing, and why */
	snprintf(src, sizeof(src), "%s/zoneinfo", tree(MMB));
	snprintf(path, sizeof(path), "%s/zoneinfo", tmp);
	buf = file_load(src, &len);
	CHECK(buf != NULL, "cannot read %s", src);
	if (!buf)
		return;
	file_store(path, buf, len);
	free(buf);
	CHECK(kf_memstate_read(tmp, &ms, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_INT(ms.have, KF_HAVE_ZONEINFO);
	CHECK_EQ_STR(ms.missing, "buddyinfo: No such file or directory; "
		     "pagetypeinfo: No such file or directory; vmstat: No such file or directory");
	kf_memstate_release(&ms);

	/* a malformed optional file is an error, not "missing" */
	snprintf(path, sizeof(path), "%s/buddyinfo", tmp);
	file_store(path, "Node 0, zone DMA 1 2 x\n", strlen("Node 0, zone DMA 1 2 x\n"));
	errno = 0;
	CHECK(kf_memstate_read(tmp, &ms, err, sizeof(err)) == -1 && errno == EINVAL, "%s", err);
	check_err("memstate", err, path, 1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/zoneinfo", tmp);
	unlink(path);

	/* no zoneinfo: an error */
	errno = 0;
	CHECK(kf_memstate_read(tmp, &ms, err, sizeof(err)) == -1 && errno == ENOENT, "%s", err);
	CHECK(strstr(err, "zoneinfo: No such file or directory") != NULL, "%s", err);
}

/* ---- the running machine ------------------------------------------------ */

struct index_row {
	int node;
	char zone[32];
	int nr;
	char val[KF_MAX_ORDER + 4][16];
};

/* the kernel's index file, parsed independently of kfrag's readers */
static int index_file_parse(const char *path, struct index_row *rows, int max)
{
	char line[1024], *save, *tok;
	FILE *f = fopen(path, "r");
	int n = 0, i;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct index_row *r = &rows[n];

		memset(r, 0, sizeof(*r));
		if (sscanf(line, "Node %d, zone %31s", &r->node, r->zone) != 2)
			continue;
		tok = strtok_r(line, " \t\n", &save);
		for (i = 0; i < 3 && tok; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		while ((tok = strtok_r(NULL, " \t\n", &save)) && r->nr < KF_MAX_ORDER + 4)
			snprintf(r->val[r->nr++], sizeof(r->val[0]), "%s", tok);
		n++;
	}
	fclose(f);
	return n;
}

static bool buddy_same(const struct kf_buddyinfo *a, const struct kf_buddyinfo *b)
{
	return a->nr_zones == b->nr_zones &&
	       memcmp(a->zones, b->zones, a->nr_zones * sizeof(*a->zones)) == 0;
}

/* 1: all match, 0: mismatch (why in msg), -1: could not read */
static int live_indices_match(char *msg, size_t msglen)
{
	struct index_row un[64], ex[64];
	struct kf_buddyinfo a, b;
	char err[512], buf[16];
	int nu, ne, i, j, o, ok = 1;

	if (kf_buddyinfo_read("/", &a, err, sizeof(err)) < 0) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	nu = index_file_parse("/sys/kernel/debug/extfrag/unusable_index", un, 64);
	ne = index_file_parse("/sys/kernel/debug/extfrag/extfrag_index", ex, 64);
	if (kf_buddyinfo_read("/", &b, err, sizeof(err)) < 0) {
		kf_buddyinfo_release(&a);
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	if (!buddy_same(&a, &b)) {
		snprintf(msg, msglen, "buddyinfo changed while reading");
		ok = 0;
		goto out;
	}
	if (nu != a.nr_zones || ne != a.nr_zones) {
		snprintf(msg, msglen, "%d/%d index rows for %d zones", nu, ne, a.nr_zones);
		ok = 0;
		goto out;
	}
	for (i = 0; i < nu && ok; i++) {
		const struct kf_buddy_zone *z = NULL;

		for (j = 0; j < a.nr_zones; j++)
			if (a.zones[j].node == un[i].node && strcmp(a.zones[j].name, un[i].zone) == 0)
				z = &a.zones[j];
		if (!z || un[i].nr != z->nr_orders || ex[i].nr != z->nr_orders) {
			snprintf(msg, msglen, "zone %s: rows do not line up", un[i].zone);
			ok = 0;
			break;
		}
		for (o = 0; o < z->nr_orders && ok; o++) {
			kf_index_format(kf_unusable_index(z->free_blocks, z->nr_orders, o), buf);
			if (strcmp(buf, un[i].val[o]) != 0) {
				snprintf(msg, msglen, "%s order %d unusable %s, kernel %s",
					 z->name, o, buf, un[i].val[o]);
				ok = 0;
			}
			kf_index_format(kf_extfrag_index(z->free_blocks, z->nr_orders, o), buf);
			if (ok && strcmp(buf, ex[i].val[o]) != 0) {
				snprintf(msg, msglen, "%s order %d extfrag %s, kernel %s",
					 z->name, o, buf, ex[i].val[o]);
				ok = 0;
			}
		}
	}
out:
	kf_buddyinfo_release(&a);
	kf_buddyinfo_release(&b);
	return ok;
}

static void check_live_debugfs(void)
{
	const char *dbg = "/sys/kernel/debug";
	bool mounted_here = false;
	char msg[512] = "";
	struct stat st;
	int attempt, r = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "live: not root, debugfs extfrag comparison skipped\n");
		return;
	}
	if (stat("/sys/kernel/debug/extfrag", &st) != 0) {
		if (mount("none", dbg, "debugfs", 0, NULL) == 0)
			mounted_here = true;
		else if (errno != EBUSY)
			fprintf(stderr, "live: mount debugfs on %s: %s\n", dbg, strerror(errno));
	}
	if (stat("/sys/kernel/debug/extfrag/unusable_index", &st) != 0) {
		fprintf(stderr, "live: no %s/extfrag (debugfs or CONFIG_COMPACTION missing), "
			"comparison skipped\n", dbg);
		goto out;
	}
	/* memory moves while we read: a match on any of a few tries is enough */
	for (attempt = 1; attempt <= 50; attempt++) {
		r = live_indices_match(msg, sizeof(msg));
		if (r != 0)
			break;
		usleep(20000);
	}
	CHECK(r == 1, "live indices never matched the kernel's: %s", msg);
	if (r == 1)
		fprintf(stderr, "live: indices match debugfs (attempt %d)\n", attempt);
out:
	if (mounted_here)
		umount(dbg);
}

static void check_live(void)
{
	struct kf_memstate ms;
	char err[512];
	int i, j, populated = 0;

	if (access("/proc/zoneinfo", R_OK) != 0) {
		fprintf(stderr, "live: /proc/zoneinfo not readable, skipped\n");
		return;
	}
	CHECK(kf_memstate_read("/", &ms, err, sizeof(err)) == 0, "live: %s", err);
	if (!(ms.have & KF_HAVE_ZONEINFO))
		return;
	CHECK(ms.zoneinfo.nr_zones > 0, "live: no zones");
	if (geteuid() == 0) {
		CHECK_EQ_INT(ms.have, KF_HAVE_ZONEINFO | KF_HAVE_BUDDYINFO |
			     KF_HAVE_PAGETYPEINFO | KF_HAVE_VMSTAT);
	} else {
		CHECK(!(ms.have & KF_HAVE_PAGETYPEINFO) &&
		      strstr(ms.missing, "pagetypeinfo: Permission denied"),
		      "live, not root: missing \"%s\"", ms.missing);
	}
	/* buddyinfo lists exactly the populated zones of zoneinfo */
	for (i = 0; i < ms.zoneinfo.nr_zones; i++) {
		const struct kf_zone_info *z = &ms.zoneinfo.zones[i];
		bool found = false;

		populated += z->populated;
		for (j = 0; j < ms.buddyinfo.nr_zones; j++)
			if (ms.buddyinfo.zones[j].node == z->node &&
			    strcmp(ms.buddyinfo.zones[j].name, z->name) == 0)
				found = true;
		if (ms.have & KF_HAVE_BUDDYINFO)
			CHECK(found == z->populated, "live: zone %s populated %d, in buddyinfo %d",
			      z->name, z->populated, found);
		if (z->populated)
			CHECK(z->spanned >= z->present && z->present >= z->managed &&
			      z->min <= z->low && z->low <= z->high,
			      "live: zone %s numbers out of order", z->name);
	}
	if (ms.have & KF_HAVE_BUDDYINFO)
		CHECK_EQ_INT(ms.buddyinfo.nr_zones, populated);
	if (ms.have & KF_HAVE_PAGETYPEINFO) {
		CHECK_EQ_INT(ms.pagetypeinfo.nr_zones, populated);
		CHECK(ms.pagetypeinfo.nr_mt >= 3, "live: %d migratetypes", ms.pagetypeinfo.nr_mt);
		CHECK_EQ_STR(ms.pagetypeinfo.mt_names[0], "Unmovable");
	}
	if (ms.have & KF_HAVE_VMSTAT)
		CHECK(kf_vmstat_get(&ms.vmstat, "nr_free_pages", NULL), "live: no nr_free_pages");
	kf_memstate_release(&ms);

	check_live_debugfs();
}

int main(void)
{
	char tmp[] = "/tmp/kfrag-test-proc.XXXXXX";

	if (!mkdtemp(tmp)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	check_path(tmp);
	check_zoneinfo();
	check_buddyinfo();
	check_pagetypeinfo();
	check_vmstat();
	check_malformed();
	check_memstate(tmp);
	check_fuzz(tmp);
	check_live();
	rmdir(tmp);
	return check_done();
}
