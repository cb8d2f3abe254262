/*
 * gvir-event.h: an immutable record of one domain event
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
 * GVIR_TYPE_EVENT:
 *
 * The #GType of #GVirEvent.
 */
#define GVIR_TYPE_EVENT (gvir_event_get_type ())
/**
 * GVirEvent:
 *
 * An immutable record of one domain event, as #GVirConnectionEvents::domain-event hands it out.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirEvent, gvir_event, GVIR, EVENT, GObject)

GVirDomainEventKind gvir_event_get_kind        (GVirEvent *self);
const gchar        *gvir_event_get_kind_name   (GVirEvent *self);
const gchar        *gvir_event_get_domain_name (GVirEvent *self);
const gchar        *gvir_event_get_domain_uuid (GVirEvent *self);
GDateTime          *gvir_event_get_time        (GVirEvent *self);
const gchar        *gvir_event_get_detail      (GVirEvent *self);
GVariant           *gvir_event_get_payload     (GVirEvent *self);
gboolean            gvir_event_get_synthesized (GVirEvent *self);
gchar              *gvir_event_to_string       (GVirEvent *self);

const gchar        *gvir_event_kind_get_argument (const gchar *kind,
                                                  guint        position,
                                                  GType       *type);

G_END_DECLS
