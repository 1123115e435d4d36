#!/bin/bash
# Benchmark of the memory-map scan (root: reads /proc/kpageflags).
#   bench/memmap.sh [REPS]
# In one invocation: the scan alone (bench/memmap_scan.c over the code of
# src/core/memmap.c, src/system/memmap_scan.c and the /proc readers, built here with -O2) against
# `dd if=/proc/kpageflags of=/dev/null bs=1M` of the same PFN ranges (each
# populated zone's span widened to whole pageblocks, as the scan reads
# them). Prints CPU and wall seconds (best of REPS), the ratio (target
# <= 1.5), the scanner's peak RSS and what the scan needs of its own
# (target: a few MiB); then the scan with kpagecount as well, for scale.
set -eu
reps=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$(mktemp -d /tmp/kfrag-bench-memmap.XXXXXX)
trap 'rm -rf "$out"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench/memmap.sh: needs root (reads /proc/kpageflags)" >&2; exit 1; }
[ -r /proc/kpageflags ] || { echo "bench/memmap.sh: no /proc/kpageflags" >&2; exit 1; }

cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$top/include" -o "$out/memmap_scan" "$here/memmap_scan.c" \
	"$top"/src/core/memmap.c "$top"/src/system/memmap_scan.c "$top"/src/system/proc_path.c \
	"$top"/src/system/proc_zoneinfo.c "$top"/src/system/proc_buddyinfo.c "$top"/src/system/proc_pagetypeinfo.c \
	"$top"/src/system/proc_vmstat.c "$top"/src/system/proc_memstate.c "$top"/src/core/fragindex.c \
	"$top"/src/core/zones.c -lm

order=$(awk '/^Page block order:/ { print $4 }' /proc/pagetypeinfo)
# "start_pfn npages" of each populated zone, widened to whole pageblocks
awk -v bp=$((1 << ${order:?no pageblock order})) '
	/^Node/ { sp = 0 }
	$1 == "spanned" { sp = $2 }
	$1 == "start_pfn:" && sp > 0 {
		s = int($2 / bp) * bp; e = int(($2 + sp + bp - 1) / bp) * bp
		print s, e - s
	}' /proc/zoneinfo >"$out/ranges"
pfns=$(awk '{ n += $2 } END { print n }' "$out/ranges")
while read -r s n; do
	echo "dd if=/proc/kpageflags of=/dev/null bs=1M iflag=skip_bytes,count_bytes skip=$((s * 8)) count=$((n * 8)) status=none"
done <"$out/ranges" >"$out/dd.sh"

# best wall seconds of REPS runs of a command
wall() {
	python3 - "$reps" "$@" <<'EOF'
import subprocess, sys, time
best = None
for _ in range(int(sys.argv[1])):
    t = time.monotonic()
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
    t = time.monotonic() - t
    best = t if best is None else min(best, t)
print("%.4f" % best)
EOF
}

# peak RSS in KiB: GNU time's (measure.py's includes the python it forks from)
maxrss() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$out/rss" "$@" >/dev/null && cat "$out/rss"
	else
		echo 0
	fi
}

read -r dd_cpu _ < <(python3 "$here/measure.py" "$reps" sh "$out/dd.sh")
dd_wall=$(wall sh "$out/dd.sh")
dd_rss=$(maxrss sh "$out/dd.sh")
read -r sc_cpu _ < <(python3 "$here/measure.py" "$reps" "$out/memmap_scan")
sc_wall=$(wall "$out/memmap_scan")
sc_rss=$(maxrss "$out/memmap_scan")
read -r pc_cpu _ < <(python3 "$here/measure.py" "$reps" "$out/memmap_scan" --pagecount)
pc_rss=$(maxrss "$out/memmap_scan" --pagecount)
# in one process: the scan's own time and memory
read -r _ in_best _ rss_before _ hwm _ blocks _ usable _ compactable < <("$out/memmap_scan" --reps "$reps")

awk -v pfns="$pfns" -v reps="$reps" -v dc="$dd_cpu" -v dw="$dd_wall" -v dr="$dd_rss" \
    -v sc="$sc_cpu" -v sw="$sc_wall" -v sr="$sc_rss" -v pc="$pc_cpu" -v pr="$pc_rss" \
    -v ib="$in_best" -v rb="$rss_before" -v hw="$hwm" -v bl="$blocks" -v us="$usable" \
    -v co="$compactable" 'BEGIN {
	printf "memory map: %d pageblocks, %.1f MiB of /proc/kpageflags (best of %d)\n", bl, pfns * 8 / 1048576, reps
	printf "  %-36s %7.3f s CPU %7.3f s wall  peak RSS %6.1f MiB\n", "baseline: dd bs=1M of the same span", dc, dw, dr / 1024
	printf "  %-36s %7.3f s CPU %7.3f s wall  peak RSS %6.1f MiB\n", "memmap scan (whole process)", sc, sw, sr / 1024
	printf "  ratio scan / dd: %.2f CPU, %.2f wall (target <= 1.5)\n", sc / dc, sw / dw
	printf "  in process: scan %.3f s, RSS %.1f MiB before, peak %.1f MiB: %.1f MiB of its own (target: a few MiB)\n", ib, rb / 1024, hw / 1024, (hw - rb) / 1024
	printf "  %-36s %7.3f s CPU                peak RSS %6.1f MiB (reads kpagecount too)\n", "memmap scan --pagecount", pc, pr / 1024
	printf "  %d usable pageblocks, %d of them free or movable-only\n", us, co
}'
