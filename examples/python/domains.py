#!/usr/bin/python3
# domains: the domains of a libvirt connection, their state, and the event
# log, as the library's models keep them: no state table, no list of our own.
#
#   domains.py URI [--count N]
#
# Prints "domains: +A -R at P" for each change of the domains model, with
# "  NAME: STATE" for each domain it adds; "NAME: state STATE (REASON)" for
# each notify::state; "log: LINE" for each event the GVirEventLog records.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import signal
import sys

import gi
gi.require_version("GLib", "2.0")
gi.require_version("LibvirtGObject", "1.0")
gi.require_version("LibvirtGConfig", "1.0")
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import GLib, LibvirtGConfig, LibvirtGObject, LibvirtGEvents  # noqa: E402

EXTRA = ("<domain type='test'><name>extra</name><memory>8192</memory>"
         "<os><type>hvm</type></os></domain>")


def self_test(uri, conn):
    """--self-test: libvirt's test driver lives inside this process, so only
    this process can change it: pause and resume "test", define a domain
    "extra" and undefine it.  The events reach the models the normal way."""
    if not uri.startswith("test:"):
        sys.exit("--self-test only works on test:///... URIs")
    conn.fetch_domains(None)
    domain = conn.find_domain_by_name("test")
    domain.suspend()
    domain.resume()
    extra = conn.create_domain(LibvirtGConfig.Domain.new_from_xml(EXTRA))
    extra.delete(0)
    return GLib.SOURCE_REMOVE


def main():
    parser = argparse.ArgumentParser(description="The domains of a libvirt connection, live.")
    parser.add_argument("uri", help="libvirt URI, e.g. qemu:///system")
    parser.add_argument("--count", type=int, metavar="N", help="exit after N lines")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    # First, before any connection: it makes GLib's main loop libvirt's event
    # loop (GVirConnection would too; raw libvirt connections need it) and keeps
    # libvirt from printing the errors it also returns as GErrors.
    LibvirtGObject.init_object(sys.argv)
    conn = LibvirtGObject.Connection.new(args.uri)
    try:
        conn.open(None)
    except GLib.Error as e:
        sys.exit(f"cannot connect to {args.uri}: {e.message}")

    loop = GLib.MainLoop()
    left = args.count
    started = False

    def say(line):
        nonlocal left
        print(line, flush=True)
        if left is not None:
            left -= 1
            if left <= 0:
                loop.quit()

    def name_of(events):
        return events.props.domain.get_name()

    def on_state(events, pspec):
        say(f"{name_of(events)}: state {events.props.state.value_nick} ({events.props.state_reason})")

    def on_domains(model, position, removed, added):
        nonlocal started
        say(f"domains: +{added} -{removed} at {position}")
        for i in range(position, position + added):
            events = model.get_item(i)
            # reading "state" the first time asks the daemon (off the main
            # thread) unless the listing or an event told it already
            say(f"  {name_of(events)}: {events.props.state.value_nick}")
            events.connect("notify::state", on_state)
        if args.self_test and not started:
            started = True
            GLib.idle_add(self_test, args.uri, conn)

    def on_log(log, position, removed, added):
        for i in range(position, position + added):
            say(f"log: {log.get_item(i).to_string()}")

    hub = LibvirtGEvents.ConnectionEvents.get_for_connection(conn)
    # The domains, filled off the main thread, then kept by the events.
    domains = hub.get_domains()
    domains.connect("items-changed", on_domains)
    # Every domain event, the last 100; one items-changed per main-loop iteration.
    log = LibvirtGEvents.EventLog.new(hub, 100)
    log.connect("items-changed", on_log)

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"Watching the domains of {args.uri}, Ctrl-C to stop", file=sys.stderr, flush=True)
    loop.run()


if __name__ == "__main__":
    main()
