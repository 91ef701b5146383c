#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ppc64le pseries, 64K pages and 16 MiB sections, radix or hash MMU:
# memremap_pages() through the probe (a MEMORY_DEVICE_GENERIC range, as
# p2pdma BARs and NVMe CMBs map) over the spapr NVDIMM's region, which
# holds no namespace.  Each range is mapped and unmapped at once; after
# each, nr_memmap_pages is back where it was and no pfn of the range has
# a dev_pagemap or is online.
#
#   radix: 2 MiB at +2 MiB and at +6 MiB (inside the region's first
#          16 MiB section), 16 MiB at +16 MiB: all mapped, on both
#          kernels.
#   hash:  the linear map is bolted in pages of the size the kernel logs
#          ("hash-mmu: Page orders: linear mapping = N"); a range off
#          that size would lose its unaligned ends.  Ours refuses the
#          2 MiB ranges with -EINVAL when the linear page is larger;
#          stock maps them (recorded as a difference); 16 MiB at +16 MiB
#          is mapped by both.
#
# A boot with subsection_size=64K gets 2 MiB on ppc64 (its vmemmap code
# probes pfn_valid() by 2 MiB), with one line saying so: checked when
# the probe reports a sub-section other than 2 MiB on ours.
#
# Namespaces (fsdax, devdax) are ppc64-namespaces' and ppc64-cross-mmu's.
#
# pmem-arch: ppc64le
# pmem-nvdimm: yes
# pmem-fine: yes
# pmem-budget: 600
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
mmu=$(sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
linear=$((2 << 20))
case $mmu in
Radix) mmu="radix" ;;
Hash)
	mmu="hash"
	order=$(dmesg | sed -n 's/.*Page orders: linear mapping = \([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$order" ] || fail "no 'Page orders: linear mapping' line in the kernel log"
	[ $((1 << order)) -gt "$linear" ] && linear=$((1 << order))
	;;
*) fail "unknown MMU '$mmu' in /proc/cpuinfo" ;;
esac
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rstart=$(printf '%d' "$(cat "/sys/bus/nd/devices/$region/resource")")
[ $((rstart % (16 << 20))) = 0 ] || fail "region $region at $rstart is not 16 MiB aligned"
echo "$region at $(printf %#x "$rstart"), $mmu MMU (linear map in $((linear >> 10)) KiB), page $LAYOUT_PS, struct page $LAYOUT_SP, sub-section $LAYOUT_SUB ($kind)"
if [ "$kind" = ours ] && [ "$LAYOUT_SUB" != $((2 << 20)) ]; then
	fail "ppc64 boots at a $LAYOUT_SUB byte sub-section, below its 2 MiB floor"
fi
if [ "$kind" = ours ] && grep -q 'subsection_size=' /proc/cmdline; then
	dmesg | grep -q "is finer than this kernel allows (the architecture's vmemmap): 2048 KiB" ||
		fail "no line says subsection_size= was raised to 2 MiB"
fi
base=$(memmap_pages)
mapped=0 refused=0

# map OFFSET_MIB SIZE_MIB: memremap_pages() of the range, which must map
# exactly when it is aligned to the linear map's page (stock: always).
map() {
	local s=$((rstart + ($1 << 20))) n=$(($2 << 20)) rc want=0
	[ $((s % linear)) = 0 ] && [ $((n % linear)) = 0 ] || want=-22
	rc=$(probe_memremap "$s" "$n")
	echo "    memremap ${2}M at +${1}M: rc=$rc (ours must give $want)"
	[ "$(memmap_pages)" = "$base" ] || fail "${2}M at +${1}M: nr_memmap_pages $base -> $(memmap_pages)"
	check_free "after ${2}M at +${1}M" "$s" $((s + n - 1))
	if [ "$rc" = "$want" ] && [ "$rc" = 0 ]; then
		mapped=$((mapped + 1))
	elif [ "$rc" = "$want" ]; then
		refused=$((refused + 1))
	elif [ "$want" = -22 ] && [ "$rc" = 0 ]; then
		stock_differs "${2}M at +${1}M mapped off the $((linear >> 20)) MiB linear map"
		mapped=$((mapped + 1))
	else
		fail "memremap ${2}M at +${1}M: rc=$rc, wanted $want"
	fi
}

map 2 2
map 6 2
map 16 16
map 32 4
[ "$mapped" -ge 1 ] || fail "nothing was mapped"
summary "$mmu MMU, linear map in $((linear >> 20)) MiB: $mapped mapped, $refused refused off the linear map; sub-section $((LAYOUT_SUB >> 10)) KiB ($kind)"
