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
