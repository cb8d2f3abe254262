// consumer.vala: compiled inside `meson devenv` with valac --pkg
// libvirt-gevents-1.0 (the vapi found through XDG_DATA_DIRS)
int main (string[] args) {
    GVir.init_object (ref args);
    var conn = new GVir.Connection ("test:///default");
    try {
        conn.open ();
        conn.fetch_domains ();
        var loop = new MainLoop ();
        int seen = 0;
        GVir.ConnectionEvents.get_for_connection (conn).domain_event["lifecycle"].connect ((domain, event) => {
            print ("%s [%s]\n", event.to_string (), event.get_kind ().to_string ());
            if (++seen == 2)
                loop.quit ();
        });
        var domain = conn.find_domain_by_name ("test");
        domain.suspend ();
        domain.resume ();
        loop.run ();
        conn.close ();
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    return 0;
}
