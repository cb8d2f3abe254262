/* watch-lifecycle.vala: print the lifecycle events and I/O errors of a domain */

/* The name of an action: "report" for GVir.DomainIOErrorAction.REPORT */
string nick (Type enum_type, int value) {
    unowned EnumValue? enum_value = ((EnumClass) enum_type.class_ref ()).get_value (value);
    return enum_value != null ? enum_value.value_nick : "?";
}

int main (string[] args) {
    if (args.length != 3) {
        printerr ("usage: %s URI DOMAIN\n", args[0]);
        return 2;
    }
    string uri = args[1];
    string name = args[2];

    /* First, before any connection: it makes GLib's main loop libvirt's event
     * loop (GVirConnection would too; raw libvirt connections need it) and keeps
     * libvirt from printing the errors it also returns as GErrors. */
    GVir.init_object (ref args);

    var conn = new GVir.Connection (uri);
    try {
        conn.open ();
        conn.fetch_domains ();
    } catch (Error e) {
        printerr ("%s: %s\n", uri, e.message);
        return 1;
    }
    GVir.Domain? domain = conn.find_domain_by_name (name);
    if (domain == null) {
        printerr ("no domain named %s\n", name);
        return 1;
    }

    /* The domain's companion carries its event signals. */
    var events = GVir.DomainEvents.get_for_domain (domain);
    events.lifecycle.connect ((event, detail) => {
        /* the event's name and its detail's, in libvirt's words (null if newer) */
        string? words = event.detail_to_string (detail);
        print ("lifecycle: %s (%s)\n", event.to_string () ?? "?", words ?? "?");
    });
    events.io_error.connect ((disk, alias, src_path, action, reason) => {
        print ("io-error: disk=%s action=%s\n", disk ?? alias,
               nick (typeof (GVir.DomainIOErrorAction), action));
    });

    var loop = new MainLoop ();
    Unix.signal_add (ProcessSignal.INT, () => {
        loop.quit ();
        return Source.REMOVE;
    });
    printerr ("Watching %s, Ctrl-C to stop\n", name);
    loop.run ();
    return 0;
}
