/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's terminal: the only file with curses' global state. It starts
 * and stops curses, reads keys as KF_KEY_*, and restores the terminal on
 * every way out: kf_top_ui_stop() on the normal paths; on
 * SIGINT/SIGTERM/SIGHUP a flag (a second one restores and dies); on crash
 * signals a minimal restore (the terminal's reset sequence saved at start,
 * and the termios saved before curses), a hook the one owner of signals
 * (src/system/signals.c) runs before the tracefs instance is removed and the
 * signal raised again.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kf_signals.h"
#include "top_draw.h"
/* last: its capability macros (lines, columns, buffers ...) would rename
 * fields of the headers above */
#include <term.h>

/* ---- terminal state and signals ---------------------------------------- */

static struct {
	bool active;
	bool color;
	bool ascii;
	SCREEN *screen;
	struct termios saved;
	bool have_saved;
	char reset[512];	/* written by the crash handler */
	size_t reset_len;
} ui;

static volatile sig_atomic_t ui_active;	/* curses owns the terminal */

/* async-signal-safe: the bytes saved at start, then the termios of before */
static void emergency_restore(void)
{
	if (!ui_active)
		return;
	if (ui.reset_len) {
		ssize_t r = write(STDOUT_FILENO, ui.reset, ui.reset_len);

		(void)r;
	}
	if (ui.have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &ui.saved);
	ui_active = 0;
}

/* the terminal is given back first on a crash or a second Ctrl-C, by the
 * one owner of signals (src/system/signals.c), before the instance goes */
void kf_top_ui_signals(void)
{
	kf_signals_add(KF_SIGNAL_TERMINAL, emergency_restore);
}

static void signals_restore(void)
{
	kf_signals_del(emergency_restore);
}

int kf_top_ui_signal(void)
{
	return kf_signals_interrupt();
}

/* ---- colours ---------------------------------------------------------- */

attr_t top_attr(int pair, attr_t mono)
{
	if (!ui.color)
		return mono;
	switch (pair) {
	case CP_TITLE_FOCUS:
	case CP_BANNER_CRIT:
	case CP_TITLE_ALERT:
	case CP_CRIT:
		return COLOR_PAIR(pair) | A_BOLD;
	default:
		return COLOR_PAIR(pair);
	}
}

bool top_color(void)
{
	return ui.color;
}

bool top_ascii(void)
{
	return ui.ascii;
}

bool top_active(void)
{
	return ui.active;
}

static void colors_init(void)
{
	short bg = -1;

	start_color();
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(CP_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_TITLE, COLOR_BLACK, COLOR_WHITE);
	init_pair(CP_HEADER, COLOR_GREEN, bg);
	init_pair(CP_OK, COLOR_GREEN, bg);
	init_pair(CP_WARN, COLOR_YELLOW, bg);
	init_pair(CP_CRIT, COLOR_RED, bg);
	init_pair(CP_BANNER_CRIT, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BANNER_WARN, COLOR_BLACK, COLOR_YELLOW);
	init_pair(CP_KEY, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_HOT, COLOR_YELLOW, bg);
	init_pair(CP_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_TITLE_ALERT, COLOR_WHITE, COLOR_RED);
	init_pair(CP_MAP_FREE, COLOR_GREEN, bg);
	init_pair(CP_MAP_MOVABLE, COLOR_CYAN, bg);
	init_pair(CP_MAP_UNSURE, COLOR_YELLOW, bg);
	init_pair(CP_MAP_BLOCKED, COLOR_RED, bg);
	init_pair(CP_MAP_RESERVED, COLOR_MAGENTA, bg);
}

/* ---- start, stop, keys --------------------------------------------------- */

static void save_reset_sequence(void)
{
	static const char *const caps[] = { "sgr0", "cnorm", "rmkx", "rmcup" };

	ui.reset_len = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *s = tigetstr((char *)caps[i]);
		size_t n;

		if (!s || s == (char *)-1)
			continue;
		n = strlen(s);
		if (ui.reset_len + n < sizeof(ui.reset)) {
			memcpy(ui.reset + ui.reset_len, s, n);
			ui.reset_len += n;
		}
	}
}

/*
 * A terminal that cannot move the cursor (TERM=dumb, emacs' shell) would
 * get a stream of garbled frames: refuse it before curses writes anything.
 * setupterm() only reads the terminfo entry.
 */
bool kf_top_ui_usable(char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	TERMINAL *saved = cur_term;
	char *cup;
	int errret = 0;
	bool ok;

	if (setupterm(NULL, STDOUT_FILENO, &errret) != OK) {
		snprintf(err, errlen, "cannot use the terminal '%s' (check TERM)", term ? term : "");
		errno = ENOTTY;
		return false;
	}
	cup = tigetstr("cup");
	ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	cur_term = saved;
	if (!ok) {
		snprintf(err, errlen, "the terminal '%s' cannot move the cursor: kfrag top needs one "
			 "(TERM=xterm, a tmux or screen window); kfrag report prints a report instead",
			 term ? term : "");
		errno = ENOTTY;
	}
	return ok;
}

int kf_top_ui_start(const struct kf_top_ui_config *cfg, char *err, size_t errlen)
{
	const char *cs;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "kfrag top needs a terminal (for one report, use kfrag report)");
		errno = ENOTTY;
		return -1;
	}
	if (!kf_top_ui_usable(err, errlen))
		return -1;
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	ui.ascii = cfg->ascii || !cs || strcmp(cs, "UTF-8") != 0;
	ui.have_saved = tcgetattr(STDIN_FILENO, &ui.saved) == 0;
	ui.screen = newterm(NULL, stdout, stdin);
	if (!ui.screen) {
		snprintf(err, errlen, "cannot use the terminal '%s' (check TERM)",
			 getenv("TERM") ? getenv("TERM") : "");
		errno = ENOTTY;
		return -1;
	}
	set_term(ui.screen);
	save_reset_sequence();
	ui.active = true;
	ui_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui.color = cfg->color && has_colors();
	if (ui.color)
		colors_init();
	return 0;
}

void kf_top_ui_stop(void)
{
	if (ui.active) {
		ui_active = 0;
		endwin();
		delscreen(ui.screen);
		ui.screen = NULL;
		ui.active = false;
	}
	signals_restore();
}

int kf_top_ui_key(int timeout_ms)
{
	int ch;

	if (!ui.active) {
		if (timeout_ms > 0)
			usleep(timeout_ms * 1000);
		return KF_KEY_NONE;
	}
	wtimeout(stdscr, timeout_ms < 0 ? 0 : timeout_ms);
	ch = wgetch(stdscr);
	switch (ch) {
	case ERR: return KF_KEY_NONE;
	case KEY_UP: return KF_KEY_UP;
	case KEY_DOWN: return KF_KEY_DOWN;
	case KEY_LEFT: return KF_KEY_LEFT;
	case KEY_RIGHT: return KF_KEY_RIGHT;
	case KEY_PPAGE: return KF_KEY_PGUP;
	case KEY_NPAGE: return KF_KEY_PGDN;
	case KEY_HOME: return KF_KEY_HOME;
	case KEY_END: return KF_KEY_END;
	case KEY_BTAB: return KF_KEY_BTAB;
	case KEY_ENTER: case '\r': case '\n': return KF_KEY_ENTER;
	case '\t': return KF_KEY_TAB;
	case 27: return KF_KEY_ESC;
	case KEY_RESIZE: return KF_KEY_RESIZE;
	default:
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			return KF_KEY_F(ch - KEY_F(1) + 1);
		if (ch >= 0 && ch < 0x100)
			return ch;
		return KF_KEY_NONE;
	}
}
