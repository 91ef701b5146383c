#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the working kernel tree: BUILD/tree = pristine base (hard
# links) + hook patches from patches/ (applied in order) + symlinks to
# our own files.  Usage: assemble.sh REPO BUILD
#
# Re-running is incremental: the tree is only re-created when the base
# or a patch changed; otherwise only the symlinks are refreshed, so
# kbuild sees exactly the files that were edited.
set -eu

repo=$(cd "${1:?usage: assemble.sh REPO BUILD}" && pwd)
build=$(cd "${2:?}" && pwd)
base=$build/base/linux
tree=$build/tree
overlay_dirs="include mm kernel drivers lib arch Documentation"

die() { echo "assemble: error: $*" >&2; exit 1; }

[ -f "$base/Makefile" ] || die "no base in $base (run base.sh first)"

want=$( (cat "$build/base.stamp"; cat "$repo"/patches/*.patch 2>/dev/null) |
	sha256sum | cut -d' ' -f1)
patched=$build/tree.patched	# files the applied patches touched
if [ ! -f "$build/tree.stamp" ] || [ ! -d "$tree" ] ||
   [ "$(head -n 1 "$build/tree.stamp")" != "base:$(cat "$build/base.stamp")" ]; then
	echo "assemble: creating $tree from the base"
	rm -rf "$tree" "$build/tree.stamp" "$patched"
	cp -al "$(readlink -f "$base")" "$tree"
	printf 'base:%s\n\n' "$(cat "$build/base.stamp")" > "$build/tree.stamp"
fi
if [ "$(tail -n 1 "$build/tree.stamp")" != "$want" ]; then
	# Put back the base version of every file an earlier patch set
	# touched (as a fresh copy with a new mtime, so kbuild rebuilds
	# what depends on it), then apply the current patches in order.
	# A file whose content comes out the same keeps its old mtime
	# (restored below), so kbuild rebuilds only what really changed.
	save=$build/tree.saved
	rm -rf "$save"
	if [ -f "$patched" ]; then
		while IFS= read -r f; do
			if [ -f "$tree/$f" ]; then
				mkdir -p "$save/$(dirname "$f")"
				cp -p "$tree/$f" "$save/$f"
			fi
			rm -f "$tree/$f"
			[ -e "$base/$f" ] && cp "$base/$f" "$tree/$f" && touch "$tree/$f"
		done < "$patched"
	fi
	: > "$patched"
	for p in "$repo"/patches/*.patch; do
		[ -e "$p" ] || continue
		sed -n 's|^+++ b/||p' "$p" | cut -f1 >> "$patched"
		# GNU patch writes a new file and renames it into place, so the
		# hard link to the base is broken and the base stays pristine.
		if ! patch -d "$tree" -p1 -s -f --no-backup-if-mismatch \
		     < "$p" > "$build/patch.log" 2>&1; then
			cat "$build/patch.log" >&2
			rm -f "$build/tree.stamp"
			die "hook patch $(basename "$p") does not apply to this base"
		fi
		echo "assemble: applied $(basename "$p")"
	done
	if [ -d "$save" ]; then
		(cd "$save" && find . -type f) | while IFS= read -r f; do
			if cmp -s "$save/$f" "$tree/$f"; then
				touch -r "$save/$f" "$tree/$f"
			fi
		done
		rm -rf "$save"
	fi
	sed -i '$d' "$build/tree.stamp"
	echo "$want" >> "$build/tree.stamp"
fi

# Drop links to repo files that no longer exist.
find "$tree" -xtype l -lname "$repo/*" -delete 2>/dev/null || true

n=0
for d in $overlay_dirs; do
	[ -d "$repo/$d" ] || continue
	while IFS= read -r f; do
		rel=${f#"$repo"/}
		dst=$tree/$rel
		if [ -e "$dst" ] && [ ! -L "$dst" ]; then
			die "$rel exists in the base; change base files with a hook patch"
		fi
		if [ "$(readlink "$dst" 2>/dev/null)" != "$f" ]; then
			mkdir -p "$(dirname "$dst")"
			ln -sfn "$f" "$dst"
		fi
		n=$((n + 1))
	done < <(find "$repo/$d" -type f ! -name '*.orig' ! -name '*.rej' ! -name '.*.swp')
done
echo "assemble: $tree ready ($n overlay files)"
