/*
 * gvir-event-log.h: the domain events of a connection as a bounded GListModel
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__LIBVIRT_GEVENTS_H_INSIDE__) && !defined(LIBVIRT_GEVENTS_BUILD)
#error "Only <libvirt-gevents/libvirt-gevents.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libvirt-gevents/gvir-connection-events.h>

G_BEGIN_DECLS

/**
 * GVIR_TYPE_EVENT_LOG:
 *
 * The #GType of #GVirEventLog.
 */
#define GVIR_TYPE_EVENT_LOG (gvir_event_log_get_type ())
/**
 * GVirEventLog:
 *
 * A #GListModel of the last #GVirEvent records of a connection, oldest
 * first.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirEventLog, gvir_event_log, GVIR, EVENT_LOG, GObject)

GVirEventLog *gvir_event_log_new          (GVirConnectionEvents *source,
                                           guint                 capacity);
guint         gvir_event_log_get_capacity (GVirEventLog         *self);
GVirConnectionEvents *gvir_event_log_get_source (GVirEventLog  *self);
void          gvir_event_log_clear        (GVirEventLog         *self);

G_END_DECLS
