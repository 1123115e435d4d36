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
