#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark (make bench; runs only when named).  In one boot, on a
# 64 GiB sparse QEMU NVDIMM region, align 2 MiB, BENCH_REPS times each
# (default 5), timed in the guest with $EPOCHREALTIME around the sysfs
# write that does the work:
#
#   enable / disable of one namespace of 16, 128 and 256 MiB (around
#   the parallel memmap init's threshold, two chunks of 64 MiB), 1, 4,
#   16 and 64 GiB (the largest 2 MiB short of the region),
#   fsdax and devdax, memmap in RAM and on the device: the write of its
#   pfn / dax device to the driver's bind and unbind file;
#   enable / disable of 1, 8 and 32 namespaces of 16 MiB (all of them,
#   one after the other);
#   memremap_pages() / memunmap_pages() alone over the same sizes of
#   the region, timed with ktime by the probe;
#   lookups: the probe's bench file over every pfn of the enabled
#   namespaces up to 4 GiB (pfn_valid(), pfn_to_online_page(),
#   get_dev_pagemap(), ns per call), and over the RAM of the section
#   the legacy region (memmap=60M!1100M) shares with System RAM;
#   memory: the nr_memmap_pages and MemFree deltas of each first
#   enable, against their minimum: the namespace's struct pages in
#   whole pages (memmap_min; see there for devdax), and of them in RAM
#   only those of map=mem (memfree_min).
#
# pmemtest.bench=sizes times only the namespaces of each size,
# pmemtest.bench=count only the N x 16 MiB ones.  On a guest with one
# vCPU the figures are named enable-1cpu / disable-1cpu (make bench
# boots -smp 1 for the sizes: the memmap of a large namespace is
# initialised on every CPU of its node), with rcupdate.rcu_expedited=1
# enable-rcuexp / disable-rcuexp (make bench boots so for the counts:
# how much of a disable waits for synchronize_rcu() and SRCU grace
# periods, which that makes expedited; call_rcu() callbacks stay
# normal).
#
# Each figure is one note "bench KEY VALUE UNIT"; bench.sh gathers them
# from stock and ours runs and prints min / median / max and ratios.
#
# pmem-explicit: yes
# pmem-nvdimm-bench: 64
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 3000
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

reps=${BENCH_REPS:-5} parts=all
read -r -a words < /proc/cmdline
for w in "${words[@]}"; do
	case $w in
	pmemtest.reps=*) reps=${w#*=} ;;
	pmemtest.bench=*) parts=${w#*=} ;;
	esac
done
case $parts in all | sizes | count) ;; *) fail "pmemtest.bench=$parts: all, sizes or count" ;; esac
# enable-1cpu:..., enable-rcuexp:...: the figures of such a boot apart
BENCH_TAG=
[ "$(nproc)" = 1 ] && BENCH_TAG=-1cpu
case " ${words[*]} " in *" rcupdate.rcu_expedited=1 "*) BENCH_TAG=$BENCH_TAG-rcuexp ;; esac
region=$(region_nvdimm 65536) || fail "no 64 GiB bench NVDIMM region"
rdir=/sys/bus/nd/devices/$region
sysfs_write $((2 << 20)) "$rdir/align"
probe_kernel > /dev/null
layout_read
SECTION_SIZE=$(sed -n 's/.* section=\([0-9]*\).*/\1/p' "$PROBE/layout")

# holder_of NS: the pfn / dax device claiming NS, and its driver.
holder_of() {
	local dev
	dev=$(cat "/sys/bus/nd/devices/$1/holder")
	case $dev in
	pfn*) echo "$dev nd_pmem" ;;
	dax*) echo "$dev dax_pmem" ;;
	*) fail "$1: holder '$dev' is not a pfn or dax device" ;;
	esac
}

# lookups KEY START_BYTES BYTES: the probe's bench over those pfns,
# REPS times (each read walks every pfn once per lookup function).
lookups() {
	local nr=$(($3 / PAGE_SIZE)) w out r
	echo "$(($2 / PAGE_SIZE)) $nr" > "$PROBE/bench"
	for r in $(seq 1 "$reps"); do
		out=$(cat "$PROBE/bench")
		echo "    lookups $1 ($r): $out"
		for w in $out; do
			case $w in
			pfn_valid_ns=* | online_ns=* | pgmap_ns=*)
				bench "lookup:${w%%=*}:$1" "${w#*=}" ns ;;
			esac
		done
	done
}

# one NAME SIZE MODE MAP: create, disable, then REPS times enable and
# disable, with lookups and memory on the first enable.
one() {
	local name=$1 mib=$2 mode=$3 map=$4 ns dev drv s e align
	step "create $name" ndctl create-namespace -f -r "$region" -s "${mib}M" -m "$mode" -M "$map"
	ns=$(json .dev) align=$(json .align)
	read -r dev drv <<< "$(holder_of "$ns")"
	read -r s e <<< "$(ns_range "$ns")"
	# disable through the driver's unbind file, as every repetition
	# does (ndctl disable-namespace leaves the pfn device unbindable)
	step "disable $name" sysfs_write "$dev" "/sys/bus/nd/drivers/$drv/unbind"
	# the minimum: the memmap of the whole resource
	# lookups over every pfn up to 4 GiB: beyond, a walk takes minutes
	local look=(lookups "$mode:$map:${mib}M" "$s" $((e - s + 1)))
	[ "$parts" = all ] && [ "$mib" -le 4096 ] || look=()
	bench_bind "$mode:$map:${mib}M" "$dev" "$drv" \
		"$(memmap_min "$mode" "$map" $((e - s + 1)) "$align")" "$reps" \
		"${look[@]}"
	step "destroy $name" ndctl destroy-namespace -f "$ns"
}

# sizes: one namespace of each size, mode and memmap location.
sizes() {
	local mib spec mode map
	for mib in 16 128 256 1024 4096 16384 65534; do
		for spec in fsdax:mem fsdax:dev devdax:mem devdax:dev; do
			IFS=: read -r mode map <<< "$spec"
			one "ns$mib-$mode-$map" "$mib" "$mode" "$map"
		done
	done
}
[ "$parts" = count ] || sizes
if [ "$parts" = sizes ]; then
	summary "bench: $reps repetitions of the sizes on $(nproc) vCPUs; figures in the notes"
	exit 0
fi

memremaps() {
	local rstart mib r rc mapw unmapw
	# memremap_pages() and memunmap_pages() alone: the probe's memremap of
	# a MEMORY_DEVICE_GENERIC dev_pagemap over the region's first 16 MiB to
	# 64 GiB (no namespace is live now), REPS times, timed with ktime in
	# the kernel: the hotplug path without the driver and block layer work
	# the bind and unbind above include.
	rstart=$(printf '%d' "$(cat "$rdir/resource")")
	for mib in 16 1024 4096 16384 65534; do
		for r in $(seq 1 "$reps"); do
			rc=$(probe_memremap "$rstart" $((mib << 20)))
			[ "$rc" = 0 ] || fail "probe memremap of $mib MiB at $rstart: $rc"
			read -r mapw unmapw <<< "$(sed -n 2p "$PROBE/memremap")"
			case "$mapw $unmapw" in
			"map_ns="[0-9]*" unmap_ns="[0-9]*) ;;
			*) fail "probe memremap of $mib MiB: no timing ('$mapw $unmapw')" ;;
			esac
			echo "    memremap ${mib}M ($r): $mapw $unmapw"
			bench "memremap:map:${mib}M" $(( ${mapw#map_ns=} / 1000 )) us
			bench "memremap:unmap:${mib}M" $(( ${unmapw#unmap_ns=} / 1000 )) us
		done
	done
}
[ "$parts" = count ] || memremaps

# many COUNT: COUNT devdax namespaces of 16 MiB (memmap in RAM), all
# enabled then all disabled, REPS times.
many() {
	local count=$1 i ns dev drv r t0 devs=() drvs=() nss=()
	for i in $(seq 1 "$count"); do
		step "create $i of $count" ndctl create-namespace -f -r "$region" -s 16M -m devdax -M mem
		ns=$(json .dev)
		read -r dev drv <<< "$(holder_of "$ns")"
		step "disable $ns" sysfs_write "$dev" "/sys/bus/nd/drivers/$drv/unbind"
		nss+=("$ns") devs+=("$dev") drvs+=("$drv")
	done
	for r in $(seq 1 "$reps"); do
		t0=$(now_us)
		for i in "${!devs[@]}"; do
			echo "${devs[$i]}" > "/sys/bus/nd/drivers/${drvs[$i]}/bind" || fail "bind ${devs[$i]}"
		done
		bench "enable$BENCH_TAG:count:$count" $(( $(now_us) - t0 )) us
		t0=$(now_us)
		for i in "${!devs[@]}"; do
			echo "${devs[$i]}" > "/sys/bus/nd/drivers/${drvs[$i]}/unbind" || fail "unbind ${devs[$i]}"
		done
		bench "disable$BENCH_TAG:count:$count" $(( $(now_us) - t0 )) us
	done
	for ns in "${nss[@]}"; do
		step "destroy $ns" ndctl destroy-namespace -f "$ns"
	done
}
for c in 1 8 32; do many "$c"; done
if [ "$parts" = count ]; then
	summary "bench: $reps repetitions of the counts ($BENCH_TAG); figures in the notes"
	exit 0
fi

# RAM sharing a section with the legacy region at 1100 MiB: the part of
# that section below the region.
sec=$(( (1100 << 20) / SECTION_SIZE * SECTION_SIZE ))
lookups "ram:mixed-section" "$sec" $(( (1100 << 20) - sec ))
summary "bench: $reps repetitions; figures in the notes"
