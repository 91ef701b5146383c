#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build nfit_test (tools/testing/nvdimm) for a lean x86_64 kernel and
# install it so that its wrapped libnvdimm, nfit, nd_pmem, nd_btt,
# nd_e820, device_dax and dax_pmem win over the kernel's own in the
# guest.
#
# Usage: nfit-test.sh SRC OUT STAGE JOBS LOG
#   SRC    the kernel source tree the kernel in OUT was built from
#   OUT    the kernel's build directory (O=)
#   STAGE  the modules staging root (STAGE/lib/modules/RELEASE)
#
# tools/testing/nvdimm/Kbuild names the drivers' sources as
# ../../../drivers/..., relative to itself, and kbuild writes their
# objects next to them.  So that nothing lands in SRC, the build runs in
# OUT/nfit-test, a mirror of the four directories it reads: hard links
# refreshed in place (the objects stay, so a rebuild is incremental), a
# file SRC no longer has dropped.
#
# The modules go to STAGE/lib/modules/RELEASE/updates, and depmod runs
# with a configuration of its own that searches updates/ before the
# kernel's directory (the override ndctl's test suite asks for): a plain
# `modprobe nd_pmem` then loads the wrapped module, which behaves as the
# real one until nfit_test registers its resources.
set -eu

src=$(cd "${1:?usage: nfit-test.sh SRC OUT STAGE JOBS LOG}" && pwd)
out=$(cd "${2:?}" && pwd)
stage=$(cd "${3:?}" && pwd)
jobs=${4:?}
log=${5:?}

die() { echo "pmem nfit_test: error: $*" >&2; exit 1; }

release=$(cat "$out/include/config/kernel.release")
mods=$stage/lib/modules/$release
[ -d "$mods/kernel" ] || die "no $mods/kernel (modules_install first)"

nt=$out/nfit-test
for d in tools/testing/nvdimm drivers/nvdimm drivers/dax drivers/acpi/nfit; do
	mkdir -p "$nt/$d"
	# the sources as links (make sees their own mtimes), not kbuild's files
	rsync -a --link-dest="$src/$d/" --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='.*.d' \
		"$src/$d/" "$nt/$d/"
done

kmake() {
	make -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" \
		M="$nt/tools/testing/nvdimm" "$@"
}
if ! kmake -j"$jobs" modules >> "$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 20 >&2
	die "nfit_test build failed, see $log"
fi
rm -rf "$mods/updates"
kmake -s INSTALL_MOD_PATH="$stage" INSTALL_MOD_DIR=updates \
	DEPMOD=true modules_install >> "$log" 2>&1 ||
	die "nfit_test modules_install failed, see $log"

conf=$out/nfit-test.depmod.conf
echo "search updates extra built-in" > "$conf"
depmod -b "$stage" -C "$conf" "$release" >> "$log" 2>&1 ||
	die "depmod failed, see $log"

# The override must hold: modules.dep resolves each wrapped name to
# updates/, and nfit_test itself is there.
for m in libnvdimm nfit nd_pmem nd_btt nd_e820 device_dax dax_pmem \
	 nfit_test nfit_test_iomap; do
	grep -qE "^updates/([^:]*/)?$m\.ko(\.[a-z]+)?:" "$mods/modules.dep" ||
		die "$m does not resolve to updates/ in $mods/modules.dep"
done
echo "pmem nfit_test: $(find "$mods/updates" -name '*.ko*' | wc -l) modules in $mods/updates"
