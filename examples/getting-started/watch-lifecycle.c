/* watch-lifecycle.c: print the lifecycle events and I/O errors of a domain */
#include <glib-unix.h>
#include <libvirt-gevents/libvirt-gevents.h>

/* The name of an action: "report" for GVIR_DOMAIN_IO_ERROR_ACTION_REPORT */
static const gchar *
nick (GType enum_type, gint value)
{
    GEnumClass *klass = g_type_class_ref (enum_type);
    GEnumValue *enum_value = g_enum_get_value (klass, value);

    g_type_class_unref (klass);
    return enum_value ? enum_value->value_nick : "?";
}

static void
on_lifecycle (GVirDomainEvents *events G_GNUC_UNUSED, GVirDomainLifecycleEvent event,
              gint detail, gpointer user_data G_GNUC_UNUSED)
{
    /* the event's name and its detail's, in libvirt's words (NULL if newer) */
    const gchar *name = gvir_domain_lifecycle_event_to_string (event);
    const gchar *words = gvir_domain_lifecycle_event_detail_to_string (event, detail);

    g_print ("lifecycle: %s (%s)\n", name ? name : "?", words ? words : "?");
}

static void
on_io_error (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk, const gchar *alias,
             const gchar *src_path G_GNUC_UNUSED, GVirDomainIOErrorAction action,
             const gchar *reason G_GNUC_UNUSED, gpointer user_data G_GNUC_UNUSED)
{
    g_print ("io-error: disk=%s action=%s\n", disk ? disk : alias,
             nick (GVIR_TYPE_DOMAIN_IO_ERROR_ACTION, action));
}

static gboolean
on_sigint (gpointer loop)
{
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
    GError *error = NULL;

    if (argc != 3) {
        g_printerr ("usage: %s URI DOMAIN\n", argv[0]);
        return 2;
    }

    /* First, before any connection: it makes GLib's main loop libvirt's event
     * loop (GVirConnection would too; raw libvirt connections need it) and keeps
     * libvirt from printing the errors it also returns as GErrors. */
    gvir_init_object (&argc, &argv);

    GVirConnection *conn = gvir_connection_new (argv[1]);
    if (!gvir_connection_open (conn, NULL, &error) ||
        !gvir_connection_fetch_domains (conn, NULL, &error)) {
        g_printerr ("%s: %s\n", argv[1], error->message);
        return 1;
    }
    GVirDomain *domain = gvir_connection_find_domain_by_name (conn, argv[2]);
    if (domain == NULL) {
        g_printerr ("no domain named %s\n", argv[2]);
        return 1;
    }

    /* The domain's companion carries its event signals. */
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (domain);
    g_signal_connect (events, "lifecycle", G_CALLBACK (on_lifecycle), NULL);
    g_signal_connect (events, "io-error", G_CALLBACK (on_io_error), NULL);

    GMainLoop *loop = g_main_loop_new (NULL, FALSE);
    g_unix_signal_add (SIGINT, on_sigint, loop);
    g_printerr ("Watching %s, Ctrl-C to stop\n", argv[2]);
    g_main_loop_run (loop);

    g_main_loop_unref (loop);
    g_object_unref (domain);
    g_object_unref (conn);
    return 0;
}
