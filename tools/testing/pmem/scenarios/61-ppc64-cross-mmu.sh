#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ppc64le: a namespace laid out under the radix MMU, read by a boot under
# the hash MMU.  The cross NVDIMM (512 MiB region on pseries, its image
# kept in build/pmem/ across boots, as for cross-kernel) carries what
# the last boot left:
#
#   radix, nothing there: a 2 MiB raw namespace "mmu-pad" first, then an
#          fsdax and a devdax namespace of 16 MiB ("mmu-radix-fsdax",
#          "mmu-radix-devdax"), which therefore start 2 MiB but not
#          16 MiB aligned, fine for radix's 2 MiB linear map steps; a
#          pattern is written into each.
#   hash:  the linear map is bolted in 16 MiB pages, so neither can be
#          mapped: each must be refused when the boot probes it (ours
#          and stock alike; ours with a line naming the 16384 KiB step),
#          stay disabled and be left untouched for the next boot.  The
#          region's allocator, at its default 16 MiB alignment, must
#          still say how much space is free: every allocation counts
#          as busy rounded out to 16 MiB (pad 0-16, fsdax 0-32, devdax
#          16-48 MiB: 80 MiB), which leaves the region's size less
#          80 MiB, within the free [48 MiB, end).  Stock's allocator
#          takes the empty gap below 16 MiB for a huge one (its end
#          wraps), warns "pmem reserve underrun" and says 0.
#   radix, namespaces there: each is enabled and holds its pattern byte
#          for byte; then all three are destroyed.
#
# `make pmem-cross-mmu ARCH=ppc64le [STOCK=1]` boots radix, hash, radix on
# a fresh image and checks that each step happened.  In a plain run the
# scenario does the step its MMU and the image call for, first in the
# boot: it leaves the region at 2 MiB alignment, so that on stock the
# other scenarios' ndctl calls, which read every region's free space,
# do not meet the warning above again.
#
# pmem-arch: ppc64le
# pmem-nvdimm-cross: yes
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

me=$(probe_kernel)
layout_read
case $(sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1) in
Radix) mmu="radix" ;;
Hash) mmu="hash" ;;
*) fail "unknown MMU in /proc/cpuinfo" ;;
esac
region=$(region_nvdimm 512) || fail "no 512 MiB cross NVDIMM region"
rdir=/sys/bus/nd/devices/$region
rstart=$(printf '%d' "$(cat "$rdir/resource")")
len=$((4 << 20))
echo "$region at $(printf %#x "$rstart"), $mmu MMU ($me)"

# data_dev NS: the device holding NS's data, or nothing when NS is not
# enabled.
data_dev() {
	local j
	j=$(ndctl list -n "$1" 2> /dev/null | jq -c 'if type == "array" then .[0] else . end')
	case $(echo "$j" | jq -r '.mode // empty') in
	devdax) echo "/dev/$(echo "$j" | jq -r '.chardev // .daxregion.devices[0].chardev')" ;;
	fsdax) echo "/dev/$(echo "$j" | jq -r .blockdev)" ;;
	esac
}

# pattern write|verify DEV SEED: LEN bytes, through the block device
# (direct I/O) or a mapping of the device dax.
pattern() {
	case $2 in
	/dev/dax*) mmap_pattern "$1" "$2" "$len" "$3" ;;
	*)
		make_pattern /tmp/want "$len" "$3"
		if [ "$1" = write ]; then
			step "write $2" dd if=/tmp/want of="$2" bs=64K oflag=direct status=none
		else
			step "read $2" dd if="$2" of=/tmp/got bs=64K count=$((len >> 16)) iflag=direct status=none
			verify_same /tmp/want /tmp/got
		fi
		;;
	esac
}

# Under hash, with the three radix-made namespaces there: the free
# space at the region's default alignment (see above).
names=$(for ns in $(ndctl list -r "$region" -N -i 2> /dev/null |
		    jq -r 'if type == "array" then .[] else . end | .dev'); do
	cat "/sys/bus/nd/devices/$ns/alt_name" 2> /dev/null || true
done | grep -c '^mmu-' || true)
if [ "$mmu" = hash ] && [ "$names" = 3 ]; then
	want=$(( $(cat "$rdir/size") - (80 << 20) ))
	got=$(stock_warn_expected 'at .*drivers/nvdimm/namespace_devs\.c:' \
		cat "$rdir/max_available_extent")
	echo "    max_available_extent at $(( $(cat "$rdir/align") >> 20 )) MiB alignment: $got (want $want)"
	[ "$got" = "$want" ] ||
		stock_differs "max_available_extent $got, not $want, under hash with radix-made namespaces"
fi

# The namespaces sit at 2 MiB steps: the region's allocator must think
# in them too when they are destroyed, not in its default 16 MiB.
sysfs_write $((2 << 20)) "$rdir/align"
found=0
for ns in $(ndctl list -r "$region" -N -i 2> /dev/null |
	    jq -r 'if type == "array" then .[] else . end | .dev'); do
	name=$(cat "/sys/bus/nd/devices/$ns/alt_name" 2> /dev/null || true)
	case $name in mmu-*) ;; *) continue ;; esac
	found=$((found + 1))
	read -r s _ <<< "$(ns_range "$ns")"
	echo "    $ns '$name' at +$(( (s - rstart) >> 20 )) MiB"
	[ "$name" = mmu-pad ] && { [ "$mmu" = radix ] && step "destroy $ns" ndctl destroy-namespace -f "$ns"; continue; }
	dev=$(data_dev "$ns")
	if [ "$mmu" = hash ]; then
		if [ -n "$dev" ]; then
			stock_differs "$ns '$name' (start $((s % (16 << 20) >> 20)) MiB off 16 MiB) enabled under hash as $dev"
			continue
		fi
		if [ "$me" = ours ]; then
			dmesg | grep 'this boot maps in 16384 KiB steps' ||
				fail "$ns '$name' refused without a line naming the 16384 KiB step"
		fi
		note "cross-mmu refused $name $ns on $me/hash"
		continue
	fi
	[ -n "$dev" ] || fail "$ns '$name' is not enabled under radix"
	pattern verify "$dev" "$name"
	note "cross-mmu read $name $ns ok on $me/radix"
	step "destroy $ns" ndctl destroy-namespace -f "$ns"
done

if [ "$mmu" = radix ] && [ $found = 0 ]; then
	step "pad" ndctl create-namespace -f -r "$region" -s 2M -m raw -n mmu-pad
	for mode in fsdax devdax; do
		# raw, then claimed (guest/lib.sh), as ppc64-namespaces does
		step "create $mode" ndctl create-namespace -f -r "$region" -s 16M \
			-m raw -n "mmu-radix-$mode"
		ns=$(json .dev)
		nd_claim "$region" "$ns" "$mode" mem "$LAYOUT_PS"
		read -r s _ <<< "$(ns_range "$ns")"
		[ $((s % (2 << 20))) = 0 ] && [ $((s % (16 << 20))) != 0 ] ||
			fail "$ns at $(printf %#x "$s"): not 2 MiB but off 16 MiB aligned"
		pattern write "$(data_dev "$ns")" "mmu-radix-$mode"
		note "cross-mmu wrote mmu-radix-$mode $ns on $me/radix"
	done
	summary "radix: wrote fsdax and devdax at 2 MiB (not 16 MiB) aligned starts ($me)"
elif [ "$mmu" = radix ]; then
	summary "radix: read back and destroyed what the image held ($found namespaces, $me)"
else
	summary "hash: $found namespaces on the image, the radix-made ones refused and kept ($me)"
fi
