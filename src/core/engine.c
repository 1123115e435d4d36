/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analysis engine. Pure C over plain structs: no I/O, no globals.
 *
 * Hot-path state is kept per CPU (event counts, page tables, pcp runs, a
 * cached process) so that feeding an event touches few cache lines; the
 * snapshot rearranges it into the public struct kf_snapshot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kf_engine.h"

const char *const kf_page_kind_names[KF_PK_NR] = {
	[KF_PK_ALLOC] = "alloc",
	[KF_PK_ALLOC_LOCKED] = "alloc_zone_locked",
	[KF_PK_FREE] = "free",
	[KF_PK_FREE_BATCHED] = "free_batched",
	[KF_PK_PCPU_DRAIN] = "pcpu_drain",
};

const char *const kf_initiator_names[KF_INIT_NR] = {
	[KF_INIT_UNKNOWN] = "unknown",
	[KF_INIT_KCOMPACTD] = "kcompactd",
	[KF_INIT_PROACTIVE] = "proactive",
	[KF_INIT_DIRECT] = "direct",
	[KF_INIT_MANUAL] = "manual",
};

#define DEFAULT_MAX_EPISODES	4096
#define DEFAULT_PAGEBLOCK_ORDER	9
/* a direct compaction's begin follows its try_to_compact_pages closely */
#define DIRECT_WINDOW_NS	(1000ULL * 1000 * 1000)
/* pfn ownership maps: one byte (cpu + 1) per pfn, in chunks made on first touch */
#define PFN_CHUNK_SHIFT		16
#define PFN_UNTRACKED_CPU	255
/* cells of the zone x fallback pair table, the unknown zone included */
#define EXTFRAG_ZONE_PAIRS(nz)	((size_t)((nz) + 1) * KF_MAX_MIGRATETYPES * KF_MAX_MIGRATETYPES)

enum run_kind { RUN_NONE, RUN_REFILL, RUN_DRAIN };

struct proc_entry {
	struct kf_proc_stats s;
	uint64_t try_compact_ts;	/* last mm_compaction_try_to_compact_pages */
	bool kcompactd_woken;		/* kcompactd_wake seen since its last sleep */
	bool migrating;			/* between mm_migrate_pages_start and mm_migrate_pages */
	int episode;			/* index of its running episode, -1 */
};

struct cpu_state {
	uint64_t ev[KF_EV_NR];
	struct kf_cpu_stats st;
	enum run_kind run;
	uint64_t run_pages;
	int last_pid;
	int last_proc;			/* index in procs of last_pid */
	struct kf_count *pages;		/* [zone][mt][order][kind] */
	/* zone->lock acquisitions per zone, and the run open now */
	struct kf_zone_lock *zone_lock;	/* [zone] */
	enum run_kind lock_run;
	int lock_zone;
	uint64_t lock_run_pages;
};

struct pfn_map {
	uint8_t **chunks;
	uint64_t nr_chunks;
};

struct kf_engine {
	struct kf_engine_config cfg;
	struct kf_zone_span *zones;
	int nr_zones;
	int pageblock_order;
	int last_zone;			/* cache: consecutive pfns share a zone */
	size_t pages_per_cpu;		/* kf_count cells per CPU */

	struct cpu_state **cpus;
	int nr_cpus;
	uint64_t *cross_free, *cross_drain;	/* [nr_cpus * nr_cpus] */
	struct pfn_map alloc_cpu, refill_cpu;

	uint64_t first_ts, last_ts, nr_events;
	uint64_t rate_bucket_ns;	/* events over time, for the report's timeline */
	uint64_t rate[KF_RATE_BUCKETS];

	struct kf_extfrag_stats *extfrag_zone;
	struct kf_extfrag_stats extfrag_pair[KF_MAX_MIGRATETYPES][KF_MAX_MIGRATETYPES];
	struct kf_extfrag_stats extfrag_total;
	struct kf_extfrag_stats *extfrag_zone_pair;
	int extfrag_pageblock_order;

	struct proc_entry *procs;
	int nr_procs, alloc_procs;
	int *proc_hash;			/* open addressing: pid -> index + 1 */
	int hash_size;

	struct kf_episode *episodes;
	int nr_episodes, alloc_episodes;
	uint64_t episodes_dropped;
	int running_episodes;
	int migrations_in_flight;

	uint64_t compact_status[16], finished_ret[16], suitable_ret[16];
	uint64_t deferred, kcompactd_wakes, kcompactd_sleeps, kcompactd_wakeups, try_to_compact;
	uint64_t compact_migrated, compact_failed;
	struct kf_migrate_stats migrate[KF_MAX_MIGRATE_REASONS][KF_MAX_MIGRATE_MODES];
	uint64_t migration_pte_set, migration_pte_removed;
	uint64_t faults_during_migration;
};

int kf_zone_of_pfn(const struct kf_zone_span *zones, int nr_zones, uint64_t pfn)
{
	for (int i = 0; i < nr_zones; i++)
		if (pfn >= zones[i].start_pfn && pfn < zones[i].end_pfn)
			return i;
	return nr_zones;
}

static inline int zone_of(struct kf_engine *e, uint64_t pfn)
{
	const struct kf_zone_span *z = &e->zones[e->last_zone];

	if (e->last_zone < e->nr_zones && pfn >= z->start_pfn && pfn < z->end_pfn)
		return e->last_zone;
	int zone = kf_zone_of_pfn(e->zones, e->nr_zones, pfn);

	if (zone < e->nr_zones)
		e->last_zone = zone;
	return zone;
}

struct kf_engine *kf_engine_create(const struct kf_engine_config *cfg)
{
	struct kf_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->nr_zones = cfg->nr_zones;
	/* one spare span so the zone cache always points at valid memory */
	e->zones = calloc(cfg->nr_zones + 1, sizeof(*e->zones));
	e->extfrag_zone = calloc(cfg->nr_zones + 1, sizeof(*e->extfrag_zone));
	e->extfrag_zone_pair = calloc(EXTFRAG_ZONE_PAIRS(cfg->nr_zones), sizeof(*e->extfrag_zone_pair));
	e->extfrag_pageblock_order = -1;
	if (!e->zones || !e->extfrag_zone || !e->extfrag_zone_pair) {
		kf_engine_destroy(e);
		return NULL;
	}
	if (cfg->nr_zones)
		memcpy(e->zones, cfg->zones, cfg->nr_zones * sizeof(*e->zones));
	e->cfg.zones = e->zones;	/* the caller's array may go away */
	e->pageblock_order = cfg->pageblock_order > 0 ? cfg->pageblock_order : DEFAULT_PAGEBLOCK_ORDER;
	if (e->cfg.max_episodes <= 0)
		e->cfg.max_episodes = DEFAULT_MAX_EPISODES;
	e->pages_per_cpu = (size_t)(e->nr_zones + 1) * KF_MT_SLOTS * KF_MAX_ORDER * KF_PK_NR;
	return e;
}

static void pfn_map_release(struct pfn_map *m)
{
	for (uint64_t i = 0; i < m->nr_chunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	m->chunks = NULL;
	m->nr_chunks = 0;
}

static void episodes_release(struct kf_episode *eps, int nr)
{
	for (int i = 0; i < nr; i++)
		free(eps[i].ranges);
}

void kf_engine_destroy(struct kf_engine *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->nr_cpus; i++) {
		free(e->cpus[i]->pages);
		free(e->cpus[i]->zone_lock);
		free(e->cpus[i]);
	}
	free(e->cpus);
	free(e->cross_free);
	free(e->cross_drain);
	pfn_map_release(&e->alloc_cpu);
	pfn_map_release(&e->refill_cpu);
	free(e->extfrag_zone);
	free(e->extfrag_zone_pair);
	free(e->zones);
	free(e->procs);
	free(e->proc_hash);
	episodes_release(e->episodes, e->nr_episodes);
	free(e->episodes);
	free(e);
}

void kf_engine_reset(struct kf_engine *e)
{
	struct kf_engine *fresh = kf_engine_create(&e->cfg);
	struct kf_engine old;

	if (!fresh)
		return;		/* keep counting rather than lose the engine */
	/* swap contents so the caller's pointer stays valid */
	old = *e;
	*e = *fresh;
	*fresh = old;
	kf_engine_destroy(fresh);
}

/* grows a square CPU matrix from n to m */
static int matrix_grow(uint64_t **mat, int n, int m)
{
	uint64_t *grown = calloc((size_t)m * m, sizeof(*grown));

	if (!grown)
		return -1;
	for (int i = 0; i < n; i++)
		memcpy(&grown[(size_t)i * m], &(*mat)[(size_t)i * n], n * sizeof(*grown));
	free(*mat);
	*mat = grown;
	return 0;
}

static struct cpu_state *cpu_get(struct kf_engine *e, int cpu)
{
	if (cpu < 0)
		cpu = 0;
	if (cpu < e->nr_cpus)
		return e->cpus[cpu];

	int n = cpu + 1;
	struct cpu_state **grown = realloc(e->cpus, n * sizeof(*grown));

	if (!grown)
		return NULL;
	e->cpus = grown;
	if (matrix_grow(&e->cross_free, e->nr_cpus, n) < 0 ||
	    matrix_grow(&e->cross_drain, e->nr_cpus, n) < 0)
		return NULL;
	for (int i = e->nr_cpus; i < n; i++) {
		struct cpu_state *c = calloc(1, sizeof(*c));

		if (!c || !(c->pages = calloc(e->pages_per_cpu, sizeof(*c->pages))) ||
		    !(c->zone_lock = calloc(e->nr_zones + 1, sizeof(*c->zone_lock)))) {
			if (c)
				free(c->pages);
			free(c);
			e->nr_cpus = i;
			return NULL;
		}
		c->last_pid = -1;
		e->cpus[i] = c;
		e->nr_cpus = i + 1;
	}
	return e->cpus[cpu];
}

static uint8_t *pfn_slot(struct pfn_map *m, uint64_t pfn, bool create)
{
	uint64_t chunk = pfn >> PFN_CHUNK_SHIFT;

	if (chunk >= m->nr_chunks) {
		if (!create || chunk > (1ULL << 32))
			return NULL;
		uint64_t n = chunk + 1;
		uint8_t **grown = realloc(m->chunks, n * sizeof(*grown));

		if (!grown)
			return NULL;
		memset(grown + m->nr_chunks, 0, (n - m->nr_chunks) * sizeof(*grown));
		m->chunks = grown;
		m->nr_chunks = n;
	}
	if (!m->chunks[chunk]) {
		if (!create)
			return NULL;
		m->chunks[chunk] = calloc(1, 1UL << PFN_CHUNK_SHIFT);
		if (!m->chunks[chunk])
			return NULL;
	}
	return &m->chunks[chunk][pfn & ((1UL << PFN_CHUNK_SHIFT) - 1)];
}

static void pfn_set_cpu(struct pfn_map *m, uint64_t pfn, int cpu)
{
	uint8_t *slot = pfn_slot(m, pfn, true);

	if (slot)
		*slot = cpu < PFN_UNTRACKED_CPU ? cpu + 1 : 0;
}

/* the cpu recorded for pfn (and forgets it), -1 when none */
static int pfn_take_cpu(struct pfn_map *m, uint64_t pfn)
{
	uint8_t *slot = pfn_slot(m, pfn, false);
	int cpu;

	if (!slot || !*slot)
		return -1;
	cpu = *slot - 1;
	*slot = 0;
	return cpu;
}

static void comm_copy(char dst[KF_COMM_LEN], const char *src)
{
	size_t n = strnlen(src, KF_COMM_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct proc_entry *proc_lookup(struct kf_engine *e, int pid, const char *comm)
{
	unsigned mask = e->hash_size - 1;
	unsigned h;

	if (e->hash_size) {
		for (h = (unsigned)pid * 2654435761u & mask; e->proc_hash[h]; h = (h + 1) & mask)
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
	if ((e->nr_procs + 1) * 2 > e->hash_size) {
		int size = e->hash_size ? e->hash_size * 2 : 512;
		int *hash = calloc(size, sizeof(*hash));

		if (!hash)
			return NULL;
		for (int i = 0; i < e->nr_procs; i++) {
			unsigned m2 = size - 1;
			unsigned h2 = (unsigned)e->procs[i].s.pid * 2654435761u & m2;

			while (hash[h2])
				h2 = (h2 + 1) & m2;
			hash[h2] = i + 1;
		}
		free(e->proc_hash);
		e->proc_hash = hash;
		e->hash_size = size;
		mask = size - 1;
	}
	for (h = (unsigned)pid * 2654435761u & mask; e->proc_hash[h]; h = (h + 1) & mask)
		;
	struct proc_entry *p = &e->procs[e->nr_procs];

	memset(p, 0, sizeof(*p));
	p->s.pid = pid;
	p->episode = -1;
	comm_copy(p->s.comm, comm ? comm : "<...>");
	e->proc_hash[h] = ++e->nr_procs;
	return p;
}

static struct proc_entry *proc_of(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev)
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
	if (ev->comm && ev->comm[0] != '<' && strncmp(p->s.comm, ev->comm, KF_COMM_LEN - 1) != 0)
		comm_copy(p->s.comm, ev->comm);
	return p;
}

static void cpu_run_end(struct cpu_state *c)
{
	struct kf_runs *r = c->run == RUN_REFILL ? &c->st.refill : &c->st.drain;

	if (c->run == RUN_NONE)
		return;
	r->runs++;
	r->pages += c->run_pages;
	if (c->run_pages > r->max_pages)
		r->max_pages = c->run_pages;
	c->run = RUN_NONE;
	c->run_pages = 0;
}

static void cpu_run_track(struct cpu_state *c, const struct kf_event *ev)
{
	enum run_kind kind = RUN_NONE;

	if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED && ev->page.percpu_refill)
		kind = RUN_REFILL;
	else if (ev->type == KF_EV_PAGE_PCPU_DRAIN)
		kind = RUN_DRAIN;
	if (kind != c->run)
		cpu_run_end(c);
	if (kind != RUN_NONE) {
		c->run = kind;
		c->run_pages += 1ULL << (ev->page.order & 31);
	}
}

static void lock_run_end(struct cpu_state *c)
{
	struct kf_zone_lock *zl = &c->zone_lock[c->lock_zone];

	if (c->lock_run == RUN_REFILL) {
		zl->refill_runs++;
		zl->refill_pages += c->lock_run_pages;
	} else if (c->lock_run == RUN_DRAIN) {
		zl->drain_runs++;
		zl->drain_pages += c->lock_run_pages;
	}
	c->lock_run = RUN_NONE;
	c->lock_run_pages = 0;
}

/* zone->lock acquisitions: a run ends at any other event of its CPU or in another zone */
static void lock_run_track(struct cpu_state *c, const struct kf_event *ev, int zone)
{
	enum run_kind kind = RUN_NONE;
	uint64_t pages = 1ULL << (ev->page.order & 31);

	if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED && ev->page.percpu_refill)
		kind = RUN_REFILL;
	else if (ev->type == KF_EV_PAGE_PCPU_DRAIN)
		kind = RUN_DRAIN;
	if (kind != c->lock_run || zone != c->lock_zone)
		lock_run_end(c);
	if (kind != RUN_NONE) {
		c->lock_run = kind;
		c->lock_zone = zone;
		c->lock_run_pages += pages;
	} else if (ev->type == KF_EV_PAGE_ALLOC_ZONE_LOCKED) {
		c->zone_lock[zone].direct++;
		c->zone_lock[zone].direct_pages += pages;
	}
}

/* the per-process pcp columns, exactly as trace-pagealloc-postprocess.pl keeps them */
static void proc_run_track(struct kf_proc_stats *s, enum kf_event_type type)
{
	if (s->in_drain && type != KF_EV_PAGE_PCPU_DRAIN) {
		s->pcpu_drains++;
		s->in_drain = false;
	}
	if (s->in_refill && type != KF_EV_PAGE_ALLOC_ZONE_LOCKED) {
		s->pcpu_refills++;
		s->in_refill = false;
	}
}

static void feed_page(struct kf_engine *e, struct cpu_state *c, const struct kf_event *ev,
		      struct kf_proc_stats *ps)
{
	static const int8_t kind_of[KF_EV_NR] = {
		[KF_EV_PAGE_ALLOC] = KF_PK_ALLOC,
		[KF_EV_PAGE_ALLOC_ZONE_LOCKED] = KF_PK_ALLOC_LOCKED,
		[KF_EV_PAGE_FREE] = KF_PK_FREE,
		[KF_EV_PAGE_FREE_BATCHED] = KF_PK_FREE_BATCHED,
		[KF_EV_PAGE_PCPU_DRAIN] = KF_PK_PCPU_DRAIN,
	};
	int kind = kind_of[ev->type];
	int order = ev->page.order;
	int mt = ev->page.migratetype;
	int zone = zone_of(e, ev->page.pfn);
	uint64_t pages;

	if (order < 0 || order >= KF_MAX_ORDER)
		order = KF_MAX_ORDER - 1;
	if (mt < 0 || mt >= KF_MAX_MIGRATETYPES)
		mt = KF_MT_NONE;
	pages = 1ULL << order;
	struct kf_count *cnt = &c->pages[(((size_t)zone * KF_MT_SLOTS + mt) * KF_MAX_ORDER + order) * KF_PK_NR + kind];

	cnt->events++;
	cnt->pages += pages;
	lock_run_track(c, ev, zone);

	int cpu = ev->cpu, from;

	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
		pfn_set_cpu(&e->alloc_cpu, ev->page.pfn, cpu);
		if (ps) {
			ps->allocd++;
			ps->allocd_pages += pages;
		}
		break;
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
		if (ev->page.percpu_refill)
			pfn_set_cpu(&e->refill_cpu, ev->page.pfn, cpu);
		if (ps) {
			ps->allocd_locked++;
			ps->in_refill = true;
		}
		break;
	case KF_EV_PAGE_FREE:
	case KF_EV_PAGE_FREE_BATCHED:
		from = pfn_take_cpu(&e->alloc_cpu, ev->page.pfn);
		if (from >= 0 && from != cpu && from < e->nr_cpus)
			e->cross_free[(size_t)from * e->nr_cpus + cpu] += pages;
		if (ps) {
			if (ev->type == KF_EV_PAGE_FREE)
				ps->freed_direct++;
			else
				ps->freed_pagevec++;
			ps->freed_pages += pages;
		}
		break;
	case KF_EV_PAGE_PCPU_DRAIN:
		from = pfn_take_cpu(&e->refill_cpu, ev->page.pfn);
		if (from >= 0 && from != cpu && from < e->nr_cpus)
			e->cross_drain[(size_t)from * e->nr_cpus + cpu] += pages;
		if (ps) {
			ps->pcpu_pages_drained++;
			ps->in_drain = true;
		}
		break;
	default:
		break;
	}
}

static void extfrag_add(struct kf_extfrag_stats *s, bool fragmenting, bool severe, bool changed)
{
	s->fallbacks++;
	if (fragmenting) {
		s->fragmenting++;
		if (severe)
			s->severe++;
		else
			s->moderate++;
	}
	if (changed)
		s->changed++;
}

static void feed_extfrag(struct kf_engine *e, const struct kf_event *ev, struct kf_proc_stats *ps)
{
	bool fragmenting = ev->extfrag.fragmenting >= 0 ? ev->extfrag.fragmenting
						       : ev->extfrag.fallback_order < e->pageblock_order;
	bool severe = ev->extfrag.fallback_order <= 3;
	bool changed = ev->extfrag.change_ownership;
	int a = ev->extfrag.alloc_migratetype, f = ev->extfrag.fallback_migratetype;

	int zone = zone_of(e, ev->extfrag.pfn);

	extfrag_add(&e->extfrag_total, fragmenting, severe, changed);
	extfrag_add(&e->extfrag_zone[zone], fragmenting, severe, changed);
	if (a >= 0 && a < KF_MAX_MIGRATETYPES && f >= 0 && f < KF_MAX_MIGRATETYPES) {
		extfrag_add(&e->extfrag_pair[a][f], fragmenting, severe, changed);
		extfrag_add(&e->extfrag_zone_pair[((size_t)zone * KF_MAX_MIGRATETYPES + a) * KF_MAX_MIGRATETYPES + f],
			    fragmenting, severe, changed);
	}
	if (ev->extfrag.pageblock_order > 0)
		e->extfrag_pageblock_order = ev->extfrag.pageblock_order;
	if (ps) {
		ps->fallback++;
		if (fragmenting) {
			ps->causing++;
			if (severe)
				ps->severe++;
			else
				ps->moderate++;
		}
		if (changed)
			ps->changed++;
	}
}

static struct kf_episode *episode_of(struct kf_engine *e, struct proc_entry *p)
{
	if (!p || p->episode < 0 || p->episode >= e->nr_episodes)
		return NULL;
	return &e->episodes[p->episode];
}

static void episode_begin(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep;

	if (!p)
		return;
	if (e->nr_episodes >= e->cfg.max_episodes) {
		e->episodes_dropped++;
		p->episode = -1;
		return;
	}
	if (e->nr_episodes == e->alloc_episodes) {
		int n = e->alloc_episodes ? e->alloc_episodes * 2 : 16;
		struct kf_episode *grown = realloc(e->episodes, n * sizeof(*grown));

		if (!grown)
			return;
		e->episodes = grown;
		e->alloc_episodes = n;
	}
	ep = &e->episodes[e->nr_episodes];
	memset(ep, 0, sizeof(*ep));
	ep->zone = kf_zone_of_pfn(e->zones, e->nr_zones, ev->compact.zone_start);
	ep->cpu = ev->cpu;
	ep->pid = ev->pid;
	memcpy(ep->comm, p->s.comm, sizeof(ep->comm));
	if (strncmp(p->s.comm, "kcompactd", 9) == 0)
		ep->initiator = p->kcompactd_woken ? KF_INIT_KCOMPACTD : KF_INIT_PROACTIVE;
	else if (p->try_compact_ts && ev->ts - p->try_compact_ts < DIRECT_WINDOW_NS)
		ep->initiator = KF_INIT_DIRECT;
	else
		ep->initiator = KF_INIT_MANUAL;
	ep->begin_ts = ev->ts;
	ep->running = true;
	ep->sync = ev->compact.sync;
	ep->status = -1;
	ep->zone_start = ev->compact.zone_start;
	ep->zone_end = ev->compact.zone_end;
	ep->migrate_pfn_begin = ev->compact.migrate_pfn;
	ep->free_pfn_begin = ev->compact.free_pfn;
	p->episode = e->nr_episodes++;
	e->running_episodes++;
}

static void episode_end(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep = episode_of(e, p);
	int status = ev->compact.status;

	e->compact_status[status >= 0 && status < 16 ? status : 15]++;
	if (!ep || !ep->running)
		return;
	ep->running = false;
	ep->end_ts = ev->ts;
	ep->status = status;
	ep->migrate_pfn_end = ev->compact.migrate_pfn;
	ep->free_pfn_end = ev->compact.free_pfn;
	p->episode = -1;
	e->running_episodes--;
}

static void episode_add_range(struct kf_episode *ep, uint64_t start, uint64_t end)
{
	struct kf_pfn_range *last = ep->nr_ranges ? &ep->ranges[ep->nr_ranges - 1] : NULL;

	/* the migrate scanner walks up a zone: neighbouring ranges coalesce */
	if (last && start <= last->end && end >= last->start) {
		if (start < last->start)
			last->start = start;
		if (end > last->end)
			last->end = end;
		return;
	}
	if (ep->nr_ranges == ep->alloc_ranges) {
		int n = ep->alloc_ranges ? ep->alloc_ranges * 2 : 8;
		struct kf_pfn_range *grown = realloc(ep->ranges, n * sizeof(*grown));

		if (!grown)
			return;
		ep->ranges = grown;
		ep->alloc_ranges = n;
	}
	ep->ranges[ep->nr_ranges++] = (struct kf_pfn_range){ start, end };
}

static void feed_compaction(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	struct kf_episode *ep = episode_of(e, p);
	int r;

	switch (ev->type) {
	case KF_EV_COMPACTION_BEGIN:
		if (ep && ep->running) {	/* its end was lost: close it where we are */
			ep->running = false;
			ep->end_ts = ev->ts;
			e->running_episodes--;
		}
		episode_begin(e, ev, p);
		break;
	case KF_EV_COMPACTION_END:
		episode_end(e, ev, p);
		break;
	case KF_EV_COMPACTION_ISOLATE_MIGRATEPAGES:
		if (ep) {
			ep->migrate_scanned += ev->isolate.nr_scanned;
			ep->migrate_isolated += ev->isolate.nr_taken;
			ep->isolate_calls++;
			episode_add_range(ep, ev->isolate.start_pfn, ev->isolate.end_pfn);
		}
		break;
	case KF_EV_COMPACTION_ISOLATE_FREEPAGES:
	case KF_EV_COMPACTION_FAST_ISOLATE_FREEPAGES:
		if (ep) {
			ep->free_scanned += ev->isolate.nr_scanned;
			ep->free_isolated += ev->isolate.nr_taken;
		}
		break;
	case KF_EV_COMPACTION_MIGRATEPAGES:
		e->compact_migrated += ev->compact_migrate.nr_migrated;
		e->compact_failed += ev->compact_migrate.nr_failed;
		if (ep) {
			ep->nr_migrated += ev->compact_migrate.nr_migrated;
			ep->nr_failed += ev->compact_migrate.nr_failed;
		}
		break;
	case KF_EV_COMPACTION_FINISHED:
		r = ev->compact_zone.ret;
		e->finished_ret[r >= 0 && r < 16 ? r : 15]++;
		/* order -1 is compaction of a whole zone: compact_memory or sysfs */
		if (ep && ev->compact_zone.order == -1 && ep->initiator != KF_INIT_KCOMPACTD &&
		    ep->initiator != KF_INIT_PROACTIVE)
			ep->initiator = KF_INIT_MANUAL;
		break;
	case KF_EV_COMPACTION_SUITABLE:
		r = ev->compact_zone.ret;
		e->suitable_ret[r >= 0 && r < 16 ? r : 15]++;
		break;
	case KF_EV_COMPACTION_DEFERRED:
		e->deferred++;
		break;
	case KF_EV_COMPACTION_KCOMPACTD_WAKE:
		e->kcompactd_wakes++;
		if (p)
			p->kcompactd_woken = true;
		break;
	case KF_EV_COMPACTION_KCOMPACTD_SLEEP:
		e->kcompactd_sleeps++;
		if (p)
			p->kcompactd_woken = false;
		break;
	case KF_EV_COMPACTION_WAKEUP_KCOMPACTD:
		e->kcompactd_wakeups++;
		break;
	case KF_EV_COMPACTION_TRY_TO_COMPACT_PAGES:
		e->try_to_compact++;
		if (p)
			p->try_compact_ts = ev->ts ? ev->ts : 1;
		break;
	default:
		break;
	}
}

static void feed_migrate(struct kf_engine *e, const struct kf_event *ev, struct proc_entry *p)
{
	int reason = ev->migrate.reason, mode = ev->migrate.mode;
	struct kf_migrate_stats *m;

	if (reason < 0 || reason >= KF_MAX_MIGRATE_REASONS)
		reason = KF_MAX_MIGRATE_REASONS - 1;
	if (mode < 0 || mode >= KF_MAX_MIGRATE_MODES)
		mode = KF_MAX_MIGRATE_MODES - 1;
	m = &e->migrate[reason][mode];
	switch (ev->type) {
	case KF_EV_MIGRATE_PAGES_START:
		if (p && !p->migrating) {
			p->migrating = true;
			e->migrations_in_flight++;
		}
		break;
	case KF_EV_MIGRATE_PAGES:
		m->calls++;
		m->succeeded += ev->migrate.succeeded;
		m->failed += ev->migrate.failed;
		m->thp_succeeded += ev->migrate.thp_succeeded;
		m->thp_failed += ev->migrate.thp_failed;
		m->thp_split += ev->migrate.thp_split;
		m->large_folio_split += ev->migrate.large_folio_split;
		if (p && p->migrating) {
			p->migrating = false;
			e->migrations_in_flight--;
		}
		break;
	case KF_EV_SET_MIGRATION_PTE:
		e->migration_pte_set++;
		break;
	case KF_EV_REMOVE_MIGRATION_PTE:
		e->migration_pte_removed++;
		break;
	default:
		break;
	}
}

/* events per time bucket from the first event on; the buckets double in
 * width (merged pairwise) whenever the window outgrows them */
static void rate_count(struct kf_engine *e, uint64_t ts)
{
	uint64_t i;

	if (!e->rate_bucket_ns)
		e->rate_bucket_ns = 100000000;	/* 0.1 s */
	i = ts > e->first_ts ? (ts - e->first_ts) / e->rate_bucket_ns : 0;
	while (i >= KF_RATE_BUCKETS) {
		for (int k = 0; k < KF_RATE_BUCKETS / 2; k++)
			e->rate[k] = e->rate[2 * k] + e->rate[2 * k + 1];
		memset(&e->rate[KF_RATE_BUCKETS / 2], 0, sizeof(e->rate) / 2);
		e->rate_bucket_ns *= 2;
		i /= 2;
	}
	e->rate[i]++;
}

void kf_engine_feed(struct kf_engine *e, const struct kf_event *ev)
{
	struct cpu_state *c = cpu_get(e, ev->cpu);
	struct proc_entry *p;
	struct kf_proc_stats *ps;

	if (!c)
		return;		/* out of memory: the event is not counted */
	if (!e->nr_events++)
		e->first_ts = ev->ts;
	if (ev->ts > e->last_ts)
		e->last_ts = ev->ts;
	rate_count(e, ev->ts);
	c->ev[ev->type]++;
	cpu_run_track(c, ev);
	if (ev->type > KF_EV_PAGE_PCPU_DRAIN)
		lock_run_end(c);	/* any other event of the CPU ends a zone->lock run */
	p = proc_of(e, c, ev);
	ps = p ? &p->s : NULL;
	if (ps)
		proc_run_track(ps, ev->type);

	switch (ev->type) {
	case KF_EV_PAGE_ALLOC:
	case KF_EV_PAGE_ALLOC_ZONE_LOCKED:
	case KF_EV_PAGE_FREE:
	case KF_EV_PAGE_FREE_BATCHED:
	case KF_EV_PAGE_PCPU_DRAIN:
		feed_page(e, c, ev, ps);
		return;
	case KF_EV_PAGE_ALLOC_EXTFRAG:
		feed_extfrag(e, ev, ps);
		return;
	case KF_EV_MIGRATE_PAGES:
	case KF_EV_MIGRATE_PAGES_START:
	case KF_EV_SET_MIGRATION_PTE:
	case KF_EV_REMOVE_MIGRATION_PTE:
		feed_migrate(e, ev, p);
		break;
	case KF_EV_PAGE_FAULT_USER:
		if (ps)
			ps->faults++;
		if (e->running_episodes > 0 || e->migrations_in_flight > 0) {
			e->faults_during_migration++;
			if (ps)
				ps->faults_during_migration++;
		}
		break;
	case KF_EV_OTHER:
		break;
	default:
		feed_compaction(e, ev, p);
		break;
	}
	if (ps)
		ps->unknown++;
}

void kf_engine_lost(struct kf_engine *e, int cpu, long long n)
{
	struct cpu_state *c = cpu_get(e, cpu);

	if (!c)
		return;
	if (n < 0)
		c->st.lost_unknown = true;
	else
		c->st.lost_events += n;
}

/* ---- snapshots ---------------------------------------------------------- */

static struct kf_episode *episodes_dup(const struct kf_episode *src, int nr)
{
	struct kf_episode *eps = calloc(nr ? nr : 1, sizeof(*eps));

	if (!eps)
		return NULL;
	for (int i = 0; i < nr; i++) {
		eps[i] = src[i];
		eps[i].ranges = NULL;
		eps[i].alloc_ranges = eps[i].nr_ranges;
		if (!src[i].nr_ranges)
			continue;
		eps[i].ranges = malloc(src[i].nr_ranges * sizeof(*eps[i].ranges));
		if (!eps[i].ranges) {
			episodes_release(eps, i);
			free(eps);
			return NULL;
		}
		memcpy(eps[i].ranges, src[i].ranges, src[i].nr_ranges * sizeof(*eps[i].ranges));
	}
	return eps;
}

/* adds one CPU's page table to the per-CPU, per-zone and total sums */
static void page_sums(struct kf_snapshot *s, int cpu, const struct kf_count *cells)
{
	for (int z = 0; z <= s->nr_zones; z++)
		for (int cell = 0; cell < KF_MT_SLOTS * KF_MAX_ORDER; cell++)
			for (int k = 0; k < KF_PK_NR; k++) {
				const struct kf_count *c = &cells[((size_t)z * KF_MT_SLOTS * KF_MAX_ORDER + cell) * KF_PK_NR + k];

				if (!c->events)
					continue;
				s->pages_cpu[cpu * KF_PK_NR + k].events += c->events;
				s->pages_cpu[cpu * KF_PK_NR + k].pages += c->pages;
				s->pages_zone[z * KF_PK_NR + k].events += c->events;
				s->pages_zone[z * KF_PK_NR + k].pages += c->pages;
				s->pages_total[k].events += c->events;
				s->pages_total[k].pages += c->pages;
			}
}

/* a CPU's zone->lock counts, with the run open now closed in the copy */
static void zone_lock_copy(struct kf_zone_lock *dst, const struct cpu_state *c, int nz)
{
	struct cpu_state cs = *c;

	memcpy(dst, c->zone_lock, (nz + 1) * sizeof(*dst));
	cs.zone_lock = dst;
	lock_run_end(&cs);
}

struct kf_snapshot *kf_engine_snapshot(const struct kf_engine *e)
{
	struct kf_snapshot *s = calloc(1, sizeof(*s));
	int nc = e->nr_cpus, nz = e->nr_zones;

	if (!s)
		return NULL;
	s->first_ts = e->first_ts;
	s->last_ts = e->last_ts;
	s->nr_events = e->nr_events;
	s->rate_bucket_ns = e->rate_bucket_ns;
	memcpy(s->rate, e->rate, sizeof(s->rate));
	s->nr_cpus = nc;
	s->nr_zones = nz;
	s->zones = calloc(nz + 1, sizeof(*s->zones));
	s->ev_per_cpu = calloc((size_t)KF_EV_NR * (nc ? nc : 1), sizeof(*s->ev_per_cpu));
	s->cpus = calloc(nc ? nc : 1, sizeof(*s->cpus));
	s->pages = calloc(e->pages_per_cpu * (nc ? nc : 1), sizeof(*s->pages));
	s->pages_cpu = calloc((size_t)(nc ? nc : 1) * KF_PK_NR, sizeof(*s->pages_cpu));
	s->pages_zone = calloc((size_t)(nz + 1) * KF_PK_NR, sizeof(*s->pages_zone));
	s->cross_free = calloc((size_t)(nc ? nc : 1) * (nc ? nc : 1), sizeof(uint64_t));
	s->cross_drain = calloc((size_t)(nc ? nc : 1) * (nc ? nc : 1), sizeof(uint64_t));
	s->extfrag_zone = calloc(nz + 1, sizeof(*s->extfrag_zone));
	s->extfrag_zone_pair = calloc(EXTFRAG_ZONE_PAIRS(nz), sizeof(*s->extfrag_zone_pair));
	s->zone_lock = calloc((size_t)(nc ? nc : 1) * (nz + 1), sizeof(*s->zone_lock));
	s->procs = calloc(e->nr_procs ? e->nr_procs : 1, sizeof(*s->procs));
	s->episodes = episodes_dup(e->episodes, e->nr_episodes);
	if (!s->zones || !s->ev_per_cpu || !s->cpus || !s->pages || !s->pages_cpu || !s->pages_zone || !s->cross_free ||
	    !s->cross_drain || !s->extfrag_zone || !s->procs || !s->episodes || !s->extfrag_zone_pair ||
	    !s->zone_lock) {
		kf_snapshot_free(s);
		return NULL;
	}
	if (nz)
		memcpy(s->zones, e->zones, nz * sizeof(*s->zones));
	for (int c = 0; c < nc; c++) {
		struct cpu_state cs = *e->cpus[c];

		for (int t = 0; t < KF_EV_NR; t++) {
			s->ev_per_cpu[(size_t)t * nc + c] = cs.ev[t];
			s->ev_total[t] += cs.ev[t];
		}
		cpu_run_end(&cs);	/* on the copy: a run open now still counts */
		zone_lock_copy(&s->zone_lock[(size_t)c * (nz + 1)], &cs, nz);
		s->cpus[c] = cs.st;
		s->lost_events += cs.st.lost_events;
		s->lost_unknown |= cs.st.lost_unknown;
		memcpy(&s->pages[e->pages_per_cpu * c], cs.pages, e->pages_per_cpu * sizeof(*s->pages));
		page_sums(s, c, cs.pages);
	}
	if (nc) {
		memcpy(s->cross_free, e->cross_free, (size_t)nc * nc * sizeof(uint64_t));
		memcpy(s->cross_drain, e->cross_drain, (size_t)nc * nc * sizeof(uint64_t));
	}
	memcpy(s->extfrag_zone, e->extfrag_zone, (nz + 1) * sizeof(*s->extfrag_zone));
	memcpy(s->extfrag_pair, e->extfrag_pair, sizeof(s->extfrag_pair));
	memcpy(s->extfrag_zone_pair, e->extfrag_zone_pair, EXTFRAG_ZONE_PAIRS(nz) * sizeof(*s->extfrag_zone_pair));
	s->extfrag_pageblock_order = e->extfrag_pageblock_order;
	s->extfrag_total = e->extfrag_total;
	for (int i = 0; i < e->nr_procs; i++) {
		s->procs[i] = e->procs[i].s;
		proc_run_track(&s->procs[i], KF_EV_OTHER);
	}
	s->nr_procs = e->nr_procs;
	s->nr_episodes = e->nr_episodes;
	s->episodes_dropped = e->episodes_dropped;
	memcpy(s->compact_status, e->compact_status, sizeof(s->compact_status));
	memcpy(s->finished_ret, e->finished_ret, sizeof(s->finished_ret));
	memcpy(s->suitable_ret, e->suitable_ret, sizeof(s->suitable_ret));
	s->deferred = e->deferred;
	s->kcompactd_wakes = e->kcompactd_wakes;
	s->kcompactd_sleeps = e->kcompactd_sleeps;
	s->kcompactd_wakeups = e->kcompactd_wakeups;
	s->try_to_compact = e->try_to_compact;
	s->compact_migrated = e->compact_migrated;
	s->compact_failed = e->compact_failed;
	memcpy(s->migrate, e->migrate, sizeof(s->migrate));
	s->migration_pte_set = e->migration_pte_set;
	s->migration_pte_removed = e->migration_pte_removed;
	s->faults_during_migration = e->faults_during_migration;
	return s;
}

void kf_snapshot_free(struct kf_snapshot *s)
{
	if (!s)
		return;
	free(s->zones);
	free(s->ev_per_cpu);
	free(s->cpus);
	free(s->pages);
	free(s->pages_cpu);
	free(s->pages_zone);
	free(s->cross_free);
	free(s->cross_drain);
	free(s->extfrag_zone);
	free(s->extfrag_zone_pair);
	free(s->zone_lock);
	free(s->procs);
	if (s->episodes)
		episodes_release(s->episodes, s->nr_episodes);
	free(s->episodes);
	free(s);
}

static void proc_add(struct kf_proc_stats *dst, const struct kf_proc_stats *src)
{
	dst->allocd += src->allocd;
	dst->allocd_pages += src->allocd_pages;
	dst->allocd_locked += src->allocd_locked;
	dst->freed_direct += src->freed_direct;
	dst->freed_pages += src->freed_pages;
	dst->freed_pagevec += src->freed_pagevec;
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
	qsort(out, n, sizeof(*out), by_allocd_desc);
	*nr = n;
	return out;
}
