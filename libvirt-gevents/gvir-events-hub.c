/*
 * gvir-events-hub.c: one set of libvirt registrations per connection, fanned
 * out to the companions of its domains
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-events-hub-private.h"
#include "gvir-events-util-private.h"

/* Companions are collected on the stack; more than this many is rare. */
#define N_STACK_WATCHERS 8

struct _GVirEventsHub {
    gint ref_count;                 /* atomic; see "Lifetime" below */
    /*
     * Every link the hub was reached by, with a reference: its keys in the
     * hubs table (held, so that no new connection gets a dead one's
     * address).  Written under hubs_lock.  See "Links" below.
     */
    GPtrArray *links;
    virConnectPtr conn;             /* the current link, owned; NULL once shut down */
    GVirEventsSlot slots[GVIR_EVENT_N_VIRT_IDS];
    GVirEventsSlot object_slots[GVIR_OBJECT_EVENT_N_KINDS];

    GMutex lock;                    /* protects everything below */
    GCond registered_cond;
    gboolean registered;            /* the registrations are made (or refused) */
    gboolean shut_down;
    gboolean may_reconnect;         /* a GVirConnectionEvents watches a link that can die */
    virConnectPtr registered_on;    /* the link the slots' callback IDs are of, owned */
    GHashTable *domains;            /* uuid -> domain companion, strong */
    GHashTable *objects;            /* "network/UUID" -> network or pool companion, strong */
    GPtrArray *listeners;           /* connection companions, weak */
    /* how each table reaches its members: set by the first one added */
    const GVirEventsDomainOps *domain_ops;
    const GVirEventsObjectOps *object_ops;
    const GVirEventsListenerOps *listener_ops;
    GMainContext *context;          /* where companions emit; NULL: the global default */
    GHashTable *names;              /* domain name -> DomainName, see lookup_uuid() */

    /* what the decoders know of the link's domains' devices: its own lock */
    GVirDomainDevicesCache *devices;
};

/* What the hub last learned a domain name stands for (see lookup_uuid()). */
typedef struct {
    guint8 uuid[VIR_UUID_BUFLEN];
    gchar name[];                   /* the key */
} DomainName;

/*
 * Lifetime
 * ========
 *
 * A hub is *live* from its creation to _gvir_events_hub_shutdown(), and
 * *allocated* while anyone holds a reference.  The two are apart because
 * libvirt may still be running one of our callbacks on another thread when
 * a registration is dropped: virConnectDomainEventDeregisterAny() does not
 * wait for it.  So each registration holds its own reference, which libvirt
 * gives back through the free callback once it will never call again.
 *
 * References are held by: the hubs table while the hub is live, each
 * libvirt registration, each companion, and a dispatch while it runs.
 *
 * A live hub owns the GVirDomainEvents of its watched domains (strong
 * references in the UUID table), so handlers outlive the GVirDomain
 * wrappers libvirt-gobject replaces.  It shuts down when the connection
 * closes (GVirConnectionEvents sees that), or when it has no companion
 * left: neither a GVirConnectionEvents nor a watched domain.
 *
 * Links
 * =====
 *
 * A hub outlives the death of its link: GVirConnectionEvents reopens the
 * connection and gives the hub the new link (_gvir_events_hub_add_link()),
 * then registers there (_gvir_events_hub_register_link()).  Every companion
 * (domain, network, pool) stays in its table, the same object with the same
 * handlers.  The dead link stays a key of the hub too: a wrapper from
 * before the outage (its handle is on the dead link) finds the same hub,
 * so the same companion, never a second hub that would hear nothing.
 *
 * Registration IDs belong to the link they were made on (registered_on).
 * They are taken out of the slots under the lock before they are dropped,
 * and a registration that completes after a shutdown is dropped at once:
 * no RPC is ever made under the lock, and no shutdown waits for one.
 */

static GMutex hubs_lock;
static GHashTable *hubs;            /* virConnectPtr -> GVirEventsHub, live ones */
static gint n_allocated;            /* atomic */

void (*_gvir_events_hub_test_hook) (GVirEventsHubHookPoint point, gpointer data);

guint
_gvir_events_hub_n_allocated (void)
{
    return g_atomic_int_get (&n_allocated);
}

static void
connect_close (gpointer conn)
{
    virConnectClose (conn);
}

/* libvirt's free callback: it will not call this registration again. */
static void
slot_released (void *opaque)
{
    GVirEventsSlot *slot = opaque;

    _gvir_events_hub_unref (slot->hub);
}

/*
 * One registration; FALSE if libvirt refused it (an older daemon, a driver
 * without that kind of object): supports() then says so.
 */
static const GVirEventFamily *
slot_family (const GVirEventsSlot *slot)
{
    return slot->object ? slot->object->family : &_gvir_event_domain_family;
}

static void
drop_registration (const GVirEventsSlot *slot, virConnectPtr conn, int callback_id)
{
    /* libvirt drops its side even when the link is dead: nothing is lost */
    if (slot_family (slot)->deregister_any (conn, callback_id) < 0) {
        g_debug ("libvirt-gevents: could not deregister %s event ID %d: %s",
                 slot_family (slot)->name, slot->virt_id, virGetLastErrorMessage ());
        virResetLastError ();
    }
}

/*
 * One registration on conn (an RPC: outside the lock).  Kept only if conn
 * is still the hub's link: a shutdown or a new link meanwhile drops it.
 */
static gboolean
slot_register (GVirEventsHub *hub, virConnectPtr conn, GVirEventsSlot *slot,
               GVirEventsCallback callback)
{
    int callback_id;
    gboolean kept;

    _gvir_events_hub_ref (hub);
    callback_id = slot_family (slot)->register_any (conn, slot->virt_id, callback,
                                                    slot, slot_released);
    if (callback_id < 0) {
        /* libvirt calls no free callback for a refused registration */
        _gvir_events_hub_unref (hub);
        g_debug ("libvirt-gevents: %s event ID %d not registered: %s",
                 slot_family (slot)->name, slot->virt_id, virGetLastErrorMessage ());
        return FALSE;
    }

    g_mutex_lock (&hub->lock);
    kept = !hub->shut_down && hub->registered_on == conn;
    if (kept)
        slot->callback_id = callback_id;
    g_mutex_unlock (&hub->lock);
    if (!kept)
        drop_registration (slot, conn, callback_id);
    return kept;
}

/* Synchronous RPCs on a remote link: never called under a lock. */
static void
hub_register (GVirEventsHub *hub, virConnectPtr conn)
{
    gboolean any = FALSE;
    g_autofree gchar *failure = NULL;

    if (G_UNLIKELY (_gvir_events_hub_test_hook))
        _gvir_events_hub_test_hook (GVIR_EVENTS_HUB_HOOK_REGISTER, conn);
    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        const GVirEventSpec *spec = _gvir_event_spec_for_virt_id (id);

        if (!spec)
            continue;
        if (slot_register (hub, conn, &hub->slots[id], (GVirEventsCallback) spec->callback)) {
            any = TRUE;
        } else if (!failure) {
            failure = g_strdup (virGetLastErrorMessage ());
        }
        virResetLastError ();
    }

    /*
     * Networks, pools, node devices, secrets: a driver may lack any of them,
     * and a driver of one kind of object (secret:///embed) has no domains.
     */
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        if (slot_register (hub, conn, &hub->object_slots[kind],
                           _gvir_object_event_spec_for_kind (kind)->callback))
            any = TRUE;
        virResetLastError ();
    }

    /* a link that died meanwhile refuses everything too: the reconnection handles that */
    if (!any && virConnectIsAlive (conn) == 1)
        g_warning ("libvirt-gevents: libvirt refused every event registration (%s): "
                   "this connection will deliver no event",
                   failure ? failure : "no reason given");
    else if (!any)
        g_debug ("libvirt-gevents: no event registration on a dead link (%s)",
                 failure ? failure : "no reason given");
    virResetLastError ();
}

/* The callback IDs of one link, taken out of the slots under the lock, dropped outside it. */
typedef struct {
    virConnectPtr conn;
    int domain_ids[GVIR_EVENT_N_VIRT_IDS];
    int object_ids[GVIR_OBJECT_EVENT_N_KINDS];
} Registrations;

static void
take_registrations_locked (GVirEventsHub *hub, Registrations *r)
{
    r->conn = g_steal_pointer (&hub->registered_on);
    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        r->domain_ids[id] = hub->slots[id].callback_id;
        hub->slots[id].callback_id = -1;
    }
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        r->object_ids[kind] = hub->object_slots[kind].callback_id;
        hub->object_slots[kind].callback_id = -1;
    }
}

static void
drop_registrations (GVirEventsHub *hub, Registrations *r)
{
    if (!r->conn)
        return;
    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        if (r->domain_ids[id] >= 0)
            drop_registration (&hub->slots[id], r->conn, r->domain_ids[id]);
    }
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        if (r->object_ids[kind] >= 0)
            drop_registration (&hub->object_slots[kind], r->conn, r->object_ids[kind]);
    }
    virConnectClose (r->conn);
}

static void
hub_wait_registered (GVirEventsHub *hub)
{
    g_mutex_lock (&hub->lock);
    while (!hub->registered)
        g_cond_wait (&hub->registered_cond, &hub->lock);
    g_mutex_unlock (&hub->lock);
}

/*
 * The live hub of a connection, made and registered the first time.  The
 * registrations are RPCs: they are made outside the hubs lock, so a slow
 * link only delays the threads that want this very connection.
 */
static void slot_dispatch (GVirEventSink *sink, gconstpointer handle, const GVirEventRaw *raw);

GVirEventsHub *
_gvir_events_hub_acquire (virConnectPtr conn)
{
    GVirEventsHub *hub;

    g_return_val_if_fail (conn != NULL, NULL);

    g_mutex_lock (&hubs_lock);
    if (!hubs)
        hubs = g_hash_table_new (NULL, NULL);

    hub = g_hash_table_lookup (hubs, conn);
    if (hub) {
        _gvir_events_hub_ref (hub);
        g_mutex_unlock (&hubs_lock);
        hub_wait_registered (hub);
        return hub;
    }
    /*
     * A link libvirt knows to be closed, and no hub of ours on it: the
     * wrapper is older than a reconnection whose companion is gone, or of a
     * connection the program closed.  A hub there would hear nothing.
     */
    if (virConnectIsAlive (conn) == 0) {
        g_mutex_unlock (&hubs_lock);
        virResetLastError ();
        g_critical ("libvirt-gevents: this object's connection to the daemon is closed: "
                    "ask a GVirDomain, GVirNetwork or GVirStoragePool of the open GVirConnection");
        return NULL;
    }

    hub = g_new0 (GVirEventsHub, 1);
    g_atomic_int_inc (&n_allocated);
    hub->ref_count = 2;             /* the hubs table's and the caller's */
    hub->links = g_ptr_array_new_with_free_func (connect_close);
    g_ptr_array_add (hub->links, conn);
    virConnectRef (conn);
    hub->conn = conn;
    virConnectRef (conn);
    hub->registered_on = conn;
    virConnectRef (conn);
    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        hub->slots[id].sink.dispatch = slot_dispatch;
        hub->slots[id].hub = hub;
        hub->slots[id].virt_id = id;
        hub->slots[id].callback_id = -1;
    }
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);

        hub->object_slots[kind].sink.dispatch = slot_dispatch;
        hub->object_slots[kind].hub = hub;
        hub->object_slots[kind].virt_id = spec->virt_id;
        hub->object_slots[kind].object = spec;
        hub->object_slots[kind].callback_id = -1;
    }
    g_mutex_init (&hub->lock);
    g_cond_init (&hub->registered_cond);
    hub->domains = g_hash_table_new (_gvir_events_uuid_hash, _gvir_events_uuid_equal);
    hub->objects = g_hash_table_new (g_str_hash, g_str_equal);
    hub->listeners = g_ptr_array_new ();
    hub->devices = _gvir_domain_devices_cache_new ();
    hub->names = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    g_hash_table_insert (hubs, conn, hub);
    g_mutex_unlock (&hubs_lock);

    hub_register (hub, conn);
    g_mutex_lock (&hub->lock);
    hub->registered = TRUE;
    g_cond_broadcast (&hub->registered_cond);
    g_mutex_unlock (&hub->lock);

    return hub;
}

GVirEventsHub *
_gvir_events_hub_ref (GVirEventsHub *hub)
{
    g_atomic_int_inc (&hub->ref_count);
    return hub;
}

/*
 * Stops the events: deregisters from libvirt, lets go of the domain
 * companions and of the connection.  Companions may still hold the hub;
 * they just hear nothing more.  Idempotent, and callable from any thread.
 */
void
_gvir_events_hub_shutdown (GVirEventsHub *hub)
{
    virConnectPtr conn;
    Registrations registrations;
    g_autoptr(GPtrArray) companions = g_ptr_array_new_with_free_func (g_object_unref);
    GHashTableIter iter;
    gpointer companion;

    hub_wait_registered (hub);
    g_mutex_lock (&hub->lock);
    if (hub->shut_down) {
        g_mutex_unlock (&hub->lock);
        return;
    }
    hub->shut_down = TRUE;
    conn = g_steal_pointer (&hub->conn);
    take_registrations_locked (hub, &registrations);
    g_hash_table_iter_init (&iter, hub->domains);
    while (g_hash_table_iter_next (&iter, NULL, &companion)) {
        hub->domain_ops->gone (companion);
        g_ptr_array_add (companions, companion);
    }
    g_hash_table_remove_all (hub->domains);
    g_hash_table_iter_init (&iter, hub->objects);
    while (g_hash_table_iter_next (&iter, NULL, &companion))
        g_ptr_array_add (companions, companion);
    g_hash_table_remove_all (hub->objects);
    g_mutex_unlock (&hub->lock);

    g_mutex_lock (&hubs_lock);
    for (guint i = 0; hubs && i < hub->links->len; i++) {
        gpointer link = g_ptr_array_index (hub->links, i);

        if (g_hash_table_lookup (hubs, link) == hub)
            g_hash_table_remove (hubs, link);
    }
    g_mutex_unlock (&hubs_lock);

    drop_registrations (hub, &registrations);
    virConnectClose (conn);
    /* last: a companion's finalization may drop the last reference but ours */
    g_clear_pointer (&companions, g_ptr_array_unref);
    _gvir_events_hub_unref (hub);   /* the hubs table's */
}

void
_gvir_events_hub_unref (GVirEventsHub *hub)
{
    if (!g_atomic_int_dec_and_test (&hub->ref_count))
        return;

    /* only a shut-down hub can lose its last reference (the table holds one) */
    g_assert (hub->shut_down);
    g_ptr_array_unref (hub->links);
    g_hash_table_unref (hub->domains);
    g_hash_table_unref (hub->objects);
    g_ptr_array_unref (hub->listeners);
    _gvir_domain_devices_cache_free (hub->devices);
    g_hash_table_unref (hub->names);
    g_clear_pointer (&hub->context, g_main_context_unref);
    g_cond_clear (&hub->registered_cond);
    g_mutex_clear (&hub->lock);
    g_free (hub);
    g_atomic_int_add (&n_allocated, -1);
}

static gboolean
slot_is_registered (GVirEventsHub *hub, const GVirEventsSlot *slot)
{
    gboolean supported;

    g_mutex_lock (&hub->lock);
    supported = !hub->shut_down && slot->callback_id >= 0;
    g_mutex_unlock (&hub->lock);
    return supported;
}

gboolean
_gvir_events_hub_supports (GVirEventsHub *hub, int virt_id)
{
    return virt_id >= 0 && virt_id < GVIR_EVENT_N_VIRT_IDS &&
        slot_is_registered (hub, &hub->slots[virt_id]);
}

gboolean
_gvir_events_hub_supports_object (GVirEventsHub *hub, GVirObjectEventKind kind)
{
    return (guint) kind < GVIR_OBJECT_EVENT_N_KINDS &&
        slot_is_registered (hub, &hub->object_slots[kind]);
}

GVirEventsSlot *
_gvir_events_hub_get_slot (GVirEventsHub *hub, int virt_id)
{
    g_return_val_if_fail (virt_id >= 0 && virt_id < GVIR_EVENT_N_VIRT_IDS, NULL);
    return &hub->slots[virt_id];
}

GVirEventsSlot *
_gvir_events_hub_get_object_slot (GVirEventsHub *hub, GVirObjectEventKind kind)
{
    g_return_val_if_fail ((guint) kind < GVIR_OBJECT_EVENT_N_KINDS, NULL);
    return &hub->object_slots[kind];
}

/* Called with the lock held: shut down once nobody is left to hear anything. */
static gboolean
hub_is_unused (GVirEventsHub *hub)
{
    return !hub->shut_down && hub->listeners->len == 0 &&
        g_hash_table_size (hub->domains) == 0 && g_hash_table_size (hub->objects) == 0;
}

/*
 * The companion of key in table, made the first time: one per live hub and
 * key, whatever wrappers come and go.  It is made by its own file, outside
 * the lock (a class_init, a poller's slot...); the first one offered stays.
 */
static gpointer
hub_get (GVirEventsHub *hub, GHashTable *table, gconstpointer key, GVirEventsMakeFunc make,
         gpointer data, gconstpointer ops, gconstpointer *table_ops)
{
    gpointer companion = NULL, candidate;
    GMainContext *context;
    gconstpointer own_key;

    g_mutex_lock (&hub->lock);
    if (hub->shut_down) {
        g_mutex_unlock (&hub->lock);
        return NULL;
    }
    companion = g_hash_table_lookup (table, key);
    if (companion) {
        g_object_ref (companion);
        g_mutex_unlock (&hub->lock);
        return companion;
    }
    context = hub->context ? g_main_context_ref (hub->context) : NULL;
    g_mutex_unlock (&hub->lock);

    candidate = make (context, data, &own_key);
    g_mutex_lock (&hub->lock);
    /* a context changed meanwhile: a companion must emit where the hub says */
    if (!hub->shut_down && hub->context == context) {
        companion = g_hash_table_lookup (table, key);
        if (!companion) {
            companion = candidate;
            g_hash_table_insert (table, (gpointer) own_key, g_object_ref (candidate));
            /* one file adds to each table, always with the same ops */
            g_assert (*table_ops == NULL || *table_ops == ops);
            *table_ops = ops;
        }
        g_object_ref (companion);
    }
    g_mutex_unlock (&hub->lock);
    g_object_unref (candidate);
    if (context)
        g_main_context_unref (context);
    return companion;
}

gpointer
_gvir_events_hub_get_domain (GVirEventsHub *hub, const guint8 *uuid, GVirEventsMakeFunc make,
                             gpointer data, const GVirEventsDomainOps *ops)
{
    return hub_get (hub, hub->domains, uuid, make, data, ops, (gconstpointer *) &hub->domain_ops);
}

gpointer
_gvir_events_hub_get_object (GVirEventsHub *hub, const gchar *key, GVirEventsMakeFunc make,
                             gpointer data, const GVirEventsObjectOps *ops)
{
    return hub_get (hub, hub->objects, key, make, data, ops, (gconstpointer *) &hub->object_ops);
}

/*
 * The domain is gone from the connection: its companion hears nothing
 * more, and the hub lets go of it (the application may still hold it).
 */
static void
hub_forget (GVirEventsHub *hub, GHashTable *table, gconstpointer key)
{
    GObject *companion = NULL;
    gboolean unused;

    g_mutex_lock (&hub->lock);
    if (g_hash_table_steal_extended (table, key, NULL, (gpointer *) &companion) &&
        table == hub->domains)
        hub->domain_ops->gone (companion);
    unused = companion && hub_is_unused (hub);
    g_mutex_unlock (&hub->lock);

    if (unused)
        _gvir_events_hub_shutdown (hub);
    g_clear_object (&companion);
}

static void
hub_forget_domain (GVirEventsHub *hub, const guint8 *uuid)
{
    hub_forget (hub, hub->domains, uuid);
}

void
_gvir_events_hub_forget_domain (GVirEventsHub *hub, const guint8 *uuid)
{
    hub_forget_domain (hub, uuid);
}

void
_gvir_events_hub_forget_object (GVirEventsHub *hub, const gchar *key)
{
    hub_forget (hub, hub->objects, key);
}

/*
 * The connection was reopened on a new link (in the connection's main
 * context, from its connection-opened: no RPC).  From now on the new link
 * leads here too, and what the hub learned from the old one is forgotten;
 * _gvir_events_hub_register_link() then moves the registrations.  FALSE if
 * the hub shut down, or another hub has the link already.
 */
gboolean
_gvir_events_hub_add_link (GVirEventsHub *hub, virConnectPtr conn)
{
    virConnectPtr old = NULL;
    gboolean added;

    g_mutex_lock (&hubs_lock);
    g_mutex_lock (&hub->lock);
    added = !hub->shut_down && hubs && !g_hash_table_contains (hubs, conn);
    if (added) {
        g_hash_table_insert (hubs, conn, hub);
        g_ptr_array_add (hub->links, conn);
        virConnectRef (conn);
        old = hub->conn;
        hub->conn = conn;
        virConnectRef (conn);
        /* a name of before the outage proves nothing now */
        g_hash_table_remove_all (hub->names);
    }
    g_mutex_unlock (&hub->lock);
    g_mutex_unlock (&hubs_lock);
    /* nor a device, or half a watermark pair */
    if (added)
        _gvir_domain_devices_cache_clear (hub->devices);
    if (old)
        virConnectClose (old);
    return added;
}

/*
 * Off the main thread (RPCs): drops the registrations of the old link
 * (local: libvirt knows it is dead) and registers on the current one.
 */
void
_gvir_events_hub_register_link (GVirEventsHub *hub)
{
    Registrations old;
    virConnectPtr conn;

    g_mutex_lock (&hub->lock);
    if (hub->shut_down || !hub->conn || hub->registered_on == hub->conn) {
        g_mutex_unlock (&hub->lock);
        return;
    }
    take_registrations_locked (hub, &old);
    conn = hub->conn;
    virConnectRef (conn);
    hub->registered_on = conn;
    virConnectRef (conn);
    g_mutex_unlock (&hub->lock);

    drop_registrations (hub, &old);
    hub_register (hub, conn);
    virConnectClose (conn);
}

/*
 * Set by GVirConnectionEvents when its link is one that can die (the
 * remote driver, which has keepalive): only then do companions learn the
 * state a reconnection compares with.  A local driver's (test:///) link
 * cannot die, and a question in flight would keep its connection alive.
 */
void
_gvir_events_hub_set_may_reconnect (GVirEventsHub *hub)
{
    g_mutex_lock (&hub->lock);
    hub->may_reconnect = TRUE;
    g_mutex_unlock (&hub->lock);
}

gboolean
_gvir_events_hub_may_reconnect (GVirEventsHub *hub)
{
    gboolean may;

    g_mutex_lock (&hub->lock);
    may = hub->may_reconnect;
    g_mutex_unlock (&hub->lock);
    return may;
}

/* New references to every domain and object companion of the hub, for a resync. */
void
_gvir_events_hub_list_companions (GVirEventsHub *hub, GPtrArray **domains, GPtrArray **objects)
{
    GHashTableIter iter;
    gpointer companion;

    *domains = g_ptr_array_new_with_free_func (g_object_unref);
    *objects = g_ptr_array_new_with_free_func (g_object_unref);
    g_mutex_lock (&hub->lock);
    g_hash_table_iter_init (&iter, hub->domains);
    while (g_hash_table_iter_next (&iter, NULL, &companion))
        g_ptr_array_add (*domains, g_object_ref (companion));
    g_hash_table_iter_init (&iter, hub->objects);
    while (g_hash_table_iter_next (&iter, NULL, &companion))
        g_ptr_array_add (*objects, g_object_ref (companion));
    g_mutex_unlock (&hub->lock);
}

GPtrArray *
_gvir_events_hub_list_domains_in_context (GMainContext *context)
{
    GPtrArray *domains = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
    GHashTableIter hubs_iter;
    gpointer value;

    /* the order of add_link(): the hubs lock, then a hub's */
    g_mutex_lock (&hubs_lock);
    g_hash_table_iter_init (&hubs_iter, hubs ? hubs : (hubs = g_hash_table_new (NULL, NULL)));
    while (g_hash_table_iter_next (&hubs_iter, NULL, &value)) {
        GVirEventsHub *hub = value;
        GHashTableIter iter;
        gpointer companion;

        /* a hub is the value of each of its links */
        if (!g_hash_table_add (seen, hub))
            continue;
        g_mutex_lock (&hub->lock);
        if (!hub->shut_down && hub->context == context) {
            g_hash_table_iter_init (&iter, hub->domains);
            while (g_hash_table_iter_next (&iter, NULL, &companion))
                g_ptr_array_add (domains, g_object_ref (companion));
        }
        g_mutex_unlock (&hub->lock);
    }
    g_mutex_unlock (&hubs_lock);
    return domains;
}

/* FALSE if the hub shut down meanwhile: the caller acquires a new one. */
gboolean
_gvir_events_hub_add_listener (GVirEventsHub *hub, gpointer listener,
                               const GVirEventsListenerOps *ops)
{
    gboolean added;

    g_mutex_lock (&hub->lock);
    added = !hub->shut_down;
    if (added && !g_ptr_array_find (hub->listeners, listener, NULL)) {
        g_assert (hub->listener_ops == NULL || hub->listener_ops == ops);
        hub->listener_ops = ops;
        g_ptr_array_add (hub->listeners, listener);
    }
    g_mutex_unlock (&hub->lock);
    return added;
}

void
_gvir_events_hub_remove_listener (GVirEventsHub *hub, gpointer listener)
{
    g_mutex_lock (&hub->lock);
    g_ptr_array_remove (hub->listeners, listener);
    g_mutex_unlock (&hub->lock);
}

GMainContext *
_gvir_events_hub_dup_context (GVirEventsHub *hub)
{
    GMainContext *context;

    g_mutex_lock (&hub->lock);
    context = hub->context ? g_main_context_ref (hub->context) : NULL;
    g_mutex_unlock (&hub->lock);
    return context;
}

/*
 * The context can be chosen while no companion of the hub's would have to
 * move: FALSE if a domain or object companion exists already (with another
 * context).
 */
gboolean
_gvir_events_hub_set_context (GVirEventsHub *hub, GMainContext *context)
{
    gboolean done = TRUE;

    g_mutex_lock (&hub->lock);
    if (hub->context != context) {
        if (g_hash_table_size (hub->domains) > 0 || g_hash_table_size (hub->objects) > 0) {
            done = FALSE;
        } else {
            g_clear_pointer (&hub->context, g_main_context_unref);
            hub->context = context ? g_main_context_ref (context) : NULL;
        }
    }
    g_mutex_unlock (&hub->lock);
    return done;
}

/* Strong references to the listeners of one event, without allocating. */
typedef struct {
    gpointer stack[N_STACK_WATCHERS];
    GPtrArray *heap;
    guint n;
} Listeners;

static void
listeners_add (Listeners *l, gpointer object)
{
    g_object_ref (object);
    if (l->n < N_STACK_WATCHERS) {
        l->stack[l->n++] = object;
        return;
    }
    if (!l->heap)
        l->heap = g_ptr_array_new ();
    g_ptr_array_add (l->heap, object);
    l->n++;
}

static gpointer
listeners_get (const Listeners *l, guint i)
{
    return i < N_STACK_WATCHERS ? l->stack[i] : g_ptr_array_index (l->heap, i - N_STACK_WATCHERS);
}

static void
listeners_clear (Listeners *l)
{
    for (guint i = 0; i < l->n; i++)
        g_object_unref (listeners_get (l, i));
    g_clear_pointer (&l->heap, g_ptr_array_unref);
    l->n = 0;
}

/* What we know of a domain's devices is stale once it restarts or is replugged. */
static gboolean
invalidates_devices (int virt_id)
{
    return virt_id == VIR_DOMAIN_EVENT_ID_LIFECYCLE ||
        virt_id == VIR_DOMAIN_EVENT_ID_DEVICE_ADDED ||
        virt_id == VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED;
}

/*
 * The lifecycle events after which a name may stand for another domain than
 * before: defined or undefined (what a rename is made of too), started (a
 * transient domain, an incoming migration), stopped (a transient domain is
 * gone).
 */
static gboolean
name_may_rebind (int virt_id, const GVirEventRaw *raw)
{
    if (virt_id != VIR_DOMAIN_EVENT_ID_LIFECYCLE)
        return FALSE;
    switch (raw[0].i) {
    case VIR_DOMAIN_EVENT_DEFINED:
    case VIR_DOMAIN_EVENT_UNDEFINED:
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_STOPPED:
        return TRUE;
    default:
        return FALSE;
    }
}

/*
 * The UUID of the domain of an event, called and returning with the lock held.
 *
 * virDomainGetUUID() costs about a microsecond, more than the rest of a
 * dispatch together: libvirt's VIR_DOMAIN_DEBUG() formats the UUID for its
 * debug log (g_snprintf, 16 times "%02x") before it knows whether anything
 * is logged.  virDomainGetName() logs only a pointer.  A name comes to stand
 * for another domain only through a lifecycle event the hub hears
 * (name_may_rebind()), in order, on its own connection: so the hub asks
 * libvirt for the UUID on those events and the first time it meets a name,
 * and otherwise takes it from what it learned then.
 */
static gboolean
lookup_uuid (GVirEventsHub *hub, int virt_id, virDomainPtr dom,
             const GVirEventRaw *raw, guint8 uuid[VIR_UUID_BUFLEN])
{
    const char *name = virDomainGetName (dom);
    /* without the lifecycle registration, renames would go unheard */
    gboolean trusted = name && hub->slots[VIR_DOMAIN_EVENT_ID_LIFECYCLE].callback_id >= 0;
    gboolean rebind = name_may_rebind (virt_id, raw);
    DomainName *known;
    int ret;

    if (trusted && !rebind) {
        known = g_hash_table_lookup (hub->names, name);
        if (known) {
            memcpy (uuid, known->uuid, VIR_UUID_BUFLEN);
            return TRUE;
        }
    }

    g_mutex_unlock (&hub->lock);
    ret = virDomainGetUUID (dom, uuid);
    g_mutex_lock (&hub->lock);
    if (ret < 0)
        return FALSE;
    if (!trusted)
        return TRUE;

    /* the name of a domain that is gone may be reused, or never seen again */
    if (rebind && (raw[0].i == VIR_DOMAIN_EVENT_UNDEFINED || raw[0].i == VIR_DOMAIN_EVENT_STOPPED)) {
        g_hash_table_remove (hub->names, name);
    } else {
        gsize size = strlen (name) + 1;

        known = g_malloc (sizeof (DomainName) + size);
        memcpy (known->uuid, uuid, VIR_UUID_BUFLEN);
        memcpy (known->name, name, size);
        g_hash_table_replace (hub->names, known->name, known);
    }
    return TRUE;
}

/*
 * After a stop or an undefine, the domain may be gone from the connection:
 * a transient domain stopped, an inactive one undefined.  One RPC, only for
 * those events of a watched domain.
 */
static gboolean
domain_is_gone (GVirEventsHub *hub, int virt_id, const GVirEventRaw *raw, const guint8 *uuid)
{
    virConnectPtr conn;
    virDomainPtr dom;
    gboolean gone;

    if (virt_id != VIR_DOMAIN_EVENT_ID_LIFECYCLE ||
        (raw[0].i != VIR_DOMAIN_EVENT_STOPPED && raw[0].i != VIR_DOMAIN_EVENT_UNDEFINED))
        return FALSE;

    g_mutex_lock (&hub->lock);
    conn = hub->conn;
    if (conn)
        virConnectRef (conn);      /* a shutdown on another thread may close it */
    g_mutex_unlock (&hub->lock);
    if (!conn)
        return FALSE;

    dom = virDomainLookupByUUID (conn, uuid);
    /* only libvirt's word that there is no such domain: a dead link proves nothing */
    gone = !dom && virGetLastErrorCode () == VIR_ERR_NO_DOMAIN;
    if (dom)
        virDomainFree (dom);
    virResetLastError ();
    virConnectClose (conn);
    return gone;
}

/*
 * Every libvirt callback ends here.  The common case, an event for a domain
 * nobody watches, costs a name lookup and a UUID lookup, and nothing is built.
 */
static void hub_dispatch (GVirEventsHub *hub, const GVirEventSpec *spec, virDomainPtr dom,
                          const GVirEventRaw *raw, gboolean synthesized);

void
_gvir_events_hub_dispatch (GVirEventsSlot *slot, virDomainPtr dom, const GVirEventRaw *raw)
{
    if (G_UNLIKELY (_gvir_events_hub_test_hook))
        _gvir_events_hub_test_hook (GVIR_EVENTS_HUB_HOOK_DISPATCH, slot);
    /* safe even if the hub shut down meanwhile: this registration holds it */
    hub_dispatch (slot->hub, _gvir_event_spec_for_virt_id (slot->virt_id), dom, raw, FALSE);
}

/* What the trampolines call (a slot is the sink libvirt's opaque pointer is). */
static void
slot_dispatch (GVirEventSink *sink, gconstpointer handle, const GVirEventRaw *raw)
{
    GVirEventsSlot *slot = (GVirEventsSlot *) sink;

    if (slot->object)
        _gvir_events_hub_dispatch_object (slot, handle, raw);
    else
        _gvir_events_hub_dispatch (slot, (virDomainPtr) handle, raw);
}

/*
 * A lifecycle event the library makes up after a reconnection, delivered as
 * libvirt's own would be, marked synthesized in its GVirEvent.
 */
void
_gvir_events_hub_synthesize (GVirEventsHub *hub, virDomainPtr dom, const GVirEventRaw *raw)
{
    hub_dispatch (hub, _gvir_event_spec_for_kind (GVIR_DOMAIN_EVENT_KIND_LIFECYCLE), dom, raw, TRUE);
}

/*
 * An event the library made itself (the guest users, gvir-guest-users.c),
 * delivered as libvirt's own would be, if the domain's connection still has
 * a live hub.
 */
GVirEventsHub *
_gvir_events_hub_lookup (virConnectPtr conn)
{
    GVirEventsHub *hub;

    g_mutex_lock (&hubs_lock);
    hub = hubs ? g_hash_table_lookup (hubs, conn) : NULL;
    if (hub)
        _gvir_events_hub_ref (hub);
    g_mutex_unlock (&hubs_lock);
    return hub;
}

void
_gvir_events_hub_dispatch_polled (virDomainPtr dom, GVirDomainEventKind kind,
                                  const GVirEventRaw *raw)
{
    GVirEventsHub *hub = _gvir_events_hub_lookup (virDomainGetConnect (dom));

    if (!hub)
        return;
    hub_dispatch (hub, _gvir_event_spec_for_kind (kind), dom, raw, FALSE);
    _gvir_events_hub_unref (hub);
}

/* An emission, and who it is for: what its is_heard() answers from. */
typedef struct {
    GVirEventEmission em;       /* first: is_heard() gets its address */
    gpointer watcher;           /* the domain's companion, if it has one */
    const GVirEventsDomainOps *watcher_ops;
    guint n_listeners;
} HubEmission;

static gboolean
hub_emission_is_heard (const GVirEventEmission *em)
{
    const HubEmission *he = (const HubEmission *) em;

    return he->n_listeners > 0 ||
        (he->watcher && he->watcher_ops->wants (he->watcher, em->spec->virt_id));
}

static void
hub_dispatch (GVirEventsHub *hub, const GVirEventSpec *spec, virDomainPtr dom,
              const GVirEventRaw *raw, gboolean synthesized)
{
    int virt_id = spec->virt_id;
    guint8 uuid[VIR_UUID_BUFLEN];
    gpointer watcher = NULL;
    Listeners listeners = { 0 };
    HubEmission he = { 0 };
    const GVirEventsDomainOps *domain_ops;
    const GVirEventsListenerOps *listener_ops;

    if (!dom)
        return;

    g_mutex_lock (&hub->lock);
    /* libvirt may finish a callback it began before the hub shut down */
    if (hub->shut_down || !lookup_uuid (hub, virt_id, dom, raw, uuid)) {
        g_mutex_unlock (&hub->lock);
        return;
    }
    domain_ops = hub->domain_ops;
    listener_ops = hub->listener_ops;
    /* no reference: it changes only while the hub has no companion to emit */
    he.em.context = hub->context;
    watcher = g_hash_table_lookup (hub->domains, uuid);
    if (watcher)
        g_object_ref (watcher);
    for (guint i = 0; i < hub->listeners->len; i++) {
        gpointer listener = g_ptr_array_index (hub->listeners, i);

        if (listener_ops->wants (listener))
            listeners_add (&listeners, listener);
    }
    g_mutex_unlock (&hub->lock);
    if (invalidates_devices (virt_id))
        _gvir_domain_devices_cache_invalidate (hub->devices, uuid);

    if (!watcher && listeners.n == 0)
        return;

    /* a listener may shut the hub down (close the connection, say) */
    _gvir_events_hub_ref (hub);
    he.em.spec = spec;
    he.em.uuid = uuid;
    he.em.synthesized = synthesized;
    he.em.devices = hub->devices;
    he.em.is_heard = hub_emission_is_heard;
    he.watcher = watcher;
    he.watcher_ops = domain_ops;
    he.n_listeners = listeners.n;
    if (_gvir_event_emission_decode (&he.em, dom, raw)) {
        if (watcher)
            domain_ops->emit (watcher, &he.em);
        for (guint i = 0; i < listeners.n; i++)
            listener_ops->emit (listeners_get (&listeners, i), dom, watcher, &he.em);
    }
    _gvir_event_emission_clear (&he.em);
    listeners_clear (&listeners);
    /* a synthesized stop comes before the undefine that tells it is gone */
    if (watcher && !synthesized && domain_is_gone (hub, virt_id, raw, uuid))
        hub_forget_domain (hub, uuid);
    g_clear_object (&watcher);
    _gvir_events_hub_unref (hub);
}

/*
 * After a stop or an undefine, a watched network or pool may be gone from
 * the connection (a transient one stopped, an inactive one undefined): one
 * RPC, only for those events of a watched object.
 */
static gboolean
object_is_gone (GVirEventsHub *hub, const GVirObjectEmission *em, const gchar *uuid)
{
    const GVirEventFamily *family = em->spec->family;
    virConnectPtr conn;
    gint event;
    gboolean gone;

    if (em->spec->n_params == 0 || !G_VALUE_HOLDS_ENUM (&em->values[2]))
        return FALSE;
    event = g_value_get_enum (&em->values[2]);
    if (event < 0 || event >= 32 || !(family->gone_events & (1u << event)))
        return FALSE;

    g_mutex_lock (&hub->lock);
    conn = hub->conn ? virConnectRef (hub->conn), hub->conn : NULL;
    g_mutex_unlock (&hub->lock);
    if (!conn)
        return FALSE;
    gone = family->is_gone (conn, uuid);
    virConnectClose (conn);
    return gone;
}

/*
 * The callbacks of networks, pools, node devices and secrets end here.  Only
 * connection companions hear them: nothing is decoded when none listens to
 * the kind.
 */
static void hub_dispatch_object (GVirEventsSlot *slot, gconstpointer handle,
                                 const GVirEventRaw *raw, gboolean synthesized);

void
_gvir_events_hub_dispatch_object (GVirEventsSlot *slot, gconstpointer handle,
                                 const GVirEventRaw *raw)
{
    if (G_UNLIKELY (_gvir_events_hub_test_hook))
        _gvir_events_hub_test_hook (GVIR_EVENTS_HUB_HOOK_DISPATCH, slot);
    hub_dispatch_object (slot, handle, raw, FALSE);
}

/*
 * A network or pool event the library makes up after a reconnection (the
 * object is gone): delivered as libvirt's own would be; the caller forgets
 * the companion.
 */
void
_gvir_events_hub_synthesize_object (GVirEventsHub *hub, GVirObjectEventKind kind,
                                   gconstpointer handle, const GVirEventRaw *raw)
{
    g_return_if_fail ((guint) kind < GVIR_OBJECT_EVENT_N_KINDS);
    hub_dispatch_object (&hub->object_slots[kind], handle, raw, TRUE);
}

static void
hub_dispatch_object (GVirEventsSlot *slot, gconstpointer handle, const GVirEventRaw *raw,
                     gboolean synthesized)
{
    GVirEventsHub *hub;
    const GVirEventFamily *family;
    Listeners listeners = { 0 };
    GVirObjectEmission em = { 0 };
    gchar uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree gchar *key = NULL;
    gpointer watcher = NULL;
    const GVirEventsObjectOps *object_ops;
    const GVirEventsListenerOps *listener_ops;

    /* safe even if the hub shut down meanwhile: this registration holds it */
    hub = slot->hub;
    if (!handle || !slot->object)
        return;
    family = slot->object->family;

    g_mutex_lock (&hub->lock);
    if (!hub->shut_down) {
        /* the UUID is asked for only when some network or pool is watched */
        if (family->get_uuid && g_hash_table_size (hub->objects) > 0) {
            g_mutex_unlock (&hub->lock);
            if (family->get_uuid (handle, uuid))
                key = g_strconcat (family->name, "/", uuid, NULL);
            g_mutex_lock (&hub->lock);
        }
        watcher = key ? g_hash_table_lookup (hub->objects, key) : NULL;
        if (watcher)
            g_object_ref (watcher);
        for (guint i = 0; i < hub->listeners->len; i++) {
            gpointer listener = g_ptr_array_index (hub->listeners, i);

            if (hub->listener_ops->wants_object (listener, slot->object->kind))
                listeners_add (&listeners, listener);
        }
    }
    object_ops = hub->object_ops;
    listener_ops = hub->listener_ops;
    em.context = hub->context;
    g_mutex_unlock (&hub->lock);
    if (!watcher && listeners.n == 0)
        return;

    /* a listener may shut the hub down (close the connection, say) */
    _gvir_events_hub_ref (hub);
    em.spec = slot->object;
    em.handle = handle;
    _gvir_object_emission_decode (&em, raw);
    if (watcher)
        object_ops->emit (watcher, &em);
    for (guint i = 0; i < listeners.n; i++)
        listener_ops->emit_object (listeners_get (&listeners, i), &em);
    if (watcher && !synthesized && object_is_gone (hub, &em, uuid))
        hub_forget (hub, hub->objects, key);
    _gvir_object_emission_clear (&em);
    listeners_clear (&listeners);
    g_clear_object (&watcher);
    _gvir_events_hub_unref (hub);
}
