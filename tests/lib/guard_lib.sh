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
	trap guard_cleanup EXIT		# lib.sh's INT, TERM and HUP traps exit: this runs
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
# start_locked_heap MIB LOG: tests/helpers/locked_heap, its pid in LP. As
# root it sees its page frames and places its heap where a whole-zone
# compaction reaches it: the lowest frames of a pool, with target blocks
# (in use, with free pages) above them for the free scanner (see the
# helper); its "placed" line goes to stderr, the run's evidence
start_locked_heap() {
	"$H/locked_heap" "$1" > "$2" 2>&1 9>&- &
	LP=$!
	pids+=($LP)
	wait_for "$2" "^ready" || { fail "locked_heap: $(cat "$2")"; return 1; }
	grep -q "pfns=known" "$2" || { fail "locked_heap sees no PFNs as root: $(cat "$2")"; return 1; }
	grep "^placed" "$2" >&2 || { fail "locked_heap did not place its heap: $(cat "$2")"; return 1; }
}
# compact: one compaction of every zone (compact_memory). Clean page cache
# is dropped first (changes no setting): a large page-cache folio below the
# heap that finds no free block of its size ends compaction as "contended"
# before it reaches the heap
compact() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
}
# helper_moved LOG: HEAP_MOVED and TOTAL_MOVED, the pages of its heap and
# of all its mappings that locked_heap ($LP, logging to LOG) saw move since
# its reset, on a fresh reading of its pagemap (SIGUSR2)
helper_moved() {
	local before
	HEAP_MOVED=x TOTAL_MOVED=x
	before=$(grep -c "^moved" "$1")
	kill -USR2 "$LP"
	wait_for_count "$1" "^moved" $((before + 1)) || { fail "locked_heap did not report"; return 1; }
	read -r HEAP_MOVED TOTAL_MOVED < <(sed -n 's/^moved heap=\([0-9]*\) total=\([0-9]*\).*/\1 \2/p' "$1" | tail -1)
}
