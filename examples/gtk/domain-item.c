/* domain-item.c: one row of the domain list, fed by the domain's events
 *
 * The item, not a widget, listens to the library: the list's widgets are
 * recycled as the view scrolls and only bind to the item's properties (see
 * window.c), so a handler never outlives the object it touches.  The item
 * disconnects its handlers in dispose, which runs when the window drops its
 * list or the domain is undefined.
 */
#include "domain-item.h"

struct _ExampleDomainItem {
    GObject parent_instance;

    GVirDomainEvents *events;     /* a reference: handlers are ours to disconnect */
    GCancellable *cancellable;    /* the first get_info */
    gchar *uuid;
    gchar *name;
    GVirDomainState state;
    gboolean state_known;         /* a lifecycle event told the state before get_info did */
    gchar *last_event;
    gboolean error;
};

G_DEFINE_FINAL_TYPE (ExampleDomainItem, example_domain_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_STATE, PROP_LAST_EVENT, PROP_ERROR, N_PROPS };
static GParamSpec *props[N_PROPS];

/* What the State column says for each of libvirt-gobject's states. */
static const gchar *const state_text[] = {
    [GVIR_DOMAIN_STATE_NONE] = "",
    [GVIR_DOMAIN_STATE_RUNNING] = "running",
    [GVIR_DOMAIN_STATE_BLOCKED] = "blocked",
    [GVIR_DOMAIN_STATE_PAUSED] = "paused",
    [GVIR_DOMAIN_STATE_SHUTDOWN] = "shutting down",
    [GVIR_DOMAIN_STATE_SHUTOFF] = "shut off",
    [GVIR_DOMAIN_STATE_CRASHED] = "crashed",
    [GVIR_DOMAIN_STATE_PMSUSPENDED] = "suspended by the guest",
};

/* The state each lifecycle event leaves the domain in; NONE: unchanged
 * (defining a running domain does not stop it). */
static const GVirDomainState state_after[] = {
    [GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED] = GVIR_DOMAIN_STATE_NONE,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_UNDEFINED] = GVIR_DOMAIN_STATE_NONE,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED] = GVIR_DOMAIN_STATE_RUNNING,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED] = GVIR_DOMAIN_STATE_PAUSED,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED] = GVIR_DOMAIN_STATE_RUNNING,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED] = GVIR_DOMAIN_STATE_SHUTOFF,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_SHUTDOWN] = GVIR_DOMAIN_STATE_SHUTDOWN,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED] = GVIR_DOMAIN_STATE_PMSUSPENDED,
    [GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED] = GVIR_DOMAIN_STATE_CRASHED,
};

static void
set_state (ExampleDomainItem *self, GVirDomainState state)
{
    if (state >= G_N_ELEMENTS (state_text) || state == self->state)
        return;
    self->state = state;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* The Last event column: a sentence, and whether it is an error (the view
 * shows an icon and the "error" style class). */
static void
set_last_event (ExampleDomainItem *self, gboolean error, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
set_last_event (ExampleDomainItem *self, gboolean error, const gchar *format, ...)
{
    va_list args;

    g_free (self->last_event);
    va_start (args, format);
    self->last_event = g_strdup_vprintf (format, args);
    va_end (args);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_EVENT]);
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

/* The handlers.  Every companion of a connection emits its signals in the
 * global default main context, here GTK's main thread, unless the program
 * chose another with gvir_connection_events_set_main_context(): they may
 * change properties that widgets are bound to. */

static void
on_lifecycle (GVirDomainEvents *events G_GNUC_UNUSED, GVirDomainLifecycleEvent event,
              gint detail G_GNUC_UNUSED, ExampleDomainItem *self)
{
    /* "defined" tells no state: the answer of get_info still counts */
    if ((guint) event < G_N_ELEMENTS (state_after) && state_after[event] != GVIR_DOMAIN_STATE_NONE) {
        self->state_known = TRUE;
        set_state (self, state_after[event]);
    }
}

static void
on_io_error (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk, const gchar *alias,
             const gchar *src_path G_GNUC_UNUSED, GVirDomainIOErrorAction action, const gchar *reason,
             ExampleDomainItem *self)
{
    /* libvirt names one reason, "enospc" (a full disk); else it is empty */
    set_last_event (self, TRUE, "I/O error on %s%s%s (%s)", disk ? disk : alias,
                    reason && *reason ? ": " : "", reason ? reason : "",
                    nick (GVIR_TYPE_DOMAIN_IO_ERROR_ACTION, action));
}

static void
on_watchdog (GVirDomainEvents *events G_GNUC_UNUSED, GVirDomainWatchdogAction action,
             ExampleDomainItem *self)
{
    set_last_event (self, TRUE, "watchdog fired (%s)", nick (GVIR_TYPE_DOMAIN_WATCHDOG_ACTION, action));
}

static void
on_vnc (GVirDomainEvents *events G_GNUC_UNUSED, GVirGraphicsClient *client, ExampleDomainItem *self)
{
    gboolean connected = gvir_graphics_client_get_phase (client) != GVIR_GRAPHICS_PHASE_DISCONNECT;

    set_last_event (self, FALSE, "VNC client %s %s", gvir_graphics_client_get_remote_node (client),
                    connected ? "connected" : "left");
}

static void
on_watermark (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk,
              const gchar *path G_GNUC_UNUSED, guint64 threshold,
              guint64 excess G_GNUC_UNUSED, ExampleDomainItem *self)
{
    set_last_event (self, FALSE, "%s written past %" G_GUINT64_FORMAT " bytes", disk, threshold);
}

static void
on_reboot (GVirDomainEvents *events G_GNUC_UNUSED, ExampleDomainItem *self)
{
    set_last_event (self, FALSE, "rebooted");
}

/* The signals the row listens to.  "vnc-initialized" is left out: the
 * client's handshake is not news once it connected. */
static const struct {
    const gchar *signal;
    GCallback handler;
} handlers[] = {
    { "lifecycle", G_CALLBACK (on_lifecycle) },
    { "io-error", G_CALLBACK (on_io_error) },
    { "watchdog", G_CALLBACK (on_watchdog) },
    { "vnc-connected", G_CALLBACK (on_vnc) },
    { "vnc-disconnected", G_CALLBACK (on_vnc) },
    { "watermark", G_CALLBACK (on_watermark) },
    { "reboot", G_CALLBACK (on_reboot) },
};

static void
got_info (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;
    GVirDomainInfo *info = gvir_domain_get_info_finish (GVIR_DOMAIN (source), result, &error);

    /* Cancelled: the item is gone (user_data holds no reference). */
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

    ExampleDomainItem *self = user_data;
    if (info == NULL) {
        g_warning ("%s: %s", self->name, error->message);
        return;
    }
    if (!self->state_known)   /* else an event already told a newer state */
        set_state (self, info->state);
    g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
}

ExampleDomainItem *
example_domain_item_new (GVirDomain *domain)
{
    ExampleDomainItem *self = g_object_new (EXAMPLE_TYPE_DOMAIN_ITEM, NULL);

    self->uuid = g_strdup (gvir_domain_get_uuid (domain));
    self->name = g_strdup (gvir_domain_get_name (domain));
    /* One companion per domain, whatever GVirDomain wrapper we were given:
     * the connection owns it while the domain exists; our reference keeps
     * it alive until we disconnect. */
    self->events = g_object_ref (gvir_domain_events_get_for_domain (domain));
    for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
        g_signal_connect (self->events, handlers[i].signal, handlers[i].handler, self);

    /* The state until the first lifecycle event; asynchronous, since a
     * remote daemon may take a while to answer. */
    self->cancellable = g_cancellable_new ();
    gvir_domain_get_info_async (domain, self->cancellable, got_info, self);
    return self;
}

static void
example_domain_item_dispose (GObject *object)
{
    ExampleDomainItem *self = EXAMPLE_DOMAIN_ITEM (object);

    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
    if (self->events != NULL) {
        g_signal_handlers_disconnect_by_data (self->events, self);
        g_clear_object (&self->events);
    }
    G_OBJECT_CLASS (example_domain_item_parent_class)->dispose (object);
}

static void
example_domain_item_finalize (GObject *object)
{
    ExampleDomainItem *self = EXAMPLE_DOMAIN_ITEM (object);

    g_free (self->uuid);
    g_free (self->name);
    g_free (self->last_event);
    G_OBJECT_CLASS (example_domain_item_parent_class)->finalize (object);
}

static void
example_domain_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    ExampleDomainItem *self = EXAMPLE_DOMAIN_ITEM (object);

    switch (prop_id) {
    case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
    case PROP_STATE:
        g_value_set_string (value, example_domain_item_get_state (self));
        break;
    case PROP_LAST_EVENT:
        g_value_set_string (value, self->last_event);
        break;
    case PROP_ERROR:
        g_value_set_boolean (value, self->error);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
example_domain_item_class_init (ExampleDomainItemClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->dispose = example_domain_item_dispose;
    object_class->finalize = example_domain_item_finalize;
    object_class->get_property = example_domain_item_get_property;

    /* Read-only and notifying: the view binds its labels to them. */
    props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_LAST_EVENT] = g_param_spec_string ("last-event", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_ERROR] = g_param_spec_boolean ("error", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
example_domain_item_init (ExampleDomainItem *self G_GNUC_UNUSED)
{
}

const gchar *
example_domain_item_get_uuid (ExampleDomainItem *self)
{
    return self->uuid;
}

const gchar *
example_domain_item_get_name (ExampleDomainItem *self)
{
    return self->name;
}

const gchar *
example_domain_item_get_state (ExampleDomainItem *self)
{
    return state_text[self->state];
}

const gchar *
example_domain_item_get_last_event (ExampleDomainItem *self)
{
    return self->last_event;
}

gboolean
example_domain_item_get_error (ExampleDomainItem *self)
{
    return self->error;
}

GVirDomainEvents *
example_domain_item_get_events (ExampleDomainItem *self)
{
    return self->events;
}
