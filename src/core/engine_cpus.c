/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPUs by number, pages followed from CPU to CPU, and the pfn maps that
 * follow them. Only the CPUs that occur have state: a trace naming CPU 4097
 * (or 2147483647) costs one CPU's worth of memory, not 4098 of them, and
 * the CPU-to-CPU flows are kept as the pairs that occurred.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

static unsigned hash_u32(uint32_t v)
{
	return v * 2654435761u;
}

/* ---- CPUs ---------------------------------------------------------------- */

static int cpu_hash_find(const struct cpu_table *t, int32_t cpu)
{
	unsigned mask = t->hash_size - 1;

	if (!t->hash_size)
		return -1;
	for (unsigned h = hash_u32((uint32_t)cpu) & mask; t->hash[h].index; h = (h + 1) & mask)
		if (t->hash[h].cpu == cpu)
			return t->hash[h].index - 1;
	return -1;
}

static int cpu_hash_insert(struct cpu_table *t, int32_t cpu, int index)
{
	if ((t->nr + 1) * 2 > t->hash_size) {
		int size = t->hash_size ? t->hash_size * 2 : 64;
		struct cpu_slot *grown = calloc(size, sizeof(*grown));

		if (!grown)
			return -1;
		for (int i = 0; i < t->hash_size; i++) {
			unsigned h = hash_u32((uint32_t)t->hash[i].cpu) & (size - 1);

			if (!t->hash[i].index)
				continue;
			while (grown[h].index)
				h = (h + 1) & (size - 1);
			grown[h] = t->hash[i];
		}
		free(t->hash);
		t->hash = grown;
		t->hash_size = size;
	}
	unsigned h = hash_u32((uint32_t)cpu) & (t->hash_size - 1);

	while (t->hash[h].index)
		h = (h + 1) & (t->hash_size - 1);
	t->hash[h] = (struct cpu_slot){ cpu, index + 1 };
	return 0;
}

/* records that CPU number cpu has entry index, state c; numbers below
 * KF_CPU_DIRECT are looked up in an array as long as the highest such number */
static int cpu_index_set(struct cpu_table *t, int32_t cpu, int index, struct cpu_state *c)
{
	if (cpu >= KF_CPU_DIRECT)
		return cpu_hash_insert(t, cpu, index);
	if (cpu >= t->nr_direct) {
		int n = cpu + 1;
		struct cpu_state **grown = realloc(t->direct, n * sizeof(*grown));

		if (!grown)
			return -1;
		memset(grown + t->nr_direct, 0, (n - t->nr_direct) * sizeof(*grown));
		t->direct = grown;
		t->nr_direct = n;
	}
	t->direct[cpu] = c;
	return 0;
}

/*
 * A row of page counts (every zone and kind of one order and migratetype
 * slot) for c, made on its first event: rows come from one pool in the
 * order they are first used, so the counts of hundreds of CPUs take the
 * few rows each uses, together, not a table of mostly zeros each. 0 when
 * out of memory, else the row's number + 1 (c->row_at).
 */
uint32_t kf_page_row_new(struct kf_engine *e, struct cpu_state *c, unsigned row)
{
	if (e->nr_rows == e->alloc_rows) {
		size_t n = e->alloc_rows ? e->alloc_rows * 2 : 64;
		uint64_t *grown = n < UINT32_MAX ? realloc(e->row_pool, n * e->row_cells * sizeof(*grown)) : NULL;

		if (!grown)
			return 0;
		e->row_pool = grown;
		e->alloc_rows = n;
	}
	memset(&e->row_pool[e->nr_rows * e->row_cells], 0, e->row_cells * sizeof(*e->row_pool));
	c->row_at[row] = (uint32_t)++e->nr_rows;
	return c->row_at[row];
}

static struct cpu_state *cpu_add(struct kf_engine *e, int32_t cpu)
{
	struct cpu_table *t = &e->cpus;
	struct cpu_state *c;

	if (t->nr == t->alloc) {
		int n = t->alloc ? t->alloc * 2 : 8;
		struct cpu_state **grown = realloc(t->by_index, n * sizeof(*grown));

		if (!grown)
			return NULL;
		t->by_index = grown;
		t->alloc = n;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->zone_lock = calloc(e->nr_zones + 1, sizeof(*c->zone_lock)))) {
		free(c);
		return NULL;
	}
	c->cpu = cpu;
	c->index = t->nr;
	c->last_pid = -1;
	if (cpu_index_set(t, cpu, t->nr, c) < 0) {
		free(c->zone_lock);
		free(c);
		return NULL;
	}
	t->by_index[t->nr++] = c;
	return c;
}

/* kf_cpus_get past its array of the CPU numbers seen below KF_CPU_DIRECT */
struct cpu_state *kf_cpus_get_slow(struct kf_engine *e, int32_t cpu)
{
	const struct cpu_table *t = &e->cpus;
	int index;

	if (cpu < 0)
		return NULL;
	if (cpu < t->nr_direct && t->direct[cpu])
		return t->direct[cpu];
	index = cpu >= KF_CPU_DIRECT ? cpu_hash_find(t, cpu) : -1;
	if (index >= 0)
		return t->by_index[index];
	return cpu_add(e, cpu);
}

void kf_cpus_release(struct cpu_table *t)
{
	for (int i = 0; i < t->nr; i++) {
		for (int k = 0; k < FLOW_KINDS; k++)
			kf_flow_release(&t->by_index[i]->flows_in[k]);
		free(t->by_index[i]->zone_lock);
		free(t->by_index[i]);
	}
	free(t->by_index);
	free(t->direct);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

/* ---- flows between CPUs --------------------------------------------------
 * Kept by the CPU the pages came to, keyed by the index of the CPU they came
 * from: the CPU adds to its own small table, hot while its events run,
 * rather than to one table of every pair. */

static struct flow_slot *flow_find(struct flow_slot *slots, size_t size, uint32_t from)
{
	size_t mask = size - 1;
	size_t h = hash_u32(from) & mask;

	while (slots[h].pages && slots[h].from != from)
		h = (h + 1) & mask;
	return &slots[h];
}

static int flow_grow(struct flow_map *m)
{
	size_t size = m->size ? m->size * 2 : 8;
	struct flow_slot *grown = calloc(size, sizeof(*grown));

	if (!grown)
		return -1;
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].pages)
			*flow_find(grown, size, m->slots[i].from) = m->slots[i];
	free(m->slots);
	m->slots = grown;
	m->size = size;
	return 0;
}

/* adds pages to the flow into m's CPU from the CPU of index from */
int kf_flow_add(struct flow_map *m, int from, uint64_t pages)
{
	struct flow_slot *f;

	if (!pages)
		return 0;
	f = m->last < m->size ? &m->slots[m->last] : NULL;
	if (f && f->pages && f->from == (uint32_t)from) {
		f->pages += pages;
		return 0;
	}
	if ((m->used + 1) * 2 > m->size && flow_grow(m) < 0)
		return -1;
	f = flow_find(m->slots, m->size, (uint32_t)from);
	m->last = (size_t)(f - m->slots);
	if (!f->pages) {
		f->from = (uint32_t)from;
		m->used++;
	}
	f->pages += pages;
	return 0;
}

void kf_flow_release(struct flow_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int by_cpus(const void *a, const void *b)
{
	const struct kf_cpu_flow *x = a, *y = b;

	if (x->from_cpu != y->from_cpu)
		return x->from_cpu < y->from_cpu ? -1 : 1;
	return x->to_cpu < y->to_cpu ? -1 : x->to_cpu > y->to_cpu;
}

static int by_number(const void *a, const void *b)
{
	const struct cpu_state *x = *(const struct cpu_state *const *)a;
	const struct cpu_state *y = *(const struct cpu_state *const *)b;

	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

void kf_cpus_sorted(const struct cpu_table *t, struct cpu_state **sorted)
{
	if (!t->nr)
		return;
	memcpy(sorted, t->by_index, t->nr * sizeof(*sorted));
	qsort(sorted, t->nr, sizeof(*sorted), by_number);
}

/*
 * In (from, to) order without sorting the pairs (thousands at hundreds of
 * CPUs): with the CPUs sorted by number (rank: index -> place), each pair
 * counted under its from CPU, then placed in the order of its to CPU.
 */
static void flows_place(const struct cpu_table *t, enum flow_kind kind, struct cpu_state *const *sorted,
			const int *rank, size_t *at, struct kf_cpu_flow *out)
{
	for (int i = 0; i < t->nr; i++) {
		const struct flow_map *m = &sorted[i]->flows_in[kind];

		for (size_t k = 0; k < m->size; k++)
			if (m->slots[k].pages)
				at[rank[m->slots[k].from] + 1]++;
	}
	for (int i = 0; i < t->nr; i++)
		at[i + 1] += at[i];
	for (int i = 0; i < t->nr; i++) {
		const struct flow_map *m = &sorted[i]->flows_in[kind];

		for (size_t k = 0; k < m->size; k++)
			if (m->slots[k].pages) {
				uint32_t from = m->slots[k].from;

				out[at[rank[from]]++] = (struct kf_cpu_flow){ t->by_index[from]->cpu, sorted[i]->cpu,
									      m->slots[k].pages };
			}
	}
}

struct kf_cpu_flow *kf_flow_export(const struct cpu_table *t, enum flow_kind kind, int *nr)
{
	size_t n = t->nr ? (size_t)t->nr : 1, total = 0;
	struct cpu_state **sorted = malloc(n * sizeof(*sorted));
	int *rank = malloc(n * sizeof(*rank));
	size_t *at = calloc(n + 1, sizeof(*at));
	struct kf_cpu_flow *out = NULL;

	for (int i = 0; i < t->nr; i++)
		total += t->by_index[i]->flows_in[kind].used;
	if (sorted && rank && at)
		out = calloc(total ? total : 1, sizeof(*out));
	if (out) {
		kf_cpus_sorted(t, sorted);
		for (int i = 0; i < t->nr; i++)
			rank[sorted[i]->index] = i;
		flows_place(t, kind, sorted, rank, at, out);
		*nr = (int)total;
	}
	free(sorted);
	free(rank);
	free(at);
	return out;
}

/* ---- pfn maps ------------------------------------------------------------ */

#define PFN_CELLS	(PFN_CHUNK_PFNS * PFN_SLOTS)	/* slots of a chunk */

/* two bytes a slot in chunk i from now on: a CPU index above 254 came. A
 * chunk at a time, so the map doubles only where such CPUs went */
static int pfn_chunk_widen(struct pfn_map *m, uint64_t i)
{
	const uint8_t *narrow = m->chunks[i];
	uint16_t *w = calloc(PFN_CELLS, sizeof(*w));

	if (!w)
		return -1;
	/* only the pfns followed: the rest stays untouched zero pages */
	for (unsigned long p = 0; p < PFN_CELLS; p++)
		if (narrow[p])
			w[p] = narrow[p];
	free(m->chunks[i]);
	m->chunks[i] = w;
	m->wide[i] = 1;
	return 0;
}

/* the chunk of pfn's slots, made (narrow) when create; its index in *i */
static void *pfn_chunk(struct pfn_map *m, uint64_t pfn, bool create, uint64_t *i)
{
	uint64_t chunk = pfn >> PFN_CHUNK_SHIFT;

	*i = chunk;
	if (chunk >= m->nr_chunks) {
		if (!create || chunk > (1ULL << 32))
			return NULL;
		uint64_t n = chunk + 1;
		void **grown = realloc(m->chunks, n * sizeof(*grown));
		uint8_t *wide;

		if (!grown)
			return NULL;
		m->chunks = grown;
		wide = realloc(m->wide, n);
		if (!wide)
			return NULL;
		m->wide = wide;
		memset(grown + m->nr_chunks, 0, (n - m->nr_chunks) * sizeof(*grown));
		memset(wide + m->nr_chunks, 0, n - m->nr_chunks);
		m->nr_chunks = n;
	}
	if (!m->chunks[chunk] && create)
		m->chunks[chunk] = calloc(PFN_CELLS, 1);
	return m->chunks[chunk];
}

static unsigned long pfn_cell(uint64_t pfn, enum pfn_slot slot)
{
	return (pfn & (PFN_CHUNK_PFNS - 1)) * PFN_SLOTS + slot;
}

/* kf_pfn_set's other cases; indexes beyond 65534 are not followed */
void kf_pfn_set_slow(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot, int index)
{
	unsigned long at = pfn_cell(pfn, slot);
	unsigned value = index >= 0 && index < 0xffff ? (unsigned)index + 1 : 0;
	uint64_t i;
	void *chunk = pfn_chunk(m, pfn, value != 0, &i);

	if (!chunk)
		return;
	if (value > 0xff && !m->wide[i]) {
		if (pfn_chunk_widen(m, i) < 0)
			value = 0;	/* not followed: forgotten */
		chunk = m->chunks[i];
	}
	if (!m->wide[i])
		((uint8_t *)chunk)[at] = (uint8_t)value;
	else
		((uint16_t *)chunk)[at] = (uint16_t)value;
}

int kf_pfn_take_slow(struct pfn_map *m, uint64_t pfn, enum pfn_slot slot)
{
	unsigned long at = pfn_cell(pfn, slot);
	uint64_t i;
	void *chunk = pfn_chunk(m, pfn, false, &i);
	unsigned value;

	if (!chunk)
		return -1;
	if (!m->wide[i]) {
		value = ((uint8_t *)chunk)[at];
		((uint8_t *)chunk)[at] = 0;
	} else {
		value = ((uint16_t *)chunk)[at];
		((uint16_t *)chunk)[at] = 0;
	}
	return (int)value - 1;
}

void kf_pfn_release(struct pfn_map *m)
{
	for (uint64_t i = 0; i < m->nr_chunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m->wide);
	memset(m, 0, sizeof(*m));
}

/* ---- lookups in a snapshot ----------------------------------------------- */

int kf_snapshot_cpu_index(const struct kf_snapshot *s, int cpu)
{
	int lo = 0, hi = s ? s->nr_cpus : 0;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->cpu_ids[mid] == cpu)
			return mid;
		if (s->cpu_ids[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint64_t kf_snapshot_flow(const struct kf_cpu_flow *flows, int nr, int from, int to)
{
	const struct kf_cpu_flow key = { from, to, 0 };
	const struct kf_cpu_flow *f = flows && nr > 0 ? bsearch(&key, flows, nr, sizeof(*flows), by_cpus) : NULL;

	return f ? f->pages : 0;
}
