#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A 1 MiB NVMe Controller Memory Buffer (QEMU -device nvme,cmb_size_mb=1).
# The nvme driver registers a CMB as p2pmem only when its size and BAR
# are aligned to memremap_compat_align(), the sub-section size: 2 MiB on
# stock and on ours by default, so a 1 MiB CMB is ignored.  Ours booted
# with a finer sub-section (subsection_size=64K, make pmem-test's second
# boot) must register it as p2pmem of exactly 1048576 bytes and the
# driver must place its I/O submission queues in it (p2pmem/available
# drops).  Either way I/O through the disk verifies byte for byte, and
# unbinding the driver gives /proc/iomem and nr_memmap* back as before.
#
# pmem-nvme: yes
# pmem-fine: yes
# pmem-budget: 240
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
sub_kib=$((LAYOUT_SUB >> 10))
echo "kernel $kind, sub-sections of $sub_kib KiB"
snapshot before
step "load the nvme driver" modprobe nvme
for _ in $(seq 100); do
	[ -b /dev/nvme0n1 ] && break
	sleep 0.3
done
[ -b /dev/nvme0n1 ] || fail "no /dev/nvme0n1 after modprobe nvme"
dev=$(basename "$(readlink -f /sys/class/nvme/nvme0/device)")
p2p=/sys/bus/pci/devices/$dev/p2pmem
echo "controller $dev; kernel log:"
dmesg | grep -iE 'nvme|p2p' | tail -n 8 | sed 's/^/    /'
grep -iE 'nvme|p2p' /proc/iomem | sed 's/^/    /' || true

if [ "$LAYOUT_SUB" -le $((1 << 20)) ]; then
	[ -d "$p2p" ] || fail "the 1 MiB CMB is not p2pmem at $sub_kib KiB sub-sections"
	size=$(cat "$p2p/size") avail=$(cat "$p2p/available")
	echo "    p2pmem: size $size, available $avail, published $(cat "$p2p/published")"
	[ "$size" = 1048576 ] || fail "p2pmem size $size, not 1048576"
	[ "$avail" -lt "$size" ] ||
		fail "the driver placed nothing in the CMB (available $avail of $size)"
	what="1 MiB CMB is p2pmem of $size bytes, $((size - avail)) bytes of I/O queues in it"
	note "cmb at $sub_kib KiB sub-sections: p2pmem size $size, available $avail"
else
	if [ -d "$p2p" ]; then
		fail "a 1 MiB CMB became p2pmem at $sub_kib KiB sub-sections: $(cat "$p2p/size") bytes"
	fi
	what="1 MiB CMB ignored at $sub_kib KiB sub-sections, as it must be"
	note "cmb at $sub_kib KiB sub-sections: ignored ($kind)"
fi

len=$((4 << 20))
make_pattern /tmp/cmb.pattern $len nvme-cmb
step "write 4 MiB" dd if=/tmp/cmb.pattern of=/dev/nvme0n1 bs=1M oflag=direct status=none
step "read it back" dd if=/dev/nvme0n1 of=/tmp/cmb.readback bs=1M count=4 iflag=direct status=none
verify_same /tmp/cmb.pattern /tmp/cmb.readback

step "unbind the driver" sh -c "echo $dev > /sys/bus/pci/drivers/nvme/unbind"
[ ! -d "$p2p" ] || [ "$(cat "$p2p/size" 2> /dev/null || echo 0)" = 0 ] ||
	fail "p2pmem still there after unbind"
step "unload the driver" rmmod nvme
snapshot after
same_snapshot before after
summary "$what; 4 MiB verified through /dev/nvme0n1; unbind restores iomem and nr_memmap ($kind)"
