# consumer.py: the Python twin of consumer.c, run by test-consumer.sh inside
# `meson devenv` and against an installed copy
import gi
gi.require_version("LibvirtGObject", "1.0")
gi.require_version("LibvirtGEvents", "1.0")
from gi.repository import GLib, LibvirtGObject, LibvirtGEvents

LibvirtGObject.init_object(None)
conn = LibvirtGObject.Connection.new("test:///default")
conn.open(None)
conn.fetch_domains(None)
loop = GLib.MainLoop()
seen = []


def on_event(events, domain, event):
    print(f"{event.to_string()} [{event.get_kind().value_nick}]")
    seen.append(event)
    if len(seen) == 2:
        loop.quit()


LibvirtGEvents.ConnectionEvents.get_for_connection(conn).connect("domain-event::lifecycle", on_event)
domain = conn.find_domain_by_name("test")
domain.suspend()
domain.resume()
loop.run()
conn.close()
