/*
 * gvir-object-events-private.h: what the connection companion asks of the
 * network and pool companions
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gvir-object-events.h"
#include "gvir-event-table-private.h"

G_BEGIN_DECLS

/* The hub's key ("network/UUID") and the family; any thread, no lock. */
const gchar           *_gvir_object_events_get_key    (GVirObjectEvents *self);
const GVirEventFamily *_gvir_object_events_get_family (GVirObjectEvents *self);
/* After a reconnection, in the companion's main context: a wrapper of the new link. */
void                   _gvir_object_events_set_object (GVirObjectEvents *self,
                                                       GObject          *object);

G_END_DECLS
