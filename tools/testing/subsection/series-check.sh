#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Apply the exported series patch by patch and check that every step
# builds and passes its tests.  Usage: series-check.sh REPO BUILD
#
# In BUILD/series-git (made by series.sh) branch series-check is reset to
# the base commit, then for each BUILD/series/NNNN-*.patch in order:
#
#  - `git am` the patch; its tree must be the series branch's step NN;
#  - UML: kunit.py run --kunitconfig=lib/tests (the suites present at
#    this step: the step's own lib/tests/.kunitconfig names only them)
#    with --build_dir=BUILD/series-kunit; every UML suite introduced up
#    to here must have run, and no case may fail; then the objects of our
#    files kunit.py built are rebuilt, and any compiler warning in them
#    fails the step;
#  - x86_64 (the steps marked `kernel` in series/steps, and the last):
#    the lean kernel of tools/testing/pmem (allnoconfig + lean.config +
#    CONFIG_SUBSECTION_HOTPLUG=y, options this step does not define yet
#    left out) in BUILD/series-kernel, CC="ccache gcc"; every requested
#    option must survive, and a warning in a file the series adds or
#    touches fails the step.
#
# One row per patch, then "N passed, N failed"; non-zero exit on any
# failure.  The row also shows the patch's checkpatch --strict count
# (errors/warnings/checks) from series.sh; anything but 0/0/0 fails the
# row.  The table goes to BUILD/logs/series-check.txt, the logs of each
# step to BUILD/logs/series-check/.  Builds run under nice -n 15.
#
# Environment: SERIES_JOBS (default 2), SERIES_KERNEL=marked (default),
# all, last or none: at which steps the x86_64 kernel is built.
set -u -o pipefail

repo=$(cd "${1:?usage: series-check.sh REPO BUILD}" && pwd)
build=$(cd "${2:?usage: series-check.sh REPO BUILD}" && pwd)
gitdir=$build/series-git
series=$build/series
stage=$build/series-stage
logs=$build/logs
detail=$logs/series-check
kunit_dir=$build/series-kunit
kernel_dir=$build/series-kernel
lean=$repo/tools/testing/pmem/lean.config
jobs=${SERIES_JOBS:-2}
kernel_mode=${SERIES_KERNEL:-marked}

die() { echo "series-check: error: $*" >&2; exit 2; }

[ -d "$gitdir/.git" ] || die "no $gitdir (run 'make series' first)"
mapfile -t patches < <(find "$series" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-*' | sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $series (run 'make series')"
[ -f "$lean" ] || die "no $lean"
case $kernel_mode in
marked | all | last | none) ;;
*) die "SERIES_KERNEL must be marked, all, last or none" ;;
esac
mkdir -p "$logs"
exec 8> "$build/series.lock"
flock -n 8 || die "another series.sh or series-check.sh is running"
rm -rf "$detail"
mkdir -p "$detail" "$kunit_dir" "$kernel_dir"

start=$(date +%s)
author=$(git -C "$repo" log -1 --format='%an <%ae>' 2> /dev/null)
[ -n "$author" ] || author="Sub-section Hotplug <subsection@example.org>"
name=${author% <*}
email=${author##*<}
email=${email%>}
g() { git -C "$gitdir" -c user.name="$name" -c user.email="$email" "$@" 8>&-; }

g am --abort > /dev/null 2>&1
g checkout -q -f -B series-check base || die "cannot check out base"
g clean -q -fd || die "git clean failed"
nsteps=${#patches[@]}
series_head=$(g rev-parse series) || die "no branch series"

# The UML suites each step adds, from series.sh's stage.
uml_suites_upto() {
	local i suite where
	for ((i = 1; i <= $1; i++)); do
		IFS=$'\t' read -r _ suite where _ _ _ < "$stage/$(printf %02d "$i")/info" || continue
		[ "$suite" != - ] && [ "$where" = uml ] && echo "$suite"
	done | sort -u
}

step_kernel_marked() {
	local k
	IFS=$'\t' read -r _ _ _ k _ _ < "$stage/$(printf %02d "$1")/info" || return 1
	[ "$k" = 1 ]
}

# Our C files at this step: what the series added.
our_c_files() {
	g diff --name-only --diff-filter=A base HEAD -- '*.c'
}

# Compile again the objects of our files that kunit.py built; print the
# compiler's warnings about them.
uml_warnings() {
	local f o targets=()
	while IFS= read -r f; do
		o=${f%.c}.o
		if [ -f "$kunit_dir/$o" ]; then
			rm -f "$kunit_dir/$o"
			targets+=("$o")
		fi
	done < <(our_c_files)
	[ ${#targets[@]} -gt 0 ] || return 0
	(cd "$gitdir" && PATH=/usr/lib/ccache:$PATH nice -n 15 \
		make ARCH=um O="$kunit_dir" -j"$jobs" "${targets[@]}") \
		> "$1" 2>&1 || echo "rebuild of our objects failed"
	grep -E 'warning:|error:' "$1"
}

# Settings for the lean kernel: lean.config + ours, minus options this
# step's Kconfig does not define (yet).
kernel_fragment() {
	local defined line sym
	defined=$(cd "$gitdir" && grep -rhoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+' \
		--include='Kconfig*' . | awk '{ print "CONFIG_" $2 }' | sort -u)
	{ grep -vE '^[[:space:]]*(#[^C]|#$|$)' "$lean"; echo "CONFIG_SUBSECTION_HOTPLUG=y"; } |
	while IFS= read -r line; do
		sym=$(echo "$line" | grep -oE 'CONFIG_[A-Za-z0-9_]+' | head -n 1)
		if [ -n "$sym" ] && ! grep -qxF "$sym" <<< "$defined"; then
			echo "# $sym: not defined at this step" >&2
			continue
		fi
		echo "$line"
	done
}

# Build the lean x86_64 kernel; print problems, return non-zero on any.
kernel_build() {
	local klog=$1 frag=$kernel_dir/series.config missing=() line sym files
	kmake() {
		nice -n 15 make -C "$gitdir" O="$kernel_dir" ARCH=x86_64 \
			CC="ccache gcc" "$@"
	}
	kernel_fragment > "$frag" 2> "$klog.skipped"
	if ! kmake -s KCONFIG_ALLCONFIG="$frag" allnoconfig > "$klog" 2>&1; then
		echo "kernel: config generation failed"
		return 1
	fi
	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$kernel_dir/.config" && missing+=("$line")
			;;
		CONFIG_*)
			grep -qxF "$line" "$kernel_dir/.config" || missing+=("$line")
			;;
		esac
	done < "$frag"
	if [ ${#missing[@]} -gt 0 ]; then
		printf 'kernel: dropped from .config: %s\n' "${missing[@]}"
		return 1
	fi
	if ! kmake -j"$jobs" bzImage modules >> "$klog" 2>&1; then
		echo "kernel: build failed:"
		grep -E 'error|Error' "$klog" | head -n 20
		return 1
	fi
	# warnings in files the series adds or touches
	files=$(g diff --name-only base HEAD | grep -v '^MAINTAINERS$')
	local w
	w=$(grep -E ': warning: ' "$klog" | while IFS= read -r line; do
		f=${line%%:*}
		while IFS= read -r ours; do
			case $f in
			*"$ours") echo "$line"; break ;;
			esac
		done <<< "$files"
	done)
	if [ -n "$w" ]; then
		echo "kernel: warnings in the series' files:"
		echo "$w"
		return 1
	fi
	return 0
}

main() {
	printf 'series-check: %d patches from %s on %s (kernel: %s, -j%s)\n' \
		"$nsteps" "$series" "$gitdir" "$kernel_mode" "$jobs"
	passed=0 failed=0
	rows=()
	broken=""
	n=0
	for p in "${patches[@]}"; do
		n=$((n + 1))
		nn=$(printf %02d "$n")
		t0=$(date +%s)
		subject=$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' "$p" | head -n 1)
		cont=$(sed -n '/^Subject: /,/^$/p' "$p" | sed -n '2,$p' | sed -n '/^ /p' | head -n 1)
		[ -n "$cont" ] && subject="$subject$cont"
		build=PASS kunit="-" kernel="-" notes=()
		echo "--- $nn $subject"
		if [ -n "$broken" ]; then
			build=FAIL
			notes+=("not applied: $broken")
		elif ! g am -q "$p" > "$detail/$nn-am.log" 2>&1; then
			build=FAIL
			broken="patch $nn does not apply"
			notes+=("git am failed, see $detail/$nn-am.log")
			g am --abort > /dev/null 2>&1
		elif [ "$(g rev-parse 'HEAD^{tree}')" != \
		       "$(g rev-parse "$series_head~$((nsteps - n))^{tree}")" ]; then
			build=FAIL
			notes+=("tree differs from step $nn of branch series")
		fi

		if [ $build = PASS ]; then
			# --- UML + KUnit --------------------------------------------
			klog=$detail/$nn-kunit.log
			(cd "$gitdir" && PATH=/usr/lib/ccache:$PATH nice -n 15 \
				python3 tools/testing/kunit/kunit.py run \
				--kunitconfig=lib/tests --build_dir="$kunit_dir" \
				--jobs="$jobs" --timeout=300 --json="$detail/$nn-kunit.json") \
				> "$klog" 2>&1
			sum=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$klog" | tail -n 1)
			if [ -z "$sum" ]; then
				build=FAIL
				notes+=("UML build or boot failed, see $klog")
				grep -E 'error:|ERROR' "$klog" | head -n 10 | sed 's/^/    /'
			else
				np=$(echo "$sum" | sed -nE 's/.*passed: ([0-9]+).*/\1/p')
				nf=$(echo "$sum" | sed -nE 's/.*failed: ([0-9]+).*/\1/p')
				nc=$(echo "$sum" | sed -nE 's/.*crashed: ([0-9]+).*/\1/p')
				ns=$(echo "$sum" | sed -nE 's/.*skipped: ([0-9]+).*/\1/p')
				ne=$(echo "$sum" | sed -nE 's/.*errors: ([0-9]+).*/\1/p')
				nf=$(( ${nf:-0} + ${nc:-0} + ${ne:-0} ))
				kunit="${np:-0} passed/$nf failed"
				[ -n "$ns" ] && kunit="$kunit ($ns skipped)"
				while IFS= read -r s; do
					[ -n "$s" ] || continue
					grep -qE "\] $s =+$|\[(PASSED|FAILED|SKIPPED|CRASHED)\] $s( |$)" "$klog" ||
						{ nf=$((nf + 1)); notes+=("suite $s did not run"); }
				done < <(uml_suites_upto "$n")
				[ "$nf" -eq 0 ] || notes+=("KUnit failures, see $klog")
				w=$(uml_warnings "$detail/$nn-uml-warnings.log")
				if [ -n "$w" ]; then
					build=FAIL
					notes+=("compiler warnings in our files (UML)")
					echo "$w" | head -n 10 | sed 's/^/    /'
				fi
			fi

			# --- x86_64 lean kernel -------------------------------------
			want_kernel=0
			case $kernel_mode in
			all) want_kernel=1 ;;
			last) [ "$n" -eq "$nsteps" ] && want_kernel=1 ;;
			marked) { [ "$n" -eq "$nsteps" ] || step_kernel_marked "$n"; } && want_kernel=1 ;;
			esac
			if [ $want_kernel = 1 ]; then
				k0=$(date +%s)
				if out=$(kernel_build "$detail/$nn-kernel.log"); then
					kernel="PASS ($(( $(date +%s) - k0 )) s)"
				else
					kernel=FAIL
					build=FAIL
					notes+=("x86_64 kernel, see $detail/$nn-kernel.log")
					echo "$out" | head -n 20 | sed 's/^/    /'
				fi
			fi
		fi

		cpl=$(find "$logs/series-checkpatch" -name "00$nn-*.log" 2> /dev/null | head -n 1)
		cps=$(sed -nE 's/^total: ([0-9]+) errors, ([0-9]+) warnings, ([0-9]+) checks.*/\1\/\2\/\3/p' \
			"${cpl:-/dev/null}" | tail -n 1)
		# kunit reads "N passed/0 failed" when every case passed
		ok=1
		[ $build = PASS ] || ok=0
		case $kunit in
		*"/0 failed"*) ;;
		*) ok=0 ;;
		esac
		if [ "$cps" != 0/0/0 ]; then
			ok=0
			notes+=("checkpatch --strict: ${cps:-no log} (errors/warnings/checks), see ${cpl:-$logs/series-checkpatch}")
		fi
		if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
		row=$(printf '%s %-66s build %-4s  kunit %-24s x86_64 %-12s checkpatch %-6s %4ss' \
			"$nn" "$subject" "$build" "$kunit" "$kernel" "${cps:--}" \
			"$(( $(date +%s) - t0 ))")
		rows+=("$row")
		echo "$row"
		for x in "${notes[@]}"; do
			echo "    $x"
		done
	done

	echo
	echo "series-check: $(date -u +%FT%TZ), $(( $(date +%s) - start )) s;" \
	     "logs in $detail"
	{
		printf '%s\n' "${rows[@]}"
		echo "$passed passed, $failed failed"
	} | tee "$logs/series-check.summary"
	python3 "$repo/tools/testing/subsection/results.py" "$repo" \
		series-check "$logs/series-check.summary"
	[ "$failed" -eq 0 ]
}

main 2>&1 | tee "$logs/series-check.txt"
exit "${PIPESTATUS[0]}"
