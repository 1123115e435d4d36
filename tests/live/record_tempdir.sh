#!/bin/bash
# A recording's saved state is extracted into $TMPDIR/kfrag-state-PID-XXXXXX
# while kfrag reads it; nothing of it is left behind however kfrag ends:
# normally, by SIGTERM, SIGINT, SIGHUP or SIGQUIT (kfrag top --input runs in a
# tmux pane until told), and after a SIGKILL the next kfrag removes it, but
# only when its PID is gone and nobody holds its lock.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
need_cmd flock

TMPD="$TMP/tmpd"
mkdir -p "$TMPD"
TOP_ENV="TMPDIR=$TMPD"
states() { (cd "$TMPD" && ls -d kfrag-state-* 2>/dev/null); }

"$KFRAG" record -q -o "$TMP/rec.dat" --duration 0.5 --events kmem:mm_page_alloc
expect_eq "record exit status" "$?" 0

# a report of the recording leaves nothing
TMPDIR="$TMPD" "$KFRAG" report -i "$TMP/rec.dat" >/dev/null
expect_eq "report exit status" "$?" 0
expect_eq "after a report" "$(states)" ""

# top_with_state: kfrag top of the recording, running with its state out;
# sets PID, 1 when the state never appeared
top_with_state() {
	top_start 120x40 --input "$TMP/rec.dat"
	PID=
	for _ in $(seq 100); do
		PID=$(top_pid)
		[ -n "$PID" ] && ls -d "$TMPD/kfrag-state-$PID-"* >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

wait_status() {
	for _ in $(seq 100); do
		[ -f "$TMP/status" ] && return 0
		sleep 0.1
	done
	return 1
}

for sig in TERM INT HUP QUIT; do
	if ! top_with_state; then
		fail "SIG$sig: no kfrag-state-PID-* of kfrag top (states: $(states))"
		continue
	fi
	kill -s "$sig" "$PID"
	wait_status || fail "SIG$sig: kfrag top did not end"
	expect_eq "SIG$sig: states left" "$(states)" ""
done

# SIGKILL leaves it; the next kfrag removes it, and only it: not one whose
# PID runs (this shell's), nor one whose lock is held
if top_with_state; then
	kill -s KILL "$PID"
	wait_status
	expect_eq "SIGKILL leaves the state" "$(states | grep -c "^kfrag-state-$PID-")" 1
	mkdir "$TMPD/kfrag-state-$$-alive"
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir "$TMPD/kfrag-state-$dead-locked"
	# -F: $! is the holder itself, so the kill below ends it; 9>&-: it must
	# not keep the live tests' lock (fd 9) once this test is over
	flock -F "$TMPD/kfrag-state-$dead-locked" sleep 600 9>&- &
	holder=$!
	# the lock is taken before the report looks
	for _ in $(seq 100); do
		flock -n "$TMPD/kfrag-state-$dead-locked" true || break
		sleep 0.1
	done
	TMPDIR="$TMPD" "$KFRAG" report -i "$TMP/rec.dat" >/dev/null
	expect_eq "the next report's exit status" "$?" 0
	expect_eq "states after the next report" "$(states | sort | tr '\n' ' ')" \
		"$(printf '%s\n' "kfrag-state-$$-alive" "kfrag-state-$dead-locked" | sort | tr '\n' ' ')"
	kill "$holder"
	wait "$holder" 2>/dev/null
else
	fail "SIGKILL: no kfrag-state-PID-* of kfrag top"
fi
top_kill_all
done_testing
