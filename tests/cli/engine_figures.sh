#!/bin/bash
# The figures of issue #11 and the CPU numbers of issue #13, on fixtures of
# tests/data and on text traces written here, checked against awk over the
# same lines (never against kfrag's own output):
# - frees: mm_page_free_batched repeats a page mm_page_free logged, so a
#   process's freed pages are its mm_page_free pages, and unbatched is
#   free - free_batched;
# - remote drains: only pages drained without an allocation since their refill;
# - CPUs: one event on CPU 4097 costs one CPU, not 4098 (memory and output),
#   CPUs 65535, 70000 and 2147483647 are counted, not dropped;
# - compaction episodes carry the order of their mm_compaction_finished.
. "${SRCDIR:-.}/tests/lib/lib.sh"
need_cmd jq
need_cmd python3

# ---- frees per process: tests/data/text/pipe_kmem_storm.txt ---------------
storm=$FIXTURES/text/pipe_kmem_storm.txt
"$KFRAG" report --input "$storm" --output "$TMP/storm.json" || fail "report on $storm"
# pid allocd_pages freed freed_pages batched unbatched, from the lines themselves
awk '
/ mm_page_(alloc|free|free_batched): / {
	match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	match($0, / mm_page_[a-z_]+:/); ev = substr($0, RSTART + 1, RLENGTH - 2)
	match($0, /order=[0-9]+/); pages = 2 ^ substr($0, RSTART + 6, RLENGTH - 6)
	seen[pid] = 1
	if (ev == "mm_page_alloc") alloc[pid] += pages
	else if (ev == "mm_page_free") { freed[pid]++; fpages[pid] += pages }
	else batched[pid]++
}
END {
	for (p in seen) {
		u = freed[p] - batched[p]; if (u < 0) u = 0
		printf "%d %d %d %d %d %d\n", p, alloc[p], freed[p], fpages[p], batched[p], u
	}
}' "$storm" | sort -n > "$TMP/frees.want"
jq -r '.processes[] | select(.pages_allocd_order_weighted + .pages_freed + .pages_freed_batched > 0) |
	[.pid, .pages_allocd_order_weighted, .pages_freed, .pages_freed_order_weighted, .pages_freed_batched,
	 .pages_freed_unbatched] | map(tostring) | join(" ")' "$TMP/storm.json" | sort -n > "$TMP/frees.got"
if diff -u "$TMP/frees.want" "$TMP/frees.got" >&2; then ok; else fail "frees per process differ from awk's"; fi
# every batched page of the fixture follows an mm_page_free of its pfn on its CPU
expect_eq "batched frees without an earlier mm_page_free of the pfn" "$(awk '
/ mm_page_(alloc|free|free_batched): / {
	match($0, /\[[0-9]+\]/); cpu = substr($0, RSTART, RLENGTH)
	match($0, / mm_page_[a-z_]+:/); ev = substr($0, RSTART + 1, RLENGTH - 2)
	match($0, /pfn=0x[0-9a-f]+/); pfn = substr($0, RSTART, RLENGTH)
	if (ev == "mm_page_free_batched" && last[pfn] != "mm_page_free" cpu) n++
	last[pfn] = ev cpu
}
END { print n + 0 }' "$storm")" 0

# ---- remote drains: a text trace written here ------------------------------
# cpu0 refills 0x100700 and 0x100701; 0x100700 is allocated and freed on
# cpu0 before cpu1 drains both: only 0x100701 is a remote drain, cpu0 -> cpu1
line() {	# cpu ts event fields
	printf '            test-%d    [%03d] d..2.   %s: %s: page=0000000000000000 %s\n' $((500 + $1 % 1000)) "$1" "$2" "$3" "$4"
}
{
	line 0 100.000001 mm_page_alloc_zone_locked 'pfn=0x100700 order=0 migratetype=1 percpu_refill=1'
	line 0 100.000002 mm_page_alloc_zone_locked 'pfn=0x100701 order=0 migratetype=1 percpu_refill=1'
	line 0 100.000003 mm_page_alloc 'pfn=0x100700 order=0 migratetype=1 gfp_flags=GFP_KERNEL'
	line 0 100.000004 mm_page_free 'pfn=0x100700 order=0'
	line 1 100.000005 mm_page_pcpu_drain 'pfn=0x100700 order=0 migratetype=1'
	line 1 100.000006 mm_page_pcpu_drain 'pfn=0x100701 order=0 migratetype=1'
} > "$TMP/drain.txt"
"$KFRAG" report --input "$TMP/drain.txt" --output "$TMP/drain.json" || fail "report on drain.txt"
expect_eq "remote drains" "$(jq -c .cross_cpu.drained_on_other_cpu "$TMP/drain.json")" \
	'[{"from_cpu":0,"to_cpu":1,"pages":1}]'
expect_eq "events read" "$(jq .nr_events "$TMP/drain.json")" 6

# ---- CPUs by number: memory and output as the CPUs that occur --------------
# peak RSS (KiB) and exit status of a command, from the kernel's rusage of the child
peak_kib() {
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)' "$@"
}
{
	line 0 100.000001 mm_page_alloc 'pfn=0x100800 order=0 migratetype=1 gfp_flags=GFP_KERNEL'
	line 4097 100.000002 mm_page_free 'pfn=0x100800 order=0'
} > "$TMP/cpu4097.txt"
read -r kib rc < <(peak_kib "$KFRAG" report --input "$TMP/cpu4097.txt" --output "$TMP/cpu4097.json")
expect_eq "report on CPU 4097: exit status" "$rc" 0
# the same report with the two CPUs numbered 0 and 1: the baseline
sed 's/\[4097\]/[001]/' "$TMP/cpu4097.txt" > "$TMP/cpu1.txt"
read -r kib1 rc < <(peak_kib "$KFRAG" report --input "$TMP/cpu1.txt" --output "$TMP/cpu1.json")
# before: 2 GB and 373 MB of JSON. Now within a few MiB and KiB of CPUs 0 and 1
[ "$kib" -le $((kib1 + 8192)) ] && ok || fail "CPU 4097 took $kib KiB, CPUs 0 and 1 $kib1 KiB"
size=$(wc -c < "$TMP/cpu4097.json")
size1=$(wc -c < "$TMP/cpu1.json")
[ "$size" -le $((size1 + 1024)) ] && ok || fail "CPU 4097: $size bytes of JSON, CPUs 0 and 1 $size1"
expect_eq "CPUs listed" "$(jq -c '[.nr_cpus, [.cpus[].cpu], .cross_cpu.freed_on_other_cpu]' "$TMP/cpu4097.json")" \
	'[2,[0,4097],[{"from_cpu":0,"to_cpu":4097,"pages":1}]]'
"$KFRAG" report --text --input "$TMP/cpu4097.txt" > "$TMP/cpu4097.text" || fail "text report on CPU 4097"
grep -q '^cpu4097 ' "$TMP/cpu4097.text" && ok || fail "the text report names cpu4097"

# CPUs 65535 and beyond, up to INT32_MAX: counted, not dropped
for c in 65534 65535 70000 2147483647; do
	line "$c" 100.000001 mm_page_alloc 'pfn=0x100800 order=0 migratetype=1 gfp_flags=GFP_KERNEL'
done > "$TMP/bigcpus.txt"
"$KFRAG" report --input "$TMP/bigcpus.txt" --output "$TMP/bigcpus.json" || fail "report on CPUs up to 2^31-1"
expect_eq "CPUs up to 2^31-1" "$(jq -c '[.nr_events, [.cpus[].cpu], .events.mm_page_alloc.per_cpu]' "$TMP/bigcpus.json")" \
	'[4,[65534,65535,70000,2147483647],[1,1,1,1]]'

# ---- compaction episodes and their order: report_compaction_noprefix.txt ---
comp=$FIXTURES/text/report_compaction_noprefix.txt
"$KFRAG" report --input "$comp" --output "$TMP/comp.json" || fail "report on $comp"
# each begin .. end of a pid, with the order of its last mm_compaction_finished (null if none)
awk '
/ mm_compaction_begin: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	open[pid] = 1; order[pid] = "null"; next }
/ mm_compaction_finished: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	if (open[pid]) { match($0, /order=-?[0-9]+/); order[pid] = substr($0, RSTART + 6, RLENGTH - 6) } next }
/ mm_compaction_end: / { match($0, /-[0-9]+ +\[/); pid = substr($0, RSTART + 1, RLENGTH - 3) + 0
	if (open[pid]) print pid, order[pid]; open[pid] = 0 }' "$comp" > "$TMP/orders.want"
jq -r '.compaction.episodes[] | "\(.pid) \(.order)"' "$TMP/comp.json" > "$TMP/orders.got"
[ -s "$TMP/orders.want" ] || fail "no episode in $comp"
if diff -u "$TMP/orders.want" "$TMP/orders.got" >&2; then ok; else fail "episode orders differ from awk's"; fi

done_testing
