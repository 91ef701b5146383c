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
#
# pmem-nvdimm: yes
# pmem-budget: 900
set -eu
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
rstart=$(printf '%d' "$(cat "$rdir/resource")")
echo "region $region at $(printf %#x "$rstart"), size $(( $(cat "$rdir/size") >> 20 )) MiB"
snapshot start
align0=$(cat "$rdir/align")
sysfs_write $((2 << 20)) "$rdir/align"

# name size mode map
specs="a:16:fsdax:mem b:18:devdax:dev c:34:fsdax:dev d:20:devdax:mem e:48:fsdax:mem"
declare -A dev=() where=()

create() {
	local n=$1 mib=$2 mode=$3 map=$4 m0 ns res d cost want
	m0=$(memmap_pages)
	# -f: ndctl itself insists on 16 MiB aligned starts unless forced
	step "create $n" ndctl create-namespace -f -r "$region" -s "${mib}M" -m "$mode" -M "$map"
	ns=$(json .dev)
	[ "$(json .mode)" = "$mode" ] || fail "$n: mode $(json .mode), wanted $mode"
	res=$(printf '%d' "$(cat /sys/bus/nd/devices/"$ns"/resource)")
	dev[$n]=$ns
	where[$n]="$(( (res - rstart) >> 20 ))M+${mib}M"
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
}

destroy() {
	local n=$1 m0
	m0=$(memmap_pages)
	step "destroy $n" ndctl destroy-namespace -f "${dev[$n]}"
	note "destroy $n ${dev[$n]}: memmap pages $(( $(memmap_pages) - m0 ))"
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
summary "5 namespaces (16-48M, fsdax+devdax, map mem/dev), $shared starting in one section, destroyed out of order, re-created; state restored"
