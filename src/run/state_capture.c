/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory state of the machine, read into an archive that kfrag record
 * stores in its trace.dat (kf_state.h): what a report of the recording
 * needs to show the recorded machine rather than the one it is read on.
 * Acquisition, so in the run layer: the record front end reads no /proc
 * file itself.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kf_memmap.h"
#include "kf_proc.h"
#include "kf_run.h"
#include "kf_state.h"

/* no /proc file kfrag reads comes near this */
#define STATE_FILE_MAX	(16u << 20)

static void append(struct kf_state_archive *a, const void *p, size_t n)
{
	if (a->err)
		return;
	if (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 65536;
		char *nb;

		while (cap < a->len + n + 1)
			cap *= 2;
		nb = realloc(a->buf, cap);
		if (!nb) {
			a->err = ENOMEM;
			return;
		}
		a->buf = nb;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

void kf_state_add(struct kf_state_archive *a, const char *rel, const char *data, size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "file %s %zu\n", rel, len);

	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	append(a, head, n);
	append(a, data, len);
	append(a, "\n", 1);
}

/* procfs and sysfs files say size 0: read to EOF; NUL-terminated */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t cap = 8192, n = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap || !buf) {
			char *nb = n < STATE_FILE_MAX ? realloc(buf, buf ? (cap *= 2) : cap) : NULL;

			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* ROOT/REL into the archive under REL, when it can be read */
static bool add_file(struct kf_state_archive *a, const char *root, const char *rel)
{
	char path[4096];
	size_t len = 0;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", strcmp(root, "/") ? root : "", rel);
	buf = slurp(path, &len);
	if (!buf)
		return false;
	kf_state_add(a, rel, buf, len);
	free(buf);
	return true;
}

/* every readable file of ROOT/proc/sys/vm (compact_memory and drop_caches
 * are write-only and fail to read) */
static void add_vm_sysctls(struct kf_state_archive *a, const char *root)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc/sys/vm", strcmp(root, "/") ? root : "");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char rel[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "proc/sys/vm/%s", de->d_name);
		add_file(a, root, rel);
	}
	closedir(d);
}

/* does /proc/PID/status say the process has locked memory or is a sched_ext
 * scheduler (scx_*)? the processes the guard protects */
static bool protected_candidate(const char *status)
{
	const char *lck = strstr(status, "\nVmLck:");
	const char *name = strncmp(status, "Name:", 5) == 0 ? status + 5 : NULL;

	while (name && (*name == ' ' || *name == '\t'))
		name++;
	if (name && strncmp(name, "scx_", 4) == 0)
		return true;
	return lck && strtoull(lck + 7, NULL, 10) > 0;
}

static void add_protected(struct kf_state_archive *a, const char *root)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc", strcmp(root, "/") ? root : "");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char rel[300];
		size_t len;
		char *status;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/proc/%s/status", strcmp(root, "/") ? root : "", de->d_name);
		status = slurp(path, &len);
		if (!status)
			continue;	/* exited meanwhile */
		if (!memchr(status, '\0', len) && protected_candidate(status)) {
			snprintf(rel, sizeof(rel), "proc/%s/status", de->d_name);
			kf_state_add(a, rel, status, len);
			snprintf(rel, sizeof(rel), "proc/%s/stat", de->d_name);
			add_file(a, root, rel);
		}
		free(status);
	}
	closedir(d);
}

/* the memory map's summary and map, as report --memmap prints it (root),
 * read the way report and top read it */
static void add_memmap(struct kf_state_archive *a, const char *root)
{
	struct kf_memmap *m = NULL;
	char err[512];
	bool saved;
	json_t *j;
	char *text;

	if (kf_run_memmap_read(root, NULL, &m, &saved, err, sizeof(err)) < 0)
		return;
	j = kf_memmap_json(m, true);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (text)
		kf_state_add(a, KF_STATE_MEMMAP, text, strlen(text));
	else
		a->err = ENOMEM;
	free(text);
	json_decref(j);
	kf_memmap_free(m);
}

int kf_state_capture(const char *root, const char *moment, bool memmap, struct kf_state_archive *a)
{
	static const char *const files[] = {
		"proc/zoneinfo", "proc/buddyinfo", "proc/pagetypeinfo", "proc/vmstat",
		"proc/meminfo", "proc/uptime", "proc/sys/kernel/osrelease",
		"sys/kernel/sched_ext/state", "sys/kernel/sched_ext/root/ops",
	};
	char head[128];
	struct timespec now;

	memset(a, 0, sizeof(*a));
	if (!root || !*root)
		root = "/";
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(head, sizeof(head), "%s%s\ntime %.3f\n", KF_STATE_MAGIC, moment,
		 now.tv_sec + now.tv_nsec / 1e9);
	append(a, head, strlen(head));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		add_file(a, root, files[i]);
	add_vm_sysctls(a, root);
	add_protected(a, root);
	if (memmap)
		add_memmap(a, root);
	append(a, "end\n", 4);
	if (a->err) {
		kf_state_archive_release(a);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void kf_state_archive_release(struct kf_state_archive *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}
