/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kf_cmd.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "report", kf_cmd_report, "analyse a recorded trace or the live kernel, print a JSON or text report" },
	{ "record", kf_cmd_record, "record the live kernel's events to a trace.dat (when trace-cmd record cannot)" },
	{ "top", kf_cmd_top, "live dashboard of the page allocator, fragmentation and compaction (or a trace's replay)" },
	{ "check", kf_cmd_check, "one short measurement against thresholds: Nagios exit code, perfdata, history, Prometheus" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: kfrag COMMAND [OPTIONS]\n\n"
		"A page-allocator tracepoint analyser and memory-fragmentation monitor.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nkfrag COMMAND --help describes a command's options; man kfrag(8) has the details.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return KF_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("kfrag %s\n", PACKAGE_VERSION);
		return KF_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char name[32];

		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* getopt's own messages then say "kfrag report: ..." */
		snprintf(name, sizeof(name), "kfrag %s", commands[i].name);
		argv[1] = name;
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "kfrag: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return KF_EXIT_USAGE;
}
