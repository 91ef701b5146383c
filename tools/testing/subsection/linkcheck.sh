#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which implementation did the x86_64 kernel link into the sub-section
# paths?  Ours: sparse_add_section() and friends come from
# mm/subsection_sparse.o and call the core; mm/sparse-vmemmap.o defines
# none of them.  Stock: the other way round, and no core at all.
# Usage: linkcheck.sh KERNEL_BUILD_DIR MODE LOGDIR
set -u

out=$1 mode=$2 logs=$3
counts=$logs/stage-linkcheck.counts
passed=0 failed=0

check() {
	if eval "$2"; then
		echo "linkcheck: ok      $1"
		passed=$((passed + 1))
	else
		echo "linkcheck: FAILED  $1"
		failed=$((failed + 1))
	fi
}

defines() { nm "$out/$1" 2>/dev/null | grep -qE " [TtDd] $2\$"; }
calls() {
	objdump -d --no-show-raw-insn "$out/$1" 2>/dev/null |
		awk -v f="<$2>:" '$2 == f { on = 1; next } /^$/ { on = 0 } on' |
		grep -qE "call.*<$3>"
}

mkdir -p "$logs"
if [ ! -f "$out/vmlinux" ]; then
	echo "linkcheck: no $out/vmlinux (run make kernel)"
	echo "0 1 0" > "$counts"
	exit 1
fi

hooks="sparse_add_section sparse_remove_section sparse_init_subsection_map"
if [ "$mode" = ours ]; then
	for f in $hooks; do
		check "$f from mm/subsection_sparse.o" "defines mm/subsection_sparse.o $f"
		check "$f not in mm/sparse-vmemmap.o" "! defines mm/sparse-vmemmap.o $f"
	done
	check "sparse_add_section calls subsec_activate" \
		"calls vmlinux sparse_add_section subsec_activate"
	check "sparse_remove_section calls subsec_deactivate" \
		"calls vmlinux sparse_remove_section subsec_deactivate"
	check "vmlinux has the core" "defines vmlinux subsec_memmap_exclusive"
else
	for f in $hooks; do
		check "$f from mm/sparse-vmemmap.o" "defines mm/sparse-vmemmap.o $f"
	done
	check "no core in stock vmlinux" "! defines vmlinux subsec_activate"
fi
echo "$passed $failed 0" > "$counts"
[ "$failed" -eq 0 ]
