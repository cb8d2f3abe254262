/*
 * gvir-connection-events.h: the companion of one GVirConnection: every
 * domain's events, the other objects' events, and the link's health
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__LIBVIRT_GEVENTS_H_INSIDE__) && !defined(LIBVIRT_GEVENTS_BUILD)
#error "Only <libvirt-gevents/libvirt-gevents.h> can be included directly."
#endif

#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/gvir-events-enums.h>

G_BEGIN_DECLS

/**
 * GVIR_TYPE_CONNECTION_EVENTS:
 *
 * The #GType of #GVirConnectionEvents.
 */
#define GVIR_TYPE_CONNECTION_EVENTS (gvir_connection_events_get_type ())
/**
 * GVirConnectionEvents:
 *
 * The event companion of one #GVirConnection.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirConnectionEvents, gvir_connection_events, GVIR, CONNECTION_EVENTS, GObject)

GVirConnectionEvents *gvir_connection_events_get_for_connection (GVirConnection *conn);
GVirConnection       *gvir_connection_events_get_connection     (GVirConnectionEvents *self);
gboolean              gvir_connection_events_get_connected      (GVirConnectionEvents *self);
gboolean              gvir_connection_events_supports           (GVirConnectionEvents *self,
                                                                 GVirDomainEventKind   kind);
gboolean              gvir_connection_events_supports_object_event (GVirConnectionEvents *self,
                                                                    GVirObjectEventKind   kind);
void                  gvir_connection_events_set_main_context   (GVirConnectionEvents *self,
                                                                 GMainContext         *context);
GMainContext         *gvir_connection_events_get_main_context   (GVirConnectionEvents *self);
GListModel           *gvir_connection_events_get_domains        (GVirConnectionEvents *self);

G_END_DECLS
