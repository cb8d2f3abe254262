/*
 * bench-models.c: what the models of issue 21 cost, at 10,000 domains
 *
 * One process, libvirt's in-process test driver (test:///default) with D
 * defined domains (default 10,000; half of them running).  Measured, heap
 * in use by mallinfo2() and wall time:
 *
 *   companions   gvir_domain_events_get_for_domain() on every domain, with
 *                nobody reading "state": the heap per companion, and that
 *                no virDomainGetState was asked (the state costs a few
 *                bytes in each, no round trip)
 *   domains      gvir_connection_events_get_domains() in a fresh process:
 *                the time to fill (first call to the items-changed of the
 *                listing, the main thread free meanwhile: the longest it
 *                went without dispatching) and the heap (model and the
 *                companions it made)
 *   state        reading "state" on every item: all told by the listing,
 *                no round trip, and the time of the reads
 *   log          a GVirEventLog of capacity 1000 fed E lifecycle events:
 *                its heap, the time per event, the items-changed count
 *
 * bench-dispatch (same directory) measures the per-event cost of delivery
 * with no model and no log.
 *
 *   bench-models [--domains D] [--events E]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE 1
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "bench-clock.h"

#define URI "test:///default"

static gsize
heap_in_use (void)
{
    struct mallinfo2 info = mallinfo2 ();

    return info.uordblks + info.hblkhd;
}

static void
drain (void)
{
    while (g_main_context_iteration (NULL, FALSE));
}

static virConnectPtr
define_domains (GVirConnection *conn, guint n)
{
    virConnectPtr handle = NULL;

    g_object_get (conn, "handle", &handle, NULL);
    for (guint i = 0; i < n; i++) {
        g_autofree gchar *xml = g_strdup_printf ("<domain type='test'><name>bench-%05u</name>"
                                                 "<memory>8192</memory><os><type>hvm</type></os>"
                                                 "</domain>", i);
        virDomainPtr dom = virDomainDefineXML (handle, xml);

        if (!dom) {
            fprintf (stderr, "cannot define domain %u\n", i);
            exit (1);
        }
        if (i % 2 == 0 && virDomainCreate (dom) < 0) {
            fprintf (stderr, "cannot start domain %u\n", i);
            exit (1);
        }
        virDomainFree (dom);
    }
    drain ();
    return handle;
}

static guint changes, n_items;

/* A 2 ms timer's worst lateness: how long the main thread was kept busy. */
static gint64 expected, worst_lateness;

static gboolean
tick (gpointer data G_GNUC_UNUSED)
{
    gint64 now = g_get_monotonic_time ();

    worst_lateness = MAX (worst_lateness, now - expected);
    expected = now + 2000;
    return G_SOURCE_CONTINUE;
}

static void
on_items_changed (GListModel *model, guint position G_GNUC_UNUSED, guint removed G_GNUC_UNUSED,
                  guint added G_GNUC_UNUSED, gpointer data G_GNUC_UNUSED)
{
    changes++;
    n_items = g_list_model_get_n_items (model);
}

int
main (int argc, char **argv)
{
    guint n_domains = 10000, n_events = 10000;
    g_autoptr(GError) error = NULL;
    GVirConnection *conn;
    GVirConnectionEvents *events;
    virConnectPtr handle;
    virDomainPtr *doms = NULL;
    int n;
    gsize before;
    gint64 t0, t1;
    guint timer;
    GListModel *model;

    for (int i = 1; i < argc; i++) {
        if (g_str_equal (argv[i], "--domains") && i + 1 < argc)
            n_domains = atoi (argv[++i]);
        else if (g_str_equal (argv[i], "--events") && i + 1 < argc)
            n_events = atoi (argv[++i]);
        else if (!g_str_equal (argv[i], "--verbose")) {
            fprintf (stderr, "usage: %s [--domains D] [--events E]\n", argv[0]);
            return 2;
        }
    }

    gvir_init_object (&argc, &argv);
    conn = gvir_connection_new (URI);
    if (!gvir_connection_open (conn, NULL, &error)) {
        fprintf (stderr, "%s\n", error->message);
        return 1;
    }
    events = gvir_connection_events_get_for_connection (conn);
    t0 = g_get_monotonic_time ();
    handle = define_domains (conn, n_domains);
    printf ("setup: %u domains defined (half running) in %.1f s\n", n_domains,
            (g_get_monotonic_time () - t0) / 1e6);

    /* ---- domains: the first call, in a process that has no companion yet */
    before = heap_in_use ();
    t0 = g_get_monotonic_time ();
    model = gvir_connection_events_get_domains (events);
    t1 = g_get_monotonic_time ();
    g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), NULL);
    expected = g_get_monotonic_time () + 2000;
    timer = g_timeout_add (2, tick, NULL);
    while (n_items < n_domains + 1)
        g_main_context_iteration (NULL, TRUE);
    t1 = g_get_monotonic_time () - t0;
    g_source_remove (timer);
    printf ("domains: filled with %u items %.1f ms after get_domains() (%u items-changed); "
            "a 2 ms timer was late by %.1f ms at worst meanwhile\n",
            n_items, t1 / 1e3, changes, worst_lateness / 1e3);
    drain ();
    printf ("domains: heap %.1f MiB for the model and its %u companions: %.0f bytes per domain\n",
            (heap_in_use () - before) / 1048576.0, n_items,
            (double) (heap_in_use () - before) / n_items);

    /* ---- state: told by the listing */
    t0 = g_get_monotonic_time ();
    {
        guint known = 0;

        for (guint i = 0; i < n_items; i++) {
            g_autoptr(GObject) item = g_list_model_get_item (model, i);
            GVirDomainState state;

            g_object_get (item, "state", &state, NULL);
            known += state != GVIR_DOMAIN_STATE_NONE;
        }
        printf ("state: %u of %u items knew their state at the first read (no round trip), "
                "%.2f µs per read\n", known, n_items,
                (double) (g_get_monotonic_time () - t0) / n_items);
    }

    /* ---- companions nobody reads: a second connection, no model */
    {
        GVirConnection *other = gvir_connection_new (URI);
        virConnectPtr other_handle = NULL;
        GPtrArray *keep = g_ptr_array_new_with_free_func (g_object_unref);

        gvir_connection_open (other, NULL, NULL);
        gvir_connection_events_get_for_connection (other);
        g_object_get (other, "handle", &other_handle, NULL);
        n = virConnectListAllDomains (other_handle, &doms, 0);
        for (int i = 0; i < n; i++)
            g_ptr_array_add (keep, g_object_new (GVIR_TYPE_DOMAIN, "handle", doms[i], NULL));
        before = heap_in_use ();
        t0 = g_get_monotonic_time ();
        for (guint i = 0; i < keep->len; i++)
            gvir_domain_events_get_for_domain (keep->pdata[i]);
        t1 = g_get_monotonic_time ();
        drain ();
        GTypeQuery query;

        g_type_query (GVIR_TYPE_DOMAIN_EVENTS, &query);
        printf ("companions: %d made in %.1f ms (%.2f µs each), heap %.0f bytes each "
                "(instance %u bytes, of which the state's reason, sequence and last told "
                "values: 16), nobody reading: no round trip\n", n, (t1 - t0) / 1e3,
                (double) (t1 - t0) / n, (double) (heap_in_use () - before) / n,
                query.instance_size);
        for (int i = 0; i < n; i++)
            virDomainFree (doms[i]);
        free (doms);
        g_ptr_array_unref (keep);
        virConnectClose (other_handle);
        gvir_connection_close (other);
        g_object_unref (other);
        drain ();
    }

    /* ---- the same burst without a log: what the log's figures are compared with */
    {
        virDomainPtr dom = virDomainLookupByName (handle, "test");

        before = heap_in_use ();
        for (guint i = 0; i < n_events; i++) {
            if (i % 2 == 0)
                virDomainSuspend (dom);
            else
                virDomainResume (dom);
        }
        t0 = g_get_monotonic_time ();
        drain ();
        t1 = g_get_monotonic_time ();
        printf ("no log: %u events delivered in %.1f ms (%.2f µs per event, the model's handler "
                "only), heap %+.0f KiB after\n", n_events, (t1 - t0) / 1e3,
                (double) (t1 - t0) / n_events, ((gssize) heap_in_use () - (gssize) before) / 1024.0);
        virDomainFree (dom);
    }

    /* ---- log: 1000 events kept (the heap), then E more through it (the time) */
    {
        GVirEventLog *log;
        virDomainPtr dom = virDomainLookupByName (handle, "test");
        gsize log_heap;

        before = heap_in_use ();
        log = gvir_event_log_new (events, 1000);
        for (guint i = 0; i < 1000; i++) {
            if (i % 2 == 0)
                virDomainSuspend (dom);
            else
                virDomainResume (dom);
        }
        drain ();
        log_heap = heap_in_use () - before;
        printf ("log: 1000 events kept, heap %.0f KiB (%.0f bytes per event, the GVirEvent "
                "records and their payloads)\n", log_heap / 1024.0, log_heap / 1000.0);

        changes = 0;
        g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), NULL);
        /* queued with the main loop stopped, then delivered: one burst */
        for (guint i = 0; i < n_events; i++) {
            if (i % 2 == 0)
                virDomainSuspend (dom);
            else
                virDomainResume (dom);
        }
        t0 = g_get_monotonic_time ();
        drain ();
        t1 = g_get_monotonic_time ();
        printf ("log: %u more events delivered in %.1f ms (%.2f µs per event, with the model's "
                "handler too), %u items-changed, %u items kept\n",
                n_events, (t1 - t0) / 1e3, (double) (t1 - t0) / n_events, changes,
                g_list_model_get_n_items (G_LIST_MODEL (log)));
        g_object_unref (log);
        virDomainFree (dom);
        drain ();
    }

    virConnectClose (handle);
    gvir_connection_close (conn);
    g_object_unref (conn);
    drain ();
    return 0;
}
