#!/usr/bin/env python3
# run-example.py: run one example program and check what it printed.
#
#   run-example.py [--expect FILE] [--stderr-regex RE] [--status N]
#                  [--sigint | --sigint-after N] [--guest SCENARIO]
#                  [--timeout S] -- PROGRAM [ARGS...]
#
# --expect FILE      stdout must be exactly FILE's lines (in order, no more)
# --stderr-regex RE  every stderr line that is not the "Watching ..." banner
#                    must match RE, and at least one must; without it stderr
#                    must hold nothing but the banner (so a Python traceback,
#                    a GLib warning or a GJS error fails the test)
# --status N         expected exit status (default 0)
# --sigint           wait for the banner (the program is subscribed and in
#                    its main loop), send SIGINT, and expect a clean exit
# --sigint-after N   send SIGINT once the program printed N lines
# --guest SCENARIO   run under tests/integration/hv-harness: a real QEMU
#                    guest for SCENARIO (watchdog, io-error, vnc, watermark,
#                    restart: a watchdog guest whose daemon is killed and
#                    started again under the program),
#                    booted once the program is listening (see Guest);
#                    @URI@, @DOMAIN@, @NBD_EXPORT@, @DATA@, @VNC_PORT@ and
#                    @CLIENT_PORT@ in the program's arguments and in the
#                    expected file are replaced by the guest's values
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
import shutil
import signal
import subprocess
import sys
import time

BANNER = re.compile(r"^Watching .*, Ctrl-C to stop$")


def run(argv, timeout, on_ready=None, sigint_after=None, on_output=None):
    """Run argv; call on_ready(proc) once it printed its banner (it is
    subscribed and about to run its main loop), send it SIGINT once it
    printed sigint_after lines.  Return (status, stdout lines, stderr lines,
    timed_out)."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = b"", b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    deadline = time.monotonic() + timeout
    ready = interrupted = timed_out = False
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
        if not ready and any(BANNER.match(line)
                             for line in err.decode(errors="replace").splitlines()):
            ready = True
            if on_ready:
                on_ready(proc)
        if ready and on_output:
            on_output(out.decode(errors="replace").splitlines())
        if (ready and not interrupted and sigint_after is not None
                and out.count(b"\n") >= sigint_after):
            proc.send_signal(signal.SIGINT)
            interrupted = True
    status = proc.wait()
    if not ready and not timed_out and (on_ready or sigint_after is not None):
        print("run-example: the program exited before printing its banner")
    return (status, out.decode(errors="replace").splitlines(),
            err.decode(errors="replace").splitlines(), timed_out)


class Guest:
    """--guest SCENARIO: a real QEMU guest on the private libvirtd that
    tests/integration/hv-harness started (it describes it in GVIR_EVENTS_*
    variables).  Usually the domain is defined before the program starts
    and booted once the program is listening, so the program hears
    everything from "started" on; the boot-sector guest then makes the
    event happen.  For a watermark the guest must run before the program
    can set one: it is booted first, and keeps writing to its disk."""

    def __init__(self, scenario):
        import libvirt
        import uuid

        env = os.environ
        self.uri = env["GVIR_EVENTS_TEST_URI"]
        self.name = f"{env['GVIR_EVENTS_DOMAIN_PREFIX']}example-{scenario}-{os.getpid()}"
        self.scenario = scenario
        self.values = {"URI": self.uri, "DOMAIN": self.name,
                       "NBD_EXPORT": env.get("GVIR_EVENTS_NBD_EXPORT", "")}
        boot_first = False
        boot_image = None
        if scenario in ("watchdog", "restart"):
            # the ib700 watchdog, armed by the guest for 2 s, fires once
            mode, devices = "watchdog", [("watchdog", {"ACTION": "none"})]
        elif scenario == "watchdog-pause":
            # the same, and QEMU pauses the guest when it fires; a copy of
            # the boot image (QEMU locks it: a "watchdog" guest may run too)
            mode, devices = "watchdog", [("watchdog", {"ACTION": "pause"})]
            boot_image = os.path.join(env["GVIR_EVENTS_TEST_DIR"], f"example-wdp-{os.getpid()}.img")
            shutil.copyfile(os.path.join(env["GVIR_EVENTS_GUEST_DIR"], "guest-watchdog.img"), boot_image)
        elif scenario == "io-error":
            # the guest reads a disk whose every read fails with EIO, and
            # the disk's error policy reports the error to the guest
            mode, devices = "ioerror", [("nbd-disk", {
                "POLICY": "report", "TARGET": "hdb", "BUS": "ide",
                "NBD_EXPORT": self.values["NBD_EXPORT"],
                "NBD_SOCKET": env["GVIR_EVENTS_NBD_SOCKET"]})]
        elif scenario == "vnc":
            # an idle guest with a VNC server; start() plays a VNC client
            mode, devices = "idle", [("vnc", {})]
        elif scenario == "watermark":
            # the guest writes bytes 8192..8703 of its disk hdb, 18 times a
            # second: a 4096-byte watermark is crossed by 4608 bytes
            data = os.path.join(env["GVIR_EVENTS_TEST_DIR"], f"example-wm-{os.getpid()}.img")
            with open(data, "wb") as f:
                f.truncate(1 << 20)
            self.values["DATA"] = data
            mode, devices = "diskwrite", [("file-disk", {
                "PATH": data, "TARGET": "hdb", "FORMAT": "raw", "BUS": "ide"})]
            boot_first = True
        else:
            raise SystemExit(f"unknown scenario {scenario}")

        def template(name, values):
            path = os.path.join(env["GVIR_EVENTS_DOMAIN_DIR"], name + ".xml")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for key, value in values.items():
                text = text.replace(f"@{key}@", value)
            return text

        xml = template("guest", {
            "NAME": self.name, "UUID": str(uuid.uuid4()),
            "BOOT_IMAGE": boot_image or os.path.join(env["GVIR_EVENTS_GUEST_DIR"], f"guest-{mode}.img"),
            "EXTRA": "",
            "DEVICES": "".join(template(name, values) for name, values in devices),
        })
        self.conn = libvirt.open(self.uri)
        self.domain = self.conn.defineXML(xml)
        self.booted = False
        if boot_first:
            self.boot()

    def boot(self):
        self.domain.create()
        self.booted = True

    def progress(self, lines):
        """restart: once the watchdog fired, kill -9 the daemon (the
        harness's control FIFO), start it again, and once the program says
        it reconnected, pause and resume the guest (QEMU kept running): the
        same handlers must hear it."""
        if self.scenario != "restart":
            return
        step = getattr(self, "step", 0)
        if step == 0 and any(line.startswith("watchdog:") for line in lines):
            self.control("kill")
            self.step = 1
        elif step == 1 and "link: disconnected (eof)" in lines:
            self.control("start")
            self.step = 2
        elif step == 2 and "link: reconnected" in lines:
            import libvirt
            self.conn = libvirt.open(self.uri)      # the old one died with the daemon
            self.domain = self.conn.lookupByName(self.name)
            self.domain.suspend()
            self.domain.resume()
            self.step = 3

    @staticmethod
    def control(command):
        with open(os.environ["GVIR_EVENTS_CONTROL"], "w") as fifo:
            fifo.write(command + "\n")

    def start(self, proc):
        """The program is listening: make the events happen."""
        if not self.booted:
            self.boot()
        if self.scenario == "vnc":
            self.vnc_client()

    def vnc_client(self):
        """Connect to the guest's VNC server, do the RFB 3.8 handshake with
        security type None (connect, then initialize events), and close
        (disconnect event)."""
        import socket
        import xml.etree.ElementTree as ET

        port = int(ET.fromstring(self.domain.XMLDesc()).find("devices/graphics").get("port"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            self.values["VNC_PORT"] = str(port)
            self.values["CLIENT_PORT"] = str(sock.getsockname()[1])

            def recv(n):
                data = b""
                while len(data) < n:
                    chunk = sock.recv(n - len(data))
                    if not chunk:
                        raise SystemExit("the VNC server closed the connection")
                    data += chunk
                return data

            if not recv(12).startswith(b"RFB "):
                raise SystemExit("not a VNC server")
            sock.sendall(b"RFB 003.008\n")
            if 1 not in recv(recv(1)[0]):
                raise SystemExit("the VNC server wants authentication")
            sock.sendall(bytes([1]))                    # security type None
            if recv(4) != bytes(4):
                raise SystemExit("the VNC server refused us")
            sock.sendall(bytes([1]))                    # ClientInit: shared
            server_init = recv(24)
            recv(int.from_bytes(server_init[20:24], "big"))   # desktop name

    def remove(self):
        try:
            if self.domain.isActive():
                self.domain.destroy()
            self.domain.undefine()
        finally:
            self.conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect")
    parser.add_argument("--stderr-regex")
    parser.add_argument("--status", type=int, default=0)
    parser.add_argument("--sigint", action="store_true")
    parser.add_argument("--sigint-after", type=int, metavar="N")
    parser.add_argument("--guest", choices=["io-error", "vnc", "watchdog", "watermark", "restart"])
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("argv", nargs="+")
    args = parser.parse_args()

    guest = Guest(args.guest) if args.guest else None
    values = guest.values if guest else {}   # grows while the guest runs

    def substitute(text):
        for key, value in values.items():
            text = text.replace(f"@{key}@", value)
        return text

    argv = [substitute(arg) for arg in args.argv]
    print("run-example: " + " ".join(argv))
    try:
        status, out, err, timed_out = run(
            argv, args.timeout, on_ready=guest.start if guest else None,
            sigint_after=0 if args.sigint else args.sigint_after,
            on_output=guest.progress if guest else None)
    finally:
        if guest:
            guest.remove()
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
            expected = substitute(f.read()).splitlines()
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
