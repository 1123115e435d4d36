/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's Nagios plugin options: thresholds on the command line in
 * the range syntax of the plugin guidelines, and a timeout.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_args.h"
#include "kf_util.h"

/* the checks that alert below their threshold (perfdata "N:") */
static const char *const below_checks[] = { "highorder", "finding_compaction_success" };

static bool alerts_below(const char *check)
{
	for (size_t i = 0; i < sizeof(below_checks) / sizeof(below_checks[0]); i++)
		if (strcmp(check, below_checks[i]) == 0)
			return true;
	return false;
}

static bool is_number(const char *s)
{
	double v;

	return kf_parse_double(s, -HUGE_VAL, HUGE_VAL, &v) == 0;
}

/* the threshold value of kfrag.conf that RANGE means for a check alerting
 * above (or below) it: the check's own side as a plain value (N, ~:N, 0:N
 * above; N: below), any other Nagios range as itself (a finding's
 * threshold takes its side only); "" with the reason in err when it does
 * not fit */
static int range_value(const char *range, bool below, bool finding, char *value, size_t len, char *err,
		       size_t errlen)
{
	const char *colon = strchr(range, ':');
	const char *side = below ? "alerts below its threshold: write N: (64: alerts below 64)"
				 : "alerts above its threshold: write N, ~:N or 0:N";
	struct kf_threshold t;

	if (strcmp(range, "off") == 0) {
		snprintf(value, len, "off");
		return 0;
	}
	if (!colon && range[0] != '@') {
		/* a bare N of a check alerting below would alert above N */
		if (!is_number(range) || below)
			goto bad;
		snprintf(value, len, "%s", range);
		return 0;
	}
	if (colon && below && colon[1] == '\0' && colon > range) {
		snprintf(value, len, "%.*s", (int)(colon - range), range);
		if (is_number(value))
			return 0;
	}
	if (colon && !below && is_number(colon + 1) &&
	    ((colon - range == 1 && range[0] == '~') || (colon - range == 1 && range[0] == '0'))) {
		snprintf(value, len, "%s", colon + 1);
		return 0;
	}
	if (finding)
		goto bad;
	if (kf_check_range_parse(range, &t) == 0) {
		snprintf(value, len, "%s", range);
		return 0;
	}
	snprintf(err, errlen, "'%s' is not a Nagios range (10, 10:, ~:10, 10:20, @10:20)", range);
	return -1;
bad:
	snprintf(err, errlen, "%s%s", side, finding ? " (a finding's threshold takes no other range)" : "");
	return -1;
}

static int one_threshold(struct kf_check_config *cfg, char *item, bool critical, char *err, size_t errlen)
{
	char *eq = strchr(item, '='), key[128], value[64], msg[512];
	const char *level = critical ? "critical" : "warning", *opt = critical ? "-c" : "-w";

	if (!eq || eq == item) {
		snprintf(err, errlen, "%s %s: wants CHECK=RANGE (-w unusable=0.9 -c highorder=8:)", opt, item);
		return -1;
	}
	*eq = '\0';
	if (range_value(eq + 1, alerts_below(item), strncmp(item, "finding_", 8) == 0, value, sizeof(value), msg,
			sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s %s=%s: %s %s", opt, item, eq + 1, item, msg);
		return -1;
	}
	snprintf(key, sizeof(key), "%s_%s", item, level);
	if (kf_check_config_set(cfg, key, value, opt, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s %s=%s: %s", opt, item, eq + 1,
			 errno == ENOENT ? "no such check has a threshold of that level "
						      "(kfrag.conf(5) lists CHECK_warning and CHECK_critical keys)" : msg);
		return -1;
	}
	return 0;
}

int kf_check_threshold_arg(struct kf_check_config *cfg, const char *arg, bool critical,
			   char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL;
	int ret = 0;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *item = strtok_r(copy, ",", &save); item && ret == 0; item = strtok_r(NULL, ",", &save))
		ret = one_threshold(cfg, item, critical, err, errlen);
	free(copy);
	return ret;
}

/* ---- -t: the child measures, the parent keeps the time ---------------------- */

/* reads the child's output until it closes it or the deadline passes; 1 timed out */
static int relay(int fd, double deadline, char **buf, size_t *len)
{
	size_t cap = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - kf_monotonic_s();
		ssize_t n;

		if (left <= 0)
			return 1;
		if (poll(&p, 1, (int)ceil(left * 1000)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!p.revents)
			continue;
		if (*len + 4096 > cap) {
			char *q = realloc(*buf, cap = cap * 2 + 8192);

			if (!q)
				return -1;
			*buf = q;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		*len += n;
	}
}

/* the child's end: SIGTERM (it cleans up as on any), then SIGKILL after 10 s */
static int reap(pid_t pid, bool kill_it)
{
	int st = 0;

	if (kill_it) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 1000 && waitpid(pid, &st, WNOHANG) == 0; i++) {
			struct timespec t = { 0, 10 * 1000 * 1000 };

			nanosleep(&t, NULL);
			if (i == 999) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
			}
		}
		return KF_CHECK_UNKNOWN;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : KF_CHECK_UNKNOWN;
}

int kf_check_with_timeout(double timeout_s, int (*body)(void *), void *arg)
{
	int fds[2], ret;
	char *buf = NULL;
	size_t len = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		return -2;
	}
	if (pid == 0) {
		/* the parent gone (killed by the monitoring system): stop too */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(KF_CHECK_UNKNOWN);
		close(fds[1]);
		ret = body(arg);
		fflush(stdout);
		_exit(ret);
	}
	close(fds[1]);
	ret = relay(fds[0], kf_monotonic_s() + timeout_s, &buf, &len);
	close(fds[0]);
	if (ret == 1) {
		reap(pid, true);
		ret = -1;
	} else {
		ret = reap(pid, false);
		if (len)
			fwrite(buf, 1, len, stdout);
	}
	free(buf);
	fflush(stdout);
	return ret;
}
