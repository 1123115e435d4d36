/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one owner of signal handlers (src/system/signals.c), as htop's CRT.c:
 * whoever must undo something on the way out registers a hook instead of
 * installing handlers of its own, so nothing depends on the order in which
 * handlers were installed.
 *
 *  - SIGINT, SIGTERM, SIGHUP: the first only sets a flag
 *    (kf_signals_interrupt), so loops end and the report so far is printed;
 *    a second one runs the hooks and dies by the signal. A signal ignored at
 *    start (nohup) stays ignored.
 *  - fatal signals (SIGSEGV, SIGBUS, SIGABRT, SIGQUIT, SIGPIPE, ...) at their
 *    default action: the hooks run, then the process dies by the signal.
 *  - a trap (kf_signals_trap_arm): SIGSEGV, SIGBUS and SIGABRT jump back to
 *    the armed sigsetjmp instead (a library that crashes on bad input).
 *
 * Hooks run in the order of their rank (the terminal before the tracefs
 * instance), in the process that registered them only (a forked child just
 * dies), and must be async-signal-safe. The handlers are installed with the
 * first hook (a trap takes the fatal signals only) and the old
 * dispositions put back with the last.
 */
#ifndef KF_SIGNALS_H
#define KF_SIGNALS_H

#include <setjmp.h>
#include <stdbool.h>

enum kf_signal_rank {
	KF_SIGNAL_TERMINAL,	/* give the user the terminal back first */
	KF_SIGNAL_CLEANUP,	/* then remove what kfrag created or changed */
	KF_SIGNAL_NR_RANKS
};

/* 0, or -1 (EBUSY: too many hooks) */
int kf_signals_add(enum kf_signal_rank rank, void (*hook)(void));
void kf_signals_del(void (*hook)(void));
/* the first SIGINT/SIGTERM/SIGHUP seen since start, 0 = none */
int kf_signals_interrupt(void);
/* runs every hook now (async-signal-safe; from atexit too) */
void kf_signals_run_hooks(void);
/* SIGSEGV/SIGBUS/SIGABRT siglongjmp(*jmp, sig) until disarmed */
void kf_signals_trap_arm(sigjmp_buf *jmp);
void kf_signals_trap_disarm(void);
/* while held (cheap: kfrag's own code runs between library calls), a
 * crash is not the trap's: the hooks run and the process dies */
void kf_signals_trap_hold(bool hold);

#endif
