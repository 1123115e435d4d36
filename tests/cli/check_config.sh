#!/bin/bash
# kfrag check's configuration: bad files name the line and exit UNKNOWN,
# --print-config shows the effective values and reads back, the shipped
# kfrag.conf is the built-in defaults, the systemd units and cron example
# have their paths filled in; the command line.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"

B=$MOVED/before
C=$TMP/c.conf
BUILD=$(dirname "$KFRAG")

# ---- bad configurations: UNKNOWN, FILE:LINE ------------------------------------
bad_conf() {	# WHAT LINE PATTERN, the file on stdin
	cat > $C
	kcheck --config $C --proc-root $B
	expect_rc "$1" 3
	grep -qE "^KFRAG UNKNOWN - configuration: $C:$2: $3" "$TMP/out" && ok ||
		fail "$1: want '$C:$2: $3', got: $out"
}
printf 'duration = 5\n# comment\n\nfrobnicate = 3\n' | bad_conf "unknown key" 4 "unknown key 'frobnicate'"
printf 'unusable_warning = lots\n' | bad_conf "bad number" 1 "unusable_warning: 'lots' is not a number from 0 to 1, or off"
printf 'state_file =\nunusable_critical = 1.5\n' | bad_conf "out of range" 2 "unusable_critical: '1.5' is not a number from 0 to 1"
printf 'duration = -1\n' | bad_conf "negative duration" 1 "duration: '-1' is not a number"
printf 'unusable_orders = 3 x\n' | bad_conf "bad order" 1 "unusable_orders: 'x' is not an order from 0 to 15"
printf 'unusable_orders = 3 3\n' | bad_conf "repeated order" 1 "unusable_orders: '3' is not given once"
printf 'extfrag_orders = 16\n' | bad_conf "order too large" 1 "extfrag_orders: '16' is not an order"
printf 'state_file = relative/path\n' | bad_conf "relative path" 1 "state_file: 'relative/path' is not an absolute path"
printf 'history_file = /var/lib/kfrag/\n' | bad_conf "directory path" 1 "history_file: '/var/lib/kfrag/' is not a file name"
printf 'guard = maybe\n' | bad_conf "bad boolean" 1 "guard: 'maybe' is not yes or no"
printf 'protect_pid = 12 abc\n' | bad_conf "bad pid" 1 "protect_pid: 'abc' is not a process id"
printf 'protect_comm = a_very_long_command_name\n' | bad_conf "long comm" 1 "protect_comm: 'a_very_long_command_name' is not a command name"
printf 'zones = Nor-mal\n' | bad_conf "bad zone" 1 "zones: 'Nor-mal' is not a zone name"
printf 'memmap = sometimes\n' | bad_conf "bad memmap" 1 "memmap: 'sometimes' is not yes or no"
printf 'state_file =\n\nblocked_fraction_warning = 50%%\n' | bad_conf "a percentage" 3 "blocked_fraction_warning: '50%' is not a number from 0 to 1, or off"
printf 'blocked_fraction_critical = 1.2\n' | bad_conf "fraction above 1" 1 "blocked_fraction_critical: '1.2' is not a number from 0 to 1, or off"
printf 'blocked_fraction_min_blocks = 0\n' | bad_conf "min_blocks 0" 1 "blocked_fraction_min_blocks: '0' is not a whole number from 1 to 1000000000"
printf 'blocked_fraction_min_blocks = many\n' | bad_conf "min_blocks not a number" 1 "blocked_fraction_min_blocks: 'many' is not a whole number"
printf 'duration = 5\nduration = 6\n' | bad_conf "repeated key" 2 "'duration' is set twice \(first at $C:1\)"
printf 'just some words\n' | bad_conf "not key = value" 1 "'just some words' is not 'key = value'"
printf ' = 5\n' | bad_conf "no key" 1 "no key before '='"
printf 'lost_events_critical = 1\n' | bad_conf "lost events are never critical" 1 "unknown key 'lost_events_critical'"
printf 'compact_fail_ratio_min_stalls = 2.5\n' | bad_conf "not a whole number" 1 "compact_fail_ratio_min_stalls: '2.5' is not a whole number"
printf 'duration = 5\0\n' | bad_conf "a NUL byte" 1 "a NUL byte"

kcheck --config $TMP/no-such.conf --proc-root $B
expect_rc "a missing --config" 3
has "missing config said" "^KFRAG UNKNOWN - configuration: $TMP/no-such.conf: No such file or directory"
kcheck --config $TMP --proc-root $B
expect_rc "a directory as --config" 3
kcheck --config $C --proc-root $B --json
expect_rc "bad config in JSON" 3
if command -v jq > /dev/null; then
	expect_eq "JSON status of a bad config" "$(jq -r .status "$TMP/out")" UNKNOWN
fi

# ---- good configurations -----------------------------------------------------------
cat > $C <<'EOF'
# comments, blank lines, trailing comments, commas in lists, off
   state_file =        # no state
history_file=
prometheus_file =
unusable_orders = 2, 4,9
unusable_warning = off   # only critical
unusable_critical = 0.97
zones = Normal DMA32
protect_comm = scx_rustland, scx_userland
protect_pid = 1
EOF
kcheck --config $C --proc-root $B
expect_rc "a good configuration" 0
for o in 2 4 9; do [ -n "$(perf unusable_node0_Normal_o$o)" ] && ok || fail "order $o not checked"; done
grep -q "'unusable_node0_Normal_o9'=[0-9.]*;;0.97;0;1" "$TMP/out" && ok || fail "warning off in perfdata: $(head -1 "$TMP/out" | tr ' ' '\n' | grep Normal_o9)"
hasnt "DMA not checked" "node 0 DMA:"
: > $TMP/empty.conf
kcheck --config /dev/null --proc-root $B --state '' --print-config
expect_rc "/dev/null is an empty configuration" 0

# ---- --print-config ------------------------------------------------------------------
kcheck --config $C --state $TMP/s --print-config
expect_rc "print-config" 0
grep -q "^state_file = $TMP/s$" "$TMP/out" && ok || fail "--state override not shown"
grep -q "^# (from --state; " "$TMP/out" && ok || fail "--state origin not shown"
grep -q "^unusable_orders = 2 4 9$" "$TMP/out" && ok || fail "list not shown: $(grep unusable_orders "$TMP/out")"
grep -q "^unusable_warning = off$" "$TMP/out" && ok || fail "off not shown"
grep -q "^# (from $C:6; default: 0.9)$" "$TMP/out" && ok || fail "file:line origin not shown: $(grep -B1 '^unusable_warning' "$TMP/out")"
grep -q "^zones = Normal DMA32$" "$TMP/out" && ok || fail "zones not shown"
grep -q "^protect_comm = scx_rustland scx_userland$" "$TMP/out" && ok || fail "comms not shown"
# what it prints is a configuration that reads back to the same
cp "$TMP/out" $TMP/printed.conf
kcheck --config $TMP/printed.conf --print-config
expect_rc "printed configuration reads back" 0
expect_eq "round trip" "$(grep -v '^#' "$TMP/out")" "$(grep -v '^#' $TMP/printed.conf)"
# every key is listed once
keys=$(grep -cE '^[a-z_]+ =( |$)' $TMP/printed.conf)
expect_eq "keys printed once" "$(grep -E '^[a-z_]+ =( |$)' $TMP/printed.conf | cut -d' ' -f1 | sort -u | wc -l)" "$keys"

# ---- the shipped kfrag.conf: every key, the built-in defaults ------------------------------
SHIPPED=$BUILD/data/kfrag.conf
if [ -f "$SHIPPED" ]; then
	grep -q '@[a-z]*@' "$SHIPPED" && fail "unfilled @...@ in $SHIPPED" || ok
	kcheck --config "$SHIPPED" --print-config
	expect_rc "the shipped configuration parses" 0
	grep -v '^#' "$TMP/out" > $TMP/shipped.values
	kcheck --config /dev/null --print-config
	grep -v '^#' "$TMP/out" > $TMP/default.values
	# the shipped file names the default files; everything else is the built-in default
	expect_eq "shipped = built-in defaults" \
		"$(grep -vE '^(history|prometheus)_file' $TMP/shipped.values)" \
		"$(grep -vE '^(history|prometheus)_file' $TMP/default.values)"
	expect_eq "every key in the shipped file" "$(grep -cE '^[a-z_]+ =( |$)' "$SHIPPED")" "$keys"
	grep -q "^history_file = /.*/lib/kfrag/history.jsonl$" "$SHIPPED" && ok || fail "shipped history_file"
	grep -q "^prometheus_file = /.*/node-exporter/kfrag.prom$" "$SHIPPED" && ok || fail "shipped prometheus_file"
else
	fail "no $SHIPPED: make builds it"
fi

# ---- systemd units and the cron example: paths filled in ---------------------------------------
for f in kfrag-check.service kfrag-check.timer kfrag-check.cron; do
	[ -f "$BUILD/data/$f" ] || { fail "no $BUILD/data/$f"; continue; }
	grep -q '@[a-z]*@' "$BUILD/data/$f" && fail "unfilled @...@ in $f" || ok
done
exec_start=$(sed -n 's/^ExecStart=//p' "$BUILD/data/kfrag-check.service")
case $exec_start in
/*/sbin/kfrag\ check\ --config\ /*/kfrag.conf) ok ;;
*) fail "ExecStart: $exec_start" ;;
esac
grep -q '^SuccessExitStatus=1 2$' "$BUILD/data/kfrag-check.service" && ok || fail "WARNING/CRITICAL must not fail the unit"
grep -qE '^\*/5 \* \* \* \* root /.*/sbin/kfrag check --quiet --config /.*/kfrag.conf$' "$BUILD/data/kfrag-check.cron" && ok ||
	fail "cron line: $(grep kfrag "$BUILD/data/kfrag-check.cron" | tail -1)"
if command -v systemd-analyze > /dev/null; then
	# verify the units as systemd reads them, pointing at this build's kfrag
	mkdir -p $TMP/units
	sed "s|^ExecStart=[^ ]*|ExecStart=$(cd "$BUILD" && pwd)/kfrag|" "$BUILD/data/kfrag-check.service" > $TMP/units/kfrag-check.service
	cp "$BUILD/data/kfrag-check.timer" $TMP/units/
	systemd-analyze verify --man=no $TMP/units/kfrag-check.timer $TMP/units/kfrag-check.service > $TMP/verify 2>&1
	st=$?; expect_eq "systemd-analyze verify: $(cat $TMP/verify)" "$st" 0
fi

# ---- command line ---------------------------------------------------------------------
"$KFRAG" check --help > "$TMP/out"
expect_eq "--help exit" "$?" 0
for opt in --duration --config --state --json --nagios --prometheus --history --quiet --print-config --input --proc-root --now; do
	grep -q -- "$opt" "$TMP/out" && ok || fail "--help does not document $opt"
done
"$KFRAG" --help | grep -q '^  check ' && ok || fail "kfrag --help does not list check"
kcheck --frobnicate
expect_rc "unknown option" 3
has "usage status line" "^KFRAG UNKNOWN - bad command line"
kcheck --duration
expect_rc "missing value" 3
kcheck extra
expect_rc "stray argument" 3
kcheck --now yesterday
expect_rc "bad --now" 3
kcheck --config /dev/null --duration abc --print-config
expect_rc "bad --duration" 3
has "bad --duration said" "^KFRAG UNKNOWN - configuration: --duration duration: 'abc' is not a number"

done_testing
