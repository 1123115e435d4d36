#!/bin/bash
# Hostile trace.dat formats (issue #13, items 3 and 4-5): a format whose
# common_pid or field offset lies far beyond the record (32-bit offset
# arithmetic must not wrap), event ids of 10,000,000 and INT_MAX (no table
# indexed by the raw id). The files are written by tests/helpers/mk_tracedat
# (see tests/data/tracedat-hostile/README); expected counts come from
# trace-cmd report where it reads the file, else from what the helper wrote.
. "${SRCDIR:-.}/tests/lib/lib.sh"
H=$(dirname "$KFRAG")/tests/helpers
MK="$H/mk_tracedat"
[ -x "$MK" ] || skip "$MK not built"

# run NAME: kfrag on $TMP/NAME.dat; no crash, under 256 MiB; sets $rc
run() {
	local name=$1
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$TMP/$name.rss" "$KFRAG" report --input "$TMP/$name.dat" --json \
			--output "$TMP/$name.json" 2> "$TMP/$name.err"
		rc=$?
		local rss
		rss=$(tail -1 "$TMP/$name.rss")
		[ "$rss" -lt 262144 ] && ok || fail "$name: peak RSS $rss KiB (limit 256 MiB)"
	else
		"$KFRAG" report --input "$TMP/$name.dat" --json --output "$TMP/$name.json" 2> "$TMP/$name.err"
		rc=$?
	fi
	[ "$rc" -le 1 ] && ok || fail "$name: kfrag exit $rc (crashed?): $(cat "$TMP/$name.err")"
}

# mm_page_alloc lines trace-cmd report prints, or the helper's 10 where it cannot read the file
tracecmd_count() {
	local n
	n=$(trace-cmd report -i "$TMP/$1.dat" 2>/dev/null | grep -c ': mm_page_alloc: ')
	[ "${n:-0}" -gt 0 ] && echo "$n" || echo 10
}

# the well-formed file: the helper and kfrag agree with trace-cmd
"$MK" "$TMP/good.dat" --records 10
run good
expect_eq "good: exit" "$rc" 0
if command -v trace-cmd >/dev/null; then
	expect_eq "good: events as trace-cmd reports them" "$(tracecmd_count good)" 10
	# pids and orders as trace-cmd prints them
	trace-cmd report -i "$TMP/good.dat" 2>/dev/null |
		sed -nE 's/^.*-([0-9]+) +\[[0-9]+\].* order=([0-9]+).*$/\1 \2/p' | sort -n > "$TMP/want"
	jq -r '.processes[] | "\(.pid) \(.pages_allocd_order_weighted)"' "$TMP/good.json" | sort -n > "$TMP/got"
	awk '{ print $1, 2 ^ $2 }' "$TMP/want" > "$TMP/want2"
	cmp -s "$TMP/want2" "$TMP/got" && ok || fail "good: pids and orders differ from trace-cmd: $(diff "$TMP/want2" "$TMP/got" | head -5)"
fi
expect_eq "good: mm_page_alloc" "$(jq .events.mm_page_alloc.total "$TMP/good.json")" 10

# common_pid beyond the record, near 2^31 and at 2^32-4 (wraps to 0 in 32 bits)
for off in 70000 2147483644 4294967292; do
	"$MK" "$TMP/pid$off.dat" --pid-offset "$off"
	run "pid$off"
	if [ "$rc" = 0 ]; then
		expect_eq "pid offset $off: mm_page_alloc" "$(jq .events.mm_page_alloc.total "$TMP/pid$off.json")" 10
	else
		grep -qF "$TMP/pid$off.dat" "$TMP/pid$off.err" && ok || fail "pid offset $off: message does not name the file"
	fi
done
# a field (pfn) whose offset + size wraps 32 bits
"$MK" "$TMP/pfnwrap.dat" --pfn-offset 4294967292
run pfnwrap
expect_eq "pfn offset 2^32-4: exit" "$rc" 0
expect_eq "pfn offset 2^32-4: pfns not read" "$(jq '[.processes[].pages_allocd] | add' "$TMP/pfnwrap.json")" 10

# event ids that must not size a table
for id in 10000000 2147483647; do
	"$MK" "$TMP/id$id.dat" --type-size 4 --event-id "$id"
	run "id$id"
	expect_eq "event id $id: exit" "$rc" 0
	[ "$rc" = 0 ] && expect_eq "event id $id: mm_page_alloc" \
		"$(jq .events.mm_page_alloc.total "$TMP/id$id.json")" "$(tracecmd_count "id$id")"
done
done_testing
