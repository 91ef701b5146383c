#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which implementation did the x86_64 kernel link into the sub-section
# paths?  Ours: sparse_add_section() and friends come from
# mm/subsection_sparse.o and call the core; mm/sparse-vmemmap.o defines
# none of them; get_dev_pagemap() looks pfns up in the pfn radix and
# memremap_pages() (or pagemap_range(), when the compiler kept it out of
# line) claims ranges there.  Stock: the other way round, no core and no
# pfn radix at all.  Ours without KUnit: no function only the suites
# call, and no probe, in vmlinux.  Both: the test probe module was built.
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
# body FILE FUNC: the disassembly of FUNC alone.
body() {
	objdump -d --no-show-raw-insn --disassemble="$2" "$out/$1" 2>/dev/null |
		awk -v f="<$2>:" '$2 == f { on = 1; next } /^$/ { on = 0 } on'
}
# calls FILE FUNC CALLEE: FUNC's code has a call (or tail jump) to CALLEE.
calls() { body "$1" "$2" | grep -qE "(call|jmp).*<$3>"; }
# refs FILE FUNC SYM: FUNC's code uses the address of the data symbol
# SYM, as an immediate or a rip-relative operand.
refs() {
	local addr
	addr=$(nm "$out/$1" 2>/dev/null | awk -v s="$3" '$3 == s { print $1; exit }')
	[ -n "$addr" ] || return 1
	addr=$(echo "$addr" | sed 's/^0*//')
	body "$1" "$2" | grep -qE "(\\\$0x$addr,|<$3[>+])"
}
# has_symbol FILE ERE: some symbol of FILE starts with ERE.
has_symbol() { nm "$out/$1" 2>/dev/null | grep -qE " $2"; }
built() { [ -f "$out/$1" ]; }
# out_of_line FILE FUNC: the symbol FUNC (or a clone, FUNC.isra.0 ...)
# if FILE has one, else nothing.
out_of_line() {
	nm "$out/$1" 2>/dev/null | awk -v f="$2" '
		$2 ~ /^[Tt]$/ && ($3 == f || index($3, f ".") == 1) { print $3; exit }'
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
	# pfn_radix_lookup() is inline: one xa_load() on the radix.
	check "get_dev_pagemap looks up memremap_pgmap_radix" \
		"calls vmlinux get_dev_pagemap xa_load && refs vmlinux get_dev_pagemap memremap_pgmap_radix"
	# pagemap_range() is static: inlined into memremap_pages() or not.
	site=$(out_of_line vmlinux pagemap_range)
	site=${site:-memremap_pages}
	check "$site calls memremap_radix_check" \
		"calls vmlinux $site memremap_radix_check"
	check "$site calls memremap_radix_insert" \
		"calls vmlinux $site memremap_radix_insert"
	check "the pfn radix and its memremap glue are in vmlinux" \
		"defines vmlinux pfn_radix_insert && defines vmlinux memremap_radix_release"
	# What only the suites call is built with KUnit alone (the lean
	# kernel has none); the probe is a module of its own.
	if ! grep -q '^CONFIG_KUNIT=' "$out/.config"; then
		check "no KUnit-only code in vmlinux" \
			"! has_symbol vmlinux '(subsec_geom_check|subsec_pfn_up|subsec_usage_fill|pfn_radix_init|pfn_radix_destroy)\$'"
	fi
	check "no test probe in vmlinux" "! has_symbol vmlinux 'subsection_probe'"
else
	for f in $hooks; do
		check "$f from mm/sparse-vmemmap.o" "defines mm/sparse-vmemmap.o $f"
	done
	check "no core in stock vmlinux" "! defines vmlinux subsec_activate"
	check "no pfn_radix_* / memremap_radix_* in stock vmlinux" \
		"! has_symbol vmlinux '(pfn_radix|memremap_radix)_'"
fi
check "test probe built (tools/testing/pmem/probe, M=)" "built probe/subsection_probe.ko"
echo "$passed $failed 0" > "$counts"
[ "$failed" -eq 0 ]
