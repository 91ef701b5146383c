#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfit_test (tools/testing/nvdimm): libnvdimm's own emulated NFIT bus,
# with the wrapped libnvdimm / nfit / nd_pmem / nd_btt / device_dax /
# dax_pmem that `make kernel` installs over the kernel's.  Its regions
# are vmalloc memory behind fake physical addresses above 4 GiB, so the
# memmap is not touched: what runs is libnvdimm itself, with our
# info-block layout (drivers/nvdimm/pfn_layout.c) on ours.
#
# On the labelled regions of bus nfit_test.0, align lowered to 2 MiB:
# fsdax (memmap in RAM and on the device), devdax and sector namespaces
# of 16 and 20 MiB at sub-section alignment, three in one section; each
# written and read back byte for byte (devdax: its device checked only,
# a fault on nfit_test's vmalloc-backed device dax oopses in stock
# device_dax code); destroyed in an order unlike creation.  Then
# the error paths nfit_test can inject: label writes failing in the DIMM
# firmware (fail_cmd: a namespace cannot be created, nothing changes,
# the next attempt succeeds), a media error injected and scrubbed into
# the block device's badblocks (reads of it fail with EIO, clear-errors
# clears it, the data around it is intact).  At the end /proc/iomem,
# `ndctl list -RN` and nr_memmap* equal their values after loading, and
# after unloading nfit_test (rmmod) /proc/iomem equals its value before.
# Every namespace's usable data size is noted ("datasize"), so
# compare.sh sets stock's beside ours.
#
# pmem-budget: 900
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

bus=nfit_test.0
cat /proc/iomem > /tmp/nfit.iomem.before
# nfit_test's fake regions sit at 4 GiB, where QEMU's NVDIMM is too, and
# its wrappers claim requests for them while it is loaded: whatever
# happens here, leave it unloaded for the scenarios after this one.
unload() {
	local b
	for b in nfit_test.0 nfit_test.1; do
		ndctl destroy-namespace -f -b "$b" all > /dev/null 2>&1 || true
		ndctl disable-region -b "$b" all > /dev/null 2>&1 || true
	done
	rmmod nfit_test > /dev/null 2>&1 || true
}
trap unload EXIT
step "load nfit_test" modprobe nfit_test
nd_settle
ndctl list -b "$bus" > /dev/null 2>&1 || fail "no bus $bus after loading nfit_test"
wrapped=$(sed -n 's#^updates/\([^:]*\):.*#\1#p' "/lib/modules/$(uname -r)/modules.dep" | wc -l)
echo "wrapped modules in updates/: $wrapped"

# A clean start: an empty label index, so no namespaces but the seeds.
step "disable regions" ndctl disable-region -b "$bus" all
step "init labels" ndctl init-labels -f -b "$bus" all
step "enable regions" ndctl enable-region -b "$bus" all
nd_settle

# The pmem regions with labels, largest first: name size start.
regions=$(ndctl list -b "$bus" -R | jq -r '[.[] | select(.type == "pmem")] | sort_by(-.size) | .[] | .dev')
[ -n "$regions" ] || fail "no pmem region on $bus"
mapfile -t rs <<< "$regions"
[ ${#rs[@]} -ge 2 ] || fail "want two pmem regions on $bus, have: $regions"
r1=${rs[0]} r2=${rs[1]}
declare -A align0=()
for r in $r1 $r2; do
	align0[$r]=$(cat "/sys/bus/nd/devices/$r/align")
	echo "$r: $(( $(cat "/sys/bus/nd/devices/$r/size") >> 20 )) MiB at $(cat "/sys/bus/nd/devices/$r/resource"), align $(( ${align0[$r]} >> 10 )) KiB"
	sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$r/align"
done
snapshot start

declare -A dev=() blk=() res=()
# create NAME REGION MIB MODE MAP [ALIGN]: create, note the data size,
# write 1 MiB + 4 KiB at the start and 4 KiB at the end of the data,
# read both back.
create() {
	local n=$1 r=$2 mib=$3 mode=$4 map=$5 a=${6:-} ns size d
	local args=(-f -r "$r" -s "${mib}M" -m "$mode")
	[ "$mode" = sector ] || args+=(-M "$map")
	[ -n "$a" ] && args+=(-a "$a")
	step "create $n" ndctl create-namespace "${args[@]}"
	ns=$(json .dev)
	dev[$n]=$ns
	res[$n]=$(printf '%d' "$(cat "/sys/bus/nd/devices/$ns/resource")")
	if [ "$mode" = devdax ]; then
		d=$(json '.daxregion.devices[0].chardev')
	else
		d=$(json .blockdev)
	fi
	size=$(ns_datasize)
	blk[$n]=$d
	datasize_note "$n:$mode:$map:${mib}M" "$size"
	echo "    $n: $ns $mode map=$map ${mib} MiB at $(printf %#x "${res[$n]}") (section $(( res[$n] >> 27 ))): $d, $size data bytes"
	[ "$size" -gt 0 ] && [ "$size" -le $((mib << 20)) ] ||
		fail "$n: data size $size for a ${mib} MiB namespace"
	make_pattern "/tmp/p.$n" $(( (1 << 20) + 4096 )) "nfit-$n-$PMEM_NAME"
	make_pattern "/tmp/t.$n" 4096 "nfit-tail-$n-$PMEM_NAME"
	if [ "$mode" = devdax ]; then
		# No I/O: nfit_test backs its regions with vmalloc memory
		# and devm_memremap_pages() is wrapped to skip the memmap,
		# so a fault on the device oopses in device_dax's
		# dax_set_mapping() (libnvdimm's test harness, the same on
		# stock).  The device must exist with its size.
		[ -c "/dev/$d" ] || fail "$n: no /dev/$d"
		echo "    $n: /dev/$d, no mmap on nfit_test (see above)"
	else
		step "$n write" dd if="/tmp/p.$n" of="/dev/$d" bs=4096 oflag=direct status=none
		step "$n write tail" dd if="/tmp/t.$n" of="/dev/$d" bs=4096 seek=$(( size / 4096 - 1 )) oflag=direct status=none
		step "$n read" dd if="/dev/$d" of="/tmp/r.$n" bs=4096 count=257 iflag=direct status=none
		step "$n read tail" dd if="/dev/$d" of="/tmp/rt.$n" bs=4096 skip=$(( size / 4096 - 1 )) count=1 iflag=direct status=none
		verify_same "/tmp/p.$n" "/tmp/r.$n"
		verify_same "/tmp/t.$n" "/tmp/rt.$n"
	fi
}

destroy() {
	step "destroy $1" ndctl destroy-namespace -f "${dev[$1]}"
	unset "dev[$1]"
}

# Several namespaces per region, sizes in 2 MiB steps.  Device dax on
# nfit_test maps vmalloc pages one by one: 4 KiB alignment there.
# (ndctl wants at least 16 MiB for fsdax and devdax.)
# (a BTT arena needs 16 MiB after its info-blocks: 20 MiB for sector)
create a "$r1" 16 fsdax mem
create b "$r1" 16 devdax mem 4K
create c "$r1" 20 sector -
create e "$r2" 16 fsdax dev
create f "$r2" 16 devdax dev 4K
shared=0
for n in b c; do
	[ $(( res[$n] >> 27 )) = $(( res[a] >> 27 )) ] && shared=$((shared + 1))
done
[ $shared -ge 1 ] || fail "no two namespaces of $r1 in one section"
# all of them still hold their data
for n in a c e; do
	step "$n re-read" dd if="/dev/${blk[$n]}" of="/tmp/r.$n" bs=4096 count=257 iflag=direct status=none
	verify_same "/tmp/p.$n" "/tmp/r.$n"
done

# --- a DIMM refusing label writes: nothing may change -------------------
# ND_CMD_SET_CONFIG_DATA is command 6 (include/uapi/linux/ndctl.h).
destroy f
snapshot before-fail
fails=$(find /sys/devices/platform/"$bus"/ -name fail_cmd -path '*test_dimm*')
[ -n "$fails" ] || fail "no fail_cmd attribute under /sys/devices/platform/$bus"
for f in $fails; do echo $((1 << 6)) > "$f"; done
refused "create with label writes failing" ndctl create-namespace -f -r "$r2" -s 16M -m fsdax -M mem
for f in $fails; do echo 0 > "$f"; done
snapshot after-fail
same_snapshot before-fail after-fail
create g "$r2" 16 fsdax mem

# --- a media error: badblocks, EIO, clear-errors ---------------------------
blocks=$(( $(cat "/sys/block/${blk[a]}/size") / 8 ))
bad=$(( blocks / 2 ))
step "inject a media error into a" ndctl inject-error --block=$((bad * 8)) --count=8 "${dev[a]}"
step "scrub" ndctl start-scrub "$bus"
step "wait for the scrub" ndctl wait-scrub "$bus"
bb=$(cat "/sys/block/${blk[a]}/badblocks")
echo "    badblocks of ${blk[a]}: ${bb:-none}"
[ -n "$bb" ] || fail "injected error not in /sys/block/${blk[a]}/badblocks"
refused "read of the bad block" dd if="/dev/${blk[a]}" of=/dev/null bs=4096 skip=$bad count=1 iflag=direct status=none
step "data before the bad block intact" dd if="/dev/${blk[a]}" of="/tmp/r.a" bs=4096 count=257 iflag=direct status=none
verify_same /tmp/p.a /tmp/r.a
step "clear errors" ndctl clear-errors "${dev[a]}"
step "uninject" ndctl inject-error --uninject --block=$((bad * 8)) --count=8 "${dev[a]}"
bb=$(cat "/sys/block/${blk[a]}/badblocks")
[ -z "$bb" ] || fail "badblocks after clear-errors: $bb"
step "read of the cleared block" dd if="/dev/${blk[a]}" of=/dev/null bs=4096 skip=$bad count=1 iflag=direct status=none

# --- tear down, unlike the creation order -----------------------------------
for n in c a g e b; do destroy $n; done
snapshot end
same_snapshot start end
for r in $r1 $r2; do sysfs_write "${align0[$r]}" "/sys/bus/nd/devices/$r/align"; done
trap - EXIT
# rmmod, not modprobe -r: that would take the wrapped drivers it uses
# (nd_pmem, device_dax, ...) with it, from under the other regions
step "disable $bus" ndctl disable-region -b "$bus" all
step "disable nfit_test.1" ndctl disable-region -b nfit_test.1 all
step "unload nfit_test" rmmod nfit_test
cat /proc/iomem > /tmp/nfit.iomem.after
diff -u /tmp/nfit.iomem.before /tmp/nfit.iomem.after ||
	fail "/proc/iomem differs after unloading nfit_test"

# On a kmemleak kernel: what leaked by now.  nfit_test itself leaks one
# object per load (upstream, stock and ours alike): nfit_test_probe()
# kzalloc()s the _FIT buffer (a 32-byte union acpi_object of type
# ACPI_TYPE_BUFFER, 3) and keeps it only in a vmalloc()ed slot that the
# unload frees; nothing kfree()s the object.  That one, allocated in the
# unloaded module's probe (a bare address right above platform_probe in
# its backtrace), is noted and cleared; any other object fails here.
leak_is_nfit_fit() {
	python3 - "$1" <<-'PY'
	import re, sys
	report = open(sys.argv[1]).read()
	known = other = 0
	for obj in re.split(r'(?m)^(?=unreferenced object )', report):
	    if not obj.startswith('unreferenced object'):
	        continue
	    frames = [f.strip() for f in re.findall(r'(?m)^ {4}(\S.*)$', obj)]
	    probe = any(re.fullmatch(r'0x[0-9a-f]+', a) and b.startswith('platform_probe+')
	                for a, b in zip(frames, frames[1:]))
	    if ('(size 32)' in obj and probe and
	            re.search(r'hex dump.*\n\s+03 00 00 00 ', obj)):
	        known += 1
	    else:
	        other += 1
	print(known, other)
	PY
}
if kmemleak_scan /tmp/nfit.kmemleak; then
	cat /tmp/nfit.kmemleak
	read -r known other < <(leak_is_nfit_fit /tmp/nfit.kmemleak)
	[ "$other" = 0 ] ||
		fail "kmemleak: $other unreferenced object(s) after unloading nfit_test, besides its own _FIT leak (report in the log)"
	if [ "$known" != 0 ]; then
		echo clear > /sys/kernel/debug/kmemleak
		note "kmemleak: $known object(s) of nfit_test's own _FIT leak after its unload (upstream test module), noted and cleared"
	fi
fi
summary "nfit_test: 6 namespaces (fsdax mem/dev, devdax mem/dev, sector) in $r1 and $r2, $((shared + 1)) in one section, data verified; label write failure changed nothing; media error EIO then cleared; destroyed out of order; state restored"
