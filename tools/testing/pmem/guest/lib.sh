# SPDX-License-Identifier: GPL-2.0
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
	echo "+ $desc: $*"
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

# The region of the QEMU NVDIMM (the one with a DIMM mapping).  A fresh
# label area is not initialised, so the kernel first shows the region
# label-less (one "io" namespace over all of it): write an empty label
# index once (ndctl init-labels) so namespaces can be carved out.
region_nvdimm() {
	local r name seed dimm
	for r in /sys/bus/nd/devices/region*; do
		[ "$(cat "$r/mappings" 2> /dev/null || echo 0)" -gt 0 ] || continue
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
# starting with its index so a misplaced block is caught too.
make_pattern() {
	python3 - "$1" "$2" "$3" <<-'PY'
	import hashlib, sys
	path, size, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	base = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(128))
	with open(path, "wb") as f:
	    for n in range((size + 4095) // 4096):
	        f.write(n.to_bytes(8, "little") + base[8:])
	    f.truncate(size)
	PY
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

inject_lkdtm() {
	echo "pmem-test: PMEM_INJECT: provoking $1 with lkdtm"
	modprobe lkdtm && echo "$1" > /sys/kernel/debug/provoke-crash/DIRECT
}

# json FIELD: read a field of the JSON ndctl printed last ($out).
json() { echo "$out" | jq -r "$1"; }
