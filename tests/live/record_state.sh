#!/bin/bash
# A recording stands alone: kfrag record stores the memory state at its
# start and its end in the trace.dat (trace-cmd still reads the file), and a
# report of the file shows the recorded machine after this one changed: its
# free memory by 4 GiB (mlock_buffer holds it meanwhile) and
# vm.compaction_proactiveness (put back at exit).
#
# Expected values come from the file itself, taken apart here with python3
# (the saved state is text: "kfrag-state 1 MOMENT", "time T", then "file
# PATH LEN" and the bytes), not with kfrag's reader, and are compared with
# what the report shows of every saved item: zoneinfo, buddyinfo,
# pagetypeinfo, vmstat, the vm sysctls, the processes the guard protects and
# the locked ones, the start and end times, the memory map.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
need_cmd jq
need_cmd python3
MLOCK=${MLOCK_BUFFER:-$(dirname "$KFRAG")/tests/helpers/mlock_buffer}
[ -x "$MLOCK" ] || skip "no helper at $MLOCK (make check builds it)"
PRO=/proc/sys/vm/compaction_proactiveness
pro_orig=$(cat $PRO)
pids=
cleanup() {
	echo "$pro_orig" >$PRO
	# waited for: the lock is held until they are gone
	if [ -n "$pids" ]; then kill $pids 2>/dev/null; wait $pids 2>/dev/null; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_file FILE: until mlock_buffer wrote it (it renames it in place)
wait_file() {
	for _ in $(seq 600); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# before the recording: a process the guard protects by its name (scx_*)
# and one that only locks memory
cp "$MLOCK" "$TMP/scx_kfragtest"
cp "$MLOCK" "$TMP/kfraglocked"
"$TMP/scx_kfragtest" 16 "$TMP/scx.pfns" nothp &
scx=$!
"$TMP/kfraglocked" 64 "$TMP/locked.pfns" nothp &
locked=$!
pids="$scx $locked"
wait_file "$TMP/scx.pfns" && wait_file "$TMP/locked.pfns" || fail "the locking helpers did not start"

# the protected one allocates while recorded: it writes its PFNs again
"$KFRAG" record -q -o "$TMP/rec.dat" --duration 2 --events kmem:mm_page_alloc &
rec=$!
wait_tracing "$rec" || fail "kfrag record did not start tracing"
kill -USR1 "$scx"
wait_file "$TMP/scx.pfns.again" || fail "scx_kfragtest did not write its PFNs again"
wait "$rec"
expect_eq "record exit status" "$?" 0
kill $pids
wait $pids 2>/dev/null
pids=

# trace-cmd skips kfrag's option and reads every event
if command -v trace-cmd >/dev/null 2>&1; then
	trace-cmd report -i "$TMP/rec.dat" >/dev/null 2>"$TMP/tc.err"
	expect_eq "trace-cmd report exit status" "$?" 0
	expect_eq "trace-cmd report's complaints" "$(grep -vc '^cpus=' "$TMP/tc.err")" 0
fi

# every saved file, out of the file, under $TMP/saved/{start,end}/
python3 - "$TMP/rec.dat" "$TMP/saved" <<'EOF'
import os, sys
data = open(sys.argv[1], 'rb').read()
for moment in (b'start', b'end'):
    at = data.find(b'kfrag-state 1 ' + moment + b'\n')
    if at < 0:
        sys.exit("no saved state at the " + moment.decode())
    lines = data[at:at + 200].split(b'\n')
    base = os.path.join(sys.argv[2], moment.decode())
    os.makedirs(base)
    open(os.path.join(base, 'time'), 'wb').write(lines[1].split()[1] + b'\n')
    at += len(lines[0]) + len(lines[1]) + 2
    while not data.startswith(b'end\n', at):
        nl = data.index(b'\n', at)
        _, path, n = data[at:nl].split(b' ')
        n = int(n)
        out = os.path.join(base, path.decode())
        os.makedirs(os.path.dirname(out), exist_ok=True)
        open(out, 'wb').write(data[nl + 1:nl + 1 + n])
        at = nl + 1 + n + 1
EOF
expect_eq "saved state taken apart" "$?" 0
S=$TMP/saved/end
B=$TMP/saved/start

# NODE ZONE VALUES of every populated zone of a zoneinfo
zone_free() {
	awk '/^Node/ { node = $2; sub(",", "", node); zone = $4 }
	     /^  pages free/ { free = $3 }
	     $1 == "present" && $2 > 0 { print node, zone, free }' "$1"
}
zone_free "$S/proc/zoneinfo" | sort >"$TMP/want.free"
[ -s "$TMP/want.free" ] && ok || fail "no zone in the saved zoneinfo"

# this machine changes: 4 GiB less free memory, another proactiveness
"$MLOCK" 4096 "$TMP/buf.pfns" nothp &
pids=$!
wait_file "$TMP/buf.pfns" || fail "mlock_buffer did not hold its 4 GiB"
saved_total=$(awk '{ n += $3 } END { print n }' "$TMP/want.free")
live_total=$(zone_free /proc/zoneinfo | awk '{ n += $3 } END { print n }')
diff=$((saved_total - live_total))
[ "$diff" -ge 524288 ] && ok ||
	fail "free memory changed by $diff pages only; the test wants 2 GiB at least"
echo $(( $(cat "$B/proc/sys/vm/compaction_proactiveness") + 1 )) >$PRO

"$KFRAG" report -i "$TMP/rec.dat" >"$TMP/report.json" 2>"$TMP/report.err"
expect_eq "report exit status" "$?" 0
"$KFRAG" report -i "$TMP/rec.dat" --memmap --text >"$TMP/report.txt" 2>&1
"$KFRAG" report -i "$TMP/rec.dat" --memmap --svg "$TMP/report.svg" >"$TMP/full.json" 2>&1
kill $pids
wait $pids 2>/dev/null
pids=
echo "$pro_orig" >$PRO
R=$TMP/report.json

expect_eq "memory state source" "$(jq -r .memory_state.proc_root $R)" "saved in the trace"
expect_eq "of the traced machine" "$(jq -r .memory_state.of_traced_machine $R)" true
# to the hundredth: two roundings of one time (jq's and awk's) can differ
# by one in the last digit, a difference is not
same_time() {
	local got=$(jq -r ".memory_state.$2" $R) want=$(awk '{ print $1; exit }' "$3")
	awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(a != "" && d < 0.01 && d > -0.01) }' &&
		ok || fail "$1: got '$got', want '$want'"
}
same_time "start time" saved_start_time "$B/time"
same_time "end time" saved_end_time "$S/time"

# zoneinfo, buddyinfo, pagetypeinfo of the end
jq -r '.zones[] | select(.known) | "\(.node) \(.zone) \(.free_pages)"' $R | sort >"$TMP/got.free"
expect_eq "zones' free pages (zoneinfo)" "$(cat "$TMP/got.free")" "$(cat "$TMP/want.free")"
jq -r '.zones[] | select(.known) | "\(.node) \(.zone) \(.free_blocks | join(" "))"' $R | sort >"$TMP/got.buddy"
awk '{ sub(",", "", $2); z = $2 " " $4; $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print z, $0 }' \
	"$S/proc/buddyinfo" | sort >"$TMP/want.buddy"
expect_eq "zones' free blocks (buddyinfo)" "$(cat "$TMP/got.buddy")" "$(cat "$TMP/want.buddy")"
jq -r '.zones[] | select(.known) | "\(.node) \(.zone) \(.pageblocks.Movable)"' $R | sort >"$TMP/got.pt"
awk '/^Number of blocks type/ { on = 1; next } on && /^Node/ { sub(",", "", $2); print $2, $4, $6 }' \
	"$S/proc/pagetypeinfo" | sort >"$TMP/want.pt"
expect_eq "zones' movable pageblocks (pagetypeinfo)" "$(cat "$TMP/got.pt")" "$(cat "$TMP/want.pt")"

# vmstat: the end's value, and its change since the start
for c in pgmigrate_success compact_stall; do
	want_end=$(awk -v c=$c '$1 == c { print $2 }' "$S/proc/vmstat")
	want_start=$(awk -v c=$c '$1 == c { print $2 }' "$B/proc/vmstat")
	expect_eq "vmstat $c" "$(jq -r ".vmstat.$c.value" $R)" "$want_end"
	expect_eq "vmstat $c delta" "$(jq -r ".vmstat.$c.delta" $R)" "$((want_end - want_start))"
done

# the vm sysctls: the recorded proactiveness, not this machine's changed one
expect_eq "compaction_proactiveness" "$(jq -r '.guard.sysctl.compaction_proactiveness' $R)" \
	"$(cat "$S/proc/sys/vm/compaction_proactiveness")"
expect_eq "compact_unevictable_allowed" "$(jq -r '.guard.sysctl.compact_unevictable_allowed.start' $R)" \
	"$(cat "$B/proc/sys/vm/compact_unevictable_allowed")"
expect_eq "sysctl source" "$(jq -r '.guard.sysctl.source' $R)" recording

# the processes: the scx_* one protected, the locked one listed with its VmLck
expect_eq "saved status of scx_kfragtest" "$(grep -c '^Name:.scx_kfragtest$' "$B/proc/$scx/status")" 1
expect_eq "protected (pid comm)" "$(jq -r '.guard.protected[] | "\(.pid) \(.comm)"' $R)" "$scx scx_kfragtest"
expect_eq "locked, not protected (VmLck kB)" \
	"$(jq -r ".guard.locked_not_protected[] | select(.pid == $locked) | .vmlck_kb" $R)" \
	"$(awk '$1 == "VmLck:" { print $2 }' "$B/proc/$locked/status")"

# the memory map: the one saved at the end, summary and map alike
expect_eq "memmap source" "$(jq -r .memmap.source $R)" "saved in the trace"
# (fractions to 9 digits: the report prints 12, the saved file 17)
round='walk(if type == "number" then (. * 1e9 | round) else . end)'
jq -S "del(.protected, .source, .saved_time) | $round" <<<"$(jq .memmap "$TMP/full.json")" >"$TMP/got.map"
jq -S "$round" "$S/kfrag/memmap.json" >"$TMP/want.map"
cmp -s "$TMP/got.map" "$TMP/want.map" && ok || fail "memmap differs from the saved one: $(diff "$TMP/got.map" "$TMP/want.map" | head -5)"
expect_eq "summary without --memmap" "$(jq -c '[.memmap.zones[].by_kind]' $R)" \
	"$(jq -c '[.zones[].by_kind]' "$S/kfrag/memmap.json")"
grep -q '^== Memory map (pageblocks, saved in the trace at the end of the recording' "$TMP/report.txt" &&
	ok || fail "the text report does not say the map is the recording's"
# sched_ext as this machine has it (the recording saved /sys/kernel/sched_ext)
want_scx="not available"
[ -r /sys/kernel/sched_ext/state ] && want_scx=$(cat /sys/kernel/sched_ext/state)
[ -s /sys/kernel/sched_ext/root/ops ] && want_scx="$want_scx, ops $(cat /sys/kernel/sched_ext/root/ops)"
grep -qF "; sched_ext: $want_scx (recording)" "$TMP/report.txt" && ok ||
	fail "the text report's sched_ext is not the recording's '$want_scx': $(grep 'sched_ext' "$TMP/report.txt")"
grep -q 'class="memmap-source"[^>]*>[^<]*the map saved in the trace' "$TMP/report.svg" &&
	ok || fail "the SVG does not say the map is the recording's"

# --proc-root overrides the saved state
"$KFRAG" report -i "$TMP/rec.dat" --proc-root / >"$TMP/live.json"
expect_eq "--proc-root / reads this machine" "$(jq -r .memory_state.proc_root "$TMP/live.json")" /

# --no-state: a trace without it
"$KFRAG" record -q -o "$TMP/bare.dat" --duration 0.5 --events kmem:mm_page_alloc --no-state
grep -c 'kfrag-state 1' "$TMP/bare.dat" >"$TMP/count"
expect_eq "--no-state stores nothing" "$(cat "$TMP/count")" 0
"$KFRAG" report -i "$TMP/bare.dat" >"$TMP/bare.json"
expect_eq "a trace without state is not of the traced machine" "$(jq -r .memory_state.of_traced_machine "$TMP/bare.json")" false
expect_eq "nor has it a map" "$(jq -r .memmap "$TMP/bare.json")" null
done_testing
