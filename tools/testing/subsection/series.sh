#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the overlay and the hook patches as a `git format-patch` series
# against the pristine base.  Usage: series.sh REPO BUILD
#
#   BUILD/series-git   a copy of BUILD/base/linux under git: commit "base"
#                      (tag base), branch "series" with one commit per step
#   BUILD/series/      0000-cover-letter.patch and one .patch per step
#   BUILD/logs/series-checkpatch/   checkpatch --strict output per patch
#
# The steps, and which files, functions, Kconfig entries and hook patch
# lines go into each, are in tools/testing/subsection/series/steps; the
# cutting is done by series/split.py from whatever the files hold now.
# The commits are written with git plumbing (a private index, never the
# work tree of series-git, which series-check.sh uses), with the author
# and date of the project's last commit, so an unchanged input gives the
# same commits.  Every patch must pass checkpatch.pl --strict of the base
# tree (0 errors, 0 warnings, 0 checks) and the series must apply to the
# base commit; otherwise the exit status is non-zero.
#
# Environment: SERIES_AUTHOR='Name <email>' (Signed-off-by and author;
# default: the author of the project's last commit), SERIES_DATE (a git
# date; default: that commit's date), SERIES_CHECKPATCH=report (say so,
# but exit 0, when only checkpatch complains; `make series-check` sets
# it, so that a style finding does not stop the build checks).
set -u -o pipefail

repo=$(cd "${1:?usage: series.sh REPO BUILD}" && pwd)
build=$(cd "${2:?usage: series.sh REPO BUILD}" && pwd)
base=$build/base/linux
gitdir=$build/series-git
out=$build/series
stage=$build/series-stage
logs=$build/logs
here=$repo/tools/testing/subsection
manifest=$here/series/steps

die() { echo "series: error: $*" >&2; exit 1; }

[ -f "$base/Makefile" ] || die "no base in $base (run 'make base' first)"
[ -f "$build/base.stamp" ] || die "no $build/base.stamp (run 'make base')"
mkdir -p "$logs"
exec 8> "$build/series.lock"
flock -n 8 || die "another series.sh or series-check.sh is running"

start=$(date +%s)
author=${SERIES_AUTHOR:-$(git -C "$repo" log -1 --format='%an <%ae>' 2> /dev/null)}
[ -n "$author" ] || author="Sub-section Hotplug <subsection@example.org>"
date=${SERIES_DATE:-$(git -C "$repo" log -1 --format='%aI' 2> /dev/null)}
[ -n "$date" ] || date="2025-01-01T00:00:00+00:00"
name=${author% <*}
email=${author##*<}
email=${email%>}
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email
export GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date
# (fd 8, the lock, is not handed to git, which may leave a process behind)
g() { git -C "$gitdir" -c user.name="$name" -c user.email="$email" "$@" 8>&-; }

# --- the base repository: a copy of the pristine base, one commit -------
want_base=$(cat "$build/base.stamp")
if [ "$(cat "$gitdir/.git/series-base" 2> /dev/null)" != "$want_base" ] ||
   ! g rev-parse -q --verify base > /dev/null; then
	echo "series: copying the base to $gitdir and committing it (once)"
	t0=$(date +%s)
	if [ -d "$gitdir" ]; then
		chmod -R u+w "$gitdir" && rm -rf "$gitdir"
	fi
	rm -rf "$gitdir.new"
	nice -n 15 cp -a "$(readlink -f "$base")" "$gitdir.new" ||
		die "copying the base failed"
	chmod -R u+w "$gitdir.new"
	(
		exec 8>&-
		cd "$gitdir.new" &&
		git init -q &&
		git config gc.auto 0 &&
		git symbolic-ref HEAD refs/heads/base-branch &&
		nice -n 15 git add -A -f . &&
		git -c user.name="$name" -c user.email="$email" \
			commit -q -m "base: linux 6.12.117 (Debian linux-source-6.12)" &&
		git tag base
	) || die "git init / commit of the base failed"
	echo "$want_base" > "$gitdir.new/.git/series-base"
	mv "$gitdir.new" "$gitdir"
	echo "series: base committed ($(( $(date +%s) - t0 )) s)"
fi

# --- cut the overlay into steps ------------------------------------------
phase() { echo "series: $1 ($(( $(date +%s) - t_phase )) s)"; t_phase=$(date +%s); }
t_phase=$(date +%s)
python3 "$here/series/split.py" "$repo" "$base" "$manifest" "$stage" \
	"$author" || die "split.py failed"

# --- one commit per step, written through a private index ---------------
export GIT_INDEX_FILE=$stage/index
g read-tree base || die "read-tree base"
parent=$(g rev-parse base)
mapfile -t paths < "$stage/paths"
steps=()
for d in "$stage"/[0-9][0-9]; do
	steps+=("$d")
	present=()
	for p in "${paths[@]}"; do
		[ -f "$d/tree/$p" ] && present+=("$p")
	done
	{
		# absent paths leave the index, present ones get their blob
		for p in "${paths[@]}"; do
			[ -f "$d/tree/$p" ] ||
				printf '0 %s\t%s\n' 0000000000000000000000000000000000000000 "$p"
		done
		paste <(printf '%s\n' "${present[@]}" |
			sed "s|^|$d/tree/|" | g hash-object -w --stdin-paths) \
		      <(printf '%s\n' "${present[@]}") |
			awk -F'\t' '{ printf "100644 %s\t%s\n", $1, $2 }'
	} | g update-index --index-info || die "update-index for $d"
	tree=$(g write-tree) || die "write-tree for $d"
	parent=$(g commit-tree "$tree" -p "$parent" -F "$d/msg") ||
		die "commit-tree for $d"
done
unset GIT_INDEX_FILE
g update-ref refs/heads/series "$parent"
phase "split and committed ${#steps[@]} steps"

# --- format-patch ---------------------------------------------------------
rm -rf "$out.new"
g format-patch -q --cover-letter -o "$out.new" base..series ||
	die "format-patch failed"
cover=$(ls "$out.new"/0000-cover-letter.patch) || die "no cover letter"
python3 - "$cover" "$stage/cover" "$stage/blurb" << 'EOF' || die "cover letter"
import sys
path, subj_file, blurb_file = sys.argv[1:]
text = open(path).read()
subject = open(subj_file).read().split("\n", 1)[0]
blurb = open(blurb_file).read().rstrip("\n")
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", blurb, 1)
open(path, "w").write(text)
EOF

phase "format-patch"

# --- checkpatch --strict on every patch --------------------------------
cplogs=$logs/series-checkpatch
rm -rf "$cplogs"
mkdir -p "$cplogs"
declare -A cp
cp_bad=0
checkpatch() {
	(cd "$gitdir" && nice -n 15 perl "$base/scripts/checkpatch.pl" --strict \
		--root="$base" --show-types "$1") > "$2" 2>&1 8>&-
}
running=0
for p in "$out.new"/[0-9][0-9][0-9][0-9]-*.patch; do
	b=$(basename "$p" .patch)
	[ "${b%%-*}" = 0000 ] && continue
	checkpatch "$p" "$cplogs/$b.log" &
	running=$((running + 1))
	if [ $running -ge 2 ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for l in "$cplogs"/*.log; do
	b=$(basename "$l" .log)
	total=$(grep -E '^total: ' "$l" | tail -n 1)
	e=$(echo "$total" | sed -nE 's/^total: ([0-9]+) errors, ([0-9]+) warnings, ([0-9]+) checks.*/\1\/\2\/\3/p')
	cp[${b%%-*}]=${e:-?}
	[ "${e:-?}" = 0/0/0 ] || cp_bad=$((cp_bad + 1))
done
phase "checkpatch --strict"

# --- the patch files apply to the base and give the series' trees -----
apply_ok=1
tmpidx=$stage/apply-index
GIT_INDEX_FILE=$tmpidx g read-tree base
for p in "$out.new"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ "$(basename "$p" | cut -c1-4)" = 0000 ] && continue
	if ! GIT_INDEX_FILE=$tmpidx g apply --cached "$p" 2> "$stage/apply.err"; then
		echo "series: $(basename "$p") does not apply:" >&2
		cat "$stage/apply.err" >&2
		apply_ok=0
		break
	fi
done
if [ $apply_ok = 1 ] &&
   [ "$(GIT_INDEX_FILE=$tmpidx g write-tree)" != "$(g rev-parse 'series^{tree}')" ]; then
	echo "series: the patches applied to base do not give the series' tree" >&2
	apply_ok=0
fi

phase "applied to the base"
rm -rf "$out"
mv "$out.new" "$out"

# --- the table -------------------------------------------------------------
n=0
printf '%-3s %-66s %-18s %s\n' NN subject suite checkpatch
for d in "${steps[@]}"; do
	n=$((n + 1))
	IFS=$'\t' read -r _ suite where _ _ subject < "$d/info"
	[ "$where" = arch ] && suite="$suite*"
	nn=$(printf '%04d' "$n")
	printf '%02d  %-66s %-18s %s\n' "$n" "$subject" "$suite" "${cp[$nn]:-?}"
done
echo "(* only under kunit.py --arch; checkpatch: errors/warnings/checks," \
     "logs in $cplogs)"
if [ -s "$stage/warnings" ]; then
	echo "series: manifest warnings:"
	sed 's/^/  /' "$stage/warnings"
fi
echo "series: $n patches + cover letter in $out," \
     "branch 'series' in $gitdir ($(( $(date +%s) - start )) s)"
rc=0
if [ $cp_bad -gt 0 ]; then
	echo "series: FAIL: $cp_bad patch(es) not clean under checkpatch --strict"
	[ "${SERIES_CHECKPATCH:-fatal}" = report ] || rc=1
fi
if [ $apply_ok != 1 ]; then
	echo "series: FAIL: the series does not apply to the base"
	rc=1
fi
exit $rc
