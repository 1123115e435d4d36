#!/bin/bash
# Every JSON report kfrag writes for the trace.dat captures (trace.dat with and
# without the capture's saved /proc, per pid and --by-comm, with the guard
# protecting the capture's pid; trace_pipe text),
# for every text fixture and from standard input validates against
# data/kfrag-report.schema.json with every object closed (no key kfrag
# does not describe); the schema itself is a valid draft 2020-12 schema
# that describes every property and carries the version kfrag writes, and
# keeps the contract between versions: no object closed, so an installed
# 2.0 schema accepts a 2.1 report (shown with one), and a 3.0 is refused;
# the validation can fail: mutated reports (a required key deleted, a
# negative count, an unknown key, ...) are each rejected; and shapes kfrag
# writes that the captures do not show (text and live sources, a running
# episode, no pagetypeinfo, ...) are accepted.
. "${SRCDIR:-.}/tests/lib/lib.sh"
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || skip "needs $PYTHON (apt-get install python3)"
"$PYTHON" -c 'import jsonschema' 2>/dev/null ||
	skip "needs Python's jsonschema: apt-get install python3-jsonschema"

schema="$SRCDIR/data/kfrag-report.schema.json"
[ -f "$schema" ] || { fail "$schema is missing"; done_testing; }

cat > "$TMP/validate.py" <<'EOF'
# validate.py schema  : checks the schema (open: no object closed, the
#     contract between minor versions); prints one line per problem
# validate.py schema --newer FILE : a later 2.x version of the report and a
#     3.0 one against the schema as installed
# validate.py schema FILE... : validates reports; one "FILE: problem" line each
# validate.py schema --mutate FILE : applies each mutation to FILE's document,
#     prints "rejected NAME" or "accepted NAME"; then each valid variant
#     (shapes the captures do not show), "valid NAME" or "invalid NAME: why"
import copy
import json
import os
import sys

import jsonschema

sys.path.insert(0, os.environ.get("SRCDIR", ".") + "/tests/lib")
from closed_schema import closed, closed_objects  # noqa: E402

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(closed(schema))
open_validator = jsonschema.Draft202012Validator(schema)


def schema_problems():
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        yield "not a valid draft 2020-12 schema: %s" % e.message
    for key in ("$id", "title", "description"):
        if key not in schema:
            yield "no %s" % key

    # the contract: minor versions only add keys, so no object is closed
    yield from closed_objects(schema, "#")

    # every property, named or patterned, says what it is
    def walk(node, path):
        if isinstance(node, list):
            for i, x in enumerate(node):
                yield from walk(x, "%s/%d" % (path, i))
            return
        if not isinstance(node, dict):
            return
        for kw in ("properties", "patternProperties"):
            for name, sub in node.get(kw, {}).items():
                if isinstance(sub, dict) and "description" not in sub and not constraint_only(path):
                    yield "%s/%s/%s has no description" % (path, kw, name)
        for kw in ("additionalProperties", "items"):
            sub = node.get(kw)
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                yield "%s/%s has no description" % (path, kw)
        for k, v in node.items():
            yield from walk(v, path + "/" + k)

    # properties inside if/then/else/not/contains only constrain, they do not define
    def constraint_only(path):
        return any(("/" + k + "/") in (path + "/") for k in ("if", "then", "else", "not", "contains"))

    yield from walk(schema, "#")


def invariants(doc):
    """What JSON Schema cannot say: sizes that depend on nr_cpus, sums, order."""
    n = doc["nr_cpus"]
    if len(doc["cpus"]) != n:
        yield "cpus has %d entries, nr_cpus is %d" % (len(doc["cpus"]), n)
    ids = [c["cpu"] for c in doc["cpus"]]
    if ids != sorted(set(ids)):
        yield "cpus are not in ascending CPU order, once each: %s" % ids
    if len(doc["lost_events"]["per_cpu"]) != n:
        yield "lost_events/per_cpu has %d entries" % len(doc["lost_events"]["per_cpu"])
    total = 0
    for name, ev in doc["events"].items():
        if len(ev["per_cpu"]) != n:
            yield "events/%s/per_cpu has %d entries" % (name, len(ev["per_cpu"]))
        if sum(ev["per_cpu"]) != ev["total"]:
            yield "events/%s: per_cpu does not add up to total" % name
        total += ev["total"]
    if total != doc["nr_events"]:
        yield "nr_events %d is not the sum of events.*.total %d" % (doc["nr_events"], total)
    for m in ("freed_on_other_cpu", "drained_on_other_cpu"):
        pairs = [(f["from_cpu"], f["to_cpu"]) for f in doc["cross_cpu"][m]]
        if pairs != sorted(set(pairs)):
            yield "cross_cpu/%s is not sorted by (from_cpu, to_cpu), once each" % m
        for a, b in pairs:
            if a == b or a not in ids or b not in ids:
                yield "cross_cpu/%s: %d -> %d is not between two CPUs of cpus" % (m, a, b)
    if doc["zones"][-1]["known"] is not False:
        yield "the last zone is not the 'unknown' one"
    for i, z in enumerate(doc["zones"]):
        if "free_blocks" in z:
            k = len(z["free_blocks"])
            if len(z["unusable_index"]) != k or len(z["extfrag_index"]) != k:
                yield "zones/%d: index arrays differ in length from free_blocks" % i
    if any("pid" in p for p in doc["processes"]) and any("pid" not in p for p in doc["processes"]):
        yield "processes mix per-pid and merged entries"


def mutations(doc):
    """(name, function changing a copy of doc); each result must be rejected."""
    def set_(path, value):
        def f(d):
            *head, last = path
            for k in head:
                d = d[k]
            d[last] = value
        return f

    def delete(path):
        def f(d):
            *head, last = path
            for k in head:
                d = d[k]
            del d[last]
        return f

    known = next(i for i, z in enumerate(doc["zones"]) if z["known"] and "free_blocks" in z)
    m = [
        ("required top-level key deleted (zones)", delete(["zones"])),
        ("required top-level key deleted (schema_version)", delete(["schema_version"])),
        ("negative count (events.mm_page_alloc.total)", set_(["events", "mm_page_alloc", "total"], -1)),
        ("negative count (processes[0].pages_allocd)", set_(["processes", 0, "pages_allocd"], -5)),
        ("negative per-CPU count", set_(["cpus", 0, "pages", "alloc", "pages"], -1)),
        ("unknown top-level key", set_(["guards"], {"alerts": []})),
        ("unknown key in a process", set_(["processes", 0, "rss_kib"], 1)),
        ("unknown key in a zone", set_(["zones", known, "free_kib"], 1)),
        ("unknown key in cpus[0].pcp_refill", set_(["cpus", 0, "pcp_refill", "min_pages"], 0)),
        ("string where an integer belongs (nr_cpus)", set_(["nr_cpus"], str(doc["nr_cpus"]))),
        ("fraction where an integer belongs", set_(["processes", 0, "pages_allocd"], 1.5)),
        ("integer where a boolean belongs", set_(["lost_events", "gaps_of_unknown_size"], 0)),
        ("unknown source.type", set_(["source", "type"], "perf")),
        ("source with the other format's fields", lambda d: d["source"].update(
            {"lines": 10} if d["source"]["type"] == "trace.dat" else {"buffers": ["(top)"]})),
        ("other schema_version", set_(["schema_version"], "3.0")),
        ("page_size 0", set_(["page_size"], 0)),
        ("page_size missing", delete(["page_size"])),
        ("event name that is not an identifier", set_(["events", "MM-Page"], doc["events"]["mm_page_alloc"])),
        ("event with an unknown system", set_(["events", "mm_page_alloc", "system"], "mm")),
        ("analysed event missing", delete(["events", "mm_page_free"])),
        ("unknown zone removed", lambda d: d["zones"].pop()),
        ("two unknown zones", lambda d: d["zones"].append(copy.deepcopy(d["zones"][-1]))),
        ("unknown zone with a node", set_(["zones", -1, "node"], 0)),
        ("unknown zone with zone state", set_(["zones", -1, "free_pages"], 0)),
        ("known zone without end_pfn", delete(["zones", known, "end_pfn"])),
        ("buddyinfo fields split (no extfrag_index)", delete(["zones", known, "extfrag_index"])),
        ("extfrag index below -1", set_(["zones", known, "extfrag_index", 0], -2.0)),
        ("unusable index above 1", set_(["zones", known, "unusable_index", 0], 1.5)),
        ("page_alloc order above 15", set_(["page_alloc", 0, "order"], 16)),
        ("page_alloc cell with no kind", lambda d: [d["page_alloc"][0].pop(k, None) for k in
                                                     ("alloc", "alloc_zone_locked", "free", "free_batched", "pcpu_drain")]),
        ("process without comm", delete(["processes", 0, "comm"])),
        ("vmstat counter outside the documented prefixes", set_(["vmstat", "nr_free_pages"], {"value": 1})),
        ("vmstat counter without value", set_(["vmstat", "compact_stall"], {"delta": 1})),
        ("compaction status count of 0", set_(["compaction", "by_status", "complete"], 0)),
        ("kcompactd counter missing", delete(["compaction", "kcompactd", "sleeps"])),
        ("migration row with 0 calls", lambda d: d["migration"]["by_reason"].append(
            {"reason": "compaction", "mode": "MIGRATE_SYNC", "calls": 0, "succeeded": 0, "failed": 0,
             "thp_succeeded": 0, "thp_failed": 0, "thp_split": 0, "large_folio_split": 0})),
        ("per_cpu array one entry short (invariant)", lambda d: d["events"]["mm_page_alloc"]["per_cpu"].pop()),
        ("nr_events off by one (invariant)", set_(["nr_events"], doc["nr_events"] + 1)),
    ]
    if doc.get("guard", {}).get("alerts"):
        m += [
            ("guard alert with severity ok", set_(["guard", "alerts", 0, "severity"], "ok")),
            ("guard alert of an unknown kind", set_(["guard", "alerts", 0, "kind"], "locked_pages_touched")),
            ("guard alert without message", delete(["guard", "alerts", 0, "message"])),
            ("guard alert with a zone but no node", lambda d: (d["guard"]["alerts"][0].update(zone="Normal"),
                                                               d["guard"]["alerts"][0].pop("node", None))),
            ("guard alert with a negative count", set_(["guard", "alerts", 0, "count"], -1)),
            ("guard without alerts", delete(["guard", "alerts"])),
            ("guard with an unknown worst", set_(["guard", "worst"], "error")),
            ("guard sysctl value a string", set_(["guard", "sysctl", "compaction_proactiveness"], "20")),
        ]
    if doc.get("guard", {}).get("protected"):
        m += [
            ("protected process with an unknown reason", set_(["guard", "protected", 0, "reason"], "mlock")),
            ("protected process with negative pages_moved", set_(["guard", "protected", 0, "pages_moved"], -3)),
            ("protected process without threads", delete(["guard", "protected", 0, "threads"])),
            ("protected process with an unknown key", set_(["guard", "protected", 0, "rss_kb"], 1)),
            ("protected comm longer than 15", set_(["guard", "protected", 0, "comm"], "a_very_long_command")),
        ]
    if doc["compaction"]["episodes"]:
        m += [
            ("episode with unknown initiator", set_(["compaction", "episodes", 0, "initiator"], "kswapd")),
            ("episode with unknown mode", set_(["compaction", "episodes", 0, "mode"], "SYNC")),
            ("running episode with an end", set_(["compaction", "episodes", 0, "running"], True)),
            ("ended episode without duration", delete(["compaction", "episodes", 0, "duration_ms"])),
            ("episode in a known zone without node", delete(["compaction", "episodes", 0, "node"])),
            ("episode pfn pair of 3", set_(["compaction", "episodes", 0, "migrate_pfn"], [1, 2, 3])),
        ]
    return m


def variants(doc):
    """(name, change) for shapes kfrag writes that the shared captures do not
    show; each result must stay valid."""
    def text_source(d):
        d["source"] = {"type": "trace_pipe", "path": "-", "lines": 40000,
                       "malformed_lines": 2, "first_malformed_line": 17}

    def report_source(d):
        d["source"] = {"type": "trace-cmd-report", "path": "t.txt", "lines": 5, "malformed_lines": 0}

    def live_source(d, instance):
        d["source"] = {"type": "live", "instance": instance, "interrupted": False,
                       "ring_buffer": [{"cpu": c, "events_read": 10, "missed": 0, "overrun": 0,
                                        "dropped": 0} for c in range(d["nr_cpus"])]}

    def running_episode(d):
        ep = d["compaction"]["episodes"][0]
        ep.update(running=True, status="running")
        del ep["end_s"], ep["duration_ms"]

    def unknown_zone_episode(d):
        ep = d["compaction"]["episodes"][0]
        ep["zone"] = "unknown"
        del ep["node"]

    def no_pagetypeinfo(d):
        for z in d["zones"]:
            z.pop("pageblocks", None)
            z.pop("free_blocks_by_type", None)

    def no_buddyinfo(d):
        for z in d["zones"]:
            for k in ("free_blocks", "unusable_index", "extfrag_index"):
                z.pop(k, None)

    def odd_indices(d):
        z = next(z for z in d["zones"] if "extfrag_index" in z)
        z["extfrag_index"][0] = -0.5
        z["unusable_index"][0] = 1.0

    def vmstat_delta(d):
        d["vmstat"]["compact_stall"] = {"value": 3, "delta": -2}

    def no_events(d):
        d.update(nr_cpus=0, nr_events=0, first_ts_s=0.0, last_ts_s=0.0, duration_s=0.0,
                 cpus=[], page_alloc=[], processes=[],
                 cross_cpu={"freed_on_other_cpu": [], "drained_on_other_cpu": []})
        d["lost_events"]["per_cpu"] = []
        for ev in d["events"].values():
            ev.update(total=0, per_cpu=[])

    def numeric_names(d):
        d["page_alloc"][0]["migratetype"] = "3"
        d["migration"]["by_reason"] = [dict(d["migration"]["by_reason"][0], reason="14", mode="2")] \
            if d["migration"]["by_reason"] else []
        d["compaction"]["by_status"] = {"15": 1}

    def live_guard(d):
        d["guard"] = {
            "worst": "critical", "offline": False, "lock_threshold_kb": 1024, "window_s": 10.2,
            "page_faults_traced": True, "compaction_migrated": 3828,
            "sched_ext": {"state": "enabled", "ops": "rustland"},
            "sysctl": {"compact_unevictable_allowed": {"start": 1, "end": 0, "changes": 1,
                                                       "history": [{"t_s": 3.5, "from": 1, "to": 0}]},
                       "compaction_proactiveness": 20,
                       "compaction_proactiveness_changes": {"start": 0, "end": 20, "changes": 1,
                                                            "history": [{"t_s": 1.5, "from": 0, "to": 20}]},
                       "source": "read", "enforced": False,
                       "enforce_error": "/proc/sys/vm/compact_unevictable_allowed: Read-only file system"},
            "protected": [{"pid": 4242, "comm": "scx_rustland", "reason": "sched_ext", "vmlck_kb": 41392,
                           "locking": "mlockall", "locked_ranges": 12, "pagemap_readable": True,
                           "exited": False, "locked_pages": 10348, "pages_moved": 1003, "pages_checked": 62088,
                           "pfn_ranges": 4100, "threads": [4242, 4243], "page_faults": 2,
                           "page_faults_during_migration": 1, "page_faults_on_migrating_pages": 1,
                           "page_faults_in_locked_mappings": 1, "page_faults_evidence": 1,
                           "fault_proof": "migration_pte", "locked_pages_scanned_by_compaction": 1007,
                           "compaction_episodes_touching": 1,
                           "locked_mappings": [{"start": 140737488, "end": 140737588, "name": "",
                                                "locked_kb": 32768, "pages": 8192, "pages_moved": 1003}],
                           "moved_ranges": [[140737488, 140741584]]},
                          {"pid": 1, "comm": "init", "reason": "locked_memory", "vmlck_kb": 44992,
                           "locking": "unknown", "locked_ranges": 0, "pagemap_readable": False,
                           "pagemap_unreadable_why": "/proc/1/smaps: Permission denied", "exited": True,
                           "locked_pages": 0, "pages_moved": 0, "pages_checked": 0, "pfn_ranges": 0,
                           "threads": [1], "page_faults": 0, "page_faults_during_migration": 0,
                           "page_faults_on_migrating_pages": 0, "page_faults_in_locked_mappings": 0,
                           "page_faults_evidence": 0, "fault_proof": None,
                           "locked_pages_scanned_by_compaction": 0, "compaction_episodes_touching": 0,
                           "locked_mappings": [], "moved_ranges": []}],
            "locked_not_protected": [{"pid": 1, "comm": "systemd", "vmlck_kb": 38044}],
            "alerts": [{"severity": "critical", "kind": "locked_pages_moved", "pid": 4242, "comm": "scx_rustland",
                        "zone": "Normal", "node": 0, "initiator": "manual (bash-77)", "count": 1003,
                        "message": "1003 locked pages moved", "action": "set vm.compact_unevictable_allowed=0"},
                       {"severity": "critical", "kind": "faults_during_migration", "pid": 4242,
                        "comm": "scx_rustland", "count": 1, "proof": "migration_pte",
                        "message": "scx_rustland (pid 4242) took 1 page fault", "action": "set it to 0"},
                       {"severity": "warning", "kind": "unevictable_allowed", "pid": None, "count": 2,
                        "message": "vm.compact_unevictable_allowed is 1", "action": ""},
                       {"severity": "note", "kind": "protected_not_found", "pid": None, "comm": "scx_nothing",
                        "count": 0, "message": "--protect-comm scx_nothing: no process", "action": "check"}]}

    def no_guard(d):
        d.pop("guard", None)

    v = [
        ("live guard", live_guard),
        ("no guard (--no-guard)", no_guard),
        ("trace_pipe text source", text_source),
        ("trace-cmd report text source", report_source),
        ("live source", lambda d: live_source(d, "kfrag-1234")),
        ("live source without instance", lambda d: live_source(d, None)),
        ("no pagetypeinfo (not root)", no_pagetypeinfo),
        ("no buddyinfo", no_buddyinfo),
        ("extfrag index -0.5, unusable index 1", odd_indices),
        ("vmstat delta, negative", vmstat_delta),
        ("no events at all", no_events),
        ("numbers for unnamed kernel values", numeric_names),
    ]
    if doc["compaction"]["episodes"]:
        v += [("running episode", running_episode),
              ("episode in the unknown zone", unknown_zone_episode)]
    return v


def problems(doc):
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        yield "/".join(map(str, e.absolute_path)) + ": " + e.message[:300]
    if not list(validator.iter_errors(doc)):
        yield from invariants(doc)


if len(sys.argv) == 2:
    for p in schema_problems():
        print(p)
elif sys.argv[2] == "--newer":
    # a report of a later minor version: a key added at the top and in a
    # zone, a new event; the shipped (open) schema must accept it
    doc = json.load(open(sys.argv[3]))
    doc["schema_version"] = "2.99"
    doc["added_in_a_later_version"] = {"x": 1}
    doc["zones"][0]["added_key"] = [1, 2]
    doc["events"]["mm_new_event"] = dict(doc["events"]["mm_page_alloc"], system="kmem")
    errs = [e.message[:200] for e in open_validator.iter_errors(doc)]
    print("accepted" if not errs else "rejected: " + errs[0])
    doc["schema_version"] = "3.0"
    print("major 3.0 " + ("accepted" if not list(open_validator.iter_errors(doc)) else "rejected"))
elif sys.argv[2] == "--mutate":
    doc = json.load(open(sys.argv[3]))
    if list(problems(copy.deepcopy(doc))):
        print("invalid-original")
        sys.exit(0)
    for name, change in mutations(doc):
        d = copy.deepcopy(doc)
        change(d)
        print(("rejected " if list(problems(d)) else "accepted ") + name)
    for name, change in variants(doc):
        d = copy.deepcopy(doc)
        change(d)
        p = list(problems(d))
        print(("invalid %s: %s" % (name, p[0])) if p else ("valid " + name))
else:
    for f in sys.argv[2:]:
        try:
            doc = json.load(open(f))
        except ValueError as e:
            print("%s: not JSON: %s" % (f, e))
            continue
        for p in problems(doc):
            print("%s: %s" % (f, p))
EOF

# --- the schema itself ---------------------------------------------------------
"$PYTHON" "$TMP/validate.py" "$schema" > "$TMP/schema.problems" 2>&1
if [ -s "$TMP/schema.problems" ]; then
	fail "the schema: $(head -20 "$TMP/schema.problems")"
else
	ok
fi
version=$(sed -nE 's/^#define KF_SCHEMA_VERSION "([^"]*)".*/\1/p' "$SRCDIR/src/report/kf_report.h")
expect_eq "schema_version: any MAJOR.x of kfrag's, and the schema describes the one kfrag writes" \
	"$("$PYTHON" -c 'import json,re,sys; p=json.load(open(sys.argv[1]))["properties"]["schema_version"]
print(bool(re.search(p["pattern"], sys.argv[2])), bool(re.search("this schema describes %s\\b" % re.escape(sys.argv[2]), p["description"])))' "$schema" "$version")" \
	"True True"
# shellcheck disable=SC2016 # $id is Python's, not the shell's
expect_eq "\$id names the version" \
	"$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["$id"].endswith(":" + sys.argv[2]))' "$schema" "$version")" \
	True

# --- every report of the trace.dat captures (tests/data/tracedat, shared) ----------------------------------------
reports=()
n=0
while read -r capdir; do
	n=$((n + 1))
	cap=$n.$(basename "$capdir")
	dat="$capdir/trace.dat"
	roots=(none)
	[ -d "$capdir/proc-after" ] && roots+=(proc-after)
	for root in "${roots[@]}"; do
		for procs in pid comm; do
			args=(report --input "$dat" --json)
			[ "$root" = none ] || args+=(--proc-root "$capdir/$root")
			[ "$procs" = pid ] || args+=(--by-comm)
			out="$TMP/$cap.$root.$procs.json"
			if "$KFRAG" "${args[@]}" --output "$out" 2> "$TMP/err"; then
				reports+=("$out")
			else
				fail "kfrag ${args[*]} failed: $(cat "$TMP/err")"
			fi
		done
	done
	[ -f "$capdir/scenario" ] || continue
	# the guard with the pid the capture protected (its scenario file), as pids and as comms
	pid=$(scenario_pid "$capdir")
	out="$TMP/$cap.guard.json"
	if "$KFRAG" report --input "$dat" --proc-root "$capdir/proc-after" --protect-pid "$pid" \
		--protect-comm lockedsched --protect-comm nosuchcomm --protect-pid 999999 --output "$out" 2> "$TMP/err"; then
		reports+=("$out")
	else
		fail "kfrag report --protect-pid $pid on $cap failed: $(cat "$TMP/err")"
	fi
done < <(tracedat_caps all)
# text: the shared trace_pipe capture, every text fixture, and standard input
# (path "-") for both formats
run_report() {	# OUT ARGS...
	local out=$1
	shift
	if "$KFRAG" report "$@" --json > "$out" 2> "$TMP/err"; then
		reports+=("$out")
	else
		fail "kfrag report $* failed: $(cat "$TMP/err")"
	fi
}
[ -f "$SHARED_DATA/kmem-storm/trace_pipe.txt" ] &&
	run_report "$TMP/kmem-storm.pipe.json" --input "$SHARED_DATA/kmem-storm/trace_pipe.txt"
fixture_root=()
[ -d "$FIXTURES/proc/compaction-mlocked-moved/after" ] &&
	fixture_root=(--proc-root "$FIXTURES/proc/compaction-mlocked-moved/after")
for f in "$FIXTURES"/text/*.txt; do
	[ -s "$f" ] || continue		# empty.txt: refused, as it must be
	run_report "$TMP/fixture.$(basename "$f" .txt).json" --input "$f" "${fixture_root[@]}"
done
[ -f "$FIXTURES/text/pipe_noirq.txt" ] &&
	run_report "$TMP/stdin.text.json" --input - < "$FIXTURES/text/pipe_noirq.txt"
[ -f "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat" ] &&
	run_report "$TMP/stdin.tracedat.json" --input - < "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat"

# the live machine, as root (kfrag mounts tracefs itself when needed): zone
# state, ring-buffer stats, guard, memory map; and a recorded trace's report
# with the memory map asked for
if [ "$(id -u)" = 0 ]; then
	# under the live tests' lock, as theirs: never beside one of them
	exec 8> "$LIVE_LOCK"
	if flock -w 300 8; then
		run_report "$TMP/live.json" --duration 1
		run_report "$TMP/live.memmap.json" --duration 1 --memmap
	elif [ "${CI:-}" = true ]; then
		fail "$LIVE_LOCK held for 300 s; open in:
$(live_lock_users)"
	else
		echo "note: the live tests' lock stayed held for 300 s: live reports not validated" >&2
	fi
	exec 8>&-
	run_report "$TMP/memmap.offline.json" --input "$FIXTURES/text/pipe_kmem_storm.txt" --proc-root / --memmap
else
	echo "note: not root: live reports and the memory map not validated" >&2
fi

[ "${#reports[@]}" -gt 0 ] || skip "no shared capture under $SHARED_DATA nor fixture to produce reports from"

"$PYTHON" "$TMP/validate.py" "$schema" "${reports[@]}" > "$TMP/problems" 2>&1
for r in "${reports[@]}"; do
	if grep -q "^$r: " "$TMP/problems"; then
		fail "$(basename "$r") does not validate:"
		grep "^$r: " "$TMP/problems" | head -10 | sed "s|^$TMP/||" >&2
	else
		ok
	fi
done
grep -qv "^$TMP/" "$TMP/problems" && { fail "validator: $(head -5 "$TMP/problems")"; }

# --- the validation can fail -----------------------------------------------------
# the richest report: episodes, zone state from the capture's saved /proc, guard alerts
base=""
for r in "$TMP"/*compaction-mlocked-moved.guard.json "$TMP"/*compaction-mlocked-moved.proc-after.pid.json "${reports[@]}"; do
	[ -f "$r" ] && { base=$r; break; }
done
"$PYTHON" "$TMP/validate.py" "$schema" --mutate "$base" > "$TMP/mutations" 2>&1
if grep -q "^invalid-original" "$TMP/mutations"; then
	fail "the report to mutate, $(basename "$base"), is not valid to begin with"
elif ! grep -q "^rejected " "$TMP/mutations"; then
	fail "mutation run: $(head -5 "$TMP/mutations")"
else
	while read -r verdict name; do
		case $verdict in
		rejected | valid) ok ;;
		accepted) fail "mutated report accepted: $name" ;;
		invalid) fail "valid variant rejected: $name" ;;
		*) fail "mutation run: $verdict $name" ;;
		esac
	done < "$TMP/mutations"
	echo "$(grep -c '^rejected ' "$TMP/mutations") mutations of $(basename "$base") rejected," \
		"$(grep -c '^valid ' "$TMP/mutations") valid variants accepted" >&2
fi


# --- the contract between versions ------------------------------------------------
# the same report as a later minor version would write it (new keys, a new
# event) validates against this schema as installed; a major version does not
"$PYTHON" "$TMP/validate.py" "$schema" --newer "$base" > "$TMP/newer" 2>&1
expect_eq "a later 2.x report against the installed schema" "$(head -1 "$TMP/newer")" accepted
expect_eq "a 3.0 report against the installed schema" "$(sed -n 2p "$TMP/newer")" "major 3.0 rejected"

done_testing
