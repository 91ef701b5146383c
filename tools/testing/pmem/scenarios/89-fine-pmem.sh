#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Legacy pmem on 1 MiB (not 2 MiB) boundaries with System RAM on both
# sides in the same sections: memmap=30M!1729M is [1729 MiB, 1759 MiB).
# The 2 MiB sub-sections at either end hold RAM too, so with 2 MiB
# sub-sections (stock, and ours by default) the namespace cannot be
# mapped: its boot mode has no pages and fsdax / devdax are refused,
# cleanly (the 1 MiB at either end, in sub-sections boot marked for the
# RAM, even reads as online memory there).  Ours booted at a finer size (subsection_size=64K) must map
# it: in its boot mode, as fsdax (ext4 -o dax, a file surviving umount
# and disable/enable) and as devdax (a pattern surviving disable/enable),
# the probe seeing exactly the namespace as device memory and the RAM
# next to it online; back in the boot mode, /proc/iomem and nr_memmap*
# are as they were.
#
# pmem-cmdline: memmap=30M!1729M
# pmem-fine: yes
# pmem-budget: 600
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

start=$((1729 << 20)) size=$((30 << 20))
end=$((start + size - 1))
kind=$(probe_kernel)
layout_read
sub_kib=$((LAYOUT_SUB >> 10))
region=$(region_at $start) || fail "no region at 1729 MiB (memmap=30M!1729M not honoured?)"
# The namespace whose resource starts there, from sysfs: where it cannot
# be mapped it is not enabled, and ndctl lists only enabled namespaces.
ns=""
for d in /sys/bus/nd/devices/namespace*; do
	[ -e "$d/resource" ] || continue
	if [ "$(printf '%d' "$(cat "$d/resource")")" = $start ]; then
		ns=$(basename "$d")
		break
	fi
done
if [ -z "$ns" ]; then
	find "/sys/bus/nd/devices/$region/" /sys/bus/nd/devices/ -maxdepth 1 | sed 's/^/    /'
	fail "no namespace at 1729 MiB (region $region)"
fi
nsdir=/sys/bus/nd/devices/$ns
echo "kernel $kind, sub-sections of $sub_kib KiB; region $region, namespace $ns"
for a in $((start - 1)) $((start + size)); do
	iomem_ram $a || fail "no System RAM at $(printf %#x $a): not the layout this scenario needs"
done
memory_blocks_save start
align=$(cat "/sys/bus/nd/devices/$region/align")
[ "$align" = $((1 << 20)) ] || sysfs_write $((1 << 20)) "/sys/bus/nd/devices/$region/align"

if [ "$LAYOUT_SUB" -gt $((1 << 20)) ]; then
	# 2 MiB sub-sections: nothing of it can be mapped.
	snapshot before
	# No pfn of it has a dev_pagemap.  The 1 MiB at either end shares a
	# 2 MiB sub-section with RAM, which boot marked present: those
	# 2 x 256 pfns count as online (reserved boot memmap), the rest not.
	mapped_none() {
		check_range "$ns $1" $((start / PAGE_SIZE)) $((size / PAGE_SIZE)) \
			pfns=$((size / PAGE_SIZE)) pgmap=0 online=512
	}
	mapped_none "boot mode"
	refused "fsdax at $sub_kib KiB sub-sections" ndctl create-namespace -f -e "$ns" -m fsdax
	refused "devdax at $sub_kib KiB sub-sections" ndctl create-namespace -f -e "$ns" -m devdax
	mapped_none "after the refusals"
	check_ram "RAM before" $((start - 1))
	check_ram "RAM after" $((start + size))
	memory_blocks_same start "refused"
	snapshot after
	same_snapshot before after
	note "1 MiB-aligned pmem at $sub_kib KiB sub-sections: refused ($kind)"
	summary "pmem at 1 MiB boundaries refused at $sub_kib KiB sub-sections, cleanly ($kind)"
	exit 0
fi

owned() {
	check_owned "$ns $1" $start $end "$(ram_words $((start - 1)))" \
		"$(ram_words $((start + size)))"
	memory_blocks_same start "$ns $1"
}
freed() {
	check_free "$ns $1" $start $end
	check_ram "$ns $1: RAM before" $((start - 1))
	check_ram "$ns $1: RAM after" $((start + size))
	memory_blocks_same start "$ns $1"
}
owned "boot mode $(cat "$nsdir/mode")"
snapshot before

# fsdax, memmap on the device: ext4 -o dax, a file across disable/enable
step "fsdax map=dev" ndctl create-namespace -f -e "$ns" -m fsdax -M dev
[ "$(json .mode)" = fsdax ] || fail "mode is $(json .mode), not fsdax"
blk=$(json .blockdev)
note "fsdax map=dev at $sub_kib KiB sub-sections: $ns size=$(json .size) align=$(json .align)"
owned "fsdax"
dax_fs "$ns" "$blk" fine-fsdax $((8 << 20)) cycle

# devdax with 4 KiB pages: a pattern across disable/enable
step "devdax" ndctl create-namespace -f -e "$ns" -m devdax -a 4K
dax=$(json '.daxregion.devices[0].chardev')
[ -c "/dev/$dax" ] || fail "no devdax char device ($dax)"
note "devdax at $sub_kib KiB sub-sections: $ns size=$(json '.daxregion.devices[0].size')"
owned "devdax"
devdax_cycle "$ns" "$dax" $((16 << 20)) fine-devdax

# back to the boot mode: no info block, the whole range memremapped
step "back to the boot mode" ndctl create-namespace -f -e "$ns" -m fsdax -M mem
owned "boot mode again"
snapshot after
same_snapshot before after
summary "pmem at 1 MiB boundaries between RAM at $sub_kib KiB sub-sections: boot mode, fsdax (ext4 dax) and devdax across disable/enable ($kind)"
