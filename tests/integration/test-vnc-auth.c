/*
 * test-vnc-auth.c: the authenticated identities of a VNC client, on the real
 * stack: QEMU's VNC server with VeNCrypt x509 (client certificates verified)
 * and SASL, under tests/integration/hv-harness --vnc-tls-sasl.
 *
 *   hv-harness run --vnc-tls-sasl -- test-vnc-auth HELPER
 *
 * HELPER is vnc-tls-sasl.py: it makes the CA, the server and client
 * certificates and the sasldb in the harness's scratch directory, and is the
 * VNC client (VeNCrypt X509SASL, SCRAM-SHA-256).  The test asserts what
 * vnc-connected, vnc-initialized and vnc-disconnected carry for a client that
 * authenticates, one with a wrong password and one without a certificate.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libvirt-gconfig/libvirt-gconfig.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define WAIT_MS 20000           /* for an event we caused */
#define QUIET_MS 1000           /* to check that no further event follows */

/* The client certificate's subject, as openssl takes it, and the
 * distinguished name QEMU reports for it: gnutls_x509_crt_get_dn() keeps the
 * certificate's order of RDNs (RFC 4514 would reverse it). */
#define CLIENT_SUBJECT "/C=GB/O=libvirt-gevents/CN=vnc-tester"
#define CLIENT_DNAME "C=GB,O=libvirt-gevents,CN=vnc-tester"
#define SASL_USER "alice"
#define SASL_PASSWORD "correct horse"
/* QEMU's name for VeNCrypt with sub-type X509SASL (vnc_auth_name()) */
#define AUTH_SCHEME "vencrypt+x509+sasl"

static const gchar *helper, *client_dir;
static GVirConnection *conn;
static GVirDomain *dom;
static guint16 vnc_port;

/* What the companion and the connection-wide signal heard. */
typedef enum { CONNECTED, INITIALIZED, DISCONNECTED, N_PHASES } Phase;
static const gchar *const vnc_signals[N_PHASES] = {
    "vnc-connected", "vnc-initialized", "vnc-disconnected"
};
static GPtrArray *heard[N_PHASES];      /* GVirGraphicsClient */
static GPtrArray *heard_events;         /* GVirEvent of domain-event::vnc-* */
static guint n_spice;

static void
on_vnc (GVirDomainEvents *ev, GVirGraphicsClient *client, gpointer phase)
{
    g_assert_true (GVIR_IS_GRAPHICS_CLIENT (client));
    g_ptr_array_add (heard[GPOINTER_TO_UINT (phase)], g_object_ref (client));
}

static void
on_spice (GVirDomainEvents *ev, GVirGraphicsClient *client, gpointer data)
{
    n_spice++;
}

static void
on_domain_event (GVirConnectionEvents *events, GVirDomain *domain, GVirEvent *event,
                 gpointer data)
{
    g_ptr_array_add (heard_events, g_object_ref (event));
}

static void
forget_heard (void)
{
    for (guint i = 0; i < N_PHASES; i++)
        g_ptr_array_set_size (heard[i], 0);
    g_ptr_array_set_size (heard_events, 0);
}

static void
wait_for (Phase phase, guint n)
{
    if (!test_wait_for_count (&heard[phase]->len, n, WAIT_MS))
        g_error ("%u emission(s) of %s after %d ms, expected %u",
                 heard[phase]->len, vnc_signals[phase], WAIT_MS, n);
}

static void
quiet (void)
{
    guint never = 0;

    test_wait_for_count (&never, 1, QUIET_MS);
}

static void
run_helper (const gchar *const *argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *err = NULL;
    gint status = 0;

    g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                  &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, &error))
        g_error ("%s %s: %s\n%s", argv[0], argv[1], error->message, err);
}

/* ------------------------------------------------------------------------ */
/* the client: vnc-tls-sasl.py connect, reporting one line per stage          */

typedef struct {
    GSubprocess *proc;
    GDataInputStream *out;
    gchar *node, *service;      /* its end of the TCP connection */
} Client;

/* The client's next line, which must start with @word; returns the rest. */
static gchar *
client_expect (Client *c, const gchar *word)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *line = g_data_input_stream_read_line_utf8 (c->out, NULL, NULL, &error);
    gsize n = strlen (word);

    g_assert_no_error (error);
    if (!line)
        g_error ("the client ended before saying \"%s\"", word);
    g_test_message ("client: %s", line);
    if (strncmp (line, word, n) != 0 || (line[n] != ' ' && line[n] != '\0'))
        g_error ("the client said \"%s\", expected \"%s ...\"", line, word);
    return g_strdup (line[n] ? line + n + 1 : "");
}

static Client *
client_start (const gchar *password, gboolean with_cert)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *port = g_strdup_printf ("%u", vnc_port);
    g_autofree gchar *local = NULL, *security = NULL;
    g_auto(GStrv) words = NULL;
    Client *c = g_new0 (Client, 1);

    c->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                &error, helper, "connect", port, client_dir, SASL_USER,
                                password, with_cert ? NULL : "--no-cert", NULL);
    g_assert_no_error (error);
    c->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->proc));
    local = client_expect (c, "local");
    words = g_strsplit (local, " ", 0);
    g_assert_cmpuint (g_strv_length (words), ==, 2);
    c->node = g_strdup (words[0]);
    c->service = g_strdup (words[1]);
    /* the server offers nothing weaker: VeNCrypt alone, X509SASL alone */
    security = client_expect (c, "security");
    g_assert_cmpstr (security, ==, "19 263");
    return c;
}

/* Closes the client's stdin (it then closes its connection) and waits for
 * it to exit successfully. */
static void
client_close (Client *c)
{
    g_autoptr(GError) error = NULL;

    g_output_stream_close (g_subprocess_get_stdin_pipe (c->proc), NULL, &error);
    g_assert_no_error (error);
    g_subprocess_wait_check (c->proc, NULL, &error);
    g_assert_no_error (error);
}

static void
client_free (Client *c)
{
    g_object_unref (c->out);
    g_object_unref (c->proc);
    g_free (c->node);
    g_free (c->service);
    g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* ------------------------------------------------------------------------ */
/* assertions                                                                 */

/* The addresses and scheme of @client: the remote end is @c's socket, the
 * local end the guest's VNC server. */
static void
assert_client (GVirGraphicsClient *client, GVirGraphicsPhase phase, Client *c)
{
    g_autofree gchar *port = g_strdup_printf ("%u", vnc_port);

    g_assert_cmpint (gvir_graphics_client_get_protocol (client), ==, GVIR_GRAPHICS_PROTOCOL_VNC);
    g_assert_cmpint (gvir_graphics_client_get_phase (client), ==, phase);
    g_assert_cmpint (gvir_graphics_client_get_remote_family (client), ==,
                     GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4);
    g_assert_cmpstr (gvir_graphics_client_get_remote_node (client), ==, c->node);
    g_assert_cmpstr (gvir_graphics_client_get_remote_service (client), ==, c->service);
    g_assert_cmpstr (gvir_graphics_client_get_local_node (client), ==, "127.0.0.1");
    g_assert_cmpstr (gvir_graphics_client_get_local_service (client), ==, port);
    g_assert_cmpstr (gvir_graphics_client_get_auth_scheme (client), ==, AUTH_SCHEME);
}

/* @client proved exactly the test's certificate and SASL user. */
static void
assert_authenticated (GVirGraphicsClient *client)
{
    g_autoptr(GVariant) expected = g_variant_ref_sink (
        g_variant_new_parsed ("[('x509dname', %s), ('saslUsername', %s)]",
                              CLIENT_DNAME, SASL_USER));
    g_autoptr(GVariant) property = NULL;
    g_autofree gchar *dname = NULL, *user = NULL;
    GVariant *identities = gvir_graphics_client_get_identities (client);

    g_assert_nonnull (identities);
    if (!g_variant_equal (identities, expected))
        g_error ("identities %s, expected %s", g_variant_print (identities, TRUE),
                 g_variant_print (expected, TRUE));
    g_assert_cmpstr (gvir_graphics_client_get_x509_dname (client), ==, CLIENT_DNAME);
    g_assert_cmpstr (gvir_graphics_client_get_sasl_username (client), ==, SASL_USER);
    g_assert_cmpstr (gvir_graphics_client_get_identity (client, "x509dname"), ==, CLIENT_DNAME);
    g_assert_cmpstr (gvir_graphics_client_get_identity (client, "saslUsername"), ==, SASL_USER);
    g_assert_null (gvir_graphics_client_get_identity (client, "kerberos"));

    /* the properties a binding reads say the same */
    g_object_get (client, "identities", &property, "x509-dname", &dname,
                  "sasl-username", &user, NULL);
    g_assert_true (g_variant_equal (property, expected));
    g_assert_cmpstr (dname, ==, CLIENT_DNAME);
    g_assert_cmpstr (user, ==, SASL_USER);
}

static void
assert_anonymous (GVirGraphicsClient *client)
{
    g_assert_cmpuint (g_variant_n_children (gvir_graphics_client_get_identities (client)), ==, 0);
    g_assert_null (gvir_graphics_client_get_x509_dname (client));
    g_assert_null (gvir_graphics_client_get_sasl_username (client));
}

/* One connection that never authenticated: connect and disconnect only. */
static void
assert_refused (Client *c)
{
    wait_for (DISCONNECTED, 1);
    quiet ();
    g_assert_cmpuint (heard[CONNECTED]->len, ==, 1);
    g_assert_cmpuint (heard[INITIALIZED]->len, ==, 0);
    g_assert_cmpuint (heard[DISCONNECTED]->len, ==, 1);
    assert_client (heard[CONNECTED]->pdata[0], GVIR_GRAPHICS_PHASE_CONNECT, c);
    assert_client (heard[DISCONNECTED]->pdata[0], GVIR_GRAPHICS_PHASE_DISCONNECT, c);
    assert_anonymous (heard[CONNECTED]->pdata[0]);
    assert_anonymous (heard[DISCONNECTED]->pdata[0]);
    g_assert_cmpuint (n_spice, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* the tests                                                                  */

/* Certificate and password right: the session comes up, and the identities
 * QEMU checked arrive with vnc-initialized (and again with vnc-disconnected). */
static void
test_authenticated (void)
{
    g_autofree gchar *mechlist = NULL, *name = NULL, *line = NULL, *expected_line = NULL;
    g_autoptr(Client) c = NULL;

    forget_heard ();
    c = client_start (SASL_PASSWORD, TRUE);
    mechlist = client_expect (c, "mechlist");
    g_assert_cmpstr (mechlist, ==, "SCRAM-SHA-256");
    name = client_expect (c, "initialized");
    g_assert_true (g_str_has_prefix (name, "QEMU ("));

    wait_for (INITIALIZED, 1);
    g_assert_cmpuint (heard[CONNECTED]->len, ==, 1);
    assert_client (heard[CONNECTED]->pdata[0], GVIR_GRAPHICS_PHASE_CONNECT, c);
    /* QEMU knows nobody before the handshake */
    assert_anonymous (heard[CONNECTED]->pdata[0]);
    assert_client (heard[INITIALIZED]->pdata[0], GVIR_GRAPHICS_PHASE_INITIALIZE, c);
    assert_authenticated (heard[INITIALIZED]->pdata[0]);
    g_assert_cmpuint (heard[DISCONNECTED]->len, ==, 0);

    /* the connection-wide GVirEvent of vnc-initialized: its log line */
    g_assert_cmpuint (heard_events->len, ==, 2);
    g_assert_cmpint (gvir_event_get_kind (heard_events->pdata[1]), ==,
                     GVIR_DOMAIN_EVENT_KIND_VNC_INITIALIZED);
    line = gvir_event_to_string (heard_events->pdata[1]);
    expected_line = g_strdup_printf (" %s:%s \u2192 127.0.0.1:%u (" AUTH_SCHEME ")"
                                     " x509dname=" CLIENT_DNAME " saslUsername=" SASL_USER,
                                     c->node, c->service, vnc_port);
    if (!g_str_has_suffix (line, expected_line))
        g_error ("GVirEvent line \"%s\" does not end with \"%s\"", line, expected_line);

    client_close (c);
    wait_for (DISCONNECTED, 1);
    assert_client (heard[DISCONNECTED]->pdata[0], GVIR_GRAPHICS_PHASE_DISCONNECT, c);
    assert_authenticated (heard[DISCONNECTED]->pdata[0]);
    quiet ();
    g_assert_cmpuint (heard[CONNECTED]->len, ==, 1);
    g_assert_cmpuint (heard[INITIALIZED]->len, ==, 1);
    g_assert_cmpuint (heard[DISCONNECTED]->len, ==, 1);
    g_assert_cmpuint (heard_events->len, ==, 3);
    g_assert_cmpuint (n_spice, ==, 0);
}

/* The right certificate, a wrong password: QEMU ends the SASL exchange. */
static void
test_wrong_password (void)
{
    g_autofree gchar *mechlist = NULL, *stage = NULL;
    g_autoptr(Client) c = NULL;

    forget_heard ();
    c = client_start ("wrong " SASL_PASSWORD, TRUE);
    mechlist = client_expect (c, "mechlist");
    g_assert_cmpstr (mechlist, ==, "SCRAM-SHA-256");
    stage = client_expect (c, "rejected");
    g_assert_cmpstr (stage, ==, "sasl");
    client_close (c);
    assert_refused (c);
}

/* No client certificate: QEMU (vnc_tls_x509_verify) ends the TLS session. */
static void
test_no_certificate (void)
{
    g_autofree gchar *stage = NULL;
    g_autoptr(Client) c = NULL;

    forget_heard ();
    c = client_start (SASL_PASSWORD, FALSE);
    stage = client_expect (c, "rejected");
    g_assert_cmpstr (stage, ==, "tls");
    client_close (c);
    assert_refused (c);
}

/* ------------------------------------------------------------------------ */

/* An idle guest (no disk: the firmware waits for one) with a VNC server. */
static const gchar guest_xml[] =
    "<domain type='qemu'>"
    "  <name>%s</name>"
    "  <memory unit='MiB'>16</memory>"
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "  <devices>"
    "    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>"
    "  </devices>"
    "  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>"
    "</domain>";

static void
guest_start (const gchar *prefix)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *name = g_strconcat (prefix, "vnc-auth", NULL);
    g_autofree gchar *xml = g_strdup_printf (guest_xml, name);
    GVirConfigDomain *conf = gvir_config_domain_new_from_xml (xml, &error), *live;
    GVirDomainEvents *ev;
    GList *devices;

    g_assert_no_error (error);
    dom = gvir_connection_start_domain (conn, conf, 0, &error);
    g_object_unref (conf);
    g_assert_no_error (error);
    ev = gvir_domain_events_get_for_domain (dom);
    for (guint i = 0; i < N_PHASES; i++)
        g_signal_connect (ev, vnc_signals[i], G_CALLBACK (on_vnc), GUINT_TO_POINTER (i));
    g_signal_connect (ev, "spice-connected", G_CALLBACK (on_spice), NULL);
    g_signal_connect (ev, "spice-initialized", G_CALLBACK (on_spice), NULL);
    g_signal_connect (ev, "spice-disconnected", G_CALLBACK (on_spice), NULL);

    /* the port autoport gave */
    live = gvir_domain_get_config (dom, 0, &error);
    g_assert_no_error (error);
    devices = gvir_config_domain_get_devices (live);
    for (GList *l = devices; l; l = l->next) {
        if (GVIR_CONFIG_IS_DOMAIN_GRAPHICS_VNC (l->data))
            vnc_port = gvir_config_domain_graphics_vnc_get_port (l->data);
    }
    g_list_free_full (devices, g_object_unref);
    g_object_unref (live);
    g_assert_cmpuint (vnc_port, >, 0);
}

int
main (int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *dir = NULL;
    const gchar *uri = g_getenv ("GVIR_EVENTS_TEST_URI");
    const gchar *test_dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    const gchar *tls_dir = g_getenv ("GVIR_EVENTS_VNC_TLS_DIR");
    const gchar *sasl_dir = g_getenv ("GVIR_EVENTS_VNC_SASL_DIR");
    const gchar *prefix = g_getenv ("GVIR_EVENTS_DOMAIN_PREFIX");
    gboolean require_all = g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0;
    GVirConnectionEvents *events;
    int ret;

    gvir_init_object (&argc, &argv);
    g_test_init (&argc, &argv, NULL);
    if (argc != 2 || !uri || !test_dir || !tls_dir || !sasl_dir || !prefix) {
        g_printerr ("%s: run me through tests/integration/hv-harness run --vnc-tls-sasl -- "
                    "%s vnc-tls-sasl.py\n", argv[0], argv[0]);
        return require_all ? 1 : 77;
    }
    helper = argv[1];
    test_tolerate_libvirt_gobject_warnings ();

    dir = g_build_filename (test_dir, "vnc-client", NULL);
    g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
    client_dir = dir;
    run_helper ((const gchar *const[]) { helper, "setup", tls_dir, sasl_dir, client_dir,
                                         CLIENT_SUBJECT, SASL_USER, SASL_PASSWORD, NULL });

    for (guint i = 0; i < N_PHASES; i++)
        heard[i] = g_ptr_array_new_with_free_func (g_object_unref);
    heard_events = g_ptr_array_new_with_free_func (g_object_unref);
    conn = gvir_connection_new (uri);
    gvir_connection_open (conn, NULL, &error);
    g_assert_no_error (error);
    events = gvir_connection_events_get_for_connection (conn);
    for (guint i = 0; i < N_PHASES; i++) {
        g_autofree gchar *detailed = g_strconcat ("domain-event::", vnc_signals[i], NULL);

        g_signal_connect (events, detailed, G_CALLBACK (on_domain_event), NULL);
    }
    guest_start (prefix);

    g_test_add_func ("/vnc-auth/authenticated", test_authenticated);
    g_test_add_func ("/vnc-auth/wrong-password", test_wrong_password);
    g_test_add_func ("/vnc-auth/no-certificate", test_no_certificate);
    ret = g_test_run ();

    gvir_domain_stop (dom, 0, &error);
    g_assert_no_error (error);
    g_signal_handlers_disconnect_by_func (events, on_domain_event, NULL);
    g_object_unref (dom);
    gvir_connection_close (conn);
    g_object_unref (conn);
    for (guint i = 0; i < N_PHASES; i++)
        g_ptr_array_unref (heard[i]);
    g_ptr_array_unref (heard_events);
    return ret;
}
