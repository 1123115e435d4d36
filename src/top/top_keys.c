/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag top's keys: each one changes struct kf_top_state and says what the
 * loop must redo (KF_TOP_REDRAW, _REBUILD, _RESET, ...), as htop's key
 * handlers do. No curses here: the UI turns curses keys into KF_KEY_*.
 * The help screen (top_ui.c) lists exactly the keys handled here.
 */
#include <string.h>

#include "kf_top.h"

const char *const kf_top_unit_names[KF_UNIT_NR] = {
	[KF_UNIT_PAGES] = "pages", [KF_UNIT_KIB] = "KiB", [KF_UNIT_MIB] = "MiB", [KF_UNIT_GIB] = "GiB",
};

const double kf_top_refresh_steps[KF_TOP_NR_REFRESH_STEPS] = { 0.2, 0.5, 1, 2, 3, 5, 10, 30, 60 };

void kf_top_state_init(struct kf_top_state *st, double refresh_s)
{
	memset(st, 0, sizeof(*st));
	st->focus = KF_PANEL_ZONES;
	st->sort_col = KF_PCOL_ALLOC_RATE;
	st->refresh_s = refresh_s > 0 ? refresh_s : 1;
}

static double refresh_step(double now, int dir)
{
	if (dir > 0) {
		for (int i = 0; i < KF_TOP_NR_REFRESH_STEPS; i++)
			if (kf_top_refresh_steps[i] > now + 1e-9)
				return kf_top_refresh_steps[i];
		return kf_top_refresh_steps[KF_TOP_NR_REFRESH_STEPS - 1];
	}
	for (int i = KF_TOP_NR_REFRESH_STEPS - 1; i >= 0; i--)
		if (kf_top_refresh_steps[i] < now - 1e-9)
			return kf_top_refresh_steps[i];
	return kf_top_refresh_steps[0];
}

static void ack_all(struct kf_top_state *st, const struct kf_top_view *v)
{
	for (int i = 0; v && i < v->nr_alerts; i++) {
		const struct kf_alert *a = &v->alerts[i].a;
		struct kf_top_ack *k = NULL;

		for (int j = 0; j < st->nr_acks; j++) {
			struct kf_top_ack *x = &st->acks[j];

			if (x->kind == a->kind && x->pid == a->pid && x->node == a->node &&
			    strcmp(x->zone, a->zone) == 0) {
				k = x;
				break;
			}
		}
		if (!k) {
			if (st->nr_acks == KF_TOP_MAX_ACKS) {
				/* forget the oldest */
				memmove(&st->acks[0], &st->acks[1], (KF_TOP_MAX_ACKS - 1) * sizeof(st->acks[0]));
				st->nr_acks--;
			}
			k = &st->acks[st->nr_acks++];
			k->kind = a->kind;
			k->pid = a->pid;
			k->node = a->node;
			memcpy(k->zone, a->zone, sizeof(k->zone));
			k->zone[sizeof(k->zone) - 1] = '\0';
		}
		k->count = a->count;
	}
}

static unsigned scroll(struct kf_top_state *st, const struct kf_top_geometry *geo, int delta)
{
	int p = st->focus;
	int max = geo ? geo->lines[p] - geo->visible[p] : 0;
	int old = st->scroll[p];

	/* the memory map fits the screen: nothing scrolls under it */
	if (st->memmap)
		return KF_TOP_NOTHING;
	if (max < 0)
		max = 0;
	st->scroll[p] += delta;
	if (st->scroll[p] > max)
		st->scroll[p] = max;
	if (st->scroll[p] < 0)
		st->scroll[p] = 0;
	return st->scroll[p] != old ? KF_TOP_REDRAW : KF_TOP_NOTHING;
}

static int page(const struct kf_top_state *st, const struct kf_top_geometry *geo)
{
	int n = geo ? geo->visible[st->focus] - 1 : 10;

	return n > 1 ? n : 1;
}

static unsigned sort_menu_key(struct kf_top_state *st, int key)
{
	switch (key) {
	case KF_KEY_UP:
		if (st->sort_menu_sel > 0)
			st->sort_menu_sel--;
		return KF_TOP_REDRAW;
	case KF_KEY_DOWN:
		if (st->sort_menu_sel < KF_PCOL_NR - 1)
			st->sort_menu_sel++;
		return KF_TOP_REDRAW;
	case KF_KEY_HOME:
		st->sort_menu_sel = 0;
		return KF_TOP_REDRAW;
	case KF_KEY_END:
		st->sort_menu_sel = KF_PCOL_NR - 1;
		return KF_TOP_REDRAW;
	case KF_KEY_ENTER:
	case ' ':
		st->sort_col = st->sort_menu_sel;
		st->sort_menu = false;
		st->scroll[KF_PANEL_PROCS] = 0;
		return KF_TOP_REBUILD | KF_TOP_REDRAW;
	case KF_KEY_ESC:
	case 'q':
	case 's':
	case KF_KEY_F(6):
	case KF_KEY_F(10):
		st->sort_menu = false;
		return KF_TOP_REDRAW;
	case KF_KEY_RESIZE:
		return KF_TOP_REDRAW;
	default:
		return KF_TOP_NOTHING;
	}
}

/* a key that goes to a panel leaves the memory map */
static unsigned leave_memmap(struct kf_top_state *st)
{
	if (!st->memmap)
		return KF_TOP_NOTHING;
	st->memmap = false;
	return KF_TOP_MEMMAP | KF_TOP_REBUILD;
}

/* what the screen shows and how: the map, the sort, totals, orders, the
 * alerts' details, the refresh interval; KF_TOP_NOTHING for other keys */
static unsigned view_key(struct kf_top_state *st, int key, const struct kf_top_view *v)
{
	switch (key) {
	case 'm':
		st->memmap = !st->memmap;
		return KF_TOP_MEMMAP | KF_TOP_REBUILD | KF_TOP_REDRAW;
	case '<':
	case ',':
		st->sort_col = (st->sort_col + KF_PCOL_NR - 1) % KF_PCOL_NR;
		st->scroll[KF_PANEL_PROCS] = 0;
		return KF_TOP_REBUILD | KF_TOP_REDRAW;
	case '>':
	case '.':
		st->sort_col = (st->sort_col + 1) % KF_PCOL_NR;
		st->scroll[KF_PANEL_PROCS] = 0;
		return KF_TOP_REBUILD | KF_TOP_REDRAW;
	case 'I':
		st->sort_ascending = !st->sort_ascending;
		return KF_TOP_REBUILD | KF_TOP_REDRAW;
	case 'r':
		return KF_TOP_RESET | KF_TOP_REBUILD | KF_TOP_REDRAW;
	case 'a':
		ack_all(st, v);
		return KF_TOP_ACK | KF_TOP_REBUILD | KF_TOP_REDRAW;
	case 't':
		/* a rate's sort is by its total in totals mode: rebuilt */
		st->totals = !st->totals;
		return KF_TOP_REBUILD | KF_TOP_REDRAW;
	case 'o':
		st->all_orders = !st->all_orders;
		return KF_TOP_REDRAW;
	case 'u':
		st->unit = (st->unit + 1) % KF_UNIT_NR;
		return KF_TOP_REDRAW;
	case '+':
	case '=':
		st->refresh_s = refresh_step(st->refresh_s, 1);
		return KF_TOP_RESCHEDULE | KF_TOP_REDRAW;
	case '-':
	case '_':
		st->refresh_s = refresh_step(st->refresh_s, -1);
		return KF_TOP_RESCHEDULE | KF_TOP_REDRAW;
	case KF_KEY_ENTER:
		/* every alert on one line, or each with its details and action */
		st->alert_details = !st->alert_details;
		st->focus = KF_PANEL_GUARD;
		st->scroll[KF_PANEL_GUARD] = 0;
		return KF_TOP_REDRAW;
	default:
		return KF_TOP_NOTHING;
	}
}

/* the findings screen: the arrows, pages, Home and End scroll it, within
 * the lines it had when last drawn; resizing redraws; any other key closes */
static unsigned findings_key(struct kf_top_state *st, int key, const struct kf_top_geometry *geo)
{
	int last = geo->findings_lines - geo->findings_visible, page = geo->findings_visible > 1 ?
									  geo->findings_visible - 1 : 1;
	int *s = &st->findings_scroll;

	switch (key) {
	case KF_KEY_UP: case 'k': *s -= 1; break;
	case KF_KEY_DOWN: case 'j': *s += 1; break;
	case KF_KEY_PGUP: *s -= page; break;
	case KF_KEY_PGDN: *s += page; break;
	case KF_KEY_HOME: *s = 0; break;
	case KF_KEY_END: *s = last; break;
	case KF_KEY_RESIZE: return KF_TOP_REDRAW;
	default:
		st->findings = false;
		*s = 0;
		return KF_TOP_REDRAW;
	}
	if (*s > last)
		*s = last;
	if (*s < 0)
		*s = 0;
	return KF_TOP_REDRAW;
}

unsigned kf_top_handle_key(struct kf_top_state *st, int key, const struct kf_top_view *v,
			   const struct kf_top_geometry *geo)
{
	if (key == KF_KEY_NONE)
		return KF_TOP_NOTHING;
	if (st->findings)
		return findings_key(st, key, geo);
	if (st->help) {
		/* any key closes the help screen; resizing only redraws it */
		if (key != KF_KEY_RESIZE)
			st->help = false;
		return KF_TOP_REDRAW;
	}
	if (st->sort_menu)
		return sort_menu_key(st, key);

	switch (key) {
	case 'q':
	case KF_KEY_F(10):
		return KF_TOP_QUIT;
	case 'h':
	case '?':
	case KF_KEY_F(1):
		st->help = true;
		return KF_TOP_REDRAW;
	case ' ':
		st->paused = !st->paused;
		return KF_TOP_PAUSE | KF_TOP_REDRAW;
	case 'f':
		st->findings = true;
		st->findings_scroll = 0;
		return KF_TOP_REDRAW;
	case KF_KEY_TAB:
	case KF_KEY_RIGHT:
		st->focus = (st->focus + 1) % KF_PANEL_NR;
		return KF_TOP_REDRAW | leave_memmap(st);
	case KF_KEY_BTAB:
	case KF_KEY_LEFT:
		st->focus = (st->focus + KF_PANEL_NR - 1) % KF_PANEL_NR;
		return KF_TOP_REDRAW | leave_memmap(st);
	case '1': case '2': case '3': case '4': case '5': case '6':
		st->focus = key - '1';
		return KF_TOP_REDRAW | leave_memmap(st);
	case 's':
	case KF_KEY_F(6):
		st->sort_menu = true;
		st->sort_menu_sel = st->sort_col;
		st->focus = KF_PANEL_PROCS;
		return KF_TOP_REDRAW | leave_memmap(st);
	case KF_KEY_UP:
	case 'k':
		return scroll(st, geo, -1);
	case KF_KEY_DOWN:
	case 'j':
		return scroll(st, geo, 1);
	case KF_KEY_PGUP:
		return scroll(st, geo, -page(st, geo));
	case KF_KEY_PGDN:
		return scroll(st, geo, page(st, geo));
	case KF_KEY_HOME:
		return scroll(st, geo, -(1 << 30));
	case KF_KEY_END:
		return scroll(st, geo, 1 << 30);
	case 0x0c:		/* Ctrl-L */
		return KF_TOP_REDRAW;
	case KF_KEY_RESIZE:
		/* the memory map's cells are made for the screen's size */
		return KF_TOP_REDRAW | (st->memmap ? KF_TOP_REBUILD : 0);
	default:
		return view_key(st, key, v);
	}
}
