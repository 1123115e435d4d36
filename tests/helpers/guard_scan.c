/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_scan: the guard's data side alone, for tests that cannot trace
 * (an unprivileged user): discovery and readings through kf_guard_open and
 * kf_guard_refresh, evaluated without a trace, printed as the report's
 * "guard" JSON object. What kfrag check does without tracing.
 *
 * Usage: guard_scan [--root DIR] [--pid PID]... [--comm NAME]...
 *                   [--threshold KB] [--no-discover] [--refresh N] [--interval SEC]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kf_guard_proc.h"
#include "kf_report.h"

int main(int argc, char **argv)
{
	struct kf_guard_config cfg = { 0 };
	int *pids = calloc(argc + 1, sizeof(*pids));
	const char **comms = calloc(argc + 1, sizeof(*comms));
	int refresh = 0;
	double interval = 0.2;
	struct kf_guard_result res;
	struct kf_guard *g;
	char err[256];
	json_t *doc;

	if (!pids || !comms)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-discover") == 0) {
			cfg.no_discover = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "guard_scan: %s wants a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--root") == 0)
			cfg.root = v;
		else if (strcmp(a, "--pid") == 0)
			pids[cfg.nr_pids++] = atoi(v);
		else if (strcmp(a, "--comm") == 0)
			comms[cfg.nr_comms++] = v;
		else if (strcmp(a, "--threshold") == 0)
			cfg.lock_threshold_kb = strtoull(v, NULL, 10);
		else if (strcmp(a, "--refresh") == 0)
			refresh = atoi(v);
		else if (strcmp(a, "--interval") == 0)
			interval = atof(v);
		else {
			fprintf(stderr, "guard_scan: unknown option %s\n", a);
			return 2;
		}
	}
	cfg.pids = pids;
	cfg.comms = comms;
	g = kf_guard_open(&cfg, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "guard_scan: %s\n", err);
		return 1;
	}
	for (int i = 0; i < refresh; i++) {
		struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };

		nanosleep(&ts, NULL);
		if (kf_guard_refresh(g) < 0) {
			fprintf(stderr, "guard_scan: out of memory\n");
			return 1;
		}
	}
	if (kf_guard_evaluate(kf_guard_input(g), NULL, &res) < 0) {
		fprintf(stderr, "guard_scan: out of memory\n");
		return 1;
	}
	doc = kf_guard_json(kf_guard_input(g), &res);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
	kf_guard_result_release(&res);
	kf_guard_close(g);
	free(pids);
	free(comms);
	return 0;
}
