#!/usr/bin/env -S gjs -m
// watch-lifecycle.js: print the lifecycle events and I/O errors of a domain
import GLib from 'gi://GLib';
import LibvirtGObject from 'gi://LibvirtGObject?version=1.0';
import LibvirtGEvents from 'gi://LibvirtGEvents?version=1.0';
import System from 'system';

const {DomainLifecycleEvent, DomainIOErrorAction} = LibvirtGEvents;

// Enum values are numbers in GJS: find an action's name ('REPORT' -> 'report').
function nick(enumType, value) {
    const name = Object.keys(enumType).find(key => enumType[key] === value);
    return name ? name.toLowerCase().replaceAll('_', '-') : '?';
}

if (System.programArgs.length !== 2) {
    printerr('usage: watch-lifecycle.js URI DOMAIN');
    System.exit(2);
}
const [uri, name] = System.programArgs;

// First, before any connection: it makes GLib's main loop libvirt's event
// loop (GVirConnection would too; raw libvirt connections need it) and keeps
// libvirt from printing the errors it also returns as GErrors.
LibvirtGObject.init_object(null);

const conn = LibvirtGObject.Connection.new(uri);
conn.open(null);
conn.fetch_domains(null);
const domain = conn.find_domain_by_name(name);
if (!domain) {
    printerr(`no domain named ${name}`);
    System.exit(1);
}

// The domain's companion carries its event signals.
const events = LibvirtGEvents.DomainEvents.get_for_domain(domain);
events.connect('lifecycle', (_events, event, detail) => {
    // the event's name and its detail's, in libvirt's words (null if newer)
    const words = DomainLifecycleEvent.detail_to_string(event, detail);
    print(`lifecycle: ${DomainLifecycleEvent.to_string(event) ?? '?'} (${words ?? '?'})`);
});
events.connect('io-error', (_events, disk, alias, srcPath, action, reason) => {
    print(`io-error: disk=${disk ?? alias} action=${nick(DomainIOErrorAction, action)}`);
});

const loop = new GLib.MainLoop(null, false);
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
printerr(`Watching ${name}, Ctrl-C to stop`);
loop.run();
