/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes: found by pid in an open-addressed table, named by their latest
 * events, and merged by command name for --by-comm.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

static unsigned pid_hash(int pid, unsigned mask)
{
	return (unsigned)pid * 2654435761u & mask;
}

void kf_comm_copy(char dst[KF_COMM_LEN], const char *src)
{
	size_t n = strnlen(src, KF_COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int proc_hash_grow(struct kf_engine *e)
{
	int size = e->hash_size ? e->hash_size * 2 : 512;
	unsigned mask = size - 1;
	int *hash = calloc(size, sizeof(*hash));

	if (!hash)
		return -1;
	for (int i = 0; i < e->nr_procs; i++) {
		unsigned h = pid_hash(e->procs[i].s.pid, mask);

		while (hash[h])
			h = (h + 1) & mask;
		hash[h] = i + 1;
	}
	free(e->proc_hash);
	e->proc_hash = hash;
	e->hash_size = size;
	return 0;
}

static struct proc_entry *proc_lookup(struct kf_engine *e, int pid, const char *comm)
{
	unsigned mask = e->hash_size - 1;
	unsigned h;

	if (e->hash_size) {
		for (h = pid_hash(pid, mask); e->proc_hash[h]; h = (h + 1) & mask)
			if (e->procs[e->proc_hash[h] - 1].s.pid == pid)
				return &e->procs[e->proc_hash[h] - 1];
	}
	if (e->nr_procs == e->alloc_procs) {
		int n = e->alloc_procs ? e->alloc_procs * 2 : 256;
		struct proc_entry *grown = realloc(e->procs, n * sizeof(*grown));

		if (!grown)
			return NULL;
		e->procs = grown;
		e->alloc_procs = n;
	}
	if ((e->nr_procs + 1) * 2 > e->hash_size && proc_hash_grow(e) < 0)
		return NULL;
	mask = e->hash_size - 1;
	for (h = pid_hash(pid, mask); e->proc_hash[h]; h = (h + 1) & mask)
		;
	struct proc_entry *p = &e->procs[e->nr_procs];

	memset(p, 0, sizeof(*p));
	p->s.pid = pid;
	p->episode = -1;
	p->kcompactd_order = KF_ORDER_UNKNOWN;
	kf_comm_copy(p->s.comm, comm ? comm : "<...>");
	e->proc_hash[h] = ++e->nr_procs;
	return p;
}

/* kf_proc_of past its cached process */
struct proc_entry *kf_proc_of_slow(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev)
{
	struct proc_entry *p;

	if (c->last_pid == ev->pid && c->last_proc < e->nr_procs) {
		p = &e->procs[c->last_proc];
	} else {
		p = proc_lookup(e, ev->pid, ev->comm);
		if (!p)
			return NULL;
		c->last_pid = ev->pid;
		c->last_proc = p - e->procs;
	}
	/* a process is named by its latest events: a forked child execs, and a
	 * name learnt late replaces "<...>" */
	if (ev->comm && ev->comm[0] != '<' && !(ev->comm_id && ev->comm_id == p->comm_id)) {
		if (strncmp(p->s.comm, ev->comm, KF_COMM_LEN - 1) != 0)
			kf_comm_copy(p->s.comm, ev->comm);
		p->comm_id = ev->comm_id;
	}
	return p;
}

static void proc_add(struct kf_proc_stats *dst, const struct kf_proc_stats *src)
{
	dst->allocd += src->allocd;
	dst->allocd_pages += src->allocd_pages;
	dst->allocd_locked += src->allocd_locked;
	dst->freed += src->freed;
	dst->freed_pages += src->freed_pages;
	dst->freed_batched += src->freed_batched;
	dst->freed_unbatched += src->freed_unbatched;
	dst->pcpu_pages_drained += src->pcpu_pages_drained;
	dst->pcpu_drains += src->pcpu_drains;
	dst->pcpu_refills += src->pcpu_refills;
	dst->fallback += src->fallback;
	dst->causing += src->causing;
	dst->changed += src->changed;
	dst->severe += src->severe;
	dst->moderate += src->moderate;
	dst->unknown += src->unknown;
	dst->faults += src->faults;
	dst->faults_during_migration += src->faults_during_migration;
	dst->faults_on_migration_pte += src->faults_on_migration_pte;
}

static int by_allocd_desc(const void *a, const void *b)
{
	const struct kf_proc_stats *x = a, *y = b;

	if (x->allocd != y->allocd)
		return x->allocd < y->allocd ? 1 : -1;
	return strcmp(x->comm, y->comm);
}

struct kf_proc_stats *kf_snapshot_procs_by_comm(const struct kf_snapshot *s, int *nr)
{
	struct kf_proc_stats *out = calloc(s->nr_procs ? s->nr_procs : 1, sizeof(*out));
	int n = 0;

	if (!out)
		return NULL;
	for (int i = 0; i < s->nr_procs; i++) {
		int j;

		for (j = 0; j < n; j++)
			if (strcmp(out[j].comm, s->procs[i].comm) == 0)
				break;
		if (j == n) {
			memcpy(out[n].comm, s->procs[i].comm, sizeof(out[n].comm));
			out[n].pid = -1;	/* merged: no single pid */
			n++;
		}
		proc_add(&out[j], &s->procs[i]);
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), by_allocd_desc);
	*nr = n;
	return out;
}
