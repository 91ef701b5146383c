#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the pinned upstream base available under build/base and print
# which base is in use.  Usage: base.sh BUILD_DIR
#
# The base is Debian's linux-source-6.12 at PIN_VERSION.  When it is
# missing it is installed with apt-get (root only).  KERNEL_SRC=/path
# uses an existing 6.12.y tree instead.
set -eu

PIN_VERSION=6.12.117-1~deb12u1
PIN_SHA256=585a4a074597aefa2b1a68ada83a3184ba351c127544dea80618bbcceaa3961f
PKG=linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz

build=${1:?usage: base.sh BUILD_DIR}
mkdir -p "$build"
stamp=$build/base.stamp

die() { echo "base: error: $*" >&2; exit 1; }
warn() { printf '\n*** WARNING: %s ***\n\n' "$*" >&2; }

check_612() {
	local mk=$1/Makefile
	[ -f "$mk" ] || die "$1 is not a kernel tree (no Makefile)"
	local v p s
	v=$(sed -n 's/^VERSION = //p' "$mk")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$mk")
	s=$(sed -n 's/^SUBLEVEL = //p' "$mk")
	[ "$v.$p" = "6.12" ] || die "$1 is Linux $v.$p.$s, need 6.12.y"
	echo "$v.$p.$s"
}

if [ -n "${KERNEL_SRC:-}" ]; then
	src=$(cd "$KERNEL_SRC" && pwd) || die "KERNEL_SRC=$KERNEL_SRC does not exist"
	ver=$(check_612 "$src")
	echo "base: KERNEL_SRC=$src (Linux $ver, not checksummed)"
	want="src:$src"
	if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
		rm -rf "$build/base"
		mkdir -p "$build/base"
		ln -s "$src" "$build/base/linux"
		echo "$want" > "$stamp"
	fi
	exit 0
fi

installed=$(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>/dev/null |
	    sed -n 's/^install ok installed //p')
if [ -z "$installed" ]; then
	[ "$(id -u)" = 0 ] ||
		die "$PKG is not installed; run as root or 'apt-get install $PKG=$PIN_VERSION' (or set KERNEL_SRC=/path/to/linux-6.12.y)"
	command -v apt-get >/dev/null ||
		die "apt-get not found; install Debian's $PKG=$PIN_VERSION or set KERNEL_SRC"
	echo "base: installing $PKG=$PIN_VERSION with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed; install $PKG=$PIN_VERSION by hand or set KERNEL_SRC"
	if ! apt-get install -y -qq "$PKG=$PIN_VERSION" >/dev/null; then
		warn "$PKG=$PIN_VERSION is no longer served; falling back to the newest $PKG"
		apt-get install -y -qq "$PKG" >/dev/null ||
			die "apt-get install $PKG failed"
	fi
	installed=$(dpkg-query -W -f='${Version}' "$PKG")
fi

[ -f "$TARBALL" ] || die "$TARBALL missing although $PKG is installed; reinstall $PKG"
sum=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [ "$installed" = "$PIN_VERSION" ]; then
	[ "$sum" = "$PIN_SHA256" ] ||
		die "$TARBALL sha256 $sum does not match the pinned $PIN_SHA256"
	echo "base: $PKG $installed sha256 $sum (pinned, verified)"
else
	warn "$PKG $installed is not the pinned $PIN_VERSION (sha256 $sum); hook patches may not apply"
fi

want="pkg:$installed:$sum"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$build/base/linux/Makefile" ]; then
	echo "base: extracting $TARBALL into $build/base (once)"
	rm -rf "$build/base"
	mkdir -p "$build/base"
	tar -xf "$TARBALL" -C "$build/base"
	mv "$build/base/linux-source-6.12" "$build/base/linux"
	chmod -R a-w "$build/base/linux"
	echo "$want" > "$stamp"
fi
check_612 "$build/base/linux" >/dev/null
