/* last-event.c: a domain's last notable event, for the Last event column
 *
 * The rows are the library's own GVirDomainEvents (the connection's
 * domains model), and their State column binds GVirDomainEvents:state:
 * neither needs code here.  What no library can know is which events this
 * program finds notable: an ExampleLastEvent per domain, kept on its
 * companion (object data) and fed by its signals, says the last one.  The
 * view binds its "text" and "error".
 */
#include "last-event.h"

struct _ExampleLastEvent {
    GObject parent_instance;

    gchar *text;
    gboolean error;
};

G_DEFINE_FINAL_TYPE (ExampleLastEvent, example_last_event, G_TYPE_OBJECT)

enum { PROP_0, PROP_TEXT, PROP_ERROR, N_PROPS };
static GParamSpec *props[N_PROPS];

#define DATA_KEY "example-last-event"

static void set_last_event (ExampleLastEvent *self, gboolean error, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
set_last_event (ExampleLastEvent *self, gboolean error, const gchar *format, ...)
{
    va_list args;

    g_free (self->text);
    va_start (args, format);
    self->text = g_strdup_vprintf (format, args);
    va_end (args);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TEXT]);
    if (self->error != error) {
        self->error = error;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR]);
    }
}

/* The nick of an enum value: "poweroff" for GVIR_DOMAIN_WATCHDOG_ACTION_POWEROFF.
 * A value newer than the enum (the library passes those through) has none. */
static const gchar *
nick (GType enum_type, gint value)
{
    g_autoptr (GEnumClass) klass = g_type_class_ref (enum_type);
    GEnumValue *enum_value = g_enum_get_value (klass, value);

    return enum_value ? enum_value->value_nick : "unknown";
}

/* The handlers run in GTK's main context (the library emits there unless the
 * program chose another with gvir_connection_events_set_main_context()). */

static void
on_io_error (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk, const gchar *alias,
             const gchar *src_path G_GNUC_UNUSED, GVirDomainIOErrorAction action, const gchar *reason,
             ExampleLastEvent *self)
{
    /* libvirt names one reason, "enospc" (a full disk); else it is empty */
    set_last_event (self, TRUE, "I/O error on %s%s%s (%s)", disk ? disk : alias,
                    reason && *reason ? ": " : "", reason ? reason : "",
                    nick (GVIR_TYPE_DOMAIN_IO_ERROR_ACTION, action));
}

static void
on_watchdog (GVirDomainEvents *events G_GNUC_UNUSED, GVirDomainWatchdogAction action,
             ExampleLastEvent *self)
{
    set_last_event (self, TRUE, "watchdog fired (%s)", nick (GVIR_TYPE_DOMAIN_WATCHDOG_ACTION, action));
}

static void
on_vnc (GVirDomainEvents *events G_GNUC_UNUSED, GVirGraphicsClient *client, ExampleLastEvent *self)
{
    gboolean connected = gvir_graphics_client_get_phase (client) != GVIR_GRAPHICS_PHASE_DISCONNECT;

    set_last_event (self, FALSE, "VNC client %s %s", gvir_graphics_client_get_remote_node (client),
                    connected ? "connected" : "left");
}

static void
on_watermark (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk,
              const gchar *path G_GNUC_UNUSED, guint64 threshold,
              guint64 excess G_GNUC_UNUSED, ExampleLastEvent *self)
{
    set_last_event (self, FALSE, "%s written past %" G_GUINT64_FORMAT " bytes", disk, threshold);
}

static void
on_reboot (GVirDomainEvents *events G_GNUC_UNUSED, ExampleLastEvent *self)
{
    set_last_event (self, FALSE, "rebooted");
}

/* The signals that make news.  "vnc-initialized" is left out: the
 * client's handshake is not news once it connected. */
static const struct {
    const gchar *signal;
    GCallback handler;
} handlers[] = {
    { "io-error", G_CALLBACK (on_io_error) },
    { "watchdog", G_CALLBACK (on_watchdog) },
    { "vnc-connected", G_CALLBACK (on_vnc) },
    { "vnc-disconnected", G_CALLBACK (on_vnc) },
    { "watermark", G_CALLBACK (on_watermark) },
    { "reboot", G_CALLBACK (on_reboot) },
};

/* The one of @events, made and subscribed the first time a row shows it;
 * it lives as long as the companion (which holds it), or until detached. */
ExampleLastEvent *
example_last_event_of (GVirDomainEvents *events)
{
    ExampleLastEvent *self = g_object_get_data (G_OBJECT (events), DATA_KEY);

    if (self != NULL)
        return self;
    self = g_object_new (EXAMPLE_TYPE_LAST_EVENT, NULL);
    g_object_set_data_full (G_OBJECT (events), DATA_KEY, self, g_object_unref);
    for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
        g_signal_connect (events, handlers[i].signal, handlers[i].handler, self);
    return self;
}

/* The window closes: no handler of ours stays on the library's objects. */
void
example_last_event_detach (GVirDomainEvents *events)
{
    ExampleLastEvent *self = g_object_get_data (G_OBJECT (events), DATA_KEY);

    if (self == NULL)
        return;
    g_signal_handlers_disconnect_by_data (events, self);
    g_object_set_data (G_OBJECT (events), DATA_KEY, NULL);
}

static void
example_last_event_finalize (GObject *object)
{
    g_free (EXAMPLE_LAST_EVENT (object)->text);
    G_OBJECT_CLASS (example_last_event_parent_class)->finalize (object);
}

static void
example_last_event_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    ExampleLastEvent *self = EXAMPLE_LAST_EVENT (object);

    switch (prop_id) {
    case PROP_TEXT:
        g_value_set_string (value, self->text);
        break;
    case PROP_ERROR:
        g_value_set_boolean (value, self->error);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
example_last_event_class_init (ExampleLastEventClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->finalize = example_last_event_finalize;
    object_class->get_property = example_last_event_get_property;
    props[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_ERROR] = g_param_spec_boolean ("error", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
example_last_event_init (ExampleLastEvent *self G_GNUC_UNUSED)
{
}
