/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kfrag check's outputs: the Nagios plugin text (status line, perfdata,
 * details), a JSON document (also the history's one line per run), and
 * node_exporter textfile-collector metrics. Nothing here decides a status.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "kf_check.h"
#include "kf_fragindex.h"
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
	char buf[48], *e;

	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(out, "%.0f", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.6f", v);
	e = buf + strlen(buf);
	while (e > buf && e[-1] == '0')
		*--e = '\0';
	if (e > buf && e[-1] == '.')
		*--e = '\0';
	fputs(buf, out);
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

int kf_check_print_nagios(const struct kf_check_output *o, FILE *out)
{
	static const enum kf_check_status order[] = {
		KF_CHECK_CRITICAL, KF_CHECK_UNKNOWN, KF_CHECK_WARNING, KF_CHECK_OK
	};
	const struct kf_check_report *rep = o->rep;
	char summary[1024];

	kf_check_summary(rep, summary, sizeof(summary));
	fprintf(out, "KFRAG %s - ", kf_check_status_names[rep->status]);
	put_clean(out, summary[0] ? summary : kf_check_status_names[rep->status]);
	if (rep->nr_perf) {
		fputs(" |", out);
		for (int i = 0; i < rep->nr_perf; i++) {
			fputc(' ', out);
			put_perf(out, &rep->perf[i]);
		}
	}
	fputc('\n', out);
	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++)
		for (int i = 0; i < rep->nr_results; i++) {
			const struct kf_check_result *r = &rep->results[i];

			if (r->status != order[s])
				continue;
			fprintf(out, "%s: %s: ", kf_check_status_names[r->status], r->check);
			put_clean(out, r->message);
			fputc('\n', out);
		}
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
			json_array_append_new(ui, json_real(kf_unusable_index(z->free_blocks, z->nr_orders, ord) / 1000.0));
			json_array_append_new(ei, json_real(kf_extfrag_index(z->free_blocks, z->nr_orders, ord) / 1000.0));
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

json_t *kf_check_json(const struct kf_check_output *o)
{
	const struct kf_check_report *rep = o->rep;
	json_t *doc = json_object(), *checks = json_array(), *perf = json_array(), *vm = json_object();
	char when[64] = "", summary[1024];
	time_t t = (time_t)o->now->time;
	struct tm tm;

	if (!doc || !checks || !perf || !vm) {
		json_decref(doc);
		json_decref(checks);
		json_decref(perf);
		json_decref(vm);
		return NULL;
	}
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	kf_check_summary(rep, summary, sizeof(summary));
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

	for (int i = 0; i < rep->nr_results; i++) {
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
	set(doc, "checks", checks);

	for (int i = 0; i < rep->nr_perf; i++) {
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
	set(doc, "perfdata", perf);
	set(doc, "zones", zones_json(o));
	set(doc, "memmap", memmap_json(o));

	for (int c = 0; c < KF_CTR_NR; c++)
		if (o->now->have & (1u << c))
			set(vm, kf_check_counter_names[c], json_integer((json_int_t)o->now->counter[c]));
	set(doc, "vmstat", vm);
	if (rep->rates) {
		json_t *d = json_object();

		for (int c = 0; c < KF_CTR_NR; c++)
			if (rep->have_delta & (1u << c))
				set(d, kf_check_counter_names[c], json_integer((json_int_t)rep->delta[c]));
		set(doc, "vmstat_delta", d);
	} else {
		set(doc, "vmstat_delta", NULL);
	}
	if (o->snap) {
		json_t *e = json_object();

		set(e, "fallbacks", json_integer((json_int_t)rep->fallbacks));
		set(e, "fragmenting", json_integer((json_int_t)rep->fragmenting));
		set(e, "fallbacks_per_s", rep->window_s > 0 ? json_real(rep->fallbacks / rep->window_s) : NULL);
		set(e, "fragmenting_per_s", rep->window_s > 0 ? json_real(rep->fragmenting / rep->window_s) : NULL);
		set(doc, "extfrag", e);
		set(doc, "lost_events", json_integer((json_int_t)rep->lost_events));
	} else {
		set(doc, "extfrag", NULL);
		set(doc, "lost_events", NULL);
	}
	if (o->guard) {
		json_t *g = json_object(), *procs = json_array();
		const struct kf_guard_input *gi = o->guard_in;

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
		set(g, "compact_unevictable_allowed",
		    gi && gi->unevictable_allowed_end >= 0 ? json_integer(gi->unevictable_allowed_end) : NULL);
		set(doc, "guard", g);
	} else {
		set(doc, "guard", NULL);
	}
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

/* ---- Prometheus textfile ---------------------------------------------------------- */

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_value(FILE *out, double v)
{
	fputc(' ', out);
	put_num(out, v);
	fputc('\n', out);
}

/* label values escaped as the exposition format wants */
static void prom_label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(out, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

static void prom_zone_metric(FILE *out, const struct kf_check_output *o, const char *name,
			     const char *help, int what)
{
	const struct kf_buddyinfo *bi = o->buddyinfo;
	char node[16], ord[16];

	prom_head(out, name, "gauge", help);
	for (int i = 0; bi && i < bi->nr_zones; i++) {
		const struct kf_buddy_zone *z = &bi->zones[i];

		snprintf(node, sizeof(node), "%d", z->node);
		for (int k = 0; k < z->nr_orders; k++) {
			double v;

			if (what == 0)
				v = (double)z->free_blocks[k];
			else if (what == 1)
				v = kf_unusable_index(z->free_blocks, z->nr_orders, k) / 1000.0;
			else
				v = kf_extfrag_index(z->free_blocks, z->nr_orders, k) / 1000.0;
			snprintf(ord, sizeof(ord), "%d", k);
			fprintf(out, "%s{", name);
			prom_label(out, "node", node, true);
			prom_label(out, "zone", z->name, false);
			prom_label(out, "order", ord, false);
			fputc('}', out);
			prom_value(out, v);
		}
	}
}

static void status_lower(enum kf_check_status st, char lower[16])
{
	int i;

	for (i = 0; kf_check_status_names[st][i] && i < 15; i++)
		lower[i] = kf_check_status_names[st][i] | 0x20;
	lower[i] = '\0';
}

static bool same_alert_series(const struct kf_check_result *a, const struct kf_check_result *b)
{
	return strcmp(b->check, "guard") == 0 && a->status == b->status && a->pid == b->pid &&
	       strcmp(a->kind, b->kind) == 0;
}

int kf_check_prometheus_print(const struct kf_check_output *o, FILE *out)
{
	const struct kf_check_report *rep = o->rep;
	const struct kf_snapshot *s = o->snap;
	int count[KF_CHECK_NR_STATUS] = { 0 };
	char buf[64];

	prom_head(out, "kfrag_check_status", "gauge",
		  "Result of the last kfrag check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	fprintf(out, "kfrag_check_status");
	prom_value(out, rep->status);
	prom_head(out, "kfrag_check_timestamp_seconds", "gauge", "When the last kfrag check measured, seconds since the epoch.");
	fprintf(out, "kfrag_check_timestamp_seconds");
	prom_value(out, o->now->time);
	for (int i = 0; i < rep->nr_results; i++)
		count[rep->results[i].status]++;
	prom_head(out, "kfrag_check_results", "gauge", "Check results of the last run by status.");
	for (int st = 0; st < KF_CHECK_NR_STATUS; st++) {
		char lower[16];

		status_lower(st, lower);
		fprintf(out, "kfrag_check_results{");
		prom_label(out, "status", lower, true);
		fputc('}', out);
		prom_value(out, count[st]);
	}
	prom_head(out, "kfrag_check_first_run", "gauge", "1 when the last check had no previous counters to compute rates from.");
	fprintf(out, "kfrag_check_first_run");
	prom_value(out, rep->first_run);
	if (rep->rates) {
		prom_head(out, "kfrag_check_interval_seconds", "gauge", "Seconds between the last two checks (the rates' interval).");
		fprintf(out, "kfrag_check_interval_seconds");
		prom_value(out, rep->interval_s);
	}

	/* zones */
	if (o->zoneinfo && o->buddyinfo) {
		prom_head(out, "kfrag_zone_free_pages", "gauge", "Free pages of the zone (/proc/zoneinfo).");
		for (int k = 0; k < 2; k++) {
			if (k == 1)
				prom_head(out, "kfrag_zone_managed_pages", "gauge", "Pages the buddy allocator manages in the zone (/proc/zoneinfo).");
			for (int i = 0; i < o->buddyinfo->nr_zones; i++) {
				const struct kf_buddy_zone *z = &o->buddyinfo->zones[i];

				for (int j = 0; j < o->zoneinfo->nr_zones; j++) {
					const struct kf_zone_info *zi = &o->zoneinfo->zones[j];

					if (zi->node != z->node || strcmp(zi->name, z->name) != 0)
						continue;
					snprintf(buf, sizeof(buf), "%d", z->node);
					fprintf(out, "%s{", k ? "kfrag_zone_managed_pages" : "kfrag_zone_free_pages");
					prom_label(out, "node", buf, true);
					prom_label(out, "zone", z->name, false);
					fputc('}', out);
					prom_value(out, (double)(k ? zi->managed : zi->free_pages));
				}
			}
		}
	}
	if (o->buddyinfo) {
		prom_zone_metric(out, o, "kfrag_zone_free_blocks",
				 "Free blocks of each order in the zone (/proc/buddyinfo).", 0);
		prom_zone_metric(out, o, "kfrag_unusable_index",
				 "Unusable free space index of the zone at the order, 0 to 1, as debugfs extfrag/unusable_index.", 1);
		prom_zone_metric(out, o, "kfrag_extfrag_index",
				 "Fragmentation index of the zone at the order, as debugfs extfrag/extfrag_index (-1: a block of the order is free).", 2);
		prom_head(out, "kfrag_highorder_free_blocks", "gauge",
			  "Free blocks of the order or larger in the zones checked, counted in blocks of the order.");
		snprintf(buf, sizeof(buf), "%d", o->cfg->highorder_order);
		fprintf(out, "kfrag_highorder_free_blocks{");
		prom_label(out, "order", buf, true);
		fputc('}', out);
		prom_value(out, (double)rep->highorder_blocks);
	}

	/* the memory map: pageblocks by kind, and the blocked fraction */
	if (o->memmap || o->memmap_error) {
		prom_head(out, "kfrag_memmap_available", "gauge",
			  "1 when the last check read the memory map (/proc/kpageflags, root only), 0 when it could not.");
		fprintf(out, "kfrag_memmap_available");
		prom_value(out, o->memmap != NULL);
	}
	if (o->memmap) {
		const struct kf_memmap *m = o->memmap;

		prom_head(out, "kfrag_memmap_pageblocks", "gauge",
			  "Pageblocks of the zone by kind (/proc/kpageflags): hole, no_flags (not initialised), free, movable, unsure, and the blocked kinds reserved, slab, page_tables, kernel, huge, unevictable, writeback.");
		for (int i = 0; i < m->nr_zones; i++) {
			const struct kf_memmap_zone *z = &m->zones[i];

			snprintf(buf, sizeof(buf), "%d", z->node);
			for (int k = 0; k < KF_BK_NR; k++) {
				fprintf(out, "kfrag_memmap_pageblocks{");
				prom_label(out, "node", buf, true);
				prom_label(out, "zone", z->name, false);
				prom_label(out, "kind", kf_block_kind_names[k], false);
				fputc('}', out);
				prom_value(out, (double)z->blocks_by_kind[k]);
			}
		}
		for (int i = 0, head = 0; i < m->nr_zones; i++) {
			const struct kf_memmap_zone *z = &m->zones[i];

			if (!z->usable_blocks)
				continue;
			if (!head++)
				prom_head(out, "kfrag_memmap_blocked_fraction", "gauge",
					  "Fraction of the zone's usable pageblocks (all but holes and no_flags) that hold a page compaction cannot move (unsure ones not counted), 0 to 1.");
			snprintf(buf, sizeof(buf), "%d", z->node);
			fprintf(out, "kfrag_memmap_blocked_fraction{");
			prom_label(out, "node", buf, true);
			prom_label(out, "zone", z->name, false);
			fputc('}', out);
			prom_value(out, (double)kf_check_blocked_blocks(z) / z->usable_blocks);
		}
	}

	/* vmstat counters, raw: Prometheus computes its own rates */
	for (int c = 0; c < KF_CTR_NR; c++) {
		char name[80], help[160];

		if (!(o->now->have & (1u << c)))
			continue;
		snprintf(name, sizeof(name), "kfrag_%s_total", kf_check_counter_names[c]);
		snprintf(help, sizeof(help), "The kernel's %s counter (/proc/vmstat) at the last check.",
			 kf_check_counter_names[c]);
		prom_head(out, name, "counter", help);
		fputs(name, out);
		prom_value(out, (double)o->now->counter[c]);
	}
	if (rep->rates) {
		prom_head(out, "kfrag_compact_stalls_per_second", "gauge", "Direct compaction stalls per second between the last two checks.");
		fprintf(out, "kfrag_compact_stalls_per_second");
		prom_value(out, rep->delta[KF_CTR_COMPACT_STALL] / rep->interval_s);
		prom_head(out, "kfrag_compact_fails_per_second", "gauge", "Failed compactions per second between the last two checks.");
		fprintf(out, "kfrag_compact_fails_per_second");
		prom_value(out, rep->delta[KF_CTR_COMPACT_FAIL] / rep->interval_s);
	}

	/* the trace window */
	if (s) {
		prom_head(out, "kfrag_check_window_seconds", "gauge", "Seconds of trace the last check analysed.");
		fprintf(out, "kfrag_check_window_seconds");
		prom_value(out, rep->window_s);
		if (rep->window_s > 0) {
			prom_head(out, "kfrag_extfrag_fallbacks_per_second", "gauge",
				  "Allocations served from another migratetype's free list (mm_page_alloc_extfrag) per second of the window.");
			fprintf(out, "kfrag_extfrag_fallbacks_per_second");
			prom_value(out, rep->fallbacks / rep->window_s);
			prom_head(out, "kfrag_extfrag_fragmenting_per_second", "gauge",
				  "Fallbacks that split a pageblock per second of the window.");
			fprintf(out, "kfrag_extfrag_fragmenting_per_second");
			prom_value(out, rep->fragmenting / rep->window_s);
		}
		prom_head(out, "kfrag_trace_events", "gauge", "Events traced on the CPU during the last check's window.");
		for (int c = 0; c < s->nr_cpus; c++) {
			uint64_t n = 0;

			for (int t = 0; t < KF_EV_NR; t++)
				n += s->ev_per_cpu[t * s->nr_cpus + c];
			snprintf(buf, sizeof(buf), "%d", c);
			fprintf(out, "kfrag_trace_events{");
			prom_label(out, "cpu", buf, true);
			fputc('}', out);
			prom_value(out, (double)n);
		}
		prom_head(out, "kfrag_lost_events", "gauge", "Events the ring buffer lost on the CPU during the last check's window.");
		for (int c = 0; c < s->nr_cpus; c++) {
			snprintf(buf, sizeof(buf), "%d", c);
			fprintf(out, "kfrag_lost_events{");
			prom_label(out, "cpu", buf, true);
			fputc('}', out);
			prom_value(out, (double)s->cpus[c].lost_events);
		}
	}

	/* the guard: what it protects, and its alerts summed by kind, status and pid */
	if (o->guard_in) {
		const struct kf_guard_input *gi = o->guard_in;

		prom_head(out, "kfrag_guard_protected_processes", "gauge",
			  "Processes the guard protected during the last check (user-space schedulers and those configured).");
		fprintf(out, "kfrag_guard_protected_processes");
		prom_value(out, gi->nr_procs);
		if (gi->nr_procs) {
			prom_head(out, "kfrag_guard_locked_pages_moved", "gauge",
				  "Locked pages of a protected process whose page frame changed during the last check's window.");
			for (int i = 0; i < gi->nr_procs; i++) {
				snprintf(buf, sizeof(buf), "%d", gi->procs[i].pid);
				fprintf(out, "kfrag_guard_locked_pages_moved{");
				prom_label(out, "pid", buf, true);
				fputc('}', out);
				prom_value(out, (double)gi->procs[i].pages_moved);
			}
		}
		if (gi->unevictable_allowed_end >= 0) {
			prom_head(out, "kfrag_guard_compact_unevictable_allowed", "gauge",
				  "vm.compact_unevictable_allowed at the end of the last check (1: compaction may move mlocked pages).");
			fprintf(out, "kfrag_guard_compact_unevictable_allowed");
			prom_value(out, gi->unevictable_allowed_end);
		}
	}
	if (o->guard) {
		for (int m = 0; m < 2; m++) {
			const char *name = m ? "kfrag_guard_alert_events" : "kfrag_guard_alerts";

			if (m)
				prom_head(out, name, "gauge",
					  "What the guard's alerts of the last check counted (pages moved, faults, migrations), by kind, status and pid.");
			else
				prom_head(out, name, "gauge",
					  "Alerts of the guard of mlocked memory in the last check, by kind, status and pid.");
			for (int i = 0; i < rep->nr_results; i++) {
				const struct kf_check_result *r = &rep->results[i];
				double alerts = 0, events = 0;
				bool dup = false;
				char lower[16];

				if (strcmp(r->check, "guard") != 0)
					continue;
				for (int j = 0; j < i && !dup; j++)
					dup = same_alert_series(r, &rep->results[j]);
				if (dup)
					continue;
				for (int j = i; j < rep->nr_results; j++)
					if (same_alert_series(r, &rep->results[j])) {
						alerts++;
						events += rep->results[j].value;
					}
				status_lower(r->status, lower);
				fprintf(out, "%s{", name);
				prom_label(out, "kind", r->kind, true);
				prom_label(out, "status", lower, false);
				if (r->pid >= 0) {
					snprintf(buf, sizeof(buf), "%d", r->pid);
					prom_label(out, "pid", buf, false);
				}
				fputc('}', out);
				prom_value(out, m ? events : alerts);
			}
		}
	}
	return ferror(out) ? -1 : 0;
}

int kf_check_prometheus_write(const char *path, const struct kf_check_output *o,
			      char *err, size_t errlen)
{
	struct kf_atomic_file af;
	struct stat sb;

	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is %s: not replaced", path,
			 S_ISLNK(sb.st_mode) ? "a symbolic link" : "not a regular file");
		errno = EINVAL;
		return -1;
	}
	if (kf_mkdir_parents(path) < 0 || kf_atomic_open_exact(&af, path, 0644) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (kf_check_prometheus_print(o, af.fp) < 0) {
		kf_atomic_abort(&af);
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	if (kf_atomic_commit(&af) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
