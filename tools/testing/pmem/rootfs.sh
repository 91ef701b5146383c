#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The root of a guest of another architecture (arm64, ppc64el): Debian
# user space (bash, python3, ndctl, daxctl, jq, e2fsprogs, ...) extracted
# by mmdebstrap from the same archive apt uses, shared read-only with the
# guest over 9p as x86_64 shares the host's /.  No package scripts run
# (--variant=extract), so no emulation is needed on the host; the few
# links a maintainer script would make are made here.
#
# Usage: rootfs.sh DEBIAN-ARCH DIR
# DIR is rebuilt only when the architecture or the package list changes.
set -eu

debarch=${1:?usage: rootfs.sh DEBIAN-ARCH DIR}
dir=${2:?usage: rootfs.sh DEBIAN-ARCH DIR}
case $debarch in
arm64 | ppc64el) ;;
*) echo "rootfs.sh: DEBIAN-ARCH must be arm64 or ppc64el, not '$debarch'" >&2; exit 2 ;;
esac
pkgs="bash,dash,coreutils,util-linux,mount,kmod,libc-bin,python3,jq,ndctl,daxctl"
pkgs="$pkgs,e2fsprogs,grep,sed,mawk,findutils,diffutils,procps,gzip"
want="bookworm $debarch $pkgs"

if [ -f "$dir/.pmem-rootfs" ] && [ "$(cat "$dir/.pmem-rootfs")" = "$want" ]; then
	exit 0
fi
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*debian\) .*/\1/p' /etc/apt/sources.list 2> /dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
echo "pmem rootfs: extracting Debian $debarch user space into $dir ($mirror)"
rm -rf "$dir.new"
# mmdebstrap resolves the target's absolute path: its parent must exist
# (build/<arch> does not on a fresh clone).
mkdir -p "$(dirname "$dir")"
mmdebstrap --quiet --variant=extract --arch="$debarch" --mode=root \
	--include="$pkgs" bookworm "$dir.new" "$mirror"
# What maintainer scripts would have done: /bin/sh (modprobe runs
# ndctl's install rule with it) and the awk alternative.
[ -e "$dir.new/bin/sh" ] || ln -sfn dash "$dir.new/bin/sh"
ln -sfn mawk "$dir.new/usr/bin/awk"
mkdir -p "$dir.new/lib/modules" "$dir.new/harness"
echo "$want" > "$dir.new/.pmem-rootfs"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "pmem rootfs: $dir ready"
