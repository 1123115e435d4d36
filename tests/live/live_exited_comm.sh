#!/bin/bash
# kfrag report names a task that allocated and exited before kfrag read its
# records: /proc has nothing left of it, and the kernel's saved_cmdlines of
# kfrag's start does not know it (or, once pids wrap, names the task that
# had its pid before). The truth is the name the test gave the program.
# Each task lives 20 ms; a poll may still find one alive, so three run.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
need_cmd jq
[ -x "$ALLOC_STORM" ] || skip "no workload program at $ALLOC_STORM"
cp "$ALLOC_STORM" "$TMP/kf_brief"

"$KFRAG" report --duration 4 --json --output "$TMP/r.json" 2> "$TMP/err" &
kpid=$!
wait_tracing "$kpid" || fail "kfrag report made no instance kfrag-$kpid tracing mm_page_alloc"
for brief in 1 2 3; do
	"$TMP/kf_brief" 1 0.02 > "$TMP/brief$brief"
done
wait "$kpid"
expect_eq "report --duration exit" "$?" 0
for brief in 1 2 3; do
	# "alloc_storm: pid PID touched PAGES pages in LOOPS loops"
	bpid=$(awk '{ print $3 }' "$TMP/brief$brief")
	name=$(jq -r "[.processes[] | select(.pid == ${bpid:-0}) | .comm] | first // \"(none)\"" "$TMP/r.json")
	expect_eq "the name of pid ${bpid:-?}, gone before its records were read" "$name" kf_brief
done
done_testing
