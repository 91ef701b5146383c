#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memremap_pages() of ranges that overlap a live namespace, through the
# probe's memremap file (probe/subsection_probe.c).  The live namespace X
# is a 32 MiB fsdax namespace at region+16M on the QEMU NVDIMM, with free
# (non-RAM) region space on both sides in the same section.  Ours must
# refuse each of these with -EEXIST and exactly one kernel log line
# naming X's range, and no warning:
#   identical to X, contained in X, straddling X's first edge,
#   straddling its last edge, containing X
# plus, unambiguous errnos: 2 MiB of System RAM in a section shared with
# the legacy pmem region (-ENXIO, one line) and a range that is not
# sub-section aligned (-EINVAL, one line).  A free sub-section aligned
# range (the control) must map and unmap (rc 0) and leave nothing
# behind; input the probe itself cannot use is refused with EINVAL and
# reaches nothing.  Afterwards X's pfns still resolve to X, its data is intact,
# it survives disable/enable, and once destroyed the state (/proc/iomem,
# ndctl list, nr_memmap*, /sys/devices/system/memory) is as at the start.
#
# Stock differs and the differences are recorded as notes, not failures:
# it checks only the first and last pfn of a new range (a WARN splat and
# -ENOMEM), WARNs on RAM and on misaligned ranges, and lets a range that
# contains X through its check, then fails in __add_pages (-EEXIST, a
# WARN in add_pages) and its error path erases its lookup entries over X
# too, so X's pfns resolve to no dev_pagemap afterwards.  Its WARN
# splats are declared with stock_warn_expected (guest/lib.sh): on stock
# only, and only splats at the memremap/hotplug sites named below, are
# they recorded instead of failing the scenario; on ours any warning
# fails it.  The containing range is tried last, as on stock it breaks
# the lookups the other attempts are judged by.
#
# pmem-nvdimm: yes
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 400
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

# The WARN sites stock reaches with these attempts.
# (An O= build names them ../pmem-tree/mm/memremap.c and so on.)
stock_ere='at ([^ ]*/)?(mm/memremap\.c|mm/memory_hotplug\.c|arch/x86/mm/init_64\.c):[0-9]+ '
MiB=$((1 << 20))

kind=$(probe_kernel)
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
rstart=$(printf '%d' "$(cat "$rdir/resource")")
echo "kernel $kind, region $region at $(printf %#x "$rstart")"
snapshot start
memory_blocks_save start
align0=$(cat "$rdir/align")
sysfs_write $((2 * MiB)) "$rdir/align"

errname() {
	case $1 in
	0) echo ok ;; -6) echo ENXIO ;; -12) echo ENOMEM ;; -17) echo EEXIST ;;
	-22) echo EINVAL ;; -34) echo ERANGE ;; *) echo "errno ${1#-}" ;;
	esac
}

# holds DESC CMD...: CMD (a check that calls fail) must pass on ours; on
# stock a failure is recorded as a difference.
holds() {
	local desc=$1 o rc=0
	shift
	o=$(PMEM_REASON=/dev/null; "$@" 2>&1) || rc=$?
	echo "$o" | sed 's/^FAIL: /not as on ours: /'
	[ $rc = 0 ] || stock_differs "$desc: $(echo "$o" | sed -n 's/^FAIL: //p' | tail -n 1)"
}

# attempt DESC START SIZE WANT ERE: memremap_pages() of [START,
# START + SIZE) must fail with WANT and log exactly one kernel line
# matching ERE, besides the probe's own line, and no warning.
attempt() {
	local desc=$1 a=$2 len=$3 want=$4 ere=$5 mark rc new n
	echo "+ memremap $desc: $(printf '%#x' "$a") +$((len / MiB))M, ours refuses with $(errname "$want")"
	mark=$(dmesg | wc -l)
	rc=$(stock_warn_expected "$stock_ere" probe_memremap "$a" "$len")
	new=$(dmesg | tail -n +$((mark + 1)) |
		grep -v -e 'pmem-test: stock-warn-expected' -e 'subsection_probe: memremap' || true)
	n=$(echo "$new" | grep -c . || true)
	echo "    rc=$rc ($(errname "$rc")), $n kernel log line(s)"
	[ -n "$new" ] && echo "$new" | sed 's/^/    log: /'
	[ "$rc" = "$want" ] ||
		stock_differs "$desc: rc=$rc ($(errname "$rc")) where ours refuses with $(errname "$want")"
	if echo "$new" | grep -q 'WARNING:'; then
		stock_differs "$desc: WARN splat: $(echo "$new" | grep -m1 'WARNING:' | sed 's/^\[[^]]*\] *//; s/+0x.*//')"
	elif [ "$n" != 1 ] || ! echo "$new" | grep -qE "$ere"; then
		stock_differs "$desc: the kernel logged $n line(s), not one matching '$ere'"
	fi
}

# X at region+16M: a spacer fills the first 16 MiB and goes again.
step "spacer" ndctl create-namespace -f -r "$region" -s 16M -m fsdax -M mem
spacer=$(json .dev)
step "live namespace X" ndctl create-namespace -f -r "$region" -s 32M -m fsdax -M mem
ns=$(json .dev) blk=$(json .blockdev)
step "drop the spacer" ndctl destroy-namespace -f "$spacer"
read -r xs xe <<< "$(ns_range "$ns")"
xlen=$((xe - xs + 1))
xrange=$(printf '%#x-%#x' "$xs" "$xe")
echo "X = $ns ($blk) at $xrange"
[ "$xs" = $((rstart + 16 * MiB)) ] && [ $xlen = $((32 * MiB)) ] ||
	fail "X is at $xrange, not 32 MiB at region+16M"
[ $(( (xs - 2 * MiB) >> 27 )) = $((xs >> 27)) ] && [ $(( (xe + 2 * MiB) >> 27 )) = $((xe >> 27)) ] ||
	fail "the space around X is not in X's section"
check_owned "X" "$xs" "$xe"
make_pattern /tmp/pattern $((4 * MiB)) overlap-x
step "write X" dd if=/tmp/pattern of="/dev/$blk" bs=1M oflag=direct status=none

# The control: free, sub-section aligned, 16 MiB after X.
ctl=$((xe + 1 + 16 * MiB))
m0=$(memmap_pages)
rc=$(probe_memremap $ctl $((16 * MiB)))
echo "+ memremap control $(printf '%#x' $ctl) +16M: rc=$rc"
[ "$rc" = 0 ] || fail "memremap of the free range $(printf '%#x' $ctl) +16M failed: rc=$rc ($(errname "$rc"))"
[ "$(memmap_pages)" = "$m0" ] || fail "the control left nr_memmap_pages at $(memmap_pages), was $m0"
check_free "control range unmapped" $ctl $((ctl + 16 * MiB - 1))

# The probe's own bad input: EINVAL, nothing looked up or mapped, no
# kernel log line, the last rc kept.
mark=$(dmesg | wc -l)
for w in "" x 0x -1 "1 2 3" "0 0" "0 $((4194304 + 1))" 0x10000000000000; do
	sysfs_refused "probe pfn '$w'" "$w" "$PROBE/pfn"
done
for w in 4096 "0 0" "0x1000 0x1001" "0x1001 0x1000" "0xfffffffffffff000 0x2000" \
	"18446744073709551616 4096" "x y" "0x1000 0x1000 0x1000"; do
	sysfs_refused "probe memremap '$w'" "$w" "$PROBE/memremap"
done
[ "$(head -n 1 "$PROBE/memremap")" = rc=0 ] || fail "bad input changed the probe's rc: $(head -n 1 "$PROBE/memremap")"
[ "$(dmesg | wc -l)" = "$mark" ] || fail "bad probe input logged: $(dmesg | tail -n +$((mark + 1)) | head -n 1)"

# System RAM in a section shared with the legacy pmem region.
if legacy=$(region_at $((1100 * MiB))); then
	ram=$((1098 * MiB))
	iomem_ram $ram && iomem_ram $((ram + 2 * MiB - 1)) ||
		fail "no System RAM at 1098 MiB next to $legacy"
	attempt "System RAM next to $legacy" $ram $((2 * MiB)) -6 'overlaps System RAM'
	check_ram "RAM still online" $ram
fi
attempt "identical to X" "$xs" $xlen -17 "overlaps the device memory at $xrange"
attempt "contained in X" $((xs + 2 * MiB)) $((2 * MiB)) -17 "overlaps the device memory at $xrange"
attempt "straddling X's first edge" $((xs - 2 * MiB)) $((4 * MiB)) -17 \
	"overlaps the device memory at $xrange"
attempt "straddling X's last edge" $((xe + 1 - 2 * MiB)) $((4 * MiB)) -17 \
	"overlaps the device memory at $xrange"
holds "X before the containing range" check_owned "X" "$xs" "$xe"
attempt "containing X" $((xs - 2 * MiB)) $((xlen + 4 * MiB)) -17 \
	"overlaps the device memory at $xrange"
# After the containing range, so that on stock the record shows that
# range reaching add_pages() (its WARN_ON_ONCE fires once per boot).
# Placed after the control range, away from the 2 MiB direct mapping
# stock's failed containing attempt leaves behind (init_memory_mapping()
# is not undone): a 1 MiB aligned mapping inside it WARNs in
# set_pmd_safe() on stock.
attempt "not sub-section aligned" $((ctl + 16 * MiB + MiB)) $((2 * MiB)) -22 \
	'is not a .*aligned range'

# X after the attempts: lookups, data, a disable/enable cycle.
holds "after the attempts X's pfns resolve to X" check_owned "X after the attempts" "$xs" "$xe"
step "read X" dd if="/dev/$blk" of=/tmp/readback bs=1M count=4 iflag=direct status=none
holds "X's data after the attempts" verify_same /tmp/pattern /tmp/readback
step "disable X" ndctl disable-namespace "$ns"
check_free "X disabled" $((xs - 2 * MiB)) $((xe + 2 * MiB))
step "enable X" ndctl enable-namespace "$ns"
check_owned "X enabled again" "$xs" "$xe"
step "read X again" dd if="/dev/$blk" of=/tmp/readback bs=1M count=4 iflag=direct status=none
verify_same /tmp/pattern /tmp/readback

step "destroy X" ndctl destroy-namespace -f "$ns"
check_free "X destroyed" $((xs - 2 * MiB)) $((ctl + 20 * MiB - 1))
sysfs_write "$align0" "$rdir/align"
snapshot end
holds "state after X is gone" same_snapshot start end
memory_blocks_same start "end"
if [ "$kind" = stock ]; then
	summary "stock: $STOCK_DIFFS difference(s) from ours recorded in the notes; control mapped, state restored"
else
	summary "overlap with a live namespace refused 5 ways (EEXIST, one line each), RAM (ENXIO) and misaligned (EINVAL) too, no warning; control mapped; X intact"
fi
