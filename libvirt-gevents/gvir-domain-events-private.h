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
/* The signal of a row of the table (tests). */
guint         _gvir_domain_events_signal_id  (GVirDomainEventKind kind);

G_END_DECLS
