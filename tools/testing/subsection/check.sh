#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the stages of `make check` (or of `make check-arm64`) in order, every
# one even when an earlier one failed, print how long each took, then the
# one-line summary (summary.sh), and fail if any stage failed.
# Usage: check.sh LOGDIR STAGE...
#
# A stage is a make target; its exit status is left in LOGDIR/stage-NAME.rc
# for summary.sh.  The stages run one after the other: each kernel build
# keeps both cores busy, and so does a TCG guest with two vCPUs (two guests
# side by side each ran more than twice as slowly as alone).
set -u

logs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
make=${MAKE:-make}
mkdir -p "$logs"
for s in "$@"; do
	rm -f "$logs/stage-$s.rc"
done
for s in "$@"; do
	start=$(date +%s)
	"$make" --no-print-directory "$s"
	echo $? > "$logs/stage-$s.rc"
	echo "check: stage $s done in $(( $(date +%s) - start )) s"
done
exec "$here/summary.sh" "$logs" "$@"
