/*
 * gvir-events: watch libvirt events from the command line
 *
 *   gvir-events monitor [-c URI]... [--domain NAME]... [--event KIND]...
 *                       [--format text|json|cloudevents | --json | --journal]
 *                       [--count N] [--timeout SECONDS]
 *   gvir-events demo     (gvir-events-demo.c)
 *
 * Everything it knows about events comes from the library: the kinds are
 * the nicks of GVirDomainEventKind and GVirObjectEventKind, the arguments'
 * types are the typed signals' own, the words are gvir_event_to_string()'s.
 * A kind the library adds later needs no change here.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libvirt/virterror.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "gvir-events.h"
#include "gvir-events-render.h"

/*
 * A host down at start (even the only one: a monitor run as a service
 * starts before its daemons, or with them) is tried again after 5 s, then
 * twice as long after each failure, at most 30 s apart: the library's own
 * back-off for links that die later.
 */
#define RETRY_SECONDS 5
#define MAX_RETRY_SECONDS 30

/* --event KIND[::DETAIL] */
typedef struct {
    gchar *kind;
    gchar *detail;              /* NULL: any */
    gboolean object;            /* a GVirObjectEventKind, not a domain one */
} Filter;

/* ------------------------------------------------------------------ */
/* Counting                                                           */

static void
counted (Monitor *m, const gchar *kind)
{
    if (m->counts)
        g_hash_table_insert (m->counts, (gpointer) g_intern_string (kind),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (m->counts, kind)) + 1));
    if (m->count > 0 && ++m->seen >= m->count && !m->stopping) {
        m->stopping = TRUE;
        g_main_loop_quit (m->loop);
    }
}

/* ------------------------------------------------------------------ */
/* Events                                                             */

static gboolean
wanted (Monitor *m, gboolean object, const gchar *kind, const gchar *detail)
{
    if (m->filters->len == 0)
        return TRUE;
    for (guint i = 0; i < m->filters->len; i++) {
        Filter *f = g_ptr_array_index (m->filters, i);

        if (f->object == object && strcmp (f->kind, kind) == 0 &&
            (!f->detail || g_strcmp0 (f->detail, detail) == 0))
            return TRUE;
    }
    return FALSE;
}

static gboolean
domain_wanted (Monitor *m, const gchar *name)
{
    return !m->domains || (name && g_strv_contains ((const gchar * const *) m->domains, name));
}

/* Guest users have no libvirt event: the library asks a domain's agent only
 * while a handler of its companion listens.  The monitor listens on every
 * watched domain when guest-user events are wanted; what is heard reaches
 * it through domain-event like any other event. */
static gboolean
guest_users_wanted (Monitor *m)
{
    if (m->guest_users_interval == 0)
        return FALSE;
    if (m->filters->len == 0)
        return TRUE;
    for (guint i = 0; i < m->filters->len; i++) {
        Filter *f = g_ptr_array_index (m->filters, i);

        if (!f->object && g_str_has_prefix (f->kind, "guest-user-"))
            return TRUE;
    }
    return FALSE;
}

static void
on_guest_user (void)
{
    /* printed from domain-event; this handler only makes the library ask */
}

static void
ask_guest_users (Host *host, GVirDomain *domain)
{
    Monitor *m = host->monitor;
    GVirDomainEvents *events;

    if (!domain_wanted (host->monitor, gvir_domain_get_name (domain)))
        return;
    events = gvir_domain_events_get_for_domain (domain);
    if (!events || g_ptr_array_find (host->asked, events, NULL))
        return;
    if (m->guest_users_interval > 0)
        g_object_set (events, "guest-users-interval", (guint) m->guest_users_interval, NULL);
    g_signal_connect (events, "guest-user-logon", G_CALLBACK (on_guest_user), host);
    g_signal_connect (events, "guest-user-logoff", G_CALLBACK (on_guest_user), host);
    g_ptr_array_add (host->asked, g_object_ref (events));
}

/* a domain defined or started after the monitor began */
static void
on_lifecycle_for_guest_users (GVirConnectionEvents *events, GVirDomain *domain,
                              GVirEvent *event, Host *host)
{
    const gchar *what = gvir_event_get_detail (event);
    GVirDomainEvents *companion;
    guint index;

    if (!domain)
        return;
    if (g_strcmp0 (what, "started") == 0 || g_strcmp0 (what, "defined") == 0) {
        ask_guest_users (host, domain);
    } else if (g_strcmp0 (what, "undefined") == 0) {
        /* a long-running monitor does not keep every domain it ever saw */
        for (index = 0; index < host->asked->len; index++) {
            GVirDomain *asked;

            companion = g_ptr_array_index (host->asked, index);
            asked = gvir_domain_events_get_domain (companion);
            if (asked && g_strcmp0 (gvir_domain_get_uuid (asked), gvir_event_get_domain_uuid (event)) == 0) {
                g_signal_handlers_disconnect_by_data (companion, host);
                g_ptr_array_remove_index_fast (host->asked, index);
                break;
            }
        }
    }
}

static void
watch_guest_users (Host *host)
{
    g_autoptr(GError) error = NULL;
    GList *domains;

    if (!guest_users_wanted (host->monitor))
        return;
    g_signal_connect (host->events, "domain-event::lifecycle",
                      G_CALLBACK (on_lifecycle_for_guest_users), host);
    if (!host->monitor->domains && !gvir_connection_fetch_domains (host->conn, NULL, &error))
        return;     /* the domains' lifecycle events will tell */
    domains = gvir_connection_get_domains (host->conn);
    for (GList *l = domains; l; l = l->next)
        ask_guest_users (host, l->data);
    g_list_free_full (domains, g_object_unref);
}

static void
on_domain_event (GVirConnectionEvents *events, GVirDomain *domain, GVirEvent *event, Host *host)
{
    Monitor *m = host->monitor;
    const gchar *kind = gvir_event_get_kind_name (event);
    const gchar *name = gvir_event_get_domain_name (event);
    g_autofree gchar *column = NULL, *words = NULL;
    g_autoptr(JsonObject) data = NULL;
    Record record = { 0 };

    if (m->stopping || !domain_wanted (m, name) ||
        !wanted (m, FALSE, kind, gvir_event_get_detail (event)))
        return;

    /* what the output uses: text has no data, JSON no words */
    if (m->journal || m->format != FORMAT_TEXT)
        data = render_event_data (event);
    if (m->journal || m->format == FORMAT_TEXT)
        render_event_text (event, &column, &words);
    record.time = gvir_event_get_time (event);
    record.kind = kind;
    record.name_key = "domain";
    record.name = name;
    record.uuid = gvir_event_get_domain_uuid (event);
    record.data = data;
    record.column = column;
    record.words = words;
    record.words_color = gvir_event_get_kind (event) == GVIR_DOMAIN_EVENT_KIND_IO_ERROR ||
                         gvir_event_get_kind (event) == GVIR_DOMAIN_EVENT_KIND_WATCHDOG ?
                         "\033[31m" : "\033[0m";
    output_record (host, &record);
    counted (m, kind);
}

static void
on_object_event (GVirConnectionEvents *events, GObject *object, GVirObjectEventKind kind,
                 GVariant *payload, Host *host)
{
    Monitor *m = host->monitor;
    const gchar *kind_name = enum_nick (GVIR_TYPE_OBJECT_EVENT_KIND, kind);
    const gchar *key, *name, *uuid;
    g_autofree gchar *words = NULL, *label = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(JsonObject) data = NULL;
    JsonNode *first;
    Record record = { 0 };

    if (m->stopping || !kind_name)
        return;
    data = payload_to_json (payload, kind_name);
    first = json_object_get_size (data) > 0 ? json_object_get_member (data, "event") : NULL;
    if (!wanted (m, TRUE, kind_name, first && JSON_NODE_HOLDS_VALUE (first) ?
                 json_node_get_string (first) : NULL))
        return;

    render_object_identity (object, kind_name, &key, &name, &uuid);
    words = render_object_words (kind_name, data);
    label = g_strdup_printf ("%s %s", key ? key : "object", name ? name : "?");
    record.time = now;
    record.kind = kind_name;
    record.name_key = key ? key : "object";
    record.name = name;
    record.uuid = uuid;
    record.data = data;
    record.column = label;
    record.words = words;
    record.words_color = "\033[0m";
    output_record (host, &record);
    counted (m, kind_name);
}

/* "disconnected" and "reconnected": a host went away, or came back */
static void
emit_host_state (Host *host, const gchar *state, const gchar *reason, const gchar *message)
{
    Monitor *m = host->monitor;
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(JsonObject) data = json_object_new ();
    g_autoptr(GString) words = g_string_new (state);
    gint64 now_us = g_get_monotonic_time ();
    Record record = { 0 };

    if (m->stopping)
        return;
    if (reason)
        json_object_set_string_member (data, "reason", reason);
    if (message)
        json_object_set_string_member (data, "message", message);
    if (strcmp (state, "disconnected") == 0) {
        if (!host->down_since)
            host->down_since = now_us;
    } else if (host->down_since) {
        /* milliseconds are plenty: the link is retried a second apart at best */
        gdouble outage = (gdouble) ((now_us - host->down_since) / 1000) / 1000.0;

        json_object_set_double_member (data, "outage_s", outage);
        host->down_since = 0;
    }

    if (reason)
        g_string_append_printf (words, " (%s)", reason);
    if (message)
        g_string_append_printf (words, ": %s", message);
    record.time = now;
    record.kind = state;
    record.data = data;
    record.column = "--";
    record.words = words->str;
    record.words_color = reason ? "\033[33m" : "\033[32m";
    output_record (host, &record);
}

static void
on_disconnected (GVirConnectionEvents *events, GVirConnectionCloseReason reason, Host *host)
{
    host->up = FALSE;
    emit_host_state (host, "disconnected", enum_nick (GVIR_TYPE_CONNECTION_CLOSE_REASON, reason), NULL);
}

static void
on_reconnected (GVirConnectionEvents *events, Host *host)
{
    host->up = TRUE;
    emit_host_state (host, "reconnected", NULL, NULL);
}

/* Connects once per kind asked for: the library decodes only what is heard. */
static void
watch_host (Host *host)
{
    Monitor *m = host->monitor;
    g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);

    host->events = g_object_ref (gvir_connection_events_get_for_connection (host->conn));
    g_signal_connect (host->events, "disconnected", G_CALLBACK (on_disconnected), host);
    g_signal_connect (host->events, "reconnected", G_CALLBACK (on_reconnected), host);
    watch_guest_users (host);
    if (m->filters->len == 0) {
        g_signal_connect (host->events, "domain-event", G_CALLBACK (on_domain_event), host);
        /* --domain: the domains' events only */
        if (!m->domains)
            g_signal_connect (host->events, "object-event", G_CALLBACK (on_object_event), host);
        return;
    }
    for (guint i = 0; i < m->filters->len; i++) {
        Filter *f = g_ptr_array_index (m->filters, i);
        g_autofree gchar *signal = g_strdup_printf ("%s::%s", f->object ? "object-event" : "domain-event",
                                                    f->kind);

        if (!g_hash_table_add (done, f->kind))
            continue;
        if (f->object)
            g_signal_connect (host->events, signal, G_CALLBACK (on_object_event), host);
        else
            g_signal_connect (host->events, signal, G_CALLBACK (on_domain_event), host);
    }
}

/* ------------------------------------------------------------------ */
/* Hosts                                                              */

static void open_host (Host *host);

static gboolean
retry_host (gpointer data)
{
    Host *host = data;

    host->retry = 0;
    open_host (host);
    return G_SOURCE_REMOVE;
}

static void check_started (Monitor *m);

static void
on_opened (GObject *source, GAsyncResult *result, gpointer data)
{
    Host *host = data;
    Monitor *m = host->monitor;
    g_autoptr(GError) error = NULL;
    gboolean first = host->events == NULL && !host->error;
    gboolean ok;

    host->opening = FALSE;
    ok = gvir_connection_open_finish (host->conn, result, &error) &&
         (!m->domains || gvir_connection_fetch_domains (host->conn, NULL, &error));
    if (ok) {
        g_clear_pointer (&host->error, g_free);
        host->up = TRUE;
        watch_host (host);
        if (!first)
            emit_host_state (host, "reconnected", NULL, NULL);
    } else {
        gboolean told = host->error != NULL;

        g_autofree gchar *prefix = g_strdup_printf ("Unable to open %s: ", host->uri);

        g_free (host->error);
        /* libvirt's message names the URI, which the line says already */
        host->error = g_strdup (g_str_has_prefix (error->message, prefix) ?
                                error->message + strlen (prefix) : error->message);
        /* while it is unreachable at start, the host is retried, less and less often */
        if (!m->opening && !told)
            emit_host_state (host, "disconnected", "unreachable", host->error);
        host->retry_delay = host->retry_delay ? MIN (host->retry_delay * 2, MAX_RETRY_SECONDS)
                                              : RETRY_SECONDS;
        host->retry = g_timeout_add_seconds (host->retry_delay, retry_host, host);
    }
    if (first) {
        m->opening--;
        check_started (m);
    }
}

static void
open_host (Host *host)
{
    host->opening = TRUE;
    gvir_connection_open_async (host->conn, NULL, on_opened, host);
}

static void
host_free (Host *host)
{
    g_clear_handle_id (&host->retry, g_source_remove);
    if (host->events)
        g_signal_handlers_disconnect_by_data (host->events, host);
    for (guint i = 0; host->asked && i < host->asked->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (host->asked, i), host);
    g_clear_pointer (&host->asked, g_ptr_array_unref);
    g_clear_object (&host->events);
    if (host->conn && gvir_connection_is_open (host->conn))
        gvir_connection_close (host->conn);
    g_clear_object (&host->conn);
    g_free (host->uri);
    g_free (host->run_id);
    g_free (host->error);
    g_free (host);
}

static void
filter_free (Filter *f)
{
    g_free (f->kind);
    g_free (f->detail);
    g_free (f);
}

void
monitor_fail (Monitor *m, gint status)
{
    m->status = status;
    m->stopping = TRUE;
    g_main_loop_quit (m->loop);
}

/*
 * Once every host answered its first open: the errors that end the run.
 * Hosts down are no such error, not even all of them: they are retried
 * (a service's Restart= would only do the same, with a gap in the stream).
 */
static void
check_started (Monitor *m)
{
    guint up = 0;

    if (m->opening > 0)
        return;
    for (guint i = 0; i < m->hosts->len; i++)
        up += ((Host *) g_ptr_array_index (m->hosts, i))->up;
    /* with no host up, no --domain can be checked: the filter waits for them */
    for (guint d = 0; up > 0 && m->domains && m->domains[d]; d++) {
        gboolean found = FALSE;

        for (guint i = 0; i < m->hosts->len && !found; i++) {
            Host *host = g_ptr_array_index (m->hosts, i);
            GVirDomain *domain = host->up ?
                gvir_connection_find_domain_by_name (host->conn, m->domains[d]) : NULL;

            found = domain != NULL;
            g_clear_object (&domain);
        }
        if (!found) {
            g_printerr ("gvir-events: no domain named %s on %s\n", m->domains[d],
                        m->hosts->len == 1 ? ((Host *) g_ptr_array_index (m->hosts, 0))->uri
                                           : "any reachable host");
            monitor_fail (m, EXIT_NO_DOMAIN);
            return;
        }
    }
    for (guint i = 0; i < m->hosts->len; i++) {
        Host *host = g_ptr_array_index (m->hosts, i);

        if (!host->up)
            emit_host_state (host, "disconnected", "unreachable", host->error);
    }
}

/* ------------------------------------------------------------------ */
/* monitor                                                            */

static gboolean
on_quit_signal (gpointer data)
{
    Monitor *m = data;

    m->stopping = TRUE;
    g_main_loop_quit (m->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean on_timeout (gpointer data);

/* g_timeout_add() counts milliseconds in a guint (49.7 days): a longer
 * --timeout is waited for in pieces, against a 64-bit deadline. */
static void
arm_timeout (Monitor *m)
{
    gint64 left = m->deadline - g_get_monotonic_time ();
    guint64 ms = left > 0 ? ((guint64) left + 999) / 1000 : 0;

    m->timer = g_timeout_add ((guint) MIN (ms, G_MAXUINT), on_timeout, m);
}

static gboolean
on_timeout (gpointer data)
{
    Monitor *m = data;

    m->timer = 0;
    if (g_get_monotonic_time () < m->deadline)
        arm_timeout (m);
    else
        on_quit_signal (m);
    return G_SOURCE_REMOVE;
}

/* libvirt's own error printing would add a second, noisier line */
static void
quiet_libvirt_error (void *data, virErrorPtr error)
{
}

/* A URI, or a libvirt URI alias (a bare word). */
static gboolean
uri_is_wellformed (const gchar *uri)
{
    if (g_uri_is_valid (uri, G_URI_FLAGS_NONE, NULL))
        return TRUE;
    for (const gchar *c = uri; *c; c++)
        if (!g_ascii_isalnum (*c) && !strchr ("_-.", *c))
            return FALSE;
    return *uri != '\0';
}

/* KIND or KIND::DETAIL, checked against the library's kinds and the signal's detail */
static Filter *
parse_filter (const gchar *text, GError **error)
{
    g_autoptr(GString) known = g_string_new (NULL);
    const gchar *sep = strstr (text, "::");
    g_autofree gchar *kind = sep ? g_strndup (text, sep - text) : g_strdup (text);
    const gchar *detail = sep ? sep + 2 : NULL;
    GSignalQuery query;
    Filter *f;
    gboolean object;

    if (enum_has_nick (GVIR_TYPE_DOMAIN_EVENT_KIND, kind))
        object = FALSE;
    else if (enum_has_nick (GVIR_TYPE_OBJECT_EVENT_KIND, kind))
        object = TRUE;
    else {
        GType types[] = { GVIR_TYPE_DOMAIN_EVENT_KIND, GVIR_TYPE_OBJECT_EVENT_KIND };

        for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
            g_autoptr(GTypeClass) klass = g_type_class_ref (types[t]);

            for (guint i = 0; i < G_ENUM_CLASS (klass)->n_values; i++)
                g_string_append_printf (known, "%s%s", known->len ? ", " : "",
                                        G_ENUM_CLASS (klass)->values[i].value_nick);
        }
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "unknown event kind \"%s\" (known: %s)", kind, known->str);
        return NULL;
    }
    if (detail) {
        if (!query_kind (kind, object, &query) || !(query.signal_flags & G_SIGNAL_DETAILED) ||
            query.n_params < (object ? 2u : 1u)) {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "event kind \"%s\" has no detail to filter on", kind);
            return NULL;
        }
        GType first = query.param_types[object ? 1 : 0];
        if (!*detail || (G_TYPE_IS_ENUM (first) && !enum_has_nick (first, detail))) {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "\"%s\" is not a detail of %s", detail, kind);
            return NULL;
        }
    }
    f = g_new0 (Filter, 1);
    f->kind = g_steal_pointer (&kind);
    f->detail = g_strdup (detail);
    f->object = object;
    return f;
}

/* Opens every host (in parallel: a remote one may take seconds). */
void
monitor_start (Monitor *m, const gchar * const *uris)
{
    if (!m->filters)
        m->filters = g_ptr_array_new_with_free_func ((GDestroyNotify) filter_free);
    m->color = m->format == FORMAT_TEXT && !m->journal && isatty (STDOUT_FILENO) && !g_getenv ("NO_COLOR");
    m->loop = g_main_loop_new (NULL, FALSE);
    m->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
    for (guint i = 0; i == 0 || (uris && uris[i]); i++) {
        Host *host = g_new0 (Host, 1);

        host->monitor = m;
        host->asked = g_ptr_array_new_with_free_func (g_object_unref);
        host->uri = g_strdup (uris ? uris[i] : "");
        host->run_id = g_uuid_string_random ();
        host->conn = gvir_connection_new (host->uri);
        g_ptr_array_add (m->hosts, host);
        /* the hosts are known: their column is as wide as the widest from the start */
        m->host_width = MAX (m->host_width, g_utf8_strlen (host->uri, -1));
    }
    m->opening = m->hosts->len;
    for (guint i = 0; i < m->hosts->len; i++)
        open_host (g_ptr_array_index (m->hosts, i));
}

/* Runs until --count, --timeout, a signal or an error; then lets everything go. */
gint
monitor_run (Monitor *m)
{
    guint sigint = g_unix_signal_add (SIGINT, on_quit_signal, m);
    guint sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, m);

    if (m->timeout > 0) {
        /* at most MAX_TIMEOUT_SECONDS * 10^6 < 2^53: exact, no overflow */
        m->deadline = g_get_monotonic_time () + (gint64) (m->timeout * G_USEC_PER_SEC);
        arm_timeout (m);
    }
    if (!m->stopping)
        g_main_loop_run (m->loop);

    g_source_remove (sigint);
    g_source_remove (sigterm);
    g_clear_handle_id (&m->timer, g_source_remove);
    /* opens still under way finish before their hosts go */
    for (gboolean busy = TRUE; busy;) {
        busy = FALSE;
        for (guint i = 0; i < m->hosts->len; i++)
            busy |= ((Host *) g_ptr_array_index (m->hosts, i))->opening;
        if (busy)
            g_main_context_iteration (NULL, TRUE);
    }
    g_ptr_array_unref (m->hosts);
    g_ptr_array_unref (m->filters);
    g_main_loop_unref (m->loop);
    return m->status;
}

static const gchar monitor_description[] =
    "Prints every event libvirt delivers for the domains, networks, storage pools,\n"
    "host devices and secrets of one or more hosts, one line per event, as it\n"
    "happens.  A host that goes away is reconnected by itself: a line says when\n"
    "it went and when it came back; the other hosts keep streaming meanwhile.\n"
    "\n"
    "Event kinds (--event) are the names of the library's signals: lifecycle,\n"
    "reboot, watchdog, io-error, vnc-connected, watermark, network-lifecycle...\n"
    "KIND::DETAIL keeps the events of that detail only: io-error::vda (a disk),\n"
    "lifecycle::stopped, network-lifecycle::started.\n"
    "\n"
    "guest-user-logon and guest-user-logoff come from asking each watched\n"
    "domain's guest agent (--guest-users-interval; its first answer is a\n"
    "baseline): only without --event, or with an --event naming them.\n"
    "\n"
    "--format json (or --json) prints one JSON object per line, flushed per\n"
    "event, with the keys time (ISO 8601, UTC), connection (the URI), seq (1, 2,\n"
    "3... per connection: a gap is a line lost), domain (or network, pool,\n"
    "device, secret), uuid, event (the signal's name) and data (the signal's\n"
    "arguments by name; enumerations as their nick).  A host going away and\n"
    "coming back are the events \"disconnected\" (data.reason: eof, error,\n"
    "keepalive, client, or unreachable at start) and \"reconnected\"\n"
    "(data.outage_s: the seconds it was away).\n"
    "\n"
    "--format cloudevents prints one CloudEvents 1.0 structured-mode JSON\n"
    "object per line: id, source (the URI), type\n"
    "(org.libvirt.gevents.FAMILY.KIND), subject (the name), time, sequence,\n"
    "datacontenttype application/json and data as in --format json.\n"
    "\n"
    "--journal writes each event to the systemd journal instead, as a\n"
    "structured entry (GVIR_EVENT, GVIR_CONNECTION, GVIR_DOMAIN, GVIR_UUID,\n"
    "GVIR_DATA, GVIR_SEQ, a PRIORITY by kind and a MESSAGE_ID per kind); no\n"
    "journal to write to is an error (status 1), not a fallback to stdout.\n"
    "\n"
    "Exit status:\n"
    "  0  --count events seen, --timeout reached, or SIGINT/SIGTERM\n"
    "  1  output could not be written, a closed pipe or no journal included\n"
    "  2  bad command line: unknown option or event kind, malformed URI\n"
    "  4  a --domain that no reachable host has\n"
    "Hosts down at start, even the only one, are retried (5 s, doubling, at most\n"
    "30 s apart) until they answer: they are no reason to exit.\n";

/* The documented maxima (docs/gvir-events.md, gvir-events.1). */
#define MAX_TIMEOUT_SECONDS G_MAXUINT32
#define MAX_COUNT G_MAXINT
#define MAX_GUEST_USERS_INTERVAL G_MAXUINT32      /* the property's range */

/* A whole number from 0 to @max, digits only ("-1", "1e3", "1.5", " 5" are
 * not); NULL (the option not given) leaves @value alone. */
static gboolean
parse_whole (const gchar *text, guint64 max, gint64 *value)
{
    guint64 v;

    if (!text)
        return TRUE;
    if (!g_ascii_string_to_unsigned (text, 10, 0, max, &v, NULL))
        return FALSE;
    *value = (gint64) v;
    return TRUE;
}

/* Seconds, a fraction allowed: finite, from 0 to @max, decimal only. */
static gboolean
parse_seconds (const gchar *text, gdouble max, gdouble *value)
{
    gchar *end = NULL;
    gdouble v;

    if (!text)
        return TRUE;
    if (!g_ascii_isdigit (text[0]) && text[0] != '.')
        return FALSE;                   /* a sign, a space, "inf", "nan", "" */
    if (g_ascii_strncasecmp (text, "0x", 2) == 0)
        return FALSE;
    errno = 0;
    v = g_ascii_strtod (text, &end);
    if (errno != 0 || *end != '\0' || end == text || !isfinite (v) || v < 0 || v > max)
        return FALSE;
    *value = v;
    return TRUE;
}

static gint
run_monitor (gint argc, gchar **argv)
{
    g_auto(GStrv) uris = NULL, events = NULL, domains = NULL;
    gboolean json = FALSE, journal = FALSE;
    g_autofree gchar *format_arg = NULL;
    g_autofree gchar *count_arg = NULL, *timeout_arg = NULL, *interval_arg = NULL;
    gint64 count = 0;
    gdouble timeout = 0;
    gint64 guest_users_interval = -1;
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) context = NULL;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &uris,
          "A libvirt URI to watch (default: libvirt's default); repeat for several hosts", "URI" },
        { "domain", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &domains,
          "Only the events of this domain; repeat for several", "NAME" },
        { "event", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &events,
          "Only events of this kind (io-error, io-error::vda...); repeat for several", "KIND" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg,
          "text (the default), json (one JSON object per line) or cloudevents "
          "(one CloudEvents 1.0 JSON object per line)", "FORMAT" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "The same as --format json", NULL },
        { "journal", 0, 0, G_OPTION_ARG_NONE, &journal,
          "Write each event to the systemd journal, not to the standard output", NULL },
        /* numbers as text, checked below: GOptionContext's take "inf", "nan" and negatives */
        { "count", 'n', 0, G_OPTION_ARG_STRING, &count_arg, "Exit after N events", "N" },
        { "timeout", 't', 0, G_OPTION_ARG_STRING, &timeout_arg, "Exit after SECONDS", "SECONDS" },
        { "guest-users-interval", 0, 0, G_OPTION_ARG_STRING, &interval_arg,
          "Ask guest agents for logged-on users every SECONDS (default 10; 0: never)", "SECONDS" },
        { NULL }
    };
    Monitor m = { 0 };

    g_set_prgname ("gvir-events monitor");
    context = g_option_context_new ("- print libvirt events as they happen");
    g_option_context_set_summary (context,
        "gvir-events monitor [-c URI]... [--domain NAME]... [--event KIND]...\n"
        "                    [--format text|json|cloudevents | --json | --journal]\n"
        "                    [--count N] [--timeout SECONDS]");
    g_option_context_set_description (context, monitor_description);
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error)) {
        g_printerr ("gvir-events: %s\n", error->message);
        return EXIT_USAGE;
    }
    if (argc > 1) {
        g_printerr ("gvir-events: unexpected argument \"%s\"\n", argv[1]);
        return EXIT_USAGE;
    }
    if (format_arg && strcmp (format_arg, "text") == 0)
        m.format = FORMAT_TEXT;
    else if (format_arg && strcmp (format_arg, "json") == 0)
        m.format = FORMAT_JSON;
    else if (format_arg && strcmp (format_arg, "cloudevents") == 0)
        m.format = FORMAT_CLOUDEVENTS;
    else if (format_arg) {
        g_printerr ("gvir-events: --format takes text, json or cloudevents, not \"%s\"\n", format_arg);
        return EXIT_USAGE;
    }
    if (json && format_arg && m.format != FORMAT_JSON) {
        g_printerr ("gvir-events: --json is --format json: not with --format %s\n", format_arg);
        return EXIT_USAGE;
    }
    if (journal && (json || format_arg)) {
        g_printerr ("gvir-events: --journal writes entries, not lines: not with --%s\n",
                    json ? "json" : "format");
        return EXIT_USAGE;
    }
    if (json)
        m.format = FORMAT_JSON;
    m.journal = journal;
    if (!parse_whole (count_arg, MAX_COUNT, &count)) {
        g_printerr ("gvir-events: --count takes a number of events from 0 to %d, not \"%s\"\n",
                    MAX_COUNT, count_arg);
        return EXIT_USAGE;
    }
    if (!parse_seconds (timeout_arg, MAX_TIMEOUT_SECONDS, &timeout)) {
        g_printerr ("gvir-events: --timeout takes a number of seconds from 0 to %u, not \"%s\"\n",
                    MAX_TIMEOUT_SECONDS, timeout_arg);
        return EXIT_USAGE;
    }
    if (!parse_whole (interval_arg, MAX_GUEST_USERS_INTERVAL, &guest_users_interval)) {
        g_printerr ("gvir-events: --guest-users-interval takes a number of seconds from 0 (never) "
                    "to %u, not \"%s\"\n", MAX_GUEST_USERS_INTERVAL, interval_arg);
        return EXIT_USAGE;
    }

    m.filters = g_ptr_array_new_with_free_func ((GDestroyNotify) filter_free);
    for (guint i = 0; events && events[i]; i++) {
        Filter *f = parse_filter (events[i], &error);

        if (!f) {
            g_printerr ("gvir-events: %s\n", error->message);
            g_ptr_array_unref (m.filters);
            return EXIT_USAGE;
        }
        g_ptr_array_add (m.filters, f);
    }
    for (guint i = 0; uris && uris[i]; i++) {
        if (!uri_is_wellformed (uris[i])) {
            g_printerr ("gvir-events: malformed URI \"%s\"\n", uris[i]);
            g_ptr_array_unref (m.filters);
            return EXIT_USAGE;
        }
    }

    if (!output_open (&m, &error)) {
        g_printerr ("gvir-events: %s\n", error->message);
        g_ptr_array_unref (m.filters);
        return EXIT_FAILURE_OTHER;
    }
    m.guest_users_interval = guest_users_interval;
    m.count = (gint) count;
    m.timeout = timeout;
    m.domains = domains;
    monitor_start (&m, (const gchar * const *) uris);
    return monitor_run (&m);
}

/* ------------------------------------------------------------------ */

static void
usage (FILE *out)
{
    fprintf (out,
             "Usage:\n"
             "  gvir-events monitor [-c URI]... [--domain NAME]... [--event KIND]...\n"
             "                      [--format text|json|cloudevents | --json | --journal]\n"
             "                      [--count N] [--timeout SECONDS]\n"
             "  gvir-events demo\n"
             "  gvir-events --version\n"
             "\n"
             "Watch libvirt's events (lifecycle, I/O errors, watchdogs, VNC clients,\n"
             "watermarks... of domains, networks, pools, devices and secrets) as\n"
             "they happen, on one or many hosts, as text, JSON or CloudEvents lines,\n"
             "or as entries in the systemd journal.\n"
             "\n"
             "  monitor   print events; gvir-events monitor --help for its options\n"
             "  demo      boot real guests and show their events (root, QEMU)\n"
             "\n"
             "See gvir-events(1).\n");
}

int
main (int argc, char **argv)
{
    setlocale (LC_ALL, "");
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
        usage (argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp (argv[1], "--version") == 0) {
        printf ("gvir-events %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }

    /* a closed pipe (| head) is a write error that ends the run, not a signal */
    signal (SIGPIPE, SIG_IGN);
    gvir_init_object (NULL, NULL);
    virSetErrorFunc (NULL, quiet_libvirt_error);
    if (strcmp (argv[1], "monitor") == 0)
        return run_monitor (argc - 1, argv + 1);
    if (strcmp (argv[1], "demo") == 0)
        return run_demo (argc - 1, argv + 1);
    g_printerr ("gvir-events: unknown command \"%s\" (monitor, demo)\n", argv[1]);
    return EXIT_USAGE;
}
