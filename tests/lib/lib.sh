# Shared helpers for kfrag's shell tests (sourced). Automake's driver reads
# the exit code: 0 pass, 1 fail, 77 skip.
set -u
: "${KFRAG:=./kfrag}"
: "${SRCDIR:=.}"
: "${FIXTURES:=$SRCDIR/tests/data}"
: "${SHARED_DATA:=$SRCDIR/../shared/data}"

fails=0
checks=0
TMP=$(mktemp -d /tmp/kfrag-test.XXXXXX)
# the EXIT trap removes it (a test's own EXIT trap must too). sh (dash)
# runs no EXIT trap when a signal ends it, so these exit instead: an
# interrupted test (make check's Ctrl-C, a timeout's TERM, a closed
# terminal) leaves no directory and, by its EXIT trap, no process behind
trap 'rm -rf "$TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
# expect_eq WHAT GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need_shared() { [ -f "$SHARED_DATA/$1" ] || skip "shared capture $SHARED_DATA/$1 not present"; }
# the live tests' lock: one live run at a time on this machine
LIVE_LOCK=/tmp/kfrag-live-tests.lock
# live_run CMD...: an offline test's live part under that lock; a lock held
# for 300 s returns 75 and says so: a failure in CI (CI=true), else a note
live_run() {
	local st
	flock -w 300 -E 75 "$LIVE_LOCK" "$@"
	st=$?
	if [ "$st" = 75 ] && [ "${CI:-}" = true ]; then
		fail "$LIVE_LOCK held for 300 s in CI: '$*' did not run"
	elif [ "$st" = 75 ]; then
		echo "note: $LIVE_LOCK held for 300 s by other live runs: '$*' not run" >&2
	fi
	return "$st"
}
# the processes that have the lock open (holder and waiters), one a line
live_lock_users() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		ls -l "$p/fd" 2> /dev/null | grep -q " $LIVE_LOCK\$" &&
			echo "  pid ${p#/proc/}: $(tr '\0' ' ' < "$p/cmdline" 2> /dev/null | cut -c1-120)"
	done
}
# 300 s without the lock: in CI (.ci/run exports CI=true) nothing else runs
# live tests, so it is a hung test or a child that inherited the lock: a
# failure to see, not a skip to ignore
live_lock_timeout() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $LIVE_LOCK held for 300 s in CI; it is open in:" >&2
		live_lock_users >&2
		exit 1
	fi
	skip "another live test holds $LIVE_LOCK"
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
# The live tests look at /sys/kernel/tracing themselves: as root, tracefs is
# mounted there when it is not (a fresh machine), as kfrag itself would for
# its own run, and left mounted for the tests that follow.
try_tracefs() {
	[ -d /sys/kernel/tracing/instances ] && return 0
	[ "$(id -u)" = 0 ] || return 1
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null &&
		echo "note: mounted tracefs at /sys/kernel/tracing for the live tests" >&2
	[ -d /sys/kernel/tracing/instances ]
}
need_tracefs() {
	need_root
	try_tracefs || skip "tracefs is not mounted at /sys/kernel/tracing and could not be mounted"
}
done_testing() { echo "$checks checks, $fails failed" >&2; [ "$fails" = 0 ]; exit $?; }

# tracedat_caps [moved|off|all]: the folders of the trace.dat captures the
# offline tests run on, one a line: the fixtures of tests/data/tracedat
# (always there), then the project's shared captures when present (bigger:
# the same checks on more data). moved: the locked pages moved
# (vm.compact_unevictable_allowed=1); off: the sysctl at 0.
tracedat_caps() {
	local names name d
	case ${1:-all} in
	moved) names=compaction-mlocked-moved ;;
	off) names=compaction-unevictable-off ;;
	*) names="compaction-mlocked-moved compaction-unevictable-off kmem-storm" ;;
	esac
	for name in $names; do
		for d in "$FIXTURES/tracedat/$name" "$SHARED_DATA/$name"; do
			[ -f "$d/trace.dat" ] && echo "$d"
		done
	done
	return 0
}
# the protected pid of a capture folder (its scenario file)
scenario_pid() { sed -n 's/.*protected_pid=\([0-9]*\).*/\1/p' "$1/scenario"; }
