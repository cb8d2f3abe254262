/*
 * gvir-graphics-client.h: a VNC or SPICE client of a domain's display
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__LIBVIRT_GEVENTS_H_INSIDE__) && !defined(LIBVIRT_GEVENTS_BUILD)
#error "Only <libvirt-gevents/libvirt-gevents.h> can be included directly."
#endif

#include <glib-object.h>
#include <libvirt-gevents/gvir-events-enums.h>

G_BEGIN_DECLS

/**
 * GVIR_TYPE_GRAPHICS_CLIENT:
 *
 * The #GType of #GVirGraphicsClient.
 */
#define GVIR_TYPE_GRAPHICS_CLIENT (gvir_graphics_client_get_type ())
/**
 * GVirGraphicsClient:
 *
 * An immutable description of a VNC or SPICE client of a domain.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirGraphicsClient, gvir_graphics_client, GVIR, GRAPHICS_CLIENT, GObject)

GVirGraphicsProtocol      gvir_graphics_client_get_protocol       (GVirGraphicsClient *self);
GVirGraphicsPhase         gvir_graphics_client_get_phase          (GVirGraphicsClient *self);
GVirGraphicsAddressFamily gvir_graphics_client_get_local_family   (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_local_node     (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_local_service  (GVirGraphicsClient *self);
GVirGraphicsAddressFamily gvir_graphics_client_get_remote_family  (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_remote_node    (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_remote_service (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_auth_scheme    (GVirGraphicsClient *self);
GVariant                 *gvir_graphics_client_get_identities     (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_identity       (GVirGraphicsClient *self,
                                                                   const gchar        *type);
const gchar              *gvir_graphics_client_get_x509_dname     (GVirGraphicsClient *self);
const gchar              *gvir_graphics_client_get_sasl_username  (GVirGraphicsClient *self);

G_END_DECLS
