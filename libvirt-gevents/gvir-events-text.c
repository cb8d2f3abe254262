/*
 * gvir-events-text.c: strings from libvirt into GLib, and text for people
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "gvir-events-text.h"

gchar *
gvir_events_utf8_repair (const gchar *text)
{
    if (G_LIKELY (!text || g_utf8_validate (text, -1, NULL)))
        return NULL;
    return g_utf8_make_valid (text, -1);
}

GVariant *
gvir_events_bytes_variant (const gchar *text)
{
    return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, text, strlen (text), 1);
}

gchar *
gvir_events_bytes_key (const gchar *key)
{
    return g_strconcat (key, "-bytes", NULL);
}

/* What a terminal or a bidi renderer would act on instead of showing. */
static gboolean
must_escape (gunichar c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
        c == 0x061c ||                      /* Arabic letter mark */
        c == 0x200e || c == 0x200f ||       /* left-to-right, right-to-left marks */
        (c >= 0x2028 && c <= 0x202e) ||     /* line/paragraph separators, embeddings, overrides */
        (c >= 0x2066 && c <= 0x2069);       /* isolates */
}

void
gvir_events_text_append_escaped (GString *out, const gchar *text, gssize len)
{
    const gchar *p, *end;

    if (!text)
        return;
    end = text + (len < 0 ? strlen (text) : (gsize) len);
    for (p = text; p < end;) {
        const gchar *run = p;
        gunichar c = 0;

        /* the longest run that needs nothing, copied at once */
        while (p < end) {
            if ((guchar) *p < 0x80) {
                if ((guchar) *p < 0x20 || *p == 0x7f)
                    break;
                p++;
                continue;
            }
            c = g_utf8_get_char_validated (p, end - p);
            if (c == (gunichar) -1 || c == (gunichar) -2 || must_escape (c))
                break;
            p = g_utf8_next_char (p);
        }
        g_string_append_len (out, run, p - run);
        if (p >= end)
            break;
        if ((guchar) *p < 0x80) {
            g_string_append_printf (out, "\\x%02x", (guchar) *p);
            p++;
        } else if (c == (gunichar) -1 || c == (gunichar) -2) {
            g_string_append_printf (out, "\\x%02x", (guchar) *p);
            p++;
        } else {
            g_string_append_printf (out, "\\u%04x", c);
            p = g_utf8_next_char (p);
        }
    }
}

gchar *
gvir_events_text_escape (const gchar *text)
{
    GString *out;

    if (!text)
        return NULL;
    out = g_string_sized_new (strlen (text));
    gvir_events_text_append_escaped (out, text, -1);
    return g_string_free (out, FALSE);
}
