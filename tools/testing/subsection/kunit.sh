#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build UML with our .kunitconfig and run the suites with the base tree's
# kunit.py.  Usage: kunit.sh TREE BUILD_DIR KUNITCONFIG LOG JOBS [FILTER]
# Exit status is kunit.py's: non-zero if a case failed or crashed.
set -eu -o pipefail

tree=$1 build=$2 kconf=$3 log=$4 jobs=$5 filter=${6:-}
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
mkdir -p "$build" "$(dirname "$log")"
build=$(abs "$build") kconf=$(abs "$kconf") log=$(abs "$log")
args=(run --kunitconfig="$kconf" --build_dir="$build" --jobs="$jobs"
      --make_options="CC=ccache gcc" --timeout="${KUNIT_TIMEOUT:-300}")
[ -n "$filter" ] && args+=("$filter")

cd "$tree"
python3 tools/testing/kunit/kunit.py "${args[@]}" 2>&1 | tee "$log"
