/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small readers of the machine beside the memory state (src/system/
 * proc_system.c), each under a root prefix as every reader of /proc and
 * /sys: ROOT/proc/NAME (or ROOT/NAME in a flat saved copy) and
 * ROOT/sys/NAME. What cannot be read is "unknown", never an error: these
 * only annotate a measurement.
 */
#ifndef KF_SYSTEM_H
#define KF_SYSTEM_H

#include <stddef.h>

/* the compaction policy line: vm sysctls and the sched_ext state */
struct kf_vm_policy {
	int unevictable_allowed;	/* vm.compact_unevictable_allowed, -1 unknown */
	int proactiveness;		/* vm.compaction_proactiveness */
	int extfrag_threshold;		/* vm.extfrag_threshold */
	char sched_ext[32];		/* /sys/kernel/sched_ext/state, "" absent */
	char sched_ext_ops[64];		/* /sys/kernel/sched_ext/root/ops */
};

void kf_vm_policy_read(const char *root, struct kf_vm_policy *p);
/* seconds since boot (ROOT's uptime), -1 unknown */
double kf_uptime_read(const char *root);
/* ROOT's sys/kernel/random/boot_id (or a flat copy's boot_id): "" when
 * absent or not a UUID */
void kf_boot_id_read(const char *root, char *buf, size_t len);

#endif
