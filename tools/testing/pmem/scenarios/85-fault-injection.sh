#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failure on the namespace-enable path.  For a 16 MiB fsdax
# namespace with its memmap in RAM, one with it on the device, and a
# devdax one, all 2 MiB aligned in the same section, and a 256 MiB
# fsdax one over two sections (sites under sparse_add_section() only,
# so that a failure in the second section finds the first added): the
# namespace is disabled, then enabled again by writing its pfn / dax
# device to the driver's bind file with /proc/self/fail-nth set to N = 1, 2, ... in the
# writing task, failslab and fail_page_alloc armed for every kernel
# allocation (sleeping ones and order 0 included; the task's own user
# pages not).  Every N that hits a failure
# must leave the enable failed with an errno and everything as before:
# /proc/iomem, nr_memmap*, and the probe's view of every pfn of the
# namespace (not valid, no dev_pagemap: usage maps and pfn radix
# unchanged); the first N that hits nothing must be a clean enable with
# the namespace's data intact.  The number of injection points reached
# (memmap population, usage maps, pfn radix, resources, libnvdimm's own)
# is noted per mode.  No kernel warning (guest/init judges the log).
#
# Not yet in the default set (pmem-explicit): make pmem-test
# SCENARIO=fault-injection runs it.
#
# pmem-explicit: yes
# pmem-robust: yes
# pmem-nvdimm: yes
# pmem-budget: 2400
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

DBG=/sys/kernel/debug
[ -w /proc/self/fail-nth ] || fail "no /proc/self/fail-nth (CONFIG_FAULT_INJECTION)"
for f in failslab fail_page_alloc; do
	[ -d "$DBG/$f" ] || fail "no $DBG/$f (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)"
	echo N > "$DBG/$f/ignore-gfp-wait"
	echo 0 > "$DBG/$f/verbose"
done
echo 0 > "$DBG/fail_page_alloc/min-order"
# x86's init_memory_mapping() (arch_add_memory() extending the direct
# map) does not check its page-table allocations: a NULL from
# alloc_low_pages() is dereferenced in phys_pmd_init(), an Oops (seen
# here at the 30th site; upstream arch code, stock and ours alike).
# The stack trace filter keeps every allocation made under it out of
# the injection, and only those: with fail-nth, a rejected allocation
# is not counted as a site.
# text_range FUNC: "0xSTART 0xEND" of FUNC's code, from /proc/kallsyms.
ksyms=$(sort /proc/kallsyms)
text_range() {
	local r
	r=$(awk -v f="$1" '$3 == f { s = $1; next }
		s && $1 != s { print "0x" s, "0x" $1; exit }' <<< "$ksyms")
	[ -n "$r" ] || fail "$1 not in /proc/kallsyms"
	echo "$r"
}
reject_start=0 reject_end=0
if [ "$(uname -m)" = x86_64 ]; then
	read -r reject_start reject_end <<< "$(text_range init_memory_mapping)"
	[ -n "$reject_end" ] || fail "init_memory_mapping not in /proc/kallsyms"
	for f in failslab fail_page_alloc; do
		[ -w "$DBG/$f/reject-start" ] ||
			fail "no $DBG/$f/reject-start (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER): x86's init_memory_mapping() must be kept out of the injection"
		echo "$reject_start" > "$DBG/$f/reject-start"
		echo "$reject_end" > "$DBG/$f/reject-end"
	done
	echo "allocations under init_memory_mapping ($reject_start-$reject_end) are not failed"
fi
# user pages (the writing task's own page faults) are __GFP_HIGHMEM:
# leave them alone, the sites are the kernel's
echo Y > "$DBG/fail_page_alloc/ignore-gfp-highmem"

region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
align0=$(cat "$rdir/align")
sysfs_write $((2 << 20)) "$rdir/align"
snapshot start
probe_kernel > /dev/null

# The binder: one python3 for every attempt (a start per site cost about
# 2 s under TCG).  For each line "N DRIVER DEV" it reads, it writes DEV
# to DRIVER's bind file from its own task with /proc/self/fail-nth set
# to N, between the kernel log markers of an injected failure (see
# kernel_log_drop_expected in lib.sh), and answers "HIT ERRNO": HIT 1 if
# the N-th site was reached, ERRNO the write's (0: it succeeded).  Every
# file is opened before fail-nth is armed, so that no open of its own
# takes a site.  On stock, x86's add_pages() warns when __add_pages()
# fails, out of memory too (ours returns the errno quietly): the binder
# marks each attempt for stock_warn_expected's filter as well, so that
# this one warning is recorded, not failed.
binder_py='
import os, sys
kmsg = os.open("/dev/kmsg", os.O_WRONLY)
stock = sys.argv[1] == "stock"
while True:
    line = sys.stdin.readline()
    if not line:
        break
    n, drv, dev = line.split()
    b = os.open("/sys/bus/nd/drivers/%s/bind" % drv, os.O_WRONLY)
    w = os.open("/proc/self/fail-nth", os.O_WRONLY)
    r = os.open("/proc/self/fail-nth", os.O_RDONLY)
    data, arm = dev.encode(), n.encode()
    os.write(kmsg, b"pmem-test: injected-fault begin")
    if stock:
        os.write(kmsg, b"pmem-test: stock-warn-expected begin: at .*arch/x86/mm/init_64\\.c:")
    os.write(w, arm)
    try:
        os.write(b, data)
        err = 0
    except OSError as e:
        err = e.errno
    left = os.read(r, 32)
    os.write(w, b"0")
    if stock:
        os.write(kmsg, b"pmem-test: stock-warn-expected end")
    os.write(kmsg, b"pmem-test: injected-fault end")
    for fd in (b, w, r):
        os.close(fd)
    print(1 if left.strip() == b"0" else 0, err, flush=True)
'
# /dev/kmsg drops a writer's lines past 10 in 5 s by default, markers
# included: lift the limit while the binder runs.
devkmsg0=$(cat /proc/sys/kernel/printk_devkmsg)
echo on > /proc/sys/kernel/printk_devkmsg
trap 'echo "$devkmsg0" > /proc/sys/kernel/printk_devkmsg' EXIT
kernel=ours
kernel_is_stock && kernel=stock
coproc BINDER { exec python3 -u -c "$binder_py" "$kernel"; }
# bind_failing N DRIVER DEV: sets hit and rc as the binder answers.
bind_failing() {
	echo "$*" >&"${BINDER[1]}"
	read -r hit rc <&"${BINDER[0]}" || fail "the binder died at site $1"
}

# quick_save NAME / quick_same NAME DESC: /proc/iomem and nr_memmap*
# without a fork (every site is checked; ndctl list at the end only).
# mapfile, not a read loop: read seeks back after each line, and a
# /proc file regenerated at that offset with other counters grown by a
# digit comes back cut mid-line (seen: "nr_memmap_boot_pages" missing
# at one site of 800; on a busy host nearly every read loop of
# /proc/vmstat is garbled, mapfile never).
quick_state() {
	local l lines
	mapfile -t lines < /proc/iomem
	printf -v quick '%s\n' "${lines[@]}"
	mapfile -t lines < /proc/vmstat
	for l in "${lines[@]}"; do
		case $l in nr_memmap*) quick+="$l"$'\n' ;; esac
	done
}
declare -A quick_saved=()
quick_save() { quick_state; quick_saved[$1]=$quick; }
quick_same() {
	quick_state
	[ "$quick" = "${quick_saved[$1]}" ] ||
		fail "$2: /proc/iomem or nr_memmap* changed: $(diff <(echo "${quick_saved[$1]}") <(echo "$quick") | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
}

# bound DEV: DEV has a driver.
bound() { [ -e "/sys/bus/nd/devices/$1/driver" ]; }

# inject NAME MODE MAP [FUNC [SIZE]]: create (16M unless SIZE), write,
# disable; then enable under fail-nth = 1, 2, ... until no site is hit;
# with FUNC, only the allocations made under FUNC count as sites (the
# stack trace filter's require range).
inject() {
	local name=$1 mode=$2 map=$3 only=${4:-} size=${5:-16M} ns dev drv s e n hit rc old f
	local req_start=0 req_end=0xffffffffffffffff
	[ -z "$only" ] || read -r req_start req_end <<< "$(text_range "$only")"
	[ -n "$req_end" ] || fail "$only not in /proc/kallsyms"
	step "create $name" ndctl create-namespace -f -r "$region" -s "$size" -m "$mode" -M "$map"
	ns=$(json .dev)
	read -r s e <<< "$(ns_range "$ns")"
	# the pfn (fsdax) or dax (devdax) device claiming the namespace
	dev=$(cat "/sys/bus/nd/devices/$ns/holder")
	drv=nd_pmem
	[ "$mode" = devdax ] && drv=dax_pmem
	[ -e "/sys/bus/nd/devices/$dev" ] || fail "$name: no holder device for $ns ('$dev')"
	# what a replacement device needs to match the info-block
	local duuid dmode dalign
	duuid=$(cat "/sys/bus/nd/devices/$dev/uuid")
	dmode=$(cat "/sys/bus/nd/devices/$dev/mode")
	dalign=$(cat "/sys/bus/nd/devices/$dev/align")
	# 2 MiB: a device dax mapping must be a multiple of its align
	make_pattern "/tmp/f.$name" $((2 << 20)) "fault-$name-$PMEM_NAME"
	if [ "$mode" = fsdax ]; then
		step "$name write" dd if="/tmp/f.$name" of="/dev/$(json .blockdev)" bs=1M oflag=direct status=none
	else
		step "$name mmap write" mmap_dev write "/dev/$(json '.daxregion.devices[0].chardev')" $((2 << 20)) "/tmp/f.$name"
	fi
	# disable through the driver's unbind file: after ndctl
	# disable-namespace a device dax's bind fails with ENODEV
	step "disable $name" sysfs_write "$dev" "/sys/bus/nd/drivers/$drv/unbind"
	snapshot "off-$name"
	quick_save "off-$name"
	check_free "$name disabled" "$s" "$e" valid=0
	for f in failslab fail_page_alloc; do
		echo "$req_start" > "$DBG/$f/require-start"
		echo "$req_end" > "$DBG/$f/require-end"
	done
	n=0 sitelog=""
	while :; do
		n=$((n + 1))
		[ $n -le 3000 ] || fail "$name: still injecting at site 3000"
		bind_failing $n $drv "$dev"
		sitelog+="$n:$hit:$rc "
		if [ "$hit" = 0 ]; then
			[ "$rc" = 0 ] && bound "$dev" ||
				fail "$name: enable without an injected failure did not bind $dev (errno $rc; sites n:hit:errno $sitelog)"
			break
		fi
		# a failed probe can leave the pfn / dax device without its
		# namespace (libnvdimm's unwind), or unregister it altogether
		# (stock and ours alike: the device is deleted asynchronously
		# after its first failed probe); set it up again as a user
		# would: the region's seed gets the uuid, mode and align of the
		# info-block on the namespace (without its uuid,
		# nvdimm_setup_pfn() refuses a bind with ENODEV), then the
		# namespace, before the next attempt
		if [ ! -e "/sys/bus/nd/devices/$dev" ]; then
			old=$dev
			dev=$(cat "$rdir/pfn_seed")
			[ "$mode" = devdax ] && dev=$(cat "$rdir/dax_seed")
			echo "    site $n: $old is gone, the region's seed $dev takes its place"
			sysfs_write "$duuid" "/sys/bus/nd/devices/$dev/uuid"
			sysfs_write "$dmode" "/sys/bus/nd/devices/$dev/mode"
			sysfs_write "$dalign" "/sys/bus/nd/devices/$dev/align"
		fi
		if [ "$(cat "/sys/bus/nd/devices/$dev/namespace" 2> /dev/null)" != "$ns" ] &&
		   ! bound "$dev"; then
			echo "    site $n: $dev lost its namespace, linking $ns again"
			echo "$ns" > "/sys/bus/nd/devices/$dev/namespace" ||
				fail "$name site $n: cannot link $ns to $dev again"
		fi
		if [ "$rc" = 0 ] && bound "$dev"; then
			# the failure was absorbed (a retry or a fallback): fine,
			# but the enable must then be whole; unbind and go on
			echo "    site $n: failure absorbed, $dev bound"
			echo "$dev" > "/sys/bus/nd/drivers/$drv/unbind"
		fi
		quick_same "off-$name" "$name site $n"
		probe_query $((s / PAGE_SIZE)) $(( (e - s + 1) / PAGE_SIZE ))
		expect_words "$name site $n" "$probe_out" "pfns=$(( (e - s + 1) / PAGE_SIZE ))" valid=0 online=0 pgmap=0
	done
	for f in failslab fail_page_alloc; do
		echo 0 > "$DBG/$f/require-start"
		echo 0xffffffffffffffff > "$DBG/$f/require-end"
	done
	note "$name ($mode map=$map): $((n - 1)) injection sites reached on enable${only:+ under $only()}, each failed cleanly"
	echo "    $name: $((n - 1)) sites (n:hit:errno $sitelog), then a clean enable"
	if [ "$mode" = fsdax ]; then
		step "$name read" dd if="/dev/$(ndctl list -n "$ns" | jq -r '.[0].blockdev // .blockdev')" of="/tmp/g.$name" bs=1M count=2 iflag=direct status=none
	else
		step "$name mmap read" mmap_dev read "/dev/$(ndctl list -n "$ns" | jq -r '(.[0] // .) | .chardev // .daxregion.devices[0].chardev')" $((2 << 20)) "/tmp/g.$name"
	fi
	verify_same "/tmp/f.$name" "/tmp/g.$name"
	sites=$((sites + n - 1))
	step "destroy $name" ndctl destroy-namespace -f "$ns"
}

sites=0
inject a fsdax mem
inject b fsdax dev
# devdax: only under memremap_pages().  Past it, device dax's
# __devm_create_dev_dax() calls devm_add_action_or_reset() holding
# dax_region_rwsem, and when that allocation fails the reset,
# unregister_dev_dax(), takes the same rwsem: a self-deadlock (lockdep
# "possible recursive locking", the bind hangs; upstream
# drivers/dax/bus.c, stock and ours alike, seen here at site 80).
inject c devdax mem memremap_pages
# The whole 256 MiB region, two sections: a failure while adding the
# second must take the first back (__add_pages() leaves nothing behind).
inject d fsdax mem sparse_add_section 256M
for f in failslab fail_page_alloc; do
	[ "$reject_end" = 0 ] || echo 0 > "$DBG/$f/reject-start"
	[ "$reject_end" = 0 ] || echo 0 > "$DBG/$f/reject-end"
done
snapshot end
same_snapshot start end
sysfs_write "$align0" "$rdir/align"
summary "enable of fsdax map=mem, map=dev and devdax failed at each of $sites injection sites in turn, each cleanly with nothing changed; then enabled with data intact"
