// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The trace.dat writer against the formats of this kernel saved in
 * tests/data/tracing (see its README): the file is read back here by walking
 * the version 6 layout by hand (trace-cmd.dat.v6 documentation), not with
 * kfrag's reader.
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

int main(void)
{
	test_systems_once();
	return check_done();
}
