/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kf_symbols: names of the kernel's enumerated values, as the kernel that
 * produced the trace spells them. Filled from the event formats'
 * __print_symbolic() tables (trace.dat, live), from the strings a text trace
 * prints, and from /proc/pagetypeinfo for migratetypes (kmem events print
 * migratetype as a bare number).
 */
#ifndef KF_SYMBOLS_H
#define KF_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

enum kf_symtab_kind {
	KF_SYM_MIGRATETYPE,
	KF_SYM_MIGRATE_MODE,
	KF_SYM_MIGRATE_REASON,
	KF_SYM_COMPACT_STATUS,
	KF_SYM_ZONE_TYPE,
	KF_SYM_NR
};

struct kf_symbol {
	int64_t value;
	char *name;
};

struct kf_symtab {
	struct kf_symbol *syms;
	int nr;
	int alloc;
};

struct kf_symbols {
	struct kf_symtab tab[KF_SYM_NR];
};

extern const char *const kf_symtab_kind_names[KF_SYM_NR];

void kf_symbols_init(struct kf_symbols *s);
void kf_symbols_release(struct kf_symbols *s);
/* adds or renames value; returns 0 or -1 (ENOMEM) */
int kf_symbols_set(struct kf_symbols *s, enum kf_symtab_kind k, int64_t value, const char *name);
/* the name of value, or NULL when unknown */
const char *kf_symbols_name(const struct kf_symbols *s, enum kf_symtab_kind k, int64_t value);
/* the name of value, or the value in decimal (written in buf) when unknown */
const char *kf_symbols_label(const struct kf_symbols *s, enum kf_symtab_kind k, int64_t value,
			     char *buf, size_t len);
/* the value of name; adds it with the next free value when add != 0; -1 if absent */
int64_t kf_symbols_value(struct kf_symbols *s, enum kf_symtab_kind k, const char *name, int add);
/* copies every entry of src into dst, src's names win */
int kf_symbols_merge(struct kf_symbols *dst, const struct kf_symbols *src);

#endif
