#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make robust: the sanitized kernel (KASAN, UBSAN, kmemleak, lockdep,
# DEBUG_VM, DEBUG_PAGEALLOC, page poisoning) with 4 vCPUs, two boots on
# one fresh cross-kernel NVDIMM image, a third at a fine size, then the
# long layout stress on the lean (debug) kernel:
#
#   boot 1  every default scenario (the layout stress short, as in make
#           check), fault injection, hostile sysfs and the race stress
#           (pmemtest.race_secs=RACE_SECS); the guest row ends with a
#           kmemleak scan after every teardown;
#   boot 2  cross-kernel alone: data written through fsdax and devdax in
#           boot 1 must read back byte for byte after the reboot;
#   boot 3  the fine scenarios with subsection_size=4K, which KASAN
#           raises to its shadow page's worth (one line says so);
#   boot 4  the layout stress long (ROBUST_LAYOUTS, default 40) on
#           LEAN_OUT, 2 vCPUs, at a sub-section size of 4K, 64K or 2M
#           picked by the seed (SEED=, else a random one; printed).
#           Under KASAN and TCG one layout takes about three minutes,
#           so the long run is the lean kernel's (DEBUG_VM, lockdep,
#           page poisoning): about half a minute a layout.
#
# Usage: robust.sh BUILD LOGS KERNEL_OUT MODE RACE_SECS TIMEOUT LEAN_OUT
# Prints the tables, a data-safety row and "N passed, N failed"; the
# whole report also in LOGS/robust.txt.  Exit 1 on any failure.
set -u
build=${1:?usage: robust.sh BUILD LOGS KERNEL_OUT MODE RACE_SECS TIMEOUT LEAN_OUT}
logs=${2:?} kernel=${3:?} mode=${4:?} race=${5:?} timeout=${6:?} lean=${7:?}
here=$(cd "$(dirname "$0")" && pwd)
tag=$(basename "$kernel"); tag=${tag#kernel-}
start=$(date +%s)
rm -f "$build/pmem/cross-nvdimm.img"
passed=0 failed=0
# the long layout stress: ROBUST_LAYOUTS layouts at a size the seed
# picks; SEED= repeats a run
layouts=${ROBUST_LAYOUTS:-40}
seed=${SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000007 ))}
sizes=(4K 64K 2M)
size=${sizes[$((seed % 3))]}
echo "robust: boot 4 runs $layouts layouts, seed $seed, at subsection_size=$size"
for boot in 1 2 3 4; do
	sc=@robust sub='' rtag=$tag out=$kernel smp=4 ptag='' scale='' extra=''
	[ $boot = 2 ] && sc=cross-kernel
	# boot 3: KASAN below its shadow page's worth (32 KiB on x86_64):
	# subsection_size=4K must give the finest size allowed
	[ $boot = 3 ] && sc=@fine sub=4K rtag=$tag-sub4k
	if [ $boot = 4 ]; then
		sc=layout-stress out=$lean smp=2 ptag=long
		# stock ignores subsection_size=; its outputs say so anyway
		sub=$size
		[ "$sub" = 2M ] && sub=''
		rtag=$(basename "$lean"); rtag=${rtag#kernel-}${sub:+-sub${sub,,}}-long
		# the scenario's budget is for 6 layouts
		scale=$(( (layouts + 5) / 6 ))
		extra="pmemtest.layouts=$layouts pmemtest.seed=$seed"
	fi
	# TCG with KASAN is slow enough for RCU's 21 s stall warning to
	# fire during boot (seen: rcu_sched kthread starved, a Call Trace
	# that fails the guest row); 300 s still catches a real stall.
	PMEM_SMP=$smp PMEM_SUBSECTION=$sub PMEM_TAG=$ptag PMEM_BUDGET_SCALE=$scale \
	PMEM_APPEND="pmemtest.race_secs=$race rcupdate.rcu_cpu_stall_timeout=300 $extra" "$here/run.sh" \
		--kernel "$out" --mode "$mode" --build "$build" --logs "$logs" \
		--timeout "$timeout" --scenario "$sc" \
		--counts "$logs/robust-$boot.counts" > /dev/null 2>&1
	cp "$logs/pmem-test-$rtag.txt" "$logs/robust-$boot.txt" 2> /dev/null ||
		echo "robust: boot $boot left no report" > "$logs/robust-$boot.txt"
	# keep the boot's per-scenario logs, kmemleak report and console:
	# the next boot starts from an empty run directory
	rm -rf "$logs/robust-$boot.results"
	cp -r "$build/pmem/run-$rtag/results" "$logs/robust-$boot.results" 2> /dev/null || true
	cp "$build/pmem/run-$rtag/console.log" "$logs/robust-$boot.console.log" 2> /dev/null || true
	read -r p f _ < "$logs/robust-$boot.counts" 2> /dev/null || { p=0 f=1; }
	passed=$((passed + p)) failed=$((failed + f))
done
# Data safety across the reboot: boot 2 read all three namespaces of
# boot 1.
n=$(grep -c "cross-read $mode .* ok on $mode" "$logs/robust-2.txt")
if [ "$n" = 3 ]; then
	safety="PASS: after the reboot all 3 namespaces (fsdax map=mem, fsdax map=dev, devdax) read back byte for byte"
	passed=$((passed + 1))
else
	safety="FAIL: after the reboot $n of 3 namespaces read back"
	failed=$((failed + 1))
fi
# KASAN's floor: ours clamps subsection_size=4K to a shadow page's worth
# with one line; stock ignores the parameter.
if [ "$mode" = stock ] ||
   grep -q "subsection_size=4K is finer than this kernel allows (a KASAN shadow page)" \
	"$logs/robust-3.console.log" 2> /dev/null; then
	floor="PASS: subsection_size=4K on the KASAN kernel: $(grep -o 'sub-section size [0-9]* KiB' "$logs/robust-3.console.log" | head -n 1)"
	passed=$((passed + 1))
else
	floor="FAIL: no KASAN floor line for subsection_size=4K in boot 3's console"
	failed=$((failed + 1))
fi
{
	echo "== boot 1: sanitized kernel ($tag), -smp 4, default set + robust scenarios"
	cat "$logs/robust-1.txt"
	echo "== boot 2: cross-kernel after the reboot"
	cat "$logs/robust-2.txt"
	echo "== data safety across the reboot: $safety"
	echo "== boot 3: the fine scenarios at subsection_size=4K under KASAN"
	cat "$logs/robust-3.txt"
	echo "== KASAN floor: $floor"
	echo "== boot 4: the layout stress, $layouts layouts, seed $seed, subsection_size=$size, lean kernel"
	cat "$logs/robust-4.txt"
	echo "robust: $(( $(date +%s) - start )) s"
	echo "$passed passed, $failed failed"
} | tee "$logs/robust.txt"
python3 "$here/../subsection/results.py" "$(cd "$here/../../.." && pwd)" \
	robust "$logs/robust.txt"
[ "$failed" = 0 ]
