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
    guint8 uuid[VIR_UUID_BUFLEN];
    gint gone;                      /* atomic: the hub let go of us */
    gint state;                     /* atomic: virDomainState as last known, -1 unknown */
    GVirGuestUsersSlot guest_users; /* the agent polling (gvir-guest-users.c) */
};

G_DEFINE_FINAL_TYPE (GVirDomainEvents, gvir_domain_events, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_DOMAIN,
    PROP_GUEST_USERS_INTERVAL,
    N_PROPS
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
    g_atomic_int_set (&GVIR_DOMAIN_EVENTS (companion)->gone, TRUE);
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
    return g_atomic_int_get (&GVIR_DOMAIN_EVENTS (owner)->gone);
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

static void learn_state (GVirDomainEvents *self, virDomainPtr handle);

typedef struct {
    const guint8 *uuid;
    GVirDomain *domain;
    virDomainPtr handle;
    gboolean learn_state;
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
    /* what a reconnection compares with: one RPC, for a new companion only */
    if (making->learn_state)
        learn_state (self, making->handle);
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
        Making making = { uuid, domain, handle, _gvir_events_hub_may_reconnect (hub) };

        self = _gvir_events_hub_get_domain (hub, uuid, domain_events_new, &making, &domain_ops);
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

typedef struct {
    GWeakRef companion;
    virDomainPtr handle;
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
    gboolean known;

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
    /* a lifecycle event that came meanwhile knows better */
    if (self && known)
        g_atomic_int_compare_and_exchange (&self->state, -1, state);
    g_clear_object (&self);
    g_weak_ref_clear (&q->companion);
    g_free (q);
}

/*
 * What a reconnection compares with, asked once per new companion on a
 * pool thread: a getter on the main thread never waits for a stalled link.
 */
static void
learn_state (GVirDomainEvents *self, virDomainPtr handle)
{
    static GThreadPool *pool;
    StateQuestion *q = g_new0 (StateQuestion, 1);

    if (g_once_init_enter (&pool))
        g_once_init_leave (&pool, g_thread_pool_new (learn_state_in_thread, NULL, 4, FALSE, NULL));
    g_weak_ref_init (&q->companion, self);
    q->handle = handle;
    virDomainRef (handle);
    g_thread_pool_push (pool, q, NULL);
}

void
_gvir_domain_events_resync (GVirDomainEvents *self)
{
    _gvir_guest_users_slot_resync (&self->guest_users);
}

/* The state a lifecycle event leaves the domain in, or -1 if it says nothing of it. */
static int
state_after (int event)
{
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:     return VIR_DOMAIN_RUNNING;
    case VIR_DOMAIN_EVENT_SUSPENDED:   return VIR_DOMAIN_PAUSED;
    case VIR_DOMAIN_EVENT_STOPPED:     return VIR_DOMAIN_SHUTOFF;
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return VIR_DOMAIN_PMSUSPENDED;
    case VIR_DOMAIN_EVENT_CRASHED:     return VIR_DOMAIN_CRASHED;
    default:                           return -1;
    }
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
    if (g_atomic_int_get (&self->gone)) {
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

    if (!self->domain || g_atomic_int_get (&self->gone)) {
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
        int state = state_after (event);

        if (state >= 0)
            g_atomic_int_set (&self->state, state);
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
