/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guard's data side: which processes to protect (discovery), the
 * readings of each window, open and close. See kf_guard_proc.h; where the
 * locked pages are is guard_pages.c, the sysctls and --enforce
 * guard_sysctl.c. Files are read through kf_proc_path's root prefix.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_proc_priv.h"
#include "kf_util.h"

int guard_pid_load(const struct kf_guard *g, int pid, const char *name, struct kf_proc_text *t)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/%s", pid, name);
	return kf_proc_file_load(g->root, rel, t, NULL, 0);
}

char *guard_pid_path(const struct kf_guard *g, int pid, const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/%s", pid, name);
	return kf_proc_path(g->root, rel);
}

void guard_trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* ---- one process ------------------------------------------------------------------ */


int guard_read_status(const struct kf_guard *g, int pid, struct status *st)
{
	struct kf_proc_text t;
	char *line, *cursor;

	memset(st, 0, sizeof(*st));
	st->tgid = pid;
	if (guard_pid_load(g, pid, "status", &t) < 0)
		return -1;
	cursor = t.buf;
	while ((line = kf_proc_text_line(&cursor))) {
		if (strncmp(line, "Name:", 5) == 0) {
			const char *v = line + 5;

			while (*v == '\t' || *v == ' ')
				v++;
			snprintf(st->comm, sizeof(st->comm), "%s", v);
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			st->tgid = atoi(line + 5);
		} else if (strncmp(line, "VmLck:", 6) == 0) {
			st->vmlck_kb = strtoull(line + 6, NULL, 10);
			st->has_vm = true;
		}
	}
	kf_proc_text_release(&t);
	return 0;
}

uint64_t guard_read_starttime(const struct kf_guard *g, int pid)
{
	struct kf_proc_text t;
	uint64_t v = 0;
	char *p;

	if (guard_pid_load(g, pid, "stat", &t) < 0)
		return 0;
	p = strrchr(t.buf, ')');
	if (p) {
		/* after "pid (comm)": state is field 3, starttime field 22 */
		int field = 2;

		for (p++; *p && field < 22; p++)
			if (*p == ' ')
				field++;
		if (field == 22)
			v = strtoull(p, NULL, 10);
	}
	kf_proc_text_release(&t);
	return v;
}

static int add_tid(struct kf_protected *p, int tid)
{
	int *grown;

	for (int i = 0; i < p->nr_tids; i++)
		if (p->tids[i] == tid)
			return 0;
	grown = realloc(p->tids, (p->nr_tids + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	p->tids = grown;
	p->tids[p->nr_tids++] = tid;
	return 0;
}

int guard_read_tids(const struct kf_guard *g, struct kf_protected *p)
{
	char *path = guard_pid_path(g, p->pid, "task");
	struct dirent *de;
	DIR *d;

	if (!path)
		return -1;
	if (add_tid(p, p->pid) < 0) {
		free(path);
		return -1;
	}
	d = opendir(path);
	free(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);

		if (tid > 0 && add_tid(p, tid) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* ---- discovery ----------------------------------------------------------------------- */

static int find_proc(const struct kf_guard *g, int pid)
{
	for (int i = 0; i < g->in.nr_procs; i++)
		if (g->in.procs[i].pid == pid && !g->in.procs[i].exited)
			return i;
	return -1;
}

static int add_proc(struct kf_guard *g, int pid, const struct status *st, enum kf_protect_reason reason,
		    bool by_comm)
{
	struct kf_protected *p;
	struct gproc *gp;

	if (g->in.nr_procs == g->alloc_procs) {
		int n = g->alloc_procs ? g->alloc_procs * 2 : 8;
		struct kf_protected *procs = realloc(g->in.procs, n * sizeof(*procs));

		if (!procs)
			return -1;
		g->in.procs = procs;
		struct gproc *priv = realloc(g->priv, n * sizeof(*priv));

		if (!priv)
			return -1;
		g->priv = priv;
		g->alloc_procs = n;
	}
	p = &g->in.procs[g->in.nr_procs];
	gp = &g->priv[g->in.nr_procs];
	memset(p, 0, sizeof(*p));
	memset(gp, 0, sizeof(*gp));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", st->comm);
	p->reason = reason;
	p->vmlck_kb = st->vmlck_kb;
	gp->starttime = guard_read_starttime(g, pid);
	gp->by_comm = by_comm;
	g->in.nr_procs++;
	return guard_read_proc(g, g->in.nr_procs - 1);
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "scx_rustland" for ops "rustland" (comms are cut at 15 characters) */
static bool runs_sched_ext_ops(const struct kf_guard *g, const char *comm)
{
	const char *ops = g->in.sched_ext_ops;

	if (strcmp(g->in.sched_ext_state, "enabled") != 0 || !ops[0])
		return false;
	if (strncmp(comm, "scx_", 4) == 0 && strncmp(comm + 4, ops, KF_COMM_LEN - 1 - 4) == 0 &&
	    strlen(comm) == (strlen(ops) + 4 < KF_COMM_LEN - 1 ? strlen(ops) + 4 : KF_COMM_LEN - 1))
		return true;
	return strncmp(comm, ops, KF_COMM_LEN - 1) == 0 &&
	       strlen(comm) == (strlen(ops) < KF_COMM_LEN - 1 ? strlen(ops) : KF_COMM_LEN - 1);
}

static int comm_selected(const struct kf_guard *g, const char *comm)
{
	for (int i = 0; i < g->nr_comms; i++)
		if (strncmp(comm, g->comms[i], KF_COMM_LEN - 1) == 0)
			return i;
	return -1;
}

/* every process of procdir that should be protected and is not yet */
/* why pid should be protected; -1: it should not */
static int protect_reason(const struct kf_guard *g, const struct status *st, int ci)
{
	if (g->discover && runs_sched_ext_ops(g, st->comm))
		return KF_PROTECT_SCHED_EXT;
	if (ci >= 0)
		return KF_PROTECT_COMM;
	if (g->discover && strncmp(st->comm, "scx_", 4) == 0)
		return KF_PROTECT_COMM_SCX;
	if (g->discover && g->in.lock_threshold_kb && st->vmlck_kb >= g->in.lock_threshold_kb)
		return KF_PROTECT_LOCKED;
	return -1;
}

/* a locked process left unprotected: listed, so that protecting it is one
 * option away (--protect-pid, --protect-comm, --lock-threshold) */
static int add_candidate(struct kf_guard *g, int pid, const struct status *st)
{
	struct kf_guard_candidate *c;

	if (!g->discover || st->vmlck_kb < KF_GUARD_CANDIDATE_KB)
		return 0;
	if (g->in.nr_candidates == g->alloc_candidates) {
		int n = g->alloc_candidates ? g->alloc_candidates * 2 : 8;
		struct kf_guard_candidate *grown = realloc(g->in.candidates, n * sizeof(*grown));

		if (!grown)
			return -1;
		g->in.candidates = grown;
		g->alloc_candidates = n;
	}
	c = &g->in.candidates[g->in.nr_candidates++];
	c->pid = pid;
	snprintf(c->comm, sizeof(c->comm), "%s", st->comm);
	c->vmlck_kb = st->vmlck_kb;
	return 0;
}

/* every process of procdir that should be protected and is not yet */
static int discover(struct kf_guard *g)
{
	DIR *d = (g->discover || g->nr_comms) ? opendir(g->procdir) : NULL;
	struct dirent *de;
	int rc = 0;

	g->in.nr_candidates = 0;
	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		struct status st;
		int pid, ci, reason;

		if (!is_pid_name(de->d_name))
			continue;
		pid = atoi(de->d_name);
		if (guard_read_status(g, pid, &st) < 0 || !st.has_vm)
			continue;
		ci = comm_selected(g, st.comm);
		if (ci >= 0)
			g->comm_matched[ci] = true;
		if (find_proc(g, pid) >= 0)
			continue;
		reason = protect_reason(g, &st, ci);
		if (reason >= 0)
			rc = add_proc(g, pid, &st, (enum kf_protect_reason)reason, ci >= 0);
		else
			rc = add_candidate(g, pid, &st);
	}
	closedir(d);
	return rc;
}

static int add_explicit_pids(struct kf_guard *g)
{
	for (int i = 0; i < g->nr_pids; i++) {
		struct status st;
		int pid = g->pids[i];

		if (pid <= 0 || guard_read_status(g, pid, &st) < 0) {
			struct kf_guard_unmatched *u = &g->in.unmatched[g->in.nr_unmatched++];

			u->pid = pid;
			u->comm[0] = '\0';
			continue;
		}
		pid = st.tgid > 0 ? st.tgid : pid;	/* a thread id stands for its process */
		if (find_proc(g, pid) >= 0)
			continue;
		if (st.tgid != g->pids[i] && guard_read_status(g, pid, &st) < 0)
			continue;
		if (add_proc(g, pid, &st, KF_PROTECT_PID, false) < 0)
			return -1;
	}
	return 0;
}

static void comms_unmatched(struct kf_guard *g)
{
	int n = 0;

	/* pids first (fixed at open), then the comms still unmatched */
	for (int i = 0; i < g->in.nr_unmatched; i++)
		if (g->in.unmatched[i].pid >= 0)
			g->in.unmatched[n++] = g->in.unmatched[i];
	for (int i = 0; i < g->nr_comms; i++) {
		if (g->comm_matched[i])
			continue;
		g->in.unmatched[n].pid = -1;
		snprintf(g->in.unmatched[n].comm, KF_COMM_LEN, "%s", g->comms[i]);
		n++;
	}
	g->in.nr_unmatched = n;
}

int guard_running_procs(const struct kf_guard *g)
{
	int n = 0;

	for (int i = 0; i < g->in.nr_procs; i++)
		if (!g->in.procs[i].exited)
			n++;
	return n;
}

int kf_guard_refresh(struct kf_guard *g)
{
	guard_read_sched_ext(g);
	for (int i = 0; i < g->in.nr_procs; i++)
		if (guard_read_proc(g, i) < 0)
			return -1;
	if (discover(g) < 0)
		return -1;
	comms_unmatched(g);
	guard_read_sysctls(g, false);
	g->in.window_s = kf_monotonic_s() - g->t0;
	return 0;
}

const struct kf_guard_input *kf_guard_input(const struct kf_guard *g)
{
	return &g->in;
}

const int *kf_guard_fault_pids(const struct kf_guard *g, int *nr)
{
	*nr = g->nr_fault_pids;
	return g->fault_pids;
}

void kf_guard_set_faults_traced(struct kf_guard *g, bool traced)
{
	g->in.faults_traced = traced ? 1 : 0;
}

void kf_guard_set_compaction_reason(struct kf_guard *g, int value)
{
	g->in.compaction_reason = value;
}

static int collect_fault_pids(struct kf_guard *g)
{
	int n = 0;

	for (int i = 0; i < g->in.nr_procs; i++)
		n += g->in.procs[i].nr_tids ? g->in.procs[i].nr_tids : 1;
	if (n > KF_GUARD_MAX_FAULT_PIDS)
		n = KF_GUARD_MAX_FAULT_PIDS;
	g->fault_pids = calloc(n + 1, sizeof(*g->fault_pids));
	if (!g->fault_pids)
		return -1;
	for (int i = 0; i < g->in.nr_procs && g->nr_fault_pids < n; i++) {
		const struct kf_protected *p = &g->in.procs[i];

		if (p->exited)
			continue;
		if (!p->nr_tids)
			g->fault_pids[g->nr_fault_pids++] = p->pid;
		for (int t = 0; t < p->nr_tids && g->nr_fault_pids < n; t++)
			g->fault_pids[g->nr_fault_pids++] = p->tids[t];
	}
	return 0;
}

/* the paths and the options of cfg; -1 with err */
static int guard_setup(struct kf_guard *g, const struct kf_guard_config *cfg, char *err, size_t errlen)
{
	const char *root = cfg->root && *cfg->root ? cfg->root : "/";
	long psize = sysconf(_SC_PAGESIZE);
	struct stat st;
	char sys[4096];

	g->page_shift = 12;
	while (psize > 0 && (1L << g->page_shift) < psize)
		g->page_shift++;
	snprintf(sys, sizeof(sys), "%s/sys", strcmp(root, "/") ? root : "");
	g->root = strdup(root);
	g->procdir = kf_proc_path(root, "");
	g->sysdir = strdup(sys);
	if (!g->root || !g->procdir || !g->sysdir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (stat(g->procdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", g->procdir, stat(g->procdir, &st) < 0 ? strerror(errno) : "not a directory");
		return -1;
	}
	g->discover = !cfg->no_discover;
	g->enforce = cfg->enforce;
	g->in.lock_threshold_kb = cfg->lock_threshold_kb == KF_GUARD_LOCK_OFF ? 0 : cfg->lock_threshold_kb;
	g->in.compaction_reason = -1;
	g->in.faults_traced = -1;
	g->in.proactiveness = g->in.proactiveness_start = -1;
	g->in.enforce_original = -1;
	g->pids = calloc(cfg->nr_pids + 1, sizeof(*g->pids));
	g->comms = calloc(cfg->nr_comms + 1, sizeof(*g->comms));
	g->comm_matched = calloc(cfg->nr_comms + 1, sizeof(*g->comm_matched));
	g->in.unmatched = calloc(cfg->nr_pids + cfg->nr_comms + 1, sizeof(*g->in.unmatched));
	if (!g->pids || !g->comms || !g->comm_matched || !g->in.unmatched) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < cfg->nr_pids; i++)
		g->pids[g->nr_pids++] = cfg->pids[i];
	for (int i = 0; i < cfg->nr_comms; i++) {
		if (!(g->comms[i] = strdup(cfg->comms[i]))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		g->nr_comms++;
	}
	return 0;
}

struct kf_guard *kf_guard_open(const struct kf_guard_config *cfg, char *err, size_t errlen)
{
	struct kf_guard *g = calloc(1, sizeof(*g));

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->restore_slot = g->marker_slot = -1;
	g->t0 = kf_monotonic_s();
	if (guard_setup(g, cfg, err, errlen) < 0)
		goto fail;
	snprintf(err, errlen, "out of memory");
	guard_read_sched_ext(g);
	if (add_explicit_pids(g) < 0 || discover(g) < 0)
		goto fail;
	comms_unmatched(g);
	if (collect_fault_pids(g) < 0)
		goto fail;
	guard_read_sysctls(g, true);
	err[0] = '\0';
	return g;
fail:
	kf_guard_close(g);
	return NULL;
}

void kf_guard_close(struct kf_guard *g)
{
	if (!g)
		return;
	/* when the write back fails its exit hook stays registered and tries again */
	kf_guard_restore(g);
	for (int i = 0; i < g->in.nr_procs; i++) {
		kf_pagemap_release(&g->priv[i].base);
		free(g->priv[i].seen);
	}
	free(g->priv);
	kf_guard_input_release(&g->in);
	for (int i = 0; i < g->nr_comms; i++)
		free(g->comms[i]);
	free(g->comms);
	free(g->comm_matched);
	free(g->pids);
	free(g->fault_pids);
	free(g->root);
	free(g->procdir);
	free(g->sysdir);
	free(g);
}
