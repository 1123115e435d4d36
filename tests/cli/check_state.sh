#!/bin/bash
# kfrag check's state between runs: first run, rates over the real
# interval, counters that went backwards (reboot), a changed boot, runs too
# close together, an unreadable state, a symbolic link planted in its place.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"

B=$MOVED/before A=$MOVED/after
C=$TMP/c.conf
S=$TMP/var/lib/kfrag/check.state	# directories do not exist yet
base_conf $C

# ---- first run ---------------------------------------------------------------
kcheck --config $C --proc-root $B --state $S --now 1700000000
expect_rc "first run" 0
has "first run says so" "^OK: compaction: first run: no previous counters yet"
expect_eq "first run: rate undetermined" "$(perf compact_stall_rate)" U
# the instantaneous checks still ran
expect_eq "first run: indices checked" "$(perf unusable_node0_Normal_o9)" "$(kernel_index $B/unusable_index Normal 9)"
[ -f "$S" ] && ok || fail "no state file at $S"
expect_eq "state mode" "$(stat -c %a "$S")" 600
expect_eq "state directory mode" "$(stat -c %a "$TMP/var/lib/kfrag")" 755
for c in compact_stall compact_fail compact_success compact_migrate_scanned pgmigrate_success; do
	expect_eq "state $c" "$(sed -n "s/^$c = //p" "$S")" "$(vmstat_of $B/vmstat $c)"
done
expect_eq "state time" "$(sed -n 's/^time = //p' "$S")" 1700000000.000

# ---- second run: deltas over the real interval -------------------------------------
kcheck --config $C --proc-root $A --state $S --now 1700000300 --json
expect_rc "second run" 0
if command -v jq > /dev/null; then
	expect_eq "interval" "$(jq -r .interval_s "$TMP/out")" 300
	expect_eq "first_run false" "$(jq -r .first_run "$TMP/out")" false
	for c in compact_migrate_scanned compact_isolated pgmigrate_success pgmigrate_fail; do
		want=$(( $(vmstat_of $A/vmstat $c) - $(vmstat_of $B/vmstat $c) ))
		expect_eq "delta $c" "$(jq -r ".vmstat_delta.$c" "$TMP/out")" "$want"
	done
	expect_eq "stall rate" "$(jq -r '.perfdata[] | select(.label == "compact_stall_rate") | .value' "$TMP/out")" 0
fi
expect_eq "state time replaced" "$(sed -n 's/^time = //p' "$S")" 1700000300.000

# ---- counters went backwards (a reboot): rates start over, cleanly ------------------
kcheck --config $C --proc-root $B --state $S --now 1700000600
expect_rc "counters backwards" 0
has "reset said" "^OK: compaction: the vmstat counters went backwards since the last run \(a reboot\?\): rates start over"
expect_eq "reset: rate undetermined" "$(perf compact_stall_rate)" U
expect_eq "reset: state has the new counters" "$(sed -n 's/^compact_migrate_scanned = //p' "$S")" \
	"$(vmstat_of $B/vmstat compact_migrate_scanned)"
kcheck --config $C --proc-root $A --state $S --now 1700000900
expect_rc "after the reset, rates again" 0
expect_eq "after the reset: a rate" "$(perf compact_stall_rate)" 0

# ---- a changed boot_id: a reboot even when the counters grew --------------------------
P0=$TMP/boot0 P1=$TMP/boot1
proc_copy $B $P0; proc_copy $A $P1
echo 6f2c3cb6-8c7e-4b7e-9c55-7a1f0a7d0001 > $P0/boot_id
echo 6f2c3cb6-8c7e-4b7e-9c55-7a1f0a7d0002 > $P1/boot_id
S2=$TMP/boot.state
kcheck --config $C --proc-root $P0 --state $S2 --now 1700000000
expect_eq "boot_id kept" "$(sed -n 's/^boot_id = //p' $S2)" 6f2c3cb6-8c7e-4b7e-9c55-7a1f0a7d0001
kcheck --config $C --proc-root $P1 --state $S2 --now 1700000300
expect_rc "boot changed" 0
has "boot change said" "rebooted since the last run \(boot_id changed\)"
expect_eq "boot changed: rate undetermined" "$(perf compact_stall_rate)" U

# ---- the clock went backwards ------------------------------------------------------
kcheck --config $C --proc-root $A --state $S --now 1600000000
expect_rc "clock backwards" 0
has "clock said" "the clock went backwards since the last run"

# ---- runs too close together: no rates, the older state kept ---------------------------
kcheck --config $C --proc-root $B --state $S --now 1700000000
kcheck --config $C --proc-root $A --state $S --now 1700000300
cp "$S" "$TMP/kept"
kcheck --config $C --proc-root $A --state $S --now 1700000305
expect_rc "5 s after the last run" 0
has "too close said" "only 5 s since the last run \(rate_min_interval 10 s\)"
cmp -s "$S" "$TMP/kept" && ok || fail "the state was replaced by a run 5 s later"
kcheck --config $C --proc-root $A --state $S --now 1700000400
expect_eq "100 s after the kept state: rates again" "$(perf compact_stall_rate)" 0

# ---- an unreadable state: UNKNOWN naming the file, then replaced ---------------------------
for bad in "garbage" "version = 1" "version = 7
time = 1" "version = 1
time = 1700000000
compact_stall = -3" "version = 1
time = 1700000000
frobs = 3"; do
	printf '%s\n' "$bad" > "$S"
	kcheck --config $C --proc-root $A --state $S --now 1700000600
	expect_rc "bad state '$(echo $bad | head -c 30)'" 3
	has "names the state file" "^UNKNOWN: state: previous run's state unreadable: $S"
	# the instantaneous checks still ran and are reported
	has "indices still checked" "^OK: unusable_index: node 0 Normal"
	grep -q '^version = 1$' "$S" && grep -q '^time = 1700000600.000$' "$S" && ok ||
		fail "a malformed state was not replaced: $(cat "$S")"
done
printf 'version = 1\ntime = 1700000000\ncompact_stall = 3\nfr' > "$S"	# cut short
kcheck --config $C --proc-root $A --state $S --now 1700000600
expect_rc "a state cut short" 3
has "cut short said" "the last line is cut short"
: > "$S"
kcheck --config $C --proc-root $A --state $S --now 1700000600
expect_rc "an empty state" 3
# a directory in its place: UNKNOWN, left alone
rm -f "$S"; mkdir "$S"
kcheck --config $C --proc-root $A --state $S --now 1700000600
expect_rc "a directory at the state path" 3
[ -d "$S" ] && ok || fail "the directory was replaced"
rmdir "$S"

# ---- a symbolic link planted at the state path is never followed ----------------------------
echo "precious" > "$TMP/target"
ln -s "$TMP/target" "$S"
kcheck --config $C --proc-root $A --state $S --now 1700000600
expect_rc "symlink at the state path" 3
has "symlink said" "is a symbolic link"
expect_eq "the link's target untouched" "$(cat "$TMP/target")" precious
[ -L "$S" ] && ok || fail "the link itself was replaced"
# a dangling link: not created through either
rm -f "$S" "$TMP/target"
ln -s "$TMP/target" "$S"
kcheck --config $C --proc-root $A --state $S --now 1700000600
expect_rc "dangling symlink at the state path" 3
[ ! -e "$TMP/target" ] && ok || fail "a file was created through the dangling link"
rm -f "$S"

# ---- the lock file, and no temporary file left behind --------------------------------
expect_eq "lock mode" "$(stat -c %a "$S.lock")" 600
expect_eq "temporary files" "$(ls -a "$(dirname "$S")" | grep -c kfrag-tmp)" 0

# ---- state_file empty: rates are not checked, nothing written -----------------------------
kcheck --config $C --proc-root $A --now 1700000600
expect_rc "no state file" 0
has "no state said" "no state file \(state_file is empty\)"

done_testing
