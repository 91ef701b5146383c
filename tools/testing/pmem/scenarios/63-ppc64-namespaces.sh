#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ppc64le pseries (64K pages, 16 MiB sections), radix or hash MMU:
# namespaces on the spapr NVDIMM (papr_scm, labels), fsdax and devdax,
# memmap in RAM and on the device.  Each pair is created, every data
# page written through a mapping and read back, then the pair is
# disabled and enabled in both orders with the data read back after
# each, and destroyed in the order unlike its creation.  After every step
# nr_memmap_pages must be its starting value plus the memmap pages the
# live namespaces' dev_pagemap ranges need, counted by hand with a page
# shared by both counted once (a 64 KiB memmap page holds the struct
# pages of 64 MiB: here both namespaces' struct pages share one, as on
# arm64 64K).  At the end /proc/iomem, `ndctl list -RN` and nr_memmap*
# are as they were.
#
#   radix: the linear map takes 2 MiB steps, so an 8 MiB devdax and a
#          16 MiB fsdax namespace share the region's first 16 MiB section.
#   hash:  the linear map is bolted in 16 MiB pages
#          (memremap_compat_align()): an 8 MiB fsdax or devdax namespace
#          is refused, with a line naming the 16384 KiB step (ours) and
#          nothing changed.  The info-block at a namespace's start pushes
#          its data to the next 16 MiB, so the pairs are 32 MiB each.
#
# ndctl makes no fsdax or devdax namespace below 16 MiB: each is made raw
# and claimed through sysfs (nd_claim in guest/lib.sh).
#
# QEMU's TCG decodes no dcbstps / dcbfps: the guest runs with the
# probe's tcg_pmem_noflush (run.sh), which turns the kernel's pmem
# flushes off; without it the first data write Oopses.
#
# pmem-arch: ppc64le
# pmem-nvdimm: yes
# pmem-fine: yes
# pmem-budget: 1800
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

kind=$(probe_kernel)
layout_read
mmu=$(sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
case $mmu in
Radix) mmu="radix" ;;
Hash) mmu="hash" ;;
*) fail "unknown MMU '$mmu' in /proc/cpuinfo" ;;
esac
grep -q 'tcg_pmem_noflush: CPU_FTR_ARCH_207S off' <<< "$(dmesg)" ||
	fail "the probe did not turn the pmem flushes off (tcg_pmem_noflush)"
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
rstart=$(printf '%d' "$(cat "$rdir/resource")")
echo "$region at $(printf %#x "$rstart"), $mmu MMU, page $LAYOUT_PS, struct page $LAYOUT_SP, sub-section $LAYOUT_SUB ($kind)"
snapshot start
ns_base=$(memmap_pages)
align0=$(cat "$rdir/align")
sysfs_write $((2 << 20)) "$rdir/align"

# setup N MIB MODE MAP: namespace N (a name of ours) of MIB MiB, the
# next free space of the region, MODE with its memmap in MAP.
setup() {
	local n=$1
	step "$n: $2 MiB raw" ndctl create-namespace -f -r "$region" -s "$2M" -m raw
	ns_of[$n]=$(json .dev)
	nd_claim "$region" "${ns_of[$n]}" "$3" "$4" "$LAYOUT_PS"
	[ "$(json .mode)" = "$3" ] || fail "$n: ${ns_of[$n]} is $(json .mode), not $3"
	ns_devices "$n" "$3"
	ns_live[$n]=$(pgmap_of "${ns_of[$n]}")
	ns_check_count "$n created"
}

gone() {
	step "destroy ${ns_of[$1]} ($1)" ndctl destroy-namespace -f "${ns_of[$1]}"
	unset "ns_live[$1]"
	ns_check_count "$1 destroyed"
}

# pair MIB_A MODE_A MAP_A MIB_B MODE_B MAP_B ab|ba: namespaces a and b,
# side by side from the region's start; used; disabled and enabled in
# both orders with the data read back; destroyed in the order given.
pair() {
	local sa sb first=${7:0:1} second=${7:1:1}
	echo "=== a: $2 map=$3 $1 MiB, b: $5 map=$6 $4 MiB, destroyed $first first"
	setup a "$1" "$2" "$3"
	setup b "$4" "$5" "$6"
	read -r sa _ <<< "$(ns_range "${ns_of[a]}")"
	read -r sb _ <<< "$(ns_range "${ns_of[b]}")"
	echo "    a at +$(( (sa - rstart) >> 20 )) MiB, b at +$(( (sb - rstart) >> 20 )) MiB: sections $(( sa >> 24 )) and $(( sb >> 24 ))"
	ns_use a; ns_use b
	ns_off a; ns_verify b; ns_off b
	ns_on a; ns_on b; ns_verify a; ns_verify b
	ns_off b; ns_verify a; ns_on b; ns_verify b
	gone "$first"; ns_verify "$second"; gone "$second"
}

if [ "$mmu" = hash ]; then
	# An 8 MiB namespace cannot be mapped in 16 MiB steps: refused, the
	# raw namespace kept, nothing mapped.
	for m in "fsdax mem" "devdax dev"; do
		# shellcheck disable=SC2086 # two words
		set -- $m
		step "raw 8 MiB" ndctl create-namespace -r "$region" -s 8M -m raw
		raw=$(json .dev)
		cat /proc/iomem > /tmp/raw8.iomem
		before=$(memmap_pages) mark=$(dmesg | wc -l)
		if kernel_is_stock; then
			# stock hosts nothing below 16 MiB (nd_namespace_store()):
			# refused one step earlier, any failure is its refusal
			if ! (nd_claim "$region" "$raw" "$1" "$2" "$LAYOUT_PS" refused); then
				echo "    stock refused it before the bind"
				step "enable $raw raw again" ndctl enable-namespace "$raw"
			fi
		else
			nd_claim "$region" "$raw" "$1" "$2" "$LAYOUT_PS" refused
			dmesg | tail -n +$((mark + 1)) | grep 'this boot maps in 16384 KiB steps' ||
				fail "no line names the 16384 KiB step the hash MMU needs"
		fi
		cat /proc/iomem > /tmp/raw8.after
		diff /tmp/raw8.iomem /tmp/raw8.after ||
			fail "/proc/iomem changed by the refusal: $(diff /tmp/raw8.iomem /tmp/raw8.after | grep '^[<>]' | tr '\n' ' ')"
		[ "$(memmap_pages)" = "$before" ] ||
			fail "nr_memmap_pages $before -> $(memmap_pages) by the refusal"
		step "destroy $raw" ndctl destroy-namespace -f "$raw"
	done
	# the info-block pushes the data to the next 16 MiB: 32 MiB each
	pair 32 fsdax mem 32 devdax mem ba
	pair 32 devdax dev 32 fsdax dev ab
	what="8 MiB refused (16 MiB linear map); 32 MiB namespaces, 16 MiB of data each"
else
	# devdax at +0 and fsdax at +8 MiB share the first section; stock
	# hosts nothing below 16 MiB (nd_namespace_store()): 16 MiB apart
	small=8
	if kernel_is_stock; then
		small=16
		note "stock difference: no fsdax/devdax below 16 MiB, so no two share a section"
	fi
	pair $small devdax mem 16 fsdax mem ba
	pair $small devdax dev 16 fsdax dev ab
	what="$small MiB devdax and 16 MiB fsdax side by side"
fi

sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
summary "$mmu: $what, fsdax/devdax x map=mem/dev, data across disable/enable in both orders, memmap counted by hand ($kind)"
