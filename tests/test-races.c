/*
 * test-races.c: the races a review found, made to happen every time
 *
 * A private hook stops one thread at the point where another can race it
 * (before a hub's registrations, before a dispatch touches its hub); the
 * test then runs the other thread into that window and checks the outcome.
 * Each of these failed before its fix (a use-after-free under
 * AddressSanitizer, a blocked thread, an event emitted twice).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "gvir-events-hub-private.h"
#include "gvir-events-util-private.h"

#include "test-utils.h"

#define TIMEOUT_US (10 * G_USEC_PER_SEC)

/* A gate a hooked thread waits at until the test opens it. */
typedef struct {
    GMutex lock;
    GCond cond;
    gpointer target;                /* what the hook stops for */
    gboolean reached;
    gboolean open;
} Gate;

static Gate gate;

static void
gate_arm (gpointer target)
{
    g_mutex_lock (&gate.lock);
    gate.target = target;
    gate.reached = FALSE;
    gate.open = FALSE;
    g_mutex_unlock (&gate.lock);
}

/* The hooked thread: says it is there, and waits for the gate to open. */
static void
gate_pass (void)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

    g_mutex_lock (&gate.lock);
    gate.reached = TRUE;
    g_cond_broadcast (&gate.cond);
    while (!gate.open && g_cond_wait_until (&gate.cond, &gate.lock, deadline));
    gate.target = NULL;
    g_mutex_unlock (&gate.lock);
}

static gboolean
gate_wait_reached (void)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
    gboolean reached;

    g_mutex_lock (&gate.lock);
    while (!gate.reached && g_cond_wait_until (&gate.cond, &gate.lock, deadline));
    reached = gate.reached;
    g_mutex_unlock (&gate.lock);
    return reached;
}

static void
gate_open (void)
{
    g_mutex_lock (&gate.lock);
    gate.open = TRUE;
    g_cond_broadcast (&gate.cond);
    g_mutex_unlock (&gate.lock);
}

static gboolean
gate_is_for (gpointer data)
{
    gboolean mine;

    g_mutex_lock (&gate.lock);
    mine = gate.target != NULL && gate.target == data;
    g_mutex_unlock (&gate.lock);
    return mine;
}

static void
hook_register (GVirEventsHubHookPoint point, gpointer data)
{
    if (point == GVIR_EVENTS_HUB_HOOK_REGISTER && gate_is_for (data))
        gate_pass ();
}

static GVirConnection *
open_connection (virConnectPtr *handle)
{
    g_autoptr(GError) error = NULL;
    GVirConnection *conn = gvir_connection_new ("test:///default");

    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
    g_assert_no_error (error);
    g_object_get (conn, "handle", handle, NULL);
    g_assert_nonnull (*handle);
    return conn;
}

static void
close_connection (GVirConnection *conn, virConnectPtr handle)
{
    virConnectClose (handle);
    gvir_connection_close (conn);
    g_object_unref (conn);
    while (g_main_context_iteration (NULL, FALSE));
}

static void
on_domain_event (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain G_GNUC_UNUSED,
                 GVirEvent *event G_GNUC_UNUSED, gpointer counter)
{
    g_atomic_int_inc ((gint *) counter);
}

static gpointer
get_companion (gpointer conn)
{
    return gvir_connection_events_get_for_connection (conn);
}

static gint other_done;

static gpointer
get_companion_and_say (gpointer conn)
{
    gpointer companion = gvir_connection_events_get_for_connection (conn);

    g_atomic_int_set (&other_done, TRUE);
    return companion;
}

/*
 * Item 4: a connection whose registrations are slow (a remote link) must
 * not hold up the companions of another connection.
 */
static void
test_slow_registration (void)
{
    virConnectPtr slow_handle, other_handle;
    GVirConnection *slow = open_connection (&slow_handle);
    GVirConnection *other = open_connection (&other_handle);
    GThread *slow_thread, *other_thread;
    gint64 deadline;

    _gvir_events_hub_test_hook = hook_register;
    gate_arm (slow_handle);
    slow_thread = g_thread_new ("slow", get_companion, slow);
    g_assert_true (gate_wait_reached ());

    /* the other connection's companion is made, registered, while the first is stuck */
    g_atomic_int_set (&other_done, FALSE);
    other_thread = g_thread_new ("other", get_companion_and_say, other);
    deadline = g_get_monotonic_time () + TIMEOUT_US;
    while (!g_atomic_int_get (&other_done) && g_get_monotonic_time () < deadline)
        g_usleep (1000);
    g_assert_true (g_atomic_int_get (&other_done));
    g_assert_true (gvir_connection_events_supports (gvir_connection_events_get_for_connection (other),
                                                    GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));

    gate_open ();
    g_assert_true (g_thread_join (other_thread) == gvir_connection_events_get_for_connection (other));
    g_assert_true (g_thread_join (slow_thread) == gvir_connection_events_get_for_connection (slow));
    g_assert_true (gvir_connection_events_supports (gvir_connection_events_get_for_connection (slow),
                                                    GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    _gvir_events_hub_test_hook = NULL;

    close_connection (slow, slow_handle);
    close_connection (other, other_handle);
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, 0);
}

static gpointer
emit_opened (gpointer conn)
{
    /* what libvirt-gobject does on its GTask thread in gvir_connection_open_async() */
    g_signal_emit_by_name (conn, "connection-opened");
    return NULL;
}

/*
 * Item 3: connection-opened (on another thread) while the companion is
 * attaching: one registration, one emission per event.
 */
static void
test_double_attach (void)
{
    virConnectPtr handle;
    GVirConnection *conn = open_connection (&handle);
    virDomainPtr dom = virDomainLookupByName (handle, "test");
    GThread *getter, *opener;
    GVirConnectionEvents *events;
    gint heard = 0;
    gint64 settle;

    g_assert_nonnull (dom);
    _gvir_events_hub_test_hook = hook_register;
    gate_arm (handle);
    getter = g_thread_new ("getter", get_companion, conn);
    g_assert_true (gate_wait_reached ());

    /* the companion exists (its attach is stuck): the signal reaches it */
    opener = g_thread_new ("opener", emit_opened, conn);
    g_usleep (100 * 1000);
    gate_open ();
    events = g_thread_join (getter);
    g_thread_join (opener);
    _gvir_events_hub_test_hook = NULL;

    g_signal_connect (events, "domain-event", G_CALLBACK (on_domain_event), &heard);
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_true (test_wait_for_count ((const guint *) &heard, 1, 5000));
    settle = g_get_monotonic_time () + 100 * 1000;
    while (g_get_monotonic_time () < settle)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    g_assert_cmpint (heard, ==, 1);

    g_assert_cmpint (virDomainResume (dom), ==, 0);
    g_signal_handlers_disconnect_by_data (events, &heard);
    virDomainFree (dom);
    close_connection (conn, handle);
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, 0);
}

static GVirConnection *closing_conn;

static gpointer
close_in_thread (gpointer conn)
{
    gvir_connection_close (conn);
    return NULL;
}

static void
hook_dispatch (GVirEventsHubHookPoint point, gpointer data G_GNUC_UNUSED)
{
    GThread *closer;

    if (point != GVIR_EVENTS_HUB_HOOK_DISPATCH || !gate_is_for (closing_conn))
        return;
    gate_arm (NULL);
    /*
     * libvirt has picked this callback and is calling it: another thread
     * closes the connection now, all the way, before the callback goes on.
     */
    closer = g_thread_new ("closer", close_in_thread, closing_conn);
    g_thread_join (closer);
    g_mutex_lock (&gate.lock);
    gate.reached = TRUE;
    g_mutex_unlock (&gate.lock);
}

/*
 * Item 1: the connection closed on another thread while libvirt is already
 * calling one of its callbacks on the main thread.  The hub must outlive
 * that call (libvirt gives each registration's reference back through its
 * free callback), then be freed.
 */
static void
test_dispatch_during_close (void)
{
    virConnectPtr handle;
    GVirConnection *conn = open_connection (&handle);
    virConnectPtr raw = virConnectOpen ("test:///default");
    virDomainPtr dom;
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    gint heard = 0;

    g_assert_nonnull (raw);
    dom = virDomainLookupByName (raw, "test");
    g_assert_nonnull (dom);
    g_signal_connect (events, "domain-event", G_CALLBACK (on_domain_event), &heard);
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, 1);

    closing_conn = conn;
    gate_arm (conn);
    _gvir_events_hub_test_hook = hook_dispatch;
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    while (!gate.reached)
        g_main_context_iteration (NULL, TRUE);
    _gvir_events_hub_test_hook = NULL;
    while (g_main_context_iteration (NULL, FALSE));

    /* closed before the callback went on: nothing emitted, and nothing left */
    g_assert_cmpint (heard, ==, 0);
    g_assert_false (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, 0);

    g_assert_cmpint (virDomainResume (dom), ==, 0);
    virDomainFree (dom);
    virConnectClose (raw);
    close_connection (conn, handle);
}
/* A daemon dying under the reconnection or guest-agent worker: libvirt's
 * write(2) on the dead socket raises SIGPIPE in that thread.  With the
 * default disposition (a C program that did not ignore it), the guard must
 * keep the process alive, leave nothing pending and restore the mask. */
static gpointer
write_to_closed_pipe (gpointer data G_GNUC_UNUSED)
{
    GVirEventsSigpipeGuard guard;
    sigset_t before, after, pending;
    int fds[2];
    ssize_t written;

    g_assert_no_errno (pipe (fds));
    close (fds[0]);
    pthread_sigmask (SIG_SETMASK, NULL, &before);

    _gvir_events_sigpipe_block (&guard);
    written = write (fds[1], "x", 1);
    g_assert_cmpint (written, ==, -1);
    g_assert_cmpint (errno, ==, EPIPE);
    _gvir_events_sigpipe_unblock (&guard);

    sigemptyset (&pending);
    sigpending (&pending);
    g_assert_false (sigismember (&pending, SIGPIPE));
    pthread_sigmask (SIG_SETMASK, NULL, &after);
    g_assert_cmpint (sigismember (&after, SIGPIPE), ==, sigismember (&before, SIGPIPE));
    close (fds[1]);
    return GINT_TO_POINTER (TRUE);
}

static void
test_sigpipe_guard (void)
{
    GThread *thread;

    signal (SIGPIPE, SIG_DFL);
    thread = g_thread_new ("sigpipe", write_to_closed_pipe, NULL);
    g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
}


int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);

    g_test_add_func ("/races/dispatch-during-close", test_dispatch_during_close);
    g_test_add_func ("/races/slow-registration", test_slow_registration);
    g_test_add_func ("/races/double-attach", test_double_attach);
    g_test_add_func ("/races/sigpipe-guard", test_sigpipe_guard);

    return g_test_run ();
}
