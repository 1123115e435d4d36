/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's own files: the configuration (key = value) and the state
 * kept between runs. The first byte chooses which, the rest is the file.
 * Seeds: configurations and state files of tests/data/check (prefixed).
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "kf_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	char err[512];

	if (size < 1)
		return 0;
	path = fuzz_write(data[0] & 1 ? "state" : "kfrag.conf", data + 1, size - 1);
	if (!path)
		return 0;
	if (data[0] & 1) {
		struct kf_check_state st = { 0 };
		bool exists;

		kf_check_state_read(path, &st, &exists, err, sizeof(err));
	} else {
		struct kf_check_config cfg;
		bool loaded;

		kf_check_config_defaults(&cfg);
		if (kf_check_config_load(&cfg, path, false, &loaded, err, sizeof(err)) == 0) {
			FILE *out = fopen("/dev/null", "w");

			if (out) {
				kf_check_config_print(&cfg, out);
				fclose(out);
			}
		}
	}
	return 0;
}
