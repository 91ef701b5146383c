#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device memory that starts a pageblock System RAM ends.  Legacy pmem
# memmap=1984K!1536M is [1536 MiB, 1538 MiB - 64 KiB): it starts the 2
# MiB pageblock at 1536 MiB and the last 64 KiB of that pageblock are
# RAM.  Boot types a pageblock only at a RAM pfn that starts it, so this
# one keeps the zeroed type, MIGRATE_UNMOVABLE, and no allocation can
# claim it later (16 pages of RAM, less than the half a pageblock a
# fallback needs).  Mapping the pmem (its boot mode, at a sub-section of
# 64 KiB or finer) runs memmap_init_zone_device(), which marks every
# pageblock starting inside the range MIGRATE_MOVABLE; done to this one,
# the RAM's free pages sit on lists that disagree with their block.  The
# block's type must stay Unmovable across the boot mapping and a
# disable / enable.  The type is read from page_owner (page_owner=on),
# which prints it with each allocated page: memory is filled until a
# page of the 64 KiB is allocated.
#
# And device memory strictly inside a RAM pageblock: memmap=1M!8704K
# is [8.5 MiB, 9.5 MiB), RAM on both sides in the pageblock at 8 MiB,
# low enough for compaction's migrate scanner to reach on an idle guest
# (its free scanner takes only partly used pageblocks, from the top, so
# the two meet low; here in ZONE_DMA, which it scans nearly whole).
# Compaction admits that pageblock by its first and last pfn and reads
# every struct page in it, so the pmem's struct pages must read safely
# while it is mapped and after it is unmapped (poisoned ones do not:
# page_folio() follows their compound_head, and a hugetlb kernel oopses
# in PageHuge()).  Compaction runs with the pmem mapped, after a disable
# and after an enable, and kpageflags is read over the pageblock each
# time.
#
# At 2 MiB neither pmem range can be mapped (stock, and ours by
# default): the type is the same and compaction runs clean.
#
# pmem-explicit: yes
# pmem-cmdline: memmap=1984K!1536M memmap=1M!8704K page_owner=on
# pmem-budget: 400
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
start=$((1536 << 20)) size=$((1984 << 10))
end=$((start + size))
order=$(sed -n 's/^Page block order: *//p' /proc/pagetypeinfo)
[ -n "$order" ] || fail "no pageblock order in /proc/pagetypeinfo"
pb=$((PAGE_SIZE << order))
block_end=$(((end / pb + 1) * pb))
echo "kernel $kind, sub-sections of $((LAYOUT_SUB >> 10)) KiB, pageblocks of $((pb >> 10)) KiB"
[ $((start % pb)) = 0 ] && [ $((end % pb)) != 0 ] ||
	fail "pmem [$start, $end) does not start and end inside a pageblock of $pb bytes"
iomem_ram "$end" || fail "no System RAM at $end: not the layout this scenario needs"
[ -r /sys/kernel/debug/page_owner ] || fail "no page_owner (CONFIG_PAGE_OWNER, page_owner=on)"

# block_types: "PFN ALLOC_TYPE BLOCK BLOCK_TYPE" for each allocated page
# of the RAM in the pageblock, from page_owner (its file offset is a pfn).
block_types() {
	python3 - $((end / PAGE_SIZE)) $((block_end / PAGE_SIZE)) <<-'PY'
	import os, re, sys
	first, last = int(sys.argv[1]), int(sys.argv[2])
	rec = re.compile(rb'PFN 0x([0-9a-f]+) type (\S+) Block (\d+) type (\S+)')
	fd = os.open('/sys/kernel/debug/page_owner', os.O_RDONLY)
	os.lseek(fd, first, os.SEEK_SET)
	while True:
	    m = rec.search(os.read(fd, 1 << 16))
	    if not m or int(m.group(1), 16) >= last:
	        break
	    print(int(m.group(1), 16), m.group(2).decode(), m.group(3).decode(),
	          m.group(4).decode())
	PY
}

# fill_until_seen: allocate anonymous memory, 64 MiB at a time, until a
# page of the RAM in the pageblock is allocated (or memory runs low);
# the filler holds its memory until the types are read, then exits.
fill_until_seen() {
	local avail
	python3 -c '
import mmap, sys
maps = []
while sys.stdin.readline():
    maps.append(mmap.mmap(-1, 64 << 20, flags=mmap.MAP_PRIVATE |
                          mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE))
' < /tmp/fill.in &
	filler=$!
	exec 7> /tmp/fill.in
	types=$(block_types)
	while [ -z "$types" ]; do
		avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
		[ "$avail" -gt $((160 << 10)) ] || break
		echo more >&7
		sleep 1
		types=$(block_types)
	done
	exec 7>&-
	wait "$filler" || true
}

check_type() {
	local desc=$1 pfn at bt btype n=0
	rm -f /tmp/fill.in; mkfifo /tmp/fill.in
	fill_until_seen
	[ -n "$types" ] || fail "$desc: no page of the RAM at $end is allocated, even with memory filled"
	while read -r pfn at bt btype; do
		[ "$bt" = $((pfn >> order)) ] || fail "$desc: page_owner block $bt for pfn $pfn"
		[ "$btype" = Unmovable ] ||
			fail "$desc: pageblock $bt (RAM pfn $(printf %#x "$pfn"), allocated $at) is $btype, not Unmovable"
		n=$((n + 1))
	done <<< "$types"
	echo "    pageblock $((start / pb)) Unmovable, seen through $n allocated RAM pages ($desc)"
}

# ns_at ADDR: the namespace whose resource starts at ADDR.
ns_at() {
	local d
	for d in /sys/bus/nd/devices/namespace*; do
		[ -e "$d/resource" ] || continue
		if [ "$(printf '%d' "$(cat "$d/resource")")" = "$1" ]; then
			basename "$d"
			return 0
		fi
	done
	fail "no namespace at $(printf %#x "$1")"
}

# mapped ADDR: 1 if the pfn at ADDR has a dev_pagemap, else 0.
mapped() {
	probe_query $(($1 / PAGE_SIZE))
	case $probe_out in
	*pgmap=none*) echo 0 ;;
	*) echo 1 ;;
	esac
}

# compact DESC: compact all memory, then read kpageflags over the RAM
# pageblock that holds the inner pmem (each an oops if a struct page
# there does not read safely).
compact() {
	echo 1 > /proc/sys/vm/compact_memory
	dd if=/proc/kpageflags of=/dev/null bs=8 skip=$((in_block / PAGE_SIZE)) \
		count=$((pb / PAGE_SIZE)) status=none
	echo "    compacted, kpageflags read over pageblock $((in_block / pb)) ($1)"
}

in_start=$((8704 << 10)) in_size=$((1 << 20))
in_block=$((in_start / pb * pb))
[ $in_start != $in_block ] && [ $((in_start + in_size)) -lt $((in_block + pb)) ] ||
	fail "inner pmem is not strictly inside a pageblock of $pb bytes"
iomem_ram $((in_start - 1)) && iomem_ram $((in_start + in_size)) ||
	fail "no System RAM on both sides of the inner pmem"
ns=$(ns_at $start)
in_ns=$(ns_at $in_start)
fine=$([ "$LAYOUT_SUB" -le $((64 << 10)) ] && echo 1 || echo 0)
sub="$((LAYOUT_SUB >> 10)) KiB sub-sections"
for a in $start $in_start; do
	[ "$(mapped "$a")" = "$fine" ] ||
		fail "pmem at $(printf %#x "$a"): mapped is $(mapped "$a"), not $fine, at $sub"
done
if [ "$fine" = 0 ]; then
	check_type "not mapped"
	compact "not mapped"
	summary "pmem inside RAM pageblocks: not mapped at $sub, the pageblock stays Unmovable, compaction clean ($kind)"
	exit 0
fi
check_type "boot mode mapped"
compact "mapped"
for n in "$ns" "$in_ns"; do
	step "disable $n" ndctl disable-namespace "$n"
done
compact "unmapped"
for n in "$ns" "$in_ns"; do
	step "enable $n" ndctl enable-namespace "$n"
done
for a in $start $in_start; do
	[ "$(mapped "$a")" = 1 ] || fail "pmem at $(printf %#x "$a") not mapped after enable"
done
compact "mapped again"
check_type "after disable / enable"
summary "pmem inside RAM pageblocks at $sub: mapped, the RAM's pageblock stays Unmovable, compaction clean mapped and unmapped ($kind)"
