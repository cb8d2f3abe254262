/*
 * bench-dispatch.c: cost of delivering libvirt domain events, per event,
 * as the number of domains grows
 *
 * One process, libvirt's in-process test driver (test:///default), D defined
 * and running domains, a libvirt-gobject GVirConnection open all the time
 * (its own lifecycle callback is part of every variant, the floor included).
 * For each variant, E lifecycle events (suspend, resume, ...) are queued
 * first, with the main loop stopped; then only the main loop's delivery of
 * them is timed.  The test driver's own work in virDomainSuspend/Resume is
 * therefore not counted; libvirt's dispatch of its queue is (it is the same
 * in every variant, and it is what an application pays).
 *
 * Variants:
 *   raw          one virConnectDomainEventRegisterAny(LIFECYCLE) callback,
 *                no domain filter: the floor
 *   raw+ids      the same, plus a callback that never fires for each other
 *                event ID libvirt-gevents registers (24): what libvirt's
 *                walk over the library's registrations costs by itself
 *   naive        one libvirt callback per domain, registered with that
 *                domain as filter: what per-domain callbacks cost without a
 *                fan-out layer
 *   gevents      a GVirDomainEvents::lifecycle handler on every domain
 *   gevents+cc   the same, and the connection's GVirConnectionEvents exists
 *                but has no domain-event handler (what an application that
 *                asked for it once and disconnected pays)
 *   gevents+conn the same, plus a GVirConnectionEvents::domain-event handler
 *
 * Built twice: bench-dispatch times; bench-dispatch-allocs (BENCH_COUNT_ALLOCS)
 * interposes malloc and counts the allocations made during delivery.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE 1
#include <malloc.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "bench-clock.h"

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

#define URI "test:///default"
/* the domain event IDs of libvirt 9.0 (VIR_DOMAIN_EVENT_ID_LAST is a sentinel) */
#define N_EVENT_IDS (VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1)
#define DELIVERY_TIMEOUT_S 120

#ifdef BENCH_COUNT_ALLOCS
/*
 * Every malloc of the process goes through here (glibc lets the executable
 * interpose it).  Only the main thread delivers events; the counter is
 * atomic anyway.  Run with G_SLICE=always-malloc so GSlice's magazines do
 * not hide GLib's allocations (main() re-executes itself to set it).
 */
extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *p, size_t size);
extern void *__libc_memalign (size_t alignment, size_t size);

static volatile int counting;
static unsigned long n_allocs;

static inline void
count_alloc (void)
{
    if (counting)
        __atomic_add_fetch (&n_allocs, 1, __ATOMIC_RELAXED);
}

void *malloc (size_t size);
void *calloc (size_t n, size_t size);
void *realloc (void *p, size_t size);
int posix_memalign (void **out, size_t alignment, size_t size);
void *memalign (size_t alignment, size_t size);
void *aligned_alloc (size_t alignment, size_t size);

void *malloc (size_t size) { count_alloc (); return __libc_malloc (size); }
void *calloc (size_t n, size_t size) { count_alloc (); return __libc_calloc (n, size); }
void *realloc (void *p, size_t size) { count_alloc (); return __libc_realloc (p, size); }
void *memalign (size_t alignment, size_t size) { count_alloc (); return __libc_memalign (alignment, size); }
void *aligned_alloc (size_t alignment, size_t size) { count_alloc (); return __libc_memalign (alignment, size); }
int
posix_memalign (void **out, size_t alignment, size_t size)
{
    count_alloc ();
    *out = __libc_memalign (alignment, size);
    return *out ? 0 : 12 /* ENOMEM */;
}
#define COUNT_START() G_STMT_START { n_allocs = 0; counting = 1; } G_STMT_END
#define COUNT_STOP() G_STMT_START { counting = 0; } G_STMT_END
#else
#define COUNT_START() G_STMT_START { } G_STMT_END
#define COUNT_STOP() G_STMT_START { } G_STMT_END
static unsigned long n_allocs;
#endif

typedef enum {
    VARIANT_RAW,
    VARIANT_RAW_IDS,
    VARIANT_NAIVE,
    VARIANT_GEVENTS,
    VARIANT_GEVENTS_CC,
    VARIANT_GEVENTS_CONN,
    N_VARIANTS
} Variant;

static const char * const variant_names[N_VARIANTS] = {
    "raw", "raw+ids", "naive", "gevents", "gevents+cc", "gevents+conn",
};

#define MAX_ROUNDS 100

typedef struct {
    double us_per_event;        /* CPU time of the main thread, median over the rounds */
    double us_min;              /* the same, best round */
    double wall_per_event;      /* wall-clock time, median over the rounds */
    guint events;               /* per round */
    double allocs_per_event;
    double bytes_per_domain;    /* what watching costs, malloc'd (mallinfo2) */
    double rss_per_domain;      /* the same, resident (statm) */
    gboolean ran;

    /* while running */
    gboolean failed;
    guint next;                 /* the next suspend/resume pair */
    guint n_samples;
    double cpu[MAX_ROUNDS];
    double wall[MAX_ROUNDS];
    unsigned long allocs;
} Result;

typedef struct {
    /* options */
    guint *domain_counts;
    guint n_domain_counts;
    guint events;
    guint rounds;
    gboolean variants[N_VARIANTS];
    gboolean verbose;
    gboolean trace;             /* every delivery */
    guint naive_budget;         /* callbacks walked per round, naive scaled to it */
    guint hot;                  /* events go to this many domains only (0: all) */

    /* state */
    virConnectPtr driver;       /* keeps the test driver's state alive, drives events */
    virDomainPtr *doms;         /* the D benchmark domains, on driver */
    guint n_doms;
    GVirConnection *gconn;      /* open in every phase */
    virConnectPtr vconn;        /* gconn's handle: the variants register on it */
    GVirDomain **gdoms;         /* gconn's GVirDomain for doms[i] */
    guint *order;               /* which domain gets the k-th suspend/resume pair */

    /* what the handlers count */
    guint received;
    guint received_conn;
} Bench;

static double
sys_seconds (void)
{
    struct rusage ru;

    getrusage (RUSAGE_THREAD, &ru);
    return ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static size_t
malloced_bytes (void)
{
    struct mallinfo2 mi = mallinfo2 ();

    return mi.uordblks + mi.hblkhd;
}

static size_t
rss_bytes (void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen ("/proc/self/statm", "r");

    if (f) {
        if (fscanf (f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose (f);
    }
    return resident * (size_t) sysconf (_SC_PAGESIZE);
}

static void
die (const char *what)
{
    fprintf (stderr, "bench-dispatch: %s: %s\n", what, virGetLastErrorMessage ());
    exit (1);
}

static void
drain (void)
{
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

/* ------------------------------------------------------------------ */
/* Domains */

static const char domain_xml[] =
    "<domain type='test'><name>bench-%05u</name><memory>8192</memory>"
    "<vcpu>1</vcpu><os><type>hvm</type></os></domain>";

static void
remove_default_domain (Bench *b)
{
    virDomainPtr dom = virDomainLookupByName (b->driver, "test");

    if (!dom) {
        virResetLastError ();
        return;
    }
    virDomainDestroy (dom);
    virDomainUndefine (dom);
    virDomainFree (dom);
}

/* Defines and starts domains until there are n. */
static double
grow_domains (Bench *b, guint n)
{
    gint64 start = now_ns ();

    b->doms = g_renew (virDomainPtr, b->doms, n);
    for (guint i = b->n_doms; i < n; i++) {
        char xml[sizeof (domain_xml) + 16];
        virDomainPtr dom;

        g_snprintf (xml, sizeof (xml), domain_xml, i);
        dom = virDomainDefineXML (b->driver, xml);
        if (!dom)
            die ("virDomainDefineXML");
        if (virDomainCreate (dom) < 0)
            die ("virDomainCreate");
        b->doms[i] = dom;
    }
    b->n_doms = n;
    return (now_ns () - start) / 1e9;
}

/* A fixed pseudo-random visiting order, so every domain gets events. */
static void
make_order (Bench *b)
{
    GRand *rand = g_rand_new_with_seed (42);

    g_free (b->order);
    b->order = g_new (guint, b->n_doms);
    for (guint i = 0; i < b->n_doms; i++)
        b->order[i] = i;
    for (guint i = b->n_doms; i > 1; i--) {
        guint j = g_rand_int_range (rand, 0, i);
        guint t = b->order[i - 1];

        b->order[i - 1] = b->order[j];
        b->order[j] = t;
    }
    g_rand_free (rand);
}

static double
open_gconnection (Bench *b)
{
    g_autoptr(GError) error = NULL;
    gint64 start = now_ns ();
    GHashTable *by_uuid;
    GList *list;

    b->gconn = gvir_connection_new (URI);
    if (!gvir_connection_open (b->gconn, NULL, &error) ||
        !gvir_connection_fetch_domains (b->gconn, NULL, &error)) {
        fprintf (stderr, "bench-dispatch: GVirConnection: %s\n", error->message);
        exit (1);
    }
    g_object_get (b->gconn, "handle", &b->vconn, NULL);

    /* the GVirConnection's own GVirDomain objects, as an application has them */
    by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
    list = gvir_connection_get_domains (b->gconn);
    for (GList *l = list; l; l = l->next)
        g_hash_table_insert (by_uuid, (gpointer) gvir_domain_get_uuid (l->data), l->data);
    b->gdoms = g_new0 (GVirDomain *, b->n_doms);
    for (guint i = 0; i < b->n_doms; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];

        virDomainGetUUIDString (b->doms[i], uuid);
        b->gdoms[i] = g_hash_table_lookup (by_uuid, uuid);
        if (!b->gdoms[i]) {
            fprintf (stderr, "bench-dispatch: GVirConnection does not know %s\n", uuid);
            exit (1);
        }
        g_object_ref (b->gdoms[i]);
    }
    g_list_free_full (list, g_object_unref);
    g_hash_table_unref (by_uuid);
    drain ();
    return (now_ns () - start) / 1e9;
}

static void
close_gconnection (Bench *b)
{
    for (guint i = 0; i < b->n_doms; i++)
        g_clear_object (&b->gdoms[i]);
    g_clear_pointer (&b->gdoms, g_free);
    virConnectClose (b->vconn);
    b->vconn = NULL;
    /*
     * The connection's companion is what tells the library the connection
     * closed, so that it lets the domain companions and its registrations
     * go (a GVirDomain cannot reach its GVirConnection); made here, after the
     * timed delivery, so the gevents variant measures without it.
     */
    gvir_connection_events_get_for_connection (b->gconn);
    gvir_connection_close (b->gconn);
    g_clear_object (&b->gconn);
    drain ();
}

/* ------------------------------------------------------------------ */
/* Handlers: each counts what it hears, nothing else */

static int
on_raw_lifecycle (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                  int event G_GNUC_UNUSED, int detail G_GNUC_UNUSED, void *opaque)
{
    ((Bench *) opaque)->received++;
    return 0;
}

/* The libvirt-gevents table's libvirt IDs: all but IO_ERROR and BLOCK_JOB,
 * which it takes from IO_ERROR_REASON and BLOCK_JOB_2 (gvir-event-table.c). */
static gboolean
library_registers (int id)
{
    return id != VIR_DOMAIN_EVENT_ID_IO_ERROR && id != VIR_DOMAIN_EVENT_ID_BLOCK_JOB;
}

/* Never called: the test driver emits nothing but lifecycle (and metadata) events. */
static void
on_other (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
          void *opaque G_GNUC_UNUSED)
{
}

static void
on_gevents_lifecycle (GVirDomainEvents *events G_GNUC_UNUSED,
                      GVirDomainLifecycleEvent event G_GNUC_UNUSED,
                      gint detail G_GNUC_UNUSED, gpointer data)
{
    ((Bench *) data)->received++;
}

static void
on_domain_event (GVirConnectionEvents *events G_GNUC_UNUSED,
                 GVirDomain *domain G_GNUC_UNUSED,
                 GVirEvent *event G_GNUC_UNUSED, gpointer data)
{
    ((Bench *) data)->received_conn++;
}

/* ------------------------------------------------------------------ */
/* Variants: set up, run rounds, tear down */

typedef struct {
    int raw_id;
    int other_ids[N_EVENT_IDS];
    int *naive_ids;
    gulong *handler_ids;
    GVirConnectionEvents *conn_events;
    gulong conn_handler;
} Watch;

static void
watch (Bench *b, Variant v, Watch *w, Result *r)
{
    size_t mem0 = malloced_bytes ();
    size_t rss0 = rss_bytes ();

    memset (w, 0, sizeof (*w));
    w->raw_id = -1;

    for (int id = 0; id < N_EVENT_IDS; id++)
        w->other_ids[id] = -1;

    switch (v) {
    case VARIANT_RAW_IDS:
        for (int id = 1; id < N_EVENT_IDS; id++) {
            if (!library_registers (id))
                continue;
            w->other_ids[id] = virConnectDomainEventRegisterAny (b->vconn, NULL, id,
                                                                 VIR_DOMAIN_EVENT_CALLBACK (on_other),
                                                                 b, NULL);
            if (w->other_ids[id] < 0)
                die ("virConnectDomainEventRegisterAny (other IDs)");
        }
        G_GNUC_FALLTHROUGH;
    case VARIANT_RAW:
        w->raw_id = virConnectDomainEventRegisterAny (b->vconn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      VIR_DOMAIN_EVENT_CALLBACK (on_raw_lifecycle),
                                                      b, NULL);
        if (w->raw_id < 0)
            die ("virConnectDomainEventRegisterAny");
        break;

    case VARIANT_NAIVE:
        w->naive_ids = g_new (int, b->n_doms);
        for (guint i = 0; i < b->n_doms; i++) {
            unsigned char uuid[VIR_UUID_BUFLEN];
            virDomainPtr dom;

            /* the filter must be a domain of the registering connection */
            virDomainGetUUID (b->doms[i], uuid);
            dom = virDomainLookupByUUID (b->vconn, uuid);
            if (!dom)
                die ("virDomainLookupByUUID");
            w->naive_ids[i] =
                virConnectDomainEventRegisterAny (b->vconn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK (on_raw_lifecycle),
                                                  b, NULL);
            virDomainFree (dom);
            if (w->naive_ids[i] < 0)
                die ("virConnectDomainEventRegisterAny (filtered)");
        }
        break;

    case VARIANT_GEVENTS_CONN:
    case VARIANT_GEVENTS_CC:
    case VARIANT_GEVENTS:
        w->handler_ids = g_new (gulong, b->n_doms);
        for (guint i = 0; i < b->n_doms; i++) {
            GVirDomainEvents *events = gvir_domain_events_get_for_domain (b->gdoms[i]);

            w->handler_ids[i] = g_signal_connect (events, "lifecycle",
                                                  G_CALLBACK (on_gevents_lifecycle), b);
        }
        if (v == VARIANT_GEVENTS_CC)
            w->conn_events = gvir_connection_events_get_for_connection (b->gconn);
        if (v == VARIANT_GEVENTS_CONN) {
            w->conn_events = gvir_connection_events_get_for_connection (b->gconn);
            w->conn_handler = g_signal_connect (w->conn_events, "domain-event",
                                                G_CALLBACK (on_domain_event), b);
        }
        break;

    default:
        g_assert_not_reached ();
    }

    r->bytes_per_domain = ((double) malloced_bytes () - mem0) / b->n_doms;
    r->rss_per_domain = ((double) rss_bytes () - rss0) / b->n_doms;
    drain ();
}

static void
unwatch (Bench *b, Variant v, Watch *w)
{
    switch (v) {
    case VARIANT_RAW_IDS:
        for (int id = 0; id < N_EVENT_IDS; id++) {
            if (w->other_ids[id] >= 0)
                virConnectDomainEventDeregisterAny (b->vconn, w->other_ids[id]);
        }
        G_GNUC_FALLTHROUGH;
    case VARIANT_RAW:
        virConnectDomainEventDeregisterAny (b->vconn, w->raw_id);
        break;
    case VARIANT_NAIVE:
        for (guint i = 0; i < b->n_doms; i++)
            virConnectDomainEventDeregisterAny (b->vconn, w->naive_ids[i]);
        g_free (w->naive_ids);
        break;
    case VARIANT_GEVENTS_CONN:
    case VARIANT_GEVENTS_CC:
    case VARIANT_GEVENTS:
        /* the companions stay with their domains until the connection closes */
        for (guint i = 0; i < b->n_doms; i++)
            g_signal_handler_disconnect (gvir_domain_events_get_for_domain (b->gdoms[i]),
                                         w->handler_ids[i]);
        g_free (w->handler_ids);
        if (w->conn_handler)
            g_signal_handler_disconnect (w->conn_events, w->conn_handler);
        break;
    default:
        g_assert_not_reached ();
    }
    drain ();
}

/* Queues n events (n/2 suspend/resume pairs) on n_doms domains, starting at pair *next. */
static void
queue_events_on (Bench *b, guint n, guint n_doms, guint *next)
{
    for (guint k = 0; k < n / 2; k++) {
        virDomainPtr dom = b->doms[b->order[(*next)++ % n_doms]];

        if (virDomainSuspend (dom) < 0 || virDomainResume (dom) < 0)
            die ("virDomainSuspend/Resume");
    }
}

static void
queue_events (Bench *b, guint n, guint *next)
{
    queue_events_on (b, n, b->hot ? MIN (b->hot, b->n_doms) : b->n_doms, next);
}

static int
compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

static gboolean
on_delivery_timeout (gpointer data)
{
    *(gboolean *) data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Times the main loop's delivery of n queued events; FALSE if they did not all arrive. */
static gboolean
deliver (Bench *b, Variant v, guint n, gboolean timed, double *seconds, double *cpu_seconds)
{
    gboolean timed_out = FALSE;
    gboolean want_conn = v == VARIANT_GEVENTS_CONN;
    guint timeout_id;
    gint64 start, cpu_start;
    double sys_start = sys_seconds ();

    /* created before the clock starts, so its own cost is not timed */
    timeout_id = g_timeout_add_seconds (DELIVERY_TIMEOUT_S, on_delivery_timeout, &timed_out);
    b->received = 0;
    b->received_conn = 0;

    /* under valgrind --tool=callgrind --collect-atstart=no, only delivery is profiled */
    if (timed)
        CALLGRIND_TOGGLE_COLLECT;
    COUNT_START ();
    start = now_ns ();
    cpu_start = cpu_ns ();
    while ((b->received < n || (want_conn && b->received_conn < n)) && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    *cpu_seconds = (cpu_ns () - cpu_start) / 1e9;
    *seconds = (now_ns () - start) / 1e9;
    if (b->trace)
        fprintf (stderr, "#     %-13s n=%u cpu %.1f ms (sys %.1f ms) wall %.1f ms\n", variant_names[v], n,
                 *cpu_seconds * 1e3, (sys_seconds () - sys_start) * 1e3, *seconds * 1e3);
    COUNT_STOP ();
    if (timed)
        CALLGRIND_TOGGLE_COLLECT;

    if (!timed_out)
        g_source_remove (timeout_id);
    if (b->received != n || (want_conn && b->received_conn != n)) {
        fprintf (stderr, "bench-dispatch: %s: %u of %u events delivered (%u to domain-event)\n",
                 variant_names[v], b->received, n, b->received_conn);
        return FALSE;
    }
    return TRUE;
}

static guint
events_for (Bench *b, Variant v)
{
    guint n = b->events;

    /* naive walks D callbacks per event: keep its rounds short */
    if (v == VARIANT_NAIVE && (guint64) n * b->n_doms > b->naive_budget)
        n = MAX (b->naive_budget / b->n_doms, 200);
    return n & ~1u;
}

/*
 * One round of a variant: open the GVirConnection, watch, queue, time the
 * delivery, unwatch, close.  The connection is opened anew every round so
 * that nothing of one variant outlives its round: the companions, and with
 * them the library's libvirt registrations, go only when their GVirDomain
 * objects do.  Round 0 warms up (and measures the memory of watching) and
 * is not counted.  The caller interleaves the variants' rounds, so that
 * whatever else the machine does slows them alike.
 */
static void
run_round (Bench *b, Variant v, guint round, Result *r)
{
    guint n = events_for (b, v);
    double seconds, cpu_seconds;
    Result scratch;
    Watch w;

    open_gconnection (b);
    watch (b, v, &w, round == 0 ? r : &scratch);
    r->events = n;
    drain ();
    /*
     * A long-running application has seen its domains before: one untimed
     * suspend/resume of every domain fills whatever the path caches per
     * domain (libvirt-gevents: which UUID a domain name stands for).  Not
     * for naive, whose cost is libvirt's walk and which caches nothing: at
     * D = 10,000 the priming alone would take seconds.
     */
    if (v != VARIANT_NAIVE) {
        guint start = 0;

        queue_events_on (b, 2 * b->n_doms, b->n_doms, &start);
        if (!deliver (b, v, 2 * b->n_doms, FALSE, &seconds, &cpu_seconds))
            r->failed = TRUE;
    }
    queue_events (b, n, &r->next);
    if (!deliver (b, v, n, TRUE, &seconds, &cpu_seconds))
        r->failed = TRUE;
    unwatch (b, v, &w);
    close_gconnection (b);
    if (r->failed || round == 0)
        return;

    r->cpu[r->n_samples] = cpu_seconds * 1e6 / n;
    r->wall[r->n_samples] = seconds * 1e6 / n;
    r->n_samples++;
    r->allocs += n_allocs;
}

static void
finish_result (Result *r)
{
    if (r->failed || r->n_samples == 0)
        return;
    qsort (r->cpu, r->n_samples, sizeof (double), compare_double);
    qsort (r->wall, r->n_samples, sizeof (double), compare_double);
    r->us_per_event = r->cpu[r->n_samples / 2];
    r->us_min = r->cpu[0];
    r->wall_per_event = r->wall[r->n_samples / 2];
    r->allocs_per_event = (double) r->allocs / ((double) r->events * r->n_samples);
    r->ran = TRUE;
}

/* ------------------------------------------------------------------ */

static gboolean
parse_list (const gchar *option G_GNUC_UNUSED, const gchar *value, gpointer data, GError **error)
{
    Bench *b = data;
    g_auto(GStrv) parts = g_strsplit (value, ",", -1);

    g_free (b->domain_counts);
    b->n_domain_counts = g_strv_length (parts);
    b->domain_counts = g_new (guint, b->n_domain_counts);
    for (guint i = 0; i < b->n_domain_counts; i++) {
        guint64 d;

        if (!g_ascii_string_to_unsigned (parts[i], 10, 1, 1000000, &d, error))
            return FALSE;
        if (i > 0 && d < b->domain_counts[i - 1]) {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "domain counts must not decrease");
            return FALSE;
        }
        b->domain_counts[i] = d;
    }
    return TRUE;
}

static gboolean
parse_variants (const gchar *option G_GNUC_UNUSED, const gchar *value, gpointer data, GError **error)
{
    Bench *b = data;
    g_auto(GStrv) parts = g_strsplit (value, ",", -1);

    memset (b->variants, 0, sizeof (b->variants));
    for (guint i = 0; parts[i]; i++) {
        gboolean found = FALSE;

        for (guint v = 0; v < N_VARIANTS; v++) {
            if (g_str_equal (parts[i], variant_names[v]))
                b->variants[v] = found = TRUE;
        }
        if (!found) {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "unknown variant %s (raw, raw+ids, naive, gevents, gevents+cc, gevents+conn)",
                         parts[i]);
            return FALSE;
        }
    }
    return TRUE;
}

static void
print_header (void)
{
#ifdef BENCH_COUNT_ALLOCS
    printf ("%6s  %-13s %7s %11s %11s\n", "D", "variant", "events", "allocs/ev", "extra/ev");
#else
    printf ("%6s  %-13s %7s %9s %9s %9s %9s %9s %9s\n", "D", "variant", "events",
            "cpu us/ev", "cpu min", "wall us/ev", "ratio/raw", "B/domain", "RSS B/dom");
#endif
}

static void
print_result (guint d, Variant v, const Result *r, const Result *raw)
{
#ifdef BENCH_COUNT_ALLOCS
    if (raw->ran)
        printf ("%6u  %-13s %7u %11.2f %+11.2f\n", d, variant_names[v], r->events,
                r->allocs_per_event, r->allocs_per_event - raw->allocs_per_event);
    else
        printf ("%6u  %-13s %7u %11.2f %11s\n", d, variant_names[v], r->events,
                r->allocs_per_event, "-");
#else
    char ratio[32] = "-", bytes[32] = "-", rss[32] = "-";

    if (raw->ran)
        g_snprintf (ratio, sizeof (ratio), "%.3f", r->us_min / raw->us_min);
    if (v != VARIANT_RAW && v != VARIANT_RAW_IDS) {
        g_snprintf (bytes, sizeof (bytes), "%.0f", r->bytes_per_domain);
        g_snprintf (rss, sizeof (rss), "%.0f", r->rss_per_domain);
    }
    printf ("%6u  %-13s %7u %9.3f %9.3f %9.3f %9s %9s %9s\n", d, variant_names[v], r->events,
            r->us_per_event, r->us_min, r->wall_per_event, ratio, bytes, rss);
#endif
    fflush (stdout);
}

int
main (int argc, char **argv)
{
    static guint default_counts[] = { 1, 100, 1000, 10000 };
    g_autoptr(GOptionContext) context = NULL;
    g_autoptr(GError) error = NULL;
    Result *results;
    gchar *domains_opt = NULL, *variants_opt = NULL;
    int events = 20000, rounds = 7, naive_budget = 4000000, hot = 0;
    gboolean verbose = FALSE, trace = FALSE;
    Bench b = { 0 };
    int status = 0;

#ifdef BENCH_COUNT_ALLOCS
    /* GSlice must be off from the first GLib call: it is read once */
    if (!g_getenv ("G_SLICE") || !g_str_equal (g_getenv ("G_SLICE"), "always-malloc")) {
        setenv ("G_SLICE", "always-malloc", 1);
        execv ("/proc/self/exe", argv);
        perror ("bench-dispatch-allocs: execv");
        return 1;
    }
#endif

    {
        GOptionEntry entries[] = {
            { "domains", 'd', 0, G_OPTION_ARG_CALLBACK, parse_list,
              "Domain counts, ascending (default 1,100,1000,10000)", "D,D,..." },
            { "events", 'e', 0, G_OPTION_ARG_INT, &events,
              "Events queued per round (default 20000)", "E" },
            { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds,
              "Measured rounds per variant, after one warm-up (default 7)", "R" },
            { "variants", 'V', 0, G_OPTION_ARG_CALLBACK, parse_variants,
              "Variants to run (default raw,raw+ids,naive,gevents,gevents+cc,gevents+conn)", "LIST" },
            { "naive-budget", 0, 0, G_OPTION_ARG_INT, &naive_budget,
              "Naive: at most this many events x domains per round (default 4000000)", "N" },
            { "hot", 0, 0, G_OPTION_ARG_INT, &hot,
              "Send the events to this many of the D domains only (default: all)", "N" },
            { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Say what is being set up", NULL },
            { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, "Print every delivery's times", NULL },
            { NULL }
        };
        GOptionGroup *group;

        (void) domains_opt;
        (void) variants_opt;
        for (guint v = 0; v < N_VARIANTS; v++)
            b.variants[v] = TRUE;
        context = g_option_context_new ("- time libvirt domain event delivery");
        group = g_option_group_new ("bench", "bench", "bench", &b, NULL);
        g_option_group_add_entries (group, entries);
        g_option_context_set_main_group (context, group);
        if (!g_option_context_parse (context, &argc, &argv, &error)) {
            fprintf (stderr, "bench-dispatch: %s\n", error->message);
            return 2;
        }
    }
    if (!b.domain_counts) {
        b.n_domain_counts = G_N_ELEMENTS (default_counts);
        b.domain_counts = g_memdup2 (default_counts, sizeof (default_counts));
    }
    if (events < 2 || rounds < 1 || rounds > MAX_ROUNDS || naive_budget < 1) {
        fprintf (stderr, "bench-dispatch: --events >= 2, 1 <= --rounds <= %d, --naive-budget >= 1\n",
                 MAX_ROUNDS);
        return 2;
    }
    b.events = events & ~1;
    b.rounds = rounds;
    b.naive_budget = naive_budget;
    b.hot = MAX (hot, 0);
    b.verbose = verbose;
    b.trace = trace;

    /* libvirt's event loop must be GLib's before any connection is opened */
    gvir_init_object (&argc, &argv);

    b.driver = virConnectOpen (URI);
    if (!b.driver)
        die ("virConnectOpen " URI);
    remove_default_domain (&b);

    results = g_new0 (Result, (gsize) b.n_domain_counts * N_VARIANTS);

#ifdef BENCH_COUNT_ALLOCS
    printf ("# allocations (malloc/calloc/realloc/memalign, G_SLICE=always-malloc) during delivery,\n"
            "# per event; extra/ev = the variant's minus raw's\n");
#else
    printf ("# %s (libvirt test driver); E events per round, suspend/resume pairs over\n"
            "# the D domains, queued first, then their delivery timed; %u measured rounds\n"
            "# per variant after one warm-up, the variants' rounds interleaved.\n"
            "# cpu = the main thread's CPU time per event (median, min), wall = wall clock\n"
            "# (median); ratio/raw and the summary use the cpu min (the least disturbed round).\n"
            "# B/domain = malloc'd bytes (mallinfo2) per watched domain, RSS B/dom = RSS growth\n",
            URI, b.rounds);
#endif
    print_header ();

    for (guint di = 0; di < b.n_domain_counts; di++) {
        guint d = b.domain_counts[di];
        Result *row = &results[di * N_VARIANTS];
        double t_define, t_open;
        gint64 d_start = now_ns ();

        t_define = grow_domains (&b, d);
        make_order (&b);
        drain ();
        t_open = open_gconnection (&b);
        close_gconnection (&b);
        if (b.verbose)
            fprintf (stderr, "# D=%u: defined+started up to %u domains in %.2f s, "
                     "opened GVirConnection and fetched domains in %.2f s\n",
                     d, d, t_define, t_open);

        for (guint round = 0; round <= b.rounds; round++) {
            for (guint k = 0; k < N_VARIANTS; k++) {
                Variant v = (k + round) % N_VARIANTS;

                if (b.variants[v] && !row[v].failed)
                    run_round (&b, v, round, &row[v]);
            }
        }
        for (Variant v = 0; v < N_VARIANTS; v++) {
            if (!b.variants[v])
                continue;
            finish_result (&row[v]);
            if (!row[v].ran) {
                status = 1;
                continue;
            }
            print_result (d, v, &row[v], &row[VARIANT_RAW]);
        }
        if (b.verbose)
            fprintf (stderr, "# D=%u: %.1f s in all\n", d, (now_ns () - d_start) / 1e9);
    }

#ifndef BENCH_COUNT_ALLOCS
    /* the targets of issue 5, as this run saw them (cpu min) */
    printf ("\n# summary: layer = the variant's cost per event over raw's\n");
    for (guint di = 0; di < b.n_domain_counts; di++) {
        Result *row = &results[di * N_VARIANTS];

        if (!row[VARIANT_RAW].ran)
            continue;
        for (Variant v = VARIANT_RAW_IDS; v < N_VARIANTS; v++) {
            if (!row[v].ran)
                continue;
            printf ("D=%-6u %-13s ratio/raw %6.3f  layer %7.3f us/event\n",
                    b.domain_counts[di], variant_names[v],
                    row[v].us_min / row[VARIANT_RAW].us_min,
                    row[v].us_min - row[VARIANT_RAW].us_min);
        }
    }
    {
        gint lo = -1, hi = -1;

        for (guint i = 0; i < b.n_domain_counts; i++) {
            if (b.domain_counts[i] == 100)
                lo = i;
            if (b.domain_counts[i] == 10000)
                hi = i;
        }
        if (lo >= 0 && hi >= 0) {
            Result *rlo = &results[lo * N_VARIANTS], *rhi = &results[hi * N_VARIANTS];

            for (Variant v = 0; v < N_VARIANTS; v++) {
                if (!rlo[v].ran || !rhi[v].ran)
                    continue;
                printf ("%-13s per event, D=10000 / D=100: %6.3f", variant_names[v],
                        rhi[v].us_min / rlo[v].us_min);
                if (v >= VARIANT_GEVENTS && rlo[VARIANT_RAW].ran && rhi[VARIANT_RAW].ran)
                    printf ("   layer: %.3f -> %.3f us/event",
                            rlo[v].us_min - rlo[VARIANT_RAW].us_min,
                            rhi[v].us_min - rhi[VARIANT_RAW].us_min);
                printf ("\n");
            }
        }
    }
#endif

    for (guint i = 0; i < b.n_doms; i++) {
        virDomainDestroy (b.doms[i]);
        virDomainUndefine (b.doms[i]);
        virDomainFree (b.doms[i]);
    }
    g_free (b.doms);
    g_free (b.order);
    g_free (results);
    g_free (b.domain_counts);
    virConnectClose (b.driver);
    return status;
}
