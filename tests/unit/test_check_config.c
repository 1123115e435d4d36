/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's configuration parser: defaults, every kind of value, errors
 * naming FILE:LINE, --print-config reading back to the same configuration,
 * and the state file's reader and writer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "kf_check.h"

static char dir[] = "/tmp/kfrag-test-config.XXXXXX";
static char path[4200];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* loads text over the defaults; returns the load's result, err filled */
static int load(struct kf_check_config *cfg, const char *text, char *err, size_t errlen)
{
	kf_check_config_defaults(cfg);
	write_file(text);
	err[0] = '\0';
	return kf_check_config_load(cfg, path, false, NULL, err, errlen);
}

static void expect_error(const char *text, int line, const char *what)
{
	struct kf_check_config cfg;
	char err[1024], want[4400];

	CHECK(load(&cfg, text, err, sizeof(err)) < 0, "accepted: %s", text);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	CHECK(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start with '%s'", err, want);
	CHECK(strstr(err, what) != NULL, "error '%s' does not say '%s'", err, what);
}

static void test_defaults(void)
{
	struct kf_check_config cfg;

	kf_check_config_defaults(&cfg);
	CHECK(cfg.duration == 5, "duration %g", cfg.duration);
	CHECK(strstr(cfg.state_file, "/lib/kfrag/check.state") != NULL, "state_file %s", cfg.state_file);
	CHECK_EQ_STR(cfg.history_file, "");
	CHECK_EQ_STR(cfg.prometheus_file, "");
	CHECK_EQ_INT(cfg.nr_unusable_orders, 2);
	CHECK_EQ_INT(cfg.unusable_orders[0], 3);
	CHECK_EQ_INT(cfg.unusable_orders[1], 9);
	CHECK(cfg.unusable_warning.on && cfg.unusable_warning.value == 0.9, "unusable_warning");
	CHECK(cfg.unusable_critical.on && cfg.unusable_critical.value == 0.98, "unusable_critical");
	CHECK_EQ_INT(cfg.highorder_order, 9);
	CHECK(!cfg.extfrag_fallback_rate_warning.on, "fallback rate on by default");
	CHECK(cfg.lost_events_warning.on && cfg.lost_events_warning.value == 0, "lost_events_warning");
	CHECK_EQ_INT(cfg.compact_fail_ratio_min_stalls, 10);
	CHECK(cfg.guard, "guard off by default");
	CHECK(cfg.memmap, "memmap off by default");
	CHECK(cfg.blocked_fraction_warning.on && cfg.blocked_fraction_warning.value == 0.5, "blocked_fraction_warning");
	CHECK(cfg.blocked_fraction_critical.on && cfg.blocked_fraction_critical.value == 0.8, "blocked_fraction_critical");
	CHECK_EQ_INT(cfg.blocked_fraction_min_blocks, 32);
	CHECK_EQ_INT(cfg.nr_zones, 0);
	CHECK_EQ_STR(cfg.origin[0], "default");
	CHECK(kf_check_config_nr_keys() >= 30, "%d keys", kf_check_config_nr_keys());
	CHECK_EQ_STR(kf_check_config_key_name(0), "duration");
	CHECK(kf_check_config_key_name(kf_check_config_nr_keys()) == NULL, "key past the end");
}

static void test_values(void)
{
	struct kf_check_config cfg;
	char err[1024];

	CHECK_EQ_INT(load(&cfg,
			  "# a comment\n"
			  "; another\n"
			  "\n"
			  "  duration=2.5   \n"
			  "state_file =\n"
			  "history_file = /var/log/kfrag history.jsonl   # a space in the name\n"
			  "unusable_orders = 1,2 ,  10\n"
			  "unusable_warning = off\n"
			  "unusable_critical = 1\n"
			  "extfrag_warning = -0.5\n"
			  "zones = Normal,DMA32\n"
			  "protect_pid = 1 2 3\n"
			  "protect_comm = scx_rustland\n"
			  "guard = no\r\n"
			  "compact_fail_ratio_min_stalls = 3\n"
			  "highorder_order = 0\n",
			  err, sizeof(err)), 0);
	CHECK(err[0] == '\0', "error: %s", err);
	CHECK(cfg.duration == 2.5, "duration %g", cfg.duration);
	CHECK_EQ_STR(cfg.state_file, "");
	CHECK_EQ_STR(cfg.history_file, "/var/log/kfrag history.jsonl");
	CHECK_EQ_INT(cfg.nr_unusable_orders, 3);
	CHECK_EQ_INT(cfg.unusable_orders[2], 10);
	CHECK(!cfg.unusable_warning.on, "off");
	CHECK(cfg.unusable_critical.on && cfg.unusable_critical.value == 1, "1");
	CHECK(cfg.extfrag_warning.value == -0.5, "negative extfrag threshold");
	CHECK_EQ_INT(cfg.nr_zones, 2);
	CHECK_EQ_STR(cfg.zones[1], "DMA32");
	CHECK_EQ_INT(cfg.nr_protect_pids, 3);
	CHECK_EQ_INT(cfg.protect_pids[2], 3);
	CHECK_EQ_STR(cfg.protect_comms[0], "scx_rustland");
	CHECK(!cfg.guard, "guard = no");
	CHECK_EQ_INT(cfg.compact_fail_ratio_min_stalls, 3);
	CHECK_EQ_INT(cfg.highorder_order, 0);
	{
		char want[4300];

		snprintf(want, sizeof(want), "%s:4", path);
		CHECK_EQ_STR(cfg.origin[0], want);
	}

	/* one key at a time, as the command line sets them */
	kf_check_config_defaults(&cfg);
	CHECK_EQ_INT(kf_check_config_set(&cfg, "state_file", "/x/y", "--state", err, sizeof(err)), 0);
	CHECK_EQ_STR(cfg.state_file, "/x/y");
	CHECK(kf_check_config_set(&cfg, "nope", "1", "--nope", err, sizeof(err)) < 0, "unknown key set");
	CHECK(strstr(err, "unknown key 'nope'") != NULL, "%s", err);
	CHECK_EQ_INT(errno, ENOENT);	/* the kind of error, for -w/-c's message */
	/* a list that fails keeps the old one */
	CHECK(kf_check_config_set(&cfg, "unusable_orders", "1 x", "t", err, sizeof(err)) < 0, "bad list set");
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(cfg.nr_unusable_orders, 2);
	/* an empty list */
	CHECK_EQ_INT(kf_check_config_set(&cfg, "unusable_orders", "", "t", err, sizeof(err)), 0);
	CHECK_EQ_INT(cfg.nr_unusable_orders, 0);
}

static void test_errors(void)
{
	expect_error("duration = 5\nbogus = 1\n", 2, "unknown key 'bogus'");
	expect_error("\n\n\nduration = five\n", 4, "duration: 'five' is not a number");
	expect_error("duration = 5s\n", 1, "'5s' is not a number");
	expect_error("duration = nan\n", 1, "'nan' is not a number");
	expect_error("unusable_warning = 2\n", 1, "unusable_warning: '2' is not a number from 0 to 1, or off");
	expect_error("unusable_warning =\n", 1, "'' is not a number");
	expect_error("highorder_order = 16\n", 1, "'16' is not a whole number from 0 to 15");
	expect_error("highorder_order = 9.5\n", 1, "is not a whole number");
	expect_error("unusable_orders = 3 -1\n", 1, "'-1' is not an order");
	expect_error("unusable_orders = 3 3\n", 1, "'3' is not given once");
	expect_error("unusable_orders = 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 0\n", 1, "'0' is not given once");
	expect_error("protect_pid = 0\n", 1, "'0' is not a process id");
	expect_error("protect_comm = 0123456789abcdef\n", 1, "is not a command name");
	expect_error("zones = Normal/0\n", 1, "is not a zone name");
	expect_error("state_file = var/lib\n", 1, "is not an absolute path");
	expect_error("state_file = /var/lib/\n", 1, "is not a file name");
	expect_error("guard = perhaps\n", 1, "is not yes or no");
	expect_error("memmap = auto\n", 1, "memmap: 'auto' is not yes or no");
	expect_error("blocked_fraction_warning = -0.1\n", 1, "'-0.1' is not a number from 0 to 1, or off");
	expect_error("blocked_fraction_min_blocks = 0\n", 1, "'0' is not a whole number from 1 to 1000000000");
	expect_error("duration\n", 1, "'duration' is not 'key = value'");
	expect_error("= 1\n", 1, "no key before '='");
	expect_error("guard = yes\nguard = no\n", 2, "'guard' is set twice");
	expect_error("[check]\n", 1, "is not 'key = value'");
}

static void test_files(void)
{
	struct kf_check_config cfg;
	char err[1024], other[4300];
	bool loaded = true;

	kf_check_config_defaults(&cfg);
	snprintf(other, sizeof(other), "%s/none.conf", dir);
	CHECK_EQ_INT(kf_check_config_load(&cfg, other, true, &loaded, err, sizeof(err)), 0);
	CHECK(!loaded, "a missing optional file loaded");
	CHECK(kf_check_config_load(&cfg, other, false, &loaded, err, sizeof(err)) < 0, "a missing file");
	CHECK(strstr(err, "No such file") != NULL, "%s", err);
	CHECK(kf_check_config_load(&cfg, dir, false, &loaded, err, sizeof(err)) < 0, "a directory");
	CHECK_EQ_INT(kf_check_config_load(&cfg, "/dev/null", false, &loaded, err, sizeof(err)), 0);
	CHECK(loaded, "/dev/null not loaded");
}

static void test_print_roundtrip(void)
{
	struct kf_check_config a, b;
	char err[1024], *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_EQ_INT(load(&a, "zones = Normal\nunusable_orders = 2 9\nextfrag_critical = off\n"
			      "protect_comm = scx_a scx_b\nrate_min_interval = 0.25\nhistory_file = /h\n",
			  err, sizeof(err)), 0);
	f = open_memstream(&text, &len);
	CHECK_EQ_INT(kf_check_config_print(&a, f), 0);
	fclose(f);
	write_file(text);
	kf_check_config_defaults(&b);
	CHECK_EQ_INT(kf_check_config_load(&b, path, false, NULL, err, sizeof(err)), 0);
	/* everything but the origins is the same */
	memset(a.origin, 0, sizeof(a.origin));
	memset(b.origin, 0, sizeof(b.origin));
	CHECK(memcmp(&a, &b, sizeof(a)) == 0, "printed configuration reads back differently:\n%s", text);
	free(text);
}

static void test_state(void)
{
	struct kf_check_state s, r;
	char sp[4300], err[1024];
	bool exists;
	struct stat st;

	snprintf(sp, sizeof(sp), "%s/a/b/check.state", dir);
	CHECK_EQ_INT(kf_check_state_read(sp, &r, &exists, err, sizeof(err)), 0);
	CHECK(!exists, "a missing state exists");
	memset(&s, 0, sizeof(s));
	s.time = 1700000000.5;
	strcpy(s.boot_id, "0123-abcd");
	s.counter[KF_CTR_COMPACT_STALL] = 18446744073709551615ull;
	s.counter[KF_CTR_PGMIGRATE_FAIL] = 7;
	s.have = (1u << KF_CTR_COMPACT_STALL) | (1u << KF_CTR_PGMIGRATE_FAIL);
	CHECK_EQ_INT(kf_check_state_write(sp, &s, err, sizeof(err)), 0);
	CHECK(stat(sp, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
	CHECK_EQ_INT(kf_check_state_read(sp, &r, &exists, err, sizeof(err)), 0);
	CHECK(exists, "written state missing");
	CHECK(r.time == s.time, "time %f", r.time);
	CHECK_EQ_STR(r.boot_id, "0123-abcd");
	CHECK_EQ_U64(r.counter[KF_CTR_COMPACT_STALL], 18446744073709551615ull);
	CHECK_EQ_U64(r.counter[KF_CTR_PGMIGRATE_FAIL], 7);
	CHECK_EQ_INT(r.have, s.have);

	/* a malformed state names its line */
	FILE *f = fopen(sp, "w");

	fputs("version = 1\ntime = 5\ncompact_stall = 1x\n", f);
	fclose(f);
	CHECK(kf_check_state_read(sp, &r, &exists, err, sizeof(err)) < 0 && errno == EINVAL, "1x accepted");
	CHECK(strstr(err, "check.state:3: compact_stall: '1x' is not a count") != NULL, "%s", err);

	/* a symbolic link: never read, never written through */
	char target[4300];

	snprintf(target, sizeof(target), "%s/target", dir);
	f = fopen(target, "w");
	fputs("precious\n", f);
	fclose(f);
	unlink(sp);
	CHECK(symlink(target, sp) == 0, "symlink");
	CHECK(kf_check_state_read(sp, &r, &exists, err, sizeof(err)) < 0 && errno == ELOOP, "a symlink read");
	CHECK(strstr(err, "symbolic link") != NULL, "%s", err);
	CHECK(kf_check_state_write(sp, &s, err, sizeof(err)) < 0, "written through a symlink");
	f = fopen(target, "r");
	char line[64] = "";

	CHECK(f && fgets(line, sizeof(line), f), "target");
	if (f)
		fclose(f);
	CHECK_EQ_STR(line, "precious\n");
	unlink(sp);
	unlink(target);

	/* the lock: a second taker waits, then gives up */
	int fd = kf_check_lock(sp, 1, err, sizeof(err));

	CHECK(fd >= 0, "lock: %s", err);
	if (fork() == 0) {
		char e[256];
		int fd2 = kf_check_lock(sp, 0.2, e, sizeof(e));

		_exit(fd2 < 0 && strstr(e, "held by another kfrag check") ? 0 : 1);
	}
	int status;

	wait(&status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a second lock was not refused");
	kf_check_unlock(fd);
}

/* the finding_* keys: kfrag.conf's defaults are the core's, and they set the core's thresholds */
static void test_findings_keys(void)
{
	struct kf_check_config cfg;
	struct kf_findings_config core;
	char err[1024];

	kf_check_config_defaults(&cfg);
	kf_findings_config_defaults(&core);
	CHECK(memcmp(&cfg.findings, &core, sizeof(core)) == 0, "finding_* defaults differ from kf_findings_config_defaults");
	CHECK(kf_check_config_set(&cfg, "finding_extfrag_warning", "off", "test", err, sizeof(err)) == 0, "%s", err);
	CHECK(!cfg.findings.extfrag_warning.on, "finding_extfrag_warning not off");
	CHECK(kf_check_config_set(&cfg, "finding_high_order", "10", "test", err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_INT(cfg.findings.high_order, 10);
	CHECK(kf_check_config_set(&cfg, "finding_high_order", "0", "test", err, sizeof(err)) < 0, "order 0 accepted");
	CHECK(kf_check_config_set(&cfg, "finding_unbatched_min_share", "0.25", "test", err, sizeof(err)) == 0, "%s", err);
	CHECK(cfg.findings.unbatched_min_share == 0.25, "min share %g", cfg.findings.unbatched_min_share);
}

/* Nagios ranges: the guidelines' forms, ends inclusive, and what is not one */
static void test_ranges(void)
{
	struct kf_threshold t;
	struct kf_check_config cfg;
	char err[512], buf[80];
	static const char *const bad[] = { "", "@", ":", "~", "5:1", "a:1", "1:b", "1e999", "@@1", "1:2:3", "~:~" };

	CHECK(kf_check_range_parse("10", &t) == 0 && t.range && !t.inside && t.low == 0 && t.value == 10, "10");
	CHECK(kf_check_range_breached(&t, -1) && !kf_check_range_breached(&t, 0) &&
	      !kf_check_range_breached(&t, 10) && kf_check_range_breached(&t, 10.5), "10: outside 0..10 alerts");
	CHECK(kf_check_range_parse("10:", &t) == 0 && kf_check_range_breached(&t, 9.9) &&
	      !kf_check_range_breached(&t, 1e300), "10: alerts below 10");
	CHECK(kf_check_range_parse("~:10", &t) == 0 && !kf_check_range_breached(&t, -1e300) &&
	      kf_check_range_breached(&t, 11), "~:10 alerts above 10");
	CHECK(kf_check_range_parse("@10:20", &t) == 0 && t.inside && kf_check_range_breached(&t, 10) &&
	      kf_check_range_breached(&t, 20) && !kf_check_range_breached(&t, 20.1), "@10:20 alerts inside");
	CHECK(strcmp(kf_check_range_format(buf, sizeof(buf), &t), "@10:20") == 0, "format %s", buf);
	CHECK(kf_check_range_parse("~:", &t) == 0 && strcmp(kf_check_range_format(buf, sizeof(buf), &t), "~:") == 0,
	      "~: is everything: %s", buf);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(kf_check_range_parse(bad[i], &t) < 0, "'%s' taken as a range", bad[i]);
	/* kfrag.conf: a check's threshold takes a range, a finding's does not */
	kf_check_config_defaults(&cfg);
	CHECK(kf_check_config_set(&cfg, "unusable_warning", "@0.2:0.5", "test", err, sizeof(err)) == 0, "%s", err);
	CHECK(cfg.unusable_warning.range && cfg.unusable_warning.inside, "range not kept");
	CHECK(kf_check_config_set(&cfg, "unusable_warning", "0.7", "test", err, sizeof(err)) == 0, "%s", err);
	CHECK(!cfg.unusable_warning.range && cfg.unusable_warning.value == 0.7, "a plain value after a range");
	CHECK(kf_check_config_set(&cfg, "finding_extfrag_warning", "1:2", "test", err, sizeof(err)) < 0,
	      "a finding took a range");
}

int main(void)
{
	if (!mkdtemp(dir))
		SKIP("no temporary directory");
	snprintf(path, sizeof(path), "%s/kfrag.conf", dir);
	test_defaults();
	test_values();
	test_errors();
	test_files();
	test_print_roundtrip();
	test_findings_keys();
	test_ranges();
	test_state();
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done();
}
