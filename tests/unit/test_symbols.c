/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Symbol tables: set, rename, look up by value and name, intern, merge. */
#include "check.h"
#include "kf_event.h"
#include "kf_symbols.h"

int main(void)
{
	struct kf_symbols a, b;

	kf_symbols_init(&a);
	kf_symbols_init(&b);
	CHECK_EQ_INT(kf_symbols_set(&a, KF_SYM_COMPACT_STATUS, 5, "complete"), 0);
	CHECK_EQ_INT(kf_symbols_set(&a, KF_SYM_COMPACT_STATUS, 8, "success"), 0);
	CHECK_EQ_STR(kf_symbols_name(&a, KF_SYM_COMPACT_STATUS, 5), "complete");
	CHECK(kf_symbols_name(&a, KF_SYM_COMPACT_STATUS, 6) == NULL, "unknown value has no name");
	CHECK(kf_symbols_name(&a, KF_SYM_MIGRATE_MODE, 5) == NULL, "kinds are separate");
	/* a known name keeps its value; a new one gets the next free value */
	CHECK_EQ_INT(kf_symbols_value(&a, KF_SYM_COMPACT_STATUS, "success", 1), 8);
	CHECK_EQ_INT(kf_symbols_value(&a, KF_SYM_COMPACT_STATUS, "contended", 0), -1);
	CHECK_EQ_INT(kf_symbols_value(&a, KF_SYM_COMPACT_STATUS, "contended", 1), 9);
	CHECK_EQ_STR(kf_symbols_name(&a, KF_SYM_COMPACT_STATUS, 9), "contended");
	{
		char buf[24];

		CHECK_EQ_STR(kf_symbols_label(&a, KF_SYM_COMPACT_STATUS, 8, buf, sizeof(buf)), "success");
		CHECK_EQ_STR(kf_symbols_label(&a, KF_SYM_COMPACT_STATUS, 42, buf, sizeof(buf)), "42");
		CHECK_EQ_STR(kf_symbols_label(NULL, KF_SYM_COMPACT_STATUS, -1, buf, sizeof(buf)), "-1");
	}
	CHECK_EQ_INT(kf_symbols_set(&a, KF_SYM_COMPACT_STATUS, 5, "done"), 0);
	CHECK_EQ_STR(kf_symbols_name(&a, KF_SYM_COMPACT_STATUS, 5), "done");
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		kf_symbols_set(&b, KF_SYM_MIGRATE_REASON, i, name);
	}
	CHECK_EQ_INT(kf_symbols_merge(&a, &b), 0);
	CHECK_EQ_STR(kf_symbols_name(&a, KF_SYM_MIGRATE_REASON, 99), "r99");
	CHECK_EQ_INT(kf_event_type_from_name("kmem", "mm_page_alloc"), KF_EV_PAGE_ALLOC);
	CHECK_EQ_INT(kf_event_type_from_name(NULL, "page_fault_user"), KF_EV_PAGE_FAULT_USER);
	CHECK_EQ_INT(kf_event_type_from_name("sched", "mm_page_alloc"), KF_EV_OTHER);
	CHECK_EQ_INT(kf_event_type_from_name("kmem", "kmalloc"), KF_EV_OTHER);
	kf_symbols_release(&a);
	kf_symbols_release(&b);
	return check_done();
}
