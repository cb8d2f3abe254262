/*
 * test-models.c: GVirDomainEvents:state, gvir_connection_events_get_domains()
 * and GVirEventLog on libvirt's test driver
 *
 * Every step of a domain's life (define, start, pause, resume, destroy,
 * undefine; a transient one created and destroyed) is checked against the
 * exact items-changed of the domains model and the state property; the
 * race of an event against the first virDomainGetState answer is made to
 * happen every run with a private hook.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libvirt-gevents/libvirt-gevents.h>
#include "gvir-domain-events-private.h"
#include "gvir-domain-state-private.h"
#include "gvir-domain-list-private.h"

#include "test-utils.h"

#define TIMEOUT_MS 5000
#define TIMEOUT_US (10 * G_USEC_PER_SEC)

static const char domain_xml[] =
    "<domain type='test'><name>%s</name><memory>8192</memory>"
    "<os><type>hvm</type></os></domain>";

typedef struct {
    guint position, removed, added;
} Change;

typedef struct {
    GVirConnection *conn;
    virConnectPtr handle;
    GVirConnectionEvents *events;
    GArray *changes;                /* Change, of the domains model */
    guint n_changes;
} Fixture;

static void
on_items_changed (GListModel *model G_GNUC_UNUSED, guint position, guint removed,
                  guint added, gpointer data)
{
    Fixture *f = data;
    Change c = { position, removed, added };

    g_array_append_val (f->changes, c);
    f->n_changes = f->changes->len;
}

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    f->conn = gvir_connection_new ("test:///default");
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_object_get (f->conn, "handle", &f->handle, NULL);
    g_assert_nonnull (f->handle);
    f->events = gvir_connection_events_get_for_connection (f->conn);
    g_assert_nonnull (f->events);
    f->changes = g_array_new (FALSE, TRUE, sizeof (Change));
    while (g_main_context_iteration (NULL, FALSE));
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virConnectClose (f->handle);
    if (f->conn)
        gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    g_array_unref (f->changes);
    while (g_main_context_iteration (NULL, FALSE));
}

static gboolean
wait_filled (GListModel *model)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

    while (!_gvir_domain_list_is_filled (GVIR_DOMAIN_LIST (model)) &&
           g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    return _gvir_domain_list_is_filled (GVIR_DOMAIN_LIST (model));
}

static GListModel *
domains_model (Fixture *f)
{
    GListModel *model = gvir_connection_events_get_domains (f->events);

    g_assert_nonnull (model);
    g_assert_true (model == gvir_connection_events_get_domains (f->events));
    g_assert_true (g_list_model_get_item_type (model) == GVIR_TYPE_DOMAIN_EVENTS);
    g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), f);
    g_assert_true (wait_filled (model));
    return model;
}

static void
assert_change (Fixture *f, guint i, guint position, guint removed, guint added)
{
    Change *c;

    g_assert_cmpuint (i, <, f->changes->len);
    c = &g_array_index (f->changes, Change, i);
    g_assert_cmpuint (c->position, ==, position);
    g_assert_cmpuint (c->removed, ==, removed);
    g_assert_cmpuint (c->added, ==, added);
}

/* Iterates until the state is what is expected (or the timeout). */
static void
assert_state (GVirDomainEvents *events, GVirDomainState state, gint reason)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
    GVirDomainState now = GVIR_DOMAIN_STATE_NONE;
    gint now_reason = -1;

    for (;;) {
        g_object_get (events, "state", &now, "state-reason", &now_reason, NULL);
        if ((now == state && now_reason == reason) || g_get_monotonic_time () > deadline)
            break;
        g_main_context_iteration (NULL, TRUE);
    }
    g_assert_cmpint (now, ==, state);
    g_assert_cmpint (now_reason, ==, reason);
}

static GVirDomainEvents *
item (GListModel *model, guint i)
{
    g_autoptr(GVirDomainEvents) events = g_list_model_get_item (model, i);

    g_assert_nonnull (events);
    return events;   /* the model holds it */
}

static GVirDomainEvents *
companion_of (virDomainPtr dom)
{
    GVirDomain *domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (domain);

    g_object_unref (domain);
    return events;
}

/* Drains the events of the calls made, then checks no change came but those expected. */
static void
wait_changes (Fixture *f, guint n)
{
    g_assert_true (test_wait_for_count (&f->n_changes, n, TIMEOUT_MS));
    test_iterate_for (50);
    g_assert_cmpuint (f->changes->len, ==, n);
}

static void
count_notify (GObject *object G_GNUC_UNUSED, GParamSpec *pspec G_GNUC_UNUSED, gpointer data)
{
    (*(guint *) data)++;
}

static void
test_domain_life (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GListModel *model = domains_model (f);
    g_autofree gchar *alpha_xml = g_strdup_printf (domain_xml, "alpha");
    g_autofree gchar *beta_xml = g_strdup_printf (domain_xml, "beta");
    virDomainPtr test, alpha, beta;
    GVirDomainEvents *alpha_events, *beta_events;
    guint notified = 0;

    /* the test driver's own domain "test", running */
    wait_changes (f, 1);
    assert_change (f, 0, 0, 0, 1);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    test = virDomainLookupByName (f->handle, "test");
    g_assert_nonnull (test);
    g_assert_true (item (model, 0) == companion_of (test));
    /* the listing told the state: no round trip needed */
    assert_state (item (model, 0), GVIR_DOMAIN_STATE_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN);
    virDomainFree (test);

    /* define */
    alpha = virDomainDefineXML (f->handle, alpha_xml);
    g_assert_nonnull (alpha);
    wait_changes (f, 2);
    assert_change (f, 1, 1, 0, 1);
    alpha_events = item (model, 1);
    g_assert_true (alpha_events == companion_of (alpha));
    assert_state (alpha_events, GVIR_DOMAIN_STATE_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    g_signal_connect (alpha_events, "notify::state", G_CALLBACK (count_notify), &notified);

    /* start, pause, resume, destroy: the same item, its state follows */
    g_assert_cmpint (virDomainCreate (alpha), ==, 0);
    assert_state (alpha_events, GVIR_DOMAIN_STATE_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpuint (notified, ==, 1);
    g_assert_cmpint (virDomainSuspend (alpha), ==, 0);
    assert_state (alpha_events, GVIR_DOMAIN_STATE_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpuint (notified, ==, 2);
    g_assert_cmpint (virDomainResume (alpha), ==, 0);
    assert_state (alpha_events, GVIR_DOMAIN_STATE_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpuint (notified, ==, 3);
    g_assert_cmpint (virDomainDestroy (alpha), ==, 0);
    assert_state (alpha_events, GVIR_DOMAIN_STATE_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpuint (notified, ==, 4);
    test_iterate_for (50);
    g_assert_cmpuint (f->changes->len, ==, 2);
    g_assert_true (item (model, 1) == alpha_events);

    /* undefine: the item goes */
    g_object_ref (alpha_events);
    g_assert_cmpint (virDomainUndefine (alpha), ==, 0);
    wait_changes (f, 3);
    assert_change (f, 2, 1, 1, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    g_assert_cmpuint (notified, ==, 4);
    g_object_unref (alpha_events);
    virDomainFree (alpha);

    /* a transient domain: in while it runs */
    beta = virDomainCreateXML (f->handle, beta_xml, 0);
    g_assert_nonnull (beta);
    wait_changes (f, 4);
    assert_change (f, 3, 1, 0, 1);
    beta_events = item (model, 1);
    g_assert_true (beta_events == companion_of (beta));
    assert_state (beta_events, GVIR_DOMAIN_STATE_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint (virDomainSuspend (beta), ==, 0);
    assert_state (beta_events, GVIR_DOMAIN_STATE_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint (virDomainDestroy (beta), ==, 0);
    wait_changes (f, 5);
    assert_change (f, 4, 1, 1, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    virDomainFree (beta);

    /* a persistent domain undefined while it runs stays (transient now), then goes when stopped */
    alpha = virDomainDefineXML (f->handle, alpha_xml);
    g_assert_nonnull (alpha);
    g_assert_cmpint (virDomainCreate (alpha), ==, 0);
    wait_changes (f, 6);
    assert_change (f, 5, 1, 0, 1);
    g_assert_cmpint (virDomainUndefine (alpha), ==, 0);
    test_iterate_for (100);
    g_assert_cmpuint (f->changes->len, ==, 6);
    g_assert_cmpint (virDomainDestroy (alpha), ==, 0);
    wait_changes (f, 7);
    assert_change (f, 6, 1, 1, 0);
    virDomainFree (alpha);
}

/* Domains there before the first call are listed with their state; first read of an unlisted one asks. */
static void
test_state_first_read (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *xml = g_strdup_printf (domain_xml, "gamma");
    virDomainPtr gamma = virDomainDefineXML (f->handle, xml);
    GVirDomainEvents *events;
    guint notified = 0;
    GVirDomainState state;
    gint reason;

    g_assert_nonnull (gamma);
    g_assert_cmpint (virDomainCreate (gamma), ==, 0);
    g_assert_cmpint (virDomainSuspend (gamma), ==, 0);
    /* the events of before the companion existed */
    while (g_main_context_iteration (NULL, FALSE));

    events = companion_of (gamma);
    g_signal_connect (events, "notify::state", G_CALLBACK (count_notify), &notified);
    /* the first read starts the question: the answer cannot be there yet */
    g_object_get (events, "state", &state, NULL);
    g_assert_cmpint (state, ==, GVIR_DOMAIN_STATE_NONE);
    assert_state (events, GVIR_DOMAIN_STATE_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_object_get (events, "state-reason", &reason, NULL);
    g_assert_cmpint (reason, ==, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpuint (notified, ==, 1);
    /* no change, no notify */
    test_iterate_for (50);
    g_assert_cmpuint (notified, ==, 1);
    virDomainFree (gamma);
}

/* The hooked worker waits here until the test opens it. */
static struct {
    GMutex lock;
    GCond cond;
    GVirDomainEvents *target;
    gboolean reached, open;
    int answer;
} gate;

static void
state_hook (GVirDomainEvents *companion, int state, int reason G_GNUC_UNUSED)
{
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

    g_mutex_lock (&gate.lock);
    if (companion == gate.target) {
        gate.answer = state;
        gate.reached = TRUE;
        g_cond_broadcast (&gate.cond);
        while (!gate.open && g_cond_wait_until (&gate.cond, &gate.lock, deadline));
    }
    g_mutex_unlock (&gate.lock);
}

/* An event delivered while the first answer is held back: the event is newer, and wins. */
static void
test_state_race (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *xml = g_strdup_printf (domain_xml, "delta");
    virDomainPtr delta = virDomainDefineXML (f->handle, xml);
    GVirDomainEvents *events;
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
    guint notified = 0;
    GVirDomainState state;

    g_assert_nonnull (delta);
    g_assert_cmpint (virDomainCreate (delta), ==, 0);
    while (g_main_context_iteration (NULL, FALSE));
    events = companion_of (delta);

    gate.target = events;
    gate.reached = gate.open = FALSE;
    _gvir_domain_state_test_hook = state_hook;
    g_signal_connect (events, "notify::state", G_CALLBACK (count_notify), &notified);
    g_object_get (events, "state", &state, NULL);
    g_assert_cmpint (state, ==, GVIR_DOMAIN_STATE_NONE);

    /* the answer (running) is in, held back */
    g_mutex_lock (&gate.lock);
    while (!gate.reached && g_cond_wait_until (&gate.cond, &gate.lock, deadline));
    g_assert_true (gate.reached);
    g_assert_cmpint (gate.answer, ==, VIR_DOMAIN_RUNNING);
    g_mutex_unlock (&gate.lock);

    /* meanwhile the domain is paused, and the event delivered */
    g_assert_cmpint (virDomainSuspend (delta), ==, 0);
    assert_state (events, GVIR_DOMAIN_STATE_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpuint (notified, ==, 1);

    /* the older answer comes: dropped */
    g_mutex_lock (&gate.lock);
    gate.open = TRUE;
    g_cond_broadcast (&gate.cond);
    g_mutex_unlock (&gate.lock);
    test_iterate_for (200);
    assert_state (events, GVIR_DOMAIN_STATE_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpuint (notified, ==, 1);

    _gvir_domain_state_test_hook = NULL;
    gate.target = NULL;
    virDomainFree (delta);
}

/* Events that come while the listing runs are replayed after it. */
static void
test_domains_during_listing (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GListModel *model = gvir_connection_events_get_domains (f->events);
    g_autofree gchar *xml = g_strdup_printf (domain_xml, "epsilon");
    virDomainPtr epsilon;

    g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), f);
    /* defined while the worker lists: in the listing, or replayed; once either way */
    epsilon = virDomainDefineXML (f->handle, xml);
    g_assert_nonnull (epsilon);
    g_assert_true (wait_filled (model));
    test_iterate_for (100);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
    g_assert_true (item (model, 0) != item (model, 1));
    g_assert_true (item (model, 0) == companion_of (epsilon) ||
                   item (model, 1) == companion_of (epsilon));
    assert_state (companion_of (epsilon), GVIR_DOMAIN_STATE_SHUTOFF, 0);
    virDomainFree (epsilon);
}

static void
test_domains_after_close (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GListModel *model = domains_model (f);
    g_autoptr(GVirEventLog) log = gvir_event_log_new (f->events, 10);
    GVirDomainEvents *test_events;
    GVirDomainState state;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    test_events = g_object_ref (item (model, 0));
    gvir_connection_close (f->conn);
    test_iterate_for (50);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    assert_change (f, f->changes->len - 1, 0, 1, 0);
    /* the same model, empty; the log and a companion of before still answer */
    g_assert_true (gvir_connection_events_get_domains (f->events) == model);
    g_object_get (test_events, "state", &state, NULL);
    g_assert_cmpint (state, ==, GVIR_DOMAIN_STATE_RUNNING);
    gvir_event_log_clear (log);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
    g_object_unref (test_events);

    /* opened again: filled again, with new companions */
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    virConnectClose (f->handle);
    g_object_get (f->conn, "handle", &f->handle, NULL);
    test_iterate_for (50);
    g_assert_true (wait_filled (model));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
}

/* Lets n pause/resume events of "test" through libvirt in one go. */
static void
flip_test_domain (Fixture *f, guint n)
{
    virDomainPtr test = virDomainLookupByName (f->handle, "test");

    g_assert_nonnull (test);
    for (guint i = 0; i < n; i++) {
        if (i % 2 == 0)
            g_assert_cmpint (virDomainSuspend (test), ==, 0);
        else
            g_assert_cmpint (virDomainResume (test), ==, 0);
    }
    virDomainFree (test);
}

static void
test_log (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GVirEventLog) log = gvir_event_log_new (f->events, 3);
    g_autoptr(GVirEventLog) all = gvir_event_log_new (f->events, 0);
    g_autoptr(GVirEvent) first = NULL, last = NULL;
    GVirConnectionEvents *source = NULL;
    guint capacity = 0;

    g_assert_cmpuint (gvir_event_log_get_capacity (log), ==, 3);
    g_assert_cmpuint (gvir_event_log_get_capacity (all), ==, 0);
    g_assert_true (gvir_event_log_get_source (log) == f->events);
    g_object_get (log, "source", &source, "capacity", &capacity, NULL);
    g_assert_true (source == f->events);
    g_assert_cmpuint (capacity, ==, 3);
    g_object_unref (source);
    g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (log)) == GVIR_TYPE_EVENT);
    g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), f);

    /* four events in one iteration: one change, the newest three kept */
    flip_test_domain (f, 4);
    g_assert_true (test_wait_for_count (&f->n_changes, 1, TIMEOUT_MS));
    test_iterate_for (50);
    g_assert_cmpuint (f->changes->len, ==, 1);
    assert_change (f, 0, 0, 0, 3);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);
    first = g_list_model_get_item (G_LIST_MODEL (log), 0);
    last = g_list_model_get_item (G_LIST_MODEL (log), 2);
    g_assert_cmpstr (gvir_event_get_detail (first), ==, "resumed");
    g_assert_cmpstr (gvir_event_get_detail (last), ==, "resumed");
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 3));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 4);

    /* two more: the oldest two go, one change */
    g_clear_object (&first);
    g_clear_object (&last);
    flip_test_domain (f, 2);
    g_assert_true (test_wait_for_count (&f->n_changes, 2, TIMEOUT_MS));
    test_iterate_for (50);
    g_assert_cmpuint (f->changes->len, ==, 2);
    assert_change (f, 1, 0, 3, 3);
    first = g_list_model_get_item (G_LIST_MODEL (log), 0);
    last = g_list_model_get_item (G_LIST_MODEL (log), 2);
    g_assert_cmpstr (gvir_event_get_detail (first), ==, "resumed");
    g_assert_cmpstr (gvir_event_get_detail (last), ==, "resumed");
    g_clear_object (&first);
    first = g_list_model_get_item (G_LIST_MODEL (log), 1);
    g_assert_cmpstr (gvir_event_get_detail (first), ==, "suspended");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 6);

    /* events not full yet: appended */
    g_signal_handlers_disconnect_by_func (log, on_items_changed, f);
    g_signal_connect (all, "items-changed", G_CALLBACK (on_items_changed), f);
    flip_test_domain (f, 2);
    g_assert_true (test_wait_for_count (&f->n_changes, 3, TIMEOUT_MS));
    test_iterate_for (50);
    g_assert_cmpuint (f->changes->len, ==, 3);
    assert_change (f, 2, 6, 0, 2);

    /* cleared: one change; recording goes on */
    gvir_event_log_clear (all);
    g_assert_cmpuint (f->changes->len, ==, 4);
    assert_change (f, 3, 0, 8, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 0);
    flip_test_domain (f, 1);
    g_assert_true (test_wait_for_count (&f->n_changes, 5, TIMEOUT_MS));
    assert_change (f, 4, 0, 0, 1);
}

/* A log dropped with events pending, and a log on another main context's thread. */
static void
test_log_dropped (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirEventLog *log = gvir_event_log_new (f->events, 5);
    GWeakRef weak;

    g_weak_ref_init (&weak, log);
    flip_test_domain (f, 2);
    g_object_unref (log);
    /* the flush pending holds it until it ran */
    test_iterate_for (50);
    g_assert_null (g_weak_ref_get (&weak));
    g_weak_ref_clear (&weak);
}

/* Logs made and dropped on a worker thread while the main thread delivers events. */
typedef struct {
    GVirConnectionEvents *events;
    gint stop;
    guint made;
} Churn;

static gpointer
churn_logs (gpointer data)
{
    Churn *c = data;

    while (!g_atomic_int_get (&c->stop)) {
        GVirEventLog *log = gvir_event_log_new (c->events, 4);

        g_usleep (g_random_int_range (0, 500));
        g_object_unref (log);
        c->made++;
    }
    return NULL;
}

static void
test_log_threads (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    Churn churn = { f->events, 0, 0 };
    GThread *thread = g_thread_new ("churn", churn_logs, &churn);
    g_autoptr(GVirEventLog) kept = gvir_event_log_new (f->events, 0);
    gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

    while (g_get_monotonic_time () < deadline) {
        flip_test_domain (f, 2);
        while (g_main_context_iteration (NULL, FALSE));
    }
    g_atomic_int_set (&churn.stop, TRUE);
    g_thread_join (thread);
    test_iterate_for (50);
    g_assert_cmpuint (churn.made, >, 0);
    /* the log kept all along heard every event, in order */
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (kept)) % 2, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (kept)), >, 0);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (kept)); i++) {
        g_autoptr(GVirEvent) event = g_list_model_get_item (G_LIST_MODEL (kept), i);

        g_assert_cmpstr (gvir_event_get_detail (event), ==, i % 2 == 0 ? "suspended" : "resumed");
    }
}

static void
test_bad_input (void)
{
    GVirEventLog *log;
    GVirDomainEvents *events;
    GVirConnectionEvents *conn_events;
    GVirDomainState state;
    gint reason;

    /* NULL source: a programming error */
    if (g_test_subprocess ()) {
        g_assert_null (gvir_event_log_new (NULL, 10));
        return;
    }
    g_test_trap_subprocess (NULL, 0, 0);
    g_test_trap_assert_failed ();
    g_test_trap_assert_stderr ("*CRITICAL*gvir_event_log_new*GVIR_IS_CONNECTION_EVENTS*");

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*gvir_event_log_new*");
    log = gvir_event_log_new (NULL, 10);
    g_test_assert_expected_messages ();
    g_assert_null (log);

    /* a binding's default constructor: an empty log that records nothing */
    log = g_object_new (GVIR_TYPE_EVENT_LOG, NULL);
    g_assert_nonnull (log);
    g_assert_cmpuint (gvir_event_log_get_capacity (log), ==, 1000);
    g_assert_null (gvir_event_log_get_source (log));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 0));
    gvir_event_log_clear (log);
    g_object_unref (log);

    /* a companion made by g_object_new(): no state, no round trip, no crash */
    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*cannot be constructed directly*");
    events = g_object_new (GVIR_TYPE_DOMAIN_EVENTS, NULL);
    g_test_assert_expected_messages ();
    g_object_get (events, "state", &state, "state-reason", &reason, NULL);
    g_assert_cmpint (state, ==, GVIR_DOMAIN_STATE_NONE);
    g_assert_cmpint (reason, ==, -1);
    g_object_unref (events);

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*cannot be constructed directly*");
    conn_events = g_object_new (GVIR_TYPE_CONNECTION_EVENTS, NULL);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (g_list_model_get_n_items (gvir_connection_events_get_domains (conn_events)), ==, 0);
    log = gvir_event_log_new (conn_events, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
    g_object_unref (log);
    g_object_unref (conn_events);

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*gvir_connection_events_get_domains*");
    g_assert_null (gvir_connection_events_get_domains (NULL));
    g_test_assert_expected_messages ();
}

/* The one mapping: every lifecycle event the library knows gives libvirt's state. */
static void
test_state_mapping (void)
{
    int state, reason;

    g_assert_false (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_DEFINED, 0, &state, &reason));
    g_assert_false (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_UNDEFINED, 0, &state, &reason));
    g_assert_false (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_SHUTDOWN, 0, &state, &reason));
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_SUSPENDED,
                                                  VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, &state, &reason));
    g_assert_cmpint (state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint (reason, ==, VIR_DOMAIN_PAUSED_IOERROR);
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_SUSPENDED,
                                                  VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG, &state, &reason));
    g_assert_cmpint (reason, ==, VIR_DOMAIN_PAUSED_WATCHDOG);
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_STOPPED,
                                                  VIR_DOMAIN_EVENT_STOPPED_CRASHED, &state, &reason));
    g_assert_cmpint (state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint (reason, ==, VIR_DOMAIN_SHUTOFF_CRASHED);
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_CRASHED,
                                                  VIR_DOMAIN_EVENT_CRASHED_PANICKED, &state, &reason));
    g_assert_cmpint (state, ==, VIR_DOMAIN_CRASHED);
    g_assert_cmpint (reason, ==, VIR_DOMAIN_CRASHED_PANICKED);
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_PMSUSPENDED, 0, &state, &reason));
    g_assert_cmpint (state, ==, VIR_DOMAIN_PMSUSPENDED);
    /* a detail a newer daemon sends: the state, reason unknown */
    g_assert_true (_gvir_domain_state_after_event (VIR_DOMAIN_EVENT_RESUMED, 999, &state, &reason));
    g_assert_cmpint (state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint (reason, ==, 0);
    g_assert_false (_gvir_domain_state_after_event (999, 0, &state, &reason));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);

#define ADD(path, fn) \
    g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD ("/domains/life", test_domain_life);
    ADD ("/domains/during-listing", test_domains_during_listing);
    ADD ("/domains/after-close", test_domains_after_close);
    ADD ("/state/first-read", test_state_first_read);
    ADD ("/state/race", test_state_race);
    g_test_add_func ("/state/mapping", test_state_mapping);
    ADD ("/log/evict-coalesce", test_log);
    ADD ("/log/dropped", test_log_dropped);
    ADD ("/log/threads", test_log_threads);
    g_test_add_func ("/bad-input", test_bad_input);
#undef ADD

    return g_test_run ();
}
