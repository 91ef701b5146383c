#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-profile: where the time of enabling a namespace goes, kernel
# beside kernel.  Boots each KERNEL (build/kernel-KERNEL: bzImage and
# modules, e.g. stock-nodebug, ours-nodebug) in turn, ROUNDS times, with
# scenarios/96-bench-profile.sh alone, and prints per namespace the
# median enable time of each kernel and the perf samples of the symbols
# that took the most, summed over the rounds.  Samples are counts of a
# 50 us software clock under TCG: compare kernels, not seconds.
#
# Usage: bench-profile.sh BUILD LOGS ROUNDS REPS SPECS KERNEL...
# Outputs: LOGS/bench-profile.txt (also on stdout), LOGS/bench-profile/
# (the notes of every boot).
set -u -o pipefail
build=$(cd "${1:?usage: bench-profile.sh BUILD LOGS ROUNDS REPS SPECS KERNEL...}" && pwd)
logs=$(cd "${2:?}" && pwd)
rounds=${3:?} reps=${4:?} specs=${5:?}
shift 5
[ $# -gt 0 ] || { echo "bench-profile: no kernel named" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
raw=$logs/bench-profile
rm -rf "$raw"
mkdir -p "$raw"
rc=0
for r in $(seq 1 "$rounds"); do
	for k in "$@"; do
		echo "bench-profile: round $r of $rounds, $k"
		PMEM_RAM_GB=4 PMEM_APPEND="pmemtest.reps=$reps pmemtest.profile=$specs" \
			"$here/run.sh" --kernel "$build/kernel-$k" --mode "${k%%-*}" \
			--build "$build" --logs "$raw" --timeout 3600 \
			--scenario bench-profile > "$raw/run-$k-$r.log" 2>&1 ||
			{ rc=1; echo "bench-profile: the $k run of round $r failed, see $raw/run-$k-$r.log"; }
		cp "$build/pmem/run-$k/results/bench-profile.notes" "$raw/$k-$r.notes" 2> /dev/null || true
	done
done
python3 - "$raw" "$@" <<'PY' | tee "$logs/bench-profile.txt"
import collections, glob, os, statistics, sys
raw, kernels = sys.argv[1], sys.argv[2:]
times = collections.defaultdict(list)
samples = collections.defaultdict(collections.Counter)
for k in kernels:
    for f in glob.glob(os.path.join(raw, k + '-*.notes')):
        for line in open(f):
            w = line.split()
            # "bench-profile: bench enable:SPEC US us" / "... profile SPEC N SYM"
            if len(w) == 5 and w[1] == 'bench' and w[2].startswith('enable:'):
                times[(w[2][7:], k)].append(int(w[3]))
            elif len(w) == 5 and w[1] == 'profile':
                samples[(w[2], w[4])][k] += int(w[3])
specs = sorted({s for s, _ in times} | {s for s, _ in samples})
for spec in specs:
    print(f'== {spec}')
    print('enable (us, median of all binds): ' + ', '.join(
        f'{k} {statistics.median(times[(spec, k)]):.0f} (n={len(times[(spec, k)])})'
        if times[(spec, k)] else f'{k} -' for k in kernels))
    rows = [(sym, c) for (s, sym), c in samples.items() if s == spec and sym != 'default_idle']
    rows.sort(key=lambda r: -sum(r[1].values()))
    print(f'{"symbol (samples, idle left out)":45s}' + ''.join(f'{k:>22s}' for k in kernels))
    for sym, c in rows[:15]:
        print(f'{sym[:45]:45s}' + ''.join(f'{c[k]:22d}' for k in kernels))
PY
[ -s "$logs/bench-profile.txt" ] || rc=1
exit $rc
