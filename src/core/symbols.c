/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of the kernel's enumerated values, per kind, as small sorted-free tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_symbols.h"

const char *const kf_symtab_kind_names[KF_SYM_NR] = {
	[KF_SYM_MIGRATETYPE] = "migratetype",
	[KF_SYM_MIGRATE_MODE] = "migrate_mode",
	[KF_SYM_MIGRATE_REASON] = "migrate_reason",
	[KF_SYM_COMPACT_STATUS] = "compaction_status",
	[KF_SYM_ZONE_TYPE] = "zone_type",
};

void kf_symbols_init(struct kf_symbols *s)
{
	memset(s, 0, sizeof(*s));
}

void kf_symbols_release(struct kf_symbols *s)
{
	for (int k = 0; k < KF_SYM_NR; k++) {
		for (int i = 0; i < s->tab[k].nr; i++)
			free(s->tab[k].syms[i].name);
		free(s->tab[k].syms);
	}
	memset(s, 0, sizeof(*s));
}

static struct kf_symbol *find_value(const struct kf_symtab *t, int64_t value)
{
	for (int i = 0; i < t->nr; i++)
		if (t->syms[i].value == value)
			return &t->syms[i];
	return NULL;
}

int kf_symbols_set(struct kf_symbols *s, enum kf_symtab_kind k, int64_t value, const char *name)
{
	struct kf_symtab *t = &s->tab[k];
	struct kf_symbol *sym = find_value(t, value);
	char *copy = strdup(name);

	if (!copy)
		return -1;
	if (sym) {
		free(sym->name);
		sym->name = copy;
		return 0;
	}
	if (t->nr == t->alloc) {
		int n = t->alloc ? t->alloc * 2 : 16;
		struct kf_symbol *grown = realloc(t->syms, n * sizeof(*grown));

		if (!grown) {
			free(copy);
			errno = ENOMEM;
			return -1;
		}
		t->syms = grown;
		t->alloc = n;
	}
	t->syms[t->nr].value = value;
	t->syms[t->nr].name = copy;
	t->nr++;
	return 0;
}

const char *kf_symbols_name(const struct kf_symbols *s, enum kf_symtab_kind k, int64_t value)
{
	const struct kf_symbol *sym = find_value(&s->tab[k], value);

	return sym ? sym->name : NULL;
}

const char *kf_symbols_label(const struct kf_symbols *s, enum kf_symtab_kind k, int64_t value,
			     char *buf, size_t len)
{
	const char *name = s ? kf_symbols_name(s, k, value) : NULL;

	if (name)
		return name;
	snprintf(buf, len, "%lld", (long long)value);
	return buf;
}

int64_t kf_symbols_value(struct kf_symbols *s, enum kf_symtab_kind k, const char *name, int add)
{
	struct kf_symtab *t = &s->tab[k];
	int64_t next = 0;

	for (int i = 0; i < t->nr; i++) {
		if (strcmp(t->syms[i].name, name) == 0)
			return t->syms[i].value;
		if (t->syms[i].value >= next)
			next = t->syms[i].value + 1;
	}
	if (!add || kf_symbols_set(s, k, next, name) < 0)
		return -1;
	return next;
}

int kf_symbols_merge(struct kf_symbols *dst, const struct kf_symbols *src)
{
	for (int k = 0; k < KF_SYM_NR; k++)
		for (int i = 0; i < src->tab[k].nr; i++)
			if (kf_symbols_set(dst, k, src->tab[k].syms[i].value, src->tab[k].syms[i].name) < 0)
				return -1;
	return 0;
}
