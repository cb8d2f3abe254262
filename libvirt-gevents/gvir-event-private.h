/*
 * gvir-event-private.h: how a companion makes a GVirEvent
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gvir-event.h"
#include "gvir-event-table-private.h"

G_BEGIN_DECLS

/* The record of one emission (its arguments copied).  Any thread, no lock. */
GVirEvent *_gvir_event_new (virDomainPtr             dom,
                            const GVirEventEmission *em);

G_END_DECLS
