#!/bin/bash
# How the captures in tests/data/tracedat/ were made (root, tracefs, a built
# tree): the hazard of ../shared/data/compaction-mlocked-moved on a small
# scale, recorded as that capture was, with a tracefs instance of its own
# and `trace-cmd extract -B INSTANCE`. Run from the top of a built tree:
#	flock /tmp/kfrag-live-tests.lock tests/data/tracedat/capture.sh OUTDIR [0|1]
# The second argument is vm.compact_unevictable_allowed during the capture
# (default 1); the old value is put back.
set -eu
out=${1:?usage: capture.sh OUTDIR [0|1]}
S=/proc/sys/vm/compact_unevictable_allowed
old=$(cat $S)
echo "${2:-1}" > $S
T=/sys/kernel/tracing
I=$T/instances/kfx-$$
H=tests/helpers
mkdir -p "$out"
"$H/fragment_memory" 256 > "$out/fragment.log" 2>&1 &
fp=$!
sleep 2
"$H/locked_heap" 16 > "$out/lockedsched.log" 2>&1 &
lp=$!
sleep 1
mkdir -p "$out/proc-before"
for f in buddyinfo pagetypeinfo zoneinfo vmstat; do cat /proc/$f > "$out/proc-before/$f"; done
mkdir "$I"
trap 'echo $old > $S; kill $fp $lp 2>/dev/null; rmdir "$I" 2>/dev/null; true' EXIT
echo 8192 > "$I/buffer_size_kb"
for e in kmem/mm_page_alloc compaction migrate/mm_migrate_pages migrate/mm_migrate_pages_start \
	migrate/set_migration_pte migrate/remove_migration_pte; do
	echo 1 > "$I/events/$e/enable"
done
echo "common_pid == $lp" > "$I/events/exceptions/page_fault_user/filter"
echo 1 > "$I/events/exceptions/page_fault_user/enable"
sync; echo 1 > /proc/sys/vm/drop_caches
echo 1 > "$I/tracing_on"
# the locked process reads its pagemap now (SIGUSR2), so that it has events
# of its own in the trace even when it takes no page fault
kill -USR2 $lp; sleep 0.2
echo 1 > /proc/sys/vm/compact_memory
sleep 0.2
echo 0 > "$I/tracing_on"
kill -USR2 $lp; sleep 0.2
echo "protected_pid=$lp compact_unevictable_allowed=$(cat /proc/sys/vm/compact_unevictable_allowed)" > "$out/scenario"
mkdir -p "$out/proc-after"
for f in buddyinfo pagetypeinfo zoneinfo vmstat; do cat /proc/$f > "$out/proc-after/$f"; done
cat "$I"/per_cpu/cpu*/stats > "$out/ringbuffer.stats"
trace-cmd extract -B "kfx-$$" -o "$out/trace.dat" > /dev/null 2>&1
