/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the live source must undo if the process dies: its tracefs instance
 * (and tracefs itself when kfrag mounted it). Everything the signal handler
 * needs is computed here beforehand (paths, the descriptors to close so the
 * kernel lets the instance go), so the handler only makes async-signal-safe
 * system calls. Also files kfrag changed and must write back (the guard's
 * --enforce), and temporary output files to remove. Internal to the live
 * source, src/system/guard_proc.c and src/system/atomic_file.c; front ends
 * use kf_live.h and kf_guard_proc.h.
 */
#ifndef KF_LIVE_CLEANUP_H
#define KF_LIVE_CLEANUP_H

/* registers the instance directory; with the first registration, the
 * emergency below becomes a hook of the one owner of signals (kf_signals.h)
 * and of atexit; returns a slot or -1 (errno) */
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

/*
 * A file kfrag changed and must put back on every way out (the guard's
 * --enforce of vm.compact_unevictable_allowed): contents are written to
 * path by kf_cleanup_emergency (fatal signals, a second SIGINT/SIGTERM,
 * exit()) unless the slot was deleted first. Installs the handlers and the
 * atexit hook like an instance does. Returns a slot or -1 (errno).
 */
int kf_cleanup_add_restore(const char *path, const char *contents);
/* the caller wrote the value back itself */
void kf_cleanup_del_restore(int slot);

/*
 * A temporary file (kf_atomic_open's, before its rename) that
 * kf_cleanup_emergency removes: with the instance on a fatal signal or a
 * second SIGINT, and at exit(). Installs no handler of its own: a process
 * without an instance or a restore dies by the default action, and the
 * next kfrag writing that path removes what it left. A slot or -1 (errno).
 */
int kf_cleanup_add_temp(const char *path);
/* renamed or removed by the caller */
void kf_cleanup_del_temp(int slot);

/* what a handler does: every registered instance is stopped and removed,
 * tracefs unmounted, files written back, temporary files removed;
 * async-signal-safe */
void kf_cleanup_emergency(void);

#endif
