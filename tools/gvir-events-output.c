/*
 * gvir-events-output.c: what the monitor heard, written out
 *
 * One Record per event, or per host going away or coming back; written as
 * a text line, a JSON line, a CloudEvents 1.0 structured-mode JSON line,
 * or a structured entry in the systemd journal.  Every line and entry of a
 * host has its number (Host.seq): 1, 2, 3... per -c connection.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "gvir-events.h"
#include "gvir-events-render.h"

/* where sd_journal_sendv() writes (sd-journal's own constant) */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/*
 * --journal: a journal to write to, or an error now rather than at the
 * first event.  No fallback to the standard output: a service with
 * --journal whose lines went elsewhere would look healthy and log nothing.
 */
gboolean
output_open (Monitor *m, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
    int fd, saved;

    if (!m->journal)
        return TRUE;
    fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        saved = errno;
        if (fd >= 0)
            close (fd);
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "--journal: no systemd journal to write to (%s: %s)",
                     JOURNAL_SOCKET, g_strerror (saved));
        return FALSE;
    }
    close (fd);
    return TRUE;
}

static void
output_failed (Monitor *m)
{
    if (!m->stopping) {
        m->status = EXIT_FAILURE_OTHER;     /* EPIPE too: Restart=on-failure restarts it */
        m->stopping = TRUE;
        g_main_loop_quit (m->loop);
    }
}

static void
emit_line (Monitor *m, const gchar *line)
{
    /* bytes as they are (UTF-8), flushed per event for pipes and log shippers */
    if (fputs (line, stdout) < 0 || fputc ('\n', stdout) < 0 || fflush (stdout) != 0)
        output_failed (m);
}

/*
 * A name from libvirt-gobject's objects is libvirt's bytes, maybe not
 * UTF-8: repaired into *copy then (and returned), else returned as it is.
 */
static const gchar *
valid_utf8 (const gchar *text, gchar **copy)
{
    *copy = NULL;
    if (!text || g_utf8_validate (text, -1, NULL))
        return text;
    return *copy = g_utf8_make_valid (text, -1);
}

/* "2026-11-25T14:02:11.532211Z" (RFC 3339, UTC, microseconds) */
static gchar *
iso_time (GDateTime *time)
{
    gint64 us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
    time_t seconds = (time_t) (us / G_USEC_PER_SEC);
    struct tm tm;

    gmtime_r (&seconds, &tm);
    return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                            (gint) (us % G_USEC_PER_SEC));
}

static void
member (JsonBuilder *builder, const gchar *name, const gchar *value)
{
    g_autofree gchar *copy = NULL;
    const gchar *valid = valid_utf8 (value, &copy);

    if (!valid)
        return;
    json_builder_set_member_name (builder, name);
    json_builder_add_string_value (builder, valid);
}

static void
member_data (JsonBuilder *builder, JsonObject *data)
{
    json_builder_set_member_name (builder, "data");
    json_builder_add_value (builder, json_node_init_object (json_node_alloc (), data));
}

static gchar *
builder_text (JsonBuilder *builder)
{
    g_autoptr(JsonNode) root = json_builder_get_root (builder);
    g_autoptr(JsonGenerator) gen = json_generator_new ();

    json_generator_set_root (gen, root);
    return json_generator_to_data (gen, NULL);
}

/* {"time", "connection", "seq", "domain", "uuid", "event", "data"} */
static gchar *
json_line (Host *host, const Record *r)
{
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autofree gchar *time = iso_time (r->time);

    json_builder_begin_object (builder);
    member (builder, "time", time);
    member (builder, "connection", host->uri);
    json_builder_set_member_name (builder, "seq");
    json_builder_add_int_value (builder, (gint64) host->seq);
    if (r->name_key)
        member (builder, r->name_key, r->name);
    member (builder, "uuid", r->uuid);
    member (builder, "event", r->kind);
    member_data (builder, r->data);
    json_builder_end_object (builder);
    return builder_text (builder);
}

/*
 * CloudEvents 1.0, structured mode, one object per line.  The id is this
 * run's UUID for the host and the sequence number: unique per source (the
 * URI) also when the tool starts again.  sequence is the CloudEvents
 * sequence extension, a string that sorts as it counts (zero-padded).
 */
static gchar *
cloudevents_line (Host *host, const Record *r)
{
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autofree gchar *time = iso_time (r->time);
    g_autofree gchar *type = render_event_type (r->kind);
    g_autofree gchar *id = g_strdup_printf ("%s-%" G_GUINT64_FORMAT, host->run_id, host->seq);
    g_autofree gchar *sequence = g_strdup_printf ("%020" G_GUINT64_FORMAT, host->seq);

    json_builder_begin_object (builder);
    member (builder, "specversion", "1.0");
    member (builder, "id", id);
    member (builder, "source", host->uri);
    member (builder, "type", type);
    member (builder, "subject", r->name);
    member (builder, "time", time);
    member (builder, "datacontenttype", "application/json");
    member (builder, "sequence", sequence);
    member_data (builder, r->data);
    json_builder_end_object (builder);
    return builder_text (builder);
}

/* "14:02:11  host  name  words", or without the clock for the journal's MESSAGE */
static gchar *
text_line (Host *host, const Record *r, gboolean clock, guint *name_width)
{
    Monitor *m = host->monitor;
    g_autofree gchar *hms = clock ? g_date_time_format (r->time, "%H:%M:%S") : NULL;

    return render_human_line (m->color, hms, m->hosts->len > 1 ? host->uri : NULL,
                              clock ? m->host_width : 0, name_width, r->column, r->words,
                              r->words_color);
}

static void
add_field (GPtrArray *fields, const gchar *name, const gchar *value)
{
    if (value)
        g_ptr_array_add (fields, g_strconcat (name, "=", value, NULL));
}

/*
 * One structured entry.  A value may hold any byte but NUL (sd_journal_sendv
 * sends a value with a newline in the journal's binary form); the data is
 * the JSON line's, so a consumer parses one format wherever it reads.
 */
static void
journal_entry (Host *host, const Record *r)
{
    g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonNode) data = json_node_init_object (json_node_alloc (), r->data);
    guint width = 0;
    g_autofree gchar *message = text_line (host, r, FALSE, &width);
    g_autofree gchar *json = NULL, *field = NULL, *name_copy = NULL;
    const gchar *name = valid_utf8 (r->name, &name_copy);
    g_autofree gchar *message_id = render_message_id (r->kind);
    g_autofree gchar *priority = g_strdup_printf ("%d", render_priority (r->kind, r->data));
    g_autofree gchar *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, host->seq);
    g_autofree struct iovec *iov = NULL;
    int status;

    json_generator_set_root (gen, data);
    json = json_generator_to_data (gen, NULL);
    add_field (fields, "MESSAGE", message);
    add_field (fields, "MESSAGE_ID", message_id);
    add_field (fields, "PRIORITY", priority);
    add_field (fields, "SYSLOG_IDENTIFIER", "gvir-events");
    add_field (fields, "GVIR_EVENT", r->kind);
    add_field (fields, "GVIR_CONNECTION", host->uri);
    add_field (fields, "GVIR_SEQ", seq);
    if (r->name_key) {
        /* GVIR_DOMAIN, GVIR_NETWORK, GVIR_POOL, GVIR_DEVICE, GVIR_SECRET */
        g_autofree gchar *key = g_ascii_strup (r->name_key, -1);

        field = g_strconcat ("GVIR_", key, NULL);
        add_field (fields, field, name);
    }
    add_field (fields, "GVIR_UUID", r->uuid);
    add_field (fields, "GVIR_DATA", json);

    iov = g_new (struct iovec, fields->len);
    for (guint i = 0; i < fields->len; i++) {
        iov[i].iov_base = g_ptr_array_index (fields, i);
        iov[i].iov_len = strlen (g_ptr_array_index (fields, i));
    }
    status = sd_journal_sendv (iov, (int) fields->len);
    if (status < 0) {
        g_printerr ("gvir-events: --journal: cannot write to the journal: %s\n", g_strerror (-status));
        output_failed (host->monitor);
    }
}

void
output_record (Host *host, const Record *r)
{
    Monitor *m = host->monitor;
    g_autofree gchar *line = NULL;

    host->seq++;
    if (m->journal) {
        journal_entry (host, r);
        return;
    }
    switch (m->format) {
    case FORMAT_JSON:
        line = json_line (host, r);
        break;
    case FORMAT_CLOUDEVENTS:
        line = cloudevents_line (host, r);
        break;
    case FORMAT_TEXT:
    default:
        line = text_line (host, r, TRUE, &m->name_width);
        break;
    }
    emit_line (m, line);
}
