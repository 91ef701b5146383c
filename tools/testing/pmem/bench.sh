#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: stock and ours side by side.  Boots the lean x86_64
# kernels alternately (stock, ours, stock, ours, ...: ROUNDS rounds, so
# a drift of the host's load hits both alike) with the bench scenario
# alone (scenarios/99-bench.sh, REPS repetitions of every figure per
# boot), gathers its notes and reports every figure as min / median /
# max over all repetitions of a kernel, and the ratio ours / stock of
# the medians.
#
# Usage: bench.sh BUILD LOGS ROUNDS REPS
# Outputs: LOGS/bench.txt (the table, also on stdout), LOGS/bench.tsv,
# LOGS/bench-time.png (enable / disable time against namespace size and
# count, stock and ours on the same axes), LOGS/bench/ (raw notes).
set -eu
build=$(cd "${1:?usage: bench.sh BUILD LOGS ROUNDS REPS}" && pwd)
logs=$(cd "${2:?}" && pwd)
rounds=${3:?}
reps=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
raw=$logs/bench
rm -rf "$raw"
mkdir -p "$raw"
start=$(date +%s)
rc=0
for r in $(seq 1 "$rounds"); do
	for m in stock ours; do
		echo "bench: round $r of $rounds, $m"
		PMEM_APPEND="pmemtest.reps=$reps" "$here/run.sh" --kernel "$build/kernel-$m" \
			--mode "$m" --build "$build" --logs "$raw" --timeout 3600 \
			--scenario bench > "$raw/run-$m-$r.log" 2>&1 ||
			{ rc=1; echo "bench: the $m run of round $r failed, see $raw/run-$m-$r.log"; }
		cp "$build/pmem/run-$m/results/bench.notes" "$raw/$m-$r.notes" 2> /dev/null || true
	done
done
python3 "$here/bench-report.py" "$raw" "$logs/bench.tsv" "$logs/bench-time.png" |
	tee "$logs/bench.txt"
echo "bench: $rounds rounds x $reps repetitions per kernel, $(( $(date +%s) - start )) s" |
	tee -a "$logs/bench.txt"
exit $rc
