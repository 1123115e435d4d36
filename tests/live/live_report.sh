#!/bin/bash
# kfrag report --duration on the live kernel: it counts the allocations of a
# real workload, reads the zones' state, ends early on SIGINT with the report
# so far, and leaves the tracing state as it found it.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
need_cmd jq
[ -x "$ALLOC_STORM" ] || skip "no workload program at $ALLOC_STORM"

before=$(tracing_state)
"$KFRAG" report --duration 4 --json --output "$TMP/r.json" 2> "$TMP/err" &
kpid=$!
wait_tracing "$kpid" || fail "kfrag report made no instance kfrag-$kpid tracing mm_page_alloc"
# a child of this shell that allocates 2 MB as "bash" and sleeps past the
# second after which kfrag reads a name again, then execs the storm: kfrag
# read "bash" first, and must name the pid after its exec all the same
( big=$(printf '%*s' 2000000 ''); : "${#big}"; sleep 1.2; exec "$ALLOC_STORM" 8 1.5 ) > "$TMP/storm.out"
wait "$kpid"
expect_eq "report --duration exit" "$?" 0
# "alloc_storm: pid PID touched PAGES pages in LOOPS loops"
spid=$(awk '{ print $3 }' "$TMP/storm.out")
touched=$(awk '{ print $5 }' "$TMP/storm.out")
lost=$(jq .lost_events.total "$TMP/r.json")
allocs=$(jq ".processes[] | select(.pid == $spid) | .pages_allocd" "$TMP/r.json")
expect_eq "source" "$(jq -r .source.type "$TMP/r.json")" live
# named after its exec, not after the shell that forked it, nor after a
# recycled pid's old entry in the kernel's saved_cmdlines
expect_eq "workload named" "$(jq -r ".processes[] | select(.pid == $spid) | .comm" "$TMP/r.json")" alloc_storm
expect_eq "instance named" "$(jq -r .source.instance "$TMP/r.json")" "kfrag-$kpid"
if [ "$lost" = 0 ]; then
	# every page the workload touched is one order-0 allocation of its own
	[ -n "$allocs" ] && [ "$allocs" -ge "$touched" ] && ok ||
		fail "alloc_storm touched $touched pages; kfrag counted ${allocs:-no} allocations of pid $spid"
else
	echo "note: $lost events lost under load; allocation count not compared" >&2
fi
# the window really was about 4 s
awk -v d="$(jq .duration_s "$TMP/r.json")" 'BEGIN { exit !(d >= 3.9 && d < 6) }' && ok ||
	fail "duration_s $(jq .duration_s "$TMP/r.json")"
# the zones' state was read at the end: the known zones have their indices
expect_eq "zones with indices" "$(jq '[.zones[] | select(.known and (.unusable_index | length) > 0)] | length' "$TMP/r.json")" \
	"$(grep -c '^Node' /proc/buddyinfo)"
expect_eq "tracing state restored" "$(tracing_state)" "$before"

# SIGINT ends the window early: still a complete report, exit 0, no instance.
# (With job control on, a background job does not start with SIGINT ignored.)
set -m
"$KFRAG" report --duration 60 --json --output "$TMP/int.json" 2> "$TMP/err" &
kpid=$!
wait_instance "$kpid" || fail "no instance for the SIGINT run"
sleep 1
kill -INT "$kpid"
wait "$kpid"
expect_eq "SIGINT: exit" "$?" 0
expect_eq "SIGINT: interrupted flag" "$(jq .source.interrupted "$TMP/int.json")" true
awk -v d="$(jq .duration_s "$TMP/int.json")" 'BEGIN { exit !(d < 30) }' && ok || fail "SIGINT did not end the window early"
no_instance_of "$kpid" && ok || fail "SIGINT left instance kfrag-$kpid"
expect_eq "tracing state after SIGINT" "$(tracing_state)" "$before"

# SIGTERM likewise removes the instance
"$KFRAG" report --duration 60 --json --output "$TMP/term.json" 2>/dev/null &
kpid=$!
wait_instance "$kpid" || fail "no instance for the SIGTERM run"
kill -TERM "$kpid"
wait "$kpid"
no_instance_of "$kpid" && ok || fail "SIGTERM left instance kfrag-$kpid"

done_testing
