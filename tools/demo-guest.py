#!/usr/bin/python3
# demo-guest.py: the demo's scenarios, which make real QEMU guests raise
# events.  `gvir-events demo` runs it under tests/integration/hv-harness
# (a private libvirtd, failing NBD disks and the boot-sector guests,
# described by GVIR_EVENTS_* variables) while it prints the events itself.
#
# Add a scenario: write a function taking the libvirt connection, and list
# it in SCENARIOS with the line announcing it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import libvirt

HARNESS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "tests", "integration", "hv-harness")
ENV = os.environ
PREFIX = ENV.get("GVIR_EVENTS_DOMAIN_PREFIX", "gvirev-")


def say(text):
    print(f"\n--- {text}", flush=True)


def template(name, **values):
    args = [HARNESS, "domain-xml", name] + [f"{k}={v}" for k, v in values.items()]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def guest_xml(name, mode, devices):
    return template("guest", NAME=PREFIX + name, UUID=str(uuid.uuid4()), EXTRA="",
                    BOOT_IMAGE=os.path.join(ENV["GVIR_EVENTS_GUEST_DIR"], f"guest-{mode}.img"),
                    DEVICES="".join(devices))


def vnc_client(port):
    """Connects, does the RFB 3.8 handshake with security type None, leaves."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        version = s.recv(12)
        s.sendall(version)
        count = s.recv(1)[0]
        s.recv(count)
        s.sendall(b"\x01")          # security type None
        s.recv(4)                   # SecurityResult
        s.sendall(b"\x01")          # ClientInit: shared
        s.recv(24)                  # ServerInit header
        time.sleep(1)


def watchdog_vnc_reboot(conn):
    dom = conn.createXML(guest_xml("watchdog", "watchdog", [
        template("watchdog", ACTION="pause"), template("vnc")]), 0)
    time.sleep(4)
    port = int(ET.fromstring(dom.XMLDesc(0)).find("devices/graphics").get("port"))
    say(f"our VNC client connects to port {port}, shakes hands and leaves")
    vnc_client(port)
    time.sleep(1)
    say("virDomainReset: the guest reboots")
    dom.resume()
    dom.reset(0)
    time.sleep(1)
    dom.destroy()


def io_error(conn):
    dom = conn.createXML(guest_xml("ioerror", "ioerror", [
        template("nbd-disk", POLICY="report", NBD_EXPORT=ENV["GVIR_EVENTS_NBD_EXPORT"],
                 NBD_SOCKET=ENV["GVIR_EVENTS_NBD_SOCKET"], TARGET="hdb", BUS="ide")]), 0)
    time.sleep(4)
    dom.destroy()


def watermark(conn):
    data = os.path.join(ENV["GVIR_EVENTS_TEST_DIR"], "demo-watermark.img")
    with open(data, "wb") as f:
        f.truncate(1 << 20)
    dom = conn.createXML(guest_xml("watermark", "diskwrite", [
        template("file-disk", PATH=data, TARGET="hdb", FORMAT="raw", BUS="ide")]), 0)
    time.sleep(1)
    # the guest writes bytes 8192..8703 of hdb over and over
    dom.setBlockThreshold("hdb", 4096)
    time.sleep(3)
    dom.destroy()


LINUX_GUEST = os.path.join(os.path.dirname(HARNESS), "linux-guest", "linux-guest.py")


def linux_guest(*args):
    return subprocess.run([sys.executable, LINUX_GUEST] + list(args), check=True,
                          capture_output=True, text=True).stdout.strip()


def guest_users(conn):
    name = linux_guest("start", "linux")
    # gvir-events demo asks the agent every 2 s; its first answer is a baseline
    time.sleep(5)
    say("alice logs on in the guest (utmp), the guest agent tells")
    linux_guest("command", "linux", "login", "alice", "pts/1")
    time.sleep(5)
    say("alice logs off")
    linux_guest("command", "linux", "logout", "alice", "pts/1")
    time.sleep(5)
    conn.lookupByName(name).destroy()


SCENARIOS = [
    ("a guest whose ib700 watchdog (action: pause) fires after 2 seconds, with a VNC server",
     watchdog_vnc_reboot),
    ("a guest reading a disk whose every request fails with EIO (policy: report)", io_error),
    ("a guest writing to its disk past a 4 KiB write threshold", watermark),
    ("a Linux guest (Debian's kernel, busybox) with a real guest agent, qemu-ga", guest_users),
]


def main():
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conn = libvirt.open(ENV["GVIR_EVENTS_TEST_URI"])
    try:
        for text, scenario in SCENARIOS:
            say(text)
            scenario(conn)
            time.sleep(1)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
