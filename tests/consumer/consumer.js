// consumer.js: the GJS twin of consumer.c, run by test-consumer.sh inside
// `meson devenv`
import GLib from 'gi://GLib';
import LibvirtGObject from 'gi://LibvirtGObject?version=1.0';
import LibvirtGEvents from 'gi://LibvirtGEvents?version=1.0';

LibvirtGObject.init_object(null);
const conn = LibvirtGObject.Connection.new('test:///default');
conn.open(null);
conn.fetch_domains(null);
const loop = GLib.MainLoop.new(null, false);
let seen = 0;
LibvirtGEvents.ConnectionEvents.get_for_connection(conn).connect('domain-event::lifecycle', (events, domain, event) => {
    print(`${event.to_string()} [${event.get_kind_name()}]`);
    if (++seen === 2)
        loop.quit();
});
const domain = conn.find_domain_by_name('test');
domain.suspend();
domain.resume();
loop.run();
conn.close();
