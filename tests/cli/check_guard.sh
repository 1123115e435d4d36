#!/bin/bash
# kfrag check and the guard, on the shared captures of the hazard: the
# locked process's pages moved and it faulted on pages being migrated
# (CRITICAL, exit 2), and the same with vm.compact_unevictable_allowed=0
# (no critical alert). Only the faults tied to moving pages count (issue
# #11): those on a page whose migration PTE was set and not yet removed,
# counted here with awk from trace-cmd report -t.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
need_cmd trace-cmd

C=$TMP/c.conf
# the fixtures of tests/data/tracedat, and the shared captures when present
for M in $(tracedat_caps moved); do
moved=$(scenario_pid "$M")
{ base_conf; echo "protect_pid = $moved"; } > $C
kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after \
	--prometheus $TMP/k.prom
grep -q "'guard_critical'=" "$TMP/out" || skip "the guard is not part of this kfrag check yet (no guard perfdata)"
expect_rc "locked pages moved: CRITICAL" 2
grep -qE '^KFRAG CRITICAL - ' "$TMP/out" && ok || fail "status line: $(head -1 "$TMP/out" | cut -c1-300)"
has "a critical guard line for the pid" "^CRITICAL: guard: .*$moved"
# the faults: page_fault_user events in the capture (filtered to the locked
# pid when it was recorded), counted by trace-cmd; the locked process itself
# measured 215 while compaction ran (../shared/data/README.md)
{
	trace-cmd report -t -i $M/trace.dat 2> /dev/null | sed -E 's/^[^ ]+: +//' > $TMP/report.txt
	case $M in "$SHARED_DATA"/*) expect_eq "faults in the capture" "$(grep -c " page_fault_user: " $TMP/report.txt)" 215 ;; esac
	tied=$(awk -v P="$moved" '
		$4 == "set_migration_pte:" { a = $5; sub("addr=", "", a); sub(",", "", a); inf[a]++ }
		$4 == "remove_migration_pte:" { a = $5; sub("addr=", "", a); sub(",", "", a); if (inf[a] > 0) inf[a]-- }
		$4 == "page_fault_user:" && $1 ~ ("-" P "$") {
			a = $5; sub("address=0x", "", a); if (inf[substr(a, 1, length(a) - 3) "000"] > 0) n++ }
		END { print n + 0 }' $TMP/report.txt)
	[ "$tied" -gt 0 ] && ok || fail "awk found no fault on a migrating page"
	has "the critical line counts them" "^CRITICAL: guard: .*\\(pid $moved\\) took $tied page faults while compaction"
	# the textfile names the process by its command name (the trace's), never by pid
	comm=$(awk -v P="$moved" '$1 ~ ("-" P "$") { sub("-" P "$", "", $1); print $1; exit }' $TMP/report.txt)
	[ -n "$comm" ] && ok || fail "no event of pid $moved in the capture"
	grep -q "^kfrag_guard_alert_events{kind=\"faults_during_migration\",status=\"critical\",comm=\"$comm\"} $tied$" $TMP/k.prom && ok ||
		fail "textfile: $(grep guard_alert_events $TMP/k.prom)"
}
[ "$(perf guard_critical)" -ge 1 ] && ok || fail "guard_critical perfdata: $(perf guard_critical)"
grep -qE "^kfrag_guard_alerts\{kind=\"[a-z_]+\",status=\"critical\",comm=\"[^\"]+\"\} [1-9]" $TMP/k.prom && ok ||
	fail "no critical guard alert in the textfile: $(grep guard $TMP/k.prom)"
grep -qE '[{,]pid="' $TMP/k.prom && fail "a per-pid label: $(grep -E '[{,]pid="' $TMP/k.prom)" || ok
grep -q '=""' $TMP/k.prom && fail "a placeholder label: $(grep '=""' $TMP/k.prom)" || ok
# moved pages are unknown from a recording (no page frames read): absent, not 0
grep -q '^kfrag_guard_locked_pages_moved' $TMP/k.prom && fail "moved pages from a recording: $(grep pages_moved $TMP/k.prom)" || ok

if command -v jq > /dev/null; then
	kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after --json
	expect_eq "JSON: the protected pid" "$(jq -c '[.guard.protected[].pid]' "$TMP/out")" "[$moved]"
	expect_eq "JSON: worst" "$(jq -r .guard.worst "$TMP/out")" critical
	expect_eq "JSON: the critical check" "$(jq -r '[.checks[] | select(.check == "guard" and .status == "CRITICAL") | .kind] | join(",")' "$TMP/out")" \
		faults_during_migration
fi

done

for O in $(tracedat_caps off); do
off=$(scenario_pid "$O")
{ base_conf; echo "protect_pid = $off"; } > $C
kcheck --config $C --input $O/trace.dat --proc-root $O/proc-after
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || fail "compact_unevictable_allowed=0: exit $rc, want 0 or 1: $(head -c 2000 "$TMP/out")"
hasnt "no critical guard line" "^CRITICAL: guard:"
expect_eq "guard_critical" "$(perf guard_critical)" 0

done

# --assume-sysctl: each capture with the value its scenario file recorded
# (what the traced machine had): the two captures get different verdicts,
# and no action asks for the option check would not take or for the 0 in
# effect
if command -v jq > /dev/null; then
sysctl_of() { sed -n 's/.*compact_unevictable_allowed=\([01]\).*/\1/p' "$1/scenario"; }
for A in $(tracedat_caps all); do
[ -f "$A/scenario" ] || continue
pid=$(scenario_pid "$A") val=$(sysctl_of "$A")
{ base_conf; echo "protect_pid = $pid"; } > $C
kcheck --config $C --input $A/trace.dat --proc-root $A/proc-after --json --assume-sysctl compact_unevictable_allowed=$val
guard_worst=$(jq -r '[.checks[] | select(.check == "guard") | .status] | if index("CRITICAL") then "CRITICAL" elif index("WARNING") then "WARNING" else "OK" end' "$TMP/out")
case $val in
1) expect_eq "$(basename "$A") assumed 1: the guard's worst" "$guard_worst" CRITICAL ;;
0) expect_eq "$(basename "$A") assumed 0: the guard's worst" "$guard_worst" OK ;;
esac
expect_eq "$(basename "$A"): the sysctl as assumed" "$(jq -c .guard.compact_unevictable_allowed "$TMP/out")" "$val"
expect_eq "$(basename "$A"): no action asks to say the sysctl" \
	"$(jq '[.checks[] | select(.message | test("assume-sysctl"))] | length' "$TMP/out")" 0
[ "$val" = 0 ] && expect_eq "$(basename "$A"): nothing advises the 0 in effect" \
	"$(jq '[.checks[] | select(.message | test("set vm.compact_unevictable_allowed=0"))] | length' "$TMP/out")" 0
done
# live, kfrag check reads the sysctls: the option is refused with UNKNOWN
kcheck --config $C --assume-sysctl compact_unevictable_allowed=0
expect_rc "--assume-sysctl without --input" 3
has "it says why" "^KFRAG UNKNOWN - bad command line: --assume-sysctl is for a recorded trace"
kcheck --config $C --input "$M/trace.dat" --assume-sysctl compact_unevictable_allowed=2
expect_rc "--assume-sysctl out of range" 3
fi

# guard = no: the same capture, no guard result
{ base_conf; echo "protect_pid = $moved"; echo "guard = no"; } > $C
kcheck --config $C --input $M/trace.dat --proc-root $M/proc-after
hasnt "guard off: no guard line" "^[A-Z]+: guard:"

done_testing
