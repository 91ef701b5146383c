#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# arm64, 64K or 16K pages: one 32 MiB namespace at 0xaa200000, whose
# struct pages start partway into a memmap page and run into the next
# (34 KiB into a 64 KiB page for 32 KiB with 64K pages; 8 KiB into a
# 16 KiB page for 128 KiB with 16K pages).  Population stepping
# PAGE_SIZE from the unaligned first struct page misses the last memmap
# page, and initialising the struct pages faults (stock: an Oops in
# page_init_poison() on creation).  The range lies inside one section
# for both page sizes (16K: 0xa8000000-0xafffffff; 64K: 0xa0000000-
# 0xbfffffff): population runs per section, and a section boundary
# inside the range splits the walk into pieces that start or end on a
# memmap page boundary, which hides the bug (the earlier 0xa7200000
# crossed the 16K section boundary 0xa8000000, and stock passed there).
# Its memmap pages hold no other scenario's struct pages.  Ours maps
# whole pages, so the namespace is created, every page of it written and
# read through a shared mapping, in devdax and fsdax, memmap in RAM and
# on the device, and nr_memmap_pages is exactly its pages (2 with 64K
# pages, 9 with 16K) while it lives and back to the start after.
#
# pmem-arch: arm64
# pmem-stock: oops on creation: the last memmap page of the straddling struct pages is never mapped
# pmem-region: 0xaa200000 0x2000000
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
snapshot start
base=$(memmap_pages)
start=0xaa200000 end=$((0xaa200000 + (32 << 20) - 1))
r=$(region_at $start) || fail "no pmem region at $start"
ns=$(region_namespaces "$r" | head -n 1)
[ -n "$ns" ] || fail "$r has no namespace"
want=$(memmap_pages_of "$((start)) $end")
case $LAYOUT_PS in
65536) [ "$want" = 2 ] || fail "hand count for 64K pages is $want, not 2" ;;
16384) [ "$want" = 9 ] || fail "hand count for 16K pages is $want, not 9" ;;
esac

for mm in "devdax mem" "devdax dev" "fsdax mem" "fsdax dev"; do
	read -r mode map <<< "$mm"
	echo "=== $mode map=$map"
	step "$ns: $mode map=$map" ndctl create-namespace -f -e "$ns" -m "$mode" -M "$map" -a "$LAYOUT_PS"
	rng=$(pgmap_of "$ns")
	got=$(memmap_pages)
	exp=$(( base + $(memmap_pages_of "$rng") ))
	[ "$got" = "$exp" ] || stock_differs "$mode map=$map: nr_memmap_pages $got, $exp by hand"
	if [ "$mode" = devdax ]; then
		d=/dev/$(json '.daxregion.devices[0].chardev')
		sz=$(json '.daxregion.devices[0].size')
	else
		b=/dev/$(json .blockdev)
		step "mkfs $b" mkfs.ext4 -F -q -O ^has_journal -b "$LAYOUT_PS" "$b"
		mount -o dax "$b" /tmp/mnt || fail "mount -o dax $b"
		sz=$(( $(stat -f -c '%a * %S' /tmp/mnt) / 2 / LAYOUT_PS * LAYOUT_PS ))
		d=/tmp/mnt/f
		truncate -s "$sz" "$d"
	fi
	echo "+ [${SECONDS}s] write and read back $sz bytes through a mapping of $d"
	mmap_pattern write "$d" "$sz" "seed-$mode-$map"
	mmap_pattern verify "$d" "$sz" "seed-$mode-$map"
	[ "$mode" = fsdax ] && umount /tmp/mnt
	step "disable $ns" ndctl disable-namespace "$ns"
	[ "$(memmap_pages)" = "$base" ] || stock_differs "$mode map=$map disabled: nr_memmap_pages $(memmap_pages), not $base"
	step "enable $ns" ndctl enable-namespace "$ns"
	[ "$(memmap_pages)" = "$exp" ] || stock_differs "$mode map=$map enabled again: nr_memmap_pages $(memmap_pages), not $exp"
	step "$ns back to raw" ndctl create-namespace -f -e "$ns" -m raw
done
snapshot end
same_snapshot start end
summary "32 MiB at 0xaa200000, struct pages straddling a memmap page: $want page(s), devdax/fsdax x map=mem/dev, every page used ($kind)"
