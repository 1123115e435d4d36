/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kfrag: dispatches to a subcommand. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kf_cmd.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	bool exit_2_is_usage;	/* KF_EXIT_USAGE; check's 2 is CRITICAL, its usage errors 3 */
} commands[] = {
	{ "report", kf_cmd_report, "analyse a recorded trace or the live kernel, print a JSON or text report", true },
	{ "record", kf_cmd_record, "record the live kernel's events to a trace.dat (when trace-cmd record cannot)", true },
	{ "top", kf_cmd_top, "live dashboard of the page allocator, fragmentation and compaction (or a trace's replay)", true },
	{ "check", kf_cmd_check, "one short measurement against thresholds: Nagios exit code, perfdata, history, Prometheus", false },
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: kfrag COMMAND [OPTIONS]\n"
		"       kfrag --version | --help | help COMMAND\n\n"
		"A page-allocator tracepoint analyser and memory-fragmentation monitor.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nkfrag COMMAND --help describes a command's options; man kfrag(8) is the overview,\n"
		"kfrag-COMMAND(8) each command's manual.\n");
}

static int version(void)
{
	printf("kfrag %s\n", PACKAGE_VERSION);
	return fflush(stdout) ? KF_EXIT_FAIL : KF_EXIT_OK;
}

/* edits (insert, delete, substitute, swap two neighbours) from a to b */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			size_t best;

			if (!i || !j) {
				d[i][j] = i + j;
				continue;
			}
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* the command a mistyped name most likely meant: a prefix of it, or within
 * one edit (two for names of 5 letters or more) */
static const char *nearest_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = strlen(name) >= 5 ? 3 : 2;

	for (size_t i = 0; i < NR_COMMANDS; i++) {
		size_t d = edit_distance(name, commands[i].name);

		if (strlen(name) >= 2 && strncmp(commands[i].name, name, strlen(name)) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best;
}

static int unknown_command(const char *name)
{
	const char *near = nearest_command(name);

	if (name[0] == '-')
		fprintf(stderr, "kfrag: unknown option '%s' (the command comes first: kfrag COMMAND [OPTIONS])\n", name);
	else if (near)
		fprintf(stderr, "kfrag: unknown command '%s'; did you mean '%s'?\n", name, near);
	else
		fprintf(stderr, "kfrag: unknown command '%s'\n", name);
	kf_try_help(NULL);
	return KF_EXIT_USAGE;
}

/* --version anywhere among a command's options (not after "--") */
static bool asks_version(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--version") == 0)
			return true;
	return false;
}

static int run_command(size_t i, int argc, char **argv)
{
	char name[32];
	int ret;

	if (asks_version(argc, argv))
		return version();
	/* getopt's own messages then say "kfrag report: ..." */
	snprintf(name, sizeof(name), "kfrag %s", commands[i].name);
	argv[0] = name;
	ret = commands[i].run(argc, argv);
	/* after the one line that says what is wrong: not the whole help */
	if (ret == KF_EXIT_USAGE && commands[i].exit_2_is_usage)
		kf_try_help(commands[i].name);
	return ret;
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return KF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		char help[] = "--help", *args[] = { argv[0], help, NULL };

		if (argc == 2 || strcmp(argv[1], "help") != 0) {
			usage(stdout);
			return KF_EXIT_OK;
		}
		/* kfrag help COMMAND: the command's --help */
		i = find_command(argv[2]);
		return i < 0 ? unknown_command(argv[2]) : run_command(i, 2, args);
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return version();
	i = find_command(argv[1]);
	if (i < 0)
		return unknown_command(argv[1]);
	return run_command(i, argc - 1, argv + 1);
}
