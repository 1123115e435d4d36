// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where the readers find their files, and the small text tools they share:
 * load a file whole, walk it line by line and word by word, parse numbers
 * the way the kernel prints them, and report "PATH:LINE: what is wrong".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf_proc.h"

static char *path_join(const char *root, size_t rootlen, const char *mid, const char *name)
{
	size_t len = rootlen + strlen(mid) + strlen(name) + 2;
	char *p = malloc(len);

	if (!p)
		return NULL;
	snprintf(p, len, "%.*s/%s%s", (int)rootlen, root, mid, name);
	return p;
}

char *kf_proc_path(const char *root, const char *name)
{
	struct stat st;
	size_t rootlen;
	char *p;

	if (!name) {
		errno = EINVAL;
		return NULL;
	}
	if (!root || !*root)
		root = "/";
	/* "/" and "dir/" would give "//proc" and "dir//proc" */
	rootlen = strlen(root);
	while (rootlen > 0 && root[rootlen - 1] == '/')
		rootlen--;

	p = path_join(root, rootlen, "proc/", name);
	if (!p)
		return NULL;
	if (stat(p, &st) == 0)
		return p;
	/*
	 * A tree shaped like a root file system keeps the file under proc/
	 * even when this kernel lacks it: report that path, not ROOT/NAME.
	 */
	p[rootlen + 5] = '\0';
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
		p[rootlen + 5] = '/';
		return p;
	}
	free(p);
	return path_join(root, rootlen, "", name);
}

int kf_proc_fail(char *err, size_t errlen, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		n = snprintf(err, errlen, "%s:%d: ", path, line);
		if (n >= 0 && (size_t)n < errlen) {
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	errno = EINVAL;
	return -1;
}

static int text_check(struct kf_proc_text *t, char *err, size_t errlen)
{
	int line = 1;
	size_t i;

	for (i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->buf[i];

		if (c == '\n')
			line++;
		else if (c != '\t' && (c < 0x20 || c > 0x7e))
			return kf_proc_fail(err, errlen, t->path, line,
					    "byte 0x%02x is not text; not a kernel file", c);
	}
	if (t->len > 0 && t->buf[t->len - 1] != '\n')
		return kf_proc_fail(err, errlen, t->path, line,
				    "last line has no newline (truncated copy?)");
	return 0;
}

static int load(const char *root, const char *name, struct kf_proc_text *t, bool text,
		char *err, size_t errlen)
{
	size_t cap = 16384;
	int fd = -1, saved;
	ssize_t n;
	char *nbuf;

	memset(t, 0, sizeof(*t));
	t->path = kf_proc_path(root, name);
	if (!t->path)
		goto fail_errno;
	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail_errno;
	t->buf = malloc(cap);
	if (!t->buf)
		goto fail_errno;
	/* procfs reports size 0: read until EOF */
	for (;;) {
		if (cap - t->len < 2) {
			if (cap >= KF_PROC_MAX_BYTES) {
				close(fd);
				kf_proc_fail(err, errlen, t->path, 0,
					     "larger than %u bytes; not a kernel file",
					     KF_PROC_MAX_BYTES);
				goto fail;
			}
			cap *= 2;
			nbuf = realloc(t->buf, cap);
			if (!nbuf)
				goto fail_errno;
			t->buf = nbuf;
		}
		n = read(fd, t->buf + t->len, cap - t->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail_errno;
		}
		if (n == 0)
			break;
		t->len += n;
	}
	close(fd);
	fd = -1;
	t->buf[t->len] = '\0';
	if (text && text_check(t, err, errlen) < 0)
		goto fail;
	return 0;

fail_errno:
	saved = errno;
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", t->path ? t->path : name, strerror(saved));
	if (fd >= 0)
		close(fd);
	kf_proc_text_release(t);
	errno = saved;
	return -1;
fail:
	saved = errno;
	kf_proc_text_release(t);
	errno = saved;
	return -1;
}

int kf_proc_text_load(const char *root, const char *name, struct kf_proc_text *t,
		      char *err, size_t errlen)
{
	return load(root, name, t, true, err, errlen);
}

int kf_proc_file_load(const char *root, const char *name, struct kf_proc_text *t,
		      char *err, size_t errlen)
{
	return load(root, name, t, false, err, errlen);
}

void kf_proc_text_release(struct kf_proc_text *t)
{
	free(t->path);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

char *kf_proc_text_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}

char *kf_proc_word(char **cursor)
{
	char *p = *cursor, *w;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*cursor = p;
		return NULL;
	}
	w = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*cursor = p;
	return w;
}

int kf_proc_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int kf_proc_zone_head(char **cursor, bool name_comma, int *node, char name[KF_ZONE_NAME_LEN])
{
	char *w;
	uint64_t n;
	size_t len;

	w = kf_proc_word(cursor);
	if (!w || strcmp(w, "Node") != 0)
		return -1;
	w = kf_proc_word(cursor);
	if (!w || (len = strlen(w)) < 2 || w[len - 1] != ',')
		return -1;
	w[len - 1] = '\0';
	if (kf_proc_parse_u64(w, &n) < 0 || n > 1000000)
		return -1;
	w = kf_proc_word(cursor);
	if (!w || strcmp(w, "zone") != 0)
		return -1;
	w = kf_proc_word(cursor);
	if (!w)
		return -1;
	len = strlen(w);
	if (name_comma) {
		if (len < 2 || w[len - 1] != ',')
			return -1;
		w[--len] = '\0';
	}
	if (len == 0 || len >= KF_ZONE_NAME_LEN || strchr(w, ','))
		return -1;
	*node = (int)n;
	memcpy(name, w, len + 1);
	return 0;
}
