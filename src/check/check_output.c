/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's outputs: the Nagios plugin text (status line, perfdata,
 * details), a JSON document (also the history's one line per run), and
 * node_exporter textfile-collector metrics. Nothing here decides a status.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "check_report.h"
#include "kf_report.h"
#include "kf_util.h"

/* ---- Nagios ---------------------------------------------------------------- */

/* text without '|' (the perfdata separator) and line breaks */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '|' ? '/' : (*s == '\n' || *s == '\r') ? ' ' : *s, out);
}

static void put_num(FILE *out, double v)
{
	char buf[400];

	fputs(check_num(v, buf, sizeof(buf)), out);
}

static void put_perf(FILE *out, const struct kf_perfdata *p)
{
	const char *f[4] = { p->warn, p->crit, p->min, p->max };
	int last = -1;

	fprintf(out, "'%s'=", p->label);
	if (p->undetermined)
		fputc('U', out);
	else
		put_num(out, p->value);
	fputs(p->uom, out);
	for (int i = 0; i < 4; i++)
		if (f[i][0])
			last = i;
	for (int i = 0; i <= last; i++)
		fprintf(out, ";%s", f[i]);
}

/* a perfdata item about no one zone: the status line's */
static bool perf_is_key(const struct kf_perfdata *p)
{
	return !p->per_zone;
}

/* SEL's globs, comma-separated: does one match the label? */
static bool perf_glob(const char *sel, const char *label)
{
	char pat[128];

	for (const char *s = sel; *s;) {
		size_t n = strcspn(s, ",");

		snprintf(pat, sizeof(pat), "%.*s", (int)n, s);
		if (pat[0] && fnmatch(pat, label, 0) == 0)
			return true;
		s += n + (s[n] == ',');
	}
	return false;
}

static bool perf_selected(const char *sel, const struct kf_perfdata *p)
{
	if (!sel || strcmp(sel, "all") == 0)
		return true;
	if (strcmp(sel, "none") == 0)
		return false;
	if (strcmp(sel, "key") == 0)
		return perf_is_key(p);
	return perf_glob(sel, p->label);
}

int kf_check_perfdata_valid(const char *sel)
{
	if (!sel[0] || strlen(sel) > 1000 || strspn(sel, ",") == strlen(sel))
		return -1;
	return 0;
}

/* one perfdata item as text, into buf */
static const char *perf_text(const struct kf_perfdata *p, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (f) {
		put_perf(f, p);
		fclose(f);
	}
	return buf;
}

/* the status line: the summary cut to leave room, then the key perfdata that
 * fit; on_line[i] says which went there */
static void status_line(const struct kf_check_output *o, bool *on_line, FILE *out)
{
	const struct kf_check_report *rep = o->rep;
	char summary[1024], head[1200], item[512];
	size_t used, max = KF_CHECK_STATUS_LINE_MAX - 1;	/* the newline */
	bool bar = false;

	kf_check_summary(rep, summary, sizeof(summary));
	for (char *c = summary; *c; c++)
		if (*c == '|' || *c == '\n' || *c == '\r')
			*c = *c == '|' ? '/' : ' ';
	used = snprintf(head, sizeof(head), "KFRAG %s - %s", kf_check_status_names[rep->status],
			summary[0] ? summary : kf_check_status_names[rep->status]);
	if (used > max - 200) {	/* room for the key perfdata */
		used = max - 200;
		memcpy(head + used - 3, "...", 4);
	}
	fputs(head, out);
	for (int i = 0; i < rep->nr_perf; i++) {
		size_t n;

		if (!perf_selected(o->perfdata, &rep->perf[i]) ||
		    (!perf_is_key(&rep->perf[i]) && (!o->perfdata || !strcmp(o->perfdata, "all"))))
			continue;
		n = strlen(perf_text(&rep->perf[i], item, sizeof(item))) + (bar ? 1 : 3);
		if (used + n > max)
			continue;
		fprintf(out, "%s%s", bar ? " " : " | ", item);
		bar = true;
		used += n;
		on_line[i] = true;
	}
	fputc('\n', out);
}

int kf_check_print_nagios(const struct kf_check_output *o, FILE *out)
{
	static const enum kf_check_status order[] = {
		KF_CHECK_CRITICAL, KF_CHECK_UNKNOWN, KF_CHECK_WARNING, KF_CHECK_OK
	};
	const struct kf_check_report *rep = o->rep;
	bool *on_line = calloc(rep->nr_perf + 1, sizeof(*on_line)), bar = false;
	char item[512];

	if (!on_line)
		return -1;
	status_line(o, on_line, out);
	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++)
		for (int i = 0; i < rep->nr_results; i++) {
			const struct kf_check_result *r = &rep->results[i];

			if (r->status != order[s])
				continue;
			fprintf(out, "%s: %s: ", kf_check_status_names[r->status], r->check);
			put_clean(out, r->message);
			fputc('\n', out);
		}
	/* the perfdata selected that the status line had no room or place for */
	for (int i = 0; i < rep->nr_perf; i++)
		if (!on_line[i] && perf_selected(o->perfdata, &rep->perf[i])) {
			fprintf(out, "%s%s\n", bar ? "" : "| ", perf_text(&rep->perf[i], item, sizeof(item)));
			bar = true;
		}
	free(on_line);
	return ferror(out) ? -1 : 0;
}

/* ---- JSON -------------------------------------------------------------------- */

static int set(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v ? v : json_null());
}

static json_t *json_num(double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *zones_json(const struct kf_check_output *o)
{
	const struct kf_buddyinfo *bi = o->buddyinfo;
	json_t *arr = json_array();

	for (int i = 0; bi && i < bi->nr_zones; i++) {
		const struct kf_buddy_zone *z = &bi->zones[i];
		json_t *zj = json_object(), *fb = json_array(), *ui = json_array(), *ei = json_array();

		set(zj, "node", json_integer(z->node));
		set(zj, "zone", json_string(z->name));
		for (int j = 0; o->zoneinfo && j < o->zoneinfo->nr_zones; j++) {
			const struct kf_zone_info *zi = &o->zoneinfo->zones[j];

			if (zi->node == z->node && strcmp(zi->name, z->name) == 0) {
				set(zj, "free_pages", json_integer((json_int_t)zi->free_pages));
				set(zj, "managed_pages", json_integer((json_int_t)zi->managed));
			}
		}
		for (int ord = 0; ord < z->nr_orders; ord++) {
			json_array_append_new(fb, json_integer((json_int_t)z->free_blocks[ord]));
			json_array_append_new(ui, json_real(z->unusable[ord] / 1000.0));
			json_array_append_new(ei, json_real(z->extfrag[ord] / 1000.0));
		}
		set(zj, "free_blocks", fb);
		set(zj, "unusable_index", ui);
		set(zj, "extfrag_index", ei);
		json_array_append_new(arr, zj);
	}
	return arr;
}

/* the memory map's blocked pageblocks per zone; null when memmap = no */
static json_t *memmap_json(const struct kf_check_output *o)
{
	const struct kf_memmap *m = o->memmap;
	json_t *doc, *zones;

	if (!m && !o->memmap_error)
		return json_null();
	doc = json_object();
	if (!m) {
		set(doc, "available", json_false());
		set(doc, "error", json_string(o->memmap_error));
		return doc;
	}
	zones = json_array();
	set(doc, "available", json_true());
	set(doc, "pageblock_order", json_integer(m->pageblock_order));
	set(doc, "min_blocks", json_integer(o->cfg->blocked_fraction_min_blocks));
	for (int i = 0; i < m->nr_zones; i++) {
		const struct kf_memmap_zone *z = &m->zones[i];
		uint64_t blocked = kf_check_blocked_blocks(z), unsure = z->blocks_by_kind[KF_BK_UNSURE];
		json_t *zj = json_object(), *kinds = json_object();
		bool selected = o->cfg->nr_zones == 0;

		for (int j = 0; j < o->cfg->nr_zones; j++)
			selected |= strcmp(o->cfg->zones[j], z->name) == 0;
		for (int k = 0; k < KF_BK_NR; k++)
			set(kinds, kf_block_kind_names[k], json_integer((json_int_t)z->blocks_by_kind[k]));
		set(zj, "node", json_integer(z->node));
		set(zj, "zone", json_string(z->name));
		set(zj, "pageblocks", json_integer((json_int_t)z->nr_blocks));
		set(zj, "usable_blocks", json_integer((json_int_t)z->usable_blocks));
		set(zj, "blocked_blocks", json_integer((json_int_t)blocked));
		set(zj, "unsure_blocks", json_integer((json_int_t)unsure));
		set(zj, "blocked_fraction", z->usable_blocks ? json_real((double)blocked / z->usable_blocks) : NULL);
		set(zj, "blocked_fraction_max",
		    z->usable_blocks ? json_real((double)(blocked + unsure) / z->usable_blocks) : NULL);
		set(zj, "judged", json_boolean(selected &&
					       z->usable_blocks >= (uint64_t)o->cfg->blocked_fraction_min_blocks));
		set(zj, "by_kind", kinds);
		json_array_append_new(zones, zj);
	}
	set(doc, "zones", zones);
	return doc;
}

static json_t *checks_json(const struct kf_check_report *rep)
{
	json_t *checks = json_array();

	for (int i = 0; checks && i < rep->nr_results; i++) {
		const struct kf_check_result *r = &rep->results[i];
		json_t *c = json_object();

		set(c, "status", json_string(kf_check_status_names[r->status]));
		set(c, "check", json_string(r->check));
		if (r->zone[0]) {
			set(c, "node", json_integer(r->node));
			set(c, "zone", json_string(r->zone));
		}
		if (r->order >= 0)
			set(c, "order", json_integer(r->order));
		if (r->kind[0])
			set(c, "kind", json_string(r->kind));
		if (r->pid >= 0)
			set(c, "pid", json_integer(r->pid));
		if (r->has_value)
			set(c, "value", json_num(r->value));
		set(c, "message", json_string(r->message));
		json_array_append_new(checks, c);
	}
	return checks;
}

static json_t *perfdata_json(const struct kf_check_report *rep)
{
	json_t *perf = json_array();

	for (int i = 0; perf && i < rep->nr_perf; i++) {
		const struct kf_perfdata *p = &rep->perf[i];
		json_t *pj = json_object();

		set(pj, "label", json_string(p->label));
		set(pj, "value", p->undetermined ? NULL : json_num(p->value));
		if (p->warn[0])
			set(pj, "warn", json_string(p->warn));
		if (p->crit[0])
			set(pj, "crit", json_string(p->crit));
		json_array_append_new(perf, pj);
	}
	return perf;
}

/* "vmstat", "vmstat_delta" (null without rates) */
static void vmstat_json(json_t *doc, const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;
	json_t *vm = json_object(), *d;

	for (int c = 0; c < KF_CTR_NR; c++)
		if (o->now->have & (1u << c))
			set(vm, kf_check_counter_names[c], json_integer((json_int_t)o->now->counter[c]));
	set(doc, "vmstat", vm);
	if (!rep->rates) {
		set(doc, "vmstat_delta", NULL);
		return;
	}
	d = json_object();
	for (int c = 0; c < KF_CTR_NR; c++)
		if (rep->have_delta & (1u << c))
			set(d, kf_check_counter_names[c], json_integer((json_int_t)rep->delta[c]));
	set(doc, "vmstat_delta", d);
}

/* "extfrag" and "lost_events" of the window (null without a trace) */
static void window_json(json_t *doc, const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;
	json_t *e;

	if (!o->snap) {
		set(doc, "extfrag", NULL);
		set(doc, "lost_events", NULL);
		return;
	}
	e = json_object();
	set(e, "fallbacks", json_integer((json_int_t)rep->fallbacks));
	set(e, "fragmenting", json_integer((json_int_t)rep->fragmenting));
	set(e, "fallbacks_per_s", rep->window_s > 0 ? json_real(rep->fallbacks / rep->window_s) : NULL);
	set(e, "fragmenting_per_s", rep->window_s > 0 ? json_real(rep->fragmenting / rep->window_s) : NULL);
	set(doc, "extfrag", e);
	set(doc, "lost_events", json_integer((json_int_t)rep->lost_events));
}

static json_t *guard_json(const struct kf_check_output *o)
{
	const struct kf_guard_input *gi = o->guard_in;
	json_t *g, *procs;

	if (!o->guard)
		return NULL;
	g = json_object();
	procs = json_array();
	set(g, "worst", json_string(o->guard->worst == KF_SEV_CRITICAL ? "critical" :
				    o->guard->worst == KF_SEV_WARNING ? "warning" :
				    o->guard->worst == KF_SEV_NOTE ? "note" : "ok"));
	set(g, "alerts", json_integer(o->guard->nr_alerts));
	for (int i = 0; gi && i < gi->nr_procs; i++) {
		const struct kf_protected *p = &gi->procs[i];
		json_t *pj = json_object();

		set(pj, "pid", json_integer(p->pid));
		set(pj, "comm", json_string(p->comm));
		set(pj, "reason", (unsigned)p->reason < KF_PROTECT_NR ?
				  json_string(kf_protect_reason_names[p->reason]) : NULL);
		set(pj, "vmlck_kb", json_integer((json_int_t)p->vmlck_kb));
		set(pj, "pagemap_readable", json_boolean(p->pagemap_readable));
		set(pj, "locked_pages", json_integer((json_int_t)p->locked_pages));
		set(pj, "pages_moved", json_integer((json_int_t)p->pages_moved));
		json_array_append_new(procs, pj);
	}
	set(g, "protected", procs);
	procs = json_array();
	for (int i = 0; gi && i < gi->nr_candidates; i++)
		json_array_append_new(procs, json_pack("{s:i,s:s,s:I}", "pid", gi->candidates[i].pid, "comm",
						       gi->candidates[i].comm,
						       "vmlck_kb", (json_int_t)gi->candidates[i].vmlck_kb));
	set(g, "locked_not_protected", procs);
	set(g, "compact_unevictable_allowed",
	    gi && gi->unevictable_allowed_end >= 0 ? json_integer(gi->unevictable_allowed_end) : NULL);
	return g;
}

json_t *kf_check_json(const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;
	json_t *doc = json_object();
	char when[64] = "", summary[1024];
	time_t t = (time_t)o->now->time;
	struct tm tm;

	if (!doc)
		return NULL;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	kf_check_summary(rep, summary, sizeof(summary));
	set(doc, "schema_version", json_string(KF_CHECK_SCHEMA_VERSION));
	set(doc, "kfrag_version", json_string(PACKAGE_VERSION));
	set(doc, "time", json_string(when));
	set(doc, "timestamp", json_real(o->now->time));
	set(doc, "host", o->hostname ? json_string(o->hostname) : NULL);
	set(doc, "status", json_string(kf_check_status_names[rep->status]));
	set(doc, "exit_code", json_integer(rep->status));
	set(doc, "summary", json_string(summary));
	set(doc, "source", o->source ? json_string(o->source) : NULL);
	set(doc, "window_s", o->snap ? json_real(rep->window_s) : NULL);
	set(doc, "first_run", json_boolean(rep->first_run));
	set(doc, "counters_reset", json_boolean(rep->counters_reset));
	set(doc, "interval_s", rep->rates ? json_real(rep->interval_s) : NULL);
	set(doc, "findings", kf_findings_json(o->findings));
	set(doc, "checks", checks_json(rep));
	set(doc, "perfdata", perfdata_json(rep));
	set(doc, "zones", zones_json(o));
	set(doc, "memmap", memmap_json(o));
	vmstat_json(doc, o);
	window_json(doc, o);
	set(doc, "guard", guard_json(o));
	return doc;
}

/* ---- history: JSON Lines ------------------------------------------------------ */

static int lock_fd(int fd, double timeout_s)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	for (double waited = 0;; waited += 0.02) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (waited >= timeout_s) {
			errno = EWOULDBLOCK;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int kf_check_history_append(const char *path, json_t *doc, char *err, size_t errlen)
{
	char *line = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(12)), last;
	struct stat sb;
	size_t len;
	int fd, ret = -1;

	if (!line) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	len = strlen(line);
	line[len] = '\n';	/* json_dumps' NUL becomes the newline: written with the line */
	if (kf_mkdir_parents(path) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot append to %s: %s", path,
			 errno == ELOOP ? "it is a symbolic link (never followed)" : strerror(errno));
		free(line);
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "cannot append to %s: not a regular file", path);
		goto out;
	}
	if (lock_fd(fd, 30) < 0) {
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		goto out;
	}
	/* a line cut short by a crash must not swallow ours: end it first */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

		if (rfd >= 0) {
			if (pread(rfd, &last, 1, sb.st_size - 1) == 1 && last != '\n' &&
			    write_all(fd, "\n", 1) < 0) {
				close(rfd);
				snprintf(err, errlen, "cannot append to %s: %s", path, strerror(errno));
				goto out;
			}
			close(rfd);
		}
	}
	if (write_all(fd, line, len + 1) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot append to %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(fd);	/* releases the lock */
	free(line);
	return ret;
}
