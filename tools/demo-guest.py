#!/usr/bin/python3
# demo-guest.py: real events from real QEMU guests, printed by the Python
# watch-all example.  Run by tools/demo under tests/integration/hv-harness,
# which provides a private libvirtd, a failing NBD disk and the boot-sector
# guests (GVIR_EVENTS_* variables).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import libvirt

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
HARNESS = os.path.join(TOP, "tests", "integration", "hv-harness")
URI = os.environ["GVIR_EVENTS_TEST_URI"]
PREFIX = os.environ.get("GVIR_EVENTS_DOMAIN_PREFIX", "gvirev-")


def say(text):
    print(f"\n--- {text}", flush=True)


def template(name, **values):
    args = [HARNESS, "domain-xml", name] + [f"{k}={v}" for k, v in values.items()]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def guest_xml(name, mode, devices):
    return template("guest", NAME=PREFIX + name, UUID=str(uuid.uuid4()), EXTRA="",
                    BOOT_IMAGE=os.path.join(os.environ["GVIR_EVENTS_GUEST_DIR"], f"guest-{mode}.img"),
                    DEVICES="".join(devices))


def wait(seconds):
    time.sleep(seconds)


def vnc_client(port):
    """Connects, does the RFB 3.8 handshake with security type None, leaves."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        version = s.recv(12)
        s.sendall(version)
        count = s.recv(1)[0]
        s.recv(count)
        s.sendall(b"\x01")          # security type None
        s.recv(4)                   # SecurityResult
        s.sendall(b"\x01")          # ClientInit: shared
        s.recv(24)                  # ServerInit header
        wait(1)


def main():
    env = dict(os.environ)
    watcher = subprocess.Popen(["/usr/bin/python3", os.path.join(TOP, "examples", "python", "watch-all.py"),
                                URI], env=env, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(watcher.stderr.readline())      # "Watching ..., Ctrl-C to stop"
    conn = libvirt.open(URI)
    try:
        say("a guest whose ib700 watchdog (action: pause) fires after 2 seconds, with a VNC server")
        dom = conn.createXML(guest_xml("watchdog", "watchdog", [
            template("watchdog", ACTION="pause"), template("vnc")]), 0)
        wait(4)
        port = int(ET.fromstring(dom.XMLDesc(0)).find("devices/graphics").get("port"))
        say(f"a VNC client connects to port {port}, shakes hands and leaves")
        vnc_client(port)
        wait(1)
        say("virDomainReset: the guest reboots")
        dom.resume()
        dom.reset(0)
        wait(1)
        dom.destroy()
        wait(1)

        say("a guest reading a disk whose every request fails with EIO (policy: report)")
        dom = conn.createXML(guest_xml("ioerror", "ioerror", [
            template("nbd-disk", POLICY="report", NBD_EXPORT=os.environ["GVIR_EVENTS_NBD_EXPORT"],
                     NBD_SOCKET=os.environ["GVIR_EVENTS_NBD_SOCKET"], TARGET="hdb", BUS="ide")]), 0)
        wait(4)
        dom.destroy()
        wait(1)
    finally:
        conn.close()
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
