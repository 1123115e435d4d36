/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source's insides, shared by its four files:
 *   live_instance.c  the instance's lifecycle: privileges, tracefs, the
 *                    instance, its events and formats, the per-CPU files;
 *   live_ring.c      reading the ring buffers and feeding their records
 *                    in time order (through the ring merge, kf_ring.h);
 *   live_cmdlines.c  the names of tasks gone before their records were fed;
 *   source_live.c    the API of kf_live.h.
 *
 * Only the instance's files are ever written; the top level (set_event,
 * tracing_on, events/.../enable, ftrace_enabled, ...) is read at most.
 *
 * Ordering: the engine follows compaction episodes across events, so each
 * poll feeds the records of all CPUs merged by timestamp. CPUs are read one
 * after the other, so a record written on CPU 0 while CPU 1 is being read
 * would come one poll late, behind later records of CPU 1. A poll therefore
 * feeds only records older than the ring buffer's clock at the start of the
 * poll (minus a margin for records reserved but not yet committed); younger
 * ones stay queued for the next poll. kf_live_stop feeds everything.
 */
#ifndef KF_LIVE_PRIV_H
#define KF_LIVE_PRIV_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event-parse.h>
#include <tracefs.h>

#include "kf_decode.h"
#include "kf_live.h"
#include "kf_ring.h"

#define TRACEFS_DEFAULT "/sys/kernel/tracing"
/* per CPU. Measured on 2 CPUs: two alloc_storm processes make 2-2.6M
 * records/s, ~31 bytes each, up to ~40 MB/s on one CPU; a reader feeding
 * the engine comes back every 120-160 ms (100 ms poll + decoding), so one
 * cycle fills ~5 MB. 4 MiB lost records, 8 MiB rarely, 16 MiB never in
 * our runs; the cost is memory, capped at 1/32 of RAM. */
#define DEFAULT_BUFFER_KB 16384
#define MIN_BUFFER_KB 512
/* records reserved before the clock was read may be committed after it */
#define HOLDBACK_MARGIN_NS 1000000ULL
#define COMM_SLOTS 4096
/* pages read and fed wait in a pool for the next read, up to this much */
#define MAX_FREE_BYTES (16u << 20)
/* a poll reads and feeds in rounds of this much over all CPUs (a page of
 * each at least): decoding a round finds the pages read() copied still in
 * the cache (a core's L2), where reading the whole buffer first left them
 * for memory to give again */
#define ROUND_BYTES (512u << 10)
#define MAX_FREE_PAGES (MAX_FREE_BYTES / 4096)
/* the ring buffer's sub-buffer (one read, one page of the queue) when no
 * trace.dat is written: one read() per 64 KiB instead of per 4 KiB. A
 * recording keeps the kernel's default, the page trace-cmd's readers
 * expect. */
#define SUBBUF_KB 64
/* read(), not the memory-mapped ring buffer of kernels from 6.10. Measured
 * on 6.18 with 64 KiB sub-buffers of a 16 MiB buffer: mapping a CPU's
 * whole buffer puts all of it in kfrag's RSS (16.5 MiB a CPU, so 42 MiB on
 * 2 CPUs and linear in the CPUs of a server), and mapping the reader's
 * sub-buffer alone at each swap costs 19 us a sub-buffer (mmap, munmap),
 * ~9 ns a record, where read()'s copy costs ~3 ns a record and leaves the
 * page in the cache for the decoder (ROUND_BYTES). */

struct comm_entry {
	int pid;		/* 0 = empty */
	uint32_t id;		/* kf_event.comm_id: new with every read */
	uint64_t read_ts;	/* trace time of the /proc read: names change at exec */
	char comm[KF_COMM_LEN];
};

/* a name read from /proc is read again after this long (trace time, ns) */
#define COMM_TTL_NS (1000ULL * 1000 * 1000)

struct live_cpu {
	struct kf_ring_cursor cur;	/* its record is the next to feed */
	struct kf_live *l;
	int cpu;
	int fd;				/* trace_pipe_raw, -1 = no such CPU */
	int stats_fd;
	struct tracefs_cpu *tcpu;
	void **q;			/* pages read and not yet fed, oldest first */
	int q_head, q_len, q_cap;
	bool loaded;			/* q[q_head] is in cur's kbuffer */
	int raw_fd;			/* keep_raw: the pages, as read */
	uint64_t raw_size;
	uint64_t missed, events, pages, lost_fed;
	bool unknown_missed;		/* a page said "lost some" without a count */
	const struct comm_entry *last_comm;	/* of the CPU's last record, or NULL */
	bool more;			/* read_all: may have more to read in this poll */
	int read_this_poll;		/* pages */
};

struct kf_live {
	struct tracefs_instance *inst;
	char *name;
	char *tracing_dir;
	char *inst_dir;
	char *mounted;			/* where kfrag mounted tracefs, or NULL */
	int slot;			/* kf_cleanup slot */
	struct tep_handle *tep;
	struct kf_decoder *dec;
	int page_size;
	int long_size;			/* of the kernel, from header_page */
	int nr_cpus;
	struct live_cpu *cpus;
	struct pollfd *pfds;
	int nr_pfds;
	struct kf_ring_format fmt;
	struct kf_ring_cursor **cursors;	/* of the CPUs that exist */
	int nr_cursors;
	struct kf_ring_merge merge;
	const struct kf_sink *sink;	/* of the poll under way */
	void **free_pages;
	int nr_free, max_free;
	int max_pages_per_poll;
	size_t buffer_kb;
	bool enabled[KF_EV_NR];
	char fault_note[256];		/* faults_optional: why page faults are not traced */
	bool keep_raw;
	bool tracing;
	struct comm_entry *comms;
	uint32_t comm_ids;
	unsigned poll_nr;		/* polls so far: saved_cmdlines is read once a poll at most */
	unsigned saved_poll;		/* the poll that loaded saved, 0 none */
	struct tep_handle *saved;	/* saved_cmdlines of that poll, NULL none */
	char error[512];
};

/* live_cmdlines.c: the kernel's name now for pid, a task gone from /proc;
 * false when it has none */
bool live_exited_comm(struct kf_live *l, int pid, char comm[KF_COMM_LEN]);

/* live_instance.c */
void live_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool live_has_cap(int cap);
int live_ensure_tracefs(struct kf_live *l, char *err, size_t errlen);
void live_unmount_ours(struct kf_live *l);
void live_reap_stale(const char *tracing_dir);
int live_create_instance(struct kf_live *l, char *err, size_t errlen);
void live_destroy_instance(struct kf_live *l);
size_t live_default_buffer_kb(int nr_cpus);
void live_set_subbuf_size(struct kf_live *l);
int live_choose_events(struct kf_live *l, const struct kf_live_config *cfg, char *err, size_t errlen);
int live_set_fault_filter(struct kf_live *l, const struct kf_live_config *cfg, char *err, size_t errlen);
int live_enable_events(struct kf_live *l, char *err, size_t errlen);
int live_load_formats(struct kf_live *l, struct kf_symbols *syms, char *err, size_t errlen);
int live_count_cpus(struct kf_live *l, char *err, size_t errlen);
int live_open_cpus(struct kf_live *l, const struct kf_live_config *cfg, char *err, size_t errlen);
void live_close_cpus(struct kf_live *l);

/* live_ring.c */
void live_cursor_init(struct kf_live *l, struct live_cpu *lc);
int live_read_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st);

#endif
