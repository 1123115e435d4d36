#!/bin/bash
# kfrag check's files: the history (JSON Lines, appended under a lock, never
# truncated), the Prometheus textfile (replaced atomically, 0644), runs in
# parallel, symbolic links planted in their place, --quiet.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
need_cmd jq

B=$MOVED/before A=$MOVED/after
C=$TMP/c.conf
H=$TMP/hist/sub/history.jsonl		# directories do not exist yet
P=$TMP/prom/kfrag.prom
base_conf $C

# ---- history: one JSON line per run, appended --------------------------------
kcheck --config $C --proc-root $B --history $H --now 1700000000
expect_rc "first run with history" 0
expect_eq "history mode" "$(stat -c %a "$H")" 600
expect_eq "history lines" "$(wc -l < "$H")" 1
kcheck --config $C --proc-root $A --history $H --now 1700000060
kcheck --config $C --proc-root $A --history $H --now 1700000120 --json
expect_eq "history lines after three runs" "$(wc -l < "$H")" 3
expect_eq "every line is one JSON object" "$(jq -c 'type' "$H" | sort -u)" '"object"'
expect_eq "timestamps in order" "$(jq -r .timestamp "$H" | tr '\n' ' ')" "1700000000 1700000060 1700000120 "
expect_eq "statuses" "$(jq -r .status "$H" | sort -u)" OK
expect_eq "history line = --json output" "$(tail -1 "$H" | jq -S -c .)" "$(jq -S -c . "$TMP/out")"
expect_eq "unusable index in history" \
	"$(head -1 "$H" | jq -r '.checks[] | select(.check == "unusable_index" and .zone == "Normal" and .order == 9) | .value')" \
	"$(kernel_index $B/unusable_index Normal 9)"

# never truncated: what is there stays, byte for byte
cp "$H" "$TMP/h.before"
kcheck --config $C --proc-root $A --history $H --now 1700000180
cmp -s "$TMP/h.before" <(head -c "$(stat -c %s "$TMP/h.before")" "$H") && ok || fail "the history's earlier lines changed"
# a last line cut short (a crash): ours still starts on a line of its own
printf '{"cut": ' >> "$H"
kcheck --config $C --proc-root $A --history $H --now 1700000240
expect_eq "line after a cut one parses" "$(tail -1 "$H" | jq -r .timestamp)" 1700000240
expect_eq "the cut line kept" "$(tail -2 "$H" | head -1)" '{"cut": '

# ---- 20 checks at once: every line whole, none lost ------------------------------
H2=$TMP/par/history.jsonl P2=$TMP/par/kfrag.prom S2=$TMP/par/check.state
pids=
for i in $(seq 20); do
	"$KFRAG" check --config $C --proc-root $A --history $H2 --prometheus $P2 --state $S2 \
		--now $((1700000000 + i * 60)) > "$TMP/par.$i" 2>&1 &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait $p || [ $? -lt 3 ] || bad=$((bad + 1)); done
expect_eq "parallel runs that were UNKNOWN" "$bad" 0
expect_eq "history lines after 20 parallel runs" "$(wc -l < "$H2")" 20
expect_eq "every parallel line parses" "$(jq -c -R 'fromjson? | .status' "$H2" | grep -c '"')" 20
expect_eq "20 distinct runs" "$(jq -r .timestamp "$H2" | sort -u | wc -l)" 20
grep -q '^kfrag_check_status [0-3]$' "$P2" && ok || fail "textfile after parallel runs"
tail -1 "$P2" | grep -qE '^kfrag_[a-z_]+(\{[^}]*\})? -?[0-9.]+$' && ok || fail "textfile ends mid-line: $(tail -c 100 "$P2")"
grep -q '^version = 1$' "$S2" && ok || fail "state after parallel runs: $(cat "$S2")"
expect_eq "temporary files left" "$(ls -a "$TMP/par" | grep -c kfrag-tmp)" 0

# ---- the Prometheus textfile: atomically replaced, 0644 whatever the umask -------------
( umask 077; "$KFRAG" check --config $C --proc-root $B --prometheus $P --now 1700000000 > /dev/null )
expect_eq "textfile mode" "$(stat -c %a "$P")" 644
ino=$(stat -c %i "$P")
kcheck --config $C --proc-root $A --prometheus $P --now 1700000060
[ "$(stat -c %i "$P")" != "$ino" ] && ok || fail "the textfile was rewritten in place, not replaced"
grep -q '^kfrag_check_timestamp_seconds 1700000060$' "$P" && ok || fail "textfile not the new run's"
expect_eq "temporary files left" "$(ls -a "$TMP/prom" | grep -c kfrag-tmp)" 0

# ---- symbolic links planted in their place: never written through ----------------------
echo precious > "$TMP/target"
ln -s "$TMP/target" "$TMP/link.prom"
kcheck --config $C --proc-root $B --prometheus "$TMP/link.prom"
expect_rc "textfile path is a symlink" 3
has "textfile symlink said" "^UNKNOWN: prometheus: .*link.prom is a symbolic link: not replaced"
expect_eq "link target untouched (textfile)" "$(cat "$TMP/target")" precious
[ -L "$TMP/link.prom" ] && ok || fail "the textfile link was replaced"
ln -s "$TMP/target" "$TMP/link.jsonl"
kcheck --config $C --proc-root $B --history "$TMP/link.jsonl"
expect_rc "history path is a symlink" 3
has "history symlink said" "^UNKNOWN: history: cannot append to .*link.jsonl: it is a symbolic link"
expect_eq "link target untouched (history)" "$(cat "$TMP/target")" precious
ln -s "$TMP/nothing-here" "$TMP/dangling.jsonl"
kcheck --config $C --proc-root $B --history "$TMP/dangling.jsonl"
expect_rc "history path is a dangling symlink" 3
[ ! -e "$TMP/nothing-here" ] && ok || fail "a file was created through the dangling link"
# measured CRITICAL stays CRITICAL even when a file cannot be written
{ base_conf; echo "unusable_critical = 0.01"; } > $TMP/crit.conf
kcheck --config $TMP/crit.conf --proc-root $B --history "$TMP/link.jsonl"
expect_rc "CRITICAL and an unwritable history" 2
# and a failure of kfrag's own is never CRITICAL
kcheck --config $C --proc-root $B --history /proc/kfrag-no-such-dir/h.jsonl
expect_rc "an unwritable history" 3

# ---- --quiet: nothing when OK, the verdict otherwise ---------------------------------
kcheck --config $C --proc-root $B --quiet
expect_rc "quiet OK" 0
expect_eq "quiet OK prints nothing" "$out$err" ""
kcheck --config $TMP/crit.conf --proc-root $B --quiet
expect_rc "quiet CRITICAL" 2
grep -q '^KFRAG CRITICAL - ' "$TMP/out" && ok || fail "quiet CRITICAL printed: $out"

# ---- a measurement that failed still leaves its trace in history and textfile ---------------
kcheck --config $C --proc-root $TMP/nonexistent --history $TMP/fail.jsonl --prometheus $TMP/fail.prom
expect_rc "cannot measure" 3
expect_eq "UNKNOWN in the history" "$(jq -r .status $TMP/fail.jsonl)" UNKNOWN
grep -q '^kfrag_check_status 3$' $TMP/fail.prom && ok || fail "UNKNOWN not in the textfile"

done_testing
