/* watch-all: print every event of every domain, network, storage pool, host
 * device and secret of a libvirt connection.
 *
 *   watch-all URI [--count N]
 *
 * One line per event: "NAME: KIND[::DETAIL] PAYLOAD", the payload (the
 * arguments of the typed signal) as compact JSON.
 *
 * Build:  valac --pkg libvirt-gevents-1.0 --pkg libvirt-gobject-1.0 watch-all.vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

static int opt_count = 0;
static bool opt_self_test = false;

const OptionEntry[] OPTIONS = {
    { "count", 0, 0, OptionArg.INT, ref opt_count, "Exit after N events", "N" },
    { "self-test", 0, OptionFlags.HIDDEN, OptionArg.NONE, ref opt_self_test, null, null },
    { null }
};

/* Writes a payload value as JSON.  A payload is an a{sv} dictionary whose
 * values are numbers, booleans, strings, nested a{sv} (a graphics client)
 * or arrays of tuples (its identities). */
static void append_json (StringBuilder json, Variant value) {
    if (value.is_of_type (VariantType.VARIANT)) {
        append_json (json, value.get_variant ());
    } else if (value.is_of_type (VariantType.VARDICT)) {
        json.append_c ('{');
        var iter = value.iterator ();
        string key;
        Variant member;
        bool first = true;
        while (iter.next ("{sv}", out key, out member)) {
            if (!first)
                json.append_c (',');
            first = false;
            append_json (json, new Variant.string (key));
            json.append_c (':');
            append_json (json, member);
        }
        json.append_c ('}');
    } else if (value.is_container ()) {  /* arrays and tuples */
        json.append_c ('[');
        for (size_t i = 0; i < value.n_children (); i++) {
            if (i > 0)
                json.append_c (',');
            append_json (json, value.get_child_value (i));
        }
        json.append_c (']');
    } else if (value.is_of_type (VariantType.STRING)) {
        json.append_c ('"');
        unowned string text = value.get_string ();
        for (int i = 0; i < text.length; i++) {
            char c = text[i];
            switch (c) {
            case '"': json.append ("\\\""); break;
            case '\\': json.append ("\\\\"); break;
            case '\n': json.append ("\\n"); break;
            case '\r': json.append ("\\r"); break;
            case '\t': json.append ("\\t"); break;
            default:
                if ((uint8) c < 0x20)
                    json.append_printf ("\\u%04x", c);
                else
                    json.append_c (c);
                break;
            }
        }
        json.append_c ('"');
    } else {
        /* numbers and booleans print the same in GVariant text and JSON */
        json.append (value.print (false));
    }
}

/* Prints one line per event, and quits the main loop after --count. */
class Printer {
    MainLoop loop;
    int left;  /* events still to print; 0: forever */

    public Printer (MainLoop loop, int count) {
        this.loop = loop;
        this.left = count;
    }

    /* event is a GVir.Event; its payload is an a{sv} Variant. */
    public void on_domain_event (GVir.ConnectionEvents hub, GVir.Domain domain, GVir.Event event) {
        var line = new StringBuilder ();
        line.append_printf ("%s: %s", domain.get_name (), event.get_kind_name ());
        if (event.detail != null)
            line.append_printf ("::%s", event.detail);
        line.append_c (' ');
        append_json (line, event.payload);
        print_line (line.str);
    }

    /* The other objects' lifecycle signals: detailed by the event's nick. */
    public void on_lifecycle (string name, string kind, Type event_type, int event, int detail) {
        unowned EnumValue? value = ((EnumClass) event_type.class_ref ()).get_value (event);
        print_line ("%s: %s::%s {\"event\":%d,\"detail\":%d}".printf (
            name, kind, value != null ? value.value_nick : event.to_string (), event, detail));
    }

    public void on_other (string name, string kind) {
        print_line ("%s: %s {}".printf (name, kind));
    }

    void print_line (string line) {
        print ("%s\n", line);
        if (left > 0 && --left == 0)
            loop.quit ();
    }
}

/* --self-test: libvirt's test driver (test:///default) lives inside this
 * process, so only this process can make its domain "test" change state:
 * pause, resume, destroy and start it; then refresh, stop and start its
 * storage pool "default-pool".  The events still reach us the normal way,
 * through libvirt's event loop and the connection companion's signals. */
static void self_test (GVir.Connection conn) throws Error {
    GVir.Domain domain = conn.find_domain_by_name ("test");
    domain.suspend ();
    domain.resume ();
    domain.stop (0);
    domain.start (0);
    GVir.StoragePool pool = conn.find_storage_pool_by_name ("default-pool");
    pool.refresh ();
    pool.stop ();
    pool.start (0);
}

int main (string[] args) {
    try {
        var context = new OptionContext ("URI - print every domain event of a libvirt connection");
        context.add_main_entries (OPTIONS, null);
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    if (args.length != 2 || opt_count < 0) {
        printerr ("usage: %s URI [--count N]\n", args[0]);
        return 2;
    }
    string uri = args[1];
    if (opt_self_test && !uri.has_prefix ("test:")) {
        printerr ("--self-test only works on test:///... URIs\n");
        return 1;
    }

    /* First, before any connection: it makes GLib's main loop libvirt's event
     * loop (GVirConnection would too; raw libvirt connections need it) and keeps
     * libvirt from printing the errors it also returns as GErrors. */
    GVir.init_object (ref args);
    var conn = new GVir.Connection (uri);
    try {
        conn.open ();
        conn.fetch_domains ();
        conn.fetch_storage_pools ();
    } catch (Error e) {
        printerr ("cannot connect to %s: %s\n", uri, e.message);
        return 1;
    }

    var loop = new MainLoop ();
    var printer = new Printer (loop, opt_count);

    /* Connect to "domain-event::io-error" and so on to hear only one kind. */
    var hub = GVir.ConnectionEvents.get_for_connection (conn);
    hub.domain_event.connect (printer.on_domain_event);
    hub.network_lifecycle.connect ((h, network, event, detail) => {
        printer.on_lifecycle (network.get_name (), "network-lifecycle",
                              typeof (GVir.NetworkLifecycleEvent), event, detail);
    });
    hub.storage_pool_lifecycle.connect ((h, pool, event, detail) => {
        printer.on_lifecycle (pool.get_name (), "storage-pool-lifecycle",
                              typeof (GVir.StoragePoolLifecycleEvent), event, detail);
    });
    hub.storage_pool_refresh.connect ((h, pool) => {
        printer.on_other (pool.get_name (), "storage-pool-refresh");
    });
    hub.node_device_lifecycle.connect ((h, device, event, detail) => {
        printer.on_lifecycle (device.get_name (), "node-device-lifecycle",
                              typeof (GVir.NodeDeviceLifecycleEvent), event, detail);
    });
    hub.node_device_update.connect ((h, device) => {
        printer.on_other (device.get_name (), "node-device-update");
    });
    /* a secret has no name: libvirt-gobject 4.0 exports no gvir_secret_get_name () */
    hub.secret_lifecycle.connect ((h, secret, event, detail) => {
        printer.on_lifecycle (secret.get_uuid (), "secret-lifecycle",
                              typeof (GVir.SecretLifecycleEvent), event, detail);
    });
    hub.secret_value_changed.connect ((h, secret) => {
        printer.on_other (secret.get_uuid (), "secret-value-changed");
    });

    /* Ctrl-C: leave the main loop, and the program, cleanly. */
    Unix.signal_add (ProcessSignal.INT, () => {
        loop.quit ();
        return Source.REMOVE;
    });
    printerr ("Watching every domain on %s, Ctrl-C to stop\n", uri);
    int status = 0;
    if (opt_self_test) {
        Idle.add (() => {
            try {
                self_test (conn);
            } catch (Error e) {
                printerr ("self-test: %s\n", e.message);
                status = 1;
                loop.quit ();
            }
            return Source.REMOVE;
        });
    }
    loop.run ();
    return status;
}
