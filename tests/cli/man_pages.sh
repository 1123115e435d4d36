#!/bin/bash
# The manuals: one per command (kfrag-report, -record, -top, -check) beside
# the kfrag(8) overview and kfrag.conf(5), each mandoc -Tlint clean; every
# option a command's --help lists is in its manual, every configuration key
# kfrag check knows in kfrag.conf(5), every metric it writes in
# kfrag-check(8); every manual they name exists and is installed.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
. "${SRCDIR:-.}/tests/lib/metrics_lib.sh"
M=$SRCDIR/man
pages="kfrag.8 kfrag-report.8 kfrag-record.8 kfrag-top.8 kfrag-check.8 kfrag.conf.5"
installed=$(sed -n '/^dist_man_MANS/,/^$/p' $SRCDIR/Makefile.am)
for p in $pages; do
	[ -f $M/$p ] && ok || fail "no man/$p"
	case $installed in *"man/$p"*) ok ;; *) fail "man/$p is not in dist_man_MANS" ;; esac
done

if command -v mandoc > /dev/null; then
	for p in $M/*.[0-9]; do
		mandoc -Tlint $p > $TMP/lint 2>&1
		[ -s $TMP/lint ] && fail "mandoc -Tlint $(basename $p): $(head -5 $TMP/lint)" || ok
	done
else
	echo "mandoc not installed (Debian package mandoc): the manuals are not linted" >&2
fi

# man(7) writes a hyphen of an option as \-: undo it to compare with --help
text() { sed 's/\\-/-/g; s/\\f[BIRP]//g' "$1"; }
for cmd in report record top check; do
	"$KFRAG" $cmd --help | sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' | sort -u > $TMP/opts
	[ -s $TMP/opts ] && ok || fail "$cmd --help lists no option"
	text $M/kfrag-$cmd.8 > $TMP/page
	for o in $(cat $TMP/opts); do
		grep -qe "$o\\b" $TMP/page && ok || fail "kfrag-$cmd(8) does not document $o"
	done
done

# every configuration key, as .B key in kfrag.conf(5)
"$KFRAG" check --print-config --config /dev/null | sed -n 's/^\([a-z_]*\) =.*/\1/p' > $TMP/keys
[ "$(wc -l < $TMP/keys)" -gt 20 ] && ok || fail "few keys from --print-config: $(cat $TMP/keys)"
for k in $(cat $TMP/keys); do
	grep -qx "\.B $k" $M/kfrag.conf.5 && ok || fail "kfrag.conf(5) does not document $k"
done

# every metric kfrag check writes, in kfrag-check(8)
written_metrics $TMP/metric-names
text $M/kfrag-check.8 > $TMP/page
for m in $(cat $TMP/metric-names); do
	grep -q "\\b$m\\b" $TMP/page && ok || fail "kfrag-check(8) does not document the metric $m"
done

# every kfrag manual a manual, a unit or the help names exists
{ cat $M/*.[0-9] | sed -n 's/^\.BR \(kfrag[^ ]*\) (\([0-9]\)).*/\1.\2/p' | sed 's/\\-/-/g'
  cat $SRCDIR/data/*.in | grep -o 'kfrag[a-z.-]*([0-9])' | sed 's/(\([0-9]\))/.\1/'
  "$KFRAG" --help | grep -o 'kfrag[a-z.-]*([0-9])' | sed 's/(\([0-9]\))/.\1/'
} | sort -u > $TMP/named
grep -q kfrag-check.8 $TMP/named && ok || fail "no reference found at all: $(cat $TMP/named)"
for n in $(cat $TMP/named); do
	[ -f $M/$n ] && ok || fail "a reference to $n, which is no manual"
done
done_testing
