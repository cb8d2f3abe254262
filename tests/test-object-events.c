/*
 * test-object-events.c: the events of networks, storage pools, node devices
 * and secrets, as typed signals of GVirConnectionEvents
 *
 * End to end where an in-process driver raises them: libvirt's test driver
 * (test:///default) for networks, storage pools and vHBA node devices, and
 * the embedded secret driver (secret:///embed?root=DIR) for secrets.  Then,
 * through the callbacks libvirt calls, what no driver here raises: a node
 * device update and values a newer daemon may send.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "gvir-events-hub-private.h"

#include "test-utils.h"

#define TIMEOUT_MS 5000

typedef struct {
    GVirConnection *conn;
    virConnectPtr handle;
    GVirConnectionEvents *events;
    TestRecorder all;               /* every object signal, no detail */
    TestRecorder filtered;          /* what a test connects with a detail */
} Fixture;

static const char network_xml[] =
    "<network><name>gevents-net</name>"
    "<uuid>4b2a0c1e-7f36-4d5b-9e0a-2f51c3d6a801</uuid>"
    "<bridge name='gevbr0'/><ip address='192.168.213.1' netmask='255.255.255.0'/>"
    "</network>";

static const char pool_xml[] =
    "<pool type='dir'><name>gevents-pool</name>"
    "<uuid>0d7e3a55-1c2b-4f8e-a4b6-93e1f0c2d7aa</uuid>"
    "<target><path>/gevents-pool</path></target></pool>";

/* a vHBA: the test driver makes node devices only under a vport-capable parent */
static const char vhba_xml[] =
    "<device><parent>scsi_host1</parent><capability type='scsi_host'>"
    "<capability type='fc_host'><wwnn>2000000012345678</wwnn>"
    "<wwpn>1000000012345678</wwpn></capability></capability></device>";

static const char secret_xml[] =
    "<secret ephemeral='no' private='no'>"
    "<uuid>6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f</uuid>"
    "<usage type='volume'><volume>/gevents/volume</volume></usage></secret>";

static void
record_all (Fixture *f)
{
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++)
        test_recorder_connect (&f->all, f->events, _gvir_object_event_kind_name (kind));
}

static void
open_connection (Fixture *f, const gchar *uri)
{
    g_autoptr(GError) error = NULL;

    f->conn = gvir_connection_new (uri);
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_object_get (f->conn, "handle", &f->handle, NULL);
    g_assert_nonnull (f->handle);
    /* before any event: it holds the registrations */
    f->events = gvir_connection_events_get_for_connection (f->conn);
    g_assert_nonnull (f->events);
    /* earlier tests' events are not this test's */
    while (g_main_context_iteration (NULL, FALSE));
    test_recorder_init (&f->all);
    test_recorder_init (&f->filtered);
    record_all (f);
}

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    open_connection (f, "test:///default");
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    test_recorder_clear (&f->all);
    test_recorder_clear (&f->filtered);
    virConnectClose (f->handle);
    gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    while (g_main_context_iteration (NULL, FALSE));
}

static void
wait_for (TestRecorder *recorder, guint n)
{
    const guint *count = &recorder->emissions->len;

    g_assert_true (test_wait_for_count (count, n, TIMEOUT_MS));
    /* and nothing more in flight */
    while (g_main_context_iteration (NULL, FALSE));
    g_assert_cmpuint (test_recorder_count (recorder), ==, n);
}

/* The name of a libvirt-gobject object, whichever of the four it is. */
static const gchar *
object_name (GObject *object)
{
    if (GVIR_IS_NETWORK (object))
        return gvir_network_get_name (GVIR_NETWORK (object));
    if (GVIR_IS_STORAGE_POOL (object))
        return gvir_storage_pool_get_name (GVIR_STORAGE_POOL (object));
    if (GVIR_IS_NODE_DEVICE (object))
        return gvir_node_device_get_name (GVIR_NODE_DEVICE (object));
    if (GVIR_IS_SECRET (object))
        return gvir_secret_get_uuid (GVIR_SECRET (object));
    g_assert_not_reached ();
}

/*
 * Checks emission i: its signal, the object's type and name (a secret's
 * UUID), and for lifecycle signals the event (by nick, also the detail) and
 * the detail code.
 */
static GObject *
expect (TestRecorder *recorder, guint i, const gchar *signal, GType object_type,
        const gchar *name, const gchar *event_nick, gint detail)
{
    TestEmission *e = test_recorder_get (recorder, i);
    GObject *object;

    g_assert_cmpstr (e->signal, ==, signal);
    g_assert_true (G_VALUE_HOLDS (&e->values[0], object_type));
    object = g_value_get_object (&e->values[0]);
    g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (object, object_type));
    g_assert_cmpstr (object_name (object), ==, name);

    if (!event_nick) {
        g_assert_cmpuint (e->n_values, ==, 1);
        g_assert_cmpuint (e->detail, ==, 0);
        return object;
    }
    g_assert_cmpuint (e->n_values, ==, 3);
    g_assert_true (G_VALUE_HOLDS_ENUM (&e->values[1]));
    {
        GEnumValue *value = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (&e->values[1])),
                                              g_value_get_enum (&e->values[1]));

        g_assert_nonnull (value);
        g_assert_cmpstr (value->value_nick, ==, event_nick);
    }
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, event_nick);
    g_assert_cmpint (g_value_get_int (&e->values[2]), ==, detail);
    return object;
}

static void
test_supports (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        /* the test driver has no secret driver: refused, skipped, reported */
        gboolean secret = kind == GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE ||
            kind == GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED;

        g_assert_cmpint (gvir_connection_events_supports_object_event (f->events, kind), ==,
                         !secret);
    }
    /* the domain events are still all there */
    g_assert_true (gvir_connection_events_supports (f->events, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
}

static void
test_signals (void)
{
    gpointer klass = g_type_class_ref (GVIR_TYPE_CONNECTION_EVENTS);

    /* one signal per kind, named by its nick, detailed where it has an event enum */
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        GSignalQuery query;
        guint id = g_signal_lookup (_gvir_object_event_kind_name (kind),
                                    GVIR_TYPE_CONNECTION_EVENTS);

        g_assert_cmpuint (id, !=, 0);
        g_signal_query (id, &query);
        g_assert_cmpuint (query.return_type, ==, G_TYPE_NONE);
        g_assert_cmpuint (query.n_params, ==,
                          1 + _gvir_object_event_spec_for_kind (kind)->n_params);
        g_assert_cmpint (!!(query.signal_flags & G_SIGNAL_DETAILED), ==, query.n_params == 3);
        if (query.n_params == 3)
            g_assert_cmpuint (query.param_types[2], ==, G_TYPE_INT);
    }
    g_assert_cmpstr (_gvir_object_event_kind_name (GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_REFRESH),
                     ==, "storage-pool-refresh");
    g_type_class_unref (klass);
}

static void
test_network (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virNetworkPtr net;
    GObject *object;

    test_recorder_connect (&f->filtered, f->events, "network-lifecycle::started");

    net = virNetworkDefineXML (f->handle, network_xml);
    g_assert_nonnull (net);
    wait_for (&f->all, 1);
    object = expect (&f->all, 0, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net",
                     "defined", 0);
    g_assert_cmpstr (gvir_network_get_uuid (GVIR_NETWORK (object)), ==,
                     "4b2a0c1e-7f36-4d5b-9e0a-2f51c3d6a801");
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    g_assert_cmpint (virNetworkCreate (net), ==, 0);
    wait_for (&f->all, 2);
    expect (&f->all, 1, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net", "started", 0);
    /* the detailed handler hears the start, and only it */
    wait_for (&f->filtered, 1);
    expect (&f->filtered, 0, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net",
            "started", 0);

    g_assert_cmpint (virNetworkDestroy (net), ==, 0);
    wait_for (&f->all, 3);
    expect (&f->all, 2, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net", "stopped", 0);

    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    wait_for (&f->all, 4);
    expect (&f->all, 3, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net", "undefined", 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 1);
    virNetworkFree (net);
}

static void
test_network_connection_object (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    GVirNetwork *known;
    virNetworkPtr net = virNetworkDefineXML (f->handle, network_xml);

    g_assert_nonnull (net);
    wait_for (&f->all, 1);
    /* once the connection has its table, its own object is handed out */
    g_assert_true (gvir_connection_fetch_networks (f->conn, NULL, &error));
    g_assert_no_error (error);
    known = gvir_connection_find_network_by_name (f->conn, "gevents-net");
    g_assert_nonnull (known);

    g_assert_cmpint (virNetworkCreate (net), ==, 0);
    wait_for (&f->all, 2);
    g_assert_true (expect (&f->all, 1, "network-lifecycle", GVIR_TYPE_NETWORK, "gevents-net",
                           "started", 0) == G_OBJECT (known));
    g_assert_cmpint (virNetworkDestroy (net), ==, 0);
    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    wait_for (&f->all, 4);
    virNetworkFree (net);
    g_object_unref (known);
}

static void
test_storage_pool (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    GVirStoragePool *known;
    virStoragePoolPtr pool;

    test_recorder_connect (&f->filtered, f->events, "storage-pool-lifecycle::stopped");

    pool = virStoragePoolDefineXML (f->handle, pool_xml, 0);
    g_assert_nonnull (pool);
    wait_for (&f->all, 1);
    expect (&f->all, 0, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
            "defined", 0);

    g_assert_true (gvir_connection_fetch_storage_pools (f->conn, NULL, &error));
    g_assert_no_error (error);
    known = gvir_connection_find_storage_pool_by_name (f->conn, "gevents-pool");
    g_assert_nonnull (known);

    g_assert_cmpint (virStoragePoolCreate (pool, 0), ==, 0);
    wait_for (&f->all, 2);
    g_assert_true (expect (&f->all, 1, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL,
                           "gevents-pool", "started", 0) == G_OBJECT (known));

    g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
    wait_for (&f->all, 3);
    g_assert_true (expect (&f->all, 2, "storage-pool-refresh", GVIR_TYPE_STORAGE_POOL,
                           "gevents-pool", NULL, 0) == G_OBJECT (known));
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    g_assert_cmpint (virStoragePoolDestroy (pool), ==, 0);
    wait_for (&f->all, 4);
    expect (&f->all, 3, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
            "stopped", 0);
    wait_for (&f->filtered, 1);
    expect (&f->filtered, 0, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
            "stopped", 0);

    g_assert_cmpint (virStoragePoolUndefine (pool), ==, 0);
    wait_for (&f->all, 5);
    expect (&f->all, 4, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
            "undefined", 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 1);
    virStoragePoolFree (pool);
    g_object_unref (known);
}

static void
test_node_device (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virNodeDevicePtr dev;
    g_autofree gchar *name = NULL;

    test_recorder_connect (&f->filtered, f->events, "node-device-lifecycle::deleted");

    dev = virNodeDeviceCreateXML (f->handle, vhba_xml, 0);
    g_assert_nonnull (dev);
    name = g_strdup (virNodeDeviceGetName (dev));
    wait_for (&f->all, 1);
    expect (&f->all, 0, "node-device-lifecycle", GVIR_TYPE_NODE_DEVICE, name, "created", 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    g_assert_cmpint (virNodeDeviceDestroy (dev), ==, 0);
    wait_for (&f->all, 2);
    expect (&f->all, 1, "node-device-lifecycle", GVIR_TYPE_NODE_DEVICE, name, "deleted", 0);
    wait_for (&f->filtered, 1);
    virNodeDeviceFree (dev);
}

/* Calls the callback libvirt calls for this kind, as libvirt would. */
typedef void (*LifecycleCallback) (virConnectPtr conn, void *obj, int event, int detail,
                                   void *opaque);
typedef void (*GenericCallback) (virConnectPtr conn, void *obj, void *opaque);

static void
fire_lifecycle (GVirEventsHub *hub, virConnectPtr conn, GVirObjectEventKind kind,
                void *obj, int event, int detail)
{
    const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);

    ((LifecycleCallback) spec->callback) (conn, obj, event, detail,
                                          _gvir_events_hub_get_object_slot (hub, kind));
}

static void
fire (GVirEventsHub *hub, virConnectPtr conn, GVirObjectEventKind kind, void *obj)
{
    const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);

    ((GenericCallback) spec->callback) (conn, obj, _gvir_events_hub_get_object_slot (hub, kind));
}

/*
 * libvirt-gobject 4.0 warns (no log domain) when a connection has no domain
 * events, as the secret driver has none: that warning only, while it opens.
 */
static void
on_no_domain_events (const gchar *log_domain, GLogLevelFlags level, const gchar *message,
                     gpointer data)
{
    g_log_default_handler (log_domain, level, message, data);
    if (g_str_has_prefix (message, "Failed to register domain events, ignoring"))
        return;
    g_printerr ("Bail out! unexpected warning\n");
    abort ();
}

/* The secret driver, embedded in this process, in a directory of its own. */
static void
test_secret (void)
{
    g_autofree gchar *root = g_dir_make_tmp ("gevents-secret-XXXXXX", NULL);
    g_autofree gchar *uri = g_strdup_printf ("secret:///embed?root=%s", root);
    g_autofree gchar *rm = g_strdup_printf ("rm -rf '%s'", root);
    const guchar value[] = "swordfish";
    Fixture fixture = { 0 }, *f = &fixture;
    virSecretPtr secret;
    GVirEventsHub *hub;
    guint handler;

    g_assert_nonnull (root);
    handler = g_log_set_handler (NULL, G_LOG_LEVEL_WARNING, on_no_domain_events, NULL);
    open_connection (f, uri);
    g_log_remove_handler (NULL, handler);
    g_assert_true (gvir_connection_events_supports_object_event (
        f->events, GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE));
    g_assert_true (gvir_connection_events_supports_object_event (
        f->events, GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED));
    g_assert_false (gvir_connection_events_supports_object_event (
        f->events, GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE));
    test_recorder_connect (&f->filtered, f->events, "secret-lifecycle::undefined");

    secret = virSecretDefineXML (f->handle, secret_xml, 0);
    g_assert_nonnull (secret);
    wait_for (&f->all, 1);
    expect (&f->all, 0, "secret-lifecycle", GVIR_TYPE_SECRET,
            "6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "defined", 0);

    g_assert_cmpint (virSecretSetValue (secret, value, sizeof (value) - 1, 0), ==, 0);
    wait_for (&f->all, 2);
    expect (&f->all, 1, "secret-value-changed", GVIR_TYPE_SECRET,
            "6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", NULL, 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    /*
     * libvirt 9.0's embedded secret driver crashes in virSecretUndefine()
     * (a NULL function pointer): the undefined event is made through the
     * callback libvirt calls, with this real secret.
     */
    hub = _gvir_events_hub_acquire (f->handle);
    fire_lifecycle (hub, f->handle, GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE, secret,
                    VIR_SECRET_EVENT_UNDEFINED, 0);
    _gvir_events_hub_unref (hub);
    g_assert_cmpuint (test_recorder_count (&f->all), ==, 3);
    expect (&f->all, 2, "secret-lifecycle", GVIR_TYPE_SECRET,
            "6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "undefined", 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 1);
    virSecretFree (secret);

    fixture_teardown (f, NULL);
    g_assert_cmpint (system (rm), ==, 0);
}

/*
 * What no driver here raises, through the callbacks: a node device update,
 * and lifecycle values newer than this library, on a real virNodeDevicePtr
 * of the test driver.
 */
static void
test_translate (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirEventsHub *hub = _gvir_events_hub_acquire (f->handle);
    virNodeDevicePtr dev = virNodeDeviceLookupByName (f->handle, "computer");
    virNetworkPtr net = virNetworkLookupByName (f->handle, "default");
    TestEmission *e;

    g_assert_nonnull (dev);
    g_assert_nonnull (net);
    test_recorder_connect (&f->filtered, f->events, "node-device-lifecycle::created");

    fire (hub, f->handle, GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_UPDATE, dev);
    g_assert_cmpuint (test_recorder_count (&f->all), ==, 1);
    expect (&f->all, 0, "node-device-update", GVIR_TYPE_NODE_DEVICE, "computer", NULL, 0);

    fire_lifecycle (hub, f->handle, GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_LIFECYCLE, dev,
                    VIR_NODE_DEVICE_EVENT_DEFINED, 7);
    g_assert_cmpuint (test_recorder_count (&f->all), ==, 2);
    expect (&f->all, 1, "node-device-lifecycle", GVIR_TYPE_NODE_DEVICE, "computer",
            "defined", 7);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    /* an event this library does not know: its number, no detail, never dropped */
    fire_lifecycle (hub, f->handle, GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE, net, 42, 3);
    g_assert_cmpuint (test_recorder_count (&f->all), ==, 3);
    e = test_recorder_get (&f->all, 2);
    g_assert_cmpstr (e->signal, ==, "network-lifecycle");
    g_assert_cmpstr (object_name (g_value_get_object (&e->values[0])), ==, "default");
    g_assert_cmpint (g_value_get_enum (&e->values[1]), ==, 42);
    g_assert_cmpint (g_value_get_int (&e->values[2]), ==, 3);
    g_assert_cmpuint (e->detail, ==, 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);

    /* nobody listens to secrets: the callback does nothing, builds nothing */
    fire_lifecycle (hub, f->handle, GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE, NULL, 0, 0);
    g_assert_cmpuint (test_recorder_count (&f->all), ==, 3);

    virNetworkFree (net);
    virNodeDeviceFree (dev);
    _gvir_events_hub_unref (hub);
}

/* Handlers only for other kinds: an event of this kind creates nothing and emits nothing. */
static void
test_nobody_listens (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    GVirEventsHub *hub = _gvir_events_hub_acquire (f->handle);
    virNetworkPtr net = virNetworkLookupByName (f->handle, "default");

    g_assert_nonnull (net);
    g_signal_handlers_disconnect_matched (f->events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                          &f->all);
    test_recorder_connect (&f->filtered, f->events, "storage-pool-refresh");
    /* nobody listens to network lifecycle events, by kind or generically */
    g_assert_cmpuint (g_signal_handler_find (f->events, G_SIGNAL_MATCH_ID,
                                             g_signal_lookup ("network-lifecycle",
                                                              GVIR_TYPE_CONNECTION_EVENTS),
                                             0, NULL, NULL, NULL), ==, 0);
    g_assert_cmpuint (g_signal_handler_find (f->events, G_SIGNAL_MATCH_ID,
                                             g_signal_lookup ("object-event",
                                                              GVIR_TYPE_CONNECTION_EVENTS),
                                             0, NULL, NULL, NULL), ==, 0);
    fire_lifecycle (hub, f->handle, GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE, net,
                    VIR_NETWORK_EVENT_STARTED, 0);
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 0);
    virNetworkFree (net);
    _gvir_events_hub_unref (hub);
}

/* What a monitor gets: object-event, with the object, the kind and an a{sv} payload. */
static void
expect_generic (TestRecorder *recorder, guint i, const gchar *kind, GType object_type,
                const gchar *name, const gchar *payload)
{
    TestEmission *e = test_recorder_get (recorder, i);
    g_autofree gchar *text = NULL;

    g_assert_cmpstr (e->signal, ==, "object-event");
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, kind);
    g_assert_cmpuint (e->n_values, ==, 3);
    g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (g_value_get_object (&e->values[0]), object_type));
    g_assert_cmpstr (object_name (g_value_get_object (&e->values[0])), ==, name);
    g_assert_cmpstr (_gvir_object_event_kind_name (g_value_get_enum (&e->values[1])), ==, kind);
    text = g_variant_print (g_value_get_variant (&e->values[2]), FALSE);
    g_assert_cmpstr (text, ==, payload);
}

static void
test_generic (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    TestRecorder generic;
    virStoragePoolPtr pool;
    GVirEventsHub *hub = _gvir_events_hub_acquire (f->handle);
    virNodeDevicePtr dev = virNodeDeviceLookupByName (f->handle, "computer");

    /* only the generic signal: the typed ones have no handler */
    g_signal_handlers_disconnect_matched (f->events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                          &f->all);
    test_recorder_init (&generic);
    test_recorder_connect (&generic, f->events, "object-event");
    test_recorder_connect (&f->filtered, f->events, "object-event::storage-pool-refresh");

    pool = virStoragePoolDefineXML (f->handle, pool_xml, 0);
    g_assert_nonnull (pool);
    g_assert_cmpint (virStoragePoolCreate (pool, 0), ==, 0);
    g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
    g_assert_cmpint (virStoragePoolDestroy (pool), ==, 0);
    g_assert_cmpint (virStoragePoolUndefine (pool), ==, 0);
    wait_for (&generic, 5);
    expect_generic (&generic, 0, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
                    "{'event': <0>, 'detail': <0>}");
    expect_generic (&generic, 1, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
                    "{'event': <2>, 'detail': <0>}");
    expect_generic (&generic, 2, "storage-pool-refresh", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
                    "{}");
    expect_generic (&generic, 4, "storage-pool-lifecycle", GVIR_TYPE_STORAGE_POOL, "gevents-pool",
                    "{'event': <1>, 'detail': <0>}");
    g_assert_cmpuint (test_recorder_count (&f->filtered), ==, 1);
    expect_generic (&f->filtered, 0, "storage-pool-refresh", GVIR_TYPE_STORAGE_POOL,
                    "gevents-pool", "{}");

    /* and through the callbacks: a node device update */
    fire (hub, f->handle, GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_UPDATE, dev);
    g_assert_cmpuint (test_recorder_count (&generic), ==, 6);
    expect_generic (&generic, 5, "node-device-update", GVIR_TYPE_NODE_DEVICE, "computer",
                    "{}");

    virStoragePoolFree (pool);
    virNodeDeviceFree (dev);
    _gvir_events_hub_unref (hub);
    test_recorder_clear (&generic);
}

static const char other_network_xml[] =
    "<network><name>gevents-other</name>"
    "<bridge name='gevbr1'/><ip address='192.168.214.1' netmask='255.255.255.0'/>"
    "</network>";

static void
expect_companion (TestRecorder *recorder, guint i, const gchar *signal, const gchar *event_nick)
{
    TestEmission *e = test_recorder_get (recorder, i);

    g_assert_cmpstr (e->signal, ==, signal);
    if (!event_nick) {
        g_assert_cmpuint (e->n_values, ==, 0);
        return;
    }
    /* the connection-wide arguments without the object */
    g_assert_cmpuint (e->n_values, ==, 2);
    g_assert_cmpstr (g_quark_to_string (e->detail), ==, event_nick);
    g_assert_cmpstr (g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (&e->values[0])),
                                       g_value_get_enum (&e->values[0]))->value_nick,
                     ==, event_nick);
    g_assert_cmpint (g_value_get_int (&e->values[1]), ==, 0);
}

/* One network's companion: its events only, one companion per network, let go when it is gone. */
static void
test_companion_network (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virNetworkPtr net = virNetworkDefineXML (f->handle, network_xml);
    virNetworkPtr other = virNetworkDefineXML (f->handle, other_network_xml);
    GVirNetwork *wrapper, *second;
    GVirNetworkEvents *events;
    TestRecorder all, started;

    g_assert_nonnull (net);
    g_assert_nonnull (other);
    wait_for (&f->all, 2);
    test_recorder_init (&all);
    test_recorder_init (&started);

    wrapper = g_object_new (GVIR_TYPE_NETWORK, "handle", net, NULL);
    events = gvir_network_events_get_for_network (wrapper);
    g_assert_nonnull (events);
    g_assert_true (GVIR_IS_NETWORK_EVENTS (events));
    g_assert_true (gvir_object_events_get_object (GVIR_OBJECT_EVENTS (events)) == G_OBJECT (wrapper));
    /* any wrapper of the same network: the same companion */
    second = g_object_new (GVIR_TYPE_NETWORK, "handle", net, NULL);
    g_assert_true (gvir_network_events_get_for_network (second) == events);
    g_object_unref (second);
    g_object_ref (events);
    test_recorder_connect (&all, events, "lifecycle");
    test_recorder_connect (&started, events, "lifecycle::started");

    g_assert_cmpint (virNetworkCreate (other), ==, 0);
    g_assert_cmpint (virNetworkCreate (net), ==, 0);
    g_assert_cmpint (virNetworkDestroy (net), ==, 0);
    g_assert_cmpint (virNetworkDestroy (other), ==, 0);
    wait_for (&f->all, 6);
    /* only this network's start and stop, the start also with its detail */
    g_assert_cmpuint (test_recorder_count (&all), ==, 2);
    expect_companion (&all, 0, "lifecycle", "started");
    expect_companion (&all, 1, "lifecycle", "stopped");
    g_assert_cmpuint (test_recorder_count (&started), ==, 1);
    expect_companion (&started, 0, "lifecycle", "started");

    /* undefined while inactive: gone, the hub lets go; a new definition is a new companion */
    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    wait_for (&f->all, 7);
    g_assert_cmpuint (test_recorder_count (&all), ==, 3);
    expect_companion (&all, 2, "lifecycle", "undefined");
    virNetworkFree (net);
    net = virNetworkDefineXML (f->handle, network_xml);
    wait_for (&f->all, 8);
    g_assert_cmpuint (test_recorder_count (&all), ==, 3);
    second = g_object_new (GVIR_TYPE_NETWORK, "handle", net, NULL);
    g_assert_true (gvir_network_events_get_for_network (second) != events);
    g_object_unref (second);

    g_assert_cmpint (virNetworkUndefine (net), ==, 0);
    g_assert_cmpint (virNetworkUndefine (other), ==, 0);
    wait_for (&f->all, 10);
    virNetworkFree (net);
    virNetworkFree (other);
    g_object_unref (events);
    g_object_unref (wrapper);
    test_recorder_clear (&all);
    test_recorder_clear (&started);
}

static void
test_companion_storage_pool (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    virStoragePoolPtr pool = virStoragePoolDefineXML (f->handle, pool_xml, 0);
    GVirStoragePool *wrapper;
    GVirStoragePoolEvents *events;
    TestRecorder recorder;

    g_assert_nonnull (pool);
    wait_for (&f->all, 1);
    g_assert_true (gvir_connection_fetch_storage_pools (f->conn, NULL, &error));
    g_assert_no_error (error);
    wrapper = gvir_connection_find_storage_pool_by_name (f->conn, "gevents-pool");
    g_assert_nonnull (wrapper);
    events = gvir_storage_pool_events_get_for_storage_pool (wrapper);
    g_assert_true (GVIR_IS_STORAGE_POOL_EVENTS (events));
    test_recorder_init (&recorder);
    test_recorder_connect (&recorder, events, "lifecycle");
    test_recorder_connect (&recorder, events, "refresh");

    g_assert_cmpint (virStoragePoolCreate (pool, 0), ==, 0);
    g_assert_cmpint (virStoragePoolRefresh (pool, 0), ==, 0);
    g_assert_cmpint (virStoragePoolDestroy (pool), ==, 0);
    wait_for (&f->all, 4);
    g_assert_cmpuint (test_recorder_count (&recorder), ==, 3);
    expect_companion (&recorder, 0, "lifecycle", "started");
    expect_companion (&recorder, 1, "refresh", NULL);
    expect_companion (&recorder, 2, "lifecycle", "stopped");

    /* the test driver's own pool is another pool */
    g_assert_cmpint (virStoragePoolUndefine (pool), ==, 0);
    wait_for (&f->all, 5);
    expect_companion (&recorder, 3, "lifecycle", "undefined");
    virStoragePoolFree (pool);
    g_object_unref (wrapper);
    test_recorder_clear (&recorder);
}

static void
test_companion_direct_construction (void)
{
    GVirNetworkEvents *events;

    if (g_test_subprocess ()) {
        events = g_object_new (GVIR_TYPE_NETWORK_EVENTS, NULL);
        g_assert_null (gvir_object_events_get_object (GVIR_OBJECT_EVENTS (events)));
        g_object_unref (events);
        return;
    }
    g_test_trap_subprocess (NULL, 0, 0);
    g_test_trap_assert_failed ();
    g_test_trap_assert_stderr ("*GVirNetworkEvents cannot be constructed directly*");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    /*
     * The tests call libvirt's callbacks themselves, on this thread, as
     * libvirt's event loop does when this thread runs it: own the context
     * the way a running loop does, so that signals are emitted at once.
     */
    g_main_context_acquire (NULL);
    test_tolerate_libvirt_gobject_warnings ();
    gvir_init_object (&argc, &argv);

#define ADD(path, fn) \
    g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    g_test_add_func ("/object-events/signals", test_signals);
    ADD ("/object-events/supports", test_supports);
    ADD ("/object-events/network", test_network);
    ADD ("/object-events/network/connection-object", test_network_connection_object);
    ADD ("/object-events/storage-pool", test_storage_pool);
    ADD ("/object-events/node-device", test_node_device);
    g_test_add_func ("/object-events/secret", test_secret);
    ADD ("/object-events/translate", test_translate);
    ADD ("/object-events/nobody-listens", test_nobody_listens);
    ADD ("/object-events/generic", test_generic);
    ADD ("/object-events/companion/network", test_companion_network);
    ADD ("/object-events/companion/storage-pool", test_companion_storage_pool);
    g_test_add_func ("/object-events/companion/direct-construction",
                     test_companion_direct_construction);
    return g_test_run ();
}
