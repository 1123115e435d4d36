# Helpers of the live tests (sourced after tests/lib/lib.sh): they need root,
# tracefs at /sys/kernel/tracing and a kfrag with the record command. The
# live tests take a lock so that two of them never compare the instance
# list while the other one traces: live_setup runs the test under it.
T=/sys/kernel/tracing
ALLOC_STORM=${ALLOC_STORM:-$(dirname "$KFRAG")/tests/helpers/alloc_storm}

live_setup() {
	need_root
	need_tracefs
	[ -x "$KFRAG" ] || skip "no kfrag binary at $KFRAG"
	"$KFRAG" record --help >/dev/null 2>&1 || skip "this kfrag has no record command"
	need_cmd flock
	[ -n "${KF_LIVE_LOCKED:-}" ] && return 0
	# The test runs again as the child of a flock that holds the lock and
	# closes it for its command (-o): no process the test starts (a
	# workload, a tmux server, a sleep left behind) inherits the lock and
	# keeps it after the test has ended, as an open fd 9 used to.
	local st
	rm -rf "$TMP"	# this run's; the test's own run makes its own
	KF_LIVE_LOCKED=1 flock -o -w 300 -E 75 "$LIVE_LOCK" "$0"
	st=$?
	[ "$st" = 75 ] && live_lock_timeout
	exit "$st"
}

# the tracing state kfrag must leave as it found it: instances (minus those
# of other running kfrag processes, which come and go), top-level set_event
# and tracing_on, the filter kfrag sets in its own instance
tracing_state() {
	for i in $(ls "$T/instances"); do
		case $i in
		kfrag-*)
			p=${i#kfrag-}
			p=${p%%-*}
			kill -0 "$p" 2>/dev/null && continue;;
		esac
		echo "instance $i"
	done
	echo "set_event: $(tr '\n' ' ' < "$T/set_event")"
	echo "tracing_on: $(cat "$T/tracing_on")"
	echo "top-level fault filter: $(cat "$T/events/exceptions/page_fault_user/filter" 2>/dev/null)"
}

# waits until process $1 has its instance (kfrag-$1), at most 10 s
wait_instance() {
	for _ in $(seq 100); do
		[ -d "$T/instances/kfrag-$1" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# waits until kfrag PID's instance traces page allocations: the instance
# directory appears before its events are enabled, so a workload started on
# wait_instance alone may run partly before tracing is on
wait_tracing() {
	wait_instance "$1" || return 1
	for _ in $(seq 100); do
		[ "$(cat "$T/instances/kfrag-$1/events/kmem/mm_page_alloc/enable" 2>/dev/null)" = 1 ] &&
			[ "$(cat "$T/instances/kfrag-$1/tracing_on" 2>/dev/null)" = 1 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# waits until the kfrag whose stderr goes to $2 traces ("recording in ...")
wait_recording() {
	for _ in $(seq 100); do
		grep -q "recording in instance" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

no_instance_of() {
	ls "$T/instances" | grep -q "^kfrag-$1\(-[0-9]*\)\?$" && return 1
	return 0
}
