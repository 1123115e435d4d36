/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source: kfrag's own tracefs instance, read as raw per-CPU
 * ring-buffer pages (trace_pipe_raw), decoded by kf_decoder.
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
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "kf_decode.h"
#include "kf_live.h"
#include "kf_live_cleanup.h"
#include "kf_tracedat_write.h"
#include "kf_util.h"

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
#define MAX_FREE_PAGES 4096

/* ring-buffer page header: commit flags (kernel ring_buffer.c) */
#define RB_MISSED_EVENTS (1UL << 31)
#define RB_MISSED_STORED (1UL << 30)
#define RB_COMMIT_MASK ((1UL << 27) - 1)

struct comm_entry {
	int pid;		/* 0 = empty */
	uint64_t read_ts;	/* trace time of the /proc read: names change at exec */
	char comm[KF_COMM_LEN];
};

/* a name read from /proc is read again after this long (trace time, ns) */
#define COMM_TTL_NS (1000ULL * 1000 * 1000)

struct live_cpu {
	int cpu;
	int fd;				/* trace_pipe_raw, -1 = no such CPU */
	int stats_fd;
	struct tracefs_cpu *tcpu;
	struct kbuffer *kbuf;
	void **q;			/* pages read and not yet fed, oldest first */
	int q_head, q_len, q_cap;
	void *cur;			/* the next record to feed, in q[q_head] */
	unsigned long long cur_ts;
	int cur_size;
	int raw_fd;			/* keep_raw: the pages, as read */
	uint64_t raw_size;
	uint64_t missed, events, pages, lost_fed;
	bool unknown_missed;		/* a page said "lost some" without a count */
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
	struct live_cpu **heap;		/* feed(): CPUs by their next record */
	int nr_heap;
	void **free_pages;
	int nr_free;
	int max_pages_per_poll;
	size_t buffer_kb;
	bool enabled[KF_EV_NR];
	char fault_note[256];		/* faults_optional: why page faults are not traced */
	bool keep_raw;
	bool tracing;
	struct comm_entry *comms;
	int last_pid;
	const char *last_comm;
	char error[512];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- privileges and tracefs --------------------------------------------- */

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

static bool tracefs_mounted(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char dev[256], mnt[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) == 3 && !strcmp(type, "tracefs"))
			found = true;
	}
	fclose(f);
	return found;
}

/* mounts tracefs before libtracefs looks (it would mount it itself, and
 * kfrag could then not know to unmount it) */
static int ensure_tracefs(struct kf_live *l, char *err, size_t errlen)
{
	const char *dir;

	if (!tracefs_mounted()) {
		if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL) < 0) {
			seterr(err, errlen, "tracefs is not mounted and could not be mounted at "
			       TRACEFS_DEFAULT ": %s; mount it with 'mount -t tracefs nodev "
			       TRACEFS_DEFAULT "'", strerror(errno));
			return -1;
		}
		l->mounted = strdup(TRACEFS_DEFAULT);
		kf_cleanup_set_unmount(TRACEFS_DEFAULT);
	}
	dir = tracefs_tracing_dir();
	if (!dir) {
		seterr(err, errlen, "tracefs is mounted but libtracefs cannot find it; "
		       "mount it at " TRACEFS_DEFAULT);
		return -1;
	}
	l->tracing_dir = strdup(dir);
	return l->tracing_dir ? 0 : -1;
}

static void unmount_ours(struct kf_live *l)
{
	if (!l->mounted)
		return;
	if (umount2(l->mounted, 0) < 0 && errno != EBUSY)
		fprintf(stderr, "kfrag: cannot unmount %s: %s\n", l->mounted, strerror(errno));
	kf_cleanup_set_unmount(NULL);
	free(l->mounted);
	l->mounted = NULL;
}

/* ---- instances ---------------------------------------------------------- */

/* "kfrag-<pid>" or "kfrag-<pid>-<n>" → pid, else 0 */
static int instance_pid(const char *name)
{
	const char *p = name;
	long pid;
	char *end;

	if (strncmp(p, "kfrag-", 6))
		return 0;
	p += 6;
	if (!isdigit((unsigned char)*p))
		return 0;
	pid = strtol(p, &end, 10);
	if (*end == '-') {
		char *end2;

		if (!isdigit((unsigned char)end[1]))
			return 0;
		strtol(end + 1, &end2, 10);
		end = end2;
	}
	if (*end || pid <= 0 || pid > INT_MAX)
		return 0;
	return (int)pid;
}

/* instances of kfrag processes that died without cleaning up (SIGKILL, a
 * power cut of the process) */
static void reap_stale(const char *tracing_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/instances", tracing_dir);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		int pid = instance_pid(de->d_name);

		if (!pid || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", tracing_dir, de->d_name);
		if (rmdir(path) < 0)
			fprintf(stderr, "kfrag: cannot remove the stale instance %s of dead pid %d: %s\n",
				path, pid, strerror(errno));
	}
	closedir(dir);
}

static int create_instance(struct kf_live *l, char *err, size_t errlen)
{
	char name[64], dir[PATH_MAX];

	for (int n = 1; n < 100 && !l->inst; n++) {
		if (n == 1)
			snprintf(name, sizeof(name), "kfrag-%d", (int)getpid());
		else
			snprintf(name, sizeof(name), "kfrag-%d-%d", (int)getpid(), n);
		snprintf(dir, sizeof(dir), "%s/instances/%s", l->tracing_dir, name);
		/* someone else's (another pid namespace) or our own second source */
		if (access(dir, F_OK) == 0)
			continue;
		/* registered before it exists: a signal between mkdir and here
		 * would otherwise leave it behind */
		l->slot = kf_cleanup_add_instance(dir);
		if (l->slot < 0) {
			seterr(err, errlen, "cannot register %s for removal at exit: %s", dir,
			       strerror(errno));
			return -1;
		}
		l->inst = tracefs_instance_create(name);
		if (!l->inst) {
			int e = errno;

			kf_cleanup_del_instance(l->slot);
			l->slot = -1;
			if (e == EACCES || e == EPERM)
				seterr(err, errlen, "kfrag needs root (or CAP_SYS_ADMIN/CAP_PERFMON) "
				       "to trace: run it as root");
			else
				seterr(err, errlen, "cannot create the tracefs instance %s: %s", dir,
				       strerror(e));
			return -1;
		}
		if (!tracefs_instance_is_new(l->inst)) {
			/* lost a race for the name: not ours to remove */
			kf_cleanup_del_instance(l->slot);
			l->slot = -1;
			tracefs_instance_free(l->inst);
			l->inst = NULL;
		}
	}
	if (!l->inst) {
		seterr(err, errlen, "cannot create a tracefs instance kfrag-%d: all names taken",
		       (int)getpid());
		return -1;
	}
	l->name = strdup(name);
	l->inst_dir = tracefs_instance_get_dir(l->inst);
	if (!l->name || !l->inst_dir) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void destroy_instance(struct kf_live *l)
{
	if (!l->inst)
		return;
	tracefs_trace_off(l->inst);
	tracefs_instance_file_write(l->inst, "events/enable", "0");
	for (int i = 0; i < 50; i++) {
		if (tracefs_instance_destroy(l->inst) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY) {
			fprintf(stderr, "kfrag: cannot remove the tracefs instance %s: %s\n",
				l->inst_dir, strerror(errno));
			break;
		}
		usleep(20000);	/* a reader of ours still closing */
	}
	kf_cleanup_del_instance(l->slot);
	l->slot = -1;
	tracefs_instance_free(l->inst);
	l->inst = NULL;
}

/* ---- configuration ------------------------------------------------------ */

static const char *config_hint(const char *system)
{
	if (!strcmp(system, "compaction"))
		return "CONFIG_COMPACTION?";
	if (!strcmp(system, "migrate"))
		return "CONFIG_MIGRATION?";
	if (!strcmp(system, "exceptions"))
		return "x86 only";
	return "CONFIG_TRACEPOINTS?";
}

/* KFRAG_TEST_HIDE_EVENT=system:name: the tests' stand-in for a kernel
 * without that event (exceptions:page_fault_user exists on x86 only) */
static bool event_hidden(enum kf_event_type t)
{
	const char *hide = getenv("KFRAG_TEST_HIDE_EVENT");
	char name[128];

	if (!hide || !hide[0])
		return false;
	snprintf(name, sizeof(name), "%s:%s", kf_event_names[t].system, kf_event_names[t].name);
	return strcmp(hide, name) == 0;
}

static bool event_exists(const struct kf_live *l, enum kf_event_type t)
{
	char path[PATH_MAX];

	if (event_hidden(t))
		return false;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", l->inst_dir,
		 kf_event_names[t].system, kf_event_names[t].name);
	return access(path, R_OK) == 0;
}

static size_t default_buffer_kb(int nr_cpus)
{
	size_t kb = DEFAULT_BUFFER_KB;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	/* at most 1/32 of RAM over all CPUs */
	if (pages > 0 && psize > 0 && nr_cpus > 0) {
		size_t cap = (size_t)pages / 32 / nr_cpus * (size_t)psize / 1024;

		if (kb > cap)
			kb = cap;
	}
	return kb < MIN_BUFFER_KB ? MIN_BUFFER_KB : kb;
}

static int choose_events(struct kf_live *l, const struct kf_live_config *cfg,
			 char *err, size_t errlen)
{
	bool want[KF_EV_NR] = { false };
	bool missing_ok = cfg->missing_ok;

	if (!cfg->events || cfg->nr_events <= 0) {
		for (int t = 0; t < KF_EV_OTHER; t++)
			want[t] = t != KF_EV_PAGE_FAULT_USER;
		missing_ok = true;
	} else {
		for (int i = 0; i < cfg->nr_events; i++)
			if (cfg->events[i] >= 0 && cfg->events[i] < KF_EV_OTHER)
				want[cfg->events[i]] = true;
	}
	/* fault pids mean the caller wants their faults */
	if (cfg->nr_fault_pids > 0)
		want[KF_EV_PAGE_FAULT_USER] = true;
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (!want[t])
			continue;
		if (event_exists(l, t)) {
			l->enabled[t] = true;
			continue;
		}
		if (missing_ok && !(t == KF_EV_PAGE_FAULT_USER && cfg->nr_fault_pids > 0))
			continue;
		if (t == KF_EV_PAGE_FAULT_USER && cfg->faults_optional) {
			snprintf(l->fault_note, sizeof(l->fault_note), "this kernel has no event %s:%s (%s)",
				 kf_event_names[t].system, kf_event_names[t].name,
				 config_hint(kf_event_names[t].system));
			continue;
		}
		seterr(err, errlen, "this kernel has no event %s:%s (%s)", kf_event_names[t].system,
		       kf_event_names[t].name, config_hint(kf_event_names[t].system));
		return -1;
	}
	for (int t = 0; t < KF_EV_OTHER; t++)
		if (l->enabled[t])
			return 0;
	seterr(err, errlen, "none of the requested events exists in this kernel");
	return -1;
}

static int set_fault_filter(struct kf_live *l, const struct kf_live_config *cfg,
			    char *err, size_t errlen)
{
	size_t cap = 32 + (size_t)cfg->nr_fault_pids * 32, len = 0;
	char *filter;
	int ret;

	if (cfg->nr_fault_pids <= 0 || !l->enabled[KF_EV_PAGE_FAULT_USER])
		return 0;
	filter = malloc(cap);
	if (!filter) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	filter[0] = '\0';
	for (int i = 0; i < cfg->nr_fault_pids; i++)
		len += snprintf(filter + len, cap - len, "%scommon_pid == %d", i ? " || " : "",
				cfg->fault_pids[i]);
	ret = tracefs_event_file_write(l->inst, "exceptions", "page_fault_user", "filter", filter);
	if (ret < 0 && cfg->faults_optional) {
		/* a filter the kernel refuses: trace on without page faults */
		snprintf(l->fault_note, sizeof(l->fault_note), "cannot set the filter on "
			 "exceptions:page_fault_user in %s: %s", l->inst_dir, strerror(errno));
		l->enabled[KF_EV_PAGE_FAULT_USER] = false;
		ret = 0;
	} else if (ret < 0)
		seterr(err, errlen, "cannot set the filter '%s' on exceptions:page_fault_user in %s: %s",
		       filter, l->inst_dir, strerror(errno));
	free(filter);
	return ret < 0 ? -1 : 0;
}

static int enable_events(struct kf_live *l, char *err, size_t errlen)
{
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (!l->enabled[t])
			continue;
		if (tracefs_event_enable(l->inst, kf_event_names[t].system, kf_event_names[t].name) < 0) {
			seterr(err, errlen, "cannot enable %s:%s in %s: %s", kf_event_names[t].system,
			       kf_event_names[t].name, l->inst_dir, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int load_formats(struct kf_live *l, struct kf_symbols *syms, char *err, size_t errlen)
{
	char *buf;
	int len = 0;

	/* only the formats of our events: tracefs_local_events_system() would
	 * also parse every other event of the systems and all of kallsyms */
	l->tep = tep_alloc();
	if (!l->tep) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	tep_set_file_bigendian(l->tep, tep_is_local_bigendian(l->tep) ? TEP_BIG_ENDIAN
				    : TEP_LITTLE_ENDIAN);
	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!buf || tep_parse_header_page(l->tep, buf, len, sizeof(long)) < 0) {
		seterr(err, errlen, "cannot read %s/events/header_page: %s", l->tracing_dir,
		       strerror(errno));
		free(buf);
		return -1;
	}
	free(buf);
	tep_set_long_size(l->tep, tep_get_header_page_size(l->tep));
	for (int t = 0; t < KF_EV_OTHER; t++) {
		const char *sys = kf_event_names[t].system, *name = kf_event_names[t].name;

		if (!l->enabled[t])
			continue;
		len = 0;
		buf = tracefs_event_file_read(NULL, sys, name, "format", &len);
		if (!buf) {
			seterr(err, errlen, "cannot read the format of %s:%s in %s/events: %s", sys,
			       name, l->tracing_dir, strerror(errno));
			return -1;
		}
		/* a print format libtraceevent cannot parse still leaves the
		 * fields, which is all the decoder reads */
		tep_parse_event(l->tep, buf, len, sys);
		free(buf);
		if (!tep_find_event_by_name(l->tep, sys, name)) {
			seterr(err, errlen, "cannot parse the format of %s:%s in %s/events", sys, name,
			       l->tracing_dir);
			return -1;
		}
	}
	tracefs_load_cmdlines(l->tracing_dir, l->tep);
	l->long_size = tep_get_header_page_size(l->tep);
	if (l->long_size != 4 && l->long_size != 8)
		l->long_size = sizeof(long);
	l->page_size = tep_get_sub_buffer_size(l->tep);
	if (l->page_size <= 0)
		l->page_size = getpagesize();
	l->dec = kf_decoder_create(l->tep, syms);
	if (!l->dec) {
		seterr(err, errlen, "cannot prepare the event decoder: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- per-CPU readers ---------------------------------------------------- */

static int open_raw_spool(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	/* unnamed: nothing to remove on any way out, SIGKILL included */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/.kfrag-raw-%d.XXXXXX", dir, (int)getpid());
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int count_cpus(struct kf_live *l, char *err, size_t errlen)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	char path[PATH_MAX];
	int max_cpu = -1;

	if (conf < 1)
		conf = 1;
	for (int c = 0; c < conf + 64; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d", l->inst_dir, c);
		if (access(path, F_OK) == 0)
			max_cpu = c;
		else if (c >= conf)
			break;
	}
	if (max_cpu < 0) {
		seterr(err, errlen, "%s has no per_cpu buffers", l->inst_dir);
		return -1;
	}
	l->nr_cpus = max_cpu + 1;
	l->cpus = calloc(l->nr_cpus, sizeof(*l->cpus));
	l->pfds = calloc(l->nr_cpus, sizeof(*l->pfds));
	l->heap = calloc(l->nr_cpus, sizeof(*l->heap));
	if (!l->cpus || !l->pfds || !l->heap) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		l->cpus[c].cpu = c;
		l->cpus[c].fd = l->cpus[c].stats_fd = l->cpus[c].raw_fd = -1;
	}
	return 0;
}

static int open_cpus(struct kf_live *l, const struct kf_live_config *cfg, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *raw_dir = cfg->raw_dir;

	if (cfg->keep_raw && !raw_dir) {
		raw_dir = getenv("TMPDIR");
		if (!raw_dir || !*raw_dir)
			raw_dir = "/tmp";
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		struct live_cpu *lc = &l->cpus[c];

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", l->inst_dir, c);
		lc->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (lc->fd < 0) {
			if (errno == ENOENT)
				continue;	/* a hole in the CPU numbering */
			seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		kf_cleanup_add_fd(l->slot, lc->fd);
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", l->inst_dir, c);
		lc->stats_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lc->stats_fd >= 0)
			kf_cleanup_add_fd(l->slot, lc->stats_fd);
		lc->tcpu = tracefs_cpu_alloc_fd(lc->fd, l->page_size, true);
		lc->kbuf = kbuffer_alloc(l->long_size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
					 KBUFFER_ENDIAN_SAME_AS_HOST);
		if (!lc->tcpu || !lc->kbuf) {
			seterr(err, errlen, "out of memory");
			return -1;
		}
		if (cfg->keep_raw) {
			lc->raw_fd = open_raw_spool(raw_dir);
			if (lc->raw_fd < 0) {
				seterr(err, errlen, "cannot create a temporary file in %s for the raw "
				       "pages: %s", raw_dir, strerror(errno));
				return -1;
			}
		}
		l->pfds[l->nr_pfds].fd = lc->fd;
		l->pfds[l->nr_pfds].events = POLLIN;
		l->nr_pfds++;
	}
	return 0;
}

static void close_cpus(struct kf_live *l)
{
	if (!l->cpus)
		return;
	for (int c = 0; c < l->nr_cpus; c++) {
		struct live_cpu *lc = &l->cpus[c];

		if (lc->tcpu)
			tracefs_cpu_free_fd(lc->tcpu);	/* leaves lc->fd open */
		if (lc->fd >= 0) {
			kf_cleanup_del_fd(l->slot, lc->fd);
			close(lc->fd);
		}
		if (lc->stats_fd >= 0) {
			kf_cleanup_del_fd(l->slot, lc->stats_fd);
			close(lc->stats_fd);
		}
		if (lc->raw_fd >= 0)
			close(lc->raw_fd);
		if (lc->kbuf)
			kbuffer_free(lc->kbuf);
		for (int i = lc->q_head; i < lc->q_len; i++)
			free(lc->q[i]);
		free(lc->q);
	}
	free(l->cpus);
	l->cpus = NULL;
}

/* ---- pages -------------------------------------------------------------- */

static void *page_get(struct kf_live *l)
{
	if (l->nr_free)
		return l->free_pages[--l->nr_free];
	return malloc(l->page_size);
}

static void page_put(struct kf_live *l, void *page)
{
	if (l->nr_free < MAX_FREE_PAGES) {
		if (!l->free_pages) {
			l->free_pages = malloc(MAX_FREE_PAGES * sizeof(*l->free_pages));
			if (!l->free_pages) {
				free(page);
				return;
			}
		}
		l->free_pages[l->nr_free++] = page;
	} else {
		free(page);
	}
}

static int q_push(struct live_cpu *lc, void *page)
{
	if (lc->q_head == lc->q_len)
		lc->q_head = lc->q_len = 0;
	if (lc->q_len == lc->q_cap) {
		if (lc->q_head > 0) {
			memmove(lc->q, lc->q + lc->q_head, (lc->q_len - lc->q_head) * sizeof(*lc->q));
			lc->q_len -= lc->q_head;
			lc->q_head = 0;
		} else {
			int cap = lc->q_cap ? lc->q_cap * 2 : 256;
			void **q = realloc(lc->q, cap * sizeof(*q));

			if (!q)
				return -1;
			lc->q = q;
			lc->q_cap = cap;
		}
	}
	lc->q[lc->q_len++] = page;
	return 0;
}

static uint64_t read_long(const struct kf_live *l, const void *p)
{
	if (l->long_size == 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* events the kernel dropped before this page: 0, n, or -1 (unknown count);
 * read from the header here because kbuffer only reports it when the page
 * does not start with a time extend */
static long long page_missed(const struct kf_live *l, const void *page)
{
	uint64_t commit = read_long(l, (const char *)page + 8);
	size_t data_off = 8 + l->long_size, size = commit & RB_COMMIT_MASK;

	if (!(commit & RB_MISSED_EVENTS))
		return 0;
	if ((commit & RB_MISSED_STORED) && data_off + size + l->long_size <= (size_t)l->page_size)
		return (long long)read_long(l, (const char *)page + data_off + size);
	return -1;
}

static bool page_partial(const struct kf_live *l, const void *page)
{
	uint64_t commit = read_long(l, (const char *)page + 8) & RB_COMMIT_MASK;

	/* room left for another record of the largest kind kfrag enables */
	return commit + 8 + l->long_size + 128 <= (uint64_t)l->page_size;
}

/* makes lc->cur the first record of the oldest queued page that has one */
static void load_next(struct kf_live *l, struct live_cpu *lc, const struct kf_sink *sink)
{
	lc->cur = NULL;
	while (lc->q_head < lc->q_len) {
		void *page = lc->q[lc->q_head];
		long long missed = page_missed(l, page);

		if (missed > 0) {
			lc->missed += missed;
			lc->lost_fed += missed;
			if (sink && sink->lost)
				sink->lost(sink->ctx, lc->cpu, missed);
		} else if (missed < 0) {
			/* a full page has no room for the count: the stats file
			 * has it (reconcile_lost) */
			lc->unknown_missed = true;
		}
		if (kbuffer_load_subbuffer(lc->kbuf, page) == 0) {
			lc->cur = kbuffer_read_event(lc->kbuf, &lc->cur_ts);
			if (lc->cur) {
				lc->cur_size = kbuffer_event_size(lc->kbuf);
				return;
			}
		}
		lc->q_head++;
		page_put(l, page);
	}
}

static void advance(struct kf_live *l, struct live_cpu *lc, const struct kf_sink *sink)
{
	lc->cur = kbuffer_next_event(lc->kbuf, &lc->cur_ts);
	if (lc->cur) {
		lc->cur_size = kbuffer_event_size(lc->kbuf);
		return;
	}
	page_put(l, lc->q[lc->q_head++]);
	load_next(l, lc, sink);
}

/* ---- comms -------------------------------------------------------------- */

/* the name of a live task from /proc, read again after COMM_TTL_NS since a
 * forked child's first events come before its exec renames it; NULL when
 * the task is gone */
static const char *comm_of(struct kf_live *l, int pid, uint64_t ts)
{
	unsigned h = ((unsigned)pid * 2654435761u) & (COMM_SLOTS - 1);
	struct comm_entry *e = NULL;
	char path[64];
	ssize_t n;
	int fd;

	if (pid <= 0)
		return NULL;
	if (!l->comms) {
		l->comms = calloc(COMM_SLOTS, sizeof(*l->comms));
		if (!l->comms)
			return NULL;
	}
	for (int i = 0; i < 8; i++) {
		struct comm_entry *c = &l->comms[(h + i) & (COMM_SLOTS - 1)];

		if (c->pid == pid && ts - c->read_ts < COMM_TTL_NS)
			return c->comm[0] ? c->comm : NULL;
		if (c->pid == pid || (!c->pid && !e))
			e = c;
		if (c->pid == pid)
			break;
	}
	if (!e)
		e = &l->comms[h];	/* evict */
	e->pid = pid;
	e->read_ts = ts;
	e->comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, e->comm, sizeof(e->comm) - 1);
	close(fd);
	if (n <= 0) {
		e->comm[0] = '\0';
		return NULL;
	}
	e->comm[n] = '\0';
	e->comm[strcspn(e->comm, "\n")] = '\0';
	return e->comm[0] ? e->comm : NULL;
}

/* ---- feeding ------------------------------------------------------------ */

static void emit(struct kf_live *l, struct live_cpu *lc, const struct kf_sink *sink)
{
	struct tep_record rec;
	struct kf_event ev;

	memset(&rec, 0, sizeof(rec));
	rec.ts = lc->cur_ts;
	rec.cpu = lc->cpu;
	rec.data = lc->cur;
	rec.size = lc->cur_size;
	rec.ref_count = 1;
	kf_decoder_decode(l->dec, &rec, &ev);
	/* /proc first: saved_cmdlines is global and keeps the names of pids
	 * long since recycled; it still names tasks that have exited */
	if (ev.pid != l->last_pid) {
		l->last_pid = ev.pid;
		l->last_comm = comm_of(l, ev.pid, ev.ts);
	}
	if (l->last_comm)
		ev.comm = l->last_comm;
	lc->events++;
	if (sink && sink->event)
		sink->event(sink->ctx, &ev);
}

static void heap_down(struct kf_live *l, int i)
{
	struct live_cpu **h = l->heap;

	for (;;) {
		int m = i, a = 2 * i + 1, b = a + 1;

		if (a < l->nr_heap && h[a]->cur_ts < h[m]->cur_ts)
			m = a;
		if (b < l->nr_heap && h[b]->cur_ts < h[m]->cur_ts)
			m = b;
		if (m == i)
			return;
		struct live_cpu *t = h[i];

		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* feeds queued records older than limit, oldest first across CPUs (a heap
 * of the CPUs by their next record: machines have hundreds of CPUs) */
static long feed(struct kf_live *l, const struct kf_sink *sink, unsigned long long limit)
{
	long n = 0;

	l->nr_heap = 0;
	for (int c = 0; c < l->nr_cpus; c++)
		if (l->cpus[c].cur)
			l->heap[l->nr_heap++] = &l->cpus[c];
	for (int i = l->nr_heap / 2 - 1; i >= 0; i--)
		heap_down(l, i);
	while (l->nr_heap && l->heap[0]->cur_ts < limit) {
		struct live_cpu *best = l->heap[0];

		emit(l, best, sink);
		advance(l, best, sink);
		if (!best->cur)
			l->heap[0] = l->heap[--l->nr_heap];
		heap_down(l, 0);
		n++;
	}
	return n;
}

/* the ring buffer's clock now, in record timestamp units; 0 = unknown */
static unsigned long long ring_now(struct kf_live *l)
{
	char buf[1024];
	ssize_t n = -1;
	char *p;

	for (int c = 0; c < l->nr_cpus && n < 0; c++)
		if (l->cpus[c].stats_fd >= 0)
			n = pread(l->cpus[c].stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "now ts:");
	if (!p)
		return 0;
	p += 7;
	unsigned long long sec = strtoull(p, &p, 10), usec = 0;

	if (*p != '.')
		return sec;	/* a counter clock (x86-tsc): raw units */
	usec = strtoull(p + 1, NULL, 10);
	return sec * 1000000000ULL + usec * 1000ULL;
}

static int spool(struct kf_live *l, struct live_cpu *lc, int first, int count)
{
	size_t done = 0, total = (size_t)count * l->page_size;

	while (done < total) {
		struct iovec iov[256];
		size_t page = done / l->page_size, in_page = done % l->page_size;
		int k = 0;
		ssize_t w;

		for (; k < 256 && page + k < (size_t)count; k++) {
			iov[k].iov_base = (char *)lc->q[first + page + k] + (k ? 0 : in_page);
			iov[k].iov_len = l->page_size - (k ? 0 : in_page);
		}
		w = writev(lc->raw_fd, iov, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			/* keep the spool a whole number of pages */
			if (ftruncate(lc->raw_fd, lc->raw_size) == 0)
				lseek(lc->raw_fd, lc->raw_size, SEEK_SET);
			snprintf(l->error, sizeof(l->error), "cannot keep the raw trace pages: %s",
				 strerror(e));
			errno = e;
			return -1;
		}
		done += w;
	}
	lc->raw_size += total;
	return 0;
}

/* reads up to max pages of a CPU into its queue; returns pages read or -1;
 * *last_ts is the start time of the last page read */
static int read_cpu(struct kf_live *l, struct live_cpu *lc, int max, const struct kf_sink *sink,
		    unsigned long long *last_ts)
{
	int n = 0, partial = 0;

	while (n < max) {
		void *page = page_get(l);
		int r;

		if (!page) {
			snprintf(l->error, sizeof(l->error), "out of memory reading the ring buffer");
			errno = ENOMEM;
			return -1;
		}
		r = tracefs_cpu_read(lc->tcpu, page, true);
		if (r <= 0) {
			int e = errno;

			page_put(l, page);
			if (r < 0 && e != EAGAIN && e != EINTR) {
				snprintf(l->error, sizeof(l->error), "cannot read %s/per_cpu/cpu%d/trace_pipe_raw: %s",
					 l->inst_dir, lc->cpu, strerror(e));
				errno = e;
				return -1;
			}
			break;
		}
		if (r < l->page_size)
			memset((char *)page + r, 0, l->page_size - r);
		if (q_push(lc, page) < 0) {
			page_put(l, page);
			snprintf(l->error, sizeof(l->error), "out of memory reading the ring buffer");
			errno = ENOMEM;
			return -1;
		}
		memcpy(last_ts, page, sizeof(*last_ts));
		n++;
		/* a page the writer is still filling: we caught up; chasing it
		 * would only cut it into slivers of a few records each. The
		 * first partial page may be the rest of a page read partly by
		 * the last poll, with full pages behind it: the second is the
		 * writer's. */
		if (page_partial(l, page)) {
			if (++partial == 2)
				break;
		} else {
			partial = 0;
		}
	}
	lc->pages += n;
	/* the n pages are the queue's last: q_push only ever appends */
	if (n && lc->raw_fd >= 0 && spool(l, lc, lc->q_len - n, n) < 0)
		return -1;
	if (!lc->cur)
		load_next(l, lc, sink);
	return n;
}

static int read_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st)
{
	struct live_cpu *lc = &l->cpus[cpu];
	char buf[1024];
	ssize_t n;

	if (lc->stats_fd < 0)
		return -1;
	n = pread(lc->stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long v;

		if (sscanf(line, "entries: %llu", &v) == 1)
			st->entries = v;
		else if (sscanf(line, "overrun: %llu", &v) == 1)
			st->overrun = v;
		else if (sscanf(line, "dropped events: %llu", &v) == 1)
			st->dropped = v;
	}
	return 0;
}

/* losses the pages did not count: the kernel's overrun and dropped counters
 * are the truth; hand the sink what it has not been told yet */
static void reconcile_lost(struct kf_live *l, const struct kf_sink *sink, bool all)
{
	for (int c = 0; c < l->nr_cpus; c++) {
		struct kf_live_cpu_stats st = { 0 };
		struct live_cpu *lc = &l->cpus[c];
		uint64_t lost;

		if (lc->fd < 0 || (!all && !lc->unknown_missed))
			continue;
		if (read_stats(l, c, &st) < 0) {
			if (lc->unknown_missed && sink && sink->lost)
				sink->lost(sink->ctx, c, -1);
			lc->unknown_missed = false;
			continue;
		}
		lc->unknown_missed = false;
		lost = st.overrun + st.dropped;
		if (lost > lc->lost_fed) {
			long long diff = (long long)(lost - lc->lost_fed);

			lc->lost_fed = lost;
			if (sink && sink->lost)
				sink->lost(sink->ctx, c, diff);
		}
	}
}

static long read_all(struct kf_live *l, const struct kf_sink *sink, bool flush)
{
	unsigned long long limit = ~0ULL;
	long fed = 0;

	if (!flush) {
		unsigned long long now = ring_now(l);

		if (now > HOLDBACK_MARGIN_NS)
			limit = now - HOLDBACK_MARGIN_NS;
	}
	for (;;) {
		bool more = false;

		for (int c = 0; c < l->nr_cpus; c++) {
			struct live_cpu *lc = &l->cpus[c];
			unsigned long long last_ts = 0;
			int n;

			if (lc->fd < 0)
				continue;
			n = read_cpu(l, lc, l->max_pages_per_poll, sink, &last_ts);
			if (n < 0)
				return -1;
			if (n == l->max_pages_per_poll) {
				/* this CPU has more: what it holds may be older than
				 * what the other CPUs gave */
				more = true;
				if (!flush && last_ts < limit)
					limit = last_ts;
			}
		}
		fed += feed(l, sink, flush ? ~0ULL : limit);
		reconcile_lost(l, sink, false);
		if (!flush || !more)
			break;
	}
	return fed;
}

long kf_live_poll(struct kf_live *l, const struct kf_sink *sink, int timeout_ms)
{
	l->error[0] = '\0';
	if (timeout_ms > 0 && l->nr_pfds > 0) {
		/* wakes up when a buffer is half full (the instance's buffer_percent)
		 * or on a signal */
		if (poll(l->pfds, l->nr_pfds, timeout_ms) < 0 && errno != EINTR) {
			snprintf(l->error, sizeof(l->error), "poll on the ring buffers failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	return read_all(l, sink, !l->tracing);
}

long kf_live_stop(struct kf_live *l, const struct kf_sink *sink)
{
	long fed;

	l->error[0] = '\0';
	if (l->tracing) {
		tracefs_trace_off(l->inst);
		l->tracing = false;
	}
	fed = read_all(l, sink, true);
	if (fed < 0)
		return -1;
	/* overruns no page announced: the buffer wrapped after the last read */
	reconcile_lost(l, sink, true);
	return fed;
}

/* ---- the rest of the API ------------------------------------------------ */

struct kf_live *kf_live_open(const struct kf_live_config *cfg, struct kf_symbols *syms,
			     char *err, size_t errlen)
{
	struct kf_live *l;
	size_t kb;

	if (geteuid() != 0 && !has_cap(CAP_SYS_ADMIN)) {
		seterr(err, errlen, "kfrag needs root (or CAP_SYS_ADMIN/CAP_PERFMON) to trace: "
		       "run it as root");
		errno = EPERM;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	l->slot = -1;
	l->last_pid = -1;
	l->keep_raw = cfg->keep_raw;
	if (ensure_tracefs(l, err, errlen) < 0)
		goto fail;
	reap_stale(l->tracing_dir);
	if (create_instance(l, err, errlen) < 0)
		goto fail;
	/* a new instance traces at once; nothing until it is set up */
	tracefs_trace_off(l->inst);
	if (choose_events(l, cfg, err, errlen) < 0)
		goto fail;
	if (load_formats(l, syms, err, errlen) < 0)
		goto fail;
	if (count_cpus(l, err, errlen) < 0)
		goto fail;
	/* resized before any reader has a file open in it */
	kb = cfg->buffer_kb ? cfg->buffer_kb : default_buffer_kb(l->nr_cpus);
	if (tracefs_instance_set_buffer_size(l->inst, kb, -1) < 0) {
		seterr(err, errlen, "cannot set %s/buffer_size_kb to %zu: %s (ask for a smaller buffer)",
		       l->inst_dir, kb, strerror(errno));
		goto fail;
	}
	l->buffer_kb = kb;
	l->max_pages_per_poll = (int)(kb * 1024 / (size_t)l->page_size);
	if (l->max_pages_per_poll < 16)
		l->max_pages_per_poll = 16;
	if (open_cpus(l, cfg, err, errlen) < 0)
		goto fail;
	if (set_fault_filter(l, cfg, err, errlen) < 0)
		goto fail;
	if (enable_events(l, err, errlen) < 0)
		goto fail;
	if (tracefs_trace_on(l->inst) < 0) {
		seterr(err, errlen, "cannot turn on %s/tracing_on: %s", l->inst_dir, strerror(errno));
		goto fail;
	}
	l->tracing = true;
	return l;
fail:
	kf_live_close(l);
	return NULL;
}

int kf_live_nr_cpus(const struct kf_live *l)
{
	return l->nr_cpus;
}

const char *kf_live_instance_name(const struct kf_live *l)
{
	return l->name;
}

bool kf_live_has_event(const struct kf_live *l, enum kf_event_type type)
{
	return type >= 0 && type < KF_EV_OTHER && l->enabled[type];
}

const char *kf_live_fault_note(const struct kf_live *l)
{
	return l->fault_note[0] ? l->fault_note : NULL;
}

int kf_live_run(struct kf_live *l, const struct kf_sink *sink, double duration,
		void (*tick)(void *ctx), void *ctx, double tick_s)
{
	double deadline = kf_monotonic_s() + duration;
	double next_tick = kf_monotonic_s() + tick_s;
	int ret = 0;

	while (!kf_live_interrupted()) {
		int timeout = 100;

		if (tick && kf_monotonic_s() >= next_tick) {
			tick(ctx);
			next_tick = kf_monotonic_s() + tick_s;
		}
		if (duration > 0) {
			double left = deadline - kf_monotonic_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		if (kf_live_poll(l, sink, timeout) < 0) {
			ret = -1;
			break;
		}
	}
	if (kf_live_stop(l, sink) < 0)
		ret = -1;
	return ret;
}

const char *kf_live_error(const struct kf_live *l)
{
	return l->error[0] ? l->error : "no error";
}

int kf_live_cpu_stats(struct kf_live *l, int cpu, struct kf_live_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (cpu < 0 || cpu >= l->nr_cpus) {
		errno = EINVAL;
		return -1;
	}
	st->missed = l->cpus[cpu].missed;
	st->events = l->cpus[cpu].events;
	st->pages = l->cpus[cpu].pages;
	if (l->cpus[cpu].fd < 0)
		return 0;
	return read_stats(l, cpu, st);
}

void kf_live_totals(struct kf_live *l, uint64_t *events, uint64_t *lost)
{
	uint64_t e = 0, lo = 0;

	for (int c = 0; c < l->nr_cpus; c++) {
		struct kf_live_cpu_stats st;

		kf_live_cpu_stats(l, c, &st);
		e += st.events;
		lo += st.missed > st.overrun + st.dropped ? st.missed : st.overrun + st.dropped;
	}
	if (events)
		*events = e;
	if (lost)
		*lost = lo;
}

static char *extra_cmdlines(struct kf_live *l)
{
	size_t cap = 1, len = 0;
	char *s;

	if (!l->comms)
		return NULL;
	for (int i = 0; i < COMM_SLOTS; i++)
		if (l->comms[i].pid && l->comms[i].comm[0])
			cap += 12 + strlen(l->comms[i].comm) + 1;
	s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < COMM_SLOTS; i++)
		if (l->comms[i].pid && l->comms[i].comm[0])
			len += snprintf(s + len, cap - len, "%d %s\n", l->comms[i].pid, l->comms[i].comm);
	return s;
}

int kf_live_write_tracedat(struct kf_live *l, const char *path, const struct kf_tracedat_option *options,
			   int nr_options, char *err, size_t errlen)
{
	const char *events[KF_EV_NR];
	char names[KF_EV_NR][96];
	struct kf_tracedat_cpu *cpus;
	char **stats;
	struct kf_tracedat_desc d;
	int nr = 0, ret;

	if (!l->keep_raw) {
		seterr(err, errlen, "the live source was opened without keep_raw");
		errno = EINVAL;
		return -1;
	}
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (!l->enabled[t])
			continue;
		snprintf(names[nr], sizeof(names[nr]), "%s/%s", kf_event_names[t].system,
			 kf_event_names[t].name);
		events[nr] = names[nr];
		nr++;
	}
	cpus = calloc(l->nr_cpus, sizeof(*cpus));
	stats = calloc(l->nr_cpus, sizeof(*stats));
	if (!cpus || !stats) {
		free(cpus);
		free(stats);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		struct live_cpu *lc = &l->cpus[c];
		char buf[1024];
		ssize_t n = -1;

		cpus[c].fd = lc->raw_fd;
		cpus[c].size = lc->raw_size;
		if (lc->stats_fd >= 0)
			n = pread(lc->stats_fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			stats[c] = strdup(buf);
		}
		cpus[c].stats = stats[c];
	}
	memset(&d, 0, sizeof(d));
	d.tracing_dir = l->tracing_dir;
	d.instance_dir = l->inst_dir;
	d.events = events;
	d.nr_events = nr;
	d.page_size = l->page_size;
	d.nr_cpus = l->nr_cpus;
	d.cpus = cpus;
	d.extra_cmdlines = extra_cmdlines(l);
	d.options = options;
	d.nr_options = nr_options;
	ret = kf_tracedat_write(path, &d, err, errlen);
	free((char *)d.extra_cmdlines);
	for (int c = 0; c < l->nr_cpus; c++)
		free(stats[c]);
	free(stats);
	free(cpus);
	return ret;
}

void kf_live_close(struct kf_live *l)
{
	if (!l)
		return;
	if (l->inst && l->tracing)
		tracefs_trace_off(l->inst);
	/* the kernel refuses to remove an instance with files open in it */
	close_cpus(l);
	destroy_instance(l);
	kf_decoder_destroy(l->dec);
	if (l->tep)
		tep_free(l->tep);
	unmount_ours(l);
	for (int i = 0; i < l->nr_free; i++)
		free(l->free_pages[i]);
	free(l->free_pages);
	free(l->comms);
	free(l->pfds);
	free(l->heap);
	free(l->name);
	if (l->inst_dir)
		tracefs_put_tracing_file(l->inst_dir);
	free(l->tracing_dir);
	free(l);
}
