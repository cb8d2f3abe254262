/* watch-domain: print the interesting events of one libvirt domain.
 *
 *   watch-domain URI DOMAIN [--watermark DISK:BYTES] [--count N]
 *
 * e.g.  watch-domain qemu:///system myguest --watermark vda:10G
 *
 * Build:  valac --pkg libvirt-gevents-1.0 --pkg libvirt-gobject-1.0 watch-domain.vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

static string? opt_watermark = null;
static int opt_count = 0;
static bool opt_self_test = false;

const OptionEntry[] OPTIONS = {
    { "watermark", 0, 0, OptionArg.STRING, ref opt_watermark,
      "Ask for a 'watermark' event when DISK's allocation crosses BYTES", "DISK:BYTES" },
    { "count", 0, 0, OptionArg.INT, ref opt_count, "Exit after N events", "N" },
    { "self-test", 0, OptionFlags.HIDDEN, OptionArg.NONE, ref opt_self_test, null, null },
    { null }
};

/* The nick of an enum value ("inject-nmi"); a value newer than the
 * bindings prints as a number. */
static string nick (Type enum_type, int value) {
    unowned EnumValue? v = ((EnumClass) enum_type.class_ref ()).get_value (value);
    return v != null ? v.value_nick : value.to_string ();
}

static unowned string show (string? value) {
    return value ?? "-";
}

static string address (GVir.GraphicsAddressFamily family, string? node, string? service) {
    return "%s:%s (%s)".printf (show (node), show (service),
                                nick (typeof (GVir.GraphicsAddressFamily), family));
}

/* "4096", "512K", "10G" -> bytes */
static bool parse_size (string text, out uint64 bytes) {
    int shift = 0;
    string digits = text;
    if (text.length > 0) {
        int unit = "KMGT".index_of_char (text[text.length - 1].toupper ());
        if (unit >= 0) {
            shift = 10 * (unit + 1);
            digits = text.substring (0, text.length - 1);
        }
    }
    if (!uint64.try_parse (digits, out bytes, null, 10))
        return false;
    bytes <<= shift;
    return true;
}

/* The signal handlers: their arguments are typed (enums are Vala enums,
 * strings that libvirt may leave out are string?).  After --count events
 * they quit the main loop. */
class Watcher {
    MainLoop loop;
    int left;  /* events still to print; 0: forever */

    public Watcher (MainLoop loop, int count) {
        this.loop = loop;
        this.left = count;
    }

    void report (string line) {
        print ("%s\n", line);
        if (left > 0 && --left == 0)
            loop.quit ();
    }

    public void on_lifecycle (GVir.DomainEvents events, GVir.DomainLifecycleEvent event, int detail) {
        string? words = event.detail_to_string (detail);
        report ("lifecycle: %s (%s)".printf (event.to_string () ?? ((int) event).to_string (),
                                             words ?? "detail %d".printf (detail)));
    }

    public void on_reboot (GVir.DomainEvents events) {
        report ("reboot");
    }

    public void on_watchdog (GVir.DomainEvents events, GVir.DomainWatchdogAction action) {
        report ("watchdog: action=%s".printf (nick (typeof (GVir.DomainWatchdogAction), action)));
    }

    public void on_io_error (GVir.DomainEvents events, string? disk, string? alias,
                             string? src_path, GVir.DomainIOErrorAction action, string? reason) {
        report ("io-error: disk=%s alias=%s path=%s action=%s reason=%s".printf (
            show (disk), show (alias), show (src_path),
            nick (typeof (GVir.DomainIOErrorAction), action), show (reason)));
    }

    public void on_watermark (GVir.DomainEvents events, string? disk, string? path,
                              uint64 threshold, uint64 excess) {
        report ("watermark: disk=%s path=%s threshold=%s excess=%s".printf (
            show (disk), show (path), threshold.to_string (), excess.to_string ()));
    }

    /* A GVirGraphicsClient is an object: read its properties. */
    void graphics (string signal_name, GVir.GraphicsClient client) {
        var line = new StringBuilder ();
        line.append_printf ("%s: remote=%s local=%s auth=%s", signal_name,
            address (client.remote_family, client.remote_node, client.remote_service),
            address (client.local_family, client.local_node, client.local_service),
            show (client.auth_scheme));
        if (client.x509_dname != null)
            line.append_printf (" x509-dname=%s", client.x509_dname);
        if (client.sasl_username != null)
            line.append_printf (" sasl-username=%s", client.sasl_username);
        report (line.str);
    }

    public void on_vnc_connected (GVir.DomainEvents events, GVir.GraphicsClient client) {
        graphics ("vnc-connected", client);
    }

    public void on_vnc_initialized (GVir.DomainEvents events, GVir.GraphicsClient client) {
        graphics ("vnc-initialized", client);
    }

    public void on_vnc_disconnected (GVir.DomainEvents events, GVir.GraphicsClient client) {
        graphics ("vnc-disconnected", client);
    }
}

/* --self-test: libvirt's test driver (test:///default) lives inside this
 * process, so only this process can make its domains change state.  The
 * events still reach us the normal way, through libvirt's event loop and
 * the signals. */
static void self_test (GVir.Domain domain) throws Error {
    domain.suspend ();
    domain.resume ();
    domain.stop (0);
    domain.start (0);
}

int main (string[] args) {
    try {
        var context = new OptionContext ("URI DOMAIN - print the events of one libvirt domain");
        context.add_main_entries (OPTIONS, null);
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    if (args.length != 3 || opt_count < 0) {
        printerr ("usage: %s URI DOMAIN [--watermark DISK:BYTES] [--count N]\n", args[0]);
        return 2;
    }
    string uri = args[1];
    string name = args[2];
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
    } catch (Error e) {
        printerr ("cannot connect to %s: %s\n", uri, e.message);
        return 1;
    }
    GVir.Domain? domain = conn.find_domain_by_name (name);
    if (domain == null) {
        printerr ("no domain named '%s' on %s\n", name, uri);
        return 1;
    }

    var loop = new MainLoop ();
    var watcher = new Watcher (loop, opt_count);

    /* The companion object that carries the domain's event signals. */
    var events = GVir.DomainEvents.get_for_domain (domain);
    events.lifecycle.connect (watcher.on_lifecycle);
    events.reboot.connect (watcher.on_reboot);
    events.watchdog.connect (watcher.on_watchdog);
    events.io_error.connect (watcher.on_io_error);
    events.watermark.connect (watcher.on_watermark);
    events.vnc_connected.connect (watcher.on_vnc_connected);
    events.vnc_initialized.connect (watcher.on_vnc_initialized);
    events.vnc_disconnected.connect (watcher.on_vnc_disconnected);

    if (opt_watermark != null) {
        int colon = opt_watermark.index_of_char (':');
        uint64 bytes = 0;
        if (colon < 0 || !parse_size (opt_watermark.substring (colon + 1), out bytes)) {
            printerr ("--watermark wants DISK:BYTES, not %s\n", opt_watermark);
            return 2;
        }
        try {
            events.set_watermark (opt_watermark.substring (0, colon), bytes);
        } catch (Error e) {
            printerr ("cannot set watermark %s: %s\n", opt_watermark, e.message);
            return 1;
        }
    }

    /* Ctrl-C: leave the main loop, and the program, cleanly. */
    Unix.signal_add (ProcessSignal.INT, () => {
        loop.quit ();
        return Source.REMOVE;
    });
    printerr ("Watching %s on %s, Ctrl-C to stop\n", name, uri);
    int status = 0;
    if (opt_self_test) {
        Idle.add (() => {
            try {
                self_test (domain);
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
