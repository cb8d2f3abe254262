/*
 * test-guest-users.c: guest-user-logon / guest-user-logoff without a guest
 * agent (libvirt's test driver has none, and no virDomainGetGuestInfo):
 * the property, when the agent is asked, how a refusal is handled, the
 * list's errors, bad input, and the emission path the polling feeds
 * (driven directly, as a poll that found a difference would).
 *
 * The real agent is in tests/integration/test-linux-guest.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "libvirt-gevents/gvir-events-hub-private.h"
#include "libvirt-gevents/gvir-guest-users-private.h"
#include "test-utils.h"

typedef struct {
    GVirConnection *conn;
    virConnectPtr handle;
    GPtrArray *domains;         /* GVirDomain */
} Fixture;

static const char domain_xml[] =
    "<domain type='test'><name>%s</name><memory>8192</memory>"
    "<os><type>hvm</type></os></domain>";

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    f->conn = gvir_connection_new ("test:///default");
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_object_get (f->conn, "handle", &f->handle, NULL);
    g_assert_nonnull (gvir_connection_events_get_for_connection (f->conn));
    f->domains = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_clear_pointer (&f->domains, g_ptr_array_unref);
    virConnectClose (f->handle);
    gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    while (g_main_context_iteration (NULL, FALSE));
}

/* A running test domain's companion. */
static GVirDomainEvents *
start_domain (Fixture *f, const gchar *name)
{
    g_autofree gchar *xml = g_strdup_printf (domain_xml, name);
    virDomainPtr dom = virDomainDefineXML (f->handle, xml);
    GVirDomain *domain;

    g_assert_nonnull (dom);
    g_assert_cmpint (virDomainCreate (dom), ==, 0);
    domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    g_ptr_array_add (f->domains, domain);
    virDomainFree (dom);
    return gvir_domain_events_get_for_domain (domain);
}

static void
count_notify (guint *counter)
{
    (*counter)++;
}

/* Default 10 s; notifies on a change only; 0 is allowed. */
static void
test_property (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *ev = start_domain (f, "prop");
    guint interval = 0, notified = 0;
    gulong id;

    g_object_get (ev, "guest-users-interval", &interval, NULL);
    g_assert_cmpuint (interval, ==, 10);
    id = g_signal_connect_swapped (ev, "notify::guest-users-interval",
                                   G_CALLBACK (count_notify), &notified);
    g_object_set (ev, "guest-users-interval", 3, NULL);
    g_object_set (ev, "guest-users-interval", 3, NULL);
    g_assert_cmpuint (notified, ==, 1);
    g_object_set (ev, "guest-users-interval", 0, NULL);
    g_object_get (ev, "guest-users-interval", &interval, NULL);
    g_assert_cmpuint (interval, ==, 0);
    g_assert_cmpuint (notified, ==, 2);
    g_signal_handler_disconnect (ev, id);
}

/*
 * No agent to ask: the one domain with a handler and a non-zero interval
 * asks once, is told the daemon cannot (VIR_ERR_NO_SUPPORT), says so once
 * at debug level and never asks again; nothing is emitted and the main loop
 * never waits for the question.  The others are never asked.
 */
static void
test_no_agent (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *ev_asked = start_domain (f, "asked");
    GVirDomainEvents *ev_unheard = start_domain (f, "unheard");
    GVirDomainEvents *ev_never = start_domain (f, "never");
    TestRecorder heard;
    TestLogCapture debug;
    gint64 longest_gap;

    test_log_capture_start (&debug, "libvirt-gevents", G_LOG_LEVEL_DEBUG, "guest user");
    test_recorder_init (&heard);

    g_object_set (ev_asked, "guest-users-interval", 1, NULL);
    test_recorder_connect (&heard, ev_asked, "guest-user-logon");
    /* listened to but never asked */
    g_object_set (ev_never, "guest-users-interval", 0, NULL);
    test_recorder_connect (&heard, ev_never, "guest-user-logoff");
    /* asked often but nobody listens */
    g_object_set (ev_unheard, "guest-users-interval", 1, NULL);

    longest_gap = test_iterate_for (3500);
    g_assert_cmpuint (debug.messages->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (debug.messages, 0), "domain asked"));
    g_assert_nonnull (strstr (g_ptr_array_index (debug.messages, 0), "not supported"));
    g_assert_cmpuint (test_recorder_count (&heard), ==, 0);
    g_assert_cmpint (longest_gap, <, 500 * 1000);

    test_log_capture_stop (&debug);
    g_signal_handlers_disconnect_matched (ev_asked, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &heard);
    g_signal_handlers_disconnect_matched (ev_never, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &heard);
    test_recorder_clear (&heard);
}

/*
 * A companion of a connection whose program chose a main context for it is
 * asked from that context (its own ticker), not from the default one; the
 * ticker goes away once the companion is dropped (valgrind runs this).
 * Without the choice, a thread-default context pushed by whoever asked
 * first changes nothing: the agent is asked from the global default one.
 */
typedef struct {
    Fixture *f;
    GVirDomain *domain;
    TestLogCapture *debug;
    gboolean choose;
    guint messages;
    GVirDomainEvents *ev;
    gulong id;
} ContextData;

static void
unexpected_logon (void)
{
    g_assert_not_reached ();
}

static gpointer
in_other_context (gpointer data)
{
    ContextData *d = data;
    GMainContext *context = g_main_context_new ();
    GVirDomainEvents *ev;
    gint64 deadline = g_get_monotonic_time () + 3500 * 1000;
    gulong id;

    g_main_context_push_thread_default (context);
    if (d->choose)
        gvir_connection_events_set_main_context (gvir_connection_events_get_for_connection (d->f->conn),
                                                 context);
    ev = gvir_domain_events_get_for_domain (d->domain);
    g_object_set (ev, "guest-users-interval", 1, NULL);
    id = g_signal_connect (ev, "guest-user-logon", G_CALLBACK (unexpected_logon), NULL);
    while (g_get_monotonic_time () < deadline)
        g_main_context_iteration (context, FALSE), g_usleep (10 * 1000);
    d->messages = d->debug->messages->len;
    d->ev = ev;
    d->id = id;
    g_main_context_pop_thread_default (context);
    g_main_context_unref (context);
    return NULL;
}

static void
test_contexts (Fixture *f, gconstpointer data)
{
    TestLogCapture debug;
    ContextData d = { f, NULL, &debug, GPOINTER_TO_INT (data), 0 };
    g_autofree gchar *xml = g_strdup_printf (domain_xml, "elsewhere");
    virDomainPtr dom = virDomainDefineXML (f->handle, xml);

    g_assert_cmpint (virDomainCreate (dom), ==, 0);
    d.domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    g_ptr_array_add (f->domains, d.domain);
    virDomainFree (dom);

    test_log_capture_start (&debug, "libvirt-gevents", G_LOG_LEVEL_DEBUG, "guest user");
    g_thread_join (g_thread_new ("other-context", in_other_context, &d));
    if (d.choose) {
        /* asked once from the chosen context, while the default one never ran */
        g_assert_cmpuint (d.messages, ==, 1);
    } else {
        /* never from the asker's context: from the default one, once it runs */
        g_assert_cmpuint (d.messages, ==, 0);
        test_iterate_for (3500);
        g_assert_cmpuint (debug.messages->len, ==, 1);
    }
    g_signal_handler_disconnect (d.ev, d.id);
    g_assert_nonnull (strstr (g_ptr_array_index (debug.messages, 0), "domain elsewhere"));
    test_log_capture_stop (&debug);
}

static void
on_list (GObject *source, GAsyncResult *result, gpointer data)
{
    GError **error = data;
    GVariant *users = gvir_domain_events_get_guest_users_finish (GVIR_DOMAIN_EVENTS (source),
                                                                 result, error);

    g_assert_null (users);
    g_assert_nonnull (*error);
}

static GError *
list_error (GVirDomainEvents *ev)
{
    GError *error = NULL;

    gvir_domain_events_get_guest_users_async (ev, NULL, on_list, &error);
    while (!error)
        g_main_context_iteration (NULL, TRUE);
    return error;
}

/* The list: libvirt's refusal, and a companion without a domain, are GErrors. */
static void
test_list_errors (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *ev = start_domain (f, "list");
    g_autoptr(GError) refused = list_error (ev);
    g_autoptr(GError) orphan = NULL;
    g_autoptr(GVirDomainEvents) made = NULL;

    g_assert_error (refused, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED);
    g_assert_nonnull (strstr (refused->message, "virDomainGetGuestInfo"));

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*cannot be constructed directly*");
    made = g_object_new (GVIR_TYPE_DOMAIN_EVENTS, NULL);
    g_test_assert_expected_messages ();
    orphan = list_error (made);
    g_assert_error (orphan, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE);
}

static void
test_bad_input (void)
{
    g_autoptr(GError) error = NULL;

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_DOMAIN_EVENTS*");
    gvir_domain_events_get_guest_users_async (NULL, NULL, NULL, NULL);
    g_test_assert_expected_messages ();
    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_DOMAIN_EVENTS*");
    g_assert_null (gvir_domain_events_get_guest_users_finish (NULL, NULL, &error));
    g_test_assert_expected_messages ();
    g_assert_no_error (error);
}

/*
 * What a poll that found alice logged on and bob (of domain CORP) logged
 * off emits: the typed signals with their details, and
 * GVirConnectionEvents::domain-event with the same payload.
 */
static void
test_emission (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *ev = start_domain (f, "emit");
    GVirConnectionEvents *conn_ev = gvir_connection_events_get_for_connection (f->conn);
    TestRecorder typed, alice, generic;
    virDomainPtr dom = NULL;
    TestEmission *e;
    GVirEvent *event;
    const gchar *s;
    g_autofree gchar *line = NULL;
    gint64 t;

    test_recorder_init (&typed);
    test_recorder_init (&alice);
    test_recorder_init (&generic);
    test_recorder_connect (&typed, ev, "guest-user-logon");
    test_recorder_connect (&typed, ev, "guest-user-logoff");
    test_recorder_connect (&alice, ev, "guest-user-logon::alice");
    test_recorder_connect (&alice, ev, "guest-user-logoff::alice");
    test_recorder_connect (&generic, conn_ev, "domain-event::guest-user-logoff");
    g_assert_true (gvir_connection_events_supports (conn_ev, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON));

    g_object_get (gvir_domain_events_get_domain (ev), "handle", &dom, NULL);
    _gvir_events_hub_dispatch_polled (dom, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON,
        (const GVirEventRaw[]) { { .s = "alice" }, { .s = NULL }, { .ll = 1700000000123 } });
    _gvir_events_hub_dispatch_polled (dom, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF,
        (const GVirEventRaw[]) { { .s = "bob" }, { .s = "CORP" }, { .ll = 1600000000000 } });

    g_assert_cmpuint (test_recorder_count (&typed), ==, 2);
    e = test_recorder_get (&typed, 0);
    g_assert_cmpstr (e->signal, ==, "guest-user-logon");
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, "alice");
    g_assert_cmpstr (g_value_get_string (&e->values[0]), ==, "alice");
    g_assert_null (g_value_get_string (&e->values[1]));
    g_assert_cmpint (g_value_get_int64 (&e->values[2]), ==, 1700000000123);
    e = test_recorder_get (&typed, 1);
    g_assert_cmpstr (e->signal, ==, "guest-user-logoff");
    g_assert_cmpstr (g_value_get_string (&e->values[0]), ==, "bob");
    g_assert_cmpstr (g_value_get_string (&e->values[1]), ==, "CORP");
    g_assert_cmpint (g_value_get_int64 (&e->values[2]), ==, 1600000000000);
    /* the detailed handlers heard alice's logon only */
    g_assert_cmpuint (test_recorder_count (&alice), ==, 1);
    g_assert_cmpstr (test_recorder_get (&alice, 0)->signal, ==, "guest-user-logon");

    g_assert_cmpuint (test_recorder_count (&generic), ==, 1);
    event = g_value_get_object (&test_recorder_get (&generic, 0)->values[1]);
    g_assert_cmpint (gvir_event_get_kind (event), ==, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF);
    g_assert_cmpstr (gvir_event_get_kind_name (event), ==, "guest-user-logoff");
    g_assert_cmpstr (gvir_event_get_detail (event), ==, "bob");
    g_assert_true (g_variant_lookup (gvir_event_get_payload (event), "user_domain", "&s", &s));
    g_assert_cmpstr (s, ==, "CORP");
    g_assert_true (g_variant_lookup (gvir_event_get_payload (event), "login_time_ms", "x", &t));
    g_assert_cmpint (t, ==, 1600000000000);
    line = gvir_event_to_string (event);
    g_assert_true (g_str_has_suffix (line, ": guest-user-logoff CORP\\bob (logged on 2020-09-13 12:26:40 UTC)"));

    virDomainFree (dom);
    g_signal_handlers_disconnect_matched (ev, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &typed);
    g_signal_handlers_disconnect_matched (ev, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &alice);
    g_signal_handlers_disconnect_matched (conn_ev, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &generic);
    test_recorder_clear (&typed);
    test_recorder_clear (&alice);
    test_recorder_clear (&generic);
}


/* The bytes of the string under key in user, whether repaired ("<key>-bytes") or not. */
static gchar *
user_bytes (GVariant *user, const gchar *key)
{
    g_autofree gchar *bytes_key = g_strconcat (key, "-bytes", NULL);
    g_autoptr(GVariant) bytes = g_variant_lookup_value (user, bytes_key, G_VARIANT_TYPE_BYTESTRING);
    const gchar *text = NULL;
    gsize n;
    gconstpointer data;

    if (!bytes)
        return g_variant_lookup (user, key, "&s", &text) ? g_strdup (text) : NULL;
    data = g_variant_get_fixed_array (bytes, &n, 1);
    return g_strndup (data, n);
}

/*
 * An agent's user names that are not UTF-8: no critical, repaired in the
 * list, the bytes kept, and two different bad names stay two users (they
 * were both dropped, and so equal, before).
 */
static void
test_hostile_names (void)
{
    static const gchar *names[] = { "r\xf6ot", "r\xfcot", "ok\x1b[2J" };
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0;
    g_autoptr(GVariant) users = NULL;

    /* one user more than named: skipped */
    g_assert_cmpint (virTypedParamsAddUInt (&params, &nparams, &maxparams, "user.count", 4), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autofree gchar *key = g_strdup_printf ("user.%u.name", i);

        g_assert_cmpint (virTypedParamsAddString (&params, &nparams, &maxparams, key, names[i]), ==, 0);
    }
    g_assert_cmpint (virTypedParamsAddString (&params, &nparams, &maxparams, "user.0.domain",
                                              "CORP\xff"), ==, 0);

    users = g_variant_ref_sink (_gvir_guest_users_from_params (params, nparams));
    virTypedParamsFree (params, nparams);
    g_assert_cmpuint (g_variant_n_children (users), ==, G_N_ELEMENTS (names));
    for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autoptr(GVariant) user = g_variant_get_child_value (users, i);
        g_autofree gchar *bytes = user_bytes (user, "user");
        const gchar *name = NULL;

        g_assert_true (g_variant_lookup (user, "user", "&s", &name));
        g_assert_true (g_utf8_validate (name, -1, NULL));
        g_assert_cmpstr (bytes, ==, names[i]);
        for (guint j = 0; j < i; j++) {
            g_autoptr(GVariant) other = g_variant_get_child_value (users, j);

            g_assert_false (g_variant_equal (user, other));
        }
    }
    {
        g_autoptr(GVariant) first = g_variant_get_child_value (users, 0);
        g_autofree gchar *domain = user_bytes (first, "user_domain");
        const gchar *valid = NULL;

        g_assert_true (g_variant_lookup (first, "user_domain", "&s", &valid));
        g_assert_cmpstr (valid, ==, "CORP\xef\xbf\xbd");
        g_assert_cmpstr (domain, ==, "CORP\xff");
    }
}

int
main (int argc, char **argv)
{
    gvir_init_object (&argc, &argv);
    g_test_init (&argc, &argv, NULL);
    /*
     * The tests call libvirt's callbacks themselves, on this thread, as
     * libvirt's event loop does when this thread runs it: own the context
     * the way a running loop does, so that signals are emitted at once.
     */
    g_main_context_acquire (NULL);

    g_test_add ("/guest-users/property", Fixture, NULL, fixture_setup, test_property,
                fixture_teardown);
    g_test_add ("/guest-users/no-agent", Fixture, NULL, fixture_setup, test_no_agent,
                fixture_teardown);
    g_test_add ("/guest-users/contexts-first-asker", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
                test_contexts, fixture_teardown);
    g_test_add ("/guest-users/contexts", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_contexts,
                fixture_teardown);
    g_test_add ("/guest-users/list-errors", Fixture, NULL, fixture_setup, test_list_errors,
                fixture_teardown);
    g_test_add_func ("/guest-users/bad-input", test_bad_input);
    g_test_add_func ("/guest-users/hostile-names", test_hostile_names);
    g_test_add ("/guest-users/emission", Fixture, NULL, fixture_setup, test_emission,
                fixture_teardown);
    return g_test_run ();
}
