/*
 * gvir-domain-events.h: typed event signals of one libvirt domain
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

G_BEGIN_DECLS

/**
 * GVIR_TYPE_DOMAIN_EVENTS:
 *
 * The #GType of #GVirDomainEvents.
 */
#define GVIR_TYPE_DOMAIN_EVENTS (gvir_domain_events_get_type ())
/**
 * GVirDomainEvents:
 *
 * The event companion of one #GVirDomain.  Its fields are private.
 */
G_DECLARE_FINAL_TYPE (GVirDomainEvents, gvir_domain_events, GVIR, DOMAIN_EVENTS, GObject)

GVirDomainEvents *gvir_domain_events_get_for_domain (GVirDomain *domain);
GVirDomain       *gvir_domain_events_get_domain     (GVirDomainEvents *self);
gboolean          gvir_domain_events_set_watermark  (GVirDomainEvents *self,
                                                     const gchar      *disk,
                                                     guint64           threshold_bytes,
                                                     GError          **error);
void              gvir_domain_events_get_guest_users_async  (GVirDomainEvents    *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GVariant         *gvir_domain_events_get_guest_users_finish (GVirDomainEvents    *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
