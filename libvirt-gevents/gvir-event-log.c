/*
 * gvir-event-log.c: the domain events of a connection as a bounded GListModel
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "libvirt-gevents.h"
#include "gvir-event-log.h"

/**
 * SECTION:gvir-event-log
 * @title: GVirEventLog
 * @short_description: the last events of a connection, as a list model
 * @see_also: #GVirConnectionEvents, #GVirEvent
 *
 * A #GVirEventLog records every domain event of a connection (each
 * #GVirConnectionEvents::domain-event of its #GVirEventLog:source) as a
 * #GVirEvent, oldest first, and is a #GListModel of them: a GTK 4 program
 * shows it in a `GtkListView` or `GtkColumnView`, filters it with a
 * `GtkFilterListModel`, sorts it with a `GtkSortListModel`.
 *
 * |[<!-- language="C" -->
 * GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
 * g_autoptr(GVirEventLog) log = gvir_event_log_new (events, 500);
 *
 * // in a GTK 4 program: gtk_list_view_new (GTK_SELECTION_MODEL (
 * //     gtk_no_selection_new (G_LIST_MODEL (g_object_ref (log)))), factory);
 * g_print ("%u events so far\n", g_list_model_get_n_items (G_LIST_MODEL (log)));
 * ]|
 *
 * When it holds #GVirEventLog:capacity events, the oldest go as new ones
 * come.  The events that arrive in one iteration of the connection's main
 * context are one #GListModel::items-changed, emitted in that context
 * (gvir_connection_events_get_main_context()): a burst of a thousand
 * events costs a view one update.  Without eviction that change is the
 * new events appended (`position` the old length, `removed` 0); when the
 * oldest went, it is the whole list replaced (`position` 0, `removed`
 * the old length, `added` the new one), as every item moved.
 *
 * Use the log in that context (a view does); it may be dropped on any
 * thread.  The log costs nothing to a connection that has none; while one
 * exists, each domain event builds its #GVirEvent once, shared by the log
 * and every other #GVirConnectionEvents::domain-event handler.
 */

#define DEFAULT_CAPACITY 1000

struct _GVirEventLog {
    GObject parent_instance;

    GVirConnectionEvents *source;   /* strong; NULL for a log made without one */
    guint capacity;                 /* 0: unbounded */
    /* a ring of len events from head, in an array of alloc slots */
    GVirEvent **ring;
    guint alloc;
    guint head;
    guint len;
    GPtrArray *pending;             /* events of this iteration, not in the model yet */
    GSource *flush;
    gulong handler;                 /* on source's domain-event */
};

/*
 * What the domain-event handler holds: a weak reference, so that the log
 * may be dropped on any thread while the source emits on another (the
 * handler takes a strong one for the time it runs).
 */
typedef struct {
    GWeakRef log;
} Link;

static void
link_free (gpointer data, GClosure *closure G_GNUC_UNUSED)
{
    Link *link = data;

    g_weak_ref_clear (&link->log);
    g_free (link);
}

static void gvir_event_log_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GVirEventLog, gvir_event_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, gvir_event_log_list_model_init))

enum {
    PROP_0,
    PROP_SOURCE,
    PROP_CAPACITY,
    N_PROPS
};

static GParamSpec *props[N_PROPS];

static GType
gvir_event_log_get_item_type (GListModel *model G_GNUC_UNUSED)
{
    return GVIR_TYPE_EVENT;
}

static guint
gvir_event_log_get_n_items (GListModel *model)
{
    return GVIR_EVENT_LOG (model)->len;
}

static gpointer
gvir_event_log_get_item (GListModel *model, guint position)
{
    GVirEventLog *self = GVIR_EVENT_LOG (model);

    if (position >= self->len)
        return NULL;
    return g_object_ref (self->ring[(self->head + position) % self->alloc]);
}

static void
gvir_event_log_list_model_init (GListModelInterface *iface)
{
    iface->get_item_type = gvir_event_log_get_item_type;
    iface->get_n_items = gvir_event_log_get_n_items;
    iface->get_item = gvir_event_log_get_item;
}

/* Appends one event; TRUE if the oldest went for it. */
static gboolean
ring_push (GVirEventLog *self, GVirEvent *event)
{
    if (self->capacity > 0 && self->len == self->capacity) {
        g_object_unref (self->ring[self->head]);
        self->ring[self->head] = g_object_ref (event);
        self->head = (self->head + 1) % self->alloc;
        return TRUE;
    }
    if (self->len == self->alloc) {
        guint alloc = MAX (16, self->alloc * 2);
        GVirEvent **ring;

        if (self->capacity > 0)
            alloc = MIN (alloc, self->capacity);
        ring = g_new (GVirEvent *, alloc);
        for (guint i = 0; i < self->len; i++)
            ring[i] = self->ring[(self->head + i) % self->alloc];
        g_free (self->ring);
        self->ring = ring;
        self->alloc = alloc;
        self->head = 0;
    }
    self->ring[(self->head + self->len) % self->alloc] = g_object_ref (event);
    self->len++;
    return FALSE;
}

static gboolean
flush (gpointer data)
{
    GVirEventLog *self = data;
    guint old_len = self->len;
    guint added = self->pending->len;
    gboolean evicted = FALSE;
    guint first = 0;

    g_clear_pointer (&self->flush, g_source_unref);
    /* more than the log holds: only the newest count */
    if (self->capacity > 0 && added > self->capacity)
        first = added - self->capacity;
    for (guint i = first; i < added; i++)
        evicted |= ring_push (self, g_ptr_array_index (self->pending, i));
    evicted |= first > 0;
    g_ptr_array_set_size (self->pending, 0);

    if (evicted)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->len);
    else if (added > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, added);
    return G_SOURCE_REMOVE;
}

static void
on_domain_event (GVirConnectionEvents *source, GVirDomain *domain G_GNUC_UNUSED,
                 GVirEvent *event, gpointer data)
{
    g_autoptr(GVirEventLog) self = g_weak_ref_get (&((Link *) data)->log);

    if (!self || !GVIR_IS_EVENT (event))
        return;
    g_ptr_array_add (self->pending, g_object_ref (event));
    if (self->flush)
        return;
    /* once per iteration of the source's context: the source holds us meanwhile */
    self->flush = g_idle_source_new ();
    g_source_set_priority (self->flush, G_PRIORITY_DEFAULT);
    g_source_set_callback (self->flush, flush, g_object_ref (self), g_object_unref);
    g_source_set_name (self->flush, "[libvirt-gevents] event log");
    g_source_attach (self->flush, gvir_connection_events_get_main_context (source));
}

static void
gvir_event_log_constructed (GObject *object)
{
    GVirEventLog *self = GVIR_EVENT_LOG (object);

    G_OBJECT_CLASS (gvir_event_log_parent_class)->constructed (object);

    /* without a source (a binding's default constructor) the log stays empty */
    if (self->source) {
        Link *link = g_new0 (Link, 1);

        g_weak_ref_init (&link->log, self);
        self->handler = g_signal_connect_data (self->source, "domain-event",
                                               G_CALLBACK (on_domain_event), link, link_free, 0);
    }
}

static void
gvir_event_log_dispose (GObject *object)
{
    GVirEventLog *self = GVIR_EVENT_LOG (object);

    if (self->source)
        g_clear_signal_handler (&self->handler, self->source);
    g_clear_object (&self->source);
    if (self->flush) {
        g_source_destroy (self->flush);
        g_clear_pointer (&self->flush, g_source_unref);
    }

    G_OBJECT_CLASS (gvir_event_log_parent_class)->dispose (object);
}

static void
gvir_event_log_finalize (GObject *object)
{
    GVirEventLog *self = GVIR_EVENT_LOG (object);

    for (guint i = 0; i < self->len; i++)
        g_object_unref (self->ring[(self->head + i) % self->alloc]);
    g_free (self->ring);
    g_ptr_array_unref (self->pending);

    G_OBJECT_CLASS (gvir_event_log_parent_class)->finalize (object);
}

static void
gvir_event_log_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GVirEventLog *self = GVIR_EVENT_LOG (object);

    switch (prop_id) {
    case PROP_SOURCE:   g_value_set_object (value, self->source); break;
    case PROP_CAPACITY: g_value_set_uint (value, self->capacity); break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_event_log_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GVirEventLog *self = GVIR_EVENT_LOG (object);

    switch (prop_id) {
    case PROP_SOURCE:   self->source = g_value_dup_object (value); break;
    case PROP_CAPACITY: self->capacity = g_value_get_uint (value); break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_event_log_class_init (GVirEventLogClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->constructed = gvir_event_log_constructed;
    object_class->dispose = gvir_event_log_dispose;
    object_class->finalize = gvir_event_log_finalize;
    object_class->get_property = gvir_event_log_get_property;
    object_class->set_property = gvir_event_log_set_property;

    /**
     * GVirEventLog:source:
     *
     * The connection companion whose domain events the log records.  A log
     * made without one (g_object_new() with no properties, a binding's
     * default constructor) records nothing.
     */
    props[PROP_SOURCE] =
        g_param_spec_object ("source", "Source", "The connection companion whose events are recorded",
                             GVIR_TYPE_CONNECTION_EVENTS,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    /**
     * GVirEventLog:capacity:
     *
     * How many events the log keeps: past it, the oldest go.  0 keeps every
     * event (mind the memory).
     */
    props[PROP_CAPACITY] =
        g_param_spec_uint ("capacity", "Capacity", "How many events the log keeps; 0: all",
                           0, G_MAXUINT, DEFAULT_CAPACITY,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gvir_event_log_init (GVirEventLog *self)
{
    self->capacity = DEFAULT_CAPACITY;
    self->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * gvir_event_log_new:
 * @source: the #GVirConnectionEvents whose domain events to record
 * @capacity: how many events to keep, the oldest going first; 0 keeps all
 *
 * Makes a log that records every domain event of @source from now on.
 *
 * Returns: (transfer full): a new #GVirEventLog
 */
GVirEventLog *
gvir_event_log_new (GVirConnectionEvents *source, guint capacity)
{
    g_return_val_if_fail (GVIR_IS_CONNECTION_EVENTS (source), NULL);

    return g_object_new (GVIR_TYPE_EVENT_LOG, "source", source, "capacity", capacity, NULL);
}

/**
 * gvir_event_log_get_capacity:
 * @self: a #GVirEventLog
 *
 * Gets #GVirEventLog:capacity.
 *
 * Returns: how many events the log keeps; 0 if it keeps all
 */
guint
gvir_event_log_get_capacity (GVirEventLog *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT_LOG (self), 0);
    return self->capacity;
}

/**
 * gvir_event_log_get_source:
 * @self: a #GVirEventLog
 *
 * Gets #GVirEventLog:source.
 *
 * Returns: (transfer none) (nullable): the connection companion whose events
 *   the log records, or %NULL for a log made without one
 */
GVirConnectionEvents *
gvir_event_log_get_source (GVirEventLog *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT_LOG (self), NULL);
    return self->source;
}

/**
 * gvir_event_log_clear:
 * @self: a #GVirEventLog
 *
 * Removes every event from the log, those of the current main-loop
 * iteration not shown yet included, with one #GListModel::items-changed.
 * The log goes on recording the events that come next.
 */
void
gvir_event_log_clear (GVirEventLog *self)
{
    guint len;

    g_return_if_fail (GVIR_IS_EVENT_LOG (self));

    g_ptr_array_set_size (self->pending, 0);
    if (self->flush) {
        g_source_destroy (self->flush);
        g_clear_pointer (&self->flush, g_source_unref);
    }
    len = self->len;
    for (guint i = 0; i < len; i++)
        g_object_unref (self->ring[(self->head + i) % self->alloc]);
    self->len = 0;
    self->head = 0;
    if (len > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, len, 0);
}
