/*
 * gvir-events-enums.h: enumerations carried by libvirt-gevents signals
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__LIBVIRT_GEVENTS_H_INSIDE__) && !defined(LIBVIRT_GEVENTS_BUILD)
#error "Only <libvirt-gevents/libvirt-gevents.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/*
 * Every value below equals libvirt's own number for it (checked at build
 * time), so a value a newer daemon sends can be passed through unchanged.
 */

/**
 * GVirDomainEventKind:
 * @GVIR_DOMAIN_EVENT_KIND_LIFECYCLE: the domain was defined, started, stopped...
 * @GVIR_DOMAIN_EVENT_KIND_REBOOT: the guest rebooted
 * @GVIR_DOMAIN_EVENT_KIND_RTC_CHANGE: the guest changed its real time clock
 * @GVIR_DOMAIN_EVENT_KIND_WATCHDOG: the guest's watchdog fired
 * @GVIR_DOMAIN_EVENT_KIND_IO_ERROR: a disk I/O error
 * @GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED: a VNC client connected
 * @GVIR_DOMAIN_EVENT_KIND_VNC_INITIALIZED: a VNC client finished its handshake
 * @GVIR_DOMAIN_EVENT_KIND_VNC_DISCONNECTED: a VNC client disconnected
 * @GVIR_DOMAIN_EVENT_KIND_SPICE_CONNECTED: a SPICE client connected
 * @GVIR_DOMAIN_EVENT_KIND_SPICE_INITIALIZED: a SPICE client finished its handshake
 * @GVIR_DOMAIN_EVENT_KIND_SPICE_DISCONNECTED: a SPICE client disconnected
 * @GVIR_DOMAIN_EVENT_KIND_CONTROL_ERROR: libvirt lost control of the domain
 * @GVIR_DOMAIN_EVENT_KIND_BLOCK_JOB: a block job changed state
 * @GVIR_DOMAIN_EVENT_KIND_DISK_CHANGE: a disk's media changed
 * @GVIR_DOMAIN_EVENT_KIND_TRAY_CHANGE: a removable disk's tray opened or closed
 * @GVIR_DOMAIN_EVENT_KIND_PM_WAKEUP: the guest woke up from a power-management suspend
 * @GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND: the guest suspended to memory
 * @GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND_DISK: the guest suspended to disk
 * @GVIR_DOMAIN_EVENT_KIND_BALLOON_CHANGE: the memory balloon changed size
 * @GVIR_DOMAIN_EVENT_KIND_DEVICE_ADDED: a device was hot-plugged
 * @GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVED: a device was unplugged
 * @GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVAL_FAILED: the guest refused to unplug a device
 * @GVIR_DOMAIN_EVENT_KIND_TUNABLE: tunable parameters changed
 * @GVIR_DOMAIN_EVENT_KIND_AGENT_LIFECYCLE: the guest agent connected or disconnected
 * @GVIR_DOMAIN_EVENT_KIND_MIGRATION_ITERATION: a migration pass over memory began
 * @GVIR_DOMAIN_EVENT_KIND_JOB_COMPLETED: a job (migration, save...) completed
 * @GVIR_DOMAIN_EVENT_KIND_METADATA_CHANGE: the domain's metadata changed
 * @GVIR_DOMAIN_EVENT_KIND_WATERMARK: a disk crossed its write threshold
 * @GVIR_DOMAIN_EVENT_KIND_MEMORY_FAILURE: a hardware memory error hit the domain
 * @GVIR_DOMAIN_EVENT_KIND_MEMORY_DEVICE_SIZE_CHANGE: a memory device changed size
 * @GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON: a user logged on to the guest (its agent says so)
 * @GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF: a user logged off the guest (its agent says so)
 *
 * The kinds of event a #GVirDomainEvents emits: one value per signal, whose
 * nick is the signal's name (`io-error`, `vnc-connected`...).  It is the
 * detail of #GVirConnectionEvents::domain-event.
 */
typedef enum {
    GVIR_DOMAIN_EVENT_KIND_LIFECYCLE,
    GVIR_DOMAIN_EVENT_KIND_REBOOT,
    GVIR_DOMAIN_EVENT_KIND_RTC_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_WATCHDOG,
    GVIR_DOMAIN_EVENT_KIND_IO_ERROR,
    GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED,
    GVIR_DOMAIN_EVENT_KIND_VNC_INITIALIZED,
    GVIR_DOMAIN_EVENT_KIND_VNC_DISCONNECTED,
    GVIR_DOMAIN_EVENT_KIND_SPICE_CONNECTED,
    GVIR_DOMAIN_EVENT_KIND_SPICE_INITIALIZED,
    GVIR_DOMAIN_EVENT_KIND_SPICE_DISCONNECTED,
    GVIR_DOMAIN_EVENT_KIND_CONTROL_ERROR,
    GVIR_DOMAIN_EVENT_KIND_BLOCK_JOB,
    GVIR_DOMAIN_EVENT_KIND_DISK_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_TRAY_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_PM_WAKEUP,
    GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND,
    GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND_DISK,
    GVIR_DOMAIN_EVENT_KIND_BALLOON_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_DEVICE_ADDED,
    GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVED,
    GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVAL_FAILED,
    GVIR_DOMAIN_EVENT_KIND_TUNABLE,
    GVIR_DOMAIN_EVENT_KIND_AGENT_LIFECYCLE,
    GVIR_DOMAIN_EVENT_KIND_MIGRATION_ITERATION,
    GVIR_DOMAIN_EVENT_KIND_JOB_COMPLETED,
    GVIR_DOMAIN_EVENT_KIND_METADATA_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_WATERMARK,
    GVIR_DOMAIN_EVENT_KIND_MEMORY_FAILURE,
    GVIR_DOMAIN_EVENT_KIND_MEMORY_DEVICE_SIZE_CHANGE,
    GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON,
    GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF,
} GVirDomainEventKind;

/**
 * GVirDomainLifecycleEvent:
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED: the domain was defined or its definition updated
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_UNDEFINED: the domain was undefined
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED: the domain started
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED: the domain was paused
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED: the domain resumed running
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED: the domain stopped
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_SHUTDOWN: the guest shut down (the process may still run)
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED: the guest suspended itself
 * @GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED: the guest crashed
 *
 * The `event` argument of #GVirDomainEvents::lifecycle, libvirt's
 * `virDomainEventType`.  Its nick is the signal's detail, so
 * `lifecycle::stopped` hears only stops.
 */
typedef enum {
    GVIR_DOMAIN_LIFECYCLE_EVENT_DEFINED = 0,
    GVIR_DOMAIN_LIFECYCLE_EVENT_UNDEFINED = 1,
    GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED = 2,
    GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED = 3,
    GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED = 4,
    GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED = 5,
    GVIR_DOMAIN_LIFECYCLE_EVENT_SHUTDOWN = 6,
    GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED = 7,
    GVIR_DOMAIN_LIFECYCLE_EVENT_CRASHED = 8,
} GVirDomainLifecycleEvent;

/**
 * GVirDomainWatchdogAction:
 * @GVIR_DOMAIN_WATCHDOG_ACTION_NONE: nothing was done
 * @GVIR_DOMAIN_WATCHDOG_ACTION_PAUSE: the guest was paused
 * @GVIR_DOMAIN_WATCHDOG_ACTION_RESET: the guest was reset
 * @GVIR_DOMAIN_WATCHDOG_ACTION_POWEROFF: the guest was powered off
 * @GVIR_DOMAIN_WATCHDOG_ACTION_SHUTDOWN: the guest was asked to shut down
 * @GVIR_DOMAIN_WATCHDOG_ACTION_DEBUG: no action, the event was only logged
 * @GVIR_DOMAIN_WATCHDOG_ACTION_INJECT_NMI: a non-maskable interrupt was injected
 *
 * What the hypervisor did when the watchdog fired
 * (`virDomainEventWatchdogAction`).
 */
typedef enum {
    GVIR_DOMAIN_WATCHDOG_ACTION_NONE = 0,
    GVIR_DOMAIN_WATCHDOG_ACTION_PAUSE = 1,
    GVIR_DOMAIN_WATCHDOG_ACTION_RESET = 2,
    GVIR_DOMAIN_WATCHDOG_ACTION_POWEROFF = 3,
    GVIR_DOMAIN_WATCHDOG_ACTION_SHUTDOWN = 4,
    GVIR_DOMAIN_WATCHDOG_ACTION_DEBUG = 5,
    GVIR_DOMAIN_WATCHDOG_ACTION_INJECT_NMI = 6,
} GVirDomainWatchdogAction;

/**
 * GVirDomainIOErrorAction:
 * @GVIR_DOMAIN_IO_ERROR_ACTION_NONE: nothing was done
 * @GVIR_DOMAIN_IO_ERROR_ACTION_PAUSE: the guest was paused
 * @GVIR_DOMAIN_IO_ERROR_ACTION_REPORT: the error was reported to the guest
 *
 * What the hypervisor did about a disk I/O error
 * (`virDomainEventIOErrorAction`); it follows the disk's error policy.
 */
typedef enum {
    GVIR_DOMAIN_IO_ERROR_ACTION_NONE = 0,
    GVIR_DOMAIN_IO_ERROR_ACTION_PAUSE = 1,
    GVIR_DOMAIN_IO_ERROR_ACTION_REPORT = 2,
} GVirDomainIOErrorAction;

/**
 * GVirDomainBlockJobType:
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN: a job libvirt could not name
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_PULL: a block pull (`virDomainBlockPull`)
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_COPY: a block copy (`virDomainBlockCopy`)
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT: a commit into a backing image
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT: a commit of the active layer
 * @GVIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP: a backup job
 *
 * The type of a block job (`virDomainBlockJobType`).
 */
typedef enum {
    GVIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN = 0,
    GVIR_DOMAIN_BLOCK_JOB_TYPE_PULL = 1,
    GVIR_DOMAIN_BLOCK_JOB_TYPE_COPY = 2,
    GVIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT = 3,
    GVIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,
    GVIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP = 5,
} GVirDomainBlockJobType;

/**
 * GVirDomainBlockJobStatus:
 * @GVIR_DOMAIN_BLOCK_JOB_STATUS_COMPLETED: the job finished
 * @GVIR_DOMAIN_BLOCK_JOB_STATUS_FAILED: the job failed
 * @GVIR_DOMAIN_BLOCK_JOB_STATUS_CANCELED: the job was cancelled
 * @GVIR_DOMAIN_BLOCK_JOB_STATUS_READY: the job is ready to be pivoted or finished
 *
 * The state a block job reached (`virConnectDomainEventBlockJobStatus`).
 */
typedef enum {
    GVIR_DOMAIN_BLOCK_JOB_STATUS_COMPLETED = 0,
    GVIR_DOMAIN_BLOCK_JOB_STATUS_FAILED = 1,
    GVIR_DOMAIN_BLOCK_JOB_STATUS_CANCELED = 2,
    GVIR_DOMAIN_BLOCK_JOB_STATUS_READY = 3,
} GVirDomainBlockJobStatus;

/**
 * GVirDomainDiskChangeReason:
 * @GVIR_DOMAIN_DISK_CHANGE_REASON_MISSING_ON_START: the media was missing when the domain started
 * @GVIR_DOMAIN_DISK_CHANGE_REASON_DROP_MISSING_ON_START: a missing disk was dropped when the domain started
 *
 * Why a disk's media changed (`virConnectDomainEventDiskChangeReason`).
 */
typedef enum {
    GVIR_DOMAIN_DISK_CHANGE_REASON_MISSING_ON_START = 0,
    GVIR_DOMAIN_DISK_CHANGE_REASON_DROP_MISSING_ON_START = 1,
} GVirDomainDiskChangeReason;

/**
 * GVirDomainTrayChangeReason:
 * @GVIR_DOMAIN_TRAY_CHANGE_REASON_OPEN: the tray opened
 * @GVIR_DOMAIN_TRAY_CHANGE_REASON_CLOSE: the tray closed
 *
 * How a removable disk's tray moved (`virDomainEventTrayChangeReason`).
 */
typedef enum {
    GVIR_DOMAIN_TRAY_CHANGE_REASON_OPEN = 0,
    GVIR_DOMAIN_TRAY_CHANGE_REASON_CLOSE = 1,
} GVirDomainTrayChangeReason;

/**
 * GVirDomainAgentState:
 * @GVIR_DOMAIN_AGENT_STATE_CONNECTED: the guest agent connected
 * @GVIR_DOMAIN_AGENT_STATE_DISCONNECTED: the guest agent disconnected
 *
 * The guest agent's new state (`virConnectDomainEventAgentLifecycleState`).
 */
typedef enum {
    GVIR_DOMAIN_AGENT_STATE_CONNECTED = 1,
    GVIR_DOMAIN_AGENT_STATE_DISCONNECTED = 2,
} GVirDomainAgentState;

/**
 * GVirDomainAgentReason:
 * @GVIR_DOMAIN_AGENT_REASON_UNKNOWN: no reason given
 * @GVIR_DOMAIN_AGENT_REASON_DOMAIN_STARTED: the domain (re)started
 * @GVIR_DOMAIN_AGENT_REASON_CHANNEL: the agent's channel changed state
 *
 * Why the guest agent's state changed
 * (`virConnectDomainEventAgentLifecycleReason`).
 */
typedef enum {
    GVIR_DOMAIN_AGENT_REASON_UNKNOWN = 0,
    GVIR_DOMAIN_AGENT_REASON_DOMAIN_STARTED = 1,
    GVIR_DOMAIN_AGENT_REASON_CHANNEL = 2,
} GVirDomainAgentReason;

/**
 * GVirDomainMetadataType:
 * @GVIR_DOMAIN_METADATA_TYPE_DESCRIPTION: the `<description>` element
 * @GVIR_DOMAIN_METADATA_TYPE_TITLE: the `<title>` element
 * @GVIR_DOMAIN_METADATA_TYPE_ELEMENT: an element under `<metadata>`, named by its namespace URI
 *
 * Which metadata of a domain changed (`virDomainMetadataType`).
 */
typedef enum {
    GVIR_DOMAIN_METADATA_TYPE_DESCRIPTION = 0,
    GVIR_DOMAIN_METADATA_TYPE_TITLE = 1,
    GVIR_DOMAIN_METADATA_TYPE_ELEMENT = 2,
} GVirDomainMetadataType;

/**
 * GVirDomainMemoryFailureRecipient:
 * @GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_HYPERVISOR: the error hit the hypervisor's memory
 * @GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST: the error hit the guest's memory
 *
 * Whose memory a hardware error hit
 * (`virDomainMemoryFailureRecipientType`).
 */
typedef enum {
    GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_HYPERVISOR = 0,
    GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST = 1,
} GVirDomainMemoryFailureRecipient;

/**
 * GVirDomainMemoryFailureAction:
 * @GVIR_DOMAIN_MEMORY_FAILURE_ACTION_IGNORE: the error was ignored
 * @GVIR_DOMAIN_MEMORY_FAILURE_ACTION_INJECT: the error was injected into the guest
 * @GVIR_DOMAIN_MEMORY_FAILURE_ACTION_FATAL: the error was fatal to the hypervisor
 * @GVIR_DOMAIN_MEMORY_FAILURE_ACTION_RESET: the guest was reset
 *
 * What the hypervisor did about a memory error
 * (`virDomainMemoryFailureActionType`).
 */
typedef enum {
    GVIR_DOMAIN_MEMORY_FAILURE_ACTION_IGNORE = 0,
    GVIR_DOMAIN_MEMORY_FAILURE_ACTION_INJECT = 1,
    GVIR_DOMAIN_MEMORY_FAILURE_ACTION_FATAL = 2,
    GVIR_DOMAIN_MEMORY_FAILURE_ACTION_RESET = 3,
} GVirDomainMemoryFailureAction;

/**
 * GVirDomainMemoryFailureFlags:
 * @GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_ACTION_REQUIRED: the error must be handled now
 * @GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_RECURSIVE: the error happened while handling another one
 *
 * The bits of the `flags` argument of #GVirDomainEvents::memory-failure
 * (`virDomainMemoryFailureFlags`).
 */
typedef enum {
    GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_ACTION_REQUIRED = 1 << 0,
    GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_RECURSIVE = 1 << 1,
} GVirDomainMemoryFailureFlags;

/**
 * GVirGraphicsProtocol:
 * @GVIR_GRAPHICS_PROTOCOL_VNC: a VNC server
 * @GVIR_GRAPHICS_PROTOCOL_SPICE: a SPICE server
 *
 * The remote display protocol a #GVirGraphicsClient talks to.
 */
typedef enum {
    GVIR_GRAPHICS_PROTOCOL_VNC,
    GVIR_GRAPHICS_PROTOCOL_SPICE,
} GVirGraphicsProtocol;

/**
 * GVirGraphicsPhase:
 * @GVIR_GRAPHICS_PHASE_CONNECT: the client's socket connected
 * @GVIR_GRAPHICS_PHASE_INITIALIZE: the client finished the protocol handshake
 * @GVIR_GRAPHICS_PHASE_DISCONNECT: the client went away
 *
 * The phase of a graphics client's connection
 * (`virDomainEventGraphicsPhase`).  Unlike other enumerations, the phase
 * chooses the signal (`vnc-connected`, `vnc-initialized`...), so a phase a
 * newer daemon adds has no signal to go to: it is not emitted (a
 * g_debug() message says so).
 */
typedef enum {
    GVIR_GRAPHICS_PHASE_CONNECT = 0,
    GVIR_GRAPHICS_PHASE_INITIALIZE = 1,
    GVIR_GRAPHICS_PHASE_DISCONNECT = 2,
} GVirGraphicsPhase;

/**
 * GVirGraphicsAddressFamily:
 * @GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4: an IPv4 address and port
 * @GVIR_GRAPHICS_ADDRESS_FAMILY_IPV6: an IPv6 address and port
 * @GVIR_GRAPHICS_ADDRESS_FAMILY_UNIX: a UNIX socket path
 *
 * The family of an address of a #GVirGraphicsClient
 * (`virDomainEventGraphicsAddressType`).
 */
typedef enum {
    GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4 = 0,
    GVIR_GRAPHICS_ADDRESS_FAMILY_IPV6 = 1,
    GVIR_GRAPHICS_ADDRESS_FAMILY_UNIX = 2,
} GVirGraphicsAddressFamily;

/**
 * GVirObjectEventKind:
 * @GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE: a network was defined, started, stopped...
 * @GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_LIFECYCLE: a storage pool was defined, started, stopped...
 * @GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_REFRESH: a storage pool was refreshed
 * @GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_LIFECYCLE: a host device was created, deleted...
 * @GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_UPDATE: a host device changed
 * @GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE: a secret was defined or undefined
 * @GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED: a secret's value changed
 *
 * The kinds of event of the other objects of a connection (networks, storage
 * pools, host devices and secrets): one value per #GVirConnectionEvents
 * signal, whose nick is the signal's name (`network-lifecycle`...).  Tell
 * with gvir_connection_events_supports_object_event() whether the daemon
 * delivers a kind.
 */
typedef enum {
    GVIR_OBJECT_EVENT_KIND_NETWORK_LIFECYCLE,
    GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_LIFECYCLE,
    GVIR_OBJECT_EVENT_KIND_STORAGE_POOL_REFRESH,
    GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_LIFECYCLE,
    GVIR_OBJECT_EVENT_KIND_NODE_DEVICE_UPDATE,
    GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE,
    GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED,
} GVirObjectEventKind;

/**
 * GVirNetworkLifecycleEvent:
 * @GVIR_NETWORK_LIFECYCLE_EVENT_DEFINED: the network was defined
 * @GVIR_NETWORK_LIFECYCLE_EVENT_UNDEFINED: the network was undefined
 * @GVIR_NETWORK_LIFECYCLE_EVENT_STARTED: the network started
 * @GVIR_NETWORK_LIFECYCLE_EVENT_STOPPED: the network stopped
 *
 * The `event` argument of #GVirConnectionEvents::network-lifecycle,
 * libvirt's `virNetworkEventLifecycleType`.  Its nick is the signal's
 * detail: `network-lifecycle::started`.
 */
typedef enum {
    GVIR_NETWORK_LIFECYCLE_EVENT_DEFINED = 0,
    GVIR_NETWORK_LIFECYCLE_EVENT_UNDEFINED = 1,
    GVIR_NETWORK_LIFECYCLE_EVENT_STARTED = 2,
    GVIR_NETWORK_LIFECYCLE_EVENT_STOPPED = 3,
} GVirNetworkLifecycleEvent;

/**
 * GVirStoragePoolLifecycleEvent:
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_DEFINED: the pool was defined
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_UNDEFINED: the pool was undefined
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_STARTED: the pool started
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_STOPPED: the pool stopped
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_CREATED: the pool's storage was built
 * @GVIR_STORAGE_POOL_LIFECYCLE_EVENT_DELETED: the pool's storage was deleted
 *
 * The `event` argument of #GVirConnectionEvents::storage-pool-lifecycle,
 * libvirt's `virStoragePoolEventLifecycleType`.  Its nick is the signal's
 * detail: `storage-pool-lifecycle::stopped`.
 */
typedef enum {
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_DEFINED = 0,
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_UNDEFINED = 1,
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_STARTED = 2,
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_STOPPED = 3,
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_CREATED = 4,
    GVIR_STORAGE_POOL_LIFECYCLE_EVENT_DELETED = 5,
} GVirStoragePoolLifecycleEvent;

/**
 * GVirNodeDeviceLifecycleEvent:
 * @GVIR_NODE_DEVICE_LIFECYCLE_EVENT_CREATED: the device appeared
 * @GVIR_NODE_DEVICE_LIFECYCLE_EVENT_DELETED: the device went away
 * @GVIR_NODE_DEVICE_LIFECYCLE_EVENT_DEFINED: the device was defined (mediated devices)
 * @GVIR_NODE_DEVICE_LIFECYCLE_EVENT_UNDEFINED: the device was undefined (mediated devices)
 *
 * The `event` argument of #GVirConnectionEvents::node-device-lifecycle,
 * libvirt's `virNodeDeviceEventLifecycleType`.  Its nick is the signal's
 * detail: `node-device-lifecycle::created`.
 */
typedef enum {
    GVIR_NODE_DEVICE_LIFECYCLE_EVENT_CREATED = 0,
    GVIR_NODE_DEVICE_LIFECYCLE_EVENT_DELETED = 1,
    GVIR_NODE_DEVICE_LIFECYCLE_EVENT_DEFINED = 2,
    GVIR_NODE_DEVICE_LIFECYCLE_EVENT_UNDEFINED = 3,
} GVirNodeDeviceLifecycleEvent;

/**
 * GVirSecretLifecycleEvent:
 * @GVIR_SECRET_LIFECYCLE_EVENT_DEFINED: the secret was defined
 * @GVIR_SECRET_LIFECYCLE_EVENT_UNDEFINED: the secret was undefined
 *
 * The `event` argument of #GVirConnectionEvents::secret-lifecycle,
 * libvirt's `virSecretEventLifecycleType`.  Its nick is the signal's
 * detail: `secret-lifecycle::undefined`.
 */
typedef enum {
    GVIR_SECRET_LIFECYCLE_EVENT_DEFINED = 0,
    GVIR_SECRET_LIFECYCLE_EVENT_UNDEFINED = 1,
} GVirSecretLifecycleEvent;

/**
 * GVirConnectionCloseReason:
 * @GVIR_CONNECTION_CLOSE_REASON_ERROR: reading from or writing to the daemon failed
 * @GVIR_CONNECTION_CLOSE_REASON_EOF: the daemon closed the link (it stopped or restarted)
 * @GVIR_CONNECTION_CLOSE_REASON_KEEPALIVE: the daemon stopped answering keepalive probes
 * @GVIR_CONNECTION_CLOSE_REASON_CLIENT: the client closed the link
 *
 * Why the link to the daemon died, as #GVirConnectionEvents::disconnected
 * tells it (`virConnectCloseReason`).
 */
typedef enum {
    GVIR_CONNECTION_CLOSE_REASON_ERROR = 0,
    GVIR_CONNECTION_CLOSE_REASON_EOF = 1,
    GVIR_CONNECTION_CLOSE_REASON_KEEPALIVE = 2,
    GVIR_CONNECTION_CLOSE_REASON_CLIENT = 3,
} GVirConnectionCloseReason;

/**
 * GVirEventsError:
 * @GVIR_EVENTS_ERROR_FAILED: libvirt refused the request; the message says why
 * @GVIR_EVENTS_ERROR_DOMAIN_GONE: the companion's domain no longer exists on
 *   its connection, the connection was closed, or the companion was made
 *   with g_object_new() and belongs to no domain
 *
 * Errors of the %GVIR_EVENTS_ERROR domain.
 */
typedef enum {
    GVIR_EVENTS_ERROR_FAILED,
    GVIR_EVENTS_ERROR_DOMAIN_GONE,
} GVirEventsError;

/**
 * GVIR_EVENTS_ERROR:
 *
 * The #GError domain of libvirt-gevents' errors (#GVirEventsError).
 */
#define GVIR_EVENTS_ERROR (gvir_events_error_quark ())
GQuark gvir_events_error_quark (void);

const gchar *gvir_domain_lifecycle_event_detail_to_string (GVirDomainLifecycleEvent event,
                                                           gint                     detail);
const gchar *gvir_domain_lifecycle_event_to_string        (GVirDomainLifecycleEvent event);
const gchar *gvir_domain_event_kind_to_string             (GVirDomainEventKind      kind);
const gchar *gvir_object_event_kind_to_string             (GVirObjectEventKind      kind);

G_END_DECLS
