#!/bin/sh
# kfrag top at 80x24, 120x40 and 200x60 (tmux), on the replay of the
# compaction capture with lockedsched protected, at its end: no number is
# ever cut at a panel's edge.
#   - the guard's row of lockedsched shows its page faults during migration
#     whole (the report of the same trace says 215; at 160 columns top once
#     showed "21"), in the guard panel's focus;
#   - every panel title bar is whole items: its last word is not a number
#     cut at the last column (the zones' title once ended "u9 0" for
#     "u9 0.068");
#   - the zones' title says, per zone, how many 2 MiB pages are free now:
#     free blocks of order 9 and more, read here from the saved buddyinfo;
#   - the alerts take one line each (the protected table stays in view),
#     Enter shows each with its action;
#   - 200 columns show every zone column (FREE BLOCKS, MIN, LOW, HIGH);
#   - TERM=dumb is refused with a message, before anything is written to
#     the terminal (the trace is not even read), which is left as it was.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
T=$FIXTURES/text/report_compaction_noprefix.txt
PROC=$FIXTURES/proc/compaction-mlocked-moved/before

"$KFRAG" report --input "$T" --proc-root "$PROC" --protect-comm lockedsched >"$TMP/r.json" 2>/dev/null
migflt=$(jq -r '.processes[] | select(.comm == "lockedsched") | .page_faults_during_migration' "$TMP/r.json")
[ "${migflt:-0}" -gt 99 ] && ok || fail "the report says lockedsched took '$migflt' faults during migration"
# "ZONE ANSWER" to "can I get a 2 MiB page now?": free blocks of order 9
# and more (an order-o block holds 2^(o-9) of them, buddyinfo's columns
# from the 14th), and the zone's free pages against its low watermark plus
# the 512 pages asked (zoneinfo)
awk 'FNR == NR { if ($1 == "Node") z = $4; if ($1 == "pages" && $2 == "free") free[z] = $3
		if ($1 == "low") low[z] = $2; next }
	/^Node/ { n = 0; for (i = 14; i <= NF; i++) n += $i * 2 ^ (i - 14)
		print $4, (n == 0 ? "no, none free" : free[$4] < low[$4] + 512 ? "after reclaim, " n " free" : "yes, " n " free") }' \
	"$PROC/zoneinfo" "$PROC/buddyinfo" >"$TMP/huge.want"
grep -q "yes, " "$TMP/huge.want" && ok || fail "the fixture has no zone with a 2 MiB page: $(cat "$TMP/huge.want")"

for size in 80x24 120x40 200x60; do
	cols=${size%x*}
	top_start $size --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2 --protect-comm lockedsched
	top_wait '(end)' 20 || fail "$size: the replay did not end"
	# the guard in focus: its table in view
	top_keys 6
	top_wait "^ *PID  *PROTECTED" || fail "$size: no protected-process table"
	top_screen >"$TMP/screen.$size"

	# lockedsched's row: MIGFLT, the last column, whole
	top_table '^ *PID  *PROTECTED' >"$TMP/table"
	expect_eq "$size: the protected table's last column" "$(head -n 1 "$TMP/table" | awk '{ print $NF }')" MIGFLT
	got=$(awk '$2 == "lockedsched" { print $NF }' "$TMP/table")
	expect_eq "$size: lockedsched's MIGFLT" "$got" "$migflt"
	[ "$got" = "$migflt" ] || cat "$TMP/screen.$size" >&2

	# title bars: a cut number would end at the last column
	top_awk -v w=$cols 'match($0, /^( |>|\xe2\x96\xb6)[1-6] /) { print }' "$TMP/screen.$size" >"$TMP/titles"
	[ -s "$TMP/titles" ] && ok || fail "$size: no title bar"
	cut=$(top_awk -v w=$cols 'length($0) >= w && $0 ~ /[0-9.]$/' "$TMP/titles")
	expect_eq "$size: title bars ending in a number at the last column" "$cut" ""

	# the zones' title: whole "ZONE FREE WM, 2MiB: ANSWER" items, each as zoneinfo and buddyinfo say
	top_awk '/^( |>|\xe2\x96\xb6)1 Zones/' "$TMP/screen.$size" |
		sed 's/^.1 Zones  //; s/  /\n/g' | sed -n 's/^\([A-Za-z0-9]*\) [0-9]* [a-zMIN!]*, 2MiB: \(.*\)$/\1 \2/p' \
		>"$TMP/huge.got"
	[ -s "$TMP/huge.got" ] && ok || fail "$size: no zone in the zones' title"
	expect_eq "$size: 2 MiB pages of the zones shown" "$(cat "$TMP/huge.got")" \
		"$(head -n "$(wc -l <"$TMP/huge.got")" "$TMP/huge.want")"
	# alerts: one line each (the table is in view), details on Enter
	expect_eq "$size: lines of the alerts" "$(grep -c '^\(WARNING\|CRITICAL\|note\) ' "$TMP/screen.$size")" \
		"$(jq '[.guard.alerts[]] | length' "$TMP/r.json")"
	top_keys Enter
	top_wait 'Enter: one line each' || fail "$size: Enter did not open the alerts' details"
	top_screen | grep -q 'compact_unevictable_allowed is 1 on the traced machine' && ok ||
		fail "$size: no action under the alert after Enter"
	top_keys q
	top_exit >/dev/null
done

# TERM=dumb: refused before anything is drawn, before the trace is read: a
# FIFO nobody writes would hold a reader forever
mkfifo "$TMP/never.txt"
TOP_ENV=TERM=dumb top_start 80x24 --input "$TMP/never.txt" --proc-root "$PROC"
expect_eq "TERM=dumb: exit status" "$(top_exit)" 1
grep -q "cannot move the cursor" "$TMP/stderr" && ok || fail "TERM=dumb: $(cat "$TMP/stderr")"
expect_eq "TERM=dumb: written to the terminal" "$(top_screen | tr -d ' \n')" ""
top_check_terminal "TERM=dumb"

# 200 columns: every zone column, more than 120 shows
grep -q 'FREE BLOCKS.*MIN.*LOW.*HIGH' "$TMP/screen.200x60" && ok || fail "200x60: zone columns missing"
done_testing
