/*
 * gvir-connection-events.c: the companion of one GVirConnection: its
 * connection-wide signals, and noticing and reconnecting a dead link
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gobject/gvaluecollector.h>
#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-events-hub-private.h"
#include "gvir-domain-events-private.h"
#include "gvir-object-events-private.h"
#include "gvir-event-private.h"
#include "gvir-events-util-private.h"
#include "gvir-domain-state-private.h"
#include "gvir-marshal.h"

/**
 * SECTION:gvir-connection-events
 * @title: GVirConnectionEvents
 * @short_description: the events of every domain of a connection
 * @see_also: #GVirDomainEvents, #GVirEvent
 *
 * A #GVirConnectionEvents is the companion of one #GVirConnection.  It owns
 * the connection's registrations with libvirt — one per event ID, whatever
 * the number of domains and handlers — and fans each event out to the
 * #GVirDomainEvents of its domain.
 *
 * Programs that watch every domain (monitors, loggers) connect to
 * #GVirConnectionEvents::domain-event, which hands out each event as a
 * #GVirEvent record:
 *
 * |[<!-- language="C" -->
 * static void
 * on_domain_event (GVirConnectionEvents *events G_GNUC_UNUSED,
 *                  GVirDomain *domain G_GNUC_UNUSED, GVirEvent *event,
 *                  gpointer user_data G_GNUC_UNUSED)
 * {
 *   g_autofree gchar *line = gvir_event_to_string (event);
 *   g_print ("%s\n", line);
 * }
 *
 * GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
 * g_signal_connect (events, "domain-event::watchdog",
 *                   G_CALLBACK (on_domain_event), NULL);
 * ]|
 *
 * The registrations are made when the connection is open (at once, or on
 * #GVirConnection::connection-opened) and dropped when it closes.
 *
 * Every companion of a connection emits its signals in one main context:
 * the global default one (g_main_context_default(), where libvirt-glib
 * runs libvirt's event loop), whichever thread got it, unless the program
 * chose another for the connection with
 * gvir_connection_events_set_main_context().
 *
 * The connection's other objects have their events here too, one signal per
 * #GVirObjectEventKind: networks (#GVirConnectionEvents::network-lifecycle),
 * storage pools (#GVirConnectionEvents::storage-pool-lifecycle,
 * #GVirConnectionEvents::storage-pool-refresh), host devices
 * (#GVirConnectionEvents::node-device-lifecycle,
 * #GVirConnectionEvents::node-device-update) and secrets
 * (#GVirConnectionEvents::secret-lifecycle,
 * #GVirConnectionEvents::secret-value-changed).  The lifecycle signals are
 * detailed by the event's nick, and their first argument is the object the
 * event is about:
 *
 * |[<!-- language="C" -->
 * static void
 * on_network_started (GVirConnectionEvents *events G_GNUC_UNUSED, GVirNetwork *network,
 *                     GVirNetworkLifecycleEvent event G_GNUC_UNUSED,
 *                     gint detail G_GNUC_UNUSED, gpointer user_data G_GNUC_UNUSED)
 * {
 *   g_print ("network %s started\n", gvir_network_get_name (network));
 * }
 *
 * GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
 * g_signal_connect (events, "network-lifecycle::started",
 *                   G_CALLBACK (on_network_started), NULL);
 * ]|
 *
 * A monitor may connect #GVirConnectionEvents::object-event alone, which
 * hands out every one of these events with its #GVirObjectEventKind and its
 * arguments as an `a{sv}`.  A view of one network or pool connects to its
 * companion instead (#GVirNetworkEvents, #GVirStoragePoolEvents).  A driver may not deliver
 * every kind (libvirt's test driver has no secrets):
 * gvir_connection_events_supports_object_event() tells.
 *
 * # Reconnection
 *
 * A management tool runs for weeks; libvirtd restarts with every package
 * upgrade, and a remote host may stop answering.  The companion watches the
 * link (libvirt's close callback, and keepalive probes:
 * #GVirConnectionEvents:keepalive-interval).  When it dies,
 * #GVirConnectionEvents:connected turns %FALSE and
 * #GVirConnectionEvents::disconnected says why.  With
 * #GVirConnectionEvents:auto-reconnect (the default) the companion then
 * waits for the daemon on a private connection of its own, off the main
 * thread, retrying after #GVirConnectionEvents:reconnect-interval, twice as
 * long after each failure, at most 30 s apart.  Once the daemon answers, it
 * opens the same #GVirConnection again in the main context (so its
 * #GVirConnection::connection-closed and #GVirConnection::connection-opened
 * run where the program expects them), fetches the connection's domains,
 * storage pools and networks again there (libvirt-gobject's lookups need
 * them), and makes every registration again on a worker.  A failure at any
 * step is a failed attempt, retried.  Then, in the main context:
 *
 * - every companion the program holds — this one, each #GVirDomainEvents,
 *   #GVirNetworkEvents and #GVirStoragePoolEvents — is the same object as
 *   before, with the same handlers, and hears its events again; its
 *   #GVirDomainEvents:domain (or gvir_object_events_get_object()) is the
 *   connection's new wrapper, which works for calls;
 * - the `lifecycle` events that explain what changed during the outage are
 *   emitted (their #GVirEvent says #GVirEvent:synthesized); a domain,
 *   network or pool that is gone is told by a synthesized `undefined` (an
 *   active domain's `stopped` first), and its companion then hears nothing
 *   more;
 * - the guest-user poller (#GVirDomainEvents::guest-user-logon) asks the
 *   guest agent again at once;
 * - #GVirConnectionEvents:connected turns %TRUE and
 *   #GVirConnectionEvents::reconnected is emitted.
 *
 * No call the program makes on the main thread waits for a dead, stalled
 * or frozen link meanwhile: not this library's, nor libvirt-gobject's on
 * the program's #GVirConnection (whose lock libvirt-gobject holds across an
 * open).  Turning #GVirConnectionEvents:auto-reconnect off stops a
 * reconnection that is still waiting for the daemon; one that has reopened
 * the connection already completes, with #GVirConnectionEvents::reconnected.
 *
 * The #GVirDomain and #GVirNetwork objects the program held from before the
 * outage still wrap handles of the dead link, so calls on them fail, but
 * gvir_domain_events_get_for_domain() and the like on them still find the
 * live companion.  Take new wrappers from the #GVirConnection or from
 * gvir_domain_events_get_domain().
 *
 * Other threads of the program may find the #GVirConnection closed for a
 * moment during the reopen.  libvirt-gobject's gvir_connection_get_domains()
 * and the like allow for that, but its lookups by name or UUID
 * (gvir_connection_find_domain_by_name(), gvir_connection_get_domain())
 * do not, on any closed connection: off the main context, look up in the
 * lists.
 *
 * A program that closes the connection itself (gvir_connection_close())
 * stops all of this: the companion reconnects only links that died.
 */

#define MAX_RECONNECT_DELAY_MS 30000

typedef enum {
    RECONNECT_IDLE,
    RECONNECT_PROBING,              /* a worker waits for the daemon on a private connection */
    RECONNECT_REOPENING,            /* the program's connection is being reopened, here */
    RECONNECT_REATTACHING,          /* a worker registers and refetches on the new link */
} ReconnectPhase;

struct _GVirConnectionEvents {
    GObject parent_instance;

    /*
     * Taken only for moments, never across an RPC: getters and setters on
     * the main thread take it, and connection-opened may come from a GTask
     * thread of the program's.
     */
    GMutex lock;
    GVirConnection *connection;     /* owns us; NULL once it is finalized */
    GVirEventsHub *hub;             /* kept across an outage; NULL while the program has it closed */
    gboolean linked;                /* the hub is registered on a live link */
    virConnectPtr link;             /* the handle our close callback is on */
    GWeakRef link_opaque;           /* the close callback's: to us */
    GThread *reopen_thread;         /* running our own close and open of the connection */

    /*
     * Where every companion of the connection emits (NULL: the global
     * default); set once, by gvir_connection_events_set_main_context(),
     * under the lock.  The rest belongs to that context.
     */
    GMainContext *context;
    gboolean connected;
    gboolean auto_reconnect;
    guint reconnect_interval;       /* ms */
    gint keepalive_interval;        /* s; <= 0: no keepalive */
    guint keepalive_count;
    guint retry_delay;              /* ms, doubled per failure */
    GSource *retry;
    ReconnectPhase phase;
    guint attempt;                  /* one more per attempt: a late answer of an older one is dropped */
};

G_DEFINE_FINAL_TYPE (GVirConnectionEvents, gvir_connection_events, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_CONNECTION,
    PROP_CONNECTED,
    PROP_AUTO_RECONNECT,
    PROP_RECONNECT_INTERVAL,
    PROP_KEEPALIVE_INTERVAL,
    PROP_KEEPALIVE_COUNT,
    N_PROPS
};

enum {
    DOMAIN_EVENT,
    OBJECT_EVENT,
    DISCONNECTED,
    RECONNECTED,
    N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];
static guint object_signals[GVIR_OBJECT_EVENT_N_KINDS];
static GQuark kind_quarks[GVIR_EVENT_N_KINDS];
static GQuark object_kind_quarks[GVIR_OBJECT_EVENT_N_KINDS];

/* Set while the getter makes a companion: anything else is a binding's g_object_new(). */
static GPrivate making_companion;

static void on_link_closed (virConnectPtr conn, int reason, void *opaque);

/*
 * How the hub reaches this companion: the only way back up into this file
 * (docs/design.md, "Layers").  Defined with the emission, at the end.
 */
static gboolean listener_wants (gpointer listener);
static gboolean listener_wants_object (gpointer listener, GVirObjectEventKind kind);
static void listener_emit (gpointer listener, virDomainPtr dom, gpointer domain_companion,
                           GVirEventEmission *em);
static void listener_emit_object (gpointer listener, GVirObjectEmission *em);

static const GVirEventsListenerOps listener_ops = {
    .wants = listener_wants, .wants_object = listener_wants_object,
    .emit = listener_emit, .emit_object = listener_emit_object,
};

/*
 * Keepalive and the close callback: how a dead link is noticed.  Both are
 * local calls (the remote driver learned at open whether the daemon does
 * keepalive), made before any registration RPC, outside the lock.
 */
static gboolean
watch_link (GVirConnectionEvents *self, virConnectPtr handle)
{
    gint interval;
    guint count;
    gboolean remote = TRUE;

    g_mutex_lock (&self->lock);
    if (self->link == handle) {
        g_mutex_unlock (&self->lock);
        return TRUE;
    }
    interval = self->keepalive_interval;
    count = self->keepalive_count;
    g_mutex_unlock (&self->lock);

    /* only the remote driver has keepalive; a local driver's link cannot die */
    if (interval > 0 && virConnectSetKeepAlive (handle, interval, count) < 0) {
        g_debug ("libvirt-gevents: no keepalive on this connection: %s", virGetLastErrorMessage ());
        virResetLastError ();
        remote = FALSE;
    }
    /*
     * No free callback: local drivers accept the registration and keep
     * nothing, so libvirt would never call it.  The weak reference lives as
     * long as we do; unregistering waits for a callback in progress.
     */
    if (virConnectRegisterCloseCallback (handle, on_link_closed, &self->link_opaque, NULL) < 0) {
        g_debug ("libvirt-gevents: no close callback on this connection: %s",
                 virGetLastErrorMessage ());
        virResetLastError ();
        return FALSE;
    }
    g_mutex_lock (&self->lock);
    if (!self->link) {
        self->link = handle;
        virConnectRef (handle);
        handle = NULL;
    }
    g_mutex_unlock (&self->lock);
    /* another thread watched it first */
    if (handle && virConnectUnregisterCloseCallback (handle, on_link_closed) < 0)
        virResetLastError ();
    return remote;
}

static void
unwatch_link (GVirConnectionEvents *self)
{
    virConnectPtr link;

    g_mutex_lock (&self->lock);
    link = g_steal_pointer (&self->link);
    self->linked = FALSE;
    g_mutex_unlock (&self->lock);
    if (!link)
        return;
    if (virConnectUnregisterCloseCallback (link, on_link_closed) < 0)
        virResetLastError ();
    virConnectClose (link);
}

/*
 * The program's connection is open (any thread: the program's open, or
 * its open_async's GTask thread): watch the link, then register (RPCs, so
 * outside the lock).  Idempotent: two threads may see the connection open
 * at once.
 */
static void
attach (GVirConnectionEvents *self)
{
    virConnectPtr handle = NULL;
    gboolean remote;

    g_mutex_lock (&self->lock);
    if (!self->hub && self->connection)
        g_object_get (self->connection, "handle", &handle, NULL);
    g_mutex_unlock (&self->lock);
    if (!handle)
        return;

    remote = watch_link (self, handle);
    for (;;) {
        GVirEventsHub *hub = _gvir_events_hub_acquire (handle);
        gboolean kept = FALSE, again = FALSE;

        if (!hub)
            break;
        g_mutex_lock (&self->lock);
        if (!self->hub) {
            again = !_gvir_events_hub_add_listener (hub, self, &listener_ops);
            if (!again) {
                self->hub = hub;
                self->linked = TRUE;
                kept = TRUE;
            }
        }
        g_mutex_unlock (&self->lock);
        if (kept) {
            /* a new link's hub: its companions emit where the program chose */
            _gvir_events_hub_set_context (hub, self->context);
            if (remote)
                _gvir_events_hub_set_may_reconnect (hub);
        } else {
            _gvir_events_hub_unref (hub);
        }
        if (!again)
            break;
    }
    virConnectClose (handle);
}

/* The program closed the connection, or it is finalized: every companion is told it is gone. */
static void
detach (GVirConnectionEvents *self)
{
    GVirEventsHub *hub;

    unwatch_link (self);
    g_mutex_lock (&self->lock);
    hub = g_steal_pointer (&self->hub);
    self->attempt++;
    g_mutex_unlock (&self->lock);
    if (!hub)
        return;
    _gvir_events_hub_remove_listener (hub, self);
    _gvir_events_hub_shutdown (hub);
    _gvir_events_hub_unref (hub);
}

static void
set_connected (GVirConnectionEvents *self, gboolean connected)
{
    if (self->connected == connected)
        return;
    self->connected = connected;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTED]);
}

/*
 * Reconnection
 * ============
 *
 * In the companion's main context, except where a function says "worker".
 *
 *   link_lost        the close callback said the current link died: the
 *                    hub (and every companion in it) is kept; disconnected.
 *   reconnect_now    PROBING: a private connection is opened on a worker,
 *                    with keepalive, and asked one question.  All the
 *                    waiting on a dead, stalled or frozen link happens
 *                    there, holding no lock anybody else takes.
 *   probe_done       the daemon answered: REOPENING, here, the program's
 *                    GVirConnection is closed and opened again, so its
 *                    signals run where the program expects them and no
 *                    lock of libvirt-gobject's is held across a wait
 *                    longer than one handshake with a daemon that just
 *                    answered.  connection-opened gives the hub the new
 *                    link (_gvir_events_hub_add_link(): no RPC).
 *   reattach_*       REATTACHING on a worker: registrations, libvirt-gobject's
 *                    domains, pools and networks fetched again, and the
 *                    state of every companion asked; a failure of any is a
 *                    failed attempt, retried.
 *   reattach_done    the lifecycle events that explain the outage, the
 *                    pollers reset, then reconnected.
 *
 * Turning auto-reconnect off, or the program closing the connection, makes
 * a probe's answer stale (attempt): closed and quiet.  Once the program's
 * connection is reopened, the attempt completes: reconnected, or (the new
 * link died too) disconnected and quiet without auto-reconnect.
 */

static void schedule_reconnection (GVirConnectionEvents *self);

static void
cancel_reconnection (GVirConnectionEvents *self)
{
    if (self->retry) {
        g_source_destroy (self->retry);
        g_clear_pointer (&self->retry, g_source_unref);
    }
    /* a probe's answer is dropped; a reopened connection completes its attempt */
    if (self->phase == RECONNECT_PROBING) {
        g_mutex_lock (&self->lock);
        self->attempt++;
        g_mutex_unlock (&self->lock);
        self->phase = RECONNECT_IDLE;
    }
}

static void
attempt_failed (GVirConnectionEvents *self, const GError *error)
{
    g_debug ("libvirt-gevents: reconnection failed: %s", error->message);
    self->phase = RECONNECT_IDLE;
    self->retry_delay = MIN (self->retry_delay * 2, MAX_RECONNECT_DELAY_MS);
    schedule_reconnection (self);
}

/* What the main context hands a worker: a worker never holds the program's objects last. */
typedef struct {
    GWeakRef self;
    guint attempt;
    gchar *uri;
    gint keepalive_interval;
    guint keepalive_count;
    GVirConnection *connection;     /* REATTACHING; released in the main context */
    GVirEventsHub *hub;             /* REATTACHING */
    GPtrArray *domains;             /* REATTACHING: every GVirDomainEvents of the hub */
    GPtrArray *objects;             /* REATTACHING: every GVirObjectEvents of the hub */
    GArray *resync;                 /* REATTACHING, the worker's answer: Resync */
    GArray *object_resync;          /* REATTACHING, the worker's answer: ObjectResync */
} Attempt;

/*
 * What the daemon says of a kept companion after a reconnection.  Asked on
 * the worker (one or two RPCs each: thousands of domains must not block the
 * main loop), used in the main context.
 */
typedef struct {
    GVirDomainEvents *companion;
    GVirDomain *fresh;              /* a wrapper on the new link; NULL if gone or unknown */
    gboolean gone;
    int state;                      /* -1: not known */
    int reason;
} Resync;

typedef struct {
    GVirObjectEvents *companion;
    GObject *fresh;                 /* the GVirConnection's wrapper on the new link, or NULL */
    gboolean gone;
} ObjectResync;

static void
resync_clear (gpointer data)
{
    Resync *r = data;

    g_clear_object (&r->companion);
    g_clear_object (&r->fresh);
}

static void
object_resync_clear (gpointer data)
{
    ObjectResync *r = data;

    g_clear_object (&r->companion);
    g_clear_object (&r->fresh);
}

static Attempt *
attempt_new (GVirConnectionEvents *self)
{
    Attempt *a = g_new0 (Attempt, 1);

    g_weak_ref_init (&a->self, self);
    g_mutex_lock (&self->lock);
    a->attempt = self->attempt;
    g_mutex_unlock (&self->lock);
    return a;
}

/* In the main context: the last references to the program's objects go here. */
static void
attempt_free (Attempt *a)
{
    g_weak_ref_clear (&a->self);
    g_free (a->uri);
    g_clear_object (&a->connection);
    g_clear_pointer (&a->hub, _gvir_events_hub_unref);
    g_clear_pointer (&a->domains, g_ptr_array_unref);
    g_clear_pointer (&a->objects, g_ptr_array_unref);
    g_clear_pointer (&a->resync, g_array_unref);
    g_clear_pointer (&a->object_resync, g_array_unref);
    g_free (a);
}

/* The companion, if the attempt is still its current one (the main context's). */
static GVirConnectionEvents *
attempt_dup_self (Attempt *a)
{
    GVirConnectionEvents *self = g_weak_ref_get (&a->self);
    gboolean current;

    if (!self)
        return NULL;
    g_mutex_lock (&self->lock);
    current = self->attempt == a->attempt && self->connection;
    g_mutex_unlock (&self->lock);
    if (!current)
        g_clear_object (&self);
    return self;
}

/*
 * Runs fn on a worker with the attempt, then done in the companion's
 * context.  No source object: a probe that waits for a frozen link must
 * not keep the companion alive.
 */
static void
attempt_run (GVirConnectionEvents *self, Attempt *a, GTaskThreadFunc fn, GAsyncReadyCallback done)
{
    g_autoptr(GTask) task = NULL;

    g_main_context_push_thread_default (self->context);
    task = g_task_new (NULL, NULL, done, a);
    g_main_context_pop_thread_default (self->context);
    /* the worker borrows it; done() frees it, in this context */
    g_task_set_task_data (task, a, NULL);
    g_task_set_source_tag (task, attempt_run);
    g_task_set_name (task, "[libvirt-gevents] reconnection");
    g_task_run_in_thread (task, fn);
}

/* Worker: the daemon answers a private connection, or the attempt fails.  No lock held. */
static void
probe_in_thread (GTask *task, gpointer source G_GNUC_UNUSED, gpointer data,
                 GCancellable *cancellable G_GNUC_UNUSED)
{
    Attempt *a = data;
    GVirEventsSigpipeGuard sigpipe;
    virConnectPtr probe;
    unsigned long version = 0;
    g_autofree gchar *failure = NULL;

    /* the daemon may die again while we talk to it: see _gvir_events_sigpipe_block() */
    _gvir_events_sigpipe_block (&sigpipe);
    probe = virConnectOpen (a->uri);
    if (probe) {
        if (a->keepalive_interval > 0 &&
            virConnectSetKeepAlive (probe, a->keepalive_interval, a->keepalive_count) < 0)
            virResetLastError ();
        if (virConnectGetLibVersion (probe, &version) < 0)
            failure = g_strdup (virGetLastErrorMessage ());
        virConnectClose (probe);
    } else {
        failure = g_strdup (virGetLastErrorMessage ());
    }
    virResetLastError ();
    _gvir_events_sigpipe_unblock (&sigpipe);

    if (failure)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                 "The daemon did not answer: %s", failure);
    else
        g_task_return_boolean (task, TRUE);
}

static void reopen (GVirConnectionEvents *self);

static void
probe_done (GObject *source G_GNUC_UNUSED, GAsyncResult *result, gpointer data)
{
    Attempt *a = data;
    g_autoptr(GVirConnectionEvents) self = attempt_dup_self (a);
    g_autoptr(GError) error = NULL;

    if (!g_task_propagate_boolean (G_TASK (result), &error) && self)
        attempt_failed (self, error);
    else if (self)
        reopen (self);
    attempt_free (a);
}

static gboolean
reconnect_now (gpointer data)
{
    GVirConnectionEvents *self = data;
    Attempt *a;

    g_clear_pointer (&self->retry, g_source_unref);
    if (!self->connection)
        return G_SOURCE_REMOVE;
    self->phase = RECONNECT_PROBING;
    g_mutex_lock (&self->lock);
    self->attempt++;
    g_mutex_unlock (&self->lock);
    a = attempt_new (self);
    a->uri = g_strdup (gvir_connection_get_uri (self->connection));
    a->keepalive_interval = self->keepalive_interval;
    a->keepalive_count = self->keepalive_count;
    attempt_run (self, a, probe_in_thread, probe_done);
    return G_SOURCE_REMOVE;
}

static void
schedule_reconnection (GVirConnectionEvents *self)
{
    if (!self->auto_reconnect || self->retry || self->phase != RECONNECT_IDLE ||
        !self->connection || !self->hub || self->connected)
        return;
    self->retry = g_timeout_source_new (self->retry_delay);
    g_source_set_callback (self->retry, reconnect_now, self, NULL);
    g_source_set_name (self->retry, "[libvirt-gevents] reconnect");
    g_source_attach (self->retry, self->context);
}

static void reattach_in_thread (GTask *task, gpointer source, gpointer data,
                                GCancellable *cancellable);
static void reattach_done (GObject *source, GAsyncResult *result, gpointer data);

/*
 * The daemon answered: the program's connection is reopened here.  Its
 * connection-closed and connection-opened run here, as in the program's own
 * gvir_connection_open(); ours see reopen_thread and leave them to us.
 */
static void
reopen (GVirConnectionEvents *self)
{
    g_autoptr(GError) error = NULL;
    GVirConnection *connection = g_object_ref (self->connection);
    virConnectPtr handle = NULL;
    Attempt *a;
    gboolean opened;

    self->phase = RECONNECT_REOPENING;
    g_mutex_lock (&self->lock);
    self->reopen_thread = g_thread_self ();
    g_mutex_unlock (&self->lock);
    gvir_connection_close (connection);
    opened = gvir_connection_open (connection, NULL, &error);
    g_mutex_lock (&self->lock);
    self->reopen_thread = NULL;
    g_mutex_unlock (&self->lock);

    if (opened)
        g_object_get (connection, "handle", &handle, NULL);
    if (!handle || !self->hub || !_gvir_events_hub_add_link (self->hub, handle)) {
        if (!error)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                         "The connection has no link to give the events");
        if (handle)
            virConnectClose (handle);
        g_object_unref (connection);
        attempt_failed (self, error);
        return;
    }
    watch_link (self, handle);
    virConnectClose (handle);

    /*
     * libvirt-gobject's own tables, which its close emptied: its find_*()
     * and get_domain() read them without a NULL check, so the program's
     * next lookup in this context must find them filled.  Three round
     * trips on a link that has just answered, with keepalive on.
     */
    if (!gvir_connection_fetch_domains (connection, NULL, &error) ||
        !gvir_connection_fetch_storage_pools (connection, NULL, &error) ||
        !gvir_connection_fetch_networks (connection, NULL, &error)) {
        g_object_unref (connection);
        attempt_failed (self, error);
        return;
    }

    self->phase = RECONNECT_REATTACHING;
    a = attempt_new (self);
    a->connection = connection;
    a->hub = _gvir_events_hub_ref (self->hub);
    _gvir_events_hub_list_companions (a->hub, &a->domains, &a->objects);
    attempt_run (self, a, reattach_in_thread, reattach_done);
}

static void
resync_query_domains (Attempt *a, virConnectPtr handle)
{
    a->resync = g_array_sized_new (FALSE, TRUE, sizeof (Resync), a->domains->len);
    g_array_set_clear_func (a->resync, resync_clear);
    for (guint i = 0; i < a->domains->len; i++) {
        Resync r = { g_object_ref (g_ptr_array_index (a->domains, i)), NULL, FALSE, -1, 0 };
        const guint8 *uuid = _gvir_domain_events_get_uuid (r.companion);
        virDomainPtr dom = virDomainLookupByUUID (handle, uuid);

        if (!dom) {
            /* only libvirt's word that there is no such domain */
            r.gone = virGetLastErrorCode () == VIR_ERR_NO_DOMAIN;
            virResetLastError ();
        } else {
            gchar uuid_string[VIR_UUID_STRING_BUFLEN];

            _gvir_events_uuid_to_string (uuid, uuid_string);
            r.fresh = gvir_connection_get_domain (a->connection, uuid_string);
            if (!r.fresh)
                r.fresh = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
            if (virDomainGetState (dom, &r.state, &r.reason, 0) < 0) {
                r.state = -1;
                virResetLastError ();
            }
            virDomainFree (dom);
        }
        g_array_append_val (a->resync, r);
    }
}

static void
resync_query_objects (Attempt *a, virConnectPtr handle)
{
    a->object_resync = g_array_sized_new (FALSE, TRUE, sizeof (ObjectResync), a->objects->len);
    g_array_set_clear_func (a->object_resync, object_resync_clear);
    for (guint i = 0; i < a->objects->len; i++) {
        ObjectResync r = { g_object_ref (g_ptr_array_index (a->objects, i)), NULL, FALSE };
        const GVirEventFamily *family = _gvir_object_events_get_family (r.companion);
        GObject *old = gvir_object_events_get_object (r.companion);
        gpointer old_handle = NULL;
        gchar uuid[VIR_UUID_STRING_BUFLEN];

        /* the dead link's handle still knows its UUID */
        g_object_get (old, "handle", &old_handle, NULL);
        if (old_handle && family->get_uuid (old_handle, uuid)) {
            r.gone = family->is_gone (handle, uuid);
            if (!r.gone)
                r.fresh = family->find (a->connection, old_handle);
        }
        if (old_handle) {
            GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (old), "handle");

            g_boxed_free (G_PARAM_SPEC_VALUE_TYPE (pspec), old_handle);
        }
        g_array_append_val (a->object_resync, r);
    }
}

/* Worker: registrations, the companions' state.  No lock held. */
static void
reattach_unguarded (GTask *task, Attempt *a)
{
    virConnectPtr handle = NULL;

    _gvir_events_hub_register_link (a->hub);
    g_object_get (a->connection, "handle", &handle, NULL);
    if (!handle || virConnectIsAlive (handle) != 1) {
        virResetLastError ();
        if (handle)
            virConnectClose (handle);
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                 "The new link died during the reconnection");
        return;
    }
    resync_query_domains (a, handle);
    resync_query_objects (a, handle);
    virConnectClose (handle);
    g_task_return_boolean (task, TRUE);
}

static void
reattach_in_thread (GTask *task, gpointer source G_GNUC_UNUSED, gpointer data,
                    GCancellable *cancellable G_GNUC_UNUSED)
{
    GVirEventsSigpipeGuard sigpipe;

    _gvir_events_sigpipe_block (&sigpipe);
    reattach_unguarded (task, data);
    _gvir_events_sigpipe_unblock (&sigpipe);
}

static int
stopped_detail (int shutoff_reason)
{
    switch (shutoff_reason) {
    case VIR_DOMAIN_SHUTOFF_CRASHED:   return VIR_DOMAIN_EVENT_STOPPED_CRASHED;
    case VIR_DOMAIN_SHUTOFF_DESTROYED: return VIR_DOMAIN_EVENT_STOPPED_DESTROYED;
    case VIR_DOMAIN_SHUTOFF_FAILED:    return VIR_DOMAIN_EVENT_STOPPED_FAILED;
    case VIR_DOMAIN_SHUTOFF_MIGRATED:  return VIR_DOMAIN_EVENT_STOPPED_MIGRATED;
    case VIR_DOMAIN_SHUTOFF_SAVED:     return VIR_DOMAIN_EVENT_STOPPED_SAVED;
    default:                           return VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
    }
}

/* Emits one lifecycle event the library made up, on the domain's companion and domain-event. */
static void
synthesize (GVirEventsHub *hub, GVirDomain *domain, int event, int detail)
{
    const GVirEventRaw raw[] = { { .i = event }, { .i = detail } };
    virDomainPtr handle = NULL;

    /* a dead link's handle still knows the name and UUID the emission needs */
    g_object_get (domain, "handle", &handle, NULL);
    if (!handle)
        return;
    _gvir_events_hub_synthesize (hub, handle, raw);
    virDomainFree (handle);
}

/* The lifecycle events that explain a change of state nobody saw. */
static void
resync_emit (GVirEventsHub *hub, GArray *results, GMainContext *context)
{
    for (guint i = 0; results && i < results->len; i++) {
        Resync *r = &g_array_index (results, Resync, i);
        int before = _gvir_domain_events_get_state (r->companion);
        gboolean was_active = before >= 0 && before != VIR_DOMAIN_SHUTOFF && before != VIR_DOMAIN_NOSTATE;
        int after = r->state;

        /* the agent may have come back, or gone, while nobody could tell */
        _gvir_domain_events_resync (r->companion);
        if (r->gone) {
            GVirDomain *old = _gvir_domain_events_peek_domain (r->companion);

            if (was_active)
                synthesize (hub, old, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            synthesize (hub, old, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
            _gvir_events_hub_forget_domain (hub, _gvir_domain_events_get_uuid (r->companion));
            continue;
        }
        if (!r->fresh)
            continue;
        _gvir_domain_events_set_domain (r->companion, r->fresh);
        if (before == after || before < 0 || after < 0)
            continue;       /* nothing changed, or nothing is known */

        if (after == VIR_DOMAIN_SHUTOFF) {
            if (was_active)
                synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_STOPPED, stopped_detail (r->reason));
        } else if (after == VIR_DOMAIN_CRASHED) {
            synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED);
        } else {
            if (!was_active)
                synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
            if (after == VIR_DOMAIN_PAUSED)
                synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            else if (after == VIR_DOMAIN_PMSUSPENDED)
                synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY);
            else if (after == VIR_DOMAIN_RUNNING && before == VIR_DOMAIN_PAUSED)
                synthesize (hub, r->fresh, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
    }
    /* GVirDomainEvents:state is then what the daemon says, its reason included */
    for (guint i = 0; results && i < results->len; i++) {
        Resync *r = &g_array_index (results, Resync, i);

        if (!r->gone && r->fresh && r->state >= 0)
            _gvir_domain_events_set_state (r->companion, r->state, r->reason, context);
    }
}

/*
 * A network or pool undefined during the outage is told as libvirt tells
 * it, an `undefined` lifecycle event (synthesized), and the hub forgets it
 * like a domain that is gone; one still there gets its new wrapper.
 */
static void
resync_emit_objects (GVirEventsHub *hub, GArray *results)
{
    for (guint i = 0; results && i < results->len; i++) {
        ObjectResync *r = &g_array_index (results, ObjectResync, i);
        gboolean network = GVIR_IS_NETWORK_EVENTS (r->companion);
        GVirObjectEventKind lifecycle = network ?
            GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE : GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_LIFECYCLE;

        if (r->fresh) {
            _gvir_object_events_set_object (r->companion, r->fresh);
        } else if (r->gone) {
            GObject *old = gvir_object_events_get_object (r->companion);
            gpointer handle = NULL;
            const GVirEventRaw raw[] = {
                { .i = network ? VIR_NETWORK_EVENT_UNDEFINED : VIR_STORAGE_POOL_EVENT_UNDEFINED },
                { .i = 0 }
            };

            g_object_get (old, "handle", &handle, NULL);
            if (handle) {
                GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (old), "handle");

                _gvir_events_hub_synthesize_object (hub, lifecycle, handle, raw);
                g_boxed_free (G_PARAM_SPEC_VALUE_TYPE (pspec), handle);
            }
            _gvir_events_hub_forget_object (hub, _gvir_object_events_get_key (r->companion));
        }
    }
}

static void
reattach_done (GObject *source G_GNUC_UNUSED, GAsyncResult *result, gpointer data)
{
    Attempt *a = data;
    g_autoptr(GVirConnectionEvents) self = attempt_dup_self (a);
    g_autoptr(GError) error = NULL;
    gboolean alive = FALSE;

    g_task_propagate_boolean (G_TASK (result), &error);
    if (!self) {
        attempt_free (a);
        return;
    }
    g_mutex_lock (&self->lock);
    alive = !error && self->link && virConnectIsAlive (self->link) == 1;
    g_mutex_unlock (&self->lock);
    if (!alive) {
        /* the new link died already: the reopened connection is no better than the old */
        unwatch_link (self);
        if (!error)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                         "The new link died during the reconnection");
        attempt_failed (self, error);
        attempt_free (a);
        return;
    }

    resync_emit_objects (a->hub, a->object_resync);
    resync_emit (a->hub, a->resync, self->context);
    g_mutex_lock (&self->lock);
    self->linked = TRUE;
    g_mutex_unlock (&self->lock);
    self->phase = RECONNECT_IDLE;
    self->retry_delay = self->reconnect_interval;
    attempt_free (a);
    set_connected (self, TRUE);
    g_signal_emit (self, signals[RECONNECTED], 0);
}

typedef struct {
    GVirConnectionEvents *self;
    virConnectPtr link;             /* the link that died */
    int reason;
} LinkLost;

static void
link_lost_free (gpointer data)
{
    LinkLost *lost = data;

    g_object_unref (lost->self);
    virConnectClose (lost->link);
    g_free (lost);
}

/*
 * In the companion's main context: a link died.  Only the current one
 * matters (an older one's death may arrive late), and it may die before
 * its reconnection was announced: then there is no new "disconnected",
 * only another attempt.  The hub, and every companion in it, waits for
 * the next link.
 */
static gboolean
link_lost (gpointer data)
{
    LinkLost *lost = data;
    GVirConnectionEvents *self = lost->self;
    gboolean current;

    g_mutex_lock (&self->lock);
    current = self->link == lost->link;
    g_mutex_unlock (&self->lock);
    if (!current)
        return G_SOURCE_REMOVE;

    unwatch_link (self);
    if (self->connected) {
        set_connected (self, FALSE);
        g_signal_emit (self, signals[DISCONNECTED], 0, lost->reason);
        self->retry_delay = self->reconnect_interval;
    }
    schedule_reconnection (self);
    return G_SOURCE_REMOVE;
}

/* libvirt's close callback: on its event loop's thread; the work goes to our context. */
static void
on_link_closed (virConnectPtr conn, int reason, void *opaque)
{
    GVirConnectionEvents *self = g_weak_ref_get (opaque);
    LinkLost *lost;
    GSource *idle;

    if (!self)
        return;
    lost = g_new0 (LinkLost, 1);
    lost->self = self;
    lost->link = conn;
    virConnectRef (conn);
    lost->reason = reason;
    /* never at once: libvirt holds its close-callback lock, which unwatching takes */
    idle = g_idle_source_new ();
    g_source_set_callback (idle, link_lost, lost, link_lost_free);
    g_source_set_name (idle, "[libvirt-gevents] link lost");
    g_source_attach (idle, self->context);
    g_source_unref (idle);
}

static void
gvir_connection_events_constructed (GObject *object)
{
    G_OBJECT_CLASS (gvir_connection_events_parent_class)->constructed (object);

    if (!g_private_get (&making_companion))
        g_critical ("GVirConnectionEvents cannot be constructed directly (g_object_new(), or "
                    "ConnectionEvents() in a binding) and will hear no event: use "
                    "gvir_connection_events_get_for_connection() "
                    "(ConnectionEvents.get_for_connection() in a binding)");
}

static void
gvir_connection_events_dispose (GObject *object)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    cancel_reconnection (self);

    G_OBJECT_CLASS (gvir_connection_events_parent_class)->dispose (object);
}

static void
gvir_connection_events_finalize (GObject *object)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    detach (self);
    g_weak_ref_clear (&self->link_opaque);
    g_clear_pointer (&self->context, g_main_context_unref);
    g_mutex_clear (&self->lock);

    G_OBJECT_CLASS (gvir_connection_events_parent_class)->finalize (object);
}

static void
gvir_connection_events_get_property (GObject *object, guint prop_id,
                                     GValue *value, GParamSpec *pspec)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    switch (prop_id) {
    case PROP_CONNECTION:         g_value_set_object (value, self->connection); break;
    case PROP_CONNECTED:          g_value_set_boolean (value, self->connected); break;
    case PROP_AUTO_RECONNECT:     g_value_set_boolean (value, self->auto_reconnect); break;
    case PROP_RECONNECT_INTERVAL: g_value_set_uint (value, self->reconnect_interval); break;
    case PROP_KEEPALIVE_INTERVAL: g_value_set_int (value, self->keepalive_interval); break;
    case PROP_KEEPALIVE_COUNT:    g_value_set_uint (value, self->keepalive_count); break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_connection_events_set_property (GObject *object, guint prop_id,
                                     const GValue *value, GParamSpec *pspec)
{
    GVirConnectionEvents *self = GVIR_CONNECTION_EVENTS (object);

    switch (prop_id) {
    case PROP_AUTO_RECONNECT:
        if (self->auto_reconnect == g_value_get_boolean (value))
            return;
        self->auto_reconnect = g_value_get_boolean (value);
        if (!self->auto_reconnect)
            cancel_reconnection (self);
        else
            schedule_reconnection (self);
        break;
    case PROP_RECONNECT_INTERVAL:
        if (self->reconnect_interval == g_value_get_uint (value))
            return;
        self->reconnect_interval = g_value_get_uint (value);
        break;
    case PROP_KEEPALIVE_INTERVAL:
    case PROP_KEEPALIVE_COUNT:
        if (prop_id == PROP_KEEPALIVE_INTERVAL) {
            if (self->keepalive_interval == g_value_get_int (value))
                return;
            self->keepalive_interval = g_value_get_int (value);
        } else {
            if (self->keepalive_count == g_value_get_uint (value))
                return;
            self->keepalive_count = g_value_get_uint (value);
        }
        /* on the live link at once (a local call); libvirt refuses to turn keepalive off once on */
        if (self->keepalive_interval > 0) {
            virConnectPtr link = NULL;

            g_mutex_lock (&self->lock);
            if (self->link)
                link = virConnectRef (self->link) == 0 ? self->link : NULL;
            g_mutex_unlock (&self->lock);
            if (link) {
                if (virConnectSetKeepAlive (link, self->keepalive_interval, self->keepalive_count) < 0)
                    virResetLastError ();
                virConnectClose (link);
            }
        }
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        return;
    }
    g_object_notify_by_pspec (object, pspec);
}

static void
gvir_connection_events_class_init (GVirConnectionEventsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

    object_class->constructed = gvir_connection_events_constructed;
    object_class->dispose = gvir_connection_events_dispose;
    object_class->finalize = gvir_connection_events_finalize;
    object_class->get_property = gvir_connection_events_get_property;
    object_class->set_property = gvir_connection_events_set_property;

    /**
     * GVirConnectionEvents:connection:
     *
     * The connection this companion belongs to; %NULL once the connection
     * is finalized, or for an object made with g_object_new().
     */
    props[PROP_CONNECTION] =
        g_param_spec_object ("connection", "Connection",
                             "The connection this companion belongs to", GVIR_TYPE_CONNECTION,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /**
     * GVirConnectionEvents:connected:
     *
     * Whether the library is registered with a live link to the daemon:
     * %FALSE while the connection is closed, and from
     * #GVirConnectionEvents::disconnected to
     * #GVirConnectionEvents::reconnected.
     */
    props[PROP_CONNECTED] =
        g_param_spec_boolean ("connected", "Connected",
                              "Whether the library is registered with a live link to the daemon",
                              FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * GVirConnectionEvents:auto-reconnect:
     *
     * Whether to open the connection again, by itself, when the link to the
     * daemon dies.  A connection the program closes is never reopened.
     */
    props[PROP_AUTO_RECONNECT] =
        g_param_spec_boolean ("auto-reconnect", "Auto reconnect",
                              "Whether to open the connection again when the link to the daemon dies",
                              TRUE, rw);
    /**
     * GVirConnectionEvents:reconnect-interval:
     *
     * How long to wait before the first attempt to reconnect, in
     * milliseconds; the wait doubles after each failed attempt, up to 30 s.
     */
    props[PROP_RECONNECT_INTERVAL] =
        g_param_spec_uint ("reconnect-interval", "Reconnect interval",
                           "Milliseconds before the first attempt to reconnect; doubled per failure, up to 30 s",
                           1, MAX_RECONNECT_DELAY_MS, 1000, rw);
    /**
     * GVirConnectionEvents:keepalive-interval:
     *
     * Seconds between keepalive probes on a remote link
     * (virConnectSetKeepAlive()); 0 or less sends none.  A daemon that
     * answers none of #GVirConnectionEvents:keepalive-count probes in a row
     * is taken for dead (%GVIR_CONNECTION_CLOSE_REASON_KEEPALIVE).  Local
     * drivers have no link to lose and ignore it.
     */
    props[PROP_KEEPALIVE_INTERVAL] =
        g_param_spec_int ("keepalive-interval", "Keepalive interval",
                          "Seconds between keepalive probes; 0 or less sends none",
                          G_MININT, G_MAXINT, 5, rw);
    /**
     * GVirConnectionEvents:keepalive-count:
     *
     * How many keepalive probes in a row may go unanswered before the link
     * is taken for dead.
     */
    props[PROP_KEEPALIVE_COUNT] =
        g_param_spec_uint ("keepalive-count", "Keepalive count",
                           "Unanswered keepalive probes before the link is taken for dead",
                           0, G_MAXUINT, 5, rw);
    g_object_class_install_properties (object_class, N_PROPS, props);
    /**
     * GVirConnectionEvents::domain-event:
     * @self: the #GVirConnectionEvents
     * @domain: the domain the event is about
     * @event: the event
     *
     * Any event of any domain of the connection, including domains defined
     * after the companion was made.  Detailed by the event kind's nick, which
     * is the name of the #GVirDomainEvents signal it also goes to:
     * `domain-event::io-error`.  @domain is the #GVirDomain whose companion
     * heard the event, else the connection's own object for it, else a new
     * one.
     */
    signals[DOMAIN_EVENT] =
        g_signal_new ("domain-event", G_TYPE_FROM_CLASS (klass),
                      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                      0, NULL, NULL, _gvir_marshal_VOID__OBJECT_OBJECT,
                      G_TYPE_NONE, 2, GVIR_TYPE_DOMAIN, GVIR_TYPE_EVENT);
    g_signal_set_va_marshaller (signals[DOMAIN_EVENT], G_TYPE_FROM_CLASS (klass),
                                _gvir_marshal_VOID__OBJECT_OBJECTv);

    /**
     * GVirConnectionEvents::disconnected:
     * @self: the #GVirConnectionEvents
     * @reason: why the link died
     *
     * The link to the daemon died (libvirt's close callback, or unanswered
     * keepalive probes).  Events are lost until
     * #GVirConnectionEvents::reconnected, which follows by itself with
     * #GVirConnectionEvents:auto-reconnect.
     */
    signals[DISCONNECTED] =
        g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      0, NULL, NULL, NULL,
                      G_TYPE_NONE, 1, GVIR_TYPE_CONNECTION_CLOSE_REASON);

    /**
     * GVirConnectionEvents::reconnected:
     * @self: the #GVirConnectionEvents
     *
     * The library is registered again on a new link to the daemon: every
     * handler connected before hears events again, and the `lifecycle`
     * events that explain what changed meanwhile have been emitted.
     */
    signals[RECONNECTED] =
        g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++)
        kind_quarks[kind] = g_quark_from_static_string (_gvir_event_kind_name (kind));

    /**
     * GVirConnectionEvents::object-event:
     * @self: the #GVirConnectionEvents
     * @object: the #GVirNetwork, #GVirStoragePool, #GVirNodeDevice or
     *   #GVirSecret the event is about, as the typed signal gives it
     * @kind: which event: the name of the typed signal it also goes to
     * @payload: the typed signal's arguments after the object (`a{sv}`:
     *   `event` and `detail` as `i` for the lifecycle signals; empty for the
     *   others)
     *
     * Any event of the connection's networks, storage pools, host devices
     * and secrets, for programs that print or log every event (monitors):
     * one handler instead of seven.  Detailed by the nick of @kind, which is
     * the name of the typed signal: `object-event::storage-pool-refresh`.
     */
    signals[OBJECT_EVENT] =
        _gvir_events_signal_new ("object-event", G_TYPE_FROM_CLASS (klass), TRUE, 3,
                                (GType[]) { G_TYPE_OBJECT, GVIR_TYPE_OBJECT_EVENT_KIND,
                                            G_TYPE_VARIANT });

    /* one signal per row of the sibling table; their documentation follows */
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);
        GType types[1 + GVIR_OBJECT_EVENT_MAX_PARAMS];

        types[0] = spec->family->object_type ();
        for (guint i = 0; i < spec->n_params; i++)
            types[1 + i] = _gvir_object_event_param_type (spec, i);
        object_signals[kind] =
            _gvir_events_signal_new (_gvir_object_event_kind_name (kind), G_TYPE_FROM_CLASS (klass),
                                    spec->n_params > 0 && G_TYPE_IS_ENUM (types[1]),
                                    1 + spec->n_params, types);
        object_kind_quarks[kind] = g_quark_from_static_string (_gvir_object_event_kind_name (kind));
    }
}

/**
 * GVirConnectionEvents::network-lifecycle:
 * @self: the #GVirConnectionEvents
 * @network: the network: the #GVirConnection's own #GVirNetwork when it has
 *   one (after gvir_connection_fetch_networks()), else a new one
 * @event: what happened to the network
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A network of the connection was defined, undefined, started or stopped.
 * Detailed by the nick of @event: `network-lifecycle::started`.
 */
/**
 * GVirConnectionEvents::storage-pool-lifecycle:
 * @self: the #GVirConnectionEvents
 * @pool: the pool: the #GVirConnection's own #GVirStoragePool when it has
 *   one (after gvir_connection_fetch_storage_pools()), else a new one
 * @event: what happened to the pool
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A storage pool was defined, undefined, started, stopped, built or
 * deleted.  Detailed by the nick of @event: `storage-pool-lifecycle::stopped`.
 */
/**
 * GVirConnectionEvents::storage-pool-refresh:
 * @self: the #GVirConnectionEvents
 * @pool: the pool, as for #GVirConnectionEvents::storage-pool-lifecycle
 *
 * A storage pool was refreshed: its volumes may have changed.
 */
/**
 * GVirConnectionEvents::node-device-lifecycle:
 * @self: the #GVirConnectionEvents
 * @device: the host device (a new #GVirNodeDevice: libvirt-gobject keeps
 *   no table of them)
 * @event: what happened to the device
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A host device appeared or went away, or a mediated device was defined
 * or undefined.  Detailed by the nick of @event:
 * `node-device-lifecycle::created`.
 */
/**
 * GVirConnectionEvents::node-device-update:
 * @self: the #GVirConnectionEvents
 * @device: the host device (a new #GVirNodeDevice)
 *
 * A host device's definition changed.
 */
/**
 * GVirConnectionEvents::secret-lifecycle:
 * @self: the #GVirConnectionEvents
 * @secret: the secret (a new #GVirSecret: libvirt-gobject keeps no table
 *   of them)
 * @event: what happened to the secret
 * @detail: libvirt's detail code for @event (none is defined yet: 0)
 *
 * A secret was defined or undefined.  Detailed by the nick of @event:
 * `secret-lifecycle::defined`.
 */
/**
 * GVirConnectionEvents::secret-value-changed:
 * @self: the #GVirConnectionEvents
 * @secret: the secret (a new #GVirSecret)
 *
 * A secret's value was set.
 */

static void
gvir_connection_events_init (GVirConnectionEvents *self)
{
    g_mutex_init (&self->lock);
    g_weak_ref_init (&self->link_opaque, self);
    self->auto_reconnect = TRUE;
    self->reconnect_interval = 1000;
    self->keepalive_interval = 5;
    self->keepalive_count = 5;
}

static GQuark
companion_quark (void)
{
    return g_quark_from_static_string ("gvir-connection-events");
}

static gboolean
notify_connected (gpointer data)
{
    GVirConnectionEvents *self = data;
    gboolean linked;

    g_mutex_lock (&self->lock);
    linked = self->hub != NULL && self->linked;
    g_mutex_unlock (&self->lock);
    /* a reconnection says so itself, once the domains are resynced */
    if (self->phase == RECONNECT_IDLE)
        set_connected (self, linked);
    return G_SOURCE_REMOVE;
}

static gboolean
is_reopening (GVirConnectionEvents *self)
{
    gboolean ours;

    g_mutex_lock (&self->lock);
    ours = self->reopen_thread == g_thread_self ();
    g_mutex_unlock (&self->lock);
    return ours;
}

static void
on_connection_opened (GVirConnection *connection G_GNUC_UNUSED, gpointer data)
{
    GVirConnectionEvents *self = data;

    /* our own reopen gives the hub its new link itself: see reopen() */
    if (is_reopening (self))
        return;
    attach (self);
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, notify_connected,
                                g_object_ref (self), g_object_unref);
}

/* The program closed the connection: a link it closed is never reopened. */
static gboolean
closed_by_program (gpointer data)
{
    GVirConnectionEvents *self = data;

    cancel_reconnection (self);
    self->phase = RECONNECT_IDLE;
    return notify_connected (self);
}

static void
on_connection_closed (GVirConnection *connection G_GNUC_UNUSED, gpointer data)
{
    GVirConnectionEvents *self = data;

    /* our own close, on the way to reopening: the companions wait */
    if (is_reopening (self))
        return;
    detach (self);
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, closed_by_program,
                                g_object_ref (self), g_object_unref);
}

/* The connection is being finalized (its handlers are gone already). */
static void
connection_gone (gpointer data)
{
    GVirConnectionEvents *self = data;

    detach (self);
    g_mutex_lock (&self->lock);
    self->connection = NULL;
    g_mutex_unlock (&self->lock);
    g_object_unref (self);
}

/**
 * gvir_connection_events_get_for_connection:
 * @conn: a #GVirConnection, open or not
 *
 * Gets the event companion of @conn, creating it the first time.  Every call
 * for the same #GVirConnection returns the same object, which the connection
 * owns.  May be called from any thread; the registrations with libvirt are
 * made when the connection is open, at once or when it opens.
 *
 * Returns: (transfer none): the companion of @conn
 */
GVirConnectionEvents *
gvir_connection_events_get_for_connection (GVirConnection *conn)
{
    GVirConnectionEvents *self;

    g_return_val_if_fail (GVIR_IS_CONNECTION (conn), NULL);

    self = g_object_get_qdata (G_OBJECT (conn), companion_quark ());
    if (self)
        return self;

    g_private_set (&making_companion, GINT_TO_POINTER (TRUE));
    self = g_object_new (GVIR_TYPE_CONNECTION_EVENTS, NULL);
    g_private_set (&making_companion, NULL);
    self->connection = conn;
    /* two threads may race to make it: the first to install it wins */
    if (!g_object_replace_qdata (G_OBJECT (conn), companion_quark (), NULL, self,
                                 connection_gone, NULL)) {
        self->connection = NULL;
        g_object_unref (self);
        return g_object_get_qdata (G_OBJECT (conn), companion_quark ());
    }
    g_signal_connect_object (conn, "connection-opened",
                             G_CALLBACK (on_connection_opened), self, 0);
    g_signal_connect_object (conn, "connection-closed",
                             G_CALLBACK (on_connection_closed), self, 0);
    attach (self);
    g_mutex_lock (&self->lock);
    self->connected = self->hub != NULL && self->linked;    /* nobody can be listening yet */
    g_mutex_unlock (&self->lock);
    return self;
}

/**
 * gvir_connection_events_get_connection:
 * @self: a #GVirConnectionEvents
 *
 * Gets the connection this companion belongs to.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL once it is
 *   finalized or for an object made with g_object_new()
 */
GVirConnection *
gvir_connection_events_get_connection (GVirConnectionEvents *self)
{
    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), NULL);
    return self->connection;
}

/**
 * gvir_connection_events_get_connected:
 * @self: a #GVirConnectionEvents
 *
 * Gets #GVirConnectionEvents:connected: whether the library is registered
 * with a live link to the daemon.
 *
 * Returns: %TRUE if events can arrive now
 */
gboolean
gvir_connection_events_get_connected (GVirConnectionEvents *self)
{
    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), FALSE);
    return self->connected;
}

/**
 * gvir_connection_events_supports:
 * @self: a #GVirConnectionEvents
 * @kind: a kind of event
 *
 * Tells whether the daemon accepted the registration for @kind.  An older
 * daemon may not know the newer event IDs; the signals of those kinds are
 * then never emitted.  The guest user kinds have no registration (the
 * library asks each domain's guest agent): %TRUE while the connection is
 * open, whether or not a given guest has an agent that answers.
 *
 * Returns: %TRUE if events of @kind can arrive; %FALSE if not, or while the
 *   connection is closed
 */
gboolean
gvir_connection_events_supports (GVirConnectionEvents *self,
                                 GVirDomainEventKind   kind)
{
    const GVirEventSpec *spec;
    gboolean supported;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), FALSE);
    spec = _gvir_event_spec_for_kind (kind);
    g_return_val_if_fail (spec != NULL, FALSE);

    g_mutex_lock (&self->lock);
    /* the library makes the polled kinds itself: what the agent tells is per domain */
    supported = self->hub && self->linked &&
        (spec->virt_id == GVIR_EVENT_POLLED || _gvir_events_hub_supports (self->hub, spec->virt_id));
    g_mutex_unlock (&self->lock);
    return supported;
}

/**
 * gvir_connection_events_supports_object_event:
 * @self: a #GVirConnectionEvents
 * @kind: a kind of event of networks, storage pools, host devices or secrets
 *
 * Tells whether the daemon accepted the registration for @kind.  A driver
 * without that kind of object (libvirt's test driver has no secrets) or an
 * older daemon refuses it; the signal of @kind is then never emitted.
 *
 * Returns: %TRUE if events of @kind can arrive; %FALSE if not, or while the
 *   connection is closed
 */
gboolean
gvir_connection_events_supports_object_event (GVirConnectionEvents *self,
                                              GVirObjectEventKind   kind)
{
    gboolean supported;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), FALSE);
    g_return_val_if_fail ((guint) kind < GVIR_OBJECT_EVENT_N_KINDS, FALSE);

    g_mutex_lock (&self->lock);
    supported = self->hub && self->linked && _gvir_events_hub_supports_object (self->hub, kind);
    g_mutex_unlock (&self->lock);
    return supported;
}

/**
 * gvir_connection_events_set_main_context:
 * @self: a #GVirConnectionEvents
 * @context: (nullable): the #GMainContext in which the connection's
 *   companions emit their signals, or %NULL for the global default one
 *
 * Chooses the main context in which every companion of the connection emits
 * its signals: this one, every #GVirDomainEvents (its guest-user polling
 * included), #GVirNetworkEvents and #GVirStoragePoolEvents.  Without a call,
 * it is the global default context (g_main_context_default()), whatever
 * thread got a companion and whatever context was thread-default there.
 *
 * The choice is made once per connection, before any other companion of it
 * is got: call this right after gvir_connection_events_get_for_connection().
 * A call once another companion exists, or a second call with another
 * context, is a programming error: it is refused with a critical warning.
 * The companion holds a reference to @context.
 */
void
gvir_connection_events_set_main_context (GVirConnectionEvents *self, GMainContext *context)
{
    gboolean refused = FALSE;

    g_return_if_fail (GVIR_IS_CONNECTION_EVENTS (self));

    if (context == g_main_context_default ())
        context = NULL;
    g_mutex_lock (&self->lock);
    if (self->context != context) {
        /* once chosen, never again: the context is read without the lock */
        refused = self->context != NULL ||
            (self->hub && !_gvir_events_hub_set_context (self->hub, context));
        if (!refused)
            self->context = g_main_context_ref (context);
    }
    g_mutex_unlock (&self->lock);
    if (refused)
        g_critical ("gvir_connection_events_set_main_context(): too late, the connection's "
                    "companions emit in another main context already: choose it before "
                    "getting any other companion, once");
}

/**
 * gvir_connection_events_get_main_context:
 * @self: a #GVirConnectionEvents
 *
 * Gets the main context in which the connection's companions emit their
 * signals: the global default one unless
 * gvir_connection_events_set_main_context() chose another.
 *
 * Returns: (transfer none): the #GMainContext of the connection's signals
 */
GMainContext *
gvir_connection_events_get_main_context (GVirConnectionEvents *self)
{
    GMainContext *context;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), NULL);

    g_mutex_lock (&self->lock);
    context = self->context ? self->context : g_main_context_default ();
    g_mutex_unlock (&self->lock);
    return context;
}

static gboolean
has_handler (GVirConnectionEvents *self, guint signal_id)
{
    /* any handler, whatever its detail (has_handler_pending(0) misses detailed ones) */
    return g_signal_handler_find (self, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                  signal_id, 0, NULL, NULL, NULL) != 0;
}

/* Under the hub's lock: GLib's handler lookups, nothing of ours. */
static gboolean
listener_wants_object (gpointer listener, GVirObjectEventKind kind)
{
    GVirConnectionEvents *self = listener;

    return has_handler (self, object_signals[kind]) || has_handler (self, signals[OBJECT_EVENT]);
}

/* A handler connected with this detail, or with none (GLib checks those apart). */
static gboolean
will_hear (GVirConnectionEvents *self, guint signal_id, GQuark detail)
{
    return g_signal_has_handler_pending (self, signal_id, detail, FALSE) ||
        g_signal_has_handler_pending (self, signal_id, 0, FALSE);
}

/*
 * A signal of ours, with n_values - 1 (GType, value) pairs after the
 * instance, in our main context (_gvir_events_emit_in_context()).
 */
static void
emit_here (GVirConnectionEvents *self, guint signal_id, GQuark detail, guint n_values, ...)
{
    GValue values[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT };
    va_list args;

    g_assert (n_values <= G_N_ELEMENTS (values));
    g_value_init (&values[0], GVIR_TYPE_CONNECTION_EVENTS);
    g_value_set_object (&values[0], self);
    va_start (args, n_values);
    for (guint i = 1; i < n_values; i++) {
        GType type = va_arg (args, GType);
        g_autofree gchar *error = NULL;

        G_VALUE_COLLECT_INIT (&values[i], type, args, 0, &error);
        g_assert (error == NULL);
    }
    va_end (args);
    _gvir_events_emit_in_context (self->context, signal_id, detail, n_values, values);
    for (guint i = 0; i < n_values; i++)
        g_value_unset (&values[i]);
}

/* libvirt's event thread (or the context's, for a synthesized event). */
static void
listener_emit_object (gpointer listener, GVirObjectEmission *em)
{
    GVirConnectionEvents *self = listener;
    const GVirEventFamily *family = em->spec->family;
    GVirObjectEventKind kind = em->spec->kind;
    gboolean typed = will_hear (self, object_signals[kind], em->detail);
    gboolean generic = will_hear (self, signals[OBJECT_EVENT], object_kind_quarks[kind]);
    GObject *object = NULL;

    if (!typed && !generic)
        return;

    if (family->find && self->connection)
        object = family->find (self->connection, em->handle);
    if (!object)
        object = g_object_new (family->object_type (), "handle", em->handle, NULL);

    if (typed) {
        g_value_init (&em->values[0], GVIR_TYPE_CONNECTION_EVENTS);
        g_value_set_object (&em->values[0], self);
        g_value_init (&em->values[1], family->object_type ());
        g_value_set_object (&em->values[1], object);
        _gvir_events_emit_in_context (self->context, object_signals[kind], em->detail,
                                     1 + 1 + em->spec->n_params, em->values);
        g_value_unset (&em->values[0]);
        g_value_unset (&em->values[1]);
    }
    if (generic) {
        g_autoptr(GVariant) payload = _gvir_object_emission_payload_new (em);

        emit_here (self, signals[OBJECT_EVENT], object_kind_quarks[kind], 4,
                   G_TYPE_OBJECT, object, GVIR_TYPE_OBJECT_EVENT_KIND, kind,
                   G_TYPE_VARIANT, payload);
    }
    g_object_unref (object);
}

/* Under the hub's lock: GLib's handler lookup, nothing of ours. */
static gboolean
listener_wants (gpointer listener)
{
    GVirConnectionEvents *self = listener;

    return has_handler (self, signals[DOMAIN_EVENT]);
}

/* The GVirDomain to hand out for an event of a domain nobody watches. */
static GVirDomain *
find_domain (GVirConnectionEvents *self, virDomainPtr dom, const guint8 *uuid_bytes)
{
    gchar uuid[VIR_UUID_STRING_BUFLEN];
    GVirDomain *domain = NULL;

    _gvir_events_uuid_to_string (uuid_bytes, uuid);
    if (self->connection)
        domain = gvir_connection_get_domain (self->connection, uuid);
    if (!domain)
        domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    return domain;
}

/* libvirt's event thread (or the context's, for the library's own events). */
static void
listener_emit (gpointer listener, virDomainPtr dom, gpointer domain_companion,
               GVirEventEmission *em)
{
    GVirConnectionEvents *self = listener;
    GQuark detail = kind_quarks[em->spec->kind];
    GVirDomain *domain = domain_companion ?
        _gvir_domain_events_peek_domain (domain_companion) : NULL;
    GVirDomain *owned_domain = NULL;
    g_autoptr(GVirEvent) event = NULL;

    /*
     * The record is only built for a handler that will hear it: one connected
     * with this kind as detail, or with none (GLib checks those apart).
     */
    if (!g_signal_has_handler_pending (self, signals[DOMAIN_EVENT], detail, FALSE) &&
        !g_signal_has_handler_pending (self, signals[DOMAIN_EVENT], 0, FALSE))
        return;

    if (!domain)
        domain = owned_domain = find_domain (self, dom, em->uuid);
    event = _gvir_event_new (dom, em);
    emit_here (self, signals[DOMAIN_EVENT], detail, 3,
               G_TYPE_OBJECT, domain, GVIR_TYPE_EVENT, event);
    g_clear_object (&owned_domain);
}
