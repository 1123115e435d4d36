#!/bin/bash
# The figures of issue #11, against trace-cmd report + awk of the same file,
# on the fixtures of tests/data (everywhere) and the shared real captures
# (../shared/data) when present:
# - kmem-storm (tests/data/text/pipe_kmem_storm.txt, its first 3,000 lines,
#   and the whole shared trace.dat): each process's freed pages are its
#   mm_page_free pages (the mm_page_free_batched events repeat pages
#   mm_page_free logged, checked by pfn); in the whole capture the storm
#   processes freed within 5% of what they allocated;
# - compaction-mlocked-moved (tests/data/tracedat and shared): each
#   episode's order is that of its last mm_compaction_finished.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd trace-cmd
need_cmd jq

# frees_checks NAME FILE: per process, the pages allocated and freed as awk
# counts them in FILE (trace_pipe text, or trace-cmd report of a trace.dat)
frees_checks() {
	local name=$1 file=$2
	case $file in
	*.dat) trace-cmd report -i "$file" 2>/dev/null > "$TMP/$name.txt" ;;
	*) cp "$file" "$TMP/$name.txt" ;;
	esac
	"$KFRAG" report --input "$file" --output "$TMP/$name.json" || fail "report on $file"
	# pid allocd_pages freed_pages batched, and the batched pages that no mm_page_free of their pfn on their CPU preceded
	awk '
	/ mm_page_(alloc|free|free_batched): / {
	match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	match($0, /\[[0-9]+\]/); cpu = substr($0, RSTART, RLENGTH)
	match($0, / mm_page_[a-z_]+:/); ev = substr($0, RSTART + 1, RLENGTH - 2)
	match($0, /pfn=0x[0-9a-f]+/); pfn = substr($0, RSTART, RLENGTH)
	match($0, /order=[0-9]+/); pages = 2 ^ substr($0, RSTART + 6, RLENGTH - 6)
	seen[pid] = 1
	if (ev == "mm_page_alloc") alloc[pid] += pages
	else if (ev == "mm_page_free") fpages[pid] += pages
	else { batched[pid]++; if (last[pfn] != "mm_page_free" cpu) alone++ }
	last[pfn] = ev cpu
}
END {
	for (p in seen) printf "%d %d %d %d\n", p, alloc[p], fpages[p], batched[p]
	printf "alone %d\n", alone > "/dev/stderr"
}' "$TMP/$name.txt" 2> "$TMP/alone" | sort -n > "$TMP/$name.want"
	expect_eq "$name: batched pages not freed by mm_page_free first" "$(cat "$TMP/alone")" "alone 0"
	[ "$(awk '$4 > 0' "$TMP/$name.want" | wc -l)" -gt 0 ] && ok || fail "$name: awk found no batched free"
	jq -r '.processes[] | select(.pages_allocd_order_weighted + .pages_freed + .pages_freed_batched > 0) |
		[.pid, .pages_allocd_order_weighted, .pages_freed_order_weighted, .pages_freed_batched] |
		map(tostring) | join(" ")' "$TMP/$name.json" | sort -n > "$TMP/$name.got"
	if diff -u "$TMP/$name.want" "$TMP/$name.got" >&2; then ok; else fail "$name: frees per process differ"; fi
}
frees_checks storm-fixture "$FIXTURES/text/pipe_kmem_storm.txt"
if [ -f "$SHARED_DATA/kmem-storm/trace.dat" ]; then
	frees_checks storm "$SHARED_DATA/kmem-storm/trace.dat"
	# the two storm processes (367,412 and 357,113 pages allocated): freed within 5%
	storms=$(awk '$2 > 100000 { n++; d = $3 - $2; if (d < 0) d = -d; if (d * 20 <= $2) within++ }
		END { print n + 0, within + 0 }' "$TMP/storm.got")
	expect_eq "kmem-storm: storm processes, and those freeing within 5% of their allocations" "$storms" "2 2"
else
	echo "note: $SHARED_DATA/kmem-storm/trace.dat not present: the whole storm is not checked" >&2
fi

for capdir in $(tracedat_caps moved); do
	comp=$capdir/trace.dat
	"$KFRAG" report --input "$comp" --output "$TMP/comp.json" || fail "report on $comp"
	trace-cmd report -i "$comp" 2>/dev/null | awk '
	/ mm_compaction_begin: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	open[pid] = 1; order[pid] = "null"; next }
	/ mm_compaction_finished: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	if (open[pid]) { match($0, /order=-?[0-9]+/); order[pid] = substr($0, RSTART + 6, RLENGTH - 6) } next }
	/ mm_compaction_end: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	if (open[pid]) print pid, order[pid]; open[pid] = 0 }' > "$TMP/orders.want"
	jq -r '.compaction.episodes[] | "\(.pid) \(.order)"' "$TMP/comp.json" > "$TMP/orders.got"
	expect_eq "$capdir: episodes" "$(wc -l < "$TMP/orders.want")" 3
	if diff -u "$TMP/orders.want" "$TMP/orders.got" >&2; then ok; else fail "$capdir: episode orders differ"; fi
	# the kernel's nr_scanned beyond the zone's span: DMA and DMA32 (awk: sums per episode)
	trace-cmd report -i "$comp" 2>/dev/null | awk '
	function hex(s,   i, v) { for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	/ mm_compaction_begin: / { match($0, /zone_start=0x[0-9a-f]+/); zs = hex(substr($0, RSTART + 13, RLENGTH - 13))
	match($0, /zone_end=0x[0-9a-f]+/); ze = hex(substr($0, RSTART + 11, RLENGTH - 11)); sc = 0; next }
	/ mm_compaction_isolate_migratepages: / { match($0, /nr_scanned=[0-9]+/); sc += substr($0, RSTART + 11, RLENGTH - 11) }
	/ mm_compaction_end: / { print (sc > ze - zs) ? "true" : "false" }' > "$TMP/span.want"
	jq -r '.compaction.episodes[] | .migrate_scanned_exceeds_span // false' "$TMP/comp.json" > "$TMP/span.got"
	if diff -u "$TMP/span.want" "$TMP/span.got" >&2; then ok; else fail "$capdir: scanned beyond the span differs"; fi
done

done_testing
