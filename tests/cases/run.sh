#!/bin/bash
# The data-driven cases (as jansson's test suites are): every folder of
# tests/cases/ holds one kfrag run and what it must produce.
#   cmd        the kfrag command line, one line (after "kfrag"); $CASE is
#              the case's folder, $FIXTURES tests/data, $TMP a scratch folder
#   stdin      optional: fed to kfrag's standard input
#   status     optional: the exit status wanted (default 0)
#   expected   optional: standard output, exactly
#   expect.jq  optional: a jq program that must print true for standard output
#   stdout.re  optional: grep -E patterns, one a line, that standard output must match
#   stderr     optional: grep -E patterns, one a line, that standard error must match
#   README     where the input came from and how the expected values were
#              computed (never from kfrag's own output)
# Each case is one check; a case with none of expected, expect.jq or stderr
# or stdout.re is itself a failure (a case that cannot fail).
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd jq
CASES=$SRCDIR/tests/cases
n=0
for CASE in "$CASES"/*/; do
	CASE=${CASE%/}
	name=$(basename "$CASE")
	[ -f "$CASE/cmd" ] || continue
	n=$((n + 1))
	[ -f "$CASE/expected" ] || [ -f "$CASE/expect.jq" ] || [ -f "$CASE/stderr" ] || [ -f "$CASE/stdout.re" ] ||
		{ fail "$name: no expected, expect.jq, stdout.re or stderr"; continue; }
	[ -f "$CASE/README" ] || { fail "$name: no README"; continue; }
	cmd=$(head -1 "$CASE/cmd")
	export CASE FIXTURES TMP
	stdin=/dev/null
	[ -f "$CASE/stdin" ] && stdin=$CASE/stdin
	eval "set -- $cmd"
	"$KFRAG" "$@" < "$stdin" > "$TMP/$name.out" 2> "$TMP/$name.err"
	rc=$?
	want=0
	[ -f "$CASE/status" ] && want=$(cat "$CASE/status")
	why=""
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	if [ -f "$CASE/expected" ] && ! diff -u "$CASE/expected" "$TMP/$name.out" > "$TMP/$name.diff"; then
		why="$why; output differs: $(head -20 "$TMP/$name.diff")"
	fi
	if [ -f "$CASE/expect.jq" ] && [ "$(jq -e -f "$CASE/expect.jq" "$TMP/$name.out" 2>&1)" != true ]; then
		why="$why; expect.jq is not true: $(jq -f "$CASE/expect.jq" "$TMP/$name.out" 2>&1 | head -5)"
	fi
	for stream in stdout.re:out stderr:err; do
		[ -f "$CASE/${stream%:*}" ] || continue
		while IFS= read -r pat; do
			[ -z "$pat" ] || grep -qE -- "$pat" "$TMP/$name.${stream#*:}" ||
				why="$why; ${stream%%[.:]*} lacks /$pat/"
		done < "$CASE/${stream%:*}"
	done
	if [ -z "$why" ]; then ok; else fail "case $name ($cmd): ${why#; }; stderr: $(head -c 500 "$TMP/$name.err")"; fi
done
[ "$n" -gt 0 ] || fail "no case under $CASES"
done_testing
