#!/bin/bash
# The node_exporter textfile of kfrag check: Prometheus' own linter
# (promtool check metrics) when installed, and a strict reading of the
# exposition format here; values against the saved /proc files.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"

B=$MOVED/before A=$MOVED/after
C=$TMP/c.conf
P=$TMP/kfrag.prom
base_conf $C

# two runs (rates), with a recorded trace (the window's metrics)
"$KFRAG" check --config $C --proc-root $B --state $TMP/s --now 1700000000 > /dev/null
kcheck --config $C --proc-root $A --state $TMP/s --now 1700000300 --prometheus $P --input $FIXTURES/text/pipe_lost.txt
expect_rc "run with a textfile" 1	# the lost events warn

# strict format: every sample's family has one HELP and one TYPE before it;
# names and labels as the exposition format allows; numeric values; no
# repeated series; counters end in _total; no placeholder label (an empty
# value), no per-pid label (a new series at every restart); a _ratio is 0 to 1
format_check() { awk '
function bad(why) { printf "line %d: %s: %s\n", NR, why, $0; errors++ }
/^# HELP / { if (help[$3]++) bad("second HELP"); next }
/^# TYPE / {
	if (type[$3]) bad("second TYPE"); type[$3] = $4
	if ($4 != "gauge" && $4 != "counter") bad("type")
	if ($4 == "counter" && $3 !~ /_total$/) bad("counter without _total")
	if ($4 == "gauge" && $3 ~ /_total$/) bad("gauge with _total")
	if (seen_family[$3]) bad("TYPE after samples")
	next
}
/^#/ { bad("other comment"); next }
/^$/ { bad("blank line"); next }
{
	if ($0 !~ /^[a-z_][a-z0-9_]*(\{[a-z_][a-z0-9_]*="[^"\\]*"(,[a-z_][a-z0-9_]*="[^"\\]*")*\})? -?[0-9]+(\.[0-9]+)?$/) { bad("sample syntax"); next }
	name = $1; sub(/\{.*/, "", name)
	if (name !~ /^kfrag_/) bad("name without kfrag_")
	if (!help[name] || !type[name]) bad("sample before its HELP/TYPE")
	seen_family[name] = 1
	if (series[$1]++) bad("repeated series")
	if ($1 ~ /=""/) bad("placeholder label")
	if (name ~ /_ratio$/ && ($2 < 0 || $2 > 1)) bad("ratio out of 0..1")
	if ($1 ~ /\{/) {
		labels = $1; sub(/^[^{]*\{/, "", labels); sub(/\}$/, "", labels)
		n = split(labels, kv, ",")
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] !~ /^(node|zone|order|cpu|comm|status|kind|severity)$/) bad("label " p[1]) }
	}
	samples++
}
END { if (!samples) { print "no samples"; errors++ } exit errors > 0 }
' "$1" > $TMP/format 2>&1 && ok || fail "exposition format of $1: $(head -20 $TMP/format)"
}
format_check "$P"

if command -v promtool > /dev/null; then
	promtool check metrics < "$P" > $TMP/promtool 2>&1
	st=$?; expect_eq "promtool check metrics: $(cat $TMP/promtool)" "$st" 0
else
	echo "promtool not installed (Debian package prometheus): only the format test above" >&2
fi

# the collector itself reads it: node_exporter's textfile collector on a
# port of its own, scraped once
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -n "$NE" ] && command -v python3 > /dev/null; then
	mkdir -p $TMP/textfile && cp "$P" $TMP/textfile/kfrag.prom
	scraped=
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
		"$NE" --collector.disable-defaults --collector.textfile --collector.textfile.directory=$TMP/textfile \
			--web.listen-address=127.0.0.1:$port > $TMP/ne.log 2>&1 &
		ne_pid=$!
		for _ in $(seq 50); do
			scraped=$(python3 -c "import urllib.request, sys
print(urllib.request.urlopen('http://127.0.0.1:$port/metrics', timeout=2).read().decode())" 2>/dev/null) && break
			kill -0 $ne_pid 2>/dev/null || break
			sleep 0.1
		done
		kill $ne_pid 2>/dev/null; wait $ne_pid 2>/dev/null
		[ -n "$scraped" ] && break
	done
	if [ -n "$scraped" ]; then
		grep -q '^node_textfile_scrape_error 0$' <<< "$scraped" && ok || fail "node_exporter: textfile scrape error: $(grep textfile <<< "$scraped")"
		grep -q '^kfrag_check_status 1$' <<< "$scraped" && ok || fail "node_exporter does not export kfrag_check_status"
		expect_eq "node_exporter exports every kfrag series" "$(grep -c '^kfrag_' <<< "$scraped")" "$(grep -c '^kfrag_' "$P")"
	else
		fail "node_exporter did not answer: $(cat $TMP/ne.log | tail -3)"
	fi
else
	echo "node_exporter not installed (Debian package prometheus-node-exporter): not scraped" >&2
fi

val() { awk -v s="$1" '$1 == s { print $2 }' "$P"; }
expect_eq "status" "$(val kfrag_check_status)" 1
expect_eq "timestamp" "$(val kfrag_check_timestamp_seconds)" 1700000300
expect_eq "interval" "$(val kfrag_check_interval_seconds)" 300
expect_eq "first run" "$(val kfrag_check_first_run)" 0
for zone in DMA DMA32 Normal; do
	for o in 0 3 9 10; do
		want=$(kernel_index $A/unusable_index $zone $o)
		got=$(val "kfrag_zone_unusable_free_ratio{node=\"0\",zone=\"$zone\",order=\"$o\"}")
		fcmp "$got" == "$want" && ok || fail "unusable $zone $o: $got, kernel says $want"
		want=$(kernel_index $A/extfrag_index $zone $o)
		got=$(val "kfrag_zone_fragmentation_index{node=\"0\",zone=\"$zone\",order=\"$o\"}")
		fcmp "$got" == "$want" && ok || fail "extfrag $zone $o: $got, kernel says $want"
	done
	# bytes: the zone's pages (zoneinfo) times the page size
	for f in free:free managed:managed; do
		expect_eq "$zone ${f%:*} bytes" "$(val "kfrag_zone_${f%:*}_bytes{node=\"0\",zone=\"$zone\"}")" \
			"$(awk -v z=$zone -v k=${f#*:} -v ps=$(getconf PAGESIZE) '$1 == "Node" { cur = $4 }
				cur == z && ($1 == k || ($1 == "pages" && $2 == k)) { printf "%.0f\n", $NF * ps; exit }' $A/zoneinfo)"
	done
done
# free blocks by order are node_exporter's node_buddyinfo_blocks: not again
grep -qE '^kfrag_(zone_free_blocks|buddyinfo)' "$P" && fail "node_buddyinfo_blocks duplicated" || ok
for c in compact_stall compact_fail compact_success compact_migrate_scanned compact_isolated pgmigrate_success pgmigrate_fail; do
	expect_eq "counter $c" "$(val kfrag_${c}_total)" "$(vmstat_of $A/vmstat $c)"
done
expect_eq "high-order blocks" "$(val 'kfrag_highorder_free_blocks{order="9"}')" "$(blocks_ge $A/buddyinfo 9)"
lost=$(sed -n 's/^CPU:\([0-9]*\) \[LOST \([0-9]*\) EVENTS\]/\1 \2/p' $FIXTURES/text/pipe_lost.txt | awk '{ s[$1] += $2 } END { for (c in s) print c, s[c] }')
while read -r cpu n; do
	expect_eq "lost events cpu $cpu" "$(val "kfrag_lost_events{cpu=\"$cpu\"}")" "$n"
done <<< "$lost"
events=$(grep -cE '^ +[^ ].*\[00[01]\]' $FIXTURES/text/pipe_lost.txt)
expect_eq "events traced (all CPUs)" "$(awk '/^kfrag_trace_events\{/ { s += $2 } END { print s }' "$P")" "$events"
expect_eq "results by status" "$(val 'kfrag_check_results{status="warning"}')" 1

# a first run without a trace: no interval, no window metrics
kcheck --config $C --proc-root $B --prometheus $P --state $TMP/fresh.state
expect_eq "first run flag" "$(val kfrag_check_first_run)" 1
grep -q '^kfrag_check_interval_seconds' "$P" && fail "an interval on a first run" || ok
grep -q '^kfrag_lost_events' "$P" && fail "lost events without a trace" || ok
if command -v promtool > /dev/null; then
	promtool check metrics < "$P" > $TMP/promtool 2>&1
	st=$?; expect_eq "promtool, first run: $(cat $TMP/promtool)" "$st" 0
fi

# ---- the memory map: a saved kpageflags slice (tests/data/check/README) -----------------
MM=$FIXTURES/memmap/normal-48
F=$TMP/mm
mkdir -p $F && cp $MM/zoneinfo $MM/buddyinfo $MM/pagetypeinfo $MM/kpageflags $MM/kpageflags.start_pfn $F/ &&
	cp $B/vmstat $F/ && chmod 644 $F/*
kcheck --config $C --proc-root $F --prometheus $P
expect_rc "the slice's blocked fraction warns" 1
format_check "$P"
if command -v promtool > /dev/null; then
	promtool check metrics < "$P" > $TMP/promtool 2>&1
	st=$?; expect_eq "promtool, memory map: $(cat $TMP/promtool)" "$st" 0
fi
# expected: classify.py's answer for the slice (tests/data/memmap/README),
# every other pageblock of the zones a hole
kind() { awk -v k="$1" '$1 == "kind" && $2 == k { print $3 }' $MM/expected; }
zone_blocks() {
	awk -v z="$2" -v o="$(awk '/^Page block order:/ { print $4 }' $MM/pagetypeinfo)" '$1 == "Node" { cur = $4 } cur == z && $1 == "spanned" { s = $2 }
		cur == z && $1 == "start_pfn:" { print int(($2 + s - 1) / 2 ^ o) - int($2 / 2 ^ o) + 1; exit }' "$1"
}
slice=$(awk '$1 == "blocks" { print $2 }' $MM/expected)
expect_eq "map available" "$(val kfrag_memmap_available)" 1
for k in no_flags free movable unsure reserved slab page_tables kernel huge unevictable writeback; do
	expect_eq "Normal $k pageblocks" "$(val "kfrag_memmap_pageblocks{node=\"0\",zone=\"Normal\",kind=\"$k\"}")" "$(kind $k)"
	expect_eq "DMA32 $k pageblocks" "$(val "kfrag_memmap_pageblocks{node=\"0\",zone=\"DMA32\",kind=\"$k\"}")" 0
done
expect_eq "Normal holes" "$(val 'kfrag_memmap_pageblocks{node="0",zone="Normal",kind="hole"}')" \
	$(($(zone_blocks $MM/zoneinfo Normal) - slice + $(kind hole)))
for z in DMA DMA32; do
	expect_eq "$z holes" "$(val "kfrag_memmap_pageblocks{node=\"0\",zone=\"$z\",kind=\"hole\"}")" "$(zone_blocks $MM/zoneinfo $z)"
	grep -q "^kfrag_memmap_blocked_ratio{node=\"0\",zone=\"$z\"}" "$P" && fail "$z has no usable pageblock: no fraction" || ok
done
blocked=$(($(kind reserved) + $(kind slab) + $(kind page_tables) + $(kind kernel) + $(kind huge) + $(kind unevictable) + $(kind writeback)))
usable=$((slice - $(kind hole) - $(kind no_flags)))
got=$(val 'kfrag_memmap_blocked_ratio{node="0",zone="Normal"}')
awk -v a="$got" -v b=$blocked -v u=$usable 'BEGIN { d = a - b / u; exit !(a != "" && d < 1e-6 && d > -1e-6) }' && ok ||
	fail "Normal blocked fraction: $got, want $blocked / $usable"
# the map not readable (no kpageflags here): available 0, no pageblocks
kcheck --config $C --proc-root $B --prometheus $P
expect_eq "map not available" "$(val kfrag_memmap_available)" 0
grep -q '^kfrag_memmap_pageblocks' "$P" && fail "pageblocks without a map" || ok
format_check "$P"

done_testing
