# Helpers of the kfrag check tests (sourced after tests/lib/lib.sh).
#
# Expected numbers are computed here from the saved /proc files with awk
# (and the kernel's own debugfs index files saved beside them), never taken
# from kfrag's output.
PROC=$FIXTURES/proc
MOVED=$PROC/compaction-mlocked-moved
CHECK_FX=$FIXTURES/check

# conf FILE [key = value lines on stdin]: a configuration with only those keys
conf() { cat > "$1"; }

# kcheck ARGS...: runs kfrag check with a configuration that switches the
# default files off, unless the test passes its own; sets $out, $err, $rc
kcheck() {
	"$KFRAG" check "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_rc WHAT WANT: the exit code of the last kcheck, with its output on failure
expect_rc() {
	if [ "$rc" = "$2" ]; then ok; else fail "$1: exit $rc, want $2; output: $(head -c 3000 "$TMP/out") $(cat "$TMP/err")"; fi
}

# has WHAT PATTERN: the output of the last kcheck matches the grep -E pattern
has() { grep -qE -- "$2" "$TMP/out" && ok || fail "$1: no line matching '$2' in: $(head -c 3000 "$TMP/out")"; }
hasnt() { grep -qE -- "$2" "$TMP/out" && fail "$1: a line matches '$2': $(grep -E -- "$2" "$TMP/out" | head -3)" || ok; }

# perfdata of the last kcheck: the status line's, and the long output's
# after its line starting with '|' (Nagios' long-output perfdata)
perfdata() { awk 'NR == 1 { sub(/^[^|]*\|/, ""); print; next } /^\| / { p = 1; sub(/^\| /, "") } p' "$TMP/out"; }
# perf LABEL: the value of a perfdata label of the last kcheck
perf() {
	perfdata | tr ' ' '\n' | sed -n "s/^'$1'=\([^;]*\).*/\1/p"
}

# status line word of the last kcheck
status_word() { head -1 "$TMP/out" | awk '{print $2}'; }

# kernel_index FILE ZONE ORDER: a debugfs extfrag index file's value
kernel_index() {
	awk -v z="$2" -v o="$3" '$4 == z { print $(5 + o) + 0 }' "$1"
}

# free blocks of order >= N in buddyinfo, counted in order-N blocks
blocks_ge() {
	awk -v n="$2" '{ for (i = 5 + n; i <= NF; i++) s += $i * 2 ^ (i - 5 - n) } END { print s + 0 }' "$1"
}

# the kernel's __fragmentation_index() in awk, from one buddyinfo row
extfrag_awk() {
	awk -v z="$2" -v o="$3" '$4 == z {
		pages = 0; total = 0; suitable = 0
		for (i = 5; i <= NF; i++) {
			k = i - 5; total += $i; pages += $i * 2 ^ k
			if (k >= o) suitable += $i * 2 ^ (k - o)
		}
		if (total == 0) { print 0; exit }
		if (suitable) { print -1; exit }
		v = 1000 - int((1000 + int(pages * 1000 / 2 ^ o)) / total)
		printf "%g\n", v / 1000
	}' "$1"
}

# vmstat VALUE of NAME in a saved vmstat
vmstat_of() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

# proc_copy SRC DST: a writable copy of a saved /proc tree
proc_copy() { mkdir -p "$2" && cp "$1"/* "$2"/ && chmod u+w "$2"/*; }

# set_vmstat DIR NAME VALUE
set_vmstat() {
	awk -v n="$2" -v v="$3" '$1 == n { $2 = v } { print }' "$1/vmstat" > "$1/vmstat.new" &&
		mv "$1/vmstat.new" "$1/vmstat"
}

# float comparison: fcmp A OP B (awk)
fcmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }

# a configuration with no default files (tests never touch /var): to
# FILE, or to standard output
base_conf() {
	if [ $# -gt 0 ]; then base_conf > "$1"; return; fi
	printf 'state_file =\nhistory_file =\nprometheus_file =\n'
}
