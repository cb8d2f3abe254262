# Sourced by the tests: a scratch directory, and check_events, which runs a
# consumer and wants its two lifecycle events on standard output.
set -eu
scratch=${AUTOPKGTEST_TMP:-$(mktemp -d)}
[ -n "${AUTOPKGTEST_TMP:-}" ] || trap 'rm -rf "$scratch"' EXIT
# nothing of a build tree may help: the installed packages only
unset LD_LIBRARY_PATH GI_TYPELIB_PATH PKG_CONFIG_PATH XDG_DATA_DIRS

check_events () {   # check_events NAME COMMAND...
    local name=$1 out status=0
    shift
    out=$(timeout 60 "$@" 2>&1) || status=$?
    echo "$out"
    if [ "$status" -ne 0 ]; then
        echo "FAIL: $name exited with status $status"
        exit 1
    fi
    if ! grep -q '^test: lifecycle suspended (paused) \[lifecycle\]$' <<<"$out" ||
       ! grep -q '^test: lifecycle resumed (unpaused) \[lifecycle\]$' <<<"$out"; then
        echo "FAIL: $name did not print the suspended and resumed events"
        exit 1
    fi
    echo "ok: $name"
}
