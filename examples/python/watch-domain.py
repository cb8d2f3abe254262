#!/usr/bin/python3
# watch-domain: print the interesting events of one libvirt domain.
#
#   watch-domain.py URI DOMAIN [--watermark DISK:BYTES] [--count N]
#
# e.g.  watch-domain.py qemu:///system myguest --watermark vda:10G
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import datetime
import signal
import sys

import gi
gi.require_version("GLib", "2.0")
gi.require_version("LibvirtGObject", "1.0")
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import GLib, LibvirtGObject, LibvirtGEvents  # noqa: E402

Lifecycle = LibvirtGEvents.DomainLifecycleEvent


def size(text):
    """'4096', '512K', '10G' -> bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if text[-1:].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def nick(value):
    """An enum value's name ("inject-nmi").  libvirt passes values newer than
    this library through as numbers; PyGObject has no name for those (and
    reading .value_nick on one crashes PyGObject 3.42), so look first."""
    try:
        return type(value)(int(value)).value_nick
    except ValueError:
        return str(int(value))


def show(value):
    return "-" if value is None else value


def address(family, node, service):
    return f"{show(node)}:{show(service)} ({nick(family)})"


class Watcher:
    def __init__(self, loop, count):
        self.loop = loop
        self.left = count  # events to print before quitting; None: forever

    def print(self, line):
        print(line, flush=True)
        if self.left is not None:
            self.left -= 1
            if self.left <= 0:
                self.loop.quit()

    # One handler per signal; the arguments are already typed: enums are
    # enum members, missing strings are None.
    def on_lifecycle(self, events, event, detail):
        words = Lifecycle.detail_to_string(event, detail) or f"detail {detail}"
        self.print(f"lifecycle: {Lifecycle.to_string(event) or int(event)} ({words})")

    def on_reboot(self, events):
        self.print("reboot")

    def on_watchdog(self, events, action):
        self.print(f"watchdog: action={nick(action)}")

    def on_io_error(self, events, disk, alias, src_path, action, reason):
        self.print(f"io-error: disk={show(disk)} alias={show(alias)} "
                   f"path={show(src_path)} action={nick(action)} "
                   f"reason={show(reason)}")

    def on_watermark(self, events, disk, path, threshold, excess):
        self.print(f"watermark: disk={show(disk)} path={show(path)} "
                   f"threshold={threshold} excess={excess}")

    def on_guest_user(self, events, user, user_domain, login_time_ms, name):
        when = datetime.datetime.fromtimestamp(login_time_ms / 1000, datetime.timezone.utc)
        self.print(f"{name}: user={user} domain={show(user_domain)} "
                   f"login-time={when.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}")

    # The link to the daemon: the library reconnects by itself, and the
    # handlers above keep working; these only say so.  They are not counted
    # as events.
    def on_disconnected(self, conn_events, reason):
        print(f"link: disconnected ({nick(reason)})", flush=True)

    def on_reconnected(self, conn_events):
        print("link: reconnected", flush=True)

    def on_graphics(self, events, client, name):
        # A GVirGraphicsClient is an object: read its properties.
        p = client.props
        line = (f"{name}: remote={address(p.remote_family, p.remote_node, p.remote_service)} "
                f"local={address(p.local_family, p.local_node, p.local_service)} "
                f"auth={show(p.auth_scheme)}")
        if p.x509_dname:
            line += f" x509-dname={p.x509_dname}"
        if p.sasl_username:
            line += f" sasl-username={p.sasl_username}"
        self.print(line)


def self_test(uri, domain):
    """--self-test: cause a few lifecycle events ourselves.  libvirt's test
    driver (test:///default) lives inside this process, so only this process
    can make its domains change state; the events still reach us the normal
    way, through libvirt's event loop and the signals above."""
    if not uri.startswith("test:"):
        sys.exit("--self-test only works on test:///... URIs")
    domain.suspend()
    domain.resume()
    domain.stop(0)
    domain.start(0)
    return GLib.SOURCE_REMOVE


def main():
    parser = argparse.ArgumentParser(description="Print the events of one libvirt domain.")
    parser.add_argument("uri", help="libvirt URI, e.g. qemu:///system")
    parser.add_argument("domain", help="domain name")
    parser.add_argument("--watermark", metavar="DISK:BYTES",
                        help="ask for a 'watermark' event when DISK's allocation crosses BYTES")
    parser.add_argument("--count", type=int, metavar="N", help="exit after N events")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    # First, before any connection: it makes GLib's main loop libvirt's event
    # loop (GVirConnection would too; raw libvirt connections need it) and keeps
    # libvirt from printing the errors it also returns as GErrors.
    LibvirtGObject.init_object(sys.argv)
    conn = LibvirtGObject.Connection.new(args.uri)
    try:
        conn.open(None)
        conn.fetch_domains(None)
    except GLib.Error as e:
        sys.exit(f"cannot connect to {args.uri}: {e.message}")
    domain = conn.find_domain_by_name(args.domain)
    if domain is None:
        sys.exit(f"no domain named {args.domain!r} on {args.uri}")

    loop = GLib.MainLoop()
    watcher = Watcher(loop, args.count)

    # The companion object that carries the domain's event signals.
    events = LibvirtGEvents.DomainEvents.get_for_domain(domain)
    events.connect("lifecycle", watcher.on_lifecycle)
    events.connect("reboot", watcher.on_reboot)
    events.connect("watchdog", watcher.on_watchdog)
    events.connect("io-error", watcher.on_io_error)
    events.connect("watermark", watcher.on_watermark)
    for name in ("vnc-connected", "vnc-initialized", "vnc-disconnected"):
        events.connect(name, watcher.on_graphics, name)
    # Users logging on to and off the guest: the library asks the guest agent
    # every guest-users-interval seconds (10) while these are connected.
    for name in ("guest-user-logon", "guest-user-logoff"):
        events.connect(name, watcher.on_guest_user, name)

    # The connection's companion notices a daemon restart and reconnects.
    conn_events = LibvirtGEvents.ConnectionEvents.get_for_connection(conn)
    conn_events.connect("disconnected", watcher.on_disconnected)
    conn_events.connect("reconnected", watcher.on_reconnected)

    if args.watermark:
        disk, _, amount = args.watermark.partition(":")
        try:
            events.set_watermark(disk, size(amount))
        except (GLib.Error, ValueError) as e:
            sys.exit(f"cannot set watermark {args.watermark}: {getattr(e, 'message', e)}")

    # Ctrl-C: leave the main loop, and the program, cleanly.
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"Watching {args.domain} on {args.uri}, Ctrl-C to stop", file=sys.stderr, flush=True)
    if args.self_test:
        GLib.idle_add(self_test, args.uri, domain)
    loop.run()


if __name__ == "__main__":
    main()
