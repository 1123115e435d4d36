/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /proc readers (buddyinfo, zoneinfo, pagetypeinfo, vmstat) on a file
 * of the fuzzer's, as kfrag reads --proc-root: the first byte chooses the
 * reader, the rest is the file. Seeds: tests/data/proc (prefixed).
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "kf_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "buddyinfo", "zoneinfo", "pagetypeinfo", "vmstat" };
	const char *name;
	char err[512];

	if (size < 1)
		return 0;
	name = names[data[0] % 4];
	if (!fuzz_write(name, data + 1, size - 1))
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct kf_buddyinfo bi = { 0 };

		if (kf_buddyinfo_read(fuzz_dir(), &bi, err, sizeof(err)) == 0)
			kf_buddyinfo_release(&bi);
		break;
	}
	case 1: {
		struct kf_zoneinfo zi = { 0 };

		if (kf_zoneinfo_read(fuzz_dir(), &zi, err, sizeof(err)) == 0)
			kf_zoneinfo_release(&zi);
		break;
	}
	case 2: {
		struct kf_pagetypeinfo pt = { 0 };

		if (kf_pagetypeinfo_read(fuzz_dir(), &pt, err, sizeof(err)) == 0)
			kf_pagetypeinfo_release(&pt);
		break;
	}
	default: {
		struct kf_vmstat vs = { 0 };

		if (kf_vmstat_read(fuzz_dir(), &vs, err, sizeof(err)) == 0)
			kf_vmstat_release(&vs);
		break;
	}
	}
	return 0;
}
