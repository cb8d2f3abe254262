/*
 * test-models-outage.c: the domains model and GVirDomainEvents:state across
 * a kill -9 of the daemon
 *
 * The harness's libvirtd (its QEMU driver: the domains outlive the daemon,
 * a running guest's QEMU too) is killed with SIGKILL.  While it is away
 * and before the library reconnects, another connection undefines one
 * domain, defines another and pauses a running guest.  Once reconnected,
 * the model must have changed by exactly those two (one removal, one
 * addition, no other items-changed: nothing flickers), the other items
 * must be the same objects, and the paused guest's state must read paused.
 *
 * Run by the harness, which skips (77) where it cannot run its daemon, a
 * failure under GVIR_EVENTS_REQUIRE_HYPERVISOR=1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

#define TIMEOUT_MS 30000

static const gchar *uri, *test_dir, *guest_dir, *domain_dir, *prefix;

typedef struct {
    guint position, removed, added;
} Change;

static GArray *changes;
static guint n_changes;

static void
on_items_changed (GListModel *model G_GNUC_UNUSED, guint position, guint removed,
                  guint added, gpointer data G_GNUC_UNUSED)
{
    Change c = { position, removed, added };

    g_array_append_val (changes, c);
    n_changes = changes->len;
}

/* An idle boot-sector guest, defined (not started), on a disk of its own. */
static virDomainPtr
define_guest (virConnectPtr raw, const gchar *suffix)
{
    g_autofree gchar *name = g_strconcat (prefix, suffix, NULL);
    g_autofree gchar *uuid = g_uuid_string_random ();
    g_autofree gchar *image = g_strdup_printf ("%s/guest-idle.img", guest_dir);
    g_autofree gchar *boot = g_strdup_printf ("%s/%s-boot.img", test_dir, name);
    g_autofree gchar *xml = NULL;
    g_autoptr(GError) error = NULL;
    gchar *contents = NULL;
    gsize len = 0;
    virDomainPtr dom;

    g_file_get_contents (image, &contents, &len, &error);
    g_assert_no_error (error);
    g_file_set_contents (boot, contents, len, &error);
    g_free (contents);
    g_assert_no_error (error);
    g_assert_cmpint (truncate (boot, 1 << 20), ==, 0);
    xml = test_domain_template (domain_dir, "guest", "NAME", name, "UUID", uuid, "BOOT_IMAGE", boot,
                    "DEVICES", "", "EXTRA", "", NULL);
    dom = virDomainDefineXML (raw, xml);
    g_assert_nonnull (dom);
    return dom;
}

static GVirConnection *conn;

/* The companion of a domain of another connection, on the program's (its current link). */
static GVirDomainEvents *
companion_of (virDomainPtr dom)
{
    virConnectPtr handle = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];
    virDomainPtr ours;
    GVirDomain *domain;
    GVirDomainEvents *events;

    g_assert_cmpint (virDomainGetUUID (dom, uuid), ==, 0);
    g_object_get (conn, "handle", &handle, NULL);
    g_assert_nonnull (handle);
    ours = virDomainLookupByUUID (handle, uuid);
    g_assert_nonnull (ours);
    domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", ours, NULL);
    events = gvir_domain_events_get_for_domain (domain);
    g_object_unref (domain);
    virDomainFree (ours);
    virConnectClose (handle);
    return events;
}

static gboolean
find (GListModel *model, GVirDomainEvents *events, guint *position)
{
    for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
        g_autoptr(GObject) item = g_list_model_get_item (model, i);

        if (item == (GObject *) events) {
            if (position)
                *position = i;
            return TRUE;
        }
    }
    return FALSE;
}

/* Iterates until the model holds n items and no change came for a while. */
static void
wait_items (GListModel *model, guint n)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;

    while (g_list_model_get_n_items (model) != n && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
}

static void
wait_state (GVirDomainEvents *events, GVirDomainState state)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;
    GVirDomainState now = GVIR_DOMAIN_STATE_NONE;

    for (;;) {
        g_object_get (events, "state", &now, NULL);
        if (now == state || g_get_monotonic_time () > deadline)
            break;
        g_main_context_iteration (NULL, TRUE);
    }
    g_assert_cmpint (now, ==, state);
}

static void
on_signal (gpointer instance G_GNUC_UNUSED, gpointer data)
{
    (*(guint *) data)++;
}

static void
on_notify (GObject *object G_GNUC_UNUSED, GParamSpec *pspec G_GNUC_UNUSED, gpointer data)
{
    (*(guint *) data)++;
}

static void
on_disconnected (gpointer instance G_GNUC_UNUSED, gint reason G_GNUC_UNUSED, gpointer data)
{
    (*(guint *) data)++;
}

static virConnectPtr
open_when_up (void)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;
    virConnectPtr raw;

    while (!(raw = virConnectOpen (uri)) && g_get_monotonic_time () < deadline) {
        virResetLastError ();
        g_usleep (50 * 1000);
    }
    g_assert_nonnull (raw);
    return raw;
}

static void
test_outage (void)
{
    g_autoptr(GError) error = NULL;
    GVirConnectionEvents *events;
    virConnectPtr raw;
    virDomainPtr gone, kept, runner, added;
    GVirDomainEvents *gone_events, *kept_events, *runner_events, *added_events;
    GListModel *model;
    guint disconnected = 0, reconnected = 0, state_notifies = 0, gone_position, n;

    conn = gvir_connection_new (uri);
    g_assert_true (gvir_connection_open (conn, NULL, &error));
    g_assert_no_error (error);
    events = gvir_connection_events_get_for_connection (conn);
    g_object_set (events, "reconnect-interval", 100, NULL);
    g_signal_connect (events, "disconnected", G_CALLBACK (on_disconnected), &disconnected);
    g_signal_connect (events, "reconnected", G_CALLBACK (on_signal), &reconnected);

    raw = open_when_up ();
    gone = define_guest (raw, "model-gone");
    kept = define_guest (raw, "model-kept");
    runner = define_guest (raw, "model-runner");
    g_assert_cmpint (virDomainCreate (runner), ==, 0);

    model = gvir_connection_events_get_domains (events);
    wait_items (model, 3);
    gone_events = g_object_ref (companion_of (gone));
    kept_events = g_object_ref (companion_of (kept));
    runner_events = g_object_ref (companion_of (runner));
    g_assert_true (find (model, gone_events, &gone_position));
    g_assert_true (find (model, kept_events, NULL));
    g_assert_true (find (model, runner_events, NULL));
    wait_state (runner_events, GVIR_DOMAIN_STATE_RUNNING);
    wait_state (kept_events, GVIR_DOMAIN_STATE_SHUTOFF);
    g_signal_connect (runner_events, "notify::state", G_CALLBACK (on_notify), &state_notifies);
    changes = g_array_new (FALSE, TRUE, sizeof (Change));
    g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), NULL);
    test_iterate_for (200);
    g_assert_cmpuint (changes->len, ==, 0);
    virDomainFree (gone);
    virDomainFree (kept);
    virDomainFree (runner);
    virConnectClose (raw);

    /* the daemon dies; the library waits (no reconnection yet) */
    g_object_set (events, "auto-reconnect", FALSE, NULL);
    test_control_daemon ("kill");
    g_assert_true (test_wait_for_count (&disconnected, 1, TIMEOUT_MS));
    g_assert_false (gvir_connection_events_get_connected (events));
    test_control_daemon ("start");

    /* meanwhile, on another connection: one undefined, one defined, one paused */
    raw = open_when_up ();
    gone = virDomainLookupByName (raw, gvir_domain_get_name (gvir_domain_events_get_domain (gone_events)));
    g_assert_nonnull (gone);
    g_assert_cmpint (virDomainUndefine (gone), ==, 0);
    virDomainFree (gone);
    added = define_guest (raw, "model-added");
    runner = virDomainLookupByName (raw, gvir_domain_get_name (gvir_domain_events_get_domain (runner_events)));
    g_assert_nonnull (runner);
    g_assert_cmpint (virDomainSuspend (runner), ==, 0);
    virDomainFree (runner);

    /* the model and the states did not move while the library was away */
    test_iterate_for (200);
    g_assert_cmpuint (changes->len, ==, 0);
    g_assert_cmpuint (state_notifies, ==, 0);

    g_object_set (events, "auto-reconnect", TRUE, NULL);
    g_assert_true (test_wait_for_count (&reconnected, 1, TIMEOUT_MS));
    wait_items (model, 3);
    test_iterate_for (500);

    /* exactly two changes: the undefined one out, the defined one in */
    n = g_list_model_get_n_items (model);
    g_assert_cmpuint (n, ==, 3);
    g_assert_cmpuint (changes->len, ==, 2);
    g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, gone_position);
    g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 1);
    g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 0);
    g_assert_cmpuint (g_array_index (changes, Change, 1).position, ==, 2);
    g_assert_cmpuint (g_array_index (changes, Change, 1).removed, ==, 0);
    g_assert_cmpuint (g_array_index (changes, Change, 1).added, ==, 1);
    g_assert_false (find (model, gone_events, NULL));
    g_assert_true (find (model, kept_events, NULL));
    g_assert_true (find (model, runner_events, NULL));
    added_events = companion_of (added);
    g_assert_true (find (model, added_events, &n));
    g_assert_cmpuint (n, ==, 2);

    /* the guest paused meanwhile reads paused, told once */
    wait_state (runner_events, GVIR_DOMAIN_STATE_PAUSED);
    g_assert_cmpuint (state_notifies, ==, 1);
    wait_state (added_events, GVIR_DOMAIN_STATE_SHUTOFF);
    wait_state (kept_events, GVIR_DOMAIN_STATE_SHUTOFF);

    /* and events flow again into the same model */
    g_assert_cmpint (virDomainUndefine (added), ==, 0);
    g_assert_true (test_wait_for_count (&n_changes, 3, TIMEOUT_MS));
    g_assert_cmpuint (g_array_index (changes, Change, 2).position, ==, 2);
    g_assert_cmpuint (g_array_index (changes, Change, 2).removed, ==, 1);
    virDomainFree (added);

    runner = virDomainLookupByName (raw, gvir_domain_get_name (gvir_domain_events_get_domain (runner_events)));
    virDomainDestroy (runner);
    virDomainUndefine (runner);
    virDomainFree (runner);
    kept = virDomainLookupByName (raw, gvir_domain_get_name (gvir_domain_events_get_domain (kept_events)));
    virDomainUndefine (kept);
    virDomainFree (kept);
    virConnectClose (raw);
    g_object_unref (gone_events);
    g_object_unref (kept_events);
    g_object_unref (runner_events);
    /* closed by the program: the model empties, in one change */
    n = g_list_model_get_n_items (model);
    gvir_connection_close (conn);
    test_iterate_for (100);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    g_assert_cmpuint (g_array_index (changes, Change, changes->len - 1).removed, ==, n);
    g_signal_handlers_disconnect_by_func (model, on_items_changed, NULL);
    g_array_unref (changes);
    g_clear_object (&conn);
    test_iterate_for (100);
}

int
main (int argc, char **argv)
{
    uri = g_getenv ("GVIR_EVENTS_TEST_URI");
    test_dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    guest_dir = g_getenv ("GVIR_EVENTS_GUEST_DIR");
    domain_dir = g_getenv ("GVIR_EVENTS_DOMAIN_DIR");
    prefix = g_getenv ("GVIR_EVENTS_DOMAIN_PREFIX");
    if (!uri || !test_dir || !guest_dir || !domain_dir || !prefix || !g_getenv ("GVIR_EVENTS_CONTROL")) {
        g_printerr ("%s: run me through tests/integration/hv-harness run -- %s\n", argv[0], argv[0]);
        return g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0 ? 1 : 77;
    }

    gvir_init_object (&argc, &argv);
    g_test_init (&argc, &argv, NULL);
    test_tolerate_libvirt_gobject_warnings ();
    g_test_add_func ("/models/outage", test_outage);
    return g_test_run ();
}
