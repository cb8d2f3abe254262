/*
 * test-domain-events.c: companions on libvirt's test driver, end to end
 *
 * libvirt's test driver (test:///default) runs in-process and emits real
 * lifecycle and metadata-change events through the same registration and
 * dispatch path as a remote daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libvirt/libvirt.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define TIMEOUT_MS 5000

typedef struct {
    GVirConnection *conn;
    virConnectPtr handle;
    GVirDomain *alpha;
    GVirDomain *beta;
} Fixture;

static const char domain_xml[] =
    "<domain type='test'><name>%s</name><memory>8192</memory>"
    "<os><type>hvm</type></os></domain>";

static GVirDomain *
start_domain (Fixture *f, const gchar *name)
{
    g_autofree gchar *xml = g_strdup_printf (domain_xml, name);
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = virDomainDefineXML (f->handle, xml);

    g_assert_nonnull (dom);
    g_assert_cmpint (virDomainCreate (dom), ==, 0);
    virDomainFree (dom);

    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    g_assert_no_error (error);
    return gvir_connection_find_domain_by_name (f->conn, name);
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
    /* what lets the domain companions go when the connection closes */
    g_assert_nonnull (gvir_connection_events_get_for_connection (f->conn));
    f->alpha = start_domain (f, "alpha");
    f->beta = start_domain (f, "beta");
    g_assert_nonnull (f->alpha);
    g_assert_nonnull (f->beta);
    /* deliver the defined/started events before any test listens */
    while (g_main_context_iteration (NULL, FALSE));
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_clear_object (&f->alpha);
    g_clear_object (&f->beta);
    virConnectClose (f->handle);
    if (f->conn)
        gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    /* let queued events for the closed connection drain */
    while (g_main_context_iteration (NULL, FALSE));
}

static virDomainPtr
handle_of (GVirDomain *domain)
{
    virDomainPtr handle = NULL;

    g_object_get (domain, "handle", &handle, NULL);
    g_assert_nonnull (handle);
    return handle;
}

static void
suspend_resume (GVirDomain *domain)
{
    virDomainPtr handle = handle_of (domain);

    g_assert_cmpint (virDomainSuspend (handle), ==, 0);
    g_assert_cmpint (virDomainResume (handle), ==, 0);
    virDomainFree (handle);
}

static void
assert_lifecycle (TestEmission *e, const gchar *detail,
                  GVirDomainLifecycleEvent event, gint code)
{
    g_assert_cmpstr (e->signal, ==, "lifecycle");
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, detail);
    g_assert_cmpuint (e->n_values, ==, 2);
    g_assert_true (G_VALUE_HOLDS (&e->values[0], GVIR_TYPE_DOMAIN_LIFECYCLE_EVENT));
    g_assert_cmpint (g_value_get_enum (&e->values[0]), ==, event);
    g_assert_cmpint (g_value_get_int (&e->values[1]), ==, code);
}

static void
test_identity (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (f->alpha);
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (f->conn);
    GVirDomain *domain = NULL;

    g_assert_true (GVIR_IS_DOMAIN_EVENTS (events));
    g_assert_true (events == gvir_domain_events_get_for_domain (f->alpha));
    g_assert_true (events != gvir_domain_events_get_for_domain (f->beta));
    g_assert_true (gvir_domain_events_get_domain (events) == f->alpha);
    g_object_get (events, "domain", &domain, NULL);
    g_assert_true (domain == f->alpha);
    g_object_unref (domain);

    g_assert_true (GVIR_IS_CONNECTION_EVENTS (conn_events));
    g_assert_true (conn_events == gvir_connection_events_get_for_connection (f->conn));
    g_assert_true (gvir_connection_events_get_connection (conn_events) == f->conn);

    /* libvirt 9.0 knows every event ID this library registers */
    for (GVirDomainEventKind kind = GVIR_DOMAIN_EVENT_KIND_LIFECYCLE;
         kind <= GVIR_DOMAIN_EVENT_KIND_MEMORY_DEVICE_SIZE_CHANGE; kind++)
        g_assert_true (gvir_connection_events_supports (conn_events, kind));
}

static void
test_isolation (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    TestRecorder alpha, beta;

    test_recorder_init (&alpha);
    test_recorder_init (&beta);
    test_recorder_connect (&alpha, gvir_domain_events_get_for_domain (f->alpha), "lifecycle");
    test_recorder_connect (&beta, gvir_domain_events_get_for_domain (f->beta), "lifecycle");

    suspend_resume (f->alpha);
    suspend_resume (f->beta);
    /* events arrive in order: once beta heard both, alpha's were delivered */
    g_assert_true (test_wait_for_count (&beta.emissions->len, 2, TIMEOUT_MS));

    g_assert_cmpuint (test_recorder_count (&alpha), ==, 2);
    assert_lifecycle (test_recorder_get (&alpha, 0), "suspended",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    assert_lifecycle (test_recorder_get (&alpha, 1), "resumed",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    g_assert_cmpuint (test_recorder_count (&beta), ==, 2);
    assert_lifecycle (test_recorder_get (&beta, 0), "suspended",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);

    test_recorder_clear (&alpha);
    test_recorder_clear (&beta);
}

static void
test_detail_filter (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (f->alpha);
    TestRecorder suspended, all;
    virDomainPtr handle = handle_of (f->alpha);

    test_recorder_init (&suspended);
    test_recorder_init (&all);
    test_recorder_connect (&suspended, events, "lifecycle::suspended");
    test_recorder_connect (&all, events, "lifecycle");

    g_assert_cmpint (virDomainSuspend (handle), ==, 0);
    g_assert_cmpint (virDomainResume (handle), ==, 0);
    g_assert_cmpint (virDomainDestroy (handle), ==, 0);
    virDomainFree (handle);
    g_assert_true (test_wait_for_count (&all.emissions->len, 3, TIMEOUT_MS));

    g_assert_cmpuint (test_recorder_count (&suspended), ==, 1);
    assert_lifecycle (test_recorder_get (&suspended, 0), "suspended",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    assert_lifecycle (test_recorder_get (&all, 2), "stopped",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);

    test_recorder_clear (&suspended);
    test_recorder_clear (&all);
}

static void
test_domain_event_new_domain (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (f->conn);
    TestRecorder recorder, any;
    g_autofree gchar *xml = g_strdup_printf (domain_xml, "gamma");
    gchar uuid[VIR_UUID_STRING_BUFLEN];
    GDateTime *now;
    virDomainPtr dom;
    TestEmission *e;
    GVirEvent *event;
    GVariant *payload;
    gint code = -1;
    g_autofree gchar *line = NULL;

    test_recorder_init (&recorder);
    test_recorder_init (&any);
    test_recorder_connect (&recorder, conn_events, "domain-event::lifecycle");
    test_recorder_connect (&any, conn_events, "domain-event");

    /* a domain the companion's connection has never seen */
    dom = virDomainDefineXML (f->handle, xml);
    g_assert_nonnull (dom);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));

    e = test_recorder_get (&recorder, 0);
    g_assert_cmpstr (e->signal, ==, "domain-event");
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, "lifecycle");
    g_assert_true (GVIR_IS_DOMAIN (g_value_get_object (&e->values[0])));
    g_assert_cmpstr (gvir_domain_get_name (g_value_get_object (&e->values[0])), ==, "gamma");

    event = g_value_get_object (&e->values[1]);
    g_assert_true (GVIR_IS_EVENT (event));
    g_assert_cmpint (gvir_event_get_kind (event), ==, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE);
    g_assert_cmpstr (gvir_event_get_kind_name (event), ==, "lifecycle");
    g_assert_cmpstr (gvir_event_get_domain_name (event), ==, "gamma");
    g_assert_cmpint (virDomainGetUUIDString (dom, uuid), ==, 0);
    g_assert_cmpstr (gvir_event_get_domain_uuid (event), ==, uuid);
    now = g_date_time_new_now_utc ();
    /* received within the last minute, and the same object on every call */
    g_assert_cmpint (g_date_time_difference (now, gvir_event_get_time (event)), >=, 0);
    g_assert_cmpint (g_date_time_difference (now, gvir_event_get_time (event)), <, 60 * G_USEC_PER_SEC);
    g_assert_true (gvir_event_get_time (event) == gvir_event_get_time (event));
    g_date_time_unref (now);
    g_assert_cmpstr (gvir_event_get_detail (event), ==, "defined");
    g_assert_nonnull (gvir_event_get_time (event));
    payload = gvir_event_get_payload (event);
    g_assert_true (g_variant_is_of_type (payload, G_VARIANT_TYPE_VARDICT));
    g_assert_true (g_variant_lookup (payload, "event", "i", &code));
    g_assert_cmpint (code, ==, GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED);
    g_assert_true (g_variant_lookup (payload, "detail", "i", &code));
    g_assert_cmpint (code, ==, VIR_DOMAIN_EVENT_DEFINED_ADDED);
    line = gvir_event_to_string (event);
    g_assert_cmpstr (line, ==, "gamma: lifecycle defined (added)");

    /* a handler without detail hears it too */
    g_assert_cmpuint (test_recorder_count (&any), ==, 1);
    g_assert_cmpstr (g_quark_to_string (test_recorder_get (&any, 0)->detail), ==, "lifecycle");

    virDomainUndefine (dom);
    virDomainFree (dom);
    test_recorder_clear (&recorder);
    test_recorder_clear (&any);
}

static void
test_metadata_change (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (f->conn);
    TestRecorder typed, generic, other_kind;
    virDomainPtr handle = handle_of (f->alpha);
    TestEmission *e;
    GVirEvent *event;
    const gchar *nsuri = NULL;

    test_recorder_init (&typed);
    test_recorder_init (&generic);
    test_recorder_init (&other_kind);
    test_recorder_connect (&typed, gvir_domain_events_get_for_domain (f->alpha), "metadata-change");
    test_recorder_connect (&generic, conn_events, "domain-event::metadata-change");
    test_recorder_connect (&other_kind, conn_events, "domain-event::watchdog");

    g_assert_cmpint (virDomainSetMetadata (handle, VIR_DOMAIN_METADATA_ELEMENT,
                                           "<tag>1</tag>", "t", "http://example.org/t",
                                           VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    g_assert_cmpint (virDomainSetMetadata (handle, VIR_DOMAIN_METADATA_TITLE,
                                           "A title", NULL, NULL,
                                           VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    virDomainFree (handle);
    g_assert_true (test_wait_for_count (&generic.emissions->len, 2, TIMEOUT_MS));

    g_assert_cmpuint (test_recorder_count (&typed), ==, 2);
    e = test_recorder_get (&typed, 0);
    g_assert_cmpint (g_value_get_enum (&e->values[0]), ==, GVIR_DOMAIN_METADATA_TYPE_ELEMENT);
    g_assert_cmpstr (g_value_get_string (&e->values[1]), ==, "http://example.org/t");
    e = test_recorder_get (&typed, 1);
    g_assert_cmpint (g_value_get_enum (&e->values[0]), ==, GVIR_DOMAIN_METADATA_TYPE_TITLE);
    g_assert_null (g_value_get_string (&e->values[1]));

    /* the watched domain's own GVirDomain is handed out */
    e = test_recorder_get (&generic, 0);
    g_assert_true (g_value_get_object (&e->values[0]) == f->alpha);
    event = g_value_get_object (&e->values[1]);
    g_assert_true (g_variant_lookup (gvir_event_get_payload (event), "nsuri", "&s", &nsuri));
    g_assert_cmpstr (nsuri, ==, "http://example.org/t");
    /* a NULL string is left out of the payload */
    event = g_value_get_object (&test_recorder_get (&generic, 1)->values[1]);
    g_assert_false (g_variant_lookup (gvir_event_get_payload (event), "nsuri", "&s", &nsuri));

    g_assert_cmpuint (test_recorder_count (&other_kind), ==, 0);

    test_recorder_clear (&typed);
    test_recorder_clear (&generic);
    test_recorder_clear (&other_kind);
}

static GVirDomain *domain_by_uuid (Fixture *f, const gchar *uuid);

static void
on_weak_notify (gpointer data, GObject *where_the_object_was G_GNUC_UNUSED)
{
    gboolean *finalized = data;

    *finalized = TRUE;
}

/*
 * One companion per domain, not per wrapper: libvirt-gobject replaces its
 * GVirDomain objects on every fetch, and handlers must not go with them.
 */
static void
test_lifetime (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr handle = handle_of (f->alpha);
    GVirDomain *wrapper = g_object_new (GVIR_TYPE_DOMAIN, "handle", handle, NULL);
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (wrapper);
    g_autoptr(GError) error = NULL;
    gboolean companion_finalized = FALSE, fetched_finalized = FALSE;
    GVirDomain *refetched;
    TestRecorder recorder;

    /* any wrapper of the domain gives the same companion */
    g_assert_true (events == gvir_domain_events_get_for_domain (f->alpha));
    g_assert_true (gvir_domain_events_get_domain (events) == wrapper);
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, events, "lifecycle");
    g_object_weak_ref (G_OBJECT (events), on_weak_notify, &companion_finalized);

    /* the program drops every wrapper it has; libvirt-gobject makes new ones */
    g_object_weak_ref (G_OBJECT (f->alpha), on_weak_notify, &fetched_finalized);
    g_object_unref (wrapper);
    g_clear_object (&f->alpha);
    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (fetched_finalized);
    g_assert_false (companion_finalized);

    /* the handlers still hear the domain, through the new wrappers too */
    g_assert_cmpint (virDomainSuspend (handle), ==, 0);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&recorder, 0), "suspended",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    refetched = gvir_connection_find_domain_by_name (f->conn, "alpha");
    g_assert_nonnull (refetched);
    g_assert_true (gvir_domain_events_get_for_domain (refetched) == events);
    /* the wrapper it hands out works for calls */
    g_assert_cmpstr (gvir_domain_get_name (gvir_domain_events_get_domain (events)), ==, "alpha");

    g_assert_cmpint (virDomainResume (handle), ==, 0);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 2, TIMEOUT_MS));
    g_object_unref (refetched);
    virDomainFree (handle);
    test_recorder_clear (&recorder);
}

/*
 * A companion stops, and the connection lets go of it, when its domain is
 * gone: a transient domain stopped, an inactive one undefined.
 */
static void
test_domain_gone (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const gchar *uuid = "eeeeeeee-0000-4000-8000-00000000000e";
    g_autofree gchar *xml = g_strdup_printf ("<domain type='test'><name>short</name><uuid>%s</uuid>"
                                             "<memory>8192</memory><os><type>hvm</type></os></domain>",
                                             uuid);
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = virDomainCreateXML (f->handle, xml, 0);
    GVirDomain *domain;
    GVirDomainEvents *events, *held, *again;
    gboolean finalized = FALSE, persistent_finalized = FALSE;
    TestRecorder recorder, persistent;

    g_assert_nonnull (dom);
    domain = domain_by_uuid (f, uuid);
    g_assert_nonnull (domain);
    events = gvir_domain_events_get_for_domain (domain);
    held = g_object_ref (events);            /* the program keeps it */
    while (g_main_context_iteration (NULL, FALSE));
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, events, "lifecycle");
    g_object_weak_ref (G_OBJECT (events), on_weak_notify, &finalized);
    g_object_unref (domain);

    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));
    assert_lifecycle (test_recorder_get (&recorder, 0), "stopped",
                      GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_false (finalized);
    g_assert_false (gvir_domain_events_set_watermark (held, "vda", 1, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE);
    g_assert_nonnull (strstr (error->message, "'short'"));
    g_clear_error (&error);

    /* a new domain with that UUID is a new companion; the old one hears nothing */
    virDomainFree (dom);
    dom = virDomainCreateXML (f->handle, xml, 0);
    g_assert_nonnull (dom);
    domain = domain_by_uuid (f, uuid);
    again = gvir_domain_events_get_for_domain (domain);
    g_assert_true (again != held);
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
    while (g_main_context_iteration (NULL, FALSE));
    g_assert_cmpuint (test_recorder_count (&recorder), ==, 1);
    g_object_unref (domain);
    virDomainFree (dom);

    /* the connection held it only while the domain existed */
    g_object_unref (held);
    g_assert_true (finalized);

    /* an inactive persistent domain, undefined: gone too, and nobody holds it */
    domain = g_object_ref (f->beta);
    g_assert_cmpint (gvir_domain_stop (domain, 0, &error), ==, TRUE);
    g_assert_no_error (error);
    events = gvir_domain_events_get_for_domain (domain);
    while (g_main_context_iteration (NULL, FALSE));
    test_recorder_init (&persistent);
    test_recorder_connect (&persistent, events, "lifecycle::undefined");
    g_object_weak_ref (G_OBJECT (events), on_weak_notify, &persistent_finalized);
    g_assert_true (gvir_domain_delete (domain, 0, &error));
    g_assert_no_error (error);
    g_assert_true (test_wait_for_count (&persistent.emissions->len, 1, TIMEOUT_MS));
    while (g_main_context_iteration (NULL, FALSE));
    g_assert_true (persistent_finalized);
    g_object_unref (domain);

    test_recorder_clear (&recorder);
    test_recorder_clear (&persistent);
}

/* What a binding's default constructor makes: no crash, no silent dead object. */
static void
test_direct_construction (void)
{
    GVirDomainEvents *events;
    GVirConnectionEvents *conn_events;
    GVirEvent *event;
    GVirGraphicsClient *client;
    g_autoptr(GError) error = NULL;
    g_autofree gchar *line = NULL;

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL,
                           "*GVirDomainEvents cannot be constructed directly*gvir_domain_events_get_for_domain*");
    events = g_object_new (GVIR_TYPE_DOMAIN_EVENTS, NULL);
    g_test_assert_expected_messages ();
    g_assert_null (gvir_domain_events_get_domain (events));
    g_assert_false (gvir_domain_events_set_watermark (events, "vda", 1, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE);
    g_assert_nonnull (strstr (error->message, "g_object_new"));
    g_object_unref (events);

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL,
                           "*GVirConnectionEvents cannot be constructed directly*");
    conn_events = g_object_new (GVIR_TYPE_CONNECTION_EVENTS, NULL);
    g_test_assert_expected_messages ();
    g_assert_null (gvir_connection_events_get_connection (conn_events));
    g_assert_false (gvir_connection_events_supports (conn_events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    g_object_unref (conn_events);

    /* the records are empty, and say so */
    event = g_object_new (GVIR_TYPE_EVENT, NULL);
    g_assert_null (gvir_event_get_domain_name (event));
    g_assert_null (gvir_event_get_detail (event));
    g_assert_cmpuint (g_variant_n_children (gvir_event_get_payload (event)), ==, 0);
    line = gvir_event_to_string (event);
    g_assert_cmpstr (line, ==, "(no domain): lifecycle");
    g_object_unref (event);

    client = g_object_new (GVIR_TYPE_GRAPHICS_CLIENT, NULL);
    g_assert_null (gvir_graphics_client_get_x509_dname (client));
    g_assert_null (gvir_graphics_client_get_sasl_username (client));
    g_assert_cmpuint (g_variant_n_children (gvir_graphics_client_get_identities (client)), ==, 0);
    g_object_unref (client);
}

/* A GVirDomain for the domain of this UUID, as libvirt-gobject knows it. */
static GVirDomain *
domain_by_uuid (Fixture *f, const gchar *uuid)
{
    g_autoptr(GError) error = NULL;

    g_assert_true (gvir_connection_fetch_domains (f->conn, NULL, &error));
    return gvir_connection_get_domain (f->conn, uuid);
}

static virDomainPtr
define (Fixture *f, const gchar *name, const gchar *uuid, gboolean transient)
{
    g_autofree gchar *xml = g_strdup_printf ("<domain type='test'><name>%s</name><uuid>%s</uuid>"
                                             "<memory>8192</memory><os><type>hvm</type></os></domain>",
                                             name, uuid);
    virDomainPtr dom = transient ? virDomainCreateXML (f->handle, xml, 0)
                                 : virDomainDefineXML (f->handle, xml);

    g_assert_nonnull (dom);
    if (!transient)
        g_assert_cmpint (virDomainCreate (dom), ==, 0);
    while (g_main_context_iteration (NULL, FALSE));
    return dom;
}

/*
 * A name stands for one domain at a time, but not for ever: undefined and
 * redefined, a transient domain recreated, a domain renamed.  Events must go
 * to the companion of the domain that has the name *now*.
 */
static void
test_name_reuse (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const gchar *uuid_a = "aaaaaaaa-0000-4000-8000-000000000001";
    const gchar *uuid_b = "bbbbbbbb-0000-4000-8000-000000000002";
    const gchar *uuid_c = "cccccccc-0000-4000-8000-000000000003";
    const gchar *uuid_d = "dddddddd-0000-4000-8000-000000000004";
    virDomainPtr a, b, c, d, renamed;
    GVirDomain *ga, *gb, *gc, *gd;
    TestRecorder ra, ra2, rb, rc, rd;

    test_recorder_init (&ra);
    test_recorder_init (&ra2);
    test_recorder_init (&rb);
    test_recorder_init (&rc);
    test_recorder_init (&rd);

    /* persistent "x" (A), undefined, then "x" again (B) */
    a = define (f, "x", uuid_a, FALSE);
    ga = domain_by_uuid (f, uuid_a);
    test_recorder_connect (&ra, gvir_domain_events_get_for_domain (ga), "lifecycle::suspended");
    suspend_resume (ga);
    g_assert_cmpint (virDomainDestroy (a), ==, 0);
    g_assert_cmpint (virDomainUndefine (a), ==, 0);
    b = define (f, "x", uuid_b, FALSE);
    gb = domain_by_uuid (f, uuid_b);
    test_recorder_connect (&rb, gvir_domain_events_get_for_domain (gb), "lifecycle::suspended");
    suspend_resume (gb);
    g_assert_true (test_wait_for_count (&rb.emissions->len, 1, TIMEOUT_MS));
    g_assert_cmpuint (test_recorder_count (&ra), ==, 1);

    /* transient "t" (C), destroyed, then "t" again (D) */
    c = define (f, "t", uuid_c, TRUE);
    gc = domain_by_uuid (f, uuid_c);
    test_recorder_connect (&rc, gvir_domain_events_get_for_domain (gc), "lifecycle::suspended");
    suspend_resume (gc);
    g_assert_cmpint (virDomainDestroy (c), ==, 0);
    d = define (f, "t", uuid_d, TRUE);
    gd = domain_by_uuid (f, uuid_d);
    test_recorder_connect (&rd, gvir_domain_events_get_for_domain (gd), "lifecycle::suspended");
    suspend_resume (gd);
    g_assert_true (test_wait_for_count (&rd.emissions->len, 1, TIMEOUT_MS));
    g_assert_cmpuint (test_recorder_count (&rc), ==, 1);

    /* "x" (B) renamed "y"; a new "x" (A's UUID again) must not reach B */
    g_assert_cmpint (virDomainDestroy (b), ==, 0);
    g_assert_cmpint (virDomainRename (b, "y", 0), ==, 0);
    virDomainFree (a);
    a = define (f, "x", uuid_a, FALSE);
    /* A was gone (undefined): its UUID again is a new domain, with a new companion */
    g_clear_object (&ga);
    ga = domain_by_uuid (f, uuid_a);
    test_recorder_connect (&ra2, gvir_domain_events_get_for_domain (ga), "lifecycle::suspended");
    g_assert_cmpint (virDomainSuspend (a), ==, 0);
    renamed = virDomainLookupByName (f->handle, "y");
    g_assert_nonnull (renamed);
    g_assert_cmpint (virDomainCreate (renamed), ==, 0);
    g_assert_cmpint (virDomainSuspend (renamed), ==, 0);
    g_assert_true (test_wait_for_count (&rb.emissions->len, 2, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&ra2.emissions->len, 1, TIMEOUT_MS));
    g_assert_cmpuint (test_recorder_count (&rb), ==, 2);
    g_assert_cmpuint (test_recorder_count (&ra), ==, 1);

    g_clear_object (&ga);
    g_clear_object (&gb);
    g_clear_object (&gc);
    g_clear_object (&gd);
    virDomainFree (a);
    virDomainFree (b);
    virDomainFree (c);
    virDomainFree (d);
    virDomainFree (renamed);
    test_recorder_clear (&ra);
    test_recorder_clear (&ra2);
    test_recorder_clear (&rb);
    test_recorder_clear (&rc);
    test_recorder_clear (&rd);
}

static void
test_connection_closed (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (f->conn);
    gboolean finalized = FALSE;

    g_assert_true (gvir_connection_events_supports (conn_events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    gvir_connection_close (f->conn);
    g_assert_false (gvir_connection_events_supports (conn_events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));

    g_object_weak_ref (G_OBJECT (conn_events), on_weak_notify, &finalized);
    g_clear_object (&f->alpha);
    g_clear_object (&f->beta);
    g_clear_object (&f->conn);
    g_assert_true (finalized);
}

/* A companion made before the connection opens attaches when it does. */
static void
test_connection_opened_later (void)
{
    g_autoptr(GError) error = NULL;
    GVirConnection *conn = gvir_connection_new ("test:///default");
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    TestRecorder recorder;
    virConnectPtr handle = NULL;
    virDomainPtr dom;

    g_assert_false (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, events, "domain-event::lifecycle");

    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));

    g_object_get (conn, "handle", &handle, NULL);
    dom = virDomainLookupByName (handle, "test");
    g_assert_nonnull (dom);
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));
    g_assert_cmpstr (g_quark_to_string (test_recorder_get (&recorder, 0)->detail), ==, "lifecycle");
    g_assert_cmpint (virDomainResume (dom), ==, 0);

    /* closed, then opened again: a new registration, events again */
    gvir_connection_close (conn);
    g_assert_false (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    while (g_main_context_iteration (NULL, FALSE));
    g_ptr_array_set_size (recorder.emissions, 0);
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    while (g_main_context_iteration (NULL, FALSE));
    g_assert_cmpuint (test_recorder_count (&recorder), ==, 0);
    g_assert_cmpint (virDomainResume (dom), ==, 0);
    while (g_main_context_iteration (NULL, FALSE));

    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_events_supports (events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
    /* libvirt-gobject 4.0's own callback wants its domain table again (a reopened connection has none) */
    g_assert_true (gvir_connection_fetch_domains (conn, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (virDomainSuspend (dom), ==, 0);
    g_assert_true (test_wait_for_count (&recorder.emissions->len, 1, TIMEOUT_MS));
    {
        GVirEvent *event = g_value_get_object (&test_recorder_get (&recorder, 0)->values[1]);

        g_assert_cmpstr (gvir_event_get_detail (event), ==, "suspended");
        g_assert_cmpstr (gvir_event_get_domain_name (event), ==, "test");
    }
    g_assert_cmpint (virDomainResume (dom), ==, 0);

    virDomainFree (dom);
    virConnectClose (handle);
    gvir_connection_close (conn);
    g_object_unref (conn);
    while (g_main_context_iteration (NULL, FALSE));
    test_recorder_clear (&recorder);
}

static void
test_watermark_error (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (f->alpha);
    g_autoptr(GError) error = NULL;

    /* the test driver has no block threshold: a clear error, not a crash */
    g_assert_false (gvir_domain_events_set_watermark (events, "vda", 4096, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "'vda'"));
    g_assert_nonnull (strstr (error->message, "'alpha'"));
}

static void
test_bad_input (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirDomainEvents *events = gvir_domain_events_get_for_domain (f->alpha);

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_DOMAIN*");
    g_assert_null (gvir_domain_events_get_for_domain (NULL));
    g_test_assert_expected_messages ();

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_CONNECTION*");
    g_assert_null (gvir_connection_events_get_for_connection (NULL));
    g_test_assert_expected_messages ();

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*disk != NULL*");
    g_assert_false (gvir_domain_events_set_watermark (events, NULL, 1, NULL));
    g_test_assert_expected_messages ();

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*spec != NULL*");
    g_assert_false (gvir_connection_events_supports (gvir_connection_events_get_for_connection (f->conn),
                                                     (GVirDomainEventKind) 1000));
    g_test_assert_expected_messages ();

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_CONNECTION_EVENTS*");
    g_assert_false (gvir_connection_events_get_connected (NULL));
    g_test_assert_expected_messages ();

    g_test_expect_message ("libvirt-gevents", G_LOG_LEVEL_CRITICAL, "*GVIR_IS_EVENT*");
    g_assert_false (gvir_event_get_synthesized (NULL));
    g_test_assert_expected_messages ();
}

/*
 * The companion of a domain whose connection the program closed: no crash,
 * no event, and a GError that says the domain is gone from it.
 */
static void
test_closed_connection (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (f->conn);
    /* the program holds it: the connection lets go of it when it closes */
    GVirDomainEvents *held = g_object_ref (gvir_domain_events_get_for_domain (f->alpha));
    g_autoptr(GError) error = NULL;
    TestRecorder recorder;

    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, held, "lifecycle");
    gvir_connection_close (f->conn);
    g_assert_false (gvir_connection_events_get_connected (conn_events));
    /* its companion is let go with the connection, and says why */
    g_assert_false (gvir_domain_events_set_watermark (held, "vda", 1, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE);
    g_clear_error (&error);

    /* and hears nothing more, though the domain still changes */
    suspend_resume (f->alpha);
    while (g_main_context_iteration (NULL, FALSE));
    g_assert_cmpuint (test_recorder_count (&recorder), ==, 0);
    test_recorder_clear (&recorder);
    g_object_unref (held);
}

/* The same domain through two connections: two companions, each hears it. */
static void
test_other_connection (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    GVirConnection *other = gvir_connection_new ("test:///default");
    GVirDomain *alpha_there;
    GVirDomainEvents *here, *there;
    TestRecorder rec_here, rec_there;

    g_assert_true (gvir_connection_open (other, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (gvir_connection_fetch_domains (other, NULL, &error));
    g_assert_no_error (error);
    gvir_connection_events_get_for_connection (other);
    alpha_there = gvir_connection_find_domain_by_name (other, "alpha");
    g_assert_nonnull (alpha_there);
    here = gvir_domain_events_get_for_domain (f->alpha);
    there = gvir_domain_events_get_for_domain (alpha_there);
    g_assert_true (here != there);
    g_assert_true (gvir_domain_events_get_domain (there) == alpha_there);
    while (g_main_context_iteration (NULL, FALSE));

    test_recorder_init (&rec_here);
    test_recorder_init (&rec_there);
    test_recorder_connect (&rec_here, here, "lifecycle::suspended");
    test_recorder_connect (&rec_there, there, "lifecycle::suspended");
    suspend_resume (f->alpha);
    g_assert_true (test_wait_for_count (&rec_here.emissions->len, 1, TIMEOUT_MS));
    g_assert_true (test_wait_for_count (&rec_there.emissions->len, 1, TIMEOUT_MS));

    test_recorder_clear (&rec_here);
    test_recorder_clear (&rec_there);
    g_object_unref (alpha_there);
    gvir_connection_close (other);
    g_object_unref (other);
    while (g_main_context_iteration (NULL, FALSE));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);

#define ADD(path, fn) \
    g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD ("/companion/identity", test_identity);
    ADD ("/companion/lifetime", test_lifetime);
    ADD ("/companion/closed-connection", test_closed_connection);
    ADD ("/companion/other-connection", test_other_connection);
    ADD ("/companion/domain-gone", test_domain_gone);
    g_test_add_func ("/companion/direct-construction", test_direct_construction);
    ADD ("/companion/connection-closed", test_connection_closed);
    ADD ("/companion/name-reuse", test_name_reuse);
    g_test_add_func ("/companion/connection-opened-later", test_connection_opened_later);
    ADD ("/lifecycle/isolation", test_isolation);
    ADD ("/lifecycle/detail-filter", test_detail_filter);
    ADD ("/domain-event/new-domain", test_domain_event_new_domain);
    ADD ("/metadata-change", test_metadata_change);
    ADD ("/watermark/error", test_watermark_error);
    ADD ("/bad-input", test_bad_input);
#undef ADD

    return g_test_run ();
}
