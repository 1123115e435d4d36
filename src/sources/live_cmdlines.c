/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of tasks that were gone before kfrag read /proc for them: the
 * kernel's saved_cmdlines as it is now, loaded again (libtracefs) into a
 * handle of its own at most once a poll.
 *
 * A task that allocates and exits between two polls (a shell that writes
 * compact_memory, a short job) has no /proc/PID/comm left when its records
 * are fed. The kernel saved its name when it was switched out after its
 * events, so saved_cmdlines read now has it. The copy loaded into the
 * decoder's handle at the start does not: it names only the tasks of
 * before the start, and on a machine whose pids wrap (pid_max 32768) it
 * gives a new task the name of an old one with its pid. A fresh handle,
 * not that one: libtraceevent keeps the first name registered for a pid.
 */
#include <stdio.h>
#include <string.h>

#include "kf_live_priv.h"

bool live_exited_comm(struct kf_live *l, int pid, char comm[KF_COMM_LEN])
{
	const char *name;

	if (l->saved_poll != l->poll_nr) {
		tep_free(l->saved);
		l->saved = tep_alloc();
		if (l->saved && tracefs_load_cmdlines(l->tracing_dir, l->saved) < 0) {
			tep_free(l->saved);
			l->saved = NULL;
		}
		l->saved_poll = l->poll_nr;
	}
	if (!l->saved || !tep_is_pid_registered(l->saved, pid))
		return false;
	name = tep_data_comm_from_pid(l->saved, pid);
	if (!name || !name[0] || strcmp(name, "<...>") == 0)
		return false;
	snprintf(comm, KF_COMM_LEN, "%s", name);
	return true;
}
