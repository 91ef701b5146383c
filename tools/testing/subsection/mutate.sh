#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check: apply each mutation of mutations.txt in turn to a
# private copy of the repository, run the KUnit suites there, and require
# that they fail.  The working copy is never touched, so other builds can
# go on meanwhile.  Usage: mutate.sh REPO BUILD; MUTATE_ONLY=memmap keeps
# the mutations of files whose path contains "memmap".
set -u

repo=$1 build=$2
list=$repo/tools/testing/subsection/mutations.txt
work=$build/mutate
copy=$work/repo
killed=0 survived=0 broken=0

mkdir -p "$copy" "$build/logs"
(cd "$repo" && git ls-files --cached --others --exclude-standard |
	grep -v '^build/' | rsync -a --files-from=- ./ "$copy/")
export KERNEL_SRC=$build/base/linux CCACHE_DIR=${CCACHE_DIR:-$build/ccache}

# A mutation that hangs the kernel or floods the log counts as caught:
# the wall-clock limit ends the run with a failure.
run_kunit() {
	KUNIT_TIMEOUT=60 timeout 240 make -C "$copy" --no-print-directory \
		kunit > "$build/logs/mutate.log" 2>&1
}

if ! run_kunit; then
	echo "mutate: the unmutated copy fails; see $build/logs/mutate.log"
	exit 1
fi

while IFS=$'\t' read -r file old new; do
	case "$file" in ''|'#'*) continue ;; esac
	case "$file" in *${MUTATE_ONLY:-}*) ;; *) continue ;; esac
	cp "$copy/$file" "$work/orig"
	if ! python3 - "$copy/$file" "$old" "$new" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
	then
		echo "mutate: BROKEN   '$old' does not occur exactly once in $file"
		broken=$((broken + 1))
		continue
	fi
	if run_kunit; then
		echo "mutate: SURVIVED $file: '$old' -> '$new'"
		survived=$((survived + 1))
	else
		echo "mutate: killed   $file: '$old' -> '$new'"
		killed=$((killed + 1))
	fi
	cp "$work/orig" "$copy/$file"
done < "$list"

echo "mutate: $killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
