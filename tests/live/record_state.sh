#!/bin/sh
# A recording stands alone: kfrag record stores the memory state at its
# start and its end in the trace.dat (trace-cmd still reads the file), and a
# report of the file shows the recorded zones even after this machine's free
# memory has changed by gigabytes (mlock_buffer holds 2 GiB meanwhile).
#
# Expected values come from the file itself, read here with python3 (the
# saved state is text: "file proc/zoneinfo LEN" then the bytes), not from
# kfrag's reader; and from /proc/zoneinfo read by this script.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/live_lib.sh"
live_setup
need_cmd jq
need_cmd python3
MLOCK=${MLOCK_BUFFER:-$(dirname "$KFRAG")/tests/helpers/mlock_buffer}
[ -x "$MLOCK" ] || skip "no helper at $MLOCK (make check builds it)"

# free pages of every populated zone (present pages), "NODE ZONE FREE" per
# line, from a zoneinfo file
zone_free() {
	awk '/^Node/ { node = $2; sub(",", "", node); zone = $4 }
	     /^  pages free/ { free = $3 }
	     $1 == "present" && $2 > 0 { print node, zone, free }' "$1"
}

"$KFRAG" record -q -o "$TMP/rec.dat" --duration 1 --events kmem:mm_page_alloc
expect_eq "record exit status" "$?" 0

# trace-cmd skips kfrag's option and reads every event
if command -v trace-cmd >/dev/null 2>&1; then
	trace-cmd report -i "$TMP/rec.dat" >/dev/null 2>"$TMP/tc.err"
	expect_eq "trace-cmd report exit status" "$?" 0
	expect_eq "trace-cmd report's complaints" "$(grep -vc '^cpus=' "$TMP/tc.err")" 0
fi

# the zoneinfo saved at the end, taken out of the file
python3 - "$TMP/rec.dat" "$TMP/saved_zoneinfo" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
at = data.find(b'kfrag-state 1 end\n')
if at < 0:
    sys.exit("no saved state at the end")
key = b'file proc/zoneinfo '
at = data.find(key, at)
nl = data.find(b'\n', at)
n = int(data[at + len(key):nl])
open(sys.argv[2], 'wb').write(data[nl + 1:nl + 1 + n])
EOF
expect_eq "saved zoneinfo found" "$?" 0
zone_free "$TMP/saved_zoneinfo" | sort >"$TMP/want"
[ -s "$TMP/want" ] && ok || fail "no zone in the saved zoneinfo"

# this machine's free memory drops by 2 GiB
"$MLOCK" 2048 "$TMP/buf.pfns" nothp &
mpid=$!
i=0
while [ ! -s "$TMP/buf.pfns" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$TMP/buf.pfns" ] || fail "mlock_buffer did not hold its 2 GiB"
saved_total=$(awk '{ n += $3 } END { print n }' "$TMP/want")
live_total=$(zone_free /proc/zoneinfo | awk '{ n += $3 } END { print n }')
diff=$((saved_total - live_total))
[ "$diff" -ge 262144 ] && ok ||
	fail "free memory changed by $diff pages only; the test wants 1 GiB at least"

"$KFRAG" report -i "$TMP/rec.dat" >"$TMP/report.json" 2>"$TMP/report.err"
expect_eq "report exit status" "$?" 0
kill "$mpid"
wait "$mpid" 2>/dev/null
jq -r '.zones[] | select(.known) | "\(.node) \(.zone) \(.free_pages)"' "$TMP/report.json" | sort >"$TMP/got"
expect_eq "zones of the report (node zone free)" "$(cat "$TMP/got")" "$(cat "$TMP/want")"
expect_eq "memory state source" "$(jq -r .memory_state.proc_root "$TMP/report.json")" "saved in the trace"
expect_eq "of the traced machine" "$(jq -r .memory_state.of_traced_machine "$TMP/report.json")" true

# --proc-root overrides the saved state
"$KFRAG" report -i "$TMP/rec.dat" --proc-root / >"$TMP/live.json"
expect_eq "--proc-root / reads this machine" "$(jq -r .memory_state.proc_root "$TMP/live.json")" /

# --no-state: a trace without it
"$KFRAG" record -q -o "$TMP/bare.dat" --duration 0.5 --events kmem:mm_page_alloc --no-state
grep -c 'kfrag-state 1' "$TMP/bare.dat" >"$TMP/count"
expect_eq "--no-state stores nothing" "$(cat "$TMP/count")" 0
"$KFRAG" report -i "$TMP/bare.dat" | jq -r .memory_state.of_traced_machine >"$TMP/bare.of"
expect_eq "a trace without state is not of the traced machine" "$(cat "$TMP/bare.of")" false
done_testing
