#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the stock and ours pmem-test results side by side, with the
# reason of every row where the two differ (stock's Oops, say).
# Usage: compare.sh [--expect SCENARIO_DIR] STOCK.tsv OURS.tsv
#   (the .tsv files are written by run.sh into build/logs)
#
# With --expect it also gives a verdict, and fails unless every row of
# ours passed and every stock failure is one its scenario declares with
# "# pmem-stock: oops REASON": a stock FAIL whose reason is a kernel
# Oops.  An Oops ends the boot, so the scenarios after it in that boot
# have no result either; they are accepted only if they declare the
# same.  The "guest" row (the boot as a whole) is accepted when it
# failed on an Oops and some scenario's Oops was accepted.
set -eu
expect=""
if [ "${1:-}" = --expect ]; then
	expect=${2:?usage: compare.sh [--expect SCENARIO_DIR] STOCK.tsv OURS.tsv}
	shift 2
fi
stock=${1:?usage: compare.sh [--expect SCENARIO_DIR] STOCK.tsv OURS.tsv}
ours=${2:?}
for f in "$stock" "$ours"; do
	[ -s "$f" ] || { echo "compare: no results in $f" >&2; exit 1; }
done
printf '%-16s | %-6s %5s %15s | %-6s %5s %15s\n' SCENARIO stock secs memmap ours secs memmap
while IFS=$'\t' read -r n res secs mb ma reason; do
	o=$(awk -F'\t' -v n="$n" '$1 == n' "$ours" 2> /dev/null || true)
	IFS=$'\t' read -r _ ores osecs omb oma _ <<< "${o:-x	-	-	-	-	}"
	printf '%-16s | %-6s %5s %15s | %-6s %5s %15s\n' "$n" "$res" "$secs" "$mb->$ma" \
		"$ores" "$osecs" "$omb->$oma"
	[ "$res" = "$ores" ] || printf '%-16s   stock: %.160s\n' "" "$reason"
done < "$stock"

# declared NAME: the scenario's "# pmem-stock: oops ..." line, if any.
declared() {
	local f
	for f in "$expect"/[0-9]*-"$1".sh; do
		[ -f "$f" ] && sed -n 's/^# pmem-stock: *\(oops .*\)/\1/p' "$f" | head -n 1
	done
}

bad=0
if [ -n "$expect" ]; then
	echo
	while IFS=$'\t' read -r n res _ _ _ _; do
		[ "$res" = PASS ] && continue
		echo "compare: ours $n: $res"
		bad=$((bad + 1))
	done < "$ours"
	accepted=0 guest=""
	while IFS=$'\t' read -r n res _ _ _ reason; do
		[ "$res" = FAIL ] || continue
		if [ "$n" = guest ]; then
			guest=$reason
			continue
		fi
		d=$(declared "$n")
		case $reason in
		*Oops*)
			if [ -n "$d" ]; then
				echo "compare: stock $n: expected ($d)"
				accepted=$((accepted + 1))
				continue
			fi ;;
		esac
		echo "compare: stock $n: UNEXPECTED failure: $reason"
		bad=$((bad + 1))
	done < "$stock"
	if [ -n "$guest" ]; then
		case $guest in
		*Oops*) [ "$accepted" -gt 0 ] || { echo "compare: stock guest: UNEXPECTED Oops"; bad=$((bad + 1)); } ;;
		*) echo "compare: stock guest: UNEXPECTED failure: $guest"; bad=$((bad + 1)) ;;
		esac
	fi
	echo "compare: $accepted expected stock failure(s), $bad unexpected result(s)"
fi

# The data each namespace gives its user (the scenarios' "datasize"
# notes): ours must never give less than stock.
sd=${stock%.tsv}.datasize od=${ours%.tsv}.datasize
[ -s "$sd" ] || exit $((bad > 0))
printf '\n%-16s %-34s %14s %14s %s\n' SCENARIO NAMESPACE "stock bytes" "ours bytes" ""
smaller=0
while IFS=$'\t' read -r n key sb; do
	ob=$(awk -F'\t' -v n="$n" -v k="$key" '$1 == n && $2 == k { print $3 }' "$od" 2> /dev/null | head -n 1)
	flag=""
	if [ -z "$ob" ]; then
		flag="(no ours)"
	elif [ "$ob" -lt "$sb" ]; then
		flag="OURS SMALLER"
		smaller=$((smaller + 1))
	elif [ "$ob" -gt "$sb" ]; then
		flag="+$(( (ob - sb) >> 10 )) KiB"
	fi
	printf '%-16s %-34s %14s %14s %s\n' "$n" "$key" "$sb" "${ob:--}" "$flag"
done < "${sd}"
if [ "$smaller" -gt 0 ]; then
	echo "compare: $smaller namespace(s) give less data on ours than on stock"
	exit 1
fi
exit $((bad > 0))
