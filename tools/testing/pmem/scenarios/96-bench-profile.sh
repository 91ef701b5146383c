#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of an enable goes (make bench-profile; runs only when
# named).  For each namespace of pmemtest.profile= (MODE:MAP:MIB, comma
# separated; default devdax:dev:4094,fsdax:dev:4094; up to 65534 MiB) on
# make bench's 64 GiB bench region: create it, then pmemtest.reps= times
# (default 20) time the write to its driver's bind file (note "bench
# enable:..."), unbind, and bind once more under "perf record -e
# cpu-clock -a" (the host's perf, through the 9p root), summing the
# samples per kernel symbol (notes "profile MODE:MAP:MIB SAMPLES
# SYMBOL").  The guest's kernel has no ftrace; a software clock event
# is what TCG offers.
#
# pmem-explicit: yes
# pmem-nvdimm-bench: 64
# pmem-budget: 3000
set -eu
# shellcheck source=../guest/lib.sh
. "$PMEM_DIR/guest/lib.sh"

reps=20 specs=devdax:dev:4094,fsdax:dev:4094
read -r -a words < /proc/cmdline
for w in "${words[@]}"; do
	case $w in
	pmemtest.reps=*) reps=${w#*=} ;;
	pmemtest.profile=*) specs=${w#*=} ;;
	esac
done
command -v perf > /dev/null || fail "no perf on the host (make bench-profile installs linux-perf)"
region=$(region_nvdimm 65536) || fail "no 64 GiB bench NVDIMM region"
sysfs_write $((2 << 20)) "/sys/bus/nd/devices/$region/align"
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid

IFS=, read -r -a list <<< "$specs"
for spec in "${list[@]}"; do
	IFS=: read -r mode map mib <<< "$spec"
	step "create $spec" ndctl create-namespace -f -r "$region" -s "${mib}M" -m "$mode" -M "$map"
	ns=$(json .dev)
	dev=$(cat "/sys/bus/nd/devices/$ns/holder")
	case $dev in
	pfn*) drv=/sys/bus/nd/drivers/nd_pmem ;;
	dax*) drv=/sys/bus/nd/drivers/dax_pmem ;;
	*) fail "$ns: holder '$dev' is not a pfn or dax device" ;;
	esac
	step "disable $spec" sysfs_write "$dev" "$drv/unbind"
	printf '#!/bin/bash\necho %s > %s/bind\n' "$dev" "$drv" > /tmp/profile-bind
	chmod +x /tmp/profile-bind
	: > /tmp/profile-samples
	for r in $(seq 1 "$reps"); do
		us=$(timed_write "$dev" "$drv/bind")
		bench "enable:$spec" "$us" us
		sysfs_write "$dev" "$drv/unbind" > /dev/null
		perf record -q -e cpu-clock -c 50000 -a -o /tmp/profile.data \
			-- /tmp/profile-bind > /dev/null 2>&1 ||
			fail "perf record of the bind of $dev failed"
		perf report -i /tmp/profile.data --stdio -n --no-children --sort sym 2> /dev/null |
			awk '!/^#/ && NF >= 4 { print $2, $NF }' >> /tmp/profile-samples
		sysfs_write "$dev" "$drv/unbind" > /dev/null
	done
	[ -s /tmp/profile-samples ] || fail "perf gave no samples for $spec"
	while read -r n sym; do
		note "profile $spec $n $sym"
	done < <(awk '{ n[$2] += $1 } END { for (s in n) print n[s], s }' /tmp/profile-samples | sort -rn | head -n 40)
	rm -f /tmp/profile.data /tmp/profile-samples
	step "destroy $spec" ndctl destroy-namespace -f "$ns"
done
summary "profiled $specs, $reps binds each"
