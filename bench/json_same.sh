#!/bin/bash
# Same numbers before and after a change to the readers:
#   bench/json_same.sh KFRAG_BEFORE KFRAG_AFTER [SHARED_DATA]
# runs both kfrag binaries on every trace.dat in SHARED_DATA (and on the
# kmem-storm trace_pipe sample) with the machine state read from a fixed
# snapshot (--proc-root: the capture's proc-after, else another capture's,
# so nothing of this machine's /proc enters the reports), and compares the JSON
# with the fields that time the run itself taken out. Exit 0 when every
# report is the same, 1 with a diff otherwise.
set -eu
before=$1
after=$2
data=${3:-$(dirname "$0")/../../shared/data}
out=$(mktemp -d "${TMPDIR:-/tmp}/kfrag-json-same.XXXXXX")
trap 'rm -rf "$out"' EXIT
# fields that measure kfrag's own run, not the trace
strip='del(.kfrag_version) | del(.. | .elapsed_s?, .cpu_s?, .rss_kb?, .read_s?) '
fallback=$(ls -d "$data"/*/proc-after | head -1)
status=0
n=0
for input in "$data"/*/trace.dat "$data"/kmem-storm/trace_pipe.txt; do
	[ -f "$input" ] || continue
	root="$(dirname "$input")/proc-after"
	[ -d "$root" ] || root=$fallback
	for v in before after; do
		bin=$before
		[ "$v" = after ] && bin=$after
		"$bin" report --input "$input" --proc-root "$root" --json --output "$out/$v.json" 2>"$out/$v.err" ||
			{ echo "json_same: $bin failed on $input: $(cat "$out/$v.err")" >&2; exit 1; }
		jq -S "$strip" "$out/$v.json" > "$out/$v.norm"
	done
	n=$((n + 1))
	if cmp -s "$out/before.norm" "$out/after.norm"; then
		echo "same:      $input"
	else
		echo "DIFFERENT: $input"
		diff "$out/before.norm" "$out/after.norm" | head -40
		status=1
	fi
done
[ "$n" -gt 0 ] || { echo "json_same: no captures in $data" >&2; exit 1; }
exit "$status"
