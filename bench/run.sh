#!/bin/bash
# Offline benchmark of kfrag report (issue: performance of `kfrag report`).
#   bench/run.sh BUILDDIR SHARED_DATA [REPS]
# In one invocation: kfrag report on kmem-storm/trace.dat against a bare
# libtracecmd iteration of the same file (the baseline), and kfrag report on
# trace_pipe text. Prints CPU seconds (best of REPS), events/s, peak RSS and
# the ratio to the baseline.
set -eu
build=${1:-.}
data=${2:-$(dirname "$0")/../../shared/data}
reps=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d /tmp/kfrag-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

dat="$data/kmem-storm/trace.dat"
pipe="$data/kmem-storm/trace_pipe.txt"
[ -f "$dat" ] || { echo "bench: $dat not found (pass the shared data directory)" >&2; exit 1; }

cc -O2 -o "$out/bare_iterate" "$here/bare_iterate.c" $(pkg-config --cflags --libs libtracecmd)
events=$("$out/bare_iterate" "$dat")

read -r base_cpu base_rss < <(python3 "$here/measure.py" "$reps" "$out/bare_iterate" "$dat")
read -r kf_cpu kf_rss < <(python3 "$here/measure.py" "$reps" "$build/kfrag" report --input "$dat" --json --output "$out/r.json")

# text: the 40,000-line trace_pipe sample repeated to 2,000,000 lines
for _ in $(seq 50); do cat "$pipe"; done > "$out/pipe.txt"
lines=$(wc -l < "$out/pipe.txt")
read -r txt_cpu txt_rss < <(python3 "$here/measure.py" "$reps" "$build/kfrag" report --input "$out/pipe.txt" --json --output "$out/t.json")

awk -v ev="$events" -v bc="$base_cpu" -v br="$base_rss" -v kc="$kf_cpu" -v kr="$kf_rss" \
    -v ln="$lines" -v tc="$txt_cpu" -v tr="$txt_rss" 'BEGIN {
	printf "trace.dat: %s, %d events (best of reps)\n", "kmem-storm", ev
	printf "  %-34s %8.3f s CPU  %10.0f events/s  peak RSS %6.1f MiB\n", "baseline: bare libtracecmd iterate", bc, ev / bc, br / 1024
	printf "  %-34s %8.3f s CPU  %10.0f events/s  peak RSS %6.1f MiB\n", "kfrag report --json", kc, ev / kc, kr / 1024
	printf "  ratio kfrag / baseline CPU: %.3f (target <= 1.25)\n", kc / bc
	printf "text: trace_pipe, %d lines\n", ln
	printf "  %-34s %8.3f s CPU  %10.0f lines/s   peak RSS %6.1f MiB (target >= 2M lines/s)\n", "kfrag report --json", tc, ln / tc, tr / 1024
}'
