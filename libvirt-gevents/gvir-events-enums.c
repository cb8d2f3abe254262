/*
 * gvir-events-enums.c: the error domain, and the promise that every
 * enumeration value is libvirt's own number
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libvirt/libvirt.h>

#include "libvirt-gevents.h"

/**
 * SECTION:gvir-events-enums
 * @title: Enumerations and errors
 * @short_description: the types of libvirt-gevents' signal arguments
 *
 * Each enumeration's values are libvirt's numbers for them.  A daemon newer
 * than this library may send a value it does not name: the value is passed
 * on unchanged, never dropped, so compare with the named values and treat
 * others as "unknown".
 */

/**
 * gvir_events_error_quark:
 *
 * The quark of %GVIR_EVENTS_ERROR.
 *
 * Returns: the error domain of libvirt-gevents
 */
G_DEFINE_QUARK (gvir-events-error-quark, gvir_events_error)

#define SAME(ours, theirs) G_STATIC_ASSERT ((int) (ours) == (int) (theirs))

SAME (GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED);
SAME (GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED);
SAME (GVIR_DOMAIN_WATCHDOG_ACTION_INJECT_NMI, VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI);
SAME (GVIR_DOMAIN_WATCHDOG_ACTION_DEBUG, VIR_DOMAIN_EVENT_WATCHDOG_DEBUG);
SAME (GVIR_DOMAIN_IO_ERROR_ACTION_REPORT, VIR_DOMAIN_EVENT_IO_ERROR_REPORT);
SAME (GVIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP, VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP);
SAME (GVIR_DOMAIN_BLOCK_JOB_STATUS_READY, VIR_DOMAIN_BLOCK_JOB_READY);
SAME (GVIR_DOMAIN_DISK_CHANGE_REASON_DROP_MISSING_ON_START, VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START);
SAME (GVIR_DOMAIN_TRAY_CHANGE_REASON_CLOSE, VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE);
SAME (GVIR_DOMAIN_AGENT_STATE_DISCONNECTED, VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED);
SAME (GVIR_DOMAIN_AGENT_REASON_CHANNEL, VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL);
SAME (GVIR_DOMAIN_METADATA_TYPE_ELEMENT, VIR_DOMAIN_METADATA_ELEMENT);
SAME (GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST, VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST);
SAME (GVIR_DOMAIN_MEMORY_FAILURE_ACTION_RESET, VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET);
SAME (GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_RECURSIVE, VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE);
SAME (GVIR_GRAPHICS_PHASE_DISCONNECT, VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT);
SAME (GVIR_GRAPHICS_ADDRESS_FAMILY_UNIX, VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX);
SAME (GVIR_NETWORK_LIFECYCLE_EVENT_DEFINED, VIR_NETWORK_EVENT_DEFINED);
SAME (GVIR_NETWORK_LIFECYCLE_EVENT_STOPPED, VIR_NETWORK_EVENT_STOPPED);
SAME (GVIR_STORAGE_POOL_LIFECYCLE_EVENT_STOPPED, VIR_STORAGE_POOL_EVENT_STOPPED);
SAME (GVIR_STORAGE_POOL_LIFECYCLE_EVENT_DELETED, VIR_STORAGE_POOL_EVENT_DELETED);
SAME (GVIR_NODE_DEVICE_LIFECYCLE_EVENT_DELETED, VIR_NODE_DEVICE_EVENT_DELETED);
SAME (GVIR_NODE_DEVICE_LIFECYCLE_EVENT_UNDEFINED, VIR_NODE_DEVICE_EVENT_UNDEFINED);
SAME (GVIR_SECRET_LIFECYCLE_EVENT_UNDEFINED, VIR_SECRET_EVENT_UNDEFINED);
SAME (GVIR_CONNECTION_CLOSE_REASON_CLIENT, VIR_CONNECT_CLOSE_REASON_CLIENT);

/* libvirt's words for each lifecycle detail, indexed by event then detail. */
static const gchar * const defined_details[] = { "added", "updated", "renamed", "from-snapshot" };
static const gchar * const undefined_details[] = { "removed", "renamed" };
static const gchar * const started_details[] = {
    "booted", "migrated", "restored", "from-snapshot", "wakeup" };
static const gchar * const suspended_details[] = {
    "paused", "migrated", "ioerror", "watchdog", "restored", "from-snapshot",
    "api-error", "postcopy", "postcopy-failed" };
static const gchar * const resumed_details[] = {
    "unpaused", "migrated", "from-snapshot", "postcopy", "postcopy-failed" };
static const gchar * const stopped_details[] = {
    "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from-snapshot" };
static const gchar * const shutdown_details[] = { "finished", "guest", "host" };
static const gchar * const pmsuspended_details[] = { "memory", "disk" };
static const gchar * const crashed_details[] = { "panicked", "crashloaded" };

#define DETAILS(array) { array, G_N_ELEMENTS (array) }
static const struct {
    const gchar * const *names;
    guint n_names;
} lifecycle_details[] = {
    DETAILS (defined_details), DETAILS (undefined_details), DETAILS (started_details),
    DETAILS (suspended_details), DETAILS (resumed_details), DETAILS (stopped_details),
    DETAILS (shutdown_details), DETAILS (pmsuspended_details), DETAILS (crashed_details),
};

G_STATIC_ASSERT (G_N_ELEMENTS (lifecycle_details) == GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (stopped_details) == VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (suspended_details) == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED + 1);

/**
 * gvir_domain_lifecycle_event_detail_to_string:
 * @event: a lifecycle event, as #GVirDomainEvents::lifecycle gives it
 * @detail: the detail code that came with it
 *
 * Names a lifecycle detail in libvirt's words: for
 * %GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED, detail 1 is `"destroyed"`.
 *
 * Returns: (nullable): a static string, or %NULL for an event or detail
 *   newer than this library
 */
const gchar *
gvir_domain_lifecycle_event_detail_to_string (GVirDomainLifecycleEvent event,
                                              gint                     detail)
{
    if ((guint) event >= G_N_ELEMENTS (lifecycle_details) || detail < 0 ||
        (guint) detail >= lifecycle_details[event].n_names)
        return NULL;
    return lifecycle_details[event].names[detail];
}

/* A static nick, or NULL for a value this library does not name. */
static const gchar *
value_nick_of (GType type, gint value)
{
    /* the class is kept for the program's life: nicks are static strings */
    GEnumClass *klass = g_type_class_peek (type);
    GEnumValue *found;

    if (!klass)
        klass = g_type_class_ref (type);
    found = g_enum_get_value (klass, value);
    return found ? found->value_nick : NULL;
}

/**
 * gvir_domain_event_kind_to_string:
 * @kind: a kind of domain event, as #GVirEvent:kind gives it
 *
 * Names a kind of domain event: the name of its #GVirDomainEvents signal
 * and of its #GVirConnectionEvents::domain-event detail, such as
 * `"io-error"` for %GVIR_DOMAIN_EVENT_KIND_IO_ERROR.  Bindings get it
 * without reading the enumeration's nicks (PyGObject raises on a value it
 * does not know).
 *
 * Returns: (nullable): a static string, or %NULL for a kind newer than
 *   this library
 */
const gchar *
gvir_domain_event_kind_to_string (GVirDomainEventKind kind)
{
    return value_nick_of (GVIR_TYPE_DOMAIN_EVENT_KIND, kind);
}

/**
 * gvir_object_event_kind_to_string:
 * @kind: a kind of event of a network, pool, host device or secret
 *
 * Names a kind of object event: the name of its #GVirConnectionEvents
 * signal, such as `"network-lifecycle"` for
 * %GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE.
 *
 * Returns: (nullable): a static string, or %NULL for a kind newer than
 *   this library
 */
const gchar *
gvir_object_event_kind_to_string (GVirObjectEventKind kind)
{
    return value_nick_of (GVIR_TYPE_OBJECT_EVENT_KIND, kind);
}

/**
 * gvir_domain_lifecycle_event_to_string:
 * @event: a lifecycle event, as #GVirDomainEvents::lifecycle gives it
 *
 * Names a lifecycle event in libvirt's words, as the detail of
 * `lifecycle::` has it: `"suspended"` for
 * %GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED.  With
 * gvir_domain_lifecycle_event_detail_to_string(), a handler prints a
 * lifecycle event without a helper of its own, in any language.
 *
 * Returns: (nullable): a static string, or %NULL for an event newer than
 *   this library
 */
const gchar *
gvir_domain_lifecycle_event_to_string (GVirDomainLifecycleEvent event)
{
    return value_nick_of (GVIR_TYPE_DOMAIN_LIFECYCLE_EVENT, event);
}
