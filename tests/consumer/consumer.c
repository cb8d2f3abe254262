/* consumer.c: a program built outside the tree, against the build tree's
 * uninstalled pkg-config file or an installed copy (test-consumer.sh).
 * It includes the umbrella header (which includes the generated enum-type
 * header), suspends and resumes the test driver's domain and prints the two
 * events GVirConnectionEvents::domain-event brings. */
#include <libvirt-gevents/libvirt-gevents.h>

static void
on_event (GVirConnectionEvents *events, GVirDomain *domain G_GNUC_UNUSED,
          GVirEvent *event, gpointer data)
{
    g_autofree gchar *text = gvir_event_to_string (event);
    g_autoptr (GEnumClass) kinds = g_type_class_ref (GVIR_TYPE_DOMAIN_EVENT_KIND);

    g_print ("%s [%s]\n", text, g_enum_get_value (kinds, gvir_event_get_kind (event))->value_nick);
    if (++*(int *) data == 2)
        g_main_loop_quit (g_object_get_data (G_OBJECT (events), "loop"));
}

int
main (int argc, char **argv)
{
    g_autoptr (GError) error = NULL;
    int seen = 0;

    gvir_init_object (&argc, &argv);
    GVirConnection *conn = gvir_connection_new ("test:///default");
    if (!gvir_connection_open (conn, NULL, &error) || !gvir_connection_fetch_domains (conn, NULL, &error)) {
        g_printerr ("%s\n", error->message);
        return 1;
    }
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    g_object_set_data (G_OBJECT (events), "loop", loop);
    g_signal_connect (events, "domain-event::lifecycle", G_CALLBACK (on_event), &seen);

    GVirDomain *domain = gvir_connection_find_domain_by_name (conn, "test");
    if (!gvir_domain_suspend (domain, &error) || !gvir_domain_resume (domain, &error)) {
        g_printerr ("%s\n", error->message);
        return 1;
    }
    g_main_loop_run (loop);
    gvir_connection_close (conn);
    g_object_unref (domain);
    g_object_unref (conn);   /* libvirt-gobject 4.0 has no g_autoptr cleanups */
    return 0;
}
