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
specs="a:256:fsdax:mem:2M b:256:fsdax:dev:2M c:256:devdax:mem:2M
d:256:devdax:dev:2M e:256:devdax:mem:4K f:64:devdax:mem:2M"
declare -A dev=() blk=() spec=() data=()

# memmap N WHEN: check_memmap of namespace N.
memmap() {
	local mib mode map align bytes=$((2 << 20))
	IFS=: read -r mib mode map align <<< "${spec[$1]}"
	[ "$align" = 4K ] && bytes=4096
	check_memmap "${dev[$1]}" "$mode" "$map" "$bytes" "${data[$1]}" \
		"$1 $mode map=$map align=$align ${mib}MiB $2"
}

# use N: 2 MiB through the namespace's device before the disable: for
# devdax through a mapping, which takes references and sets ->mapping,
# for fsdax through the block device.
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
	memmap "$n" "created"
	use "$n"
	step "disable $n" ndctl disable-namespace "${dev[$n]}"
	step "enable $n" ndctl enable-namespace "${dev[$n]}"
	memmap "$n" "enabled again"
done
for sp in $specs; do
	n=${sp%%:*}
	step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
done

sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "fsdax, devdax, map=mem and map=dev, order-0 and 2 MiB compound pages, 64-256 MiB: every struct page as memmap_init_zone_device() writes it, after create and after use and re-enable ($kind)"
