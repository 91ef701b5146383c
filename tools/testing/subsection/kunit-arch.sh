#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run our KUnit suites natively on real architectures under QEMU, with
# the base tree's kunit.py: x86_64, arm64 with 4K pages, arm64 with 64K
# pages and ppc64le (pseries, 64K pages; kunit.py's powerpc machine, made
# little-endian).  Usage: kunit-arch.sh TREE BUILD LOGS JOBS [ROW...]
#
# Each row builds in its own directory (BUILD/kunit-ROW) with the suites'
# lib/tests/.kunitconfig plus, on top, the options only real
# architectures have: the native geometry suite (SPARSEMEM, which UML
# lacks), memory hotplug and ZONE_DEVICE, so that CONFIG_SUBSECTION_HOTPLUG
# is on, the core runs with the kernel's own geometry and the memremap
# glue is there to be called.  QEMU always runs with
# TCG (KVM is not assumed).  Prints one line per row and ends with
# "N passed, N failed"; exits non-zero if any row failed.  Per row it
# leaves kunit.py's output, JSON and the raw KTAP in LOGS.
#
# ccache comes in through PATH, as in kunit.sh (Debian's /usr/lib/ccache
# also has the aarch64-linux-gnu-gcc and powerpc64le-linux-gnu-gcc links).
set -u -o pipefail

tree=${1:?usage: kunit-arch.sh TREE BUILD LOGS JOBS [ROW...]}
build=${2:?} logs=${3:?} jobs=${4:?}
shift 4
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=(x86_64 arm64-4k arm64-64k ppc64le)
[ -d /usr/lib/ccache ] && export PATH=/usr/lib/ccache:$PATH
mkdir -p "$build" "$logs"

# Options common to every row, on top of lib/tests/.kunitconfig.
common=(--kunitconfig=lib/tests
	--kconfig_add=CONFIG_SUBSECTION_NATIVE_KUNIT_TEST=y
	--kconfig_add=CONFIG_MEMORY_HOTPLUG=y
	--kconfig_add=CONFIG_MEMORY_HOTREMOVE=y
	--kconfig_add=CONFIG_ZONE_DEVICE=y
	--qemu_args='-accel tcg'
	--jobs="$jobs" --timeout="${KUNIT_TIMEOUT:-900}")

# The kunit.py arguments of one row.
row_args() {
	case $1 in
	x86_64)
		echo --arch=x86_64 ;;
	arm64-4k)
		echo --arch=arm64 --cross_compile=aarch64-linux-gnu- \
			--kconfig_add=CONFIG_ARM64_4K_PAGES=y ;;
	arm64-64k)
		echo --arch=arm64 --cross_compile=aarch64-linux-gnu- \
			--kconfig_add=CONFIG_ARM64_64K_PAGES=y ;;
	ppc64le)
		echo --arch=powerpc --cross_compile=powerpc64le-linux-gnu- \
			--kconfig_add=CONFIG_CPU_LITTLE_ENDIAN=y \
			--kconfig_add=CONFIG_PPC_64K_PAGES=y ;;
	*)
		return 1 ;;
	esac
}

# Count of one kind in kunit.py's "Testing complete. Ran N tests:
# passed: P, failed: F, ..." line, 0 if absent.
count() {
	local n
	n=$(sed -n "s/.*Testing complete\..*[ :]$1: \([0-9]*\).*/\1/p" "$2" |
	    tail -n 1)
	echo "${n:-0}"
}

table=$logs/kunit-arch.table
: > "$table"
npass=0 nfail=0
cd "$tree" || exit 1
for r in "${rows[@]}"; do
	if ! args=$(row_args "$r"); then
		echo "kunit-arch: error: unknown row $r" >&2
		exit 2
	fi
	log=$logs/kunit-arch-$r.log
	echo "kunit-arch: $r (log: $log)"
	start=$SECONDS
	rc=0
	# $args is a list of plain words, split on purpose.
	# shellcheck disable=SC2086
	python3 tools/testing/kunit/kunit.py run $args "${common[@]}" \
		--build_dir="$build/kunit-$r" \
		--json="$logs/kunit-arch-$r.json" > "$log" 2>&1 || rc=$?
	[ -f "$build/kunit-$r/test.log" ] &&
		cp "$build/kunit-$r/test.log" "$logs/kunit-arch-$r.ktap"
	p=$(count passed "$log") f=$(count failed "$log")
	s=$(count skipped "$log") c=$(count crashed "$log")
	ran=$(sed -n 's/.*Testing complete\. Ran \([0-9]*\) tests.*/\1/p' "$log" |
	      tail -n 1)
	# A row passes only if kunit.py succeeded and tests really ran.
	if [ "$rc" -eq 0 ] && [ "${ran:-0}" -gt 0 ] && [ "$f" -eq 0 ] &&
	   [ "$c" -eq 0 ]; then
		res=PASS npass=$((npass + 1))
	else
		res=FAIL nfail=$((nfail + 1))
		[ -z "$ran" ] && tail -n 20 "$log"
	fi
	printf '%-10s %s  %4s passed, %s failed, %s skipped, %s crashed (%ds)\n' \
		"$r" "$res" "$p" "$f" "$s" "$c" $((SECONDS - start)) |
		tee -a "$table"
done
echo
{
	cat "$table"
	echo "$npass passed, $nfail failed"
} | tee "$logs/kunit-arch.summary"
repo=$(cd "$(dirname "$0")/../../.." && pwd)
python3 "$repo/tools/testing/subsection/results.py" "$repo" kunit-arch \
	"$logs/kunit-arch.summary"
[ "$nfail" -eq 0 ]
