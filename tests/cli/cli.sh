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
# a usage error: what is wrong, and where the help is; not the whole help
for cmd in report top record; do
	"$KFRAG" $cmd --frobnicate > /dev/null 2> "$TMP/err"
	expect_eq "$cmd: unknown option exit" "$?" 2
	expect_eq "$cmd: unknown option message" "$(cat "$TMP/err")" \
		"kfrag $cmd: unrecognized option '--frobnicate'
Try 'kfrag $cmd --help' for more information."
	opt=--duration; [ $cmd = top ] && opt=--delay
	"$KFRAG" $cmd $opt x > /dev/null 2> "$TMP/err"
	expect_eq "$cmd: bad value" "$(sed -n '2,$p' "$TMP/err")" "Try 'kfrag $cmd --help' for more information."
	grep -q "^kfrag $cmd: .*'x'" "$TMP/err" && ok || fail "$cmd $opt x: $(cat "$TMP/err")"
done

# an unknown command: the nearest one when it is a slip (one edit, two for
# longer names, or a prefix), none when nothing is near
for typo in reprot:report rep:report tpo:top recrod:record chekc:check chek:check; do
	"$KFRAG" ${typo%:*} > /dev/null 2> "$TMP/err"
	expect_eq "${typo%:*}: exit" "$?" 2
	expect_eq "${typo%:*}" "$(cat "$TMP/err")" "kfrag: unknown command '${typo%:*}'; did you mean '${typo#*:}'?
Try 'kfrag --help' for more information."
done
"$KFRAG" xyz > /dev/null 2> "$TMP/err"
expect_eq "no suggestion" "$(cat "$TMP/err")" "kfrag: unknown command 'xyz'
Try 'kfrag --help' for more information."
"$KFRAG" --duration 5 report > /dev/null 2> "$TMP/err"
expect_eq "an option before the command: exit" "$?" 2
grep -q "the command comes first" "$TMP/err" && ok || fail "option first: $(cat "$TMP/err")"

# --version in every position, for every command
want=$("$KFRAG" --version)
for cmd in report top record check; do
	for args in "--version" "--duration 1 --version" "--version --duration 1"; do
		got=$("$KFRAG" $cmd $args 2>&1)
		expect_eq "kfrag $cmd $args exit" "$?" 0
		expect_eq "kfrag $cmd $args" "$got" "$want"
	done
done
"$KFRAG" -V > "$TMP/out"
expect_eq "kfrag -V" "$(cat "$TMP/out")" "$want"
# help COMMAND is COMMAND --help
"$KFRAG" help check > "$TMP/out"
expect_eq "help check exit" "$?" 0
expect_eq "help check" "$(cat "$TMP/out")" "$("$KFRAG" check --help)"
"$KFRAG" report > /dev/null 2> "$TMP/err"
expect_eq "report without input" "$?" 2
"$KFRAG" report --input > /dev/null 2>&1
expect_eq "--input without value" "$?" 2
"$KFRAG" report --input x extra > /dev/null 2>&1
expect_eq "stray argument" "$?" 2

done_testing
