#!/bin/bash
# Bad input: a clear message naming the file, a non-zero exit, no crash, and
# no output file (nor a temporary one) left behind.
. "${SRCDIR:-.}/tests/lib/lib.sh"

# expect_rejected NAME FILE: kfrag exits 1 (not a crash), names FILE, writes nothing
expect_rejected() {
	local name=$1 file=$2 rc
	"$KFRAG" report --input "$file" --json --output "$TMP/out.json" 2> "$TMP/err"
	rc=$?
	expect_eq "$name: exit status" "$rc" 1
	if grep -qF -- "$file" "$TMP/err"; then ok; else fail "$name: message does not name $file: $(cat "$TMP/err")"; fi
	if [ -e "$TMP/out.json" ] || ls "$TMP"/out.json.* >/dev/null 2>&1; then
		fail "$name: an output file was left behind"
	else
		ok
	fi
}

: > "$TMP/empty"
expect_rejected "empty file" "$TMP/empty"
grep -q "empty" "$TMP/err" && ok || fail "empty file: message does not say empty: $(cat "$TMP/err")"

expect_rejected "random bytes" "$FIXTURES/text/random.bin"
expect_rejected "missing file" "$TMP/does-not-exist"
grep -q "No such file" "$TMP/err" && ok || fail "missing file: $(cat "$TMP/err")"
expect_rejected "a directory" "$TMP"

printf 'hello\nthis is not a trace\n\n' > "$TMP/prose.txt"
expect_rejected "prose" "$TMP/prose.txt"
grep -q "not a trace" "$TMP/err" && ok || fail "prose: $(cat "$TMP/err")"

# truncated trace.dat at several points, from a real capture
if [ -f "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat" ]; then
	dat="$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat"
	size=$(stat -c %s "$dat")
	for n in 16 200 5000 100000 $((size / 2)) $((size - 4096)); do
		head -c "$n" "$dat" > "$TMP/cut-$n.dat"
		expect_rejected "trace.dat cut at $n bytes" "$TMP/cut-$n.dat"
		grep -q "truncated" "$TMP/err" && ok || fail "cut at $n: message does not say truncated: $(cat "$TMP/err")"
		rm -f "$TMP/cut-$n.dat"
	done
	# the last bytes of this file are not needed to read its events (the end
	# of a compressed frame): cut there, it is either rejected or read whole,
	# never reported short
	head -c $((size - 100)) "$dat" > "$TMP/cut-tail.dat"
	"$KFRAG" report --input "$TMP/cut-tail.dat" --json > "$TMP/tail.json" 2> "$TMP/err"
	rc=$?
	if [ "$rc" = 0 ]; then
		expect_eq "cut tail: every event" "$(jq .nr_events "$TMP/tail.json")" \
			"$(trace-cmd report -i "$dat" 2>/dev/null | grep -c ': [a-z_]*: ')"
	else
		expect_eq "cut tail: rejected" "$rc" 1
	fi
	# a trace.dat whose data was overwritten with garbage in the middle
	cp "$dat" "$TMP/corrupt.dat"
	# (in its event data: the last 200 kB; the headers, kallsyms first, come before)
	dd if=/dev/urandom of="$TMP/corrupt.dat" bs=4096 seek=$(((size - 200000) / 4096)) count=16 conv=notrunc status=none
	"$KFRAG" report --input "$TMP/corrupt.dat" --json > /dev/null 2> "$TMP/err"
	rc=$?
	expect_eq "corrupt trace.dat: exit status" "$rc" 1
	grep -qF "$TMP/corrupt.dat: corrupt" "$TMP/err" && ok || fail "corrupt trace.dat: $(cat "$TMP/err")"
	# garbage at many other places: never a crash
	for seek in 1 3 16 64 200 500 1000 1300; do
		cp "$dat" "$TMP/c.dat"
		dd if=/dev/urandom of="$TMP/c.dat" bs=4096 seek="$seek" count=4 conv=notrunc status=none
		"$KFRAG" report --input "$TMP/c.dat" --json > /dev/null 2>&1
		rc=$?
		[ "$rc" -le 1 ] && ok || fail "garbage at block $seek: kfrag exit $rc"
	done
else
	fail "no trace.dat fixture at $dat"
fi

# malformed lines inside a good text trace are counted, not fatal
"$KFRAG" report --input "$FIXTURES/text/malformed.txt" --json --output "$TMP/m.json" 2> "$TMP/err"
expect_eq "malformed lines: exit status" "$?" 0
# tests/data/text/README lists the 7 broken lines put into malformed.txt
expect_eq "malformed lines counted" "$(jq .source.malformed_lines "$TMP/m.json")" 7
expect_eq "first malformed line" "$(jq .source.first_malformed_line "$TMP/m.json")" 11
grep -q "malformed" "$TMP/err" && ok || fail "malformed lines: no warning on stderr"

# an existing output file survives a failed run untouched
echo "precious" > "$TMP/keep.json"
"$KFRAG" report --input "$TMP/empty" --json --output "$TMP/keep.json" 2>/dev/null
expect_eq "existing output kept on failure" "$(cat "$TMP/keep.json")" "precious"

done_testing
