#!/bin/bash
# The Grafana dashboard kfrag ships (data/grafana/kfrag-dashboard.json):
# valid JSON that Grafana imports (a title, a uid, panels with unique ids on
# the 24-column grid, every query on the datasource variable), every query
# valid PromQL (promtool checks them as recording rules), and every metric a
# query names one that kfrag check writes.
. "${SRCDIR:-.}/tests/lib/lib.sh"
. "${SRCDIR:-.}/tests/lib/check_lib.sh"
. "${SRCDIR:-.}/tests/lib/metrics_lib.sh"
need_cmd jq
D=$SRCDIR/data/grafana/kfrag-dashboard.json

jq empty $D 2> $TMP/jq && ok || fail "$D is not valid JSON: $(cat $TMP/jq)"
expect_eq "uid" "$(jq -r .uid $D)" kfrag-fragmentation
jq -e '.title | length > 0' $D > /dev/null && ok || fail "no title"
expect_eq "panel ids are unique" "$(jq '[.panels[].id] | length == (unique | length)' $D)" true
expect_eq "every panel inside the 24-column grid" \
	"$(jq '[.panels[].gridPos | .x >= 0 and .w > 0 and .x + .w <= 24 and .h > 0] | all' $D)" true
expect_eq "every query uses the datasource variable" \
	"$(jq '[.panels[] | select(.type != "row") | .datasource.uid, .targets[].datasource.uid] | all(. == "${datasource}")' $D)" true
expect_eq "every panel has a query" "$(jq '[.panels[] | select(.type != "row") | .targets | length > 0] | all' $D)" true
# the findings panel reads the findings' series
jq -r '.panels[] | select(.title | startswith("Findings by kind")) | .targets[].expr' $D | grep -q 'kfrag_finding{' &&
	ok || fail "the findings panel does not query kfrag_finding"
# the panels the issue asks for
for t in 'Fragmentation index by order' 'High-order free blocks' 'Compaction episodes' 'Guard alerts' 'Check status' 'Findings by kind'; do
	jq -e --arg t "$t" '[.panels[].title | startswith($t)] | any' $D > /dev/null && ok || fail "no panel '$t'"
done

# queries and template queries, the dashboard's variables filled in
jq -r '.panels[].targets[]?.expr, (.templating.list[] | select(.type == "query") | .query.query)' $D |
	sed 's/\$__rate_interval/5m/g; s/\$[a-z]*/.*/g' > $TMP/exprs
[ "$(wc -l < $TMP/exprs)" -gt 10 ] && ok || fail "few queries: $(cat $TMP/exprs)"
if command -v promtool > /dev/null; then
	{
		echo 'groups: [ { name: dashboard, rules: ['
		n=0
		grep -v '^label_values' $TMP/exprs | while IFS= read -r e; do
			n=$((n + 1))
			printf '  { record: "dashboard:query%d", expr: %s },\n' $n "$(jq -Rn --arg e "$e" '$e')"
		done
		echo '] } ]'
	} > $TMP/queries.yml
	promtool check rules $TMP/queries.yml > $TMP/promtool 2>&1 && ok ||
		fail "a dashboard query is not valid PromQL: $(cat $TMP/promtool)"
else
	echo "promtool not installed: the queries' syntax is not checked" >&2
fi

written_metrics $TMP/written
promql_metrics < $TMP/exprs > $TMP/named
[ "$(wc -l < $TMP/named)" -gt 5 ] && ok || fail "the queries name few metrics: $(cat $TMP/named)"
# every query names a metric kfrag writes: none that needs another exporter
# (node_exporter's buddyinfo collector is off by default, and kfrag does not
# write its free blocks by order again)
grep -q '^node_buddyinfo' $TMP/written && fail "kfrag writes node_exporter's node_buddyinfo_blocks" || ok
sort -u $TMP/written > $TMP/known
comm -23 $TMP/named $TMP/known > $TMP/unknown
[ -s $TMP/unknown ] && fail "the dashboard names metrics kfrag check does not write: $(tr '\n' ' ' < $TMP/unknown)" || ok
done_testing
