/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault evidence for the guard: two open-addressing tables, one of the
 * virtual pages whose migration PTE is in place, one of the (pid, page)
 * pairs faulted on while migration ran. Both are bounded: past the bound
 * the PTE table starts again empty and the fault pages are counted, not
 * kept (kf_snapshot.fault_pages_dropped).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault_evidence.h"

#define PAGE_SHIFT		12
#define PMD_PAGES		512ULL	/* a huge page's migration PTE covers 512 pages */
#define MIG_MAX			(1u << 20)
#define FAULT_MAX		(1u << 16)

struct mig_slot {
	uint64_t key;		/* vpage + 1; 0 = empty */
	uint32_t n;		/* set minus removed */
};

struct fault_slot {
	uint64_t vpage;
	int pid;		/* 0 = empty (pid 0 never faults in user space) */
	uint32_t faults, on_pte;
};

struct kf_fault_tracker {
	struct mig_slot *mig;
	uint32_t mig_size, mig_used;	/* size: a power of two */
	struct fault_slot *pages;
	uint32_t pages_size, pages_used;
	uint64_t dropped;
};

static uint32_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

struct kf_fault_tracker *kf_fault_tracker_create(void)
{
	return calloc(1, sizeof(struct kf_fault_tracker));
}

void kf_fault_tracker_destroy(struct kf_fault_tracker *t)
{
	if (!t)
		return;
	free(t->mig);
	free(t->pages);
	free(t);
}

static struct mig_slot *mig_find(struct kf_fault_tracker *t, uint64_t key, bool add)
{
	uint32_t m = t->mig_size - 1, h;

	if (!t->mig_size)
		return NULL;
	for (h = hash64(key) & m; t->mig[h].key; h = (h + 1) & m)
		if (t->mig[h].key == key)
			return &t->mig[h];
	if (!add)
		return NULL;
	t->mig[h].key = key;
	t->mig_used++;
	return &t->mig[h];
}

/* room for one more key: doubles, or starts again empty at the bound */
static int mig_room(struct kf_fault_tracker *t)
{
	struct mig_slot *old = t->mig, *grown;
	uint32_t n = t->mig_size ? t->mig_size * 2 : 1024, old_size = t->mig_size;

	if ((t->mig_used + 1) * 4 <= t->mig_size * 3)
		return 0;
	if (n > MIG_MAX) {
		kf_fault_tracker_migrations_done(t);
		return 0;
	}
	grown = calloc(n, sizeof(*grown));
	if (!grown)
		return -1;
	t->mig = grown;
	t->mig_size = n;
	t->mig_used = 0;
	for (uint32_t i = 0; i < old_size; i++)
		if (old[i].key && old[i].n)
			mig_find(t, old[i].key, true)->n = old[i].n;
	free(old);
	return 0;
}

void kf_fault_tracker_migration_pte(struct kf_fault_tracker *t, uint64_t addr, int order, bool set)
{
	uint64_t key = (addr >> PAGE_SHIFT) + 1;
	struct mig_slot *s;

	(void)order;	/* a huge page is found by its aligned head, see fault() */
	if (!t)
		return;
	if (!set) {
		s = mig_find(t, key, false);
		if (s && s->n)
			s->n--;
		return;
	}
	if (mig_room(t) < 0)
		return;
	s = mig_find(t, key, true);
	if (s)
		s->n++;
}

void kf_fault_tracker_migrations_done(struct kf_fault_tracker *t)
{
	if (!t || !t->mig_used)
		return;
	memset(t->mig, 0, t->mig_size * sizeof(*t->mig));
	t->mig_used = 0;
}

static bool pte_in_flight(struct kf_fault_tracker *t, uint64_t vpage)
{
	struct mig_slot *s = mig_find(t, vpage + 1, false);

	if (s && s->n)
		return true;
	s = mig_find(t, (vpage & ~(PMD_PAGES - 1)) + 1, false);
	return s && s->n;
}

static int pages_grow(struct kf_fault_tracker *t);

static struct fault_slot *page_slot(struct kf_fault_tracker *t, int pid, uint64_t vpage)
{
	uint32_t m, h;

	if ((t->pages_used + 1) * 4 > t->pages_size * 3 && t->pages_used < FAULT_MAX && pages_grow(t) < 0)
		return NULL;
	if (!t->pages_size)
		return NULL;
	m = t->pages_size - 1;
	for (h = hash64(vpage * 31 + (uint64_t)pid) & m; t->pages[h].pid; h = (h + 1) & m)
		if (t->pages[h].pid == pid && t->pages[h].vpage == vpage)
			return &t->pages[h];
	if (t->pages_used >= FAULT_MAX)
		return NULL;
	t->pages[h].pid = pid;
	t->pages[h].vpage = vpage;
	t->pages_used++;
	return &t->pages[h];
}

static int pages_grow(struct kf_fault_tracker *t)
{
	uint32_t n = t->pages_size ? t->pages_size * 2 : 256, old_size = t->pages_size;
	struct fault_slot *old = t->pages, *grown = calloc(n, sizeof(*grown));

	if (!grown)
		return -1;
	t->pages = grown;
	t->pages_size = n;
	t->pages_used = 0;
	for (uint32_t i = 0; i < old_size; i++)
		if (old[i].pid)
			*page_slot(t, old[i].pid, old[i].vpage) = old[i];
	free(old);
	return 0;
}

bool kf_fault_tracker_fault(struct kf_fault_tracker *t, int pid, uint64_t addr, bool during)
{
	uint64_t vpage = addr >> PAGE_SHIFT;
	bool on_pte;
	struct fault_slot *s;

	if (!t || pid <= 0)
		return false;
	on_pte = pte_in_flight(t, vpage);
	if (!on_pte && !during)
		return false;
	s = page_slot(t, pid, vpage);
	if (!s) {
		t->dropped++;
		return on_pte;
	}
	s->faults++;
	if (on_pte)
		s->on_pte++;
	return on_pte;
}

static int by_pid_page(const void *a, const void *b)
{
	const struct kf_fault_page *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->vpage < y->vpage ? -1 : x->vpage > y->vpage;
}

int kf_fault_tracker_export(const struct kf_fault_tracker *t, struct kf_snapshot *s)
{
	uint32_t n = 0;

	s->fault_pages = NULL;
	s->nr_fault_pages = 0;
	s->fault_pages_dropped = t ? t->dropped : 0;
	if (!t || !t->pages_used)
		return 0;
	s->fault_pages = malloc(t->pages_used * sizeof(*s->fault_pages));
	if (!s->fault_pages) {
		errno = ENOMEM;
		return -1;
	}
	for (uint32_t i = 0; i < t->pages_size; i++) {
		const struct fault_slot *f = &t->pages[i];

		if (!f->pid)
			continue;
		s->fault_pages[n].pid = f->pid;
		s->fault_pages[n].vpage = f->vpage;
		s->fault_pages[n].faults = f->faults;
		s->fault_pages[n++].on_pte = f->on_pte;
	}
	qsort(s->fault_pages, n, sizeof(*s->fault_pages), by_pid_page);
	s->nr_fault_pages = (int)n;
	return 0;
}
