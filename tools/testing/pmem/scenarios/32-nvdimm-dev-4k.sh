#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fsdax and devdax namespaces with the memmap on the device (map=dev)
# and a 4 KiB data alignment, 128 MiB, 1 GiB and 64 MiB, the first two
# starting on a section boundary.  The hot-add maps the memmap of a whole
# section with one 2 MiB vmemmap block from the device, aligned to 2 MiB
# (x86_64's vmemmap_populate() has no fallback with an altmap), so the
# info-block must leave room for that alignment between the info-block
# and the data.  At 2 MiB sub-sections the data offset is 2 MiB aligned
# and keeps the room (stock's rule); at a finer size ours used to put
# the data right after the memmap, and the create failed with ENOMEM
# after mapping some sections ("failed to free all reserved pages").
# Each namespace's struct pages must pass the probe's memmap check, and
# each keeps data across disable/enable (its first and, for fsdax, last
# MiB); all are destroyed, created again and destroyed in the other
# order; /proc/iomem, ndctl list and nr_memmap* end as they
# began.
#
# pmem-nvdimm-bench: yes
# pmem-fine: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm 4096) || fail "no 4 GiB NVDIMM region"
rdir=/sys/bus/nd/devices/$region
kind=$(probe_kernel)
layout_read
SECTION_SIZE=$(sed -n 's/.* section=\([0-9]*\).*/\1/p' "$PROBE/layout")
[ -n "$SECTION_SIZE" ] || fail "no section size in $PROBE/layout"
echo "kernel $kind, sub-sections of $((LAYOUT_SUB >> 10)) KiB, region $region"
snapshot start
memory_blocks_save start
align0=$(cat "$rdir/align")
sysfs_write "$LAYOUT_SUB" "$rdir/align"

# A raw namespace up to the next section boundary, if the region does
# not start on one, so that the first two namespaces do.
rstart=$(printf '%d' "$(cat "$rdir/resource")")
fill=$(( (SECTION_SIZE - rstart % SECTION_SIZE) % SECTION_SIZE ))
filler=
if [ "$fill" -gt 0 ]; then
	step "filler" ndctl create-namespace -f -r "$region" -s "$fill" -m raw
	filler=$(json .dev)
fi

# name MiB mode
specs="a:128:fsdax b:1024:devdax c:64:fsdax"
declare -A dev=() blk=()

# use N MIB ROUND: 1 MiB at the start (and for fsdax at the end) of the
# namespace's data, kept across disable/enable.
use() {
	local n=$1 mib=$2 d=${blk[$1]} len=$((1 << 20)) last
	make_pattern "/tmp/p.$n" $len "dev4k-$n-$3"
	if [ "${d#dax}" = "$d" ]; then
		last=$(( $(cat "/sys/block/$d/size") * 512 / len - 1 ))
		step "$n write" dd if="/tmp/p.$n" of="/dev/$d" bs=64K oflag=direct status=none
		step "$n write end" dd if="/tmp/p.$n" of="/dev/$d" bs=1M seek="$last" oflag=direct status=none
	else
		step "$n mmap write" mmap_dev write "/dev/$d" $len "/tmp/p.$n"
	fi
	step "disable $n" ndctl disable-namespace "${dev[$n]}"
	step "enable $n" ndctl enable-namespace "${dev[$n]}"
	if [ "${d#dax}" = "$d" ]; then
		step "$n read" dd if="/dev/$d" of="/tmp/r.$n" bs=64K count=16 iflag=direct status=none
		verify_same "/tmp/p.$n" "/tmp/r.$n"
		step "$n read end" dd if="/dev/$d" of="/tmp/r.$n" bs=1M skip="$last" count=1 iflag=direct status=none
	else
		step "$n mmap read" mmap_dev read "/dev/$d" $len "/tmp/r.$n"
	fi
	verify_same "/tmp/p.$n" "/tmp/r.$n"
}

create() {
	local n=$1 mib=$2 mode=$3 round=$4 s e
	step "create $n" ndctl create-namespace -f -r "$region" -s "${mib}M" \
		-m "$mode" -M dev -a 4K
	dev[$n]=$(json .dev)
	if [ "$mode" = fsdax ]; then
		blk[$n]=$(json .blockdev)
	else
		blk[$n]=$(json '.daxregion.devices[0].chardev')
	fi
	[ -e "/dev/${blk[$n]}" ] || fail "$n: no device for ${dev[$n]}: '${blk[$n]}'"
	read -r s e <<< "$(ns_range "${dev[$n]}")"
	[ "$n" = c ] || [ $((s % SECTION_SIZE)) = 0 ] ||
		fail "$n: ${dev[$n]} starts at $(printf %#x "$s"), not on a section boundary"
	note "$n ${dev[$n]} $mode map=dev align=4K ${mib}MiB at $(printf %#x "$s"): $(ns_datasize) bytes of data"
	[ "$round" = 1 ] && datasize_note "dev4k-$n" "$(ns_datasize)"
	check_memmap "${dev[$n]}" "$mode" dev 4096 "$(ns_datasize)" "$n $mode map=dev 4K"
	use "$n" "$mib" "$round"
}

for round in 1 2; do
	for sp in $specs; do
		IFS=: read -r n mib mode <<< "$sp"
		create "$n" "$mib" "$mode" "$round"
	done
	if [ $round = 1 ]; then order="c b a"; else order="a b c"; fi
	for n in $order; do
		step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
	done
done

[ -n "$filler" ] && step "destroy filler" ndctl destroy-namespace -f "$filler"
sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "map=dev 4K-aligned fsdax 128M + devdax 1G at section starts, fsdax 64M, at $((LAYOUT_SUB >> 10)) KiB sub-sections: data across disable/enable, created twice, destroyed in two orders, state restored ($kind)"
