#!/bin/bash
# kfrag check against saved /proc trees and recorded traces: every threshold
# and every exit code. Index values are compared with the kernel's own
# debugfs files saved with the trees; counts with awk over the saved files.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"

B=$MOVED/before
C=$TMP/c.conf

# ---- defaults on a quiet machine's saved state: OK --------------------------
base_conf $C
kcheck --config $C --proc-root $B
expect_rc "defaults" 0
expect_eq "status word" "$(status_word)" OK
grep -qE '^KFRAG OK - .* \| ' "$TMP/out" && ok || fail "status line: $(head -1 "$TMP/out")"

# every index perfdata is the kernel's own debugfs value
for zone in DMA DMA32 Normal; do
	for o in 3 9; do
		want=$(kernel_index $B/unusable_index $zone $o)
		got=$(perf "unusable_node0_${zone}_o$o")
		fcmp "$got" == "$want" && ok || fail "unusable $zone order $o: got '$got', kernel says $want"
		want=$(kernel_index $B/extfrag_index $zone $o)
		got=$(perf "extfrag_node0_${zone}_o$o")
		fcmp "$got" == "$want" && ok || fail "extfrag $zone order $o: got '$got', kernel says $want"
	done
	want=$(awk -v z=$zone '$1 == "Node" { cur = $4 } cur == z && $1 == "pages" && $2 == "free" { print $3 }' $B/zoneinfo)
	expect_eq "free pages $zone" "$(perf "free_pages_node0_$zone")" "$want"
done
expect_eq "free blocks >= order 9" "$(perf free_blocks_ge_o9)" "$(blocks_ge $B/buddyinfo 9)"
# perfdata syntax: 'label'=value[UOM];[warn];[crit];[min];[max], U when unknown
perfdata | tr ' ' '\n' | sed '/^$/d' > "$TMP/perf"
bad=$(grep -cvE "^'[a-z0-9_A-Z]+'=(-?[0-9]+(\.[0-9]+)?|U)(;(~:)?-?[0-9.]*:?){0,3}(;[0-9.]*)?$" "$TMP/perf")
expect_eq "malformed perfdata items" "$bad" 0
[ "$(wc -l < "$TMP/perf")" -ge 20 ] && ok || fail "only $(wc -l < "$TMP/perf") perfdata items"
# a first run with no state: rates undetermined
expect_eq "stall rate without state" "$(perf compact_stall_rate)" U
# the unusable thresholds are in the perfdata
grep -q "^'unusable_node0_Normal_o9'=[0-9.]*;0.9;0.98;0;1$" "$TMP/perf" && ok ||
	fail "unusable perfdata thresholds: $(grep Normal_o9 "$TMP/perf")"
grep -q "^'free_blocks_ge_o9'=[0-9]*;64:;8:;0$" "$TMP/perf" && ok ||
	fail "high-order perfdata thresholds: $(grep free_blocks "$TMP/perf")"

# ---- unusable index around the kernel's value ------------------------------
n9=$(kernel_index $B/unusable_index Normal 9)		# 0.049
below=$(awk -v v=$n9 'BEGIN { print v - 0.001 }')
{ base_conf; echo "zones = Normal"; echo "unusable_warning = $below"; } > $C
kcheck --config $C --proc-root $B
expect_rc "unusable index above warning" 1
has "unusable warning line" "^WARNING: unusable_index: node 0 Normal: unusable free space index at order 9 is $n9"
grep -qE '^KFRAG WARNING - node 0 Normal: unusable free space index at order 9' "$TMP/out" && ok ||
	fail "status line names the zone and order: $(head -1 "$TMP/out" | cut -c1-200)"
{ base_conf; echo "zones = Normal"; echo "unusable_warning = $n9"; } > $C
kcheck --config $C --proc-root $B
expect_rc "unusable index equal to the warning (not above)" 0
{ base_conf; echo "zones = Normal"; echo "unusable_warning = 0.01"; echo "unusable_critical = $below"; } > $C
kcheck --config $C --proc-root $B
expect_rc "unusable index above critical" 2
has "unusable critical line" "^CRITICAL: unusable_index: node 0 Normal: .* order 9 is $n9"
# order 3 (0.046) is above 0.01 too: a warning, listed after the critical
has "order-3 warning too" "^WARNING: unusable_index: node 0 Normal: .* order 3"
sed -n 2p "$TMP/out" | grep -q '^CRITICAL' && ok || fail "details: the critical line first"
{ base_conf; echo "unusable_warning = 0.01"; echo "unusable_critical = off"; echo "zones = DMA32"; } > $C
kcheck --config $C --proc-root $B
expect_rc "zones = DMA32 only (0.002 at order 9)" 0
hasnt "no Normal line with zones = DMA32" "node 0 Normal"

# ---- fragmentation index: a tree with no free block of order 9 or more -------
E=$TMP/noorder9
proc_copy $B $E
awk '{ if ($1 == "Node") { $14 = 0; $15 = 0 } print }' $B/buddyinfo > $E/buddyinfo
rm -f $E/unusable_index $E/extfrag_index
want_n=$(extfrag_awk $E/buddyinfo Normal 9)	# 0.998
want_d32=$(extfrag_awk $E/buddyinfo DMA32 9)	# 0.836
want_dma=$(extfrag_awk $E/buddyinfo DMA 9)	# -0.5
{ base_conf; echo "highorder_warning = off"; echo "highorder_critical = off"; } > $C
kcheck --config $C --proc-root $E
expect_rc "extfrag index above critical" 2
expect_eq "extfrag Normal 9 (awk of the kernel formula)" "$(perf extfrag_node0_Normal_o9)" "$want_n"
expect_eq "extfrag DMA32 9" "$(perf extfrag_node0_DMA32_o9)" "$want_d32"
expect_eq "extfrag DMA 9 (one block: the kernel's negative value)" "$(perf extfrag_node0_DMA_o9)" "$want_dma"
has "extfrag critical Normal" "^CRITICAL: extfrag_index: node 0 Normal: fragmentation index at order 9"
has "extfrag warning DMA32" "^WARNING: extfrag_index: node 0 DMA32: fragmentation index at order 9"
{ base_conf; echo "highorder_warning = off"; echo "highorder_critical = off";
  echo "extfrag_critical = off"; echo "unusable_critical = off"; echo "unusable_warning = off"; } > $C
kcheck --config $C --proc-root $E
expect_rc "extfrag index above warning only" 1

# ---- high-order availability --------------------------------------------------
have9=$(blocks_ge $B/buddyinfo 9)
{ base_conf; echo "highorder_warning = $((have9 + 1))"; } > $C
kcheck --config $C --proc-root $B
expect_rc "high-order blocks below warning" 1
has "high-order warning line" "^WARNING: highorder: $have9 free blocks of order 9 or more"
{ base_conf; echo "highorder_warning = $have9"; } > $C
kcheck --config $C --proc-root $B
expect_rc "high-order blocks equal to the warning (not below)" 0
{ base_conf; echo "highorder_order = 10"; echo "highorder_critical = $(($(blocks_ge $B/buddyinfo 10) + 1))"; } > $C
kcheck --config $C --proc-root $B
expect_rc "order-10 blocks below critical" 2
expect_eq "order-10 blocks" "$(perf free_blocks_ge_o10)" "$(blocks_ge $B/buddyinfo 10)"
base_conf $C
kcheck --config $C --proc-root $E
expect_rc "no order-9 block at all (default thresholds)" 2
has "high-order critical" "^CRITICAL: highorder: 0 free blocks of order 9"

# ---- compaction rates from vmstat deltas -------------------------------------
# before/after copies with compaction counters raised; 100 s apart (--now)
R0=$TMP/r0 R1=$TMP/r1
proc_copy $B $R0
proc_copy $MOVED/after $R1
rates() {	# STALL0 FAIL0 SUCC0 STALL1 FAIL1 SUCC1 [extra conf]
	set_vmstat $R0 compact_stall $1; set_vmstat $R0 compact_fail $2; set_vmstat $R0 compact_success $3
	set_vmstat $R1 compact_stall $4; set_vmstat $R1 compact_fail $5; set_vmstat $R1 compact_success $6
	rm -f $TMP/rates.state
	{ base_conf; echo "${7:-}"; } > $C
	kcheck --config $C --proc-root $R0 --state $TMP/rates.state --now 1700000000
	[ $rc = 0 ] || fail "first run of a rate test: exit $rc: $out"
	kcheck --config $C --proc-root $R1 --state $TMP/rates.state --now 1700000100
}
# stalls: 50 in 100 s = 0.5/s: above 0.1, below 1
rates 100 10 90 150 12 138
expect_rc "0.5 stalls/s" 1
expect_eq "stalls since the last run" "$(perf compact_stalls)" $((150 - 100))
expect_eq "stall rate" "$(perf compact_stall_rate)" "$(awk 'BEGIN { print (150 - 100) / 100 }')"
expect_eq "fails since the last run" "$(perf compact_fails)" 2
expect_eq "fail ratio 2/50" "$(perf compact_fail_ratio)" "$(awk 'BEGIN { print 2 / 50 }')"
has "stall warning line" "^WARNING: compact_stall_rate: 50 direct compaction stalls in 100 s since the last run: 0.5/s"
# 200 stalls in 100 s
rates 100 10 90 300 12 288
expect_rc "2 stalls/s" 2
has "stall critical line" "^CRITICAL: compact_stall_rate: 200 direct compaction stalls"
# failures: 10 of 20 stalls failed in 100 s: 0.1/s (warning), ratio 0.5 (not above 0.5)
rates 0 0 0 20 10 10 "compact_stall_rate_warning = off"
expect_rc "0.1 failures/s" 1
has "fail rate warning" "^WARNING: compact_fail_rate: 10 failed compactions in 100 s"
hasnt "ratio 0.5 is not above 0.5" "^WARNING: compact_fail_ratio"
# 19 of 20 failed: ratio 0.95 above 0.9
rates 0 0 0 20 19 1 "compact_stall_rate_warning = off"
expect_rc "failure ratio 0.95" 2
has "fail ratio critical" "^CRITICAL: compact_fail_ratio: 19 of 20 compaction stalls since the last run failed: ratio 0.95"
# fewer stalls than compact_fail_ratio_min_stalls: the ratio is not checked
rates 0 0 0 5 5 0 "compact_stall_rate_warning = off
compact_fail_rate_warning = off
compact_fail_rate_critical = off"
expect_rc "5 of 5 failed, under min_stalls" 0
expect_eq "ratio undetermined" "$(perf compact_fail_ratio)" U
has "ratio not checked" "failure ratio not checked: 5 stalls"

# ---- fallbacks from a recorded trace -----------------------------------------
T=$CHECK_FX/extfrag_pipe.txt
n=$(grep -c 'mm_page_alloc_extfrag:' $T)
frag=$(grep -c 'mm_page_alloc_extfrag:.* fragmenting=1' $T)
span=$(awk '$0 !~ /^#/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0; if (!f++) a = t; b = t } } END { printf "%.6f\n", b - a }' $T)
rate=$(awk -v n=$n -v s=$span 'BEGIN { printf "%.6f\n", n / s }')
base_conf $C
kcheck --config $C --proc-root $B --input $T
expect_rc "recorded fallbacks, none fragmenting" 0
fcmp "$(perf extfrag_fallback_rate)" == "$rate" && ok || fail "fallback rate: $(perf extfrag_fallback_rate), want $n / $span = $rate"
expect_eq "fragmenting rate ($frag fragmenting)" "$(perf extfrag_fragmenting_rate)" 0
half=$(awk -v r=$rate 'BEGIN { print r / 2 }')
{ base_conf; echo "extfrag_fallback_rate_warning = $half"; } > $C
kcheck --config $C --proc-root $B --input $T
expect_rc "fallbacks above warning" 1
has "fallback line" "^WARNING: extfrag_fallback_rate: $n fallbacks in "
{ base_conf; echo "extfrag_fallback_rate_critical = $half"; } > $C
kcheck --config $C --proc-root $B --input $T
expect_rc "fallbacks above critical" 2
# fragmenting fallbacks: the hand-written lines (1 fragmenting in 14 us)
base_conf $C
kcheck --config $C --proc-root $B --input $FIXTURES/text/handwritten.txt
expect_rc "fragmenting fallbacks above critical" 2
has "fragmenting line" "^CRITICAL: extfrag_fragmenting_rate: 1 fragmenting fallbacks \(of 2\)"

# ---- lost events: at most WARNING ---------------------------------------------
L=$FIXTURES/text/pipe_lost.txt
lost=$(sed -n 's/.*\[LOST \([0-9]*\) EVENTS\].*/\1/p' $L | awk '{ s += $1 } END { print s }')
base_conf $C
kcheck --config $C --proc-root $B --input $L
expect_rc "lost events: WARNING, never CRITICAL" 1
expect_eq "lost events" "$(perf lost_events)" "$lost"
has "lost line" "^WARNING: lost_events: the ring buffer lost $lost events"
{ base_conf; echo "lost_events_warning = $lost"; } > $C
kcheck --config $C --proc-root $B --input $L
expect_rc "lost events at the threshold" 0

# ---- UNKNOWN: kfrag could not measure ---------------------------------------------
{ base_conf; echo "zones = Movable"; } > $C
kcheck --config $C --proc-root $B
expect_rc "no configured zone is populated" 3
has "zones line" "^UNKNOWN: zones: none of the zones configured"
{ base_conf; echo "unusable_orders = 12"; } > $C
kcheck --config $C --proc-root $B
expect_rc "an order the kernel does not have" 3
has "order line" "^UNKNOWN: unusable_index: node 0 Normal: no order 12 in buddyinfo"
base_conf $C
kcheck --config $C --proc-root $TMP/nonexistent
expect_rc "a proc root without zoneinfo" 3
grep -q '^KFRAG UNKNOWN - cannot measure: ' "$TMP/out" && ok || fail "status line: $(head -1 "$TMP/out")"
kcheck --config $C --proc-root $PROC/bad/badnumber
expect_rc "a malformed zoneinfo" 3
has "names file and line" "zoneinfo:148"
kcheck --config $C --proc-root $B --input $FIXTURES/text/random.bin
expect_rc "an input that is not a trace" 3
# UNKNOWN outranks WARNING, CRITICAL outranks UNKNOWN
{ base_conf; echo "zones = Normal"; echo "unusable_orders = 9 12"; echo "unusable_warning = 0.01"; } > $C
kcheck --config $C --proc-root $B
expect_rc "UNKNOWN and WARNING" 3
{ base_conf; echo "zones = Normal"; echo "unusable_orders = 9 12"; echo "unusable_critical = 0.01"; } > $C
kcheck --config $C --proc-root $B
expect_rc "UNKNOWN and CRITICAL" 2

# JSON: the same verdict
base_conf $C
kcheck --config $C --proc-root $E --json
expect_rc "json exit" 2
if command -v jq > /dev/null; then
	expect_eq "json status" "$(jq -r .status "$TMP/out")" CRITICAL
	expect_eq "json exit_code" "$(jq -r .exit_code "$TMP/out")" 2
	expect_eq "json extfrag Normal 9" "$(jq -r '.checks[] | select(.check == "extfrag_index" and .zone == "Normal" and .order == 9) | .value' "$TMP/out")" "$want_n"
	expect_eq "json buddyinfo Normal order 0" "$(jq -r '.zones[] | select(.zone == "Normal") | .free_blocks[0]' "$TMP/out")" \
		"$(awk '$4 == "Normal" { print $5 }' $E/buddyinfo)"
fi

done_testing
