/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a memory map comes from (kf_run.h): a recording's saved one, or
 * the kpageflags of a proc root. kfrag record saves what this returns, and
 * report, top and check show what it returns, so both read one way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kf_run.h"
#include "kf_state.h"

int kf_run_memmap_read(const char *root, const struct kf_memstate *ms, struct kf_memmap **out,
		       bool *saved, char *err, size_t errlen)
{
	struct kf_memstate own;
	int ret, saved_errno;

	*out = NULL;
	*saved = false;
	err[0] = '\0';
	ret = kf_memmap_load_saved(root, out, err, errlen);
	if (ret != 0) {
		*saved = ret > 0;
		return ret > 0 ? 0 : -1;
	}
	if (ms)
		return kf_memmap_read(root, ms, 0, out, err, errlen);
	if (kf_memstate_read(root, &own, err, errlen) < 0)
		return -1;
	ret = kf_memmap_read(root, &own, 0, out, err, errlen);
	saved_errno = errno;
	kf_memstate_release(&own);
	errno = saved_errno;
	return ret;
}
