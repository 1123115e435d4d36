#!/bin/sh
# kfrag report --interval on a recorded trace (trace time): one JSON line
# per second of the trace, each valid against the schema (closed, as
# schema.sh checks reports), with its interval; the page allocations of
# the lines add up to those of the trace (counted with grep); --text gives
# a header and a row per interval; --count stops early; bad combinations
# are usage errors.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd jq
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import jsonschema' 2>/dev/null || skip "needs Python's jsonschema"
T=$FIXTURES/text/report_compaction_noprefix.txt
PROC=$FIXTURES/proc/compaction-mlocked-moved/before

# seconds from the first event to the last, from the timestamps of the text
len=$(awk 'match($0, / [0-9]+\.[0-9]+: /) { t = substr($0, RSTART + 1, RLENGTH - 3) + 0
	if (first == "") first = t; last = t } END { print last - first }' "$T")
want_lines=$(awk -v l="$len" 'BEGIN { n = int(l); if (n < l || n == 0) n++; print n }')

"$KFRAG" report --input "$T" --proc-root "$PROC" --interval 1 >"$TMP/lines" 2>"$TMP/err"
expect_eq "exit status" "$?" 0
expect_eq "lines for $len s of trace" "$(wc -l <"$TMP/lines")" "$want_lines"
expect_eq "interval indexes" "$(jq -r .interval.index "$TMP/lines" | tr '\n' ' ')" \
	"$(seq 0 $((want_lines - 1)) | tr '\n' ' ')"
expect_eq "page allocations over the lines" \
	"$(jq -s 'map(.events.mm_page_alloc.total // 0) | add' "$TMP/lines")" \
	"$(grep -c ' mm_page_alloc: ' "$T")"

cat >"$TMP/v.py" <<'EOF'
import json, os, sys
import jsonschema
sys.path.insert(0, os.environ.get("SRCDIR", ".") + "/tests/lib")
from closed_schema import closed
v = jsonschema.Draft202012Validator(closed(json.load(open(sys.argv[1]))))
for n, line in enumerate(open(sys.argv[2]), 1):
    for e in v.iter_errors(json.loads(line)):
        print("line %d: %s: %s" % (n, "/".join(map(str, e.path)), e.message[:200]))
EOF
"$PYTHON" "$TMP/v.py" "$SRCDIR/data/kfrag-report.schema.json" "$TMP/lines" >"$TMP/invalid" 2>&1
expect_eq "lines not valid against the schema" "$(head -5 "$TMP/invalid")" ""

"$KFRAG" report --input "$T" --proc-root "$PROC" --interval 1 --text >"$TMP/text"
expect_eq "--text: header and rows" "$(wc -l <"$TMP/text")" $((want_lines + 1))
expect_eq "--text: events over the rows" "$(awk 'NR > 1 { n += $2 } END { print n }' "$TMP/text")" \
	"$(jq -s 'map(.nr_events) | add' "$TMP/lines")"

"$KFRAG" report --input "$T" --proc-root "$PROC" --interval 2 --count 2 >"$TMP/two"
expect_eq "--count 2" "$(wc -l <"$TMP/two")" 2
expect_eq "--interval 2: ends" "$(jq -r .interval.end_s "$TMP/two" | tr '\n' ' ')" "2 4 "

"$KFRAG" report --input "$T" --count 2 >/dev/null 2>"$TMP/usage"
expect_eq "--count without --interval" "$?" 2
"$KFRAG" report --input "$T" --interval 1 --svg "$TMP/x.svg" >/dev/null 2>"$TMP/usage"
expect_eq "--interval with --svg" "$?" 2
"$KFRAG" report --input "$T" --interval 0 >/dev/null 2>"$TMP/usage"
expect_eq "--interval 0" "$?" 2
done_testing
