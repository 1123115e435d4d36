/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live source's instance, from creation to removal (kf_live_priv.h). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "kf_live_cleanup.h"
#include "kf_live_priv.h"

void live_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- privileges and tracefs --------------------------------------------- */

bool live_has_cap(int cap)
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
int live_ensure_tracefs(struct kf_live *l, char *err, size_t errlen)
{
	const char *dir;

	if (!tracefs_mounted()) {
		if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL) < 0) {
			live_seterr(err, errlen, "tracefs is not mounted and could not be mounted at "
			       TRACEFS_DEFAULT ": %s; mount it with 'mount -t tracefs nodev "
			       TRACEFS_DEFAULT "'", strerror(errno));
			return -1;
		}
		l->mounted = strdup(TRACEFS_DEFAULT);
		kf_cleanup_set_unmount(TRACEFS_DEFAULT);
	}
	dir = tracefs_tracing_dir();
	if (!dir) {
		live_seterr(err, errlen, "tracefs is mounted but libtracefs cannot find it; "
		       "mount it at " TRACEFS_DEFAULT);
		return -1;
	}
	l->tracing_dir = strdup(dir);
	return l->tracing_dir ? 0 : -1;
}

void live_unmount_ours(struct kf_live *l)
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
void live_reap_stale(const char *tracing_dir)
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

int live_create_instance(struct kf_live *l, char *err, size_t errlen)
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
			live_seterr(err, errlen, "cannot register %s for removal at exit: %s", dir,
			       strerror(errno));
			return -1;
		}
		l->inst = tracefs_instance_create(name);
		if (!l->inst) {
			int e = errno;

			kf_cleanup_del_instance(l->slot);
			l->slot = -1;
			if (e == EACCES || e == EPERM)
				live_seterr(err, errlen, "kfrag needs root (or CAP_SYS_ADMIN/CAP_PERFMON) "
				       "to trace: run it as root");
			else
				live_seterr(err, errlen, "cannot create the tracefs instance %s: %s", dir,
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
		live_seterr(err, errlen, "cannot create a tracefs instance kfrag-%d: all names taken",
		       (int)getpid());
		return -1;
	}
	l->name = strdup(name);
	l->inst_dir = tracefs_instance_get_dir(l->inst);
	if (!l->name || !l->inst_dir) {
		live_seterr(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void live_destroy_instance(struct kf_live *l)
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

size_t live_default_buffer_kb(int nr_cpus)
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

/* larger sub-buffers of the instance's ring buffer (kernels from 6.8 have
 * buffer_subbuf_size_kb); where the kernel refuses, the page it has */
void live_set_subbuf_size(struct kf_live *l)
{
	long long kb = 0;
	char val[32];

	snprintf(val, sizeof(val), "%d", SUBBUF_KB);
	if (tracefs_instance_file_write(l->inst, "buffer_subbuf_size_kb", val) > 0 &&
	    tracefs_instance_file_read_number(l->inst, "buffer_subbuf_size_kb", &kb) == 0 &&
	    kb * 1024 > l->page_size && kb <= SUBBUF_KB) {
		l->page_size = (int)kb * 1024;
		l->fmt.page_size = l->page_size;
	}
}

int live_choose_events(struct kf_live *l, const struct kf_live_config *cfg,
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
		live_seterr(err, errlen, "this kernel has no event %s:%s (%s)", kf_event_names[t].system,
		       kf_event_names[t].name, config_hint(kf_event_names[t].system));
		return -1;
	}
	for (int t = 0; t < KF_EV_OTHER; t++)
		if (l->enabled[t])
			return 0;
	live_seterr(err, errlen, "none of the requested events exists in this kernel");
	return -1;
}

int live_set_fault_filter(struct kf_live *l, const struct kf_live_config *cfg,
			    char *err, size_t errlen)
{
	size_t cap = 32 + (size_t)cfg->nr_fault_pids * 32, len = 0;
	char *filter;
	int ret;

	if (cfg->nr_fault_pids <= 0 || !l->enabled[KF_EV_PAGE_FAULT_USER])
		return 0;
	filter = malloc(cap);
	if (!filter) {
		live_seterr(err, errlen, "out of memory");
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
		live_seterr(err, errlen, "cannot set the filter '%s' on exceptions:page_fault_user in %s: %s",
		       filter, l->inst_dir, strerror(errno));
	free(filter);
	return ret < 0 ? -1 : 0;
}

int live_enable_events(struct kf_live *l, char *err, size_t errlen)
{
	for (int t = 0; t < KF_EV_OTHER; t++) {
		if (!l->enabled[t])
			continue;
		if (tracefs_event_enable(l->inst, kf_event_names[t].system, kf_event_names[t].name) < 0) {
			live_seterr(err, errlen, "cannot enable %s:%s in %s: %s", kf_event_names[t].system,
			       kf_event_names[t].name, l->inst_dir, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int live_load_formats(struct kf_live *l, struct kf_symbols *syms, char *err, size_t errlen)
{
	char *buf;
	int len = 0;

	/* only the formats of our events: tracefs_local_events_system() would
	 * also parse every other event of the systems and all of kallsyms */
	l->tep = tep_alloc();
	if (!l->tep) {
		live_seterr(err, errlen, "out of memory");
		return -1;
	}
	tep_set_file_bigendian(l->tep, tep_is_local_bigendian(l->tep) ? TEP_BIG_ENDIAN
				    : TEP_LITTLE_ENDIAN);
	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!buf || tep_parse_header_page(l->tep, buf, len, sizeof(long)) < 0) {
		live_seterr(err, errlen, "cannot read %s/events/header_page: %s", l->tracing_dir,
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
			live_seterr(err, errlen, "cannot read the format of %s:%s in %s/events: %s", sys,
			       name, l->tracing_dir, strerror(errno));
			return -1;
		}
		/* a print format libtraceevent cannot parse still leaves the
		 * fields, which is all the decoder reads */
		tep_parse_event(l->tep, buf, len, sys);
		free(buf);
		if (!tep_find_event_by_name(l->tep, sys, name)) {
			live_seterr(err, errlen, "cannot parse the format of %s:%s in %s/events", sys, name,
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
	l->fmt.long_size = l->long_size;
	l->fmt.page_size = l->page_size;
	l->dec = kf_decoder_create(l->tep, syms);
	if (!l->dec) {
		live_seterr(err, errlen, "cannot prepare the event decoder: %s", strerror(errno));
		return -1;
	}
	/* the live reader names tasks from /proc first (live_ring.c) */
	kf_decoder_skip_comms(l->dec);
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

int live_count_cpus(struct kf_live *l, char *err, size_t errlen)
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
		live_seterr(err, errlen, "%s has no per_cpu buffers", l->inst_dir);
		return -1;
	}
	l->nr_cpus = max_cpu + 1;
	l->cpus = calloc(l->nr_cpus, sizeof(*l->cpus));
	l->pfds = calloc(l->nr_cpus, sizeof(*l->pfds));
	l->cursors = calloc(l->nr_cpus, sizeof(*l->cursors));
	l->merge.heap = calloc(l->nr_cpus, sizeof(*l->merge.heap));
	if (!l->cpus || !l->pfds || !l->cursors || !l->merge.heap) {
		live_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < l->nr_cpus; c++) {
		l->cpus[c].cpu = l->cpus[c].cur.cpu = c;
		live_cursor_init(l, &l->cpus[c]);
		l->cpus[c].fd = l->cpus[c].stats_fd = l->cpus[c].raw_fd = -1;
	}
	return 0;
}

int live_open_cpus(struct kf_live *l, const struct kf_live_config *cfg, char *err, size_t errlen)
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
			live_seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		kf_cleanup_add_fd(l->slot, lc->fd);
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", l->inst_dir, c);
		lc->stats_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lc->stats_fd >= 0)
			kf_cleanup_add_fd(l->slot, lc->stats_fd);
		lc->tcpu = tracefs_cpu_alloc_fd(lc->fd, l->page_size, true);
		/* the pages are this host's: the cursor walks them without kbuffer */
		lc->cur.long_size = l->long_size;
		if (!lc->tcpu) {
			live_seterr(err, errlen, "out of memory");
			return -1;
		}
		if (cfg->keep_raw) {
			lc->raw_fd = open_raw_spool(raw_dir);
			if (lc->raw_fd < 0) {
				live_seterr(err, errlen, "cannot create a temporary file in %s for the raw "
				       "pages: %s", raw_dir, strerror(errno));
				return -1;
			}
		}
		l->cursors[l->nr_cursors++] = &lc->cur;
		l->pfds[l->nr_pfds].fd = lc->fd;
		l->pfds[l->nr_pfds].events = POLLIN;
		l->nr_pfds++;
	}
	return 0;
}

void live_close_cpus(struct kf_live *l)
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
		for (int i = lc->q_head; i < lc->q_len; i++)
			free(lc->q[i]);
		free(lc->q);
	}
	free(l->cpus);
	l->cpus = NULL;
}

