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
