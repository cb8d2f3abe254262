/*
 * test-linux-guest.c: the events only a real operating system raises, on a
 * real Linux guest with a real guest agent (tests/integration/linux-guest):
 * guest users logging on and off, the agent connecting and going away, the
 * virtio-balloon and virtio-mem drivers at work.
 *
 * Run under tests/integration/hv-harness run --linux-guest HELPER, which
 * provides the daemon, the kernel and the initramfs.  The guest boots once;
 * the tests share it, each leaving it as it found it (nobody logged on, the
 * agent running), in the order main() adds them.  The test drives the guest
 * through the command port of its /init ("login alice pts/1", "agent-stop",
 * "load virtio_mem"...), and asserts every argument of the signals it
 * provokes.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define BOOT_MS 120000          /* TCG on a busy host: the guest usually needs 8 s */
#define WAIT_MS 20000           /* for an event we caused */
#define POLL_S 1                /* guest-users-interval in these tests */
#define BASELINE_MS 2500        /* enough for the first answer at POLL_S */
#define HUNG_MS 4000            /* a silent agent: several turns of the count */
/*
 * The guest's clock is the host's (clock offset utc) as the RTC gave it at
 * boot, to the second, and TCG lets it lag: the login times the agent
 * reports are compared with the host's within this.
 */
#define CLOCK_SLACK_MS 5000
#define MEMORY_KIB (256 * 1024)
#define BALLOON_KIB (224 * 1024)
#define VIRTIO_MEM_KIB (64 * 1024)

static GVirConnection *conn;
static virConnectPtr handle;
static virDomainPtr dom;
static GVirDomain *domain;
static GVirDomainEvents *events;
static GDataInputStream *command_in;
static GOutputStream *command_out;
static GSocketConnection *command_conn;
static TestRecorder heard;      /* every signal of the guest's companion */

/* ------------------------------------------------------------------------ */

static gboolean
tick (gpointer data G_GNUC_UNUSED)
{
    return G_SOURCE_CONTINUE;
}

/* The @n-th emission of @signal heard since @from, or NULL. */
static TestEmission *
find (TestRecorder *r, guint from, const gchar *signal, guint n)
{
    for (guint i = from; i < test_recorder_count (r); i++) {
        TestEmission *e = test_recorder_get (r, i);

        if (g_str_equal (e->signal, signal) && n-- == 0)
            return e;
    }
    return NULL;
}

static guint
count (TestRecorder *r, guint from, const gchar *signal)
{
    guint n = 0;

    while (find (r, from, signal, n))
        n++;
    return n;
}

/* Waits until @signal was heard @n times since @from; the last one. */
static TestEmission *
wait_for (TestRecorder *r, guint from, const gchar *signal, guint n, guint ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
    guint id = g_timeout_add (20, tick, NULL);

    while (count (r, from, signal) < n && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (id);
    if (count (r, from, signal) < n)
        g_error ("%s heard %u times, not %u, in %u ms", signal, count (r, from, signal), n, ms);
    return find (r, from, signal, n - 1);
}

/* Sends one command to the guest's /init and checks its answer. */
static void
guest_command (const gchar *command)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *line = g_strdup_printf ("%s\n", command);
    g_autofree gchar *answer = NULL;
    g_autofree gchar *ok = g_strdup_printf ("ok %s", command);

    g_output_stream_write_all (command_out, line, strlen (line), NULL, NULL, &error);
    g_assert_no_error (error);
    answer = g_data_input_stream_read_line (command_in, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (answer);
    if (!g_str_has_prefix (answer, ok))
        g_error ("guest command '%s' answered '%s'", command, answer);
}

static void
assert_user (TestEmission *e, const gchar *user, gint64 after_ms, gint64 before_ms)
{
    g_assert_cmpuint (e->n_values, ==, 3);
    g_assert_cmpstr (g_value_get_string (&e->values[0]), ==, user);
    /* Linux has no user domains */
    g_assert_null (g_value_get_string (&e->values[1]));
    g_assert_cmpint (g_value_get_int64 (&e->values[2]), >=, after_ms - CLOCK_SLACK_MS);
    g_assert_cmpint (g_value_get_int64 (&e->values[2]), <=, before_ms + CLOCK_SLACK_MS);
    g_assert_cmpuint (e->detail, ==, g_quark_try_string (user));
}

static gint64
now_ms (void)
{
    return g_get_real_time () / 1000;
}

/* ------------------------------------------------------------------------ */

static void
on_users (GObject *source, GAsyncResult *result, gpointer data)
{
    GVariant **users = data;
    g_autoptr(GError) error = NULL;

    *users = gvir_domain_events_get_guest_users_finish (GVIR_DOMAIN_EVENTS (source), result,
                                                        &error);
    g_assert_no_error (error);
}

static GVariant *
get_users (void)
{
    GVariant *users = NULL;

    gvir_domain_events_get_guest_users_async (events, NULL, on_users, &users);
    while (!users)
        g_main_context_iteration (NULL, TRUE);
    return users;
}

static void
assert_agent (TestEmission *e, GVirDomainAgentState state, GVirDomainAgentReason reason)
{
    g_assert_cmpint (g_value_get_enum (&e->values[0]), ==, state);
    g_assert_cmpint (g_value_get_enum (&e->values[1]), ==, reason);
}

/*
 * The domain starts with its agent channel closed (disconnected, reason
 * domain started), then qemu-ga opens it (connected, reason channel).
 */
static void
test_agent_connected (void)
{
    assert_agent (wait_for (&heard, 0, "agent-lifecycle", 1, BOOT_MS),
                  GVIR_DOMAIN_AGENT_STATE_DISCONNECTED, GVIR_DOMAIN_AGENT_REASON_DOMAIN_STARTED);
    assert_agent (wait_for (&heard, 0, "agent-lifecycle", 2, BOOT_MS),
                  GVIR_DOMAIN_AGENT_STATE_CONNECTED, GVIR_DOMAIN_AGENT_REASON_CHANNEL);
}

typedef struct {
    guint alice_on, alice_off, carol_on;
} DetailCounts;

static void
count_up (guint *counter)
{
    (*counter)++;
}

static void
test_users (void)
{
    TestRecorder users, generic;
    DetailCounts details = { 0 };
    g_autoptr(GVariant) listed = NULL;
    GVirConnectionEvents *conn_events = gvir_connection_events_get_for_connection (conn);
    const gchar *name = NULL;
    gint64 before, after, bob_time = 0;
    guint ids[3];
    TestEmission *e;

    g_assert_cmpuint (count (&heard, 0, "guest-user-logon"), ==, 0);

    /* bob logs on before anyone listens: he is part of the baseline */
    before = now_ms ();
    guest_command ("login bob pts/1");
    test_recorder_init (&users);
    test_recorder_init (&generic);
    test_recorder_connect (&users, events, "guest-user-logon");
    test_recorder_connect (&users, events, "guest-user-logoff");
    test_recorder_connect (&generic, conn_events, "domain-event::guest-user-logon");
    ids[0] = g_signal_connect_swapped (events, "guest-user-logon::alice",
                                       G_CALLBACK (count_up), &details.alice_on);
    ids[1] = g_signal_connect_swapped (events, "guest-user-logoff::alice",
                                       G_CALLBACK (count_up), &details.alice_off);
    ids[2] = g_signal_connect_swapped (events, "guest-user-logon::carol",
                                       G_CALLBACK (count_up), &details.carol_on);
    test_iterate_for (BASELINE_MS);
    g_assert_cmpuint (test_recorder_count (&users), ==, 0);

    /* the current list, asked directly: bob, with the time he logged on */
    listed = get_users ();
    g_assert_true (g_variant_is_of_type (listed, G_VARIANT_TYPE ("aa{sv}")));
    g_assert_cmpuint (g_variant_n_children (listed), ==, 1);
    {
        g_autoptr(GVariant) bob = g_variant_get_child_value (listed, 0);

        g_assert_true (g_variant_lookup (bob, "user", "&s", &name));
        g_assert_cmpstr (name, ==, "bob");
        g_assert_false (g_variant_lookup (bob, "user_domain", "&s", &name));
        g_assert_true (g_variant_lookup (bob, "login_time_ms", "x", &bob_time));
        g_assert_cmpint (bob_time, >=, before - CLOCK_SLACK_MS);
        g_assert_cmpint (bob_time, <=, now_ms () + CLOCK_SLACK_MS);
    }

    /* alice logs on, then off */
    before = now_ms ();
    guest_command ("login alice pts/2");
    after = now_ms ();
    e = wait_for (&users, 0, "guest-user-logon", 1, WAIT_MS);
    assert_user (e, "alice", before, after);
    guest_command ("logout alice pts/2");
    e = wait_for (&users, 0, "guest-user-logoff", 1, WAIT_MS);
    assert_user (e, "alice", before, after);
    /* then bob, who was there before the baseline, logs off */
    guest_command ("logout bob pts/1");
    e = wait_for (&users, 0, "guest-user-logoff", 2, WAIT_MS);
    assert_user (e, "bob", bob_time, bob_time);
    test_iterate_for (2 * POLL_S * 1000);

    /* exactly that: no logon for bob, one of each for alice */
    g_assert_cmpuint (test_recorder_count (&users), ==, 3);
    g_assert_cmpstr (test_recorder_get (&users, 0)->signal, ==, "guest-user-logon");
    g_assert_cmpuint (details.alice_on, ==, 1);
    g_assert_cmpuint (details.alice_off, ==, 1);
    g_assert_cmpuint (details.carol_on, ==, 0);

    /* GVirConnectionEvents::domain-event carries them too */
    g_assert_cmpuint (test_recorder_count (&generic), ==, 1);
    {
        GVirEvent *event = g_value_get_object (&test_recorder_get (&generic, 0)->values[1]);
        GVariant *payload = gvir_event_get_payload (event);

        g_assert_cmpint (gvir_event_get_kind (event), ==, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON);
        g_assert_cmpstr (gvir_event_get_detail (event), ==, "alice");
        g_assert_true (g_variant_lookup (payload, "user", "&s", &name));
        g_assert_cmpstr (name, ==, "alice");
        g_assert_false (g_variant_lookup (payload, "user_domain", "&s", &name));
    }

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        g_signal_handler_disconnect (events, ids[i]);
    g_signal_handlers_disconnect_matched (conn_events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                          &generic);
    g_signal_handlers_disconnect_matched (events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                          &users);
    test_recorder_clear (&generic);
    test_recorder_clear (&users);
}

/*
 * The agent goes away and comes back: disconnected, then connected, with
 * reason channel; meanwhile nobody asks it, and the user who logged on
 * while it was away is announced once it answers again.
 */
static void
test_agent_restart (void)
{
    TestRecorder users;
    guint from = test_recorder_count (&heard);
    gint64 before, after;
    TestEmission *e;

    test_recorder_init (&users);
    test_recorder_connect (&users, events, "guest-user-logon");
    test_recorder_connect (&users, events, "guest-user-logoff");
    test_iterate_for (BASELINE_MS);

    guest_command ("agent-stop");
    assert_agent (wait_for (&heard, from, "agent-lifecycle", 1, WAIT_MS),
                  GVIR_DOMAIN_AGENT_STATE_DISCONNECTED, GVIR_DOMAIN_AGENT_REASON_CHANNEL);

    before = now_ms ();
    guest_command ("login carol pts/3");
    after = now_ms ();
    test_iterate_for (2 * POLL_S * 1000);
    g_assert_cmpuint (test_recorder_count (&users), ==, 0);

    guest_command ("agent-start");
    assert_agent (wait_for (&heard, from, "agent-lifecycle", 2, WAIT_MS),
                  GVIR_DOMAIN_AGENT_STATE_CONNECTED, GVIR_DOMAIN_AGENT_REASON_CHANNEL);
    e = wait_for (&users, 0, "guest-user-logon", 1, WAIT_MS);
    assert_user (e, "carol", before, after);

    guest_command ("logout carol pts/3");
    wait_for (&users, 0, "guest-user-logoff", 1, WAIT_MS);
    g_assert_cmpuint (test_recorder_count (&users), ==, 2);
    g_signal_handlers_disconnect_matched (events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &users);
    test_recorder_clear (&users);
}

/*
 * The agent stops answering but keeps its port open (SIGSTOP): libvirt
 * waits for it (without end, by default) in the library's thread while the
 * main loop runs on; one debug line, no warning (they are fatal here),
 * nothing emitted, nothing more asked.  Once it answers again (SIGCONT),
 * the user who logged on meanwhile is announced.
 */
static void
test_agent_hung (void)
{
    TestRecorder users;
    TestLogCapture waiting;
    gint64 before, after, longest_gap;

    test_log_capture_start (&waiting, "libvirt-gevents", G_LOG_LEVEL_DEBUG,
                            "did not tell its users yet");
    test_recorder_init (&users);
    test_recorder_connect (&users, events, "guest-user-logon");
    test_recorder_connect (&users, events, "guest-user-logoff");
    test_iterate_for (BASELINE_MS);

    guest_command ("agent-freeze");
    before = now_ms ();
    guest_command ("login erin pts/5");
    after = now_ms ();
    longest_gap = test_iterate_for (HUNG_MS);
    g_assert_cmpuint (waiting.messages->len, ==, 1);
    g_assert_cmpuint (test_recorder_count (&users), ==, 0);
    /* TCG keeps both cores busy: a generous bound, still far below the wait */
    g_assert_cmpint (longest_gap, <, G_USEC_PER_SEC);

    guest_command ("agent-thaw");
    assert_user (wait_for (&users, 0, "guest-user-logon", 1, WAIT_MS), "erin", before, after);
    guest_command ("logout erin pts/5");
    wait_for (&users, 0, "guest-user-logoff", 1, WAIT_MS);
    g_assert_cmpuint (waiting.messages->len, ==, 1);
    test_log_capture_stop (&waiting);
    g_signal_handlers_disconnect_matched (events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &users);
    test_recorder_clear (&users);
}

/* The real virtio-balloon driver gives memory back after virDomainSetMemory. */
static void
test_balloon (void)
{
    guint from = test_recorder_count (&heard);
    gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
    guint64 actual = 0;

    guest_command ("load virtio_balloon");
    g_assert_cmpint (virDomainSetMemory (dom, BALLOON_KIB), ==, 0);
    /* the driver inflates in steps: QEMU reports some of them */
    while (actual != BALLOON_KIB && g_get_monotonic_time () < deadline) {
        guint n = count (&heard, from, "balloon-change");
        TestEmission *e = wait_for (&heard, from, "balloon-change", n + 1,
                                    (deadline - g_get_monotonic_time ()) / 1000 + 1);

        actual = g_value_get_uint64 (&e->values[0]);
        g_assert_cmpuint (actual, >=, BALLOON_KIB);
        g_assert_cmpuint (actual, <, MEMORY_KIB);
    }
    g_assert_cmpuint (actual, ==, BALLOON_KIB);
}

/*
 * The real virtio-mem driver plugs the memory libvirt asks for: the
 * device's requested size changed with virDomainUpdateDeviceFlags.
 */
static void
test_virtio_mem (void)
{
    guint from = test_recorder_count (&heard);
    g_autofree gchar *xml = virDomainGetXMLDesc (dom, 0);
    const gchar *start = strstr (xml, "<memory model='virtio-mem'>");
    const gchar *end = start ? strstr (start, "</memory>") : NULL;
    g_autofree gchar *device = NULL;
    g_autoptr(GString) update = NULL;
    TestEmission *e;

    g_assert_nonnull (end);
    device = g_strndup (start, end + strlen ("</memory>") - start);
    update = g_string_new (device);
    g_assert_cmpuint (g_string_replace (update, "<requested unit='KiB'>0</requested>",
                                        "<requested unit='KiB'>65536</requested>", 1), ==, 1);

    guest_command ("load virtio_mem");
    g_assert_cmpint (virDomainUpdateDeviceFlags (dom, update->str, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    e = wait_for (&heard, from, "memory-device-size-change", 1, WAIT_MS);
    g_assert_cmpstr (g_value_get_string (&e->values[0]), ==, "virtiomem0");
    /* the driver may plug in steps: the last one reaches the request */
    while (g_value_get_uint64 (&e->values[1]) != VIRTIO_MEM_KIB) {
        g_assert_cmpuint (g_value_get_uint64 (&e->values[1]), <, VIRTIO_MEM_KIB);
        e = wait_for (&heard, from, "memory-device-size-change",
                      count (&heard, from, "memory-device-size-change") + 1, WAIT_MS);
    }
}

static void
on_no_users (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(GError) error = NULL;

    g_assert_null (gvir_domain_events_get_guest_users_finish (GVIR_DOMAIN_EVENTS (source),
                                                              result, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED);
    *(gboolean *) data = TRUE;
}

/*
 * The domain stops while someone listens to the guest users: the agent is
 * not asked any more (no warning either: warnings are fatal here), and the
 * list fails with a GError.
 */
static void
test_stop (void)
{
    TestRecorder users;
    gboolean failed = FALSE;
    guint from = test_recorder_count (&heard);

    test_recorder_init (&users);
    test_recorder_connect (&users, events, "guest-user-logon");
    test_recorder_connect (&users, events, "guest-user-logoff");
    test_iterate_for (BASELINE_MS);
    guest_command ("login dave pts/4");
    wait_for (&users, 0, "guest-user-logon", 1, WAIT_MS);

    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
    wait_for (&heard, from, "lifecycle", 1, WAIT_MS);
    test_iterate_for (2 * POLL_S * 1000);
    /* dave's session ended with the domain: no logoff is made up */
    g_assert_cmpuint (test_recorder_count (&users), ==, 1);

    gvir_domain_events_get_guest_users_async (events, NULL, on_no_users, &failed);
    while (!failed)
        g_main_context_iteration (NULL, TRUE);

    g_signal_handlers_disconnect_matched (events, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &users);
    test_recorder_clear (&users);
}

/* ------------------------------------------------------------------------ */

static gchar *
domain_xml (const gchar *name, const gchar *dir)
{
    g_autofree gchar *uuid = g_uuid_string_random ();
    g_autofree gchar *console = g_build_filename (g_getenv ("GVIR_EVENTS_LOG_DIR"),
                                                  "linux-console.log", NULL);
    g_autofree gchar *command = g_build_filename (dir, "linux-command.sock", NULL);
    g_autofree gchar *xml = NULL;
    g_autofree gchar *template = g_build_filename (g_getenv ("GVIR_EVENTS_DOMAIN_DIR"),
                                                   "linux.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) text = NULL;

    g_file_get_contents (template, &xml, NULL, &error);
    g_assert_no_error (error);
    text = g_string_new (xml);
    g_string_replace (text, "@NAME@", name, 0);
    g_string_replace (text, "@UUID@", uuid, 0);
    g_string_replace (text, "@KERNEL@", g_getenv ("GVIR_EVENTS_LINUX_KERNEL"), 0);
    g_string_replace (text, "@INITRD@", g_getenv ("GVIR_EVENTS_LINUX_INITRD"), 0);
    g_string_replace (text, "@CONSOLE@", console, 0);
    g_string_replace (text, "@COMMAND_SOCKET@", command, 0);
    g_assert_null (strchr (text->str, '@'));
    return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
boot (const gchar *dir)
{
    g_autofree gchar *name = g_strdup_printf ("%slinux", g_getenv ("GVIR_EVENTS_DOMAIN_PREFIX"));
    g_autofree gchar *xml = domain_xml (name, dir);
    g_autofree gchar *path = g_build_filename (dir, "linux-command.sock", NULL);
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GError) error = NULL;

    /* defined first, so the companion hears everything from the start */
    dom = virDomainDefineXML (handle, xml);
    g_assert_nonnull (dom);
    domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    events = gvir_domain_events_get_for_domain (domain);
    g_object_set (events, "guest-users-interval", POLL_S, NULL);
    test_recorder_init (&heard);
    for (GEnumValue *v = g_enum_get_value (g_type_class_peek (GVIR_TYPE_DOMAIN_EVENT_KIND), 0);
         v && v->value_nick; v++) {
        /* the guest user signals are connected by the tests that want them */
        if (!g_str_has_prefix (v->value_nick, "guest-user-"))
            test_recorder_connect (&heard, events, v->value_nick);
    }
    g_assert_cmpint (virDomainCreate (dom), ==, 0);

    command_conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
    g_assert_no_error (error);
    command_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (command_conn)));
    command_out = g_io_stream_get_output_stream (G_IO_STREAM (command_conn));
    /* answered once /init runs: the first test waits for the agent */
    guest_command ("ping");
}

int
main (int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    const gchar *uri = g_getenv ("GVIR_EVENTS_TEST_URI");
    const gchar *dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    gboolean require = g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0;
    int ret;

    if (!uri || !dir || !g_getenv ("GVIR_EVENTS_LINUX_KERNEL") ||
        !g_getenv ("GVIR_EVENTS_LINUX_INITRD")) {
        g_printerr ("%s: run me through tests/integration/hv-harness run --linux-guest "
                    "HELPER -- %s\n", argv[0], argv[0]);
        return require ? 1 : 77;
    }

    /* before any connection: it gives libvirt GLib's event loop */
    gvir_init_object (&argc, &argv);
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();

    conn = gvir_connection_new (uri);
    gvir_connection_open (conn, NULL, &error);
    g_assert_no_error (error);
    g_object_get (conn, "handle", &handle, NULL);
    g_type_class_ref (GVIR_TYPE_DOMAIN_EVENT_KIND);
    boot (dir);

    g_test_add_func ("/linux/agent-connected", test_agent_connected);
    g_test_add_func ("/linux/guest-users", test_users);
    g_test_add_func ("/linux/agent-restart", test_agent_restart);
    g_test_add_func ("/linux/agent-hung", test_agent_hung);
    g_test_add_func ("/linux/balloon", test_balloon);
    g_test_add_func ("/linux/virtio-mem", test_virtio_mem);
    /* last: it stops the guest */
    g_test_add_func ("/linux/stop", test_stop);
    ret = g_test_run ();

    g_clear_object (&command_in);
    g_clear_object (&command_conn);
    test_recorder_clear (&heard);
    virDomainDestroy (dom);
    virDomainUndefine (dom);
    virDomainFree (dom);
    g_clear_object (&domain);
    virConnectClose (handle);
    gvir_connection_close (conn);
    g_object_unref (conn);
    return ret;
}
