/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of tasks that were gone before kfrag read /proc for them: the
 * kernel's saved_cmdlines as it is now, read again at most once a poll.
 *
 * A task that allocates and exits between two polls (a shell that writes
 * compact_memory, a short job) has no /proc/PID/comm left when its records
 * are fed. The kernel saved its name when it was switched out after its
 * events, so saved_cmdlines read now has it. The copy libtraceevent loaded
 * at the start does not: it names only the tasks of before the start, and
 * on a machine whose pids wrap (pid_max 32768) it gives a new task the name
 * of an old one with its pid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_live_priv.h"

static int by_pid(const void *a, const void *b)
{
	const struct saved_cmdline *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* saved_cmdlines into l->saved, sorted by pid: "PID COMM\n" lines, COMM may
 * hold spaces ("tmux: client"). On failure the table is left empty */
static void cmdlines_load(struct kf_live *l)
{
	char path[4096], line[64];
	FILE *f;

	l->nr_saved = 0;
	snprintf(path, sizeof(path), "%s/saved_cmdlines", l->tracing_dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct saved_cmdline *s;
		char *end;
		long pid = strtol(line, &end, 10);

		if (end == line || *end != ' ' || pid <= 0 || pid > 0x7fffffff)
			continue;
		if (l->nr_saved == l->alloc_saved) {
			int n = l->alloc_saved ? l->alloc_saved * 2 : 256;
			struct saved_cmdline *grown = realloc(l->saved, n * sizeof(*grown));

			if (!grown)
				break;
			l->saved = grown;
			l->alloc_saved = n;
		}
		s = &l->saved[l->nr_saved++];
		s->pid = (int)pid;
		end++;
		end[strcspn(end, "\n")] = '\0';
		snprintf(s->comm, sizeof(s->comm), "%s", end);
	}
	fclose(f);
	qsort(l->saved, l->nr_saved, sizeof(*l->saved), by_pid);
}

bool live_exited_comm(struct kf_live *l, int pid, char comm[KF_COMM_LEN])
{
	struct saved_cmdline key = { .pid = pid };
	const struct saved_cmdline *s;

	if (l->saved_poll != l->poll_nr) {
		cmdlines_load(l);
		l->saved_poll = l->poll_nr;
	}
	s = l->nr_saved ? bsearch(&key, l->saved, l->nr_saved, sizeof(*l->saved), by_pid) : NULL;
	if (!s || !s->comm[0] || strcmp(s->comm, "<...>") == 0)
		return false;
	memcpy(comm, s->comm, KF_COMM_LEN);
	return true;
}
