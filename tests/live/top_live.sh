#!/bin/sh
# kfrag top on the live kernel (root, tracefs), in a tmux pseudo-terminal: it
# traces in an instance of its own, shows a workload's allocations and the
# machine's zones, CPUs and policy, shows a compaction episode exactly as
# kfrag report sees the same one, and on q, SIGINT, SIGTERM, SIGHUP and a
# crash restores the terminal and leaves no instance and no tracing setting
# changed. Not root: the usual message, before curses starts.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
# top_lib's trap replaces lib.sh's; the lock of live_setup stays held (fd 9)

before=$(tracing_state)
header() { top_screen | head -n 1; }

# ---- it starts, in its own instance, and shows this machine -------------
top_start 120x40 -d 0.5 --lock-threshold 1024	# the locked helper below is protected for its VmLck (opted into)
top_wait 'instance kfrag-[0-9]' 15 || fail "no instance in the header"
pid=$(top_pid)
[ -n "$pid" ] && [ -d "$T/instances/kfrag-$pid" ] && ok || fail "no instance kfrag-$pid"
header | grep -q "instance kfrag-$pid " && ok || fail "the header names another instance: $(header)"
header | grep -q " $(uname -r) up " && ok || fail "the header does not show the kernel $(uname -r)"
policy=$(top_screen | sed -n 2p)
for k in compact_unevictable_allowed compaction_proactiveness extfrag_threshold; do
	v=$(cat /proc/sys/vm/$k)
	echo "$policy" | grep -q "vm.$k=$v " && ok || fail "policy line: want vm.$k=$v in '$policy'"
done
# a row per populated zone, a row per CPU
zones=$(awk '/^Node/ { sub(",", "", $2); print $2, $4 }' /proc/buddyinfo)
echo "$zones" | while read -r node zone; do
	top_screen | grep -q "^$node $zone  *[0-9]" || echo "$node $zone" >> "$TMP/zones.missing"
done
[ ! -s "$TMP/zones.missing" ] && ok || fail "zones not shown: $(cat "$TMP/zones.missing")"
# free pages move all the time: within 10% of /proc/zoneinfo's
normal_free=$(awk '/^Node 0, zone +Normal/ { z = 1; next } /^Node/ { z = 0 } z && $1 == "pages" && $2 == "free" { print $3; exit }' /proc/zoneinfo)
if [ -n "$normal_free" ]; then
	shown=$(top_screen | awk '$1 == 0 && $2 == "Normal" { print $3; exit }')
	awk -v a="$shown" -v b="$normal_free" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= b / 10) }' && ok ||
		fail "Normal free pages: shown $shown, /proc/zoneinfo $normal_free"
fi
ncpu=$(top_screen | grep -c '^cpu[0-9]')
expect_eq "a row per CPU" "$ncpu" "$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)"

# ---- a workload's allocations ---------------------------------------------
if [ -x "$ALLOC_STORM" ]; then
	# looked for while it runs: the table is sorted by allocations per
	# second, and among the hundreds of processes a finished one sinks
	"$ALLOC_STORM" 8 4 > "$TMP/storm.out" &
	storm=$!
	spid=$storm
	top_keys 5 t
	# by pid: the first events of a forked child come before its exec, and
	# the live source may have named it after its parent then
	top_wait "^ *$spid " 5 || fail "alloc_storm ($spid) is not in the process table"
	allocd=$(top_table '^ *PID COMMAND' | top_columns PID ALLOCD | awk -v p="$spid" '$1 == p { print $2 }')
	[ -n "$allocd" ] && [ "$allocd" -gt 0 ] && ok || fail "alloc_storm: ALLOCD '$allocd'"
	top_keys t
	wait "$storm"
else
	echo "SKIP (part): no workload program at $ALLOC_STORM" >&2
fi

# ---- a compaction run, as top and kfrag report both see it ----------------
# kfrag report traces the same kernel events in an instance of its own
"$KFRAG" report --duration 4 --json --output "$TMP/r.json" 2> "$TMP/report.err" &
rpid=$!
n=100
until grep -q 'tracing for' "$TMP/report.err" 2>/dev/null || [ $n = 0 ]; do sleep 0.1; n=$((n - 1)); done
[ $n -gt 0 ] && ok || fail "kfrag report did not start tracing: $(cat "$TMP/report.err")"
sh -c 'echo 1 > /proc/sys/vm/compact_memory' &
cpid=$!
wait "$cpid"
wait "$rpid"
expect_eq "kfrag report exit" "$?" 0
top_keys 4
# the writer exits at once: its comm may be gone before it is read ("<...>")
top_wait "^[A-Za-z0-9]*  *manual  *[^ ]*-$cpid " 10 || fail "the compaction by pid $cpid is not shown"
# every episode of that run: zone, initiator, status, migrated, failed (not
# the comm: each live reader reads /proc/PID/comm when it first decodes the
# pid, and the writer may be gone by then in one and not in the other)
jq -r --argjson p "$cpid" '.compaction.episodes | reverse | .[] | select(.pid == $p) |
	[.zone, .initiator, .status, .migrated, .failed] | @tsv' "$TMP/r.json" | tr '\t' ' ' > "$TMP/ep.want"
top_table '^ZONE  *INITIATOR' | awk -v t="-$cpid" 'substr($3, length($3) - length(t) + 1) == t { print $1, $2, $5, $6, $7 }' > "$TMP/ep.got"
[ -s "$TMP/ep.want" ] && ok || fail "kfrag report saw no episode of pid $cpid"
expect_eq "the episodes of pid $cpid, top vs report" "$(cat "$TMP/ep.got")" "$(cat "$TMP/ep.want")"
# the zones' indices, after a compaction as before: a value per zone
top_keys 1
top_wait 'UNUS0  *UNUS3  *UNUS9' 5 || fail "no index columns"
expect_eq "zones with indices" "$(top_screen | grep -c '^[0-9]* [A-Za-z0-9]*  *[0-9]*  *[a-zA-Z!]*  *[0-9]\.[0-9][0-9][0-9]')" \
	"$(grep -c '^Node' /proc/buddyinfo)"

# ---- the guard: a locked process whose pages compaction moves -------------
# tests/helpers/locked_heap mlockall()s 32 MiB, placed where a whole-zone
# compaction reaches it (the lowest page frames of a pool, target blocks
# above them: see tests/live/guard_live.sh), and counts its own moved pages;
# with vm.compact_unevictable_allowed=1 (the kernel's default, not changed
# here) one compaction moves them. Clean page cache is dropped first, as in
# guard_live.sh: compaction stops early at page-cache folios otherwise.
H=$(dirname "$KFRAG")/tests/helpers
if [ "$(cat /proc/sys/vm/compact_unevictable_allowed)" != 1 ]; then
	echo "SKIP (part): vm.compact_unevictable_allowed is not 1: locked pages cannot move" >&2
elif [ ! -x "$H/locked_heap" ]; then
	echo "SKIP (part): no $H/locked_heap (make check builds it)" >&2
else
	"$H/locked_heap" 32 > "$TMP/lh.out" 2>&1 9>&- &
	lh=$!
	n=200
	until grep -q '^ready' "$TMP/lh.out" || [ $n = 0 ]; do sleep 0.1; n=$((n - 1)); done
	grep '^placed' "$TMP/lh.out" >&2 || fail "guard: locked_heap did not place its heap: $(cat "$TMP/lh.out")"
	top_keys 6 End
	# found by its locked memory (--lock-threshold), PFNs read
	top_wait "^ *$lh locked_heap  *locked_memory  *[0-9]" 10 || fail "guard: locked_heap ($lh) is not protected"
	# the helper's own count (SIGUSR2: "moved heap=H total=T ...")
	helper_moved() {
		n=$(grep -c '^moved' "$TMP/lh.out")
		kill -USR2 "$lh"
		k=100
		until [ "$(grep -c '^moved' "$TMP/lh.out")" -gt "$n" ] || [ $k = 0 ]; do sleep 0.1; k=$((k - 1)); done
		grep '^moved' "$TMP/lh.out" | tail -n 1 | sed -n 's/.* total=\([0-9]*\).*/\1/p'
	}
	# MOVED of the helper's row in the protected table; "" when not on screen
	top_moved() { top_screen | awk -v p="$lh" '$1 == p && $2 == "locked_heap" { print $6 }'; }
	kill -USR1 "$lh"	# the helper's count starts now, after top's first reading
	sync
	echo 1 > /proc/sys/vm/drop_caches
	sh -c 'echo 1 > /proc/sys/vm/compact_memory' &
	cpid=$!
	wait "$cpid"
	truth=$(helper_moved)
	if [ "${truth:-0}" -gt 0 ]; then
		top_wait "^!! GUARD CRITICAL.*locked_heap" 10 || fail "guard: no critical alert about locked_heap"
		# top reads pagemap every refresh: wait for the reading after the compaction
		n=50
		while [ $n -gt 0 ]; do
			top_keys End		# the protected processes, under the alerts
			sleep 0.2
			moved=$(top_moved)
			case $moved in ''|*[!0-9]*) ;; *) [ "$moved" -ge "$truth" ] && break ;; esac
			n=$((n - 1))
		done
		truth=$(helper_moved)
		echo "guard: top counted '$moved' moved pages of locked_heap, the helper $truth" >&2
		# both compare consecutive readings: within max(2, 1%), as tests/live/guard_live.sh allows
		if awk -v a="$moved" -v b="$truth" 'BEGIN { d = a - b; if (d < 0) d = -d; t = b / 100; if (t < 2) t = 2; exit !(a ~ /^[0-9]+$/ && a > 0 && d <= t) }'; then
			ok
		else
			fail "guard: top counted '$moved' moved pages of locked_heap (pid $lh), the process itself $truth; the screen:"
			top_screen >&2
		fi
	else
		fail "guard: compaction moved none of locked_heap's pages (its own count): $(grep '^placed' "$TMP/lh.out")"
	fi
	# the compaction that moved them is on screen too
	top_keys 4
	top_wait "manual  *[^ ]*-$cpid " 5 || fail "guard: the compaction by pid $cpid is not shown"
	# acknowledged, the red line goes; the alerts stay listed
	top_keys a
	top_wait '^guard: .*every alert acknowledged' 5 || fail "guard: a did not acknowledge"
	if [ "${truth:-0}" -gt 0 ]; then
		top_keys 6 Home
		top_wait '^critical ' 5 || fail "guard: the acknowledged alert is not listed"
	fi
	kill "$lh"
	wait "$lh" 2>/dev/null
fi

# ---- q: exit 0, terminal restored, no instance, tracing state as before ----
top_keys q
expect_eq "q: exit status" "$(top_exit)" 0
top_check_terminal "live q"
no_instance_of "$pid" && ok || fail "q left instance kfrag-$pid"
expect_eq "tracing state after q" "$(tracing_state)" "$before"

# ---- locked memory the guard does not protect: one line names the largest ----
# (by default locked memory alone protects nobody: issue #11). The truth:
# /proc/PID/status of every process with 1 MiB or more locked, not scx_*
MLOCK=$(dirname "$KFRAG")/tests/helpers/mlock_buffer
if [ -x "$MLOCK" ]; then
	cp "$MLOCK" "$TMP/kfraglocked"
	"$TMP/kfraglocked" 16 "$TMP/locked.pfns" nothp 9>&- &
	mb=$!
	n=100
	while [ ! -s "$TMP/locked.pfns" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	top_start 200x60 -d 0.5
	top_wait 'kfrag-[0-9]' 15 || fail "unprotected: no start"
	top_keys 6
	if top_wait '^  locked, not protected: ' 10; then
		largest=$(for f in /proc/[0-9]*/status; do
			awk '$1 == "Name:" { n = $2 } $1 == "Pid:" { p = $2 } $1 == "VmLck:" && $2 >= 1024 { print $2, p, n }' "$f" 2>/dev/null
		done | awk '$3 !~ /^scx_/' | sort -rn | head -n 1 | awk '{ print $3 " (pid " $2 "," }')
		top_screen | grep -q "^  locked, not protected: $largest" && ok ||
			fail "unprotected: want '$largest' in '$(top_screen | grep 'locked, not protected')'"
		top_screen | grep -q "^ *$mb kfraglocked " && fail "unprotected: kfraglocked ($mb) is protected" || ok
		top_screen | grep 'locked, not protected' >&2
	else
		fail "unprotected: no 'locked, not protected' line under the guard panel"
	fi
	top_keys q
	expect_eq "unprotected: q" "$(top_exit)" 0
	kill "$mb" 2>/dev/null
	wait "$mb" 2>/dev/null
else
	echo "SKIP (part): no $MLOCK (make check builds it)" >&2
fi

# ---- signals ------------------------------------------------------------
for sig in INT TERM HUP SEGV; do
	top_start 80x24
	top_wait 'kfrag-[0-9]' 15 || { fail "SIG$sig: no start"; continue; }
	pid=$(top_pid)
	kill -$sig "$pid"
	st=$(top_exit)
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; SEGV) want=139 ;; esac
	expect_eq "SIG$sig: exit status" "$st" "$want"
	top_check_terminal "live SIG$sig"
	no_instance_of "$pid" && ok || fail "SIG$sig left instance kfrag-$pid"
	expect_eq "tracing state after SIG$sig" "$(tracing_state)" "$before"
done
# two SIGINTs in a row: the second one removes the instance from the handler
top_start 80x24
top_wait 'kfrag-[0-9]' 15
pid=$(top_pid)
kill -INT "$pid"
kill -INT "$pid" 2>/dev/null
top_exit > /dev/null
top_check_terminal "live SIGINT x2"
no_instance_of "$pid" && ok || fail "two SIGINTs left instance kfrag-$pid"

# ---- not root: the message of every command, before curses ---------------
if command -v setpriv > /dev/null 2>&1; then
	TOP_ENV="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" top_start 80x24
	expect_eq "not root: exit status" "$(top_exit)" 1
	grep -q "kfrag top: kfrag needs root" "$TMP/stderr" && ok || fail "not root: message '$(cat "$TMP/stderr")'"
	top_check_terminal "not root"
else
	echo "SKIP (part): no setpriv to run as nobody" >&2
fi
expect_eq "tracing state at the end" "$(tracing_state)" "$before"

done_testing
