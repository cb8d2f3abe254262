/*
 * gvir-graphics-client-private.h: how the table makes a GVirGraphicsClient
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libvirt/libvirt.h>

#include "gvir-graphics-client.h"

G_BEGIN_DECLS

/* Any thread (the table's graphics decoder); calls nothing of the library's above it. */
GVirGraphicsClient *_gvir_graphics_client_new        (GVirGraphicsProtocol protocol,
                                                      int                  phase,
                                                      const virDomainEventGraphicsAddress *local,
                                                      const virDomainEventGraphicsAddress *remote,
                                                      const gchar         *auth_scheme,
                                                      const virDomainEventGraphicsSubject *subject);
/* Its properties as an `a{sv}` (floating), for a GVirEvent payload. */
GVariant           *_gvir_graphics_client_to_variant (GVirGraphicsClient  *self);

G_END_DECLS
