#!/bin/bash
# kfrag check and the guard, on the captures of the hazard (tests/data/tracedat,
# and the shared ones when present): the
# locked process's pages moved and it faulted while compaction ran
# (CRITICAL, exit 2), and the same with vm.compact_unevictable_allowed=0
# (no critical alert).
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
C=$TMP/c.conf

moved_checks() {	# DIR
	local M=$1 moved faults
	moved=$(scenario_pid "$M")
	{ base_conf; echo "protect_pid = $moved"; } > $C
	kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after \
		--prometheus $TMP/k.prom
	grep -q "'guard_critical'=" "$TMP/out" || fail "no guard perfdata: $(head -1 "$TMP/out" | cut -c1-300)"
	expect_rc "locked pages moved: CRITICAL" 2
	grep -qE '^KFRAG CRITICAL - ' "$TMP/out" && ok || fail "status line: $(head -1 "$TMP/out" | cut -c1-300)"
	has "a critical guard line for the pid" "^CRITICAL: guard: .*$moved"
	# the faults: page_fault_user events in the capture (filtered to the locked
	# pid when it was recorded), counted by trace-cmd; the locked process itself
	# measured 215 while compaction ran (../shared/data/README.md)
	if command -v trace-cmd > /dev/null; then
		faults=$(trace-cmd report -i $M/trace.dat 2> /dev/null | grep -c " page_fault_user: ")
		case $M in "$SHARED_DATA"/*) expect_eq "faults in the capture" "$faults" 215 ;; esac
		has "the critical line counts them" "^CRITICAL: guard: .*\\(pid $moved\\) took $faults page faults? while compaction"
		grep -q "^kfrag_guard_alert_events{kind=\"faults_during_migration\",status=\"critical\",pid=\"$moved\"} $faults$" $TMP/k.prom && ok ||
			fail "textfile: $(grep guard_alert_events $TMP/k.prom)"
	fi
	[ "$(perf guard_critical)" -ge 1 ] && ok || fail "guard_critical perfdata: $(perf guard_critical)"
	grep -qE "^kfrag_guard_alerts\{kind=\"[a-z_]+\",status=\"critical\",pid=\"$moved\"\} [1-9]" $TMP/k.prom && ok ||
		fail "no critical guard alert in the textfile: $(grep guard $TMP/k.prom)"

	if command -v jq > /dev/null; then
		kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after --json
		expect_eq "JSON: the protected pid" "$(jq -c '[.guard.protected[].pid]' "$TMP/out")" "[$moved]"
		expect_eq "JSON: worst" "$(jq -r .guard.worst "$TMP/out")" critical
		expect_eq "JSON: the critical check" "$(jq -r '[.checks[] | select(.check == "guard" and .status == "CRITICAL") | .kind] | join(",")' "$TMP/out")" \
			faults_during_migration
	fi
}

off_checks() {	# DIR
	local O=$1 off
	off=$(scenario_pid "$O")
	{ base_conf; echo "protect_pid = $off"; } > $C
	kcheck --config $C --input $O/trace.dat --proc-root $O/proc-after
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || fail "compact_unevictable_allowed=0: exit $rc, want 0 or 1: $(head -c 2000 "$TMP/out")"
	hasnt "no critical guard line" "^CRITICAL: guard:"
	expect_eq "guard_critical" "$(perf guard_critical)" 0
}

while read -r d; do moved_checks "$d"; done < <(tracedat_caps moved)
while read -r d; do off_checks "$d"; done < <(tracedat_caps off)

# guard = no: the same capture, no guard result
M=$FIXTURES/tracedat/compaction-mlocked-moved
moved=$(scenario_pid "$M")
{ base_conf; echo "protect_pid = $moved"; echo "guard = no"; } > $C
kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after
hasnt "guard off: no guard line" "^[A-Z]+: guard:"

done_testing
