# Helpers of the guard's live tests (sourced after tests/lib/live_lib.sh
# and live_setup): the helpers they need, vm.compact_unevictable_allowed put
# back whatever happens, the processes they start stopped, JSON queries.

# guard_setup HELPER...: skips without the helpers, python or a writable
# sysctl; sets H, SYSCTL, PYTHON, pids=() and the EXIT trap. A test may
# define guard_cleanup_extra, run by the trap before the sysctl goes back.
guard_setup() {
	H=$(dirname "$KFRAG")/tests/helpers
	for h in "$@"; do
		[ -x "$H/$h" ] || skip "no $H/$h (make check builds it)"
	done
	PYTHON=${PYTHON:-/usr/bin/python3}
	[ -x "$PYTHON" ] || skip "needs $PYTHON"
	SYSCTL=/proc/sys/vm/compact_unevictable_allowed
	[ -w "$SYSCTL" ] || skip "$SYSCTL is not writable here"
	old_sysctl=$(cat "$SYSCTL")
	pids=()
	trap guard_cleanup EXIT
	trap 'exit 130' INT TERM
}

guard_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	wait 2> /dev/null
	declare -F guard_cleanup_extra > /dev/null && guard_cleanup_extra
	echo "$old_sysctl" > "$SYSCTL"
	rm -rf "$TMP"
}

q() {	# FILE PYTHON-EXPRESSION-OVER-d (g = d["guard"])
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); g=d.get("guard", d); print(eval(sys.argv[2]))' "$1" "$2"
}

guard_wait_for() {	# FILE PATTERN [TENTHS]
	for _ in $(seq "${3:-200}"); do
		grep -q "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_for() { guard_wait_for "$@"; }
wait_for_count() {	# FILE PATTERN N: until N lines match
	for _ in $(seq 100); do
		[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
# compact_until_moved PID MAY_MOVE: compact_memory, again (up to 5 times,
# dropping clean page cache first) while MAY_MOVE is 1 and the locked_heap
# PID has seen none of its pages move: whether a whole-zone compaction moves
# a page depends on where it lies against the point where the migration and
# free scanners meet, which the earlier compactions on this machine decide
compact_until_moved() {
	local try
	for try in 1 2 3 4 5; do
		[ "$try" = 1 ] || { sync; echo 1 > /proc/sys/vm/drop_caches; }
		echo 1 > /proc/sys/vm/compact_memory
		[ "$2" = 1 ] || return 0
		kill -USR2 "$1"
		wait_for_count "$TMP/locked.log" "^moved" "$try" || return 1
		[ "$(sed -n 's/^moved heap=[0-9]* total=\([0-9]*\).*/\1/p' "$TMP/locked.log" | tail -1)" != 0 ] && return 0
		echo "compaction $try moved none of locked_heap's pages, again" >&2
	done
}
