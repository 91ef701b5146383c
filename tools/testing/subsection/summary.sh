#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the one-line summary of `make check` and fail if any stage failed.
# Usage: summary.sh LOGDIR STAGE...
#
# Stages that count cases leave LOGDIR/stage-NAME.counts holding
# "PASSED FAILED SKIPPED"; the KUnit counts are read from kunit.py's
# closing line.  A stage that exited non-zero without counting a failure
# is counted as one failed check, so a broken stage can never pass.
set -u

logs=$1
shift
passed=0 failed=0 skipped=0 bad=()

kunit_counts() {
	local line
	line=$(grep -E 'Ran [0-9]+ tests?:' "$logs/$1.log" 2>/dev/null | tail -n 1)
	local p f s c
	p=$(echo "$line" | grep -oE 'passed: [0-9]+' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE 'failed: [0-9]+' | grep -oE '[0-9]+')
	s=$(echo "$line" | grep -oE 'skipped: [0-9]+' | grep -oE '[0-9]+')
	c=$(echo "$line" | grep -oE 'crashed: [0-9]+' | grep -oE '[0-9]+')
	echo "${p:-0} $(( ${f:-0} + ${c:-0} )) ${s:-0}"
}

for s in "$@"; do
	rc=$(cat "$logs/stage-$s.rc" 2>/dev/null || echo 1)
	counts=""
	if [ "$s" = kunit ] || [ "$s" = kunit-sanitize ]; then
		counts=$(kunit_counts "$s")
	elif [ -f "$logs/stage-$s.counts" ]; then
		counts=$(cat "$logs/stage-$s.counts")
	fi
	read -r p f k <<< "${counts:-0 0 0}"
	if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then
		f=1
	fi
	[ "$rc" != 0 ] && bad+=("$s")
	printf 'stage %-10s rc=%-3s passed=%s failed=%s skipped=%s\n' "$s" "$rc" "${p:-0}" "${f:-0}" "${k:-0}"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${k:-0}))
done
[ ${#bad[@]} -gt 0 ] && echo "failed stages: ${bad[*]}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ]
