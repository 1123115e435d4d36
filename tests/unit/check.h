/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal harness for kfrag's C unit tests, run by automake's test driver:
 * exit 0 when every check held, 1 when one failed, 77 to skip (with a
 * message saying why).
 */
#ifndef KF_TESTS_CHECK_H
#define KF_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond, ...) do {						\
	check_count++;							\
	if (!(cond)) {							\
		check_failures++;					\
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_EQ_U64(got, want) do {					\
	uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);		\
	CHECK(g_ == w_, "%s = %" PRIu64 ", want %" PRIu64, #got, g_, w_); \
} while (0)

#define CHECK_EQ_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	CHECK(g_ == w_, "%s = %lld, want %lld", #got, g_, w_);		\
} while (0)

#define CHECK_EQ_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	CHECK(g_ && w_ && strcmp(g_, w_) == 0, "%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define SKIP(...) do {							\
	fprintf(stderr, "SKIP: ");					\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	exit(77);							\
} while (0)

static inline int check_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

/* $FIXTURES/name, or tests/data/name when run by hand from the top */
static inline const char *fixture(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("FIXTURES");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", name);
	return buf;
}

#endif
