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

#include "gvir-events-private.h"

/* libvirt reports one threshold crossing twice, back to back (see below). */
#define WATERMARK_REPEAT_WINDOW_US (2 * G_USEC_PER_SEC)

/* Companions are collected on the stack; more than this many is rare. */
#define N_STACK_WATCHERS 8

struct _GVirEventsHub {
    gint ref_count;                 /* atomic */
    gconstpointer key;              /* the virConnectPtr in the hubs table */
    virConnectPtr conn;             /* owned; NULL once shut down */
    GVirEventsSlot slots[GVIR_EVENT_N_VIRT_IDS];

    GMutex lock;                    /* protects everything below */
    GHashTable *domains;            /* uuid -> GVirDomainEvents chain, weak */
    GPtrArray *connections;         /* GVirConnectionEvents, weak */
    GHashTable *devices;            /* uuid -> GVirDomainDevices */
    GHashTable *names;              /* domain name -> DomainName, see lookup_uuid() */
    struct {
        gboolean pending;           /* waiting for the other half of a pair */
        gboolean indexed;           /* that half was named "disk[N]" */
        guint8 uuid[VIR_UUID_BUFLEN];
        gchar *disk;
        gchar *path;
        guint64 threshold;
        guint64 excess;
        gint64 when;
    } last_watermark;
};

/* What the hub last learned a domain name stands for (see lookup_uuid()). */
typedef struct {
    guint8 uuid[VIR_UUID_BUFLEN];
    gchar name[];                   /* the key */
} DomainName;

static GMutex hubs_lock;
static GHashTable *hubs;            /* virConnectPtr -> GVirEventsHub */

/* UUIDs are random: their first bytes are as good a hash as any. */
static guint
uuid_hash (gconstpointer uuid)
{
    guint hash;

    memcpy (&hash, uuid, sizeof (hash));
    return hash;
}

static gboolean
uuid_equal (gconstpointer a, gconstpointer b)
{
    return memcmp (a, b, VIR_UUID_BUFLEN) == 0;
}

static void
hub_register (GVirEventsHub *hub)
{
    gboolean any = FALSE;
    g_autofree gchar *failure = NULL;

    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        const GVirEventSpec *spec = gvir_event_spec_for_virt_id (id);
        GVirEventsSlot *slot = &hub->slots[id];

        slot->hub = hub;
        slot->virt_id = id;
        slot->callback_id = -1;
        if (!spec)
            continue;

        slot->callback_id = virConnectDomainEventRegisterAny (hub->conn, NULL, id,
                                                              spec->callback, slot, NULL);
        if (slot->callback_id < 0) {
            /* an older daemon does not know every ID: skip it, supports() says so */
            g_debug ("libvirt-gevents: event ID %d not registered: %s",
                     id, virGetLastErrorMessage ());
            if (!failure)
                failure = g_strdup (virGetLastErrorMessage ());
            virResetLastError ();
        } else {
            any = TRUE;
        }
    }

    if (!any)
        g_warning ("libvirt-gevents: libvirt refused every domain event registration (%s); "
                   "was gvir_init_object() called before the connection was opened?",
                   failure ? failure : "no reason given");
}

static void
hub_deregister (GVirEventsHub *hub, virConnectPtr conn)
{
    for (int id = 0; id < GVIR_EVENT_N_VIRT_IDS; id++) {
        GVirEventsSlot *slot = &hub->slots[id];

        if (slot->callback_id >= 0 &&
            virConnectDomainEventDeregisterAny (conn, slot->callback_id) < 0) {
            /* a dead connection cannot be deregistered from; nothing is lost */
            g_debug ("libvirt-gevents: could not deregister event ID %d: %s",
                     id, virGetLastErrorMessage ());
            virResetLastError ();
        }
        slot->callback_id = -1;
    }
}

GVirEventsHub *
gvir_events_hub_acquire (virConnectPtr conn)
{
    GVirEventsHub *hub;

    g_return_val_if_fail (conn != NULL, NULL);

    g_mutex_lock (&hubs_lock);
    if (!hubs)
        hubs = g_hash_table_new (NULL, NULL);

    hub = g_hash_table_lookup (hubs, conn);
    /* a hub whose count reached 0 is being freed: replace it, never revive it */
    while (hub) {
        gint count = g_atomic_int_get (&hub->ref_count);

        if (count == 0) {
            hub = NULL;
        } else if (g_atomic_int_compare_and_exchange (&hub->ref_count, count, count + 1)) {
            g_mutex_unlock (&hubs_lock);
            return hub;
        }
    }

    hub = g_new0 (GVirEventsHub, 1);
    hub->ref_count = 1;
    hub->key = conn;
    hub->conn = conn;
    virConnectRef (conn);
    g_mutex_init (&hub->lock);
    hub->domains = g_hash_table_new (uuid_hash, uuid_equal);
    hub->connections = g_ptr_array_new ();
    hub->devices = g_hash_table_new_full (uuid_hash, uuid_equal, g_free,
                                          (GDestroyNotify) gvir_domain_devices_free);
    hub->names = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    hub_register (hub);
    g_hash_table_insert (hubs, conn, hub);
    g_mutex_unlock (&hubs_lock);

    return hub;
}

GVirEventsHub *
gvir_events_hub_ref (GVirEventsHub *hub)
{
    g_atomic_int_inc (&hub->ref_count);
    return hub;
}

/*
 * Stops the events: deregisters from libvirt and lets the connection go.
 * Companions may still hold the hub; they just hear nothing more.
 */
void
gvir_events_hub_shutdown (GVirEventsHub *hub)
{
    virConnectPtr conn;

    g_mutex_lock (&hubs_lock);
    if (hubs && g_hash_table_lookup (hubs, hub->key) == hub)
        g_hash_table_remove (hubs, hub->key);
    conn = g_steal_pointer (&hub->conn);
    g_mutex_unlock (&hubs_lock);

    if (!conn)
        return;
    hub_deregister (hub, conn);
    virConnectClose (conn);
}

void
gvir_events_hub_unref (GVirEventsHub *hub)
{
    if (!g_atomic_int_dec_and_test (&hub->ref_count))
        return;

    gvir_events_hub_shutdown (hub);
    g_hash_table_unref (hub->domains);
    g_ptr_array_unref (hub->connections);
    g_hash_table_unref (hub->devices);
    g_hash_table_unref (hub->names);
    g_free (hub->last_watermark.disk);
    g_free (hub->last_watermark.path);
    g_mutex_clear (&hub->lock);
    g_free (hub);
}

gboolean
gvir_events_hub_supports (GVirEventsHub *hub, int virt_id)
{
    return virt_id >= 0 && virt_id < GVIR_EVENT_N_VIRT_IDS &&
        hub->slots[virt_id].callback_id >= 0;
}

GVirEventsSlot *
gvir_events_hub_get_slot (GVirEventsHub *hub, int virt_id)
{
    g_return_val_if_fail (virt_id >= 0 && virt_id < GVIR_EVENT_N_VIRT_IDS, NULL);
    return &hub->slots[virt_id];
}

/*
 * Watched domains: the table maps a UUID to the companion of its GVirDomain.
 * Two GVirDomain objects for one domain are possible (an application may wrap
 * a handle itself): their companions are chained, so neither is silenced.
 */
void
gvir_events_hub_add_domain (GVirEventsHub *hub, GVirDomainEvents *watcher)
{
    const guint8 *uuid = gvir_domain_events_get_uuid (watcher);
    GVirDomainEvents *head;

    g_mutex_lock (&hub->lock);
    head = g_hash_table_lookup (hub->domains, uuid);
    *gvir_domain_events_next (watcher) = head;
    g_hash_table_replace (hub->domains, (gpointer) uuid, watcher);
    g_mutex_unlock (&hub->lock);
}

void
gvir_events_hub_remove_domain (GVirEventsHub *hub, GVirDomainEvents *watcher)
{
    const guint8 *uuid = gvir_domain_events_get_uuid (watcher);
    GVirDomainEvents *head;

    g_mutex_lock (&hub->lock);
    head = g_hash_table_lookup (hub->domains, uuid);
    if (head == watcher) {
        GVirDomainEvents *next = *gvir_domain_events_next (watcher);

        if (next)
            g_hash_table_replace (hub->domains, (gpointer) gvir_domain_events_get_uuid (next), next);
        else
            g_hash_table_remove (hub->domains, uuid);
    } else {
        for (GVirDomainEvents *w = head; w; w = *gvir_domain_events_next (w)) {
            if (*gvir_domain_events_next (w) == watcher) {
                *gvir_domain_events_next (w) = *gvir_domain_events_next (watcher);
                break;
            }
        }
    }
    *gvir_domain_events_next (watcher) = NULL;
    g_mutex_unlock (&hub->lock);
}

void
gvir_events_hub_add_connection (GVirEventsHub *hub, GVirConnectionEvents *watcher)
{
    g_mutex_lock (&hub->lock);
    g_ptr_array_add (hub->connections, watcher);
    g_mutex_unlock (&hub->lock);
}

void
gvir_events_hub_remove_connection (GVirEventsHub *hub, GVirConnectionEvents *watcher)
{
    g_mutex_lock (&hub->lock);
    g_ptr_array_remove (hub->connections, watcher);
    g_mutex_unlock (&hub->lock);
}

/*
 * virDomainGetUUIDString() costs 2 µs (libvirt formats the UUID twice, once
 * for its debug log); the hub has the bytes already.
 */
void
gvir_events_uuid_to_string (const guint8 *uuid, gchar out[VIR_UUID_STRING_BUFLEN])
{
    static const gchar hex[] = "0123456789abcdef";
    gchar *p = out;

    for (guint i = 0; i < VIR_UUID_BUFLEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xf];
    }
    *p = '\0';
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
 * Every libvirt callback ends here.  The common case, an event for a domain
 * nobody watches, costs a name lookup and a UUID lookup, and nothing is built.
 */
void
gvir_events_hub_dispatch (GVirEventsSlot *slot, virDomainPtr dom, const GVirEventRaw *raw)
{
    GVirEventsHub *hub = slot->hub;
    guint8 uuid[VIR_UUID_BUFLEN];
    Listeners domains = { 0 };
    Listeners connections = { 0 };
    GVirEventEmission em = { 0 };

    if (!dom)
        return;

    g_mutex_lock (&hub->lock);
    if (!lookup_uuid (hub, slot->virt_id, dom, raw, uuid)) {
        g_mutex_unlock (&hub->lock);
        return;
    }
    if (invalidates_devices (slot->virt_id) && g_hash_table_size (hub->devices) > 0)
        g_hash_table_remove (hub->devices, uuid);
    for (GVirDomainEvents *w = g_hash_table_lookup (hub->domains, uuid); w;
         w = *gvir_domain_events_next (w))
        listeners_add (&domains, w);
    for (guint i = 0; i < hub->connections->len; i++) {
        GVirConnectionEvents *c = g_ptr_array_index (hub->connections, i);

        if (gvir_connection_events_wants (c))
            listeners_add (&connections, c);
    }
    g_mutex_unlock (&hub->lock);

    if (domains.n == 0 && connections.n == 0)
        return;

    /* a listener may drop the last reference to a companion, and so to the hub */
    gvir_events_hub_ref (hub);
    em.spec = gvir_event_spec_for_virt_id (slot->virt_id);
    em.uuid = uuid;
    if (gvir_event_emission_decode (&em, hub, dom, raw)) {
        GVirDomain *domain = NULL;

        /* domain-event hands out the watched GVirDomain, not a new wrapper */
        if (connections.n > 0 && domains.n > 0)
            domain = gvir_domain_events_ref_domain (listeners_get (&domains, 0));
        for (guint i = 0; i < domains.n; i++)
            gvir_domain_events_emit (listeners_get (&domains, i), &em);
        for (guint i = 0; i < connections.n; i++)
            gvir_connection_events_emit (listeners_get (&connections, i), dom, domain, &em);
        g_clear_object (&domain);
    }
    gvir_event_emission_clear (&em);
    listeners_clear (&domains);
    listeners_clear (&connections);
    gvir_events_hub_unref (hub);
}

static GVirDomainDevices *
fetch_devices (virDomainPtr dom)
{
    g_autofree gchar *xml = virDomainGetXMLDesc (dom, 0);
    g_autoptr(GError) error = NULL;
    GVirDomainDevices *devices;

    if (!xml) {
        g_autofree gchar *reason = g_strdup (virGetLastErrorMessage ());

        virResetLastError ();
        g_debug ("libvirt-gevents: no XML for domain %s: %s", virDomainGetName (dom), reason);
        return NULL;
    }
    devices = gvir_domain_devices_new_from_xml (xml, &error);
    if (!devices)
        g_debug ("libvirt-gevents: bad XML for domain %s: %s",
                 virDomainGetName (dom), error->message);
    return devices;
}

/* Runs func on the domain's device map, fetching the live XML the first time. */
typedef gpointer (*DevicesFunc) (GVirDomainDevices *devices, gconstpointer data);

static gpointer
with_devices (GVirEventsHub *hub, virDomainPtr dom, DevicesFunc func, gconstpointer data)
{
    guint8 uuid[VIR_UUID_BUFLEN];
    GVirDomainDevices *devices;
    gpointer result = NULL;

    if (virDomainGetUUID (dom, uuid) < 0)
        return NULL;

    g_mutex_lock (&hub->lock);
    devices = g_hash_table_lookup (hub->devices, uuid);
    if (!devices) {
        /* an RPC, once per domain start: not under the lock */
        g_mutex_unlock (&hub->lock);
        devices = fetch_devices (dom);
        if (!devices)
            return NULL;
        g_mutex_lock (&hub->lock);
        g_hash_table_replace (hub->devices, g_memdup2 (uuid, sizeof (uuid)), devices);
    }
    result = func (devices, data);
    g_mutex_unlock (&hub->lock);
    return result;
}

static gpointer
dup_disk_target (GVirDomainDevices *devices, gconstpointer alias)
{
    return g_strdup (gvir_domain_devices_disk_target (devices, alias));
}

gchar *
gvir_events_hub_disk_target (GVirEventsHub *hub, virDomainPtr dom, const gchar *alias)
{
    if (!alias)
        return NULL;
    return with_devices (hub, dom, dup_disk_target, alias);
}

typedef struct {
    int family;
    const gchar *node;
    const gchar *service;
    GVirGraphicsProtocol protocol;
} GraphicsQuery;

static gpointer
find_graphics_protocol (GVirDomainDevices *devices, gconstpointer data)
{
    GraphicsQuery *query = (GraphicsQuery *) data;

    return GINT_TO_POINTER (gvir_domain_devices_graphics_protocol (devices, query->family,
                                                                   query->node, query->service,
                                                                   &query->protocol));
}

GVirGraphicsProtocol
gvir_events_hub_graphics_protocol (GVirEventsHub *hub, virDomainPtr dom,
                                   int local_family, const gchar *local_node,
                                   const gchar *local_service)
{
    GraphicsQuery query = { local_family, local_node, local_service, GVIR_GRAPHICS_PROTOCOL_VNC };

    /* no graphics device known: VNC, the one QEMU reports most */
    if (!with_devices (hub, dom, find_graphics_protocol, &query))
        return GVIR_GRAPHICS_PROTOCOL_VNC;
    return query.protocol;
}

/*
 * libvirt 9.0 calls back twice per crossing, once with the disk's name
 * ("vda") and once with the image's index in its chain ("vda[1]"), back to
 * back.  The second of such a pair is the repeat: same domain, disk, path,
 * threshold and excess, the other form of the name.  A pair is consumed
 * whole, so an application that re-arms the same threshold at once still
 * hears the next crossing.
 */
gboolean
gvir_events_hub_watermark_is_repeat (GVirEventsHub *hub, virDomainPtr dom,
                                     const gchar *disk, gboolean indexed,
                                     const gchar *path, guint64 threshold,
                                     guint64 excess)
{
    guint8 uuid[VIR_UUID_BUFLEN];
    gint64 now = g_get_monotonic_time ();
    gboolean repeat;

    if (virDomainGetUUID (dom, uuid) < 0)
        return FALSE;

    g_mutex_lock (&hub->lock);
    repeat = hub->last_watermark.pending &&
        now - hub->last_watermark.when < WATERMARK_REPEAT_WINDOW_US &&
        hub->last_watermark.indexed != indexed &&
        memcmp (hub->last_watermark.uuid, uuid, sizeof (uuid)) == 0 &&
        g_strcmp0 (hub->last_watermark.disk, disk) == 0 &&
        g_strcmp0 (hub->last_watermark.path, path) == 0 &&
        hub->last_watermark.threshold == threshold &&
        hub->last_watermark.excess == excess;
    if (repeat) {
        hub->last_watermark.pending = FALSE;
    } else {
        hub->last_watermark.pending = TRUE;
        hub->last_watermark.indexed = indexed;
        memcpy (hub->last_watermark.uuid, uuid, sizeof (uuid));
        g_free (hub->last_watermark.disk);
        hub->last_watermark.disk = g_strdup (disk);
        g_free (hub->last_watermark.path);
        hub->last_watermark.path = g_strdup (path);
        hub->last_watermark.threshold = threshold;
        hub->last_watermark.excess = excess;
        hub->last_watermark.when = now;
    }
    g_mutex_unlock (&hub->lock);
    return repeat;
}
