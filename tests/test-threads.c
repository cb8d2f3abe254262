/*
 * test-threads.c: companions made and dropped on other threads while the
 * main thread dispatches events
 *
 * libvirt-glib runs libvirt's event loop in the main context, so every
 * callback into the library runs on the main thread.  Programs make and
 * drop libvirt-gobject objects on worker threads (its *_async calls do,
 * from GTask threads): these tests do the same, hard, with events flowing.
 * They prove behaviour (every companion hears events, every emission is
 * heard once) and, under AddressSanitizer or valgrind, that nothing touches
 * freed memory on the way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libvirt/libvirt.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define N_WORKERS 3
#define N_ROUNDS 6
#define N_OPENS 12
#define WAIT_US (20 * G_USEC_PER_SEC)

static gint heard_typed[N_WORKERS][N_ROUNDS];
static gint heard_generic[N_WORKERS][N_ROUNDS];
static gint workers_done;
static gint stop_generator;

static void
on_lifecycle (GVirDomainEvents *events G_GNUC_UNUSED, gint event G_GNUC_UNUSED,
              gint detail G_GNUC_UNUSED, gpointer counter)
{
    g_atomic_int_inc ((gint *) counter);
}

static void
on_domain_event (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain G_GNUC_UNUSED,
                 GVirEvent *event G_GNUC_UNUSED, gpointer counter)
{
    g_atomic_int_inc ((gint *) counter);
}

/* Suspends and resumes the test driver's "test" domain until told to stop. */
static gpointer
generate_events (gpointer data G_GNUC_UNUSED)
{
    virConnectPtr conn = virConnectOpen ("test:///default");
    virDomainPtr dom;

    g_assert_nonnull (conn);
    dom = virDomainLookupByName (conn, "test");
    g_assert_nonnull (dom);
    while (!g_atomic_int_get (&stop_generator)) {
        g_assert_cmpint (virDomainSuspend (dom), ==, 0);
        g_assert_cmpint (virDomainResume (dom), ==, 0);
        g_usleep (500);
    }
    virDomainFree (dom);
    virConnectClose (conn);
    return NULL;
}

static gboolean
wait_for_events (const gint *a, const gint *b)
{
    gint64 deadline = g_get_monotonic_time () + WAIT_US;

    while (g_atomic_int_get (a) == 0 || g_atomic_int_get (b) == 0) {
        if (g_get_monotonic_time () > deadline)
            return FALSE;
        g_usleep (1000);
    }
    return TRUE;
}

static gboolean
unref_later (gpointer object)
{
    g_object_unref (object);
    return G_SOURCE_REMOVE;
}

/*
 * Each round: open a connection, make both companions, hear an event on
 * each, then drop the wrapper and close the connection, all on this
 * thread, while the main thread is dispatching events to those very
 * companions.
 */
static gpointer
worker (gpointer data)
{
    guint index = GPOINTER_TO_UINT (data);

    for (guint round = 0; round < N_ROUNDS; round++) {
        g_autoptr(GError) error = NULL;
        GVirConnection *conn = gvir_connection_new ("test:///default");
        GVirConnectionEvents *conn_events;
        GVirDomainEvents *events;
        GVirDomain *domain;

        g_assert_true (gvir_connection_open (conn, NULL, &error));
        g_assert_no_error (error);
        conn_events = gvir_connection_events_get_for_connection (conn);
        g_signal_connect (conn_events, "domain-event::lifecycle",
                          G_CALLBACK (on_domain_event), &heard_generic[index][round]);
        g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
        g_assert_no_error (error);
        domain = gvir_connection_find_domain_by_name (conn, "test");
        g_assert_nonnull (domain);
        events = gvir_domain_events_get_for_domain (domain);
        g_assert_true (events == gvir_domain_events_get_for_domain (domain));
        g_signal_connect (events, "lifecycle", G_CALLBACK (on_lifecycle),
                          &heard_typed[index][round]);

        g_assert_true (wait_for_events (&heard_typed[index][round], &heard_generic[index][round]));

        /* dropped here, while the main thread dispatches */
        g_object_unref (domain);
        gvir_connection_close (conn);
        /*
         * libvirt-gobject's own callback holds its GVirConnection without a
         * reference: let the main thread drop it, so a crash here would be
         * libvirt-gevents', not libvirt-gobject's.
         */
        g_idle_add (unref_later, conn);
    }
    g_atomic_int_inc (&workers_done);
    return NULL;
}

static void
test_workers (void)
{
    GThread *generator, *workers[N_WORKERS];

    g_atomic_int_set (&stop_generator, FALSE);
    generator = g_thread_new ("generator", generate_events, NULL);
    for (guint i = 0; i < N_WORKERS; i++)
        workers[i] = g_thread_new ("worker", worker, GUINT_TO_POINTER (i));

    while (g_atomic_int_get (&workers_done) < N_WORKERS)
        g_main_context_iteration (NULL, TRUE);

    for (guint i = 0; i < N_WORKERS; i++)
        g_thread_join (workers[i]);
    g_atomic_int_set (&stop_generator, TRUE);
    g_thread_join (generator);
    while (g_main_context_iteration (NULL, FALSE));

    for (guint i = 0; i < N_WORKERS; i++) {
        for (guint round = 0; round < N_ROUNDS; round++) {
            g_assert_cmpint (heard_typed[i][round], >, 0);
            g_assert_cmpint (heard_generic[i][round], >, 0);
        }
    }
}

static void
on_opened (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(GError) error = NULL;

    g_assert_true (gvir_connection_open_finish (GVIR_CONNECTION (source), result, &error));
    g_assert_no_error (error);
    *(gboolean *) data = TRUE;
}

/*
 * gvir_connection_open_async() emits connection-opened on a GTask thread;
 * the companion made meanwhile on the main thread attaches too.  Both must
 * end in one registration: one event, one emission.
 */
static void
test_attach_race (void)
{
    virConnectPtr raw = virConnectOpen ("test:///default");
    virDomainPtr dom;

    g_assert_nonnull (raw);
    dom = virDomainLookupByName (raw, "test");
    g_assert_nonnull (dom);

    for (guint i = 0; i < N_OPENS; i++) {
        GVirConnection *conn = gvir_connection_new ("test:///default");
        GVirConnectionEvents *events;
        gboolean opened = FALSE;
        gint heard = 0;
        gint64 settle;

        gvir_connection_open_async (conn, NULL, on_opened, &opened);
        events = gvir_connection_events_get_for_connection (conn);
        g_signal_connect (events, "domain-event", G_CALLBACK (on_domain_event), &heard);
        while (!opened)
            g_main_context_iteration (NULL, TRUE);
        g_assert_true (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));

        g_assert_cmpint (virDomainSuspend (dom), ==, 0);
        while (g_atomic_int_get (&heard) == 0)
            g_main_context_iteration (NULL, TRUE);
        /* a second registration would deliver the same event again: let it */
        settle = g_get_monotonic_time () + 50 * 1000;
        while (g_get_monotonic_time () < settle)
            g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
        g_assert_cmpint (g_atomic_int_get (&heard), ==, 1);

        g_assert_cmpint (virDomainResume (dom), ==, 0);
        g_signal_handlers_disconnect_by_data (events, &heard);
        gvir_connection_close (conn);
        g_object_unref (conn);
        while (g_main_context_iteration (NULL, FALSE));
    }
    virDomainFree (dom);
    virConnectClose (raw);
}

static gint stop_loop;

/* Runs libvirt's event loop (the global default context) on this thread. */
static gpointer
run_libvirt_loop (gpointer data G_GNUC_UNUSED)
{
    GMainContext *context = g_main_context_default ();

    g_main_context_push_thread_default (context);
    while (!g_atomic_int_get (&stop_loop))
        g_main_context_iteration (context, TRUE);
    g_main_context_pop_thread_default (context);
    return NULL;
}

typedef struct {
    GThread *thread;                /* where the last handler ran */
    gint count;
} Heard;

static void
on_lifecycle_where (GVirDomainEvents *events G_GNUC_UNUSED, gint event G_GNUC_UNUSED,
                    gint detail G_GNUC_UNUSED, gpointer data)
{
    Heard *heard = data;

    heard->thread = g_thread_self ();
    heard->count++;
}

static void
on_domain_event_where (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain G_GNUC_UNUSED,
                       GVirEvent *event G_GNUC_UNUSED, gpointer data)
{
    Heard *heard = data;

    heard->thread = g_thread_self ();
    heard->count++;
}

static gboolean
wake (gpointer data G_GNUC_UNUSED)
{
    return G_SOURCE_REMOVE;
}

/*
 * A program that chooses a main context for a connection
 * (gvir_connection_events_set_main_context()) hears every companion's
 * signals there, whatever thread runs libvirt's event loop: here a worker
 * runs it, and the handlers must run on this thread, from its own context.
 */
static void
test_context (void)
{
    g_autoptr(GError) error = NULL;
    GMainContext *mine = g_main_context_new ();
    GVirConnection *conn;
    GVirDomain *domain;
    GThread *loop;
    Heard typed = { NULL, 0 }, generic = { NULL, 0 };
    virConnectPtr raw = virConnectOpen ("test:///default");
    virDomainPtr dom;
    gint64 deadline;

    g_assert_nonnull (raw);
    dom = virDomainLookupByName (raw, "test");
    g_assert_nonnull (dom);

    g_atomic_int_set (&stop_loop, FALSE);
    loop = g_thread_new ("libvirt-loop", run_libvirt_loop, NULL);
    g_main_context_push_thread_default (mine);

    conn = gvir_connection_new ("test:///default");
    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_events_get_main_context (
                       gvir_connection_events_get_for_connection (conn)) == g_main_context_default ());
    gvir_connection_events_set_main_context (gvir_connection_events_get_for_connection (conn), mine);
    g_assert_true (gvir_connection_events_get_main_context (
                       gvir_connection_events_get_for_connection (conn)) == mine);
    g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
    g_assert_no_error (error);
    domain = gvir_connection_find_domain_by_name (conn, "test");
    g_assert_nonnull (domain);
    g_signal_connect (gvir_domain_events_get_for_domain (domain), "lifecycle",
                      G_CALLBACK (on_lifecycle_where), &typed);
    g_signal_connect (gvir_connection_events_get_for_connection (conn), "domain-event",
                      G_CALLBACK (on_domain_event_where), &generic);

    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_cmpint (virDomainResume (dom), ==, 0);
    deadline = g_get_monotonic_time () + WAIT_US;
    while ((typed.count < 2 || generic.count < 2) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (mine, FALSE) || (g_usleep (1000), TRUE);
    g_assert_cmpint (typed.count, ==, 2);
    g_assert_cmpint (generic.count, ==, 2);
    g_assert_true (typed.thread == g_thread_self ());
    g_assert_true (generic.thread == g_thread_self ());

    g_signal_handlers_disconnect_by_data (gvir_domain_events_get_for_domain (domain), &typed);
    g_signal_handlers_disconnect_by_data (gvir_connection_events_get_for_connection (conn), &generic);
    g_object_unref (domain);
    gvir_connection_close (conn);
    g_object_unref (conn);
    while (g_main_context_iteration (mine, FALSE));
    g_main_context_pop_thread_default (mine);

    g_atomic_int_set (&stop_loop, TRUE);
    g_idle_add (wake, NULL);
    g_main_context_wakeup (g_main_context_default ());
    g_thread_join (loop);
    while (g_main_context_iteration (NULL, FALSE));
    while (g_main_context_iteration (mine, FALSE));
    g_main_context_unref (mine);
    virDomainFree (dom);
    virConnectClose (raw);
}

/*
 * Two parts of one program (issue 24): a library on a worker thread that
 * pushes a thread-default context of its own and asks for the companions
 * first, and the application's main thread.  Both hear every signal on
 * the main thread, from the global default context: who asks first does
 * not choose the thread.  Nothing runs the worker's context meanwhile, so
 * an emission queued there would never be heard.
 */
typedef struct {
    GVirConnection *conn;
    GMainContext *context;
    Heard typed, generic;
    gint ready;
    gint release;
} Plugin;

static gpointer
run_plugin (gpointer data)
{
    Plugin *plugin = data;
    GVirDomain *domain;

    g_main_context_push_thread_default (plugin->context);
    domain = gvir_connection_find_domain_by_name (plugin->conn, "test");
    g_assert_nonnull (domain);
    g_signal_connect (gvir_connection_events_get_for_connection (plugin->conn), "domain-event",
                      G_CALLBACK (on_domain_event_where), &plugin->generic);
    g_signal_connect (gvir_domain_events_get_for_domain (domain), "lifecycle",
                      G_CALLBACK (on_lifecycle_where), &plugin->typed);
    g_object_unref (domain);
    g_atomic_int_set (&plugin->ready, TRUE);
    while (!g_atomic_int_get (&plugin->release))
        g_usleep (1000);
    g_main_context_pop_thread_default (plugin->context);
    return NULL;
}

static void
test_context_first_asker (void)
{
    g_autoptr(GError) error = NULL;
    Plugin plugin = { 0, };
    Heard typed = { NULL, 0 }, generic = { NULL, 0 };
    GVirDomain *domain;
    GVirDomainEvents *events;
    GThread *worker;
    virConnectPtr raw = virConnectOpen ("test:///default");
    virDomainPtr dom;
    gint64 deadline;

    g_assert_nonnull (raw);
    dom = virDomainLookupByName (raw, "test");
    g_assert_nonnull (dom);

    plugin.conn = gvir_connection_new ("test:///default");
    plugin.context = g_main_context_new ();
    g_assert_true (gvir_connection_open (plugin.conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (plugin.conn, NULL, &error));
    g_assert_no_error (error);

    worker = g_thread_new ("plugin", run_plugin, &plugin);
    while (!g_atomic_int_get (&plugin.ready))
        g_usleep (1000);

    /* the application's part, second */
    domain = gvir_connection_find_domain_by_name (plugin.conn, "test");
    events = gvir_domain_events_get_for_domain (domain);
    g_signal_connect (events, "lifecycle", G_CALLBACK (on_lifecycle_where), &typed);
    g_signal_connect (gvir_connection_events_get_for_connection (plugin.conn), "domain-event",
                      G_CALLBACK (on_domain_event_where), &generic);

    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_cmpint (virDomainResume (dom), ==, 0);
    deadline = g_get_monotonic_time () + WAIT_US;
    while ((typed.count < 2 || generic.count < 2 || plugin.typed.count < 2 ||
            plugin.generic.count < 2) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    g_assert_cmpint (typed.count, ==, 2);
    g_assert_cmpint (generic.count, ==, 2);
    g_assert_cmpint (plugin.typed.count, ==, 2);
    g_assert_cmpint (plugin.generic.count, ==, 2);
    g_assert_true (typed.thread == g_thread_self ());
    g_assert_true (generic.thread == g_thread_self ());
    g_assert_true (plugin.typed.thread == g_thread_self ());
    g_assert_true (plugin.generic.thread == g_thread_self ());
    /* nothing was left for the worker's context */
    g_assert_false (g_main_context_pending (plugin.context));

    g_atomic_int_set (&plugin.release, TRUE);
    g_thread_join (worker);
    g_signal_handlers_disconnect_by_data (events, &typed);
    g_signal_handlers_disconnect_by_data (events, &plugin.typed);
    g_signal_handlers_disconnect_by_data (gvir_connection_events_get_for_connection (plugin.conn), &generic);
    g_signal_handlers_disconnect_by_data (gvir_connection_events_get_for_connection (plugin.conn),
                                          &plugin.generic);
    g_object_unref (domain);
    gvir_connection_close (plugin.conn);
    g_object_unref (plugin.conn);
    while (g_main_context_iteration (NULL, FALSE));
    while (g_main_context_iteration (plugin.context, FALSE));
    g_main_context_unref (plugin.context);
    virDomainFree (dom);
    virConnectClose (raw);
}

/* Once another companion of the connection exists, the choice is refused, loudly. */
static void
test_context_too_late (void)
{
    if (g_test_subprocess ()) {
        g_autoptr(GError) error = NULL;
        GVirConnection *conn = gvir_connection_new ("test:///default");
        GMainContext *mine = g_main_context_new ();
        GVirDomain *domain;

        g_assert_true (gvir_connection_open (conn, NULL, &error));
        g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
        domain = gvir_connection_find_domain_by_name (conn, "test");
        gvir_domain_events_get_for_domain (domain);
        gvir_connection_events_set_main_context (gvir_connection_events_get_for_connection (conn), mine);
        return;
    }
    g_test_trap_subprocess (NULL, 0, 0);
    g_test_trap_assert_failed ();
    g_test_trap_assert_stderr ("*too late*");
}

static void
on_keeper (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

int
main (int argc, char **argv)
{
    virConnectPtr keeper;
    int keeper_id, ret;

    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);

    /*
     * One connection and registration on the test driver for the whole run.
     * Without it, the rounds' closes take the driver's callback count to 0,
     * which removes its event timer while other threads queue events, and
     * libvirt 9.0's test driver then stops delivering events altogether
     * ("Update of missing timer -1" in libvirt-glib's debug log; libvirt-
     * gobject's own callback falls silent too).
     */
    keeper = virConnectOpen ("test:///default");
    g_assert_nonnull (keeper);
    keeper_id = virConnectDomainEventRegisterAny (keeper, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                  VIR_DOMAIN_EVENT_CALLBACK (on_keeper), NULL, NULL);
    g_assert_cmpint (keeper_id, >=, 0);

    g_test_add_func ("/threads/workers", test_workers);
    g_test_add_func ("/threads/attach-race", test_attach_race);
    g_test_add_func ("/threads/context", test_context);
    g_test_add_func ("/threads/context-first-asker", test_context_first_asker);
    g_test_add_func ("/threads/context-too-late", test_context_too_late);
    ret = g_test_run ();

    virConnectDomainEventDeregisterAny (keeper, keeper_id);
    virConnectClose (keeper);
    return ret;
}
