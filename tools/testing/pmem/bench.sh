#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: stock and ours side by side.  Boots the lean x86_64
# kernels without their debugging (make kernel NODEBUG=1:
# build/kernel-{stock,ours}-nodebug) alternately (stock, ours, stock,
# ours, ...: ROUNDS rounds, so a drift of the host's load hits both
# alike) with the bench scenario alone (scenarios/99-bench.sh, REPS
# repetitions of every figure per boot, on 2 vCPUs), once more on one
# vCPU for the namespaces of each size only, once more with expedited
# RCU grace periods for the N x 16 MiB namespaces, and twice more for the boot
# figures (scenarios/98-bench-boot.sh: 7 GiB of RAM, the upper 4 GiB
# legacy pmem or reserved), then times our KUnit suites under UML
# (make kunit, warm), gathers the notes and reports every figure as
# min / median / max over all repetitions of a kernel, and the ratio
# ours / stock of the medians.
#
# Usage: bench.sh BUILD LOGS ROUNDS REPS [BOOTS]
# BOOTS (default 3): boots of each boot-figure variant per round and
# kernel, so the boot times have ROUNDS x BOOTS samples.
# Outputs: LOGS/bench.txt (the table, also on stdout), LOGS/bench.tsv,
# LOGS/bench.md (the condensed table for RESULTS.md),
# LOGS/bench-time.png (enable / disable time against namespace size and
# count, stock and ours on the same axes), LOGS/bench/ (raw notes).
set -eu
build=$(cd "${1:?usage: bench.sh BUILD LOGS ROUNDS REPS}" && pwd)
logs=$(cd "${2:?}" && pwd)
rounds=${3:?}
reps=${4:?}
boots=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
raw=$logs/bench
rm -rf "$raw"
mkdir -p "$raw"
start=$(date +%s)
rc=0
# boot KERNEL ROUND WHAT SCENARIO [ENV...]: one boot running SCENARIO,
# its notes kept as RAWDIR/KERNEL-WHAT-ROUND.notes.
boot() {
	local m=$1 r=$2 what=$3 scen=$4
	shift 4
	local label="round $r of $rounds"
	# ROUND N.B: boot B of the boot variants of round N
	case $r in
	*.*) label="round ${r%.*} of $rounds, boot ${r#*.} of $boots" ;;
	esac
	echo "bench: $label, $m, $what"
	env "$@" "$here/run.sh" --kernel "$build/kernel-$m-nodebug" --mode "$m" \
		--build "$build" --logs "$raw" --timeout 3600 --scenario "$scen" \
		> "$raw/run-$m-$what-$r.log" 2>&1 ||
		{ rc=1; echo "bench: the $m $what run of round $r failed, see $raw/run-$m-$what-$r.log"; }
	cp "$build/pmem/run-$m-nodebug/results/$scen.notes" "$raw/$m-$what-$r.notes" 2> /dev/null || true
}
for r in $(seq 1 "$rounds"); do
	for m in stock ours; do
		# 4 GiB of RAM: the memmap of 64 GiB is 1 GiB
		boot "$m" "$r" nvdimm bench PMEM_RAM_GB=4 PMEM_APPEND="pmemtest.reps=$reps"
		# the namespaces alone on one vCPU: the parallel memmap
		# init has no second CPU there, so ours must match stock
		boot "$m" "$r" 1cpu bench PMEM_RAM_GB=4 PMEM_SMP=1 \
			PMEM_APPEND="pmemtest.reps=$reps pmemtest.bench=sizes"
		# N x 16 MiB with expedited grace periods: what a disable
		# waits for
		boot "$m" "$r" rcuexp bench PMEM_RAM_GB=4 \
			PMEM_APPEND="pmemtest.reps=$reps pmemtest.bench=count rcupdate.rcu_expedited=1"
		# the same System RAM, the upper 4 GiB pmem or reserved
		for b in $(seq 1 "$boots"); do
			boot "$m" "$r.$b" pmem4g bench-boot PMEM_RAM_GB=7 \
				PMEM_APPEND="pmemtest.reps=$reps memmap=4G!4G"
			boot "$m" "$r.$b" none bench-boot PMEM_RAM_GB=7 \
				PMEM_APPEND="pmemtest.reps=$reps memmap=4G\$4G"
		done
	done
done
# Our suites under UML (warm: the build make made), from kunit.py's
# "Elapsed time" line; ours only, there are no stock suites.
echo "bench: KUnit suites under UML (make kunit)"
if make -C "$here/../../.." --no-print-directory kunit > "$raw/kunit.out" 2>&1; then
	sed -n 's/.*Elapsed time: \([0-9.]*\)s total, [0-9.]*s configuring, \([0-9.]*\)s building, \([0-9.]*\)s running.*/\1 \2 \3/p' \
		"$logs/kunit.log" | tail -n 1 | {
		read -r total building running || exit 0
		echo "kunit: bench kunit:total:uml $total s"
		echo "kunit: bench kunit:building:uml $building s"
		echo "kunit: bench kunit:running:uml $running s"
	} > "$raw/ours-kunit-1.notes"
	cases=$(sed -n 's/.*Testing complete. Ran \([0-9]*\) tests.*/\1/p' "$logs/kunit.log" | tail -n 1)
	[ -n "$cases" ] && echo "kunit: bench kunit:cases:uml $cases cases" >> "$raw/ours-kunit-1.notes"
else
	rc=1
	echo "bench: make kunit failed, see $raw/kunit.out"
fi
python3 "$here/bench-report.py" "$raw" "$logs/bench.tsv" "$logs/bench-time.png" |
	tee "$logs/bench.txt"
{
	echo "bench: the cold and warm times of make and make check are in RESULTS.md"
	echo "bench: $rounds rounds x $reps repetitions per kernel, $boots boots of each boot variant per round, $(( $(date +%s) - start )) s"
} |
	tee -a "$logs/bench.txt"
# RESULTS.md: the figures by kind, the goals, the waits, the memory and
# the run's size; the whole table stays in LOGS/bench.txt and bench.md
grep -E '^(ours/stock by kind|target:|linear:|waits:|memory,|of them beyond noise|per round|bench: [0-9]+ rounds)' \
	"$logs/bench.txt" > "$logs/bench.summary"
python3 "$here/../subsection/results.py" "$(cd "$here/../../.." && pwd)" \
	bench "$logs/bench.summary"
exit $rc
