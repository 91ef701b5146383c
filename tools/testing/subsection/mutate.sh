#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check: apply each mutation of mutations.txt to the repo in
# turn, run the KUnit suites, and require that they fail.  The original
# file is always restored.  Usage: mutate.sh REPO (run via `make mutate`)
set -u

repo=$1
list=$repo/tools/testing/subsection/mutations.txt
killed=0 survived=0 broken=0
backup=$(mktemp)
current=""
restore() { [ -n "$current" ] && cp "$backup" "$repo/$current"; current=""; }
trap 'restore; rm -f "$backup"' EXIT

while IFS=$'\t' read -r file old new; do
	case "$file" in ''|'#'*) continue ;; esac
	cp "$repo/$file" "$backup"
	current=$file
	if ! python3 - "$repo/$file" "$old" "$new" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
	then
		echo "mutate: BROKEN  '$old' does not occur exactly once in $file"
		broken=$((broken + 1))
		restore
		continue
	fi
	if make -C "$repo" --no-print-directory kunit > "$repo/build/logs/mutate.log" 2>&1; then
		echo "mutate: SURVIVED $file: '$old' -> '$new'"
		survived=$((survived + 1))
	else
		echo "mutate: killed   $file: '$old' -> '$new'"
		killed=$((killed + 1))
	fi
	restore
done < "$list"

echo "mutate: $killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
