/*
 * gvir-domain-devices.c: what events need to know of a domain's devices,
 * cached per connection
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>
#include <libvirt-gconfig/libvirt-gconfig.h>

#include "gvir-domain-devices-private.h"
#include "gvir-events-util-private.h"

/*
 * libvirt names a disk in an I/O error by its alias ("ide0-0-1") and a
 * graphics client by the server's address; users know disks by target
 * ("hdb") and servers by protocol.  The live XML relates them.
 */

typedef struct {
    GVirGraphicsProtocol protocol;
    int port;
    gchar *socket;
} GraphicsServer;

typedef struct {
    GHashTable *disk_targets;       /* alias -> target dev */
    GArray *graphics;               /* GraphicsServer */
} GVirDomainDevices;

static void
graphics_server_clear (gpointer data)
{
    GraphicsServer *server = data;

    g_free (server->socket);
}

static GVirDomainDevices *
devices_new_from_xml (const gchar *xml, GError **error)
{
    GVirConfigDomain *config = gvir_config_domain_new_from_xml (xml, error);
    GVirDomainDevices *devices;
    GList *list;

    if (!config)
        return NULL;

    devices = g_new0 (GVirDomainDevices, 1);
    devices->disk_targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    devices->graphics = g_array_new (FALSE, TRUE, sizeof (GraphicsServer));
    g_array_set_clear_func (devices->graphics, graphics_server_clear);

    list = gvir_config_domain_get_devices (config);
    for (GList *l = list; l; l = l->next) {
        GVirConfigDomainDevice *device = l->data;
        const gchar *alias = gvir_config_domain_device_get_alias (device);
        GraphicsServer server = { 0 };

        if (GVIR_CONFIG_IS_DOMAIN_DISK (device)) {
            const gchar *target =
                gvir_config_domain_disk_get_target_dev (GVIR_CONFIG_DOMAIN_DISK (device));

            if (alias && target)
                g_hash_table_replace (devices->disk_targets, g_strdup (alias), g_strdup (target));
        } else if (GVIR_CONFIG_IS_DOMAIN_GRAPHICS_VNC (device)) {
            GVirConfigDomainGraphicsVnc *vnc = GVIR_CONFIG_DOMAIN_GRAPHICS_VNC (device);

            server.protocol = GVIR_GRAPHICS_PROTOCOL_VNC;
            server.port = gvir_config_domain_graphics_vnc_get_port (vnc);
            server.socket = g_strdup (gvir_config_domain_graphics_vnc_get_socket (vnc));
            g_array_append_val (devices->graphics, server);
        } else if (GVIR_CONFIG_IS_DOMAIN_GRAPHICS_SPICE (device)) {
            server.protocol = GVIR_GRAPHICS_PROTOCOL_SPICE;
            server.port = gvir_config_domain_graphics_spice_get_port (GVIR_CONFIG_DOMAIN_GRAPHICS_SPICE (device));
            g_array_append_val (devices->graphics, server);
        }
    }
    g_list_free_full (list, g_object_unref);
    g_object_unref (config);

    return devices;
}

static void
devices_free (GVirDomainDevices *devices)
{
    if (!devices)
        return;
    g_hash_table_unref (devices->disk_targets);
    g_array_unref (devices->graphics);
    g_free (devices);
}

static const gchar *
devices_disk_target (GVirDomainDevices *devices, const gchar *alias)
{
    return g_hash_table_lookup (devices->disk_targets, alias);
}

/*
 * Finds which server a client's local address belongs to.  Returns FALSE
 * when the domain has no VNC or SPICE server at all.
 */
static gboolean
devices_graphics_protocol (GVirDomainDevices *devices,
                           int local_family, const gchar *local_node,
                           const gchar *local_service,
                           GVirGraphicsProtocol *protocol)
{
    int port = local_service ? atoi (local_service) : 0;
    guint n_vnc = 0, n_spice = 0;

    for (guint i = 0; i < devices->graphics->len; i++) {
        const GraphicsServer *server = &g_array_index (devices->graphics, GraphicsServer, i);
        gboolean same_socket = local_family == GVIR_GRAPHICS_ADDRESS_FAMILY_UNIX &&
            server->socket && g_strcmp0 (server->socket, local_node) == 0;

        if (same_socket || (port > 0 && server->port == port)) {
            *protocol = server->protocol;
            return TRUE;
        }
        if (server->protocol == GVIR_GRAPHICS_PROTOCOL_VNC)
            n_vnc++;
        else
            n_spice++;
    }

    if (n_vnc == 0 && n_spice == 0)
        return FALSE;
    /*
     * No port matched.  With both servers, the client is on the one port the
     * XML API does not give us: SPICE's TLS port.
     */
    *protocol = n_spice > 0 ? GVIR_GRAPHICS_PROTOCOL_SPICE : GVIR_GRAPHICS_PROTOCOL_VNC;
    return TRUE;
}

/* libvirt reports one threshold crossing twice, back to back (see below). */
#define WATERMARK_REPEAT_WINDOW_US (2 * G_USEC_PER_SEC)

struct _GVirDomainDevicesCache {
    GMutex lock;                    /* protects everything below; held for moments */
    gint n_domains;                 /* atomic: the size of devices, read without the lock */
    GHashTable *devices;            /* uuid -> GVirDomainDevices */
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

GVirDomainDevicesCache *
_gvir_domain_devices_cache_new (void)
{
    GVirDomainDevicesCache *cache = g_new0 (GVirDomainDevicesCache, 1);

    g_mutex_init (&cache->lock);
    cache->devices = g_hash_table_new_full (_gvir_events_uuid_hash, _gvir_events_uuid_equal,
                                            g_free, (GDestroyNotify) devices_free);
    return cache;
}

void
_gvir_domain_devices_cache_free (GVirDomainDevicesCache *cache)
{
    if (!cache)
        return;
    g_hash_table_unref (cache->devices);
    g_free (cache->last_watermark.disk);
    g_free (cache->last_watermark.path);
    g_mutex_clear (&cache->lock);
    g_free (cache);
}

void
_gvir_domain_devices_cache_invalidate (GVirDomainDevicesCache *cache, const guint8 *uuid)
{
    /* every lifecycle event comes here: without a cached domain, no lock */
    if (g_atomic_int_get (&cache->n_domains) == 0)
        return;
    g_mutex_lock (&cache->lock);
    g_hash_table_remove (cache->devices, uuid);
    g_atomic_int_set (&cache->n_domains, g_hash_table_size (cache->devices));
    g_mutex_unlock (&cache->lock);
}

void
_gvir_domain_devices_cache_clear (GVirDomainDevicesCache *cache)
{
    g_mutex_lock (&cache->lock);
    g_hash_table_remove_all (cache->devices);
    g_atomic_int_set (&cache->n_domains, 0);
    cache->last_watermark.pending = FALSE;
    g_mutex_unlock (&cache->lock);
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
    devices = devices_new_from_xml (xml, &error);
    if (!devices)
        g_debug ("libvirt-gevents: bad XML for domain %s: %s",
                 virDomainGetName (dom), error->message);
    return devices;
}

/* Runs func on the domain's device map, fetching the live XML the first time. */
typedef gpointer (*DevicesFunc) (GVirDomainDevices *devices, gconstpointer data);

static gpointer
with_devices (GVirDomainDevicesCache *cache, virDomainPtr dom, const guint8 *uuid,
              DevicesFunc func, gconstpointer data)
{
    GVirDomainDevices *devices;
    gpointer result = NULL;

    g_mutex_lock (&cache->lock);
    devices = g_hash_table_lookup (cache->devices, uuid);
    if (!devices) {
        /* an RPC, once per domain start: not under the lock */
        g_mutex_unlock (&cache->lock);
        devices = fetch_devices (dom);
        if (!devices)
            return NULL;
        g_mutex_lock (&cache->lock);
        g_hash_table_replace (cache->devices, g_memdup2 (uuid, VIR_UUID_BUFLEN), devices);
        g_atomic_int_set (&cache->n_domains, g_hash_table_size (cache->devices));
    }
    result = func (devices, data);
    g_mutex_unlock (&cache->lock);
    return result;
}

static gpointer
dup_disk_target (GVirDomainDevices *devices, gconstpointer alias)
{
    return g_strdup (devices_disk_target (devices, alias));
}

gchar *
_gvir_domain_devices_disk_target (GVirDomainDevicesCache *cache, virDomainPtr dom,
                                  const guint8 *uuid, const gchar *alias)
{
    if (!alias)
        return NULL;
    return with_devices (cache, dom, uuid, dup_disk_target, alias);
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

    return GINT_TO_POINTER (devices_graphics_protocol (devices, query->family, query->node,
                                                       query->service, &query->protocol));
}

GVirGraphicsProtocol
_gvir_domain_devices_graphics_protocol (GVirDomainDevicesCache *cache, virDomainPtr dom,
                                        const guint8 *uuid, int local_family,
                                        const gchar *local_node, const gchar *local_service)
{
    GraphicsQuery query = { local_family, local_node, local_service, GVIR_GRAPHICS_PROTOCOL_VNC };

    /* no graphics device known: VNC, the one QEMU reports most */
    if (!with_devices (cache, dom, uuid, find_graphics_protocol, &query))
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
_gvir_domain_devices_watermark_is_repeat (GVirDomainDevicesCache *cache, const guint8 *uuid,
                                          const gchar *disk, gboolean indexed,
                                          const gchar *path, guint64 threshold,
                                          guint64 excess)
{
    gint64 now = g_get_monotonic_time ();
    gboolean repeat;

    g_mutex_lock (&cache->lock);
    repeat = cache->last_watermark.pending &&
        now - cache->last_watermark.when < WATERMARK_REPEAT_WINDOW_US &&
        cache->last_watermark.indexed != indexed &&
        memcmp (cache->last_watermark.uuid, uuid, VIR_UUID_BUFLEN) == 0 &&
        g_strcmp0 (cache->last_watermark.disk, disk) == 0 &&
        g_strcmp0 (cache->last_watermark.path, path) == 0 &&
        cache->last_watermark.threshold == threshold &&
        cache->last_watermark.excess == excess;
    if (repeat) {
        cache->last_watermark.pending = FALSE;
    } else {
        cache->last_watermark.pending = TRUE;
        cache->last_watermark.indexed = indexed;
        memcpy (cache->last_watermark.uuid, uuid, VIR_UUID_BUFLEN);
        g_free (cache->last_watermark.disk);
        cache->last_watermark.disk = g_strdup (disk);
        g_free (cache->last_watermark.path);
        cache->last_watermark.path = g_strdup (path);
        cache->last_watermark.threshold = threshold;
        cache->last_watermark.excess = excess;
        cache->last_watermark.when = now;
    }
    g_mutex_unlock (&cache->lock);
    return repeat;
}
