// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The small readers of src/system/proc_system.c under a root prefix: a
 * made-up tree in a temporary directory holds uptime, boot_id, the vm
 * sysctls and sysfs's sched_ext files, and the readers must find each under
 * ROOT/proc/... and ROOT/sys/... (uptime used to be read from the machine's
 * /proc whatever --proc-root said). Expected values are the ones written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kf_system.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], cmd[320];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0 || !(f = fopen(path, "w")))
		abort();
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	struct kf_vm_policy p;
	char id[40], cmd[128];

	snprintf(root, sizeof(root), "/tmp/kfrag-test-system.XXXXXX");
	if (!mkdtemp(root))
		return 99;
	put("proc/uptime", "4242.50 8000.00\n");
	put("proc/sys/kernel/random/boot_id", "0b3c5bd4-8a53-4f04-9f0b-2f2a0e1a6a0c\n");
	put("proc/sys/vm/compact_unevictable_allowed", "0\n");
	put("proc/sys/vm/compaction_proactiveness", "20\n");
	put("proc/sys/vm/extfrag_threshold", "500\n");
	put("sys/kernel/sched_ext/state", "enabled\n");
	put("sys/kernel/sched_ext/root/ops", "rustland\n");

	CHECK(kf_uptime_read(root) == 4242.5, "uptime %g", kf_uptime_read(root));
	kf_boot_id_read(root, id, sizeof(id));
	CHECK_EQ_STR(id, "0b3c5bd4-8a53-4f04-9f0b-2f2a0e1a6a0c");
	kf_vm_policy_read(root, &p);
	CHECK_EQ_INT(p.unevictable_allowed, 0);
	CHECK_EQ_INT(p.proactiveness, 20);
	CHECK_EQ_INT(p.extfrag_threshold, 500);
	CHECK_EQ_STR(p.sched_ext, "enabled");
	CHECK_EQ_STR(p.sched_ext_ops, "rustland");

	/* a flat saved copy: boot_id beside the other files */
	put("flat/boot_id", "7e57ab1e-0000-4000-8000-000000000001\n");
	snprintf(cmd, sizeof(cmd), "%s/flat", root);
	kf_boot_id_read(cmd, id, sizeof(id));
	CHECK_EQ_STR(id, "7e57ab1e-0000-4000-8000-000000000001");

	/* what is missing or malformed is unknown, not an error */
	put("bad/proc/uptime", "soon\n");
	put("bad/proc/sys/kernel/random/boot_id", "not a uuid\n");
	snprintf(cmd, sizeof(cmd), "%s/bad", root);
	CHECK(kf_uptime_read(cmd) == -1, "malformed uptime: %g", kf_uptime_read(cmd));
	kf_boot_id_read(cmd, id, sizeof(id));
	CHECK_EQ_STR(id, "");
	kf_vm_policy_read(cmd, &p);
	CHECK_EQ_INT(p.unevictable_allowed, -1);
	CHECK_EQ_STR(p.sched_ext, "");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
	return check_done();
}
