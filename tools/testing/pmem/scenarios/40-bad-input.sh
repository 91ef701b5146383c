#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input must be refused cleanly: an error from ndctl or the sysfs
# write, no kernel warning (guest/init scans the log), nothing changed
# (/proc/iomem, ndctl list -RN, nr_memmap*).  Cases: a namespace size that
# is not a multiple of the region align, aligns the kernel does not
# support, and claims/allocations that overlap an existing namespace.
#
# pmem-nvdimm: yes
# pmem-cmdline: memmap=60M!1100M
# pmem-budget: 300
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

region=$(region_nvdimm) || fail "no NVDIMM region (is -device nvdimm missing?)"
rdir=/sys/bus/nd/devices/$region
align0=$(cat "$rdir/align")
echo "region $region, align $((align0 >> 20)) MiB, available $(( $(cat "$rdir/available_size") >> 20 )) MiB"

# Existing namespaces to collide with; the second ends off 16M alignment.
step "baseline fsdax namespace" ndctl create-namespace -r "$region" -s 32M -m fsdax
ns=$(json .dev)
sysfs_write $((2 << 20)) "$rdir/align"
align=$(cat "$rdir/align")
step "baseline devdax namespace" ndctl create-namespace -f -r "$region" -s 18M -m devdax
ns2=$(json .dev)
seed=$(cat "$rdir/namespace_seed")
pfn=$(cat "$rdir/pfn_seed")
dax=$(cat "$rdir/dax_seed")
# The kernel checks the size only once the seed has a uuid.
sysfs_write "$(cat /proc/sys/kernel/random/uuid)" "/sys/bus/nd/devices/$seed/uuid"
snapshot before
n=0

# 1. namespace size not a multiple of the region align
bad=$((align + (1 << 20)))
refused "size $((bad >> 20))M vs align $((align >> 20))M" \
	ndctl create-namespace -r "$region" -s "$bad" -m fsdax; n=$((n + 1))
sysfs_refused "seed size not align-multiple" "$bad" "/sys/bus/nd/devices/$seed/size"; n=$((n + 1))

# 2. aligns the kernel does not support
refused "fsdax align 64K" ndctl create-namespace -r "$region" -s 32M -m fsdax -a 64K; n=$((n + 1))
refused "devdax align 3M" ndctl create-namespace -r "$region" -s 32M -m devdax -a 3M; n=$((n + 1))
sysfs_refused "pfn align 64K" 65536 "/sys/bus/nd/devices/$pfn/align"; n=$((n + 1))
sysfs_refused "region align 3M (not a power of 2)" $((3 << 20)) "$rdir/align"; n=$((n + 1))
sysfs_refused "region align above region size" $((1 << 30)) "$rdir/align"; n=$((n + 1))

refused "fsdax at a start not 16M aligned, without --force" \
	ndctl create-namespace -r "$region" -s 16M -m fsdax; n=$((n + 1))

# 3. overlapping an existing namespace
sysfs_refused "pfn claim of a claimed namespace" "$ns" "/sys/bus/nd/devices/$pfn/namespace"; n=$((n + 1))
sysfs_refused "dax claim of a claimed namespace" "$ns" "/sys/bus/nd/devices/$dax/namespace"; n=$((n + 1))
avail=$(cat "$rdir/available_size")
refused "namespace larger than the free space" \
	ndctl create-namespace -r "$region" -s $((avail + (32 << 20))) -m fsdax; n=$((n + 1))
if legacy=$(region_at $((1100 << 20))); then
	refused "second namespace in the full legacy region $legacy" \
		ndctl create-namespace -r "$legacy" -s 16M -m fsdax; n=$((n + 1))
fi

snapshot after
same_snapshot before after
step "remove baseline" ndctl destroy-namespace -f "$ns"
step "remove baseline" ndctl destroy-namespace -f "$ns2"
sysfs_write "$align0" "$rdir/align"
summary "$n bad requests refused, state unchanged"
