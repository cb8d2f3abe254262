#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GIR as Python sees it: signals, enums, nullable strings, a{sv}.

Runs on libvirt's in-process test driver against the typelib of the build
tree (GI_TYPELIB_PATH, LD_LIBRARY_PATH set by meson).
"""

import os
import subprocess
import sys
import unittest

import gi
import libvirt
gi.require_version('LibvirtGObject', '1.0')
gi.require_version('LibvirtGEvents', '1.0')
from gi.repository import GLib, GObject, LibvirtGEvents, LibvirtGObject  # noqa: E402

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

    def test_object_events(self):
        """The pool signals of the connection companion and the pool's own companion."""
        conn_events = LibvirtGEvents.ConnectionEvents.get_for_connection(self.conn)
        self.conn.fetch_storage_pools(None)
        pool = self.conn.find_storage_pool_by_name('default-pool')
        pool_events = LibvirtGEvents.StoragePoolEvents.get_for_storage_pool(pool)
        self.assertIs(pool_events, LibvirtGEvents.StoragePoolEvents.get_for_storage_pool(pool))
        self.assertIs(pool_events.get_object(), pool)
        self.assertTrue(conn_events.supports_object_event(
            LibvirtGEvents.ObjectEventKind.STORAGE_POOL_REFRESH))
        self.assertFalse(conn_events.supports_object_event(
            LibvirtGEvents.ObjectEventKind.SECRET_LIFECYCLE))
        wide, stops, own = [], [], []
        conn_events.connect('storage-pool-lifecycle',
                            lambda _c, p, ev, detail: wide.append((p, ev, detail)))
        conn_events.connect('storage-pool-lifecycle::stopped', lambda _c, p, ev, d: stops.append(ev))
        pool_events.connect('lifecycle', lambda _e, ev, detail: own.append((ev, detail)))
        pool_events.connect('refresh', lambda _e: own.append('refresh'))
        generic = []
        conn_events.connect('object-event::storage-pool-refresh',
                            lambda _c, p, kind, payload: generic.append((p, kind, payload.unpack())))

        pool.refresh(None)
        pool.stop()
        pool.start(0)
        self.assertTrue(pump(lambda: len(wide) == 2 and len(own) == 3))
        E = LibvirtGEvents.StoragePoolLifecycleEvent
        self.assertEqual(wide, [(pool, E.STOPPED, 0), (pool, E.STARTED, 0)])
        self.assertEqual(stops, [E.STOPPED])
        self.assertEqual(own, ['refresh', (E.STOPPED, 0), (E.STARTED, 0)])
        self.assertEqual(generic, [(pool, LibvirtGEvents.ObjectEventKind.STORAGE_POOL_REFRESH, {})])

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
        # names without reading nicks (issue 24)
        self.assertEqual(Event.to_string(typed[0][0]), 'suspended')
        self.assertEqual(LibvirtGEvents.DomainEventKind.to_string(rec_kind := records[0][1].get_kind()),
                         'lifecycle')
        self.assertIs(rec_kind, LibvirtGEvents.DomainEventKind.LIFECYCLE)
        self.assertEqual(LibvirtGEvents.ObjectEventKind.to_string(
            LibvirtGEvents.ObjectEventKind.NETWORK_LIFECYCLE), 'network-lifecycle')

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

    def test_guest_users_api(self):
        """The guest user signals, property and list; the test driver has no
        agent, so the list is a GLib.Error (tests/test-guest-users.c has the rest)."""
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        self.assertEqual(events.props.guest_users_interval, 10)
        for name in ('guest-user-logon', 'guest-user-logoff'):
            query = GObject.signal_query(GObject.signal_lookup(name, LibvirtGEvents.DomainEvents))
            self.assertEqual([t.name for t in query.param_types], ['gchararray', 'gchararray', 'gint64'])
            self.assertTrue(query.signal_flags & GObject.SignalFlags.DETAILED)
        done = []

        def listed(source, result):
            with self.assertRaises(GLib.Error) as raised:
                source.get_guest_users_finish(result)
            done.append(raised.exception)
        events.get_guest_users_async(None, listed)
        self.assertTrue(pump(lambda: done))
        self.assertTrue(done[0].matches(LibvirtGEvents.events_error_quark(),
                                        LibvirtGEvents.EventsError.FAILED))

    def test_handlers_survive_fetch_domains(self):
        events = LibvirtGEvents.DomainEvents.get_for_domain(self.domain)
        heard = []
        events.connect('lifecycle', lambda _e, ev, detail: heard.append(ev))
        # libvirt-gobject replaces every GVirDomain it holds
        self.conn.fetch_domains(None)
        fresh = self.conn.find_domain_by_name('test')
        self.assertIsNot(fresh, self.domain)
        self.domain = None
        self.assertIs(LibvirtGEvents.DomainEvents.get_for_domain(fresh), events)
        fresh.suspend()
        fresh.resume()
        self.assertTrue(pump(lambda: len(heard) == 2))
        self.assertEqual(heard, [LibvirtGEvents.DomainLifecycleEvent.SUSPENDED,
                                 LibvirtGEvents.DomainLifecycleEvent.RESUMED])


class ModelsApiTest(unittest.TestCase):
    """The models as Python sees them: state properties, the domains, the log."""

    def setUp(self):
        self.conn = LibvirtGObject.Connection.new('test:///default')
        self.conn.open(None)
        pump(lambda: False, 0.05)

    def tearDown(self):
        self.conn.close()

    def test_models(self):
        hub = LibvirtGEvents.ConnectionEvents.get_for_connection(self.conn)
        domains = hub.get_domains()
        self.assertIs(domains, hub.get_domains())
        self.assertEqual(domains.get_item_type(), LibvirtGEvents.DomainEvents.__gtype__)
        self.assertTrue(pump(lambda: domains.get_n_items() == 1))
        item = domains.get_item(0)
        self.conn.fetch_domains(None)
        self.assertIs(item, LibvirtGEvents.DomainEvents.get_for_domain(
            self.conn.find_domain_by_name('test')))
        self.assertEqual(item.props.state, LibvirtGObject.DomainState.RUNNING)
        self.assertIsInstance(item.props.state_reason, int)
        spec = LibvirtGEvents.DomainEvents.find_property('state')
        self.assertEqual(spec.value_type, LibvirtGObject.DomainState.__gtype__)
        self.assertFalse(spec.flags & GObject.ParamFlags.WRITABLE)

        log = LibvirtGEvents.EventLog.new(hub, 10)
        self.assertEqual(log.props.capacity, 10)
        self.assertIs(log.props.source, hub)
        seen = []
        log.connect('items-changed', lambda m, p, r, a: seen.append((p, r, a)))
        states = []
        item.connect('notify::state', lambda ev, ps: states.append(ev.props.state))
        self.conn.find_domain_by_name('test').suspend()
        self.assertTrue(pump(lambda: seen))
        self.assertEqual(seen, [(0, 0, 1)])
        self.assertEqual(log.get_item(0).get_detail(), 'suspended')
        self.assertEqual(states, [LibvirtGObject.DomainState.PAUSED])
        self.conn.find_domain_by_name('test').resume()
        self.assertTrue(pump(lambda: len(states) == 2))


class ReconnectionApiTest(unittest.TestCase):
    """The reconnection API as a binding sees it (behaviour: tests/test-reconnect.c)."""

    def test_properties_and_signals(self):
        conn = LibvirtGObject.Connection.new('test:///default')
        events = LibvirtGEvents.ConnectionEvents.get_for_connection(conn)
        self.assertFalse(events.props.connected)
        self.assertTrue(events.props.auto_reconnect)
        self.assertEqual(events.props.reconnect_interval, 1000)
        self.assertEqual(events.props.keepalive_interval, 5)
        self.assertEqual(events.props.keepalive_count, 5)
        notified = []
        events.connect('notify::connected', lambda obj, _p: notified.append(obj.props.connected))
        conn.open(None)
        conn.fetch_domains(None)    # libvirt-gobject's own callback wants its table
        self.assertTrue(pump(lambda: notified == [True]))
        self.assertTrue(events.get_connected())
        events.props.reconnect_interval = 250
        self.assertEqual(events.props.reconnect_interval, 250)
        for name in ('disconnected', 'reconnected'):
            self.assertTrue(GObject.signal_lookup(name, LibvirtGEvents.ConnectionEvents))
        self.assertEqual(int(LibvirtGEvents.ConnectionCloseReason.EOF), libvirt.VIR_CONNECT_CLOSE_REASON_EOF)
        self.assertFalse(LibvirtGEvents.Event().get_synthesized())
        conn.close()
        self.assertTrue(pump(lambda: notified == [True, False]))


class WithoutInitObjectTest(unittest.TestCase):
    """A program that never calls LibvirtGObject.init_object(): libvirt-glib
    4.0's GVirConnection gives libvirt GLib's event loop itself, so the
    companions work; no crash, no critical (checked in a process of its own)."""

    def test_events_still_arrive(self):
        script = (
            'import gi\n'
            'gi.require_version("LibvirtGObject", "1.0")\n'
            'gi.require_version("LibvirtGEvents", "1.0")\n'
            'from gi.repository import GLib, LibvirtGObject, LibvirtGEvents\n'
            'conn = LibvirtGObject.Connection.new("test:///default")\n'
            'conn.open(None)\n'
            'conn.fetch_domains(None)\n'
            'events = LibvirtGEvents.ConnectionEvents.get_for_connection(conn)\n'
            'assert events.supports(LibvirtGEvents.DomainEventKind.LIFECYCLE)\n'
            'heard = []\n'
            'events.connect("domain-event", lambda *a: heard.append(a))\n'
            'dom = conn.find_domain_by_name("test")\n'
            'dom.suspend(); dom.resume()\n'
            'ctx = GLib.MainContext.default()\n'
            'deadline = GLib.get_monotonic_time() + 5000000\n'
            'while len(heard) < 2 and GLib.get_monotonic_time() < deadline:\n'
            '    ctx.iteration(False) or GLib.usleep(1000)\n'
            'print(len(heard))\n')
        result = subprocess.run([sys.executable, '-c', script], capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), '2')
        self.assertNotIn('CRITICAL', result.stderr)


    def test_what_init_object_is_for(self):
        # what docs/reference/gtk-application.xml says init_object() is still
        # needed for: without it libvirt prints the errors a program handles
        script = (
            'import sys, gi\n'
            'gi.require_version("LibvirtGObject", "1.0")\n'
            'from gi.repository import GLib, LibvirtGObject\n'
            'if sys.argv[1] == "init":\n'
            '    LibvirtGObject.init_object(None)\n'
            'conn = LibvirtGObject.Connection.new("test:///default")\n'
            'conn.open(None)\n'
            'conn.fetch_domains(None)\n'
            'try:\n'
            '    conn.find_domain_by_name("test").resume()\n'
            'except GLib.Error as e:\n'
            '    print(e.message)\n')
        for init, printed in (('init', False), ('no-init', True)):
            result = subprocess.run([sys.executable, '-c', script, init], capture_output=True,
                                    text=True, timeout=60)
            self.assertIn("domain 'test' not paused", result.stdout)
            self.assertEqual("libvirt: Test Driver error" in result.stderr, printed, result.stderr)


    def test_raw_connection_needs_init_object(self):
        # the third thing the docs say (README, both chapters, the examples'
        # comments): a raw libvirt connection registering for events before
        # any GVirConnection fails without init_object(), works with it
        script = (
            'import sys, gi\n'
            'gi.require_version("LibvirtGObject", "1.0")\n'
            'from gi.repository import LibvirtGObject\n'
            'if sys.argv[1] == "init":\n'
            '    LibvirtGObject.init_object(None)\n'
            'import libvirt\n'
            'c = libvirt.open("test:///default")\n'
            'try:\n'
            '    c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,\n'
            '                             lambda *a: None, None)\n'
            '    print("registered")\n'
            'except libvirt.libvirtError as e:\n'
            '    print("refused:", e)\n')
        for init, printed in (('init', 'registered'),
                              ('no-init', 'refused: internal error: could not initialize '
                                          'domain event timer')):
            result = subprocess.run([sys.executable, '-c', script, init], capture_output=True,
                                    text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), printed, result.stderr)


class DefaultConstructorTest(unittest.TestCase):
    """What a binding's default constructor (g_object_new) makes of each type."""

    def test_records_are_empty_not_crashes(self):
        event = LibvirtGEvents.Event()
        self.assertEqual(event.get_payload().unpack(), {})
        self.assertIsNone(event.get_domain_name())
        self.assertIsNone(event.get_domain_uuid())
        self.assertIsNone(event.get_detail())
        self.assertEqual(event.get_kind_name(), 'lifecycle')
        self.assertEqual(event.to_string(), '(no domain): lifecycle')
        self.assertIsInstance(event.get_time(), GLib.DateTime)

        client = LibvirtGEvents.GraphicsClient()
        self.assertIsNone(client.get_x509_dname())
        self.assertIsNone(client.get_sasl_username())
        self.assertIsNone(client.get_identity('x509dname'))
        self.assertEqual(client.get_identities().unpack(), [])
        self.assertIsNone(client.props.remote_node)

    def test_event_log_without_source(self):
        log = LibvirtGEvents.EventLog()
        self.assertIsNone(log.get_source())
        self.assertEqual(log.get_capacity(), 1000)
        self.assertEqual(log.get_n_items(), 0)
        self.assertIsNone(log.get_item(0))
        log.clear()

    def test_companions_say_how_to_get_them(self):
        # the critical is fatal under the suite's G_DEBUG: look from outside
        script = (
            'import gi\n'
            'gi.require_version("LibvirtGEvents", "1.0")\n'
            'from gi.repository import GLib, LibvirtGEvents\n'
            'ev = LibvirtGEvents.DomainEvents()\n'
            'assert ev.get_domain() is None\n'
            'try:\n'
            '    ev.set_watermark("vda", 1)\n'
            '    raise SystemExit("no error")\n'
            'except GLib.Error as e:\n'
            '    assert e.matches(LibvirtGEvents.events_error_quark(),\n'
            '                     LibvirtGEvents.EventsError.DOMAIN_GONE), e\n'
            '    print(e.message)\n'
            'ce = LibvirtGEvents.ConnectionEvents()\n'
            'assert ce.get_connection() is None\n'
            'assert not ce.supports(LibvirtGEvents.DomainEventKind.LIFECYCLE)\n'
            'print("done")\n')
        env = dict(os.environ)
        env.pop('G_DEBUG', None)
        result = subprocess.run([sys.executable, '-c', script], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('GVirDomainEvents cannot be constructed directly', result.stderr)
        self.assertIn('use gvir_domain_events_get_for_domain()', result.stderr)
        self.assertIn('GVirConnectionEvents cannot be constructed directly', result.stderr)
        # a binding's user is told in a binding's words too
        self.assertIn('DomainEvents.get_for_domain() in a binding', result.stderr)
        self.assertIn('ConnectionEvents.get_for_connection() in a binding', result.stderr)
        self.assertIn('g_object_new()', result.stdout)
        self.assertIn('DomainEvents() in a binding', result.stdout)
        self.assertTrue(result.stdout.endswith('done\n'), result.stdout)


if __name__ == '__main__':
    unittest.main(verbosity=2)
