#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A zone's span after offlining hot-added RAM next to a fine hole.  The
# guest's RAM is [0, 1 GiB) and [4 GiB, 5 GiB) (max-ram-below-4g=1G),
# less its last MiB (memmap=1M$0x13ff00000), and a 256 MiB QEMU DIMM at
# 5 GiB is hot-added at boot, offline.  Onlined into ZONE_NORMAL, it
# extends the zone; offlined, shrink_zone_span() looks for the zone's
# new end from 5 GiB down with pfn_to_online_page().  Stock probes every
# 2 MiB; at a finer sub-section the 1 MiB hole is not valid memory, so
# a 2 MiB step lands in it, steps over the RAM below it and cuts the
# zone at 5 GiB - 2 MiB while [5 GiB - 2 MiB, 5 GiB - 1 MiB) is online
# (under DEBUG_VM, bad_range() then fires on its pages).  Ours probes
# once per sub-section.  The zone must span all online RAM after every
# offline, both blocks in either order, twice; the memory blocks end
# offline as they began.  (Seen on ours built with stock's 2 MiB step,
# booted at 64 KiB: the zone cut at 5 GiB - 2 MiB, then within seconds
# VM_BUG_ON_PAGE(bad_range()) in the page allocator on pfn 0x13fe21.
# Stock itself passes: its 2 MiB sub-section holding the hole is valid.)
#
# pmem-explicit: yes
# pmem-machine: max-ram-below-4g=1G
# pmem-dimm: 256M
# pmem-cmdline: memmap=1M$0x13ff00000
# pmem-budget: 300
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
ram_end=$((0x13ff00000))	# first byte of the hole after boot RAM
dimm=$((5 << 30)) dimm_size=$((256 << 20))
block=$(( $(printf '%d' "0x$(cat /sys/devices/system/memory/block_size_bytes)") ))
echo "kernel $kind, sub-sections of $((LAYOUT_SUB >> 10)) KiB, memory blocks of $((block >> 20)) MiB"
grep -q "^ *100000000-13fefffff : System RAM" /proc/iomem ||
	fail "boot RAM is not [4G, 5G - 1M): $(grep 'System RAM' /proc/iomem | tr '\n' ' ')"
blocks=()
for ((a = dimm; a < dimm + dimm_size; a += block)); do
	b=/sys/devices/system/memory/memory$((a / block))
	[ -e "$b/state" ] || fail "no memory block for the DIMM at $(printf %#x "$a") (ACPI memory hotplug?)"
	[ "$(cat "$b/state")" = offline ] || fail "$b is $(cat "$b/state"), not offline"
	blocks+=("$b")
done
memory_blocks_save start
snapshot start

# normal_end: first byte after ZONE_NORMAL's span, from /proc/zoneinfo
normal_end() {
	awk '/^Node 0, zone +Normal/ { z = 1; next } /^Node/ { z = 0 }
	     z && $1 == "spanned" { sp = $2 }
	     z && $1 == "start_pfn:" { st = $2 }
	     END { if (st == "") exit 1; printf "%.0f\n", (st + sp) * '"$PAGE_SIZE"' }' /proc/zoneinfo
}

# check_span DESC MIN: the zone must reach MIN (its online RAM's end)
check_span() {
	local e
	e=$(normal_end) || fail "$1: no Normal zone in /proc/zoneinfo"
	echo "    $1: ZONE_NORMAL ends at $(printf %#x "$e")"
	[ "$e" -ge "$2" ] ||
		fail "$1: ZONE_NORMAL ends at $(printf %#x "$e"), below online RAM up to $(printf %#x "$2")"
}

check_span "boot" $ram_end
for round in 1 2; do
	for b in "${blocks[@]}"; do
		sysfs_write online_kernel "$b/state"
	done
	check_span "round $round, DIMM online" $((dimm + dimm_size))
	# round 1 from the top block down, round 2 from the bottom up
	order=()
	for ((i = 0; i < ${#blocks[@]}; i++)); do
		if [ $round = 1 ]; then
			order=("${blocks[$i]}" "${order[@]}")
		else
			order+=("${blocks[$i]}")
		fi
	done
	for b in "${order[@]}"; do
		sysfs_write offline "$b/state"
		want=$ram_end
		for o in "${blocks[@]}"; do
			[ "$(cat "$o/state")" = online ] || continue
			a=$(( (16#$(cat "$o/phys_index") + 1) * block ))
			[ "$a" -gt "$want" ] && want=$a
		done
		check_span "round $round, $(basename "$b") offline" "$want"
	done
done

snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "ZONE_NORMAL spans all online RAM after offlining a DIMM next to a 1 MiB hole, both orders, twice, at $((LAYOUT_SUB >> 10)) KiB sub-sections ($kind)"
