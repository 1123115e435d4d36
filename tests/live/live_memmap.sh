#!/bin/sh
# The memory map of the running machine: the pageblocks that hold an
# mlock()ed buffer are blocked by unevictable pages (every block filled by
# it is an 'U' block), and PFNs are located in them; without root, a clear
# message and no map. Runs through tests/helpers/memmap_locate (the API)
# and through `kfrag report --memmap` (the command).
. "${SRCDIR:-.}/tests/lib/lib.sh"

HELPERS=$(dirname "$KFRAG")/tests/helpers
LOCATE=${MEMMAP_LOCATE:-$HELPERS/memmap_locate}
MLOCK=${MLOCK_BUFFER:-$HELPERS/mlock_buffer}
[ -x "$LOCATE" ] && [ -x "$MLOCK" ] || skip "helpers $LOCATE and $MLOCK not built"
[ -e /proc/kpageflags ] || skip "no /proc/kpageflags (a kernel without CONFIG_PROC_PAGE_MONITOR)"

msg="needs root (CAP_SYS_ADMIN): the memory map is not available"

# not root: exit 77 from the driver, the message on stderr
not_root() {
	"$@" "$LOCATE" --json >"$TMP/nr.out" 2>"$TMP/nr.err"
	expect_eq "not root: driver exit status" "$?" 77
	grep -q "reading /proc/kpageflags $msg" "$TMP/nr.err" && ok ||
		fail "not root: stderr '$(cat "$TMP/nr.err")'"
	[ -s "$TMP/nr.out" ] && fail "not root: a map was printed" || ok
}

if [ "$(id -u)" != 0 ]; then
	not_root
	done_testing
fi
if command -v setpriv >/dev/null 2>&1; then
	not_root setpriv --reuid=65534 --regid=65534 --clear-groups
fi

order=$(awk '/^Page block order:/ { print $4 }' /proc/pagetypeinfo)
[ -n "$order" ] || skip "no pageblock order in /proc/pagetypeinfo"
bpages=$((1 << order))

pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT

# start_buffer NAME MIB thp|nothp: the helper's PFNs in $TMP/NAME.pfns
start_buffer() {
	"$MLOCK" "$2" "$TMP/$1.pfns" "$3" &
	eval "pid_$1=$!"
	pids="$pids $!"
	i=0
	while [ ! -s "$TMP/$1.pfns" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$TMP/$1.pfns" ] || { fail "mlock_buffer $1 wrote no PFNs"; return 1; }
}

# scan NAME: memmap_locate over the buffer's PFNs, the PFNs read again after
# the scan; compaction with compact_unevictable_allowed=1 may move them
# meanwhile, so try again (up to three times) until they stayed put
scan() {
	eval "pid=\$pid_$1"
	for try in 1 2 3; do
		"$LOCATE" --pfns "$TMP/$1.pfns" >"$TMP/$1.out" 2>"$TMP/$1.err" || {
			fail "memmap_locate: $(cat "$TMP/$1.err")"
			return 1
		}
		rm -f "$TMP/$1.pfns.again"
		kill -USR1 "$pid"
		i=0
		while [ ! -s "$TMP/$1.pfns.again" ] && [ $i -lt 100 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		cmp -s "$TMP/$1.pfns" "$TMP/$1.pfns.again" && return 0
		echo "note: $1: pages moved during the scan (try $try)" >&2
		mv "$TMP/$1.pfns.again" "$TMP/$1.pfns"
	done
	fail "$1: the buffer's pages kept moving"
	return 1
}

# check NAME: every PFN's block holds unevictable pages; blocks the buffer
# fills are 'U'; locate counts them as blocked
check() {
	zero=$(grep -c '^0$' "$TMP/$1.pfns")
	expect_eq "$1: PFNs readable (root)" "$zero" 0
	n=$(wc -l <"$TMP/$1.pfns")
	got=$(grep -c '^pfn ' "$TMP/$1.out")
	expect_eq "$1: one line per PFN" "$got" "$n"
	bad=$(awk '/^pfn / && $8 !~ /(^|,)unevictable(,|$)/' "$TMP/$1.out" | head -3)
	[ -z "$bad" ] && ok || fail "$1: blocks without unevictable pages: $bad"

	# blocks every page of which is the buffer's, computed from the PFNs alone
	awk -v bp="$bpages" '{ n[int($1 / bp)]++ } END { for (b in n) if (n[b] == bp) print b }' \
		"$TMP/$1.pfns" | sort -n >"$TMP/$1.full"
	full=$(wc -l <"$TMP/$1.full")
	notu=$(awk 'NR == FNR { full[$1] = 1; next } /^pfn / && ($4 in full) && $6 != "U" { print $4, $6 }' \
		"$TMP/$1.full" "$TMP/$1.out" | sort -u | head -3)
	[ -z "$notu" ] && ok || fail "$1: blocks filled by the mlocked buffer not 'U': $notu"
	echo "$1: $n pages in $(awk '/^pfn / { print $4 }' "$TMP/$1.out" | sort -u | wc -l) pageblocks, $full filled by the buffer" >&2

	# kf_memmap_locate: at least the PFNs of the filled blocks are blocked and unevictable
	blocked=$(awk '/^where / { s += $8 } END { print s + 0 }' "$TMP/$1.out")
	unev=$(awk '/^where / { for (i = 9; i <= NF; i++) if ($i ~ /^unevictable=/) { sub(/.*=/, "", $i); s += $i } } END { print s + 0 }' "$TMP/$1.out")
	[ "$blocked" -ge $((full * bpages)) ] && [ "$unev" -ge $((full * bpages)) ] && ok ||
		fail "$1: locate: $blocked blocked, $unev unevictable, want >= $((full * bpages))"
	in_zones=$(awk '/^where / && $2 != "none" { s += $4 } END { print s + 0 }' "$TMP/$1.out")
	expect_eq "$1: every PFN in a zone" "$in_zones" "$n"
	eval "full_$1=$full"
}

# a THP-backed buffer fills whole pageblocks; a 4 KiB one is scattered
start_buffer thp 32 thp && scan thp && check thp
start_buffer small 8 nothp && scan small && check small
if [ "${full_thp:-0}" -eq 0 ]; then
	thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
	echo "note: no pageblock filled by the THP buffer (THP: ${thp:-none}); only per-PFN checks ran" >&2
fi

# the full JSON map of the machine: one kind per pageblock, in runs
"$LOCATE" --full >"$TMP/map.json" 2>"$TMP/map.err" || fail "memmap_locate --full: $(cat "$TMP/map.err")"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/map.json" <<'EOF' && ok || fail "the JSON map does not add up"
import json, re, sys
doc = json.load(open(sys.argv[1]))
for z in doc["zones"]:
    runs = re.findall(r"([.A-Za-z])([0-9]+)", z["map"])
    assert "".join(c + n for c, n in runs) == z["map"], z["zone"]
    assert sum(int(n) for _, n in runs) == z["pageblocks"], z["zone"]
    counts = {}
    for c, n in runs:
        counts[c] = counts.get(c, 0) + int(n)
    names = {k: v["name"] for k, v in doc["legend"].items()}
    for c, n in counts.items():
        name = names[c]
        got = z["blocked_by"][name] if name in z["blocked_by"] else z["by_kind"][name]
        assert got == n, (z["zone"], name, got, n)
EOF
fi

# the same through the command: kfrag report --memmap, the small buffer's
# process protected, its locked pages located in the map
if command -v jq >/dev/null 2>&1 && [ -n "${pid_small:-}" ]; then
	"$KFRAG" report --duration 1 --memmap --protect-pid "$pid_small" --json \
		--output "$TMP/report.json" 2>"$TMP/report.err" || fail "kfrag report --memmap: $(cat "$TMP/report.err")"
	n=$(wc -l <"$TMP/small.pfns")
	q=".memmap.protected[] | select(.pid == $pid_small)"
	expect_eq "report: locked pages located" "$(jq "$q | .locked_pages" "$TMP/report.json")" "$n"
	# every block holding an mlocked page is blocked (by them at least)
	expect_eq "report: all in blocked blocks" "$(jq "[$q | .zones[].in_blocked_blocks] | add" "$TMP/report.json")" "$n"
	jq -e '[.memmap.zones[] | .map | test("^([.EFMmXSPKHUW][0-9]+)+$")] | all' "$TMP/report.json" >/dev/null && ok ||
		fail "report: a zone's map is not run-length encoded kinds"
	expect_eq "report: the map covers every pageblock" \
		"$(jq '[.memmap.zones[] | (.map | [scan("[0-9]+") | tonumber] | add) == .pageblocks] | all' "$TMP/report.json")" true
	# not root: the report is still written, the map is null and says why
	if command -v setpriv >/dev/null 2>&1; then
		# (--proc-root /: a trace without saved state reads this machine only when asked)
		setpriv --reuid=65534 --regid=65534 --clear-groups "$KFRAG" report --input "$FIXTURES/text/pipe_kmem_storm.txt" \
			--proc-root / --memmap --json >"$TMP/nr.json" 2>/dev/null
		expect_eq "not root: report exit" "$?" 0
		expect_eq "not root: memmap null" "$(jq .memmap "$TMP/nr.json")" null
		jq -r .memmap_error "$TMP/nr.json" | grep -q "$msg" && ok || fail "not root: memmap_error $(jq .memmap_error "$TMP/nr.json")"
	fi
fi

done_testing
