#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the lean kernel for the real-pmem scenarios: x86_64, or arm64
# with 4K, 16K or 64K pages.
#
# Usage: kernel.sh TREE OUT MODE DEBUG JOBS LOG
#   MODE      ours (CONFIG_SUBSECTION_HOTPLUG=y) or stock (=n)
#   DEBUG     0: lean.config's debugging (lockdep, DEBUG_VM, page
#             poisoning); kmemleak (or 1): plus CONFIG_DEBUG_KMEMLEAK;
#             sanitize: plus KASAN (generic, inline), UBSAN, kmemleak and
#             DEBUG_PAGEALLOC (on at boot), for make robust; nodebug:
#             without lean.config's debugging, for make bench
# Environment: PMEM_ARCH (x86_64, default, or arm64), PMEM_PAGES (arm64
# page size: 4K, 16K or 64K), PMEM_CONFIG_ONLY=1 stops after the
# .config check.
#
# The .config is allnoconfig + lean.config (lean-arm64.config and the
# page size on arm64) + the mode lines.  It is
# regenerated only when that input changes; every line of the input is
# then checked against the final .config, so an option Kconfig silently
# dropped (unmet dependency, renamed symbol) fails the build loudly.
# Modules go to OUT/mod-stage/lib/modules/RELEASE, which the guest
# mounts over 9p; on x86_64 nfit_test and the wrapped libnvdimm modules
# too, in updates/ (see nfit-test.sh).
#
# The build reads a hard-link snapshot of TREE (TREE/../pmem-tree), not
# TREE itself: `make tree` re-creates TREE whenever a hook patch changes,
# and a build that reads a tree being deleted under it fails at random.
# Hard links keep the base files' inodes and mtimes, so the snapshot is
# cheap and the build stays incremental.  Stock and ours share the
# snapshot path (and a lock), so ccache serves one from the other.
set -eu

tree=${1:?usage: kernel.sh TREE OUT MODE DEBUG JOBS LOG}
out=${2:?}
mkdir -p "$out" "$(dirname "${6:?}")"
tree=$(cd "$tree" && pwd)
out=$(cd "$out" && pwd)
mode=${3:?}
debug=${4:-0}
jobs=${5:-$(nproc)}
log=$(cd "$(dirname "$6")" && pwd)/$(basename "$6")
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "pmem kernel: error: $*" >&2; exit 1; }

arch=${PMEM_ARCH:-x86_64}
case $arch in
x86_64)
	lean=$here/lean.config
	arch_lines=""
	image=arch/x86/boot/bzImage
	karch=(ARCH=x86_64 CC="ccache gcc")
	;;
arm64)
	pages=${PMEM_PAGES:-64K}
	case $pages in
	4K | 16K | 64K) ;;
	*) die "PMEM_PAGES must be 4K, 16K or 64K, not '$pages'" ;;
	esac
	lean=$here/lean-arm64.config
	arch_lines="CONFIG_ARM64_${pages}_PAGES=y"
	image=arch/arm64/boot/Image
	karch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	       CC="ccache aarch64-linux-gnu-gcc")
	;;
ppc64le)
	lean=$here/lean-ppc64le.config
	arch_lines=""
	image=vmlinux
	karch=(ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
	       CC="ccache powerpc64le-linux-gnu-gcc")
	;;
*) die "PMEM_ARCH must be x86_64, arm64 or ppc64le, not '$arch'" ;;
esac

# ours: usage bitmaps with room down to one-page sub-sections, so one
# kernel boots at every subsection_size= the scenarios use; make bench
# (nodebug) measures the Kconfig default, 2 MiB only, like a distro.
shift_min=12
[ "$debug" = nodebug ] && shift_min=21
case $mode in
ours)  mode_lines="CONFIG_SUBSECTION_HOTPLUG=y
CONFIG_SUBSECTION_SHIFT_MIN=$shift_min" ;;
stock) mode_lines="# CONFIG_SUBSECTION_HOTPLUG is not set" ;;
*) die "MODE must be ours or stock, not '$mode'" ;;
esac
suffix=$mode
kmemleak_lines="CONFIG_DEBUG_KMEMLEAK=y
# CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF is not set
# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set"
case $debug in
0 | "") ;;
1 | kmemleak)
	mode_lines="$mode_lines
$kmemleak_lines"
	suffix=$mode-kmemleak
	;;
sanitize)
	# Inline KASAN: a bigger build, but the guest runs for much
	# longer than it builds.  The usage maps and memmap pages we
	# free are slab and page allocations, so KASAN and the page
	# allocator's debug checks see them.  PCI_MSI: without it this
	# kernel's virtio-pci devices found no legacy interrupt ("PCI
	# INT A: no GSI", 30 s each) and the 9p root never mounted.
	mode_lines="$mode_lines
$kmemleak_lines
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_UBSAN=y
CONFIG_UBSAN_BOUNDS=y
CONFIG_UBSAN_SHIFT=y
CONFIG_DEBUG_PAGEALLOC=y
CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT=y
CONFIG_PCI_MSI=y"
	suffix=$mode-sanitize
	;;
nodebug)
	# make bench: lean.config without its debugging, whose cost
	# (lockdep on every rcu_read_lock() of a pfn lookup, DEBUG_VM's
	# checks of every struct page) would swamp what is measured
	mode_lines="$mode_lines
# CONFIG_PROVE_LOCKING is not set
# CONFIG_DEBUG_VM is not set
# CONFIG_DEBUG_VM_PGFLAGS is not set
# CONFIG_PAGE_POISONING is not set
# CONFIG_DEBUG_ATOMIC_SLEEP is not set
# CONFIG_DEBUG_LIST is not set"
	suffix=$mode-nodebug
	;;
*) die "DEBUG must be 0, kmemleak, sanitize or nodebug, not '$debug'" ;;
esac
mode_lines="$mode_lines
CONFIG_LOCALVERSION=\"-$suffix\""
[ -n "$arch_lines" ] && mode_lines="$arch_lines
$mode_lines"

[ -f "$tree/Makefile" ] || die "no kernel tree in $tree (run 'make tree')"

# The wanted settings: lean.config minus the symbols the mode overrides.
frag=$out/pmem.config
{
	overridden=$(echo "$mode_lines" | grep -oE 'CONFIG_[A-Za-z0-9_]+' | sort -u)
	grep -vE '^[[:space:]]*(#[^C]|#$|$)' "$lean" |
		grep -vwF -f <(echo "$overridden") || true
	echo "$mode_lines"
} > "$frag.new"

src=$(dirname "$tree")/pmem-tree
exec 9> "$src.lock"
flock 9
kmake() {
	make -C "$src" O="$out" "${karch[@]}" "$@"
}

# shellcheck source=../subsection/snapshot.sh
. "$here/../subsection/snapshot.sh"

start=$(date +%s)
echo "pmem kernel: $mode $arch build in $out (log: $log)"
snapshot_tree "$tree" "$src" ||
	die "$tree kept changing; run 'make tree' and retry"
: > "$log"
if ! cmp -s "$frag.new" "$frag" || [ ! -f "$out/.config" ]; then
	echo "pmem kernel: generating .config (allnoconfig + lean.config + $suffix)"
	rm -f "$frag"
	kmake -s KCONFIG_ALLCONFIG="$frag.new" allnoconfig >> "$log" 2>&1 ||
		{ cat "$log" >&2; die "config generation failed"; }
	mv "$frag.new" "$frag"
else
	rm -f "$frag.new"
	kmake -s olddefconfig >> "$log" 2>&1 ||
		{ cat "$log" >&2; die "olddefconfig failed"; }
fi

# Every requested setting must be in the final .config.
missing=()
while IFS= read -r line; do
	case $line in
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		grep -q "^$sym=" "$out/.config" && missing+=("$line (but: $(grep "^$sym=" "$out/.config"))")
		;;
	CONFIG_*)
		grep -qxF "$line" "$out/.config" ||
			missing+=("$line (but: $(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo absent))")
		;;
	esac
done < "$frag"
if [ ${#missing[@]} -gt 0 ]; then
	printf 'pmem kernel:   dropped: %s\n' "${missing[@]}" >&2
	die "${#missing[@]} requested option(s) are not in $out/.config; fix tools/testing/pmem/lean.config"
fi

if [ -n "${PMEM_CONFIG_ONLY:-}" ]; then
	echo "pmem kernel: $out/.config has every requested option (PMEM_CONFIG_ONLY: not building)"
	exit 0
fi
echo "pmem kernel: building $(basename "$image") and modules (-j$jobs), log: $log"
if ! kmake -j"$jobs" "$(basename "$image")" modules >> "$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 30 >&2
	die "kernel build failed, see $log"
fi
release=$(cat "$out/include/config/kernel.release")
rm -rf "$out/mod-stage.new"
if ! kmake -s INSTALL_MOD_PATH="$out/mod-stage.new" modules_install >> "$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "modules_install failed"
fi
# The test probe: an external module (probe/, not part of the kernel
# tree), built against this kernel, in extra/.
echo "pmem kernel: building the probe (tools/testing/pmem/probe), log: $log"
mkdir -p "$out/probe"
cp -p "$here/probe/Kbuild" "$here/probe/subsection_probe.c" "$out/probe/"
if ! kmake -j"$jobs" M="$out/probe" modules >> "$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 20 >&2
	die "probe build failed, see $log"
fi
kmake -s M="$out/probe" INSTALL_MOD_PATH="$out/mod-stage.new" \
	INSTALL_MOD_DIR=extra DEPMOD=true modules_install >> "$log" 2>&1 ||
	die "probe modules_install failed, see $log"
depmod -b "$out/mod-stage.new" "$release" >> "$log" 2>&1 ||
	die "depmod failed, see $log"
# x86_64: nfit_test and the modules it wraps, overriding the kernel's.
if [ "$arch" = x86_64 ]; then
	echo "pmem kernel: building nfit_test (tools/testing/nvdimm), log: $log"
	"$here/nfit-test.sh" "$src" "$out" "$out/mod-stage.new" "$jobs" "$log"
fi
rm -rf "$out/mod-stage"
mv "$out/mod-stage.new" "$out/mod-stage"
echo "pmem kernel: $release ready: $out/$image," \
	"modules in $out/mod-stage ($(( $(date +%s) - start )) s)"
