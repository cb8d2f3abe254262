/*
 * gvir-domain-devices.c: what events need to know of a domain's devices
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "gvir-events-private.h"

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

struct _GVirDomainDevices {
    GHashTable *disk_targets;       /* alias -> target dev */
    GArray *graphics;               /* GraphicsServer */
};

static void
graphics_server_clear (gpointer data)
{
    GraphicsServer *server = data;

    g_free (server->socket);
}

GVirDomainDevices *
gvir_domain_devices_new_from_xml (const gchar *xml, GError **error)
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

void
gvir_domain_devices_free (GVirDomainDevices *devices)
{
    if (!devices)
        return;
    g_hash_table_unref (devices->disk_targets);
    g_array_unref (devices->graphics);
    g_free (devices);
}

const gchar *
gvir_domain_devices_disk_target (GVirDomainDevices *devices, const gchar *alias)
{
    return g_hash_table_lookup (devices->disk_targets, alias);
}

/*
 * Finds which server a client's local address belongs to.  Returns FALSE
 * when the domain has no VNC or SPICE server at all.
 */
gboolean
gvir_domain_devices_graphics_protocol (GVirDomainDevices *devices,
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
