# The metric names kfrag check really writes (sourced after lib.sh and
# check_lib.sh), for the tests of what reads them: the alert rules and the
# Grafana dashboard must name no metric kfrag does not write.
#
# written_metrics FILE: the metric families of textfiles that kfrag check
# writes offline, one name a line, sorted; the union of three runs so that
# every conditional family shows:
#  - two runs on the saved /proc pair with a recorded trace (rates, the
#    trace window, lost events);
#  - a capture of locked pages that moved (tests/data/tracedat's), its pid
#    protected (the guard's alerts);
#  - the saved slice of /proc/kpageflags (the memory map);
#  - as root with tracefs, one live run of a second (what only the live
#    machine has, vm.compact_unevictable_allowed), under the live tests'
#    lock. Without root those families are listed in LIVE_ONLY_METRICS.
LIVE_ONLY_METRICS="kfrag_guard_compact_unevictable_allowed"
written_metrics() {
	local c=$TMP/metrics.conf d=$TMP/metrics mm=$FIXTURES/memmap/normal-48 cap pid
	mkdir -p $d/fx
	base_conf $c
	"$KFRAG" check --config $c --proc-root $MOVED/before --state $d/s --now 1700000000 > /dev/null
	"$KFRAG" check --config $c --proc-root $MOVED/after --state $d/s --now 1700000300 \
		--input $FIXTURES/text/pipe_lost.txt --prometheus $d/1.prom > /dev/null
	cap=$(tracedat_caps moved | head -n 1)
	if [ -f "$cap/trace.dat" ]; then
		pid=$(sed -n 's/.*protected_pid=\([0-9]*\).*/\1/p' $cap/scenario)
		{ base_conf; echo "protect_pid = $pid"; } > $d/guard.conf
		"$KFRAG" check --config $d/guard.conf --input $cap/trace.dat --proc-root $cap/proc-after \
			--prometheus $d/2.prom > /dev/null
	else
		echo "note: $cap not present: the guard's alert series are not part of the reference" >&2
	fi
	cp $mm/zoneinfo $mm/buddyinfo $mm/pagetypeinfo $mm/kpageflags $mm/kpageflags.start_pfn $d/fx/
	cp $MOVED/before/vmstat $d/fx/
	chmod 644 $d/fx/*
	"$KFRAG" check --config $c --proc-root $d/fx --prometheus $d/3.prom > /dev/null
	if [ "$(id -u)" = 0 ] && try_tracefs && command -v flock > /dev/null; then
		live_run "$KFRAG" check --config $c --duration 1 --prometheus $d/4.prom > /dev/null
	else
		echo "note: not root with tracefs: $LIVE_ONLY_METRICS taken as written" >&2
		printf '# TYPE %s gauge\n' $LIVE_ONLY_METRICS > $d/4.prom
	fi
	cat $d/*.prom | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' | sort -u > "$1"
}

# promql_metrics: the metric names in PromQL expressions on standard input
# (no label kfrag or node_exporter writes starts with kfrag_ or node_)
promql_metrics() { grep -oE '\<(kfrag|node)_[a-z0-9_]+' | sort -u; }
