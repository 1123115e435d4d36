#!/bin/bash
# kfrag report on the live kernel counts each allocation of two workloads,
# one per CPU, once: no more, no fewer than perf counts on each workload's
# own task. The live reader reads the CPUs' ring buffers in rounds and
# merges them by time; a record lost or fed twice (a page read twice, a
# round fed again) shows as a difference of thousands. perf counts from the
# exec of the workload's task on; the few allocations of the fork before
# it are kfrag's alone (a dozen or two: the test allows 200).
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
need_cmd jq
need_cmd perf
need_cmd taskset
[ -x "$ALLOC_STORM" ] || skip "no workload program at $ALLOC_STORM"
perf stat -e kmem:mm_page_alloc -x, -o "$TMP/probe" -- true 2>/dev/null ||
	skip "perf cannot count kmem:mm_page_alloc here"
last_cpu=$(($(nproc) - 1))

"$KFRAG" report --duration 8 --json --output "$TMP/r.json" 2> "$TMP/err" &
kpid=$!
wait_tracing "$kpid" || fail "kfrag report made no instance kfrag-$kpid tracing mm_page_alloc"
storms=()
for cpu in $(printf '%s\n' 0 "$last_cpu" | sort -u); do
	perf stat -e kmem:mm_page_alloc -x, -o "$TMP/perf$cpu" -- \
		taskset -c "$cpu" "$ALLOC_STORM" 8 3 > "$TMP/storm$cpu" &
	storms+=("$!")
done
wait "${storms[@]}"
wait "$kpid"
expect_eq "report --duration exit" "$?" 0
lost=$(jq .lost_events.total "$TMP/r.json")
if [ "$lost" != 0 ]; then
	echo "note: $lost events lost under load; the counts are not compared" >&2
	done_testing
fi
for f in "$TMP"/storm*; do
	cpu=${f#"$TMP/storm"}
	# "alloc_storm: pid PID touched PAGES pages in LOOPS loops"
	spid=$(awk '{ print $3 }' "$f")
	k=$(jq "[.processes[] | select(.pid == ${spid:-0}) | .pages_allocd] | add // 0" "$TMP/r.json")
	p=$(awk -F, '/mm_page_alloc/ { print $1 }' "$TMP/perf$cpu")
	[ -n "$spid" ] && [ -n "$p" ] && [ "$k" -ge "$p" ] && [ "$k" -le $((p + 200)) ] && ok ||
		fail "CPU $cpu: pid ${spid:-?} made ${p:-?} allocations (perf, from its exec); kfrag counted $k"
done
done_testing
