/*
 * bench-rpc.c: domain events received through a libvirt daemon, per second
 *
 * The benchmark starts its own libvirtd in a temporary directory (never the
 * system daemon: its socket is DIR/libvirt-sock, TCP and TLS are off) and
 * kills it on every way out.  A generator process defines D domains on the
 * daemon's test driver (test+unix:///default?socket=DIR/libvirt-sock) and
 * suspends and resumes them on request.  The receiver, this process, counts
 * the lifecycle events that reach it:
 *
 *   raw        a plain libvirt C client: one virConnectDomainEventRegisterAny
 *              (LIFECYCLE) callback on its own virConnectPtr
 *   raw+gconn  a libvirt-gobject GVirConnection, and the raw callback on its
 *              virConnectPtr (its own legacy lifecycle callback runs for
 *              every event too): the floor libvirt-gevents builds on
 *   gevents    a GVirConnection and a GVirDomainEvents::lifecycle handler on
 *              every domain
 *
 * Every variant runs libvirt-glib's event loop (gvir_init_object()), so that
 * the loop is not what differs.  Two measures per round:
 *
 *   backlog  the receiver stops its main loop, the generator makes N events
 *            (the daemon queues them on the socket), then the receiver's
 *            draining of the backlog is timed: its capacity, events/s;
 *   live     the generator makes N events while the receiver runs its loop:
 *            events/s end to end, from the generator's first call to the
 *            N-th event handled (bound by the generator and the daemon, on
 *            two cores shared by three processes).
 *
 * libvirtd is run with LIBVIRT_DRIVER_DIR pointing at an empty directory: it
 * then loads no hypervisor driver module (the test driver is built into
 * libvirt.so).  Without that, on a machine without the libvirt-daemon-system
 * package, libvirtd exits at start: the QEMU driver cannot find the
 * libvirt-qemu user.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
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

#define DAEMON_START_TIMEOUT_S 20
#define DELIVERY_TIMEOUT_S 120

typedef enum {
    VARIANT_RAW,
    VARIANT_RAW_GCONN,
    VARIANT_GEVENTS,
    N_VARIANTS
} Variant;

static const char * const variant_names[N_VARIANTS] = { "raw", "raw+gconn", "gevents" };

#define MAX_ROUNDS 100

typedef struct {
    guint n_samples;
    double backlog_rate[MAX_ROUNDS];     /* events/s */
    double backlog_cpu[MAX_ROUNDS];      /* receiver main thread CPU us/event */
    double live_rate[MAX_ROUNDS];
    gboolean failed;
} Result;

/* The daemon, global so that every way out can stop it. */
static gchar *daemon_dir;
static pid_t daemon_pid;
static pid_t generator_pid;

/* What the daemon's directory holds, for the signal handler (no malloc there). */
static const char * const daemon_files[] = {
    "libvirtd.conf", "pid", "libvirt-sock", "libvirt-sock-ro", "libvirt-admin-sock",
    "libvirtd.log",
};
static char daemon_paths[G_N_ELEMENTS (daemon_files) + 2][4096];   /* + drivers/, + the dir */

static void
stop_children (void)
{
    if (generator_pid > 0) {
        kill (generator_pid, SIGTERM);
        waitpid (generator_pid, NULL, 0);
        generator_pid = 0;
    }
    if (daemon_pid > 0) {
        kill (daemon_pid, SIGTERM);
        for (int i = 0; i < 50; i++) {
            if (waitpid (daemon_pid, NULL, WNOHANG) == daemon_pid) {
                daemon_pid = 0;
                break;
            }
            g_usleep (100 * 1000);
        }
        if (daemon_pid > 0) {
            kill (daemon_pid, SIGKILL);
            waitpid (daemon_pid, NULL, 0);
            daemon_pid = 0;
        }
    }
    if (daemon_dir) {
        for (guint i = 0; i < G_N_ELEMENTS (daemon_files); i++)
            unlink (daemon_paths[i]);
        rmdir (daemon_paths[G_N_ELEMENTS (daemon_files)]);
        rmdir (daemon_paths[G_N_ELEMENTS (daemon_files) + 1]);
        g_clear_pointer (&daemon_dir, g_free);
    }
}

/* Only async-signal-safe calls: kill, waitpid, unlink, rmdir. */
static void
on_fatal_signal (int sig)
{
    if (generator_pid > 0)
        kill (generator_pid, SIGTERM);
    if (daemon_pid > 0)
        kill (daemon_pid, SIGTERM);
    if (generator_pid > 0)
        waitpid (generator_pid, NULL, 0);
    if (daemon_pid > 0)
        waitpid (daemon_pid, NULL, 0);
    if (daemon_paths[0][0]) {
        for (guint i = 0; i < G_N_ELEMENTS (daemon_files); i++)
            unlink (daemon_paths[i]);
        rmdir (daemon_paths[G_N_ELEMENTS (daemon_files)]);
        rmdir (daemon_paths[G_N_ELEMENTS (daemon_files) + 1]);
    }
    signal (sig, SIG_DFL);
    raise (sig);
}

static G_GNUC_NORETURN void
fail (const char *what)
{
    fprintf (stderr, "bench-rpc: %s%s%s\n", what,
             virGetLastErrorMessage () ? ": " : "", virGetLastErrorMessage ());
    exit (1);                   /* atexit stops the children */
}

/* ------------------------------------------------------------------ */
/* The daemon */

static gchar *
start_daemon (const gchar *libvirtd)
{
    g_autofree gchar *conf = NULL, *conf_text = NULL, *pid_file = NULL;
    g_autofree gchar *drivers = NULL, *log = NULL;
    g_autoptr(GError) error = NULL;
    gchar *socket_path;
    gint64 deadline;

    daemon_dir = g_dir_make_tmp ("bench-rpc-XXXXXX", &error);
    if (!daemon_dir) {
        fprintf (stderr, "bench-rpc: %s\n", error->message);
        exit (1);
    }
    for (guint i = 0; i < G_N_ELEMENTS (daemon_files); i++)
        g_snprintf (daemon_paths[i], sizeof (daemon_paths[i]), "%s/%s", daemon_dir, daemon_files[i]);
    g_snprintf (daemon_paths[G_N_ELEMENTS (daemon_files)], sizeof (daemon_paths[0]),
                "%s/drivers", daemon_dir);
    g_snprintf (daemon_paths[G_N_ELEMENTS (daemon_files) + 1], sizeof (daemon_paths[0]),
                "%s", daemon_dir);
    conf = g_build_filename (daemon_dir, "libvirtd.conf", NULL);
    pid_file = g_build_filename (daemon_dir, "pid", NULL);
    drivers = g_build_filename (daemon_dir, "drivers", NULL);
    log = g_build_filename (daemon_dir, "libvirtd.log", NULL);
    socket_path = g_build_filename (daemon_dir, "libvirt-sock", NULL);
    conf_text = g_strdup_printf ("unix_sock_dir = \"%s\"\n"
                                 "listen_tcp = 0\n"
                                 "listen_tls = 0\n"
                                 "auth_unix_rw = \"none\"\n"
                                 "auth_unix_ro = \"none\"\n"
                                 "log_outputs = \"3:file:%s\"\n",
                                 daemon_dir, log);
    if (!g_file_set_contents (conf, conf_text, -1, &error) || g_mkdir (drivers, 0700) < 0) {
        fprintf (stderr, "bench-rpc: cannot set up %s: %s\n", daemon_dir,
                 error ? error->message : g_strerror (errno));
        exit (1);
    }

    daemon_pid = fork ();
    if (daemon_pid < 0)
        fail ("fork");
    if (daemon_pid == 0) {
        /* dies with us, however we die */
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        g_setenv ("LIBVIRT_DRIVER_DIR", drivers, TRUE);
        execl (libvirtd, libvirtd, "-f", conf, "-p", pid_file, (char *) NULL);
        fprintf (stderr, "bench-rpc: cannot run %s: %s\n", libvirtd, g_strerror (errno));
        _exit (127);
    }

    deadline = g_get_monotonic_time () + DAEMON_START_TIMEOUT_S * G_USEC_PER_SEC;
    while (!g_file_test (socket_path, G_FILE_TEST_EXISTS)) {
        int status;

        if (waitpid (daemon_pid, &status, WNOHANG) == daemon_pid) {
            g_autofree gchar *text = NULL;

            daemon_pid = 0;
            g_file_get_contents (log, &text, NULL, NULL);
            fprintf (stderr, "bench-rpc: libvirtd exited at start (status %d); its log:\n%s\n",
                     status, text ? text : "(none)");
            exit (1);
        }
        if (g_get_monotonic_time () > deadline) {
            fprintf (stderr, "bench-rpc: libvirtd did not create %s in %d s\n",
                     socket_path, DAEMON_START_TIMEOUT_S);
            exit (1);
        }
        g_usleep (20 * 1000);
    }
    return socket_path;
}

/* ------------------------------------------------------------------ */
/* The generator: a process of its own, commanded through pipes */

static const char domain_xml[] =
    "<domain type='test'><name>rpc-%05u</name><memory>8192</memory>"
    "<vcpu>1</vcpu><os><type>hvm</type></os></domain>";

static gboolean
read_all (int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t r = read (fd, p, len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return FALSE;
        p += r;
        len -= r;
    }
    return TRUE;
}

static gboolean
write_all (int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t r = write (fd, p, len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return FALSE;
        p += r;
        len -= r;
    }
    return TRUE;
}

static G_GNUC_NORETURN void
generator_main (const gchar *uri, guint n_domains, int cmd_fd, int done_fd)
{
    virConnectPtr conn;
    virDomainPtr *doms = g_new (virDomainPtr, n_domains);
    guint32 n, next = 0;

    prctl (PR_SET_PDEATHSIG, SIGTERM);
    conn = virConnectOpen (uri);
    if (!conn) {
        fprintf (stderr, "bench-rpc generator: %s: %s\n", uri, virGetLastErrorMessage ());
        _exit (1);
    }
    for (guint i = 0; i < n_domains; i++) {
        char xml[sizeof (domain_xml) + 16];

        g_snprintf (xml, sizeof (xml), domain_xml, i);
        doms[i] = virDomainDefineXML (conn, xml);
        if (!doms[i] || virDomainCreate (doms[i]) < 0) {
            fprintf (stderr, "bench-rpc generator: define/start: %s\n", virGetLastErrorMessage ());
            _exit (1);
        }
    }
    n = n_domains;
    write_all (done_fd, &n, sizeof (n));

    /* n events: n/2 suspend/resume pairs, round-robin over the domains */
    while (read_all (cmd_fd, &n, sizeof (n)) && n > 0) {
        for (guint32 k = 0; k < n / 2; k++) {
            virDomainPtr dom = doms[next++ % n_domains];

            if (virDomainSuspend (dom) < 0 || virDomainResume (dom) < 0) {
                fprintf (stderr, "bench-rpc generator: %s\n", virGetLastErrorMessage ());
                _exit (1);
            }
        }
        write_all (done_fd, &n, sizeof (n));
    }
    for (guint i = 0; i < n_domains; i++) {
        virDomainDestroy (doms[i]);
        virDomainUndefine (doms[i]);
        virDomainFree (doms[i]);
    }
    virConnectClose (conn);
    _exit (0);
}

typedef struct {
    int cmd_fd;
    int done_fd;
} Generator;

static void
start_generator (Generator *g, const gchar *uri, guint n_domains)
{
    int cmd[2], done[2];
    guint32 ready;

    if (pipe (cmd) < 0 || pipe (done) < 0)
        fail ("pipe");
    fflush (NULL);
    generator_pid = fork ();
    if (generator_pid < 0)
        fail ("fork");
    if (generator_pid == 0) {
        close (cmd[1]);
        close (done[0]);
        generator_main (uri, n_domains, cmd[0], done[1]);
    }
    close (cmd[0]);
    close (done[1]);
    g->cmd_fd = cmd[1];
    g->done_fd = done[0];
    if (!read_all (g->done_fd, &ready, sizeof (ready)))
        fail ("the generator did not start");
}

static void
generate (Generator *g, guint32 n)
{
    if (!write_all (g->cmd_fd, &n, sizeof (n)))
        fail ("generator gone");
}

static void
wait_generated (Generator *g)
{
    guint32 n;

    if (!read_all (g->done_fd, &n, sizeof (n)))
        fail ("generator gone");
}

/* ------------------------------------------------------------------ */
/* The receiver */

typedef struct {
    const gchar *uri;
    guint n_domains;
    guint events;
    guint rounds;
    gboolean verbose;

    virConnectPtr raw_conn;
    int raw_id;
    GVirConnection *gconn;
    GList *gdoms;
    GArray *handlers;
    guint received;
} Receiver;

static int
on_raw_lifecycle (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                  int event G_GNUC_UNUSED, int detail G_GNUC_UNUSED, void *opaque)
{
    ((Receiver *) opaque)->received++;
    return 0;
}

static void
on_gevents_lifecycle (GVirDomainEvents *events G_GNUC_UNUSED,
                      GVirDomainLifecycleEvent event G_GNUC_UNUSED,
                      gint detail G_GNUC_UNUSED, gpointer data)
{
    ((Receiver *) data)->received++;
}

static void
drain (void)
{
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

static void
watch (Receiver *r, Variant v)
{
    g_autoptr(GError) error = NULL;

    if (v == VARIANT_RAW_GCONN || v == VARIANT_GEVENTS) {
        r->gconn = gvir_connection_new (r->uri);
        if (!gvir_connection_open (r->gconn, NULL, &error) ||
            !gvir_connection_fetch_domains (r->gconn, NULL, &error)) {
            fprintf (stderr, "bench-rpc: GVirConnection: %s\n", error->message);
            exit (1);
        }
    }
    if (v == VARIANT_RAW || v == VARIANT_RAW_GCONN) {
        /* one socket per variant: raw+gconn listens on the GVirConnection's */
        if (v == VARIANT_RAW_GCONN)
            g_object_get (r->gconn, "handle", &r->raw_conn, NULL);
        else
            r->raw_conn = virConnectOpen (r->uri);
        if (!r->raw_conn)
            fail ("virConnectOpen");
        r->raw_id = virConnectDomainEventRegisterAny (r->raw_conn, NULL,
                                                      VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      VIR_DOMAIN_EVENT_CALLBACK (on_raw_lifecycle),
                                                      r, NULL);
        if (r->raw_id < 0)
            fail ("virConnectDomainEventRegisterAny");
    }
    if (v == VARIANT_GEVENTS) {
        r->gdoms = gvir_connection_get_domains (r->gconn);
        r->handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
        for (GList *l = r->gdoms; l; l = l->next) {
            GVirDomainEvents *events = gvir_domain_events_get_for_domain (l->data);
            gulong id = g_signal_connect (events, "lifecycle",
                                          G_CALLBACK (on_gevents_lifecycle), r);

            g_array_append_val (r->handlers, id);
        }
    }
    drain ();
}

static void
unwatch (Receiver *r)
{
    if (r->handlers) {
        guint i = 0;

        for (GList *l = r->gdoms; l; l = l->next, i++)
            g_signal_handler_disconnect (gvir_domain_events_get_for_domain (l->data),
                                         g_array_index (r->handlers, gulong, i));
        g_clear_pointer (&r->handlers, g_array_unref);
    }
    g_list_free_full (g_steal_pointer (&r->gdoms), g_object_unref);
    if (r->raw_conn) {
        virConnectDomainEventDeregisterAny (r->raw_conn, r->raw_id);
        virConnectClose (r->raw_conn);
        r->raw_conn = NULL;
    }
    if (r->gconn) {
        gvir_connection_close (r->gconn);
        g_clear_object (&r->gconn);
    }
    drain ();
}

static gboolean
on_timeout (gpointer data)
{
    *(gboolean *) data = TRUE;
    return G_SOURCE_REMOVE;
}

static gboolean
receive (Receiver *r, guint n)
{
    gboolean timed_out = FALSE;
    guint id = g_timeout_add_seconds (DELIVERY_TIMEOUT_S, on_timeout, &timed_out);

    while (r->received < n && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
        g_source_remove (id);
    return r->received >= n;
}

static void
run_round (Receiver *r, Generator *g, Variant v, guint round, Result *res)
{
    gint64 start, cpu_start, end, cpu_end;
    double backlog_rate, backlog_cpu, live_rate;

    watch (r, v);

    /* backlog: the events wait in the daemon and the socket; time their draining */
    r->received = 0;
    generate (g, r->events);
    wait_generated (g);
    /* under valgrind --tool=callgrind --collect-atstart=no, only this is profiled */
    CALLGRIND_TOGGLE_COLLECT;
    start = now_ns ();
    cpu_start = cpu_ns ();
    if (!receive (r, r->events)) {
        CALLGRIND_TOGGLE_COLLECT;
        goto failed;
    }
    cpu_end = cpu_ns ();
    end = now_ns ();
    CALLGRIND_TOGGLE_COLLECT;
    backlog_rate = r->events / ((end - start) / 1e9);
    backlog_cpu = (cpu_end - cpu_start) / 1e3 / r->events;

    /* live: generated while received */
    r->received = 0;
    start = now_ns ();
    generate (g, r->events);
    if (!receive (r, r->events))
        goto failed;
    end = now_ns ();
    wait_generated (g);
    live_rate = r->events / ((end - start) / 1e9);

    if (r->verbose)
        fprintf (stderr, "#   round %u %-10s backlog %.0f/s (%.2f us cpu/event), live %.0f/s\n",
                 round, variant_names[v], backlog_rate, backlog_cpu, live_rate);
    unwatch (r);
    drain ();
    if (round == 0)
        return;
    res->backlog_rate[res->n_samples] = backlog_rate;
    res->backlog_cpu[res->n_samples] = backlog_cpu;
    res->live_rate[res->n_samples] = live_rate;
    res->n_samples++;
    return;

failed:
    fprintf (stderr, "bench-rpc: %s: %u of %u events arrived\n",
             variant_names[v], r->received, r->events);
    res->failed = TRUE;
    unwatch (r);
}

static int
compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

static double
median (double *values, guint n)
{
    qsort (values, n, sizeof (double), compare_double);
    return values[n / 2];
}

int
main (int argc, char **argv)
{
    g_autoptr(GOptionContext) context = NULL;
    g_autoptr(GError) error = NULL;
    gchar *libvirtd = NULL, *socket_path, *uri;
    int n_domains = 100, events = 20000, rounds = 5;
    gboolean verbose = FALSE;
    gchar *variants = NULL;
    gboolean enabled[N_VARIANTS] = { TRUE, TRUE, TRUE };
    Result results[N_VARIANTS] = { { 0 } };
    Receiver r = { 0 };
    Generator g;
    int status = 0;
    GOptionEntry entries[] = {
        { "domains", 'd', 0, G_OPTION_ARG_INT, &n_domains, "Domains (default 100)", "D" },
        { "events", 'e', 0, G_OPTION_ARG_INT, &events, "Events per measure (default 20000)", "N" },
        { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds,
          "Measured rounds per variant, after one warm-up (default 5)", "R" },
        { "libvirtd", 0, 0, G_OPTION_ARG_FILENAME, &libvirtd,
          "The daemon to run (default /usr/sbin/libvirtd)", "PATH" },
        { "variants", 'V', 0, G_OPTION_ARG_STRING, &variants,
          "Variants to run (default raw,raw+gconn,gevents)", "LIST" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print every round", NULL },
        { NULL }
    };

    context = g_option_context_new ("- domain events through a private libvirtd, per second");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error)) {
        fprintf (stderr, "bench-rpc: %s\n", error->message);
        return 2;
    }
    if (n_domains < 1 || events < 2 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf (stderr, "bench-rpc: --domains >= 1, --events >= 2, 1 <= --rounds <= %d\n",
                 MAX_ROUNDS);
        return 2;
    }
    if (variants) {
        g_auto(GStrv) parts = g_strsplit (variants, ",", -1);

        for (Variant v = 0; v < N_VARIANTS; v++)
            enabled[v] = g_strv_contains ((const gchar * const *) parts, variant_names[v]);
        g_free (variants);
    }
    if (!libvirtd)
        libvirtd = g_strdup ("/usr/sbin/libvirtd");
    if (!g_file_test (libvirtd, G_FILE_TEST_IS_EXECUTABLE)) {
        /* meson's exit code for a skipped test; benchmarks print it as such */
        printf ("bench-rpc: %s not found: install libvirt-daemon\n", libvirtd);
        return 77;
    }

    atexit (stop_children);
    signal (SIGINT, on_fatal_signal);
    signal (SIGTERM, on_fatal_signal);
    signal (SIGHUP, on_fatal_signal);
    signal (SIGPIPE, SIG_IGN);

    /* before any libvirt or GLib thread exists: the children are forked */
    socket_path = start_daemon (libvirtd);
    uri = g_strdup_printf ("test+unix:///default?socket=%s", socket_path);
    start_generator (&g, uri, n_domains);

    gvir_init_object (&argc, &argv);
    r.uri = uri;
    r.n_domains = n_domains;
    r.events = events & ~1;
    r.rounds = rounds;
    r.verbose = verbose;

    printf ("# %s, private libvirtd (pid %d), %d domains; per round, %u events\n"
            "# (suspend/resume pairs from the generator process); %d measured rounds per\n"
            "# variant after one warm-up, interleaved.  backlog = the receiver drains events\n"
            "# queued while its loop was stopped; live = generated while received.  Medians.\n",
            uri, (int) daemon_pid, n_domains, r.events, rounds);

    for (guint round = 0; round <= (guint) rounds; round++) {
        for (guint k = 0; k < N_VARIANTS; k++) {
            Variant v = (k + round) % N_VARIANTS;

            if (enabled[v] && !results[v].failed)
                run_round (&r, &g, v, round, &results[v]);
        }
    }

    printf ("%-10s %14s %11s %8s %12s %8s\n", "variant", "backlog ev/s", "cpu us/ev",
            "vs raw", "live ev/s", "vs raw");
    {
        double raw_backlog = 0, raw_live = 0;

        for (Variant v = 0; v < N_VARIANTS; v++) {
            Result *res = &results[v];
            double backlog, cpu, live;

            if (!enabled[v])
                continue;
            if (res->failed || res->n_samples == 0) {
                printf ("%-10s failed\n", variant_names[v]);
                status = 1;
                continue;
            }
            backlog = median (res->backlog_rate, res->n_samples);
            cpu = median (res->backlog_cpu, res->n_samples);
            live = median (res->live_rate, res->n_samples);
            if (v == VARIANT_RAW) {
                raw_backlog = backlog;
                raw_live = live;
            }
            printf ("%-10s %14.0f %11.2f %8.3f %12.0f %8.3f\n", variant_names[v], backlog, cpu,
                    raw_backlog ? backlog / raw_backlog : 0, live, raw_live ? live / raw_live : 0);
        }
    }

    close (g.cmd_fd);           /* the generator undefines its domains and exits */
    waitpid (generator_pid, NULL, 0);
    generator_pid = 0;
    g_free (uri);
    g_free (socket_path);
    g_free (libvirtd);
    return status;              /* atexit stops the daemon */
}
