#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mixed-section legacy pmem: memmap=60M!1100M starts inside the section
# 1024..1152 MiB and ends inside 1152..1280 MiB; both sections also hold
# System RAM.  Lower the region's align to 2 MiB, then fsdax (ext4 -o dax,
# content survives a namespace disable/enable), devdax (mmap pattern read
# back), raw.
#
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 420
set -eu
. "$PMEM_DIR/guest/lib.sh"

start=$((1100 << 20)) size=$((60 << 20))
region=$(region_at $start) || fail "no region at 1100 MiB (memmap=60M!1100M not honoured?)"
ns=$(region_namespaces "$region" | head -n 1)
[ -n "$ns" ] || fail "$region has no namespace"
echo "region $region, namespace $ns"
grep -i 'persistent\|System RAM' /proc/iomem | sed 's/^/    /'
[ "$(printf '%d' "$(cat /sys/bus/nd/devices/"$region"/size)")" = $size ] ||
	fail "$region size $(cat /sys/bus/nd/devices/"$region"/size), expected $size"

align=$(cat /sys/bus/nd/devices/"$region"/align)
note "$region default align $((align >> 20)) MiB"
if [ "$align" != $((2 << 20)) ]; then
	sysfs_write $((2 << 20)) /sys/bus/nd/devices/"$region"/align
fi

# fsdax + ext4 -o dax, content across a namespace disable/enable
m0=$(memmap_pages)
step "fsdax" ndctl create-namespace -f -e "$ns" -m fsdax
blk=$(json .blockdev)
[ "$(json .mode)" = fsdax ] || fail "mode is $(json .mode), not fsdax"
note "fsdax $ns map=$(json .map) size=$(json .size): memmap pages +$(( $(memmap_pages) - m0 ))"
step "mkfs" mkfs.ext4 -F -q -b 4096 "/dev/$blk"
step "mount dax" mount -o dax "/dev/$blk" /tmp/mnt
grep -q "^/dev/$blk /tmp/mnt ext4 .*dax" /proc/mounts || fail "ext4 on /dev/$blk not mounted with dax: $(grep "/dev/$blk" /proc/mounts)"
make_pattern /tmp/pattern $((8 << 20)) mixed-fsdax
step "write file" cp /tmp/pattern /tmp/mnt/pattern
step "sync" sync
step "umount" umount /tmp/mnt
step "disable namespace" ndctl disable-namespace "$ns"
step "enable namespace" ndctl enable-namespace "$ns"
step "mount dax again" mount -o dax "/dev/$blk" /tmp/mnt
verify_same /tmp/pattern /tmp/mnt/pattern
step "umount" umount /tmp/mnt

# devdax: a pattern written through one mapping, read through another
# after a disable/enable
m0=$(memmap_pages)
step "devdax" ndctl create-namespace -f -e "$ns" -m devdax
dax=$(json '.daxregion.devices[0].chardev')
dsize=$(json '.daxregion.devices[0].size')
[ "$(json .mode)" = devdax ] && [ -c "/dev/$dax" ] || fail "no devdax char device ($dax)"
note "devdax $ns map=$(json .map) size=$dsize: memmap pages +$(( $(memmap_pages) - m0 ))"
len=$((16 << 20))
make_pattern /tmp/pattern $len mixed-devdax
step "mmap write" mmap_dev write "/dev/$dax" $len /tmp/pattern
step "disable namespace" ndctl disable-namespace "$ns"
step "enable namespace" ndctl enable-namespace "$ns"
step "mmap read" mmap_dev read "/dev/$dax" $len /tmp/readback
verify_same /tmp/pattern /tmp/readback

# raw: block I/O over the whole namespace
step "raw" ndctl create-namespace -f -e "$ns" -m raw
blk=$(json .blockdev)
[ "$(json .mode)" = raw ] || fail "mode is $(json .mode), not raw"
make_pattern /tmp/pattern $size mixed-raw
step "raw write" dd if=/tmp/pattern of="/dev/$blk" bs=1M oflag=direct status=none
step "raw read" dd if="/dev/$blk" of=/tmp/readback bs=1M iflag=direct status=none
verify_same /tmp/pattern /tmp/readback
summary "fsdax+ext4 dax, devdax mmap, raw on $region (align 2M)"
