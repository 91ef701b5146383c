#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot figures of make bench (runs only when named).  bench.sh boots
# each kernel twice with 7 GiB of RAM (PMEM_RAM_GB=7: 3 GiB below the
# PCI hole, 4 GiB from 4 GiB up): once with those upper 4 GiB as legacy
# pmem (memmap=4G!4G), once as reserved memory (memmap=4G$4G), so the
# two boots have the same System RAM and differ by the pmem only.
# Notes, as "bench KEY VALUE UNIT":
#
#   boot:init:pmem4g|none     the kernel's timestamp of starting init
#   usage:sections:V, usage:early-sections:V, usage:bytes:V
#                             the sections' usage maps (probe "usage")
#   pmem4g only: the 4 GiB namespace's memmap (in RAM, built when the
#   namespace is bound): its nr_memmap_pages and MemFree deltas against
#   the minimum (its struct pages in whole pages), and the time of
#   unbinding and binding it (nd_pmem), BENCH_REPS times.
#
# libnvdimm binds the boot namespace asynchronously, so init may start
# before its memmap is built; the bind time is the memmap's cost.
#
# pmem-explicit: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

reps=${BENCH_REPS:-5} variant=none
read -r -a words < /proc/cmdline
for w in "${words[@]}"; do
	case $w in
	pmemtest.reps=*) reps=${w#*=} ;;
	memmap=4G!4G) variant=pmem4g ;;
	esac
done

t=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] Run .* as init process$/\1/p' | head -n 1)
[ -n "$t" ] || fail "no 'Run ... as init process' line in the kernel log"
bench "boot:init:$variant" "$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')" ms

probe_kernel > /dev/null
nd_settle
usage=$(cat "$PROBE/usage")
echo "usage maps: $usage"
for w in $usage; do
	case $w in
	sections=*) bench "usage:sections:$variant" "${w#*=}" sections ;;
	early=*) bench "usage:early-sections:$variant" "${w#*=}" sections ;;
	bytes=[0-9]*) bench "usage:bytes:$variant" "${w#*=}" bytes ;;
	esac
done

if [ $variant = pmem4g ]; then
	start=$((4 << 30)) size=$((4 << 30))
	region=$(region_at $start) || fail "no region at 4 GiB (memmap=4G!4G not honoured?)"
	ns=$(region_namespaces "$region" | head -n 1)
	[ -n "$ns" ] || fail "$region has no namespace"
	[ "$(readlink -f "/sys/bus/nd/devices/$ns/driver")" = /sys/bus/nd/drivers/nd_pmem ] ||
		fail "$ns is not bound to nd_pmem"
	layout_read
	step "unbind $ns" sysfs_write "$ns" /sys/bus/nd/drivers/nd_pmem/unbind
	bench_bind legacy:mem:4096M "$ns" nd_pmem "$(memmap_min fsdax mem $size $size)" "$reps"
	step "rebind $ns" sysfs_write "$ns" /sys/bus/nd/drivers/nd_pmem/bind
fi
summary "bench-boot: $variant, $reps repetitions; figures in the notes"
