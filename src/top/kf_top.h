/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top, split as htop splits itself:
 *
 *   data side   src/top_model.c   (previous snapshot, current snapshot,
 *                                  memory state, guard result, dt) -> a view
 *                                  model of plain numbers and names; rates
 *                                  are differences over dt; the memory
 *                                  map's cells from a scanned struct
 *                                  kf_memmap. Pure, no I/O.
 *               src/top_keys.c    a key -> changes to struct kf_top_state,
 *                                  returns what must be redone (KF_TOP_*).
 *               src/top_replay.c  a recorded trace held in memory and fed
 *                                  to a sink paced by its timestamps.
 *   drawing     src/top_ui.c      the only file with curses state: draws a
 *                                  view, reads keys, restores the terminal on
 *                                  every way out (signals and crashes too).
 *   loop        src/cmd_top.c     options, sources, the refresh loop; the
 *                                  memory map's scan (kpageflags), only
 *                                  while its view is shown.
 *
 * The model never calls the UI and the UI never calls the model or the
 * engine; cmd_top.c hands the view from one to the other.
 */
#ifndef KF_TOP_H
#define KF_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_engine.h"
#include "kf_findings.h"
#include "kf_guard.h"
#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_replay.h"
#include "kf_source.h"
#include "kf_symbols.h"
#include "kf_zones.h"

enum kf_top_panel {
	KF_PANEL_ZONES,
	KF_PANEL_CPUS,
	KF_PANEL_FRAG,
	KF_PANEL_COMPACT,
	KF_PANEL_PROCS,
	KF_PANEL_GUARD,
	KF_PANEL_NR
};
extern const char *const kf_top_panel_names[KF_PANEL_NR];

/* columns of the process table, in the order drawn; every one sorts */
enum kf_top_pcol {
	KF_PCOL_PID,
	KF_PCOL_COMM,
	KF_PCOL_ALLOC_RATE,	/* mm_page_alloc events/s */
	KF_PCOL_FREE_RATE,	/* mm_page_free events/s (batched frees log it too) */
	KF_PCOL_ALLOCD,		/* the script's columns, totals */
	KF_PCOL_LOCKED,
	KF_PCOL_FREED,
	KF_PCOL_BATCHED,	/* mm_page_free_batched: a subset of FREED */
	KF_PCOL_DRAINED,
	KF_PCOL_DRAINS,
	KF_PCOL_REFILLS,
	KF_PCOL_FALLBACK,
	KF_PCOL_CAUSING,
	KF_PCOL_CHANGED,
	KF_PCOL_FAULTS,
	KF_PCOL_MIGFAULTS,	/* faults while migration ran */
	KF_PCOL_NR
};
extern const char *const kf_top_pcol_names[KF_PCOL_NR];	/* column titles */

/* the unit of every size shown (u): pages, or bytes in KiB, MiB, GiB */
enum kf_top_unit { KF_UNIT_PAGES, KF_UNIT_KIB, KF_UNIT_MIB, KF_UNIT_GIB, KF_UNIT_NR };
extern const char *const kf_top_unit_names[KF_UNIT_NR];

/* a user's settings and where the screen is; changed by keys only */
#define KF_TOP_MAX_ACKS 256

struct kf_top_ack {
	enum kf_alert_kind kind;
	int pid;
	int node;
	char zone[KF_ZONE_NAME_LEN];
	uint64_t count;		/* acknowledged up to this count; more alerts again */
};

struct kf_top_state {
	enum kf_top_panel focus;
	int scroll[KF_PANEL_NR];	/* first content line shown */
	enum kf_top_pcol sort_col;
	bool sort_ascending;
	bool paused;
	bool totals;			/* counts since start instead of per second */
	bool all_orders;		/* every order in the zones panel, not 0/3/9 */
	enum kf_top_unit unit;		/* of every size column */
	bool help;			/* the help screen is up */
	bool findings;			/* the findings screen is up ('f') */
	int findings_scroll;		/* its first content line shown */
	bool memmap;			/* the memory map is shown instead of the panels */
	bool sort_menu;			/* the sort column chooser is up */
	bool alert_details;		/* Enter: alerts wrapped whole, with actions */
	int sort_menu_sel;
	double refresh_s;		/* seconds between screens */
	struct kf_top_ack acks[KF_TOP_MAX_ACKS];
	int nr_acks;
};

/* the intervals + and - step through */
#define KF_TOP_NR_REFRESH_STEPS 9
extern const double kf_top_refresh_steps[KF_TOP_NR_REFRESH_STEPS];

void kf_top_state_init(struct kf_top_state *st, double refresh_s);

/* keys as the UI hands them over: ASCII as is, the rest from here */
enum {
	KF_KEY_NONE = -1,
	KF_KEY_UP = 0x1000,
	KF_KEY_DOWN,
	KF_KEY_LEFT,
	KF_KEY_RIGHT,
	KF_KEY_PGUP,
	KF_KEY_PGDN,
	KF_KEY_HOME,
	KF_KEY_END,
	KF_KEY_TAB,
	KF_KEY_BTAB,		/* shift-Tab */
	KF_KEY_ENTER,
	KF_KEY_ESC,
	KF_KEY_RESIZE,
	KF_KEY_F1 = 0x1100,	/* KF_KEY_F1 + n - 1 is Fn */
};
#define KF_KEY_F(n) (KF_KEY_F1 + (n) - 1)

/* what a key asks the loop to do (or'ed) */
enum {
	KF_TOP_NOTHING = 0,
	KF_TOP_REDRAW = 1 << 0,		/* draw the same view again (scroll, focus, help) */
	KF_TOP_REBUILD = 1 << 1,	/* rebuild the view from the same snapshots (sort, ack) */
	KF_TOP_RESET = 1 << 2,		/* forget every count (engine reset) */
	KF_TOP_RESCHEDULE = 1 << 3,	/* the refresh interval changed */
	KF_TOP_PAUSE = 1 << 4,		/* paused or resumed */
	KF_TOP_ACK = 1 << 5,		/* alerts acknowledged */
	KF_TOP_QUIT = 1 << 6,
	KF_TOP_MEMMAP = 1 << 7,		/* the memory map was shown or hidden: scan now, or stop */
};

/* what the last draw showed, for keys that page or scroll */
struct kf_top_geometry {
	int visible[KF_PANEL_NR];	/* content lines shown of each panel */
	int lines[KF_PANEL_NR];		/* content lines each panel has */
	int findings_visible, findings_lines;	/* the findings screen's room and lines */
};

struct kf_top_view;
unsigned kf_top_handle_key(struct kf_top_state *st, int key, const struct kf_top_view *v,
			   const struct kf_top_geometry *geo);

/* ---- the view model --------------------------------------------------- */

struct kf_top_policy {
	int unevictable_allowed;	/* vm.compact_unevictable_allowed, -1 unknown */
	int proactiveness;		/* vm.compaction_proactiveness */
	int extfrag_threshold;		/* vm.extfrag_threshold */
	bool sysctls_assumed;		/* the two above from --assume-sysctl or a recording */
	char sched_ext[32];		/* /sys/kernel/sched_ext/state, "" absent */
	char sched_ext_ops[64];
};

/* where the events come from, filled by the loop, shown in the header */
struct kf_top_source {
	bool live;
	char kernel[65];		/* uname release */
	double uptime_s;		/* -1 unknown */
	char instance[64];		/* live */
	char path[256];			/* replay */
	double replay_pos_s, replay_len_s, speed;
	bool replay_done;
};

enum kf_top_wm {
	KF_WM_UNKNOWN,
	KF_WM_OK,		/* free above high */
	KF_WM_LOW,		/* between low and high: kswapd may run */
	KF_WM_MIN,		/* between min and low */
	KF_WM_BELOW_MIN,	/* below min: allocations stall */
};

struct kf_top_zone {
	int node;
	char name[KF_ZONE_NAME_LEN];
	bool have_info;
	uint64_t free, min, low, high, managed;
	enum kf_top_wm wm;
	int nr_orders;			/* 0 when buddyinfo was unreadable */
	uint64_t free_blocks[KF_MAX_ORDER];
	int unusable[KF_MAX_ORDER];	/* thousandths, as the kernel keeps them */
	int extfrag[KF_MAX_ORDER];
	/* -1 fell, 0 same, +1 rose since the previous memory state */
	signed char unusable_trend[KF_MAX_ORDER], extfrag_trend[KF_MAX_ORDER];
	bool have_pageblocks;
	uint64_t pageblocks[KF_MAX_MIGRATETYPES];
	double alloc_ps, free_ps;	/* pages/s in this zone (engine) */
	/* "can I get a 2 MiB page now?" as the run layer answered it */
	enum kf_huge_answer huge;
	uint64_t huge_blocks;
};

struct kf_top_cpu {
	int cpu;
	double alloc_ps, free_ps;	/* pages/s, order-weighted; free = mm_page_free, batched included */
	double refill_runs_ps, refill_pages_ps, drain_runs_ps, drain_pages_ps;
	uint64_t alloc, freed, refill_runs, refill_pages, drain_runs, drain_pages;
	/* pages refilled into this CPU's pcp lists and drained by another */
	uint64_t xdrain_out;
	double xdrain_out_ps;
	int xdrain_peer;		/* the CPU that drained most of them, -1 none */
	/* pages allocated here and freed on another CPU */
	uint64_t xfree_out;
	double xfree_out_ps;
	uint64_t lost;
};

struct kf_top_frag {
	int alloc_mt, fallback_mt;	/* -1 for the total row */
	char alloc_name[KF_MT_NAME_LEN], fallback_name[KF_MT_NAME_LEN];
	struct kf_extfrag_stats total;
	double fallbacks_ps, fragmenting_ps, severe_ps, moderate_ps, changed_ps;
};

struct kf_top_episode {
	char zone[KF_ZONE_NAME_LEN];
	int node;
	char initiator[16];
	char task[KF_COMM_LEN + 12];	/* comm-pid */
	bool running;
	bool sync;
	double begin_s;			/* trace clock */
	double duration_ms;		/* so far while running */
	char status[24];		/* "running" while running */
	uint64_t scanned, isolated, migrated, failed;
	int order;			/* compacted for: -1 a whole zone, KF_ORDER_UNKNOWN */
	double stall_ms;		/* direct compaction: its task's stall, else 0 */
	bool scanned_exceeds_span;	/* the kernel's nr_scanned counts some pages twice */
};

struct kf_top_migrate {
	char reason[24];
	uint64_t calls, succeeded, failed;
	double succeeded_ps, failed_ps;
};

struct kf_top_proc {
	int pid;
	char comm[KF_COMM_LEN];
	double alloc_ps, free_ps;
	struct kf_proc_stats s;		/* totals */
	bool is_protected;		/* named by the guard */
};

struct kf_top_alert {
	struct kf_alert a;
	bool acked;
};

struct kf_top_protected {
	int pid;
	char comm[KF_COMM_LEN];
	enum kf_protect_reason reason;
	uint64_t vmlck_kb, locked_pages, pages_moved;
	bool pagemap_readable, exited;
	uint64_t faults, faults_during_migration;	/* the guard's count of its threads */
};

#define KF_TOP_MAX_EPISODES 256		/* most recent shown */

/*
 * The memory map view (m): every pageblock of the machine on one screen.
 * A cell stands for per_cell consecutive pageblocks of one zone and shows
 * the worst kind among them (kf_top_memmap_rank); every zone starts a new
 * line under a header of its own. per_cell is the smallest that fits the
 * zones' headers and cells in the rows and columns the UI gives.
 */
struct kf_top_map_cell {
	uint8_t kind;			/* enum kf_block_kind */
	bool locked;			/* holds locked pages of a protected process */
};

/* a line of a zone's cells: cells [first, first + n), or a stretch of
 * uninitialised cells (E) a line or more long folded into one line */
struct kf_top_map_line {
	int first, n;
	bool fold;
	uint64_t fold_blocks;		/* pageblocks of the folded cells */
};

struct kf_top_map_zone {
	int node;
	char name[KF_ZONE_NAME_LEN];
	uint64_t start_pfn, end_pfn;	/* the span, end exclusive */
	uint64_t nr_blocks;		/* pageblocks touching the span */
	uint64_t by_kind[KF_BK_NR];
	uint64_t compactable;		/* FREE + MOVABLE blocks */
	uint64_t blocked;		/* blocks of a blocked kind */
	uint64_t unsure;
	uint64_t holes;			/* HOLE + EMPTY: no usable memory (yet) */
	struct kf_top_map_cell *cells;	/* [nr_cells] */
	int nr_cells;			/* nr_blocks / per_cell, rounded up */
	int rows;			/* lines of cells at the width given, folds included */
	struct kf_top_map_line *lines;	/* [rows] */
	int folded_cells;		/* E cells folded away */
	int locked_cells;
};

struct kf_top_memmap {
	bool shown;			/* the view is up */
	bool available;			/* a map was read; else error says why */
	char error[512];		/* "" while the first scan is pending */
	int pageblock_order;
	uint64_t block_kb;		/* kB of one pageblock */
	uint64_t per_cell;		/* pageblocks per cell */
	int cols;			/* cells per line */
	int lines;			/* lines used: a header per zone, its cells */
	bool fits;			/* false: the room given is too small even so */
	struct kf_top_map_zone *zones;
	int nr_zones;
	double age_s;			/* since the scan */
	double every_s;			/* between scans */
	double scan_cpu_s;		/* CPU time the scan took */
	bool saved;			/* the map a recording saved at its end */
	/* the guard: protected processes whose PFNs are known, cells marked */
	bool guard_on;
	int guard_pfn_procs;
	int locked_cells;
};

/* the order of kinds in a cell: holes < not initialised < free < movable
 * < unsure < the blocked kinds (writeback < ... < reserved, the hardest
 * to clear last); the highest among a cell's pageblocks is shown */
int kf_top_memmap_rank(enum kf_block_kind k);

/*
 * The cells of map m for rows x cols (zone headers included in rows),
 * locked pages of gi's protected processes (their PFNs now) marked; m NULL
 * leaves it unavailable. 0, or -1 (ENOMEM).
 */
int kf_top_memmap_build(struct kf_top_memmap *mm, const struct kf_memmap *m,
			const struct kf_guard_input *gi, uint64_t page_size, int rows, int cols);
void kf_top_memmap_release(struct kf_top_memmap *mm);

struct kf_top_view {
	struct kf_top_source src;
	struct kf_top_policy policy;
	double dt;			/* seconds the rates are over */
	bool rates_known;		/* false: no meaningful interval yet, rates are NAN ("-") */
	uint64_t page_size;		/* bytes of a page, for the units (u) */
	double refresh_s;
	bool paused;
	uint64_t events, lost;
	bool lost_unknown;
	double events_ps, lost_ps;
	double span_s;			/* trace time covered by the counts */

	int nr_mt;
	char mt_names[KF_MAX_MIGRATETYPES][KF_MT_NAME_LEN];
	int pageblock_order;

	struct kf_top_zone *zones;
	int nr_zones;
	bool no_memstate;		/* a trace with none: KF_NO_MEMSTATE_NOTE */

	struct kf_top_cpu *cpus;
	int nr_cpus;
	/* pages refilled into row CPU i's pcp lists and drained by column CPU j:
	 * [i * nr_cpus + j], totals and per second */
	uint64_t *xdrain;		/* NULL when too many CPUs to draw it */
	double *xdrain_ps;
	uint64_t *xdrain_best;		/* per row: pages its xdrain_peer drained */
	double alloc_ps, free_ps;	/* sums over CPUs */

	struct kf_top_frag frag_total;
	struct kf_top_frag *frags;	/* non-empty migratetype pairs, most fallbacks first */
	int nr_frags;

	struct kf_top_episode *episodes;	/* running first, then newest first */
	int nr_episodes;		/* shown (at most KF_TOP_MAX_EPISODES) */
	int episodes_total;		/* kept by the engine */
	uint64_t episodes_dropped;
	int episodes_running;
	uint64_t kcompactd_wakes, kcompactd_sleeps, direct_attempts, deferred;
	uint64_t kcompactd_requested;	/* wakeups tasks asked for (wakeup_kcompactd) */
	double kcompactd_wakes_ps, direct_attempts_ps;
	uint64_t compact_migrated, compact_failed;
	double compact_migrated_ps, compact_failed_ps;
	struct kf_top_migrate *migrate;	/* by reason, modes summed */
	int nr_migrate;
	uint64_t migration_faults;	/* user page faults while migration ran */

	struct kf_top_proc *procs;	/* sorted as the state says */
	int nr_procs;
	enum kf_top_pcol sort_col;
	bool sort_ascending;		/* the order shown, smallest first */

	bool have_guard;		/* a guard ran (result given) */
	struct kf_top_alert *alerts;	/* most severe first */
	int nr_alerts;
	int nr_unacked;
	enum kf_severity worst_unacked;	/* KF_SEV_OK when none */
	struct kf_top_protected *protected_procs;
	int nr_protected;
	bool guard_offline;		/* from a recorded trace: no VmLck, no PFNs */
	/* processes with 1 MiB or more locked that the guard does not protect
	 * (the VM's pid 1, a database): one line names the largest */
	int nr_unprotected;
	struct kf_guard_candidate largest_unprotected;

	struct kf_top_memmap memmap;	/* built only while shown */
	struct kf_findings findings;	/* a copy of the measurement's, worst first */
	bool have_findings;		/* false: none were evaluated */
};

struct kf_top_input {
	const struct kf_snapshot *prev;	/* NULL: the counts start at zero */
	const struct kf_snapshot *cur;
	const struct kf_memstate *mem;	/* may be NULL */
	bool no_memstate;		/* NULL because the trace carries none */
	const struct kf_memstate *mem_prev;	/* for the indices' trends; may be NULL */
	const struct kf_guard_result *guard;	/* NULL: no guard ran */
	const struct kf_guard_input *guard_in;	/* protected processes; may be NULL */
	const struct kf_findings *findings;	/* may be NULL */
	const struct kf_zone_order_now *huge_now;	/* per zone; may be NULL */
	int nr_huge_now;
	const struct kf_symbols *syms;
	const struct kf_top_policy *policy;
	const struct kf_top_source *source;
	double dt;			/* seconds between prev and cur */
	int nr_cpus;			/* CPUs shown at least (a reset engine has seen none) */

	/* the memory map view, when the state shows it */
	const struct kf_memmap *memmap;	/* NULL: not read (yet) */
	const char *memmap_error;	/* why not; NULL or "" while pending */
	double memmap_age_s, memmap_every_s, memmap_cpu_s;
	bool memmap_saved;		/* the map a recording saved, not a scan */
	uint64_t page_size;		/* bytes; 0: 4096 */
	int map_rows, map_cols;		/* the room the UI gives (kf_top_ui_map_area) */
};

/* builds v (released first if it held a view); 0 or -1 (ENOMEM) */
int kf_top_view_build(struct kf_top_view *v, const struct kf_top_input *in,
		      const struct kf_top_state *st);
void kf_top_view_release(struct kf_top_view *v);
/* the guard's part of v (top_model_guard.c): 0 or -1 (ENOMEM) */
int kf_top_guard_build(struct kf_top_view *v, const struct kf_top_input *in, const struct kf_top_state *st);

/* ---- the drawing side (src/top_ui.c) ---------------------------------- */

struct kf_top_ui_config {
	bool color;			/* false: NO_COLOR, or --no-color */
	bool ascii;			/* no UTF-8 line and arrow glyphs */
};

/* registers the terminal restore with the one owner of signals
 * (kf_signals.h), ranked before the live source's cleanup; before initscr */
void kf_top_ui_signals(void);
/* the first SIGINT/SIGTERM/SIGHUP seen (0 none) */
int kf_top_ui_signal(void);
/* false (err says why) for a terminal curses cannot draw on (TERM=dumb):
 * asked before anything is read or written to it */
bool kf_top_ui_usable(char *err, size_t errlen);
int kf_top_ui_start(const struct kf_top_ui_config *cfg, char *err, size_t errlen);
void kf_top_ui_stop(void);
/* waits up to timeout_ms for a key; KF_KEY_NONE when none came */
int kf_top_ui_key(int timeout_ms);
void kf_top_ui_draw(const struct kf_top_view *v, const struct kf_top_state *st,
		    struct kf_top_geometry *geo);
/* the room the memory map view gives zone headers and cells at the
 * terminal's size now: lines and columns (0 when curses is not up) */
void kf_top_ui_map_area(int *rows, int *cols);

#endif
