/*
 * test-event-table.c: the translation of every event kind
 *
 * Each test calls the C callback that libvirt itself would call for an event
 * ID (the table's), with crafted arguments, on a real virDomainPtr of the
 * test driver; then checks the typed signal's arguments and the GVirEvent
 * that domain-event hands out.  NULL strings, unknown enum values, typed
 * parameters and graphics identities are covered here, where the real
 * hypervisor cannot be made to send them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "gvir-events-hub-private.h"
#include "gvir-domain-events-private.h"
#include "tools/gvir-events-render.h"

#include "test-utils.h"

typedef struct {
    GVirConnection *conn;
    virConnectPtr handle;
    virDomainPtr dom;
    GVirDomain *domain;
    GVirEventsHub *hub;
    TestRecorder typed;
    TestRecorder generic;
} Fixture;

static const char domain_xml[] =
    "<domain type='test'><name>table</name><memory>8192</memory>"
    "<os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/images/data.img'/>"
    "<target dev='hdb' bus='ide'/><alias name='ua-data'/></disk>"
    "<graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>"
    "<graphics type='spice' port='5902' autoport='no' listen='127.0.0.1'/>"
    "</devices></domain>";

static void
fixture_setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;
    GVirDomainEvents *events;

    f->conn = gvir_connection_new ("test:///default");
    g_assert_true (gvir_connection_open (f->conn, NULL, &error));
    g_assert_no_error (error);
    g_object_get (f->conn, "handle", &f->handle, NULL);
    f->dom = virDomainDefineXML (f->handle, domain_xml);
    g_assert_nonnull (f->dom);
    g_assert_cmpint (virDomainCreate (f->dom), ==, 0);
    f->domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", f->dom, NULL);

    /* the hub of the connection, whose slots libvirt's callbacks get */
    f->hub = _gvir_events_hub_acquire (f->handle);

    test_recorder_init (&f->typed);
    test_recorder_init (&f->generic);
    events = gvir_domain_events_get_for_domain (f->domain);
    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++)
        test_recorder_connect (&f->typed, events, _gvir_event_kind_name (kind));
    test_recorder_connect (&f->generic, gvir_connection_events_get_for_connection (f->conn),
                           "domain-event");
    /* the define/start events are not what these tests are about */
    while (g_main_context_iteration (NULL, FALSE));
    g_ptr_array_set_size (f->typed.emissions, 0);
    g_ptr_array_set_size (f->generic.emissions, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    test_recorder_clear (&f->typed);
    test_recorder_clear (&f->generic);
    g_clear_object (&f->domain);
    virDomainDestroy (f->dom);
    virDomainUndefine (f->dom);
    virDomainFree (f->dom);
    _gvir_events_hub_unref (f->hub);
    virConnectClose (f->handle);
    gvir_connection_close (f->conn);
    g_clear_object (&f->conn);
    while (g_main_context_iteration (NULL, FALSE));
}

static GVirEventsSlot *
slot_for (Fixture *f, GVirDomainEventKind kind)
{
    return _gvir_events_hub_get_slot (f->hub, _gvir_event_spec_for_kind (kind)->virt_id);
}

/* Calls the callback libvirt calls for this kind's event ID, as libvirt would. */
#define FIRE(f, kind, type, ...) \
    ((type) (void (*) (void)) _gvir_event_spec_for_kind (GVIR_DOMAIN_EVENT_KIND_##kind)->callback) \
        ((f)->handle, (f)->dom, __VA_ARGS__, slot_for ((f), GVIR_DOMAIN_EVENT_KIND_##kind))
#define FIRE0(f, kind) \
    ((virConnectDomainEventGenericCallback) _gvir_event_spec_for_kind (GVIR_DOMAIN_EVENT_KIND_##kind)->callback) \
        ((f)->handle, (f)->dom, slot_for ((f), GVIR_DOMAIN_EVENT_KIND_##kind))

/* The arguments as C would spell them: enum values by name, else numbers. */
static gchar *
values_to_string (TestEmission *e)
{
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < e->n_values; i++) {
        const GValue *value = &e->values[i];

        if (i)
            g_string_append (s, ", ");
        if (G_VALUE_HOLDS_ENUM (value)) {
            GEnumValue *v = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (value)),
                                              g_value_get_enum (value));
            if (v)
                g_string_append (s, v->value_name);
            else
                g_string_append_printf (s, "%d", g_value_get_enum (value));
        } else if (G_VALUE_HOLDS_FLAGS (value)) {
            guint bits = g_value_get_flags (value);
            GFlagsValue *v;

            while (bits && (v = g_flags_get_first_value (g_type_class_peek (G_VALUE_TYPE (value)), bits))) {
                g_string_append_printf (s, "%s | ", v->value_name);
                bits &= ~v->value;
            }
            g_string_append_printf (s, "0x%x", bits);
        } else if (G_VALUE_HOLDS_STRING (value)) {
            if (g_value_get_string (value))
                g_string_append_printf (s, "\"%s\"", g_value_get_string (value));
            else
                g_string_append (s, "NULL");
        } else if (G_VALUE_HOLDS_VARIANT (value)) {
            g_variant_print_string (g_value_get_variant (value), s, TRUE);
        } else {
            g_autofree gchar *contents = g_strdup_value_contents (value);

            g_string_append (s, contents);
        }
    }
    return g_string_free (s, FALSE);
}

/*
 * Checks that exactly one typed signal and one domain-event were emitted
 * since the last check, with these arguments, detail, payload and rendering.
 * @args is g_strdup_value_contents() of each argument; @payload is
 * g_variant_print() of the GVirEvent payload.
 */
static GVirGraphicsClient *
expect (Fixture *f, const gchar *signal, const gchar *detail,
        const gchar *args, const gchar *payload, const gchar *line)
{
    TestEmission *typed, *generic;
    g_autofree gchar *typed_args = NULL;
    g_autofree gchar *payload_text = NULL;
    g_autofree gchar *event_line = NULL;
    GVirEvent *event;
    GVirGraphicsClient *client = NULL;

    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 1);
    g_assert_cmpuint (test_recorder_count (&f->generic), ==, 1);

    typed = test_recorder_get (&f->typed, 0);
    g_assert_cmpstr (typed->signal, ==, signal);
    g_assert_cmpstr (g_quark_to_string (typed->detail), ==, detail);
    typed_args = values_to_string (typed);
    if (args)       /* NULL: an object, whose address says nothing */
        g_assert_cmpstr (typed_args, ==, args);

    generic = test_recorder_get (&f->generic, 0);
    g_assert_cmpstr (g_quark_to_string (generic->detail), ==, signal);
    g_assert_true (g_value_get_object (&generic->values[0]) == f->domain);
    event = g_value_get_object (&generic->values[1]);
    g_assert_cmpstr (gvir_event_get_kind_name (event), ==, signal);
    g_assert_cmpstr (gvir_event_get_detail (event), ==, detail);
    g_assert_cmpstr (gvir_event_get_domain_name (event), ==, "table");
    payload_text = g_variant_print (gvir_event_get_payload (event), FALSE);
    g_assert_cmpstr (payload_text, ==, payload);
    event_line = gvir_event_to_string (event);
    g_assert_cmpstr (event_line, ==, line);

    if (typed->n_values > 0 && G_VALUE_HOLDS (&typed->values[0], GVIR_TYPE_GRAPHICS_CLIENT))
        client = g_value_dup_object (&typed->values[0]);
    g_ptr_array_set_size (f->typed.emissions, 0);
    g_ptr_array_set_size (f->generic.emissions, 0);
    return client;
}

static void
expect_nothing (Fixture *f)
{
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 0);
    g_assert_cmpuint (test_recorder_count (&f->generic), ==, 0);
}

static void
test_table (void)
{
    /* one row per kind, in enum order, named by the kind's nick */
    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (kind);

        g_assert_nonnull (spec);
        g_assert_cmpint (spec->kind, ==, kind);
        guint id = _gvir_domain_events_signal_id (kind);
        g_assert_cmpuint (g_signal_lookup (_gvir_event_kind_name (kind), GVIR_TYPE_DOMAIN_EVENTS), ==, id);
    }
    g_assert_null (_gvir_event_spec_for_kind (GVIR_EVENT_N_KINDS));

    /* one emission per I/O error: the reason-less ID is not listened to */
    g_assert_null (_gvir_event_spec_for_virt_id (VIR_DOMAIN_EVENT_ID_IO_ERROR));
    g_assert_null (_gvir_event_spec_for_virt_id (VIR_DOMAIN_EVENT_ID_BLOCK_JOB));
    g_assert_cmpint (_gvir_event_spec_for_virt_id (VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON)->kind,
                     ==, GVIR_DOMAIN_EVENT_KIND_IO_ERROR);
    g_assert_cmpint (_gvir_event_spec_for_virt_id (VIR_DOMAIN_EVENT_ID_GRAPHICS)->kind,
                     ==, GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED);
    g_assert_null (_gvir_event_spec_for_virt_id (-1));
    g_assert_null (_gvir_event_spec_for_virt_id (1000));
}

static void
test_lifecycle (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    FIRE (f, LIFECYCLE, virConnectDomainEventCallback,
          VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    expect (f, "lifecycle", "stopped", "GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, 2",
            "{'event': <5>, 'detail': <2>}", "table: lifecycle stopped (crashed)");

    /* an event from a newer daemon: passed on as its number, without detail */
    FIRE (f, LIFECYCLE, virConnectDomainEventCallback, 42, 7);
    expect (f, "lifecycle", NULL, "42, 7",
            "{'event': <42>, 'detail': <7>}", "table: lifecycle unknown (7)");

    g_assert_cmpstr (gvir_domain_lifecycle_event_detail_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, 1),
                     ==, "destroyed");
    g_assert_cmpstr (gvir_domain_lifecycle_event_detail_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED, 2),
                     ==, "ioerror");
    g_assert_null (gvir_domain_lifecycle_event_detail_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, 99));
    g_assert_null (gvir_domain_lifecycle_event_detail_to_string (42, 0));
    g_assert_null (gvir_domain_lifecycle_event_detail_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, -1));
}

static void
test_no_argument_kinds (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    FIRE0 (f, REBOOT);
    expect (f, "reboot", NULL, "", "{}", "table: reboot");
    FIRE0 (f, CONTROL_ERROR);
    expect (f, "control-error", NULL, "", "{}", "table: control-error");
}

static void
test_scalar_kinds (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    FIRE (f, RTC_CHANGE, virConnectDomainEventRTCChangeCallback, -3600LL);
    expect (f, "rtc-change", NULL, "-3600", "{'utc_offset': <int64 -3600>}",
            "table: rtc-change utc_offset=-3600");

    FIRE (f, BALLOON_CHANGE, virConnectDomainEventBalloonChangeCallback, 1048576ULL);
    expect (f, "balloon-change", NULL, "1048576", "{'actual_kib': <uint64 1048576>}",
            "table: balloon-change actual_kib=1048576");

    FIRE (f, PM_WAKEUP, virConnectDomainEventPMWakeupCallback, 0);
    expect (f, "pm-wakeup", NULL, "0", "{'reason': <0>}", "table: pm-wakeup reason=0");
    FIRE (f, PM_SUSPEND, virConnectDomainEventPMSuspendCallback, 0);
    expect (f, "pm-suspend", NULL, "0", "{'reason': <0>}", "table: pm-suspend reason=0");
    FIRE (f, PM_SUSPEND_DISK, virConnectDomainEventPMSuspendDiskCallback, 1);
    expect (f, "pm-suspend-disk", NULL, "1", "{'reason': <1>}", "table: pm-suspend-disk reason=1");

    FIRE (f, MIGRATION_ITERATION, virConnectDomainEventMigrationIterationCallback, 3);
    expect (f, "migration-iteration", NULL, "3", "{'iteration': <3>}",
            "table: migration-iteration iteration=3");
}

static void
test_watchdog (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    FIRE (f, WATCHDOG, virConnectDomainEventWatchdogCallback, VIR_DOMAIN_EVENT_WATCHDOG_PAUSE);
    expect (f, "watchdog", "pause", "GVIR_DOMAIN_WATCHDOG_ACTION_PAUSE", "{'action': <1>}",
            "table: watchdog pause");

    FIRE (f, WATCHDOG, virConnectDomainEventWatchdogCallback, VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI);
    expect (f, "watchdog", "inject-nmi", "GVIR_DOMAIN_WATCHDOG_ACTION_INJECT_NMI",
            "{'action': <6>}", "table: watchdog inject-nmi");

    FIRE (f, WATCHDOG, virConnectDomainEventWatchdogCallback, 99);
    expect (f, "watchdog", NULL, "99", "{'action': <99>}",
            "table: watchdog 99");
}

static void
test_io_error (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    /* the alias is resolved to the target through the domain's live XML */
    FIRE (f, IO_ERROR, virConnectDomainEventIOErrorReasonCallback,
          "/images/data.img", "ua-data", VIR_DOMAIN_EVENT_IO_ERROR_PAUSE, "enospc");
    expect (f, "io-error", "hdb",
            "\"hdb\", \"ua-data\", \"/images/data.img\", GVIR_DOMAIN_IO_ERROR_ACTION_PAUSE, \"enospc\"",
            "{'disk': <'hdb'>, 'alias': <'ua-data'>, 'src_path': <'/images/data.img'>, "
            "'action': <1>, 'reason': <'enospc'>}",
            "table: io-error hdb (ua-data) pause: No space left on device");

    /* an alias the XML does not know stands for the disk */
    FIRE (f, IO_ERROR, virConnectDomainEventIOErrorReasonCallback,
          "/images/other.img", "ua-other", VIR_DOMAIN_EVENT_IO_ERROR_REPORT, "eio");
    expect (f, "io-error", "ua-other",
            "\"ua-other\", \"ua-other\", \"/images/other.img\", GVIR_DOMAIN_IO_ERROR_ACTION_REPORT, \"eio\"",
            "{'disk': <'ua-other'>, 'alias': <'ua-other'>, 'src_path': <'/images/other.img'>, "
            "'action': <2>, 'reason': <'eio'>}",
            "table: io-error ua-other report: Input/output error");

    /* NULL strings arrive as NULL, an unknown action as its number */
    FIRE (f, IO_ERROR, virConnectDomainEventIOErrorReasonCallback, NULL, NULL, 99, NULL);
    expect (f, "io-error", NULL,
            "NULL, NULL, NULL, 99, NULL",
            "{'action': <99>}", "table: io-error ? action 99");
}

static void
test_io_error_detail (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    TestRecorder hdb, hda;

    test_recorder_init (&hdb);
    test_recorder_init (&hda);
    test_recorder_connect (&hdb, gvir_domain_events_get_for_domain (f->domain), "io-error::hdb");
    test_recorder_connect (&hda, gvir_domain_events_get_for_domain (f->domain), "io-error::hda");

    FIRE (f, IO_ERROR, virConnectDomainEventIOErrorReasonCallback,
          "/images/data.img", "ua-data", VIR_DOMAIN_EVENT_IO_ERROR_REPORT, "eio");
    g_assert_cmpuint (test_recorder_count (&hdb), ==, 1);
    g_assert_cmpuint (test_recorder_count (&hda), ==, 0);
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 1);

    test_recorder_clear (&hdb);
    test_recorder_clear (&hda);
}

static void
test_graphics (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainEventGraphicsAddress vnc = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
                                          (char *) "127.0.0.1", (char *) "5901" };
    virDomainEventGraphicsAddress spice = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
                                            (char *) "127.0.0.1", (char *) "5902" };
    virDomainEventGraphicsAddress spice_tls = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
                                                (char *) "127.0.0.1", (char *) "5999" };
    virDomainEventGraphicsAddress remote = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6,
                                             (char *) "::1", (char *) "43210" };
    virDomainEventGraphicsSubjectIdentity ids[] = {
        { (char *) "x509dname", (char *) "C=GB,O=Example,CN=alice" },
        { (char *) "saslUsername", (char *) "alice" },
    };
    virDomainEventGraphicsSubject subject = { G_N_ELEMENTS (ids), ids };
    virDomainEventGraphicsSubject nobody = { 0, NULL };
    GVirGraphicsClient *client;
    g_autofree gchar *node = NULL;
    GVirGraphicsAddressFamily family;
    GVariant *identities;

    /* the server's port says which protocol: 5901 is the VNC server */
    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          VIR_DOMAIN_EVENT_GRAPHICS_CONNECT, &vnc, &remote, "none", &nobody);
    client = expect (f, "vnc-connected", NULL, NULL,
                     "{'client': <{'protocol': <0>, 'phase': <0>, 'local_family': <0>, "
                     "'local_node': <'127.0.0.1'>, 'local_service': <'5901'>, "
                     "'remote_family': <1>, 'remote_node': <'::1'>, 'remote_service': <'43210'>, "
                     "'auth_scheme': <'none'>, 'identities': <@a(ss) []>}>}",
                     "table: vnc-connected [::1]:43210 → 127.0.0.1:5901 (none)");
    g_assert_cmpint (gvir_graphics_client_get_protocol (client), ==, GVIR_GRAPHICS_PROTOCOL_VNC);
    g_assert_cmpint (gvir_graphics_client_get_phase (client), ==, GVIR_GRAPHICS_PHASE_CONNECT);
    g_assert_cmpint (gvir_graphics_client_get_local_family (client), ==, GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4);
    g_assert_cmpstr (gvir_graphics_client_get_local_node (client), ==, "127.0.0.1");
    g_assert_cmpstr (gvir_graphics_client_get_local_service (client), ==, "5901");
    g_assert_cmpint (gvir_graphics_client_get_remote_family (client), ==, GVIR_GRAPHICS_ADDRESS_FAMILY_IPV6);
    g_assert_cmpstr (gvir_graphics_client_get_remote_node (client), ==, "::1");
    g_assert_cmpstr (gvir_graphics_client_get_remote_service (client), ==, "43210");
    g_assert_cmpstr (gvir_graphics_client_get_auth_scheme (client), ==, "none");
    g_assert_cmpuint (g_variant_n_children (gvir_graphics_client_get_identities (client)), ==, 0);
    g_assert_null (gvir_graphics_client_get_x509_dname (client));
    g_assert_null (gvir_graphics_client_get_sasl_username (client));
    g_object_unref (client);

    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT, &vnc, &remote, "none", NULL);
    g_object_unref (expect (f, "vnc-disconnected", NULL, NULL,
                            "{'client': <{'protocol': <0>, 'phase': <2>, 'local_family': <0>, "
                            "'local_node': <'127.0.0.1'>, 'local_service': <'5901'>, "
                            "'remote_family': <1>, 'remote_node': <'::1'>, 'remote_service': <'43210'>, "
                            "'auth_scheme': <'none'>, 'identities': <@a(ss) []>}>}",
                            "table: vnc-disconnected [::1]:43210 → 127.0.0.1:5901 (none)"));

    /* 5902 is SPICE's; the identities are the seed's x509 DN and SASL name */
    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE, &spice, &remote, "sasl", &subject);
    client = expect (f, "spice-initialized", NULL, NULL,
                     "{'client': <{'protocol': <1>, 'phase': <1>, 'local_family': <0>, "
                     "'local_node': <'127.0.0.1'>, 'local_service': <'5902'>, "
                     "'remote_family': <1>, 'remote_node': <'::1'>, 'remote_service': <'43210'>, "
                     "'auth_scheme': <'sasl'>, 'identities': <[('x509dname', 'C=GB,O=Example,CN=alice'), "
                     "('saslUsername', 'alice')]>}>}",
                     "table: spice-initialized [::1]:43210 → 127.0.0.1:5902 (sasl) "
                     "x509dname=C=GB,O=Example,CN=alice saslUsername=alice");
    g_assert_cmpint (gvir_graphics_client_get_protocol (client), ==, GVIR_GRAPHICS_PROTOCOL_SPICE);
    g_assert_cmpstr (gvir_graphics_client_get_x509_dname (client), ==, "C=GB,O=Example,CN=alice");
    g_assert_cmpstr (gvir_graphics_client_get_sasl_username (client), ==, "alice");
    g_assert_cmpstr (gvir_graphics_client_get_identity (client, "saslUsername"), ==, "alice");
    g_assert_null (gvir_graphics_client_get_identity (client, "kerberos"));
    /* and the same through properties, as bindings read them */
    g_object_get (client, "remote_node", &node, "remote_family", &family,
                  "identities", &identities, NULL);
    g_assert_cmpstr (node, ==, "::1");
    g_assert_cmpint (family, ==, GVIR_GRAPHICS_ADDRESS_FAMILY_IPV6);
    g_assert_cmpuint (g_variant_n_children (identities), ==, 2);
    g_variant_unref (identities);
    g_object_unref (client);

    /* a port the XML API does not give (SPICE's TLS port) with both servers */
    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          VIR_DOMAIN_EVENT_GRAPHICS_CONNECT, &spice_tls, NULL, NULL, NULL);
    client = expect (f, "spice-connected", NULL, NULL,
                     "{'client': <{'protocol': <1>, 'phase': <0>, 'local_family': <0>, "
                     "'local_node': <'127.0.0.1'>, 'local_service': <'5999'>, "
                     "'remote_family': <0>, 'identities': <@a(ss) []>}>}",
                     "table: spice-connected ?:? → 127.0.0.1:5999 (?)");
    g_assert_null (gvir_graphics_client_get_remote_node (client));
    g_assert_null (gvir_graphics_client_get_auth_scheme (client));
    g_object_unref (client);

    /* a phase newer than this library has no signal to go to */
    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          7, &vnc, &remote, "none", NULL);
    expect_nothing (f);
}

static void
test_strings_and_enums (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    FIRE (f, BLOCK_JOB, virConnectDomainEventBlockJobCallback,
          "hdb", VIR_DOMAIN_BLOCK_JOB_TYPE_COPY, VIR_DOMAIN_BLOCK_JOB_READY);
    expect (f, "block-job", "hdb",
            "\"hdb\", GVIR_DOMAIN_BLOCK_JOB_TYPE_COPY, GVIR_DOMAIN_BLOCK_JOB_STATUS_READY",
            "{'disk': <'hdb'>, 'type': <2>, 'status': <3>}",
            "table: block-job hdb type=copy status=ready");
    FIRE (f, BLOCK_JOB, virConnectDomainEventBlockJobCallback, NULL, 77, 88);
    expect (f, "block-job", NULL,
            "NULL, 77, 88",
            "{'type': <77>, 'status': <88>}", "table: block-job type=77 status=88");

    FIRE (f, DISK_CHANGE, virConnectDomainEventDiskChangeCallback,
          "/iso/old.iso", NULL, "ua-cd", VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START);
    expect (f, "disk-change", NULL,
            "\"/iso/old.iso\", NULL, \"ua-cd\", GVIR_DOMAIN_DISK_CHANGE_REASON_DROP_MISSING_ON_START",
            "{'old_src': <'/iso/old.iso'>, 'alias': <'ua-cd'>, 'reason': <1>}",
            "table: disk-change old_src=/iso/old.iso alias=ua-cd reason=drop-missing-on-start");

    FIRE (f, TRAY_CHANGE, virConnectDomainEventTrayChangeCallback,
          "ua-cd", VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN);
    expect (f, "tray-change", NULL, "\"ua-cd\", GVIR_DOMAIN_TRAY_CHANGE_REASON_OPEN",
            "{'alias': <'ua-cd'>, 'reason': <0>}", "table: tray-change alias=ua-cd reason=open");

    FIRE (f, DEVICE_ADDED, virConnectDomainEventDeviceAddedCallback, "ua-other");
    expect (f, "device-added", "ua-other", "\"ua-other\"", "{'alias': <'ua-other'>}",
            "table: device-added ua-other");
    FIRE (f, DEVICE_REMOVED, virConnectDomainEventDeviceRemovedCallback, "ua-other");
    expect (f, "device-removed", "ua-other", "\"ua-other\"", "{'alias': <'ua-other'>}",
            "table: device-removed ua-other");
    FIRE (f, DEVICE_REMOVAL_FAILED, virConnectDomainEventDeviceRemovalFailedCallback, NULL);
    expect (f, "device-removal-failed", NULL, "NULL", "{}", "table: device-removal-failed");

    FIRE (f, AGENT_LIFECYCLE, virConnectDomainEventAgentLifecycleCallback,
          VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED,
          VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL);
    expect (f, "agent-lifecycle", NULL,
            "GVIR_DOMAIN_AGENT_STATE_CONNECTED, GVIR_DOMAIN_AGENT_REASON_CHANNEL",
            "{'state': <1>, 'reason': <2>}", "table: agent-lifecycle state=connected reason=channel");

    FIRE (f, METADATA_CHANGE, virConnectDomainEventMetadataChangeCallback,
          VIR_DOMAIN_METADATA_ELEMENT, "urn:example");
    expect (f, "metadata-change", NULL, "GVIR_DOMAIN_METADATA_TYPE_ELEMENT, \"urn:example\"",
            "{'type': <2>, 'nsuri': <'urn:example'>}",
            "table: metadata-change type=element nsuri=urn:example");

    FIRE (f, MEMORY_FAILURE, virConnectDomainEventMemoryFailureCallback,
          VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST,
          VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT, 3u);
    expect (f, "memory-failure", NULL,
            "GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST, GVIR_DOMAIN_MEMORY_FAILURE_ACTION_INJECT, "
            "GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_ACTION_REQUIRED | GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_RECURSIVE | 0x0",
            "{'recipient': <1>, 'action': <1>, 'flags': <uint32 3>}",
            "table: memory-failure recipient=guest action=inject flags=action-required|recursive");
    /* a bit a newer libvirt adds passes through */
    FIRE (f, MEMORY_FAILURE, virConnectDomainEventMemoryFailureCallback,
          VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST,
          VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT, 0x9u);
    expect (f, "memory-failure", NULL,
            "GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST, GVIR_DOMAIN_MEMORY_FAILURE_ACTION_INJECT, "
            "GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_ACTION_REQUIRED | 0x8",
            "{'recipient': <1>, 'action': <1>, 'flags': <uint32 9>}",
            "table: memory-failure recipient=guest action=inject flags=action-required|0x8");

    FIRE (f, MEMORY_DEVICE_SIZE_CHANGE, virConnectDomainEventMemoryDeviceSizeChangeCallback,
          "ua-mem", 2097152ULL);
    expect (f, "memory-device-size-change", NULL, "\"ua-mem\", 2097152",
            "{'alias': <'ua-mem'>, 'size_kib': <uint64 2097152>}",
            "table: memory-device-size-change alias=ua-mem size_kib=2097152");
}

static void
test_typed_params (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virTypedParameter params[7] = { 0 };

    FIRE (f, TUNABLE, virConnectDomainEventTunableCallback, NULL, 0);
    expect (f, "tunable", NULL, "@a{sv} {}", "{'params': <@a{sv} {}>}",
            "table: tunable params={}");

    g_strlcpy (params[0].field, "cputune.vcpupin0", sizeof (params[0].field));
    params[0].type = VIR_TYPED_PARAM_STRING;
    params[0].value.s = (char *) "0-1";
    g_strlcpy (params[1].field, "i", sizeof (params[1].field));
    params[1].type = VIR_TYPED_PARAM_INT;
    params[1].value.i = -5;
    g_strlcpy (params[2].field, "u", sizeof (params[2].field));
    params[2].type = VIR_TYPED_PARAM_UINT;
    params[2].value.ui = 5;
    g_strlcpy (params[3].field, "l", sizeof (params[3].field));
    params[3].type = VIR_TYPED_PARAM_LLONG;
    params[3].value.l = -6;
    g_strlcpy (params[4].field, "time_elapsed", sizeof (params[4].field));
    params[4].type = VIR_TYPED_PARAM_ULLONG;
    params[4].value.ul = 1234;
    g_strlcpy (params[5].field, "d", sizeof (params[5].field));
    params[5].type = VIR_TYPED_PARAM_DOUBLE;
    params[5].value.d = 0.5;
    g_strlcpy (params[6].field, "b", sizeof (params[6].field));
    params[6].type = VIR_TYPED_PARAM_BOOLEAN;
    params[6].value.b = 1;

    FIRE (f, TUNABLE, virConnectDomainEventTunableCallback, params, 1);
    expect (f, "tunable", NULL, "{'cputune.vcpupin0': <'0-1'>}",
            "{'params': <{'cputune.vcpupin0': <'0-1'>}>}",
            "table: tunable params={'cputune.vcpupin0': <'0-1'>}");

    /* a NULL string parameter is left out, not made "" */
    params[0].value.s = NULL;
    FIRE (f, TUNABLE, virConnectDomainEventTunableCallback, params, 2);
    expect (f, "tunable", NULL, "{'i': <-5>}", "{'params': <{'i': <-5>}>}",
            "table: tunable params={'i': <-5>}");

    FIRE (f, JOB_COMPLETED, virConnectDomainEventJobCompletedCallback,
          params + 1, (int) G_N_ELEMENTS (params) - 1);
    expect (f, "job-completed", NULL,
            "{'i': <-5>, 'u': <uint32 5>, 'l': <int64 -6>, 'time_elapsed': <uint64 1234>, "
            "'d': <0.5>, 'b': <true>}",
            "{'stats': <{'i': <-5>, 'u': <uint32 5>, 'l': <int64 -6>, "
            "'time_elapsed': <uint64 1234>, 'd': <0.5>, 'b': <true>}>}",
            "table: job-completed stats={'i': <-5>, 'u': <uint32 5>, 'l': <int64 -6>, "
            "'time_elapsed': <uint64 1234>, 'd': <0.5>, 'b': <true>}");
}

/* libvirt's callbacks for one crossing: its device names, in order */
typedef struct {
    const gchar *devs[2];
    const gchar *path;
    guint64 threshold;
    guint64 excess;
} Crossing;

static void
expect_one_watermark (Fixture *f, const Crossing *c)
{
    g_autofree gchar *args = g_strdup_printf ("\"hdb\", \"%s\", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT,
                                              c->path, c->threshold, c->excess);
    g_autofree gchar *payload = g_strdup_printf ("{'disk': <'hdb'>, 'path': <'%s'>, "
                                                 "'threshold': <uint64 %" G_GUINT64_FORMAT ">, "
                                                 "'excess': <uint64 %" G_GUINT64_FORMAT ">}",
                                                 c->path, c->threshold, c->excess);
    /* sizes in words, IEC units, a plain space */
    static const struct { guint64 size; const gchar *words; } sizes[] = {
        { 4096, "4.0 KiB" }, { 512, "512 bytes" }, { 1000, "1000 bytes" }, { 24, "24 bytes" },
        { 2048, "2.0 KiB" }, { 7, "7 bytes" }, { 8192, "8.0 KiB" }, { 1, "1 byte" },
    };
    const gchar *at = NULL, *by = NULL;
    g_autofree gchar *line = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
        if (sizes[i].size == c->threshold)
            at = sizes[i].words;
        if (sizes[i].size == c->excess)
            by = sizes[i].words;
    }
    g_assert_nonnull (at);
    g_assert_nonnull (by);
    line = g_strdup_printf ("table: watermark hdb crossed %s by %s", at, by);

    for (guint i = 0; i < G_N_ELEMENTS (c->devs) && c->devs[i]; i++)
        FIRE (f, WATERMARK, virConnectDomainEventBlockThresholdCallback,
              c->devs[i], c->path, c->threshold, c->excess);
    expect (f, "watermark", "hdb", args, payload, line);
}

static void
test_watermark (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const Crossing crossings[] = {
        /* libvirt 9.0 reports one crossing twice: as "hdb", then as "hdb[2]" */
        { { "hdb", "hdb[2]" }, "/images/data.qcow2", 4096, 512 },
        /* a threshold on a backing image arrives only with its index */
        { { "hdb[1]", NULL }, "/images/base.qcow2", 1000, 24 },
        /* re-armed at once, the same threshold crossed by the same write */
        { { "hdb", "hdb[2]" }, "/images/data.qcow2", 4096, 512 },
        /* the pair in the other order is one crossing too */
        { { "hdb[2]", "hdb" }, "/images/data.qcow2", 2048, 7 },
        /* a lone crossing after re-arming */
        { { "hdb", NULL }, "/images/data.qcow2", 8192, 1 },
        /* and the same again: two real crossings, not a pair */
        { { "hdb", NULL }, "/images/data.qcow2", 8192, 1 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (crossings); i++)
        expect_one_watermark (f, &crossings[i]);

    FIRE (f, WATERMARK, virConnectDomainEventBlockThresholdCallback, NULL, NULL, 1ULL, 2ULL);
    expect (f, "watermark", NULL, "NULL, NULL, 1, 2",
            "{'threshold': <uint64 1>, 'excess': <uint64 2>}",
            "table: watermark ? crossed 1 byte by 2 bytes");
}

static void
test_unwatched (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainPtr other = virDomainLookupByName (f->handle, "test");

    /* an event for a domain without a companion reaches domain-event only */
    g_assert_nonnull (other);
    ((virConnectDomainEventGenericCallback) _gvir_event_spec_for_kind (GVIR_DOMAIN_EVENT_KIND_REBOOT)->callback)
        (f->handle, other, slot_for (f, GVIR_DOMAIN_EVENT_KIND_REBOOT));
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 0);
    g_assert_cmpuint (test_recorder_count (&f->generic), ==, 1);
    g_assert_cmpstr (gvir_domain_get_name (g_value_get_object (&test_recorder_get (&f->generic, 0)->values[0])),
                     ==, "test");
    virDomainFree (other);
}


/*
 * Hostile bytes (issue 19)
 * ========================
 * libvirt's strings are bytes that whoever may define a domain chooses.
 * Under G_DEBUG=fatal-criticals (the suite's environment) a critical from
 * GVariant or GValue fails the test.
 */

/* What a terminal would obey: C0, DEL, C1, bidi controls, line separators. */
static void
assert_printable (const gchar *line)
{
    g_assert_true (g_utf8_validate (line, -1, NULL));
    for (const gchar *p = line; *p; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);

        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
            (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
            g_error ("raw U+%04X in \"%s\"", c, line);
    }
}

/* payload[key] is the valid string `valid`, payload[key-bytes] exactly `bytes`. */
static void
assert_repaired (GVariant *payload, const gchar *key, const gchar *valid, const gchar *bytes)
{
    g_autofree gchar *bytes_key = g_strconcat (key, "-bytes", NULL);
    g_autoptr(GVariant) raw = g_variant_lookup_value (payload, bytes_key, G_VARIANT_TYPE_BYTESTRING);
    const gchar *text = NULL;
    gsize n = 0;
    const guint8 *data;

    g_assert_true (g_variant_lookup (payload, key, "&s", &text));
    g_assert_cmpstr (text, ==, valid);
    g_assert_nonnull (raw);
    data = g_variant_get_fixed_array (raw, &n, 1);
    g_assert_cmpmem (data, n, bytes, strlen (bytes));
}

static GVirEvent *
only_event (Fixture *f)
{
    g_assert_cmpuint (test_recorder_count (&f->generic), ==, 1);
    return g_value_get_object (&test_recorder_get (&f->generic, 0)->values[1]);
}

static void
forget_emissions (Fixture *f)
{
    g_ptr_array_set_size (f->typed.emissions, 0);
    g_ptr_array_set_size (f->generic.emissions, 0);
}

/* virDomainSetMetadata takes any bytes as nsuri; the event reaches GLib valid, the bytes kept. */
static void
test_hostile_metadata (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const gchar nsuri[] = "urn:\xff\xfe\x1b]0;pwned\x07";
    TestEmission *typed;
    GVirEvent *event;
    g_autofree gchar *line = NULL;

    g_assert_cmpint (virDomainSetMetadata (f->dom, VIR_DOMAIN_METADATA_ELEMENT, "<tag>1</tag>",
                                           "t", nsuri, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    g_assert_true (test_wait_for_count (&f->generic.emissions->len, 1, 5000));
    /* the typed argument: repaired */
    g_assert_cmpuint (test_recorder_count (&f->typed), ==, 1);
    typed = test_recorder_get (&f->typed, 0);
    g_assert_cmpstr (typed->signal, ==, "metadata-change");
    g_assert_cmpstr (g_value_get_string (&typed->values[1]), ==,
                     "urn:\xef\xbf\xbd\xef\xbf\xbd\x1b]0;pwned\x07");
    /* the payload: repaired, and libvirt's bytes beside it */
    event = only_event (f);
    assert_repaired (gvir_event_get_payload (event), "nsuri",
                     "urn:\xef\xbf\xbd\xef\xbf\xbd\x1b]0;pwned\x07", nsuri);
    line = gvir_event_to_string (event);
    assert_printable (line);
    g_assert_cmpstr (line, ==, "table: metadata-change type=element "
                     "nsuri=urn:\xef\xbf\xbd\xef\xbf\xbd\\x1b]0;pwned\\x07");
    forget_emissions (f);
}

/* String typed parameters of tunable and job-completed, field names too. */
static void
test_hostile_typed_params (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virTypedParameter params[3] = { 0 };
    TestEmission *typed;
    GVariant *stats;
    g_autofree gchar *line = NULL;
    GVirEvent *event;

    g_strlcpy (params[0].field, "cputune.emulatorpin", sizeof (params[0].field));
    params[0].type = VIR_TYPED_PARAM_STRING;
    params[0].value.s = (char *) "0-\xc3\x28";
    g_strlcpy (params[1].field, "bad\xe2\x82", sizeof (params[1].field));
    params[1].type = VIR_TYPED_PARAM_STRING;
    params[1].value.s = (char *) "\xf0\x9f\x98";
    g_strlcpy (params[2].field, "ok", sizeof (params[2].field));
    params[2].type = VIR_TYPED_PARAM_STRING;
    params[2].value.s = (char *) "\xe2\x80\xae" "fdp.exe";

    FIRE (f, TUNABLE, virConnectDomainEventTunableCallback, params, 3);
    typed = test_recorder_get (&f->typed, 0);
    stats = g_value_get_variant (&typed->values[0]);
    assert_repaired (stats, "cputune.emulatorpin", "0-\xef\xbf\xbd(", "0-\xc3\x28");
    /* a bad field name is repaired too: nothing is dropped */
    assert_repaired (stats, "bad\xef\xbf\xbd\xef\xbf\xbd",
                     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\xf0\x9f\x98");
    g_assert_cmpuint (g_variant_n_children (stats), ==, 5);
    event = only_event (f);
    line = gvir_event_to_string (event);
    assert_printable (line);
    g_assert_nonnull (strstr (line, "\\u202efdp.exe"));
    forget_emissions (f);

    FIRE (f, JOB_COMPLETED, virConnectDomainEventJobCompletedCallback, params, 1);
    event = only_event (f);
    g_assert_true (g_variant_lookup (gvir_event_get_payload (event), "stats", "@a{sv}", &stats));
    assert_repaired (stats, "cputune.emulatorpin", "0-\xef\xbf\xbd(", "0-\xc3\x28");
    g_variant_unref (stats);
    forget_emissions (f);

    /* plain string arguments, the detail among them */
    FIRE (f, DEVICE_ADDED, virConnectDomainEventDeviceAddedCallback, "ua-\xff");
    typed = test_recorder_get (&f->typed, 0);
    g_assert_cmpstr (g_value_get_string (&typed->values[0]), ==, "ua-\xef\xbf\xbd");
    assert_repaired (gvir_event_get_payload (only_event (f)), "alias", "ua-\xef\xbf\xbd", "ua-\xff");
    forget_emissions (f);
    FIRE (f, IO_ERROR, virConnectDomainEventIOErrorReasonCallback,
          "/img/\xfe", "ua-\xfe", VIR_DOMAIN_EVENT_IO_ERROR_PAUSE, "enospc\x1b[2J");
    event = only_event (f);
    assert_repaired (gvir_event_get_payload (event), "disk", "ua-\xef\xbf\xbd", "ua-\xfe");
    assert_repaired (gvir_event_get_payload (event), "src_path", "/img/\xef\xbf\xbd", "/img/\xfe");
    g_clear_pointer (&line, g_free);
    line = gvir_event_to_string (event);
    assert_printable (line);
    forget_emissions (f);
    FIRE (f, WATERMARK, virConnectDomainEventBlockThresholdCallback,
          "vd\xff", "/img/\xff", 1ULL, 2ULL);
    assert_repaired (gvir_event_get_payload (only_event (f)), "disk", "vd\xef\xbf\xbd", "vd\xff");
    assert_repaired (gvir_event_get_payload (only_event (f)), "path", "/img/\xef\xbf\xbd", "/img/\xff");
    forget_emissions (f);
}

/* Graphics identities and addresses: saslUsername was "[Invalid UTF-8]". */
static void
test_hostile_graphics (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virDomainEventGraphicsAddress vnc = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
                                          (char *) "127.0.0.1", (char *) "5901" };
    virDomainEventGraphicsAddress remote = { VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4,
                                             (char *) "192.0.2.\xff", (char *) "4\r3" };
    virDomainEventGraphicsSubjectIdentity ids[] = {
        { (char *) "saslUsername", (char *) "al\xffice" },
        { (char *) "x509dname", (char *) "CN=\x1b[31mroot" },
    };
    virDomainEventGraphicsSubject subject = { G_N_ELEMENTS (ids), ids };
    g_autoptr(GVirGraphicsClient) client = NULL;
    g_autoptr(GVariant) in_payload = NULL, identities_bytes = NULL;
    g_autofree gchar *line = NULL;
    GVirEvent *event;

    FIRE (f, VNC_CONNECTED, virConnectDomainEventGraphicsCallback,
          VIR_DOMAIN_EVENT_GRAPHICS_CONNECT, &vnc, &remote, "sa\xfesl", &subject);
    client = g_value_dup_object (&test_recorder_get (&f->typed, 0)->values[0]);
    g_assert_cmpstr (gvir_graphics_client_get_sasl_username (client), ==, "al\xef\xbf\xbdice");
    g_assert_cmpstr (gvir_graphics_client_get_remote_node (client), ==, "192.0.2.\xef\xbf\xbd");
    g_assert_cmpstr (gvir_graphics_client_get_auth_scheme (client), ==, "sa\xef\xbf\xbdsl");

    event = only_event (f);
    in_payload = g_variant_lookup_value (gvir_event_get_payload (event), "client", G_VARIANT_TYPE_VARDICT);
    g_assert_nonnull (in_payload);
    assert_repaired (in_payload, "remote_node", "192.0.2.\xef\xbf\xbd", "192.0.2.\xff");
    assert_repaired (in_payload, "auth_scheme", "sa\xef\xbf\xbdsl", "sa\xfesl");
    /* the identities' bytes: the same pairs, in order */
    identities_bytes = g_variant_lookup_value (in_payload, "identities-bytes", G_VARIANT_TYPE ("a(ayay)"));
    g_assert_nonnull (identities_bytes);
    g_assert_cmpuint (g_variant_n_children (identities_bytes), ==, 2);
    for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
        g_autoptr(GVariant) pair = g_variant_get_child_value (identities_bytes, i);
        g_autoptr(GVariant) type_bytes = g_variant_get_child_value (pair, 0);
        g_autoptr(GVariant) name_bytes = g_variant_get_child_value (pair, 1);
        gsize n;
        const guint8 *bytes = g_variant_get_fixed_array (type_bytes, &n, 1);

        g_assert_cmpmem (bytes, n, ids[i].type, strlen (ids[i].type));
        bytes = g_variant_get_fixed_array (name_bytes, &n, 1);
        g_assert_cmpmem (bytes, n, ids[i].name, strlen (ids[i].name));
    }
    line = gvir_event_to_string (event);
    assert_printable (line);
    g_assert_cmpstr (line, ==, "table: vnc-connected 192.0.2.\xef\xbf\xbd:4\\x0d3 → 127.0.0.1:5901 "
                     "(sa\xef\xbf\xbdsl) saslUsername=al\xef\xbf\xbdice x509dname=CN=\\x1b[31mroot");
    forget_emissions (f);
}

/* The guest agent's user names reach the payload like libvirt's strings. */
static void
test_hostile_guest_user (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree gchar *line = NULL;
    GVirEvent *event;

    _gvir_events_hub_dispatch_polled (f->dom, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON,
        (const GVirEventRaw[]) { { .s = "r\xf6ot\r" }, { .s = "CORP\xff" }, { .ll = 0 } });
    event = only_event (f);
    assert_repaired (gvir_event_get_payload (event), "user", "r\xef\xbf\xbdot\r", "r\xf6ot\r");
    assert_repaired (gvir_event_get_payload (event), "user_domain", "CORP\xef\xbf\xbd", "CORP\xff");
    g_assert_cmpstr (gvir_event_get_detail (event), ==, "r\xef\xbf\xbdot\r");
    line = gvir_event_to_string (event);
    assert_printable (line);
    forget_emissions (f);
}

/*
 * Names libvirt accepts (CR and TAB as character references, C1 CSI, a
 * right-to-left override; ESC and bad bytes through virDomainRename, which
 * takes a string, not XML, and whose domain the test driver cannot start,
 * so libvirt's callback is called for it): every gvir_event_to_string() line is one line
 * with nothing a terminal obeys.
 */
static void
test_hostile_names (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const struct { const gchar *xml_name; const gchar *rename; const gchar *shown; } names[] = {
        { "x&#13;12:00:00  prod-db  lifecycle stopped", NULL, "x\\x0d12:00:00  prod-db  lifecycle stopped" },
        { "tab&#9;bed", NULL, "tab\\x09bed" },
        { "csi\xc2\x9b" "31m", NULL, "csi\\u009b31m" },
        { "rlo\xe2\x80\xae" "gpj.exe", NULL, "rlo\\u202egpj.exe" },
        { "renamed", "esc\x1b]2;title\x07", "esc\\x1b]2;title\\x07" },
        { "renamed2", "bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autofree gchar *xml = g_strdup_printf ("<domain type='test'><name>%s</name>"
                                                 "<memory>8192</memory><os><type>hvm</type></os>"
                                                 "</domain>", names[i].xml_name);
        virDomainPtr dom = virDomainDefineXML (f->handle, xml);
        g_autofree gchar *expected = NULL;
        GVirEvent *event;

        g_assert_nonnull (dom);
        if (names[i].rename) {
            unsigned char uuid[VIR_UUID_BUFLEN];

            g_assert_cmpint (virDomainRename (dom, names[i].rename, 0), ==, 0);
            /* a handle keeps the name it was made with */
            g_assert_cmpint (virDomainGetUUID (dom, uuid), ==, 0);
            virDomainFree (dom);
            dom = virDomainLookupByUUID (f->handle, uuid);
            g_assert_cmpstr (virDomainGetName (dom), ==, names[i].rename);
        }
        while (g_main_context_iteration (NULL, FALSE));
        forget_emissions (f);

        if (names[i].rename) {
            /* the test driver cannot start a domain its XML cannot name: libvirt's callback */
            ((virConnectDomainEventCallback) (void (*) (void))
             _gvir_event_spec_for_kind (GVIR_DOMAIN_EVENT_KIND_LIFECYCLE)->callback)
                (f->handle, dom, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
                 slot_for (f, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE));
        } else {
            g_assert_cmpint (virDomainCreate (dom), ==, 0);
            g_assert_true (test_wait_for_count (&f->generic.emissions->len, 1, 5000));
        }
        event = only_event (f);
        g_assert_true (g_utf8_validate (gvir_event_get_domain_name (event), -1, NULL));
        {
            g_autofree gchar *line = gvir_event_to_string (event);

            assert_printable (line);
            expected = g_strdup_printf ("%s: lifecycle started (booted)", names[i].shown);
            g_assert_cmpstr (line, ==, expected);
        }
        forget_emissions (f);
        virDomainDestroy (dom);
        virDomainUndefine (dom);
        virDomainFree (dom);
        while (g_main_context_iteration (NULL, FALSE));
        forget_emissions (f);
    }
}


/*
 * gvir_event_kind_get_argument(): every kind's arguments are its typed
 * signal's, in order, by the names its payload uses; an object kind's
 * argument 0 is the object.
 */
static void
test_arguments (void)
{
    GType type = G_TYPE_NONE;
    GSignalQuery query;

    g_type_class_unref (g_type_class_ref (GVIR_TYPE_DOMAIN_EVENTS));
    g_type_class_unref (g_type_class_ref (GVIR_TYPE_CONNECTION_EVENTS));
    for (gint kind = 0; kind <= GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF; kind++) {
        const gchar *nick = gvir_domain_event_kind_to_string (kind);
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (kind);
        guint i;

        g_signal_query (g_signal_lookup (nick, GVIR_TYPE_DOMAIN_EVENTS), &query);
        for (i = 0; gvir_event_kind_get_argument (nick, i, &type); i++) {
            g_assert_cmpstr (gvir_event_kind_get_argument (nick, i, NULL), ==, spec->params[i].name);
            g_assert_true (type == (query.param_types[i] & ~G_SIGNAL_TYPE_STATIC_SCOPE));
        }
        g_assert_cmpuint (i, ==, query.n_params);
        g_assert_true (type == G_TYPE_INVALID);
    }
    for (gint kind = 0; kind <= GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED; kind++) {
        const gchar *nick = gvir_object_event_kind_to_string (kind);
        guint i;

        g_signal_query (g_signal_lookup (nick, GVIR_TYPE_CONNECTION_EVENTS), &query);
        for (i = 0; gvir_event_kind_get_argument (nick, i, &type); i++)
            g_assert_true (type == (query.param_types[i] & ~G_SIGNAL_TYPE_STATIC_SCOPE));
        g_assert_cmpuint (i, ==, query.n_params);
    }
    g_assert_cmpstr (gvir_event_kind_get_argument ("io-error", 3, &type), ==, "action");
    g_assert_true (type == GVIR_TYPE_DOMAIN_IO_ERROR_ACTION);
    g_assert_cmpstr (gvir_event_kind_get_argument ("vnc-connected", 0, &type), ==, "client");
    g_assert_true (type == GVIR_TYPE_GRAPHICS_CLIENT);
    g_assert_cmpstr (gvir_event_kind_get_argument ("storage-pool-lifecycle", 0, &type), ==, "pool");
    g_assert_true (type == GVIR_TYPE_STORAGE_POOL);
    g_assert_cmpstr (gvir_event_kind_get_argument ("storage-pool-lifecycle", 1, &type), ==, "event");
    g_assert_true (type == GVIR_TYPE_STORAGE_POOL_LIFECYCLE_EVENT);
    g_assert_cmpstr (gvir_event_kind_get_argument ("node-device-update", 0, NULL), ==, "device");
    g_assert_null (gvir_event_kind_get_argument ("node-device-update", 1, &type));
    g_assert_true (type == G_TYPE_INVALID);
    g_assert_null (gvir_event_kind_get_argument ("no-such-kind", 0, &type));
    g_assert_true (type == G_TYPE_INVALID);
    g_assert_null (gvir_event_kind_get_argument ("reboot", 0, NULL));
}

/*
 * gvir-events' renderers (tools/gvir-events-render.c) on hostile payloads:
 * a JSON line that parses (json-glib wrote a bare nan for a NaN double),
 * the bytes kept, and a text line with nothing a terminal obeys.
 */
static void
test_hostile_render (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virTypedParameter params[4] = { 0 };
    g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    g_autofree gchar *text = NULL, *name = NULL, *words = NULL, *line = NULL;
    JsonObject *line_data, *stats;
    JsonArray *bytes;
    guint width = 0;

    g_strlcpy (params[0].field, "nan", sizeof (params[0].field));
    params[0].type = VIR_TYPED_PARAM_DOUBLE;
    params[0].value.d = NAN;
    g_strlcpy (params[1].field, "inf", sizeof (params[1].field));
    params[1].type = VIR_TYPED_PARAM_DOUBLE;
    params[1].value.d = -INFINITY;
    g_strlcpy (params[2].field, "s", sizeof (params[2].field));
    params[2].type = VIR_TYPED_PARAM_STRING;
    params[2].value.s = (char *) "\xff\x1b";
    g_strlcpy (params[3].field, "d", sizeof (params[3].field));
    params[3].type = VIR_TYPED_PARAM_DOUBLE;
    params[3].value.d = 0.5;
    FIRE (f, JOB_COMPLETED, virConnectDomainEventJobCompletedCallback, params, 4);

    json_node_take_object (root, render_event_data (only_event (f)));
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
    g_assert_no_error (error);
    line_data = json_node_get_object (json_parser_get_root (parser));
    stats = json_object_get_object_member (line_data, "stats");
    g_assert_cmpstr (json_object_get_string_member (stats, "nan"), ==, "nan");
    g_assert_cmpstr (json_object_get_string_member (stats, "inf"), ==, "-inf");
    g_assert_cmpfloat (json_object_get_double_member (stats, "d"), ==, 0.5);
    g_assert_cmpstr (json_object_get_string_member (stats, "s"), ==, "\xef\xbf\xbd\x1b");
    bytes = json_object_get_array_member (stats, "s-bytes");
    g_assert_cmpuint (json_array_get_length (bytes), ==, 2);
    g_assert_cmpint (json_array_get_int_element (bytes, 0), ==, 0xff);
    g_assert_cmpint (json_array_get_int_element (bytes, 1), ==, 0x1b);

    render_event_text (only_event (f), &name, &words);
    line = render_human_line (FALSE, "12:00:00", "test:///\x1b[2J", 8, &width, name, words,
                              "\033[31m");
    assert_printable (line);
    g_assert_nonnull (strstr (line, "test:///\\x1b[2J"));
    forget_emissions (f);
}

/*
 * The names of kinds and lifecycle events (issue 24): each kind's is the
 * name of its signal, on the domain's companion or the connection's; a
 * value newer than the library has none.
 */
static void
test_names (void)
{
    guint n_domain = 0;

    /* the signals exist once the classes do */
    g_type_class_unref (g_type_class_ref (GVIR_TYPE_DOMAIN_EVENTS));
    g_type_class_unref (g_type_class_ref (GVIR_TYPE_CONNECTION_EVENTS));
    for (gint kind = 0; kind < 64; kind++) {
        const gchar *name = gvir_domain_event_kind_to_string (kind);

        if (!name)
            continue;
        n_domain++;
        g_assert_cmpuint (g_signal_lookup (name, GVIR_TYPE_DOMAIN_EVENTS), !=, 0);
    }
    g_assert_cmpuint (n_domain, ==, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF + 1);
    g_assert_cmpstr (gvir_domain_event_kind_to_string (GVIR_DOMAIN_EVENT_KIND_IO_ERROR), ==, "io-error");
    g_assert_cmpstr (gvir_domain_event_kind_to_string (GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON),
                     ==, "guest-user-logon");
    g_assert_null (gvir_domain_event_kind_to_string (GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF + 1));
    g_assert_null (gvir_domain_event_kind_to_string (-1));

    for (gint kind = 0; kind <= GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED; kind++)
        g_assert_cmpuint (g_signal_lookup (gvir_object_event_kind_to_string (kind),
                                           GVIR_TYPE_CONNECTION_EVENTS), !=, 0);
    g_assert_cmpstr (gvir_object_event_kind_to_string (GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_REFRESH),
                     ==, "storage-pool-refresh");
    g_assert_null (gvir_object_event_kind_to_string (GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED + 1));

    g_assert_cmpstr (gvir_domain_lifecycle_event_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED),
                     ==, "defined");
    g_assert_cmpstr (gvir_domain_lifecycle_event_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED),
                     ==, "suspended");
    g_assert_cmpstr (gvir_domain_lifecycle_event_to_string (GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED),
                     ==, "crashed");
    g_assert_null (gvir_domain_lifecycle_event_to_string (42));
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
    gvir_init_object (&argc, &argv);
    /* the hostile names' real events go through libvirt-gobject's own callback too */
    test_tolerate_libvirt_gobject_warnings ();

    /* details are only emitted as quarks somebody may have connected to */
    g_quark_from_static_string ("hdb");
    g_quark_from_static_string ("ua-other");

    g_test_add_func ("/table/rows", test_table);
    g_test_add_func ("/table/names", test_names);
    g_test_add_func ("/table/arguments", test_arguments);
#define ADD(path, fn) \
    g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD ("/translate/lifecycle", test_lifecycle);
    ADD ("/translate/no-arguments", test_no_argument_kinds);
    ADD ("/translate/scalars", test_scalar_kinds);
    ADD ("/translate/watchdog", test_watchdog);
    ADD ("/translate/io-error", test_io_error);
    ADD ("/translate/io-error-detail", test_io_error_detail);
    ADD ("/translate/graphics", test_graphics);
    ADD ("/translate/strings-and-enums", test_strings_and_enums);
    ADD ("/translate/typed-parameters", test_typed_params);
    ADD ("/translate/watermark", test_watermark);
    ADD ("/translate/unwatched-domain", test_unwatched);
    ADD ("/hostile/metadata-nsuri", test_hostile_metadata);
    ADD ("/hostile/typed-parameters", test_hostile_typed_params);
    ADD ("/hostile/graphics", test_hostile_graphics);
    ADD ("/hostile/guest-user", test_hostile_guest_user);
    ADD ("/hostile/domain-names", test_hostile_names);
    ADD ("/hostile/render", test_hostile_render);
#undef ADD

    return g_test_run ();
}
