#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# arm64, 64K or 16K pages: namespaces whose struct pages share a memmap
# page.  One memmap page holds the struct pages of 64 MiB (64K pages) or
# 4 MiB (16K pages), so two 18 MiB namespaces at 0xa0000000 and
# 0xa1200000 share one.  For devdax and fsdax, memmap in RAM and on the
# device: both are created, every page of both is written and read back
# through a shared mapping, then they are torn down in both orders, and
# one is removed and re-added while its neighbour lives and is used
# again.  Controls: two namespaces in different memmap pages
# (0xb0000000, 0xb4000000), and two adjacent namespaces on either side
# of a section boundary (0xc0000000; with a 64-byte struct page a memmap
# page never spans two sections on arm64, so they share none).
# After every step nr_memmap_pages must be its starting value plus the
# memmap pages the live namespaces' dev_pagemap ranges need, counted by
# hand with a shared page counted once.  Stock frees the shared page
# with the first namespace and counts it twice (recorded, see
# RESULTS.md).
#
# pmem-arch: arm64
# pmem-stock: oops when the first of two namespaces sharing a memmap page is gone, the second's struct pages are (arm64 vmemmap_free)
# pmem-region: 0xa0000000 0x1200000
# pmem-region: 0xa1200000 0x1200000
# pmem-region: 0xb0000000 0x1000000
# pmem-region: 0xb4000000 0x1000000
# pmem-region: 0xbf000000 0x1000000
# pmem-region: 0xc0000000 0x1000000
# pmem-budget: 3600
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
echo "page size $LAYOUT_PS, struct page $LAYOUT_SP bytes ($kind)"
for a in 0xa0000000 0xa1200000 0xb0000000 0xb4000000 0xbf000000 0xc0000000; do
	r=$(region_at $a) || fail "no pmem region at $a (pmem-region node missing?)"
	ns_of[$a]=$(region_namespaces "$r" | head -n 1)
	[ -n "${ns_of[$a]}" ] || fail "$r at $a has no namespace"
	# The regions' default 16 MiB align refuses an 18 MiB namespace.
	sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$r/align"
done
snapshot start
ns_base=$(memmap_pages)

# setup A MODE MAP: make the namespace at A a MODE namespace, memmap MAP.
setup() {
	local a=$1 ns=${ns_of[$1]}
	step "$ns at $a: $2 map=$3" ndctl create-namespace -f -e "$ns" -m "$2" -M "$3" -a "$LAYOUT_PS"
	ns_devices "$a" "$2"
	ns_live[$a]=$(pgmap_of "$ns")
}

raw() {
	step "${ns_of[$1]} back to raw" ndctl create-namespace -f -e "${ns_of[$1]}" -m raw
	unset "ns_live[$1]"
}

# pair A B MODE MAP [full]: both, used; torn down A first, then B first;
# with "full" also A removed and re-added while B lives.
pair() {
	local a=$1 b=$2 mode=$3 map=$4
	echo "=== $a + $b: $mode map=$map"
	setup "$a" "$mode" "$map"; ns_check_count "$a created"
	setup "$b" "$mode" "$map"; ns_check_count "$b created"
	ns_use "$a"; ns_use "$b"
	ns_off "$a"; ns_verify "$b"; ns_off "$b"
	ns_on "$a"; ns_on "$b"; ns_verify "$a"; ns_verify "$b"
	ns_off "$b"; ns_verify "$a"; ns_off "$a"
	if [ "${5:-}" = full ]; then
		ns_on "$a"; ns_on "$b"
		ns_off "$a"; ns_verify "$b"
		ns_on "$a"; ns_verify "$b"; ns_use "$a"
		ns_off "$a"; ns_off "$b"
	fi
	raw "$a"; raw "$b"
	ns_check_count "$a and $b raw"
}

for mm in "devdax mem" "devdax dev" "fsdax mem" "fsdax dev"; do
	# shellcheck disable=SC2086 # two words
	pair 0xa0000000 0xa1200000 $mm full
done
pair 0xb0000000 0xb4000000 devdax mem
pair 0xbf000000 0xc0000000 devdax mem
pair 0xbf000000 0xc0000000 fsdax dev

snapshot end
same_snapshot start end
a=$(memmap_pages_of "$(printf '%d %d' 0xa0000000 0xa11fffff)" "$(printf '%d %d' 0xa1200000 0xa23fffff)")
summary "2 namespaces sharing a memmap page ($a page(s) for both, page $LAYOUT_PS): devdax/fsdax x map=mem/dev, both teardown orders, re-add beside a live neighbour ($kind)"
