#!/bin/bash
# kfrag check's blocked-pageblock check (the memory map, /proc/kpageflags):
# OK, WARNING and CRITICAL on a saved slice of a real kpageflags, the zones
# it judges and those it only reports, JSON and history, a map that cannot
# be read (not root, a broken slice) as an OK line that never changes the
# verdict, and a live run as root.
#
# Expected numbers come from tests/data/memmap/classify.py (a Python
# implementation of the classification rules, sharing no code with kfrag)
# over the slice's raw bytes, and from the zone spans in zoneinfo with awk.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"

MM=$FIXTURES/memmap/normal-48
C=$TMP/c.conf
F=$TMP/fx

# ---- the fixture tree: the memmap slice and its own zoneinfo, buddyinfo and
# pagetypeinfo, plus vmstat from a proc tree of the same machine whose zone
# spans agree (tests/data/check/README) ------------------------------------
spans() { awk '$1 == "Node" { z = $2 $4 } $1 == "spanned" { s = $2 } $1 == "start_pfn:" { print z, $2, s }' "$1"; }
expect_eq "zone spans of the slice's zoneinfo and $MOVED/before agree" "$(spans $MM/zoneinfo)" "$(spans $MOVED/before/zoneinfo)"
mkdir -p $F
cp $MM/zoneinfo $MM/buddyinfo $MM/pagetypeinfo $MM/kpageflags $MM/kpageflags.start_pfn $F/
cp $MOVED/before/vmstat $F/
chmod 644 $F/*

# ---- expected values --------------------------------------------------------------
start=$(cat $MM/kpageflags.start_pfn)
order=$(awk '/^Page block order:/ { print $4 }' $MM/pagetypeinfo)
if command -v python3 > /dev/null; then
	python3 $FIXTURES/memmap/classify.py $MM/kpageflags "$start" "$order" > $TMP/expected ||
		fail "classify.py failed"
else
	cp $MM/expected $TMP/expected	# classify.py's output, saved with the slice
fi
kind() { awk -v k="$1" '$1 == "kind" && $2 == k { print $3 }' $TMP/expected; }
slice_blocks=$(awk '$1 == "blocks" { print $2 }' $TMP/expected)
# zone_blocks ZONEINFO ZONE [NODE]: pageblocks touching the zone's span
zone_blocks() {
	awk -v z="$2" -v n="${3:-0}," -v o="$order" '$1 == "Node" { cur = ($2 == n) ? $4 : "" }
		cur == z && $1 == "spanned" { s = $2 }
		cur == z && $1 == "start_pfn:" { print int(($2 + s - 1) / 2 ^ o) - int($2 / 2 ^ o) + 1; exit }' "$1"
}
# the slice lies inside Normal: every other pageblock of every zone is a hole
inside=$(awk -v z=Normal -v a="$start" -v n="$slice_blocks" -v o="$order" '$1 == "Node" { cur = $4 }
	cur == z && $1 == "spanned" { s = $2 } cur == z && $1 == "start_pfn:" { print (a >= $2 && a + n * 2 ^ o <= $2 + s) ? 1 : 0; exit }' $MM/zoneinfo)
expect_eq "the slice lies inside zone Normal" "$inside" 1
blocked=0
for k in reserved slab page_tables kernel huge unevictable writeback; do blocked=$((blocked + $(kind $k))); done
usable=$((slice_blocks - $(kind hole) - $(kind no_flags)))
unsure=$(kind unsure)
frac=$(awk -v b=$blocked -v u=$usable 'BEGIN { printf "%.6f\n", b / u }')
frac3=$(awk -v b=$blocked -v u=$usable 'BEGIN { printf "%.3f\n", b / u }')
max3=$(awk -v b=$blocked -v n=$unsure -v u=$usable 'BEGIN { printf "%.3f\n", (b + n) / u }')
normal_blocks=$(zone_blocks $MM/zoneinfo Normal)
echo "fixture: Normal $blocked of $usable usable pageblocks blocked ($frac), $unsure unsure, $normal_blocks pageblocks in the zone" >&2
# near: two numbers within 1e-6 (perfdata has 6 decimals)
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-6 && d > -1e-6) }'; }

# ---- without the map, the fixture is OK -----------------------------------------------
{ base_conf; echo "memmap = no"; } > $C
kcheck --config $C --proc-root $F
expect_rc "memmap = no" 0
has "not scanned said" "^OK: memmap: memory map not scanned \(memmap = no\)"
hasnt "no blocked perfdata without the map" "blocked_fraction_node"
hasnt "no blocked line without the map" "^[A-Z]+: blocked_fraction:"

# ---- the defaults (0.5 / 0.8) -------------------------------------------------------------
fcmp "$frac" '>' 0.5 && fcmp "$frac" '<=' 0.8 && ok || fail "the fixture's fraction $frac is not between the defaults"
base_conf $C
kcheck --config $C --proc-root $F
expect_rc "defaults: a WARNING" 1
near "$(perf blocked_fraction_node0_Normal)" "$frac" && ok ||
	fail "Normal's blocked fraction: $(perf blocked_fraction_node0_Normal), want $blocked / $usable = $frac"
grep -qE "^KFRAG WARNING - node 0 Normal: $blocked of $usable usable pageblocks blocked" "$TMP/out" && ok ||
	fail "status line: $(head -1 "$TMP/out" | cut -c1-300)"
has "warning line" "^WARNING: blocked_fraction: node 0 Normal: $blocked of $usable usable pageblocks blocked by pages compaction cannot move: $frac3 \(slab $(kind slab), unevictable $(kind unevictable);"
has "unsure blocks said, not counted" "; $unsure unsure \(free, movable and unflagged pages\) not counted, $max3 if they were;"
has "holes said" "; $((normal_blocks - usable)) more are holes or not initialised;"
perfdata | tr ' ' '\n' | grep -qE "^'blocked_fraction_node0_Normal'=[0-9.]+;0.5;0.8;0;1$" && ok ||
	fail "perfdata ranges: $(perfdata | tr ' ' '\n' | grep blocked_fraction)"
# DMA and DMA32: no page of the slice, 0 usable pageblocks: reported, not judged
for z in DMA DMA32; do
	has "$z not judged" "^OK: blocked_fraction: node 0 $z: 0 usable pageblocks, fewer than blocked_fraction_min_blocks \(32\): not judged"
	expect_eq "no perfdata for $z" "$(perf blocked_fraction_node0_$z)" ""
done

# ---- OK, WARNING, CRITICAL around the value ------------------------------------------------
# 33/46 has no exact decimal: the thresholds are a millionth and a thousandth away
above=$(awk -v b=$blocked -v u=$usable 'BEGIN { printf "%.6f\n", b / u + 0.000001 }')
below=$(awk -v v=$frac 'BEGIN { printf "%.6f\n", v - 0.001 }')
{ base_conf; echo "blocked_fraction_warning = $above"; echo "blocked_fraction_critical = off"; } > $C
kcheck --config $C --proc-root $F
expect_rc "fraction just below the warning: OK" 0
has "OK line" "^OK: blocked_fraction: node 0 Normal: $blocked of $usable usable pageblocks blocked"
grep -qE "^KFRAG OK - .*highest blocked fraction $frac3 \(Normal\)" "$TMP/out" && ok || fail "OK status line: $(head -1 "$TMP/out" | cut -c1-200)"
{ base_conf; echo "blocked_fraction_warning = $below"; echo "blocked_fraction_critical = 1"; } > $C
kcheck --config $C --proc-root $F
expect_rc "fraction above the warning: WARNING" 1
has "WARNING line" "^WARNING: blocked_fraction: node 0 Normal: .*warning above $below, critical above 1\)$"
{ base_conf; echo "blocked_fraction_warning = 0.1"; echo "blocked_fraction_critical = $below"; } > $C
kcheck --config $C --proc-root $F
expect_rc "fraction above the critical: CRITICAL" 2
has "CRITICAL line" "^CRITICAL: blocked_fraction: node 0 Normal: $blocked of $usable usable pageblocks blocked"
{ base_conf; echo "blocked_fraction_warning = off"; echo "blocked_fraction_critical = off"; } > $C
kcheck --config $C --proc-root $F
expect_rc "both thresholds off" 0
has "no threshold said" "^OK: blocked_fraction: node 0 Normal: .*no threshold\)$"

# ---- which zones: min_blocks and zones ---------------------------------------------------------
{ base_conf; echo "blocked_fraction_min_blocks = $((usable + 1))"; } > $C
kcheck --config $C --proc-root $F
expect_rc "Normal below min_blocks: not judged" 0
has "Normal not judged" "^OK: blocked_fraction: node 0 Normal: $usable usable pageblocks, fewer than blocked_fraction_min_blocks \($((usable + 1))\): not judged \($blocked blocked: slab $(kind slab), unevictable $(kind unevictable);"
expect_eq "no perfdata for a zone not judged" "$(perf blocked_fraction_node0_Normal)" ""
{ base_conf; echo "blocked_fraction_min_blocks = $usable"; } > $C
kcheck --config $C --proc-root $F
expect_rc "Normal at min_blocks: judged" 1
{ base_conf; echo "zones = DMA32"; } > $C
kcheck --config $C --proc-root $F
expect_rc "zones = DMA32: Normal not checked" 0
hasnt "no Normal line with zones = DMA32" "blocked_fraction: node 0 Normal"
has "DMA32 still reported" "^OK: blocked_fraction: node 0 DMA32: 0 usable"
hasnt "DMA not reported with zones = DMA32" "blocked_fraction: node 0 DMA:"

# ---- JSON and the history ------------------------------------------------------------------------
base_conf $C
kcheck --config $C --proc-root $F --json --history $TMP/h.jsonl
expect_rc "JSON exit" 1
if command -v jq > /dev/null; then
	for doc in "$TMP/out" "$TMP/h.jsonl"; do
		n=".memmap.zones[] | select(.zone == \"Normal\")"
		expect_eq "$doc: available" "$(jq -r .memmap.available "$doc")" true
		expect_eq "$doc: pageblock order" "$(jq -r .memmap.pageblock_order "$doc")" "$order"
		expect_eq "$doc: Normal pageblocks" "$(jq -r "$n | .pageblocks" "$doc")" "$normal_blocks"
		expect_eq "$doc: Normal usable" "$(jq -r "$n | .usable_blocks" "$doc")" "$usable"
		expect_eq "$doc: Normal blocked" "$(jq -r "$n | .blocked_blocks" "$doc")" "$blocked"
		expect_eq "$doc: Normal unsure" "$(jq -r "$n | .unsure_blocks" "$doc")" "$unsure"
		near "$(jq -r "$n | .blocked_fraction" "$doc")" "$frac" && ok || fail "$doc: fraction $(jq -r "$n | .blocked_fraction" "$doc")"
		expect_eq "$doc: Normal judged" "$(jq -r "$n | .judged" "$doc")" true
		for k in free movable unsure slab unevictable no_flags; do
			expect_eq "$doc: Normal $k" "$(jq -r "$n | .by_kind.$k" "$doc")" "$(kind $k)"
		done
		expect_eq "$doc: Normal holes" "$(jq -r "$n | .by_kind.hole" "$doc")" $((normal_blocks - slice_blocks + $(kind hole)))
		for z in DMA DMA32; do
			expect_eq "$doc: $z all holes" "$(jq -r ".memmap.zones[] | select(.zone == \"$z\") | .by_kind.hole" "$doc")" "$(zone_blocks $MM/zoneinfo $z)"
			expect_eq "$doc: $z no fraction" "$(jq -r ".memmap.zones[] | select(.zone == \"$z\") | .blocked_fraction" "$doc")" null
		done
		expect_eq "$doc: the check's value" "$(jq -r '.checks[] | select(.check == "blocked_fraction" and .zone == "Normal") | .status' "$doc")" WARNING
	done
	expect_eq "one history line" "$(wc -l < $TMP/h.jsonl)" 1
	{ base_conf; echo "memmap = no"; } > $C
	kcheck --config $C --proc-root $F --json
	expect_eq "memmap = no: null" "$(jq -c .memmap "$TMP/out")" null
fi

# ---- a map that cannot be read: an OK line, the verdict of the rest ------------------------------------
# no kpageflags in the tree
base_conf $C
kcheck --config $C --proc-root $MOVED/before
expect_rc "no kpageflags in the proc root" 0
has "no kpageflags said" "^OK: memmap: memory map not available: $MOVED/before/kpageflags: No such file or directory"
# a broken slice
B2=$TMP/broken
proc_copy $F $B2
echo 'pfn x' > $B2/kpageflags.start_pfn
kcheck --config $C --proc-root $B2 --json
expect_rc "a broken kpageflags.start_pfn" 0
if command -v jq > /dev/null; then
	expect_eq "broken: available" "$(jq -r .memmap.available "$TMP/out")" false
	jq -r .memmap.error "$TMP/out" | grep -q 'kpageflags.start_pfn: not a decimal PFN' && ok || fail "broken: error $(jq -r .memmap.error "$TMP/out")"
	expect_eq "broken: an OK result" "$(jq -r '.checks[] | select(.check == "memmap") | .status' "$TMP/out")" OK
fi

# not root: kpageflags readable by root only, as /proc/kpageflags is
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$KFRAG" 2> /dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	NR=$TMP/nr
	proc_copy $F $NR
	chmod 400 $NR/kpageflags
	chmod 755 $TMP $NR
	base_conf $C
	chmod 644 $C
	nobody "$KFRAG" check --config $C --proc-root $NR > $TMP/out 2>&1
	rc=$?
	expect_rc "not root, fixture: the others' verdict (OK)" 0
	has "not root said" "^OK: memmap: memory map not available: reading $NR/kpageflags needs root \(CAP_SYS_ADMIN\)$"
	hasnt "no blocked perfdata when not root" "blocked_fraction_node"
	hasnt "never UNKNOWN" "UNKNOWN"
	# with a threshold that would have been CRITICAL
	{ base_conf; echo "blocked_fraction_critical = 0.01"; } > $C
	nobody "$KFRAG" check --config $C --proc-root $NR > $TMP/out 2>&1
	rc=$?
	expect_rc "not root, a critical threshold: still OK" 0
	# the live machine as nobody: the map's absence changes nothing
	base_conf $C
	nobody "$KFRAG" check --config $C --duration 0 > $TMP/out 2>&1
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || fail "live, not root: exit $rc: $(head -c 2000 $TMP/out)"
	has "live, not root said" "^OK: memmap: memory map not available: reading /proc/kpageflags needs root \(CAP_SYS_ADMIN\)$"
	hasnt "live, not root: no blocked perfdata" "blocked_fraction_node"
else
	echo "not root, or kfrag at $KFRAG cannot run as nobody: the not-root cases are not tested" >&2
fi

# ---- the live machine as root: a quiet machine is OK with the defaults -------------------------------
if [ "$(id -u)" = 0 ] && [ -r /proc/kpageflags ]; then
	# the guard judges whatever else runs on this machine (another test's
	# mlocking workload): this part is about the map only
	{ base_conf; echo "guard = no"; } > $C
	kcheck --config $C --duration 0 --json
	expect_rc "live, root, defaults: $(command -v jq > /dev/null && jq -r '.checks[] | select(.status != "OK") | .message' "$TMP/out")" 0
	if command -v jq > /dev/null; then
		expect_eq "live: map available" "$(jq -r .memmap.available "$TMP/out")" true
		while read -r node zone; do
			want=$(zone_blocks /proc/zoneinfo "$zone" "$node")
			got=$(jq -r ".memmap.zones[] | select(.node == $node and .zone == \"$zone\") | [.by_kind[]] | add" "$TMP/out")
			expect_eq "live: $zone's pageblocks by kind add up to its span's" "$got" "$want"
		done < <(awk '/^Node/ { n = $2; sub(",", "", n); z = $4 } $1 == "spanned" && $2 > 0 { print n, z }' /proc/zoneinfo)
		expect_eq "live: Normal judged" "$(jq -r '.checks[] | select(.check == "blocked_fraction" and .zone == "Normal") | .status' "$TMP/out")" OK
		echo "live: $(jq -r '.checks[] | select(.check == "blocked_fraction") | .message' "$TMP/out" | cut -c1-120)" >&2
	fi
else
	echo "not root: the live memory map is not tested" >&2
fi

done_testing
