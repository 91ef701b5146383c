#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data across kernels: a second QEMU NVDIMM (96 MiB region) whose image
# (build/pmem/cross-nvdimm.img) outlives the run.  Each boot reads the
# namespaces the previous boot left, whichever kernel wrote them, then
# leaves its own:
#
#   for each namespace named "cross-WRITER-MODE": its data must be the
#   writer's pattern byte for byte, and its usable data size what
#   the writer saw (recorded by the writer in the 4 KiB after the
#   pattern); then it is destroyed;
#   then an fsdax (memmap in RAM), an fsdax (memmap on the device) and a
#   devdax namespace at 2 MiB alignment are created, named after this
#   kernel, and filled with its pattern and record.
#
# `make pmem-cross` boots ours, stock, ours with this scenario alone, so
# stock reads what ours wrote and ours what stock wrote; the report
# names what each boot read.  On a fresh image there is nothing to read.
#
# pmem-nvdimm-cross: yes
# pmem-budget: 300
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm 96) || fail "no 96 MiB cross-kernel NVDIMM region"
rdir=/sys/bus/nd/devices/$region
me=$(probe_kernel)
sysfs_write $((2 << 20)) "$rdir/align"
# the pattern, then a 4 KiB record: 4 MiB in all, a whole number of
# device dax alignments
size=$(( (4 << 20) - 4096 ))

# data_dev NS: the device holding NS's data (block or device dax).
data_dev() {
	local j
	j=$(ndctl list -n "$1" 2> /dev/null | jq -c 'if type == "array" then .[0] else . end')
	case $(echo "$j" | jq -r .mode) in
	devdax) echo "/dev/$(echo "$j" | jq -r '.chardev // .daxregion.devices[0].chardev')" ;;
	*) echo "/dev/$(echo "$j" | jq -r .blockdev)" ;;
	esac
}

# rw write|read DEV FILE: pattern + record (4 MiB) through the
# block device or a mapping.
rw() {
	local n=$((size + 4096))
	case $2 in
	/dev/dax*) mmap_dev "$1" "$2" "$n" "$3" ;;
	*)
		if [ "$1" = write ]; then
			dd if="$3" of="$2" bs=4096 oflag=direct status=none
		else
			dd if="$2" of="$3" bs=4096 count=$((n / 4096)) iflag=direct status=none
		fi
		;;
	esac
}

# written FILE WRITER LABEL BYTES: the pattern, then the record.
written() {
	make_pattern "$1" "$size" "cross-$2-$3"
	printf 'cross %s %s %s\n' "$2" "$3" "$4" | dd of="$1" bs=4096 seek=$((size / 4096)) conv=sync status=none
}

read_one=""
for ns in $(region_namespaces "$region"); do
	name=$(cat "/sys/bus/nd/devices/$ns/alt_name" 2> /dev/null || true)
	case $name in cross-*) ;; *) continue ;; esac
	IFS=- read -r _ writer mode <<< "$name"
	dev=$(data_dev "$ns")
	out=$(ndctl list -n "$ns" | jq -c 'if type == "array" then .[0] else . end')
	have=$(ns_datasize)
	step "read $ns ($writer's $mode)" rw read "$dev" "/tmp/y.$ns"
	want=$(dd if="/tmp/y.$ns" bs=4096 skip=$((size / 4096)) count=1 status=none |
	       tr -d '\0' | awk 'NR == 1 && $1 == "cross" { print $4 }')
	echo "    $ns '$name': written by $writer with ${want:-?} data bytes; $have on $me, on $dev"
	[ "$have" = "${want:-}" ] ||
		fail "$ns written by $writer: $have data bytes on $me, ${want:-no record} on $writer"
	written "/tmp/x.$ns" "$writer" "$mode" "$want"
	verify_same "/tmp/x.$ns" "/tmp/y.$ns"
	note "cross-read $writer $mode $ns ok on $me"
	read_one="$read_one $writer:$mode"
	step "destroy $ns" ndctl destroy-namespace -f "$ns"
done

for spec in fsdax:mem fsdax:dev devdax:mem; do
	IFS=: read -r mode map <<< "$spec"
	label="$mode.$map"
	step "create $mode map=$map" ndctl create-namespace -f -r "$region" -s 16M \
		-m "$mode" -M "$map" -n "cross-$me-$label"
	ns=$(json .dev)
	have=$(ns_datasize)
	dev=$(data_dev "$ns")
	written "/tmp/x.$ns" "$me" "$label" "$have"
	step "write $ns" rw write "$dev" "/tmp/x.$ns"
	step "read $ns" rw read "$dev" "/tmp/y.$ns"
	verify_same "/tmp/x.$ns" "/tmp/y.$ns"
	datasize_note "cross:$label" "$have"
done
summary "read:${read_one:- nothing (fresh image)}; left 3 namespaces written by $me"
