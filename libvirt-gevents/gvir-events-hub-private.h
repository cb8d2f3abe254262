/*
 * gvir-events-hub-private.h: one set of libvirt registrations per
 * connection, fanned out to the companions of its domains and objects
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gvir-event-table-private.h"

G_BEGIN_DECLS

/*
 * The hub: one per connection, shared by the GVirConnectionEvents of the
 * GVirConnection and by every companion of the connection's domains,
 * networks and pools.  It holds the libvirt registrations and the tables
 * of watched domains and objects, and outlives the death of its link (see
 * "Links" in gvir-events-hub.c).
 *
 * It names no companion: each table reaches its members through the ops a
 * companion gives when it is added (gvir-domain-events.c gives the domain
 * ops, gvir-object-events.c the object ops, gvir-connection-events.c the
 * listener ops).  Its lock (hub->lock) is taken only in gvir-events-hub.c;
 * the ops marked "under the hub's lock" must take no lock of the
 * library's, and nothing else is called with it held.  Every function
 * here may be called from any thread, with no lock of the library's held
 * (but GVirConnectionEvents' own, which comes first: docs/design.md,
 * "Layers"), takes the hub's lock only for moments, and makes no RPC
 * unless it says so.
 */

typedef struct _GVirEventsHub GVirEventsHub;

/* What libvirt's opaque pointer is: one slot per registered event ID. */
typedef struct {
    GVirEventSink sink;         /* first: the trampolines call sink.dispatch */
    GVirEventsHub *hub;
    int virt_id;
    int callback_id;            /* -1 when not registered */
    const GVirObjectEventSpec *object;  /* NULL for a domain event ID */
} GVirEventsSlot;

/* The domain companions' ops. */
typedef struct {
    /* any handler of a signal of this libvirt ID; any thread, no lock of ours held */
    gboolean (*wants) (gpointer companion, int virt_id);
    /* the decoded event (em->values[0] is the companion's to fill); libvirt's event thread */
    void     (*emit)  (gpointer companion, GVirEventEmission *em);
    /* the hub let go of it: it will hear nothing more; under the hub's lock */
    void     (*gone)  (gpointer companion);
} GVirEventsDomainOps;

/* The network and pool companions' ops. */
typedef struct {
    void     (*emit)  (gpointer companion, GVirObjectEmission *em);
} GVirEventsObjectOps;

/* The connection companions' ops: they hear every domain's events. */
typedef struct {
    /* a domain-event handler, or an object event one of this kind; under the hub's lock */
    gboolean (*wants)        (gpointer listener);
    gboolean (*wants_object) (gpointer listener, GVirObjectEventKind kind);
    /* domain_companion: the domain's, if it has one; libvirt's event thread */
    void     (*emit)         (gpointer listener, virDomainPtr dom, gpointer domain_companion,
                              GVirEventEmission *em);
    void     (*emit_object)  (gpointer listener, GVirObjectEmission *em);
} GVirEventsListenerOps;

/*
 * The live hub of a link, with a reference, made and registered the first
 * time (RPCs, outside every lock of ours: only threads that want this very
 * link wait for them); NULL with a critical for a closed link no hub knows.
 */
GVirEventsHub  *_gvir_events_hub_acquire           (virConnectPtr conn);
/* The live hub of a link, with a reference, or NULL: nothing made, nothing said. */
GVirEventsHub  *_gvir_events_hub_lookup            (virConnectPtr conn);
GVirEventsHub  *_gvir_events_hub_ref               (GVirEventsHub *hub);
void            _gvir_events_hub_unref             (GVirEventsHub *hub);
/* Deregisters (RPCs), lets go of every companion; idempotent, any thread. */
void            _gvir_events_hub_shutdown          (GVirEventsHub *hub);
gboolean        _gvir_events_hub_supports          (GVirEventsHub *hub,
                                                    int            virt_id);
gboolean        _gvir_events_hub_supports_object   (GVirEventsHub      *hub,
                                                    GVirObjectEventKind kind);

/*
 * The companions.  A companion is made by its own file, by make, outside
 * the hub's lock, in the context the hub's companions emit in; *key is set
 * to its own copy of the key, which the table uses while it holds it.  The
 * first one made for a key stays (a loser made in a race is dropped).
 */
typedef gpointer (*GVirEventsMakeFunc) (GMainContext  *context,
                                        gpointer       data,
                                        gconstpointer *key);
/*
 * The companion of a key, made the first time, with a reference; NULL if
 * the hub shut down meanwhile (acquire a new hub).  Any thread.
 */
gpointer        _gvir_events_hub_get_domain        (GVirEventsHub             *hub,
                                                    const guint8              *uuid,
                                                    GVirEventsMakeFunc         make,
                                                    gpointer                   data,
                                                    const GVirEventsDomainOps *ops);
gpointer        _gvir_events_hub_get_object        (GVirEventsHub             *hub,
                                                    const gchar               *key,
                                                    GVirEventsMakeFunc         make,
                                                    gpointer                   data,
                                                    const GVirEventsObjectOps *ops);
/* FALSE if the hub shut down meanwhile: the caller acquires a new one. */
gboolean        _gvir_events_hub_add_listener      (GVirEventsHub               *hub,
                                                    gpointer                     listener,
                                                    const GVirEventsListenerOps *ops);
void            _gvir_events_hub_remove_listener   (GVirEventsHub *hub,
                                                    gpointer       listener);
/*
 * The companion is gone from the connection: the hub lets go of it, and
 * shuts down (RPCs) if it was the last of the hub's companions and listeners.
 */
void            _gvir_events_hub_forget_domain     (GVirEventsHub *hub,
                                                    const guint8  *uuid);
void            _gvir_events_hub_forget_object     (GVirEventsHub *hub,
                                                    const gchar   *key);
/* New references to every domain and object companion, for a resync. */
void            _gvir_events_hub_list_companions   (GVirEventsHub *hub,
                                                    GPtrArray    **domains,
                                                    GPtrArray    **objects);

/*
 * New references to the domain companions of every live hub whose
 * companions emit in context (NULL: the global default); any thread, no
 * lock of ours held.
 */
GPtrArray      *_gvir_events_hub_list_domains_in_context (GMainContext *context);

/*
 * Where companions emit (a reference; NULL: the global default; never the
 * thread-default context of whoever asked first).  It can be set while the
 * hub has no domain or object companion (FALSE otherwise).
 */
GMainContext   *_gvir_events_hub_dup_context       (GVirEventsHub *hub);
gboolean        _gvir_events_hub_set_context       (GVirEventsHub *hub,
                                                    GMainContext  *context);

/* Reconnection (see "Links" in gvir-events-hub.c). */
gboolean        _gvir_events_hub_add_link          (GVirEventsHub *hub,
                                                    virConnectPtr  conn);
/* RPCs: a worker thread. */
void            _gvir_events_hub_register_link     (GVirEventsHub *hub);
void            _gvir_events_hub_set_may_reconnect (GVirEventsHub *hub);
gboolean        _gvir_events_hub_may_reconnect     (GVirEventsHub *hub);

/*
 * Events the library makes itself, delivered as libvirt's would be: the
 * lifecycle events that explain an outage (synthesized), the network and
 * pool ones that tell an object went during it, and the guest users'
 * (polled; a no-op if the domain's connection has no live hub).  The
 * calling thread: the companions' main context, where they come from.
 */
void            _gvir_events_hub_synthesize        (GVirEventsHub      *hub,
                                                    virDomainPtr        dom,
                                                    const GVirEventRaw *raw);
void            _gvir_events_hub_synthesize_object (GVirEventsHub      *hub,
                                                    GVirObjectEventKind kind,
                                                    gconstpointer       handle,
                                                    const GVirEventRaw *raw);
void            _gvir_events_hub_dispatch_polled   (virDomainPtr        dom,
                                                    GVirDomainEventKind kind,
                                                    const GVirEventRaw *raw);

/*
 * Tests only: the slots' dispatch as the trampolines call it, the slots
 * themselves, and a hook that stops a thread at a point where another can
 * race it, to prove a race cannot hurt.  NULL in programs.
 */
void            _gvir_events_hub_dispatch          (GVirEventsSlot     *slot,
                                                    virDomainPtr        dom,
                                                    const GVirEventRaw *raw);
void            _gvir_events_hub_dispatch_object   (GVirEventsSlot     *slot,
                                                    gconstpointer       handle,
                                                    const GVirEventRaw *raw);
GVirEventsSlot *_gvir_events_hub_get_slot          (GVirEventsHub *hub,
                                                    int            virt_id);
GVirEventsSlot *_gvir_events_hub_get_object_slot   (GVirEventsHub      *hub,
                                                    GVirObjectEventKind kind);
typedef enum {
    GVIR_EVENTS_HUB_HOOK_REGISTER,  /* data: the virConnectPtr, before its registrations */
    GVIR_EVENTS_HUB_HOOK_DISPATCH,  /* data: the GVirEventsSlot, before the hub is touched */
} GVirEventsHubHookPoint;
extern void (*_gvir_events_hub_test_hook) (GVirEventsHubHookPoint point, gpointer data);
/* The hubs allocated now (shut down or not). */
guint           _gvir_events_hub_n_allocated       (void);

G_END_DECLS
