/*
 * gvir-guest-users-private.h: guest user logon and logoff, asked of the
 * guest agent for a domain companion
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gvir-event-table-private.h"

G_BEGIN_DECLS

/*
 * The poller names no companion: its owner (a domain companion) gives it
 * its operations, and embeds a GVirGuestUsersSlot.  The poller itself is
 * allocated the first time a handler of the guest user signals is found
 * connected; until then an owner costs its slot.  Locks: tickers_lock and
 * each poller's lock, both taken only in gvir-guest-users.c and never held
 * across a call of the owner's operations.
 */

typedef struct _GVirGuestUsers GVirGuestUsers;

typedef struct {
    /* New references to every owner that emits in context; no lock of ours held. */
    GPtrArray   *(*list)         (GMainContext *context);
    /* The owner's slot: any thread, any lock. */
    struct _GVirGuestUsersSlot *(*slot) (gpointer owner);
    /* The rest is called in the owner's main context, no lock of ours held. */
    gboolean     (*is_listening) (gpointer owner);   /* a handler of the guest user signals */
    gboolean     (*is_gone)      (gpointer owner);
    int          (*get_state)    (gpointer owner);   /* virDomainState, or -1 */
    virDomainPtr (*dup_handle)   (gpointer owner);   /* transfer full, or NULL */
    /* one user's logon or logoff (raw: user, user_domain, login_time_ms) */
    void         (*emit)         (gpointer owner, virDomainPtr dom, GVirDomainEventKind kind,
                                  const GVirEventRaw *raw);
} GVirGuestUsersOwnerOps;

/* What an owner holds: its poller, once a handler asked for one. */
typedef struct _GVirGuestUsersSlot {
    GVirGuestUsers *poller;         /* atomic; NULL until then */
} GVirGuestUsersSlot;

/* The default of guest-users-interval, in seconds. */
#define GVIR_GUEST_USERS_DEFAULT_INTERVAL 10

/*
 * The owner's side, any thread.  init when it is made (its context has a
 * ticker from then on), clear when it is disposed.  A poller is allocated
 * when the ticker finds a handler, when an agent or lifecycle event comes
 * while one is connected, or when the program sets an interval.
 */
void      _gvir_guest_users_slot_init         (GVirGuestUsersSlot           *slot,
                                               GMainContext                 *context,
                                               const GVirGuestUsersOwnerOps *ops);
void      _gvir_guest_users_slot_clear        (GVirGuestUsersSlot *slot);
guint     _gvir_guest_users_slot_get_interval (GVirGuestUsersSlot *slot);
/* A new interval restarts the count. */
void      _gvir_guest_users_slot_set_interval (GVirGuestUsersSlot           *slot,
                                               const GVirGuestUsersOwnerOps *ops,
                                               guint                         seconds);
/* After a reconnection: ask again at once.  The owner's context. */
void      _gvir_guest_users_slot_resync       (GVirGuestUsersSlot *slot);
/*
 * What an event says of the agent: agent-lifecycle, lifecycle started or
 * stopped (libvirt's event thread, before the emission).
 */
void      _gvir_guest_users_slot_observe      (GVirGuestUsersSlot           *slot,
                                               gpointer                      owner,
                                               const GVirGuestUsersOwnerOps *ops,
                                               const GVirEventEmission      *em);

/* The agent asked once, in a GTask thread (the public get_guest_users_async()). */
void      _gvir_guest_users_ask               (GObject            *source,
                                               virDomainPtr        dom,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
GVariant *_gvir_guest_users_ask_finish        (GAsyncResult       *result,
                                               GError            **error);
/* An answer of virDomainGetGuestInfo as the list of users (aa{sv}); tests call it. */
GVariant *_gvir_guest_users_from_params       (virTypedParameterPtr params,
                                               int                  nparams);

G_END_DECLS
