#!/bin/bash
# --enforce's shared state, live (root; issue #13 item 7): the value the
# admin had is kept in /run/kfrag/enforce-compact_unevictable_allowed with
# the pid of every kfrag holding vm.compact_unevictable_allowed at 0.
#  - nested: while kfrag A holds it, kfrag B --enforce starts and ends: B
#    leaves 0 for A, and knows the admin's 1;
#  - A killed with SIGKILL (no handler runs): 0 stays, and so does A's line;
#    the next --enforce run C restores 1, not the 0 it found, and removes
#    the state;
#  - E dies by SIGSEGV: its handler restores 1 and marks it; the admin then
#    sets 0 by hand: the next --enforce run F keeps 0, not E's saved 1;
#  - the admin writes 1 by hand while kfrag D holds it: D does not write 0
#    again (its last reading is 1), says so (enforce_admin_changed, the
#    sysctl_changed alert) and leaves 1.
# The sysctl is put back whatever happens (trap EXIT); the instance of the
# killed kfrag is removed by the test.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
. "${SRCDIR:-.}/tests/lib/guard_lib.sh"
live_setup
guard_setup locked_heap
STATE=/run/kfrag/enforce-compact_unevictable_allowed
# a state left by a dead kfrag is for kfrag to handle; a live holder is not ours
for h in $(sed -n 's/^holder=\([0-9]*\) .*/\1/p' "$STATE" 2> /dev/null); do
	[ -d "/proc/$h" ] && skip "kfrag $h holds the sysctl with --enforce ($STATE)"
done
instances=()
guard_cleanup_extra() {
	for i in "${instances[@]}"; do [ -d "$i" ] && rmdir "$i"; done
	rm -f "$STATE" "$STATE".*
}
wait_for() { guard_wait_for "$1" "$2" 300; }

"$H/locked_heap" 8 > "$TMP/heap.log" 2>&1 9>&- &
heap=$!
pids+=($heap)
wait_for "$TMP/heap.log" "^ready" || fail "locked_heap: $(cat "$TMP/heap.log")"
enforce() {	# NAME DURATION: kfrag report --enforce in the background, $kp
	"$KFRAG" report --duration "$2" --enforce --protect-pid "$heap" --output "$TMP/$1.json" 2> "$TMP/$1.err" 9>&- &
	kp=$!
	pids+=($kp)
	wait_for "$TMP/$1.err" "tracing for" || fail "$1 did not start: $(cat "$TMP/$1.err")"
}

# --- nested ----------------------------------------------------------------------------
echo 1 > "$SYSCTL"
enforce A 120
A=$kp
instances+=("$T/instances/kfrag-$A")
expect_eq "A holds it at 0" "$(cat "$SYSCTL")" 0
expect_eq "the state: the admin's value and A" "$(grep -c -e '^original=1$' -e "^holder=$A " "$STATE")" 2
"$KFRAG" report --duration 1 --enforce --protect-pid "$heap" --output "$TMP/B.json" 2> "$TMP/B.err" 9>&-
expect_eq "B: exit" "$?" 0
expect_eq "B ended, A still holds it" "$(cat "$SYSCTL")" 0
expect_eq "B knew the admin's value" "$(q "$TMP/B.json" "(g['sysctl']['enforced'], g['sysctl']['enforce_original'])")" "(True, 1)"
expect_eq "A is still in the state" "$(grep -c "^holder=$A " "$STATE")" 1

# --- A killed: nothing runs at its death ---------------------------------------------------
kill -KILL "$A"
wait "$A" 2> /dev/null
expect_eq "after SIGKILL: still 0" "$(cat "$SYSCTL")" 0
"$KFRAG" report --duration 1 --enforce --protect-pid "$heap" --output "$TMP/C.json" 2> "$TMP/C.err" 9>&-
expect_eq "C: exit" "$?" 0
expect_eq "C restored the admin's 1, not the 0 it found" "$(cat "$SYSCTL")" 1
expect_eq "C: the original" "$(q "$TMP/C.json" "(g['sysctl']['compact_unevictable_allowed']['start'], g['sysctl']['enforce_original'])")" "(0, 1)"
[ -e "$STATE" ] && fail "the state outlived its last holder: $(cat "$STATE")" || ok

# --- a fatal signal: its handler restores 1; the admin then chooses 0 -------------------------
ulimit -c 0
enforce E 120
expect_eq "E holds it at 0" "$(cat "$SYSCTL")" 0
kill -SEGV "$kp"
wait "$kp" 2> /dev/null
expect_eq "E's handler restored 1" "$(cat "$SYSCTL")" 1
expect_eq "its marker says so" "$(cat "$STATE.$kp" 2> /dev/null)" restored
echo 0 > "$SYSCTL"	# by hand, later
"$KFRAG" report --duration 1 --enforce --protect-pid "$heap" --output "$TMP/F.json" 2> "$TMP/F.err" 9>&-
expect_eq "F: exit" "$?" 0
expect_eq "F kept the admin's 0, not E's saved 1" "$(cat "$SYSCTL")" 0
expect_eq "F: the original" "$(q "$TMP/F.json" "g['sysctl']['enforce_original']")" 0
echo 1 > "$SYSCTL"

# --- the admin changes it during a run ---------------------------------------------------------
enforce D 4
expect_eq "D holds it at 0" "$(cat "$SYSCTL")" 0
echo 1 > "$SYSCTL"	# by hand
wait "$kp"
expect_eq "D: exit" "$?" 0
expect_eq "the admin's 1 stands" "$(cat "$SYSCTL")" 1
expect_eq "D's last reading is the admin's, not kfrag's 0" \
	"$(q "$TMP/D.json" "(g['sysctl']['compact_unevictable_allowed']['end'], g['sysctl']['enforce_admin_changed'])")" "(1, True)"
expect_eq "D says so" "$(q "$TMP/D.json" "[a['severity'] for a in g['alerts'] if a['kind'] == 'sysctl_changed' and 'while --enforce held it' in a['message']]")" "['warning']"
[ -e "$STATE" ] && fail "the state outlived D: $(cat "$STATE")" || ok

done_testing
