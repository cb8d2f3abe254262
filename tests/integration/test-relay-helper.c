/*
 * test-relay-helper.c: test_control_relay() (tests/test-utils.c) against
 * the fault-injecting relay of tests/integration/hv-harness
 *
 * What tests/integration/test-relay.py checks of the relay itself, the
 * helper's view of it: the rest of each "ok" reply, and a dropped link seen
 * by a plain libvirt connection through GVIR_EVENTS_RELAY_SOCKET.
 *
 * Run by the harness, which skips (77) where it cannot run its daemon, a
 * failure under GVIR_EVENTS_REQUIRE_HYPERVISOR=1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "test-utils.h"

static gchar *uri;                  /* the test driver, through the relay */

static void
quiet (void *data G_GNUC_UNUSED, virErrorPtr error G_GNUC_UNUSED)
{
}

static void
assert_links (const gchar *expected)
{
    g_autofree gchar *rest = test_control_relay ("links");

    g_assert_cmpstr (rest, ==, expected);
}

static void
test_helper (void)
{
    virConnectPtr conn;
    unsigned long version = 0;
    gchar *rest;

    assert_links ("0");
    conn = virConnectOpen (uri);
    g_assert_nonnull (conn);
    g_assert_cmpint (virConnectGetLibVersion (conn, &version), ==, 0);
    assert_links ("1");

    /* a bare "ok" is the empty string; freeze and release close nothing */
    rest = test_control_relay ("freeze");
    g_assert_cmpstr (rest, ==, "");
    g_free (rest);
    rest = test_control_relay ("release");
    g_assert_cmpstr (rest, ==, "");
    g_free (rest);
    assert_links ("1");

    rest = test_control_relay ("drop");
    g_assert_cmpstr (rest, ==, "1");
    g_free (rest);
    assert_links ("0");
    g_assert_cmpint (virConnectGetLibVersion (conn, &version), ==, -1);
    g_assert_cmpint (virConnectIsAlive (conn), ==, 0);
    virConnectClose (conn);

    conn = virConnectOpen (uri);
    g_assert_nonnull (conn);
    g_assert_cmpint (virConnectGetLibVersion (conn, &version), ==, 0);
    virConnectClose (conn);
}

int
main (int argc, char **argv)
{
    const gchar *sock = g_getenv ("GVIR_EVENTS_RELAY_SOCKET");
    int ret;

    g_test_init (&argc, &argv, NULL);
    /* the write of a call on the dropped link */
    signal (SIGPIPE, SIG_IGN);
    virSetErrorFunc (NULL, quiet);

    if (!sock || !g_getenv ("GVIR_EVENTS_RELAY_CONTROL")) {
        g_printerr ("test-relay-helper: run me through tests/integration/hv-harness "
                    "(its private daemon's relay)\n");
        return g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0 ? 1 : 77;
    }
    uri = g_strdup_printf ("test+unix:///default?socket=%s", sock);
    g_test_add_func ("/relay/helper", test_helper);
    ret = g_test_run ();
    g_free (uri);
    return ret;
}
