/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands of kfrag; each parses its own options and returns the exit code. */
#ifndef KF_CMD_H
#define KF_CMD_H

#include <stdio.h>

/* exit codes shared by all commands (check has its own, Nagios-style) */
#define KF_EXIT_OK	0
#define KF_EXIT_FAIL	1	/* could not do the job: bad input, no permission ... */
#define KF_EXIT_USAGE	2	/* unknown option, bad option value */

/* after a usage error's one-line message: where the help is (command
 * "report", or NULL for kfrag's own) */
static inline void kf_try_help(const char *command)
{
	fprintf(stderr, "Try 'kfrag %s%s--help' for more information.\n",
		command ? command : "", command ? " " : "");
}

int kf_cmd_report(int argc, char **argv);
int kf_cmd_record(int argc, char **argv);
int kf_cmd_top(int argc, char **argv);
/* exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (kf_check.h) */
int kf_cmd_check(int argc, char **argv);

#endif
