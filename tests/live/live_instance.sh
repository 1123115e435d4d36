#!/bin/sh
# kfrag's tracefs instance: created for a run, removed on every way out
# (normal end, SIGINT, SIGTERM, crash signals), reaped by the next run when
# a SIGKILL left it behind; global tracing settings never change.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup

# reap what earlier crashed runs left, then remember the state
"$KFRAG" record -q -o "$TMP/reap.dat" --duration 0.1 || fail "a short recording failed"
before=$(tracing_state)

# a normal run
"$KFRAG" record -q -o "$TMP/a.dat" --duration 0.5
expect_eq "record exit status" "$?" 0
[ -s "$TMP/a.dat" ] && ok || fail "no trace written"
expect_eq "state after a run" "$(tracing_state)" "$before"

# SIGINT and SIGTERM end the recording early; the trace is still written.
# Background jobs of a script ignore SIGINT: give it back its default.
for sig in INT TERM HUP; do
	env --default-signal=INT "$KFRAG" record -q -o "$TMP/$sig.dat" &
	pid=$!
	wait_instance $pid || fail "SIG$sig: no instance kfrag-$pid appeared"
	sleep 0.3
	kill -$sig $pid
	wait $pid
	expect_eq "exit status after SIG$sig" "$?" 0
	[ -s "$TMP/$sig.dat" ] && ok || fail "SIG$sig: the trace was not written"
	no_instance_of $pid && ok || fail "SIG$sig left kfrag-$pid"
done

# a second SIGINT while the first is handled removes the instance at once
env --default-signal=INT "$KFRAG" record -q -o "$TMP/int2.dat" &
pid=$!
wait_instance $pid || fail "no instance kfrag-$pid appeared"
kill -INT $pid
sleep 0.01
kill -INT $pid 2>/dev/null
wait $pid
no_instance_of $pid && ok || fail "two SIGINTs left kfrag-$pid"

# crash signals: the handler removes the instance and re-raises
ulimit -c 0
for sig in SEGV ABRT BUS QUIT PIPE; do
	env --default-signal=INT,QUIT,PIPE "$KFRAG" record -q -o "$TMP/$sig.dat" &
	pid=$!
	wait_instance $pid || fail "SIG$sig: no instance kfrag-$pid appeared"
	kill -$sig $pid
	wait $pid
	st=$?
	[ $st -gt 128 ] && ok || fail "SIG$sig: exit status $st, want death by the signal"
	no_instance_of $pid && ok || fail "SIG$sig left kfrag-$pid"
	[ ! -e "$TMP/$sig.dat" ] && ok || fail "SIG$sig: a partial trace was left"
done
# whenever the signal came (the second SIGINT above may land while the
# trace is being written: tests/unit/test_signals.c makes it land there),
# the output is complete or absent: no temporary file stays
leftovers=$(ls -a "$TMP" | grep -c 'kfrag-tmp\|kfrag-raw')
expect_eq "temporary files left" "$leftovers" 0

# SIGKILL cannot be caught: the instance stays, and the next run reaps it
"$KFRAG" record -q -o "$TMP/kill.dat" &
pid=$!
wait_instance $pid || fail "no instance kfrag-$pid appeared"
kill -KILL $pid
wait $pid
[ -d "$T/instances/kfrag-$pid" ] && ok || fail "kfrag-$pid vanished after SIGKILL (test assumption)"
# a stale instance of a pid that cannot exist (above pid_max) is reaped too
stale=999999
if [ "$(cat /proc/sys/kernel/pid_max)" -le $stale ] || ! kill -0 $stale 2>/dev/null; then
	mkdir "$T/instances/kfrag-$stale" || fail "cannot create kfrag-$stale"
else
	stale=
fi
"$KFRAG" record -q -o "$TMP/reaper.dat" --duration 0.2
expect_eq "record exit status (reaper)" "$?" 0
no_instance_of $pid && ok || fail "the SIGKILLed kfrag-$pid was not reaped"
[ -z "$stale" ] || { no_instance_of $stale && ok || fail "kfrag-$stale was not reaped"; }

# an output kfrag cannot write fails before tracing, and leaves nothing
out=$("$KFRAG" record -o "$TMP/no/such/dir/x.dat" --duration 0.2 2>&1)
expect_eq "exit status for an unwritable output" "$?" 1
case $out in *"cannot write"*) ok;; *) fail "unhelpful message: $out";; esac

# not root: a message that says what to do
if command -v setpriv >/dev/null 2>&1; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$KFRAG" record -o /tmp/kfrag-nobody-$$.dat --duration 0.1 2>&1)
	st=$?
	rm -f /tmp/kfrag-nobody-$$.dat
	expect_eq "exit status as nobody" "$st" 1
	case $out in *"needs root"*|*"cannot write"*) ok;; *) fail "unhelpful message as nobody: $out";; esac
fi

# tracefs not mounted (in a mount namespace of our own, so the machine's
# mount stays): kfrag mounts it, and unmounts it at exit
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	res=$(unshare -m sh -c "umount $T 2>/dev/null || { echo cannot-umount; exit; }
		'$KFRAG' record -q -o '$TMP/unmounted.dat' --duration 0.3 || echo record-failed
		echo mounted-after=\$(grep -c ' tracefs ' /proc/self/mounts)" 2>&1)
	case $res in
	cannot-umount) echo "note: cannot unmount tracefs in a mount namespace; not tested" >&2;;
	mounted-after=0) ok;;
	*) fail "unmounted tracefs: got '$res', want kfrag to mount it and unmount it at exit";;
	esac
fi

expect_eq "state at the end" "$(tracing_state)" "$before"
done_testing
