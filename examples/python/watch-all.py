#!/usr/bin/python3
# watch-all: print every event of every domain, network, storage pool, host
# device and secret of a libvirt connection.
#
#   watch-all.py URI [--count N]
#
# One line per event: "NAME: KIND[::DETAIL] PAYLOAD", the payload (the
# arguments of the typed signal) as compact JSON.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import json
import signal
import sys

import gi
gi.require_version("GLib", "2.0")
gi.require_version("LibvirtGObject", "1.0")
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import GLib, LibvirtGObject, LibvirtGEvents  # noqa: E402


def self_test(uri, conn):
    """--self-test: libvirt's test driver (test:///default) lives inside this
    process, so only this process can make its domain "test" change state:
    pause, resume, destroy and start it; then refresh, stop and start its
    storage pool "default-pool".  The events still reach us the normal way,
    through libvirt's event loop and the connection companion's signals."""
    if not uri.startswith("test:"):
        sys.exit("--self-test only works on test:///... URIs")
    domain = conn.find_domain_by_name("test")
    domain.suspend()
    domain.resume()
    domain.stop(0)
    domain.start(0)
    pool = conn.find_storage_pool_by_name("default-pool")
    pool.refresh(None)
    pool.stop()
    pool.start(0)
    return GLib.SOURCE_REMOVE


def main():
    parser = argparse.ArgumentParser(description="Print every event of a libvirt connection.")
    parser.add_argument("uri", help="libvirt URI, e.g. qemu:///system")
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
        conn.fetch_storage_pools(None)
    except GLib.Error as e:
        sys.exit(f"cannot connect to {args.uri}: {e.message}")

    loop = GLib.MainLoop()
    left = args.count

    def on_domain_event(hub, domain, event):
        # event is a GVirEvent; its payload is a GLib.Variant of type a{sv},
        # which unpack() turns into a plain dict (a graphics client becomes
        # a nested dict).  Connect to "domain-event::io-error" and so on to
        # hear only one kind.
        kind = event.get_kind_name()
        if event.props.detail:
            kind += "::" + event.props.detail
        payload = event.props.payload.unpack()
        on_line(f"{domain.get_name()}: {kind} "
                f"{json.dumps(payload, separators=(',', ':'), ensure_ascii=False)}")

    def on_object_event(hub, obj, *args):
        # The other objects' signals: (object, event, detail) for lifecycle
        # signals, detailed by the event's nick; (object) for the others.
        *args, kind = args
        payload = {}
        if args:
            event, detail = args
            kind += "::" + getattr(event, "value_nick", str(int(event)))
            payload = {"event": int(event), "detail": detail}
        # a secret has no name: libvirt-gobject 4.0 exports no gvir_secret_get_name()
        name = obj.get_uuid() if isinstance(obj, LibvirtGObject.Secret) else obj.get_name()
        on_line(f"{name}: {kind} {json.dumps(payload, separators=(',', ':'))}")

    def on_line(line):
        nonlocal left
        print(line, flush=True)
        if left is not None:
            left -= 1
            if left <= 0:
                loop.quit()

    hub = LibvirtGEvents.ConnectionEvents.get_for_connection(conn)
    hub.connect("domain-event", on_domain_event)
    # One signal per GVirObjectEventKind, named as the kind: network-lifecycle,
    # storage-pool-refresh...
    for kind in LibvirtGEvents.ObjectEventKind.__enum_values__.values():
        name = LibvirtGEvents.ObjectEventKind.to_string(kind)
        hub.connect(name, on_object_event, name)

    # Ctrl-C: leave the main loop, and the program, cleanly.
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"Watching every domain on {args.uri}, Ctrl-C to stop", file=sys.stderr, flush=True)
    if args.self_test:
        GLib.idle_add(self_test, args.uri, conn)
    loop.run()


if __name__ == "__main__":
    main()
