#!/bin/sh
# kfrag top replaying recorded traces (no root needed): every panel's numbers,
# at the end of the replay, against kfrag report --json of the same input
# and the same saved /proc; the replay clock (--speed, pause); a screen
# capture of the stable panels at 80x24.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/top_lib.sh"
PROC=$FIXTURES/proc/compaction-mlocked-moved/after

# the header's "events N" and "lost N"
header_num() { top_screen | head -n 1 | sed -n "s/.* $1 \([0-9]*\).*/\1/p"; }

# check_replay NAME INPUT: replay to the end in totals mode, compare
check_replay() {
	name=$1
	input=$2
	"$KFRAG" report --input "$input" --proc-root "$PROC" > "$TMP/r.json" 2>/dev/null ||
		{ fail "$name: kfrag report failed"; return; }
	top_start 150x60 --input "$input" --proc-root "$PROC" --speed 1000000 -d 0.2
	top_wait '(end)' 60 || { fail "$name: the replay did not end"; return; }
	top_keys t
	top_wait 'TOTALS' || fail "$name: t did not switch to totals"

	expect_eq "$name: events" "$(header_num events)" "$(jq .nr_events "$TMP/r.json")"
	expect_eq "$name: lost" "$(header_num lost)" "$(jq .lost_events.total "$TMP/r.json")"

	# zones: free pages, unusable and fragmentation indices of orders 0, 3, 9
	for z in $(jq -r '.zones[] | select(.known) | .zone' "$TMP/r.json"); do
		want=$(jq -r --arg z "$z" '.zones[] | select(.zone == $z) |
			[.free_pages, (.unusable_index[0,3,9], .extfrag_index[0,3,9] | . * 1000 | round)] | @tsv' "$TMP/r.json" |
			awk '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf " %.3f", $i / 1000; print "" }')
		got=$(top_screen | grep -m1 "^[0-9]* $z  *[0-9]" | awk '{ print $3, $5, $6, $7, $8, $9, $10 }')
		expect_eq "$name: zone $z (free, UNUS0/3/9, FRAG0/3/9)" "$got" "$want"
	done

	# CPUs: pages allocated, freed (batched frees are among mm_page_free), pcp refill and drain runs and pages
	for c in $(jq -r '.cpus[].cpu' "$TMP/r.json"); do
		want=$(jq -r --argjson c $c '.cpus[] | select(.cpu == $c) | [.pages.alloc.pages, .pages.free.pages,
			.pcp_refill.runs, .pcp_refill.pages, .pcp_drain.runs, .pcp_drain.pages] | @tsv' "$TMP/r.json" | tr '\t' ' ')
		got=$(top_row "cpu$c" | awk '{ print $2, $3, $4, $5, $6, $7 }')
		expect_eq "$name: cpu$c (alloc free refills pages drains pages)" "$got" "$want"
		# refilled here, drained by each CPU (the report lists the pairs with pages)
		want=$(jq -r --argjson c $c '.cross_cpu.drained_on_other_cpu as $f | [.cpus[].cpu as $j |
			([$f[] | select(.from_cpu == $c and .to_cpu == $j) | .pages] | add // 0) | tostring] | join(" ")' "$TMP/r.json")
		got=$(top_screen | grep -m1 "^  cpu$c *[^ ]*  " | awk '{ for (i = 3; i <= NF; i++) printf "%s%s", (i > 3 ? " " : ""), ($i == "-" ? 0 : $i); print "" }')
		expect_eq "$name: cpu$c refilled here, drained by each CPU" "$got" "$want"
	done

	# fragmentation: the totals row, then each pair
	want=$(jq -r '.extfrag | [.fallbacks, .fragmenting, .severe, .moderate, .ownership_changed] | @tsv' "$TMP/r.json" | tr '\t' ' ')
	expect_eq "$name: fallbacks (all)" "$(top_row all | awk '{ print $2, $3, $4, $5, $6 }')" "$want"
	jq -r '.extfrag.by_pair[] | [.alloc_migratetype, .fallback_migratetype, .fallbacks, .fragmenting, .severe,
		.moderate, .ownership_changed] | @tsv' "$TMP/r.json" | tr '\t' ' ' | sort > "$TMP/pairs.want"
	top_table '^ALLOC MT' | awk 'NR > 1 && $1 != "all" && NF == 7 { $1 = $1; print }' | sort > "$TMP/pairs.got"
	expect_eq "$name: fallback pairs" "$(cat "$TMP/pairs.got")" "$(cat "$TMP/pairs.want")"

	# compaction: the counts, each episode (newest first), migrations by reason
	top_keys 4
	top_wait "^${FOCUS}4 Compaction" || fail "$name: 4 did not focus Compaction"
	want=$(jq -r '.compaction | "episodes \(.episodes | length), running \([.episodes[] | select(.running)] | length)  kcompactd wakes \(.kcompactd.wakes), sleeps \(.kcompactd.sleeps)  direct \(.direct_attempts)  deferred \(.deferred)  kcompactd wakeups requested \(.kcompactd.wakeups_requested)"' "$TMP/r.json")
	expect_eq "$name: compaction counts" "$(top_screen | grep -m1 '^episodes ' | sed 's/ *$//')" "$want"
	jq -r '.compaction.episodes | reverse | .[] | [.zone, .initiator, "\(.comm)-\(.pid)", .status, .migrated, .failed, (.duration_ms // 0)] | @tsv' \
		"$TMP/r.json" | awk -F'\t' '{ printf "%s %s %s %s %s %s %.3f\n", $1, $2, $3, $4, $5, $6, $7 }' > "$TMP/ep.want"
	top_table '^ZONE  *INITIATOR' | awk 'NR > 1 && !/no compaction seen/ { print $1, $2, $3, $5, $6, $7, $4 }' > "$TMP/ep.got"
	# durations may differ in the last digit: the report rounds a double, top prints %.3f
	awk '{ $7 = sprintf("%.2f", $7); print }' "$TMP/ep.want" > "$TMP/ep.want2"
	awk '{ $7 = sprintf("%.2f", $7); print }' "$TMP/ep.got" > "$TMP/ep.got2"
	expect_eq "$name: episodes" "$(cat "$TMP/ep.got2")" "$(cat "$TMP/ep.want2")"
	# the order each compacted for and a direct compaction's stall: the last columns
	jq -r '.compaction.episodes | reverse | .[] | "\(.order // "?") \(.stall_ms // "-")"' "$TMP/r.json" |
		awk '{ if ($2 != "-") $2 = sprintf("%.2f", $2); print }' > "$TMP/ord.want"
	top_table '^ZONE  *INITIATOR' | awk 'NR == 1 { ok = $(NF - 1) == "STALL" && $(NF - 2) == "ORDER"; next }
		!/no compaction seen/ { s = $NF; if (s != "-") s = sprintf("%.2f", s); print (ok ? $(NF - 1) " " s : "no ORDER, STALL columns") }' > "$TMP/ord.got"
	expect_eq "$name: episodes' order and stall" "$(cat "$TMP/ord.got")" "$(cat "$TMP/ord.want")"
	want=$(jq -r '[.migration.by_reason | group_by(.reason)[] | "migrate \(.[0].reason) \(map(.succeeded) | add) \(map(.failed) | add) \(map(.calls) | add)"] | .[]' "$TMP/r.json")
	got=$(top_screen | grep '^migrate ' | sed 's/migrated \([0-9]*\)  failed \([0-9]*\)  (calls \([0-9]*\))/\1 \2 \3/' | tr -s ' ')
	expect_eq "$name: migrations by reason" "$got" "$want"

	# processes, sorted by pages allocated (> twice: ALLOC/s, FREE/s, ALLOCD)
	top_keys 5 '>' '>'
	top_wait 'sorted by ALLOCD' || fail "$name: > did not sort by ALLOCD"
	jq -r '.processes | sort_by(-.pages_allocd, .pid) | .[] | [.pid, .comm, .pages_allocd, .pages_allocd_under_lock,
		.pages_freed, .pages_freed_batched, .pcpu_refills, .fragment_fallback, .page_faults,
		.page_faults_during_migration] | @tsv' "$TMP/r.json" | tr '\t' ' ' > "$TMP/procs.want"
	top_table '^ *PID COMMAND' | top_columns PID COMMAND ALLOCD LOCKED FREED BATCHED REFILLS FALLBK FAULTS MIGFLT > "$TMP/procs.got"
	expect_eq "$name: processes" "$(cat "$TMP/procs.got")" "$(cat "$TMP/procs.want")"
	expect_eq "$name: processes counted" "$(top_screen | sed -n 's/.*5 Processes  \([0-9]*\) processes.*/\1/p')" \
		"$(jq '.processes | length' "$TMP/r.json")"

	top_keys q
	expect_eq "$name: exit status after q" "$(top_exit)" 0
	top_check_terminal "$name"
}

check_replay "text, trace-cmd report" "$FIXTURES/text/report_compaction_noprefix.txt"
check_replay "text, trace_pipe" "$FIXTURES/text/pipe_lost.txt"
check_replay "text, fallbacks" "$FIXTURES/text/handwritten.txt"
if [ -f "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat" ]; then
	check_replay "trace.dat" "$FIXTURES/tracedat/compaction-mlocked-moved/trace.dat"
else
	echo "SKIP (part): $FIXTURES/tracedat/compaction-mlocked-moved/trace.dat not present" >&2
fi

# the guard, on a trace where compaction ran under a locked process: its
# alerts (most severe first, the same sentences as kfrag report's), the red
# line until acknowledged, the protected process and its faults. The
# fixture has the migration PTEs of the pages it faulted on: the faults are
# tied to moving pages (issue #11: untied faults are no evidence)
T=$FIXTURES/guard/moved_faults.txt
# (the traced machine had vm.compact_unevictable_allowed=1: said with
# --assume-sysctl, and shown so in the header, which has no /proc of it)
"$KFRAG" report --input "$T" --proc-root "$PROC" --protect-comm lockedsched \
	--assume-sysctl compact_unevictable_allowed=1 > "$TMP/g.json" 2>/dev/null
top_start 100x60 --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2 --protect-comm lockedsched \
	--assume-sysctl compact_unevictable_allowed=1
top_wait '(end)' 20 || fail "guard: the replay did not end"
top_wait '^!! GUARD CRITICAL' || fail "guard: no red guard line"
top_screen | sed -n 2p | grep -q '^unevictable_allowed=1 (assumed)  ' && ok || fail "guard: header: $(top_screen | sed -n 2p)"
# the banner covers the findings line: it keeps their number in sight
nf=$(jq '.findings | length' "$TMP/g.json")
na=$(jq '.guard.alerts | length' "$TMP/g.json")
want_more=
[ "$na" -gt 1 ] && want_more="+more, 6 shows"
[ "$nf" -gt 1 ] && want_more="$want_more${want_more:+; }f: $nf findings"
[ -n "$want_more" ] && want_more=" ($want_more)"
top_screen | grep -qF "!! GUARD CRITICAL$want_more: " && ok || fail "guard: banner, want '!! GUARD CRITICAL$want_more: ': $(top_screen | grep '^!! GUARD')"
top_keys 6
top_wait "^${FOCUS}6 Guard" || fail "guard: 6 did not focus the Guard panel"
# one line each until Enter shows every alert whole
top_keys Enter
top_wait 'Enter: one line each' || fail "guard: Enter did not show the alerts' details"
jq -r '.guard.alerts[] | "\(.severity | if . == "note" then . else ascii_upcase end) \(.message)"' "$TMP/g.json" |
	tr -s ' ' > "$TMP/alerts.want"
top_alerts | tr -s ' ' > "$TMP/alerts.got"
[ -s "$TMP/alerts.want" ] && ok || fail "guard: kfrag report has no alert for this trace"
expect_eq "guard: alerts, most severe first" "$(cat "$TMP/alerts.got")" "$(cat "$TMP/alerts.want")"
want=$(jq -r '.guard.protected[] | [.pid, .comm, .reason, .page_faults, .page_faults_during_migration] | @tsv' "$TMP/g.json" | tr '\t' ' ')
got=$(top_screen | sed -n '/^ *PID PROTECTED/,$p' | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1, $2, $3, $7, $8 }')
expect_eq "guard: protected processes (pid comm why faults migflt)" "$got" "$want"
top_screen | grep -q '^ *5137 lockedsched .* ? *? *? ' && ok || fail "guard: VmLck, locked and moved are not '?' in a replay"
top_keys 5
top_wait '^ *5137 lockedsched\* ' || fail "guard: the protected process is not marked in the process table"
top_keys a
top_wait '^guard: 1 protected process, every alert acknowledged' || fail "guard: a did not acknowledge"
top_keys 6
top_wait '^critical ' || fail "guard: the acknowledged alert is not listed in small letters"
top_keys q
top_exit > /dev/null
# the order an episode compacted for and a direct compaction's stall, on a
# trace written here from this kernel's print formats (as
# tests/data/text/handwritten.txt): thp-3000 asks for order 9 at 600.000100
# and its episode ends at 600.002600 (stalled 2.5 ms); kcompactd is woken
# for order 3. Newest first on the screen.
{
	echo '         thp-3000    [001] .....   600.000100: mm_compaction_try_to_compact_pages: order=9 gfp_mask=GFP_TRANSHUGE|__GFP_THISNODE priority=2'
	echo '         thp-3000    [001] .....   600.000200: mm_compaction_begin: zone_start=0x100000 migrate_pfn=0x100000 free_pfn=0x277e00 zone_end=0x278000, mode=async'
	echo '         thp-3000    [001] .....   600.000300: mm_compaction_finished: node=0 zone=Normal   order=9 ret=continue'
	echo '         thp-3000    [001] .....   600.002600: mm_compaction_end: zone_start=0x100000 migrate_pfn=0x100400 free_pfn=0x277e00 zone_end=0x278000, mode=async status=partial_skipped'
	echo '    kcompactd0-36    [000] .....   600.003000: mm_compaction_kcompactd_wake: nid=0 order=3 classzone_idx=Normal  '
	echo '    kcompactd0-36    [000] .....   600.003100: mm_compaction_begin: zone_start=0x100000 migrate_pfn=0x100000 free_pfn=0x277e00 zone_end=0x278000, mode=sync'
	echo '    kcompactd0-36    [000] .....   600.004100: mm_compaction_end: zone_start=0x100000 migrate_pfn=0x100800 free_pfn=0x277e00 zone_end=0x278000, mode=sync status=success'
} > "$TMP/direct.txt"
top_start 150x30 --input "$TMP/direct.txt" --proc-root "$PROC" --speed 1000000 -d 0.2
top_wait '(end)' 20 || fail "direct: the replay did not end"
top_keys 4
top_wait "^${FOCUS}4 Compaction" || fail "direct: 4 did not focus Compaction"
expect_eq "direct: initiator, task, order, stall" \
	"$(top_table '^ZONE  *INITIATOR' | awk 'NR > 1 { print $2, $3, $(NF - 1), $NF }')" \
	"$(printf 'kcompactd kcompactd0-36 3 -\ndirect thp-3000 9 2.500')"
top_keys q
top_exit > /dev/null

# --no-guard: no guard at all
top_start 100x30 --input "$T" --proc-root "$PROC" --speed 1000000 --no-guard
top_wait '(end)' 20
top_screen | grep -q '^guard: off' && ok || fail "--no-guard: the guard line does not say off"
top_keys q
top_exit > /dev/null
"$KFRAG" top --input "$T" --no-guard --protect-pid 1 < /dev/null > /dev/null 2>&1
expect_eq "--no-guard with --protect-pid: exit status" "$?" 2
"$KFRAG" top --input "$T" --enforce < /dev/null > /dev/null 2>&1
expect_eq "--enforce in a replay: exit status" "$?" 2

# the replay clock: paced by the trace's timestamps, stopped by a pause
T=$FIXTURES/text/report_compaction_noprefix.txt	# 5.48 s of trace
top_start 100x30 --input "$T" --proc-root "$PROC" -d 0.2
top_wait 'replay report_compaction' || fail "replay header"
sleep 1.5
pos=$(top_screen | head -n 1 | sed -n 's/.* \([0-9.]*\)\/5\.5s x1 .*/\1/p')
case $pos in
1.[0-9]|2.[0-9]) ok ;;
*) fail "after 1.5 s at speed 1 the replay is at '$pos' s, want 1.0-2.9" ;;
esac
top_screen | head -n 1 | grep -q '(end)' && fail "the replay ended early" || ok
top_keys Space
top_wait 'PAUSED' || fail "Space did not pause"
sleep 0.3
p1=$(top_screen | head -n 1)
sleep 1
expect_eq "paused: the clock stops" "$(top_screen | head -n 1)" "$p1"
top_keys Space
top_wait_gone 'PAUSED' || fail "Space did not resume"
top_wait '(end)' 10 || fail "the replay did not end after resuming"
expect_eq "events at the end" "$(header_num events)" "$("$KFRAG" report --input "$T" | jq .nr_events)"
top_keys q
expect_eq "exit status after q" "$(top_exit)" 0

# --speed: 5.5 s of trace at x4 end within ~1.4 s
top_start 100x30 --input "$T" --proc-root "$PROC" --speed 4 -d 0.2
top_wait 'x4 ' || fail "--speed 4 not in the header"
sleep 0.8
top_screen | head -n 1 | grep -q '(end)' && fail "x4: ended after 0.8 s" || ok
top_wait '(end)' 3 || fail "x4: not ended after 3.8 s"
top_keys q
top_exit > /dev/null

# a screen capture of what is stable at the end of a replay: the zones and
# the CPUs in totals mode at 80x24, in plain ASCII
TOP_LANG=LC_ALL=C top_start 80x24 --input "$T" --proc-root "$PROC" --speed 1000000 -d 0.2
top_wait '(end)' 20 || fail "capture: the replay did not end"
top_keys 2 t
top_wait 'TOTALS' || fail "capture: no totals"
top_screen | sed -n '4,17p' > "$TMP/screen.txt"
if diff -u "$FIXTURES/top/replay-compaction-80x24.txt" "$TMP/screen.txt" >&2; then ok; else
	fail "the 80x24 zones and CPUs panels differ from tests/data/top/replay-compaction-80x24.txt"; fi
top_keys q
top_exit > /dev/null

# a trace that takes a while to load shows how much is read, not a blank
# screen: a FIFO holds the reader at 300000 bytes (a pipe: its size is not
# known, the bytes are said) until the test writes the rest
mkfifo "$TMP/slow.txt"
top_start 100x20 --input "$TMP/slow.txt" --proc-root "$PROC" --speed 1000000 -d 0.2
exec 8<>"$TMP/slow.txt"	# read-write: the open does not wait for kfrag
head -c 300000 "$T" >&8
top_wait "^kfrag top: reading $TMP/slow.txt: 0\.[2-3] MiB" 10 || fail "loading: no progress on the screen"
tail -c +300001 "$T" >&8
exec 8>&-
top_wait '(end)' 20 || fail "loading: the replay did not start after the rest was written"
top_screen | grep -q 'reading' && fail "loading: the progress line stayed" || ok
expect_eq "loading: events" "$(header_num events)" "$("$KFRAG" report --input "$T" | jq .nr_events)"
top_keys q
top_exit >/dev/null
# a trace with no memory state and no --proc-root: nothing of this machine
# (no zone rows, sysctls unknown), and the zones panel says what it lacks
top_start 120x40 --input "$T" --speed 1000000 -d 0.2
top_wait '(end)' 20 || fail "no state: the replay did not end"
top_wait 'this trace carries no memory state; .*pass --proc-root DIR' ||
	fail "no state: the zones panel does not say what it lacks"
top_screen | grep -qE '^ *[0-9]+ +(DMA|DMA32|Normal|Movable) ' && fail "no state: a zone row of this machine" || ok
top_screen | grep -q 'vm.extfrag_threshold=?' && ok || fail "no state: a sysctl of this machine is shown"
top_keys q
top_exit > /dev/null

done_testing
