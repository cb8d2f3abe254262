/*
 * test-soak.c: 200 random outages in a row, as a long-running management
 * tool meets them (issue 18's soak)
 *
 * One connection of the program, through tests/integration/hv-harness's
 * relay, lives through a fixed-seed sequence of faults: the relay drops
 * its links, stalls the reopen, freezes the link until keepalive declares
 * it dead; the daemon is killed with SIGKILL and started again;
 * auto-reconnect is turned off at a random moment of an outage and on
 * again.  Meanwhile a worker thread gets companions and drops them, and a
 * "keeper" connection straight to the daemon defines, starts, stops and
 * undefines a domain and a network the program holds companions of.
 *
 * After each recovery it checks:
 *   - one "disconnected" and one "reconnected" per outage, and "connected"
 *     never TRUE while a "reconnected" is owed;
 *   - libvirt-gobject's tables were filled again (the changed domain and
 *     network are found, or not, as the daemon has them);
 *   - the held companions heard exactly the lifecycle events that explain
 *     what changed during the outage (synthesized), nothing more;
 *   - events made live after the recovery (suspend/resume of "test",
 *     destroy/create of network "default") are all heard, once each.
 * Throughout, a 10 ms timer measures the main loop's longest gap while the
 * test waits (the test's own blocking calls to the keeper and the relay
 * are not counted).  At the end, with the connection closed and every
 * reference dropped, no hub and no companion is left.
 *
 * GVIR_EVENTS_SOAK_SEED and GVIR_EVENTS_SOAK_FAULTS change the seed and the
 * number of faults (200).  Suite "soak": tools/run-tests runs it in the
 * AddressSanitizer build; G_DEBUG=fatal-criticals turns any critical into a
 * failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "libvirt-gevents/gvir-events-hub-private.h"
#include "libvirt-gevents/gvir-domain-events-private.h"
#include "test-utils.h"

/* libvirt-gobject 4.0 defines none */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirDomain, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirNetwork, g_object_unref)

#define TIMEOUT_MS 30000
/* the longest main-loop gap the soak accepts (ASan's pace included) */
#define MAX_GAP_US (1000 * 1000)

typedef enum {
    FAULT_DROP,
    FAULT_STALL,            /* new links stall, then every link is dropped */
    FAULT_TOGGLE,           /* auto-reconnect off during the outage, then on */
    FAULT_FREEZE,           /* silent peer: keepalive declares it dead */
    FAULT_KILL,             /* kill -9 of libvirtd, started again */
    N_FAULTS
} FaultKind;

static const struct {
    const gchar *name;
    guint weight;           /* out of 100 */
} fault_kinds[N_FAULTS] = {
    [FAULT_DROP] = { "drop", 40 },
    [FAULT_STALL] = { "stall+drop", 25 },
    [FAULT_TOGGLE] = { "auto-reconnect off/on", 20 },
    [FAULT_FREEZE] = { "freeze", 6 },
    [FAULT_KILL] = { "kill -9", 9 },
};

/* what the daemon has of the soak's own domain and network */
typedef enum { DOM_ABSENT, DOM_DEFINED, DOM_RUNNING } DomState;

typedef struct {
    gchar *direct_uri;
    virConnectPtr keeper;
    GVirConnection *conn;
    GVirConnectionEvents *events;
    guint disconnected, reconnected;
    guint broken_promises;          /* "connected" while a "reconnected" was owed */

    /* companions held across outages, with what they heard (letters, below) */
    GVirDomainEvents *test_events;
    GVirNetworkEvents *default_events;
    guint live_heard;
    GVirDomainEvents *dom_events;   /* soak-dom's, while it exists */
    GString *dom_heard;
    GString *dom_owed;
    GVirNetworkEvents *net_events;  /* soak-net's, while it exists */
    GString *net_heard;
    GString *net_owed;
    DomState dom;
    guint dom_steps;
    gboolean net_defined;

    /* every companion ever held, until it is finalized */
    GHashTable *alive;

    /* figures */
    gint64 longest_gap;
    guint longest_gap_fault;
    guint fault;
    guint by_kind[N_FAULTS];
    guint toggles_completed;        /* attempts past the probe: completed anyway */
    guint live_made, live_told;
    guint synthesized_owed, synthesized_told;
    guint mismatches;
    guint worker_rounds;
} Soak;

/* the lifecycle events as letters, so a sequence reads as a string */
static gchar
lifecycle_letter (gint event)
{
    return "DUSPRXcpk"[CLAMP (event, 0, 8)];
}

static void
on_disconnected (Soak *s)
{
    s->disconnected++;
}

static void
on_reconnected (Soak *s)
{
    s->reconnected++;
}

static void
on_connected_notify (Soak *s)
{
    /* "connected" comes back just before "reconnected", never alone */
    if (gvir_connection_events_get_connected (s->events) && s->reconnected + 1 != s->disconnected)
        s->broken_promises++;
}

static void
on_live (Soak *s)
{
    s->live_heard++;
}

static void
on_held_lifecycle (gpointer companion G_GNUC_UNUSED, gint event, gint detail G_GNUC_UNUSED,
                   GString *heard)
{
    g_string_append_c (heard, lifecycle_letter (event));
}

static void
on_finalized (gpointer data, GObject *where_the_object_was)
{
    g_hash_table_remove (((Soak *) data)->alive, where_the_object_was);
}

static void
track (Soak *s, gpointer companion)
{
    if (g_hash_table_add (s->alive, companion))
        g_object_weak_ref (companion, on_finalized, s);
}

/*
 * Iterates the default main context until *counter >= n, measuring the
 * loop's longest gap with a 10 ms timer as it goes.
 */
typedef struct {
    Soak *s;
    gint64 last;
} Ticker;

static void
note_gap (Ticker *t)
{
    gint64 now = g_get_monotonic_time (), gap = now - t->last;

    if (gap > t->s->longest_gap) {
        t->s->longest_gap = gap;
        t->s->longest_gap_fault = t->s->fault;
    }
    t->last = now;
}

static gboolean
on_tick (gpointer data)
{
    note_gap (data);
    return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (Soak *s, const guint *counter, guint n, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    Ticker t = { s, g_get_monotonic_time () };
    guint id = g_timeout_add (10, on_tick, &t);

    while (*counter < n && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (id);
    note_gap (&t);
    return *counter >= n;
}

static void
settle (Soak *s, guint ms)
{
    guint never = 0;

    wait_for (s, &never, 1, ms);
}

static void
quiet_libvirt_error (void *data G_GNUC_UNUSED, virErrorPtr error G_GNUC_UNUSED)
{
    /* the keeper's calls on a killed daemon fail, as they should */
}

static void
keeper_open (Soak *s)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

    /* the daemon started again may not listen yet */
    while (!(s->keeper = virConnectOpen (s->direct_uri)) && g_get_monotonic_time () < deadline)
        g_usleep (50 * 1000);
    g_assert_nonnull (s->keeper);
}

/* The worker: gets companions of what outlives every outage, and drops them. */
typedef struct {
    Soak *s;
    GVirConnection *conn;
    gint stop;
    guint rounds;
} Worker;

static void
ignore (void)
{
}

/*
 * Lists, not find_*(): libvirt-gobject's lookups by name or UUID read its
 * tables without a NULL check, and its close (the reopen's, in the main
 * context) empties them for a moment another thread can see.
 */
static GObject *
take_named (GList *objects, const gchar *(*get_name) (gpointer), const gchar *name)
{
    GObject *found = NULL;

    for (GList *l = objects; l; l = l->next)
        if (!found && g_str_equal (get_name (l->data), name))
            found = g_object_ref (l->data);
    g_list_free_full (objects, g_object_unref);
    return found;
}

static gpointer
churn (gpointer data)
{
    Worker *w = data;

    while (!g_atomic_int_get (&w->stop)) {
        g_autoptr(GVirDomain) domain = GVIR_DOMAIN (take_named (
            gvir_connection_get_domains (w->conn), (gpointer) gvir_domain_get_name, "test"));
        g_autoptr(GVirNetwork) network = GVIR_NETWORK (take_named (
            gvir_connection_get_networks (w->conn), (gpointer) gvir_network_get_name, "default"));
        GVirConnectionEvents *events = gvir_connection_events_get_for_connection (w->conn);

        g_assert_true (GVIR_IS_CONNECTION_EVENTS (events));
        /* the tables are empty between libvirt-gobject's close and the refetch */
        if (domain) {
            GVirDomainEvents *companion = g_object_ref (gvir_domain_events_get_for_domain (domain));
            gulong id = g_signal_connect (companion, "lifecycle", G_CALLBACK (ignore), NULL);

            g_assert_true (companion == w->s->test_events);
            g_signal_handler_disconnect (companion, id);
            g_object_unref (companion);
        }
        if (network) {
            GVirNetworkEvents *companion = g_object_ref (gvir_network_events_get_for_network (network));

            g_assert_true (companion == w->s->default_events);
            g_object_unref (companion);
        }
        w->rounds++;
        g_usleep (1000);
    }
    return NULL;
}

/* The keeper's step of soak-dom's life: absent, defined, running, defined, absent. */
static void
change_domain (Soak *s)
{
    virDomainPtr dom = NULL;

    switch (s->dom) {
    case DOM_ABSENT:
        dom = virDomainDefineXML (s->keeper, "<domain type='test'><name>soak-dom</name>"
                                             "<memory>8192</memory><os><type>hvm</type></os></domain>");
        g_assert_nonnull (dom);
        s->dom = DOM_DEFINED;
        break;
    case DOM_DEFINED:
        dom = virDomainLookupByName (s->keeper, "soak-dom");
        g_assert_nonnull (dom);
        /* started every other time, undefined the others */
        if (s->dom_steps++ % 2) {
            g_assert_cmpint (virDomainUndefine (dom), ==, 0);
            if (s->dom_events)
                g_string_append_c (s->dom_owed, 'U');
            s->dom = DOM_ABSENT;
        } else {
            g_assert_cmpint (virDomainCreate (dom), ==, 0);
            if (s->dom_events)
                g_string_append_c (s->dom_owed, 'S');
            s->dom = DOM_RUNNING;
        }
        break;
    case DOM_RUNNING:
        dom = virDomainLookupByName (s->keeper, "soak-dom");
        g_assert_nonnull (dom);
        g_assert_cmpint (virDomainDestroy (dom), ==, 0);
        if (s->dom_events)
            g_string_append_c (s->dom_owed, 'X');
        s->dom = DOM_DEFINED;
        break;
    }
    virDomainFree (dom);
}

static void
change_network (Soak *s)
{
    virNetworkPtr net;

    if (!s->net_defined) {
        net = virNetworkDefineXML (s->keeper, "<network><name>soak-net</name>"
                                              "<bridge name='virbr88'/></network>");
        g_assert_nonnull (net);
    } else {
        net = virNetworkLookupByName (s->keeper, "soak-net");
        g_assert_nonnull (net);
        g_assert_cmpint (virNetworkUndefine (net), ==, 0);
        if (s->net_events)
            g_string_append_c (s->net_owed, 'U');
    }
    s->net_defined = !s->net_defined;
    virNetworkFree (net);
}

/* A killed daemon starts again from the test driver's own state: neither is there. */
static void
forget_soak_objects (Soak *s)
{
    if (s->dom_events) {
        if (s->dom == DOM_RUNNING)
            g_string_append_c (s->dom_owed, 'X');
        if (s->dom != DOM_ABSENT)
            g_string_append_c (s->dom_owed, 'U');
    }
    if (s->net_events && s->net_defined)
        g_string_append_c (s->net_owed, 'U');
    s->dom = DOM_ABSENT;
    s->net_defined = FALSE;
}

/* During an outage the program cannot hear: soak-dom or soak-net moves one step. */
static void
change_something (Soak *s, GRand *rand)
{
    if (g_rand_boolean (rand))
        change_domain (s);
    else
        change_network (s);
}

static void
compare (Soak *s, const gchar *what, GString *heard, GString *owed)
{
    s->synthesized_owed += owed->len;
    s->synthesized_told += MIN (heard->len, owed->len);
    if (!g_str_equal (heard->str, owed->str)) {
        s->mismatches++;
        g_printerr ("fault %u: %s heard \"%s\", owed \"%s\"\n", s->fault, what, heard->str, owed->str);
    }
    g_string_truncate (heard, 0);
    g_string_truncate (owed, 0);
}

static void
drop_companion (gpointer *companion, GString *heard)
{
    g_signal_handlers_disconnect_by_data (*companion, heard);
    g_clear_object (companion);
}

/*
 * After "reconnected": the tables say what the daemon has, the held
 * companions heard what they were owed, those of objects gone are let go,
 * and those of new ones are taken.
 */
static void
check_recovery (Soak *s)
{
    g_autoptr(GVirDomain) dom = gvir_connection_find_domain_by_name (s->conn, "soak-dom");
    g_autoptr(GVirNetwork) net = gvir_connection_find_network_by_name (s->conn, "soak-net");

    g_assert_cmpuint (s->reconnected, ==, s->disconnected);
    g_assert_true (gvir_connection_events_get_connected (s->events));
    g_assert_true (gvir_connection_is_open (s->conn));
    g_assert_true ((dom != NULL) == (s->dom != DOM_ABSENT));
    g_assert_true ((net != NULL) == s->net_defined);

    /* told before "reconnected": a short settle only catches extra ones */
    settle (s, 20);
    if (s->dom_events) {
        compare (s, "soak-dom", s->dom_heard, s->dom_owed);
        if (s->dom == DOM_ABSENT)
            drop_companion ((gpointer *) &s->dom_events, s->dom_heard);
    }
    if (s->net_events) {
        compare (s, "soak-net", s->net_heard, s->net_owed);
        if (!s->net_defined)
            drop_companion ((gpointer *) &s->net_events, s->net_heard);
    }
    if (dom && !s->dom_events) {
        gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

        s->dom_events = g_object_ref (gvir_domain_events_get_for_domain (dom));
        track (s, s->dom_events);
        g_signal_connect (s->dom_events, "lifecycle", G_CALLBACK (on_held_lifecycle), s->dom_heard);
        /* what the next resync compares with, learnt off the main thread */
        while (_gvir_domain_events_get_state (s->dom_events) < 0 && g_get_monotonic_time () < deadline)
            settle (s, 10);
        g_assert_cmpint (_gvir_domain_events_get_state (s->dom_events), >=, 0);
    }
    if (net && !s->net_events) {
        s->net_events = g_object_ref (gvir_network_events_get_for_network (net));
        track (s, s->net_events);
        g_signal_connect (s->net_events, "lifecycle", G_CALLBACK (on_held_lifecycle), s->net_heard);
    }
}

/* Events made on the live link after a recovery are heard, once each. */
static void
check_live (Soak *s)
{
    virDomainPtr test = virDomainLookupByName (s->keeper, "test");
    virNetworkPtr network = virNetworkLookupByName (s->keeper, "default");
    guint expected = s->live_heard + 4;

    g_assert_nonnull (test);
    g_assert_nonnull (network);
    g_assert_cmpint (virDomainSuspend (test), ==, 0);
    g_assert_cmpint (virDomainResume (test), ==, 0);
    g_assert_cmpint (virNetworkDestroy (network), ==, 0);
    g_assert_cmpint (virNetworkCreate (network), ==, 0);
    virDomainFree (test);
    virNetworkFree (network);
    s->live_made += 4;
    wait_for (s, &s->live_heard, expected, TIMEOUT_MS);
    settle (s, 10);
    s->live_told += MIN (s->live_heard, expected) - (expected - 4);
    if (s->live_heard != expected) {
        s->mismatches++;
        g_printerr ("fault %u: %u live events heard of 4\n", s->fault, s->live_heard + 4 - expected);
        s->live_heard = expected;
    }
}

static FaultKind
pick (GRand *rand)
{
    guint roll = g_rand_int_range (rand, 0, 100);
    FaultKind kind = 0;

    while (roll >= fault_kinds[kind].weight) {
        roll -= fault_kinds[kind].weight;
        kind++;
    }
    return kind;
}

static void
wait_disconnected (Soak *s, guint before)
{
    if (!wait_for (s, &s->disconnected, before + 1, TIMEOUT_MS))
        g_error ("fault %u: no \"disconnected\"", s->fault);
}

static void
wait_reconnected (Soak *s, guint before)
{
    if (!wait_for (s, &s->reconnected, before + 1, TIMEOUT_MS))
        g_error ("fault %u: no \"reconnected\"", s->fault);
}

static void
inject (Soak *s, FaultKind kind, GRand *rand)
{
    guint disconnected = s->disconnected, reconnected = s->reconnected;

    switch (kind) {
    case FAULT_DROP:
        g_free (test_control_relay ("drop"));
        wait_disconnected (s, disconnected);
        wait_reconnected (s, reconnected);
        break;
    case FAULT_STALL:
        g_free (test_control_relay ("stall 0.3"));
        g_free (test_control_relay ("drop"));
        wait_disconnected (s, disconnected);
        /* the probe hangs in its handshake for 0.3 s: changes are missed */
        change_something (s, rand);
        wait_reconnected (s, reconnected);
        break;
    case FAULT_TOGGLE: {
        guint delay = g_rand_int_range (rand, 0, 800);

        g_free (test_control_relay ("stall 0.5"));
        g_free (test_control_relay ("drop"));
        wait_disconnected (s, disconnected);
        change_something (s, rand);
        /* at any moment: during the probe, or after the reopen began */
        settle (s, delay);
        g_object_set (s->events, "auto-reconnect", FALSE, NULL);
        settle (s, 700);
        if (s->reconnected > reconnected) {
            s->toggles_completed++;
        } else {
            /* dropped: closed and quiet */
            g_assert_false (gvir_connection_events_get_connected (s->events));
            g_assert_cmpuint (s->disconnected, ==, disconnected + 1);
        }
        g_object_set (s->events, "auto-reconnect", TRUE, NULL);
        wait_reconnected (s, reconnected);
        break;
    }
    case FAULT_FREEZE:
        g_free (test_control_relay ("freeze"));
        wait_disconnected (s, disconnected);
        change_something (s, rand);
        g_free (test_control_relay ("release"));
        wait_reconnected (s, reconnected);
        break;
    case FAULT_KILL:
        test_control_daemon ("kill");
        wait_disconnected (s, disconnected);
        virConnectClose (s->keeper);
        s->keeper = NULL;
        forget_soak_objects (s);
        test_control_daemon ("start");
        keeper_open (s);
        wait_reconnected (s, reconnected);
        break;
    case N_FAULTS:
        g_assert_not_reached ();
    }
    /* exactly one of each per fault */
    g_assert_cmpuint (s->disconnected, ==, disconnected + 1);
    g_assert_cmpuint (s->reconnected, ==, reconnected + 1);
}

static void
test_soak (void)
{
    const gchar *dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    const gchar *relay = g_getenv ("GVIR_EVENTS_RELAY_SOCKET");
    guint32 seed = g_getenv ("GVIR_EVENTS_SOAK_SEED") ?
        (guint32) g_ascii_strtoull (g_getenv ("GVIR_EVENTS_SOAK_SEED"), NULL, 10) : 18;
    guint n_faults = g_getenv ("GVIR_EVENTS_SOAK_FAULTS") ?
        (guint) g_ascii_strtoull (g_getenv ("GVIR_EVENTS_SOAK_FAULTS"), NULL, 10) : 200;
    g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *relay_uri = g_strdup_printf ("test+unix:///default?socket=%s", relay);
    g_autoptr(GVirDomain) test = NULL;
    g_autoptr(GVirNetwork) network = NULL;
    Soak soak = { 0 }, *s = &soak;
    guint hubs_before = _gvir_events_hub_n_allocated ();
    guint companions_seen;
    gint64 start = g_get_monotonic_time ();
    gchar *summary;

    g_test_message ("seed %u, %u faults", seed, n_faults);
    s->direct_uri = g_strdup_printf ("test+unix:///default?socket=%s/libvirt-sock", dir);
    s->alive = g_hash_table_new (NULL, NULL);
    s->dom_heard = g_string_new (NULL);
    s->dom_owed = g_string_new (NULL);
    s->net_heard = g_string_new (NULL);
    s->net_owed = g_string_new (NULL);
    keeper_open (s);

    s->conn = gvir_connection_new (relay_uri);
    g_assert_true (gvir_connection_open (s->conn, NULL, &error));
    g_assert_true (gvir_connection_fetch_domains (s->conn, NULL, &error));
    g_assert_true (gvir_connection_fetch_networks (s->conn, NULL, &error));
    g_assert_no_error (error);
    s->events = g_object_ref (gvir_connection_events_get_for_connection (s->conn));
    track (s, s->events);
    /* a frozen link is declared dead after about three seconds */
    g_object_set (s->events, "reconnect-interval", 100, "keepalive-interval", 1,
                  "keepalive-count", 2, NULL);
    g_signal_connect_swapped (s->events, "disconnected", G_CALLBACK (on_disconnected), s);
    g_signal_connect_swapped (s->events, "reconnected", G_CALLBACK (on_reconnected), s);
    g_signal_connect_swapped (s->events, "notify::connected", G_CALLBACK (on_connected_notify), s);

    test = gvir_connection_find_domain_by_name (s->conn, "test");
    network = gvir_connection_find_network_by_name (s->conn, "default");
    g_assert_nonnull (test);
    g_assert_nonnull (network);
    s->test_events = g_object_ref (gvir_domain_events_get_for_domain (test));
    s->default_events = g_object_ref (gvir_network_events_get_for_network (network));
    track (s, s->test_events);
    track (s, s->default_events);
    g_signal_connect_swapped (s->test_events, "lifecycle", G_CALLBACK (on_live), s);
    g_signal_connect_swapped (s->default_events, "lifecycle", G_CALLBACK (on_live), s);
    g_clear_object (&test);
    g_clear_object (&network);
    settle (s, 100);
    s->longest_gap = 0;

    for (s->fault = 0; s->fault < n_faults; s->fault++) {
        FaultKind kind = pick (rand);
        Worker w = { s, s->conn, 0, 0 };
        GThread *worker = g_thread_new ("soak-worker", churn, &w);

        s->by_kind[kind]++;
        inject (s, kind, rand);
        g_atomic_int_set (&w.stop, 1);
        g_thread_join (worker);
        s->worker_rounds += w.rounds;
        check_recovery (s);
        check_live (s);
    }

    /* what a program does when it quits */
    g_signal_handlers_disconnect_by_data (s->events, s);
    g_signal_handlers_disconnect_by_data (s->test_events, s);
    g_signal_handlers_disconnect_by_data (s->default_events, s);
    if (s->dom_events)
        drop_companion ((gpointer *) &s->dom_events, s->dom_heard);
    if (s->net_events)
        drop_companion ((gpointer *) &s->net_events, s->net_heard);
    g_clear_object (&s->test_events);
    g_clear_object (&s->default_events);
    g_clear_object (&s->events);
    gvir_connection_close (s->conn);
    g_clear_object (&s->conn);
    settle (s, 200);
    companions_seen = g_hash_table_size (s->alive);

    summary = g_strdup_printf ("soak: seed %u, %u faults in %.1f s (drop %u, stall+drop %u, "
                               "auto-reconnect off/on %u of which %u completed anyway, freeze %u, "
                               "kill -9 %u); longest main-loop gap %.1f ms (fault %u); live events "
                               "heard %u of %u; outage changes told %u of %u; mismatches %u; "
                               "worker rounds %u; hubs %u before, %u after; companions alive at "
                               "the end %u",
                               seed, n_faults, (g_get_monotonic_time () - start) / 1e6,
                               s->by_kind[FAULT_DROP], s->by_kind[FAULT_STALL], s->by_kind[FAULT_TOGGLE],
                               s->toggles_completed, s->by_kind[FAULT_FREEZE], s->by_kind[FAULT_KILL],
                               s->longest_gap / 1000.0, s->longest_gap_fault, s->live_told, s->live_made,
                               s->synthesized_told, s->synthesized_owed, s->mismatches, s->worker_rounds,
                               hubs_before, _gvir_events_hub_n_allocated (), companions_seen);
    g_test_message ("%s", summary);
    printf ("%s\n", summary);
    g_free (summary);

    g_assert_cmpuint (s->mismatches, ==, 0);
    g_assert_cmpuint (s->broken_promises, ==, 0);
    g_assert_cmpint (s->longest_gap, <, MAX_GAP_US);
    g_assert_cmpuint (_gvir_events_hub_n_allocated (), ==, hubs_before);
    g_assert_cmpuint (companions_seen, ==, 0);

    virConnectClose (s->keeper);
    g_hash_table_unref (s->alive);
    g_string_free (s->dom_heard, TRUE);
    g_string_free (s->dom_owed, TRUE);
    g_string_free (s->net_heard, TRUE);
    g_string_free (s->net_owed, TRUE);
    g_free (s->direct_uri);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);
    /* the program's own writes (keepalive from the event loop) are its to protect */
    signal (SIGPIPE, SIG_IGN);
    virSetErrorFunc (NULL, quiet_libvirt_error);

    if (!g_getenv ("GVIR_EVENTS_TEST_DIR") || !g_getenv ("GVIR_EVENTS_RELAY_SOCKET") ||
        !g_getenv ("GVIR_EVENTS_RELAY_CONTROL") || !g_getenv ("GVIR_EVENTS_CONTROL")) {
        g_printerr ("test-soak: run me through tests/integration/hv-harness "
                    "(its private daemon has the relay and the control FIFO this test needs)\n");
        return g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0 ? 1 : 77;
    }
    g_test_add_func ("/soak/faults", test_soak);
    return g_test_run ();
}
