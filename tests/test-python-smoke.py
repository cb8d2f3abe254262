#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GIR as Python sees it: signals, enums, nullable strings, a{sv}.

Runs on libvirt's in-process test driver against the typelib of the build
tree (GI_TYPELIB_PATH, LD_LIBRARY_PATH set by meson).
"""

import sys
import unittest

import gi
import libvirt
gi.require_version('LibvirtGObject', '1.0')
gi.require_version('LibvirtGEvents', '1.0')
from gi.repository import GLib, LibvirtGEvents, LibvirtGObject  # noqa: E402

LibvirtGObject.init_object(sys.argv)


def pump(until, timeout=5.0):
    """Iterates the main context until until() is true or timeout passes."""
    deadline = GLib.get_monotonic_time() + int(timeout * 1e6)
    ctx = GLib.MainContext.default()
    while not until() and GLib.get_monotonic_time() < deadline:
        ctx.iteration(False) or GLib.usleep(1000)
    return until()


class SmokeTest(unittest.TestCase):
    def setUp(self):
        self.conn = LibvirtGObject.Connection.new('test:///default')
        self.conn.open(None)
        self.conn.fetch_domains(None)
        self.domain = self.conn.find_domain_by_name('test')
        pump(lambda: False, 0.05)  # drain events of earlier tests

    def tearDown(self):
        self.conn.close()

    def test_companions_are_singletons(self):
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        self.assertIs(events, LibvirtGEvents.DomainEvents.get_for_domain(self.domain))
        self.assertIs(events.get_domain(), self.domain)
        self.assertIs(events.props.domain, self.domain)
        conn_events = LibvirtGEvents.ConnectionEvents.get_for_connection(self.conn)
        self.assertIs(conn_events.get_connection(), self.conn)
        self.assertTrue(conn_events.supports(LibvirtGEvents.DomainEventKind.WATERMARK))

    def test_lifecycle_signal_and_record(self):
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        conn_events = LibvirtGEvents.ConnectionEvents.get_for_connection(self.conn)
        typed, suspended, records = [], [], []
        events.connect('lifecycle', lambda _e, ev, detail: typed.append((ev, detail)))
        events.connect('lifecycle::suspended', lambda _e, ev, detail: suspended.append(ev))
        conn_events.connect('domain-event::lifecycle', lambda _c, dom, rec: records.append((dom, rec)))

        self.domain.suspend()
        self.domain.resume()
        self.assertTrue(pump(lambda: len(records) == 2))

        Event = LibvirtGEvents.DomainLifecycleEvent
        self.assertEqual(typed, [(Event.SUSPENDED, 0), (Event.RESUMED, 0)])
        self.assertIsInstance(typed[0][0], Event)
        self.assertEqual(suspended, [Event.SUSPENDED])
        self.assertEqual(Event.detail_to_string(Event.RESUMED, 0), 'unpaused')

        dom, rec = records[0]
        self.assertIs(dom, self.domain)
        self.assertEqual(rec.get_kind(), LibvirtGEvents.DomainEventKind.LIFECYCLE)
        self.assertEqual(rec.props.kind, LibvirtGEvents.DomainEventKind.LIFECYCLE)
        self.assertEqual(rec.get_domain_name(), 'test')
        self.assertEqual(rec.get_detail(), 'suspended')
        payload = rec.get_payload()
        self.assertIsInstance(payload, GLib.Variant)
        self.assertEqual(payload.unpack(), {'event': 3, 'detail': 0})
        self.assertIsInstance(rec.get_time(), GLib.DateTime)
        self.assertEqual(rec.to_string(), 'test: lifecycle suspended (paused)')

    def test_nullable_string_is_none(self):
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        seen = []
        events.connect('metadata-change', lambda _e, kind, nsuri: seen.append((kind, nsuri)))
        # LibvirtGObject has no metadata setter; libvirt-python, in the same
        # process, shares the test driver's state
        conn = libvirt.open('test:///default')
        conn.lookupByName('test').setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, 'T', None, None,
                                              libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertTrue(pump(lambda: len(seen) == 1))
        self.assertEqual(seen, [(LibvirtGEvents.DomainMetadataType.TITLE, None)])
        conn.close()

    def test_watermark_error_is_a_gerror(self):
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        with self.assertRaises(GLib.Error) as raised:
            events.set_watermark('vda', 4096)
        self.assertTrue(raised.exception.matches(LibvirtGEvents.events_error_quark(),
                                                 LibvirtGEvents.EventsError.FAILED))


if __name__ == '__main__':
    unittest.main(verbosity=2)
