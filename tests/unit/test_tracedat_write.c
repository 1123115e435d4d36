// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The trace.dat writer against the formats of this kernel saved in
 * tests/data/tracing (see its README): the file is read back here by walking
 * the version 6 layout by hand (trace-cmd.dat.v6 documentation), not with
 * kfrag's reader.
 *
 * The saved memory state (kf_state.h) goes into an option of kfrag's own
 * and comes back out as files, byte for byte; archives that would write
 * outside their directory are refused.
 *
 * Regression (issue 13, item 6): each event system's formats were written
 * once per event, as a system of its own (7 events of 4 systems gave 7
 * sections), because a whole "system/event" was compared by length with a
 * system name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "kf_state.h"
#include "kf_tracedat_write.h"

struct reader {
	const unsigned char *p, *end;
	int bad;
};

static const void *take(struct reader *r, size_t n)
{
	const void *at = r->p;

	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return at;
}

static uint64_t take_u(struct reader *r, size_t n)
{
	const void *at = take(r, n);
	uint64_t v = 0;

	if (at)
		memcpy(&v, at, n);	/* written in this host's byte order */
	return v;
}

static const char *take_str(struct reader *r)
{
	const char *s = (const char *)r->p;
	size_t n = strnlen(s, r->end - r->p);

	take(r, n + 1);
	return s;
}

static unsigned char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? n : 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* the systems section: names and event counts, "kmem:3 compaction:2 ..." */
static void read_systems(struct reader *r, char *out, size_t outlen)
{
	uint32_t nr_systems;

	take(r, 10 + 2 + 1 + 1 + 4);		/* magic, version, endian, long, page */
	take_str(r);				/* "header_page" */
	take(r, take_u(r, 8));
	take_str(r);				/* "header_event" */
	take(r, take_u(r, 8));
	for (uint32_t n = take_u(r, 4); n-- && !r->bad;)
		take(r, take_u(r, 8));		/* ftrace formats */
	nr_systems = take_u(r, 4);
	out[0] = '\0';
	for (uint32_t s = 0; s < nr_systems && !r->bad; s++) {
		const char *name = take_str(r);
		uint32_t nr_events = take_u(r, 4);
		size_t used = strlen(out);

		snprintf(out + used, outlen - used, "%s%s:%u", s ? " " : "", name, nr_events);
		for (uint32_t e = 0; e < nr_events && !r->bad; e++) {
			uint64_t len = take_u(r, 8);
			const char *fmt = take(r, len);

			CHECK(fmt && len > 5 && !strncmp(fmt, "name:", 5),
			      "system %s event %u: not a format", name, e);
		}
	}
}

static void test_systems_once(void)
{
	/* systems interleaved, as a user may list them */
	static const char *const events[] = {
		"kmem/mm_page_alloc", "compaction/mm_compaction_begin", "kmem/mm_page_free",
		"migrate/mm_migrate_pages", "kmem/mm_page_alloc_extfrag",
		"compaction/mm_compaction_end", "exceptions/page_fault_user",
	};
	struct kf_tracedat_cpu cpu = { .fd = -1 };
	struct kf_tracedat_desc d = {
		.tracing_dir = fixture("tracing"),
		.events = events,
		.nr_events = 7,
		.page_size = 4096,
		.nr_cpus = 1,
		.cpus = &cpu,
	};
	char path[] = "/tmp/kfrag-test-tracedat-XXXXXX", err[512] = "", systems[512];
	struct reader r;
	unsigned char *buf;
	size_t len = 0;
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp");
	close(fd);
	CHECK_EQ_INT(kf_tracedat_write(path, &d, err, sizeof(err)), 0);
	buf = load(path, &len);
	CHECK(buf != NULL, "cannot read %s back", path);
	if (buf) {
		r = (struct reader){ buf, buf + len, 0 };
		read_systems(&r, systems, sizeof(systems));
		CHECK(!r.bad, "%s ends inside the systems", path);
		/* in order of first appearance, each once with all its events */
		CHECK_EQ_STR(systems, "kmem:3 compaction:2 migrate:1 exceptions:1");
	}
	free(buf);
	unlink(path);
}

static char *file_text(const char *dir, const char *rel)
{
	char path[4096];
	size_t len;
	unsigned char *buf;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	buf = load(path, &len);
	if (!buf)
		return NULL;
	s = strndup((char *)buf, len);
	free(buf);
	return s;
}

static void write_with_state(const char *path, const struct kf_tracedat_option *opts, int nr)
{
	static const char *const events[] = { "kmem/mm_page_alloc" };
	struct kf_tracedat_cpu cpu = { .fd = -1 };
	struct kf_tracedat_desc d = {
		.tracing_dir = fixture("tracing"), .events = events, .nr_events = 1,
		.page_size = 4096, .nr_cpus = 1, .cpus = &cpu, .options = opts, .nr_options = nr,
	};
	char err[512] = "";

	CHECK(kf_tracedat_write(path, &d, err, sizeof(err)) == 0, "write: %s", err);
}

static void test_state_round_trip(void)
{
	static const char zoneinfo[] = "Node 0, zone   Normal\n  pages free     12345\n";
	static const char binary[] = "a\nfile x 3\n\0end\n";	/* looks like the archive's own lines */
	struct kf_state_archive start = { 0 }, end = { 0 };
	struct kf_tracedat_option opts[2];
	struct kf_saved_state st;
	char path[] = "/tmp/kfrag-test-state-XXXXXX", err[512] = "";
	char *got;
	int fd = mkstemp(path);

	close(fd);
	start.buf = strdup(KF_STATE_MAGIC "start\ntime 1700000000.500\n");
	start.len = start.cap = strlen(start.buf) + 1;
	start.len--;
	kf_state_add(&start, "proc/zoneinfo", zoneinfo, strlen(zoneinfo));
	kf_state_add(&start, "proc/sys/vm/odd", binary, sizeof(binary));
	kf_state_add(&start, "end", "", 0);	/* a file named like the last line */
	start.buf = realloc(start.buf, start.len + 5);
	memcpy(start.buf + start.len, "end\n", 5);
	start.len += 4;
	start.cap = start.len + 1;
	end.buf = strdup(KF_STATE_MAGIC "end\ntime 1700000010\nfile proc/zoneinfo 2\nhi\nend\n");
	end.len = strlen(end.buf);
	opts[0] = (struct kf_tracedat_option){ KF_TRACEDAT_OPT_STATE, start.buf, start.len };
	opts[1] = (struct kf_tracedat_option){ KF_TRACEDAT_OPT_STATE, end.buf, end.len };
	write_with_state(path, opts, 2);

	CHECK_EQ_INT(kf_saved_state_open(path, &st, err, sizeof(err)), 1);
	CHECK(st.start_root && st.end_root, "both moments: %s", err);
	CHECK_EQ_INT(st.nr_files, 4);
	CHECK(st.start_time > 1700000000.4 && st.start_time < 1700000000.6, "start time %f", st.start_time);
	if (st.start_root && st.end_root) {
		got = file_text(st.start_root, "proc/zoneinfo");
		CHECK_EQ_STR(got, zoneinfo);
		free(got);
		char odd[4096];
		size_t len = 0;
		unsigned char *raw;

		snprintf(odd, sizeof(odd), "%s/proc/sys/vm/odd", st.start_root);
		raw = load(odd, &len);
		CHECK(raw && len == sizeof(binary) && !memcmp(raw, binary, len), "binary entry changed");
		free(raw);
		got = file_text(st.end_root, "proc/zoneinfo");
		CHECK_EQ_STR(got, "hi");
		free(got);
	}
	kf_saved_state_release(&st);
	kf_state_archive_release(&start);
	free(end.buf);

	/* a trace without the option has no state */
	write_with_state(path, NULL, 0);
	CHECK_EQ_INT(kf_saved_state_open(path, &st, err, sizeof(err)), 0);
	unlink(path);
}

static void test_state_hostile(void)
{
	static const char *const bad[] = {
		KF_STATE_MAGIC "start\ntime 1\nfile ../escape 1\nx\nend\n",
		KF_STATE_MAGIC "start\ntime 1\nfile /etc/passwd 1\nx\nend\n",
		KF_STATE_MAGIC "start\ntime 1\nfile proc/a/../../b 1\nx\nend\n",
		KF_STATE_MAGIC "start\ntime 1\nfile proc/zoneinfo 99\nx\nend\n",
		KF_STATE_MAGIC "start\ntime 1\nfile proc/zoneinfo 1\nx\n",
		KF_STATE_MAGIC "middle\ntime 1\nend\n",
		"not a state",
	};
	char dir[] = "/tmp/kfrag-test-hostile-XXXXXX", err[512];
	double t;
	int nr;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(kf_state_extract(bad[i], strlen(bad[i]), dir, &t, &nr, err, sizeof(err)) == NULL,
		      "archive %zu accepted", i);
		CHECK(err[0], "archive %zu: no message", i);
	}
	CHECK(access("/tmp/escape", F_OK) < 0, "a file escaped the directory");
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0, "rm");
	}
}

int main(void)
{
	test_systems_once();
	test_state_round_trip();
	test_state_hostile();
	return check_done();
}
