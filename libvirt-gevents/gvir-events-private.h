/*
 * gvir-events-private.h: what the libvirt-gevents types share
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <signal.h>
#include <libvirt/libvirt.h>
#include <libvirt-gconfig/libvirt-gconfig.h>

#include "libvirt-gevents.h"
#include "gvir-events-text.h"

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

typedef struct _GVirEventsHub GVirEventsHub;
typedef struct _GVirEventSpec GVirEventSpec;

/* libvirt's callback arguments after the domain, as the C trampoline got them. */
typedef union {
    int i;
    unsigned int u;
    long long ll;
    unsigned long long ull;
    const char *s;
    const void *p;
} GVirEventRaw;

/* The typed arguments of one emission; values[0] is left for the instance. */
typedef struct {
    const GVirEventSpec *spec;
    GValue values[1 + GVIR_EVENT_MAX_PARAMS];
    GQuark detail;
    const guint8 *uuid;         /* the domain's, VIR_UUID_BUFLEN bytes */
    GVirDomainEvents *watcher;  /* the domain's companion, if it has one */
    guint n_connections;        /* domain-event listeners */
    gboolean synthesized;       /* made up after a reconnection */
    /*
     * The bytes (`ay`) of string argument i when libvirt's were not UTF-8:
     * values[1 + i] holds them repaired.  NULL for valid ones (nearly all).
     */
    GVariant *raw_bytes[GVIR_EVENT_MAX_PARAMS];
} GVirEventEmission;

/*
 * Turns the raw arguments into em->values.  May pick another spec of the
 * same libvirt ID (graphics), and returns FALSE to drop a duplicate.
 */
typedef gboolean (*GVirEventDecodeFunc) (GVirEventsHub       *hub,
                                         virDomainPtr         dom,
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

const GVirEventSpec *gvir_event_spec_for_kind    (GVirDomainEventKind kind);
const GVirEventSpec *gvir_event_spec_for_virt_id (int virt_id);
const gchar         *gvir_event_kind_name        (GVirDomainEventKind kind);
GType                gvir_event_spec_param_type  (const GVirEventSpec *spec,
                                                  guint                i);
gboolean             gvir_event_emission_decode  (GVirEventEmission   *em,
                                                  GVirEventsHub       *hub,
                                                  virDomainPtr         dom,
                                                  const GVirEventRaw  *raw);
void                 gvir_event_emission_clear   (GVirEventEmission   *em);
GVariant            *gvir_event_payload_new      (const GVirEventSpec *spec,
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

    /* Families with a companion per object (GVirNetworkEvents...); NULL otherwise. */
    const gchar *signal_prefix;         /* "network-": the companion's signals drop it */
    GType (*companion_type) (void);
    gboolean (*get_uuid) (gconstpointer handle, gchar uuid[VIR_UUID_STRING_BUFLEN]);
    virConnectPtr (*get_connect) (gconstpointer handle);
    gboolean (*is_gone) (virConnectPtr conn, const gchar *uuid);
    guint gone_events;                  /* a bit per lifecycle event after which to ask */
} GVirEventFamily;

extern const GVirEventFamily gvir_event_domain_family;

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
} GVirObjectEmission;

const GVirObjectEventSpec *gvir_object_event_spec_for_kind (GVirObjectEventKind kind);
const gchar         *gvir_object_event_kind_name   (GVirObjectEventKind kind);
GType                gvir_object_event_param_type  (const GVirObjectEventSpec *spec,
                                                    guint                      i);
void                 gvir_object_emission_decode   (GVirObjectEmission  *em,
                                                    const GVirEventRaw  *raw);
void                 gvir_object_emission_clear    (GVirObjectEmission  *em);
GVariant            *gvir_object_emission_payload_new (const GVirObjectEmission *em);
guint                gvir_events_signal_new        (const gchar          *name,
                                                    GType                 itype,
                                                    gboolean              detailed,
                                                    guint                 n_params,
                                                    const GType          *types);

/*
 * The hub: one per virConnectPtr, shared by the GVirConnectionEvents of the
 * GVirConnection and by every GVirDomainEvents of the connection's domains.
 * It holds the libvirt registrations and the UUID table of watched domains.
 */

/* What libvirt's opaque pointer is: one slot per registered event ID. */
typedef struct {
    GVirEventsHub *hub;
    int virt_id;
    int callback_id;            /* -1 when not registered */
    const GVirObjectEventSpec *object;  /* NULL for a domain event ID */
} GVirEventsSlot;

GVirEventsHub  *gvir_events_hub_acquire           (virConnectPtr conn);
GVirEventsHub  *gvir_events_hub_ref               (GVirEventsHub *hub);
void            gvir_events_hub_unref             (GVirEventsHub *hub);
void            gvir_events_hub_shutdown          (GVirEventsHub *hub);
gboolean        gvir_events_hub_supports          (GVirEventsHub *hub,
                                                   int            virt_id);
GVirEventsSlot *gvir_events_hub_get_slot          (GVirEventsHub *hub,
                                                   int            virt_id);
gboolean        gvir_events_hub_supports_object   (GVirEventsHub      *hub,
                                                   GVirObjectEventKind kind);
GVirEventsSlot *gvir_events_hub_get_object_slot   (GVirEventsHub      *hub,
                                                   GVirObjectEventKind kind);
GVirDomainEvents *gvir_events_hub_get_domain_events (GVirEventsHub *hub,
                                                     const guint8  *uuid,
                                                     GVirDomain    *domain);
/* Reconnection (see "Links" in gvir-events-hub.c). */
gboolean        gvir_events_hub_add_link          (GVirEventsHub *hub,
                                                   virConnectPtr  conn);
void            gvir_events_hub_register_link     (GVirEventsHub *hub);
void            gvir_events_hub_set_may_reconnect (GVirEventsHub *hub);
gboolean        gvir_events_hub_may_reconnect     (GVirEventsHub *hub);
void            gvir_events_hub_list_companions   (GVirEventsHub *hub,
                                                   GPtrArray    **domains,
                                                   GPtrArray    **objects);
void            gvir_events_hub_forget_object     (GVirEventsHub *hub,
                                                   const gchar   *key);
void            gvir_events_hub_synthesize_object (GVirEventsHub      *hub,
                                                   GVirObjectEventKind kind,
                                                   gconstpointer       handle,
                                                   const GVirEventRaw *raw);
void            gvir_events_hub_dispatch_polled   (virDomainPtr        dom,
                                                   GVirDomainEventKind kind,
                                                   const GVirEventRaw *raw);
void            gvir_events_hub_synthesize        (GVirEventsHub      *hub,
                                                   virDomainPtr        dom,
                                                   const GVirEventRaw *raw);
void            gvir_events_hub_forget_domain     (GVirEventsHub *hub,
                                                   const guint8  *uuid);
gboolean        gvir_events_hub_add_connection    (GVirEventsHub        *hub,
                                                   GVirConnectionEvents *watcher);
void            gvir_events_hub_remove_connection (GVirEventsHub        *hub,
                                                   GVirConnectionEvents *watcher);
/*
 * Tests only: lets a test stop a thread at a point where another thread can
 * race it, to prove a race cannot hurt.  NULL in programs.
 */
typedef enum {
    GVIR_EVENTS_HUB_HOOK_REGISTER,  /* data: the virConnectPtr, before its registrations */
    GVIR_EVENTS_HUB_HOOK_DISPATCH,  /* data: the GVirEventsSlot, before the hub is touched */
} GVirEventsHubHookPoint;
extern void (*gvir_events_hub_test_hook) (GVirEventsHubHookPoint point, gpointer data);
/* Tests only: the hubs allocated now (shut down or not). */
guint           gvir_events_hub_n_allocated       (void);

void            gvir_events_hub_dispatch          (GVirEventsSlot     *slot,
                                                   virDomainPtr        dom,
                                                   const GVirEventRaw *raw);

GVirObjectEvents *gvir_events_hub_get_object_events (GVirEventsHub         *hub,
                                                     const GVirEventFamily *family,
                                                     const gchar           *uuid,
                                                     GObject               *object);
void            gvir_events_hub_dispatch_object   (GVirEventsSlot     *slot,
                                                   gconstpointer       handle,
                                                   const GVirEventRaw *raw);

/* What the hub knows of a domain's devices, from its live XML. */
gchar          *gvir_events_hub_disk_target       (GVirEventsHub *hub,
                                                   virDomainPtr   dom,
                                                   const gchar   *alias);
GVirGraphicsProtocol gvir_events_hub_graphics_protocol (GVirEventsHub *hub,
                                                        virDomainPtr   dom,
                                                        int            local_family,
                                                        const gchar   *local_node,
                                                        const gchar   *local_service);
gboolean        gvir_events_hub_watermark_is_repeat (GVirEventsHub *hub,
                                                     virDomainPtr   dom,
                                                     const gchar   *disk,
                                                     gboolean       indexed,
                                                     const gchar   *path,
                                                     guint64        threshold,
                                                     guint64        excess);

/* The canonical string form of a UUID, without libvirt's debug formatting. */
void            gvir_events_uuid_to_string        (const guint8 *uuid,
                                                   gchar         out[VIR_UUID_STRING_BUFLEN]);

/* The device map of one domain, parsed from its live XML. */
typedef struct _GVirDomainDevices GVirDomainDevices;
GVirDomainDevices   *gvir_domain_devices_new_from_xml  (const gchar       *xml,
                                                        GError           **error);
void                 gvir_domain_devices_free          (GVirDomainDevices *devices);
const gchar         *gvir_domain_devices_disk_target   (GVirDomainDevices *devices,
                                                        const gchar       *alias);
gboolean             gvir_domain_devices_graphics_protocol (GVirDomainDevices    *devices,
                                                            int                   local_family,
                                                            const gchar          *local_node,
                                                            const gchar          *local_service,
                                                            GVirGraphicsProtocol *protocol);

/*
 * Emits signal_id with values (the instance first) in context: at once if
 * this thread runs context, else from an idle there, with copies of the
 * values (libvirt's strings die with its callback).
 */
/*
 * The main context of the hub's connection, with a reference; NULL for the
 * global default.  Under the hub's lock (the companions' constructors).
 */
GMainContext *gvir_events_hub_dup_context_locked (GVirEventsHub *hub);
/* FALSE if a companion of the hub's already emits in another context. */
gboolean      gvir_events_hub_set_context        (GVirEventsHub *hub,
                                                  GMainContext  *context);
void    gvir_events_emit_in_context        (GMainContext *context,
                                            guint         signal_id,
                                            GQuark        detail,
                                            guint         n_values,
                                            const GValue *values);

/* Per-type emission, called by the hub. */
guint   gvir_domain_events_signal_id       (GVirDomainEventKind kind);
GVirDomainEvents *gvir_domain_events_new   (GVirEventsHub     *hub,
                                            const guint8      *uuid,
                                            GVirDomain        *domain);
void    gvir_domain_events_set_gone        (GVirDomainEvents  *self);
gboolean gvir_domain_events_wants          (GVirDomainEvents  *self,
                                            int                virt_id);
void    gvir_domain_events_emit            (GVirDomainEvents  *self,
                                            GVirEventEmission *em);
const guint8 *gvir_domain_events_get_uuid  (GVirDomainEvents  *self);
GVirDomain *gvir_domain_events_peek_domain (GVirDomainEvents  *self);
void    gvir_domain_events_set_domain      (GVirDomainEvents  *self,
                                            GVirDomain        *domain);
int     gvir_domain_events_get_state       (GVirDomainEvents  *self);
void    gvir_domain_events_learn_state     (GVirDomainEvents  *self,
                                            virDomainPtr       handle);
void    gvir_domain_events_resync          (GVirDomainEvents  *self);
gboolean gvir_event_emission_is_heard      (const GVirEventEmission *em);
gboolean gvir_connection_events_wants      (GVirConnectionEvents *self);
gboolean gvir_connection_events_wants_object (GVirConnectionEvents *self,
                                              GVirObjectEventKind   kind);
void    gvir_connection_events_emit_object (GVirConnectionEvents *self,
                                            GVirObjectEmission   *em);
void    gvir_connection_events_emit        (GVirConnectionEvents *self,
                                            virDomainPtr          dom,
                                            GVirDomain           *domain,
                                            GVirEventEmission    *em);

/* The per-object companions of networks and pools (gvir-object-events.c). */
GVirObjectEvents *gvir_object_events_new   (GVirEventsHub         *hub,
                                            const GVirEventFamily *family,
                                            const gchar           *uuid,
                                            GObject               *object);
const gchar *gvir_object_events_get_key    (GVirObjectEvents  *self);
const GVirEventFamily *gvir_object_events_get_family (GVirObjectEvents *self);
void    gvir_object_events_set_object      (GVirObjectEvents  *self,
                                            GObject           *object);
void    gvir_object_events_emit            (GVirObjectEvents  *self,
                                            GVirObjectEmission *em);

/* Guest users (gvir-guest-users.c): the agent polling of one domain companion. */
typedef struct _GVirGuestUsers GVirGuestUsers;
GVirGuestUsers *gvir_guest_users_new          (GVirDomainEvents  *owner,
                                               GMainContext      *context,
                                               guint              interval);
GVirGuestUsers *gvir_guest_users_ref          (GVirGuestUsers    *self);
void            gvir_guest_users_unref        (GVirGuestUsers    *self);
void            gvir_guest_users_dispose      (GVirGuestUsers    *self);
void            gvir_guest_users_set_interval (GVirGuestUsers    *self,
                                               guint              seconds);
void            gvir_guest_users_resync       (GVirGuestUsers    *self);
void            gvir_guest_users_observe      (GVirGuestUsers    *self,
                                               const GVirEventEmission *em);
void            gvir_guest_users_ask          (GObject           *source,
                                               virDomainPtr       dom,
                                               GCancellable      *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer           user_data);
GVariant       *gvir_guest_users_ask_finish   (GAsyncResult      *result,
                                               GError           **error);
/* An answer of virDomainGetGuestInfo as the list of users (aa{sv}); tests call it. */
GVariant       *gvir_guest_users_from_params  (virTypedParameterPtr params,
                                               int                  nparams);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirGuestUsers, gvir_guest_users_unref)
gboolean gvir_domain_events_is_gone        (GVirDomainEvents  *self);

/* Constructors of the immutable records. */
GVirGraphicsClient *gvir_graphics_client_new (GVirGraphicsProtocol protocol,
                                              int                  phase,
                                              const virDomainEventGraphicsAddress *local,
                                              const virDomainEventGraphicsAddress *remote,
                                              const gchar         *auth_scheme,
                                              const virDomainEventGraphicsSubject *subject);
GVariant  *gvir_graphics_client_to_variant (GVirGraphicsClient *self);
GVirEvent *gvir_event_new (virDomainPtr             dom,
                           const GVirEventEmission *em);

/* libvirt's remote driver writes to its socket with write(2): a daemon that
 * dies while a worker thread of ours talks to it raises SIGPIPE, whose
 * default action kills the program (virsh and Python ignore it; a C, GJS or
 * GTK program may not).  Our worker threads block it for their libvirt calls
 * and swallow the one they raised. */
typedef struct {
    sigset_t old_mask;
    gboolean was_pending;
} GVirEventsSigpipeGuard;

void gvir_events_sigpipe_block   (GVirEventsSigpipeGuard *guard);
void gvir_events_sigpipe_unblock (GVirEventsSigpipeGuard *guard);

G_END_DECLS
