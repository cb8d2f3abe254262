/*
 * gvir-events-text.h: strings from libvirt into GLib, and text for people
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Private, GLib only: the library and the gvir-events tool both compile it
 * (the tool cannot link the library's private symbols).  See
 * docs/design.md, "Hostile bytes and names".
 */

/* NULL if text is NULL or valid UTF-8 (the usual case: nothing allocated),
 * else a valid copy, each bad byte sequence made U+FFFD. */
gchar    *gvir_events_utf8_repair          (const gchar *text);
/* text's bytes as an `ay`, without the terminating NUL (floating) */
GVariant *gvir_events_bytes_variant        (const gchar *text);
/* "<key>-bytes": the payload key of a repaired string's bytes */
gchar    *gvir_events_bytes_key            (const gchar *key);

/* Appends text (len bytes, or -1: NUL-terminated) with every C0 and C1
 * control, DEL, bidi override, isolate and mark, and line or paragraph
 * separator in a visible form (`\x1b`, `\u202e`); bytes that are not
 * UTF-8 as `\xNN`.  Everything else as it is. */
void      gvir_events_text_append_escaped  (GString     *out,
                                            const gchar *text,
                                            gssize       len);
/* The same into a new string; NULL for NULL. */
gchar    *gvir_events_text_escape          (const gchar *text);

G_END_DECLS
