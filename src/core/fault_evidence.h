/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What ties a page fault to a moving page (engine-private): the pages whose
 * migration PTE is set and not yet removed (migrate:set_migration_pte and
 * remove_migration_pte carry the virtual address), and the pages each
 * process faulted on while compaction or migration ran. The guard decides
 * with them whether a fault is evidence of the hazard (kf_guard.h).
 */
#ifndef KF_FAULT_EVIDENCE_H
#define KF_FAULT_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "kf_engine.h"

struct kf_fault_tracker;

struct kf_fault_tracker *kf_fault_tracker_create(void);
void kf_fault_tracker_destroy(struct kf_fault_tracker *t);
/* a migration PTE set (set = true) or removed at addr, for 1 << order pages */
void kf_fault_tracker_migration_pte(struct kf_fault_tracker *t, uint64_t addr, int order, bool set);
/* a migrate_pages call ended and no other is in flight: forget the PTEs
 * (a removal the ring buffer lost must not tie later faults) */
void kf_fault_tracker_migrations_done(struct kf_fault_tracker *t);
/* a fault of pid at addr; during: compaction or migration was running.
 * Returns true when the page's migration PTE was set (the fault hit it). */
bool kf_fault_tracker_fault(struct kf_fault_tracker *t, int pid, uint64_t addr, bool during);
/* the fault pages, sorted by pid and page, into the snapshot; -1 ENOMEM */
int kf_fault_tracker_export(const struct kf_fault_tracker *t, struct kf_snapshot *s);

#endif
