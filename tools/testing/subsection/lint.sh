#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks over every C file and header of ours: checkpatch --strict
# (zero warnings), kernel-doc (zero warnings), and, when the shared
# copycheck tool is present, no code copied from the base tree; and the
# benchmark report's statistics against values worked out by hand.
# Usage: lint.sh REPO TREE LOGDIR
set -u

repo=$1 tree=$2 logs=$3
mkdir -p "$logs"
cd "$repo"
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
	'*.c' '*.h' | grep -v '^build/')
passed=0 failed=0

run() {
	local name=$1
	shift
	if "$@" > "$logs/lint-$name.log" 2>&1; then
		echo "lint: $name: ok"
		passed=$((passed + 1))
	else
		echo "lint: $name: FAILED"
		sed 's/^/  /' "$logs/lint-$name.log" | head -n 40
		failed=$((failed + 1))
	fi
}

checkpatch() {
	local f out bad=0
	for f in "${files[@]}"; do
		out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree \
			--terse --show-types -f "$f" 2>&1)
		if echo "$out" | grep -qE '(ERROR|WARNING|CHECK):'; then
			echo "$out"
			bad=1
		fi
	done
	echo "checkpatch --strict: ${#files[@]} files"
	return $bad
}

kerneldoc() {
	local out
	out=$(perl "$tree/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1)
	echo "$out"
	[ -z "$out" ]
}

patches() {
	# Hook patches only add lines: no upstream line is removed.
	local bad=0 p
	for p in patches/*.patch; do
		[ -e "$p" ] || continue
		if grep -E '^-[^-]|^-$' "$p"; then
			echo "$p removes base lines"
			bad=1
		fi
	done
	return $bad
}

run checkpatch checkpatch
run kernel-doc kerneldoc
run patches-add-only patches
run bench-report-stats python3 tools/testing/pmem/bench-report.py --self-test
cc=$repo/../shared/tools/copycheck
if [ -x "$cc" ]; then
	run copycheck "$cc" "$repo"
fi
[ "$failed" -eq 0 ]
