#!/bin/bash
# kfrag check, report and top on a kernel without exceptions:page_fault_user
# (root). The event exists on x86 only; elsewhere the guard must go on
# without page faults instead of failing the whole measurement (check used
# to end UNKNOWN while report and top carried on).
#
# How the missing event is simulated: KFRAG_TEST_HIDE_EVENT=system:name
# makes the live source (src/sources/source_live.c, event_exists) treat that
# event as absent from the kernel's tracefs, exactly as on a kernel that
# never had it; everything else is the real live path. A process named
# scx_* (a copy of sleep) makes the guard protect it by discovery, so the
# guard asks for the page faults of its threads.
#
# Expected: check exits 0, 1 or 2 (never 3, UNKNOWN) and says in an OK line
# that the faults of that process were not counted; report exits 0 and its
# JSON says page_faults_traced false, with the faults_not_traced alert; top
# runs, shows the process as protected and the note in its guard panel
# (in tmux, as tests/live/top_live.sh drives it). Without the variable (this
# kernel has the event) none of that note appears: the hook is what makes
# the difference. No instance is left behind.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
[ -d "$T/events/exceptions/page_fault_user" ] || skip "this kernel has no exceptions:page_fault_user to hide"
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || skip "needs $PYTHON"
SLEEP=$(command -v sleep) || skip "needs sleep"

SCX=$TMP/scx_kfragtest
cp "$SLEEP" "$SCX"
"$SCX" 600 &
P=$!
cleanup() {
	kill "$P" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
C=$TMP/c.conf
base_conf "$C"
note="exceptions:page_fault_user could not be traced, so page faults of scx_kfragtest \\(pid $P\\)"

# ---- control: the kernel has the event, the faults are traced ---------------
kcheck --config "$C" --duration 1
[ "$rc" -le 2 ] && ok || fail "control: exit $rc: $(head -c 2000 "$TMP/out") $err"
hasnt "control: faults traced" "$note"

# ---- check without the event: a verdict, and the note -----------------------
export KFRAG_TEST_HIDE_EVENT=exceptions:page_fault_user
kcheck --config "$C" --duration 1
[ "$rc" -le 2 ] && ok || fail "check without page_fault_user: exit $rc (3 is UNKNOWN): $(head -c 2000 "$TMP/out") $err"
hasnt "not UNKNOWN" "^KFRAG UNKNOWN"
has "the faults not counted, said" "^OK: guard: $note"
kcheck --config "$C" --duration 1 --json
"$PYTHON" - "$TMP/out" "$P" > "$TMP/j" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
g = d["guard"]
print(d["status"], [p["pid"] for p in g["protected"]] == [int(sys.argv[2])])
EOF
read -r status listed < "$TMP/j"
[ "$status" != UNKNOWN ] && ok || fail "check --json: status $status: $(cat "$TMP/j")"
expect_eq "check --json: the scx_ process protected" "$listed" True

# ---- report carries on too ----------------------------------------------------
"$KFRAG" report --duration 1 > "$TMP/r.json" 2> "$TMP/r.err"
expect_eq "report exit" "$?" 0
grep -q "guard: this kernel has no event exceptions:page_fault_user (x86 only); page faults are not traced" "$TMP/r.err" &&
	ok || fail "report: no note on stderr: $(cat "$TMP/r.err")"
"$PYTHON" - "$TMP/r.json" > "$TMP/rj" 2>&1 <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))["guard"]
print(g["page_faults_traced"], any(a["kind"] == "faults_not_traced" for a in g["alerts"]))
EOF
expect_eq "report: faults traced, faults_not_traced alert" "$(cat "$TMP/rj")" "False True"

# ---- top carries on too: the process protected, the note in its guard panel ----
if command -v tmux > /dev/null; then
	. "${SRCDIR:-.}/tests/lib/top_lib.sh"
	trap 'top_kill_all; cleanup' EXIT	# top_lib's trap, and this test's
	TOP_ENV="KFRAG_TEST_HIDE_EVENT=exceptions:page_fault_user" top_start 140x50 -d 0.5
	top_keys End	# the guard panel, at the bottom
	top_wait "^ *$P scx_kfragtest  *comm_scx " 10 && ok || fail "top: scx_kfragtest ($P) is not protected"
	# (top_wait's grep is basic: the parentheses as any character)
	top_wait "^note  *exceptions:page_fault_user could not be traced, so page faults of scx_kfragtest .pid $P. " 10 &&
		ok || fail "top: the guard panel does not say the faults were not traced"
	top_keys q
	expect_eq "top exit" "$(top_exit 10)" 0
else
	echo "no tmux (Debian package tmux): kfrag top is not checked" >&2
fi
unset KFRAG_TEST_HIDE_EVENT

# instances of kfrag processes that are gone
left=$(for i in $(ls "$T/instances"); do
	case $i in kfrag-*) p=${i#kfrag-}; p=${p%%-*}; kill -0 "$p" 2> /dev/null || echo "$i";; esac
done)
expect_eq "no instance left" "$left" ""
done_testing
