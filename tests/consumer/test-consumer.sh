#!/bin/bash
# test-consumer.sh: programs built outside the tree find the library, from
# the build tree and from an installed copy.  No hypervisor: libvirt's test
# driver (test:///default).
#
#   test-consumer.sh MESON SOURCE_ROOT BUILD_ROOT
#
# 1. build tree, through `meson devenv`: consumer.c compiled with
#    pkg-config (the uninstalled .pc in meson-uninstalled/) with -Wall
#    -Wextra -Werror, and run; consumer.py and consumer.js (GJS) run;
#    consumer.vala compiled with valac --pkg (vapi found through
#    XDG_DATA_DIRS), and run
# 2. a copy installed with meson install --destdir into a private prefix:
#    consumer.c compiled with its .pc found through PKG_CONFIG_PATH alone
#    (the .pc is relocatable) and run with LD_LIBRARY_PATH; consumer.py run with GI_TYPELIB_PATH and
#    LD_LIBRARY_PATH; and without LD_LIBRARY_PATH it fails with the error
#    README.md quotes
# Each run must print the two lifecycle events its suspend and resume make.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

meson=$1 src=$2 build=$3
here=$src/tests/consumer
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# what the test runner set for the other tests must not help
unset LD_LIBRARY_PATH GI_TYPELIB_PATH PKG_CONFIG_PATH XDG_DATA_DIRS
python=/usr/bin/python3
status=0

check () {   # check NAME COMMAND...: COMMAND must print the two events
  local out
  if out=$("${@:2}" 2>&1) &&
     grep -q '^test: lifecycle suspended (paused) \[' <<<"$out" &&
     grep -q '^test: lifecycle resumed (unpaused) \[' <<<"$out"; then
    echo "ok: $1"
  else
    echo "FAIL: $1:"
    echo "$out"
    status=1
  fi
}

devenv () { "$meson" devenv -C "$build" "$@"; }

# 1. the build tree
check "C, uninstalled .pc" devenv sh -c \
  'cc -Wall -Wextra -Werror -o "$1/c-build" "$2/consumer.c" $(pkg-config --cflags --libs libvirt-gevents-1.0) && "$1/c-build"' \
  sh "$scratch" "$here"
check "Python in meson devenv" devenv "$python" "$here/consumer.py"
check "GJS in meson devenv" devenv gjs -m "$here/consumer.js"
if command -v valac >/dev/null && [ -e "$build/vapi/libvirt-gevents-1.0.vapi" ]; then
  check "Vala in meson devenv" devenv sh -c \
    'valac --pkg libvirt-gevents-1.0 -X -w -d "$1" -o vala-build "$2/consumer.vala" && "$1/vala-build"' \
    sh "$scratch" "$here"
else
  echo "FAIL: no valac or no vapi in the build: Vala not tested"
  status=1
fi

# 2. an installed copy in a private prefix
dest=$scratch/dest
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
libdir=$("$meson" introspect --buildoptions "$build" | "$python" -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(os.path.join(o["prefix"], o["libdir"]))')
# the README's recipe as it stands: PKG_CONFIG_PATH alone, no .pc rewritten
# (the installed .pc is relocatable: its prefix is where it lies)
if ! grep -q '^prefix=${pcfiledir}' "$dest$libdir/pkgconfig/libvirt-gevents-1.0.pc"; then
  echo "FAIL: the installed .pc names a fixed prefix: this build dir predates"
  echo "      pkgconfig.relocatable=true (meson configure -Dpkgconfig.relocatable=true $build)"
  status=1
fi
check "C, installed copy (--destdir), PKG_CONFIG_PATH only" \
  env PKG_CONFIG_PATH="$dest$libdir/pkgconfig" sh -c \
  'cc -Wall -Wextra -Werror -o "$1/c-installed" "$2/consumer.c" $(pkg-config --cflags --libs libvirt-gevents-1.0) &&
   LD_LIBRARY_PATH="$3" "$1/c-installed"' \
  sh "$scratch" "$here" "$dest$libdir"
check "Python, installed copy" env GI_TYPELIB_PATH="$dest$libdir/girepository-1.0" \
  LD_LIBRARY_PATH="$dest$libdir" "$python" "$here/consumer.py"
# the error a user meets without LD_LIBRARY_PATH (README.md quotes it)
if out=$(GI_TYPELIB_PATH="$dest$libdir/girepository-1.0" "$python" -c '
import gi
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import LibvirtGEvents
LibvirtGEvents.DomainEvents.get_for_domain(None)' 2>&1); then
  echo "FAIL: the installed library was found without LD_LIBRARY_PATH (is it installed system-wide?)"
  status=1
elif grep -q "Failed to load shared library 'libvirt-gevents-1.0.so.0' referenced by the typelib" <<<"$out" &&
     grep -q 'Could not locate gvir_domain_events_get_for_domain' <<<"$out"; then
  echo "ok: without LD_LIBRARY_PATH, PyGObject says:"
  echo "$out"
else
  echo "FAIL: without LD_LIBRARY_PATH, not the error README.md quotes:"
  echo "$out"
  status=1
fi
exit $status
