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
declare -A ns_of=() live=() dev=() size=() mode_of=() seed=()
for a in 0xa0000000 0xa1200000 0xb0000000 0xb4000000 0xbf000000 0xc0000000; do
	r=$(region_at $a) || fail "no pmem region at $a (pmem-region node missing?)"
	ns_of[$a]=$(region_namespaces "$r" | head -n 1)
	[ -n "${ns_of[$a]}" ] || fail "$r at $a has no namespace"
	# The regions' default 16 MiB align refuses an 18 MiB namespace.
	sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$r/align"
done
snapshot start
base=$(memmap_pages)

# check_count DESC: nr_memmap_pages against the hand count.
check_count() {
	local want got
	want=$(( base + $(memmap_pages_of "${live[@]}") ))
	got=$(memmap_pages)
	if [ "$got" != "$want" ]; then
		stock_differs "$1: nr_memmap_pages is $got, $want by hand (${#live[@]} live)"
	else
		echo "    $1: nr_memmap_pages $got = $base + $((want - base)) by hand"
	fi
}

# setup A MODE MAP: make the namespace at A a MODE namespace, memmap MAP.
setup() {
	local a=$1 ns=${ns_of[$1]}
	step "$ns at $a: $2 map=$3" ndctl create-namespace -f -e "$ns" -m "$2" -M "$3" -a "$LAYOUT_PS"
	mode_of[$a]=$2
	if [ "$2" = devdax ]; then
		dev[$a]=/dev/$(json '.daxregion.devices[0].chardev')
		size[$a]=$(json '.daxregion.devices[0].size')
	else
		dev[$a]=/dev/$(json .blockdev)
		size[$a]=$(json .size)
	fi
	live[$a]=$(pgmap_of "$ns")
}

# use A: write every page of the namespace at A through a shared mapping
# and read it back (devdax: the character device; fsdax: a file of an
# ext4 -o dax file system).  verify A: read back what use A wrote.
mapped() {
	local a=$1 op=$2 sz=${size[$1]}
	if [ "${mode_of[$a]}" = devdax ]; then
		mmap_pattern "$op" "${dev[$a]}" "$sz" "${seed[$a]}"
		return
	fi
	mount -o dax "${dev[$a]}" /tmp/mnt || fail "mount -o dax ${dev[$a]}"
	[ "$op" = write ] && { rm -f /tmp/mnt/f; truncate -s "$sz" /tmp/mnt/f; }
	mmap_pattern "$op" /tmp/mnt/f "$sz" "${seed[$a]}"
	umount /tmp/mnt
}
use() {
	local a=$1
	if [ "${mode_of[$a]}" = fsdax ]; then
		step "mkfs ${dev[$a]}" mkfs.ext4 -F -q -O ^has_journal -b "$LAYOUT_PS" "${dev[$a]}"
		mount -o dax "${dev[$a]}" /tmp/mnt || fail "mount -o dax ${dev[$a]}"
		size[$a]=$(( $(stat -f -c '%a * %S' /tmp/mnt) / 2 / LAYOUT_PS * LAYOUT_PS ))
		umount /tmp/mnt
	fi
	seed[$a]=seed-$a-${mode_of[$a]}
	echo "+ [${SECONDS}s] write ${size[$a]} bytes through a mapping of ${dev[$a]}"
	mapped "$a" write
	verify "$a"
}
verify() {
	echo "+ [${SECONDS}s] read back ${dev[$1]} through a mapping"
	mapped "$1" verify
}

off() {
	step "disable ${ns_of[$1]} ($1)" ndctl disable-namespace "${ns_of[$1]}"
	unset "live[$1]"
	check_count "$1 disabled"
}
on() {
	step "enable ${ns_of[$1]} ($1)" ndctl enable-namespace "${ns_of[$1]}"
	live[$1]=$(pgmap_of "${ns_of[$1]}")
	check_count "$1 enabled"
}
raw() {
	step "${ns_of[$1]} back to raw" ndctl create-namespace -f -e "${ns_of[$1]}" -m raw
	unset "live[$1]"
}

# pair A B MODE MAP [full]: both, used; torn down A first, then B first;
# with "full" also A removed and re-added while B lives.
pair() {
	local a=$1 b=$2 mode=$3 map=$4
	echo "=== $a + $b: $mode map=$map"
	setup "$a" "$mode" "$map"; check_count "$a created"
	setup "$b" "$mode" "$map"; check_count "$b created"
	use "$a"; use "$b"
	off "$a"; verify "$b"; off "$b"
	on "$a"; on "$b"; verify "$a"; verify "$b"
	off "$b"; verify "$a"; off "$a"
	if [ "${5:-}" = full ]; then
		on "$a"; on "$b"
		off "$a"; verify "$b"
		on "$a"; verify "$b"; use "$a"
		off "$a"; off "$b"
	fi
	raw "$a"; raw "$b"
	check_count "$a and $b raw"
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
