/*
 * test-reconnect.c: handlers that outlive the daemon
 *
 * The private libvirtd of tests/integration/hv-harness is killed with
 * SIGKILL and started again under the program's feet (the harness's control
 * FIFO), as a package upgrade or a crash does.  Its test driver
 * (test+unix:///default on the same socket) makes the events.  The
 * program only ever called g_signal_connect(): it must hear
 * "disconnected", then "reconnected", the lifecycle event that explains
 * what changed meanwhile (synthesized), and then live events again, on the
 * same objects and handlers.
 *
 * Run by the harness, which skips (77) where it cannot run its daemon, a
 * failure under GVIR_EVENTS_REQUIRE_HYPERVISOR=1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define TIMEOUT_MS 15000

static gchar *uri;                  /* the harness daemon's test driver */
static const gchar *test_dir;       /* the harness's scratch directory */

typedef struct {
    GVirConnection *conn;
    GVirConnectionEvents *events;
    GVirDomain *domain;
    GVirDomainEvents *domain_events;
    TestRecorder typed;             /* lifecycle of the domain "test" */
    TestRecorder records;           /* domain-event */
    TestRecorder link;              /* disconnected, reconnected */
    guint connected_notifies;
} Fixture;

/* Suspends or resumes "test" through a connection of its own, as another program would. */
static void
drive (gboolean suspend)
{
    virConnectPtr raw = virConnectOpen (uri);
    virDomainPtr dom;

    g_assert_nonnull (raw);
    dom = virDomainLookupByName (raw, "test");
    g_assert_nonnull (dom);
    g_assert_cmpint (suspend ? virDomainSuspend (dom) : virDomainResume (dom), ==, 0);
    virDomainFree (dom);
    virConnectClose (raw);
}

static void
on_notify (GObject *object G_GNUC_UNUSED, GParamSpec *pspec G_GNUC_UNUSED, gpointer data)
{
    ((Fixture *) data)->connected_notifies++;
}

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    f->conn = gvir_connection_new (uri);
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    g_assert_no_error (error);

    f->events = gvir_connection_events_get_for_connection (f->conn);
    g_object_set (f->events, "reconnect-interval", 100, NULL);
    f->domain = gvir_connection_find_domain_by_name (f->conn, "test");
    g_assert_nonnull (f->domain);
    f->domain_events = gvir_domain_events_get_for_domain (f->domain);
    while (g_main_context_iteration (NULL, FALSE));

    test_recorder_init (&f->typed);
    test_recorder_init (&f->records);
    test_recorder_init (&f->link);
    test_recorder_connect (&f->typed, f->domain_events, "lifecycle");
    test_recorder_connect (&f->records, f->events, "domain-event::lifecycle");
    test_recorder_connect (&f->link, f->events, "disconnected");
    test_recorder_connect (&f->link, f->events, "reconnected");
    g_signal_connect (f->events, "notify::connected", G_CALLBACK (on_notify), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_signal_handlers_disconnect_by_data (f->events, f);
    test_recorder_clear (&f->typed);
    test_recorder_clear (&f->records);
    test_recorder_clear (&f->link);
    g_clear_object (&f->domain);
    gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    while (g_main_context_iteration (NULL, FALSE));
}

static void
assert_lifecycle (TestEmission *e, GVirDomainLifecycleEvent event, gint detail)
{
    g_assert_cmpstr (e->signal, ==, "lifecycle");
    g_assert_cmpint (g_value_get_enum (&e->values[0]), ==, event);
    g_assert_cmpint (g_value_get_int (&e->values[1]), ==, detail);
}

static GVirEvent *
record (Fixture *f, guint i)
{
    return g_value_get_object (&test_recorder_get (&f->records, i)->values[1]);
}

static void
kill_and_wait_disconnected (Fixture *f)
{
    guint before = test_recorder_count (&f->link);
    GVirConnectionCloseReason reason;
    TestEmission *e;

    test_control_daemon ("kill");
    g_assert_true (test_wait_for_count (&f->link.emissions->len, before + 1, TIMEOUT_MS));
    e = test_recorder_get (&f->link, before);
    g_assert_cmpstr (e->signal, ==, "disconnected");
    /* A killed daemon closes its end: end of file, or an error when a
     * request was on its way out at that moment (a companion learning its
     * first state, under valgrind's pace); never keepalive or client. */
    reason = g_value_get_enum (&e->values[0]);
    g_assert_true (reason == GVIR_CONNECTION_CLOSE_REASON_EOF ||
                   reason == GVIR_CONNECTION_CLOSE_REASON_ERROR);
    g_assert_false (gvir_connection_events_get_connected (f->events));
}

static guint
count_signal (TestRecorder *recorder, const gchar *signal)
{
    guint n = 0;

    for (guint i = 0; i < test_recorder_count (recorder); i++)
        n += g_str_equal (test_recorder_get (recorder, i)->signal, signal);
    return n;
}

/* Until the daemon accepts connections again (it is starting). */
static void
wait_for_daemon (void)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;
    virConnectPtr raw;

    while (!(raw = virConnectOpen (uri)) && g_get_monotonic_time () < deadline) {
        virResetLastError ();
        g_usleep (50 * 1000);
    }
    g_assert_nonnull (raw);
    virConnectClose (raw);
}

/* Runs the main loop until the companion says it is connected. */
static gboolean
iterate_until_connected (Fixture *f)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;

    while (!gvir_connection_events_get_connected (f->events) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
    /* and whatever reconnected emission is queued behind it */
    while (g_main_context_iteration (NULL, FALSE));
    return gvir_connection_events_get_connected (f->events);
}

/* Idles for ms, the main loop running. */
static void
run_for (guint ms)
{
    gint64 until = g_get_monotonic_time () + ms * 1000;

    while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
}

static void
test_restart (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    GVirDomain *fresh;
    virDomainPtr handle = NULL;
    int state = -1, reason;

    g_assert_true (gvir_connection_events_get_connected (f->events));

    /* the domain is paused when the daemon goes away */
    drive (TRUE);
    g_assert_true (test_wait_for_count (&f->typed.emissions->len, 1, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&f->typed, 0), GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                      VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);

    kill_and_wait_disconnected (f);
    g_assert_cmpuint (f->connected_notifies, ==, 1);
    /* retries against a daemon that is not there fail quietly, and go on */
    run_for (700);
    g_assert_cmpuint (test_recorder_count (&f->link), ==, 1);

    /* a new daemon: its test driver's "test" runs, unlike the one before */
    test_control_daemon ("start");
    g_assert_true (test_wait_for_count (&f->link.emissions->len, 2, TIMEOUT_MS));
    g_assert_cmpstr (test_recorder_get (&f->link, 1)->signal, ==, "reconnected");
    g_assert_true (gvir_connection_events_get_connected (f->events));
    g_assert_cmpuint (f->connected_notifies, ==, 2);
    g_assert_true (gvir_connection_is_open (f->conn));

    /* what changed during the outage, explained before "reconnected" */
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 2);
    assert_lifecycle (test_recorder_get (&f->typed, 1), GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                      VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    g_assert_cmpuint (test_recorder_count (&f->records), ==, 2);
    g_assert_false (gvir_event_get_synthesized (record (f, 0)));
    g_assert_true (gvir_event_get_synthesized (record (f, 1)));
    g_assert_cmpstr (gvir_event_get_detail (record (f, 1)), ==, "resumed");

    /* the same companion, from the connection's new GVirDomain too, which works */
    fresh = gvir_connection_find_domain_by_name (f->conn, "test");
    g_assert_nonnull (fresh);
    g_assert_true (fresh != f->domain);
    g_assert_true (gvir_domain_events_get_for_domain (fresh) == f->domain_events);
    g_assert_true (gvir_domain_events_get_domain (f->domain_events) == fresh);
    g_object_get (gvir_domain_events_get_domain (f->domain_events), "handle", &handle, NULL);
    g_assert_cmpint (virDomainGetState (handle, &state, &reason, 0), ==, 0);
    g_assert_cmpint (state, ==, VIR_DOMAIN_RUNNING);
    virDomainFree (handle);
    g_object_unref (fresh);

    /* and live events again, on the handlers connected before */
    drive (TRUE);
    g_assert_true (test_wait_for_count (&f->typed.emissions->len, 3, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&f->typed, 2), GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                      VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_true (test_wait_for_count (&f->records.emissions->len, 3, TIMEOUT_MS));
    g_assert_false (gvir_event_get_synthesized (record (f, 2)));

    /* a second outage, the same way */
    kill_and_wait_disconnected (f);
    test_control_daemon ("start");
    g_assert_true (test_wait_for_count (&f->link.emissions->len, 4, TIMEOUT_MS));
    g_assert_cmpstr (test_recorder_get (&f->link, 3)->signal, ==, "reconnected");
    drive (TRUE);
    g_assert_true (test_wait_for_count (&f->typed.emissions->len, 5, TIMEOUT_MS));
    /* paused before, running in the new daemon: resumed, then the live suspend */
    assert_lifecycle (test_recorder_get (&f->typed, 3), GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                      VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    assert_lifecycle (test_recorder_get (&f->typed, 4), GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                      VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
}

/* A domain the new daemon does not have: stopped, undefined, let go. */
static void
test_gone_during_outage (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char xml[] = "<domain type='test'><name>extra</name><memory>8192</memory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) error = NULL;
    virConnectPtr raw = virConnectOpen (uri);
    virDomainPtr dom;
    GVirDomain *extra;
    GVirDomainEvents *events;
    TestRecorder recorder;
    guint n;

    g_assert_nonnull (raw);
    dom = virDomainDefineXML (raw, xml);
    g_assert_nonnull (dom);
    g_assert_cmpint (virDomainCreate (dom), ==, 0);
    virDomainFree (dom);
    virConnectClose (raw);
    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    g_assert_no_error (error);
    extra = gvir_connection_find_domain_by_name (f->conn, "extra");
    g_assert_nonnull (extra);
    events = g_object_ref (gvir_domain_events_get_for_domain (extra));
    g_object_unref (extra);
    while (g_main_context_iteration (NULL, FALSE));
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, events, "lifecycle");

    kill_and_wait_disconnected (f);
    test_control_daemon ("start");
    g_assert_true (test_wait_for_count (&f->link.emissions->len, 2, TIMEOUT_MS));

    /* The setup's own defined and started may still be on their way (under
     * valgrind's pace they came after the recorder): only those may come
     * before the two that explain the outage. */
    n = test_recorder_count (&recorder);
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpuint (n, <=, 4);
    for (guint i = 0; i + 2 < n; i++) {
        gint event = g_value_get_enum (&test_recorder_get (&recorder, i)->values[0]);

        g_assert_true (event == GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED ||
                       event == GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED);
    }
    assert_lifecycle (test_recorder_get (&recorder, n - 2), GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                      VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    assert_lifecycle (test_recorder_get (&recorder, n - 1), GVIR_DOMAIN_LIFECYCLE_EVENT_UNDEFINED,
                      VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    g_assert_false (gvir_domain_events_set_watermark (events, "vda", 1, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE);
    test_recorder_clear (&recorder);
    g_object_unref (events);
}

/* Twenty restarts in a row: once each, and the same handlers every time. */
static void
test_many_restarts (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const guint restarts = 20;

    for (guint i = 0; i < restarts; i++) {
        g_autoptr(GError) error = NULL;
        guint heard = test_recorder_count (&f->typed);

        kill_and_wait_disconnected (f);
        test_control_daemon ("start");
        g_assert_true (test_wait_for_count (&f->link.emissions->len, 2 * (i + 1), TIMEOUT_MS));
        g_assert_cmpstr (test_recorder_get (&f->link, 2 * i + 1)->signal, ==, "reconnected");
        drive (TRUE);
        g_assert_true (test_wait_for_count (&f->typed.emissions->len, heard + 1, TIMEOUT_MS));
        /* running in each new daemon, so never a synthesized event: exactly the live one */
        assert_lifecycle (test_recorder_get (&f->typed, heard), GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                          VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        drive (FALSE);
        g_assert_true (test_wait_for_count (&f->typed.emissions->len, heard + 2, TIMEOUT_MS));
    }
    g_assert_cmpuint (test_recorder_count (&f->link), ==, 2 * restarts);
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 2 * restarts);
}

/*
 * The daemon dies again while the library is reconnecting: it keeps
 * trying, ends connected, and the handlers still hear the domain.
 */
static void
test_restart_while_reconnecting (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    guint heard;

    kill_and_wait_disconnected (f);
    for (guint i = 0; i < 3; i++) {
        test_control_daemon ("start");
        run_for (40 + 30 * i);      /* before, during or after the attempt */
        test_control_daemon ("kill");
        run_for (50);
    }
    test_control_daemon ("start");
    wait_for_daemon ();
    /* the last outage may still be on its way to us: let it arrive */
    run_for (500);
    g_assert_true (iterate_until_connected (f));

    /* each outage it noticed was followed by one reconnection, no more */
    g_assert_cmpuint (count_signal (&f->link, "disconnected"), ==,
                      count_signal (&f->link, "reconnected"));
    g_assert_cmpuint (count_signal (&f->link, "disconnected"), >=, 1);
    heard = test_recorder_count (&f->typed);
    drive (TRUE);
    g_assert_true (test_wait_for_count (&f->typed.emissions->len, heard + 1, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&f->typed, heard), GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                      VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    drive (FALSE);
    g_assert_true (test_wait_for_count (&f->typed.emissions->len, heard + 2, TIMEOUT_MS));
}

static void
test_no_auto_reconnect (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    g_object_set (f->events, "auto-reconnect", FALSE, NULL);
    kill_and_wait_disconnected (f);
    test_control_daemon ("start");
    run_for (800);
    g_assert_cmpuint (test_recorder_count (&f->link), ==, 1);
    g_assert_false (gvir_connection_events_get_connected (f->events));

    /* turned on again, it reconnects */
    g_object_set (f->events, "auto-reconnect", TRUE, NULL);
    g_assert_true (test_wait_for_count (&f->link.emissions->len, 2, TIMEOUT_MS));
    g_assert_cmpstr (test_recorder_get (&f->link, 1)->signal, ==, "reconnected");
}

static void
on_finalized (gpointer data, GObject *where_the_object_was G_GNUC_UNUSED)
{
    *(gboolean *) data = TRUE;
}

/* The program closes the connection during an outage: nothing reopens it. */
static void
test_closed_by_program (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    gboolean finalized = FALSE;

    g_object_weak_ref (G_OBJECT (f->domain_events), on_finalized, &finalized);
    kill_and_wait_disconnected (f);
    gvir_connection_close (f->conn);
    test_control_daemon ("start");
    run_for (800);
    g_assert_cmpuint (test_recorder_count (&f->link), ==, 1);
    g_assert_false (gvir_connection_is_open (f->conn));
    g_assert_false (gvir_connection_events_get_connected (f->events));
    /* and the domain's companion is let go */
    g_clear_object (&f->domain);
    g_assert_true (finalized);
}

static void
on_link (gpointer counter)
{
    (*(guint *) counter)++;
}

/*
 * A domain that was running when the daemon went away and is shut off in
 * the new one: a synthesized "stopped".  The daemon's test driver reads a
 * state file anew at every open, with this domain shut off in it (and a
 * fixed UUID: without one each open would make another domain).
 */
static void
test_stopped_during_outage (void)
{
    static const char xml[] =
        "<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
        "<name>steady</name><uuid>5eadbeef-0000-4000-8000-000000000005</uuid>"
        "<memory>8192</memory><os><type>hvm</type></os>"
        "<test:runstate>5</test:runstate></domain></node>";
    g_autofree gchar *state = g_build_filename (test_dir, "stopped.xml", NULL);
    g_autofree gchar *file_uri = g_strdup_printf ("test+unix://%s?socket=%s/libvirt-sock",
                                                  state, test_dir);
    g_autoptr(GError) error = NULL;
    GVirConnection *conn;
    GVirConnectionEvents *events;
    GVirDomain *domain;
    TestRecorder recorder;
    guint disconnected = 0, reconnected = 0;
    TestEmission *e;

    g_assert_true (g_file_set_contents (state, xml, -1, &error));
    conn = gvir_connection_new (file_uri);
    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
    g_assert_no_error (error);
    events = gvir_connection_events_get_for_connection (conn);
    g_object_set (events, "reconnect-interval", 100, NULL);
    g_signal_connect_swapped (events, "disconnected", G_CALLBACK (on_link), &disconnected);
    g_signal_connect_swapped (events, "reconnected", G_CALLBACK (on_link), &reconnected);
    domain = gvir_connection_find_domain_by_name (conn, "steady");
    g_assert_nonnull (domain);
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, gvir_domain_events_get_for_domain (domain), "lifecycle");

    g_assert_true (gvir_domain_start (domain, 0, &error));
    g_assert_no_error (error);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&recorder, 0), GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                      VIR_DOMAIN_EVENT_STARTED_BOOTED);

    test_control_daemon ("kill");
    g_assert_true (test_wait_for_count (&disconnected, 1, TIMEOUT_MS));
    test_control_daemon ("start");
    g_assert_true (test_wait_for_count (&reconnected, 1, TIMEOUT_MS));

    /* shut off in the new daemon, with no reason given: stopped (shutdown) */
    g_assert_cmpuint (test_recorder_count (&recorder), ==, 2);
    e = test_recorder_get (&recorder, 1);
    assert_lifecycle (e, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);

    test_recorder_clear (&recorder);
    g_signal_handlers_disconnect_by_data (events, &disconnected);
    g_signal_handlers_disconnect_by_data (events, &reconnected);
    g_object_unref (domain);
    gvir_connection_close (conn);
    g_object_unref (conn);
    while (g_main_context_iteration (NULL, FALSE));
}

static void
test_properties (void)
{
    GVirConnection *conn = gvir_connection_new ("test:///default");
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    gboolean auto_reconnect = FALSE, connected = TRUE;
    guint interval = 0, count = 0;
    gint keepalive = 0;

    g_object_get (events, "auto-reconnect", &auto_reconnect, "reconnect-interval", &interval,
                  "keepalive-interval", &keepalive, "keepalive-count", &count,
                  "connected", &connected, NULL);
    g_assert_true (auto_reconnect);
    g_assert_cmpuint (interval, ==, 1000);
    g_assert_cmpint (keepalive, ==, 5);
    g_assert_cmpuint (count, ==, 5);
    g_assert_false (connected);     /* not open yet */
    /* libvirt-gobject 4.0 frees its tables in close() only, not in finalize() */
    gvir_connection_close (conn);
    g_object_unref (conn);
}

int
main (int argc, char **argv)
{
    const gchar *dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    int ret;

    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);
    /* a program's own writes to a daemon being killed (keepalive from the
     * event loop) are its to protect, as docs/design.md says; the library's
     * worker threads protect theirs (/races/sigpipe-guard) */
    signal (SIGPIPE, SIG_IGN);

    if (!dir || !g_getenv ("GVIR_EVENTS_CONTROL")) {
        g_printerr ("test-reconnect: run me through tests/integration/hv-harness "
                    "(it owns the daemon this test kills)\n");
        return g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0 ? 1 : 77;
    }
    uri = g_strdup_printf ("test+unix:///default?socket=%s/libvirt-sock", dir);
    test_dir = dir;

    g_test_add_func ("/reconnect/properties", test_properties);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD ("/reconnect/daemon-restart", test_restart);
    ADD ("/reconnect/gone-during-outage", test_gone_during_outage);
    ADD ("/reconnect/many-restarts", test_many_restarts);
    ADD ("/reconnect/restart-while-reconnecting", test_restart_while_reconnecting);
    ADD ("/reconnect/no-auto-reconnect", test_no_auto_reconnect);
    g_test_add_func ("/reconnect/stopped-during-outage", test_stopped_during_outage);
    ADD ("/reconnect/closed-by-program", test_closed_by_program);
#undef ADD

    ret = g_test_run ();
    g_free (uri);
    return ret;
}
