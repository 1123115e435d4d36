// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/vmstat (mm/vmstat.c vmstat_show): "name value" per line, system-wide
 * sums of the zone, NUMA, node and event counters. Which counters exist
 * depends on the kernel's version and config, hence lookups by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf_proc.h"

static bool vmstat_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int kf_vmstat_read(const char *root, struct kf_vmstat *vs, char *err, size_t errlen)
{
	struct kf_vmstat_entry *e;
	struct kf_proc_text t;
	char *cursor, *l, *name, *val;
	int line = 0, cap = 0, saved;
	uint64_t v;

	memset(vs, 0, sizeof(*vs));
	if (kf_proc_text_load(root, "vmstat", &t, err, errlen) < 0)
		return -1;
	cursor = t.buf;
	while ((l = kf_proc_text_line(&cursor))) {
		line++;
		name = kf_proc_word(&l);
		val = kf_proc_word(&l);
		if (!name || !val || kf_proc_word(&l) || !vmstat_name_ok(name) ||
		    kf_proc_parse_u64(val, &v) < 0) {
			kf_proc_fail(err, errlen, t.path, line, "expected \"name number\"");
			goto fail;
		}
		if (vs->nr == cap) {
			int ncap = cap ? cap * 2 : 256;

			e = realloc(vs->entries, ncap * sizeof(*e));
			if (!e)
				goto fail;
			vs->entries = e;
			cap = ncap;
		}
		e = &vs->entries[vs->nr];
		e->name = strdup(name);
		if (!e->name)
			goto fail;
		e->value = v;
		vs->nr++;
	}
	if (vs->nr == 0) {
		kf_proc_fail(err, errlen, t.path, 1, "no counters (empty file?)");
		goto fail;
	}
	kf_proc_text_release(&t);
	return 0;

fail:
	saved = errno;
	if (saved != EINVAL && err && errlen)
		snprintf(err, errlen, "%s:%d: %s", t.path, line, strerror(saved));
	kf_proc_text_release(&t);
	kf_vmstat_release(vs);
	errno = saved;
	return -1;
}

void kf_vmstat_release(struct kf_vmstat *vs)
{
	int i;

	for (i = 0; i < vs->nr; i++)
		free(vs->entries[i].name);
	free(vs->entries);
	vs->entries = NULL;
	vs->nr = 0;
}

bool kf_vmstat_get(const struct kf_vmstat *vs, const char *name, uint64_t *value)
{
	int i;

	if (!vs || !name)
		return false;
	for (i = 0; i < vs->nr; i++) {
		if (strcmp(vs->entries[i].name, name) == 0) {
			if (value)
				*value = vs->entries[i].value;
			return true;
		}
	}
	return false;
}
