/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a saved-state archive (kf_state.h) back into files: each entry
 * under DIR/MOMENT/PATH, where PATH must be relative and stay inside (no
 * "..", no absolute path, no empty component): the archive comes from a
 * file someone handed us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf_state.h"
#include "kf_tempdir.h"

static bool safe_rel(const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		return false;
	while (*c) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '/')
			c++;
	}
	return c[-1] != '/';
}

/* mkdir -p of every directory above the file below the first skip bytes
 * of path, which exist already */
static int make_parents(char *path, size_t skip)
{
	for (char *s = strchr(path + skip + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* the length of the directory part two paths share, up to a '/' */
static size_t common_dir(const char *a, const char *b)
{
	size_t n = 0, dir = 0;

	for (; a[n] && a[n] == b[n]; n++)
		if (a[n] == '/')
			dir = n;
	return dir;
}

/* made (static): the last file's path, whose directories all exist; the
 * archive lists the files of a directory together, so most need no mkdir */
static int write_entry(const char *dir, const char *moment, const char *rel, const char *data,
		       size_t len, char *made, size_t made_len, char *err, size_t errlen)
{
	char *path;
	int fd, ret = 0;

	if (asprintf(&path, "%s/%s/%s", dir, moment, rel) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = make_parents(path, common_dir(path, made)) < 0 ? -1 :
	     open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	snprintf(made, made_len, "%s", fd >= 0 ? path : "");
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* one "file PATH LENGTH\n" header at *p; the data follows */
static int parse_file_header(const char **p, const char *end, char *rel, size_t rellen,
			     size_t *len)
{
	const char *nl = memchr(*p, '\n', end - *p);
	unsigned long long n;
	int used = 0;
	char line[600];

	if (!nl || (size_t)(nl - *p) >= sizeof(line))
		return -1;
	memcpy(line, *p, nl - *p);
	line[nl - *p] = '\0';
	if (sscanf(line, "file %511s %llu%n", rel, &n, &used) != 2 || line[used] || strlen(rel) >= rellen)
		return -1;
	*p = nl + 1;
	if (n > (size_t)(end - *p) || (size_t)(end - *p) - n < 1 || (*p)[n] != '\n')
		return -1;
	*len = n;
	return 0;
}

const char *kf_state_extract(const char *data, size_t len, const char *dir, double *time,
			     int *nr_files, char *err, size_t errlen)
{
	static char moment[16];
	const char *p = data, *end = data + len;
	char rel[512], made[1024] = "";
	size_t n;

	*nr_files = 0;
	if (len < sizeof(KF_STATE_MAGIC) || memcmp(p, KF_STATE_MAGIC, strlen(KF_STATE_MAGIC)) ||
	    sscanf(p + strlen(KF_STATE_MAGIC), "%15[a-z]\ntime %lf\n", moment, time) != 2 ||
	    (strcmp(moment, "start") && strcmp(moment, "end"))) {
		snprintf(err, errlen, "kfrag's saved state does not start with \"%sstart|end\" and a time",
			 KF_STATE_MAGIC);
		return NULL;
	}
	for (int skip = 0; skip < 2; skip++) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl) {
			snprintf(err, errlen, "kfrag's saved state ends in its first lines");
			return NULL;
		}
		p = nl + 1;
	}
	while (p < end && strncmp(p, "end\n", 4)) {
		if (parse_file_header(&p, end, rel, sizeof(rel), &n) < 0 || !safe_rel(rel)) {
			snprintf(err, errlen, "kfrag's saved state (%s): a bad entry at byte %zu",
				 moment, (size_t)(p - data));
			return NULL;
		}
		if (write_entry(dir, moment, rel, p, n, made, sizeof(made), err, errlen) < 0)
			return NULL;
		p += n + 1;
		(*nr_files)++;
	}
	if (p >= end) {
		snprintf(err, errlen, "kfrag's saved state (%s) has no end line", moment);
		return NULL;
	}
	return moment;
}

void kf_saved_state_release(struct kf_saved_state *st)
{
	kf_tempdir_remove(st->dir);
	free(st->dir);
	free(st->start_root);
	free(st->end_root);
	memset(st, 0, sizeof(*st));
}
