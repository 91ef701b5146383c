#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mixed-section legacy pmem: memmap=60M!1100M starts inside the section
# 1024..1152 MiB and ends inside 1152..1280 MiB; both sections also hold
# System RAM.  Lower the region's align to 2 MiB, then:
#  - fsdax with the memmap on the device (pfn info block): ext4 -o dax,
#    an 8 MiB file survives umount + namespace disable/enable;
#  - fsdax with the memmap in RAM (ndctl's name for the legacy "memory"
#    mode: the whole namespace memremapped, no info block): ext4 -o dax;
#  - devdax: a pattern written through one mapping is read back through
#    another after disable/enable;
#  - raw (force_raw: no memmap, no DAX): the whole range through the
#    block device.
# In every memremapping mode the probe (probe/subsection_probe.c) must see
# the namespace's whole resource as one dev_pagemap range, every pfn of
# it a device pfn (not online), the System RAM right before and after it
# in the shared sections as online pages without dev_pagemap; disabled
# (or raw) it must leave no pfn with a dev_pagemap or online.
# /sys/devices/system/memory never changes.
#
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 600
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

start=$((1100 << 20)) size=$((60 << 20))
region=$(region_at $start) || fail "no region at 1100 MiB (memmap=60M!1100M not honoured?)"
ns=$(region_namespaces "$region" | head -n 1)
[ -n "$ns" ] || fail "$region has no namespace"
nsdir=/sys/bus/nd/devices/$ns
echo "region $region, namespace $ns, boot mode $(cat "$nsdir/mode")"
grep -i 'persistent\|System RAM' /proc/iomem | sed 's/^/    /'
[ "$(printf '%d' "$(cat "/sys/bus/nd/devices/$region/size")")" = $size ] ||
	fail "$region size $(cat "/sys/bus/nd/devices/$region/size"), expected $size"

kind=$(probe_kernel)
read -r ns_start ns_end <<< "$(ns_range "$ns")"
[ "$ns_start" = $start ] && [ "$ns_end" = $((start + size - 1)) ] ||
	fail "$ns resource $ns_start-$ns_end is not the region $start+$size"
# Precondition: System RAM right before and after, in the same sections.
for a in $((start - 1)) $((start + size)); do
	iomem_ram $a || fail "no System RAM at $(printf %#x $a): not the mixed-section layout"
done
[ $(( (start - 1) >> 27 )) = $((start >> 27)) ] && [ $(( (start + size) >> 27 )) = $(( (start + size - 1) >> 27 )) ] ||
	fail "the RAM neighbours are not in the namespace's end sections"
memory_blocks_save start

# owned DESC: the namespace's resource is one dev_pagemap, RAM around it
# online.  freed DESC: nothing of it is mapped any more.
owned() {
	check_owned "$ns $1" $start $((start + size - 1)) "$(ram_words $((start - 1)))" \
		"$(ram_words $((start + size)))"
	memory_blocks_same start "$ns $1"
}
freed() {
	check_free "$ns $1" $start $((start + size - 1))
	check_ram "$ns $1: RAM before" $((start - 1))
	check_ram "$ns $1: RAM after" $((start + size))
	memory_blocks_same start "$ns $1"
}
owned "boot mode $(cat "$nsdir/mode")"

align=$(cat "/sys/bus/nd/devices/$region/align")
note "$region default align $((align >> 20)) MiB, lowered to 2 MiB"
if [ "$align" != $((2 << 20)) ]; then
	sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$region/align"
fi

# fsdax, memmap on the device
m0=$(memmap_pages)
step "fsdax map=dev" ndctl create-namespace -f -e "$ns" -m fsdax -M dev
[ "$(json .mode)" = fsdax ] && [ "$(cat "$nsdir/mode")" = memory ] ||
	fail "mode is $(json .mode)/$(cat "$nsdir/mode"), not fsdax/memory"
note "fsdax map=dev $ns size=$(json .size): memmap pages +$(( $(memmap_pages) - m0 ))"
owned "fsdax map=dev"
dax_fs "$ns" "$(json .blockdev)" mixed-fsdax-dev $((8 << 20)) cycle

# fsdax, memmap in RAM (no info block)
m0=$(memmap_pages)
step "fsdax map=mem" ndctl create-namespace -f -e "$ns" -m fsdax -M mem
[ "$(json .map)" = mem ] && [ "$(cat "$nsdir/mode")" = memory ] ||
	fail "map is $(json .map)/$(cat "$nsdir/mode"), not mem/memory"
note "fsdax map=mem $ns size=$(json .size): memmap pages +$(( $(memmap_pages) - m0 ))"
owned "fsdax map=mem"
dax_fs "$ns" "$(json .blockdev)" mixed-fsdax-mem $((8 << 20))

# devdax
m0=$(memmap_pages)
step "devdax" ndctl create-namespace -f -e "$ns" -m devdax
dax=$(json '.daxregion.devices[0].chardev')
[ "$(json .mode)" = devdax ] && [ -c "/dev/$dax" ] || fail "no devdax char device ($dax)"
note "devdax map=$(json .map) $ns size=$(json '.daxregion.devices[0].size'): memmap pages +$(( $(memmap_pages) - m0 ))"
owned "devdax"
devdax_cycle "$ns" "$dax" $((16 << 20)) mixed-devdax

# raw: ndctl -m raw leaves a legacy namespace in memory mode; force_raw
# turns the memmap off.
step "raw" ndctl create-namespace -f -e "$ns" -m raw
if [ "$(cat "$nsdir/mode")" != raw ]; then
	step "disable namespace" ndctl disable-namespace "$ns"
	sysfs_write 1 "$nsdir/force_raw"
	step "enable namespace" ndctl enable-namespace "$ns"
fi
[ "$(cat "$nsdir/mode")" = raw ] || fail "$ns mode is $(cat "$nsdir/mode"), not raw"
freed "raw"
blk=$(find "$nsdir/block/" -mindepth 1 -maxdepth 1 -name "pmem*" -printf "%f\n" 2> /dev/null | head -n 1)
[ -b "/dev/$blk" ] || fail "no block device for raw $ns"
[ "$(blockdev --getsize64 "/dev/$blk")" = $size ] || fail "/dev/$blk is not the whole $size bytes"
make_pattern /tmp/pattern $size mixed-raw
step "raw write" dd if=/tmp/pattern of="/dev/$blk" bs=1M oflag=direct status=none
step "raw read" dd if="/dev/$blk" of=/tmp/readback bs=1M iflag=direct status=none
verify_same /tmp/pattern /tmp/readback
# back to the boot state (memory mode)
step "disable namespace" ndctl disable-namespace "$ns"
sysfs_write 0 "$nsdir/force_raw"
step "enable namespace" ndctl enable-namespace "$ns"
owned "back in memory mode"
summary "fsdax map=dev and map=mem with ext4 dax, devdax mmap, raw on $region (align 2M); pfn owners checked ($kind)"
