/*
 * gvir-domain-list-private.h: the domains of a connection as a GListModel (private)
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "libvirt-gevents.h"

G_BEGIN_DECLS

#define GVIR_TYPE_DOMAIN_LIST (gvir_domain_list_get_type ())
G_DECLARE_FINAL_TYPE (GVirDomainList, gvir_domain_list, GVIR, DOMAIN_LIST, GObject)

/*
 * Tests and benchmarks only: TRUE once the model's listing (the first one,
 * or the one after a reconnection) is applied and none is in flight.
 */
gboolean _gvir_domain_list_is_filled (GVirDomainList *self);

G_END_DECLS
