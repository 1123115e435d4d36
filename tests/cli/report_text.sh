#!/bin/bash
# kfrag report on text traces: counts against grep/awk on the same text, the
# text and trace.dat forms of one capture giving the same numbers, and stdin.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd jq

# "event cpu count" from text lines, independently of kfrag
text_counts() {
	sed -nE 's/^.*\[([0-9]+)\] +[^ ]* *[0-9.]+: ([a-z_]+): .*$/\2 \1/p' "$1" | sort | uniq -c |
		awk '{ print $2, $3 + 0, $1 }' | sort
}
kfrag_counts() {
	# per_cpu entry i is CPU cpus[i].cpu
	jq -r '[.cpus[].cpu] as $ids | .events | to_entries[] | select(.key != "other") | .key as $e |
	       .value.per_cpu | to_entries[] | select(.value > 0) | "\($e) \($ids[.key]) \(.value)"' "$1" | sort
}

# the zone state comes from a saved /proc, so that two runs can be compared
PROC="$FIXTURES/proc/compaction-mlocked-moved/after"
for f in pipe_kmem_storm.txt report_compaction_prefix.txt report_compaction_noprefix.txt trace_compaction.txt; do
	if ! "$KFRAG" report --input "$FIXTURES/text/$f" --proc-root "$PROC" --json --output "$TMP/$f.json"; then
		fail "$f: kfrag report failed"
		continue
	fi
	text_counts "$FIXTURES/text/$f" > "$TMP/$f.want"
	kfrag_counts "$TMP/$f.json" > "$TMP/$f.got"
	if diff -u "$TMP/$f.want" "$TMP/$f.got" >&2; then ok; else fail "$f: per-event per-CPU counts differ"; fi
	expect_eq "$f: malformed lines" "$(jq .source.malformed_lines "$TMP/$f.json")" 0
done
expect_eq "trace_pipe format detected" "$(jq -r .source.type "$TMP/pipe_kmem_storm.txt.json")" "trace_pipe"
expect_eq "report format detected" "$(jq -r .source.type "$TMP/report_compaction_prefix.txt.json")" "trace-cmd-report"

# the excerpt holds every begin/end of the capture: 3 manual episodes
j="$TMP/report_compaction_prefix.txt.json"
expect_eq "episodes in text" "$(jq -r '[.compaction.episodes[] | "\(.zone):\(.initiator):\(.status)"] | join(",")' "$j")" \
	"DMA:manual:complete,DMA32:manual:complete,Normal:manual:complete"
expect_eq "faults during migration" "$(jq .migration.page_faults_during_migration "$j")" \
	"$(grep -c 'page_fault_user:' "$FIXTURES/text/report_compaction_prefix.txt")"
# with and without the instance prefix: the same document but for the source
jq -S 'del(.source)' "$j" > "$TMP/a"
jq -S 'del(.source)' "$TMP/report_compaction_noprefix.txt.json" > "$TMP/b"
diff "$TMP/a" "$TMP/b" >&2 && ok || fail "prefix and no-prefix reports differ"

# stdin
"$KFRAG" report --input - --json < "$FIXTURES/text/pipe_kmem_storm.txt" > "$TMP/stdin.json"
expect_eq "stdin exit" "$?" 0
expect_eq "stdin path" "$(jq -r .source.path "$TMP/stdin.json")" "-"
expect_eq "stdin events" "$(jq .nr_events "$TMP/stdin.json")" "$(jq .nr_events "$TMP/pipe_kmem_storm.txt.json")"

# a whole capture as trace-cmd report text and as trace.dat: the same analysis
if [ -f "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat" ] && command -v trace-cmd >/dev/null; then
	dat="$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat"
	trace-cmd report -i "$dat" 2>/dev/null > "$TMP/full.txt"
	"$KFRAG" report --input "$dat" --json --output "$TMP/dat.json"
	"$KFRAG" report --input "$TMP/full.txt" --json --output "$TMP/txt.json"
	for q in '.events | map_values(.per_cpu)' '.cpus' '.cross_cpu' '.page_alloc' '.processes' \
		 '[.compaction.episodes[] | del(.begin_s, .end_s, .duration_ms)]' '.migration' '.extfrag'; do
		a=$(jq -cS "$q" "$TMP/dat.json")
		b=$(jq -cS "$q" "$TMP/txt.json")
		[ "$a" = "$b" ] && ok || fail "trace.dat and its text differ in $q"
	done
	# timestamps: text has microseconds (trace-cmd rounds), trace.dat nanoseconds
	expect_eq "episode begin (us)" "$(jq -r '[.compaction.episodes[].begin_s | . * 1e6 | round] | join(",")' "$TMP/dat.json")" \
		"$(jq -r '[.compaction.episodes[].begin_s | . * 1e6 | round] | join(",")' "$TMP/txt.json")"
	# stdin carrying a trace.dat
	"$KFRAG" report --input - --json < "$dat" > "$TMP/datstdin.json"
	expect_eq "trace.dat on stdin" "$(jq .nr_events "$TMP/datstdin.json")" "$(jq .nr_events "$TMP/dat.json")"
else
	echo "note: shared capture or trace-cmd absent: text/trace.dat equivalence not run" >&2
fi

# kcompactd: the rounds it began (mm_compaction_kcompactd_wake) beside the
# wakeups tasks requested (mm_compaction_wakeup_kcompactd), and who asked,
# from the lines of tests/data/text/handwritten.txt
H=$FIXTURES/text/handwritten.txt
wakes=$(grep -c ' mm_compaction_kcompactd_wake: ' "$H")
asks=$(grep -c ' mm_compaction_wakeup_kcompactd: ' "$H")
who=$(sed -nE 's/^ *([^ ].*)-([0-9]+) +\[[0-9]+\].* mm_compaction_wakeup_kcompactd: .*order=(-?[0-9]+).*$/\1-\2 order \3/p' "$H" | sort | uniq -c |
	awk '{ printf "%s%s %s %s x%d", (NR > 1 ? ", " : ""), $2, $3, $4, $1 }')
[ "$asks" -gt 0 ] && [ "$wakes" -gt 0 ] && ok || fail "the fixture has no kcompactd wakeup: $asks $wakes"
"$KFRAG" report --input "$H" --text > "$TMP/h.txt" 2>&1 || fail "report --text on $H"
expect_eq "kcompactd wakes and requested wakeups, who asked" "$(grep '^kcompactd: ' "$TMP/h.txt")" \
	"kcompactd: $wakes wake$([ "$wakes" = 1 ] || echo s) (rounds it began), $asks wakeup$([ "$asks" = 1 ] || echo s) requested (tasks asked it to run: several may lead to one wake, one while it runs to none); asked by $who"

done_testing
