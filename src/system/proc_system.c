// SPDX-License-Identifier: GPL-2.0-or-later
/* The policy line, uptime and boot id, read under a root prefix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_guard_proc.h"
#include "kf_proc.h"
#include "kf_system.h"
#include "kf_util.h"

/* the first line of PATH without its newline, or "" */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = path ? fopen(path, "re") : NULL;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		buf[0] = '\0';
	fclose(f);
}

/* ROOT/proc's NAME (kf_proc_path), its first line */
static void proc_line(const char *root, const char *name, char *buf, size_t len)
{
	char *path = kf_proc_path(root, name);

	first_line(path, buf, len);
	free(path);
}

/* sysfs sits beside proc: ROOT/sys/NAME */
static void sys_line(const char *root, const char *name, char *buf, size_t len)
{
	size_t rootlen = strlen(root);
	char path[4096];

	while (rootlen > 0 && root[rootlen - 1] == '/')
		rootlen--;
	snprintf(path, sizeof(path), "%.*s/sys/%s", (int)rootlen, root, name);
	first_line(path, buf, len);
}

void kf_vm_policy_read(const char *root, struct kf_vm_policy *p)
{
	if (!root || !*root)
		root = "/";
	p->extfrag_threshold = kf_guard_read_sysctl(root, "extfrag_threshold");
	p->unevictable_allowed = kf_guard_read_sysctl(root, "compact_unevictable_allowed");
	p->proactiveness = kf_guard_read_sysctl(root, "compaction_proactiveness");
	sys_line(root, "kernel/sched_ext/state", p->sched_ext, sizeof(p->sched_ext));
	sys_line(root, "kernel/sched_ext/root/ops", p->sched_ext_ops, sizeof(p->sched_ext_ops));
}

double kf_uptime_read(const char *root)
{
	char buf[64];
	double up;

	proc_line(root && *root ? root : "/", "uptime", buf, sizeof(buf));
	buf[strcspn(buf, " ")] = '\0';
	return kf_parse_double(buf, 0, 1e12, &up) == 0 ? up : -1;
}

void kf_boot_id_read(const char *root, char *buf, size_t len)
{
	static const char *const names[] = { "sys/kernel/random/boot_id", "boot_id" };

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !buf[0]; i++) {
		proc_line(root, names[i], buf, len);
		for (char *p = buf; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == '-')) {
				buf[0] = '\0';
				break;
			}
	}
}
