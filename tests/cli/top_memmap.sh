#!/bin/sh
# kfrag top's memory map view (m), in a tmux pseudo-terminal: on a replay
# whose --proc-root holds a saved slice of a real /proc/kpageflags, the
# title's pageblocks per cell (the fewest that fit, checked against the
# screen's own room), the legend, a header per zone and every cell, each
# compared with what kfrag report --memmap says of the same tree: its
# run-length map decoded here, cut into cells, the worst kind of each cell
# taken here (holes < no flags < free < movable < unsure < the blocked
# kinds, reserved the worst); at 80x24 and at 200x50. Colours where the
# terminal has them, none with NO_COLOR. m and the panel keys leave it.
# "memory map not available: ..." without kpageflags, in a replay without
# --proc-root, and not root; top goes on. As root: the live view shows
# every populated zone of this machine, with a cell count per zone that
# matches its span.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
MM=$FIXTURES/memmap/normal-48
BEFORE=$FIXTURES/proc/compaction-mlocked-moved/before
T=$FIXTURES/text/report_compaction_noprefix.txt
# plain ASCII: the focus marker is '>'
TOP_LANG=LC_ALL=C

# ---- the fixture tree: the slice and its zoneinfo, buddyinfo and
# pagetypeinfo, vmstat of a proc tree of the same machine whose zone spans
# agree (as tests/cli/check_memmap.sh assembles it) --------------------------------
spans() { awk '$1 == "Node" { z = $2 $4 } $1 == "spanned" { s = $2 } $1 == "start_pfn:" { print z, $2, s }' "$1"; }
expect_eq "zone spans of the slice's zoneinfo and $BEFORE agree" "$(spans $MM/zoneinfo)" "$(spans $BEFORE/zoneinfo)"
F=$TMP/fx
mkdir -p $F
cp $MM/zoneinfo $MM/buddyinfo $MM/pagetypeinfo $MM/kpageflags $MM/kpageflags.start_pfn $F/
cp $BEFORE/vmstat $F/
chmod 644 $F/*

# ---- what kfrag report says of the same tree -----------------------------------
"$KFRAG" report --input "$T" --proc-root $F --memmap --json > $TMP/r.json 2> $TMP/r.err ||
	fail "kfrag report --memmap: $(cat $TMP/r.err)"
expect_eq "the report has a map, of order-9 pageblocks" "$(jq -r .memmap.pageblock_order $TMP/r.json)" 9
# node zone start end pageblocks compactable blocked unsure holes map
jq -r '.memmap.zones[] | [.node, .zone, .start_pfn, .end_pfn, .pageblocks, .compactable.blocks,
	.by_kind.blocked, .by_kind.unsure, .by_kind.hole + .by_kind.no_flags, .map] | @tsv' $TMP/r.json > $TMP/zones
expect_eq "three zones in the report" "$(wc -l < $TMP/zones)" 3
# the legend: a character and its name
jq -r '.memmap.legend | to_entries[] | "\(.key) \(.value.name)"' $TMP/r.json | tr _ ' ' > $TMP/legend
expect_eq "twelve kinds in the report's legend" "$(wc -l < $TMP/legend)" 12

# expected_cells N MAP: the run-length map decoded, N pageblocks a cell, the worst of each
expected_cells() {
	echo "$2" | top_awk -v n="$1" '
		function rank(c) { return index(".EFMmWUHKPSX", c) }
		{
			map = $0; s = ""
			while (match(map, /^[.A-Za-z][0-9]+/)) {
				ch = substr(map, 1, 1); k = substr(map, 2, RLENGTH - 1) + 0
				for (i = 0; i < k; i++) s = s ch
				map = substr(map, RLENGTH + 1)
			}
			if (map != "") { print "bad map rest: " map; exit 1 }
			out = ""
			for (i = 1; i <= length(s); i += n) {
				best = ""; br = 0
				for (j = i; j < i + n && j <= length(s); j++) {
					c = substr(s, j, 1)
					if (rank(c) > br) { br = rank(c); best = c }
				}
				out = out best
			}
			print out
		}'
}

# the cells under each zone's header on the screen, one line per zone:
# "ZONE CELLS"; a folded line "E xN cells: ..." stands for N E cells
screen_cells() {
	top_screen | top_awk '
		/^node [0-9]+ / { if (z != "") print z, cells; z = $3; cells = ""; next }
		/^q ?Quit/ { exit }
		z != "" && /^E x[0-9]+ cells: / { k = substr($2, 2) + 0; for (i = 0; i < k; i++) cells = cells "E"; next }
		z != "" && /^[.EFMmXSPKHUW]+ *$/ { sub(/ +$/, ""); cells = cells $0 }
		END { if (z != "") print z, cells }'
}

# lines a zone's cells (on stdin) take at C cells a line: a run of E cells
# of C or more is one line of its own (folded), the other cells fill lines
cells_lines() {
	top_awk -v cols="$1" '{
		s = $0; L = length(s); i = 1; lines = 0; inl = 0
		while (i <= L) {
			r = 0
			while (i + r <= L && substr(s, i + r, 1) == "E") r++
			if (r >= cols) { if (inl) lines++; lines++; inl = 0; i += r; continue }
			for (k = 0; k <= r && i <= L; k++) { i++; inl++; if (inl == cols) { lines++; inl = 0 } }
		}
		print lines + (inl > 0)
	}'
}

# lines the zones take with N pageblocks a cell and C cells a line
map_lines() {
	l=0
	while IFS="$(printf '\t')" read -r node zone start end blocks compactable blocked unsure holes map; do
		l=$((l + 1 + $(expected_cells "$1" "$map" | cells_lines "$2")))
	done < $TMP/zones
	echo $l
}

# check_map COLSxLINES: the view as the report's map says it must be
check_map() {
	size=$1
	cols=${size%x*}
	lines=${size#*x}
	top_screen > $TMP/screen
	title=$(grep -m1 '^>Memory map' $TMP/screen)
	n=$(echo "$title" | sed -n 's/^>Memory map  1 cell = \([0-9]*\) pageblocks* (.*/\1/p')
	[ -n "$n" ] && ok || { fail "$size: no pageblocks per cell in the title '$title'"; return; }
	echo "$size: $n pageblocks a cell" >&2
	# the legend, between the title and the first zone: every kind of the report
	legend_lines=$(top_awk '/^>Memory map/ { on = 1; next } /^node / { exit } on { n++ } END { print n + 0 }' $TMP/screen)
	top_awk '/^>Memory map/ { on = 1; next } /^node / { exit } on' $TMP/screen > $TMP/legend.screen
	while read -r ch name; do
		grep -qF "$ch $name" $TMP/legend.screen && ok || fail "$size: the legend lacks '$ch $name': $(cat $TMP/legend.screen)"
	done < $TMP/legend
	grep -q 'reverse: locked pages of a protected process' $TMP/legend.screen && ok ||
		fail "$size: the legend does not say how locked pages are marked"
	# the fewest pageblocks a cell that fit: the zones' lines fit the room
	# under the title and the legend, above the hints; one fewer would not
	room=$((lines - 3 - 1 - legend_lines - 1))
	used=$(map_lines "$n" "$cols")
	[ "$used" -le "$room" ] && ok || fail "$size: $n pageblocks a cell take $used lines, the room is $room"
	if [ "$n" -gt 1 ]; then
		more=$(map_lines $((n - 1)) "$cols")
		[ "$more" -gt "$room" ] && ok || fail "$size: $((n - 1)) pageblocks a cell would fit too ($more lines of $room)"
	fi
	# every zone: its header, its cells
	screen_cells > $TMP/cells.screen
	while IFS="$(printf '\t')" read -r node zone start end blocks compactable blocked unsure holes map; do
		grep -q "^node $node $zone  PFN $start-$((end - 1)) ([0-9.]* [MG]iB)  $compactable compactable  $blocked blocked" $TMP/screen && ok ||
			fail "$size: no header for $zone with $compactable compactable, $blocked blocked: $(grep "^node $node $zone " $TMP/screen)"
		if [ "$cols" -ge 160 ]; then
			grep -q "^node $node $zone  .*  $unsure unsure  $holes hole or no flags  $blocks pageblocks" $TMP/screen && ok ||
				fail "$size: $zone's header: $(grep "^node $node $zone " $TMP/screen)"
		fi
		want=$(expected_cells "$n" "$map")
		got=$(awk -v z="$zone" '$1 == z { print $2 }' $TMP/cells.screen)
		expect_eq "$size: $zone's cells ($n pageblocks each)" "$got" "$want"
	done < $TMP/zones
	# the slice's blocked pageblocks show: S somewhere in Normal
	if [ -z "${NO_SLAB:-}" ]; then
		awk '$1 == "Normal" { print $2 }' $TMP/cells.screen | grep -q S && ok || fail "$size: no slab cell in Normal"
	fi
	# folded stretches of E cells, a line or more long: "ZONE CELLS PAGEBLOCKS"
	while IFS="$(printf '\t')" read -r node zone start end blocks compactable blocked unsure holes map; do
		expected_cells "$n" "$map" | top_awk -v z="$zone" -v cols="$cols" -v n="$n" -v nb="$blocks" '{
			s = $0; L = length(s); i = 1
			while (i <= L) {
				r = 0
				while (i + r <= L && substr(s, i + r, 1) == "E") r++
				if (r >= cols) { e = (i - 1 + r) * n; print z, r, (e < nb ? e : nb) - (i - 1) * n }
				i += r ? r : 1
			}
		}'
	done < $TMP/zones > $TMP/folds.want
	top_awk '/^node [0-9]+ / { z = $3 } /^q ?Quit/ { exit }
		/^E x[0-9]+ cells: [0-9]+ pageblocks \(/ { print z, substr($2, 2), $4 }' $TMP/screen > $TMP/folds.got
	expect_eq "$size: folded stretches (zone, cells, pageblocks)" "$(cat $TMP/folds.got)" "$(cat $TMP/folds.want)"
}

top_start 80x24 --input "$T" --proc-root "$F" --speed 1000000 -d 0.2
top_wait '(end)' 20 || fail "the replay did not end"
top_screen | tail -n 1 | grep -q 'mMap' && ok || fail "the hint line does not offer m"
top_keys m
top_wait '^>Memory map  1 cell = ' 10 || fail "m: no memory map"
top_wait '^node 0 Normal ' 5
check_map 80x24
echo "--- 80x24 (replay):" >&2
top_screen >&2
# colours: the cells have them
cellcolours() {
	top_screen_e | top_awk -v esc="$(printf '\033')" '
		{ plain = $0; gsub(esc "\\[[0-9;]*m", "", plain) }
		plain ~ /^[.EFMmXSPKHUW]+ *$/ && plain ~ /S/ && $0 ~ esc "\\[[0-9;]*3[0-7]m" { n++ }
		END { print n + 0 }'
}
[ "$(cellcolours)" -gt 0 ] && ok || fail "no colours in the cells on a colour terminal"
# the same at 200x50: more cells, fewer pageblocks each
n80=$(top_screen | sed -n 's/^>Memory map  1 cell = \([0-9]*\) .*/\1/p')
# each resize: the map drawn again for the new size before it is read
cell_blocks() { top_screen | sed -n 's/^>Memory map  1 cell = \([0-9]*\) .*/\1/p'; }
cells_fewer() { _cells=$(cell_blocks); [ -n "$_cells" ] && [ "$_cells" -lt "$n80" ]; }
top_resize 200x50
top_until cells_fewer && ok || fail "200x50: $(cell_blocks) pageblocks a cell, not fewer than 80x24's $n80"
check_map 200x50
top_resize 80x24
top_expect "80x24 again: pageblocks a cell" "$n80" cell_blocks
check_map 80x24
# m again: the panels; a panel's key leaves the map too
top_keys m
top_wait '^>1 Zones' 5 || fail "m again: no panels"
top_screen | grep -q 'Memory map' && fail "m again: the map is still shown" || ok
top_keys m
top_wait '^>Memory map' 5 || fail "m: no map the second time"
top_keys 4
top_wait '^>4 Compaction' 5 || fail "4 did not leave the map for the Compaction panel"
# the help lists m
top_keys h
top_wait ': keys' 5
top_screen | grep -q '^ m  *memory map' && ok || fail "the help does not list m"
top_keys Escape
top_keys q
expect_eq "q: exit status" "$(top_exit)" 0
top_check_terminal "memory map q"

# NO_COLOR: characters only
TOP_ENV="NO_COLOR=1" top_start 80x24 --input "$T" --proc-root "$F" --speed 1000000 -d 0.2
top_wait '(end)' 20
top_keys m
top_wait '^node 0 Normal ' 10 || fail "NO_COLOR: no map"
expect_eq "NO_COLOR: colour sequences" "$(top_screen_e | grep -c "$(printf '\033')\[[0-9;]*[34][0-7]m")" 0
check_map 80x24
top_keys q
top_exit > /dev/null

# ---- a stretch not initialised, folded: the memory hole between 3 and 4 GiB --------
# (tests/data/memmap/dma32-hole: 32 real pageblocks, then 512 all-zero ones)
HOLE=$FIXTURES/memmap/dma32-hole
H=$TMP/hole
mkdir -p $H
cp $HOLE/zoneinfo $HOLE/buddyinfo $HOLE/pagetypeinfo $HOLE/vmstat $HOLE/kpageflags.start_pfn $H/
cp $HOLE/kpageflags.head $H/kpageflags
head -c 2097152 /dev/zero >> $H/kpageflags
chmod 644 $H/*
"$KFRAG" report --input "$T" --proc-root $H --memmap --json > $TMP/r.json 2> $TMP/r.err ||
	fail "kfrag report --memmap of the hole: $(cat $TMP/r.err)"
jq -r '.memmap.zones[] | [.node, .zone, .start_pfn, .end_pfn, .pageblocks, .compactable.blocks,
	.by_kind.blocked, .by_kind.unsure, .by_kind.hole + .by_kind.no_flags, .map] | @tsv' $TMP/r.json > $TMP/zones
awk -F '\t' '$2 == "DMA32" { print $10 }' $TMP/zones | grep -q 'F32E512$' && ok ||
	fail "the hole's DMA32 map does not end in 32 free and 512 uninitialised pageblocks: $(cat $TMP/zones)"
for size in 200x60 120x40 80x24; do
	top_start $size --input "$T" --proc-root "$H" --speed 1000000 -d 0.2
	top_wait '(end)' 20 || fail "hole $size: the replay did not end"
	top_keys m
	top_wait '^node 0 Normal ' 10 || fail "hole $size: no map"
	NO_SLAB=1 check_map $size
	echo "--- hole $size:" >&2
	top_screen >&2
	top_keys q
	top_exit > /dev/null
done
# 200 columns: the 512 pageblocks of the hole are one line
top_start 200x60 --input "$T" --proc-root "$H" --speed 1000000 -d 0.2
top_wait '(end)' 20
top_keys m
top_wait '^E x[0-9]* cells: 512 pageblocks (1.0 GiB) not initialised' 10 || fail "hole 200x60: the 512 pageblocks are not folded"
top_keys q
top_exit > /dev/null

# ---- not available: top says why and goes on -----------------------------------
# a proc root without kpageflags (wide: the path fits on one line)
top_start 200x24 --input "$T" --proc-root "$BEFORE" --speed 1000000 -d 0.2
top_wait '(end)' 20
top_keys m
top_wait "^memory map not available: $BEFORE/kpageflags: No such file or directory" 10 ||
	fail "no kpageflags: no message"
top_keys m
top_wait '^>1 Zones' 5 || fail "no kpageflags: m did not go back to the panels"
top_keys q
expect_eq "no kpageflags: exit status" "$(top_exit)" 0
# a replay without --proc-root never reads this machine's map
top_start 200x24 --input "$T" --speed 1000000 -d 0.2
top_wait '(end)' 20
top_keys m
top_wait '^memory map not available: this trace carries no memory state: pass --proc-root DIR' 10 ||
	fail "replay without --proc-root: no message"
top_keys q
expect_eq "replay without --proc-root: exit status" "$(top_exit)" 0

# not root: kpageflags readable by root only, as /proc/kpageflags is
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$KFRAG" 2> /dev/null; then
	NR=$TMP/nr
	mkdir -p $NR
	cp -p $F/* $NR/
	chmod 400 $NR/kpageflags
	chmod 755 $TMP $NR
	TOP_ENV="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" \
		top_start 200x24 --input "$T" --proc-root "$NR" --speed 1000000 -d 0.2
	top_wait '(end)' 20
	top_keys m
	top_wait "^memory map not available: reading $NR/kpageflags needs root (CAP_SYS_ADMIN) *\$" 10 ||
		fail "not root: no message"
	top_keys 1
	top_wait '^>1 Zones' 5 || fail "not root: no panels after the map"
	top_keys q
	expect_eq "not root: exit status" "$(top_exit)" 0
else
	echo "not root, or kfrag at $KFRAG cannot run as nobody: the not-root case is not tested" >&2
fi

# ---- live, as root: every populated zone of this machine ---------------------------
if [ "$(id -u)" = 0 ] && [ -r /proc/kpageflags ] && try_tracefs; then
	. "${SRCDIR:-.}/tests/lib/live_lib.sh"
	need_cmd flock
	exec 9>"$LIVE_LOCK"
	# the lock held elsewhere: the offline checks above still count; in CI a
	# failure, else a skip
	flock -w 300 9 || { [ "$fails" -gt 0 ] && done_testing; live_lock_timeout; }
	order=$(awk '/^Page block order:/ { print $4 }' /proc/pagetypeinfo)
	# node zone pageblocks, of every populated zone
	awk -v o="$order" '$1 == "Node" { n = $2; sub(",", "", n); z = $4 }
		$1 == "spanned" { s = $2 }
		$1 == "start_pfn:" && s > 0 { print n, z, int(($2 + s - 1) / 2 ^ o) - int($2 / 2 ^ o) + 1 }' /proc/zoneinfo > $TMP/live.zones
	for size in 80x24 200x50; do
		top_start $size -d 1
		top_wait ' kfrag-[0-9]' 15 || { fail "live $size: no start"; continue; }
		top_keys m
		top_wait '^>Memory map  1 cell = ' 15 || { fail "live $size: no memory map"; continue; }
		sleep 0.5
		top_screen > $TMP/screen
		n=$(sed -n 's/^>Memory map  1 cell = \([0-9]*\) .*/\1/p' $TMP/screen)
		while read -r ch name; do
			grep -qF "$ch $name" $TMP/screen && ok || fail "live $size: the legend lacks '$ch $name'"
		done < $TMP/legend
		screen_cells > $TMP/cells.screen
		while read -r node zone blocks; do
			grep -q "^node $node $zone  PFN [0-9]*-[0-9]* ([0-9.]* [kMG]i*B)  [0-9]* compactable  [0-9]* blocked" $TMP/screen && ok ||
				fail "live $size: no header for node $node $zone"
			got=$(awk -v z="$zone" '$1 == z { print length($2) }' $TMP/cells.screen)
			expect_eq "live $size: $zone's cells for $blocks pageblocks, $n each" "$got" $(((blocks + n - 1) / n))
		done < $TMP/live.zones
		echo "--- live $size:" >&2
		top_screen >&2
		top_keys q
		expect_eq "live $size: exit status" "$(top_exit)" 0
		top_check_terminal "live $size"
	done

	# the guard's mark: a process with an mlock()ed buffer, protected; the
	# cells holding its pages (PFNs from its own pagemap reading) in reverse
	# video, and as many reversed cells as the title counts
	MLOCK=$(dirname "$KFRAG")/tests/helpers/mlock_buffer
	if [ -x "$MLOCK" ]; then
		"$MLOCK" 8 $TMP/buf.pfns nothp &
		mpid=$!
		n=100
		while [ ! -s $TMP/buf.pfns ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
		top_start 200x50 -d 1 --protect-pid $mpid --lock-threshold 0
		top_wait ' kfrag-[0-9]' 15 || fail "live guard: no start"
		top_keys m
		top_wait '^>Memory map  1 cell = .*locked pages in [1-9]' 15 || fail "live guard: no locked cells in the title"
		sleep 1.5	# a reading of the guard after the map's scan
		top_screen > $TMP/screen
		top_screen_e > $TMP/screen.e
		n=$(sed -n 's/^>Memory map  1 cell = \([0-9]*\) .*/\1/p' $TMP/screen)
		k=$(sed -n 's/^>Memory map  .*locked pages in \([0-9]*\) cell.*/\1/p' $TMP/screen)
		# the reversed cells on the screen: "ZONE INDEX", the terminal's SGR state followed
		top_awk -v esc="$(printf '\033')" '
			{
				plain = ""; mask = ""; line = $0
				while (line != "") {
					if (substr(line, 1, 2) == esc "[" && match(line, /^.\[[0-9;]*m/)) {
						np = split(substr(line, 3, RLENGTH - 3), p, ";")
						if (np == 0) rev = 0
						for (i = 1; i <= np; i++) {
							if (p[i] == "" || p[i] == 0 || p[i] == 27) rev = 0
							else if (p[i] == 7) rev = 1
						}
						line = substr(line, RLENGTH + 1)
						continue
					}
					plain = plain substr(line, 1, 1); mask = mask (rev ? "r" : "-")
					line = substr(line, 2)
				}
				if (plain ~ /^node [0-9]+ /) { split(plain, w, " "); z = w[3]; idx = 0; next }
				if (plain ~ /^q ?Quit/) z = ""
				if (z != "" && plain ~ /^[.EFMmXSPKHUW]+ *$/) {
					sub(/ +$/, "", plain)
					for (i = 1; i <= length(plain); i++)
						if (substr(mask, i, 1) == "r") print z, idx + i - 1
					idx += length(plain)
				}
			}' $TMP/screen.e | sort -u > $TMP/rev.got
		# where the buffer's pages are, by the helper's own reading
		awk -v o="$order" -v n="$n" 'FNR == NR { if ($1 == "Node") z = $4; if ($1 == "spanned") sp = $2
				if ($1 == "start_pfn:" && sp > 0) { nz++; zn[nz] = z; zs[nz] = $2; ze[nz] = $2 + sp }; next }
			$1 > 0 { for (i = 1; i <= nz; i++) if ($1 >= zs[i] && $1 < ze[i])
				print zn[i], int((int($1 / 2 ^ o) - int(zs[i] / 2 ^ o)) / n) }' /proc/zoneinfo $TMP/buf.pfns | sort -u > $TMP/rev.want
		kill -USR1 $mpid
		n=50
		while [ ! -s $TMP/buf.pfns.again ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
		if ! cmp -s $TMP/buf.pfns $TMP/buf.pfns.again; then
			echo "note: the buffer's pages moved meanwhile: where they are is not compared" >&2
		else
			[ -s $TMP/rev.want ] && ok || fail "live guard: the buffer's PFNs are in no zone"
			missing=$(comm -23 $TMP/rev.want $TMP/rev.got | tr '\n' ' ')
			[ -z "$missing" ] && ok || fail "live guard: cells holding the buffer not in reverse video: $missing"
		fi
		expect_eq "live guard: reversed cells, as the title counts" "$(wc -l < $TMP/rev.got)" "$k"
		echo "live guard: $(wc -l < $TMP/rev.want) cells hold the buffer, $k cells marked" >&2
		top_keys q
		top_exit > /dev/null
		kill $mpid
		wait $mpid 2> /dev/null
	else
		echo "no $MLOCK (make check builds it): the guard's mark is not tested live" >&2
	fi
else
	echo "not root, no /proc/kpageflags or no tracefs: the live memory map is not tested" >&2
fi

done_testing
