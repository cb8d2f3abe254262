#!/bin/bash
# test-check-symbols.sh CHECK_SYMBOLS BUILDDIR: tools/check-symbols finds
# each kind of disagreement, given doctored copies of libvirt-gevents.sym
# next to the real build:
#
#   - a name the library exports and the headers declare left out: it is
#     named as not in libvirt-gevents.sym;
#   - a name nothing else has: named as not exported, not declared;
#   - a name of the 0.2.0 node moved into 0.1.0: named as exported in
#     another version;
#   - a name twice: named as twice;
# each time exit 1; and the real file: exit 0.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

check_symbols=$1 build=$2
sym=$(cd "$(dirname "$check_symbols")/.." && pwd)/libvirt-gevents/libvirt-gevents.sym
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

expect () {   # expect NAME STATUS PATTERN SED-SCRIPT
  local name=$1 want=$2 pattern=$3 out status=0
  sed -e "$4" "$sym" > "$scratch/$name.sym"
  if cmp -s "$sym" "$scratch/$name.sym" && [ "$name" != same ]; then
    echo "FAIL: $name: the doctoring changed nothing"; failures=$((failures + 1)); return
  fi
  out=$(/usr/bin/python3 "$check_symbols" "$build" --sym "$scratch/$name.sym" 2>&1) || status=$?
  if [ "$status" -ne "$want" ] || ! grep -qE "$pattern" <<<"$out"; then
    echo "FAIL: $name: status $status (want $want), output:"; echo "$out"
    failures=$((failures + 1))
  else
    echo "ok: $name: status $status, $(grep -m 1 -E "$pattern" <<<"$out")"
  fi
}

expect left-out 1 '^check-symbols: gvir_event_log_clear: .*but not in libvirt-gevents\.sym' \
  '/^    gvir_event_log_clear;$/d'
expect unknown 1 '^check-symbols: gvir_no_such_function: in libvirt-gevents\.sym, but not exported by the library; not declared' \
  's/^    gvir_event_log_clear;$/&\n    gvir_no_such_function;/'
expect wrong-node 1 '^check-symbols: gvir_event_log_new: exported in version LIBVIRT_GEVENTS_0\.2\.0, libvirt-gevents\.sym puts it in LIBVIRT_GEVENTS_0\.1\.0' \
  '/^    gvir_event_log_new;$/d; s/^    gvir_event_get_type;$/&\n    gvir_event_log_new;/'
expect twice 1 '^check-symbols: gvir_event_get_type is twice in libvirt-gevents\.sym' \
  's/^    gvir_event_get_kind;$/&\n    gvir_event_get_type;/'
expect same 0 '^check-symbols: [0-9]+ functions agree' ''

[ "$failures" -eq 0 ] && echo "test-check-symbols: ok"
exit $((failures > 0))
