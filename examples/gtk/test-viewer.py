#!/usr/bin/python3
# test-viewer.py: run the GTK example in a real window and check what its
# widgets show while events happen.  Run by meson under
# tests/integration/hv-harness (a private libvirtd) and xvfb-run:
#
#   test-viewer.py --scenario test-driver|real-guest --png PATH [--memcheck] -- VIEWER...
#
# The viewer runs with GVIR_EVENTS_VIEWER_TEST=1: it answers commands on
# stdin (test-hook.c: rows, log, snapshot PATH, close) with what its column
# view's labels, style classes and icons, and its log pane, hold.
#
# test-driver  the viewer opens libvirt's test driver in the private daemon
#              (test+unix:///default?socket=...); this script, on another
#              connection, suspends and resumes domain "test", defines,
#              starts, destroys and undefines a second domain; then a
#              second viewer given a URI no driver takes must say why in its
#              status line
# real-guest   the viewer opens the private daemon's QEMU driver; four
#              boot-sector guests (examples/run-example.py's Guest: one
#              whose watchdog fires, one whose disk read fails, one with a
#              VNC server, one whose watchdog pauses it) are defined and
#              booted; their rows must show the watchdog and the I/O error
#              as errors, the paused one's State column "paused", then a VNC client
#              coming and going and a reset of the third, and the log those
#              events
#
# Both end by closing the window: the viewer must say that no handler is
# left on the companions it had subscribed to, and exit with status 0 and
# nothing on stderr.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

import libvirt

HERE = os.path.dirname(os.path.abspath(__file__))
# --memcheck (VIEWER is valgrind ... viewer): every wait 10 times longer, and
# valgrind's own lines on stderr (its exit status tells its verdict)
SLOW = 1
VALGRIND_LINE = re.compile(r"^==\d+==")


def run_example_guest():
    """examples/run-example.py's Guest: how the examples' tests make real
    guests raise real events."""
    spec = importlib.util.spec_from_file_location("run_example", os.path.join(HERE, "..", "run-example.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Guest


class Viewer:
    def __init__(self, argv, uri):
        env = dict(os.environ, GVIR_EVENTS_VIEWER_TEST="1")
        env.setdefault("GSK_RENDERER", "cairo")
        self.proc = subprocess.Popen(argv + [uri], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.stderr = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"FAIL: the viewer exited while answering {command!r}: "
                                 + "".join(self.stderr))
            if line == ".\n":
                return lines
            lines.append(line.rstrip("\n"))

    def rows(self):
        """{name: (state, last event, flag)} as the widgets show them."""
        rows = {}
        for line in self.ask("rows"):
            fields = line.split("\t")
            if fields[0] != "row" or len(fields) != 5:
                raise SystemExit(f"FAIL: the viewer answered {line!r}")
            rows[fields[1]] = tuple(fields[2:])
        return rows

    def log(self):
        return [line.split("\t", 1)[1] for line in self.ask("log")]

    def banner(self):
        """{"uri": the header bar's URI, "banner": "shown" or "hidden"}"""
        return dict(line.split("\t", 1) for line in self.ask("banner"))

    def wait_banner(self, what, shown, timeout=30):
        deadline = time.monotonic() + timeout * SLOW
        while True:
            answer = self.banner()
            if answer.get("banner") == ("shown" if shown else "hidden"):
                print(f"ok: {what}: {answer}")
                return answer
            if time.monotonic() > deadline:
                raise SystemExit(f"FAIL: {what}: the window shows {answer}")
            time.sleep(0.2)

    def wait(self, what, check, timeout=30):
        """Ask for the rows until check(rows) holds."""
        deadline = time.monotonic() + timeout * SLOW
        while True:
            rows = self.rows()
            if check(rows):
                print(f"ok: {what}: {rows}")
                return rows
            if time.monotonic() > deadline:
                raise SystemExit(f"FAIL: {what}: the window shows {rows}")
            time.sleep(0.2)


def expect_log(viewer, patterns):
    """The log pane must have lines matching patterns, in that order."""
    log = viewer.log()
    i = 0
    for line in log:
        if i < len(patterns) and re.search(patterns[i], line):
            i += 1
    if i < len(patterns):
        raise SystemExit(f"FAIL: no log line matches {patterns[i]!r} (in order); the log:\n"
                         + "\n".join(log))
    print(f"ok: the log has {len(patterns)} expected lines among {len(log)}")


def test_driver(viewer_argv, png):
    socket = urllib.parse.parse_qs(urllib.parse.urlparse(os.environ["GVIR_EVENTS_TEST_URI"]).query)["socket"][0]
    uri = f"test+unix:///default?socket={socket}"
    viewer = Viewer(viewer_argv, uri)
    conn = libvirt.open(uri)          # our own connection: the viewer's events come from the daemon
    name = os.environ.get("GVIR_EVENTS_DOMAIN_PREFIX", "gvirev-") + "gtk-new"
    try:
        viewer.wait("domain test listed, running", lambda r: r.get("test") == ("running", "", "ok"))
        answer = viewer.wait_banner("the URI in the header bar, no banner", False)
        if answer.get("uri") != uri:
            raise SystemExit(f"FAIL: the header bar says {answer}")
        test = conn.lookupByName("test")
        test.suspend()
        viewer.wait("test paused", lambda r: r["test"][0] == "paused")
        test.resume()
        viewer.wait("test running again", lambda r: r["test"][0] == "running")

        dom = conn.defineXML(f"<domain type='test'><name>{name}</name><memory>65536</memory>"
                             "<os><type>hvm</type></os></domain>")
        viewer.wait("the new domain appears, shut off", lambda r: r.get(name, ("",))[0] == "shutoff")
        dom.create()
        viewer.wait("the new domain running", lambda r: r[name][0] == "running")
        dom.destroy()
        viewer.wait("the new domain shut off", lambda r: r[name][0] == "shutoff")
        dom.undefine()
        viewer.wait("the new domain disappears", lambda r: name not in r and "test" in r)
        expect_log(viewer, [r"^\d\d:\d\d:\d\d  test: lifecycle suspended",
                            r"^\d\d:\d\d:\d\d  test: lifecycle resumed",
                            rf"  {name}: lifecycle defined",
                            rf"  {name}: lifecycle started",
                            rf"  {name}: lifecycle stopped \(destroyed\)",
                            rf"  {name}: lifecycle undefined"])

        # the daemon killed: the banner shows while it is away, and goes
        # once the library reconnected; the rows stay
        control("kill")
        viewer.wait_banner("the host away: the banner", True)
        control("start")
        viewer.wait_banner("reconnected: no banner", False, timeout=60)
        viewer.wait("domain test still listed, running", lambda r: r.get("test") == ("running", "", "ok"))
        snapshot(viewer, png)
        if close(viewer) != 0:
            return 1
    finally:
        if viewer.proc.poll() is None:
            viewer.proc.kill()
        try:
            conn.close()
        except libvirt.libvirtError:
            pass                        # it died with the daemon
    return bad_uri(viewer_argv)


def control(command):
    """kill -9 or start the harness's daemon (its control FIFO)."""
    with open(os.environ["GVIR_EVENTS_CONTROL"], "w") as fifo:
        fifo.write(command + "\n")


def bad_uri(viewer_argv):
    """A URI no driver takes: libvirt's reason in the status line, and a
    window that closes cleanly."""
    viewer = Viewer(viewer_argv, "nosuchdriver:///x")
    try:
        deadline = time.monotonic() + 30 * SLOW
        while True:
            status = viewer.ask("status")
            if status and status[0].startswith("status\tUnable to open nosuchdriver:///x: "):
                print(f"ok: a bad URI: {status[0]}")
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"FAIL: a bad URI: the status line says {status}")
            time.sleep(0.2)
        return close(viewer)
    finally:
        if viewer.proc.poll() is None:
            viewer.proc.kill()


def real_guest(viewer_argv, png):
    Guest = run_example_guest()
    viewer = Viewer(viewer_argv, os.environ["GVIR_EVENTS_TEST_URI"])
    guests = []
    try:
        viewer.wait("the viewer lists the (empty) daemon", lambda r: True)
        guests = [Guest("watchdog"), Guest("io-error"), Guest("vnc"), Guest("watchdog-pause")]
        watchdog, io_error, vnc, paused = (g.name for g in guests)
        viewer.wait("the guests appear, shut off",
                    lambda r: all(r.get(g.name, ("",))[0] == "shutoff" for g in guests))
        for guest in guests:
            guest.boot()
        viewer.wait("the watchdog and the I/O error in their rows, as errors", lambda r:
                    r[watchdog][1:] == ("watchdog fired (none)", "error") and
                    r[io_error][1:] == ("I/O error on hdb (report)", "error") and
                    all(r[g.name][0] == "running" for g in guests[:3]), timeout=60)
        # the watchdog paused the fourth: its State column says so, with no code of ours
        viewer.wait("the guest the watchdog paused reads paused", lambda r:
                    r[paused] == ("paused", "watchdog fired (pause)", "error"), timeout=60)
        expect_log(viewer, [rf"  {watchdog}: watchdog none"])
        expect_log(viewer, [rf"  {io_error}: io-error hdb \(ide0-0-1\) report"])
        guests[2].vnc_client()      # connects, shakes hands, leaves
        viewer.wait("the VNC client, not an error", lambda r:
                    r[vnc][1:] == ("VNC client 127.0.0.1 left", "ok"))
        guests[2].domain.reset()
        viewer.wait("the reboot", lambda r: r[vnc][1:] == ("rebooted", "ok"))
        expect_log(viewer, [rf"  {vnc}: vnc-connected", rf"  {vnc}: vnc-disconnected",
                            rf"  {vnc}: reboot"])
        snapshot(viewer, png)
        return close(viewer)
    finally:
        if viewer.proc.poll() is None:
            viewer.proc.kill()
        for guest in guests:
            guest.remove()


def snapshot(viewer, png):
    if os.path.exists(png):
        os.unlink(png)                  # an old picture must not pass
    answer = viewer.ask(f"snapshot {png}")
    with open(png, "rb") as f:
        header = f.read(24)
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    if answer != [f"saved {png}"] or not header.startswith(b"\x89PNG") or width < 200 or height < 200:
        raise SystemExit(f"FAIL: snapshot: {answer}, {width}x{height}")
    print(f"ok: the window saved as {png} ({width}x{height})")


def close(viewer):
    answer = viewer.ask("close")
    status = viewer.proc.wait(timeout=30 * SLOW)
    for line in viewer.stderr:
        if SLOW > 1 and VALGRIND_LINE.match(line):
            print("valgrind: " + line, end="")
    stderr = [line for line in viewer.stderr if line.strip() and not (SLOW > 1 and VALGRIND_LINE.match(line))]
    if answer != ["closed handlers-left 0"] or status != 0 or stderr:
        print(f"FAIL: close: {answer}, exit status {status}, stderr:\n" + "".join(stderr))
        return 1
    print("ok: the window closed, no handler left, exit status 0, nothing on stderr")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=["test-driver", "real-guest"], required=True)
    parser.add_argument("--png", required=True)
    parser.add_argument("--memcheck", action="store_true", help="the viewer runs under valgrind")
    parser.add_argument("viewer", nargs="+")
    args = parser.parse_args()
    global SLOW
    SLOW = 10 if args.memcheck else 1
    scenario = test_driver if args.scenario == "test-driver" else real_guest
    status = scenario(args.viewer, args.png)
    print("PASS" if status == 0 else "FAIL")
    return status


if __name__ == "__main__":
    sys.exit(main())
