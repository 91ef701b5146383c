#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every struct page an enable writes, checked one by one: fsdax and
# devdax, memmap in RAM and on the device, order-0 pages and 2 MiB
# compound pages (map=mem with the DAX vmemmap optimisation, map=dev
# without), large enough for ours to split the memmap among the vCPUs
# and one below that size.  After each create, and again after the
# namespace was used, disabled and enabled, the probe's memmap check
# (probe/subsection_probe.c) must find every struct page of the
# namespace's dev_pagemap range as memmap_init_zone_device() writes it,
# rebuilt field by field, and as many heads, tails and order-0 pages as
# the range and the alignment give.  /proc/iomem, ndctl list and
# nr_memmap* end as they began.
#
# pmem-nvdimm-bench: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm 4096) || fail "no 4 GiB NVDIMM region"
rdir=/sys/bus/nd/devices/$region
kind=$(probe_kernel)
echo "kernel $kind, region $region, $(nproc) CPUs"
snapshot start
memory_blocks_save start
align0=$(cat "$rdir/align")
sysfs_write $((2 << 20)) "$rdir/align"

# name MiB mode map align
specs="a:512:fsdax:mem:2M b:512:fsdax:dev:2M c:512:devdax:mem:2M
d:512:devdax:dev:2M e:256:devdax:mem:4K f:64:devdax:mem:2M"
declare -A dev=() blk=() spec=() data=()

# check_memmap N WHEN: the probe's memmap check of namespace N's range.
check_memmap() {
	local n=$1 mib mode map align s e w line want_pfns nr
	local pfns=x order=x heads=x tails=x pages=x bad=x
	IFS=: read -r mib mode map align <<< "${spec[$n]}"
	read -r s e <<< "$(pgmap_of "${dev[$n]}")"
	echo $(( (s + e) / 2 / PAGE_SIZE )) > "$PROBE/memmap" ||
		fail "$n: the probe refused a pfn of ${dev[$n]}"
	read -r line < "$PROBE/memmap"
	echo "    $n $2: $line"
	for w in $line; do
		case $w in
		pfns=* | order=* | heads=* | tails=* | pages=* | bad=*)
			printf -v "${w%%=*}" '%s' "${w#*=}" ;;
		esac
	done
	[ "$bad" = 0 ] || fail "$n ($mode map=$map align=$align) $2: struct pages differ: $line"
	# map=mem: the whole range; map=dev: at least the data, the range
	# less the memmap and the info block
	want_pfns=$(( (e + 1 - s) / PAGE_SIZE ))
	if [ "$map" = mem ]; then
		[ "$pfns" = "$want_pfns" ] ||
			fail "$n $2: $pfns pfns checked, the range has $want_pfns"
	else
		[ "$pfns" -lt "$want_pfns" ] && [ "$pfns" -ge $(( data[$n] / PAGE_SIZE )) ] ||
			fail "$n $2: $pfns pfns checked, the range has $want_pfns, the data ${data[$n]} bytes"
	fi
	# fsdax: order-0 pages; devdax: compound pages of the alignment
	nr=1
	[ "$mode:$align" = devdax:2M ] && nr=$(( (2 << 20) / PAGE_SIZE ))
	[ "$(( 1 << order ))" = "$nr" ] || fail "$n $2: order $order, $mode align=$align"
	if [ "$nr" = 1 ]; then
		[ "$pages" = "$pfns" ] && [ "$heads" = 0 ] && [ "$tails" = 0 ] ||
			fail "$n $2: order-0 range of $pfns pfns: $line"
	else
		[ "$heads" = $(( (pfns + nr - 1) / nr )) ] && [ "$tails" = $(( pfns - heads )) ] &&
			[ "$pages" = 0 ] || fail "$n $2: compound range of $pfns pfns: $line"
	fi
}

# use N: 2 MiB through the namespace's device, so that a mapping takes
# references and sets ->mapping before the disable.
use() {
	local n=$1 d=${blk[$1]}
	make_pattern "/tmp/p.$n" $((2 << 20)) "memmap-$n"
	if [ "${d#dax}" = "$d" ]; then
		step "$n write" dd if="/tmp/p.$n" of="/dev/$d" bs=1M oflag=direct status=none
	else
		step "$n mmap write" mmap_dev write "/dev/$d" $((2 << 20)) "/tmp/p.$n"
	fi
}

for sp in $specs; do
	IFS=: read -r n mib mode map align <<< "$sp"
	spec[$n]="$mib:$mode:$map:$align"
	step "create $n" ndctl create-namespace -f -r "$region" -s "${mib}M" \
		-m "$mode" -M "$map" -a "$align"
	dev[$n]=$(json .dev)
	if [ "$mode" = fsdax ]; then
		blk[$n]=$(json .blockdev)
	else
		blk[$n]=$(json '.daxregion.devices[0].chardev')
	fi
	data[$n]=$(ns_datasize)
	note "$n ${dev[$n]} $mode map=$map align=$align ${mib}MiB: ${data[$n]} bytes of data"
	check_memmap "$n" "created"
	use "$n"
	step "disable $n" ndctl disable-namespace "${dev[$n]}"
	step "enable $n" ndctl enable-namespace "${dev[$n]}"
	check_memmap "$n" "enabled again"
done
for sp in $specs; do
	n=${sp%%:*}
	step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
done

sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "fsdax, devdax, map=mem and map=dev, order-0 and 2 MiB compound pages, 64-512 MiB: every struct page as memmap_init_zone_device() writes it, after create and after use and re-enable ($kind)"
