#!/usr/bin/python3
# linux-guest.py: boot the Linux test guest and drive it, from a script run
# under hv-harness run --linux-guest HELPER (which sets GVIR_EVENTS_*).
#
#   linux-guest.py start NAME      define and start the guest NAME (with the
#                                  harness's domain prefix), wait until its
#                                  /init answers, print the domain's name
#   linux-guest.py command NAME COMMAND...
#                                  send one command to its /init ("login alice
#                                  pts/1", "logout alice pts/1", "agent-stop",
#                                  "agent-start", "load virtio_mem",
#                                  "meminfo", "ping"); prints the answer, exits
#                                  1 unless it is "ok ..."
#
# The guest's command port accepts one client at a time: each command
# connects, asks and disconnects.

import os
import socket
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"linux-guest.py: {name} is not set: run me under "
                 "hv-harness run --linux-guest HELPER")
    return value


def socket_path(name):
    return os.path.join(env("GVIR_EVENTS_TEST_DIR"), f"{name}-command.sock")


def command(name, text, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(timeout)
            s.connect(socket_path(name))
            break
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    with s, s.makefile("rw") as f:
        f.write(text + "\n")
        f.flush()
        return f.readline().strip()


def start(name):
    import libvirt
    full = env("GVIR_EVENTS_DOMAIN_PREFIX") + name
    with open(os.path.join(env("GVIR_EVENTS_DOMAIN_DIR"), "linux.xml")) as f:
        xml = f.read()
    for key, value in {
            "NAME": full, "UUID": str(uuid.uuid4()),
            "KERNEL": env("GVIR_EVENTS_LINUX_KERNEL"),
            "INITRD": env("GVIR_EVENTS_LINUX_INITRD"),
            "CONSOLE": os.path.join(env("GVIR_EVENTS_LOG_DIR"), f"{name}-console.log"),
            "COMMAND_SOCKET": socket_path(name)}.items():
        xml = xml.replace(f"@{key}@", value)
    conn = libvirt.open(env("GVIR_EVENTS_TEST_URI"))
    conn.defineXML(xml).create()
    answer = command(name, "ping")
    if answer != "ok ping":
        sys.exit(f"linux-guest.py: the guest answered {answer!r}")
    print(full)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "start":
        start(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "command":
        answer = command(sys.argv[2], " ".join(sys.argv[3:]))
        print(answer)
        sys.exit(0 if answer.startswith("ok ") else 1)
    else:
        sys.exit(__doc__ if __doc__ else "usage: linux-guest.py start NAME | command NAME CMD...")


if __name__ == "__main__":
    main()
