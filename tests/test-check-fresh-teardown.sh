#!/bin/bash
# test-check-fresh-teardown.sh CHECK_FRESH: tools/check-fresh's teardown
# (its --teardown-test mode: the directory, a tmpfs and a bind mount in it,
# then the teardown of every exit path), in a private mount namespace, with
# CHECK_FRESH_PARENT canonical, through a symbolic link, and relative.
# Each time: nothing is left mounted under the parent, the directory is
# gone, and what was bind-mounted in it is intact.  And with umount made to
# fail: the teardown says so, exits 1 and removes nothing.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

check_fresh=$(realpath "$1")
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
  echo "test-check-fresh-teardown: needs root and unshare (mounts in a private namespace)" >&2
  [ "${GVIR_EVENTS_REQUIRE_HYPERVISOR:-}" = 1 ] && exit 1
  exit 77
fi
if [ -z "${TEARDOWN_IN_NS:-}" ]; then
  # everything below runs in a mount namespace of its own: no mount it
  # makes is seen by (or left to) the host
  TEARDOWN_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

top=$(mktemp -d /tmp/test-check-fresh-teardown.XXXXXX)
cleanup () {
  local m
  for m in $(awk -v d="$top" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | tac); do
    umount -l "$m"
  done
  rm -rf --one-file-system "$top"
}
trap cleanup EXIT
mkdir "$top/parent" "$top/precious" "$top/fake-bin" "$top/cwd"
echo "keep me" > "$top/precious/device-node"
ln -s "$top/parent" "$top/link-to-parent"
# umount that cannot unmount anything (for the refusal)
printf '#!/bin/sh\necho "umount: refused by the test" >&2\nexit 32\n' > "$top/fake-bin/umount"
chmod 755 "$top/fake-bin/umount"

failures=0
fail () { echo "FAIL: $*"; failures=$((failures + 1)); }
mounted_under () { awk -v d="$1" 'index($5, d "/") == 1 || $5 == d { print $5 }' /proc/self/mountinfo; }

run () {
  # run NAME PARENT [PATH-PREFIX]: check-fresh --teardown-test; its status
  local name=$1 parent=$2 prefix=${3:-} status
  echo "--- $name: CHECK_FRESH_PARENT=$parent"
  (cd "$top/cwd" && PATH="$prefix${prefix:+:}$PATH" CHECK_FRESH_PARENT=$parent \
     CHECK_FRESH_TEST_BIND=$top/precious timeout 60 "$check_fresh" --teardown-test) \
    > "$top/out" 2>&1
  status=$?
  sed 's/^/  | /' "$top/out"
  return $status
}

for c in "canonical $top/parent" "symlinked $top/link-to-parent" "relative ../link-to-parent/." \
         "relative-plain ../parent"; do
  set -- $c
  run "$1" "$2"; status=$?
  [ $status -eq 0 ] || fail "$1: status $status"
  grep -q '^check-fresh: PASSED: teardown test' "$top/out" || fail "$1: no verdict line"
  m=$(mounted_under "$top/parent")
  [ -z "$m" ] || { fail "$1: still mounted under the parent: $m"; umount -R "$top/parent"/* 2>/dev/null; }
  left=$(ls -A "$top/parent")
  [ -z "$left" ] || { fail "$1: left in the parent: $left"; rm -rf --one-file-system "$top/parent"/*; }
  [ "$(cat "$top/precious/device-node" 2>/dev/null)" = "keep me" ] ||
    { fail "$1: the bind-mounted directory's file was removed"; echo "keep me" > "$top/precious/device-node"; }
done

# a mount that cannot be unmounted: nothing removed, a clear line, status 1
run refusal "$top/link-to-parent" "$top/fake-bin"; status=$?
[ $status -eq 1 ] || fail "refusal: status $status, not 1"
grep -q '^check-fresh: still mounted, NOT removing /' "$top/out" || fail "refusal: no line says so"
grep -q '^check-fresh: FAILED: could not unmount everything under /' "$top/out" || fail "refusal: verdict"
[ "$(cat "$top/precious/device-node" 2>/dev/null)" = "keep me" ] || fail "refusal: the bind-mounted file was removed"
[ -n "$(ls -A "$top/parent")" ] || fail "refusal: the directory was removed with mounts in it"

[ $failures -eq 0 ] && echo "test-check-fresh-teardown: ok"
exit $((failures > 0))
