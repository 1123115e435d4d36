// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlock_buffer: holds MIB MiB of anonymous memory mlock()ed for kfrag's
 * memory-map test, and says where it sits physically.
 *
 *   mlock_buffer MIB OUTFILE [thp|nothp]
 *
 * Maps MIB MiB aligned to 2 MiB (with MADV_HUGEPAGE for "thp", the default,
 * or MADV_NOHUGEPAGE), mlock()s and writes every page, then writes the PFN
 * of each page (from /proc/self/pagemap; root sees PFNs, others read 0),
 * one decimal per line, to OUTFILE (complete when it appears: written
 * beside it and renamed). On SIGUSR1 it writes them again to OUTFILE.again
 * (to see whether anything moved them meanwhile); SIGTERM or SIGINT ends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN	(2ul << 20)

static volatile sig_atomic_t again, done;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		again = 1;
	else
		done = 1;
}

static int write_pfns(const char *path, const char *buf, size_t len, long psize)
{
	size_t tlen = strlen(path) + 8;
	char *tmp = malloc(tlen);
	FILE *out;
	int fd;

	if (!tmp)
		return -1;
	snprintf(tmp, tlen, "%s.tmp", path);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	out = fopen(tmp, "w");
	if (fd < 0 || !out) {
		fprintf(stderr, "mlock_buffer: %s: %s\n", fd < 0 ? "/proc/self/pagemap" : tmp, strerror(errno));
		goto fail;
	}
	for (size_t off = 0; off < len; off += psize) {
		uint64_t e;
		off_t pos = (off_t)((uintptr_t)(buf + off) / psize) * 8;

		if (pread(fd, &e, 8, pos) != 8) {
			fprintf(stderr, "mlock_buffer: pagemap: %s\n", strerror(errno));
			goto fail;
		}
		/* bit 63: present; bits 0-54: the PFN */
		fprintf(out, "%llu\n", (e >> 63) ? (unsigned long long)(e & ((1ull << 55) - 1)) : 0ull);
	}
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		out = NULL;
		fprintf(stderr, "mlock_buffer: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	close(fd);
	free(tmp);
	return 0;
fail:
	if (out)
		fclose(out);
	if (fd >= 0)
		close(fd);
	free(tmp);
	return -1;
}

int main(int argc, char **argv)
{
	long mib = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
	long psize = sysconf(_SC_PAGESIZE);
	const char *path = argc > 2 ? argv[2] : NULL;
	int thp = !(argc > 3 && strcmp(argv[3], "nothp") == 0);
	struct sigaction sa;
	char *map, *buf, *again_path;
	size_t len;
	sigset_t mask, old;

	if (mib <= 0 || mib > (1L << 20) || !path || psize <= 0) {
		fprintf(stderr, "usage: mlock_buffer MIB OUTFILE [thp|nothp]\n");
		return 2;
	}
	len = (size_t)mib << 20;
	map = mmap(NULL, len + ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mlock_buffer: mmap");
		return 1;
	}
	buf = (char *)(((uintptr_t)map + ALIGN - 1) & ~(ALIGN - 1));
	/* advice only: a kernel without THP refuses it and the test copes */
	madvise(buf, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (mlock(buf, len) < 0) {
		perror("mlock_buffer: mlock");
		return 1;
	}
	for (size_t off = 0; off < len; off += psize)
		buf[off] = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);

	if (write_pfns(path, buf, len, psize) < 0)
		return 1;
	again_path = malloc(strlen(path) + 8);
	if (!again_path)
		return 1;
	sprintf(again_path, "%s.again", path);
	while (!done) {
		sigsuspend(&old);
		if (again) {
			again = 0;
			if (write_pfns(again_path, buf, len, psize) < 0)
				return 1;
		}
	}
	free(again_path);
	return 0;
}
