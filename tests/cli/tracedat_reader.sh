#!/bin/bash
# kfrag's own trace.dat reader against libtracecmd's iteration
# (KFRAG_TEST_LIBTRACECMD=1 makes kfrag read through libtracecmd, as it does
# for the kinds of file its reader leaves to it): the same report, field for
# field, on files of each version and compression. The files are a small one
# written by tests/helpers/mk_tracedat and, when the shared captures are
# present, compaction-mlocked-moved converted by `trace-cmd convert` to
# version 6 and to version 7 uncompressed (the original is version 7, zstd,
# with its events in a buffer instance).
. "${SRCDIR:-.}/tests/lib/lib.sh"
H=$(dirname "$KFRAG")/tests/helpers
need_cmd jq

# same NAME FILE [PROC_ROOT]: both readers give the same JSON
same() {
	local name=$1 file=$2 root=${3:-}
	local args=(report --input "$file" --json)
	[ -n "$root" ] && args+=(--proc-root "$root")
	"$KFRAG" "${args[@]}" 2> "$TMP/err" | jq -S 'del(.kfrag_version)' > "$TMP/own.json"
	KFRAG_TEST_LIBTRACECMD=1 "$KFRAG" "${args[@]}" 2>> "$TMP/err" |
		jq -S 'del(.kfrag_version)' > "$TMP/lib.json"
	if [ -s "$TMP/own.json" ] && cmp -s "$TMP/own.json" "$TMP/lib.json"; then
		ok
	else
		fail "$name: kfrag's reader and libtracecmd differ: $(cat "$TMP/err"; diff "$TMP/own.json" "$TMP/lib.json" | head -10)"
	fi
}

"$H/mk_tracedat" "$TMP/small.dat" --records 50
# the machine's state from a fixed copy: only the trace may differ
same "small version 6" "$TMP/small.dat" "$FIXTURES/proc/compaction-mlocked-moved/after"
expect_eq "small version 6: events" "$("$KFRAG" report --input "$TMP/small.dat" --json | jq .nr_events)" 50
# cut inside its page: truncated, whichever reader
head -c $(( $(stat -c %s "$TMP/small.dat") - 2000 )) "$TMP/small.dat" > "$TMP/cut.dat"
"$KFRAG" report --input "$TMP/cut.dat" --json > /dev/null 2> "$TMP/err"
expect_eq "small version 6 cut: exit" "$?" 1
grep -q "truncated" "$TMP/err" && ok || fail "small version 6 cut: $(cat "$TMP/err")"

# the fixture (tests/data/tracedat), and the shared capture when present
for capdir in $(tracedat_caps moved); do
	command -v trace-cmd >/dev/null || break
	dat="$capdir/trace.dat"
	root="$capdir/proc-after"
	same "capture, version 7 zstd" "$dat" "$root"
	trace-cmd convert -i "$dat" -o "$TMP/v6.dat" --file-version 6 >/dev/null 2>&1
	same "capture, version 6" "$TMP/v6.dat" "$root"
	rm -f "$TMP/v6.dat"
	trace-cmd convert -i "$dat" -o "$TMP/v7.dat" --file-version 7 --compression none >/dev/null 2>&1
	same "capture, version 7 uncompressed" "$TMP/v7.dat" "$root"
	expect_eq "capture, version 7 uncompressed: events as trace-cmd reports them" \
		"$("$KFRAG" report --input "$TMP/v7.dat" --json | jq .nr_events)" \
		"$(trace-cmd report -i "$dat" 2>/dev/null | grep -c ': [a-z_]*: ')"
done
command -v trace-cmd >/dev/null || echo "note: no trace-cmd: the captures' versions not compared" >&2
done_testing
