/*
 * gvir-domain-events.c: typed event signals of one libvirt domain
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-domain-events-private.h"
#include "gvir-domain-state-private.h"
#include "gvir-events-hub-private.h"
#include "gvir-guest-users-private.h"
#include "gvir-events-util-private.h"

/**
 * SECTION:gvir-domain-events
 * @title: GVirDomainEvents
 * @short_description: every event of one domain, as typed signals
 * @see_also: #GVirConnectionEvents
 *
 * A #GVirDomainEvents is the companion of one domain: it carries a signal
 * per kind of libvirt domain event, with that event's arguments as GLib
 * types.  Get it with gvir_domain_events_get_for_domain().
 *
 * There is one companion per domain of a connection, not per #GVirDomain
 * object: libvirt-gobject makes new #GVirDomain wrappers on every
 * gvir_connection_fetch_domains(), and asking any of them gives the same
 * companion.  The connection holds it, so its handlers keep firing for as
 * long as the domain exists on the connection, whichever wrappers the
 * program keeps.  It stops when the domain is gone (a transient domain
 * stopped, an inactive one undefined) or the connection is closed; the
 * object itself lives on while the program holds a reference, and
 * gvir_domain_events_set_watermark() then fails with
 * %GVIR_EVENTS_ERROR_DOMAIN_GONE.
 *
 * |[<!-- language="C" -->
 * static void
 * on_io_error (GVirDomainEvents *events G_GNUC_UNUSED, const gchar *disk,
 *              const gchar *alias G_GNUC_UNUSED, const gchar *src_path G_GNUC_UNUSED,
 *              GVirDomainIOErrorAction action G_GNUC_UNUSED, const gchar *reason,
 *              gpointer user_data G_GNUC_UNUSED)
 * {
 *   g_print ("%s: I/O error (%s)\n", disk, reason);
 * }
 *
 * GVirDomainEvents *events = gvir_domain_events_get_for_domain (domain);
 * g_signal_connect (events, "io-error::vda", G_CALLBACK (on_io_error), NULL);
 * ]|
 *
 * Detailed signals are emitted with the detail their documentation names, so
 * `io-error::vda` hears only disk `vda` and `lifecycle::stopped` only stops.
 *
 * A view binds #GVirDomainEvents:state (and #GVirDomainEvents:state-reason)
 * rather than keeping the state from the lifecycle events itself: the
 * library asks the daemon once, keeps it current, and notifies.  The
 * companions of every domain of a connection are a #GListModel:
 * gvir_connection_events_get_domains().
 *
 * Whatever the number of domains and handlers, libvirt sees one registration
 * per event ID and connection; an event for a domain without a companion
 * costs a hash lookup.  Every companion of a connection emits its signals
 * in one main context: the global default one (g_main_context_default(),
 * where libvirt-glib runs libvirt's event loop), whichever thread got it,
 * unless the program chose another for the connection with
 * gvir_connection_events_set_main_context().  In a GTK program, handlers
 * may touch widgets.  Enumeration arguments carry libvirt's numbers, so a value
 * a newer daemon sends arrives unchanged even where the enumeration does not
 * name it.
 *
 * Every string argument is valid UTF-8.  libvirt's strings are bytes that
 * whoever may define a domain chooses (a metadata namespace, a disk path, a
 * guest's user name): one that is not UTF-8 arrives repaired by
 * g_utf8_make_valid(), and the #GVirEvent of
 * #GVirConnectionEvents::domain-event carries its exact bytes beside it in
 * the payload (`nsuri-bytes`; see #GVirEvent).  Strings may hold control
 * characters: print them with gvir_event_to_string(), which escapes them.
 */

struct _GVirDomainEvents {
    GObject parent_instance;

    /*
     * Small: every watched domain has one (64 bytes on 64-bit; "One-way
     * layers" in docs/performance.md).  Where its signals go is the hub's,
     * in each emission.
     */
    GVirDomain *domain;             /* a wrapper of the domain, kept alive; NULL if made
                                     * with g_object_new() (no hub made it) */
    GVirGuestUsersSlot guest_users; /* the agent polling (gvir-guest-users.c) */
    guint8 uuid[VIR_UUID_BUFLEN];
    gint state;                     /* atomic: virDomainState as last known, -1 unknown */
    /*
     * Atomic: FLAG_GONE (the hub let go of us), and, changed under
     * state_lock, the other flags, the state's reason and what notify
     * last told, a byte each (see "State" below).
     */
    gint flags;
};

G_DEFINE_FINAL_TYPE (GVirDomainEvents, gvir_domain_events, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_DOMAIN,
    PROP_GUEST_USERS_INTERVAL,
    PROP_STATE,
    PROP_STATE_REASON,
    N_PROPS
};

enum {
    FLAG_GONE = 1 << 0,             /* the hub let go of us: we hear nothing more */
    FLAG_WATCHED = 1 << 1,          /* somebody read the state: notify from now on */
    FLAG_ASKED = 1 << 2,            /* virDomainGetState was asked (once) */
    FLAG_PENDING = 1 << 3,          /* its answer is due and no event came since */
    /* bytes of flags: a value + 1 (0 is -1, "unknown"; libvirt's numbers are small) */
    REASON_SHIFT = 8,               /* the state's reason */
    TOLD_STATE_SHIFT = 16,          /* what notify::state last told */
    TOLD_REASON_SHIFT = 24,         /* what notify::state-reason last told */
};

static GParamSpec *props[N_PROPS];
static guint signals[GVIR_EVENT_N_KINDS];
/* how the guest users' poller reaches a companion (defined below) */
static const GVirGuestUsersOwnerOps owner_ops;

/* Set while the hub makes a companion: anything else is a binding's g_object_new(). */
static GPrivate making_companion;

static void
gvir_domain_events_constructed (GObject *object)
{
    G_OBJECT_CLASS (gvir_domain_events_parent_class)->constructed (object);

    if (!g_private_get (&making_companion))
        g_critical ("GVirDomainEvents cannot be constructed directly (g_object_new(), or "
                    "DomainEvents() in a binding) and will hear no event: use "
                    "gvir_domain_events_get_for_domain() (DomainEvents.get_for_domain() in a binding)");
}

static void
gvir_domain_events_dispose (GObject *object)
{
    GVirDomainEvents *self = GVIR_DOMAIN_EVENTS (object);

    _gvir_guest_users_slot_clear (&self->guest_users);

    G_OBJECT_CLASS (gvir_domain_events_parent_class)->dispose (object);
}

static void
gvir_domain_events_finalize (GObject *object)
{
    GVirDomainEvents *self = GVIR_DOMAIN_EVENTS (object);

    g_clear_object (&self->domain);

    G_OBJECT_CLASS (gvir_domain_events_parent_class)->finalize (object);
}

static void watch_state (GVirDomainEvents *self, int *state, int *reason);

static void
gvir_domain_events_get_property (GObject *object, guint prop_id,
                                 GValue *value, GParamSpec *pspec)
{
    GVirDomainEvents *self = GVIR_DOMAIN_EVENTS (object);

    switch (prop_id) {
    case PROP_DOMAIN:
        g_value_set_object (value, self->domain);
        break;
    case PROP_GUEST_USERS_INTERVAL:
        g_value_set_uint (value, _gvir_guest_users_slot_get_interval (&self->guest_users));
        break;
    case PROP_STATE:
    case PROP_STATE_REASON: {
        int state, reason;

        watch_state (self, &state, &reason);
        if (prop_id == PROP_STATE)
            g_value_set_enum (value, state < 0 ? GVIR_DOMAIN_STATE_NONE : state);
        else
            g_value_set_int (value, reason);
        break;
    }
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_domain_events_set_property (GObject *object, guint prop_id,
                                 const GValue *value, GParamSpec *pspec)
{
    GVirDomainEvents *self = GVIR_DOMAIN_EVENTS (object);
    guint interval;

    switch (prop_id) {
    case PROP_GUEST_USERS_INTERVAL:
        interval = g_value_get_uint (value);
        if (_gvir_guest_users_slot_get_interval (&self->guest_users) == interval)
            break;
        _gvir_guest_users_slot_set_interval (&self->guest_users, &owner_ops, interval);
        g_object_notify_by_pspec (object, pspec);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/*
 * The signals, one per row of the event table (gvir-event-table.c), which
 * gives their names, argument types and detail rule.  Their documentation
 * follows.
 */

/**
 * GVirDomainEvents::lifecycle:
 * @self: the #GVirDomainEvents
 * @event: what happened to the domain
 * @detail: why, a code whose meaning depends on @event; see
 *   gvir_domain_lifecycle_event_detail_to_string()
 *
 * The domain was defined, started, paused, resumed, stopped...  Detailed by
 * the nick of @event: `lifecycle::suspended`.
 */
/**
 * GVirDomainEvents::reboot:
 * @self: the #GVirDomainEvents
 *
 * The guest rebooted (or was reset) without its process stopping.
 */
/**
 * GVirDomainEvents::rtc-change:
 * @self: the #GVirDomainEvents
 * @utc_offset: the new offset of the guest's clock from UTC, in seconds
 *
 * The guest set its real time clock.
 */
/**
 * GVirDomainEvents::watchdog:
 * @self: the #GVirDomainEvents
 * @action: what the hypervisor did
 *
 * The guest's watchdog device fired.  Detailed by the nick of @action:
 * `watchdog::pause`.
 */
/**
 * GVirDomainEvents::io-error:
 * @self: the #GVirDomainEvents
 * @disk: (nullable): the disk's target name (`vda`), or its alias where the
 *   domain's XML has no disk with that alias
 * @alias: (nullable): the disk's device alias (`virtio-disk0`)
 * @src_path: (nullable): the disk's source: a file, a device or a network name
 * @action: what the hypervisor did, following the disk's error policy
 * @reason: (nullable): the error, as the hypervisor names it (`eio`, `enospc`)
 *
 * A disk I/O error.  One emission per error (libvirt's IO_ERROR_REASON
 * event).  Detailed by @disk: `io-error::vda`.
 */
/**
 * GVirDomainEvents::vnc-connected:
 * @self: the #GVirDomainEvents
 * @client: the client
 *
 * A client connected to the domain's VNC server.
 */
/**
 * GVirDomainEvents::vnc-initialized:
 * @self: the #GVirDomainEvents
 * @client: the client, with its identity when it authenticated
 *
 * A VNC client finished its handshake.
 */
/**
 * GVirDomainEvents::vnc-disconnected:
 * @self: the #GVirDomainEvents
 * @client: the client
 *
 * A VNC client went away.
 */
/**
 * GVirDomainEvents::spice-connected:
 * @self: the #GVirDomainEvents
 * @client: the client
 *
 * A client connected to the domain's SPICE server.
 */
/**
 * GVirDomainEvents::spice-initialized:
 * @self: the #GVirDomainEvents
 * @client: the client, with its identity when it authenticated
 *
 * A SPICE client finished its handshake.
 */
/**
 * GVirDomainEvents::spice-disconnected:
 * @self: the #GVirDomainEvents
 * @client: the client
 *
 * A SPICE client went away.
 */
/**
 * GVirDomainEvents::control-error:
 * @self: the #GVirDomainEvents
 *
 * libvirt lost control of the domain's process (its monitor broke).
 */
/**
 * GVirDomainEvents::block-job:
 * @self: the #GVirDomainEvents
 * @disk: (nullable): the disk's target name (`vda`)
 * @type: the kind of job
 * @status: the state the job reached
 *
 * A block job (copy, pull, commit, backup) completed, failed, was cancelled
 * or became ready.  Detailed by @disk: `block-job::vda`.
 */
/**
 * GVirDomainEvents::disk-change:
 * @self: the #GVirDomainEvents
 * @old_src: (nullable): the source before the change
 * @new_src: (nullable): the source after it
 * @alias: (nullable): the disk's device alias
 * @reason: why the media changed
 *
 * A disk's media changed.
 */
/**
 * GVirDomainEvents::tray-change:
 * @self: the #GVirDomainEvents
 * @alias: (nullable): the removable disk's device alias
 * @reason: whether the tray opened or closed
 *
 * A CD-ROM or floppy tray opened or closed.
 */
/**
 * GVirDomainEvents::pm-wakeup:
 * @self: the #GVirDomainEvents
 * @reason: libvirt's reason code (none is defined yet: 0)
 *
 * The guest woke up from a power-management suspend.
 */
/**
 * GVirDomainEvents::pm-suspend:
 * @self: the #GVirDomainEvents
 * @reason: libvirt's reason code (none is defined yet: 0)
 *
 * The guest suspended itself to memory.
 */
/**
 * GVirDomainEvents::pm-suspend-disk:
 * @self: the #GVirDomainEvents
 * @reason: libvirt's reason code (none is defined yet: 0)
 *
 * The guest suspended itself to disk.
 */
/**
 * GVirDomainEvents::balloon-change:
 * @self: the #GVirDomainEvents
 * @actual_kib: the memory the guest now has, in KiB
 *
 * The memory balloon changed size.
 */
/**
 * GVirDomainEvents::device-added:
 * @self: the #GVirDomainEvents
 * @alias: (nullable): the new device's alias
 *
 * A device was hot-plugged.  Detailed by @alias.
 */
/**
 * GVirDomainEvents::device-removed:
 * @self: the #GVirDomainEvents
 * @alias: (nullable): the removed device's alias
 *
 * A device was unplugged.  Detailed by @alias.
 */
/**
 * GVirDomainEvents::device-removal-failed:
 * @self: the #GVirDomainEvents
 * @alias: (nullable): the device's alias
 *
 * The guest did not let a device go.  Detailed by @alias.
 */
/**
 * GVirDomainEvents::tunable:
 * @self: the #GVirDomainEvents
 * @params: the changed tunables (`a{sv}`), keyed by libvirt's typed-parameter
 *   names (`cputune.vcpupin0`...)
 *
 * Tunable parameters (vCPU pinning, I/O tuning...) changed.  A string
 * parameter that is not UTF-8 is repaired (g_utf8_make_valid()), its bytes
 * beside it as an `ay` under `<name>-bytes`.
 */
/**
 * GVirDomainEvents::agent-lifecycle:
 * @self: the #GVirDomainEvents
 * @state: the agent's new state
 * @reason: why it changed
 *
 * The guest agent connected or disconnected.
 */
/**
 * GVirDomainEvents::migration-iteration:
 * @self: the #GVirDomainEvents
 * @iteration: the number of the pass that began
 *
 * A live migration started another pass over the guest's memory.
 */
/**
 * GVirDomainEvents::job-completed:
 * @self: the #GVirDomainEvents
 * @stats: the job's statistics (`a{sv}`), keyed by libvirt's typed-parameter
 *   names (`time_elapsed`, `memory_total`...)
 *
 * A job (a migration, a save...) completed.  A string parameter that is not
 * UTF-8 is repaired (g_utf8_make_valid()), its bytes beside it as an `ay`
 * under `<name>-bytes`.
 */
/**
 * GVirDomainEvents::metadata-change:
 * @self: the #GVirDomainEvents
 * @type: which metadata changed
 * @nsuri: (nullable): the namespace of the element, for
 *   %GVIR_DOMAIN_METADATA_TYPE_ELEMENT
 *
 * The domain's title, description or a metadata element changed.
 *
 * libvirt takes any bytes as a namespace: one that is not UTF-8 arrives
 * here repaired (g_utf8_make_valid()); the #GVirEvent payload has its
 * bytes too, as `nsuri-bytes` (`ay`).
 */
/**
 * GVirDomainEvents::watermark:
 * @self: the #GVirDomainEvents
 * @disk: (nullable): the disk's target name (`vda`)
 * @path: (nullable): the image that crossed the threshold
 * @threshold: the threshold that was set, in bytes
 * @excess: how far past it the write went, in bytes
 *
 * A disk's image grew past the threshold set with
 * gvir_domain_events_set_watermark().  Emitted once per crossing (libvirt
 * reports some crossings twice); the threshold is then cleared.  Detailed
 * by @disk, as in `watermark::vda`.
 */
/**
 * GVirDomainEvents::memory-failure:
 * @self: the #GVirDomainEvents
 * @recipient: whose memory the error hit
 * @action: what the hypervisor did
 * @flags: what else is known of the error
 *
 * A hardware memory error hit the domain.
 */
/**
 * GVirDomainEvents::memory-device-size-change:
 * @self: the #GVirDomainEvents
 * @alias: (nullable): the memory device's alias
 * @size_kib: its new size, in KiB
 *
 * A memory device (virtio-mem) changed size.
 */
/**
 * GVirDomainEvents::guest-user-logon:
 * @self: the #GVirDomainEvents
 * @user: the user's name
 * @user_domain: (nullable): the user's domain (Windows guests only)
 * @login_time_ms: when the user logged on, in milliseconds since the epoch
 *   (the guest's clock)
 *
 * A user logged on to the guest.  libvirt has no event for this: the
 * library asks the guest agent who is logged on every
 * #GVirDomainEvents:guest-users-interval seconds, while a handler of this
 * signal or of #GVirDomainEvents::guest-user-logoff is connected and the
 * agent is connected, and emits the difference between two answers.  The
 * first answer after a handler is connected (or after the domain started)
 * is the baseline: users logged on before it are not announced.  So the
 * signal comes up to one interval after the logon, and one interval or
 * more after the first handler is connected; a logon and logoff between
 * two answers go unseen.  Detailed by @user: `guest-user-logon::alice`.
 */
/**
 * GVirDomainEvents::guest-user-logoff:
 * @self: the #GVirDomainEvents
 * @user: the user's name
 * @user_domain: (nullable): the user's domain (Windows guests only)
 * @login_time_ms: when the user had logged on, in milliseconds since the
 *   epoch (the guest's clock)
 *
 * A user logged off the guest: the agent no longer lists the session it
 * listed before.  See #GVirDomainEvents::guest-user-logon for how and when
 * the agent is asked.  Detailed by @user: `guest-user-logoff::alice`.
 */

static void
gvir_domain_events_class_init (GVirDomainEventsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->constructed = gvir_domain_events_constructed;
    object_class->dispose = gvir_domain_events_dispose;
    object_class->finalize = gvir_domain_events_finalize;
    object_class->get_property = gvir_domain_events_get_property;
    object_class->set_property = gvir_domain_events_set_property;

    /**
     * GVirDomainEvents:domain:
     *
     * A #GVirDomain of the domain this companion belongs to: the one it was
     * first asked for with.  %NULL only for an object made with
     * g_object_new().
     */
    props[PROP_DOMAIN] =
        g_param_spec_object ("domain", "Domain",
                             "A GVirDomain of the domain this companion belongs to", GVIR_TYPE_DOMAIN,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    /**
     * GVirDomainEvents:guest-users-interval:
     *
     * How often, in seconds, the guest agent is asked who is logged on, for
     * #GVirDomainEvents::guest-user-logon and
     * #GVirDomainEvents::guest-user-logoff; 0 never asks.  The agent is
     * asked only while a handler of either signal is connected, and less
     * often (up to 32 times the interval) while it does not answer.
     * Setting it restarts the count.
     */
    props[PROP_GUEST_USERS_INTERVAL] =
        g_param_spec_uint ("guest-users-interval", "Guest users interval",
                           "How often, in seconds, the guest agent is asked who is logged on; 0 never",
                           0, G_MAXUINT, GVIR_GUEST_USERS_DEFAULT_INTERVAL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * GVirDomainEvents:state:
     *
     * The domain's current state; %GVIR_DOMAIN_STATE_NONE until known.
     *
     * Reading it (or binding it) the first time asks the daemon once, off
     * the main thread (virDomainGetState()), unless a lifecycle event told
     * the state already; #GObject::notify tells the answer.  From then on
     * the lifecycle events keep it current as they arrive, before their
     * #GVirDomainEvents::lifecycle handlers run; an answer the daemon gave
     * before an event is older than it, and dropped.  After a
     * reconnection it is what the daemon says (see
     * #GVirConnectionEvents:auto-reconnect).  Notified only when it
     * changes, in the connection's main context, and only once somebody
     * read it: a companion nobody asks costs no round trip.  A read gives
     * what the last notify told (or, the first time, the value then), so
     * a value is never seen before its notify.
     *
     * A program never needs gvir_domain_get_info() to keep a view right:
     * bind this, or connect `notify::state`.
     */
    props[PROP_STATE] =
        g_param_spec_enum ("state", "State", "The domain's current state",
                           GVIR_TYPE_DOMAIN_STATE, GVIR_DOMAIN_STATE_NONE,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * GVirDomainEvents:state-reason:
     *
     * libvirt's number for why the domain is in #GVirDomainEvents:state:
     * a `virDomainRunningReason`, `virDomainPausedReason`,
     * `virDomainShutoffReason`... by the state (`VIR_DOMAIN_PAUSED_IOERROR`
     * is 5, `VIR_DOMAIN_SHUTOFF_CRASHED` 3); -1 until known.  Known and
     * notified as #GVirDomainEvents:state is.
     */
    props[PROP_STATE_REASON] =
        g_param_spec_int ("state-reason", "State reason",
                          "libvirt's reason number for the state; -1 until known",
                          -1, G_MAXINT, -1,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (kind);
        GType types[GVIR_EVENT_MAX_PARAMS];

        for (guint i = 0; i < spec->n_params; i++)
            types[i] = _gvir_event_spec_param_type (spec, i);
        signals[kind] = _gvir_events_signal_new (_gvir_event_kind_name (kind),
                                                G_TYPE_FROM_CLASS (klass),
                                                spec->detail != GVIR_EVENT_DETAIL_NONE,
                                                spec->n_params, types);
    }
}

static void
gvir_domain_events_init (GVirDomainEvents *self)
{
    self->state = -1;
    /* flags 0: no reason known, nothing told yet (-1) */
}

/*
 * How the hub and the guest users' poller reach a companion: the only
 * ways back up into this file (docs/design.md, "Layers").
 */
static gboolean domain_wants (gpointer companion, int virt_id);
static void domain_emit (gpointer companion, GVirEventEmission *em);

/* Under the hub's lock: an atomic, nothing more. */
static void
domain_gone (gpointer companion)
{
    g_atomic_int_or (&GVIR_DOMAIN_EVENTS (companion)->flags, FLAG_GONE);
}

static const GVirEventsDomainOps domain_ops = {
    .wants = domain_wants, .emit = domain_emit, .gone = domain_gone,
};

static GVirGuestUsersSlot *
owner_slot (gpointer owner)
{
    return &GVIR_DOMAIN_EVENTS (owner)->guest_users;
}

static gboolean
owner_is_listening (gpointer owner)
{
    return domain_wants (owner, GVIR_EVENT_POLLED);
}

static gboolean
owner_is_gone (gpointer owner)
{
    return _gvir_domain_events_is_gone (owner);
}

static int
owner_get_state (gpointer owner)
{
    return g_atomic_int_get (&GVIR_DOMAIN_EVENTS (owner)->state);
}

static virDomainPtr
owner_dup_handle (gpointer owner)
{
    virDomainPtr handle = NULL;

    g_object_get (GVIR_DOMAIN_EVENTS (owner)->domain, "handle", &handle, NULL);
    return handle;
}

/* Through the hub, like libvirt's own events: the connection companions hear them too. */
static void
owner_emit (gpointer owner G_GNUC_UNUSED, virDomainPtr dom, GVirDomainEventKind kind,
            const GVirEventRaw *raw)
{
    _gvir_events_hub_dispatch_polled (dom, kind, raw);
}

static const GVirGuestUsersOwnerOps owner_ops = {
    .list = _gvir_events_hub_list_domains_in_context, .slot = owner_slot,
    .is_listening = owner_is_listening, .is_gone = owner_is_gone,
    .get_state = owner_get_state, .dup_handle = owner_dup_handle, .emit = owner_emit,
};

static void learn_state (GVirDomainEvents *self, virDomainPtr handle, GMainContext *context);
static void set_byte (GVirDomainEvents *self, guint shift, int value);

typedef struct {
    const guint8 *uuid;
    GVirDomain *domain;
    virDomainPtr handle;
    gboolean learn_state;
    int state, reason;              /* what a listing told, or -1 */
} Making;

/* A companion for the hub's table (GVirEventsMakeFunc): no lock held. */
static gpointer
domain_events_new (GMainContext *context, gpointer data, gconstpointer *key)
{
    Making *making = data;
    GVirDomainEvents *self;

    g_private_set (&making_companion, GINT_TO_POINTER (TRUE));
    self = g_object_new (GVIR_TYPE_DOMAIN_EVENTS, NULL);
    g_private_set (&making_companion, NULL);
    self->domain = g_object_ref (making->domain);
    memcpy (self->uuid, making->uuid, VIR_UUID_BUFLEN);
    _gvir_guest_users_slot_init (&self->guest_users, context, &owner_ops);
    if (making->state >= 0) {
        /* a listing told it: nobody can watch a new companion yet, nothing to notify */
        self->state = making->state;
        set_byte (self, REASON_SHIFT, making->reason);
    } else if (making->learn_state) {
        /* what a reconnection compares with: one RPC, for a new companion only */
        learn_state (self, making->handle, context);
    }
    *key = self->uuid;
    return self;
}

/**
 * gvir_domain_events_get_for_domain:
 * @domain: a #GVirDomain
 *
 * Gets the event companion of @domain's domain, creating it the first time.
 * Every call for any #GVirDomain of the same domain on the same connection
 * returns the same object, which the connection holds for as long as the
 * domain exists on it: handlers connected to it keep firing when
 * libvirt-gobject replaces its #GVirDomain objects.  May be called from any
 * thread; the first call on a connection registers with libvirt, which on a
 * remote connection takes a round trip per event ID.
 *
 * The library learns that the connection was closed from the connection's
 * #GVirConnectionEvents (a #GVirDomain does not know its #GVirConnection): a
 * program that closes connections while it runs should get that companion
 * with gvir_connection_events_get_for_connection() when it opens one.
 * Without it, the companion and the library's registrations live until the
 * domain is gone.
 *
 * Returns: (transfer none): the companion of @domain
 */
GVirDomainEvents *
gvir_domain_events_get_for_domain (GVirDomain *domain)
{
    g_return_val_if_fail (GVIR_IS_DOMAIN (domain), NULL);
    return _gvir_domain_events_get_for_domain_with_state (domain, -1, -1);
}

GVirDomainEvents *
_gvir_domain_events_get_for_domain_with_state (GVirDomain *domain, int state, int reason)
{
    GVirDomainEvents *self = NULL;
    virDomainPtr handle = NULL;
    guint8 uuid[VIR_UUID_BUFLEN];

    g_return_val_if_fail (GVIR_IS_DOMAIN (domain), NULL);

    g_object_get (domain, "handle", &handle, NULL);
    g_return_val_if_fail (handle != NULL, NULL);
    if (virDomainGetUUID (handle, uuid) < 0) {
        /* copied first: virDomainGetName() resets (frees) libvirt's last error */
        g_autofree gchar *message = g_strdup (virGetLastErrorMessage ());

        g_critical ("libvirt-gevents: no UUID for domain '%s': %s", virDomainGetName (handle), message);
        virResetLastError ();
        virDomainFree (handle);
        return NULL;
    }

    /* a hub that shuts down between the two steps is replaced by a new one */
    while (!self) {
        GVirEventsHub *hub = _gvir_events_hub_acquire (virDomainGetConnect (handle));

        if (!hub)
            break;              /* a closed link: acquire() said so */
        Making making = { uuid, domain, handle, _gvir_events_hub_may_reconnect (hub), state, reason };

        self = _gvir_events_hub_get_domain (hub, uuid, domain_events_new, &making, &domain_ops);
        /* a companion made before: what the listing told, if nothing else did */
        if (self && state >= 0) {
            g_autoptr(GMainContext) context = _gvir_events_hub_dup_context (hub);

            _gvir_domain_events_seed_state (self, state, reason, context);
        }
        _gvir_events_hub_unref (hub);
    }
    virDomainFree (handle);
    /* transfer none: the hub's table holds it while the domain exists */
    if (self)
        g_object_unref (self);
    return self;
}

/**
 * gvir_domain_events_get_domain:
 * @self: a #GVirDomainEvents
 *
 * Gets a #GVirDomain of the domain this companion belongs to: the one it
 * was first asked for with, which it keeps alive.
 *
 * Returns: (transfer none) (nullable): the domain, or %NULL for a companion
 *   made with g_object_new()
 */
GVirDomain *
gvir_domain_events_get_domain (GVirDomainEvents *self)
{
    g_return_val_if_fail (GVIR_IS_DOMAIN_EVENTS (self), NULL);
    return self->domain;
}

GVirDomain *
_gvir_domain_events_peek_domain (GVirDomainEvents *self)
{
    return self->domain;
}

/*
 * After a reconnection the old wrapper's handle belongs to the dead link:
 * the companion takes a wrapper of the new one.  Main thread only, like
 * the application code that reads the property.
 */
void
_gvir_domain_events_set_domain (GVirDomainEvents *self, GVirDomain *domain)
{
    if (domain == self->domain)
        return;
    g_set_object (&self->domain, domain);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DOMAIN]);
}

int
_gvir_domain_events_get_state (GVirDomainEvents *self)
{
    return g_atomic_int_get (&self->state);
}

/*
 * State
 * =====
 *
 * The state is written by the lifecycle events (on libvirt's dispatch
 * thread, before the signal is emitted), by a reconnection's resync, by a
 * listing of the domains model (only while unknown), and by the answer of
 * the one virDomainGetState the first read asks (a pool thread).  An
 * answer is dropped if an event or a resync came after the question
 * (FLAG_PENDING).  Notify goes in the companion's context, only for a
 * change of what it last told, and only once somebody read the property
 * (FLAG_WATCHED): until then a companion pays no round trip and no
 * emission.  The properties read what notify last told (told_*), so a
 * reader never sees a value before its notify is emitted.  One lock for
 * every companion: it is held for a few loads and stores, never across a
 * call.  The flags share a word with FLAG_GONE, which the hub sets without
 * this lock: they change by compare-and-exchange.
 */
static GMutex state_lock;

static void
flags_change (GVirDomainEvents *self, gint clear, gint set)
{
    gint old, new;

    do {
        old = g_atomic_int_get (&self->flags);
        new = (old & ~clear) | set;
    } while (!g_atomic_int_compare_and_exchange (&self->flags, old, new));
}

static gboolean
flags_have (GVirDomainEvents *self, gint flags)
{
    return (g_atomic_int_get (&self->flags) & flags) == flags;
}

/* A byte of flags: a state, a reason; -1 for unknown. */
static int
get_byte (GVirDomainEvents *self, guint shift)
{
    return (int) (((guint) g_atomic_int_get (&self->flags) >> shift) & 0xffu) - 1;
}

/*
 * Under state_lock.  libvirt's states and reasons are small numbers (the
 * largest reason enum of libvirt 9 has 15 values): one a daemon could send
 * past 254 is kept as 254.
 */
static void
set_byte (GVirDomainEvents *self, guint shift, int value)
{
    guint stored = (guint) CLAMP (value, -1, 0xfe) + 1;

    flags_change (self, (gint) (0xffu << shift), (gint) (stored << shift));
}

gboolean
_gvir_domain_events_is_gone (GVirDomainEvents *self)
{
    return flags_have (self, FLAG_GONE);
}

static gboolean
publish_state (gpointer data)
{
    GVirDomainEvents *self = data;
    gboolean state_changed = FALSE, reason_changed = FALSE;

    g_mutex_lock (&state_lock);
    if (flags_have (self, FLAG_WATCHED)) {
        int state = g_atomic_int_get (&self->state);

        state_changed = get_byte (self, TOLD_STATE_SHIFT) != CLAMP (state, -1, 0xfe);
        reason_changed = get_byte (self, TOLD_REASON_SHIFT) != get_byte (self, REASON_SHIFT);
        set_byte (self, TOLD_STATE_SHIFT, state);
        set_byte (self, TOLD_REASON_SHIFT, get_byte (self, REASON_SHIFT));
    }
    g_mutex_unlock (&state_lock);
    if (state_changed)
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
    if (reason_changed)
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE_REASON]);
    return G_SOURCE_REMOVE;
}

/* Tells the watchers, in the companion's context (NULL: the global default): now if this thread runs it. */
static void
schedule_publish (GVirDomainEvents *self, GMainContext *context)
{
    GSource *idle;

    if (!flags_have (self, FLAG_WATCHED))
        return;
    if (!context)
        context = g_main_context_default ();
    if (g_main_context_is_owner (context)) {
        publish_state (self);
        return;
    }
    idle = g_idle_source_new ();
    g_source_set_priority (idle, G_PRIORITY_DEFAULT);
    g_source_set_callback (idle, publish_state, g_object_ref (self), g_object_unref);
    g_source_set_name (idle, "[libvirt-gevents] state");
    g_source_attach (idle, context);
    g_source_unref (idle);
}

void
_gvir_domain_events_set_state (GVirDomainEvents *self, int state, int reason,
                               GMainContext *context)
{
    g_mutex_lock (&state_lock);
    /* newer than any answer in flight */
    flags_change (self, FLAG_PENDING, 0);
    g_atomic_int_set (&self->state, state);
    set_byte (self, REASON_SHIFT, reason);
    g_mutex_unlock (&state_lock);
    schedule_publish (self, context);
}

void
_gvir_domain_events_seed_state (GVirDomainEvents *self, int state, int reason,
                                GMainContext *context)
{
    gboolean taken;

    g_mutex_lock (&state_lock);
    taken = g_atomic_int_get (&self->state) < 0;
    if (taken) {
        g_atomic_int_set (&self->state, state);
        set_byte (self, REASON_SHIFT, reason);
    }
    g_mutex_unlock (&state_lock);
    if (taken)
        schedule_publish (self, context);
}

/*
 * Where the companion emits: the hub's (a reference, NULL for the global
 * default); any thread.  Only for the first read's question.
 */
static GMainContext *
dup_context (GVirDomainEvents *self, virDomainPtr handle)
{
    GVirEventsHub *hub = _gvir_events_hub_lookup (virDomainGetConnect (handle));
    GMainContext *context = NULL;

    (void) self;
    if (hub) {
        context = _gvir_events_hub_dup_context (hub);
        _gvir_events_hub_unref (hub);
    }
    return context;
}

/* The property's read: watched from now on; the first read of an unknown state asks. */
static void
watch_state (GVirDomainEvents *self, int *state, int *reason)
{
    virDomainPtr handle = NULL;

    g_mutex_lock (&state_lock);
    if (!flags_have (self, FLAG_WATCHED)) {
        flags_change (self, 0, FLAG_WATCHED);
        set_byte (self, TOLD_STATE_SHIFT, g_atomic_int_get (&self->state));
        set_byte (self, TOLD_REASON_SHIFT, get_byte (self, REASON_SHIFT));
    }
    /* what notify told, changed in the companion's context only: never ahead of it */
    *state = get_byte (self, TOLD_STATE_SHIFT);
    *reason = get_byte (self, TOLD_REASON_SHIFT);
    g_mutex_unlock (&state_lock);

    if (*state < 0 && self->domain && !_gvir_domain_events_is_gone (self) &&
        !flags_have (self, FLAG_ASKED))
        g_object_get (self->domain, "handle", &handle, NULL);
    if (handle) {
        g_autoptr(GMainContext) context = dup_context (self, handle);

        learn_state (self, handle, context);
        virDomainFree (handle);
    }
}

typedef struct {
    GWeakRef companion;
    virDomainPtr handle;
    GMainContext *context;          /* where to notify the answer; NULL: the global default */
} StateQuestion;

/*
 * A pool thread: the companion is not kept alive for the answer, and the
 * handle (with its connection) is let go as soon as it is answered.
 */
static void
learn_state_in_thread (gpointer data, gpointer pool_data G_GNUC_UNUSED)
{
    StateQuestion *q = data;
    GVirEventsSigpipeGuard sigpipe;
    GVirDomainEvents *self;
    int state, reason;
    gboolean known, taken = FALSE;

    _gvir_events_sigpipe_block (&sigpipe);
    known = virDomainGetState (q->handle, &state, &reason, 0) == 0;
    if (!known) {
        /* copied first: virDomainGetName() resets (frees) libvirt's last error */
        g_autofree gchar *message = g_strdup (virGetLastErrorMessage ());

        g_debug ("libvirt-gevents: no state for domain %s: %s", virDomainGetName (q->handle), message);
        virResetLastError ();
    }
    virDomainFree (q->handle);
    _gvir_events_sigpipe_unblock (&sigpipe);

    self = g_weak_ref_get (&q->companion);
    if (self && known && G_UNLIKELY (_gvir_domain_state_test_hook))
        _gvir_domain_state_test_hook (self, state, reason);
    if (self && known) {
        /* a lifecycle event (or a resync) that came meanwhile knows better */
        g_mutex_lock (&state_lock);
        taken = flags_have (self, FLAG_PENDING);
        if (taken) {
            g_atomic_int_set (&self->state, state);
            set_byte (self, REASON_SHIFT, reason);
        }
        g_mutex_unlock (&state_lock);
    }
    if (self)
        flags_change (self, FLAG_PENDING, 0);
    if (taken)
        schedule_publish (self, q->context);
    g_clear_object (&self);
    g_weak_ref_clear (&q->companion);
    g_clear_pointer (&q->context, g_main_context_unref);
    g_free (q);
}

/*
 * The one virDomainGetState of a companion, asked on a pool thread: a
 * getter on the main thread never waits for a stalled link.  Asked by the
 * first read of the property, and for what a reconnection compares with.
 */
static void
learn_state (GVirDomainEvents *self, virDomainPtr handle, GMainContext *context)
{
    static GThreadPool *pool;
    StateQuestion *q;

    g_mutex_lock (&state_lock);
    if (flags_have (self, FLAG_ASKED)) {
        g_mutex_unlock (&state_lock);
        return;
    }
    flags_change (self, 0, FLAG_ASKED | FLAG_PENDING);
    g_mutex_unlock (&state_lock);

    if (g_once_init_enter (&pool))
        g_once_init_leave (&pool, g_thread_pool_new (learn_state_in_thread, NULL, 4, FALSE, NULL));
    q = g_new0 (StateQuestion, 1);
    g_weak_ref_init (&q->companion, self);
    q->handle = handle;
    q->context = context ? g_main_context_ref (context) : NULL;
    virDomainRef (handle);
    g_thread_pool_push (pool, q, NULL);
}

void
_gvir_domain_events_resync (GVirDomainEvents *self)
{
    _gvir_guest_users_slot_resync (&self->guest_users);
}

/**
 * gvir_domain_events_set_watermark:
 * @self: a #GVirDomainEvents
 * @disk: the disk's target name (`vda`), or an image of its backing chain
 *   (`vda[1]`)
 * @threshold_bytes: the allocation, in bytes, past which
 *   #GVirDomainEvents::watermark fires; 0 removes the threshold
 * @error: return location for a #GError, or %NULL
 *
 * Sets a write threshold on a disk of a running domain
 * (virDomainSetBlockThreshold()): when the guest's writes make the image's
 * allocation cross it, #GVirDomainEvents::watermark is emitted once and the
 * threshold is cleared.  Typical use: grow a thin-provisioned volume before
 * the guest runs out of space.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 */
gboolean
gvir_domain_events_set_watermark (GVirDomainEvents *self,
                                  const gchar      *disk,
                                  guint64           threshold_bytes,
                                  GError          **error)
{
    virDomainPtr handle = NULL;
    int ret;

    g_return_val_if_fail (GVIR_IS_DOMAIN_EVENTS (self), FALSE);
    g_return_val_if_fail (disk != NULL && *disk != '\0', FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

    if (!self->domain) {
        g_set_error_literal (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE,
                             "This GVirDomainEvents belongs to no domain: it was constructed "
                             "directly (g_object_new(), or DomainEvents() in a binding), not got "
                             "from gvir_domain_events_get_for_domain()");
        return FALSE;
    }
    if (_gvir_domain_events_is_gone (self)) {
        g_set_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE,
                     "Domain '%s' no longer exists on its connection, or the connection was closed",
                     gvir_domain_get_name (self->domain));
        return FALSE;
    }

    g_object_get (self->domain, "handle", &handle, NULL);
    ret = virDomainSetBlockThreshold (handle, disk, threshold_bytes, 0);
    if (ret < 0) {
        /* copied first: any libvirt call, even virDomainGetName(), resets it */
        g_autofree gchar *reason = g_strdup (virGetLastErrorMessage ());

        virResetLastError ();
        g_set_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED,
                     "Could not set a watermark of %" G_GUINT64_FORMAT
                     " bytes on disk '%s' of domain '%s': %s",
                     threshold_bytes, disk, virDomainGetName (handle), reason);
    }
    virDomainFree (handle);
    return ret == 0;
}

/**
 * gvir_domain_events_get_guest_users_async:
 * @self: a #GVirDomainEvents
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the agent answered, or failed to
 * @user_data: (closure): data for @callback
 *
 * Asks the domain's guest agent who is logged on now
 * (virDomainGetGuestInfo() with `VIR_DOMAIN_GUEST_INFO_USERS`), in a thread:
 * the agent may take seconds to answer.  Whatever
 * #GVirDomainEvents:guest-users-interval says, and whether or not anyone
 * listens to the guest user signals.  Get the answer with
 * gvir_domain_events_get_guest_users_finish() in @callback.
 */
void
gvir_domain_events_get_guest_users_async (GVirDomainEvents    *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
    virDomainPtr handle = NULL;

    g_return_if_fail (GVIR_IS_DOMAIN_EVENTS (self));
    g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

    if (!self->domain || _gvir_domain_events_is_gone (self)) {
        g_task_report_new_error (self, callback, user_data,
                                 gvir_domain_events_get_guest_users_async,
                                 GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_DOMAIN_GONE,
                                 "These events belong to no domain any more, or never did");
        return;
    }
    g_object_get (self->domain, "handle", &handle, NULL);
    _gvir_guest_users_ask (G_OBJECT (self), handle, cancellable, callback, user_data);
    virDomainFree (handle);
}

/**
 * gvir_domain_events_get_guest_users_finish:
 * @self: a #GVirDomainEvents
 * @result: the #GAsyncResult @callback got
 * @error: return location for a #GError, or %NULL
 *
 * Gets the answer of gvir_domain_events_get_guest_users_async(): one
 * `a{sv}` per session the agent lists, with the keys and values of the
 * arguments of #GVirDomainEvents::guest-user-logon: `user` (`s`),
 * `user_domain` (`s`, only where the guest has one) and `login_time_ms`
 * (`x`).  Fails with %GVIR_EVENTS_ERROR_FAILED when the agent is not
 * connected or does not answer, or the daemon cannot ask it, and with
 * %GVIR_EVENTS_ERROR_DOMAIN_GONE when the domain is gone.
 *
 * Returns: (transfer full): the users (`aa{sv}`, possibly empty), or %NULL
 *   with @error set
 */
GVariant *
gvir_domain_events_get_guest_users_finish (GVirDomainEvents  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
    g_return_val_if_fail (GVIR_IS_DOMAIN_EVENTS (self), NULL);
    g_return_val_if_fail (g_task_is_valid (result, self), NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    if (g_task_get_source_tag (G_TASK (result)) == gvir_domain_events_get_guest_users_async)
        return g_task_propagate_pointer (G_TASK (result), error);
    return _gvir_guest_users_ask_finish (result, error);
}

guint
_gvir_domain_events_signal_id (GVirDomainEventKind kind)
{
    g_return_val_if_fail ((guint) kind < GVIR_EVENT_N_KINDS, 0);
    g_type_class_unref (g_type_class_ref (GVIR_TYPE_DOMAIN_EVENTS));
    return signals[kind];
}

/* libvirt's event thread (or the context's, for the library's own events). */
static void
domain_emit (gpointer companion, GVirEventEmission *em)
{
    GVirDomainEvents *self = companion;

    if (!G_IS_VALUE (&em->values[0]))
        g_value_init (&em->values[0], GVIR_TYPE_DOMAIN_EVENTS);
    g_value_set_object (&em->values[0], self);
    /* a reconnection compares the daemon's state with this */
    if (em->spec->kind == GVIR_DOMAIN_EVENT_KIND_LIFECYCLE) {
        int event = g_value_get_enum (&em->values[1]);
        int state, reason;

        /* before the handlers run: they may read the property */
        if (_gvir_domain_state_after_event (event, g_value_get_int (&em->values[2]), &state, &reason))
            _gvir_domain_events_set_state (self, state, reason, em->context);
        /* only a new boot matters to the guest users: not the common suspend/resume */
        if (event == VIR_DOMAIN_EVENT_STARTED || event == VIR_DOMAIN_EVENT_STOPPED)
            _gvir_guest_users_slot_observe (&self->guest_users, self, &owner_ops, em);
    } else if (em->spec->kind == GVIR_DOMAIN_EVENT_KIND_AGENT_LIFECYCLE) {
        _gvir_guest_users_slot_observe (&self->guest_users, self, &owner_ops, em);
    }
    _gvir_events_emit_in_context (em->context, signals[em->spec->kind], em->detail,
                                  1 + em->spec->n_params, em->values);
}

const guint8 *
_gvir_domain_events_get_uuid (GVirDomainEvents *self)
{
    return self->uuid;
}

/* Any handler of a signal of this libvirt ID, whatever its detail; any thread. */
static gboolean
domain_wants (gpointer companion, int virt_id)
{
    GVirDomainEvents *self = companion;

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        if (_gvir_event_spec_for_kind (kind)->virt_id == virt_id &&
            g_signal_handler_find (self, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                   signals[kind], 0, NULL, NULL, NULL) != 0)
            return TRUE;
    }
    return FALSE;
}
