#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rebuild our objects in the UML KUnit build with W=1 and fail on any
# compiler warning.  Usage: w1.sh REPO TREE KUNIT_BUILD LOGDIR JOBS
set -u

repo=$1 tree=$2 kbuild=$3 logs=$4 jobs=$5
cd "$repo"
objs=()
while IFS= read -r f; do
	o=${f%.c}.o
	grep -qE "\b$(basename "$o")\b" "$(dirname "$f")"/Makefile "$tree/$(dirname "$f")"/Makefile 2>/dev/null || continue
	[ -f "$kbuild/$o" ] || continue
	rm -f "$kbuild/$o"
	objs+=("$o")
done < <(git ls-files --cached --others --exclude-standard '*.c')

[ ${#objs[@]} -gt 0 ] || { echo "w1: no objects of ours in $kbuild"; exit 1; }
# ccache through PATH, as kunit.sh does, so the compiler command matches.
[ -d /usr/lib/ccache ] && export PATH=/usr/lib/ccache:$PATH
make -C "$tree" O="$kbuild" ARCH=um W=1 -j"$jobs" \
	"${objs[@]}" > "$logs/w1.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q 'warning:' "$logs/w1.log"; then
	grep -E 'warning:|error:' "$logs/w1.log" | head -n 40
	echo "w1: FAILED (${#objs[@]} objects, see $logs/w1.log)"
	exit 1
fi
echo "w1: ${#objs[@]} objects build with W=1 and no warning"
