# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# snapshot_tree TREE DEST: make DEST a hard-link copy of the assembled
# tree TREE, taken while no re-assembly runs (the stamp assemble.sh
# writes last, TREE.stamp, must be the same file before and after the
# copy).  Builds read DEST, never TREE: `make tree` re-creates TREE
# whenever a hook patch changes, and a build reading a tree being
# deleted under it fails at random.  Hard links keep the base files'
# inodes and mtimes, so the copy is cheap and builds stay incremental.
# Returns 1 if TREE kept changing for 100 s.  Sourced by
# tools/testing/pmem/kernel.sh and matrix.sh.
snapshot_tree() {
	local tree=$1 dest=$2 try before after
	for try in 1 2 3 4 5 6 7 8 9 10; do
		before=$(stat -c '%i %Y %y' "$tree.stamp" 2> /dev/null || true)
		if [ -n "$before" ] && [ -f "$tree/Makefile" ]; then
			rm -rf "$dest.new"
			if cp -al "$tree" "$dest.new" 2> /dev/null; then
				after=$(stat -c '%i %Y %y' "$tree.stamp" 2> /dev/null || true)
				if [ "$before" = "$after" ]; then
					rm -rf "$dest"
					mv "$dest.new" "$dest"
					return 0
				fi
			fi
		fi
		echo "snapshot: $tree is being re-assembled, waiting ($try)" >&2
		sleep 10
	done
	rm -rf "$dest.new"
	return 1
}
