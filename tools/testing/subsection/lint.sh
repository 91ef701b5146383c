#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks over every C file and header of ours: checkpatch --strict
# (zero warnings), kernel-doc (zero warnings), our Documentation/ pages
# (reStructuredText, docutils), and, when the shared
# copycheck tool is present, no code copied from the base tree; the
# benchmark report's statistics against values worked out by hand, and
# the RESULTS.md writer of the long targets against expected text.
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

# Our kernel documentation: valid reStructuredText, no warning, lines
# of at most 80 columns (docutils from Debian's python3-docutils, or of
# whatever python3 comes first).
rst() {
	local py=python3 f bad=0
	python3 -c 'import docutils' 2> /dev/null || py=/usr/bin/python3
	for f in Documentation/mm/*.rst; do
		[ -e "$f" ] || continue
		"$py" -m docutils --halt=warning "$f" > /dev/null || bad=1
		if awk 'length > 80 { print FILENAME ":" FNR ": over 80 columns"; b = 1 }
			END { exit b }' "$f"; then :; else bad=1; fi
	done
	return $bad
}

run checkpatch checkpatch
run rst rst
run kernel-doc kerneldoc
run patches-add-only patches
run bench-report-stats python3 tools/testing/pmem/bench-report.py --self-test
run results-writer python3 tools/testing/subsection/results.py --self-test
cc=$repo/../shared/tools/copycheck
if [ -x "$cc" ]; then
	run copycheck "$cc" "$repo"
fi
[ "$failed" -eq 0 ]
