/*
 * gvir-events-render.h: gvir-events' renderers, JSON and text
 *
 * In a file of their own so that the fuzz target (fuzz/fuzz-events.c) runs
 * the very code the tool prints with.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libvirt-gevents/libvirt-gevents.h>

G_BEGIN_DECLS

gboolean     enum_has_nick      (GType                type,
                                 const gchar         *nick);
const gchar *enum_nick          (GType                type,
                                 gint                 value);
gboolean     query_kind         (const gchar         *kind,
                                 gboolean             object,
                                 GSignalQuery        *query);
/* A payload (a domain or object event's) as JSON, its values typed by name. */
JsonObject  *payload_to_json    (GVariant            *payload,
                                 const gchar         *kind);

/* The "data" member of a domain event's JSON line. */
JsonObject  *render_event_data  (GVirEvent           *event);
/* A domain event's text columns: the name and the words, safe to print. */
void         render_event_text  (GVirEvent           *event,
                                 gchar              **name,
                                 gchar              **words);
/* An object event's words, from its JSON data, safe to print. */
gchar       *render_object_words (const gchar        *kind_name,
                                  JsonObject         *data);
/* An object event's JSON key for the object ("network", "pool"...: the
 * library's name of its first argument), and the object's name and UUID. */
void         render_object_identity (GObject         *object,
                                     const gchar     *kind,
                                     const gchar    **key,
                                     const gchar    **name,
                                     const gchar    **uuid);
/* domain, network, storage-pool, node-device, secret; connection for
 * "disconnected" and "reconnected" */
gchar       *render_event_family (const gchar        *kind);
/* The CloudEvents type: org.libvirt.gevents.FAMILY.KIND */
gchar       *render_event_type  (const gchar         *kind);
/* The journal's MESSAGE_ID of a kind: 32 hex digits, from its type (stable) */
gchar       *render_message_id  (const gchar         *kind);
/* The journal's PRIORITY of an event (syslog's LOG_ERR...) */
gint         render_priority    (const gchar         *kind,
                                 JsonObject          *data);
/*
 * "14:02:11  host  name  words" (no clock column for a NULL clock), the columns as wide as the widest so far
 * (*name_width grows); no host column for a NULL host.  Every part is made
 * safe to print; the colours (when color) are the only escapes in the line.
 */
gchar       *render_human_line  (gboolean             color,
                                 const gchar         *clock,
                                 const gchar         *host,
                                 guint                host_width,
                                 guint               *name_width,
                                 const gchar         *name,
                                 const gchar         *words,
                                 const gchar         *words_color);

G_END_DECLS
