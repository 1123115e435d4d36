#!/bin/bash
# The guard on the captures of the hazard, deterministically (the fixtures
# of tests/data/tracedat, then the shared captures when present): with --protect-pid of
# the locked process (the pid is in each capture's scenario file),
# compaction-mlocked-moved must raise the CRITICAL faults_during_migration
# alert with the count of its page faults taken while a compaction episode
# or a migration ran, counted here from trace-cmd report with awk, and the
# WARNING compaction_migration alert with the pages mm_migrate_pages moved
# for compaction; compaction-unevictable-off must raise neither a faults nor
# a moved-pages alert. A recorded trace has no pagemap: moved pages are never
# guessed, a NOTE says so. Also: --protect-comm, pids and comms that match
# nothing, the Guard section at the top of the text report, --no-guard, and
# the options that need the live kernel.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd trace-cmd
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || skip "needs $PYTHON"

# "PID EVENT" per event line of trace-cmd report (task names may hold dashes
# and spaces: the pid is the number before " [CPU]")
events() {
	trace-cmd report -i "$1" 2>/dev/null |
		sed -nE 's/^.*-([0-9]+) +\[[0-9]+\] +[0-9.]+: ([a-z_]+):.*$/\1 \2/p'
}

# the definition, independently: faults of PID while an episode
# (mm_compaction_begin..end of one task) or a migration
# (mm_migrate_pages_start..mm_migrate_pages of one task) is running
faults_of() {	# TRACE PID -> "FAULTS DURING_MIGRATION"
	events "$1" | awk -v P="$2" '
		$2 == "mm_compaction_begin" { if (!ep[$1]) { ep[$1] = 1; run++ } }
		$2 == "mm_compaction_end" { if (ep[$1]) { ep[$1] = 0; run-- } }
		$2 == "mm_migrate_pages_start" { if (!mg[$1]) { mg[$1] = 1; fly++ } }
		$2 == "mm_migrate_pages" { if (mg[$1]) { mg[$1] = 0; fly-- } }
		$2 == "page_fault_user" && $1 == P { n++; if (run > 0 || fly > 0) d++ }
		END { print n + 0, d + 0 }'
}

compaction_pages() {	# TRACE -> pages mm_migrate_pages moved for compaction
	trace-cmd report -i "$1" 2>/dev/null |
		sed -nE 's/^.* mm_migrate_pages: +nr_succeeded=([0-9]+) .*reason=compaction.*$/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# jq-like queries without jq
q() {	# FILE PYTHON-EXPRESSION-OVER-d
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); g=d.get("guard"); print(eval(sys.argv[2]))' "$1" "$2"
}
alerts_of() {	# FILE KIND -> "severity count pid" lines
	q "$1" "'\n'.join('%s %d %s' % (a['severity'], a['count'], a['pid']) for a in g['alerts'] if a['kind'] == '$2')"
}

# the comm and the task ("comm-pid") of events in trace-cmd report
comm_of() {	# TRACE PID -> the comm of PID's first event
	trace-cmd report -i "$1" 2>/dev/null |
		sed -nE "s/^(.*: +)?(.*)-$2 +\[[0-9]+\] +[0-9.]+: [a-z_]+:.*$/\2/p" | head -1 | sed 's/^ *//'
}
initiator_of() {	# TRACE -> "comm-pid" of the task that wrote compact_memory (the last episode's)
	trace-cmd report -i "$1" 2>/dev/null |
		sed -nE 's/^(.*: +)?(.*-[0-9]+) +\[[0-9]+\] +[0-9.]+: mm_compaction_begin:.*$/\2/p' | tail -1 | sed 's/^ *//'
}

# --- compaction-mlocked-moved --------------------------------------------------------
moved_checks() {	# DIR
	local moved=$1 pid comm faults during cpages out
	pid=$(scenario_pid "$moved")
	comm=$(comm_of "$moved/trace.dat" "$pid")
	read -r faults during < <(faults_of "$moved/trace.dat" "$pid")
	# the shared capture's README gives the locked process's own count
	case $moved in "$SHARED_DATA"/*) expect_eq "page_fault_user of $pid (its README says 215)" "$faults" 215 ;; esac
	[ "$during" -gt 0 ] || fail "$moved: awk found no fault during migration"
	cpages=$(compaction_pages "$moved/trace.dat")

	out=$TMP/moved.json
	if ! "$KFRAG" report --input "$moved/trace.dat" --protect-pid "$pid" --output "$out" 2> "$TMP/err"; then
		fail "kfrag report --protect-pid $pid: $(cat "$TMP/err")"
		return
	fi
	expect_eq "worst" "$(q "$out" "g['worst']")" critical
	expect_eq "faults alert (severity count pid)" "$(alerts_of "$out" faults_during_migration)" "critical $during $pid"
	expect_eq "compaction alert (severity count pid)" "$(alerts_of "$out" compaction_migration)" "warning $cpages $pid"
	expect_eq "no moved-pages alert offline" "$(alerts_of "$out" locked_pages_moved)" ""
	expect_eq "pagemap note" "$(alerts_of "$out" pagemap_unreadable)" "note 0 $pid"
	expect_eq "alerts most severe first" \
		"$(q "$out" "[a['severity'] for a in g['alerts']] == sorted([a['severity'] for a in g['alerts']], key=['critical','warning','note'].index)")" True
	expect_eq "protected" "$(q "$out" "[(p['pid'], p['comm'], p['reason'], p['page_faults'], p['pagemap_readable'], p['vmlck_kb']) for p in g['protected']]")" \
		"[($pid, '$comm', 'protect_pid', $faults, False, None)]"
	expect_eq "the faults alert names the initiator" \
		"$(q "$out" "[(a['initiator'], a['zone'], a['node']) for a in g['alerts'] if a['kind'] == 'faults_during_migration']")" \
		"[('manual ($(initiator_of "$moved/trace.dat"))', 'Normal', 0)]"
	expect_eq "it says what to do" \
		"$(q "$out" "all('compact_unevictable_allowed=0' in a['action'] for a in g['alerts'] if a['severity'] == 'critical')")" True
	expect_eq "offline, sysctls unknown" "$(q "$out" "(g['offline'], g['sysctl']['compact_unevictable_allowed']['start'], g['lock_threshold_kb'])")" \
		"(True, None, None)"
	grep -q "CRITICAL: $comm (pid $pid) took $during page fault" "$TMP/err" || fail "no CRITICAL line on stderr: $(cat "$TMP/err")"

	# the same process chosen by name
	out=$TMP/comm.json
	"$KFRAG" report --input "$moved/trace.dat" --protect-comm "$comm" --output "$out" 2> "$TMP/err" ||
		fail "--protect-comm: $(cat "$TMP/err")"
	expect_eq "by comm" "$(q "$out" "[(p['pid'], p['reason']) for p in g['protected']]")" "[($pid, 'protect_comm')]"
	expect_eq "by comm, faults alert" "$(alerts_of "$out" faults_during_migration)" "critical $during $pid"

	# text: the Guard section first, most severe first
	"$KFRAG" report --input "$moved/trace.dat" --protect-pid "$pid" --text > "$TMP/report.txt" 2> "$TMP/err" ||
		fail "text report: $(cat "$TMP/err")"
	expect_eq "first section" "$(grep -m1 '^== ' "$TMP/report.txt")" "== Guard: mlocked memory of user-space schedulers: CRITICAL =="
	expect_eq "first alert line" "$(grep -m1 -E '^(CRITICAL|WARNING|NOTE) ' "$TMP/report.txt")" \
		"$(grep -m1 -E "^CRITICAL $comm \(pid $pid\) took $during page" "$TMP/report.txt")"
	grep -qE "^$pid +$comm +protect_pid " "$TMP/report.txt" || fail "no protected row in the text report"
}

# --- compaction-unevictable-off ------------------------------------------------------
off_checks() {	# DIR
	local off=$1 pid faults during out
	pid=$(scenario_pid "$off")
	read -r faults during < <(faults_of "$off/trace.dat" "$pid")
	expect_eq "faults of $pid with the sysctl at 0" "$faults $during" "0 0"
	out=$TMP/off.json
	"$KFRAG" report --input "$off/trace.dat" --protect-pid "$pid" --output "$out" 2> "$TMP/err" ||
		fail "unevictable-off: $(cat "$TMP/err")"
	expect_eq "no faults alert" "$(alerts_of "$out" faults_during_migration)" ""
	expect_eq "no moved-pages alert" "$(alerts_of "$out" locked_pages_moved)" ""
	expect_eq "no critical at all" "$(q "$out" "sum(a['severity'] == 'critical' for a in g['alerts'])")" 0
	expect_eq "compaction noted (offline, the sysctl is unknown)" \
		"$(alerts_of "$out" compaction_migration)" "warning $(compaction_pages "$off/trace.dat") $pid"
	expect_eq "protected there" "$(q "$out" "[(p['pid'], p['page_faults']) for p in g['protected']]")" "[($pid, 0)]"
}

while read -r d; do moved_checks "$d"; done < <(tracedat_caps moved)
while read -r d; do off_checks "$d"; done < <(tracedat_caps off)
off=$FIXTURES/tracedat/compaction-unevictable-off

# --- selections that match nothing ---------------------------------------------------
out=$TMP/none.json
"$KFRAG" report --input "$off/trace.dat" --protect-pid 999999 --protect-comm no_such_comm --output "$out" 2> "$TMP/err"
expect_eq "exit status with unmatched selections" "$?" 0
expect_eq "unmatched pid and comm" \
	"$(q "$out" "[(a['severity'], a['pid'], a.get('comm')) for a in g['alerts'] if a['kind'] == 'protected_not_found']")" \
	"[('note', 999999, None), ('note', None, 'no_such_comm')]"
expect_eq "nothing protected" "$(q "$out" "(g['protected'], g['worst'])")" "([], 'note')"
grep -q "no event of pid 999999 in the trace" "$out" || fail "the note does not say the pid is not in the trace"

# no selection: an empty guard
out=$TMP/plain.json
"$KFRAG" report --input "$off/trace.dat" --output "$out" 2> "$TMP/err" || fail "plain report: $(cat "$TMP/err")"
expect_eq "no selection offline" "$(q "$out" "(g['protected'], g['alerts'], g['worst'])")" "([], [], 'ok')"
"$KFRAG" report --input "$off/trace.dat" --no-guard --output "$out" 2> "$TMP/err" || fail "--no-guard: $(cat "$TMP/err")"
expect_eq "--no-guard" "$(q "$out" "'guard' in d")" False

# --- usage ---------------------------------------------------------------------------------
for bad in "--enforce" "--lock-threshold 10" "--protect-pid abc" "--protect-pid 0" "--protect-comm ''" \
	"--no-guard --protect-pid 1"; do
	eval "\"\$KFRAG\" report --input \"\$off/trace.dat\" $bad" > /dev/null 2> "$TMP/err"
	expect_eq "exit status of report --input ... $bad" "$?" 2
	[ -s "$TMP/err" ] || fail "no message for $bad"
done

done_testing
