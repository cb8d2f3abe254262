/* window.c: the domains of one connection, their last events, and a log
 *
 * A GtkColumnView shows a GListStore of ExampleDomainItem (domain-item.c),
 * one per domain; a text view below logs every event of every domain,
 * through the connection-wide GVirConnectionEvents::domain-event.
 */
#include "window.h"
#include "domain-item.h"

struct _ExampleWindow {
    GtkApplicationWindow parent_instance;

    GVirConnection *conn;
    GVirConnectionEvents *conn_events;  /* a reference: handlers are ours to disconnect */
    GCancellable *cancellable;          /* opening the connection, listing its domains */
    GListStore *domains;                /* of ExampleDomainItem, in the order they came */
    GHashTable *by_uuid;                /* UUID -> ExampleDomainItem (borrowed from the store) */
    GtkTextView *log_view;
    GtkTextBuffer *log;
    GtkLabel *status;
};

/* A log that runs for days keeps its last lines only. */
#define LOG_LINES 1000

G_DEFINE_FINAL_TYPE (ExampleWindow, example_window, GTK_TYPE_APPLICATION_WINDOW)

static void
log_line (ExampleWindow *self, const gchar *line)
{
    GtkTextIter start, end;

    gtk_text_buffer_get_end_iter (self->log, &end);
    gtk_text_buffer_insert (self->log, &end, line, -1);
    gtk_text_buffer_insert (self->log, &end, "\n", 1);
    if (gtk_text_buffer_get_line_count (self->log) > LOG_LINES) {
        gtk_text_buffer_get_start_iter (self->log, &start);
        gtk_text_buffer_get_iter_at_line (self->log, &end, 1);
        gtk_text_buffer_delete (self->log, &start, &end);
    }
    /* follow the end: the cursor there, and into view */
    gtk_text_buffer_get_end_iter (self->log, &end);
    gtk_text_buffer_place_cursor (self->log, &end);
    gtk_text_view_scroll_mark_onscreen (self->log_view, gtk_text_buffer_get_insert (self->log));
}

/* ---- The domain list ---- */

static void
add_domain (ExampleWindow *self, GVirDomain *domain)
{
    const gchar *uuid = gvir_domain_get_uuid (domain);

    if (g_hash_table_contains (self->by_uuid, uuid))
        return;
    g_autoptr (ExampleDomainItem) item = example_domain_item_new (domain);
    g_hash_table_insert (self->by_uuid, g_strdup (uuid), item);
    g_list_store_append (self->domains, item);
}

static void
remove_domain (ExampleWindow *self, const gchar *uuid)
{
    ExampleDomainItem *item = g_hash_table_lookup (self->by_uuid, uuid);
    guint position;

    if (item != NULL && g_list_store_find (self->domains, item, &position)) {
        g_hash_table_remove (self->by_uuid, uuid);
        /* The store held the last reference but the view's: the item
         * disconnects from its domain when the row lets it go. */
        g_list_store_remove (self->domains, position);
    }
}

/* ---- The connection-wide signal ---- */

/* Every event of every domain, one line each: GVirEvent renders itself. */
static void
on_domain_event (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain G_GNUC_UNUSED,
                 GVirEvent *event, ExampleWindow *self)
{
    g_autofree gchar *time = g_date_time_format (gvir_event_get_time (event), "%H:%M:%S");
    g_autofree gchar *text = gvir_event_to_string (event);
    g_autofree gchar *line = g_strconcat (time, "  ", text, NULL);

    log_line (self, line);
}

/* Connected as "domain-event::lifecycle": the detail filters the events in
 * GLib, so this handler runs for lifecycle events only.  A detail that is
 * not a kind nick ("lifecycle::paused", "domain-event::io_error") is
 * accepted by g_signal_connect() and never matches: the reference's signal
 * table lists the valid ones. */
static void
on_lifecycle (GVirConnectionEvents *events G_GNUC_UNUSED, GVirDomain *domain, GVirEvent *event,
              ExampleWindow *self)
{
    /* For a lifecycle event, the detail of the GVirEvent is the event's nick. */
    if (g_strcmp0 (gvir_event_get_detail (event), "undefined") == 0)
        remove_domain (self, gvir_event_get_domain_uuid (event));
    else
        add_domain (self, domain);   /* defined, or started if transient */
}

/* ---- Opening the connection ---- */

/* An asynchronous call failed: say why, unless it was cancelled (then the
 * window is being destroyed, and user_data with it). */
static void
show_failure (gpointer user_data, const GError *error)
{
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (EXAMPLE_WINDOW (user_data)->status, error->message);
}

static void
fetched_domains (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;

    if (!gvir_connection_fetch_domains_finish (GVIR_CONNECTION (source), result, &error)) {
        show_failure (user_data, error);
        return;
    }
    ExampleWindow *self = user_data;
    GList *domains = gvir_connection_get_domains (self->conn);

    for (GList *l = domains; l != NULL; l = l->next)
        add_domain (self, l->data);
    g_list_free_full (domains, g_object_unref);
    gtk_label_set_text (self->status, gvir_connection_get_uri (self->conn));
}

static void
opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;

    if (!gvir_connection_open_finish (GVIR_CONNECTION (source), result, &error)) {
        show_failure (user_data, error);
        return;
    }
    ExampleWindow *self = user_data;

    /* Threads: every companion of a connection emits its signals in the
     * global default main context, GTK's, unless the program chose another
     * with gvir_connection_events_set_main_context(): every handler below
     * runs on GTK's thread and may touch widgets.  Get the connection's companion first and keep it:
     * it is how the library learns that we close the connection. */
    self->conn_events = g_object_ref (gvir_connection_events_get_for_connection (self->conn));
    g_signal_connect (self->conn_events, "domain-event", G_CALLBACK (on_domain_event), self);
    g_signal_connect (self->conn_events, "domain-event::lifecycle", G_CALLBACK (on_lifecycle), self);

    /* Subscribed first, then listed: a domain defined in between is added
     * by on_lifecycle, and add_domain() ignores the second sighting. */
    gvir_connection_fetch_domains_async (self->conn, self->cancellable, fetched_domains, self);
}

/* ---- The view ---- */

/* The Last event label's style classes: "error" (red in the default theme)
 * for I/O errors and watchdogs. */
static GStrv
last_event_classes (GObject *item G_GNUC_UNUSED, gboolean error)
{
    return g_strdupv ((gchar *[]) { "last-event", error ? "error" : NULL, NULL });
}

/* A cell: a label bound to one property of the row's item, through the
 * list item's "item" property.  The expression follows the list item as
 * the view recycles it for other rows, and dies with it: no handler, no
 * bind/unbind pair to keep straight. */
static void
setup_cell (GtkSignalListItemFactory *factory G_GNUC_UNUSED, GtkListItem *list_item,
            const gchar *property)
{
    GtkWidget *label = gtk_label_new (NULL);
    GtkExpression *item = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");

    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    gtk_widget_add_css_class (label, property);   /* names the column (the test hook reads it) */
    gtk_expression_bind (gtk_property_expression_new (EXAMPLE_TYPE_DOMAIN_ITEM, gtk_expression_ref (item), property),
                         label, "label", list_item);

    if (g_str_equal (property, "last-event")) {
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
        GtkExpression *error = gtk_property_expression_new (EXAMPLE_TYPE_DOMAIN_ITEM,
                                                            gtk_expression_ref (item), "error");

        gtk_expression_bind (gtk_expression_ref (error), icon, "visible", list_item);
        gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRV, NULL, 1, &error,
                                                          G_CALLBACK (last_event_classes), NULL, NULL),
                             label, "css-classes", list_item);
        gtk_widget_add_css_class (icon, "error");
        gtk_box_append (GTK_BOX (box), icon);
        gtk_box_append (GTK_BOX (box), label);
        gtk_list_item_set_child (list_item, box);
    } else {
        gtk_list_item_set_child (list_item, label);
    }
    gtk_expression_unref (item);
}

static const struct {
    const gchar *title;
    const gchar *property;   /* of ExampleDomainItem */
    gboolean expand;
} columns[] = {
    { "Domain", "name", FALSE },
    { "State", "state", FALSE },
    { "Last event", "last-event", TRUE },
};

static GtkWidget *
make_domain_view (ExampleWindow *self)
{
    GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (
        gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->domains)))));

    for (gsize i = 0; i < G_N_ELEMENTS (columns); i++) {
        GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
        g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) columns[i].property);
        GtkColumnViewColumn *column = gtk_column_view_column_new (columns[i].title, factory);
        gtk_column_view_column_set_expand (column, columns[i].expand);
        gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
        g_object_unref (column);
    }
    return view;
}

static GtkWidget *
scrolled (GtkWidget *child)
{
    GtkWidget *window = gtk_scrolled_window_new ();

    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (window), child);
    return window;
}

/* ---- The window ---- */

ExampleWindow *
example_window_new (GtkApplication *app, const gchar *uri)
{
    ExampleWindow *self = g_object_new (EXAMPLE_TYPE_WINDOW, "application", app, NULL);
    g_autofree gchar *title = g_strdup_printf ("Domains of %s", uri);

    gtk_window_set_title (GTK_WINDOW (self), title);
    gtk_label_set_text (self->status, "Connecting…");
    /* Asynchronous: a remote daemon must not freeze the window. */
    self->conn = gvir_connection_new (uri);
    gvir_connection_open_async (self->conn, self->cancellable, opened, self);
    return self;
}

/* Closing the window: cancel what is under way (its callbacks must not
 * touch a dead window), disconnect our handlers, drop the rows (each item
 * disconnects its own), close the connection. */
static void
example_window_dispose (GObject *object)
{
    ExampleWindow *self = EXAMPLE_WINDOW (object);

    g_cancellable_cancel (self->cancellable);
    if (self->conn_events != NULL) {
        g_signal_handlers_disconnect_by_data (self->conn_events, self);
        g_clear_object (&self->conn_events);
    }
    if (self->domains != NULL) {
        g_hash_table_remove_all (self->by_uuid);
        g_list_store_remove_all (self->domains);
    }
    if (self->conn != NULL) {
        gvir_connection_close (self->conn);
        g_clear_object (&self->conn);
    }
    G_OBJECT_CLASS (example_window_parent_class)->dispose (object);
}

static void
example_window_finalize (GObject *object)
{
    ExampleWindow *self = EXAMPLE_WINDOW (object);

    g_object_unref (self->cancellable);
    g_object_unref (self->domains);
    g_hash_table_unref (self->by_uuid);
    G_OBJECT_CLASS (example_window_parent_class)->finalize (object);
}

static void
example_window_class_init (ExampleWindowClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = example_window_dispose;
    G_OBJECT_CLASS (klass)->finalize = example_window_finalize;
}

static void
example_window_init (ExampleWindow *self)
{
    self->cancellable = g_cancellable_new ();
    self->domains = g_list_store_new (EXAMPLE_TYPE_DOMAIN_ITEM);
    self->by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    GtkWidget *log_view = gtk_text_view_new ();
    self->log_view = GTK_TEXT_VIEW (log_view);
    self->log = gtk_text_view_get_buffer (GTK_TEXT_VIEW (log_view));
    gtk_text_view_set_editable (GTK_TEXT_VIEW (log_view), FALSE);
    gtk_text_view_set_monospace (GTK_TEXT_VIEW (log_view), TRUE);
    gtk_text_view_set_left_margin (GTK_TEXT_VIEW (log_view), 6);
    gtk_widget_add_css_class (log_view, "log");   /* (the test hook reads it) */

    GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
    gtk_paned_set_start_child (GTK_PANED (paned), scrolled (make_domain_view (self)));
    gtk_paned_set_end_child (GTK_PANED (paned), scrolled (log_view));
    gtk_paned_set_position (GTK_PANED (paned), 200);
    gtk_widget_set_vexpand (paned, TRUE);

    self->status = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->status, 0);
    gtk_widget_set_margin_start (GTK_WIDGET (self->status), 6);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self->status), 6);
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "status");   /* (the test hook reads it) */

    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append (GTK_BOX (box), paned);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));
    gtk_window_set_child (GTK_WINDOW (self), box);
    gtk_window_set_default_size (GTK_WINDOW (self), 760, 480);
}

GVirConnection *
example_window_get_connection (ExampleWindow *self)
{
    return self->conn;
}

GListModel *
example_window_get_domains (ExampleWindow *self)
{
    return G_LIST_MODEL (self->domains);
}
