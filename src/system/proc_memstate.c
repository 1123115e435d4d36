// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * All the /proc memory files at one moment. zoneinfo (the zone spans) is
 * needed; the others may be missing (pagetypeinfo is 0400) and the report
 * says why. A file that is there but malformed is an error: a wrong number
 * is worse than none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kf_proc.h"

static void memstate_missing(struct kf_memstate *ms, const char *name, int errnum)
{
	size_t len = strlen(ms->missing);

	snprintf(ms->missing + len, sizeof(ms->missing) - len, "%s%s: %s",
		 len ? "; " : "", name, strerror(errnum));
}

/*
 * A vm sysctl the findings need (sys/vm/NAME under the root: ROOT/proc/sys/vm
 * or, in a saved copy, ROOT/sys/vm); -1 in *value when the file is not there.
 */
static int memstate_sysctl(const char *root, const char *name, long *value, char *err, size_t errlen)
{
	struct kf_proc_text t;
	char rel[64], *cursor, *line;
	uint64_t v;

	*value = -1;
	snprintf(rel, sizeof(rel), "sys/vm/%s", name);
	if (kf_proc_text_load(root, rel, &t, err, errlen) < 0)
		return errno == EINVAL ? -1 : 0;
	cursor = t.buf;
	line = kf_proc_text_line(&cursor);
	if (!line || kf_proc_parse_u64(line, &v) < 0 || v > (uint64_t)(1UL << 62)) {
		kf_proc_fail(err, errlen, t.path, 1, "not a number: '%s'", line ? line : "");
		kf_proc_text_release(&t);
		return -1;
	}
	*value = (long)v;
	kf_proc_text_release(&t);
	return 0;
}

int kf_memstate_read(const char *root, struct kf_memstate *ms, char *err, size_t errlen)
{
	int saved;

	memset(ms, 0, sizeof(*ms));
	if (kf_zoneinfo_read(root, &ms->zoneinfo, err, errlen) < 0)
		return -1;
	ms->have |= KF_HAVE_ZONEINFO;

	if (kf_buddyinfo_read(root, &ms->buddyinfo, err, errlen) == 0)
		ms->have |= KF_HAVE_BUDDYINFO;
	else if (errno == EINVAL)
		goto fail;
	else
		memstate_missing(ms, "buddyinfo", errno);

	if (kf_pagetypeinfo_read(root, &ms->pagetypeinfo, err, errlen) == 0)
		ms->have |= KF_HAVE_PAGETYPEINFO;
	else if (errno == EINVAL)
		goto fail;
	else
		memstate_missing(ms, "pagetypeinfo", errno);

	if (kf_vmstat_read(root, &ms->vmstat, err, errlen) == 0)
		ms->have |= KF_HAVE_VMSTAT;
	else if (errno == EINVAL)
		goto fail;
	else
		memstate_missing(ms, "vmstat", errno);

	if (memstate_sysctl(root, "min_free_kbytes", &ms->min_free_kbytes, err, errlen) < 0 ||
	    memstate_sysctl(root, "percpu_pagelist_high_fraction", &ms->percpu_pagelist_high_fraction,
			    err, errlen) < 0)
		goto fail;

	/* a failed optional read left its text in err; it is in missing now */
	if (err && errlen)
		err[0] = '\0';
	return 0;

fail:
	saved = errno;
	kf_memstate_release(ms);
	errno = saved;
	return -1;
}

void kf_memstate_release(struct kf_memstate *ms)
{
	kf_zoneinfo_release(&ms->zoneinfo);
	kf_buddyinfo_release(&ms->buddyinfo);
	kf_pagetypeinfo_release(&ms->pagetypeinfo);
	kf_vmstat_release(&ms->vmstat);
	ms->have = 0;
}
