#!/bin/bash
# Command line: help, version, unknown commands and options, bad values.
. "${SRCDIR:-.}/tests/lib/lib.sh"

"$KFRAG" --help > "$TMP/out" 2>&1
expect_eq "kfrag --help exit" "$?" 0
grep -q "report" "$TMP/out" && ok || fail "--help does not list report"

"$KFRAG" --version > "$TMP/out"
expect_eq "kfrag --version exit" "$?" 0
grep -qE '^kfrag [0-9]+\.[0-9]+' "$TMP/out" && ok || fail "--version: $(cat "$TMP/out")"

"$KFRAG" > /dev/null 2>&1
expect_eq "no command" "$?" 2
"$KFRAG" frobnicate > /dev/null 2> "$TMP/err"
expect_eq "unknown command" "$?" 2
grep -q "unknown command 'frobnicate'" "$TMP/err" && ok || fail "unknown command: $(cat "$TMP/err")"

"$KFRAG" report --help > "$TMP/out"
expect_eq "report --help exit" "$?" 0
for opt in --input --json --text --output --proc-root --by-comm; do
	grep -q -- "$opt" "$TMP/out" && ok || fail "report --help does not document $opt"
done

"$KFRAG" report --frobnicate > /dev/null 2> "$TMP/err"
expect_eq "unknown option" "$?" 2
grep -q "Usage:" "$TMP/err" && ok || fail "unknown option: no usage message"
"$KFRAG" report > /dev/null 2> "$TMP/err"
expect_eq "report without input" "$?" 2
"$KFRAG" report --input > /dev/null 2>&1
expect_eq "--input without value" "$?" 2
"$KFRAG" report --input x extra > /dev/null 2>&1
expect_eq "stray argument" "$?" 2

done_testing
