#!/bin/bash
# test-check-abi.sh CHECK_ABI BUILDDIR: tools/check-abi notices what it is
# for.  The build is compared with doctored copies of the committed
# baseline, each standing for a release that differed from this build:
#
#   - the baseline has a function the build lacks (a removal): exit 1,
#     abidiff's report names it as removed;
#   - the baseline's gvir_event_log_get_capacity() returned guint64 (a
#     changed function): exit 1, the report says its return type changed;
#   - the baseline's GVIR_DOMAIN_EVENT_KIND_REBOOT was 7 (an enumerator's
#     value changed): exit 1, the report says so;
#   - the baseline's GVirDomainEventKind lacks its last enumerator (the enum
#     grew at its end): exit 0;
#   - the baseline lacks gvir_event_log_clear() (an addition): exit 0, the
#     report names it as added;
#   - the baseline itself: exit 0, "the ABI is the baseline's".
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

check_abi=$1 build=$2
src=$(cd "$(dirname "$check_abi")/.." && pwd)
baseline=$src/abi/libvirt-gevents-1.0.abi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

doctor () {   # doctor NAME PYTHON: a baseline copy; PYTHON makes t from s
  /usr/bin/python3 - "$baseline" "$scratch/$1.abi" "$2" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
env = {"re": re, "s": s,
       "sym": re.search(r"<elf-symbol name='gvir_event_log_clear' [^\n]*\n", s).group(0),
       "decl": re.search(r"    <function-decl name='gvir_event_log_clear' .*?</function-decl>\n", s, re.S).group(0)}
exec(sys.argv[3], env)
assert env["t"] != s, "the doctoring changed nothing"
open(sys.argv[2], "w").write(env["t"])
PY
}
expect () {   # expect NAME STATUS PATTERN: check-abi against NAME.abi
  local name=$1 want=$2 pattern=$3 out status=0
  out=$("$check_abi" --skip-without-debug-info --baseline "$scratch/$name.abi" "$build" 2>&1) || status=$?
  if [ "$status" -eq 77 ]; then echo "$out"; exit 77; fi
  if [ "$status" -ne "$want" ] || ! grep -qE "$pattern" <<<"$out"; then
    echo "FAIL: $name: status $status (want $want), output:"; echo "$out"
    failures=$((failures + 1))
  else
    echo "ok: $name: status $status, $(grep -m 1 -oE "$pattern" <<<"$out")"
  fi
}

# sym and decl: gvir_event_log_clear's ELF symbol and declaration
doctor removed "gone = lambda x: x.replace('gvir_event_log_clear', 'gvir_event_log_gone')
t = s.replace(sym, sym + gone(sym), 1).replace(decl, decl + gone(decl), 1)"
expect removed 1 "1 Removed function"

guint64=$(grep -oE "<typedef-decl name='guint64' type-id='[^']+' id='[^']+'" "$baseline" | sed -E "s/.* id='([^']+)'$/\1/")
if [ -z "$guint64" ]; then
  echo "FAIL: no guint64 in the baseline to doctor with"; failures=$((failures + 1))
else
  doctor changed "t = re.sub(r\"(<function-decl name='gvir_event_log_get_capacity' .*?<return type-id=')[^']+\",
                           lambda m: m.group(1) + '$guint64', s, count=1, flags=re.S)"
  expect changed 1 "return type changed"
fi

# an enumerator's value (GVirDomainEventKind, gvir_event_get_kind()'s type)
doctor enum-value "t = s.replace(\"<enumerator name='GVIR_DOMAIN_EVENT_KIND_REBOOT' value='1'/>\",
                                 \"<enumerator name='GVIR_DOMAIN_EVENT_KIND_REBOOT' value='7'/>\", 1)"
expect enum-value 1 "GVIR_DOMAIN_EVENT_KIND_REBOOT' from value '7' to '1'"

# the enum's last enumerator new in this build: an addition
doctor enum-grown "t = re.sub(r\"(<enum-decl name='GVirDomainEventKind' .*?)\\n *<enumerator [^\\n]*\\n( *</enum-decl>)\",
                              lambda m: m.group(1) + '\\n' + m.group(2), s, count=1, flags=re.S)"
expect enum-grown 0 "check-abi: passed"

doctor added "t = s.replace(sym, '').replace(decl, '')"
expect added 0 "1 Added function"

cp "$baseline" "$scratch/same.abi"
expect same 0 "the ABI is the baseline's"

[ "$failures" -eq 0 ] && echo "test-check-abi: ok"
exit $((failures > 0))
