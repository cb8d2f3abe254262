/*
 * test-outage.c: outages as a GTK application meets them, through the
 * harness's fault-injecting relay
 *
 * The program's connection goes to the private libvirtd's test driver
 * through tests/integration/hv-harness's relay, which drops, stalls and
 * freezes links without restarting the daemon (test_control_relay()).  A
 * "keeper" connection straight to the daemon's socket keeps the test
 * driver's state (and its UUIDs) alive across the program's outages, and
 * makes the events the program must hear.  One test per defect found by
 * the review (issue "Reconnection without hangs, crashes or deaf objects"):
 *
 *   1  /outage/objects-survive      network and pool companions are not freed
 *   1  /outage/objects-gone         and are told when their object went meanwhile
 *   2a /outage/frozen-registration  getters never wait for a frozen link
 *   2b /outage/stalled-reopen       nor for a stalled reopen
 *   3  /outage/objects-survive      pools and networks fetched again, no critical
 *   4  /outage/auto-reconnect-off   closed and quiet, or fully reconnected
 *   5  /outage/old-wrapper          the same companion, no second hub
 *   6  /outage/guest-users          the agent is asked again after resync
 *   7  /outage/main-context         the program's objects live and die on its thread
 *   soak /outage/tables-filled      libvirt-gobject's lookups work once reattaching
 *
 * G_DEBUG=fatal-criticals (tests/meson.build) turns any critical into a
 * failure.  Run by the harness, which skips (77) where it cannot run its
 * daemon, a failure under GVIR_EVENTS_REQUIRE_HYPERVISOR=1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "libvirt-gevents/gvir-events-hub-private.h"
#include "test-utils.h"

/* libvirt-gobject 4.0 defines none */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirDomain, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirNetwork, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirStoragePool, g_object_unref)

#define TIMEOUT_MS 20000
/* what "no main-thread call waits" means here (issue 18) */
#define MAX_WAIT_US (500 * G_USEC_PER_SEC / 1000)

static gchar *relay_uri;            /* the test driver, through the relay */
static gchar *direct_uri;           /* the test driver, straight to the daemon */
static GThread *main_thread;

typedef struct {
    virConnectPtr keeper;
    GVirConnection *conn;
    GVirConnectionEvents *events;
    guint disconnected;
    guint reconnected;
} Fixture;

static void
count (gpointer counter)
{
    (*(guint *) counter)++;
}

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    f->keeper = virConnectOpen (direct_uri);
    g_assert_nonnull (f->keeper);
    f->conn = gvir_connection_new (relay_uri);
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    g_assert_true (gvir_connection_fetch_networks (f->conn, NULL, &error));
    g_assert_true (gvir_connection_fetch_storage_pools (f->conn, NULL, &error));
    g_assert_no_error (error);
    f->events = gvir_connection_events_get_for_connection (f->conn);
    /* a frozen link is declared dead after about three seconds */
    g_object_set (f->events, "reconnect-interval", 100, "keepalive-interval", 1,
                  "keepalive-count", 2, NULL);
    g_signal_connect_swapped (f->events, "disconnected", G_CALLBACK (count), &f->disconnected);
    g_signal_connect_swapped (f->events, "reconnected", G_CALLBACK (count), &f->reconnected);
    while (g_main_context_iteration (NULL, FALSE));
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *released = test_control_relay ("release");

    _gvir_events_hub_test_hook = NULL;
    if (f->events) {
        g_signal_handlers_disconnect_by_data (f->events, &f->disconnected);
        g_signal_handlers_disconnect_by_data (f->events, &f->reconnected);
    }
    if (f->conn) {
        gvir_connection_close (f->conn);
        g_clear_object (&f->conn);
    }
    virConnectClose (f->keeper);
    while (g_main_context_iteration (NULL, FALSE));
}

/* Drops the program's link and waits for the reconnection to complete. */
static void
outage (Fixture *f)
{
    guint disconnected = f->disconnected, reconnected = f->reconnected;
    g_autofree gchar *dropped = test_control_relay ("drop");

    g_assert_true (test_wait_for_count (&f->disconnected, disconnected + 1, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&f->reconnected, reconnected + 1, TIMEOUT_MS));
    g_assert_true (gvir_connection_events_get_connected (f->events));
}

/* Defects 1 and 3: the network and pool companions and their handlers survive, with no critical. */
static void
test_objects_survive (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GVirNetwork) network = gvir_connection_find_network_by_name (f->conn, "default");
    g_autoptr(GVirStoragePool) pool = gvir_connection_find_storage_pool_by_name (f->conn, "default-pool");
    GVirNetworkEvents *network_events;
    GVirStoragePoolEvents *pool_events;
    gpointer network_alive, pool_alive;
    TestRecorder heard, all;
    virNetworkPtr net;
    virStoragePoolPtr raw_pool;

    g_assert_nonnull (network);
    g_assert_nonnull (pool);
    network_events = gvir_network_events_get_for_network (network);
    pool_events = gvir_storage_pool_events_get_for_storage_pool (pool);
    /* transfer none: the program keeps only these pointers, as the docs show */
    network_alive = network_events;
    pool_alive = pool_events;
    g_object_add_weak_pointer (G_OBJECT (network_events), &network_alive);
    g_object_add_weak_pointer (G_OBJECT (pool_events), &pool_alive);
    test_recorder_init (&heard);
    test_recorder_init (&all);
    test_recorder_connect (&heard, network_events, "lifecycle");
    test_recorder_connect (&heard, pool_events, "refresh");
    test_recorder_connect (&all, f->events, "object-event");
    g_clear_object (&network);
    g_clear_object (&pool);

    outage (f);
    g_assert_true (network_alive == network_events);
    g_assert_true (pool_alive == pool_events);
    /* libvirt-gobject's tables are filled again before reconnected */
    network = gvir_connection_find_network_by_name (f->conn, "default");
    pool = gvir_connection_find_storage_pool_by_name (f->conn, "default-pool");
    g_assert_nonnull (network);
    g_assert_nonnull (pool);
    /* the companions' objects are the new link's, so calls on them work */
    g_assert_true (gvir_object_events_get_object (GVIR_OBJECT_EVENTS (network_events)) ==
                   G_OBJECT (network));

    net = virNetworkLookupByName (f->keeper, "default");
    g_assert_nonnull (net);
    g_assert_cmpint (virNetworkDestroy (net), ==, 0);
    g_assert_cmpint (virNetworkCreate (net), ==, 0);
    virNetworkFree (net);
    raw_pool = virStoragePoolLookupByName (f->keeper, "default-pool");
    g_assert_nonnull (raw_pool);
    g_assert_cmpint (virStoragePoolRefresh (raw_pool, 0), ==, 0);
    virStoragePoolFree (raw_pool);
    g_assert_true (test_wait_for_count (&heard.emissions->len, 3, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&all.emissions->len, 3, TIMEOUT_MS));
    g_assert_cmpstr (test_recorder_get (&heard, 0)->signal, ==, "lifecycle");
    g_assert_cmpstr (test_recorder_get (&heard, 2)->signal, ==, "refresh");

    /* what a program does with its pointers when its view closes */
    g_assert_cmpuint (g_signal_handlers_disconnect_by_data (network_events, &heard), ==, 1);
    g_assert_cmpuint (g_signal_handlers_disconnect_by_data (pool_events, &heard), ==, 1);
    g_signal_handlers_disconnect_by_data (f->events, &all);
    g_object_remove_weak_pointer (G_OBJECT (network_events), &network_alive);
    g_object_remove_weak_pointer (G_OBJECT (pool_events), &pool_alive);
    test_recorder_clear (&heard);
    test_recorder_clear (&all);
}

/*
 * Defect 1, the other half: a network and a pool undefined during the
 * outage are told like a domain that is gone (a synthesized undefined on
 * the companion), then forgotten: the same name defined again is a new
 * companion, and the old one, still held, hears nothing of it.
 */
static void
test_objects_gone (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GVirNetwork) network = NULL;
    g_autoptr(GVirNetwork) again = NULL;
    g_autoptr(GVirStoragePool) pool = NULL;
    g_autoptr(GVirNetworkEvents) network_events = NULL;
    g_autoptr(GVirStoragePoolEvents) pool_events = NULL;
    g_autofree gchar *stalled = NULL, *dropped = NULL;
    TestRecorder net_heard, pool_heard, all;
    virNetworkPtr net;
    virStoragePoolPtr raw_pool;
    TestRecorder pools;

    /* the definitions' own events come first, and are not the point */
    test_recorder_init (&all);
    test_recorder_init (&pools);
    test_recorder_connect (&all, f->events, "network-lifecycle");
    test_recorder_connect (&pools, f->events, "storage-pool-lifecycle");
    net = virNetworkDefineXML (f->keeper, "<network><name>outage-net</name>"
                                          "<bridge name='virbr77'/></network>");
    raw_pool = virStoragePoolDefineXML (f->keeper, "<pool type='dir'><name>outage-pool</name>"
                                                   "<target><path>/outage-pool</path></target></pool>", 0);
    g_assert_nonnull (net);
    g_assert_nonnull (raw_pool);
    g_assert_true (test_wait_for_count (&all.emissions->len, 1, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&pools.emissions->len, 1, TIMEOUT_MS));
    g_assert_true (gvir_connection_fetch_networks (f->conn, NULL, &error));
    g_assert_true (gvir_connection_fetch_storage_pools (f->conn, NULL, &error));
    g_assert_no_error (error);
    network = gvir_connection_find_network_by_name (f->conn, "outage-net");
    pool = gvir_connection_find_storage_pool_by_name (f->conn, "outage-pool");
    g_assert_nonnull (network);
    g_assert_nonnull (pool);
    /* held: what a program keeps for a view that stays open */
    network_events = g_object_ref (gvir_network_events_get_for_network (network));
    pool_events = g_object_ref (gvir_storage_pool_events_get_for_storage_pool (pool));
    test_recorder_init (&net_heard);
    test_recorder_init (&pool_heard);
    test_recorder_connect (&net_heard, network_events, "lifecycle");
    test_recorder_connect (&pool_heard, pool_events, "lifecycle");

    stalled = test_control_relay ("stall 1");
    dropped = test_control_relay ("drop");
    g_assert_true (test_wait_for_count (&f->disconnected, 1, TIMEOUT_MS));
    /* while the program cannot hear it */
    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    g_assert_cmpint (virStoragePoolUndefine (raw_pool), ==, 0);
    virNetworkFree (net);
    virStoragePoolFree (raw_pool);
    g_assert_true (test_wait_for_count (&f->reconnected, 1, TIMEOUT_MS));

    g_assert_true (test_wait_for_count (&net_heard.emissions->len, 1, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&pool_heard.emissions->len, 1, TIMEOUT_MS));
    g_assert_cmpint (g_value_get_enum (&test_recorder_get (&net_heard, 0)->values[0]), ==,
                     GVIR_NETWORK_LIFECYCLE_EVENT_UNDEFINED);
    g_assert_cmpint (g_value_get_enum (&test_recorder_get (&pool_heard, 0)->values[0]), ==,
                     GVIR_STORAGE_POOL_LIFECYCLE_EVENT_UNDEFINED);
    /* the connection's signal told it too, with the network it was about */
    g_assert_cmpuint (test_recorder_count (&all), ==, 2);
    g_assert_cmpstr (gvir_network_get_name (g_value_get_object (&test_recorder_get (&all, 1)->values[0])),
                     ==, "outage-net");
    g_assert_cmpint (g_value_get_enum (&test_recorder_get (&all, 1)->values[1]), ==,
                     GVIR_NETWORK_LIFECYCLE_EVENT_UNDEFINED);
    g_assert_cmpuint (test_recorder_count (&pools), ==, 2);

    /* a new network of the same name is another object, with its own companion */
    net = virNetworkDefineXML (f->keeper, "<network><name>outage-net</name>"
                                          "<bridge name='virbr77'/></network>");
    g_assert_nonnull (net);
    g_assert_true (test_wait_for_count (&all.emissions->len, 3, TIMEOUT_MS));
    g_assert_true (gvir_connection_fetch_networks (f->conn, NULL, &error));
    g_assert_no_error (error);
    again = gvir_connection_find_network_by_name (f->conn, "outage-net");
    g_assert_nonnull (again);
    g_assert_true (gvir_network_events_get_for_network (again) != network_events);
    test_iterate_for (200);
    g_assert_cmpuint (test_recorder_count (&net_heard), ==, 1);
    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    virNetworkFree (net);

    g_signal_handlers_disconnect_by_data (network_events, &net_heard);
    g_signal_handlers_disconnect_by_data (pool_events, &pool_heard);
    g_signal_handlers_disconnect_by_data (f->events, &all);
    g_signal_handlers_disconnect_by_data (f->events, &pools);
    test_recorder_clear (&net_heard);
    test_recorder_clear (&pool_heard);
    test_recorder_clear (&all);
    test_recorder_clear (&pools);
}

/* The longest of the program's main-thread calls, in us, while the link is faulty. */
static gint64
time_calls (Fixture *f)
{
    gint64 longest = 0;
    GVirDomainEventKind kinds[] = { GVIR_DOMAIN_EVENT_KIND_LIFECYCLE, GVIR_DOMAIN_EVENT_KIND_IO_ERROR };

    for (guint i = 0; i < G_N_ELEMENTS (kinds) + 4; i++) {
        gint64 start = g_get_monotonic_time ();

        switch (i) {
        case 0: gvir_connection_is_open (f->conn); break;
        case 1: g_list_free_full (gvir_connection_get_domains (f->conn), g_object_unref); break;
        case 2: gvir_connection_events_supports_object_event (f->events,
                                                              GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE); break;
        case 3: g_object_set (f->events, "keepalive-count", 2, NULL); break;
        default: gvir_connection_events_supports (f->events, kinds[i - 4]); break;
        }
        gint64 took = g_get_monotonic_time () - start;

        longest = MAX (longest, took);
    }
    return longest;
}

/* Defect 2b: new links stall for 3 s; the program's calls and its main loop go on. */
static void
test_stalled_reopen (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *stalled = test_control_relay ("stall 3");
    g_autofree gchar *dropped = test_control_relay ("drop");
    gint64 start = g_get_monotonic_time (), deadline;
    gint64 longest_call = 0, longest_gap;

    /* A dropped link is told at once: the whole wait counts as one gap,
     * since a main loop blocked under the iteration would hide here. */
    g_assert_true (test_wait_for_count (&f->disconnected, 1, TIMEOUT_MS));
    longest_gap = g_get_monotonic_time () - start;
    deadline = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        /* once each: MAX() evaluates its arguments twice */
        gint64 call = time_calls (f), gap = test_iterate_for (100);

        longest_call = MAX (longest_call, call);
        longest_gap = MAX (longest_gap, gap);
    }
    g_test_message ("longest call %" G_GINT64_FORMAT " us, longest main-loop gap %"
                    G_GINT64_FORMAT " us", longest_call, longest_gap);
    g_assert_cmpint (longest_call, <, MAX_WAIT_US);
    g_assert_cmpint (longest_gap, <, MAX_WAIT_US);
    g_assert_true (test_wait_for_count (&f->reconnected, 1, TIMEOUT_MS));
}

static gint frozen;                 /* atomic: the hook froze the relay */

/* Worker: the registrations on the new link are about to start: freeze it. */
static void
freeze_before_registering (GVirEventsHubHookPoint point, gpointer data G_GNUC_UNUSED)
{
    if (point != GVIR_EVENTS_HUB_HOOK_REGISTER || g_atomic_int_get (&frozen))
        return;
    g_free (test_control_relay ("freeze"));
    g_atomic_int_set (&frozen, 1);
}

/* Defect 2a: the link freezes under the registrations; getters and setters never wait. */
static void
test_frozen_registration (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *dropped = NULL;
    gint64 longest_call = 0, deadline;

    g_atomic_int_set (&frozen, 0);
    _gvir_events_hub_test_hook = freeze_before_registering;
    dropped = test_control_relay ("drop");
    g_assert_true (test_wait_for_count (&f->disconnected, 1, TIMEOUT_MS));
    g_assert_true (test_wait_for_count ((guint *) &frozen, 1, TIMEOUT_MS));
    deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        gint64 call = time_calls (f);

        longest_call = MAX (longest_call, call);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
    }
    g_test_message ("longest call with the link frozen: %" G_GINT64_FORMAT " us", longest_call);
    g_assert_cmpint (longest_call, <, MAX_WAIT_US);
    g_assert_false (gvir_connection_events_get_connected (f->events));

    g_free (test_control_relay ("release"));
    g_assert_true (test_wait_for_count (&f->reconnected, 1, TIMEOUT_MS));
    _gvir_events_hub_test_hook = NULL;
    /* and it hears again */
    outage (f);
}

static gint registering;            /* atomic: the hook saw a reattach start */

static void
note_registering (GVirEventsHubHookPoint point, gpointer data G_GNUC_UNUSED)
{
    if (point != GVIR_EVENTS_HUB_HOOK_REGISTER)
        return;
    g_atomic_int_set (&registering, 1);
    /* leaves the main thread time to act while the attempt is under way */
    g_usleep (300 * 1000);
}

/* Defect 4: auto-reconnect off at any moment ends closed and quiet, or fully reconnected. */
static void
test_auto_reconnect_off (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *stalled = test_control_relay ("stall 2");
    g_autofree gchar *dropped = test_control_relay ("drop");
    GVirDomain *before;
    virDomainPtr handle = NULL;
    int state, reason;

    /* while the daemon does not answer: the attempt is dropped */
    g_assert_true (test_wait_for_count (&f->disconnected, 1, TIMEOUT_MS));
    g_object_set (f->events, "auto-reconnect", FALSE, NULL);
    g_free (test_control_relay ("release"));
    test_iterate_for (3000);
    g_assert_cmpuint (f->reconnected, ==, 0);
    g_assert_false (gvir_connection_events_get_connected (f->events));

    /* on again: reconnected, and the companion's domain works for calls */
    g_object_set (f->events, "auto-reconnect", TRUE, NULL);
    g_assert_true (test_wait_for_count (&f->reconnected, 1, TIMEOUT_MS));
    g_assert_true (gvir_connection_events_get_connected (f->events));

    /* once the connection is reopened: the attempt completes */
    g_atomic_int_set (&registering, 0);
    _gvir_events_hub_test_hook = note_registering;
    g_free (test_control_relay ("drop"));
    g_assert_true (test_wait_for_count (&f->disconnected, 2, TIMEOUT_MS));
    g_assert_true (test_wait_for_count ((guint *) &registering, 1, TIMEOUT_MS));
    g_object_set (f->events, "auto-reconnect", FALSE, NULL);
    g_assert_true (test_wait_for_count (&f->reconnected, 2, TIMEOUT_MS));
    g_assert_true (gvir_connection_events_get_connected (f->events));
    _gvir_events_hub_test_hook = NULL;

    before = gvir_connection_find_domain_by_name (f->conn, "test");
    g_assert_nonnull (before);
    handle = NULL;
    g_object_get (gvir_domain_events_get_domain (gvir_domain_events_get_for_domain (before)),
                  "handle", &handle, NULL);
    g_assert_cmpint (virDomainGetState (handle, &state, &reason, 0), ==, 0);
    virDomainFree (handle);
    g_object_unref (before);
}

/*
 * Found by the soak: libvirt-gobject's find_*() read its tables without a
 * NULL check, and the reopen's close empties them.  Once the reattach has
 * begun (the worker is in the hook), the program's lookups find them
 * filled: a critical (fatal here) when they were filled on the worker.
 */
static void
test_tables_filled (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_atomic_int_set (&registering, 0);
    _gvir_events_hub_test_hook = note_registering;
    g_free (test_control_relay ("drop"));
    g_assert_true (test_wait_for_count ((guint *) &registering, 1, TIMEOUT_MS));
    g_assert_cmpuint (f->reconnected, ==, 0);
    g_assert_true (gvir_connection_is_open (f->conn));
    g_object_unref (gvir_connection_find_domain_by_name (f->conn, "test"));
    g_object_unref (gvir_connection_find_network_by_name (f->conn, "default"));
    g_object_unref (gvir_connection_find_storage_pool_by_name (f->conn, "default-pool"));
    g_assert_true (test_wait_for_count (&f->reconnected, 1, TIMEOUT_MS));
    _gvir_events_hub_test_hook = NULL;
}

/* Defect 5: a wrapper from before the outage finds the live companion; no second hub. */
static void
test_old_wrapper (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GVirDomain) old = gvir_connection_find_domain_by_name (f->conn, "test");
    g_autoptr(GVirNetwork) old_network = gvir_connection_find_network_by_name (f->conn, "default");
    g_autoptr(GVirDomain) fresh = NULL;
    GVirDomainEvents *companion;
    GVirNetworkEvents *network_companion;
    guint hubs;

    g_assert_nonnull (old);
    companion = gvir_domain_events_get_for_domain (old);
    network_companion = gvir_network_events_get_for_network (old_network);
    hubs = _gvir_events_hub_n_allocated ();

    outage (f);
    g_assert_true (gvir_domain_events_get_for_domain (old) == companion);
    g_assert_true (gvir_network_events_get_for_network (old_network) == network_companion);
    fresh = gvir_connection_find_domain_by_name (f->conn, "test");
    g_assert_nonnull (fresh);
    g_assert_true (fresh != old);
    g_assert_true (gvir_domain_events_get_for_domain (fresh) == companion);
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, hubs);
}

/* Defect 6: an agent said gone before the outage is asked again after the resync. */
static void
test_guest_users (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GVirDomain) domain = gvir_connection_find_domain_by_name (f->conn, "test");
    GVirDomainEvents *companion = gvir_domain_events_get_for_domain (domain);
    GVirEventsHub *hub;
    virDomainPtr handle = NULL;
    TestRecorder heard;
    TestLogCapture asked;
    const GVirEventRaw disconnected[] = {
        { .i = VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED }, { .i = 0 }
    };

    g_object_get (domain, "handle", &handle, NULL);
    hub = _gvir_events_hub_acquire (virDomainGetConnect (handle));
    test_recorder_init (&heard);
    test_recorder_connect (&heard, companion, "guest-user-logon");
    /* the agent went away, as its agent-lifecycle event says */
    _gvir_events_hub_dispatch (_gvir_events_hub_get_slot (hub, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE),
                              handle, disconnected);
    test_log_capture_start (&asked, "libvirt-gevents", G_LOG_LEVEL_DEBUG, "guest");
    g_object_set (companion, "guest-users-interval", 1, NULL);
    test_iterate_for (2500);
    g_assert_cmpuint (asked.messages->len, ==, 0);

    /* it may have come back during the outage: the resync asks again, at once */
    outage (f);
    test_iterate_for (2500);
    g_assert_cmpuint (asked.messages->len, >=, 1);
    test_log_capture_stop (&asked);
    g_object_set (companion, "guest-users-interval", 0, NULL);
    g_signal_handlers_disconnect_by_data (companion, &heard);
    test_recorder_clear (&heard);
    _gvir_events_hub_unref (hub);
    virDomainFree (handle);
}

static GThread *opened_on, *closed_on, *finalized_on;

static void
on_opened (GVirConnection *conn G_GNUC_UNUSED, gpointer data G_GNUC_UNUSED)
{
    opened_on = g_thread_self ();
}

static void
on_closed (GVirConnection *conn G_GNUC_UNUSED, gpointer data G_GNUC_UNUSED)
{
    closed_on = g_thread_self ();
}

static void
on_finalized (gpointer data G_GNUC_UNUSED, GObject *where_the_object_was G_GNUC_UNUSED)
{
    finalized_on = g_thread_self ();
}

/* Defect 7: the program's GVirConnection signals, and its last unref, on the program's thread. */
static void
test_main_context (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    opened_on = closed_on = finalized_on = NULL;
    g_signal_connect (f->conn, "connection-opened", G_CALLBACK (on_opened), NULL);
    g_signal_connect (f->conn, "connection-closed", G_CALLBACK (on_closed), NULL);
    outage (f);
    g_assert_true (opened_on == main_thread);
    g_assert_true (closed_on == main_thread);

    /* the program lets its connection go while the library reattaches it */
    g_atomic_int_set (&registering, 0);
    _gvir_events_hub_test_hook = note_registering;
    g_object_weak_ref (G_OBJECT (f->conn), on_finalized, NULL);
    g_free (test_control_relay ("drop"));
    g_assert_true (test_wait_for_count ((guint *) &registering, 1, TIMEOUT_MS));
    g_signal_handlers_disconnect_by_data (f->events, &f->disconnected);
    g_signal_handlers_disconnect_by_data (f->events, &f->reconnected);
    f->events = NULL;
    g_clear_object (&f->conn);
    /* the worker's reference goes back to this thread */
    while (!finalized_on)
        g_main_context_iteration (NULL, TRUE);
    g_assert_true (finalized_on == main_thread);
    _gvir_events_hub_test_hook = NULL;
}

int
main (int argc, char **argv)
{
    const gchar *dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    const gchar *relay = g_getenv ("GVIR_EVENTS_RELAY_SOCKET");
    int ret;

    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);
    /* the program's own writes (keepalive from the event loop) are its to protect */
    signal (SIGPIPE, SIG_IGN);
    main_thread = g_thread_self ();

    if (!dir || !relay || !g_getenv ("GVIR_EVENTS_RELAY_CONTROL")) {
        g_printerr ("test-outage: run me through tests/integration/hv-harness "
                    "(its private daemon has the relay this test needs)\n");
        return g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0 ? 1 : 77;
    }
    relay_uri = g_strdup_printf ("test+unix:///default?socket=%s", relay);
    direct_uri = g_strdup_printf ("test+unix:///default?socket=%s/libvirt-sock", dir);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD ("/outage/objects-survive", test_objects_survive);
    ADD ("/outage/objects-gone", test_objects_gone);
    ADD ("/outage/stalled-reopen", test_stalled_reopen);
    ADD ("/outage/frozen-registration", test_frozen_registration);
    ADD ("/outage/auto-reconnect-off", test_auto_reconnect_off);
    ADD ("/outage/tables-filled", test_tables_filled);
    ADD ("/outage/old-wrapper", test_old_wrapper);
    ADD ("/outage/guest-users", test_guest_users);
    ADD ("/outage/main-context", test_main_context);
#undef ADD

    ret = g_test_run ();
    g_free (relay_uri);
    g_free (direct_uri);
    return ret;
}
