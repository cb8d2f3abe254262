/*
 * gvir-events-demo.c: `gvir-events demo`, a monitor and a scenario
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "gvir-events.h"


/*
 * With root, libvirtd, QEMU and nbdkit, `demo` runs itself again under the
 * integration harness (tests/integration/hv-harness: a private libvirtd in
 * private namespaces), where it monitors the harness's daemon while the
 * scenario script (tools/demo-guest.py) boots guests and provokes their
 * events.  Both paths are the source tree's, configured at build time.
 * Without them it shows lifecycle events on libvirt's test driver.
 */

static void
print_summary (Monitor *m)
{
    g_autoptr(GList) kinds = g_hash_table_get_keys (m->counts);
    g_autoptr(GString) line = g_string_new (NULL);
    guint total = 0;

    kinds = g_list_sort (kinds, (GCompareFunc) g_strcmp0);
    for (GList *l = kinds; l; l = l->next) {
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (m->counts, l->data));

        total += n;
        g_string_append_printf (line, "%s%s %u", line->len ? ", " : "", (gchar *) l->data, n);
    }
    printf ("demo: %u events: %s\n", total, total ? line->str : "none");
    fflush (stdout);
}

typedef struct {
    Monitor *m;
    gboolean done;              /* the scenario exited */
} DemoRun;

static void
on_scenario_done (GObject *source, GAsyncResult *result, gpointer data)
{
    DemoRun *run = data;
    GSubprocess *scenario = G_SUBPROCESS (source);
    g_autoptr(GError) error = NULL;

    if (!g_subprocess_wait_finish (scenario, result, &error) &&
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    run->done = TRUE;
    if (error || !g_subprocess_get_successful (scenario)) {
        g_printerr ("gvir-events: demo: the scenario failed%s%s\n",
                    error ? ": " : "", error ? error->message : "");
        run->m->status = EXIT_FAILURE_OTHER;
    }
    run->m->stopping = TRUE;
    g_main_loop_quit (run->m->loop);
}

/* Inside the harness: the monitor here, the scenario in a child. */
static gint
demo_inside_harness (const gchar *uri)
{
    const gchar *uris[] = { uri, NULL };
    const gchar *argv[] = { "/usr/bin/python3", GVIR_EVENTS_DEMO_SCENARIO, NULL };
    g_autoptr(GSubprocess) scenario = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    Monitor m = { 0 };
    DemoRun run = { &m, FALSE };
    gint status;

    m.counts = g_hash_table_new (g_str_hash, g_str_equal);
    m.guest_users_interval = 2;     /* the demo's user logs on for a few seconds */
    monitor_start (&m, uris);
    /* the monitor listens before the scenario provokes anything */
    while (m.opening > 0)
        g_main_context_iteration (NULL, TRUE);
    if (!m.stopping) {
        scenario = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
        if (scenario)
            g_subprocess_wait_async (scenario, cancellable, on_scenario_done, &run);
        else {
            g_printerr ("gvir-events: demo: %s\n", error->message);
            monitor_fail (&m, EXIT_FAILURE_OTHER);
        }
    }
    status = monitor_run (&m);
    if (scenario && !run.done) {
        /* interrupted: the scenario goes too, and is waited for */
        g_cancellable_cancel (cancellable);
        g_subprocess_send_signal (scenario, SIGTERM);
        g_subprocess_wait (scenario, NULL, NULL);
    }
    if (status == EXIT_OK)
        print_summary (&m);
    g_hash_table_unref (m.counts);
    return status;
}

/* Without a hypervisor: libvirt's test driver, which this process drives. */
typedef struct {
    Monitor *m;
    virConnectPtr conn;
    virDomainPtr dom;
    guint step;
    guint source;
} TestDemo;

static const gchar test_demo_xml[] =
    "<domain type='test'><name>demo</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain>";

static gboolean
test_demo_step (gpointer data)
{
    TestDemo *t = data;

    switch (t->step++) {
    case 0:
        t->dom = virDomainDefineXML (t->conn, test_demo_xml);
        if (!t->dom) {
            t->step = G_MAXUINT;    /* ends the demo at the next step */
            t->m->status = EXIT_FAILURE_OTHER;
        }
        break;
    case 1: virDomainCreate (t->dom); break;
    case 2: virDomainSuspend (t->dom); break;
    case 3: virDomainResume (t->dom); break;
    case 4: virDomainDestroy (t->dom); break;
    case 5: virDomainUndefine (t->dom); break;
    default:
        t->source = 0;
        t->m->stopping = TRUE;
        g_main_loop_quit (t->m->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gint
demo_test_driver (void)
{
    const gchar *uris[] = { "test:///default", NULL };
    Monitor m = { 0 };
    TestDemo t = { &m, NULL, NULL, 0, 0 };
    gint status;

    m.counts = g_hash_table_new (g_str_hash, g_str_equal);
    m.guest_users_interval = -1;
    monitor_start (&m, uris);
    while (m.opening > 0)
        g_main_context_iteration (NULL, TRUE);
    /* test:///default is one driver per process: this connection drives the monitor's */
    t.conn = virConnectOpen ("test:///default");
    if (!t.conn)
        monitor_fail (&m, EXIT_FAILURE_OTHER);
    else
        t.source = g_timeout_add (400, test_demo_step, &t);
    status = monitor_run (&m);
    g_clear_handle_id (&t.source, g_source_remove);
    if (t.dom)
        virDomainFree (t.dom);
    if (t.conn)
        virConnectClose (t.conn);
    if (status == EXIT_OK)
        print_summary (&m);
    g_hash_table_unref (m.counts);
    return status;
}

/* What the real demo needs and this system lacks, as the harness says it. */
static gchar *
demo_missing (void)
{
    const gchar *argv[] = { GVIR_EVENTS_HV_HARNESS, "check", NULL };
    g_autoptr(GSubprocess) check = NULL;
    g_autofree gchar *out = NULL;

    if (geteuid () != 0)
        return g_strdup ("root (a private libvirtd)");
    if (!g_file_test (GVIR_EVENTS_HV_HARNESS, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup ("the source tree's tests/integration/hv-harness");
    check = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               NULL);
    if (!check || !g_subprocess_communicate_utf8 (check, NULL, NULL, &out, NULL, NULL))
        return g_strdup ("python3 (to run tests/integration/hv-harness)");
    if (g_subprocess_get_if_exited (check) && g_subprocess_get_exit_status (check) == 0)
        return NULL;
    /* "missing: X\nmissing: Y\n" -> "X; Y" */
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], "missing: "))
            memmove (lines[i], lines[i] + strlen ("missing: "), strlen (lines[i]) - strlen ("missing: ") + 1);
    return g_strjoinv ("; ", lines);
}

gint
run_demo (gint argc, gchar **argv)
{
    const gchar *uri = g_getenv ("GVIR_EVENTS_TEST_URI");
    g_autofree gchar *missing = NULL;
    g_autofree gchar *self = NULL;

    if (argc > 1) {
        if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
            printf ("Usage:\n  gvir-events demo\n\n"
                    "Boots real QEMU guests (TCG) under a private libvirtd and shows, live, their\n"
                    "lifecycle, io-error, watchdog, vnc-*, watermark and reboot events, then a\n"
                    "one-line summary.  Needs root, libvirtd, QEMU, nbdkit and the source tree\n"
                    "(tests/integration/hv-harness); without them, shows lifecycle events on\n"
                    "libvirt's test driver.  Exit status 0, or 1 when the demo failed.\n");
            return EXIT_OK;
        }
        g_printerr ("gvir-events: demo takes no arguments\n");
        return EXIT_USAGE;
    }
    if (uri && g_getenv ("GVIR_EVENTS_GUEST_DIR"))
        return demo_inside_harness (uri);

    missing = demo_missing ();
    if (missing) {
        printf ("demo: real guests need %s; showing lifecycle events on test:///default instead\n",
                missing);
        fflush (stdout);
        return demo_test_driver ();
    }

    /* again, under the harness; it removes every process and file when done */
    self = g_file_read_link ("/proc/self/exe", NULL);
    if (!self)
        self = g_strdup (argv[-1]);
    const gchar *harness[] = {
        "/usr/bin/python3", GVIR_EVENTS_HV_HARNESS, "run", "--timeout", "300",
        "--guest-dir", GVIR_EVENTS_GUEST_DIR, "--linux-guest", GVIR_EVENTS_UTMP_HELPER,
        "--", self, "demo", NULL
    };
    execv (harness[0], (gchar **) harness);
    g_printerr ("gvir-events: demo: cannot run %s: %s\n", GVIR_EVENTS_HV_HARNESS, g_strerror (errno));
    return EXIT_FAILURE_OTHER;
}
