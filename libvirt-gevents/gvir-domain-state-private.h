/*
 * gvir-domain-state-private.h: a domain's state as GVirDomainEvents:state knows it
 * (private)
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libvirt/libvirt.h>

#include "libvirt-gevents.h"

G_BEGIN_DECLS

/*
 * The state and reason (virDomainState, virDomain*Reason) a lifecycle event
 * leaves the domain in; FALSE for the events that say nothing of it
 * (defined, undefined, shutdown).  The library's one mapping: the
 * properties, the reconnection's comparison and the tests use it.  Any
 * thread, no lock.
 */
gboolean _gvir_domain_state_after_event (int  event,
                                         int  detail,
                                         int *state,
                                         int *reason);

/*
 * Tests only: called on the worker that asked virDomainGetState for a
 * companion, with the answer, before it is taken (or dropped): a test holds
 * it there while it delivers a lifecycle event.  NULL in programs.
 */
extern void (*_gvir_domain_state_test_hook) (GVirDomainEvents *companion,
                                             int               state,
                                             int               reason);

G_END_DECLS
