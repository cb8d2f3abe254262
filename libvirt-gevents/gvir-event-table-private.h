/*
 * gvir-event-table-private.h: the one description of every event kind
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libvirt/libvirt.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "gvir-events-enums.h"
#include "gvir-events-enum-types.h"
#include "gvir-domain-devices-private.h"

G_BEGIN_DECLS

/*
 * The event table
 * ===============
 *
 * Every domain event kind is one GVirEventSpec row: its signal (named by the
 * GVirDomainEventKind nick), the libvirt event ID it comes from, the C
 * callback libvirt calls for that ID, the signal's argument names and types,
 * and which argument is the signal's detail.  Registration with libvirt,
 * signal creation, decoding of libvirt's arguments, emission and the generic
 * GVirEvent payload are all driven by the table (gvir-event-table.c).
 *
 * The table is a description: it names no file above it.  Its trampolines
 * hand libvirt's arguments to the GVirEventSink they were registered with;
 * its decoders get what they need through the emission (the device cache,
 * and whether anyone listens), which the dispatcher fills.  Everything here
 * may be called from any thread, and takes no lock (the table is made once,
 * under g_once).
 */

#define GVIR_EVENT_MAX_PARAMS 5

/* One past the highest VIR_DOMAIN_EVENT_ID_* this build knows. */
#define GVIR_EVENT_N_VIRT_IDS (VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1)
#define GVIR_EVENT_N_KINDS (GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF + 1)
/*
 * The virt_id of the rows no libvirt event drives: the library makes those
 * events itself by asking the guest agent (gvir-guest-users.c).
 */
#define GVIR_EVENT_POLLED (-1)

typedef struct _GVirEventSpec GVirEventSpec;
typedef struct _GVirEventEmission GVirEventEmission;

/* libvirt's callback arguments after the domain, as the C trampoline got them. */
typedef union {
    int i;
    unsigned int u;
    long long ll;
    unsigned long long ull;
    const char *s;
    const void *p;
} GVirEventRaw;

/*
 * What libvirt's opaque pointer is: whoever registers a trampoline passes
 * a GVirEventSink (the first member of its own record), and the trampoline
 * calls its dispatch with the object libvirt named (a virDomainPtr,
 * virNetworkPtr...) and the raw arguments.  On libvirt's event thread.
 */
typedef struct _GVirEventSink GVirEventSink;
struct _GVirEventSink {
    void (*dispatch) (GVirEventSink *sink, gconstpointer handle, const GVirEventRaw *raw);
};

/* The typed arguments of one emission; values[0] is left for the instance. */
struct _GVirEventEmission {
    const GVirEventSpec *spec;
    GValue values[1 + GVIR_EVENT_MAX_PARAMS];
    GQuark detail;
    const guint8 *uuid;         /* the domain's, VIR_UUID_BUFLEN bytes */
    gboolean synthesized;       /* made up after a reconnection */
    /*
     * The bytes (`ay`) of string argument i when libvirt's were not UTF-8:
     * values[1 + i] holds them repaired.  NULL for valid ones (nearly all).
     */
    GVariant *raw_bytes[GVIR_EVENT_MAX_PARAMS];

    /* Filled by the dispatcher before decoding: */
    GMainContext *context;              /* where the companions emit (NULL: the global default) */
    GVirDomainDevicesCache *devices;    /* what is known of the connection's domains' devices */
    /* whether anyone will hear it: a decoder skips costly work if not */
    gboolean (*is_heard) (const GVirEventEmission *em);
};

/*
 * Turns the raw arguments into em->values.  May pick another spec of the
 * same libvirt ID (graphics), and returns FALSE to drop a duplicate.
 */
typedef gboolean (*GVirEventDecodeFunc) (virDomainPtr         dom,
                                         const GVirEventRaw  *raw,
                                         GVirEventEmission   *em);

typedef enum {
    GVIR_EVENT_DETAIL_NONE,
    /* the first argument: a string as it is, an enum by its nick */
    GVIR_EVENT_DETAIL_FIRST_ARG,
} GVirEventDetailRule;

typedef struct {
    const gchar *name;          /* signal doc name and GVirEvent payload key */
    GType (*type) (void);
} GVirEventParam;

struct _GVirEventSpec {
    GVirDomainEventKind kind;
    int virt_id;                                 /* VIR_DOMAIN_EVENT_ID_*, or GVIR_EVENT_POLLED */
    const gchar *virt_id_name;                   /* its name, for docs and tools; NULL if polled */
    virConnectDomainEventGenericCallback callback;  /* NULL if polled */
    GVirEventDecodeFunc decode;                  /* NULL: raw[i] is argument i */
    GVirEventDetailRule detail;
    guint n_params;
    GVirEventParam params[GVIR_EVENT_MAX_PARAMS];
};

const GVirEventSpec *_gvir_event_spec_for_kind    (GVirDomainEventKind kind);
const GVirEventSpec *_gvir_event_spec_for_virt_id (int virt_id);
const gchar         *_gvir_event_kind_name        (GVirDomainEventKind kind);
GType                _gvir_event_spec_param_type  (const GVirEventSpec *spec,
                                                   guint                i);
/* May ask the device cache (an RPC the first time): never under a lock. */
gboolean             _gvir_event_emission_decode  (GVirEventEmission   *em,
                                                   virDomainPtr         dom,
                                                   const GVirEventRaw  *raw);
void                 _gvir_event_emission_clear   (GVirEventEmission   *em);
GVariant            *_gvir_event_payload_new      (const GVirEventSpec *spec,
                                                   const GValue        *args,
                                                   GVariant * const    *raw_bytes);

/*
 * The other objects' events
 * =========================
 *
 * Networks, storage pools, node devices and secrets: a sibling table of
 * GVirObjectEventSpec rows (one per GVirObjectEventKind, i.e. per signal of
 * GVirConnectionEvents), each naming its GVirEventFamily: how libvirt
 * registers callbacks for that kind of object, and which libvirt-gobject
 * class wraps it.  The domain events have a family too (registration only).
 */

#define GVIR_OBJECT_EVENT_N_KINDS (GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED + 1)
/* arguments after the object */
#define GVIR_OBJECT_EVENT_MAX_PARAMS 2

/* Any libvirt event callback, cast back to its real type by the family. */
typedef void (*GVirEventsCallback) (void);

typedef struct {
    const gchar *name;                  /* "network": the first argument's name */
    GType (*object_type) (void);        /* libvirt-gobject's class, NULL for domains */
    int (*register_any) (virConnectPtr conn, int virt_id, GVirEventsCallback callback,
                         void *opaque, virFreeCallback freecb);
    int (*deregister_any) (virConnectPtr conn, int callback_id);
    /* the GVirConnection's own object for the handle (transfer full), or NULL */
    GObject *(*find) (GVirConnection *conn, gconstpointer handle);

    /*
     * Families with a companion per object (networks, pools: their
     * GVirObjectEvents subclass says which family it is); NULL otherwise.
     */
    const gchar *signal_prefix;         /* "network-": the companion's signals drop it */
    gboolean (*get_uuid) (gconstpointer handle, gchar uuid[VIR_UUID_STRING_BUFLEN]);
    virConnectPtr (*get_connect) (gconstpointer handle);
    gboolean (*is_gone) (virConnectPtr conn, const gchar *uuid);
    guint gone_events;                  /* a bit per lifecycle event after which to ask */
} GVirEventFamily;

extern const GVirEventFamily _gvir_event_domain_family;

typedef struct {
    GVirObjectEventKind kind;
    const GVirEventFamily *family;
    int virt_id;                        /* VIR_NETWORK_EVENT_ID_* ... */
    const gchar *virt_id_name;
    GVirEventsCallback callback;
    guint n_params;                     /* an enum first is the detail, by its nick */
    GVirEventParam params[GVIR_OBJECT_EVENT_MAX_PARAMS];
} GVirObjectEventSpec;

/* One emission of an object event; values[0] is left for the instance, [1] for the object. */
typedef struct {
    const GVirObjectEventSpec *spec;
    gconstpointer handle;               /* the virNetworkPtr... */
    GValue values[2 + GVIR_OBJECT_EVENT_MAX_PARAMS];
    GQuark detail;
    GMainContext *context;              /* where the companions emit (NULL: the global default) */
} GVirObjectEmission;

const GVirObjectEventSpec *_gvir_object_event_spec_for_kind (GVirObjectEventKind kind);
const gchar         *_gvir_object_event_kind_name   (GVirObjectEventKind kind);
GType                _gvir_object_event_param_type  (const GVirObjectEventSpec *spec,
                                                     guint                      i);
void                 _gvir_object_emission_decode   (GVirObjectEmission  *em,
                                                     const GVirEventRaw  *raw);
void                 _gvir_object_emission_clear    (GVirObjectEmission  *em);
GVariant            *_gvir_object_emission_payload_new (const GVirObjectEmission *em);

G_END_DECLS
