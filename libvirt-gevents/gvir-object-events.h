/*
 * gvir-object-events.h: typed event signals of one network or storage pool
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
 * GVIR_TYPE_OBJECT_EVENTS:
 *
 * The #GType of #GVirObjectEvents.
 */
#define GVIR_TYPE_OBJECT_EVENTS (gvir_object_events_get_type ())
/**
 * GVirObjectEvents:
 *
 * The event companion of one network or storage pool.  Its fields are
 * private.
 */
G_DECLARE_DERIVABLE_TYPE (GVirObjectEvents, gvir_object_events, GVIR, OBJECT_EVENTS, GObject)

/**
 * GVirObjectEventsClass:
 * @parent_class: the parent class
 *
 * The class of #GVirObjectEvents; only this library derives from it.
 */
struct _GVirObjectEventsClass {
    GObjectClass parent_class;

    /*< private >*/
    gpointer padding[8];
};

/**
 * GVIR_TYPE_NETWORK_EVENTS:
 *
 * The #GType of #GVirNetworkEvents.
 */
#define GVIR_TYPE_NETWORK_EVENTS (gvir_network_events_get_type ())
/**
 * GVirNetworkEvents:
 *
 * The event companion of one network.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirNetworkEvents, gvir_network_events, GVIR, NETWORK_EVENTS, GVirObjectEvents)

/**
 * GVIR_TYPE_STORAGE_POOL_EVENTS:
 *
 * The #GType of #GVirStoragePoolEvents.
 */
#define GVIR_TYPE_STORAGE_POOL_EVENTS (gvir_storage_pool_events_get_type ())
/**
 * GVirStoragePoolEvents:
 *
 * The event companion of one storage pool.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirStoragePoolEvents, gvir_storage_pool_events, GVIR, STORAGE_POOL_EVENTS,
                      GVirObjectEvents)

GObject               *gvir_object_events_get_object                 (GVirObjectEvents *self);
GVirNetworkEvents     *gvir_network_events_get_for_network           (GVirNetwork      *network);
GVirStoragePoolEvents *gvir_storage_pool_events_get_for_storage_pool (GVirStoragePool  *pool);

G_END_DECLS
