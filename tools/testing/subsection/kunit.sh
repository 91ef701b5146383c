#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build UML with our .kunitconfig and run the suites with the base tree's
# kunit.py.  Usage: kunit.sh TREE BUILD_DIR KUNITCONFIG LOG JOBS [FILTER]
# Exit status is kunit.py's: non-zero if a case failed or crashed.
#
# Besides LOG (kunit.py's parsed output) it leaves, next to LOG, the
# results as JSON (LOG with .json for .log: kunit.json) and the raw KTAP
# the kernel printed (kunit.ktap), for bots.
#
# KUNIT_SANITIZE=1 adds KASAN (generic, inline: UML's shadow is static)
# and UBSAN (bounds, shift, bool/enum loads) on top of the suites'
# .kunitconfig.  UBSAN's alignment check stays off: UML does not give
# cache-line aligned types (task_struct, workqueue_struct) their
# alignment, so it reports the base kernel on every boot.  A KASAN report
# fails the running case by itself; any sanitizer, WARNING or BUG line the
# kernel logs while the suites run fails the run as well, naming it.
#
# ccache comes in through PATH (Debian's /usr/lib/ccache), never through
# CC=: kbuild records the compiler command, so a by-hand
# `kunit.py run --build_dir=...` on the same build directory (README)
# sees the same "gcc" and rebuilds nothing.
set -eu -o pipefail

tree=$1 build=$2 kconf=$3 log=$4 jobs=$5 filter=${6:-}
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
mkdir -p "$build" "$(dirname "$log")"
build=$(abs "$build") kconf=$(abs "$kconf") log=$(abs "$log")
logs=$(dirname "$log")
[ -d /usr/lib/ccache ] && export PATH=/usr/lib/ccache:$PATH
name=$(basename "$log" .log)
args=(run --kunitconfig="$kconf" --build_dir="$build" --jobs="$jobs"
      --timeout="${KUNIT_TIMEOUT:-300}" --json="$logs/$name.json")
if [ "${KUNIT_SANITIZE:-0}" = 1 ]; then
	for o in KASAN=y KASAN_GENERIC=y KASAN_INLINE=y UBSAN=y UBSAN_BOUNDS=y \
		 UBSAN_SHIFT=y UBSAN_BOOL=y UBSAN_ENUM=y UBSAN_ALIGNMENT=n; do
		args+=(--kconfig_add="CONFIG_$o")
	done
fi
[ -n "$filter" ] && args+=("$filter")

cd "$tree"
rc=0
python3 tools/testing/kunit/kunit.py "${args[@]}" 2>&1 | tee "$log" || rc=$?
[ -f "$build/test.log" ] && cp "$build/test.log" "$logs/$name.ktap"
if [ "${KUNIT_SANITIZE:-0}" = 1 ]; then
	# The sanitized kernel must really be sanitized...
	for o in KASAN UBSAN; do
		grep -q "^CONFIG_$o=y" "$build/.config" ||
			{ echo "kunit: CONFIG_$o is not in $build/.config" | tee -a "$log"; rc=1; }
	done
	# ... and quiet while the suites run (UML's own boot warns once
	# about PCI without a virtio device, before the first suite).
	bad=$(sed -n '/^K\?TAP version/,$p' "$logs/$name.ktap" 2> /dev/null |
	      grep -m1 -E 'BUG: KASAN|UBSAN:|WARNING:|BUG:|kmemleak' || true)
	if [ -n "$bad" ]; then
		echo "kunit: sanitizer/kernel report in $logs/$name.ktap: $bad" | tee -a "$log"
		rc=1
	fi
fi
exit "$rc"
