/*
 * gvir-domain-list.c: the domains of a connection as a GListModel of their
 * GVirDomainEvents companions (gvir_connection_events_get_domains())
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-domain-events-private.h"
#include "gvir-events-util-private.h"
#include "gvir-domain-state-private.h"
#include "gvir-domain-list-private.h"

/*
 * The model is a consumer of the companion's public signals, like any
 * program: `domain-event::lifecycle` tells it what to add and remove, and
 * `notify::connected` when to list again (a reconnection) or to empty
 * itself (the program closed the connection).  Nothing of the hub calls
 * it; an event costs the model nothing until one exists.
 *
 * Membership follows libvirt's rules, from two facts per domain learned
 * at the listing and kept by the events: persistent (defined) and active.
 * A domain is listed while it is either.  `defined` makes it persistent,
 * `undefined` not; `started` makes it active, `stopped` not.
 *
 * A listing runs on a worker (virConnectGetAllDomainStats() with the
 * state, and the transient domains: two round trips, whatever the number
 * of domains), then is applied here, in the companion's main context.
 * Events that arrive while it runs are queued and replayed after it, in
 * order: the listing is older than them.  A listing after a reconnection
 * is applied as a difference: a domain there before and after stays where
 * it is, the same item.
 */

typedef struct {
    GVirDomainEvents *companion;
    gboolean persistent;
    gboolean active;
} Entry;

struct _GVirDomainList {
    GObject parent_instance;

    GWeakRef owner;                 /* the GVirConnectionEvents */
    GPtrArray *items;               /* GVirDomainEvents, strong, in model order */
    GHashTable *entries;            /* uuid string -> Entry */
    guint generation;               /* one more per listing or clearing: late answers are dropped */
    gboolean listing;               /* a listing is in flight: events are queued */
    gboolean filled;
    GArray *queue;                  /* QueuedEvent */
    GArray *to_apply;               /* Listed: a listing being applied, chunk by chunk */
    guint applied;                  /* how much of it */
    GSource *apply_source;
};

typedef struct {
    GVirDomain *domain;
    gchar *uuid;
    int event;
    int detail;
} QueuedEvent;

static void gvir_domain_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GVirDomainList, gvir_domain_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, gvir_domain_list_model_init))

static void
entry_free (gpointer data)
{
    Entry *entry = data;

    g_object_unref (entry->companion);
    g_free (entry);
}

static void
queued_event_clear (gpointer data)
{
    QueuedEvent *q = data;

    g_clear_object (&q->domain);
    g_clear_pointer (&q->uuid, g_free);
}

static GType
gvir_domain_list_get_item_type (GListModel *model G_GNUC_UNUSED)
{
    return GVIR_TYPE_DOMAIN_EVENTS;
}

static guint
gvir_domain_list_get_n_items (GListModel *model)
{
    return GVIR_DOMAIN_LIST (model)->items->len;
}

static gpointer
gvir_domain_list_get_item (GListModel *model, guint position)
{
    GVirDomainList *self = GVIR_DOMAIN_LIST (model);

    if (position >= self->items->len)
        return NULL;
    return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
gvir_domain_list_model_init (GListModelInterface *iface)
{
    iface->get_item_type = gvir_domain_list_get_item_type;
    iface->get_n_items = gvir_domain_list_get_n_items;
    iface->get_item = gvir_domain_list_get_item;
}

static void stop_applying (GVirDomainList *self);

static void
gvir_domain_list_finalize (GObject *object)
{
    GVirDomainList *self = GVIR_DOMAIN_LIST (object);

    g_weak_ref_clear (&self->owner);
    stop_applying (self);
    g_ptr_array_unref (self->items);
    g_hash_table_unref (self->entries);
    g_array_unref (self->queue);

    G_OBJECT_CLASS (gvir_domain_list_parent_class)->finalize (object);
}

static void
gvir_domain_list_class_init (GVirDomainListClass *klass)
{
    G_OBJECT_CLASS (klass)->finalize = gvir_domain_list_finalize;
}

static void
gvir_domain_list_init (GVirDomainList *self)
{
    g_weak_ref_init (&self->owner, NULL);
    self->items = g_ptr_array_new_with_free_func (g_object_unref);
    self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
    self->queue = g_array_new (FALSE, TRUE, sizeof (QueuedEvent));
    g_array_set_clear_func (self->queue, queued_event_clear);
}

gboolean
_gvir_domain_list_is_filled (GVirDomainList *self)
{
    g_return_val_if_fail (GVIR_IS_DOMAIN_LIST (self), FALSE);
    return self->filled && !self->listing;
}

static void
remove_at (GVirDomainList *self, guint position)
{
    g_ptr_array_remove_index (self->items, position);
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

static void
remove_entry (GVirDomainList *self, const gchar *uuid)
{
    Entry *entry = g_hash_table_lookup (self->entries, uuid);
    guint position;

    if (!entry)
        return;
    if (g_ptr_array_find (self->items, entry->companion, &position)) {
        g_hash_table_remove (self->entries, uuid);
        remove_at (self, position);
    } else {
        g_hash_table_remove (self->entries, uuid);
    }
}

/* A new entry, appended; or the companion of one whose domain came back (a new companion). */
static Entry *
add_entry (GVirDomainList *self, const gchar *uuid, GVirDomainEvents *companion,
           gboolean persistent, gboolean active, gboolean notify)
{
    Entry *entry = g_hash_table_lookup (self->entries, uuid);
    guint position;

    if (entry) {
        if (entry->companion != companion &&
            g_ptr_array_find (self->items, entry->companion, &position)) {
            GVirDomainEvents *old = entry->companion;

            entry->companion = g_object_ref (companion);
            g_ptr_array_index (self->items, position) = g_object_ref (companion);
            g_object_unref (old);       /* the entry's */
            g_object_unref (old);       /* the array's */
            if (notify)
                g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
        }
        entry->persistent = persistent;
        entry->active = active;
        return entry;
    }
    entry = g_new0 (Entry, 1);
    entry->companion = g_object_ref (companion);
    entry->persistent = persistent;
    entry->active = active;
    g_hash_table_insert (self->entries, g_strdup (uuid), entry);
    g_ptr_array_add (self->items, g_object_ref (companion));
    if (notify)
        g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    return entry;
}

/* One lifecycle event, in the companion's context, the model not listing. */
static void
apply_event (GVirDomainList *self, GVirDomain *domain, const gchar *uuid, int event, int detail)
{
    Entry *entry = g_hash_table_lookup (self->entries, uuid);
    GVirDomainEvents *companion;
    int state, reason;

    if (entry && _gvir_domain_events_is_gone (entry->companion) &&
        event != VIR_DOMAIN_EVENT_UNDEFINED && event != VIR_DOMAIN_EVENT_STOPPED) {
        /* the library let go of it (the domain was gone a moment): a new companion */
        entry = NULL;
    }
    switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED:
    case VIR_DOMAIN_EVENT_STARTED:
        if (entry) {
            if (event == VIR_DOMAIN_EVENT_DEFINED)
                entry->persistent = TRUE;
            else
                entry->active = TRUE;
            return;
        }
        /* a new domain: inactive if defined (an active one was listed already) */
        if (event == VIR_DOMAIN_EVENT_DEFINED) {
            state = VIR_DOMAIN_SHUTOFF;
            reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
        } else {
            _gvir_domain_state_after_event (event, detail, &state, &reason);
        }
        companion = _gvir_domain_events_get_for_domain_with_state (domain, state, reason);
        if (companion)
            add_entry (self, uuid, companion, event == VIR_DOMAIN_EVENT_DEFINED,
                       event == VIR_DOMAIN_EVENT_STARTED, TRUE);
        return;
    case VIR_DOMAIN_EVENT_UNDEFINED:
        if (entry) {
            entry->persistent = FALSE;
            if (!entry->active)
                remove_entry (self, uuid);
        }
        return;
    case VIR_DOMAIN_EVENT_STOPPED:
        if (entry) {
            entry->active = FALSE;
            if (!entry->persistent)
                remove_entry (self, uuid);
        }
        return;
    default:
        return;
    }
}

static void
on_lifecycle (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain,
              GVirEvent *event, gpointer data)
{
    GVirDomainList *self = data;
    GVariant *payload = gvir_event_get_payload (event);
    const gchar *uuid = gvir_event_get_domain_uuid (event);
    QueuedEvent q = { 0 };

    if (!uuid || !GVIR_IS_DOMAIN (domain) ||
        !g_variant_lookup (payload, "event", "i", &q.event) ||
        !g_variant_lookup (payload, "detail", "i", &q.detail))
        return;
    if (!self->listing) {
        apply_event (self, domain, uuid, q.event, q.detail);
        return;
    }
    q.domain = g_object_ref (domain);
    q.uuid = g_strdup (uuid);
    g_array_append_val (self->queue, q);
}

/* What a listing found. */
typedef struct {
    GVirDomain *domain;             /* a new wrapper */
    gchar uuid[VIR_UUID_STRING_BUFLEN];
    int state;                      /* -1 if not known */
    int reason;
    gboolean persistent;
} Listed;

static void
listed_clear (gpointer data)
{
    g_clear_object (&((Listed *) data)->domain);
}

/* Worker: two round trips whatever the number of domains. */
static void
list_in_thread (GTask *task, gpointer source G_GNUC_UNUSED, gpointer data,
                GCancellable *cancellable G_GNUC_UNUSED)
{
    virConnectPtr conn = data;
    GVirEventsSigpipeGuard sigpipe;
    virDomainStatsRecordPtr *records = NULL;
    virDomainPtr *doms = NULL, *transient = NULL;
    g_autoptr(GHashTable) transient_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GArray) listed = g_array_new (FALSE, TRUE, sizeof (Listed));
    g_autofree gchar *failure = NULL;
    int n, n_transient;

    g_array_set_clear_func (listed, listed_clear);
    _gvir_events_sigpipe_block (&sigpipe);
    n_transient = virConnectListAllDomains (conn, &transient, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
    if (n_transient < 0)
        failure = g_strdup (virGetLastErrorMessage ());
    for (int i = 0; i < n_transient; i++) {
        gchar uuid[VIR_UUID_STRING_BUFLEN];

        if (virDomainGetUUIDString (transient[i], uuid) == 0)
            g_hash_table_add (transient_set, g_strdup (uuid));
        virDomainFree (transient[i]);
    }
    g_free (transient);

    n = failure ? -1 : virConnectGetAllDomainStats (conn, VIR_DOMAIN_STATS_STATE, &records, 0);
    if (!failure && n >= 0) {
        for (int i = 0; i < n; i++) {
            Listed l = { 0 };

            if (virDomainGetUUIDString (records[i]->dom, l.uuid) < 0)
                continue;
            if (virTypedParamsGetInt (records[i]->params, records[i]->nparams, "state.state", &l.state) != 1 ||
                virTypedParamsGetInt (records[i]->params, records[i]->nparams, "state.reason", &l.reason) != 1)
                l.state = l.reason = -1;
            l.domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", records[i]->dom, NULL);
            l.persistent = !g_hash_table_contains (transient_set, l.uuid);
            g_array_append_val (listed, l);
        }
        virDomainStatsRecordListFree (records);
    } else if (!failure) {
        /* a driver without the statistics: the list, states unknown */
        virResetLastError ();
        n = virConnectListAllDomains (conn, &doms, 0);
        if (n < 0)
            failure = g_strdup (virGetLastErrorMessage ());
        for (int i = 0; i < n; i++) {
            Listed l = { 0 };

            if (virDomainGetUUIDString (doms[i], l.uuid) == 0) {
                l.state = l.reason = -1;
                l.domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", doms[i], NULL);
                l.persistent = !g_hash_table_contains (transient_set, l.uuid);
                g_array_append_val (listed, l);
            }
            virDomainFree (doms[i]);
        }
        g_free (doms);
    }
    virResetLastError ();
    _gvir_events_sigpipe_unblock (&sigpipe);

    if (failure)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 "Could not list the domains: %s", failure);
    else
        g_task_return_pointer (task, g_steal_pointer (&listed), (GDestroyNotify) g_array_unref);
}

/* The last state-changing event per domain: replayed once, no flicker. */
static void
replay_queue (GVirDomainList *self)
{
    g_autoptr(GHashTable) last_state = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GArray) queue = self->queue;
    g_autoptr(GVirConnectionEvents) owner = g_weak_ref_get (&self->owner);
    GMainContext *context = owner ? gvir_connection_events_get_main_context (owner) : NULL;

    self->queue = g_array_new (FALSE, TRUE, sizeof (QueuedEvent));
    g_array_set_clear_func (self->queue, queued_event_clear);
    for (guint i = 0; i < queue->len; i++) {
        QueuedEvent *q = &g_array_index (queue, QueuedEvent, i);
        int state, reason;

        apply_event (self, q->domain, q->uuid, q->event, q->detail);
        if (_gvir_domain_state_after_event (q->event, q->detail, &state, &reason))
            g_hash_table_insert (last_state, q->uuid, q);
    }
    /* a companion made by the listing did not hear these: the listing is older */
    {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init (&iter, last_state);
        while (g_hash_table_iter_next (&iter, NULL, &value)) {
            QueuedEvent *q = value;
            Entry *entry = g_hash_table_lookup (self->entries, q->uuid);
            int state, reason;

            _gvir_domain_state_after_event (q->event, q->detail, &state, &reason);
            if (entry && _gvir_domain_events_get_state (entry->companion) != state)
                _gvir_domain_events_set_state (entry->companion, state, reason, context);
        }
    }
}

typedef struct {
    GVirDomainList *self;
    guint generation;
} ListingData;

/*
 * The listing is applied here in chunks, one per main-loop iteration: at
 * 10,000 domains making the companions takes tens of milliseconds, which a
 * window must not freeze for.  Events keep being queued until the last
 * chunk, then are replayed.
 */
#define APPLY_CHUNK 500

static gboolean
apply_chunk (gpointer data)
{
    GVirDomainList *self = data;
    guint old_len = self->items->len;
    guint end = MIN (self->applied + APPLY_CHUNK, self->to_apply->len);

    for (; self->applied < end; self->applied++) {
        Listed *l = &g_array_index (self->to_apply, Listed, self->applied);
        Entry *entry = g_hash_table_lookup (self->entries, l->uuid);
        gboolean active = l->state >= 0 ? l->state != VIR_DOMAIN_SHUTOFF : !l->persistent;
        GVirDomainEvents *companion;

        if (entry) {
            entry->persistent = l->persistent;
            entry->active = active;
            continue;
        }
        companion = _gvir_domain_events_get_for_domain_with_state (l->domain, l->state, l->reason);
        if (companion)
            add_entry (self, l->uuid, companion, l->persistent, active, FALSE);
    }
    /* the new ones of this chunk, appended as one change */
    if (self->items->len > old_len)
        g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, self->items->len - old_len);
    if (self->applied < self->to_apply->len)
        return G_SOURCE_CONTINUE;

    g_clear_pointer (&self->to_apply, g_array_unref);
    g_clear_pointer (&self->apply_source, g_source_unref);
    self->listing = FALSE;
    self->filled = TRUE;
    replay_queue (self);
    return G_SOURCE_REMOVE;
}

static void
stop_applying (GVirDomainList *self)
{
    if (self->apply_source) {
        g_source_destroy (self->apply_source);
        g_clear_pointer (&self->apply_source, g_source_unref);
    }
    g_clear_pointer (&self->to_apply, g_array_unref);
}

static void
list_done (GObject *source G_GNUC_UNUSED, GAsyncResult *result, gpointer data)
{
    ListingData *ld = data;
    GVirDomainList *self = ld->self;
    g_autoptr(GError) error = NULL;
    GArray *listed = g_task_propagate_pointer (G_TASK (result), &error);
    g_autoptr(GHashTable) seen = NULL;
    g_autoptr(GVirConnectionEvents) owner = NULL;
    GMainContext *context;

    if (ld->generation != self->generation) {
        /* a newer listing, or the connection closed: this one is stale */
        g_clear_pointer (&listed, g_array_unref);
        g_object_unref (self);
        g_free (ld);
        return;
    }
    g_free (ld);
    if (!listed) {
        g_debug ("libvirt-gevents: %s", error->message);
        self->listing = FALSE;
        replay_queue (self);
        g_object_unref (self);
        return;
    }

    /* gone since the last listing (or with a companion the library let go): out, in place */
    seen = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < listed->len; i++)
        g_hash_table_add (seen, g_array_index (listed, Listed, i).uuid);
    for (guint i = self->items->len; i-- > 0;) {
        GVirDomainEvents *companion = g_ptr_array_index (self->items, i);
        gchar uuid[VIR_UUID_STRING_BUFLEN];

        _gvir_events_uuid_to_string (_gvir_domain_events_get_uuid (companion), uuid);
        if (!g_hash_table_contains (seen, uuid) || _gvir_domain_events_is_gone (companion))
            remove_entry (self, uuid);
    }

    /* the rest in chunks, the first one now */
    stop_applying (self);
    self->to_apply = listed;
    self->applied = 0;
    if (apply_chunk (self) == G_SOURCE_CONTINUE) {
        owner = g_weak_ref_get (&self->owner);
        context = owner ? gvir_connection_events_get_main_context (owner) : g_main_context_default ();
        self->apply_source = g_idle_source_new ();
        g_source_set_priority (self->apply_source, G_PRIORITY_DEFAULT);
        g_source_set_callback (self->apply_source, apply_chunk, g_object_ref (self), g_object_unref);
        g_source_set_name (self->apply_source, "[libvirt-gevents] domains listing");
        g_source_attach (self->apply_source, context);
    }
    g_object_unref (self);
}

static void
close_connect (gpointer conn)
{
    virConnectClose (conn);
}

static void
start_listing (GVirDomainList *self, GVirConnectionEvents *owner)
{
    GVirConnection *connection = gvir_connection_events_get_connection (owner);
    g_autoptr(GTask) task = NULL;
    virConnectPtr conn = NULL;
    GMainContext *context = gvir_connection_events_get_main_context (owner);
    ListingData *ld;

    self->generation++;
    stop_applying (self);
    self->listing = FALSE;
    if (!connection || !gvir_connection_is_open (connection))
        return;
    g_object_get (connection, "handle", &conn, NULL);
    if (!conn)
        return;
    self->listing = TRUE;
    ld = g_new0 (ListingData, 1);
    ld->self = g_object_ref (self);
    ld->generation = self->generation;
    /* the answer comes in the companion's context; no source object: nothing waits on it */
    g_main_context_push_thread_default (context);
    task = g_task_new (NULL, NULL, list_done, ld);
    g_main_context_pop_thread_default (context);
    g_task_set_source_tag (task, start_listing);
    g_task_set_name (task, "[libvirt-gevents] list domains");
    g_task_set_task_data (task, conn, close_connect);
    g_task_run_in_thread (task, list_in_thread);
}

/* The program closed the connection: every companion is gone, and so is every item. */
static void
clear (GVirDomainList *self)
{
    guint n = self->items->len;

    self->generation++;
    self->listing = FALSE;
    stop_applying (self);
    g_array_set_size (self->queue, 0);
    g_hash_table_remove_all (self->entries);
    g_ptr_array_set_size (self->items, 0);
    if (n > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static void
on_connected (GVirConnectionEvents *owner, GParamSpec *pspec G_GNUC_UNUSED, gpointer data)
{
    GVirDomainList *self = data;
    GVirConnection *connection = gvir_connection_events_get_connection (owner);

    if (gvir_connection_events_get_connected (owner))
        start_listing (self, owner);   /* reconnected, or opened again: what changed */
    else if (!connection || !gvir_connection_is_open (connection))
        clear (self);
    /* else a link died: the items wait for the reconnection, unchanged */
}

static GQuark
domains_quark (void)
{
    return g_quark_from_static_string ("gvir-connection-events-domains");
}

/**
 * gvir_connection_events_get_domains:
 * @self: a #GVirConnectionEvents
 *
 * Gets the domains of the connection as a #GListModel of their
 * #GVirDomainEvents companions: one item per domain, defined (persistent)
 * or running transient, each the very object
 * gvir_domain_events_get_for_domain() returns for it, so a view's row can
 * bind #GVirDomainEvents:state and connect the companion's signals, and
 * keeps them for as long as the domain exists.
 *
 * The first call starts listing the domains on a worker thread (two round
 * trips, whatever their number, which also tell each domain's
 * #GVirDomainEvents:state) and returns the model empty; it is filled when
 * the answer comes, with one #GListModel::items-changed per 500 domains
 * (one per main-loop iteration: 10,000 domains do not freeze a window).  From then on
 * the lifecycle events keep it current: a domain defined, or a transient
 * one started, is appended; a domain undefined while inactive, or a
 * transient one stopped, is removed.  After a reconnection (see
 * #GVirConnectionEvents:auto-reconnect) the domains are listed again and
 * only what changed during the outage changes: the items of the domains
 * there before and after stay where they are.  When the program closes the
 * connection the model empties; it fills again when the connection is
 * opened again.  #GListModel::items-changed is emitted in the connection's
 * main context (gvir_connection_events_set_main_context()); use the model
 * there.
 *
 * Items are in the order the daemon listed them, then in the order the
 * domains came; sort them with a `GtkSortListModel`.
 *
 * Returns: (transfer none): the domains of the connection, a #GListModel
 *   of #GVirDomainEvents owned by @self
 */
GListModel *
gvir_connection_events_get_domains (GVirConnectionEvents *self)
{
    GVirDomainList *list;

    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (self), NULL);

    list = g_object_get_qdata (G_OBJECT (self), domains_quark ());
    if (list)
        return G_LIST_MODEL (list);

    list = g_object_new (GVIR_TYPE_DOMAIN_LIST, NULL);
    g_weak_ref_set (&list->owner, self);
    g_object_set_qdata_full (G_OBJECT (self), domains_quark (), list, g_object_unref);
    g_signal_connect_object (self, "domain-event::lifecycle", G_CALLBACK (on_lifecycle), list, 0);
    g_signal_connect_object (self, "notify::connected", G_CALLBACK (on_connected), list, 0);
    start_listing (list, self);
    return G_LIST_MODEL (list);
}
