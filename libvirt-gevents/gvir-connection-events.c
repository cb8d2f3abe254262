/*
 * gvir-connection-events.c: the event hub of one libvirt connection
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gvir-events-private.h"
#include "gvir-marshal.h"

/**
 * SECTION:gvir-connection-events
 * @title: GVirConnectionEvents
 * @short_description: the events of every domain of a connection
 * @see_also: #GVirDomainEvents, #GVirEvent
 *
 * A #GVirConnectionEvents is the companion of one #GVirConnection.  It owns
 * the connection's registrations with libvirt — one per event ID, whatever
 * the number of domains and handlers — and fans each event out to the
 * #GVirDomainEvents of its domain.
 *
 * Programs that watch every domain (monitors, loggers) connect to
 * #GVirConnectionEvents::domain-event, which hands out each event as a
 * #GVirEvent record:
 *
 * |[<!-- language="C" -->
 * static void
 * on_domain_event (GVirConnectionEvents *events, GVirDomain *domain,
 *                  GVirEvent *event, gpointer user_data)
 * {
 *   g_autofree gchar *line = gvir_event_to_string (event);
 *   g_print ("%s\n", line);
 * }
 *
 * GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
 * g_signal_connect (events, "domain-event::watchdog",
 *                   G_CALLBACK (on_domain_event), NULL);
 * ]|
 *
 * The registrations are made when the connection is open (at once, or on
 * #GVirConnection::connection-opened) and dropped when it closes.
 *
 * The connection's other objects have their events here too, one signal per
 * #GVirObjectEventKind: networks (#GVirConnectionEvents::network-lifecycle),
 * storage pools (#GVirConnectionEvents::storage-pool-lifecycle,
 * #GVirConnectionEvents::storage-pool-refresh), host devices
 * (#GVirConnectionEvents::node-device-lifecycle,
 * #GVirConnectionEvents::node-device-update) and secrets
 * (#GVirConnectionEvents::secret-lifecycle,
 * #GVirConnectionEvents::secret-value-changed).  The lifecycle signals are
 * detailed by the event's nick, and their first argument is the object the
 * event is about:
 *
 * |[<!-- language="C" -->
 * static void
 * on_network_started (GVirConnectionEvents *events, GVirNetwork *network,
 *                     GVirNetworkLifecycleEvent event, gint detail,
 *                     gpointer user_data)
 * {
 *   g_print ("network %s started\n", gvir_network_get_name (network));
 * }
 *
 * g_signal_connect (events, "network-lifecycle::started",
 *                   G_CALLBACK (on_network_started), NULL);
 * ]|
 *
 * A monitor may connect #GVirConnectionEvents::object-event alone, which
 * hands out every one of these events with its #GVirObjectEventKind and its
 * arguments as an `a{sv}`.  A view of one network or pool connects to its
 * companion instead (#GVirNetworkEvents, #GVirStoragePoolEvents).  A driver may not deliver
 * every kind (libvirt's test driver has no secrets):
 * gvir_connection_events_supports_object_event() tells.
 */

struct _GVirConnectionEvents {
    GObject parent_instance;

    GMutex lock;                    /* connection-opened may come from a GTask thread */
    GVirConnection *connection;     /* owns us; NULL once it is finalized */
    GVirEventsHub *hub;             /* NULL while the connection is closed */
};

G_DEFINE_FINAL_TYPE (GVirConnectionEvents, gvir_connection_events, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_CONNECTION,
    N_PROPS
};

enum {
    DOMAIN_EVENT,
    OBJECT_EVENT,
    N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];
static guint object_signals[GVIR_OBJECT_EVENT_N_KINDS];
static GQuark kind_quarks[GVIR_EVENT_N_KINDS];
static GQuark object_kind_quarks[GVIR_OBJECT_EVENT_N_KINDS];

/* Set while the getter makes a companion: anything else is a binding's g_object_new(). */
static GPrivate making_companion;

/* Idempotent: two threads may see the connection open at once. */
static void
attach (GVirConnectionEvents *self)
{
    virConnectPtr handle = NULL;

    g_mutex_lock (&self->lock);
    if (!self->hub && self->connection)
        g_object_get (self->connection, "handle", &handle, NULL);
    /* held across the registrations: they are this connection's alone */
    while (handle && !self->hub) {
        GVirEventsHub *hub = gvir_events_hub_acquire (handle);

        if (gvir_events_hub_add_connection (hub, self))
            self->hub = hub;
        else
            gvir_events_hub_unref (hub);
    }
    g_mutex_unlock (&self->lock);
    if (handle)
        virConnectClose (handle);
}

static void
detach (GVirConnectionEvents *self)
{
    GVirEventsHub *hub;

    g_mutex_lock (&self->lock);
    hub = g_steal_pointer (&self->hub);
    g_mutex_unlock (&self->lock);

    if (!hub)
        return;
    gvir_events_hub_remove_connection (hub, self);
    gvir_events_hub_shutdown (hub);
    gvir_events_hub_unref (hub);
}

static void
gvir_connection_events_constructed (GObject *object)
{
    G_OBJECT_CLASS (gvir_connection_events_parent_class)->constructed (object);

    if (!g_private_get (&making_companion))
        g_critical ("GVirConnectionEvents cannot be constructed directly and will hear no event: "
                    "use gvir_connection_events_get_for_connection()");
}

static void
gvir_connection_events_finalize (GObject *object)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    detach (self);
    g_mutex_clear (&self->lock);

    G_OBJECT_CLASS (gvir_connection_events_parent_class)->finalize (object);
}

static void
gvir_connection_events_get_property (GObject *object, guint prop_id,
                                     GValue *value, GParamSpec *pspec)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    switch (prop_id) {
    case PROP_CONNECTION:
        g_value_set_object (value, self->connection);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_connection_events_class_init (GVirConnectionEventsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->constructed = gvir_connection_events_constructed;
    object_class->finalize = gvir_connection_events_finalize;
    object_class->get_property = gvir_connection_events_get_property;

    /**
     * GVirConnectionEvents:connection:
     *
     * The connection this companion belongs to; %NULL once the connection
     * is finalized, or for an object made with g_object_new().
     */
    props[PROP_CONNECTION] =
        g_param_spec_object ("connection", "Connection",
                             "The connection this companion belongs to", GVIR_TYPE_CONNECTION,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);

    /**
     * GVirConnectionEvents::domain-event:
     * @self: the #GVirConnectionEvents
     * @domain: the domain the event is about
     * @event: the event
     *
     * Any event of any domain of the connection, including domains defined
     * after the companion was made.  Detailed by the event kind's nick, which
     * is the name of the #GVirDomainEvents signal it also goes to:
     * `domain-event::io-error`.  @domain is the #GVirDomain whose companion
     * heard the event, else the connection's own object for it, else a new
     * one.
     */
    signals[DOMAIN_EVENT] =
        g_signal_new ("domain-event", G_TYPE_FROM_CLASS (klass),
                      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                      0, NULL, NULL, _gvir_marshal_VOID__OBJECT_OBJECT,
                      G_TYPE_NONE, 2, GVIR_TYPE_DOMAIN, GVIR_TYPE_EVENT);
    g_signal_set_va_marshaller (signals[DOMAIN_EVENT], G_TYPE_FROM_CLASS (klass),
                                _gvir_marshal_VOID__OBJECT_OBJECTv);

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++)
        kind_quarks[kind] = g_quark_from_static_string (gvir_event_kind_name (kind));

    /**
     * GVirConnectionEvents::object-event:
     * @self: the #GVirConnectionEvents
     * @object: the #GVirNetwork, #GVirStoragePool, #GVirNodeDevice or
     *   #GVirSecret the event is about, as the typed signal gives it
     * @kind: which event: the name of the typed signal it also goes to
     * @payload: the typed signal's arguments after the object (`a{sv}`:
     *   `event` and `detail` as `i` for the lifecycle signals; empty for the
     *   others)
     *
     * Any event of the connection's networks, storage pools, host devices
     * and secrets, for programs that print or log every event (monitors):
     * one handler instead of seven.  Detailed by the nick of @kind, which is
     * the name of the typed signal: `object-event::storage-pool-refresh`.
     */
    signals[OBJECT_EVENT] =
        gvir_events_signal_new ("object-event", G_TYPE_FROM_CLASS (klass), TRUE, 3,
                                (GType[]) { G_TYPE_OBJECT, GVIR_TYPE_OBJECT_EVENT_KIND,
                                            G_TYPE_VARIANT });

    /* one signal per row of the sibling table; their documentation follows */
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = gvir_object_event_spec_for_kind (kind);
        GType types[1 + GVIR_OBJECT_EVENT_MAX_PARAMS];

        types[0] = spec->family->object_type ();
        for (guint i = 0; i < spec->n_params; i++)
            types[1 + i] = gvir_object_event_param_type (spec, i);
        object_signals[kind] =
            gvir_events_signal_new (gvir_object_event_kind_name (kind), G_TYPE_FROM_CLASS (klass),
                                    spec->n_params > 0 && G_TYPE_IS_ENUM (types[1]),
                                    1 + spec->n_params, types);
        object_kind_quarks[kind] = g_quark_from_static_string (gvir_object_event_kind_name (kind));
    }
}

/**
 * GVirConnectionEvents::network-lifecycle:
 * @self: the #GVirConnectionEvents
 * @network: the network: the #GVirConnection's own #GVirNetwork when it has
 *   one (after gvir_connection_fetch_networks()), else a new one
 * @event: what happened to the network
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A network of the connection was defined, undefined, started or stopped.
 * Detailed by the nick of @event: `network-lifecycle::started`.
 */
/**
 * GVirConnectionEvents::storage-pool-lifecycle:
 * @self: the #GVirConnectionEvents
 * @pool: the pool: the #GVirConnection's own #GVirStoragePool when it has
 *   one (after gvir_connection_fetch_storage_pools()), else a new one
 * @event: what happened to the pool
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A storage pool was defined, undefined, started, stopped, built or
 * deleted.  Detailed by the nick of @event: `storage-pool-lifecycle::stopped`.
 */
/**
 * GVirConnectionEvents::storage-pool-refresh:
 * @self: the #GVirConnectionEvents
 * @pool: the pool, as for #GVirConnectionEvents::storage-pool-lifecycle
 *
 * A storage pool was refreshed: its volumes may have changed.
 */
/**
 * GVirConnectionEvents::node-device-lifecycle:
 * @self: the #GVirConnectionEvents
 * @device: the host device (a new #GVirNodeDevice: libvirt-gobject keeps
 *   no table of them)
 * @event: what happened to the device
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A host device appeared or went away, or a mediated device was defined
 * or undefined.  Detailed by the nick of @event:
 * `node-device-lifecycle::created`.
 */
/**
 * GVirConnectionEvents::node-device-update:
 * @self: the #GVirConnectionEvents
 * @device: the host device (a new #GVirNodeDevice)
 *
 * A host device's definition changed.
 */
/**
 * GVirConnectionEvents::secret-lifecycle:
 * @self: the #GVirConnectionEvents
 * @secret: the secret (a new #GVirSecret: libvirt-gobject keeps no table
 *   of them)
 * @event: what happened to the secret
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A secret was defined or undefined.  Detailed by the nick of @event:
 * `secret-lifecycle::defined`.
 */
/**
 * GVirConnectionEvents::secret-value-changed:
 * @self: the #GVirConnectionEvents
 * @secret: the secret (a new #GVirSecret)
 *
 * A secret's value was set.
 */

static void
gvir_connection_events_init (GVirConnectionEvents *self)
{
    g_mutex_init (&self->lock);
}

static GQuark
companion_quark (void)
{
    return g_quark_from_static_string ("gvir-connection-events");
}

static void
on_connection_opened (GVirConnection *connection G_GNUC_UNUSED, gpointer data)
{
    attach (data);
}

static void
on_connection_closed (GVirConnection *connection G_GNUC_UNUSED, gpointer data)
{
    detach (data);
}

/* The connection is being finalized (its handlers are gone already). */
static void
connection_gone (gpointer data)
{
    GVirConnectionEvents *self = data;

    detach (self);
    g_mutex_lock (&self->lock);
    self->connection = NULL;
    g_mutex_unlock (&self->lock);
    g_object_unref (self);
}

/**
 * gvir_connection_events_get_for_connection:
 * @conn: a #GVirConnection, open or not
 *
 * Gets the event companion of @conn, creating it the first time.  Every call
 * for the same #GVirConnection returns the same object, which the connection
 * owns.  May be called from any thread; the registrations with libvirt are
 * made when the connection is open, at once or when it opens.
 *
 * Returns: (transfer none): the companion of @conn
 */
GVirConnectionEvents *
gvir_connection_events_get_for_connection (GVirConnection *conn)
{
    GVirConnectionEvents *self;

    g_return_val_if_fail (GVIR_IS_CONNECTION (conn), NULL);

    self = g_object_get_qdata (G_OBJECT (conn), companion_quark ());
    if (self)
        return self;

    g_private_set (&making_companion, GINT_TO_POINTER (TRUE));
    self = g_object_new (GVIR_TYPE_CONNECTION_EVENTS, NULL);
    g_private_set (&making_companion, NULL);
    self->connection = conn;
    /* two threads may race to make it: the first to install it wins */
    if (!g_object_replace_qdata (G_OBJECT (conn), companion_quark (), NULL, self,
                                 connection_gone, NULL)) {
        self->connection = NULL;
        g_object_unref (self);
        return g_object_get_qdata (G_OBJECT (conn), companion_quark ());
    }
    g_signal_connect_object (conn, "connection-opened",
                             G_CALLBACK (on_connection_opened), self, 0);
    g_signal_connect_object (conn, "connection-closed",
                             G_CALLBACK (on_connection_closed), self, 0);
    attach (self);
    return self;
}

/**
 * gvir_connection_events_get_connection:
 * @self: a #GVirConnectionEvents
 *
 * Gets the connection this companion belongs to.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL once it is
 *   finalized or for an object made with g_object_new()
 */
GVirConnection *
gvir_connection_events_get_connection (GVirConnectionEvents *self)
{
    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), NULL);
    return self->connection;
}

/**
 * gvir_connection_events_supports:
 * @self: a #GVirConnectionEvents
 * @kind: a kind of event
 *
 * Tells whether the daemon accepted the registration for @kind.  An older
 * daemon may not know the newer event IDs; the signals of those kinds are
 * then never emitted.
 *
 * Returns: %TRUE if events of @kind can arrive; %FALSE if not, or while the
 *   connection is closed
 */
gboolean
gvir_connection_events_supports (GVirConnectionEvents *self,
                                 GVirDomainEventKind   kind)
{
    const GVirEventSpec *spec;
    gboolean supported;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), FALSE);
    spec = gvir_event_spec_for_kind (kind);
    g_return_val_if_fail (spec != NULL, FALSE);

    g_mutex_lock (&self->lock);
    supported = self->hub && gvir_events_hub_supports (self->hub, spec->virt_id);
    g_mutex_unlock (&self->lock);
    return supported;
}

/**
 * gvir_connection_events_supports_object_event:
 * @self: a #GVirConnectionEvents
 * @kind: a kind of event of networks, storage pools, host devices or secrets
 *
 * Tells whether the daemon accepted the registration for @kind.  A driver
 * without that kind of object (libvirt's test driver has no secrets) or an
 * older daemon refuses it; the signal of @kind is then never emitted.
 *
 * Returns: %TRUE if events of @kind can arrive; %FALSE if not, or while the
 *   connection is closed
 */
gboolean
gvir_connection_events_supports_object_event (GVirConnectionEvents *self,
                                              GVirObjectEventKind   kind)
{
    gboolean supported;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), FALSE);
    g_return_val_if_fail ((guint) kind < GVIR_OBJECT_EVENT_N_KINDS, FALSE);

    g_mutex_lock (&self->lock);
    supported = self->hub && gvir_events_hub_supports_object (self->hub, kind);
    g_mutex_unlock (&self->lock);
    return supported;
}

static gboolean
has_handler (GVirConnectionEvents *self, guint signal_id)
{
    /* any handler, whatever its detail (has_handler_pending(0) misses detailed ones) */
    return g_signal_handler_find (self, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                  signal_id, 0, NULL, NULL, NULL) != 0;
}

gboolean
gvir_connection_events_wants_object (GVirConnectionEvents *self, GVirObjectEventKind kind)
{
    return has_handler (self, object_signals[kind]) || has_handler (self, signals[OBJECT_EVENT]);
}

/* A handler connected with this detail, or with none (GLib checks those apart). */
static gboolean
will_hear (GVirConnectionEvents *self, guint signal_id, GQuark detail)
{
    return g_signal_has_handler_pending (self, signal_id, detail, FALSE) ||
        g_signal_has_handler_pending (self, signal_id, 0, FALSE);
}

void
gvir_connection_events_emit_object (GVirConnectionEvents *self, GVirObjectEmission *em)
{
    const GVirEventFamily *family = em->spec->family;
    GVirObjectEventKind kind = em->spec->kind;
    gboolean typed = will_hear (self, object_signals[kind], em->detail);
    gboolean generic = will_hear (self, signals[OBJECT_EVENT], object_kind_quarks[kind]);
    GObject *object = NULL;

    if (!typed && !generic)
        return;

    if (family->find && self->connection)
        object = family->find (self->connection, em->handle);
    if (!object)
        object = g_object_new (family->object_type (), "handle", em->handle, NULL);

    if (typed) {
        g_value_init (&em->values[0], GVIR_TYPE_CONNECTION_EVENTS);
        g_value_set_object (&em->values[0], self);
        g_value_init (&em->values[1], family->object_type ());
        g_value_set_object (&em->values[1], object);
        g_signal_emitv (em->values, object_signals[kind], em->detail, NULL);
        g_value_unset (&em->values[0]);
        g_value_unset (&em->values[1]);
    }
    if (generic) {
        g_autoptr(GVariant) payload = gvir_object_emission_payload_new (em);

        g_signal_emit (self, signals[OBJECT_EVENT], object_kind_quarks[kind], object, kind,
                       payload);
    }
    g_object_unref (object);
}

gboolean
gvir_connection_events_wants (GVirConnectionEvents *self)
{
    return has_handler (self, signals[DOMAIN_EVENT]);
}

/* The GVirDomain to hand out for an event of a domain nobody watches. */
static GVirDomain *
find_domain (GVirConnectionEvents *self, virDomainPtr dom, const guint8 *uuid_bytes)
{
    gchar uuid[VIR_UUID_STRING_BUFLEN];
    GVirDomain *domain = NULL;

    gvir_events_uuid_to_string (uuid_bytes, uuid);
    if (self->connection)
        domain = gvir_connection_get_domain (self->connection, uuid);
    if (!domain)
        domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    return domain;
}

void
gvir_connection_events_emit (GVirConnectionEvents *self, virDomainPtr dom,
                             GVirDomain *domain, GVirEventEmission *em)
{
    GQuark detail = kind_quarks[em->spec->kind];
    GVirDomain *owned_domain = NULL;
    g_autoptr(GVirEvent) event = NULL;

    /*
     * The record is only built for a handler that will hear it: one connected
     * with this kind as detail, or with none (GLib checks those apart).
     */
    if (!g_signal_has_handler_pending (self, signals[DOMAIN_EVENT], detail, FALSE) &&
        !g_signal_has_handler_pending (self, signals[DOMAIN_EVENT], 0, FALSE))
        return;

    if (!domain)
        domain = owned_domain = find_domain (self, dom, em->uuid);
    event = gvir_event_new (dom, em);
    g_signal_emit (self, signals[DOMAIN_EVENT], detail, domain, event);
    g_clear_object (&owned_domain);
}
