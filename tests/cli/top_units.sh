#!/bin/sh
# kfrag top's units, rates and sort, in tmux at 80x24, 120x40 and 200x60, on
# the replay of the compaction capture (no root needed):
#   - u cycles the unit of every size: pages, KiB, MiB, GiB. The zones'
#     FREE, MIN, LOW and HIGH and the CPUs' pages allocated and freed (t:
#     totals) are, in each unit, the report's pages times the page size,
#     rounded to the digits shown, with the unit's letter (or a larger one
#     when the number would not fit); no number is cut; the hint line and
#     the help name the unit;
#   - totals mode (t) shows no "/s" anywhere but in the hint of t itself;
#   - the first frame of a replay, microseconds of trace in, shows no rate
#     ("- ev/s"; it once showed 59.6M ev/s for 9 events); a later one does;
#   - at the end of a replay sorted by ALLOC/s, the rows stay sorted by it
#     (equal rates by ALLOCD), not by pid.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
T=$FIXTURES/text/report_compaction_noprefix.txt
PROC=$FIXTURES/proc/compaction-mlocked-moved/before
PS=$(getconf PAGESIZE)
TOP_LANG=LC_ALL=C

"$KFRAG" report --input "$T" --proc-root "$PROC" >"$TMP/r.json" 2>/dev/null || fail "kfrag report failed"

# the value of a right-aligned column on a row: the last word of the row up
# to where its title ends in the header line
col_value() { # HEADER ROW TITLE
	top_awk -v h="$1" -v r="$2" -v t="$3" 'BEGIN {
		p = match(h " ", " " t " ")
		if (!p) exit
		v = substr(r, 1, p + length(t))
		n = split(v, w, " ")
		print w[n]
	}'
}

# check_size WHAT SHOWN BYTES LETTER: SHOWN is BYTES in unit LETTER (K, M,
# G) or a larger one, to the digits it shows; "0" for 0
check_size() {
	top_awk -v s="$2" -v want="$3" -v min="$4" 'BEGIN {
		if (s == "0") exit want != 0
		l = substr(s, length(s)); num = substr(s, 1, length(s) - 1)
		p = index("KMGTPE", l)
		if (!p || p < index("KMGTPE", min) || num !~ /^[0-9]+(\.[0-9]+)?$/) exit 1
		d = index(num, ".") ? length(num) - index(num, ".") : 0
		diff = num * 1024 ^ p - want
		exit (diff < 0 ? -diff : diff) > 10 ^ -d * 1024 ^ p / 2 * 1.0001
	}' && ok || fail "$1: '$2' is not $3 bytes in ${4}iB or larger"
}

# the zones' sizes in the unit of letter L, every column the screen shows
check_zones() { # SIZE LETTER
	top_screen >"$TMP/screen"
	header=$(grep -m1 '^N ZONE ' "$TMP/screen")
	n=0
	for z in $(jq -r '.zones[] | select(.known) | .zone' "$TMP/r.json"); do
		row=$(grep -m1 "^[0-9] $z " "$TMP/screen")
		for c in FREE MIN LOW HIGH; do
			case $c in
			FREE) key=.free_pages ;; *) key=.watermarks.$(echo $c | tr A-Z a-z) ;;
			esac
			v=$(col_value "$header" "$row" "$c")
			[ -n "$v" ] || continue
			want=$(jq -r --arg z "$z" ".zones[] | select(.zone == \$z) | $key" "$TMP/r.json")
			check_size "$1 $z $c" "$v" $((want * PS)) "$2"
			n=$((n + 1))
		done
	done
	[ "$n" -ge 3 ] && ok || fail "$1: only $n zone sizes on the screen"
}

# the CPUs' pages allocated and freed in totals mode, in the unit of letter L
check_cpus() { # SIZE LETTER
	top_screen >"$TMP/screen"
	header=$(grep -m1 '^CPU  *ALLOC ' "$TMP/screen")
	for c in $(jq -r '.cpus[].cpu' "$TMP/r.json"); do
		row=$(grep -m1 "^cpu$c " "$TMP/screen")
		for col in ALLOC FREE; do
			key=$( [ $col = ALLOC ] && echo alloc || echo free)
			want=$(jq -r --argjson c "$c" ".cpus[] | select(.cpu == \$c) | .pages.$key.pages" "$TMP/r.json")
			check_size "$1 cpu$c $col" "$(col_value "$header" "$row" "$col")" $((want * PS)) "$2"
		done
	done
}

for size in 80x24 120x40 200x60; do
	top_start $size --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2
	top_wait '(end)' 20 || fail "$size: the replay did not end"
	top_screen | tail -n 1 | grep -q 'upages ' && ok || fail "$size: the hint line does not name the unit"
	for unit in KiB:K MiB:M GiB:G; do
		top_keys u
		top_wait "u${unit%:*} " 5 || fail "$size: u did not switch to ${unit%:*}"
		check_zones "$size ${unit%:*}" "${unit#*:}"
		top_keys 2 t
		top_wait '^CPU  *ALLOC ' 5 || fail "$size: no CPU totals"
		check_cpus "$size ${unit%:*}" "${unit#*:}"
		# totals: no rate anywhere (the last line is the hints: "tTot/s")
		got=$(top_screen | sed '$d' | grep '/s')
		expect_eq "$size ${unit%:*}: lines with /s in totals mode" "$got" ""
		top_keys 5
		top_wait '^>5 Processes' 5
		got=$(top_screen | sed '$d' | grep '/s')
		expect_eq "$size ${unit%:*}: lines with /s in totals mode, processes in focus" "$got" ""
		top_keys t 1
		top_wait_gone 'TOTALS' 5
	done
	top_keys u
	top_wait 'upages ' 5 || fail "$size: u after GiB did not go back to pages"
	want=$(jq -r '.zones[] | select(.zone == "Normal") | .free_pages' "$TMP/r.json")
	expect_eq "$size: pages again: Normal's free pages" "$(top_screen | grep -m1 '^[0-9] Normal ' | awk '{ print $3 }')" "$want"
	top_keys q
	top_exit >/dev/null
done

# the help names u
top_start 80x24 --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2
top_wait '(end)' 20
top_keys h
top_wait ': keys' 5
top_screen | grep -q '^ u  *units of every size: pages, KiB, MiB, GiB' && ok || fail "the help does not describe u"
top_keys q q
top_exit >/dev/null

# the first frame, microseconds into the trace at speed 1 (the next is a
# minute away): no rate; its events are counted
top_start 120x30 --input "$T" --proc-root "$PROC" -d 60
top_wait 'replay report_compaction' 10 || fail "first frame: no header"
line=$(top_screen | head -n 1)
echo "$line" | grep -q '  - ev/s  lost 0  events [0-9]' && ok || fail "first frame: a rate over no interval: $line"
top_keys 5
top_wait '^>5 Processes' 5
top_screen | grep -E '^ *[0-9]+ capture-compact +- +- ' >/dev/null && ok ||
	fail "first frame: the process rates are not '-': $(top_screen | grep capture-compact)"
top_keys q
top_exit >/dev/null
# a frame half a second of trace later has one
top_start 120x30 --input "$T" --proc-root "$PROC" -d 0.5
top_wait 'x1  [0-9][0-9.kMG]* ev/s' 10 || fail "no rate after the first frame"
top_keys q
top_exit >/dev/null

# the end of a replay sorted by ALLOC/s: sorted by it still, equal rates by ALLOCD
top_start 120x40 --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2
top_wait '(end)' 20 || fail "sort: the replay did not end"
top_keys 5
top_wait 'sorted by ALLOC/s' 5 || fail "sort: not sorted by ALLOC/s"
sleep 1	# frames after the end: each once put the rows in pid order
top_table '^ *PID COMMAND' | top_columns PID ALLOC/s ALLOCD >"$TMP/rows"
sed 1d "$TMP/rows" >"$TMP/rows.got"
[ "$(wc -l <"$TMP/rows.got")" -ge 3 ] && ok || fail "sort: fewer than 3 processes: $(cat "$TMP/rows")"
expect_eq "sort: rows by ALLOC/s, then ALLOCD, then pid" "$(cat "$TMP/rows.got")" \
	"$(sort -k2,2nr -k3,3nr -k1,1n "$TMP/rows.got")"
[ "$(awk '{ print $1 }' "$TMP/rows.got")" != "$(awk '{ print $1 }' "$TMP/rows.got" | sort -n)" ] && ok ||
	fail "sort: the rows are in pid order: $(cat "$TMP/rows.got")"
top_keys q
top_exit >/dev/null

done_testing
