#!/bin/bash
# kfrag report on real trace.dat captures (tests/data/tracedat, and the
# shared ones when present), checked against numbers computed independently
# from `trace-cmd report` output with sed/awk.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd trace-cmd
need_cmd jq

# "event cpu count" lines from trace-cmd's own decoding of FILE
tracecmd_counts() {
	trace-cmd report -i "$1" 2>/dev/null |
		sed -nE 's/^.*\[([0-9]+)\] +[0-9.]+: ([a-z_]+): .*$/\2 \1/p' | sort | uniq -c |
		awk '{ print $2, $3 + 0, $1 }'
}

# the same from kfrag's JSON
kfrag_counts() {
	# per_cpu entry i is CPU cpus[i].cpu
	jq -r '[.cpus[].cpu] as $ids | .events | to_entries[] | select(.key != "other") | .key as $e |
	       .value.per_cpu | to_entries[] | select(.value > 0) | "\($e) \($ids[.key]) \(.value)"' "$1" | sort
}

n=0
while read -r dir; do
	n=$((n + 1))
	cap="$n.$(basename "$dir")"
	dat="$dir/trace.dat"
	if ! "$KFRAG" report --input "$dat" --json --output "$TMP/$cap.json"; then
		fail "$cap: kfrag report failed"
		continue
	fi
	tracecmd_counts "$dat" | sort > "$TMP/$cap.want"
	kfrag_counts "$TMP/$cap.json" > "$TMP/$cap.got"
	if diff -u "$TMP/$cap.want" "$TMP/$cap.got" >&2; then ok; else fail "$cap: per-event per-CPU counts differ from trace-cmd's"; fi
	expect_eq "$cap: buffers read" "$(jq -c '.source.buffers | length' "$TMP/$cap.json")" 2
	expect_eq "$cap: lost events" "$(jq '.lost_events.total' "$TMP/$cap.json")" 0
done < <(tracedat_caps all)
[ "$n" -gt 0 ] || fail "no trace.dat capture, not even tests/data/tracedat's"

# The compaction captures: 3 manual episodes (compact_memory), one per zone.
compaction_checks() {	# DIR
	local dir=$1 j txt pid p want
	j="$TMP/compaction.json"
	txt="$TMP/compaction.txt"
	"$KFRAG" report --input "$dir/trace.dat" --proc-root "$dir/proc-before" --json --output "$j" || { fail "$dir: kfrag report failed"; return; }
	trace-cmd report -i "$dir/trace.dat" 2>/dev/null > "$txt"
	expect_eq "episodes" "$(jq '.compaction.episodes | length' "$j")" 3
	expect_eq "episode zones" "$(jq -r '[.compaction.episodes[].zone] | join(",")' "$j")" "DMA,DMA32,Normal"
	expect_eq "episode initiators" "$(jq -r '[.compaction.episodes[].initiator] | unique | join(",")' "$j")" "manual"
	expect_eq "episode status" "$(jq -r '[.compaction.episodes[].status] | join(",")' "$j")" \
		"$(awk '/mm_compaction_end:/ { sub(/.*status=/, ""); printf "%s%s", sep, $1; sep = "," }' "$txt")"
	# migrated/failed per episode: sums of mm_compaction_migratepages between begin and end
	want=$(awk '/mm_compaction_begin:/ { m = 0; f = 0 }
		    /mm_compaction_migratepages:/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "nr_migrated") m += kv[2]; if (kv[1] == "nr_failed") f += kv[2] } }
		    /mm_compaction_end:/ { printf "%s%d/%d", sep, m, f; sep = "," }' "$txt")
	expect_eq "episode migrated/failed" "$(jq -r '[.compaction.episodes[] | "\(.migrated)/\(.failed)"] | join(",")' "$j")" "$want"
	# isolate_migratepages scanned per episode
	want=$(awk '/mm_compaction_begin:/ { s = 0; t = 0 }
		    /mm_compaction_isolate_migratepages:/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "nr_scanned") s += kv[2]; if (kv[1] == "nr_taken") t += kv[2] } }
		    /mm_compaction_end:/ { printf "%s%d/%d", sep, s, t; sep = "," }' "$txt")
	expect_eq "episode scanned/isolated" "$(jq -r '[.compaction.episodes[] | "\(.migrate_scanned)/\(.migrate_isolated)"] | join(",")' "$j")" "$want"
	# migration totals from mm_migrate_pages
	want=$(awk '/mm_migrate_pages:/ { c++; for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "nr_succeeded") s += kv[2]; if (kv[1] == "nr_failed") f += kv[2] } }
		    END { printf "%d/%d/%d", c, s, f }' "$txt")
	expect_eq "migration calls/succeeded/failed" "$(jq -r '.migration | "\(.calls)/\(.succeeded)/\(.failed)"' "$j")" "$want"
	expect_eq "migration reason" "$(jq -r '[.migration.by_reason[].reason] | join(",")' "$j")" \
		"$(sed -nE 's/.*mm_migrate_pages: .*reason=([a-z_]+).*/\1/p' "$txt" | sort -u | paste -sd,)"
	# the locked process's faults: every page_fault_user in the capture is its
	pid=$(scenario_pid "$dir")
	expect_eq "faults of pid $pid" "$(jq ".processes[] | select(.pid == $pid) | .page_faults" "$j")" \
		"$(grep -cE -- "-$pid +\[[0-9]+\] .*page_fault_user:" "$txt")"
	# per-process mm_page_alloc counts of the three busiest processes
	for p in $(jq -r '.processes[:3][] | .pid' "$j"); do
		expect_eq "mm_page_alloc of pid $p" "$(jq ".processes[] | select(.pid == $p) | .pages_allocd" "$j")" \
			"$(grep -cE -- "-$p +\[[0-9]+\] +[0-9.]+: mm_page_alloc: " "$txt")"
	done
}
while read -r dir; do compaction_checks "$dir"; done < <(tracedat_caps moved)

# A trace with no memory state of its own, read without --proc-root: nothing
# of this machine is mixed in (no zone known, no free pages), and it says so;
# with --proc-root the zones are those of the saved zoneinfo.
no_memstate_checks() {	# DIR
	local dir=$1 j="$TMP/nostate.json" t="$TMP/nostate.txt" want
	"$KFRAG" report --input "$dir/trace.dat" --json --output "$j" || { fail "$dir: kfrag report failed"; return; }
	expect_eq "no state: available" "$(jq '.memory_state.available' "$j")" false
	expect_eq "no state: proc_root" "$(jq -r '.memory_state.proc_root' "$j")" none
	expect_eq "no state: note names --proc-root" "$(jq -r '.memory_state.note | test("--proc-root DIR")' "$j")" true
	expect_eq "no state: known zones" "$(jq '[.zones[] | select(.known)] | length' "$j")" 0
	expect_eq "no state: zones with free pages" "$(jq '[.zones[] | select(has("free_pages"))] | length' "$j")" 0
	"$KFRAG" report --input "$dir/trace.dat" --text > "$t" || { fail "$dir: kfrag report --text failed"; return; }
	expect_eq "no state: text line" "$(grep -c '^this trace carries no memory state; .*pass --proc-root DIR$' "$t")" 1
	expect_eq "no state: no zone rows" "$(grep -cE '^[0-9]+ +(DMA|DMA32|Normal|Movable) ' "$t")" 0
	"$KFRAG" report --input "$dir/trace.dat" --proc-root "$dir/proc-before" --json --output "$j" ||
		{ fail "$dir: kfrag report --proc-root failed"; return; }
	want=$(awk '/^Node/ { z = $4 } /^ +spanned/ && $2 > 0 { printf "%s%s", sep, z; sep = "," }' "$dir/proc-before/zoneinfo")
	expect_eq "proc-root: available" "$(jq '.memory_state.available' "$j")" true
	expect_eq "proc-root: zones" "$(jq -r '[.zones[] | select(.known) | .zone] | join(",")' "$j")" "$want"
}
while read -r dir; do no_memstate_checks "$dir"; done < <(tracedat_caps moved)

done_testing
