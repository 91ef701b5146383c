#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Seeded layout stress on the 4 GiB QEMU NVDIMM region: N random
# namespaces (raw, fsdax or devdax; memmap in RAM or on the device; data
# alignment 4 KiB or 2 MiB; one sub-section to 1 GiB), each after a raw
# spacer of none or up to two sections, so that it starts on a section
# boundary or anywhere on the sub-section grid, right after the spacer.
# A model of the layout rules written here, apart from the kernel's
# (python below: mapping granule, compound-page grid, altmap room, room
# for data; stock's 16 MiB minimum), says whether the kernel must lay it
# out and how much data it then holds; the namespace is claimed through
# sysfs and must be enabled exactly when the model says so, with exactly
# that much data, and (fsdax, devdax) every struct page of its range as
# the probe's memmap check rebuilds it.  An enabled one keeps 64 KiB at
# the start and the end of its data (less when it holds less; one page:
# the start only) across disable/enable; a refused one leaves nothing
# behind.  After each, namespace and spacer are destroyed and
# nr_memmap*, /proc/iomem and ndctl list must be as before.  Compaction
# and a /proc/kpageflags reader run throughout.
#
# The seed is printed and noted; pmemtest.seed=N (make pmem-test
# SEED=N) repeats a run, pmemtest.layouts=N sets how many (default 5;
# make robust: 40).
#
# pmem-nvdimm-bench: yes
# pmem-fine: yes
# pmem-budget: 1200
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^pmemtest\.$1=//p" | tail -n 1; }
seed=$(arg seed)
[ -n "$seed" ] || seed=$(( $(date +%s%N) % 1000000007 ))
count=$(arg layouts)
count=${count:-5}
region=$(region_nvdimm 4096) || fail "no 4 GiB NVDIMM region"
rdir=/sys/bus/nd/devices/$region
kind=$(probe_kernel)
layout_read
SECTION_SIZE=$(sed -n 's/.* section=\([0-9]*\).*/\1/p' "$PROBE/layout")
echo "kernel $kind, sub-sections of $((LAYOUT_SUB >> 10)) KiB, seed $seed, $count layouts"
note "seed $seed, $count layouts at $((LAYOUT_SUB >> 10)) KiB ($kind)"
[ "$(uname -m)" = x86_64 ] || fail "the model knows x86_64 only"

snapshot start
memory_blocks_save start
align0=$(cat "$rdir/align")
sysfs_write "$LAYOUT_SUB" "$rdir/align"
m_base=$(memmap_pages)

# The plan: one line per layout, "SPACER SIZE MODE MAP ALIGN VERDICT
# DATA".  Sizes are in bytes; VERDICT is ok or refused, DATA the bytes of
# data an enabled one must give its user.  A layout whose namespace
# would not fit in the region is skipped by the model.
rstart=$(printf '%d' "$(cat "$rdir/resource")")
rsize=$(cat "$rdir/size")
plan=$(python3 - "$seed" "$count" "$LAYOUT_SUB" "$SECTION_SIZE" "$rstart" "$rsize" "$kind" <<-'PY'
	import random, sys
	seed, count, sub, sec, rstart, rsize = map(int, sys.argv[1:7])
	stock = sys.argv[7] == "stock"
	K, M = 1 << 10, 1 << 20
	P, SP, INFO = 4 * K, 64, 8 * K
	rnd = random.Random(seed)

	def up(x, a): return -(-x // a) * a
	def down(x, a): return x // a * a

	def verdict(start, size, mode, mapm, align):
	    """x86_64: the layout rules, from the kernel sources' intent."""
	    if mode == "raw":
	        return "ok", size
	    if stock and size < 16 * M:
	        return "refused", 0       # claim.c: too small to host
	    if align > size:
	        return "refused", 0       # pfn_devs.c: align exceeds capacity
	    g = 2 * M if stock else sub
	    if mode == "devdax" and mapm == "mem" and align > P:
	        g = max(g, 2 * M)         # compound pages on stock's grid
	    if start % g:
	        return "refused", 0
	    end = start + size
	    cut = max(align, g) if (mode == "devdax" or stock) else g
	    map_end = down(end, cut)
	    first = start + INFO
	    if mapm == "dev":
	        first += (size - INFO) // P * SP
	        # altmap: x86_64 takes a whole section's 2M block aligned,
	        # a partial section's memmap comes from RAM
	        ws, we = up(start, sec), down(map_end, sec)
	        if ws < we:
	            first = max(first, up(start + INFO, 2 * M) + (we - ws) // P * SP)
	    dataoff = up(first, max(align, g)) - start
	    if dataoff >= map_end - start:
	        return "refused", 0
	    return "ok", map_end - start - dataoff

	pos = rstart
	for _ in range(count):
	    # on a section boundary, or anywhere in the next two sections
	    spacer = rnd.choice([0, rnd.randrange(0, 2 * sec // sub)]) * sub
	    if rnd.random() < 0.5:          # one sub-section to 1 GiB, log-uniform
	        size = up(int(2 ** rnd.uniform(sub.bit_length() - 1, 30)), sub)
	    else:                           # a few sections, give or take
	        size = rnd.randrange(1, 5) * sec + rnd.randrange(-2, 3) * sub
	    size = min(max(size, sub), 1 << 30)
	    mode = rnd.choice(["raw", "fsdax", "devdax"])
	    mapm = rnd.choice(["mem", "dev"])
	    align = rnd.choice([4 * K, 2 * M])
	    if pos + spacer + size > rstart + rsize:
	        continue
	    start = pos + spacer
	    print(spacer, size, mode, mapm, align, *verdict(start, size, mode, mapm, align))
	PY
) || fail "the model failed"
echo "$plan" | sed 's/^/    plan: /'

# io write|read DEV SIZE OFF LEN FILE: LEN bytes at OFF of a block or
# dax device of SIZE bytes (a dax device is mapped whole: its mappings
# must be multiples of its alignment)
io() {
	python3 - "$@" <<-'PY'
	import mmap, os, sys
	op, dev = sys.argv[1], sys.argv[2]
	size, off, ln, path = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
	fd = os.open(dev, os.O_RDWR)
	if "/dax" in dev:
	    m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
	    if op == "write":
	        m[off:off + ln] = open(path, "rb").read(ln)
	    else:
	        open(path, "wb").write(m[off:off + ln])
	    m.close()
	else:
	    if op == "write":
	        os.pwrite(fd, open(path, "rb").read(ln), off)
	        os.fsync(fd)
	    else:
	        open(path, "wb").write(os.pread(fd, ln, off))
	os.close(fd)
	PY
}

# claim NS MODE MAP ALIGN: bind NS as fsdax / devdax through sysfs (ndctl
# wants 16 MiB and picks its own alignment); 0 if the driver bound.
claim() {
	local ns=$1 mode=$2 map=$3 align=$4 d=/sys/bus/nd/devices seed drv m
	if [ "$mode" = fsdax ]; then
		seed=$(cat "$d/$region/pfn_seed") drv=nd_pmem
	else
		seed=$(cat "$d/$region/dax_seed") drv=dax_pmem
	fi
	m=ram
	[ "$map" = dev ] && m=pmem
	sysfs_write "$(cat /proc/sys/kernel/random/uuid)" "$d/$seed/uuid"
	sysfs_write "$align" "$d/$seed/align"
	sysfs_write $m "$d/$seed/mode"
	# stock refuses a namespace below 16 MiB here already
	echo "+ echo $ns > $d/$seed/namespace"
	(echo "$ns" > "$d/$seed/namespace") 2> /dev/null || return 1
	echo "+ echo $seed > /sys/bus/nd/drivers/$drv/bind"
	if ! (echo "$seed" > "/sys/bus/nd/drivers/$drv/bind") 2> /dev/null; then
		nd_settle
		# a refused claim gives its namespace back
		sysfs_write "" "$d/$seed/namespace"
		return 1
	fi
	nd_settle
}

# walkers until the end: compaction, and a /proc/kpageflags reader over
# the region's pfns (512 entries a block; the whole of it would keep a
# vCPU busy under TCG)
( while :; do echo 1 > /proc/sys/vm/compact_memory; sleep 0.2; done ) &
w1=$!
( while :; do
	dd if=/proc/kpageflags of=/dev/null bs=4096 status=none \
	   skip=$((rstart / PAGE_SIZE / 512)) count=$((rsize / PAGE_SIZE / 512))
	sleep 0.2
  done ) &
w2=$!
trap 'kill $w1 $w2 2> /dev/null || true' EXIT

i=0 nok=0 nref=0
while read -r spacer size mode map align verdict data; do
	[ -n "$spacer" ] || continue
	i=$((i + 1))
	desc="layout $i: $mode map=$map align=$align $((size >> 10)) KiB after $((spacer >> 10)) KiB"
	echo "== $desc, model: $verdict"
	sp=
	if [ "$spacer" -gt 0 ]; then
		step "spacer $i" ndctl create-namespace -f -r "$region" -s "$spacer" -m raw
		sp=$(json .dev)
	fi
	snapshot "before.$i"
	m0=$(memmap_pages)
	step "create $i" ndctl create-namespace -f -r "$region" -s "$size" -m raw
	ns=$(json .dev)
	read -r s e <<< "$(ns_range "$ns")"
	[ $((e - s + 1)) = "$size" ] || fail "$desc: $ns is $((e - s + 1)) bytes"
	got=ok
	if [ "$mode" != raw ]; then
		step "disable $ns" ndctl disable-namespace "$ns"
		claim "$ns" "$mode" "$map" "$align" || got=refused
	fi
	[ "$got" = "$verdict" ] ||
		fail "$desc at $(printf %#x "$s"): the kernel says $got, the model $verdict (seed $seed)"
	if [ "$got" = ok ]; then
		nok=$((nok + 1))
		out=$(ndctl list -N -X -n "$ns" | jq 'if type == "array" then .[0] else . end')
		case $mode in
		devdax) dev=/dev/$(json '.chardev // .daxregion.devices[0].chardev') ;;
		*) dev=/dev/$(json .blockdev) ;;
		esac
		bytes=$(ns_datasize)
		[ "$bytes" = "$data" ] ||
			fail "$desc at $(printf %#x "$s"): $bytes bytes of data, the model says $data (seed $seed)"
		[ "$mode" = raw ] ||
			check_memmap "$ns" "$mode" "$map" "$align" "$bytes" "$desc"
		# 64 KiB at the start and at the end of the data, less when
		# it is small; data of one page (4 KiB sub-sections allow
		# that) holds the start pattern only
		len=$((64 << 10)) ends=2
		[ "$bytes" -ge $((2 * len)) ] || len=$((bytes / 2 / 4096 * 4096))
		[ "$len" -gt 0 ] || len=$bytes ends=1
		make_pattern /tmp/p.a "$len" "stress-$seed-$i-a"
		make_pattern /tmp/p.z "$len" "stress-$seed-$i-z"
		step "write $i" io write "$dev" "$bytes" 0 "$len" /tmp/p.a
		[ "$ends" = 1 ] ||
			step "write end $i" io write "$dev" "$bytes" $((bytes - len)) "$len" /tmp/p.z
		step "disable $i" ndctl disable-namespace "$ns"
		step "enable $i" ndctl enable-namespace "$ns"
		step "read $i" io read "$dev" "$bytes" 0 "$len" /tmp/r.a
		verify_same /tmp/p.a /tmp/r.a
		if [ "$ends" = 2 ]; then
			step "read end $i" io read "$dev" "$bytes" $((bytes - len)) "$len" /tmp/r.z
			verify_same /tmp/p.z /tmp/r.z
		fi
		note "$desc at $(printf %#x "$s"): $bytes bytes of data, $(( $(memmap_pages) - m0 )) memmap pages"
	else
		nref=$((nref + 1))
		[ "$(memmap_pages)" = "$m0" ] || fail "$desc: refused, but nr_memmap_pages moved from $m0 to $(memmap_pages)"
		note "$desc at $(printf %#x "$s"): refused as the model says"
	fi
	step "destroy $i" ndctl destroy-namespace -f "$ns"
	snapshot "after.$i"
	same_snapshot "before.$i" "after.$i"
	[ -n "$sp" ] && step "destroy spacer $i" ndctl destroy-namespace -f "$sp"
	[ "$(memmap_pages)" = "$m_base" ] || fail "$desc: nr_memmap_pages $(memmap_pages), not $m_base"
done <<< "$plan"
[ "$i" -gt 0 ] || fail "the plan is empty (seed $seed)"

kill $w1 $w2 2> /dev/null || true
wait $w1 $w2 2> /dev/null || true
sysfs_write "$align0" "$rdir/align"
snapshot end
same_snapshot start end
memory_blocks_same start "end"
summary "$i seeded layouts (seed $seed) at $((LAYOUT_SUB >> 10)) KiB: $nok enabled with data verified, $nref refused as the model says; state restored ($kind)"
