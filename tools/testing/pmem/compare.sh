#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the stock and ours pmem-test results side by side, with the
# reason of every row where the two differ (stock's Oops, say).
# Usage: compare.sh STOCK.tsv OURS.tsv   (written by run.sh into build/logs)
set -eu
stock=${1:?usage: compare.sh STOCK.tsv OURS.tsv}
ours=${2:?}
printf '%-16s | %-6s %5s %15s | %-6s %5s %15s\n' SCENARIO stock secs memmap ours secs memmap
while IFS=$'\t' read -r n res secs mb ma reason; do
	o=$(awk -F'\t' -v n="$n" '$1 == n' "$ours" 2> /dev/null || true)
	IFS=$'\t' read -r _ ores osecs omb oma _ <<< "${o:-x	-	-	-	-	}"
	printf '%-16s | %-6s %5s %15s | %-6s %5s %15s\n' "$n" "$res" "$secs" "$mb->$ma" \
		"$ores" "$osecs" "$omb->$oma"
	[ "$res" = "$ores" ] || printf '%-16s   stock: %.160s\n' "" "$reason"
done < "$stock"

# The data each namespace gives its user (the scenarios' "datasize"
# notes): ours must never give less than stock.
sd=${stock%.tsv}.datasize od=${ours%.tsv}.datasize
[ -s "$sd" ] || exit 0
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
