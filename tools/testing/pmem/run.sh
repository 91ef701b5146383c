#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the lean kernel in QEMU (TCG) with the host's / as a read-only 9p
# root, run the pmem scenarios inside (guest/init), collect one result
# line per scenario and print the report.
#
# With PMEM_ARCH=arm64 the guest is QEMU's arm64 "virt" machine: its root
# is the Debian arm64 user space of rootfs.sh (the harness copied into
# it), its pmem the "pmem-region" nodes the scenarios ask for
# (# pmem-region: START SIZE), added to QEMU's own device tree, placed in
# guest RAM above the kernel's mem= limit.
# With PMEM_ARCH=ppc64le the guest is QEMU's "pseries" machine (POWER10,
# radix MMU, or the hash MMU with PMEM_MMU=hash), its root the Debian
# ppc64el user space, its pmem spapr NVDIMMs (papr_scm): pseries builds
# its device tree itself and takes no -dtb, so pmem-region nodes are not
# an option there, and spapr NVDIMMs carry a label area as x86's do.
#
# Usage: run.sh --kernel OUT --mode ours|stock --build DIR --logs DIR
#               [--scenario a,b|@robust|@fine] [--timeout SECS] [--counts FILE] [--shell]
# (@robust: the default set and the scenarios marked "# pmem-robust: yes";
# @fine: the scenarios marked "# pmem-fine: yes", for a boot with a finer
# sub-section size)
# Environment: PMEM_SMP (vCPUs, default 2), PMEM_RAM_GB (x86_64 guest
# RAM in GiB, default 2), PMEM_APPEND (more kernel command line words),
# PMEM_BUDGET_SCALE (every time budget times N; default 4 for a
# sanitized kernel, build/kernel-*-sanitize, else 1), PMEM_SUBSECTION
# (subsection_size=SIZE on the command line, e.g. 64K; the outputs are
# then named after the kernel and "-subSIZE"),
# PMEM_INJECT (harness self-test: warn, byte, hang or panic, optionally
# KIND:SCENARIO).
#
# Exit status: 0 when every scenario passed, 1 otherwise (including a
# guest that hung and was killed, or a scenario that left no result).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
kernel="" mode="" build="" logs="" only="" timeout=1800 counts="" shell=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--mode) mode=$2; shift ;;
	--build) build=$2; shift ;;
	--logs) logs=$2; shift ;;
	--scenario) only=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--counts) counts=$2; shift ;;
	--shell) shell=1 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
smp=${PMEM_SMP:-2}
inject=${PMEM_INJECT:-}
arch=${PMEM_ARCH:-x86_64}

die() {
	echo "pmem-test: error: $*" >&2
	[ -n "$counts" ] && echo "0 1 0" > "$counts"
	exit 1
}

[ -n "$kernel" ] && [ -n "$mode" ] && [ -n "$build" ] && [ -n "$logs" ] ||
	die "usage: run.sh --kernel OUT --mode MODE --build DIR --logs DIR ..."
case $arch in
x86_64) image=$kernel/arch/x86/boot/bzImage qemu_bin=qemu-system-x86_64 ;;
arm64) image=$kernel/arch/arm64/boot/Image qemu_bin=qemu-system-aarch64 ;;
ppc64le) image=$kernel/vmlinux qemu_bin=qemu-system-ppc64 ;;
*) die "PMEM_ARCH must be x86_64, arm64 or ppc64le, not '$arch'" ;;
esac
mmu=${PMEM_MMU:-radix}
case $arch:$mmu in
ppc64le:radix | ppc64le:hash | *:radix) ;;
*) die "PMEM_MMU=$mmu: only ppc64le has a choice (radix or hash)" ;;
esac
[ -f "$image" ] || die "no kernel at $image (run 'make kernel')"
release=$(cat "$kernel/include/config/kernel.release")
moddir=$kernel/mod-stage/lib/modules
[ -d "$moddir/$release" ] || die "no modules in $moddir/$release"
command -v $qemu_bin > /dev/null || die "$qemu_bin missing (make deps)"
mkdir -p "$logs"

# Scenarios: scenarios/NN-name.sh, run in file order.  A scenario's
# header may ask for kernel command line words (# pmem-cmdline: ...),
# the labelled QEMU NVDIMM (# pmem-nvdimm: yes), arm64 pmem regions
# (# pmem-region: START SIZE, one line each) and a time budget
# (# pmem-budget: SECS), the cross-kernel NVDIMM image kept across runs
# (# pmem-nvdimm-cross: yes), an NVMe disk with a 1 MiB Controller
# Memory Buffer (# pmem-nvme: yes), on x86_64 options of the pc machine
# (# pmem-machine: max-ram-below-4g=1G) and a cold-plugged RAM DIMM,
# hot-added by ACPI at boot and left offline (# pmem-dimm: 256M);
# # pmem-arch: names the architectures it runs on (default x86_64).  All
# selected scenarios share one boot.
declare -a names=() files=()
for f in "$here"/scenarios/[0-9]*.sh; do
	a=$(sed -n 's/^# pmem-arch: *//p' "$f" | head -n 1)
	case " ${a:-x86_64} " in *" $arch "*) ;; *) continue ;; esac
	n=$(basename "$f" .sh); n=${n#*-}
	names+=("$n"); files+=("$f")
done
sel=()
if [ "$only" = @robust ]; then
	# make robust: the default set and the scenarios that say
	# "# pmem-robust: yes" (fault injection, hostile sysfs, races)
	for i in "${!names[@]}"; do
		if ! grep -q '^# pmem-explicit: *yes' "${files[$i]}" ||
		   grep -q '^# pmem-robust: *yes' "${files[$i]}"; then
			sel+=("$i")
		fi
	done
elif [ "$only" = @fine ]; then
	for i in "${!names[@]}"; do
		grep -q '^# pmem-fine: *yes' "${files[$i]}" && sel+=("$i")
	done
	[ ${#sel[@]} -gt 0 ] || die "no scenario for $arch says '# pmem-fine: yes'"
elif [ -n "$only" ]; then
	IFS=', ' read -r -a want <<< "$only"
	for w in "${want[@]}"; do
		found=0
		for i in "${!names[@]}"; do
			[ "${names[$i]}" = "$w" ] && { sel+=("$i"); found=1; }
		done
		[ $found = 1 ] || die "unknown scenario '$w' (have: ${names[*]})"
	done
else
	# a scenario with "# pmem-explicit: yes" (the benchmark) runs only
	# when named
	for i in "${!names[@]}"; do
		grep -q '^# pmem-explicit: *yes' "${files[$i]}" || sel+=("$i")
	done
fi

header() { sed -n "s/^# pmem-$2: *//p" "$1" | head -n 1; }
cmdline_extra="" nvdimm=0 cross=0 bench=0 nvme=0 run_names="" budget=0 regions=""
machine_extra="" dimm=""
for i in "${sel[@]}"; do
	f=${files[$i]}
	regions="$regions$(sed -n 's/^# pmem-region: *//p' "$f")
"
	for w in $(header "$f" cmdline); do
		case " $cmdline_extra " in *" $w "*) ;; *) cmdline_extra="$cmdline_extra $w" ;; esac
	done
	[ "$(header "$f" nvdimm)" = yes ] && nvdimm=1
	[ "$(header "$f" nvdimm-cross)" = yes ] && cross=1
	# the bench NVDIMM's size in GiB: "yes" is 4; the largest asked wins
	b=$(header "$f" nvdimm-bench)
	case $b in
	'') ;;
	yes) [ "$bench" -ge 4 ] || bench=4 ;;
	[1-9] | [1-9][0-9] | [1-9][0-9][0-9]) [ "$bench" -ge "$b" ] || bench=$b ;;
	*) die "$f: pmem-nvdimm-bench must be yes or a size in GiB, not '$b'" ;;
	esac
	[ "$(header "$f" nvme)" = yes ] && nvme=1
	m=$(header "$f" machine); [ -n "$m" ] && machine_extra="$machine_extra,$m"
	d=$(header "$f" dimm); [ -n "$d" ] && dimm=$d
	run_names="$run_names${run_names:+,}${names[$i]}"
	b=$(header "$f" budget); budget=$((budget + ${b:-300}))
done

# The cross-kernel NVDIMM always comes second, after nvdimm0.
[ $cross = 1 ] && nvdimm=1
# Guest RAM (x86_64): PMEM_RAM_GB GiB, default 2 (make bench's boot
# figures use 7).  Device memory for the NVDIMMs beyond it.
ram=${PMEM_RAM_GB:-2}
case $ram in [1-9] | [1-9][0-9]) ;; *) die "PMEM_RAM_GB must be 1 to 99, not '$ram'" ;; esac
maxmem=$((ram + 2))
maxmem=$((maxmem + bench))
[ -n "$dimm" ] && maxmem=$((maxmem + 1))
maxmem=${maxmem}G

# Outputs are named after the kernel: ours, stock, ours-kmemleak, ...
tag=$(basename "$kernel"); tag=${tag#kernel-}
sub=${PMEM_SUBSECTION:-}
case $sub in
'') ;;
[1-9]*[KkMm]) tag=$tag-sub${sub,,} ;;
*) die "PMEM_SUBSECTION must be a size such as 64K or 1M, not '$sub'" ;;
esac
# the hash MMU's outputs apart from radix's (pmem-test-ours-ppc64le-hash.txt)
[ "$mmu" = hash ] && tag=$tag-hash
# PMEM_TAG: a run of scenarios that need a boot of their own keeps its
# outputs apart (pmem-test-ours-zone-span.txt)
[ -n "${PMEM_TAG:-}" ] && tag=$tag-$PMEM_TAG
run=$build/pmem/run-$tag
# KASAN under TCG runs every scenario several times slower
scale=${PMEM_BUDGET_SCALE:-}
if [ -z "$scale" ]; then
	case $tag in *-sanitize | *-sanitize-*) scale=4 ;; *) scale=1 ;; esac
fi
case $scale in [1-9] | [1-9][0-9]) ;; *) die "PMEM_BUDGET_SCALE must be 1 to 99, not '$scale'" ;; esac
[ $shell = 1 ] && run=$build/pmem/shell-$tag
rm -rf "$run"
mkdir -p "$run/results"
if [ "$arch" = arm64 ]; then
	rootfs=$build/arm64/rootfs
	"$here/rootfs.sh" arm64 "$rootfs" || die "cannot make the arm64 root in $rootfs"
	# The guest sees the harness inside its root.
	rm -rf "$rootfs/harness"
	cp -a "$here" "$rootfs/harness"
	# shellcheck disable=SC2054 # commas belong to the QEMU options
	qemu=(qemu-system-aarch64 -accel tcg -machine virt -cpu max,pauth-impdef=on
		-smp "$smp" -m 3G -nic none -no-reboot -kernel "$image")
	"${qemu[@]}" -machine "virt,dumpdtb=$run/virt.dtb" -display none > "$run/dumpdtb.out" 2>&1 ||
		die "QEMU could not dump its device tree: $(tail -n 1 "$run/dumpdtb.out")"
	dtc -q -I dtb -O dts -o "$run/virt.dts" "$run/virt.dtb" || die "dtc failed"
	{
		sed '$d' "$run/virt.dts"
		echo "$regions" | sort -u | while read -r start size; do
			[ -n "$start" ] || continue
			printf '\tpmem@%x {\n\t\tcompatible = "pmem-region";\n' "$start"
			printf '\t\treg = <%#x %#x %#x %#x>;\n\t};\n' \
				$((start >> 32)) $((start & 0xffffffff)) $((size >> 32)) $((size & 0xffffffff))
		done
		echo "};"
	} > "$run/pmem.dts"
	dtc -q -I dts -O dtb -o "$run/pmem.dtb" "$run/pmem.dts" || die "dtc rejected $run/pmem.dts"
	qemu+=(-dtb "$run/pmem.dtb"
	       -virtfs "local,path=$rootfs,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	       -virtfs "local,path=$moddir,mount_tag=modules,security_model=none,readonly=on"
	       -virtfs "local,path=$run/results,mount_tag=results,security_model=none")
	console=ttyAMA0 hdir=/harness
	# Guest RAM ends at 1 GiB + 1.5 GiB; the regions lie above it.
	cmdline_extra=" mem=1536M$cmdline_extra"
elif [ "$arch" = ppc64le ]; then
	rootfs=$build/ppc64le/rootfs
	"$here/rootfs.sh" ppc64el "$rootfs" || die "cannot make the ppc64el root in $rootfs"
	rm -rf "$rootfs/harness"
	cp -a "$here" "$rootfs/harness"
	# TCG has none of the speculation workarounds the default caps ask
	# for: say so instead of a warning per boot.  NVDIMMs sit in the
	# hotplug area above RAM, which pseries aligns to 1 GiB.
	# shellcheck disable=SC2054 # commas belong to the QEMU options
	qemu=(qemu-system-ppc64 -accel tcg -cpu POWER10 -smp "$smp" -nodefaults
		-machine "pseries,nvdimm=on,cap-hpt-max-page-size=16M,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off"
		-m "2G,slots=4,maxmem=8G" -nic none -no-reboot -kernel "$image"
		-virtfs "local,path=$rootfs,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$moddir,mount_tag=modules,security_model=none,readonly=on"
		-virtfs "local,path=$run/results,mount_tag=results,security_model=none")
	console=hvc0 hdir=/harness
	[ "$mmu" = hash ] && cmdline_extra=" disable_radix$cmdline_extra"
	# TCG decodes no dcbstps / dcbfps: the probe (loaded before any pmem
	# driver) turns the kernel's pmem flushes off (probe/subsection_probe.c).
	cmdline_extra=" subsection_probe.tcg_pmem_noflush=1$cmdline_extra"
else
	# shellcheck disable=SC2054 # commas belong to the QEMU options
	qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "$smp"
		-machine "pc,nvdimm=on$machine_extra" -m "${ram}G,slots=4,maxmem=$maxmem"
		-nic none -no-reboot -kernel "$image"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$moddir,mount_tag=modules,security_model=none,readonly=on"
		-virtfs "local,path=$run/results,mount_tag=results,security_model=none")
	console=ttyS0 hdir=$here
fi
# pseries: spapr-nvdimm, whose backend (a file, not pmem=on) makes QEMU
# tell the guest to flush through the H_SCM_FLUSH hcall: libnvdimm's
# generic flush issues phwsync, which QEMU's TCG does not decode either.
nvdimm_dev=nvdimm
[ "$arch" = ppc64le ] && nvdimm_dev=spapr-nvdimm
# pseries wants each NVDIMM's uuid (PAPR reports it); a fixed one per
# slot keeps the cross-kernel image's identity across boots.
nvdimm_uuid() {
	[ "$arch" = ppc64le ] && printf ',uuid=5f1d0c2a-7e4b-4c3e-9a51-0000000000%02d' "$1"
	return 0
}
if [ $nvdimm = 1 ]; then
	# 258 MiB backing file: 2 MiB of labels at its end, a 256 MiB
	# region placed at 4 GiB (section aligned) by QEMU.
	truncate -s 258M "$run/nvdimm0.img"
	qemu+=(-object "memory-backend-file,id=nvmem0,share=on,mem-path=$run/nvdimm0.img,size=258M"
	       -device "$nvdimm_dev,id=nvdimm0,memdev=nvmem0,label-size=2M$(nvdimm_uuid 0)")
fi
if [ $cross = 1 ]; then
	# The cross-kernel NVDIMM: 96 MiB + 2 MiB of labels, kept in
	# BUILD/pmem/ across runs (not in the run directory), so what one
	# kernel wrote the next boot, of either kernel, reads.  Always the
	# second NVDIMM (nvdimm0 is attached first, see above): its labels
	# carry the interleave-set cookie of its address and handle, which
	# must be the same at every boot.
	# One image per architecture: x86_64's keeps its old name.  PAPR
	# wants NVDIMMs in 256 MiB steps: pseries gets 512 MiB.
	img=$build/pmem/cross-nvdimm.img csize=98M
	[ "$arch" = x86_64 ] || img=$build/pmem/cross-nvdimm-$arch.img
	[ "$arch" = ppc64le ] && csize=514M
	[ -f "$img" ] || truncate -s $csize "$img"
	qemu+=(-object "memory-backend-file,id=nvmem1,share=on,mem-path=$img,size=$csize"
	       -device "$nvdimm_dev,id=nvdimm1,memdev=nvmem1,label-size=2M$(nvdimm_uuid 1)")
fi
if [ "$bench" -gt 0 ]; then
	# The benchmark's NVDIMM: a region of BENCH GiB (+ 2 MiB of
	# labels), sparse and private (share=off, and reserve=off, or the
	# host would refuse to commit 64 GiB): what the guest writes, a
	# map=dev namespace's memmap among it, lands in QEMU's memory,
	# never in the host's page cache, so no host writeback throttles
	# a vCPU in the middle of a timed enable.  Nothing on it outlives
	# the boot; each boot starts from an empty file.
	bsize=$((bench * 1024 + 2))M
	rm -f "$run/bench-nvdimm.img"
	truncate -s "$bsize" "$run/bench-nvdimm.img"
	qemu+=(-object "memory-backend-file,id=nvmem2,share=off,reserve=off,mem-path=$run/bench-nvdimm.img,size=$bsize"
	       -device "$nvdimm_dev,id=nvdimm2,memdev=nvmem2,label-size=2M$(nvdimm_uuid 2)")
fi
if [ -n "$dimm" ]; then
	# After the NVDIMMs, so that they keep their places.
	qemu+=(-object "memory-backend-ram,id=hmem0,size=$dimm"
	       -device "pc-dimm,id=dimm0,memdev=hmem0")
fi
if [ $nvme = 1 ]; then
	# An NVMe disk of 64 MiB with a 1 MiB Controller Memory Buffer
	# (QEMU puts it in BAR 2, 1 MiB in size and alignment).
	truncate -s 64M "$run/nvme.img"
	qemu+=(-drive "file=$run/nvme.img,if=none,id=nvme0,format=raw"
	       -device "nvme,serial=pmemtest,drive=nvme0,cmb_size_mb=1")
fi
append="console=$console root=hostroot rootfstype=9p"
append="$append rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
append="$append init=$hdir/guest/init panic=-1 log_buf_len=8M page_poison=1"
append="$append$cmdline_extra pmemtest.dir=$hdir pmemtest.run=$run_names"
[ -n "$inject" ] && append="$append pmemtest.inject=$inject"
[ -n "$sub" ] && append="$append subsection_size=$sub"
[ "$scale" = 1 ] || append="$append pmemtest.budget_scale=$scale"
# PMEM_APPEND: more kernel command line words (make bench: pmemtest.reps=N)
[ -n "${PMEM_APPEND:-}" ] && append="$append $PMEM_APPEND"
[ $shell = 1 ] && append="$append pmemtest.shell=1"
echo "${qemu[*]} -append '$append'" > "$run/qemu.cmd"

if [ $shell = 1 ]; then
	echo "pmem-shell: $release, scenarios' devices: $run_names (Ctrl-A x quits QEMU)"
	exec "${qemu[@]}" -nographic -append "$append"
fi

# One boot: the guest's own per-scenario budget, plus boot and slack,
# capped by --timeout.
limit=$(( (budget + 120) * scale ))
[ "$limit" -gt "$timeout" ] && limit=$timeout
echo "pmem-test: $release ($mode), scenarios: $run_names"
echo "pmem-test: booting QEMU TCG (-smp $smp), time limit ${limit}s, log: $run/console.log"
t0=$(date +%s)
"${qemu[@]}" -display none -monitor none -serial "file:$run/console.log" \
	-append "$append" > "$run/qemu.out" 2>&1 &
qpid=$!
seen=""
status=""
oops_at=""
while :; do
	for r in "$run"/results/*.result; do
		[ -e "$r" ] || continue
		case " $seen " in *" $r "*) continue ;; esac
		seen="$seen $r"
		echo "  $(cat "$r")"
	done
	if ! kill -0 "$qpid" 2> /dev/null; then
		wait "$qpid" && status=exited || status="exited with rc $?"
		break
	fi
	# After an Oops (stock's expected failures on arm64) a task usually
	# dies holding a lock and the guest never finishes: give it a
	# minute to report, then stop it instead of waiting for the limit.
	if [ -z "$oops_at" ] && grep -qE 'Internal error: Oops|Oops:|Kernel panic' "$run/console.log" 2> /dev/null; then
		oops_at=$(date +%s)
	fi
	if [ -n "$oops_at" ] && [ $(( $(date +%s) - oops_at )) -ge 60 ]; then
		kill "$qpid" 2> /dev/null || true
		sleep 2
		kill -9 "$qpid" 2> /dev/null || true
		wait "$qpid" 2> /dev/null || true
		status="stopped 60s after a kernel Oops"
		break
	fi
	if [ $(( $(date +%s) - t0 )) -ge "$limit" ]; then
		kill "$qpid" 2> /dev/null || true
		sleep 2
		kill -9 "$qpid" 2> /dev/null || true
		wait "$qpid" 2> /dev/null || true
		status="killed after ${limit}s (guest hung)"
		break
	fi
	sleep 2
done
elapsed=$(( $(date +%s) - t0 ))
for r in "$run"/results/*.result; do
	[ -e "$r" ] || continue
	case " $seen " in *" $r "*) ;; *) echo "  $(cat "$r")" ;; esac
done

# The report.  A scenario without a result line failed: the guest hung,
# crashed or powered off early.  "guest" is the boot itself: init ran,
# modules loaded, the kernel log outside the scenarios is clean.
crash=$(grep -m1 -E 'Kernel panic|BUG:|Oops' "$run/console.log" 2> /dev/null | tr -d '\r' || true)
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; }
tsv=$logs/pmem-test-$tag.tsv
report=$logs/pmem-test-$tag.txt
: > "$tsv"
passed=0 failed=0
for n in guest ${run_names//,/ }; do
	r=$run/results/$n.result
	if [ -f "$r" ]; then
		res=$(field "$r" result); secs=$(field "$r" secs)
		mb=$(field "$r" memmap_before); ma=$(field "$r" memmap_after)
		reason=$(sed -n 's/.* reason=//p' "$r")
	else
		res=FAIL secs=- mb=- ma=-
		reason="no result: guest $status${crash:+; console: $crash}"
	fi
	[ "$res" = PASS ] && passed=$((passed + 1)) || { res=FAIL; failed=$((failed + 1)); }
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$res" "$secs" "$mb" "$ma" "$reason" >> "$tsv"
done
{
	echo "pmem-test: $release ($mode), guest $status in ${elapsed}s"
	printf '%-16s %-6s %6s %21s  %s\n' SCENARIO RESULT SECS "MEMMAP PAGES (->)" REASON
	while IFS=$'\t' read -r n res secs mb ma reason; do
		printf '%-16s %-6s %6s %21s  %s\n' "$n" "$res" "$secs" "$mb -> $ma" "$reason"
	done < "$tsv"
	if ls "$run"/results/*.notes > /dev/null 2>&1; then
		echo "notes (memmap pages per namespace etc.):"
		cat "$run"/results/*.notes | sed 's/^/  /'
	fi
	echo "$passed passed, $failed failed"
} | tee "$report"
# "datasize KEY BYTES" notes: the data each namespace gives its user,
# for compare.sh (scenario, key, bytes).
cat "$run"/results/*.notes 2> /dev/null |
	sed -n 's/^\([^:]*\): datasize \([^ ]*\) \([0-9][0-9]*\)$/\1\t\2\t\3/p' \
	> "$logs/pmem-test-$tag.datasize" || true
# The same results as KTAP for CI bots: one suite, a test per scenario,
# a failure's reason as a diagnostic line before it.  kunit.py (from the
# assembled tree) must read it back to the same counts.
ktap=$logs/pmem-test-$tag.ktap
{
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: pmem-test-$tag"
	echo "    1..$((passed + failed))"
	i=0
	while IFS=$'\t' read -r n res secs mb ma reason; do
		i=$((i + 1))
		if [ "$res" = PASS ]; then
			echo "    ok $i $n"
		else
			echo "    # $n: $reason"
			echo "    not ok $i $n"
		fi
	done < "$tsv"
	if [ "$failed" -eq 0 ]; then
		echo "ok 1 pmem-test-$tag"
	else
		echo "not ok 1 pmem-test-$tag"
	fi
} > "$ktap"
kunit_py=$build/tree/tools/testing/kunit/kunit.py
if [ -f "$kunit_py" ]; then
	ran=$(python3 "$kunit_py" parse "$(realpath "$ktap")" 2>&1 |
		sed -n 's/.*Testing complete\. Ran \([0-9]*\) tests: passed: \([0-9]*\).*/\1 \2/p')
	if [ "$ran" != "$((passed + failed)) $passed" ]; then
		echo "pmem-test: error: kunit.py reads $ktap as '$ran', not '$((passed + failed)) $passed'" >&2
		failed=$((failed + 1))
	fi
fi
echo "pmem-test: details in $run/results/ (per-scenario .log/.dmesg), report $report, KTAP $ktap"
[ -n "$counts" ] && echo "$passed $failed 0" > "$counts"
[ "$failed" -eq 0 ]
