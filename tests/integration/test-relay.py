#!/usr/bin/python3
# test-relay.py: hv-harness's fault-injecting relay (GVIR_EVENTS_RELAY_SOCKET
# and GVIR_EVENTS_RELAY_CONTROL), through the daemon's test driver.
#
#   hv-harness run -- python3 test-relay.py
#
# Each command is checked for the effect its reply promises, on real
# libvirt connections through the relay: a link works and is counted;
# "drop" breaks it at once while new ones work; "stall" holds a new
# connection's handshake for its seconds (or until "release"); "freeze"
# holds a call in flight, closing nothing, and "release" lets it finish;
# "links" leaves out a connection closed while frozen (a close the relay
# has not read).  A python3 without the libvirt module skips (77).
# Blocking calls run in threads with a time limit: a relay that hangs
# them is a failure, not a hung test.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import socket
import sys
import threading
import time

SKIP = 77

try:
    import libvirt
except ImportError:
    # python3 of PATH may not be the system's (pyenv): meson runs /usr/bin/python3
    print(f"test-relay: no libvirt module in {sys.executable} (Debian package "
          "python3-libvirt)", file=sys.stderr)
    sys.exit(1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def relay(command):
    """One command on the control socket: its reply line."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(os.environ["GVIR_EVENTS_RELAY_CONTROL"])
        s.sendall(command.encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            data = s.recv(256)
            check(data, f"relay: {command!r}: the control socket closed without a reply "
                  f"({reply!r})")
            reply += data
    finally:
        s.close()
    print(f"test-relay: {command} -> {reply.decode().strip()}", flush=True)
    return reply.decode().strip()


def links():
    reply = relay("links")
    check(reply.startswith("ok ") and reply[3:].isdigit(), f"links: {reply!r}")
    return int(reply[3:])


def in_thread(fn):
    """Start fn() in a thread; a dict that gets its "result" or "error"
    and, once it returned, "time" (seconds it took) and "done"."""
    out = {"done": threading.Event()}

    def run():
        start = time.monotonic()
        try:
            out["result"] = fn()
        except Exception as e:
            out["error"] = e
        out["time"] = time.monotonic() - start
        out["done"].set()
    threading.Thread(target=run, daemon=True).start()
    return out


def finished(out, timeout, what):
    check(out["done"].wait(timeout), f"{what}: still running after {timeout} s")
    check("error" not in out, f"{what}: {out.get('error')}")
    return out["result"]


def main():
    path = os.environ.get("GVIR_EVENTS_RELAY_SOCKET")
    if not path or not os.environ.get("GVIR_EVENTS_RELAY_CONTROL"):
        # an external daemon (GVIR_EVENTS_TEST_URI): the harness has no relay
        print("test-relay: no relay (the harness's private daemon only)", file=sys.stderr)
        return SKIP
    uri = f"test+unix:///default?socket={path}"
    libvirt.registerErrorHandler(lambda ctx, err: None, None)

    # (a) a connection through the relay works, and is a live link
    check(links() == 0, "links before any connection")
    conn = libvirt.open(uri)
    check(conn.lookupByName("test").name() == "test", "lookupByName through the relay")
    check(links() == 1, "one connection, one link")
    version = conn.getLibVersion()

    for bad, want in (("bogus", "error unknown command"), ("", "error unknown command"),
                      ("stall", "error "), ("stall soon", "error "), ("stall -1", "error ")):
        reply = relay(bad)
        check(reply.startswith(want), f"{bad!r}: {reply!r}, not {want!r}")
    check(conn.getLibVersion() == version, "the link after bad commands")

    # (b) drop: the link is gone at once, a new connection works
    check(relay("drop") == "ok 1", "drop closes the one link")
    check(links() == 0, "links after drop")
    try:
        conn.getLibVersion()
        raise AssertionError("a call on a dropped connection succeeded")
    except libvirt.libvirtError as e:
        print(f"test-relay: the dropped connection: {e}", flush=True)
    deadline = time.monotonic() + 5
    while conn.isAlive() and time.monotonic() < deadline:
        time.sleep(0.05)
    check(not conn.isAlive(), "isAlive() on a dropped connection")
    try:
        conn.close()
    except libvirt.libvirtError:
        pass
    conn = libvirt.open(uri)
    check(conn.lookupByName("test").name() == "test", "a new connection after drop")
    check(links() == 1, "links after a new connection")

    # (c) stall: a new connection hangs in its handshake for the stall's
    # seconds, held but counted; current links are untouched
    check(relay("stall 2") == "ok", "stall 2")
    opening = in_thread(lambda: libvirt.open(uri))
    time.sleep(0.5)
    check(not opening["done"].is_set(), "libvirt.open() returned during a stall")
    check(links() == 2, "a held connection is a link")
    check(conn.getLibVersion() == version, "a current link during a stall")
    stalled = finished(opening, 10, "libvirt.open() after stall 2")
    check(opening["time"] >= 1.5, f"libvirt.open() took {opening['time']:.2f} s in a 2 s stall")
    check(stalled.getLibVersion() == version, "the stalled connection once through")
    stalled.close()

    # ... and "release" ends it early
    check(relay("stall 60") == "ok", "stall 60")
    opening = in_thread(lambda: libvirt.open(uri))
    time.sleep(1)
    check(not opening["done"].is_set(), "libvirt.open() returned during a stall")
    check(relay("release") == "ok", "release")
    released = finished(opening, 3, "libvirt.open() after release")
    check(opening["time"] < 10, f"libvirt.open() took {opening['time']:.2f} s")
    released.close()

    # (d) freeze: a call in flight gets no answer, nothing is closed;
    # release lets it finish
    # the two closes just made, counted out at once (not yet read by the relay)
    check(links() == 1, "links before freeze")
    check(relay("freeze") == "ok", "freeze")
    call = in_thread(conn.getLibVersion)
    time.sleep(1)
    check(not call["done"].is_set(), f"getLibVersion() returned across a frozen link: {call}")
    check(links() == 1, "freeze closed a link")
    # a close is not passed on through a frozen relay, but no longer counted
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.connect(path)
    check(links() == 2, "a new connection to a frozen relay is a link")
    raw.close()
    check(links() == 1, "a connection closed during freeze still counted")
    opening = in_thread(lambda: libvirt.open(uri))
    time.sleep(0.5)
    check(not opening["done"].is_set(), "libvirt.open() through a frozen relay returned")
    check(relay("release") == "ok", "release")
    check(finished(call, 3, "getLibVersion() after release") == version,
          "getLibVersion() after release")
    thawed = finished(opening, 3, "libvirt.open() after release")
    check(thawed.lookupByName("test").name() == "test", "a connection made during freeze")
    check(links() == 2, "links after release")
    thawed.close()
    conn.close()
    print("test-relay: ok", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, libvirt.libvirtError) as e:
        print(f"test-relay: FAIL: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
