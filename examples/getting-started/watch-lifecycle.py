#!/usr/bin/python3
# watch-lifecycle.py: print the lifecycle events and I/O errors of a domain
import signal
import sys

import gi
gi.require_version("LibvirtGObject", "1.0")
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import GLib, LibvirtGObject, LibvirtGEvents


def nick(value):
    """The name of an action: "report" for DomainIOErrorAction.REPORT.
    (A value newer than the library has none: check before .value_nick.)"""
    try:
        return type(value)(int(value)).value_nick
    except ValueError:
        return "?"


def on_lifecycle(events, event, detail):
    Lifecycle = LibvirtGEvents.DomainLifecycleEvent
    # the event's name and its detail's, in libvirt's words (None if newer)
    name, words = Lifecycle.to_string(event), Lifecycle.detail_to_string(event, detail)
    print(f"lifecycle: {name or '?'} ({words or '?'})", flush=True)


def on_io_error(events, disk, alias, src_path, action, reason):
    print(f"io-error: disk={disk or alias} action={nick(action)}", flush=True)


if len(sys.argv) != 3:
    sys.exit(f"usage: {sys.argv[0]} URI DOMAIN")
uri, name = sys.argv[1:]

# First, before any connection: it makes GLib's main loop libvirt's event
# loop (GVirConnection would too; raw libvirt connections need it) and keeps
# libvirt from printing the errors it also returns as GErrors.
LibvirtGObject.init_object(sys.argv)

conn = LibvirtGObject.Connection.new(uri)
conn.open(None)
conn.fetch_domains(None)
domain = conn.find_domain_by_name(name)
if domain is None:
    sys.exit(f"no domain named {name}")

# The domain's companion carries its event signals.
events = LibvirtGEvents.DomainEvents.get_for_domain(domain)
events.connect("lifecycle", on_lifecycle)
events.connect("io-error", on_io_error)

loop = GLib.MainLoop()
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
print(f"Watching {name}, Ctrl-C to stop", file=sys.stderr, flush=True)
loop.run()
