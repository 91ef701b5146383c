#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hotplug against lockless walkers (make robust: sanitized kernel, -smp 4).
# Three 16 MiB namespaces in the first section of the NVDIMM region are
# enabled, disabled, destroyed and re-created in a loop (each round one
# of them is destroyed and re-created in the next of devdax map=mem,
# fsdax map=dev, devdax map=dev, fsdax map=mem; the other two are
# disabled and enabled, in alternating order; a devdax one gets a page
# pattern through a mapping).  Beside them the legacy pmem of
# memmap=60M!1100M, which shares its two sections with System RAM, is
# switched each round to the next of fsdax map=dev, devdax, fsdax
# map=mem.  Background tasks walk the same pfns without taking any
# hotplug lock:
#
#   compact     echo 1 > /proc/sys/vm/compact_memory (pfn walker of mm)
#   kpageflags  /proc/kpageflags over the legacy region's two sections
#               (RAM and device pfns; the NVDIMM region lies above
#               max_pfn, where the /proc/kpage* files end)
#   kpagecount  /proc/kpagecount over the same pfns
#   probe       pfn_valid(), pfn_to_online_page(), get_dev_pagemap() on
#               every pfn of the NVDIMM region and of those two sections
#               (the probe's bench file)
#   iomem       cat /proc/iomem
#
# for pmemtest.race_secs seconds (kernel command line; make robust sets
# it from ROBUST_RACE_SECS, default 120), at least two rounds.  Every
# walker must have finished loops (a hung one is caught by the budget),
# the loop counts (and the region entries the /proc/kpage* readers got)
# are noted, nr_memmap_pages and /proc/iomem end where they started,
# and the kernel log stays clean (KASAN, UBSAN, lockdep, WARN:
# guest/init judges it).
#
# pmem-explicit: yes
# pmem-robust: yes
# pmem-nvdimm: yes
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 2400
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

secs=120
read -r -a words < /proc/cmdline
for w in "${words[@]}"; do
	case $w in pmemtest.race_secs=*) secs=${w#*=} ;; esac
done
probe_kernel > /dev/null
layout_read
region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
sysfs_write $((2 << 20)) "$rdir/align"
rstart=$(printf '%d' "$(cat "$rdir/resource")")
rsize=$(cat "$rdir/size")
pfn0=$((rstart / PAGE_SIZE)) nr=$((rsize / PAGE_SIZE))
section=$(sed -n 's/.* section=\([0-9]*\).*/\1/p' "$PROBE/layout")
[ -n "$section" ] || fail "no section size in $PROBE/layout"
echo "region $region at $rstart, $rsize bytes; section $section bytes; $secs s"
[ $((rstart % section)) = 0 ] ||
	echo "    (the region does not start a section: its first $(( (section - rstart % section) >> 20 )) MiB share one with what lies below)"
# the legacy region and the whole sections it shares with RAM
lstart=$((1100 << 20)) lsize=$((60 << 20))
lregion=$(region_at $lstart) || fail "no region at 1100 MiB (memmap=60M!1100M not honoured?)"
lns=$(region_namespaces "$lregion" | head -n 1)
[ -n "$lns" ] || fail "$lregion has no namespace"
sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$lregion/align"
kpfn0=$((lstart / section * section / PAGE_SIZE))
knr=$(( ((lstart + lsize + section - 1) / section * section) / PAGE_SIZE - kpfn0 ))
echo "legacy $lregion ($lns) at $lstart, $lsize bytes; kpage walkers over pfns $kpfn0 + $knr"
step "legacy $lns: fsdax map=mem" ndctl create-namespace -f -e "$lns" -m fsdax -M mem
snapshot start
base=$(memmap_pages)

stop=/tmp/race.stop
rm -f "$stop" /tmp/race.count.*
# walker NAME PAUSE: one python3 that loops over NAME's work, sleeping
# PAUSE seconds between loops, until $stop exists, then leaves the
# number of loops done in /tmp/race.count.NAME.  In-process reads, no
# fork per loop: under TCG, walkers that spawned dd and cat each loop
# (over the 9p root) slowed the hotplug loop to minutes per step.
walker() {
	python3 - "$1" "$2" "$stop" "$pfn0:$nr,$kpfn0:$knr" "$kpfn0:$knr" "$PROBE" <<-'PY'
	import os, sys, time
	name, pause, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3]
	def spans(arg):
	    return [tuple(map(int, w.split(":"))) for w in arg.split(",")]
	probe_spans, kpage_span, probe = spans(sys.argv[4]), spans(sys.argv[5])[0], sys.argv[6]
	entries = 0
	def kpage(path):
	    global entries
	    fd = os.open(path, os.O_RDONLY)
	    off, left = kpage_span[0] * 8, kpage_span[1] * 8
	    while left > 0:
	        b = os.pread(fd, min(left, 65536), off)
	        if not b:
	            break
	        off += len(b)
	        left -= len(b)
	        entries += len(b) // 8
	    os.close(fd)
	def work():
	    if name == "compact":
	        with open("/proc/sys/vm/compact_memory", "w") as f:
	            f.write("1")
	    elif name in ("kpageflags", "kpagecount"):
	        kpage("/proc/" + name)
	    elif name == "probe":
	        for pfn0, nr in probe_spans:
	            with open(probe + "/bench", "w") as f:
	                f.write(f"{pfn0} {nr}")
	            with open(probe + "/bench") as f:
	                f.read()
	    else:
	        with open("/proc/iomem") as f:
	            f.read()
	n = errs = 0
	while not os.path.exists(stop):
	    try:
	        work()
	    except OSError:
	        errs += 1
	    n += 1
	    time.sleep(pause)
	with open("/tmp/race.count." + name, "w") as f:
	    f.write(f"{n} {errs} {entries}\n")
	PY
}
# watchdog: when the hotplug loop has not moved for 180 s, the kernel
# stacks of every task in D state and of the loop's own commands
# (python3, ndctl) go to the log, once.
progress=/tmp/race.progress
touch "$progress"
watchdog() {
	local p c st
	while [ ! -e "$stop" ]; do
		sleep 10
		[ $(( $(date +%s) - $(stat -c %Y "$progress") )) -gt 180 ] || continue
		echo "race-stress: no progress for 180 s; stacks:"
		for p in /proc/[0-9]*; do
			c=$(cat "$p/comm" 2> /dev/null) || continue
			st=$(awk '{ print $3 }' "$p/stat" 2> /dev/null)
			case "$st $c" in
			"D "* | *" python3" | *" ndctl")
				echo "--- ${p#/proc/} $c state $st wchan $(cat "$p/wchan" 2> /dev/null)"
				cat "$p/stack" 2> /dev/null ;;
			esac
		done
		return
	done
}
watchdog &
walkers=(compact kpageflags kpagecount probe iomem)
walker compact 1 &
walker kpageflags 0.2 &
walker kpagecount 0.2 &
walker probe 0.2 &
walker iomem 0.2 &

specs=("devdax mem" "fsdax dev" "devdax dev" "fsdax mem")
declare -a ns=()
# make_ns I SPEC: create namespace I (16 MiB) in mode SPEC; a devdax one
# gets a pattern through a mapping, read back.
make_ns() {
	local m p
	read -r m p <<< "$2"
	touch "$progress"
	step "create $1: $m map=$p" ndctl create-namespace -f -r "$region" -s 16M -m "$m" -M "$p"
	ns[$1]=$(json .dev)
	touch "$progress"
	if [ "$m" = devdax ]; then
		echo "+ [${SECONDS}s] 2 MiB pattern through a mapping of the devdax device"
		mmap_pattern write "/dev/$(json '.daxregion.devices[0].chardev')" $((2 << 20)) "race-$1-$round"
		mmap_pattern verify "/dev/$(json '.daxregion.devices[0].chardev')" $((2 << 20)) "race-$1-$round"
	fi
}
lspecs=("-m fsdax -M dev" "-m devdax" "-m fsdax -M mem")
round=0
for i in 0 1 2; do make_ns "$i" "${specs[$i]}"; done
for i in 0 1 2; do
	read -r s _ <<< "$(ns_range "${ns[$i]}")"
	echo "    ${ns[$i]} starts in section $((s / section))"
done
t0=$SECONDS
while [ $round -lt 2 ] || [ $((SECONDS - t0)) -lt "$secs" ]; do
	round=$((round + 1))
	touch "$progress"
	v=$((round % 3))
	step "round $round: destroy ${ns[$v]}" ndctl destroy-namespace -f "${ns[$v]}"
	make_ns "$v" "${specs[$((round % 4))]}"
	others=("$(( (v + 1) % 3 ))" "$(( (v + 2) % 3 ))")
	[ $((round % 2)) = 0 ] && others=("${others[1]}" "${others[0]}")
	for o in "${others[@]}"; do
		step "round $round: disable ${ns[$o]}" ndctl disable-namespace "${ns[$o]}"
	done
	for o in "${others[@]}"; do
		touch "$progress"
		step "round $round: enable ${ns[$o]}" ndctl enable-namespace "${ns[$o]}"
	done
	touch "$progress"
	# shellcheck disable=SC2086 # the mode's options
	step "round $round: legacy $lns ${lspecs[$((round % 3))]}" \
		ndctl create-namespace -f -e "$lns" ${lspecs[$((round % 3))]}
done
took=$((SECONDS - t0))
touch "$stop"
wait
counts=""
for w in "${walkers[@]}"; do
	read -r n e got < "/tmp/race.count.$w" 2> /dev/null || n=0 e=0 got=0
	[ "$n" -gt 0 ] || fail "walker $w finished no loop in $took s"
	[ "$e" -lt "$n" ] || fail "walker $w: all $n loops failed with an error"
	counts="$counts $w=$n"
	# how many /proc/kpage* entries were read: the legacy region's
	# sections lie below max_pfn, where the files end, so every loop
	# must have read some
	case $w in
	kpage*)
		[ "$got" -gt 0 ] || fail "walker $w read no entry of pfns $kpfn0 + $knr"
		counts="$counts(${got} entries)" ;;
	esac
	[ "$e" = 0 ] || counts="$counts($e errors)"
done
note "race: $round rounds in $took s; walker loops:$counts"
for i in 0 1 2; do
	step "destroy ${ns[$i]}" ndctl destroy-namespace -f "${ns[$i]}"
done
step "legacy $lns: fsdax map=mem" ndctl create-namespace -f -e "$lns" -m fsdax -M mem
[ "$(memmap_pages)" = "$base" ] || fail "nr_memmap_pages $(memmap_pages) at the end, $base at the start"
snapshot end
same_snapshot start end
summary "$round rounds of destroy/create and disable/enable in one section, and of legacy pmem mode changes in two RAM sections, in $took s against walkers:$counts"
