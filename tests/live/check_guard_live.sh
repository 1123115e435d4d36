#!/bin/bash
# kfrag check during the locked-pages scenario of the guard (root): a
# process mlockall()s a heap (tests/helpers/locked_heap, which counts from
# its own /proc/self/pagemap the pages whose PFN changed, and places the
# heap where compaction reaches it: see guard_live.sh) and compaction is
# triggered once through /proc/sys/vm/compact_memory while the check's
# window runs.
# With vm.compact_unevictable_allowed=1: exit 2 and a CRITICAL line naming
# the process and as many moved pages as the helper counted; with 0:
# nothing moved, no CRITICAL. The sysctl is put back whatever happens.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
. "${SRCDIR:-.}/tests/lib/guard_lib.sh"
live_setup
guard_setup locked_heap

C=$TMP/c.conf
{ base_conf; echo "protect_comm = locked_heap"; echo "rate_min_interval = 0"; } > $C

# scenario VALUE: the check's output in $TMP/out, its exit in $rc, the
# helper's own count of moved pages in MOVED, its pid in LP
scenario() {
	echo "$1" > "$SYSCTL"
	start_locked_heap 32 "$TMP/locked.log" || return 1
	kill -USR1 $LP
	wait_for "$TMP/locked.log" "^reset" || fail "locked_heap did not reset"
	"$KFRAG" check --config $C --duration 10 --history $TMP/h.jsonl --prometheus $TMP/k.prom > "$TMP/out" 2> "$TMP/err" &
	local kp=$!
	for _ in $(seq 100); do [ -d "$T/instances/kfrag-$kp" ] && break; sleep 0.1; done
	sleep 1
	compact
	wait $kp
	rc=$?
	helper_moved "$TMP/locked.log"
	MOVED=$TOTAL_MOVED
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	wait "${pids[@]}" 2> /dev/null
	pids=()
	echo "sysctl $1: kfrag check exit $rc; the helper saw $MOVED pages move" >&2
}

# ---- compaction allowed to move mlocked pages: CRITICAL -----------------------------
scenario 1
# the helper placed its pages where compaction reaches them: none moved
# means the scenario did not happen
[ "${MOVED:-0}" -gt 0 ] && ok ||
	fail "with the sysctl at 1, compaction moved none of locked_heap's pages (its own count): $(grep "^placed" "$TMP/locked.log")"
expect_rc "locked pages moved" 2
grep -qE "^KFRAG CRITICAL - [0-9]+ locked pages? of locked_heap \(pid $LP\) moved" "$TMP/out" && ok ||
	fail "status line: $(head -1 "$TMP/out" | cut -c1-400)"
kmoved=$(sed -n "s/^CRITICAL: guard: \([0-9]*\) locked pages\? of locked_heap (pid $LP) moved.*/\1/p" "$TMP/out")
# kfrag reads pagemap about once a second, the helper every 50 ms: a page
# moved twice between two of kfrag's readings counts once
awk -v a="${kmoved:-0}" -v b="${MOVED:-0}" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a > b ? a : b) / 100; exit !(d <= (m > 2 ? m : 2)) }' && ok ||
	fail "kfrag counted ${kmoved:-none} moved pages, the helper $MOVED"
has "the sysctl warned about" "^WARNING: guard: vm.compact_unevictable_allowed is 1 while .*locked_heap \(pid $LP\)"
# the textfile names the process by its command name, never by pid
grep -qE "^kfrag_guard_alerts\{kind=\"locked_pages_moved\",status=\"critical\",comm=\"locked_heap\"\} 1$" $TMP/k.prom && ok ||
	fail "textfile: $(grep guard $TMP/k.prom)"
pmoved=$(awk '$1 == "kfrag_guard_locked_pages_moved{comm=\"locked_heap\"}" { print $2 }' $TMP/k.prom)
awk -v a="${pmoved:-x}" -v b="${MOVED:-0}" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a > b ? a : b) / 100; exit !(a != "x" && d <= (m > 2 ? m : 2)) }' && ok ||
	fail "textfile: ${pmoved:-no} moved pages, the helper $MOVED"
grep -qE '[{,]pid="' $TMP/k.prom && fail "a per-pid label: $(grep -E '[{,]pid="' $TMP/k.prom)" || ok
expect_eq "history: CRITICAL" "$(tail -1 $TMP/h.jsonl | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')" CRITICAL

# ---- not allowed: nothing moves, no CRITICAL -----------------------------------------------
scenario 0
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || fail "sysctl 0: exit $rc, want 0 or 1: $(head -c 2000 "$TMP/out")"
expect_eq "the helper saw nothing move" "${MOVED:-x}" 0
hasnt "no critical guard line" "^CRITICAL: guard:"
done_testing
