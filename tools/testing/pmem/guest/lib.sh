# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the pmem scenarios; sourced by guest/init and by every
# scenario script.  A scenario is a bash script that exits 0 on success;
# on failure it calls fail() with the reason, which becomes the reason
# column of the report.  The kernel log is judged by guest/init, not by
# the scenario: any line kernel_log_bad() matches fails the scenario.

: "${PMEM_REASON:=/dev/null}" "${PMEM_NOTES:=/dev/null}" "${PMEM_NAME:=shell}"
: "${PMEM_INJECT:=}"
export DM_DISABLE_UDEV=1

# The kernel log lines that fail a scenario.
kernel_log_bad() {
	grep -E 'WARNING:|BUG:|Call Trace|kmemleak: [0-9]+ new suspected|unreferenced object|UBSAN|Oops|Kernel panic|general protection fault|page dumped because|list_(add|del) corruption' || true
}

fail() {
	echo "FAIL: $*"
	echo "$*" >> "$PMEM_REASON"
	exit 1
}

# The one-line summary shown in the report for a passing scenario.
summary() {
	echo "$*" >> "$PMEM_REASON"
}

note() {
	echo "note: $*"
	echo "$PMEM_NAME: $*" >> "$PMEM_NOTES"
}

# step DESC CMD...: run CMD, fail the scenario with DESC and CMD's last
# output line if it fails.  CMD's output is kept in $out.
step() {
	local desc=$1 rc=0
	shift
	echo "+ [${SECONDS}s] $desc: $*"
	out=$("$@" 2>&1) || rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/    /'
	[ $rc = 0 ] || fail "$desc: '$*' exited $rc: $(echo "$out" | grep -v '^ *$' | tail -n 1)"
}

# refused DESC CMD...: CMD must fail (a clean refusal).
refused() {
	local desc=$1 rc=0
	shift
	echo "+ must be refused: $desc: $*"
	out=$("$@" 2>&1) || rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/    /'
	[ $rc != 0 ] || fail "$desc: '$*' was accepted"
	echo "    refused (exit $rc) as expected"
}

# sysfs_refused DESC VALUE FILE: writing VALUE to FILE must fail.
sysfs_refused() {
	local desc=$1 val=$2 file=$3 err rc=0
	echo "+ must be refused: $desc: echo $val > $file"
	err=$( (echo "$val" > "$file") 2>&1) || rc=$?
	[ $rc != 0 ] || fail "$desc: kernel accepted '$val' in $file"
	echo "    refused as expected: ${err##*: }"
}

sysfs_write() {
	echo "+ echo $1 > $2"
	(echo "$1" > "$2") 2>&1 || fail "cannot write '$1' to $2"
}

memmap_pages() { awk '$1 == "nr_memmap_pages" { print $2 }' /proc/vmstat; }
memmap_boot_pages() { awk '$1 == "nr_memmap_boot_pages" { print $2 }' /proc/vmstat; }

# Wait until the nvdimm buses finished probing (ndctl does this too).
nd_settle() {
	local f
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		[ -e "$f" ] && cat "$f" > /dev/null
	done
	return 0
}

# region_at START: the region whose physical start is START (any base).
region_at() {
	local want r
	want=$(printf '%d' "$1")
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r/resource" ] || continue
		[ "$(printf '%d' "$(cat "$r/resource")")" = "$want" ] && { basename "$r"; return 0; }
	done
	return 1
}

# region_nvdimm [MIB]: the region of a QEMU NVDIMM (one with a DIMM
# mapping) of MIB MiB: 256 (nvdimm0, the scenarios' own) unless told;
# 96 is the cross-kernel image (nvdimm1).  A fresh label area is not
# initialised, so the kernel first shows the region label-less (one "io"
# namespace over all of it): write an empty label index once (ndctl
# init-labels) so namespaces can be carved out.
# shellcheck disable=SC2120 # MIB is optional
region_nvdimm() {
	local r name seed dimm mib=${1:-256}
	for r in /sys/bus/nd/devices/region*; do
		[ "$(cat "$r/mappings" 2> /dev/null || echo 0)" -gt 0 ] || continue
		[ "$(cat "$r/size")" = $((mib << 20)) ] || continue
		name=$(basename "$r")
		seed=$(cat "$r/namespace_seed")
		if [ "$(cat "/sys/bus/nd/devices/$seed/devtype" 2> /dev/null)" = nd_namespace_io ]; then
			dimm=$(cut -d, -f1 "$r/mapping0")
			echo "+ $name is label-less: ndctl init-labels $dimm" >&2
			{ ndctl disable-region "$name" &&
			  ndctl init-labels -f "$dimm" &&
			  ndctl enable-region "$name"; } >&2 || return 1
			nd_settle
		fi
		echo "$name"
		return 0
	done
	return 1
}

# The namespaces of a region, by name.
region_namespaces() {
	ndctl list -r "$1" -N 2> /dev/null | jq -r 'if type == "array" then .[] else . end | .dev' 2> /dev/null
}

# nd_claim REGION NS MODE MAP ALIGN: make raw namespace NS fsdax or
# devdax with its memmap in MAP (mem or dev) and data alignment ALIGN,
# the way libnvdimm's sysfs ABI allows where ndctl refuses (it wants
# 16 MiB at least): the region's pfn or dax seed gets a uuid, the
# namespace, the alignment and the memmap's place, then its driver binds
# it.  Leaves `ndctl list` of NS in $out.  With a sixth word "refused"
# the bind must fail: then the seed lets go of NS again, NS is enabled
# raw as it was, and $out is empty.
nd_claim() {
	local region=$1 ns=$2 d=/sys/bus/nd/devices seed drv m=ram
	step "disable $ns" ndctl disable-namespace "$ns"
	if [ "$3" = fsdax ]; then
		seed=$(cat "$d/$region/pfn_seed") drv=nd_pmem
	else
		seed=$(cat "$d/$region/dax_seed") drv=dax_pmem
	fi
	[ "$4" = dev ] && m=pmem
	sysfs_write "$(cat /proc/sys/kernel/random/uuid)" "$d/$seed/uuid"
	sysfs_write "$ns" "$d/$seed/namespace"
	sysfs_write "$5" "$d/$seed/align"
	sysfs_write $m "$d/$seed/mode"
	if [ "${6:-}" = refused ]; then
		sysfs_refused "$3 map=$4 of $ns" "$seed" "/sys/bus/nd/drivers/$drv/bind"
		sysfs_write "" "$d/$seed/namespace"
		step "enable $ns raw again" ndctl enable-namespace "$ns"
		out=""
		return 0
	fi
	sysfs_write "$seed" "/sys/bus/nd/drivers/$drv/bind"
	nd_settle
	out=$(ndctl list -N -X -n "$ns" | jq 'if type == "array" then .[0] else . end')
}

# snapshot NAME: what "nothing changed" compares.
snapshot() {
	cat /proc/iomem > "/tmp/snap.$1.iomem"
	ndctl list -RN 2> /dev/null | jq -S . > "/tmp/snap.$1.ndctl"
	grep '^nr_memmap' /proc/vmstat > "/tmp/snap.$1.vmstat"
}

# same_snapshot A B: fail with the first difference.
same_snapshot() {
	local k d
	for k in iomem ndctl vmstat; do
		if ! d=$(diff -u "/tmp/snap.$1.$k" "/tmp/snap.$2.$k"); then
			echo "$d"
			fail "$k differs between '$1' and '$2': $(echo "$d" | grep -E '^[-+][^-+]' | head -n 2 | tr '\n' ' ')"
		fi
	done
	echo "    /proc/iomem, ndctl list, nr_memmap* unchanged ($1 = $2)"
}

# verify_same EXPECTED ACTUAL: byte-for-byte comparison.  The harness
# self-test (PMEM_INJECT=byte) flips one expected byte first.
verify_same() {
	local exp=$1
	if [ "$PMEM_INJECT" = byte ]; then
		cp "$1" /tmp/expected.injected
		printf '\x5a' | dd of=/tmp/expected.injected bs=1 seek=4097 conv=notrunc status=none
		exp=/tmp/expected.injected
		echo "    (PMEM_INJECT=byte: expecting one wrong byte)"
	fi
	cmp "$exp" "$2" || fail "content of $2 differs from $1: $(cmp "$exp" "$2" 2>&1 | head -n 1)"
	echo "    $2: $(stat -c %s "$2") bytes verified"
}

# make_pattern FILE SIZE SEED: reproducible content, every 4 KiB block
# starting with its index so a misplaced block is caught too (written
# by mmap_pattern, the one definition of the pattern).
make_pattern() {
	rm -f "$1"
	truncate -s "$2" "$1" || fail "cannot make $1"
	mmap_pattern write "$1" "$2" "$3"
}

# mmap_dev write|read DEV SIZE FILE: copy FILE into a device dax char
# device through a shared mapping, or SIZE bytes of it out into FILE.
mmap_dev() {
	python3 - "$@" <<-'PY'
	import mmap, os, sys
	op, dev, size, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
	fd = os.open(dev, os.O_RDWR)
	m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
	if op == "write":
	    with open(path, "rb") as f:
	        m[:size] = f.read(size)
	    # no msync: device dax has no fsync (EINVAL); stores are direct
	else:
	    with open(path, "wb") as f:
	        f.write(m[:size])
	m.close()
	os.close(fd)
	PY
}

# mmap_pattern write|verify PATH SIZE SEED: write make_pattern's content
# for SEED into SIZE bytes of PATH (a device dax char device or a file)
# through a shared mapping, or compare them with it byte for byte, with
# one python3 and no copy in /tmp (TCG pays for every process and every
# pass over the data).  PMEM_INJECT=byte flips one expected byte.
mmap_pattern() {
	local rc=0 msg
	msg=$(python3 - "$@" "$PMEM_INJECT" <<-'PY'
	import hashlib, mmap, os, sys
	op, path, size, seed, inject = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
	base = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(128))
	def block(n):
	    b = n.to_bytes(8, "little") + base[8:]
	    if inject == "byte" and op == "verify" and n == 1:
	        b = b[:1] + b"\x5a" + b[2:]
	    return b
	fd = os.open(path, os.O_RDWR)
	m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
	bad = None
	for n in range((size + 4095) // 4096):
	    lo = n * 4096
	    want = block(n)[:size - lo]
	    if op == "write":
	        m[lo:lo + len(want)] = want
	    elif m[lo:lo + len(want)] != want:
	        got = m[lo:lo + len(want)]
	        bad = lo + next(i for i in range(len(want)) if got[i] != want[i])
	        break
	m.close()
	os.close(fd)
	if bad is not None:
	    print(f"first wrong byte at offset {bad}")
	    sys.exit(1)
	PY
	) || rc=$?
	[ "$1" = verify ] && [ "$PMEM_INJECT" = byte ] && echo "    (PMEM_INJECT=byte: expecting one wrong byte)"
	[ $rc = 0 ] || fail "$1 of $3 bytes of $2 through a mapping: ${msg:-python3 exited $rc}"
	[ "$1" = verify ] && echo "    $2: $3 bytes verified"
	return 0
}

inject_lkdtm() {
	echo "pmem-test: PMEM_INJECT: provoking $1 with lkdtm"
	modprobe lkdtm && echo "$1" > /sys/kernel/debug/provoke-crash/DIRECT
}

# json FIELD: read a field of the JSON ndctl printed last ($out).
json() { echo "$out" | jq -r "$1"; }

# ns_datasize: the bytes of data the namespace ndctl printed last ($out)
# gives its user: the size of its block device (fsdax, sector) or of its
# device dax instance (devdax).
ns_datasize() {
	local d
	if [ "$(json .mode)" = devdax ]; then
		# create-namespace prints daxregion, list prints chardev
		d=$(json '.chardev // .daxregion.devices[0].chardev')
		cat "/sys/bus/dax/devices/$d/size"
	else
		d=$(json .blockdev)
		echo $(( $(cat "/sys/block/$d/size") * 512 ))
	fi
}

# datasize_note KEY BYTES: one "datasize" note; run.sh collects them
# into pmem-test-*.datasize and compare.sh sets stock beside ours.
datasize_note() { note "datasize $1 $2"; }

# ---------------------------------------------------------------------
# The debugfs probe (probe/subsection_probe.c, an external module that
# kernel.sh builds, loaded by guest/init): what pfn_valid(), pfn_to_online_page() and
# get_dev_pagemap() say about pfns, and memremap_pages() attempts.
PROBE=/sys/kernel/debug/subsection_probe
PAGE_SIZE=$(getconf PAGE_SIZE)

# probe_kernel: "ours" (CONFIG_SUBSECTION_HOTPLUG=y) or "stock".  Fails
# the scenario when the probe is missing or disagrees with the release.
probe_kernel() {
	local k
	k=$(cat "$PROBE/kernel" 2> /dev/null) || fail "no $PROBE (subsection_probe not loaded?)"
	case $(uname -r) in
	*-"$k" | *-"$k"-*) echo "$k" ;;
	*) fail "probe says '$k' but the release is $(uname -r)" ;;
	esac
}

# probe_pfn PFN: "pfn=0x.. valid=0|1 online=0|1 pgmap=0xSTART-0xEND|none"
probe_pfn() { echo "$1" > "$PROBE/pfn" && cat "$PROBE/pfn"; }

# probe_range PFN NR: "pfn=0x.. pfns=N valid=A online=B pgmap=C", then
# one "range=0xSTART-0xEND pfns=K" line per dev_pagemap range seen.
probe_range() { echo "$1 $2" > "$PROBE/pfn" && cat "$PROBE/pfn"; }

# probe_query PFN [NR]: the same into probe_lines (an array of the
# answer's lines) and probe_out (them joined by blanks), without a fork:
# under TCG every fork costs tens of milliseconds and the scenarios ask
# thousands of times.
probe_query() {
	echo "$*" > "$PROBE/pfn" || return 1
	mapfile -t probe_lines < "$PROBE/pfn"
	probe_out="${probe_lines[*]}"
}

# probe_memremap START SIZE: memremap_pages() of a fresh dev_pagemap over
# [START, START + SIZE) (undone at once on success); prints 0 or the
# negative errno the write returned, which must equal the probe's rc.
probe_memremap() {
	local rc last
	rc=$(python3 - "$PROBE/memremap" "$1 $2" <<-'PY'
	import os, sys
	fd = os.open(sys.argv[1], os.O_WRONLY)
	try:
	    os.write(fd, sys.argv[2].encode() + b"\n")
	    print(0)
	except OSError as e:
	    print(-e.errno)
	PY
	) || fail "probe_memremap $1 $2: python failed"
	last=$(sed -n 's/^rc=//p' "$PROBE/memremap")
	[ "$rc" = "$last" ] || fail "probe_memremap $1 $2: write returned $rc but the probe says rc=$last"
	echo "$rc"
}


# expect_words DESC TEXT WORD...: every WORD (e.g. online=0) must be a
# blank-separated word of TEXT.
expect_words() {
	local desc=$1 text=" ${2//$'\n'/ } " w
	shift 2
	for w in "$@"; do
		case $text in
		*" $w "*) ;;
		*) fail "$desc: expected $w, the probe says:$text" ;;
		esac
	done
}

# check_pfn DESC PFN WORD...: the probe's line for PFN has every WORD.
check_pfn() {
	local desc=$1 pfn=$2
	shift 2
	probe_query "$pfn" || fail "$desc: the probe refused pfn $pfn"
	echo "    $desc: $probe_out"
	expect_words "$desc" "$probe_out" "$@"
}

# check_range DESC PFN NR WORD...: the same for the range form; the
# answer's lines stay in probe_lines.
check_range() {
	local desc=$1 pfn=$2 nr=$3
	shift 3
	probe_query "$pfn" "$nr" || fail "$desc: the probe refused pfns $pfn+$nr"
	echo "    $desc: $probe_out"
	expect_words "$desc" "$probe_out" "$@"
}

# check_edges DESC START END [BEFORE [AFTER]]: the first and last pfn of
# the bytes [START, END] resolve to the dev_pagemap range that is exactly
# [START, END] and are valid device pages (not online); the pfn before
# and the one after match the words BEFORE / AFTER (default
# "pgmap=none").
check_edges() {
	local desc=$1 s=$(($2 / PAGE_SIZE)) e=$(($3 / PAGE_SIZE)) own bw aw
	read -r -a bw <<< "${4:-pgmap=none}"
	read -r -a aw <<< "${5:-pgmap=none}"
	printf -v own 'pgmap=%#x-%#x' "$2" "$3"
	check_pfn "$desc: first pfn" "$s" valid=1 online=0 "$own"
	check_pfn "$desc: last pfn" "$e" valid=1 online=0 "$own"
	check_pfn "$desc: pfn before" $((s - 1)) "${bw[@]}"
	check_pfn "$desc: pfn after" $((e + 1)) "${aw[@]}"
}

# check_owned DESC START END [BEFORE [AFTER]]: check_edges, and every pfn
# in between resolves to that one range too (valid, not online).
check_owned() {
	local s=$(($2 / PAGE_SIZE)) e=$(($3 / PAGE_SIZE)) nr
	nr=$((e - s + 1))
	check_edges "$@"
	check_range "$1: all pfns" "$s" "$nr" pfns=$nr valid=$nr online=0 pgmap=$nr \
		"$(printf 'range=%#x-%#x' "$2" "$3")"
	[ ${#probe_lines[@]} = 2 ] || fail "$1: pfns resolve to more than one range"
}

# check_free DESC START END [WORD...]: no pfn of the bytes [START, END]
# has a dev_pagemap or is an online page (what a destroyed namespace
# leaves), and the range answer has every WORD (e.g. valid=0).
check_free() {
	local desc=$1 s=$(($2 / PAGE_SIZE)) e=$(($3 / PAGE_SIZE)) nr
	nr=$((e - s + 1))
	shift 3
	check_range "$desc" "$s" "$nr" pfns=$nr pgmap=0 online=0 "$@"
}

# ram_words ADDR: the probe words for the pfn at ADDR: an online page
# without dev_pagemap when /proc/iomem shows System RAM there, else just
# "pgmap=none".
ram_words() {
	if iomem_ram "$1"; then echo "valid=1 online=1 pgmap=none"; else echo "pgmap=none"; fi
}

# check_ram DESC ADDR: the pfn at ADDR is what ram_words says.
check_ram() {
	local w
	read -r -a w <<< "$(ram_words "$2")"
	check_pfn "$1" $(($2 / PAGE_SIZE)) "${w[@]}"
}

# iomem_ram ADDR: is ADDR in a System RAM range of /proc/iomem?  (No
# process substitution in the guest: it has no /dev/fd.)
iomem_ram() {
	local a=$1 s e
	while IFS=- read -r s e; do
		[ $((16#$s)) -le "$a" ] && [ "$a" -le $((16#$e)) ] && return 0
	done <<< "$(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1-\2/p' /proc/iomem)"
	return 1
}

# ns_range NS: "START END" (bytes, END inclusive) of a namespace's
# resource, from sysfs.
ns_range() {
	local d=/sys/bus/nd/devices/$1 s n
	s=$(printf '%d' "$(cat "$d/resource")") n=$(cat "$d/size")
	echo "$s $((s + n - 1))"
}

# memory_blocks_save NAME / memory_blocks_same NAME DESC: the memory
# blocks of /sys/devices/system/memory and their states must not change
# (ZONE_DEVICE ranges never become memory blocks).
memory_blocks() { grep -H . /sys/devices/system/memory/memory*/state; }
memory_blocks_save() { memory_blocks > "/tmp/memblocks.$1"; }
memory_blocks_same() {
	local d
	d=$(memory_blocks | diff -u "/tmp/memblocks.$1" -) ||
		fail "$2: /sys/devices/system/memory changed: $(echo "$d" | grep -E '^[-+][^-+]' | head -n 2 | tr '\n' ' ')"
	echo "    /sys/devices/system/memory unchanged ($2)"
}

# ---------------------------------------------------------------------
# WARN splats a scenario provokes on purpose on the stock kernel.
#
# stock_warn_expected ERE CMD...: run CMD.  On the stock kernel (release
# ending in -stock) CMD runs between two marker lines in the kernel log,
# and a WARN splat between them whose one "WARNING:" line matches ERE
# (e.g. 'at mm/memremap\.c:') is recorded in the scenario's notes
# instead of failing it; every other bad line still fails it.  On ours
# there are no markers and any warning fails the scenario.  guest/init
# applies this with kernel_log_drop_expected before kernel_log_bad.
kmsg() { echo "pmem-test: $*" > /dev/kmsg; }
stock_warn_expected() {
	local ere=$1 rc=0
	shift
	kernel_is_stock || { "$@"; return; }
	kmsg "stock-warn-expected begin: $ere"
	"$@" || rc=$?
	kmsg "stock-warn-expected end"
	return $rc
}

kernel_is_stock() {
	case $(uname -r) in *-stock | *-stock-*) return 0 ;; esac
	return 1
}

# kernel_log_drop_expected DROPPED [DUMPS] < LOG: LOG without the
# splats stock_warn_expected allowed (stock only); the WARNING: line of
# each dropped splat is appended to the file DROPPED.  A splat runs from
# the "cut here" line to the "end trace" line; one that does not match,
# or is not closed, is kept whole.  Also dropped, on every kernel: the
# stack dumps with which the allocators report a failed allocation
# (kmem_cache_create()'s "failed with error", -ENOMEM or, from SLUB,
# -EINVAL; warn_alloc()'s "page allocation failure", "vmemmap alloc
# failure", "vmalloc error") between the kernel log lines "pmem-test:
# injected-fault begin" and "... end", which a scenario writes around
# an allocation failure it injects on purpose (fault-injection); a dump
# runs from that line to "</TASK>" and its first line is appended to
# DUMPS.  A WARN is never dropped that way.  And kmemleak's "N new
# suspected memory leaks" line between "pmem-test: kmemleak-scan begin"
# and "... end" (kmemleak_scan below): the scenario judges the report.
kernel_log_drop_expected() {
	local stock=0
	kernel_is_stock && stock=1
	awk -v stock=$stock -v dropped="$1" -v dumps="${2:-/dev/null}" '
	function keep(i) { for (i = 1; i <= n; i++) print buf[i]; n = 0 }
	/pmem-test: kmemleak-scan begin/ { inscan = 1; print; next }
	/pmem-test: kmemleak-scan end/ { inscan = 0; print; next }
	inscan && /kmemleak: [0-9]+ new suspected memory leaks/ { next }
	/pmem-test: injected-fault begin/ { infault = 1; print; next }
	/pmem-test: injected-fault end/ {
		infault = 0; if (indump) { indump = 0; keep() }; print; next
	}
	infault && !indump && !insplat &&
	/kmem_cache_create[a-z_]*\(.*\) failed with error -[0-9]+|(page allocation|vmemmap alloc) failure: .*mode:0x|vmalloc error: .*mode:0x/ {
		indump = 1; n = 0; buf[++n] = $0; bad = 0; next
	}
	indump {
		buf[++n] = $0
		if ($0 ~ /WARNING:|BUG:|Oops|cut here/) bad = 1
		if ($0 ~ /<\/TASK>/) {
			indump = 0
			if (bad) {
				keep()
			} else {
				w = buf[1]; sub(/^\[[^]]*\] */, "", w); print w >> dumps; n = 0
			}
		}
		next
	}
	!insplat && /pmem-test: stock-warn-expected begin: / {
		ere = $0; sub(/.*stock-warn-expected begin: /, "", ere); inb = 1; print; next
	}
	!insplat && /pmem-test: stock-warn-expected end/ { inb = 0; print; next }
	inb && stock && /-+\[ cut here \]-+/ { insplat = 1; n = 0; warns = 0; ok = 0 }
	insplat {
		buf[++n] = $0
		if ($0 ~ /WARNING:/) { warns++; w = $0; if ($0 ~ ere) ok++ }
		if ($0 ~ /---\[ end trace/) {
			insplat = 0
			if (warns == 1 && ok == 1) {
				sub(/^\[[^]]*\] */, "", w); print w >> dropped; n = 0
			} else {
				keep()
			}
		}
		next
	}
	{ print }
	END { if (insplat || indump) keep() }'
}

# kmemleak_scan FILE: on a kernel with kmemleak, scan twice (an object
# is reported once two scans in a row found it unreferenced and
# unchanged) and write the report to FILE; return 1 without kmemleak.
# The scans' summary line in the kernel log is not judged: the caller
# judges FILE (see kernel_log_drop_expected).
kmemleak_scan() {
	local k=/sys/kernel/debug/kmemleak
	[ -e $k ] || return 1
	kmsg "kmemleak-scan begin"
	echo scan > $k
	sleep 6
	echo scan > $k
	kmsg "kmemleak-scan end"
	cat $k > "$1"
}

# stock_differs DESC: on stock, record DESC as a difference from ours (a
# note, counted in STOCK_DIFFS; the scenario goes on); on ours it is a
# failure.
STOCK_DIFFS=0
stock_differs() {
	if kernel_is_stock; then
		STOCK_DIFFS=$((STOCK_DIFFS + 1))
		note "stock difference: $*"
	else
		fail "$*"
	fi
}

# dax_fs NS BLK SEED SIZE [cycle]: ext4 -o dax on /dev/BLK (namespace
# NS), write a SIZE-byte file of pattern SEED and verify it; with
# "cycle", after umount and NS disabled and enabled again.  The caller's
# owned DESC / freed DESC check the probe's view at each stage.
dax_fs() {
	local ns=$1 blk=$2
	[ "$(cat "/sys/block/$blk/queue/dax")" = 1 ] || fail "/dev/$blk does not support DAX"
	step "mkfs $blk" mkfs.ext4 -F -q -b 4096 "/dev/$blk"
	step "mount dax" mount -o dax "/dev/$blk" /tmp/mnt
	grep -q "^/dev/$blk /tmp/mnt ext4 .*dax" /proc/mounts ||
		fail "ext4 on /dev/$blk not mounted with dax: $(grep "/dev/$blk" /proc/mounts)"
	make_pattern /tmp/pattern "$4" "$3"
	step "write file" cp /tmp/pattern /tmp/mnt/pattern
	step "sync" sync
	if [ "${5:-}" = cycle ]; then
		step "umount" umount /tmp/mnt
		step "disable namespace" ndctl disable-namespace "$ns"
		freed "disabled"
		step "enable namespace" ndctl enable-namespace "$ns"
		owned "enabled again"
		step "mount dax again" mount -o dax "/dev/$blk" /tmp/mnt
	fi
	verify_same /tmp/pattern /tmp/mnt/pattern
	step "umount" umount /tmp/mnt
}

# devdax_cycle NS DAX LEN SEED: LEN bytes of pattern SEED written through
# one mapping of /dev/DAX, read back through another after namespace NS
# was disabled and enabled; the caller's owned / freed run in between.
devdax_cycle() {
	local ns=$1 dax=$2 len=$3
	make_pattern /tmp/pattern "$len" "$4"
	step "mmap write" mmap_dev write "/dev/$dax" "$len" /tmp/pattern
	step "disable namespace" ndctl disable-namespace "$ns"
	freed "devdax disabled"
	step "enable namespace" ndctl enable-namespace "$ns"
	owned "devdax enabled again"
	step "mmap read" mmap_dev read "/dev/$dax" "$len" /tmp/readback
	verify_same /tmp/pattern /tmp/readback
}

# ---------------------------------------------------------------------
# Memmap pages counted by hand (arm64 scenarios, where the struct pages
# of neighbouring namespaces share memmap pages).

# layout_read: LAYOUT_PS (page size), LAYOUT_SP (sizeof(struct page))
# and LAYOUT_SUB (this boot's sub-section size in bytes) from the probe.
layout_read() {
	local l w
	read -r l < "$PROBE/layout" || fail "no $PROBE/layout"
	for w in $l; do
		case $w in
		page_size=*) LAYOUT_PS=${w#*=} ;;
		struct_page=*) LAYOUT_SP=${w#*=} ;;
		subsection=*) LAYOUT_SUB=${w#*=} ;;
		esac
	done
	[ -n "${LAYOUT_PS:-}" ] && [ -n "${LAYOUT_SP:-}" ] && [ -n "${LAYOUT_SUB:-}" ] ||
		fail "bad $PROBE/layout: $l"
}

# memmap_pages_of "START END" ...: how many distinct memmap pages hold the
# struct pages of the byte ranges [START, END] (END inclusive): each
# range's pages from the one holding its first struct page to the one
# holding its last, a page shared by two ranges counted once.
memmap_pages_of() {
	local r s e lo hi n=0 last=-1
	local -a iv=()
	for r in "$@"; do
		read -r s e <<< "$r"
		# pfn first, then its struct page's byte offset, then the page
		s=$(( s / LAYOUT_PS )) e=$(( (e + 1) / LAYOUT_PS ))
		lo=$(( s * LAYOUT_SP / LAYOUT_PS ))
		hi=$(( (e * LAYOUT_SP + LAYOUT_PS - 1) / LAYOUT_PS ))
		iv+=("$lo $hi")
	done
	[ ${#iv[@]} = 0 ] && { echo 0; return; }
	while read -r lo hi; do
		[ "$lo" -lt "$last" ] && lo=$last
		[ "$hi" -gt "$lo" ] && n=$((n + hi - lo))
		[ "$hi" -gt "$last" ] && last=$hi
	done <<< "$(printf '%s\n' "${iv[@]}" | sort -n -k1,1)"
	echo $n
}

# pgmap_of NS: "START END" of the dev_pagemap range over namespace NS's
# resource, from the probe.
pgmap_of() {
	local s e w
	read -r s e <<< "$(ns_range "$1")"
	probe_query $(( (s + e) / 2 / PAGE_SIZE )) || fail "probe refused a pfn of $1"
	for w in $probe_out; do
		case $w in
		pgmap=0x*) w=${w#pgmap=}; echo "$((${w%-*})) $((${w#*-}))"; return 0 ;;
		esac
	done
	fail "$1: no dev_pagemap at its middle pfn: $probe_out"
}

# check_memmap NS MODE MAP ALIGN DATA DESC: the probe's memmap check of
# enabled namespace NS (MODE fsdax or devdax, MAP mem or dev, ALIGN and
# DATA in bytes) before anything used it: every struct page of its
# dev_pagemap range as memmap_init_zone_device() writes it, and as many
# heads, tails and order-0 pages as the range and the alignment give
# (devdax: compound pages of ALIGN; fsdax: order-0 pages).  map=mem
# checks the whole range, map=dev the range less the altmap's own pages,
# at least the data.
check_memmap() {
	local ns=$1 mode=$2 map=$3 align=$4 data=$5 desc=$6 s e w line range nr
	local pfns=x order=x heads=x tails=x pages=x bad=x
	read -r s e <<< "$(pgmap_of "$ns")"
	[[ "$s $e" =~ ^[0-9]+\ [0-9]+$ ]] || fail "$desc: no dev_pagemap over $ns: $s $e"
	echo $(( (s + e) / 2 / PAGE_SIZE )) > "$PROBE/memmap" ||
		fail "$desc: the probe refused a pfn of $ns"
	read -r line < "$PROBE/memmap"
	echo "    $desc: memmap $line"
	for w in $line; do
		case $w in
		pfns=* | order=* | heads=* | tails=* | pages=* | bad=*)
			printf -v "${w%%=*}" '%s' "${w#*=}" ;;
		esac
	done
	[ "$bad" = 0 ] || fail "$desc: struct pages differ: $line"
	range=$(( (e + 1 - s) / PAGE_SIZE ))
	if [ "$map" = mem ]; then
		[ "$pfns" = "$range" ] ||
			fail "$desc: $pfns pfns checked, the range has $range"
	else
		[ "$pfns" -lt "$range" ] && [ "$pfns" -ge $(( data / PAGE_SIZE )) ] ||
			fail "$desc: $pfns pfns checked, the range has $range, the data $data bytes"
	fi
	nr=1
	[ "$mode" = devdax ] && nr=$(( align / PAGE_SIZE ))
	[ "$(( 1 << order ))" = "$nr" ] || fail "$desc: order $order, $mode align $align"
	if [ "$nr" = 1 ]; then
		[ "$pages" = "$pfns" ] && [ "$heads" = 0 ] && [ "$tails" = 0 ] ||
			fail "$desc: order-0 range of $pfns pfns: $line"
	else
		[ "$heads" = $(( (pfns + nr - 1) / nr )) ] && [ "$tails" = $(( pfns - heads )) ] &&
			[ "$pages" = 0 ] || fail "$desc: compound range of $pfns pfns: $line"
	fi
}

# ---------------------------------------------------------------------
# Namespaces known by a name of the scenario's (arm64-shared-memmap,
# ppc64-namespaces): ns_of (name -> namespace), ns_live (name -> "START
# END" of its dev_pagemap range while enabled), ns_mode, ns_dev,
# ns_size, ns_seed.  The scenario sets ns_base to nr_memmap_pages with
# none of them enabled.
declare -A ns_of=() ns_live=() ns_mode=() ns_dev=() ns_size=() ns_seed=()
ns_base=0

# ns_check_count DESC: nr_memmap_pages against the hand count of the
# live ranges (memmap_pages_of); stock's difference is recorded.
ns_check_count() {
	local want got
	want=$(( ns_base + $(memmap_pages_of "${ns_live[@]}") ))
	got=$(memmap_pages)
	if [ "$got" != "$want" ]; then
		stock_differs "$1: nr_memmap_pages is $got, $want by hand (${#ns_live[@]} live)"
	else
		echo "    $1: nr_memmap_pages $got = $ns_base + $((want - ns_base)) by hand"
	fi
}

# ns_devices N MODE: ns_dev[N] and ns_size[N] of namespace N from the ndctl
# JSON in $out (fsdax: the block device; use sizes its file).
ns_devices() {
	ns_mode[$1]=$2
	if [ "$2" = devdax ]; then
		ns_dev[$1]=/dev/$(json '.daxregion.devices[0].chardev')
		ns_size[$1]=$(json '.daxregion.devices[0].size')
	else
		ns_dev[$1]=/dev/$(json .blockdev)
		ns_size[$1]=$(json .size)
	fi
}

# ns_mapped N write|verify: N's pattern through a shared mapping of its
# device dax, or of a file on its ext4 -o dax.
ns_mapped() {
	local n=$1 op=$2 sz=${ns_size[$1]}
	if [ "${ns_mode[$n]}" = devdax ]; then
		mmap_pattern "$op" "${ns_dev[$n]}" "$sz" "${ns_seed[$n]}"
		return
	fi
	mount -o dax "${ns_dev[$n]}" /tmp/mnt || fail "mount -o dax ${ns_dev[$n]}"
	[ "$op" = write ] && { rm -f /tmp/mnt/f; truncate -s "$sz" /tmp/mnt/f; }
	mmap_pattern "$op" /tmp/mnt/f "$sz" "${ns_seed[$n]}"
	umount /tmp/mnt
}

# ns_use N: write every data page of N through a shared mapping and read
# it back (fsdax: ext4 with page-sized blocks, as DAX needs, half full).
# ns_verify N: read back what ns_use N wrote.
ns_use() {
	local n=$1
	if [ "${ns_mode[$n]}" = fsdax ]; then
		step "mkfs ${ns_dev[$n]}" mkfs.ext4 -F -q -O ^has_journal -b "$LAYOUT_PS" "${ns_dev[$n]}"
		mount -o dax "${ns_dev[$n]}" /tmp/mnt || fail "mount -o dax ${ns_dev[$n]}"
		ns_size[$n]=$(( $(stat -f -c '%a * %S' /tmp/mnt) / 2 / LAYOUT_PS * LAYOUT_PS ))
		umount /tmp/mnt
	fi
	ns_seed[$n]=seed-$n-${ns_mode[$n]}
	echo "+ [${SECONDS}s] write ${ns_size[$n]} bytes through a mapping of ${ns_dev[$n]}"
	ns_mapped "$n" write
	ns_verify "$n"
}
ns_verify() {
	echo "+ [${SECONDS}s] read back ${ns_dev[$1]} through a mapping"
	ns_mapped "$1" verify
}

# ns_off N / ns_on N: disable / enable N, then the hand count.
ns_off() {
	step "disable ${ns_of[$1]} ($1)" ndctl disable-namespace "${ns_of[$1]}"
	unset "ns_live[$1]"
	ns_check_count "$1 disabled"
}
ns_on() {
	step "enable ${ns_of[$1]} ($1)" ndctl enable-namespace "${ns_of[$1]}"
	ns_live[$1]=$(pgmap_of "${ns_of[$1]}")
	ns_check_count "$1 enabled"
}

# ---------------------------------------------------------------------
# make bench (scenarios/98-bench-boot.sh, 99-bench.sh)

# bench KEY VALUE UNIT: one figure, a note bench.sh gathers
bench() { note "bench $1 $2 $3"; }
# now_us: microseconds since the epoch, without a fork
now_us() { echo "${EPOCHREALTIME/./}"; }
# MemFree with the CPUs' pending vmstat deltas folded in first
memfree_kb() {
	echo 1 > /proc/sys/vm/stat_refresh
	awk '$1 == "MemFree:" { print $2 }' /proc/meminfo
}

# memmap_min MODE MAP BYTES ALIGN: the fewest memmap pages a namespace
# of BYTES can have: its struct pages in whole pages, except for devdax
# with the memmap in RAM, where x86_64 backs the tail struct pages of
# each compound page (one per ALIGN) by one shared memmap page: a
# compound page whose struct pages span more than 2 memmap pages needs
# just 2 (its head's and the shared tail page).
memmap_min() {
	if [ "$1:$2" = devdax:mem ] && [ "$(uname -m)" = x86_64 ] &&
	   [ "$(struct_page_pages "$4")" -gt 2 ]; then
		echo $(( $3 * 2 / $4 ))
	else
		struct_page_pages "$3"
	fi
}

# struct_page_pages BYTES: the memmap of BYTES of memory in whole pages
struct_page_pages() {
	echo $(( ($1 * LAYOUT_SP / PAGE_SIZE + PAGE_SIZE - 1) / PAGE_SIZE ))
}

# timed_write VALUE FILE: microseconds the write took.
timed_write() {
	local t0
	t0=$(now_us)
	echo "$1" > "$2" || fail "write of $1 to $2 failed"
	echo $(( $(now_us) - t0 ))
}

# bench_bind KEY DEV DRV MIN REPS [CMD...]: REPS times bind DEV to the
# nd driver DRV and unbind it, timed as enable:KEY and disable:KEY;
# while bound the first time, the nr_memmap_pages and MemFree deltas
# against MIN memmap pages (MemFree's minimum is 0 unless KEY is
# MODE:mem:SIZE, the memmap in RAM), then CMD (e.g. lookups).
# BENCH_TAG, when set (-1cpu, -rcuexp), goes after enable and disable
# in the figures' names.
bench_bind() {
	local key=$1 dev=$2 drv=/sys/bus/nd/drivers/$3 min=$4 reps=$5 r m0 f0 us ram=0
	shift 5
	case $key in *:mem:*) ram=$min ;; esac
	for r in $(seq 1 "$reps"); do
		m0=$(memmap_pages) f0=$(memfree_kb)
		# (assignments, so that set -e stops at a failed write)
		us=$(timed_write "$dev" "$drv/bind")
		bench "enable${BENCH_TAG:-}:$key" "$us" us
		if [ "$r" = 1 ]; then
			bench "memmap_pages:$key" $(( $(memmap_pages) - m0 )) pages
			bench "memfree:$key" $(( f0 - $(memfree_kb) )) KiB
			bench "memmap_min:$key" "$min" pages
			bench "memfree_min:$key" $(( ram * PAGE_SIZE / 1024 )) KiB
			[ $# = 0 ] || "$@"
		fi
		us=$(timed_write "$dev" "$drv/unbind")
		bench "disable${BENCH_TAG:-}:$key" "$us" us
	done
}
