#!/bin/sh
# kfrag report --svg: one self-contained SVG (no script, no external
# reference) that renders (rsvg-convert) and holds its three parts:
#   memmap    every pageblock of the saved kpageflags slice
#             (tests/data/memmap/normal-48), counted here by kind and
#             compared with the slice's expected map (classify.py's, see its
#             README); the long stretches of holes folded into one line;
#   timeline  one span per compaction episode of the trace (counted with
#             grep in the trace text), rate bars;
#   zones     one panel per zone of buddyinfo, one bar per order, each
#             with its unusable index (computed here in awk).
# Written atomically: an unwritable place fails with a message and leaves
# nothing.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd xmllint
MM=$FIXTURES/memmap/normal-48
BEFORE=$FIXTURES/proc/compaction-mlocked-moved/before
T=$FIXTURES/text/trace_compaction.txt

# the slice's tree with a vmstat of the same machine (as top_memmap.sh)
F=$TMP/fx
mkdir -p $F
cp $MM/zoneinfo $MM/buddyinfo $MM/pagetypeinfo $MM/kpageflags $MM/kpageflags.start_pfn $BEFORE/vmstat $F/
chmod 644 $F/*

"$KFRAG" report --input "$T" --proc-root $F --memmap --svg $TMP/r.svg >$TMP/r.json 2>$TMP/r.err
expect_eq "report --svg exit status" "$?" 0
[ -s $TMP/r.svg ] && ok || fail "no SVG written: $(cat $TMP/r.err)"
xmllint --noout $TMP/r.svg 2>$TMP/xml.err && ok || fail "not well-formed XML: $(head -3 $TMP/xml.err)"
expect_eq "the root element" "$(xmllint --xpath 'name(/*)' $TMP/r.svg)" svg
# self-contained: nothing run, nothing fetched
expect_eq "scripts, links, imports, urls" \
	"$(grep -ciE '<script|href|@import|url\(|<image|<foreignObject|on[a-z]+=' $TMP/r.svg)" 0

# the three parts
for part in memmap timeline zones; do
	expect_eq "part $part" "$(grep -c "<g id=\"$part\">" $TMP/r.svg)" 1
done

# memmap: cells per kind character (a cell is 4 px wide, a run of n cells
# one rect n*4 wide) against the expected map's run-length string
expected_map=$(awk '$1 == "map" { print $2 }' $MM/expected)
echo "$expected_map" | awk '{ s = $0; while (match(s, /^[^0-9][0-9]+/)) {
	n[substr(s, 1, 1)] += substr(s, 2, RLENGTH - 1); s = substr(s, RLENGTH + 1) } }
	END { for (k in n) if (k != "." && k != "E") print k, n[k] }' | sort >$TMP/want
sed -n '/<g id="memmap">/,/<\/g>/p' $TMP/r.svg |
	sed -n 's/.*class="k-\(.\)".* width="\([0-9]*\)".*/\1 \2/p' |
	awk '$1 != "." && $1 != "E" { n[$1] += $2 / 4 } END { for (k in n) print k, n[k] }' | sort >$TMP/got
[ -s $TMP/want ] && ok || fail "no blocks in $MM/expected"
expect_eq "memory-map cells by kind" "$(cat $TMP/got)" "$(cat $TMP/want)"
expect_eq "zones labelled" "$(grep -c 'class="zone-label"[^>]*>node 0 Normal' $TMP/r.svg)" 2
# the zone's label: its blocked pageblocks, the expected kinds that block
blocked=$(awk '$1 == "kind" && $2 ~ /^(reserved|slab|page_tables|kernel|huge|unevictable|writeback)$/ { n += $3 } END { print n }' $MM/expected)
grep -q "node 0 Normal  PFN [0-9-]* ([^)]*): [0-9]* compactable, $blocked blocked pageblocks<" $TMP/r.svg && ok ||
	fail "the zone label does not say $blocked blocked pageblocks: $(grep -o 'node 0 Normal  PFN[^<]*' $TMP/r.svg)"
grep -q 'class="folded"' $TMP/r.svg && ok || fail "the holes around the slice are not folded"

# timeline: an episode span per compaction of the trace
expect_eq "episode spans" "$(grep -c 'class="episode"' $TMP/r.svg)" "$(grep -c ' mm_compaction_begin: ' "$T")"
grep -q 'class="rate"' $TMP/r.svg && ok || fail "no event-rate bars"

# zones: a panel per buddyinfo zone, a bar per order
expect_eq "free-block bars" "$(grep -c 'class="free-blocks"' $TMP/r.svg)" \
	"$(awk '/^Node/ { n += NF - 4 } END { print n }' $MM/buddyinfo)"
expect_eq "unusable-index lines" "$(grep -c 'class="unusable"' $TMP/r.svg)" "$(grep -c '^Node' $MM/buddyinfo)"
# each bar's unusable index, as mm/vmstat.c's unusable_free_index() computes
# it from the buddyinfo row (thousandths, integer division), here in awk
awk '/^Node/ { fp = 0; for (j = 5; j <= NF; j++) fp += $j * 2 ^ (j - 5)
	for (o = 0; o <= NF - 5; o++) { s = 0; for (j = o + 5; j <= NF; j++) s += $j * 2 ^ (j - 5 - o)
		u = fp ? int((fp - s * 2 ^ o) * 1000 / fp) : 1000
		printf "order %d: %d free blocks, unusable index %d.%03d\n", o, $(o + 5), u / 1000, u % 1000 } }' \
	$MM/buddyinfo >$TMP/idx.want
sed -n 's/.*<title>\(order [0-9]*: [0-9]* free blocks, unusable index [0-9.]*\)<.*/\1/p' $TMP/r.svg >$TMP/idx.got
[ -s $TMP/idx.want ] && ok || fail "no buddyinfo rows in $MM/buddyinfo"
expect_eq "unusable index of every bar" "$(cat $TMP/idx.got)" "$(cat $TMP/idx.want)"

# it renders
if command -v rsvg-convert >/dev/null 2>&1; then
	rsvg-convert $TMP/r.svg -o $TMP/r.png 2>$TMP/rsvg.err
	expect_eq "rsvg-convert exit status" "$?" 0
	expect_eq "a PNG" "$(head -c 8 $TMP/r.png | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
else
	echo "note: no rsvg-convert (librsvg2-bin): rendering not checked" >&2
fi

# findings and guard alerts on the timeline (report_compaction_prefix.txt,
# cut from compaction-mlocked-moved, whose pid 5137 held locked memory
# while compaction migrated pages: see tests/data/text/README)
TC=$FIXTURES/text/report_compaction_prefix.txt
"$KFRAG" report --input "$TC" --proc-root $F --protect-pid 5137 --svg $TMP/f.svg >$TMP/f.json 2>$TMP/f.err
expect_eq "findings SVG exit status" "$?" 0
expect_eq "timeline legend entries" \
	"$(sed -n '/<g class="timeline-legend">/,/<\/g>/p' $TMP/f.svg | grep -c '<text')" 4
# the compaction of Normal (zone_start 0x100000) from its begin to its end,
# placed on the plot (x 20, 1024 px wide) over the window, all from the text
want=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0; break }
	if (!first) first = t; if (t > last) last = t }
	/mm_compaction_begin: +zone_start=0x100000 / { b = t }
	/mm_compaction_end: +zone_start=0x100000 / { e = t }
	END { w = last - first; printf "%.1f %.1f\n", 20 + 1024 * (b - first) / w, 1024 * (e - b) / w }' "$TC")
got=$(sed -n 's/.*<g class="finding" data-kind="compaction_cost">.*<rect x="\([0-9.]*\)" y="[0-9]*" width="\([0-9.]*\)".*/\1 \2/p' $TMP/f.svg)
expect_eq "compaction_cost's bar over Normal's compaction (x width)" "$got" "$want"
bars=$(grep -c '<g class="finding"' $TMP/f.svg)
[ "$bars" -ge 1 ] && ok || fail "no finding bar"
expect_eq "a finding listed per bar" "$(grep -c 'class="finding-text"' $TMP/f.svg)" "$bars"
# the guard warns: compaction migrated pages while pid 5137 ran
alerts=$(grep -c '<path class="alert"' $TMP/f.svg)
[ "$alerts" -ge 1 ] && ok || fail "no guard alert marker: $(grep 'guard:' $TMP/f.svg)"
expect_eq "an alert listed per marker" "$(grep -c 'class="alert-text"' $TMP/f.svg)" "$alerts"
# the pages it names: nr_succeeded of every mm_migrate_pages of the cut
migrated=$(grep 'mm_migrate_pages:.*reason=compaction' "$TC" | grep -o 'nr_succeeded=[0-9]*' | awk -F= '{ n += $2 } END { print n }')
grep -q "class=\"alert-text\"[^>]*>A1 warning: compaction migrated $migrated pages while lockedsched (pid 5137)" $TMP/f.svg &&
	ok || fail "alert A1 (want $migrated pages): $(grep 'class="alert-text"' $TMP/f.svg | head -1)"
if command -v rsvg-convert >/dev/null 2>&1; then
	rsvg-convert $TMP/f.svg -o $TMP/f.png 2>$TMP/rsvg.err
	expect_eq "findings SVG: rsvg-convert exit status" "$?" 0
fi

# atomically: an unwritable place fails and leaves nothing
mkdir $TMP/ro
chmod 555 $TMP/ro
if [ "$(id -u)" != 0 ]; then
	"$KFRAG" report --input "$T" --proc-root $F --svg $TMP/ro/x.svg >/dev/null 2>$TMP/ro.err
	expect_eq "unwritable --svg exit status" "$?" 1
	grep -q "cannot write $TMP/ro/x.svg" $TMP/ro.err && ok || fail "message: $(cat $TMP/ro.err)"
fi
"$KFRAG" report --input "$T" --proc-root $F --svg $TMP/none/x.svg >/dev/null 2>$TMP/none.err
expect_eq "--svg into a missing directory: exit status" "$?" 1
expect_eq "files left in $TMP/none" "$(ls $TMP/none 2>/dev/null | wc -l)" 0
done_testing
