/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the live source must undo if the process dies: its tracefs instance
 * (and tracefs itself when kfrag mounted it). Everything the signal handler
 * needs is computed here beforehand (paths, the descriptors to close so the
 * kernel lets the instance go), so the handler only makes async-signal-safe
 * system calls. Internal to the live source; front ends use kf_live.h.
 */
#ifndef KF_LIVE_CLEANUP_H
#define KF_LIVE_CLEANUP_H

/* registers the instance directory; installs the handlers and the atexit
 * hook with the first registration; returns a slot or -1 (errno) */
int kf_cleanup_add_instance(const char *dir);
/* descriptors open in the instance: closed before rmdir, or the kernel
 * refuses to remove it (EBUSY) */
int kf_cleanup_add_fd(int slot, int fd);
void kf_cleanup_del_fd(int slot, int fd);
/* forgets the slot (the caller removed the instance itself); restores the
 * previous signal dispositions when it was the last one */
void kf_cleanup_del_instance(int slot);

/* tracefs was mounted by kfrag at mnt: unmount it at exit (NULL = not) */
void kf_cleanup_set_unmount(const char *mnt);

/* what a handler does: every registered instance is stopped and removed,
 * tracefs unmounted; async-signal-safe */
void kf_cleanup_emergency(void);

#endif
