#!/bin/bash
# Live benchmark of kfrag report --duration (issue: live tracefs reader).
#   bench/live.sh BUILDDIR [SECONDS] [LONG_SECONDS] [BASELINE_BUILDDIR]
# Two allocation storms (one per CPU: map, touch, unmap 4 MiB in a loop) run
# while kfrag traces; in the same invocation `perf stat -e kmem:mm_page_alloc
# -a` counts the same events over the same window (the baseline). Both windows
# open before the storms start and close after they end, so both see all of
# them. Other processes allocate too, and the two windows are not the same
# instant, so that ratio is near 1 on a quiet machine only; the storms' own
# allocations, counted by perf on their tasks and by kfrag for their pids,
# must agree exactly on any machine. Prints kfrag's count / perf's, lost
# events, kfrag's CPU time and peak
# RSS; then the same for a longer window to show RSS does not grow with it.
# A window of the same length without storms comes first: what kfrag spends
# whatever the event rate (start, the instance, the guard, the memory map
# from /proc/kpageflags), so the CPU the events themselves cost is the
# difference, printed per million events beside the whole process's. That
# difference carries the noise of two starts on a busy machine; perf stat
# -p also counts kfrag's CPU over the storms' span alone (from 0.2 s after
# it traces to a second before its window ends) in both runs, the steadier
# figure.
# With BASELINE_BUILDDIR (another build, e.g. of main), each window runs it
# too, right before BUILDDIR's, and prints BUILDDIR's CPU per million events
# as a ratio of the baseline's.
# Holds /tmp/kfrag-live-tests.lock throughout, as every live run does.
set -eu
build=$(cd "${1:-.}" && pwd)
short=${2:-5}
long=${3:-60}
base=${4:+$(cd "$4" && pwd)}
out=$(mktemp -d /tmp/kfrag-bench-live.XXXXXX)
trap 'rm -rf "$out"' EXIT
[ "$(id -u)" = 0 ] || { echo "bench/live.sh: needs root (live tracing)" >&2; exit 1; }
command -v perf >/dev/null || { echo "bench/live.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }
# another kfrag or a live test tracing at the same time would skew both
exec 9>/tmp/kfrag-live-tests.lock
flock 9
storm="$build/tests/helpers/alloc_storm"
[ -x "$storm" ] || make -C "$build" tests/helpers/alloc_storm >/dev/null

# waits until kfrag, the child of time (pid TIME_PID), traces; prints its pid
kfrag_tracing() {	# kfrag_tracing TIME_PID
	local kf inst
	for _ in $(seq 300); do
		kf=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
		kf=${kf% }
		inst=/sys/kernel/tracing/instances/kfrag-$kf
		# enabled last, just before tracing_on (a new instance starts on)
		if [ -n "$kf" ] && [ "$(cat "$inst/events/kmem/mm_page_alloc/enable" 2>/dev/null)" = 1 ] &&
			[ "$(cat "$inst/tracing_on" 2>/dev/null)" = 1 ]; then
			echo "$kf"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# kfrag's CPU time over the span the storms run in, from 0.2 s after it
# traces to a second before its window closes: what the events cost, with
# little of what its start and end cost (reading the memory map) around it
busy_clock() {	# busy_clock KFRAG_PID WINDOW_SECONDS FILE
	perf stat -e task-clock -x, -p "$1" -o "$3" -- sleep "$(($2 - 1))" 2>/dev/null
}

# seconds of task-clock in perf stat's FILE
busy_s() {	# busy_s FILE
	awk -F, '/task-clock/ { printf "%.4f\n", $1 / 1000 }' "$1"
}

# CPU seconds of KFRAG report over a window without storms; leaves the
# span's in idle.busy
idle_cpu() {	# idle_cpu KFRAG WINDOW_SECONDS
	local kf
	/usr/bin/time -f '%U %S %M' -o "$out/idle.time" \
		"$1" report --duration "$2" --json --output "$out/idle.json" 2>/dev/null &
	local kpid=$!
	kf=$(kfrag_tracing "$kpid") && sleep 0.2 && busy_clock "$kf" "$2" "$out/idle.busy"
	wait "$kpid"
	read -r u s _ < "$out/idle.time"
	echo "$u + $s" | bc -l
}

# traces WINDOW seconds with KFRAG while the storms run; leaves TAG.json,
# TAG.time, TAG.perf and TAG.busy in $out
storm_window() {	# storm_window KFRAG WINDOW_SECONDS TAG
	local kfrag=$1 win=$2 tag=$3 storm_s=$(($2 - 2)) kf
	/usr/bin/time -f '%U %S %M' -o "$out/$tag.time" \
		"$kfrag" report --duration "$win" --json --output "$out/$tag.json" 2>/dev/null &
	local kpid=$!
	# the storms start once kfrag traces (its start can take seconds on a
	# loaded machine)
	kf=$(kfrag_tracing "$kpid")
	# perf's window opens now and closes a second before kfrag's: both
	# hold the storms, which end two seconds before kfrag's window does
	perf stat -e kmem:mm_page_alloc -a -x, -o "$out/$tag.perf" -- sleep "$((win - 1))" &
	local ppid=$!
	sleep 0.2
	busy_clock "$kf" "$win" "$out/$tag.busy" &
# each storm's own count too: exact, whatever else allocates meanwhile
	for cpu in 0 1; do
		perf stat -e kmem:mm_page_alloc -x, -o "$out/$tag.p$cpu" -- \
			taskset -c $cpu "$storm" 4 "$storm_s" > "$out/$tag.s$cpu" &
	done
	wait "$kpid" "$ppid"
	wait
}

# the storms' mm_page_alloc: "KFRAG PERF", kfrag's from its processes,
# perf's counted on each storm's task (from its exec: the few allocations
# of the fork before it are kfrag's only)
storm_counts() {	# storm_counts TAG
	local tag=$1 pids k p
	pids=$(sed -n 's/^alloc_storm: pid \([0-9]*\) .*/\1/p' "$out/$tag.s0" "$out/$tag.s1" | paste -sd,)
	k=$(jq "[.processes[] | select(.pid as \$p | [$pids] | index(\$p)) | .pages_allocd] | add // 0" \
		"$out/$tag.json")
	p=$(awk -F, '/mm_page_alloc/ { n += $1 } END { print n + 0 }' "$out/$tag.p0" "$out/$tag.p1")
	echo "$k $p"
}

# prints one window's figures; leaves in TAG.net the CPU per million
# events net of the idle window, for the ratio to the baseline
run() {	# run KFRAG WINDOW_SECONDS TAG LABEL
	local kfrag=$1 win=$2 tag=$3 label=$4 idle ib b k p lost cpu rss all
	idle=$(idle_cpu "$kfrag" "$win")
	ib=$(busy_s "$out/idle.busy")
	storm_window "$kfrag" "$win" "$tag"
	k=$(jq '.events.mm_page_alloc.total' "$out/$tag.json")
	all=$(jq '.nr_events' "$out/$tag.json")
	lost=$(jq '.lost_events.total' "$out/$tag.json")
	p=$(awk -F, '/mm_page_alloc/ { print $1 }' "$out/$tag.perf")
	read -r u s rss < "$out/$tag.time"
	read -r sk sp <<< "$(storm_counts "$tag")"
	cpu=$(echo "$u + $s" | bc -l)
	b=$(busy_s "$out/$tag.busy")
	awk -v w="$win" -v k="$k" -v p="$p" -v l="$lost" -v c="$cpu" -v r="$rss" -v a="$all" \
	    -v s="$((win - 2))" -v i="$idle" -v lab="$label" -v sk="$sk" -v sp="$sp" \
	    -v b="$b" -v ib="$ib" 'BEGIN {
		printf "%s, window %3d s: kfrag %9d mm_page_alloc, perf %9d (baseline), ratio %.4f (target >= 0.99), lost %d\n", lab, w, k, p, k / p, l
		printf "              the storms alone: kfrag %d, perf on their tasks %d (from exec): kfrag has %d more (a few dozen: the forks)\n", sk, sp, sk - sp
		printf "              %d events in all, %.2fM events/s while the storms ran (%d s)\n", a, a / s / 1e6, s
		printf "              kfrag CPU %.2f s = %.1f%% of one core over the window, %.3f s per million events;\n", c, 100 * c / w, c / (a / 1e6)
		printf "              at 1.3M events/s the events cost %.1f%% of a core (target <= 15%%), beside the %.2f s a run costs whatever the rate (the window without storms); peak RSS %.1f MiB (target <= 32)\n", 100 * 1.3 * (c - i) / (a / 1e6), i, r / 1024
		printf "              the same window without storms: %.2f s CPU; the events cost %.2f s, %.3f s per million (target <= 0.035)\n", i, c - i, (c - i) / (a / 1e6)
		printf "              the storms\x27 span alone (perf stat -p, %d s): %.2f s CPU, %.2f s without storms: %.3f s per million (target <= 0.035)\n", w - 1, b, ib, (b - ib) / (a / 1e6)
	}'
	echo "($cpu - $idle) / ($all / 1000000)" | bc -l > "$out/$tag.net"
	echo "($b - $ib) / ($all / 1000000)" | bc -l > "$out/$tag.bnet"
}

window() {	# window WINDOW_SECONDS TAG
	local b n bb nb
	if [ -n "$base" ]; then
		run "$base/kfrag" "$1" "$2-base" "baseline build"
		run "$build/kfrag" "$1" "$2" "this build    "
		b=$(cat "$out/$2-base.net")
		n=$(cat "$out/$2.net")
		bb=$(cat "$out/$2-base.bnet")
		nb=$(cat "$out/$2.bnet")
		awk -v b="$b" -v n="$n" -v bb="$bb" -v nb="$nb" 'BEGIN {
			printf "              this build / baseline build, CPU per million events net of the idle window: %.2f; over the storms\x27 span: %.2f\n", n / b, nb / bb }'
	else
		run "$build/kfrag" "$1" "$2" "kfrag"
	fi
}

echo "kfrag live benchmark, $(nproc) CPUs, $(uname -r)${base:+; baseline build $base}"
window "$short" short
window "$long" long
