#!/usr/bin/env -S gjs -m
// domains: the domains of a libvirt connection, their state, and the event
// log, as the library's models keep them: no state table, no list of our own.
//
//   gjs -m domains.js URI [--count N]
//
// Prints "domains: +A -R at P" for each change of the domains model, with
// "  NAME: STATE" for each domain it adds; "NAME: state STATE (REASON)" for
// each notify::state; "log: LINE" for each event the GVirEventLog records.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import LibvirtGConfig from 'gi://LibvirtGConfig?version=1.0';
import LibvirtGObject from 'gi://LibvirtGObject?version=1.0';
import LibvirtGEvents from 'gi://LibvirtGEvents?version=1.0';
import System from 'system';

const USAGE = 'usage: domains.js URI [--count N]';
const EXTRA = "<domain type='test'><name>extra</name><memory>8192</memory>" +
    "<os><type>hvm</type></os></domain>";

function fail(message) {
    printerr(message);
    System.exit(1);
}

// --self-test: libvirt's test driver lives inside this process, so only
// this process can change it: pause and resume "test", define a domain
// "extra" and undefine it.  The events reach the models the normal way.
function selfTest(uri, conn) {
    if (!uri.startsWith('test:'))
        fail('--self-test only works on test:///... URIs');
    conn.fetch_domains(null);
    const domain = conn.find_domain_by_name('test');
    domain.suspend();
    domain.resume();
    const extra = conn.create_domain(LibvirtGConfig.Domain.new_from_xml(EXTRA));
    extra.delete(0);
    return GLib.SOURCE_REMOVE;
}

// libvirt-gobject's GVirDomainState by its nick: "paused"
const stateNick = value =>
    Object.keys(LibvirtGObject.DomainState).find(k => LibvirtGObject.DomainState[k] === value).toLowerCase();

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
} catch (e) {
    fail(`cannot connect to ${uri}: ${e.message}`);
}

const loop = new GLib.MainLoop(null, false);
let left = count, started = false;

function say(line) {
    print(line);
    if (--left <= 0)
        loop.quit();
}

const nameOf = events => events.domain.get_name();

const hub = LibvirtGEvents.ConnectionEvents.get_for_connection(conn);
// The domains, filled off the main thread, then kept by the events.
const domains = hub.get_domains();
domains.connect('items-changed', (model, position, removed, added) => {
    say(`domains: +${added} -${removed} at ${position}`);
    for (let i = position; i < position + added; i++) {
        const events = model.get_item(i);
        // reading "state" the first time asks the daemon (off the main
        // thread) unless the listing or an event told it already
        say(`  ${nameOf(events)}: ${stateNick(events.state)}`);
        events.connect('notify::state', ev =>
            say(`${nameOf(ev)}: state ${stateNick(ev.state)} (${ev.state_reason})`));
    }
    if (selfTesting && !started) {
        started = true;
        GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => selfTest(uri, conn));
    }
});
// Every domain event, the last 100; one items-changed per main-loop iteration.
const log = LibvirtGEvents.EventLog.new(hub, 100);
log.connect('items-changed', (model, position, removed, added) => {
    for (let i = position; i < position + added; i++)
        say(`log: ${model.get_item(i).to_string()}`);
});

GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
printerr(`Watching the domains of ${uri}, Ctrl-C to stop`);
loop.run();
