#!/usr/bin/env -S gjs -m
// watch-all: print every event of every domain, network, storage pool, host
// device and secret of a libvirt connection.
//
//   gjs -m watch-all.js URI [--count N]
//
// One line per event: "NAME: KIND[::DETAIL] PAYLOAD", the payload (the
// arguments of the typed signal) as compact JSON.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import LibvirtGObject from 'gi://LibvirtGObject?version=1.0';
import LibvirtGEvents from 'gi://LibvirtGEvents?version=1.0';
import System from 'system';

const USAGE = 'usage: watch-all.js URI [--count N]';

function fail(message) {
    printerr(message);
    System.exit(1);
}

// --self-test: libvirt's test driver (test:///default) lives inside this
// process, so only this process can make its domain "test" change state:
// pause, resume, destroy and start it; then refresh, stop and start its
// storage pool "default-pool".  The events still reach us the normal way,
// through libvirt's event loop and the connection companion's signals.
function selfTest(uri, conn) {
    if (!uri.startsWith('test:'))
        fail('--self-test only works on test:///... URIs');
    const domain = conn.find_domain_by_name('test');
    domain.suspend();
    domain.resume();
    domain.stop(0);
    domain.start(0);
    const pool = conn.find_storage_pool_by_name('default-pool');
    pool.refresh(null);
    pool.stop();
    pool.start(0);
    return GLib.SOURCE_REMOVE;
}

// Command line
const positional = [];
let count = Infinity, selfTesting = false;
const args = [...System.programArgs];
while (args.length > 0) {
    const arg = args.shift();
    if (arg === '--count' && args.length > 0)
        count = Number(args.shift());
    else if (arg === '--self-test')
        selfTesting = true;
    else if (arg.startsWith('-'))
        fail(USAGE);
    else
        positional.push(arg);
}
if (positional.length !== 1 || !(count > 0))
    fail(USAGE);
const [uri] = positional;

// First, before any connection: it makes GLib's main loop libvirt's event
// loop (GVirConnection would too; raw libvirt connections need it) and keeps
// libvirt from printing the errors it also returns as GErrors.
LibvirtGObject.init_object(null);
const conn = LibvirtGObject.Connection.new(uri);
try {
    conn.open(null);
    conn.fetch_domains(null);
    conn.fetch_storage_pools(null);
} catch (e) {
    fail(`cannot connect to ${uri}: ${e.message}`);
}

const loop = new GLib.MainLoop(null, false);

// event is a GVirEvent; its payload is a GLib.Variant of type a{sv}, which
// recursiveUnpack() turns into a plain object (a graphics client becomes a
// nested object).  Connect to 'domain-event::io-error' and so on to hear
// only one kind.
function printLine(line) {
    print(line);
    if (--count <= 0)
        loop.quit();
}

const hub = LibvirtGEvents.ConnectionEvents.get_for_connection(conn);
hub.connect('domain-event', (_hub, domain, event) => {
    let kind = event.get_kind_name();
    if (event.detail)
        kind += `::${event.detail}`;
    const payload = event.payload.recursiveUnpack();
    printLine(`${domain.get_name()}: ${kind} ${JSON.stringify(payload)}`);
});

// The other objects' signals: (object, event, detail) for lifecycle signals,
// detailed by the event's nick; (object) for the others.
const objectSignals = {
    'network-lifecycle': LibvirtGEvents.NetworkLifecycleEvent,
    'storage-pool-lifecycle': LibvirtGEvents.StoragePoolLifecycleEvent,
    'storage-pool-refresh': null,
    'node-device-lifecycle': LibvirtGEvents.NodeDeviceLifecycleEvent,
    'node-device-update': null,
    'secret-lifecycle': LibvirtGEvents.SecretLifecycleEvent,
    'secret-value-changed': null,
};
for (const [name, eventEnum] of Object.entries(objectSignals)) {
    hub.connect(name, (_hub, object, event, detail) => {
        let kind = name, payload = {};
        if (eventEnum) {
            // GJS enums are numbers: the nick from the member's name
            const member = Object.keys(eventEnum).find(key => eventEnum[key] === event);
            kind += `::${member ? member.toLowerCase().replace(/_/g, '-') : event}`;
            payload = {event, detail};
        }
        // a secret has no name: libvirt-gobject 4.0 exports no gvir_secret_get_name()
        const objectName = object instanceof LibvirtGObject.Secret ? object.get_uuid() : object.get_name();
        printLine(`${objectName}: ${kind} ${JSON.stringify(payload)}`);
    });
}

// Ctrl-C: leave the main loop, and the program, cleanly.
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
printerr(`Watching every domain on ${uri}, Ctrl-C to stop`);
if (selfTesting)
    GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => selfTest(uri, conn));
loop.run();
