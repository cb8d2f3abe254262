/*
 * gvir-domain-devices-private.h: what the decoders need to know of a
 * domain's devices, cached per connection
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libvirt/libvirt.h>

#include "gvir-events-enums.h"

G_BEGIN_DECLS

/*
 * One cache per hub: the device map of each domain an event needed it for
 * (parsed from its live XML, fetched once per domain start), and the
 * memory the watermark pairing needs.  Its lock is its own and is never
 * held across a call out of this file or an RPC; every function may be
 * called from any thread (libvirt's event thread, mostly), with or without
 * the hub's lock.
 */
typedef struct _GVirDomainDevicesCache GVirDomainDevicesCache;

GVirDomainDevicesCache *_gvir_domain_devices_cache_new        (void);
void                    _gvir_domain_devices_cache_free       (GVirDomainDevicesCache *cache);
/* What is known of the domain is stale: it restarted, or a device came or went. */
void                    _gvir_domain_devices_cache_invalidate (GVirDomainDevicesCache *cache,
                                                               const guint8           *uuid);
/* Everything is stale: a new link (a device, or half a watermark pair, proves nothing now). */
void                    _gvir_domain_devices_cache_clear      (GVirDomainDevicesCache *cache);

/* The target ("vda") of the disk with this alias, or NULL; may fetch the XML (an RPC). */
gchar                  *_gvir_domain_devices_disk_target      (GVirDomainDevicesCache *cache,
                                                               virDomainPtr            dom,
                                                               const guint8           *uuid,
                                                               const gchar            *alias);
/* The server a graphics client's local address belongs to; may fetch the XML (an RPC). */
GVirGraphicsProtocol    _gvir_domain_devices_graphics_protocol (GVirDomainDevicesCache *cache,
                                                                virDomainPtr            dom,
                                                                const guint8           *uuid,
                                                                int                     local_family,
                                                                const gchar            *local_node,
                                                                const gchar            *local_service);
/*
 * Whether this watermark callback is the second of the pair libvirt 9.0
 * sends for one crossing (see gvir-domain-devices.c); no RPC.
 */
gboolean                _gvir_domain_devices_watermark_is_repeat (GVirDomainDevicesCache *cache,
                                                                  const guint8           *uuid,
                                                                  const gchar            *disk,
                                                                  gboolean                indexed,
                                                                  const gchar            *path,
                                                                  guint64                 threshold,
                                                                  guint64                 excess);

G_END_DECLS
