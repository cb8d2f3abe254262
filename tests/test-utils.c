/*
 * test-utils.c: helpers shared by the libvirt-gevents tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test-utils.h"

static void
emission_free (gpointer data)
{
    TestEmission *emission = data;

    for (guint i = 0; i < emission->n_values; i++)
        g_value_unset (&emission->values[i]);
    g_free (emission->values);
    g_free (emission->signal);
    g_free (emission);
}

void
test_recorder_init (TestRecorder *recorder)
{
    recorder->emissions = g_ptr_array_new_with_free_func (emission_free);
}

void
test_recorder_clear (TestRecorder *recorder)
{
    g_clear_pointer (&recorder->emissions, g_ptr_array_unref);
}

static void
record_marshal (GClosure *closure, GValue *return_value G_GNUC_UNUSED,
                guint n_param_values, const GValue *param_values,
                gpointer invocation_hint, gpointer marshal_data G_GNUC_UNUSED)
{
    TestRecorder *recorder = closure->data;
    GSignalInvocationHint *hint = invocation_hint;
    TestEmission *emission = g_new0 (TestEmission, 1);

    emission->signal = g_strdup (g_signal_name (hint->signal_id));
    emission->detail = hint->detail;
    emission->n_values = n_param_values - 1;
    emission->values = g_new0 (GValue, emission->n_values);
    for (guint i = 0; i < emission->n_values; i++) {
        g_value_init (&emission->values[i], G_VALUE_TYPE (&param_values[i + 1]));
        g_value_copy (&param_values[i + 1], &emission->values[i]);
    }
    g_ptr_array_add (recorder->emissions, emission);
}

gulong
test_recorder_connect (TestRecorder *recorder, gpointer instance, const gchar *detailed_signal)
{
    GClosure *closure = g_closure_new_simple (sizeof (GClosure), recorder);

    g_closure_set_marshal (closure, record_marshal);
    return g_signal_connect_closure (instance, detailed_signal, closure, FALSE);
}

TestEmission *
test_recorder_get (TestRecorder *recorder, guint i)
{
    g_assert_cmpuint (i, <, recorder->emissions->len);
    return g_ptr_array_index (recorder->emissions, i);
}

guint
test_recorder_count (TestRecorder *recorder)
{
    return recorder->emissions->len;
}

static gboolean
on_timeout (gpointer data)
{
    gboolean *timed_out = data;

    *timed_out = TRUE;
    return G_SOURCE_REMOVE;
}

gboolean
test_wait_for_count (const guint *counter, guint n, guint timeout_ms)
{
    gboolean timed_out = FALSE;
    guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

    while (*counter < n && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
        g_source_remove (id);
    return *counter >= n;
}

/*
 * What libvirt-gobject 4.0 itself logs, and nothing else:
 * - a warning (no log domain) "code should not be reached" from its own
 *   lifecycle callback, for details it does not know (renames, pmsuspended);
 * - its warning that it could not register its own callback, when the
 *   daemon dies while gvir_connection_open() runs (test-reconnect does it);
 * - GLib criticals about a NULL hash table: the same callback uses its domain
 *   table, which is NULL between gvir_connection_open() and the first
 *   gvir_connection_fetch_domains().  libvirt-gevents makes its hash tables
 *   with its hubs and frees them with them, so it never hands GLib a NULL one.
 */
static gboolean
is_libvirt_gobject_noise (const gchar *log_domain, const gchar *message)
{
    if (!message)
        return FALSE;
    if (!log_domain)
        return (strstr (message, "libvirt-gobject-connection.c") &&
                strstr (message, "code should not be reached")) ||
            /* gvir_connection_open() on a daemon that dies during it */
            g_str_has_prefix (message, "Failed to register domain events, ignoring");
    return g_str_equal (log_domain, "GLib") && g_str_has_prefix (message, "g_hash_table_") &&
        g_str_has_suffix (message, ": assertion 'hash_table != NULL' failed");
}

static void
on_message (const gchar *log_domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    g_log_default_handler (log_domain, level, message, data);
    if (is_libvirt_gobject_noise (log_domain, message))
        return;
    g_printerr ("Bail out! unexpected warning or critical\n");
    abort ();
}

void
test_tolerate_libvirt_gobject_warnings (void)
{
    static const gchar *ours[] = { "libvirt-gevents", "GLib-GObject", "GLib-GIO" };

    /* libvirt-gobject logs without a domain; GTest made every warning fatal */
    g_log_set_always_fatal (G_LOG_FATAL_MASK);
    g_log_set_handler (NULL, G_LOG_LEVEL_WARNING, on_message, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
        g_log_set_fatal_mask (ours[i], G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
    g_log_set_fatal_mask ("GLib", G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING);
    g_log_set_handler ("GLib", G_LOG_LEVEL_CRITICAL, on_message, NULL);
}

void
test_control_daemon (const gchar *command)
{
    FILE *fifo = fopen (g_getenv ("GVIR_EVENTS_CONTROL"), "w");

    g_assert_nonnull (fifo);
    g_assert_cmpint (fprintf (fifo, "%s\n", command), >, 0);
    g_assert_cmpint (fclose (fifo), ==, 0);
}

gchar *
test_control_relay (const gchar *command)
{
    const gchar *path = g_getenv ("GVIR_EVENTS_RELAY_CONTROL");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree gchar *line = g_strdup_printf ("%s\n", command);
    GString *reply = g_string_new (NULL);
    gsize sent = 0;
    int fd;

    g_assert_nonnull (path);
    g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
    strcpy (addr.sun_path, path);
    /* plain blocking sockets: the caller's main context is not iterated,
     * the reply is short and the relay answers at once */
    fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
    while (sent < strlen (line)) {
        ssize_t n = send (fd, line + sent, strlen (line) - sent, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint (n, >, 0);
        sent += (gsize) n;
    }
    while (!strchr (reply->str, '\n')) {
        gchar buf[256];
        ssize_t n = recv (fd, buf, sizeof buf, 0);

        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint (n, >, 0);      /* closed without a whole line */
        g_string_append_len (reply, buf, n);
    }
    g_assert_cmpint (close (fd), ==, 0);
    *strchr (reply->str, '\n') = '\0';
    if (!g_str_has_prefix (reply->str, "ok"))
        g_printerr ("relay: \"%s\": %s\n", command, reply->str);
    g_assert_true (g_str_has_prefix (reply->str, "ok"));
    g_assert_true (reply->str[2] == '\0' || reply->str[2] == ' ');
    g_string_erase (reply, 0, 2);
    return g_strstrip (g_string_free (reply, FALSE));
}

static gboolean
on_iterate_tick (gpointer data)
{
    gint64 *times = data;       /* the last tick, the longest gap */
    gint64 now = g_get_monotonic_time ();

    times[1] = MAX (times[1], now - times[0]);
    times[0] = now;
    return G_SOURCE_CONTINUE;
}

gint64
test_iterate_for (guint ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
    gint64 times[2] = { g_get_monotonic_time (), 0 };
    guint id = g_timeout_add (10, on_iterate_tick, times);

    while (g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (id);
    /* an iteration that blocked past the deadline left no tick to tell it */
    on_iterate_tick (times);
    return times[1];
}

static void
on_captured (const gchar *log_domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    TestLogCapture *capture = data;

    if (strstr (message, capture->substring))
        g_ptr_array_add (capture->messages, g_strdup (message));
}

void
test_log_capture_start (TestLogCapture *capture, const gchar *log_domain, GLogLevelFlags level,
                        const gchar *substring)
{
    capture->log_domain = log_domain;
    capture->substring = substring;
    capture->messages = g_ptr_array_new_with_free_func (g_free);
    capture->handler = g_log_set_handler (log_domain, level, on_captured, capture);
}

void
test_log_capture_stop (TestLogCapture *capture)
{
    g_log_remove_handler (capture->log_domain, capture->handler);
    g_clear_pointer (&capture->messages, g_ptr_array_unref);
}

gchar *
test_domain_template (const gchar *dir, const gchar *name, ...)
{
    g_autofree gchar *path = g_strdup_printf ("%s/%s.xml", dir, name);
    g_autoptr(GError) error = NULL;
    gchar *contents = NULL;
    GString *s;
    const gchar *key;
    va_list ap;

    g_file_get_contents (path, &contents, NULL, &error);
    g_assert_no_error (error);
    s = g_string_new (contents);
    g_free (contents);
    va_start (ap, name);
    while ((key = va_arg (ap, const gchar *))) {
        const gchar *value = va_arg (ap, const gchar *);
        g_autofree gchar *placeholder = g_strdup_printf ("@%s@", key);

        g_assert_cmpuint (g_string_replace (s, placeholder, value, 0), >, 0);
    }
    va_end (ap);
    if (strchr (s->str, '@'))
        g_error ("template %s: placeholder left in:\n%s", name, s->str);
    return g_string_free (s, FALSE);
}
