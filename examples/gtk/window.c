/* window.c: the domains of one connection, their state and last events, and a log
 *
 * Nothing here keeps a domain's state or a list of domains: the library
 * does.  A GtkColumnView shows gvir_connection_events_get_domains(), a
 * GListModel of the domains' own GVirDomainEvents, and its State column is
 * bound to GVirDomainEvents:state.  The log is a GtkListView over a
 * GVirEventLog.  A banner bound to GVirConnectionEvents:connected says when
 * the host is away and being reconnected.
 */
#include "window.h"
#include "last-event.h"

struct _ExampleWindow {
    GtkApplicationWindow parent_instance;

    GVirConnection *conn;
    GVirConnectionEvents *conn_events;  /* a reference, once open */
    GVirEventLog *log;                  /* once open */
    GCancellable *cancellable;          /* opening the connection */
    GtkNoSelection *domains;            /* the view's model: the library's, once open */
    GtkNoSelection *log_model;
    GtkScrolledWindow *log_window;
    GtkRevealer *banner;
    GtkLabel *uri;
    GtkLabel *status;
};

/* A log that runs for days keeps its last events only. */
#define LOG_EVENTS 1000

G_DEFINE_FINAL_TYPE (ExampleWindow, example_window, GTK_TYPE_APPLICATION_WINDOW)

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
opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;

    if (!gvir_connection_open_finish (GVIR_CONNECTION (source), result, &error)) {
        show_failure (user_data, error);
        return;
    }
    ExampleWindow *self = user_data;

    /* Threads: every companion of a connection emits its signals, and its
     * models their items-changed, in the global default main context, GTK's,
     * unless the program chose another with
     * gvir_connection_events_set_main_context(). */
    self->conn_events = g_object_ref (gvir_connection_events_get_for_connection (self->conn));

    /* The domains, listed off the main thread and kept current by the
     * library: defined, undefined, transient ones started and stopped, and
     * what changed while the host was away. */
    gtk_no_selection_set_model (self->domains, gvir_connection_events_get_domains (self->conn_events));

    /* Every event of every domain, the last LOG_EVENTS of them. */
    self->log = gvir_event_log_new (self->conn_events, LOG_EVENTS);
    gtk_no_selection_set_model (self->log_model, G_LIST_MODEL (self->log));

    /* The banner shows while the link is down (the library reconnects). */
    g_object_bind_property (self->conn_events, "connected", self->banner, "reveal-child",
                            G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
    gtk_label_set_text (self->status, "");
}

/* ---- The domain view ---- */

static gchar *
domain_name (GObject *list_item G_GNUC_UNUSED, GVirDomain *domain)
{
    return g_strdup (domain ? gvir_domain_get_name (domain) : "");
}

/* The nick of libvirt-gobject's GVirDomainState ("paused"); nothing until known. */
static gchar *
state_text (GObject *list_item G_GNUC_UNUSED, GVirDomainState state)
{
    g_autoptr (GEnumClass) klass = g_type_class_ref (GVIR_TYPE_DOMAIN_STATE);
    GEnumValue *value = g_enum_get_value (klass, state);

    return g_strdup (state == GVIR_DOMAIN_STATE_NONE || value == NULL ? "" : value->value_nick);
}

static ExampleLastEvent *
last_event (GObject *list_item G_GNUC_UNUSED, GVirDomainEvents *events)
{
    return events ? g_object_ref (example_last_event_of (events)) : NULL;
}

/* The Last event label's style classes: "error" (red in the default theme)
 * for I/O errors and watchdogs. */
static GStrv
last_event_classes (GObject *list_item G_GNUC_UNUSED, gboolean error)
{
    return g_strdupv ((gchar *[]) { "last-event", error ? "error" : NULL, NULL });
}

static GtkWidget *
cell_label (const gchar *css_class)
{
    GtkWidget *label = gtk_label_new (NULL);

    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    gtk_widget_add_css_class (label, css_class);   /* names the column (the test hook reads it) */
    return label;
}

/* A cell: a label bound to the row's GVirDomainEvents through the list
 * item's "item" property.  The expressions follow the list item as the view
 * recycles it for other rows, and die with it: no handler, no bind/unbind
 * pair to keep straight. */
static void
setup_cell (GtkSignalListItemFactory *factory G_GNUC_UNUSED, GtkListItem *list_item,
            const gchar *column)
{
    GtkWidget *label = cell_label (column);
    GtkExpression *item = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");

    if (g_str_equal (column, "name")) {
        GtkExpression *domain = gtk_property_expression_new (GVIR_TYPE_DOMAIN_EVENTS, item, "domain");

        gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &domain,
                                                          G_CALLBACK (domain_name), NULL, NULL),
                             label, "label", list_item);
        gtk_list_item_set_child (list_item, label);
    } else if (g_str_equal (column, "state")) {
        /* the library's property: notified when a lifecycle event (or the
         * first answer, or a reconnection) changes it */
        GtkExpression *state = gtk_property_expression_new (GVIR_TYPE_DOMAIN_EVENTS, item, "state");

        gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &state,
                                                          G_CALLBACK (state_text), NULL, NULL),
                             label, "label", list_item);
        gtk_list_item_set_child (list_item, label);
    } else {
        GtkExpression *ours = gtk_cclosure_expression_new (EXAMPLE_TYPE_LAST_EVENT, NULL, 1, &item,
                                                           G_CALLBACK (last_event), NULL, NULL);
        GtkExpression *error = gtk_property_expression_new (EXAMPLE_TYPE_LAST_EVENT,
                                                            gtk_expression_ref (ours), "error");
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

        gtk_expression_bind (gtk_property_expression_new (EXAMPLE_TYPE_LAST_EVENT, ours, "text"),
                             label, "label", list_item);
        gtk_expression_bind (gtk_expression_ref (error), icon, "visible", list_item);
        gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRV, NULL, 1, &error,
                                                          G_CALLBACK (last_event_classes), NULL, NULL),
                             label, "css-classes", list_item);
        gtk_widget_add_css_class (icon, "error");
        gtk_box_append (GTK_BOX (box), icon);
        gtk_box_append (GTK_BOX (box), label);
        gtk_list_item_set_child (list_item, box);
    }
}

static const struct {
    const gchar *title;
    const gchar *column;
    gboolean expand;
} columns[] = {
    { "Domain", "name", FALSE },
    { "State", "state", FALSE },
    { "Last event", "last-event", TRUE },
};

static GtkWidget *
make_domain_view (ExampleWindow *self)
{
    GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (self->domains)));

    for (gsize i = 0; i < G_N_ELEMENTS (columns); i++) {
        GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
        g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) columns[i].column);
        GtkColumnViewColumn *column = gtk_column_view_column_new (columns[i].title, factory);
        gtk_column_view_column_set_expand (column, columns[i].expand);
        gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
        g_object_unref (column);
    }
    return view;
}

/* ---- The log view ---- */

/* One line per event: GVirEvent renders itself. */
static gchar *
log_line (GObject *list_item G_GNUC_UNUSED, GVirEvent *event)
{
    if (event == NULL)
        return g_strdup ("");
    g_autofree gchar *time = g_date_time_format (gvir_event_get_time (event), "%H:%M:%S");
    g_autofree gchar *text = gvir_event_to_string (event);
    return g_strconcat (time, "  ", text, NULL);
}

static void
setup_log_line (GtkSignalListItemFactory *factory G_GNUC_UNUSED, GtkListItem *list_item)
{
    GtkWidget *label = cell_label ("log-line");
    GtkExpression *item = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");

    gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &item,
                                                      G_CALLBACK (log_line), NULL, NULL),
                         label, "label", list_item);
    gtk_list_item_set_child (list_item, label);
}

/* Follow the end: once the view has its new height, scroll to the bottom. */
static gboolean
scroll_to_end (gpointer data)
{
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (data);

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    return G_SOURCE_REMOVE;
}

static void
on_log_changed (GListModel *log G_GNUC_UNUSED, guint position G_GNUC_UNUSED, guint removed G_GNUC_UNUSED,
                guint added, ExampleWindow *self)
{
    if (added > 0)
        g_idle_add_full (G_PRIORITY_LOW, scroll_to_end, g_object_ref (self->log_window), g_object_unref);
}

static GtkWidget *
make_log_view (ExampleWindow *self)
{
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    GtkWidget *view;

    g_signal_connect (factory, "setup", G_CALLBACK (setup_log_line), NULL);
    view = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->log_model)), factory);
    gtk_widget_add_css_class (view, "log");   /* (the test hook reads it) */
    g_signal_connect_object (self->log_model, "items-changed", G_CALLBACK (on_log_changed), self, 0);
    return view;
}

/* ---- The window ---- */

static GtkWidget *
scrolled (GtkWidget *child)
{
    GtkWidget *window = gtk_scrolled_window_new ();

    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (window), child);
    return window;
}

ExampleWindow *
example_window_new (GtkApplication *app, const gchar *uri)
{
    ExampleWindow *self = g_object_new (EXAMPLE_TYPE_WINDOW, "application", app, NULL);
    g_autofree gchar *title = g_strdup_printf ("Domains of %s", uri);

    gtk_window_set_title (GTK_WINDOW (self), title);
    gtk_label_set_text (self->uri, uri);
    gtk_label_set_text (self->status, "Connecting…");
    /* Asynchronous: a remote daemon must not freeze the window. */
    self->conn = gvir_connection_new (uri);
    gvir_connection_open_async (self->conn, self->cancellable, opened, self);
    return self;
}

/* Closing the window: cancel what is under way (its callbacks must not
 * touch a dead window), let go of the library's models and our handlers,
 * close the connection. */
static void
example_window_dispose (GObject *object)
{
    ExampleWindow *self = EXAMPLE_WINDOW (object);

    g_cancellable_cancel (self->cancellable);
    if (self->conn_events != NULL) {
        GListModel *domains = gvir_connection_events_get_domains (self->conn_events);

        for (guint i = 0; i < g_list_model_get_n_items (domains); i++) {
            g_autoptr (GVirDomainEvents) events = g_list_model_get_item (domains, i);
            example_last_event_detach (events);
        }
        gtk_no_selection_set_model (self->domains, NULL);
        gtk_no_selection_set_model (self->log_model, NULL);
        g_clear_object (&self->log);
        g_clear_object (&self->conn_events);
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
    g_object_unref (self->log_model);
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
    self->domains = gtk_no_selection_new (NULL);
    self->log_model = gtk_no_selection_new (NULL);

    /* The header bar: a title, and the connection's URI under it. */
    GtkWidget *header = gtk_header_bar_new ();
    GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    GtkWidget *title = gtk_label_new ("Domains");
    self->uri = GTK_LABEL (gtk_label_new (NULL));
    gtk_widget_add_css_class (title, "title");
    gtk_widget_add_css_class (GTK_WIDGET (self->uri), "subtitle");
    gtk_widget_add_css_class (GTK_WIDGET (self->uri), "uri");   /* (the test hook reads it) */
    gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (titles), title);
    gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->uri));
    gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), titles);
    gtk_window_set_titlebar (GTK_WINDOW (self), header);

    /* The banner, shown while the host is away. */
    GtkWidget *banner_label = gtk_label_new ("The host is away, reconnecting…");
    gtk_widget_set_margin_top (banner_label, 6);
    gtk_widget_set_margin_bottom (banner_label, 6);
    gtk_widget_add_css_class (banner_label, "warning");
    self->banner = GTK_REVEALER (gtk_revealer_new ());
    gtk_revealer_set_child (self->banner, banner_label);
    gtk_widget_add_css_class (GTK_WIDGET (self->banner), "banner");   /* (the test hook reads it) */

    GtkWidget *log_view = make_log_view (self);
    self->log_window = GTK_SCROLLED_WINDOW (scrolled (log_view));
    GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
    gtk_paned_set_start_child (GTK_PANED (paned), scrolled (make_domain_view (self)));
    gtk_paned_set_end_child (GTK_PANED (paned), GTK_WIDGET (self->log_window));
    gtk_paned_set_position (GTK_PANED (paned), 200);
    gtk_widget_set_vexpand (paned, TRUE);

    self->status = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->status, 0);
    gtk_widget_set_margin_start (GTK_WIDGET (self->status), 6);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self->status), 6);
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "status");   /* (the test hook reads it) */

    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->banner));
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

/* The view's domains: the library's model, or an empty one until open. */
GListModel *
example_window_get_domains (ExampleWindow *self)
{
    return G_LIST_MODEL (self->domains);
}

GListModel *
example_window_get_log (ExampleWindow *self)
{
    return G_LIST_MODEL (self->log_model);
}
