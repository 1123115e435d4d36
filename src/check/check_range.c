/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Nagios ranges (the plugin development guidelines' "Threshold and ranges")
 * as kfrag check's thresholds: "10" is 0:10, "10:" 10 to infinity, "~:10"
 * minus infinity to 10, "10:20" both ends; an alert when the value is
 * outside, or inside with a leading "@". Ends are inclusive.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kf_check.h"
#include "kf_util.h"

/* one end, the n bytes at s: a finite number */
static int parse_end(const char *s, size_t n, double *v)
{
	char buf[64];

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return kf_parse_double(buf, -HUGE_VAL, HUGE_VAL, v);
}

int kf_check_range_parse(const char *s, struct kf_threshold *t)
{
	struct kf_threshold r = { .on = true, .range = true };
	const char *colon;

	if (*s == '@') {
		r.inside = true;
		s++;
	}
	colon = strchr(s, ':');
	if (!colon) {
		r.low = 0;
		if (parse_end(s, strlen(s), &r.value) < 0)
			return -1;
	} else {
		if (colon - s == 1 && s[0] == '~')
			r.low = -INFINITY;
		else if (parse_end(s, (size_t)(colon - s), &r.low) < 0)
			return -1;
		if (colon[1] == '\0')
			r.value = INFINITY;
		else if (parse_end(colon + 1, strlen(colon + 1), &r.value) < 0)
			return -1;
	}
	if (r.low > r.value)
		return -1;
	*t = r;
	return 0;
}

bool kf_check_range_breached(const struct kf_threshold *t, double v)
{
	bool in = v >= t->low && v <= t->value;

	return t->inside ? in : !in;
}

const char *kf_check_range_format(char *buf, size_t len, const struct kf_threshold *t)
{
	char lo[32] = "", hi[32] = "";

	if (isinf(t->low))
		snprintf(lo, sizeof(lo), "~");
	else
		snprintf(lo, sizeof(lo), "%.15g", t->low);
	if (!isinf(t->value))
		snprintf(hi, sizeof(hi), "%.15g", t->value);
	/* both ends always: "0:20" read back is this range, "20" would be
	 * kfrag.conf's plain "above 20" */
	snprintf(buf, len, "%s%s:%s", t->inside ? "@" : "", lo, hi);
	return buf;
}
