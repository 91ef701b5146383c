#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build UML with our .kunitconfig and run the suites with the base tree's
# kunit.py.  Usage: kunit.sh TREE BUILD_DIR KUNITCONFIG LOG JOBS [FILTER]
# Exit status is kunit.py's: non-zero if a case failed or crashed.
#
# Besides LOG (kunit.py's parsed output) it leaves, next to LOG, the
# results as JSON (kunit.json) and the raw KTAP the kernel printed
# (kunit.ktap), for bots.
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
args=(run --kunitconfig="$kconf" --build_dir="$build" --jobs="$jobs"
      --timeout="${KUNIT_TIMEOUT:-300}" --json="$logs/kunit.json")
[ -n "$filter" ] && args+=("$filter")

cd "$tree"
rc=0
python3 tools/testing/kunit/kunit.py "${args[@]}" 2>&1 | tee "$log" || rc=$?
[ -f "$build/test.log" ] && cp "$build/test.log" "$logs/kunit.ktap"
exit "$rc"
