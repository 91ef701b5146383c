#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU NVDIMM namespaces of 1 to 3 MiB packed at 64 KiB: sizes that are
# not multiples of 256 KiB, so neighbours' struct pages share memmap
# pages (256 KiB of 4 KiB pages is one 4 KiB memmap page).  With 2 MiB
# sub-sections (stock, and ours by default) such a namespace cannot be
# memremapped: memremap_pages() of one (the probe) is refused with
# EINVAL and nothing changes (stock also WARNs twice on the way, in
# __add_pages() and x86 add_pages(): recorded as a stock difference).
# Ours booted at a finer size (subsection_size=64K) must create four of
# them (raw, then claimed as fsdax or devdax through sysfs: ndctl wants
# 16 MiB for those), with the memmap in RAM and on the device; in the
# first round each keeps 1 MiB of data across disable/enable; after
# every create and
# destroy the memmap costs exactly the distinct memmap pages of the live
# namespaces (shared pages once) and the probe sees each as its own
# dev_pagemap; they are destroyed in two different orders, re-created in
# between; /proc/iomem, ndctl list and nr_memmap* end as they started.
#
# pmem-nvdimm: yes
# pmem-fine: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
kind=$(probe_kernel)
layout_read
sub_kib=$((LAYOUT_SUB >> 10))
echo "kernel $kind, sub-sections of $sub_kib KiB, region $region"
# the usage maps' memory (README's cost table): sized by the Kconfig
# minimum, so the same at every boot size of one kernel
note "usage maps at $sub_kib KiB sub-sections: $(cat "$PROBE/usage")"
snapshot start
memory_blocks_save start
align0=$(cat "$rdir/align")
sysfs_write $((64 << 10)) "$rdir/align"

if [ "$LAYOUT_SUB" -gt $((64 << 10)) ]; then
	# what a 1088 KiB namespace at the region's start would map
	rstart=$(printf '%d' "$(cat "$rdir/resource")")
	rc=$(stock_warn_expected 'at .*(mm/memory_hotplug|arch/x86/mm/init_64)\.c:' \
		probe_memremap "$rstart" $((1088 << 10)))
	echo "    memremap_pages() of 1088 KiB at the region's start: $rc"
	[ "$rc" = -22 ] || fail "memremap_pages() of 1088 KiB at $sub_kib KiB sub-sections gave $rc, not -22"
	sysfs_write "$align0" "$rdir/align"
	snapshot end
	same_snapshot start end
	memory_blocks_same start "refused"
	note "1-3 MiB namespaces at $sub_kib KiB sub-sections: refused ($kind)"
	summary "namespaces of 1088 KiB refused at $sub_kib KiB sub-sections, state unchanged ($kind)"
	exit 0
fi

# name KiB mode map
specs="a:1088:fsdax:mem b:1152:devdax:mem c:2112:fsdax:dev d:3008:devdax:dev"
declare -A dev=() live=() blk=()
m_base=$(memmap_pages)

# check_cost DESC: nr_memmap_pages grew by exactly the distinct memmap
# pages of the live namespaces, a page two of them share counted once.
check_cost() {
	local n want got
	local -a r=()
	for n in "${!live[@]}"; do r+=("${live[$n]}"); done
	want=$(memmap_pages_of "${r[@]}")
	got=$(( $(memmap_pages) - m_base ))
	echo "    $1: memmap pages $got, distinct pages of the live namespaces $want"
	[ "$got" = "$want" ] || fail "$1: memmap costs $got pages, the minimum is $want"
}

# use N: 1 MiB through the namespace, back after disable/enable.
use() {
	local n=$1 d=${blk[$1]} len=$((1 << 20))
	make_pattern "/tmp/p.$n" $len "fine-$n-$round"
	if [ "${d#dax}" = "$d" ]; then
		step "$n write" dd if="/tmp/p.$n" of="/dev/$d" bs=64K oflag=direct status=none
	else
		step "$n mmap write" mmap_dev write "/dev/$d" $len "/tmp/p.$n"
	fi
	step "disable $n" ndctl disable-namespace "${dev[$n]}"
	step "enable $n" ndctl enable-namespace "${dev[$n]}"
	if [ "${d#dax}" = "$d" ]; then
		step "$n read" dd if="/dev/$d" of="/tmp/r.$n" bs=64K count=16 iflag=direct status=none
	else
		step "$n mmap read" mmap_dev read "/dev/$d" $len "/tmp/r.$n"
	fi
	verify_same "/tmp/p.$n" "/tmp/r.$n"
}

# configure NS MODE MAP: ndctl refuses fsdax and devdax below 16 MiB:
# claimed through sysfs (nd_claim), 4 KiB data alignment.
configure() {
	nd_claim "$region" "$1" "$2" "$3" 4096
}

create() {
	local n=$1 kib=$2 mode=$3 map=$4 ns s e
	step "create $n" ndctl create-namespace -f -r "$region" -s "${kib}K" -m raw
	ns=$(json .dev)
	configure "$ns" "$mode" "$map"
	[ "$(json .mode)" = "$mode" ] || fail "$n: mode $(json .mode), wanted $mode"
	dev[$n]=$ns
	live[$n]=$(ns_range "$ns")
	read -r s e <<< "${live[$n]}"
	[ $((e - s + 1)) = $((kib << 10)) ] || fail "$n: $ns is $((e - s + 1)) bytes, not ${kib} KiB"
	if [ "$mode" = fsdax ]; then
		blk[$n]=$(json .blockdev)
	else
		blk[$n]=$(json '.daxregion.devices[0].chardev')
	fi
	[ -e "/dev/${blk[$n]}" ] || fail "$n: no device for $ns: '${blk[$n]}'"
	note "$n $ns $mode map=$map ${kib}KiB at $(printf %#x "$s"), memmap pages $(( $(memmap_pages) - m_base )) in all"
	check_owned "created $n $ns" "$s" "$e" \
		"$(owner_of $((s - 1)))" "$(owner_of $((e + 1)))"
	check_cost "created $n"
	# data across disable/enable in the first round (TCG time)
	[ "$round" = 1 ] || return 0
	use "$n"
	check_owned "$n $ns after disable/enable" "$s" "$e" \
		"$(owner_of $((s - 1)))" "$(owner_of $((e + 1)))"
	check_cost "$n after disable/enable"
}

destroy() {
	local n=$1 s e
	step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
	read -r s e <<< "${live[$n]}"
	unset "live[$n]"
	check_free "destroyed $n ${dev[$n]}" "$s" "$e" valid=0
	check_cost "destroyed $n"
	for o in "${!live[@]}"; do
		read -r s e <<< "${live[$o]}"
		check_edges "after destroying $n: $o ${dev[$o]}" "$s" "$e" \
			"$(owner_of $((s - 1)))" "$(owner_of $((e + 1)))"
	done
}

# owner_of ADDR: the probe word for ADDR: the live namespace holding it
owner_of() {
	local o s e
	for o in "${!live[@]}"; do
		read -r s e <<< "${live[$o]}"
		if [ "$1" -ge "$s" ] && [ "$1" -le "$e" ]; then
			printf 'pgmap=%#x-%#x' "$s" "$e"
			return
		fi
	done
	echo pgmap=none
}

shared=0
for round in 1 2; do
	for sp in $specs; do
		IFS=: read -r n kib mode map <<< "$sp"
		create "$n" "$kib" "$mode" "$map"
	done
	# neighbours sharing a memmap page: the sum of each one's pages
	# exceeds the distinct pages of all of them
	sum=0
	for n in "${!live[@]}"; do sum=$((sum + $(memmap_pages_of "${live[$n]}"))); done
	shared=$((sum - $(memmap_pages) + m_base))
	note "round $round: 4 namespaces, memmap pages $(( $(memmap_pages) - m_base )), $shared shared by two"
	[ "$shared" -ge 1 ] || fail "no memmap page is shared: the sizes do not exercise sharing"
	if [ $round = 1 ]; then
		for n in b d a c; do destroy $n; done
	else
		for n in c a d b; do destroy $n; done
	fi
done

sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "4 namespaces of 1-3 MiB at 64K packing (fsdax+devdax, map mem/dev), $shared memmap pages shared, data across disable/enable, destroyed in two orders; minimum memmap, state restored ($kind)"
