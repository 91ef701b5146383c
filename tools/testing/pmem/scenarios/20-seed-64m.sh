#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's case scaled down: memmap=64M!1536M ends at 1600 MiB, which is
# 64 MiB but not 128 MiB aligned, and System RAM follows directly in the
# same section (1536..1664 MiB).  fsdax with ext4 -o dax must work.
# The probe (probe/subsection_probe.c) must see the namespace's resource as
# one dev_pagemap range in the boot mode and in fsdax, nothing of it
# while disabled, and the RAM after it (same section) and before it as
# online pages; /sys/devices/system/memory never changes.
#
# pmem-cmdline: memmap=64M!1536M
# pmem-budget: 300
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

start=$((1536 << 20)) end=$((1600 << 20))
region=$(region_at $start) || fail "no region at 1536 MiB (memmap=64M!1536M not honoured?)"
ns=$(region_namespaces "$region" | head -n 1)
[ -n "$ns" ] || fail "$region has no namespace"
echo "region $region, namespace $ns"
# Precondition: System RAM starts right at the end, in the same section.
ram=$(printf '%08x-' $end)
grep -q "^ *$ram.* : System RAM" /proc/iomem ||
	fail "no System RAM at $(printf %#x $end) in /proc/iomem: the layout is not the seed's case"
[ $((end % (128 << 20))) != 0 ] && [ $((end % (64 << 20))) = 0 ] ||
	fail "end not 64M-aligned-but-not-128M"
grep -i -B1 -A1 'persistent' /proc/iomem | sed 's/^/    /'

kind=$(probe_kernel)
read -r ns_start ns_end <<< "$(ns_range "$ns")"
[ "$ns_start" = $start ] && [ "$ns_end" = $((end - 1)) ] ||
	fail "$ns resource $ns_start-$ns_end is not $start-$((end - 1))"
memory_blocks_save start
owned() {
	check_owned "$ns $1" $start $((end - 1)) "$(ram_words $((start - 1)))" "$(ram_words $end)"
	memory_blocks_same start "$ns $1"
}
owned "boot mode"

m0=$(memmap_pages)
if ! ndctl create-namespace -f -e "$ns" -m fsdax > /tmp/out 2>&1; then
	cat /tmp/out
	align=$(cat /sys/bus/nd/devices/"$region"/align)
	note "fsdax refused at region align $((align >> 20)) MiB; retrying with 2 MiB"
	sysfs_write $((2 << 20)) /sys/bus/nd/devices/"$region"/align
	step "fsdax" ndctl create-namespace -f -e "$ns" -m fsdax
else
	out=$(cat /tmp/out)
	echo "$out"
fi
blk=$(json .blockdev)
[ "$(json .mode)" = fsdax ] || fail "mode is $(json .mode), not fsdax"
note "fsdax $ns map=$(json .map) size=$(json .size): memmap pages +$(( $(memmap_pages) - m0 ))"
owned "fsdax map=$(json .map)"
step "mkfs" mkfs.ext4 -F -q -b 4096 "/dev/$blk"
[ "$(cat "/sys/block/$blk/queue/dax")" = 1 ] || fail "/dev/$blk does not support DAX"
step "mount dax" mount -o dax "/dev/$blk" /tmp/mnt
grep -q "^/dev/$blk /tmp/mnt ext4 .*dax" /proc/mounts || fail "not mounted with dax"
make_pattern /tmp/pattern $((24 << 20)) seed-fsdax
step "write file" cp /tmp/pattern /tmp/mnt/pattern
step "umount" umount /tmp/mnt
step "disable namespace" ndctl disable-namespace "$ns"
check_free "$ns disabled" $start $((end - 1))
check_ram "$ns disabled: RAM after" $end
memory_blocks_same start "$ns disabled"
step "enable namespace" ndctl enable-namespace "$ns"
owned "enabled again"
step "mount dax again" mount -o dax "/dev/$blk" /tmp/mnt
verify_same /tmp/pattern /tmp/mnt/pattern
step "umount" umount /tmp/mnt
step "back to the boot mode" ndctl create-namespace -f -e "$ns" -m fsdax -M mem
owned "back in the boot mode"
summary "fsdax+ext4 dax on $region ending at 1600 MiB, RAM follows in-section; pfn owners checked ($kind)"
