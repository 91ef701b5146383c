#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Old and corrupt fsdax info-blocks, made by hand, on the QEMU NVDIMM.
# The same checks run on stock and on ours, with expected values worked
# out here from the info-block format (drivers/nvdimm/pfn.h), not read
# from either kernel.
#
# With the region align lowered to 1 MiB, a 1 MiB raw namespace and
# then a 20 MiB raw namespace L at region + 1 MiB (so L starts 1 MiB off
# 2 MiB alignment and ends 1 MiB past it).  A pattern goes into L at
# offset 3 MiB, then an info-block of minor version 1, as kernels before
# 4.19 wrote them: start_pad 1 MiB, end_trunc 1 MiB, dataoff 2 MiB,
# memmap in RAM, no align / page size fields, fletcher64 checksum
# computed here.  Re-enabled, L must come up fsdax with
#   data size    20M - 1M - 1M - 2M = 16 MiB  (pfn size, block device)
#   resource     L + 1M + 2M                  (pfn resource)
#   block 0      L's byte 3M                  (the block path reads at
#                                              dataoff from L + start_pad)
# Then three bad info-blocks, each refused (no fsdax device; the
# namespace comes up raw or not at all) with the pattern and the block
# itself untouched, read back through force_raw: a wrong checksum, a
# dataoff past the end (checksum right), and a parent uuid of another
# namespace.  No kernel warning (guest/init judges the log).
#
# pmem-nvdimm: yes
# pmem-budget: 300
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

MiB=$((1 << 20))
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
align0=$(cat "$rdir/align")
snapshot start
sysfs_write $MiB "$rdir/align"

step "1 MiB raw namespace" ndctl create-namespace -f -r "$region" -s 1M -m raw
pad=$(json .dev)
step "20 MiB raw namespace" ndctl create-namespace -f -r "$region" -s 20M -m raw
ns=$(json .dev)
nsdir=/sys/bus/nd/devices/$ns
start=$(printf '%d' "$(cat "$nsdir/resource")")
uuid=$(cat "$nsdir/uuid")
echo "    $ns at $(printf %#x "$start"), uuid $uuid"
[ $(( start % (2 * MiB) )) = $MiB ] ||
	fail "$ns starts at $(printf %#x "$start"), not 1 MiB off 2 MiB alignment"
raw=/dev/$(json .blockdev)

make_pattern /tmp/ib.data $MiB "info-block-$PMEM_NAME"
step "pattern at 3 MiB" dd if=/tmp/ib.data of="$raw" bs=4096 seek=$(( 3 * MiB / 4096 )) oflag=direct status=none

# pfn_sb FILE SIG MINOR START_PAD END_TRUNC DATAOFF NPFNS PARENT [BADSUM]:
# one 4 KiB info-block (struct nd_pfn_sb), checksum over the block with
# the checksum field zero, as nd_fletcher64(..., le = true) sums it.
pfn_sb() {
	python3 - "$@" <<-'PY'
	import struct, sys, uuid
	path, sig, minor, pad, trunc, off, npfns, parent = sys.argv[1:9]
	bad = len(sys.argv) > 9
	b = bytearray(4096)
	b[0:16] = sig.encode().ljust(16, b"\0")
	b[16:32] = uuid.UUID("8a56c2a1-5f2e-4d36-9b44-0c1f3e6d7a10").bytes
	b[32:48] = uuid.UUID(parent).bytes
	struct.pack_into("<IHHQQI", b, 48, 0, 1, int(minor), int(off), int(npfns), 1)
	struct.pack_into("<II", b, 76, int(pad), int(trunc))
	lo = hi = 0
	for (w,) in struct.iter_unpack("<I", bytes(b)):
	    lo = (lo + w) & 0xffffffff
	    hi = (hi + lo) & 0xffffffffffffffff
	csum = ((hi << 32) | lo) & 0xffffffffffffffff
	if bad:
	    csum ^= 1
	struct.pack_into("<Q", b, 4088, csum)
	open(path, "wb").write(b)
	PY
}

# load FILE: write the info-block at offset 4 KiB of the raw namespace
# and re-enable it, so nd_pmem probes it.
load() {
	step "write info-block $1" dd if="$1" of="$raw" bs=4096 seek=1 oflag=direct status=none
	step "disable $ns" ndctl disable-namespace "$ns"
	echo "+ ndctl enable-namespace $ns"
	ndctl enable-namespace "$ns" 2>&1 | sed 's/^/    /' || true
	nd_settle
}

# fsdax_of NS: the pfn device claiming NS, if any.
fsdax_of() {
	local p
	for p in /sys/bus/nd/devices/pfn*; do
		[ "$(cat "$p/namespace" 2> /dev/null)" = "$1" ] && [ -e "$p/driver" ] &&
			{ basename "$p"; return 0; }
	done
	return 1
}

# A minor version 1 info-block with start_pad and end_trunc.
npfns=$(( (20 - 1 - 1 - 2) * MiB / 4096 ))
pfn_sb /tmp/ib.v1 NVDIMM_PFN_INFO 1 $MiB $MiB $((2 * MiB)) $npfns "$uuid"
load /tmp/ib.v1
pfn=$(fsdax_of "$ns") || fail "the version 1 info-block did not load: no fsdax device on $ns"
psize=$(cat "/sys/bus/nd/devices/$pfn/size")
pres=$(printf '%d' "$(cat "/sys/bus/nd/devices/$pfn/resource")")
bdev=$(basename "$(find "/sys/bus/nd/devices/$pfn/" -maxdepth 2 -path '*/block/pmem*' | head -n 1)")
[ -n "$bdev" ] || fail "$pfn has no block device"
bsize=$(( $(cat "/sys/block/$bdev/size") * 512 ))
echo "    $pfn: size $psize, resource $(printf %#x "$pres"), /dev/$bdev $bsize bytes"
datasize_note "v1-start-pad:fsdax:mem:20M" "$bsize"
[ "$psize" = $((16 * MiB)) ] || fail "$pfn size $psize, want 16 MiB (20M - pad 1M - trunc 1M - dataoff 2M)"
[ "$bsize" = $((16 * MiB)) ] || fail "/dev/$bdev has $bsize bytes, want 16 MiB"
[ "$pres" = $((start + 3 * MiB)) ] ||
	fail "$pfn resource $(printf %#x "$pres"), want $(printf %#x $((start + 3 * MiB))) (start + pad + dataoff)"
step "read block 0 of /dev/$bdev" dd if="/dev/$bdev" of=/tmp/ib.read bs=4096 count=256 iflag=direct status=none
verify_same /tmp/ib.data /tmp/ib.read

# Back to raw without touching the block: force_raw.  (The pfn device
# the probe found the info-block with goes away on disable.)
step "disable $ns" ndctl disable-namespace "$ns"
if [ -e "/sys/bus/nd/devices/$pfn/namespace" ]; then
	sysfs_write "" "/sys/bus/nd/devices/$pfn/namespace"
fi
sysfs_write 1 "$nsdir/force_raw"
step "enable $ns raw" ndctl enable-namespace "$ns"

# refused_block DESC FILE: the bad info-block FILE must not load; then
# the block and the pattern read back unchanged.
refused_block() {
	local p
	sysfs_write 0 "$nsdir/force_raw"
	load "$2"
	if p=$(fsdax_of "$ns"); then
		fail "$1: the info-block was accepted ($p)"
	fi
	echo "    $1: refused, no fsdax device"
	ndctl disable-namespace "$ns" > /dev/null 2>&1 || true
	sysfs_write 1 "$nsdir/force_raw"
	step "enable $ns raw" ndctl enable-namespace "$ns"
	step "read the block back" dd if="$raw" of=/tmp/ib.back bs=4096 skip=1 count=1 iflag=direct status=none
	verify_same "$2" /tmp/ib.back
	step "read the pattern back" dd if="$raw" of=/tmp/ib.read bs=4096 skip=$(( 3 * MiB / 4096 )) count=256 iflag=direct status=none
	verify_same /tmp/ib.data /tmp/ib.read
}

pfn_sb /tmp/ib.badsum NVDIMM_PFN_INFO 1 $MiB $MiB $((2 * MiB)) $npfns "$uuid" bad
refused_block "wrong checksum" /tmp/ib.badsum
pfn_sb /tmp/ib.past NVDIMM_PFN_INFO 1 $MiB $MiB $((20 * MiB)) $npfns "$uuid"
refused_block "dataoff past the end" /tmp/ib.past
other=$(cat "/sys/bus/nd/devices/$pad/uuid")
pfn_sb /tmp/ib.parent NVDIMM_PFN_INFO 1 $MiB $MiB $((2 * MiB)) $npfns "$other"
refused_block "parent uuid of another namespace" /tmp/ib.parent

sysfs_write 0 "$nsdir/force_raw"
step "destroy $ns" ndctl destroy-namespace -f "$ns"
step "destroy $pad" ndctl destroy-namespace -f "$pad"
sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
summary "minor version 1 info-block with start_pad and end_trunc loads: 16 MiB at start+3M, block 0 = byte 3M; bad checksum, dataoff past the end, foreign parent refused, data untouched"
