#!/usr/bin/env python3
# run-example.py: run one example program and check what it printed.
#
#   run-example.py [--expect FILE] [--stderr-regex RE] [--status N]
#                  [--sigint] [--timeout S] -- PROGRAM [ARGS...]
#
# --expect FILE      stdout must be exactly FILE's lines (in order, no more)
# --stderr-regex RE  every stderr line that is not the "Watching ..." banner
#                    must match RE, and at least one must; without it stderr
#                    must hold nothing but the banner (so a Python traceback,
#                    a GLib warning or a GJS error fails the test)
# --status N         expected exit status (default 0)
# --sigint           wait for the banner (the program is subscribed and in
#                    its main loop), send SIGINT, and expect a clean exit
#
# The examples only print events; --count N makes them exit by themselves
# after N, so a missing event shows up as a timeout and an extra one as a
# diff.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import difflib
import os
import re
import selectors
import signal
import subprocess
import sys
import time

BANNER = re.compile(r"^Watching .*, Ctrl-C to stop$")


def run(argv, timeout, sigint):
    """Run argv; return (status, stdout lines, stderr lines, timed_out)."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = b"", b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    deadline = time.monotonic() + timeout
    interrupted = False
    timed_out = False
    while sel.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            proc.kill()
            break
        for key, _ in sel.select(min(left, 0.5)):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
            elif key.data == "out":
                out += chunk
            else:
                err += chunk
        if sigint and not interrupted and any(
                BANNER.match(line) for line in err.decode(errors="replace").splitlines()):
            proc.send_signal(signal.SIGINT)
            interrupted = True
    status = proc.wait()
    if sigint and not interrupted and not timed_out:
        print("run-example: the program exited before it was ready for SIGINT")
    return (status, out.decode(errors="replace").splitlines(),
            err.decode(errors="replace").splitlines(), timed_out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect")
    parser.add_argument("--stderr-regex")
    parser.add_argument("--status", type=int, default=0)
    parser.add_argument("--sigint", action="store_true")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("argv", nargs="+")
    args = parser.parse_args()

    print("run-example: " + " ".join(args.argv))
    status, out, err, timed_out = run(args.argv, args.timeout, args.sigint)
    for line in out:
        print("stdout: " + line)
    for line in err:
        print("stderr: " + line)

    ok = True
    if timed_out:
        print(f"FAIL: still running after {args.timeout:g} s (an event missing?)")
        ok = False
    elif status != args.status:
        print(f"FAIL: exit status {status}, expected {args.status}")
        ok = False

    expected = []
    if args.expect:
        with open(args.expect, encoding="utf-8") as f:
            expected = f.read().splitlines()
    if out != expected:
        print("FAIL: stdout differs from what was expected:")
        sys.stdout.writelines(difflib.unified_diff(
            [line + "\n" for line in expected], [line + "\n" for line in out],
            "expected", "printed"))
        ok = False

    others = [line for line in err if not BANNER.match(line)]
    if args.stderr_regex:
        unexpected = [line for line in others if not re.search(args.stderr_regex, line)]
        if not others:
            print(f"FAIL: nothing on stderr matches {args.stderr_regex!r}")
            ok = False
    else:
        unexpected = others
    for line in unexpected:
        print(f"FAIL: unexpected on stderr: {line}")
        ok = False

    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
