/*
 * gvir-object-events.c: typed event signals of one network or storage pool
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "libvirt-gevents.h"
#include "gvir-object-events-private.h"
#include "gvir-events-hub-private.h"
#include "gvir-events-util-private.h"

/**
 * SECTION:gvir-object-events
 * @title: GVirNetworkEvents and GVirStoragePoolEvents
 * @short_description: the events of one network or storage pool
 * @see_also: #GVirConnectionEvents, #GVirDomainEvents
 *
 * A #GVirNetworkEvents or #GVirStoragePoolEvents is the companion of one
 * network or storage pool, as #GVirDomainEvents is of a domain: a view that
 * shows one pool connects to its companion rather than filtering the
 * connection-wide #GVirConnectionEvents::storage-pool-lifecycle by hand.
 *
 * |[<!-- language="C" -->
 * static void
 * on_pool_stopped (GVirStoragePoolEvents *events G_GNUC_UNUSED,
 *                  GVirStoragePoolLifecycleEvent event G_GNUC_UNUSED,
 *                  gint detail G_GNUC_UNUSED, gpointer user_data G_GNUC_UNUSED)
 * {
 *   g_print ("the pool stopped\n");
 * }
 *
 * GVirStoragePoolEvents *events = gvir_storage_pool_events_get_for_storage_pool (pool);
 * g_signal_connect (events, "lifecycle::stopped", G_CALLBACK (on_pool_stopped), NULL);
 * ]|
 *
 * Their signals are those of #GVirConnectionEvents for that kind of object,
 * without the object argument and without the prefix: `lifecycle` and, for
 * pools, `refresh`.  There is one companion per object of a connection (its
 * UUID), not per wrapper: every #GVirNetwork of the same network gives the
 * same companion, which the connection holds for as long as the object
 * exists on it (until it is undefined, or a transient one stopped) or the
 * connection is closed.  As for #GVirDomainEvents, get the connection's
 * #GVirConnectionEvents when the connection is opened, so that the library
 * learns when it closes.
 */

typedef struct {
    GObject *object;                /* the wrapper: the first asked with, or a reconnection's */
    const GVirEventFamily *family;  /* NULL if made with g_object_new() */
    gchar *key;                     /* "network/UUID": the hub's key */
} GVirObjectEventsPrivate;

struct _GVirNetworkEvents {
    GVirObjectEvents parent_instance;
};

struct _GVirStoragePoolEvents {
    GVirObjectEvents parent_instance;
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GVirObjectEvents, gvir_object_events, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (GVirNetworkEvents, gvir_network_events, GVIR_TYPE_OBJECT_EVENTS)
G_DEFINE_FINAL_TYPE (GVirStoragePoolEvents, gvir_storage_pool_events, GVIR_TYPE_OBJECT_EVENTS)

enum {
    PROP_0,
    PROP_OBJECT,
    N_PROPS
};

static GParamSpec *props[N_PROPS];
/* the companions' signals, by the GVirObjectEventKind they repeat */
static guint signals[GVIR_OBJECT_EVENT_N_KINDS];

/* Set while the hub makes a companion: anything else is a binding's g_object_new(). */
static GPrivate making_companion;

static void
gvir_object_events_constructed (GObject *object)
{
    G_OBJECT_CLASS (gvir_object_events_parent_class)->constructed (object);

    if (!g_private_get (&making_companion))
        g_critical ("%s cannot be constructed directly and will hear no event: use its "
                    "get_for_*() function", G_OBJECT_TYPE_NAME (object));
}

static void
gvir_object_events_finalize (GObject *object)
{
    GVirObjectEventsPrivate *priv =
        gvir_object_events_get_instance_private (GVIR_OBJECT_EVENTS (object));

    g_clear_object (&priv->object);
    g_free (priv->key);

    G_OBJECT_CLASS (gvir_object_events_parent_class)->finalize (object);
}

static void
gvir_object_events_get_property (GObject *object, guint prop_id,
                                 GValue *value, GParamSpec *pspec)
{
    GVirObjectEventsPrivate *priv =
        gvir_object_events_get_instance_private (GVIR_OBJECT_EVENTS (object));

    switch (prop_id) {
    case PROP_OBJECT:
        g_value_set_object (value, priv->object);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_object_events_class_init (GVirObjectEventsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->constructed = gvir_object_events_constructed;
    object_class->finalize = gvir_object_events_finalize;
    object_class->get_property = gvir_object_events_get_property;

    /**
     * GVirObjectEvents:object:
     *
     * The #GVirNetwork or #GVirStoragePool this companion belongs to: the
     * one it was first asked for with.  %NULL only for an object made with
     * g_object_new().
     */
    props[PROP_OBJECT] =
        g_param_spec_object ("object", "Object",
                             "The network or storage pool this companion belongs to",
                             G_TYPE_OBJECT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gvir_object_events_init (GVirObjectEvents *self G_GNUC_UNUSED)
{
}

/*
 * The signals of a companion class: the rows of the object event table of
 * its family, named without the family's prefix, without the object
 * argument.
 */
static void
add_signals (gpointer klass, GVirObjectEventKind any_kind)
{
    GType companion_type = G_TYPE_FROM_CLASS (klass);
    const GVirEventFamily *family = _gvir_object_event_spec_for_kind (any_kind)->family;

    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);
        const gchar *name = _gvir_object_event_kind_name (kind);
        GType types[GVIR_OBJECT_EVENT_MAX_PARAMS];

        if (spec->family != family)
            continue;
        g_assert (g_str_has_prefix (name, spec->family->signal_prefix));
        for (guint i = 0; i < spec->n_params; i++)
            types[i] = _gvir_object_event_param_type (spec, i);
        signals[kind] = _gvir_events_signal_new (name + strlen (spec->family->signal_prefix),
                                                companion_type,
                                                spec->n_params > 0 && G_TYPE_IS_ENUM (types[0]),
                                                spec->n_params, types);
    }
}

/**
 * GVirNetworkEvents::lifecycle:
 * @self: the #GVirNetworkEvents
 * @event: what happened to the network
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * The network was defined, undefined, started or stopped: the
 * #GVirConnectionEvents::network-lifecycle events of this network.
 * Detailed by the nick of @event: `lifecycle::started`.
 *
 * A network undefined while the connection was lost is told after the
 * reconnection by an `undefined` the library makes up (like a gone
 * domain's: see #GVirConnectionEvents); the companion hears nothing after
 * it, and a network defined later under the same name has another one.
 */
static void
gvir_network_events_class_init (GVirNetworkEventsClass *klass)
{
    add_signals (klass, GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE);
}

static void
gvir_network_events_init (GVirNetworkEvents *self G_GNUC_UNUSED)
{
}

/**
 * GVirStoragePoolEvents::lifecycle:
 * @self: the #GVirStoragePoolEvents
 * @event: what happened to the pool
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * The pool was defined, undefined, started, stopped, built or deleted: the
 * #GVirConnectionEvents::storage-pool-lifecycle events of this pool.
 * Detailed by the nick of @event: `lifecycle::stopped`.
 *
 * A pool undefined while the connection was lost is told after the
 * reconnection by an `undefined` the library makes up; the companion hears
 * nothing after it.
 */
/**
 * GVirStoragePoolEvents::refresh:
 * @self: the #GVirStoragePoolEvents
 *
 * The pool was refreshed: its volumes may have changed.
 */
static void
gvir_storage_pool_events_class_init (GVirStoragePoolEventsClass *klass)
{
    add_signals (klass, GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_LIFECYCLE);
}

static void
gvir_storage_pool_events_init (GVirStoragePoolEvents *self G_GNUC_UNUSED)
{
}

typedef struct {
    GType type;
    const GVirEventFamily *family;
    const gchar *key;
    GObject *object;
} Making;

/* A companion for the hub's table (GVirEventsMakeFunc): no lock held. */
static gpointer
object_events_new (GMainContext *context G_GNUC_UNUSED, gpointer data, gconstpointer *key)
{
    Making *making = data;
    GVirObjectEvents *self;
    GVirObjectEventsPrivate *priv;

    g_private_set (&making_companion, GINT_TO_POINTER (TRUE));
    self = g_object_new (making->type, NULL);
    g_private_set (&making_companion, NULL);
    priv = gvir_object_events_get_instance_private (self);
    priv->family = making->family;
    priv->object = g_object_ref (making->object);
    priv->key = g_strdup (making->key);
    *key = priv->key;
    return self;
}

const gchar *
_gvir_object_events_get_key (GVirObjectEvents *self)
{
    GVirObjectEventsPrivate *priv = gvir_object_events_get_instance_private (self);

    return priv->key;
}

const GVirEventFamily *
_gvir_object_events_get_family (GVirObjectEvents *self)
{
    GVirObjectEventsPrivate *priv = gvir_object_events_get_instance_private (self);

    return priv->family;
}

/*
 * After a reconnection: the wrapper on the new link (the program's
 * GVirConnection's own), so that #GVirObjectEvents:object works for calls.
 * In the companion's main context.
 */
void
_gvir_object_events_set_object (GVirObjectEvents *self, GObject *object)
{
    GVirObjectEventsPrivate *priv = gvir_object_events_get_instance_private (self);

    if (priv->object == object)
        return;
    g_set_object (&priv->object, object);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OBJECT]);
}

static void object_emit (gpointer companion, GVirObjectEmission *em);

/* How the hub reaches a companion: the only way back up into this file. */
static const GVirEventsObjectOps object_ops = { .emit = object_emit };

/* The companion of the object a libvirt-gobject wrapper wraps, whatever its family. */
static GVirObjectEvents *
get_for_object (GObject *object, GVirObjectEventKind any_kind, GType type)
{
    const GVirEventFamily *family = _gvir_object_event_spec_for_kind (any_kind)->family;
    g_autofree gchar *key = NULL;
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), "handle");
    GValue handle = G_VALUE_INIT;
    GVirObjectEvents *self = NULL;
    gchar uuid[VIR_UUID_STRING_BUFLEN];

    g_return_val_if_fail (pspec != NULL, NULL);
    g_value_init (&handle, G_PARAM_SPEC_VALUE_TYPE (pspec));
    g_object_get_property (object, "handle", &handle);
    if (!g_value_get_boxed (&handle) || !family->get_uuid (g_value_get_boxed (&handle), uuid)) {
        g_critical ("libvirt-gevents: %s has no handle or no UUID", G_OBJECT_TYPE_NAME (object));
        g_value_unset (&handle);
        return NULL;
    }

    key = g_strconcat (family->name, "/", uuid, NULL);
    /* a hub that shuts down between the two steps is replaced by a new one */
    while (!self) {
        GVirEventsHub *hub = _gvir_events_hub_acquire (family->get_connect (g_value_get_boxed (&handle)));

        if (!hub)
            break;              /* a closed link: acquire() said so */
        Making making = { type, family, key, object };

        self = _gvir_events_hub_get_object (hub, key, object_events_new, &making, &object_ops);
        _gvir_events_hub_unref (hub);
    }
    g_value_unset (&handle);
    /* transfer none: the hub's table holds it while the object exists */
    if (self)
        g_object_unref (self);
    return self;
}

/**
 * gvir_network_events_get_for_network:
 * @network: a #GVirNetwork
 *
 * Gets the event companion of @network's network, creating it the first
 * time.  Every call for any #GVirNetwork of the same network on the same
 * connection returns the same object, which the connection holds for as
 * long as the network exists on it.
 *
 * Returns: (transfer none): the companion of @network
 */
GVirNetworkEvents *
gvir_network_events_get_for_network (GVirNetwork *network)
{
    g_return_val_if_fail (GVIR_IS_NETWORK (network), NULL);
    return GVIR_NETWORK_EVENTS (get_for_object (G_OBJECT (network),
                                                GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE,
                                                GVIR_TYPE_NETWORK_EVENTS));
}

/**
 * gvir_storage_pool_events_get_for_storage_pool:
 * @pool: a #GVirStoragePool
 *
 * Gets the event companion of @pool's storage pool, creating it the first
 * time.  Every call for any #GVirStoragePool of the same pool on the same
 * connection returns the same object, which the connection holds for as
 * long as the pool exists on it.
 *
 * Returns: (transfer none): the companion of @pool
 */
GVirStoragePoolEvents *
gvir_storage_pool_events_get_for_storage_pool (GVirStoragePool *pool)
{
    g_return_val_if_fail (GVIR_IS_STORAGE_POOL (pool), NULL);
    return GVIR_STORAGE_POOL_EVENTS (get_for_object (G_OBJECT (pool),
                                                     GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_LIFECYCLE,
                                                     GVIR_TYPE_STORAGE_POOL_EVENTS));
}

/**
 * gvir_object_events_get_object:
 * @self: a #GVirObjectEvents
 *
 * Gets the #GVirNetwork or #GVirStoragePool this companion belongs to: the
 * one it was first asked for with, which it keeps alive.
 *
 * Returns: (transfer none) (nullable): the object, or %NULL for a companion
 *   made with g_object_new()
 */
GObject *
gvir_object_events_get_object (GVirObjectEvents *self)
{
    GVirObjectEventsPrivate *priv;

    g_return_val_if_fail (GVIR_IS_OBJECT_EVENTS (self), NULL);
    priv = gvir_object_events_get_instance_private (self);
    return priv->object;
}

/* The connection-wide arguments, without the object; libvirt's event thread. */
static void
object_emit (gpointer companion, GVirObjectEmission *em)
{
    GVirObjectEvents *self = companion;
    guint signal_id = signals[em->spec->kind];
    GValue values[1 + GVIR_OBJECT_EVENT_MAX_PARAMS] = { G_VALUE_INIT };

    if (!g_signal_has_handler_pending (self, signal_id, em->detail, FALSE) &&
        !g_signal_has_handler_pending (self, signal_id, 0, FALSE))
        return;

    g_value_init (&values[0], G_OBJECT_TYPE (self));
    g_value_set_object (&values[0], self);
    for (guint i = 0; i < em->spec->n_params; i++) {
        g_value_init (&values[1 + i], G_VALUE_TYPE (&em->values[2 + i]));
        g_value_copy (&em->values[2 + i], &values[1 + i]);
    }
    _gvir_events_emit_in_context (em->context, signal_id, em->detail, 1 + em->spec->n_params, values);
    for (guint i = 0; i < 1 + em->spec->n_params; i++)
        g_value_unset (&values[i]);
}
