/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The events kfrag analyses, by system and name. */
#include <string.h>

#include "kf_event.h"

const struct kf_event_name kf_event_names[KF_EV_NR] = {
	[KF_EV_PAGE_ALLOC]			= { "kmem", "mm_page_alloc" },
	[KF_EV_PAGE_ALLOC_ZONE_LOCKED]		= { "kmem", "mm_page_alloc_zone_locked" },
	[KF_EV_PAGE_FREE]			= { "kmem", "mm_page_free" },
	[KF_EV_PAGE_FREE_BATCHED]		= { "kmem", "mm_page_free_batched" },
	[KF_EV_PAGE_PCPU_DRAIN]			= { "kmem", "mm_page_pcpu_drain" },
	[KF_EV_PAGE_ALLOC_EXTFRAG]		= { "kmem", "mm_page_alloc_extfrag" },
	[KF_EV_COMPACTION_BEGIN]		= { "compaction", "mm_compaction_begin" },
	[KF_EV_COMPACTION_END]			= { "compaction", "mm_compaction_end" },
	[KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES]	= { "compaction", "mm_compaction_isolate_migratepages" },
	[KF_EV_COMPACTION_ISOLATE_FREEPAGES]	= { "compaction", "mm_compaction_isolate_freepages" },
	[KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES] = { "compaction", "mm_compaction_fast_isolate_freepages" },
	[KF_EV_COMPACTION_MIGRATEPAGES]		= { "compaction", "mm_compaction_migratepages" },
	[KF_EV_COMPACTION_FINISHED]		= { "compaction", "mm_compaction_finished" },
	[KF_EV_COMPACTION_SUITABLE]		= { "compaction", "mm_compaction_suitable" },
	[KF_EV_COMPACTION_DEFERRED]		= { "compaction", "mm_compaction_deferred" },
	[KF_EV_COMPACTION_DEFER_COMPACTION]	= { "compaction", "mm_compaction_defer_compaction" },
	[KF_EV_COMPACTION_DEFER_RESET]		= { "compaction", "mm_compaction_defer_reset" },
	[KF_EV_COMPACTION_KCOMPACTD_WAKE]	= { "compaction", "mm_compaction_kcompactd_wake" },
	[KF_EV_COMPACTION_KCOMPACTD_SLEEP]	= { "compaction", "mm_compaction_kcompactd_sleep" },
	[KF_EV_COMPACTION_WAKEUP_KCOMPACTD]	= { "compaction", "mm_compaction_wakeup_kcompactd" },
	[KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES]	= { "compaction", "mm_compaction_try_to_compact_pages" },
	[KF_EV_MIGRATE_PAGES]			= { "migrate", "mm_migrate_pages" },
	[KF_EV_MIGRATE_PAGES_START]		= { "migrate", "mm_migrate_pages_start" },
	[KF_EV_SET_MIGRATION_PTE]		= { "migrate", "set_migration_pte" },
	[KF_EV_REMOVE_MIGRATION_PTE]		= { "migrate", "remove_migration_pte" },
	[KF_EV_PAGE_FAULT_USER]			= { "exceptions", "page_fault_user" },
	[KF_EV_OTHER]				= { "", "other" },
};

enum kf_event_type kf_event_type_from_name(const char *system, const char *name)
{
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (strcmp(kf_event_names[t].name, name) != 0)
			continue;
		if (system && strcmp(kf_event_names[t].system, system) != 0)
			continue;
		return t;
	}
	return KF_EV_OTHER;
}
