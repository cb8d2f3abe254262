#!/usr/bin/env -S gjs -m
// watch-domain: print the interesting events of one libvirt domain.
//
//   gjs -m watch-domain.js URI DOMAIN [--watermark DISK:BYTES] [--count N]
//
// e.g.  gjs -m watch-domain.js qemu:///system myguest --watermark vda:10G
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import LibvirtGObject from 'gi://LibvirtGObject?version=1.0';
import LibvirtGEvents from 'gi://LibvirtGEvents?version=1.0';
import System from 'system';

const {DomainLifecycleEvent, DomainWatchdogAction, DomainIOErrorAction,
    GraphicsAddressFamily} = LibvirtGEvents;

const USAGE = 'usage: watch-domain.js URI DOMAIN [--watermark DISK:BYTES] [--count N]';

function fail(message) {
    printerr(message);
    System.exit(1);
}

// In GJS an enum value is a plain number; the enum object maps names to
// numbers, so look the name up the other way ('INJECT_NMI' -> 'inject-nmi',
// the GEnum nick).  A value newer than the typelib prints as a number.
function nick(enumType, value) {
    const name = Object.keys(enumType).find(key => enumType[key] === value);
    return name ? name.toLowerCase().replaceAll('_', '-') : String(value);
}

// '4096', '512K', '10G' -> bytes
function size(text) {
    const units = {K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40};
    const unit = units[text.slice(-1).toUpperCase()];
    const number = Number(unit ? text.slice(0, -1) : text);
    if (!Number.isInteger(number) || number < 0)
        throw new Error(`not a size: ${text}`);
    return number * (unit ?? 1);
}

const show = value => value ?? '-';

function address(family, node, service) {
    return `${show(node)}:${show(service)} (${nick(GraphicsAddressFamily, family)})`;
}

// --self-test: libvirt's test driver (test:///default) lives inside this
// process, so only this process can make its domains change state.  The
// events still reach us the normal way, through libvirt's event loop and
// the signals below.
function selfTest(uri, domain) {
    if (!uri.startsWith('test:'))
        fail('--self-test only works on test:///... URIs');
    domain.suspend();
    domain.resume();
    domain.stop(0);
    domain.start(0);
    return GLib.SOURCE_REMOVE;
}

// Command line
const positional = [];
let watermark = null, count = Infinity, selfTesting = false;
const args = [...System.programArgs];
while (args.length > 0) {
    const arg = args.shift();
    if (arg === '--watermark' && args.length > 0)
        watermark = args.shift();
    else if (arg === '--count' && args.length > 0)
        count = Number(args.shift());
    else if (arg === '--self-test')
        selfTesting = true;
    else if (arg.startsWith('-'))
        fail(USAGE);
    else
        positional.push(arg);
}
if (positional.length !== 2 || !(count > 0))
    fail(USAGE);
const [uri, domainName] = positional;

// First, before any connection: it makes GLib's main loop libvirt's event
// loop (GVirConnection would too; raw libvirt connections need it) and keeps
// libvirt from printing the errors it also returns as GErrors.
LibvirtGObject.init_object(null);
const conn = LibvirtGObject.Connection.new(uri);
try {
    conn.open(null);
    conn.fetch_domains(null);
} catch (e) {
    fail(`cannot connect to ${uri}: ${e.message}`);
}
const domain = conn.find_domain_by_name(domainName);
if (!domain)
    fail(`no domain named '${domainName}' on ${uri}`);

const loop = new GLib.MainLoop(null, false);
function report(line) {
    print(line);
    if (--count <= 0)
        loop.quit();
}

// The companion object that carries the domain's event signals.  Handlers
// get typed arguments: enums as numbers, missing strings as null.
const events = LibvirtGEvents.DomainEvents.get_for_domain(domain);
events.connect('lifecycle', (_events, event, detail) => {
    const words = DomainLifecycleEvent.detail_to_string(event, detail) ?? `detail ${detail}`;
    report(`lifecycle: ${DomainLifecycleEvent.to_string(event) ?? event} (${words})`);
});
events.connect('reboot', () => report('reboot'));
events.connect('watchdog', (_events, action) => {
    report(`watchdog: action=${nick(DomainWatchdogAction, action)}`);
});
events.connect('io-error', (_events, disk, alias, srcPath, action, reason) => {
    report(`io-error: disk=${show(disk)} alias=${show(alias)} path=${show(srcPath)} ` +
        `action=${nick(DomainIOErrorAction, action)} reason=${show(reason)}`);
});
events.connect('watermark', (_events, disk, path, threshold, excess) => {
    report(`watermark: disk=${show(disk)} path=${show(path)} ` +
        `threshold=${threshold} excess=${excess}`);
});
// Users logging on to and off the guest: the library asks the guest agent
// every guest-users-interval seconds (10) while these are connected.
for (const name of ['guest-user-logon', 'guest-user-logoff']) {
    events.connect(name, (_events, user, userDomain, loginTimeMs) => {
        report(`${name}: user=${user} domain=${show(userDomain)} ` +
            `login-time=${new Date(loginTimeMs).toISOString()}`);
    });
}
for (const name of ['vnc-connected', 'vnc-initialized', 'vnc-disconnected']) {
    // A GVirGraphicsClient is an object: read its properties.
    events.connect(name, (_events, client) => {
        let line = `${name}: ` +
            `remote=${address(client.remote_family, client.remote_node, client.remote_service)} ` +
            `local=${address(client.local_family, client.local_node, client.local_service)} ` +
            `auth=${show(client.auth_scheme)}`;
        if (client.x509_dname)
            line += ` x509-dname=${client.x509_dname}`;
        if (client.sasl_username)
            line += ` sasl-username=${client.sasl_username}`;
        report(line);
    });
}

if (watermark) {
    const [disk, amount = ''] = watermark.split(':');
    try {
        events.set_watermark(disk, size(amount));
    } catch (e) {
        fail(`cannot set watermark ${watermark}: ${e.message}`);
    }
}

// Ctrl-C: leave the main loop, and the program, cleanly.
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
printerr(`Watching ${domainName} on ${uri}, Ctrl-C to stop`);
if (selfTesting)
    GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => selfTest(uri, domain));
loop.run();
