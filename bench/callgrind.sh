#!/bin/sh
# callgrind.sh BUILDDIR [D] [E]: instructions per delivered event, raw vs
# libvirt-gevents, on libvirt's test driver, and the top entries of the
# library's own path (_gvir_events_hub_dispatch and what it calls).
#
# bench-dispatch toggles callgrind's collection around the timed delivery
# only (CALLGRIND_TOGGLE_COLLECT), so setup, priming and queueing are not
# counted.  Needs valgrind (Debian package valgrind).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

builddir=${1:?usage: callgrind.sh BUILDDIR [D] [E]}
domains=${2:-100}
events=${3:-2000}
bench=$builddir/bench/bench-dispatch
out=$(mktemp -d /tmp/callgrind-gevents.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM

# one warm-up round and one measured round: both are collected
delivered=$((2 * events))

for variant in raw raw+ids gevents; do
    valgrind --tool=callgrind --collect-atstart=no \
        --callgrind-out-file="$out/$variant.out" \
        "$bench" --domains "$domains" --events "$events" --rounds 1 \
        --variants "$variant" > /dev/null 2> "$out/$variant.log" ||
        { cat "$out/$variant.log"; exit 1; }
    total=$(callgrind_annotate "$out/$variant.out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    awk -v v="$variant" -v t="$total" -v n="$delivered" -v d="$domains" 'BEGIN {
        printf "%-8s %12s instructions, %8.0f per event (D=%s, %s events)\n", v, t, t / n, d, n }'
done

echo
echo "# libvirt-gevents' own path, inclusive instructions per event:"
echo "# (callgrind's call counts, left out here, include the uncollected priming)"
callgrind_annotate --tree=calling --inclusive=yes "$out/gevents.out" 2>/dev/null |
    awk -v n="$delivered" '
        /\*  .*:(on_lifecycle|slot_dispatch|_gvir_events_hub_dispatch) / { show = 1 }
        show && /^ *[0-9,]+ / {
            count = $1; gsub(",", "", count)
            name = $0; sub(/^ *[0-9,]+ \([^)]*\) +/, "", name); sub(/ \[.*/, "", name)
            sub(/ \([0-9,]+x\)/, "", name)
            printf "%8.0f  %s\n", count / n, name
        }
        show && /^$/ { show = 0 }'
