/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private temporary directories that do not outlive kfrag
 * (src/system/tempdir.c): a recording's saved state is extracted into one.
 *
 * The directory is DIR/PREFIX-PID-XXXXXX (mode 0700; DIR is $TMPDIR, else a
 * tmpfs: /tmp, or /dev/shm when /tmp is on a disk), and kfrag holds
 * an flock() on it while it lives. It is removed by kf_tempdir_remove, at
 * exit(), and by the one owner of signals on SIGINT, SIGTERM, SIGHUP and
 * the fatal signals (a hook of rank KF_SIGNAL_CLEANUP). A SIGKILL leaves
 * it behind: the next kf_tempdir_create of the same prefix removes every
 * PREFIX-PID-* of this user whose PID no longer runs and whose lock nobody
 * holds.
 */
#ifndef KF_TEMPDIR_H
#define KF_TEMPDIR_H

#include <stddef.h>

/* a new directory, malloc()ed; NULL with err set (and errno) when it
 * cannot be made, or when kfrag already holds four */
char *kf_tempdir_create(const char *prefix, char *err, size_t errlen);
/* removes dir and everything in it (dir as kf_tempdir_create returned it;
 * the string stays the caller's to free) */
void kf_tempdir_remove(const char *dir);

#endif
