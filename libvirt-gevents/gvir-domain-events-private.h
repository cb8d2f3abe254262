/*
 * gvir-domain-events-private.h: what the connection companion asks of the
 * domain companions (and the tests of the signals)
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libvirt/libvirt.h>

#include "gvir-domain-events.h"
#include "gvir-event-table-private.h"

G_BEGIN_DECLS

/* The domain's UUID bytes (VIR_UUID_BUFLEN); any thread, no lock. */
const guint8 *_gvir_domain_events_get_uuid   (GVirDomainEvents *self);
/* The wrapper it keeps, without a reference; any thread. */
GVirDomain   *_gvir_domain_events_peek_domain (GVirDomainEvents *self);
/*
 * The state a reconnection compares with: virDomainState as last known,
 * -1 if unknown.  Any thread, no lock.
 */
int           _gvir_domain_events_get_state  (GVirDomainEvents *self);
/* After a reconnection, in the companion's main context: a wrapper of the new link. */
void          _gvir_domain_events_set_domain (GVirDomainEvents *self,
                                              GVirDomain       *domain);
/* After a reconnection, in the companion's main context: what the outage made stale. */
void          _gvir_domain_events_resync     (GVirDomainEvents *self);
/* The hub let go of it (the domain is gone, or the connection closed); any thread. */
gboolean      _gvir_domain_events_is_gone    (GVirDomainEvents *self);

/*
 * GVirDomainEvents:state.  Any thread, no lock of the library's held;
 * notify follows in context (NULL: the global default), the companion's.
 * set: an event or a resync, newer than any answer in flight (dropped).
 * seed: a listing's answer, taken only if nothing told the state yet.
 */
void          _gvir_domain_events_set_state  (GVirDomainEvents *self,
                                              int               state,
                                              int               reason,
                                              GMainContext     *context);
void          _gvir_domain_events_seed_state (GVirDomainEvents *self,
                                              int               state,
                                              int               reason,
                                              GMainContext     *context);
/*
 * gvir_domain_events_get_for_domain() with the state a listing told (-1:
 * unknown): it saves the first read its round trip.  Any thread.
 */
GVirDomainEvents *_gvir_domain_events_get_for_domain_with_state (GVirDomain *domain,
                                                                 int         state,
                                                                 int         reason);

/* The signal of a row of the table (tests). */
guint         _gvir_domain_events_signal_id  (GVirDomainEventKind kind);

G_END_DECLS
