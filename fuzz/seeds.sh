#!/bin/bash
# Seed corpora of the fuzz targets, from the test fixtures: seeds.sh SRCDIR OUTDIR
# makes OUTDIR/{text,proc,check_files,decode}/. The proc and check-file
# targets take a first byte that chooses the reader (see their sources).
set -eu
src=$1 out=$2
mkdir -p "$out/text" "$out/proc" "$out/check_files" "$out/decode"
n=0
for f in "$src"/tests/data/text/*.txt "$src"/tests/data/check/*.txt; do
	n=$((n + 1))
	head -c 65536 "$f" > "$out/text/seed-$n"
done
i=0
for name in buddyinfo zoneinfo pagetypeinfo vmstat; do
	for f in $(find "$src/tests/data/proc" "$src/tests/data/tracedat" -name "$name" | sort); do
		n=$((n + 1))
		{ printf "\\$(printf %03o $i)"; cat "$f"; } > "$out/proc/seed-$n"
	done
	i=$((i + 1))
done
{ printf '\000'; cat "$src/data/kfrag.conf.in"; } > "$out/check_files/conf"
{ printf '\001'; cat "$src/fuzz/state.seed"; } > "$out/check_files/state"
# decode: real records need trace-cmd's raw dump; two bytes of event choice
# and a zeroed 64-byte payload per event are enough to start from
for e in $(seq 0 40); do
	{ printf "\\$(printf %03o $e)\\000"; head -c 64 /dev/zero; } > "$out/decode/seed-$e"
done
