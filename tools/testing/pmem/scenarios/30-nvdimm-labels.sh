#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU NVDIMM with labels (256 MiB region at 4 GiB): five small
# namespaces, fsdax and devdax, memmap in RAM and on the device, packed
# at 2 MiB alignment so four of them share the region's first section and
# the fifth straddles into the next.  Each is used, then all are
# destroyed in an order unlike the creation order, re-created, and
# destroyed again.  At the end /proc/iomem, `ndctl list -RN` and the
# nr_memmap* counters must equal their starting values.
# After every create and destroy the probe (probe/subsection_probe.c) must
# see each live namespace's resource as one dev_pagemap range (also for
# map=dev, where the range includes the info block), the pfns right
# before and after it belonging to the adjacent namespace or to none, a
# destroyed namespace's pfns to none and not valid (no boot section
# here), and /sys/devices/system/memory unchanged.
#
# pmem-nvdimm: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
rstart=$(printf '%d' "$(cat "$rdir/resource")")
echo "region $region at $(printf %#x "$rstart"), size $(( $(cat "$rdir/size") >> 20 )) MiB"
snapshot start
memory_blocks_save start
kind=$(probe_kernel)
align0=$(cat "$rdir/align")
sysfs_write $((2 << 20)) "$rdir/align"

# name size mode map
specs="a:16:fsdax:mem b:18:devdax:dev c:34:fsdax:dev d:20:devdax:mem e:48:fsdax:mem"
declare -A dev=() where=() live=()

# owner_word VAR PFN: set VAR to the probe word the pfn must show: the
# live namespace holding it, or none.
owner_word() {
	local n s e a=$(( $2 * PAGE_SIZE ))
	for n in "${!live[@]}"; do
		read -r s e <<< "${live[$n]}"
		if [ "$a" -ge "$s" ] && [ "$a" -le "$e" ]; then
			printf -v "$1" 'pgmap=%#x-%#x' "$s" "$e"
			return
		fi
	done
	printf -v "$1" pgmap=none
}

# check_live DESC [FOCUS]: every live namespace is its own dev_pagemap
# range, with the right owner (or none) right before and after it; for
# FOCUS (the one just created) every pfn is looked up.
check_live() {
	local n s e before after t0=${EPOCHREALTIME/./}
	for n in "${!live[@]}"; do
		read -r s e <<< "${live[$n]}"
		owner_word before $(( s / PAGE_SIZE - 1 ))
		owner_word after $(( e / PAGE_SIZE + 1 ))
		if [ "$n" = "${2:-}" ]; then
			check_owned "$1: $n ${dev[$n]}" "$s" "$e" "$before" "$after"
		else
			check_edges "$1: $n ${dev[$n]}" "$s" "$e" "$before" "$after"
		fi
	done
	memory_blocks_same start "$1"
	echo "    probe checks: $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
}

create() {
	local n=$1 mib=$2 mode=$3 map=$4 m0 ns res d cost want
	m0=$(memmap_pages)
	# -f: ndctl itself insists on 16 MiB aligned starts unless forced
	step "create $n" ndctl create-namespace -f -r "$region" -s "${mib}M" -m "$mode" -M "$map"
	ns=$(json .dev)
	[ "$(json .mode)" = "$mode" ] || fail "$n: mode $(json .mode), wanted $mode"
	res=$(printf '%d' "$(cat /sys/bus/nd/devices/"$ns"/resource)")
	dev[$n]=$ns
	live[$n]=$(ns_range "$ns")
	[ "${live[$n]}" = "$res $((res + (mib << 20) - 1))" ] ||
		fail "$n: $ns resource ${live[$n]} is not ${mib} MiB at $res"
	where[$n]="$(( (res - rstart) >> 20 ))M+${mib}M"
	datasize_note "$n:$mode:$map:${mib}M:round$round" "$(ns_datasize)"
	cost=$(( $(memmap_pages) - m0 ))
	note "$n $ns $mode map=$map ${mib}MiB at region+${where[$n]} (section $((res >> 27))): memmap pages +$cost"
	# A namespace costs the minimum memmap: 256 struct pages of 64 bytes
	# per MiB, in whole 4 KiB pages (4 per MiB); with the DAX vmemmap
	# optimisation (devdax, memmap in RAM: 2 MiB compound pages) the 2
	# pages each compound page keeps (1 per MiB).
	want=$(( mib * 4 ))
	[ "$mode:$map" = devdax:mem ] && want=$mib
	[ "$cost" = "$want" ] || fail "$n: memmap costs $cost pages, the minimum is $want"
	# use it: 2 MiB through the block device or a dax mapping
	make_pattern "/tmp/p.$n" $((2 << 20)) "nvdimm-$n-$PMEM_NAME"
	if [ "$mode" = fsdax ]; then
		d=$(json .blockdev)
		step "$n write" dd if="/tmp/p.$n" of="/dev/$d" bs=1M oflag=direct status=none
		step "$n read" dd if="/dev/$d" of="/tmp/r.$n" bs=1M count=2 iflag=direct status=none
	else
		d=$(json '.daxregion.devices[0].chardev')
		step "$n mmap write" mmap_dev write "/dev/$d" $((2 << 20)) "/tmp/p.$n"
		step "$n mmap read" mmap_dev read "/dev/$d" $((2 << 20)) "/tmp/r.$n"
	fi
	verify_same "/tmp/p.$n" "/tmp/r.$n"
	check_live "created $n" "$n"
}

destroy() {
	local n=$1 m0 s e
	m0=$(memmap_pages)
	step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
	note "destroy $n ${dev[$n]}: memmap pages $(( $(memmap_pages) - m0 ))"
	read -r s e <<< "${live[$n]}"
	unset "live[$n]"
	check_free "destroyed $n ${dev[$n]}" "$s" "$e" valid=0
	check_live "destroyed $n"
}

for round in 1 2; do
	for s in $specs; do
		IFS=: read -r n mib mode map <<< "$s"
		create "$n" "$mib" "$mode" "$map"
	done
	layout=""
	for s in $specs; do layout="$layout ${s%%:*}@${where[${s%%:*}]}"; done
	echo "round $round layout:$layout"
	if [ $round = 1 ]; then layout1=$layout; fi
	[ "$layout" = "$layout1" ] || fail "re-created layout$layout differs from$layout1"
	# several namespaces in one section (the region starts section aligned)
	shared=0
	for s in $specs; do
		if [ $(( ${where[${s%%:*}]%%M*} >> 7 )) = 0 ]; then shared=$((shared + 1)); fi
	done
	[ $shared -ge 2 ] || fail "only $shared namespace(s) start in the first section"
	ndctl list -RN | jq -c '.. | objects | select(.dev? // "" | startswith("namespace")) | {dev, mode, size}' 2> /dev/null | sed 's/^/    /' || true
	if [ $round = 1 ]; then
		for n in c a e b d; do destroy $n; done
	else
		for n in b d a e c; do destroy $n; done
	fi
done

sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "5 namespaces (16-48M, fsdax+devdax, map mem/dev), $shared starting in one section, destroyed out of order, re-created; state restored; pfn owners checked ($kind)"
