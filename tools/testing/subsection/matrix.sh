#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build-only matrix, like the 0-day robot's: each row configures and
# builds vmlinux in its own directory, then rebuilds our objects with
# sparse forced on (C=2) and W=1.  A row fails on a dropped config
# option, a build error, or any warning line naming a file of ours.
#
# Usage: matrix.sh REPO BUILD LOGS JOBS [ROW...]   (no ROW: every row)
#
# Prints one line per row, "row  PASS|FAIL  seconds  note or first
# error line", also written to LOGS/matrix.txt, and ends with
# "N passed, N failed"; exits non-zero if any row failed.  The full log
# of a row is LOGS/matrix-ROW.log.  MATRIX_CONFIG_ONLY=1 stops each row
# after its .config check.
#
# Rows build in BUILD/matrix/ROW from a hard-link snapshot of BUILD/tree
# (BUILD/matrix-tree, re-made at every run: `make tree` may re-create
# BUILD/tree while we build).  A row's .config is regenerated only when
# its recipe (fragments of matrix/, config targets, make arguments)
# changed, else refreshed with olddefconfig; then every line the
# fragments request must be in it.  Every make runs under nice -n 15.
# ccache comes in through PATH (/usr/lib/ccache has gcc, clang and the
# aarch64 / powerpc64le cross compilers).
set -u -o pipefail

repo=${1:?usage: matrix.sh REPO BUILD LOGS JOBS [ROW...]}
build=${2:?} logs=${3:?} jobs=${4:?}
shift 4
repo=$(cd "$repo" && pwd)
mkdir -p "$build/matrix" "$logs"
build=$(cd "$build" && pwd)
logs=$(cd "$logs" && pwd)
here=$repo/tools/testing/subsection
frags=$here/matrix
tree=$build/tree
src=$build/matrix-tree

all_rows=(x86_64-defconfig x86_64-defconfig-ours x86_64-defconfig-stock
	  x86_64-no-hotplug x86_64-no-zone-device i386-defconfig
	  arm64-4k arm64-16k arm64-64k ppc64le-64k x86_64-clang)
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=("${all_rows[@]}")

die() { echo "matrix: error: $*" >&2; exit 2; }
say() { echo "matrix: $*" >&2; }

# row_spec ROW: set the row's recipe.
#   arch      ARCH= (and what the make arguments add: CROSS_COMPILE, LLVM)
#   cfg       config targets run first: "allnoconfig" takes the fragments
#             as KCONFIG_ALLCONFIG; anything else ("defconfig
#             kvm_guest.config") runs as a robot runs it, and the
#             fragments are merged on top with merge_config.sh
#   fraglist  fragments of matrix/, in order (a later one overrides)
#   absent    symbols that must not appear in .config at all
row_spec() {
	arch='' cfg='' fraglist='' absent='' margs=()
	case $1 in
	x86_64-defconfig)
		arch=x86_64 cfg="defconfig kvm_guest.config" ;;
	x86_64-defconfig-ours)
		arch=x86_64 cfg="defconfig kvm_guest.config" fraglist="pmem" ;;
	x86_64-defconfig-stock)
		arch=x86_64 cfg="defconfig kvm_guest.config"
		fraglist="pmem stock" ;;
	x86_64-no-hotplug)
		arch=x86_64 cfg=allnoconfig
		fraglist="x86_64-no-hotplug kunit"
		absent="CONFIG_SUBSECTION_HOTPLUG CONFIG_ZONE_DEVICE" ;;
	x86_64-no-zone-device)
		arch=x86_64 cfg=allnoconfig
		fraglist="x86_64-no-zone-device kunit" ;;
	i386-defconfig)
		arch=i386 cfg=defconfig
		absent="CONFIG_SPARSEMEM_VMEMMAP CONFIG_SUBSECTION_HOTPLUG" ;;
	arm64-4k | arm64-16k | arm64-64k)
		arch=arm64 cfg=allnoconfig
		fraglist="arm64 pmem kunit $1"
		margs=(CROSS_COMPILE=aarch64-linux-gnu-) ;;
	ppc64le-64k)
		arch=powerpc cfg=allnoconfig
		fraglist="ppc64le-64k pmem kunit"
		margs=(CROSS_COMPILE=powerpc64le-linux-gnu-) ;;
	x86_64-clang)
		arch=x86_64 cfg=allnoconfig
		fraglist="x86_64-clang pmem kunit"
		margs=(LLVM=1) ;;
	*)
		return 1 ;;
	esac
	margs=(ARCH="$arch" "${margs[@]}")
}

for r in "${rows[@]}"; do
	row_spec "$r" || die "unknown row '$r'; rows: ${all_rows[*]}"
done

# Our files (as in `make lint`), and a regex matching a diagnostic line
# that names one of them (or the object built from one, as objtool
# does): "[/...]mm/subsection.c:12:3: warning: ...".
mapfile -t ours < <(git -C "$repo" ls-files --cached --others \
	--exclude-standard 'mm/*' 'include/*' 'drivers/*' 'lib/*' | sort -u)
[ ${#ours[@]} -gt 0 ] || die "no files of ours in $repo"
alt=
for f in "${ours[@]}"; do
	e=$(printf '%s' "$f" | sed 's/[.[\*^$+?(){}|]/\\&/g')
	case $f in *.c) e="${e%\\.c}\\.[co]" ;; esac
	alt=${alt:+$alt|}$e
done
ours_re="(^|[[:space:]/])($alt)(:[0-9]+)*:.*([Ww]arning|[Ee]rror)"
# The objects our .c files compile to (mm/subsection.o, ..., the suites).
our_objs=()
for f in "${ours[@]}"; do
	case $f in mm/*.c | drivers/*.c | lib/*.c) our_objs+=("${f%.c}.o") ;; esac
done

command -v sparse > /dev/null ||
	die "sparse is not installed (make matrix installs MATRIX_PKGS)"
[ -d /usr/lib/ccache ] && export PATH=/usr/lib/ccache:$PATH

# One matrix at a time: the snapshot and the row directories are shared.
exec 9> "$src.lock"
flock -n 9 || { say "another matrix run holds $src.lock, waiting"; flock 9; }

# shellcheck source-path=SCRIPTDIR source=snapshot.sh
. "$here/snapshot.sh"

kmake() {
	nice -n 15 make -C "$src" O="$out" "${margs[@]}" "$@"
}

# first_error LOG: the line that says why a build failed.
first_error() {
	grep -m 1 -E 'error:|ERROR:|undefined reference|multiple definition|Sorry, this' "$1" ||
		grep -m 1 -F '***' "$1" || tail -n 1 "$1"
}

# flag_ours OUTPUT: the first diagnostic line of OUTPUT that names a
# file of ours, "(+N more)" if there are more; all of them go to the
# row's log.  Fails if there is none.
flag_ours() {
	local hits n
	hits=$(grep -E "$ours_re" "$1" | awk '!seen[$0]++')
	[ -n "$hits" ] || return 1
	n=$(echo "$hits" | wc -l)
	{ echo "=== $n diagnostic line(s) naming files of ours:"; echo "$hits"; } >> "$log"
	echo "$(echo "$hits" | head -n 1)$([ "$n" -gt 1 ] && echo " (+$((n - 1)) more)")"
}

# check_config WANTED: every line WANTED asks for is in $out/.config,
# and no symbol of $absent is; prints what is wrong, one line each.
check_config() {
	local line sym got
	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			got=$(grep -E "^$sym=" "$out/.config") &&
				echo "dropped: $line (but: $got)"
			;;
		CONFIG_*)
			grep -qxF "$line" "$out/.config" ||
				echo "dropped: $line (but: $(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo absent))"
			;;
		esac
	done < "$1"
	for sym in $absent; do
		got=$(grep -E "^(# )?${sym}[= ]" "$out/.config") &&
			echo "$sym should be absent (but: $got)"
	done
}

# merge_wanted FRAG...: the fragments' CONFIG lines, a later line for a
# symbol replacing an earlier one.
merge_wanted() {
	awk '
	/^CONFIG_[A-Za-z0-9_]+=/ { s = $0; sub(/=.*/, "", s) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { s = $2 }
	s != "" { if (!(s in v)) o[n++] = s; v[s] = $0; s = "" }
	END { for (i = 0; i < n; i++) print v[o[i]] }' "$@"
}

# lint_ours: rebuild the objects of ours this row built with C=2 W=1;
# puts back the normal objects afterwards so the next run relinks
# nothing.  Sets $nobjs; fails with the first offending line in $why.
lint_ours() {
	local o d b objs=() save=$out/.matrix-lint rc n
	rm -rf "$save"
	for o in "${our_objs[@]}"; do
		d=$(dirname "$o") b=$(basename "$o")
		[ -f "$out/$o" ] || continue
		# Built in this configuration: a member of its built-in.a,
		# or listed in modules.order (a module of ours).
		# (a thin archive: ar prints members relative to the current
		# directory; grep reads all of it: no SIGPIPE under pipefail)
		if ! (cd "$out" && ar t "$d/built-in.a" 2> /dev/null) |
		     grep -xF "$o" > /dev/null &&
		   ! grep -qxF "$o" "$out/$d/modules.order" 2> /dev/null; then
			continue
		fi
		mkdir -p "$save/$d"
		cp -p "$out/$o" "$save/$o"
		[ -f "$out/$d/.$b.cmd" ] && cp -p "$out/$d/.$b.cmd" "$save/$d/.$b.cmd"
		objs+=("$o")
	done
	nobjs=${#objs[@]}
	[ "$nobjs" -gt 0 ] || { rm -rf "$save"; return 0; }
	echo "=== C=2 W=1: ${objs[*]}" >> "$log"
	n=$(wc -l < "$log")
	kmake -j"$jobs" C=2 W=1 "${objs[@]}" >> "$log" 2>&1
	rc=$?
	tail -n +"$((n + 1))" "$log" > "$log.lint"
	(cd "$save" && find . -type f -print0) | while IFS= read -r -d '' o; do
		cp -p "$save/$o" "$out/$o"
	done
	rm -rf "$save"
	why=''
	if [ $rc -ne 0 ]; then
		why="C=2 W=1: $(first_error "$log.lint")"
	elif why=$(flag_ours "$log.lint"); then
		why="C=2 W=1: $why"
	fi
	rm -f "$log.lint"
	[ -z "$why" ]
}

# run_row ROW: configure, check, build, lint; sets $why (empty: pass)
# and $note.
run_row() {
	local r=$1 sig wanted fl f t bad sw n rc
	why='' note=''
	row_spec "$r"
	out=$build/matrix/$r
	log=$logs/matrix-$r.log
	mkdir -p "$out"
	: > "$log"

	fl=()
	for f in $fraglist; do
		[ -f "$frags/$f.config" ] || { why="no fragment matrix/$f.config"; return; }
		fl+=("$frags/$f.config")
	done
	wanted=$out/matrix-wanted.config
	if [ ${#fl[@]} -gt 0 ]; then merge_wanted "${fl[@]}"; fi > "$wanted"
	sig=$( { echo "cfg: $cfg"; echo "make: ${margs[*]}"; cat "$wanted"; } )

	if [ ! -f "$out/.config" ] || [ "$sig" != "$(cat "$out/matrix.input" 2> /dev/null)" ]; then
		echo "=== generating .config: $cfg${fraglist:+ + $fraglist}" >> "$log"
		rm -f "$out/.config" "$out/matrix.input"
		if [ "$cfg" = allnoconfig ]; then
			kmake KCONFIG_ALLCONFIG="$wanted" allnoconfig >> "$log" 2>&1
		else
			# shellcheck disable=SC2086 # the robot's config targets
			kmake $cfg >> "$log" 2>&1 &&
			if [ ${#fl[@]} -gt 0 ]; then
				(cd "$out" && nice -n 15 "$src/scripts/kconfig/merge_config.sh" \
					-m .config "${fl[@]}") >> "$log" 2>&1 &&
				kmake olddefconfig >> "$log" 2>&1
			fi
		fi || { why="config: $(first_error "$log")"; return; }
		echo "$sig" > "$out/matrix.input"
	else
		echo "=== .config up to date: olddefconfig" >> "$log"
		kmake olddefconfig >> "$log" 2>&1 ||
			{ why="config: $(first_error "$log")"; return; }
	fi
	bad=$(check_config "$wanted")
	if [ -n "$bad" ]; then
		echo "$bad" >> "$log"
		why="config: $(echo "$bad" | head -n 1)"
		n=$(echo "$bad" | wc -l)
		[ "$n" -gt 1 ] && why="$why (+$((n - 1)) more)"
		return
	fi
	sw=$(grep -E '^(# )?CONFIG_SUBSECTION_HOTPLUG[= ]' "$out/.config")
	case $sw in
	*=y) note="switch y" ;;
	*"is not set") note="switch n" ;;
	*) note="switch absent" ;;
	esac
	[ -n "${MATRIX_CONFIG_ONLY:-}" ] && { note="$note; config only"; return; }

	t=vmlinux
	echo "=== make -j$jobs $t" >> "$log"
	n=$(wc -l < "$log")
	kmake -j"$jobs" "$t" >> "$log" 2>&1
	rc=$?
	tail -n +"$((n + 1))" "$log" > "$log.build"
	if [ $rc -ne 0 ]; then
		why=$(first_error "$log.build")
	elif ! why=$(flag_ours "$log.build"); then
		why=''
	fi
	rm -f "$log.build"
	[ -n "$why" ] && return

	lint_ours || return
	if [ "$nobjs" -gt 0 ]; then
		note="$note; $nobjs objects of ours clean with C=2 W=1"
	else
		note="$note; no objects of ours built"
	fi
}

start=$(date +%s)
say "snapshot of $tree in $src"
snapshot_tree "$tree" "$src" ||
	die "$tree kept changing; run 'make tree' and retry"
table=$logs/matrix.txt
: > "$table.new"
pass=0 fail=0
for r in "${rows[@]}"; do
	say "$r: building in $build/matrix/$r (log: $logs/matrix-$r.log)"
	t0=$(date +%s)
	run_row "$r"
	secs=$(( $(date +%s) - t0 ))
	if [ -z "$why" ]; then
		line=$(printf '%-24s PASS %6d  %s' "$r" "$secs" "$note")
		pass=$((pass + 1))
	else
		line=$(printf '%-24s FAIL %6d  %s' "$r" "$secs" "${why//"$src/"/}")
		fail=$((fail + 1))
	fi
	echo "$line"
	echo "$line" >> "$table.new"
done
echo "$pass passed, $fail failed" | tee -a "$table.new"
mv "$table.new" "$table"
say "$(( $(date +%s) - start )) s in all; table in $table"
python3 "$here/results.py" "$repo" matrix "$table"
[ "$fail" -eq 0 ]
