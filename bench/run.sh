#!/bin/bash
# Offline benchmark of kfrag report (issue #14).
#   bench/run.sh BUILDDIR SHARED_DATA [REPS]
# In one invocation, CPU seconds best of REPS (user + system, of each command
# alone), with ratios against baselines run here; the commands compared take
# turns run by run (measure.py --), so a burst of load on a shared machine
# slows them alike:
# 1. every trace.dat in SHARED_DATA, plus (as root with tracefs) one recorded
#    on the spot by `kfrag record` while two allocation storms run: kfrag
#    report against a bare libtracecmd iteration of the same file
#    (bench/bare_iterate.c), and kfrag's reader alone (bench/read_only.c);
# 2. many CPUs: the pages of compaction-mlocked-moved spread over 2, 64 and
#    256 CPUs by bench/spread_cpus.c (pages whole, order kept per CPU); cost
#    per event of kfrag report and of its reader alone (best of 3 x REPS),
#    and of the bare iteration, each as a ratio to its own 2-CPU figure, and
#    kfrag's JSON size and peak RSS;
# 3. text: trace_pipe lines per second.
set -eu
build=$(cd "${1:-.}" && pwd)
data=${2:-$(dirname "$0")/../../shared/data}
reps=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/kfrag-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
ls "$data"/*/trace.dat >/dev/null 2>&1 || { echo "bench: no captures in $data (pass the shared data directory)" >&2; exit 1; }
[ -x "$build/bench/read_only" ] && [ -x "$build/bench/spread_cpus" ] ||
	make -C "$build" bench/read_only bench/spread_cpus >/dev/null

cc -O2 -o "$out/bare_iterate" "$here/bare_iterate.c" $(pkg-config --cflags --libs libtracecmd)
cpu() { python3 "$here/measure.py" "$reps" "$@"; }	# prints "CPU_S PEAK_RSS_KIB"

# a trace recorded here: two storms, one per CPU (root, tracefs, the live lock)
if [ "$(id -u)" = 0 ] && [ -d /sys/kernel/tracing/instances ] && [ -x "$build/tests/helpers/alloc_storm" ]; then
	mkdir -p "$out/recorded"
	(
		flock 9
		"$build/kfrag" record -q -o "$out/recorded/trace.dat" --duration 4 &
		k=$!
		sleep 1
		taskset -c 0 "$build/tests/helpers/alloc_storm" 4 2 >/dev/null &
		taskset -c 1 "$build/tests/helpers/alloc_storm" 4 2 >/dev/null &
		wait
	) 9>/tmp/kfrag-live-tests.lock
fi

echo "kfrag offline benchmark, best of $reps, $(nproc) CPUs"
printf "%-28s %9s %8s %8s %8s %7s %7s %7s %7s\n" trace events bare_s kfrag_s reader_s ratio target rss_b rss_k
for dat in "$data"/*/trace.dat "$out"/recorded/trace.dat; do
	[ -f "$dat" ] || continue
	name=$(basename "$(dirname "$dat")")
	events=$("$out/bare_iterate" "$dat" 2>/dev/null)	# libtracecmd warns of options it does not know
	{ read -r bc br; read -r kc kr; read -r rc _; } < <(cpu -- "$out/bare_iterate" "$dat" \
		-- "$build/kfrag" report --input "$dat" --json --output "$out/r.json" -- "$build/bench/read_only" "$dat")
	awk -v n="$name" -v e="$events" -v bc="$bc" -v kc="$kc" -v rc="$rc" -v br="$br" -v kr="$kr" 'BEGIN {
		printf "%-28s %9d %8.3f %8.3f %8.3f %7.3f %7s %6.1fM %6.1fM\n", n, e, bc, kc, rc, kc / bc, "<=1.0", br / 1024, kr / 1024 }'
done

echo "many CPUs: the pages of compaction-mlocked-moved spread over N CPUs (ns per event; ratio to 2 CPUs)"
src="$data/compaction-mlocked-moved/trace.dat"
ns="2 64 256"
# each tool's runs on the three files take turns (measure.py --): a burst of
# load on this shared machine then slows all three, not one ratio
turns() {	# REPS TOOL_ARGS_BEFORE_FILE... : one "--" command per file
	local reps=$1 f
	shift
	local args=()
	for f in $ns; do
		args+=(-- "$@" "$out/spread$f.dat")
	done
	python3 "$here/measure.py" "$reps" "${args[@]}"
}
for n in $ns; do
	"$build/bench/spread_cpus" "$src" "$out/spread$n.dat" "$n"
done
events=$("$build/bench/read_only" "$out/spread2.dat")
for n in $ns; do	# the JSON's size
	"$build/kfrag" report --input "$out/spread$n.dat" --json --output "$out/s$n.json"
	stat -c %s "$out/s$n.json"
done > "$out/json_sizes"
turns $((reps * 3)) "$build/kfrag" report --json --output "$out/s.json" --input > "$out/kfrag_cpu"
turns $((reps * 3)) "$build/bench/read_only" > "$out/reader_cpu"
turns "$reps" "$out/bare_iterate" > "$out/bare_cpu"
printf "%-6s %9s %9s %7s %9s %7s %9s %7s %8s %8s\n" cpus events kfrag_ns ratio reader_ns ratio bare_ns ratio json_kb rss_k
paste -d' ' <(echo "$ns" | tr ' ' '\n') "$out/kfrag_cpu" "$out/reader_cpu" "$out/bare_cpu" "$out/json_sizes" |
awk -v ev="$events" '{
	k = $2 / ev * 1e9; r = $4 / ev * 1e9; b = $6 / ev * 1e9
	if (NR == 1) { k0 = k; r0 = r; b0 = b }
	printf "%-6d %9d %9.1f %7.2f %9.1f %7.2f %9.1f %7.2f %8.0f %7.1fM\n", $1, ev, k, k / k0, r, r / r0, b, b / b0, $8 / 1024, $3 / 1024
} END { print "  target: kfrag ratio <= 1.25 at 256 CPUs" }'
rm -f "$out"/spread*.dat

# text: the 40,000-line trace_pipe sample repeated to 2,000,000 lines
pipe="$data/kmem-storm/trace_pipe.txt"
if [ -f "$pipe" ]; then
	for _ in $(seq 50); do cat "$pipe"; done > "$out/pipe.txt"
	lines=$(wc -l < "$out/pipe.txt")
	read -r tc tr < <(cpu "$build/kfrag" report --input "$out/pipe.txt" --json --output "$out/t.json")
	awk -v ln="$lines" -v tc="$tc" -v tr="$tr" 'BEGIN {
		printf "text: trace_pipe, %d lines: %.3f s CPU, %.0f lines/s (target >= 2M), peak RSS %.1f MiB\n", ln, tc, ln / tc, tr / 1024 }'
fi
