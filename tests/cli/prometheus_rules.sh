#!/bin/bash
# The alert rules kfrag ships (data/prometheus/kfrag.rules.yml): promtool
# checks them and runs their unit tests (kfrag.rules.test.yml, each alert
# firing and not), and every metric they and their tests name is one that
# kfrag check writes.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
. "${SRCDIR:-.}/tests/lib/metrics_lib.sh"
need_cmd promtool	# Debian package prometheus (.ci/debian-packages)
R=$SRCDIR/data/prometheus

promtool check rules $R/kfrag.rules.yml > $TMP/check 2>&1 && ok || fail "promtool check rules: $(cat $TMP/check)"
# promtool test rules reads rule_files relative to the test file
(cd $R && promtool test rules kfrag.rules.test.yml) > $TMP/test 2>&1 && ok ||
	fail "promtool test rules: $(cat $TMP/test)"

# the alerts the issue asks for, each with a test of its own
for a in KfragGuardCritical KfragCheckCritical KfragCheckStale KfragHighOrderAtRisk KfragFragmentingFallbacks; do
	grep -q "alert: $a\$" $R/kfrag.rules.yml && ok || fail "no alert $a"
	grep -q "alertname: $a\$" $R/kfrag.rules.test.yml && ok || fail "alert $a has no unit test"
done

written_metrics $TMP/written
[ -s $TMP/written ] && ok || fail "kfrag check wrote no metric"
for f in kfrag.rules.yml kfrag.rules.test.yml; do
	grep -vE '^ *#' $R/$f | promql_metrics > $TMP/named
	[ -s $TMP/named ] && ok || fail "$f names no metric"
	comm -23 $TMP/named $TMP/written > $TMP/unknown
	[ -s $TMP/unknown ] && fail "$f names metrics kfrag check does not write: $(tr '\n' ' ' < $TMP/unknown)" || ok
done
done_testing
